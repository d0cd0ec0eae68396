/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * report_top: `spampot-report top KIND`, the values of a kind seen most
 * often, each with its count and the first and last time it was seen.
 *
 * Every kind is one query on one index. The pattern kinds (subject, url,
 * domain, msg-ip, email, username and the config's own patterns) read the
 * running totals the analyzer keeps in patterns (index kind, total,
 * last_seen) when no window and no sensor is given; with --since, --until
 * or --sensor they add up message_patterns over the messages of the window
 * (index on messages.received_at). The other kinds are GROUP BY queries on
 * an index that holds both the value and its time, so that the count, the
 * first and the last time come from the index alone. Ties: the value seen
 * last comes first.
 */
#include "autoconf.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_int.h"
#include "report_rollup.h"

#define TOP_COLS \
	{ "count", "COUNT", RC_INT, 0, RC_RIGHT }, \
	{ "first_seen", "FIRST SEEN", RC_TIME, 0, 0 }, \
	{ "last_seen", "LAST SEEN", RC_TIME, 0, 0 }

static const struct rout_col rtop_cols_value[] = {
	TOP_COLS,
	{ "value", "VALUE", RC_TEXT, 0, RC_FLEX },
};

static const struct rout_col rtop_cols_client[] = {
	TOP_COLS,
	{ "country", "CC", RC_TEXT, 2, 0 },
	{ "value", "CLIENT ADDRESS", RC_TEXT, 0, RC_FLEX },
	{ "asn", "ASN", RC_INT, 0, RC_NOTEXT },
	{ "as_org", "AS", RC_TEXT, 0, RC_NOTEXT },
};

static const struct rout_col rtop_cols_credential[] = {
	TOP_COLS,
	{ "value", "USERNAME:PASSWORD", RC_TEXT, 0, RC_FLEX },
	{ "username", "USERNAME", RC_TEXT, 0, RC_NOTEXT },
	{ "password", "PASSWORD", RC_TEXT, 0, RC_NOTEXT },
};

static const struct rout_col rtop_cols_attachment[] = {
	TOP_COLS,
	{ "filename", "FILE NAME (LAST SEEN)", RC_TEXT, 0, RC_FLEX },
	{ "value", "sha256", RC_TEXT, 0, RC_LINE },
	{ "size", "SIZE", RC_INT, 0, RC_NOTEXT },
	{ "content_type", "TYPE", RC_TEXT, 0, RC_NOTEXT },
	{ "md5", "MD5", RC_TEXT, 0, RC_NOTEXT },
	{ "sha1", "SHA-1", RC_TEXT, 0, RC_NOTEXT },
};

static const struct rout_col rtop_cols_ja3[] = {
	TOP_COLS,
	{ "value", "JA3 (MD5)", RC_TEXT, 0, RC_FLEX },
	{ "ja3", "JA3", RC_TEXT, 0, RC_NOTEXT },
};

static const struct rout_col rtop_cols_asn[] = {
	TOP_COLS,
	{ "value", "ASN", RC_INT, 10, RC_RIGHT },
	{ "as_org", "AS ORGANIZATION", RC_TEXT, 0, RC_FLEX },
};

#define NCOLS(a)	(sizeof(a) / sizeof((a)[0]))

struct rtop_kind;
typedef void rtop_query_fn(struct rdb_query *, const struct report_opts *,
    const struct rtop_kind *);

struct rtop_kind {
	const char		*name;
	const char		*help;
	rtop_query_fn		*query;
	const char		*pattern;	/* kind in patterns */
	/* GROUP BY kinds: the table (with its alias, and bare), what is
	 * grouped, the time column, the columns shown (of the table as x) */
	const char		*from;
	const char		*table;
	const char		*group;
	const char		*time;
	const char		*show;
	const char		*where;		/* extra condition, or NULL */
	const char		*to_session;	/* join from the table to s */
	const struct rout_col	*cols;
	size_t			 ncols;
	/* the running totals (report_rollup.c): the columns shown, of
	 * value_totals as t; NULL: none are kept for this kind */
	const char		*rshow;
};

/*
 * COUNT(*), MIN(time), MAX(time) per value, from an index that holds the
 * value and its time, read in its order (no temporary table for the
 * GROUP BY). The groups keep only numbers and the id of their first row
 * (rid), so that sorting them by count is cheap however long the values;
 * the values of the top rows are then read by that id (as x).
 */
static void
rtop_q_group(struct rdb_query *q, const struct report_opts *o,
    const struct rtop_kind *k)
{
	const char *alias = k->from + strlen(k->table) + 1;
	char rid[32];

	if (k->rshow != NULL && rroll_usable(o)) {
		rroll_top_values(q, o, rroll_source(k->name), k->rshow);
		return;
	}
	snprintf(rid, sizeof(rid), "MIN(%s.id)", alias);
	rdb_sql(q, "SELECT t.n, t.first, t.last, ");
	rdb_sql(q, k->show);
	rdb_sql(q, " FROM (SELECT * FROM (SELECT COUNT(*) AS n, MIN(");
	rdb_sql(q, k->time);
	rdb_sql(q, ") AS first, MAX(");
	rdb_sql(q, k->time);
	rdb_sql(q, ") AS last, ");
	rdb_sql(q, rid);
	rdb_sql(q, " AS rid FROM ");
	rdb_sql(q, k->from);
	if (o->sensor != NULL && k->to_session != NULL)
		rdb_sql(q, k->to_session);
	rdb_sql(q, " WHERE 1=1");
	if (k->where != NULL)
		rdb_sql(q, k->where);
	rdb_window(q, k->time, o);
	rdb_sensor(q, o);
	rdb_sql(q, " GROUP BY ");
	rdb_sql(q, k->group);
	rdb_sql(q, ") g ORDER BY n DESC, last DESC, rid");
	rdb_limit(q, o);
	rdb_sql(q, ") t JOIN ");
	rdb_sql(q, k->table);
	rdb_sql(q, " x ON x.id = t.rid ORDER BY t.n DESC, t.last DESC, t.rid");
}

static void
rtop_q_pattern(struct rdb_query *q, const struct report_opts *o,
    const struct rtop_kind *k)
{
	int session = strcmp(k->pattern, "username") == 0;

	if (o->since == 0 && o->until == 0 && o->sensor == NULL) {
		/* the analyzer's running totals, in index order */
		rdb_sql(q, "SELECT total, first_seen, last_seen, value FROM "
		    "patterns WHERE kind = ? ORDER BY total DESC, "
		    "last_seen DESC, id DESC");
		rdb_text(q, k->pattern);
		rdb_limit(q, o);
		return;
	}
	if (rroll_usable(o)) {
		rroll_top_patterns(q, o, k->pattern, session);
		return;
	}
	/* Added up over the window, per pattern id first (a derived table:
	 * the patterns row is read once per value, not once per message),
	 * then only the values of the kind. */
	rdb_sql(q, "SELECT t.n, t.first, t.last, p.value FROM (SELECT "
	    "STRAIGHT_JOIN l.pattern_id, SUM(l.count) AS n, ");
	if (session)
		rdb_sql(q, "MIN(s.started_at) AS first, MAX(s.started_at) AS "
		    "last FROM sessions s JOIN session_patterns l ON "
		    "l.session_id = s.id WHERE 1=1");
	else if (o->sensor != NULL)
		/* the sensor's sessions first (index sensor, started_at); a
		 * message's received_at is its session's started_at */
		rdb_sql(q, "MIN(m.received_at) AS first, MAX(m.received_at) AS "
		    "last FROM sessions s JOIN messages m ON m.session_id = "
		    "s.id JOIN message_patterns l ON l.message_id = m.id "
		    "WHERE 1=1");
	else
		rdb_sql(q, "MIN(m.received_at) AS first, MAX(m.received_at) AS "
		    "last FROM messages m JOIN message_patterns l ON "
		    "l.message_id = m.id WHERE 1=1");
	rdb_window(q, session || o->sensor ? "s.started_at" : "m.received_at",
	    o);
	rdb_sensor(q, o);
	rdb_sql(q, " GROUP BY l.pattern_id) t JOIN patterns p ON "
	    "p.id = t.pattern_id WHERE p.kind = ? ORDER BY t.n DESC, "
	    "t.last DESC, p.id DESC");
	rdb_text(q, k->pattern);
	rdb_limit(q, o);
}

/* The newest session of a client, or of an AS: its country, AS, name. */
#define LATEST(col, by)	"(SELECT l." col " FROM sessions l WHERE l." by \
			" = x." by " ORDER BY l.started_at DESC LIMIT 1)"
/* The last attachment with a hash gives its name, size and type. */
#define LAST_ATT(col)	"(SELECT l." col " FROM attachments l WHERE " \
			"l.sha256 = x.sha256 ORDER BY l.received_at DESC, " \
			"l.id DESC LIMIT 1)"
/* The same, for a value of the running totals (t.value). */
#define LATEST_V(col)	"(SELECT l." col " FROM sessions l WHERE " \
			"l.client_ip = t.value ORDER BY l.started_at DESC LIMIT 1)"
#define LAST_ATT_V(col)	"(SELECT l." col " FROM attachments l WHERE " \
			"l.sha256 = t.value ORDER BY l.received_at DESC, " \
			"l.id DESC LIMIT 1)"
/* The JA3 text of a JA3 hash (t.value: of the running totals). */
#define JA3_TEXT(v)	"(SELECT l.ja3 FROM session_tls l WHERE l.ja3_hash = " \
			v " LIMIT 1)"
#define TO_S(alias)	" JOIN messages m ON m.id = " alias ".message_id " \
			"JOIN sessions s ON s.id = m.session_id"

static const struct rtop_kind rtop_kinds[] = {
	{ "client-ip", "client addresses, by sessions", rtop_q_group, NULL,
	    "sessions s", "sessions", "s.client_ip", "s.started_at",
	    LATEST("country", "client_ip") ", x.client_ip, "
	    LATEST("asn", "client_ip") ", " LATEST("as_org", "client_ip"),
	    NULL, NULL, rtop_cols_client, NCOLS(rtop_cols_client),
	    LATEST_V("country") ", t.value, " LATEST_V("asn") ", "
	    LATEST_V("as_org") },
	{ "helo", "HELO/EHLO names, by sessions", rtop_q_group, NULL,
	    "sessions s", "sessions", "s.helo", "s.started_at", "x.helo",
	    " AND s.helo IS NOT NULL", NULL,
	    rtop_cols_value, NCOLS(rtop_cols_value),
	    "t.value" },
	{ "sender", "envelope senders (MAIL FROM), by messages",
	    rtop_q_group, NULL, "messages m", "messages", "m.mail_from_key",
	    "m.received_at", "x.mail_from_key", NULL,
	    " JOIN sessions s ON s.id = m.session_id",
	    rtop_cols_value, NCOLS(rtop_cols_value),
	    "t.value" },
	{ "rcpt-domain", "recipient domains (RCPT TO), by recipients",
	    rtop_q_group, NULL, "recipients r", "recipients", "r.domain",
	    "r.received_at", "x.domain", NULL, TO_S("r"),
	    rtop_cols_value, NCOLS(rtop_cols_value),
	    "t.value" },
	{ "subject", "decoded subjects, by messages", rtop_q_pattern,
	    "subject", NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	    rtop_cols_value, NCOLS(rtop_cols_value),
	    NULL },
	{ "url", "URLs in messages, by occurrences", rtop_q_pattern, "url",
	    NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	    rtop_cols_value, NCOLS(rtop_cols_value),
	    NULL },
	{ "url-host", "hosts of those URLs, by URLs (one a message and URL)",
	    rtop_q_group, NULL, "urls u", "urls", "u.host", "u.received_at",
	    "x.host", NULL, TO_S("u"),
	    rtop_cols_value, NCOLS(rtop_cols_value),
	    "t.value" },
	{ "domain", "registrable domains in messages (URL hosts, addresses)",
	    rtop_q_pattern, "domain", NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	    rtop_cols_value, NCOLS(rtop_cols_value),
	    NULL },
	{ "msg-ip", "IP addresses seen in messages", rtop_q_pattern, "ip",
	    NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	    rtop_cols_value, NCOLS(rtop_cols_value),
	    NULL },
	{ "email", "e-mail addresses in messages (headers, text)",
	    rtop_q_pattern, "email", NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	    rtop_cols_value, NCOLS(rtop_cols_value),
	    NULL },
	{ "yara", "YARA rules that matched (yara_rules_dir), by matches",
	    rtop_q_pattern, "yara", NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	    rtop_cols_value, NCOLS(rtop_cols_value),
	    NULL },
	{ "username", "AUTH user names, by attempts", rtop_q_pattern,
	    "username", NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	    rtop_cols_value, NCOLS(rtop_cols_value),
	    NULL },
	{ "password", "AUTH passwords, by attempts", rtop_q_group, NULL,
	    "auth_attempts a", "auth_attempts", "a.password_key", "a.tried_at",
	    "x.password_key", NULL, " JOIN sessions s ON s.id = a.session_id",
	    rtop_cols_value, NCOLS(rtop_cols_value),
	    "t.value" },
	{ "credential", "AUTH username:password pairs, by attempts",
	    rtop_q_group, NULL, "auth_attempts a", "auth_attempts",
	    "a.username_key, a.password_key", "a.tried_at",
	    "CONCAT(x.username_key, ':', x.password_key), x.username_key, "
	    "x.password_key", NULL, " JOIN sessions s ON s.id = a.session_id",
	    rtop_cols_credential, NCOLS(rtop_cols_credential),
	    "CONCAT(t.value, ':', t.value2), t.value, t.value2" },
	{ "attachment", "attachments by SHA-256, with the last file name",
	    rtop_q_group, NULL, "attachments a", "attachments", "a.sha256",
	    "a.received_at", LAST_ATT("filename") ", x.sha256, "
	    LAST_ATT("size") ", " LAST_ATT("content_type") ", x.md5, x.sha1",
	    NULL, TO_S("a"),
	    rtop_cols_attachment, NCOLS(rtop_cols_attachment),
	    LAST_ATT_V("filename") ", t.value, " LAST_ATT_V("size") ", "
	    LAST_ATT_V("content_type") ", " LAST_ATT_V("md5") ", "
	    LAST_ATT_V("sha1") },
	{ "tls-version", "TLS versions agreed on, by sessions", rtop_q_group,
	    NULL, "session_tls k", "session_tls", "k.version", "k.started_at",
	    "x.version", " AND k.version IS NOT NULL",
	    " JOIN sessions s ON s.id = k.session_id",
	    rtop_cols_value, NCOLS(rtop_cols_value),
	    "t.value" },
	{ "ja4", "JA4 fingerprints of TLS clients, by sessions", rtop_q_group,
	    NULL, "session_tls k", "session_tls", "k.ja4", "k.started_at",
	    "x.ja4", " AND k.ja4 IS NOT NULL",
	    " JOIN sessions s ON s.id = k.session_id",
	    rtop_cols_value, NCOLS(rtop_cols_value),
	    "t.value" },
	{ "ja3", "JA3 fingerprints (MD5) of TLS clients, by sessions",
	    rtop_q_group, NULL, "session_tls k", "session_tls", "k.ja3_hash",
	    "k.started_at", "x.ja3_hash, x.ja3", " AND k.ja3_hash IS NOT NULL",
	    " JOIN sessions s ON s.id = k.session_id",
	    rtop_cols_ja3, NCOLS(rtop_cols_ja3),
	    "t.value, " JA3_TEXT("t.value") },
	{ "sni", "server names TLS clients asked for (SNI), by sessions",
	    rtop_q_group, NULL, "session_tls k", "session_tls", "k.sni",
	    "k.started_at", "x.sni", " AND k.sni IS NOT NULL",
	    " JOIN sessions s ON s.id = k.session_id",
	    rtop_cols_value, NCOLS(rtop_cols_value),
	    "t.value" },
	{ "country", "client countries (GeoIP), by sessions", rtop_q_group,
	    NULL, "sessions s", "sessions", "s.country", "s.started_at",
	    "x.country", " AND s.country IS NOT NULL", NULL,
	    rtop_cols_value, NCOLS(rtop_cols_value),
	    NULL },
	{ "asn", "client autonomous systems (GeoIP), by sessions",
	    rtop_q_group, NULL, "sessions s", "sessions", "s.asn",
	    "s.started_at", "x.asn, " LATEST("as_org", "asn"),
	    " AND s.asn IS NOT NULL", NULL,
	    rtop_cols_asn, NCOLS(rtop_cols_asn),
	    NULL },
};

void
rtop_usage(FILE *fp)
{
	size_t i;

	for (i = 0; i < NCOLS(rtop_kinds); i++)
		fprintf(fp, "  %-12s %s\n", rtop_kinds[i].name,
		    rtop_kinds[i].help);
	fprintf(fp, "  %-12s the values of the configured pattern NAME\n",
	    "NAME");
}

/* A custom pattern's name, as spampot.conf(5) allows it. */
static int
rtop_pattern_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 64 || s[0] == '-')
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && strchr("._-", *s) == NULL)
			return 0;
	return 1;
}

