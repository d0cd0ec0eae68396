/*
 * test_tls: the worker's TLS (src/sensor/tls.c) and the ClientHello
 * capture (tls_hello.c), without sockets: an OpenSSL client over memory
 * BIOs talks to a tls_conn made from a context that loaded a certificate
 * made here. The tls record must hold what the client offered, in its
 * order; a ClientHello cut anywhere is refused, never overread.
 */
#include "autoconf.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "buf.h"
#include "conf.h"
#include "spoolfmt.h"
#include "tls.h"

static char dir[] = "/tmp/test_tls.XXXXXX";
static char cert_path[128], key_path[128], key2_path[128];

static void
write_key(EVP_PKEY *pk, const char *path)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	assert_int_equal(PEM_write_PrivateKey(fp, pk, NULL, NULL, 0, NULL,
	    NULL), 1);
	fclose(fp);
}

/* A self-signed P-256 certificate and its key, and a second key. */
static int
setup(void **state)
{
	EVP_PKEY *pk, *pk2;
	X509 *x;
	FILE *fp;

	(void)state;
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(cert_path, sizeof(cert_path), "%s/cert.pem", dir);
	snprintf(key_path, sizeof(key_path), "%s/key.pem", dir);
	snprintf(key2_path, sizeof(key2_path), "%s/other.pem", dir);
	pk = EVP_EC_gen("P-256");
	pk2 = EVP_EC_gen("P-256");
	x = X509_new();
	if (pk == NULL || pk2 == NULL || x == NULL)
		return -1;
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_set_pubkey(x, pk);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN",
	    MBSTRING_ASC, (const unsigned char *)"mx.test", -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(x));
	if (X509_sign(x, pk, EVP_sha256()) == 0)
		return -1;
	if ((fp = fopen(cert_path, "w")) == NULL)
		return -1;
	PEM_write_X509(fp, x);
	fclose(fp);
	write_key(pk, key_path);
	write_key(pk2, key2_path);
	X509_free(x);
	EVP_PKEY_free(pk);
	EVP_PKEY_free(pk2);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	unlink(cert_path);
	unlink(key_path);
	unlink(key2_path);
	rmdir(dir);
	return 0;
}

static struct tls_ctx *
ctx_from(const char *cert, const char *key, struct config *cf, char *err,
    size_t len)
{
	char text[512];

	snprintf(text, sizeof(text), "hostname = mx.test\ntls_cert_file = %s\n"
	    "tls_key_file = %s\n", cert, key);
	assert_int_equal(conf_parse_buffer(cf, "t.conf", text, strlen(text),
	    err, len), 0);
	return tls_ctx_new(cf, err, len);
}

/* An OpenSSL client over memory BIOs. */
struct client {
	SSL_CTX	*ctx;
	SSL	*ssl;
	BIO	*in;	/* what the server sent */
	BIO	*out;	/* what the client sends */
};

