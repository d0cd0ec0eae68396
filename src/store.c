/*
 * store: the analyzer's writer to MySQL/MariaDB (MariaDB Connector/C), over
 * the local unix socket by default, or TCP with TLS required when
 * mysql_host is set. One transaction per batch of spool files, prepared
 * statements only. spool_name is unique: a file imported before is
 * recognised and nothing is written twice. Every text goes through
 * utf8_sanitize and is cut to its column's size at a character boundary,
 * so the database never refuses a row for its bytes.
 *
 * Round trips, not rows, are what an import costs. Every row of a batch
 * waits in a queue per statement and goes at commit, each queue in one
 * execution of its statement with an array of parameter sets (MariaDB's
 * bulk protocol; row by row with other servers). A row that needs the id
 * of a session or message of the batch names it by its place in the
 * queue; the ids are read back once the sessions (then the messages) are
 * in: those of the rows from the first id the insert gave, matched by
 * spool name (then session and number), so another analyzer's rows in
 * between do no harm. The id of a counted value (patterns) is remembered,
 * so a value seen before costs no round trip either: only a new one is
 * inserted as it comes, for its id. The report's running totals of the
 * batch (store_rollup.c) go last, in the same transaction, so they count
 * exactly the rows that were committed.
 */
#include "autoconf.h"

#include <mysql.h>
#include <mysqld_error.h>
#include <errmsg.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "extract.h"
#include "geoip.h"
#include "log.h"
#include "mime.h"
#include "spool_read.h"
#include "store.h"
#include "store_rollup.h"
#include "utf8.h"

/* Column sizes in bytes (utf8mb4 VARCHAR(n) holds n characters: n bytes
 * is always safe). */
#define COL_SHORT	255
#define COL_LONG	1024
#define COL_TEXT	65535
#define COL_MEDIUM	(16 * 1024 * 1024 - 1)

enum store_stmt {
	ST_SESSION, ST_TRANSCRIPT, ST_AUTH, ST_MESSAGE, ST_RCPT,
	ST_URL, ST_ATT, ST_PATTERN, ST_PATTERN_ADD, ST_MSG_PATTERN,
	ST_SESS_PATTERN, ST_KIND_HOUR, ST_VALUE_HOUR, ST_VALUE_TOTAL,
	ST_PATTERN_HOUR, ST_SESSION_IDS, ST_MESSAGE_IDS, ST_COUNT
};

/* A running total: added to, or made. */
#define ROLLUP_ADD	" ON DUPLICATE KEY UPDATE n = n + VALUES(n), " \
	"first_seen = LEAST(first_seen, VALUES(first_seen)), " \
	"last_seen = GREATEST(last_seen, VALUES(last_seen))"

static const char *const store_sql[ST_COUNT] = {
	[ST_SESSION] = "INSERT INTO sessions (sensor, spool_name, "
	    "session_key, client_ip, client_port, server_ip, server_port, "
	    "started_at, ended_at, helo, helo_verb, end_reason, messages, "
	    "country, asn, as_org) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	[ST_TRANSCRIPT] = "INSERT INTO transcripts (session_id, transcript) "
	    "VALUES (?,?)",
	[ST_AUTH] = "INSERT INTO auth_attempts (session_id, mechanism, "
	    "status, username, password, authzid, tried_at) "
	    "VALUES (?,?,?,?,?,?,?)",
	[ST_MESSAGE] = "INSERT INTO messages (session_id, seq, mail_from, "
	    "mail_from_domain, size, stored_size, truncated, incomplete, "
	    "subject, sha256, queue_id, received_at) "
	    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
	[ST_RCPT] = "INSERT INTO recipients (message_id, address, domain, "
	    "received_at) VALUES (?,?,?,?)",
	[ST_URL] = "INSERT INTO urls (message_id, url, host, count, "
	    "received_at) VALUES (?,?,?,?,?)",
	[ST_ATT] = "INSERT INTO attachments (message_id, filename, "
	    "content_type, size, md5, sha1, sha256, received_at) "
	    "VALUES (?,?,?,?,?,?,?,?)",
	/* LAST_INSERT_ID(id): the id of the row, new or not */
	[ST_PATTERN] = "INSERT INTO patterns (kind, value, value_sha256, "
	    "total, first_seen, last_seen) VALUES (?,?,?,?,?,?) "
	    "ON DUPLICATE KEY UPDATE id = LAST_INSERT_ID(id), "
	    "total = total + VALUES(total), "
	    "first_seen = LEAST(first_seen, VALUES(first_seen)), "
	    "last_seen = GREATEST(last_seen, VALUES(last_seen))",
	/* a known value's counts of a batch, added up */
	[ST_PATTERN_ADD] = "UPDATE patterns SET total = total + ?, "
	    "first_seen = LEAST(first_seen, ?), "
	    "last_seen = GREATEST(last_seen, ?) WHERE id = ?",
	[ST_MSG_PATTERN] = "INSERT INTO message_patterns (message_id, "
	    "pattern_id, count) VALUES (?,?,?) "
	    "ON DUPLICATE KEY UPDATE count = count + VALUES(count)",
	[ST_SESS_PATTERN] = "INSERT INTO session_patterns (session_id, "
	    "pattern_id, count) VALUES (?,?,?) "
	    "ON DUPLICATE KEY UPDATE count = count + VALUES(count)",
	/* the report's running totals (store_rollup.c) */
	[ST_KIND_HOUR] = "INSERT INTO kind_hours (kind, hour, n, first_seen, "
	    "last_seen) VALUES (?,?,?,?,?)" ROLLUP_ADD,
	[ST_VALUE_HOUR] = "INSERT INTO value_hours (kind, hour, value_sha256, "
	    "value, value2, n, first_seen, last_seen) "
	    "VALUES (?,?,?,?,?,?,?,?)" ROLLUP_ADD,
	[ST_VALUE_TOTAL] = "INSERT INTO value_totals (kind, value_sha256, "
	    "value, value2, n, first_seen, last_seen) "
	    "VALUES (?,?,?,?,?,?,?)" ROLLUP_ADD,
	[ST_PATTERN_HOUR] = "INSERT INTO pattern_hours (kind, hour, "
	    "pattern_id, n, first_seen, last_seen) VALUES (?,?,?,?,?,?)"
	    ROLLUP_ADD,
	/* the ids of the rows a batch inserted, and maybe others' */
	[ST_SESSION_IDS] = "SELECT id, spool_name FROM sessions WHERE id >= ?",
	[ST_MESSAGE_IDS] = "SELECT id, session_id, seq FROM messages "
	    "WHERE id >= ?",
};

