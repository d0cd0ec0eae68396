#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# Limits from the config, each with the answer a client sees, its log line
# and its spool file: sessions per address, message size, messages per
# session, session time, and the spool's free-space low-water mark. Three
# daemon runs: the limits, a short max_session_time, a spool on a small
# tmpfs.
. "$(dirname "$0")/lib.sh"

# A Python client with rawsmtp.py importable; its key=value lines in $out.
py() { out=$(cd "$E2E_DIR" && timeout 60 python3 - "$PORT" "$T" 2>&1); }
got() { sed -n "s/^$1=//p" <<< "$out" | head -n 1; }
between() { awk -v lo="$1" -v hi="$2" -v x="$3" 'BEGIN { exit !(x != "" && x >= lo && x <= hi) }'; }
# next_run NAME: end this daemon run cleanly, its log kept aside (and shown
# if something failed), so that the next run starts with an empty log.
next_run() {
	check_no_crash
	stop_daemon TERM
	check_eq "$1: daemon stopped, status 0" 0 "$DAEMON_RC"
	if [ "$E2E_FAIL" -gt 0 ]; then
		echo "--- daemon log of the $1 run (last 60 lines) ---"
		tail -n 60 "$LOG"
	fi
	mv "$LOG" "$T/$1.log"
}

# === run 1: sessions per address, message size, messages per session ===
write_config "max_sessions_per_ip = 3" "max_message_size = 2048" "max_messages = 2"
start_daemon

py <<'PY'
import sys, time, rawsmtp
port = int(sys.argv[1])
held = [rawsmtp.Conn(port) for _ in range(3)]
print("held=" + "|".join(c.reply() for c in held))
fourth = rawsmtp.Conn(port)
print("fourth_port=%d" % fourth.port)
print("fourth=" + fourth.reply())
print("fourth_secs=%.2f" % (time.monotonic() - fourth.started))
print("fourth_closed=%d" % fourth.closed(3))
# Another address, while the three are still open.
other, r = rawsmtp.session(port, [b"EHLO other.example\r\n", b"MAIL FROM:<o@example.org>\r\n",
                                 b"RCPT TO:<r@example.net>\r\n", b"DATA\r\n",
                                 b"Subject: from 127.0.0.2\r\n\r\nhi\r\n.\r\n", b"QUIT\r\n"],
                           src="127.0.0.2")
print("other_port=%d" % other.port)
print("other=" + "|".join(r))
for c in held:
    c.send(b"QUIT\r\n")
    c.reply()
    c.closed(3)
time.sleep(0.2)
again, r = rawsmtp.session(port, [b"QUIT\r\n"])
print("again=" + r[0])
PY
check_eq "per IP: three sessions greeted" \
    "220 mx.e2e.test ESMTP Postfix (Debian/GNU)|220 mx.e2e.test ESMTP Postfix (Debian/GNU)|220 mx.e2e.test ESMTP Postfix (Debian/GNU)" \
    "$(got held)"
check_eq "per IP: the fourth is refused" \
    "421 4.7.0 mx.e2e.test Error: too many connections from your address" "$(got fourth)"
check "per IP: at once ($(got fourth_secs) s)" between 0 0.5 "$(got fourth_secs)"
check_eq "per IP: and closed" 1 "$(got fourth_closed)"
check "per IP: the refused session has its file" wait_for 5 has_file "$(got fourth_port)"
f=$(file_of "$(got fourth_port)")
check_eq "per IP: end reason limit" limit "$(end_of "$(got fourth_port)")"
check "per IP: the 421 is in its transcript" \
    grep -Eqx 'S [0-9]+\.[0-9]{3} 421 4\.7\.0 mx\.e2e\.test Error: too many connections from your address' "$f"
check "log: smtp limit sessions_per_ip" log_has "smtp limit sessions_per_ip=3"
check "127.0.0.2 served meanwhile" grep -Eq \
    '^220 [^|]*\|250 CHUNKING\|250 2.1.0 Ok\|250 2.1.5 Ok\|354 [^|]*\|250 2.0.0 Ok: queued as [0-9A-F]{10}\|221 2.0.0 Bye$' <<< "$(got other)"
check "127.0.0.2: its file" wait_for 5 has_file "$(got other_port)" 127.0.0.2
check_eq "127.0.0.2: one message, end reason quit" "1 quit" \
    "$(spool_get "$(file_of "$(got other_port)" 127.0.0.2)" '"%d %s" % (len(r["messages"]), r["end"]["reason"])')"
check_eq "per IP: 127.0.0.1 served again once the three left" \
    "220 mx.e2e.test ESMTP Postfix (Debian/GNU)" "$(got again)"

