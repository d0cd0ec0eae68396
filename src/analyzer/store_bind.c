/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * store_bind: each statement of the store described once, as a table of
 * its columns (name, how its value is bound, the bytes a text may take),
 * from which its SQL text and its MYSQL_BIND arrays are made; the values
 * of a row, each checked against its column and made as the column holds
 * it (text made valid UTF-8 and cut at a character boundary, so that the
 * database never refuses a row for its bytes); the queues of rows that
 * wait for the commit; and a queue sent in as few executions as the
 * server's packet allows, each column an array (MariaDB's bulk protocol;
 * row by row with other servers).
 *
 * Run by spampot-analyzer, unprivileged, under its seccomp filter: rows
 * are made on the main thread, sent on the commit thread.
 */
#include "autoconf.h"

#include <mysql.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store_int.h"
#include "store_rollup.h"
#include "utf8.h"

#define COLS(a)		a, sizeof(a) / sizeof(a[0])

static const struct store_col session_cols[] = {
	{ "sensor",		SC_TEXT,	COL_SHORT },
	[SC_SESSION_NAME] = { "spool_name", SC_TEXT, COL_SHORT },
	{ "session_key",	SC_TEXT,	16 },
	[SC_SESSION_CLIENT_IP] = { "client_ip", SC_TEXT, 45 },
	{ "client_port",	SC_NUM,		0 },
	{ "server_ip",		SC_TEXT,	45 },
	{ "server_port",	SC_NUM,		0 },
	{ "started_at",		SC_TIME,	0 },
	{ "ended_at",		SC_TIME,	0 },
	[SC_SESSION_HELO] = { "helo", SC_TEXT, COL_SHORT },
	{ "helo_verb",		SC_TEXT,	4 },
	{ "end_reason",		SC_TEXT,	16 },
	{ "messages",		SC_NUM,		0 },
	{ "country",		SC_TEXT,	2 },
	{ "asn",		SC_NUM,		0 },
	{ "as_org",		SC_TEXT,	COL_SHORT },
};

static const struct store_col transcript_cols[] = {
	{ "session_id",		SC_NUM,		0 },
	{ "transcript",		SC_TEXT,	COL_MEDIUM },
};

static const struct store_col session_tls_cols[] = {
	{ "session_id",		SC_NUM,		0 },
	{ "ok",			SC_NUM,		0 },
	[SC_TLS_VERSION] = { "version", SC_TEXT, 16 },
	{ "cipher",		SC_TEXT,	64 },
	{ "alpn",		SC_TEXT,	COL_SHORT },
	{ "fail_stage",		SC_TEXT,	16 },
	{ "fail_reason",	SC_TEXT,	COL_SHORT },
	{ "fail_bytes",		SC_NUM,		0 },
	[SC_TLS_SNI] = { "sni", SC_TEXT, COL_SHORT },
	{ "alpns",		SC_TEXT,	COL_TEXT },
	{ "hello_version",	SC_NUM,		0 },
	{ "ciphers",		SC_TEXT,	COL_TEXT },
	{ "extensions",		SC_TEXT,	COL_TEXT },
	{ "supported_groups",	SC_TEXT,	COL_TEXT },
	{ "sigalgs",		SC_TEXT,	COL_TEXT },
	{ "point_formats",	SC_TEXT,	COL_TEXT },
	{ "supported_versions",	SC_TEXT,	COL_TEXT },
	{ "hello_cut",		SC_NUM,		0 },
	{ "ja3",		SC_TEXT,	COL_TEXT },
	[SC_TLS_JA3_HASH] = { "ja3_hash", SC_TEXT, 32 },
	[SC_TLS_JA4] = { "ja4", SC_TEXT, 36 },
	{ "started_at",		SC_TIME,	0 },
};

static const struct store_col auth_cols[] = {
	{ "session_id",		SC_NUM,		0 },
	{ "mechanism",		SC_TEXT,	32 },
	{ "status",		SC_TEXT,	16 },
	[SC_AUTH_USER] = { "username", SC_TEXT, COL_LONG },
	[SC_AUTH_PASS] = { "password", SC_TEXT, COL_LONG },
	{ "authzid",		SC_TEXT,	COL_LONG },
	{ "tried_at",		SC_TIME,	0 },
};

