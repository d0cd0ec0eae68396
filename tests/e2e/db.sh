# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# shellcheck shell=bash
# db.sh: a private MariaDB server for one end-to-end case, and the database
# that contrib/spampot-dbsetup makes in it. Sourced by tests/e2e/NNN-*.sh
# after lib.sh:
#
#   . "$(dirname "$0")/lib.sh"
#   . "$E2E_DIR/db.sh"
#   db_start           # mariadb-install-db on first use, then mariadbd
#   db_setup           # spampot-dbsetup; the analyzer's mysql_* lines in $DB_CONF
#   db_scalar 'SELECT COUNT(*) FROM sessions'
#
# or, the usual beginning: db_sensor ["KEY = VALUE"...] (all of db_start,
# db_setup, db_config and start_daemon). What the analyzer keeps is checked
# against the rows with db_check_totals (the running totals) and
# db_check_counts (the counted values); db_campaigns lists the campaigns.
#
# The server is the case's own: its data directory, unix socket and error
# log are under $T/db, it has no TCP listener (--skip-networking) unless
# the case gives one on loopback (DB_NETWORK),
# it reads no configuration file (--no-defaults), and it is stopped when
# the case exits. Cases can therefore run in parallel, on a machine where
# no MariaDB runs and none is configured.
#
# It runs as the system user "mysql", as a packaged server does, not as
# root: mariadbd refuses root unless told --user=root, and a server of its
# own user makes the permissions real: the analyzer (the unprivileged user
# "spampot-analyzer") reaches it only through the socket, which sits in a
# directory every user may traverse ($T is 0755, $T/db 0755, the socket
# 0777), and reads its password from a file of mode 0640 in its group.
# Root connects as the database's root user by socket authentication
# (mariadb-install-db --auth-root-authentication-method=socket), the way
# spampot-dbsetup connects on a real server.

for tool in mariadbd mariadb-install-db mariadb runuser; do
	command -v "$tool" >/dev/null || { echo "FAIL: $tool missing"; exit 99; }
done
id mysql >/dev/null 2>&1 ||
	{ echo "FAIL: no system user mysql (install mariadb-server)"; exit 99; }

# The analyzer's system user: no home, no shell, in group spampot to read
# the spool. Cases running in parallel may race to create it.
DB_ANALYZER=spampot-analyzer
if ! id "$DB_ANALYZER" >/dev/null 2>&1; then
	useradd --system --no-create-home --home-dir /nonexistent \
	    --shell /usr/sbin/nologin --user-group --groups spampot \
	    "$DB_ANALYZER" 2>/dev/null || id "$DB_ANALYZER" >/dev/null ||
		{ echo "FAIL: cannot create the user $DB_ANALYZER"; exit 99; }
fi
id -nG "$DB_ANALYZER" | grep -qw spampot || usermod -aG spampot "$DB_ANALYZER"

DB_DIR="$T/db"
DB_DATA="$DB_DIR/data"
DB_SOCKET="$DB_DIR/mysqld.sock"
DB_LOG="$DB_DIR/error.log"
DB_NAME=spampot
DB_USER=spampot
DB_PASSWORD_FILE="$T/mysql.password"
DB_CONF="$T/db.conf"
DB_SETUP="$SPAMPOT_SRCDIR/contrib/spampot-dbsetup"
DB_START_TIMEOUT=30
DB_STOP_TIMEOUT=30
DB_PID=
DB_USE=
DB_LOG_SHOWN=
# A case that needs TCP sets the listener's options here (--port=...
# --bind-address=127.0.0.1 and TLS); without them, no TCP at all.
DB_NETWORK=()

# Small and fast: a test database holds a few rows, and losing the last
# second of commits in a crash of the machine does not matter here.
# Its temporary tables go under $T/db too, away from whatever else uses /tmp.
DB_OPTIONS=(--user=mysql --datadir="$DB_DATA" --tmpdir="$DB_DIR/tmp"
	--skip-name-resolve
	--innodb-buffer-pool-size=32M --innodb-log-file-size=16M
	--innodb-flush-log-at-trx-commit=2 --innodb-doublewrite=0)

