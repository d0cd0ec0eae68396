#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# spampot-report's error paths and exit status: 2 with one clear line for a
# bad option, a bad time, a database that cannot be reached, a wrong
# password, a database without spampot's tables or with an old schema; 1
# for nothing found on an empty database, in every format.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/db.sh"

REPORT="$SPAMPOT_BUILDDIR/src/spampot-report"
READER_PW="$T/analyst.password"

# rep NAME [CONFIG] -- ARGS...: $T/NAME.{out,err,rc}
rep() {
	local name=$1 conf=$CONF
	shift
	if [ "$1" != -- ]; then conf=$1; shift; fi
	shift
	timeout 30 "$REPORT" -c "$conf" "$@" > "$T/$name.out" 2> "$T/$name.err"
	echo $? > "$T/$name.rc"
}
result() { echo "$(cat "$T/$1.rc") $(cat "$T/$1.err")"; }
HINT="; try spampot-report --help"

# --- no database needed for these: arguments are checked first ---------------
write_config "mysql_socket = $T/no-such.sock"
rep opt -- summary --bogus
check_eq "unknown option" "2 spampot-report: unknown option '--bogus'$HINT" "$(result opt)"
rep noval -- summary --since
check_eq "option without its value" "2 spampot-report: option '--since' needs a value$HINT" "$(result noval)"
rep nocmd --
check_eq "no command" "2 spampot-report: no command (summary, top, session, search, campaigns, campaign, relay, sensors, html, export)$HINT" "$(result nocmd)"
rep badcmd -- stats
check_eq "unknown command" "2 spampot-report: unknown command 'stats'$HINT" "$(result badcmd)"
rep nokind -- top
check_eq "top without a kind" "2 spampot-report: top needs a KIND$HINT" "$(result nokind)"
rep ipkind -- top ip
check_eq "top ip: which one" \
    "2 spampot-report: no kind 'ip': for the IP addresses in messages say msg-ip, for client addresses client-ip" \
    "$(result ipkind)"
rep badkind -- top 'drop table'
check_eq "top: not a kind or pattern name" \
    "2 spampot-report: no kind 'drop table' (spampot-report --help lists them)" "$(result badkind)"
rep badtime -- summary --since yesterday
check_eq "bad time" \
    "2 spampot-report: bad time 'yesterday' for --since (expected YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS] in UTC, or a duration such as 30m, 24h, 7d)$HINT" \
    "$(result badtime)"
for t in 2026-02-30 2026-11-26T25:00 24x 0h 2026-11-26T10 -5d; do
	rep bt -- summary --until "$t"
	check_eq "bad time '$t': exit 2" 2 "$(cat "$T/bt.rc")"
done
rep order -- summary --since 2026-11-26 --until 2026-11-25
check_eq "--since after --until" \
    "2 spampot-report: --since 2026-11-26 is not before --until 2026-11-25$HINT" "$(result order)"
rep fmt -- summary --format xml
check_eq "bad format" "2 spampot-report: bad --format 'xml' (expected text, json, csv, csv-safe, or for export misp or stix)$HINT" "$(result fmt)"
rep lim -- summary --limit 0
check_eq "bad limit" "2 spampot-report: bad --limit '0' (expected 1 to 100000)$HINT" "$(result lim)"
rep sopt -- summary --ip 1.2.3.4
check_eq "search option on another command" \
    "2 spampot-report: --ip, --address, --domain, --url, --hash, --subject, --yara, --campaign and --mismatch go with search$HINT" \
    "$(result sopt)"
rep badip -- search --ip 10.0.0.0/33
check_eq "bad network" \
    "2 spampot-report: --ip '10.0.0.0/33': expected an IPv4 or IPv6 address or network (198.51.100.7, 198.51.100.0/24, 2001:db8::/32)" \
    "$(result badip)"
rep badhash -- search --hash 1234
check_eq "bad hash" \
    "2 spampot-report: --hash '1234': expected an MD5, SHA-1 or SHA-256 in hex (32, 40 or 64 digits)" \
    "$(result badhash)"
rep badsess -- session 'x y'
check_eq "bad session id" \
    "2 spampot-report: bad session 'x y': expected a session id (16 hex digits), a spool file name or a database id" \
    "$(result badsess)"
rep csvsess -- session 0123456789abcdef --format csv
check_eq "session as CSV" \
    "2 spampot-report: session: --format csv is not available; use text or json$HINT" "$(result csvsess)"
rep csvsafesess -- session 0123456789abcdef --format csv-safe
check_eq "session as CSV for spreadsheets" \
    "2 spampot-report: session: --format csv is not available; use text or json$HINT" "$(result csvsafesess)"
rep htmlfmt -- html --format json
check_eq "html with a format" "2 spampot-report: html writes HTML; --format does not apply$HINT" "$(result htmlfmt)"
rep expfmt -- export --format json
check_eq "export: a format of its own" "2 spampot-report: export writes --format misp or --format stix$HINT" "$(result expfmt)"
rep expnofmt -- export
check_eq "export without --format" "2 spampot-report: export writes --format misp or --format stix$HINT" "$(result expnofmt)"
rep exptlp -- export --format misp --tlp orange
check_eq "export: bad --tlp" "2 spampot-report: bad --tlp 'orange' (expected clear, white, green, amber, amber+strict or red)$HINT" "$(result exptlp)"
rep mispsum -- summary --format stix
check_eq "misp and stix go with export" "2 spampot-report: --format misp and stix go with export$HINT" "$(result mispsum)"
rep tlpsum -- summary --tlp red
check_eq "--tlp goes with export" "2 spampot-report: --tlp goes with export$HINT" "$(result tlpsum)"
rep expsearch -- export --format stix --ip 127.0.0.1
check_eq "export: no search options" 2 "$(cat "$T/expsearch.rc")"
rep help -- --help
check_eq "--help: exit 0, lists the kinds" "0 1" "$(cat "$T/help.rc") $(grep -c '^  credential ' "$T/help.out")"
rep noconf /nonexistent/spampot.conf -- summary
check_eq "configuration missing" \
    "2 spampot-report: /nonexistent/spampot.conf: No such file or directory" "$(result noconf)"

