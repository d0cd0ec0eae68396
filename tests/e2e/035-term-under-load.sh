#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# SIGTERM while a stream of sessions flows and one session is held in the
# middle of its message: the listeners close, sessions in progress get
# shutdown_grace to finish, the held one is then answered 421 and closed;
# every session that was accepted ends in a file (reason quit or
# shutdown), none is lost or doubled, every message answered 250 reaches
# MySQL intact, and spampotd exits with status 0.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/db.sh"
. "$E2E_DIR/fault.sh"

fault_setup "shutdown_grace = 2s"

fault_begin term-under-load
stream_start 1000 100 --parallel 3 --pause 0.05 --deadline 20
stream_hold victim 1 data --size 3000
check "$FAULT: the held session is on disk in tmp/" wait_for 5 held_on_disk victim
sleep 0.5
t0=$(date +%s%N)
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID"
DAEMON_RC=$?
DAEMON_PID=
ms=$((($(date +%s%N) - t0) / 1000000))
check_eq "$FAULT: exit status 0" 0 "$DAEMON_RC"
check "$FAULT: stopped after the 2 s grace, not much later (${ms} ms)" test "$ms" -ge 1900 -a "$ms" -lt 4000
check "$FAULT: log: stopped" log_has "spampotd\[[0-9]*\]: stopped$"
check_eq "$FAULT: no worker had to be killed" 0 "$(count_lines 'still running after the grace period')"
check_eq "$FAULT: nothing left in tmp/" 0 "$(spool_count tmp)"
stream_release victim
stream_wait
fault_end
e=$(end_reasons)
check "$FAULT: every file ends with quit or shutdown ($e)" \
    grep -Eqx '(quit=[0-9]+ )?shutdown=[0-9]+' <<< "$e"
f=$(session_file 1)
check_eq "$FAULT: the held session: shutdown, the 421 in its transcript, half its message" \
    "shutdown 421 4.3.2 mx.e2e.test Service shutting down $(wc -c < "$T/victim.ready.half")" \
    "$([ -n "$f" ] && spool_get "$f" 'r["end"]["reason"] + " " + r["transcript"][-1][2] + " %d" % len(r["messages"][0]["body"])')"

stop_analyzer TERM
check_eq "analyzer exits 0" 0 "$ANALYZER_RC"
check_no_crash
e2e_done