static const struct rtop_kind *
rtop_find(const char *name, struct rtop_kind *custom)
{
	static const char *const reserved[] = { "ip", "url", "domain",
	    "email", "subject", "username", NULL };
	size_t i;
	int forced = strncmp(name, "pattern:", 8) == 0;

	for (i = 0; !forced && i < NCOLS(rtop_kinds); i++)
		if (strcmp(name, rtop_kinds[i].name) == 0)
			return &rtop_kinds[i];
	if (forced)
		name += 8;
	for (i = 0; reserved[i] != NULL; i++)
		if (strcmp(name, reserved[i]) == 0)
			rout_fail("no kind '%s%s': for the IP addresses in "
			    "messages say msg-ip, for client addresses "
			    "client-ip", forced ? "pattern:" : "", name);
	if (!rtop_pattern_name(name))
		rout_fail("no kind '%s' (spampot-report --help lists them)",
		    name);
	memset(custom, 0, sizeof(*custom));
	custom->name = name;
	custom->query = rtop_q_pattern;
	custom->pattern = name;
	custom->cols = rtop_cols_value;
	custom->ncols = NCOLS(rtop_cols_value);
	return custom;
}

void
rtop_check(const char *name)
{
	struct rtop_kind custom;

	rtop_find(name, &custom);
}

