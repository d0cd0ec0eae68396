#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# Real clients send through spampotd, spampot-analyzer imports each session
# into a private MariaDB, and the rows hold what was sent: the session,
# the credentials, the envelope, the decoded subject, the SHA-256 of the
# raw DATA, URLs, domains, IPs, attachments with their hashes, the counted
# patterns. A damaged spool file goes to bad/; nothing is imported twice.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/db.sh"

install -d -o spampot-analyzer -m 0750 "$T/quarantine"
# The rfc821 persona offers AUTH PLAIN and LOGIN only: smtplib logs in
# with PLAIN once, where it would try the CRAM-MD5 that postfix-debian
# offers first (a record more, see 057-personas.sh).
db_sensor "pattern btc = \\b[13][a-km-zA-HJ-NP-Z1-9]{25,34}\\b" \
    "attachments_dir = $T/quarantine" "persona = rfc821"
start_analyzer
check "analyzer dropped to its user" wait_for 5 analyzer_log_has "privdrop: uid $(id -u spampot-analyzer) (spampot-analyzer)"
check "analyzer runs as spampot-analyzer" test "$(ps -o user= -p "$ANALYZER_PID")" = spampot-analyzer
check_eq "analyzer: seccomp filter" 2 "$(awk '$1 == "Seccomp:" { print $2 }' /proc/$ANALYZER_PID/status)"
check_eq "analyzer: no capabilities" 0000000000000000 "$(awk '$1 == "CapEff:" { print $2 }' /proc/$ANALYZER_PID/status)"
check_eq "analyzer: no core dumps" "0 0" "$(awk '/^Max core file size/ { print $5, $6 }' /proc/$ANALYZER_PID/limits)"
check "analyzer log: its filter" analyzer_log_has "sandbox: seccomp deny-list"

# A realistic spam: HTML with links, an RFC 2047 subject, an attachment.
python3 - "$PORT" "$T" <<'PY'
import hashlib, json, smtplib, sys
from email.message import EmailMessage
port, tmp = int(sys.argv[1]), sys.argv[2]
att = bytes(range(256)) * 40
m = EmailMessage()
m["From"] = "Lottery Office <winner@lucky-prize.example.com>"
m["To"] = "victim@example.net"
m["Subject"] = "Félicitations, vous avez gagné"
m["Received"] = "from bot (unknown [198.51.100.23]) by relay with SMTP"
m.set_content("Claim at http://claim.lucky-prize.example.com/now?id=1 or "
              "mail agent@payout.example.org. BTC 1BoatSLRHtKNngkdXEeobR76b53LETtpyT\n")
m.add_alternative('<html><body><a href="https://evil.example.co.uk/x?a=1&amp;b=2">'
                  'click</a><img src="http://img.example.com/p.png"></body></html>',
                  subtype="html")
m.add_attachment(att, maintype="application", subtype="octet-stream",
                 filename="invoice.pdf.exe")
raw = bytes(m)
s = smtplib.SMTP("127.0.0.1", port, local_hostname="bot.example")
s.login("admin", "P@ssw0rd!")
s.sendmail("winner@lucky-prize.example.com",
           ["victim@example.net", "second@Example.ORG"], raw)
s.quit()
# smtplib sends bytes as they are (here with LF line ends), and ends them
# with CRLF
wire = raw if raw.endswith(b"\r\n") else raw + b"\r\n"
json.dump({"data_sha256": hashlib.sha256(wire).hexdigest(),
           "att_sha256": hashlib.sha256(att).hexdigest(),
           "att_md5": hashlib.md5(att).hexdigest(),
           "att_sha1": hashlib.sha1(att).hexdigest(),
           "att_size": len(att)}, open(tmp + "/expected.json", "w"))
PY
check "smtplib session sent" test $? -eq 0
exp() { python3 -c "import json,sys; print(json.load(open('$T/expected.json'))['$1'])"; }

imported() { [ "$(db_scalar 'SELECT COUNT(*) FROM sessions')" -ge "$1" ]; }
check "the session reaches the database" wait_for 10 imported 1
check "the file moved to done/" wait_for 5 spool_count_is done 1
check_eq "new/ is empty" 0 "$(spool_count new)"
check "analyzer log: imported" analyzer_log_has "imported .*client=127.0.0.1 messages=1 auth=1"

