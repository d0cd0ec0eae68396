#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# spampot-report against a real MariaDB that the real analyzer filled from
# sessions sent by real clients (smtplib, swaks) from several loopback
# addresses, IPv4 and IPv6: summary, every kind of top, session, search,
# the time window and --sensor, as text (exact, at most 80 columns, no raw
# control byte), JSON (parsed) and CSV (exact but for control bytes, shown
# as text shows them). It connects as an analyst made by spampot-dbsetup
# --reader, and as the analyzer's own user.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/db.sh"

REPORT="$SPAMPOT_BUILDDIR/src/spampot-report"
READER_PW="$T/analyst.password"

db_start
db_setup --reader analyst --reader-password-file "$READER_PW"
# The rfc821 persona offers AUTH PLAIN and LOGIN only: smtplib logs in
# with PLAIN once, where it would try the CRAM-MD5 that postfix-debian
# offers first (a record more, see 057-personas.sh).
db_config "listen = 127.0.0.1:$PORT [::1]:$PORT" \
    "pattern btc = \\b[13][a-km-zA-HJ-NP-Z1-9]{25,34}\\b" "persona = rfc821"
start_daemon
start_analyzer

# --- the captures -------------------------------------------------------------
# A (127.0.0.2): two messages, one with an attachment, AUTH admin
# B (127.0.0.3, swaks): the same attachment, AUTH root
# C (127.0.0.2): AUTH only
# D (::1): a message, a second later than C
# E (127.0.0.4): hostile: markup and terminal escapes, a long subject
head -c 3000 /dev/urandom > "$T/invoice.pdf.exe"
send() {
	python3 - "$PORT" "$T" "$1" <<'PY'
import smtplib, socket, sys
from email.message import EmailMessage
port, tmp, which = int(sys.argv[1]), sys.argv[2], sys.argv[3]
att = open(tmp + "/invoice.pdf.exe", "rb").read()

def smtp(src, helo, family=socket.AF_INET):
    if family == socket.AF_INET6:
        s = smtplib.SMTP(local_hostname=helo, timeout=10)
        s.connect("::1", port)
        return s
    return smtplib.SMTP("127.0.0.1", port, local_hostname=helo,
                        source_address=(src, 0), timeout=10)

if which == "A":
    s = smtp("127.0.0.2", "bot-a.example")
    s.login("admin", "P@ssw0rd!")
    m = EmailMessage()
    m["From"] = "Lottery <winner@lucky-prize.example.com>"
    m["To"] = "victim@example.net"
    m["Subject"] = "Félicitations, vous avez gagné"
    m["Received"] = "from bot (unknown [198.51.100.23]) by relay"
    m.set_content("Claim at http://claim.lucky-prize.example.com/now?id=1 "
                  "BTC 1BoatSLRHtKNngkdXEeobR76b53LETtpyT\n")
    m.add_attachment(att, maintype="application", subtype="octet-stream",
                     filename="invoice.pdf.exe")
    s.sendmail("winner@lucky-prize.example.com",
               ["victim@example.net", "second@Example.ORG"], bytes(m))
    s.sendmail("winner@lucky-prize.example.com", ["victim@example.net"],
               b"Subject: Invoice 42\r\n\r\nsee https://evil.example.co.uk/x\r\n")
    s.quit()
elif which == "C":
    s = smtp("127.0.0.2", "bot-a.example")
    s.login("admin", "123456")
    s.quit()
elif which == "D":
    s = smtp(None, "v6.example", socket.AF_INET6)
    s.sendmail("v6@ipv6.example", ["x@example.net"],
               b"Subject: IPv6 hello\r\n\r\nhello over IPv6\r\n")
    s.quit()
elif which == "E":
    s = smtp("127.0.0.4", "<b>hostile</b>")
    s.login("<script>alert(1)</script>", "pw\x1b[2J")
    subject = (b"<img src=x onerror=alert(1)> \x1b[31mRED\x1b[0m " +
               b"long " * 40).strip()
    s.sendmail("evil@hostile.example", ["victim@example.net"],
               b"Subject: " + subject + b"\r\n\r\nhello\r\n")
    s.quit()
PY
}
sessions() { db_scalar 'SELECT COUNT(*) FROM sessions'; }
imported() { [ "$(sessions)" -ge "$1" ]; }
send A && wait_for 10 imported 1
swaks --server "127.0.0.1:$PORT" --local-interface 127.0.0.3 \
    --ehlo swaks.example --auth LOGIN --auth-user root --auth-password 123456 \
    --from spam@bulk.example.org --to victim@example.net \
    --header "Subject: Invoice 42" --body "see https://evil.example.co.uk/x" \
    --attach-type application/octet-stream --attach @"$T/invoice.pdf.exe" \
    --silent 2 > /dev/null
