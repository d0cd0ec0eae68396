/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * test_spool_read: the analyzer's strict parser of spool files. A file the
 * sensor's own writer produced parses back to what went in; every kind of
 * damage is refused with the line it is on.
 */
#include "autoconf.h"

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "buf.h"
#include "conf.h"
#include "smtp.h"
#include "spool.h"
#include "spool_read.h"
#include "testutil.h"

#define HEAD \
	"spampot-spool 1\n" \
	"session 0123456789abcdef\n" \
	"sensor sensor\\x201\n" \
	"client 203.0.113.7 41234\n" \
	"server 192.0.2.1 25\n" \
	"start 2026-11-26T16:11:16.123456Z\n"
#define END "end 2026-11-26T16:11:17.000001Z reason=quit\n"

static int
parse(const char *text, size_t len, struct spool_session *s, char *err)
{
	return spool_read(text, len, s, err, 256);
}

static void
test_minimal(void **state)
{
	static const char f[] = HEAD END;
	struct spool_session s;
	char err[256];

	assert_int_equal(parse(f, sizeof(f) - 1, &s, err), 0);
	assert_string_equal(s.session_id, "0123456789abcdef");
	assert_string_equal(s.sensor.p, "sensor 1");
	assert_string_equal(s.client_ip, "203.0.113.7");
	assert_int_equal(s.client_port, 41234);
	assert_string_equal(s.server_ip, "192.0.2.1");
	assert_int_equal(s.server_port, 25);
	assert_string_equal(s.start, "2026-11-26T16:11:16.123456Z");
	assert_string_equal(s.end, "2026-11-26T16:11:17.000001Z");
	assert_string_equal(s.end_reason, "quit");
	assert_int_equal(s.nmsgs, 0);
	assert_null(s.helo.p);
	spool_session_clear(&s);
}

static void
test_full(void **state)
{
	static const char f[] = HEAD
	    "S 0.001 220 mx ESMTP\n"
	    "C 0.002 crlf EHLO a\\x00b\n"
	    "helo verb=EHLO name=a\\x00b\n"
	    "auth mech=PLAIN status=ok user=bob pass=se\\x20cret authzid=\n"
	    "auth mech=X\\x20Y status=unsupported user= pass= authzid=\n"
	    "mail from=a@b.example params=SIZE=10\n"
	    "rcpt to=c@d.example\n"
	    "rset\n"
	    "mail from=x@y.example\n"
	    "rcpt to=p@q.example\n"
	    "rcpt to=r@s.example\n"
	    "data n=1\n"
	    "body 0000000005\nab\ncd\n"
	    "body 0000000003\n\0\n.\n"
	    "message n=1 size=8 stored=8 truncated=0 bare_lf=2 "
	    "queue_id=4F2A1B3C9D\n"
	    "mail from= \n"
	    "rcpt to=z@z.example\n"
	    "data n=2\n"
	    "body 0000000004\nhalf\n"
	    END;
	struct spool_session s;
	char err[256];

	assert_int_equal(parse(f, sizeof(f) - 1, &s, err), 0);
	assert_string_equal(s.helo_verb, "EHLO");
	assert_int_equal(s.helo.len, 3);
	assert_memory_equal(s.helo.p, "a\0b", 3);
	assert_int_equal(s.nauths, 2);
	assert_string_equal(s.auths[0].user.p, "bob");
	assert_string_equal(s.auths[0].pass.p, "se cret");
	assert_string_equal(s.auths[1].mech.p, "X Y");
	assert_string_equal(s.auths[1].status, "unsupported");
	assert_int_equal(s.nmsgs, 2);
	assert_string_equal(s.msgs[0].from.p, "x@y.example");
	assert_int_equal(s.msgs[0].nrcpts, 2);
	assert_string_equal(s.msgs[0].rcpts[1].p, "r@s.example");
	assert_int_equal(s.msgs[0].body_len, 8);
	assert_memory_equal(s.msgs[0].body, "ab\ncd\0\n.", 8);
	assert_int_equal(s.msgs[0].bare_lf, 2);
	assert_string_equal(s.msgs[0].queue_id, "4F2A1B3C9D");
	assert_int_equal(s.msgs[0].incomplete, 0);
	/* an empty sender, and a message the session ended inside */
	assert_string_equal(s.msgs[1].from.p, "");
	assert_int_equal(s.msgs[1].incomplete, 1);
	assert_memory_equal(s.msgs[1].body, "half", 4);
	assert_non_null(strstr(s.transcript, "C 0.002 crlf EHLO a\\x00b\n"));
	assert_non_null(strstr(s.transcript, "S 0.001 220 mx ESMTP\n"));
	spool_session_clear(&s);
}

