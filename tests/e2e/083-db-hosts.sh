#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# mysql_host as a list of servers tried in order, over TCP with TLS (the
# certificates of a private authority, made here): two private MariaDB
# servers on loopback ports, each with the database and an analyzer
# account that must come over TLS from 127.0.0.1. The analyzer writes to
# the first; killed -9, the next session goes to the second; with both
# gone the files wait in new/ and the log names each server; the second
# back, they go in. Every session is in exactly one server, once.
# spampot-report reads through the same list. The first server's account
# is a sensor's (spampot-dbsetup --sensor): the role spampot_sensor, table
# by table, no DELETE, TLS required; the second's the classic one.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/db.sh"

command -v openssl >/dev/null || { echo "SKIP: no openssl"; exit 77; }
REPORT="$SPAMPOT_BUILDDIR/src/spampot-report"

# --- a private authority and the servers' certificate for 127.0.0.1 ----------
db_tls_certs "$T/tls" e2e || { fail "openssl"; exit 1; }

# --- two servers ------------------------------------------------------------
# db.sh knows one server at a time: each is started with its own
# directory and port, and the one not current is remembered here.
PORT_A=$(free_port)
PORT_B=$(free_port)
use_server() {	# NAME PORT
	DB_DIR="$T/$1"
	DB_DATA="$DB_DIR/data"
	DB_SOCKET="$DB_DIR/mysqld.sock"
	DB_LOG="$DB_DIR/error.log"
	DB_OPTIONS=("${DB_OPTIONS[@]/#--datadir=*/--datadir=$DB_DATA}")
	DB_OPTIONS=("${DB_OPTIONS[@]/#--tmpdir=*/--tmpdir=$DB_DIR/tmp}")
	DB_NETWORK=(--port="$2" --bind-address=127.0.0.1
		--ssl-cert="$T/tls/db.pem" --ssl-key="$T/tls/db.key"
		--ssl-ca="$T/tls/ca.pem")
}
PID_A=
kill_a() { [ -n "$PID_A" ] && kill -KILL "$PID_A" 2>/dev/null; }
trap 'stop_analyzer KILL; kill_a; db_cleanup; e2e_cleanup' EXIT

use_server dba "$PORT_A"
db_start
db_setup --host 127.0.0.1 --sensor
PID_A=$DB_PID
SOCK_A=$DB_SOCKET
DB_PID=
use_server dbb "$PORT_B"
db_start
db_setup --host 127.0.0.1 --require-tls
SOCK_B=$DB_SOCKET
count_in() {	# SOCKET
	mariadb --no-defaults --protocol=socket --socket="$1" -u root -N -B \
	    --database=spampot -e 'SELECT COUNT(*) FROM sessions' 2>/dev/null
}
subjects_in() {
	mariadb --no-defaults --protocol=socket --socket="$1" -u root -N -B \
	    --database=spampot -e 'SELECT subject FROM messages ORDER BY id' |
	    paste -sd, -
}

write_config "persona = rfc821" \
    "mysql_host = 127.0.0.1:$PORT_A, 127.0.0.1:$PORT_B" \
    "mysql_tls_ca = $T/tls/ca.pem" "mysql_database = spampot" \
    "mysql_user = spampot" "mysql_password_file = $DB_PASSWORD_FILE"
start_daemon
start_analyzer
send() {
	python3 - "$PORT" "$1" <<'PY'
import smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), local_hostname="bot.example")
s.sendmail("a@b.example", ["c@d.example"],
           b"Subject: " + sys.argv[2].encode() + b"\r\n\r\nbody\r\n")
s.quit()
PY
}
in_b() { [ "$(count_in "$SOCK_B")" = "$1" ]; }
in_a_b() { [ "$(count_in "$SOCK_A") $(count_in "$SOCK_B")" = "$1" ] && spool_count_is new 0; }