static void
client_new(struct client *c, int tls12)
{
	static const unsigned char alpn[] = "\x04smtp\x02h2";

	assert_non_null(c->ctx = SSL_CTX_new(TLS_client_method()));
	if (tls12) {
		SSL_CTX_set_max_proto_version(c->ctx, TLS1_2_VERSION);
		assert_int_equal(SSL_CTX_set_cipher_list(c->ctx,
		    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-SHA"), 1);
	}
	assert_non_null(c->ssl = SSL_new(c->ctx));
	c->in = BIO_new(BIO_s_mem());
	c->out = BIO_new(BIO_s_mem());
	SSL_set_bio(c->ssl, c->in, c->out);
	SSL_set_connect_state(c->ssl);
	SSL_set_tlsext_host_name(c->ssl, "unit.example");
	SSL_set_alpn_protos(c->ssl, alpn, sizeof(alpn) - 1);
}

static void
client_free(struct client *c)
{
	SSL_free(c->ssl);
	SSL_CTX_free(c->ctx);
}

/* What the client has to send, into dst. */
static size_t
client_take(struct client *c, char *dst, size_t len)
{
	int n = BIO_read(c->out, dst, (int)len);

	return n > 0 ? (size_t)n : 0;
}

/* The server's output to the client. */
static void
server_to_client(struct tls_conn *t, struct client *c)
{
	struct buf *out = tls_conn_output(t);

	if (out->len > 0) {
		BIO_write(c->in, out->data, (int)out->len);
		buf_consume(out, out->len);
	}
}

/* Run the handshake, the client's bytes handed over step bytes at a
 * time (0: as they come). */
static void
handshake(struct tls_conn *t, struct client *c, size_t step)
{
	char buf[65536];
	size_t n, i, k;
	enum tls_step st = TLS_MORE;
	int rounds;

	for (rounds = 0; rounds < 20; rounds++) {
		SSL_do_handshake(c->ssl);
		n = client_take(c, buf, sizeof(buf));
		for (i = 0; i < n; i += k) {
			k = step == 0 || n - i < step ? n - i : step;
			st = tls_conn_input(t, buf + i, k);
			assert_int_not_equal(st, TLS_FAILED);
		}
		server_to_client(t, c);
		if (st == TLS_DONE && SSL_is_init_finished(c->ssl))
			return;
	}
	fail_msg("handshake did not complete");
}

static void
test_handshake_record(void **state)
{
	struct config cf;
	struct tls_ctx *tc;
	struct tls_conn *t;
	struct client c;
	struct buf rec = { 0 }, plain = { 0 };
	char err[512], buf[256];
	ssize_t n;
	const char *want = "tls version=TLSv1.2 "
	    "cipher=TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 alpn= "
	    "sni=unit.example alpns=smtp,h2 hello_version=771 "
	    "ciphers=49195,49162,255 extensions=0,11,10,35,16,22,23,13 ";

	(void)state;
	assert_non_null(tc = ctx_from(cert_path, key_path, &cf, err,
	    sizeof(err)));
	assert_non_null(t = tls_conn_new(tc, "0123456789abcdef"));
	client_new(&c, 1);
	handshake(t, &c, 1);	/* the ClientHello one byte at a time */
	assert_true(tls_conn_open(t));
	assert_string_equal(tls_conn_sni(t), "unit.example");
	assert_int_equal(tls_conn_record(t, &rec), 0);
	assert_int_equal(buf_append(&rec, "", 1), 0);	/* a C string now */
	assert_true(rec.len > strlen(want));
	if (memcmp(rec.data, want, strlen(want)) != 0)
		fail_msg("record: %.*s", (int)rec.len, rec.data);
	assert_non_null(strstr(rec.data, " groups=29,"));
	assert_non_null(strstr(rec.data, " point_formats=0"));
	assert_non_null(strstr(rec.data, " cut=0"));

	/* data both ways */
	assert_int_equal(SSL_write(c.ssl, "EHLO x\r\n", 8), 8);
	n = (ssize_t)client_take(&c, buf, sizeof(buf));
	assert_int_equal(tls_conn_input(t, buf, (size_t)n), TLS_DONE);
	assert_int_equal(tls_conn_read(t, buf, sizeof(buf)), 8);
	assert_memory_equal(buf, "EHLO x\r\n", 8);
	assert_int_equal(tls_conn_read(t, buf, sizeof(buf)), 0);
	assert_int_equal(buf_append(&plain, "250 ok\r\n", 8), 0);
	assert_int_equal(tls_conn_write(t, &plain), 0);
	assert_int_equal(plain.len, 0);
	server_to_client(t, &c);
	assert_int_equal(SSL_read(c.ssl, buf, sizeof(buf)), 8);
	assert_memory_equal(buf, "250 ok\r\n", 8);

	/* close_notify ends the session */
	SSL_shutdown(c.ssl);
	n = (ssize_t)client_take(&c, buf, sizeof(buf));
	tls_conn_input(t, buf, (size_t)n);
	assert_int_equal(tls_conn_read(t, buf, sizeof(buf)), -1);
	assert_string_equal(tls_conn_error(t), "close_notify");

	buf_release(&rec);
	buf_release(&plain);
	client_free(&c);
	tls_conn_free(t);
	tls_ctx_free(tc);
	conf_clear(&cf);
}

/* TLS 1.3 with OpenSSL's defaults, the hello as it comes. */
static void
test_handshake_tls13(void **state)
{
	struct config cf;
	struct tls_ctx *tc;
	struct tls_conn *t;
	struct client c;
	struct buf rec = { 0 };
	char err[512];

	(void)state;
	assert_non_null(tc = ctx_from(cert_path, key_path, &cf, err,
	    sizeof(err)));
	assert_non_null(t = tls_conn_new(tc, "0123456789abcdef"));
	client_new(&c, 0);
	handshake(t, &c, 0);
	assert_int_equal(tls_conn_record(t, &rec), 0);
	assert_int_equal(buf_append(&rec, "", 1), 0);
	assert_true(strncmp(rec.data, "tls version=TLSv1.3 cipher=TLS_AES_", 35)
	    == 0);
	assert_non_null(strstr(rec.data, " versions=772,771"));
	buf_release(&rec);
	client_free(&c);
	tls_conn_free(t);
	tls_ctx_free(tc);
	conf_clear(&cf);
}

/* Not TLS at all: a tls-fail at the hello stage, the bytes kept. */
static void
test_garbage(void **state)
{
	struct config cf;
	struct tls_ctx *tc;
	struct tls_conn *t;
	struct buf rec = { 0 };
	const char *raw;
	size_t n;
	char err[512];
	const char junk[] = "EHLO plain.example\r\n";

	(void)state;
	assert_non_null(tc = ctx_from(cert_path, key_path, &cf, err,
	    sizeof(err)));
	assert_non_null(t = tls_conn_new(tc, "0123456789abcdef"));
	assert_int_equal(tls_conn_input(t, junk, sizeof(junk) - 1),
	    TLS_FAILED);
	assert_true(tls_conn_raw(t, &raw, &n));
	assert_int_equal(n, sizeof(junk) - 1);
	assert_memory_equal(raw, junk, n);
	assert_int_equal(tls_conn_fail(t, NULL, NULL, &rec), 0);
	assert_int_equal(buf_append(&rec, "", 1), 0);
	if (strcmp(rec.data, "tls-fail stage=hello "
	    "reason=wrong\\x20version\\x20number bytes=20\n") != 0)
		fail_msg("record: %s", rec.data);
	buf_release(&rec);
	tls_conn_free(t);
	tls_ctx_free(tc);
	conf_clear(&cf);
}

/* A failure after the ClientHello: stage handshake, the hello kept. */
static void
test_no_shared_cipher(void **state)
{
	struct config cf;
	struct tls_ctx *tc;
	struct tls_conn *t;
	struct client c;
	struct buf rec = { 0 };
	char err[512], buf[4096];
	size_t n;
	const char *want = "tls-fail stage=handshake "
	    "reason=no\\x20shared\\x20cipher bytes=";

	(void)state;
	assert_non_null(tc = ctx_from(cert_path, key_path, &cf, err,
	    sizeof(err)));
	assert_non_null(t = tls_conn_new(tc, "0123456789abcdef"));
	client_new(&c, 1);
	/* RSA only, against an ECDSA certificate */
	assert_int_equal(SSL_set_cipher_list(c.ssl,
	    "ECDHE-RSA-AES128-GCM-SHA256"), 1);
	SSL_do_handshake(c.ssl);
	n = client_take(&c, buf, sizeof(buf));
	assert_int_equal(tls_conn_input(t, buf, n), TLS_FAILED);
	assert_int_equal(tls_conn_fail(t, NULL, NULL, &rec), 0);
	assert_int_equal(buf_append(&rec, "", 1), 0);
	if (strncmp(rec.data, want, strlen(want)) != 0 ||
	    strstr(rec.data, " sni=unit.example ") == NULL ||
	    strstr(rec.data, " ciphers=49199,255 ") == NULL)
		fail_msg("record: %s", rec.data);
	buf_release(&rec);
	client_free(&c);
	tls_conn_free(t);
	tls_ctx_free(tc);
	conf_clear(&cf);
}

/* A ClientHello cut anywhere is refused; whole, it is read. */
static void
test_hello_truncated(void **state)
{
	struct client c;
	struct tls_hello h;
	unsigned char buf[4096];
	size_t n, len, cut;

	(void)state;
	client_new(&c, 0);
	SSL_do_handshake(c.ssl);
	n = client_take(&c, (char *)buf, sizeof(buf));
	assert_true(n > 5 + 4);
	/* one record: its 5-byte header, then the handshake message */
	len = (size_t)buf[3] << 8 | buf[4];
	assert_int_equal(len + 5, n);
	assert_int_equal(tls_hello_parse(&h, buf + 5, len), 0);
	assert_string_equal(h.sni, "unit.example");
	assert_int_equal(h.alpn_len, 8);
	assert_int_equal(h.legacy_version, 0x0303);
	assert_int_equal(h.extensions[0], 0);	/* SNI first, as sent */
	tls_hello_clear(&h);
	for (cut = 0; cut < len; cut++) {
		unsigned char *copy = malloc(cut + 1);

		/* a heap block of exactly cut bytes: ASan sees an overread */
		memcpy(copy, buf + 5, cut);
		if (tls_hello_parse(&h, copy, cut) != -1)
			fail_msg("accepted cut at %zu of %zu", cut, len);
		free(copy);
	}
	buf[5] = 2;	/* a ServerHello is no ClientHello */
	assert_int_equal(tls_hello_parse(&h, buf + 5, len), -1);
	client_free(&c);
}

/* Unreadable, not PEM, or a key of another certificate: FILE:LINE. */
static void
test_ctx_errors(void **state)
{
	struct config cf;
	char err[512];

	(void)state;
	assert_null(ctx_from("/nonexistent/cert.pem", key_path, &cf, err,
	    sizeof(err)));
	assert_string_equal(err, "t.conf:2: tls_cert_file "
	    "/nonexistent/cert.pem: No such file or directory");
	conf_clear(&cf);
	assert_null(ctx_from(cert_path, key2_path, &cf, err, sizeof(err)));
	assert_non_null(strstr(err, "t.conf:3: tls_key_file "));
	if (strstr(err, " is not the key of tls_cert_file ") == NULL)
		fail_msg("%s", err);
	conf_clear(&cf);
	assert_null(ctx_from(key_path, key_path, &cf, err, sizeof(err)));
	assert_non_null(strstr(err, "t.conf:2: tls_cert_file "));
	conf_clear(&cf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_handshake_record),
		cmocka_unit_test(test_handshake_tls13),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_no_shared_cipher),
		cmocka_unit_test(test_hello_truncated),
		cmocka_unit_test(test_ctx_errors),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
