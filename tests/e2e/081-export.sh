#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# export (spampot-report(1), EXPORT). Real clients send a campaign's
# copies from two addresses, mail with links and attachments (a zip among
# them) and AUTH attempts; one session is then dated years back and one
# moved to another sensor in SQL. export --format misp and --format stix
# must hold every value the database has for the window (client
# addresses, senders and their domains, URLs and hosts, attachment
# hashes, credentials, campaigns), none from outside it, and validate
# against the JSON Schemas of tests/data/export (written from the MISP
# core format and OASIS STIX 2.1), with each STIX pattern parsed by a
# checker of the patterning grammar (export_check.py).
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/db.sh"

REPORT="$SPAMPOT_BUILDDIR/src/spampot-report"
READER_PW="$T/analyst.password"
SCHEMAS="$SPAMPOT_SRCDIR/tests/data/export"
CHECK="$E2E_DIR/export_check.py"

db_start
db_setup --reader analyst --reader-password-file "$READER_PW"
db_config
start_daemon
start_analyzer

send() {
	python3 - "$PORT" "$T" <<'PY'
import io, smtplib, sys, zipfile
from email.message import EmailMessage
port, tmp = int(sys.argv[1]), sys.argv[2]

BODY = ("Dear customer,\n\nYour parcel could not be delivered because "
        "the customs fee of 2.99 EUR is unpaid. Pay within 48 hours at "
        "http://parcel-fee.example/pay?id={n} or the parcel returns to "
        "its sender. Our agents cannot answer this message; the "
        "tracking page lists every step of the delivery.\n\nDelivery "
        "Service\n")

def zipped(name, data):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(name, data)
    return b.getvalue()

def session(src, msgs, auth=()):
    s = smtplib.SMTP("127.0.0.1", port, local_hostname="bot.example",
                     source_address=(src, 0), timeout=20)
    s.ehlo()
    for frm, rcpt, m in msgs:
        s.sendmail(frm, [rcpt], bytes(m))
    s.quit()
    # AUTH PLAIN, one session each: the passwords as typed, not digests
    for user, pw in auth:
        s = smtplib.SMTP("127.0.0.1", port, local_hostname="bot.example",
                         source_address=(src, 0), timeout=20)
        s.ehlo()
        s.user, s.password = user, pw
        try:
            s.auth("PLAIN", s.auth_plain)
        except smtplib.SMTPException:
            pass
        s.quit()

def mail(frm, rcpt, subject, body, attach=()):
    m = EmailMessage()
    m["From"] = frm
    m["To"] = rcpt
    m["Subject"] = subject
    m.set_content(body)
    for name, ctype, data in attach:
        main, sub = ctype.split("/")
        m.add_attachment(data, maintype=main, subtype=sub, filename=name)
    return m

camp = [("fees@parcel-fee.example", "v%d@victims.example" % i,
         mail("fees@parcel-fee.example", "v%d@victims.example" % i,
              "Parcel held: fee due", BODY.format(n=1000 + i)))
        for i in range(6)]
session("127.0.0.2", camp[:3], [("admin", "admin123"),
                                ("o'brien", "pa\\ss'word")])
session("127.0.0.3", camp[3:])
# a quote in the sender: escaped in the STIX pattern
session("127.0.0.4", [("o'hara@jobs-offer.example", "x@victims.example",
    mail("o'hara@jobs-offer.example", "x@victims.example", "Your offer",
         "See https://www.jobs-offer.example/apply/now?ref=7 today.",
         [("offer.zip", "application/zip",
           zipped("offer.doc", b"not really a document\n" * 40)),
          ("terms.txt", "text/plain", b"terms and conditions\n")]))],
    [("test", "test")])
# this one is dated years back once imported
session("127.0.0.9", [("old@stale-sender.example", "y@victims.example",
    mail("old@stale-sender.example", "y@victims.example", "Old news",
         "Read http://stale-link.example/old before it is gone.",
         [("old.bin", "application/octet-stream", b"stale\x00" * 30)]))],
    [("stale-user", "stale-pass")])
PY
}
sessions() { db_scalar 'SELECT COUNT(*) FROM sessions'; }
imported() { [ "$(sessions)" -ge 8 ] && spool_count_is new 0; }
check "the captures sent" send
check "8 sessions imported" wait_for 30 imported

