/*
 * utf8: make any bytes storable as utf8mb4 text.
 */
#ifndef SPAMPOT_UTF8_H
#define SPAMPOT_UTF8_H

#include <stddef.h>

/* A malloc'd, NUL-terminated, valid UTF-8 copy of n bytes: every invalid
 * sequence (and NUL) becomes U+FFFD. NULL only when out of memory. */
char	*utf8_sanitize(const char *, size_t);
/* The longest prefix of valid UTF-8 s that fits in max bytes, cut at a
 * character boundary. */
size_t	 utf8_prefix(const char *s, size_t max);

#endif
