/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * report_search: `spampot-report search`, the sessions and messages that
 * match every criterion given (and --since/--until/--sensor), newest
 * first:
 *
 *   --ip ADDR|CIDR     client address or network, IPv4 or IPv6 (sessions)
 *   --address ADDR     envelope sender or recipient, or an address in a
 *                      message's headers or text (exact)
 *   --domain DOMAIN    sender or recipient domain, URL host, or a
 *                      registrable domain found in a message
 *   --url TEXT         a URL that contains TEXT
 *   --hash HEX         SHA-256 of a message, or MD5/SHA-1/SHA-256 of an
 *                      attachment
 *   --subject TEXT     a subject that contains TEXT
 *   --yara RULE        a YARA rule that matched the message, an
 *                      attachment or a member of one
 *   --campaign ID      a message of the campaign
 *   --mismatch         an attachment or archive member whose real type
 *                      is not what its name or declared type says
 *
 * With a message criterion each row is a message (with its session's
 * columns); with --ip alone, or nothing but a time window, each row is a
 * session.
 *
 * Messages are found in two steps, so that neither a common value nor a
 * rare one costs a scan of everything. First the newest messages of the
 * window (at most RSEARCH_RECENT, newest first, by index) are checked one
 * by one, each criterion an EXISTS on the message's own rows: a common
 * value fills the rows asked for there, and that is the answer. Otherwise
 * every match is collected: each criterion a UNION of index lookups that
 * yields message ids (substrings searched in the distinct values the
 * analyzer keeps in patterns, kind url or subject, not in every message),
 * joined, sorted, cut to --limit.
 */
#include "autoconf.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_int.h"

/* The same keys whatever the rows are; text shows what matters. */
static const struct rout_col rsearch_msg_cols[] = {
	{ "started_at", "STARTED (UTC)", RC_TIME, 0, 0 },
	{ "client_ip", "CLIENT", RC_TEXT, 39, 0 },
	{ "country", "CC", RC_TEXT, 2, RC_NOTEXT },
	{ "session", "SESSION", RC_TEXT, 16, 0 },
	{ "spool_name", "SPOOL FILE", RC_TEXT, 0, RC_NOTEXT },
	{ "sensor", "SENSOR", RC_TEXT, 0, RC_NOTEXT },
	{ "helo", "HELO", RC_TEXT, 0, RC_NOTEXT },
	{ "end_reason", "END", RC_TEXT, 0, RC_NOTEXT },
	{ "messages", "MSGS", RC_INT, 0, RC_NOTEXT },
	{ "message", "MSG", RC_INT, 4, RC_RIGHT },
	{ "mail_from", "FROM", RC_TEXT, 0, RC_FLEX },
	{ "subject", "subject", RC_TEXT, 0, RC_LINE },
}, rsearch_session_cols[] = {
	{ "started_at", "STARTED (UTC)", RC_TIME, 0, 0 },
	{ "client_ip", "CLIENT", RC_TEXT, 39, 0 },
	{ "country", "CC", RC_TEXT, 2, RC_NOTEXT },
	{ "session", "SESSION", RC_TEXT, 16, 0 },
	{ "spool_name", "SPOOL FILE", RC_TEXT, 0, RC_NOTEXT },
	{ "sensor", "SENSOR", RC_TEXT, 0, RC_NOTEXT },
	{ "helo", "HELO", RC_TEXT, 0, RC_FLEX },
	{ "end_reason", "END", RC_TEXT, 0, RC_NOTEXT },
	{ "messages", "MSGS", RC_INT, 0, RC_RIGHT },
	{ "message", "MSG", RC_INT, 0, RC_NOTEXT },
	{ "mail_from", "FROM", RC_TEXT, 0, RC_NOTEXT },
	{ "subject", "subject", RC_TEXT, 0, RC_NOTEXT },
};
#define RSEARCH_NCOLS	(sizeof(rsearch_msg_cols) / sizeof(rsearch_msg_cols[0]))

static int
rsearch_messages(const struct report_search *s)
{
	return s->address || s->domain || s->url || s->subject || s->hash ||
	    s->yara || s->campaign || s->mismatch;
}

