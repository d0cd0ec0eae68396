#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# spampot-dbsetup on a fresh private MariaDB: the database, the schema (all
# InnoDB, utf8mb4), an analyzer user that may read and write rows and do
# nothing else, a read-only role and analyst; a second run changes
# nothing; upgrades apply once, in order; no server, a clear refusal.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/db.sh"

db_start
check_eq "no spampot database before" "" "$(db_query "SHOW DATABASES LIKE 'spampot'")"

READER_PW="$T/analyst.password"
db_setup --reader analyst --reader-password-file "$READER_PW"
out() { grep -q -- "$1" "$T/dbsetup.out"; }
not() { ! "$@"; }
for line in "password file $DB_PASSWORD_FILE: created" "database spampot: created" \
    "analyzer user 'spampot'@'localhost': created" "role spampot_reader: created" \
    "analyst 'analyst'@'localhost': created" "schema: loaded .*schema.sql, version 7"; do
	check "dbsetup says: $line" out "$line"
done

# --- the schema -------------------------------------------------------------

in_db="TABLE_SCHEMA = 'spampot'"
for t in sessions auth_attempts messages recipients urls attachments patterns \
    session_tls kind_hours value_hours value_totals pattern_hours \
    message_patterns relay_decisions relay_deliveries sensor_heartbeats \
    schema_version; do
	check_eq "table $t exists" 1 \
	    "$(db_scalar "SELECT COUNT(*) FROM information_schema.TABLES WHERE $in_db AND TABLE_NAME = '$t'")"
done
check_eq "schema_version holds 7, once" "7 1" \
    "$(db_query 'SELECT MAX(version), COUNT(*) FROM schema_version' | tr '\t' ' ')"
check_eq "every table is InnoDB" "" \
    "$(db_query "SELECT TABLE_NAME, ENGINE FROM information_schema.TABLES WHERE $in_db AND ENGINE <> 'InnoDB'")"
check_eq "every table's collation is utf8mb4" "" \
    "$(db_query "SELECT TABLE_NAME, TABLE_COLLATION FROM information_schema.TABLES WHERE $in_db AND TABLE_COLLATION NOT LIKE 'utf8mb4\_%'")"
check_eq "every text column is utf8mb4" "" \
    "$(db_query "SELECT TABLE_NAME, COLUMN_NAME, CHARACTER_SET_NAME FROM information_schema.COLUMNS WHERE $in_db AND CHARACTER_SET_NAME <> 'utf8mb4'")"
check_eq "the database's own default is utf8mb4" "utf8mb4" \
    "$(db_scalar "SELECT DEFAULT_CHARACTER_SET_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = 'spampot'")"

# --- the password file and the analyzer's config lines ----------------------

check_eq "password file: mode 0640, root, group spampot-analyzer" \
    "640 root spampot-analyzer" "$(stat -c '%a %U %G' "$DB_PASSWORD_FILE")"
check "password: 32 random hex digits" grep -qxE '[0-9a-f]{32}' "$DB_PASSWORD_FILE"
check "password file: unreadable by other users" \
    not runuser -u nobody -- cat "$DB_PASSWORD_FILE" 2>/dev/null
check_eq "db.conf: the analyzer's four mysql_* lines" \
    "mysql_socket = $DB_SOCKET|mysql_database = spampot|mysql_user = spampot|mysql_password_file = $DB_PASSWORD_FILE" \
    "$(paste -sd'|' "$DB_CONF")"
write_config
cat "$DB_CONF" >> "$CONF"
check "spampotd -t accepts the config with db.conf's lines" \
    "$SPAMPOTD" -t -c "$CONF"

# --- the analyzer's user: rows yes, anything else no -------------------------

aq() { db_analyzer_query "$1" 2>&1; }
check_eq "analyzer: exactly its grants" \
    "GRANT SELECT, INSERT, UPDATE, DELETE ON \`spampot\`.* TO \`spampot\`@\`localhost\`" \
    "$(aq 'SHOW GRANTS' | grep -v '^GRANT USAGE ON \*\.\* TO `spampot`@`localhost` IDENTIFIED BY PASSWORD ')"
check_eq "analyzer: the only other grant line is USAGE" 1 \
    "$(aq 'SHOW GRANTS' | grep -c '^GRANT USAGE ON \*\.\* TO `spampot`@`localhost`')"
aq "INSERT INTO sessions (sensor, spool_name, session_key, client_ip,
    client_port, server_ip, server_port, started_at, ended_at, end_reason)
    VALUES ('e2e', 'f1', '0123456789abcdef', '203.0.113.7', 41234,
    '192.0.2.25', 25, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6), 'quit')" > "$T/q.out"
