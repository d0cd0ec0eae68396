/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * import_more: what the analyzer's parse child finds in a message besides
 * MIME and the counted values (parsed.h's parsed_more): the campaign
 * digests of its text, what each attachment and archive member really
 * is, and the YARA rules that match the message, its attachments and
 * their members. Runs in the parse child only, under its sandbox.
 */
#ifndef SPAMPOT_IMPORT_MORE_H
#define SPAMPOT_IMPORT_MORE_H

#include "import.h"

struct import_cache;
struct inspect_ctx;
struct yara_rules;

/* The parse child's tools: libmagic's database loaded, YARA's rules,
 * what it found in attachments seen before. */
struct import_tools {
	const struct import_opts	*opts;
	struct inspect_ctx		*insp;	/* NULL: opts->inspect off */
	struct yara_rules		*rules;	/* NULL: none */
	struct import_cache		*cache;	/* NULL: none */
};

/* Fill MORE for message SM, walked as M. 0, or -1 out of memory. */
int	import_more(const struct import_tools *, const struct spool_message *sm,
	    const struct mime_message *m, struct parsed_more *more);
/* Release what MORE holds; NATTS: its message's attachments. */
void	import_more_clear(struct parsed_more *more, size_t natts);

#endif
