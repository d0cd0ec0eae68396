/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * base64: decoding (RFC 4648) for two readers of what a peer sent. The
 * sensor's workers decode AUTH PLAIN and LOGIN responses with it inside
 * their seccomp filter, unprivileged, and the analyzer the "B" encoded
 * words of RFC 2047 headers in its parse child. Plain memory only: no
 * allocation, no system call, no library, so the worker's allow-list
 * need not know it is there.
 *
 * Two sets of rules, one loop. Strict (AUTH, RFC 4954): the length a
 * multiple of four, at most two '=' and only at the very end, nothing
 * outside the alphabet. Lenient (BASE64_LENIENT, encoded words): any
 * byte outside the alphabet, '=' included, is skipped, and bits left
 * over at the end are dropped.
 */
#include "autoconf.h"

#include "base64.h"

static int
base64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/*
 * Decode len bytes at in into out, which has room for
 * BASE64_DECODED_SIZE(len) bytes; the result is NUL-terminated. Returns
 * its length, or -1 when strict rules refuse the input (never when
 * lenient).
 */
long
base64_decode(const char *in, size_t len, unsigned char *out, int flags)
{
	size_t i, o = 0;
	unsigned acc = 0;
	int bits = 0, v;

	if (!(flags & BASE64_LENIENT)) {
		if (len % 4 != 0)
			return -1;
		for (i = 0; i < 2 && len > 0 && in[len - 1] == '='; i++)
			len--;
	}
	for (i = 0; i < len; i++) {
		if ((v = base64_value((unsigned char)in[i])) < 0) {
			if (flags & BASE64_LENIENT)
				continue;
			return -1;
		}
		acc = acc << 6 | (unsigned)v;
		if ((bits += 6) >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(acc >> bits & 0xff);
		}
	}
	out[o] = '\0';
	return (long)o;
}

/*
 * Encode n bytes into out (room: BASE64_ENCODED_SIZE(n)), padded, NUL
 * terminated; the worker's AUTH challenges. Returns the length.
 */
size_t
base64_encode(const unsigned char *in, size_t n, char *out)
{
	static const char abc[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i, o = 0;
	unsigned long v;

	for (i = 0; i + 2 < n; i += 3) {
		v = (unsigned long)in[i] << 16 | (unsigned long)in[i + 1] << 8 |
		    in[i + 2];
		out[o++] = abc[v >> 18 & 63];
		out[o++] = abc[v >> 12 & 63];
		out[o++] = abc[v >> 6 & 63];
		out[o++] = abc[v & 63];
	}
	if (i < n) {
		v = (unsigned long)in[i] << 16 |
		    (i + 1 < n ? (unsigned long)in[i + 1] << 8 : 0);
		out[o++] = abc[v >> 18 & 63];
		out[o++] = abc[v >> 12 & 63];
		out[o++] = i + 1 < n ? abc[v >> 6 & 63] : '=';
		out[o++] = '=';
	}
	out[o] = '\0';
	return o;
}
