/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * report_html: `spampot-report html -o FILE`, one self-contained HTML page
 * of a time window: the summary numbers, sessions and messages per hour
 * (windows up to three days), day or month, each sensor's sessions and
 * health (its heartbeat judged as spampot-report sensors does), the top
 * client addresses,
 * recipient domains, registrable domains, credentials and attachments,
 * and the clients' TLS (versions, JA4, SNI, failed handshakes), as inline
 * SVG charts with the rows beneath them in tables.
 *
 * Nothing is fetched: no script, no font, no image, no link to anything; a
 * Content-Security-Policy of default-src 'none' says so to the browser as
 * well. Every value from the database is escaped (report_svg.c). A print
 * stylesheet keeps the colours of the bars and avoids breaking a chart
 * across pages.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report_int.h"
#include "report_rollup.h"

#define RHTML_TOP	10
#define RHTML_SENSORS	200	/* sensors listed at most */

static const char rhtml_style[] =
    "body{font:14px/1.4 system-ui,-apple-system,'Segoe UI',Roboto,"
    "'DejaVu Sans',sans-serif;color:#1a202c;background:#fff;margin:0 auto;"
    "max-width:1100px;padding:16px 24px}\n"
    "h1{font-size:24px;margin:8px 0 4px}h2{font-size:17px;margin:0 0 8px;"
    "border-bottom:1px solid #cbd5e0;padding-bottom:4px}\n"
    ".meta{color:#4a5568;margin:0 0 16px}\n"
    "section{margin:0 0 24px;break-inside:avoid;page-break-inside:avoid}\n"
    ".numbers{display:grid;grid-template-columns:repeat(4,1fr);gap:8px}\n"
    ".num{border:1px solid #cbd5e0;border-radius:6px;padding:8px 12px}\n"
    ".num b{display:block;font-size:22px}.num span{color:#4a5568}\n"
    ".facts{margin:8px 0 0;color:#2d3748}\n"
    "svg{width:100%;height:auto;display:block;margin:0 0 8px}\n"
    "svg text{font:12px system-ui,'DejaVu Sans',sans-serif;fill:#1a202c}\n"
    "svg .axis{fill:#4a5568;font-size:11px}\n"
    "svg .bar{fill:#2b6cb0}svg .bar2{fill:#dd6b20}"
    "svg .grid{stroke:#e2e8f0;stroke-width:1}\n"
    "table{border-collapse:collapse;width:100%;font-size:13px}\n"
    "th,td{text-align:left;padding:3px 6px;border-bottom:1px solid #e2e8f0;"
    "vertical-align:top}\n"
    "td.n{text-align:right;white-space:nowrap}td.t{white-space:nowrap}\n"
    "td.v{word-break:break-all}\n"
    ".empty{color:#718096;font-style:italic}\n"
    "footer{color:#718096;font-size:12px;border-top:1px solid #e2e8f0;"
    "padding-top:6px}\n"
    "@media print{body{max-width:none;padding:0;font-size:11px}"
    ".numbers{grid-template-columns:repeat(4,1fr)}"
    "*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}\n";

enum rhtml_step { STEP_HOUR, STEP_DAY, STEP_MONTH };

struct rhtml_series {
	size_t			 n;
	char			**labels;	/* as DATE_FORMAT gives them */
	char			**shown;	/* short, on the axis */
	unsigned long long	*sessions, *messages;
};

static void
rhtml_time(struct buf *b, const char *db)
{
	char t[40];

	rtime_db_text(db, t, sizeof(t));
	rsvg_escape(b, t);
}

static void
rhtml_numbers(struct buf *b, const struct rsum *sum)
{
	static const char *const titles[] = { "sessions", "messages",
	    "client addresses", "recipients", "URLs", "attachments",
	    "credentials tried" };
	const unsigned long long v[] = { sum->sessions, sum->messages,
	    sum->client_ips, sum->recipients, sum->urls, sum->attachments,
	    sum->credentials };
	size_t i;

	buf_appendf(b, "<section><h2>Summary</h2><div class=\"numbers\">\n");
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		buf_appendf(b, "<div class=\"num\"><b>%llu</b><span>%s</span>"
		    "</div>\n", v[i], titles[i]);
	buf_appendf(b, "</div>\n<p class=\"facts\">");
	if (sum->busiest_hour != NULL) {
		buf_appendf(b, "Busiest hour: ");
		rhtml_time(b, sum->busiest_hour);
		buf_appendf(b, " UTC (%llu sessions). ", sum->busiest_sessions);
	}
	if (sum->newest.nrows > 0) {
		buf_appendf(b, "Newest session: ");
		rhtml_time(b, rdb_cell(&sum->newest, 0, 0));
		buf_appendf(b, " UTC from ");
		rsvg_escape(b, rdb_cell(&sum->newest, 0, 1));
		buf_appendf(b, ", <code>");
		rsvg_escape(b, rdb_cell(&sum->newest, 0, 2));
		buf_appendf(b, "</code>.");
	}
	buf_appendf(b, "</p></section>\n");
}

