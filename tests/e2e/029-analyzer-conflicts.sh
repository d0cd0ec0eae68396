#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# Conflicts with another writer are not an outage. While a stream of real
# sessions (smtplib) is imported, a second client of the database, as
# another analyzer or another Galera node would, takes the running totals
# the analyzer adds to (kind_hours) with innodb_lock_wait_timeout at 1 s:
# it holds them longer than that (the analyzer's batch gets 1205, lock
# wait timeout), and it holds them while it waits itself for the rows of
# the analyzer's open batch (a real deadlock, 1213: the analyzer, the
# lighter transaction, is the one rolled back). The analyzer sends the
# batch again on the same connection after a short back-off, says so in
# one line with the error's code, and never takes it for an outage. Then
# a hold longer than all of its tries: the batch's files wait in new/ as
# when the database is away, and are imported once it is free. The
# rebuild of the campaigns, one transaction, is tried again the same way.
# Last, at the server's default innodb_lock_wait_timeout (50 s), a hold of
# 12 s: the analyzer waits 5 s at most, well within its 10 s for a read,
# and tries again; the connection never looks lost.
# Every session is imported exactly once, none in bad/, nothing left in
# new/; the totals are what sql/rollups-rebuild.sql makes of the rows, and
# the campaigns what the rebuild makes of them.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/db.sh"
. "$E2E_DIR/fault.sh"

db_start
db_setup
# New connections wait 1 s for a lock, the analyzer's among them; the
# other client sets its own.
db_query 'SET GLOBAL innodb_lock_wait_timeout = 1'
db_config "workers = 2" "max_sessions_per_ip = 10000"
start_daemon
start_analyzer

# The other writer: SQL from standard input, as root, in the database;
# going on after an error (it may be the one rolled back), bounded.
other() {
	timeout 60 mariadb --no-defaults --protocol=socket \
	    --socket="$DB_SOCKET" -u root -N -B --force --database="$DB_NAME"
}
# Weight for its transactions: InnoDB rolls back the lighter side of a
# deadlock, which must be the analyzer's batch.
other <<'SQL'
CREATE DATABASE other;
CREATE TABLE other.ballast (n INT PRIMARY KEY, v INT NOT NULL) ENGINE=InnoDB;
INSERT INTO other.ballast SELECT seq, 0 FROM seq_1_to_50000;
SQL
check_eq "the other writer's table" 50000 \
    "$(db_scalar 'SELECT COUNT(*) FROM other.ballast')"

# hold SECONDS: the running totals taken, and held.
hold() {
	other <<SQL
SET SESSION innodb_lock_wait_timeout = 60;
BEGIN;
SELECT COUNT(*) FROM kind_hours FOR UPDATE;
SELECT SLEEP($1);
COMMIT;
SQL
}
# deadlock: the running totals taken; once the analyzer waits for them,
# the rows of its open batch asked for. (innodb_trx is read again only
# after 0.1 s without a read: a faster poll never sees the wait.)
deadlock() {
	other <<'SQL'
SET SESSION innodb_lock_wait_timeout = 60;
BEGIN;
UPDATE other.ballast SET v = v + 1;
SELECT COUNT(*) FROM kind_hours FOR UPDATE;
DELIMITER //
BEGIN NOT ATOMIC
	DECLARE i, waiting INT DEFAULT 0;
	WHILE i < 20 AND waiting = 0 DO
		DO SLEEP(0.15);
		SELECT COUNT(*) INTO waiting FROM information_schema.innodb_trx
		    WHERE trx_state = 'LOCK WAIT';
		SET i = i + 1;
	END WHILE;
END//
DELIMITER ;
SELECT COUNT(*) FROM sessions FOR UPDATE;
COMMIT;
SQL
}
unavailable() { grep -c 'database unavailable' "$ANALYZER_LOG"; }
sessions() { db_scalar 'SELECT COUNT(*) FROM sessions'; }

fault_begin conflicts
# about ten sessions a second until told to stop
stream_start 1 3000 --pause 0.1 --deadline 90 --stop "$T/stop"
check "$FAULT: imported before any conflict" wait_for 15 \
    eval '[ "$(sessions)" -gt 5 ]'
for _ in 1 2 3; do
	hold 2.5 > /dev/null
	sleep 0.5
	deadlock > /dev/null 2>&1
	sleep 0.5
done
check "$FAULT: a lock wait timeout, the batch committed at a later try" \
    analyzer_log_has 'files\?: .*lock wait timeout (1205).*, committed at the [2-8][a-z][a-z] try$'
