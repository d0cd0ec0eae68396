#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# Campaigns, attachments looked into, YARA (spampot-analyzer(8)). Real
# clients send two campaigns whose copies differ as real ones do (names,
# numbers, tracking links; one copy with a sentence more), a message of
# its own, an executable zipped as invoice.pdf and a zip encrypted with a
# password the text gives. The analyzer groups the copies, lists the
# archives' members with their hashes and real types, runs the rules of
# yara_rules_dir; everything is in the database as the report shows it,
# in text, JSON and CSV. A rule that does not compile is an error naming
# file and line, at start and on SIGHUP (the old rules stay). Rebuilding
# the campaigns with the same thresholds gives exactly what online
# assignment gave; other thresholds group otherwise.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/db.sh"

REPORT="$SPAMPOT_BUILDDIR/src/spampot-report"
READER_PW="$T/analyst.password"
DATA="$SPAMPOT_SRCDIR/tests/data"

mkdir -p "$T/yara"
cat > "$T/yara/mail.yar" <<'EOF'
rule Phish_Verify_Account : phishing
{
	meta:
		description = "asks to verify an account"
		score = 70
	strings:
		$a = "verify your account" nocase
	condition:
		$a
}
EOF
cat > "$T/yara/exe.yar" <<'EOF'
import "pe"
rule Mail_PE_Executable : executable
{
	condition:
		uint16(0) == 0x5A4D and pe.is_pe
}
EOF
chmod -R a+rX "$T/yara"

db_start
db_setup --reader analyst --reader-password-file "$READER_PW"
db_config "yara_rules_dir = $T/yara" "persona = rfc821"
start_daemon

# A broken rule stops the analyzer at start, naming the file and line.
cp "$T/yara/mail.yar" "$T/mail.yar.good"
printf 'rule Broken\n{\n\tcondition:\n\t\tnot_a_thing and\n}\n' > "$T/yara/zz.yar"
out=$("$SPAMPOT_ANALYZER" -t -c "$CONF" 2>&1)
check_eq "-t: a rule that does not compile: exit 1" 1 "$?"
check "-t: the error names file and line" grep -q "YARA rules: $T/yara/zz.yar:[45]: " <<< "$out"
"$SPAMPOT_ANALYZER" -f -c "$CONF" > "$T/broken.log" 2>&1
check_eq "the analyzer does not start with it" 1 "$?"
check "and says where" grep -q "$T/yara/zz.yar:[45]: " "$T/broken.log"
rm "$T/yara/zz.yar"
out=$("$SPAMPOT_ANALYZER" -t -c "$CONF" 2>&1)
check "-t: the rules compile" grep -q "$T/yara: 2 YARA rules" <<< "$out"
start_analyzer
check "the analyzer says how many rules" analyzer_log_has "YARA rules: 2 from $T/yara"