static enum rhtml_step
rhtml_step(time_t from, time_t to)
{
	if (to - from <= 3 * 86400)
		return STEP_HOUR;
	if (to - from <= 400 * 86400)
		return STEP_DAY;
	return STEP_MONTH;
}

static const char *
rhtml_sql_format(enum rhtml_step step)
{
	return step == STEP_HOUR ? "'%Y-%m-%d %H:00'" :
	    step == STEP_DAY ? "'%Y-%m-%d'" : "'%Y-%m'";
}

static time_t
rhtml_db_time(const char *db)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (db == NULL || sscanf(db, "%4d-%2d-%2d %2d:%2d:%2d", &tm.tm_year,
	    &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
	    &tm.tm_sec) != 6)
		return 0;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return timegm(&tm);
}

/* Per bucket: DATE_FORMAT(time), COUNT(*), ordered. */
static void
rhtml_per(struct rdb *db, const struct report_opts *o, enum rhtml_step step,
    int messages, struct rdb_rows *rows)
{
	struct rdb_query q;
	const char *col = messages ? "m.received_at" : "s.started_at";

	rdb_init(&q);
	if (rroll_usable(o)) {
		rroll_per_bucket(&q, o, rroll_source(messages ? "sender" :
		    "client-ip"), rhtml_sql_format(step));
		rdb_run(db, &q, rows);
		return;
	}
	rdb_sql(&q, "SELECT DATE_FORMAT(");
	rdb_sql(&q, col);
	rdb_sql(&q, ", ");
	rdb_sql(&q, rhtml_sql_format(step));
	rdb_sql(&q, ") AS b, COUNT(*) FROM ");
	if (messages)
		rdb_sql(&q, o->sensor ? "messages m JOIN sessions s ON "
		    "s.id = m.session_id" : "messages m");
	else
		rdb_sql(&q, "sessions s");
	rdb_sql(&q, " WHERE 1=1");
	rdb_window(&q, col, o);
	rdb_sensor(&q, o);
	rdb_sql(&q, " GROUP BY b ORDER BY b");
	rdb_run(db, &q, rows);
}

static char *
rhtml_strdup(const char *s)
{
	char *d = strdup(s);

	if (d == NULL)
		rout_fail("out of memory");
	return d;
}

/* A bucket's name as DATE_FORMAT gives it, and as the axis shows it. */
static void
rhtml_label(enum rhtml_step step, const struct tm *tm, char *label,
    char *shown, size_t len)
{
	switch (step) {
	case STEP_HOUR:
		strftime(label, len, "%Y-%m-%d %H:00", tm);
		strftime(shown, len, "%m-%d %H:00", tm);
		break;
	case STEP_DAY:
		strftime(label, len, "%Y-%m-%d", tm);
		strftime(shown, len, "%m-%d", tm);
		break;
	case STEP_MONTH:
		strftime(label, len, "%Y-%m", tm);
		strftime(shown, len, "%Y-%m", tm);
		break;
	}
}

