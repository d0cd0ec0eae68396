#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# More hostile clients (008-bad-input.sh has the first ones): an nmap-style
# service probe and a real nmap -sV, bare CR inside command lines, AUTH
# with broken base64, a pipelined burst of 10,000 mixed commands in one
# write, a 100 MiB message streamed against max_message_size while the
# worker's memory is watched, and a slowloris against command_timeout and
# max_session_time. Each gets a defined answer, the workers survive, and
# every session is one spool file.
. "$(dirname "$0")/lib.sh"

# A Python client with rawsmtp.py importable; its key=value lines in $out.
py() { out=$(cd "$E2E_DIR" && timeout 90 python3 - "$PORT" "$T" 2>&1); }
got() { sed -n "s/^$1=//p" <<< "$out" | head -n 1; }
gots() { sed -n "s/^$1=//p" <<< "$out"; }
between() { awk -v lo="$1" -v hi="$2" -v x="$3" 'BEGIN { exit !(x != "" && x >= lo && x <= hi) }'; }
# files PORT...: how many of these sessions have their file by now.
files() {
	local p n=0
	for p in "$@"; do
		wait_for 5 has_file "$p" && n=$((n + 1))
	done
	echo "$n"
}
GREETING="220 mx.e2e.test ESMTP Postfix (Debian/GNU)"

# === run 1: the default limits (max_message_size 10240000, max_errors 20)
# In a sanitizer build, AddressSanitizer keeps up to 256 MiB of freed
# memory in quarantine by default, which a worker's RSS would show after
# 100 MiB went through it: a small quarantine, so that the RSS measures
# what the worker itself holds.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=8"
# The original command set (HELP answered, no soft error delay): the
# bursts below count on it. The postfix-debian persona's answers to
# hostile input are in 008-bad-input.sh and the unit tests.
write_config "max_messages = 1000" "persona = rfc821"
start_daemon
workers_before=$(worker_pids | xargs)

# --- a service probe, the way nmap -sV makes one -----------------------
GROUP=probe
py <<'PY'
import sys, time, rawsmtp
port = int(sys.argv[1])
# NULL: connect, send nothing, read the banner.
c = rawsmtp.Conn(port)
print("port=%d" % c.port)
print("null=" + c.reply())
print("null_more=" + c.line(timeout=1))
c.close()
# The probes nmap sends next, each on a connection of its own and at once,
# without waiting for the banner (nmap-service-probes: GenericLines,
# GetRequest, Help); nmap then reads whatever comes.
for name, probe in (("generic", b"\r\n\r\n"), ("get", b"GET / HTTP/1.0\r\n\r\n"),
                    ("help", b"HELP\r\n")):
    c = rawsmtp.Conn(port)
    print("port=%d" % c.port)
    c.send(probe)
    lines = []
    while True:
        ln = c.line(timeout=1)
        if ln.startswith("<"):
            break
        lines.append(ln)
    print("%s=%s" % (name, "|".join(lines)))
    c.close()
PY
ports=$(gots port | xargs)
check_eq "NULL probe: the banner" "$GREETING" "$(got null)"
check_eq "NULL probe: nothing else unasked" "<timeout>" "$(got null_more)"
check_eq "GenericLines: banner, two empty lines refused" \
    "$GREETING|500 5.5.2 Error: bad syntax|500 5.5.2 Error: bad syntax" "$(got generic)"
check_eq "GetRequest: banner, request line and empty line refused" \
    "$GREETING|502 5.5.2 Error: command not recognized|500 5.5.2 Error: bad syntax" "$(got get)"
check_eq "Help: banner and the command list" \
    "$GREETING|214 2.0.0 Commands: HELO EHLO MAIL RCPT DATA RSET NOOP QUIT HELP VRFY EXPN AUTH" \
    "$(got help)"
spooled=$(files $ports)
check_eq "probes: every probe connection has its file" 4 "$spooled"
hostile_result "nmap-style probes (NULL, GenericLines, GetRequest, Help)" 4 "$spooled"

