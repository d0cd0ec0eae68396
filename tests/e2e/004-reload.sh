#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# SIGHUP: the worker count, limits and banner change without closing the
# listener or dropping a live session; an invalid file changes nothing.
. "$(dirname "$0")/lib.sh"

write_config "workers = 2"
start_daemon
old=$(worker_pids | xargs)

hold_session A
set_config workers 3
set_config banner '"ESMTP Exim 4.96"'
kill -HUP "$DAEMON_PID"
check "log: reload line" wait_for 5 log_has "reload: .* re-read; 3 workers"
check "three new workers ready" wait_for 10 ready_workers 5
check "log: old workers retire" log_has "retiring"

banner=$(timeout 5 swaks --server "127.0.0.1:$PORT" --quit-after CONNECT 2>&1 | grep '^<-  220')
check_eq "new sessions see the new banner" "<-  220 mx.e2e.test ESMTP Exim 4.96" "$banner"

release_session A
check "held session completes after the reload" wait_for 10 session_done A
check_eq "held session's message accepted" 0 "$(session_rc A)"
check "the old worker leaves once its session is over" \
    wait_for 10 worker_count_is 3
new=$(worker_pids | xargs)
for p in $old; do
	check "old worker $p is gone" test -z "$(echo " $new " | grep " $p ")"
done
held_quit() { [ "$(grep -l 'held@example.org' "$SPOOL"/new/* | xargs -r grep -l 'reason=quit' | wc -l)" -eq 1 ]; }
check "held session: one file, end reason quit" wait_for 5 held_quit
f=$(grep -l 'held@example.org' "$SPOOL"/new/*)
check_eq "held session: body complete" 1267 "$(spool_get "$f" 'r["messages"][0]["size"]')"

# A broken file is refused and the running configuration kept.
echo "workers = many" >> "$CONF"
kill -HUP "$DAEMON_PID"
check "log: reload failed, old config kept" wait_for 5 log_has "reload failed, keeping the running configuration: .*spampot.conf:[0-9]*: .*workers"
sleep 0.5
check_eq "workers unchanged after a bad reload" "$new" "$(worker_pids | xargs)"
banner=$(timeout 5 swaks --server "127.0.0.1:$PORT" --quit-after CONNECT 2>&1 | grep '^<-  220')
check_eq "banner unchanged after a bad reload" "<-  220 mx.e2e.test ESMTP Exim 4.96" "$banner"

stop_daemon TERM
check_eq "exit status 0" 0 "$DAEMON_RC"
check_no_crash
e2e_done
