/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * relay_decide: is a captured message a relay-test probe, and may it be
 * relayed now? The rules and limits of spampot-relay(8), applied by the
 * analyzer (unprivileged, under its deny-list) to each message it imports
 * while relay is dry-run or on. Plain memory: the limits' history is read
 * from the database at start (store_relay.c) and kept here.
 */
#ifndef SPAMPOT_RELAY_DECIDE_H
#define SPAMPOT_RELAY_DECIDE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "relayq.h"

struct config;
struct mime_message;
struct spool_session;

struct relay_decision {
	const char	*verdict;	/* not-probe, refused, dry-run, relay */
	const char	*rule;		/* the probe rule that matched, or NULL */
	const char	*reason;	/* the failed condition or the limit */
	char		 decided_at[32];
	char		 rcpt[256];	/* the first recipient */
	char		 domain[256];
	char		 campaign[65];
	char		 queue_id[RELAYQ_ID_MAX];	/* relay: its file */
};

struct relay_limits;

struct relay_limits *relay_limits_new(const struct config *);
void		 relay_limits_free(struct relay_limits *);
/* One message relayed (or, in dry-run, that would have been) AGE seconds
 * ago; and one message seen of a campaign. -1: no memory. */
int		 relay_limits_add(struct relay_limits *, long age,
		    const char *client, const char *rcpt, const char *domain,
		    const char *campaign);
int		 relay_limits_seen(struct relay_limits *, const char *campaign,
		    unsigned long n);

/*
 * The decision for message I of session S (its MIME parse M, its
 * campaign CAMPAIGN: campaign.h's id, 0 for none, when the subject's key
 * stands for it), made now.
 * QUEUED(ARG), when given, says how many probes wait in the relay queue;
 * it is asked only of a message the rules made a probe. A probe that may
 * go counts against the limits at once.
 */
void		 relay_decide(struct relay_limits *, const struct spool_session *,
		    size_t i, const struct mime_message *m, uint64_t campaign,
		    size_t (*queued)(void *), void *arg,
		    struct relay_decision *);
/* The campaign key of a subject (NULL: none): relay_decisions.campaign. */
void		 relay_campaign_key(const char *subject, char out[65]);

#endif
