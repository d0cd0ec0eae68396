/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * relay_smtp: one delivery to the smarthost with libcurl's SMTP client
 * (STARTTLS when the smarthost offers it). Runs in spampot-relay, as
 * relay_user, under its sandbox (sandbox_relay): the smarthost's address
 * was resolved before, so libcurl never looks a name up.
 */
#ifndef SPAMPOT_RELAY_SMTP_H
#define SPAMPOT_RELAY_SMTP_H

#include <stddef.h>

struct relayq_item;

enum relay_outcome {
	RELAY_SENT,		/* the smarthost took it (2xx after DATA) */
	RELAY_TEMPFAIL,		/* not taken: try again later */
	RELAY_PERMFAIL,		/* refused for good (5xx) */
};

struct relay_smtp_result {
	enum relay_outcome	 outcome;
	long			 code;		/* the last reply's, or 0 */
	char			 reply[512];	/* the smarthost's last reply */
	char			 queue_id[128];	/* from it, when it names one */
	char			 error[256];	/* libcurl's, when it failed */
	int			 tls;		/* STARTTLS was taken */
	int			 committed;	/* the end of DATA may be out */
	int			 answered;	/* a reply came after it */
};

/* Called before the message's last bytes are handed to libcurl, which may
 * send the end of DATA as soon as it has them: from there on the outcome
 * is unknown until the reply. -1: nothing more is sent. */
typedef int (*relay_commit_fn)(void *);

int	relay_smtp_init(const char *smarthost, const char *helo, char *err,
	    size_t errlen);
void	relay_smtp_deliver(const struct relayq_item *, relay_commit_fn,
	    void *arg, long timeout_ms, struct relay_smtp_result *);
/* The port relay_smtp_init resolved: the only one the sandbox lets the
 * relay connect to. */
unsigned relay_smtp_port(void);

#endif
