/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * report_summary: `spampot-report summary`, the numbers of a time window
 * (all time by default): sessions, messages, distinct client addresses,
 * recipients, URLs, attachments, credentials tried, the first and last
 * session, the busiest hour and the newest session. From the analyzer's
 * running totals (report_rollup.c) unless a sensor is named; then from
 * the rows, each statement on the time index of its tables. The HTML page
 * shows the same numbers.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "report_int.h"
#include "report_rollup.h"

/* What the summary counts, as the running totals count it. */
static const char *const rsum_kinds[] = {
	"client-ip", "sender", "rcpt-domain", "url-host", "attachment",
	"credential",
};
#define RSUM_NKINDS	(sizeof(rsum_kinds) / sizeof(rsum_kinds[0]))

/* (SELECT COUNT(*) FROM table alias [joins to s] WHERE window) */
static void
rsum_count(struct rdb_query *q, const struct report_opts *o,
    const char *from, const char *to_session, const char *time)
{
	rdb_sql(q, "(SELECT COUNT(*) FROM ");
	rdb_sql(q, from);
	if (o->sensor != NULL)
		rdb_sql(q, to_session);
	rdb_sql(q, " WHERE 1=1");
	rdb_window(q, time, o);
	rdb_sensor(q, o);
	rdb_sql(q, ")");
}

static char *
rsum_dup(const char *s)
{
	char *d;

	if (s == NULL)
		return NULL;
	if ((d = strdup(s)) == NULL)
		rout_fail("out of memory");
	return d;
}

/* The counts of the window from the running totals. */
static void
rsum_rollup_counts(struct rdb *db, const struct report_opts *o,
    struct rsum *sum)
{
	unsigned long long *n[RSUM_NKINDS] = { &sum->sessions, &sum->messages,
	    &sum->recipients, &sum->urls, &sum->attachments,
	    &sum->credentials };
	struct rroll_window w;
	struct rdb_query q;
	struct rdb_rows rows;
	size_t i, k;
	int r;

	rdb_init(&q);
	rroll_kind_totals(&q, o, rsum_kinds, RSUM_NKINDS);
	rdb_run(db, &q, &rows);
	for (i = 0; i < rows.nrows; i++)
		for (k = 0; k < RSUM_NKINDS; k++) {
			if (strcmp(rdb_cell(&rows, i, 0), rsum_kinds[k]) != 0)
				continue;
			*n[k] = rdb_num(&rows, i, 1);
			if (k == 0) {	/* client-ip: the sessions' times */
				sum->first = rsum_dup(rdb_cell(&rows, i, 2));
				sum->last = rsum_dup(rdb_cell(&rows, i, 3));
			}
		}
	rdb_rows_clear(&rows);

	/* distinct client addresses */
	rroll_split(o, &w);
	if (o->since == 0 && o->until == 0)
		rdb_sql(&q, "SELECT COUNT(*) FROM value_totals WHERE "
		    "kind = 'client-ip'");
	else {
		rdb_sql(&q, "SELECT COUNT(DISTINCT k) FROM (SELECT NULL AS k "
		    "FROM DUAL WHERE 0");
		if (w.hours) {
			rdb_sql(&q, " UNION ALL SELECT value_sha256 FROM "
			    "value_hours WHERE kind = 'client-ip'");
			rroll_hours(&q, &w);
		}
		for (r = 0; r < w.nraw; r++) {
			rdb_sql(&q, " UNION ALL SELECT UNHEX(SHA2(s.client_ip, "
			    "256)) FROM sessions s WHERE 1=1");
			rroll_range(&q, "s.started_at", &w, r);
		}
		rdb_sql(&q, ") u");
	}
	rdb_run(db, &q, &rows);
	sum->client_ips = rdb_num(&rows, 0, 0);
	rdb_rows_clear(&rows);

