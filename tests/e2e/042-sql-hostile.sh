#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# SQL-hostile values in every field that reaches MySQL: quotes, double
# quotes, backslashes, NUL bytes (where SMTP can carry them: AUTH, message
# text, encoded words, RFC 2231 file names), invalid UTF-8, % and _, and
# "; DROP TABLE ...;--", in values far longer than their columns (a 10 KiB
# HELO, a 64 KiB subject, addresses of tens of KiB). The sensor captures
# them, the analyzer imports every file (none goes to bad/), the rows hold
# the values as documented in spampot-analyzer(8) (invalid bytes and NUL
# become U+FFFD, a long text is cut to its column's size in bytes on a
# character boundary), and the tables are intact afterwards.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/db.sh"

# The expected value of a field, as hex of its UTF-8 (from the client).
want() { awk -F'\t' -v k="$1" '$1 == k { print $2 }' "$T/expected.tsv"; }
# check_hex DESCRIPTION EXPECTED-HEX SQL: the query's single value, in hex
# so that every byte is compared; a difference is shown where it starts.
check_hex() {
	local got
	got=$(db_scalar "$3")
	if [ "$2" = "$got" ]; then
		ok "$1"
		return
	fi
	fail "$1: $(python3 - "$2" "$got" <<'PY'
import sys
w, g = (bytes.fromhex(x) for x in sys.argv[1:3])
i = next((k for k in range(min(len(w), len(g))) if w[k] != g[k]), min(len(w), len(g)))
print("expected %d bytes, got %d; from byte %d: expected %r, got %r"
      % (len(w), len(g), i, w[max(0, i - 8):i + 24], g[max(0, i - 8):i + 24]))
PY
)"
}

# The sensor's name is hostile too: quotes, a backslash, %, _, "; DROP
# TABLE", bytes that are no UTF-8 (the configuration takes any byte but
# CR and LF).
SENSOR=$'e2e \'q\' "dq" back\\slash %_ ;DROP TABLE sessions;-- \xff\xfe\xc3\xa9'
# The rfc821 persona: it takes bytes that are no UTF-8 in HELO, MAIL and
# RCPT, where Postfix (and the default persona) answer 500.
db_sensor "max_command_line = 64K" "sensor = $SENSOR" "persona = rfc821" \
    'pattern hostile = HOSTILE\[([^\]]*)\]'
# the tables before the analyzer's first import, to compare at the end
tables_before=$(db_query 'SHOW TABLES' | xargs)
start_analyzer

# The client: three sessions of hostile values; each value's expected row
# content (sanitized as spampot-analyzer(8) says, cut to its column) goes
# to expected.tsv as "name TAB hex"; the client ports to ports.
(cd "$E2E_DIR" && timeout 60 python3 - "$PORT" "$T" "$SENSOR") > "$T/client.out" 2>&1 <<'PY'
import base64, sys, rawsmtp
port, tmp, sensor = int(sys.argv[1]), sys.argv[2], sys.argv[3].encode("utf-8", "surrogateescape")
b64 = lambda b: base64.b64encode(b)
out = open(tmp + "/expected.tsv", "w")
ports = open(tmp + "/ports", "w")

def clean(b):
    """What the analyzer makes of any bytes: each maximal ill-formed
    subsequence and each NUL becomes U+FFFD (Python's "replace" follows the
    same Unicode rule)."""
    return b.decode("utf-8", "replace").replace("\0", "\ufffd").encode()

def cut(b, n):
    """At most n bytes, on a character boundary."""
    if len(b) <= n:
        return b
    while n > 0 and (b[n] & 0xC0) == 0x80:
        n -= 1
    return b[:n]

def expect(name, value):
    out.write("%s\t%s\n" % (name, value.hex().upper()))

def domain(addr, n=255):
    d = addr[addr.rindex(b"@") + 1:]
    d = bytes(c + 32 if 65 <= c <= 90 else c for c in d)
    return cut(clean(d[:n]), n)

def odd_pad(prefix, n):
    """ASCII after prefix so that its clean form has the parity that makes
    a cut at n fall inside the 2-byte characters that follow."""
    return prefix + (b"x" if len(clean(prefix)) % 2 == n % 2 else b"")

