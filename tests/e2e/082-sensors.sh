#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# Sensor health: spampotd writes its status file at the top of the spool;
# the analyzer writes its sensor's heartbeat row (every second here, a
# minute in use) with what it and that file say; `spampot-report sensors`
# judges the rows as a Nagios/Icinga check, as an analyst made by
# spampot-dbsetup --reader. The real sensor is followed from running to
# stopped; rows of other sensors, written here in SQL, show each rule of
# the judgement (an old heartbeat, a growing backlog, workers short).
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/db.sh"

# A heartbeat a second rather than a minute needs the test build's hook.
built_with SPAMPOT_TEST_HOOKS || { echo "SKIP: needs --enable-test-hooks"; exit 77; }

REPORT="$SPAMPOT_BUILDDIR/src/spampot-report"
READER_PW="$T/analyst.password"

db_start
db_setup --reader analyst --reader-password-file "$READER_PW"
db_config "sensor = sensor-a" "persona = rfc821"
start_daemon
status_of() {
	awk -v k="$1" '$1 == k { print $2 }' "$SPOOL/status"
}
check "spampotd: its status file" wait_for 5 test -f "$SPOOL/status"
check_eq "status file: running, 2 workers of 2, its pid" "running 2 2 $DAEMON_PID" \
    "$(status_of state) $(status_of workers) $(status_of alive) $(status_of pid)"
check_eq "status file: the spool's owner and group, 0640" \
    "$(stat -c '%U:%G' "$SPOOL") 640" "$(stat -c '%U:%G %a' "$SPOOL/status")"

export SPAMPOT_TEST_HEARTBEAT_MS=1000
start_analyzer
hb() {
	db_query "SELECT version, IFNULL(last_import, '-'), new_files, bad_files,
	    sessions_hour, IFNULL(sensor_state, '-'), IFNULL(workers_alive, '-'),
	    IFNULL(workers, '-'), spool_free > 0,
	    TIMESTAMPDIFF(SECOND, beat_at, UTC_TIMESTAMP(6)) < 5
	    FROM sensor_heartbeats WHERE sensor = 'sensor-a'" | tr '\t' ' '
}
hb_is() { [ "$(hb)" = "$1" ]; }
version=$("$SPAMPOT_ANALYZER" -V | awk '{ print $2 }')
check "an idle analyzer: its heartbeat, nothing imported yet" wait_for 10 \
    hb_is "$version - 0 0 0 running 2 2 1 1"
[ "$(hb)" = "$version - 0 0 0 running 2 2 1 1" ] || echo "# heartbeat: $(hb)"

python3 - "$PORT" <<'PY'
import smtplib, sys
for i in range(3):
    s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), local_hostname="bot.example")
    s.sendmail("a@b.example", ["c@d.example"],
               b"Subject: hello %d\r\n\r\nbody\r\n" % i)
    s.quit()
PY
printf 'not a spool file\n' > "$SPOOL/new/$(date -u +%Y%m%dT%H%M%S).000000Z.e2e.1.1.spool"
chown spampot:spampot "$SPOOL/new/"*.spool 2>/dev/null
imported() { [ "$(db_scalar 'SELECT COUNT(*) FROM sessions')" -ge 3 ] &&
    spool_count_is new 0 && spool_count_is bad 1; }
check "three sessions imported, the bad file in bad/" wait_for 20 imported
beat() {
	db_query "SELECT last_import IS NOT NULL, new_files, bad_files, sessions_hour
	    FROM sensor_heartbeats WHERE sensor = 'sensor-a'" | tr '\t' ' '
}
beat_is() { [ "$(beat)" = "$1" ]; }
check "heartbeat: the last import, 3 sessions in the hour, 1 file in bad/" \
    wait_for 10 beat_is "1 0 1 3"

# Another writer holds the heartbeat row for 7 s: the analyzer waits 5 s
# at most for it (1205, lock wait timeout), then tries again, as it does
# a batch; the heartbeat is late, never lost, and no warning is logged.
beat_age() {
	db_scalar "SELECT TIMESTAMPDIFF(SECOND, beat_at, UTC_TIMESTAMP(6))
	    FROM sensor_heartbeats WHERE sensor = 'sensor-a'"
}
timeout 30 mariadb --no-defaults --protocol=socket --socket="$DB_SOCKET" \
    -u root --database=spampot -e "START TRANSACTION;
    SELECT sensor FROM sensor_heartbeats WHERE sensor = 'sensor-a' FOR UPDATE;
    DO SLEEP(7); COMMIT" > /dev/null 2>&1 &
holder=$!
warned=$(grep -c "heartbeat not written" "$ANALYZER_LOG")
sleep 1
check "a held heartbeat row: the analyzer waits" wait_for 5 eval \
    '[ "$(beat_age)" -ge 2 ]'
