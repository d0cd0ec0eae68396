/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * smtp_line: the bounded readers of a worker's SMTP session. Command lines
 * end in CRLF or a bare LF (tolerated, and recorded as "lf"); a line over
 * max_command_line is recorded cut, skipped to its end and answered 500.
 * Message text is streamed, never held whole: dot-unstuffed, counted, cut
 * at max_data_line per line and max_message_size per message, and ended by
 * a line holding a single '.' (after CRLF or a bare LF, the way the line
 * reader ends every line). With PF_DATA_CRLF_END (Exim), a message whose
 * first line ends in CRLF ends only at CRLF.CRLF: a bare LF there is text.
 * BDAT chunks are read by count, as they come.
 */
#include "autoconf.h"

#include <string.h>

#include "conf.h"
#include "smtp_int.h"
#include "spool.h"

/*
 * Take the next command line from the input buffer. Returns 1 with *line
 * set (its text NUL-terminated in place), 0 when more input is needed, -1
 * when bytes were consumed without a line to act on (call again). *used is
 * what the caller must consume afterwards.
 */
int
smtp_line_next(struct smtp_session *s, struct smtp_line *line, size_t *used)
{
	char *p = s->in.data + s->in_off, *nl;
	size_t n = s->in.len - s->in_off, len, max = s->cf->max_command_line;

	*used = 0;
	if (n == 0)
		return 0;
	nl = memchr(p, '\n', n);
	if (s->discarding) {
		if (nl == NULL) {
			*used = n;
			return 0;
		}
		*used = (size_t)(nl - p) + 1;
		s->discarding = 0;
		smtp_say_error(s, s->persona->line_too_long, NULL);
		return -1;
	}
	if (nl == NULL) {
		/* Room for the CR of a max-long line whose LF is to come. */
		if (n <= max + 1)
			return 0;
		spool_transcript(s->spool, 'C', "long", p, max);
		s->discarding = 1;
		*used = n;
		return -1;
	}
	len = (size_t)(nl - p);
	*used = len + 1;
	line->eol = "lf";
	if (len > 0 && p[len - 1] == '\r') {
		len--;
		line->eol = "crlf";
	}
	if (len > max) {
		spool_transcript(s->spool, 'C', "long", p, max);
		smtp_say_error(s, s->persona->line_too_long, NULL);
		return -1;
	}
	p[len] = '\0';
	line->text = p;
	line->len = len;
	return 1;
}

