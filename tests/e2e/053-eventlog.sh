#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# The analyzer's JSON-lines event log (json_log): created at start, one
# object per message and per session end with the documented fields and
# the values the database holds, nothing for a file imported before, and
# opened again on SIGHUP after a rotation renamed it.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/db.sh"

db_start
db_setup
install -d -o spampot-analyzer -m 0750 "$T/log"
EVENTS="$T/log/events.json"
# The rfc821 persona: smtplib logs in with PLAIN only (postfix-debian
# offers CRAM-MD5, which smtplib tries first: see 057-personas.sh).
write_config "json_log = $EVENTS" \
    "pattern btc = \\b[13][a-km-zA-HJ-NP-Z1-9]{25,34}\\b" "persona = rfc821"
cat "$DB_CONF" >> "$CONF"
start_daemon
start_analyzer
check "created at start" test -f "$EVENTS"
check_eq "empty, the analyzer's, mode 0640" "0 spampot-analyzer 640" \
    "$(stat -c '%s %U %a' "$EVENTS")"
check "analyzer log: where the events go" analyzer_log_has "json_log: events go to $EVENTS"

python3 - "$PORT" <<'PY'
import smtplib, sys
from email.message import EmailMessage
port = int(sys.argv[1])
s = smtplib.SMTP("127.0.0.1", port, local_hostname="bot.example", timeout=10)
s.login("admin", "P@ssw0rd!")
m = EmailMessage()
m["From"] = "winner@lucky-prize.example.com"
m["To"] = "victim@example.net"
m["Subject"] = "Félicitations"
m.set_content("Claim http://claim.lucky-prize.example.com/now and "
              "https://evil.example.co.uk/x, BTC 1BoatSLRHtKNngkdXEeobR76b53LETtpyT, "
              "from 198.51.100.23\n")
m.add_attachment(b"MZ" + bytes(100), maintype="application",
                 subtype="octet-stream", filename="invoice.exe")
s.sendmail("winner@lucky-prize.example.com",
           ["victim@example.net", "second@example.org"], bytes(m))
s.sendmail("winner@lucky-prize.example.com", ["victim@example.net"],
           b"Subject: second\r\n\r\nno links\r\n")
s.quit()
s = smtplib.SMTP("127.0.0.1", port, local_hostname="other.example", timeout=10)
s.sendmail("", ["postmaster@example.net"], b"Subject: bounce\r\n\r\nx\r\n")
s.quit()
PY
check "two sessions sent" test $? -eq 0
lines() { cat "$1" 2>/dev/null | wc -l; }
not_has() { ! grep -q -- "$1" "$2"; }
at_least() { [ "$(lines "$1")" -ge "$2" ]; }
check "five events: 2 + end, 1 + end" wait_for 10 at_least "$EVENTS" 5
sleep 0.5
check_eq "exactly five" 5 "$(lines "$EVENTS")"

# The oracle: the rows the analyzer stored, as JSON.
db_query "SELECT JSON_OBJECT('session', session_key, 'spool_name', spool_name,
    'client_port', client_port, 'server_port', server_port,
    'start', DATE_FORMAT(started_at, '%Y-%m-%dT%H:%i:%s.%fZ'),
    'end', DATE_FORMAT(ended_at, '%Y-%m-%dT%H:%i:%s.%fZ'),
    'sha256', (SELECT JSON_ARRAYAGG(sha256 ORDER BY seq) FROM messages m WHERE m.session_id = s.id),
    'campaign', (SELECT campaign_id FROM messages m WHERE m.session_id = s.id AND seq = 1))
    FROM sessions s ORDER BY spool_name" > "$T/oracle.json"

python3 - "$EVENTS" "$T/oracle.json" "$PORT" > "$T/check.out" 2>&1 <<'PY'
import hashlib, json, re, sys
# The two sessions' files may be imported in either order: their events
# are compared session by session (a stable sort keeps each one's order).
events = sorted((json.loads(l) for l in open(sys.argv[1])),
                key=lambda e: e["spool_name"])