/* Every bucket from the first to the last, empty ones too. */
static void
rhtml_buckets(struct rhtml_series *ts, enum rhtml_step step, time_t from,
    time_t to, const struct rdb_rows *sess, const struct rdb_rows *msgs)
{
	struct tm tm;
	char label[32], shown[32];
	size_t cap = 0, si = 0, mi = 0;
	time_t t;

	gmtime_r(&from, &tm);
	tm.tm_min = tm.tm_sec = 0;
	if (step != STEP_HOUR)
		tm.tm_hour = 0;
	if (step == STEP_MONTH)
		tm.tm_mday = 1;
	for (t = timegm(&tm); t <= to && ts->n < 2000; t = timegm(&tm)) {
		rhtml_label(step, &tm, label, shown, sizeof(label));
		if (ts->n == cap) {
			cap = cap ? cap * 2 : 64;
			ts->labels = realloc(ts->labels, cap * sizeof(char *));
			ts->shown = realloc(ts->shown, cap * sizeof(char *));
			ts->sessions = realloc(ts->sessions, cap * 8);
			ts->messages = realloc(ts->messages, cap * 8);
			if (!ts->labels || !ts->shown || !ts->sessions ||
			    !ts->messages)
				rout_fail("out of memory");
		}
		ts->labels[ts->n] = rhtml_strdup(label);
		ts->shown[ts->n] = rhtml_strdup(shown);
		ts->sessions[ts->n] = ts->messages[ts->n] = 0;
		while (si < sess->nrows && strcmp(rdb_cell(sess, si, 0), label) < 0)
			si++;
		if (si < sess->nrows && strcmp(rdb_cell(sess, si, 0), label) == 0)
			ts->sessions[ts->n] = rdb_num(sess, si, 1);
		while (mi < msgs->nrows && strcmp(rdb_cell(msgs, mi, 0), label) < 0)
			mi++;
		if (mi < msgs->nrows && strcmp(rdb_cell(msgs, mi, 0), label) == 0)
			ts->messages[ts->n] = rdb_num(msgs, mi, 1);
		ts->n++;
		if (step == STEP_HOUR)
			tm.tm_hour++;
		else if (step == STEP_DAY)
			tm.tm_mday++;
		else
			tm.tm_mon++;
	}
}

static void
rhtml_timeline(struct buf *b, struct rdb *db, const struct report_opts *o,
    const struct rsum *sum)
{
	struct rhtml_series ts;
	struct rdb_rows sess, msgs;
	time_t from = o->since ? o->since : rhtml_db_time(sum->first);
	time_t to = o->until ? o->until - 1 : rhtml_db_time(sum->last);
	enum rhtml_step step;
	size_t i;

	if (o->until == 0 && o->since != 0)
		to = o->now;
	if (sum->sessions == 0)
		return;
	step = rhtml_step(from, to);
	memset(&ts, 0, sizeof(ts));
	rhtml_per(db, o, step, 0, &sess);
	rhtml_per(db, o, step, 1, &msgs);
	rhtml_buckets(&ts, step, from, to, &sess, &msgs);
	buf_appendf(b, "<section><h2>Sessions and messages per %s (UTC)</h2>\n",
	    step == STEP_HOUR ? "hour" : step == STEP_DAY ? "day" : "month");
	rsvg_timeline(b, "sessions and messages over time",
	    (const char *const *)ts.shown, ts.sessions, ts.messages, ts.n,
	    "sessions", "messages");
	buf_appendf(b, "</section>\n");
	for (i = 0; i < ts.n; i++) {
		free(ts.labels[i]);
		free(ts.shown[i]);
	}
	free(ts.labels);
	free(ts.shown);
	free(ts.sessions);
	free(ts.messages);
	rdb_rows_clear(&sess);
	rdb_rows_clear(&msgs);
}

/* The index of a column by its key, -1 if none. */
static int
rhtml_col(const struct rout_col *cols, size_t n, const char *key)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(cols[i].key, key) == 0)
			return (int)i;
	return -1;
}

/* The bars of ROWS: labels from column LC (NONE where NULL), values
 * from VC, both handed back for the table (freed by the caller). */
static void
rhtml_bars(struct buf *b, const char *title, const struct rdb_rows *rows,
    size_t lc, size_t vc, const char *none, const char ***labels,
    unsigned long long **values)
{
	size_t r;

	*labels = calloc(rows->nrows, sizeof(**labels));
	*values = calloc(rows->nrows, sizeof(**values));
	if (*labels == NULL || *values == NULL)
		rout_fail("out of memory");
	for (r = 0; r < rows->nrows; r++) {
		(*labels)[r] = rdb_cell(rows, r, lc) ? rdb_cell(rows, r, lc) :
		    none;
		(*values)[r] = rdb_num(rows, r, vc);
	}
	rsvg_bars(b, title, *labels, *values, rows->nrows);
}