# --- the captures ---------------------------------------------------------
cp "$DATA/yara/samples/tiny.exe" "$T/invoice.pdf"
(cd "$T" && python3 -c "
import zipfile
with zipfile.ZipFile('exe.zip', 'w', zipfile.ZIP_DEFLATED) as z:
    z.write('invoice.pdf')
")
printf 'quarterly figures attached\n' > "$T/report.txt"
(cd "$T" && zip -q -P 'Xk42pq' locked.zip report.txt invoice.pdf)
cp "$DATA/inspect/bomb.zip" "$T/bomb.zip"	# 4 MiB of zeros in 4 KiB
send() {
	python3 - "$PORT" "$T" <<'PY'
import smtplib, sys
from email.message import EmailMessage
port, tmp = int(sys.argv[1]), sys.argv[2]

PHISH = ("Dear {name},\n\nWe noticed unusual sign-in activity on your "
         "mailbox on {date}. To keep your access, please verify your "
         "account within {hours} hours by following the secure link "
         "below:\n\nhttps://secure-login.phish.example/verify?u={token}\n\n"
         "If you do not verify your account, your mailbox {box} will be "
         "suspended and all {count} messages deleted.{extra}\n\nThe "
         "Webmail Security Team\nTicket {ticket}\n")
LOTTO = ("CONGRATULATIONS {name}!\n\nYour e-mail address was selected in "
         "the international online lottery draw number {draw}. You have won "
         "the sum of {amount} EURO. To claim your prize contact our agent "
         "Mr. Johnson Okoro with your full name, address and telephone "
         "number. Claim reference {ref}. Visit "
         "http://claims.lotto-prize.example/c/{token} for details.\n\nBest "
         "regards,\nMrs. Maria Gonzales\nLottery Coordinator\n")

def session(src, msgs):
    s = smtplib.SMTP("127.0.0.1", port, local_hostname="bot.example",
                     source_address=(src, 0), timeout=20)
    for frm, rcpt, m in msgs:
        s.sendmail(frm, [rcpt], bytes(m))
    s.quit()

def text(subject, body, rcpt):
    m = EmailMessage()
    m["From"] = "Support <support@phish.example>"
    m["To"] = rcpt
    m["Subject"] = subject
    m.set_content(body)
    return m

names = ["john.smith", "maria.lopez", "kevin.wong", "peter", "anna.berg",
         "olga.ivanova"]
phish = []
for i, n in enumerate(names):
    rcpt = n + "@victims.example"
    body = PHISH.format(name=n.split(".")[0].title(), date="2026-11-%02d" %
                        (i + 3), hours=24 + i, token="%08x%d" % (
                        0x9e3779b9 * (i + 1) & 0xffffffff, i), box=rcpt,
                        count=1200 + 37 * i, ticket=90000 + i * 7,
                        extra=" Please act now." if i == 5 else "")
    phish.append(("support@phish.example", rcpt,
                  text("Action required: account %d" % (500 + i), body, rcpt)))
lotto = []
for i in range(4):
    rcpt = "winner%d@lucky.example" % i
    body = LOTTO.format(name="Winner %d" % i, draw=4411 + i,
                        amount="{:,}".format(850000 + 1000 * i),
                        ref="LP/%d/%04d" % (2026, i * 13), token="x%dq%d" %
                        (i * 7919, i))
    lotto.append(("promo@lotto-prize.example", rcpt,
                  text("You have won %d EURO" % (850000 + 1000 * i), body,
                       rcpt)))
one = text("Meeting tomorrow", "Hi,\n\nshall we move our meeting to ten "
           "o'clock? The room on the second floor is free then.\n\nBest,\n"
           "Sam\n", "sam@colleagues.example")

exe = text("Invoice", "Please find the invoice attached.\n", "ap@corp.example")
exe.add_attachment(open(tmp + "/exe.zip", "rb").read(),
                   maintype="application", subtype="zip", filename="invoice.zip")
bomb = text("Statement", "Your statement is attached.\n", "ap@corp.example")
bomb.add_attachment(open(tmp + "/bomb.zip", "rb").read(),
                    maintype="application", subtype="zip", filename="statement.zip")
locked = text("Payment advice", "Your payment advice is attached.\n"
              "Archive password: Xk42pq\n", "ap@corp.example")
locked.add_attachment(open(tmp + "/locked.zip", "rb").read(),
                      maintype="application", subtype="zip",
                      filename="advice.zip")

session("127.0.0.2", phish[:3] + lotto[:2])
session("127.0.0.3", phish[3:] + lotto[2:])
session("127.0.0.4", [("sam@colleagues.example", "sam@colleagues.example", one),
                      ("billing@corp.example", "ap@corp.example", exe),
                      ("billing@corp.example", "ap@corp.example", locked),
                      ("billing@corp.example", "ap@corp.example", bomb)])
PY
}
messages() { db_scalar 'SELECT COUNT(*) FROM messages'; }
imported() { [ "$(messages)" -ge "$1" ] && spool_count_is new 0; }
check "the captures sent" send
check "14 messages imported" wait_for 30 imported 14

q() { db_query "$1" | tr '\t' ' '; }
camp() { db_scalar "SELECT campaign_id FROM messages WHERE subject = '$1'"; }
PH=$(camp "Action required: account 500")
LO=$(camp "You have won 850000 EURO")
check "every message has a template and an ssdeep digest" test \
    "$(db_scalar 'SELECT COUNT(*) FROM messages WHERE template REGEXP "^[0-9a-f]{64}$" AND ssdeep REGEXP "^[0-9]+:"')" -eq 14
check_eq "the long texts have a TLSH digest too, the short ones none" "10 0" \
    "$(q "SELECT SUM(tlsh REGEXP '^[0-9A-F]{70}$' AND (subject LIKE 'Action%' OR subject LIKE 'You have won%')), SUM(tlsh IS NOT NULL AND subject IN ('Invoice', 'Payment advice')) FROM messages")"
check_eq "the phishing copies: one campaign" "6 1" \
    "$(q "SELECT COUNT(*), COUNT(DISTINCT campaign_id) FROM messages WHERE subject LIKE 'Action required%'")"
check_eq "the five alike share a template; the sixth does not" "2" \
    "$(db_scalar "SELECT COUNT(DISTINCT template) FROM messages WHERE campaign_id = $PH")"
check_eq "the lottery copies: one campaign of their own" "4 1 1" \
    "$(q "SELECT COUNT(*), COUNT(DISTINCT campaign_id), MIN(campaign_id) <> $PH FROM messages WHERE subject LIKE 'You have won%'")"
check_eq "the campaign id: the first 52 bits of its first message's template" "$PH" \
    "$(db_scalar "SELECT CONV(LEFT(template, 13), 16, 10) FROM messages WHERE subject = 'Action required: account 500'")"
check_eq "campaigns: messages, sources, sensors, link domains, subject" \
    "6 2 1 phish.example Action required: account 500" \
    "$(q "SELECT messages, clients, sensors, domains, subject FROM campaigns WHERE id = $PH")"
check_eq "campaign_clients: each source with its messages" "127.0.0.2 3|127.0.0.3 3" \
    "$(q "SELECT client_ip, n FROM campaign_clients WHERE campaign_id = $PH ORDER BY client_ip" | paste -sd'|')"
check_eq "campaign_domains: the link domain, counted" "phish.example 6" \
    "$(q "SELECT domain, n FROM campaign_domains WHERE campaign_id = $PH")"
check_eq "first and last seen: of its messages" "1" \
    "$(db_scalar "SELECT c.first_seen = MIN(m.received_at) AND c.last_seen = MAX(m.received_at) FROM campaigns c JOIN messages m ON m.campaign_id = c.id WHERE c.id = $PH")"

# --- attachments ----------------------------------------------------------
EXE_SHA=$(sha256sum < "$T/invoice.pdf" | cut -d' ' -f1)
EXE_MD5=$(md5sum < "$T/invoice.pdf" | cut -d' ' -f1)
TXT_SHA=$(sha256sum < "$T/report.txt" | cut -d' ' -f1)
check_eq "the zip: its real type, an archive read whole" "application/zip 0 ok" \
    "$(q "SELECT a.real_type, a.type_mismatch, a.archive FROM attachments a JOIN messages m ON m.id = a.message_id WHERE m.subject = 'Invoice'")"
check_eq "its member: path, size, hashes, real type, flagged as not a PDF" \
    "invoice.pdf 1 $(stat -c %s "$T/invoice.pdf") $EXE_MD5 $EXE_SHA application/vnd.microsoft.portable-executable 4" \
    "$(q "SELECT x.path, x.depth, x.size, x.md5, x.sha256, x.real_type, x.flags FROM attachment_members x JOIN messages m ON m.id = x.message_id WHERE m.subject = 'Invoice'")"
check_eq "the encrypted zip: opened with the password the text gave" "decrypted Xk42pq" \
    "$(q "SELECT a.archive, a.archive_password FROM attachments a JOIN messages m ON m.id = a.message_id WHERE m.subject = 'Payment advice'")"
check_eq "its members, read and hashed" "invoice.pdf $EXE_SHA|report.txt $TXT_SHA" \
    "$(q "SELECT x.path, x.sha256 FROM attachment_members x JOIN messages m ON m.id = x.message_id WHERE m.subject = 'Payment advice' ORDER BY x.path" | paste -sd'|')"
check_eq "a zip bomb: the limit that ended it recorded, its member cut short" \
    "limit-ratio 2" \
    "$(q "SELECT a.archive, x.flags FROM attachments a JOIN messages m ON m.id = a.message_id JOIN attachment_members x ON x.message_id = m.id WHERE m.subject = 'Statement'")"

# --- YARA -------------------------------------------------------------------
check_eq "the phishing rule: on each of the six copies, as received" "6 6" \
    "$(q "SELECT COUNT(*), COUNT(att_seq IS NULL) FROM yara_matches WHERE rule = 'Phish_Verify_Account'")"
check_eq "with its namespace, tags and metadata" \
    'mail phishing {"description":"asks to verify an account","score":70}' \
    "$(q "SELECT DISTINCT namespace, tags, meta FROM yara_matches WHERE rule = 'Phish_Verify_Account'")"
check_eq "the executable rule: on the members, inside both archives" \
    "Invoice 1 invoice.pdf|Payment advice 1 invoice.pdf" \
    "$(q "SELECT m.subject, y.att_seq, y.member_path FROM yara_matches y JOIN messages m ON m.id = y.message_id WHERE y.rule = 'Mail_PE_Executable' ORDER BY m.subject" | paste -sd'|')"
check_eq "counted like patterns: kind yara" "Mail_PE_Executable 2|Phish_Verify_Account 6" \
    "$(q "SELECT value, total FROM patterns WHERE kind = 'yara' ORDER BY value" | paste -sd'|')"

# --- the report ---------------------------------------------------------------
rep() {
	local name=$1
	shift
	"$REPORT" -c "$CONF" --user analyst --password-file "$READER_PW" "$@" \
	    > "$T/$name.out" 2> "$T/$name.err"
	echo $? > "$T/$name.rc"
}
rc() { cat "$T/$1.rc"; }
out() { cat "$T/$1.out"; }
rep cj campaigns --format json
check_eq "campaigns (JSON): the largest first, with its counts and domains" \
    "$PH 6 6 2 1 phish.example|$LO 4 4 2 1 lotto-prize.example" \
    "$(python3 -c '
import json, sys
for r in json.load(sys.stdin)["rows"][:2]:
    print(r["id"], r["messages"], r["total"], r["clients"], r["sensors"], r["link_domains"])' < "$T/cj.out" | paste -sd'|')"
check_eq "campaigns (JSON): as many rows as campaigns" \
    "$(db_scalar 'SELECT COUNT(*) FROM campaigns')" \
    "$(python3 -c 'import json, sys; print(len(json.load(sys.stdin)["rows"]))' < "$T/cj.out")"
rep cw campaigns --since 1h --format json
check_eq "campaigns --since 1h: counted from the messages, the same" \
    "$(python3 -c 'import json, sys; print([(r["id"], r["messages"]) for r in json.load(sys.stdin)["rows"]])' < "$T/cj.out")" \
    "$(python3 -c 'import json, sys; print([(r["id"], r["messages"]) for r in json.load(sys.stdin)["rows"]])' < "$T/cw.out")"
rep cs campaigns --sensor elsewhere
check_eq "campaigns --sensor elsewhere: none, exit 1" "1 spampot-report: no campaign" "$(rc cs) $(cat "$T/cs.err")"
rep ct campaigns --limit 2
check "campaigns (text): the subject shown" grep -q "^$PH  *6  *2  *phish.example  *Action required" "$T/ct.out"
rep cc campaigns --format csv --limit 1
check_eq "campaigns (CSV): a header and a row" "2 id,messages,total,clients,sensors,first_seen,last_seen,link_domains,subject" \
    "$(wc -l < "$T/cc.out") $(head -n 1 "$T/cc.out" | tr -d '\r')"
rep c1 campaign "$PH" --format json
check_eq "campaign ID (JSON): sections with their rows" \
    "campaign 6|day 6|source 3 127.0.0.2|source 3 127.0.0.3|sensor 6|link-domain 6 phish.example" \
    "$(python3 -c '
import json, sys
for r in json.load(sys.stdin)["rows"]:
    if r["section"] in ("campaign", "day", "sensor"):
        print(r["section"], r["n"])
    elif r["section"] in ("source", "link-domain"):
        print(r["section"], r["n"], r["value"])' < "$T/c1.out" | paste -sd'|')"
check_eq "campaign ID: its subjects and URLs, one row each" "6 6" \
    "$(python3 -c '
import json, sys
rows = json.load(sys.stdin)["rows"]
print(sum(r["section"] == "subject" for r in rows), sum(r["section"] == "url" for r in rows))' < "$T/c1.out")"
rep c2 campaign "$(camp Invoice)" --format csv
check "campaign ID (CSV): the attachment with its real type" grep -q "^attachment,1,.*application/zip invoice.zip" "$T/c2.out"
rep cnone campaign 12345
check_eq "an unknown campaign: exit 1, said" "1 spampot-report: no campaign '12345'" "$(rc cnone) $(cat "$T/cnone.err")"
rep cnonej campaign 12345 --format json
check_eq "an unknown campaign in JSON: an empty document, exit 1" "1 0 " \
    "$(rc cnonej) $(python3 -c 'import json, sys; print(len(json.load(sys.stdin)["rows"]))' < "$T/cnonej.out") $(cat "$T/cnonej.err")"
rep csensor campaign "$PH" --sensor elsewhere --format json
check_eq "campaign ID --sensor: its messages from that sensor only" "campaign 6|source 3|source 3|sensor 6|link-domain 6" \
    "$(python3 -c '
import json, sys
for r in json.load(sys.stdin)["rows"]:
    print(r["section"], r["n"])' < "$T/csensor.out" | paste -sd'|')"
rep cbad campaign 12x
check_eq "a campaign id that is no number: exit 2" 2 "$(rc cbad)"
rep ty top yara --format csv
check_eq "top yara" "Phish_Verify_Account,6|Mail_PE_Executable,2" \
    "$(tail -n +2 "$T/ty.out" | tr -d '\r' | awk -F, '{ print $4 "," $1 }' | paste -sd'|')"
rep html html -o "$T/report.html"
check "html: a campaigns section with the largest one" \
    grep -q "<h2>Top campaigns (messages)</h2>" "$T/report.html"
check "html: the campaign's id, link domain and subject" grep -q \
    "<code>$PH</code></td><td class=\"v\">phish.example</td><td class=\"v\">Action required: account 500</td>" "$T/report.html"
check "html: the YARA rules" grep -q "<h2>Top YARA rules (messages)</h2>" "$T/report.html"
subjects() { python3 -c 'import json, sys; print("|".join(sorted(r["subject"] for r in json.load(sys.stdin)["rows"])))' < "$T/$1.out"; }
rep sy search --yara Mail_PE_Executable --format json
check_eq "search --yara: the messages a rule matched" "Invoice|Payment advice" "$(subjects sy)"
rep sm search --mismatch --format json
check_eq "search --mismatch: an executable named .pdf inside" "Invoice|Payment advice" "$(subjects sm)"
rep sh search --hash "$TXT_SHA" --format json
check_eq "search --hash: a member's SHA-256" "Payment advice" "$(subjects sh)"
rep sc search --campaign "$LO" --format json
check_eq "search --campaign" "You have won 850000 EURO|You have won 851000 EURO|You have won 852000 EURO|You have won 853000 EURO" "$(subjects sc)"

# --- SIGHUP: new rules; a broken one leaves the old in use --------------------
cat > "$T/yara/zz.yar" <<'EOF'
rule Meeting_Move { strings: $a = "move our meeting" condition: $a }
EOF
kill -HUP "$ANALYZER_PID"
check "SIGHUP: the new rules compiled" wait_for 10 analyzer_log_has "YARA rules: 3 from"
printf 'rule Broken {\n condition:\n  nope\n}\n' > "$T/yara/zz.yar"
kill -HUP "$ANALYZER_PID"
check "SIGHUP: a broken rule named, the old rules stay" wait_for 10 \
    analyzer_log_has "$T/yara/zz.yar:3: .*the rules in use stay"
python3 - "$PORT" <<'PY'
import smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), local_hostname="bot.example")
s.sendmail("a@b.example", ["c@d.example"], b"Subject: again\r\n\r\n"
           b"can we move our meeting to eleven?\r\n")
