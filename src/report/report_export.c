/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * report_export: `spampot-report export --format misp|stix`, what the
 * window holds as threat intelligence for other tools: a MISP event (the
 * MISP core format) or a STIX 2.1 bundle. Client addresses, senders and
 * their domains, URLs and their hosts, attachments' hashes with their
 * names, the credentials tried and the campaigns, each value once with
 * its count and first and last time in the window (and from --sensor),
 * marked with the TLP level of --tlp.
 *
 * Each kind is one GROUP BY query, written out row by row and flushed as
 * it goes, so that a busy day's tens of thousands of values cost one
 * query's rows at a time. Identifiers are UUIDs of version 4 whose bits
 * are a SHA-256 of a random salt (RAND_bytes, new for every export), the
 * kind and the value: the same value gets the same id everywhere in one
 * document (a campaign refers to its values' attributes without a table
 * of them), and two exports share none.
 *
 * Runs in spampot-report only; no privileges.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "buf.h"
#include "json.h"
#include "report_int.h"

#define REXP_FLUSH	65536

/* STIX 2.1's TLP 1.0 marking definitions, as OASIS published them. */
static const struct rexp_tlp {
	const char	*name;		/* --tlp */
	const char	*stix;		/* the TLP 1.0 level STIX has */
	const char	*id;
} rexp_tlps[] = {
	{ "clear", "white", "613f2e26-407d-48c7-9eca-b8e91df99dc9" },
	{ "white", "white", "613f2e26-407d-48c7-9eca-b8e91df99dc9" },
	{ "green", "green", "34098fce-860f-48ae-8e50-ebd3cc5e41da" },
	{ "amber", "amber", "f88d31f6-486f-44da-b317-01333bde0b82" },
	{ "amber+strict", "amber", "f88d31f6-486f-44da-b317-01333bde0b82" },
	{ "red", "red", "5e57c739-391a-4eb3-b6be-7d15ca92d5ed" },
};
#define REXP_NTLPS (sizeof(rexp_tlps) / sizeof(rexp_tlps[0]))

/* The kinds of values: the query that lists them (value, count, first,
 * last, extras; ordered by value), and how each format names them. */
enum rexp_kind {
	RK_IP, RK_SENDER, RK_SENDER_DOMAIN, RK_URL, RK_HOST, RK_FILE,
	RK_CRED
};

struct rexp_query {
	enum rexp_kind	 kind;
	const char	*select;	/* up to WHERE ... */
	const char	*time;		/* the window's column */
	const char	*group;		/* GROUP BY ... ORDER BY ... */
};

#define REXP_MSG "FROM messages m STRAIGHT_JOIN sessions s ON s.id = " \
	"m.session_id"
#define REXP_SPAN(c) ", COUNT(*), MIN(" c "), MAX(" c ")"

static const struct rexp_query rexp_queries[] = {
	{ RK_IP, "SELECT s.client_ip" REXP_SPAN("s.started_at")
	    " FROM sessions s WHERE 1 = 1", "s.started_at",
	    " GROUP BY s.client_ip ORDER BY s.client_ip" },
	{ RK_SENDER, "SELECT m.mail_from" REXP_SPAN("m.received_at") " "
	    REXP_MSG " WHERE m.mail_from <> ''", "m.received_at",
	    " GROUP BY m.mail_from ORDER BY m.mail_from" },
	{ RK_SENDER_DOMAIN, "SELECT m.mail_from_domain"
	    REXP_SPAN("m.received_at") " " REXP_MSG
	    " WHERE m.mail_from_domain <> ''", "m.received_at",
	    " GROUP BY m.mail_from_domain ORDER BY m.mail_from_domain" },
	{ RK_URL, "SELECT u.url" REXP_SPAN("m.received_at") " " REXP_MSG
	    " JOIN urls u ON u.message_id = m.id WHERE 1 = 1",
	    "m.received_at", " GROUP BY u.url ORDER BY u.url" },
	{ RK_HOST, "SELECT u.host" REXP_SPAN("m.received_at") " " REXP_MSG
	    " JOIN urls u ON u.message_id = m.id WHERE u.host <> ''",
	    "m.received_at", " GROUP BY u.host ORDER BY u.host" },
	{ RK_FILE, "SELECT a.sha256" REXP_SPAN("m.received_at")
	    ", MIN(a.md5), MIN(a.sha1), MIN(IFNULL(a.filename, '')) "
	    REXP_MSG " JOIN attachments a ON a.message_id = m.id WHERE 1 = 1",
	    "m.received_at", " GROUP BY a.sha256 ORDER BY a.sha256" },
	{ RK_CRED, "SELECT a.username" REXP_SPAN("s.started_at")
	    ", a.password FROM auth_attempts a JOIN sessions s ON s.id = "
	    "a.session_id WHERE 1 = 1", "s.started_at",
	    " GROUP BY a.username, a.password ORDER BY a.username, "
	    "a.password" },
};
#define REXP_NQUERIES (sizeof(rexp_queries) / sizeof(rexp_queries[0]))