SQL = b"'\"\\;DROP TABLE %s;--%%_"

def converse(c, cmds):
    replies = []
    for cmd in cmds:
        c.send(cmd)
        replies.append(c.reply(timeout=20))
    return replies

# --- session A: HELO, AUTH PLAIN, envelope, two messages ---
c = rawsmtp.Conn(port, timeout=20)
ports.write("A %d\n" % c.port)
print("A_greeting=" + c.reply())
helo = odd_pad(b"h" + SQL % b"sessions" + b"\xff\xfe\xc0\xaf\xed\xa0\x80", 255) + b"\xc3\xa9" * 5000
helo += b"y" * (10240 - len(helo))
expect("helo", cut(clean(helo), 255))
authzid = b"z" + SQL % b"auth_attempts" + b"\xff"
user = b"u" + SQL % b"auth_attempts" + b"\xc3("
password = odd_pad(b"p\0" + SQL % b"auth_attempts" + b"\xfe", 1024) + b"\xc3\xa9" * 1000
expect("plain_authzid", cut(clean(authzid), 1024))
expect("plain_user", cut(clean(user), 1024))
expect("plain_password", cut(clean(password), 1024))
mail_from = odd_pad(b"f" + SQL % b"messages" + b" \xff", 1024) + b"\xc3\xa9" * 20000 + \
    b"@D" + SQL % b"messages" + b"\xfe." + b"\xc3\xa9" * 200 + b".EXAMPLE"
expect("mail_from", cut(clean(mail_from), 1024))
expect("mail_from_domain", domain(mail_from))
rcpt1 = b"r" + SQL % b"recipients" + b"\xff@Example.ORG"
rcpt2 = b"a" + b"\xf0\x9f\x98\x80" * 5000 + b"@" + b"\xc3\xa9" * 300 + b".example"
expect("rcpt1", cut(clean(rcpt1), 1024))
expect("rcpt1_domain", domain(rcpt1))
expect("rcpt2", cut(clean(rcpt2), 1024))
expect("rcpt2_domain", domain(rcpt2))
subject1 = b"s" + SQL % b"messages" + b"\0NUL\xff"
expect("subject1", clean(subject1))
url = b"http://evil.example/a\\b;DROP%20TABLE%_urls;--x"
expect("url", url)
expect("url_host", b"evil.example")
value = b"p" + SQL % b"patterns" + b"\xff\0end"
expect("pattern", clean(value))
# three attachments: RFC 2231 names with a NUL and with a byte that is no
# UTF-8, and a quoted-string name with its backslash escapes
filename = b"a" + SQL % b"attachments" + b"\0\xff.exe"
expect("filename_nul", clean(filename))
filename2 = b"b" + SQL % b"attachments" + b"\xff.exe"
expect("filename_invalid", clean(filename2))
filename3 = b"c" + SQL % b"attachments" + b".exe"
expect("filename_quoted", filename3)
ctype = b"application/x-evil"
expect("content_type", ctype)
rfc2231 = lambda name: b"".join(b"%%%02X" % ch for ch in name)
quoted = lambda name: b'"' + name.replace(b"\\", b"\\\\").replace(b'"', b'\\"') + b'"'
msg1 = (b"From: \"Evil ' \\\" \\\\ ; DROP\" <sender@example.org>\r\n"
        b"To: victim@example.net\r\n"
        b"Subject: =?utf-8?b?" + b64(subject1) + b"?=\r\n"
        b"MIME-Version: 1.0\r\n"
        b"Content-Type: multipart/mixed; boundary=\"BOUND\"\r\n\r\n"
        b"--BOUND\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
        b"Visit " + url + b" now.\r\n"
        b"HOSTILE[" + value + b"]\r\n"
        b"--BOUND\r\n"
        b"Content-Type: " + ctype + b"\r\n"
        b"Content-Disposition: attachment; filename*=utf-8''" + rfc2231(filename) + b"\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n"
        b"AAECAw==\r\n"
        b"--BOUND\r\n"
        b"Content-Type: " + ctype + b"\r\n"
        b"Content-Disposition: attachment; filename*=utf-8''" + rfc2231(filename2) + b"\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n"
        b"AAECBA==\r\n"
        b"--BOUND\r\n"
        b"Content-Type: " + ctype + b"\r\n"
        b"Content-Disposition: attachment; filename=" + quoted(filename3) + b"\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n"
        b"AAECBQ==\r\n"
        b"--BOUND--\r\n")