	/* the busiest hour */
	rdb_sql(&q, "SELECT h, SUM(n) AS n FROM (SELECT NULL AS h, 0 AS n "
	    "FROM DUAL WHERE 0");
	if (w.hours) {
		rdb_sql(&q, " UNION ALL SELECT DATE_FORMAT(hour, "
		    "'%Y-%m-%d %H:00:00'), n FROM kind_hours WHERE "
		    "kind = 'client-ip'");
		rroll_hours(&q, &w);
	}
	for (r = 0; r < w.nraw; r++) {
		rdb_sql(&q, " UNION ALL SELECT DATE_FORMAT(s.started_at, "
		    "'%Y-%m-%d %H:00:00') AS h, COUNT(*) FROM sessions s "
		    "WHERE 1=1");
		rroll_range(&q, "s.started_at", &w, r);
		rdb_sql(&q, " GROUP BY h");
	}
	rdb_sql(&q, ") u GROUP BY h ORDER BY n DESC, h DESC LIMIT 1");
	rdb_run(db, &q, &rows);
	sum->busiest_hour = rsum_dup(rdb_cell(&rows, 0, 0));
	sum->busiest_sessions = rdb_num(&rows, 0, 1);
	rdb_rows_clear(&rows);
}

/* The counts of the window from the rows: a sensor's. */
static void
rsum_row_counts(struct rdb *db, const struct report_opts *o,
    struct rsum *sum)
{
	struct rdb_query q;
	struct rdb_rows rows;

	rdb_init(&q);
	rdb_sql(&q, "SELECT COUNT(*), COUNT(DISTINCT s.client_ip), "
	    "COALESCE(SUM(s.messages), 0), MIN(s.started_at), "
	    "MAX(s.started_at) FROM sessions s WHERE 1=1");
	rdb_window(&q, "s.started_at", o);
	rdb_sensor(&q, o);
	rdb_run(db, &q, &rows);
	sum->sessions = rdb_num(&rows, 0, 0);
	sum->client_ips = rdb_num(&rows, 0, 1);
	sum->messages = rdb_num(&rows, 0, 2);
	sum->first = rsum_dup(rdb_cell(&rows, 0, 3));
	sum->last = rsum_dup(rdb_cell(&rows, 0, 4));
	rdb_rows_clear(&rows);

	rdb_sql(&q, "SELECT ");
	rsum_count(&q, o, "recipients r", " JOIN messages m ON m.id = "
	    "r.message_id JOIN sessions s ON s.id = m.session_id",
	    "r.received_at");
	rdb_sql(&q, ", ");
	rsum_count(&q, o, "urls u", " JOIN messages m ON m.id = u.message_id "
	    "JOIN sessions s ON s.id = m.session_id", "u.received_at");
	rdb_sql(&q, ", ");
	rsum_count(&q, o, "attachments a", " JOIN messages m ON m.id = "
	    "a.message_id JOIN sessions s ON s.id = m.session_id",
	    "a.received_at");
	rdb_sql(&q, ", ");
	rsum_count(&q, o, "auth_attempts c", " JOIN sessions s ON s.id = "
	    "c.session_id", "c.tried_at");
	rdb_run(db, &q, &rows);
	sum->recipients = rdb_num(&rows, 0, 0);
	sum->urls = rdb_num(&rows, 0, 1);
	sum->attachments = rdb_num(&rows, 0, 2);
	sum->credentials = rdb_num(&rows, 0, 3);
	rdb_rows_clear(&rows);

	rdb_sql(&q, "SELECT DATE_FORMAT(s.started_at, '%Y-%m-%d %H:00:00') "
	    "AS h, COUNT(*) AS n FROM sessions s WHERE 1=1");
	rdb_window(&q, "s.started_at", o);
	rdb_sensor(&q, o);
	rdb_sql(&q, " GROUP BY h ORDER BY n DESC, h DESC LIMIT 1");
	rdb_run(db, &q, &rows);
	sum->busiest_hour = rsum_dup(rdb_cell(&rows, 0, 0));
	sum->busiest_sessions = rdb_num(&rows, 0, 1);
	rdb_rows_clear(&rows);
}

void
rsum_fetch(struct rdb *db, const struct report_opts *o, struct rsum *sum)
{
	struct rdb_query q;

	memset(sum, 0, sizeof(*sum));
	if (rroll_usable(o))
		rsum_rollup_counts(db, o, sum);
	else
		rsum_row_counts(db, o, sum);
	rdb_init(&q);
	rdb_sql(&q, "SELECT s.started_at, s.client_ip, s.spool_name, "
	    "s.session_key FROM sessions s WHERE 1=1");
	rdb_window(&q, "s.started_at", o);
	rdb_sensor(&q, o);
	rdb_sql(&q, " ORDER BY s.started_at DESC, s.id DESC LIMIT 1");
	rdb_run(db, &q, &sum->newest);
}