/* A campaign's values in the window: campaign (20 digits, so that the
 * order of the text is the order of the numbers), kind, value. %W: the
 * window on the message, %S on the session, as the values' own queries
 * have them, so that every reference finds its attribute. */
#define REXP_MEMBERS \
	"SELECT LPAD(m.campaign_id, 20, '0'), '0', s.client_ip " REXP_MSG \
	" WHERE m.campaign_id IS NOT NULL%S GROUP BY 1, 3 UNION " \
	"SELECT LPAD(m.campaign_id, 20, '0'), '1', m.mail_from " REXP_MSG \
	" WHERE m.campaign_id IS NOT NULL AND m.mail_from <> ''%W " \
	"GROUP BY 1, 3 UNION " \
	"SELECT LPAD(m.campaign_id, 20, '0'), '3', u.url " REXP_MSG \
	" JOIN urls u ON u.message_id = m.id WHERE m.campaign_id IS NOT " \
	"NULL%W GROUP BY 1, 3 UNION " \
	"SELECT LPAD(m.campaign_id, 20, '0'), '5', a.sha256 " REXP_MSG \
	" JOIN attachments a ON a.message_id = m.id WHERE m.campaign_id IS " \
	"NOT NULL%W GROUP BY 1, 3 ORDER BY 1, 2, 3"

struct rexp {
	struct rdb			*db;
	const struct report_opts	*o;
	const struct rexp_tlp		*tlp;
	struct buf			 b;
	unsigned char			 salt[16];
	char				 now_iso[40];	/* .000Z */
	char				 now_epoch[24];
	char				 identity[64];
	int				 first;
};

const char *
rexp_check_tlp(const char *s)
{
	size_t i;

	for (i = 0; i < REXP_NTLPS; i++)
		if (strcmp(s, rexp_tlps[i].name) == 0)
			return rexp_tlps[i].name;
	return NULL;
}

/* A UUID (version 4, variant 1) of the salt, a tag and a value. */
static void
rexp_uuid(const struct rexp *x, const char *tag, const char *value,
    char out[37])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen;
	EVP_MD_CTX *ctx;
	size_t i, j = 0;

	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(ctx, x->salt, sizeof(x->salt)) != 1 ||
	    EVP_DigestUpdate(ctx, tag, strlen(tag) + 1) != 1 ||
	    EVP_DigestUpdate(ctx, value, strlen(value)) != 1 ||
	    EVP_DigestFinal_ex(ctx, md, &mdlen) != 1)
		rout_fail("SHA-256 failed");
	EVP_MD_CTX_free(ctx);
	md[6] = (unsigned char)((md[6] & 0x0f) | 0x40);
	md[8] = (unsigned char)((md[8] & 0x3f) | 0x80);
	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[j++] = '-';
		snprintf(out + j, 3, "%02x", md[i]);
		j += 2;
	}
	out[j] = '\0';
}

/* "2026-11-26 16:24:04.368849" -> "2026-11-26T16:24:04.368Z" (STIX wants
 * milliseconds; MISP takes them as well). */
void
rexp_time(const char *db, char *dst, size_t len)
{
	char ms[4] = "000";
	size_t i;

	if (db == NULL || strlen(db) < 19) {
		snprintf(dst, len, "%s", db ? db : "");
		return;
	}
	for (i = 0; db[19] == '.' && i < 3 && db[20 + i] >= '0' &&
	    db[20 + i] <= '9'; i++)
		ms[i] = db[20 + i];
	snprintf(dst, len, "%.10sT%.8s.%sZ", db, db + 11, ms);
}

static void
rexp_put(struct rexp *x)
{
	if (x->b.len >= REXP_FLUSH)
		rout_flush(x->o, &x->b);
}

static void
rexp_kv(struct buf *b, const char *k, const char *v, int first)
{
	json_key(b, k, first);
	json_cstr(b, v);
}

