#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# Three sensors writing to a three-node Galera cluster on this machine:
# each node its own data directory, socket, TLS port on 127.0.0.1, gcomm,
# IST and SST ports; the first bootstraps, the others join by SST (rsync).
# Three spampotd instances (sensor-a/b/c) with an analyzer each; analyzer i
# writes to node i over TLS, the third with "node3, node1" as its
# mysql_host; each with an account of its own made on node 1 with
# spampot-dbsetup --sensor, as in spampot-dbsetup(8)'s worked example. Clients send a stream with shared AUTH credentials and URLs
# (the running totals collide between writers); in the middle node 3 is
# killed -9 and analyzer 3 goes on through node 1; node 3 comes back and
# rejoins by IST. At the end every accepted message is in the cluster once,
# no spool holds a file in new/ or bad/, the three nodes hold the same rows
# and the running totals are those sql/rollups-rebuild.sql computes; the
# analyst's account reads them through node 2, where a sensor's account
# cannot delete.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/db.sh"

GALERA=/usr/lib/galera/libgalera_smm.so
[ -f "$GALERA" ] || { echo "SKIP: no $GALERA (install galera-4)"; exit 77; }
command -v openssl >/dev/null || { echo "SKIP: no openssl"; exit 77; }
for tool in rsync wsrep_sst_rsync; do
	command -v "$tool" >/dev/null || { echo "FAIL: $tool missing"; exit 99; }
done

# --- a private authority and the servers' certificate for 127.0.0.1 ----------
db_tls_certs "$T/tls" e2e || { fail "openssl"; exit 1; }

# --- three nodes --------------------------------------------------------------
# db.sh knows one server at a time: use_node makes node N the current one.
declare -A NPORT GPORT IPORT SPORT NPID
for n in 1 2 3; do
	NPORT[$n]=$(free_port); GPORT[$n]=$(free_port)
	IPORT[$n]=$(free_port); SPORT[$n]=$(free_port)
	NPID[$n]=
done
CLUSTER="gcomm://127.0.0.1:${GPORT[1]},127.0.0.1:${GPORT[2]},127.0.0.1:${GPORT[3]}"
CUR=
use_node() {	# N
	[ -n "$CUR" ] && NPID[$CUR]=$DB_PID
	CUR=$1
	DB_PID=${NPID[$1]}
	DB_DIR="$T/node$1"
	DB_DATA="$DB_DIR/data"
	DB_SOCKET="$DB_DIR/mysqld.sock"
	DB_LOG="$DB_DIR/error.log"
	DB_OPTIONS=("${DB_OPTIONS[@]/#--datadir=*/--datadir=$DB_DATA}")
	DB_OPTIONS=("${DB_OPTIONS[@]/#--tmpdir=*/--tmpdir=$DB_DIR/tmp}")
	DB_NETWORK=(--port="${NPORT[$1]}" --bind-address=127.0.0.1
		--ssl-cert="$T/tls/db.pem" --ssl-key="$T/tls/db.key"
		--ssl-ca="$T/tls/ca.pem"
		--wsrep-on=ON --wsrep-provider="$GALERA"
		--binlog-format=ROW --innodb-autoinc-lock-mode=2
		--default-storage-engine=InnoDB
		--wsrep-cluster-name=spampot-e2e
		--wsrep-cluster-address="$CLUSTER"
		--wsrep-node-name="node$1" --wsrep-node-address=127.0.0.1
		--wsrep-provider-options="gmcast.listen_addr=tcp://127.0.0.1:${GPORT[$1]};ist.recv_addr=127.0.0.1:${IPORT[$1]};gcache.size=64M;evs.inactive_timeout=PT6S;evs.suspect_timeout=PT3S"
		--wsrep-sst-method=rsync
		--wsrep-sst-receive-address="127.0.0.1:${SPORT[$1]}"
		--wsrep-slave-threads=2)
}
node_sql() {	# N SQL
	mariadb --no-defaults --protocol=socket --socket="$T/node$1/mysqld.sock" \
	    -u root -N -B --database=spampot -e "$2"
}
node_status() {	# N VARIABLE
	mariadb --no-defaults --protocol=socket --socket="$T/node$1/mysqld.sock" \
	    -u root -N -B -e "SHOW GLOBAL STATUS LIKE '$2'" 2>/dev/null | cut -f2
}
synced() {	# N SIZE
	[ "$(node_status "$1" wsrep_local_state_comment)" = Synced ] &&
	    [ "$(node_status "$1" wsrep_cluster_size)" = "$2" ]
}
kill_nodes() {
	local n
	[ -n "$CUR" ] && NPID[$CUR]=$DB_PID
	for n in 1 2 3; do
		[ -n "${NPID[$n]}" ] && kill -KILL "${NPID[$n]}" 2>/dev/null
	done
	DB_PID=
}

