#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# Hostile clients: garbage and NUL bytes, endless lines, half a command,
# a message cut off, a flood of pipelined recipients, a client too slow
# and one silent, HTTP and TLS on the SMTP port, bare LF line ends. Each
# gets its documented answer, the workers survive all of it, and every
# session is captured, to the last byte it sent.
. "$(dirname "$0")/lib.sh"

# A Python client with rawsmtp.py importable; its key=value lines in $out.
py() { out=$(cd "$E2E_DIR" && timeout 60 python3 - "$PORT" "$T" 2>&1); }
got() { sed -n "s/^$1=//p" <<< "$out" | head -n 1; }
# between LO HI X: LO <= X <= HI
between() { awk -v lo="$1" -v hi="$2" -v x="$3" 'BEGIN { exit !(x != "" && x >= lo && x <= hi) }'; }
# sent_is FILE SENT: the client's lines of FILE's transcript, with their
# line ends, are the bytes of SENT, no more, no fewer
sent_is() {
	python3 - "$1" "$2" <<'PY'
import importlib.util, os, sys
spec = importlib.util.spec_from_file_location("spool", os.path.join(os.environ["E2E_DIR"], "spool.py"))
m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
ends = {"crlf": "\r\n", "lf": "\n", "none": ""}
got = "".join(t[2] + ends[t[1]] for t in m.parse(sys.argv[1])["transcript"]
              if t[0] == "C").encode("latin-1")
want = open(sys.argv[2], "rb").read()
if got != want:
    print("transcript %r\nsent       %r" % (got, want))
    sys.exit(1)
PY
}
sessions=0

# command_timeout 2s serves the idle client, and makes the slow client's
# case stricter (a byte every 0.5 s, 9 s in all); 50 recipients keep the
# flood quick.
write_config "command_timeout = 2s" "max_recipients = 50"
start_daemon
workers_before=$(worker_pids | xargs)

# --- garbage and NUL bytes -----------------------------------------------
py <<'PY'
import sys, rawsmtp
c = rawsmtp.Conn(int(sys.argv[1]))
print("port=%d" % c.port)
print("greeting=" + c.reply())
for key, cmd in (("nul1", b"\x00\x01\xff GARBAGE\r\n"), ("nul2", b"EH\x00LO x\r\n"),
                 ("garbage", b"\x01\xff\x1b[2J GARBAGE\r\n"), ("quit", b"QUIT\r\n")):
    c.send(cmd)
    print(key + "=" + c.reply())
print("closed=%d" % c.closed())
PY
sessions=$((sessions + 1))
p=$(got port)
check_eq "garbage: greeting" "220 mx.e2e.test ESMTP Postfix (Debian/GNU)" "$(got greeting)"
# As Postfix: a command ends at its first NUL; bytes that are not UTF-8
# are refused as such.
check_eq "garbage: NUL in a garbage verb" "500 5.5.2 Error: bad syntax" "$(got nul1)"
check_eq "garbage: NUL inside EHLO" "500 5.5.2 Error: command not recognized" "$(got nul2)"
check_eq "garbage: unknown verb" "500 5.5.2 Error: bad UTF-8 syntax" "$(got garbage)"
check_eq "garbage: still answers QUIT" "221 2.0.0 Bye" "$(got quit)"
check_eq "garbage: closed after QUIT" 1 "$(got closed)"
check "garbage: session file in new/" wait_for 5 has_file "$p"
f=$(file_of "$p")
check "garbage: transcript escapes NUL, 0x01, 0xff" \
    grep -qx 'C [0-9.]* crlf \\x00\\x01\\xff GARBAGE' "$f"
check "garbage: transcript keeps EH\\x00LO" grep -qx 'C [0-9.]* crlf EH\\x00LO x' "$f"
check "garbage: transcript escapes ESC" grep -qx 'C [0-9.]* crlf \\x01\\xff\\x1b\[2J GARBAGE' "$f"
check "garbage: no raw control byte in the file" test "$(LC_ALL=C grep -c '[[:cntrl:]]' "$f")" -eq 0
check_eq "garbage: refused EHLO left no helo record" 0 "$(spool_get "$f" 'len(r["helo"])')"
check_eq "garbage: end reason quit" quit "$(end_of "$p")"

# --- a 1 MiB line with no line end, then the client goes ------------------
py <<'PY'
import sys, rawsmtp
c = rawsmtp.Conn(int(sys.argv[1]))
print("port=%d" % c.port)
print("greeting=" + c.reply())
c.send(b"X" * (1 << 20))
c.close()
PY
sessions=$((sessions + 1))
p=$(got port)
check "long line, EOF: session file in new/" wait_for 5 has_file "$p"
f=$(file_of "$p")
check_eq "long line, EOF: one C record, cut at max_command_line, eol long" "long 2048 True" \
    "$(spool_get "$f" '" ".join("%s %d %s" % (t[1], len(t[2]), t[2] == "X" * 2048) for t in r["transcript"] if t[0] == "C")')"
