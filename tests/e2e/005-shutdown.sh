#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# SIGTERM with live sessions: no new connections, sessions get the grace
# period to finish, the rest get 421 and end reason "shutdown"; exit 0.
. "$(dirname "$0")/lib.sh"

write_config "shutdown_grace = 2s"
start_daemon

hold_session slow	# never finishes in time
hold_session quick	# finishes during the grace period
kill -TERM "$DAEMON_PID"
check "log: stopping" wait_for 5 log_has "stopping on signal 15"
check "new connections are refused at once" wait_for 2 sh -c "! python3 -c \"import socket; socket.create_connection(('127.0.0.1', $PORT), 1)\""
release_session quick
check "quick session completes in the grace period" wait_for 5 session_done quick
check_eq "quick session's message accepted" 0 "$(session_rc quick)"

start=$(date +%s)
wait "$DAEMON_PID"
rc=$?
DAEMON_PID=
check_eq "exit status 0" 0 "$rc"
check "stopped within the grace period and a little" test $(( $(date +%s) - start )) -le 4
check "log: stopped" log_has "stopped"
release_session slow
check "slow session was told" wait_for 5 session_done slow
check "slow session got 421 shutting down" grep -q '^421 4.3.2 mx.e2e.test Service shutting down' "$T/slow.out"

check_eq "two files" 2 "$(spool_count new)"
check_eq "nothing left in tmp/" 0 "$(spool_count tmp)"
quick=$(grep -l 'reason=quit' "$SPOOL"/new/*)
slow=$(grep -l 'reason=shutdown' "$SPOOL"/new/*)
check "quick session ended by quit" test -n "$quick"
check "slow session ended by shutdown" test -n "$slow"
check_eq "slow session's partial message kept" "1 633" \
    "$(spool_get "$slow" 'r["messages"][0]["incomplete"] + " " + str(len(r["messages"][0]["body"])) if r["messages"] else "none"')"
check_no_crash
e2e_done
