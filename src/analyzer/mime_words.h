/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * mime_words: RFC 2047 and RFC 2231 decoding (analyzer only).
 */
#ifndef SPAMPOT_MIME_WORDS_H
#define SPAMPOT_MIME_WORDS_H

#include <stddef.h>

/*
 * Bytes in charset to malloc'd, valid UTF-8 (NULL: out of memory). A
 * charset of NULL means the bytes carry no label: then declared, the
 * charset the message or part declares for its text (or NULL), says what
 * they may be.
 */
typedef char *(*mime_words_conv)(const char *charset, const char *declared,
    const char *, size_t);

char	*mime_words_header(const char *raw, const char *declared,
	    mime_words_conv);
char	*mime_words_param(const char *raw, const char *param,
	    const char *declared, mime_words_conv);

#endif
