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

/* Bytes in a charset (NULL: unknown) to malloc'd, valid UTF-8. */
typedef char *(*mime_words_conv)(const char *charset, const char *, size_t);

char	*mime_words_header(const char *raw, mime_words_conv);
char	*mime_words_param(const char *raw, const char *param, mime_words_conv);

#endif