oracle = [json.loads(l) for l in open(sys.argv[2])]
for o in oracle:
    o["sha256"] = json.loads(o["sha256"]) if isinstance(o["sha256"], str) else (o["sha256"] or [])
port = int(sys.argv[3])
fails = []
def eq(what, want, got):
    if want != got:
        fails.append("%s: expected %r, got %r" % (what, want, got))

COMMON = ["eventid", "timestamp", "sensor", "session", "spool_name", "src_ip",
          "src_port", "dest_ip", "dest_port", "protocol", "src_country",
          "src_asn", "src_as_org"]
MESSAGE = COMMON + ["message", "mail_from", "rcpt_to", "size", "stored_size",
                    "truncated", "incomplete", "queue_id", "subject", "sha256",
                    "campaign", "yara", "urls", "url_hosts", "emails",
                    "domains", "ips", "patterns", "attachments"]
END = COMMON + ["start", "end", "duration", "end_reason", "helo", "helo_verb",
                "messages", "auth"]
eq("eventids", ["spampot.message", "spampot.message", "spampot.session.end",
                "spampot.message", "spampot.session.end"],
   [e["eventid"] for e in events])
iso = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
for i, e in enumerate(events):
    eq("event %d: its fields, in order" % i,
       MESSAGE if e["eventid"] == "spampot.message" else END, list(e))
    if not iso.match(e["timestamp"]):
        fails.append("event %d: timestamp %r" % (i, e["timestamp"]))
    o = oracle[0] if i < 3 else oracle[1]
    eq("event %d: common" % i,
       ["e2e", o["session"], o["spool_name"], "127.0.0.1", o["client_port"],
        "127.0.0.1", port, "smtp", None, None, None],
       [e[k] for k in ["sensor", "session", "spool_name", "src_ip", "src_port",
                       "dest_ip", "dest_port", "protocol", "src_country",
                       "src_asn", "src_as_org"]])
m1, m2, end1, m3, end2 = events
eq("message timestamp: the session's start", oracle[0]["start"], m1["timestamp"])
eq("m1 envelope", [1, "winner@lucky-prize.example.com",
                   ["victim@example.net", "second@example.org"]],
   [m1["message"], m1["mail_from"], m1["rcpt_to"]])
eq("m1 subject", "Félicitations", m1["subject"])
eq("sha256 of each message, as stored", oracle[0]["sha256"], [m1["sha256"], m2["sha256"]])
eq("m1 urls", ["http://claim.lucky-prize.example.com/now", "https://evil.example.co.uk/x"],
   sorted(m1["urls"]))
eq("m1 url_hosts", ["claim.lucky-prize.example.com", "evil.example.co.uk"],
   sorted(m1["url_hosts"]))
eq("m1 ips", ["198.51.100.23"], m1["ips"])
eq("m1 btc", {"btc": ["1BoatSLRHtKNngkdXEeobR76b53LETtpyT"]}, m1["patterns"])
if "example.co.uk" not in m1["domains"] or "victim@example.net" not in m1["emails"]:
    fails.append("m1 domains/emails: %r %r" % (m1["domains"], m1["emails"]))
att = b"MZ" + bytes(100)
eq("m1 attachment", [{"filename": "invoice.exe", "content_type": "application/octet-stream",
                      "size": 102, "md5": hashlib.md5(att).hexdigest(),
                      "sha1": hashlib.sha1(att).hexdigest(),
                      "sha256": hashlib.sha256(att).hexdigest(),
                      "real_type": "application/x-dosexec", "mismatch": False,
                      "archive": None, "members": []}], m1["attachments"])
eq("m1 campaign: its template's first 52 bits, as stored", oracle[0]["campaign"],
   m1["campaign"])
eq("m1 yara: none configured", [], m1["yara"])
eq("m1 flags", [False, False], [m1["truncated"], m1["incomplete"]])
eq("m2", [2, "second", [], [], {}, []],
   [m2["message"], m2["subject"], m2["urls"], m2["ips"], m2["patterns"], m2["attachments"]])
