/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * report_campaign: `spampot-report campaigns`, the campaigns with the most
 * messages in the window (and from --sensor), with their sources and link
 * domains; `spampot-report campaign ID`, one campaign: its totals, then
 * its messages by day, its client addresses, sensors, subjects, link
 * domains, URLs and attachments, one row each (section, value, count,
 * first and last seen), so that text, JSON and CSV hold the same rows.
 * The analyzer groups messages into campaigns as it imports them (see
 * spampot-analyzer(8), CAMPAIGNS).
 */
#include "autoconf.h"

#include <stdio.h>
#include <string.h>

#include "report_int.h"

static const struct rout_col rcamp_list_cols[] = {
	{ "id", "CAMPAIGN", RC_TEXT, 16, 0 },
	{ "messages", "MSGS", RC_INT, 0, RC_RIGHT },
	{ "total", "TOTAL", RC_INT, 0, RC_RIGHT | RC_NOTEXT },
	{ "clients", "SOURCES", RC_INT, 0, RC_RIGHT },
	{ "sensors", "SENSORS", RC_INT, 0, RC_NOTEXT },
	{ "first_seen", "FIRST", RC_TIME, 0, RC_NOTEXT },
	{ "last_seen", "LAST (UTC)", RC_TIME, 0, RC_NOTEXT },
	{ "link_domains", "LINK DOMAINS", RC_TEXT, 20, 0 },
	{ "subject", "SUBJECT", RC_TEXT, 0, RC_FLEX },
};
#define RCAMP_LIST_NCOLS (sizeof(rcamp_list_cols) / sizeof(rcamp_list_cols[0]))

static const struct rout_col rcamp_show_cols[] = {
	{ "section", "SECTION", RC_TEXT, 11, 0 },
	{ "n", "N", RC_INT, 0, RC_RIGHT },
	{ "first_seen", "FIRST", RC_TIME, 0, RC_NOTEXT },
	{ "last_seen", "LAST (UTC)", RC_TIME, 0, 0 },
	{ "value", "VALUE", RC_TEXT, 0, RC_FLEX },
};
#define RCAMP_SHOW_NCOLS (sizeof(rcamp_show_cols) / sizeof(rcamp_show_cols[0]))

/* A campaign's messages with their sessions (for --sensor). */
#define RCAMP_SESSION	"STRAIGHT_JOIN sessions s ON s.id = m.session_id"

/* The three link domains of a campaign with the most messages (MySQL's
 * GROUP_CONCAT has no LIMIT: the first three of all). */
#define RCAMP_DOMAINS	"(SELECT SUBSTRING_INDEX(GROUP_CONCAT(d.domain ORDER " \
	"BY d.n DESC, d.domain SEPARATOR ' '), ' ', 3) FROM campaign_domains " \
	"d WHERE d.campaign_id = c.id)"

void
rcamp_check(const char *id)
{
	size_t n = strlen(id);

	if (n == 0 || n > 20 || strspn(id, "0123456789") != n)
		rout_fail("bad campaign '%s': expected a campaign id (a "
		    "number, as spampot-report campaigns lists them)", id);
}

static void
rcamp_output(const struct report_opts *o, const char *report,
    const struct rout_col *cols, size_t ncols, struct rdb_rows *rows)
{
	struct rout_table t;

	memset(&t, 0, sizeof(t));
	t.report = report;
	t.cols = cols;
	t.ncols = ncols;
	t.rows = rows;
	rout_table(o, &t);
}

/* The campaigns with the most messages of the window, as campaigns
 * lists them (columns of rcamp_list_cols), at most LIMIT. */
void
rcamp_fetch(struct rdb *db, const struct report_opts *o, unsigned long limit,
    struct rdb_rows *rows)
{
	struct report_opts lim = *o;
	struct rdb_query q;

	lim.limit = limit;
	rdb_init(&q);
	if (o->since == 0 && o->until == 0 && o->sensor == NULL) {
		/* all time, every sensor: the running totals, by index */
		rdb_sql(&q, "SELECT CONCAT(c.id), c.messages, c.messages, "
		    "c.clients, c.sensors, c.first_seen, c.last_seen, "
		    RCAMP_DOMAINS ", c.subject FROM campaigns c ORDER BY "
		    "c.messages DESC, c.id");
		rdb_limit(&q, &lim);
		rdb_run(db, &q, rows);
		return;
	}
	rdb_sql(&q, "SELECT CONCAT(c.id), w.n, c.messages, c.clients, "
	    "c.sensors, c.first_seen, c.last_seen, " RCAMP_DOMAINS ", "
	    "c.subject FROM (SELECT m.campaign_id, COUNT(*) AS n FROM "
	    "messages m STRAIGHT_JOIN sessions s ON s.id = m.session_id "
	    "WHERE m.campaign_id IS NOT NULL");
	rdb_window(&q, "m.received_at", o);
	rdb_sensor(&q, o);
	rdb_sql(&q, " GROUP BY m.campaign_id ORDER BY n DESC, "
	    "m.campaign_id");
	rdb_limit(&q, &lim);
	rdb_sql(&q, ") w JOIN campaigns c ON c.id = w.campaign_id "
	    "ORDER BY w.n DESC, c.id");
	rdb_run(db, &q, rows);
}