/* A parameter that is the id of the n-th queued session or message. */
enum store_ref { REF_NONE, REF_SESSION, REF_MESSAGE };

#define STORE_MAX_PARAMS	16
#define STORE_BULK_ROWS		1000		/* rows per execution */
#define STORE_BULK_BYTES	(4 << 20)	/* text per execution */
#define STORE_PCACHE_SIZE	16384		/* pattern ids remembered */

/* The parameters of one statement, and the memory they point to. */
struct store_params {
	MYSQL_BIND		 b[STORE_MAX_PARAMS];
	unsigned long		 len[STORE_MAX_PARAMS];
	unsigned long long	 num[STORE_MAX_PARAMS];
	char			*owned[STORE_MAX_PARAMS];
	unsigned char		 ref[STORE_MAX_PARAMS];	/* enum store_ref */
	unsigned		 n;
	int			 oom;
};

/* Rows of one statement waiting for the commit. */
struct store_queue {
	struct store_params	*rows;
	size_t			 n, cap;
};

/* A pattern's id by kind and value_sha256: open addressing, emptied after
 * a commit that leaves it three quarters full, or when a transaction rolls
 * back (its ids may not exist). add, first, last: what the open batch
 * counted of it (dirty), for one ST_PATTERN_ADD at commit. */
struct store_pentry {
	unsigned long long	 id;
	unsigned long long	 add;
	unsigned char		 sha[32];
	char			 kind[65];
	char			 first[32], last[32];
	unsigned char		 used, dirty;
};

struct store {
	const struct config	*cf;
	MYSQL			*db;
	MYSQL_STMT		*st[ST_COUNT];
	int			 bulk;		/* server takes arrays */
	struct store_queue	 q[ST_COUNT];
	unsigned long long	*ids[REF_MESSAGE + 1];	/* by queue place */
	struct store_pentry	*pcache;
	size_t			 pcount;
	size_t			*dirty;		/* pcache slots */
	size_t			 ndirty, capdirty;
	const struct geoip	*geoip;		/* NULL: no lookups */
	struct store_rollup	*rollup;	/* the batch's running totals */
};

/* A failed call: which errors mean "try again later". */
static int
store_transient(unsigned int code)
{
	switch (code) {
	case ER_CON_COUNT_ERROR:
	case ER_SERVER_SHUTDOWN:
	case ER_LOCK_WAIT_TIMEOUT:
	case ER_LOCK_DEADLOCK:
	case ER_OPTION_PREVENTS_STATEMENT:	/* read-only */
	case ER_CONNECTION_KILLED:
	case ER_NO_SUCH_TABLE:			/* schema not loaded yet */
	case ER_ACCESS_DENIED_ERROR:
	case ER_TABLEACCESS_DENIED_ERROR:
		return 1;
	default:
		return code >= CR_MIN_ERROR && code <= CR_MAX_ERROR;
	}
}

static void
sp_reset(struct store_params *sp)
{
	unsigned i;

	for (i = 0; i < sp->n; i++)
		free(sp->owned[i]);
	memset(sp, 0, sizeof(*sp));
}

static MYSQL_BIND *
sp_next(struct store_params *sp)
{
	if (sp->n == STORE_MAX_PARAMS)
		fatalx("store: too many parameters");
	return &sp->b[sp->n];
}

/* Text of any bytes: made valid UTF-8, cut to max bytes. */
static void
sp_text(struct store_params *sp, const char *p, size_t n, size_t max)
{
	MYSQL_BIND *b = sp_next(sp);
	char *t;

	if ((t = utf8_sanitize(p ? p : "", p ? n : 0)) == NULL) {
		sp->oom = 1;
		t = NULL;
	}
	sp->owned[sp->n] = t;
	sp->len[sp->n] = t ? (unsigned long)utf8_prefix(t, max) : 0;
	b->buffer_type = MYSQL_TYPE_STRING;
	b->buffer = t;
	b->buffer_length = sp->len[sp->n];
	b->length = &sp->len[sp->n];
	sp->n++;
}

static void
sp_str(struct store_params *sp, const char *s, size_t max)
{
	sp_text(sp, s, s ? strlen(s) : 0, max);
}

static void
sp_null(struct store_params *sp)
{
	MYSQL_BIND *b = sp_next(sp);

	b->buffer_type = MYSQL_TYPE_NULL;
	sp->n++;
}

static void
sp_u64(struct store_params *sp, unsigned long long v)
{
	MYSQL_BIND *b = sp_next(sp);

	sp->num[sp->n] = v;
	b->buffer_type = MYSQL_TYPE_LONGLONG;
	b->buffer = &sp->num[sp->n];
	b->is_unsigned = 1;
	sp->n++;
}