GROUP=nmap
if command -v nmap >/dev/null; then
	before=$(count_lines 'smtp connect')
	# Version detection and two SMTP scripts, against this port on
	# loopback only; -Pn -n: no host discovery, no DNS.
	timeout 60 nmap -sV -Pn -n --script smtp-commands,smtp-open-relay \
	    -p "$PORT" 127.0.0.1 > "$T/nmap.out" 2>&1
	rc=$?
	sed 's/^/# nmap: /' "$T/nmap.out"
	check_eq "nmap -sV exits 0" 0 "$rc"
	check "nmap -sV: an SMTP service ($(grep "^$PORT/tcp" "$T/nmap.out"))" \
	    grep -Eq "^$PORT/tcp +open +smtp +Postfix smtpd" "$T/nmap.out"
	check "nmap smtp-open-relay: taken for an open relay" \
	    grep -q 'smtp-open-relay: Server is an open relay' "$T/nmap.out"
	n=$(( $(count_lines 'smtp connect') - before ))
	check "nmap made sessions ($n)" test "$n" -ge 1
	check "daemon alive after nmap" port_open
	hostile_result "nmap -sV --script smtp-commands,smtp-open-relay" "$n" "$n"
else
	echo "# SKIP: nmap -sV: nmap is not installed (contrib/install-deps.sh --tests)"
fi

# --- bare CR: not a line end ---------------------------------------------
GROUP=bare-cr
py <<'PY'
import sys, rawsmtp
port, tmp = int(sys.argv[1]), sys.argv[2]
c = rawsmtp.Conn(port)
print("port=%d" % c.port)
c.reply()
# One line: EHLO with the rest as its argument, CRs and all.
c.send(b"EHLO x\rMAIL FROM:<a@example.org>\rRCPT TO:<b@example.net>\rDATA\r\n")
print("ehlo=" + "|".join(c.reply(all_lines=True)))
print("ehlo_more=" + c.line(timeout=1))
# So no MAIL was taken: this one is not "nested".
c.send(b"MAIL FROM:<a@example.org>\r\n")
print("mail=" + c.reply())
# A verb with a CR glued to it, and a bare CR alone on a line
c.send(b"NOOP\r\r\n\r\r\nRCPT TO:<b@example.net>\r\nDATA\r\n")
print("noop_cr=" + c.reply())
print("cr_line=" + c.reply())
print("rcpt=" + c.reply())
print("data=" + c.reply())
# In the message a bare CR is text; ".\r" then text is a stuffed dot.
body = b"Subject: bare CR\r\n\r\none\rstill one\r\n.\rtwo\r\n\r\r\n"
c.send(body + b".\r\n")
open(tmp + "/cr.expected", "wb").write(b"Subject: bare CR\r\n\r\none\rstill one\r\n\rtwo\r\n\r\r\n")
print("queued=" + c.reply())
# A bare CR where the line end should be, then the real end much later
c.send(b"QUIT\r")
print("quit_cr=" + c.line(timeout=1))
c.send(b"\r\nQUIT\r\n")
print("after=" + c.reply())
print("quit=" + c.reply())
print("closed=%d" % c.closed())
PY
p=$(got port)
check_eq "bare CR: one EHLO line, one EHLO reply" "250-mx.e2e.test" "$(got ehlo | cut -d'|' -f1)"
check_eq "bare CR: EHLO reply complete" "250 8BITMIME" "$(got ehlo | awk -F'|' '{ print $NF }')"
check_eq "bare CR: no reply to the CR-separated 'commands'" "<timeout>" "$(got ehlo_more)"
check_eq "bare CR: MAIL after it is the first MAIL" "250 2.1.0 Ok" "$(got mail)"
check_eq "bare CR: 'NOOP<CR>' is no NOOP" "502 5.5.2 Error: command not recognized" "$(got noop_cr)"
check_eq "bare CR: a line of one CR" "502 5.5.2 Error: command not recognized" "$(got cr_line)"
check_eq "bare CR: envelope goes on" "250 2.1.5 Ok|354 End data with <CR><LF>.<CR><LF>" "$(got rcpt)|$(got data)"
check "bare CR: message queued" grep -Eq '^250 2\.0\.0 Ok: queued as [0-9A-F]{10}$' <<< "$(got queued)"
check_eq "bare CR: QUIT<CR> waits for its line end" "<timeout>" "$(got quit_cr)"
check_eq "bare CR: 'QUIT<CR><CR>' is no QUIT" "502 5.5.2 Error: command not recognized" "$(got after)"
check_eq "bare CR: then QUIT" "221 2.0.0 Bye" "$(got quit)"
check "bare CR: session file" wait_for 5 has_file "$p"
f=$(file_of "$p")
check_eq "bare CR: HELO name kept whole, CRs escaped" \
    'helo verb=EHLO name=x\x0dMAIL\x20FROM:<a@example.org>\x0dRCPT\x20TO:<b@example.net>\x0dDATA' \
    "$(grep '^helo ' "$f")"
