#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# Terminal escapes in every report: two real sessions carry control bytes
# (ESC, BEL, an OSC 52 clipboard write, CSI 2J, CR, LF, NUL where SMTP or
# MIME lets them through, C1 0x9b as UTF-8 and raw, DEL) in every field a
# client controls: HELO, MAIL FROM, RCPT TO, the AUTH mechanism, user,
# password and authzid, the subject, an attachment's file name, a URL and
# a custom pattern's value. The real analyzer imports them into a private
# MariaDB; then every report (summary, every kind of top, session, search,
# export, html) runs in every format and its output is checked: text and CSV hold
# no raw C0 byte but their own line ends, no DEL, no C1 and nothing that
# is not UTF-8; JSON parses and gives the database's values back exactly;
# HTML holds no raw control byte.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/db.sh"

REPORT="$SPAMPOT_BUILDDIR/src/spampot-report"
READER_PW="$T/analyst.password"

db_start
db_setup --reader analyst --reader-password-file "$READER_PW"
# The rfc821 persona takes control bytes and bytes that are no UTF-8 in
# HELO, MAIL and RCPT, where Postfix (and the default persona) answer 5xx.
db_config 'pattern ctl = CTL<[^>]*>' 'persona = rfc821'
start_daemon
start_analyzer

# --- the captures ---------------------------------------------------------------
# S1: EHLO, AUTH with an unknown mechanism, AUTH PLAIN (authzid, user,
# password), MAIL, RCPT, a MIME message; S2: AUTH LOGIN, a user with NUL.
python3 - "$PORT" "$E2E_DIR" <<'PY'
import base64, sys
sys.path.insert(0, sys.argv[2])
import rawsmtp
port = int(sys.argv[1])
# what a terminal would act on: OSC 52 (clipboard), CSI 2J (clear),
# C1 CSI as UTF-8 and as a raw byte, DEL, and a few more C0 bytes
CTL = b"\x1b]52;c;SGk=\x07\x1b[2J\xc2\x9b" b"31m\x9b\x7f\x01\x08\x0b\x0c\x1f"
CRLF = b"\r\n\x00"              # where the field is not a command line

def expect(c, want, what):
    got = c.reply()
    if not got.startswith(want):
        sys.exit("%s: %r" % (what, got))

def b64(b):
    return base64.b64encode(b)

c = rawsmtp.Conn(port, src="127.0.0.5")
expect(c, "220", "greeting")
c.send(b"EHLO helo" + CTL + b".example\r\n")
c.reply(all_lines=True)
c.send(b"AUTH MECH" + CTL + b"\r\n")
expect(c, "504", "AUTH unknown mechanism")
c.send(b"AUTH PLAIN " + b64(b"zid" + CTL + b"\r\n\x00user" + CTL +
                            b"\r\n\x00pass" + CTL + b"\r\n") + b"\r\n")
expect(c, "2", "AUTH PLAIN")
c.send(b"MAIL FROM:<from" + CTL + b"@evil.example>\r\n")
expect(c, "250", "MAIL")
c.send(b"RCPT TO:<rcpt" + CTL + b"@victim.example>\r\n")
expect(c, "250", "RCPT")
c.send(b"DATA\r\n")
expect(c, "354", "DATA")
subject = base64.b64encode(b"subj" + CTL + CRLF + b"end").decode()
name = "".join("%%%02X" % x for x in b"file" + CTL + CRLF + b".exe")
c.send(b"\r\n".join([
    b"From: <from@evil.example>",
    b"To: <rcpt@victim.example>",
    b"Subject: =?UTF-8?B?" + subject.encode() + b"?=",
    b"Received: from bot ([198.51.100.7]) by relay",
    b"MIME-Version: 1.0",
    b'Content-Type: multipart/mixed; boundary="b"',
    b"",
    b"--b",
    b"Content-Type: text/plain; charset=utf-8",
    b"Content-Transfer-Encoding: 8bit",
    b"",
    b"see http://url.example/x" + CTL + b"end and CTL<" + CTL + b"> here",
    b"--b",
    b"Content-Type: application/octet-stream",
    b"Content-Disposition: attachment; filename*=UTF-8''" + name.encode(),
    b"Content-Transfer-Encoding: base64",
    b"",
    b"aGVsbG8gZnJvbSB0aGUgaG9uZXlwb3QK",
    b"--b--",
    b".",
    b""]))
expect(c, "250", "end of DATA")
c.send(b"QUIT\r\n")
c.reply()