# 8-bit text in a header is UTF-8 only when all of it is (else GMime reads
# it in the fallback charset): this one is, and far over a TEXT column
subject2 = odd_pad(b"S" + SQL % b"messages", 65535) + b"\xc3\xa9" * 33000
expect("subject2", cut(clean(subject2), 65535))
msg2 = b"Subject: " + subject2 + b"\r\n\r\nbody\r\n"
replies = converse(c, [b"EHLO " + helo + b"\r\n",
                       b"AUTH PLAIN " + b64(authzid + b"\0" + user + b"\0" + password) + b"\r\n",
                       b"MAIL FROM:<" + mail_from + b">\r\n",
                       b"RCPT TO:<" + rcpt1 + b">\r\n",
                       b"RCPT TO:<" + rcpt2 + b">\r\n",
                       b"DATA\r\n", msg1 + b".\r\n",
                       b"MAIL FROM:<second@example.org>\r\n",
                       b"RCPT TO:<victim@example.net>\r\n",
                       b"DATA\r\n", msg2 + b".\r\n",
                       b"QUIT\r\n"])
print("A=" + "|".join(r[:12] for r in replies))
print("A_lines=%s" % max(len(helo), len(mail_from)))

# --- session B: AUTH LOGIN, whose user name may hold a NUL ---
c = rawsmtp.Conn(port, timeout=20)
ports.write("B %d\n" % c.port)
c.reply()
login_user = b"lo\0gin" + SQL % b"auth_attempts" + b"\xff"
login_pass = b"pw\0" + "\u20ac".encode() * 500
expect("login_user", cut(clean(login_user), 1024))
expect("login_password", cut(clean(login_pass), 1024))
replies = converse(c, [b"EHLO b.example\r\n", b"AUTH LOGIN\r\n", b64(login_user) + b"\r\n",
                       b64(login_pass) + b"\r\n", b"QUIT\r\n"])
print("B=" + "|".join(r[:12] for r in replies))

# --- session C: an AUTH mechanism name of its own ---
c = rawsmtp.Conn(port, timeout=20)
ports.write("C %d\n" % c.port)
c.reply()
# no space: what follows one is the initial response
mech = b"X" + (SQL % b"auth_attempts").replace(b" ", b"/**/") + b"\xff\xfe" + b"M" * 40
expect("mechanism", cut(clean(mech), 32))
replies = converse(c, [b"EHLO c.example\r\n", b"AUTH " + mech + b"\r\n", b"QUIT\r\n"])
print("C=" + "|".join(r[:12] for r in replies))
expect("sensor", cut(clean(sensor), 255))
out.close()
PY
cat "$T/client.out"
got() { sed -n "s/^$1=//p" "$T/client.out" | head -n 1; }
port_of() { awk -v s="$1" '$1 == s { print $2 }' "$T/ports"; }
GROUP=smtp
check_eq "session A: every command answered as usual" \
    "250 8BITMIME|235 2.7.0 Au|250 2.1.0 Ok|250 2.1.5 Ok|250 2.1.5 Ok|354 End data|250 2.0.0 Ok|250 2.1.0 Ok|250 2.1.5 Ok|354 End data|250 2.0.0 Ok|221 2.0.0 By" \
    "$(got A)"
check "session A: lines far over 2048 bytes ($(got A_lines)), within max_command_line" \
    test "$(got A_lines)" -gt 40000
check_eq "session B" "250 8BITMIME|334 VXNlcm5h|334 UGFzc3dv|235 2.7.0 Au|221 2.0.0 By" "$(got B)"
check_eq "session C" "250 8BITMIME|504 5.5.4 Un|221 2.0.0 By" "$(got C)"

