/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * campaign_assign: the campaign of each message of a parsed file, as it
 * is imported (analyzer): its key (the parse child's digests and the
 * registrable domains of its links) matched in the campaign index
 * (campaign.c), which is loaded from the database at start and after the
 * database was away.
 */
#ifndef SPAMPOT_CAMPAIGN_ASSIGN_H
#define SPAMPOT_CAMPAIGN_ASSIGN_H

#include <stddef.h>
#include <stdint.h>

struct config;
struct import_file;
struct parsed_campaign;
struct store;
struct store_tries;

struct campaign_assign;

/* DISTANCE, BONUS, SSDEEP: the thresholds, or -1 for the
 * configuration's. */
struct campaign_assign *campaign_assign_new(const struct config *,
		    long distance, long bonus, long ssdeep);
void		 campaign_assign_free(struct campaign_assign *);
/* The index from the database, unless loaded already; after a rollback
 * campaign_assign_reset makes the next load read it again. -1 on error
 * (logged): campaigns wait. */
int		 campaign_assign_load(struct campaign_assign *, struct store *);
void		 campaign_assign_reset(struct campaign_assign *);
/* Every message of F: its campaign (f->s.nmsgs of them, freed with
 * campaign_assign_clear), or NULL out of memory. */
struct parsed_campaign *campaign_assign_file(struct campaign_assign *,
		    const struct import_file *f);
void		 campaign_assign_clear(struct parsed_campaign *, size_t n);
/* Every campaign made again from the messages with a digest, with the
 * thresholds of CA, in the order the messages were imported: what online
 * assignment would have made (store_campaign_rebuild; *tries: what
 * conflicts with other writers cost it). -1: err. */
int		 campaign_assign_rebuild(struct campaign_assign *,
		    struct store *, unsigned long *messages,
		    unsigned long *campaigns, struct store_tries *tries,
		    char *err, size_t errlen);
/* A campaign's id: the first 52 bits of its representative's template
 * (64 hex digits), never 0. */
uint64_t	 campaign_assign_id(const char *template);

#endif
