/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * store_campaign: a message's campaign in the filling batch (the
 * campaign row, made by its first message and counted by the others; its
 * client address, sensor and link domains, each counted) and the
 * campaign index read back from the database (campaign_assign.c).
 */
#include "autoconf.h"

#include <mysql.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "campaign.h"
#include "parsed.h"
#include "store_int.h"

/* How far back a batch's queue of counts is looked at for the same
 * campaign: one count a campaign and batch, mostly. */
#define STORE_CAMPAIGN_DEDUP	64

/* One counted source or link domain of a campaign. */
static int
store_campaign_of(struct store *st, enum store_stmt w, uint64_t id,
    const char *v, size_t len, const char *when)
{
	struct store_params sp;

	store_bind_begin(&sp, w);
	store_bind_u64(&sp, id);
	store_bind_text(&sp, v, len);
	store_bind_u64(&sp, 1);
	store_bind_time(&sp, when);
	store_bind_time(&sp, when);
	return store_bind_queue(st->fill, &sp);
}

/* The distinct clients and sensors of campaign ID, counted again once
 * the batch's rows are in. */
static int
store_campaign_count(struct store *st, uint64_t id)
{
	const struct store_queue *q = &st->fill->q[ST_CAMPAIGN_COUNT];
	struct store_params sp;
	size_t i;

	for (i = q->n; i > 0 && q->n - i < STORE_CAMPAIGN_DEDUP; i--)
		if (q->rows[i - 1]->p[0].v.num == id)
			return 0;
	store_bind_begin(&sp, ST_CAMPAIGN_COUNT);
	store_bind_u64(&sp, id);
	store_bind_u64(&sp, id);
	store_bind_u64(&sp, id);
	return store_bind_queue(st->fill, &sp);
}

/* The representative's link domains, as the index reads them back. */
static int
store_campaign_domains(const struct parsed_campaign *pc, char *dst,
    size_t size)
{
	size_t i, len = 0, n;

	dst[0] = '\0';
	for (i = 0; i < pc->ndomains; i++) {
		n = strlen(pc->domains[i]);
		if (len + n + 2 > size)
			break;
		if (len > 0)
			dst[len++] = ' ';
		memcpy(dst + len, pc->domains[i], n + 1);
		len += n;
	}
	return 0;
}

int
store_campaign_rows(struct store *st, size_t mid,
    const struct parsed_campaign *pc, const char *subject,
    const struct parsed_more *more, const char *client, const char *sensor,
    size_t sensorlen, const char *when)
{
	struct store_params sp;
	char domains[COL_LONG + 1];
	size_t i;

	store_campaign_domains(pc, domains, sizeof(domains));
	store_bind_begin(&sp, ST_CAMPAIGN);
	store_bind_u64(&sp, pc->id);
	store_bind_str(&sp, more->sim.template);
	store_bind_str(&sp, more->sim.tlsh);
	store_bind_str(&sp, more->sim.ssdeep);
	store_bind_str(&sp, domains);
	if (subject != NULL)
		store_bind_str(&sp, subject);
	else
		store_bind_null(&sp);
	store_bind_ref(&sp, REF_MESSAGE, mid);
	store_bind_u64(&sp, 1);
	store_bind_time(&sp, when);
	store_bind_time(&sp, when);
	if (store_bind_queue(st->fill, &sp) == -1 ||
	    store_campaign_of(st, ST_CAMPAIGN_CLIENT, pc->id, client,
	    strlen(client), when) == -1 ||
	    store_campaign_of(st, ST_CAMPAIGN_SENSOR, pc->id,
	    sensor ? sensor : "", sensor ? sensorlen : 0, when) == -1)
		return -1;
	for (i = 0; i < pc->ndomains; i++)
		if (store_campaign_of(st, ST_CAMPAIGN_DOMAIN, pc->id,
		    pc->domains[i], strlen(pc->domains[i]), when) == -1)
			return -1;
	return store_campaign_count(st, pc->id);
}