/* An address literal, not a name. */
static int
rexp_is_ip(const char *s)
{
	return strchr(s, ':') != NULL || (s[0] != '\0' &&
	    strspn(s, "0123456789.") == strlen(s));
}

/* The rows of one kind, in the window and from --sensor. */
static void
rexp_fetch(struct rexp *x, const struct rexp_query *k, struct rdb_rows *rows)
{
	struct rdb_query q;

	rdb_init(&q);
	rdb_sql(&q, k->select);
	rdb_window(&q, k->time, x->o);
	rdb_sensor(&q, x->o);
	rdb_sql(&q, k->group);
	rdb_run(x->db, &q, rows);
}

/* REXP_MEMBERS, each %W or %S the window and the sensor. */
static void
rexp_fetch_members(struct rexp *x, struct rdb_rows *rows)
{
	struct rdb_query q;
	char frag[sizeof(REXP_MEMBERS)];
	const char *p = REXP_MEMBERS, *w;

	rdb_init(&q);
	while ((w = strchr(p, '%')) != NULL) {
		snprintf(frag, sizeof(frag), "%.*s", (int)(w - p), p);
		rdb_sql(&q, frag);
		rdb_window(&q, w[1] == 'S' ? "s.started_at" : "m.received_at",
		    x->o);
		rdb_sensor(&q, x->o);
		p = w + 2;
	}
	rdb_sql(&q, p);
	rdb_run(x->db, &q, rows);
}

/* The campaign of member row r against campaign id: <0, 0, >0. */
static int
rexp_member_of(const struct rdb_rows *mem, size_t r, const char *id)
{
	unsigned long long a = strtoull(rdb_cell(mem, r, 0), NULL, 10);
	unsigned long long b = strtoull(id, NULL, 10);

	return a < b ? -1 : a > b;
}

static void
rexp_fetch_campaigns(struct rexp *x, struct rdb_rows *rows)
{
	struct rdb_query q;

	rdb_init(&q);
	rdb_sql(&q, "SELECT CONCAT(c.id), w.n, w.f, w.l, IFNULL(c.subject, "
	    "''), c.messages, c.first_seen, c.last_seen FROM (SELECT "
	    "m.campaign_id, COUNT(*) AS n, MIN(m.received_at) AS f, "
	    "MAX(m.received_at) AS l " REXP_MSG " WHERE m.campaign_id IS NOT "
	    "NULL");
	rdb_window(&q, "m.received_at", x->o);
	rdb_sensor(&q, x->o);
	rdb_sql(&q, " GROUP BY m.campaign_id) w JOIN campaigns c ON c.id = "
	    "w.campaign_id ORDER BY c.id");
	rdb_run(x->db, &q, rows);
}

/* --- MISP ----------------------------------------------------------------- */

/* The tag of an attribute's uuid: its kind and, for a file, which hash. */
static const char *const rexp_tags[] = {
	"ip", "sender", "sender-domain", "url", "host", "sha256", "cred"
};

static void
rexp_misp_attr(struct rexp *x, const char *uuid_tag, const char *uuid_val,
    const char *type, const char *category, const char *value, int to_ids,
    const char *const *row, const char *relation)
{
	struct buf *b = &x->b;
	char uuid[37], first[40], last[40];

	rexp_uuid(x, uuid_tag, uuid_val, uuid);
	rexp_time(row[2], first, sizeof(first));
	rexp_time(row[3], last, sizeof(last));
	buf_append(b, x->first ? "\n{" : ",\n{", x->first ? 2 : 3);
	x->first = 0;
	rexp_kv(b, "uuid", uuid, 1);
	rexp_kv(b, "type", type, 0);
	rexp_kv(b, "category", category, 0);
	if (relation != NULL)
		rexp_kv(b, "object_relation", relation, 0);
	rexp_kv(b, "value", value, 0);
	buf_appendf(b, ",\"to_ids\":%s", to_ids ? "true" : "false");
	rexp_kv(b, "timestamp", x->now_epoch, 0);
	rexp_kv(b, "distribution", "5", 0);
	rexp_kv(b, "first_seen", first, 0);
	rexp_kv(b, "last_seen", last, 0);
	json_key(b, "comment", 0);
	buf_appendf(b, "\"seen %s times\"}", row[1]);
	rexp_put(x);
}