check_eq "session row" "e2e	127.0.0.1	$PORT	bot.example	EHLO	quit	1" \
    "$(db_query 'SELECT sensor, client_ip, server_port, helo, helo_verb, end_reason, messages FROM sessions')"
check_eq "spool_name is the file's" "$(basename "$(spool_files done)")" \
    "$(db_scalar 'SELECT spool_name FROM sessions')"
check_eq "credentials" "PLAIN	ok	admin	P@ssw0rd!" \
    "$(db_query 'SELECT mechanism, status, username, password FROM auth_attempts')"
check_eq "envelope sender and its domain" "winner@lucky-prize.example.com	lucky-prize.example.com" \
    "$(db_query 'SELECT mail_from, mail_from_domain FROM messages')"
check_eq "recipients with domains" "victim@example.net example.net,second@Example.ORG example.org" \
    "$(db_query 'SELECT address, domain FROM recipients ORDER BY id' | tr '\t' ' ' | paste -sd,)"
check_eq "subject decoded to UTF-8" "Félicitations, vous avez gagné" \
    "$(db_scalar 'SELECT subject FROM messages')"
check_eq "SHA-256 of the raw DATA" "$(exp data_sha256)" "$(db_scalar 'SELECT sha256 FROM messages')"
check_eq "attachment with its hashes" \
    "invoice.pdf.exe application/octet-stream $(exp att_size) $(exp att_md5) $(exp att_sha1) $(exp att_sha256)" \
    "$(db_query 'SELECT filename, content_type, size, md5, sha1, sha256 FROM attachments' | tr '\t' ' ')"
check_eq "URLs with hosts" \
    "claim.lucky-prize.example.com http://claim.lucky-prize.example.com/now?id=1,evil.example.co.uk https://evil.example.co.uk/x?a=1&b=2,img.example.com http://img.example.com/p.png" \
    "$(db_query 'SELECT host, url FROM urls ORDER BY host' | tr '\t' ' ' | paste -sd,)"
kind() { db_query "SELECT value FROM patterns WHERE kind = '$1' ORDER BY value" | paste -sd,; }
check_eq "registrable domains of URL hosts and addresses" \
    "example.co.uk,example.com,example.net,example.org" "$(kind domain)"
check_eq "example.com counted per occurrence (2 URL hosts, 1 address)" 3 \
    "$(db_scalar "SELECT total FROM patterns WHERE kind = 'domain' AND value = 'example.com'")"
check_eq "email addresses from headers and body" \
    "agent@payout.example.org,victim@example.net,winner@lucky-prize.example.com" "$(kind email)"
check_eq "IP from the Received header" "198.51.100.23" "$(kind ip)"
check_eq "URLs counted" \
    "http://claim.lucky-prize.example.com/now?id=1,http://img.example.com/p.png,https://evil.example.co.uk/x?a=1&b=2" \
    "$(kind url)"
check_eq "subject counted" "Félicitations, vous avez gagné" "$(kind subject)"
check_eq "username counted for the session" "admin" "$(kind username)"
check_eq "custom pattern" "1BoatSLRHtKNngkdXEeobR76b53LETtpyT" "$(kind btc)"
check_eq "message_patterns link the message" \
    "$(db_scalar 'SELECT COUNT(*) FROM patterns WHERE kind <> "username"')" \
    "$(db_scalar 'SELECT COUNT(*) FROM message_patterns')"
check_eq "top usernames is one query on patterns" "admin	1" \
    "$(db_query "SELECT value, total FROM patterns WHERE kind = 'username' ORDER BY total DESC LIMIT 10")"
q="$T/quarantine/$(exp att_sha256 | cut -c1-2)/$(exp att_sha256)"
check "attachment quarantined under its SHA-256" test -f "$q"
check_eq "quarantined file: mode 0400" 400 "$(stat -c %a "$q")"
check_eq "quarantined file: its content" "$(exp att_sha256)" "$(sha256sum < "$q" | cut -d' ' -f1)"
check "transcript stored" grep -q "AUTH PLAIN" <<< "$(db_scalar 'SELECT transcript FROM transcripts')"

# The same session again (a copy of the file put back into new/): not doubled.
cp -p "$(spool_files done)" "$SPOOL/new/"
check "a re-imported file is recognised" wait_for 10 analyzer_log_has "imported before; not again"
check_eq "still one session" 1 "$(db_scalar 'SELECT COUNT(*) FROM sessions')"
check_eq "still one message" 1 "$(db_scalar 'SELECT COUNT(*) FROM messages')"
check_eq "counts not doubled" 1 "$(db_scalar "SELECT total FROM patterns WHERE kind = 'username'")"

