/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * smtp_cmd: the command table of the worker's SMTP session and its
 * check/act pairs. A check answers the error itself and returns 0; an
 * action does the work. The replies are those of a real, permissive MTA
 * that relays anything: every sender and recipient is accepted, nothing is
 * ever delivered.
 */
#include "autoconf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "log.h"
#include "smtp_int.h"
#include "spool.h"
#include "spoolfmt.h"
#include "util.h"

static int
smtp_check_no_arg(struct smtp_session *s, char *arg, const char *verb)
{
	if (*arg == '\0')
		return 1;
	smtp_error(s, "501 5.5.4 Syntax: %s", verb);
	return 0;
}

static int
smtp_check_helo(struct smtp_session *s, char *arg)
{
	if (*arg != '\0')
		return 1;
	smtp_error(s, "501 Syntax: HELO hostname");
	return 0;
}

static int
smtp_check_ehlo(struct smtp_session *s, char *arg)
{
	if (*arg != '\0')
		return 1;
	smtp_error(s, "501 Syntax: EHLO hostname");
	return 0;
}

static void
smtp_record_helo(struct smtp_session *s, const char *verb, const char *arg)
{
	char *esc = smtp_escape(arg, strlen(arg), SPOOLFMT_ESC_SPACE);
	struct buf *b;

	if (esc == NULL)
		return;
	if ((b = spool_record_begin(s->spool)) != NULL)
		spool_record_end(s->spool, spoolfmt_helo(b, verb, arg,
		    strlen(arg)));
	log_info("%s smtp %s=%s", s->id, verb[0] == 'E' ? "ehlo" : "helo",
	    esc);
	free(esc);
	smtp_reset_transaction(s);
	smtp_set_state(s, SS_READY);
}

static void
smtp_act_helo(struct smtp_session *s, char *arg)
{
	smtp_record_helo(s, "HELO", arg);
	smtp_reply(s, "250 %s", s->cf->hostname);
}

static void
smtp_act_ehlo(struct smtp_session *s, char *arg)
{
	smtp_record_helo(s, "EHLO", arg);
	smtp_reply(s, "250-%s", s->cf->hostname);
	smtp_reply(s, "250-PIPELINING");
	smtp_reply(s, "250-SIZE %llu",
	    (unsigned long long)s->cf->max_message_size);
	smtp_reply(s, "250-VRFY");
	if (smtp_tls_offered(s))
		smtp_reply(s, "250-STARTTLS");
	smtp_reply(s, "250-AUTH PLAIN LOGIN");
	smtp_reply(s, "250-AUTH=PLAIN LOGIN");
	smtp_reply(s, "250-ENHANCEDSTATUSCODES");
	smtp_reply(s, "250 8BITMIME");
}

struct smtp_path {
	const char	*addr;
	size_t		 addrlen;
	const char	*params;
};

/*
 * "FROM:<addr> params" or "TO:<addr> params", read without changing arg.
 * Lenient like a permissive MTA: case-insensitive keyword, spaces after
 * the colon, an address without angle brackets.
 */
static int
smtp_parse_path(const char *arg, const char *keyword, struct smtp_path *sp)
{
	size_t klen = strlen(keyword);
	const char *p, *end;

	if (strncasecmp(arg, keyword, klen) != 0)
		return -1;
	p = arg + klen;
	while (*p == ' ')
		p++;
	if (*p == '<') {
		if ((end = strchr(p, '>')) == NULL)
			return -1;
		sp->addr = p + 1;
		sp->addrlen = (size_t)(end - p - 1);
		end++;
	} else {
		if (*p == '\0')
			return -1;
		sp->addr = p;
		sp->addrlen = strcspn(p, " ");
		end = p + sp->addrlen;
	}
	while (*end == ' ')
		end++;
	sp->params = end;
	return 0;
}

/* SIZE=n in MAIL parameters over our limit? */
static int
smtp_size_too_big(const struct smtp_session *s, const char *params)
{
	const char *p = params;
	unsigned long long v;

	while (p != NULL && *p != '\0') {
		if (strncasecmp(p, "SIZE=", 5) == 0) {
			v = strtoull(p + 5, NULL, 10);
			return v > s->cf->max_message_size;
		}
		if ((p = strchr(p, ' ')) != NULL)
			p++;
	}
	return 0;
}