/* Each campaign's representative, in the order they were made. */
static int
store_campaign_reps(MYSQL *db, struct campaign_index *idx, char *err,
    size_t errlen)
{
	const char *dom[64];
	struct campaign_key key;
	MYSQL_RES *res;
	MYSQL_ROW row;
	char *p, *save;
	int rc = 0;

	if (mysql_query(db, "SELECT id, template, tlsh, ssdeep, domains FROM "
	    "campaigns ORDER BY rep_message_id, id") != 0 ||
	    (res = mysql_use_result(db)) == NULL) {
		snprintf(err, errlen, "%s", mysql_error(db));
		return -1;
	}
	while (rc == 0 && (row = mysql_fetch_row(res)) != NULL) {
		key.template = row[1];
		key.tlsh = row[2];
		key.ssdeep = row[3];
		key.ndomains = 0;
		for (p = strtok_r(row[4], " ", &save); p != NULL &&
		    key.ndomains < sizeof(dom) / sizeof(dom[0]);
		    p = strtok_r(NULL, " ", &save))
			dom[key.ndomains++] = p;
		key.domains = dom;
		rc = campaign_index_add(idx, strtoull(row[0], NULL, 10), &key);
	}
	if (rc == -1)
		snprintf(err, errlen, "out of memory");
	mysql_free_result(res);
	return rc;
}

/* Every template seen, with its campaign. */
static int
store_campaign_templates(MYSQL *db, struct campaign_index *idx, char *err,
    size_t errlen)
{
	MYSQL_RES *res;
	MYSQL_ROW row;
	int rc = 0;

	if (mysql_query(db, "SELECT template, campaign_id FROM messages "
	    "WHERE campaign_id IS NOT NULL ORDER BY id") != 0 ||
	    (res = mysql_use_result(db)) == NULL) {
		snprintf(err, errlen, "%s", mysql_error(db));
		return -1;
	}
	while (rc == 0 && (row = mysql_fetch_row(res)) != NULL)
		if (row[0] != NULL)
			rc = campaign_index_template(idx, strtoull(row[1],
			    NULL, 10), row[0]);
	if (rc == -1)
		snprintf(err, errlen, "out of memory");
	mysql_free_result(res);
	return rc;
}

int
store_campaign_load(struct store *st, struct campaign_index *idx, char *err,
    size_t errlen)
{
	int rc;

	rc = store_campaign_reps(st->db, idx, err, errlen);
	if (rc == 0)
		rc = store_campaign_templates(st->db, idx, err, errlen);
	mysql_rollback(st->db);
	return rc;
}

/* --- rebuild ------------------------------------------------------------- */

/*
 * The rebuild needs no privilege but the analyzer's (rows only, no DDL):
 * each chunk of messages read gets its campaigns in one UPDATE, the new
 * campaigns' rows from their first messages in one INSERT ... SELECT, the
 * link domains counted in one INSERT; the totals at the end. All of it
 * is one transaction, made again from the start after a conflict with
 * another writer (store_retry.c).
 */
#define REBUILD_CHUNK		5000

struct rebuild {
	MYSQL			*db;
	store_campaign_fn	 assign;
	void			*arg;
	struct buf		 ids;		/* the chunk's message ids */
	struct buf		 cases;		/* their campaigns */
	struct buf		 reps;		/* the campaigns they made */
	struct buf		 doms;		/* their link domains */
	unsigned long		 n, campaigns;
	unsigned		 code;		/* the server's error */
	char			*err;
	size_t			 errlen;
};

static int
rebuild_exec(struct rebuild *rb, const char *sql)
{
	if (mysql_query(rb->db, sql) != 0) {
		rb->code = mysql_errno(rb->db);
		snprintf(rb->err, rb->errlen, "%s", mysql_error(rb->db));
		return -1;
	}
	return 0;
}

/* A text value for the SQL being made, quoted and escaped. */
static int
rebuild_quote(struct rebuild *rb, struct buf *b, const char *s)
{
	size_t n = strlen(s);
	char *esc;
	int rc;

	if ((esc = malloc(2 * n + 1)) == NULL)
		return -1;
	mysql_real_escape_string(rb->db, esc, s, (unsigned long)n);
	rc = buf_appendf(b, "'%s'", esc);
	free(esc);
	return rc;
}

