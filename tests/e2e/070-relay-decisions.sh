#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# The analyzer's relay decisions (spampot-relay(8)): with relay = dry-run,
# every message gets a row in relay_decisions and a log line, with the
# rule that made a probe one (the sensor's public address dotted, in hex or
# in decimal; its host name; the credentials the client tried), the
# condition a non-probe failed, or the limit that refused a probe (the
# hour, a recipient relayed to before). The limits outlive a restart of
# the analyzer. With relay = on, a probe's queue file holds the envelope,
# the persona's Received line and the message byte for byte.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/db.sh"

id spampot-relay >/dev/null 2>&1 ||
	useradd --system --no-create-home --home-dir /nonexistent \
	    --shell /usr/sbin/nologin spampot-relay

# 192.0.2.25: c0000219 in hex, 3221226009 in decimal.
db_sensor "relay = dry-run" "relay_address = 192.0.2.25" \
    "relay_limit_hour = 4" "relay_limit_client = 100"

# send: one session per line of $T/probes: RCPTS|SUBJECT|BODY|AUTH|MSGS
send_all() {
	python3 - "$PORT" "$1" <<'PY'
import smtplib, sys
from email.message import EmailMessage
port, path = int(sys.argv[1]), sys.argv[2]
for line in open(path, encoding="utf-8"):
    rcpts, subject, body, auth, n = line.rstrip("\n").split("|", 4)
    s = smtplib.SMTP("127.0.0.1", port, local_hostname="bot.example")
    if auth:
        s.login(*auth.split(":", 1))
    for i in range(int(n or 1)):
        m = EmailMessage()
        m["From"] = "checker@spam.example"
        m["To"] = rcpts
        m["Subject"] = subject
        m.set_content(body.replace("\\n", "\n"))
        if "attach" in subject:
            m.add_attachment(b"MZ" * 100, maintype="application",
                             subtype="octet-stream", filename="a.exe")
        s.sendmail("checker@spam.example", rcpts.split(","), bytes(m))
    s.quit()
PY
}
cat > "$T/probes" <<'EOF2'
a@one.example|relay test 192.0.2.25|ok||
b@two.example|test|relay C0000219 works||
c@three.example|check|3221226009||
n1@no.example|test 192.0.2.250|not ours||
n2@no.example,n3@no.example|192.0.2.25|two recipients||
n4@no.example|attach 192.0.2.25|with a file||
a@one.example|again 192.0.2.25|the same recipient||
n5@no.example|test 192.0.2.25|two messages||2
d@four.example|server works|192.0.2.25|25|probeuser|s3cretpw|probeuser:s3cretpw|
e@five.example|mx.e2e.test|host name||
EOF2
# the credentials line: BODY holds '|', so it is written by hand
sed -i 's/^d@four.example.*$/d@four.example|server works|host 127.0.0.1 port 25 login probeuser pass s3cretpw|probeuser:s3cretpw|/' "$T/probes"
check "the probes and the others sent" send_all "$T/probes"
check "11 messages in 10 sessions reached new/" wait_for 10 spool_count_is new 10
start_analyzer
check "all imported" wait_for 20 spool_count_is new 0
q="SELECT m.subject, d.verdict, IFNULL(d.rule, '-'), IFNULL(d.reason, '-'), IFNULL(d.rcpt, '-')
   FROM relay_decisions d JOIN messages m ON m.id = d.message_id
   JOIN sessions s ON s.id = m.session_id ORDER BY s.started_at, m.seq"
check_eq "one decision per message, with its rule, reason or limit" \
"relay test 192.0.2.25 dry-run address - a@one.example
test dry-run address - b@two.example
check dry-run address - c@three.example
test 192.0.2.250 not-probe - no-marker n1@no.example
192.0.2.25 not-probe - recipients n2@no.example
attach 192.0.2.25 not-probe - attachment n4@no.example
again 192.0.2.25 refused address recipient a@one.example
test 192.0.2.25 dry-run address - n5@no.example
test 192.0.2.25 not-probe - not-first n5@no.example
server works refused credentials hour d@four.example
mx.e2e.test refused hostname hour e@five.example" \
    "$(db_query "$q" | tr '\t' ' ')"
