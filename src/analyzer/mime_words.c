/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * mime_words: RFC 2047 encoded words and RFC 2231 parameter values decoded
 * by spampot itself, in the analyzer. GMime turns a NUL or an invalid byte
 * inside an encoded word into '?', and cuts an RFC 2231 file name at a
 * %00, hiding "invoice.pdf%00.exe" as "invoice.pdf"; an analyst must see
 * what was sent, with U+FFFD where a byte cannot be shown, as everywhere
 * else. The charset conversion is mime.c's (mime_to_utf8).
 */
#include "autoconf.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base64.h"
#include "buf.h"
#include "mime_words.h"
#include "util.h"

#define WORDS_MAX_PARTS	64	/* RFC 2231 continuations kept */

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

/* The bytes of an encoded word's text, B or Q; lenient, as mail is. */
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

/* "=?charset?E?text?=" at p: its parts, and where it ends. */
static int
words_parse(const char *p, char *charset, size_t cslen, char *enc,
    const char **text, size_t *tlen, const char **end)
{
	const char *q1, *q2, *q3;
	size_t n;

	if (p[0] != '=' || p[1] != '?')
		return 0;
	if ((q1 = strchr(p + 2, '?')) == NULL || q1[1] == '\0' ||
	    q1[2] != '?' || (q2 = strstr(q1 + 3, "?=")) == NULL)
		return 0;
	q3 = q1 + 3;
	n = (size_t)(q1 - (p + 2));
	if (n == 0 || n >= cslen || memchr(p + 2, ' ', n) != NULL)
		return 0;
	memcpy(charset, p + 2, n);
	charset[n] = '\0';
	charset[strcspn(charset, "*")] = '\0';	/* RFC 2231 language */
	*enc = (char)toupper((unsigned char)q1[1]);
	if (*enc != 'B' && *enc != 'Q')
		return 0;
	if (memchr(q3, ' ', (size_t)(q2 - q3)) != NULL)
		return 0;
	*text = q3;
	*tlen = (size_t)(q2 - q3);
	*end = q2 + 2;
	return 1;
}

/* Append n bytes of charset converted to UTF-8. */
static int
words_append(struct buf *out, mime_words_conv conv, const char *charset,
    const char *p, size_t n)
{
	char *u;
	int rc;

	if (n == 0)
		return 0;
	if ((u = conv(charset, p, n)) == NULL)
		return -1;
	rc = buf_append(out, u, strlen(u));
	free(u);
	return rc;
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
 * A raw header value with its encoded words decoded: UTF-8, folding
 * undone, white space between two encoded words dropped (RFC 2047 6.2).
 * Malloc'd; NULL when out of memory.
 */
char *
mime_words_header(const char *raw, mime_words_conv conv)
{
	struct buf out = { NULL, 0, 0 }, bytes = { NULL, 0, 0 };
	const char *p = raw, *text, *end, *ws = NULL;
	char charset[64], enc, nul = '\0';
	size_t tlen, run;
	int after_word = 0;

	while (*p != '\0') {
		if (words_parse(p, charset, sizeof(charset), &enc, &text,
		    &tlen, &end)) {
			if (ws != NULL && !after_word &&
			    words_space(&out, ws, (size_t)(p - ws)) == -1)
				goto fail;
			bytes.len = 0;
			if (words_decode(enc, text, tlen, &bytes) == -1 ||
			    words_append(&out, conv, charset, bytes.data,
			    bytes.len) == -1)
				goto fail;
			p = end;
			ws = NULL;
			after_word = 1;
			continue;
		}
		if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') {
			if (ws == NULL)
				ws = p;
			p++;
			continue;
		}
		run = strcspn(p, " \t\r\n");
		if (run > 1 && (end = strstr(p, "=?")) != NULL &&
		    (size_t)(end - p) < run)
			run = (size_t)(end - p);
		if (run == 0)
			run = 1;
		if (ws != NULL && words_space(&out, ws, (size_t)(p - ws)) == -1)
			goto fail;
		if (words_append(&out, conv, NULL, p, run) == -1)
			goto fail;
		p += run;
		ws = NULL;
		after_word = 0;
	}
	buf_release(&bytes);
	if (buf_append(&out, &nul, 1) == -1)
		goto fail;
	/* leading white space of the raw value is not the subject's */
	for (tlen = 0; out.data[tlen] == ' ' || out.data[tlen] == '\t'; tlen++)
		;
	memmove(out.data, out.data + tlen, out.len - tlen);
	return out.data;
fail:
	buf_release(&bytes);
	buf_release(&out);
	return NULL;
}

struct words_part {
	const char	*value;
	size_t		 len;
	int		 extended;	/* name*N*= : percent-encoded */
};

/* One "name*...=value" parameter of a raw header: which part it is. */
static int
words_param(const char *name, size_t nlen, const char *param, size_t plen,
    int *index, int *extended)
{
	const char *p = name + plen + 1;
	char *e;

	if (nlen <= plen || strncasecmp(name, param, plen) != 0 ||
	    name[plen] != '*')
		return 0;
	*extended = name[nlen - 1] == '*';
	if (p >= name + nlen || *p == '*') {
		*index = 0;		/* name*= : one part, extended */
		return *extended;
	}
	*index = (int)strtol(p, &e, 10);
	return e > p && (e == name + nlen || (*e == '*' && e + 1 ==
	    name + nlen)) && *index >= 0 && *index < WORDS_MAX_PARTS;
}

/* The parameter value at p (quoted or a token); sets its bounds. */
static const char *
words_value(const char *p, const char **v, size_t *vlen)
{
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
 * The RFC 2231 value of parameter param (e.g. "filename") in a raw
 * header value, its continuations joined and percent-decoded: UTF-8,
 * malloc'd. NULL when the header has no such extended parameter (GMime's
 * reading then stands) or when out of memory.
 */
char *
mime_words_param(const char *raw, const char *param, mime_words_conv conv)
{
	struct words_part parts[WORDS_MAX_PARTS];
	struct buf bytes = { NULL, 0, 0 };
	char charset[64] = "", *result = NULL;
	const char *p = raw, *name, *v, *q;
	size_t nlen, vlen, plen = strlen(param);
	int i, idx, ext, found = 0;

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
		if (!words_param(name, nlen, param, plen, &idx, &ext))
			continue;
		parts[idx] = (struct words_part){ v, vlen, ext };
		found = 1;
	}
	if (!found || parts[0].value == NULL)
		return NULL;
	for (i = 0; i < WORDS_MAX_PARTS && parts[i].value != NULL; i++) {
		v = parts[i].value;
		vlen = parts[i].len;
		if (i == 0 && parts[0].extended &&
		    (q = memchr(v, '\'', vlen)) != NULL &&
		    (size_t)(q - v) < sizeof(charset)) {
			memcpy(charset, v, (size_t)(q - v));
			charset[q - v] = '\0';
			/* skip charset'language' */
			q = memchr(q + 1, '\'', vlen - (size_t)(q + 1 - v));
			if (q != NULL) {
				vlen -= (size_t)(q + 1 - v);
				v = q + 1;
			}
		}
		if ((parts[i].extended ? words_unhex(v, vlen, '%', &bytes) :
		    buf_append(&bytes, v, vlen)) == -1)
			goto done;
	}
	result = conv(charset[0] ? charset : NULL, bytes.data ? bytes.data :
	    "", bytes.len);
done:
	buf_release(&bytes);
	return result;
}