q() { db_query "$1"; }
OLD="SELECT id FROM sessions WHERE client_ip = '127.0.0.9'"
check_eq "the old sessions are there" 2 "$(db_scalar "SELECT COUNT(*) FROM ($OLD) o")"
OLD=$(q "$OLD" | paste -sd,)
q "UPDATE sessions SET started_at = '2020-03-01 10:00:00', ended_at = '2020-03-01 10:00:05' WHERE id IN ($OLD);
   UPDATE auth_attempts SET tried_at = '2020-03-01 10:00:00' WHERE session_id IN ($OLD);
   UPDATE messages SET received_at = '2020-03-01 10:00:01' WHERE session_id IN ($OLD);
   UPDATE urls u JOIN messages m ON m.id = u.message_id SET u.received_at = '2020-03-01 10:00:01' WHERE m.session_id IN ($OLD);
   UPDATE attachments a JOIN messages m ON m.id = a.message_id SET a.received_at = '2020-03-01 10:00:01' WHERE m.session_id IN ($OLD);
   UPDATE recipients r JOIN messages m ON m.id = r.message_id SET r.received_at = '2020-03-01 10:00:01' WHERE m.session_id IN ($OLD)"
check_eq "a campaign of six copies" "6 1" \
    "$(q "SELECT COUNT(*), COUNT(DISTINCT campaign_id) FROM messages WHERE subject = 'Parcel held: fee due'" | tr '\t' ' ')"
check_eq "the AUTH PLAIN passwords as typed" "admin123|stale-pass|test" \
    "$(q "SELECT password FROM auth_attempts WHERE username <> CONCAT('o', CHAR(39), 'brien') ORDER BY password" | paste -sd'|')"
check_eq "a password with a backslash and a quote" 1 \
    "$(db_scalar "SELECT COUNT(*) FROM auth_attempts WHERE password = CONCAT('pa', CHAR(92), 'ss', CHAR(39), 'word')")"
check_eq "a sender with a quote, as sent" 1 \
    "$(db_scalar "SELECT COUNT(*) FROM messages WHERE mail_from = CONCAT('o', CHAR(39), 'hara@jobs-offer.example')")"
check "credentials, URLs and attachments captured" test \
    "$(db_scalar "SELECT (SELECT COUNT(*) FROM auth_attempts) > 0 AND (SELECT COUNT(*) FROM urls) > 0 AND (SELECT COUNT(*) FROM attachments) > 0")" = 1

# What the database holds, from SQL directly: SENSOR is '' for every one.
SINCE=2025-01-01
expect() {
	local dir=$1 sensor=$2 w s
	mkdir -p "$dir"
	w="started_at >= '$SINCE'"
	s=${sensor:+" AND s.sensor = '$sensor'"}
	q "SELECT DISTINCT s.client_ip FROM sessions s WHERE s.$w$s" > "$dir/ip"
	q "SELECT DISTINCT m.mail_from FROM messages m JOIN sessions s ON s.id = m.session_id WHERE m.received_at >= '$SINCE' AND m.mail_from <> ''$s" > "$dir/sender"
	q "SELECT DISTINCT m.mail_from_domain FROM messages m JOIN sessions s ON s.id = m.session_id WHERE m.received_at >= '$SINCE' AND m.mail_from_domain <> ''$s" > "$dir/sender-domain"
	q "SELECT DISTINCT u.url FROM urls u JOIN messages m ON m.id = u.message_id JOIN sessions s ON s.id = m.session_id WHERE m.received_at >= '$SINCE'$s" > "$dir/url"
	q "SELECT DISTINCT u.host FROM urls u JOIN messages m ON m.id = u.message_id JOIN sessions s ON s.id = m.session_id WHERE m.received_at >= '$SINCE'$s" > "$dir/host"
	q "SELECT DISTINCT CONCAT(a.md5, ' ', a.sha1, ' ', a.sha256) FROM attachments a JOIN messages m ON m.id = a.message_id JOIN sessions s ON s.id = m.session_id WHERE m.received_at >= '$SINCE'$s" > "$dir/file"
	q "SELECT DISTINCT TO_BASE64(CONCAT(a.username, CHAR(0), a.password)) FROM auth_attempts a JOIN sessions s ON s.id = a.session_id WHERE s.$w$s" > "$dir/cred"
	q "SELECT DISTINCT m.campaign_id FROM messages m JOIN sessions s ON s.id = m.session_id WHERE m.received_at >= '$SINCE' AND m.campaign_id IS NOT NULL$s" > "$dir/campaign"
	q "SELECT DISTINCT m.campaign_id, s.client_ip FROM messages m JOIN sessions s ON s.id = m.session_id WHERE m.received_at >= '$SINCE' AND m.campaign_id IS NOT NULL$s
	   UNION SELECT DISTINCT m.campaign_id, m.mail_from FROM messages m JOIN sessions s ON s.id = m.session_id WHERE m.received_at >= '$SINCE' AND m.campaign_id IS NOT NULL AND m.mail_from <> ''$s
	   UNION SELECT DISTINCT m.campaign_id, u.url FROM messages m JOIN sessions s ON s.id = m.session_id JOIN urls u ON u.message_id = m.id WHERE m.received_at >= '$SINCE' AND m.campaign_id IS NOT NULL$s
	   UNION SELECT DISTINCT m.campaign_id, a.sha256 FROM messages m JOIN sessions s ON s.id = m.session_id JOIN attachments a ON a.message_id = m.id WHERE m.received_at >= '$SINCE' AND m.campaign_id IS NOT NULL$s" > "$dir/member"
}
# ... and what is outside the window: the old session's values.
{
	q "SELECT DISTINCT client_ip FROM sessions WHERE id IN ($OLD)"
	q "SELECT mail_from FROM messages WHERE session_id IN ($OLD)"
	q "SELECT u.url FROM urls u JOIN messages m ON m.id = u.message_id WHERE m.session_id IN ($OLD)"
	q "SELECT a.sha256 FROM attachments a JOIN messages m ON m.id = a.message_id WHERE m.session_id IN ($OLD)"
	q "SELECT username FROM auth_attempts WHERE session_id IN ($OLD)"
} > "$T/absent"
check_eq "five values outside the window" 5 "$(grep -c . "$T/absent")"

