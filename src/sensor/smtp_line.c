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
 * Feed the bytes of a BDAT chunk: taken as they are (no dot-stuffing, no
 * line ends to look for), kept within max_message_size, or discarded
 * when the chunk is refused. Returns how many were used; *done is set
 * once the chunk is read.
 */
size_t
smtp_bdat_feed(struct smtp_session *s, const char *p, size_t n, int *done)
{
	size_t take = (size_t)smtp_min(n, s->bdat_left);

	if (s->bdat_reply == NULL) {
		s->data.size += take;
		s->data.chunk += take;
		smtp_data_keep(s, p, take);
	}
	s->bdat_left -= take;
	*done = s->bdat_left == 0;
	return take;
}