check_eq "swaks session sent" 0 "$?"
wait_for 10 imported 2
send C && wait_for 10 imported 3
sleep 1.2	# D starts in a later second than C: a window between them
send D && wait_for 10 imported 4
send E
check "all five sessions imported" wait_for 10 imported 5

# The oracle: what the tables hold, read directly by root.
q() { db_query "$1"; }
key() { db_scalar "SELECT session_key FROM sessions WHERE $1 ORDER BY id LIMIT 1"; }
KA=$(key "client_ip = '127.0.0.2' AND messages = 2")
KB=$(key "client_ip = '127.0.0.3'")
KC=$(key "client_ip = '127.0.0.2' AND messages = 0")
KD=$(key "client_ip = '::1'")
KE=$(key "client_ip = '127.0.0.4'")
check "five distinct sessions" test "$(printf '%s\n' "$KA" "$KB" "$KC" "$KD" "$KE" | sort -u | grep -c .)" -eq 5
# iso KEY: that session's start, as JSON/CSV print it; min KEY: as text does
iso() { db_scalar "SELECT DATE_FORMAT(started_at, '%Y-%m-%dT%H:%i:%sZ') FROM sessions WHERE session_key = '$1'"; }
min() { db_scalar "SELECT DATE_FORMAT(started_at, '%Y-%m-%d %H:%i') FROM sessions WHERE session_key = '$1'"; }
ATT_SHA=$(sha256sum < "$T/invoice.pdf.exe" | cut -d' ' -f1)
ATT_MD5=$(md5sum < "$T/invoice.pdf.exe" | cut -d' ' -f1)

# rep NAME ARGS...: spampot-report as the analyst; $T/NAME.{out,err,rc}
rep() {
	local name=$1
	shift
	"$REPORT" -c "$CONF" --user analyst --password-file "$READER_PW" "$@" \
	    > "$T/$name.out" 2> "$T/$name.err"
	echo $? > "$T/$name.rc"
}
rc() { cat "$T/$1.rc"; }
out() { cat "$T/$1.out"; }
err() { cat "$T/$1.err"; }
# rows NAME KEYS: the JSON rows of NAME.out, "v1 v2;v1 v2;..." (null: -)
rows() {
	python3 - "$T/$1.out" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
keys = sys.argv[2].split(",")
print(";".join(" ".join("-" if r[k] is None else str(r[k]) for k in keys)
               for r in d["rows"]))
PY
}
# jq-like: jget NAME PYTHON-EXPR-ON-d
jget() {
	python3 - "$T/$1.out" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print(eval(sys.argv[2]))
PY
}
# Text fits 80 columns (by display width) and holds no raw control byte.
text_ok() {
	python3 - "$T/$1.out" <<'PY'
import sys, unicodedata
data = open(sys.argv[1], "rb").read()
bad = [c for c in data if (c < 0x20 and c != 0x0a) or c == 0x7f]
if bad:
    sys.exit("control bytes: %r" % bad[:5])
for line in data.decode("utf-8").split("\n"):
    w = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)
    if w > 80:
        sys.exit("%d columns: %s" % (w, line))
PY
}

# --- summary --------------------------------------------------------------------
rep summary summary
check_eq "summary: exit 0" 0 "$(rc summary)"
check "summary: text fits 80 columns" text_ok summary
check_eq "summary: the numbers" \
    "sessions 5|messages 5|client addresses 4|recipients 6|URLs 3|attachments 2|credentials tried 4" \
    "$(sed -n '2,8p' "$T/summary.out" | sed 's/  */ /g' | paste -sd'|')"
check "summary: newest session is E's" grep -q "^newest session .* from 127.0.0.4$" "$T/summary.out"
rep summary-json summary --format json
check_eq "summary json: numbers" "5 5 4 6 3 2 4" \
    "$(jget summary-json '" ".join(str(d[k]) for k in ["sessions","messages","client_ips","recipients","urls","attachments","credentials"])')"
