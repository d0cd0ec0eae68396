/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * persona: what one kind of real MTA shows a client, as one table per
 * persona: banner, EHLO keywords, every reply text, limits and the
 * queue-id format (its Received line is src/common/received.c's). Read by the workers' SMTP sessions (smtp*.c);
 * the parent looks a persona up by name when it checks the configuration.
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
#define PF_STARTTLS_IN_MAIL	0x8000	/* STARTTLS taken in a transaction */
#define PF_VERB_ANY_SPACE	0x10000	/* any white space ends the verb */
#define PF_EXIM_RULES		0x20000	/* Exim's checks: smtp_exim.c */
#define PF_DATA_CRLF_END	0x40000	/* only CRLF.CRLF ends DATA */
#define PF_CYRUS_SASL		0x80000	/* AUTH errors as Cyrus SASL's */

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
	unsigned	 soft_error_limit;	/* 0: no delay */
	unsigned	 max_unknown;	/* unknown verbs before the end; 0: */
	const char	*too_many_unknown;	/* ... no such limit */
	unsigned	 max_data_line;	/* a longer line: data_line_refused */
	const char	*data_line_refused;	/* "%n": the longest, "%m" max */
	enum persona_qid qid;
	/* Replies, whole lines without CRLF. */
	const char	*unknown;
	const char	*need_helo;
	const char	*nested_mail;
	const char	*need_mail;
	const char	*need_rcpt;
	const char	*mail_ok;
	const char	*rcpt_ok;
	const char	*data_go;
	const char	*queued;	/* "%n": the queue id */
	const char	*rset_ok;
	const char	*noop_ok;
	const char	*quit;		/* "%h" stands for the host name */
	const char	*vrfy;		/* "%n": the argument */
	const char	*expn;		/* NULL: unknown verb */
	const char	*etrn;		/* NULL: unknown verb */
	const char	*not_implemented;
	const char	*line_too_long;	/* "%h" stands for the host name */
	const char	*nul;		/* NULL: the line ends at a NUL */
	const char	*bad_utf8;
	const char	*http;
	const char	*bad_sender;
	const char	*bad_rcpt;
	const char	*unsupported_option;	/* "%n": the option */
	const char	*need_smtputf8;
	const char	*bdat_ok;	/* "%n" bytes */
	const char	*bdat_queued;	/* "%n" bytes, "%m" queue id */
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
	const char	*too_many_errors;	/* "%h": host name */
};

const struct persona	*persona_find(const char *name);
const struct persona	*persona_default(void);
const char		*persona_names(void);
void			 persona_expand(char *, size_t, const char *,
			    const char *host, const char *arg,
			    const char *arg2);
void			 persona_queue_id(const struct persona *,
			    uint64_t seed, char *, size_t);
void			 persona_banner_date(const struct persona *, char *,
			    size_t, int64_t t);

#endif
