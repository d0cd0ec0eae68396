/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * spool_read: the strict, bounded reader of spampot-spool(5) files, used by
 * the analyzer (and its tests); the grammar of each record is spoolfmt's.
 * Nothing in a file is trusted.
 */
#ifndef SPAMPOT_SPOOL_READ_H
#define SPAMPOT_SPOOL_READ_H

#include <stddef.h>
#include <stdint.h>

#include "spoolfmt.h"		/* struct spool_str */

struct spool_auth {
	struct spool_str	 mech;		/* as the client named it */
	char			 status[16];
	struct spool_str	 user;
	struct spool_str	 pass;
	struct spool_str	 authzid;
};

struct spool_message {
	unsigned		 n;
	struct spool_str	 from;
	struct spool_str	*rcpts;
	size_t			 nrcpts;
	unsigned char		*body;		/* as received, dot-unstuffed */
	size_t			 body_len;
	uint64_t		 size;		/* bytes the client sent */
	int			 truncated;
	int			 incomplete;	/* the session ended in DATA */
	unsigned		 bare_lf;
	char			 queue_id[24];
};

/* The session's tls or tls-fail record, and the fingerprints the
 * analyzer made of its ClientHello. */
struct spool_tls {
	int			 seen;		/* 0: no such record */
	int			 ok;		/* tls: 1; tls-fail: 0 */
	char			 version[16];	/* tls */
	struct spool_str	 cipher;
	struct spool_str	 alpn;		/* selected; unescaped */
	char			 stage[16];	/* tls-fail */
	struct spool_str	 reason;
	uint64_t		 bytes;
	int			 has_hello;	/* 0: the rest is empty */
	struct spool_str	 sni;		/* unescaped */
	struct spool_str	 alpns;		/* as in the file (escaped) */
	unsigned		 hello_version;
	struct spool_str	 ciphers, extensions, groups, sigalgs,
				 point_formats, versions;	/* "1,2" */
	int			 cut;
	struct spool_str	 ja3;		/* tlsprint.c */
	char			 ja3_hash[33];	/* "" where MD5 is refused */
	char			 ja4[37];
};

struct spool_session {
	int			 version;
	char			 session_id[17];
	struct spool_str	 sensor;
	char			 client_ip[64];
	unsigned		 client_port;
	char			 server_ip[64];
	unsigned		 server_port;
	char			 start[32];	/* 2026-11-26T16:11:16.123456Z */
	char			 end[32];
	char			 end_reason[16];
	char			 helo_verb[8];	/* the last HELO/EHLO */
	struct spool_str	 helo;
	struct spool_auth	*auths;
	size_t			 nauths;
	struct spool_message	*msgs;
	size_t			 nmsgs;
	char			*transcript;	/* the C and S records, as in
						 * the file (ASCII) */
	size_t			 transcript_len;
	uint64_t		 transcript_cut;	/* cut at this many
						 * bytes (max_transcript);
						 * 0: not cut */
	struct spool_tls	 tls;
};

int	spool_read(const char *data, size_t len, struct spool_session *,
	    char *err, size_t errlen);
void	spool_session_clear(struct spool_session *);
void	spool_tls_clear(struct spool_tls *);

#endif
