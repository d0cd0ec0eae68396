/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * persona: the tables of what each persona shows a client, and the small
 * formatters they need (queue ids, the banner's date, "%h" expansion).
 * Run by the workers (sandboxed: pure computation, no system call but
 * the clock's) and by the parent's configuration check.
 *
 * Sources: postfix-debian from Postfix 3.7's smtpd as packaged in Debian
 * 12 with SASL enabled (smtpd.c, smtpd_sasl_glue.c, smtpd_chat.c);
 * exim-debian from Exim 4.96 as packaged in Debian 12 (smtp_in.c);
 * exchange from published transcripts, listed in
 * tests/data/personas/exchange-sources.txt; rfc821 is what spampot
 * answered before personas existed.
 */
#include "autoconf.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "persona.h"

/* Every mechanism spampot can record, advertised or not. */
#define AUTH_ALL "PLAIN LOGIN CRAM-MD5 XOAUTH2 NTLM SCRAM-SHA-1 SCRAM-SHA-256"

static const char *const postfix_ehlo[] = {
	"PIPELINING", "SIZE", "VRFY", "ETRN", "STARTTLS",
	"AUTH PLAIN LOGIN CRAM-MD5",
	"ENHANCEDSTATUSCODES", "8BITMIME", "DSN", "SMTPUTF8", "CHUNKING",
	NULL
};

static const char *const exim_ehlo[] = {
	"SIZE", "8BITMIME", "PIPELINING", "PIPECONNECT", "AUTH PLAIN LOGIN",
	"CHUNKING", "STARTTLS", "PRDR", "HELP", NULL
};

static const char *const exim_help[] = {
	"214-Commands supported:",
	"214 AUTH STARTTLS HELO EHLO MAIL RCPT DATA BDAT NOOP QUIT RSET HELP",
	NULL
};

static const char *const exchange_ehlo[] = {
	"SIZE", "PIPELINING", "DSN", "ENHANCEDSTATUSCODES", "STARTTLS",
	"AUTH NTLM LOGIN", "8BITMIME", "BINARYMIME", "CHUNKING", "SMTPUTF8",
	NULL
};

static const char *const exchange_help[] = {
	"214-This server supports the following commands:",
	"214 HELO EHLO STARTTLS RCPT DATA RSET MAIL QUIT HELP AUTH BDAT",
	NULL
};

static const char *const rfc821_ehlo[] = {
	"PIPELINING", "SIZE", "VRFY", "STARTTLS", "AUTH PLAIN LOGIN",
	"AUTH=PLAIN LOGIN", "ENHANCEDSTATUSCODES", "8BITMIME", NULL
};

static const char *const rfc821_help[] = {
	"214 2.0.0 Commands: HELO EHLO MAIL RCPT DATA RSET NOOP QUIT HELP "
	    "VRFY EXPN AUTH",
	NULL
};

static const struct persona personas[] = {
{
	.name = "postfix-debian",
	.banner = "ESMTP Postfix (Debian/GNU)",
	.ehlo_hello = "",
	.ehlo = postfix_ehlo,
	.help = NULL,
	.flags = PF_CHUNKING | PF_CHECK_PARAMS | PF_CHECK_ADDRESS |
	    PF_HTTP_GOODBYE | PF_VRFY_ECHO | PF_UTF8_COMMANDS |
	    PF_STARTTLS_IN_MAIL | PF_VERB_ANY_SPACE | PF_CYRUS_SASL,
	.soft_error_limit = 10,
	.qid = PQ_POSTFIX,
	.unknown = "500 5.5.2 Error: command not recognized",
	.need_helo = "503 5.5.1 Error: send HELO/EHLO first",
	.nested_mail = "503 5.5.1 Error: nested MAIL command",
	.need_mail = "503 5.5.1 Error: need MAIL command",
	.need_rcpt = "503 5.5.1 Error: need RCPT command",
	.mail_ok = "250 2.1.0 Ok",
	.rcpt_ok = "250 2.1.5 Ok",
	.data_go = "354 End data with <CR><LF>.<CR><LF>",
	.queued = "250 2.0.0 Ok: queued as %n",
	.rset_ok = "250 2.0.0 Ok",
	.noop_ok = "250 2.0.0 Ok",
	.quit = "221 2.0.0 Bye",
	.vrfy = "252 2.0.0 %n",
	.expn = NULL,
	.etrn = "459 <%n>: service unavailable",
	.not_implemented = "502 5.5.1 Error: command not implemented",
	/* 3.7 reads the first line_length_limit bytes as the command and
	 * skips the rest: for the garbage of a long line, an unknown verb */
	.line_too_long = "500 5.5.2 Error: command not recognized",
	.nul = NULL,			/* the line ends at the NUL */
	.bad_utf8 = "500 5.5.2 Error: bad UTF-8 syntax",
	.http = "221 2.7.0 Error: I can break rules, too. Goodbye.",
	.bad_sender = "501 5.1.7 Bad sender address syntax",
	.bad_rcpt = "501 5.1.3 Bad recipient address syntax",
	.unsupported_option = "555 5.5.4 Unsupported option: %n",
	.need_smtputf8 = NULL,	/* smtputf8_enforce = no */
	.bdat_ok = "250 2.0.0 Ok: %n bytes",
	.bdat_queued = "250 2.0.0 Ok: %n bytes queued as %m",
	.auth_mechs = AUTH_ALL,
	.auth_ok = "235 2.7.0 Authentication successful",
	.auth_fail = "535 5.7.8 Error: authentication failed: "
	    "authentication failure",
	.auth_aborted = "501 5.7.0 Authentication aborted",
	/* Debian's Postfix with Cyrus SASL */
	.auth_bad_base64 = "535 5.7.8 Error: authentication failed: %n",
	.auth_bad_mech = "535 5.7.8 Error: authentication failed: "
	    "no mechanism available",
	.auth_twice = "503 5.5.1 Error: already authenticated",
	.auth_need_helo = "503 5.5.1 Error: send HELO/EHLO first",
	.auth_in_mail = "503 5.5.1 Error: MAIL transaction in progress",
	.starttls_ready = "220 2.0.0 Ready to start TLS",
	.starttls_unavailable = "454 4.7.0 TLS not available due to local "
	    "problem",
	.starttls_not_offered = "502 5.5.1 Error: command not implemented",
	.starttls_active = "554 5.5.1 Error: TLS already active",
	.too_many_errors = "421 4.7.0 %h Error: too many errors",
},
{
	.name = "exim-debian",
	.banner = "ESMTP Exim 4.96",
	.ehlo_hello = " Hello",
	.ehlo = exim_ehlo,
	.help = exim_help,
	.flags = PF_CHUNKING | PF_BANNER_DATE | PF_BANNER_DATE_PAD |
	    PF_HELO_REQUIRED | PF_STARTTLS_IN_MAIL | PF_EXIM_RULES |
	    PF_DATA_CRLF_END,
	.soft_error_limit = 0,
	/* smtp_max_unknown_commands */
	.max_unknown = 3,
	.too_many_unknown = "500 Too many unrecognized commands",
	/* Debian's acl_check_data */
	.max_data_line = 998,
	.data_line_refused = "550 maximum allowed line length is %m octets, "
	    "got %n",
	.qid = PQ_EXIM,
	.unknown = "500 unrecognized command",
	.need_helo = "503 HELO or EHLO required",
	.nested_mail = "503 sender already given",
	.need_mail = "503 sender not yet given",
	.need_rcpt = "503 valid RCPT command must precede DATA",
	.mail_ok = "250 OK",
	.rcpt_ok = "250 Accepted",
	.data_go = "354 Enter message, ending with \".\" on a line by itself",
	.queued = "250 OK id=%n",
	.rset_ok = "250 Reset OK",
	.noop_ok = "250 OK",
	.quit = "221 %h closing connection",
	.vrfy = "252 Administrative prohibition",
	.expn = "550 Administrative prohibition",
	.etrn = "458 Administrative prohibition",
	.not_implemented = "500 unrecognized command",
	.line_too_long = "500 Line too long",
	.nul = "501 NUL characters are not allowed in SMTP commands",
	.bad_utf8 = "500 unrecognized command",
	.http = NULL,
	.bad_sender = "501 malformed address",
	.bad_rcpt = "501 malformed address",
	.unsupported_option = "555 Unsupported option: %n",
	.need_smtputf8 = "553 Must declare SMTPUTF8",
	.bdat_ok = "250 %n byte chunk received",
	.bdat_queued = "250 OK id=%m",
	.bdat_last = "250- %n byte chunk, total %m",
	.auth_mechs = AUTH_ALL,
	.auth_ok = "235 Authentication succeeded",
	.auth_fail = "535 Incorrect authentication data",
	.auth_aborted = "501 Authentication cancelled",
	.auth_bad_base64 = "501 Invalid base64 data",
	.auth_bad_mech = "504 %n authentication mechanism not supported",
	.auth_twice = "503 already authenticated",
	.auth_need_helo = "503 AUTH command used when not advertised",
	.auth_in_mail = "503 not permitted in mail transaction",
	.starttls_ready = "220 TLS go ahead",
	.starttls_unavailable = "454 TLS currently unavailable",
	.starttls_not_offered = "503 STARTTLS command used when not "
	    "advertised",
	.starttls_active = "554 Already in TLS",
	.too_many_errors = "421 %h lost input connection",
},
{
	.name = "exchange",
	.banner = "Microsoft ESMTP MAIL Service ready at",
	.ehlo_hello = " Hello",
	.ehlo = exchange_ehlo,
	.help = exchange_help,
	.flags = PF_HELO_REQUIRED | PF_CHUNKING | PF_BANNER_DATE,
	.soft_error_limit = 0,
	.qid = PQ_EXCHANGE,
	.unknown = "500 5.3.3 Unrecognized command",
	.need_helo = "503 5.5.2 Send hello first",
	.nested_mail = "503 5.5.2 Sender already specified",
	.need_mail = "503 5.5.2 Need mail command",
	.need_rcpt = "503 5.5.2 Need rcpt command",
	.mail_ok = "250 2.1.0 Sender OK",
	.rcpt_ok = "250 2.1.5 Recipient OK",
	.data_go = "354 Start mail input; end with <CRLF>.<CRLF>",
	.queued = "250 2.6.0 Queued mail for delivery; InternalId=%n",
	.rset_ok = "250 2.0.0 Resetting",
	.noop_ok = "250 2.0.0 OK",
	.quit = "221 2.0.0 Service closing transmission channel",
	.vrfy = "252 2.1.5 Cannot VRFY user",
	.expn = "502 5.3.3 Command not implemented",
	.etrn = "502 5.3.3 Command not implemented",
	.not_implemented = "502 5.3.3 Command not implemented",
	.line_too_long = "500 5.3.3 Unrecognized command",
	.nul = "500 5.3.3 Unrecognized command",
	.bad_utf8 = "500 5.3.3 Unrecognized command",
	.http = NULL,
	.bad_sender = "501 5.1.7 Invalid address",
	.bad_rcpt = "501 5.1.3 Invalid address",
	.unsupported_option = "501 5.5.4 Invalid arguments",
	.need_smtputf8 = "501 5.1.7 Invalid address",
	.bdat_ok = "250 2.6.0 CHUNK received OK, %n octets",
	.bdat_queued = "250 2.6.0 Queued mail for delivery; InternalId=%m",
	.auth_mechs = AUTH_ALL,
	.auth_ok = "235 2.7.0 Authentication successful",
	.auth_fail = "535 5.7.3 Authentication unsuccessful",
	.auth_aborted = "501 5.7.3 Authentication unsuccessful",
	.auth_bad_base64 = "501 5.5.4 Invalid arguments",
	.auth_bad_mech = "504 5.7.4 Unrecognized authentication type",
	.auth_twice = "503 5.5.2 Already authenticated",
	.auth_need_helo = "503 5.5.2 Send hello first",
	.auth_in_mail = "503 5.5.2 Sender already specified",
	.starttls_ready = "220 2.0.0 SMTP server ready",
	.starttls_unavailable = "454 4.7.0 Temporary authentication failure",
	.starttls_not_offered = "500 5.3.3 Unrecognized command",
	.starttls_active = "503 5.5.1 Already in TLS",
	.too_many_errors = "421 4.7.0 %h Too many errors on this connection, "
	    "closing transmission channel",
},
{
	.name = "rfc821",
	.banner = "ESMTP Postfix (Debian/GNU)",
	.ehlo_hello = "",
	.ehlo = rfc821_ehlo,
	.help = rfc821_help,
	.flags = PF_HELO_REQUIRED | PF_VRFY_ECHO | PF_RFC821_VERBS,
	.soft_error_limit = 0,
	.qid = PQ_HASH10,
	.unknown = "502 5.5.2 Error: command not recognized",
	.need_helo = "503 5.5.1 Error: send HELO/EHLO first",
	.nested_mail = "503 5.5.1 Error: nested MAIL command",
	.need_mail = "503 5.5.1 Error: need MAIL command",
	.need_rcpt = "503 5.5.1 Error: need RCPT command",
	.mail_ok = "250 2.1.0 Ok",
	.rcpt_ok = "250 2.1.5 Ok",
	.data_go = "354 End data with <CR><LF>.<CR><LF>",
	.queued = "250 2.0.0 Ok: queued as %n",
	.rset_ok = "250 2.0.0 Ok",
	.noop_ok = "250 2.0.0 Ok",
	.quit = "221 2.0.0 Bye",
	.vrfy = "252 2.0.0 %n",
	.expn = "252 2.0.0 %n",
	.etrn = NULL,
	.not_implemented = "502 5.5.1 Error: command not implemented",
	.line_too_long = "500 5.5.2 Error: line too long",
	.nul = "500 5.5.2 Error: NUL byte in command",
	.bad_utf8 = NULL,
	.http = NULL,
	.bad_sender = "501 5.5.4 Syntax: MAIL FROM:<address>",
	.bad_rcpt = "501 5.5.4 Syntax: RCPT TO:<address>",
	.unsupported_option = "555 5.5.4 Unsupported option: %n",
	.need_smtputf8 = "553 5.6.7 Must declare SMTPUTF8 to send unicode "
	    "address",
	.bdat_ok = NULL,
	.bdat_queued = NULL,
	.auth_mechs = "PLAIN LOGIN",
	.auth_ok = "235 2.7.0 Authentication successful",
	.auth_fail = "535 5.7.8 Error: authentication failed: "
	    "authentication failure",
	.auth_aborted = "501 5.7.0 Authentication aborted",
	.auth_bad_base64 = "501 5.5.2 Cannot decode response",
	.auth_bad_mech = "504 5.5.4 Unrecognized authentication type",
	.auth_twice = "503 5.5.1 Error: already authenticated",
	.auth_need_helo = "503 5.5.1 Error: send HELO/EHLO first",
	.auth_in_mail = "503 5.5.1 Error: MAIL transaction in progress",
	.starttls_ready = "220 2.0.0 Ready to start TLS",
	.starttls_unavailable = "454 4.7.0 TLS not available due to local "
	    "problem",
	.starttls_not_offered = "502 5.5.1 Error: command not implemented",
	.starttls_active = "554 5.5.1 Error: TLS already active",
	.too_many_errors = "421 4.7.0 %h Error: too many errors",
},
};
#define NPERSONAS	(sizeof(personas) / sizeof(personas[0]))

const struct persona *
persona_find(const char *name)
{
	size_t i;

	for (i = 0; i < NPERSONAS; i++)
		if (strcmp(personas[i].name, name) == 0)
			return &personas[i];
	return NULL;
}

const struct persona *
persona_default(void)
{
	return &personas[0];
}

/* For error messages: "postfix-debian, exim-debian, ..." */
const char *
persona_names(void)
{
	return "postfix-debian, exim-debian, exchange, rfc821";
}

/*
 * Copy a reply text, "%h" replaced by host, "%n" by arg, "%m" by arg2. Cut to fit;
 * never a format string, so a text can hold any '%'. What a client sent
 * can hold any byte: in a reply, a byte that is not printable ASCII
 * becomes '?', as Postfix's smtpd prints it.
 */
void
persona_expand(char *dst, size_t len, const char *text, const char *host,
    const char *arg, const char *arg2)
{
	size_t o = 0, n;
	const char *sub;

	if (len == 0)
		return;
	for (; *text != '\0' && o + 1 < len; text++) {
		sub = NULL;
		if (text[0] == '%' && text[1] == 'h')
			sub = host;
		else if (text[0] == '%' && text[1] == 'n')
			sub = arg;
		else if (text[0] == '%' && text[1] == 'm')
			sub = arg2;
		if (sub == NULL) {
			dst[o++] = *text;
			continue;
		}
		n = strlen(sub);
		if (n > len - 1 - o)
			n = len - 1 - o;
		for (; n > 0; n--, sub++)
			dst[o++] = *sub >= 0x20 && *sub <= 0x7e ? *sub : '?';
		text++;
	}
	dst[o] = '\0';
}

static void
persona_base62(char *dst, uint64_t v, size_t digits)
{
	static const char d62[] =
	    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

	dst[digits] = '\0';
	while (digits-- > 0) {
		dst[digits] = d62[v % 62];
		v /= 62;
	}
}

/*
 * A queue id in the persona's MTA's format, from a seed (a hash of the
 * session and message): the same seed, the same id, except for the time
 * an Exim id carries.
 */
void
persona_queue_id(const struct persona *p, uint64_t seed, char *dst,
    size_t len)
{
	char a[8], b[8], c[4];
	struct timespec ts;

	switch (p->qid) {
	case PQ_POSTFIX:
		/* Postfix short id: microseconds (< 1000000, so at most
		 * F423F) in five hex digits, then the inode number. */
		snprintf(dst, len, "%05llX%05llX",
		    (unsigned long long)(seed % 1000000),
		    (unsigned long long)((seed >> 20) & 0xfffff) | 0x10000);
		break;
	case PQ_EXIM:
		/* time, pid, fraction of a second: 6-6-2 in base 62; the
		 * time is the clock's, as a client can decode it */
		clock_gettime(CLOCK_REALTIME, &ts);
		persona_base62(a, (uint64_t)ts.tv_sec % 56800235584ULL, 6);
		persona_base62(b, (seed >> 8) % 4194304, 6);
		persona_base62(c, seed % 2000, 2);
		snprintf(dst, len, "%s-%s-%s", a, b, c);
		break;
	case PQ_EXCHANGE:
		snprintf(dst, len, "%llu", (unsigned long long)
		    (seed % 90000000000000ULL + 10000000000000ULL));
		break;
	default:
		snprintf(dst, len, "%010llX",
		    (unsigned long long)(seed & 0xffffffffffULL));
		break;
	}
}

/* The date a banner ends with: Exim pads the day, Exchange does not. */
void
persona_banner_date(const struct persona *p, char *dst, size_t len,
    int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL) {
		snprintf(dst, len, "%s", "");
		return;
	}
	strftime(dst, len, (p->flags & PF_BANNER_DATE_PAD) ?
	    "%a, %d %b %Y %H:%M:%S +0000" : "%a, %e %b %Y %H:%M:%S +0000",
	    &tm);
	if (!(p->flags & PF_BANNER_DATE_PAD) && strstr(dst, ",  ") != NULL)
		memmove(strstr(dst, ",  ") + 1, strstr(dst, ",  ") + 2,
		    strlen(strstr(dst, ",  ") + 2) + 1);
}