/* Bytes, copied: the row may wait in a queue. */
/* The id of the n-th session or message of the batch, known at commit. */
static void
sp_ref(struct store_params *sp, enum store_ref ref, size_t n)
{
	sp->ref[sp->n] = (unsigned char)ref;
	sp_u64(sp, n);
}

static void
sp_blob(struct store_params *sp, const void *p, size_t n)
{
	MYSQL_BIND *b = sp_next(sp);
	char *copy;

	if ((copy = malloc(n ? n : 1)) == NULL)
		sp->oom = 1;
	else
		memcpy(copy, p, n);
	sp->owned[sp->n] = copy;
	sp->len[sp->n] = copy ? (unsigned long)n : 0;
	b->buffer_type = MYSQL_TYPE_BLOB;
	b->buffer = copy;
	b->buffer_length = (unsigned long)n;
	b->length = &sp->len[sp->n];
	sp->n++;
}

/* "2026-11-26T16:11:16.123456Z" as MySQL reads it. */
static void
sp_time(struct store_params *sp, const char *iso)
{
	char t[32];

	snprintf(t, sizeof(t), "%.10s %.15s", iso, iso + 11);
	sp_str(sp, t, sizeof(t));
}

/* Execute with sp's parameters (then cleared); the new row's id. */
static int
store_exec(struct store *st, enum store_stmt which, struct store_params *sp,
    unsigned long long *id)
{
	MYSQL_STMT *s = st->st[which];
	int rc = -1;

	if (sp->oom)
		log_warnx("store: out of memory");
	else if (mysql_stmt_bind_param(s, sp->b) == 0 &&
	    mysql_stmt_execute(s) == 0) {
		if (id != NULL)
			*id = mysql_stmt_insert_id(s);
		rc = 0;
	}
	sp_reset(sp);
	return rc;
}

/* Queue sp's row (sp is cleared; the queue owns its memory now). */
static int
store_queue(struct store *st, enum store_stmt which, struct store_params *sp)
{
	struct store_queue *q = &st->q[which];
	struct store_params *rows = NULL;
	size_t cap = 0;

	if (sp->oom || (q->n == q->cap &&
	    (rows = reallocarray(q->rows, cap = q->cap ? q->cap * 2 : 64,
	    sizeof(*rows))) == NULL)) {
		log_warnx("store: out of memory");
		sp_reset(sp);
		return -1;
	}
	if (q->n == q->cap) {
		q->rows = rows;
		q->cap = cap;
	}
	q->rows[q->n++] = *sp;
	memset(sp, 0, sizeof(*sp));
	return 0;
}

/* Drop the queued rows from the n-th of statement which on. */
static void
store_queue_cut(struct store *st, enum store_stmt which, size_t n)
{
	struct store_queue *q = &st->q[which];

	while (q->n > n)
		sp_reset(&q->rows[--q->n]);
	if (n == 0) {
		free(q->rows);
		q->rows = NULL;
		q->cap = 0;
	}
}

/* One row's parameters point into its own store_params again (the queue
 * may have moved it). */
static void
store_rebind(struct store_params *sp)
{
	unsigned i;

	for (i = 0; i < sp->n; i++)
		if (sp->b[i].buffer_type == MYSQL_TYPE_LONGLONG)
			sp->b[i].buffer = &sp->num[i];
		else if (sp->b[i].buffer_type != MYSQL_TYPE_NULL)
			sp->b[i].length = &sp->len[i];
}

/* Rows [from, to) of a queue in one execution: each column an array. */
static int
store_bulk(struct store *st, enum store_stmt which, size_t from, size_t to)
{
	struct store_params *rows = st->q[which].rows;
	MYSQL_STMT *s = st->st[which];
	MYSQL_BIND b[STORE_MAX_PARAMS];
	unsigned int n = (unsigned int)(to - from), c, ncols = rows[from].n;
	unsigned long long *num = NULL;
	unsigned long *len = NULL;
	char **ptr = NULL, *ind = NULL;
	size_t r;
	int rc = -1;

	memset(b, 0, sizeof(b));
	num = calloc((size_t)n * ncols, sizeof(*num));
	len = calloc((size_t)n * ncols, sizeof(*len));
	ptr = calloc((size_t)n * ncols, sizeof(*ptr));
	ind = calloc((size_t)n * ncols, 1);
	if (num == NULL || len == NULL || ptr == NULL || ind == NULL)
		goto done;
	for (c = 0; c < ncols; c++) {
		b[c].buffer_type = MYSQL_TYPE_NULL;
		for (r = from; r < to; r++) {
			const MYSQL_BIND *rb = &rows[r].b[c];
			size_t k = (size_t)c * n + (r - from);

			if (rb->buffer_type == MYSQL_TYPE_NULL) {
				ind[k] = STMT_INDICATOR_NULL;
				continue;
			}
			b[c].buffer_type = rb->buffer_type;
			num[k] = rows[r].num[c];
			len[k] = rows[r].len[c];
			ptr[k] = rb->buffer;
		}
		if (b[c].buffer_type == MYSQL_TYPE_LONGLONG) {
			b[c].buffer = &num[(size_t)c * n];
			b[c].is_unsigned = 1;
		} else {
			b[c].buffer = &ptr[(size_t)c * n];
			b[c].length = &len[(size_t)c * n];
		}
		b[c].u.indicator = &ind[(size_t)c * n];
	}
	if (mysql_stmt_attr_set(s, STMT_ATTR_ARRAY_SIZE, &n) == 0 &&
	    mysql_stmt_bind_param(s, b) == 0 && mysql_stmt_execute(s) == 0)
		rc = 0;
	n = 0;
	mysql_stmt_attr_set(s, STMT_ATTR_ARRAY_SIZE, &n);
done:
	free(num);
	free(len);
	free(ptr);
	free(ind);
	return rc;
}