check_eq "summary json: newest session" "$KE $(iso "$KE")" \
    "$(jget summary-json 'd["newest_session"]["session"] + " " + d["newest_session"]["started_at"]')"
check_eq "summary json: first and last session" "$(iso "$KA") $(iso "$KE")" \
    "$(jget summary-json 'd["first_session"] + " " + d["last_session"]')"
BUSY=$(q "SELECT DATE_FORMAT(started_at, '%Y-%m-%dT%H:00:00Z'), COUNT(*) FROM sessions GROUP BY 1 ORDER BY 2 DESC, 1 DESC LIMIT 1" | tr '\t' ' ')
check_eq "summary json: busiest hour" "$BUSY" \
    "$(jget summary-json 'd["busiest_hour"]["hour"] + " " + str(d["busiest_hour"]["sessions"])')"
check_eq "summary json: window and sensor" "None None None" \
    "$(jget summary-json 'str(d["since"]) + " " + str(d["until"]) + " " + str(d["sensor"])')"
rep summary-csv summary --format csv
check_eq "summary csv: header and first rows" "key,value|sessions,5|messages,5|client_ips,4" \
    "$(head -n 4 "$T/summary-csv.out" | tr -d '\r' | paste -sd'|')"

# --- top: every kind ---------------------------------------------------------
# ties: the value seen last first
top() { rep "top-$1" top "$1" --format json "${@:2}"; rows "top-$1" "${TOPKEYS:-value,count}"; }
check_eq "top client-ip" "127.0.0.2 2;127.0.0.4 1;::1 1;127.0.0.3 1" "$(top client-ip)"
check_eq "top client-ip: first and last seen" \
    "$(iso "$KA") $(iso "$KC");$(iso "$KE") $(iso "$KE");$(iso "$KD") $(iso "$KD");$(iso "$KB") $(iso "$KB")" \
    "$(TOPKEYS=first_seen,last_seen top client-ip)"
check_eq "top helo" "bot-a.example 2;<b>hostile</b> 1;v6.example 1;swaks.example 1" "$(top helo)"
check_eq "top sender" \
    "winner@lucky-prize.example.com 2;evil@hostile.example 1;v6@ipv6.example 1;spam@bulk.example.org 1" \
    "$(top sender)"
check_eq "top rcpt-domain" "example.net 5;example.org 1" "$(top rcpt-domain)"
check_eq "top url" "https://evil.example.co.uk/x 2;http://claim.lucky-prize.example.com/now?id=1 1" "$(top url)"
check_eq "top url-host" "evil.example.co.uk 2;claim.lucky-prize.example.com 1" "$(top url-host)"
check_eq "top msg-ip" "198.51.100.23 1" "$(top msg-ip)"
check_eq "top username" "admin 2;<script>alert(1)</script> 1;root 1" "$(top username)"
check_eq "top password" "123456 2;pw\x1b[2J 1;P@ssw0rd! 1" "$(top password | sed 's/\x1b/\\x1b/')"
check_eq "top credential" \
    "<script>alert(1)</script>:pw\x1b[2J 1;admin:123456 1;root:123456 1;admin:P@ssw0rd! 1" \
    "$(top credential | sed 's/\x1b/\\x1b/')"
check_eq "top credential: username and password apart" "admin 123456" \
    "$(TOPKEYS=username,password top credential | cut -d';' -f2)"
check_eq "top attachment" "$ATT_SHA 2 invoice.pdf.exe 3000" \
    "$(TOPKEYS=value,count,filename,size top attachment)"
check_eq "top attachment: md5" "$ATT_MD5" "$(TOPKEYS=md5 top attachment)"
check_eq "top btc (a custom pattern)" "1BoatSLRHtKNngkdXEeobR76b53LETtpyT 1" "$(top btc)"
check_eq "top pattern:btc" "1BoatSLRHtKNngkdXEeobR76b53LETtpyT 1" "$(top pattern:btc)"
check_eq "top subject: Invoice 42 twice" "Invoice 42 2" "$(top subject | cut -d';' -f1)"
check_eq "top subject: 4 values" 4 "$(top subject | tr ';' '\n' | wc -l)"
# the pattern kinds read patterns.total: the same as the oracle's
for kind in domain email; do
	check_eq "top $kind: as in patterns" \
	    "$(q "SELECT value, total FROM patterns WHERE kind = '$kind' ORDER BY total DESC, last_seen DESC, id DESC LIMIT 20" | tr '\t' ' ' | paste -sd';')" \
	    "$(top $kind)"