check_eq "long line, EOF: end reason reset" reset "$(end_of "$p")"

# --- a 1 MiB line, its CR LF, then QUIT ----------------------------------
py <<'PY'
import sys, rawsmtp
c = rawsmtp.Conn(int(sys.argv[1]))
print("port=%d" % c.port)
c.reply()
c.send(b"Y" * (1 << 20) + b"\r\nQUIT\r\n")
print("long=" + c.reply())
print("quit=" + c.reply())
print("closed=%d" % c.closed())
PY
sessions=$((sessions + 1))
p=$(got port)
# Postfix 3.7 takes the first 2048 bytes as the command: garbage here
check_eq "long line: 500" "500 5.5.2 Error: command not recognized" "$(got long)"
check_eq "long line: then QUIT is answered" "221 2.0.0 Bye" "$(got quit)"
check_eq "long line: closed" 1 "$(got closed)"
check "long line: session file in new/" wait_for 5 has_file "$p"
f=$(file_of "$p")
check_eq "long line: transcript" "long:2048 crlf:QUIT" \
    "$(spool_get "$f" '" ".join("%s:%s" % (t[1], len(t[2]) if t[1] == "long" else t[2]) for t in r["transcript"] if t[0] == "C")')"
check_eq "long line: end reason quit" quit "$(end_of "$p")"

# --- half a MAIL command: the client goes, or falls silent ----------------
# What it sent is in the file, ended or not, byte for byte.
py <<'PY'
import sys, rawsmtp
for key, wait in (("eof", False), ("idle", True)):
    c = rawsmtp.Conn(int(sys.argv[1]))
    print("port_%s=%d" % (key, c.port))
    c.reply()
    sent = b"EHLO half.example\r\nMAIL FROM:<half-" + key.encode() + b"@example.org"
    c.send(sent[:19])
    c.reply()
    c.send(sent[19:])
    open("%s/half-%s.sent" % (sys.argv[2], key), "wb").write(sent)
    if wait:
        print("idle=" + c.reply(timeout=5))
    c.close()
PY
sessions=$((sessions + 2))
for key in eof idle; do
	p=$(got "port_$key")
	check "half MAIL, $key: session file in new/" wait_for 5 has_file "$p"
	f=$(file_of "$p")
	check "half MAIL, $key: the unended line in the transcript, eol none" \
	    grep -qx "C [0-9.]* none MAIL FROM:<half-$key@example.org" "$f"
	check "half MAIL, $key: every byte sent, in order" sent_is "$f" "$T/half-$key.sent"
	check_eq "half MAIL, $key: no mail record" 0 "$(grep -c '^mail ' "$f")"
done
check_eq "half MAIL, idle: command_timeout answered" \
    "421 4.4.2 mx.e2e.test Error: timeout exceeded" "$(got idle)"
check_eq "half MAIL, eof: end reason reset" reset "$(end_of "$(got port_eof)")"
check_eq "half MAIL, idle: end reason timeout" timeout "$(end_of "$(got port_idle)")"

# --- DATA cut off by the client going away --------------------------------
py <<'PY'
import sys, rawsmtp
port, tmp = int(sys.argv[1]), sys.argv[2]
c, r = rawsmtp.session(port, [b"EHLO cut.example\r\n"])
print("port=%d" % c.port)
c.send(b"MAIL FROM:<cut@example.org>\r\nRCPT TO:<victim@example.net>\r\nDATA\r\n")
print("envelope=" + "|".join(c.replies(3)))
c.send(b"Subject: cut off\r\n\r\nfirst line\r\n..stuffed\r\nsecond li")
open(tmp + "/cut.expected", "wb").write(b"Subject: cut off\r\n\r\nfirst line\r\n.stuffed\r\nsecond li")
c.close()
PY
sessions=$((sessions + 1))
p=$(got port)
check_eq "cut DATA: envelope accepted, 354" "250 2.1.0 Ok|250 2.1.5 Ok|354 End data with <CR><LF>.<CR><LF>" "$(got envelope)"
check "cut DATA: session file in new/" wait_for 5 has_file "$p"
f=$(file_of "$p")
n=$(stat -c %s "$T/cut.expected")
check_eq "cut DATA: message record incomplete" "size=$n stored=$n truncated=1 incomplete=1" \
    "$(spool_get "$f" '"size=%s stored=%s truncated=%s incomplete=%s" % tuple(r["messages"][0].get(k) for k in ("size", "stored", "truncated", "incomplete"))')"
