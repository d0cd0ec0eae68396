/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * mime_words: RFC 2047 encoded words and RFC 2231 parameter values, in the
 * analyzer (unprivileged, reading spool files only). The charset
 * conversion is mime.c's (mime_header_to_utf8): it reads bytes that carry
 * no label in the charset the message declares.
 *
 * GMime 3.2 decodes both, and mime.c uses it for every other header, but
 * tried on spam (GMime 3.2.13) it gets these wrong, so they are ours:
 * - adjacent encoded words of one charset: GMime joins their base64 text,
 *   not their bytes, so a first word ending in "=" padding (how a subject
 *   split in the middle of a character is sent) garbles the rest, and a B
 *   word next to a Q word of the same charset comes out as '?';
 * - a NUL or a byte the charset lacks becomes '?', which an analyst
 *   cannot tell from a real one: here it is U+FFFD, as everywhere else;
 * - RFC 2231 parts out of order lose their charset, a name is cut at a
 *   %00 ("invoice.pdf%00.exe" shown as "invoice.pdf"), and a charset
 *   iconv does not know drops every byte it encodes.
 * What GMime does right here is the spacing of RFC 2047 6.2, copied.
 */
#include "autoconf.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base64.h"
#include "buf.h"
#include "mime_words.h"
#include "util.h"

#define WORDS_MAX_PARTS	64	/* RFC 2231 continuations kept */
#define WORDS_CHARSET	64	/* longest charset name taken */

/* A header value being decoded. */
struct words_state {
	struct buf	 out;		/* UTF-8 */
	struct buf	 plain;		/* unencoded text not yet converted */
	struct buf	 bytes;		/* encoded words' bytes, not converted */
	char		 charset[WORDS_CHARSET + 1];	/* of bytes */
	const char	*declared;
	mime_words_conv	 conv;
	const char	*stop_from;	/* see words_stop */
	const char	*stop;
};

/*
 * n bytes with every ESC and two hex digits after it decoded, the rest as
 * they are: a Q encoded word's text (ESC '=', and '_' for a space) or an
 * RFC 2231 value (ESC '%').
 */
static int
words_unhex(const char *p, size_t n, char esc, struct buf *out)
{
	int hi, lo;
	size_t i;
	char c;

	for (i = 0; i < n; i++) {
		c = esc == '=' && p[i] == '_' ? ' ' : p[i];
		if (p[i] == esc && i + 2 < n &&
		    (hi = util_hexval((unsigned char)p[i + 1], 0)) >= 0 &&
		    (lo = util_hexval((unsigned char)p[i + 2], 0)) >= 0) {
			c = (char)(hi << 4 | lo);
			i += 2;
		}
		if (buf_append(out, &c, 1) == -1)
			return -1;
	}
	return 0;
}

/*
 * The bytes of an encoded word's text, B or Q; lenient, as mail is. Each
 * word is decoded on its own, its padding ending it, as RFC 2047 has it.
 */
static int
words_decode(char enc, const char *p, size_t n, struct buf *out)
{
	if (enc != 'B')
		return words_unhex(p, n, '=', out);
	if (buf_reserve(out, BASE64_DECODED_SIZE(n)) == -1)
		return -1;
	out->len += (size_t)base64_decode(p, n,
	    (unsigned char *)out->data + out->len, BASE64_LENIENT);
	return 0;
}

static int
words_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * The first white space or "?=" at or after p: where an encoded word's
 * text ends. Remembered, since a value of many "=?" that never end would
 * otherwise be scanned to its end once for each.
 */
static const char *
words_stop(struct words_state *st, const char *p)
{
	const char *q;

	if (st->stop_from != NULL && st->stop_from <= p && st->stop >= p)
		return st->stop;
	for (q = p; *q != '\0' && !words_is_space(*q) &&
	    (q[0] != '?' || q[1] != '='); q++)
		;
	st->stop_from = p;
	st->stop = q;
	return q;
}

/* "=?charset?E?text?=" at p: its parts, and where it ends. */
static int
words_parse(struct words_state *st, const char *p, char *charset,
    char *enc, const char **text, size_t *tlen, const char **end)
{
	const char *q1, *q2;
	size_t n;

	if (p[0] != '=' || p[1] != '?')
		return 0;
	n = strnlen(p + 2, WORDS_CHARSET);
	if ((q1 = memchr(p + 2, '?', n)) == NULL || q1[1] == '\0' ||
	    q1[2] != '?')
		return 0;
	n = (size_t)(q1 - (p + 2));
	if (n == 0 || memchr(p + 2, ' ', n) != NULL)
		return 0;
	*enc = (char)toupper((unsigned char)q1[1]);
	if (*enc != 'B' && *enc != 'Q')
		return 0;
	q2 = words_stop(st, q1 + 3);
	if (q2[0] != '?' || q2[1] != '=')
		return 0;
	memcpy(charset, p + 2, n);
	charset[n] = '\0';
	charset[strcspn(charset, "*")] = '\0';	/* RFC 2231 language */
	*text = q1 + 3;
	*tlen = (size_t)(q2 - *text);
	*end = q2 + 2;
	return 1;
}

