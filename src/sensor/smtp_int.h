/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * smtp_int: what smtp.c, smtp_cmd.c, smtp_auth.c and smtp_line.c share.
 * Not for other modules: they use smtp.h.
 */
#ifndef SPAMPOT_SMTP_INT_H
#define SPAMPOT_SMTP_INT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "persona.h"
#include "smtp.h"

/* Where the dialogue stands; a command lists the states it is valid in. */
enum smtp_state {
	SS_CONNECTED	= 1 << 0,	/* greeted, no HELO/EHLO yet */
	SS_READY	= 1 << 1,	/* after HELO/EHLO, no transaction */
	SS_MAIL		= 1 << 2,	/* MAIL accepted */
	SS_RCPT		= 1 << 3,	/* at least one RCPT accepted */
};
#define SS_ANY	(SS_CONNECTED | SS_READY | SS_MAIL | SS_RCPT)

/* How the next input is read: as commands, as message text, or as an
 * answer to an AUTH challenge. */
enum smtp_input {
	SI_COMMAND,
	SI_DATA,
	SI_AUTH_PLAIN,
	SI_AUTH_LOGIN_USER,
	SI_AUTH_LOGIN_PASS,
	SI_AUTH_CRAM,
	SI_AUTH_XOAUTH2,
	SI_AUTH_NTLM1,		/* NTLM type 1 to come */
	SI_AUTH_NTLM3,		/* NTLM type 3 to come */
	SI_AUTH_SCRAM1,		/* SCRAM client-first to come */
	SI_AUTH_SCRAM2,		/* SCRAM client-final to come */
	SI_BDAT,		/* the bytes of a BDAT chunk */
};

/* Dot-unstuffing state of the DATA reader at a line start. */
enum smtp_dot {
	SD_NONE,	/* inside a line */
	SD_BOL,		/* at the start of a line */
	SD_DOT,		/* line began with '.' */
	SD_DOTCR,	/* line began with ".\r" */
};

struct smtp_data {
	enum smtp_dot	 dot;
	int		 last_cr;	/* previous byte was '\r' */
	uint64_t	 size;		/* bytes received, unstuffed */
	uint64_t	 stored;	/* bytes kept */
	uint64_t	 line_len;
	uint64_t	 longest;	/* the longest line, its end not counted */
	int		 first_eol;	/* 0, or how the first line ended: */
#define SD_EOL_CRLF	1
#define SD_EOL_LF	2
	unsigned	 bare_lf;
	int		 too_big;
	int		 line_cut;
	uint64_t	 chunk;		/* bytes of the current BDAT chunk */
	struct smtp_bdat_size {		/* a BDAT message's size as told */
		uint64_t pf;		/* Postfix: its queue file's lines */
		unsigned pf_piece;	/* bytes of the line (piece) so far */
		unsigned pf_crs;	/* CRs that end it */
		int	 pf_held;	/* a full piece ending in CR */
		uint64_t ex;		/* Exim: its spool form, CRLF lines */
		int	 ex_cr;		/* a CR, the next byte decides */
		int	 ex_bol;	/* at the start of a line */
		int	 ex_hdr;	/* where in the header section */
		unsigned ex_seg;	/* the header's last line so far */
		int	 ex_seg_ws;	/* ... is only white space */
		uint64_t ex_trim;	/* the lines of white space before */
		uint64_t ex_line;	/* the line's length so far */
		uint64_t ex_longest;	/* the longest line, no line end */
	} bsize;
};

struct smtp_session {
	const struct config	*cf;
	const struct persona	*persona;
	struct spool_file	*spool;
	char			 id[32];
	char			 peer[48];	/* the client's address, or "" */
	enum smtp_state		 state;
	enum smtp_input		 input;
	enum smtp_end		 ended;
	struct buf		 in;
	size_t			 in_off;	/* processed, consumed at the end */
	struct buf		 out;
	uint64_t		 held_until;
	int			 discarding;	/* skipping a too long line */
	int			 authenticated;
	unsigned		 errors;
	unsigned		 messages;
	unsigned		 rcpts;
	int			(*tls_start)(void *);	/* NULL: no STARTTLS */
	void			*tls_arg;
	int			 tls_starting;	/* 220 said, handshake next */
	int			 tls_active;
	char			*auth_user;	/* AUTH LOGIN, between steps */
	size_t			 auth_user_len;
	struct smtp_data	 data;
	uint64_t		 bdat_left;	/* bytes of the chunk to read */
	int			 bdat_last;	/* the chunk is the last */
	const char		*bdat_reply;	/* error after the chunk */
	uint64_t		 bdat_size;	/* bytes the chunk announced */
	int			 bdat_failed;	/* Postfix: skip to LAST */
	int			 smtputf8;	/* MAIL said SMTPUTF8 */
	unsigned		 params_seen;	/* SMTP_SEEN_*, this command */
	int			 auth_initial;	/* AUTH with an initial response */
	const char		*auth_mech;	/* the mechanism under way */
	char			 auth_chal[160];	/* our challenge */
	size_t			 auth_chal_len;
	uint64_t		 auth_failures;	/* auth_accept fail-first */
	int			 in_bdat;	/* a BDAT message has begun */
	int			 esmtp;		/* EHLO, not HELO, since the start */
	unsigned		 unknown;	/* verbs the persona does not know */
	int			 rset_only;	/* Exim, after a command in BDAT */
	size_t			 pending;	/* input after this line */
	unsigned		 not_waited;	/* rules that found some */
	struct smtp_exim {		/* what Exim remembers (smtp_exim.c) */
		int	 sync;		/* DATA or BDAT seen: in step now */
		int	 last_rcpt;	/* the last command was a RCPT */
		int	 rcpt_same;	/* every RCPT got rcpt_reply */
		char	 rcpt_reply[512];	/* the first RCPT's answer */
	} exim;
};

