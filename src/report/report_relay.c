/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * report_relay: `spampot-report relay`, the relay's decisions on probes
 * (relay_decisions, verdicts relay, refused and dry-run: the messages that
 * were no probe are left out) with what became of each one relayed
 * (relay_deliveries), newest first, in the window and for --sensor. See
 * spampot-relay(8).
 */
#include "autoconf.h"

#include <stdio.h>
#include <string.h>

#include "report_int.h"

static const struct rout_col rrelay_cols[] = {
	{ "decided_at", "DECIDED (UTC)", RC_TIME, 0, 0 },
	{ "verdict", "VERDICT", RC_TEXT, 7, 0 },
	{ "rule", "RULE", RC_TEXT, 11, 0 },
	{ "limit", "LIMIT", RC_TEXT, 9, 0 },
	{ "client_ip", "CLIENT", RC_TEXT, 15, 0 },
	{ "rcpt", "RECIPIENT", RC_TEXT, 0, RC_FLEX },
	{ "status", "SENT", RC_TEXT, 7, 0 },
	{ "queue_id", "QUEUE ID", RC_TEXT, 0, RC_NOTEXT },
	{ "attempts", "ATTEMPTS", RC_INT, 0, RC_NOTEXT },
	{ "reply_code", "CODE", RC_INT, 0, RC_NOTEXT },
	{ "smarthost_queue_id", "SMARTHOST ID", RC_TEXT, 0, RC_NOTEXT },
	{ "reply", "reply", RC_TEXT, 0, RC_LINE },
	{ "sensor", "SENSOR", RC_TEXT, 0, RC_NOTEXT },
};
#define RRELAY_NCOLS	(sizeof(rrelay_cols) / sizeof(rrelay_cols[0]))

int
rrelay_run(struct rdb *db, const struct report_opts *o)
{
	struct rdb_query q;
	struct rdb_rows rows;
	struct rout_table t;
	int found;

	rdb_init(&q);
	rdb_sql(&q, "SELECT d.decided_at, d.verdict, d.rule, "
	    "IF(d.verdict = 'refused', d.reason, NULL), s.client_ip, d.rcpt, "
	    "r.status, d.queue_id, r.attempts, r.reply_code, "
	    "r.smarthost_queue_id, r.reply, s.sensor "
	    "FROM relay_decisions d "
	    "STRAIGHT_JOIN messages m ON m.id = d.message_id "
	    "STRAIGHT_JOIN sessions s ON s.id = m.session_id "
	    "LEFT JOIN relay_deliveries r ON r.queue_id = d.queue_id "
	    "WHERE d.verdict <> 'not-probe'");
	rdb_window(&q, "d.decided_at", o);
	rdb_sensor(&q, o);
	rdb_sql(&q, " ORDER BY d.decided_at DESC, d.id DESC");
	rdb_limit(&q, o);
	rdb_run(db, &q, &rows);
	memset(&t, 0, sizeof(t));
	t.report = "relay";
	t.cols = rrelay_cols;
	t.ncols = RRELAY_NCOLS;
	t.rows = &rows;
	rout_table(o, &t);
	found = rows.nrows > 0;
	if (!found && o->format == RF_TEXT)
		fprintf(stderr, "spampot-report: no relay decision on a probe\n");
	rdb_rows_clear(&rows);
	return found ? REPORT_FOUND : REPORT_NONE;
}