static uint64_t
smtp_min(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* Keep what the limits allow of n bytes of one line's text. */
static void
smtp_data_keep(struct smtp_session *s, const char *p, size_t n)
{
	struct smtp_data *d = &s->data;
	uint64_t room = s->cf->max_message_size - d->stored;
	size_t keep = (size_t)smtp_min(n, room);

	if (keep < n)
		d->too_big = 1;
	spool_body(s->spool, p, keep);
	d->stored += keep;
}

/*
 * n bytes of message text; ends_line when the last one is the '\n' that
 * ends a line.
 */
static void
smtp_data_emit(struct smtp_session *s, const char *p, size_t n, int ends_line)
{
	struct smtp_data *d = &s->data;
	uint64_t max = s->cf->max_data_line;
	size_t text = ends_line ? n - 1 : n, room;
	int cr;

	if (n == 0)
		return;
	d->size += n;
	room = d->line_len >= max ? 0 : (size_t)smtp_min(text, max - d->line_len);
	if (room < text)
		d->line_cut = 1;
	if (!ends_line) {
		smtp_data_keep(s, p, room);
		d->line_len += text;
		d->last_cr = p[n - 1] == '\r';
		return;
	}
	cr = n >= 2 ? p[n - 2] == '\r' : d->last_cr;
	if (!cr)
		d->bare_lf++;
	if (d->line_len + text - (size_t)cr > d->longest)
		d->longest = d->line_len + text - (size_t)cr;
	/*
	 * A cut line still ends as it ended, also when its CR came in an
	 * earlier read and was cut with the rest: judged on the whole line,
	 * so the bytes kept do not depend on how the input was split.
	 */
	if (d->line_len + text > max) {
		smtp_data_keep(s, p, room);
		smtp_data_keep(s, cr ? "\r\n" : "\n", cr ? 2 : 1);
	} else
		smtp_data_keep(s, p, n);
	d->line_len = 0;
	d->last_cr = p[n - 1] == '\r';
}

/*
 * Feed message text. Returns how many bytes were used; *done is set when
 * the ending "." line was consumed.
 */
size_t
smtp_data_feed(struct smtp_session *s, const char *p, size_t n, int *done)
{
	struct smtp_data *d = &s->data;
	int exim = (s->persona->flags & PF_DATA_CRLF_END) != 0, cr;
	const char *nl;
	size_t i = 0, run;

	*done = 0;
	while (i < n) {
		switch (d->dot) {
		case SD_BOL:
			if (p[i] == '.') {
				d->dot = SD_DOT;
				i++;
				continue;
			}
			d->dot = SD_NONE;
			break;
		case SD_DOT:
			if (p[i] == '\n' && d->first_eol == 0)
				d->first_eol = SD_EOL_LF;
			if (p[i] == '\n' && exim &&
			    d->first_eol == SD_EOL_CRLF) {
				/* ".\n" is text there: the dot is kept */
				d->dot = SD_NONE;
				smtp_data_emit(s, ".", 1, 0);
				break;
			}
			if (p[i] == '\n' || p[i] == '\r') {
				d->dot = p[i] == '\n' ? SD_BOL : SD_DOTCR;
				i++;
				if (d->dot == SD_BOL) {
					*done = 1;
					return i;
				}
				continue;
			}
			d->dot = SD_NONE;	/* a stuffed dot: dropped */
			break;
		case SD_DOTCR:
			if (p[i] == '\n') {
				*done = 1;
				return i + 1;
			}
			d->dot = SD_NONE;	/* ".\r" then text: keep the CR */
			smtp_data_emit(s, "\r", 1, 0);
			break;
		case SD_NONE:
			break;
		}
		nl = memchr(p + i, '\n', n - i);
		run = nl ? (size_t)(nl - (p + i)) + 1 : n - i;
		/* judged before the emit, which forgets the CR */
		cr = nl == NULL ? 0 : nl > p + i ? nl[-1] == '\r' : d->last_cr;
		if (nl != NULL && d->first_eol == 0)
			d->first_eol = cr ? SD_EOL_CRLF : SD_EOL_LF;
		smtp_data_emit(s, p + i, run, nl != NULL);
		if (nl != NULL && (cr || !exim || d->first_eol == SD_EOL_LF))
			d->dot = SD_BOL;
		i += run;
	}
	return i;
}

/*
 * The size of a BDAT message as the persona's MTA tells it: Postfix in
 * "Ok: N bytes queued", Exim in "N byte chunk, total M". Neither is the
 * count of the bytes sent: each is the size of what the MTA wrote, with
 * CRLF line ends. Counted as the bytes come, whatever the chunks.
 *
 * Postfix reads a line of at most line_length_limit (2048) bytes: a
 * longer one is cut in pieces, each counted with a CRLF. The CRs that end
 * a line before its LF are dropped, also when the LF comes right after a
 * full piece; a last line without one gets a CRLF.
 */
#define SMTP_PF_LINE_LIMIT	2048

static void
smtp_bdat_size_pf(struct smtp_bdat_size *z, unsigned char c)
{
	if (z->pf_held) {
		z->pf_held = 0;
		if (c == '\n') {
			z->pf += SMTP_PF_LINE_LIMIT - z->pf_crs + 2;
			z->pf_piece = z->pf_crs = 0;
			return;
		}
		z->pf += SMTP_PF_LINE_LIMIT + 2;
		z->pf_piece = z->pf_crs = 0;
	}
	if (c == '\n') {
		z->pf += z->pf_piece - z->pf_crs + 2;
		z->pf_piece = z->pf_crs = 0;
		return;
	}
	z->pf_piece++;
	z->pf_crs = c == '\r' ? z->pf_crs + 1 : 0;
	if (z->pf_piece < SMTP_PF_LINE_LIMIT)
		return;
	if (c == '\r')
		z->pf_held = 1;
	else {
		z->pf += SMTP_PF_LINE_LIMIT + 2;
		z->pf_piece = z->pf_crs = 0;
	}
}

/*
 * Exim counts its spool form, each line with a CRLF: a bare LF or a bare
 * CR ends a line too (one byte more each), a last line without an end
 * gets one, an empty message is one empty line, and a line where the
 * header section expects a header ("Name:", white space allowed before
 * the colon, or a continuation) is preceded by an inserted empty line.
 * In a header, a bare CR is a line end and a space; the continuation
 * lines of only white space at a header's end are dropped, their line
 * ends still counted (receive.c, receive_msg()). The longest line is
 * kept for Debian's data ACL, which refuses one over 998 bytes.
 */
enum {
	SMTP_EXH_START,		/* header section, at a line's start */
	SMTP_EXH_NAME,		/* in what may be a header's name */
	SMTP_EXH_WSP,		/* white space after it */
	SMTP_EXH_HEADER,	/* in a header */
	SMTP_EXH_BODY,
};

static int
smtp_exim_wsp(unsigned char c)
{
	return c == ' ' || c == '\t';
}

/* A line of the header that is under way ends: is it only white space? */
static void
smtp_bdat_size_ex_seg(struct smtp_bdat_size *z)
{
	z->ex_trim = z->ex_seg_ws ? z->ex_trim + z->ex_seg + 1 : 0;
	z->ex_seg = 0;
	z->ex_seg_ws = 1;
}

/* The header under way ends: its last lines of white space go. */
static void
smtp_bdat_size_ex_header_end(struct smtp_bdat_size *z)
{
	if (z->ex_seg_ws)
		z->ex -= z->ex_trim + z->ex_seg + 1;
	z->ex_trim = z->ex_seg = 0;
	z->ex_seg_ws = 0;
}

/*
 * Where a line's next byte puts it in the header section: a header is
 * a name of printing bytes (8-bit ones too), white space, a colon; a
 * line that begins with white space (a bare CR included) is none.
 */
static int
smtp_bdat_size_ex_class(int h, unsigned char c, int bare_cr)
{
	int space = bare_cr || c == ' ' || (c >= '\t' && c <= '\r');

	if (c == ':' && !bare_cr)
		return SMTP_EXH_HEADER;
	if (space)
		return h == SMTP_EXH_START ? SMTP_EXH_BODY : SMTP_EXH_WSP;
	if (c > ' ' && c != 0x7f && h != SMTP_EXH_WSP)
		return SMTP_EXH_NAME;
	return SMTP_EXH_BODY;
}

/* A byte of a line's text (or a bare CR) in the header section. */
static void
smtp_bdat_size_ex_text(struct smtp_bdat_size *z, unsigned char c, int bare_cr)
{
	int h = z->ex_hdr;

	if (h == SMTP_EXH_HEADER) {
		if (bare_cr)
			smtp_bdat_size_ex_seg(z);	/* then a space */
		z->ex_seg++;
		if (!bare_cr && !smtp_exim_wsp(c))
			z->ex_seg_ws = 0;
		return;
	}
	if (h == SMTP_EXH_START && z->ex_bol == 2) {
		if (smtp_exim_wsp(c) && !bare_cr) {	/* a continuation */
			smtp_bdat_size_ex_seg(z);
			z->ex_seg = 1;
			z->ex_hdr = SMTP_EXH_HEADER;
			return;
		}
		smtp_bdat_size_ex_header_end(z);
	}
	if (h != SMTP_EXH_BODY)
		h = smtp_bdat_size_ex_class(h, c, bare_cr);
	if (h == SMTP_EXH_BODY && z->ex_hdr != SMTP_EXH_BODY)
		z->ex++;	/* not a header: the empty line before it */
	z->ex_hdr = h;
}

/* A line ends (CRLF, or a bare LF): Exim's header section. */
static void
smtp_bdat_size_ex_eol(struct smtp_bdat_size *z)
{
	if (z->ex_line > z->ex_longest)
		z->ex_longest = z->ex_line;
	z->ex_line = 0;
	switch (z->ex_hdr) {
	case SMTP_EXH_HEADER:
		z->ex_hdr = SMTP_EXH_START;
		z->ex_bol = 2;	/* white space next: a continuation */
		return;
	case SMTP_EXH_NAME:
	case SMTP_EXH_WSP:
		z->ex++;	/* not a header after all */
		break;
	case SMTP_EXH_START:	/* an empty line ends the header section */
		if (z->ex_bol == 2)
			smtp_bdat_size_ex_header_end(z);
		break;
	}
	z->ex_hdr = SMTP_EXH_BODY;
	z->ex_bol = 1;
}

static void
smtp_bdat_size_ex(struct smtp_bdat_size *z, unsigned char c)
{
	z->ex++;
	if (z->ex_cr) {
		z->ex_cr = 0;
		if (c == '\n') {
			smtp_bdat_size_ex_eol(z);
			return;
		}
		z->ex++;	/* a bare CR */
		if (z->ex_hdr == SMTP_EXH_BODY) {
			if (z->ex_line > z->ex_longest)
				z->ex_longest = z->ex_line;
			z->ex_line = 0;
			z->ex_bol = 1;
		} else {
			smtp_bdat_size_ex_text(z, '\r', 1);
			z->ex_line += 2;
			z->ex_bol = 0;
		}
	}
	if (c == '\r')
		z->ex_cr = 1;
	else if (c == '\n') {
		z->ex++;
		smtp_bdat_size_ex_eol(z);
	} else {
		smtp_bdat_size_ex_text(z, c, 0);
		z->ex_line++;
		z->ex_bol = 0;
	}
}

/* The message's last byte has come: what each MTA adds at its end. */
void
smtp_bdat_size_end(struct smtp_bdat_size *z)
{
	if (z->pf_held)
		z->pf += SMTP_PF_LINE_LIMIT + 2;
	else if (z->pf_piece > 0)
		z->pf += z->pf_piece + 2;
	z->pf_held = 0;
	z->pf_piece = z->pf_crs = 0;
	if (z->ex_cr) {		/* Exim waits for more: never seen */
		z->ex_cr = 0;
		z->ex++;
		smtp_bdat_size_ex_eol(z);
	}
	if (z->ex == 0)
		z->ex = 2;		/* an empty line */
	else if (!z->ex_bol) {
		z->ex += 2;
		smtp_bdat_size_ex_eol(z);
	}
	if (z->ex_hdr == SMTP_EXH_START && z->ex_bol == 2)
		smtp_bdat_size_ex_header_end(z);
}

/*
 * Feed the bytes of a BDAT chunk: taken as they are (no dot-stuffing, no
 * line ends to look for), kept within max_message_size, or discarded
 * when the chunk is refused. Returns how many were used; *done is set
 * once the chunk is read.
 */
size_t
smtp_bdat_feed(struct smtp_session *s, const char *p, size_t n, int *done)
{
	size_t take = (size_t)smtp_min(n, s->bdat_left), i;

	if (s->bdat_reply == NULL) {
		s->data.size += take;
		s->data.chunk += take;
		smtp_data_keep(s, p, take);
		for (i = 0; i < take; i++) {
			smtp_bdat_size_pf(&s->data.bsize, (unsigned char)p[i]);
			smtp_bdat_size_ex(&s->data.bsize, (unsigned char)p[i]);
		}
	}
	s->bdat_left -= take;
	*done = s->bdat_left == 0;
	return take;
}