const struct rout_col *
rtop_fetch(struct rdb *db, const struct report_opts *o, const char *name,
    struct rdb_rows *rows, size_t *ncols)
{
	struct rtop_kind custom;
	const struct rtop_kind *k = rtop_find(name, &custom);
	struct rdb_query q;

	rdb_init(&q);
	k->query(&q, o, k);
	rdb_run(db, &q, rows);
	if (rows->ncols != k->ncols)
		rout_fail("internal error: %s: %zu columns", k->name,
		    rows->ncols);
	*ncols = k->ncols;
	return k->cols;
}

/* No rows of a custom pattern: is it known at all? */
static void
rtop_unknown_pattern(struct rdb *db, const char *name)
{
	struct rdb_query q;
	struct rdb_rows rows;
	int known;

	if (strncmp(name, "pattern:", 8) == 0)
		name += 8;
	rdb_init(&q);
	rdb_sql(&q, "SELECT 1 FROM patterns WHERE kind = ? LIMIT 1");
	rdb_text(&q, name);
	rdb_run(db, &q, &rows);
	known = rows.nrows > 0;
	rdb_rows_clear(&rows);
	if (!known)
		fprintf(stderr, "spampot-report: no values of a pattern named "
		    "'%s' in the database\n", name);
}

int
rtop_run(struct rdb *db, const struct report_opts *o, const char *name)
{
	struct rdb_rows rows;
	struct rout_table t;
	struct rtop_kind custom;
	const struct rtop_kind *k = rtop_find(name, &custom);
	int found;

	memset(&t, 0, sizeof(t));
	t.report = "top";
	t.kind = k->name;
	t.cols = rtop_fetch(db, o, name, &rows, &t.ncols);
	t.rows = &rows;
	rout_table(o, &t);
	found = rows.nrows > 0;
	if (!found && k == &custom)
		rtop_unknown_pattern(db, name);
	else if (!found && o->format == RF_TEXT)
		fprintf(stderr, "spampot-report: nothing found\n");
	rdb_rows_clear(&rows);
	return found ? REPORT_FOUND : REPORT_NONE;
}