/* Damaged files: each refused, naming the line. */
static const struct {
	const char	*text;
	const char	*error;
} damaged[] = {
	{ "", "line 0: empty file" },
	{ "hello\n", "line 1: not a spampot spool file" },
	{ "spampot-spool 2\n", "line 1: unsupported version '2'" },
	{ HEAD, "line 6: no end record" },
	{ HEAD "end 2026-11-26T16:11:17.000001Z reason=quit",
	    "line 7: last record not ended by a newline" },
	{ HEAD "bogus x\n" END, "line 7: unknown record 'bogus'" },
	{ HEAD END "rset\n", "line 8: record after the end record" },
	{ "spampot-spool 1\nsession 0123\n" END, "line 2: bad session id" },
	{ "spampot-spool 1\nsession 0123456789abcdef\n" END,
	    "line 3: a header record is missing" },
	{ HEAD "start 2026-11-26 16:11:16\n" END, "line 7: bad time" },
	{ HEAD "client 999.1.1.1 25\n" END, "line 7: bad address" },
	{ HEAD "client 10.0.0.1 70000\n" END, "line 7: bad port" },
	{ HEAD "helo verb=FOO name=x\n" END, "line 7: bad helo verb" },
	{ HEAD "mail from=a\\q\n" END, "line 7: bad escape" },
	{ HEAD "mail from=a\\x4\n" END, "line 7: bad escape" },
	{ HEAD "mail from=a\x01" "b\n" END, "line 7: unescaped byte 0x01" },
	{ HEAD "mail to=x\n" END, "line 7: missing from=" },
	{ HEAD "body 0000000001\nx\n" END, "line 7: body outside data" },
	{ HEAD "data n=2\n" END, "line 7: data n=2 out of order" },
	{ HEAD "data n=1\ndata n=2\n" END, "line 8: data inside data" },
	{ HEAD "data n=1\nrcpt to=x\n" END, "line 8: rcpt inside data" },
	{ HEAD "data n=1\nbody 0000000100\nshort\n" END,
	    "line 8: body of 100 bytes runs past the end of the file or is "
	    "not ended by a newline" },
	{ HEAD "data n=1\nbody 000000001\nx\n" END,
	    "line 8: bad body length" },
	{ HEAD "data n=1\nbody 0000000002\nxyz\n" END,
	    "line 8: body of 2 bytes runs past the end of the file or is "
	    "not ended by a newline" },
	{ HEAD "data n=1\nbody 0000000001\nx\nmessage n=1 size=5 stored=4 "
	    "truncated=0 bare_lf=0 queue_id=A\n" END,
	    "line 10: stored=4 but the body holds 1 bytes" },
	{ HEAD "data n=1\nmessage n=2 size=0 stored=0 truncated=0 bare_lf=0 "
	    "queue_id=A\n" END,
	    "line 8: message n=2 does not match data n=1" },
	{ HEAD "data n=1\nmessage n=1 size=x stored=0 truncated=0 "
	    "bare_lf=0\n" END, "line 8: bad number for size" },
	{ HEAD "message n=1 size=0 stored=0 truncated=0 bare_lf=0\n" END,
	    "line 7: message without data" },
	{ HEAD "C x crlf EHLO\n" END, "line 7: bad time in dialogue line" },
	{ HEAD "C 0.1 weird EHLO\n" END, "line 7: bad line end in C record" },
	{ HEAD "end 2026-11-26T16:11:17.000001Z\n",
	    "line 7: missing reason=" },
	{ HEAD "rset now\n" END, "line 7: rset takes nothing" },
	{ HEAD "cut limit=commands bytes=1\n" END, "line 7: bad limit" },
	{ HEAD "cut limit=transcript\n" END, "line 7: missing bytes=" },
	{ HEAD "cut limit=transcript bytes=-1\n" END,
	    "line 7: bad number for bytes" },
	{ HEAD "data n=1\nhelo verb=EHLO name=x\n" END,
	    "line 8: helo inside data" },
	{ HEAD "tls-fail stage=hello reason= bytes=0\n"
	    "tls-fail stage=closed reason= bytes=0\n" END,
	    "line 8: a second tls or tls-fail record" },
};

