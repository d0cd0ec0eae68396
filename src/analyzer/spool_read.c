/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * spool_read: the strict reader of spampot-spool(5) files, run by the
 * analyzer (unprivileged) on files the sensor wrote from attacker input.
 * Each line is parsed by spoolfmt (src/common/spoolfmt.c, where the
 * format's grammar lives beside its writers); this file walks the lines,
 * keeps the bounds and builds the struct spool_session, checking what
 * depends on the records before (order, counts, sizes). Anything wrong is
 * an error "line N: reason" and the analyzer moves the file to bad/.
 * Bounded: a text record is at most SPOOL_READ_LINE_MAX bytes, a body
 * never reaches past the file's end.
 */
#include "autoconf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spoolfmt.h"
#include "spool_read.h"
#include "tlsprint.h"

#define SPOOL_READ_LINE_MAX	(8 * 1024 * 1024)
#define SPOOL_READ_ERR_MAX	512	/* import.h: the longest err */

struct spool_reader {
	const char		*data;
	size_t			 len;
	size_t			 pos;
	int			 line;
	char			*err;
	size_t			 errlen;
	struct spool_session	*s;
	struct spool_message	*open;		/* inside DATA */
	struct spool_str	 from;		/* the envelope being built */
	struct spool_str	*rcpts;
	size_t			 nrcpts, caprcpts;
	size_t			 captranscript;	/* bytes s->transcript holds */
	int			 ended;
	unsigned		 seen;		/* header records seen, bits */
};

enum { SEEN_SESSION = 1, SEEN_SENSOR = 2, SEEN_CLIENT = 4, SEEN_SERVER = 8,
    SEEN_START = 16 };

static int spool_read_fail(struct spool_reader *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static int
spool_read_fail(struct spool_reader *r, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(r->err, r->errlen, "line %d: ", r->line);
	if (n > 0 && (size_t)n < r->errlen) {
		va_start(ap, fmt);
		vsnprintf(r->err + n, r->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static void
spool_envelope_clear(struct spool_reader *r)
{
	size_t i;

	spoolfmt_str_clear(&r->from);
	for (i = 0; i < r->nrcpts; i++)
		spoolfmt_str_clear(&r->rcpts[i]);
	free(r->rcpts);
	r->rcpts = NULL;
	r->nrcpts = r->caprcpts = 0;
}

static int
spool_grow(struct spool_reader *r, void **arr, size_t n, size_t size)
{
	void *p;

	if ((p = realloc(*arr, (n + 1) * size)) == NULL)
		return spool_read_fail(r, "out of memory");
	memset((char *)p + n * size, 0, size);
	*arr = p;
	return 0;
}

/* A string of the parsed record becomes the session's. */
static void
spool_take(struct spool_str *dst, struct spool_str *src)
{
	spoolfmt_str_clear(dst);
	*dst = *src;
	src->p = NULL;
	src->len = 0;
}

static int
spool_str_dup(struct spool_reader *r, struct spool_str *dst,
    const struct spool_str *src)
{
	if ((dst->p = malloc(src->len + 1)) == NULL)
		return spool_read_fail(r, "out of memory");
	memcpy(dst->p, src->p ? src->p : "", src->len);
	dst->p[src->len] = '\0';
	dst->len = src->len;
	return 0;
}

/*
 * --- what each record does to the session ------------------------------
 * The record's grammar is spoolfmt's (src/common/spoolfmt.c): these get
 * it parsed, and check only what depends on the records before it.
 */

static int
spool_rec_session(struct spool_reader *r, struct spoolfmt_rec *rec,
    const char *line, size_t n)
{
	memcpy(r->s->session_id, rec->u.session, sizeof(r->s->session_id));
	r->seen |= SEEN_SESSION;
	return 0;
}

static int
spool_rec_sensor(struct spool_reader *r, struct spoolfmt_rec *rec,
    const char *line, size_t n)
{
	r->seen |= SEEN_SENSOR;
	spool_take(&r->s->sensor, &rec->u.sensor);
	return 0;
}

static int
spool_rec_client(struct spool_reader *r, struct spoolfmt_rec *rec,
    const char *line, size_t n)
{
	r->seen |= SEEN_CLIENT;
	memcpy(r->s->client_ip, rec->u.endpoint.ip, sizeof(r->s->client_ip));
	r->s->client_port = rec->u.endpoint.port;
	return 0;
}

static int
spool_rec_server(struct spool_reader *r, struct spoolfmt_rec *rec,
    const char *line, size_t n)
{
	r->seen |= SEEN_SERVER;
	memcpy(r->s->server_ip, rec->u.endpoint.ip, sizeof(r->s->server_ip));
	r->s->server_port = rec->u.endpoint.port;
	return 0;
}

static int
spool_rec_start(struct spool_reader *r, struct spoolfmt_rec *rec,
    const char *line, size_t n)
{
	r->seen |= SEEN_START;
	memcpy(r->s->start, rec->u.start, sizeof(r->s->start));
	return 0;
}

/* C and S: kept verbatim for the transcript. */
static int
spool_rec_dialogue(struct spool_reader *r, struct spoolfmt_rec *rec,
    const char *line, size_t n)
{
	struct spool_session *s = r->s;
	size_t cap;
	char *t;

	if (s->transcript_len + n + 2 > r->captranscript) {
		/* doubled: a flood of short records is not a realloc each */
		cap = r->captranscript * 2;
		if (cap < s->transcript_len + n + 2)
			cap = s->transcript_len + n + 2 + 4096;
		/* no larger than the file: what it can hold */
		if (cap > r->len + 2)
			cap = r->len + 2;
		if ((t = realloc(s->transcript, cap)) == NULL)
			return spool_read_fail(r, "out of memory");
		s->transcript = t;
		r->captranscript = cap;
	}
	t = s->transcript;
	memcpy(t + s->transcript_len, line, n);
	s->transcript_len += n;
	t[s->transcript_len++] = '\n';
	t[s->transcript_len] = '\0';
	s->transcript = t;
	return 0;
}

static int
spool_rec_helo(struct spool_reader *r, struct spoolfmt_rec *rec,
    const char *line, size_t n)
{
	spool_envelope_clear(r);
	memcpy(r->s->helo_verb, rec->u.helo.verb, sizeof(r->s->helo_verb));
	spool_take(&r->s->helo, &rec->u.helo.name);
	return 0;
}

static int
spool_rec_auth(struct spool_reader *r, struct spoolfmt_rec *rec,
    const char *line, size_t n)
{
	struct spool_session *s = r->s;
	struct spool_auth *a;

	if (spool_grow(r, (void **)&s->auths, s->nauths, sizeof(*a)) == -1)
		return -1;
	a = &s->auths[s->nauths++];
	spool_take(&a->mech, &rec->u.auth.mech);
	memcpy(a->status, rec->u.auth.status, sizeof(a->status));
	spool_take(&a->user, &rec->u.auth.user);
	spool_take(&a->pass, &rec->u.auth.pass);
	spool_take(&a->authzid, &rec->u.auth.authzid);
	return 0;
}

/* auth-raw, checked and not kept */
static int
spool_rec_nothing(struct spool_reader *r, struct spoolfmt_rec *rec,
    const char *line, size_t n)
{
	return 0;
}

static int
spool_rec_mail(struct spool_reader *r, struct spoolfmt_rec *rec,
    const char *line, size_t n)
{
	spool_envelope_clear(r);
	spool_take(&r->from, &rec->u.path.addr);
	return 0;
}

static int
spool_rec_rcpt(struct spool_reader *r, struct spoolfmt_rec *rec,
    const char *line, size_t n)
{
	struct spool_str *p;
	size_t cap;

	/* doubled: 200,000 recipients are not 200,000 reallocs */
	if (r->nrcpts == r->caprcpts) {
		cap = r->caprcpts ? r->caprcpts * 2 : 8;
		if ((p = reallocarray(r->rcpts, cap, sizeof(*p))) == NULL)
			return spool_read_fail(r, "out of memory");
		r->rcpts = p;
		r->caprcpts = cap;
	}
	memset(&r->rcpts[r->nrcpts], 0, sizeof(*r->rcpts));
	spool_take(&r->rcpts[r->nrcpts++], &rec->u.path.addr);
	return 0;
}

static int
spool_rec_rset(struct spool_reader *r, struct spoolfmt_rec *rec,
    const char *line, size_t n)
{
	spool_envelope_clear(r);
	return 0;
}

static int
spool_rec_data(struct spool_reader *r, struct spoolfmt_rec *rec,
    const char *line, size_t n)
{
	struct spool_session *s = r->s;
	struct spool_message *m;

	if (rec->u.data != s->nmsgs + 1)
		return spool_read_fail(r, "data n=%u out of order",
		    rec->u.data);
	if (spool_grow(r, (void **)&s->msgs, s->nmsgs, sizeof(*m)) == -1)
		return -1;
	m = &s->msgs[s->nmsgs++];
	m->n = rec->u.data;
	m->incomplete = 1;	/* until its message record */
	if (spool_str_dup(r, &m->from, &r->from) == -1)
		return -1;
	/* the envelope's recipients become the message's, not copied:
	 * nothing but the message's records can follow data (and the
	 * envelope is cleared at its end) */
	m->rcpts = r->rcpts;
	m->nrcpts = r->nrcpts;
	r->rcpts = NULL;
	r->nrcpts = r->caprcpts = 0;
	r->open = m;
	return 0;
}

/* The bytes after the body's line, which stay within the file. */
static int
spool_rec_body(struct spool_reader *r, struct spoolfmt_rec *rec,
    const char *line, size_t n)
{
	struct spool_message *m = r->open;
	unsigned long long blen = rec->u.body;
	unsigned char *b;
	size_t i;

	if (blen >= r->len - r->pos || r->data[r->pos + blen] != '\n')
		return spool_read_fail(r, "body of %llu bytes runs past the "
		    "end of the file or is not ended by a newline", blen);
	if ((b = realloc(m->body, m->body_len + blen + 1)) == NULL)
		return spool_read_fail(r, "out of memory");
	memcpy(b + m->body_len, r->data + r->pos, blen);
	/* line numbers stay those an editor shows */
	for (i = 0; i < blen; i++)
		r->line += r->data[r->pos + i] == '\n';
	r->line++;
	m->body = b;
	m->body_len += blen;
	m->body[m->body_len] = '\0';
	r->pos += blen + 1;
	return 0;
}

static int
spool_rec_message(struct spool_reader *r, struct spoolfmt_rec *rec,
    const char *line, size_t n)
{
	const struct spoolfmt_message *fm = &rec->u.message;
	struct spool_message *m = r->open;

	if (fm->n != m->n)
		return spool_read_fail(r, "message n=%u does not match "
		    "data n=%u", fm->n, m->n);
	if (fm->stored != m->body_len || fm->stored > fm->size)
		return spool_read_fail(r, "stored=%llu but the body holds %zu "
		    "bytes", (unsigned long long)fm->stored, m->body_len);
	m->size = fm->size;
	m->truncated = fm->truncated;
	m->bare_lf = fm->bare_lf;
	m->incomplete = fm->incomplete;
	if (!m->incomplete)
		memcpy(m->queue_id, fm->queue_id, sizeof(m->queue_id));
	r->open = NULL;
	spool_envelope_clear(r);
	return 0;
}

static int
spool_rec_cut(struct spool_reader *r, struct spoolfmt_rec *rec,
    const char *line, size_t n)
{
	r->s->transcript_cut = rec->u.cut.bytes;
	return 0;
}

static int
spool_rec_end(struct spool_reader *r, struct spoolfmt_rec *rec,
    const char *line, size_t n)
{
	memcpy(r->s->end, rec->u.end.time, sizeof(r->s->end));
	memcpy(r->s->end_reason, rec->u.end.reason,
	    sizeof(r->s->end_reason));
	r->ended = 1;
	return 0;
}

/* The first offered ALPN name, unescaped (malloc'd); NULL: none. */
static char *
spool_tls_first_alpn(const struct spool_str *alpns, size_t *len)
{
	const char *comma;
	size_t n;
	ssize_t got;
	char *name;
	int bad = 0;

	*len = 0;
	if (alpns->p == NULL || alpns->len == 0)
		return NULL;
	comma = memchr(alpns->p, ',', alpns->len);
	n = comma ? (size_t)(comma - alpns->p) : alpns->len;
	if ((name = malloc(n + 1)) == NULL)
		return NULL;
	if ((got = spoolfmt_unescape(name, alpns->p, n, SPOOLFMT_ESC_SPACE,
	    &bad)) < 0) {
		free(name);
		return NULL;
	}
	*len = (size_t)got;
	return name;
}

/* JA3 and JA4 of the record's ClientHello. */
static int
spool_tls_print(struct spool_reader *r, struct spool_tls *t)
{
	struct tlsprint_hello h;
	struct tlsprint out;
	char *alpn;
	size_t alpn_len;
	int rc;

	alpn = spool_tls_first_alpn(&t->alpns, &alpn_len);
	if (alpn == NULL && t->alpns.len > 0)
		return spool_read_fail(r, "out of memory");
	memset(&h, 0, sizeof(h));
	h.legacy_version = t->hello_version;
	h.ciphers = t->ciphers.p;
	h.extensions = t->extensions.p;
	h.groups = t->groups.p;
	h.sigalgs = t->sigalgs.p;
	h.point_formats = t->point_formats.p;
	h.versions = t->versions.p;
	h.alpn = alpn;
	h.alpn_len = alpn_len;
	rc = tlsprint_make(&h, &out);
	free(alpn);
	if (rc == -1) {
		tlsprint_clear(&out);
		return spool_read_fail(r, errno == ENOMEM ? "out of memory" :
		    "tls record: a ClientHello list that is not numbers");
	}
	t->ja3.p = out.ja3;
	t->ja3.len = strlen(out.ja3);
	out.ja3 = NULL;
	memcpy(t->ja3_hash, out.ja3_hash, sizeof(t->ja3_hash));
	memcpy(t->ja4, out.ja4, sizeof(t->ja4));
	tlsprint_clear(&out);
	return 0;
}

/* tls and tls-fail: one a session. */
static int
spool_rec_tls(struct spool_reader *r, struct spoolfmt_rec *rec,
    const char *line, size_t n)
{
	struct spool_tls *t = &r->s->tls;

	if (t->seen)
		return spool_read_fail(r, "a second tls or tls-fail record");
	t->seen = 1;
	t->ok = rec->type == SPOOLFMT_TLS;
	memcpy(t->version, rec->u.tls.version, sizeof(t->version));
	spool_take(&t->cipher, &rec->u.tls.cipher);
	spool_take(&t->alpn, &rec->u.tls.alpn);
	memcpy(t->stage, rec->u.tls.stage, sizeof(t->stage));
	spool_take(&t->reason, &rec->u.tls.reason);
	t->bytes = rec->u.tls.bytes;
	if (!(t->has_hello = rec->u.tls.has_hello))
		return 0;
	spool_take(&t->sni, &rec->u.tls.sni);
	spool_take(&t->alpns, &rec->u.tls.alpns);
	t->hello_version = rec->u.tls.hello_version;
	spool_take(&t->ciphers, &rec->u.tls.ciphers);
	spool_take(&t->extensions, &rec->u.tls.extensions);
	spool_take(&t->groups, &rec->u.tls.groups);
	spool_take(&t->sigalgs, &rec->u.tls.sigalgs);
	spool_take(&t->point_formats, &rec->u.tls.point_formats);
	spool_take(&t->versions, &rec->u.tls.versions);
	t->cut = rec->u.tls.cut;
	return spool_tls_print(r, t);
}

static int (*const spool_records[SPOOLFMT_NTYPES])(struct spool_reader *,
    struct spoolfmt_rec *, const char *, size_t) = {
	[SPOOLFMT_SESSION] = spool_rec_session,
	[SPOOLFMT_SENSOR] = spool_rec_sensor,
	[SPOOLFMT_CLIENT] = spool_rec_client,
	[SPOOLFMT_SERVER] = spool_rec_server,
	[SPOOLFMT_START] = spool_rec_start,
	[SPOOLFMT_C] = spool_rec_dialogue,
	[SPOOLFMT_S] = spool_rec_dialogue,
	[SPOOLFMT_HELO] = spool_rec_helo,
	[SPOOLFMT_AUTH] = spool_rec_auth,
	[SPOOLFMT_AUTH_RAW] = spool_rec_nothing,
	[SPOOLFMT_MAIL] = spool_rec_mail,
	[SPOOLFMT_RCPT] = spool_rec_rcpt,
	[SPOOLFMT_RSET] = spool_rec_rset,
	[SPOOLFMT_DATA] = spool_rec_data,
	[SPOOLFMT_BODY] = spool_rec_body,
	[SPOOLFMT_MESSAGE] = spool_rec_message,
	[SPOOLFMT_CUT] = spool_rec_cut,
	[SPOOLFMT_END] = spool_rec_end,
	[SPOOLFMT_TLS] = spool_rec_tls,
	[SPOOLFMT_TLS_FAIL] = spool_rec_tls,
};

/* The next text record, NUL-terminated in *buf. 0 at the end, -1 error. */
static int
spool_next_line(struct spool_reader *r, char **buf, size_t *n)
{
	const char *p = r->data + r->pos, *nl;
	size_t left = r->len - r->pos;

	if (left == 0)
		return 0;
	r->line++;
	nl = memchr(p, '\n', left < SPOOL_READ_LINE_MAX ? left :
	    SPOOL_READ_LINE_MAX);
	if (nl == NULL)
		return spool_read_fail(r, left > SPOOL_READ_LINE_MAX ?
		    "record too long" : "last record not ended by a newline");
	*n = (size_t)(nl - p);
	if (memchr(p, '\0', *n) != NULL)
		return spool_read_fail(r, "NUL byte in a record");
	if ((*buf = malloc(*n + 1)) == NULL)
		return spool_read_fail(r, "out of memory");
	memcpy(*buf, p, *n);
	(*buf)[*n] = '\0';
	r->pos += *n + 1;
	return 1;
}

static int
spool_dispatch(struct spool_reader *r, const char *line, size_t n)
{
	struct spoolfmt_rec rec;
	char err[SPOOL_READ_ERR_MAX];
	int rc;

	if (r->ended)
		return spool_read_fail(r, "record after the end record");
	if (spoolfmt_parse(line, n, r->open != NULL, &rec, err,
	    sizeof(err)) == -1)
		return spool_read_fail(r, "%s", err);
	rc = spool_records[rec.type](r, &rec, line, n);
	spoolfmt_rec_clear(&rec);
	return rc;
}

static int
spool_read_header(struct spool_reader *r)
{
	char *line = NULL, err[SPOOL_READ_ERR_MAX];
	size_t n;
	int rc;

	if ((rc = spool_next_line(r, &line, &n)) <= 0)
		return rc == 0 ? spool_read_fail(r, "empty file") : -1;
	rc = 0;
	if (spoolfmt_parse_magic(line, err, sizeof(err)) == -1)
		rc = spool_read_fail(r, "%s", err);
	r->s->version = SPOOL_VERSION;
	free(line);
	return rc;
}

/*
 * Parse a whole file held in memory. Returns 0, or -1 with err set to
 * "line N: reason"; s is then freed.
 */
int
spool_read(const char *data, size_t len, struct spool_session *s, char *err,
    size_t errlen)
{
	struct spool_reader r;
	char *line;
	size_t n;
	int rc;

	memset(s, 0, sizeof(*s));
	memset(&r, 0, sizeof(r));
	r.data = data;
	r.len = len;
	r.err = err;
	r.errlen = errlen;
	r.s = s;
	err[0] = '\0';
	rc = spool_read_header(&r);
	while (rc == 0 && (rc = spool_next_line(&r, &line, &n)) == 1) {
		rc = spool_dispatch(&r, line, n);
		free(line);
	}
	if (rc == 0 && !r.ended)
		rc = spool_read_fail(&r, "no end record");
	if (rc == 0 && r.seen != (SEEN_SESSION | SEEN_SENSOR | SEEN_CLIENT |
	    SEEN_SERVER | SEEN_START))
		rc = spool_read_fail(&r, "a header record is missing");
	spool_envelope_clear(&r);
	if (rc != 0) {
		spool_session_clear(s);
		return -1;
	}
	if (s->helo.p == NULL)
		s->helo_verb[0] = '\0';
	return 0;
}

void
spool_tls_clear(struct spool_tls *t)
{
	spoolfmt_str_clear(&t->cipher);
	spoolfmt_str_clear(&t->alpn);
	spoolfmt_str_clear(&t->reason);
	spoolfmt_str_clear(&t->sni);
	spoolfmt_str_clear(&t->alpns);
	spoolfmt_str_clear(&t->ciphers);
	spoolfmt_str_clear(&t->extensions);
	spoolfmt_str_clear(&t->groups);
	spoolfmt_str_clear(&t->sigalgs);
	spoolfmt_str_clear(&t->point_formats);
	spoolfmt_str_clear(&t->versions);
	spoolfmt_str_clear(&t->ja3);
	memset(t, 0, sizeof(*t));
}

void
spool_session_clear(struct spool_session *s)
{
	size_t i, j;

	spoolfmt_str_clear(&s->sensor);
	spoolfmt_str_clear(&s->helo);
	for (i = 0; i < s->nauths; i++) {
		spoolfmt_str_clear(&s->auths[i].mech);
		spoolfmt_str_clear(&s->auths[i].user);
		spoolfmt_str_clear(&s->auths[i].pass);
		spoolfmt_str_clear(&s->auths[i].authzid);
	}
	free(s->auths);
	for (i = 0; i < s->nmsgs; i++) {
		spoolfmt_str_clear(&s->msgs[i].from);
		for (j = 0; j < s->msgs[i].nrcpts; j++)
			spoolfmt_str_clear(&s->msgs[i].rcpts[j]);
		free(s->msgs[i].rcpts);
		free(s->msgs[i].body);
	}
	free(s->msgs);
	free(s->transcript);
	spool_tls_clear(&s->tls);
	memset(s, 0, sizeof(*s));
}