check_eq "bare CR: one envelope in the file" "a@example.org b@example.net" \
    "$(spool_get "$f" 'r["messages"][0]["from"] + " " + " ".join(r["messages"][0]["to"])')"
spool_body "$f" 1 > "$T/cr.got"
check "bare CR: body kept with its CRs, the stuffed dot dropped" cmp -s "$T/cr.expected" "$T/cr.got"
check_eq "bare CR: end reason quit" quit "$(end_of "$p")"
hostile_result "bare CR inside command lines and message text" 1 "$(files "$p")"

# --- AUTH with broken base64 ----------------------------------------------
GROUP=auth
py <<'PY'
import base64, sys, rawsmtp
port = int(sys.argv[1])
b64 = lambda b: base64.b64encode(b)
c, r = rawsmtp.session(port, [b"EHLO auth.example\r\n"])
print("port=%d" % c.port)
tries = [
    ("not_b64", [b"AUTH PLAIN !!!!\r\n"]),
    ("no_padding", [b"AUTH PLAIN dGVzdA\r\n"]),
    ("space_inside", [b"AUTH PLAIN dGVz dA==\r\n"]),
    ("padding_only", [b"AUTH PLAIN ====\r\n"]),
    ("padding_inside", [b"AUTH PLAIN AA==AGE=\r\n"]),
    ("urlsafe", [b"AUTH PLAIN " + base64.urlsafe_b64encode(b"\0\xfb\xff\0\xfe") + b"\r\n"]),
    ("one_nul", [b"AUTH PLAIN " + b64(b"user\0only") + b"\r\n"]),
    ("no_nul", [b"AUTH PLAIN " + b64(b"nonulatall") + b"\r\n"]),
    ("empty", [b"AUTH PLAIN =\r\n"]),
    ("plain_challenge_bad", [b"AUTH PLAIN\r\n", b"@@@@\r\n"]),
    ("plain_abort", [b"AUTH PLAIN\r\n", b"*\r\n"]),
    ("login_bad_user", [b"AUTH LOGIN\r\n", b"%%%\r\n"]),
    ("login_bad_pass", [b"AUTH LOGIN\r\n", b64(b"victim") + b"\r\n", b"abc\r\n"]),
    ("login_initial_bad", [b"AUTH LOGIN d\xffQ=\r\n"]),
    ("long", [b"AUTH PLAIN\r\n", b"QUFB" * 1024 + b"\r\n", b"*\r\n"]),
    ("good", [b"AUTH PLAIN " + b64(b"\0finally\0ok") + b"\r\n"]),
]
for name, lines in tries:
    got = []
    for ln in lines:
        c.send(ln)
        got.append(c.reply())
    print("%s=%s" % (name, "|".join(got)))