/* FoxIO's JA4 example as the sensor records it, GREASE kept. */
#define HELLO \
	"sni=mail.example.org alpns=h2,http/1.1 hello_version=771 " \
	"ciphers=2570,4865,4866,4867,49195,49199,49196,49200,52393,52392," \
	"49171,49172,156,157,47,53 extensions=10794,27,0,51,16,17513,23,45," \
	"13,5,35,18,43,65281,11,10,21 groups=29,23,24 sigalgs=1027,2052," \
	"1025,1283,2053,1281,2054,1537 point_formats=0 " \
	"versions=23130,772,771 cut=0"

/* A tls record: the handshake, the ClientHello, its JA3 and JA4. */
static void
test_tls(void **state)
{
	static const char f[] = HEAD
	    "S 0.001 220 mx ESMTP\n"
	    "tls version=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384 alpn= " HELLO
	    "\n" END;
	struct spool_session s;
	char err[256];

	assert_int_equal(parse(f, sizeof(f) - 1, &s, err), 0);
	assert_true(s.tls.seen);
	assert_true(s.tls.ok);
	assert_string_equal(s.tls.version, "TLSv1.3");
	assert_string_equal(s.tls.cipher.p, "TLS_AES_256_GCM_SHA384");
	assert_int_equal(s.tls.alpn.len, 0);
	assert_true(s.tls.has_hello);
	assert_string_equal(s.tls.sni.p, "mail.example.org");
	assert_string_equal(s.tls.alpns.p, "h2,http/1.1");
	assert_int_equal(s.tls.hello_version, 771);
	assert_string_equal(s.tls.versions.p, "23130,772,771");
	assert_string_equal(s.tls.ja4, "t13d1516h2_8daaf6152771_e5627efa2ab1");
	assert_string_equal(s.tls.ja3.p, "771,4865-4866-4867-49195-49199-"
	    "49196-49200-52393-52392-49171-49172-156-157-47-53,27-0-51-16-"
	    "17513-23-45-13-5-35-18-43-65281-11-10-21,29-23-24,0");
	assert_string_equal(s.tls.ja3_hash, "c000e2caf3a25423f9de6c8a4b12a975");
	/* the transcript is the dialogue's alone */
	assert_null(strstr(s.transcript, "tls"));
	spool_session_clear(&s);
}