py <<'PY'
import sys, rawsmtp
port, tmp = int(sys.argv[1]), sys.argv[2]
c = rawsmtp.Conn(port)
print("port=%d" % c.port)
c.reply()
c.send(b"EHLO size.example\r\n")
print("size_ext=" + [l for l in c.reply(all_lines=True) if "SIZE" in l][0])
c.send(b"MAIL FROM:<big@example.org> SIZE=10240\r\n")
print("mail_size=" + c.reply())
body = b"".join(b"%04d " % i + b"x" * 57 + b"\r\n" for i in range(160))
assert len(body) == 10240
open(tmp + "/big.expected", "wb").write(body[:2048])
c.send(b"MAIL FROM:<big@example.org>\r\nRCPT TO:<r@example.net>\r\nDATA\r\n")
print("envelope=" + "|".join(c.replies(3)))
c.send(body + b".\r\n")
print("big=" + c.reply())
c.send(b"MAIL FROM:<small@example.org>\r\nRCPT TO:<r@example.net>\r\nDATA\r\n")
print("envelope2=" + "|".join(c.replies(3)))
c.send(b"Subject: small\r\n\r\nsmall\r\n.\r\n")
print("small=" + c.reply())
c.send(b"QUIT\r\n")
print("quit=" + c.reply())
PY
p=$(got port)
check_eq "size: advertised" "250-SIZE 2048" "$(got size_ext)"
check_eq "size: MAIL SIZE= above the limit" "552 5.3.4 Message size exceeds fixed limit" "$(got mail_size)"
check_eq "size: envelope without SIZE= taken" "250 2.1.0 Ok|250 2.1.5 Ok|354 End data with <CR><LF>.<CR><LF>" "$(got envelope)"
check_eq "size: a 10 KiB message answered 552" "552 5.3.4 Message size exceeds fixed limit" "$(got big)"
check_eq "size: the session goes on" "250 2.1.0 Ok|250 2.1.5 Ok|354 End data with <CR><LF>.<CR><LF>" "$(got envelope2)"
check "size: the next message is queued" grep -Eq '^250 2\.0\.0 Ok: queued as [0-9A-F]{10}$' <<< "$(got small)"
check_eq "size: QUIT" "221 2.0.0 Bye" "$(got quit)"
check "size: session file" wait_for 5 has_file "$p"
f=$(file_of "$p")
check_eq "size: first message size=10240 stored=2048 truncated=1" "10240 2048 1" \
    "$(spool_get "$f" '" ".join(r["messages"][0][k] for k in ("size", "stored", "truncated"))')"
spool_body "$f" 1 > "$T/big.got"
check "size: the first 2048 bytes kept" cmp -s "$T/big.expected" "$T/big.got"
check_eq "size: second message whole" "25 25 0" \
    "$(spool_get "$f" '" ".join(r["messages"][1][k] for k in ("size", "stored", "truncated"))')"
check "size: the 552 follows the message record" \
    grep -A1 -q '^message n=1 size=10240 stored=2048 truncated=1 ' "$f"
check "log: message truncated=size" log_has "smtp message n=1 size=10240 rcpts=1 queue_id=[0-9A-F]* truncated=size"

py <<'PY'
import smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), local_hostname="many.example", timeout=10)
print("port=%d" % s.sock.getsockname()[1])
for i in (1, 2):
    s.sendmail("m@example.org", ["r@example.net"], b"Subject: %d\r\n\r\nbody\r\n" % i)
    print("sent%d=ok" % i)
try:
    s.sendmail("m@example.org", ["r@example.net"], b"Subject: 3\r\n\r\nbody\r\n")
    print("third=accepted")
except smtplib.SMTPSenderRefused as e:
    print("third=%d %s" % (e.smtp_code, e.smtp_error.decode()))
try:
    s.noop()
    print("after=open")
except smtplib.SMTPServerDisconnected:
    print("after=disconnected")
PY
p=$(got port)
check_eq "messages: two sent" "ok ok" "$(got sent1) $(got sent2)"
check_eq "messages: the third MAIL ends the session" \
    "421 4.7.0 mx.e2e.test Error: too many messages in this session" "$(got third)"
check_eq "messages: disconnected" disconnected "$(got after)"
check "messages: session file" wait_for 5 has_file "$p"
check_eq "messages: two messages, end reason limit" "2 limit" \
    "$(spool_get "$(file_of "$p")" '"%d %s" % (len(r["messages"]), r["end"]["reason"])')"
check "log: smtp limit messages=2" log_has "smtp limit messages=2"
check_eq "run 1: every session one file (3 held, refused, 127.0.0.2, again, size, messages)" \
    8 "$(spool_count new)"
next_run limits

