#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# A stream of sessions keeps arriving while the analyzer is killed -9 and
# restarted, and while MariaDB is stopped and started again: in the end
# every session sent is in the database exactly once, with its message
# intact (SHA-256 of what was sent), and every file is in done/.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/db.sh"

db_start
db_setup
write_config "max_sessions_per_ip = 100"
cat "$DB_CONF" >> "$CONF"
start_daemon
start_analyzer

# send FIRST COUNT: sessions with a body unique to each; expected SHA-256s
# go to $T/sent.
send() {
	python3 - "$PORT" "$1" "$2" >> "$T/sent" <<'PY'
import hashlib, smtplib, sys
port, first, count = (int(a) for a in sys.argv[1:])
for i in range(first, first + count):
    body = ("Subject: stream %d\r\n\r\nmessage number %d\r\n" % (i, i)).encode()
    s = smtplib.SMTP("127.0.0.1", port, timeout=10)
    s.sendmail("s%d@example.org" % i, ["r%d@example.net" % i], body)
    s.quit()
    print(hashlib.sha256(body).hexdigest())
PY
}
sessions() { db_scalar 'SELECT COUNT(*) FROM sessions'; }
at_least() { [ "$(sessions)" -ge "$1" ]; }

send 1 20
check "first 20 imported" wait_for 15 at_least 20

# kill -9 of the analyzer while sessions arrive, then a restart
send 21 20 &
sender=$!
sleep 0.3
stop_analyzer KILL
wait "$sender"
start_analyzer
check "after the analyzer's crash, 40 imported" wait_for 20 at_least 40

# MariaDB away while mail keeps coming: files wait in new/
db_stop
send 41 20
check "analyzer notices the database is gone" wait_for 10 analyzer_log_has "database unavailable"
check "captures wait in new/ meanwhile" test "$(spool_count new)" -ge 1
db_start
check "after MariaDB is back, 60 imported" wait_for 30 at_least 60
check "analyzer log: database available again" analyzer_log_has "database available again"

# kill -9 of MariaDB itself mid-stream
send 61 10 &
sender=$!
sleep 0.2
db_kill
wait "$sender"
db_start
check "after MariaDB's crash, 70 imported" wait_for 30 at_least 70

check_eq "70 sessions, each once" "70 70" \
    "$(db_query 'SELECT COUNT(*), COUNT(DISTINCT spool_name) FROM sessions' | tr '\t' ' ')"
check_eq "70 messages" 70 "$(db_scalar 'SELECT COUNT(*) FROM messages')"
check_eq "every body intact (SHA-256 of what was sent)" "$(sort "$T/sent" | paste -sd,)" \
    "$(db_query 'SELECT sha256 FROM messages ORDER BY sha256' | paste -sd,)"
check "every file in done/" wait_for 10 spool_count_is done 70
check_eq "nothing left in new/" 0 "$(spool_count new)"
check_eq "nothing in bad/" 0 "$(spool_count bad)"
stop_analyzer TERM
check_eq "analyzer exits 0" 0 "$ANALYZER_RC"
check_no_crash
e2e_done