static const struct store_col message_cols[] = {
	[SC_MESSAGE_SESSION] = { "session_id", SC_NUM, 0 },
	[SC_MESSAGE_SEQ] = { "seq", SC_NUM, 0 },
	[SC_MESSAGE_FROM] = { "mail_from", SC_TEXT, COL_LONG },
	{ "mail_from_domain",	SC_TEXT,	COL_SHORT },
	{ "size",		SC_NUM,		0 },
	{ "stored_size",	SC_NUM,		0 },
	{ "truncated",		SC_NUM,		0 },
	{ "incomplete",		SC_NUM,		0 },
	{ "subject",		SC_TEXT,	COL_TEXT },
	{ "sha256",		SC_TEXT,	64 },
	{ "queue_id",		SC_TEXT,	16 },
	{ "received_at",	SC_TIME,	0 },
	{ "template",		SC_TEXT,	64 },
	{ "tlsh",		SC_TEXT,	72 },
	{ "ssdeep",		SC_TEXT,	148 },
	{ "campaign_id",	SC_NUM,		0 },
};

static const struct store_col rcpt_cols[] = {
	{ "message_id",		SC_NUM,		0 },
	{ "address",		SC_TEXT,	COL_LONG },
	[SC_RCPT_DOMAIN] = { "domain", SC_TEXT, COL_SHORT },
	{ "received_at",	SC_TIME,	0 },
};

static const struct store_col url_cols[] = {
	{ "message_id",		SC_NUM,		0 },
	{ "url",		SC_TEXT,	COL_TEXT },
	[SC_URL_HOST] = { "host", SC_TEXT, COL_SHORT },
	{ "count",		SC_NUM,		0 },
	{ "received_at",	SC_TIME,	0 },
};

static const struct store_col relay_decision_cols[] = {
	{ "message_id",		SC_NUM,		0 },
	{ "decided_at",		SC_TIME,	0 },
	{ "verdict",		SC_TEXT,	16 },
	{ "rule",		SC_TEXT,	32 },
	{ "reason",		SC_TEXT,	32 },
	{ "client_ip",		SC_TEXT,	45 },
	{ "rcpt",		SC_TEXT,	COL_SHORT },
	{ "rcpt_domain",	SC_TEXT,	COL_SHORT },
	{ "campaign",		SC_TEXT,	64 },
	{ "queue_id",		SC_TEXT,	160 },
};

static const struct store_col att_cols[] = {
	{ "message_id",		SC_NUM,		0 },
	{ "filename",		SC_TEXT,	COL_LONG },
	{ "content_type",	SC_TEXT,	COL_SHORT },
	{ "size",		SC_NUM,		0 },
	{ "md5",		SC_TEXT,	32 },
	{ "sha1",		SC_TEXT,	40 },
	[SC_ATT_SHA256] = { "sha256", SC_TEXT, 64 },
	{ "received_at",	SC_TIME,	0 },
	{ "seq",		SC_NUM,		0 },
	{ "real_type",		SC_TEXT,	COL_SHORT },
	{ "type_mismatch",	SC_NUM,		0 },
	{ "archive",		SC_TEXT,	16 },
	{ "archive_password",	SC_TEXT,	COL_SHORT },
};

static const struct store_col member_cols[] = {
	{ "message_id",		SC_NUM,		0 },
	{ "att_seq",		SC_NUM,		0 },
	{ "path",		SC_TEXT,	COL_LONG },
	{ "depth",		SC_NUM,		0 },
	{ "size",		SC_NUM,		0 },
	{ "md5",		SC_TEXT,	32 },
	{ "sha1",		SC_TEXT,	40 },
	{ "sha256",		SC_TEXT,	64 },
	{ "real_type",		SC_TEXT,	COL_SHORT },
	{ "flags",		SC_NUM,		0 },
	{ "received_at",	SC_TIME,	0 },
};

static const struct store_col yara_cols[] = {
	{ "message_id",		SC_NUM,		0 },
	{ "att_seq",		SC_NUM,		0 },
	{ "member_path",	SC_TEXT,	COL_LONG },
	{ "rule",		SC_TEXT,	128 },
	{ "namespace",		SC_TEXT,	128 },
	{ "tags",		SC_TEXT,	COL_LONG },
	{ "meta",		SC_TEXT,	COL_TEXT },
	{ "received_at",	SC_TIME,	0 },
};

