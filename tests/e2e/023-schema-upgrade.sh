#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# Schema version 1 to 2 (sql/upgrade/002-report.sql), 2 to 3
# (003-rollups.sql), 3 to 4 (004-tls.sql, the empty session_tls) and 4 to
# 5 (005-relay.sql, the empty relay_decisions) and 5 to 6
# (006-campaigns.sql: campaigns, archive members, real types, YARA) on a
# database that holds rows: spampot-dbsetup applies
# each once, the new time columns are filled from the sessions and
# messages, the computed columns hold what they should, the report's
# running totals are computed from the rows, and the tables, columns and
# indexes end up exactly those of a database made fresh from
# sql/schema.sql. The analyzer and the report then work on it.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/db.sh"

db_start
# A version 1 database, as the previous release made it.
mkdir -p "$T/sql-v1/upgrade"
cp "$SPAMPOT_SRCDIR/tests/data/sql/schema-v1.sql" "$T/sql-v1/schema.sql"
db_setup --sql-dir "$T/sql-v1" --reader analyst --reader-password-file "$T/analyst.password"
check_eq "version 1 to begin with" 1 "$(db_scalar 'SELECT MAX(version) FROM schema_version')"
db_query "
INSERT INTO sessions (id, sensor, spool_name, session_key, client_ip, client_port,
    server_ip, server_port, started_at, ended_at, helo, helo_verb, end_reason, messages)
VALUES (1, 's1', 'f1', '0123456789abcdef', '198.51.100.7', 4000, '192.0.2.25', 25,
    '2026-11-20 10:00:00.250000', '2026-11-20 10:00:01', 'bot', 'EHLO', 'quit', 1),
    (2, 's1', 'f2', '1123456789abcdef', '2001:db8::7', 4001, '192.0.2.25', 25,
    '2026-11-21 11:00:00', '2026-11-21 11:00:01', NULL, NULL, 'quit', 0);
INSERT INTO auth_attempts (session_id, mechanism, status, username, password, authzid)
VALUES (1, 'LOGIN', 'ok', 'admin', '123456', '');
INSERT INTO messages (id, session_id, seq, mail_from, mail_from_domain, size, stored_size,
    truncated, incomplete, subject, sha256, queue_id, received_at)
VALUES (1, 1, 1, 'a@example.org', 'example.org', 10, 10, 0, 0, 'hi', REPEAT('a', 64),
    'Q1', '2026-11-20 10:00:00.250000');
INSERT INTO recipients (message_id, address, domain) VALUES (1, 'b@example.net', 'example.net');
INSERT INTO urls (message_id, url, host, count) VALUES (1, 'http://x.example.com/', 'x.example.com', 1);
INSERT INTO attachments (message_id, filename, content_type, size, md5, sha1, sha256)
VALUES (1, 'a.exe', 'application/octet-stream', 3, REPEAT('b', 32), REPEAT('c', 40), REPEAT('d', 64));"
check_eq "rows in the version 1 tables" "2 1" \
    "$(db_query 'SELECT (SELECT COUNT(*) FROM sessions), (SELECT COUNT(*) FROM attachments)' | tr '\t' ' ')"

db_run_setup --database spampot --user spampot --password-file "$DB_PASSWORD_FILE"
rc=$?; [ "$rc" -eq 0 ] || cat "$T/dbsetup.out"
check_eq "dbsetup upgrades: exit 0" 0 "$rc"
check "dbsetup says 002-report.sql was applied" grep -q "schema: applied 002-report.sql, version 2" "$T/dbsetup.out"
check "dbsetup says 003-rollups.sql was applied" grep -q "schema: applied 003-rollups.sql, version 3" "$T/dbsetup.out"
check "dbsetup says 004-tls.sql was applied" grep -q "schema: applied 004-tls.sql, version 4" "$T/dbsetup.out"
check "dbsetup says 005-relay.sql was applied" grep -q "schema: applied 005-relay.sql, version 5" "$T/dbsetup.out"
check "dbsetup says 006-campaigns.sql was applied" grep -q "schema: applied 006-campaigns.sql, version 6" "$T/dbsetup.out"
check "dbsetup says 007-sensors.sql was applied" grep -q "schema: applied 007-sensors.sql, version 7" "$T/dbsetup.out"
check_eq "schema_version: 1, then 2, 3, 4, 5, 6 and 7" "1,2,3,4,5,6,7" "$(db_query 'SELECT version FROM schema_version ORDER BY version' | paste -sd,)"
check_eq "sensor_heartbeats: empty" 0 "$(db_scalar 'SELECT COUNT(*) FROM sensor_heartbeats')"
check_eq "session_tls: empty" 0 "$(db_scalar 'SELECT COUNT(*) FROM session_tls')"
check_eq "relay_decisions: empty" 0 "$(db_scalar 'SELECT COUNT(*) FROM relay_decisions')"
check_eq "campaigns: empty; old messages in none" "0 1" \
    "$(db_query 'SELECT (SELECT COUNT(*) FROM campaigns), (SELECT COUNT(*) FROM messages WHERE campaign_id IS NULL AND template IS NULL)' | tr '\t' ' ')"
check_eq "old attachments: no real type, no mismatch" "NULL 0" \
    "$(db_query 'SELECT IFNULL(real_type, "NULL"), type_mismatch FROM attachments' | tr '\t' ' ')"
t="2026-11-20 10:00:00.250000"
check_eq "recipients, urls, attachments: the message's time" "$t $t $t" \
    "$(db_query 'SELECT (SELECT received_at FROM recipients), (SELECT received_at FROM urls), (SELECT received_at FROM attachments)' | tr '\t' ' ')"
