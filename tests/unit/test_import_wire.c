/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * test_parse_wire: a parse result as it goes from the analyzer's parse
 * child to the analyzer. A real spool file, parsed with its MIME and
 * extraction, comes back from the frame as it went in (attachment
 * contents only when asked for); every damaged frame (each one cut
 * short, counts and lengths beyond the frame, a digest that would name a
 * path, an unknown status, bytes left over) is refused without a read
 * outside the frame (the sanitizer build checks that).
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
#include "extract.h"
#include "mime.h"
#include "import.h"
#include "import_wire.h"

#define BODY \
	"From: a@b.example\r\n" \
	"Subject: =?UTF-8?B?w6l0w6k=?= offer\r\n" \
	"MIME-Version: 1.0\r\n" \
	"Content-Type: multipart/mixed; boundary=XX\r\n" \
	"\r\n" \
	"--XX\r\n" \
	"Content-Type: text/plain\r\n" \
	"\r\n" \
	"see http://win.example.com/x?a=1 mail agent@pay.example.org\r\n" \
	"btc 1BoatSLRHtKNngkdXEeobR76b53LETtpyT from 198.51.100.23\r\n" \
	"--XX\r\n" \
	"Content-Type: application/octet-stream; name=\"inv.exe\"\r\n" \
	"Content-Transfer-Encoding: base64\r\n" \
	"\r\n" \
	"AAECAwQFBgcICQ==\r\n" \
	"--XX--\r\n"

static const char conf[] =
    "pattern btc = \\b[13][a-km-zA-HJ-NP-Z1-9]{25,34}\\b\n";

static struct config cf;
static struct extract_patterns *patterns;
static char path[] = "/tmp/test_parse_wire.XXXXXX";

static int
setup(void **state)
{
	char err[CONF_ERR_MAX], head[128];
	FILE *fp;
	int fd;

	mime_init();
	if (conf_parse_buffer(&cf, "test.conf", conf, strlen(conf), err,
	    sizeof(err)) != 0 ||
	    (patterns = extract_patterns_compile(&cf, err,
	    sizeof(err))) == NULL)
		return -1;
	if ((fd = mkstemp(path)) == -1 || (fp = fdopen(fd, "w")) == NULL)
		return -1;
	snprintf(head, sizeof(head), "body %010zu\n", strlen(BODY));
	fprintf(fp, "spampot-spool 1\n"
	    "session 0123456789abcdef\n"
	    "sensor e2e\n"
	    "client 203.0.113.7 41234\n"
	    "server 192.0.2.1 25\n"
	    "start 2026-11-26T16:11:16.123456Z\n"
	    "S 0.001 220 mx ESMTP\n"
	    "C 0.002 crlf EHLO bot\n"
	    "tls version=TLSv1.3 cipher=TLS_AES_128_GCM_SHA256 alpn=smtp "
	    "sni=mx.example alpns=smtp,h2 hello_version=771 "
	    "ciphers=2570,4865,4866 extensions=0,16,43,13 groups=29 "
	    "sigalgs=1027,2052 point_formats=0 versions=772,771 cut=0\n"
	    "helo verb=EHLO name=bot\n"
	    "auth mech=PLAIN status=ok user=bob pass=se\\x20cret authzid=\n"
	    "auth mech=LOGIN status=fail user=root pass=toor authzid=\n"
	    "mail from=a@b.example\n"
	    "rcpt to=c@d.example\n"
	    "rcpt to=e@f.example\n"
	    "data n=1\n"
	    "%s%s\n"
	    "message n=1 size=%zu stored=%zu truncated=0 bare_lf=0 "
	    "queue_id=4F2A1B3C9D\n"
	    "cut limit=transcript bytes=4242\n"
	    "end 2026-11-26T16:11:17.000001Z reason=quit\n",
	    head, BODY, strlen(BODY), strlen(BODY));
	return fclose(fp) == 0 ? 0 : -1;
}

static int
teardown(void **state)
{
	unlink(path);
	extract_patterns_free(patterns);
	conf_clear(&cf);
	return 0;
}

