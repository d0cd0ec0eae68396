/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * simtext: a message's text as its campaign sees it (analyzer's parse
 * child): the text and HTML parts as one text, with what varies from copy
 * to copy reduced to placeholders, and its digests: SHA-256 of it (the
 * template), TLSH and ssdeep.
 */
#ifndef SPAMPOT_SIMTEXT_H
#define SPAMPOT_SIMTEXT_H

#include <stddef.h>

struct mime_message;

#define SIMTEXT_TLSH_MAX	72	/* hex digits of a TLSH digest */
/* Recipients whose names become placeholders (the first ones): a text
 * greets a few, and a message to 200,000 would make a million names. */
#define SIMTEXT_RCPTS_MAX	1000
#define SIMTEXT_SSDEEP_MAX	148	/* libfuzzy's FUZZY_MAX_RESULT */

struct simtext_digest {
	char	template[65];	/* SHA-256 hex of the normalised text;
				 * "" when the message has no text */
	char	tlsh[SIMTEXT_TLSH_MAX + 1];	/* "" when too short or
						 * too uniform for TLSH */
	char	ssdeep[SIMTEXT_SSDEEP_MAX + 1];	/* "" when no text */
};

/* The normalised text of M (malloc'd, NUL-terminated, may be ""); the
 * recipients' local parts and names are placeholders too. NULL: no
 * memory. */
char	*simtext_normalize(const struct mime_message *m,
	    const char *const *rcpts, size_t nrcpts);
/* The digests of a normalised text. 0, or -1 out of memory. */
int	 simtext_digest(const char *text, size_t len, struct simtext_digest *);
/* TLSH distance of two hex digests (0: same); -1 when either is not one. */
int	 simtext_tlsh_distance(const char *a, const char *b);

#endif
