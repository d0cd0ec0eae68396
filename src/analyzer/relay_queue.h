/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * relay_queue: the analyzer's side of the relay (spampot-relay(8)): a
 * decision for each message (relay_decide.c), logged; with relay = on, a
 * probe's queue file (relayq.h) written to relay_dir/tmp and moved to
 * new/ once its decision is committed. Runs in spampot-analyzer,
 * unprivileged, under its deny-list.
 */
#ifndef SPAMPOT_RELAY_QUEUE_H
#define SPAMPOT_RELAY_QUEUE_H

struct config;
struct import_file;
struct relay_decision;
struct store;

struct relay_queue;

/* NULL when relay = off; fatal when relay_dir cannot be used. */
struct relay_queue	*relay_queue_open(const struct config *);
void			 relay_queue_close(struct relay_queue *);
/* The limits' history, read once from the database; -1: try again. */
int			 relay_queue_load(struct relay_queue *, struct store *);
/* The decisions for every message of F, spool file NAME, in the
 * campaigns PC (f->s.nmsgs of them, or NULL); valid until the next call.
 * A probe to relay is written to tmp/ and its queue id put in ID (else
 * ID is ""). NULL: no memory. */
struct parsed_campaign;
const struct relay_decision *relay_queue_decide(struct relay_queue *,
			    const char *name, const struct import_file *f,
			    const struct parsed_campaign *pc, char *id,
			    size_t idlen);
/* spampot-relay's outcomes (done/) into the database, each then removed;
 * at most once a second. No batch may be committing. */
void			 relay_queue_outcomes(struct relay_queue *,
			    struct store *);
/* The probe ID: into new/ (its decision is committed) or away. */
void			 relay_queue_release(struct relay_queue *,
			    const char *id, int commit);

#endif
