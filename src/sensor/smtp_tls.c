/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * smtp_tls: STARTTLS (RFC 3207) in the worker's SMTP session (sandboxed,
 * unprivileged). The session only answers and asks: the worker (tls.c,
 * worker.c) runs the handshake once the 220 is out and calls
 * smtp_tls_started when it is complete. Input the client pipelined after
 * STARTTLS, in clear, is recorded and thrown away, never read as commands
 * of the protected session (the CVE-2011-0411 injection). After the
 * handshake the session starts over: EHLO again, STARTTLS no longer
 * offered, a second STARTTLS refused.
 */
#include "autoconf.h"

#include <stdlib.h>

#include "log.h"
#include "persona.h"
#include "smtp_int.h"
#include "spool.h"

/* The worker's hook: asked to start TLS once the 220 is sent; NULL when
 * this listener offers none (no certificate, "/plain", or "/tls"). */
void
smtp_set_tls(struct smtp_session *s, int (*start)(void *), void *arg)
{
	s->tls_start = start;
	s->tls_arg = arg;
}

int
smtp_tls_offered(const struct smtp_session *s)
{
	return s->tls_start != NULL && !s->tls_active;
}

int
smtp_tls_check(struct smtp_session *s, char *arg)
{
	if (s->tls_active) {
		smtp_say_error(s, s->persona->starttls_active, NULL);
		return 0;
	}
	if (s->tls_start == NULL) {
		smtp_say_error(s, s->persona->starttls_not_offered, NULL);
		return 0;
	}
	if (*arg != '\0') {
		smtp_say_error(s, s->persona->bad_args, "STARTTLS");
		return 0;
	}
	/* Postfix and Exchange start TLS and then forget the transaction */
	if ((s->state & (SS_MAIL | SS_RCPT)) &&
	    !(s->persona->flags & PF_STARTTLS_IN_MAIL)) {
		smtp_say_error(s, s->persona->starttls_in_mail, NULL);
		return 0;
	}
	return 1;
}

void
smtp_tls_act(struct smtp_session *s, char *arg)
{
	(void)arg;
	if (s->tls_start(s->tls_arg) == -1) {
		smtp_say_error(s, s->persona->starttls_unavailable, NULL);
		return;
	}
	smtp_say(s, s->persona->starttls_ready, NULL);
	s->tls_starting = 1;
}

/* What came after STARTTLS in clear: into the transcript, not read. */
void
smtp_tls_discard(struct smtp_session *s)
{
	size_t n = s->in.len - s->in_off;

	if (n == 0)
		return;
	spool_transcript(s->spool, 'C', "none", s->in.data + s->in_off, n);
	log_info("%s smtp starttls discarded=%zu bytes sent before the "
	    "handshake", s->id, n);
	s->in_off = s->in.len;
}

/* The handshake is complete: the session starts over (RFC 3207 4.2). */
void
smtp_tls_started(struct smtp_session *s)
{
	s->tls_starting = 0;
	s->tls_active = 1;
	s->in.len = s->in_off = 0;
	smtp_reset_transaction(s);
	smtp_set_input(s, SI_COMMAND);
	smtp_set_state(s, SS_CONNECTED);
	s->esmtp = 0;
	s->authenticated = 0;
	free(s->auth_user);
	s->auth_user = NULL;
	s->auth_user_len = 0;
}
