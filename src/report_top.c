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

#include "report.h"

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
	/* GROUP BY kinds: table alias, value and time column */
	const char		*from;
	const char		*value;
	const char		*time;
	const char		*where;		/* extra condition, or NULL */
	const char		*to_session;	/* join from the table to s */
	const struct rout_col	*cols;
	size_t			 ncols;
};

static void
rtop_sensor(struct rdb_query *q, const struct report_opts *o)
{
	if (o->sensor != NULL) {
		rdb_sql(q, " AND s.sensor = ?");
		rdb_text(q, o->sensor);
	}
}

static void
rtop_limit(struct rdb_query *q, const struct report_opts *o)
{
	rdb_sql(q, " LIMIT ?");
	rdb_u64(q, o->limit);
}

/* SELECT COUNT(*), MIN(time), MAX(time), value FROM ... GROUP BY value.
 * The GROUP BY is a derived table of its own, so that it runs in the
 * order of the index that holds the value (no temporary table); only the
 * groups are sorted by count. */
static void
rtop_grouped(struct rdb_query *q, const struct report_opts *o,
    const struct rtop_kind *k, const char *count, const char *extra,
    const char *group)
{
	rdb_sql(q, "SELECT * FROM (SELECT ");
	rdb_sql(q, count);
	rdb_sql(q, " AS n, MIN(");
	rdb_sql(q, k->time);
	rdb_sql(q, ") AS first, MAX(");
	rdb_sql(q, k->time);
	rdb_sql(q, ") AS last, ");
	rdb_sql(q, k->value);
	rdb_sql(q, " AS v");
	rdb_sql(q, extra);
	rdb_sql(q, " FROM ");
	rdb_sql(q, k->from);
	if (o->sensor != NULL && k->to_session != NULL)
		rdb_sql(q, k->to_session);
	rdb_sql(q, " WHERE 1=1");
	if (k->where != NULL)
		rdb_sql(q, k->where);
	rdb_window(q, k->time, o);
	rtop_sensor(q, o);
	rdb_sql(q, " GROUP BY ");
	rdb_sql(q, group);
	rdb_sql(q, ") g ORDER BY n DESC, last DESC, v");
	rtop_limit(q, o);
}

static void
rtop_q_group(struct rdb_query *q, const struct report_opts *o,
    const struct rtop_kind *k)
{
	rtop_grouped(q, o, k, "COUNT(*)", "", k->value);
}

static void
rtop_q_url_host(struct rdb_query *q, const struct report_opts *o,
    const struct rtop_kind *k)
{
	/* the messages that link to the host */
	rtop_grouped(q, o, k, "COUNT(DISTINCT u.message_id)", "", k->value);
}

static void
rtop_q_credential(struct rdb_query *q, const struct report_opts *o,
    const struct rtop_kind *k)
{
	rtop_grouped(q, o, k, "COUNT(*)",
	    ", a.username_key, a.password_key",
	    "a.username_key, a.password_key");
}

/* The newest session of the client: its country and AS. */
static void
rtop_q_client(struct rdb_query *q, const struct report_opts *o,
    const struct rtop_kind *k)
{
	rdb_sql(q, "SELECT t.n, t.first, t.last, "
	    "(SELECT x.country FROM sessions x WHERE x.client_ip = t.v "
	    "ORDER BY x.started_at DESC LIMIT 1), t.v, "
	    "(SELECT x.asn FROM sessions x WHERE x.client_ip = t.v "
	    "ORDER BY x.started_at DESC LIMIT 1), "
	    "(SELECT x.as_org FROM sessions x WHERE x.client_ip = t.v "
	    "ORDER BY x.started_at DESC LIMIT 1) FROM (");
	rtop_q_group(q, o, k);
	rdb_sql(q, ") t ORDER BY t.n DESC, t.last DESC, t.v");
}

static void
rtop_q_asn(struct rdb_query *q, const struct report_opts *o,
    const struct rtop_kind *k)
{
	rdb_sql(q, "SELECT t.n, t.first, t.last, t.v, (SELECT x.as_org FROM "
	    "sessions x WHERE x.asn = t.v ORDER BY x.started_at DESC LIMIT 1) "
	    "FROM (");
	rtop_q_group(q, o, k);
	rdb_sql(q, ") t ORDER BY t.n DESC, t.last DESC, t.v");
}

/* The last attachment with the hash gives its name, size and type. */
static void
rtop_q_attachment(struct rdb_query *q, const struct report_opts *o,
    const struct rtop_kind *k)
{
	rdb_sql(q, "SELECT t.n, t.first, t.last, x.filename, t.v, x.size, "
	    "x.content_type, x.md5, x.sha1 FROM (");
	rtop_q_group(q, o, k);
	rdb_sql(q, ") t JOIN attachments x ON x.id = (SELECT y.id FROM "
	    "attachments y WHERE y.sha256 = t.v ORDER BY y.received_at DESC, "
	    "y.id DESC LIMIT 1) ORDER BY t.n DESC, t.last DESC, t.v");
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
		rtop_limit(q, o);
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
	rtop_sensor(q, o);
	rdb_sql(q, " GROUP BY l.pattern_id) t JOIN patterns p ON "
	    "p.id = t.pattern_id WHERE p.kind = ? ORDER BY t.n DESC, "
	    "t.last DESC, p.id DESC");
	rdb_text(q, k->pattern);
	rtop_limit(q, o);
}