/*
 * Send a queue: in arrays of bounded size, or row by row. *first: the
 * first id the inserts gave (the arrays run one after the other, each
 * giving its first row's id).
 */
static int
store_queue_send(struct store *st, enum store_stmt which,
    unsigned long long *first)
{
	struct store_queue *q = &st->q[which];
	size_t from = 0, to, bytes;
	unsigned c;

	*first = 0;
	while (from < q->n) {
		if (!st->bulk) {
			store_rebind(&q->rows[from]);
			if (mysql_stmt_bind_param(st->st[which],
			    q->rows[from].b) != 0 ||
			    mysql_stmt_execute(st->st[which]) != 0)
				return -1;
			to = from + 1;
		} else {
			for (to = from, bytes = 0; to < q->n && to - from <
			    STORE_BULK_ROWS && (to == from ||
			    bytes < STORE_BULK_BYTES); to++)
				for (c = 0; c < q->rows[to].n; c++)
					bytes += q->rows[to].len[c];
			if (store_bulk(st, which, from, to) == -1)
				return -1;
		}
		if (from == 0)
			*first = mysql_stmt_insert_id(st->st[which]);
		from = to;
	}
	return 0;
}

/* The queued rows' references to the batch's sessions or messages
 * become their ids. */
static void
store_resolve(struct store *st, enum store_ref ref)
{
	struct store_params *sp;
	size_t i;
	int w;
	unsigned c;

	for (w = 0; w < ST_COUNT; w++)
		for (i = 0; i < st->q[w].n; i++) {
			sp = &st->q[w].rows[i];
			for (c = 0; c < sp->n; c++)
				if (sp->ref[c] == ref) {
					sp->num[c] = st->ids[ref][sp->num[c]];
					sp->ref[c] = REF_NONE;
				}
		}
}

/* Where the queued row with this key is: the key of a session is its
 * spool name, that of a message its session's id and number. */
struct store_key {
	const char		*name;
	unsigned long long	 sid, seq;
	size_t			 place;
};

static int
store_key_cmp(const void *a, const void *b)
{
	const struct store_key *x = a, *y = b;

	if (x->name != NULL)
		return strcmp(x->name, y->name);
	if (x->sid != y->sid)
		return x->sid < y->sid ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/*
 * Read back the ids of the queued sessions (ref REF_SESSION) or messages
 * (REF_MESSAGE) from the first id their insert gave: every row must be
 * found.
 */
static int
store_read_ids(struct store *st, enum store_ref ref, unsigned long long first)
{
	enum store_stmt ins = ref == REF_SESSION ? ST_SESSION : ST_MESSAGE;
	MYSQL_STMT *s = st->st[ref == REF_SESSION ? ST_SESSION_IDS :
	    ST_MESSAGE_IDS];
	struct store_queue *q = &st->q[ins];
	struct store_key *keys = NULL, k, *hit;
	MYSQL_BIND in, out[3];
	unsigned long long id, a = 0, b = 0;
	unsigned long namelen = 0;
	char name[COL_SHORT + 1];
	size_t i, found = 0;
	int rc = -1;

	free(st->ids[ref]);
	st->ids[ref] = calloc(q->n ? q->n : 1, sizeof(*st->ids[ref]));
	keys = calloc(q->n ? q->n : 1, sizeof(*keys));
	if (st->ids[ref] == NULL || keys == NULL)
		goto done;
	for (i = 0; i < q->n; i++) {
		keys[i].place = i;
		if (ref == REF_SESSION)
			keys[i].name = q->rows[i].owned[1];
		else {
			keys[i].sid = q->rows[i].num[0];
			keys[i].seq = q->rows[i].num[1];
		}
	}
	qsort(keys, q->n, sizeof(*keys), store_key_cmp);
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
		out[1].buffer_length = sizeof(name) - 1;
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
			name[namelen < sizeof(name) ? namelen :
			    sizeof(name) - 1] = '\0';
			k.name = name;
		} else {
			k.sid = a;
			k.seq = b;
		}
		if ((hit = bsearch(&k, keys, q->n, sizeof(*keys),
		    store_key_cmp)) != NULL && st->ids[ref][hit->place] == 0) {
			st->ids[ref][hit->place] = id;
			found++;
		}
	}
	mysql_stmt_free_result(s);
	rc = rc == MYSQL_NO_DATA && found == q->n ? 0 : -1;
done:
	free(keys);
	return rc;
}

/* The pattern cache's slot for (kind, sha): its own, or the empty one
 * where it would go. */
static struct store_pentry *
store_pslot(struct store *st, const char *kind, const unsigned char *sha)
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
static void
store_pforget(struct store *st)
{
	if (st->pcache != NULL)
		memset(st->pcache, 0, STORE_PCACHE_SIZE * sizeof(*st->pcache));
	st->pcount = 0;
	st->ndirty = 0;
}

/* Count a known value in the batch; -1 if that cannot be remembered. */
static int
store_padd(struct store *st, struct store_pentry *e, unsigned count,
    const char *t)
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
		snprintf(e->first, sizeof(e->first), "%s", t);
		snprintf(e->last, sizeof(e->last), "%s", t);
	}
	e->add += count;
	if (strcmp(t, e->first) < 0)
		snprintf(e->first, sizeof(e->first), "%s", t);
	if (strcmp(t, e->last) > 0)
		snprintf(e->last, sizeof(e->last), "%s", t);
	return 0;
}

