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
 * of a session, message or new pattern of the batch names it by its place
 * in the queue; the ids are read back once the sessions (then the
 * messages) are in: those of the rows from the first id the insert
 * gave, matched by spool name (then session and number), so another
 * analyzer's rows in between do no harm. The id of a counted value
 * (patterns) is remembered, so a value seen before costs only its count
 * at commit; the values new to a batch go in one execution too, their
 * ids then read back by kind and value_sha256. The report's running
 * totals of the batch (store_rollup.c) go last, in the same transaction,
 * so they count exactly the rows that were committed.
 *
 * store_import never talks to the server: while the commit thread sends
 * and commits one batch, the main thread fills the next (two batches,
 * one connection, used by one thread at a time).
 */
#include "autoconf.h"

#include <mysql.h>
#include <mysqld_error.h>
#include <errmsg.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "db.h"
#include "extract.h"
#include "geoip.h"
#include "log.h"
#include "mime.h"
#include "spool_read.h"
#include "store.h"
#include "store_rollup.h"
#include "utf8.h"
#include "util.h"

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
enum store_ref { REF_NONE, REF_SESSION, REF_MESSAGE, REF_PATTERN };

/* A pattern id that is the place of its row in the batch's ST_PATTERN
 * queue, its id known at commit. */
#define STORE_PENDING	(1ULL << 63)

#define STORE_MAX_PARAMS	16
#define STORE_BULK_ROWS		1000		/* rows per execution */
#define STORE_BULK_BYTES	(4 << 20)	/* text per execution */
#define STORE_PCACHE_SIZE	16384		/* pattern ids remembered */
/* Of the server's max_allowed_packet, what the statement and the
 * protocol take beside the values; and what a cut transcript keeps free
 * for its marker and the row's other values. */
#define STORE_PACKET_SLACK	(64 << 10)
#define STORE_CUT_ROOM		256
#define STORE_CUT_MARK		"# transcript cut: "

/* One parameter of a row: a number (or the place of the row it refers
 * to), or bytes it owns. */
struct store_param {
	union {
		unsigned long long	 num;
		char			*p;
	}			 v;
	unsigned long		 len;
	unsigned char		 type;	/* enum enum_field_types */
	unsigned char		 ref;	/* enum store_ref */
};

/* A row being made; queued, it keeps only its n parameters (a session's
 * 200,000 recipients are 200,000 rows: a MYSQL_BIND for each of 16
 * possible parameters would make them 2 KiB each). */
struct store_params {
	unsigned		 n;
	int			 oom;
	struct store_param	 p[STORE_MAX_PARAMS];
};

struct store_row {
	unsigned		 n;
	struct store_param	 p[];
};

/* Rows of one statement waiting for the commit. */
struct store_queue {
	struct store_row	**rows;
	size_t			 n, cap;
};

/* A pattern's id by kind and value_sha256: open addressing, emptied after
 * a commit that leaves it three quarters full, or when a transaction rolls
 * back (its ids may not exist). add, first, last: what the open batch
 * counted of it (dirty), for one ST_PATTERN_ADD at commit. */
struct store_pentry {
	unsigned long long	 id;	/* pending: its place in ST_PATTERN */
	unsigned long long	 add;
	unsigned char		 sha[32];
	char			 kind[65];
	char			 first[32], last[32];
	unsigned		 gen;	/* pending: of the batch of this gen */
	unsigned char		 used, dirty, pending;
};

/* One batch: its rows, waiting for the commit, and the ids read back. */
struct store_batch {
	struct store_queue	 q[ST_COUNT];
	unsigned long long	*ids[REF_PATTERN + 1];	/* by queue place */
	struct store_rollup	*rollup;	/* the batch's running totals */
	unsigned		 gen;
	enum store_result	 rc;		/* of its commit */
	char			 err[512];
};

/*
 * The connection, and two batches: the one store_import fills (main
 * thread) and the one being committed (the commit thread, which alone
 * uses the connection meanwhile). The pattern cache is the main thread's:
 * an id learnt in a commit enters it once that commit is over.
 */
