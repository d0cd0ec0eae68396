#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# kill -9 of a worker mid-DATA: the crash is logged with its signal, the
# worker respawned, and the session is in new/ with what it had sent.
. "$(dirname "$0")/lib.sh"

write_config "workers = 2"
start_daemon
before=$(worker_pids | xargs)

hold_session victim
sleep 0.3
w=$(busy_worker)
check "found the worker serving the session" test -n "$w"
kill -KILL "$w"
check "log: crash with its signal" wait_for 5 log_has "worker $w crashed: killed by signal 9 (Killed)"
check "log: the session was recovered" wait_for 5 log_has "worker $w: 1 unfinished sessions moved to new/"
check "log: respawn scheduled" log_has "worker $w: respawn in"
check "respawned: two workers again" wait_for 10 worker_count_is 2
check "the dead worker is not among them" test -z "$(worker_pids | grep -x "$w")"
release_session victim
check "client saw the connection end" wait_for 5 session_done victim

check_eq "one file in new/" 1 "$(spool_count new)"
check_eq "nothing left in tmp/" 0 "$(spool_count tmp)"
f=$(newest_file)
check_eq "end reason crash" crash "$(spool_get "$f" 'r["end"]["reason"]')"
check_eq "envelope kept" "held@example.org rcpt@example.net" \
    "$(spool_get "$f" 'r["messages"][0]["from"] + " " + r["messages"][0]["to"][0]')"
check_eq "the half of the body that was sent is kept" 633 \
    "$(spool_get "$f" 'len(r["messages"][0]["body"])')"

swaks --server "127.0.0.1:$PORT" --to a@example.com --silent 2 >/dev/null
check "service goes on after the crash" test $? -eq 0

# What the sandbox does to a worker making a forbidden call (tests/unit/
# test_sandbox proves the filter sends it): SIGSYS, logged, respawned.
w=$(worker_pids | head -n 1)
kill -SYS "$w"
check "log: killed by SIGSYS, named" wait_for 5 log_has "worker $w crashed: killed by signal 31 (Bad system call)"
check "respawned after SIGSYS" wait_for 10 worker_count_is 2
check "the killed worker is gone" test -z "$(worker_pids | grep -x "$w")"
stop_daemon TERM
check_eq "exit status 0" 0 "$DAEMON_RC"
e2e_done
