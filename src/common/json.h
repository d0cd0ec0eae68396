/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * json: JSON text for the analyzer's event log and spampot-report.
 */
#ifndef SPAMPOT_JSON_H
#define SPAMPOT_JSON_H

#include <stddef.h>

struct buf;

/* A JSON string of n bytes: quoted, escaped; a byte that is not part of
 * valid UTF-8, and NUL, become U+FFFD (as the database stores them). */
int	json_string(struct buf *, const char *, size_t);
/* A NUL-terminated string, or null for NULL. */
int	json_cstr(struct buf *, const char *);
/* "key": with the separator before it unless first. */
int	json_key(struct buf *, const char *key, int first);

#endif
