/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * store: the analyzer's MySQL side: one transaction per batch of spool
 * files, prepared statements only, idempotent by spool file name.
 */
#ifndef SPAMPOT_STORE_H
#define SPAMPOT_STORE_H

#include <stddef.h>
#include <stdint.h>

struct config;
struct parsed_session;

enum store_result {
	STORE_OK,		/* in the transaction (store_commit: committed) */
	STORE_DUPLICATE,	/* this spool file was imported before */
	STORE_RETRY,		/* the database is unavailable: try later */
	STORE_REJECTED,		/* the database refused the batch's rows
				 * (store_import: out of memory; the
				 * filling batch was dropped) */
	STORE_LOST,		/* the server dropped the connection under
				 * the commit: away, or it would not take a
				 * file of the batch (store_commit only) */
};

struct store;

struct store	*store_open(const struct config *, const char *password,
		    char *err, size_t errlen);
void		 store_close(struct store *);
/* A parsed (and enriched) spool file into the filling batch. */
enum store_result store_import(struct store *, const struct parsed_session *,
		    char *err, size_t errlen);
/* A batch is committed while the next one is filled: store_commit_start
 * hands the filling batch to the commit thread, store_commit_wait gives
 * its result (one commit at a time). store_commit: both. */
void		 store_commit_start(struct store *);
enum store_result store_commit_wait(struct store *, char *err, size_t errlen);
enum store_result store_commit(struct store *, char *err, size_t errlen);

/* What conflicts with other writers (a deadlock, a lock wait timeout, a
 * Galera certification failure) cost a transaction, which is sent again
 * after each, a few times (store_retry.c): the tries it took, how many
 * of them a conflict undid, and the errors met, each once, in the order
 * met. */
#define STORE_CONFLICT_KINDS	4
struct store_tries {
	unsigned	 tries;
	unsigned	 conflicts;
	unsigned	 code[STORE_CONFLICT_KINDS];
	unsigned	 ncodes;
};
/* The tries of the commit store_commit_wait last gave the result of. */
void		 store_commit_tries(const struct store *,
		    struct store_tries *);
/* The errors of T as the log says them: "deadlock (1213), lock wait
 * timeout (1205)". */
const char	*store_retry_text(const struct store_tries *t, char *buf,
		    size_t len);

/* Drop the filling batch (its files are to be imported again). */
void		 store_discard(struct store *);
int		 store_ping(struct store *);
long		 store_schema_version(struct store *, char *err, size_t);
struct relay_limits;
/* What the relay limits look back on (relay_decide.h): the messages of
 * VERDICT decided in the last HORIZON seconds, and the copies of each
 * campaign seen in the last 30 days (with relay_per_campaign). -1: err
 * says why. */
int		 store_relay_history(struct store *, struct relay_limits *,
		    const char *verdict, long horizon, char *err, size_t);
struct relayq_result;
/* spampot-relay's outcome of a probe as its relay_deliveries row, in a
 * transaction of its own (no batch may be committing). -1: err. */
int		 store_relay_outcome(struct store *,
		    const struct relayq_result *, char *err, size_t);

struct campaign_index;
/* Every campaign's representative and every template seen, in the order
 * they were made, into IDX (store_campaign.c). -1: err. */
int		 store_campaign_load(struct store *, struct campaign_index *,
		    char *err, size_t);

/* Every campaign made again from the messages with a digest, in the
 * order they were imported, in one transaction (store_campaign.c), sent
 * again after a conflict (*tries). ASSIGN: a message's campaign (0:
 * none), whether it made it, and its link domains (space-separated) from
 * its digests and URL hosts (space-separated); with TEMPLATE NULL, the
 * transaction starts (again): every campaign assigned is forgotten.
 * -1: err. */
typedef int (*store_campaign_fn)(void *arg, const char *template,
		    const char *tlsh, const char *ssdeep, const char *hosts,
		    uint64_t *id,
		    int *created, char *domains, size_t domainslen);
int		 store_campaign_rebuild(struct store *, store_campaign_fn,
		    void *arg, unsigned long *messages,
		    unsigned long *campaigns, struct store_tries *tries,
		    char *err, size_t);

struct heartbeat_row;
/* SENSOR's heartbeat row (heartbeat.h), in a transaction of its own (no
 * batch may be committing; store_heartbeat.c). -1: err. */
int		 store_heartbeat(struct store *, const char *sensor,
		    const struct heartbeat_row *, char *err, size_t);

/* The schema this analyzer writes: sql/schema.sql's version. */
#define STORE_SCHEMA_VERSION	7

#endif