done
check_eq "top domain --limit 2: two rows" 2 "$(top domain --limit 2 | tr ';' '\n' | wc -l)"
check_eq "top country: none without GeoIP (exit 1)" "1 nothing found" \
    "$(rep c top country; echo "$(rc c) $(err c | sed 's/^spampot-report: //')")"

# Text: exact, aligned, 80 columns, escapes.
rep top-ip-text top client-ip
{
	echo "COUNT  FIRST SEEN        LAST SEEN         CC  CLIENT ADDRESS"
	printf '%5s  %s  %s      %s\n' 2 "$(min "$KA")" "$(min "$KC")" 127.0.0.2 \
	    1 "$(min "$KE")" "$(min "$KE")" 127.0.0.4 \
	    1 "$(min "$KD")" "$(min "$KD")" ::1 \
	    1 "$(min "$KB")" "$(min "$KB")" 127.0.0.3
} > "$T/top-ip.expected"
check "top client-ip: text exactly" diff -u "$T/top-ip.expected" "$T/top-ip-text.out"
rep top-att-text top attachment
{
	echo "COUNT  FIRST SEEN        LAST SEEN         FILE NAME (LAST SEEN)"
	printf '%5s  %s  %s  %s\n' 2 "$(min "$KA")" "$(min "$KB")" invoice.pdf.exe
	echo "       sha256 $ATT_SHA"
} > "$T/top-att.expected"
check "top attachment: text exactly, the hash on its own line" diff -u "$T/top-att.expected" "$T/top-att-text.out"
rep top-subject-text top subject
check "top subject: text fits 80 columns, escapes shown" text_ok top-subject-text
check "top subject: the long one cut with ..." grep -q '  <img src=x onerror=alert(1)> \\x1b\[.*\.\.\.$' "$T/top-subject-text.out"
rep top-cred-text top credential
check "top credential: the escape shown as \\x1b" grep -q '<script>alert(1)</script>:pw\\x1b\[2J$' "$T/top-cred-text.out"
for kind in helo sender rcpt-domain url url-host domain msg-ip email username password; do
	rep "t-$kind" top "$kind"
	check "top $kind: text exit 0, fits 80 columns" test "$(rc "t-$kind")" = 0 -a -n "$(text_ok "t-$kind" && echo ok)"
done

# CSV: exact.
rep top-ip-csv top client-ip --format csv --limit 2
printf 'count,first_seen,last_seen,country,value,asn,as_org\r\n2,%s,%s,,127.0.0.2,,\r\n1,%s,%s,,127.0.0.4,,\r\n' \
    "$(iso "$KA")" "$(iso "$KC")" "$(iso "$KE")" "$(iso "$KE")" > "$T/top-ip-csv.expected"
check "top client-ip: CSV exactly" cmp "$T/top-ip-csv.expected" "$T/top-ip-csv.out"
rep top-cred-csv top credential --format csv
check_eq "top credential: CSV quotes nothing it need not, parses back, ESC as \\x1b" \
    "<script>alert(1)</script>:pw\x1b[2J|admin:123456|root:123456|admin:P@ssw0rd!" \
    "$(python3 -c 'import csv,sys; print("|".join(r["value"] for r in csv.DictReader(open(sys.argv[1], newline=""))))' "$T/top-cred-csv.out")"
rep top-subj-csv top subject --format csv
check_eq "top subject: CSV of the hostile subject, exact but its ESC as \\x1b" \
    "$(q "SELECT value FROM patterns WHERE kind = 'subject' AND value LIKE '<img%'" | sed 's/\x1b/\\x1b/g')" \
    "$(python3 -c 'import csv,sys; print([r["value"] for r in csv.DictReader(open(sys.argv[1], newline="")) if r["value"].startswith("<img")][0])' "$T/top-subj-csv.out")"