/* A import_file of the test's spool file, and its frame. */
static void
parsed(struct import_file *f, struct buf *b, int with_data)
{
	if (import_file(AT_FDCWD, path, patterns, f) != 0)
		fail_msg("import_file: %s", f->err);
	memset(b, 0, sizeof(*b));
	assert_int_equal(import_wire_encode(b, f, with_data), 0);
}

static const struct extract_count *
count_of(const struct extract_result *r, const char *kind, const char *value)
{
	size_t i;

	for (i = 0; i < r->ncounts; i++)
		if (strcmp(r->counts[i].kind, kind) == 0 &&
		    strcmp(r->counts[i].value, value) == 0)
			return &r->counts[i];
	return NULL;
}

static void
test_round_trip(void **state)
{
	struct import_file f, g;
	struct buf b;
	const struct mime_attachment *a;
	char err[256];
	size_t i;

	parsed(&f, &b, 1);
	assert_int_equal(import_wire_decode(b.data, b.len, &g, err,
	    sizeof(err)), 0);
	assert_int_equal(g.status, IMPORT_OK);
	assert_int_equal(g.bytes, f.bytes);
	assert_string_equal(g.s.session_id, "0123456789abcdef");
	assert_string_equal(g.s.sensor.p, "e2e");
	assert_string_equal(g.s.client_ip, "203.0.113.7");
	assert_int_equal(g.s.client_port, 41234);
	assert_string_equal(g.s.server_ip, "192.0.2.1");
	assert_int_equal(g.s.server_port, 25);
	assert_string_equal(g.s.end, f.s.end);
	assert_string_equal(g.s.end_reason, "quit");
	assert_string_equal(g.s.helo_verb, "EHLO");
	assert_string_equal(g.s.helo.p, "bot");
	assert_int_equal(g.s.nauths, 2);
	assert_string_equal(g.s.auths[0].pass.p, "se cret");
	assert_string_equal(g.s.auths[1].mech.p, "LOGIN");
	assert_string_equal(g.s.auths[1].status, "fail");
	assert_string_equal(g.s.auths[1].user.p, "root");
	assert_int_equal(g.s.transcript_len, f.s.transcript_len);
	assert_memory_equal(g.s.transcript, f.s.transcript,
	    f.s.transcript_len);
	assert_int_equal(g.s.transcript_cut, 4242);
	/* the tls record and its fingerprints */
	assert_true(g.s.tls.seen && g.s.tls.ok && g.s.tls.has_hello);
	assert_string_equal(g.s.tls.version, "TLSv1.3");
	assert_string_equal(g.s.tls.cipher.p, "TLS_AES_128_GCM_SHA256");
	assert_string_equal(g.s.tls.alpn.p, "smtp");
	assert_string_equal(g.s.tls.sni.p, "mx.example");
	assert_string_equal(g.s.tls.alpns.p, "smtp,h2");
	assert_int_equal(g.s.tls.hello_version, 771);
	assert_string_equal(g.s.tls.ciphers.p, "2570,4865,4866");
	assert_string_equal(g.s.tls.extensions.p, "0,16,43,13");
	assert_string_equal(g.s.tls.versions.p, "772,771");
	assert_string_equal(g.s.tls.ja3.p, f.s.tls.ja3.p);
	assert_string_equal(g.s.tls.ja3_hash, f.s.tls.ja3_hash);
	assert_string_equal(g.s.tls.ja4, f.s.tls.ja4);
	assert_memory_equal(g.s.tls.ja4, "t13d0204sp_", 11);
	assert_int_equal(g.s.nmsgs, 1);
	assert_string_equal(g.s.msgs[0].from.p, "a@b.example");
	assert_int_equal(g.s.msgs[0].nrcpts, 2);
	assert_string_equal(g.s.msgs[0].rcpts[1].p, "e@f.example");
	assert_int_equal(g.s.msgs[0].body_len, strlen(BODY));
	assert_memory_equal(g.s.msgs[0].body, BODY, strlen(BODY));
	assert_int_equal(g.s.msgs[0].size, strlen(BODY));
	assert_string_equal(g.s.msgs[0].queue_id, "4F2A1B3C9D");
	/* MIME and extraction, and the store's view of them */
	assert_ptr_equal(g.parsed[0].mime, &g.mime[0]);
	assert_ptr_equal(g.parsed[0].found, &g.found[0]);
	assert_string_equal(g.mime[0].subject, "été offer");
	assert_int_equal(g.mime[0].natts, 1);
	a = &g.mime[0].atts[0];
	assert_string_equal(a->filename, "inv.exe");
	assert_string_equal(a->content_type, "application/octet-stream");
	assert_int_equal(a->size, 10);
	assert_memory_equal(a->data, "\0\1\2\3\4\5\6\7\10\11", 10);
	assert_string_equal(a->sha256, f.mime[0].atts[0].sha256);
	assert_string_equal(a->md5, f.mime[0].atts[0].md5);
	assert_string_equal(a->sha1, f.mime[0].atts[0].sha1);
	assert_int_equal(g.found[0].ncounts, f.found[0].ncounts);
	for (i = 0; i < f.found[0].ncounts; i++)
		assert_non_null(count_of(&g.found[0], f.found[0].counts[i].kind,
		    f.found[0].counts[i].value));
	assert_non_null(count_of(&g.found[0], "btc",
	    "1BoatSLRHtKNngkdXEeobR76b53LETtpyT"));
	assert_non_null(count_of(&g.found[0], "email",
	    "agent@pay.example.org"));
	assert_int_equal(g.found[0].nurls, 1);
	assert_string_equal(g.found[0].urls[0].url,
	    "http://win.example.com/x?a=1");
	assert_string_equal(g.found[0].urls[0].host, "win.example.com");
	import_file_clear(&g);
	import_file_clear(&f);
	buf_release(&b);
}

