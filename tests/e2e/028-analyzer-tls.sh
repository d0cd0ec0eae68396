#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# The sensor's tls and tls-fail records (spampot-spool(5)) through
# spampot-analyzer into a private MariaDB and out of spampot-report: spool
# files made here by hand (handshakes done and failed, with and without a
# ClientHello, published ClientHellos whose JA3 and JA4 are known, a
# hostile SNI) give the session_tls rows they must, in the session's
# transaction, and the tls of the session's event (json_log); the running totals are those sql/rollups-rebuild.sql
# computes; top tls-version, ja4, ja3 and sni say the same from the totals
# and from the rows (--sensor); the session view and the HTML page show
# the TLS. A file with a malformed tls record, or two, goes to bad/.
#
# A real STARTTLS session through spampotd is one more entry of EXPECT:
# send it (with a certificate in the config) before "imported", and give
# its row as the others'.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/db.sh"

REPORT="$SPAMPOT_BUILDDIR/src/spampot-report"
install -d -o spampot-analyzer -m 0750 "$T/log"
db_sensor "json_log = $T/log/events.json"
start_analyzer
sessions() { db_scalar 'SELECT COUNT(*) FROM sessions'; }
imported() { [ "$(sessions)" -ge "$1" ]; }

# FoxIO's JA4 example (technical_details/JA4.md), GREASE added; a Chrome
# ClientHello a fingerprinting service published with its JA3 and JA4; the
# JA3 README's TLS 1.0 hello.
FOXIO="alpns=h2,http/1.1 hello_version=771 ciphers=2570,4865,4866,4867,49195,49199,49196,49200,52393,52392,49171,49172,156,157,47,53 extensions=10794,27,0,51,16,17513,23,45,13,5,35,18,43,65281,11,10,21 groups=29,23,24 sigalgs=1027,2052,1025,1283,2053,1281,2054,1537 point_formats=0 versions=23130,772,771 cut=0"
FOXIO_JA4=t13d1516h2_8daaf6152771_e5627efa2ab1
FOXIO_JA3=c000e2caf3a25423f9de6c8a4b12a975
CHROME="alpns=h2,http/1.1 hello_version=771 ciphers=4865,4866,4867,49195,49199,49196,49200,52393,52392,49171,49172,156,157,47,53 extensions=45,51,16,65037,23,17613,0,11,10,43,65281,35,18,5,13,27 groups=4588,29,23,24 sigalgs=1027,2052,1025,1283,2053,1281,2054,1537 point_formats=0 versions=772,771 cut=0"
CHROME_JA4=t13d1516h2_8daaf6152771_d8a2da3f94cd
CHROME_JA3=98487aa16281980e7d1120d399efb6a4
OLD="alpns= hello_version=769 ciphers=47,53,5,10,49161,49162,49171,49172,50,56,19,4 extensions=0,10,11 groups=23,24,25 sigalgs= point_formats=0 versions= cut=0"
OLD_JA4=t10d120300_d94e65cdb899_33a13ba74d1c
OLD_JA3=ada70206e40642a3e4461f35503241d5

# spool KEY CLIENT RECORD: a spool file of session KEY (16 hex digits) from
# CLIENT, started a minute ago, that went to STARTTLS and whose handshake
# gave RECORD; once the handshake is done, an AUTH. Placed in new/ whole.
spool() {
	python3 - "$SPOOL/new" "$1" "$2" "$3" <<'PY'
import datetime, os, sys
dst, key, client, record = sys.argv[1:]
t = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=1)
start = t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
end = (t + datetime.timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
lines = ["spampot-spool 1", "session " + key, "sensor e2e",
         "client %s 40000" % client, "server 127.0.0.1 25", "start " + start,
         "S 0.001 220 mx.e2e.test ESMTP Postfix (Debian/GNU)",
         "C 0.002 crlf EHLO bot.example", "helo verb=EHLO name=bot.example",
         "S 0.002 250-mx.e2e.test", "S 0.002 250 STARTTLS",
         "C 0.003 crlf STARTTLS", "S 0.003 220 2.0.0 Ready to start TLS",
         record]
if record.startswith("tls "):
    lines += ["C 0.100 crlf EHLO bot.example",
              "helo verb=EHLO name=bot.example", "S 0.100 250 mx.e2e.test",
              "C 0.101 crlf AUTH PLAIN AHUAcA==",
              "auth mech=PLAIN status=ok user=u pass=p authzid=",
              "S 0.101 235 2.7.0 Authentication successful",
              "C 0.102 crlf QUIT", "S 0.102 221 2.0.0 Bye"]
lines.append("end %s reason=%s" % (end, "quit" if record.startswith("tls ")
                                  else "closed"))
name = "%s_%s_%s" % (start.replace("-", "").replace(":", ""), client, key)
with open(os.path.join(dst, "." + name), "w") as f:
    f.write("\n".join(lines) + "\n")
os.chmod(os.path.join(dst, "." + name), 0o640)
os.rename(os.path.join(dst, "." + name), os.path.join(dst, name))
PY
}