check "$FAULT: a deadlock, the batch committed at a later try" \
    analyzer_log_has 'files\?: .*deadlock (1213).*, committed at the [2-8][a-z][a-z] try$'
check_eq "$FAULT: never taken for an outage" 0 "$(unavailable)"

# Longer than every try (8 waits of 1 s and their back-off, about 10 s,
# from wherever the batch began): as if the database were away, then
# imported.
hold 14 > /dev/null
check "$FAULT: the tries used up, said" analyzer_log_has \
    'files\?: lock wait timeout (1205) at 8 of 8 tries, not committed$'
check "$FAULT: then the files wait in new/, as in an outage" \
    test "$(unavailable)" -gt 0
touch "$T/stop"
stream_wait
fault_end 60
check "$FAULT: nothing left in new/" spool_count_is new 0

# --- the totals and the campaigns against the rows -----------------------
db_check_counts
stop_analyzer TERM
check_eq "analyzer exits 0" 0 "$ANALYZER_RC"
check "the exit line counts the batches retried" grep -q \
    'stopped: [0-9]* files imported, 0 moved to bad/, [1-9][0-9]* batches retried after [1-9][0-9]* conflicts$' \
    "$ANALYZER_LOG"
# what it said of the conflicts, for the record
grep -E 'files?: .*\([0-9]+\)|stopped: ' "$ANALYZER_LOG" | sed 's/^/# /'
db_campaigns > "$T/online"
check "campaigns were made" test "$(db_scalar 'SELECT COUNT(*) FROM campaigns')" -gt 0
db_check_totals

# --- the rebuild of the campaigns, held up -------------------------------
# campaign_clients held: what the rebuild empties first
other > /dev/null <<'SQL' &
SET SESSION innodb_lock_wait_timeout = 60;
BEGIN;
SELECT COUNT(*) FROM campaign_clients FOR UPDATE;
SELECT SLEEP(4);
COMMIT;
SQL
other_pid=$!
check "the other writer holds campaign_clients" wait_for 5 eval \
    '[ "$(db_scalar "SELECT COUNT(*) FROM information_schema.innodb_trx")" -gt 0 ]'
out=$("$SPAMPOT_ANALYZER" -c "$CONF" --rebuild-campaigns 2>&1)
check_eq "rebuild: exit 0" 0 "$?"
wait "$other_pid"
check "rebuild: the lock wait timeout, committed at a later try" grep -q \
    '^spampot-analyzer: rebuilding the campaigns: lock wait timeout (1205), committed at the [2-8][a-z][a-z] try$' \
    <<< "$out"
check "rebuild: then the campaigns rebuilt" grep -q 'campaigns rebuilt: ' \
    <<< "$out"
sed 's/^/# /' <<< "$out"
db_campaigns > "$T/rebuilt"
check "rebuild: exactly the campaigns the analyzer made through its retries" \
    diff -u "$T/online" "$T/rebuilt"

# --- a lock held longer than a read may take -----------------------------
# At the server's default (50 s) a lock wait outlasts the 10 s the analyzer
# gives a read; its own session waits 5 s at most, so a hold of 12 s is
# lock wait timeouts tried again, not a connection that looks lost.
db_query 'SET GLOBAL innodb_lock_wait_timeout = 50'
start_analyzer
said=$(grep -c 'files\?: .*([0-9]*)' "$ANALYZER_LOG")
outages=$(unavailable)
# what the analyzer said of the batches since
since() { grep 'files\?: .*([0-9]*)' "$ANALYZER_LOG" | tail -n +$((said + 1)); }
fault_begin long-hold
stream_start 5000 2000 --pause 0.1 --deadline 60 --stop "$T/stop2"
before=$(sessions)
check "$FAULT: imported before the hold" wait_for 15 \
    eval '[ "$(sessions)" -gt $((before + 5)) ]'
hold 12 > /dev/null
touch "$T/stop2"
stream_wait
fault_end 60
check "$FAULT: lock wait timeouts after 5 s, committed at a later try" \
    eval 'since | grep -q "files\?: lock wait timeout (1205), committed at the [2-8][a-z][a-z] try$"'
check_eq "$FAULT: no connection lost, no outage" "0 $outages" \
    "$(grep -c 'Lost connection\|dropped the connection' "$ANALYZER_LOG") $(unavailable)"
since | sed 's/^/# /'
stop_analyzer TERM
check_eq "analyzer exits 0" 0 "$ANALYZER_RC"

stop_daemon TERM
check_eq "daemon exits 0" 0 "$DAEMON_RC"
check_no_crash
e2e_done