/* The batch's counts of known values, one row each, into their queue. */
static int
store_padd_queue(struct store *st)
{
	struct store_params sp;
	struct store_pentry *e;
	size_t i;

	memset(&sp, 0, sizeof(sp));
	for (i = 0; i < st->ndirty; i++) {
		e = &st->pcache[st->dirty[i]];
		sp_u64(&sp, e->add);
		sp_str(&sp, e->first, sizeof(e->first));
		sp_str(&sp, e->last, sizeof(e->last));
		sp_u64(&sp, e->id);
		e->dirty = 0;
		if (store_queue(st, ST_PATTERN_ADD, &sp) == -1)
			return -1;
	}
	st->ndirty = 0;
	return 0;
}

/* A value's row of value_hours (hour: 1) or of value_totals (0). */
static int
store_rollup_value_row(struct store *st, const struct store_rollup_entry *e,
    int hour)
{
	struct store_params sp;

	memset(&sp, 0, sizeof(sp));
	sp_str(&sp, e->kind, sizeof(e->kind));
	if (hour)
		sp_str(&sp, e->hour, sizeof(e->hour));
	sp_blob(&sp, e->sha, sizeof(e->sha));
	sp_text(&sp, e->value, e->len, COL_LONG);
	sp_text(&sp, e->value2, e->len2, COL_LONG);
	sp_u64(&sp, e->n);
	sp_time(&sp, e->first);
	sp_time(&sp, e->last);
	return store_queue(st, hour ? ST_VALUE_HOUR : ST_VALUE_TOTAL, &sp);
}

/* The batch's running totals into their queues: a row of kind_hours or
 * pattern_hours per entry, one of value_hours and value_totals per
 * value. */
static int
store_rollup_queue(struct store *st)
{
	const struct store_rollup_entry *e;
	struct store_params sp;
	size_t i;

	memset(&sp, 0, sizeof(sp));
	for (i = 0; i < store_rollup_count(st->rollup); i++) {
		e = store_rollup_get(st->rollup, i);
		if (e->table == SRU_VALUE) {
			if (store_rollup_value_row(st, e, 1) == -1 ||
			    store_rollup_value_row(st, e, 0) == -1)
				return -1;
			continue;
		}
		sp_str(&sp, e->kind, sizeof(e->kind));
		sp_str(&sp, e->hour, sizeof(e->hour));
		if (e->table == SRU_PATTERN)
			sp_u64(&sp, e->pattern_id);
		sp_u64(&sp, e->n);
		sp_time(&sp, e->first);
		sp_time(&sp, e->last);
		if (store_queue(st, e->table == SRU_PATTERN ? ST_PATTERN_HOUR :
		    ST_KIND_HOUR, &sp) == -1)
			return -1;
	}
	return 0;
}

static void
store_premember(struct store *st, const char *kind, const unsigned char *sha,
    unsigned long long id)
{
	struct store_pentry *e;

	/* full: not remembered (emptied after the commit, not in a batch
	 * whose counts it holds) */
	if (st->pcache == NULL || st->pcount >= STORE_PCACHE_SIZE / 4 * 3)
		return;
	e = store_pslot(st, kind, sha);
	if (!e->used)
		st->pcount++;
	e->used = 1;
	e->id = id;
	memcpy(e->sha, sha, 32);
	snprintf(e->kind, sizeof(e->kind), "%s", kind);
}

/* The queues emptied, the batch's ids forgotten. */
static void
store_queues_clear(struct store *st)
{
	int i;

	for (i = 0; i < ST_COUNT; i++)
		store_queue_cut(st, i, 0);
	for (i = 0; i <= REF_MESSAGE; i++) {
		free(st->ids[i]);
		st->ids[i] = NULL;
	}
	store_rollup_clear(st->rollup);
}

/* Rolled back: queued rows and new pattern ids go with it. */
static void
store_rolled_back(struct store *st)
{
	store_queues_clear(st);
	store_pforget(st);
}

static void
store_sha256(const void *p, size_t n, unsigned char out[32])
{
	unsigned int len = 32;

	EVP_Digest(p, n, out, &len, EVP_sha256(), NULL);
}

static void
store_hex(const unsigned char *p, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hex[p[i] >> 4];
		out[2 * i + 1] = hex[p[i] & 15];
	}
	out[2 * n] = '\0';
}

/* The domain of an address: after the last '@', lower case. */
static void
store_domain(const char *addr, size_t len, char *dst, size_t dstlen)
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

static int
store_prepare(struct store *st, char *err, size_t errlen)
{
	int i;

	for (i = 0; i < ST_COUNT; i++) {
		if ((st->st[i] = mysql_stmt_init(st->db)) == NULL ||
		    mysql_stmt_prepare(st->st[i], store_sql[i],
		    strlen(store_sql[i])) != 0) {
			snprintf(err, errlen, "preparing statement %d: %s", i,
			    st->st[i] ? mysql_stmt_error(st->st[i]) :
			    "out of memory");
			return -1;
		}
	}
	return 0;
}

static void
store_tls(struct store *st)
{
	my_bool on = 1;

	/* A remote server is reached over TLS, with its certificate
	 * checked, or not at all. */
	mysql_optionsv(st->db, MYSQL_OPT_SSL_ENFORCE, &on);
	mysql_optionsv(st->db, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &on);
	if (st->cf->mysql_tls_ca[0] != '\0')
		mysql_optionsv(st->db, MYSQL_OPT_SSL_CA, st->cf->mysql_tls_ca);
}

/* Does the server take arrays of parameters (MariaDB 10.2 and later)? */
static int
store_bulk_supported(MYSQL *db)
{
	unsigned long caps = 0, ext = 0;

	if (mariadb_get_infov(db, MARIADB_CONNECTION_SERVER_CAPABILITIES,
	    &caps) != 0 || mariadb_get_infov(db,
	    MARIADB_CONNECTION_EXTENDED_SERVER_CAPABILITIES, &ext) != 0)
		return 0;
	return !(caps & CLIENT_MYSQL) &&
	    (ext & (MARIADB_CLIENT_STMT_BULK_OPERATIONS >> 32)) != 0;
}