/* Without the quarantine, no attachment contents travel. */
static void
test_without_data(void **state)
{
	struct import_file f, g;
	struct buf b, with;
	char err[256];

	parsed(&f, &with, 1);
	import_file_clear(&f);
	parsed(&f, &b, 0);
	assert_true(b.len < with.len);
	assert_int_equal(import_wire_decode(b.data, b.len, &g, err,
	    sizeof(err)), 0);
	assert_null(g.mime[0].atts[0].data);
	assert_int_equal(g.mime[0].atts[0].size, 10);
	assert_string_equal(g.mime[0].atts[0].sha256,
	    f.mime[0].atts[0].sha256);
	import_file_clear(&g);
	import_file_clear(&f);
	buf_release(&b);
	buf_release(&with);
}

/* A file's error comes back as it is. */
static void
test_error(void **state)
{
	struct import_file f, g;
	struct buf b;
	char err[256];

	memset(&f, 0, sizeof(f));
	memset(&b, 0, sizeof(b));
	f.status = IMPORT_BAD;
	snprintf(f.err, sizeof(f.err), "line 3: unknown record 'bogus'");
	assert_int_equal(import_wire_encode(&b, &f, 1), 0);
	assert_int_equal(import_wire_decode(b.data, b.len, &g, err,
	    sizeof(err)), 0);
	assert_int_equal(g.status, IMPORT_BAD);
	assert_string_equal(g.err, "line 3: unknown record 'bogus'");
	buf_release(&b);
}

static void
assert_refused(const void *p, size_t len, const char *why)
{
	struct import_file g;
	char err[256];

	if (import_wire_decode(p, len, &g, err, sizeof(err)) != -1)
		fail_msg("frame of %zu bytes accepted (%s)", len, why);
	assert_non_null(strstr(err, "bad frame from the parse child"));
	assert_null(g.s.msgs);
	assert_null(g.mime);
}

/* Every frame cut short is refused; so is one with a byte too many. */
static void
test_cut(void **state)
{
	struct import_file f;
	struct buf b;
	unsigned char *copy;
	size_t len;

	parsed(&f, &b, 1);
	for (len = 0; len < b.len; len++) {
		/* a copy of exactly LEN bytes: a read beyond is ASan's */
		assert_non_null(copy = malloc(len ? len : 1));
		memcpy(copy, b.data, len);
		assert_refused(copy, len, "cut");
		free(copy);
	}
	assert_int_equal(buf_append(&b, "x", 1), 0);
	assert_refused(b.data, b.len, "a byte too many");
	import_file_clear(&f);
	buf_release(&b);
}

/* Where the frame holds TEXT (the first time), put REPL instead (both
 * string literals of one length) and check it is refused. */
