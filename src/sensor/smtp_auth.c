/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * smtp_auth: AUTH PLAIN and AUTH LOGIN (RFC 4954) in the worker's SMTP
 * session. Any credentials are accepted; every attempt, complete or not,
 * is recorded in the spool with its user and password as decoded.
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base64.h"
#include "conf.h"
#include "log.h"
#include "smtp_int.h"
#include "spool.h"
#include "spoolfmt.h"
#include "util.h"

/* Record one attempt in the spool, and log it (the user escaped). */
static void
smtp_auth_record(struct smtp_session *s, const char *mech,
    const char *status, const char *user, size_t ulen, const char *pass,
    size_t plen, const char *authzid, size_t zlen)
{
	const struct spoolfmt_auth a = { mech, status, user, ulen, pass, plen,
	    authzid, zlen };
	char *u = smtp_escape(user, ulen, SPOOLFMT_ESC_SPACE);
	struct buf *b;

	if (u == NULL)
		return;
	if ((b = spool_record_begin(s->spool)) != NULL)
		spool_record_end(s->spool, spoolfmt_auth(b, &a));
	log_info("%s smtp auth mech=%s status=%s user=%s", s->id, mech,
	    status, u);
	free(u);
}

static void
smtp_auth_success(struct smtp_session *s)
{
	s->authenticated = 1;
	smtp_set_input(s, SI_COMMAND);
	smtp_say(s, s->persona->auth_ok, NULL);
}

/* An attempt that did not complete: record what there is, answer 501. */
static void
smtp_auth_fail(struct smtp_session *s, const char *mech, const char *why,
    const char *raw, size_t rawlen)
{
	const char *user = s->auth_user ? s->auth_user : "";
	struct buf *b;

	smtp_auth_record(s, mech, why, user, s->auth_user_len, "", 0, "", 0);
	if (raw != NULL && (b = spool_record_begin(s->spool)) != NULL)
		spool_record_end(s->spool, spoolfmt_auth_raw(b, raw, rawlen));
	free(s->auth_user);
	s->auth_user = NULL;
	s->auth_user_len = 0;
	smtp_set_input(s, SI_COMMAND);
	if (strcmp(why, "aborted") == 0)
		smtp_say_error(s, s->persona->auth_aborted, NULL);
	else
		smtp_say_error(s, s->persona->auth_bad_base64,
		    s->auth_initial ? "initial" : "continued");
}

/* PLAIN: base64 of "authzid NUL user NUL password". */
static void
smtp_auth_plain(struct smtp_session *s, const char *b64, size_t len)
{
	unsigned char *dec;
	const char *user, *pass;
	long n;

	if (len == 1 && b64[0] == '=')
		len = 0;	/* an empty initial response */
	if ((dec = malloc(BASE64_DECODED_SIZE(len))) == NULL) {
		smtp_close(s, SMTP_END_ERROR);
		return;
	}
	/* strict, with padding, as RFC 4954 asks */
	n = base64_decode(b64, len, dec, 0);
	user = n < 0 ? NULL : memchr(dec, '\0', (size_t)n);
	pass = user == NULL ? NULL :
	    memchr(user + 1, '\0', (size_t)n - (size_t)(user + 1 - (char *)dec));
	if (pass == NULL) {
		/* What could be decoded is kept: it is what was tried. */
		smtp_auth_fail(s, "PLAIN", n < 0 ? "bad-base64" : "malformed",
		    n < 0 ? b64 : (char *)dec, n < 0 ? len : (size_t)n);
		free(dec);
		return;
	}
	user++;
	pass++;
	smtp_auth_record(s, "PLAIN", "ok", user, (size_t)(pass - 1 - user),
	    pass, (size_t)n - (size_t)(pass - (char *)dec), (char *)dec,
	    (size_t)(user - 1 - (char *)dec));
	free(dec);
	smtp_auth_success(s);
}

/* LOGIN: the user name, then the password, each base64 on its own. */
static void
smtp_auth_login_step(struct smtp_session *s, const char *b64, size_t len)
{
	unsigned char *dec;
	long n;

	if ((dec = malloc(BASE64_DECODED_SIZE(len))) == NULL) {
		smtp_close(s, SMTP_END_ERROR);
		return;
	}
	if ((n = base64_decode(b64, len, dec, 0)) < 0) {
		smtp_auth_fail(s, "LOGIN", "bad-base64", b64, len);
		free(dec);
		return;
	}
	if (s->input != SI_AUTH_LOGIN_PASS) {
		/* Held raw until the password comes: both are recorded
		 * together. */
		free(s->auth_user);
		s->auth_user = (char *)dec;
		s->auth_user_len = (size_t)n;
		smtp_set_input(s, SI_AUTH_LOGIN_PASS);
		smtp_reply(s, "334 UGFzc3dvcmQ6");
		return;
	}
	smtp_auth_record(s, "LOGIN", "ok", s->auth_user, s->auth_user_len,
	    (char *)dec, (size_t)n, "", 0);
	free(dec);
	free(s->auth_user);
	s->auth_user = NULL;
	s->auth_user_len = 0;
	smtp_auth_success(s);
}

int
smtp_auth_check(struct smtp_session *s, char *arg)
{
	if (s->authenticated) {
		smtp_say_error(s, s->persona->auth_twice, NULL);
		return 0;
	}
	if (*arg == '\0') {
		smtp_error(s, "501 5.5.4 Syntax: AUTH mechanism");
		return 0;
	}
	return 1;
}

void
smtp_auth_act(struct smtp_session *s, char *arg)
{
	char *initial = strchr(arg, ' ');

	if (initial != NULL) {
		*initial++ = '\0';
		while (*initial == ' ')
			initial++;
	}
	s->auth_initial = initial != NULL && *initial != '\0';
	if (strcasecmp(arg, "PLAIN") == 0) {
		if (initial != NULL && *initial != '\0') {
			smtp_auth_plain(s, initial, strlen(initial));
			return;
		}
		smtp_set_input(s, SI_AUTH_PLAIN);
		smtp_reply(s, "334 ");
	} else if (strcasecmp(arg, "LOGIN") == 0) {
		smtp_set_input(s, SI_AUTH_LOGIN_USER);
		if (initial != NULL && *initial != '\0') {
			smtp_auth_login_step(s, initial, strlen(initial));
			return;
		}
		smtp_reply(s, "334 VXNlcm5hbWU6");
	} else {
		const struct spoolfmt_auth a = { arg, "unsupported", "", 0, "",
		    0, "", 0 };
		char *esc = smtp_escape(arg, strlen(arg), SPOOLFMT_ESC_SPACE);
		struct buf *b;

		if (esc != NULL) {
			if ((b = spool_record_begin(s->spool)) != NULL)
				spool_record_end(s->spool,
				    spoolfmt_auth(b, &a));
			log_info("%s smtp auth mech=%s status=unsupported", s->id,
			    esc);
		}
		free(esc);
		smtp_say_error(s, s->persona->auth_bad_mech, arg);
	}
}

/* A line sent in answer to a 334 challenge. */
void
smtp_auth_answer(struct smtp_session *s, struct smtp_line *line)
{
	const char *mech = s->input == SI_AUTH_PLAIN ? "PLAIN" : "LOGIN";

	s->auth_initial = 0;
	if (line->len == 1 && line->text[0] == '*') {
		smtp_auth_fail(s, mech, "aborted", NULL, 0);
		return;
	}
	if (s->input == SI_AUTH_PLAIN)
		smtp_auth_plain(s, line->text, line->len);
	else
		smtp_auth_login_step(s, line->text, line->len);
}