s.quit()
PY
check "the message imported" wait_for 20 imported 15
check_eq "matched by the rule loaded before the broken one" "Meeting_Move" \
    "$(db_scalar "SELECT y.rule FROM yara_matches y JOIN messages m ON m.id = y.message_id WHERE m.subject = 'again'")"

# The same attachment again, twice: the second copy's findings come from
# what the parse child kept of the first (import_cache.c); all three
# copies must read alike. The encrypted zip again: with the password the
# first copy's text gave (what was kept serves), with another (it does
# not: encrypted), and with the right one once more.
python3 - "$PORT" "$T" <<'PY'
import smtplib, sys
from email.message import EmailMessage
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), local_hostname="bot.example")
def mail(subject, text, path, name):
    m = EmailMessage()
    m["Subject"] = subject
    m.set_content(text)
    m.add_attachment(open(sys.argv[2] + path, "rb").read(),
                     maintype="application", subtype="zip", filename=name)
    s.sendmail("billing@corp.example", ["ap@corp.example"], bytes(m))
for i in (1, 2):
    mail("Invoice again %d" % i, "Please find the invoice attached.\n",
         "/exe.zip", "invoice.zip")
for subject, pw in (("Advice again 1", "Xk42pq"), ("Advice again 2", "Zt93wr"),
                    ("Advice again 3", "Xk42pq")):
    mail(subject, "Your payment advice is attached.\nArchive password: %s\n"
         % pw, "/locked.zip", "advice.zip")
