/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * test_smtp: the SMTP session state machine (src/sensor/smtp*.c) driven without
 * sockets. Each golden dialogue tests/data/smtp/NAME.in is fed whole, a
 * byte at a time and in chunks of 2, 3, 7 and 64 bytes, with the config
 * "hostname = mx.test" plus NAME.conf; every way must give exactly
 * NAME.out and the same spool file. The session writes to a real spool
 * file in a temporary spool tree, which some tests read back.
 */
#include "autoconf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "buf.h"
#include "conf.h"
#include "smtp.h"
#include "spool.h"
#include "testutil.h"
#include "util.h"

#define SESSION_ID	"0123456789abcdef"

static const size_t chunk_sizes[] = { 0, 1, 2, 3, 7, 64 };	/* 0: whole */
#define NCHUNKS	(sizeof(chunk_sizes) / sizeof(chunk_sizes[0]))

static char spool_top[64];
static int spool_fd = -1;
static unsigned spool_seq;
static const char *data_dir;

/* --- small helpers ------------------------------------------------------- */

static void
append(char **dst, size_t *len, const char *p, size_t n)
{
	char *q = realloc(*dst, *len + n + 1);

	assert_non_null(q);
	memcpy(q + *len, p, n);
	*len += n;
	q[*len] = '\0';
	*dst = q;
}

/* Bytes made readable for a failure message. */
static char *
visible(const char *p, size_t n)
{
	char *out = malloc(n * 4 + 1), *o = out;
	size_t i;

	assert_non_null(out);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c == '\n')
			o += sprintf(o, "\\n\n");
		else if (c == '\r')
			o += sprintf(o, "\\r");
		else if (c < 0x20 || c >= 0x7f || c == '\\')
			o += sprintf(o, "\\x%02x", c);
		else
			*o++ = (char)c;
	}
	*o = '\0';
	return out;
}

/*
 * Compare; on a difference print where it is, with some context, and
 * return -1 (the messages of cmocka itself are too short for this).
 */
static int
same_bytes(const char *what, const char *got, size_t gotlen,
    const char *want, size_t wantlen)
{
	size_t i, from, glen, wlen;
	char *g, *w;

	if (gotlen == wantlen && memcmp(got, want, gotlen) == 0)
		return 0;
	for (i = 0; i < gotlen && i < wantlen && got[i] == want[i]; i++)
		;
	from = i > 300 ? i - 300 : 0;
	glen = gotlen - from > 400 ? 400 : gotlen - from;
	wlen = wantlen - from > 400 ? 400 : wantlen - from;
	g = visible(got + from, glen);
	w = visible(want + from, wlen);
	fprintf(stderr, "%s: differs at byte %zu (got %zu bytes, want %zu)\n"
	    "--- got, from byte %zu:\n%s\n--- want, from byte %zu:\n%s\n---\n",
	    what, i, gotlen, wantlen, from, g, from, w);
	free(g);
	free(w);
	return -1;
}

static void
assert_same_bytes(const char *what, const char *got, size_t gotlen,
    const char *want, size_t wantlen)
{
	if (same_bytes(what, got, gotlen, want, wantlen) == -1)
		fail_msg("%s: not the same bytes", what);
}

/* --- the spool tree ------------------------------------------------------ */

static int
group_setup(void **state)
{
	char path[96];

	if (tu_tmpdir(spool_top, sizeof(spool_top), "smtp") == -1)
		return -1;
	snprintf(path, sizeof(path), "%s/spool", spool_top);
	if ((spool_fd = spool_prepare(path, getuid(), getgid())) == -1)
		return -1;
	return 0;
}

static int
group_teardown(void **state)
{
	close(spool_fd);
	tu_rmtree(spool_top);
	return 0;
}

/* --- running a session --------------------------------------------------- */

struct run {
	char		*out;		/* every reply, in order */
	size_t		 outlen;
	char		*spool;		/* the spool file, once finished */
	size_t		 spoollen;
	enum smtp_end	 end;
	unsigned	 messages;
};

static void
run_free(struct run *r)
{
	free(r->out);
	free(r->spool);
	memset(r, 0, sizeof(*r));
}

static void
append_str(char **dst, size_t *len, const char *s)
{
	append(dst, len, s, strlen(s));
}

static void
drain(struct smtp_session *s, struct run *r)
{
	struct buf *b = smtp_output(s);

	if (b->len > 0)
		append(&r->out, &r->outlen, b->data, b->len);
	buf_consume(b, b->len);
}

/*
 * One session: greet, feed in, chunk bytes at a time (0: all at once),
 * and when the input is over and the session is not, the client is gone.
 */
static void
run_session(const char *conf, const char *in, size_t inlen, size_t chunk,
    struct run *r)
{
	char cftext[4096], err[CONF_ERR_MAX], sid[32], path[256];
	struct spool_meta meta;
	struct spool_file *sf;
	struct smtp_session *s;
	struct config cf;
	size_t i, n;

	memset(r, 0, sizeof(*r));
	r->out = calloc(1, 1);
	snprintf(cftext, sizeof(cftext), "hostname = mx.test\n%s",
	    conf ? conf : "");
	if (conf_parse_buffer(&cf, "test.conf", cftext, strlen(cftext), err,
	    sizeof(err)) == -1)
		fail_msg("config: %s", err);

	/* each run its own spool file name */
	snprintf(sid, sizeof(sid), "%016x", ++spool_seq);
	memset(&meta, 0, sizeof(meta));
	meta.session_id = sid;
	meta.sensor = "test";
	meta.client_ip = "192.0.2.1";
	meta.client_port = 40000;
	meta.server_ip = "192.0.2.25";
	meta.server_port = 25;
	assert_non_null(sf = spool_create(spool_fd, &meta));
	snprintf(path, sizeof(path), "new/%s", spool_name(sf));

	assert_non_null(s = smtp_new(&cf, SESSION_ID, sf));
	smtp_greet(s);
	drain(s, r);
	for (i = 0; i < inlen; i += n) {
		n = chunk == 0 || inlen - i < chunk ? inlen - i : chunk;
		assert_int_equal(smtp_feed(s, in + i, n), 0);
		drain(s, r);
	}
	if (smtp_ended(s) == SMTP_END_NONE)
		smtp_close(s, SMTP_END_RESET);
	drain(s, r);
	r->end = smtp_ended(s);
	r->messages = smtp_messages(s);
	assert_int_equal(spool_finish(sf, smtp_end_name(r->end), 0), 0);
	smtp_free(s);
	conf_clear(&cf);

	{
		int fd = openat(spool_fd, path, O_RDONLY | O_CLOEXEC);
		struct stat st;

		assert_true(fd != -1);
		assert_int_equal(fstat(fd, &st), 0);
		r->spoollen = (size_t)st.st_size;
		assert_non_null(r->spool = malloc(r->spoollen + 1));
		assert_int_equal(read(fd, r->spool, r->spoollen),
		    (ssize_t)r->spoollen);
		r->spool[r->spoollen] = '\0';
		close(fd);
		assert_int_equal(unlinkat(spool_fd, path, 0), 0);
	}
}

/*
 * The spool file in a form that does not depend on timing or on how the
 * input was split: stamps and transcript timings dropped, adjacent body
 * records (split where the writer flushed) joined. Body bytes are kept
 * raw, each body introduced by "body LEN\n".
 */