static const struct store_col campaign_cols[] = {
	{ "id",			SC_NUM,		0 },
	{ "template",		SC_TEXT,	64 },
	{ "tlsh",		SC_TEXT,	72 },
	{ "ssdeep",		SC_TEXT,	148 },
	{ "domains",		SC_TEXT,	COL_LONG },
	{ "subject",		SC_TEXT,	COL_TEXT },
	{ "rep_message_id",	SC_NUM,		0 },
	{ "messages",		SC_NUM,		0 },
	{ "first_seen",		SC_TIME,	0 },
	{ "last_seen",		SC_TIME,	0 },
};

/* a campaign's sources and link domains: what, and its running count */
#define CAMPAIGN_OF(col, max)	{ "campaign_id", SC_NUM, 0 }, \
	{ col, SC_TEXT, max }, { "n", SC_NUM, 0 }, \
	{ "first_seen", SC_TIME, 0 }, { "last_seen", SC_TIME, 0 }

static const struct store_col campaign_client_cols[] = {
	CAMPAIGN_OF("client_ip", 45),
};

static const struct store_col campaign_sensor_cols[] = {
	CAMPAIGN_OF("sensor", COL_SHORT),
};

static const struct store_col campaign_domain_cols[] = {
	CAMPAIGN_OF("domain", COL_SHORT),
};

/* the parameters of ST_CAMPAIGN_COUNT's text */
static const struct store_col campaign_count_cols[] = {
	{ "id",			SC_NUM,		0 },
	{ "id",			SC_NUM,		0 },
	{ "id",			SC_NUM,		0 },
};

static const struct store_col pattern_cols[] = {
	[SC_PATTERN_KIND] = { "kind", SC_TEXT, 64 },
	[SC_PATTERN_VALUE] = { "value", SC_TEXT, COL_TEXT },
	[SC_PATTERN_SHA] = { "value_sha256", SC_BLOB, 32 },
	{ "total",		SC_NUM,		0 },
	{ "first_seen",		SC_TIME,	0 },
	{ "last_seen",		SC_TIME,	0 },
};

/* the parameters of ST_PATTERN_ADD's text, in order */
static const struct store_col pattern_add_cols[] = {
	{ "total",		SC_NUM,		0 },
	{ "first_seen",		SC_TIME,	0 },
	{ "last_seen",		SC_TIME,	0 },
	{ "id",			SC_NUM,		0 },
};

static const struct store_col msg_pattern_cols[] = {
	{ "message_id",		SC_NUM,		0 },
	[SC_LINK_PATTERN] = { "pattern_id", SC_NUM, 0 },
	[SC_LINK_COUNT] = { "count", SC_NUM, 0 },
};

static const struct store_col sess_pattern_cols[] = {
	{ "session_id",		SC_NUM,		0 },
	[SC_LINK_PATTERN] = { "pattern_id", SC_NUM, 0 },
	[SC_LINK_COUNT] = { "count", SC_NUM, 0 },
};

/* The running totals (store_rollup.c): a count and when it was made, of
 * a kind, a value (at most STORE_ROLLUP_CHARS characters of its own
 * column's text) or a pattern. */
#define ROLLUP_KIND	{ "kind", SC_TEXT, 16 }
#define ROLLUP_HOUR	{ "hour", SC_TEXT, 19 }
#define ROLLUP_VALUE	{ "value_sha256", SC_BLOB, 32 }, \
	{ "value", SC_TEXT, STORE_ROLLUP_CHARS * 4 }, \
	{ "value2", SC_TEXT, STORE_ROLLUP_CHARS * 4 }
#define ROLLUP_COUNT	{ "n", SC_NUM, 0 }, { "first_seen", SC_TIME, 0 }, \
	{ "last_seen", SC_TIME, 0 }

static const struct store_col kind_hour_cols[] = {
	ROLLUP_KIND, ROLLUP_HOUR, ROLLUP_COUNT,
};

static const struct store_col value_hour_cols[] = {
	ROLLUP_KIND, ROLLUP_HOUR, ROLLUP_VALUE, ROLLUP_COUNT,
};

static const struct store_col value_total_cols[] = {
	ROLLUP_KIND, ROLLUP_VALUE, ROLLUP_COUNT,
};

static const struct store_col pattern_hour_cols[] = {
	{ "kind", SC_TEXT, 64 }, ROLLUP_HOUR, { "pattern_id", SC_NUM, 0 },
	ROLLUP_COUNT,
};

/* what the read-back of ids returns (store_ids.c) */
static const struct store_col session_id_cols[] = {
	{ "id",			SC_NUM,		0 },
	[SC_IDS_NAME] = { "spool_name", SC_TEXT, COL_SHORT },
};