rep() {
	local name=$1
	shift
	"$REPORT" -c "$CONF" --user analyst --password-file "$READER_PW" "$@" \
	    > "$T/$name.out" 2> "$T/$name.err"
	echo $? > "$T/$name.rc"
}
rc() { cat "$T/$1.rc"; }
verify() {	# NAME FORMAT TLP EXPECTDIR
	python3 "$CHECK" --format "$2" --tlp "$3" --schemas "$SCHEMAS" \
	    --expect "$4" --absent "$T/absent" "$T/$1.out"
}

expect "$T/all" ""
check "the expected values: every kind present" test "$(cat "$T"/all/* | wc -l)" -ge 12
for f in ip sender sender-domain url host file cred campaign; do
	check "the window holds values of kind $f" test -s "$T/all/$f"
done

rep misp export --format misp --since "$SINCE"
check_eq "export --format misp: exit 0, nothing on stderr" "0 " "$(rc misp) $(cat "$T/misp.err")"
check "the MISP event: valid, every value of the window, none outside" \
    verify misp misp amber "$T/all"
rep stix export --format stix --since "$SINCE" --tlp green
check_eq "export --format stix: exit 0" "0 " "$(rc stix) $(cat "$T/stix.err")"
check "the STIX bundle: valid, every value of the window, none outside" \
    verify stix stix green "$T/all"
rep mispred export --format misp --since "$SINCE" --tlp red -o "$T/red.out"
check_eq "-o FILE: exit 0, nothing on standard output" "0 0" "$(rc mispred) $(wc -c < "$T/mispred.out")"
check "-o FILE, --tlp red: the event in the file" verify red misp red "$T/all"

# The checker must notice a kind that is missing.
python3 - "$T/misp.out" "$T/misp-nourl.out" <<'PY'
import json, sys
e = json.load(open(sys.argv[1]))
e["Event"]["Attribute"] = [a for a in e["Event"]["Attribute"] if a["type"] != "url"]
json.dump(e, open(sys.argv[2], "w"))
PY
check "the checker fails an event without its URLs" \
    sh -c "! python3 '$CHECK' --format misp --tlp amber --schemas '$SCHEMAS' --expect '$T/all' --absent '$T/absent' '$T/misp-nourl.out' 2>/dev/null"

# Without --since: the old session is in.
rep stix-all export --format stix
check "no window: the old session's address is in" \
    grep -q "127.0.0.9" "$T/stix-all.out"

# --sensor: one session moved to another sensor.
q "UPDATE sessions SET sensor = 'other' WHERE client_ip = '127.0.0.4'"
expect "$T/e2e" e2e
expect "$T/other" other
rep se2e export --format misp --since "$SINCE" --sensor e2e
check "--sensor e2e: its values only" verify se2e misp amber "$T/e2e"
check "--sensor e2e: not the other sensor's address" sh -c "! grep -q '127.0.0.4' '$T/se2e.out'"
rep sother export --format stix --since "$SINCE" --sensor other
check "--sensor other: its values only" verify sother stix amber "$T/other"
check "--sensor other: not the campaign's address" sh -c "! grep -q '127.0.0.2' '$T/sother.out'"
rep snone export --format misp --sensor nowhere
check_eq "--sensor with no sessions: exit 1" 1 "$(rc snone)"
check "an empty event all the same" python3 -c "import json,sys; assert json.load(open(sys.argv[1]))['Event']['Attribute'] == []" "$T/snone.out"

stop_daemon TERM
check_no_crash
e2e_done
