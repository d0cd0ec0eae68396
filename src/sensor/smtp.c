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
#include <strings.h>
#include <time.h>

#include "conf.h"
#include "log.h"
#include "smtp_int.h"
#include "spool.h"
#include "spoolfmt.h"
#include "utf8.h"
#include "util.h"

struct smtp_session *
smtp_new(const struct config *cf, const char *id, struct spool_file *spool)
{
	struct smtp_session *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->cf = cf;
	if (cf->persona == NULL ||
	    (s->persona = persona_find(cf->persona)) == NULL)
		s->persona = persona_default();
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

/*
 * An error was answered: at max_errors the session ends. The soft error
 * delay follows from the count (smtp_hold_next).
 */
void
smtp_count_error(struct smtp_session *s)
{
	if (++s->errors >= s->cf->max_errors && s->ended == SMTP_END_NONE) {
		log_info("%s smtp limit errors=%u", s->id, s->errors);
		smtp_say(s, s->persona->too_many_errors, NULL);
		smtp_end_session(s, SMTP_END_LIMIT);
	}
}

/* A 4xx/5xx reply that counts towards max_errors. */
void
smtp_error(struct smtp_session *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	smtp_vreply(s, fmt, ap);
	va_end(ap);
	smtp_count_error(s);
}

/* A persona's reply text: "%h" is the host name, "%n" arg. */
void
smtp_say(struct smtp_session *s, const char *text, const char *arg)
{
	smtp_say3(s, text, arg, NULL, NULL);
}

/* With a second argument, "%m". */
void
smtp_say2(struct smtp_session *s, const char *text, const char *arg,
    const char *arg2)
{
	smtp_say3(s, text, arg, arg2, NULL);
}

/* With a message id too, "%i". */
void
smtp_say3(struct smtp_session *s, const char *text, const char *arg,
    const char *arg2, const char *id)
{
	char line[SMTP_REPLY_MAX];

	if (text == NULL) {
		/* a persona without a text a rule asked for: a bug, but
		 * not one a client may end the worker with */
		log_warn("%s smtp persona %s has no text here", s->id,
		    s->persona->name);
		text = s->persona->unknown;
	}
	persona_expand(line, sizeof(line), text, s->cf->hostname,
	    arg != NULL ? arg : "", arg2 != NULL ? arg2 : "",
	    id != NULL ? id : "");
	smtp_reply(s, "%s", line);
}

/* The same, for an error that counts. */
void
smtp_say_error(struct smtp_session *s, const char *text, const char *arg)
{
	smtp_say(s, text, arg);
	smtp_count_error(s);
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
	/* RSET or HELO between BDAT chunks: the message ends unfinished */
	if (s->in_bdat) {
		s->in_bdat = 0;
		smtp_record_message(s, ++s->messages, 1, NULL);
	}
	s->rcpts = 0;
	s->bdat_failed = 0;
	if (s->state & (SS_MAIL | SS_RCPT))
		smtp_set_state(s, SS_READY);
	smtp_exim_reset(s);
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
	const struct persona *p = s->persona;
	char date[64];

	if (s->cf->banner_set || !(p->flags & PF_BANNER_DATE))
		smtp_reply(s, "220 %s %s", s->cf->hostname,
		    s->cf->banner_set ? s->cf->banner : p->banner);
	else {
		struct timespec ts;

		/* clock_gettime, as util_utc_stamp: in the worker's
		 * allow-list on every architecture, unlike time() */
		clock_gettime(CLOCK_REALTIME, &ts);
		persona_banner_date(p, date, sizeof(date), (int64_t)ts.tv_sec);
		smtp_reply(s, "220 %s %s %s", s->cf->hostname, p->banner,
		    date);
	}
	if (s->cf->greeting_delay > 0)
		s->held_until = util_now_ms() + s->cf->greeting_delay;
}

/* Say the persona's text and end the session (a limit was reached). */
void
smtp_say_end(struct smtp_session *s, const char *text, enum smtp_end why)
{
	smtp_say(s, text, NULL);
	smtp_end_session(s, why);
}

/* Turn a new client away at once, in the persona's words. */
void
smtp_refuse(struct smtp_session *s, enum smtp_refusal why)
{
	const struct persona *p = s->persona;

	smtp_say_end(s, why == SMTP_REFUSE_PER_IP ? p->conn_per_ip :
	    p->conn_per_worker, SMTP_END_LIMIT);
}

/*
 * The line (with CRLF) that turns a client away when no session can be
 * made for it (no spool file): the configured persona's.
 */
void
smtp_unavailable(const struct config *cf, char *dst, size_t len)
{
	const struct persona *p = NULL;
	size_t n;

	if (cf->persona != NULL)
		p = persona_find(cf->persona);
	if (p == NULL)
		p = persona_default();
	if (len < 3) {
		if (len > 0)
			dst[0] = '\0';
		return;
	}
	persona_expand(dst, len - 2, p->unavailable, cf->hostname, "", "",
	    "");
	n = strlen(dst);
	memcpy(dst + n, "\r\n", 3);
}

/*
 * The session ends with input not read as commands: the client went away
 * in the middle of a line, or sent more after QUIT (or after Postfix's
 * 221 to an HTTP verb). What it sent is kept, up to max_command_line
 * bytes, recorded with the line end "none" ("long" when there was more).
 * Not after a limit: what a flood sent past its limit is what the limit
 * is there to drop.
 */
static void
smtp_keep_partial(struct smtp_session *s)
{
	size_t n = s->in.len - s->in_off;
	size_t max = s->cf->max_command_line;

	if (n == 0 || s->discarding ||
	    (s->ended != SMTP_END_NONE && s->ended != SMTP_END_QUIT) ||
	    s->input == SI_DATA || s->input == SI_BDAT)
		return;
	spool_transcript(s->spool, 'C', n > max ? "long" : "none",
	    s->in.data + s->in_off, n > max ? max : n);
	s->in_off = s->in.len;
}

/*
 * What the persona's MTA says when the session ends from outside; NULL
 * when it says nothing (the client went away). Exim words a timeout and
 * a shutdown differently inside a message.
 */
static const char *
smtp_close_text(const struct persona *p, enum smtp_end why, int in_data)
{
	const char *timeout = in_data && p->timeout_data != NULL ?
	    p->timeout_data : p->timeout;

	switch (why) {
	case SMTP_END_TIMEOUT:
		return timeout;
	case SMTP_END_LIMIT:
		return p->session_limit != NULL ? p->session_limit : timeout;
	case SMTP_END_SHUTDOWN:
		return in_data && p->shutdown_data != NULL ?
		    p->shutdown_data : p->shutdown;
	case SMTP_END_ERROR:
		return p->local_error;
	default:
		return NULL;
	}
}

/*
 * The session ends from outside: a timeout, a limit, shutdown, or the
 * client went away. An unfinished message is closed as such.
 */
void
smtp_close(struct smtp_session *s, enum smtp_end why)
{
	int in_data = s->input == SI_DATA || s->input == SI_BDAT ||
	    s->in_bdat;
	const char *text;

	smtp_keep_partial(s);
	if (s->in_bdat) {
		smtp_record_message(s, s->messages + 1, 1, NULL);
		s->in_bdat = 0;
	}
	if (s->input == SI_BDAT)
		smtp_set_input(s, SI_COMMAND);
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
	if ((text = smtp_close_text(s->persona, why, in_data)) != NULL)
		smtp_say(s, text, NULL);
	smtp_end_session(s, why);
}

/*
 * Split "VERB arg" in place; the verb is matched without case. With
 * "any" (Postfix's smtpd_token()) a tab or a bare CR ends it too.
 */
static char *
smtp_split_verb(char *text, int any)
{
	const char *ws = any ? " \t\r\n\v\f" : " ";
	char *sp = text + strcspn(text, ws);

	if (*sp == '\0')
		return sp;
	*sp++ = '\0';
	sp += strspn(sp, ws);
	return sp;
}

/*
 * Postfix's smtpd_forbidden_commands (3.7.11: CONNECT GET POST and
 * /^[^A-Z]/, a verb that is not a letter first) and is_header(): a web
 * client, or text that was smuggled past the end of a message.
 */
static int
smtp_is_http(const char *verb)
{
	size_t n = strlen(verb);

	return strcasecmp(verb, "GET") == 0 || strcasecmp(verb, "POST") == 0 ||
	    strcasecmp(verb, "CONNECT") == 0 || (n > 1 && verb[n - 1] == ':') ||
	    (n > 0 && !isalpha((unsigned char)verb[0]));
}

/* The state a command is judged in: HELO is optional for some MTAs. */
enum smtp_state
smtp_effective_state(const struct smtp_session *s)
{
	if (s->state == SS_CONNECTED &&
	    !(s->persona->flags & PF_HELO_REQUIRED))
		return SS_READY;
	return s->state;
}

static void
smtp_out_of_sequence(struct smtp_session *s, const struct smtp_command *cmd)
{
	const char *text = NULL;

	/* Exim: DATA without a recipient says what the RCPTs got */
	if ((s->persona->flags & PF_EXIM_RULES) &&
	    strcasecmp(cmd->verb, "DATA") == 0) {
		smtp_exim_no_rcpt(s, "DATA");
		return;
	}
	/* Exim asks for HELO before MAIL only; RCPT and DATA say why not */
	if (smtp_effective_state(s) == SS_CONNECTED &&
	    !((s->persona->flags & PF_EXIM_RULES) && cmd->oos != 0 &&
	    strcasecmp(cmd->verb, "MAIL") != 0))
		text = strcasecmp(cmd->verb, "AUTH") == 0 ?
		    s->persona->auth_need_helo : s->persona->need_helo;
	else if (strcasecmp(cmd->verb, "DATA") == 0 && s->bdat_failed)
		text = s->persona->data_in_bdat;
	else if (strcasecmp(cmd->verb, "DATA") == 0 && s->state == SS_MAIL &&
	    s->persona->no_valid_rcpt != NULL)
		text = s->persona->no_valid_rcpt;
	else if (cmd->oos != 0)
		text = *(const char *const *)(const void *)
		    ((const char *)s->persona + cmd->oos);
	smtp_say_error(s, text != NULL ? text : s->persona->need_helo, NULL);
}

/* A verb the persona's MTA does not know; past its limit, the end. */
static void
smtp_unknown(struct smtp_session *s)
{
	const struct persona *p = s->persona;

	if (p->max_unknown > 0 && s->unknown++ >= p->max_unknown) {
		log_info("%s smtp limit unknown=%u", s->id, s->unknown);
		smtp_say(s, p->too_many_unknown, NULL);
		smtp_end_session(s, SMTP_END_LIMIT);
		return;
	}
	smtp_say_error(s, p->unknown, NULL);
}

/* An empty command: an unknown one for some MTAs. */
static void
smtp_empty_line(struct smtp_session *s)
{
	if (s->persona->empty_line == NULL)
		smtp_unknown(s);
	else
		smtp_say_error(s, s->persona->empty_line, NULL);
}

static void
smtp_dispatch_line(struct smtp_session *s, struct smtp_line *line,
    const struct smtp_command **found)
{
	const struct persona *p = s->persona;
	const struct smtp_command *cmd;
	int exim = (p->flags & PF_EXIM_RULES) != 0;
	enum smtp_state st;
	char *arg;

	if (exim)
		smtp_exim_trim(line);
	if (line->len == 0) {
		if (!exim || !smtp_exim_unknown(s))
			smtp_empty_line(s);
		return;
	}
	if (memchr(line->text, '\0', line->len) != NULL) {
		if (p->nul != NULL) {
			smtp_say_error(s, p->nul, NULL);
			return;
		}
		/* Postfix: the command is what comes before the NUL */
		line->len = strlen(line->text);
		if (line->len == 0) {
			smtp_empty_line(s);
			return;
		}
	}
	if ((p->flags & PF_UTF8_COMMANDS) &&
	    utf8_prefix(line->text, line->len) != line->len) {
		smtp_say_error(s, p->bad_utf8, NULL);
		return;
	}
	arg = smtp_split_verb(line->text,
	    (p->flags & PF_VERB_ANY_SPACE) != 0);
	if ((cmd = smtp_command_find(s, line->text)) == NULL ||
	    (exim && !smtp_exim_verb_ok(cmd->verb, arg))) {
		if ((p->flags & PF_HTTP_GOODBYE) && smtp_is_http(line->text)) {
			smtp_say(s, p->http, NULL);
			smtp_end_session(s, SMTP_END_QUIT);
			return;
		}
		if (!exim || !smtp_exim_unknown(s))
			smtp_unknown(s);
		return;
	}
	*found = cmd;
	if (exim && smtp_exim_refuse(s, cmd, arg))
		return;
	st = smtp_effective_state(s);
	if (!(cmd->states & st)) {
		smtp_out_of_sequence(s, cmd);
		return;
	}
	if (cmd->check != NULL && !cmd->check(s, arg))
		return;
	cmd->act(s, arg);
}

void
smtp_dispatch(struct smtp_session *s, struct smtp_line *line)
{
	const struct smtp_command *cmd = NULL;
	int had_mail = (s->state & (SS_MAIL | SS_RCPT)) != 0;
	size_t out = s->out.len;

	smtp_dispatch_line(s, line, &cmd);
	if (s->persona->flags & PF_EXIM_RULES)
		smtp_exim_after(s, cmd, had_mail, out);
}

/*
 * How long the next command waits. A tarpit answers one command at a
 * time, each after its delay. Postfix's smtpd_chat_reply() sleeps
 * smtpd_error_sleep_time before every reply, errors or not, while the
 * session's error count is at smtpd_soft_error_limit or above; the
 * count rises after an error's reply and is forgiven when a message is
 * accepted. So after the tenth error every reply waits, the first being
 * that to the eleventh command. Here the next command waits instead.
 */
void
smtp_hold_next(struct smtp_session *s)
{
	const struct persona *p = s->persona;
	uint64_t now = util_now_ms(), until = now;

	if (s->cf->reply_delay > 0)
		until = now + s->cf->reply_delay;
	if (p->soft_error_limit > 0 && s->errors >= p->soft_error_limit &&
	    now + p->error_sleep_ms > until)
		until = now + p->error_sleep_ms;
	if (until > now)
		s->held_until = until;
}

static void
smtp_take_line(struct smtp_session *s, struct smtp_line *line)
{
	spool_transcript(s->spool, 'C', line->eol, line->text, line->len);
	if (s->input == SI_COMMAND)
		smtp_dispatch(s, line);
	else
		smtp_auth_answer(s, line);
	smtp_hold_next(s);
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
	smtp_say_end(s, s->persona->too_many_commands, SMTP_END_LIMIT);
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
	    !s->tls_starting && s->held_until <= util_now_ms()) {
		if (s->input == SI_BDAT) {
			used = smtp_bdat_feed(s, s->in.data + s->in_off,
			    s->in.len - s->in_off, &done);
			s->in_off += used;
			if (done)
				smtp_bdat_done(s);
			continue;
		}
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
		/* what the client sent on without waiting (Exim asks) */
		s->pending = s->in.len - s->in_off - used;
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
	size_t room;

	if (s->ended != SMTP_END_NONE) {
		/* said goodbye: the rest is not read, only kept (one byte
		 * over max_command_line tells that there was more) */
		if (s->ended != SMTP_END_QUIT || s->discarding ||
		    s->input != SI_COMMAND)
			return 0;
		room = s->cf->max_command_line + 1;
		room = s->in.len - s->in_off >= room ? 0 :
		    room - (s->in.len - s->in_off);
		/* out of memory: only what would have been kept is lost */
		(void)buf_append(&s->in, p, n < room ? n : room);
		return 0;
	}
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

/*
 * How many times a rule of the persona found that the client had sent on
 * without waiting for an answer (Exim's synchronization checks): answers
 * that depend on how the input arrived, not only on what it was.
 */
unsigned
smtp_not_waited(const struct smtp_session *s)
{
	return s->not_waited;
}

unsigned
smtp_messages(const struct smtp_session *s)
{
	return s->messages;
}

/* The client's address, which Exim and Exchange name in their Hello. */
void
smtp_set_peer(struct smtp_session *s, const char *addr)
{
	snprintf(s->peer, sizeof(s->peer), "%s", addr);
}
