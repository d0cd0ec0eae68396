/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * store_rows: a parsed session (parsed.h) as the rows of the filling
 * batch: its session, transcript, TLS and AUTH attempts, each message with its
 * recipients, URLs and attachments, and every counted value (a patterns
 * row, or only a count for a value whose id is known, and the link to its
 * message or session). Each row is made column by column in the order of
 * its statement's table (store_bind.c), which says what each column holds;
 * then the session's running totals are added up from its rows in one
 * pass (store_rollup.c).
 *
 * Nothing here talks to the server: store_import runs on the analyzer's
 * main thread, unprivileged, under its seccomp filter, while the commit
 * thread may be sending the previous batch.
 */
#include "autoconf.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extract.h"
#include "log.h"
#include "mime.h"
#include "parsed.h"
#include "relay_decide.h"
#include "spool_read.h"
#include "spoolfmt.h"
#include "store_int.h"
#include "utf8.h"
#include "util.h"

/* Of the server's max_allowed_packet, what a cut transcript keeps free
 * for its marker and the row's other values. */
#define STORE_CUT_ROOM		256
#define STORE_CUT_MARK		"# transcript cut: "

static void
store_rows_sha256(const void *p, size_t n, unsigned char out[32])
{
	unsigned int len = 32;

	EVP_Digest(p, n, out, &len, EVP_sha256(), NULL);
}

/* The domain of an address: after the last '@', lower case. */
static void
store_rows_domain(const char *addr, size_t len, char *dst, size_t dstlen)
{
	const char *at = memrchr(addr, '@', len);
	size_t i, n = 0;

	if (at != NULL)
		for (i = (size_t)(at + 1 - addr); i < len && n + 1 < dstlen;
		    i++)
			dst[n++] = (char)((addr[i] >= 'A' && addr[i] <= 'Z') ?
			    addr[i] + 32 : addr[i]);
	dst[n] = '\0';
}

/*
 * One counted value: its patterns row, then the link to its owner. len:
 * a user name may hold NUL bytes, which become U+FFFD as in its own row.
 */
static int
store_rows_count(struct store *st, enum store_stmt link, size_t owner,
    const char *kind, const char *value, size_t len, unsigned count,
    const char *when)
{
	struct store_params sp;
	struct store_pentry *e = NULL;
	unsigned char sha[32];
	unsigned long long pid;
	char *clean;
	size_t n;
	int rc;

	if ((clean = utf8_sanitize(value, len)) == NULL)
		return -1;
	n = utf8_prefix(clean, store_bind_max(ST_PATTERN, SC_PATTERN_VALUE));
	store_rows_sha256(clean, n, sha);
	store_bind_begin(&sp, ST_PATTERN);
	store_bind_str(&sp, kind);
	store_bind_text(&sp, clean, n);
	store_bind_blob(&sp, sha, sizeof(sha));
	store_bind_u64(&sp, count);
	store_bind_time(&sp, when);
	store_bind_time(&sp, when);
	free(clean);
	if (st->pcache != NULL)
		e = store_ids_slot(st, kind, sha);
	if (e != NULL && e->used && (!e->pending || e->gen == st->gen)) {
		/* known, or new earlier in this batch: its count goes with
		 * the commit, added up */
		pid = e->pending ? e->id | STORE_PENDING : e->id;
		rc = store_ids_add(st, e, count, when) == 0 ? 0 :
		    store_bind_queue(st->fill, &sp);
		store_bind_reset(&sp);
	} else {
		/* new: its row goes with the commit, which learns its id */
		pid = st->fill->q[ST_PATTERN].n | STORE_PENDING;
		if ((rc = store_bind_queue(st->fill, &sp)) == 0)
			store_ids_pending(st, e, kind, sha,
			    pid & ~STORE_PENDING);
	}
	if (rc == -1)
		return -1;
	store_bind_begin(&sp, link);
	store_bind_ref(&sp, link == ST_MSG_PATTERN ? REF_MESSAGE : REF_SESSION,
	    owner);
	store_bind_pattern(&sp, pid);
	store_bind_u64(&sp, count);
	return store_bind_queue(st->fill, &sp);
}

