#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# The report's running totals (kind_hours, value_hours, value_totals,
# pattern_hours) as the analyzer keeps them, batch after batch, are exactly
# what sql/rollups-rebuild.sql computes from the rows; and every top list
# and the summary read from them (any window, whole hours or not) say what
# the same query on the rows says (--sensor takes that path). Captures:
# real sessions from smtplib and swaks (AUTH, long and non-ASCII HELO,
# sender and password past 255 characters, bytes that are not UTF-8, the
# test messages with attachments and URLs) and spool files of earlier
# hours and days, imported over several batches.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/db.sh"

REPORT="$SPAMPOT_BUILDDIR/src/spampot-report"

db_start
db_setup
# The rfc821 persona takes bytes that are no UTF-8 and 8-bit addresses
# without SMTPUTF8 in HELO, MAIL and RCPT, where Postfix answers 5xx.
write_config "pattern invoice = (?i)invoice\\s+\\d+" "max_sessions_per_ip = 1000" \
    "persona = rfc821"
cat "$DB_CONF" >> "$CONF"
start_daemon
start_analyzer
sessions() { db_scalar 'SELECT COUNT(*) FROM sessions'; }
imported() { [ "$(sessions)" -ge "$1" ]; }

# --- captures of this hour, by real clients ----------------------------------
python3 - "$PORT" "$SPAMPOT_SRCDIR/tests/data/mail" <<'PY'
import os, smtplib, sys
port, maildir = int(sys.argv[1]), sys.argv[2]
mails = sorted(f for f in os.listdir(maildir) if f.endswith(".eml"))
for i, name in enumerate(mails):
    s = smtplib.SMTP("127.0.0.1", port, timeout=10,
                     local_hostname=["bot.example", "other.example"][i % 2])
    if i % 2 == 0:
        s.login(["admin", "root", "test"][i % 3], ["123456", "pw"][i % 2])
    sender = ["a@spam.example", "a" * 200 + "@" + "d" * 100 + ".example",
              ""][i % 3]
    rcpts = ["v%d@example.net" % i, "w@Example.ORG", "x@example.net"]
    s.sendmail(sender, rcpts[:1 + i % 3],
               open(os.path.join(maildir, name), "rb").read())
    s.quit()
PY
check_eq "smtplib: the test messages sent" 0 "$?"
n_mail=$(find "$SPAMPOT_SRCDIR/tests/data/mail" -name '*.eml' | wc -l)
# What smtplib cannot say: HELO, sender and password past 255 characters
# and not ASCII; bytes that are not UTF-8 anywhere.
python3 - "$PORT" <<'PY'
import base64, socket, sys
def session(helo, user, password, sender, rcpt, body):
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 10)
    f = s.makefile("rb")
    def cmd(line):
        if line is not None:
            s.sendall(line + b"\r\n")
        while True:
            r = f.readline()
            if len(r) < 4 or r[3:4] != b"-":
                return r
    cmd(None)
    cmd(b"EHLO " + helo)
    cmd(b"AUTH PLAIN " + base64.b64encode(b"\0" + user + b"\0" + password))
    cmd(b"MAIL FROM:<" + sender + b">")
    cmd(b"RCPT TO:<" + rcpt + b">")
    cmd(b"DATA")
    cmd(body + b"\r\n.")
    cmd(b"QUIT")
    s.close()
long = "h" * 100 + "\u00e9" * 180
session(long.encode(), "\u00fcser".encode(),
        ("p" * 100 + "\u00f6" * 200).encode(),
        ("\u00e4" * 300 + "@long.example").encode(), b"r@example.net",
        b"Subject: long\r\n\r\nhttp://long.example/")
session(b"\xff\xfebad.example", b"us\xe9r", b"p\xc3(w",
        b"s\xe9nder@bad.example", b"r@b\xe4d.example",
        b"Subject: \xe9t\xe9\r\n\r\nhttp://b\xe4d.example/ Invoice 7")
PY
check_eq "raw sessions: sent" 0 "$?"
swaks --server "127.0.0.1:$PORT" --ehlo "swaks.example" --auth LOGIN \
    --auth-user root --auth-password 123456 --to a@example.net \
    --body "Invoice 42 and invoice 43 at http://pay.example.com/x" --silent 2 > /dev/null
check_eq "swaks: sent" 0 "$?"
check "this hour's sessions imported" wait_for 20 imported $((n_mail + 2))

# --- spool files of earlier hours and days ------------------------------------
# The sensor's own spool files (tests/data/spool), moved in time and given
# new session ids: some two hours ago, some three days ago, one batch each.
place() {
	python3 - "$SPAMPOT_SRCDIR/tests/data/spool" "$SPOOL/new" "$1" "$2" <<'PY'
import datetime, os, random, re, sys
src, dst, hours_ago, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
rnd = random.Random(seed)
when = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=hours_ago)
n = 0
for f in sorted(os.listdir(src)):
    if not f.endswith(".spool"):
        continue
    data = open(os.path.join(src, f), "rb").read()
    sid = "%016x" % rnd.getrandbits(64)
    # every time of the file moves by the same amount
    t0 = re.search(rb"^start (\S+)Z$", data, re.M).group(1).decode()
    shift = when - datetime.datetime.fromisoformat(t0).replace(tzinfo=datetime.timezone.utc)
    def move(m):
        t = datetime.datetime.fromisoformat(m.group(1).decode()) + shift
        return t.strftime("%Y-%m-%dT%H:%M:%S.%f").encode() + b"Z"
    data = re.sub(rb"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6})Z", move, data)
    data = re.sub(rb"^session \S+$", b"session " + sid.encode(), data, flags=re.M)
    data = re.sub(rb"^sensor .*$", b"sensor e2e", data, flags=re.M)
    start = re.search(rb"^start (\S+)$", data, re.M).group(1).decode()
    client = re.search(rb"^client (\S+) ", data, re.M).group(1).decode()
    stamp = start.replace("-", "").replace(":", "")
    name = "%s_%s_%s" % (stamp, client.replace(":", "-"), sid)
    with open(os.path.join(dst, "." + name), "wb") as o:
        o.write(data)
    os.chmod(os.path.join(dst, "." + name), 0o640)
    os.rename(os.path.join(dst, "." + name), os.path.join(dst, name))
    n += 1