wait "$holder"
check "the row free again: the heartbeat written at a later try" \
    wait_for 10 eval '[ "$(beat_age)" -lt 2 ]'
check_eq "the held row: no heartbeat warning" "$warned" \
    "$(grep -c "heartbeat not written" "$ANALYZER_LOG")"

report() {
	"$REPORT" -c "$CONF" --user analyst --password-file "$READER_PW" "$@" \
	    2> "$T/report.err"
}
out=$(report sensors)
check_eq "report sensors: all well, exit 0" 0 "$?"
check_eq "report sensors: the plugin's status line" "SENSORS OK - 1 sensor" \
    "$(head -n 1 <<< "$out")"
check "report sensors: the sensor's row" grep -q '^sensor-a  *OK ' <<< "$out"
check "report sensors: at most 80 columns" test "$(awk '{ if (length > m) m = length } END { print m }' <<< "$out")" -le 80
json=$(report sensors --format json)
check_eq "report sensors --format json: the row, as SQL has it" \
    "sensor-a OK 1 3 2 2 running $version" \
    "$(python3 -c 'import json, sys
r = json.load(sys.stdin)["rows"][0]
print(r["sensor"], r["status"], r["bad_files"], r["sessions_hour"],
      r["workers_alive"], r["workers"], r["sensor_state"], r["version"])' <<< "$json")"

# spampotd stops: its file says so, the next heartbeat carries it
stop_daemon TERM
check_eq "status file: stopped, no worker alive" "stopped 0" \
    "$(status_of state) $(status_of alive)"
state_is() { [ "$(db_scalar "SELECT sensor_state FROM sensor_heartbeats WHERE sensor = 'sensor-a'")" = "$1" ]; }
check "heartbeat: spampotd stopped" wait_for 10 state_is stopped
out=$(report sensors)
check_eq "report sensors, spampotd stopped: CRITICAL, exit 2" \
    "2 SENSORS CRITICAL - 1 sensor: sensor-a spampotd stopped" \
    "$? $(head -n 1 <<< "$out")"

# A status file that is not spampotd's: no sensor state, said once
printf 'spampotd-status 1\nstate \033[31mrunning\n' > "$SPOOL/status"
check "a bad status file: said in the log" wait_for 10 \
    analyzer_log_has "heartbeat: no sensor status: status: not spampotd's status"
check "a bad status file: no sensor state" wait_for 10 \
    test "$(db_scalar "SELECT IFNULL(sensor_state, 'none') FROM sensor_heartbeats WHERE sensor = 'sensor-a'")" = none
out=$(report sensors --sensor sensor-a)
check_eq "report sensors: no status file is a WARNING, exit 1" \
    "1 SENSORS WARNING - 1 sensor: sensor-a no status file from spampotd" \
    "$? $(head -n 1 <<< "$out")"
stop_analyzer TERM
check_eq "analyzer exits 0" 0 "$ANALYZER_RC"

# --- the judgement, on rows of other sensors ---------------------------------
row() {	# SENSOR BEAT-AGO NEW NEW-BEFORE STATE STATUS-AGO WORKERS ALIVE
	db_query "INSERT INTO sensor_heartbeats VALUES ('$1',
	    UTC_TIMESTAMP(6) - INTERVAL $2 SECOND, '1.0', UTC_TIMESTAMP(),
	    NULL, $3, $4, 0, 1000000, 0, '$5', '1.0',
	    UTC_TIMESTAMP() - INTERVAL $6 SECOND, $7, $8)"
}
# written again before each report: the ages are those of the moment
rows() {
	db_query "DELETE FROM sensor_heartbeats WHERE sensor <> 'sensor-a'"
	row old 600 0 0 running 600 2 2
	row older 1200 0 0 running 1200 2 2
	row growing 30 5000 4000 running 5 2 2
	row shrinking 30 5000 6000 running 5 2 2
	row short 30 0 0 running 5 4 1
	row silent 30 0 0 running 400 2 2
	row none 30 0 0 running 5 2 0
}
# The ages are whole seconds; a second may turn between the rows and the
# report: an age one second over is read as the one written.
judged() {
	local out rc
	rows
	out=$(report sensors "$@")
	rc=$?
	echo "$rc $(head -n 1 <<< "$out")" |
	    sed 's/for 601 s/for 600 s/g; s/for 401 s/for 400 s/g;
		s/for 1201 s/for 1200 s/g'
}
check_eq "a heartbeat 10 minutes old: WARNING" \
    "1 SENSORS WARNING - 1 sensor: old no heartbeat for 600 s; spampotd silent for 600 s" \
    "$(judged --sensor old)"
check_eq "20 minutes old: CRITICAL" \
    "2 SENSORS CRITICAL - 1 sensor: older no heartbeat for 1200 s; spampotd silent for 1200 s" \
    "$(judged --sensor older)"