/*
 * The transcript (ASCII: spool_read checked each byte), whole when the
 * row fits what the server takes; else its first records, as many as
 * fit, and a line that says how much was kept of how much. A session
 * whose client sent a flood of commands is imported all the same. Where
 * the sensor itself stopped reading (max_transcript), a last line says so.
 */
static void
store_rows_transcript(struct store *st, struct store_params *sp,
    const char *name, const struct spool_session *s)
{
	char mark[128], sensor[128], esc[SPOOLFMT_ESCAPED_MAX(COL_SHORT)];
	size_t max = store_bind_max(sp->stmt, sp->n);
	size_t n = s->transcript_len, keep = n, mlen = 0, slen = 0;
	const char *nl;
	char *t;

	if (st->packet < max)
		max = st->packet;
	max -= STORE_CUT_ROOM;
	if (s->transcript_cut != 0)
		slen = (size_t)snprintf(sensor, sizeof(sensor), STORE_CUT_MARK
		    "the sensor read no more after %llu bytes "
		    "(max_transcript)\n", (unsigned long long)s->transcript_cut);
	if (n > max) {
		nl = memrchr(s->transcript, '\n', max);
		keep = nl ? (size_t)(nl - s->transcript) + 1 : 0;
		mlen = (size_t)snprintf(mark, sizeof(mark), STORE_CUT_MARK
		    "%zu of %zu bytes stored (max_allowed_packet)\n", keep, n);
		spoolfmt_escape(esc, sizeof(esc), name, strlen(name), 0);
		log_info("transcript of %s cut to %zu bytes of %zu: a row may "
		    "not exceed the server's max_allowed_packet", esc, keep, n);
	}
	if ((t = malloc(keep + mlen + slen + 1)) != NULL) {
		if (keep > 0)
			memcpy(t, s->transcript, keep);
		memcpy(t + keep, mark, mlen);
		memcpy(t + keep + mlen, sensor, slen);
		t[keep + mlen + slen] = '\0';
	}
	store_bind_own(sp, t, keep + mlen + slen);
}

/* The client address's country and AS, as the analyzer found them. */
static void
store_rows_geo(struct store_params *sp, const struct geoip_info *gi)
{
	if (gi->country[0] != '\0')
		store_bind_str(sp, gi->country);
	else
		store_bind_null(sp);
	if (gi->asn != 0)
		store_bind_u64(sp, gi->asn);
	else
		store_bind_null(sp);
	if (gi->as_org[0] != '\0')
		store_bind_str(sp, gi->as_org);
	else
		store_bind_null(sp);
}

/* The session's row and its transcript's; *sid: its place. */
static int
store_rows_session(struct store *st, const struct parsed_session *ps,
    size_t *sid)
{
	const struct spool_session *s = ps->s;
	struct store_params sp;

	store_bind_begin(&sp, ST_SESSION);
	store_bind_text(&sp, s->sensor.p, s->sensor.len);
	store_bind_str(&sp, ps->name);
	store_bind_str(&sp, s->session_id);
	store_bind_str(&sp, s->client_ip);
	store_bind_u64(&sp, s->client_port);
	store_bind_str(&sp, s->server_ip);
	store_bind_u64(&sp, s->server_port);
	store_bind_time(&sp, s->start);
	store_bind_time(&sp, s->end);
	if (s->helo.p != NULL) {
		store_bind_text(&sp, s->helo.p, s->helo.len);
		store_bind_str(&sp, s->helo_verb);
	} else {
		store_bind_null(&sp);
		store_bind_null(&sp);
	}
	store_bind_str(&sp, s->end_reason);
	store_bind_u64(&sp, s->nmsgs);
	store_rows_geo(&sp, &ps->geo);
	*sid = st->fill->q[ST_SESSION].n;
	if (store_bind_queue(st->fill, &sp) == -1)
		return -1;
	store_bind_begin(&sp, ST_TRANSCRIPT);
	store_bind_ref(&sp, REF_SESSION, *sid);
	store_rows_transcript(st, &sp, ps->name, s);
	return store_bind_queue(st->fill, &sp);
}

