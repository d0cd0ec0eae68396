/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * tls: the sensor's OpenSSL context and the per-session TLS of a worker.
 *
 * The parent makes the context and loads certificate and key while still
 * root, before it drops privileges (tls_ctx_new; also what "spampotd -t"
 * checks); the workers inherit it through fork and never open a file for
 * TLS. In a worker (unprivileged, seccomp and Landlock), OpenSSL never
 * touches a socket: a BIO of ours reads from the bytes the worker's
 * recv() got and writes into a buffer the worker's send() drains, so the
 * worker's system calls stay what they were. Renegotiation is refused
 * (SSL_OP_NO_RENEGOTIATION) and counted; buffers are released while a
 * session is idle (SSL_MODE_RELEASE_BUFFERS); there is no session cache
 * to grow. The ClientHello is taken from OpenSSL's message callback,
 * whole and as sent (tls_hello.c), for the spool's tls record.
 */
#include "autoconf.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "buf.h"
#include "conf.h"
#include "log.h"
#include "spoolfmt.h"
#include "tls.h"

#define TLS_RAW_MAX		1024	/* bytes kept until a ClientHello */
#define TLS_RENEG_MAX		3	/* attempts before the session ends */

struct tls_ctx {
	SSL_CTX		*ssl;
};

struct tls_conn {
	SSL		*ssl;
	const char	*in;		/* what the worker read, not yet taken */
	size_t		 in_len;
	struct buf	 out;		/* for the worker to send */
	uint64_t	 bytes;		/* from the client, in all */
	struct tls_hello hello;
	int		 has_hello;
	int		 open;		/* handshake complete */
	unsigned	 renegotiations;
	char		*raw;		/* first bytes, until a ClientHello */
	size_t		 raw_len;
	char		 id[32];
	char		 err[128];
};

static BIO_METHOD *tls_bio_method;

static int
tls_bio_read(BIO *b, char *dst, int len)
{
	struct tls_conn *t = BIO_get_data(b);
	size_t n;

	BIO_clear_retry_flags(b);
	if (t->in_len == 0 || len <= 0) {
		BIO_set_retry_read(b);
		return -1;
	}
	n = t->in_len < (size_t)len ? t->in_len : (size_t)len;
	memcpy(dst, t->in, n);
	t->in += n;
	t->in_len -= n;
	return (int)n;
}

static int
tls_bio_write(BIO *b, const char *src, int len)
{
	struct tls_conn *t = BIO_get_data(b);

	BIO_clear_retry_flags(b);
	if (len < 0 || buf_append(&t->out, src, (size_t)len) == -1)
		return -1;
	return len;
}

static long
tls_bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	(void)b;
	(void)num;
	(void)ptr;
	return cmd == BIO_CTRL_FLUSH ? 1 : 0;
}

static int
tls_bio_create(BIO *b)
{
	BIO_set_init(b, 1);
	return 1;
}

static int
tls_bio_method_init(void)
{
	if (tls_bio_method != NULL)
		return 0;
	tls_bio_method = BIO_meth_new(BIO_get_new_index() |
	    BIO_TYPE_SOURCE_SINK, "spampot worker");
	if (tls_bio_method == NULL ||
	    !BIO_meth_set_read(tls_bio_method, tls_bio_read) ||
	    !BIO_meth_set_write(tls_bio_method, tls_bio_write) ||
	    !BIO_meth_set_ctrl(tls_bio_method, tls_bio_ctrl) ||
	    !BIO_meth_set_create(tls_bio_method, tls_bio_create))
		return -1;
	return 0;
}

/* The ClientHello, whole; our no_renegotiation alerts, counted. */
static void
tls_msg_cb(int write_p, int version, int type, const void *buf, size_t len,
    SSL *ssl, void *arg)
{
	struct tls_conn *t = arg;
	const uint8_t *p = buf;

	(void)version;
	(void)ssl;
	if (t == NULL || len < 2)
		return;
	if (!write_p && type == SSL3_RT_HANDSHAKE && p[0] == 1 &&
	    !t->has_hello && !t->open) {
		if (tls_hello_parse(&t->hello, p, len) == 0) {
			t->has_hello = 1;
			free(t->raw);
			t->raw = NULL;
			t->raw_len = 0;
		}
	} else if (write_p && type == SSL3_RT_ALERT &&
	    p[1] == SSL_AD_NO_RENEGOTIATION)
		t->renegotiations++;
}