/* Append n bytes of charset (NULL: unlabelled) converted to UTF-8. */
static int
words_append(struct words_state *st, const char *charset, const char *p,
    size_t n)
{
	char *u;
	int rc;

	if (n == 0)
		return 0;
	if ((u = st->conv(charset, st->declared, p, n)) == NULL)
		return -1;
	rc = buf_append(&st->out, u, strlen(u));
	free(u);
	return rc;
}

/*
 * Convert what is pending: plain text as one piece, so its charset is
 * guessed from all of it; the bytes of a run of encoded words of one
 * charset together, so a character split between two words is whole.
 */
static int
words_flush(struct words_state *st)
{
	if (words_append(st, NULL, st->plain.data, st->plain.len) == -1 ||
	    words_append(st, st->charset, st->bytes.data, st->bytes.len) == -1)
		return -1;
	st->plain.len = st->bytes.len = 0;
	st->charset[0] = '\0';
	return 0;
}

/* White space between words, kept as sent but for the folding's CR LF. */
static int
words_space(struct buf *out, const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != '\r' && p[i] != '\n' &&
		    buf_append(out, &p[i], 1) == -1)
			return -1;
	return 0;
}

/*
 * An encoded word: its bytes join the pending ones when they are of the
 * same charset and only white space came between (which RFC 2047 6.2
 * drops); else what is pending is converted first.
 */
static int
words_word(struct words_state *st, const char *charset, char enc,
    const char *text, size_t tlen)
{
	if (st->bytes.len > 0 && strcasecmp(st->charset, charset) != 0 &&
	    words_flush(st) == -1)
		return -1;
	if (st->plain.len > 0 && words_flush(st) == -1)
		return -1;
	if (st->bytes.len == 0)
		snprintf(st->charset, sizeof(st->charset), "%s", charset);
	return words_decode(enc, text, tlen, &st->bytes);
}

/* How much of p is plain text: up to white space or a "=?" after it. */
static size_t
words_plain_len(const char *p)
{
	size_t n = 1;

	while (p[n] != '\0' && !words_is_space(p[n]) &&
	    (p[n] != '=' || p[n + 1] != '?'))
		n++;
	return n;
}

/*
 * A raw header value with its encoded words decoded: UTF-8, folding
 * undone, white space between two encoded words dropped (RFC 2047 6.2),
 * white space next to plain text kept. Unlabelled bytes are read as the
 * declared charset may say (see mime_words_conv). Malloc'd; NULL when out
 * of memory.
 */
char *
mime_words_header(const char *raw, const char *declared, mime_words_conv conv)
{
	struct words_state st;
	const char *p = raw, *text, *end, *ws = NULL;
	char charset[WORDS_CHARSET + 1], enc;
	size_t tlen, run;
	int after_word = 0;

	memset(&st, 0, sizeof(st));
	st.declared = declared;
	st.conv = conv;
	while (*p != '\0') {
		if (words_is_space(*p)) {
			if (ws == NULL)
				ws = p;
			p++;
			continue;
		}
		if (words_parse(&st, p, charset, &enc, &text, &tlen, &end)) {
			if (ws != NULL && !after_word &&
			    words_space(&st.plain, ws, (size_t)(p - ws)) == -1)
				goto fail;
			if (words_word(&st, charset, enc, text, tlen) == -1)
				goto fail;
			after_word = 1;
		} else {
			run = words_plain_len(p);
			if ((st.bytes.len > 0 && words_flush(&st) == -1) ||
			    (ws != NULL && words_space(&st.plain, ws,
			    (size_t)(p - ws)) == -1) ||
			    buf_append(&st.plain, p, run) == -1)
				goto fail;
			end = p + run;
			after_word = 0;
		}
		p = end;
		ws = NULL;
	}
	if (words_flush(&st) == -1 || buf_append(&st.out, "", 1) == -1)
		goto fail;
	buf_release(&st.plain);
	buf_release(&st.bytes);
	/* leading white space of the raw value is not the subject's */
	for (tlen = 0; st.out.data[tlen] == ' ' || st.out.data[tlen] == '\t';
	    tlen++)
		;
	memmove(st.out.data, st.out.data + tlen, st.out.len - tlen);
	return st.out.data;
fail:
	buf_release(&st.plain);
	buf_release(&st.bytes);
	buf_release(&st.out);
	return NULL;
}