c.send(b"MAIL FROM:<a@example.org>\r\n")
print("mail=" + c.reply())
c.send(b"QUIT\r\n")
print("quit=" + c.reply())
PY
p=$(got port)
bad="501 5.5.2 Cannot decode response"
check_eq "AUTH: not base64" "$bad" "$(got not_b64)"
check_eq "AUTH: padding missing" "$bad" "$(got no_padding)"
check_eq "AUTH: space inside" "$bad" "$(got space_inside)"
check_eq "AUTH: padding only" "$bad" "$(got padding_only)"
check_eq "AUTH: padding inside" "$bad" "$(got padding_inside)"
check_eq "AUTH: base64url alphabet" "$bad" "$(got urlsafe)"
check_eq "AUTH: PLAIN with one NUL" "$bad" "$(got one_nul)"
check_eq "AUTH: PLAIN without NUL" "$bad" "$(got no_nul)"
check_eq "AUTH: PLAIN '=' (empty)" "$bad" "$(got empty)"
check_eq "AUTH: PLAIN challenge, bad answer" "334 |$bad" "$(got plain_challenge_bad)"
check_eq "AUTH: PLAIN aborted" "334 |501 5.7.0 Authentication aborted" "$(got plain_abort)"
check_eq "AUTH: LOGIN, bad user" "334 VXNlcm5hbWU6|$bad" "$(got login_bad_user)"
check_eq "AUTH: LOGIN, bad password" "334 VXNlcm5hbWU6|334 UGFzc3dvcmQ6|$bad" "$(got login_bad_pass)"
check_eq "AUTH: LOGIN, bad initial response" "$bad" "$(got login_initial_bad)"
check_eq "AUTH: an answer over max_command_line, then abort" \
    "334 |500 5.5.2 Error: line too long|501 5.7.0 Authentication aborted" "$(got long)"
check_eq "AUTH: after all that, a good one" "235 2.7.0 Authentication successful" "$(got good)"
check_eq "AUTH: the session goes on" "250 2.1.0 Ok" "$(got mail)"
check_eq "AUTH: QUIT" "221 2.0.0 Bye" "$(got quit)"
check "AUTH: session file" wait_for 5 has_file "$p"
f=$(file_of "$p")
check_eq "AUTH: every attempt recorded, in order, with its status" \
    "PLAIN/bad-base64 PLAIN/bad-base64 PLAIN/bad-base64 PLAIN/bad-base64 PLAIN/bad-base64 PLAIN/bad-base64 PLAIN/malformed PLAIN/malformed PLAIN/malformed PLAIN/bad-base64 PLAIN/aborted LOGIN/bad-base64 LOGIN/bad-base64 LOGIN/bad-base64 PLAIN/aborted PLAIN/ok" \
    "$(spool_get "$f" '" ".join(a["mech"] + "/" + a["status"] for a in r["auth"])')"
check_eq "AUTH: LOGIN's user kept when its password is bad" "victim" \
    "$(spool_get "$f" 'r["auth"][12]["user"]')"
check "AUTH: what could not be decoded is kept raw" grep -qx 'auth-raw dGVz\\x20dA==' "$f"
check "AUTH: what decoded but was malformed too" grep -qx 'auth-raw user\\x00only' "$f"
check_eq "AUTH: the good one" "finally ok" "$(spool_get "$f" 'r["auth"][15]["user"] + " " + r["auth"][15]["pass"]')"
check_eq "AUTH: end reason quit" quit "$(end_of "$p")"
check "log: auth lines escaped" log_has "smtp auth mech=LOGIN status=bad-base64 user=victim"
hostile_result "AUTH PLAIN/LOGIN with broken base64 (16 variants)" 1 "$(files "$p")"

