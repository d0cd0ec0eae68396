/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * report_rollup: top lists and counts from the analyzer's running totals.
 * With no window, value_totals holds each value's count, first and last
 * time, ranked by an index. With a window, the whole hours come from
 * value_hours, pattern_hours or kind_hours (primary keys that begin with
 * kind and hour), and the ends of the window, less than an hour each, from
 * the rows, counted the way the totals count them, added up by value.
 * Ties: the value seen last first, then by key, as the indexes give them.
 */
#include "autoconf.h"

#include <string.h>

#include "report_int.h"
#include "report_rollup.h"

int
rroll_usable(const struct report_opts *o)
{
	return o->sensor == NULL;
}

void
rroll_split(const struct report_opts *o, struct rroll_window *w)
{
	time_t s = o->since, u = o->until, h1, h2;

	memset(w, 0, sizeof(*w));
	h1 = s ? (s + 3599) / 3600 * 3600 : 0;
	h2 = u ? u / 3600 * 3600 : 0;
	if (s && u && h1 >= h2) {
		/* no whole hour in it: all from the rows */
		w->nraw = 1;
		rtime_sql(s, w->rfrom[0], sizeof(w->rfrom[0]));
		rtime_sql(u, w->rto[0], sizeof(w->rto[0]));
		return;
	}
	w->hours = 1;
	if (h1)
		rtime_sql(h1, w->hfrom, sizeof(w->hfrom));
	if (h2)
		rtime_sql(h2, w->hto, sizeof(w->hto));
	if (s && s != h1) {
		rtime_sql(s, w->rfrom[w->nraw], sizeof(w->rfrom[0]));
		rtime_sql(h1, w->rto[w->nraw++], sizeof(w->rto[0]));
	}
	if (u && u != h2) {
		rtime_sql(h2, w->rfrom[w->nraw], sizeof(w->rfrom[0]));
		rtime_sql(u, w->rto[w->nraw++], sizeof(w->rto[0]));
	}
}

void
rroll_hours(struct rdb_query *q, const struct rroll_window *w)
{
	if (w->hfrom[0] != '\0') {
		rdb_sql(q, " AND hour >= ?");
		rdb_text_copy(q, w->hfrom);
	}
	if (w->hto[0] != '\0') {
		rdb_sql(q, " AND hour < ?");
		rdb_text_copy(q, w->hto);
	}
}

void
rroll_range(struct rdb_query *q, const char *col, const struct rroll_window *w,
    int i)
{
	rdb_sql(q, " AND ");
	rdb_sql(q, col);
	rdb_sql(q, " >= ? AND ");
	rdb_sql(q, col);
	rdb_sql(q, " < ?");
	rdb_text_copy(q, w->rfrom[i]);
	rdb_text_copy(q, w->rto[i]);
}

/* " FROM" the rows of src in the i-th end of the window. */
static void
rroll_rows(struct rdb_query *q, const struct rroll_source *src,
    const struct rroll_window *w, int i)
{
	rdb_sql(q, " FROM ");
	rdb_sql(q, src->from);
	rdb_sql(q, " WHERE 1=1");
	if (src->where != NULL)
		rdb_sql(q, src->where);
	rroll_range(q, src->time, w, i);
}

/* One end of the window from the rows: k, n, f, l. */
static void
rroll_raw_values(struct rdb_query *q, const struct rroll_source *src,
    const struct rroll_window *w, int i)
{
	rdb_sql(q, "SELECT UNHEX(SHA2(");
	if (src->value2 != NULL) {
		rdb_sql(q, "CONCAT(");
		rdb_sql(q, src->value);
		rdb_sql(q, ", '\\0', ");
		rdb_sql(q, src->value2);
		rdb_sql(q, ")");
	} else
		rdb_sql(q, src->value);
	rdb_sql(q, ", 256)) AS k, COUNT(*) AS n, MIN(");
	rdb_sql(q, src->time);
	rdb_sql(q, ") AS f, MAX(");
	rdb_sql(q, src->time);
	rdb_sql(q, ") AS l");
	rroll_rows(q, src, w, i);
	rdb_sql(q, " GROUP BY BINARY ");
	rdb_sql(q, src->value);
	if (src->value2 != NULL) {
		rdb_sql(q, ", BINARY ");
		rdb_sql(q, src->value2);
	}
}

#define TLS_ROWS	"sessions s JOIN session_tls k ON k.session_id = s.id"

/* Where each kind's rows are, reached by the time index of the sessions
 * or the messages (a recipient's, URL's or attachment's time is its
 * message's, an AUTH attempt's its session's start). */