static void
rexp_misp_file(struct rexp *x, const char *const *row)
{
	static const char *const algo[] = { "md5", "sha1", "sha256" };
	const char *hash[3] = { row[4], row[5], row[0] };
	struct buf v;
	char type[32], tag[32];
	size_t i;

	memset(&v, 0, sizeof(v));
	for (i = 0; i < 3; i++) {
		buf_release(&v);
		if (row[6][0] != '\0')
			buf_appendf(&v, "%s|%s", row[6], hash[i]);
		else
			buf_appendf(&v, "%s", hash[i]);
		buf_append(&v, "", 1);
		snprintf(type, sizeof(type), "%s%s", row[6][0] != '\0' ?
		    "filename|" : "", algo[i]);
		snprintf(tag, sizeof(tag), "file-%s", algo[i]);
		rexp_misp_attr(x, tag, row[0], type, "Payload delivery",
		    v.data, 1, row, NULL);
	}
	buf_release(&v);
}

static void
rexp_misp_row(struct rexp *x, enum rexp_kind k, const char *const *row)
{
	const char *tag = rexp_tags[k];

	switch (k) {
	case RK_IP:
		rexp_misp_attr(x, tag, row[0], "ip-src", "Network activity",
		    row[0], 1, row, NULL);
		break;
	case RK_SENDER:
		rexp_misp_attr(x, tag, row[0], "email-src", "Payload delivery",
		    row[0], 1, row, NULL);
		break;
	case RK_SENDER_DOMAIN:
		rexp_misp_attr(x, tag, row[0], "domain", "Network activity",
		    row[0], 1, row, NULL);
		break;
	case RK_URL:
		rexp_misp_attr(x, tag, row[0], "url", "Network activity",
		    row[0], 1, row, NULL);
		break;
	case RK_HOST:
		rexp_misp_attr(x, tag, row[0], rexp_is_ip(row[0]) ? "ip-dst" :
		    "hostname", "Network activity", row[0], 1, row, NULL);
		break;
	case RK_FILE:
		rexp_misp_file(x, row);
		break;
	case RK_CRED:
		break;		/* objects, after the attributes */
	}
}

/* An object's head: uuid, name, times; its Attribute list follows. */
static void
rexp_misp_obj_head(struct rexp *x, const char *uuid, const char *name,
    const char *meta, const char *first, const char *last,
    const char *comment)
{
	struct buf *b = &x->b;

	buf_append(b, x->first ? "\n{" : ",\n{", x->first ? 2 : 3);
	x->first = 1;
	rexp_kv(b, "uuid", uuid, 1);
	rexp_kv(b, "name", name, 0);
	rexp_kv(b, "meta-category", meta, 0);
	rexp_kv(b, "timestamp", x->now_epoch, 0);
	rexp_kv(b, "distribution", "5", 0);
	rexp_kv(b, "first_seen", first, 0);
	rexp_kv(b, "last_seen", last, 0);
	rexp_kv(b, "comment", comment, 0);
	buf_appendf(b, ",\"Attribute\":[");
}

static void
rexp_misp_creds(struct rexp *x, const struct rdb_rows *rows)
{
	char uuid[37], first[40], last[40], comment[64];
	const char *row[4];
	struct buf key;
	size_t r;

	memset(&key, 0, sizeof(key));
	for (r = 0; r < rows->nrows; r++) {
		buf_release(&key);
		buf_appendf(&key, "%s", rdb_cell(rows, r, 0));
		buf_append(&key, "", 1);
		buf_appendf(&key, "%s", rdb_cell(rows, r, 4));
		rexp_uuid(x, "cred-object", key.data, uuid);
		rexp_time(rdb_cell(rows, r, 2), first, sizeof(first));
		rexp_time(rdb_cell(rows, r, 3), last, sizeof(last));
		snprintf(comment, sizeof(comment), "AUTH tried %s times",
		    rdb_cell(rows, r, 1));
		rexp_misp_obj_head(x, uuid, "credential", "misc", first,
		    last, comment);
		row[1] = rdb_cell(rows, r, 1);
		row[2] = rdb_cell(rows, r, 2);
		row[3] = rdb_cell(rows, r, 3);
		rexp_misp_attr(x, "cred-user", key.data, "text", "Other",
		    rdb_cell(rows, r, 0), 0, row, "username");
		rexp_misp_attr(x, "cred-password", key.data, "text", "Other",
		    rdb_cell(rows, r, 4), 0, row, "password");
		buf_appendf(&x->b, "]}");
		x->first = 0;
	}
	buf_release(&key);
}

