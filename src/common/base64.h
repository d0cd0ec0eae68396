/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * base64: the decoder of the worker's AUTH and of the analyzer's RFC 2047
 * encoded words.
 */
#ifndef SPAMPOT_BASE64_H
#define SPAMPOT_BASE64_H

#include <stddef.h>

/* Skip what is not in the alphabet (padding, white space, junk) and take
 * any length, as mail readers do with an encoded word. */
#define BASE64_LENIENT	1

/* Room base64_decode needs for n bytes of input, its NUL included. */
#define BASE64_DECODED_SIZE(n)	((n) * 3 / 4 + 1)

/* Room base64_encode needs for n bytes, its NUL included. */
#define BASE64_ENCODED_SIZE(n)	(((n) + 2) / 3 * 4 + 1)

long	base64_decode(const char *, size_t, unsigned char *, int flags);
size_t	base64_encode(const unsigned char *, size_t, char *);

#endif
