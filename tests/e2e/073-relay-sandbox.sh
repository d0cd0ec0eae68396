#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# spampot-relay's sandbox, proven as the worker's is: once sandboxed, a
# test-only hook (SPAMPOT_RELAY_TEST_ESCAPE, test builds only) tries what a
# compromised relay would. A connection to another port and a file outside
# relay_dir are refused (Landlock); bind and execve kill it (seccomp).
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/db.sh"
. "$E2E_DIR/relay.sh"

built_with SPAMPOT_TEST_HOOKS || { echo "SKIP: needs --enable-test-hooks"; exit 77; }
[ "$(python3 -c 'import ctypes, os; print(ctypes.CDLL(None).syscall(444, None, 0, 1))')" -ge 4 ] ||
	{ echo "SKIP: needs Landlock ABI 4 (TCP rules)"; exit 77; }

db_start
db_setup
relay_config
sink_start
other=$(free_port)
python3 -c "
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', $other)); s.listen(5); time.sleep(60)" &
listener=$!
sleep 0.5

# escape WHAT: the relay with the hook; its exit status once it stopped.
escape() {
	start_relay SPAMPOT_RELAY_TEST_ESCAPE="$1"
	wait_for 5 relay_log_has "test escape $1\|forbidden system call" || true
	sleep 0.5
	if kill -0 "$RELAY_PID" 2>/dev/null; then stop_relay; else
		wait "$RELAY_PID" 2>/dev/null; RELAY_RC=$?; RELAY_PID=; fi
}
escape "connect:$other"
check "a connection to another port is refused" relay_log_has "test escape connect:$other: Permission denied"
escape "connect:$SINK_PORT"
check "the smarthost's port is reached" relay_log_has "test escape connect:$SINK_PORT: ALLOWED"
escape "open:/etc/passwd"
check "a file outside relay_dir is refused" relay_log_has "test escape open:/etc/passwd: Permission denied"
escape bind
check_eq "bind kills it (SIGSYS)" 159 "$RELAY_RC"
check "bind is named as forbidden" relay_log_has "forbidden system call 49"
escape exec
check_eq "execve kills it (SIGSYS)" 159 "$RELAY_RC"
check "execve is named as forbidden" relay_log_has "forbidden system call 59"
kill "$listener" 2>/dev/null
e2e_done