static const char *const rexp_member_misp[] = {
	"ip", "sender", NULL, "url", NULL, "file-sha256"
};
static const char *const rexp_member_stix[] = {
	"ip", "sender", NULL, "url", NULL, "sha256"
};

/* The campaign's members from row *m on; *m moves past them. */
static void
rexp_misp_refs(struct rexp *x, const char *id, const struct rdb_rows *mem,
    size_t *m)
{
	char uuid[37];
	int first = 1;

	buf_appendf(&x->b, ",\"ObjectReference\":[");
	for (; *m < mem->nrows && rexp_member_of(mem, *m, id) == 0; (*m)++) {
		rexp_uuid(x, rexp_member_misp[rdb_cell(mem, *m, 1)[0] - '0'],
		    rdb_cell(mem, *m, 2), uuid);
		buf_append(&x->b, first ? "{" : ",{", first ? 1 : 2);
		first = 0;
		rexp_kv(&x->b, "referenced_uuid", uuid, 1);
		rexp_kv(&x->b, "relationship_type", "related-to", 0);
		rexp_kv(&x->b, "timestamp", x->now_epoch, 0);
		buf_appendf(&x->b, "}");
		rexp_put(x);
	}
	buf_appendf(&x->b, "]}");
}

static void
rexp_misp_campaigns(struct rexp *x)
{
	struct rdb_rows rows, mem;
	char uuid[37], first[40], last[40], comment[160];
	const char *row[4];
	size_t r, m = 0;

	rexp_fetch_campaigns(x, &rows);
	rexp_fetch_members(x, &mem);
	for (r = 0; r < rows.nrows; r++) {
		const char *id = rdb_cell(&rows, r, 0);

		rexp_uuid(x, "campaign", id, uuid);
		rexp_time(rdb_cell(&rows, r, 2), first, sizeof(first));
		rexp_time(rdb_cell(&rows, r, 3), last, sizeof(last));
		snprintf(comment, sizeof(comment), "spampot campaign %s: %s "
		    "messages in the window, %s in all", id,
		    rdb_cell(&rows, r, 1), rdb_cell(&rows, r, 5));
		rexp_misp_obj_head(x, uuid, "spampot-campaign", "misc", first,
		    last, comment);
		row[1] = rdb_cell(&rows, r, 1);
		row[2] = rdb_cell(&rows, r, 2);
		row[3] = rdb_cell(&rows, r, 3);
		rexp_misp_attr(x, "campaign-id", id, "text", "Other", id, 0,
		    row, "campaign-id");
		rexp_misp_attr(x, "campaign-subject", id, "text", "Other",
		    rdb_cell(&rows, r, 4), 0, row, "subject");
		rexp_misp_attr(x, "campaign-messages", id, "counter", "Other",
		    rdb_cell(&rows, r, 1), 0, row, "messages");
		buf_appendf(&x->b, "]");
		while (m < mem.nrows && rexp_member_of(&mem, m, id) < 0)
			m++;
		rexp_misp_refs(x, id, &mem, &m);
		x->first = 0;
	}
	rdb_rows_clear(&mem);
	rdb_rows_clear(&rows);
}

static void
rexp_misp_head(struct rexp *x, const char *tlp)
{
	struct buf *b = &x->b;
	char uuid[37], info[512], since[32], until[32], date[16];
	struct tm tm;
	time_t d = x->o->until ? x->o->until - 1 : x->o->now;

	rexp_uuid(x, "event", "", uuid);
	gmtime_r(&d, &tm);
	strftime(date, sizeof(date), "%Y-%m-%d", &tm);
	if (x->o->since)
		rtime_iso(x->o->since, since, sizeof(since));
	else
		snprintf(since, sizeof(since), "the first session");
	rtime_iso(x->o->until ? x->o->until : x->o->now, until, sizeof(until));
	snprintf(info, sizeof(info), "spampot SMTP honeypot: %s to %s%s%s",
	    since, until, x->o->sensor ? ", sensor " : "",
	    x->o->sensor ? x->o->sensor : "");
	buf_appendf(b, "{\"Event\":{");
	rexp_kv(b, "uuid", uuid, 1);
	rexp_kv(b, "info", info, 0);
	rexp_kv(b, "date", date, 0);
	rexp_kv(b, "threat_level_id", "3", 0);
	rexp_kv(b, "analysis", "2", 0);
	rexp_kv(b, "distribution", "0", 0);
	rexp_kv(b, "timestamp", x->now_epoch, 0);
	buf_appendf(b, ",\"published\":false,\"Orgc\":{\"name\":"
	    "\"spampot\"},\"Tag\":[{\"name\":\"tlp:%s\"}],\"Attribute\":[",
	    tlp);
}

