/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * test_store: the store's side that needs no server. Each statement's SQL
 * text as its column table makes it (the text the server prepares, in
 * full: a change of table shows here); the columns other files read by
 * place are where their names say; and a parsed session imported into a
 * batch gives the rows and the running totals it must, each value as its
 * column holds it (a HELO that is not UTF-8, a password that was never
 * sent, recipients of one domain in two spellings). And the retry of a
 * transaction that lost a conflict with another writer: which errors are
 * conflicts, the back-off's bounds, when the tries stop.
 */
#include "autoconf.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <mysqld_error.h>
#include <errmsg.h>

#include "extract.h"
#include "parsed.h"
#include "spool_read.h"
#include "store_int.h"
#include "store_rollup.h"

#define ROLLUP_ADD	" ON DUPLICATE KEY UPDATE n = n + VALUES(n), " \
	"first_seen = LEAST(first_seen, VALUES(first_seen)), " \
	"last_seen = GREATEST(last_seen, VALUES(last_seen))"

static const char *const expect_sql[ST_COUNT] = {
	[ST_SESSION] = "INSERT INTO sessions (sensor, spool_name, "
	    "session_key, client_ip, client_port, server_ip, server_port, "
	    "started_at, ended_at, helo, helo_verb, end_reason, messages, "
	    "country, asn, as_org) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	[ST_TRANSCRIPT] = "INSERT INTO transcripts (session_id, transcript) "
	    "VALUES (?,?)",
	[ST_AUTH] = "INSERT INTO auth_attempts (session_id, mechanism, "
	    "status, username, password, authzid, tried_at) "
	    "VALUES (?,?,?,?,?,?,?)",
	[ST_MESSAGE] = "INSERT INTO messages (session_id, seq, mail_from, "
	    "mail_from_domain, size, stored_size, truncated, incomplete, "
	    "subject, sha256, queue_id, received_at, template, tlsh, ssdeep, "
	    "campaign_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	[ST_RCPT] = "INSERT INTO recipients (message_id, address, domain, "
	    "received_at) VALUES (?,?,?,?)",
	[ST_URL] = "INSERT INTO urls (message_id, url, host, count, "
	    "received_at) VALUES (?,?,?,?,?)",
	[ST_ATT] = "INSERT INTO attachments (message_id, filename, "
	    "content_type, size, md5, sha1, sha256, received_at, seq, "
	    "real_type, type_mismatch, archive, archive_password) "
	    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
	[ST_PATTERN] = "INSERT INTO patterns (kind, value, value_sha256, "
	    "total, first_seen, last_seen) VALUES (?,?,?,?,?,?) "
	    "ON DUPLICATE KEY UPDATE id = LAST_INSERT_ID(id), "
	    "total = total + VALUES(total), "
	    "first_seen = LEAST(first_seen, VALUES(first_seen)), "
	    "last_seen = GREATEST(last_seen, VALUES(last_seen))",
	[ST_PATTERN_ADD] = "UPDATE patterns SET total = total + ?, "
	    "first_seen = LEAST(first_seen, ?), "
	    "last_seen = GREATEST(last_seen, ?) WHERE id = ?",
	[ST_MSG_PATTERN] = "INSERT INTO message_patterns (message_id, "
	    "pattern_id, count) VALUES (?,?,?) "
	    "ON DUPLICATE KEY UPDATE count = count + VALUES(count)",
	[ST_SESS_PATTERN] = "INSERT INTO session_patterns (session_id, "
	    "pattern_id, count) VALUES (?,?,?) "
	    "ON DUPLICATE KEY UPDATE count = count + VALUES(count)",
	[ST_KIND_HOUR] = "INSERT INTO kind_hours (kind, hour, n, first_seen, "
	    "last_seen) VALUES (?,?,?,?,?)" ROLLUP_ADD,
	[ST_VALUE_HOUR] = "INSERT INTO value_hours (kind, hour, value_sha256, "
	    "value, value2, n, first_seen, last_seen) "
	    "VALUES (?,?,?,?,?,?,?,?)" ROLLUP_ADD,
	[ST_VALUE_TOTAL] = "INSERT INTO value_totals (kind, value_sha256, "
	    "value, value2, n, first_seen, last_seen) "
	    "VALUES (?,?,?,?,?,?,?)" ROLLUP_ADD,
	[ST_PATTERN_HOUR] = "INSERT INTO pattern_hours (kind, hour, "
	    "pattern_id, n, first_seen, last_seen) VALUES (?,?,?,?,?,?)"
	    ROLLUP_ADD,
	[ST_SESSION_IDS] = "SELECT id, spool_name FROM sessions WHERE id >= ?",
	[ST_SESSION_TLS] = "INSERT INTO session_tls (session_id, ok, version, "
	    "cipher, alpn, fail_stage, fail_reason, fail_bytes, sni, alpns, "
	    "hello_version, ciphers, extensions, supported_groups, sigalgs, "
	    "point_formats, supported_versions, hello_cut, ja3, ja3_hash, ja4, "
	    "started_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	[ST_RELAY_DECISION] = "INSERT INTO relay_decisions (message_id, "
	    "decided_at, verdict, rule, reason, client_ip, rcpt, rcpt_domain, "
	    "campaign, queue_id) VALUES (?,?,?,?,?,?,?,?,?,?)",
	[ST_MESSAGE_IDS] = "SELECT id, session_id, seq FROM messages "
	    "WHERE id >= ?",
	[ST_MEMBER] = "INSERT INTO attachment_members (message_id, att_seq, "
	    "path, depth, size, md5, sha1, sha256, real_type, flags, "
	    "received_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
	[ST_YARA] = "INSERT INTO yara_matches (message_id, att_seq, "
	    "member_path, rule, namespace, tags, meta, received_at) "
	    "VALUES (?,?,?,?,?,?,?,?)",
	[ST_CAMPAIGN] = "INSERT INTO campaigns (id, template, tlsh, ssdeep, "
	    "domains, subject, rep_message_id, messages, first_seen, "
	    "last_seen) VALUES (?,?,?,?,?,?,?,?,?,?) ON DUPLICATE KEY UPDATE "
	    "messages = messages + VALUES(messages), "
	    "first_seen = LEAST(first_seen, VALUES(first_seen)), "
	    "last_seen = GREATEST(last_seen, VALUES(last_seen))",
	[ST_CAMPAIGN_CLIENT] = "INSERT INTO campaign_clients (campaign_id, "
	    "client_ip, n, first_seen, last_seen) VALUES (?,?,?,?,?)"
	    ROLLUP_ADD,
	[ST_CAMPAIGN_SENSOR] = "INSERT INTO campaign_sensors (campaign_id, "
	    "sensor, n, first_seen, last_seen) VALUES (?,?,?,?,?)" ROLLUP_ADD,
	[ST_CAMPAIGN_DOMAIN] = "INSERT INTO campaign_domains (campaign_id, "
	    "domain, n, first_seen, last_seen) VALUES (?,?,?,?,?)" ROLLUP_ADD,
	[ST_CAMPAIGN_COUNT] = "UPDATE campaigns SET clients = (SELECT "
	    "COUNT(*) FROM campaign_clients WHERE campaign_id = ?), sensors = "
	    "(SELECT COUNT(*) FROM campaign_sensors WHERE campaign_id = ?) "
	    "WHERE id = ?",
};

static void
test_sql(void **state)
{
	char sql[1024];
	int i;

	(void)state;
	for (i = 0; i < ST_COUNT; i++) {
		assert_int_equal(store_bind_sql(i, sql, sizeof(sql)), 0);
		assert_string_equal(sql, expect_sql[i]);
	}
	/* a text that does not fit is refused, not cut */
	assert_int_equal(store_bind_sql(ST_SESSION, sql, 64), -1);
}

static void
test_named_columns(void **state)
{
	static const struct {
		enum store_stmt	 st;
		unsigned	 col;
		const char	*name;
	} named[] = {
		{ ST_SESSION, SC_SESSION_NAME, "spool_name" },
		{ ST_SESSION, SC_SESSION_CLIENT_IP, "client_ip" },
		{ ST_SESSION, SC_SESSION_HELO, "helo" },
		{ ST_AUTH, SC_AUTH_USER, "username" },
		{ ST_AUTH, SC_AUTH_PASS, "password" },
		{ ST_MESSAGE, SC_MESSAGE_SESSION, "session_id" },
		{ ST_MESSAGE, SC_MESSAGE_SEQ, "seq" },
		{ ST_MESSAGE, SC_MESSAGE_FROM, "mail_from" },
		{ ST_RCPT, SC_RCPT_DOMAIN, "domain" },
		{ ST_URL, SC_URL_HOST, "host" },
		{ ST_ATT, SC_ATT_SHA256, "sha256" },
		{ ST_PATTERN, SC_PATTERN_KIND, "kind" },
		{ ST_PATTERN, SC_PATTERN_VALUE, "value" },
		{ ST_PATTERN, SC_PATTERN_SHA, "value_sha256" },
		{ ST_MSG_PATTERN, SC_LINK_PATTERN, "pattern_id" },
		{ ST_MSG_PATTERN, SC_LINK_COUNT, "count" },
		{ ST_SESS_PATTERN, SC_LINK_PATTERN, "pattern_id" },
		{ ST_SESS_PATTERN, SC_LINK_COUNT, "count" },
		{ ST_SESSION_IDS, SC_IDS_NAME, "spool_name" },
		{ ST_SESSION_TLS, SC_TLS_VERSION, "version" },
		{ ST_SESSION_TLS, SC_TLS_SNI, "sni" },
		{ ST_SESSION_TLS, SC_TLS_JA3_HASH, "ja3_hash" },
		{ ST_SESSION_TLS, SC_TLS_JA4, "ja4" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(named) / sizeof(named[0]); i++)
		assert_string_equal(store_stmts[named[i].st].cols[
		    named[i].col].name, named[i].name);
}

static struct spool_str
str(const char *s)
{
	struct spool_str v = { (char *)s, s ? strlen(s) : 0 };

	return v;
}

/* The entry of the batch's totals for (table, kind, value). */
static const struct store_rollup_entry *
entry(const struct store_rollup *ru, enum store_rollup_table t,
    const char *kind, const char *value)
{
	const struct store_rollup_entry *e;
	size_t i;

	for (i = 0; i < store_rollup_count(ru); i++) {
		e = store_rollup_get(ru, i);
		if (e->table == t && strcmp(e->kind, kind) == 0 &&
		    (value == NULL || (e->value != NULL &&
		    strcmp(e->value, value) == 0)))
			return e;
	}
	fail_msg("no entry %d %s %s", (int)t, kind, value ? value : "");
	return NULL;
}

/* A session's header records. */
static void
session_init(struct spool_session *s)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->session_id, sizeof(s->session_id), "0123456789abcdef");
	s->sensor = str("sensor-1");
	snprintf(s->client_ip, sizeof(s->client_ip), "203.0.113.7");
	snprintf(s->server_ip, sizeof(s->server_ip), "192.0.2.1");
	snprintf(s->start, sizeof(s->start), "2026-11-26T16:11:16.123456Z");
	snprintf(s->end, sizeof(s->end), "2026-11-26T16:11:17.000001Z");
	snprintf(s->end_reason, sizeof(s->end_reason), "quit");
}

static void
test_import(void **state)
{
	struct spool_str rcpts[2] = { str("x@Example.NET"), str("y@example.net") };
	struct spool_auth auths[2];
	struct spool_message m;
	struct spool_session s;
	struct extract_url url = { "http://evil.example/", "evil.example", 2 };
	struct extract_count count = { "email", "a@b.example", 3 };
	struct extract_result found;
	struct parsed_message pm = { NULL, &found, NULL };
	struct parsed_session ps;
	const struct store_rollup_entry *e;
	struct store *st;
	char err[128];

	(void)state;
	session_init(&s);
	snprintf(s.helo_verb, sizeof(s.helo_verb), "EHLO");
	s.helo = str("bot\xff");
	memset(auths, 0, sizeof(auths));
	auths[0].mech = str("LOGIN");
	auths[0].user = str("admin");
	auths[0].pass = str("secret");
	auths[1].mech = str("PLAIN");
	auths[1].pass = str(NULL);	/* never sent */
	s.auths = auths;
	s.nauths = 2;
	memset(&m, 0, sizeof(m));
	m.n = 1;
	m.from = str("A@Example.COM");
	m.rcpts = rcpts;
	m.nrcpts = 2;
	s.msgs = &m;
	s.nmsgs = 1;
	s.transcript = "C EHLO bot\n";
	s.transcript_len = strlen(s.transcript);
	memset(&found, 0, sizeof(found));
	found.urls = &url;
	found.nurls = 1;
	found.counts = &count;
	found.ncounts = 1;
	memset(&ps, 0, sizeof(ps));
	ps.name = "203.0.113.7_20261126T161116Z_0123456789abcdef";
	ps.s = &s;
	ps.msgs = &pm;

	/* a store with no connection and no pattern cache: nothing here
	 * talks to the server */
	assert_non_null(st = calloc(1, sizeof(*st)));
	assert_non_null(st->batch[0].rollup = store_rollup_new());
	st->fill = &st->batch[0];
	st->packet = 1 << 20;
	assert_int_equal(store_import(st, &ps, err, sizeof(err)), STORE_OK);

	assert_int_equal(st->fill->q[ST_SESSION].n, 1);
	assert_int_equal(st->fill->q[ST_TRANSCRIPT].n, 1);
	assert_int_equal(st->fill->q[ST_AUTH].n, 2);
	assert_int_equal(st->fill->q[ST_MESSAGE].n, 1);
	assert_int_equal(st->fill->q[ST_RCPT].n, 2);
	assert_int_equal(st->fill->q[ST_URL].n, 1);
	assert_int_equal(st->fill->q[ST_PATTERN].n, 2);	/* admin, a@b */
	assert_int_equal(st->fill->q[ST_SESS_PATTERN].n, 1);
	assert_int_equal(st->fill->q[ST_MSG_PATTERN].n, 1);
	/* no GeoIP: country, asn, as_org NULL */
	assert_int_equal(st->fill->q[ST_SESSION].rows[0]->p[13].type,
	    MYSQL_TYPE_NULL);
	assert_int_equal(st->fill->q[ST_SESSION].rows[0]->p[14].type,
	    MYSQL_TYPE_NULL);

	e = entry(st->fill->rollup, SRU_KIND, "password", NULL);
	assert_int_equal(e->n, 2);
	assert_string_equal(e->hour, "2026-11-26 16:00:00");
	assert_string_equal(e->first, s.start);
	assert_int_equal(entry(st->fill->rollup, SRU_KIND, "rcpt-domain",
	    NULL)->n, 2);
	assert_int_equal(entry(st->fill->rollup, SRU_VALUE, "rcpt-domain",
	    "example.net")->n, 2);
	assert_int_equal(entry(st->fill->rollup, SRU_VALUE, "client-ip",
	    "203.0.113.7")->n, 1);
	assert_int_equal(entry(st->fill->rollup, SRU_VALUE, "helo",
	    "bot\xef\xbf\xbd")->n, 1);
	assert_int_equal(entry(st->fill->rollup, SRU_VALUE, "sender",
	    "A@Example.COM")->n, 1);
	assert_int_equal(entry(st->fill->rollup, SRU_VALUE, "url-host",
	    "evil.example")->n, 1);
	assert_string_equal(entry(st->fill->rollup, SRU_VALUE, "credential",
	    "admin")->value2, "secret");
	/* no password: not the same credential as an empty one */
	assert_null(entry(st->fill->rollup, SRU_VALUE, "credential",
	    "")->value2);
	e = entry(st->fill->rollup, SRU_PATTERN, "username", NULL);
	assert_int_equal(e->pattern_id, STORE_PENDING | 0);
	assert_int_equal(e->n, 1);
	e = entry(st->fill->rollup, SRU_PATTERN, "email", NULL);
	assert_int_equal(e->pattern_id, STORE_PENDING | 1);
	assert_int_equal(e->n, 3);

	/* the batch's totals as rows: two of each value, one of each kind
	 * and pattern */
	assert_int_equal(store_rollup_queue(st->fill), 0);
	assert_int_equal(st->fill->q[ST_VALUE_HOUR].n,
	    st->fill->q[ST_VALUE_TOTAL].n);
	assert_int_equal(st->fill->q[ST_PATTERN_HOUR].n, 2);
	assert_int_equal(st->fill->q[ST_KIND_HOUR].n, 7);

	store_discard(st);
	store_rollup_free(st->batch[0].rollup);
	free(st);
}

/* A session's TLS: its row, NULL where the record has nothing, and its
 * version, JA4, JA3 and SNI counted (none of them for a failure without
 * a ClientHello). */
static void
tls_import(const struct spool_tls *t, unsigned nkinds,
    const char *const *kinds)
{
	struct spool_session s;
	struct parsed_session ps;
	const struct store_row *row;
	struct store *st;
	char err[128];
	unsigned i;

	session_init(&s);
	s.transcript = "";
	s.tls = *t;
	memset(&ps, 0, sizeof(ps));
	ps.name = "203.0.113.7_20261126T161116Z_0123456789abcdef";
	ps.s = &s;
	assert_non_null(st = calloc(1, sizeof(*st)));
	assert_non_null(st->batch[0].rollup = store_rollup_new());
	st->fill = &st->batch[0];
	st->packet = 1 << 20;
	assert_int_equal(store_import(st, &ps, err, sizeof(err)), STORE_OK);
	assert_int_equal(st->fill->q[ST_SESSION_TLS].n, 1);
	row = st->fill->q[ST_SESSION_TLS].rows[0];
	assert_int_equal(row->n, 22);
	assert_int_equal(row->p[0].ref, REF_SESSION);
	assert_int_equal(row->p[1].v.num, (unsigned long long)t->ok);
	/* the hello's columns (sni to ja4): NULL without one */
	for (i = SC_TLS_SNI + 1; i <= SC_TLS_JA4; i++)
		assert_true((row->p[i].type == MYSQL_TYPE_NULL) ==
		    !t->has_hello);
	for (i = 0; i < nkinds; i++)
		assert_int_equal(entry(st->fill->rollup, SRU_KIND, kinds[i],
		    NULL)->n, 1);
	/* client-ip, and those */
	assert_int_equal(store_rollup_count(st->fill->rollup),
	    2 * (1 + nkinds));
	store_discard(st);
	store_rollup_free(st->batch[0].rollup);
	free(st);
}

static void
test_import_tls(void **state)
{
	static const char *const all[] = { "tls-version", "ja4", "ja3",
	    "sni" };
	struct spool_tls t;

	(void)state;
	memset(&t, 0, sizeof(t));
	t.seen = t.ok = t.has_hello = 1;
	snprintf(t.version, sizeof(t.version), "TLSv1.3");
	t.cipher = str("TLS_AES_256_GCM_SHA384");
	t.alpn = str("");
	t.sni = str("mx.example\xff");
	t.alpns = str("smtp");
	t.ciphers = str("4865");
	t.extensions = str("0");
	t.groups = t.sigalgs = t.point_formats = t.versions = str("");
	t.ja3 = str("771,4865,0,,");
	snprintf(t.ja3_hash, sizeof(t.ja3_hash), "%032d", 0);
	snprintf(t.ja4, sizeof(t.ja4), "t12d0101sp_%012d_%012d", 0, 0);
	tls_import(&t, 4, all);
	/* no SNI: not counted */
	t.sni = str("");
	tls_import(&t, 3, all);
	/* a failure after the ClientHello: no version */
	t.ok = 0;
	t.version[0] = '\0';
	snprintf(t.stage, sizeof(t.stage), "handshake");
	t.reason = str("no shared cipher");
	tls_import(&t, 2, all + 1);
	/* and before it: nothing counted */
	memset(&t, 0, sizeof(t));
	t.seen = 1;
	snprintf(t.stage, sizeof(t.stage), "hello");
	t.reason = str("");
	tls_import(&t, 0, all);
}

/* Conflicts are tried again; an outage or a refusal is not. */
static void
test_retry_conflict(void **state)
{
	static const struct {
		unsigned code;
		int conflict;
	} codes[] = {
		{ ER_LOCK_DEADLOCK, 1 },
		{ ER_LOCK_WAIT_TIMEOUT, 1 },
		{ ER_UNKNOWN_COM_ERROR, 1 },
		{ ER_CHECKREAD, 1 },
		{ 0, 0 },
		{ ER_DUP_ENTRY, 0 },
		{ ER_SERVER_SHUTDOWN, 0 },
		{ ER_NO_SUCH_TABLE, 0 },
		{ CR_SERVER_LOST, 0 },
		{ CR_SERVER_GONE_ERROR, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		assert_int_equal(store_retry_conflict(codes[i].code),
		    codes[i].conflict);
}

/* The wait after the n-th failure: between half and all of the minimum
 * doubled n - 1 times, never more than the maximum; not always the
 * same. */
static void
test_retry_backoff(void **state)
{
	uint64_t rng = 42;
	unsigned n, k, ms, full, low, high;

	(void)state;
	for (n = 1; n <= 12; n++) {
		full = STORE_RETRY_MIN_MS;
		for (k = 1; k < n && full < STORE_RETRY_MAX_MS; k++)
			full *= 2;
		if (full > STORE_RETRY_MAX_MS)
			full = STORE_RETRY_MAX_MS;
		low = full;
		high = 0;
		for (k = 0; k < 200; k++) {
			ms = store_retry_backoff(&rng, n);
			assert_true(ms >= full / 2 && ms <= full);
			low = ms < low ? ms : low;
			high = ms > high ? ms : high;
		}
		assert_true(low < high);
	}
	assert_int_not_equal(store_retry_seed(), 0);
}

/* A try that fails with the codes of its script, then commits. */
struct retry_script {
	const unsigned	*codes;
	unsigned	 n, calls;
};

static int
retry_try(struct store *st, void *arg, unsigned *code, char *err,
    size_t errlen)
{
	struct retry_script *sc = arg;

	(void)st;
	if (sc->calls >= sc->n) {
		sc->calls++;
		return 0;
	}
	*code = sc->codes[sc->calls++];
	snprintf(err, errlen, "failed with %u", *code);
	return -1;
}

static void
test_retry_run(void **state)
{
	static const unsigned two[] = { ER_LOCK_DEADLOCK,
	    ER_LOCK_WAIT_TIMEOUT };
	static const unsigned then_lost[] = { ER_LOCK_DEADLOCK,
	    CR_SERVER_LOST };
	static const unsigned always[STORE_RETRY_TRIES + 1] = {
	    ER_LOCK_DEADLOCK, ER_LOCK_DEADLOCK, ER_LOCK_DEADLOCK,
	    ER_LOCK_DEADLOCK, ER_LOCK_DEADLOCK, ER_LOCK_DEADLOCK,
	    ER_LOCK_DEADLOCK, ER_LOCK_DEADLOCK, ER_LOCK_DEADLOCK };
	struct retry_script sc;
	struct store_tries t;
	struct store st;
	char err[64];

	(void)state;
	memset(&st, 0, sizeof(st));
	st.rng = 1;
	/* committed at once: one try */
	memset(&sc, 0, sizeof(sc));
	assert_int_equal(store_retry_run(&st, retry_try, &sc, &t, err,
	    sizeof(err)), 0);
	assert_int_equal(t.tries, 1);
	assert_int_equal(t.conflicts, 0);
	assert_int_equal(t.ncodes, 0);
	assert_string_equal(store_retry_text(&t, err, sizeof(err)), "");
	/* two conflicts, committed at the third */
	sc.codes = two;
	sc.n = 2;
	sc.calls = 0;
	assert_int_equal(store_retry_run(&st, retry_try, &sc, &t, err,
	    sizeof(err)), 0);
	assert_int_equal(t.tries, 3);
	assert_int_equal(t.conflicts, 2);
	assert_string_equal(store_retry_text(&t, err, sizeof(err)),
	    "deadlock (1213), lock wait timeout (1205)");
	/* what is no conflict ends the tries */
	sc.codes = then_lost;
	sc.calls = 0;
	assert_int_equal(store_retry_run(&st, retry_try, &sc, &t, err,
	    sizeof(err)), -1);
	assert_int_equal(t.tries, 2);
	assert_int_equal(t.conflicts, 1);
	assert_string_equal(err, "failed with 2013");
	/* at most STORE_RETRY_TRIES */
	sc.codes = always;
	sc.n = STORE_RETRY_TRIES + 1;
	sc.calls = 0;
	assert_int_equal(store_retry_run(&st, retry_try, &sc, &t, err,
	    sizeof(err)), -1);
	assert_int_equal(sc.calls, STORE_RETRY_TRIES);
	assert_int_equal(t.tries, STORE_RETRY_TRIES);
	assert_int_equal(t.conflicts, STORE_RETRY_TRIES);
	assert_string_equal(store_retry_text(&t, err, sizeof(err)),
	    "deadlock (1213)");
	/* a text cut short is still a string */
	assert_string_equal(store_retry_text(&t, err, 5), "dead");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sql),
		cmocka_unit_test(test_named_columns),
		cmocka_unit_test(test_import),
		cmocka_unit_test(test_import_tls),
		cmocka_unit_test(test_retry_conflict),
		cmocka_unit_test(test_retry_backoff),
		cmocka_unit_test(test_retry_run),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