static const struct rroll_source rroll_sources[] = {
	{ "client-ip", "sessions s", "s.client_ip", NULL, "s.started_at",
	    NULL },
	{ "helo", "sessions s", "s.helo", NULL, "s.started_at",
	    " AND s.helo IS NOT NULL" },
	{ "sender", "messages m", "m.mail_from_key", NULL, "m.received_at",
	    NULL },
	{ "rcpt-domain", "messages m JOIN recipients r ON r.message_id = m.id",
	    "r.domain", NULL, "m.received_at", NULL },
	{ "url-host", "messages m JOIN urls u ON u.message_id = m.id",
	    "u.host", NULL, "m.received_at", NULL },
	{ "attachment", "messages m JOIN attachments a ON a.message_id = m.id",
	    "a.sha256", NULL, "m.received_at", NULL },
	{ "password", "sessions s JOIN auth_attempts a ON a.session_id = s.id",
	    "a.password_key", NULL, "s.started_at", NULL },
	{ "credential", "sessions s JOIN auth_attempts a ON a.session_id = "
	    "s.id", "a.username_key", "a.password_key", "s.started_at", NULL },
	{ "tls-version", TLS_ROWS, "k.version", NULL, "s.started_at",
	    " AND k.version IS NOT NULL" },
	{ "ja4", TLS_ROWS, "k.ja4", NULL, "s.started_at",
	    " AND k.ja4 IS NOT NULL" },
	{ "ja3", TLS_ROWS, "k.ja3_hash", NULL, "s.started_at",
	    " AND k.ja3_hash IS NOT NULL" },
	{ "sni", TLS_ROWS, "k.sni", NULL, "s.started_at",
	    " AND k.sni IS NOT NULL" },
};

const struct rroll_source *
rroll_source(const char *kind)
{
	size_t i;

	for (i = 0; i < sizeof(rroll_sources) / sizeof(rroll_sources[0]); i++)
		if (strcmp(rroll_sources[i].kind, kind) == 0)
			return &rroll_sources[i];
	return NULL;
}

void
rroll_top_values(struct rdb_query *q, const struct report_opts *o,
    const struct rroll_source *src, const char *show)
{
	struct rroll_window w;
	int i;

	/* the groups hold numbers and the key only (small temporary rows);
	 * the values of the top ones come from value_totals (as t) */
	rdb_sql(q, "SELECT g.n, g.first, g.last, ");
	rdb_sql(q, show);
	rroll_split(o, &w);
	if (o->since == 0 && o->until == 0) {
		rdb_sql(q, " FROM (SELECT n, first_seen AS first, last_seen AS "
		    "last, value_sha256 AS k FROM value_totals WHERE kind = ? "
		    "ORDER BY n DESC, last_seen DESC, value_sha256 DESC");
		rdb_text(q, src->kind);
	} else if (w.nraw == 0) {
		rdb_sql(q, " FROM (SELECT value_sha256 AS k, SUM(n) AS n, "
		    "MIN(first_seen) AS first, MAX(last_seen) AS last FROM "
		    "value_hours WHERE kind = ?");
		rdb_text(q, src->kind);
		rroll_hours(q, &w);
		rdb_sql(q, " GROUP BY k ORDER BY n DESC, last DESC, k DESC");
	} else {
		rdb_sql(q, " FROM (SELECT k, SUM(n) AS n, MIN(f) AS first, "
		    "MAX(l) AS last FROM (");
		if (w.hours) {
			rdb_sql(q, "SELECT value_sha256 AS k, n, first_seen "
			    "AS f, last_seen AS l FROM value_hours WHERE "
			    "kind = ?");
			rdb_text(q, src->kind);
			rroll_hours(q, &w);
		}
		for (i = 0; i < w.nraw; i++) {
			if (w.hours || i > 0)
				rdb_sql(q, " UNION ALL ");
			rroll_raw_values(q, src, &w, i);
		}
		rdb_sql(q, ") u GROUP BY k ORDER BY n DESC, last DESC, k DESC");
	}
	rdb_limit(q, o);
	rdb_sql(q, ") g JOIN value_totals t ON t.kind = ? AND "
	    "t.value_sha256 = g.k ORDER BY g.n DESC, g.last DESC, g.k DESC");
	rdb_text(q, src->kind);
}