static int
rexp_misp(struct rexp *x, const char *tlp)
{
	struct rdb_rows rows, creds;
	const char *row[8];
	size_t i, r, c;
	int found = 0;

	memset(&creds, 0, sizeof(creds));
	rexp_misp_head(x, tlp);
	x->first = 1;
	for (i = 0; i < REXP_NQUERIES; i++) {
		rexp_fetch(x, &rexp_queries[i], &rows);
		found |= rows.nrows > 0;
		for (r = 0; r < rows.nrows; r++) {
			for (c = 0; c < rows.ncols && c < 8; c++)
				row[c] = rdb_cell(&rows, r, c);
			rexp_misp_row(x, rexp_queries[i].kind, row);
		}
		if (rexp_queries[i].kind == RK_CRED)
			creds = rows;
		else
			rdb_rows_clear(&rows);
	}
	buf_appendf(&x->b, "\n],\"Object\":[");
	x->first = 1;
	rexp_misp_creds(x, &creds);
	rdb_rows_clear(&creds);
	rexp_misp_campaigns(x);
	buf_appendf(&x->b, "\n]}}\n");
	rout_flush(x->o, &x->b);
	return found ? REPORT_FOUND : REPORT_NONE;
}

/* --- STIX 2.1 ------------------------------------------------------------- */

/* The cyber-observable type of a kind's value. */
static const char *
rexp_sco_type(enum rexp_kind k, const char *v)
{
	switch (k) {
	case RK_IP:
	case RK_HOST:
		if (k == RK_HOST && !rexp_is_ip(v))
			return "domain-name";
		return strchr(v, ':') != NULL ? "ipv6-addr" : "ipv4-addr";
	case RK_SENDER:
		return "email-addr";
	case RK_SENDER_DOMAIN:
		return "domain-name";
	case RK_URL:
		return "url";
	case RK_FILE:
		return "file";
	case RK_CRED:
		return "user-account";
	}
	return NULL;
}

/* "type--uuid" for a kind's value and one of its objects. */
static void
rexp_stix_id(const struct rexp *x, const char *type, const char *tag,
    const char *value, char *out, size_t len)
{
	char uuid[37];

	rexp_uuid(x, tag, value, uuid);
	snprintf(out, len, "%s--%s", type, uuid);
}

/* A value inside a pattern's single quotes: \ and ' escaped. */
void
rexp_pattern_str(struct buf *p, const char *v)
{
	for (; *v != '\0'; v++) {
		if (*v == '\\' || *v == '\'')
			buf_append(p, "\\", 1);
		buf_append(p, v, 1);
	}
}

static void
rexp_stix_common(struct rexp *x, const char *type, const char *id)
{
	struct buf *b = &x->b;

	buf_append(b, x->first ? "\n{" : ",\n{", x->first ? 2 : 3);
	x->first = 0;
	rexp_kv(b, "type", type, 1);
	rexp_kv(b, "spec_version", "2.1", 0);
	rexp_kv(b, "id", id, 0);
}

static void
rexp_stix_sdo(struct rexp *x, const char *type, const char *id)
{
	struct buf *b = &x->b;

	rexp_stix_common(x, type, id);
	rexp_kv(b, "created_by_ref", x->identity, 0);
	rexp_kv(b, "created", x->now_iso, 0);
	rexp_kv(b, "modified", x->now_iso, 0);
	buf_appendf(b, ",\"object_marking_refs\":[\"marking-definition--%s\"]",
	    x->tlp->id);
}

static void
rexp_stix_sco(struct rexp *x, enum rexp_kind k, const char *const *row,
    const char *type, const char *id)
{
	struct buf *b = &x->b;

	rexp_stix_common(x, type, id);
	if (k == RK_FILE) {
		json_key(b, "hashes", 0);
		buf_append(b, "{", 1);
		rexp_kv(b, "MD5", row[4], 1);
		rexp_kv(b, "SHA-1", row[5], 0);
		rexp_kv(b, "SHA-256", row[0], 0);
		buf_appendf(b, "}");
		if (row[6][0] != '\0')
			rexp_kv(b, "name", row[6], 0);
	} else if (k == RK_CRED) {
		rexp_kv(b, "account_login", row[0], 0);
		rexp_kv(b, "credential", row[4], 0);
	} else
		rexp_kv(b, "value", row[0], 0);
	buf_appendf(b, "}");
}

