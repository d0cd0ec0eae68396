/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * import_wire: one parse result (struct import_file) as bytes, from the
 * analyzer's parse child to the analyzer. The child encodes; the analyzer
 * decodes and trusts nothing of it: the child reads attacker bytes and
 * may be compromised, so every length and count is checked against the
 * frame, every fixed-size field against its size, every hash for hex.
 */
#ifndef SPAMPOT_IMPORT_WIRE_H
#define SPAMPOT_IMPORT_WIRE_H

#include <stddef.h>

#include "buf.h"

struct import_file;

/* Frames larger than this are refused whatever the file's size. */
#define IMPORT_WIRE_MAX		((size_t)1 << 31)

/* What a frame carries besides the summary: attachment contents (for
 * the quarantine), and the first message's text and HTML parts when it is
 * at most IMPORT_WIRE_TEXTS_MAX bytes (for the relay's probe rules). */
#define IMPORT_WIRE_DATA	1
#define IMPORT_WIRE_TEXTS	2
#define IMPORT_WIRE_TEXTS_MAX	((size_t)10 * 1024 * 1024)

/* Append F as a frame's payload to B, with what FLAGS (IMPORT_WIRE_*)
 * asks for. 0, or -1 out of memory. */
int	import_wire_encode(struct buf *, const struct import_file *,
	    int flags);
/* A payload back into F (freed with import_file_clear). 0, or -1 with
 * ERR saying what was wrong with the frame (F is left empty). */
int	import_wire_decode(const void *, size_t, struct import_file *,
	    char *err, size_t errlen);

#endif
