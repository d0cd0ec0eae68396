#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# Offline enrichment: with geoip_country_db and geoip_asn_db naming
# MaxMind-format files (written here by tests/e2e/mmdb.py, read by
# libmaxminddb), each session gets its client's country and autonomous
# system in the database and the event log, and spampot-report shows them.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/db.sh"

REPORT="$SPAMPOT_BUILDDIR/src/spampot-report"

cat > "$T/country.json" <<'EOF'
[["127.0.0.0/8", {"country": {"iso_code": "DE", "names": {"en": "Germany"}}}],
 ["127.0.0.3/32", {"country": {"iso_code": "NL"}}],
 ["127.0.0.4/32", {"country": {"iso_code": "not a code"}}],
 ["::1/128", {"registered_country": {"iso_code": "JP"}}]]
EOF
cat > "$T/asn.json" <<'EOF'
[["127.0.0.0/8", {"autonomous_system_number": 64500,
                  "autonomous_system_organization": "Example Loopback Networks"}],
 ["127.0.0.4/32", {"autonomous_system_number": 64511}],
 ["::1/128", {"autonomous_system_number": 4200000000,
              "autonomous_system_organization": "IPv6 <Org> & Co"}]]
EOF
python3 "$E2E_DIR/mmdb.py" "$T/country.mmdb" GeoLite2-Country "$T/country.json" &&
	python3 "$E2E_DIR/mmdb.py" "$T/asn.mmdb" GeoLite2-ASN "$T/asn.json"
check_eq "test databases written" 0 "$?"
chmod 644 "$T"/*.mmdb
if command -v mmdblookup > /dev/null; then
	check "mmdblookup reads them" grep -q '"NL"' \
	    <(mmdblookup --file "$T/country.mmdb" --ip 127.0.0.3 country iso_code)
fi

db_start
db_setup
install -d -o spampot-analyzer -m 0750 "$T/log"
write_config "listen = 127.0.0.1:$PORT [::1]:$PORT" \
    "geoip_country_db = $T/country.mmdb" "geoip_asn_db = $T/asn.mmdb" \
    "json_log = $T/log/events.json"
cat "$DB_CONF" >> "$CONF"
start_daemon
start_analyzer
check "analyzer log: the country database" analyzer_log_has "GeoIP database $T/country.mmdb: GeoLite2-Country, built "
check "analyzer log: the AS database" analyzer_log_has "GeoIP database $T/asn.mmdb: GeoLite2-ASN, built "

python3 - "$PORT" <<'PY'
import smtplib, socket, sys
port = int(sys.argv[1])
for src in ("127.0.0.2", "127.0.0.3", "127.0.0.2", "127.0.0.4", "::1"):
    if src == "::1":
        s = smtplib.SMTP(timeout=10)
        s.connect("::1", port)
    else:
        s = smtplib.SMTP("127.0.0.1", port, source_address=(src, 0), timeout=10)
    s.sendmail("a@example.org", ["b@example.net"], b"Subject: geo\r\n\r\nx\r\n")
    s.quit()
PY
check "sessions sent" test $? -eq 0
imported() { [ "$(db_scalar 'SELECT COUNT(*) FROM sessions')" -ge 5 ]; }
check "and imported" wait_for 10 imported

check_eq "stored with each session (NULL where unknown or not a code)" \
    "127.0.0.2 DE 64500 Example Loopback Networks|127.0.0.3 NL 64500 Example Loopback Networks|127.0.0.2 DE 64500 Example Loopback Networks|127.0.0.4 NULL 64511 NULL|::1 JP 4200000000 IPv6 <Org> & Co" \
    "$(db_query 'SELECT client_ip, country, asn, as_org FROM sessions ORDER BY started_at' | tr '\t' ' ' | paste -sd'|')"

rep() { "$REPORT" -c "$CONF" "$@" 2>&1; }
check_eq "top country" "DE 2|JP 1|NL 1" \
    "$(rep top country --format csv | tail -n +2 | tr -d '\r' | cut -d, -f4,1 | awk -F, '{print $2, $1}' | paste -sd'|')"
check_eq "top asn, with the organisation" \
    "64500 3 Example Loopback Networks|4200000000 1 IPv6 <Org> & Co|64511 1 " \
    "$(rep top asn --format json | python3 -c 'import json,sys; print("|".join("%s %s %s" % (r["value"], r["count"], r["as_org"] or "") for r in json.load(sys.stdin)["rows"]))')"
check_eq "top client-ip: country and AS" \
    "127.0.0.2 DE 64500|::1 JP 4200000000|127.0.0.4 - 64511|127.0.0.3 NL 64500" \
    "$(rep top client-ip --format json | python3 -c 'import json,sys; print("|".join("%s %s %s" % (r["value"], r["country"] or "-", r["asn"]) for r in json.load(sys.stdin)["rows"]))')"
check "top client-ip, text: the CC column" grep -qE '^    1  .{16}  .{16}  JP  ::1$' <<< "$(rep top client-ip)"
KEY=$(db_scalar "SELECT session_key FROM sessions WHERE client_ip = '::1'")
check "session: the GeoIP line" grep -qF '  GeoIP         JP, AS4200000000 IPv6 <Org> & Co' <<< "$(rep session "$KEY")"
check_eq "session json: country, asn, as_org" "JP 4200000000 IPv6 <Org> & Co" \
    "$(rep session "$KEY" --format json | python3 -c 'import json,sys; s=json.load(sys.stdin)["sessions"][0]; print(s["country"], s["asn"], s["as_org"])')"
check_eq "search json: the country" "JP" \
    "$(rep search --ip ::1 --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)["rows"][0]["country"])')"
check "event log: the source's country and AS" grep -qF '"src_ip":"::1","src_port":' "$T/log/events.json"
check_eq "event log: the same values" "DE 64500 Example Loopback Networks|NL 64500 Example Loopback Networks|DE 64500 Example Loopback Networks|None 64511 None|JP 4200000000 IPv6 <Org> & Co" \
    "$(python3 -c 'import json,sys; print("|".join("%s %s %s" % (e["src_country"], e["src_asn"], e["src_as_org"]) for e in sorted((e for e in map(json.loads, open(sys.argv[1])) if e["eventid"] == "spampot.session.end"), key=lambda e: e["start"])))' "$T/log/events.json")"
stop_analyzer TERM

# A file that is not a MaxMind database: the analyzer does not start.
echo "not a database" > "$T/bad.mmdb"
sed -i "s|^geoip_asn_db = .*|geoip_asn_db = $T/bad.mmdb|" "$CONF"
"$SPAMPOT_ANALYZER" -f -c "$CONF" --once > "$T/bad.out" 2>&1
check_eq "a bad GeoIP file: exit 1" 1 "$?"
check "and says which and why" grep -q "GeoIP database $T/bad.mmdb: The MaxMind DB file contains invalid metadata" "$T/bad.out"
check_no_crash
e2e_done