print(n)
PY
}
before=$(sessions)
n=$(place 2 1)
check "spool files of two hours ago placed" test "$n" -gt 5
check "imported" wait_for 20 imported $((before + n))
before=$(sessions)
place 2 2 > /dev/null
place 74 3 > /dev/null
check "more of two hours ago, and of three days ago, imported" wait_for 20 imported $((before + 2 * n))
check_eq "nothing in bad/" 0 "$(spool_count bad)"

# --- the totals against the rows ---------------------------------------------
db_check_totals
check "campaigns were counted" test "$(grep -c '^c	' "$T/kept.tsv")" -gt 3
check_eq "every kind of value is counted" \
    "attachment client-ip credential helo password rcpt-domain sender url-host" \
    "$(awk -F'\t' '$1 == "t" { print $2 }' "$T/kept.tsv" | sort -u | xargs)"
check "kind_hours: sessions of three hours at least, days apart" \
    test "$(db_scalar "SELECT COUNT(DISTINCT hour) FROM kind_hours WHERE kind = 'client-ip' HAVING MAX(hour) - INTERVAL 2 DAY > MIN(hour)")" -ge 3
check "pattern_hours: the custom pattern, by the hour" \
    test "$(db_scalar "SELECT SUM(n) FROM pattern_hours WHERE kind = 'invoice'")" -ge 2
check_eq "value_totals: the sender cut to 255 characters, as mail_from_key" \
    "$(db_scalar "SELECT MAX(CHAR_LENGTH(mail_from_key)) FROM messages")" \
    "$(db_scalar "SELECT MAX(CHAR_LENGTH(value)) FROM value_totals WHERE kind = 'sender'")"
check_eq "value_totals: one row per distinct client address" \
    "$(db_scalar "SELECT COUNT(DISTINCT client_ip) FROM sessions")" \
    "$(db_scalar "SELECT COUNT(*) FROM value_totals WHERE kind = 'client-ip'")"

# --- the report: totals and rows agree ---------------------------------------
rep() { "$REPORT" -c "$CONF" "$@"; }
# a top list as sorted lines (ties may come in another order); an error
# (exit 2) as such
top_rows() {
	local out rc
	out=$(rep top "$@" --limit 100000 --format csv 2>&1)
	rc=$?
	[ "$rc" -le 1 ] || { echo "error $rc: $out"; return; }
	tail -n +2 <<< "$out" | tr -d '\r' | sort
}
# absolute times: the two runs of a query see the same window
at() { date -u -d "$1" +%Y-%m-%dT%H:%M:%S; }
hour=$(date -u +%Y-%m-%dT%H:00:00)
mid=$(at '-150 minutes')
windows=("" "--since $(at '-90 minutes')" "--since $(at '-3 hours')"
    "--since $mid" "--until $mid" "--since $(at '-5 days') --until $hour"
    "--since $mid --until $hour" "--since $(at '-4 days') --until $(at '-2 days')"
    "--since $(date -u -d '-80 hours' +%Y-%m-%dT%H:00:00) --until $hour"
    "--since $(date -u -d '-3 hours' +%Y-%m-%dT%H:00:00)"
    "--since $(at '-74 hours -10 minutes') --until $(at '-74 hours +10 minutes')"
    "--since $(at '-4 days') --until $(at '-4 days +20 minutes')")
for kind in client-ip helo sender rcpt-domain url-host password credential \
    attachment subject url domain msg-ip email username invoice; do
	for w in "${windows[@]}"; do
		# shellcheck disable=SC2086
		a=$(top_rows "$kind" $w)
		# shellcheck disable=SC2086
		b=$(top_rows "$kind" $w --sensor e2e)
		[ "$a" = "$b" ] && [ "${a#error}" = "$a" ] && continue
		fail "top $kind $w: totals and rows differ"
		diff <(echo "$b") <(echo "$a") | head -n 10
		continue 2
	done
	ok "top $kind: the totals say what the rows say, in ${#windows[@]} windows"
done
check "top client-ip over all time lists every client" \
    test "$(top_rows client-ip | wc -l)" -eq "$(db_scalar "SELECT COUNT(DISTINCT client_ip) FROM sessions")"
for w in "${windows[@]}"; do
	# shellcheck disable=SC2086
	a=$(rep summary $w --format json | python3 -c 'import json,sys; d=json.load(sys.stdin); d.pop("sensor", None); print(json.dumps(d, sort_keys=True))')
	# shellcheck disable=SC2086
	b=$(rep summary $w --sensor e2e --format json | python3 -c 'import json,sys; d=json.load(sys.stdin); d.pop("sensor", None); print(json.dumps(d, sort_keys=True))')
	check_eq "summary ${w:-(all time)}: the totals say what the rows say" "$b" "$a"
done
check_eq "summary: every session counted" "$(sessions)" \
    "$(rep summary --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)["sessions"])')"

stop_analyzer TERM
check_eq "analyzer exits 0" 0 "$ANALYZER_RC"
check_no_crash
e2e_done
