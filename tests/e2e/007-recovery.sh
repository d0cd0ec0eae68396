#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# Nothing captured is lost across crashes: what a crash left in spool/tmp
# is moved to new/ at start, and when the parent is killed the workers
# notice, close their sessions into new/ and exit, so a restart binds again.
. "$(dirname "$0")/lib.sh"

write_config
# A spool tree with the leftovers of a crash: a worker (pid 999999999, long
# gone) that died in the middle of a message body, its file in its own
# directory; and one as a worker that could not make its directory (or an
# earlier spampotd) left it, tmp/<pid>-<name>.
mkdir -p "$SPOOL/tmp/999999999"
name=20261126T101010.000001Z_192.0.2.7_00000000deadbeef
printf 'spampot-spool 1\nsession 00000000deadbeef\nsensor e2e\nclient 192.0.2.7 4444\nserver 127.0.0.1 25\nstart 2026-11-26T10:10:10.000001Z\nmail from=a@b.example\nrcpt to=c@d.example\ndata n=1\nbody 0000001000\npartial body\r\n' \
    > "$SPOOL/tmp/999999999/$name"
name2=20261126T101011.000001Z_192.0.2.8_00000000deadbee2
sed 's/deadbeef/deadbee2/' "$SPOOL/tmp/999999999/$name" > "$SPOOL/tmp/999999998-$name2"
# and a file that is not the daemon's: left alone
echo "not a spool file" > "$SPOOL/tmp/README"
chown -R spampot "$SPOOL"

start_daemon
check "log: recovered at start" log_has "spool: recovered $name"
check "recovered file is in new/" test -f "$SPOOL/new/$name"
check_eq "recovered: end reason crash" crash "$(spool_get "$SPOOL/new/$name" 'r["end"]["reason"]')"
check_eq "recovered: the body bytes that were written" "partial body\\r\\n" \
    "$(spool_get "$SPOOL/new/$name" 'repr(r["messages"][0]["body"])[2:-1]')"
check "the dead worker's directory is removed" test ! -e "$SPOOL/tmp/999999999"
check "log: the file of the old layout recovered too" log_has "spool: recovered $name2"
check_eq "old layout: end reason crash" crash "$(spool_get "$SPOOL/new/$name2" 'r["end"]["reason"]')"
check "a foreign file in tmp/ is left alone" test -f "$SPOOL/tmp/README"
check "log: it is named" log_has "tmp/README is not a spool file name"
rm -f "$SPOOL/tmp/README"

# kill -9 of the parent while a session is in DATA
hold_session orphan
workers=$(worker_pids | xargs)
kill -KILL "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null
DAEMON_PID=
gone() { for w in $workers; do kill -0 "$w" 2>/dev/null && return 1; done; return 0; }
check "workers notice the parent is gone and exit" wait_for 5 gone
release_session orphan
check "the client's connection ends" wait_for 5 session_done orphan
orphan_file() { grep -l 'held@example.org' "$SPOOL"/new/* 2>/dev/null; }
check "orphaned session is in new/" wait_for 5 orphan_file
f=$(orphan_file)
check_eq "orphaned session: end reason shutdown" shutdown "$(spool_get "$f" 'r["end"]["reason"]')"
check_eq "orphaned session: partial message kept" 633 "$(spool_get "$f" 'len(r["messages"][0]["body"])')"
check_eq "nothing left in tmp/" 0 "$(spool_count tmp)"

# A restart binds the same port again and serves.
start_daemon
swaks --server "127.0.0.1:$PORT" --to a@example.com --silent 2 >/dev/null
check "restarted daemon serves" test $? -eq 0
check "every session is in new/: recovered (2), orphaned, new" wait_for 5 spool_count_is new 4
stop_daemon TERM
check_eq "exit status 0" 0 "$DAEMON_RC"
check_no_crash
e2e_done
