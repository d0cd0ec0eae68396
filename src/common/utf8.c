/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * utf8: the one UTF-8 decoder of spampot; with it, turn any bytes into text
 * MySQL's utf8mb4 accepts, and cut such text to a column's size without
 * splitting a character. Used by the analyzer (MIME walk, extraction,
 * store, and JSON through json.c) and by spampot-report (its text, CSV,
 * HTML and SVG escapes); plain memory only, no system call.
 *
 * Well-formed sequences are those of Unicode's table 3-7: no overlong forms,
 * no surrogates, nothing above U+10FFFF. Each maximal ill-formed subpart
 * becomes one U+FFFD, as the Unicode standard recommends, and so does NUL,
 * which C strings and some clients cannot carry.
 */
#include "autoconf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

#define UTF8_REPLACEMENT	"\xef\xbf\xbd"
#define UTF8_REPLACEMENT_LEN	3

/*
 * Look at the sequence that starts p (n > 0 bytes left). Returns 1 when it is
 * a well-formed character (NUL included), with its code point in *cp; 0 when
 * not. *len is the number of bytes to step over either way: the
 * character's, or the maximal ill-formed subpart's.
 */
static int
utf8_scan(const unsigned char *p, size_t n, uint32_t *cp, size_t *len)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t need, i;

	*len = 1;
	*cp = p[0];
	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		need = 1, *cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		need = 2, *cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		need = 3, *cp = p[0] & 0x07;
	else
		return 0;
	/* The second byte's range rules out overlongs, surrogates, > 10FFFF. */
	if (p[0] == 0xe0)
		lo = 0xa0;
	else if (p[0] == 0xed)
		hi = 0x9f;
	else if (p[0] == 0xf0)
		lo = 0x90;
	else if (p[0] == 0xf4)
		hi = 0x8f;
	for (i = 1; i <= need; i++) {
		if (i >= n)
			return 0;
		if (i == 1 ? p[i] < lo || p[i] > hi : (p[i] & 0xc0) != 0x80)
			return 0;
		*cp = *cp << 6 | (p[i] & 0x3f);
		*len = i + 1;
	}
	return 1;
}

size_t
utf8_decode(const unsigned char *p, size_t n, uint32_t *cp)
{
	size_t len;

	if (n == 0 || !utf8_scan(p, n, cp, &len))
		return 0;
	return len;
}

/*
 * The length of the well-formed run that starts p (n bytes): up to the
 * first ill-formed sequence or NUL, or n. Most text is ASCII: it goes
 * eight bytes at a time while none has the high bit set or is NUL.
 */
static size_t
utf8_valid(const unsigned char *p, size_t n)
{
	const uint64_t lo = 0x0101010101010101ULL, hi = 0x8080808080808080ULL;
	size_t i = 0, len;
	uint32_t cp;
	uint64_t w;

	while (i < n) {
		while (n - i >= 8) {
			memcpy(&w, p + i, 8);
			/* a byte >= 0x80, or a zero byte: look closer */
			if ((w & hi) != 0 || ((w - lo) & ~w & hi) != 0)
				break;
			i += 8;
		}
		if (i == n || p[i] == '\0' || !utf8_scan(p + i, n - i, &cp,
		    &len))
			break;
		i += len;
	}
	return i;
}

char *
utf8_sanitize(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i, o, len;
	uint32_t cp;
	char *out, *shrunk;

	i = utf8_valid(p, n);
	if (n - i > (SIZE_MAX - 1 - i) / UTF8_REPLACEMENT_LEN)
		return NULL;
	/* valid: a copy; else room for the worst case after the valid run */
	if ((out = malloc(i + (n - i) * UTF8_REPLACEMENT_LEN + 1)) == NULL)
		return NULL;
	memcpy(out, s, i);
	if (i == n) {
		out[n] = '\0';
		return out;
	}
	o = i;
	while (i < n) {
		/* NUL scans as a character: C strings cannot carry it */
		if (utf8_scan(p + i, n - i, &cp, &len) && p[i] != '\0') {
			memcpy(out + o, p + i, len);
			o += len;
		} else {
			memcpy(out + o, UTF8_REPLACEMENT, UTF8_REPLACEMENT_LEN);
			o += UTF8_REPLACEMENT_LEN;
		}
		i += len;
	}
	out[o] = '\0';
	/* Give back what the worst case reserved; keeping it is no error. */
	if ((shrunk = realloc(out, o + 1)) != NULL)
		out = shrunk;
	return out;
}

/*
 * Stops at the end of s, at the last whole character within max bytes, or
 * at the first ill-formed sequence, so utf8_prefix(s, strlen(s)) ==
 * strlen(s) also tells that s is valid.
 */
size_t
utf8_prefix(const char *s, size_t max)
{
	return utf8_valid((const unsigned char *)s, strnlen(s, max));
}
