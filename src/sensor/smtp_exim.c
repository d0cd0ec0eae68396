/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * smtp_exim: how Exim 4.96 (smtp_in.c and parse.c, as Debian 12 configures
 * it) judges a command, for the personas with PF_EXIM_RULES: the verbs
 * "MAIL FROM:" and "RCPT TO:" as one word, its HELO name check, the ESMTP
 * options it takes at the end of MAIL, its address parser's error texts,
 * "unexpected argument data", what it allows between BDAT chunks, what
 * it remembers of the RCPTs for a DATA without recipients, and its SMTP
 * synchronization check (a client that does not wait is dropped).
 * The texts are Exim's; the tests compare them with a real Exim
 * (tests/e2e/064-persona-exim.sh).
 */
#include "autoconf.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "log.h"
#include "persona.h"
#include "smtp_int.h"

#define EXIM_ADDR_ERR_MAX	160

/* Exim's own command words: "MAIL FROM:" and "RCPT TO:" are one verb. */
int
smtp_exim_verb_ok(const char *verb, const char *arg)
{
	if (strcasecmp(verb, "MAIL") == 0)
		return strncasecmp(arg, "FROM:", 5) == 0;
	if (strcasecmp(verb, "RCPT") == 0)
		return strncasecmp(arg, "TO:", 3) == 0;
	return 1;
}

/* Exim strips the white space (isspace(): a CR too) ending a command. */
void
smtp_exim_trim(struct smtp_line *line)
{
	while (line->len > 0 &&
	    isspace((unsigned char)line->text[line->len - 1]))
		line->text[--line->len] = '\0';
}

/*
 * check_helo(): an IPv4 or IPv6 literal in brackets, or letters, digits,
 * dots and hyphens only (helo_allow_chars is empty).
 */
int
smtp_exim_helo_ok(const char *arg)
{
	const char *p;
	unsigned a, b, c, d;
	char end;

	if (*arg == '\0')
		return 0;
	if (*arg == '[') {
		if (strncasecmp(arg, "[IPv6:", 6) == 0) {
			for (p = arg + 6; isxdigit((unsigned char)*p) ||
			    *p == ':' || *p == '.'; p++)
				;
			return p > arg + 6 && p[0] == ']' && p[1] == '\0';
		}
		return sscanf(arg, "[%3u.%3u.%3u.%3u%c", &a, &b, &c, &d,
		    &end) == 5 && end == ']' && a < 256 && b < 256 &&
		    c < 256 && d < 256 && strchr(arg, ']')[1] == '\0';
	}
	for (p = arg; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && *p != '.' && *p != '-')
			return 0;
	return 1;
}

/* RFC 822 specials and white space end an atom; '\' quotes a byte. */
static int
exim_atom_byte(unsigned char c)
{
	return c > ' ' && c != 0x7f && strchr("()<>@,;:\".[]", c) == NULL;
}

/* An atom or a quoted string at *p; its end, or NULL when there is none. */
static const char *
exim_word(const char *p)
{
	const char *start = p;

	if (*p == '"') {
		for (p++; *p != '\0' && *p != '"'; p++)
			if (*p == '\\' && p[1] != '\0')
				p++;
		return *p == '"' ? p + 1 : NULL;
	}
	/* '\\' is an atom byte too: a last one quotes nothing */
	while (*p != '\0' && exim_atom_byte((unsigned char)*p))
		p += *p == '\\' && p[1] != '\0' ? 2 : 1;
	return p > start ? p : NULL;
}

/*
 * The address between the brackets (or the whole argument: bare), n
 * bytes at a: a route "@a,@b:" is skipped, then local-part ["@" domain].
 * Returns NULL, or the error text of Exim's parser (in err). *domain:
 * one was there.
 */
static const char *
exim_mailbox(const char *a, size_t n, int bare, int *domain, char *err,
    size_t len)
{
	const char *end, *p, *w, *res = NULL;
	char *copy;

	*domain = 0;
	if ((copy = strndup(a, n)) == NULL)
		return "out of memory";
	p = copy;
	end = copy + n;
	if (*p == '@')
		p = (w = strchr(p, ':')) != NULL ? w + 1 : end;
	for (;;) {
		if ((w = exim_word(p)) == NULL) {
			res = "missing or malformed local part";
			break;
		}
		if (*w == '.') {
			p = w + 1;
			continue;
		}
		if (*w == '@') {
			*domain = 1;
			if (w[1] == '\0')
				res = "domain missing or malformed";
			else if (w[1] == '[' && !bare)
				/* allow_domain_literals, in <> only */
				res = "domain literals not allowed";
		} else if (*w != '\0' && bare && strchr(w, '<') == NULL)
			/* words of a phrase, and no "<address>" after them */
			res = "missing or malformed local part (expected word "
			    "or \"<\")";
		else if (*w != '\0') {
			snprintf(err, len, "\"@\" or \".\" expected after "
			    "\"%.*s\"", (int)(w - copy), copy);
			res = err;
		}
		break;
	}
	free(copy);
	return res;
}

