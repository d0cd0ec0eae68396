/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * smtp: one SMTP session as a pure state machine: bytes in, replies out,
 * records to the session's spool file. No sockets here; the worker moves
 * the bytes, so the unit tests can drive a session directly.
 */
#ifndef SPAMPOT_SMTP_H
#define SPAMPOT_SMTP_H

#include <stddef.h>
#include <stdint.h>

struct buf;
struct config;
struct spool_file;
struct smtp_session;

enum smtp_end {
	SMTP_END_NONE = 0,
	SMTP_END_QUIT,
	SMTP_END_TIMEOUT,
	SMTP_END_RESET,		/* the client went away */
	SMTP_END_LIMIT,
	SMTP_END_SHUTDOWN,
	SMTP_END_ERROR,		/* our side failed (spool write) */
};

/* Why a new client is turned away before its first command. */
enum smtp_refusal {
	SMTP_REFUSE_PER_IP,		/* max_sessions_per_ip */
	SMTP_REFUSE_PER_WORKER,		/* max_sessions_per_worker */
};

/*
 * STARTTLS: the worker offers it on a listener that has a certificate by
 * setting a hook. The hook is called when a client says STARTTLS in a
 * state where it may; it returns 0 when the handshake can start (the
 * session answers 220 and reads nothing more until smtp_tls_started()),
 * -1 when it cannot (454).
 */

struct smtp_session *smtp_new(const struct config *, const char *id,
		    struct spool_file *);
void		 smtp_free(struct smtp_session *);
void		 smtp_greet(struct smtp_session *);
void		 smtp_refuse(struct smtp_session *, enum smtp_refusal);
void		 smtp_unavailable(const struct config *, char *, size_t);
int		 smtp_feed(struct smtp_session *, const char *, size_t);
void		 smtp_resume(struct smtp_session *);
void		 smtp_close(struct smtp_session *, enum smtp_end);
int		 smtp_spool_sync(struct smtp_session *);
struct buf	*smtp_output(struct smtp_session *);
enum smtp_end	 smtp_ended(const struct smtp_session *);
int		 smtp_in_data(const struct smtp_session *);
uint64_t	 smtp_held_until(const struct smtp_session *);
size_t		 smtp_pending_input(const struct smtp_session *);
unsigned	 smtp_not_waited(const struct smtp_session *);
unsigned	 smtp_messages(const struct smtp_session *);
const char	*smtp_end_name(enum smtp_end);
void		 smtp_set_tls(struct smtp_session *, int (*start)(void *),
		    void *);
void		 smtp_set_peer(struct smtp_session *, const char *addr);
void		 smtp_tls_started(struct smtp_session *);

#endif