struct store *
store_open(const struct config *cf, const char *password, char *err,
    size_t errlen)
{
	struct store *st;
	unsigned int timeout = 10;
	const char *host = cf->mysql_host[0] ? cf->mysql_host : NULL;

	if ((st = calloc(1, sizeof(*st))) == NULL ||
	    (st->rollup = store_rollup_new()) == NULL ||
	    (st->db = mysql_init(NULL)) == NULL) {
		snprintf(err, errlen, "out of memory");
		if (st != NULL)
			store_rollup_free(st->rollup);
		free(st);
		return NULL;
	}
	st->cf = cf;
	mysql_optionsv(st->db, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
	mysql_optionsv(st->db, MYSQL_OPT_READ_TIMEOUT, &timeout);
	mysql_optionsv(st->db, MYSQL_OPT_WRITE_TIMEOUT, &timeout);
	mysql_optionsv(st->db, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	if (host != NULL)
		store_tls(st);
	if (mysql_real_connect(st->db, host, cf->mysql_user, password,
	    cf->mysql_database, (unsigned)cf->mysql_port,
	    host ? NULL : cf->mysql_socket, 0) == NULL) {
		snprintf(err, errlen, "%s", mysql_error(st->db));
		store_close(st);
		return NULL;
	}
	/* Times in the spool are UTC; so is every DATETIME we write or
	 * default. */
	if (mysql_query(st->db, "SET time_zone = '+00:00'") != 0 ||
	    mysql_autocommit(st->db, 0) != 0 ||
	    store_prepare(st, err, errlen) == -1) {
		if (err[0] == '\0')
			snprintf(err, errlen, "%s", mysql_error(st->db));
		store_close(st);
		return NULL;
	}
	st->bulk = store_bulk_supported(st->db);
	/* without the cache, every value costs a round trip: no worse */
	st->pcache = calloc(STORE_PCACHE_SIZE, sizeof(*st->pcache));
	return st;
}

void
store_close(struct store *st)
{
	int i;

	if (st == NULL)
		return;
	for (i = 0; i < ST_COUNT; i++)
		if (st->st[i] != NULL)
			mysql_stmt_close(st->st[i]);
	store_queues_clear(st);
	store_rollup_free(st->rollup);
	mysql_close(st->db);
	free(st->pcache);
	free(st->dirty);
	free(st);
}

void
store_set_geoip(struct store *st, const struct geoip *geoip)
{
	st->geoip = geoip;
}

int
store_ping(struct store *st)
{
	return mysql_ping(st->db) == 0 ? 0 : -1;
}

/* The schema version the database records (schema_version), or -1. */
long
store_schema_version(struct store *st, char *err, size_t errlen)
{
	MYSQL_RES *res;
	MYSQL_ROW row;
	long v = -1;

	if (mysql_query(st->db, "SELECT MAX(version) FROM schema_version") !=
	    0 || (res = mysql_store_result(st->db)) == NULL) {
		snprintf(err, errlen, "%s", mysql_error(st->db));
		return -1;
	}
	if ((row = mysql_fetch_row(res)) != NULL && row[0] != NULL)
		v = strtol(row[0], NULL, 10);
	else
		snprintf(err, errlen, "no schema version recorded");
	mysql_free_result(res);
	mysql_rollback(st->db);
	return v;
}

/*
 * One counted value: its patterns row, then the link to its owner. len:
 * a user name may hold NUL bytes, which become U+FFFD as in its own row.
 */
static int
store_count(struct store *st, enum store_stmt link, size_t owner,
    const char *kind, const char *value, size_t len, unsigned count,
    const char *when)
{
	struct store_params sp;
	unsigned char sha[32];
	unsigned long long pid;
	char *clean;
	size_t n;

	struct store_pentry *e = NULL;
	int rc;

	if ((clean = utf8_sanitize(value, len)) == NULL)
		return -1;
	n = utf8_prefix(clean, COL_TEXT);
	store_sha256(clean, n, sha);
	memset(&sp, 0, sizeof(sp));
	sp_str(&sp, kind, 64);
	sp_text(&sp, clean, n, COL_TEXT);
	sp_blob(&sp, sha, sizeof(sha));
	sp_u64(&sp, count);
	sp_time(&sp, when);
	sp_time(&sp, when);
	free(clean);
	if (st->pcache != NULL)
		e = store_pslot(st, kind, sha);
	if (e != NULL && e->used) {
		/* known: its count goes with the commit, added up */
		pid = e->id;
		rc = store_padd(st, e, count, sp.owned[4]) == 0 ? 0 :
		    store_queue(st, ST_PATTERN, &sp);
		sp_reset(&sp);
	} else if ((rc = store_exec(st, ST_PATTERN, &sp, &pid)) == 0)
		store_premember(st, kind, sha, pid);
	if (rc == -1 || store_rollup_pattern(st->rollup, kind, pid, count,
	    when) == -1)
		return -1;
	sp_ref(&sp, link == ST_MSG_PATTERN ? REF_MESSAGE : REF_SESSION,
	    owner);
	sp_u64(&sp, pid);
	sp_u64(&sp, count);
	return store_queue(st, link, &sp);
}

static int
store_session(struct store *st, const char *name,
    const struct spool_session *s, size_t *sid)
{
	struct store_params sp;
	struct geoip_info gi;
	size_t i;

	geoip_lookup(st->geoip, s->client_ip, &gi);
	memset(&sp, 0, sizeof(sp));
	sp_text(&sp, s->sensor.p, s->sensor.len, COL_SHORT);
	sp_str(&sp, name, COL_SHORT);
	sp_str(&sp, s->session_id, 16);
	sp_str(&sp, s->client_ip, 45);
	sp_u64(&sp, s->client_port);
	sp_str(&sp, s->server_ip, 45);
	sp_u64(&sp, s->server_port);
	sp_time(&sp, s->start);
	sp_time(&sp, s->end);
	if (s->helo.p != NULL) {
		sp_text(&sp, s->helo.p, s->helo.len, COL_SHORT);
		sp_str(&sp, s->helo_verb, 4);
	} else {
		sp_null(&sp);
		sp_null(&sp);
	}
	sp_str(&sp, s->end_reason, 16);
	sp_u64(&sp, s->nmsgs);
	if (gi.country[0] != '\0')
		sp_str(&sp, gi.country, 2);
	else
		sp_null(&sp);
	if (gi.asn != 0)
		sp_u64(&sp, gi.asn);
	else
		sp_null(&sp);
	if (gi.as_org[0] != '\0')
		sp_str(&sp, gi.as_org, COL_SHORT);
	else
		sp_null(&sp);
	*sid = st->q[ST_SESSION].n;
	if (store_queue(st, ST_SESSION, &sp) == -1 ||
	    store_rollup_value(st->rollup, "client-ip", s->client_ip,
	    strlen(s->client_ip), NULL, 0, 45, s->start) == -1 ||
	    (s->helo.p != NULL && store_rollup_value(st->rollup, "helo",
	    s->helo.p, s->helo.len, NULL, 0, COL_SHORT, s->start) == -1))
		return -1;
	sp_ref(&sp, REF_SESSION, *sid);
	sp_text(&sp, s->transcript, s->transcript_len, COL_MEDIUM);
	if (store_queue(st, ST_TRANSCRIPT, &sp) == -1)
		return -1;
	for (i = 0; i < s->nauths; i++) {
		const struct spool_auth *a = &s->auths[i];

		sp_ref(&sp, REF_SESSION, *sid);
		sp_text(&sp, a->mech.p, a->mech.len, 32);
		sp_str(&sp, a->status, 16);
		sp_text(&sp, a->user.p, a->user.len, COL_LONG);
		sp_text(&sp, a->pass.p, a->pass.len, COL_LONG);
		sp_text(&sp, a->authzid.p, a->authzid.len, COL_LONG);
		sp_time(&sp, s->start);
		if (store_queue(st, ST_AUTH, &sp) == -1 ||
		    store_rollup_value(st->rollup, "password", a->pass.p,
		    a->pass.len, NULL, 0, COL_LONG, s->start) == -1 ||
		    store_rollup_value(st->rollup, "credential", a->user.p,
		    a->user.len, a->pass.p, a->pass.len, COL_LONG,
		    s->start) == -1)
			return -1;
		if (a->user.len > 0 && store_count(st, ST_SESS_PATTERN, *sid,
		    "username", a->user.p, a->user.len, 1, s->start) == -1)
			return -1;
	}
	return 0;
}

static int
store_message_rows(struct store *st, size_t mid,
    const struct spool_message *m, const struct store_message *sm,
    const char *when)
{
	struct store_params sp;
	char domain[COL_SHORT + 1];
	size_t i;

	memset(&sp, 0, sizeof(sp));
	for (i = 0; i < m->nrcpts; i++) {
		store_domain(m->rcpts[i].p, m->rcpts[i].len, domain,
		    sizeof(domain));
		sp_ref(&sp, REF_MESSAGE, mid);
		sp_text(&sp, m->rcpts[i].p, m->rcpts[i].len, COL_LONG);
		sp_str(&sp, domain, COL_SHORT);
		sp_time(&sp, when);
		if (store_queue(st, ST_RCPT, &sp) == -1 ||
		    store_rollup_value(st->rollup, "rcpt-domain", domain,
		    strlen(domain), NULL, 0, COL_SHORT, when) == -1)
			return -1;
	}
	for (i = 0; sm->found && i < sm->found->nurls; i++) {
		sp_ref(&sp, REF_MESSAGE, mid);
		sp_str(&sp, sm->found->urls[i].url, COL_TEXT);
		sp_str(&sp, sm->found->urls[i].host, COL_SHORT);
		sp_u64(&sp, sm->found->urls[i].count);
		sp_time(&sp, when);
		if (store_queue(st, ST_URL, &sp) == -1 ||
		    store_rollup_value(st->rollup, "url-host",
		    sm->found->urls[i].host, strlen(sm->found->urls[i].host),
		    NULL, 0, COL_SHORT, when) == -1)
			return -1;
	}
	for (i = 0; sm->mime && i < sm->mime->natts; i++) {
		const struct mime_attachment *a = &sm->mime->atts[i];

		sp_ref(&sp, REF_MESSAGE, mid);
		if (a->filename != NULL)
			sp_str(&sp, a->filename, COL_LONG);
		else
			sp_null(&sp);
		sp_str(&sp, a->content_type, COL_SHORT);
		sp_u64(&sp, a->size);
		sp_str(&sp, a->md5, 32);
		sp_str(&sp, a->sha1, 40);
		sp_str(&sp, a->sha256, 64);
		sp_time(&sp, when);
		if (store_queue(st, ST_ATT, &sp) == -1 ||
		    store_rollup_value(st->rollup, "attachment", a->sha256,
		    strlen(a->sha256), NULL, 0, 64, when) == -1)
			return -1;
	}
	for (i = 0; sm->found && i < sm->found->ncounts; i++)
		if (store_count(st, ST_MSG_PATTERN, mid,
		    sm->found->counts[i].kind, sm->found->counts[i].value,
		    strlen(sm->found->counts[i].value),
		    sm->found->counts[i].count, when) == -1)
			return -1;
	return 0;
}

static int
store_message(struct store *st, size_t sid,
    const struct spool_message *m, const struct store_message *sm,
    const char *when)
{
	struct store_params sp;
	unsigned char sha[32];
	char hex[65], domain[COL_SHORT + 1];
	size_t mid;

	store_sha256(m->body ? (const void *)m->body : "", m->body_len, sha);
	store_hex(sha, sizeof(sha), hex);
	store_domain(m->from.p, m->from.len, domain, sizeof(domain));
	memset(&sp, 0, sizeof(sp));
	sp_ref(&sp, REF_SESSION, sid);
	sp_u64(&sp, m->n);
	sp_text(&sp, m->from.p, m->from.len, COL_LONG);
	sp_str(&sp, domain, COL_SHORT);
	sp_u64(&sp, m->size);
	sp_u64(&sp, m->body_len);
	sp_u64(&sp, (unsigned long long)m->truncated);
	sp_u64(&sp, (unsigned long long)m->incomplete);
	if (sm->mime && sm->mime->subject)
		sp_str(&sp, sm->mime->subject, COL_TEXT);
	else
		sp_null(&sp);
	sp_str(&sp, hex, 64);
	sp_str(&sp, m->queue_id, 16);
	sp_time(&sp, when);
	mid = st->q[ST_MESSAGE].n;
	if (store_queue(st, ST_MESSAGE, &sp) == -1 ||
	    store_rollup_value(st->rollup, "sender", m->from.p, m->from.len,
	    NULL, 0, COL_LONG, when) == -1)
		return -1;
	return store_message_rows(st, mid, m, sm, when);
}

static enum store_result
store_failed(struct store *st, const char *what, char *err, size_t errlen)
{
	unsigned int code = mysql_errno(st->db);
	const char *msg = mysql_error(st->db);
	int i;

	for (i = 0; i < ST_COUNT && code == 0; i++) {
		code = mysql_stmt_errno(st->st[i]);
		msg = mysql_stmt_error(st->st[i]);
	}
	snprintf(err, errlen, "%s: %s (%u)", what, msg, code);
	/* the batch goes with it: its other files wait in new/ */
	mysql_rollback(st->db);
	store_rolled_back(st);
	return store_transient(code) ? STORE_RETRY : STORE_REJECTED;
}

/*
 * Import one parsed spool file into the open transaction, which may hold
 * other files already: nothing is committed here (store_commit). A file
 * the database refuses (STORE_REJECTED) or an unavailable database
 * (STORE_RETRY) rolls the whole transaction back.
 */
enum store_result
store_import(struct store *st, const char *name,
    const struct spool_session *s, const struct store_message *msgs,
    char *err, size_t errlen)
{
	size_t i, sid;

	err[0] = '\0';
	if (store_session(st, name, s, &sid) == -1)
		return store_failed(st, "session", err, errlen);
	for (i = 0; i < s->nmsgs; i++)
		if (store_message(st, sid, &s->msgs[i], &msgs[i],
		    s->start) == -1)
			return store_failed(st, "message", err, errlen);
	return STORE_OK;
}

/*
 * Commit the files imported since the last commit: their queued rows
 * first, sessions and messages before what refers to them. Nothing can be
 * laid at one file's door in a batch of several: STORE_DUPLICATE (one was
 * imported before) and STORE_REJECTED (the database refused a row) mean
 * "try them one at a time", where they say which file it is.
 */
enum store_result
store_commit(struct store *st, char *err, size_t errlen)
{
	static const enum store_stmt order[] = {
		ST_SESSION, ST_MESSAGE, ST_TRANSCRIPT, ST_AUTH, ST_RCPT,
		ST_URL, ST_ATT, ST_PATTERN, ST_PATTERN_ADD, ST_MSG_PATTERN,
		ST_SESS_PATTERN, ST_KIND_HOUR, ST_VALUE_HOUR, ST_VALUE_TOTAL,
		ST_PATTERN_HOUR,
	};
	enum store_stmt w = ST_SESSION;
	unsigned long long first;
	unsigned int code;
	size_t i;

	err[0] = '\0';
	if (store_padd_queue(st) == -1) {
		w = ST_PATTERN_ADD;
		goto fail;
	}
	if (store_rollup_queue(st) == -1) {
		w = ST_KIND_HOUR;
		goto fail;
	}
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		w = order[i];
		if (store_queue_send(st, w, &first) == -1)
			goto fail;
		if ((w == ST_SESSION || w == ST_MESSAGE) && st->q[w].n > 0) {
			enum store_ref ref = w == ST_SESSION ? REF_SESSION :
			    REF_MESSAGE;

			if (store_read_ids(st, ref, first) == -1) {
				w = ref == REF_SESSION ? ST_SESSION_IDS :
				    ST_MESSAGE_IDS;
				goto fail;
			}
			store_resolve(st, ref);
		}
	}
	store_queues_clear(st);
	if (mysql_commit(st->db) != 0) {
		snprintf(err, errlen, "commit: %s (%u)", mysql_error(st->db),
		    mysql_errno(st->db));
		mysql_rollback(st->db);
		store_pforget(st);
		return STORE_RETRY;
	}
	if (st->pcount >= STORE_PCACHE_SIZE / 4 * 3)
		store_pforget(st);
	return STORE_OK;
fail:
	code = mysql_stmt_errno(st->st[w]);
	snprintf(err, errlen, "statement %d: %s (%u)", (int)w,
	    code ? mysql_stmt_error(st->st[w]) : "ids not found", code);
	mysql_rollback(st->db);
	store_rolled_back(st);
	if (code == ER_DUP_ENTRY && w == ST_SESSION)
		return STORE_DUPLICATE;
	return store_transient(code) ? STORE_RETRY : STORE_REJECTED;
}