/* Text, or NULL when there is none (p NULL) or (empty_null) it is "". */
static void
store_rows_opt(struct store_params *sp, const struct spool_str *v,
    int empty_null)
{
	if (v->p == NULL || (empty_null && v->len == 0))
		store_bind_null(sp);
	else
		store_bind_text(sp, v->p, v->len);
}

/* The tls or tls-fail record's row, when there is one. */
static int
store_rows_tls(struct store *st, const struct spool_session *s, size_t sid)
{
	const struct spool_tls *t = &s->tls;
	const struct spool_str *lists[] = { &t->ciphers, &t->extensions,
	    &t->groups, &t->sigalgs, &t->point_formats, &t->versions };
	struct spool_str none = { NULL, 0 };
	struct store_params sp;
	size_t i;

	if (!t->seen)
		return 0;
	store_bind_begin(&sp, ST_SESSION_TLS);
	store_bind_ref(&sp, REF_SESSION, sid);
	store_bind_u64(&sp, (unsigned long long)t->ok);
	if (t->ok) {
		store_bind_str(&sp, t->version);
		store_rows_opt(&sp, &t->cipher, 0);
		store_rows_opt(&sp, &t->alpn, 1);
		store_bind_null(&sp);
		store_bind_null(&sp);
		store_bind_null(&sp);
	} else {
		store_bind_null(&sp);
		store_bind_null(&sp);
		store_bind_null(&sp);
		store_bind_str(&sp, t->stage);
		store_rows_opt(&sp, &t->reason, 0);
		store_bind_u64(&sp, t->bytes);
	}
	store_rows_opt(&sp, t->has_hello ? &t->sni : &none, 1);
	store_rows_opt(&sp, t->has_hello ? &t->alpns : &none, 0);
	if (t->has_hello)
		store_bind_u64(&sp, t->hello_version);
	else
		store_bind_null(&sp);
	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		store_rows_opt(&sp, t->has_hello ? lists[i] : &none, 0);
	if (t->has_hello)
		store_bind_u64(&sp, (unsigned long long)t->cut);
	else
		store_bind_null(&sp);
	store_rows_opt(&sp, t->has_hello ? &t->ja3 : &none, 0);
	if (t->has_hello && t->ja3_hash[0] != '\0')
		store_bind_str(&sp, t->ja3_hash);
	else
		store_bind_null(&sp);
	if (t->has_hello && t->ja4[0] != '\0')
		store_bind_str(&sp, t->ja4);
	else
		store_bind_null(&sp);
	store_bind_time(&sp, s->start);
	return store_bind_queue(st->fill, &sp);
}

/* Each AUTH attempt's row, and its user name counted. */
static int
store_rows_auths(struct store *st, const struct spool_session *s, size_t sid)
{
	struct store_params sp;
	size_t i;

	for (i = 0; i < s->nauths; i++) {
		const struct spool_auth *a = &s->auths[i];

		store_bind_begin(&sp, ST_AUTH);
		store_bind_ref(&sp, REF_SESSION, sid);
		store_bind_text(&sp, a->mech.p, a->mech.len);
		store_bind_str(&sp, a->status);
		store_bind_text(&sp, a->user.p, a->user.len);
		store_bind_text(&sp, a->pass.p, a->pass.len);
		store_bind_text(&sp, a->authzid.p, a->authzid.len);
		store_bind_time(&sp, s->start);
		if (store_bind_queue(st->fill, &sp) == -1)
			return -1;
		if (a->user.len > 0 && store_rows_count(st, ST_SESS_PATTERN,
		    sid, "username", a->user.p, a->user.len, 1,
		    s->start) == -1)
			return -1;
	}
	return 0;
}

