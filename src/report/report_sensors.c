/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * report_sensors: `spampot-report sensors`, each sensor's last heartbeat
 * (sensor_heartbeats, written by its analyzer once a minute) judged as a
 * monitoring check: OK, WARNING or CRITICAL, with the exit status of the
 * Nagios plugin convention (0, 1, 2; 3 UNKNOWN: no sensor has a
 * heartbeat). The text's first line is the plugin's status line.
 *
 * WARNING: the heartbeat or spampotd's status file is older than --warn;
 * spampotd is stopping, runs fewer workers than configured, or wrote no
 * status file; the backlog in new/ is --backlog files or more and grew
 * since the beat before. CRITICAL: older than --crit; spampotd stopped
 * or runs no worker.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "report_int.h"

enum rsens_state { RSENS_OK, RSENS_WARNING, RSENS_CRITICAL };

static const char *const rsens_names[] = { "OK", "WARNING", "CRITICAL" };

static const struct rout_col rsens_cols[] = {
	{ "sensor", "SENSOR", RC_TEXT, 0, RC_FLEX },
	{ "status", "STATUS", RC_TEXT, 8, 0 },
	{ "age_s", "AGE S", RC_INT, 0, RC_RIGHT },
	{ "new_files", "NEW/", RC_INT, 0, RC_RIGHT },
	{ "bad_files", "BAD/", RC_INT, 0, RC_RIGHT },
	{ "sessions_hour", "SESS/H", RC_INT, 0, RC_RIGHT },
	{ "workers_alive", "ALIVE", RC_INT, 0, RC_RIGHT },
	{ "workers", "WORKERS", RC_INT, 0, RC_RIGHT },
	{ "beat_at", "BEAT", RC_TIME, 0, RC_NOTEXT },
	{ "version", "VERSION", RC_TEXT, 0, RC_NOTEXT },
	{ "analyzer_started", "STARTED", RC_TIME, 0, RC_NOTEXT },
	{ "last_import", "LAST IMPORT", RC_TIME, 0, RC_NOTEXT },
	{ "new_files_before", "NEW BEFORE", RC_INT, 0, RC_NOTEXT },
	{ "spool_free", "FREE", RC_INT, 0, RC_NOTEXT },
	{ "sensor_state", "STATE", RC_TEXT, 0, RC_NOTEXT },
	{ "sensor_version", "SENSOR VERSION", RC_TEXT, 0, RC_NOTEXT },
	{ "sensor_written", "STATUS FILE", RC_TIME, 0, RC_NOTEXT },
	{ "status_age_s", "STATUS AGE", RC_INT, 0, RC_NOTEXT },
	{ "problems", "problems", RC_TEXT, 0, RC_LINE },
};
#define RSENS_NCOLS	(sizeof(rsens_cols) / sizeof(rsens_cols[0]))

/* The columns the judgement reads, by their index above. */
enum {
	C_SENSOR = RSENS_C_SENSOR, C_STATUS = RSENS_C_STATUS, C_AGE, C_NEW,
	C_BAD, C_SESS, C_ALIVE, C_WORKERS, C_BEAT, C_VERSION, C_STARTED,
	C_LAST, C_BEFORE, C_FREE, C_STATE, C_SVERSION, C_WRITTEN, C_SAGE,
	C_PROBLEMS
};
_Static_assert(C_PROBLEMS == RSENS_C_PROBLEMS &&
    RSENS_C_PROBLEMS + 1 == RSENS_NCOLS, "report_int.h: RSENS_C_*");

/* One problem found: the state raised to at least ST, its words added. */
static void
rsens_problem(enum rsens_state *state, struct buf *why, enum rsens_state st,
    const char *text)
{
	if (st > *state)
		*state = st;
	if ((why->len > 0 && buf_append(why, "; ", 2) == -1) ||
	    buf_append(why, text, strlen(text)) == -1)
		rout_fail("out of memory");
}

/* An age against the thresholds: OK, WARNING or CRITICAL. */
static enum rsens_state
rsens_age(const struct report_opts *o, unsigned long long age)
{
	if (age > (unsigned long long)o->crit_s)
		return RSENS_CRITICAL;
	return age > (unsigned long long)o->warn_s ? RSENS_WARNING : RSENS_OK;
}

/* What spampotd's status file, as the heartbeat carried it, says. */
static void
rsens_daemon(const struct report_opts *o, const struct rdb_rows *r, size_t i,
    enum rsens_state *st, struct buf *why)
{
	const char *state = rdb_cell(r, i, C_STATE);
	unsigned long long sage = rdb_num(r, i, C_SAGE);
	unsigned long long alive = rdb_num(r, i, C_ALIVE);
	unsigned long long want = rdb_num(r, i, C_WORKERS);
	enum rsens_state a;
	char text[96];

	if (state == NULL)
		rsens_problem(st, why, RSENS_WARNING,
		    "no status file from spampotd");
	else if (strcmp(state, "stopped") == 0)
		rsens_problem(st, why, RSENS_CRITICAL, "spampotd stopped");
	else if ((a = rsens_age(o, sage)) != RSENS_OK) {
		snprintf(text, sizeof(text), "spampotd silent for %llu s",
		    sage);
		rsens_problem(st, why, a, text);
	} else if (alive == 0)
		rsens_problem(st, why, RSENS_CRITICAL, "no worker running");
	else if (strcmp(state, "stopping") == 0)
		rsens_problem(st, why, RSENS_WARNING, "spampotd stopping");
	else if (alive < want) {
		snprintf(text, sizeof(text), "%llu of %llu workers running",
		    alive, want);
		rsens_problem(st, why, RSENS_WARNING, text);
	}
}

