# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
# shellcheck shell=bash
#
# lib.sh: what tests/servers/postfix.sh and exim.sh share: waiting for a
# started server's greeting, and stopping it by the PID in its file.

# wait_greeting PIDFILE PORT LOG...: until 127.0.0.1:PORT greets with 220
# (5 s at most); die with the LOG files' last lines if the process exits
# or never greets.
wait_greeting() {
	local pidfile=$1 port=$2 n
	shift 2
	for n in $(seq 50); do
		kill -0 "$(cat "$pidfile")" 2>/dev/null ||
		    die "the server exited: $(tail -q -n 5 "$@" 2>/dev/null)"
		if python3 - "$port" 2>/dev/null <<'EOP'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)
s.settimeout(2)
d = s.recv(512)
s.sendall(b"QUIT\r\n")
sys.exit(0 if d.startswith(b"220") else 1)
EOP
		then return 0; fi
		[ "$n" -lt 50 ] && sleep 0.1
	done
	die "no 220 greeting on 127.0.0.1:$port after 5 s: $(tail -q -n 5 "$@" 2>/dev/null)"
}

# stop_pidfile PIDFILE: TERM, 5 s, then KILL; the file removed.
stop_pidfile() {
	local pid n
	[ -e "$1" ] || return 0
	pid=$(cat "$1")
	kill "$pid" 2>/dev/null
	for n in $(seq 50); do
		kill -0 "$pid" 2>/dev/null || break
		[ "$n" -lt 50 ] && sleep 0.1
	done
	kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
	rm -f "$1"
}