/* Text, or NULL when there is none. */
static void
store_rows_str_null(struct store_params *sp, const char *v)
{
	if (v != NULL && *v != '\0')
		store_bind_str(sp, v);
	else
		store_bind_null(sp);
}

/* What is inside attachment SEQ, when it is an archive. */
static int
store_rows_members(struct store *st, size_t mid, size_t seq,
    const struct inspect_result *ir, const char *when)
{
	struct store_params sp;
	size_t i;

	for (i = 0; i < ir->nmembers; i++) {
		const struct inspect_member *im = &ir->members[i];

		store_bind_begin(&sp, ST_MEMBER);
		store_bind_ref(&sp, REF_MESSAGE, mid);
		store_bind_u64(&sp, seq);
		store_bind_str(&sp, im->path ? im->path : "");
		store_bind_u64(&sp, im->depth);
		store_bind_u64(&sp, im->size);
		store_bind_str(&sp, im->md5);
		store_bind_str(&sp, im->sha1);
		store_bind_str(&sp, im->sha256);
		store_rows_str_null(&sp, im->real_type);
		store_bind_u64(&sp, (unsigned long long)im->flags);
		store_bind_time(&sp, when);
		if (store_bind_queue(st->fill, &sp) == -1)
			return -1;
	}
	return 0;
}

static int
store_rows_att(struct store *st, size_t mid, size_t seq,
    const struct mime_attachment *a, const struct inspect_result *ir,
    const char *when)
{
	struct store_params sp;

	store_bind_begin(&sp, ST_ATT);
	store_bind_ref(&sp, REF_MESSAGE, mid);
	if (a->filename != NULL)
		store_bind_str(&sp, a->filename);
	else
		store_bind_null(&sp);
	store_bind_str(&sp, a->content_type);
	store_bind_u64(&sp, a->size);
	store_bind_str(&sp, a->md5);
	store_bind_str(&sp, a->sha1);
	store_bind_str(&sp, a->sha256);
	store_bind_time(&sp, when);
	store_bind_u64(&sp, seq);
	store_rows_str_null(&sp, ir ? ir->real_type : NULL);
	store_bind_u64(&sp, ir ? (unsigned long long)(ir->mismatch != 0) : 0);
	store_rows_str_null(&sp, ir && ir->archive != INSPECT_NOT_ARCHIVE ?
	    inspect_archive_name(ir->archive) : NULL);
	store_rows_str_null(&sp, ir ? ir->password : NULL);
	if (store_bind_queue(st->fill, &sp) == -1)
		return -1;
	return ir ? store_rows_members(st, mid, seq, ir, when) : 0;
}

size_t
store_rows_yara_rules(const struct parsed_more *more, const char **names,
    unsigned *counts, size_t max)
{
	size_t i, k, n = 0;

	for (i = 0; more != NULL && i < more->nyara; i++) {
		for (k = 0; k < n; k++)
			if (strcmp(names[k], more->yara[i].m.rule) == 0)
				break;
		if (k < n)
			counts[k]++;
		else if (n < max) {
			names[n] = more->yara[i].m.rule;
			counts[n++] = 1;
		}
	}
	return n;
}

/* The YARA rules that matched, where they did, and counted as values of
 * kind yara. */
static int
store_rows_yara(struct store *st, size_t mid, const struct parsed_more *more,
    const char *when)
{
	const char *names[STORE_YARA_RULES_MAX];
	unsigned counts[STORE_YARA_RULES_MAX];
	struct store_params sp;
	size_t i, n;

	for (i = 0; i < more->nyara; i++) {
		const struct parsed_yara *y = &more->yara[i];

		store_bind_begin(&sp, ST_YARA);
		store_bind_ref(&sp, REF_MESSAGE, mid);
		if (y->att >= 0)	/* attachments.seq: from 1 */
			store_bind_u64(&sp, (unsigned long long)y->att + 1);
		else
			store_bind_null(&sp);
		store_rows_str_null(&sp, y->member);
		store_bind_str(&sp, y->m.rule);
		store_bind_str(&sp, y->m.ns ? y->m.ns : "");
		store_bind_str(&sp, y->m.tags ? y->m.tags : "");
		store_bind_str(&sp, y->m.meta ? y->m.meta : "{}");
		store_bind_time(&sp, when);
		if (store_bind_queue(st->fill, &sp) == -1)
			return -1;
	}
	n = store_rows_yara_rules(more, names, counts, STORE_YARA_RULES_MAX);
	for (i = 0; i < n; i++)
		if (store_rows_count(st, ST_MSG_PATTERN, mid, "yara", names[i],
		    strlen(names[i]), counts[i], when) == -1)
			return -1;
	return 0;
}

