#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# The tarpit: greeting_delay holds the 220 back, reply_delay every reply,
# so that pipelined commands are answered one at a time, in order. A real
# client still gets its message through.
. "$(dirname "$0")/lib.sh"

py() { out=$(cd "$E2E_DIR" && timeout 60 python3 - "$PORT" "$T" 2>&1); }
got() { sed -n "s/^$1=//p" <<< "$out" | head -n 1; }
between() { awk -v lo="$1" -v hi="$2" -v x="$3" 'BEGIN { exit !(x != "" && x >= lo && x <= hi) }'; }

write_config "greeting_delay = 1s" "reply_delay = 500ms"
start_daemon

py <<'PY'
import sys, time, rawsmtp
c = rawsmtp.Conn(int(sys.argv[1]))
print("port=%d" % c.port)
print("greeting=" + c.reply())
print("greeting_secs=%.2f" % (time.monotonic() - c.started))
for name, batch, n in (("noop", b"NOOP\r\nNOOP\r\nNOOP\r\n", 3),
                       ("mixed", b"HELP\r\nVRFY order@example.net\r\nRSET\r\n", 3)):
    t0 = time.monotonic()
    c.send(batch)
    got, at = [], []
    for _ in range(n):
        got.append(c.reply())
        at.append(time.monotonic() - t0)
    print("%s=%s" % (name, "|".join(got)))
    print("%s_at=%s" % (name, " ".join("%.2f" % t for t in at)))
    print("%s_gap=%.2f" % (name, min(b - a for a, b in zip([0] + at, at))))
    print("%s_last=%.2f" % (name, at[-1]))
c.send(b"QUIT\r\n")
print("quit=" + c.reply())
PY
p=$(got port)
check_eq "greeting" "220 mx.e2e.test ESMTP Postfix (Debian/GNU)" "$(got greeting)"
check "greeting held back by greeting_delay ($(got greeting_secs) s)" between 0.9 2.5 "$(got greeting_secs)"
check_eq "three pipelined NOOPs, three replies" "250 2.0.0 Ok|250 2.0.0 Ok|250 2.0.0 Ok" "$(got noop)"
check "NOOP replies spread over >= 1.4 s (at $(got noop_at))" between 1.4 3.5 "$(got noop_last)"
check "each NOOP reply held back ~0.5 s (least gap $(got noop_gap) s)" between 0.45 1.5 "$(got noop_gap)"
check_eq "pipelined replies in order" "500 5.5.2 Error: command not recognized|252 2.0.0 order@example.net|250 2.0.0 Ok" \
    "$(got mixed)"
check "mixed replies spread too (at $(got mixed_at))" between 1.4 3.5 "$(got mixed_last)"
check_eq "QUIT" "221 2.0.0 Bye" "$(got quit)"
check "session file" wait_for 5 has_file "$p"
f=$(file_of "$p")
noop_spread=$(awk '/^S [0-9.]+ 250 2\.0\.0 Ok$/ { t[n++] = $2 }
    END { printf "%d", (t[2] - t[0]) * 1000 }' "$f")
check "spool: the NOOP replies produced 0.5 s apart (${noop_spread} ms first to third)" \
    test "$noop_spread" -ge 900
check_eq "spool: end reason quit" quit "$(spool_get "$f" 'r["end"]["reason"]')"

# A real client through the tarpit.
start=$(date +%s%N)
timeout 30 python3 - "$PORT" <<'PY'
import smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), local_hostname="patient.example", timeout=10)
s.sendmail("p@example.org", ["r@example.net"], b"Subject: tarpit\r\n\r\nslowly\r\n")
s.quit()
PY
rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
check "smtplib gets through the tarpit" test "$rc" -eq 0
check "smtplib: slowed down by the delays ($ms ms)" between 3000 20000 "$ms"
check "two sessions, two files" wait_for 5 spool_count_is new 2
check_no_crash
e2e_done