db_show_log() {
	DB_LOG_SHOWN=1
	echo "--- mariadbd error log ($DB_LOG, last 40 lines) ---"
	tail -n 40 "$DB_LOG" 2>/dev/null
}

# The server accepts root over the socket: it is up and its grants loaded.
db_root_ok() {
	mariadb --no-defaults --protocol=socket --socket="$DB_SOCKET" -u root \
	    -N -B -e 'SELECT 1' >/dev/null 2>&1
}

# db_start [MARIADBD-OPTIONS...]: initialise the data directory on first
# use, start mariadbd (with the options given, for this start only) in
# the background and wait (at most DB_START_TIMEOUT seconds) until root
# can connect. A server that does not come up fails the case, with its log.
db_start() {
	local t0
	t0=$(date +%s%N)
	if [ ! -d "$DB_DATA/mysql" ]; then
		install -d -o mysql -g mysql -m 0755 "$DB_DIR" "$DB_DIR/tmp"
		if ! mariadb-install-db --no-defaults "${DB_OPTIONS[@]}" \
		    --auth-root-authentication-method=socket --skip-test-db \
		    > "$DB_DIR/install.log" 2>&1; then
			fail "mariadb-install-db failed"
			tail -n 40 "$DB_DIR/install.log"
			exit 1
		fi
		echo "# mariadb-install-db: $DB_DATA in $((($(date +%s%N) - t0) / 1000000)) ms"
		t0=$(date +%s%N)
	fi
	mariadbd --no-defaults "${DB_OPTIONS[@]}" \
	    "${DB_NETWORK[@]:---skip-networking}" "$@" --socket="$DB_SOCKET" \
	    --pid-file="$DB_DIR/mysqld.pid" \
	    --log-error="$DB_LOG" >> "$DB_DIR/stdout.log" 2>&1 &
	DB_PID=$!
	for _ in $(seq $((DB_START_TIMEOUT * 10))); do
		db_root_ok && break
		if ! kill -0 "$DB_PID" 2>/dev/null; then
			{ wait "$DB_PID"; } 2>/dev/null
			DB_PID=
			fail "mariadbd exited before it accepted root on $DB_SOCKET"
			db_show_log
			exit 1
		fi
		sleep 0.1
	done
	if ! db_root_ok; then
		fail "mariadbd did not accept root on $DB_SOCKET within ${DB_START_TIMEOUT}s"
		db_show_log
		exit 1
	fi
	DB_START_MS=$((($(date +%s%N) - t0) / 1000000))
	echo "# mariadbd $DB_PID: root connects over $DB_SOCKET after ${DB_START_MS} ms"
}

# db_wait_exit SECONDS: wait for the server to exit; 1 if it is still there.
db_wait_exit() {
	for _ in $(seq $(($1 * 10))); do
		kill -0 "$DB_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$DB_PID" 2>/dev/null && return 1
	{ wait "$DB_PID"; } 2>/dev/null
	DB_PID=
}

# db_stop: a clean shutdown (SIGTERM is mariadbd's normal shutdown), bounded
# by DB_STOP_TIMEOUT seconds; the data directory stays for db_start.
db_stop() {
	[ -n "$DB_PID" ] || return 0
	kill -TERM "$DB_PID" 2>/dev/null
	if ! db_wait_exit "$DB_STOP_TIMEOUT"; then
		fail "mariadbd did not shut down within ${DB_STOP_TIMEOUT}s"
		db_show_log
		db_kill
		return 1
	fi
}

# db_kill: kill -9, as a crash or the OOM killer would; db_start then runs
# InnoDB's crash recovery.
db_kill() {
	[ -n "$DB_PID" ] || return 0
	kill -KILL "$DB_PID" 2>/dev/null
	# 2>/dev/null: no "Killed" line from bash when it reaps the server.
	db_wait_exit 10 2>/dev/null
}