c = rawsmtp.Conn(port, src="127.0.0.5")
expect(c, "220", "greeting 2")
c.send(b"EHLO two.example\r\n")
c.reply(all_lines=True)
c.send(b"AUTH LOGIN\r\n")
expect(c, "334", "AUTH LOGIN")
c.send(b64(b"login" + CTL + CRLF + b"user") + b"\r\n")
expect(c, "334", "AUTH LOGIN user")
c.send(b64(b"pw" + CTL) + b"\r\n")
expect(c, "2", "AUTH LOGIN password")
c.send(b"QUIT\r\n")
c.reply()
PY
check_eq "both hostile sessions sent" 0 "$?"
imported() { [ "$(db_scalar 'SELECT COUNT(*) FROM sessions')" -ge 2 ]; }
check "both sessions imported" wait_for 15 imported

# The oracle: the values as the database holds them, read by root as hex.
# Each must hold ESC and the C1 CSI, so no check below passes for want of
# a hostile value.
hexes() { db_query "SELECT HEX($1) FROM $2 WHERE $1 IS NOT NULL ${3:+AND $3}"; }
AUTH="mechanism IN ('PLAIN', 'LOGIN')"
{
	echo "helo $(hexes helo sessions | paste -sd,)"
	echo "mail_from $(hexes mail_from messages | paste -sd,)"
	echo "rcpt $(hexes address recipients | paste -sd,)"
	echo "mechanism $(hexes mechanism auth_attempts | paste -sd,)"
	echo "username $(hexes username auth_attempts "$AUTH" | paste -sd,)"
	echo "password $(hexes password auth_attempts "$AUTH" | paste -sd,)"
	echo "authzid $(hexes authzid auth_attempts "$AUTH" | paste -sd,)"
	echo "credential $(hexes "CONCAT(username, ':', password)" auth_attempts "$AUTH" | paste -sd,)"
	echo "subject $(hexes subject messages | paste -sd,)"
	echo "filename $(hexes filename attachments | paste -sd,)"
	echo "url $(hexes url urls | paste -sd,)"
	echo "ctl $(db_query "SELECT HEX(value) FROM patterns WHERE kind = 'ctl'" | paste -sd,)"
} > "$T/oracle"
check "the database holds ESC and C1 CSI in every field" python3 - "$T/oracle" <<'PY'
import sys
bad = []
for line in open(sys.argv[1]):
    field, _, hexes = line.strip().partition(" ")
    vals = [bytes.fromhex(h) for h in hexes.split(",") if h]
    if field in ("authzid", "credential"):
        vals = [v for v in vals if v.startswith((b"zid", b"login", b"user"))]
    if not vals or not any(b"\x1b]52;c;" in v and b"\xc2\x9b" in v for v in vals):
        bad.append("%s: %r" % (field, vals))
if bad:
    sys.exit("\n".join(bad))
PY

# rep NAME ARGS...: spampot-report as the analyst; $T/NAME.{out,err,rc}
rep() {
	local name=$1
	shift
	"$REPORT" -c "$CONF" --user analyst --password-file "$READER_PW" "$@" \
	    > "$T/$name.out" 2> "$T/$name.err"
	echo $? > "$T/$name.rc"
}
# Each output is checked at the end, in one go: $T/checks lists
# "FORMAT NAME FIELD..."; JSON must also give back the database's value of
# each FIELD (those with an ESC) exactly.
run() {
	local name=$1 fields=$2 f
	shift 3
	for f in text json csv csv-safe; do
		rep "$name-$f" "$@" --format "$f"
		check_eq "$name --format $f: exit 0" 0 "$(cat "$T/$name-$f.rc")"
		echo "${f%-safe} $name-$f $([ "$f" = json ] && echo "$fields")" \
		    >> "$T/checks"
	done
}

# --- every report, every format ----------------------------------------------------
run summary "" -- summary
for kind in client-ip helo sender rcpt-domain subject url url-host domain \
    msg-ip email username password credential attachment ctl; do
	case $kind in
	helo) fields=helo ;;
	sender) fields=mail_from ;;
	subject) fields=subject ;;
	url) fields=url ;;
	username) fields=username ;;
	password) fields=password ;;
	credential) fields=credential ;;
	attachment) fields=filename ;;
	ctl) fields=ctl ;;
	*) fields= ;;
	esac
	run "top-$kind" "$fields" -- top "$kind" --limit 100
done
SHA=$(db_scalar "SELECT sha256 FROM attachments LIMIT 1")
RCPT=$(python3 -c 'import sys; sys.stdout.buffer.write(bytes.fromhex(sys.argv[1]))' \
    "$(db_scalar "SELECT HEX(address) FROM recipients LIMIT 1")")
run search-ip helo -- search --ip 127.0.0.5
run search-address "helo mail_from subject" -- search --address "$RCPT"
run search-domain "helo mail_from subject" -- search --domain victim.example
run search-url "helo mail_from subject" -- search --url url.example
run search-subject "helo mail_from subject" -- search --subject subj
run search-hash "helo mail_from subject" -- search --hash "$SHA"
# export: JSON of its own, the hostile values given back exactly
rep export-misp export --format misp
check_eq "export --format misp: exit 0" 0 "$(cat "$T/export-misp.rc")"
echo "json export-misp mail_from url username password" >> "$T/checks"
rep export-stix export --format stix
check_eq "export --format stix: exit 0" 0 "$(cat "$T/export-stix.rc")"
echo "json export-stix mail_from url username password filename" \
    >> "$T/checks"
