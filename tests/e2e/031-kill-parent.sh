#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# kill -9 of the sensor's parent during a stream of sessions: its workers
# notice, close their sessions into new/ (end reason shutdown) and exit; a
# restart serves again. kill -9 of the parent and its workers at once (as
# the OOM killer or a service manager's SIGKILL of the whole group would):
# what they were writing stays in tmp/, and the restart recovers it into
# new/ (end reason crash). kill -9 of spampot-analyzer in the middle of a
# transaction, then a restart. Each time, every session sent has one file
# and one row in MySQL, none twice, and every message answered 250 is
# there intact.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/db.sh"
. "$E2E_DIR/fault.sh"

fault_setup

gone() { local p; for p in "$@"; do kill -0 "$p" 2>/dev/null && return 1; done; return 0; }
# kill_daemon PIDS...: kill -9, and no "Killed" line from bash.
kill_daemon() {
	# all at once, as a crash of the machine's OOM killer would: stopped
	# first, so that no worker sees its parent go before its own end
	kill -STOP "$@"
	kill -KILL "$@"
	{ wait "$DAEMON_PID"; } 2>/dev/null
	DAEMON_PID=
}
# restart_daemon: spampotd again, on the same port, with its two workers
# (no probe connection: it would be a session of its own).
restart_daemon() {
	local ready0
	ready0=$(count_lines 'ready: ')
	"$SPAMPOTD" -f -c "$CONF" >> "$LOG" 2>&1 &
	DAEMON_PID=$!
	check "$FAULT: restarted, two workers serve" wait_for 10 ready_workers $((ready0 + 2))
}

fault_begin kill-parent
stream_start 1000 90 --parallel 3 --pause 0.1
stream_hold victim 1 data --size 3000
check "$FAULT: the held session is on disk in tmp/" wait_for 5 held_on_disk victim
workers=$(worker_pids | xargs)
kill_daemon "$DAEMON_PID"
check "$FAULT: the workers notice the parent is gone and exit" wait_for 5 gone $workers
check_eq "$FAULT: nothing left in tmp/: every session closed into new/" 0 "$(spool_count tmp)"
stream_release victim
restart_daemon
stream_wait
fault_end
f=$(session_file 1)
check_eq "$FAULT: the held session: end reason shutdown" shutdown \
    "$([ -n "$f" ] && spool_get "$f" 'r["end"]["reason"]')"
check "$FAULT: its message holds the half it had sent" \
    cmp -s "$T/victim.ready.half" <(spool_body "$f" 1)

fault_begin kill-parent-and-workers
stream_start 2000 90 --parallel 3 --pause 0.1
stream_hold victim 2 data --size 3000
check "$FAULT: the held session is on disk in tmp/" wait_for 5 held_on_disk victim
workers=$(worker_pids | xargs)
kill_daemon "$DAEMON_PID" $workers
check "$FAULT: all gone" wait_for 5 gone $workers
left=$(spool_count tmp)
unfinished=$(cd "$SPOOL/tmp" && find . -type f)
check "$FAULT: their unfinished sessions are in tmp/ ($left)" test "$left" -ge 1
recovered=$(count_lines 'spool: recovered ')
stream_release victim
restart_daemon
check_eq "$FAULT: the restart recovers each of them into new/" "$left" \
    "$(($(count_lines 'spool: recovered ') - recovered))"
# The stream goes on once the sensor is back, so tmp/ holds new live
# sessions: what must be gone from it are the files the crash left there.
still_in_tmp() { local n; for n in $unfinished; do [ -e "$SPOOL/tmp/$n" ] && echo "$n"; done; }
check_eq "$FAULT: none of them is left in tmp/" "" "$(still_in_tmp)"
gone_dirs() { local w; for w in $workers; do [ -e "$SPOOL/tmp/$w" ] && echo "$w"; done; }
check_eq "$FAULT: nor the directories of the killed workers" "" "$(gone_dirs)"
stream_wait
fault_end
f=$(session_file 2)
check_eq "$FAULT: the held session: end reason crash" crash \
    "$([ -n "$f" ] && spool_get "$f" 'r["end"]["reason"]')"
check "$FAULT: its message holds the half it had sent" \
    cmp -s "$T/victim.ready.half" <(spool_body "$f" 1)

# Messages with 300 URLs each: an import is a transaction of some thousand
# rows, long enough to be caught in the middle.
fault_begin kill-analyzer-mid-transaction
in_transaction() {
	[ "$(db_scalar 'SELECT COUNT(*) FROM information_schema.innodb_trx
	    WHERE trx_rows_modified > 0')" -gt 0 ]
}
stream_start 3000 60 --parallel 2 --pause 0.05 --links 300
check "$FAULT: caught the analyzer in a transaction" wait_for 20 in_transaction
stop_analyzer KILL
check "$FAULT: the killed transaction is rolled back" wait_for 10 eval '! in_transaction'
start_analyzer
stream_wait
fault_end 60

stop_cleanly
check_no_crash
e2e_done