# --- the time window, the sensor ------------------------------------------------
SPLIT=$(db_scalar "SELECT DATE_FORMAT(started_at, '%Y-%m-%dT%H:%i:%s') FROM sessions WHERE session_key = '$KD'")
check_eq "--since D's second: D and E only" "127.0.0.4 1;::1 1" "$(top client-ip --since "$SPLIT")"
check_eq "--until D's second: A, B, C" "127.0.0.2 2;127.0.0.3 1" "$(top client-ip --until "$SPLIT")"
check_eq "--since (a pattern kind, windowed): subjects of D and E" \
    "$(q "SELECT subject FROM messages WHERE session_id IN (SELECT id FROM sessions WHERE session_key IN ('$KD','$KE')) ORDER BY received_at DESC" | sed 's/$/ 1/' | paste -sd';')" \
    "$(top subject --since "$SPLIT")"
check_eq "--until (username, windowed): admin twice, root" "admin 2;root 1" "$(top username --until "$SPLIT")"
check_eq "--since 1h: everything" "127.0.0.2 2;127.0.0.4 1;::1 1;127.0.0.3 1" "$(top client-ip --since 1h)"
check_eq "--since 1h --sensor e2e: everything" "winner@lucky-prize.example.com 2" "$(top sender --since 1h --sensor e2e --limit 1)"
check_eq "--sensor e2e on a pattern kind" "admin 2;<script>alert(1)</script> 1;root 1" "$(top username --sensor e2e)"
rep other top client-ip --sensor other-sensor
check_eq "--sensor another: nothing found, exit 1" "1 spampot-report: nothing found" "$(rc other) $(err other)"
rep future summary --since 2099-01-01 --format json
check_eq "a window with nothing: summary exit 1, zeros" "1 0" "$(rc future) $(jget future 'd["sessions"]')"
rep until summary --until "$SPLIT" --format json
check_eq "--until: the window in the JSON" "${SPLIT}Z 3" "$(jget until 'd["until"] + " " + str(d["sessions"])')"

# --- session --------------------------------------------------------------------
rep sess-a session "$KA" --format json
check_eq "session: exit 0" 0 "$(rc sess-a)"
check_eq "session json: addresses, HELO, counts" \
    "$KA 127.0.0.2 $PORT 127.0.0.1 bot-a.example EHLO quit 2" \
    "$(jget sess-a '" ".join(str(d["sessions"][0][k]) for k in ["session","client_ip","server_port","server_ip","helo","helo_verb","end_reason","messages"])')"
check_eq "session json: credentials" "PLAIN ok admin P@ssw0rd!" \
    "$(jget sess-a '" ".join(d["sessions"][0]["auth"][0][k] for k in ["mechanism","status","username","password"])')"
check_eq "session json: envelope of message 1" \
    "1 winner@lucky-prize.example.com victim@example.net,second@Example.ORG" \
    "$(jget sess-a 'str(d["sessions"][0]["mail"][0]["seq"]) + " " + d["sessions"][0]["mail"][0]["mail_from"] + " " + ",".join(d["sessions"][0]["mail"][0]["rcpt_to"])')"
check_eq "session json: subject, URL, attachment" \
    "Félicitations, vous avez gagné|http://claim.lucky-prize.example.com/now?id=1|invoice.pdf.exe $ATT_SHA" \
    "$(jget sess-a '(lambda m: m["subject"] + "|" + m["urls"][0]["url"] + "|" + m["attachments"][0]["filename"] + " " + m["attachments"][0]["sha256"])(d["sessions"][0]["mail"][0])')"
check_eq "session json: message 2" "Invoice 42 https://evil.example.co.uk/x" \
    "$(jget sess-a '(lambda m: m["subject"] + " " + m["urls"][0]["url"])(d["sessions"][0]["mail"][1])')"
check_eq "session json: sha256 of the DATA as stored" \
    "$(q "SELECT sha256 FROM messages m JOIN sessions s ON s.id = m.session_id WHERE s.session_key = '$KA' ORDER BY seq" | paste -sd,)" \
    "$(jget sess-a '",".join(m["sha256"] for m in d["sessions"][0]["mail"])')"
check "session json: the transcript" grep -q 'AUTH PLAIN' <<< "$(jget sess-a 'd["sessions"][0]["transcript"]')"
check_eq "session json: start to the microsecond" \
    "$(db_scalar "SELECT DATE_FORMAT(started_at, '%Y-%m-%dT%H:%i:%s.%fZ') FROM sessions WHERE session_key = '$KA'")" \
    "$(jget sess-a 'd["sessions"][0]["started_at"]')"