# KEY|ok|version|cipher|alpn|stage|reason|bytes|sni|ja3_hash|ja4 of each
# session (NULL as mariadb prints it).
EXPECT=(
"00000000000000a1|1|TLSv1.3|TLS_AES_256_GCM_SHA384|NULL|NULL|NULL|NULL|mail.example.org|$FOXIO_JA3|$FOXIO_JA4"
"00000000000000a2|1|TLSv1.3|TLS_AES_128_GCM_SHA256|smtp|NULL|NULL|NULL|mx.example.net|$CHROME_JA3|$CHROME_JA4"
"00000000000000a3|0|NULL|NULL|NULL|handshake|no shared cipher|517|NULL|$OLD_JA3|$OLD_JA4"
"00000000000000a4|0|NULL|NULL|NULL|hello|wrong version number|5|NULL|NULL|NULL"
"00000000000000a5|1|TLSv1.3|TLS_AES_256_GCM_SHA384|NULL|NULL|NULL|NULL|mail.example.org|$FOXIO_JA3|$FOXIO_JA4"
"00000000000000a6|1|TLSv1.2|ECDHE-RSA-AES256-GCM-SHA384|NULL|NULL|NULL|NULL|<script>alert(1)</script>.example|$FOXIO_JA3|$FOXIO_JA4"
)
spool 00000000000000a1 198.51.100.1 "tls version=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384 alpn= sni=mail.example.org $FOXIO"
spool 00000000000000a2 198.51.100.2 "tls version=TLSv1.3 cipher=TLS_AES_128_GCM_SHA256 alpn=smtp sni=mx.example.net $CHROME"
spool 00000000000000a3 198.51.100.3 "tls-fail stage=handshake reason=no\\x20shared\\x20cipher bytes=517 sni= $OLD"
spool 00000000000000a4 198.51.100.4 "tls-fail stage=hello reason=wrong\\x20version\\x20number bytes=5"
spool 00000000000000a5 198.51.100.5 "tls version=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384 alpn= sni=mail.example.org $FOXIO"
spool 00000000000000a6 198.51.100.6 "tls version=TLSv1.2 cipher=ECDHE-RSA-AES256-GCM-SHA384 alpn= sni=<script>alert(1)</script>.example $FOXIO"
check "the hand-made sessions imported" wait_for 20 imported ${#EXPECT[@]}

# --- the rows -----------------------------------------------------------------
rows=$(db_query "SELECT s.session_key, t.ok, t.version, t.cipher, t.alpn,
    t.fail_stage, t.fail_reason, t.fail_bytes, t.sni, t.ja3_hash, t.ja4
    FROM session_tls t JOIN sessions s ON s.id = t.session_id
    ORDER BY s.session_key" | tr '\t' '|')
check_eq "session_tls: one row a session, as recorded" \
    "$(printf '%s\n' "${EXPECT[@]}")" "$rows"
check_eq "the ClientHello's lists as the client sent them, GREASE kept" \
    "h2,http/1.1|771|2570,4865,4866,4867,49195,49199,49196,49200,52393,52392,49171,49172,156,157,47,53|10794,27,0,51,16,17513,23,45,13,5,35,18,43,65281,11,10,21|29,23,24|1027,2052,1025,1283,2053,1281,2054,1537|0|23130,772,771|0" \
    "$(db_query "SELECT alpns, hello_version, ciphers, extensions, supported_groups, sigalgs, point_formats, supported_versions, hello_cut FROM session_tls t JOIN sessions s ON s.id = t.session_id WHERE s.session_key = '00000000000000a1'" | tr '\t' '|')"
check_eq "JA3 without GREASE, in the client's order" \
    "771,4865-4866-4867-49195-49199-49196-49200-52393-52392-49171-49172-156-157-47-53,27-0-51-16-17513-23-45-13-5-35-18-43-65281-11-10-21,29-23-24,0" \
    "$(db_scalar "SELECT ja3 FROM session_tls WHERE ja3_hash = '$FOXIO_JA3' LIMIT 1")"
check_eq "the ClientHello's columns NULL where none was read" "1" \
    "$(db_scalar "SELECT COUNT(*) FROM session_tls WHERE ciphers IS NULL AND ja3 IS NULL AND hello_version IS NULL AND alpns IS NULL")"
check_eq "the session's start on its TLS row" 0 \
    "$(db_scalar "SELECT COUNT(*) FROM session_tls t JOIN sessions s ON s.id = t.session_id WHERE t.started_at <> s.started_at")"
check_eq "the sessions' AUTH after the handshake stored with them" 4 \
    "$(db_scalar "SELECT COUNT(*) FROM auth_attempts")"

check_eq "json_log: the session's tls on its end event" \
    "00000000000000a2 True TLSv1.3 smtp mx.example.net $CHROME_JA4 $CHROME_JA3|00000000000000a4 False hello None None None None" \
    "$(python3 - "$T/log/events.json" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
out = []
for e in sorted(ev, key=lambda e: e["session"]):
    if e["eventid"] == "spampot.session.end" and e["session"] in (
            "00000000000000a2", "00000000000000a4"):
        t = e["tls"]
        out.append(" ".join(str(x) for x in (
            e["session"], t["ok"], t["version"] or t["fail_stage"],
            t["alpn"], t["sni"], t["ja4"], t["ja3_hash"])))
print("|".join(out))
PY
)"

# --- damaged tls records: bad/, saying why ------------------------------------
spool 00000000000000b1 198.51.100.7 "tls version=TLSv1.3 cipher=X alpn= sni= alpns= hello_version=771 ciphers=1,,2 extensions= groups= sigalgs= point_formats= versions= cut=0"
check "a malformed tls record: bad/" wait_for 10 spool_count_is bad 1
check "analyzer log: which field" analyzer_log_has "_00000000000000b1: line 14: bad ciphers; moved to bad/"
spool 00000000000000b2 198.51.100.8 "tls-fail stage=hello reason= bytes=0
tls-fail stage=closed reason= bytes=0"
check "two tls records: bad/" wait_for 10 spool_count_is bad 2
check "analyzer log: a second record" analyzer_log_has "_00000000000000b2: line 15: a second tls or tls-fail record; moved to bad/"
check_eq "neither imported" "${#EXPECT[@]}" "$(sessions)"

# --- the running totals, against the rows --------------------------------------
totals() {
	db_query "SELECT kind, value, n FROM value_totals WHERE kind IN ('tls-version', 'ja4', 'ja3', 'sni') ORDER BY 1, 2;
	    SELECT 'h', kind, hour, HEX(value_sha256), n, first_seen, last_seen FROM value_hours WHERE kind IN ('tls-version', 'ja4', 'ja3', 'sni') ORDER BY 2, 3, 4;
	    SELECT 'k', kind, hour, n, first_seen, last_seen FROM kind_hours WHERE kind IN ('tls-version', 'ja4', 'ja3', 'sni') ORDER BY 2, 3"
}
totals > "$T/kept.tsv"
check_eq "value_totals: the TLS kinds counted" \
    "ja3 $CHROME_JA3 1|ja3 $OLD_JA3 1|ja3 $FOXIO_JA3 3|ja4 $OLD_JA4 1|ja4 $CHROME_JA4 1|ja4 $FOXIO_JA4 3|sni <script>alert(1)</script>.example 1|sni mail.example.org 2|sni mx.example.net 1|tls-version TLSv1.2 1|tls-version TLSv1.3 3" \
    "$(head -n 11 "$T/kept.tsv" | tr '\t' ' ' | paste -sd'|')"
db_query "$(cat "$SPAMPOT_SRCDIR/sql/rollups-rebuild.sql")"
totals > "$T/rebuilt.tsv"
check "sql/rollups-rebuild.sql computes the totals the analyzer kept" \
    diff -u "$T/kept.tsv" "$T/rebuilt.tsv"

# --- spampot-report -------------------------------------------------------------
rep() { "$REPORT" -c "$CONF" "$@"; }
top() { rep top "$@" --format csv | tr -d '\r' | tail -n +2 | cut -d, -f1,4- | paste -sd'|'; }
check_eq "top tls-version" "3,TLSv1.3|1,TLSv1.2" "$(top tls-version)"
# ties in any order: sorted here
ranked() { tr '|' '\n' | LC_ALL=C sort -t, -k1,1nr -k2 | paste -sd'|'; }
check_eq "top ja4" "3,$FOXIO_JA4|1,$OLD_JA4|1,$CHROME_JA4" "$(top ja4 | ranked)"
check_eq "top sni" "2,mail.example.org|1,<script>alert(1)</script>.example|1,mx.example.net" \
    "$(top sni | ranked)"
check_eq "top ja3: the hash, then its text" \
    "3,$FOXIO_JA3,771,4865-4866-4867-49195-49199-49196-49200-52393-52392-49171-49172-156-157-47-53,27-0-51-16-17513-23-45-13-5-35-18-43-65281-11-10-21,29-23-24,0" \
    "$(rep top ja3 --limit 1 --format csv | tr -d '\r' | tail -n +2 | cut -d, -f1,4- | tr -d '"')"
since=$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%S)
for kind in tls-version ja4 ja3 sni; do
	for w in "" "--since $since"; do
		# shellcheck disable=SC2086
		a=$(rep top "$kind" $w --format csv | LC_ALL=C sort)
		# shellcheck disable=SC2086
		b=$(rep top "$kind" $w --sensor e2e --format csv | LC_ALL=C sort)
		check_eq "top $kind ${w:-(all time)}: the totals say what the rows say" "$b" "$a"
	done