#define assert_patch_refused(b, text, repl)				\
	do {								\
		_Static_assert(sizeof(text) == sizeof(repl), "length");	\
		patch_refused(b, text, repl, sizeof(text) - 1);		\
	} while (0)

static void
patch_refused(const struct buf *b, const char *text, const char *repl,
    size_t len)
{
	char *copy, *at;

	assert_non_null(copy = malloc(b->len));
	memcpy(copy, b->data, b->len);
	assert_non_null(at = memmem(copy, b->len, text, len));
	memcpy(at, repl, len);
	assert_refused(copy, b->len, repl);
	free(copy);
}

/* A compromised child's lies about sizes, counts and names. */
static void
test_hostile(void **state)
{
	struct import_file f;
	struct buf b;
	char sha[65], evil[65];
	unsigned char c;

	parsed(&f, &b, 1);
	/* a digest that would make the quarantine write elsewhere */
	snprintf(sha, sizeof(sha), "%s", f.mime[0].atts[0].sha256);
	memset(evil, 'a', 64);
	memcpy(evil, "../../../../etc/cron.d/x", 24);
	evil[64] = '\0';
	patch_refused(&b, sha, evil, 64);
	/* an upper-case digest is not one the child makes */
	memset(evil, 'A', 64);
	patch_refused(&b, sha, evil, 64);
	/* a session id too long for its field: its length byte raised */
	assert_patch_refused(&b, "\x10\0\0\0" "0123456789abcdef",
	    "\x11\0\0\0" "0123456789abcdef");
	/* a string longer than the frame */
	assert_patch_refused(&b, "\x03\0\0\0" "e2e", "\xff\xff\xff\x7f" "e2e");
	/* a count of recipients beyond the frame */
	assert_patch_refused(&b, "\x02\0\0\0\x0b\0\0\0" "c@d",
	    "\xff\xff\xff\x0f\x0b\0\0\0" "c@d");
	/* contents not of the attachment's size */
	assert_patch_refused(&b, "\x0a\0\0\0\0\0\0\0\x0a\0\0\0",
	    "\x0b\0\0\0\0\0\0\0\x0a\0\0\0");
	/* a NUL inside a C string */
	assert_patch_refused(&b, "\x07\0\0\0" "inv.exe",
	    "\x07\0\0\0" "inv\0exe");
	/* a JA4 with a byte no JA4 has; a JA3 hash that is not hex; a
	 * ClientHello list that is not numbers */
	snprintf(sha, sizeof(sha), "%s", f.s.tls.ja4);
	memcpy(evil, sha, 37);
	evil[3] = '/';
	patch_refused(&b, sha, evil, 36);
	snprintf(sha, sizeof(sha), "%s", f.s.tls.ja3_hash);
	memcpy(evil, sha, 33);
	evil[0] = 'g';
	patch_refused(&b, sha, evil, 32);
	assert_patch_refused(&b, "2570,4865,4866", "2570,4865;4866");
	/* an unknown status */
	c = 77;
	assert_refused(&c, 1, "status");
	import_file_clear(&f);
	buf_release(&b);
}


/* What import_more.c adds to the first message, made by hand: digests,
 * the first attachment looked into (an archive of two members), two
 * YARA matches. */
static void
more_fill(struct import_file *f)
{
	struct parsed_more *m = &f->more[0];
	struct inspect_result *ir;
	size_t i;

	assert_true(f->mime[0].natts >= 1);
	memset(m->sim.template, 'a', 64);
	memset(m->sim.tlsh, 'B', 70);
	snprintf(m->sim.ssdeep, sizeof(m->sim.ssdeep), "3:hMCE:hJ");
	assert_non_null(m->insp = calloc(f->mime[0].natts, sizeof(*m->insp)));
	ir = &m->insp[0];
	assert_non_null(ir->real_type = strdup("application/zip"));
	ir->mismatch = 1;
	ir->archive = INSPECT_ARCHIVE_DECRYPTED;
	assert_non_null(ir->password = strdup("Xk42pq"));
	ir->nmembers = 2;
	assert_non_null(ir->members = calloc(2, sizeof(*ir->members)));
	for (i = 0; i < 2; i++) {
		assert_non_null(ir->members[i].path = strdup(i ? "in.zip/b.exe" :
		    "a.txt"));
		ir->members[i].depth = (unsigned)i + 1;
		ir->members[i].size = 1000 + i;
		memset(ir->members[i].md5, '1', 32);
		memset(ir->members[i].sha1, '2', 40);
		memset(ir->members[i].sha256, '3', 64);
		ir->members[i].real_type = i ? strdup("application/x-dosexec") :
		    NULL;
		ir->members[i].flags = i ? INSPECT_MEMBER_MISMATCH : 0;
	}
	m->nyara = 2;
	assert_non_null(m->yara = calloc(2, sizeof(*m->yara)));
	for (i = 0; i < 2; i++) {
		m->yara[i].m.rule = strdup(i ? "Exe_Rule" : "Text_Rule");
		m->yara[i].m.ns = strdup("rules");
		m->yara[i].m.tags = strdup(i ? "pe exe" : "");
		m->yara[i].m.meta = strdup("{\"score\":70}");
		m->yara[i].att = i ? 0 : -1;
		m->yara[i].member = i ? strdup("in.zip/b.exe") : NULL;
	}
}