/* The first step checks at most this many of the newest messages (plus
 * 50 per row asked for). */
#define RSEARCH_RECENT	5000

/* Kept alive until the query runs: values derived from the options. */
struct rsearch_vals {
	char	domain[256];
	char	hash[65];
	char	like_url[1024], like_subject[1024];
};

/* TEXT as a LIKE pattern that matches it anywhere, literally. */
static void
rsearch_like(const char *s, char *dst, size_t len, const char *what)
{
	size_t n = 0;

	if (strlen(s) * 2 + 3 > len)
		rout_fail("--%s: longer than %zu bytes", what, len / 2 - 2);
	dst[n++] = '%';
	for (; *s; s++) {
		if (*s == '%' || *s == '_' || *s == '\\')
			dst[n++] = '\\';
		dst[n++] = *s;
	}
	dst[n++] = '%';
	dst[n] = '\0';
}

static void
rsearch_check(const struct report_search *s, struct rsearch_vals *v)
{
	size_t i, n;

	if (s->domain != NULL) {
		if ((n = strlen(s->domain)) == 0 || n >= sizeof(v->domain))
			rout_fail("--domain: expected a domain name");
		for (i = 0; i <= n; i++)
			v->domain[i] = (char)tolower((unsigned char)s->domain[i]);
	}
	if (s->hash != NULL) {
		n = strlen(s->hash);
		if ((n != 32 && n != 40 && n != 64) ||
		    strspn(s->hash, "0123456789abcdefABCDEF") != n)
			rout_fail("--hash '%s': expected an MD5, SHA-1 or "
			    "SHA-256 in hex (32, 40 or 64 digits)", s->hash);
		for (i = 0; i <= n; i++)
			v->hash[i] = (char)tolower((unsigned char)s->hash[i]);
	}
	if (s->campaign != NULL)
		rcamp_check(s->campaign);
	if (s->address != NULL && strlen(s->address) > 1024)
		rout_fail("--address: longer than 1024 bytes");
	if (s->url != NULL)
		rsearch_like(s->url, v->like_url, sizeof(v->like_url), "url");
	if (s->subject != NULL)
		rsearch_like(s->subject, v->like_subject,
		    sizeof(v->like_subject), "subject");
}

/* The messages that hold a counted value of the kind: exact, by its
 * SHA-256 (the unique key of patterns), or LIKE a pattern. */
static void
rsearch_pattern(struct rdb_query *q, const char *kind, const char *value,
    int like)
{
	rdb_sql(q, "SELECT l.message_id FROM patterns p JOIN "
	    "message_patterns l ON l.pattern_id = p.id WHERE p.kind = ?");
	rdb_text(q, kind);
	rdb_sql(q, like ? " AND p.value LIKE ?" :
	    " AND p.value_sha256 = UNHEX(SHA2(?, 256))");
	rdb_text(q, value);
}

/* Each criterion's message ids, a derived table: the first drives the
 * join (STRAIGHT_JOIN: from the matches to their messages, never the other
 * way), the others are joined to it. */
static void
rsearch_end(struct rdb_query *q, int *n)
{
	char alias[64];

	if (*n == 0)
		snprintf(alias, sizeof(alias), ") h0 STRAIGHT_JOIN messages m "
		    "ON m.id = h0.id");
	else
		snprintf(alias, sizeof(alias), ") h%d ON h%d.id = m.id", *n, *n);
	rdb_sql(q, alias);
	(*n)++;
}

/* The criteria of what the analyzer found inside messages. */
static void
rsearch_hits_more(struct rdb_query *q, const struct report_search *s, int *n)
{
	if (s->yara != NULL) {
		rdb_sql(q, *n ? " JOIN (" : "(");
		rdb_sql(q, "SELECT DISTINCT l.message_id AS id FROM (");
		rsearch_pattern(q, "yara", s->yara, 0);
		rdb_sql(q, ") l");
		rsearch_end(q, n);
	}
	if (s->campaign != NULL) {
		rdb_sql(q, *n ? " JOIN (" : "(");
		rdb_sql(q, "SELECT id FROM messages WHERE campaign_id = ?");
		rdb_text(q, s->campaign);
		rsearch_end(q, n);
	}
	if (s->mismatch) {
		rdb_sql(q, *n ? " JOIN (" : "(");
		rdb_sql(q, "SELECT message_id AS id FROM attachments WHERE "
		    "type_mismatch = 1 UNION SELECT message_id FROM "
		    "attachment_members WHERE flags & 4 <> 0");
		rsearch_end(q, n);
	}
}