/* tls-fail, with and without a ClientHello; an escaped first ALPN name. */
static void
test_tls_fail(void **state)
{
	static const char bare[] = HEAD
	    "tls-fail stage=hello reason=wrong\\x20version\\x20number "
	    "bytes=5\n" END;
	static const char hello[] = HEAD
	    "tls-fail stage=handshake reason= bytes=517 sni= "
	    "alpns=\\xab\\xcd,h2 hello_version=769 ciphers=47 extensions= "
	    "groups= sigalgs= point_formats= versions= cut=1\n" END;
	struct spool_session s;
	char err[256];

	assert_int_equal(parse(bare, sizeof(bare) - 1, &s, err), 0);
	assert_true(s.tls.seen);
	assert_false(s.tls.ok);
	assert_string_equal(s.tls.stage, "hello");
	assert_string_equal(s.tls.reason.p, "wrong version number");
	assert_int_equal(s.tls.bytes, 5);
	assert_false(s.tls.has_hello);
	assert_string_equal(s.tls.ja4, "");
	assert_null(s.tls.ja3.p);
	spool_session_clear(&s);

	assert_int_equal(parse(hello, sizeof(hello) - 1, &s, err), 0);
	assert_string_equal(s.tls.stage, "handshake");
	assert_int_equal(s.tls.bytes, 517);
	assert_true(s.tls.has_hello);
	assert_true(s.tls.cut);
	assert_string_equal(s.tls.ja3.p, "769,47,,,");
	/* no SNI, one cipher, no extensions, ALPN 0xab 0xcd */
	assert_string_equal(s.tls.ja4, "t10i0100ad_"
	    "ba72b8082249_000000000000");
	spool_session_clear(&s);
}

/* What the sensor's writer makes of a handshake reads back. */
static void
test_tls_writer(void **state)
{
	static const uint16_t ciphers[] = { 0x1301, 0x0a0a };
	static const uint16_t exts[] = { 0, 16, 43 };
	static const uint16_t versions[] = { 0x0304 };
	static const uint8_t points[] = { 0 };
	struct spoolfmt_hello h = { 0x0303, ciphers, 2, exts, 3, NULL, 0,
	    NULL, 0, points, 1, versions, 1, "a b", 3, "\x02h2\x03x,y", 7 };
	struct spoolfmt_tls t = { "TLSv1.3", "TLS_AES_128_GCM_SHA256", "h2",
	    2, NULL, NULL, 0, &h };
	struct buf b = { NULL, 0, 0 };
	struct spool_session s;
	char err[256];

	assert_int_equal(buf_append(&b, HEAD, strlen(HEAD)), 0);
	assert_int_equal(spoolfmt_tls(&b, &t), 0);
	assert_int_equal(buf_append(&b, END, strlen(END)), 0);
	assert_int_equal(parse(b.data, b.len, &s, err), 0);
	assert_string_equal(s.tls.sni.p, "a b");
	assert_string_equal(s.tls.alpn.p, "h2");
	assert_string_equal(s.tls.alpns.p, "h2,x\\x2cy");
	assert_string_equal(s.tls.ciphers.p, "4865,2570");
	assert_memory_equal(s.tls.ja4, "t13d0103h2_", 11);
	spool_session_clear(&s);
	buf_release(&b);
}

/* A transcript cut at max_transcript: the reader sees where. */
static void
test_cut_record(void **state)
{
	static const char f[] = HEAD
	    "C 0.002 crlf NOOP\n"
	    "cut limit=transcript bytes=1048599\n"
	    "S 0.002 421 4.7.0 mx Error: too many commands\n"
	    "end 2026-11-26T16:11:17.000001Z reason=limit\n";
	struct spool_session s;
	char err[256];

	assert_int_equal(parse(f, sizeof(f) - 1, &s, err), 0);
	assert_int_equal(s.transcript_cut, 1048599);
	assert_string_equal(s.end_reason, "limit");
	spool_session_clear(&s);
}

/* A message in BDAT chunks: the commands between them inside data, the
 * body whole; an RSET between chunks ends the next one unfinished. */