check_eq "analyzer: INSERT a session" "" "$(cat "$T/q.out")"
check_eq "analyzer: SELECT it back" "203.0.113.7	quit" \
    "$(aq "SELECT client_ip, end_reason FROM sessions WHERE spool_name = 'f1'")"
upsert="INSERT INTO patterns (kind, value, value_sha256, total, first_seen, last_seen)
    VALUES ('url', 'http://e2e.test/', UNHEX(SHA2('http://e2e.test/', 256)), 1,
    UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))
    ON DUPLICATE KEY UPDATE total = total + 1, last_seen = VALUES(last_seen)"
aq "$upsert" > "$T/q.out"
aq "$upsert" >> "$T/q.out"
check_eq "analyzer: INSERT ... ON DUPLICATE KEY UPDATE, twice" "" "$(cat "$T/q.out")"
check_eq "analyzer: one pattern row, total 2" "1 2" \
    "$(aq "SELECT COUNT(*), MAX(total) FROM patterns WHERE kind = 'url'" | tr '\t' ' ')"
check_eq "analyzer: UPDATE" "" "$(aq "UPDATE sessions SET messages = 1 WHERE spool_name = 'f1'")"
check_eq "analyzer: DELETE" "" "$(aq "DELETE FROM sessions WHERE spool_name = 'f1'; DELETE FROM patterns")"
check_eq "analyzer: the rows are gone" 0 "$(db_scalar 'SELECT COUNT(*) FROM sessions')"

denied() { aq "$2" | grep -q -- "$1"; }
check "analyzer: no CREATE TABLE" denied "CREATE command denied to user 'spampot'@'localhost'" \
    "CREATE TABLE e2e (id INT)"
check "analyzer: no DROP TABLE" denied "DROP command denied to user 'spampot'@'localhost'" \
    "DROP TABLE sessions"
check "analyzer: no ALTER TABLE" denied "ALTER command denied to user 'spampot'@'localhost'" \
    "ALTER TABLE sessions ADD COLUMN e2e INT"
check "analyzer: no CREATE DATABASE" denied "Access denied for user 'spampot'@'localhost'" \
    "CREATE DATABASE e2e"
check "analyzer: no GRANT" denied "Access denied for user 'spampot'@'localhost'" \
    "GRANT SELECT ON spampot.* TO spampot_reader"
check "analyzer: no FILE (INTO OUTFILE)" denied "you need (at least one of) the FILE privilege" \
    "SELECT 1 INTO OUTFILE '/tmp/spampot-e2e-outfile'"
check_eq "analyzer: no FILE (LOAD_FILE reads nothing)" "NULL" "$(aq "SELECT LOAD_FILE('/etc/passwd')")"
check_eq "analyzer: sessions unchanged by all that" "sessions" \
    "$(db_query "SHOW TABLES LIKE 'sessions'")"

# --- the read-only role and its analyst ---------------------------------------

rq() { db_query_as root analyst "$READER_PW" "$1" 2>&1; }
check_eq "role spampot_reader: SELECT on spampot.*, nothing more" \
    "GRANT USAGE ON *.* TO \`spampot_reader\`|GRANT SELECT ON \`spampot\`.* TO \`spampot_reader\`" \
    "$(db_query 'SHOW GRANTS FOR spampot_reader' | paste -sd'|')"
check_eq "analyst password file: mode 0600" "600 root" "$(stat -c '%a %U' "$READER_PW")"
check_eq "analyst: the role is on by default" "spampot_reader" "$(rq 'SELECT CURRENT_ROLE()')"
check_eq "analyst: SELECT" "0" "$(rq 'SELECT COUNT(*) FROM sessions')"
check "analyst: no INSERT" grep -q "INSERT command denied to user 'analyst'@'localhost'" \
    <(rq "INSERT INTO schema_version (version) VALUES (99)")
check "analyst: no UPDATE" grep -q "UPDATE command denied" \
    <(rq "UPDATE schema_version SET version = 99")
check "analyst: no DELETE" grep -q "DELETE command denied" \
    <(rq "DELETE FROM schema_version")

# --- a second run changes nothing -------------------------------------------------

snapshot() {
	db_query "SELECT * FROM mysql.global_priv ORDER BY Host, User;
	    SELECT * FROM mysql.db ORDER BY Host, Db, User;
	    SELECT * FROM mysql.tables_priv; SELECT * FROM mysql.columns_priv;
	    SELECT * FROM mysql.roles_mapping ORDER BY Host, User, Role;
	    SELECT * FROM information_schema.SCHEMA_PRIVILEGES ORDER BY 1, 3, 4;
	    SELECT TABLE_NAME, ENGINE, TABLE_COLLATION, CREATE_TIME
	        FROM information_schema.TABLES WHERE $in_db ORDER BY 1;
	    SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, COLLATION_NAME
	        FROM information_schema.COLUMNS WHERE $in_db ORDER BY 1, 2;
	    SELECT * FROM schema_version ORDER BY version"
	stat -c '%n %a %U %G %Y' "$DB_PASSWORD_FILE" "$READER_PW"
	sha256sum "$DB_PASSWORD_FILE" "$READER_PW"
}
snapshot > "$T/before"
db_run_setup --database spampot --user spampot --password-file "$DB_PASSWORD_FILE" \
    --password-group spampot-analyzer --reader analyst --reader-password-file "$READER_PW"