/* A top list: bars, then its rows as a table. */
static void
rhtml_top(struct buf *b, struct rdb *db, const struct report_opts *o,
    const char *kind, const char *title, const char *label_key)
{
	struct report_opts top = *o;
	struct rdb_rows rows;
	const struct rout_col *cols;
	const char **labels;
	unsigned long long *values;
	size_t ncols, r;
	int vc, lc;

	top.limit = RHTML_TOP;
	cols = rtop_fetch(db, &top, kind, &rows, &ncols);
	vc = rhtml_col(cols, ncols, "value");
	lc = rhtml_col(cols, ncols, label_key);
	buf_appendf(b, "<section><h2>");
	rsvg_escape(b, title);
	buf_appendf(b, "</h2>\n");
	if (rows.nrows == 0) {
		buf_appendf(b, "<p class=\"empty\">none</p></section>\n");
		rdb_rows_clear(&rows);
		return;
	}
	rhtml_bars(b, title, &rows, (size_t)lc, 0, "(none)", &labels,
	    &values);
	buf_appendf(b, "<table><tr><th>count</th><th>first seen (UTC)</th>"
	    "<th>last seen (UTC)</th><th>%s</th>%s</tr>\n",
	    lc == vc ? "value" : "file name", lc == vc ? "" : "<th>SHA-256</th>");
	for (r = 0; r < rows.nrows; r++) {
		buf_appendf(b, "<tr><td class=\"n\">%llu</td><td class=\"t\">",
		    values[r]);
		rhtml_time(b, rdb_cell(&rows, r, 1));
		buf_appendf(b, "</td><td class=\"t\">");
		rhtml_time(b, rdb_cell(&rows, r, 2));
		buf_appendf(b, "</td><td class=\"v\">");
		rsvg_escape(b, labels[r]);
		if (lc != vc) {
			buf_appendf(b, "</td><td class=\"v\"><code>");
			rsvg_escape(b, rdb_cell(&rows, r, (size_t)vc));
			buf_appendf(b, "</code>");
		}
		buf_appendf(b, "</td></tr>\n");
	}
	buf_appendf(b, "</table></section>\n");
	free(labels);
	free(values);
	rdb_rows_clear(&rows);
}

/* Failed handshakes of the window, by stage and reason. */
static void
rhtml_tls_failed(struct buf *b, struct rdb *db, const struct report_opts *o)
{
	struct rdb_query q;
	struct rdb_rows rows;
	size_t r;

	rdb_init(&q);
	rdb_sql(&q, "SELECT k.fail_stage, k.fail_reason, COUNT(*) AS n, "
	    "MIN(k.started_at), MAX(k.started_at) AS last FROM session_tls k");
	if (o->sensor != NULL)
		rdb_sql(&q, " JOIN sessions s ON s.id = k.session_id");
	rdb_sql(&q, " WHERE k.ok = 0");
	rdb_window(&q, "k.started_at", o);
	rdb_sensor(&q, o);
	rdb_sql(&q, " GROUP BY k.fail_stage, k.fail_reason ORDER BY n DESC, "
	    "last DESC LIMIT ?");
	rdb_u64(&q, RHTML_TOP);
	rdb_run(db, &q, &rows);
	buf_appendf(b, "<section><h2>Failed TLS handshakes (by stage and "
	    "reason)</h2>\n");
	if (rows.nrows == 0)
		buf_appendf(b, "<p class=\"empty\">none</p>");
	else
		buf_appendf(b, "<table><tr><th>count</th><th>first seen (UTC)"
		    "</th><th>last seen (UTC)</th><th>stage</th><th>reason"
		    "</th></tr>\n");
	for (r = 0; r < rows.nrows; r++) {
		buf_appendf(b, "<tr><td class=\"n\">%llu</td><td class=\"t\">",
		    rdb_num(&rows, r, 2));
		rhtml_time(b, rdb_cell(&rows, r, 3));
		buf_appendf(b, "</td><td class=\"t\">");
		rhtml_time(b, rdb_cell(&rows, r, 4));
		buf_appendf(b, "</td><td class=\"t\">");
		rsvg_escape(b, rdb_cell(&rows, r, 0) ? rdb_cell(&rows, r, 0) :
		    "");
		buf_appendf(b, "</td><td class=\"v\">");
		rsvg_escape(b, rdb_cell(&rows, r, 1) ? rdb_cell(&rows, r, 1) :
		    "");
		buf_appendf(b, "</td></tr>\n");
	}
	buf_appendf(b, "%s</section>\n", rows.nrows ? "</table>" : "");
	rdb_rows_clear(&rows);
}

