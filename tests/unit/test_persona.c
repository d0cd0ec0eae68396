/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * test_persona: the persona tables (src/sensor/persona.c) and the
 * replies a session takes from them where no golden dialogue reaches:
 * every text the command code needs is there in every persona, and each
 * persona words the end of a session (time-outs, shutdown, a local
 * error) and the refusal of a new client as its MTA does.
 * The dialogues themselves are tests/data/smtp (test_smtp).
 */
#include "autoconf.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "conf.h"
#include "persona.h"
#include "smtp.h"

#define SESSION_ID	"0123456789abcdef"

static const char *const persona_list[] = {
	"postfix-debian", "exim-debian", "exchange", "rfc821",
};
#define NPERSONAS	(sizeof(persona_list) / sizeof(persona_list[0]))

#define T(f)	{ #f, offsetof(struct persona, f) }

/* Texts every persona must have: the command code says them as they are. */
static const struct {
	const char	*name;
	size_t		 off;
} required[] = {
	T(unknown), T(need_helo), T(nested_mail), T(need_mail), T(need_rcpt),
	T(mail_ok), T(rcpt_ok), T(data_go), T(queued), T(rset_ok),
	T(noop_ok), T(quit), T(vrfy), T(not_implemented), T(line_too_long),
	T(bad_sender), T(bad_rcpt), T(unsupported_option), T(auth_ok),
	T(auth_fail), T(auth_aborted), T(auth_bad_base64), T(auth_bad_mech),
	T(auth_twice), T(auth_need_helo), T(auth_in_mail),
	T(starttls_ready), T(starttls_unavailable), T(starttls_not_offered),
	T(starttls_active), T(too_many_errors), T(bad_args), T(helo_syntax),
	T(mail_syntax), T(rcpt_syntax), T(auth_no_mech), T(too_many_rcpts),
	T(size_exceeded), T(mail_in_bdat), T(rcpt_in_bdat), T(data_in_bdat),
	T(bdat_syntax), T(timeout), T(shutdown), T(local_error),
	T(unavailable), T(too_many_messages), T(too_many_commands),
	T(conn_per_ip), T(conn_per_worker),
};

static const char *
text_at(const struct persona *p, size_t off)
{
	return *(const char *const *)(const void *)((const char *)p + off);
}

static void
test_tables_complete(void **state)
{
	const struct persona *p;
	size_t i, j;

	(void)state;
	for (i = 0; i < NPERSONAS; i++) {
		assert_non_null(p = persona_find(persona_list[i]));
		for (j = 0; j < sizeof(required) / sizeof(required[0]); j++)
			if (text_at(p, required[j].off) == NULL)
				fail_msg("%s: no %s", p->name,
				    required[j].name);
		/* texts a flag or another text asks for */
		if (!(p->flags & PF_STARTTLS_IN_MAIL))
			assert_non_null(p->starttls_in_mail);
		if (p->flags & PF_CHECK_PARAMS) {
			assert_non_null(p->param_ret);
			assert_non_null(p->param_notify);
			assert_non_null(p->param_size);
			assert_non_null(p->param_envid);
			assert_non_null(p->param_orcpt);
		}
		if (p->flags & PF_CHUNKING) {
			assert_non_null(p->bdat_ok);
			assert_non_null(p->bdat_queued);
		}
		if (p->etrn_need_helo != NULL || p->etrn_in_mail != NULL ||
		    p->etrn_syntax != NULL || p->etrn_bad_domain != NULL)
			assert_non_null(p->etrn);
	}
}

/* Nothing in a persona's texts is Postfix's but in Postfix's and rfc821. */
static void
test_no_postfix_words(void **state)
{
	static const char *const names[] = { "exim-debian", "exchange" };
	const struct persona *p;
	const char *t;
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		p = persona_find(names[i]);
		for (j = 0; j < sizeof(required) / sizeof(required[0]); j++) {
			t = text_at(p, required[j].off);
			if (strstr(t, "Error:") != NULL ||
			    strstr(t, "Syntax:") != NULL)
				fail_msg("%s %s: \"%s\" is Postfix's", p->name,
				    required[j].name, t);
		}
	}
}

static void
test_expand(void **state)
{
	char out[64];

	(void)state;
	persona_expand(out, sizeof(out), "250 %h %n %m <%i> 100%", "mx.test",
	    "a\x01" "b", "c", "d");
	assert_string_equal(out, "250 mx.test a?b c <d> 100%");
	persona_expand(out, 8, "%n", "", "0123456789", "", "");
	assert_string_equal(out, "0123456");
}