static int
smtp_check_mail(struct smtp_session *s, char *arg)
{
	struct smtp_path sp;

	if (s->messages >= s->cf->max_messages) {
		log_info("%s smtp limit messages=%u", s->id, s->messages);
		smtp_refuse(s, "421 4.7.0", "Error: too many messages in "
		    "this session", SMTP_END_LIMIT);
		return 0;
	}
	if (smtp_parse_path(arg, "FROM:", &sp) == -1) {
		smtp_error(s, "501 5.5.4 Syntax: MAIL FROM:<address>");
		return 0;
	}
	if (smtp_size_too_big(s, sp.params)) {
		smtp_error(s, "552 5.3.4 Message size exceeds fixed limit");
		return 0;
	}
	return 1;
}

static void
smtp_act_mail(struct smtp_session *s, char *arg)
{
	struct smtp_path sp;
	struct buf *b;

	smtp_parse_path(arg, "FROM:", &sp);
	if ((b = spool_record_begin(s->spool)) != NULL)
		spool_record_end(s->spool, spoolfmt_mail(b, sp.addr,
		    sp.addrlen, sp.params, strlen(sp.params)));
	smtp_set_state(s, SS_MAIL);
	smtp_reply(s, "250 2.1.0 Ok");
}

static int
smtp_check_rcpt(struct smtp_session *s, char *arg)
{
	struct smtp_path sp;

	if (smtp_parse_path(arg, "TO:", &sp) == -1 || sp.addrlen == 0) {
		smtp_error(s, "501 5.5.4 Syntax: RCPT TO:<address>");
		return 0;
	}
	if (s->rcpts >= s->cf->max_recipients) {
		smtp_error(s, "452 4.5.3 Error: too many recipients");
		return 0;
	}
	return 1;
}

static void
smtp_act_rcpt(struct smtp_session *s, char *arg)
{
	struct smtp_path sp;
	struct buf *b;

	smtp_parse_path(arg, "TO:", &sp);
	if ((b = spool_record_begin(s->spool)) != NULL)
		spool_record_end(s->spool, spoolfmt_rcpt(b, sp.addr,
		    sp.addrlen, sp.params, strlen(sp.params)));
	s->rcpts++;
	smtp_set_state(s, SS_RCPT);
	smtp_reply(s, "250 2.1.5 Ok");
}

static int
smtp_check_data(struct smtp_session *s, char *arg)
{
	return smtp_check_no_arg(s, arg, "DATA");
}

static void
smtp_act_data(struct smtp_session *s, char *arg)
{
	struct buf *b;

	memset(&s->data, 0, sizeof(s->data));
	s->data.dot = SD_BOL;
	if ((b = spool_record_begin(s->spool)) != NULL)
		spool_record_end(s->spool, spoolfmt_data(b, s->messages + 1));
	smtp_set_input(s, SI_DATA);
	smtp_reply(s, "354 End data with <CR><LF>.<CR><LF>");
}