static enum rsens_state
rsens_judge(const struct report_opts *o, const struct rdb_rows *r, size_t i,
    struct buf *why)
{
	enum rsens_state st = RSENS_OK, a;
	unsigned long long age = rdb_num(r, i, C_AGE);
	unsigned long long nw = rdb_num(r, i, C_NEW);
	char text[96];

	if ((a = rsens_age(o, age)) != RSENS_OK) {
		snprintf(text, sizeof(text), "no heartbeat for %llu s", age);
		rsens_problem(&st, why, a, text);
	}
	rsens_daemon(o, r, i, &st, why);
	if (nw >= o->backlog && nw > rdb_num(r, i, C_BEFORE)) {
		snprintf(text, sizeof(text), "backlog of %llu files in new/, "
		    "growing", nw);
		rsens_problem(&st, why, RSENS_WARNING, text);
	}
	return st;
}

/* A cell of the result replaced by a value of our own. */
static void
rsens_set(struct rdb_rows *r, size_t i, size_t col, const char *v)
{
	char **cell = &r->cell[i * r->ncols + col];

	free(*cell);
	if ((*cell = strdup(v)) == NULL)
		rout_fail("out of memory");
}

/* The plugin's status line: the worst state, then each sensor not OK
 * (names and problems escaped as text shows them). */
static void
rsens_status_line(const struct report_opts *o, const struct rdb_rows *r,
    enum rsens_state worst)
{
	struct buf b = { NULL, 0, 0 };
	char head[64];
	size_t i, bad = 0;

	snprintf(head, sizeof(head), "SENSORS %s - %zu sensor%s",
	    rsens_names[worst], r->nrows, r->nrows == 1 ? "" : "s");
	if (buf_append(&b, head, strlen(head)) == -1)
		rout_fail("out of memory");
	for (i = 0; i < r->nrows; i++) {
		if (strcmp(rdb_cell(r, i, C_STATUS), "OK") == 0)
			continue;
		if (buf_append(&b, bad++ == 0 ? ": " : ", ", 2) == -1)
			rout_fail("out of memory");
		rout_escape(&b, rdb_cell(r, i, C_SENSOR));
		if (buf_append(&b, " ", 1) == -1)
			rout_fail("out of memory");
		rout_escape(&b, rdb_cell(r, i, C_PROBLEMS));
	}
	if (buf_append(&b, "\n", 1) == -1)
		rout_fail("out of memory");
	rout_flush(o, &b);
}

int
rsens_fetch(struct rdb *db, const struct report_opts *o,
    struct rdb_rows *rows)
{
	enum rsens_state worst = RSENS_OK, st;
	struct buf why = { NULL, 0, 0 };
	struct rdb_query q;
	size_t i;

	rdb_init(&q);
	rdb_sql(&q, "SELECT s.sensor, '', GREATEST(0, TIMESTAMPDIFF(SECOND, "
	    "s.beat_at, UTC_TIMESTAMP(6))), s.new_files, s.bad_files, "
	    "s.sessions_hour, s.workers_alive, s.workers, s.beat_at, "
	    "s.version, s.analyzer_started, s.last_import, "
	    "s.new_files_before, s.spool_free, s.sensor_state, "
	    "s.sensor_version, s.sensor_written, GREATEST(0, "
	    "TIMESTAMPDIFF(SECOND, s.sensor_written, UTC_TIMESTAMP(6))), '' "
	    "FROM sensor_heartbeats s WHERE 1 = 1");
	rdb_sensor(&q, o);
	/* every sensor, whatever --limit: a check that skipped some would
	 * say OK of sensors it never looked at */
	rdb_sql(&q, " ORDER BY s.sensor");
	rdb_run(db, &q, rows);
	for (i = 0; i < rows->nrows; i++) {
		why.len = 0;
		st = rsens_judge(o, rows, i, &why);
		if (st > worst)
			worst = st;
		if (buf_append(&why, "", 1) == -1)
			rout_fail("out of memory");
		rsens_set(rows, i, C_STATUS, rsens_names[st]);
		rsens_set(rows, i, C_PROBLEMS, why.data);
	}
	buf_release(&why);
	return (int)worst;
}

int
rsens_run(struct rdb *db, const struct report_opts *o)
{
	struct rdb_rows rows;
	struct rout_table t;
	int worst;

	worst = rsens_fetch(db, o, &rows);
	if (o->format == RF_TEXT && rows.nrows > 0)
		rsens_status_line(o, &rows, (enum rsens_state)worst);
	memset(&t, 0, sizeof(t));
	t.report = "sensors";
	t.cols = rsens_cols;
	t.ncols = RSENS_NCOLS;
	t.rows = &rows;
	rout_table(o, &t);
	if (rows.nrows == 0) {
		fprintf(o->format == RF_TEXT ? o->out : stderr, "SENSORS "
		    "UNKNOWN - no heartbeat from %s\n", o->sensor != NULL ?
		    "this sensor" : "any sensor");
		rdb_rows_clear(&rows);
		return RSENS_EXIT_UNKNOWN;
	}
	rdb_rows_clear(&rows);
	return worst;
}