/*
 * Exchange names a message id in its queued reply: a version 4 GUID in
 * lower case, as .NET makes it; the same seed gives the same one. The
 * other personas have none.
 */
static void
test_message_id(void **state)
{
	const struct persona *ex = persona_find("exchange");
	char a[40], b[40];
	size_t i;

	(void)state;
	persona_message_id(ex, 42, a, sizeof(a));
	assert_int_equal(strlen(a), 36);
	for (i = 0; i < 36; i++)
		if (i == 8 || i == 13 || i == 18 || i == 23)
			assert_int_equal(a[i], '-');
		else
			assert_non_null(strchr("0123456789abcdef", a[i]));
	assert_int_equal(a[14], '4');
	assert_non_null(strchr("89ab", a[19]));
	persona_message_id(ex, 42, b, sizeof(b));
	assert_string_equal(a, b);
	persona_message_id(ex, 43, b, sizeof(b));
	assert_string_not_equal(a, b);
	persona_message_id(persona_find("postfix-debian"), 42, b, sizeof(b));
	assert_string_equal(b, "");
}

/* A session of persona p: greeted, then "in" fed; its output dropped. */
static struct smtp_session *
session(struct config *cf, const char *p, const char *extra, const char *in)
{
	char cftext[512], err[CONF_ERR_MAX];
	struct smtp_session *s;

	snprintf(cftext, sizeof(cftext), "hostname = mx.test\npersona = %s\n"
	    "%s", p, extra);
	if (conf_parse_buffer(cf, "t", cftext, strlen(cftext), err,
	    sizeof(err)) == -1)
		fail_msg("config: %s", err);
	assert_non_null(s = smtp_new(cf, SESSION_ID, NULL));
	smtp_greet(s);
	assert_int_equal(smtp_feed(s, in, strlen(in)), 0);
	buf_consume(smtp_output(s), smtp_output(s)->len);
	return s;
}

static void
assert_output(struct smtp_session *s, const char *want)
{
	struct buf *b = smtp_output(s);
	char got[1024];

	snprintf(got, sizeof(got), "%.*s", (int)b->len, b->data);
	if (strcmp(got, want) != 0)
		fail_msg("got \"%s\", want \"%s\"", got, want);
}

#define IN_DATA	"EHLO c.example\r\nMAIL FROM:<a@x.example>\r\n" \
	"RCPT TO:<r@y.example>\r\nDATA\r\nSubject: x\r\n"

/* How each persona's MTA words the end of a session it ends. */
static const struct {
	const char	*persona;
	enum smtp_end	 why;
	int		 in_data;
	const char	*reply;
} ends[] = {
	{ "postfix-debian", SMTP_END_TIMEOUT, 0,
	    "421 4.4.2 mx.test Error: timeout exceeded" },
	{ "postfix-debian", SMTP_END_TIMEOUT, 1,
	    "421 4.4.2 mx.test Error: timeout exceeded" },
	{ "postfix-debian", SMTP_END_LIMIT, 0,
	    "421 4.4.2 mx.test Error: session time limit exceeded" },
	{ "postfix-debian", SMTP_END_SHUTDOWN, 0,
	    "421 4.3.2 mx.test Service shutting down" },
	{ "postfix-debian", SMTP_END_ERROR, 0,
	    "421 4.3.0 mx.test Error: local error" },
	{ "exim-debian", SMTP_END_TIMEOUT, 0,
	    "421 mx.test: SMTP command timeout - closing connection" },
	{ "exim-debian", SMTP_END_TIMEOUT, 1,
	    "421 mx.test SMTP incoming data timeout - closing connection." },
	{ "exim-debian", SMTP_END_LIMIT, 0,
	    "421 mx.test: SMTP command timeout - closing connection" },
	{ "exim-debian", SMTP_END_LIMIT, 1,
	    "421 mx.test SMTP incoming data timeout - closing connection." },
	{ "exim-debian", SMTP_END_SHUTDOWN, 0,
	    "421 mx.test: Service not available - closing connection" },
	{ "exim-debian", SMTP_END_SHUTDOWN, 1,
	    "421 mx.test Service not available - SIGTERM or SIGINT received"
	    " - closing connection." },
	{ "exim-debian", SMTP_END_ERROR, 0,
	    "421 Temporary local problem - please try later" },
	{ "exchange", SMTP_END_TIMEOUT, 0,
	    "451 4.7.0 Timeout waiting for client input" },
	{ "exchange", SMTP_END_TIMEOUT, 1,
	    "451 4.7.0 Timeout waiting for client input" },
	{ "exchange", SMTP_END_LIMIT, 0, "421 4.4.1 Connection timed out" },
	{ "exchange", SMTP_END_SHUTDOWN, 0,
	    "421 4.3.2 Service not available" },
	{ "exchange", SMTP_END_ERROR, 1,
	    "421 4.3.2 System not accepting network messages" },
	{ "rfc821", SMTP_END_TIMEOUT, 0,
	    "421 4.4.2 mx.test Error: timeout exceeded" },
	{ "rfc821", SMTP_END_LIMIT, 1,
	    "421 4.4.2 mx.test Error: session time limit exceeded" },
	{ "rfc821", SMTP_END_SHUTDOWN, 0,
	    "421 4.3.2 mx.test Service shutting down" },
	{ "rfc821", SMTP_END_ERROR, 0,
	    "421 4.3.0 mx.test Error: local error" },
	{ "exchange", SMTP_END_RESET, 0, "" },
};