check "cut DATA: message record as documented" \
    grep -qx "message n=1 size=$n stored=$n truncated=1 bare_lf=0 incomplete=1" "$f"
spool_body "$f" 1 > "$T/cut.got"
check "cut DATA: the partial body, byte for byte" cmp -s "$T/cut.expected" "$T/cut.got"
check_eq "cut DATA: end reason reset" reset "$(end_of "$p")"
check "log: cut DATA session ended reset" log_has "smtp end reason=reset msgs=0 .*spool=$(basename "$f")"

# --- 10,000 pipelined RCPT TO in one write --------------------------------
py <<'PY'
import sys, threading, rawsmtp
c, r = rawsmtp.session(int(sys.argv[1]), [b"EHLO flood.example\r\n",
                                          b"MAIL FROM:<flood@example.org>\r\n"])
print("port=%d" % c.port)
print("mail=" + r[-1])
flood = b"".join(b"RCPT TO:<r%05d@example.net>\r\n" % i for i in range(10000))
def send():
    try:
        c.send(flood)
    except OSError:
        pass    # the server hung up on the rest, as it should
t = threading.Thread(target=send, daemon=True)
t.start()
lines = []
while len(lines) < 20000:
    ln = c.line(timeout=10)
    if ln.startswith("<"):
        break
    lines.append(ln)
print("end=" + ln)
want = (["250 2.1.5 Ok"] * 50 + ["452 4.5.3 Error: too many recipients"] * 20 +
        ["421 4.7.0 mx.e2e.test Error: too many errors"])
print("n250=%d" % lines.count("250 2.1.5 Ok"))
print("n452=%d" % lines.count("452 4.5.3 Error: too many recipients"))
print("last=" + (lines[-1] if lines else ""))
print("in_order=%d" % (lines == want))
PY
sessions=$((sessions + 1))
p=$(got port)
check_eq "flood: MAIL accepted" "250 2.1.0 Ok" "$(got mail)"
check_eq "flood: max_recipients get 250" 50 "$(got n250)"
check_eq "flood: then 452 until max_errors" 20 "$(got n452)"
check_eq "flood: too many errors" "421 4.7.0 mx.e2e.test Error: too many errors" "$(got last)"
check_eq "flood: exactly 50 x 250, 20 x 452, 421, in order" 1 "$(got in_order)"
check "flood: connection closed after the 421" test "$(got end)" = "<closed>" -o "$(got end)" = "<reset>"
check "flood: session file in new/" wait_for 5 has_file "$p"
f=$(file_of "$p")
check_eq "flood: 50 rcpt records" 50 "$(grep -c '^rcpt to=' "$f")"
check_eq "flood: 72 commands read (EHLO, MAIL, 70 RCPT), the rest not" 72 \
    "$(spool_get "$f" 'sum(1 for t in r["transcript"] if t[0] == "C")')"
check_eq "flood: end reason limit" limit "$(end_of "$p")"
check "log: smtp limit errors=20" log_has "smtp limit errors=20"

# --- a slow client and a silent one, side by side -------------------------
py <<'PY'
import sys, threading, time, rawsmtp
port = int(sys.argv[1])
res = {}
def slow():
    c = rawsmtp.Conn(port, timeout=20)
    res["slow_port"] = c.port
    c.reply()
    t0 = time.monotonic()
    try:
        for i, b in enumerate(b"EHLO slow.example\r\n"):
            if i:
                time.sleep(0.5)
            c.send(bytes([b]))
        res["slow_secs"] = "%.2f" % (time.monotonic() - t0)
        lines = c.reply(all_lines=True)
        res["slow_first"], res["slow_last"] = lines[0], lines[-1]
        c.send(b"QUIT\r\n")
        res["slow_quit"] = c.reply()
    except OSError as e:    # cut off: say by what
        res["slow_first"] = "%s after %.2f s: %s" % (e.__class__.__name__,
                                                 time.monotonic() - t0, c.line(1))
def idle():
    c = rawsmtp.Conn(port)
    res["idle_port"] = c.port
    c.reply()
    t0 = time.monotonic()
    res["idle_reply"] = c.reply(timeout=8)
    res["idle_secs"] = "%.2f" % (time.monotonic() - t0)
    res["idle_closed"] = int(c.closed(timeout=3))
threads = [threading.Thread(target=f) for f in (slow, idle)]
for t in threads: t.start()
for t in threads: t.join(30)
for k, v in sorted(res.items()):
    print("%s=%s" % (k, v))
