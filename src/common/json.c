/*
 * json: strings as JSON text. Used by the analyzer's event log (unprivileged,
 * under its seccomp deny-list) and by spampot-report; no system calls.
 *
 * What a client sent can be any bytes: they come out as valid UTF-8 JSON,
 * every control character (C0, DEL and C1) escaped as \uXXXX, so a log
 * pipeline or a terminal never gets raw bytes from an attacker.
 */
#include "autoconf.h"

#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "json.h"

/* Length of the valid UTF-8 sequence at p (at most n bytes), 0 if none. */
static size_t
json_utf8_len(const unsigned char *p, size_t n)
{
	size_t len, i;
	unsigned cp;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4, cp = p[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	/* overlong forms, surrogates, beyond U+10FFFF */
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

int
json_string(struct buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run, len;
	char esc[8];

	if (buf_append(b, "\"", 1) == -1)
		return -1;
	while (i < n) {
		/* copy the longest run that needs no escape in one go */
		for (run = i; run < n && p[run] >= 0x20 && p[run] < 0x7f &&
		    p[run] != '"' && p[run] != '\\'; run++)
			;
		if (run > i && buf_append(b, s + i, run - i) == -1)
			return -1;
		if ((i = run) == n)
			break;
		if (p[i] == '"' || p[i] == '\\') {
			esc[0] = '\\';
			esc[1] = (char)p[i];
			len = 2;
		} else if (p[i] == '\n') {
			memcpy(esc, "\\n", len = 2);
		} else if (p[i] == '\r') {
			memcpy(esc, "\\r", len = 2);
		} else if (p[i] == '\t') {
			memcpy(esc, "\\t", len = 2);
		} else if (p[i] == 0) {
			memcpy(esc, "\xef\xbf\xbd", len = 3);
		} else if (p[i] < 0x20 || p[i] == 0x7f) {
			len = (size_t)snprintf(esc, sizeof(esc), "\\u%04x", p[i]);
		} else if ((len = json_utf8_len(p + i, n - i)) == 2 &&
		    p[i] == 0xc2 && p[i + 1] < 0xa0) {
			/* C1 controls: U+0080 to U+009F */
			len = (size_t)snprintf(esc, sizeof(esc), "\\u%04x",
			    p[i + 1]);
			if (buf_append(b, esc, len) == -1)
				return -1;
			i += 2;
			continue;
		} else if (len > 0) {
			if (buf_append(b, s + i, len) == -1)
				return -1;
			i += len;
			continue;
		} else {
			memcpy(esc, "\xef\xbf\xbd", len = 3);
		}
		if (buf_append(b, esc, len) == -1)
			return -1;
		i++;
	}
	return buf_append(b, "\"", 1);
}

int
json_cstr(struct buf *b, const char *s)
{
	if (s == NULL)
		return buf_append(b, "null", 4);
	return json_string(b, s, strlen(s));
}

int
json_key(struct buf *b, const char *key, int first)
{
	if (!first && buf_append(b, ",", 1) == -1)
		return -1;
	if (json_cstr(b, key) == -1)
		return -1;
	return buf_append(b, ":", 1);
}
