/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * store: the analyzer's writer to MySQL/MariaDB (MariaDB Connector/C), over
 * the local unix socket by default, or TCP with TLS required when
 * mysql_host is set. One transaction per batch of spool files, prepared
 * statements only. spool_name is unique: a file imported before is
 * recognised and nothing is written twice.
 *
 * Round trips, not rows, are what an import costs. store_import
 * (store_rows.c) makes the rows of a parsed session and adds up its
 * running totals (store_rollup.c); every row of a batch waits in a queue
 * per statement and goes at commit, each queue in one execution of its
 * statement with an array of parameter sets (store_bind.c, where each
 * statement's columns are described). Rows that refer to the sessions,
 * messages and new patterns of their batch get the ids read back after
 * those went in (store_ids.c). The report's running totals of the batch
 * go last, in the same transaction, so they count exactly the rows that
 * were committed. A batch that loses a conflict with another writer (a
 * deadlock, a lock wait timeout, a Galera certification failure) is sent
 * again, whole, after a short back-off (store_retry.c).
 *
 * This file: the connection, the two batches and the commit thread.
 * store_import never talks to the server: while the commit thread sends
 * and commits one batch, the main thread fills the next (two batches,
 * one connection, used by one thread at a time). Run by spampot-analyzer,
 * unprivileged, under its seccomp filter, which binds the commit thread
 * too (it is made after the filter is in place).
 */
#include "autoconf.h"

#include <mysql.h>
#include <mysqld_error.h>
#include <errmsg.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "db.h"
#include "log.h"
#include "relay_decide.h"
#include "relayq.h"
#include "store.h"
#include "store_int.h"
#include "store_rollup.h"

/* Of the server's max_allowed_packet, what the statement and the
 * protocol take beside the values. */
#define STORE_PACKET_SLACK	(64 << 10)

/* A failed call: which errors mean "try again later". */
static int
store_transient(unsigned int code)
{
	/* a conflict with another writer, still there after its tries */
	if (store_retry_conflict(code))
		return 1;
	switch (code) {
	case ER_CON_COUNT_ERROR:
	case ER_SERVER_SHUTDOWN:
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

/* The queues emptied, the batch's ids forgotten. */
static void
store_queues_clear(struct store_batch *b)
{
	int i;

	for (i = 0; i < ST_COUNT; i++)
		store_bind_cut(b, i, 0);
	for (i = 0; i <= REF_PATTERN; i++) {
		free(b->ids[i]);
		b->ids[i] = NULL;
	}
	store_rollup_clear(b->rollup);
}

static int
store_prepare(struct store *st, char *err, size_t errlen)
{
	char sql[1024];
	int i;

	for (i = 0; i < ST_COUNT; i++) {
		if (store_bind_sql(i, sql, sizeof(sql)) == -1)
			fatalx("store: statement %d: its text is too long", i);
		if ((st->st[i] = mysql_stmt_init(st->db)) == NULL ||
		    mysql_stmt_prepare(st->st[i], sql, strlen(sql)) != 0) {
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
 * Is the server a node of a Galera cluster? There a transaction another
 * node's write set aborts (a certification conflict) is rolled back at
 * once, and the next statement must fail with 1213 for the batch to be
 * sent again. An execution with an array of parameters does not: it
 * starts a new transaction, whose rows and those after it would commit
 * without the ones before the abort. Measured in tests/e2e/084-galera.sh:
 * sessions lost and running totals counted twice. On a node, rows go one
 * execution each. Not a node (or MySQL, without the variable): 0.
 */
static int
store_galera_node(MYSQL *db)
{
	MYSQL_RES *res;
	MYSQL_ROW row;
	int on = 0;

	/* no such variable (MySQL): not a node */
	if (mysql_query(db, "SELECT @@wsrep_on") != 0 ||
	    (res = mysql_store_result(db)) == NULL)
		return 0;
	if ((row = mysql_fetch_row(res)) != NULL && row[0] != NULL)
		on = strcmp(row[0], "1") == 0 || strcmp(row[0], "ON") == 0;
	mysql_free_result(res);
	return on;
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

/*
 * A row another writer holds is waited for 5 s at most (the server's
 * innodb_lock_wait_timeout when it is shorter): well within the 10 s the
 * connection gives a read (db.c), so that a long lock is an error the
 * batch is tried again after (1205), not a connection that looks lost
 * (2013) and, lost again, a file sent to bad/.
 */
static const char store_lock_wait[] = "SET SESSION innodb_lock_wait_timeout "
    "= LEAST(@@innodb_lock_wait_timeout, 5)";

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
	st->rng = store_retry_seed();
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
	    mysql_query(st->db, store_lock_wait) != 0 ||
	    mysql_autocommit(st->db, 0) != 0 ||
	    store_prepare(st, err, errlen) == -1) {
		if (err[0] == '\0')
			snprintf(err, errlen, "%s", mysql_error(st->db));
		store_close(st);
		return NULL;
	}
	st->bulk = store_bulk_supported(st->db) && !store_galera_node(st->db);
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

static int
store_relay_query(struct store *st, const char *q, struct relay_limits *rl,
    int events, char *err, size_t errlen)
{
	MYSQL_RES *res;
	MYSQL_ROW row;
	int rc = 0;

	if (mysql_query(st->db, q) != 0 ||
	    (res = mysql_use_result(st->db)) == NULL) {
		snprintf(err, errlen, "%s", mysql_error(st->db));
		return -1;
	}
	while (rc == 0 && (row = mysql_fetch_row(res)) != NULL)
		rc = events ? relay_limits_add(rl, strtol(row[0], NULL, 10),
		    row[1], row[2] ? row[2] : "", row[3] ? row[3] : "",
		    row[4]) : relay_limits_seen(rl, row[0],
		    strtoul(row[1], NULL, 10));
	if (rc == -1)
		snprintf(err, errlen, "out of memory");
	mysql_free_result(res);
	return rc;
}

int
store_relay_history(struct store *st, struct relay_limits *rl,
    const char *verdict, long horizon, char *err, size_t errlen)
{
	char q[512];
	int rc;

	/* decided_at is UTC: its age is taken against UTC_TIMESTAMP */
	snprintf(q, sizeof(q), "SELECT TIMESTAMPDIFF(SECOND, decided_at, "
	    "UTC_TIMESTAMP()), client_ip, rcpt, rcpt_domain, campaign FROM "
	    "relay_decisions WHERE verdict = '%s' AND decided_at > "
	    "UTC_TIMESTAMP() - INTERVAL %ld SECOND", verdict, horizon);
	rc = store_relay_query(st, q, rl, 1, err, errlen);
	/* the copies of each campaign: for relay_per_campaign only */
	if (rc == 0 && st->cf->relay_per_campaign > 0)
		rc = store_relay_query(st, "SELECT campaign, COUNT(*) FROM "
		    "relay_decisions WHERE decided_at > UTC_TIMESTAMP() - "
		    "INTERVAL 30 DAY GROUP BY campaign", rl, 0, err, errlen);
	mysql_rollback(st->db);
	return rc;
}

/* A text parameter, or NULL when empty. */
static void
store_relay_param(MYSQL_BIND *b, const char *v, unsigned long *len)
{
	*len = (unsigned long)strlen(v);
	b->buffer_type = *len ? MYSQL_TYPE_STRING : MYSQL_TYPE_NULL;
	b->buffer = (void *)(uintptr_t)v;
	b->buffer_length = *len;
	b->length = len;
}

int
store_relay_outcome(struct store *st, const struct relayq_result *r,
    char *err, size_t errlen)
{
	static const char sql[] = "INSERT INTO relay_deliveries (queue_id, "
	    "status, attempts, first_try, last_try, smarthost, reply_code, "
	    "reply, smarthost_queue_id, error, data) VALUES (?, ?, ?, "
	    "IF(? = 0, NULL, FROM_UNIXTIME(?)), FROM_UNIXTIME(?), ?, "
	    "NULLIF(?, 0), ?, ?, ?, ?) ON DUPLICATE KEY UPDATE "
	    "status = VALUES(status), attempts = VALUES(attempts), "
	    "last_try = VALUES(last_try), reply_code = VALUES(reply_code), "
	    "reply = VALUES(reply), smarthost_queue_id = "
	    "VALUES(smarthost_queue_id), error = VALUES(error), "
	    "data = VALUES(data)";
	MYSQL_BIND b[12];
	unsigned long len[12];
	long long attempts = r->attempts, code = r->code;

	memset(b, 0, sizeof(b));
	store_relay_param(&b[0], r->id, &len[0]);
	store_relay_param(&b[1], r->status, &len[1]);
	b[2].buffer_type = MYSQL_TYPE_LONGLONG;
	b[2].buffer = &attempts;
	b[3].buffer_type = b[4].buffer_type = b[5].buffer_type =
	    MYSQL_TYPE_LONGLONG;
	b[3].buffer = b[4].buffer = (void *)(uintptr_t)&r->first;
	b[5].buffer = (void *)(uintptr_t)&r->last;
	store_relay_param(&b[6], r->smarthost, &len[6]);
	b[7].buffer_type = MYSQL_TYPE_LONGLONG;
	b[7].buffer = &code;
	store_relay_param(&b[8], r->reply, &len[8]);
	store_relay_param(&b[9], r->queue_id, &len[9]);
	store_relay_param(&b[10], r->error, &len[10]);
	len[11] = (unsigned long)r->size;
	b[11].buffer_type = r->size ? MYSQL_TYPE_BLOB : MYSQL_TYPE_NULL;
	b[11].buffer = (void *)(uintptr_t)r->data;
	b[11].buffer_length = len[11];
	b[11].length = &len[11];
	/* FROM_UNIXTIME: UTC, the session's time zone (store_open) */
	return store_exec_commit(st, sql, sizeof(sql) - 1, b, err, errlen);
}

/* One statement and its commit (store_exec_commit's). */
struct store_exec {
	const char	*sql;
	size_t		 len;
	MYSQL_BIND	*b;
};

/* One try of a statement and its commit (store_try_fn). */
static int
store_exec_try(struct store *st, void *arg, unsigned *code, char *err,
    size_t errlen)
{
	const struct store_exec *x = arg;
	MYSQL_STMT *stmt;
	int rc = -1;

	if ((stmt = mysql_stmt_init(st->db)) == NULL ||
	    mysql_stmt_prepare(stmt, x->sql, x->len) != 0 ||
	    mysql_stmt_bind_param(stmt, x->b) != 0 ||
	    mysql_stmt_execute(stmt) != 0 || mysql_commit(st->db) != 0) {
		*code = stmt && mysql_stmt_errno(stmt) ?
		    mysql_stmt_errno(stmt) : mysql_errno(st->db);
		snprintf(err, errlen, "%s", stmt && mysql_stmt_errno(stmt) ?
		    mysql_stmt_error(stmt) : mysql_error(st->db));
		mysql_rollback(st->db);
	} else
		rc = 0;
	if (stmt != NULL)
		mysql_stmt_close(stmt);
	return rc;
}

/* A statement committed on its own (a heartbeat, a relay delivery), sent
 * again after a conflict with another writer as a batch is. */
int
store_exec_commit(struct store *st, const char *sql, size_t len,
    MYSQL_BIND *b, char *err, size_t errlen)
{
	struct store_exec x = { sql, len, b };
	struct store_tries t;

	return store_retry_run(st, store_exec_try, &x, &t, err, errlen);
}

/* The filling batch dropped: nothing of it reached the server. */
void
store_discard(struct store *st)
{
	store_queues_clear(st->fill);
	/* its dirty counts and pending values go with it (all, for brevity:
	 * this is rare) */
	store_ids_forget(st);
}

/*
 * Send a batch and commit it (the commit thread, or the caller's): its
 * queued rows, sessions, messages and new values before what refers to
 * them, whose references become the ids read back as they are sent. On
 * failure the transaction is rolled back, *codep the server's error.
 * The batch is left as it was, its ids aside (read again by the next
 * try): it can be sent again.
 */
static enum store_result
store_send_once(struct store *st, struct store_batch *b, unsigned *codep,
    char *err, size_t errlen)
{
	static const enum store_stmt order[] = {
		ST_SESSION, ST_MESSAGE, ST_PATTERN, ST_TRANSCRIPT, ST_AUTH,
		ST_RCPT, ST_URL, ST_ATT, ST_PATTERN_ADD, ST_MSG_PATTERN,
		ST_SESS_PATTERN, ST_KIND_HOUR, ST_VALUE_HOUR, ST_VALUE_TOTAL,
		ST_PATTERN_HOUR, ST_SESSION_TLS, ST_RELAY_DECISION,
		ST_MEMBER, ST_YARA, ST_CAMPAIGN, ST_CAMPAIGN_CLIENT,
		ST_CAMPAIGN_SENSOR, ST_CAMPAIGN_DOMAIN, ST_CAMPAIGN_COUNT,
	};
	enum store_stmt w = ST_SESSION;
	unsigned long long first;
	unsigned int code;
	const char *msg;
	size_t i;

	err[0] = '\0';
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		w = order[i];
		if (store_bind_send(st, b, w, &first) == -1)
			goto fail;
		if (b->q[w].n == 0)
			continue;
		if (w == ST_SESSION || w == ST_MESSAGE) {
			enum store_ref ref = w == ST_SESSION ? REF_SESSION :
			    REF_MESSAGE;

			if (store_ids_read(st, b, ref, first) == -1) {
				w = ref == REF_SESSION ? ST_SESSION_IDS :
				    ST_MESSAGE_IDS;
				goto fail;
			}
		} else if (w == ST_PATTERN) {
			if (store_ids_read_patterns(st, b) == -1) {
				code = mysql_errno(st->db);
				msg = code ? mysql_error(st->db) :
				    "ids not found";
				goto failed;
			}
		}
	}
	if (mysql_commit(st->db) != 0) {
		*codep = mysql_errno(st->db);
		snprintf(err, errlen, "commit: %s (%u)", mysql_error(st->db),
		    *codep);
		mysql_rollback(st->db);
		return STORE_RETRY;
	}
	return STORE_OK;
fail:
	code = mysql_stmt_errno(st->st[w]);
	msg = code ? mysql_stmt_error(st->st[w]) : "ids not found";
failed:
	snprintf(err, errlen, "statement %d: %s (%u)", (int)w, msg, code);
	*codep = code;
	mysql_rollback(st->db);
	if (code == ER_DUP_ENTRY && w == ST_SESSION)
		return STORE_DUPLICATE;
	if (code == CR_SERVER_GONE_ERROR || code == CR_SERVER_LOST)
		return STORE_LOST;
	return store_transient(code) ? STORE_RETRY : STORE_REJECTED;
}

/* One try of a batch (store_try_fn): its result in b->rc. */
static int
store_send_try(struct store *st, void *arg, unsigned *code, char *err,
    size_t errlen)
{
	struct store_batch *b = arg;

	b->rc = store_send_once(st, b, code, err, errlen);
	return b->rc == STORE_OK ? 0 : -1;
}

/*
 * A batch sent and committed, and sent again after a conflict with
 * another writer (store_retry.c): a deadlock or a lock wait that timed
 * out is not an outage. A try that failed rolled back every row it sent;
 * the queues are the same for the next, and its ids are read back anew
 * (store_ids.c): none of a try that was rolled back is kept. The caches
 * of the main thread learn only from the result, once it is taken
 * (store_commit_wait).
 */
static enum store_result
store_send(struct store *st, struct store_batch *b, char *err, size_t errlen)
{
	(void)store_retry_run(st, store_send_try, b, &b->tries, err, errlen);
	return b->rc;
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
	memset(&b->tries, 0, sizeof(b->tries));
	if (store_ids_queue(st) == -1 || store_rollup_queue(st->fill) == -1) {
		snprintf(b->err, sizeof(b->err), "out of memory");
		b->rc = STORE_REJECTED;
		store_ids_forget(st);
	}
	/* the cache of a long run is emptied now, its batch's counts just
	 * queued */
	if (st->pcount >= STORE_PCACHE_SIZE / 4 * 3)
		store_ids_forget(st);
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
	memset(&st->tries, 0, sizeof(st->tries));
	if (b == NULL)
		return STORE_OK;
	if (st->threaded) {
		pthread_mutex_lock(&st->lock);
		while (st->job != NULL)
			pthread_cond_wait(&st->done, &st->lock);
		pthread_mutex_unlock(&st->lock);
	}
	rc = b->rc;
	st->tries = b->tries;
	snprintf(err, errlen, "%s", b->err);
	if (rc == STORE_OK)
		store_ids_learn(st, b);
	store_queues_clear(b);
	st->flight = NULL;
	return rc;
}

void
store_commit_tries(const struct store *st, struct store_tries *t)
{
	*t = st->tries;
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
