/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * smtp: the session core run by the workers (sandboxed, unprivileged): the
 * input loop, the dispatcher over the command table (smtp_cmd.c), replies,
 * state changes and the end of a session. Remote input never reaches
 * fatal(): whatever a client sends ends, at worst, its own session.
 */
#include "autoconf.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "log.h"
#include "smtp_int.h"
#include "spool.h"
#include "spoolfmt.h"
#include "util.h"

#define SMTP_REPLY_MAX	512

struct smtp_session *
smtp_new(const struct config *cf, const char *id, struct spool_file *spool)
{
	struct smtp_session *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->cf = cf;
	s->spool = spool;
	snprintf(s->id, sizeof(s->id), "%s", id);
	s->state = SS_CONNECTED;
	s->input = SI_COMMAND;
	return s;
}

void
smtp_free(struct smtp_session *s)
{
	if (s == NULL)
		return;
	buf_release(&s->in);
	buf_release(&s->out);
	free(s->auth_user);
	free(s);
}

const char *
smtp_end_name(enum smtp_end e)
{
	static const char *const names[] = {
		"none", "quit", "timeout", "reset", "limit", "shutdown",
		"error",
	};

	return (size_t)e < sizeof(names) / sizeof(names[0]) ?
	    names[e] : "unknown";
}

/* A malloc'd escaped copy of peer bytes, for logs and replies. */
char *
smtp_escape(const char *p, size_t n, int flags)
{
	char *esc;

	if ((esc = malloc(SPOOLFMT_ESCAPED_MAX(n))) != NULL)
		spoolfmt_escape(esc, SPOOLFMT_ESCAPED_MAX(n), p, n, flags);
	return esc;
}

/*
 * The end of message n in the spool: complete with its queue id, or
 * incomplete (qid NULL) when the session ended inside DATA.
 */
void
smtp_record_message(struct smtp_session *s, unsigned n, int truncated,
    const char *qid)
{
	struct spoolfmt_message m;
	struct buf *b;

	memset(&m, 0, sizeof(m));
	m.n = n;
	m.size = s->data.size;
	m.stored = s->data.stored;
	m.truncated = truncated;
	m.bare_lf = s->data.bare_lf;
	m.incomplete = qid == NULL;
	if (qid != NULL)
		snprintf(m.queue_id, sizeof(m.queue_id), "%s", qid);
	if ((b = spool_record_begin(s->spool)) != NULL)
		spool_record_end(s->spool, spoolfmt_message(b, &m));
}

static void smtp_vreply(struct smtp_session *, const char *, va_list)
    __attribute__((format(printf, 2, 0)));

static void
smtp_vreply(struct smtp_session *s, const char *fmt, va_list ap)
{
	char line[SMTP_REPLY_MAX];
	int n;

	n = vsnprintf(line, sizeof(line) - 2, fmt, ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - 3)
		n = sizeof(line) - 3;
	spool_transcript(s->spool, 'S', NULL, line, (size_t)n);
	line[n++] = '\r';
	line[n++] = '\n';
	if (buf_append(&s->out, line, (size_t)n) == -1)
		smtp_end_session(s, SMTP_END_ERROR);
}

/* One reply line; multi-line replies call it once a line. */
void
smtp_reply(struct smtp_session *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	smtp_vreply(s, fmt, ap);
	va_end(ap);
}

/* A 4xx/5xx reply that counts towards max_errors. */
void
smtp_error(struct smtp_session *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	smtp_vreply(s, fmt, ap);
	va_end(ap);
	if (++s->errors >= s->cf->max_errors && s->ended == SMTP_END_NONE) {
		log_info("%s smtp limit errors=%u", s->id, s->errors);
		smtp_reply(s, "421 4.7.0 %s Error: too many errors",
		    s->cf->hostname);
		smtp_end_session(s, SMTP_END_LIMIT);
	}
}

/* Every change of state goes through here, so it can be traced. */
void
smtp_set_state(struct smtp_session *s, enum smtp_state st)
{
	if (s->state != st)
		log_debug("%s smtp state %#x -> %#x", s->id, s->state, st);
	s->state = st;
}