PY
sessions=$((sessions + 2))
check "slow: took far longer than command_timeout ($(got slow_secs) s)" between 8 20 "$(got slow_secs)"
check_eq "slow: EHLO answered all the same" "250-mx.e2e.test" "$(got slow_first)"
check_eq "slow: whole EHLO reply" "250 CHUNKING" "$(got slow_last)"
check_eq "slow: QUIT" "221 2.0.0 Bye" "$(got slow_quit)"
check "slow: session file in new/" wait_for 5 has_file "$(got slow_port)"
check_eq "slow: end reason quit" quit "$(end_of "$(got slow_port)")"
check_eq "slow: EHLO recorded whole" "EHLO slow.example" \
    "$(spool_get "$(file_of "$(got slow_port)")" 'r["helo"][0]["verb"] + " " + r["helo"][0]["name"]')"
check_eq "idle: timeout reply" "421 4.4.2 mx.e2e.test Error: timeout exceeded" "$(got idle_reply)"
check "idle: after command_timeout, checked once a second ($(got idle_secs) s)" between 1.9 4.0 "$(got idle_secs)"
check_eq "idle: closed" 1 "$(got idle_closed)"
check "idle: session file in new/" wait_for 5 has_file "$(got idle_port)"
check_eq "idle: end reason timeout" timeout "$(end_of "$(got idle_port)")"
check "log: smtp limit timeout" log_has "smtp limit timeout idle="

# --- HTTP on the SMTP port ------------------------------------------------
py <<'PY'
import sys, rawsmtp
c = rawsmtp.Conn(int(sys.argv[1]))
print("port=%d" % c.port)
c.reply()
c.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
print("http=" + "|".join(c.replies(3)))
c.close()
PY
sessions=$((sessions + 1))
p=$(got port)
check_eq "HTTP: the request line ends the session, as Postfix does" \
    "221 2.7.0 Error: I can break rules, too. Goodbye.|<closed>|<closed>" \
    "$(got http)"
check "HTTP: session file in new/" wait_for 5 has_file "$p"
check_eq "HTTP: end reason quit" quit "$(end_of "$p")"
check "HTTP: request line in the transcript" grep -qx 'C [0-9.]* crlf GET / HTTP/1.1' "$(file_of "$p")"

timeout 20 curl -sS --max-time 5 "http://127.0.0.1:$PORT/" > "$T/curl.out" 2>&1
rc=$?
sessions=$((sessions + 1))
check "curl: fails quickly on an SMTP greeting (exit $rc)" test "$rc" -ge 1 -a "$rc" -lt 124
check "curl: session file in new/" wait_for 5 grep -ql 'crlf GET / HTTP/1.1' -r "$SPOOL/new"

# --- TLS on the SMTP port --------------------------------------------------
py <<'PY'
import struct, sys, rawsmtp
def ext(kind, data):
    return struct.pack("!HH", kind, len(data)) + data
# A ClientHello like a scanner's, with fixed bytes: NUL bytes in every
# length field, and one LF, as in nearly every real one: the type of its
# supported_groups extension is 0x000a.
rnd = bytes(range(0xb0, 0xd0))
name = b"mx.e2e.test"
exts = (ext(0, struct.pack("!HBH", len(name) + 3, 0, len(name)) + name) +
        ext(10, b"\x00\x04\x00\x1d\x00\x17") + ext(11, b"\x01\x00") +
        ext(13, b"\x00\x06\x04\x03\x08\x04\x04\x01") + ext(21, b"\x00" * 160))
suites = b"\x13\x01\x13\x02\xc0\x2b\xc0\x2f\xc0\x2c\xc0\x30\x00\x9c\x00\xff"
body = (b"\x03\x03" + rnd + b"\x20" + bytes(range(0xe0, 0x100)) +
        struct.pack("!H", len(suites)) + suites + b"\x01\x00" +
        struct.pack("!H", len(exts)) + exts)