# --- three sensors: a spool, a port, a daemon and an analyzer each -----------
declare -A SPORT_SMTP DPID APID
SENSORS="a b c"
use_sensor() {	# X
	SPOOL="$T/spool-$1"
	LOG="$T/daemon-$1.log"
	CONF="$T/spampot-$1.conf"
	ANALYZER_LOG="$T/analyzer-$1.log"
	PORT=${SPORT_SMTP[$1]}
	DAEMON_PID=${DPID[$1]:-}
	ANALYZER_PID=${APID[$1]:-}
}
stop_sensors() {
	local x
	for x in $SENSORS; do
		[ -n "${APID[$x]:-}" ] && kill -KILL "${APID[$x]}" 2>/dev/null
		[ -n "${DPID[$x]:-}" ] && kill -TERM "${DPID[$x]}" 2>/dev/null
	done
	sleep 0.5
	for x in $SENSORS; do
		[ -n "${DPID[$x]:-}" ] && kill -KILL "${DPID[$x]}" 2>/dev/null
		[ -n "${DPID[$x]:-}" ] && pkill -KILL -P "${DPID[$x]}" 2>/dev/null
	done
	if [ "$E2E_FAIL" -gt 0 ]; then
		for x in $SENSORS; do
			echo "--- analyzer-$x log (last 20 lines) ---"
			tail -n 20 "$T/analyzer-$x.log" 2>/dev/null
		done
		for n in 1 2 3; do
			echo "--- node$n error log (last 20 lines) ---"
			tail -n 20 "$T/node$n/error.log" 2>/dev/null
		done
	fi
	ANALYZER_PID=
	DAEMON_PID=
}
trap 'stop_sensors; kill_nodes; e2e_cleanup' EXIT

t0=$(date +%s)
use_node 1
db_start --wsrep-new-cluster
check "node 1 bootstraps the cluster" wait_for 20 synced 1 1
db_setup --host 127.0.0.1 --require-tls
# As spampot-dbsetup(8)'s worked example: an account per sensor, made on
# one node (the cluster replicates accounts and grants), holding the role
# spampot_sensor (rows in, no DELETE) and coming over TLS; and an analyst.
for x in $SENSORS; do
	db_run_setup --database spampot --user "sensor-$x" --host 127.0.0.1 \
	    --password-file "$T/sensor-$x.password" \
	    --password-group "$DB_ANALYZER" --sensor ||
	    { cat "$T/dbsetup.out"; fail "spampot-dbsetup --sensor"; exit 1; }
done
db_run_setup --database spampot --user spampot --host 127.0.0.1 \
    --password-file "$DB_PASSWORD_FILE" --reader analyst \
    --reader-password-file "$T/analyst.password" ||
    { cat "$T/dbsetup.out"; fail "spampot-dbsetup --reader"; exit 1; }
for n in 2 3; do
	use_node "$n"
	db_start
done
check "three nodes, Synced" wait_for 60 \
    eval 'synced 1 3 && synced 2 3 && synced 3 3'
check "the joiners came by SST (rsync)" grep -qi "SST.*complete\|SST succeeded\|State transfer.*complete" \
    "$T/node2/error.log"
check_eq "the schema replicated to node 3" \
    "$(node_sql 1 'SELECT COUNT(*) FROM schema_version')" \
    "$(node_sql 3 'SELECT COUNT(*) FROM schema_version')"
echo "# cluster up after $(($(date +%s) - t0)) s"

i=1
for x in $SENSORS; do
	SPORT_SMTP[$x]=$(free_port)
	use_sensor "$x"
	if [ "$x" = c ]; then
		hosts="127.0.0.1:${NPORT[3]}, 127.0.0.1:${NPORT[1]}"
	else
		hosts="127.0.0.1:${NPORT[$i]}"
	fi
	write_config "persona = rfc821" "sensor = sensor-$x" \
	    "mysql_host = $hosts" \
	    "mysql_tls_ca = $T/tls/ca.pem" "mysql_database = spampot" \
	    "mysql_user = sensor-$x" "mysql_password_file = $T/sensor-$x.password"
	start_daemon
	DPID[$x]=$DAEMON_PID
	start_analyzer
	APID[$x]=$ANALYZER_PID
	i=$((i + 1))