/* One message's campaign, into the chunk's statements. */
static int
rebuild_row(struct rebuild *rb, MYSQL_ROW row)
{
	char domains[COL_LONG + 1], *p, *save;
	unsigned long long id;
	uint64_t cid;
	int created;

	if (rb->assign(rb->arg, row[1], row[2] ? row[2] : "",
	    row[3] ? row[3] : "", row[4] ? row[4] : "", &cid, &created,
	    domains, sizeof(domains)) == -1)
		return -1;
	if (cid == 0)
		return 0;
	id = strtoull(row[0], NULL, 10);
	if (buf_appendf(&rb->ids, "%s%llu", rb->ids.len ? "," : "", id) ==
	    -1 || buf_appendf(&rb->cases, " WHEN %llu THEN %llu", id,
	    (unsigned long long)cid) == -1)
		return -1;
	if (created) {
		rb->campaigns++;
		if (buf_appendf(&rb->reps, "%s SELECT %llu AS id, %llu AS rep, ",
		    rb->reps.len ? " UNION ALL" : "", (unsigned long long)cid,
		    id) == -1 || rebuild_quote(rb, &rb->reps, domains) == -1 ||
		    buf_append(&rb->reps, " AS domains", 11) == -1)
			return -1;
	}
	for (p = strtok_r(domains, " ", &save); p != NULL;
	    p = strtok_r(NULL, " ", &save))
		if (buf_appendf(&rb->doms, "%s(%llu,", rb->doms.len ? "," : "",
		    (unsigned long long)cid) == -1 ||
		    rebuild_quote(rb, &rb->doms, p) == -1 ||
		    buf_appendf(&rb->doms, ",1,'%s','%s')", row[5],
		    row[5]) == -1)
			return -1;
	return 0;
}

/* The chunk's statements sent, and emptied. */
static int
rebuild_send(struct rebuild *rb)
{
	struct buf q = { NULL, 0, 0 };
	int rc = -1;

	if (rb->ids.len > 0 && (buf_appendf(&q, "UPDATE messages SET "
	    "campaign_id = CASE id%.*s END WHERE id IN (%.*s)",
	    (int)rb->cases.len, rb->cases.data, (int)rb->ids.len,
	    rb->ids.data) == -1 || rebuild_exec(rb, q.data) == -1))
		goto done;
	q.len = 0;
	if (rb->reps.len > 0 && (buf_appendf(&q, "INSERT INTO campaigns (id, "
	    "template, tlsh, ssdeep, domains, subject, rep_message_id, "
	    "messages, first_seen, last_seen) SELECT c.id, m.template, "
	    "IFNULL(m.tlsh, ''), IFNULL(m.ssdeep, ''), c.domains, m.subject, m.id, 0, m.received_at, "
	    "m.received_at FROM (%.*s) c JOIN messages m ON m.id = c.rep",
	    (int)rb->reps.len, rb->reps.data) == -1 ||
	    rebuild_exec(rb, q.data) == -1))
		goto done;
	q.len = 0;
	if (rb->doms.len > 0 && (buf_appendf(&q, "INSERT INTO "
	    "campaign_domains (campaign_id, domain, n, first_seen, last_seen) "
	    "VALUES %.*s ON DUPLICATE KEY UPDATE n = n + VALUES(n), "
	    "first_seen = LEAST(first_seen, VALUES(first_seen)), last_seen = "
	    "GREATEST(last_seen, VALUES(last_seen))", (int)rb->doms.len,
	    rb->doms.data) == -1 || rebuild_exec(rb, q.data) == -1))
		goto done;
	rc = 0;
done:
	if (rc == -1 && rb->err[0] == '\0')
		snprintf(rb->err, rb->errlen, "out of memory");
	rb->ids.len = rb->cases.len = rb->reps.len = rb->doms.len = 0;
	buf_release(&q);
	return rc;
}

/* The next messages after AFTER, in the order they were imported: how
 * many, or -1. */
static int
rebuild_chunk(struct rebuild *rb, unsigned long long *after)
{
	char q[1024];
	MYSQL_RES *res;
	MYSQL_ROW row;
	int rc = 0, n = 0;

	snprintf(q, sizeof(q), "SELECT m.id, m.template, m.tlsh, m.ssdeep, "
	    "(SELECT GROUP_CONCAT(DISTINCT u.host SEPARATOR ' ') FROM urls u WHERE "
	    "u.message_id = m.id), m.received_at FROM messages m WHERE "
	    "m.id > %llu AND m.template IS NOT NULL ORDER BY m.id LIMIT %d",
	    *after, REBUILD_CHUNK);
	if (rebuild_exec(rb, q) == -1)
		return -1;
	if ((res = mysql_store_result(rb->db)) == NULL) {
		rb->code = mysql_errno(rb->db);
		snprintf(rb->err, rb->errlen, "%s", mysql_error(rb->db));
		return -1;
	}
	while (rc == 0 && (row = mysql_fetch_row(res)) != NULL) {
		*after = strtoull(row[0], NULL, 10);
		rb->n++;
		n++;
		if (rebuild_row(rb, row) == -1)
			rc = -1;
	}
	mysql_free_result(res);
	if (rc == -1 && rb->err[0] == '\0')
		snprintf(rb->err, rb->errlen, "out of memory");
	if (rc == 0 && rebuild_send(rb) == -1)
		rc = -1;
	return rc == 0 ? n : -1;
}