check_eq "second run: exit 0" 0 "$?"
snapshot > "$T/after"
check "second run: users, grants, roles, tables, versions, files unchanged" \
    cmp -s "$T/before" "$T/after"
cmp -s "$T/before" "$T/after" || diff "$T/before" "$T/after" | head -n 20
check_eq "second run: says nothing was created, granted or set" "" \
    "$(grep -E 'created|granted|applied|set from|group set' "$T/dbsetup.out")"
check "second run: says the schema was kept" out "schema: version 7: kept"

# A new password in the file is applied; the old one stops working.
echo "e2e-second-password" > "$DB_PASSWORD_FILE"
db_run_setup --password-file "$DB_PASSWORD_FILE"
check_eq "a changed password file: exit 0" 0 "$?"
check "a changed password file: the password is set again" \
    out "analyzer user 'spampot'@'localhost': kept, password set from the file"
check_eq "the analyzer logs in with the new password" "1" "$(aq 'SELECT 1')"

# --- upgrades: each applied once, in order, and only above the version -------

cp -R "$SPAMPOT_SRCDIR/sql" "$T/sql"
chmod -R u+w "$T/sql"
mkdir -p "$T/sql/upgrade"
cur=$(db_scalar 'SELECT MAX(version) FROM schema_version')
next=$((cur + 1))
up=$(printf '%03d-e2e-note.sql' "$next")
cat > "$T/sql/upgrade/$up" <<EOF
-- e2e: a column for notes.
ALTER TABLE sessions ADD COLUMN e2e_note VARCHAR(32) NULL;
INSERT INTO schema_version (version) VALUES ($next);
EOF
db_run_setup --sql-dir "$T/sql" --password-file "$DB_PASSWORD_FILE"
check_eq "upgrade: exit 0" 0 "$?"
check "upgrade: says $up was applied" out "schema: applied $up, version $next"
check_eq "upgrade: schema_version is $next" "$next" "$(db_scalar 'SELECT MAX(version) FROM schema_version')"
check_eq "upgrade: the column is there" 1 \
    "$(db_scalar "SELECT COUNT(*) FROM information_schema.COLUMNS WHERE $in_db AND TABLE_NAME = 'sessions' AND COLUMN_NAME = 'e2e_note'")"
db_run_setup --sql-dir "$T/sql" --password-file "$DB_PASSWORD_FILE"
check_eq "upgrade, again: exit 0 (ADD COLUMN would fail if run twice)" 0 "$?"
check "upgrade, again: not applied" not out "applied"
check_eq "upgrade, again: version $next recorded once" 1 \
    "$(db_scalar "SELECT COUNT(*) FROM schema_version WHERE version = $next")"

bad=$(printf '%03d-e2e-broken.sql' $((next + 1)))
echo "THIS IS NOT SQL;" > "$T/sql/upgrade/$bad"
db_run_setup --sql-dir "$T/sql" --password-file "$DB_PASSWORD_FILE"
check_eq "a broken upgrade: exit 1" 1 "$?"
check "a broken upgrade: named, and the version it stays at" \
    out "upgrade $bad failed; the database records version $next"
check_eq "a broken upgrade: schema_version stays $next" "$next" \
    "$(db_scalar 'SELECT MAX(version) FROM schema_version')"
rm "$T/sql/upgrade/$bad"
gap=$(printf '%03d-e2e-gap.sql' $((next + 2)))
echo "INSERT INTO schema_version (version) VALUES ($((next + 2)));" > "$T/sql/upgrade/$gap"
db_run_setup --sql-dir "$T/sql" --password-file "$DB_PASSWORD_FILE"
check_eq "a missing upgrade: exit 1" 1 "$?"
check "a missing upgrade: named" out "no upgrade to version $((next + 1)) in $T/sql/upgrade"
check_eq "a missing upgrade: nothing applied" "$next" \
    "$(db_scalar 'SELECT MAX(version) FROM schema_version')"
rm "$T/sql/upgrade/$gap"

# A fresh database gets schema.sql, then the upgrades above it. Its name
# has an underscore, a wildcard in GRANT that must be escaped (the batch
# output doubles the backslash).
db_run_setup --database spampot_two --user two --password-file "$T/two.password" \
    --sql-dir "$T/sql" --require-tls