rep sess-a-text session "$KA"
check "session text: fits 80 columns" text_ok sess-a-text
for line in "session         $KA (database id " "client          127.0.0.2 port " \
    "helo            EHLO bot-a.example" "auth            PLAIN ok user admin password P@ssw0rd!" \
    "message 1       " "  from          winner@lucky-prize.example.com" \
    "  to            second@Example.ORG" "  subject       Félicitations, vous avez gagné" \
    "  url           http://claim.lucky-prize.example.com/now?id=1" \
    "  attachment    invoice.pdf.exe, application/octet-stream, 3000 bytes" \
    "    sha256      $ATT_SHA" "  btc           1BoatSLRHtKNngkdXEeobR76b53LETtpyT" \
    "transcript" "  C "; do
	check "session text: '$line'" grep -qF -- "$line" "$T/sess-a-text.out"
done
SPOOL_E=$(db_scalar "SELECT spool_name FROM sessions WHERE session_key = '$KE'")
rep sess-e session "$SPOOL_E"
check_eq "session by spool file name: exit 0" 0 "$(rc sess-e)"
check "session E: fits 80 columns, escapes shown" text_ok sess-e
check "session E: the long subject folded, not cut" \
    test "$(grep -c '^                [^ ]' "$T/sess-e.out")" -ge 2
rep sess-id session "$(db_scalar "SELECT id FROM sessions WHERE session_key = '$KD'")" --format json
check_eq "session by database id: D over IPv6" "::1 v6.example" "$(jget sess-id 'd["sessions"][0]["client_ip"] + " " + d["sessions"][0]["helo"]')"
rep sess-none session 0123456789abcdef
check_eq "session unknown: exit 1, said" "1 spampot-report: no session '0123456789abcdef'" "$(rc sess-none) $(err sess-none)"

# --- search ---------------------------------------------------------------------
srch() { rep "s" search --format json "$@"; rows s "${SKEYS:-session,message}"; }
check_eq "search --ip 127.0.0.2: its sessions, newest first" "$KC -;$KA -" "$(srch --ip 127.0.0.2)"
check_eq "search --ip 127.0.0.0/30 (CIDR)" "$KC -;$KB -;$KA -" "$(srch --ip 127.0.0.0/30)"
check_eq "search --ip 127.0.0.4/32" "$KE -" "$(srch --ip 127.0.0.4/32)"
check_eq "search --ip ::1 (IPv6)" "$KD -" "$(srch --ip ::1)"
check_eq "search --ip ::/127 (IPv6 CIDR)" "$KD -" "$(srch --ip ::/127)"
check_eq "search --ip ::ffff:127.0.0.0/126 (IPv4 as mapped)" "$KC -;$KB -;$KA -" "$(srch --ip ::ffff:127.0.0.0/126)"
check_eq "search --address victim@example.net" "$KE 1;$KB 1;$KA 2;$KA 1" \
    "$(srch --address victim@example.net)"
check_eq "search --address (envelope sender)" "$KB 1" "$(srch --address spam@bulk.example.org)"
check_eq "search --domain example.org (a recipient's; bulk.example.org's)" \
    "$KB 1;$KA 1" "$(srch --domain EXAMPLE.org)"
check_eq "search --domain example.co.uk (registrable domain of a URL host)" "$KB 1;$KA 2" "$(srch --domain example.co.uk)"
check_eq "search --domain evil.example.co.uk (URL host)" "$KB 1;$KA 2" "$(srch --domain evil.example.co.uk)"
check_eq "search --url claim" "$KA 1" "$(srch --url claim)"
check_eq "search --url with LIKE wildcards is literal" "" "$(srch --url 'cl%m')"
check_eq "search --hash (attachment SHA-256)" "$KB 1;$KA 1" "$(srch --hash "$ATT_SHA")"
check_eq "search --hash (attachment MD5, upper case)" "$KB 1;$KA 1" "$(srch --hash "${ATT_MD5^^}")"
D_SHA=$(q "SELECT m.sha256 FROM messages m JOIN sessions s ON s.id = m.session_id WHERE s.session_key = '$KD'")
check_eq "search --hash (message SHA-256)" "$KD 1" "$(srch --hash "$D_SHA")"
check_eq "search --subject Invoice" "$KB 1;$KA 2" "$(srch --subject Invoice)"
check_eq "search --subject Invoice --ip 127.0.0.3 (both)" "$KB 1" "$(srch --subject Invoice --ip 127.0.0.3)"
check_eq "search --subject, its values" "Invoice 42 spam@bulk.example.org" \
    "$(SKEYS=subject,mail_from srch --subject 'voice' --ip 127.0.0.3)"
