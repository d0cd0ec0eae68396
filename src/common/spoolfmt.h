/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * spoolfmt: the spool file format, spampot-spool(5), the one contract
 * between the sensor (which writes it from attacker input, in its
 * sandboxed workers) and the analyzer (which reads it): the constants,
 * the \xHH escape and its inverse, one writer per record and the table
 * of records the reader dispatches on. Memory only: no I/O.
 */
#ifndef SPAMPOT_SPOOLFMT_H
#define SPAMPOT_SPOOLFMT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "buf.h"

#define SPOOL_VERSION		1
#define SPOOL_MAGIC		"spampot-spool"
#define SPOOL_NAME_MAX		128
#define SPOOL_BODY_DIGITS	10

/* A body record's line as it is opened; its length is patched when it
 * is closed (SPOOLFMT_BODY_AT: where the digits are). */
#define SPOOLFMT_BODY_HEAD	"body 0000000000\n"
#define SPOOLFMT_BODY_AT	5
#define SPOOLFMT_BODY_HEADLEN	(sizeof(SPOOLFMT_BODY_HEAD) - 1)

/* The escape: every byte outside printable ASCII, and the backslash, as
 * \xHH; with SPOOLFMT_ESC_SPACE the space too (a field that is one
 * token); with SPOOLFMT_ESC_KEEP_BS the backslash as it is (log lines
 * that hold text escaped once already; never in a spool file). */
#define SPOOLFMT_ESC_SPACE	1
#define SPOOLFMT_ESC_KEEP_BS	2
/* Longest escaped form of n bytes, plus the terminating NUL. */
#define SPOOLFMT_ESCAPED_MAX(n)	((n) * 4 + 1)
/* The sensor record holds at most this many bytes of escaped name. */
#define SPOOLFMT_SENSOR_MAX	255

/* Bytes from the file, unescaped: may hold anything, NUL-terminated. */
struct spool_str {
	char	*p;
	size_t	 len;
};

/* Every record but the first line (SPOOL_MAGIC SPOOL_VERSION). */
enum spoolfmt_type {
	SPOOLFMT_SESSION,
	SPOOLFMT_SENSOR,
	SPOOLFMT_CLIENT,
	SPOOLFMT_SERVER,
	SPOOLFMT_START,
	SPOOLFMT_C,		/* a line from the client */
	SPOOLFMT_S,		/* a reply line */
	SPOOLFMT_HELO,
	SPOOLFMT_AUTH,
	SPOOLFMT_AUTH_RAW,
	SPOOLFMT_MAIL,
	SPOOLFMT_RCPT,
	SPOOLFMT_RSET,
	SPOOLFMT_DATA,
	SPOOLFMT_BODY,
	SPOOLFMT_MESSAGE,
	SPOOLFMT_CUT,
	SPOOLFMT_END,
	SPOOLFMT_TLS,
	SPOOLFMT_TLS_FAIL,
	SPOOLFMT_NTYPES
};

/* What the writer of an auth record is given: bytes as decoded. */
struct spoolfmt_auth {
	const char	*mech;		/* as the client named it */
	const char	*status;
	const char	*user;
	size_t		 user_len;
	const char	*pass;
	size_t		 pass_len;
	const char	*authzid;
	size_t		 authzid_len;
};

/* A message record, written and read back. */
struct spoolfmt_message {
	unsigned	 n;
	uint64_t	 size;		/* bytes the client sent */
	uint64_t	 stored;	/* bytes in the body records */
	int		 truncated;
	unsigned	 bare_lf;
	int		 incomplete;	/* the session ended in DATA */
	char		 queue_id[24];	/* when complete (Exim: 16) */
};

/* Entries of a ClientHello list a tls record keeps; the rest is cut. */
#define SPOOLFMT_TLS_LIST_MAX	256
/* Bytes of an SNI or ALPN name a tls record keeps. */
#define SPOOLFMT_TLS_NAME_MAX	255

/* A ClientHello as the client sent it; numbers in wire order. */
struct spoolfmt_hello {
	unsigned	 legacy_version;
	const uint16_t	*ciphers;
	size_t		 nciphers;
	const uint16_t	*extensions;
	size_t		 nextensions;
	const uint16_t	*groups;
	size_t		 ngroups;
	const uint16_t	*sigalgs;
	size_t		 nsigalgs;
	const uint8_t	*point_formats;
	size_t		 npoint_formats;
	const uint16_t	*versions;	/* supported_versions */
	size_t		 nversions;
	const char	*sni;		/* host_name, raw */
	size_t		 sni_len;
	const char	*alpn;		/* protocol_name_list as on the wire:
					 * length-prefixed names */
	size_t		 alpn_len;
};