/* The digests, what an attachment is and the YARA matches arrive as
 * they were sent; every frame cut short is refused; a lie is refused. */
static void
test_more(void **state)
{
	struct import_file f, g;
	const struct inspect_result *ir;
	struct buf b;
	char err[256];
	unsigned char *copy;
	size_t len;

	parsed(&f, &b, 0);
	more_fill(&f);
	b.len = 0;
	assert_int_equal(import_wire_encode(&b, &f, 0), 0);
	if (import_wire_decode(b.data, b.len, &g, err, sizeof(err)) != 0)
		fail_msg("decode: %s", err);
	assert_string_equal(g.more[0].sim.template, f.more[0].sim.template);
	assert_string_equal(g.more[0].sim.tlsh, f.more[0].sim.tlsh);
	assert_string_equal(g.more[0].sim.ssdeep, "3:hMCE:hJ");
	assert_ptr_equal(g.parsed[0].more, &g.more[0]);
	assert_non_null(ir = g.more[0].insp);
	assert_string_equal(ir->real_type, "application/zip");
	assert_int_equal(ir->mismatch, 1);
	assert_int_equal(ir->archive, INSPECT_ARCHIVE_DECRYPTED);
	assert_string_equal(ir->password, "Xk42pq");
	assert_int_equal(ir->nmembers, 2);
	assert_string_equal(ir->members[1].path, "in.zip/b.exe");
	assert_int_equal(ir->members[1].depth, 2);
	assert_int_equal(ir->members[1].size, 1001);
	assert_string_equal(ir->members[1].real_type, "application/x-dosexec");
	assert_null(ir->members[0].real_type);
	assert_int_equal(ir->members[1].flags, INSPECT_MEMBER_MISMATCH);
	assert_int_equal(g.more[0].nyara, 2);
	assert_int_equal(g.more[0].yara[0].att, -1);
	assert_null(g.more[0].yara[0].member);
	assert_string_equal(g.more[0].yara[1].m.rule, "Exe_Rule");
	assert_string_equal(g.more[0].yara[1].m.tags, "pe exe");
	assert_string_equal(g.more[0].yara[1].member, "in.zip/b.exe");
	import_file_clear(&g);
	for (len = 0; len < b.len; len++) {
		assert_non_null(copy = malloc(len ? len : 1));
		memcpy(copy, b.data, len);
		assert_refused(copy, len, "cut");
		free(copy);
	}
	/* a template that is not hex; an archive outcome that is none; a
	 * match on an attachment the message does not have */
	assert_patch_refused(&b, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	    "aaaaaaaaaaaaaaa/aaaaaaaaaaaaaaaa");
	assert_patch_refused(&b, "\x01\0\0\0\x03\0\0\0\x06\0\0\0Xk42pq",
	    "\x01\0\0\0\x63\0\0\0\x06\0\0\0Xk42pq");
	assert_patch_refused(&b, "\x0c\0\0\0{\"score\":70}\0\0\0\0",
	    "\x0c\0\0\0{\"score\":70}\x09\0\0\0");
	import_file_clear(&f);
	buf_release(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_without_data),
		cmocka_unit_test(test_error),
		cmocka_unit_test(test_cut),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_more),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
