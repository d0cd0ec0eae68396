/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * persona: what one kind of real MTA shows a client, as one table per
 * persona: banner, EHLO keywords, every reply text, limits and the
 * queue-id format (its Received line is src/common/received.c's). Read
 * by the workers' SMTP sessions (smtp*.c); the parent looks a persona up
 * by name when it checks the configuration. The replies of rules only
 * one MTA has (Exim's address parser and BDAT rules, smtp_exim.c) stay
 * beside those rules; every reply the command code shares is here.
 */
#ifndef SPAMPOT_PERSONA_H
#define SPAMPOT_PERSONA_H

#include <stddef.h>
#include <stdint.h>

/* What a persona does beyond its texts. */
#define PF_HELO_REQUIRED	0x0001	/* MAIL and AUTH need HELO/EHLO */
#define PF_CHUNKING		0x0002	/* BDAT takes a message */
#define PF_CHECK_PARAMS		0x0004	/* MAIL/RCPT parameters checked */
#define PF_CHECK_ADDRESS	0x0008	/* address syntax and UTF-8 checked */
#define PF_HTTP_GOODBYE		0x0010	/* GET/POST/CONNECT/"Header:" end it */
#define PF_BANNER_DATE		0x0020	/* the banner ends with a date */
#define PF_BANNER_DATE_PAD	0x0040	/* ... with a zero-padded day */
#define PF_VRFY_ECHO		0x0080	/* VRFY answers with the argument */
#define PF_UTF8_COMMANDS	0x0100	/* bad UTF-8 in a command: 500 */
#define PF_RFC821_VERBS		0x0200	/* SEND SOML SAML TURN answered */
#define PF_QUIT_NO_ARG		0x0400	/* QUIT with an argument: bad_args */
#define PF_EMPTY_PATH_BAD	0x0800	/* "FROM:" alone: a bad address */
#define PF_STARTTLS_IN_MAIL	0x8000	/* STARTTLS taken in a transaction */
#define PF_VERB_ANY_SPACE	0x10000	/* any white space ends the verb */
#define PF_EXIM_RULES		0x20000	/* Exim's checks: smtp_exim.c */
#define PF_DATA_CRLF_END	0x40000	/* only CRLF.CRLF ends DATA */
#define PF_BDAT_SYNTAX_QUIT	0x80000	/* a bad BDAT line ends it */
#define PF_BDAT_ANY_LAST	0x100000 /* BDAT n junk: a chunk, not LAST */
#define PF_MAIL_FORGIVES	0x200000 /* a message taken: errors forgiven */
#define PF_CYRUS_SASL		0x400000 /* AUTH errors as Cyrus SASL's */

enum persona_qid {
	PQ_HASH10,	/* ten hex digits (rfc821: what spampot always did) */
	PQ_POSTFIX,	/* short id: 5 hex digits of microseconds, inode */
	PQ_EXIM,	/* Exim 4.96: base 62, 6-6-2 */
	PQ_EXCHANGE,	/* a 14-digit InternalId */
};

struct persona {
	const char	*name;
	const char	*banner;	/* after "220 hostname " */
	const char	*ehlo_hello;	/* "" or " Hello" after the name */
	const char *const *ehlo;	/* keywords; "SIZE" gets the limit */
	const char *const *help;	/* HELP lines, NULL: unknown verb */
	unsigned	 flags;
	/* Postfix's smtpd_soft_error_limit and smtpd_error_sleep_time:
	 * once the session has made this many errors, every reply waits
	 * error_sleep_ms (0: never). */
	unsigned	 soft_error_limit;
	unsigned	 error_sleep_ms;
	unsigned	 max_unknown;	/* unknown verbs before the end; 0: */
	const char	*too_many_unknown;	/* ... no such limit */
	unsigned	 max_data_line;	/* a longer line: data_line_refused */
	const char	*data_line_refused;	/* "%n": the longest, "%m" max */
	enum persona_qid qid;
	/* Replies, whole lines without CRLF; "%h" is the host name. */
	const char	*unknown;
	const char	*need_helo;
	const char	*nested_mail;
	const char	*need_mail;
	const char	*need_rcpt;
	const char	*mail_ok;
	const char	*rcpt_ok;
	const char	*data_go;
	const char	*queued;	/* "%n": queue id, "%i" message id */
	const char	*rset_ok;
	const char	*noop_ok;
	const char	*quit;
	const char	*vrfy;		/* "%n": the argument */
	const char	*expn;		/* NULL: unknown verb */
	const char	*etrn;		/* NULL: unknown verb */
	const char	*not_implemented;
	const char	*line_too_long;
	const char	*nul;		/* NULL: the line ends at a NUL */
	const char	*bad_utf8;
	const char	*http;
	const char	*bad_sender;
	const char	*bad_rcpt;
	const char	*unsupported_option;	/* "%n": the option */
	const char	*need_smtputf8;
	const char	*bdat_ok;	/* "%n" bytes */
	const char	*bdat_queued;	/* "%n" bytes, "%m" queue id, "%i" */
	const char	*bdat_last;	/* before it: "%n" bytes, "%m" total */
	const char	*auth_mechs;	/* taken, space separated */
	const char	*auth_ok;
	const char	*auth_fail;
	const char	*auth_aborted;
	const char	*auth_bad_base64;
	const char	*auth_bad_mech;
	const char	*auth_twice;
	const char	*auth_need_helo;
	const char	*auth_in_mail;
	const char	*starttls_ready;
	const char	*starttls_unavailable;	/* offered, failed to start */
	const char	*starttls_not_offered;
	const char	*starttls_active;
	const char	*too_many_errors;
	/* Syntax: "%n" is the verb where there is one. */
	const char	*empty_line;	/* NULL: an unknown command */
	const char	*bad_args;	/* an argument where none is taken */
	const char	*helo_syntax;	/* HELO, EHLO without a name */
	const char	*mail_syntax;	/* MAIL without FROM: */
	const char	*rcpt_syntax;	/* RCPT without TO: */
	const char	*vrfy_syntax;	/* VRFY alone; NULL: not checked */
	const char	*expn_syntax;	/* EXPN alone; NULL: not checked */
	const char	*etrn_need_helo;	/* NULL: etrn says it all */
	const char	*etrn_in_mail;
	const char	*etrn_syntax;
	const char	*etrn_bad_domain;	/* NULL: not checked */
	const char	*auth_no_mech;	/* AUTH alone */
	const char	*starttls_in_mail;	/* no PF_STARTTLS_IN_MAIL */
	const char	*param_ret;	/* PF_CHECK_PARAMS: a bad RET */
	const char	*param_notify;	/* ... a bad NOTIFY */
	const char	*param_size;	/* ... SIZE= not all digits */
	const char	*param_envid;	/* ... a bad or second ENVID */
	const char	*param_orcpt;	/* ... a bad or second ORCPT */
	/* The message and its envelope. */
	const char	*no_valid_rcpt;	/* DATA after MAIL; NULL: need_rcpt */
	const char	*too_many_rcpts;	/* max_recipients */
	const char	*size_exceeded;	/* max_message_size */
	const char	*mail_in_bdat;	/* between BDAT chunks */
	const char	*rcpt_in_bdat;
	const char	*data_in_bdat;
	const char	*bdat_syntax;
	const char	*bdat_null;	/* BDAT 0, not LAST */
	const char	*bdat_discarded;	/* "%n" bytes: the chunks after
					 * an error, up to LAST (Postfix) */
	/* The session ends (421 and the like). */
	const char	*timeout;
	const char	*timeout_data;	/* NULL: timeout */
	const char	*session_limit;	/* NULL: timeout (or timeout_data) */
	const char	*shutdown;
	const char	*shutdown_data;	/* NULL: shutdown */
	const char	*local_error;	/* the spool failed us */
	const char	*unavailable;	/* no spool file for a new client */
	const char	*too_many_messages;	/* max_messages */
	const char	*too_many_commands;	/* max_transcript */
	const char	*conn_per_ip;	/* max_sessions_per_ip */
	const char	*conn_per_worker;	/* max_sessions_per_worker */
};

const struct persona	*persona_find(const char *name);
const struct persona	*persona_default(void);
const char		*persona_names(void);
void			 persona_expand(char *, size_t, const char *,
			    const char *host, const char *arg,
			    const char *arg2, const char *id);
void			 persona_queue_id(const struct persona *,
			    uint64_t seed, char *, size_t);
void			 persona_message_id(const struct persona *,
			    uint64_t seed, char *, size_t);
void			 persona_banner_date(const struct persona *, char *,
			    size_t, int64_t t);

#endif
