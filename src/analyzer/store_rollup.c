/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * store_rollup: a batch's additions to the report's running totals, one
 * entry per (table, kind, hour, value or pattern), found again through an
 * open-addressing index so that a value seen a thousand times in a batch
 * is one row at its commit. A value is keyed by the SHA-256 of its text
 * as the database holds it (credential: user, NUL, password), the key of
 * value_hours and value_totals. Each session's totals are added up in one
 * pass over the rows store_rows.c made of it, which hold every value as
 * its column does; at commit the entries become rows themselves.
 *
 * Run by spampot-analyzer on its main thread, unprivileged, under its
 * seccomp filter; nothing here talks to the server.
 */
#include "autoconf.h"

#include <openssl/evp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "extract.h"
#include "mime.h"
#include "parsed.h"
#include "spool_read.h"
#include "store_int.h"
#include "store_rollup.h"

struct store_rollup {
	struct store_rollup_entry	*e;
	size_t				 n, cap;
	size_t				*slot;	/* index + 1; 0: empty */
	size_t				 nslots;	/* a power of two */
	EVP_MD_CTX			*md;	/* reused for every value */
};

struct store_rollup *
store_rollup_new(void)
{
	return calloc(1, sizeof(struct store_rollup));
}

void
store_rollup_clear(struct store_rollup *ru)
{
	size_t i;

	if (ru == NULL)
		return;
	for (i = 0; i < ru->n; i++) {
		free(ru->e[i].value);
		free(ru->e[i].value2);
	}
	ru->n = 0;
	if (ru->slot != NULL)
		memset(ru->slot, 0, ru->nslots * sizeof(*ru->slot));
}

void
store_rollup_free(struct store_rollup *ru)
{
	if (ru == NULL)
		return;
	store_rollup_clear(ru);
	EVP_MD_CTX_free(ru->md);
	free(ru->e);
	free(ru->slot);
	free(ru);
}

size_t
store_rollup_count(const struct store_rollup *ru)
{
	return ru->n;
}

const struct store_rollup_entry *
store_rollup_get(const struct store_rollup *ru, size_t i)
{
	return &ru->e[i];
}

/* FNV-1a over what tells two entries apart. */
static size_t
store_rollup_hash(const struct store_rollup_entry *k)
{
	uint64_t h = 1469598103934665603ULL;
	const unsigned char *p;
	size_t i;

#define MIX(ptr, len) \
	for (p = (const unsigned char *)(ptr), i = 0; i < (len); i++) \
		h = (h ^ p[i]) * 1099511628211ULL
	MIX(&k->table, sizeof(k->table));
	MIX(k->kind, strlen(k->kind));
	MIX(k->hour, sizeof(k->hour));
	MIX(k->sha, sizeof(k->sha));
	MIX(&k->pattern_id, sizeof(k->pattern_id));
#undef MIX
	return (size_t)h;
}

static int
store_rollup_same(const struct store_rollup_entry *a,
    const struct store_rollup_entry *b)
{
	return a->table == b->table && a->pattern_id == b->pattern_id &&
	    memcmp(a->hour, b->hour, sizeof(a->hour)) == 0 &&
	    memcmp(a->sha, b->sha, sizeof(a->sha)) == 0 &&
	    strcmp(a->kind, b->kind) == 0;
}

/* Room for one more entry, the index at most half full. */
static int
store_rollup_grow(struct store_rollup *ru)
{
	struct store_rollup_entry *e;
	size_t cap, i, j, *slot, nslots;

	if (ru->n == ru->cap) {
		cap = ru->cap ? ru->cap * 2 : 256;
		if ((e = reallocarray(ru->e, cap, sizeof(*e))) == NULL)
			return -1;
		ru->e = e;
		ru->cap = cap;
	}
	if ((ru->n + 1) * 2 <= ru->nslots)
		return 0;
	nslots = ru->nslots ? ru->nslots * 2 : 512;
	if ((slot = calloc(nslots, sizeof(*slot))) == NULL)
		return -1;
	for (i = 0; i < ru->n; i++) {
		j = store_rollup_hash(&ru->e[i]) & (nslots - 1);
		while (slot[j] != 0)
			j = (j + 1) & (nslots - 1);
		slot[j] = i + 1;
	}
	free(ru->slot);
	ru->slot = slot;
	ru->nslots = nslots;
	return 0;
}

