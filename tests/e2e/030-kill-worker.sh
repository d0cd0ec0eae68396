#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# kill -9 of a worker while a stream of sessions flows through spampotd and
# spampot-analyzer into MariaDB: once with a session held in the middle of
# its message, once with a session held between MAIL and RCPT, once with a
# session greeted that has not said a word yet (as scanners do). The held session is
# captured (end reason crash, what it had sent), so is every session the
# dead worker served, the worker is respawned, and in the end every session
# sent has one spool file and one row in MySQL, and every message answered
# 250 is there intact.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/db.sh"
. "$E2E_DIR/fault.sh"

fault_setup

# kill_held NAME WHAT: kill -9 the worker serving the held session NAME
# once WHAT it sent is on disk; it must be logged, recovered, respawned.
kill_held() {
	local w
	check "$FAULT: the held session is on disk in tmp/ (${2:-half its message})" \
	    wait_for 5 held_on_disk "$1" "${2:-}"
	w=$(held_worker "$1")
	check "$FAULT: found the worker serving the held session" test -n "$w"
	[ -n "$w" ] || return
	kill -KILL "$w"
	check "$FAULT: log: crash with its signal" \
	    wait_for 5 log_has "worker $w crashed: killed by signal 9 (Killed)"
	check "$FAULT: log: its sessions recovered" \
	    wait_for 5 log_has "worker $w: [0-9]* unfinished sessions moved to new/"
	check "$FAULT: respawned: two workers again" wait_for 10 worker_count_is 2
	check "$FAULT: the dead worker is not among them" test -z "$(worker_pids | grep -x "$w")"
}

fault_begin kill-worker-mid-DATA
stream_start 1000 60 --parallel 3 --pause 0.1
stream_hold victim 1 data --size 3000
kill_held victim
stream_release victim
stream_wait
fault_end
f=$(session_file 1)
check_eq "$FAULT: the held session ended with reason crash" crash \
    "$(spool_get "$f" 'r["end"]["reason"]')"
check "$FAULT: its message holds the half it had sent" \
    cmp -s "$T/victim.ready.half" <(spool_body "$f" 1)
check_eq "$FAULT: in MySQL as one incomplete message, its SHA-256" \
    "1 $(sha256sum < "$T/victim.ready.half" | cut -d' ' -f1)" \
    "$(db_query "SELECT m.incomplete, m.sha256 FROM messages m JOIN sessions s
	ON s.id = m.session_id WHERE s.helo = 's1.e2e.test'" | tr '\t' ' ')"

fault_begin kill-worker-after-MAIL
stream_start 2000 60 --parallel 3 --pause 0.1
stream_hold victim 2 mail
kill_held victim "mail from=s2@example.org"
stream_release victim
stream_wait
fault_end
f=$(session_file 2)
check_eq "$FAULT: the held session: reason crash, its sender, no message" \
    "crash s2@example.org 0" \
    "$(spool_get "$f" 'r["end"]["reason"] + " " + [l for l in open(sys.argv[1]).read().split("\n") if l.startswith("mail ")][0][10:] + " %d" % len(r["messages"])')"

fault_begin kill-worker-after-greeting
stream_start 3000 60 --parallel 3 --pause 0.1
stream_hold victim 3 greeted
port=$(head -n 1 "$T/victim.ready")
sleep 0.2	# the 220 is out: nothing more happens until the client speaks
kill_held victim "client 127.0.0.1 $port"
stream_release victim
stream_wait
fault_end
f=$(session_file 3 "$port")
check "$FAULT: the held session has its file" test -n "$f"
check_eq "$FAULT: reason crash, its client port" "crash $port" \
    "$([ -n "$f" ] && spool_get "$f" 'r["end"]["reason"] + " %d" % r["header"]["client"][1]')"

stop_cleanly
e2e_done