db_cleanup() {
	if [ -n "$DB_PID" ] && kill -0 "$DB_PID" 2>/dev/null; then
		kill -TERM "$DB_PID" 2>/dev/null
		db_wait_exit 20 || { kill -KILL "$DB_PID"; db_wait_exit 5; }
	fi
	if [ "$E2E_FAIL" -gt 0 ] && [ -f "$DB_LOG" ] && [ -z "$DB_LOG_SHOWN" ]; then
		db_show_log
	fi
}
# the analyzer goes first: it would only log the server's absence
trap 'stop_analyzer KILL; db_cleanup; e2e_cleanup' EXIT

# db_run_setup [ARGS...]: run spampot-dbsetup against the private server;
# its output goes to $T/dbsetup.out, its exit status is returned.
db_run_setup() {
	"$DB_SETUP" --socket "$DB_SOCKET" "$@" > "$T/dbsetup.out" 2>&1
}

# db_setup [ARGS...]: the database, the analyzer's user (password in
# $DB_PASSWORD_FILE, group spampot-analyzer) and the schema; then the
# lines the analyzer's config needs, in $DB_CONF. A failure ends the case.
# shellcheck disable=SC2120  # callers outside this file pass options
db_setup() {
	if ! db_run_setup --database "$DB_NAME" --user "$DB_USER" \
	    --password-file "$DB_PASSWORD_FILE" \
	    --password-group "$DB_ANALYZER" "$@"; then
		fail "spampot-dbsetup failed"
		cat "$T/dbsetup.out"
		exit 1
	fi
	{
		echo "mysql_socket = $DB_SOCKET"
		echo "mysql_database = $DB_NAME"
		echo "mysql_user = $DB_USER"
		echo "mysql_password_file = $DB_PASSWORD_FILE"
	} > "$DB_CONF"
	chmod 644 "$DB_CONF"
	DB_USE=$DB_NAME
}

# db_config ["KEY = VALUE"...]: write_config, and the analyzer's lines
# from $DB_CONF after them.
db_config() {
	write_config "$@"
	cat "$DB_CONF" >> "$CONF"
}

# db_sensor ["KEY = VALUE"...]: what most cases with a database begin with:
# the private server, the database, the config (db_config) and spampotd
# serving.
db_sensor() {
	db_start
	# shellcheck disable=SC2119  # the case's arguments are config lines
	db_setup
	db_config "$@"
	start_daemon
}

# db_query SQL: run SQL as the database's root user; rows tab-separated,
# no headers. After db_setup, in the database $DB_NAME.
db_query() {
	mariadb --no-defaults --protocol=socket --socket="$DB_SOCKET" -u root \
	    -N -B ${DB_USE:+--database="$DB_USE"} -e "$1"
}

# db_scalar SQL: the first value of the first row.
db_scalar() {
	local out
	out=$(db_query "$1") || return 1
	out=${out%%$'\n'*}
	printf '%s\n' "${out%%$'\t'*}"
}

# db_query_as UNIXUSER DBUSER PASSWORD-FILE SQL: run SQL as the database
# user DBUSER from a process of UNIXUSER, which must itself be able to read
# PASSWORD-FILE and reach the socket. Errors go to standard error.
db_query_as() {
	runuser -u "$1" -- sh -c 'MYSQL_PWD=$(head -n 1 "$1") || exit 1
		export MYSQL_PWD; shift; exec "$@"' sh "$3" \
	    mariadb --no-defaults --protocol=socket --socket="$DB_SOCKET" \
	    -u "$2" -N -B ${DB_USE:+--database="$DB_USE"} -e "$4"
}

# db_analyzer_query SQL: as the analyzer does, user spampot-analyzer.
db_analyzer_query() {
	db_query_as "$DB_ANALYZER" "$DB_USER" "$DB_PASSWORD_FILE" "$1"
}

# db_totals_sql: the query of the report's running totals and the
# campaigns' counts, every row, sorted.
db_totals_sql() {
	echo "SELECT 'k', kind, hour, n, first_seen, last_seen FROM kind_hours ORDER BY 2, 3;
	    SELECT 'v', kind, hour, HEX(value_sha256), value, value2, n, first_seen, last_seen FROM value_hours ORDER BY 2, 3, 4;
	    SELECT 't', kind, HEX(value_sha256), value, value2, n, first_seen, last_seen FROM value_totals ORDER BY 2, 3;
	    SELECT 'p', kind, hour, pattern_id, n, first_seen, last_seen FROM pattern_hours ORDER BY 2, 3, 4;
	    SELECT 'c', id, messages, clients, sensors, first_seen, last_seen FROM campaigns ORDER BY 2;
	    SELECT 'cc', campaign_id, client_ip, n, first_seen, last_seen FROM campaign_clients ORDER BY 2, 3;
	    SELECT 'cs', campaign_id, sensor, n, first_seen, last_seen FROM campaign_sensors ORDER BY 2, 3"
}