# === run 2: max_session_time (1s is the least the config allows) =========
write_config "max_session_time = 3s"
start_daemon
py <<'PY'
import sys, time, rawsmtp
c = rawsmtp.Conn(int(sys.argv[1]), timeout=15)
print("port=%d" % c.port)
c.reply()
noops = 0
while time.monotonic() - c.started < 12:
    c.send(b"NOOP\r\n")
    r = c.reply()
    if r != "250 2.0.0 Ok":
        break
    noops += 1
    r = c.line(timeout=0.5)     # a NOOP every 0.5 s; the 421 may come meanwhile
    if r != "<timeout>":
        break
print("noops=%d" % noops)
print("cut=" + r)
print("cut_secs=%.2f" % (time.monotonic() - c.started))
print("closed=%d" % c.closed(3))
PY
p=$(got port)
check "session time: busy all along ($(got noops) NOOPs answered)" test "$(got noops)" -ge 5
check_eq "session time: cut with 421" \
    "421 4.4.2 mx.e2e.test Error: session time limit exceeded" "$(got cut)"
check "session time: after 3 s, checked once a second ($(got cut_secs) s)" between 2.9 4.6 "$(got cut_secs)"
check_eq "session time: closed" 1 "$(got closed)"
check "session time: session file" wait_for 5 has_file "$p"
check_eq "session time: end reason limit" limit "$(end_of "$p")"
check "log: smtp limit session_time" log_has "smtp limit session_time"
next_run session-time

# === run 3: the spool's free-space low-water mark =========================
mkdir -p "$SPOOL"
mount -t tmpfs -o size=4m tmpfs "$SPOOL"
write_config "workers = 1" "spool_min_free = 2M"
start_daemon
avail() { df -B1 --output=avail "$SPOOL" | tail -n 1 | tr -d ' '; }

swaks --server "127.0.0.1:$PORT" --to a@example.net --from b@example.org --silent 2 >/dev/null
check "low water: served while there is room" test $? -eq 0
check "low water: captured" wait_for 5 spool_count_is new 1

dd if=/dev/zero of="$SPOOL/filler" bs=64K count=$(( ($(avail) - 1024 * 1024) / 65536 )) 2>/dev/null
check "low water: filled below 2 MiB free ($(avail) bytes)" test "$(avail)" -lt $((2 * 1024 * 1024))
sleep 1.2	# the worker looks at the free space at most once a second

py <<'PY'
import sys, rawsmtp
port = int(sys.argv[1])
replies = []
for i in range(3):
    c = rawsmtp.Conn(port)
    replies.append(c.reply())
    replies.append("closed" if c.closed(3) else "open")
print("low=" + "|".join(replies))
PY
r421="421 4.3.2 mx.e2e.test Service not available, try again later"
check_eq "low water: new connections refused, closed" "$r421|closed|$r421|closed|$r421|closed" "$(got low)"
check_eq "low water: no file for them in new/" 1 "$(spool_count new)"
check_eq "low water: nor in tmp/" 0 "$(spool_count tmp)"
check "log: spool space low" log_has "spool space low: [0-9]* bytes free, below spool_min_free 2097152"
check_eq "log: said once" 1 "$(count_lines 'spool space low')"
check_eq "log: each refusal" 3 "$(count_lines 'smtp refused addr=127.0.0.1 reason=spool')"

rm -f "$SPOOL/filler"
py <<'PY'
import sys, time, rawsmtp
port = int(sys.argv[1])
t0 = time.monotonic()
refused = 0
while time.monotonic() - t0 < 3:
    c = rawsmtp.Conn(port)
    g = c.reply()
    if g.startswith("220 "):
        break
    refused += 1
    c.close()
    time.sleep(0.2)
print("back_secs=%.2f" % (time.monotonic() - t0))
print("greeting=" + g)
print("refused_meanwhile=%d" % refused)
print("port=%d" % c.port)
for cmd in (b"EHLO back.example\r\n", b"MAIL FROM:<b@example.org>\r\n", b"RCPT TO:<r@example.net>\r\n",
            b"DATA\r\n", b"Subject: back\r\n\r\nroom again\r\n.\r\n"):
    c.send(cmd)
    r = c.reply()
print("data=" + r)
c.send(b"QUIT\r\n")
print("quit=" + c.reply())
PY
check_eq "room again: served" "220 mx.e2e.test ESMTP Postfix (Debian/GNU)" "$(got greeting)"
check "room again: within 3 s ($(got back_secs) s)" between 0 3 "$(got back_secs)"
check "room again: message queued" grep -Eq '^250 2\.0\.0 Ok: queued as [0-9A-F]{10}$' <<< "$(got data)"
check "room again: captured" wait_for 5 has_file "$(got port)"
check_eq "room again: end reason quit" quit "$(end_of "$(got port)")"
check_eq "room again: only served sessions have files" 2 "$(spool_count new)"
check "log: spool space back" log_has "spool space back: [0-9]* bytes free; accepting sessions again"
check_no_crash
e2e_done
