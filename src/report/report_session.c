/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * report_session: `spampot-report session ID|SPOOL_NAME`, one session in
 * full: addresses, times, HELO, credentials, every message with its
 * envelope, subject, hashes, URLs, attachments and counted values, its
 * TLS (the handshake's outcome, the ClientHello, JA4 and JA3), and the
 * command transcript. ID is the session id that begins the sensor's log
 * lines (16 hex digits), SPOOL_NAME the spool file's name, or a number the
 * database id. Text folds long values at 80 columns rather than cutting
 * them; JSON has everything.
 */
#include "autoconf.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "report_int.h"

enum {
	S_ID, S_KEY, S_SPOOL, S_SENSOR, S_CLIENT_IP, S_CLIENT_PORT, S_SERVER_IP,
	S_SERVER_PORT, S_STARTED, S_ENDED, S_HELO, S_HELO_VERB, S_REASON,
	S_MESSAGES, S_COUNTRY, S_ASN, S_AS_ORG, S_IMPORTED, S_TRANSCRIPT
};
enum { M_ID, M_SEQ, M_FROM, M_SIZE, M_STORED, M_TRUNCATED, M_INCOMPLETE,
	M_SUBJECT, M_SHA256, M_QUEUE_ID, M_RECEIVED };
enum { A_MECH, A_STATUS, A_USER, A_PASS, A_AUTHZID };
/* the rows of a session's messages: message id first */
enum { R_MID, R_ADDRESS, R_DOMAIN };
enum { U_MID, U_URL, U_HOST, U_COUNT };
enum { T_MID, T_FILENAME, T_TYPE, T_SIZE, T_MD5, T_SHA1, T_SHA256 };
enum { P_MID, P_KIND, P_VALUE, P_COUNT };
/* session_tls, as rsess_load reads it */
enum { L_OK, L_VERSION, L_CIPHER, L_ALPN, L_STAGE, L_REASON, L_BYTES, L_SNI,
	L_ALPNS, L_HELLO_VERSION, L_CIPHERS, L_EXTENSIONS, L_GROUPS,
	L_SIGALGS, L_POINTS, L_VERSIONS, L_CUT, L_JA3, L_JA3_HASH, L_JA4 };

struct rsess {
	struct rdb_rows	auth, msgs, rcpts, urls, atts, pats, tls;
};

static int
rsess_hex16(const char *s)
{
	size_t i;

	for (i = 0; i < 16; i++)
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	return s[16] == '\0';
}

static int
rsess_digits(const char *s)
{
	size_t n = strspn(s, "0123456789");

	return n > 0 && n <= 19 && s[n] == '\0';
}

enum rsess_by { BY_KEY, BY_ID, BY_SPOOL };

static enum rsess_by
rsess_by(const char *id)
{
	if (rsess_hex16(id))
		return BY_KEY;
	if (rsess_digits(id))
		return BY_ID;
	if (strchr(id, '_') == NULL || strlen(id) >= 192)
		rout_fail("bad session '%s': expected a session id (16 hex "
		    "digits), a spool file name or a database id", id);
	return BY_SPOOL;
}

void
rsess_check(const char *id)
{
	rsess_by(id);
}

static void
rsess_find(struct rdb *db, const struct report_opts *o, const char *id,
    struct rdb_rows *rows)
{
	static const char *const where[] = { "s.session_key = ?", "s.id = ?",
	    "s.spool_name = ?" };
	struct rdb_query q;

	rdb_init(&q);
	rdb_sql(&q, "SELECT s.id, s.session_key, s.spool_name, s.sensor, "
	    "s.client_ip, s.client_port, s.server_ip, s.server_port, "
	    "s.started_at, s.ended_at, s.helo, s.helo_verb, s.end_reason, "
	    "s.messages, s.country, s.asn, s.as_org, s.imported_at, "
	    "t.transcript FROM sessions s LEFT JOIN transcripts t ON "
	    "t.session_id = s.id WHERE ");
	rdb_sql(&q, where[rsess_by(id)]);
	rdb_text(&q, id);
	rdb_sensor(&q, o);
	rdb_window(&q, "s.started_at", o);
	rdb_sql(&q, " ORDER BY s.started_at, s.id LIMIT ?");
	rdb_u64(&q, o->limit);
	rdb_run(db, &q, rows);
}

/* One query per table for all of a session's messages. */
static void
rsess_part(struct rdb *db, const char *sql, const char *sid,
    struct rdb_rows *rows)
{
	struct rdb_query q;

	rdb_init(&q);
	rdb_sql(&q, sql);
	rdb_text(&q, sid);
	rdb_run(db, &q, rows);
}

static void
rsess_load(struct rdb *db, const char *sid, struct rsess *d)
{
	rsess_part(db, "SELECT mechanism, status, username, password, "
	    "authzid FROM auth_attempts WHERE session_id = ? ORDER BY id",
	    sid, &d->auth);
	rsess_part(db, "SELECT id, seq, mail_from, size, stored_size, "
	    "truncated, incomplete, subject, sha256, queue_id, received_at "
	    "FROM messages WHERE session_id = ? ORDER BY seq", sid, &d->msgs);
	rsess_part(db, "SELECT r.message_id, r.address, r.domain FROM "
	    "messages m JOIN recipients r ON r.message_id = m.id WHERE "
	    "m.session_id = ? ORDER BY r.id", sid, &d->rcpts);
	rsess_part(db, "SELECT u.message_id, u.url, u.host, u.count FROM "
	    "messages m JOIN urls u ON u.message_id = m.id WHERE "
	    "m.session_id = ? ORDER BY u.id", sid, &d->urls);
	rsess_part(db, "SELECT a.message_id, a.filename, a.content_type, "
	    "a.size, a.md5, a.sha1, a.sha256 FROM messages m JOIN "
	    "attachments a ON a.message_id = m.id WHERE m.session_id = ? "
	    "ORDER BY a.id", sid, &d->atts);
	rsess_part(db, "SELECT l.message_id, p.kind, p.value, l.count FROM "
	    "messages m JOIN message_patterns l ON l.message_id = m.id JOIN "
	    "patterns p ON p.id = l.pattern_id WHERE m.session_id = ? "
	    "ORDER BY p.kind, p.value", sid, &d->pats);
	rsess_part(db, "SELECT ok, version, cipher, alpn, fail_stage, "
	    "fail_reason, fail_bytes, sni, alpns, hello_version, ciphers, "
	    "extensions, supported_groups, sigalgs, point_formats, "
	    "supported_versions, hello_cut, ja3, ja3_hash, ja4 FROM "
	    "session_tls WHERE session_id = ?", sid, &d->tls);
}

static void
rsess_free(struct rsess *d)
{
	rdb_rows_clear(&d->auth);
	rdb_rows_clear(&d->msgs);
	rdb_rows_clear(&d->rcpts);
	rdb_rows_clear(&d->urls);
	rdb_rows_clear(&d->atts);
	rdb_rows_clear(&d->pats);
	rdb_rows_clear(&d->tls);
}

static int
rsess_of(const struct rdb_rows *rows, size_t r, const char *mid)
{
	return strcmp(rdb_cell(rows, r, 0), mid) == 0;
}

/* --- JSON ------------------------------------------------------------------ */

struct rsess_field {
	const char	*key;
	int		 col;
	enum rout_type	 type;
};

static void
rsess_json_fields(struct buf *b, const struct rdb_rows *rows, size_t r,
    const struct rsess_field *f, size_t n, int first)
{
	size_t i;

	for (i = 0; i < n; i++) {
		json_key(b, f[i].key, first && i == 0);
		rout_json_cell(b, f[i].type, rdb_cell(rows, r, (size_t)f[i].col));
	}
}

static void
rsess_json_bool(struct buf *b, const char *key, const char *cell)
{
	json_key(b, key, 0);
	buf_appendf(b, "%s", cell != NULL && strcmp(cell, "0") != 0 ?
	    "true" : "false");
}

/* "key":[{fields of the rows of message mid}] */
static void
rsess_json_list(struct buf *b, const char *key, const struct rdb_rows *rows,
    const char *mid, const struct rsess_field *f, size_t n)
{
	size_t r;
	int first = 1;

	json_key(b, key, 0);
	buf_append(b, "[", 1);
	for (r = 0; r < rows->nrows; r++) {
		if (!rsess_of(rows, r, mid))
			continue;
		buf_append(b, first ? "{" : ",{", first ? 1 : 2);
		rsess_json_fields(b, rows, r, f, n, 1);
		buf_append(b, "}", 1);
		first = 0;
	}
	buf_append(b, "]", 1);
}

static void
rsess_json_message(struct buf *b, const struct rsess *d, size_t m)
{
	static const struct rsess_field mf[] = {
		{ "seq", M_SEQ, RC_INT }, { "mail_from", M_FROM, RC_TEXT },
	}, mf2[] = {
		{ "size", M_SIZE, RC_INT }, { "stored_size", M_STORED, RC_INT },
		{ "subject", M_SUBJECT, RC_TEXT },
		{ "sha256", M_SHA256, RC_TEXT },
		{ "queue_id", M_QUEUE_ID, RC_TEXT },
		{ "received_at", M_RECEIVED, RC_TIME },
	}, uf[] = {
		{ "url", U_URL, RC_TEXT }, { "host", U_HOST, RC_TEXT },
		{ "count", U_COUNT, RC_INT },
	}, af[] = {
		{ "filename", T_FILENAME, RC_TEXT },
		{ "content_type", T_TYPE, RC_TEXT }, { "size", T_SIZE, RC_INT },
		{ "md5", T_MD5, RC_TEXT }, { "sha1", T_SHA1, RC_TEXT },
		{ "sha256", T_SHA256, RC_TEXT },
	}, pf[] = {
		{ "kind", P_KIND, RC_TEXT }, { "value", P_VALUE, RC_TEXT },
		{ "count", P_COUNT, RC_INT },
	};
	const char *mid = rdb_cell(&d->msgs, m, M_ID);
	size_t r;
	int first = 1;

	buf_append(b, "{", 1);
	rsess_json_fields(b, &d->msgs, m, mf, 2, 1);
	json_key(b, "rcpt_to", 0);
	buf_append(b, "[", 1);
	for (r = 0; r < d->rcpts.nrows; r++) {
		if (!rsess_of(&d->rcpts, r, mid))
			continue;
		if (!first)
			buf_append(b, ",", 1);
		json_cstr(b, rdb_cell(&d->rcpts, r, R_ADDRESS));
		first = 0;
	}
	buf_append(b, "]", 1);
	rsess_json_fields(b, &d->msgs, m, mf2, sizeof(mf2) / sizeof(mf2[0]), 0);
	rsess_json_bool(b, "truncated", rdb_cell(&d->msgs, m, M_TRUNCATED));
	rsess_json_bool(b, "incomplete", rdb_cell(&d->msgs, m, M_INCOMPLETE));
	rsess_json_list(b, "urls", &d->urls, mid, uf, 3);
	rsess_json_list(b, "attachments", &d->atts, mid, af, 6);
	rsess_json_list(b, "patterns", &d->pats, mid, pf, 3);
	buf_append(b, "}", 1);
}

static void
rsess_json_time_us(struct buf *b, const char *key, const char *db)
{
	char t[40];

	json_key(b, key, 0);
	if (db == NULL) {
		json_cstr(b, NULL);
		return;
	}
	rtime_db_iso_us(db, t, sizeof(t));
	json_cstr(b, t);
}

/* "tls":{...} or null */
static void
rsess_json_tls(struct buf *b, const struct rdb_rows *tls)
{
	static const struct rsess_field f[] = {
		{ "version", L_VERSION, RC_TEXT },
		{ "cipher", L_CIPHER, RC_TEXT }, { "alpn", L_ALPN, RC_TEXT },
		{ "fail_stage", L_STAGE, RC_TEXT },
		{ "fail_reason", L_REASON, RC_TEXT },
		{ "fail_bytes", L_BYTES, RC_INT }, { "sni", L_SNI, RC_TEXT },
		{ "alpns", L_ALPNS, RC_TEXT },
		{ "hello_version", L_HELLO_VERSION, RC_INT },
		{ "ciphers", L_CIPHERS, RC_TEXT },
		{ "extensions", L_EXTENSIONS, RC_TEXT },
		{ "supported_groups", L_GROUPS, RC_TEXT },
		{ "sigalgs", L_SIGALGS, RC_TEXT },
		{ "point_formats", L_POINTS, RC_TEXT },
		{ "supported_versions", L_VERSIONS, RC_TEXT },
		{ "ja3", L_JA3, RC_TEXT }, { "ja3_hash", L_JA3_HASH, RC_TEXT },
		{ "ja4", L_JA4, RC_TEXT },
	};

	json_key(b, "tls", 0);
	if (tls->nrows == 0) {
		buf_appendf(b, "null");
		return;
	}
	buf_append(b, "{", 1);
	json_key(b, "ok", 1);
	buf_appendf(b, "%s", strcmp(rdb_cell(tls, 0, L_OK), "0") != 0 ?
	    "true" : "false");
	rsess_json_fields(b, tls, 0, f, sizeof(f) / sizeof(f[0]), 0);
	if (rdb_cell(tls, 0, L_CUT) != NULL)
		rsess_json_bool(b, "hello_cut", rdb_cell(tls, 0, L_CUT));
	buf_append(b, "}", 1);
}

static void
rsess_json(struct buf *b, const struct rdb_rows *s, size_t r,
    const struct rsess *d)
{
	static const struct rsess_field sf[] = {
		{ "id", S_ID, RC_INT }, { "session", S_KEY, RC_TEXT },
		{ "spool_name", S_SPOOL, RC_TEXT },
		{ "sensor", S_SENSOR, RC_TEXT },
		{ "client_ip", S_CLIENT_IP, RC_TEXT },
		{ "client_port", S_CLIENT_PORT, RC_INT },
		{ "server_ip", S_SERVER_IP, RC_TEXT },
		{ "server_port", S_SERVER_PORT, RC_INT },
	}, sf2[] = {
		{ "end_reason", S_REASON, RC_TEXT }, { "helo", S_HELO, RC_TEXT },
		{ "helo_verb", S_HELO_VERB, RC_TEXT },
		{ "messages", S_MESSAGES, RC_INT },
		{ "country", S_COUNTRY, RC_TEXT }, { "asn", S_ASN, RC_INT },
		{ "as_org", S_AS_ORG, RC_TEXT },
		{ "imported_at", S_IMPORTED, RC_TIME },
	}, authf[] = {
		{ "mechanism", A_MECH, RC_TEXT }, { "status", A_STATUS, RC_TEXT },
		{ "username", A_USER, RC_TEXT }, { "password", A_PASS, RC_TEXT },
		{ "authzid", A_AUTHZID, RC_TEXT },
	};
	size_t i;

	buf_append(b, "{", 1);
	rsess_json_fields(b, s, r, sf, sizeof(sf) / sizeof(sf[0]), 1);
	rsess_json_time_us(b, "started_at", rdb_cell(s, r, S_STARTED));
	rsess_json_time_us(b, "ended_at", rdb_cell(s, r, S_ENDED));
	rsess_json_fields(b, s, r, sf2, sizeof(sf2) / sizeof(sf2[0]), 0);
	rsess_json_tls(b, &d->tls);
	json_key(b, "auth", 0);
	buf_append(b, "[", 1);
	for (i = 0; i < d->auth.nrows; i++) {
		buf_append(b, i ? ",{" : "{", i ? 2 : 1);
		rsess_json_fields(b, &d->auth, i, authf, 5, 1);
		buf_append(b, "}", 1);
	}
	buf_append(b, "]", 1);
	json_key(b, "mail", 0);
	buf_append(b, "[", 1);
	for (i = 0; i < d->msgs.nrows; i++) {
		if (i > 0)
			buf_append(b, ",", 1);
		rsess_json_message(b, d, i);
	}
	buf_append(b, "]", 1);
	json_key(b, "transcript", 0);
	json_cstr(b, rdb_cell(s, r, S_TRANSCRIPT));
	buf_append(b, "}", 1);
}

/* --- text ------------------------------------------------------------------ */

#define RSESS_TAB	16

/* "  title         value", every part escaped (rout_escape). */
static void
rsess_line(struct buf *b, size_t indent, const char *title, const char *v)
{
	size_t used;

	buf_appendf(b, "%*s", (int)indent, "");
	rout_escape(b, title);
	used = indent + rout_width(title);
	if (used < RSESS_TAB)
		buf_appendf(b, "%*s", (int)(RSESS_TAB - used), "");
	else {
		buf_append(b, " ", 1);
		used = RSESS_TAB - 1;
	}
	rout_text_fold(b, v ? v : "", RSESS_TAB);
	buf_append(b, "\n", 1);
}

/* s cut to at most max columns, escaped; the cursor moves from *col. */
static void
rsess_part_text(struct buf *b, const char *s, size_t max, size_t *col)
{
	size_t w;

	s = s != NULL ? s : "";
	w = rout_width(s);
	rout_text_safe(b, s, max, 0, 0);
	*col += w < max ? w : max;
}

/* "auth            MECH STATUS user USER password PASSWORD" */
static void
rsess_text_auth(struct buf *b, const struct rdb_rows *auth, size_t i)
{
	size_t col = RSESS_TAB;

	buf_appendf(b, "%-*s", RSESS_TAB, "auth");
	rsess_part_text(b, rdb_cell(auth, i, A_MECH), 20, &col);
	buf_append(b, " ", 1);
	rsess_part_text(b, rdb_cell(auth, i, A_STATUS), 12, &col);
	buf_appendf(b, " user ");
	rsess_part_text(b, rdb_cell(auth, i, A_USER), 20, &col);
	buf_appendf(b, " password ");
	rout_text_fold_at(b, rdb_cell(auth, i, A_PASS) ?
	    rdb_cell(auth, i, A_PASS) : "", col + 17, RSESS_TAB);
	buf_append(b, "\n", 1);
}

/* "tls             TLSv1.3 TLS_AES_256_GCM_SHA384, ALPN smtp" or "failed
 * at handshake: REASON, 517 bytes", then the ClientHello's SNI, JA4, JA3. */
static void
rsess_text_tls(struct buf *b, const struct rdb_rows *tls)
{
	const char *alpn = rdb_cell(tls, 0, L_ALPN);
	const char *reason = rdb_cell(tls, 0, L_REASON);
	char v[512];

	if (tls->nrows == 0)
		return;
	if (strcmp(rdb_cell(tls, 0, L_OK), "0") != 0)
		snprintf(v, sizeof(v), "%s %s%s%s",
		    rdb_cell(tls, 0, L_VERSION),
		    rdb_cell(tls, 0, L_CIPHER) ? rdb_cell(tls, 0, L_CIPHER) :
		    "", alpn ? ", ALPN " : "", alpn ? alpn : "");
	else
		snprintf(v, sizeof(v), "failed at %s%s%s, %s bytes",
		    rdb_cell(tls, 0, L_STAGE),
		    reason && *reason ? ": " : "", reason ? reason : "",
		    rdb_cell(tls, 0, L_BYTES) ? rdb_cell(tls, 0, L_BYTES) :
		    "0");
	rsess_line(b, 0, "tls", v);
	if (rdb_cell(tls, 0, L_SNI) != NULL)
		rsess_line(b, 2, "sni", rdb_cell(tls, 0, L_SNI));
	if (rdb_cell(tls, 0, L_JA4) != NULL)
		rsess_line(b, 2, "ja4", rdb_cell(tls, 0, L_JA4));
	if (rdb_cell(tls, 0, L_JA3_HASH) != NULL)
		rsess_line(b, 2, "ja3", rdb_cell(tls, 0, L_JA3_HASH));
}

static void
rsess_text_message(struct buf *b, const struct rsess *d, size_t m)
{
	const char *mid = rdb_cell(&d->msgs, m, M_ID);
	char v[256], title[32];
	size_t r;

	snprintf(title, sizeof(title), "message %s",
	    rdb_cell(&d->msgs, m, M_SEQ));
	snprintf(v, sizeof(v), "%s bytes%s%s, queued as %s",
	    rdb_cell(&d->msgs, m, M_SIZE),
	    strcmp(rdb_cell(&d->msgs, m, M_TRUNCATED), "0") ? ", truncated" : "",
	    strcmp(rdb_cell(&d->msgs, m, M_INCOMPLETE), "0") ?
	    ", incomplete" : "", rdb_cell(&d->msgs, m, M_QUEUE_ID));
	rsess_line(b, 0, title, v);
	rsess_line(b, 2, "from", rdb_cell(&d->msgs, m, M_FROM));
	for (r = 0; r < d->rcpts.nrows; r++)
		if (rsess_of(&d->rcpts, r, mid))
			rsess_line(b, 2, "to", rdb_cell(&d->rcpts, r, R_ADDRESS));
	if (rdb_cell(&d->msgs, m, M_SUBJECT) != NULL)
		rsess_line(b, 2, "subject", rdb_cell(&d->msgs, m, M_SUBJECT));
	rsess_line(b, 2, "sha256", rdb_cell(&d->msgs, m, M_SHA256));
	for (r = 0; r < d->urls.nrows; r++)
		if (rsess_of(&d->urls, r, mid))
			rsess_line(b, 2, "url", rdb_cell(&d->urls, r, U_URL));
	for (r = 0; r < d->atts.nrows; r++) {
		const char *name = rdb_cell(&d->atts, r, T_FILENAME);
		size_t col = RSESS_TAB;

		if (!rsess_of(&d->atts, r, mid))
			continue;
		snprintf(v, sizeof(v), ", %s bytes",
		    rdb_cell(&d->atts, r, T_SIZE));
		buf_appendf(b, "  %-*s", RSESS_TAB - 2, "attachment");
		rsess_part_text(b, name ? name : "(no name)", 30, &col);
		buf_append(b, ", ", 2);
		col += 2 + strlen(v);
		rsess_part_text(b, rdb_cell(&d->atts, r, T_TYPE),
		    col + 8 < ROUT_WIDTH ? ROUT_WIDTH - col : 8, &col);
		buf_appendf(b, "%s\n", v);
		rsess_line(b, 4, "md5", rdb_cell(&d->atts, r, T_MD5));
		rsess_line(b, 4, "sha1", rdb_cell(&d->atts, r, T_SHA1));
		rsess_line(b, 4, "sha256", rdb_cell(&d->atts, r, T_SHA256));
	}
	for (r = 0; r < d->pats.nrows; r++) {
		const char *kind = rdb_cell(&d->pats, r, P_KIND);

		/* the subject and URLs are above already */
		if (!rsess_of(&d->pats, r, mid) || strcmp(kind, "subject") == 0 ||
		    strcmp(kind, "url") == 0)
			continue;
		snprintf(title, sizeof(title), "%.13s", kind);
		rsess_line(b, 2, title, rdb_cell(&d->pats, r, P_VALUE));
	}
}

static void
rsess_text(struct buf *b, const struct rdb_rows *s, size_t r,
    const struct rsess *d)
{
	char v[512];
	const char *t, *p;
	size_t i;

	if (r > 0)
		buf_append(b, "\n", 1);
	snprintf(v, sizeof(v), "%s (database id %s)", rdb_cell(s, r, S_KEY),
	    rdb_cell(s, r, S_ID));
	rsess_line(b, 0, "session", v);
	rsess_line(b, 0, "spool file", rdb_cell(s, r, S_SPOOL));
	rsess_line(b, 0, "sensor", rdb_cell(s, r, S_SENSOR));
	snprintf(v, sizeof(v), "%s port %s", rdb_cell(s, r, S_CLIENT_IP),
	    rdb_cell(s, r, S_CLIENT_PORT));
	rsess_line(b, 0, "client", v);
	if (rdb_cell(s, r, S_COUNTRY) != NULL || rdb_cell(s, r, S_ASN) != NULL) {
		snprintf(v, sizeof(v), "%s%s%s%s%s",
		    rdb_cell(s, r, S_COUNTRY) ? rdb_cell(s, r, S_COUNTRY) : "",
		    rdb_cell(s, r, S_COUNTRY) && rdb_cell(s, r, S_ASN) ?
		    ", " : "", rdb_cell(s, r, S_ASN) ? "AS" : "",
		    rdb_cell(s, r, S_ASN) ? rdb_cell(s, r, S_ASN) : "",
		    rdb_cell(s, r, S_AS_ORG) ? " " : "");
		if (rdb_cell(s, r, S_AS_ORG) != NULL)
			snprintf(v + strlen(v), sizeof(v) - strlen(v), "%s",
			    rdb_cell(s, r, S_AS_ORG));
		rsess_line(b, 2, "GeoIP", v);
	}
	snprintf(v, sizeof(v), "%s port %s", rdb_cell(s, r, S_SERVER_IP),
	    rdb_cell(s, r, S_SERVER_PORT));
	rsess_line(b, 0, "server", v);
	snprintf(v, sizeof(v), "%s UTC", rdb_cell(s, r, S_STARTED));
	rsess_line(b, 0, "started", v);
	snprintf(v, sizeof(v), "%s UTC, %s", rdb_cell(s, r, S_ENDED),
	    rdb_cell(s, r, S_REASON));
	rsess_line(b, 0, "ended", v);
	if (rdb_cell(s, r, S_HELO) != NULL) {
		snprintf(v, sizeof(v), "%s %s", rdb_cell(s, r, S_HELO_VERB) ?
		    rdb_cell(s, r, S_HELO_VERB) : "", rdb_cell(s, r, S_HELO));
		rsess_line(b, 0, "helo", v);
	}
	rsess_line(b, 0, "messages", rdb_cell(s, r, S_MESSAGES));
	rsess_text_tls(b, &d->tls);
	for (i = 0; i < d->auth.nrows; i++)
		rsess_text_auth(b, &d->auth, i);
	for (i = 0; i < d->msgs.nrows; i++)
		rsess_text_message(b, d, i);
	buf_appendf(b, "transcript\n");
	for (t = rdb_cell(s, r, S_TRANSCRIPT); t != NULL && *t; t = p) {
		char line[4096];
		size_t n;

		p = strchr(t, '\n');
		n = p ? (size_t)(p - t) : strlen(t);
		p = p ? p + 1 : t + n;
		snprintf(line, sizeof(line), "%.*s", (int)n, t);
		buf_append(b, "  ", 2);
		rout_text_fold(b, line, 4);
		buf_append(b, "\n", 1);
	}
}

int
rsess_run(struct rdb *db, const struct report_opts *o, const char *id)
{
	struct buf b = { NULL, 0, 0 };
	struct rdb_rows s;
	struct rsess d;
	size_t r;

	rsess_find(db, o, id, &s);
	if (o->format == RF_JSON) {
		rout_json_head(&b, o, "session", NULL);
		buf_appendf(&b, ",\"sessions\":[");
	}
	for (r = 0; r < s.nrows; r++) {
		memset(&d, 0, sizeof(d));
		rsess_load(db, rdb_cell(&s, r, S_ID), &d);
		if (o->format == RF_JSON) {
			buf_append(&b, r ? ",\n" : "\n", r ? 2 : 1);
			rsess_json(&b, &s, r, &d);
		} else
			rsess_text(&b, &s, r, &d);
		rsess_free(&d);
	}
	if (o->format == RF_JSON)
		buf_appendf(&b, "\n]}\n");
	rout_flush(o, &b);
	if (s.nrows == 0 && o->format == RF_TEXT)
		fprintf(stderr, "spampot-report: no session '%s'\n", id);
	r = s.nrows;
	rdb_rows_clear(&s);
	return r > 0 ? REPORT_FOUND : REPORT_NONE;
}