/* Everything the campaigns were, gone. A message's hosts are read whole
 * (GROUP_CONCAT would cut them at 1024 bytes). */
static const char *const rebuild_begin[] = {
	"SET SESSION group_concat_max_len = 16777216",
	"DELETE FROM campaign_clients",
	"DELETE FROM campaign_sensors",
	"DELETE FROM campaign_domains",
	"DELETE FROM campaigns",
	"UPDATE messages SET campaign_id = NULL WHERE campaign_id IS NOT NULL",
};

/* The counts, as online assignment keeps them. */
static const char *const rebuild_end[] = {
	"UPDATE campaigns c JOIN (SELECT campaign_id, COUNT(*) AS n, "
	    "MIN(received_at) AS f, MAX(received_at) AS l FROM messages WHERE "
	    "campaign_id IS NOT NULL GROUP BY campaign_id) a ON "
	    "a.campaign_id = c.id SET c.messages = a.n, c.first_seen = a.f, "
	    "c.last_seen = a.l",
	"INSERT INTO campaign_clients (campaign_id, client_ip, n, "
	    "first_seen, last_seen) SELECT m.campaign_id, s.client_ip, "
	    "COUNT(*), MIN(m.received_at), MAX(m.received_at) FROM messages "
	    "m JOIN sessions s ON s.id = m.session_id WHERE m.campaign_id IS "
	    "NOT NULL GROUP BY m.campaign_id, s.client_ip",
	"INSERT INTO campaign_sensors (campaign_id, sensor, n, first_seen, "
	    "last_seen) SELECT m.campaign_id, s.sensor, COUNT(*), "
	    "MIN(m.received_at), MAX(m.received_at) FROM messages m JOIN "
	    "sessions s ON s.id = m.session_id WHERE m.campaign_id IS NOT "
	    "NULL GROUP BY m.campaign_id, s.sensor",
	"UPDATE campaigns c SET clients = (SELECT COUNT(*) FROM "
	    "campaign_clients WHERE campaign_id = c.id), sensors = (SELECT "
	    "COUNT(*) FROM campaign_sensors WHERE campaign_id = c.id)",
};

/* The chunks' statements emptied: a try starts with none. */
static void
rebuild_empty(struct rebuild *rb)
{
	rb->ids.len = rb->cases.len = rb->reps.len = rb->doms.len = 0;
	rb->n = rb->campaigns = 0;
	rb->code = 0;
}

/* One try of the whole rebuild (store_try_fn), from an empty index: what
 * a try rolled back had assigned is forgotten. */
static int
rebuild_try(struct store *st, void *arg, unsigned *code, char *err,
    size_t errlen)
{
	struct rebuild *rb = arg;
	unsigned long long after = 0;
	size_t i;
	int n = 0;

	rebuild_empty(rb);
	rb->err = err;
	rb->errlen = errlen;
	err[0] = '\0';
	if (rb->assign(rb->arg, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	    0) == -1) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (i = 0; i < sizeof(rebuild_begin) / sizeof(rebuild_begin[0]); i++)
		if (rebuild_exec(rb, rebuild_begin[i]) == -1)
			goto fail;
	while ((n = rebuild_chunk(rb, &after)) > 0)
		;
	if (n == -1)
		goto fail;
	for (i = 0; i < sizeof(rebuild_end) / sizeof(rebuild_end[0]); i++)
		if (rebuild_exec(rb, rebuild_end[i]) == -1)
			goto fail;
	if (mysql_commit(st->db) != 0) {
		rb->code = mysql_errno(st->db);
		snprintf(err, errlen, "commit: %s", mysql_error(st->db));
		goto fail;
	}
	return 0;
fail:
	*code = rb->code;
	mysql_rollback(st->db);
	return -1;
}

int
store_campaign_rebuild(struct store *st, store_campaign_fn assign, void *arg,
    unsigned long *messages, unsigned long *campaigns,
    struct store_tries *tries, char *err, size_t errlen)
{
	struct rebuild rb;
	int rc;

	memset(&rb, 0, sizeof(rb));
	rb.db = st->db;
	rb.assign = assign;
	rb.arg = arg;
	rc = store_retry_run(st, rebuild_try, &rb, tries, err, errlen);
	if (rc == 0) {
		*messages = rb.n;
		*campaigns = rb.campaigns;
	}
	buf_release(&rb.ids);
	buf_release(&rb.cases);
	buf_release(&rb.reps);
	buf_release(&rb.doms);
	return rc;
}
