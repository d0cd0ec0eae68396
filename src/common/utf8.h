/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * utf8: decode UTF-8; make any bytes storable as utf8mb4 text.
 */
#ifndef SPAMPOT_UTF8_H
#define SPAMPOT_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* The well-formed character at p (n bytes left): its length, its code
 * point in *cp. 0 when there is none: overlong, surrogate, above U+10FFFF,
 * cut short, a stray byte, or n == 0. NUL is a character (U+0000). */
size_t	 utf8_decode(const unsigned char *p, size_t n, uint32_t *cp);
/* A malloc'd, NUL-terminated, valid UTF-8 copy of n bytes: every invalid
 * sequence (and NUL) becomes U+FFFD. NULL only when out of memory. */
char	*utf8_sanitize(const char *, size_t);
/* The longest prefix of valid UTF-8 s that fits in max bytes, cut at a
 * character boundary. */
size_t	 utf8_prefix(const char *s, size_t max);

#endif
