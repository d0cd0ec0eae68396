/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * fuzz_smtp: libFuzzer entry point for the worker's SMTP session
 * (src/sensor/smtp*.c) and the spool writer behind it (src/sensor/spool.c). The input is
 * what a client sends. It is fed in four pieces cut at points derived from
 * the input, so the line and DATA readers see split packets, then the
 * client goes away and the spool file is finished in a spool tree that a
 * temporary directory holds for the whole process.
 *
 * Checked on every input: each reply is one CRLF-ended line of printable
 * ASCII that starts with three digits and a space or a '-', a multi-line
 * reply is never left open, and the file the writer produced parses with
 * the analyzer's reader (src/analyzer/spool_read.c) with the messages the
 * session counted (and the one it was in when it was closed). The same input is also fed
 * whole to a second session: how the input was split must change nothing,
 * neither a reply (but the text of an AUTH challenge) nor a byte of what
 * the file records (as the unit tests demand of the golden dialogues).
 * The one exception is the exim-debian persona's synchronization checks,
 * which exist to tell a client that did not wait from one that did:
 * where one of them found input waiting in either session
 * (smtp_not_waited), the two are not compared.
 */
#include "autoconf.h"

#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "conf.h"
#include "log.h"
#include "smtp.h"
#include "spool.h"
#include "spool_read.h"

#define FUZZ_REPLY_MAX	512	/* smtp.c's SMTP_REPLY_MAX, CRLF included */

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The defaults, and the smallest limits the config allows, so the limit
 * paths are reached with short inputs. */
static const char fuzz_conf_default[] = "hostname = mx.test\n";
static const char fuzz_conf_tight[] =
    "hostname = mx.test\n"
    "max_command_line = 512\n"
    "max_data_line = 1000\n"
    "max_message_size = 1K\n"
    "max_recipients = 3\n"
    "max_messages = 2\n"
    "max_errors = 5\n";
/* Exim's own checks (src/sensor/smtp_exim.c) and its end of DATA; a
 * banner of its own, without the date, which could tick between runs. */
static const char fuzz_conf_exim[] =
    "hostname = mx.test\n"
    "persona = exim-debian\n"
    "banner = ESMTP Exim 4.96\n"
    "max_message_size = 1K\n";

#define FUZZ_NCONF	3
static struct config	fuzz_cf[FUZZ_NCONF];
static char		fuzz_top[4096];
static int		fuzz_spool = -1;
static unsigned long	fuzz_seq;

static void
fuzz_die(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_smtp: %s%s%s\n", what, detail ? ": " : "",
	    detail ? detail : "");
	abort();
}

static int
fuzz_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void
fuzz_cleanup(void)
{
	if (fuzz_spool != -1)
		close(fuzz_spool);
	if (fuzz_top[0] != '\0')
		nftw(fuzz_top, fuzz_rm, 16, FTW_DEPTH | FTW_PHYS);
}