done

# --- the stream: 3 x 60 messages, shared credentials and URLs --------------
COUNT=60
stream() {	# X
	python3 - "${SPORT_SMTP[$1]}" "$1" "$COUNT" "$T/sent-$1" <<'PY'
import base64, smtplib, sys, time
port, tag, count, out = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
ok = 0
for i in range(count):
    try:
        s = smtplib.SMTP("127.0.0.1", port, local_hostname="bot%d.example" % (i % 4), timeout=20)
        s.ehlo()
        user = b"admin%d" % (i % 3)
        s.docmd("AUTH", "PLAIN " + base64.b64encode(b"\0" + user + b"\0secret").decode())
        body = ("Subject: offer %s %d\r\n\r\nsee http://shared%d.example/x and "
                "http://%s.example/%d\r\n" % (tag, i, i % 3, tag, i)).encode()
        s.sendmail("spam%d@b.example" % (i % 2), ["c@d.example"], body)
        ok += 1
        s.quit()
    except Exception as e:
        print("message %d: %r" % (i, e), file=sys.stderr)
    with open(out + ".progress", "w") as f:
        f.write("%d\n" % (i + 1))
    time.sleep(0.08)
with open(out, "w") as f:
    f.write("%d\n" % ok)
PY
}
progress() { [ "$(cat "$T/sent-$1.progress" 2>/dev/null || echo 0)" -ge "$2" ]; }
rows_of() {	# N SENSOR
	node_sql "$1" "SELECT COUNT(*) FROM sessions WHERE sensor = 'sensor-$2'" 2>/dev/null
}
SPIDS=
for x in $SENSORS; do
	stream "$x" 2> "$T/stream-$x.err" &
	SPIDS="$SPIDS $!"
done

check "the stream runs" wait_for 60 progress c 20
c_on_3() { [ "$(rows_of 3 c)" -gt 0 ]; }
check "analyzer 3 writes to node 3" wait_for 30 c_on_3
use_node 3
db_kill
before=$(rows_of 1 c)
echo "# node 3 killed -9 with $before sessions of sensor-c in the cluster"
more_c() { [ "$(rows_of 1 c)" -gt "$before" ]; }
check "node 3 gone: analyzer 3's imports go on through node 1" wait_for 60 more_c
check "meanwhile the cluster is two" wait_for 30 synced 1 2

check "the stream goes on" wait_for 60 progress c 45
grep -n "unavailable\|dropped\|available again" "$T/analyzer-c.log" | sed 's/^/# /'
last=$(node_status 1 wsrep_last_committed)
db_start
check "node 3 back: Synced in a cluster of three" wait_for 60 \
    eval 'synced 3 3 && synced 1 3'
check "node 3 rejoined by IST, not SST" \
    grep -q "IST received\|Receiving IST" "$T/node3/error.log"
# shellcheck disable=SC2086
wait $SPIDS

sent=0
for x in $SENSORS; do
	sent=$((sent + $(cat "$T/sent-$x" 2>/dev/null || echo 0)))
done
echo "# $sent messages accepted (250) of $((3 * COUNT))"
check "the clients' messages were accepted" test "$sent" -gt $((3 * COUNT * 9 / 10))
all_in() {
	local x
	for x in $SENSORS; do
		use_sensor "$x"
		spool_count_is new 0 || return 1
	done
	[ "$(node_sql 1 'SELECT COUNT(*) FROM messages')" -eq "$sent" ]
}
check "every accepted message imported" wait_for 90 all_in
for x in $SENSORS; do
	use_sensor "$x"
	check_eq "sensor-$x: nothing in new/" 0 "$(spool_count new)"
	check_eq "sensor-$x: nothing in bad/" 0 "$(spool_count bad)"
	check_eq "sensor-$x: each accepted message once" \
	    "$(cat "$T/sent-$x")" \
	    "$(node_sql 1 "SELECT COUNT(*) FROM messages m JOIN sessions s ON s.id = m.session_id WHERE s.sensor = 'sensor-$x'")"