GROUP=import
imported() { [ "$(db_scalar 'SELECT COUNT(*) FROM sessions')" -ge "$1" ]; }
check "all three sessions imported" wait_for 30 imported 3
check "every file moved to done/" wait_for 10 spool_count_is done 3
check_eq "nothing in bad/" 0 "$(spool_count bad)"
check_eq "nothing left in new/" 0 "$(spool_count new)"
check_eq "analyzer: three imports logged" 3 "$(grep -c 'imported .*client=127.0.0.1' "$ANALYZER_LOG")"
check_eq "analyzer: no warning" "" "$(grep -i 'warn\|error\|bad spool' "$ANALYZER_LOG")"

sid() { db_scalar "SELECT id FROM sessions WHERE client_port = $(port_of "$1")"; }
A=$(sid A) B=$(sid B) C=$(sid C)
field() {	# field GROUP NAME SQL: the row holds the expected value
	GROUP=$1
	check_hex "$2: the row holds the value" "$(want "$2")" "$3"
}
field sensor sensor "SELECT HEX(sensor) FROM sessions WHERE id = $A"
check_eq "the same sensor on every session" 1 "$(db_scalar 'SELECT COUNT(DISTINCT sensor) FROM sessions')"
field helo helo "SELECT HEX(helo) FROM sessions WHERE id = $A"
field auth plain_authzid "SELECT HEX(authzid) FROM auth_attempts WHERE session_id = $A"
field auth plain_user "SELECT HEX(username) FROM auth_attempts WHERE session_id = $A"
field auth plain_password "SELECT HEX(password) FROM auth_attempts WHERE session_id = $A"
field auth login_user "SELECT HEX(username) FROM auth_attempts WHERE session_id = $B"
field auth login_password "SELECT HEX(password) FROM auth_attempts WHERE session_id = $B"
field auth mechanism "SELECT HEX(mechanism) FROM auth_attempts WHERE session_id = $C"
check_eq "auth: statuses" "ok ok unsupported" \
    "$(db_query "SELECT status FROM auth_attempts WHERE session_id IN ($A, $B, $C) ORDER BY FIELD(session_id, $A, $B, $C), id" | xargs)"
field envelope mail_from "SELECT HEX(mail_from) FROM messages WHERE session_id = $A AND seq = 1"
field envelope mail_from_domain "SELECT HEX(mail_from_domain) FROM messages WHERE session_id = $A AND seq = 1"
field envelope rcpt1 "SELECT HEX(address) FROM recipients r JOIN messages m ON m.id = r.message_id WHERE m.session_id = $A AND m.seq = 1 ORDER BY r.id LIMIT 1"
field envelope rcpt1_domain "SELECT HEX(domain) FROM recipients r JOIN messages m ON m.id = r.message_id WHERE m.session_id = $A AND m.seq = 1 ORDER BY r.id LIMIT 1"
field envelope rcpt2 "SELECT HEX(address) FROM recipients r JOIN messages m ON m.id = r.message_id WHERE m.session_id = $A AND m.seq = 1 ORDER BY r.id LIMIT 1, 1"
field envelope rcpt2_domain "SELECT HEX(domain) FROM recipients r JOIN messages m ON m.id = r.message_id WHERE m.session_id = $A AND m.seq = 1 ORDER BY r.id LIMIT 1, 1"
field subject subject1 "SELECT HEX(subject) FROM messages WHERE session_id = $A AND seq = 1"
field subject subject2 "SELECT HEX(subject) FROM messages WHERE session_id = $A AND seq = 2"
field url url "SELECT HEX(url) FROM urls"
field url url_host "SELECT HEX(host) FROM urls"
field attachment filename_nul "SELECT HEX(filename) FROM attachments ORDER BY id LIMIT 1"
field attachment filename_invalid "SELECT HEX(filename) FROM attachments ORDER BY id LIMIT 1, 1"
field attachment filename_quoted "SELECT HEX(filename) FROM attachments ORDER BY id LIMIT 2, 1"
field attachment content_type "SELECT HEX(content_type) FROM attachments ORDER BY id LIMIT 1"
field pattern pattern "SELECT HEX(value) FROM patterns WHERE kind = 'hostile'"
GROUP=pattern
check_eq "pattern: counted once for its message" 1 \
    "$(db_scalar "SELECT mp.count FROM message_patterns mp JOIN patterns p ON p.id = mp.pattern_id WHERE p.kind = 'hostile'")"