/* The parameters Postfix takes once in a MAIL or RCPT command. */
#define SMTP_SEEN_RET		0x01
#define SMTP_SEEN_ENVID		0x02
#define SMTP_SEEN_NOTIFY	0x04
#define SMTP_SEEN_ORCPT		0x08

#define SMTP_REPLY_MAX	512	/* a reply line, CRLF included */

struct smtp_line {
	char		*text;		/* NUL-terminated copy */
	size_t		 len;
	const char	*eol;		/* "crlf", "lf" */
};

/* smtp.c */
void	smtp_reply(struct smtp_session *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	smtp_error(struct smtp_session *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	smtp_say(struct smtp_session *, const char *text, const char *arg);
void	smtp_say2(struct smtp_session *, const char *text, const char *arg,
	    const char *arg2);
void	smtp_say3(struct smtp_session *, const char *text, const char *arg,
	    const char *arg2, const char *id);
void	smtp_say_end(struct smtp_session *, const char *text, enum smtp_end);
void	smtp_hold_next(struct smtp_session *);
void	smtp_say_error(struct smtp_session *, const char *text,
	    const char *arg);
void	smtp_count_error(struct smtp_session *);
void	smtp_set_state(struct smtp_session *, enum smtp_state);
void	smtp_set_input(struct smtp_session *, enum smtp_input);
void	smtp_end_session(struct smtp_session *, enum smtp_end);
enum smtp_state smtp_effective_state(const struct smtp_session *);
void	smtp_dispatch(struct smtp_session *, struct smtp_line *);
void	smtp_reset_transaction(struct smtp_session *);
char	*smtp_escape(const char *, size_t, int);
void	smtp_record_message(struct smtp_session *, unsigned n, int truncated,
	    const char *qid);

/* smtp_cmd.c */
struct smtp_command {
	const char	*verb;
	unsigned	 states;
	size_t		 oos;	/* offsetof the persona's 503 text, or 0 */
	int		(*check)(struct smtp_session *, char *arg);
	void		(*act)(struct smtp_session *, char *arg);
};
const struct smtp_command *smtp_command_find(const struct smtp_session *,
	    const char *verb);
void	smtp_data_done(struct smtp_session *);
void	smtp_bdat_expect(struct smtp_session *, uint64_t n, int last,
	    const char *reply);
void	smtp_bdat_done(struct smtp_session *);

/* smtp_auth.c */
int	smtp_auth_check(struct smtp_session *, char *arg);
void	smtp_auth_act(struct smtp_session *, char *arg);
void	smtp_auth_answer(struct smtp_session *, struct smtp_line *);

/* smtp_tls.c */
int	smtp_tls_offered(const struct smtp_session *);
int	smtp_tls_check(struct smtp_session *, char *arg);
void	smtp_tls_act(struct smtp_session *, char *arg);
void	smtp_tls_discard(struct smtp_session *);

/* smtp_exim.c */
int	smtp_exim_verb_ok(const char *verb, const char *arg);
void	smtp_exim_trim(struct smtp_line *);
int	smtp_exim_helo_ok(const char *arg);
int	smtp_exim_check_mail(struct smtp_session *, const char *arg);
int	smtp_exim_check_rcpt(struct smtp_session *, const char *arg);
int	smtp_exim_unknown(struct smtp_session *);
void	smtp_exim_no_rcpt(struct smtp_session *, const char *verb);
void	smtp_exim_after(struct smtp_session *, const struct smtp_command *,
	    int had_mail, size_t out);
void	smtp_exim_reset(struct smtp_session *);
int	smtp_exim_refuse(struct smtp_session *, const struct smtp_command *,
	    char *arg);

/* smtp_line.c */
int	smtp_line_next(struct smtp_session *, struct smtp_line *,
	    size_t *used);
size_t	smtp_data_feed(struct smtp_session *, const char *, size_t,
	    int *done);
void	smtp_bdat_size_end(struct smtp_bdat_size *);
size_t	smtp_bdat_feed(struct smtp_session *, const char *, size_t,
	    int *done);

#endif
