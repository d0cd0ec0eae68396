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
 * exim-debian from Exim 4.96 as packaged in Debian 12 (smtp_in.c,
 * receive.c, daemon.c); exchange from published transcripts and
 * Exchange 2013's own table of replies, listed in
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
	    PF_STARTTLS_IN_MAIL | PF_VERB_ANY_SPACE | PF_BDAT_SYNTAX_QUIT |
	    PF_MAIL_FORGIVES | PF_CYRUS_SASL,
	/* smtpd_soft_error_limit, smtpd_error_sleep_time */
	.soft_error_limit = 10,
	.error_sleep_ms = 1000,
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
	.empty_line = "500 5.5.2 Error: bad syntax",
	.bad_args = "501 5.5.4 Syntax: %n",
	.helo_syntax = "501 Syntax: %n hostname",
	.mail_syntax = "501 5.5.4 Syntax: MAIL FROM:<address>",
	.rcpt_syntax = "501 5.5.4 Syntax: RCPT TO:<address>",
	.vrfy_syntax = "501 5.5.4 Syntax: VRFY address [SMTPUTF8]",
	.expn_syntax = NULL,		/* no EXPN */
	.etrn_need_helo = "503 Error: send HELO/EHLO first",
	.etrn_in_mail = "503 Error: MAIL transaction in progress",
	.etrn_syntax = "500 Syntax: ETRN domain",
	/* valid_hostname() */
	.etrn_bad_domain = "501 Error: invalid parameter syntax",
	.auth_no_mech = "501 5.5.4 Syntax: AUTH mechanism",
	.starttls_in_mail = NULL,	/* PF_STARTTLS_IN_MAIL */
	.param_ret = "501 5.5.4 Bad RET parameter syntax",
	.param_notify = "501 5.5.4 Error: Bad NOTIFY parameter syntax",
	.param_size = "501 5.5.4 Bad message size syntax",
	.param_envid = "501 5.5.4 Bad ENVID parameter syntax",
	.param_orcpt = "501 5.5.4 Error: Bad ORCPT parameter syntax",
	.no_valid_rcpt = "554 5.5.1 Error: no valid recipients",
	.too_many_rcpts = "452 4.5.3 Error: too many recipients",
	.size_exceeded = "552 5.3.4 Message size exceeds fixed limit",
	.mail_in_bdat = "503 5.5.1 Error: MAIL after BDAT",
	.rcpt_in_bdat = "503 5.5.1 Error: RCPT after BDAT",
	.data_in_bdat = "503 5.5.1 Error: DATA after BDAT",
	.bdat_syntax = "521 5.5.4 Syntax: BDAT count [LAST]",
	.bdat_null = "551 5.7.1 Null BDAT request",
	.bdat_discarded = "551 5.0.0 Discarded %n bytes after earlier error",
	.timeout = "421 4.4.2 %h Error: timeout exceeded",
	/* Postfix has no limits of these kinds: its wording for ours */
	.session_limit = "421 4.4.2 %h Error: session time limit exceeded",
	.shutdown = "421 4.3.2 %h Service shutting down",
	.local_error = "421 4.3.0 %h Error: local error",
	.unavailable = "421 4.3.2 %h Service not available, try again later",
	.too_many_messages = "421 4.7.0 %h Error: too many messages in this "
	    "session",
	.too_many_commands = "421 4.7.0 %h Error: too many commands",
	.conn_per_ip = "421 4.7.0 %h Error: too many connections from your "
	    "address",
	.conn_per_worker = "421 4.7.0 %h Error: too many connections, try "
	    "again later",
},
{
	.name = "exim-debian",
	.banner = "ESMTP Exim 4.96",
	.ehlo_hello = " Hello",
	.ehlo = exim_ehlo,
	.help = exim_help,
	.flags = PF_CHUNKING | PF_BANNER_DATE | PF_BANNER_DATE_PAD |
	    PF_HELO_REQUIRED | PF_STARTTLS_IN_MAIL | PF_EXIM_RULES |
	    PF_DATA_CRLF_END | PF_BDAT_ANY_LAST,
	.soft_error_limit = 0,		/* Exim sleeps after no error */
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
	.empty_line = NULL,		/* an unknown command */
	.bad_args = "501 unexpected argument data",
	.helo_syntax = "501 Syntactically invalid %n argument(s)",
	.mail_syntax = "501 MAIL must have an address operand",
	.rcpt_syntax = "501 RCPT must have an address operand",
	.vrfy_syntax = NULL,		/* its address parser answers */
	.expn_syntax = NULL,		/* refused whatever it names */
	.auth_no_mech = "504  authentication mechanism not supported",
	.starttls_in_mail = NULL,	/* PF_STARTTLS_IN_MAIL */
	.too_many_rcpts = "452 too many recipients",
	.size_exceeded = "552 Message size exceeds maximum permitted",
	.mail_in_bdat = "503 only BDAT permissible after non-LAST BDAT",
	.rcpt_in_bdat = "503 only BDAT permissible after non-LAST BDAT",
	.data_in_bdat = "503 only BDAT permissible after non-LAST BDAT",
	.bdat_syntax = "501 missing size for BDAT command",
	.bdat_null = NULL,		/* a first chunk of nothing is one */
	.timeout = "421 %h: SMTP command timeout - closing connection",
	.timeout_data = "421 %h SMTP incoming data timeout - closing "
	    "connection.",
	.shutdown = "421 %h: Service not available - closing connection",
	.shutdown_data = "421 %h Service not available - SIGTERM or SIGINT "
	    "received - closing connection.",
	.local_error = "421 Temporary local problem - please try later",
	.unavailable = "421 Temporary local problem - please try later",
	/* smtp_accept_max_per_connection, smtp_accept_max_nonmail */
	.too_many_messages = "421 too many messages in this connection",
	.too_many_commands = "554 Too many nonmail commands",
	/* the daemon's smtp_accept_max_per_host and smtp_accept_max */
	.conn_per_ip = "421 Too many concurrent SMTP connections from this "
	    "IP address; please try again later.",
	.conn_per_worker = "421 Too many concurrent SMTP connections; please "
	    "try again later.",
},
{
	/* The texts are those of Exchange 2013's SmtpResponse table; see
	 * tests/data/personas/exchange-sources.txt. */
	.name = "exchange",
	.banner = "Microsoft ESMTP MAIL Service ready at",
	.ehlo_hello = " Hello",
	.ehlo = exchange_ehlo,
	.help = exchange_help,
	.flags = PF_HELO_REQUIRED | PF_CHUNKING | PF_BANNER_DATE |
	    PF_STARTTLS_IN_MAIL | PF_QUIT_NO_ARG | PF_EMPTY_PATH_BAD,
	.soft_error_limit = 0,		/* a tarpit per reply kind instead */
	.qid = PQ_EXCHANGE,
	.unknown = "500 5.3.3 Unrecognized command",
	.need_helo = "503 5.5.2 Send hello first",
	.nested_mail = "503 5.5.2 Sender already specified",
	.need_mail = "503 5.5.2 Need mail command",
	.need_rcpt = "503 5.5.2 Need rcpt command",
	.mail_ok = "250 2.1.0 Sender OK",
	.rcpt_ok = "250 2.1.5 Recipient OK",
	.data_go = "354 Start mail input; end with <CRLF>.<CRLF>",
	.queued = "250 2.6.0 <%i@%h> [InternalId=%n, Hostname=%h] "
	    "Queued mail for delivery",
	.rset_ok = "250 2.0.0 Resetting",
	.noop_ok = "250 2.0.0 OK",
	.quit = "221 2.0.0 Service closing transmission channel",
	.vrfy = "252 2.1.5 Cannot VRFY user",
	.expn = "502 5.3.3 Command not implemented",
	.etrn = NULL,			/* not a command it knows */
	.not_implemented = "502 5.3.3 Command not implemented",
	.line_too_long = "500 5.5.2 Command too long",
	.nul = "500 5.3.3 Unrecognized command",
	.bad_utf8 = "500 5.3.3 Unrecognized command",
	.http = NULL,
	.bad_sender = "501 5.1.7 Invalid address",
	.bad_rcpt = "501 5.1.3 Invalid address",
	.unsupported_option = "501 5.5.4 Invalid arguments",
	.need_smtputf8 = "501 5.1.7 Invalid address",
	.bdat_ok = "250 2.6.0 CHUNK received OK, %n octets",
	.bdat_queued = "250 2.6.0 <%i@%h> [InternalId=%m, Hostname=%h] "
	    "Queued mail for delivery",
	.auth_mechs = AUTH_ALL,
	.auth_ok = "235 2.7.0 Authentication successful",
	.auth_fail = "535 5.7.3 Authentication unsuccessful",
	.auth_aborted = "501 5.5.4 Authentication cancelled",
	.auth_bad_base64 = "501 5.5.4 Invalid arguments",
	.auth_bad_mech = "504 5.7.4 Unrecognized authentication type",
	.auth_twice = "503 5.5.2 Auth command already specified",
	.auth_need_helo = "503 5.5.2 Send hello first",
	.auth_in_mail = "503 5.5.1 Bad sequence of commands",
	.starttls_ready = "220 2.0.0 SMTP server ready",
	.starttls_unavailable = "454 4.7.0 Temporary authentication failure",
	.starttls_not_offered = "500 5.3.3 Unrecognized command",
	.starttls_active = "503 5.5.2 Only one STARTTLS command can be "
	    "issued per session",
	.too_many_errors = "421 4.7.0 Too many errors on this connection, "
	    "closing transmission channel",
	.empty_line = "500 5.3.3 Unrecognized command",
	.bad_args = "501 5.5.4 Invalid arguments",
	.helo_syntax = "501 5.0.0 %n requires domain address",
	.mail_syntax = "501 5.5.4 Unrecognized parameter",
	.rcpt_syntax = "501 5.5.4 Unrecognized parameter",
	.vrfy_syntax = NULL,		/* 252 whatever it names */
	.expn_syntax = NULL,		/* 502 whatever it names */
	.auth_no_mech = "504 5.7.4 Unrecognized authentication type",
	.starttls_in_mail = NULL,	/* PF_STARTTLS_IN_MAIL */
	.too_many_rcpts = "452 4.5.3 Too many recipients",
	.size_exceeded = "552 5.3.4 Message size exceeds fixed maximum "
	    "message size",
	.mail_in_bdat = "503 5.5.2 Sender already specified",
	.rcpt_in_bdat = "503 5.5.1 Bad sequence of commands",
	.data_in_bdat = "503 5.5.1 Bad sequence of commands",
	.bdat_syntax = "501 5.5.4 Invalid arguments",
	.bdat_null = "501 5.5.4 Invalid arguments",
	.timeout = "451 4.7.0 Timeout waiting for client input",
	/* its ConnectionTimeout: the whole session */
	.session_limit = "421 4.4.1 Connection timed out",
	.shutdown = "421 4.3.2 Service not available",
	.local_error = "421 4.3.2 System not accepting network messages",
	.unavailable = "421 4.3.2 Service not available",
	.too_many_messages = "421 4.4.2 Message submission rate for this "
	    "client has exceeded the configured limit",
	.too_many_commands = "421 4.4.2 Connection dropped",
	.conn_per_ip = "421 4.3.2 The maximum number of concurrent "
	    "connections has exceeded a limit, closing transmission channel",
	.conn_per_worker = "421 4.3.2 The maximum number of concurrent "
	    "server connections has exceeded a limit, closing transmission "
	    "channel",
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
	.etrn = "502 5.5.1 Error: command not implemented",
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
	.empty_line = "500 5.5.2 Error: bad syntax",
	.bad_args = "501 5.5.4 Syntax: %n",
	.helo_syntax = "501 Syntax: %n hostname",
	.mail_syntax = "501 5.5.4 Syntax: MAIL FROM:<address>",
	.rcpt_syntax = "501 5.5.4 Syntax: RCPT TO:<address>",
	.vrfy_syntax = "501 5.5.4 Syntax: VRFY address",
	.expn_syntax = "501 5.5.4 Syntax: EXPN mailing-list",
	.auth_no_mech = "501 5.5.4 Syntax: AUTH mechanism",
	.starttls_in_mail = "503 5.5.1 Error: MAIL transaction in progress",
	.too_many_rcpts = "452 4.5.3 Error: too many recipients",
	.size_exceeded = "552 5.3.4 Message size exceeds fixed limit",
	/* no CHUNKING: BDAT, well formed or not, is not implemented */
	.mail_in_bdat = "502 5.5.1 Error: command not implemented",
	.rcpt_in_bdat = "502 5.5.1 Error: command not implemented",
	.data_in_bdat = "502 5.5.1 Error: command not implemented",
	.bdat_syntax = "502 5.5.1 Error: command not implemented",
	.bdat_null = "502 5.5.1 Error: command not implemented",
	.timeout = "421 4.4.2 %h Error: timeout exceeded",
	.session_limit = "421 4.4.2 %h Error: session time limit exceeded",
	.shutdown = "421 4.3.2 %h Service shutting down",
	.local_error = "421 4.3.0 %h Error: local error",
	.unavailable = "421 4.3.2 %h Service not available, try again later",
	.too_many_messages = "421 4.7.0 %h Error: too many messages in this "
	    "session",
	.too_many_commands = "421 4.7.0 %h Error: too many commands",
	.conn_per_ip = "421 4.7.0 %h Error: too many connections from your "
	    "address",
	.conn_per_worker = "421 4.7.0 %h Error: too many connections, try "
	    "again later",
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
 * Copy a reply text, "%h" replaced by host, "%n" by arg, "%m" by arg2,
 * "%i" by id. Cut to fit; never a format string, so a text can hold any
 * '%'. What a client sent can hold any byte: in a reply, a byte that is
 * not printable ASCII becomes '?', as Postfix's smtpd prints it.
 */
void
persona_expand(char *dst, size_t len, const char *text, const char *host,
    const char *arg, const char *arg2, const char *id)
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
		else if (text[0] == '%' && text[1] == 'i')
			sub = id;
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

/* 64 bits of a seed, stirred (splitmix64's finaliser). */
static uint64_t
persona_mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/*
 * The message id a persona's MTA names in its queued reply besides the
 * queue id: Exchange's is a version 4 GUID in lower case, as .NET's
 * Guid.NewGuid() makes it. "" for the others. From the same seed as the
 * queue id: the same seed, the same id.
 */
void
persona_message_id(const struct persona *p, uint64_t seed, char *dst,
    size_t len)
{
	uint64_t a, b;

	if (p->qid != PQ_EXCHANGE) {
		snprintf(dst, len, "%s", "");
		return;
	}
	a = persona_mix(seed ^ 0x45786368ULL);
	b = persona_mix(a);
	snprintf(dst, len, "%08llx-%04llx-4%03llx-%04llx-%012llx",
	    (unsigned long long)(a >> 32),
	    (unsigned long long)((a >> 16) & 0xffff),
	    (unsigned long long)(a & 0xfff),
	    (unsigned long long)(0x8000 | ((b >> 48) & 0x3fff)),
	    (unsigned long long)(b & 0xffffffffffffULL));
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