static const struct store_col message_id_cols[] = {
	{ "id",			SC_NUM,		0 },
	{ "session_id",		SC_NUM,		0 },
	{ "seq",		SC_NUM,		0 },
};

/* A running total: added to, or made. */
#define ROLLUP_ADD	" ON DUPLICATE KEY UPDATE n = n + VALUES(n), " \
	"first_seen = LEAST(first_seen, VALUES(first_seen)), " \
	"last_seen = GREATEST(last_seen, VALUES(last_seen))"

const struct store_stmt_def store_stmts[ST_COUNT] = {
	[ST_SESSION] = { SQL_INSERT, "sessions", COLS(session_cols), "" },
	[ST_TRANSCRIPT] = { SQL_INSERT, "transcripts", COLS(transcript_cols),
	    "" },
	[ST_AUTH] = { SQL_INSERT, "auth_attempts", COLS(auth_cols), "" },
	[ST_SESSION_TLS] = { SQL_INSERT, "session_tls",
	    COLS(session_tls_cols), "" },
	[ST_MESSAGE] = { SQL_INSERT, "messages", COLS(message_cols), "" },
	[ST_RCPT] = { SQL_INSERT, "recipients", COLS(rcpt_cols), "" },
	[ST_URL] = { SQL_INSERT, "urls", COLS(url_cols), "" },
	[ST_ATT] = { SQL_INSERT, "attachments", COLS(att_cols), "" },
	[ST_RELAY_DECISION] = { SQL_INSERT, "relay_decisions",
	    COLS(relay_decision_cols), "" },
	[ST_MEMBER] = { SQL_INSERT, "attachment_members", COLS(member_cols),
	    "" },
	[ST_YARA] = { SQL_INSERT, "yara_matches", COLS(yara_cols), "" },
	/* a campaign made by its first message, counted by the others */
	[ST_CAMPAIGN] = { SQL_INSERT, "campaigns", COLS(campaign_cols),
	    " ON DUPLICATE KEY UPDATE messages = messages + VALUES(messages), "
	    "first_seen = LEAST(first_seen, VALUES(first_seen)), "
	    "last_seen = GREATEST(last_seen, VALUES(last_seen))" },
	[ST_CAMPAIGN_CLIENT] = { SQL_INSERT, "campaign_clients",
	    COLS(campaign_client_cols), ROLLUP_ADD },
	[ST_CAMPAIGN_SENSOR] = { SQL_INSERT, "campaign_sensors",
	    COLS(campaign_sensor_cols), ROLLUP_ADD },
	[ST_CAMPAIGN_DOMAIN] = { SQL_INSERT, "campaign_domains",
	    COLS(campaign_domain_cols), ROLLUP_ADD },
	/* distinct sources: counted from their rows, once a batch */
	[ST_CAMPAIGN_COUNT] = { SQL_TEXT, "campaigns",
	    COLS(campaign_count_cols),
	    "UPDATE campaigns SET clients = (SELECT COUNT(*) FROM "
	    "campaign_clients WHERE campaign_id = ?), sensors = (SELECT "
	    "COUNT(*) FROM campaign_sensors WHERE campaign_id = ?) "
	    "WHERE id = ?" },
	/* LAST_INSERT_ID(id): the id of the row, new or not */
	[ST_PATTERN] = { SQL_INSERT, "patterns", COLS(pattern_cols),
	    " ON DUPLICATE KEY UPDATE id = LAST_INSERT_ID(id), "
	    "total = total + VALUES(total), "
	    "first_seen = LEAST(first_seen, VALUES(first_seen)), "
	    "last_seen = GREATEST(last_seen, VALUES(last_seen))" },
	/* a known value's counts of a batch, added up */
	[ST_PATTERN_ADD] = { SQL_TEXT, "patterns", COLS(pattern_add_cols),
	    "UPDATE patterns SET total = total + ?, "
	    "first_seen = LEAST(first_seen, ?), "
	    "last_seen = GREATEST(last_seen, ?) WHERE id = ?" },
	[ST_MSG_PATTERN] = { SQL_INSERT, "message_patterns",
	    COLS(msg_pattern_cols),
	    " ON DUPLICATE KEY UPDATE count = count + VALUES(count)" },
	[ST_SESS_PATTERN] = { SQL_INSERT, "session_patterns",
	    COLS(sess_pattern_cols),
	    " ON DUPLICATE KEY UPDATE count = count + VALUES(count)" },
	/* the report's running totals (store_rollup.c) */
	[ST_KIND_HOUR] = { SQL_INSERT, "kind_hours", COLS(kind_hour_cols),
	    ROLLUP_ADD },
	[ST_VALUE_HOUR] = { SQL_INSERT, "value_hours", COLS(value_hour_cols),
	    ROLLUP_ADD },
	[ST_VALUE_TOTAL] = { SQL_INSERT, "value_totals",
	    COLS(value_total_cols), ROLLUP_ADD },
	[ST_PATTERN_HOUR] = { SQL_INSERT, "pattern_hours",
	    COLS(pattern_hour_cols), ROLLUP_ADD },
	/* the ids of the rows a batch inserted, and maybe others' */
	[ST_SESSION_IDS] = { SQL_SELECT, "sessions", COLS(session_id_cols),
	    " WHERE id >= ?" },
	[ST_MESSAGE_IDS] = { SQL_SELECT, "messages", COLS(message_id_cols),
	    " WHERE id >= ?" },
};

