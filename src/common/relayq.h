/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * relayq: one file of the relay queue (spampot-relay(8)), written by the
 * analyzer for each probe it decided to relay and read by spampot-relay.
 * A few "key value" lines, values escaped as in the spool (no space, no
 * control byte), then exactly the bytes DATA is to send:
 *
 *	spampot-relay 1
 *	id 20261204T101010.123456Z_198.51.100.7_0123456789abcdef.1
 *	rule address
 *	client 198.51.100.7
 *	from sender@example.org
 *	rcpt probe@example.com
 *	size 1234
 *	<1234 bytes: the Received line, then the message as captured>
 *
 * Plain memory: no system call.
 */
#ifndef SPAMPOT_RELAYQ_H
#define SPAMPOT_RELAYQ_H

#include <stddef.h>
#include <sys/types.h>

struct buf;
struct config;

#define RELAYQ_MAGIC	"spampot-relay 1"
#define RELAYQ_ID_MAX	160
#define RELAYQ_ADDR_MAX	512

struct relayq_item {
	char		 id[RELAYQ_ID_MAX];	/* SPOOLNAME.N: a file name too */
	char		 rule[32];
	char		 client[64];
	char		 from[RELAYQ_ADDR_MAX];	/* "" for <> */
	char		 rcpt[RELAYQ_ADDR_MAX];
	const unsigned char *data;		/* into the buffer read */
	size_t		 size;
};

/* The outcome of a probe, spampot-relay's answer in done/ID:
 *
 *	spampot-relay-result 1
 *	id ID
 *	status sent|failed|expired|unknown|bad
 *	attempts N
 *	first T			(Unix times)
 *	last T
 *	code N			(the smarthost's last reply code, or 0)
 *	smarthost HOST:PORT
 *	reply TEXT		(escaped; may hold spaces)
 *	queue_id TEXT		(the smarthost's, or empty)
 *	error TEXT		(libcurl's, or empty)
 *	data N
 *	<N bytes: what DATA carried; 0 when the end of DATA never went out>
 */
#define RELAYQ_RESULT_MAGIC	"spampot-relay-result 1"
/* An outcome's size at most: its lines, and relay_max_size's largest
 * message (10 MiB) with its Received line. */
#define RELAYQ_RESULT_MAX	(10 * 1024 * 1024 + 16384)

struct relayq_result {
	char		 id[RELAYQ_ID_MAX];
	char		 status[16];
	unsigned	 attempts;
	long long	 first, last;
	long		 code;
	char		 smarthost[256];
	char		 reply[512];
	char		 queue_id[128];
	char		 error[256];
	const unsigned char *data;		/* into the buffer read */
	size_t		 size;
};

int	relayq_write(struct buf *, const struct relayq_item *);
int	relayq_result_write(struct buf *, const struct relayq_result *);
int	relayq_result_read(const unsigned char *p, size_t len,
	    struct relayq_result *, char *err, size_t errlen);
/* Parse a queue file; -1 with a reason in err when it is not one. */
int	relayq_read(const unsigned char *p, size_t len, struct relayq_item *,
	    char *err, size_t errlen);
/*
 * The queue's tree under relay_dir, made or set right (as root): tmp/ and
 * new/, where the analyzer (group GROUP) writes and spampot-relay takes;
 * cur/, where spampot-relay keeps what it is delivering (the analyzer
 * counts it); done/, the
 * outcomes it hands back to the analyzer; state/, its own. -1: err.
 */
int	relayq_prepare(const struct config *, gid_t group, char *err,
	    size_t errlen);
/* Is NAME a queue id (letters, digits, '.', '_', '-', ':'; no "..")? */
int	relayq_valid_id(const char *name);

#endif