void
rroll_top_patterns(struct rdb_query *q, const struct report_opts *o,
    const char *kind, int session)
{
	struct rroll_window w;
	int i;

	rroll_split(o, &w);
	rdb_sql(q, "SELECT t.n, t.first, t.last, p.value FROM (SELECT ");
	if (w.nraw == 0) {
		/* whole hours only: no derived table in between */
		rdb_sql(q, "pattern_id AS pid, SUM(n) AS n, MIN(first_seen) AS "
		    "first, MAX(last_seen) AS last FROM pattern_hours WHERE "
		    "kind = ?");
		rdb_text(q, kind);
		rroll_hours(q, &w);
		rdb_sql(q, " GROUP BY pid");
	} else
		rdb_sql(q, "pid, SUM(n) AS n, MIN(f) AS first, MAX(l) AS last "
		    "FROM (");
	if (w.nraw > 0 && w.hours) {
		rdb_sql(q, "SELECT pattern_id AS pid, n, first_seen AS f, "
		    "last_seen AS l FROM pattern_hours WHERE kind = ?");
		rdb_text(q, kind);
		rroll_hours(q, &w);
	}
	for (i = 0; i < w.nraw; i++) {
		if (w.hours || i > 0)
			rdb_sql(q, " UNION ALL ");
		if (session)
			rdb_sql(q, "SELECT l.pattern_id AS pid, SUM(l.count) AS "
			    "n, MIN(s.started_at) AS f, MAX(s.started_at) AS l "
			    "FROM sessions s JOIN session_patterns l ON "
			    "l.session_id = s.id JOIN patterns x ON x.id = "
			    "l.pattern_id WHERE x.kind = ?");
		else
			rdb_sql(q, "SELECT l.pattern_id AS pid, SUM(l.count) AS "
			    "n, MIN(m.received_at) AS f, MAX(m.received_at) AS l "
			    "FROM messages m JOIN message_patterns l ON "
			    "l.message_id = m.id JOIN patterns x ON x.id = "
			    "l.pattern_id WHERE x.kind = ?");
		rdb_text(q, kind);
		rroll_range(q, session ? "s.started_at" : "m.received_at", &w,
		    i);
		rdb_sql(q, " GROUP BY l.pattern_id");
	}
	if (w.nraw > 0)
		rdb_sql(q, ") u GROUP BY pid");
	rdb_sql(q, " ORDER BY n DESC, last DESC, pid DESC");
	rdb_limit(q, o);
	rdb_sql(q, ") t JOIN patterns p ON p.id = t.pid ORDER BY t.n DESC, "
	    "t.last DESC, p.id DESC");
}

void
rroll_kind_totals(struct rdb_query *q, const struct report_opts *o,
    const char *const *kinds, size_t n)
{
	const struct rroll_source *src;
	struct rroll_window w;
	size_t k;
	int i;

	rroll_split(o, &w);
	rdb_sql(q, "SELECT kind, SUM(n), MIN(f), MAX(l) FROM (SELECT '' AS "
	    "kind, 0 AS n, NULL AS f, NULL AS l FROM DUAL WHERE 0");
	for (k = 0; k < n; k++) {
		if ((src = rroll_source(kinds[k])) == NULL)
			rout_fail("internal error: no kind %s", kinds[k]);
		if (w.hours) {
			rdb_sql(q, " UNION ALL SELECT kind, n, first_seen, "
			    "last_seen FROM kind_hours WHERE kind = ?");
			rdb_text(q, src->kind);
			rroll_hours(q, &w);
		}
		for (i = 0; i < w.nraw; i++) {
			rdb_sql(q, " UNION ALL SELECT ?, COUNT(*), MIN(");
			rdb_text(q, src->kind);
			rdb_sql(q, src->time);
			rdb_sql(q, "), MAX(");
			rdb_sql(q, src->time);
			rdb_sql(q, ")");
			rroll_rows(q, src, &w, i);
		}
	}
	rdb_sql(q, ") u GROUP BY kind");
}

void
rroll_per_bucket(struct rdb_query *q, const struct report_opts *o,
    const struct rroll_source *src, const char *format)
{
	struct rroll_window w;
	int i;

	rroll_split(o, &w);
	rdb_sql(q, "SELECT b, SUM(n) FROM (SELECT NULL AS b, 0 AS n FROM DUAL "
	    "WHERE 0");
	if (w.hours) {
		rdb_sql(q, " UNION ALL SELECT DATE_FORMAT(hour, ");
		rdb_sql(q, format);
		rdb_sql(q, "), n FROM kind_hours WHERE kind = ?");
		rdb_text(q, src->kind);
		rroll_hours(q, &w);
	}
	for (i = 0; i < w.nraw; i++) {
		rdb_sql(q, " UNION ALL SELECT DATE_FORMAT(");
		rdb_sql(q, src->time);
		rdb_sql(q, ", ");
		rdb_sql(q, format);
		rdb_sql(q, ") AS b, COUNT(*)");
		rroll_rows(q, src, &w, i);
		rdb_sql(q, " GROUP BY b");
	}
	rdb_sql(q, ") u GROUP BY b ORDER BY b");
}