/* Append s to the text being made in buf; 0, or -1 when it is full. */
static int
store_bind_cat(char *buf, size_t size, size_t *len, const char *s)
{
	size_t n = strlen(s);

	if (*len + n >= size)
		return -1;
	memcpy(buf + *len, s, n + 1);
	*len += n;
	return 0;
}

/* The SQL text of a statement, from its table. 0, or -1 too long. */
int
store_bind_sql(enum store_stmt which, char *buf, size_t size)
{
	const struct store_stmt_def *d = &store_stmts[which];
	size_t len = 0;
	unsigned c;
	int rc = 0;

	if (d->ncols > STORE_MAX_PARAMS)
		fatalx("store: %s: too many columns", d->table);
	buf[0] = '\0';
	if (d->sql == SQL_TEXT)
		return store_bind_cat(buf, size, &len, d->tail);
	rc |= store_bind_cat(buf, size, &len, d->sql == SQL_INSERT ?
	    "INSERT INTO " : "SELECT ");
	if (d->sql == SQL_INSERT) {
		rc |= store_bind_cat(buf, size, &len, d->table);
		rc |= store_bind_cat(buf, size, &len, " (");
	}
	for (c = 0; c < d->ncols; c++) {
		if (d->cols[c].name == NULL)
			fatalx("store: %s: column %u not described",
			    d->table, c);
		if (c > 0)
			rc |= store_bind_cat(buf, size, &len, ", ");
		rc |= store_bind_cat(buf, size, &len, d->cols[c].name);
	}
	if (d->sql == SQL_INSERT) {
		rc |= store_bind_cat(buf, size, &len, ") VALUES (");
		for (c = 0; c < d->ncols; c++)
			rc |= store_bind_cat(buf, size, &len, c ? ",?" : "?");
		rc |= store_bind_cat(buf, size, &len, ")");
	} else {
		rc |= store_bind_cat(buf, size, &len, " FROM ");
		rc |= store_bind_cat(buf, size, &len, d->table);
	}
	rc |= store_bind_cat(buf, size, &len, d->tail);
	return rc == 0 ? 0 : -1;
}

/* The bytes column col of a statement holds. */
size_t
store_bind_max(enum store_stmt which, unsigned col)
{
	return store_stmts[which].cols[col].max;
}

/* How a column is bound: its type, or MYSQL_TYPE_NULL for a NULL. */
static enum enum_field_types
store_bind_type(enum store_type t)
{
	switch (t) {
	case SC_NUM:
		return MYSQL_TYPE_LONGLONG;
	case SC_BLOB:
		return MYSQL_TYPE_BLOB;
	default:
		return MYSQL_TYPE_STRING;
	}
}

static int
store_bind_owns(const struct store_param *p)
{
	return p->type == MYSQL_TYPE_STRING || p->type == MYSQL_TYPE_BLOB;
}

static void
store_bind_free(struct store_param *p, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (store_bind_owns(&p[i]))
			free(p[i].v.p);
}

/* A new row of statement which (the last one queued, or dropped). */
void
store_bind_begin(struct store_params *sp, enum store_stmt which)
{
	memset(sp, 0, sizeof(*sp));
	sp->stmt = which;
}

/* The row dropped, what it held freed. */
void
store_bind_reset(struct store_params *sp)
{
	store_bind_free(sp->p, sp->n);
	store_bind_begin(sp, sp->stmt);
}