/* A message's recipients, URLs, attachments and counted values. */
static int
store_rows_parts(struct store *st, size_t mid, const struct spool_message *m,
    const struct parsed_message *pm, const char *when)
{
	struct store_params sp;
	char domain[COL_SHORT + 1];	/* recipients.domain, before its cut */
	size_t i;

	for (i = 0; i < m->nrcpts; i++) {
		store_rows_domain(m->rcpts[i].p, m->rcpts[i].len, domain,
		    sizeof(domain));
		store_bind_begin(&sp, ST_RCPT);
		store_bind_ref(&sp, REF_MESSAGE, mid);
		store_bind_text(&sp, m->rcpts[i].p, m->rcpts[i].len);
		store_bind_str(&sp, domain);
		store_bind_time(&sp, when);
		if (store_bind_queue(st->fill, &sp) == -1)
			return -1;
	}
	for (i = 0; pm->found && i < pm->found->nurls; i++) {
		store_bind_begin(&sp, ST_URL);
		store_bind_ref(&sp, REF_MESSAGE, mid);
		store_bind_str(&sp, pm->found->urls[i].url);
		store_bind_str(&sp, pm->found->urls[i].host);
		store_bind_u64(&sp, pm->found->urls[i].count);
		store_bind_time(&sp, when);
		if (store_bind_queue(st->fill, &sp) == -1)
			return -1;
	}
	for (i = 0; pm->mime && i < pm->mime->natts; i++)
		if (store_rows_att(st, mid, i + 1, &pm->mime->atts[i],
		    pm->more && pm->more->insp ? &pm->more->insp[i] : NULL,
		    when) == -1)
			return -1;
	for (i = 0; pm->found && i < pm->found->ncounts; i++)
		if (store_rows_count(st, ST_MSG_PATTERN, mid,
		    pm->found->counts[i].kind, pm->found->counts[i].value,
		    strlen(pm->found->counts[i].value),
		    pm->found->counts[i].count, when) == -1)
			return -1;
	return pm->more ? store_rows_yara(st, mid, pm->more, when) : 0;
}

/* What the relay made of the message (relay_decide.c), when it decided. */
static int
store_rows_relay(struct store *st, size_t mid, const struct relay_decision *d,
    const char *client)
{
	struct store_params sp;

	store_bind_begin(&sp, ST_RELAY_DECISION);
	store_bind_ref(&sp, REF_MESSAGE, mid);
	store_bind_time(&sp, d->decided_at);
	store_bind_str(&sp, d->verdict);
	if (d->rule != NULL)
		store_bind_str(&sp, d->rule);
	else
		store_bind_null(&sp);
	if (d->reason != NULL)
		store_bind_str(&sp, d->reason);
	else
		store_bind_null(&sp);
	store_bind_str(&sp, client);
	if (d->rcpt[0] != '\0') {
		store_bind_str(&sp, d->rcpt);
		store_bind_str(&sp, d->domain);
	} else {
		store_bind_null(&sp);
		store_bind_null(&sp);
	}
	store_bind_str(&sp, d->campaign);
	if (d->queue_id[0] != '\0')
		store_bind_str(&sp, d->queue_id);
	else
		store_bind_null(&sp);
	return store_bind_queue(st->fill, &sp);
}