void
smtp_set_input(struct smtp_session *s, enum smtp_input in)
{
	if (s->input != in)
		log_debug("%s smtp input %d -> %d", s->id, s->input, in);
	s->input = in;
}

void
smtp_reset_transaction(struct smtp_session *s)
{
	s->rcpts = 0;
	if (s->state & (SS_MAIL | SS_RCPT))
		smtp_set_state(s, SS_READY);
}

/* The session is over: no more input is read once the output is out. */
void
smtp_end_session(struct smtp_session *s, enum smtp_end why)
{
	if (s->ended == SMTP_END_NONE)
		s->ended = why;
}

void
smtp_greet(struct smtp_session *s)
{
	smtp_reply(s, "220 %s %s", s->cf->hostname, s->cf->banner);
	if (s->cf->greeting_delay > 0)
		s->held_until = util_now_ms() + s->cf->greeting_delay;
}

/* Turn the client away at once (limits, shortage of spool space). */
void
smtp_refuse(struct smtp_session *s, const char *code, const char *text,
    enum smtp_end why)
{
	smtp_reply(s, "%s %s %s", code, s->cf->hostname, text);
	smtp_end_session(s, why);
}

/*
 * The session ends from outside: a timeout, a limit, shutdown, or the
 * client went away. An unfinished message is closed as such.
 */
void
smtp_close(struct smtp_session *s, enum smtp_end why)
{
	if (s->input == SI_DATA) {
		/* A line start that was waiting to tell "." from ".\r\n":
		 * what the client sent is kept as sent. */
		if (s->data.dot == SD_DOT || s->data.dot == SD_DOTCR) {
			size_t held = s->data.dot == SD_DOT ? 1 : 2;

			spool_body(s->spool, ".\r", held);
			s->data.size += held;
			s->data.stored += held;
		}
		smtp_record_message(s, s->messages + 1, 1, NULL);
		smtp_set_input(s, SI_COMMAND);
	}
	if (s->ended != SMTP_END_NONE)
		return;
	switch (why) {
	case SMTP_END_TIMEOUT:
		smtp_reply(s, "421 4.4.2 %s Error: timeout exceeded",
		    s->cf->hostname);
		break;
	case SMTP_END_LIMIT:
		smtp_reply(s, "421 4.4.2 %s Error: session time limit "
		    "exceeded", s->cf->hostname);
		break;
	case SMTP_END_SHUTDOWN:
		smtp_reply(s, "421 4.3.2 %s Service shutting down",
		    s->cf->hostname);
		break;
	case SMTP_END_ERROR:
		smtp_reply(s, "421 4.3.0 %s Error: local error",
		    s->cf->hostname);
		break;
	default:
		break;
	}
	smtp_end_session(s, why);
}

/* Split "VERB arg" in place; the verb is matched without case. */
static char *
smtp_split_verb(char *text)
{
	char *sp = strchr(text, ' ');

	if (sp == NULL)
		return text + strlen(text);
	*sp++ = '\0';
	while (*sp == ' ')
		sp++;
	return sp;
}

void
smtp_dispatch(struct smtp_session *s, struct smtp_line *line)
{
	const struct smtp_command *cmd;
	char *arg;

	if (line->len == 0) {
		smtp_error(s, "500 5.5.2 Error: bad syntax");
		return;
	}
	if (memchr(line->text, '\0', line->len) != NULL) {
		smtp_error(s, "500 5.5.2 Error: NUL byte in command");
		return;
	}
	arg = smtp_split_verb(line->text);
	if ((cmd = smtp_command_find(line->text)) == NULL) {
		smtp_error(s, "502 5.5.2 Error: command not recognized");
		return;
	}
	if (!(cmd->states & s->state)) {
		smtp_error(s, "503 5.5.1 Error: %s",
		    s->state == SS_CONNECTED ? "send HELO/EHLO first" :
		    cmd->out_of_sequence);
		return;
	}
	if (cmd->check != NULL && !cmd->check(s, arg))
		return;
	cmd->act(s, arg);
}