static const struct rtop_kind rtop_kinds[] = {
	{ "client-ip", "client addresses, by sessions", rtop_q_client, NULL,
	    "sessions s", "s.client_ip", "s.started_at", NULL, NULL,
	    rtop_cols_client, NCOLS(rtop_cols_client) },
	{ "helo", "HELO/EHLO names, by sessions", rtop_q_group, NULL,
	    "sessions s", "s.helo", "s.started_at", " AND s.helo IS NOT NULL",
	    NULL, rtop_cols_value, NCOLS(rtop_cols_value) },
	{ "sender", "envelope senders (MAIL FROM), by messages",
	    rtop_q_group, NULL, "messages m", "m.mail_from_key",
	    "m.received_at", NULL, " JOIN sessions s ON s.id = m.session_id",
	    rtop_cols_value, NCOLS(rtop_cols_value) },
	{ "rcpt-domain", "recipient domains (RCPT TO), by recipients",
	    rtop_q_group, NULL, "recipients r", "r.domain", "r.received_at",
	    NULL, " JOIN messages m ON m.id = r.message_id "
	    "JOIN sessions s ON s.id = m.session_id",
	    rtop_cols_value, NCOLS(rtop_cols_value) },
	{ "subject", "decoded subjects, by messages", rtop_q_pattern,
	    "subject", NULL, NULL, NULL, NULL, NULL,
	    rtop_cols_value, NCOLS(rtop_cols_value) },
	{ "url", "URLs in messages, by occurrences", rtop_q_pattern, "url",
	    NULL, NULL, NULL, NULL, NULL,
	    rtop_cols_value, NCOLS(rtop_cols_value) },
	{ "url-host", "hosts of those URLs, by messages linking to them",
	    rtop_q_url_host, NULL, "urls u", "u.host", "u.received_at", NULL,
	    " JOIN messages m ON m.id = u.message_id "
	    "JOIN sessions s ON s.id = m.session_id",
	    rtop_cols_value, NCOLS(rtop_cols_value) },
	{ "domain", "registrable domains in messages (URL hosts, addresses)",
	    rtop_q_pattern, "domain", NULL, NULL, NULL, NULL, NULL,
	    rtop_cols_value, NCOLS(rtop_cols_value) },
	{ "msg-ip", "IP addresses seen in messages", rtop_q_pattern, "ip",
	    NULL, NULL, NULL, NULL, NULL,
	    rtop_cols_value, NCOLS(rtop_cols_value) },
	{ "email", "e-mail addresses in messages (headers, text)",
	    rtop_q_pattern, "email", NULL, NULL, NULL, NULL, NULL,
	    rtop_cols_value, NCOLS(rtop_cols_value) },
	{ "username", "AUTH user names, by attempts", rtop_q_pattern,
	    "username", NULL, NULL, NULL, NULL, NULL,
	    rtop_cols_value, NCOLS(rtop_cols_value) },
	{ "password", "AUTH passwords, by attempts", rtop_q_group, NULL,
	    "auth_attempts a", "a.password_key", "a.tried_at", NULL,
	    " JOIN sessions s ON s.id = a.session_id",
	    rtop_cols_value, NCOLS(rtop_cols_value) },
	{ "credential", "AUTH username:password pairs, by attempts",
	    rtop_q_credential, NULL, "auth_attempts a",
	    "CONCAT(a.username_key, ':', a.password_key)", "a.tried_at", NULL,
	    " JOIN sessions s ON s.id = a.session_id",
	    rtop_cols_credential, NCOLS(rtop_cols_credential) },
	{ "attachment", "attachments by SHA-256, with the last file name",
	    rtop_q_attachment, NULL, "attachments a", "a.sha256",
	    "a.received_at", NULL, " JOIN messages m ON m.id = a.message_id "
	    "JOIN sessions s ON s.id = m.session_id",
	    rtop_cols_attachment, NCOLS(rtop_cols_attachment) },
	{ "country", "client countries (GeoIP), by sessions", rtop_q_group,
	    NULL, "sessions s", "s.country", "s.started_at",
	    " AND s.country IS NOT NULL", NULL,
	    rtop_cols_value, NCOLS(rtop_cols_value) },
	{ "asn", "client autonomous systems (GeoIP), by sessions",
	    rtop_q_asn, NULL, "sessions s", "s.asn", "s.started_at",
	    " AND s.asn IS NOT NULL", NULL,
	    rtop_cols_asn, NCOLS(rtop_cols_asn) },
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
	rdb_rows_free(&rows);
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
	rdb_rows_free(&rows);
	return found ? REPORT_FOUND : REPORT_NONE;
}