# A damaged file goes to bad/ with the reason, and the analyzer goes on.
printf 'spampot-spool 1\nsession 0123456789abcdef\nbogus\n' > "$SPOOL/new/20261126T000000.000000Z_192.0.2.1_0123456789abcdef"
check "damaged file moved to bad/" wait_for 10 spool_count_is bad 1
check "analyzer log: why" analyzer_log_has "bad spool file 20261126T000000.000000Z_192.0.2.1_0123456789abcdef: line 3: unknown record 'bogus'; moved to bad/"
swaks --server "127.0.0.1:$PORT" --to a@example.com --silent 2 >/dev/null
check "it goes on importing" wait_for 10 imported 2

stop_analyzer TERM
check_eq "analyzer exits 0 on SIGTERM" 0 "$ANALYZER_RC"

# --once: import what waits in new/, then exit.
swaks --server "127.0.0.1:$PORT" --to once@example.com --silent 2 >/dev/null
wait_for 5 spool_count_is new 1
"$SPAMPOT_ANALYZER" -c "$CONF" --once >> "$ANALYZER_LOG" 2>&1
check_eq "--once exits 0" 0 "$?"
check_eq "--once imported the waiting file" 1 \
    "$(db_scalar "SELECT COUNT(*) FROM recipients WHERE address = 'once@example.com'")"
check_eq "--once left new/ empty" 0 "$(spool_count new)"
# --once FILE: a named file, from wherever it is; imported before: not again
"$SPAMPOT_ANALYZER" -c "$CONF" --once "$(spool_files done | head -n 1)" >> "$ANALYZER_LOG" 2>&1
check_eq "--once FILE on a file imported before exits 0" 0 "$?"
check_eq "and adds nothing" 3 "$(db_scalar 'SELECT COUNT(*) FROM sessions')"
"$SPAMPOT_ANALYZER" -c "$CONF" --once "$SPOOL/bad/"* >> "$ANALYZER_LOG" 2>&1
check_eq "--once FILE on a damaged file exits 1" 1 "$?"

# -t compiles the patterns: a bad regex names its line.
cp "$CONF" "$T/bad.conf"
echo 'pattern broken = (unclosed' >> "$T/bad.conf"
out=$("$SPAMPOT_ANALYZER" -t -c "$T/bad.conf" 2>&1)
check_eq "-t on a bad regex exits 1" 1 "$?"
line=$(grep -c '' "$T/bad.conf")
check "-t names the file, line and pattern" grep -q "^spampot-analyzer: $T/bad.conf:$line: pattern broken: .* at offset [0-9]*" <<< "$out"
out=$("$SPAMPOT_ANALYZER" -t -c "$CONF" 2>&1)
check "-t on the good config" grep -q "configuration OK (1 patterns)" <<< "$out"
check "-t reaches the database and checks the schema version" \
    grep -qx "spampot-analyzer: database OK, schema version 7" <<< "$out"
db_query "UPDATE schema_version SET version = 1"
out=$("$SPAMPOT_ANALYZER" -t -c "$CONF" 2>&1)
check_eq "-t on an older schema exits 1" 1 "$?"
check "-t names the versions and the remedy" grep -q \
    "database: schema version 1, this analyzer needs 7 (run spampot-dbsetup)" <<< "$out"
db_query "UPDATE schema_version SET version = 7"

# spool_keep = no: imported files are deleted, not kept in done/.
echo "spool_keep = no" >> "$CONF"
before=$(spool_count done)
swaks --server "127.0.0.1:$PORT" --to nokeep@example.com --silent 2 >/dev/null
wait_for 5 spool_count_is new 1
"$SPAMPOT_ANALYZER" -c "$CONF" --once >> "$ANALYZER_LOG" 2>&1
check_eq "spool_keep = no: imported" 1 \
    "$(db_scalar "SELECT COUNT(*) FROM recipients WHERE address = 'nokeep@example.com'")"
check_eq "spool_keep = no: the file is gone, done/ unchanged" "0 $before" \
    "$(spool_count new) $(spool_count done)"
check_no_crash
e2e_done