/* The next parameter, which must be of type t: a row made in another
 * order than its table is a bug. */
static struct store_param *
store_bind_next(struct store_params *sp, enum store_type t)
{
	const struct store_stmt_def *d = &store_stmts[sp->stmt];

	if (sp->n >= d->ncols)
		fatalx("store: %s: too many values", d->table);
	if (d->cols[sp->n].type != t)
		fatalx("store: %s.%s: a value of another type", d->table,
		    d->cols[sp->n].name);
	return &sp->p[sp->n];
}

/* Text, NUL-terminated, that the row owns now (NULL: out of memory). */
void
store_bind_own(struct store_params *sp, char *t, size_t len)
{
	struct store_param *p = store_bind_next(sp, SC_TEXT);

	if (t == NULL)
		sp->oom = 1;
	p->type = MYSQL_TYPE_STRING;
	p->v.p = t;
	p->len = t ? (unsigned long)len : 0;
	sp->n++;
}

/* Text of any bytes: made valid UTF-8, cut to what its column holds. */
void
store_bind_text(struct store_params *sp, const char *p, size_t n)
{
	size_t max = store_stmts[sp->stmt].cols[sp->n].max;
	char *t;

	t = utf8_sanitize(p ? p : "", p ? n : 0);
	store_bind_own(sp, t, t ? utf8_prefix(t, max) : 0);
}

void
store_bind_str(struct store_params *sp, const char *s)
{
	store_bind_text(sp, s, s ? strlen(s) : 0);
}

void
store_bind_null(struct store_params *sp)
{
	const struct store_stmt_def *d = &store_stmts[sp->stmt];

	if (sp->n >= d->ncols)
		fatalx("store: %s: too many values", d->table);
	sp->p[sp->n++].type = MYSQL_TYPE_NULL;
}

void
store_bind_u64(struct store_params *sp, unsigned long long v)
{
	struct store_param *p = store_bind_next(sp, SC_NUM);

	p->type = MYSQL_TYPE_LONGLONG;
	p->v.num = v;
	sp->n++;
}

/* The id of the n-th session, message or new pattern of the batch,
 * known at commit. */
void
store_bind_ref(struct store_params *sp, enum store_ref ref, size_t n)
{
	struct store_param *p = store_bind_next(sp, SC_NUM);

	p->type = MYSQL_TYPE_LONGLONG;
	p->ref = (unsigned char)ref;
	p->v.num = n;
	sp->n++;
}

/* A pattern id, or STORE_PENDING and the place of its row. */
void
store_bind_pattern(struct store_params *sp, unsigned long long pid)
{
	if (pid & STORE_PENDING)
		store_bind_ref(sp, REF_PATTERN, pid & ~STORE_PENDING);
	else
		store_bind_u64(sp, pid);
}

/* Bytes, copied: the row may wait in a queue. */
void
store_bind_blob(struct store_params *sp, const void *p, size_t n)
{
	struct store_param *b = store_bind_next(sp, SC_BLOB);
	char *copy;

	if ((copy = malloc(n ? n : 1)) == NULL)
		sp->oom = 1;
	else
		memcpy(copy, p, n);
	b->type = MYSQL_TYPE_BLOB;
	b->v.p = copy;
	b->len = copy ? (unsigned long)n : 0;
	sp->n++;
}

/* "2026-11-26T16:11:16.123456Z" as MySQL reads it. */
void
store_bind_time(struct store_params *sp, const char *iso)
{
	struct store_param *p = store_bind_next(sp, SC_TIME);
	char t[32], *c;

	snprintf(t, sizeof(t), "%.10s %.15s", iso, iso + 11);
	if ((c = utf8_sanitize(t, strlen(t))) == NULL)
		sp->oom = 1;
	p->type = MYSQL_TYPE_STRING;
	p->v.p = c;
	p->len = c ? (unsigned long)utf8_prefix(c, sizeof(t)) : 0;
	sp->n++;
}

/* Queue sp's row (sp is cleared; the queue owns its memory now), in no
 * more memory than its parameters take. */