static void
rexp_stix_indicator(struct rexp *x, enum rexp_kind k, const char *const *row,
    const char *type, const char *tag)
{
	struct buf *b = &x->b, p;
	char id[80], first[40];

	memset(&p, 0, sizeof(p));
	if (k == RK_FILE)
		buf_appendf(&p, "[file:hashes.'SHA-256' = '");
	else
		buf_appendf(&p, "[%s:value = '", type);
	rexp_pattern_str(&p, row[0]);
	buf_append(&p, "']", 3);
	rexp_stix_id(x, "indicator", tag, row[0], id, sizeof(id));
	rexp_time(row[2], first, sizeof(first));
	rexp_stix_sdo(x, "indicator", id);
	json_key(b, "name", 0);
	buf_appendf(b, "\"%s\"", k == RK_FILE ? "attachment" : type);
	buf_appendf(b, ",\"indicator_types\":[\"malicious-activity\"]");
	rexp_kv(b, "pattern", p.data, 0);
	rexp_kv(b, "pattern_type", "stix", 0);
	rexp_kv(b, "valid_from", first, 0);
	buf_appendf(b, "}");
	buf_release(&p);
}

static void
rexp_stix_row(struct rexp *x, enum rexp_kind k, const char *const *row)
{
	const char *type = rexp_sco_type(k, row[0]);
	struct buf key;
	char sco[80], id[80], first[40], last[40], tag[32];
	unsigned long long n = strtoull(row[1], NULL, 10);

	memset(&key, 0, sizeof(key));
	buf_appendf(&key, "%s", row[0]);
	if (k == RK_CRED) {
		buf_append(&key, "", 1);
		buf_appendf(&key, "%s", row[4]);
	}
	/* a host and a sender's domain may be the same domain-name */
	snprintf(tag, sizeof(tag), "sco-%s", rexp_tags[k]);
	rexp_stix_id(x, type, tag, key.data, sco, sizeof(sco));
	rexp_stix_sco(x, k, row, type, sco);
	if (k != RK_CRED)
		rexp_stix_indicator(x, k, row, type, rexp_tags[k]);
	rexp_stix_id(x, "observed-data", tag, key.data, id, sizeof(id));
	rexp_time(row[2], first, sizeof(first));
	rexp_time(row[3], last, sizeof(last));
	rexp_stix_sdo(x, "observed-data", id);
	rexp_kv(&x->b, "first_observed", first, 0);
	rexp_kv(&x->b, "last_observed", last, 0);
	buf_appendf(&x->b, ",\"number_observed\":%llu,\"object_refs\":[",
	    n < 1 ? 1 : n > 999999999 ? 999999999 : n);
	json_cstr(&x->b, sco);
	buf_appendf(&x->b, "]}");
	buf_release(&key);
	rexp_put(x);
}

static void
rexp_stix_campaigns(struct rexp *x)
{
	struct rdb_rows rows, mem;
	char id[80], ref[80], first_t[40], last_t[40];
	struct buf d;
	size_t r, m = 0;
	int first;

	rexp_fetch_campaigns(x, &rows);
	rexp_fetch_members(x, &mem);
	for (r = 0; r < rows.nrows; r++) {
		const char *cid = rdb_cell(&rows, r, 0);

		rexp_stix_id(x, "grouping", "campaign", cid, id, sizeof(id));
		rexp_stix_sdo(x, "grouping", id);
		json_key(&x->b, "name", 0);
		buf_appendf(&x->b, "\"spampot campaign %s\"", cid);
		rexp_time(rdb_cell(&rows, r, 2), first_t, sizeof(first_t));
		rexp_time(rdb_cell(&rows, r, 3), last_t, sizeof(last_t));
		memset(&d, 0, sizeof(d));
		buf_appendf(&d, "%s messages in the window (%s in all), first "
		    "%s, last %s; subject: ", rdb_cell(&rows, r, 1),
		    rdb_cell(&rows, r, 5), first_t, last_t);
		buf_appendf(&d, "%s", rdb_cell(&rows, r, 4));
		rexp_kv(&x->b, "description", d.data, 0);
		buf_release(&d);
		rexp_kv(&x->b, "context", "suspicious-activity", 0);
		buf_appendf(&x->b, ",\"object_refs\":[");
		while (m < mem.nrows && rexp_member_of(&mem, m, cid) < 0)
			m++;
		for (first = 1; m < mem.nrows && rexp_member_of(&mem, m,
		    cid) == 0; m++, first = 0) {
			rexp_stix_id(x, "indicator", rexp_member_stix[
			    rdb_cell(&mem, m, 1)[0] - '0'], rdb_cell(&mem, m, 2),
			    ref, sizeof(ref));
			if (!first)
				buf_append(&x->b, ",", 1);
			json_cstr(&x->b, ref);
		}
		buf_appendf(&x->b, "]}");
		rexp_put(x);
	}
	rdb_rows_clear(&mem);
	rdb_rows_clear(&rows);
}

