/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * smtp_cmd: the command table of the worker's SMTP session and its
 * check/act pairs. A check answers the error itself and returns 0; an
 * action does the work. The replies are those of the session's persona
 * (persona.c), a real MTA that relays anything: every sender and
 * recipient is accepted, nothing is ever delivered. BDAT and STARTTLS
 * are here too; the TLS handshake itself is the worker's.
 */
#include "autoconf.h"

#include <sys/socket.h>

#include <arpa/inet.h>
#include <stddef.h>
#include <ctype.h>
#include <errno.h>
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
#include "utf8.h"
#include "util.h"

#define P(f)	offsetof(struct persona, f)

static int
smtp_check_no_arg(struct smtp_session *s, char *arg, const char *verb)
{
	if (*arg == '\0')
		return 1;
	smtp_say_error(s, s->persona->bad_args, verb);
	return 0;
}

/* HELO or EHLO: a name is needed; Exim checks what it is. */
static int
smtp_check_hello(struct smtp_session *s, char *arg, const char *verb)
{
	if ((s->persona->flags & PF_EXIM_RULES) ? smtp_exim_helo_ok(arg) :
	    *arg != '\0')
		return 1;
	smtp_say_error(s, s->persona->helo_syntax, verb);
	return 0;
}

static int
smtp_check_helo(struct smtp_session *s, char *arg)
{
	return smtp_check_hello(s, arg, "HELO");
}

static int
smtp_check_ehlo(struct smtp_session *s, char *arg)
{
	return smtp_check_hello(s, arg, "EHLO");
}

static void
smtp_record_helo(struct smtp_session *s, const char *verb, const char *arg)
{
	char *esc = smtp_escape(arg, strlen(arg), SPOOLFMT_ESC_SPACE);
	struct buf *b;

	if (esc == NULL)
		return;
	/* first: a BDAT message this ends is recorded before the helo */
	smtp_reset_transaction(s);
	if ((b = spool_record_begin(s->spool)) != NULL)
		spool_record_end(s->spool, spoolfmt_helo(b, verb, arg,
		    strlen(arg)));
	log_info("%s smtp %s=%s", s->id, verb[0] == 'E' ? "ehlo" : "helo",
	    esc);
	free(esc);
	smtp_set_state(s, SS_READY);
}

/* The first line of the answer to HELO/EHLO, sep ' ' or '-'. */
static void
smtp_hello_line(struct smtp_session *s, char sep, const char *arg)
{
	const char *hello = s->persona->ehlo_hello;

	char peer[64] = "";

	if (s->peer[0] != '\0')
		snprintf(peer, sizeof(peer), " [%s]", s->peer);
	if (hello[0] == '\0')
		smtp_reply(s, "250%c%s", sep, s->cf->hostname);
	else if (strcmp(s->persona->name, "exim-debian") == 0)
		smtp_reply(s, "250%c%s%s %.64s%s", sep, s->cf->hostname, hello,
		    arg, peer);
	else
		smtp_reply(s, "250%c%s%s%s", sep, s->cf->hostname, hello, peer);
}

static void
smtp_act_helo(struct smtp_session *s, char *arg)
{
	smtp_record_helo(s, "HELO", arg);
	s->esmtp = 0;
	smtp_hello_line(s, ' ', arg);
}

/* Is this EHLO keyword shown now? STARTTLS only where it can work. */
static int
smtp_ehlo_shown(const struct smtp_session *s, const char *kw)
{
	if (strcmp(kw, "STARTTLS") == 0)
		return smtp_tls_offered(s);
	return 1;
}