void
rsum_clear(struct rsum *sum)
{
	free(sum->first);
	free(sum->last);
	free(sum->busiest_hour);
	rdb_rows_clear(&sum->newest);
}

static const struct {
	const char	*key;
	const char	*title;
	size_t		 offset;
} rsum_numbers[] = {
	{ "sessions", "sessions", offsetof(struct rsum, sessions) },
	{ "messages", "messages", offsetof(struct rsum, messages) },
	{ "client_ips", "client addresses", offsetof(struct rsum, client_ips) },
	{ "recipients", "recipients", offsetof(struct rsum, recipients) },
	{ "urls", "URLs", offsetof(struct rsum, urls) },
	{ "attachments", "attachments", offsetof(struct rsum, attachments) },
	{ "credentials", "credentials tried", offsetof(struct rsum,
	    credentials) },
};
#define RSUM_NNUMBERS	(sizeof(rsum_numbers) / sizeof(rsum_numbers[0]))

static unsigned long long
rsum_number(const struct rsum *sum, size_t i)
{
	return *(const unsigned long long *)((const char *)sum +
	    rsum_numbers[i].offset);
}

static void
rsum_json_time(struct buf *b, const char *key, const char *db)
{
	char t[40];

	json_key(b, key, 0);
	if (db == NULL) {
		json_cstr(b, NULL);
		return;
	}
	rtime_db_iso(db, t, sizeof(t));
	json_cstr(b, t);
}

static void
rsum_json(struct buf *b, const struct report_opts *o, const struct rsum *sum)
{
	size_t i;

	rout_json_head(b, o, "summary", NULL);
	for (i = 0; i < RSUM_NNUMBERS; i++)
		buf_appendf(b, ",\"%s\":%llu", rsum_numbers[i].key,
		    rsum_number(sum, i));
	rsum_json_time(b, "first_session", sum->first);
	rsum_json_time(b, "last_session", sum->last);
	json_key(b, "busiest_hour", 0);
	if (sum->busiest_hour != NULL) {
		buf_append(b, "{\"hour\":", 8);
		rout_json_cell(b, RC_TIME, sum->busiest_hour);
		buf_appendf(b, ",\"sessions\":%llu}", sum->busiest_sessions);
	} else
		buf_append(b, "null", 4);
	json_key(b, "newest_session", 0);
	if (sum->newest.nrows > 0) {
		buf_append(b, "{\"started_at\":", 14);
		rout_json_cell(b, RC_TIME, rdb_cell(&sum->newest, 0, 0));
		json_key(b, "client_ip", 0);
		json_cstr(b, rdb_cell(&sum->newest, 0, 1));
		json_key(b, "spool_name", 0);
		json_cstr(b, rdb_cell(&sum->newest, 0, 2));
		json_key(b, "session", 0);
		json_cstr(b, rdb_cell(&sum->newest, 0, 3));
		buf_append(b, "}", 1);
	} else
		buf_append(b, "null", 4);
	buf_append(b, "}\n", 2);
}

static void
rsum_csv_row(struct buf *b, const struct report_opts *o, const char *key,
    const char *value, int time)
{
	char t[40];

	rout_csv_field(b, key, o->csv_safe);
	buf_append(b, ",", 1);
	if (value != NULL && time) {
		rtime_db_iso(value, t, sizeof(t));
		value = t;
	}
	rout_csv_field(b, value, o->csv_safe);
	buf_append(b, "\r\n", 2);
}

