/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * import_wire: a parse result as bytes, between the analyzer's parse child
 * (which encodes, under its allow-list, see import.c) and the analyzer
 * (which decodes, holding the database password). The decoder is the
 * trust boundary: a frame is untrusted input.
 *
 * A payload: u8 status, then either the error text (status not IMPORT_OK)
 * or the session, then per message its envelope and body, its MIME
 * summary (subject, attachments, and with IMPORT_WIRE_TEXTS the first
 * message's text and HTML parts) and what extraction counted. Integers
 * are little-endian u32/u64; a string is a u32 length and its bytes,
 * length 0xffffffff for NULL. Only what the analyzer uses travels: the
 * headers, and the text parts unless the relay's rules need them, stay
 * in the child.
 */
#include "autoconf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extract.h"
#include "mime.h"
#include "import.h"
#include "parsed.h"
#include "import_wire.h"
#include "util.h"

#define PW_NULL		0xffffffffU

/* --- encoding (the child) ------------------------------------------------ */

static void
pw_u32(struct buf *b, uint32_t v, int *oom)
{
	unsigned char x[4] = { v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff,
	    (v >> 24) & 0xff };

	if (buf_append(b, x, sizeof(x)) == -1)
		*oom = 1;
}

static void
pw_u64(struct buf *b, uint64_t v, int *oom)
{
	pw_u32(b, (uint32_t)v, oom);
	pw_u32(b, (uint32_t)(v >> 32), oom);
}

static void
pw_bytes(struct buf *b, const void *p, size_t len, int *oom)
{
	if (p == NULL || len >= PW_NULL) {
		pw_u32(b, PW_NULL, oom);
		return;
	}
	pw_u32(b, (uint32_t)len, oom);
	if (buf_append(b, p, len) == -1)
		*oom = 1;
}

static void
pw_cstr(struct buf *b, const char *s, int *oom)
{
	pw_bytes(b, s, s ? strlen(s) : 0, oom);
}

#define PW_STR(b, str, oom)	pw_bytes(b, (str).p, (str).len, oom)

/* The tls record: u32 seen, ok, has_hello, cut, hello_version; u64
 * bytes; the strings; the fingerprints. */
static void
pw_enc_tls(struct buf *b, const struct spool_tls *t, int *oom)
{
	pw_u32(b, (uint32_t)t->seen, oom);
	if (!t->seen)
		return;
	pw_u32(b, (uint32_t)t->ok, oom);
	pw_u32(b, (uint32_t)t->has_hello, oom);
	pw_u32(b, (uint32_t)t->cut, oom);
	pw_u32(b, t->hello_version, oom);
	pw_u64(b, t->bytes, oom);
	pw_cstr(b, t->version, oom);
	PW_STR(b, t->cipher, oom);
	PW_STR(b, t->alpn, oom);
	pw_cstr(b, t->stage, oom);
	PW_STR(b, t->reason, oom);
	PW_STR(b, t->sni, oom);
	PW_STR(b, t->alpns, oom);
	PW_STR(b, t->ciphers, oom);
	PW_STR(b, t->extensions, oom);
	PW_STR(b, t->groups, oom);
	PW_STR(b, t->sigalgs, oom);
	PW_STR(b, t->point_formats, oom);
	PW_STR(b, t->versions, oom);
	PW_STR(b, t->ja3, oom);
	pw_cstr(b, t->ja3_hash, oom);
	pw_cstr(b, t->ja4, oom);
}

static void
pw_enc_session(struct buf *b, const struct spool_session *s, int *oom)
{
	size_t i;

	pw_u32(b, (uint32_t)s->version, oom);
	pw_cstr(b, s->session_id, oom);
	pw_bytes(b, s->sensor.p, s->sensor.len, oom);
	pw_cstr(b, s->client_ip, oom);
	pw_u32(b, s->client_port, oom);
	pw_cstr(b, s->server_ip, oom);
	pw_u32(b, s->server_port, oom);
	pw_cstr(b, s->start, oom);
	pw_cstr(b, s->end, oom);
	pw_cstr(b, s->end_reason, oom);
	pw_cstr(b, s->helo_verb, oom);
	pw_bytes(b, s->helo.p, s->helo.len, oom);
	pw_u32(b, (uint32_t)s->nauths, oom);
	for (i = 0; i < s->nauths; i++) {
		pw_bytes(b, s->auths[i].mech.p, s->auths[i].mech.len, oom);
		pw_cstr(b, s->auths[i].status, oom);
		pw_bytes(b, s->auths[i].user.p, s->auths[i].user.len, oom);
		pw_bytes(b, s->auths[i].pass.p, s->auths[i].pass.len, oom);
		pw_bytes(b, s->auths[i].authzid.p, s->auths[i].authzid.len,
		    oom);
	}
	pw_bytes(b, s->transcript, s->transcript_len, oom);
	pw_u64(b, s->transcript_cut, oom);
	pw_enc_tls(b, &s->tls, oom);
	pw_u32(b, (uint32_t)s->nmsgs, oom);
}

static void
pw_enc_message(struct buf *b, const struct spool_message *m,
    const struct mime_message *mm, const struct extract_result *r,
    int with_data, int with_texts, int *oom)
{
	size_t i;

	pw_u32(b, m->n, oom);
	pw_bytes(b, m->from.p, m->from.len, oom);
	pw_u32(b, (uint32_t)m->nrcpts, oom);
	for (i = 0; i < m->nrcpts; i++)
		pw_bytes(b, m->rcpts[i].p, m->rcpts[i].len, oom);
	pw_bytes(b, m->body, m->body_len, oom);
	pw_u64(b, m->size, oom);
	pw_u32(b, (uint32_t)m->truncated, oom);
	pw_u32(b, (uint32_t)m->incomplete, oom);
	pw_u32(b, m->bare_lf, oom);
	pw_cstr(b, m->queue_id, oom);

	pw_cstr(b, mm->subject, oom);
	pw_u32(b, (uint32_t)mm->natts, oom);
	for (i = 0; i < mm->natts; i++) {
		const struct mime_attachment *a = &mm->atts[i];

		pw_cstr(b, a->filename, oom);
		pw_cstr(b, a->content_type, oom);
		pw_u64(b, a->size, oom);
		pw_bytes(b, with_data ? a->data : NULL, a->size, oom);
		pw_cstr(b, a->md5, oom);
		pw_cstr(b, a->sha1, oom);
		pw_cstr(b, a->sha256, oom);
	}
	pw_u32(b, (uint32_t)(with_texts ? mm->ntexts : 0), oom);
	for (i = 0; with_texts && i < mm->ntexts; i++)
		pw_cstr(b, mm->texts[i], oom);
	pw_u32(b, (uint32_t)(with_texts ? mm->nhtmls : 0), oom);
	for (i = 0; with_texts && i < mm->nhtmls; i++)
		pw_cstr(b, mm->htmls[i], oom);

	pw_u32(b, (uint32_t)r->ncounts, oom);
	for (i = 0; i < r->ncounts; i++) {
		pw_cstr(b, r->counts[i].kind, oom);
		pw_cstr(b, r->counts[i].value, oom);
		pw_u32(b, r->counts[i].count, oom);
	}
	pw_u32(b, (uint32_t)r->nurls, oom);
	for (i = 0; i < r->nurls; i++) {
		pw_cstr(b, r->urls[i].url, oom);
		pw_cstr(b, r->urls[i].host, oom);
		pw_u32(b, r->urls[i].count, oom);
	}
}

static void
pw_enc_member(struct buf *b, const struct inspect_member *im, int *oom)
{
	pw_cstr(b, im->path, oom);
	pw_u32(b, im->depth, oom);
	pw_u64(b, im->size, oom);
	pw_cstr(b, im->md5, oom);
	pw_cstr(b, im->sha1, oom);
	pw_cstr(b, im->sha256, oom);
	pw_cstr(b, im->real_type, oom);
	pw_u32(b, (uint32_t)im->flags, oom);
}

/* What import_more.c found: the digests, per attachment what it is
 * (when looked into: u32 1), the YARA matches. */
static void
pw_enc_more(struct buf *b, const struct parsed_more *more, size_t natts,
    int *oom)
{
	size_t i, k;

	pw_cstr(b, more->sim.template, oom);
	pw_cstr(b, more->sim.tlsh, oom);
	pw_cstr(b, more->sim.ssdeep, oom);
	pw_u32(b, more->insp != NULL, oom);
	for (i = 0; more->insp != NULL && i < natts; i++) {
		const struct inspect_result *ir = &more->insp[i];

		pw_cstr(b, ir->real_type, oom);
		pw_u32(b, (uint32_t)(ir->mismatch != 0), oom);
		pw_u32(b, (uint32_t)ir->archive, oom);
		pw_cstr(b, ir->password, oom);
		pw_u32(b, (uint32_t)ir->nmembers, oom);
		for (k = 0; k < ir->nmembers; k++)
			pw_enc_member(b, &ir->members[k], oom);
	}
	pw_u32(b, (uint32_t)more->nyara, oom);
	for (i = 0; i < more->nyara; i++) {
		const struct parsed_yara *y = &more->yara[i];

		pw_cstr(b, y->m.rule, oom);
		pw_cstr(b, y->m.ns, oom);
		pw_cstr(b, y->m.tags, oom);
		pw_cstr(b, y->m.meta, oom);
		pw_u32(b, (uint32_t)y->att, oom);
		pw_cstr(b, y->member, oom);
	}
}

int
import_wire_encode(struct buf *b, const struct import_file *f, int flags)
{
	unsigned char status = (unsigned char)f->status;
	size_t i;
	int oom = 0;

	if (buf_append(b, &status, 1) == -1)
		return -1;
	if (f->status != IMPORT_OK) {
		pw_cstr(b, f->err, &oom);
		return oom ? -1 : 0;
	}
	pw_u64(b, f->bytes, &oom);
	pw_enc_session(b, &f->s, &oom);
	for (i = 0; i < f->s.nmsgs; i++)
		pw_enc_message(b, &f->s.msgs[i], &f->mime[i], &f->found[i],
		    (flags & IMPORT_WIRE_DATA) != 0, (flags &
		    IMPORT_WIRE_TEXTS) && i == 0 && f->s.msgs[i].body_len <=
		    IMPORT_WIRE_TEXTS_MAX, &oom);
	for (i = 0; i < f->s.nmsgs; i++) {
		static const struct parsed_more none;

		pw_enc_more(b, f->more ? &f->more[i] : &none,
		    f->mime[i].natts, &oom);
	}
	return oom ? -1 : 0;
}

/* --- decoding (the analyzer): nothing in the frame is trusted ------------ */

struct pw_in {
	const unsigned char	*p, *end;
	const char		*bad;	/* the first thing wrong */
};

static void
pw_bad(struct pw_in *in, const char *why)
{
	if (in->bad == NULL)
		in->bad = why;
	in->p = in->end;
}

static uint32_t
pw_get_u32(struct pw_in *in)
{
	uint32_t v;

	if (in->end - in->p < 4) {
		pw_bad(in, "cut short");
		return 0;
	}
	v = (uint32_t)in->p[0] | (uint32_t)in->p[1] << 8 |
	    (uint32_t)in->p[2] << 16 | (uint32_t)in->p[3] << 24;
	in->p += 4;
	return v;
}

static uint64_t
pw_get_u64(struct pw_in *in)
{
	uint64_t lo = pw_get_u32(in);

	return lo | (uint64_t)pw_get_u32(in) << 32;
}

/* A count of items of at least MIN bytes each that the rest can hold. */
static size_t
pw_get_count(struct pw_in *in, size_t min)
{
	uint32_t n = pw_get_u32(in);

	if ((size_t)(in->end - in->p) / min < n) {
		pw_bad(in, "a count larger than the frame");
		return 0;
	}
	return n;
}

/* A string, malloc'd and NUL-terminated; NULL for NULL (or on error). */
static char *
pw_get_bytes(struct pw_in *in, size_t *lenp)
{
	uint32_t len = pw_get_u32(in);
	char *s;

	*lenp = 0;
	if (in->bad != NULL || len == PW_NULL)
		return NULL;
	if ((size_t)(in->end - in->p) < len) {
		pw_bad(in, "a string longer than the frame");
		return NULL;
	}
	if ((s = malloc((size_t)len + 1)) == NULL) {
		pw_bad(in, "out of memory");
		return NULL;
	}
	memcpy(s, in->p, len);
	s[len] = '\0';
	in->p += len;
	*lenp = len;
	return s;
}

static void
pw_get_str(struct pw_in *in, struct spool_str *s)
{
	s->p = pw_get_bytes(in, &s->len);
}

/* A C string, not NULL, without a NUL inside. */
static char *
pw_get_cstr(struct pw_in *in)
{
	size_t len;
	char *s = pw_get_bytes(in, &len);

	if (s != NULL && strlen(s) != len) {
		free(s);
		s = NULL;
	}
	if (s == NULL)
		pw_bad(in, "a missing or NUL-holding string");
	return s;
}

/* A C string or NULL. */
static char *
pw_get_cstr_null(struct pw_in *in)
{
	size_t len;
	char *s = pw_get_bytes(in, &len);

	if (s != NULL && strlen(s) != len) {
		free(s);
		pw_bad(in, "a NUL-holding string");
		return NULL;
	}
	return s;
}

/* Into a fixed field: it must fit, terminated. */
static void
pw_get_fixed(struct pw_in *in, char *dst, size_t size)
{
	char *s = pw_get_cstr(in);

	if (s != NULL && strlen(s) < size)
		memcpy(dst, s, strlen(s) + 1);
	else
		pw_bad(in, "a field longer than its size");
	free(s);
}

/* A lower-case hex digest of exactly SIZE - 1 digits. */
static void
pw_get_hex(struct pw_in *in, char *dst, size_t size)
{
	pw_get_fixed(in, dst, size);
	if (in->bad == NULL && (strlen(dst) != size - 1 ||
	    strspn(dst, util_hexdigits) != size - 1))
		pw_bad(in, "a digest that is not hex");
}

/* A decimal list "1,2" or "", as spoolfmt checked it in the child. */
static void
pw_get_list(struct pw_in *in, struct spool_str *l)
{
	pw_get_str(in, l);
	if (in->bad == NULL && l->p != NULL &&
	    strspn(l->p, "0123456789,") != l->len)
		pw_bad(in, "a ClientHello list that is not numbers");
}

static void
pw_dec_tls(struct pw_in *in, struct spool_tls *t)
{
	if ((t->seen = pw_get_u32(in) != 0) == 0)
		return;
	t->ok = pw_get_u32(in) != 0;
	t->has_hello = pw_get_u32(in) != 0;
	t->cut = pw_get_u32(in) != 0;
	if ((t->hello_version = pw_get_u32(in)) > 0xffff)
		pw_bad(in, "a ClientHello version above 65535");
	t->bytes = pw_get_u64(in);
	pw_get_fixed(in, t->version, sizeof(t->version));
	pw_get_str(in, &t->cipher);
	pw_get_str(in, &t->alpn);
	pw_get_fixed(in, t->stage, sizeof(t->stage));
	pw_get_str(in, &t->reason);
	pw_get_str(in, &t->sni);
	pw_get_str(in, &t->alpns);
	pw_get_list(in, &t->ciphers);
	pw_get_list(in, &t->extensions);
	pw_get_list(in, &t->groups);
	pw_get_list(in, &t->sigalgs);
	pw_get_list(in, &t->point_formats);
	pw_get_list(in, &t->versions);
	pw_get_str(in, &t->ja3);
	pw_get_fixed(in, t->ja3_hash, sizeof(t->ja3_hash));
	if (in->bad == NULL && t->ja3_hash[0] != '\0' &&
	    (strlen(t->ja3_hash) != 32 ||
	    strspn(t->ja3_hash, util_hexdigits) != 32))
		pw_bad(in, "a JA3 hash that is not hex");
	pw_get_fixed(in, t->ja4, sizeof(t->ja4));
	if (in->bad == NULL && t->ja4[0] != '\0' && (strlen(t->ja4) != 36 ||
	    strspn(t->ja4, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != 36))
		pw_bad(in, "a JA4 that is not one");
}

static void
pw_dec_session(struct pw_in *in, struct spool_session *s)
{
	size_t i;

	s->version = (int)pw_get_u32(in);
	pw_get_fixed(in, s->session_id, sizeof(s->session_id));
	pw_get_str(in, &s->sensor);
	pw_get_fixed(in, s->client_ip, sizeof(s->client_ip));
	s->client_port = pw_get_u32(in);
	pw_get_fixed(in, s->server_ip, sizeof(s->server_ip));
	s->server_port = pw_get_u32(in);
	pw_get_fixed(in, s->start, sizeof(s->start));
	pw_get_fixed(in, s->end, sizeof(s->end));
	pw_get_fixed(in, s->end_reason, sizeof(s->end_reason));
	pw_get_fixed(in, s->helo_verb, sizeof(s->helo_verb));
	pw_get_str(in, &s->helo);
	if ((s->nauths = pw_get_count(in, 20)) > 0 &&
	    (s->auths = calloc(s->nauths, sizeof(*s->auths))) == NULL) {
		s->nauths = 0;
		pw_bad(in, "out of memory");
	}
	for (i = 0; i < s->nauths; i++) {
		pw_get_str(in, &s->auths[i].mech);
		pw_get_fixed(in, s->auths[i].status,
		    sizeof(s->auths[i].status));
		pw_get_str(in, &s->auths[i].user);
		pw_get_str(in, &s->auths[i].pass);
		pw_get_str(in, &s->auths[i].authzid);
	}
	s->transcript = pw_get_bytes(in, &s->transcript_len);
	s->transcript_cut = pw_get_u64(in);
	pw_dec_tls(in, &s->tls);
}

static void
pw_dec_attachment(struct pw_in *in, struct mime_attachment *a)
{
	size_t len;

	a->filename = pw_get_cstr_null(in);
	a->content_type = pw_get_cstr(in);
	a->size = (size_t)pw_get_u64(in);
	a->data = (unsigned char *)pw_get_bytes(in, &len);
	if (a->data != NULL && len != a->size)
		pw_bad(in, "attachment contents not of its size");
	pw_get_hex(in, a->md5, sizeof(a->md5));
	pw_get_hex(in, a->sha1, sizeof(a->sha1));
	pw_get_hex(in, a->sha256, sizeof(a->sha256));
}

static void
pw_dec_found(struct pw_in *in, struct extract_result *r)
{
	size_t i;

	if ((r->ncounts = pw_get_count(in, 12)) > 0 &&
	    (r->counts = calloc(r->ncounts, sizeof(*r->counts))) == NULL) {
		r->ncounts = 0;
		pw_bad(in, "out of memory");
	}
	for (i = 0; i < r->ncounts; i++) {
		r->counts[i].kind = pw_get_cstr(in);
		r->counts[i].value = pw_get_cstr(in);
		r->counts[i].count = pw_get_u32(in);
	}
	if ((r->nurls = pw_get_count(in, 12)) > 0 &&
	    (r->urls = calloc(r->nurls, sizeof(*r->urls))) == NULL) {
		r->nurls = 0;
		pw_bad(in, "out of memory");
	}
	for (i = 0; i < r->nurls; i++) {
		r->urls[i].url = pw_get_cstr(in);
		r->urls[i].host = pw_get_cstr(in);
		r->urls[i].count = pw_get_u32(in);
	}
}

/* A list of text parts (each at least its 4-byte length). */
static void
pw_dec_texts(struct pw_in *in, char ***list, size_t *n)
{
	size_t i, k;

	if ((k = pw_get_count(in, 4)) == 0)
		return;
	if ((*list = calloc(k, sizeof(**list))) == NULL) {
		pw_bad(in, "out of memory");
		return;
	}
	for (i = 0; i < k && in->bad == NULL; i++) {
		(*list)[i] = pw_get_cstr_null(in);
		*n = i + 1;
	}
}

static void
pw_dec_message(struct pw_in *in, struct spool_message *m,
    struct mime_message *mm, struct extract_result *r)
{
	size_t i, len;

	m->n = pw_get_u32(in);
	pw_get_str(in, &m->from);
	if ((m->nrcpts = pw_get_count(in, 4)) > 0 &&
	    (m->rcpts = calloc(m->nrcpts, sizeof(*m->rcpts))) == NULL) {
		m->nrcpts = 0;
		pw_bad(in, "out of memory");
	}
	for (i = 0; i < m->nrcpts; i++)
		pw_get_str(in, &m->rcpts[i]);
	m->body = (unsigned char *)pw_get_bytes(in, &len);
	m->body_len = len;
	m->size = pw_get_u64(in);
	m->truncated = pw_get_u32(in) != 0;
	m->incomplete = pw_get_u32(in) != 0;
	m->bare_lf = pw_get_u32(in);
	pw_get_fixed(in, m->queue_id, sizeof(m->queue_id));

	mm->subject = pw_get_cstr_null(in);
	if ((mm->natts = pw_get_count(in, 36)) > 0 &&
	    (mm->atts = calloc(mm->natts, sizeof(*mm->atts))) == NULL) {
		mm->natts = 0;
		pw_bad(in, "out of memory");
	}
	for (i = 0; i < mm->natts; i++)
		pw_dec_attachment(in, &mm->atts[i]);
	pw_dec_texts(in, &mm->texts, &mm->ntexts);
	pw_dec_texts(in, &mm->htmls, &mm->nhtmls);
	pw_dec_found(in, r);
}

/* A digest of hex digits: empty, or exactly LEN of them (0: up to the
 * field's size); lower case but TLSH's, which is upper case. */
static void
pw_get_digest(struct pw_in *in, char *dst, size_t size, size_t len)
{
	pw_get_fixed(in, dst, size);
	if (in->bad == NULL && dst[0] != '\0' &&
	    ((len > 0 && strlen(dst) != len) || strspn(dst, len > 0 ?
	    util_hexdigits : "0123456789ABCDEF") != strlen(dst)))
		pw_bad(in, "a digest that is not hex");
}

static void
pw_dec_member(struct pw_in *in, struct inspect_member *im)
{
	im->path = pw_get_cstr(in);
	im->depth = pw_get_u32(in);
	im->size = pw_get_u64(in);
	pw_get_digest(in, im->md5, sizeof(im->md5), 32);
	pw_get_digest(in, im->sha1, sizeof(im->sha1), 40);
	pw_get_digest(in, im->sha256, sizeof(im->sha256), 64);
	im->real_type = pw_get_cstr_null(in);
	im->flags = (int)(pw_get_u32(in) & (INSPECT_MEMBER_ENCRYPTED |
	    INSPECT_MEMBER_TRUNCATED | INSPECT_MEMBER_MISMATCH));
}

static void
pw_dec_insp(struct pw_in *in, struct inspect_result *ir)
{
	size_t i;

	ir->real_type = pw_get_cstr_null(in);
	ir->mismatch = pw_get_u32(in) != 0;
	if ((ir->archive = (enum inspect_archive)pw_get_u32(in)) >
	    INSPECT_ARCHIVE_LIMIT_RATIO) {
		ir->archive = INSPECT_NOT_ARCHIVE;
		pw_bad(in, "an archive outcome that is not one");
	}
	ir->password = pw_get_cstr_null(in);
	/* each member at least 44 bytes of frame */
	if ((ir->nmembers = pw_get_count(in, 44)) > 0 &&
	    (ir->members = calloc(ir->nmembers, sizeof(*ir->members))) ==
	    NULL) {
		ir->nmembers = 0;
		pw_bad(in, "out of memory");
	}
	for (i = 0; i < ir->nmembers && in->bad == NULL; i++)
		pw_dec_member(in, &ir->members[i]);
}

static void
pw_dec_yara(struct pw_in *in, struct parsed_yara *y, size_t natts)
{
	uint32_t att;

	y->m.rule = pw_get_cstr(in);
	y->m.ns = pw_get_cstr(in);
	y->m.tags = pw_get_cstr(in);
	y->m.meta = pw_get_cstr(in);
	att = pw_get_u32(in);
	if (att != 0xffffffffU && att >= natts)
		pw_bad(in, "a YARA match on an attachment that is not there");
	y->att = att == 0xffffffffU ? -1 : (int)att;
	y->member = pw_get_cstr_null(in);
}

static void
pw_dec_more(struct pw_in *in, struct parsed_more *more, size_t natts)
{
	size_t i;

	pw_get_digest(in, more->sim.template, sizeof(more->sim.template), 64);
	pw_get_digest(in, more->sim.tlsh, sizeof(more->sim.tlsh), 0);
	pw_get_fixed(in, more->sim.ssdeep, sizeof(more->sim.ssdeep));
	if (pw_get_u32(in) != 0 && natts > 0) {
		if ((more->insp = calloc(natts, sizeof(*more->insp))) == NULL) {
			pw_bad(in, "out of memory");
			return;
		}
		for (i = 0; i < natts && in->bad == NULL; i++)
			pw_dec_insp(in, &more->insp[i]);
	}
	/* each match at least 24 bytes of frame */
	if ((more->nyara = pw_get_count(in, 24)) > 0 &&
	    (more->yara = calloc(more->nyara, sizeof(*more->yara))) == NULL) {
		more->nyara = 0;
		pw_bad(in, "out of memory");
	}
	for (i = 0; i < more->nyara && in->bad == NULL; i++)
		pw_dec_yara(in, &more->yara[i], natts);
}

static void
pw_dec_ok(struct pw_in *in, struct import_file *f)
{
	size_t i, n;

	f->bytes = (size_t)pw_get_u64(in);
	pw_dec_session(in, &f->s);
	/* each message is at least 60 bytes of frame */
	n = pw_get_count(in, 60);
	f->mime = calloc(n + 1, sizeof(*f->mime));
	f->found = calloc(n + 1, sizeof(*f->found));
	f->more = calloc(n + 1, sizeof(*f->more));
	f->parsed = calloc(n + 1, sizeof(*f->parsed));
	if ((f->s.msgs = calloc(n + 1, sizeof(*f->s.msgs))) == NULL ||
	    f->mime == NULL || f->found == NULL || f->more == NULL ||
	    f->parsed == NULL) {
		pw_bad(in, "out of memory");
		return;
	}
	/* counted as decoded: a cut frame frees only what it filled */
	for (i = 0; i < n && in->bad == NULL; i++) {
		f->s.nmsgs = i + 1;
		pw_dec_message(in, &f->s.msgs[i], &f->mime[i], &f->found[i]);
		f->parsed[i].mime = &f->mime[i];
		f->parsed[i].found = &f->found[i];
		f->parsed[i].more = &f->more[i];
	}
	for (i = 0; i < f->s.nmsgs && in->bad == NULL; i++)
		pw_dec_more(in, &f->more[i], f->mime[i].natts);
}

int
import_wire_decode(const void *p, size_t len, struct import_file *f,
    char *err, size_t errlen)
{
	struct pw_in in = { p, (const unsigned char *)p + len, NULL };
	char *why;

	memset(f, 0, sizeof(*f));
	if (len < 1) {
		snprintf(err, errlen, "bad frame from the parse child: empty");
		return -1;
	}
	f->status = (enum import_status)*in.p++;
	switch (f->status) {
	case IMPORT_OK:
		pw_dec_ok(&in, f);
		break;
	case IMPORT_UNREADABLE:
	case IMPORT_BAD:
	case IMPORT_NOMEM:
		if ((why = pw_get_cstr(&in)) != NULL)
			snprintf(f->err, sizeof(f->err), "%s", why);
		free(why);
		break;
	default:
		pw_bad(&in, "an unknown status");
		break;
	}
	if (in.bad == NULL && in.p != in.end)
		pw_bad(&in, "bytes after the result");
	if (in.bad != NULL) {
		snprintf(err, errlen, "bad frame from the parse child: %s",
		    in.bad);
		import_file_clear(f);
		memset(f, 0, sizeof(*f));
		return -1;
	}
	return 0;
}