/*
 * parse_extract_address(): an address over EXIM_EMAILADDR_MAX (256)
 * bytes, n at a (a route "@a,@b:" not shown), is refused.
 */
static const char *
exim_too_long(const char *a, size_t n, char *err, size_t len)
{
	const char *colon;

	if (n <= 256)
		return NULL;
	if (*a == '@' && (colon = memchr(a, ':', n)) != NULL)
		a = colon + 1;
	snprintf(err, len, "address is ridiculously long: %.64s...", a);
	return err;
}

/*
 * parse_extract_address(): the address in data, in angle brackets or
 * not, nothing after it. null_ok: "<>" is an address (a sender). Returns
 * NULL when it is good, else Exim's text for what is wrong.
 */
static const char *
exim_address(const char *data, int null_ok, int *domain, char *err,
    size_t len)
{
	const char *close, *rest, *res;

	*domain = 0;
	while (*data == ' ')
		data++;
	if (*data == '\0')
		return "empty address";
	if (*data != '<' && (close = strchr(data, '<')) != NULL) {
		/* "phrase <address>": the phrase is words and dots */
		for (rest = data; rest < close; )
			if (*rest == ' ' || *rest == '.')
				rest++;
			else if ((rest = exim_word(rest)) == NULL ||
			    rest > close)
				return "missing or malformed local part "
				    "(expected word or \"<\")";
		data = close;
	}
	if (*data != '<') {
		if ((res = exim_mailbox(data, strlen(data), 1, domain, err,
		    len)) != NULL)
			return res;
		return exim_too_long(data, strlen(data), err, len);
	}
	if ((close = strchr(data, '>')) == NULL)
		return "'>' missing at end of address";
	for (rest = close + 1; *rest == ' '; rest++)
		;
	if (*rest != '\0') {
		snprintf(err, len, "malformed address: %.32s may not follow "
		    "%.*s", rest, (int)(rest - data), data);
		return err;
	}
	if (close == data + 1)
		return null_ok ? NULL : "missing or malformed local part";
	if ((res = exim_mailbox(data + 1, (size_t)(close - data - 1), 0,
	    domain, err, len)) != NULL)
		return res;
	return exim_too_long(data + 1, (size_t)(close - data - 1), err, len);
}

/*
 * extract_option(): the last "NAME=VALUE" or "NAME" of data, cut off
 * (data is shortened); 0 when there is none.
 */
static int
exim_option(char *data, char **name, char **value)
{
	size_t n = strlen(data);
	char *v, *k;

	if (n == 0)
		return 0;
	v = data + n - 1;
	while (v > data && *v != '=' && *v != ' ') {
		if (*v == '"') {
			do
				v--;
			while (v > data && *v != '"');
			if (v <= data)
				return 0;
		}
		v--;
	}
	if (v <= data)
		return 0;
	k = v;
	if (*v == '=') {
		while (k > data && isalpha((unsigned char)k[-1]))
			k--;
		if (k <= data || k[-1] != ' ')
			return 0;
		k[-1] = '\0';
	} else
		k++;
	*v++ = '\0';
	*name = k;
	*value = v;
	return 1;
}

/* Undo exim_option for an option it does not know. */
static void
exim_option_put_back(char *name, char *value)
{
	if (value != name)
		value[-1] = '=';
	name[-1] = ' ';
}

/*
 * The options Exim takes at the end of MAIL (after EHLO). Answers and
 * returns 0 when one is refused; *size: the SIZE given, or 0.
 */
static int
exim_mail_options(struct smtp_session *s, char *data, unsigned long long *size)
{
	char *name, *value;

	*size = 0;
	while (s->esmtp && exim_option(data, &name, &value)) {
		if (strcasecmp(name, "SIZE") == 0 && value != name)
			*size = strtoull(value, NULL, 10);
		else if (strcasecmp(name, "BODY") == 0 && value != name) {
			if (strcasecmp(value, "7BIT") != 0 &&
			    strcasecmp(value, "8BITMIME") != 0) {
				smtp_error(s, "501 invalid data for BODY");
				return 0;
			}
		} else if (strcasecmp(name, "SMTPUTF8") == 0 &&
		    value == name) {
			smtp_error(s, "501 SMTPUTF8 used when not advertised");
			return 0;
		} else if (!((strcasecmp(name, "AUTH") == 0 ||
		    strcasecmp(name, "RET") == 0 ||
		    strcasecmp(name, "ENVID") == 0) && value != name) &&
		    !(strcasecmp(name, "PRDR") == 0 && value == name)) {
			exim_option_put_back(name, value);
			break;
		}
	}
	return 1;
}