/* The campaigns with the most messages: bars, then a table. */
static void
rhtml_campaigns(struct buf *b, struct rdb *db, const struct report_opts *o)
{
	struct rdb_rows rows;
	const char **labels;
	unsigned long long *values;
	size_t r;

	rcamp_fetch(db, o, RHTML_TOP, &rows);
	buf_appendf(b, "<section><h2>Top campaigns (messages)</h2>\n");
	if (rows.nrows == 0) {
		buf_appendf(b, "<p class=\"empty\">none</p></section>\n");
		rdb_rows_clear(&rows);
		return;
	}
	rhtml_bars(b, "Top campaigns (messages)", &rows, 8, 1,
	    "(no subject)", &labels, &values);
	buf_appendf(b, "<table><tr><th>messages</th><th>sources</th>"
	    "<th>last seen (UTC)</th><th>campaign</th><th>link domains</th>"
	    "<th>subject</th></tr>\n");
	for (r = 0; r < rows.nrows; r++) {
		buf_appendf(b, "<tr><td class=\"n\">%llu</td><td class=\"n\">"
		    "%llu</td><td class=\"t\">", values[r],
		    rdb_num(&rows, r, 3));
		rhtml_time(b, rdb_cell(&rows, r, 6));
		buf_appendf(b, "</td><td class=\"v\"><code>");
		rsvg_escape(b, rdb_cell(&rows, r, 0));
		buf_appendf(b, "</code></td><td class=\"v\">");
		rsvg_escape(b, rdb_cell(&rows, r, 7) ? rdb_cell(&rows, r, 7) :
		    "");
		buf_appendf(b, "</td><td class=\"v\">");
		rsvg_escape(b, labels[r]);
		buf_appendf(b, "</td></tr>\n");
	}
	buf_appendf(b, "</table></section>\n");
	free(labels);
	free(values);
	rdb_rows_clear(&rows);
}

/* The heartbeat row of SENSOR among the judged ones, or -1. */
static ssize_t
rhtml_beat_of(const struct rdb_rows *beats, const char *sensor)
{
	size_t i;

	for (i = 0; i < beats->nrows; i++)
		if (strcmp(rdb_cell(beats, i, RSENS_C_SENSOR), sensor) == 0)
			return (ssize_t)i;
	return -1;
}

static void
rhtml_sensor_row(struct buf *b, const char *sensor, unsigned long long n,
    const char *first, const char *last, const struct rdb_rows *beats)
{
	ssize_t h = rhtml_beat_of(beats, sensor);

	buf_appendf(b, "<tr><td class=\"v\">");
	rsvg_escape(b, sensor);
	buf_appendf(b, "</td><td class=\"n\">%llu</td><td class=\"t\">", n);
	if (first != NULL)
		rhtml_time(b, first);
	buf_appendf(b, "</td><td class=\"t\">");
	if (last != NULL)
		rhtml_time(b, last);
	buf_appendf(b, "</td><td class=\"t\">");
	rsvg_escape(b, h < 0 ? "no heartbeat" :
	    rdb_cell(beats, (size_t)h, RSENS_C_STATUS));
	buf_appendf(b, "</td><td class=\"v\">");
	if (h >= 0)
		rsvg_escape(b, rdb_cell(beats, (size_t)h, RSENS_C_PROBLEMS));
	buf_appendf(b, "</td></tr>\n");
}

/*
 * Each sensor: its sessions in the window and its health now, as
 * spampot-report sensors judges its heartbeat. Sensors with a heartbeat
 * and no session in the window are listed too, with none.
 */
static void
rhtml_sensors(struct buf *b, struct rdb *db, const struct report_opts *o)
{
	struct rdb_query q;
	struct rdb_rows rows, beats;
	size_t r;

	rdb_init(&q);
	rdb_sql(&q, "SELECT s.sensor, COUNT(*) AS n, MIN(s.started_at), "
	    "MAX(s.started_at) FROM sessions s WHERE 1 = 1");
	rdb_window(&q, "s.started_at", o);
	rdb_sensor(&q, o);
	rdb_sql(&q, " GROUP BY s.sensor ORDER BY n DESC, s.sensor LIMIT ?");
	rdb_u64(&q, RHTML_SENSORS);
	rdb_run(db, &q, &rows);
	(void)rsens_fetch(db, o, &beats);
	buf_appendf(b, "<section><h2>Sensors (sessions, health now)</h2>\n");
	if (rows.nrows == 0 && beats.nrows == 0)
		buf_appendf(b, "<p class=\"empty\">none</p>");
	else
		buf_appendf(b, "<table><tr><th>sensor</th><th>sessions</th>"
		    "<th>first (UTC)</th><th>last (UTC)</th><th>health</th>"
		    "<th>problems</th></tr>\n");
	for (r = 0; r < rows.nrows; r++)
		rhtml_sensor_row(b, rdb_cell(&rows, r, 0), rdb_num(&rows, r,
		    1), rdb_cell(&rows, r, 2), rdb_cell(&rows, r, 3), &beats);
	for (r = 0; r < beats.nrows; r++) {
		const char *sensor = rdb_cell(&beats, r, RSENS_C_SENSOR);
		size_t i;

		for (i = 0; i < rows.nrows; i++)
			if (strcmp(rdb_cell(&rows, i, 0), sensor) == 0)
				break;
		if (i == rows.nrows)
			rhtml_sensor_row(b, sensor, 0, NULL, NULL, &beats);
	}
	buf_appendf(b, "%s</section>\n", rows.nrows || beats.nrows ?
	    "</table>" : "");
	rdb_rows_clear(&rows);
	rdb_rows_clear(&beats);
}