static void
test_bdat_chunks(void **state)
{
	static const char f[] = HEAD
	    "mail from=a@x.example\n"
	    "rcpt to=b@y.example\n"
	    "C 0.001 crlf BDAT 3\n"
	    "data n=1\n"
	    "body 0000000003\nabc\n"
	    "S 0.001 250 2.0.0 Ok: 3 bytes\n"
	    "C 0.001 crlf NOOP\n"
	    "S 0.001 250 2.0.0 Ok\n"
	    "C 0.001 crlf BDAT 2 LAST\n"
	    "body 0000000002\nde\n"
	    "message n=1 size=5 stored=5 truncated=0 bare_lf=0 "
	    "queue_id=1xZRvy-0002Ox-1F\n"
	    "S 0.001 250 OK id=1xZRvy-0002Ox-1F\n"
	    "mail from=a@x.example\n"
	    "rcpt to=b@y.example\n"
	    "C 0.001 crlf BDAT 1\n"
	    "data n=2\n"
	    "body 0000000001\nf\n"
	    "S 0.001 250 2.0.0 Ok: 1 bytes\n"
	    "C 0.001 crlf RSET\n"
	    "message n=2 size=1 stored=1 truncated=1 bare_lf=0 "
	    "incomplete=1\n"
	    "rset\n"
	    "S 0.001 250 2.0.0 Ok\n"
	    "cut limit=transcript bytes=1\n" END;
	struct spool_session s;
	char err[256];

	assert_int_equal(parse(f, sizeof(f) - 1, &s, err), 0);
	assert_int_equal(s.nmsgs, 2);
	assert_int_equal(s.msgs[0].body_len, 5);
	assert_memory_equal(s.msgs[0].body, "abcde", 5);
	assert_string_equal(s.msgs[0].queue_id, "1xZRvy-0002Ox-1F");
	assert_int_equal(s.msgs[0].incomplete, 0);
	assert_int_equal(s.msgs[1].incomplete, 1);
	assert_non_null(strstr(s.transcript, "C 0.001 crlf NOOP"));
	spool_session_clear(&s);
}

static void
test_damaged(void **state)
{
	struct spool_session s;
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(damaged) / sizeof(damaged[0]); i++) {
		memset(err, 0, sizeof(err));
		if (parse(damaged[i].text, strlen(damaged[i].text), &s,
		    err) != -1 || strcmp(err, damaged[i].error) != 0)
			fail_msg("case %zu: want '%s', got '%s'", i,
			    damaged[i].error, err);
	}
}

/* A NUL in a text record (not in a body) is damage too. */
static void
test_nul_in_record(void **state)
{
	static const char f[] = HEAD "rset\0x\n" END;
	struct spool_session s;
	char err[256];

	assert_int_equal(parse(f, sizeof(f) - 1, &s, err), -1);
	assert_string_equal(err, "line 7: NUL byte in a record");
}

/* Every prefix of a good file is refused, never read past its end. */
static void
test_every_prefix(void **state)
{
	static const char f[] = HEAD "data n=1\nbody 0000000004\nabcd\n"
	    "message n=1 size=4 stored=4 truncated=0 bare_lf=0 queue_id=Q\n"
	    END;
	struct spool_session s;
	char err[256], *copy;
	size_t n;

	for (n = 0; n < sizeof(f) - 1; n++) {
		/* an exact-size heap copy, so ASan sees any overread */
		copy = malloc(n ? n : 1);
		memcpy(copy, f, n);
		assert_int_equal(parse(copy, n, &s, err), -1);
		free(copy);
	}
	assert_int_equal(parse(f, sizeof(f) - 1, &s, err), 0);
	spool_session_clear(&s);
}

/*
 * Run a dialogue through the sensor's session and writer with the config
 * text conf, end the file the way the worker does, and read it back into
 * *s; the session's replies go to replies (NUL-terminated, cut to rlen).
 */
static void
write_and_read(const char *conf, const char *dialogue, size_t dlen,
    struct spool_session *s, char *replies, size_t rlen)
{
	struct spool_meta meta = { "00112233aabbccdd", "sensor", "::1", 4444,
	    "::1", 25 };
	char dir[] = "/tmp/spampot-test-spool-read-XXXXXX", err[CONF_ERR_MAX];
	char path[512], *data;
	struct smtp_session *sm;
	struct spool_file *sf;
	struct config cf;
	struct buf *out;
	size_t len;
	int fd;

