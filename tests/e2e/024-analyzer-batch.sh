#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# spampot-analyzer imports a backlog in batches, one transaction each, and
# every row lands on its own session and message: ids read back by spool
# name, then by session and number. A batch holding a file imported before
# is taken again one file at a time: that one is recognised, the others
# are imported, nothing is doubled. Counts of a value seen in many files
# add up to its total.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/db.sh"

db_sensor

# 60 sessions: session i sends i % 3 + 1 recipients rcpt<i>-<j>@example.net
# and one message with subject "batch <i>" and a link to host<i % 5>.
python3 - "$PORT" <<'PY'
import smtplib, sys
port = int(sys.argv[1])
for i in range(60):
    s = smtplib.SMTP("127.0.0.1", port, local_hostname="client%d.example" % i)
    rcpts = ["rcpt%d-%d@example.net" % (i, j) for j in range(i % 3 + 1)]
    body = ("Subject: batch %d\r\n\r\nsee http://host%d.example.com/p?i=%d\r\n"
            % (i, i % 5, i))
    s.sendmail("sender%d@example.org" % i, rcpts, body)
    s.quit()
PY
check "60 sessions sent" wait_for 10 spool_count_is new 60
stop_daemon

imported() { [ "$(grep -c ': imported ' "$ANALYZER_LOG" 2>/dev/null)" -ge "$1" ]; }

# Half of them first; one of those is then put back among the rest.
mkdir "$T/later"
spool_files new | tail -n 30 | xargs mv -t "$T/later"
"$SPAMPOT_ANALYZER" -c "$CONF" --once >> "$ANALYZER_LOG" 2>&1
check_eq "first 30 imported" 30 "$(db_scalar 'SELECT COUNT(*) FROM sessions')"
again=$(spool_files done | head -n 1)
cp -p "$again" "$SPOOL/new/"
mv "$T/later"/* "$SPOOL/new/"
"$SPAMPOT_ANALYZER" -c "$CONF" --once >> "$ANALYZER_LOG" 2>&1
check_eq "--once exits 0" 0 "$?"
check "the batch was taken one by one" analyzer_log_has "holds one imported before; importing them one at a time"
check "the file imported before is recognised" analyzer_log_has "$(basename "$again") imported before; not again"
check_eq "60 sessions, none twice" 60 "$(db_scalar 'SELECT COUNT(*) FROM sessions')"
check_eq "60 messages" 60 "$(db_scalar 'SELECT COUNT(*) FROM messages')"
check_eq "new/ is empty" 0 "$(spool_count new)"
check_eq "nothing in bad/" 0 "$(spool_count bad)"

# Every row on its own session and message.
check_eq "each message's subject is its session's" 0 "$(db_scalar "
    SELECT COUNT(*) FROM messages m JOIN sessions s ON s.id = m.session_id
    WHERE m.subject <> CONCAT('batch ', SUBSTRING_INDEX(SUBSTRING(s.helo, 7), '.', 1))")"
check_eq "each recipient on its message" 0 "$(db_scalar "
    SELECT COUNT(*) FROM recipients r JOIN messages m ON m.id = r.message_id
    WHERE r.address NOT LIKE CONCAT('rcpt', SUBSTRING(m.subject, 7), '-%')")"
check_eq "recipients: 1 to 3 a message" 120 "$(db_scalar 'SELECT COUNT(*) FROM recipients')"
check_eq "each URL on its message" 0 "$(db_scalar "
    SELECT COUNT(*) FROM urls u JOIN messages m ON m.id = u.message_id
    WHERE u.url NOT LIKE CONCAT('%i=', SUBSTRING(m.subject, 7))")"
check_eq "each transcript on its session" 0 "$(db_scalar "
    SELECT COUNT(*) FROM transcripts t JOIN sessions s ON s.id = t.session_id
    WHERE LOCATE(CONCAT(' ', s.helo, CHAR(10)), t.transcript) = 0")"
check_eq "a value of every file: its total is its counts" "$(db_scalar "
    SELECT SUM(mp.count) FROM message_patterns mp JOIN patterns p ON p.id = mp.pattern_id
    WHERE p.kind = 'domain' AND p.value = 'example.com'")" "$(db_scalar "
    SELECT total FROM patterns WHERE kind = 'domain' AND value = 'example.com'")"
check_eq "and it links every message" 60 "$(db_scalar "
    SELECT COUNT(*) FROM message_patterns mp JOIN patterns p ON p.id = mp.pattern_id
    WHERE p.kind = 'domain' AND p.value = 'example.com'")"
check_no_crash
e2e_done