# db_totals: those rows, what sql/rollups-rebuild.sql makes again from
# the rows.
db_totals() {
	db_query "$(db_totals_sql)"
}

# db_tls_certs DIR NAME: a private authority (DIR/ca.pem) and a server
# certificate for 127.0.0.1 it signed (DIR/db.pem, DIR/db.key, the key
# the mysql user's); openssl's output on stderr if that fails.
db_tls_certs() {
	install -d -m 0755 "$1"
	(
		cd "$1" || exit 1
		openssl req -x509 -newkey rsa:2048 -nodes -days 2 \
		    -subj "/CN=$2 CA" -keyout ca.key -out ca.pem &&
		openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
		    -keyout db.key -out db.csr &&
		printf 'subjectAltName = IP:127.0.0.1\n' > san.cnf &&
		openssl x509 -req -in db.csr -CA ca.pem -CAkey ca.key \
		    -CAcreateserial -days 2 -extfile san.cnf -out db.pem
	) > "$1.log" 2>&1 || { cat "$1.log" >&2; return 1; }
	chown mysql "$1/db.key"
	chmod 0600 "$1/db.key"
	chmod 0644 "$1/ca.pem" "$1/db.pem"
}

# db_check_totals: the totals the analyzer kept ($T/kept.tsv) are those
# sql/rollups-rebuild.sql computes from the rows ($T/rebuilt.tsv, which
# then replace them).
db_check_totals() {
	db_totals > "$T/kept.tsv"
	db_query "$(cat "$SPAMPOT_SRCDIR/sql/rollups-rebuild.sql")"
	db_totals > "$T/rebuilt.tsv"
	check "the analyzer's totals are those rollups-rebuild.sql computes" \
	    diff -u "$T/rebuilt.tsv" "$T/kept.tsv"
}

# db_campaigns: every campaign, each message's campaign, the campaigns'
# sources and link domains, sorted (the same before and after a rebuild
# with the same thresholds).
db_campaigns() {
	db_query "SELECT id, template, tlsh, domains, IFNULL(subject, '-'), rep_message_id, messages, clients, sensors, first_seen, last_seen FROM campaigns ORDER BY id;
	    SELECT id, IFNULL(campaign_id, '-') FROM messages ORDER BY id;
	    SELECT * FROM campaign_clients ORDER BY campaign_id, client_ip;
	    SELECT * FROM campaign_sensors ORDER BY campaign_id, sensor;
	    SELECT * FROM campaign_domains ORDER BY campaign_id, domain"
}

# db_check_counts: the counted values neither doubled nor lost: each
# value's total is the sum of its counts, and so is pattern_hours; no
# value without counts; each session's client address counted once.
db_check_counts() {
	local counts='SELECT (SELECT COALESCE(SUM(count), 0) FROM message_patterns) +
	    (SELECT COALESCE(SUM(count), 0) FROM session_patterns)'
	check_eq "pattern totals are the sum of their counts" \
	    "$(db_scalar "$counts")" "$(db_scalar 'SELECT SUM(total) FROM patterns')"
	check_eq "no value without counts" 0 \
	    "$(db_scalar 'SELECT COUNT(*) FROM patterns WHERE total = 0')"
	check_eq "pattern_hours add up to the same counts" \
	    "$(db_scalar "$counts")" "$(db_scalar 'SELECT SUM(n) FROM pattern_hours')"
	check_eq "client addresses counted once per session" \
	    "$(db_scalar 'SELECT COUNT(*) FROM sessions')" \
	    "$(db_scalar "SELECT SUM(n) FROM value_totals WHERE kind = 'client-ip'")"
}