s.quit()
PY
check "the five copies imported" wait_for 20 imported 20
found() {
	q "SELECT a.real_type, a.type_mismatch, a.archive, x.path, x.size, x.sha256, x.real_type, x.flags, y.rule, y.member_path
	    FROM messages m JOIN attachments a ON a.message_id = m.id
	    JOIN attachment_members x ON x.message_id = m.id
	    JOIN yara_matches y ON y.message_id = m.id WHERE m.subject = '$1'"
}
check "the first copy: its member and its YARA match" test -n "$(found Invoice)"
check_eq "the second copy: the same findings" "$(found Invoice)" "$(found 'Invoice again 1')"
check_eq "the third copy, from what was kept: the same" "$(found Invoice)" "$(found 'Invoice again 2')"
advice() {
	q "SELECT a.archive, IFNULL(a.archive_password, '-'), COUNT(x.path)
	    FROM messages m JOIN attachments a ON a.message_id = m.id
	    LEFT JOIN attachment_members x ON x.message_id = m.id
	    WHERE m.subject = '$1' GROUP BY a.id"
}
check_eq "the encrypted zip, the same password: opened, as the first" \
    "$(advice 'Payment advice')" "$(advice 'Advice again 1')"
check_eq "the encrypted zip, another password: not opened" \
    "encrypted - 2" "$(advice 'Advice again 2')"