/* The entry of key k, made (counting nothing yet) if new; NULL: out of
 * memory. */
static struct store_rollup_entry *
store_rollup_find(struct store_rollup *ru, const struct store_rollup_entry *k)
{
	size_t j;

	if (store_rollup_grow(ru) == -1)
		return NULL;
	j = store_rollup_hash(k) & (ru->nslots - 1);
	for (; ru->slot[j] != 0; j = (j + 1) & (ru->nslots - 1))
		if (store_rollup_same(&ru->e[ru->slot[j] - 1], k))
			return &ru->e[ru->slot[j] - 1];
	ru->e[ru->n] = *k;
	ru->slot[j] = ++ru->n;
	return &ru->e[ru->n - 1];
}

/* A key for kind at the spool time when (2026-11-26T16:11:16.123456Z). */
static void
store_rollup_key(struct store_rollup_entry *k, enum store_rollup_table t,
    const char *kind, const char *when)
{
	size_t n = strlen(kind);

	memset(k, 0, sizeof(*k));
	k->table = t;
	memcpy(k->kind, kind, n < sizeof(k->kind) ? n : sizeof(k->kind) - 1);
	memcpy(k->hour, when, 10);
	k->hour[10] = ' ';
	memcpy(k->hour + 11, when + 11, 2);
	memcpy(k->hour + 13, ":00:00", 7);
}

static void
store_rollup_count_at(struct store_rollup_entry *e, unsigned long long n,
    const char *when)
{
	if (e->n == 0 || strcmp(when, e->first) < 0)
		snprintf(e->first, sizeof(e->first), "%s", when);
	if (e->n == 0 || strcmp(when, e->last) > 0)
		snprintf(e->last, sizeof(e->last), "%s", when);
	e->n += n;
}

/* The bytes of the first STORE_ROLLUP_CHARS characters of valid UTF-8. */
static size_t
store_rollup_chars(const char *s, size_t len)
{
	size_t i, chars = 0;

	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80 &&
		    chars++ == STORE_ROLLUP_CHARS)
			break;
	return i;
}

/* n bytes of p, NUL-terminated: malloc'd. */
static char *
store_rollup_copy(const char *p, size_t n)
{
	char *t;

	if ((t = malloc(n + 1)) != NULL) {
		memcpy(t, p, n);
		t[n] = '\0';
	}
	return t;
}

int
store_rollup_value(struct store_rollup *ru, const char *kind,
    const char *value, size_t len, const char *value2, size_t len2,
    const char *when)
{
	struct store_rollup_entry k, *e;
	size_t n, n2 = 0;
	unsigned int shalen = sizeof(k.sha);
	int ok;

	store_rollup_key(&k, SRU_KIND, kind, when);
	if ((e = store_rollup_find(ru, &k)) == NULL)
		return -1;
	store_rollup_count_at(e, 1, when);

	store_rollup_key(&k, SRU_VALUE, kind, when);
	n = store_rollup_chars(value, len);
	if (value2 != NULL)
		n2 = store_rollup_chars(value2, len2);
	if (ru->md == NULL && (ru->md = EVP_MD_CTX_new()) == NULL)
		return -1;
	ok = EVP_DigestInit_ex(ru->md, EVP_sha256(), NULL) &&
	    EVP_DigestUpdate(ru->md, value, n) &&
	    (value2 == NULL || (EVP_DigestUpdate(ru->md, "", 1) &&
	    EVP_DigestUpdate(ru->md, value2, n2))) &&
	    EVP_DigestFinal_ex(ru->md, k.sha, &shalen);
	if (!ok || (e = store_rollup_find(ru, &k)) == NULL)
		return -1;
	/* a value new to the batch keeps its text; an entry that could not
	 * is dropped with its batch (store_import fails) */
	if (e->value == NULL) {
		if ((e->value = store_rollup_copy(value, n)) == NULL ||
		    (value2 != NULL &&
		    (e->value2 = store_rollup_copy(value2, n2)) == NULL))
			return -1;
		e->len = n;
		e->len2 = n2;
	}
	store_rollup_count_at(e, 1, when);
	return 0;
}