# the counted values are the same texts as in their own rows
kind_hex() { db_query "SELECT HEX(value) FROM patterns WHERE kind = '$1'" | sort | paste -sd' '; }
GROUP=subject
check "subject: counted as its rows hold it" \
    test "$(db_scalar "SELECT COUNT(*) FROM patterns p JOIN messages m ON m.subject = p.value WHERE p.kind = 'subject' AND m.session_id = $A")" -eq 2
GROUP=auth
check_eq "username: counted as its row holds it (the PLAIN and the LOGIN user)" \
    "$(printf '%s\n' "$(want plain_user)" "$(want login_user)" | sort | paste -sd' ')" \
    "$(kind_hex username)"
GROUP=url
check_eq "url: counted as its row holds it" "$(want url)" "$(kind_hex url)"

# --- the tables are intact ----------------------------------------------
GROUP=tables
check_eq "the same tables as before the import" "$tables_before" "$(db_query 'SHOW TABLES' | xargs)"
check_eq "CHECK TABLE: every table OK" "" \
    "$(db_query "CHECK TABLE $(db_query 'SHOW TABLES' | paste -sd,)" | awk -F'\t' '$3 == "status" && $4 != "OK"')"
check_eq "rows: 3 sessions, 3 transcripts, 3 AUTH attempts, 2 messages, 3 recipients, 3 attachments" \
    "3 3 3 2 3 3" \
    "$(for t in sessions transcripts auth_attempts messages recipients attachments; do db_scalar "SELECT COUNT(*) FROM $t"; done | xargs)"
check_eq "the analyzer's user still reads and writes them" 3 \
    "$(db_analyzer_query 'SELECT COUNT(*) FROM sessions')"
check_no_crash

# --- one line per field for the results table -----------------------------
in_db() { db_scalar "SELECT COUNT(*) FROM sessions WHERE id IN ($1)"; }
# spooled SESSION...: how many of these sessions have their file (in done/)
spooled() {
	local s n=0
	for s in "$@"; do
		grep -lq "^client 127.0.0.1 $(port_of "$s")\$" "$SPOOL"/done/* && n=$((n + 1))
	done
	echo "$n"
}
ABC=$(spooled A B C)
A1=$(spooled A)
for g in sensor helo auth envelope subject url attachment pattern tables; do
	GROUP=$g
	case $g in
	sensor) hostile_result "sensor name: quotes, backslash, %_, ; DROP TABLE, invalid UTF-8" 3 "$ABC" "$(in_db "$A,$B,$C")" ;;
	helo) hostile_result "10 KiB EHLO: quotes, backslash, %_, ; DROP TABLE, invalid UTF-8" 1 "$A1" "$(in_db "$A")" ;;
	auth) hostile_result "AUTH PLAIN/LOGIN user, password, authzid, mechanism: quotes, NUL, invalid UTF-8, long" 3 "$ABC" "$(in_db "$A,$B,$C")" ;;
	envelope) hostile_result "MAIL FROM/RCPT TO: 40 KiB addresses, quotes, backslash, invalid UTF-8" 1 "$A1" "$(in_db "$A")" ;;
	subject) hostile_result "subjects: encoded word with NUL and invalid UTF-8; 64 KiB" 1 "$A1" "$(in_db "$A")" ;;
	url) hostile_result "URL with backslash, ;, %, _" 1 "$A1" "$(in_db "$A")" ;;
	attachment) hostile_result "attachment file names (RFC 2231, quoted) with quotes, NUL, invalid UTF-8" 1 "$A1" "$(in_db "$A")" ;;
	pattern) hostile_result "custom pattern value with quotes, NUL, invalid UTF-8" 1 "$A1" "$(in_db "$A")" ;;
	tables) hostile_result "tables intact after the import" 3 "$ABC" "$(in_db "$A,$B,$C")" ;;
	esac
done
e2e_done