static void
test_session_ends(void **state)
{
	struct smtp_session *s;
	struct config cf;
	char want[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ends) / sizeof(ends[0]); i++) {
		s = session(&cf, ends[i].persona, "",
		    ends[i].in_data ? IN_DATA : "EHLO c.example\r\n");
		assert_int_equal(smtp_in_data(s), ends[i].in_data);
		smtp_close(s, ends[i].why);
		snprintf(want, sizeof(want), "%s%s", ends[i].reply,
		    ends[i].reply[0] != '\0' ? "\r\n" : "");
		assert_output(s, want);
		assert_int_equal(smtp_ended(s), ends[i].why);
		smtp_free(s);
		conf_clear(&cf);
	}
}

/* A new client turned away, and one no session could be made for. */
static const struct {
	const char	*persona;
	const char	*per_ip;
	const char	*per_worker;
	const char	*unavailable;
} refusals[] = {
	{ "postfix-debian",
	    "421 4.7.0 mx.test Error: too many connections from your address",
	    "421 4.7.0 mx.test Error: too many connections, try again later",
	    "421 4.3.2 mx.test Service not available, try again later" },
	{ "exim-debian",
	    "421 Too many concurrent SMTP connections from this IP address; "
	    "please try again later.",
	    "421 Too many concurrent SMTP connections; please try again "
	    "later.",
	    "421 Temporary local problem - please try later" },
	{ "exchange",
	    "421 4.3.2 The maximum number of concurrent connections has "
	    "exceeded a limit, closing transmission channel",
	    "421 4.3.2 The maximum number of concurrent server connections "
	    "has exceeded a limit, closing transmission channel",
	    "421 4.3.2 Service not available" },
	{ "rfc821",
	    "421 4.7.0 mx.test Error: too many connections from your address",
	    "421 4.7.0 mx.test Error: too many connections, try again later",
	    "421 4.3.2 mx.test Service not available, try again later" },
};

static void
test_refusals(void **state)
{
	struct smtp_session *s;
	struct config cf;
	char want[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++) {
		s = session(&cf, refusals[i].persona, "", "");
		smtp_refuse(s, SMTP_REFUSE_PER_IP);
		snprintf(want, sizeof(want), "%s\r\n", refusals[i].per_ip);
		assert_output(s, want);
		assert_int_equal(smtp_ended(s), SMTP_END_LIMIT);
		smtp_free(s);
		s = smtp_new(&cf, SESSION_ID, NULL);
		smtp_refuse(s, SMTP_REFUSE_PER_WORKER);
		snprintf(want, sizeof(want), "%s\r\n", refusals[i].per_worker);
		assert_output(s, want);
		smtp_free(s);
		smtp_unavailable(&cf, want, sizeof(want));
		assert_int_equal(strlen(want),
		    strlen(refusals[i].unavailable) + 2);
		assert_memory_equal(want, refusals[i].unavailable,
		    strlen(refusals[i].unavailable));
		assert_string_equal(want + strlen(want) - 2, "\r\n");
		conf_clear(&cf);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tables_complete),
		cmocka_unit_test(test_no_postfix_words),
		cmocka_unit_test(test_expand),
		cmocka_unit_test(test_message_id),
		cmocka_unit_test(test_session_ends),
		cmocka_unit_test(test_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