	assert_non_null(mkdtemp(dir));
	assert_int_equal(conf_parse_buffer(&cf, "t.conf", conf,
	    strlen(conf), err, sizeof(err)), 0);
	assert_true((fd = spool_prepare(dir, getuid(), getgid())) != -1);
	assert_int_equal(spool_set_writer(fd, getpid()), 0);	/* this dir */
	assert_non_null(sf = spool_create(fd, &meta));
	snprintf(path, sizeof(path), "%s/new/%s", dir, spool_name(sf));
	assert_non_null(sm = smtp_new(&cf, meta.session_id, sf));
	smtp_greet(sm);
	smtp_feed(sm, dialogue, dlen);
	smtp_close(sm, SMTP_END_RESET);
	assert_int_equal(spool_finish(sf, smtp_end_name(smtp_ended(sm)), 0),
	    0);
	out = smtp_output(sm);
	len = out->len < rlen ? out->len : rlen - 1;
	memcpy(replies, out->data, len);
	replies[len] = '\0';
	smtp_free(sm);

	assert_non_null(data = tu_read_at(AT_FDCWD, path, &len));
	if (spool_read(data, len, s, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	free(data);
	conf_clear(&cf);
	unlink(path);
	close(fd);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	assert_int_equal(system(path), 0);
}

/* What the sensor's writer produces, the analyzer reads back. */
static void
test_writer_round_trip(void **state)
{
	static const char dialogue[] =
	    "EHLO client.example\r\n"
	    "AUTH PLAIN AGJvYgBzZSBjcmV0\r\n"
	    "MAIL FROM:<a@b.example>\r\n"
	    "RCPT TO:<c@d.example>\r\n"
	    "DATA\r\n"
	    "Subject: x\r\n\r\n..dot\r\nbin\x00\xff\r\n.\r\n"
	    "QUIT\r\n";
	struct spool_session s;
	char replies[4096];

	write_and_read("hostname = mx.test\n", dialogue, sizeof(dialogue) - 1,
	    &s, replies, sizeof(replies));
	assert_string_equal(s.client_ip, "::1");
	assert_string_equal(s.helo.p, "client.example");
	assert_int_equal(s.nauths, 1);
	assert_string_equal(s.auths[0].user.p, "bob");
	assert_string_equal(s.auths[0].pass.p, "se cret");
	assert_int_equal(s.nmsgs, 1);
	assert_string_equal(s.msgs[0].from.p, "a@b.example");
	assert_string_equal(s.msgs[0].rcpts[0].p, "c@d.example");
	assert_int_equal(s.msgs[0].body_len, 27);
	assert_memory_equal(s.msgs[0].body,
	    "Subject: x\r\n\r\n.dot\r\nbin\x00\xff\r\n", 27);
	assert_string_equal(s.end_reason, "quit");
	assert_int_equal(s.transcript_cut, 0);
	spool_session_clear(&s);
}

/*
 * max_transcript: a message and an AUTH, then a flood of pipelined NOOPs.
 * The flood is cut at the limit with a 421, the cut is in the file with
 * end reason "limit", and the message and the credentials are kept.
 */
static void
test_writer_cut(void **state)
{
	static const char head[] =
	    "EHLO client.example\r\n"
	    "AUTH PLAIN AGJvYgBzZSBjcmV0\r\n"
	    "MAIL FROM:<a@b.example>\r\n"
	    "RCPT TO:<c@d.example>\r\n"
	    "DATA\r\n"
	    "Subject: x\r\n\r\nhello\r\n.\r\n";
	struct spool_session s;
	char replies[65536], *dialogue;
	size_t len = sizeof(head) - 1, i;

	dialogue = malloc(len + 1000 * 6);
	memcpy(dialogue, head, len);
	for (i = 0; i < 1000; i++, len += 6)
		memcpy(dialogue + len, "NOOP\r\n", 6);
	write_and_read("hostname = mx.test\nmax_transcript = 4K\n", dialogue,
	    len, &s, replies, sizeof(replies));
	free(dialogue);
	assert_non_null(strstr(replies, "250 2.0.0 Ok: queued as "));
	assert_non_null(strstr(replies,
	    "\r\n421 4.7.0 mx.test Error: too many commands\r\n"));
	/* nothing after the 421 */
	assert_string_equal(strstr(replies, "421 4.7.0"),
	    "421 4.7.0 mx.test Error: too many commands\r\n");
	assert_true(s.transcript_cut >= 4096);
	assert_true(s.transcript_cut < 4096 + 100);
	assert_string_equal(s.end_reason, "limit");
	assert_int_equal(s.nauths, 1);
	assert_string_equal(s.auths[0].pass.p, "se cret");
	assert_int_equal(s.nmsgs, 1);
	assert_int_equal(s.msgs[0].incomplete, 0);
	assert_memory_equal(s.msgs[0].body, "Subject: x\r\n\r\nhello\r\n",
	    s.msgs[0].body_len);
	/* the transcript stops at the cut: the 421 is its last line */
	assert_non_null(strstr(s.transcript, "Error: too many commands\n"));
	assert_null(strstr(strstr(s.transcript, "too many commands"), "C "));
	spool_session_clear(&s);
}

/* Many recipients and a long transcript: the arrays grow as they fill,
 * every recipient is the message's in its order (the envelope's moved,
 * not copied), the transcript is the C and S records exactly. */
static void
test_many(void **state)
{
	const size_t nrcpt = 5000, ncmd = 20000;
	struct spool_session s;
	char err[256], *f, *want, *p, *w;
	size_t i;

	assert_non_null(f = malloc(1 << 22));
	assert_non_null(want = malloc(1 << 22));
	p = f + sprintf(f, "%s", HEAD "mail from=a@b.example\n");
	for (i = 0; i < nrcpt; i++)
		p += sprintf(p, "rcpt to=r%zu@example.net\n", i);
	p += sprintf(p, "data n=1\nbody 0000000002\nok\n"
	    "message n=1 size=2 stored=2 truncated=0 bare_lf=0 "
	    "queue_id=4F2A1B3C9D\n");
	w = want;
	for (i = 0; i < ncmd; i++) {
		w += sprintf(w, "C 0.%zu crlf NOOP %zu\nS 0.%zu 250 OK\n", i,
		    i, i);
	}
	p += sprintf(p, "%s" END, want);
	assert_int_equal(parse(f, (size_t)(p - f), &s, err), 0);
	assert_int_equal(s.nmsgs, 1);
	assert_int_equal(s.msgs[0].nrcpts, nrcpt);
	for (i = 0; i < nrcpt; i++) {
		sprintf(err, "r%zu@example.net", i);
		assert_string_equal(s.msgs[0].rcpts[i].p, err);
	}
	assert_int_equal(s.transcript_len, (size_t)(w - want));
	assert_memory_equal(s.transcript, want, s.transcript_len);
	assert_int_equal(s.transcript[s.transcript_len], '\0');
	spool_session_clear(&s);
	free(want);
	free(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minimal),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_damaged),
		cmocka_unit_test(test_nul_in_record),
		cmocka_unit_test(test_every_prefix),
		cmocka_unit_test(test_writer_round_trip),
		cmocka_unit_test(test_writer_cut),
		cmocka_unit_test(test_cut_record),
		cmocka_unit_test(test_bdat_chunks),
		cmocka_unit_test(test_tls),
		cmocka_unit_test(test_tls_fail),
		cmocka_unit_test(test_tls_writer),
		cmocka_unit_test(test_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
