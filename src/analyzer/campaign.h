/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * campaign: which campaign a message joins (analyzer). An index in memory
 * of every campaign's representative (its first message): by template
 * (the same normalised text), and by TLSH through an index of digest
 * bands, so that a message is compared with a few candidates and never
 * with every campaign. The same code assigns online and rebuilds.
 */
#ifndef SPAMPOT_CAMPAIGN_H
#define SPAMPOT_CAMPAIGN_H

#include <stddef.h>
#include <stdint.h>

struct campaign_params {
	unsigned	tlsh_distance;	/* joins at this TLSH distance or less */
	unsigned	domain_bonus;	/* ... plus this when a link domain is
					 * shared with the representative */
};

/* What a message brings to the match (simtext.h digests, and the
 * registrable domains of its links: lower case, distinct, sorted). */
struct campaign_key {
	const char		*template;	/* "" none */
	const char		*tlsh;		/* "" none */
	const char *const	*domains;
	size_t			 ndomains;
};

struct campaign_index;

struct campaign_index	*campaign_index_new(const struct campaign_params *);
void			 campaign_index_free(struct campaign_index *);
/* The campaign KEY joins: its id, or 0 when it starts a new one (also
 * when it has neither template nor digest: no campaign). */
uint64_t		 campaign_index_match(const struct campaign_index *,
			    const struct campaign_key *);
/* Campaign ID with KEY as its representative (copied). 0, -1 no memory. */
int			 campaign_index_add(struct campaign_index *,
			    uint64_t id, const struct campaign_key *);
/* A template seen in campaign ID: later copies of it join at once. */
int			 campaign_index_template(struct campaign_index *,
			    uint64_t id, const char *template);
size_t			 campaign_index_count(const struct campaign_index *);

#endif