KEYS=$(db_query "SELECT session_key FROM sessions ORDER BY id" | paste -sd' ')
for key in $KEYS; do
	for f in text json; do
		rep "session-$key-$f" session "$key" --format "$f"
		check_eq "session $key --format $f: exit 0" 0 \
		    "$(cat "$T/session-$key-$f.rc")"
		echo "$f session-$key-$f" >> "$T/checks"
	done
done
# the JSON of both sessions together holds every hostile value
# shellcheck disable=SC2086
python3 - "$T" $KEYS > "$T/sessions-json.out" <<'PY2'
import json, sys
print(json.dumps([json.load(open("%s/session-%s-json.out" % (sys.argv[1], k)))
                  for k in sys.argv[2:]]))
PY2
echo "json sessions-json helo mail_from rcpt mechanism username password" \
    "authzid subject filename url ctl" >> "$T/checks"
check "session text: the OSC 52 of AUTH shown escaped" \
    grep -qF 'auth            MECH\x1b]52;c;SGk... unsupported user' \
    "$T"/session-*-text.out
check "session text: the OSC 52 of the subject shown escaped" \
    grep -qF '  subject       subj\x1b]52;c;SGk=\x07\x1b[2J\u009b31m' \
    "$T"/session-*-text.out
rep html html -o "$T/report.html"
check_eq "html: exit 0" 0 "$(cat "$T/html.rc")"
cp "$T/report.html" "$T/html-page.out"
echo "html html-page" >> "$T/checks"
check "html: the hostile credential is on the page" \
    grep -qa '<td class="v">user' "$T/html-page.out"

# text and CSV: no raw C0 byte but the format's own line ends (LF; CR LF
# in CSV), no DEL, no C1 (U+0080 to U+009F), nothing that is not UTF-8;
# JSON the same, and it parses; HTML: no control byte but TAB, LF, CR.
python3 - "$T" "$T/oracle" "$T/checks" > "$T/verdicts" <<'PY2'
import json, re, sys
tmp, oracle = sys.argv[1], sys.argv[2]
want = {}
for line in open(oracle):
    field, _, hexes = line.strip().partition(" ")
    want[field] = [v for v in (bytes.fromhex(h).decode("utf-8")
                   for h in hexes.split(",") if h) if "\x1b" in v]

def strings(v, out):
    if isinstance(v, str):
        out.add(v)
    elif isinstance(v, list):
        for x in v:
            strings(x, out)
    elif isinstance(v, dict):
        for x in v.values():
            strings(x, out)
    return out

def verify(fmt, name, fields):
    data = open("%s/%s.out" % (tmp, name), "rb").read()
    if not data:
        return "no output"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        return "not UTF-8: %s" % e
    if fmt == "csv":
        data = data.replace(b"\r\n", b"\n")
    allowed = {0x09, 0x0a, 0x0d} if fmt == "html" else {0x0a}
    bad = sorted({c for c in data
                  if (c < 0x20 and c not in allowed) or c == 0x7f})
    if bad:
        return "raw control bytes %s" % [hex(c) for c in bad]
    c1 = re.findall("[\x80-\x9f]", text)
    if c1:
        return "raw C1 controls %r" % c1[:5]
    if fmt != "json":
        return None
    try:
        got = strings(json.loads(text), set())
    except ValueError as e:
        return "JSON: %s" % e
    missing = ["%s %r" % (f, v) for f in fields for v in want[f]
               if v not in got]
    return "not given back exactly: " + "; ".join(missing) if missing else None

for line in open(sys.argv[3]):
    fmt, name, *fields = line.split()
    why = verify(fmt, name, fields)
    print("%s %s %s" % ("ok" if why is None else "bad", name, why or ""))
PY2
while read -r verdict name why; do
	if [ "$verdict" = ok ]; then
		ok "$name: safe for its format"
	else
		fail "$name: safe for its format: $why"
	fi
done < "$T/verdicts"
check_eq "every output checked" "$(wc -l < "$T/checks")" \
    "$(wc -l < "$T/verdicts")"

# The row of tests/e2e/hostile-table.sh (make check-hostile).
hostile_result \
    "terminal escapes in 11 client fields, $(wc -l < "$T/checks") outputs (every report and format)" \
    2 "$(find "$SPOOL/new" "$SPOOL/done" "$SPOOL/bad" -type f | wc -l)" \
    "$(db_scalar 'SELECT COUNT(*) FROM sessions')"

e2e_done