/* The message's digests, as the parse child made them, or NULLs. */
static void
store_rows_digests(struct store_params *sp, const struct parsed_more *more,
    const struct parsed_campaign *pc)
{
	store_rows_str_null(sp, more ? more->sim.template : NULL);
	store_rows_str_null(sp, more ? more->sim.tlsh : NULL);
	store_rows_str_null(sp, more ? more->sim.ssdeep : NULL);
	if (pc != NULL && pc->id != 0)
		store_bind_u64(sp, pc->id);
	else
		store_bind_null(sp);
}

static int
store_rows_message(struct store *st, const struct parsed_session *ps,
    size_t sid, size_t k, const char *when)
{
	const struct spool_message *m = &ps->s->msgs[k];
	const struct parsed_message *pm = &ps->msgs[k];
	const struct parsed_campaign *pc = ps->campaign ? &ps->campaign[k] :
	    NULL;
	struct store_params sp;
	unsigned char sha[32];
	char hex[65], domain[COL_SHORT + 1];	/* mail_from_domain's */
	size_t mid;

	store_rows_sha256(m->body ? (const void *)m->body : "", m->body_len,
	    sha);
	util_hex(hex, sha, sizeof(sha));
	store_rows_domain(m->from.p, m->from.len, domain, sizeof(domain));
	store_bind_begin(&sp, ST_MESSAGE);
	store_bind_ref(&sp, REF_SESSION, sid);
	store_bind_u64(&sp, m->n);
	store_bind_text(&sp, m->from.p, m->from.len);
	store_bind_str(&sp, domain);
	store_bind_u64(&sp, m->size);
	store_bind_u64(&sp, m->body_len);
	store_bind_u64(&sp, (unsigned long long)m->truncated);
	store_bind_u64(&sp, (unsigned long long)m->incomplete);
	if (pm->mime && pm->mime->subject)
		store_bind_str(&sp, pm->mime->subject);
	else
		store_bind_null(&sp);
	store_bind_str(&sp, hex);
	store_bind_str(&sp, m->queue_id);
	store_bind_time(&sp, when);
	store_rows_digests(&sp, pm->more, pc);
	mid = st->fill->q[ST_MESSAGE].n;
	if (store_bind_queue(st->fill, &sp) == -1)
		return -1;
	if (ps->relay != NULL && store_rows_relay(st, mid, &ps->relay[k],
	    ps->s->client_ip) == -1)
		return -1;
	if (pc != NULL && pc->id != 0 && store_campaign_rows(st, mid, pc,
	    pm->mime ? pm->mime->subject : NULL, pm->more, ps->s->client_ip,
	    ps->s->sensor.p, ps->s->sensor.len, when) == -1)
		return -1;
	return store_rows_parts(st, mid, m, pm, when);
}

/*
 * Import one parsed spool file into the filling batch, which may hold
 * other files already: nothing is sent to the server here (the commit
 * does it all), so this may run while another batch is being committed.
 * Its rows first, then its running totals from them. STORE_REJECTED (out
 * of memory) drops the whole filling batch.
 */
enum store_result
store_import(struct store *st, const struct parsed_session *ps, char *err,
    size_t errlen)
{
	const struct spool_session *s = ps->s;
	size_t at[ST_COUNT], i, sid;

	err[0] = '\0';
	for (i = 0; i < ST_COUNT; i++)
		at[i] = st->fill->q[i].n;
	if (store_rows_session(st, ps, &sid) == -1 ||
	    store_rows_tls(st, s, sid) == -1 ||
	    store_rows_auths(st, s, sid) == -1)
		goto fail;
	for (i = 0; i < s->nmsgs; i++)
		if (store_rows_message(st, ps, sid, i, s->start) == -1)
			goto fail;
	if (store_rollup_session(st->fill, at, ps) == -1)
		goto fail;
	return STORE_OK;
fail:
	snprintf(err, errlen, "out of memory");
	store_discard(st);
	return STORE_REJECTED;
}