check_eq "the encrypted zip, the right password again: opened" \
    "$(advice 'Payment advice')" "$(advice 'Advice again 3')"
stop_analyzer TERM
check_eq "analyzer exits 0" 0 "$ANALYZER_RC"

# --- rebuild ------------------------------------------------------------------
db_campaigns > "$T/online"
out=$("$SPAMPOT_ANALYZER" -c "$CONF" --rebuild-campaigns 2>&1)
check_eq "rebuild: exit 0" 0 "$?"
check "rebuild: says what it made" grep -q "campaigns rebuilt: 20 messages in $(db_scalar 'SELECT COUNT(*) FROM campaigns') campaigns (campaign_distance 40, campaign_domain_bonus 20, campaign_ssdeep 20)" <<< "$out"
db_campaigns > "$T/rebuilt"
check "rebuild with the same thresholds: exactly the online result" cmp -s "$T/online" "$T/rebuilt"
[ -s "$T/online" ] || fail "no campaigns to compare"
before=$(db_scalar 'SELECT COUNT(*) FROM campaigns')
out=$("$SPAMPOT_ANALYZER" -c "$CONF" --rebuild-campaigns --campaign-distance 0 --campaign-domain-bonus 0 --campaign-ssdeep 0 2>&1)
check_eq "rebuild with other thresholds: exit 0" 0 "$?"
check_eq "templates only: the copy with a sentence more is a campaign of its own" \
    "$((before + 1)) 5" \
    "$(db_scalar 'SELECT COUNT(*) FROM campaigns') $(db_scalar "SELECT messages FROM campaigns WHERE id = $PH")"
"$SPAMPOT_ANALYZER" -c "$CONF" --rebuild-campaigns > /dev/null 2>&1
db_campaigns > "$T/again"
check "and back with the configured thresholds: the online result again" cmp -s "$T/online" "$T/again"
out=$("$SPAMPOT_ANALYZER" -c "$CONF" --rebuild-campaigns --campaign-distance 301 2>&1)
check_eq "a threshold out of range: exit 1, said" "1 spampot-analyzer: --campaign-distance: expected a number from 0 to 300, not '301'" "$? $out"

stop_daemon TERM
check_no_crash
e2e_done