static void
rexp_stix_head(struct rexp *x)
{
	struct buf *b = &x->b;
	char uuid[37], mid[80], up[8];
	size_t i;

	rexp_uuid(x, "bundle", "", uuid);
	buf_appendf(b, "{\"type\":\"bundle\",\"id\":\"bundle--%s\","
	    "\"objects\":[", uuid);
	x->first = 1;
	rexp_stix_common(x, "identity", x->identity);
	rexp_kv(b, "created", x->now_iso, 0);
	rexp_kv(b, "modified", x->now_iso, 0);
	rexp_kv(b, "name", x->o->sensor ? x->o->sensor : "spampot", 0);
	rexp_kv(b, "description", "spampot SMTP honeypot", 0);
	rexp_kv(b, "identity_class", "system", 0);
	buf_appendf(b, "}");
	/* the TLP marking as OASIS published it: same id, same content */
	snprintf(mid, sizeof(mid), "marking-definition--%s", x->tlp->id);
	for (i = 0; x->tlp->stix[i] != '\0' && i + 1 < sizeof(up); i++)
		up[i] = (char)(x->tlp->stix[i] - 'a' + 'A');
	up[i] = '\0';
	rexp_stix_common(x, "marking-definition", mid);
	buf_appendf(b, ",\"created\":\"2017-01-20T00:00:00.000Z\","
	    "\"definition_type\":\"tlp\",\"name\":\"TLP:%s\","
	    "\"definition\":{\"tlp\":\"%s\"}}", up, x->tlp->stix);
}

static int
rexp_stix(struct rexp *x)
{
	struct rdb_rows rows;
	const char *row[8];
	size_t i, r, c;
	int found = 0;

	rexp_stix_head(x);
	for (i = 0; i < REXP_NQUERIES; i++) {
		rexp_fetch(x, &rexp_queries[i], &rows);
		found |= rows.nrows > 0;
		for (r = 0; r < rows.nrows; r++) {
			for (c = 0; c < rows.ncols && c < 8; c++)
				row[c] = rdb_cell(&rows, r, c);
			rexp_stix_row(x, rexp_queries[i].kind, row);
		}
		rdb_rows_clear(&rows);
	}
	rexp_stix_campaigns(x);
	buf_appendf(&x->b, "\n]}\n");
	rout_flush(x->o, &x->b);
	return found ? REPORT_FOUND : REPORT_NONE;
}

int
rexp_run(struct rdb *db, const struct report_opts *o, const char *tlp)
{
	struct rexp x;
	struct tm tm;
	size_t i;
	int rc;

	memset(&x, 0, sizeof(x));
	x.db = db;
	x.o = o;
	for (i = 0; i < REXP_NTLPS; i++)
		if (strcmp(tlp, rexp_tlps[i].name) == 0)
			x.tlp = &rexp_tlps[i];
	if (x.tlp == NULL)
		rout_fail("bad --tlp '%s'", tlp);
	if (RAND_bytes(x.salt, sizeof(x.salt)) != 1)
		rout_fail("no random bytes for the identifiers");
	gmtime_r(&o->now, &tm);
	strftime(x.now_iso, sizeof(x.now_iso), "%Y-%m-%dT%H:%M:%S.000Z", &tm);
	snprintf(x.now_epoch, sizeof(x.now_epoch), "%lld",
	    (long long)o->now);
	rexp_stix_id(&x, "identity", "identity", "", x.identity,
	    sizeof(x.identity));
	if (o->format == RF_MISP)
		rc = rexp_misp(&x, tlp);
	else
		rc = rexp_stix(&x);
	buf_release(&x.b);
	return rc;
}