static void
rsearch_hits(struct rdb_query *q, const struct report_search *s,
    const struct rsearch_vals *v, int *n)
{
	if (s->address != NULL) {
		rdb_sql(q, *n ? " JOIN (" : "(");
		rdb_sql(q, "SELECT message_id AS id FROM recipients "
		    "WHERE address = ? UNION SELECT id FROM messages WHERE "
		    "mail_from_key = LEFT(?, 255) AND mail_from = ? UNION ");
		rdb_text(q, s->address);
		rdb_text(q, s->address);
		rdb_text(q, s->address);
		rsearch_pattern(q, "email", s->address, 0);
		rsearch_end(q, n);
	}
	if (s->domain != NULL) {
		rdb_sql(q, *n ? " JOIN (" : "(");
		rdb_sql(q, "SELECT message_id AS id FROM recipients "
		    "WHERE domain = ? UNION SELECT id FROM messages WHERE "
		    "mail_from_domain = ? UNION SELECT message_id FROM urls "
		    "WHERE host = ? UNION ");
		rdb_text(q, v->domain);
		rdb_text(q, v->domain);
		rdb_text(q, v->domain);
		rsearch_pattern(q, "domain", v->domain, 0);
		rsearch_end(q, n);
	}
	if (s->url != NULL) {
		rdb_sql(q, *n ? " JOIN (" : "(");
		rdb_sql(q, "SELECT DISTINCT l.message_id AS id FROM (");
		rsearch_pattern(q, "url", v->like_url, 1);
		rdb_sql(q, ") l");
		rsearch_end(q, n);
	}
	if (s->subject != NULL) {
		rdb_sql(q, *n ? " JOIN (" : "(");
		rdb_sql(q, "SELECT DISTINCT l.message_id AS id FROM (");
		rsearch_pattern(q, "subject", v->like_subject, 1);
		rdb_sql(q, ") l");
		rsearch_end(q, n);
	}
	if (s->hash != NULL) {
		size_t len = strlen(v->hash);

		rdb_sql(q, *n ? " JOIN (" : "(");
		rdb_sql(q, len == 64 ? "SELECT id FROM messages WHERE "
		    "sha256 = ? UNION SELECT message_id FROM attachments WHERE "
		    "sha256 = ? UNION SELECT message_id FROM "
		    "attachment_members WHERE sha256 = ?" : len == 40 ?
		    "SELECT message_id AS id FROM attachments WHERE sha1 = ? "
		    "UNION SELECT message_id FROM attachment_members WHERE "
		    "sha1 = ?" : "SELECT message_id AS id FROM attachments "
		    "WHERE md5 = ? UNION SELECT message_id FROM "
		    "attachment_members WHERE md5 = ?");
		rdb_text(q, v->hash);
		rdb_text(q, v->hash);
		if (len == 64)
			rdb_text(q, v->hash);
		rsearch_end(q, n);
	}
	rsearch_hits_more(q, s, n);
}

/* The id of a counted value, once, by the unique key of patterns. */
#define PATTERN_ID	"(SELECT p.id FROM patterns p WHERE p.kind = ? AND " \
			"p.value_sha256 = UNHEX(SHA2(?, 256)))"

static void
rsearch_exists_pattern(struct rdb_query *q, const char *kind,
    const char *value)
{
	rdb_sql(q, "EXISTS (SELECT 1 FROM message_patterns l WHERE "
	    "l.message_id = m.id AND l.pattern_id = " PATTERN_ID ")");
	rdb_text(q, kind);
	rdb_text(q, value);
}

