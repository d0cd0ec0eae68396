#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# A client that floods NOOP without ever reading a reply, then holds the
# socket open and stays silent. The worker stops reading it once its
# replies cannot be sent; command_timeout ends the session, and its socket
# is closed a short grace later although the 421 was never read: the
# client cannot hold a session beyond max_session_time plus that grace.
# The limit is logged once (not once a second), and the session's file is
# in new/ with what the client sent.
. "$(dirname "$0")/lib.sh"

py() { out=$(cd "$E2E_DIR" && timeout 60 python3 - "$PORT" "$T" 2>&1); }
got() { sed -n "s/^$1=//p" <<< "$out" | head -n 1; }
between() { awk -v lo="$1" -v hi="$2" -v x="$3" 'BEGIN { exit !(x != "" && x >= lo && x <= hi) }'; }
# max_session_time 6s, command_timeout 3s; the server closes an ended
# session 2 s after it ended, checked on its 1 s tick. max_transcript out
# of the way: on loopback the kernel takes megabytes of replies before the
# worker must stop reading, more than the default 1M of transcript (which
# would end this flood first, 045-transcript-flood.sh): here the session
# must end by command_timeout while its replies cannot be sent.
write_config "command_timeout = 3s" "max_session_time = 6s" \
    "max_transcript = 1G"
start_daemon

py <<'PY'
import select, socket, sys, time
port = int(sys.argv[1])
s = socket.socket()
# A small receive window: the server's replies back up at once.
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.connect(("127.0.0.1", port))
print("port=%d" % s.getsockname()[1])
t0 = time.monotonic()
s.settimeout(0.2)
chunk = b"NOOP\r\n" * 1000
sent = 0
# Flood for at most 2 s, or until the server stops taking our bytes;
# never read a single reply.
while time.monotonic() - t0 < 2 and sent < 64 * 1024 * 1024:
    try:
        sent += s.send(chunk)
    except socket.timeout:
        break
    except OSError:
        break
print("sent=%d" % sent)
print("flood_secs=%.2f" % (time.monotonic() - t0))
# Hold the socket, still without reading: wait (at most 20 s) for the
# server to close it (a FIN or a reset).
p = select.poll()
p.register(s, select.POLLRDHUP)
closed = "no"
while time.monotonic() - t0 < 20:
    ev = p.poll(200)
    if ev:
        closed = "yes"
        break
print("closed=" + closed)
print("closed_secs=%.2f" % (time.monotonic() - t0))
s.close()
PY
p=$(got port)
echo "# sent $(got sent) bytes in $(got flood_secs) s; closed=$(got closed) after $(got closed_secs) s"
check "flood: the server took some of it ($(got sent) bytes)" test "$(got sent)" -gt 6000
check_eq "non-reading client: the server closed the connection" yes "$(got closed)"
# max_session_time 6 s + grace 2 s + the 1 s tick + slack
# command_timeout 3 s after the flood at the earliest; max_session_time
# 6 s + grace 2 s + the 1 s tick + slack at the latest
check "non-reading client: closed within max_session_time + grace ($(got closed_secs) s)" \
    between 3 10 "$(got closed_secs)"
check "its session file is in new/" wait_for 5 has_file "$p"
f=$(file_of "$p")
id=$(grep -aF " smtp connect addr=127.0.0.1 port=$p " "$LOG" | tail -n 1 | \
    sed 's/^.*\([0-9a-f]\{16\}\) smtp connect .*$/\1/')
check "session id from the log ($id)" test -n "$id"
reason=$(spool_get "$f" 'r["end"]["reason"]')
check_eq "end reason timeout" timeout "$reason"
n=$(spool_get "$f" 'sum(1 for t in r["transcript"] if t[0] == "C" and t[2] == "NOOP")')
check "the NOOPs it read are in the file ($n)" test "${n:-0}" -ge 100
check_eq "the limit is logged once" 1 "$(count_lines "$id smtp limit ")"
check_eq "it was the idle timeout" 1 "$(count_lines "$id smtp limit timeout")"
check_eq "the session ended once" 1 "$(count_lines "$id smtp end ")"
check_no_crash
check "daemon alive" port_open
hostile_result "non-reading client: NOOP flood, never reads, holds the socket (command_timeout 3s, max_session_time 6s)" \
    1 "$(file_of "$p" | wc -l)"
e2e_done