/* A queue id like an MTA's, derived from the session id and message number. */
static void
smtp_queue_id(const struct smtp_session *s, char *dst, size_t len)
{
	uint64_t h = 1469598103934665603ULL;
	const char *p;

	for (p = s->id; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	h = (h ^ s->messages) * 1099511628211ULL;
	snprintf(dst, len, "%010llX",
	    (unsigned long long)(h & 0xffffffffffULL));
}

/* The ending "." arrived: the message is complete. */
void
smtp_data_done(struct smtp_session *s)
{
	struct smtp_data *d = &s->data;
	char qid[16];

	s->messages++;
	smtp_queue_id(s, qid, sizeof(qid));
	smtp_record_message(s, s->messages, d->too_big || d->line_cut, qid);
	log_info("%s smtp message n=%u size=%llu rcpts=%u queue_id=%s%s",
	    s->id, s->messages, (unsigned long long)d->size, s->rcpts, qid,
	    d->too_big ? " truncated=size" :
	    d->line_cut ? " truncated=line" : "");
	smtp_set_input(s, SI_COMMAND);
	smtp_reset_transaction(s);
	/* Never "queued" for a message that is not on disk. */
	if (s->spool != NULL && spool_flush(s->spool) == -1) {
		log_warn("%s spool write %s", s->id, spool_name(s->spool));
		smtp_close(s, SMTP_END_ERROR);
		return;
	}
	if (d->too_big)
		smtp_error(s, "552 5.3.4 Message size exceeds fixed limit");
	else
		smtp_reply(s, "250 2.0.0 Ok: queued as %s", qid);
	if (s->cf->reply_delay > 0)
		s->held_until = util_now_ms() + s->cf->reply_delay;
}

static int
smtp_check_rset(struct smtp_session *s, char *arg)
{
	return smtp_check_no_arg(s, arg, "RSET");
}

static void
smtp_act_rset(struct smtp_session *s, char *arg)
{
	struct buf *b;

	if ((b = spool_record_begin(s->spool)) != NULL)
		spool_record_end(s->spool, spoolfmt_rset(b));
	smtp_reset_transaction(s);
	smtp_reply(s, "250 2.0.0 Ok");
}

static void
smtp_act_noop(struct smtp_session *s, char *arg)
{
	smtp_reply(s, "250 2.0.0 Ok");
}

static void
smtp_act_quit(struct smtp_session *s, char *arg)
{
	smtp_reply(s, "221 2.0.0 Bye");
	smtp_end_session(s, SMTP_END_QUIT);
}

static int
smtp_check_vrfy(struct smtp_session *s, char *arg)
{
	if (*arg != '\0')
		return 1;
	smtp_error(s, "501 5.5.4 Syntax: VRFY address");
	return 0;
}

static int
smtp_check_expn(struct smtp_session *s, char *arg)
{
	if (*arg != '\0')
		return 1;
	smtp_error(s, "501 5.5.4 Syntax: EXPN mailing-list");
	return 0;
}

/* RFC 5321 3.5.3: 252, "cannot verify, will accept and attempt delivery". */
static void
smtp_act_vrfy(struct smtp_session *s, char *arg)
{
	char *esc = smtp_escape(arg, strlen(arg), 0);

	smtp_reply(s, "252 2.0.0 %s", esc ? esc : "");
	free(esc);
}

static void
smtp_act_help(struct smtp_session *s, char *arg)
{
	smtp_reply(s, "214 2.0.0 Commands: HELO EHLO MAIL RCPT DATA RSET "
	    "NOOP QUIT HELP VRFY EXPN AUTH");
}

/* SEND, SOML, SAML, TURN, and what we do not advertise. */
static void
smtp_act_not_implemented(struct smtp_session *s, char *arg)
{
	smtp_error(s, "502 5.5.1 Error: command not implemented");
}

static const struct smtp_command smtp_commands[] = {
	{ "HELO", SS_ANY, NULL, smtp_check_helo, smtp_act_helo },
	{ "EHLO", SS_ANY, NULL, smtp_check_ehlo, smtp_act_ehlo },
	{ "MAIL", SS_READY, "nested MAIL command", smtp_check_mail, smtp_act_mail },
	{ "RCPT", SS_MAIL | SS_RCPT, "need MAIL command", smtp_check_rcpt,
	    smtp_act_rcpt },
	{ "DATA", SS_RCPT, "need RCPT command", smtp_check_data,
	    smtp_act_data },
	{ "RSET", SS_ANY, NULL, smtp_check_rset, smtp_act_rset },
	{ "NOOP", SS_ANY, NULL, NULL, smtp_act_noop },
	{ "QUIT", SS_ANY, NULL, NULL, smtp_act_quit },
	{ "VRFY", SS_ANY, NULL, smtp_check_vrfy, smtp_act_vrfy },
	{ "EXPN", SS_ANY, NULL, smtp_check_expn, smtp_act_vrfy },
	{ "HELP", SS_ANY, NULL, NULL, smtp_act_help },
	{ "AUTH", SS_READY, "MAIL transaction in progress",
	    smtp_auth_check, smtp_auth_act },
	{ "SEND", SS_ANY, NULL, NULL, smtp_act_not_implemented },
	{ "SOML", SS_ANY, NULL, NULL, smtp_act_not_implemented },
	{ "SAML", SS_ANY, NULL, NULL, smtp_act_not_implemented },
	{ "TURN", SS_ANY, NULL, NULL, smtp_act_not_implemented },
	{ "STARTTLS", SS_ANY, NULL, smtp_tls_check, smtp_tls_act },
	{ "BDAT", SS_ANY, NULL, NULL, smtp_act_not_implemented },
	{ "ETRN", SS_ANY, NULL, NULL, smtp_act_not_implemented },
};

const struct smtp_command *
smtp_command_find(const char *verb)
{
	size_t i;

	for (i = 0; i < sizeof(smtp_commands) / sizeof(smtp_commands[0]); i++)
		if (strcasecmp(verb, smtp_commands[i].verb) == 0)
			return &smtp_commands[i];
	return NULL;
}