/* The criteria as conditions on one message m (the first step). */
static void
rsearch_exists(struct rdb_query *q, const struct report_search *s,
    const struct rsearch_vals *v)
{
	if (s->address != NULL) {
		rdb_sql(q, " AND (EXISTS (SELECT 1 FROM recipients e WHERE "
		    "e.message_id = m.id AND e.address = ?) OR "
		    "(m.mail_from_key = LEFT(?, 255) AND m.mail_from = ?) OR ");
		rdb_text(q, s->address);
		rdb_text(q, s->address);
		rdb_text(q, s->address);
		rsearch_exists_pattern(q, "email", s->address);
		rdb_sql(q, ")");
	}
	if (s->domain != NULL) {
		rdb_sql(q, " AND (EXISTS (SELECT 1 FROM recipients e WHERE "
		    "e.message_id = m.id AND e.domain = ?) OR "
		    "m.mail_from_domain = ? OR EXISTS (SELECT 1 FROM urls u "
		    "WHERE u.message_id = m.id AND u.host = ?) OR ");
		rdb_text(q, v->domain);
		rdb_text(q, v->domain);
		rdb_text(q, v->domain);
		rsearch_exists_pattern(q, "domain", v->domain);
		rdb_sql(q, ")");
	}
	if (s->url != NULL) {
		rdb_sql(q, " AND EXISTS (SELECT 1 FROM message_patterns l JOIN "
		    "patterns p ON p.id = l.pattern_id WHERE l.message_id = "
		    "m.id AND p.kind = 'url' AND p.value LIKE ?)");
		rdb_text(q, v->like_url);
	}
	if (s->subject != NULL) {
		rdb_sql(q, " AND m.subject LIKE ?");
		rdb_text(q, v->like_subject);
	}
	if (s->hash != NULL) {
		size_t len = strlen(v->hash);

		rdb_sql(q, len == 64 ? " AND (m.sha256 = ? OR EXISTS (SELECT 1 "
		    "FROM attachments a WHERE a.message_id = m.id AND "
		    "a.sha256 = ?) OR EXISTS (SELECT 1 FROM attachment_members "
		    "x WHERE x.message_id = m.id AND x.sha256 = ?))" :
		    len == 40 ? " AND (EXISTS (SELECT 1 FROM attachments a "
		    "WHERE a.message_id = m.id AND a.sha1 = ?) OR EXISTS "
		    "(SELECT 1 FROM attachment_members x WHERE x.message_id = "
		    "m.id AND x.sha1 = ?))" : " AND (EXISTS (SELECT 1 FROM "
		    "attachments a WHERE a.message_id = m.id AND a.md5 = ?) OR "
		    "EXISTS (SELECT 1 FROM attachment_members x WHERE "
		    "x.message_id = m.id AND x.md5 = ?))");
		rdb_text(q, v->hash);
		rdb_text(q, v->hash);
		if (len == 64)
			rdb_text(q, v->hash);
	}
	if (s->yara != NULL) {
		rdb_sql(q, " AND ");
		rsearch_exists_pattern(q, "yara", s->yara);
	}
	if (s->campaign != NULL) {
		rdb_sql(q, " AND m.campaign_id = ?");
		rdb_text(q, s->campaign);
	}
	if (s->mismatch)
		rdb_sql(q, " AND (EXISTS (SELECT 1 FROM attachments a WHERE "
		    "a.message_id = m.id AND a.type_mismatch = 1) OR EXISTS "
		    "(SELECT 1 FROM attachment_members x WHERE x.message_id = "
		    "m.id AND x.flags & 4 <> 0))");
}

static void rsearch_bad_ip(const char *) __attribute__((noreturn));

static void
rsearch_bad_ip(const char *ip)
{
	rout_fail("--ip '%s': expected an IPv4 or IPv6 address or network "
	    "(198.51.100.7, 198.51.100.0/24, 2001:db8::/32)", ip);
}

static void
rsearch_ip(struct rdb_query *q, const char *ip)
{
	unsigned char lo[16], hi[16];

	if (rnet_range(ip, lo, hi) == -1)
		rsearch_bad_ip(ip);
	rdb_sql(q, " AND s.client_ip_bin BETWEEN ? AND ?");
	rdb_blob(q, lo, 16);
	rdb_blob(q, hi, 16);
}