static void
smtp_take_line(struct smtp_session *s, struct smtp_line *line)
{
	spool_transcript(s->spool, 'C', line->eol, line->text, line->len);
	if (s->input == SI_COMMAND)
		smtp_dispatch(s, line);
	else
		smtp_auth_answer(s, line);
	/* A tarpit answers one command at a time, each after the delay. */
	if (s->cf->reply_delay > 0)
		s->held_until = util_now_ms() + s->cf->reply_delay;
}

/*
 * max_transcript: once the session's records (message text aside) reach
 * it, the next command is not read; the cut is recorded and the session
 * ends with a 421. What came before it (messages, AUTH, envelope) is in
 * the file already; what the client sent after it is not read. A flood
 * of pipelined commands ends here, not in a spool file of gigabytes.
 */
static int
smtp_transcript_full(struct smtp_session *s)
{
	uint64_t bytes = spool_record_bytes(s->spool);
	struct buf *b;

	if (bytes < s->cf->max_transcript)
		return 0;
	if ((b = spool_record_begin(s->spool)) != NULL)
		spool_record_end(s->spool, spoolfmt_cut(b, bytes));
	log_info("%s smtp limit transcript=%llu", s->id,
	    (unsigned long long)bytes);
	smtp_refuse(s, "421 4.7.0", "Error: too many commands",
	    SMTP_END_LIMIT);
	return 1;
}

/* Work through buffered input until it runs out, or we must wait. */
static void
smtp_process(struct smtp_session *s)
{
	struct smtp_line line;
	size_t used;
	int done, rc;

	/* What is processed is consumed once at the end, not line by line:
	 * a burst of pipelined commands costs one memmove, not one each. */
	while (s->in.len > s->in_off && s->ended == SMTP_END_NONE &&
	    s->held_until <= util_now_ms() && !s->tls_starting) {
		if (s->input == SI_DATA) {
			used = smtp_data_feed(s, s->in.data + s->in_off,
			    s->in.len - s->in_off, &done);
			s->in_off += used;
			if (done)
				smtp_data_done(s);
			continue;
		}
		if (smtp_transcript_full(s))
			break;
		rc = smtp_line_next(s, &line, &used);
		if (rc == 1)
			smtp_take_line(s, &line);
		s->in_off += used;
		if (rc == 0)
			break;
	}
	if (s->tls_starting)
		smtp_tls_discard(s);
	buf_consume(&s->in, s->in_off);
	s->in_off = 0;
	buf_trim(&s->in, 0);
}

/*
 * Write the session's buffered records (the worker decides when: see
 * worker.c). A spool that cannot take them ends the session with a 421.
 * Returns -1 when writing failed.
 */
int
smtp_spool_sync(struct smtp_session *s)
{
	if (s->spool == NULL || spool_flush(s->spool) == 0)
		return 0;
	if (s->ended == SMTP_END_NONE) {
		log_warn("%s spool write %s", s->id, spool_name(s->spool));
		smtp_close(s, SMTP_END_ERROR);
	}
	return -1;
}

/* Bytes from the client. Returns 0, or -1 when out of memory. */
int
smtp_feed(struct smtp_session *s, const char *p, size_t n)
{
	if (s->ended != SMTP_END_NONE)
		return 0;	/* said goodbye: the rest is not read */
	if (buf_append(&s->in, p, n) == -1) {
		smtp_close(s, SMTP_END_ERROR);
		return -1;
	}
	smtp_process(s);
	return 0;
}

/* Continue after a tarpit delay. */
void
smtp_resume(struct smtp_session *s)
{
	smtp_process(s);
}

struct buf *
smtp_output(struct smtp_session *s)
{
	return &s->out;
}

enum smtp_end
smtp_ended(const struct smtp_session *s)
{
	return s->ended;
}

int
smtp_in_data(const struct smtp_session *s)
{
	return s->input == SI_DATA;
}

uint64_t
smtp_held_until(const struct smtp_session *s)
{
	return s->held_until;
}

size_t
smtp_pending_input(const struct smtp_session *s)
{
	return s->in.len;
}

unsigned
smtp_messages(const struct smtp_session *s)
{
	return s->messages;
}