check_eq "search --since D: sessions D, E" "$KE -;$KD -" "$(srch --since "$SPLIT")"
check_eq "search --address --until D" "$KB 1;$KA 2;$KA 1" "$(srch --address victim@example.net --until "$SPLIT")"
check_eq "search --limit 1" "$KE -" "$(srch --limit 1)"
# enough rows among the newest messages: the first of the two steps answers
check_eq "search --address --limit 2 (newest first)" "$KE 1;$KB 1" "$(srch --address victim@example.net --limit 2)"
check_eq "search --domain --limit 1" "$KB 1" "$(srch --domain example.co.uk --limit 1)"
check_eq "search --url --limit 1" "$KA 1" "$(srch --url claim --limit 1)"
check_eq "search --url --limit 1, no wildcard" "" "$(srch --url 'cl_im' --limit 1)"
check_eq "search --hash --limit 1" "$KB 1" "$(srch --hash "$ATT_SHA" --limit 1)"
check_eq "search --hash (MD5) --limit 1" "$KB 1" "$(srch --hash "$ATT_MD5" --limit 1)"
check_eq "search --hash (message) --limit 1" "$KD 1" "$(srch --hash "$D_SHA" --limit 1)"
check_eq "search --subject --limit 1" "$KB 1" "$(srch --subject Invoice --limit 1)"
check_eq "search --subject --limit 1, % is literal" "" "$(srch --subject 'In%ce' --limit 1)"
check_eq "search --address (the sender) --limit 1" "$KA 2" "$(srch --address winner@lucky-prize.example.com --limit 1)"
rep s-none search --subject 'no such subject'
check_eq "search: nothing found, exit 1" "1 spampot-report: nothing found" "$(rc s-none) $(err s-none)"
rep s-json-none search --subject 'no such subject' --format json
check_eq "search json: nothing found is an empty list, exit 1" "1 0" "$(rc s-json-none) $(jget s-json-none 'len(d["rows"])')"
rep s-text search --address victim@example.net
check "search text: fits 80 columns, escapes shown" text_ok s-text
check "search text: the subject on its own line" grep -q '^                  subject Invoice 42$' "$T/s-text.out"
rep s-csv search --ip 127.0.0.3 --format csv
check_eq "search csv: the header" \
    "started_at,client_ip,country,session,spool_name,sensor,helo,end_reason,messages,message,mail_from,subject" \
    "$(head -n 1 "$T/s-csv.out" | tr -d '\r')"
check_eq "search csv: the row" \
    "$(iso "$KB"),127.0.0.3,,$KB,$(db_scalar "SELECT spool_name FROM sessions WHERE session_key = '$KB'"),e2e,swaks.example,quit,1,,," \
    "$(sed -n 2p "$T/s-csv.out" | tr -d '\r')"

# Every JSON document parses; every text fits.
for f in "$T"/*.out; do
	n=$(basename "$f" .out)
	if head -c 1 "$f" | grep -q '{'; then
		python3 -m json.tool "$f" > /dev/null 2>&1 || fail "$n: not JSON"
	fi
done
ok "every JSON output parses"

# --- who may run it ---------------------------------------------------------------
# As the analyzer's own user, from its Unix user, with the config's file.
out=$(runuser -u spampot-analyzer -- "$REPORT" -c "$CONF" top client-ip --limit 1 --format csv 2>&1)
check_eq "the analyzer's database user may run it" "2" "$(tail -n 1 <<< "$out" | cut -d, -f1)"
# The analyst may not write: the role is SELECT only.
check "the analyst cannot write" grep -q "command denied" \
    <(db_query_as root analyst "$READER_PW" "DELETE FROM sessions" 2>&1)

check_no_crash
e2e_done