hs = b"\x01" + struct.pack("!I", len(body))[1:] + body
hello = b"\x16\x03\x01" + struct.pack("!H", len(hs)) + hs
open(sys.argv[2] + "/hello.sent", "wb").write(hello)
print("hello_len=%d" % len(hello))
print("hello_lfs=%d" % hello.count(b"\n"))
c = rawsmtp.Conn(int(sys.argv[1]))
print("port=%d" % c.port)
c.reply()
c.send(hello)
print("tls=" + c.reply())
print("then=" + c.reply(timeout=1))   # the rest is a line not yet ended
c.close()
PY
sessions=$((sessions + 1))
p=$(got port)
check "TLS: a ClientHello of a few hundred bytes ($(got hello_len))" between 256 512 "$(got hello_len)"
check_eq "TLS: with one LF in it" 1 "$(got hello_lfs)"
# Postfix 3.7.11 ends the session at a verb that is not a letter first.
check_eq "TLS: its first line ends the session" "221 2.7.0 Error: I can break rules, too. Goodbye." "$(got tls)"
check_eq "TLS: closed after it" "<closed>" "$(got then)"
check "TLS: session file in new/" wait_for 5 has_file "$p"
check "TLS: the record header, escaped, in the transcript" \
    grep -q '^C [0-9.]* lf \\x16\\x03\\x01\\x01' "$(file_of "$p")"
check_eq "TLS: end reason quit" quit "$(end_of "$p")"
check "TLS: the rest it sent kept all the same, line end none" \
    grep -q '^C [0-9.]* none ' "$(file_of "$p")"
check "TLS: every byte of the ClientHello in the transcript, in order" \
    sent_is "$(file_of "$p")" "$T/hello.sent"

# A real TLS client: the 220 is no TLS record.
py <<'PY'
import socket, ssl, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 5)
s.settimeout(5)
print("port=%d" % s.getsockname()[1])
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
try:
    ctx.wrap_socket(s, server_hostname="mx.e2e.test")
    print("tls=handshake")
except ssl.SSLError as e:
    print("tls=ssl-error " + str(e.reason))
except OSError as e:
    print("tls=" + e.__class__.__name__)
s.close()
PY
sessions=$((sessions + 1))
p=$(got port)
check "Python ssl: handshake fails with a TLS error ($(got tls))" grep -q '^ssl-error' <<< "$(got tls)"
check "Python ssl: session file in new/" wait_for 5 has_file "$p"
check_eq "Python ssl: end reason quit" quit "$(end_of "$p")"

# --- bare LF line ends ----------------------------------------------------
py <<'PY'
import sys, rawsmtp
port, tmp = int(sys.argv[1]), sys.argv[2]
c = rawsmtp.Conn(port)
print("port=%d" % c.port)
c.reply()
c.send(b"EHLO lf.example\n")
print("ehlo=" + c.reply())
c.send(b"MAIL FROM:<lf@example.org>\nRCPT TO:<rcpt@example.net>\nDATA\n")
print("envelope=" + "|".join(c.replies(3)))
c.send(b"Subject: bare LF\n\nline one\n..dot line\n.\n")
open(tmp + "/lf.expected", "wb").write(b"Subject: bare LF\n\nline one\n.dot line\n")
print("data=" + c.reply())
c.send(b"QUIT\n")
print("quit=" + c.reply())
PY
sessions=$((sessions + 1))
p=$(got port)
check_eq "bare LF: EHLO" "250 CHUNKING" "$(got ehlo)"
check_eq "bare LF: envelope, 354" "250 2.1.0 Ok|250 2.1.5 Ok|354 End data with <CR><LF>.<CR><LF>" "$(got envelope)"
check "bare LF: \\n.\\n ends DATA, queued" grep -Eq '^250 2\.0\.0 Ok: queued as [0-9A-F]{10}$' <<< "$(got data)"
check_eq "bare LF: QUIT" "221 2.0.0 Bye" "$(got quit)"
check "bare LF: session file in new/" wait_for 5 has_file "$p"
f=$(file_of "$p")
check_eq "bare LF: every command recorded with eol lf" "lf lf lf lf lf" \
    "$(spool_get "$f" '" ".join(t[1] for t in r["transcript"] if t[0] == "C")')"
spool_body "$f" 1 > "$T/lf.got"
check "bare LF: body byte for byte, dot-unstuffed" cmp -s "$T/lf.expected" "$T/lf.got"
check_eq "bare LF: bare_lf counted, not truncated" "4 0" \
    "$(spool_get "$f" 'r["messages"][0]["bare_lf"] + " " + r["messages"][0]["truncated"]')"
check_eq "bare LF: end reason quit" quit "$(end_of "$p")"

# --- after all that, a normal client is served ----------------------------
swaks --server "127.0.0.1:$PORT" --to after@example.net --from ok@example.org \
    --silent 2 >/dev/null
check "swaks after the hostile clients succeeds" test $? -eq 0
sessions=$((sessions + 1))

check "every session is one file in new/ ($sessions)" wait_for 5 spool_count_is new "$sessions"
check_eq "nothing left in tmp/" 0 "$(spool_count tmp)"
check_eq "same workers before and after" "$workers_before" "$(worker_pids | xargs)"
check_no_crash
e2e_done