int
rcamp_list(struct rdb *db, const struct report_opts *o)
{
	struct rdb_rows rows;
	int found;

	rcamp_fetch(db, o, o->limit, &rows);
	rcamp_output(o, "campaigns", rcamp_list_cols, RCAMP_LIST_NCOLS, &rows);
	found = rows.nrows > 0;
	if (!found && o->format == RF_TEXT)
		fprintf(stderr, "spampot-report: no campaign\n");
	rdb_rows_clear(&rows);
	return found ? REPORT_FOUND : REPORT_NONE;
}

/* A section of one campaign: SELECT 'name', n, first, last, value ...,
 * the most first, at most --limit rows. GROUP: of the campaign's
 * messages in the window and from --sensor (sessions s), grouped by it;
 * NULL: its running counts, all time. */
static void
rcamp_section(struct rdb_query *q, const char *id, const char *sql,
    const struct report_opts *o, const char *group)
{
	rdb_sql(q, " UNION ALL (");
	rdb_sql(q, sql);
	rdb_text(q, id);
	if (group != NULL) {
		rdb_window(q, "m.received_at", o);
		rdb_sensor(q, o);
		rdb_sql(q, " GROUP BY ");
		rdb_sql(q, group);
	}
	rdb_sql(q, " ORDER BY 2 DESC, 5");
	rdb_limit(q, o);
	rdb_sql(q, ")");
}

int
rcamp_show(struct rdb *db, const struct report_opts *o, const char *id)
{
	struct rdb_query q;
	struct rdb_rows rows;
	int found;

	rcamp_check(id);
	rdb_init(&q);
	rdb_sql(&q, "(SELECT 'campaign', c.messages, c.first_seen, "
	    "c.last_seen, CONCAT(c.id, ' ', IFNULL(c.subject, '')) "
	    "FROM campaigns c WHERE c.id = ?)");
	rdb_text(&q, id);
	/* by day: in the order of the days, not of their counts */
	rdb_sql(&q, " UNION ALL (SELECT 'day', COUNT(*), MIN(m.received_at), "
	    "MAX(m.received_at), DATE(m.received_at) FROM messages m "
	    RCAMP_SESSION " WHERE m.campaign_id = ?");
	rdb_text(&q, id);
	rdb_window(&q, "m.received_at", o);
	rdb_sensor(&q, o);
	rdb_sql(&q, " GROUP BY 5 ORDER BY 5)");
	rcamp_section(&q, id, "SELECT 'source', n, first_seen, last_seen, "
	    "client_ip FROM campaign_clients WHERE campaign_id = ?", o, NULL);
	rcamp_section(&q, id, "SELECT 'sensor', n, first_seen, last_seen, "
	    "sensor FROM campaign_sensors WHERE campaign_id = ?", o, NULL);
	rcamp_section(&q, id, "SELECT 'link-domain', n, first_seen, "
	    "last_seen, domain FROM campaign_domains WHERE campaign_id = ?",
	    o, NULL);
	rcamp_section(&q, id, "SELECT 'subject', COUNT(*), "
	    "MIN(m.received_at), MAX(m.received_at), IFNULL(m.subject, '') "
	    "FROM messages m " RCAMP_SESSION " WHERE m.campaign_id = ?", o,
	    "m.subject");
	rcamp_section(&q, id, "SELECT 'url', COUNT(*), MIN(m.received_at), "
	    "MAX(m.received_at), u.url FROM messages m " RCAMP_SESSION
	    " JOIN urls u ON u.message_id = m.id WHERE m.campaign_id = ?", o,
	    "u.url");
	rcamp_section(&q, id, "SELECT 'attachment', COUNT(*), "
	    "MIN(m.received_at), MAX(m.received_at), CONCAT(a.sha256, ' ', "
	    "MIN(IFNULL(a.real_type, a.content_type)), ' ', "
	    "MIN(IFNULL(a.filename, ''))) FROM messages m " RCAMP_SESSION
	    " JOIN attachments a ON a.message_id = m.id WHERE m.campaign_id = "
	    "?", o, "a.sha256");
	rdb_run(db, &q, &rows);
	/* no such campaign: an empty document, said in text */
	found = rows.nrows > 0 && strcmp(rdb_cell(&rows, 0, 0), "campaign") ==
	    0;
	if (!found)
		rdb_rows_clear(&rows);
	if (found || o->format != RF_TEXT)
		rcamp_output(o, "campaign", rcamp_show_cols, RCAMP_SHOW_NCOLS,
		    &rows);
	if (!found && o->format == RF_TEXT)
		fprintf(stderr, "spampot-report: no campaign '%s'\n", id);
	rdb_rows_clear(&rows);
	return found ? REPORT_FOUND : REPORT_NONE;
}