check_eq "second database: exit 0" 0 "$?"
check_eq "second database: schema.sql, then up to $next" "$next" \
    "$(db_scalar 'SELECT MAX(version) FROM spampot_two.schema_version')"
check_eq "second database: its user's grant names it exactly" \
    'GRANT SELECT, INSERT, UPDATE, DELETE ON `spampot\\_two`.* TO `two`@`localhost`' \
    "$(db_query "SHOW GRANTS FOR two@localhost" | grep -v 'USAGE')"
check_eq "--require-tls: REQUIRE SSL on the user" "ANY" \
    "$(db_scalar "SELECT ssl_type FROM mysql.user WHERE User = 'two'")"
check "--require-tls: no login without TLS" grep -q "Access denied for user 'two'" \
    <(DB_USE=spampot_two db_query_as root two "$T/two.password" 'SELECT 1' 2>&1)

# --- a sensor's account: the role spampot_sensor, table by table -------------
# The classic account "two" made a sensor's: what it held on the database
# is taken back; the role holds SELECT, INSERT, UPDATE on each table.
db_run_setup --database spampot_two --user two --password-file "$T/two.password" \
    --sql-dir "$T/sql" --sensor
check_eq "--sensor: exit 0" 0 "$?"
check "--sensor: what it held on the database, revoked" out \
    "sensor 'two'@'localhost': DELETE, INSERT, SELECT, UPDATE on spampot_two.\\*: revoked"
check_eq "--sensor: its grants are the role alone" \
    'GRANT `spampot_sensor` TO `two`@`localhost`' \
    "$(db_query "SHOW GRANTS FOR two@localhost" | grep -v 'USAGE\|DEFAULT ROLE')"
role_on() {	# TABLE: the role's privileges on spampot_two.TABLE
	db_scalar "SELECT GROUP_CONCAT(PRIVILEGE_TYPE ORDER BY PRIVILEGE_TYPE)
	    FROM information_schema.TABLE_PRIVILEGES WHERE TABLE_SCHEMA =
	    'spampot_two' AND TABLE_NAME = '$1' AND GRANTEE = \"'spampot_sensor'@''\""
}
check_eq "--sensor: the role on sessions" "INSERT,SELECT,UPDATE" "$(role_on sessions)"
check_eq "--sensor: the role on schema_version: SELECT alone" "SELECT" \
    "$(role_on schema_version)"
check_eq "--sensor: the role on every table" \
    "$(db_scalar "SELECT COUNT(*) FROM information_schema.TABLES
    WHERE TABLE_SCHEMA = 'spampot_two'")" \
    "$(db_scalar "SELECT COUNT(DISTINCT TABLE_NAME) FROM
    information_schema.TABLE_PRIVILEGES WHERE TABLE_SCHEMA = 'spampot_two'
    AND GRANTEE = \"'spampot_sensor'@''\"")"
db_run_setup --database spampot_two --user two --password-file "$T/two.password" \
    --sql-dir "$T/sql" --sensor
check_eq "--sensor, again: says nothing was created, granted, revoked or set" "" \
    "$(grep -E 'created|granted|revoked|applied|set from|: set' "$T/dbsetup.out")"
db_query "CREATE TABLE spampot_two.e2e_new (id INT PRIMARY KEY)"
db_run_setup --database spampot_two --user two --password-file "$T/two.password" \
    --sql-dir "$T/sql" --sensor
check "a table the role lacks (as an upgrade adds): granted" out \
    "role spampot_sensor on spampot_two's [0-9]* tables: SELECT, INSERT, UPDATE: granted on 1$"
check_eq "the new table: SELECT, INSERT, UPDATE" "INSERT,SELECT,UPDATE" \
    "$(role_on e2e_new)"

# --- no server: a clear refusal ---------------------------------------------

db_stop
db_run_setup --password-file "$DB_PASSWORD_FILE"
check_eq "server stopped: exit 1" 1 "$?"
check "server stopped: the message names the socket and the cause" \
    out "cannot connect to MariaDB/MySQL over $DB_SOCKET as root: .*; is the server running?"

# The helpers' restart and crash paths keep the data.
db_start
check_eq "restarted: the data is there" "$next" "$(db_scalar 'SELECT MAX(version) FROM schema_version')"
db_kill
db_start
check_eq "after kill -9: InnoDB recovered the data" "$next" \
    "$(db_scalar 'SELECT MAX(version) FROM schema_version')"
db_run_setup --sql-dir "$T/sql" --password-file "$DB_PASSWORD_FILE"
check_eq "after kill -9: dbsetup exits 0" 0 "$?"
e2e_done