check "each decision logged" analyzer_log_has "relay decision: .* message=1 verdict=refused rule=hostname limit=hour rcpt=e@five.example"
check_eq "dry-run queues nothing" "" "$(ls -A "$T/spool-relay" 2>/dev/null)"
check_eq "each decision's campaign: its message's, as the analyzer grouped it" "11 0" \
    "$(db_query "SELECT COUNT(*), SUM(m.campaign_id IS NULL OR d.campaign <> CONCAT(m.campaign_id)) FROM relay_decisions d JOIN messages m ON m.id = d.message_id" | tr '\t' ' ')"

# The limits outlive a restart: the hour is still full.
stop_analyzer
echo "f@six.example|probe 192.0.2.25|after a restart||" > "$T/probes2"
send_all "$T/probes2"
start_analyzer
check "the probe after the restart imported" wait_for 20 spool_count_is new 0
check_eq "after a restart, the hour's limit holds" "refused hour" \
    "$(db_query "SELECT verdict, reason FROM relay_decisions WHERE rcpt = 'f@six.example'" | tr '\t' ' ')"
stop_analyzer

# relay = on: the probe's file in relay_dir/new.
set_config relay on
set_config relay_dir "$T/spool-relay"
set_config relay_smarthost 127.0.0.1:2525
start_analyzer
check "relay_dir made for spampot-relay" test "$(stat -c %U "$T/spool-relay/new")" = spampot-relay
echo "g@seven.example|relay 192.0.2.25|byte for byte||" > "$T/probes3"
send_all "$T/probes3"
queued() { [ -n "$(ls -A "$T/spool-relay/new")" ]; }
check "the probe is queued" wait_for 20 queued
qf=$(ls "$T/spool-relay/new")
spool=$(db_scalar "SELECT s.spool_name FROM sessions s JOIN messages m ON m.session_id = s.id JOIN relay_decisions d ON d.message_id = m.id WHERE d.rcpt = 'g@seven.example'")
check_eq "its name: the spool file's, then the message's number" "$spool.1" "$qf"
check_eq "its decision names it" "relay address $qf" \
    "$(db_query "SELECT verdict, rule, queue_id FROM relay_decisions WHERE rcpt = 'g@seven.example'" | tr '\t' ' ')"
python3 - "$T/spool-relay/new/$qf" "$SPOOL/done/$spool" "$E2E_DIR" > "$T/qcheck" 2>&1 <<'PY'
import re, sys
sys.path.insert(0, sys.argv[3])
import spool
q = open(sys.argv[1], "rb").read()
head, rest = q.split(b"\nsize ", 1)
size, data = rest.split(b"\n", 1)
assert int(size) == len(data), "size"
lines = head.decode().split("\n")
assert lines[0] == "spampot-relay 1", lines[0]
f = dict(l.split(" ", 1) for l in lines[1:])
assert f["rule"] == "address" and f["client"] == "127.0.0.1", f
assert f["from"] == "checker@spam.example" and f["rcpt"] == "g@seven.example", f
msg = spool.parse(sys.argv[2])["messages"][0]
body = msg["body"]
rx = (rb"Received: from bot\.example \(bot\.example \[127\.0\.0\.1\]\)\r\n"
      rb"\tby mx\.e2e\.test \(Postfix\) with ESMTP id " + msg["queue_id"].encode() +
      rb"\r\n\tfor <g@seven\.example>; \w\w\w, \d\d \w\w\w \d{4} \d\d:\d\d:\d\d \+0000 \(UTC\)\r\n")
m = re.match(rx, data)
assert m, data[:300]
assert data[m.end():] == body, "body differs"
print("ok")
PY
check "the queue file: envelope, Received line, the message byte for byte" grep -qx ok "$T/qcheck" || cat "$T/qcheck"
stop_cleanly
check_no_crash
e2e_done