static void
smtp_act_ehlo(struct smtp_session *s, char *arg)
{
	const char *const *kw = s->persona->ehlo;
	const char *last = NULL;
	size_t i;

	smtp_record_helo(s, "EHLO", arg);
	s->esmtp = 1;
	for (i = 0; kw[i] != NULL; i++)
		if (smtp_ehlo_shown(s, kw[i]))
			last = kw[i];
	smtp_hello_line(s, last != NULL ? '-' : ' ', arg);
	for (i = 0; kw[i] != NULL; i++) {
		if (!smtp_ehlo_shown(s, kw[i]))
			continue;
		if (strcmp(kw[i], "SIZE") == 0)
			smtp_reply(s, "250%cSIZE %llu", kw[i] == last ? ' ' :
			    '-', (unsigned long long)s->cf->max_message_size);
		else
			smtp_reply(s, "250%c%s", kw[i] == last ? ' ' : '-',
			    kw[i]);
	}
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

/*
 * The error for a MAIL or RCPT argument that does not parse: without the
 * keyword, a syntax error; with it, a bad address. The keyword alone is
 * a syntax error to Postfix (an argument missing), a bad address to
 * Exchange.
 */
static const char *
smtp_path_error(const struct smtp_session *s, const char *arg,
    const char *keyword, const char *bad, const char *syntax)
{
	size_t n = strlen(keyword);
	const char *p = arg + n;

	if (strncasecmp(arg, keyword, n) != 0)
		return syntax;
	while (*p == ' ')
		p++;
	if (*p == '\0' && !(s->persona->flags & PF_EMPTY_PATH_BAD))
		return syntax;
	return bad;
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

/* Is c a byte an address may not hold? */
static int
smtp_addr_bad_byte(unsigned char c)
{
	return c <= ' ' || c == 0x7f || c == '<' || c == '>';
}

/*
 * Address syntax, as strict as the persona's MTA: no spaces or control
 * bytes, valid UTF-8, and 8-bit only with SMTPUTF8. Answers and returns
 * 0 when it is bad.
 */
static int
smtp_check_address(struct smtp_session *s, const struct smtp_path *sp,
    const char *bad, int smtputf8)
{
	const struct persona *p = s->persona;
	int eight = 0, quoted = 0;
	size_t i;

	if (!(p->flags & PF_CHECK_ADDRESS))
		return 1;
	for (i = 0; i < sp->addrlen; i++) {
		/* a quoted local part may hold spaces: "a b"@example.org */
		if (sp->addr[i] == '"')
			quoted = !quoted;
		else if (quoted && sp->addr[i] == '\\' && i + 1 < sp->addrlen)
			i++;
		if (quoted && sp->addr[i] == ' ')
			continue;
		if (smtp_addr_bad_byte((unsigned char)sp->addr[i])) {
			smtp_say_error(s, bad, NULL);
			return 0;
		}
		eight |= (unsigned char)sp->addr[i] & 0x80;
	}
	if (quoted) {		/* a quote that does not end */
		smtp_say_error(s, bad, NULL);
		return 0;
	}
	if (eight && utf8_prefix(sp->addr, sp->addrlen) != sp->addrlen) {
		smtp_say_error(s, p->bad_utf8, NULL);
		return 0;
	}
	if (eight && !smtputf8 && p->need_smtputf8 != NULL) {
		smtp_say_error(s, p->need_smtputf8, NULL);
		return 0;
	}
	return 1;
}

/* The MAIL and RCPT parameters Postfix knows, by their keyword. */
static int
smtp_param_known(const char *param, size_t n, int mail)
{
	static const char *const mail_params[] = {
		"SIZE=", "BODY=", "RET=", "ENVID=", "AUTH=", "SMTPUTF8", NULL
	};
	static const char *const rcpt_params[] = {
		"NOTIFY=", "ORCPT=", NULL
	};
	const char *const *k = mail ? mail_params : rcpt_params;
	size_t klen;

	for (; *k != NULL; k++) {
		klen = strlen(*k);
		if ((*k)[klen - 1] == '=' ? n > klen &&
		    strncasecmp(param, *k, klen) == 0 :
		    n == klen && strncasecmp(param, *k, klen) == 0)
			return 1;
	}
	return 0;
}

/* Is n bytes at p the word w, without case? */
static int
smtp_word_is(const char *p, size_t n, const char *w)
{
	return n == strlen(w) && strncasecmp(p, w, n) == 0;
}

/*
 * xtext (RFC 3461), as Postfix's xtext_unquote() reads it: "+" and two
 * hex digits; when printable, every byte it stands for is printable
 * ASCII. With utf8 (ORCPT=utf-8;...), "\\x{...}" escapes are taken too.
 */
static int
smtp_xtext_ok(const char *p, size_t n, int printable, int utf8)
{
	size_t i, j;
	int c;

	for (i = 0; i < n; i++) {
		if (utf8 && p[i] == '\\' && i + 2 < n && p[i + 1] == 'x' &&
		    p[i + 2] == '{') {
			for (j = i + 3; j < n && isxdigit((unsigned char)p[j]);
			    j++)
				;
			if (j == n || p[j] != '}' || j - i - 3 > 6)
				return 0;
			i = j;
			continue;
		}
		c = (unsigned char)p[i];
		if (!utf8 && c == '+') {
			if (i + 2 >= n || !isxdigit((unsigned char)p[i + 1]) ||
			    !isxdigit((unsigned char)p[i + 2]))
				return 0;
			c = util_hexval(p[i + 1], 0) * 16 +
			    util_hexval(p[i + 2], 0);
			i += 2;
		}
		if (printable && (c < 0x20 || c >= 0x7f))
			return 0;
	}
	return 1;
}

/*
 * SIZE digits only; ENVID once, xtext, printable; ORCPT once, "type;"
 * and xtext (Postfix's mail_cmd() and rcpt_cmd()). Answers and returns
 * 0 when one is bad.
 */
static int
smtp_param_dsn_ok(struct smtp_session *s, const char *p, size_t n, int mail)
{
	const char *semi;
	size_t i;

	if (mail && n > 5 && strncasecmp(p, "SIZE=", 5) == 0) {
		for (i = 5; i < n; i++)
			if (!isdigit((unsigned char)p[i])) {
				smtp_say_error(s, s->persona->param_size,
				    NULL);
				return 0;
			}
	}
	if (mail && n > 6 && strncasecmp(p, "ENVID=", 6) == 0 &&
	    ((s->params_seen & SMTP_SEEN_ENVID) ||
	    !smtp_xtext_ok(p + 6, n - 6, 1, 0))) {
		smtp_say_error(s, s->persona->param_envid, NULL);
		return 0;
	}
	if (!mail && n > 6 && strncasecmp(p, "ORCPT=", 6) == 0 &&
	    ((s->params_seen & SMTP_SEEN_ORCPT) ||
	    (semi = memchr(p + 6, ';', n - 6)) == NULL || semi == p + 6 ||
	    !smtp_xtext_ok(semi + 1, (size_t)(p + n - semi - 1), 0,
	    semi - p - 6 == 5 && strncasecmp(p + 6, "utf-8", 5) == 0))) {
		smtp_say_error(s, s->persona->param_orcpt, NULL);
		return 0;
	}
	if (mail && n > 6 && strncasecmp(p, "ENVID=", 6) == 0)
		s->params_seen |= SMTP_SEEN_ENVID;
	if (!mail && n > 6 && strncasecmp(p, "ORCPT=", 6) == 0)
		s->params_seen |= SMTP_SEEN_ORCPT;
	return 1;
}

/*
 * The values Postfix checks: BODY (7BIT or 8BITMIME, else unknown),
 * RET (FULL or HDRS, once), NOTIFY (NEVER, or SUCCESS, FAILURE and
 * DELAY, once), and those of smtp_param_dsn_ok(). Answers and returns 0
 * when one is bad.
 */
static int
smtp_param_value_ok(struct smtp_session *s, const char *p, size_t n,
    int mail)
{
	char opt[128];
	const char *v, *c;
	size_t vn, cn;

	if (mail && n > 5 && strncasecmp(p, "BODY=", 5) == 0 &&
	    !smtp_word_is(p + 5, n - 5, "7BIT") &&
	    !smtp_word_is(p + 5, n - 5, "8BITMIME")) {
		snprintf(opt, sizeof(opt), "%.*s", (int)n, p);
		smtp_say_error(s, s->persona->unsupported_option, opt);
		return 0;
	}
	if (mail && n >= 4 && strncasecmp(p, "RET=", 4) == 0) {
		if ((s->params_seen & SMTP_SEEN_RET) ||
		    (!smtp_word_is(p + 4, n - 4, "FULL") &&
		    !smtp_word_is(p + 4, n - 4, "HDRS"))) {
			smtp_say_error(s, s->persona->param_ret, NULL);
			return 0;
		}
		s->params_seen |= SMTP_SEEN_RET;
	}
	if (!mail && n >= 7 && strncasecmp(p, "NOTIFY=", 7) == 0) {
		for (v = p + 7, vn = n - 7; ; v = c + 1) {
			c = memchr(v, ',', (size_t)(p + n - v));
			cn = c != NULL ? (size_t)(c - v) : (size_t)(p + n - v);
			if ((s->params_seen & SMTP_SEEN_NOTIFY) ||
			    (!smtp_word_is(v, cn, "SUCCESS") &&
			    !smtp_word_is(v, cn, "FAILURE") &&
			    !smtp_word_is(v, cn, "DELAY") &&
			    !(smtp_word_is(v, cn, "NEVER") && cn == vn))) {
				smtp_say_error(s, s->persona->param_notify,
				    NULL);
				return 0;
			}
			if (c == NULL)
				break;
		}
		s->params_seen |= SMTP_SEEN_NOTIFY;
	}
	return smtp_param_dsn_ok(s, p, n, mail);
}

/*
 * Parameters the persona's MTA does not know: 555. *smtputf8 is set when
 * SMTPUTF8 is among them.
 */
static int
smtp_check_params(struct smtp_session *s, const char *params, int mail,
    int *smtputf8)
{
	const char *p = params;
	char opt[128];
	size_t n;

	*smtputf8 = 0;
	s->params_seen = 0;
	while (*p != '\0') {
		n = strcspn(p, " ");
		if (mail && n == 8 && strncasecmp(p, "SMTPUTF8", 8) == 0)
			*smtputf8 = 1;
		if ((s->persona->flags & PF_CHECK_PARAMS) &&
		    !smtp_param_value_ok(s, p, n, mail))
			return 0;
		if ((s->persona->flags & PF_CHECK_PARAMS) &&
		    !smtp_param_known(p, n, mail)) {
			snprintf(opt, sizeof(opt), "%.*s", (int)n, p);
			smtp_say_error(s, s->persona->unsupported_option, opt);
			return 0;
		}
		p += n;
		while (*p == ' ')
			p++;
	}
	return 1;
}

static int
smtp_check_mail(struct smtp_session *s, char *arg)
{
	struct smtp_path sp;
	int utf8;

	if (s->messages >= s->cf->max_messages) {
		log_info("%s smtp limit messages=%u", s->id, s->messages);
		smtp_say_end(s, s->persona->too_many_messages, SMTP_END_LIMIT);
		return 0;
	}
	if (s->in_bdat || s->bdat_failed) {
		smtp_say_error(s, s->persona->mail_in_bdat, NULL);
		return 0;
	}
	if (s->persona->flags & PF_EXIM_RULES)
		return smtp_exim_check_mail(s, arg);
	if (smtp_parse_path(arg, "FROM:", &sp) == -1) {
		smtp_say_error(s, smtp_path_error(s, arg, "FROM:",
		    s->persona->bad_sender, s->persona->mail_syntax), NULL);
		return 0;
	}
	if (!smtp_check_params(s, sp.params, 1, &utf8) ||
	    !smtp_check_address(s, &sp, s->persona->bad_sender, utf8))
		return 0;
	if (smtp_size_too_big(s, sp.params)) {
		smtp_say_error(s, s->persona->size_exceeded, NULL);
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
	s->smtputf8 = strcasestr(sp.params, "SMTPUTF8") != NULL;
	smtp_set_state(s, SS_MAIL);
	smtp_say(s, s->persona->mail_ok, NULL);
}

static int
smtp_max_rcpts(struct smtp_session *s)
{
	smtp_say_error(s, s->persona->too_many_rcpts, NULL);
	return 0;
}

static int
smtp_check_rcpt(struct smtp_session *s, char *arg)
{
	struct smtp_path sp;
	int utf8;

	if (s->in_bdat || s->bdat_failed) {
		smtp_say_error(s, s->persona->rcpt_in_bdat, NULL);
		return 0;
	}
	if (s->persona->flags & PF_EXIM_RULES)
		return s->rcpts < s->cf->max_recipients ?
		    smtp_exim_check_rcpt(s, arg) : smtp_max_rcpts(s);
	if (smtp_parse_path(arg, "TO:", &sp) == -1 || sp.addrlen == 0) {
		smtp_say_error(s, smtp_path_error(s, arg, "TO:",
		    s->persona->bad_rcpt, s->persona->rcpt_syntax), NULL);
		return 0;
	}
	if (!smtp_check_params(s, sp.params, 0, &utf8) ||
	    !smtp_check_address(s, &sp, s->persona->bad_rcpt, s->smtputf8))
		return 0;
	if (s->rcpts >= s->cf->max_recipients)
		return smtp_max_rcpts(s);
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
	smtp_say(s, s->persona->rcpt_ok, NULL);
}

static int
smtp_check_data(struct smtp_session *s, char *arg)
{
	if (s->in_bdat || s->bdat_failed) {
		smtp_say_error(s, s->persona->data_in_bdat, NULL);
		return 0;
	}
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
	smtp_say(s, s->persona->data_go, NULL);
}

/*
 * A queue id in the persona's MTA's format, and the message id it names
 * beside it (Exchange), derived from the session id and message number.
 */
static void
smtp_queue_id(const struct smtp_session *s, char *qid, size_t qlen,
    char *msgid, size_t mlen)
{
	uint64_t h = 1469598103934665603ULL;
	const char *p;

	for (p = s->id; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	h = (h ^ s->messages) * 1099511628211ULL;
	persona_queue_id(s->persona, h, qid, qlen);
	persona_message_id(s->persona, h, msgid, mlen);
}

/*
 * A persona whose MTA refuses a message with a line over its limit (Debian
 * Exim's data ACL) says so after the message, which is kept all the same.
 */
static int
smtp_data_line_refused(struct smtp_session *s)
{
	const struct persona *p = s->persona;
	char longest[24], max[24];

	if (p->max_data_line == 0 || s->data.longest <= p->max_data_line)
		return 0;
	snprintf(longest, sizeof(longest), "%llu",
	    (unsigned long long)s->data.longest);
	snprintf(max, sizeof(max), "%u", p->max_data_line);
	smtp_say2(s, p->data_line_refused, longest, max);
	smtp_count_error(s);
	return 1;
}

/* Exim's first line of the answer to BDAT LAST: the chunk, the total. */
static void
smtp_bdat_last_line(struct smtp_session *s)
{
	char chunk[24], total[24];

	if (s->persona->bdat_last == NULL)
		return;
	snprintf(chunk, sizeof(chunk), "%llu",
	    (unsigned long long)s->data.chunk);
	snprintf(total, sizeof(total), "%llu",
	    (unsigned long long)s->data.bsize.ex);
	smtp_say2(s, s->persona->bdat_last, chunk, total);
}

/*
 * The answer to a message on disk: refused (too big, or a line too long
 * for the persona's MTA), or queued.
 */
static void
smtp_data_answer(struct smtp_session *s, int bdat, const char *qid,
    const char *msgid)
{
	struct smtp_data *d = &s->data;
	char bytes[24];

	snprintf(bytes, sizeof(bytes), "%llu",
	    (unsigned long long)d->bsize.pf);
	if (d->too_big)
		smtp_say_error(s, s->persona->size_exceeded, NULL);
	else if (smtp_data_line_refused(s))
		;
	else {
		/* Postfix forgives a client its errors once it delivers */
		if (s->persona->flags & PF_MAIL_FORGIVES)
			s->errors = 0;
		if (bdat) {
			smtp_bdat_last_line(s);
			smtp_say3(s, s->persona->bdat_queued, bytes, qid,
			    msgid);
		} else
			smtp_say3(s, s->persona->queued, qid, NULL, msgid);
	}
}

/* The ending "." arrived: the message is complete. */
void
smtp_data_done(struct smtp_session *s)
{
	struct smtp_data *d = &s->data;
	char qid[32], msgid[40];
	int bdat = s->in_bdat;

	s->in_bdat = 0;
	s->messages++;
	smtp_queue_id(s, qid, sizeof(qid), msgid, sizeof(msgid));
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
	/* BDAT: the size Postfix tells, not the bytes sent */
	smtp_bdat_size_end(&d->bsize);
	if (bdat)
		d->longest = d->bsize.ex_longest;
	smtp_data_answer(s, bdat, qid, msgid);
	smtp_hold_next(s);
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

	/* first: a BDAT message this ends is recorded before the rset */
	smtp_reset_transaction(s);
	if ((b = spool_record_begin(s->spool)) != NULL)
		spool_record_end(s->spool, spoolfmt_rset(b));
	smtp_say(s, s->persona->rset_ok, NULL);
}

static void
smtp_act_noop(struct smtp_session *s, char *arg)
{
	smtp_say(s, s->persona->noop_ok, NULL);
}

static int
smtp_check_quit(struct smtp_session *s, char *arg)
{
	return !(s->persona->flags & PF_QUIT_NO_ARG) ||
	    smtp_check_no_arg(s, arg, "QUIT");
}

static void
smtp_act_quit(struct smtp_session *s, char *arg)
{
	smtp_say(s, s->persona->quit, NULL);
	smtp_end_session(s, SMTP_END_QUIT);
}

/* VRFY or EXPN alone: an error where the persona's MTA checks. */
static int
smtp_check_list_arg(struct smtp_session *s, char *arg, const char *syntax)
{
	if (*arg != '\0' || syntax == NULL)
		return 1;
	smtp_say_error(s, syntax, NULL);
	return 0;
}

static int
smtp_check_vrfy(struct smtp_session *s, char *arg)
{
	return smtp_check_list_arg(s, arg, s->persona->vrfy_syntax);
}

static int
smtp_check_expn(struct smtp_session *s, char *arg)
{
	return smtp_check_list_arg(s, arg, s->persona->expn_syntax);
}

/* RFC 5321 3.5.3: 252, "cannot verify, will accept and attempt delivery". */
static void
smtp_act_vrfy(struct smtp_session *s, char *arg)
{
	smtp_say(s, s->persona->vrfy, arg);	/* made printable there */
}

static void
smtp_act_expn(struct smtp_session *s, char *arg)
{
	smtp_say(s, s->persona->expn, arg);
}

static void
smtp_act_help(struct smtp_session *s, char *arg)
{
	const char *const *l;

	for (l = s->persona->help; *l != NULL; l++)
		smtp_reply(s, "%s", *l);
}

/*
 * Postfix's valid_hostname(): labels of letters, digits, '_' and inner
 * hyphens, at most 63 bytes, 255 in all, not all digits; or an address
 * literal, [IPv4] or [IPv6:...].
 */
static int
smtp_etrn_domain_ok(const char *d)
{
	char lit[64], end;
	unsigned char a6[16];
	unsigned a, b, c, e;
	size_t label = 0, n = strlen(d), i;
	int alpha = 0;

	if (d[0] == '[' && n > 2 && n - 2 < sizeof(lit) && d[n - 1] == ']') {
		snprintf(lit, sizeof(lit), "%.*s", (int)(n - 2), d + 1);
		if (strncasecmp(lit, "IPv6:", 5) == 0)
			return inet_pton(AF_INET6, lit + 5, a6) == 1;
		return sscanf(lit, "%3u.%3u.%3u.%3u%c", &a, &b, &c, &e,
		    &end) == 4 && a < 256 && b < 256 && c < 256 && e < 256;
	}
	if (n == 0 || n > 255)
		return 0;
	for (i = 0; i < n; i++) {
		if (d[i] == '.') {
			if (label == 0 || d[i + 1] == '\0')
				return 0;
			label = 0;
			continue;
		}
		if (d[i] == '-' && (label == 0 || d[i + 1] == '\0' ||
		    d[i + 1] == '.'))
			return 0;
		if (!isalnum((unsigned char)d[i]) && d[i] != '_' &&
		    d[i] != '-')
			return 0;
		if (++label > 63)
			return 0;
		alpha |= !isdigit((unsigned char)d[i]);
	}
	return alpha;
}

/* ETRN: the checks of the persona's MTA (Postfix's), then its refusal. */
static void
smtp_act_etrn(struct smtp_session *s, char *arg)
{
	const struct persona *p = s->persona;
	const char *text = NULL;

	if (smtp_effective_state(s) == SS_CONNECTED)
		text = p->etrn_need_helo;
	else if (s->state & (SS_MAIL | SS_RCPT))
		text = p->etrn_in_mail;
	else if (*arg == '\0' || strchr(arg, ' ') != NULL)
		text = p->etrn_syntax;
	else if (p->etrn_bad_domain != NULL) {
		/* a site ("@domain") or a queue ("#name") as a domain */
		if (*arg == '@' || *arg == '#')
			arg++;
		if (!smtp_etrn_domain_ok(arg))
			text = p->etrn_bad_domain;
	}
	smtp_say_error(s, text != NULL ? text : p->etrn, arg);
}

/* SEND, SOML, SAML, TURN (rfc821 only). */
static void
smtp_act_not_implemented(struct smtp_session *s, char *arg)
{
	smtp_say_error(s, s->persona->not_implemented, NULL);
}

/*
 * "n [LAST]": 0 when it is not that. Exim reads a size and takes
 * whatever follows it but LAST for a chunk that is not the last.
 */
static int
smtp_bdat_parse(const struct persona *p, const char *arg,
    unsigned long long *n, int *last)
{
	char *end;
	const char *rest;

	if (!isdigit((unsigned char)*arg))
		return 0;
	errno = 0;
	*n = strtoull(arg, &end, 10);
	if (errno != 0)
		return 0;
	for (rest = end; *rest == ' '; rest++)
		;
	*last = strcasecmp(rest, "LAST") == 0;
	if (p->flags & PF_BDAT_ANY_LAST)
		return 1;
	return *rest == '\0' ? *end == '\0' : *last;
}

/*
 * BDAT n [LAST] (RFC 3030): the n bytes that follow are read whatever
 * the answer; kept as message text when the persona has CHUNKING and a
 * recipient was accepted, else discarded and answered with the error.
 */
static void
smtp_act_bdat(struct smtp_session *s, char *arg)
{
	const struct persona *p = s->persona;
	const char *reply = NULL;
	unsigned long long n;
	struct buf *b;
	int last;

	if (!smtp_bdat_parse(p, arg, &n, &last)) {
		/* no size to read: Postfix hangs up */
		smtp_say_error(s, p->bdat_syntax, NULL);
		if (p->flags & PF_BDAT_SYNTAX_QUIT)
			smtp_end_session(s, SMTP_END_QUIT);
		return;
	}
	if (!(p->flags & PF_CHUNKING))
		reply = p->not_implemented;
	else if (n == 0 && !last && p->bdat_null != NULL)
		reply = p->bdat_null;
	else if (s->bdat_failed)
		reply = p->bdat_discarded;
	else if (!(smtp_effective_state(s) & SS_RCPT) && !s->in_bdat)
		reply = s->state == SS_MAIL && p->no_valid_rcpt != NULL ?
		    p->no_valid_rcpt : p->need_rcpt;
	if (reply == NULL && !s->in_bdat) {
		memset(&s->data, 0, sizeof(s->data));
		s->data.dot = SD_NONE;
		if ((b = spool_record_begin(s->spool)) != NULL)
			spool_record_end(s->spool,
			    spoolfmt_data(b, s->messages + 1));
		s->in_bdat = 1;
	}
	smtp_bdat_expect(s, n, last, reply);
}

/*
 * The n bytes of a chunk come next, read whatever the answer. reply:
 * NULL, they are message text; else the error said once they are read
 * ("": none, it was said before).
 */
void
smtp_bdat_expect(struct smtp_session *s, uint64_t n, int last,
    const char *reply)
{
	s->bdat_left = n;
	s->bdat_size = n;
	s->bdat_last = last;
	s->bdat_reply = reply;
	s->data.chunk = 0;
	smtp_set_input(s, SI_BDAT);
	if (n == 0)
		smtp_bdat_done(s);
}

/*
 * A chunk was refused. Postfix then discards every chunk up to the LAST
 * (and refuses MAIL, RCPT and DATA); a refused LAST ends the transaction.
 */
static void
smtp_bdat_refused(struct smtp_session *s)
{
	if (s->persona->bdat_discarded == NULL)
		return;
	if (s->bdat_last)
		smtp_reset_transaction(s);
	else
		s->bdat_failed = 1;
}

/* The chunk is read: answer it, and end the message after the LAST. */
void
smtp_bdat_done(struct smtp_session *s)
{
	char bytes[24];

	smtp_set_input(s, SI_COMMAND);
	if (s->bdat_reply != NULL) {
		snprintf(bytes, sizeof(bytes), "%llu",
		    (unsigned long long)s->bdat_size);
		if (s->bdat_reply[0] != '\0')	/* "": answered before */
			smtp_say_error(s, s->bdat_reply, bytes);
		smtp_bdat_refused(s);
		return;
	}
	if (s->bdat_last) {
		smtp_data_done(s);
		return;
	}
	snprintf(bytes, sizeof(bytes), "%llu",
	    (unsigned long long)s->data.chunk);
	smtp_say(s, s->persona->bdat_ok, bytes);
}

#define CMD_RFC821	SS_ANY	/* only where PF_RFC821_VERBS */

static const struct smtp_command smtp_commands[] = {
	{ "HELO", SS_ANY, 0, smtp_check_helo, smtp_act_helo },
	{ "EHLO", SS_ANY, 0, smtp_check_ehlo, smtp_act_ehlo },
	{ "MAIL", SS_READY, P(nested_mail), smtp_check_mail, smtp_act_mail },
	{ "RCPT", SS_MAIL | SS_RCPT, P(need_mail), smtp_check_rcpt,
	    smtp_act_rcpt },
	{ "DATA", SS_RCPT, P(need_rcpt), smtp_check_data, smtp_act_data },
	{ "BDAT", SS_ANY, 0, NULL, smtp_act_bdat },
	{ "RSET", SS_ANY, 0, smtp_check_rset, smtp_act_rset },
	{ "NOOP", SS_ANY, 0, NULL, smtp_act_noop },
	{ "QUIT", SS_ANY, 0, smtp_check_quit, smtp_act_quit },
	{ "VRFY", SS_ANY, 0, smtp_check_vrfy, smtp_act_vrfy },
	{ "EXPN", SS_ANY, 0, smtp_check_expn, smtp_act_expn },
	{ "HELP", SS_ANY, 0, NULL, smtp_act_help },
	{ "ETRN", SS_ANY, 0, NULL, smtp_act_etrn },
	{ "AUTH", SS_READY, P(auth_in_mail), smtp_auth_check, smtp_auth_act },
	{ "STARTTLS", SS_ANY, 0, smtp_tls_check, smtp_tls_act },
	{ "SEND", CMD_RFC821, 0, NULL, smtp_act_not_implemented },
	{ "SOML", CMD_RFC821, 0, NULL, smtp_act_not_implemented },
	{ "SAML", CMD_RFC821, 0, NULL, smtp_act_not_implemented },
	{ "TURN", CMD_RFC821, 0, NULL, smtp_act_not_implemented },
};

/* Does the persona's MTA know this verb at all? */
static int
smtp_command_known(const struct persona *p, const struct smtp_command *c)
{
	if (strcmp(c->verb, "HELP") == 0)
		return p->help != NULL;
	if (strcmp(c->verb, "EXPN") == 0)
		return p->expn != NULL;
	if (strcmp(c->verb, "ETRN") == 0)
		return p->etrn != NULL;
	if (strlen(c->verb) == 4 && strstr("SEND SOML SAML TURN", c->verb))
		return (p->flags & PF_RFC821_VERBS) != 0;
	return 1;
}

const struct smtp_command *
smtp_command_find(const struct smtp_session *s, const char *verb)
{
	size_t i;

	for (i = 0; i < sizeof(smtp_commands) / sizeof(smtp_commands[0]); i++)
		if (strcasecmp(verb, smtp_commands[i].verb) == 0)
			return smtp_command_known(s->persona,
			    &smtp_commands[i]) ? &smtp_commands[i] : NULL;
	return NULL;
}