check_eq "--warn 15m --crit 30m: 20 minutes is a WARNING" \
    "1 SENSORS WARNING - 1 sensor: older no heartbeat for 1200 s; spampotd silent for 1200 s" \
    "$(judged --sensor older --warn 15m --crit 30m)"
check_eq "a backlog of 5000 that grew: WARNING" \
    "1 SENSORS WARNING - 1 sensor: growing backlog of 5000 files in new/, growing" \
    "$(judged --sensor growing)"
check_eq "--backlog 10000: not yet" "0 SENSORS OK - 1 sensor" \
    "$(judged --sensor growing --backlog 10000)"
check_eq "a backlog of 5000 that shrinks: OK" "0 SENSORS OK - 1 sensor" \
    "$(judged --sensor shrinking)"
check_eq "1 worker of 4: WARNING" \
    "1 SENSORS WARNING - 1 sensor: short 1 of 4 workers running" \
    "$(judged --sensor short)"
check_eq "spampotd's file 400 s old: WARNING" \
    "1 SENSORS WARNING - 1 sensor: silent spampotd silent for 400 s" \
    "$(judged --sensor silent)"
check_eq "no worker running: CRITICAL" \
    "2 SENSORS CRITICAL - 1 sensor: none no worker running" \
    "$(judged --sensor none)"
check_eq "all: the worst, and each sensor not OK" \
    "2 SENSORS CRITICAL - 8 sensors: growing backlog of 5000 files in new/, growing, none no worker running, old no heartbeat for 600 s; spampotd silent for 600 s, older no heartbeat for 1200 s; spampotd silent for 1200 s, sensor-a no status file from spampotd, short 1 of 4 workers running, silent spampotd silent for 400 s" \
    "$(judged)"
rows
csv=$(report sensors --format csv)
check_eq "--format csv: a header and 8 rows, the status of each" \
    "9 growing,WARNING shrinking,OK" \
    "$(wc -l <<< "$csv") $(awk -F, '$1 == "growing" || $1 == "shrinking" { printf "%s%s,%s", n++ ? " " : "", $1, $2 }' <<< "$csv")"
check_eq "no heartbeat from the sensor asked for: UNKNOWN, exit 3" \
    "3 SENSORS UNKNOWN - no heartbeat from this sensor" \
    "$(judged --sensor nosuch)"
check_eq "a bad --warn: exit 2, said" \
    "2 spampot-report: bad age 'soon' for --warn (expected a duration such as 90s, 5m, 2h); try spampot-report --help" \
    "$(report sensors --warn soon; echo "$? $(cat "$T/report.err")")"
check_eq "--crit before --warn: exit 2, said" \
    "2 spampot-report: --crit 60s is shorter than --warn 300s; try spampot-report --help" \
    "$(report sensors --crit 1m; echo "$? $(cat "$T/report.err")")"
check_eq "--since does not apply: exit 2, said" \
    "2 spampot-report: sensors shows the last heartbeats; --since and --until do not apply; try spampot-report --help" \
    "$(report sensors --since 1h; echo "$? $(cat "$T/report.err")")"
check_eq "--warn with another command: exit 2, said" \
    "2 spampot-report: --warn, --crit and --backlog go with sensors; try spampot-report --help" \
    "$(report summary --warn 1m; echo "$? $(cat "$T/report.err")")"

# The HTML page: each sensor, its sessions and its health now
rows
report html -o "$T/page.html"
check_eq "html: exit 0" 0 "$?"
sensors_html() {
	python3 - "$T/page.html" <<'PY'
import html.parser, sys
class P(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(); self.on = False; self.rows = []; self.cell = None
    def handle_starttag(self, tag, a):
        if tag == "h2": self.h2 = ""
        if tag == "tr" and self.on: self.rows.append([])
        if tag == "td" and self.on: self.cell = ""
    def handle_endtag(self, tag):
        if tag == "h2": self.on = self.h2.startswith("Sensors")
        if tag == "section": self.on = False
        if tag == "td" and self.cell is not None:
            self.rows[-1].append(self.cell); self.cell = None
    def handle_data(self, d):
        if getattr(self, "h2", None) is not None and not self.on and self.cell is None:
            self.h2 += d
        if self.cell is not None: self.cell += d
p = P(); p.feed(open(sys.argv[1]).read())
for r in p.rows:
    if r and r[0] in ("sensor-a", "growing", "older"):
        print(r[0], r[1], r[4], "|", r[5])
PY
}
check_eq "html: the sensors' section, sessions and health" \
"sensor-a 3 WARNING | no status file from spampotd
growing 0 WARNING | backlog of 5000 files in new/, growing
older 0 CRITICAL | no heartbeat for 1200 s; spampotd silent for 1200 s" \
    "$(sensors_html | sed 's/for 1201 s/for 1200 s/g')"

check_no_crash
e2e_done
