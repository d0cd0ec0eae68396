/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * import_cache: what the parse child found in an attachment (its real
 * type, its archive's members, the YARA rules that matched it and them),
 * kept by content for the next copies: spam sends the same attachment to
 * thousands, and typing, unpacking and scanning it again would find the
 * same. Keyed by the attachment's SHA-256, name and declared type (the
 * mismatch flag depends on them); an archive also by the password
 * candidates of its message's text (tried on what is encrypted in it).
 * Emptied when the YARA rules change.
 */
#ifndef SPAMPOT_IMPORT_CACHE_H
#define SPAMPOT_IMPORT_CACHE_H

#include <stddef.h>

struct import_cache;
struct inspect_result;
struct mime_attachment;
struct parsed_more;
struct parsed_yara;

/* The password candidates of a message's text. */
struct import_cache_pw {
	const char *const	*list;
	size_t			 n;
};

struct import_cache	*import_cache_new(void);
void			 import_cache_free(struct import_cache *);
void			 import_cache_flush(struct import_cache *);
/* A copy of attachment A, in a message with the password candidates PW,
 * seen before: what was found in it into IR (when not NULL) and its YARA
 * matches appended to MORE as attachment ATT's. 1 found, 0 not, -1 out
 * of memory. */
int	import_cache_get(struct import_cache *, const struct mime_attachment *a,
	    const struct import_cache_pw *pw, struct inspect_result *ir,
	    struct parsed_more *more, int att);
/* Keep what was found in A, tried with PW: IR (or NULL) and its N YARA
 * matches Y. */
void	import_cache_put(struct import_cache *, const struct mime_attachment *a,
	    const struct import_cache_pw *pw, const struct inspect_result *ir,
	    const struct parsed_yara *y, size_t n);

#endif