send one
check "the first server takes the session" wait_for 20 in_a_b "1 0"
check_eq "the analyzer's account must come over TLS (so it did)" ANY \
    "$(mariadb --no-defaults --protocol=socket --socket="$SOCK_A" -u root -N -B -e \
    "SELECT ssl_type FROM mysql.user WHERE User = 'spampot' AND Host = '127.0.0.1'")"
grants=$(mariadb --no-defaults --protocol=socket --socket="$SOCK_A" -u root \
    -N -B -e "SHOW GRANTS FOR 'spampot'@'127.0.0.1'; SHOW GRANTS FOR spampot_sensor")
check "a sensor's account: the role, nothing on the database as a whole" \
    eval '! grep -q "ON \`spampot\`\.\*" <<< "$grants" &&
    grep -q "GRANT \`spampot_sensor\` TO \`spampot\`@\`127.0.0.1\`" <<< "$grants"'
check_eq "the role: SELECT, INSERT, UPDATE on the tables that hold rows" \
    "$(mariadb --no-defaults --protocol=socket --socket="$SOCK_A" -u root -N -B \
    -e "SELECT COUNT(*) FROM information_schema.TABLES
    WHERE TABLE_SCHEMA = 'spampot' AND TABLE_NAME <> 'schema_version'")" \
    "$(grep -c 'GRANT SELECT, INSERT, UPDATE ON `spampot`\.`[a-z_]*` TO `spampot_sensor`' <<< "$grants")"
check "the role: no DELETE anywhere" eval '! grep -q DELETE <<< "$grants"'
as_sensor() {	# SQL [CLIENT-OPTIONS...]: as the analyzer's account, over TCP
	local sql=$1
	shift
	MYSQL_PWD=$(head -n 1 "$DB_PASSWORD_FILE") mariadb --no-defaults \
	    --protocol=tcp -h 127.0.0.1 -P "$PORT_A" -u spampot -N -B \
	    --database=spampot "$@" -e "$sql" 2>&1
}
check_eq "the sensor reads its rows over TLS" 1 \
    "$(as_sensor 'SELECT COUNT(*) FROM sessions' --ssl --ssl-ca="$T/tls/ca.pem")"
out=$(as_sensor 'DELETE FROM sessions' --ssl --ssl-ca="$T/tls/ca.pem")
check "the sensor cannot DELETE (1142)" grep -q "ERROR 1142" <<< "$out"
out=$(as_sensor 'SELECT 1' --skip-ssl)
check "the sensor cannot come without TLS (1045)" grep -q "ERROR 1045" <<< "$out"

kill -KILL "$PID_A"
wait "$PID_A" 2>/dev/null
PID_A=
send two
check "the first gone: the next session goes to the second" wait_for 30 \
    in_b 1
check "the file left new/, none in bad/" wait_for 10 spool_count_is new 0
check_eq "nothing in bad/" 0 "$(spool_count bad)"
check_eq "the second holds the second session only" "two" "$(subjects_in "$SOCK_B")"

out=$("$REPORT" -c "$CONF" --format csv top subject 2>&1)
check_eq "spampot-report reads through the list: the second server" \
    "1 0" "$(grep -c two <<< "$out") $(grep -c one <<< "$out")"

db_kill
send three
check "both gone: the file waits in new/" wait_for 20 spool_count_is new 1
out=$("$SPAMPOT_ANALYZER" -t -c "$CONF" 2>&1)
check_eq "-t with both gone: exit 1" 1 "$?"
check "-t names each server, in order" grep -q \
    "127.0.0.1:$PORT_A: .*; 127.0.0.1:$PORT_B: " <<< "$out"
db_start
check "the second back: the waiting file goes in" wait_for 40 in_b 2
check_eq "the second holds two and three, once each" "two,three" \
    "$(subjects_in "$SOCK_B")"
check_eq "nothing in bad/ at the end" 0 "$(spool_count bad)"
stop_analyzer TERM
check_eq "analyzer exits 0" 0 "$ANALYZER_RC"
stop_daemon TERM
check_no_crash
e2e_done