# --- 10,000 mixed commands in one write -----------------------------------
GROUP=burst
py <<'PY'
import re, sys, threading, rawsmtp
port = int(sys.argv[1])
HELP = "214 2.0.0 Commands: HELO EHLO MAIL RCPT DATA RSET NOOP QUIT HELP VRFY EXPN AUTH"
QUEUED = re.compile(r"250 2\.0\.0 Ok: queued as [0-9A-F]{10}$")
# (bytes, [expected reply lines], is an error, is a command): 100 cycles of
# 100 commands and one message; every fifth cycle ends with an error (RCPT
# with no MAIL), so the twentieth error comes in the last cycle and ends
# it all.
cmds = []
for i in range(100):
    cycle = [(b"NOOP\r\n", ["250 2.0.0 Ok"], 0, 1),
             (b"VRFY user%d@example.net\r\n" % i, ["252 2.0.0 user%d@example.net" % i], 0, 1),
             (b"HELP\r\n", [HELP], 0, 1),
             (b"MAIL FROM:<dropped%d@example.org>\r\n" % i, ["250 2.1.0 Ok"], 0, 1),
             (b"RSET\r\n", ["250 2.0.0 Ok"], 0, 1),
             (b"MAIL FROM:<s%d@example.org>\r\n" % i, ["250 2.1.0 Ok"], 0, 1)]
    cycle += [(b"RCPT TO:<r%d.%d@example.net>\r\n" % (i, j), ["250 2.1.5 Ok"], 0, 1)
              for j in range(80)]
    cycle += [(b"DATA\r\n", ["354 End data with <CR><LF>.<CR><LF>"], 0, 1),
              (b"Subject: burst %d\r\n\r\nline\r\n..dot\r\n.\r\n" % i, [QUEUED], 0, 0),
              (b"EXPN staff\r\n", ["252 2.0.0 staff"], 0, 1)]
    cycle += [(b"NOOP\r\n", ["250 2.0.0 Ok"], 0, 1)] * (101 - len(cycle) - 1)
    if i % 5 == 4:
        cycle.append((b"RCPT TO:<nobody@example.net>\r\n", ["503 5.5.1 Error: need MAIL command"], 1, 1))
    else:
        cycle.append((b"RSET\r\n", ["250 2.0.0 Ok"], 0, 1))
    assert sum(c[3] for c in cycle) == 100
    cmds += cycle
cmds.append((b"QUIT\r\n", ["221 2.0.0 Bye"], 0, 1))    # never reached
expected, errors, answered = [], 0, 0
for wire, replies, err, is_cmd in cmds:
    expected += replies
    answered += is_cmd
    errors += err
    if errors == 20:
        expected.append("421 4.7.0 mx.e2e.test Error: too many errors")
        break
c, r = rawsmtp.session(port, [b"EHLO burst.example\r\n"])
print("port=%d" % c.port)
burst = b"".join(c[0] for c in cmds)
print("commands=%d" % (sum(c[3] for c in cmds) - 1))
print("bytes=%d" % len(burst))
def send():
    try:
        c.send(burst)
    except OSError:
        pass    # the server hung up on the rest
t = threading.Thread(target=send, daemon=True)
t.start()
lines = []
while len(lines) < len(expected) + 10:
    ln = c.line(timeout=15)
    if ln.startswith("<"):
        break
    lines.append(ln)
print("end=" + ln)
print("replies=%d" % len(lines))
print("expected=%d" % len(expected))
print("answered=%d" % answered)
bad = [k for k, (g, w) in enumerate(zip(lines, expected))
       if not (w.match(g) if hasattr(w, "match") else g == w)]
print("first_mismatch=%s" % (("%d: got %r, want %r" % (bad[0], lines[bad[0]], expected[bad[0]])) if bad else "none"))
print("in_order=%d" % (not bad and len(lines) == len(expected)))
print("last=" + (lines[-1] if lines else ""))
PY
p=$(got port)
echo "# burst: $(got commands) commands, $(got bytes) bytes in one write"
check_eq "burst: 10,000 commands" 10000 "$(got commands)"
check_eq "burst: every reply in order, none missing, none extra" 1 "$(got in_order)"
check_eq "burst: first mismatch" none "$(got first_mismatch)"
check_eq "burst: as many replies as commands answered up to the error limit (+421)" \
    "$(got expected)" "$(got replies)"
check_eq "burst: too many errors" "421 4.7.0 mx.e2e.test Error: too many errors" "$(got last)"
check "burst: then closed" test "$(got end)" = "<closed>" -o "$(got end)" = "<reset>"
check "burst: session file" wait_for 5 has_file "$p"
f=$(file_of "$p")
answered=$(got answered)
check_eq "burst: C records: EHLO and each command answered" $((answered + 1)) \
    "$(grep -c '^C ' "$f")"
