/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
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
#include "utf8.h"

int
json_string(struct buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run, len;
	uint32_t cp;
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
		} else if ((len = utf8_decode(p + i, n - i, &cp)) > 0 &&
		    cp < 0xa0) {
			/* C1 controls: U+0080 to U+009F */
			len = (size_t)snprintf(esc, sizeof(esc), "\\u%04x",
			    (unsigned)cp);
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