struct words_part {
	const char	*value;
	size_t		 len;
	int		 extended;	/* name*N*= : percent-encoded */
};

/*
 * One "name*...=value" parameter of a raw header: which part of param it
 * is, and whether it is percent-encoded (name*= or name*N*=).
 */
static int
words_param(const char *name, size_t nlen, const char *param, size_t plen,
    int *index, int *extended)
{
	const char *p = name + plen + 1, *end = name + nlen;

	if (nlen <= plen || strncasecmp(name, param, plen) != 0 ||
	    name[plen] != '*')
		return 0;
	*extended = end[-1] == '*';
	if (p == end || (*p == '*' && p + 1 == end)) {
		*index = 0;		/* name*= : one part, extended */
		return *extended;
	}
	/* digits only: no sign, no space, no index past the table */
	for (*index = 0; p < end && isdigit((unsigned char)*p); p++)
		if ((*index = *index * 10 + (*p - '0')) >= WORDS_MAX_PARTS)
			return 0;
	return p > name + plen + 1 && (p == end || (*p == '*' && p + 1 == end));
}

/* The parameter value at p (quoted or a token); sets its bounds. */
static const char *
words_value(const char *p, const char **v, size_t *vlen)
{
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;			/* name = "value" */
	if (*p == '"') {
		*v = ++p;
		while (*p != '\0' && *p != '"')
			p += (*p == '\\' && p[1] != '\0') ? 2 : 1;
		*vlen = (size_t)(p - *v);
		return *p == '"' ? p + 1 : p;
	}
	*v = p;
	*vlen = strcspn(p, ";");
	while (*vlen > 0 && isspace((unsigned char)p[*vlen - 1]))
		(*vlen)--;
	return p + strcspn(p, ";");
}

/*
 * Part 0's "charset'language'" prefix: the charset copied, the value
 * moved past it. Without both quotes the value is all text.
 */
static void
words_charset(const char **v, size_t *vlen, char *charset, size_t cslen)
{
	const char *q1, *q2;

	if ((q1 = memchr(*v, '\'', *vlen)) == NULL ||
	    (q2 = memchr(q1 + 1, '\'', *vlen - (size_t)(q1 + 1 - *v))) == NULL)
		return;
	if ((size_t)(q1 - *v) < cslen) {
		memcpy(charset, *v, (size_t)(q1 - *v));
		charset[q1 - *v] = '\0';
	}
	*vlen -= (size_t)(q2 + 1 - *v);
	*v = q2 + 1;
}

/*
 * The RFC 2231 value of parameter param (e.g. "filename") in a raw
 * header value: its parts put in order of their numbers, wherever they
 * come, joined up to the first missing one, the encoded ones
 * percent-decoded; the bytes of all of them in part 0's charset (a
 * character may be split between parts). UTF-8, malloc'd. NULL when the
 * header has no such extended parameter (GMime's reading then stands) or
 * when out of memory.
 */
char *
mime_words_param(const char *raw, const char *param, const char *declared,
    mime_words_conv conv)
{
	struct words_part parts[WORDS_MAX_PARTS];
	struct buf bytes = { NULL, 0, 0 };
	char charset[WORDS_CHARSET] = "", *result = NULL;
	const char *p = raw, *name, *v;
	size_t nlen, vlen, plen = strlen(param);
	int i, idx, ext;

	memset(parts, 0, sizeof(parts));
	while ((p = strchr(p, ';')) != NULL) {
		for (p++; isspace((unsigned char)*p); p++)
			;
		name = p;
		nlen = strcspn(p, "=;");
		if (p[nlen] != '=')
			continue;
		p = words_value(p + nlen + 1, &v, &vlen);
		while (nlen > 0 && isspace((unsigned char)name[nlen - 1]))
			nlen--;
		if (words_param(name, nlen, param, plen, &idx, &ext))
			parts[idx] = (struct words_part){ v, vlen, ext };
	}
	if (parts[0].value == NULL)
		return NULL;
	for (i = 0; i < WORDS_MAX_PARTS && parts[i].value != NULL; i++) {
		v = parts[i].value;
		vlen = parts[i].len;
		if (i == 0 && parts[0].extended)
			words_charset(&v, &vlen, charset, sizeof(charset));
		if ((parts[i].extended ? words_unhex(v, vlen, '%', &bytes) :
		    buf_append(&bytes, v, vlen)) == -1)
			goto done;
	}
	result = conv(charset[0] ? charset : NULL, declared,
	    bytes.data ? bytes.data : "", bytes.len);
done:
	buf_release(&bytes);
	return result;
}