check_eq "burst: 100 messages" 100 "$(grep -c '^message n=' "$f")"
check_eq "burst: 8,000 recipients" 8000 "$(grep -c '^rcpt to=' "$f")"
check_eq "burst: each message with its 80 recipients, body unstuffed" \
    "100 80 80 Subject: burst 99||line|.dot|" \
    "$(spool_get "$f" '"%d %d %d %s" % (len(r["messages"]), min(len(m["to"]) for m in r["messages"]), max(len(m["to"]) for m in r["messages"]), r["messages"][99]["body"].decode().replace("\r\n", "|"))')"
check_eq "burst: end reason limit" limit "$(end_of "$p")"
hostile_result "10,000 pipelined mixed commands in one write" 1 "$(files "$p")"

# --- a 100 MiB message, streamed ------------------------------------------
GROUP=big
SPAMPOT_WORKERS=$(worker_pids | xargs) py <<'PY'
import hashlib, os, resource, sys, time, rawsmtp
port = int(sys.argv[1])
workers = os.environ["SPAMPOT_WORKERS"].split()
TOTAL = 100 << 20
LIMIT = 10240000                 # the default max_message_size
def rss(pid):
    try:
        for ln in open("/proc/%s/status" % pid):
            if ln.startswith("VmRSS:"):
                return int(ln.split()[1])
    except OSError:
        return 0
    return 0
def chunk(k):
    # 1 MiB of 1024-byte lines, numbered: never held more than once
    return b"".join(b"%08d " % (k * 1024 + j) + b"x" * 1013 + b"\r\n" for j in range(1024))
c, r = rawsmtp.session(port, [b"EHLO big.example\r\n", b"MAIL FROM:<big@example.org>\r\n",
                              b"RCPT TO:<r@example.net>\r\n", b"DATA\r\n"])
print("port=%d" % c.port)
print("envelope=" + "|".join(r[2:]))
base = {w: rss(w) for w in workers}
peak = dict(base)
kept = hashlib.sha256()
t0 = time.monotonic()
for k in range(TOTAL >> 20):
    data = chunk(k)
    off = k << 20
    if off < LIMIT:
        kept.update(data[:LIMIT - off])
    c.send(data)
    for w in workers:
        peak[w] = max(peak[w], rss(w))