done
check_eq "top ja4 --format json: the kind and its values" "top ja4 3" \
    "$(rep top ja4 --format json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["report"], d["kind"], len(d["rows"]))')"

rep session 00000000000000a2 > "$T/a2.txt"
check "session: the tls line" grep -qx "tls             TLSv1.3 TLS_AES_128_GCM_SHA256, ALPN smtp" "$T/a2.txt"
check "session: its JA4" grep -qx "  ja4           $CHROME_JA4" "$T/a2.txt"
check "session: its SNI" grep -qx "  sni           mx.example.net" "$T/a2.txt"
rep session 00000000000000a4 > "$T/a4.txt"
check "session: a failed handshake" grep -qx "tls             failed at hello: wrong version number, 5 bytes" "$T/a4.txt"
check_eq "session json: the tls object" \
    "False handshake no shared cipher 517 $OLD_JA4 $OLD_JA3 769 47,53,5,10,49161,49162,49171,49172,50,56,19,4" \
    "$(rep session 00000000000000a3 --format json | python3 -c 'import json,sys; t=json.load(sys.stdin)["sessions"][0]["tls"]; print(t["ok"], t["fail_stage"], t["fail_reason"], t["fail_bytes"], t["ja4"], t["ja3_hash"], t["hello_version"], t["ciphers"])')"
check_eq "session json: no ClientHello, no JA4" "None" \
    "$(rep session 00000000000000a4 --format json | python3 -c 'import json,sys; t=json.load(sys.stdin)["sessions"][0]["tls"]; print(t["ja4"])')"

rep html -o "$T/report.html"
check_eq "html: exit 0" 0 "$?"
check "html: TLS versions" grep -q "<h2>TLS versions (sessions)</h2>" "$T/report.html"
check "html: the top JA4" grep -qF "$FOXIO_JA4" "$T/report.html"
check "html: the SNI escaped" grep -qF "&lt;script&gt;alert(1)&lt;/script&gt;.example" "$T/report.html"
check_eq "html: nothing unescaped" 0 "$(grep -c '<script>' "$T/report.html")"
check "html: failed handshakes by stage and reason" \
    grep -qF '<td class="t">handshake</td><td class="v">no shared cipher</td>' "$T/report.html"

stop_analyzer TERM
check_eq "analyzer exits 0" 0 "$ANALYZER_RC"
check_no_crash
e2e_done