/*
 * "501 ARG: ERROR", as Exim's synprot_error() words it (without ARG when
 * it is NULL); both hold what the client sent, made printable.
 */
static void
exim_address_error(struct smtp_session *s, const char *data,
    const char *err)
{
	char d[SMTP_REPLY_MAX], e[SMTP_REPLY_MAX];

	persona_expand(e, sizeof(e), "%n", "", err, "", "");
	if (data == NULL) {
		smtp_error(s, "501 %s", e);
		return;
	}
	persona_expand(d, sizeof(d), "%n", "", data, "", "");
	smtp_error(s, "501 %.200s: %s", d, e);
}

/* The client sent more before this command was answered (counted). */
static int
exim_sent_on(struct smtp_session *s)
{
	if (s->pending == 0)
		return 0;
	s->not_waited++;
	return 1;
}

/* The client sent on without waiting where Exim wants it to wait. */
static int
exim_sync_error(struct smtp_session *s)
{
	log_info("%s smtp limit sync pending=%zu", s->id, s->pending);
	smtp_reply(s, "554 SMTP synchronization error");
	smtp_end_session(s, SMTP_END_LIMIT);
	return 1;
}

/*
 * A good MAIL or RCPT after HELO (no PIPELINING offered) with more input
 * waiting: Exim checks that as the command is accepted.
 */
static int
exim_unpipelined(struct smtp_session *s)
{
	return !s->esmtp && exim_sent_on(s) && exim_sync_error(s);
}

/* MAIL FROM: after the checks of smtp_check_mail. */
int
smtp_exim_check_mail(struct smtp_session *s, const char *arg)
{
	char err[EXIM_ADDR_ERR_MAX], *data;
	unsigned long long size;
	const char *bad;
	int domain, ok = 0;

	for (arg += 5; *arg == ' '; arg++)
		;
	if (*arg == '\0') {
		smtp_say_error(s, s->persona->mail_syntax, NULL);
		return 0;
	}
	if ((data = strdup(arg)) == NULL)
		return 0;
	if (!exim_mail_options(s, data, &size))
		goto out;
	if (size > s->cf->max_message_size) {
		smtp_say_error(s, s->persona->size_exceeded, NULL);
		goto out;
	}
	if ((bad = exim_address(data, 1, &domain, err, sizeof(err))) != NULL)
		exim_address_error(s, data, bad);
	else
		ok = !exim_unpipelined(s);
out:
	free(data);
	return ok;
}

/*
 * RCPT TO: the options are DSN's, which Exim does not offer here: after
 * EHLO the last one is cut off and put back, the space before it last
 * (so "<a@b> X" becomes "<a@b>=X"), and the address is then bad.
 */
int
smtp_exim_check_rcpt(struct smtp_session *s, const char *arg)
{
	char err[EXIM_ADDR_ERR_MAX], *data, *name, *value;
	const char *bad;
	int domain;

	for (arg += 3; *arg == ' '; arg++)
		;
	if (*arg == '\0') {
		smtp_say_error(s, s->persona->rcpt_syntax, NULL);
		return 0;
	}
	if ((data = strdup(arg)) == NULL)
		return 0;
	if (s->esmtp && exim_option(data, &name, &value)) {
		name[-1] = ' ';
		value[-1] = '=';
	}
	if ((bad = exim_address(data, 0, &domain, err, sizeof(err))) != NULL)
		exim_address_error(s, data, bad);
	free(data);
	return bad == NULL && !exim_unpipelined(s);
}

/* VRFY: the address is parsed, then refused by the (default) ACL. */
static int
exim_vrfy(struct smtp_session *s, const char *arg)
{
	char err[EXIM_ADDR_ERR_MAX];
	const char *bad, *a = arg;
	int domain;

	if ((bad = exim_address(arg, 0, &domain, err, sizeof(err))) != NULL) {
		exim_address_error(s, NULL, bad);
		return 1;
	}
	if (*a == '<')
		a++;
	if (!domain && strncasecmp(a, "postmaster", 10) != 0) {
		exim_address_error(s, arg,
		    "recipient address must contain a domain");
		return 1;
	}
	return 0;
}