/* OpenSSL's reason for what failed last, for logs and records. */
static void
tls_error_text(char *dst, size_t len, const char *dflt)
{
	unsigned long e = ERR_peek_last_error();
	const char *r = e != 0 ? ERR_reason_error_string(e) : NULL;

	snprintf(dst, len, "%s", r != NULL ? r : dflt);
	ERR_clear_error();
}

/* Can the parent (root) read it? Named with its line when not. */
static int
tls_ctx_readable(const struct config *cf, const char *key, const char *path,
    int line, char *err, size_t errlen)
{
	FILE *fp;

	if ((fp = fopen(path, "re")) != NULL) {
		fclose(fp);
		return 0;
	}
	snprintf(err, errlen, "%s:%d: %s %s: %s", cf->path, line, key, path,
	    strerror(errno));
	return -1;
}

static int
tls_ctx_mismatch(const struct config *cf, char *err, size_t len)
{
	ERR_clear_error();
	snprintf(err, len, "%s:%d: tls_key_file %s is not the key of "
	    "tls_cert_file %s", cf->path, cf->tls_key_line, cf->tls_key_file,
	    cf->tls_cert_file);
	return -1;
}

static int
tls_ctx_load(SSL_CTX *ctx, const struct config *cf, char *err, size_t len)
{
	char why[128];

	if (tls_ctx_readable(cf, "tls_cert_file", cf->tls_cert_file,
	    cf->tls_cert_line, err, len) == -1 ||
	    tls_ctx_readable(cf, "tls_key_file", cf->tls_key_file,
	    cf->tls_key_line, err, len) == -1)
		return -1;
	if (SSL_CTX_use_certificate_chain_file(ctx, cf->tls_cert_file) != 1) {
		tls_error_text(why, sizeof(why), "not a PEM certificate");
		snprintf(err, len, "%s:%d: tls_cert_file %s: %s", cf->path,
		    cf->tls_cert_line, cf->tls_cert_file, why);
		return -1;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, cf->tls_key_file,
	    SSL_FILETYPE_PEM) != 1) {
		if (ERR_GET_REASON(ERR_peek_last_error()) ==
		    X509_R_KEY_VALUES_MISMATCH)
			return tls_ctx_mismatch(cf, err, len);
		tls_error_text(why, sizeof(why), "not a PEM private key");
		snprintf(err, len, "%s:%d: tls_key_file %s: %s", cf->path,
		    cf->tls_key_line, cf->tls_key_file, why);
		return -1;
	}
	/* a key of another certificate of the same type: OpenSSL drops the
	 * certificate and its reason says "no certificate assigned" */
	if (SSL_CTX_check_private_key(ctx) != 1)
		return tls_ctx_mismatch(cf, err, len);
	return 0;
}

/*
 * The context, or NULL with err set. No certificate configured: NULL and
 * err empty (no TLS at all). TLS 1.0 to 1.3 as far as the system's
 * OpenSSL security level allows, as a Debian Postfix does.
 */
struct tls_ctx *
tls_ctx_new(const struct config *cf, char *err, size_t len)
{
	struct tls_ctx *tc = NULL;
	SSL_CTX *ctx = NULL;

	err[0] = '\0';
	if (cf->tls_cert_file[0] == '\0')
		return NULL;
	if (tls_bio_method_init() == -1 ||
	    (ctx = SSL_CTX_new(TLS_server_method())) == NULL ||
	    (tc = calloc(1, sizeof(*tc))) == NULL) {
		snprintf(err, len, "%s: TLS: out of memory", cf->path);
		goto fail;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION);
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION |
	    SSL_OP_NO_COMPRESSION);
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_msg_callback(ctx, tls_msg_cb);
	if (tls_ctx_load(ctx, cf, err, len) == -1)
		goto fail;
	tc->ssl = ctx;
	return tc;
fail:
	SSL_CTX_free(ctx);
	free(tc);
	return NULL;
}

void
tls_ctx_free(struct tls_ctx *tc)
{
	if (tc == NULL)
		return;
	SSL_CTX_free(tc->ssl);
	free(tc);
}