static char *
spool_normalize(const char *p, size_t len, size_t *outlen)
{
	const char *end = p + len, *nl, *sp;
	char *out = calloc(1, 1), *body = NULL, hdr[64];
	size_t olen = 0, blen = 0;
	unsigned long long n;

	assert_non_null(out);
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			fail_msg("spool file does not end with a newline");
		if (strncmp(p, "body ", 5) == 0) {
			if (nl - p != 15)
				fail_msg("bad body header");
			n = strtoull(p + 5, NULL, 10);
			p = nl + 1;
			if ((unsigned long long)(end - p) < n + 1 ||
			    p[n] != '\n')
				fail_msg("body record of %llu bytes cut", n);
			append(&body, &blen, p, (size_t)n);
			p += n + 1;
			continue;
		}
		if (body != NULL) {
			snprintf(hdr, sizeof(hdr), "body %zu\n", blen);
			append(&out, &olen, hdr, strlen(hdr));
			append(&out, &olen, body, blen);
			append(&out, &olen, "\n", 1);
			free(body);
			body = NULL;
			blen = 0;
		}
		if (strncmp(p, "start ", 6) == 0 ||
		    strncmp(p, "session ", 8) == 0)
			;	/* differs from run to run */
		else if (strncmp(p, "end ", 4) == 0 &&
		    (sp = memchr(p + 4, ' ', (size_t)(nl - p - 4))) != NULL) {
			append(&out, &olen, "end", 3);
			append(&out, &olen, sp, (size_t)(nl + 1 - sp));
		} else if ((p[0] == 'C' || p[0] == 'S') && p[1] == ' ' &&
		    (sp = memchr(p + 2, ' ', (size_t)(nl - p - 2))) != NULL) {
			append(&out, &olen, p, 1);
			append(&out, &olen, sp, (size_t)(nl + 1 - sp));
		} else
			append(&out, &olen, p, (size_t)(nl + 1 - p));
		p = nl + 1;
	}
	if (body != NULL)
		fail_msg("spool file ends with a body record");
	*outlen = olen;
	return out;
}