/* The clients' TLS: versions, JA4, SNI, what failed. */
static void
rhtml_tls(struct buf *b, struct rdb *db, const struct report_opts *o)
{
	rhtml_top(b, db, o, "tls-version", "TLS versions (sessions)",
	    "value");
	rhtml_top(b, db, o, "ja4", "Top JA4 fingerprints of TLS clients "
	    "(sessions)", "value");
	rhtml_top(b, db, o, "sni", "Top server names TLS clients asked for "
	    "(SNI, sessions)", "value");
	rhtml_tls_failed(b, db, o);
}

static void
rhtml_head(struct buf *b, const struct report_opts *o)
{
	char s[32], u[32], now[32];

	rtime_sql(o->since, s, sizeof(s));
	rtime_sql(o->until, u, sizeof(u));
	rtime_sql(o->now, now, sizeof(now));
	buf_appendf(b, "<!DOCTYPE html>\n<html lang=\"en\"><head>"
	    "<meta charset=\"utf-8\">\n<meta http-equiv="
	    "\"Content-Security-Policy\" content=\"default-src 'none'; "
	    "style-src 'unsafe-inline'\">\n<meta name=\"viewport\" "
	    "content=\"width=device-width, initial-scale=1\">\n"
	    "<title>spampot report</title>\n<style>\n%s</style></head>\n"
	    "<body>\n<header><h1>spampot report</h1><p class=\"meta\">",
	    rhtml_style);
	if (o->since == 0 && o->until == 0)
		buf_appendf(b, "All time");
	else
		buf_appendf(b, "From %.16s to %.16s UTC", o->since ? s :
		    "the first session", o->until ? u : now);
	buf_appendf(b, ", %s", o->sensor ? "sensor " : "every sensor");
	if (o->sensor != NULL)
		rsvg_escape(b, o->sensor);
	buf_appendf(b, ". Made %.16s UTC by spampot-report %s.</p></header>\n",
	    now, PACKAGE_VERSION);
}

int
rhtml_run(struct rdb *db, const struct report_opts *o)
{
	struct buf b = { NULL, 0, 0 };
	struct rsum sum;
	int found;

	rsum_fetch(db, o, &sum);
	found = sum.sessions > 0;
	rhtml_head(&b, o);
	rhtml_numbers(&b, &sum);
	rhtml_timeline(&b, db, o, &sum);
	rhtml_sensors(&b, db, o);
	rhtml_top(&b, db, o, "client-ip", "Top client addresses (sessions)",
	    "value");
	rhtml_top(&b, db, o, "rcpt-domain", "Top recipient domains "
	    "(recipients)", "value");
	rhtml_top(&b, db, o, "domain", "Top registrable domains in messages",
	    "value");
	rhtml_top(&b, db, o, "credential", "Top credentials "
	    "(username:password, attempts)", "value");
	rhtml_top(&b, db, o, "attachment", "Top attachments (by SHA-256)",
	    "filename");
	rhtml_campaigns(&b, db, o);
	rhtml_top(&b, db, o, "yara", "Top YARA rules (messages)", "value");
	rhtml_tls(&b, db, o);
	buf_appendf(&b, "<footer>Times are UTC. Counts: sessions by client, "
	    "recipients by domain, occurrences for domains, attempts for "
	    "credentials, messages for attachments, campaigns and YARA rules, "
	    "sessions for TLS."
	    "</footer>\n</body></html>\n");
	rout_flush(o, &b);
	rsum_clear(&sum);
	return found ? REPORT_FOUND : REPORT_NONE;
}