int
store_rollup_pattern(struct store_rollup *ru, const char *kind,
    unsigned long long id, unsigned long long count, const char *when)
{
	struct store_rollup_entry k, *e;

	store_rollup_key(&k, SRU_PATTERN, kind, when);
	k.pattern_id = id;
	if ((e = store_rollup_find(ru, &k)) == NULL)
		return -1;
	store_rollup_count_at(e, count, when);
	return 0;
}

/* Column c of a row: its text as the column holds it. */
#define ROW_TEXT(row, c)	(row)->p[c].v.p, (size_t)(row)->p[c].len

/* The next row of statement w of the session (cur: the places). */
static const struct store_row *
store_rollup_row(const struct store_batch *b, size_t *cur,
    enum store_stmt w)
{
	return b->q[w].rows[cur[w]++];
}

/* A counted value, from its link row to its message or session. */
static int
store_rollup_link(struct store_rollup *ru, const char *kind,
    const struct store_row *row, const char *when)
{
	return store_rollup_pattern(ru, kind, store_bind_pid(row,
	    SC_LINK_PATTERN), row->p[SC_LINK_COUNT].v.num, when);
}

/* The session's row and its AUTH attempts'. */
static int
store_rollup_client(struct store_batch *b, size_t *cur,
    const struct spool_session *s)
{
	struct store_rollup *ru = b->rollup;
	const struct store_row *row;
	size_t i;

	row = store_rollup_row(b, cur, ST_SESSION);
	if (store_rollup_value(ru, "client-ip",
	    ROW_TEXT(row, SC_SESSION_CLIENT_IP), NULL, 0, s->start) == -1 ||
	    (s->helo.p != NULL && store_rollup_value(ru, "helo",
	    ROW_TEXT(row, SC_SESSION_HELO), NULL, 0, s->start) == -1))
		return -1;
	for (i = 0; i < s->nauths; i++) {
		const struct spool_auth *a = &s->auths[i];

		row = store_rollup_row(b, cur, ST_AUTH);
		if (store_rollup_value(ru, "password",
		    ROW_TEXT(row, SC_AUTH_PASS), NULL, 0, s->start) == -1 ||
		    store_rollup_value(ru, "credential",
		    ROW_TEXT(row, SC_AUTH_USER), a->pass.p != NULL ?
		    row->p[SC_AUTH_PASS].v.p : NULL, row->p[SC_AUTH_PASS].len,
		    s->start) == -1)
			return -1;
		if (a->user.len > 0 && store_rollup_link(ru, "username",
		    store_rollup_row(b, cur, ST_SESS_PATTERN), s->start) == -1)
			return -1;
	}
	return 0;
}

/* The session's TLS row: its version, JA4, JA3 and SNI, those it has. */
static int
store_rollup_tls(struct store_batch *b, size_t *cur,
    const struct spool_session *s)
{
	static const struct {
		const char	*kind;
		unsigned	 col;
	} kinds[] = {
		{ "tls-version", SC_TLS_VERSION },
		{ "ja4", SC_TLS_JA4 },
		{ "ja3", SC_TLS_JA3_HASH },
		{ "sni", SC_TLS_SNI },
	};
	const struct store_row *row;
	size_t i;

	if (!s->tls.seen)
		return 0;
	row = store_rollup_row(b, cur, ST_SESSION_TLS);
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (row->p[kinds[i].col].type != MYSQL_TYPE_NULL &&
		    store_rollup_value(b->rollup, kinds[i].kind,
		    ROW_TEXT(row, kinds[i].col), NULL, 0, s->start) == -1)
			return -1;
	return 0;
}

/* A message's row and those of its recipients, URLs, attachments and
 * counted values. */
