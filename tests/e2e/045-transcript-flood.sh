#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# A client that reads its replies, authenticates, sends one real message,
# then floods pipelined NOOP and RSET for as long as it is let. Without a
# bound a 12 s flood made a spool file of 1.26 GB that no analyzer could
# import. With max_transcript the flood is cut: the client is told 421,
# the file stays within the limit plus a little, it records the cut and
# the end reason limit, and the message, the envelope and the credentials
# sent before the flood are all in it. The limit is logged once. The
# analyzer imports the file: the session, its message and its AUTH attempt.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/db.sh"

py() { out=$(cd "$E2E_DIR" && timeout 60 python3 - "$PORT" "$T" 2>&1); }
got() { sed -n "s/^$1=//p" <<< "$out" | head -n 1; }
CAP=65536
write_config "max_transcript = 64K"
start_daemon

py <<'PY'
import sys, threading, time, rawsmtp
port, tmp = int(sys.argv[1]), sys.argv[2]
c = rawsmtp.Conn(port, timeout=10)
print("port=%d" % c.port)
print("greeting=" + c.reply())
c.send(b"EHLO flood.example\r\n")
c.reply()
c.send(b"AUTH PLAIN AGZsb29kZXIAczNjcmV0\r\n")    # flooder / s3cret
print("auth=" + c.reply())
c.send(b"MAIL FROM:<spam@flood.example>\r\n")
c.reply()
c.send(b"RCPT TO:<victim@example.org>\r\n")
c.reply()
c.send(b"DATA\r\n")
c.reply()
body = b"Subject: before the flood\r\n\r\n" + b"line of text\r\n" * 2000
open(tmp + "/body.expected", "wb").write(body)
c.send(body + b".\r\n")
print("queued=" + c.reply())
# The flood: pipelined NOOP and RSET, 12 KiB a write, at most 3 s or
# 32 MiB, while the replies are read as they come.
stop = threading.Event()
sent = [0]
def flood():
    chunk = b"NOOP\r\nRSET\r\n" * 1024
    t0 = time.monotonic()
    try:
        while not stop.is_set() and time.monotonic() - t0 < 3 and \
                sent[0] < 32 * 1024 * 1024:
            c.sock.sendall(chunk)
            sent[0] += len(chunk)
    except OSError:
        pass
t = threading.Thread(target=flood)
t.start()
t0 = time.monotonic()
last = "<none>"
replies = 0
while time.monotonic() - t0 < 10:
    ln = c.line(timeout=5)
    if ln.startswith("<"):
        last = ln
        break
    replies += 1
    if not ln.startswith("250 "):
        last = ln
        break
stop.set()
t.join(5)
print("flood_sent=%d" % sent[0])
print("flood_replies=%d" % replies)
print("cut=" + last)
print("closed=%d" % c.closed(5))
PY
p=$(got port)
echo "# sent $(got flood_sent) bytes of NOOP/RSET, $(got flood_replies) replies read"
check_eq "greeted" "220 mx.e2e.test ESMTP Postfix (Debian/GNU)" "$(got greeting)"
check_eq "AUTH PLAIN accepted" "235 2.7.0 Authentication successful" "$(got auth)"
check "message queued" grep -q '^queued=250 2.0.0 Ok: queued as ' <<< "$out"
check_eq "the flood is cut with a 421" \
    "421 4.7.0 mx.e2e.test Error: too many commands" "$(got cut)"
check_eq "then the connection is closed" 1 "$(got closed)"
check "the flood was answered a while first ($(got flood_replies) replies)" \
    test "$(got flood_replies)" -ge 100
check "its session file is in new/" wait_for 5 has_file "$p"
spooled=$(file_of "$p" | wc -l)
f=$(file_of "$p")
size=$(stat -c %s "$f")
bodylen=$(stat -c %s "$T/body.expected")
# the records up to the limit, the one command that crossed it, the cut,
# the 421 and the end; the message text is not counted
bound=$((CAP + bodylen + 1024))
check "file size bounded: $size <= $CAP + $bodylen (message) + 1024" \
    test "$size" -le "$bound"
# an unbounded file (tens of megabytes) is not parsed again and again
[ "$size" -le "$bound" ] || { check_no_crash; e2e_done; exit 1; }
check "file holds the transcript up to the limit ($size bytes)" \
    test "$size" -ge $((CAP + bodylen))
check_eq "end reason limit" limit "$(spool_get "$f" 'r["end"]["reason"]')"
check_eq "the cut is recorded" transcript "$(spool_get "$f" 'r["cut"]["limit"]')"
cutbytes=$(spool_get "$f" 'r["cut"]["bytes"]')
check "the cut names the bytes it was made at ($cutbytes)" \
    test "$cutbytes" -ge "$CAP" -a "$cutbytes" -le $((CAP + 512))
check_eq "records after the cut: the 421 and the end" "cut S end" \
    "$(spool_get "$f" '" ".join(r["records"][r["records"].index("cut"):])')"
spool_body "$f" 1 > "$T/body.got"
check "the message is intact in the file" cmp -s "$T/body.expected" "$T/body.got"
check_eq "its envelope" "spam@flood.example victim@example.org" \
    "$(spool_get "$f" 'r["messages"][0]["from"] + " " + r["messages"][0]["to"][0]')"
check_eq "the credentials" "flooder s3cret" \
    "$(spool_get "$f" 'r["auth"][0]["user"] + " " + r["auth"][0]["pass"]')"
id=$(grep -aF " smtp connect addr=127.0.0.1 port=$p " "$LOG" | tail -n 1 | \
    sed 's/^.*\([0-9a-f]\{16\}\) smtp connect .*$/\1/')
check_eq "the limit is logged once" 1 "$(count_lines "$id smtp limit ")"
check "logged as the transcript limit" log_has "$id smtp limit transcript="

# --- the analyzer imports it ---------------------------------------------
db_start
db_setup
cat "$DB_CONF" >> "$CONF"
timeout 60 "$SPAMPOT_ANALYZER" -c "$CONF" --once >> "$ANALYZER_LOG" 2>&1
check_eq "analyzer --once exits 0" 0 "$?"
check_eq "nothing in bad/" 0 "$(spool_count bad)"
sid=$(db_scalar "SELECT id FROM sessions WHERE session_key = '$id'")
check "the session is in the database ($sid)" test -n "$sid"
check_eq "its row: end reason limit, one message" "limit 1" \
    "$(db_scalar "SELECT CONCAT(end_reason, ' ', messages) FROM sessions WHERE id = '$sid'")"
check_eq "its message, whole" "$bodylen $bodylen" \
    "$(db_scalar "SELECT CONCAT(size, ' ', stored_size) FROM messages WHERE session_id = '$sid'")"
check_eq "its AUTH attempt" "flooder s3cret" \
    "$(db_scalar "SELECT CONCAT(username, ' ', password) FROM auth_attempts WHERE session_id = '$sid'")"
check_eq "its stored transcript ends with the sensor's cut" \
    "# transcript cut: the sensor read no more after $cutbytes bytes (max_transcript)" \
    "$(db_scalar "SELECT SUBSTRING_INDEX(TRIM(TRAILING '\n' FROM transcript), '\n', -1) FROM transcripts WHERE session_id = '$sid'")"
check_no_crash
check "daemon alive" port_open
hostile_result "transcript flood: one message, then pipelined NOOP/RSET (max_transcript 64K)" \
    1 "$spooled" \
    "$(db_scalar 'SELECT COUNT(*) FROM sessions')"
e2e_done
