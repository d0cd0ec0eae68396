/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * campaign: which campaign a message joins (analyzer). An index in memory
 * of every campaign's representative (its first message): by template
 * (the same normalised text), by TLSH through an index of digest bands
 * and by ssdeep through an index of signature grams, so that a message
 * is compared with a few candidates and never with every campaign. The same code assigns online and rebuilds.
 *
 * The one way to use it, online and in a rebuild alike, for each message
 * in import order:
 *
 *	key = its simtext digests and its link domains;
 *	id = campaign_index_match(idx, &key);
 *	if (id == 0 && (key.template[0] != '\0' || key.tlsh[0] != '\0')) {
 *		id = the next new campaign id;
 *		campaign_index_add(idx, id, &key);
 *	}
 *	campaign_index_template(idx, id, key.template);
 *
 * The answers depend only on that sequence of calls (no time, address or
 * random number), so replaying the messages in the same order rebuilds
 * the same campaigns. A message joins, in this order: the campaign that
 * first had its template; else the representative nearest by TLSH among
 * at most 64 that share a digest band with it (newest first), within
 * tlsh_distance, or tlsh_distance + domain_bonus when they share a link
 * domain (ties: the lower id); else, when ssdeep_score is not 0, the
 * representative with the best ssdeep score (fuzzy_compare of the
 * normalised texts' signatures) of ssdeep_score or more, among the newest
 * 64 that can score above 0 (an index of their 7-character grams finds
 * every one; ties: the lower id); else none. Suggested parameters:
 * tlsh_distance 40, domain_bonus 20, ssdeep_score 20 (see campaign.c,
 * test_campaign.c and bench/campaigns/README.md).
 */
#ifndef SPAMPOT_CAMPAIGN_H
#define SPAMPOT_CAMPAIGN_H

#include <stddef.h>
#include <stdint.h>

struct campaign_params {
	unsigned	tlsh_distance;	/* joins at this TLSH distance or less */
	unsigned	domain_bonus;	/* ... plus this when a link domain is
					 * shared with the representative */
	unsigned	ssdeep_score;	/* joins at this ssdeep score (1-100)
					 * or more; 0: ssdeep not used */
};

/* What a message brings to the match (simtext.h digests, and the
 * registrable domains of its links: lower case, distinct, sorted). */
struct campaign_key {
	const char		*template;	/* "" none */
	const char		*tlsh;		/* "" none */
	const char		*ssdeep;	/* "" none */
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