/* What the writer of a tls or tls-fail record is given. */
struct spoolfmt_tls {
	const char	*version;	/* "TLSv1.3"; NULL: tls-fail */
	const char	*cipher;	/* standard (IANA) name */
	const char	*alpn;		/* the protocol selected, or NULL */
	size_t		 alpn_len;
	const char	*stage;		/* tls-fail: hello, handshake, ... */
	const char	*reason;	/* tls-fail: a short text */
	uint64_t	 bytes;		/* tls-fail: bytes the client sent */
	const struct spoolfmt_hello *hello;	/* NULL: none was read */
};

/* One record as the reader parsed it; its strings are its own
 * (spoolfmt_rec_clear), until a reader takes them. */
struct spoolfmt_rec {
	enum spoolfmt_type	 type;
	union {
		char		 session[17];
		struct spool_str sensor;
		struct {
			char		 ip[64];
			unsigned	 port;
		} endpoint;			/* client, server */
		char		 start[32];
		struct {
			char		 eol[8];	/* C: crlf, lf, long */
			struct spool_str text;
		} line;				/* C, S */
		struct {
			char		 verb[8];
			struct spool_str name;
		} helo;
		struct {
			struct spool_str mech;
			char		 status[16];
			struct spool_str user;
			struct spool_str pass;
			struct spool_str authzid;
		} auth;
		struct spool_str raw;		/* auth-raw */
		struct {
			struct spool_str addr;
			struct spool_str params;	/* not checked: read
							 * when well-formed */
		} path;				/* mail, rcpt */
		unsigned	 data;
		uint64_t	 body;		/* bytes that follow the line */
		struct spoolfmt_message message;
		struct {
			char		 limit[16];
			uint64_t	 bytes;
		} cut;
		struct {
			char		 time[32];
			char		 reason[16];
		} end;
		struct {
			char		 version[16];	/* empty: tls-fail */
			struct spool_str cipher;
			struct spool_str alpn;
			char		 stage[16];	/* tls-fail */
			struct spool_str reason;
			uint64_t	 bytes;
			int		 has_hello;
			struct spool_str sni;
			/* As in the file, still escaped: split on ','
			 * and unescape each name. */
			struct spool_str alpns;
			unsigned	 hello_version;
			/* Decimal lists as in the file: "4866,4865". */
			struct spool_str ciphers;
			struct spool_str extensions;
			struct spool_str groups;
			struct spool_str sigalgs;
			struct spool_str point_formats;
			struct spool_str versions;
			int		 cut;
		} tls;				/* tls, tls-fail */
	} u;
};

/* The escape and its inverse */
size_t	 spoolfmt_escape(char *, size_t, const char *, size_t, int flags);
ssize_t	 spoolfmt_unescape(char *dst, const char *, size_t, int flags,
	    int *bad);

/* Writers: one record each, appended whole to the buffer, or nothing
 * (0, or -1 when the buffer cannot grow). */
int	 spoolfmt_magic(struct buf *);
int	 spoolfmt_session(struct buf *, const char *id);
int	 spoolfmt_sensor(struct buf *, const char *, size_t);
int	 spoolfmt_client(struct buf *, const char *ip, unsigned port);
int	 spoolfmt_server(struct buf *, const char *ip, unsigned port);
int	 spoolfmt_start(struct buf *, const char *stamp);
int	 spoolfmt_transcript(struct buf *, char dir, uint64_t ms,
	    const char *eol, const char *, size_t);
int	 spoolfmt_helo(struct buf *, const char *verb, const char *, size_t);
int	 spoolfmt_auth(struct buf *, const struct spoolfmt_auth *);
int	 spoolfmt_auth_raw(struct buf *, const char *, size_t);
int	 spoolfmt_mail(struct buf *, const char *addr, size_t,
	    const char *params, size_t);
int	 spoolfmt_rcpt(struct buf *, const char *addr, size_t,
	    const char *params, size_t);
int	 spoolfmt_rset(struct buf *);
int	 spoolfmt_data(struct buf *, unsigned n);
int	 spoolfmt_body_open(struct buf *);
int	 spoolfmt_body_close(struct buf *, size_t start);
void	 spoolfmt_body_digits(char *, uint64_t);
int	 spoolfmt_message(struct buf *, const struct spoolfmt_message *);
int	 spoolfmt_cut(struct buf *, uint64_t bytes);
int	 spoolfmt_end(struct buf *, const char *stamp, const char *reason);
int	 spoolfmt_tls(struct buf *, const struct spoolfmt_tls *);

/* The reader's side: the first line, then one record a line. */
int	 spoolfmt_parse_magic(const char *, char *err, size_t errlen);
int	 spoolfmt_parse(const char *, size_t, int in_data,
	    struct spoolfmt_rec *, char *err, size_t errlen);
void	 spoolfmt_rec_clear(struct spoolfmt_rec *);
void	 spoolfmt_str_clear(struct spool_str *);
const char *spoolfmt_name(enum spoolfmt_type);

#endif