done
check_eq "sessions: one per message" "$sent" "$(node_sql 1 'SELECT COUNT(*) FROM sessions')"
check "node 3 caught up: wsrep_last_committed past the kill" \
    test "$(node_status 3 wsrep_last_committed)" -gt "$last"

# The accounts made on node 1 hold on node 2: the analyst reads every
# sensor's messages there over TLS (sensor b's config names node 2); a
# sensor's account may not delete.
use_sensor b
for x in $SENSORS; do
	check_eq "the analyst, through node 2: sensor-$x's messages" \
	    "$(cat "$T/sent-$x")" \
	    "$("$SPAMPOT_BUILDDIR/src/spampot-report" -c "$CONF" --user analyst \
	    --password-file "$T/analyst.password" --sensor "sensor-$x" \
	    summary --format json 2> "$T/report.err" |
	    python3 -c 'import json, sys; print(json.load(sys.stdin)["messages"])')"
done
out=$(mariadb --no-defaults -h 127.0.0.1 -P "${NPORT[2]}" -u sensor-a \
    -p"$(head -n 1 "$T/sensor-a.password")" --ssl --ssl-ca="$T/tls/ca.pem" \
    --database=spampot -e 'DELETE FROM sessions' 2>&1)
check "a sensor's account, through node 2: no DELETE" \
    grep -q "ERROR 1142" <<< "$out"

# --- the same rows on every node ----------------------------------------------
# The writers stopped, every node applies up to the same seqno; then the
# tables are compared: the rows of those with an id as SELECT reads them
# (CHECKSUM TABLE of a table with virtual columns differed between
# nodes holding the same rows), the running totals by CHECKSUM TABLE.
for x in $SENSORS; do
	kill -TERM "${APID[$x]}" 2>/dev/null
	wait "${APID[$x]}" 2>/dev/null
	check_eq "analyzer $x exits 0" 0 "$?"
	APID[$x]=
done
same_seqno() {
	local s1
	s1=$(node_status 1 wsrep_last_committed)
	[ "$s1" = "$(node_status 2 wsrep_last_committed)" ] &&
	    [ "$s1" = "$(node_status 3 wsrep_last_committed)" ]
}
check "the three nodes at the same wsrep_last_committed" wait_for 30 same_seqno
digest() {	# N
	local t
	for t in sessions messages auth_attempts recipients urls campaigns; do
		printf '%s\t' "$t"
		node_sql "$1" "SET SESSION wsrep_sync_wait = 15;
		    SELECT * FROM $t ORDER BY id" | md5sum
	done > "$T/digest-$1"
	node_sql "$1" "CHECKSUM TABLE kind_hours, value_hours, value_totals,
	    pattern_hours, campaign_clients, campaign_sensors" >> "$T/digest-$1"
}
digest 1; digest 2; digest 3
check "node 2 holds the rows of node 1" diff "$T/digest-1" "$T/digest-2"
check "node 3 holds the rows of node 1" diff "$T/digest-1" "$T/digest-3"
check "the totals collide between writers: a credential from every sensor" \
    test "$(node_sql 1 "SELECT COUNT(DISTINCT s.sensor) FROM auth_attempts a JOIN sessions s ON s.id = a.session_id WHERE a.username = 'admin0'" 2>/dev/null)" = 3

# --- the running totals against the rows --------------------------------------
dump() {
	node_sql 1 "$(db_totals_sql)"
}
dump > "$T/kept.tsv"
check "the shared credentials were counted across sensors" \
    grep -q "admin0" "$T/kept.tsv"
node_sql 1 "$(cat "$SPAMPOT_SRCDIR/sql/rollups-rebuild.sql")"
dump > "$T/rebuilt.tsv"
check "the totals are those rollups-rebuild.sql computes" \
    diff -u "$T/rebuilt.tsv" "$T/kept.tsv"
# certification failures (1213) are not required, only counted
echo "# analyzer lines on error 1213: $(cat "$T"/analyzer-?.log | grep -c '(1213)')"
echo "# run time $(($(date +%s) - t0)) s"
for x in $SENSORS; do
	use_sensor "$x"
	stop_daemon TERM
	DPID[$x]=
	check_eq "spampotd $x exits 0" 0 "$DAEMON_RC"
	check_no_crash
done
e2e_done