/* Is line one of the text records of the spool file (bodies skipped)? */
static int
spool_has_line(const struct run *r, const char *line)
{
	const char *p = r->spool, *end = r->spool + r->spoollen, *nl;
	size_t n = strlen(line);
	unsigned long long blen;

	while (p < end && (nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		if ((size_t)(nl - p) == n && memcmp(p, line, n) == 0)
			return 1;
		if (strncmp(p, "body ", 5) == 0) {
			blen = strtoull(p + 5, NULL, 10);
			p = nl + 1 + blen + 1;
			continue;
		}
		p = nl + 1;
	}
	return 0;
}

static void
assert_spool_line(const struct run *r, const char *line)
{
	char *v;

	if (spool_has_line(r, line))
		return;
	v = visible(r->spool, r->spoollen);
	fail_msg("no line '%s' in the spool file:\n%s", line, v);
}

/* The first line that starts with prefix, as a malloc'd string. */
static char *
spool_find(const struct run *r, const char *prefix)
{
	const char *p = r->spool, *end = r->spool + r->spoollen, *nl;
	unsigned long long blen;

	while (p < end && (nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		if (strncmp(p, prefix, strlen(prefix)) == 0)
			return strndup(p, (size_t)(nl - p));
		if (strncmp(p, "body ", 5) == 0) {
			blen = strtoull(p + 5, NULL, 10);
			p = nl + 1 + blen + 1;
			continue;
		}
		p = nl + 1;
	}
	return NULL;
}

/* The bytes of message n (1-based): its body records joined. */
static char *
spool_message_body(const struct run *r, unsigned msg, size_t *len)
{
	const char *p = r->spool, *end = r->spool + r->spoollen, *nl;
	char want[32], *body = calloc(1, 1);
	unsigned long long blen;
	int in = 0;

	assert_non_null(body);
	*len = 0;
	snprintf(want, sizeof(want), "data n=%u", msg);
	while (p < end && (nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		if (strncmp(p, "body ", 5) == 0) {
			blen = strtoull(p + 5, NULL, 10);
			if (in)
				append(&body, len, nl + 1, (size_t)blen);
			p = nl + 1 + blen + 1;
			continue;
		}
		if ((size_t)(nl - p) == strlen(want) &&
		    memcmp(p, want, strlen(want)) == 0)
			in = 1;
		else if (strncmp(p, "message ", 8) == 0)
			in = 0;
		p = nl + 1;
	}
	return body;
}

/* --- golden dialogues ---------------------------------------------------- */

struct golden {
	char	*in, *out, *conf;
	size_t	 inlen, outlen;
};

static int
golden_load(const char *name, struct golden *g)
{
	char path[1024], *conf;
	size_t len;

	memset(g, 0, sizeof(*g));
	snprintf(path, sizeof(path), "%s/smtp/%s.in", data_dir, name);
	if ((g->in = tu_read_at(AT_FDCWD, path, &g->inlen)) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/smtp/%s.out", data_dir, name);
	if ((g->out = tu_read_at(AT_FDCWD, path, &g->outlen)) == NULL)
		fail_msg("%s: %s", path, strerror(errno));
	snprintf(path, sizeof(path), "%s/smtp/%s.conf", data_dir, name);
	conf = tu_read_at(AT_FDCWD, path, &len);
	/* A dialogue names its persona in NAME.conf; those that do not are
	 * the rfc821 persona's, what spampot answered before personas. */
	if (conf == NULL || strstr(conf, "persona") == NULL) {
		if (asprintf(&g->conf, "persona = rfc821\n%s",
		    conf != NULL ? conf : "") == -1)
			fail_msg("out of memory");
		free(conf);
	} else
		g->conf = conf;
	return 0;
}

static void
golden_free(struct golden *g)
{
	free(g->in);
	free(g->out);
	free(g->conf);
}

/*
 * Every way of splitting the input: the same replies as NAME.out and the
 * same spool file. Returns how many ways failed; keeps the whole-input run
 * in *whole when asked.
 */
static int
golden_run(const char *name, struct run *whole)
{
	struct golden g;
	struct run r, first;
	char what[128], *norm0 = NULL, *norm;
	size_t i, len0 = 0, len;
	int failed = 0;

	if (golden_load(name, &g) == -1)
		fail_msg("%s/smtp/%s.in: %s", data_dir, name, strerror(errno));
	memset(&first, 0, sizeof(first));
	for (i = 0; i < NCHUNKS; i++) {
		run_session(g.conf, g.in, g.inlen, chunk_sizes[i], &r);
		if (chunk_sizes[i] == 0)
			snprintf(what, sizeof(what), "%s, input whole", name);
		else
			snprintf(what, sizeof(what), "%s, input in chunks of "
			    "%zu", name, chunk_sizes[i]);
		if (same_bytes(what, r.out, r.outlen, g.out, g.outlen) == -1)
			failed++;
		norm = spool_normalize(r.spool, r.spoollen, &len);
		if (i == 0) {
			norm0 = norm;
			len0 = len;
			first = r;
			continue;
		}
		snprintf(what, sizeof(what), "%s: spool file, chunks of %zu "
		    "against whole input", name, chunk_sizes[i]);
		if (same_bytes(what, norm, len, norm0, len0) == -1)
			failed++;
		if (r.end != first.end) {
			fprintf(stderr, "%s: ended '%s', whole input ended "
			    "'%s'\n",
			    what, smtp_end_name(r.end),
			    smtp_end_name(first.end));
			failed++;
		}
		free(norm);
		run_free(&r);
	}
	free(norm0);
	if (whole != NULL)
		*whole = first;
	else
		run_free(&first);
	golden_free(&g);
	return failed;
}

static void
golden_check(const char *name, struct run *whole)
{
	if (golden_run(name, whole) != 0)
		fail_msg("golden dialogue %s failed", name);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every NAME.in in the data directory, whatever the other tests check. */
static void
test_golden_all(void **state)
{
	char path[1024], *names[256], *dot;
	struct dirent *de;
	size_t n = 0, i, failed = 0;
	DIR *d;

	snprintf(path, sizeof(path), "%s/smtp", data_dir);
	if ((d = opendir(path)) == NULL)
		fail_msg("%s: %s", path, strerror(errno));
	while ((de = readdir(d)) != NULL) {
		if ((dot = strrchr(de->d_name, '.')) == NULL ||
		    strcmp(dot, ".in") != 0)
			continue;
		assert_true(n < 256);
		names[n++] = strndup(de->d_name, (size_t)(dot - de->d_name));
	}
	closedir(d);
	assert_true(n >= 30);
	qsort(names, n, sizeof(names[0]), cmp_str);
	for (i = 0; i < n; i++) {
		if (golden_run(names[i], NULL) != 0) {
			fprintf(stderr, "golden dialogue %s: FAILED\n",
			    names[i]);
			failed++;
		}
		free(names[i]);
	}
	if (failed > 0)
		fail_msg("%zu of %zu golden dialogues failed", failed, n);
}

/* --- what the spool file holds ------------------------------------------- */

static void
test_spool_basic(void **state)
{
	static const char body[] = "From: alice@example.org\r\n"
	    "Subject: hello\r\n\r\nHi Bob.\r\n";
	struct run r;
	char *line, *b, want[128];
	size_t len;

	golden_check("basic", &r);
	assert_int_equal(r.end, SMTP_END_QUIT);
	assert_int_equal(r.messages, 1);
	assert_true(strncmp(r.spool, "spampot-spool 1\n", 16) == 0);
	assert_spool_line(&r, "helo verb=EHLO name=client.example");
	assert_spool_line(&r, "mail from=alice@example.org");
	assert_spool_line(&r, "rcpt to=bob@example.net");
	assert_spool_line(&r, "data n=1");
	b = spool_message_body(&r, 1, &len);
	assert_same_bytes("basic body", b, len, body, sizeof(body) - 1);
	free(b);
	snprintf(want, sizeof(want), "message n=1 size=%zu stored=%zu "
	    "truncated=0 bare_lf=0 queue_id=05514380BA", sizeof(body) - 1,
	    sizeof(body) - 1);
	assert_spool_line(&r, want);
	assert_non_null(line = spool_find(&r, "end "));
	assert_non_null(strstr(line, " reason=quit"));
	free(line);
	/* the transcript: both directions, with the line ends */
	assert_non_null(line = spool_find(&r, "C "));
	assert_non_null(strstr(line, " crlf EHLO client.example"));
	free(line);
	assert_non_null(line = spool_find(&r, "S "));
	assert_non_null(strstr(line,
	    " 220 mx.test ESMTP Postfix (Debian/GNU)"));
	free(line);
	run_free(&r);
}

static void
test_spool_params(void **state)
{
	struct run r;

	golden_check("pipelined", &r);
	assert_spool_line(&r, "mail from=x@spam.example "
	    "params=SIZE=100\\x20BODY=8BITMIME");
	assert_spool_line(&r, "rcpt to=v1@victim.example");
	assert_spool_line(&r, "rcpt to=v2@victim.example");
	assert_spool_line(&r, "rcpt to=v3@victim.example");
	assert_spool_line(&r, "message n=2 size=26 stored=26 truncated=0 "
	    "bare_lf=0 queue_id=0551437F07");
	assert_int_equal(r.messages, 2);
	run_free(&r);
}

static void
test_spool_dots(void **state)
{
	static const char dots[] = "Subject: dots\r\n\r\n.\r\n..three\r\n"
	    " space after dot\r\na.b\r\nx\r\n";
	static const char lf[] = "Subject: lf\n\nline one\r\n.stuffed\n";
	static const char nt[] = "Subject: dots\r\n\r\na\r.\r\nmore\r\n .\r\n"
	    "x.\r\n\rX\r\n. \r\n\r.\r\nend\r\n";
	struct run r;
	size_t len;
	char *b;

	golden_check("dot_stuffing", &r);
	b = spool_message_body(&r, 1, &len);
	assert_same_bytes("dot_stuffing body", b, len, dots, sizeof(dots) - 1);
	free(b);
	assert_spool_line(&r, "message n=1 size=55 stored=55 truncated=0 "
	    "bare_lf=0 queue_id=05514380BA");
	run_free(&r);

	golden_check("bare_lf", &r);
	b = spool_message_body(&r, 1, &len);
	assert_same_bytes("bare_lf body", b, len, lf, sizeof(lf) - 1);
	free(b);
	assert_spool_line(&r, "message n=1 size=32 stored=32 truncated=0 "
	    "bare_lf=3 queue_id=05514380BA");
	assert_non_null(b = spool_find(&r, "C "));
	assert_non_null(strstr(b, " lf EHLO c.example"));
	free(b);
	run_free(&r);

	golden_check("not_a_terminator", &r);
	b = spool_message_body(&r, 1, &len);
	assert_same_bytes("not_a_terminator body", b, len, nt, sizeof(nt) - 1);
	free(b);
	assert_int_equal(r.messages, 1);
	run_free(&r);
}

/* A line holding a lone dot after a bare LF or before one ends the text. */
static void
test_spool_smuggling(void **state)
{
	static const char *const cases[][2] = {
		{ "smuggle_lf_dot_crlf", "Subject: s1\r\n\r\ntext\n" },
		{ "smuggle_crlf_dot_lf", "Subject: s1\r\n\r\ntext\r\n" },
	};
	static const char second[] = "Subject: smuggled\r\n\r\nx\r\n";
	struct run r;
	size_t i, len;
	char *b;

	for (i = 0; i < 2; i++) {
		golden_check(cases[i][0], &r);
		b = spool_message_body(&r, 1, &len);
		assert_same_bytes(cases[i][0], b, len, cases[i][1],
		    strlen(cases[i][1]));
		free(b);
		b = spool_message_body(&r, 2, &len);
		assert_same_bytes(cases[i][0], b, len, second,
		    sizeof(second) - 1);
		free(b);
		assert_spool_line(&r, "mail from=smuggled@evil.example");
		run_free(&r);
	}
}

static void
test_spool_auth(void **state)
{
	static const struct {
		const char	*name;
		const char	*lines[4];
	} cases[] = {
		{ "auth_plain_initial", {
		    "auth mech=PLAIN status=ok user=bob pass=se\\x20cret "
		    "authzid=", NULL } },
		{ "auth_plain_challenge", {
		    "auth mech=PLAIN status=ok user=admin@example.com "
		    "pass=p@ss\\x00w0rd authzid=admin@example.com", NULL } },
		{ "auth_login", {
		    "auth mech=LOGIN status=ok user=alice pass=hunter2 "
		    "authzid=", NULL } },
		{ "auth_login_initial", {
		    "auth mech=LOGIN status=ok user=user pass=pass\\x20word "
		    "authzid=", NULL } },
		{ "auth_abort", {
		    "auth mech=PLAIN status=aborted user= pass= authzid=",
		    "auth mech=LOGIN status=aborted user=alice pass= authzid=",
		    NULL } },
		{ "auth_bad_base64", {
		    "auth mech=PLAIN status=bad-base64 user= pass= authzid=",
		    "auth-raw !!!!",
		    "auth mech=PLAIN status=malformed user= pass= authzid=",
		    "auth-raw \\x00carol" } },
		{ "auth_unknown", {
		    "auth mech=CRAM-MD5 status=unsupported user= pass= "
		    "authzid=", "auth mech=PLAIN status=ok user=bob "
		    "pass=se\\x20cret authzid=", NULL } },
	};
	struct run r;
	size_t i, j;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		golden_check(cases[i].name, &r);
		for (j = 0; j < 4 && cases[i].lines[j] != NULL; j++)
			assert_spool_line(&r, cases[i].lines[j]);
		run_free(&r);
	}
}

static void
test_spool_limits(void **state)
{
	struct run r;
	char *line, *b;
	size_t len, i;

	/* over max_message_size: cut, flagged, and the session goes on */
	golden_check("message_too_big", &r);
	assert_spool_line(&r, "message n=1 size=1500 stored=1024 truncated=1 "
	    "bare_lf=0 queue_id=05514380BA");
	b = spool_message_body(&r, 1, &len);
	assert_int_equal(len, 1024);
	assert_memory_equal(b, "00xxxx", 6);
	free(b);
	assert_spool_line(&r, "message n=2 size=7 stored=7 truncated=0 "
	    "bare_lf=0 queue_id=0551437F07");
	assert_int_equal(r.end, SMTP_END_QUIT);
	run_free(&r);

	/* over max_data_line: each line cut, its line end kept */
	golden_check("data_long_line", &r);
	b = spool_message_body(&r, 1, &len);
	assert_int_equal(len, 999 + 2 + 1000 + 2 + 1000 + 1 + 1000 + 2);
	for (i = 0; i < 999; i++)
		assert_int_equal(b[i], 'A');
	assert_memory_equal(b + 999, "\r\nBBBB", 6);
	assert_memory_equal(b + 1001 + 1000, "\r\nCCCC", 6);
	assert_memory_equal(b + 1003 + 1000 + 1000, "\nDDDD", 5);
	assert_memory_equal(b + len - 3, "D\r\n", 3);
	free(b);
	assert_spool_line(&r, "message n=1 size=4707 stored=4006 truncated=1 "
	    "bare_lf=1 queue_id=05514380BA");
	run_free(&r);

	golden_check("too_many_errors", &r);
	assert_int_equal(r.end, SMTP_END_LIMIT);
	assert_non_null(line = spool_find(&r, "end "));
	assert_non_null(strstr(line, " reason=limit"));
	free(line);
	run_free(&r);

	golden_check("max_messages", &r);
	assert_int_equal(r.end, SMTP_END_LIMIT);
	assert_int_equal(r.messages, 2);
	run_free(&r);

	golden_check("quit_then_more", &r);
	assert_int_equal(r.end, SMTP_END_QUIT);
	run_free(&r);
}

/* The client went away in the middle of DATA: what came is kept. */
static void
test_spool_data_cut(void **state)
{
	static const char body[] = "Subject: cut\r\n\r\npartial line";
	struct run r;
	size_t len;
	char *b;

	golden_check("data_cut", &r);
	assert_int_equal(r.end, SMTP_END_RESET);
	assert_int_equal(r.messages, 0);
	b = spool_message_body(&r, 1, &len);
	assert_same_bytes("data_cut body", b, len, body, sizeof(body) - 1);
	free(b);
	assert_spool_line(&r, "message n=1 size=28 stored=28 truncated=1 "
	    "bare_lf=0 incomplete=1");
	run_free(&r);
}

/*
 * The challenge-response mechanisms, whose challenges differ from run to
 * run: what the spool holds. CRAM-MD5 records the user, the HMAC and our
 * challenge; NTLM the DOMAIN\\user, the NT response and our challenge;
 * SCRAM the user and the proof.
 */
static void
test_auth_mechs(void **state)
{
	static const char in[] =
	    "EHLO c.example\r\n"
	    "AUTH CRAM-MD5\r\nYWxpY2UgMDEyM2FiY2Q=\r\n"
	    "AUTH SCRAM-SHA-256 biwsbj1jYXJvbCxyPWFiYzEyMw==\r\n"
	    "Yz1iaXdzLHI9YWJjMTIzeHl6LHA9Y0hKdmIyWT0=\r\n"
	    "AUTH NTLM TlRMTVNTUAABAAAAB4IIogAAAAAAAAAAAAAAAAAAAAA=\r\n"
	    "TlRMTVNTUAADAAAAAAAAAEAAAAAEAAQAQAAAAAYABgBEAAAABgAGAEoAAAAAAAAA"
	    "UAAAAAAAAABQAAAABYKIot6tvu9EAE8ATQBqAG8AZQA=\r\n"
	    "QUIT\r\n";
	struct run r;

	/* SCRAM is refused whatever auth_accept says: no server signature
	 * can be made without the password */
	run_session("persona = postfix-debian\nauth_accept = fail-first 1\n",
	    in, sizeof(in) - 1, 0, &r);
	assert_spool_line(&r, "auth mech=CRAM-MD5 status=rejected user=alice "
	    "pass=0123abcd authzid=");
	assert_non_null(strstr(r.spool, "\nauth-raw <"));
	assert_spool_line(&r, "auth mech=NTLM status=ok user=DOM\\x5cjoe "
	    "pass=deadbeef authzid=");
	assert_spool_line(&r, "auth mech=SCRAM-SHA-256 status=rejected "
	    "user=carol pass=cHJvb2Y= authzid=");
	assert_non_null(strstr(r.out, "334 cj1hYmMx"));	/* r=abc1 */
	assert_non_null(strstr(r.out, "\r\n235 2.7.0 Authentication "
	    "successful\r\n"));
	run_free(&r);
}

/*
 * exim-debian's address parser: a backslash quotes the byte after it, and
 * one that ends the address quotes nothing (it was read past the end).
 * Each address gets its reply and the session goes on.
 */
static void
test_exim_trailing_backslash(void **state)
{
	static const char in[] =
	    "EHLO c.example\r\n"
	    "MAIL FROM:<a@x.example>\r\n"
	    "RCPT TO:<r1\\>\r\n"
	    "RCPT TO:r2\\\r\n"
	    "RCPT TO:<r\\@3@y.example>\r\n"
	    "QUIT\r\n";
	struct run r;
	const char *p;
	int replies = 0;

	(void)state;
	run_session("persona = exim-debian\n", in, sizeof(in) - 1, 0, &r);
	assert_non_null(p = strstr(r.out, "\r\n250 OK\r\n"));
	for (p += 10; strncmp(p, "221 ", 4) != 0; p = strchr(p, '\n') + 1) {
		assert_true(strncmp(p, "250 ", 4) == 0 ||
		    strncmp(p, "501 ", 4) == 0);
		replies++;
	}
	assert_int_equal(replies, 3);
	run_free(&r);
}

/* How many lines of the spool file begin with prefix. */
static int
spool_count_prefix(const struct run *r, const char *prefix)
{
	const char *p = r->spool, *end = r->spool + r->spoollen, *nl;
	size_t n = strlen(prefix);
	int count = 0;

	while (p < end && (nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		if ((size_t)(nl - p) >= n && memcmp(p, prefix, n) == 0)
			count++;
		p = nl + 1;
	}
	return count;
}

/*
 * XOAUTH2 (Google's SASL-IR "user=U^Aauth=Bearer TOKEN^A^A"): the record
 * holds the mechanism, the user and the token decoded, "Bearer " taken
 * off whatever its case, another scheme kept whole, a peer's space
 * escaped; as an initial response or after an empty challenge. Without a
 * user or an auth field it is malformed, its decoded bytes kept; bad
 * base64 is bad-base64. One record for each attempt.
 */
static void
test_auth_xoauth2(void **state)
{
	static const char ok_in[] =
	    "EHLO c.example\r\n"
	    "AUTH XOAUTH2 dXNlcj1ldmVAeC5leGFtcGxlAWF1dGg9QmVhcmVyIHlhMjkudG9r"
	    "AQE=\r\n"
	    "QUIT\r\n";
	static const char challenge_in[] =
	    "EHLO c.example\r\n"
	    "AUTH XOAUTH2\r\n"
	    "dXNlcj1jYXJvbEB4LmV4YW1wbGUBYXV0aD1CZWFyZXIgeWEyOS5hZnRlci1jaGFs"
	    "bGVuZ2UBAQ==\r\n"
	    "QUIT\r\n";
	static const char bad_in[] =
	    "EHLO c.example\r\n"
	    "AUTH XOAUTH2 dXNlcj1ib2JAeC5leGFtcGxlAWF1dGg9YmVhcmVyIGxvd2VyLmNh"
	    "c2UBAQ==\r\n"
	    "AUTH XOAUTH2 dXNlcj1hIGIBYXV0aD1CYXNpYyBkWE5sY2c9PQEB\r\n"
	    "AUTH XOAUTH2 YXV0aD1CZWFyZXIgbm8udXNlcgEB\r\n"
	    "AUTH XOAUTH2 abc\r\n"
	    "QUIT\r\n";
	struct run r;

	(void)state;
	run_session("persona = postfix-debian\n", ok_in, sizeof(ok_in) - 1,
	    0, &r);
	assert_non_null(strstr(r.out, "\r\n235 2.7.0 Authentication "
	    "successful\r\n"));
	assert_spool_line(&r, "auth mech=XOAUTH2 status=ok "
	    "user=eve@x.example pass=ya29.tok authzid=");
	assert_int_equal(spool_count_prefix(&r, "auth "), 1);
	run_free(&r);

	run_session("persona = postfix-debian\n", challenge_in,
	    sizeof(challenge_in) - 1, 0, &r);
	assert_non_null(strstr(r.out, "\r\n334 \r\n"));
	assert_spool_line(&r, "auth mech=XOAUTH2 status=ok "
	    "user=carol@x.example pass=ya29.after-challenge authzid=");
	assert_int_equal(spool_count_prefix(&r, "auth "), 1);
	run_free(&r);

	run_session("persona = postfix-debian\nauth_accept = fail-first 5\n",
	    bad_in, sizeof(bad_in) - 1, 0, &r);
	assert_null(strstr(r.out, "\r\n235 "));
	assert_spool_line(&r, "auth mech=XOAUTH2 status=rejected "
	    "user=bob@x.example pass=lower.case authzid=");
	assert_spool_line(&r, "auth mech=XOAUTH2 status=rejected "
	    "user=a\\x20b pass=Basic\\x20dXNlcg== authzid=");
	assert_spool_line(&r, "auth mech=XOAUTH2 status=malformed "
	    "user= pass= authzid=");
	assert_spool_line(&r, "auth-raw auth=Bearer\\x20no.user\\x01\\x01");
	assert_spool_line(&r, "auth mech=XOAUTH2 status=bad-base64 "
	    "user= pass= authzid=");
	assert_spool_line(&r, "auth-raw abc");
	assert_int_equal(spool_count_prefix(&r, "auth mech=XOAUTH2 "), 4);
	run_free(&r);
}

static int starttls_hook_calls;

static int
starttls_hook(void *ctx)
{
	starttls_hook_calls++;
	return *(int *)ctx;
}

/*
 * STARTTLS through the worker's hook: 220 and nothing more read until the
 * handshake is done (what was pipelined in clear is dropped), then no
 * STARTTLS in EHLO and 554 for a second one; 454 when the hook fails;
 * Postfix's 502 where it is not offered.
 */
static void
test_starttls_postfix(void **state)
{
	static const char cftext[] = "hostname = mx.test\n";
	char err[CONF_ERR_MAX];
	struct smtp_session *s;
	struct config cf;
	struct run r;
	int rc = 0;

	assert_int_equal(conf_parse_buffer(&cf, "t", cftext, strlen(cftext),
	    err, sizeof(err)), 0);
	memset(&r, 0, sizeof(r));
	r.out = calloc(1, 1);
	assert_non_null(s = smtp_new(&cf, SESSION_ID, NULL));
	smtp_set_tls(s, starttls_hook, &rc);
	assert_int_equal(smtp_feed(s, "EHLO c\r\nSTARTTLS\r\nNOOP\r\n", 24),
	    0);
	drain(s, &r);
	assert_non_null(strstr(r.out, "250-STARTTLS\r\n"));
	assert_non_null(strstr(r.out, "\r\n220 2.0.0 Ready to start TLS\r\n"));
	assert_null(strstr(r.out, "250 2.0.0 Ok"));	/* NOOP not obeyed */
	assert_int_equal(smtp_pending_input(s), 0);
	smtp_tls_started(s);
	free(r.out);
	r.out = calloc(1, 1);
	r.outlen = 0;
	assert_int_equal(smtp_feed(s, "EHLO c\r\nSTARTTLS\r\n", 18), 0);
	drain(s, &r);
	assert_null(strstr(r.out, "STARTTLS"));
	assert_non_null(strstr(r.out, "554 5.5.1 Error: TLS already active"));
	smtp_free(s);

	rc = -1;
	free(r.out);
	r.out = calloc(1, 1);
	r.outlen = 0;
	assert_non_null(s = smtp_new(&cf, SESSION_ID, NULL));
	smtp_set_tls(s, starttls_hook, &rc);
	assert_int_equal(smtp_feed(s, "STARTTLS\r\n", 10), 0);
	drain(s, &r);
	assert_string_equal(r.out,
	    "454 4.7.0 TLS not available due to local problem\r\n");
	smtp_free(s);
	assert_int_equal(starttls_hook_calls, 2);

	free(r.out);
	r.out = calloc(1, 1);
	r.outlen = 0;
	assert_non_null(s = smtp_new(&cf, SESSION_ID, NULL));
	assert_int_equal(smtp_feed(s, "STARTTLS\r\n", 10), 0);
	drain(s, &r);
	assert_string_equal(r.out,
	    "502 5.5.1 Error: command not implemented\r\n");
	smtp_free(s);
	free(r.out);
	conf_clear(&cf);
}

/*
 * postfix-debian: after the tenth error the next command waits a second
 * (smtpd_soft_error_limit); a BDAT message is kept like DATA.
 */
static void
test_postfix_errors_bdat(void **state)
{
	static const char errs[] =
	    "X1\r\nX2\r\nX3\r\nX4\r\nX5\r\nX6\r\nX7\r\nX8\r\nX9\r\n"
	    "X10\r\nNOOP\r\n";
	static const char bdat[] =
	    "MAIL FROM:<a@x.example>\r\nRCPT TO:<b@y.example>\r\n"
	    "BDAT 6\r\nhello\nBDAT 8 LAST\r\n world\r\nQUIT\r\n";
	static const char cftext[] = "hostname = mx.test\n";
	char err[CONF_ERR_MAX];
	struct smtp_session *s;
	struct config cf;
	struct run r;

	assert_int_equal(conf_parse_buffer(&cf, "t", cftext, strlen(cftext),
	    err, sizeof(err)), 0);
	memset(&r, 0, sizeof(r));
	r.out = calloc(1, 1);
	assert_non_null(s = smtp_new(&cf, SESSION_ID, NULL));
	assert_int_equal(smtp_feed(s, errs, sizeof(errs) - 1), 0);
	drain(s, &r);
	/* ten answered, the NOOP waits */
	assert_null(strstr(r.out, "250 2.0.0 Ok"));
	assert_true(smtp_held_until(s) > 0);
	assert_int_equal(smtp_pending_input(s), 6);
	smtp_free(s);
	free(r.out);
	conf_clear(&cf);

	run_session(NULL, bdat, sizeof(bdat) - 1, 0, &r);
	assert_non_null(strstr(r.out, "250 2.0.0 Ok: 6 bytes\r\n"));
	/* Postfix's count: the bare LF ends a line as CRLF does */
	assert_non_null(strstr(r.out, "250 2.0.0 Ok: 15 bytes queued as "));
	assert_int_equal(r.messages, 1);
	/* one body record a chunk, the BDAT lines between them */
	assert_non_null(memmem(r.spool, r.spoollen, "\nhello\n\n", 8));
	assert_non_null(memmem(r.spool, r.spoollen, "\n world\r\n\n", 10));
	assert_null(strstr(r.out, "500"));	/* no byte read as a command */
	run_free(&r);
}

/* Wait until the session's hold is over, then let it go on. */
static void
wait_held(struct smtp_session *s)
{
	struct timespec ts;
	uint64_t until = smtp_held_until(s);

	clock_gettime(CLOCK_MONOTONIC, &ts);
	while ((uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000 <=
	    until) {
		usleep(10000);
		clock_gettime(CLOCK_MONOTONIC, &ts);
	}
	smtp_resume(s);
}

/*
 * Postfix's soft error limit: nine errors, no wait; after the tenth,
 * every reply waits a second (smtpd_chat_reply() sleeps before each
 * reply while the count is at the limit), not only one after an error.
 */
static void
test_postfix_soft_errors(void **state)
{
	static const char nine[] =
	    "X1\r\nX2\r\nX3\r\nX4\r\nX5\r\nX6\r\nX7\r\nX8\r\nX9\r\n"
	    "NOOP\r\nNOOP\r\n";
	static const char tenth[] = "X10\r\nNOOP\r\nNOOP\r\n";
	static const char cftext[] = "hostname = mx.test\n";
	char err[CONF_ERR_MAX];
	struct smtp_session *s;
	struct config cf;
	struct buf *b;

	(void)state;
	assert_int_equal(conf_parse_buffer(&cf, "t", cftext, strlen(cftext),
	    err, sizeof(err)), 0);
	assert_non_null(s = smtp_new(&cf, SESSION_ID, NULL));
	b = smtp_output(s);
	assert_int_equal(smtp_feed(s, nine, sizeof(nine) - 1), 0);
	assert_int_equal(smtp_pending_input(s), 0);	/* all answered */
	assert_true(smtp_held_until(s) <= util_now_ms());
	buf_consume(b, b->len);

	/* the tenth error: the next reply waits, and so does the one after */
	assert_int_equal(smtp_feed(s, tenth, sizeof(tenth) - 1), 0);
	assert_int_equal(b->len, 41);
	assert_memory_equal(b->data, "500 5.5.2 Error: command not recognized"
	    "\r\n", 41);
	assert_int_equal(smtp_pending_input(s), 12);
	assert_true(smtp_held_until(s) >= util_now_ms() + 900);
	buf_consume(b, b->len);
	wait_held(s);
	assert_int_equal(b->len, 14);
	assert_int_equal(smtp_pending_input(s), 6);
	assert_true(smtp_held_until(s) >= util_now_ms() + 900);
	smtp_free(s);
	conf_clear(&cf);
}

/*
 * Postfix forgives a client its errors when it accepts a message: two
 * errors, a message, two more do not reach max_errors = 3. exim-debian
 * counts on.
 */
static void
test_postfix_forgives(void **state)
{
	static const char in[] =
	    "EHLO c.example\r\nX1\r\nX2\r\nMAIL FROM:<a@x.example>\r\n"
	    "RCPT TO:<b@y.example>\r\nDATA\r\nhi\r\n.\r\nX3\r\nX4\r\n"
	    "QUIT\r\n";
	struct run r;

	(void)state;
	run_session("persona = postfix-debian\nmax_errors = 3\n", in,
	    sizeof(in) - 1, 0, &r);
	assert_int_equal(r.end, SMTP_END_QUIT);
	assert_null(strstr(r.out, "421"));
	run_free(&r);
	run_session("persona = exim-debian\nmax_errors = 3\n", in,
	    sizeof(in) - 1, 0, &r);
	assert_int_equal(r.end, SMTP_END_LIMIT);
	run_free(&r);
}

/*
 * The size of a BDAT message as each MTA tells it, checked against the
 * real Postfix 3.7 and Exim 4.96: the chunks ("|" between them) whole and
 * a byte at a time, the count in the reply to the last.
 */
static const struct bdat_size_case {
	int		 exim;
	const char	*chunks;
	size_t		 len;
	unsigned	 size;
} bdat_sizes[] = {
#define B(e, s, n)	{ e, s, sizeof(s) - 1, n }
	B(0, "hello", 7), B(0, "hello\r\n", 7), B(0, "hello\n", 7),
	B(0, "a\r\r\n", 3), B(0, "hello\r", 8), B(0, "a\nb", 6),
	B(0, "hel|lo\r\n", 7), B(0, "hello\r|\nx", 10), B(0, "a\rb", 5),
	B(0, "\r\n", 2), B(0, "\r", 3), B(0, "\r\r\r\n", 2),
	B(0, "a\0b\r\n", 5),
	B(1, "", 2), B(1, "hello", 8), B(1, "hello\r\n", 8),
	B(1, "a\nb\n", 7), B(1, "a\rb\r\n", 7), B(1, "hel|lo\r\n", 8),
	B(1, "Subject: x\r\n\r\nbody\r\n", 20),
	B(1, "Subject: x\r\n\r\nbody", 20),
	B(1, "Subject: x\r\n\r\nbo\rdy\r\n", 22),
	B(1, "Subject: x\r\n body\r\n\r\nb\r\n", 24),
	B(1, "Subject x\r\n\r\nb\r\n", 17),
	B(1, " Subject: x\r\n\r\nb\r\n", 19),
	B(1, "Subj\rect: x\r\n\r\nb\r\n", 20),
	B(1, "Subject: x\r\nhello\r\n", 20),
	B(1, "\r\r\n", 5), B(1, "\r: b\r\n\r\n", 10), B(1, ":x\r\n", 4),
	B(1, "A\x80: b\r\n\r\n", 9), B(1, "\ra", 6), B(1, "a\r\r\r\nb", 11),
	B(1, "A: b\r\n \r\n \r\nx\r\n", 12), B(1, "A: b\r\r\n\r\nx\r\n", 11),
	B(1, "A: b\r\n \r\nx", 11), B(1, "A: b\r\n| \r|\n\r\n", 9),
#undef B
};

static void
test_bdat_size(void **state)
{
	char in[512], want[64], *p;
	const struct bdat_size_case *c;
	const char *chunk, *bar, *end;
	size_t i, len, n, split;
	struct run r;

	for (i = 0; i < sizeof(bdat_sizes) / sizeof(bdat_sizes[0]); i++) {
		c = &bdat_sizes[i];
		len = (size_t)snprintf(in, sizeof(in), "EHLO c.example\r\n"
		    "MAIL FROM:<a@x.example>\r\nRCPT TO:<b@y.example>\r\n");
		end = c->chunks + c->len;
		for (chunk = c->chunks; ; chunk = bar + 1) {
			bar = memchr(chunk, '|', (size_t)(end - chunk));
			n = (size_t)((bar != NULL ? bar : end) - chunk);
			len += (size_t)snprintf(in + len, sizeof(in) - len,
			    "BDAT %zu%s\r\n", n, bar != NULL ? "" : " LAST");
			memcpy(in + len, chunk, n);
			len += n;
			if (bar == NULL)
				break;
		}
		in[len] = '\0';
		snprintf(want, sizeof(want), c->exim ? ", total %u\r\n" :
		    "Ok: %u bytes queued as ", c->size);
		for (split = 0; split < 2; split++) {
			run_session(c->exim ? "persona = exim-debian\n" : NULL,
			    in, len, split, &r);
			p = strstr(r.out, want);
			if (p == NULL)
				fail_msg("case %zu (%s), split %zu: no \"%s\" "
				    "in:\n%s", i, c->exim ? "exim" : "postfix",
				    split, want, r.out);
			run_free(&r);
		}
	}
	(void)state;
}

/* auth_accept = list: only the user:password lines of the file get 235. */
static void
test_auth_list(void **state)
{
	/* AUTH PLAIN \0alice\0pw, then \0alice\0bad */
	static const char in[] = "AUTH PLAIN AGFsaWNlAGJhZA==\r\n"
	    "AUTH PLAIN AGFsaWNlAHB3\r\nQUIT\r\n";
	char path[128], conf[256];
	struct run r;
	FILE *f;

	snprintf(path, sizeof(path), "%s/creds", spool_top);
	assert_non_null(f = fopen(path, "w"));
	fputs("bob:x\nalice:pw\r\n", f);
	fclose(f);
	snprintf(conf, sizeof(conf), "auth_accept = list %s\n", path);
	run_session(conf, in, sizeof(in) - 1, 0, &r);
	assert_non_null(strstr(r.out, "\r\n535 5.7.8 Error: authentication "
	    "failed: authentication failure\r\n235 2.7.0 Authentication "
	    "successful\r\n"));
	assert_spool_line(&r, "auth mech=PLAIN status=rejected user=alice "
	    "pass=bad authzid=");
	assert_spool_line(&r, "auth mech=PLAIN status=ok user=alice pass=pw "
	    "authzid=");
	run_free(&r);
	unlink(path);
}

/* --- generated dialogues ------------------------------------------------- */

/*
 * 10,000 recipients in one transaction: max_recipients (1000 by default)
 * are taken, then 452 until max_errors (20) ends the session with 421.
 */
static void
rcpt_flood(size_t chunk)
{
	static const char *const ehlo[] = {
		"250-mx.test", "250-PIPELINING", "250-SIZE 10240000",
		"250-VRFY", "250-AUTH PLAIN LOGIN", "250-AUTH=PLAIN LOGIN",
		"250-ENHANCEDSTATUSCODES", "250 8BITMIME",
	};
	char *in = NULL, *want = NULL, line[128];
	size_t inlen = 0, wantlen = 0, i, nrcpt = 0;
	struct run r;
	const char *p;

	append_str(&in, &inlen,
	    "EHLO flood.example\r\nMAIL FROM:<f@x.example>\r\n");
	for (i = 0; i < 10000; i++) {
		snprintf(line, sizeof(line), "RCPT TO:<user%zu@victim.example>"
		    "\r\n", i);
		append_str(&in, &inlen, line);
	}
	append_str(&in, &inlen, "DATA\r\nx\r\n.\r\nQUIT\r\n");

	append_str(&want, &wantlen,
	    "220 mx.test ESMTP Postfix (Debian/GNU)\r\n");
	for (i = 0; i < 8; i++) {
		append_str(&want, &wantlen, ehlo[i]);
		append_str(&want, &wantlen, "\r\n");
	}
	append_str(&want, &wantlen, "250 2.1.0 Ok\r\n");
	for (i = 0; i < 1000; i++)
		append_str(&want, &wantlen, "250 2.1.5 Ok\r\n");
	for (i = 0; i < 20; i++)
		append_str(&want, &wantlen,
		    "452 4.5.3 Error: too many recipients\r\n");
	append_str(&want, &wantlen,
	    "421 4.7.0 mx.test Error: too many errors\r\n");

	/* the rfc821 persona: no soft error delay to wait for */
	run_session("persona = rfc821\n", in, inlen, chunk, &r);
	assert_same_bytes("rcpt flood", r.out, r.outlen, want, wantlen);
	assert_int_equal(r.end, SMTP_END_LIMIT);
	assert_int_equal(r.messages, 0);
	for (p = r.spool; (p = strstr(p, "\nrcpt to=")) != NULL; p++)
		nrcpt++;
	assert_int_equal(nrcpt, 1000);
	assert_spool_line(&r, "rcpt to=user999@victim.example");
	assert_false(spool_has_line(&r, "rcpt to=user1000@victim.example"));
	run_free(&r);
	free(in);
	free(want);
}

static void
test_rcpt_flood(void **state)
{
	rcpt_flood(0);
	rcpt_flood(1);
	rcpt_flood(4096);
}

/* Nothing is read once the session said goodbye. */
static void
test_after_end(void **state)
{
	char cftext[] = "hostname = mx.test\n", err[256];
	struct smtp_session *s;
	struct config cf;
	struct buf *b;

	assert_int_equal(conf_parse_buffer(&cf, "t", cftext, strlen(cftext),
	    err, sizeof(err)), 0);
	assert_non_null(s = smtp_new(&cf, SESSION_ID, NULL));
	smtp_greet(s);
	assert_int_equal(smtp_feed(s, "QUIT\r\nNOOP\r\n", 12), 0);
	assert_int_equal(smtp_ended(s), SMTP_END_QUIT);
	assert_int_equal(smtp_feed(s, "NOOP\r\n", 6), 0);
	b = smtp_output(s);
	assert_int_equal(b->len, 40 + 15);
	assert_memory_equal(b->data + 40, "221 2.0.0 Bye\r\n", 15);
	assert_string_equal(smtp_end_name(smtp_ended(s)), "quit");
	smtp_free(s);
	conf_clear(&cf);
}

/* max_transcript: a flood of commands ends in the persona's words. */
static void
test_transcript_personas(void **state)
{
	static const struct {
		const char	*conf;
		const char	*reply;
	} t[] = {
		{ "persona = postfix-debian\n",
		    "421 4.7.0 mx.test Error: too many commands\r\n" },
		{ "persona = exim-debian\n",
		    "554 Too many nonmail commands\r\n" },
		{ "persona = exchange\n", "421 4.4.2 Connection dropped\r\n" },
	};
	char conf[128], *in = NULL;
	size_t i, inlen = 0;
	struct run r;

	append_str(&in, &inlen, "EHLO c.example\r\n");
	for (i = 0; i < 1000; i++)
		append_str(&in, &inlen, "NOOP\r\n");
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(conf, sizeof(conf), "%smax_transcript = 4096\n",
		    t[i].conf);
		run_session(conf, in, inlen, 0, &r);
		assert_int_equal(r.end, SMTP_END_LIMIT);
		assert_true(r.outlen >= strlen(t[i].reply));
		assert_string_equal(r.out + r.outlen - strlen(t[i].reply),
		    t[i].reply);
		run_free(&r);
	}
	free(in);
}

/* A tarpit: one command answered per delay, the rest waits its turn. */
static void
test_tarpit(void **state)
{
	char cftext[] = "hostname = mx.test\ngreeting_delay = 30ms\n"
	    "reply_delay = 30ms\n", err[256];
	struct smtp_session *s;
	struct config cf;
	struct buf *b;
	uint64_t until;
	struct timespec ts;

	assert_int_equal(conf_parse_buffer(&cf, "t", cftext, strlen(cftext),
	    err, sizeof(err)), 0);
	assert_non_null(s = smtp_new(&cf, SESSION_ID, NULL));
	b = smtp_output(s);
	smtp_greet(s);
	assert_true((until = smtp_held_until(s)) > 0);
	buf_consume(b, b->len);

	/* sent before the greeting delay is over: not read yet */
	assert_int_equal(smtp_feed(s, "NOOP\r\nNOOP\r\nQUIT\r\n", 18), 0);
	assert_int_equal(b->len, 0);
	assert_int_equal(smtp_pending_input(s), 18);

	clock_gettime(CLOCK_MONOTONIC, &ts);
	while ((uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000 <=
	    until) {
		usleep(5000);
		clock_gettime(CLOCK_MONOTONIC, &ts);
	}
	smtp_resume(s);
	assert_int_equal(b->len, 14);
	assert_memory_equal(b->data, "250 2.0.0 Ok\r\n", 14);
	assert_int_equal(smtp_pending_input(s), 12);
	assert_true(smtp_held_until(s) > until);
	buf_consume(b, b->len);

	/* resumed too early: still waiting */
	smtp_resume(s);
	assert_int_equal(b->len, 0);
	assert_int_equal(smtp_ended(s), SMTP_END_NONE);
	smtp_free(s);
	conf_clear(&cf);
}

static int starttls_calls;
static int starttls_result;

static int
fake_starttls(void *arg)
{
	assert_ptr_equal(arg, &starttls_calls);
	starttls_calls++;
	return starttls_result;
}

/* Feed one chunk; the output must be exactly want. */
static void
expect_reply(struct smtp_session *s, const char *in, const char *want)
{
	struct buf *b = smtp_output(s);

	assert_int_equal(smtp_feed(s, in, strlen(in)), 0);
	assert_same_bytes(in, b->data, b->len, want, strlen(want));
	buf_consume(b, b->len);
}

/*
 * STARTTLS (RFC 3207): offered only with the worker's hook, refused in a
 * transaction, with an argument or once TLS is on; what was pipelined
 * after it in clear is never read as commands; after the handshake the
 * session starts over.
 */
static void
test_starttls(void **state)
{
	char cftext[] = "hostname = mx.test\npersona = rfc821\n", err[256];
	struct smtp_session *s;
	struct config cf;
	struct buf *b;

	assert_int_equal(conf_parse_buffer(&cf, "t", cftext, strlen(cftext),
	    err, sizeof(err)), 0);
	assert_non_null(s = smtp_new(&cf, SESSION_ID, NULL));
	b = smtp_output(s);
	smtp_greet(s);
	buf_consume(b, b->len);
	expect_reply(s, "STARTTLS\r\n",
	    "502 5.5.1 Error: command not implemented\r\n");

	starttls_calls = 0;
	smtp_set_tls(s, fake_starttls, &starttls_calls);
	assert_int_equal(smtp_feed(s, "EHLO a\r\n", 8), 0);
	assert_non_null(memmem(b->data, b->len, "\r\n250-STARTTLS\r\n", 16));
	buf_consume(b, b->len);
	expect_reply(s, "STARTTLS now\r\n", "501 5.5.4 Syntax: STARTTLS\r\n");
	expect_reply(s, "MAIL FROM:<a@b>\r\nSTARTTLS\r\nRSET\r\n",
	    "250 2.1.0 Ok\r\n503 5.5.1 Error: MAIL transaction in progress\r\n"
	    "250 2.0.0 Ok\r\n");
	starttls_result = -1;
	expect_reply(s, "STARTTLS\r\n",
	    "454 4.7.0 TLS not available due to local problem\r\n");
	starttls_result = 0;
	assert_int_equal(starttls_calls, 1);

	/* the injection: MAIL pipelined behind STARTTLS is thrown away */
	expect_reply(s, "STARTTLS\r\nMAIL FROM:<evil@x>\r\n",
	    "220 2.0.0 Ready to start TLS\r\n");
	assert_int_equal(starttls_calls, 2);
	assert_int_equal(smtp_pending_input(s), 0);
	expect_reply(s, "NOOP\r\n", "");
	assert_int_equal(smtp_pending_input(s), 0);

	smtp_tls_started(s);
	expect_reply(s, "MAIL FROM:<a@b>\r\n",
	    "503 5.5.1 Error: send HELO/EHLO first\r\n");
	assert_int_equal(smtp_feed(s, "EHLO a\r\n", 8), 0);
	assert_null(memmem(b->data, b->len, "STARTTLS", 8));
	assert_non_null(memmem(b->data, b->len, "250-AUTH PLAIN LOGIN", 20));
	buf_consume(b, b->len);
	expect_reply(s, "STARTTLS\r\n",
	    "554 5.5.1 Error: TLS already active\r\n");
	assert_int_equal(starttls_calls, 2);
	smtp_free(s);
	conf_clear(&cf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden_all),
		cmocka_unit_test(test_spool_basic),
		cmocka_unit_test(test_spool_params),
		cmocka_unit_test(test_spool_dots),
		cmocka_unit_test(test_spool_smuggling),
		cmocka_unit_test(test_spool_auth),
		cmocka_unit_test(test_spool_limits),
		cmocka_unit_test(test_spool_data_cut),
		cmocka_unit_test(test_rcpt_flood),
		cmocka_unit_test(test_auth_mechs),
		cmocka_unit_test(test_exim_trailing_backslash),
		cmocka_unit_test(test_auth_xoauth2),
		cmocka_unit_test(test_starttls_postfix),
		cmocka_unit_test(test_auth_list),
		cmocka_unit_test(test_postfix_errors_bdat),
		cmocka_unit_test(test_postfix_soft_errors),
		cmocka_unit_test(test_postfix_forgives),
		cmocka_unit_test(test_bdat_size),
		cmocka_unit_test(test_after_end),
		cmocka_unit_test(test_transcript_personas),
		cmocka_unit_test(test_tarpit),
		cmocka_unit_test(test_starttls),
	};

	if ((data_dir = getenv("SPAMPOT_TEST_DATA")) == NULL ||
	    *data_dir == '\0') {
		fprintf(stderr, "test_smtp: SPAMPOT_TEST_DATA is not set; "
		    "run it through make check, or set it to the tests/data "
		    "directory of the source tree\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