# --- the database ------------------------------------------------------------
echo secret > "$T/pw"
rep nodb -- --password-file "$T/pw" summary
check_eq "no server: exit 2, the socket and the cause" \
    "2 spampot-report: cannot connect to database spampot as spampot over $T/no-such.sock: Can't connect to local server through socket '$T/no-such.sock' (2)" \
    "$(result nodb)"
rep nopw -- --password-file "$T/missing" summary
check_eq "password file missing" \
    "2 spampot-report: password file $T/missing: No such file or directory" "$(result nopw)"

db_start
db_setup --reader analyst --reader-password-file "$READER_PW"
write_config
cat "$DB_CONF" >> "$CONF"
rep wrongpw -- --user analyst --password-file "$T/pw" summary
check "wrong password: exit 2, access denied" \
    grep -q "^2 spampot-report: cannot connect to database spampot as analyst over $DB_SOCKET: Access denied for user 'analyst'@'localhost'" \
    <<< "$(result wrongpw)"

# An empty database: nothing found, in every format.
for f in text json csv; do
	rep empty-$f -- --user analyst --password-file "$READER_PW" summary --format $f
	check_eq "empty database: summary --format $f exits 1" 1 "$(cat "$T/empty-$f.rc")"
done
check_eq "empty database: summary json, zeros and nulls" "0 0 None None" \
    "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["sessions"], d["messages"], d["busiest_hour"], d["newest_session"])' "$T/empty-json.out")"
check "empty database: summary text still says it" grep -q '^sessions            0$' "$T/empty-text.out"
rep etop -- --user analyst --password-file "$READER_PW" top client-ip
check_eq "empty database: top, text" "1 spampot-report: nothing found" "$(result etop)"
check_eq "empty database: top prints nothing" "" "$(cat "$T/etop.out")"
rep etopj -- --user analyst --password-file "$READER_PW" top sender --format json
check_eq "empty database: top, json: an empty list, nothing on stderr" "1 0 " \
    "$(cat "$T/etopj.rc") $(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["rows"]))' "$T/etopj.out") $(cat "$T/etopj.err")"
rep etopc -- --user analyst --password-file "$READER_PW" top password --format csv
check_eq "empty database: top, csv: the header only" "1 count,first_seen,last_seen,value" \
    "$(cat "$T/etopc.rc") $(tr -d '\r' < "$T/etopc.out")"
rep epat -- --user analyst --password-file "$READER_PW" top btc
check_eq "empty database: an unknown pattern" \
    "1 spampot-report: no values of a pattern named 'btc' in the database" "$(result epat)"
rep esearch -- --user analyst --password-file "$READER_PW" search --ip 10.0.0.0/8
check_eq "empty database: search" "1 spampot-report: nothing found" "$(result esearch)"
rep esess -- --user analyst --password-file "$READER_PW" session 1
check_eq "empty database: session" "1 spampot-report: no session '1'" "$(result esess)"
rep ehtml -- --user analyst --password-file "$READER_PW" html -o "$T/empty.html"
check_eq "empty database: html still writes its page, exit 1" "1 1" \
    "$(cat "$T/ehtml.rc") $(grep -c '</html>' "$T/empty.html")"

# A password file every user may read: a warning once connected, as the
# analyzer gives; the report goes on.
install -m 644 "$READER_PW" "$T/open.password"
rep openpw -- --user analyst --password-file "$T/open.password" top client-ip
check_eq "password file readable by every user: warned, then the report" \
    "1 spampot-report: warning: $T/open.password is readable by every user: chmod 0640 it
spampot-report: nothing found" "$(result openpw)"

# A database without spampot's tables; one at schema version 1. Root
# connects by socket authentication; the password does not matter.
db_query "CREATE DATABASE bare; CREATE DATABASE old"
mariadb --no-defaults --protocol=socket --socket="$DB_SOCKET" -u root old \
    < "$SPAMPOT_SRCDIR/tests/data/sql/schema-v1.sql"
write_config "mysql_socket = $DB_SOCKET" "mysql_database = bare"
rep bare -- --user root --password-file /dev/null summary
check_eq "no spampot tables" "2 spampot-report: database bare has no spampot tables; run spampot-dbsetup" "$(result bare)"
write_config "mysql_socket = $DB_SOCKET" "mysql_database = old"
rep old -- --user root --password-file /dev/null top client-ip
check_eq "schema version 1" \
    "2 spampot-report: database old has schema version 1; spampot-report needs version 7: run spampot-dbsetup to upgrade it" \
    "$(result old)"

# The server goes away: a clear error, not a hang.
write_config
cat "$DB_CONF" >> "$CONF"
db_stop
rep gone -- --user analyst --password-file "$READER_PW" summary
check "server stopped: exit 2, said" grep -q "^2 spampot-report: cannot connect to database spampot as analyst over $DB_SOCKET: " <<< "$(result gone)"
e2e_done
