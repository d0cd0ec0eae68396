/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * report_db: spampot-report's connection to MySQL/MariaDB and its queries.
 * Runs as whoever runs the report, with any database user that may SELECT
 * (the analyzer's, or an analyst with the role spampot_reader). It only
 * reads: the session is made read-only and every report is one read-only
 * transaction, so its numbers come from one snapshot.
 *
 * SQL text is only ever assembled from fixed fragments of this program;
 * every value (times, names, addresses, patterns) is a bound parameter of a
 * prepared statement. Any database error ends the report with status 2.
 */
#include "autoconf.h"

#include <errno.h>
#include <mysql.h>
#include <mysqld_error.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "db.h"
#include "report_int.h"

#define RDB_SCHEMA_VERSION	7	/* the one these queries are for */

enum { RP_TEXT, RP_U64, RP_BLOB };

struct rdb {
	MYSQL	*db;
};

static void
rdb_check_schema(struct rdb *r, const struct config *cf)
{
	struct rdb_query q;
	struct rdb_rows rows;
	MYSQL_RES *res;
	unsigned long long v;

	/* A plain query first: a missing table is a clear message, not a
	 * failed prepare. */
	if (mysql_query(r->db, "SELECT 1 FROM schema_version LIMIT 1") != 0) {
		if (mysql_errno(r->db) == ER_NO_SUCH_TABLE)
			rout_fail("database %s has no spampot tables; run "
			    "spampot-dbsetup", cf->mysql_database);
		rout_fail("database %s: %s", cf->mysql_database,
		    mysql_error(r->db));
	}
	if ((res = mysql_store_result(r->db)) != NULL)
		mysql_free_result(res);
	rdb_init(&q);
	rdb_sql(&q, "SELECT MAX(version) FROM schema_version");
	rdb_run(r, &q, &rows);
	v = rdb_num(&rows, 0, 0);
	rdb_rows_clear(&rows);
	if (v < RDB_SCHEMA_VERSION)
		rout_fail("database %s has schema version %llu; "
		    "spampot-report needs version %d: run spampot-dbsetup to "
		    "upgrade it", cf->mysql_database, v, RDB_SCHEMA_VERSION);
}

struct rdb *
rdb_connect(const struct config *cf, const char *user, const char *password)
{
	struct rdb *r;
	const char *host = cf->mysql_host[0] ? cf->mysql_host : NULL;
	char why[512];

	if ((r = calloc(1, sizeof(*r))) == NULL)
		rout_fail("out of memory");
	/* as the analyzer: the socket, or a remote server over TLS */
	if ((r->db = db_connect(cf, user, password, 0, why,
	    sizeof(why))) == NULL) {
		free(r);
		rout_fail("cannot connect to database %s as %s %s %s: %s",
		    cf->mysql_database, user, host ? "at" : "over",
		    host ? host : cf->mysql_socket, why);
	}
	/* DATETIMEs are UTC; a report only reads, from one snapshot. */
	if (mysql_query(r->db, "SET time_zone = '+00:00'") != 0 ||
	    mysql_query(r->db, "SET SESSION TRANSACTION READ ONLY") != 0 ||
	    mysql_query(r->db, "START TRANSACTION READ ONLY") != 0)
		rout_fail("database %s: %s", cf->mysql_database,
		    mysql_error(r->db));
	rdb_check_schema(r, cf);
	return r;
}

void
rdb_close(struct rdb *r)
{
	if (r == NULL)
		return;
	mysql_rollback(r->db);
	mysql_close(r->db);
	free(r);
}

void
rdb_init(struct rdb_query *q)
{
	memset(q, 0, sizeof(*q));
}

void
rdb_sql(struct rdb_query *q, const char *fragment)
{
	if (buf_append(&q->sql, fragment, strlen(fragment)) == -1)
		rout_fail("out of memory");
}

static void
rdb_param(struct rdb_query *q, int type, const void *p, size_t len,
    unsigned long long num)
{
	if (q->nparams == RDB_MAX_PARAMS)
		rout_fail("internal error: too many parameters");
	q->param[q->nparams].type = type;
	q->param[q->nparams].p = p;
	q->param[q->nparams].len = len;
	q->param[q->nparams].num = num;
	q->nparams++;
}

/* The text must live until rdb_run. */
void
rdb_text(struct rdb_query *q, const char *s)
{
	rdb_param(q, RP_TEXT, s, strlen(s), 0);
}

/* A short text copied into the query: it need not outlive the call. */
void
rdb_text_copy(struct rdb_query *q, const char *s)
{
	size_t len = strlen(s);

	if (len > sizeof(q->param[0].owned))
		rout_fail("internal error: text too long");
	rdb_param(q, RP_TEXT, NULL, len, 0);
	memcpy(q->param[q->nparams - 1].owned, s, len);
	q->param[q->nparams - 1].p = q->param[q->nparams - 1].owned;
}

void
rdb_blob(struct rdb_query *q, const void *p, size_t len)
{
	if (len > sizeof(q->param[0].owned))
		rout_fail("internal error: blob too long");
	rdb_param(q, RP_BLOB, NULL, len, 0);
	memcpy(q->param[q->nparams - 1].owned, p, len);
	q->param[q->nparams - 1].p = q->param[q->nparams - 1].owned;
}

void
rdb_u64(struct rdb_query *q, unsigned long long v)
{
	rdb_param(q, RP_U64, NULL, 0, v);
}

/* AND s.sensor = ? when --sensor is given (the query names sessions s). */
void
rdb_sensor(struct rdb_query *q, const struct report_opts *o)
{
	if (o->sensor != NULL) {
		rdb_sql(q, " AND s.sensor = ?");
		rdb_text(q, o->sensor);
	}
}

void
rdb_limit(struct rdb_query *q, const struct report_opts *o)
{
	rdb_sql(q, " LIMIT ?");
	rdb_u64(q, o->limit);
}

void
rdb_window(struct rdb_query *q, const char *col,
    const struct report_opts *o)
{
	char frag[128];

	if (o->since_sql[0] != '\0') {
		snprintf(frag, sizeof(frag), " AND %s >= ?", col);
		rdb_sql(q, frag);
		rdb_text(q, o->since_sql);
	}
	if (o->until_sql[0] != '\0') {
		snprintf(frag, sizeof(frag), " AND %s < ?", col);
		rdb_sql(q, frag);
		rdb_text(q, o->until_sql);
	}
}

static void
rdb_bind_params(struct rdb_query *q, MYSQL_BIND *b, unsigned long *len)
{
	size_t i;

	for (i = 0; i < q->nparams; i++) {
		switch (q->param[i].type) {
		case RP_U64:
			b[i].buffer_type = MYSQL_TYPE_LONGLONG;
			b[i].buffer = &q->param[i].num;
			b[i].is_unsigned = 1;
			break;
		default:
			len[i] = (unsigned long)q->param[i].len;
			b[i].buffer_type = q->param[i].type == RP_BLOB ?
			    MYSQL_TYPE_BLOB : MYSQL_TYPE_STRING;
			b[i].buffer = (void *)q->param[i].p;
			b[i].buffer_length = len[i];
			b[i].length = &len[i];
			break;
		}
	}
}

static void rdb_stmt_fail(MYSQL_STMT *) __attribute__((noreturn));

static void
rdb_stmt_fail(MYSQL_STMT *s)
{
	rout_fail("query failed: %s (%u)", mysql_stmt_error(s),
	    mysql_stmt_errno(s));
}

/* Every column of the current row into newly allocated strings. */
static void
rdb_fetch_row(MYSQL_STMT *s, MYSQL_BIND *b, unsigned long *len,
    my_bool *isnull, char *small, size_t ncols, char **cells)
{
	size_t c;

	for (c = 0; c < ncols; c++) {
		if (isnull[c]) {
			cells[c] = NULL;
			continue;
		}
		if ((cells[c] = malloc(len[c] + 1)) == NULL)
			rout_fail("out of memory");
		if (len[c] <= b[c].buffer_length) {
			memcpy(cells[c], small + c * 256, len[c]);
		} else {
			MYSQL_BIND one;

			/* longer than the first buffer: fetch it whole */
			memset(&one, 0, sizeof(one));
			one.buffer_type = MYSQL_TYPE_STRING;
			one.buffer = cells[c];
			one.buffer_length = len[c] + 1;
			if (mysql_stmt_fetch_column(s, &one, (unsigned)c, 0) != 0)
				rdb_stmt_fail(s);
		}
		cells[c][len[c]] = '\0';
	}
}

static void
rdb_fetch(MYSQL_STMT *s, struct rdb_rows *rows)
{
	MYSQL_BIND *b;
	unsigned long *len;
	my_bool *isnull;
	char *small;
	size_t c, n = rows->ncols, cap = 0;
	int rc;

	b = calloc(n + 1, sizeof(*b));
	len = calloc(n + 1, sizeof(*len));
	isnull = calloc(n + 1, sizeof(*isnull));
	small = calloc(n + 1, 256);
	if (b == NULL || len == NULL || isnull == NULL || small == NULL)
		rout_fail("out of memory");
	for (c = 0; c < n; c++) {
		b[c].buffer_type = MYSQL_TYPE_STRING;
		b[c].buffer = small + c * 256;
		b[c].buffer_length = 255;
		b[c].length = &len[c];
		b[c].is_null = &isnull[c];
	}
	if (mysql_stmt_bind_result(s, b) != 0 ||
	    mysql_stmt_store_result(s) != 0)
		rdb_stmt_fail(s);
	while ((rc = mysql_stmt_fetch(s)) == 0 || rc == MYSQL_DATA_TRUNCATED) {
		if (rows->nrows == cap) {
			cap = cap ? cap * 2 : 16;
			rows->cell = realloc(rows->cell, cap * n *
			    sizeof(*rows->cell));
			if (rows->cell == NULL)
				rout_fail("out of memory");
		}
		rdb_fetch_row(s, b, len, isnull, small, n,
		    rows->cell + rows->nrows * n);
		rows->nrows++;
	}
	if (rc != MYSQL_NO_DATA)
		rdb_stmt_fail(s);
	mysql_stmt_free_result(s);
	free(b);
	free(len);
	free(isnull);
	free(small);
}

void
rdb_run(struct rdb *r, struct rdb_query *q, struct rdb_rows *rows)
{
	MYSQL_BIND pb[RDB_MAX_PARAMS + 1];
	unsigned long plen[RDB_MAX_PARAMS + 1];
	MYSQL_STMT *s;
	MYSQL_RES *meta;

	memset(rows, 0, sizeof(*rows));
	memset(pb, 0, sizeof(pb));
	if (getenv("SPAMPOT_REPORT_SQL") != NULL)	/* for EXPLAIN, tests */
		fprintf(stderr, "SQL: %.*s\n", (int)q->sql.len, q->sql.data);
	if ((s = mysql_stmt_init(r->db)) == NULL)
		rout_fail("out of memory");
	if (mysql_stmt_prepare(s, q->sql.data, q->sql.len) != 0)
		rdb_stmt_fail(s);
	if (mysql_stmt_param_count(s) != q->nparams)
		rout_fail("internal error: %lu placeholders, %zu values",
		    mysql_stmt_param_count(s), q->nparams);
	rdb_bind_params(q, pb, plen);
	if (mysql_stmt_bind_param(s, pb) != 0 || mysql_stmt_execute(s) != 0)
		rdb_stmt_fail(s);
	if ((meta = mysql_stmt_result_metadata(s)) != NULL) {
		rows->ncols = mysql_num_fields(meta);
		mysql_free_result(meta);
		rdb_fetch(s, rows);
	}
	mysql_stmt_close(s);
	buf_release(&q->sql);
	rdb_init(q);
}

void
rdb_rows_clear(struct rdb_rows *rows)
{
	size_t i;

	for (i = 0; i < rows->nrows * rows->ncols; i++)
		free(rows->cell[i]);
	free(rows->cell);
	memset(rows, 0, sizeof(*rows));
}

const char *
rdb_cell(const struct rdb_rows *rows, size_t row, size_t col)
{
	if (row >= rows->nrows || col >= rows->ncols)
		return NULL;
	return rows->cell[row * rows->ncols + col];
}

unsigned long long
rdb_num(const struct rdb_rows *rows, size_t row, size_t col)
{
	const char *c = rdb_cell(rows, row, col);

	return c == NULL ? 0 : strtoull(c, NULL, 10);
}