/*
 * A command Exim wants to come alone, read with more input waiting (the
 * client did not wait for the answer): "554 SMTP synchronization error"
 * and the end. Exim checks once the session's first DATA or BDAT is
 * over (before it, PIPECONNECT lets anything through), not between BDAT
 * chunks: HELO, EHLO, DATA, VRFY, EXPN, NOOP, ETRN, STARTTLS, unknown
 * verbs (verb NULL), and MAIL, RCPT and RSET unless PIPELINING was
 * offered (smtp_read_command()).
 */
static int
exim_out_of_step(struct smtp_session *s, const char *verb)
{
	static const char sync[] =
	    " HELO EHLO DATA VRFY EXPN NOOP ETRN STARTTLS ";
	static const char nopipe[] = " MAIL RCPT RSET ";
	char word[16];

	if (!s->exim.sync || s->in_bdat || s->rset_only)
		return 0;
	if (verb != NULL) {
		snprintf(word, sizeof(word), " %s ", verb);
		if (strstr(sync, word) == NULL &&
		    (s->esmtp || strstr(nopipe, word) == NULL))
			return 0;
	}
	return exim_sent_on(s) && exim_sync_error(s);
}

/*
 * Between BDAT chunks, what ends the chunk reader with an error (RSET,
 * BDAT without a size) makes Exim 4.96 as Debian 12 packages it crash
 * (SIGSEGV in the receiving process): the connection ends, unanswered.
 */
static void
exim_crash(struct smtp_session *s, const char *verb)
{
	log_info("%s smtp end as exim after %s between bdat chunks", s->id,
	    verb);
	smtp_end_session(s, SMTP_END_ERROR);
}

/*
 * BDAT: refused, nothing read, unless CHUNKING was offered (EHLO); one
 * without a size too. Before a recipient: answered once its chunk is
 * read and dropped. Between chunks, a chunk of none that is not the
 * last is refused, and only RSET (or QUIT) is taken then.
 */
static int
exim_bdat(struct smtp_session *s, const char *arg)
{
	unsigned long long n;
	char *end;

	if (!s->esmtp) {
		smtp_error(s, "503 BDAT command used when CHUNKING not "
		    "advertised");
		return 1;
	}
	if (!isdigit((unsigned char)*arg) && s->in_bdat) {
		exim_crash(s, "BDAT");
		return 1;
	}
	if (!isdigit((unsigned char)*arg)) {
		smtp_say_error(s, s->persona->bdat_syntax, NULL);
		return 1;
	}
	s->exim.sync = 1;
	n = strtoull(arg, &end, 10);
	while (*end == ' ')
		end++;
	if (s->in_bdat && n == 0 && strcasecmp(end, "LAST") != 0) {
		smtp_error(s, "504 zero size for BDAT command");
		s->rset_only = 1;
		return 1;
	}
	if (!(s->state & SS_RCPT) && !s->in_bdat) {
		smtp_exim_no_rcpt(s, "BDAT");
		smtp_bdat_expect(s, n, 0, "");
		return 1;
	}
	return 0;
}

/*
 * Between BDAT chunks: BDAT, NOOP and QUIT only (NOOP only when the
 * client waited for its answer, as Exim checks there); RSET:
 * exim_crash().
 */
static int
exim_in_bdat(struct smtp_session *s, const char *verb)
{
	if (strcmp(verb, "QUIT") == 0) {
		smtp_say(s, s->persona->quit, NULL);
		/* what Exim's message reader says when the input ends */
		smtp_reply(s, "421 Lost incoming connection");
		smtp_end_session(s, SMTP_END_QUIT);
		return 1;
	}
	if (strcmp(verb, "RSET") == 0) {
		exim_crash(s, "RSET");
		return 1;
	}
	if (strcmp(verb, "BDAT") == 0 ||
	    (strcmp(verb, "NOOP") == 0 && !exim_sent_on(s)))
		return 0;
	smtp_error(s, "503 only BDAT permissible after non-LAST BDAT");
	s->rset_only = 1;
	return 1;
}

/*
 * A verb Exim does not know: out of step, or between BDAT chunks, it
 * gets what any command gets there. Returns 1 when it answered.
 */
int
smtp_exim_unknown(struct smtp_session *s)
{
	if (exim_out_of_step(s, NULL))
		return 1;
	if (s->rset_only) {
		smtp_error(s, "503 only RSET accepted now");
		return 1;
	}
	if (s->in_bdat) {
		smtp_error(s, "503 only BDAT permissible after non-LAST BDAT");
		s->rset_only = 1;
		return 1;
	}
	return 0;
}