static void
rsum_csv(struct buf *b, const struct report_opts *o, const struct rsum *sum)
{
	char n[32];
	size_t i;

	rsum_csv_row(b, o, "key", "value", 0);
	for (i = 0; i < RSUM_NNUMBERS; i++) {
		snprintf(n, sizeof(n), "%llu", rsum_number(sum, i));
		rsum_csv_row(b, o, rsum_numbers[i].key, n, 0);
	}
	rsum_csv_row(b, o, "first_session", sum->first, 1);
	rsum_csv_row(b, o, "last_session", sum->last, 1);
	rsum_csv_row(b, o, "busiest_hour", sum->busiest_hour, 1);
	snprintf(n, sizeof(n), "%llu", sum->busiest_sessions);
	rsum_csv_row(b, o, "busiest_hour_sessions",
	    sum->busiest_hour ? n : NULL, 0);
	rsum_csv_row(b, o, "newest_session_started_at",
	    rdb_cell(&sum->newest, 0, 0), 1);
	rsum_csv_row(b, o, "newest_session_client_ip",
	    rdb_cell(&sum->newest, 0, 1), 0);
	rsum_csv_row(b, o, "newest_session_spool_name",
	    rdb_cell(&sum->newest, 0, 2), 0);
	rsum_csv_row(b, o, "newest_session", rdb_cell(&sum->newest, 0, 3), 0);
}

/* "all time", "since 2026-11-25 16:00", "2026-11-25 16:00 to ..." */
static void
rsum_window_text(struct buf *b, const struct report_opts *o)
{
	char s[32], u[32];

	rtime_sql(o->since, s, sizeof(s));
	rtime_sql(o->until, u, sizeof(u));
	if (o->since == 0 && o->until == 0)
		buf_appendf(b, "all time");
	else if (o->until == 0)
		buf_appendf(b, "since %.16s UTC", s);
	else if (o->since == 0)
		buf_appendf(b, "until %.16s UTC", u);
	else
		buf_appendf(b, "%.16s to %.16s UTC", s, u);
}

static void
rsum_text_line(struct buf *b, const char *title, const char *value)
{
	buf_appendf(b, "%-20s", title);
	rout_text_safe(b, value, ROUT_WIDTH - 20, 0, 0);
	buf_append(b, "\n", 1);
}

static void
rsum_text(struct buf *b, const struct report_opts *o, const struct rsum *sum)
{
	char v[128];
	size_t i;

	buf_appendf(b, "spampot summary, ");
	rsum_window_text(b, o);
	buf_append(b, "\n", 1);
	if (o->sensor != NULL)
		rsum_text_line(b, "sensor", o->sensor);
	for (i = 0; i < RSUM_NNUMBERS; i++) {
		snprintf(v, sizeof(v), "%llu", rsum_number(sum, i));
		rsum_text_line(b, rsum_numbers[i].title, v);
	}
	if (sum->first != NULL) {
		snprintf(v, sizeof(v), "%.19s UTC", sum->first);
		rsum_text_line(b, "first session", v);
		snprintf(v, sizeof(v), "%.19s UTC", sum->last);
		rsum_text_line(b, "last session", v);
	}
	if (sum->busiest_hour != NULL) {
		snprintf(v, sizeof(v), "%.16s UTC, %llu sessions",
		    sum->busiest_hour, sum->busiest_sessions);
		rsum_text_line(b, "busiest hour", v);
	}
	if (sum->newest.nrows > 0) {
		snprintf(v, sizeof(v), "%.19s UTC from ",
		    rdb_cell(&sum->newest, 0, 0));
		buf_appendf(b, "%-20s%s", "newest session", v);
		rout_text_safe(b, rdb_cell(&sum->newest, 0, 1),
		    ROUT_WIDTH - 20 - strlen(v), 0, 0);
		buf_appendf(b, "\n%-20s", "");
		rout_text_safe(b, rdb_cell(&sum->newest, 0, 2), ROUT_WIDTH - 20,
		    0, 0);
		buf_append(b, "\n", 1);
	}
}

int
rsum_run(struct rdb *db, const struct report_opts *o)
{
	struct buf b = { NULL, 0, 0 };
	struct rsum sum;
	int found;

	rsum_fetch(db, o, &sum);
	found = sum.sessions > 0;
	switch (o->format) {
	case RF_JSON:
		rsum_json(&b, o, &sum);
		break;
	case RF_CSV:
		rsum_csv(&b, o, &sum);
		break;
	case RF_TEXT:
	case RF_MISP:		/* export only: report.c refuses them here */
	case RF_STIX:
		rsum_text(&b, o, &sum);
		break;
	}
	rout_flush(o, &b);
	rsum_clear(&sum);
	return found ? REPORT_FOUND : REPORT_NONE;
}