check_eq "auth_attempts: the session's start" "$t" "$(db_scalar 'SELECT tried_at FROM auth_attempts')"
check_eq "client_ip_bin: IPv4 mapped, IPv6 as is" \
    "00000000000000000000FFFFC6336407,20010DB8000000000000000000000007" \
    "$(db_query 'SELECT HEX(client_ip_bin) FROM sessions ORDER BY id' | paste -sd,)"
check_eq "the key columns" "a@example.org admin 123456" \
    "$(db_query 'SELECT (SELECT mail_from_key FROM messages), (SELECT username_key FROM auth_attempts), (SELECT password_key FROM auth_attempts)' | tr '\t' ' ')"
db_run_setup --database spampot --user spampot --password-file "$DB_PASSWORD_FILE"
check "a second run applies nothing" grep -q "schema: no upgrade above version 7" "$T/dbsetup.out"

# The running totals, computed from the old rows.
check_eq "value_totals: every value of the old rows, counted" \
    "attachment dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd  1|client-ip 198.51.100.7  1|client-ip 2001:db8::7  1|credential admin 123456 1|helo bot  1|password 123456  1|rcpt-domain example.net  1|sender a@example.org  1|url-host x.example.com  1" \
    "$(db_query "SELECT kind, value, value2, n FROM value_totals ORDER BY kind, value" | tr '\t' ' ' | paste -sd'|')"
check_eq "value_totals: keyed by the SHA-256 of the value (credential: user NUL password)" 0 \
    "$(db_scalar "SELECT COUNT(*) FROM value_totals WHERE value_sha256 <> UNHEX(SHA2(IF(kind = 'credential', CONCAT(value, '\\0', value2), value), 256))")"
check_eq "value_hours: client-ip by the hour, first and last seen" \
    "2026-11-20 10:00:00 198.51.100.7 1 $t $t|2026-11-21 11:00:00 2001:db8::7 1 2026-11-21 11:00:00.000000 2026-11-21 11:00:00.000000" \
    "$(db_query "SELECT hour, value, n, first_seen, last_seen FROM value_hours WHERE kind = 'client-ip' ORDER BY hour" | tr '\t' ' ' | paste -sd'|')"
check_eq "kind_hours: sessions by the hour" "2026-11-20 10:00:00 1|2026-11-21 11:00:00 1" \
    "$(db_query "SELECT hour, n FROM kind_hours WHERE kind = 'client-ip' ORDER BY hour" | tr '\t' ' ' | paste -sd'|')"

# The same schema as a fresh database's.
db_run_setup --database spampot_fresh --user fresh --password-file "$T/fresh.password"
check_eq "a fresh database: version 7 from schema.sql" 7 "$(db_scalar 'SELECT MAX(version) FROM spampot_fresh.schema_version')"
shape() {
	db_query "SELECT TABLE_NAME, COLUMN_NAME, ORDINAL_POSITION, COLUMN_TYPE,
	    IS_NULLABLE, COLUMN_DEFAULT, GENERATION_EXPRESSION, EXTRA, COLLATION_NAME
	    FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '$1' ORDER BY 1, 3;
	    SELECT TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX, COLUMN_NAME, SUB_PART,
	    NON_UNIQUE FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = '$1'
	    ORDER BY 1, 2, 3;
	    SELECT TABLE_NAME, ENGINE, TABLE_COLLATION FROM information_schema.TABLES
	    WHERE TABLE_SCHEMA = '$1' ORDER BY 1"
}
shape spampot > "$T/upgraded.shape"
shape spampot_fresh > "$T/fresh.shape"
check "upgraded and fresh: the same tables, columns and indexes" diff -u "$T/fresh.shape" "$T/upgraded.shape"
check "the shape is not empty" test "$(grep -c . "$T/fresh.shape")" -gt 100

# The analyzer writes the new columns; the report reads the old rows.
write_config
cat "$DB_CONF" >> "$CONF"
start_daemon
start_analyzer
swaks --server "127.0.0.1:$PORT" --to new@example.net --auth LOGIN \
    --auth-user u --auth-password p --silent 2 > /dev/null
imported() { [ "$(db_scalar 'SELECT COUNT(*) FROM sessions')" -ge 3 ]; }
check "a new session is imported" wait_for 10 imported
check_eq "with its times on the new columns" "1 1" \
    "$(db_query "SELECT (SELECT COUNT(*) FROM recipients WHERE address = 'new@example.net' AND received_at IS NOT NULL), (SELECT COUNT(*) FROM auth_attempts WHERE username = 'u' AND tried_at IS NOT NULL)" | tr '\t' ' ')"
REPORT="$SPAMPOT_BUILDDIR/src/spampot-report"
out=$("$REPORT" -c "$CONF" --user analyst --password-file "$T/analyst.password" top password --format csv | tr -d '\r')
check_eq "spampot-report on the upgraded database" \
    "count,first_seen,last_seen,value|1,$(db_scalar "SELECT DATE_FORMAT(tried_at, '%Y-%m-%dT%H:%i:%sZ') FROM auth_attempts WHERE username = 'u'")$(printf ',%s' "$(db_scalar "SELECT DATE_FORMAT(tried_at, '%Y-%m-%dT%H:%i:%sZ') FROM auth_attempts WHERE username = 'u'")"),p|1,2026-11-20T10:00:00Z,2026-11-20T10:00:00Z,123456" \
    "$(paste -sd'|' <<< "$out")"
out=$("$REPORT" -c "$CONF" --user analyst --password-file "$T/analyst.password" search --ip 2001:db8::/32 --format csv | tr -d '\r' | tail -n 1 | cut -d, -f2,4)
check_eq "search by an IPv6 network on the old rows" "2001:db8::7,1123456789abcdef" "$out"
check_no_crash
e2e_done