int
store_bind_queue(struct store_batch *b, struct store_params *sp)
{
	const struct store_stmt_def *d = &store_stmts[sp->stmt];
	struct store_queue *q = &b->q[sp->stmt];
	struct store_row **rows = NULL, *row = NULL;
	size_t cap = 0;

	if (sp->n != d->ncols)
		fatalx("store: %s: %u values for %u columns", d->table,
		    sp->n, d->ncols);
	if (sp->oom || (q->n == q->cap &&
	    (rows = reallocarray(q->rows, cap = q->cap ? q->cap * 2 : 64,
	    sizeof(*rows))) == NULL) || (row = malloc(sizeof(*row) +
	    sp->n * sizeof(row->p[0]))) == NULL) {
		log_warnx("store: out of memory");
		store_bind_reset(sp);
		return -1;
	}
	if (q->n == q->cap) {
		q->rows = rows;
		q->cap = cap;
	}
	row->n = sp->n;
	memcpy(row->p, sp->p, sp->n * sizeof(row->p[0]));
	q->rows[q->n++] = row;
	store_bind_begin(sp, sp->stmt);
	return 0;
}

/* Drop the queued rows from the n-th of statement which on. */
void
store_bind_cut(struct store_batch *b, enum store_stmt which, size_t n)
{
	struct store_queue *q = &b->q[which];
	struct store_row *row;

	while (q->n > n) {
		row = q->rows[--q->n];
		store_bind_free(row->p, row->n);
		free(row);
	}
	if (n == 0) {
		free(q->rows);
		q->rows = NULL;
		q->cap = 0;
	}
}

/* A row's number c: a reference to a session, message or pattern of the
 * batch is its id, read back once that was inserted. */
unsigned long long
store_bind_num(const struct store_batch *bt, const struct store_row *row,
    unsigned c)
{
	return row->p[c].ref == REF_NONE ? row->p[c].v.num :
	    bt->ids[row->p[c].ref][row->p[c].v.num];
}

/* The pattern id a row's number c holds, as store_bind_pattern took it. */
unsigned long long
store_bind_pid(const struct store_row *row, unsigned c)
{
	return row->p[c].ref == REF_PATTERN ?
	    row->p[c].v.num | STORE_PENDING : row->p[c].v.num;
}

/* What a row adds to the packet of an execution: its bytes, and a
 * length and an indicator for each parameter. */
static size_t
store_bind_bytes(const struct store_row *row)
{
	size_t bytes = 0;
	unsigned c;

	for (c = 0; c < row->n; c++)
		bytes += row->p[c].len + 16;
	return bytes;
}

/* Rows [from, to) of a queue in one execution: each column an array of
 * its table's type, a NULL by its indicator. */
static int
store_bind_bulk(struct store *st, struct store_batch *bt,
    enum store_stmt which, size_t from, size_t to)
{
	const struct store_stmt_def *d = &store_stmts[which];
	struct store_row **rows = bt->q[which].rows;
	MYSQL_STMT *s = st->st[which];
	MYSQL_BIND b[STORE_MAX_PARAMS];
	unsigned int n = (unsigned int)(to - from), c, ncols = d->ncols;
	unsigned long long *num = NULL;
	unsigned long *len = NULL;
	char **ptr = NULL, *ind = NULL;
	size_t r;
	int rc = -1;

	memset(b, 0, sizeof(b));
	num = calloc((size_t)n * ncols, sizeof(*num));
	len = calloc((size_t)n * ncols, sizeof(*len));
	ptr = calloc((size_t)n * ncols, sizeof(*ptr));
	ind = calloc((size_t)n * ncols, 1);
	if (num == NULL || len == NULL || ptr == NULL || ind == NULL)
		goto done;
	for (c = 0; c < ncols; c++) {
		b[c].buffer_type = store_bind_type(d->cols[c].type);
		for (r = from; r < to; r++) {
			const struct store_param *p = &rows[r]->p[c];
			size_t k = (size_t)c * n + (r - from);

			if (p->type == MYSQL_TYPE_NULL)
				ind[k] = STMT_INDICATOR_NULL;
			else if (p->type == MYSQL_TYPE_LONGLONG)
				num[k] = store_bind_num(bt, rows[r], c);
			else {
				len[k] = p->len;
				ptr[k] = p->v.p;
			}
		}
		if (b[c].buffer_type == MYSQL_TYPE_LONGLONG) {
			b[c].buffer = &num[(size_t)c * n];
			b[c].is_unsigned = 1;
		} else {
			b[c].buffer = &ptr[(size_t)c * n];
			b[c].length = &len[(size_t)c * n];
		}
		b[c].u.indicator = &ind[(size_t)c * n];
	}
	if (mysql_stmt_attr_set(s, STMT_ATTR_ARRAY_SIZE, &n) == 0 &&
	    mysql_stmt_bind_param(s, b) == 0 && mysql_stmt_execute(s) == 0)
		rc = 0;
	n = 0;
	mysql_stmt_attr_set(s, STMT_ATTR_ARRAY_SIZE, &n);
done:
	free(num);
	free(len);
	free(ptr);
	free(ind);
	return rc;
}

