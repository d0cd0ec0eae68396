/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * tls: the sensor's TLS (STARTTLS and implicit TLS on "/tls" listeners).
 * The parent makes the context and loads the key as root before it drops
 * privileges; the sandboxed workers inherit it and run one tls_conn per
 * session. OpenSSL never touches a socket: the worker hands it the bytes
 * it read and sends what it wrote (tls.c); tls_hello.c reads the client's
 * ClientHello for the spool's tls record.
 */
#ifndef SPAMPOT_TLS_H
#define SPAMPOT_TLS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "spoolfmt.h"

struct buf;
struct config;
struct tls_ctx;
struct tls_conn;

/* The ClientHello as sent: owns its lists (tls_hello.c). */
struct tls_hello {
	unsigned	 legacy_version;
	uint16_t	*ciphers;
	size_t		 nciphers;
	uint16_t	*extensions;
	size_t		 nextensions;
	uint16_t	*groups;
	size_t		 ngroups;
	uint16_t	*sigalgs;
	size_t		 nsigalgs;
	char		*point_formats;	/* bytes */
	size_t		 npoint_formats;
	uint16_t	*versions;
	size_t		 nversions;
	char		*sni;
	size_t		 sni_len;
	char		*alpn;		/* protocol_name_list as on the wire */
	size_t		 alpn_len;
	size_t		 size;		/* bytes of the handshake message */
};

/* What a tls_conn_* step came to. */
enum tls_step {
	TLS_MORE = 0,		/* wants more bytes from the client */
	TLS_DONE = 1,		/* handshake complete */
	TLS_FAILED = -1,	/* handshake failed: tls_conn_fail_record */
};

/* tls.c, the parent (as root) */
struct tls_ctx	*tls_ctx_new(const struct config *, char *err, size_t);
void		 tls_ctx_free(struct tls_ctx *);

/* tls.c, the worker */
struct tls_conn	*tls_conn_new(struct tls_ctx *, const char *id);
void		 tls_conn_free(struct tls_conn *);
enum tls_step	 tls_conn_input(struct tls_conn *, const char *, size_t);
ssize_t		 tls_conn_read(struct tls_conn *, char *, size_t);
int		 tls_conn_write(struct tls_conn *, struct buf *plain);
struct buf	*tls_conn_output(struct tls_conn *);
int		 tls_conn_open(const struct tls_conn *);
int		 tls_conn_record(struct tls_conn *, struct buf *);
int		 tls_conn_fail(struct tls_conn *, const char *stage,
		    const char *reason, struct buf *);
const char	*tls_conn_error(const struct tls_conn *);
const char	*tls_conn_sni(const struct tls_conn *);
unsigned	 tls_conn_renegotiations(const struct tls_conn *);
int		 tls_conn_raw(const struct tls_conn *, const char **,
		    size_t *);

/* tls_hello.c */
int		 tls_hello_parse(struct tls_hello *, const uint8_t *, size_t);
void		 tls_hello_clear(struct tls_hello *);
void		 tls_hello_spoolfmt(const struct tls_hello *,
		    struct spoolfmt_hello *);
int		 tls_hello_cut(const struct tls_hello *);

#endif