struct tls_conn *
tls_conn_new(struct tls_ctx *tc, const char *id)
{
	struct tls_conn *t;
	BIO *bio;

	if (tc == NULL || (t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	snprintf(t->id, sizeof(t->id), "%s", id);
	if ((t->ssl = SSL_new(tc->ssl)) == NULL ||
	    (bio = BIO_new(tls_bio_method)) == NULL) {
		SSL_free(t->ssl);
		free(t);
		ERR_clear_error();
		return NULL;
	}
	BIO_set_data(bio, t);
	SSL_set_bio(t->ssl, bio, bio);
	SSL_set_msg_callback_arg(t->ssl, t);
	SSL_set_accept_state(t->ssl);
	return t;
}

void
tls_conn_free(struct tls_conn *t)
{
	if (t == NULL)
		return;
	SSL_free(t->ssl);
	buf_release(&t->out);
	tls_hello_clear(&t->hello);
	free(t->raw);
	free(t);
}

/* Keep the first bytes while no ClientHello was read: a client that
 * sends something else after STARTTLS has it in the transcript. */
static void
tls_conn_keep_raw(struct tls_conn *t, const char *p, size_t n)
{
	char *r;

	if (t->has_hello || t->open || t->raw_len >= TLS_RAW_MAX)
		return;
	if (n > TLS_RAW_MAX - t->raw_len)
		n = TLS_RAW_MAX - t->raw_len;
	if (t->raw == NULL && (t->raw = malloc(TLS_RAW_MAX)) == NULL)
		return;
	r = t->raw;
	memcpy(r + t->raw_len, p, n);
	t->raw_len += n;
}

/*
 * Bytes the worker read. During the handshake they drive it; after it,
 * tls_conn_read takes them. Either way they are all taken before the
 * worker reads again (the plaintext by as many tls_conn_read calls as it
 * takes, until it returns 0).
 */
enum tls_step
tls_conn_input(struct tls_conn *t, const char *p, size_t n)
{
	int rc;

	t->in = p;
	t->in_len = n;
	t->bytes += n;
	if (t->open)
		return TLS_DONE;
	tls_conn_keep_raw(t, p, n);
	ERR_clear_error();
	if ((rc = SSL_do_handshake(t->ssl)) == 1) {
		t->open = 1;
		free(t->raw);
		t->raw = NULL;
		t->raw_len = 0;
		return TLS_DONE;
	}
	switch (SSL_get_error(t->ssl, rc)) {
	case SSL_ERROR_WANT_READ:
	case SSL_ERROR_WANT_WRITE:
		return TLS_MORE;
	default:
		tls_error_text(t->err, sizeof(t->err), "handshake failure");
		t->in_len = 0;
		return TLS_FAILED;
	}
}

/*
 * Plaintext from what tls_conn_input was given: > 0 bytes, 0 when it is
 * all taken, -1 when the session is over (close_notify, an error, too
 * many renegotiation attempts: tls_conn_error says which).
 */
ssize_t
tls_conn_read(struct tls_conn *t, char *dst, size_t len)
{
	unsigned before = t->renegotiations;
	int n;

	ERR_clear_error();
	n = SSL_read(t->ssl, dst, len > INT_MAX ? INT_MAX : (int)len);
	if (t->renegotiations != before) {
		log_info("%s tls renegotiation refused n=%u", t->id,
		    t->renegotiations);
		if (t->renegotiations >= TLS_RENEG_MAX) {
			log_info("%s tls limit renegotiations=%u", t->id,
			    t->renegotiations);
			snprintf(t->err, sizeof(t->err), "renegotiation");
			return -1;
		}
	}
	if (n > 0)
		return n;
	switch (SSL_get_error(t->ssl, n)) {
	case SSL_ERROR_WANT_READ:
	case SSL_ERROR_WANT_WRITE:
		return 0;
	case SSL_ERROR_ZERO_RETURN:
		snprintf(t->err, sizeof(t->err), "close_notify");
		return -1;
	default:
		tls_error_text(t->err, sizeof(t->err), "read error");
		t->in_len = 0;
		return -1;
	}
}

/* Encrypt what the session said into tls_conn_output. */
int
tls_conn_write(struct tls_conn *t, struct buf *plain)
{
	int n;

	while (t->open && plain->len > 0) {
		ERR_clear_error();
		n = SSL_write(t->ssl, plain->data, plain->len > INT_MAX ?
		    INT_MAX : (int)plain->len);
		if (n <= 0) {
			tls_error_text(t->err, sizeof(t->err), "write error");
			return -1;
		}
		buf_consume(plain, (size_t)n);
	}
	return 0;
}

struct buf *
tls_conn_output(struct tls_conn *t)
{
	return &t->out;
}

int
tls_conn_open(const struct tls_conn *t)
{
	return t->open;
}

/* The server name the client asked for, or NULL. */
const char *
tls_conn_sni(const struct tls_conn *t)
{
	return SSL_get_servername(t->ssl, TLSEXT_NAMETYPE_host_name);
}

const char *
tls_conn_error(const struct tls_conn *t)
{
	return t->err;
}

unsigned
tls_conn_renegotiations(const struct tls_conn *t)
{
	return t->renegotiations;
}

/* The bytes kept of a client that sent no ClientHello. */
int
tls_conn_raw(const struct tls_conn *t, const char **p, size_t *n)
{
	*p = t->raw;
	*n = t->raw_len;
	return t->raw_len > 0;
}

static void
tls_conn_log_hello(const struct tls_conn *t)
{
	if (t->has_hello && tls_hello_cut(&t->hello))
		log_info("%s tls limit hello bytes=%zu ciphers=%zu "
		    "extensions=%zu: lists cut at %d", t->id, t->hello.size,
		    t->hello.nciphers, t->hello.nextensions,
		    SPOOLFMT_TLS_LIST_MAX);
}

/*
 * The tls record of a completed handshake, and its log line. The
 * ClientHello's lists are freed after: an idle session keeps little.
 */
int
tls_conn_record(struct tls_conn *t, struct buf *b)
{
	struct spoolfmt_hello sh;
	struct spoolfmt_tls rec;
	const unsigned char *alpn = NULL;
	unsigned alpn_len = 0;
	char sni[SPOOLFMT_ESCAPED_MAX(64)];
	int rc = -1;

	tls_hello_spoolfmt(&t->hello, &sh);
	memset(&rec, 0, sizeof(rec));
	rec.version = SSL_get_version(t->ssl);
	rec.cipher = SSL_CIPHER_standard_name(SSL_get_current_cipher(t->ssl));
	if (rec.cipher == NULL)
		rec.cipher = "";
	SSL_get0_alpn_selected(t->ssl, &alpn, &alpn_len);
	rec.alpn = (const char *)alpn;
	rec.alpn_len = alpn_len;
	rec.hello = &sh;
	if (b != NULL)
		rc = spoolfmt_tls(b, &rec);
	spoolfmt_escape(sni, sizeof(sni), t->hello.sni != NULL ?
	    t->hello.sni : "", t->hello.sni_len > 64 ? 64 : t->hello.sni_len,
	    SPOOLFMT_ESC_SPACE);
	log_info("%s tls version=%s cipher=%s sni=%s", t->id, rec.version,
	    rec.cipher, sni[0] != '\0' ? sni : "-");
	tls_conn_log_hello(t);
	tls_hello_clear(&t->hello);
	return rc;
}

/* The tls-fail record of a handshake that did not complete, and its log
 * line. stage NULL: "hello" or "handshake", as far as it got; reason
 * NULL: OpenSSL's. */
int
tls_conn_fail(struct tls_conn *t, const char *stage, const char *reason,
    struct buf *b)
{
	struct spoolfmt_hello sh;
	struct spoolfmt_tls rec;
	int rc = -1;

	if (stage == NULL)
		stage = t->has_hello ? "handshake" : "hello";
	if (reason == NULL)
		reason = t->err[0] != '\0' ? t->err : "unknown";
	tls_hello_spoolfmt(&t->hello, &sh);
	memset(&rec, 0, sizeof(rec));
	rec.stage = stage;
	rec.reason = reason;
	rec.bytes = t->bytes;
	rec.hello = t->has_hello ? &sh : NULL;
	if (b != NULL)
		rc = spoolfmt_tls(b, &rec);
	log_info("%s tls fail stage=%s reason=\"%s\" bytes=%llu hello=%s",
	    t->id, stage, reason, (unsigned long long)t->bytes,
	    t->has_hello ? "yes" : "no");
	if (!t->has_hello && t->bytes > TLS_RAW_MAX)
		log_info("%s tls limit raw bytes=%llu: first %d kept", t->id,
		    (unsigned long long)t->bytes, TLS_RAW_MAX);
	tls_conn_log_hello(t);
	tls_hello_clear(&t->hello);
	return rc;
}