/*
 * DATA or BDAT with no recipient: when every RCPT got the same answer,
 * it is told again; then "Valid RCPT..." when the last command was a
 * RCPT and PIPELINING was offered (the client did not wait), else the
 * protocol error.
 */
void
smtp_exim_no_rcpt(struct smtp_session *s, const char *verb)
{
	s->exim.sync = 1;
	if (s->exim.rcpt_same && s->exim.rcpt_reply[0] != '\0') {
		smtp_reply(s, "503-All RCPT commands were rejected with this "
		    "error:");
		smtp_reply(s, "503-%s", s->exim.rcpt_reply);
	}
	if (s->esmtp && s->exim.last_rcpt)
		smtp_reply(s, "503 Valid RCPT command must precede %s", verb);
	else
		smtp_error(s, "503 valid RCPT command must precede %s", verb);
}

/* A new message (MAIL, RSET, HELO, STARTTLS, a message's end). */
void
smtp_exim_reset(struct smtp_session *s)
{
	s->exim.rcpt_reply[0] = '\0';
	s->exim.rcpt_same = 1;
}

/*
 * After each command: the first answer to each RCPT is kept, to tell
 * whether all of them got the same; and whether it was a RCPT after a
 * sender. out: where the command's answers begin in the output.
 */
void
smtp_exim_after(struct smtp_session *s, const struct smtp_command *cmd,
    int had_mail, size_t out)
{
	char line[sizeof(s->exim.rcpt_reply)];
	const char *p, *eol;
	size_t n;

	if (cmd != NULL && strcmp(cmd->verb, "MAIL") == 0 && !had_mail)
		smtp_exim_reset(s);
	s->exim.last_rcpt = cmd != NULL && strcmp(cmd->verb, "RCPT") == 0 &&
	    had_mail;
	if (cmd == NULL || strcmp(cmd->verb, "RCPT") != 0 ||
	    s->out.len <= out)
		return;
	p = (const char *)s->out.data + out;
	eol = memchr(p, '\r', s->out.len - out);
	n = eol != NULL ? (size_t)(eol - p) : s->out.len - out;
	snprintf(line, sizeof(line), "%.*s", (int)n, p);
	if (s->exim.rcpt_reply[0] == '\0')
		memcpy(s->exim.rcpt_reply, line, sizeof(line));
	else if (strcmp(s->exim.rcpt_reply, line) != 0)
		s->exim.rcpt_same = 0;
}

/*
 * What Exim answers before the command's own checks. Returns 1 when it
 * answered (the command goes no further), 0 to go on.
 */
int
smtp_exim_refuse(struct smtp_session *s, const struct smtp_command *cmd,
    char *arg)
{
	const char *verb = cmd->verb;

	if (exim_out_of_step(s, verb))
		return 1;
	if (s->rset_only && strcmp(verb, "RSET") != 0 &&
	    strcmp(verb, "QUIT") != 0) {
		smtp_error(s, "503 only RSET accepted now");
		return 1;
	}
	s->rset_only = 0;
	if (s->in_bdat && exim_in_bdat(s, verb))
		return 1;
	if (strcmp(verb, "STARTTLS") == 0 &&
	    (!s->esmtp || !smtp_tls_offered(s))) {
		smtp_say_error(s, s->persona->starttls_not_offered, NULL);
		return 1;
	}
	if ((strcmp(verb, "QUIT") == 0 || strcmp(verb, "RSET") == 0 ||
	    strcmp(verb, "DATA") == 0 || strcmp(verb, "STARTTLS") == 0) &&
	    *arg != '\0') {
		smtp_say_error(s, s->persona->bad_args, verb);
		return 1;
	}
	if (strcmp(verb, "DATA") == 0)
		s->exim.sync = 1;
	if (strcmp(verb, "AUTH") == 0 && !s->esmtp) {
		smtp_say_error(s, s->persona->auth_need_helo, NULL);
		return 1;
	}
	if (strcmp(verb, "BDAT") == 0)
		return exim_bdat(s, arg);
	if (strcmp(verb, "VRFY") == 0)
		return exim_vrfy(s, arg);
	if (strcmp(verb, "EXPN") == 0) {	/* the ACL refuses, any arg */
		smtp_say_error(s, s->persona->expn, NULL);
		return 1;
	}
	if (strcmp(verb, "ETRN") == 0) {
		smtp_say_error(s, s->state & (SS_MAIL | SS_RCPT) ?
		    "503 ETRN is not permitted inside a transaction" :
		    s->persona->etrn, NULL);
		return 1;
	}
	return 0;
}