eq("end 1", [oracle[0]["start"], oracle[0]["end"], "quit", "bot.example", "EHLO", 2,
             [{"mechanism": "PLAIN", "status": "ok", "username": "admin",
               "password": "P@ssw0rd!", "authzid": ""}]],
   [end1[k] for k in ["start", "end", "end_reason", "helo", "helo_verb", "messages", "auth"]])
eq("end 1: timestamp is the end", oracle[0]["end"], end1["timestamp"])
if not (isinstance(end1["duration"], float) and 0 <= end1["duration"] < 10):
    fails.append("duration %r" % end1["duration"])
eq("m3: the null sender", ["", ["postmaster@example.net"], "bounce"],
   [m3["mail_from"], m3["rcpt_to"], m3["subject"]])
eq("end 2: no AUTH", [1, []], [end2["messages"], end2["auth"]])
print("\n".join(fails) if fails else "all fields right")
PY
check_eq "every event and field as documented, the values as stored" "all fields right" "$(cat "$T/check.out")"

# A file imported again adds nothing.
cp -p "$(spool_files done | head -n 1)" "$SPOOL/new/"
check "imported before" wait_for 10 analyzer_log_has "imported before; not again"
sleep 0.5
check_eq "no event for it" 5 "$(lines "$EVENTS")"

# Rotation: rename, SIGHUP, the next events go to a new file.
mv "$EVENTS" "$EVENTS.1"
kill -HUP "$ANALYZER_PID"
check "SIGHUP: opened again" wait_for 5 analyzer_log_has "json_log: $EVENTS opened again"
check "a new, empty file at once" test -f "$EVENTS" -a ! -s "$EVENTS"
swaks --server "127.0.0.1:$PORT" --to after@example.net --silent 2 > /dev/null
check "the next session goes to the new file" wait_for 10 at_least "$EVENTS" 2
check_eq "new file: that session only" "spampot.message after@example.net|spampot.session.end" \
    "$(python3 -c 'import json,sys; print("|".join(e["eventid"] + (" " + e["rcpt_to"][0] if "rcpt_to" in e else "") for e in map(json.loads, open(sys.argv[1]))))' "$EVENTS")"
check_eq "the renamed file is left as it was" 5 "$(lines "$EVENTS.1")"
check "the analyzer runs on" kill -0 "$ANALYZER_PID"
stop_analyzer TERM
check_eq "analyzer exits 0" 0 "$ANALYZER_RC"

# Rotation where the directory is not writable: go on with the old file.
chmod 0550 "$T/log"
chown root "$T/log"
chgrp spampot-analyzer "$T/log"
start_analyzer
mv "$EVENTS" "$EVENTS.2" 2>/dev/null
kill -HUP "$ANALYZER_PID"
check "SIGHUP, cannot create: said" wait_for 5 analyzer_log_has "json_log: cannot open $EVENTS again; events go on to the file open before"
swaks --server "127.0.0.1:$PORT" --to still@example.net --silent 2 > /dev/null
check "events go on to the renamed file" wait_for 10 grep -q still@example.net "$EVENTS.2"
stop_analyzer TERM

# A path that cannot be opened at start: the analyzer does not start.
sed -i "s|^json_log = .*|json_log = $T/missing/events.json|" "$CONF"
"$SPAMPOT_ANALYZER" -f -c "$CONF" --once > "$T/bad.out" 2>&1
check_eq "json_log in a missing directory: exit 1" 1 "$?"
check "and says why" grep -q "json_log $T/missing/events.json: No such file or directory" "$T/bad.out"
# json_log unset: no file anywhere, as before.
sed -i "/^json_log = /d" "$CONF"
"$SPAMPOT_ANALYZER" -f -c "$CONF" --once > "$T/none.out" 2>&1
check_eq "json_log unset: --once exits 0" 0 "$?"
check "and says nothing of it" not_has "json_log" "$T/none.out"
check_no_crash
e2e_done
