/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * received: the Received: header line each persona's MTA writes at the top
 * of a message it accepts, which a relayed probe carries as the real MTA
 * would have sent it on. Made by the analyzer when it queues a probe; plain
 * memory, no system call.
 */
#ifndef SPAMPOT_RECEIVED_H
#define SPAMPOT_RECEIVED_H

#include <time.h>

struct buf;

struct received_fields {
	const char	*host;		/* ours (hostname) */
	const char	*helo;		/* the client's HELO/EHLO name */
	const char	*addr;		/* the client's address */
	const char	*queue_id;	/* the one the sensor gave */
	const char	*from;		/* envelope sender, without <> */
	const char	*rcpt;		/* the recipient */
	time_t		 when;		/* the message's arrival */
};

/* Append PERSONA's Received: line, CRLF-ended, to B. -1: no memory. */
int	received_line(struct buf *b, const char *persona,
	    const struct received_fields *);

#endif