static void
fuzz_setup(void)
{
	static const char *const conf[FUZZ_NCONF] = { fuzz_conf_default,
	    fuzz_conf_tight, fuzz_conf_exim };
	const char *tmp = getenv("TMPDIR");
	char err[CONF_ERR_MAX], path[4200];
	int i, devnull;

	snprintf(fuzz_top, sizeof(fuzz_top), "%s/spampot-fuzz-smtp-XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if (mkdtemp(fuzz_top) == NULL)
		fuzz_die("mkdtemp", fuzz_top);
	atexit(fuzz_cleanup);
	snprintf(path, sizeof(path), "%s/spool", fuzz_top);
	if ((fuzz_spool = spool_prepare(path, getuid(), getgid())) == -1)
		fuzz_die("spool_prepare", path);
	for (i = 0; i < FUZZ_NCONF; i++)
		if (conf_parse_buffer(&fuzz_cf[i], "fuzz.conf", conf[i],
		    strlen(conf[i]), err, sizeof(err)) == -1)
			fuzz_die("config", err);
	/* Session log lines go nowhere, as a worker's would go to its parent. */
	if ((devnull = open("/dev/null", O_WRONLY | O_CLOEXEC)) == -1)
		fuzz_die("open /dev/null", NULL);
	log_to_pipe(devnull);
}

static uint32_t
fuzz_hash(const uint8_t *p, size_t n)
{
	uint32_t h = 2166136261u;	/* FNV-1a */
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

/* What a session produced. */
struct fuzz_run {
	struct buf		replies;
	struct spool_session	spool;
	unsigned		not_waited;
};

/* Take the replies out, as the worker would send them, and check them. */
static void
fuzz_drain(struct smtp_session *s, struct buf *replies, int final)
{
	struct buf *b = smtp_output(s);
	const char *p = b->data, *end = b->data + b->len, *nl;
	size_t i, len;
	int open = 0;

	while (p < end) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			fuzz_die("reply without a line end", NULL);
		len = (size_t)(nl - p) + 1;
		if (len < 6 || len > FUZZ_REPLY_MAX || nl[-1] != '\r')
			fuzz_die("reply line of a bad length or without CR",
			    NULL);
		for (i = 0; i < 3; i++)
			if (p[i] < '0' || p[i] > '9')
				fuzz_die("reply without a code", NULL);
		if (p[3] != ' ' && p[3] != '-')
			fuzz_die("reply code not followed by ' ' or '-'", NULL);
		for (i = 0; i < len - 2; i++)
			if ((unsigned char)p[i] < 0x20 ||
			    (unsigned char)p[i] > 0x7e)
				fuzz_die("unescaped byte in a reply", NULL);
		open = p[3] == '-';
		p = nl + 1;
	}
	if (open)
		fuzz_die("multi-line reply left open", NULL);
	if (buf_append(replies, b->data, b->len) == -1)
		fuzz_die("out of memory", NULL);
	buf_consume(b, b->len);
	if (final && smtp_ended(s) == SMTP_END_NONE)
		fuzz_die("session not ended after smtp_close", NULL);
}

/* The finished file must parse; it is removed afterwards. */
static void
fuzz_read_spool(const char *name, unsigned messages, struct spool_session *ss)
{
	char path[SPOOL_NAME_MAX + 8], err[256], *data;
	unsigned complete = 0;
	struct stat st;
	size_t i;
	int fd;

	snprintf(path, sizeof(path), "new/%s", name);
	if ((fd = openat(fuzz_spool, path, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &st) == -1)
		fuzz_die("spool file not in new/", path);
	if ((data = malloc((size_t)st.st_size + 1)) == NULL ||
	    read(fd, data, (size_t)st.st_size) != st.st_size)
		fuzz_die("reading the spool file", path);
	close(fd);
	if (unlinkat(fuzz_spool, path, 0) == -1)
		fuzz_die("unlink", path);
	if (spool_read(data, (size_t)st.st_size, ss, err, sizeof(err)) == -1)
		fuzz_die("the writer's file does not parse", err);
	free(data);
	for (i = 0; i < ss->nmsgs; i++)
		complete += !ss->msgs[i].incomplete;
	/* The session counts the messages it ended (an RSET between BDAT
	 * chunks ends one unfinished); the file may hold one more, the
	 * message the session was in when it was closed. */
	if (complete > messages || (ss->nmsgs != messages &&
	    !(ss->nmsgs == messages + 1 && ss->msgs[messages].incomplete)))
		fuzz_die("messages in the file and in the session differ",
		    NULL);
}

/* One session fed the pieces between cut[0], cut[1], ... cut[ncut]. */
static void
fuzz_session(const struct config *cf, const uint8_t *data,
    const size_t *cut, size_t ncut, struct fuzz_run *run)
{
	struct spool_meta meta;
	struct spool_file *sf;
	struct smtp_session *s;
	char sid[17], name[SPOOL_NAME_MAX];
	size_t i;

	snprintf(sid, sizeof(sid), "%016lx", ++fuzz_seq);
	memset(&meta, 0, sizeof(meta));
	meta.session_id = sid;
	meta.sensor = "fuzz";
	meta.client_ip = "192.0.2.1";
	meta.client_port = 40000;
	meta.server_ip = "192.0.2.25";
	meta.server_port = 25;
	if ((sf = spool_create(fuzz_spool, &meta)) == NULL)
		fuzz_die("spool_create", NULL);
	snprintf(name, sizeof(name), "%s", spool_name(sf));
	if ((s = smtp_new(cf, "0123456789abcdef", sf)) == NULL)
		fuzz_die("smtp_new", NULL);
	smtp_greet(s);
	fuzz_drain(s, &run->replies, 0);
	for (i = 0; i < ncut; i++) {
		if (smtp_feed(s, (const char *)data + cut[i],
		    cut[i + 1] - cut[i]) == -1)
			fuzz_die("smtp_feed", NULL);
		fuzz_drain(s, &run->replies, 0);
	}
	smtp_close(s, SMTP_END_RESET);
	fuzz_drain(s, &run->replies, 1);
	if (spool_finish(sf, smtp_end_name(smtp_ended(s)), 0) == -1)
		fuzz_die("spool_finish", name);
	fuzz_read_spool(name, smtp_messages(s), &run->spool);
	run->not_waited = smtp_not_waited(s);
	smtp_free(s);
}

static void
fuzz_run_free(struct fuzz_run *run)
{
	buf_release(&run->replies);
	spool_session_clear(&run->spool);
}

static int
fuzz_same_str(const struct spool_str *a, const struct spool_str *b)
{
	return a->len == b->len && (a->len == 0 ||
	    memcmp(a->p, b->p, a->len) == 0);
}

/*
 * An Exim message id ("1wXyZa-000AbC-Qr") begins with the time in six
 * base-62 digits, which may tick between the two sessions: two ids are
 * the same when the rest is.
 */
static int
fuzz_same_exim_id(const char *a, const char *b)
{
	return strlen(a) == 16 && strlen(b) == 16 && a[6] == '-' &&
	    b[6] == '-' && a[13] == '-' && b[13] == '-' &&
	    memcmp(a + 6, b + 6, 10) == 0;
}

/*
 * Two reply lines (n bytes each, without the LF) are the same. The
 * text of a 334 challenge is not compared: CRAM-MD5, NTLM and SCRAM
 * challenges are made anew for every session. An Exim id's time is not
 * compared either.
 */
static int
fuzz_same_reply(const char *a, size_t la, const char *b, size_t lb)
{
	static const char exim_ok[] = "250 OK id=";
	const size_t k = sizeof(exim_ok) - 1;

	if (la >= 4 && lb >= 4 && memcmp(a, "334 ", 4) == 0 &&
	    memcmp(b, "334 ", 4) == 0)
		return 1;
	/* the id, then the CR of the line end in a reply */
	if (la >= k + 16 && la <= k + 17 && lb == la &&
	    memcmp(a, exim_ok, k) == 0 && memcmp(b, exim_ok, k) == 0 &&
	    a[k + 6] == '-' && b[k + 6] == '-')
		return memcmp(a + k + 6, b + k + 6, la - k - 6) == 0;
	return la == lb && memcmp(a, b, la) == 0;
}

/* The replies of two sessions, line by line. */
static int
fuzz_same_replies(const struct buf *x, const struct buf *y)
{
	const char *a = x->data, *ea = a + x->len;
	const char *b = y->data, *eb = b + y->len;
	const char *na, *nb;

	if (x->len == 0 || y->len == 0)
		return x->len == y->len;
	while (a < ea && b < eb) {
		na = memchr(a, '\n', (size_t)(ea - a));
		nb = memchr(b, '\n', (size_t)(eb - b));
		if (na == NULL || nb == NULL)
			return 0;
		if (!fuzz_same_reply(a, (size_t)(na - a), b,
		    (size_t)(nb - b)))
			return 0;
		a = na + 1;
		b = nb + 1;
	}
	return a == ea && b == eb;
}

/* The transcripts without their timings: "C 1.234 crlf TEXT". */
static int
fuzz_same_transcript(const char *a, const char *b)
{
	size_t la, lb;

	for (;;) {
		if (*a == '\0' || *b == '\0')
			return *a == *b;
		if (a[0] != b[0])
			return 0;
		a += strcspn(a, " ");
		b += strcspn(b, " ");
		if (*a == ' ')
			a += 1 + strcspn(a + 1, " \n");
		if (*b == ' ')
			b += 1 + strcspn(b + 1, " \n");
		a += *a == ' ';
		b += *b == ' ';
		la = strcspn(a, "\n");
		lb = strcspn(b, "\n");
		if (!fuzz_same_reply(a, la, b, lb))
			return 0;
		a += la + (a[la] == '\n');
		b += lb + (b[lb] == '\n');
	}
}

static void
fuzz_compare(const struct fuzz_run *x, const struct fuzz_run *y)
{
	const struct spool_session *a = &x->spool, *b = &y->spool;
	const struct spool_message *ma, *mb;
	size_t i, k;

	if (!fuzz_same_replies(&x->replies, &y->replies)) {
		fprintf(stderr, "fuzz_smtp: split:\n%.*sfuzz_smtp: whole:\n"
		    "%.*s", (int)x->replies.len, x->replies.data,
		    (int)y->replies.len, y->replies.data);
		fuzz_die("split input, other replies", NULL);
	}
	if (strcmp(a->end_reason, b->end_reason) != 0 ||
	    strcmp(a->helo_verb, b->helo_verb) != 0 ||
	    !fuzz_same_str(&a->helo, &b->helo) || a->nauths != b->nauths ||
	    a->nmsgs != b->nmsgs)
		fuzz_die("split input, another session recorded", NULL);
	for (i = 0; i < a->nauths; i++)
		if (strcmp(a->auths[i].status, b->auths[i].status) != 0 ||
		    !fuzz_same_str(&a->auths[i].mech, &b->auths[i].mech) ||
		    !fuzz_same_str(&a->auths[i].user, &b->auths[i].user) ||
		    !fuzz_same_str(&a->auths[i].pass, &b->auths[i].pass) ||
		    !fuzz_same_str(&a->auths[i].authzid, &b->auths[i].authzid))
			fuzz_die("split input, another AUTH recorded", NULL);
	for (i = 0; i < a->nmsgs; i++) {
		ma = &a->msgs[i];
		mb = &b->msgs[i];
		if (ma->body_len != mb->body_len || (ma->body_len > 0 &&
		    memcmp(ma->body, mb->body, ma->body_len) != 0))
			fuzz_die("split input, another message body", NULL);
		if (ma->size != mb->size || ma->truncated != mb->truncated ||
		    ma->incomplete != mb->incomplete ||
		    ma->bare_lf != mb->bare_lf ||
		    (strcmp(ma->queue_id, mb->queue_id) != 0 &&
		    !fuzz_same_exim_id(ma->queue_id, mb->queue_id)) ||
		    !fuzz_same_str(&ma->from, &mb->from) ||
		    ma->nrcpts != mb->nrcpts)
			fuzz_die("split input, another message recorded", NULL);
		for (k = 0; k < ma->nrcpts; k++)
			if (!fuzz_same_str(&ma->rcpts[k], &mb->rcpts[k]))
				fuzz_die("split input, another recipient",
				    NULL);
	}
	if (!fuzz_same_transcript(a->transcript ? a->transcript : "",
	    b->transcript ? b->transcript : ""))
		fuzz_die("split input, another transcript", NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_run split, whole;
	size_t cut[5], i, k, t;
	uint32_t h;

	if (fuzz_spool == -1)
		fuzz_setup();
	h = fuzz_hash(data, size);
	/* Four pieces, cut where the input's hash says. */
	cut[0] = 0;
	cut[1] = (h & 0x3ff) % (size + 1);
	cut[2] = (h >> 10 & 0x3ff) % (size + 1);
	cut[3] = (h >> 20 & 0x3ff) % (size + 1);
	cut[4] = size;
	for (i = 1; i < 4; i++)
		for (k = i + 1; k < 4; k++)
			if (cut[k] < cut[i]) {
				t = cut[i];
				cut[i] = cut[k];
				cut[k] = t;
			}
	memset(&split, 0, sizeof(split));
	memset(&whole, 0, sizeof(whole));
	fuzz_session(&fuzz_cf[(h >> 30) % FUZZ_NCONF], data, cut, 4, &split);
	cut[1] = size;
	fuzz_session(&fuzz_cf[(h >> 30) % FUZZ_NCONF], data, cut, 1, &whole);
	if (split.not_waited == 0 && whole.not_waited == 0)
		fuzz_compare(&split, &whole);
	fuzz_run_free(&split);
	fuzz_run_free(&whole);
	return 0;
}