c.send(b".\r\n")
print("reply=" + c.reply(timeout=60))
print("secs=%.2f" % (time.monotonic() - t0))
time.sleep(0.2)
after = {w: rss(w) for w in workers}
print("rss_before_kb=%d" % max(base.values()))
print("rss_peak_kb=%d" % max(peak.values()))
print("rss_after_kb=%d" % max(after.values()))
print("client_maxrss_kb=%d" % resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
print("kept_sha256=" + kept.hexdigest())
c.send(b"QUIT\r\n")
print("quit=" + c.reply())
PY
p=$(got port)
echo "# 100 MiB in $(got secs) s; worker VmRSS before $(got rss_before_kb) kB, peak $(got rss_peak_kb) kB, after $(got rss_after_kb) kB; client max RSS $(got client_maxrss_kb) kB"
check_eq "100 MiB: envelope, 354" "250 2.1.0 Ok|250 2.1.5 Ok|354 End data with <CR><LF>.<CR><LF>" "$(got envelope)"
check_eq "100 MiB: 552 at the end" "552 5.3.4 Message size exceeds fixed limit" "$(got reply)"
check_eq "100 MiB: the session goes on" "221 2.0.0 Bye" "$(got quit)"
check "100 MiB: worker RSS stays below 64 MiB while it streams ($(got rss_peak_kb) kB)" \
    test "$(got rss_peak_kb)" -gt 0 -a "$(got rss_peak_kb)" -lt 65536
check "100 MiB: and after ($(got rss_after_kb) kB)" \
    test "$(got rss_after_kb)" -gt 0 -a "$(got rss_after_kb)" -lt 65536
check "100 MiB: the client streamed too ($(got client_maxrss_kb) kB)" \
    test "$(got client_maxrss_kb)" -lt 65536
check "100 MiB: session file" wait_for 10 has_file "$p"
f=$(file_of "$p")
check "100 MiB: file about max_message_size ($(stat -c %s "$f") bytes)" \
    between 10240000 10300000 "$(stat -c %s "$f")"
check_eq "100 MiB: size is what was sent, stored max_message_size, truncated" \
    "size=104857600 stored=10240000 truncated=1" \
    "$(spool_get "$f" '"size=%s stored=%s truncated=%s" % tuple(r["messages"][0][k] for k in ("size", "stored", "truncated"))')"
check_eq "100 MiB: the first max_message_size bytes kept" "$(got kept_sha256)" \
    "$(spool_body "$f" 1 | sha256sum | cut -d' ' -f1)"
check "log: message truncated=size" log_has "smtp message n=1 size=104857600 rcpts=1 queue_id=[0-9A-F]* truncated=size"
hostile_result "a 100 MiB message (max_message_size 10240000)" 1 "$(files "$p")"

# --- the end of run 1 -----------------------------------------------------
GROUP=setup
check_eq "run 1: every session is one file" "$(count_lines 'smtp connect')" "$(spool_count new)"
check_eq "run 1: nothing left in tmp/" 0 "$(spool_count tmp)"
check_eq "run 1: same workers" "$workers_before" "$(worker_pids | xargs)"
check_no_crash
stop_daemon TERM
check_eq "run 1: daemon stopped, status 0" 0 "$DAEMON_RC"
mv "$LOG" "$T/run1.log"
run1_files=$(spool_count new)

# === run 2: slowloris: a byte a second against command_timeout 3s, cut
# by max_session_time 8s
GROUP=slowloris
write_config "command_timeout = 3s" "max_session_time = 8s"
start_daemon
py <<'PY'
import select, sys, time, rawsmtp
c = rawsmtp.Conn(int(sys.argv[1]), timeout=20)
print("port=%d" % c.port)
print("greeting=" + c.reply())
t0 = time.monotonic()
line = b"EHLO " + b"s" * 100    # never ended
sent = 0
r = "<none>"
while time.monotonic() - t0 < 15:
    try:
        c.send(line[sent % len(line):][:1])
    except OSError:
        break
    sent += 1
    # a byte a second; anything the server says meanwhile ends the loop
    if select.select([c.sock], [], [], 1.0)[0]:
        r = c.line(timeout=1)
        break
print("bytes=%d" % sent)
print("cut=" + r)
print("cut_secs=%.2f" % (time.monotonic() - t0))
print("closed=%d" % c.closed(3))
PY
p=$(got port)
check_eq "slowloris: greeted" "$GREETING" "$(got greeting)"
check_eq "slowloris: cut by the session time limit, not the idle timeout" \
    "421 4.4.2 mx.e2e.test Error: session time limit exceeded" "$(got cut)"
check "slowloris: alive well past command_timeout, a byte resetting it ($(got bytes) bytes in $(got cut_secs) s)" \
    between 6 12 "$(got cut_secs)"
check "slowloris: kept sending all along" test "$(got bytes)" -ge 6
check_eq "slowloris: closed" 1 "$(got closed)"
check "slowloris: session file" wait_for 5 has_file "$p"
check_eq "slowloris: end reason limit" limit "$(end_of "$p")"
check "log: smtp limit session_time" log_has "smtp limit session_time"
check_eq "log: no idle timeout" 0 "$(count_lines 'smtp limit timeout')"
check_no_crash
hostile_result "slowloris: a byte a second (command_timeout 3s, max_session_time 8s)" 1 "$(files "$p")"
GROUP=setup
check_eq "run 2: one session, one file" 1 "$(count_lines 'smtp connect')"
check_eq "both runs: every session a file" "$((run1_files + 1))" "$(spool_count new)"
e2e_done