#define RSEARCH_COLUMNS	"SELECT s.started_at, s.client_ip, s.country, " \
	"s.session_key, s.spool_name, s.sensor, s.helo, s.end_reason, " \
	"s.messages, "

static void
rsearch_tail(struct rdb_query *q, const struct report_opts *o, int messages)
{
	if (o->search.ip != NULL)
		rsearch_ip(q, o->search.ip);
	rdb_sensor(q, o);
	rdb_sql(q, messages ? " ORDER BY m.received_at DESC, m.id DESC" :
	    " ORDER BY s.started_at DESC, s.id DESC");
	rdb_limit(q, o);
}

/* Sessions: by time, or by network (index on client_ip_bin). */
static void
rsearch_sessions(struct rdb_query *q, const struct report_opts *o)
{
	rdb_sql(q, RSEARCH_COLUMNS "NULL, NULL, NULL FROM sessions s "
	    "WHERE 1=1");
	rdb_window(q, "s.started_at", o);
	rsearch_tail(q, o, 0);
}

/* Messages, first step: the newest of the window, checked one by one. */
static void
rsearch_recent(struct rdb_query *q, const struct report_opts *o,
    const struct rsearch_vals *v)
{
	unsigned long long recent = RSEARCH_RECENT + 50ULL * o->limit;

	rdb_sql(q, RSEARCH_COLUMNS "m.seq, m.mail_from, m.subject FROM "
	    "(SELECT id FROM messages WHERE 1=1");
	rdb_window(q, "received_at", o);
	rdb_sql(q, " ORDER BY received_at DESC, id DESC LIMIT ?) r "
	    "STRAIGHT_JOIN messages m ON m.id = r.id "
	    "STRAIGHT_JOIN sessions s ON s.id = m.session_id WHERE 1=1");
	rdb_u64(q, recent > 1000000 ? 1000000 : recent);
	rsearch_exists(q, &o->search, v);
	rsearch_tail(q, o, 1);
}

/* Messages, second step: every match, from the criteria's indexes. */
static void
rsearch_all(struct rdb_query *q, const struct report_opts *o,
    const struct rsearch_vals *v)
{
	int n = 0;

	rdb_sql(q, RSEARCH_COLUMNS "m.seq, m.mail_from, m.subject FROM ");
	rsearch_hits(q, &o->search, v, &n);
	rdb_sql(q, " STRAIGHT_JOIN sessions s ON s.id = m.session_id "
	    "WHERE 1=1");
	rdb_window(q, "m.received_at", o);
	rsearch_tail(q, o, 1);
}

void
rsearch_check_opts(const struct report_opts *o)
{
	struct rsearch_vals v;
	unsigned char lo[16], hi[16];

	memset(&v, 0, sizeof(v));
	rsearch_check(&o->search, &v);
	if (o->search.ip != NULL && rnet_range(o->search.ip, lo, hi) == -1)
		rsearch_bad_ip(o->search.ip);
}

int
rsearch_run(struct rdb *db, const struct report_opts *o)
{
	struct rsearch_vals v;
	struct rdb_query q;
	struct rdb_rows rows;
	struct rout_table t;
	int found;

	memset(&v, 0, sizeof(v));
	rsearch_check(&o->search, &v);
	rdb_init(&q);
	if (!rsearch_messages(&o->search)) {
		rsearch_sessions(&q, o);
		rdb_run(db, &q, &rows);
	} else {
		rsearch_recent(&q, o, &v);
		rdb_run(db, &q, &rows);
		if (rows.nrows < o->limit) {
			rdb_rows_clear(&rows);
			rsearch_all(&q, o, &v);
			rdb_run(db, &q, &rows);
		}
	}
	memset(&t, 0, sizeof(t));
	t.report = "search";
	t.cols = rsearch_messages(&o->search) ? rsearch_msg_cols :
	    rsearch_session_cols;
	t.ncols = RSEARCH_NCOLS;
	t.rows = &rows;
	rout_table(o, &t);
	found = rows.nrows > 0;
	if (!found && o->format == RF_TEXT)
		fprintf(stderr, "spampot-report: nothing found\n");
	rdb_rows_clear(&rows);
	return found ? REPORT_FOUND : REPORT_NONE;
}
