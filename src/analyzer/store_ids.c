/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * store_ids: the ids of the rows a batch inserted, and the ids of counted
 * values remembered between batches. A row that needs the id of a
 * session, message or new pattern of its batch names it by its place in
 * the queue (store_bind_ref); the ids are read back once the sessions
 * (then the messages) are in: those of the rows from the first id the
 * insert gave, matched by spool name (then session and number), so
 * another analyzer's rows in between do no harm. The id of a counted
 * value (patterns) is remembered, so a value seen before costs only its
 * count at commit; the values new to a batch go in one execution too,
 * their ids then read back by kind and value_sha256.
 *
 * Run by spampot-analyzer, unprivileged, under its seccomp filter: the
 * read-back on the commit thread, the cache on the main thread only.
 */
#include "autoconf.h"

#include <mysql.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"
#include "util.h"

/* Where the queued row with this key is: the key of a session is its
 * spool name, that of a message its session's id and number. */
struct store_key {
	const char		*name;
	unsigned long long	 sid, seq;
	size_t			 place;
};

static int
store_ids_key_cmp(const void *a, const void *b)
{
	const struct store_key *x = a, *y = b;

	if (x->name != NULL)
		return strcmp(x->name, y->name);
	if (x->sid != y->sid)
		return x->sid < y->sid ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The keys of the queued sessions or messages, sorted. */
static struct store_key *
store_ids_keys(const struct store_batch *b, enum store_ref ref)
{
	const struct store_queue *q = &b->q[ref == REF_SESSION ? ST_SESSION :
	    ST_MESSAGE];
	struct store_key *keys;
	size_t i;

	if ((keys = calloc(q->n ? q->n : 1, sizeof(*keys))) == NULL)
		return NULL;
	for (i = 0; i < q->n; i++) {
		keys[i].place = i;
		if (ref == REF_SESSION)
			keys[i].name = q->rows[i]->p[SC_SESSION_NAME].v.p;
		else {
			keys[i].sid = store_bind_num(b, q->rows[i],
			    SC_MESSAGE_SESSION);
			keys[i].seq = q->rows[i]->p[SC_MESSAGE_SEQ].v.num;
		}
	}
	qsort(keys, q->n, sizeof(*keys), store_ids_key_cmp);
	return keys;
}

/*
 * Read back the ids of the queued sessions (ref REF_SESSION) or messages
 * (REF_MESSAGE) from the first id their insert gave: every row must be
 * found.
 */
int
store_ids_read(struct store *store, struct store_batch *st,
    enum store_ref ref, unsigned long long first)
{
	enum store_stmt sel = ref == REF_SESSION ? ST_SESSION_IDS :
	    ST_MESSAGE_IDS;
	MYSQL_STMT *s = store->st[sel];
	size_t n = st->q[ref == REF_SESSION ? ST_SESSION : ST_MESSAGE].n;
	size_t namemax = store_bind_max(ST_SESSION_IDS, SC_IDS_NAME);
	struct store_key *keys = NULL, k, *hit;
	MYSQL_BIND in, out[3];
	unsigned long long id, a = 0, b = 0;
	unsigned long namelen = 0;
	char *name = NULL;
	size_t found = 0;
	int rc = -1;

	free(st->ids[ref]);
	st->ids[ref] = calloc(n ? n : 1, sizeof(*st->ids[ref]));
	keys = store_ids_keys(st, ref);
	name = malloc(namemax + 1);
	if (st->ids[ref] == NULL || keys == NULL || name == NULL)
		goto done;
	memset(&in, 0, sizeof(in));
	memset(out, 0, sizeof(out));
	in.buffer_type = MYSQL_TYPE_LONGLONG;
	in.buffer = &first;
	in.is_unsigned = 1;
	out[0].buffer_type = MYSQL_TYPE_LONGLONG;
	out[0].buffer = &id;
	out[0].is_unsigned = 1;
	if (ref == REF_SESSION) {
		out[1].buffer_type = MYSQL_TYPE_STRING;
		out[1].buffer = name;
		out[1].buffer_length = namemax;
		out[1].length = &namelen;
	} else {
		out[1].buffer_type = out[2].buffer_type = MYSQL_TYPE_LONGLONG;
		out[1].buffer = &a;
		out[2].buffer = &b;
		out[1].is_unsigned = out[2].is_unsigned = 1;
	}
	if (mysql_stmt_bind_param(s, &in) != 0 ||
	    mysql_stmt_execute(s) != 0 ||
	    mysql_stmt_bind_result(s, out) != 0)
		goto done;
	while ((rc = mysql_stmt_fetch(s)) == 0 || rc == MYSQL_DATA_TRUNCATED) {
		memset(&k, 0, sizeof(k));
		if (ref == REF_SESSION) {
			name[namelen < namemax ? namelen : namemax] = '\0';
			k.name = name;
		} else {
			k.sid = a;
			k.seq = b;
		}
		if ((hit = bsearch(&k, keys, n, sizeof(*keys),
		    store_ids_key_cmp)) != NULL && st->ids[ref][hit->place] == 0) {
			st->ids[ref][hit->place] = id;
			found++;
		}
	}
	mysql_stmt_free_result(s);
	rc = rc == MYSQL_NO_DATA && found == n ? 0 : -1;
done:
	free(name);
	free(keys);
	return rc;
}

struct store_pkey {
	const char		*kind;
	const unsigned char	*sha;
	size_t			 place;
};

static int
store_ids_pkey_cmp(const void *a, const void *b)
{
	const struct store_pkey *x = a, *y = b;
	int c = strcmp(x->kind, y->kind);

	return c != 0 ? c : memcmp(x->sha, y->sha, 32);
}

/* One query for the ids of the patterns keys[from, to) name, all of one
 * kind (the unique key's first column), matched to them by value_sha256;
 * a value may be queued more than once (the cache full). */
static int
store_ids_pattern_chunk(struct store *st, struct store_batch *b,
    const struct store_pkey *keys, size_t from, size_t to)
{
	static const char head[] = "SELECT id, value_sha256 FROM patterns "
	    "WHERE kind = '";
	static const char mid[] = "' AND value_sha256 IN (";
	size_t kl = strlen(keys[from].kind), i;
	const struct store_pkey *hit;
	struct store_pkey k;
	unsigned long *lens;
	unsigned long long id;
	MYSQL_RES *res;
	MYSQL_ROW row;
	char *sql, *p;

	if ((sql = malloc(sizeof(head) + 2 * kl + 1 + sizeof(mid) +
	    (to - from) * 68 + 2)) == NULL)
		return -1;
	memcpy(sql, head, sizeof(head) - 1);
	p = sql + sizeof(head) - 1;
	p += mysql_real_escape_string(st->db, p, keys[from].kind,
	    (unsigned long)kl);
	memcpy(p, mid, sizeof(mid) - 1);
	p += sizeof(mid) - 1;
	/* the values as hex digits only */
	for (i = from; i < to; i++) {
		if (i != from)
			*p++ = ',';
		*p++ = 'X';
		*p++ = '\'';
		util_hex(p, keys[i].sha, 32);
		p += 64;
		*p++ = '\'';
	}
	*p++ = ')';
	if (mysql_real_query(st->db, sql, (unsigned long)(p - sql)) != 0 ||
	    (res = mysql_store_result(st->db)) == NULL) {
		free(sql);
		return -1;
	}
	free(sql);
	k.kind = keys[from].kind;
	while ((row = mysql_fetch_row(res)) != NULL) {
		lens = mysql_fetch_lengths(res);
		if (row[0] == NULL || row[1] == NULL || lens[1] != 32)
			continue;
		k.sha = (const unsigned char *)row[1];
		if ((hit = bsearch(&k, keys + from, to - from, sizeof(*keys),
		    store_ids_pkey_cmp)) == NULL)
			continue;
		id = strtoull(row[0], NULL, 10);
		while (hit > keys + from && store_ids_pkey_cmp(hit - 1, &k) == 0)
			hit--;
		for (; hit < keys + to && store_ids_pkey_cmp(hit, &k) == 0;
		    hit++)
			b->ids[REF_PATTERN][hit->place] = id;
	}
	mysql_free_result(res);
	return 0;
}

/* The ids of the batch's patterns rows, new or not: every one must be
 * found. */
int
store_ids_read_patterns(struct store *st, struct store_batch *b)
{
	const struct store_queue *q = &b->q[ST_PATTERN];
	struct store_pkey *keys;
	size_t i, to;
	int rc = -1;

	free(b->ids[REF_PATTERN]);
	b->ids[REF_PATTERN] = calloc(q->n ? q->n : 1, sizeof(**b->ids));
	keys = calloc(q->n ? q->n : 1, sizeof(*keys));
	if (b->ids[REF_PATTERN] == NULL || keys == NULL)
		goto done;
	for (i = 0; i < q->n; i++) {
		keys[i].kind = q->rows[i]->p[SC_PATTERN_KIND].v.p ?
		    q->rows[i]->p[SC_PATTERN_KIND].v.p : "";
		keys[i].sha = (const unsigned char *)
		    q->rows[i]->p[SC_PATTERN_SHA].v.p;
		keys[i].place = i;
	}
	qsort(keys, q->n, sizeof(*keys), store_ids_pkey_cmp);
	for (i = 0; i < q->n; i = to) {
		for (to = i + 1; to < q->n && to - i < STORE_BULK_ROWS &&
		    strcmp(keys[to].kind, keys[i].kind) == 0; to++)
			;
		if (store_ids_pattern_chunk(st, b, keys, i, to) == -1)
			goto done;
	}
	for (i = 0; i < q->n && b->ids[REF_PATTERN][i] != 0; i++)
		;
	rc = i == q->n ? 0 : -1;
done:
	free(keys);
	return rc;
}

/* The pattern cache's slot for (kind, sha): its own, or the empty one
 * where it would go. */
struct store_pentry *
store_ids_slot(struct store *st, const char *kind, const unsigned char *sha)
{
	struct store_pentry *e;
	size_t i;

	memcpy(&i, sha, sizeof(i));
	for (i %= STORE_PCACHE_SIZE;; i = (i + 1) % STORE_PCACHE_SIZE) {
		e = &st->pcache[i];
		if (!e->used || (memcmp(e->sha, sha, 32) == 0 &&
		    strcmp(e->kind, kind) == 0))
			return e;
	}
}

/* Forget the ids a rolled-back transaction taught us (all, for brevity:
 * a rollback is rare). */
void
store_ids_forget(struct store *st)
{
	if (st->pcache != NULL)
		memset(st->pcache, 0, STORE_PCACHE_SIZE * sizeof(*st->pcache));
	st->pcount = 0;
	st->ndirty = 0;
}

/* Count a known value in the batch at the spool time when; -1 if that
 * cannot be remembered. */
int
store_ids_add(struct store *st, struct store_pentry *e,
    unsigned long long count, const char *when)
{
	size_t *d, cap;

	if (!e->dirty) {
		if (st->ndirty == st->capdirty) {
			cap = st->capdirty ? st->capdirty * 2 : 256;
			if ((d = reallocarray(st->dirty, cap,
			    sizeof(*d))) == NULL)
				return -1;
			st->dirty = d;
			st->capdirty = cap;
		}
		st->dirty[st->ndirty++] = (size_t)(e - st->pcache);
		e->dirty = 1;
		e->add = 0;
		snprintf(e->first, sizeof(e->first), "%s", when);
		snprintf(e->last, sizeof(e->last), "%s", when);
	}
	e->add += count;
	if (strcmp(when, e->first) < 0)
		snprintf(e->first, sizeof(e->first), "%s", when);
	if (strcmp(when, e->last) > 0)
		snprintf(e->last, sizeof(e->last), "%s", when);
	return 0;
}

/* The batch's counts of known values, one row each, into their queue. */
int
store_ids_queue(struct store *st)
{
	struct store_params sp;
	struct store_pentry *e;
	size_t i;

	for (i = 0; i < st->ndirty; i++) {
		e = &st->pcache[st->dirty[i]];
		store_bind_begin(&sp, ST_PATTERN_ADD);
		store_bind_u64(&sp, e->add);
		store_bind_time(&sp, e->first);
		store_bind_time(&sp, e->last);
		store_bind_pattern(&sp, e->pending ? e->id | STORE_PENDING :
		    e->id);
		e->dirty = 0;
		if (store_bind_queue(st->fill, &sp) == -1)
			return -1;
	}
	st->ndirty = 0;
	return 0;
}

/* A value new to the filling batch, its row the place-th of its
 * ST_PATTERN queue: the same value again in this batch is counted with
 * it. e: its cache slot, or NULL. */
void
store_ids_pending(struct store *st, struct store_pentry *e, const char *kind,
    const unsigned char *sha, size_t place)
{
	/* full: not remembered (emptied at a commit, not in a batch whose
	 * counts it holds) */
	if (e == NULL || (!e->used && st->pcount >= STORE_PCACHE_SIZE / 4 * 3))
		return;
	if (!e->used)
		st->pcount++;
	e->used = 1;
	e->pending = 1;
	e->gen = st->gen;
	e->id = place;
	memcpy(e->sha, sha, 32);
	snprintf(e->kind, sizeof(e->kind), "%s", kind);
}

/* The ids of the values new to a committed batch: known from now on,
 * unless a later batch has taken the slot over. */
void
store_ids_learn(struct store *st, const struct store_batch *b)
{
	const struct store_queue *q = &b->q[ST_PATTERN];
	struct store_pentry *e;
	size_t i;

	for (i = 0; st->pcache != NULL && b->ids[REF_PATTERN] != NULL &&
	    i < q->n; i++) {
		e = store_ids_slot(st, q->rows[i]->p[SC_PATTERN_KIND].v.p,
		    (const unsigned char *)q->rows[i]->p[SC_PATTERN_SHA].v.p);
		if (e->used && e->pending && e->gen == b->gen && e->id == i) {
			e->pending = 0;
			e->id = b->ids[REF_PATTERN][i];
		}
	}
}
