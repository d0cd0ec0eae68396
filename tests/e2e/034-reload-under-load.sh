#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# SIGHUP after SIGHUP, the worker count going 2 -> 3 -> 1 -> 2 and round
# again, while a stream of sessions flows and one session is held in the
# middle of its message across every reload: each reload starts the new
# generation, the old workers finish their sessions and exit cleanly, and
# in the end every session sent has one file and one row in MySQL, every
# message answered 250 (the held one among them) is there intact.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/db.sh"
. "$E2E_DIR/fault.sh"

fault_setup
reloads() { count_lines 'reload: .* re-read; '; }

fault_begin reload-2-3-1-x3
stream_start 1000 100 --parallel 3 --pause 0.1 --deadline 40
stream_hold victim 1 data --size 3000
for n in 3 1 2 3 1 2 3 1 2; do
	before=$(reloads)
	set_config workers "$n"
	kill -HUP "$DAEMON_PID"
	check "$FAULT: reload to $n workers" \
	    wait_for 5 log_has "re-read; $n workers with the new settings"
	check "$FAULT: reload to $n workers: logged once" test "$(reloads)" -eq $((before + 1))
	sleep 0.4
done
stream_release victim
stream_wait
# only the last generation is left once the held session is over
check "$FAULT: two workers in the end" wait_for 10 worker_count_is 2
check_eq "$FAULT: every retired worker exited with status 0" \
    "$(count_lines 'retiring: ')" "$(count_lines 'exited with status 0 after')"
fault_end
check "$FAULT: the held session's message was answered 250 across 9 reloads" \
    grep -q '"n": 1, .*"acked": true' "$FAULT_LOG"
check_eq "$FAULT: the held session: one message, end reason quit" "1 quit" \
    "$(f=$(session_file 1); [ -n "$f" ] && spool_get "$f" '"%d %s" % (len(r["messages"]), r["end"]["reason"])')"

stop_cleanly
check_no_crash
e2e_done