static int
store_rollup_message(struct store_batch *b, size_t *cur,
    const struct spool_message *m, const struct parsed_message *pm,
    const char *when)
{
	const char *names[STORE_YARA_RULES_MAX];
	unsigned counts[STORE_YARA_RULES_MAX];
	struct store_rollup *ru = b->rollup;
	const struct store_row *row;
	size_t i, n;

	row = store_rollup_row(b, cur, ST_MESSAGE);
	if (store_rollup_value(ru, "sender", ROW_TEXT(row, SC_MESSAGE_FROM),
	    NULL, 0, when) == -1)
		return -1;
	for (i = 0; i < m->nrcpts; i++) {
		row = store_rollup_row(b, cur, ST_RCPT);
		if (store_rollup_value(ru, "rcpt-domain",
		    ROW_TEXT(row, SC_RCPT_DOMAIN), NULL, 0, when) == -1)
			return -1;
	}
	for (i = 0; pm->found && i < pm->found->nurls; i++) {
		row = store_rollup_row(b, cur, ST_URL);
		if (store_rollup_value(ru, "url-host",
		    ROW_TEXT(row, SC_URL_HOST), NULL, 0, when) == -1)
			return -1;
	}
	for (i = 0; pm->mime && i < pm->mime->natts; i++) {
		row = store_rollup_row(b, cur, ST_ATT);
		if (store_rollup_value(ru, "attachment",
		    ROW_TEXT(row, SC_ATT_SHA256), NULL, 0, when) == -1)
			return -1;
	}
	for (i = 0; pm->found && i < pm->found->ncounts; i++)
		if (store_rollup_link(ru, pm->found->counts[i].kind,
		    store_rollup_row(b, cur, ST_MSG_PATTERN), when) == -1)
			return -1;
	/* the YARA rules, counted after the values (store_rows_yara) */
	n = store_rows_yara_rules(pm->more, names, counts,
	    STORE_YARA_RULES_MAX);
	for (i = 0; i < n; i++)
		if (store_rollup_link(ru, "yara",
		    store_rollup_row(b, cur, ST_MSG_PATTERN), when) == -1)
			return -1;
	return 0;
}

/*
 * What a session adds to the running totals, in one pass over the rows
 * store_import made of it (at: where they start in each queue), in the
 * order they were made; each value as its own column holds it. The
 * session's start is the time of all of them.
 */
int
store_rollup_session(struct store_batch *b, const size_t *at,
    const struct parsed_session *ps)
{
	const struct spool_session *s = ps->s;
	size_t cur[ST_COUNT], i;

	memcpy(cur, at, sizeof(cur));
	if (store_rollup_client(b, cur, s) == -1 ||
	    store_rollup_tls(b, cur, s) == -1)
		return -1;
	for (i = 0; i < s->nmsgs; i++)
		if (store_rollup_message(b, cur, &s->msgs[i], &ps->msgs[i],
		    s->start) == -1)
			return -1;
	return 0;
}

/* A value's row of value_hours (hour: 1) or of value_totals (0). */
static int
store_rollup_value_row(struct store_batch *b,
    const struct store_rollup_entry *e, int hour)
{
	struct store_params sp;

	store_bind_begin(&sp, hour ? ST_VALUE_HOUR : ST_VALUE_TOTAL);
	store_bind_str(&sp, e->kind);
	if (hour)
		store_bind_str(&sp, e->hour);
	store_bind_blob(&sp, e->sha, sizeof(e->sha));
	store_bind_text(&sp, e->value, e->len);
	store_bind_text(&sp, e->value2, e->len2);
	store_bind_u64(&sp, e->n);
	store_bind_time(&sp, e->first);
	store_bind_time(&sp, e->last);
	return store_bind_queue(b, &sp);
}

/* The batch's running totals into their queues: a row of kind_hours or
 * pattern_hours per entry, one of value_hours and value_totals per
 * value. */
int
store_rollup_queue(struct store_batch *b)
{
	const struct store_rollup_entry *e;
	struct store_params sp;
	size_t i;

	for (i = 0; i < store_rollup_count(b->rollup); i++) {
		e = store_rollup_get(b->rollup, i);
		if (e->table == SRU_VALUE) {
			if (store_rollup_value_row(b, e, 1) == -1 ||
			    store_rollup_value_row(b, e, 0) == -1)
				return -1;
			continue;
		}
		store_bind_begin(&sp, e->table == SRU_PATTERN ?
		    ST_PATTERN_HOUR : ST_KIND_HOUR);
		store_bind_str(&sp, e->kind);
		store_bind_str(&sp, e->hour);
		if (e->table == SRU_PATTERN)
			store_bind_pattern(&sp, e->pattern_id);
		store_bind_u64(&sp, e->n);
		store_bind_time(&sp, e->first);
		store_bind_time(&sp, e->last);
		if (store_bind_queue(b, &sp) == -1)
			return -1;
	}
	return 0;
}