/* One row in one execution (a server without arrays). */
static int
store_bind_one(struct store *st, struct store_batch *bt,
    enum store_stmt which, const struct store_row *row)
{
	const struct store_stmt_def *d = &store_stmts[which];
	MYSQL_BIND b[STORE_MAX_PARAMS];
	unsigned long long num[STORE_MAX_PARAMS];
	unsigned long len[STORE_MAX_PARAMS];
	unsigned c;

	memset(b, 0, sizeof(b));
	for (c = 0; c < d->ncols; c++) {
		if (row->p[c].type == MYSQL_TYPE_NULL) {
			b[c].buffer_type = MYSQL_TYPE_NULL;
			continue;
		}
		b[c].buffer_type = store_bind_type(d->cols[c].type);
		if (b[c].buffer_type == MYSQL_TYPE_LONGLONG) {
			num[c] = store_bind_num(bt, row, c);
			b[c].buffer = &num[c];
			b[c].is_unsigned = 1;
		} else {
			len[c] = row->p[c].len;
			b[c].buffer = row->p[c].v.p;
			b[c].buffer_length = len[c];
			b[c].length = &len[c];
		}
	}
	if (mysql_stmt_bind_param(st->st[which], b) != 0 ||
	    mysql_stmt_execute(st->st[which]) != 0)
		return -1;
	return 0;
}

/* patterns rows by the unique key: kind, then value_sha256 */
static int
store_bind_pattern_cmp(const void *a, const void *b)
{
	const struct store_row *x = *(struct store_row *const *)a;
	const struct store_row *y = *(struct store_row *const *)b;
	const char *kx = x->p[SC_PATTERN_KIND].v.p;
	const char *ky = y->p[SC_PATTERN_KIND].v.p;
	int c = strcmp(kx != NULL ? kx : "", ky != NULL ? ky : "");

	return c != 0 ? c : memcmp(x->p[SC_PATTERN_SHA].v.p,
	    y->p[SC_PATTERN_SHA].v.p, 32);
}

/*
 * Send a queue: in arrays of bounded size, or row by row. *first: the
 * first id the inserts gave (the arrays run one after the other, each
 * giving its first row's id).
 */
int
store_bind_send(struct store *st, struct store_batch *bt,
    enum store_stmt which, unsigned long long *first)
{
	struct store_queue *q = &bt->q[which];
	struct store_row **queued = q->rows, **sorted = NULL;
	size_t from = 0, to, bytes, row, limit;
	int rc = -1;

	/*
	 * The patterns rows of every writer in one order, the unique key's:
	 * analyzers of other sensors upsert the same hot values at once, and
	 * rows locked in the order each file named them deadlock. Sent from
	 * a sorted copy: the queue's places stay what other rows refer to
	 * (the ids are read back by key).
	 */
	if (which == ST_PATTERN && q->n > 1 &&
	    (sorted = reallocarray(NULL, q->n, sizeof(*sorted))) != NULL) {
		memcpy(sorted, q->rows, q->n * sizeof(*sorted));
		qsort(sorted, q->n, sizeof(*sorted), store_bind_pattern_cmp);
		q->rows = sorted;
	}

	/* an execution is one packet: never more than the server takes */
	limit = st->packet < STORE_BULK_BYTES ? st->packet : STORE_BULK_BYTES;
	*first = 0;
	while (from < q->n) {
		if (!st->bulk) {
			if (store_bind_one(st, bt, which, q->rows[from]) == -1)
				goto done;
			to = from + 1;
		} else {
			for (to = from, bytes = 0; to < q->n && to - from <
			    STORE_BULK_ROWS; to++) {
				row = store_bind_bytes(q->rows[to]);
				if (to > from && bytes + row > limit)
					break;
				bytes += row;
			}
			if (store_bind_bulk(st, bt, which, from, to) == -1)
				goto done;
		}
		if (from == 0)
			*first = mysql_stmt_insert_id(st->st[which]);
		from = to;
	}
	rc = 0;
done:
	q->rows = queued;
	free(sorted);
	return rc;
}