struct store {
	const struct config	*cf;
	MYSQL			*db;
	MYSQL_STMT		*st[ST_COUNT];
	int			 bulk;		/* server takes arrays */
	size_t			 packet;	/* bytes an execution may send */
	struct store_batch	 batch[2];
	struct store_batch	*fill;		/* store_import's */
	struct store_batch	*flight;	/* committing; NULL: none */
	unsigned		 gen;		/* fill's */
	struct store_pentry	*pcache;
	size_t			 pcount;
	size_t			*dirty;		/* pcache slots */
	size_t			 ndirty, capdirty;
	const struct geoip	*geoip;		/* NULL: no lookups */
	/* the commit thread; under lock: job, quit */
	int			 threaded, tried;
	pthread_t		 thread;
	pthread_mutex_t		 lock;
	pthread_cond_t		 work, done;
	struct store_batch	*job;
	int			 quit;
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

static int
sp_owns(const struct store_param *p)
{
	return p->type == MYSQL_TYPE_STRING || p->type == MYSQL_TYPE_BLOB;
}

static void
sp_free(struct store_param *p, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (sp_owns(&p[i]))
			free(p[i].v.p);
}

static void
sp_reset(struct store_params *sp)
{
	sp_free(sp->p, sp->n);
	memset(sp, 0, sizeof(*sp));
}

static struct store_param *
sp_next(struct store_params *sp)
{
	if (sp->n == STORE_MAX_PARAMS)
		fatalx("store: too many parameters");
	return &sp->p[sp->n];
}

/* Text, NUL-terminated, that the row owns now (NULL: out of memory). */
static void
sp_own(struct store_params *sp, char *t, size_t len)
{
	struct store_param *p = sp_next(sp);

	if (t == NULL)
		sp->oom = 1;
	p->type = MYSQL_TYPE_STRING;
	p->v.p = t;
	p->len = t ? (unsigned long)len : 0;
	sp->n++;
}

/* Text of any bytes: made valid UTF-8, cut to max bytes. */
static void
sp_text(struct store_params *sp, const char *p, size_t n, size_t max)
{
	char *t;

	t = utf8_sanitize(p ? p : "", p ? n : 0);
	sp_own(sp, t, t ? utf8_prefix(t, max) : 0);
}

static void
sp_str(struct store_params *sp, const char *s, size_t max)
{
	sp_text(sp, s, s ? strlen(s) : 0, max);
}

static void
sp_null(struct store_params *sp)
{
	sp_next(sp)->type = MYSQL_TYPE_NULL;
	sp->n++;
}

static void
sp_u64(struct store_params *sp, unsigned long long v)
{
	struct store_param *p = sp_next(sp);

	p->type = MYSQL_TYPE_LONGLONG;
	p->v.num = v;
	sp->n++;
}

/* The id of the n-th session or message of the batch, known at commit. */
static void
sp_ref(struct store_params *sp, enum store_ref ref, size_t n)
{
	sp_next(sp)->ref = (unsigned char)ref;
	sp_u64(sp, n);
}

/* Bytes, copied: the row may wait in a queue. */
static void
sp_blob(struct store_params *sp, const void *p, size_t n)
{
	struct store_param *b = sp_next(sp);
	char *copy;

	if ((copy = malloc(n ? n : 1)) == NULL)
		sp->oom = 1;
	else
		memcpy(copy, p, n);
	b->type = MYSQL_TYPE_BLOB;
	b->v.p = copy;
	b->len = copy ? (unsigned long)n : 0;
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

/* Queue sp's row (sp is cleared; the queue owns its memory now), in no
 * more memory than its parameters take. */
static int
store_queue(struct store_batch *b, enum store_stmt which,
    struct store_params *sp)
{
	struct store_queue *q = &b->q[which];
	struct store_row **rows = NULL, *row = NULL;
	size_t cap = 0;

	if (sp->oom || (q->n == q->cap &&
	    (rows = reallocarray(q->rows, cap = q->cap ? q->cap * 2 : 64,
	    sizeof(*rows))) == NULL) || (row = malloc(sizeof(*row) +
	    sp->n * sizeof(row->p[0]))) == NULL) {
		log_warnx("store: out of memory");
		sp_reset(sp);
		return -1;
	}
	if (q->n == q->cap) {
		q->rows = rows;
		q->cap = cap;
	}
	row->n = sp->n;
	memcpy(row->p, sp->p, sp->n * sizeof(row->p[0]));
	q->rows[q->n++] = row;
	memset(sp, 0, sizeof(*sp));
	return 0;
}

/* Drop the queued rows from the n-th of statement which on. */
static void
store_queue_cut(struct store_batch *b, enum store_stmt which, size_t n)
{
	struct store_queue *q = &b->q[which];
	struct store_row *row;

	while (q->n > n) {
		row = q->rows[--q->n];
		sp_free(row->p, row->n);
		free(row);
	}
	if (n == 0) {
		free(q->rows);
		q->rows = NULL;
		q->cap = 0;
	}
}

/* A row's number c: a reference to a session, message or pattern of the
 * batch is its id, read back once that was inserted. */
static unsigned long long
store_num(const struct store_batch *bt, const struct store_row *row,
    unsigned c)
{
	return row->p[c].ref == REF_NONE ? row->p[c].v.num :
	    bt->ids[row->p[c].ref][row->p[c].v.num];
}

/* What a row adds to the packet of an execution: its bytes, and a
 * length and an indicator for each parameter. */
static size_t
store_row_bytes(const struct store_row *row)
{
	size_t bytes = 0;
	unsigned c;

	for (c = 0; c < row->n; c++)
		bytes += row->p[c].len + 16;
	return bytes;
}

/* Rows [from, to) of a queue in one execution: each column an array. */
static int
store_bulk(struct store *st, struct store_batch *bt, enum store_stmt which,
    size_t from, size_t to)
{
	struct store_row **rows = bt->q[which].rows;
	MYSQL_STMT *s = st->st[which];
	MYSQL_BIND b[STORE_MAX_PARAMS];
	unsigned int n = (unsigned int)(to - from), c, ncols = rows[from]->n;
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
			const struct store_param *p = &rows[r]->p[c];
			size_t k = (size_t)c * n + (r - from);

			if (p->type == MYSQL_TYPE_NULL) {
				ind[k] = STMT_INDICATOR_NULL;
				continue;
			}
			b[c].buffer_type = p->type;
			if (p->type == MYSQL_TYPE_LONGLONG)
				num[k] = store_num(bt, rows[r], c);
			else {
				len[k] = p->len;
				ptr[k] = p->v.p;
			}
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
/* One row in one execution (a server without arrays). */
static int
store_one(struct store *st, struct store_batch *bt, enum store_stmt which,
    const struct store_row *row)
{
	MYSQL_BIND b[STORE_MAX_PARAMS];
	unsigned long long num[STORE_MAX_PARAMS];
	unsigned long len[STORE_MAX_PARAMS];
	unsigned c;

	memset(b, 0, sizeof(b));
	for (c = 0; c < row->n; c++) {
		b[c].buffer_type = row->p[c].type;
		if (row->p[c].type == MYSQL_TYPE_LONGLONG) {
			num[c] = store_num(bt, row, c);
			b[c].buffer = &num[c];
			b[c].is_unsigned = 1;
		} else if (row->p[c].type != MYSQL_TYPE_NULL) {
			len[c] = row->p[c].len;
			b[c].buffer = row->p[c].v.p;
			b[c].buffer_length = len[c];
			b[c].length = &len[c];
		}
	}
	if (mysql_stmt_bind_param(st->st[which], b) != 0 ||
	    mysql_stmt_execute(st->st[which]) != 0)
		return -1;
	return 0;
}

static int
store_queue_send(struct store *st, struct store_batch *bt,
    enum store_stmt which, unsigned long long *first)
{
	struct store_queue *q = &bt->q[which];
	size_t from = 0, to, bytes, row, limit;

	/* an execution is one packet: never more than the server takes */
	limit = st->packet < STORE_BULK_BYTES ? st->packet : STORE_BULK_BYTES;
	*first = 0;
	while (from < q->n) {
		if (!st->bulk) {
			if (store_one(st, bt, which, q->rows[from]) == -1)
				return -1;
			to = from + 1;
		} else {
			for (to = from, bytes = 0; to < q->n && to - from <
			    STORE_BULK_ROWS; to++) {
				row = store_row_bytes(q->rows[to]);
				if (to > from && bytes + row > limit)
					break;
				bytes += row;
			}
			if (store_bulk(st, bt, which, from, to) == -1)
				return -1;
		}
		if (from == 0)
			*first = mysql_stmt_insert_id(st->st[which]);
		from = to;
	}
	return 0;
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
store_read_ids(struct store *store, struct store_batch *st,
    enum store_ref ref, unsigned long long first)
{
	enum store_stmt ins = ref == REF_SESSION ? ST_SESSION : ST_MESSAGE;
	MYSQL_STMT *s = store->st[ref == REF_SESSION ? ST_SESSION_IDS :
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
			keys[i].name = q->rows[i]->p[1].v.p;
		else {
			keys[i].sid = store_num(st, q->rows[i], 0);
			keys[i].seq = q->rows[i]->p[1].v.num;
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
		if (e->pending)
			sp_ref(&sp, REF_PATTERN, e->id);
		else
			sp_u64(&sp, e->id);
		e->dirty = 0;
		if (store_queue(st->fill, ST_PATTERN_ADD, &sp) == -1)
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
	return store_queue(st->fill, hour ? ST_VALUE_HOUR : ST_VALUE_TOTAL,
	    &sp);
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
	for (i = 0; i < store_rollup_count(st->fill->rollup); i++) {
		e = store_rollup_get(st->fill->rollup, i);
		if (e->table == SRU_VALUE) {
			if (store_rollup_value_row(st, e, 1) == -1 ||
			    store_rollup_value_row(st, e, 0) == -1)
				return -1;
			continue;
		}
		sp_str(&sp, e->kind, sizeof(e->kind));
		sp_str(&sp, e->hour, sizeof(e->hour));
		if (e->table == SRU_PATTERN && (e->pattern_id & STORE_PENDING))
			sp_ref(&sp, REF_PATTERN, e->pattern_id & ~STORE_PENDING);
		else if (e->table == SRU_PATTERN)
			sp_u64(&sp, e->pattern_id);
		sp_u64(&sp, e->n);
		sp_time(&sp, e->first);
		sp_time(&sp, e->last);
		if (store_queue(st->fill, e->table == SRU_PATTERN ?
		    ST_PATTERN_HOUR : ST_KIND_HOUR, &sp) == -1)
			return -1;
	}
	return 0;
}

/* A value new to the filling batch, its row the place-th of its
 * ST_PATTERN queue: the same value again in this batch is counted with
 * it. e: its cache slot, or NULL. */
static void
store_ppending(struct store *st, struct store_pentry *e, const char *kind,
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
static void
store_plearn(struct store *st, const struct store_batch *b)
{
	const struct store_queue *q = &b->q[ST_PATTERN];
	struct store_pentry *e;
	size_t i;

	for (i = 0; st->pcache != NULL && b->ids[REF_PATTERN] != NULL &&
	    i < q->n; i++) {
		e = store_pslot(st, q->rows[i]->p[0].v.p,
		    (const unsigned char *)q->rows[i]->p[2].v.p);
		if (e->used && e->pending && e->gen == b->gen && e->id == i) {
			e->pending = 0;
			e->id = b->ids[REF_PATTERN][i];
		}
	}
}

/* The queues emptied, the batch's ids forgotten. */
static void
store_queues_clear(struct store_batch *b)
{
	int i;

	for (i = 0; i < ST_COUNT; i++)
		store_queue_cut(b, i, 0);
	for (i = 0; i <= REF_PATTERN; i++) {
		free(b->ids[i]);
		b->ids[i] = NULL;
	}
	store_rollup_clear(b->rollup);
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

/*
 * What one execution may send: the server's max_allowed_packet, read
 * once connected, less room for the statement. A larger packet is not
 * refused with an error the analyzer could pin on the file: the server
 * drops the connection (2006, 2013), which looks like an outage.
 */
static int
store_packet(struct store *st, char *err, size_t errlen)
{
	MYSQL_RES *res;
	MYSQL_ROW row;
	unsigned long long v = 0;

	if (mysql_query(st->db, "SELECT @@max_allowed_packet") != 0 ||
	    (res = mysql_store_result(st->db)) == NULL) {
		snprintf(err, errlen, "max_allowed_packet: %s",
		    mysql_error(st->db));
		return -1;
	}
	if ((row = mysql_fetch_row(res)) != NULL && row[0] != NULL)
		v = strtoull(row[0], NULL, 10);
	mysql_free_result(res);
	if (v < 2 * STORE_PACKET_SLACK) {
		snprintf(err, errlen, "max_allowed_packet is %llu bytes: "
		    "at least %d are needed", v, 2 * STORE_PACKET_SLACK);
		return -1;
	}
	st->packet = (size_t)v - STORE_PACKET_SLACK;
	return 0;
}

struct store *
store_open(const struct config *cf, const char *password, char *err,
    size_t errlen)
{
	struct store *st;

	if ((st = calloc(1, sizeof(*st))) == NULL ||
	    (st->batch[0].rollup = store_rollup_new()) == NULL ||
	    (st->batch[1].rollup = store_rollup_new()) == NULL) {
		snprintf(err, errlen, "out of memory");
		if (st != NULL) {
			store_rollup_free(st->batch[0].rollup);
			store_rollup_free(st->batch[1].rollup);
		}
		free(st);
		return NULL;
	}
	st->cf = cf;
	st->fill = &st->batch[0];
	pthread_mutex_init(&st->lock, NULL);
	pthread_cond_init(&st->work, NULL);
	pthread_cond_init(&st->done, NULL);
	if ((st->db = db_connect(cf, cf->mysql_user, password,
	    DB_IO_TIMEOUTS, err, errlen)) == NULL) {
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
	if (store_packet(st, err, errlen) == -1) {
		store_close(st);
		return NULL;
	}
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
	if (st->threaded) {
		/* a commit under way ends first: the connection is its */
		pthread_mutex_lock(&st->lock);
		st->quit = 1;
		pthread_cond_signal(&st->work);
		pthread_mutex_unlock(&st->lock);
		pthread_join(st->thread, NULL);
	}
	pthread_cond_destroy(&st->done);
	pthread_cond_destroy(&st->work);
	pthread_mutex_destroy(&st->lock);
	for (i = 0; i < ST_COUNT; i++)
		if (st->st[i] != NULL)
			mysql_stmt_close(st->st[i]);
	for (i = 0; i < 2; i++) {
		store_queues_clear(&st->batch[i]);
		store_rollup_free(st->batch[i].rollup);
	}
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
	if (e != NULL && e->used && (!e->pending || e->gen == st->gen)) {
		/* known, or new earlier in this batch: its count goes with
		 * the commit, added up */
		pid = e->pending ? e->id | STORE_PENDING : e->id;
		rc = store_padd(st, e, count, sp.p[4].v.p) == 0 ? 0 :
		    store_queue(st->fill, ST_PATTERN, &sp);
		sp_reset(&sp);
	} else {
		/* new: its row goes with the commit, which learns its id */
		pid = st->fill->q[ST_PATTERN].n | STORE_PENDING;
		if ((rc = store_queue(st->fill, ST_PATTERN, &sp)) == 0)
			store_ppending(st, e, kind, sha, pid & ~STORE_PENDING);
	}
	if (rc == -1 || store_rollup_pattern(st->fill->rollup, kind, pid,
	    count, when) == -1)
		return -1;
	sp_ref(&sp, link == ST_MSG_PATTERN ? REF_MESSAGE : REF_SESSION,
	    owner);
	if (pid & STORE_PENDING)
		sp_ref(&sp, REF_PATTERN, pid & ~STORE_PENDING);
	else
		sp_u64(&sp, pid);
	sp_u64(&sp, count);
	return store_queue(st->fill, link, &sp);
}

/*
 * The transcript (ASCII: spool_read checked each byte), whole when the
 * row fits what the server takes; else its first records, as many as
 * fit, and a line that says how much was kept of how much. A session
 * whose client sent a flood of commands is imported all the same. Where
 * the sensor itself stopped reading (max_transcript), a last line says so.
 */
static void
store_transcript(struct store *st, struct store_params *sp,
    const char *name, const struct spool_session *s)
{
	char mark[128], sensor[128], esc[UTIL_ESCAPED_MAX(COL_SHORT)];
	size_t max = st->packet < COL_MEDIUM ? st->packet : COL_MEDIUM;
	size_t n = s->transcript_len, keep = n, mlen = 0, slen = 0;
	const char *nl;
	char *t;

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
		util_escape(esc, sizeof(esc), name, strlen(name), 0);
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
	sp_own(sp, t, keep + mlen + slen);
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
	*sid = st->fill->q[ST_SESSION].n;
	if (store_queue(st->fill, ST_SESSION, &sp) == -1 ||
	    store_rollup_value(st->fill->rollup, "client-ip", s->client_ip,
	    strlen(s->client_ip), NULL, 0, 45, s->start) == -1 ||
	    (s->helo.p != NULL && store_rollup_value(st->fill->rollup, "helo",
	    s->helo.p, s->helo.len, NULL, 0, COL_SHORT, s->start) == -1))
		return -1;
	sp_ref(&sp, REF_SESSION, *sid);
	store_transcript(st, &sp, name, s);
	if (store_queue(st->fill, ST_TRANSCRIPT, &sp) == -1)
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
		if (store_queue(st->fill, ST_AUTH, &sp) == -1 ||
		    store_rollup_value(st->fill->rollup, "password", a->pass.p,
		    a->pass.len, NULL, 0, COL_LONG, s->start) == -1 ||
		    store_rollup_value(st->fill->rollup, "credential", a->user.p,
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
		if (store_queue(st->fill, ST_RCPT, &sp) == -1 ||
		    store_rollup_value(st->fill->rollup, "rcpt-domain", domain,
		    strlen(domain), NULL, 0, COL_SHORT, when) == -1)
			return -1;
	}
	for (i = 0; sm->found && i < sm->found->nurls; i++) {
		sp_ref(&sp, REF_MESSAGE, mid);
		sp_str(&sp, sm->found->urls[i].url, COL_TEXT);
		sp_str(&sp, sm->found->urls[i].host, COL_SHORT);
		sp_u64(&sp, sm->found->urls[i].count);
		sp_time(&sp, when);
		if (store_queue(st->fill, ST_URL, &sp) == -1 ||
		    store_rollup_value(st->fill->rollup, "url-host",
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
		if (store_queue(st->fill, ST_ATT, &sp) == -1 ||
		    store_rollup_value(st->fill->rollup, "attachment", a->sha256,
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
	mid = st->fill->q[ST_MESSAGE].n;
	if (store_queue(st->fill, ST_MESSAGE, &sp) == -1 ||
	    store_rollup_value(st->fill->rollup, "sender", m->from.p, m->from.len,
	    NULL, 0, COL_LONG, when) == -1)
		return -1;
	return store_message_rows(st, mid, m, sm, when);
}

/* The filling batch dropped: nothing of it reached the server. */
void
store_discard(struct store *st)
{
	store_queues_clear(st->fill);
	/* its dirty counts and pending values go with it (all, for brevity:
	 * this is rare) */
	store_pforget(st);
}

/*
 * Import one parsed spool file into the filling batch, which may hold
 * other files already: nothing is sent to the server here (the commit
 * does it all), so this may run while another batch is being committed.
 * STORE_REJECTED (out of memory) drops the whole filling batch.
 */
enum store_result
store_import(struct store *st, const char *name,
    const struct spool_session *s, const struct store_message *msgs,
    char *err, size_t errlen)
{
	size_t i, sid;

	err[0] = '\0';
	if (store_session(st, name, s, &sid) == -1)
		goto fail;
	for (i = 0; i < s->nmsgs; i++)
		if (store_message(st, sid, &s->msgs[i], &msgs[i],
		    s->start) == -1)
			goto fail;
	return STORE_OK;
fail:
	snprintf(err, errlen, "out of memory");
	store_discard(st);
	return STORE_REJECTED;
}

struct store_pkey {
	const char		*kind;
	const unsigned char	*sha;
	size_t			 place;
};

static int
store_pkey_cmp(const void *a, const void *b)
{
	const struct store_pkey *x = a, *y = b;
	int c = strcmp(x->kind, y->kind);

	return c != 0 ? c : memcmp(x->sha, y->sha, 32);
}

/* One query for the ids of the patterns keys[from, to) name, all of one
 * kind (the unique key's first column), matched to them by value_sha256;
 * a value may be queued more than once (the cache full). */
static int
store_read_pattern_chunk(struct store *st, struct store_batch *b,
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
		store_hex(keys[i].sha, 32, p);
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
		    store_pkey_cmp)) == NULL)
			continue;
		id = strtoull(row[0], NULL, 10);
		while (hit > keys + from && store_pkey_cmp(hit - 1, &k) == 0)
			hit--;
		for (; hit < keys + to && store_pkey_cmp(hit, &k) == 0; hit++)
			b->ids[REF_PATTERN][hit->place] = id;
	}
	mysql_free_result(res);
	return 0;
}

/* The ids of the batch's patterns rows, new or not: every one must be
 * found. */
static int
store_read_pattern_ids(struct store *st, struct store_batch *b)
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
		keys[i].kind = q->rows[i]->p[0].v.p ? q->rows[i]->p[0].v.p :
		    "";
		keys[i].sha = (const unsigned char *)q->rows[i]->p[2].v.p;
		keys[i].place = i;
	}
	qsort(keys, q->n, sizeof(*keys), store_pkey_cmp);
	for (i = 0; i < q->n; i = to) {
		for (to = i + 1; to < q->n && to - i < STORE_BULK_ROWS &&
		    strcmp(keys[to].kind, keys[i].kind) == 0; to++)
			;
		if (store_read_pattern_chunk(st, b, keys, i, to) == -1)
			goto done;
	}
	for (i = 0; i < q->n && b->ids[REF_PATTERN][i] != 0; i++)
		;
	rc = i == q->n ? 0 : -1;
done:
	free(keys);
	return rc;
}

/*
 * Send a batch and commit it (the commit thread, or the caller's): its
 * queued rows, sessions, messages and new values before what refers to
 * them, whose references become the ids read back as they are sent. On
 * failure the transaction is rolled back.
 */
static enum store_result
store_send(struct store *st, struct store_batch *b, char *err, size_t errlen)
{
	static const enum store_stmt order[] = {
		ST_SESSION, ST_MESSAGE, ST_PATTERN, ST_TRANSCRIPT, ST_AUTH,
		ST_RCPT, ST_URL, ST_ATT, ST_PATTERN_ADD, ST_MSG_PATTERN,
		ST_SESS_PATTERN, ST_KIND_HOUR, ST_VALUE_HOUR, ST_VALUE_TOTAL,
		ST_PATTERN_HOUR,
	};
	enum store_stmt w = ST_SESSION;
	unsigned long long first;
	unsigned int code;
	const char *msg;
	size_t i;

	err[0] = '\0';
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		w = order[i];
		if (store_queue_send(st, b, w, &first) == -1)
			goto fail;
		if (b->q[w].n == 0)
			continue;
		if (w == ST_SESSION || w == ST_MESSAGE) {
			enum store_ref ref = w == ST_SESSION ? REF_SESSION :
			    REF_MESSAGE;

			if (store_read_ids(st, b, ref, first) == -1) {
				w = ref == REF_SESSION ? ST_SESSION_IDS :
				    ST_MESSAGE_IDS;
				goto fail;
			}
		} else if (w == ST_PATTERN) {
			if (store_read_pattern_ids(st, b) == -1) {
				code = mysql_errno(st->db);
				msg = code ? mysql_error(st->db) :
				    "ids not found";
				goto failed;
			}
		}
	}
	if (mysql_commit(st->db) != 0) {
		snprintf(err, errlen, "commit: %s (%u)", mysql_error(st->db),
		    mysql_errno(st->db));
		mysql_rollback(st->db);
		return STORE_RETRY;
	}
	return STORE_OK;
fail:
	code = mysql_stmt_errno(st->st[w]);
	msg = code ? mysql_stmt_error(st->st[w]) : "ids not found";
failed:
	snprintf(err, errlen, "statement %d: %s (%u)", (int)w, msg, code);
	mysql_rollback(st->db);
	if (code == ER_DUP_ENTRY && w == ST_SESSION)
		return STORE_DUPLICATE;
	if (code == CR_SERVER_GONE_ERROR || code == CR_SERVER_LOST)
		return STORE_LOST;
	return store_transient(code) ? STORE_RETRY : STORE_REJECTED;
}

static void *
store_thread(void *arg)
{
	struct store *st = arg;
	struct store_batch *b;

	pthread_mutex_lock(&st->lock);
	for (;;) {
		while (!st->quit && st->job == NULL)
			pthread_cond_wait(&st->work, &st->lock);
		if (st->job == NULL)
			break;		/* quit, and nothing under way */
		b = st->job;
		pthread_mutex_unlock(&st->lock);

		b->rc = store_send(st, b, b->err, sizeof(b->err));

		pthread_mutex_lock(&st->lock);
		st->job = NULL;
		pthread_cond_signal(&st->done);
	}
	pthread_mutex_unlock(&st->lock);
	return NULL;
}

/* The commit thread, made at the first commit (after the sandbox is in
 * place, so that its filter binds the thread); without it, commits run
 * in the caller. */
static void
store_thread_start(struct store *st)
{
	sigset_t all, old;
	int rc;

	st->tried = 1;
	/* signals are the main thread's (signalfd): none for this one */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&st->thread, NULL, store_thread, st);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0)
		log_warnx("no thread for commits: %s; committed in turn",
		    strerror(rc));
	st->threaded = rc == 0;
}

/*
 * Start the commit of the filling batch (the files imported since the
 * last commit); store_import fills a new one meanwhile. At most one
 * commit is under way: store_commit_wait first.
 */
void
store_commit_start(struct store *st)
{
	struct store_batch *b = st->fill;

	if (st->flight != NULL)
		fatalx("store: a commit is under way");
	if (!st->tried)
		store_thread_start(st);
	b->gen = st->gen++;
	b->err[0] = '\0';
	b->rc = STORE_OK;
	if (store_padd_queue(st) == -1 || store_rollup_queue(st) == -1) {
		snprintf(b->err, sizeof(b->err), "out of memory");
		b->rc = STORE_REJECTED;
		store_pforget(st);
	}
	/* the cache of a long run is emptied now, its batch's counts just
	 * queued */
	if (st->pcount >= STORE_PCACHE_SIZE / 4 * 3)
		store_pforget(st);
	st->flight = b;
	st->fill = b == &st->batch[0] ? &st->batch[1] : &st->batch[0];
	if (b->rc != STORE_OK)
		return;
	if (!st->threaded) {
		b->rc = store_send(st, b, b->err, sizeof(b->err));
		return;
	}
	pthread_mutex_lock(&st->lock);
	st->job = b;
	pthread_cond_signal(&st->work);
	pthread_mutex_unlock(&st->lock);
}

/*
 * The result of the commit under way (STORE_OK if none). Nothing can be
 * laid at one file's door in a batch of several: STORE_DUPLICATE (one
 * was imported before) and STORE_REJECTED (the database refused a row)
 * mean "try them one at a time", where they say which file it is. The
 * filling batch is not touched: store_discard drops it.
 */
enum store_result
store_commit_wait(struct store *st, char *err, size_t errlen)
{
	struct store_batch *b = st->flight;
	enum store_result rc;

	err[0] = '\0';
	if (b == NULL)
		return STORE_OK;
	if (st->threaded) {
		pthread_mutex_lock(&st->lock);
		while (st->job != NULL)
			pthread_cond_wait(&st->done, &st->lock);
		pthread_mutex_unlock(&st->lock);
	}
	rc = b->rc;
	snprintf(err, errlen, "%s", b->err);
	if (rc == STORE_OK)
		store_plearn(st, b);
	store_queues_clear(b);
	st->flight = NULL;
	return rc;
}

/* Commit the filling batch and wait for it. */
enum store_result
store_commit(struct store *st, char *err, size_t errlen)
{
	enum store_result rc;

	if ((rc = store_commit_wait(st, err, errlen)) != STORE_OK)
		return rc;
	store_commit_start(st);
	return store_commit_wait(st, err, errlen);
}
