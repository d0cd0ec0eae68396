#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# spampot-analyzer has its parse child parse the next files while it
# stores the batch before, and moves committed files out of new/ on
# another. Whatever was parsed ahead, each file's fate is decided in the
# order of the names: in a backlog, a damaged file and a FIFO in the middle
# of a batch go to bad/ and the others are imported; a file it cannot read
# stops the import there, it and everything after it wait in new/, and the
# next run imports them, none twice. Live, files written into new/ that
# each come twice (two IN_CLOSE_WRITE) are imported once, none read again
# while it is moved.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/db.sh"

db_sensor

no_line() { ! analyzer_log_has "$1"; }
sessions_are() { [ "$(db_scalar 'SELECT COUNT(*) FROM sessions')" -eq "$1" ]; }

python3 - "$PORT" <<'PY'
import smtplib, sys
port = int(sys.argv[1])
for i in range(300):
    s = smtplib.SMTP("127.0.0.1", port, local_hostname="client%d.example" % i)
    body = ("Subject: ahead %d\r\n\r\nsee http://host%d.example.com/p?i=%d\r\n"
            % (i, i % 7, i))
    s.sendmail("sender%d@example.org" % i, ["rcpt%d@example.net" % i], body)
    s.quit()
PY
check "300 sessions sent" wait_for 30 spool_count_is new 300
stop_daemon

# The backlog: the first 150; the others come later, live.
mkdir "$T/later"
spool_files new | tail -n 150 | xargs mv -t "$T/later"
mapfile -t L < <(spool_files new | xargs -n 1 basename)
# names of the sensor's form (others go to bad/ unread) that sort right
# after L[60] and L[61]: the same time and client, a higher session id
bad1="${L[60]%_*}_fffffffffffffffe"
bad2="${L[61]%_*}_fffffffffffffffe"
printf 'spampot-spool 1\nsession 0123456789abcdef\nbogus\n' > "$SPOOL/new/$bad1"
mkfifo "$SPOOL/new/$bad2"
chmod 000 "$SPOOL/new/${L[120]}"

"$SPAMPOT_ANALYZER" -c "$CONF" --once >> "$ANALYZER_LOG" 2>&1
check_eq "--once with a file it cannot read exits 1" 1 "$?"
check "the files were parsed in the sandboxed parse child" \
    analyzer_log_has "sandbox: parse child: seccomp allow-list"
check "the damaged file in bad/" test -f "$SPOOL/bad/$bad1"
check "the FIFO in bad/" test -p "$SPOOL/bad/$bad2"
check "the damaged one, with why" analyzer_log_has "bad spool file $bad1: line 3: unknown record 'bogus'; moved to bad/"
check "the FIFO, with why" analyzer_log_has "bad spool file $bad2: not a regular file of at most 4 GiB; moved to bad/"
check "the unreadable file is named" analyzer_log_has "cannot read new/${L[120]}: open: Permission denied; it stays in new/"
check "and it stays in new/" test -e "$SPOOL/new/${L[120]}"
done_n=$(spool_count done)
check_eq "what is in done/ is what is in the database" "$done_n" \
    "$(db_scalar 'SELECT COUNT(*) FROM sessions')"
check "files before it were imported" test "$done_n" -gt 0
last_done=$(spool_files done | tail -n 1 | xargs basename)
check "none after it" test "$last_done" \< "${L[120]}"
check_eq "the rest wait in new/" $((150 - done_n)) "$(spool_count new)"

chmod 640 "$SPOOL/new/${L[120]}"
"$SPAMPOT_ANALYZER" -c "$CONF" --once >> "$ANALYZER_LOG" 2>&1
check_eq "the next --once exits 0" 0 "$?"
check_eq "150 sessions" 150 "$(db_scalar 'SELECT COUNT(*) FROM sessions')"
check_eq "new/ is empty" 0 "$(spool_count new)"
check_eq "done/ holds them" 150 "$(spool_count done)"
check_eq "nothing more in bad/" 1 "$(spool_count bad)"

# Live: each file written into new/ and closed twice, a damaged one among
# them; some are imported while others are still being written.
start_analyzer
python3 - "$T/later" "$SPOOL/new" <<'PY'
import os, sys
src, dst = sys.argv[1], sys.argv[2]
for i, n in enumerate(sorted(os.listdir(src))):
    with open(os.path.join(src, n), "rb") as f:
        data = f.read()
    p = os.path.join(dst, n)
    with open(p, "wb") as f:
        f.write(data)
    try:
        os.close(os.open(p, os.O_WRONLY | os.O_APPEND))
    except FileNotFoundError:
        pass	# imported and moved already
    if i == 75:
        with open(p + "a", "wb") as f:
            f.write(b"spampot-spool 1\nbogus\n")
PY
check "300 sessions imported" wait_for 30 sessions_are 300
check "the damaged one in bad/" wait_for 10 spool_count_is bad 2
check "new/ is emptied" wait_for 10 spool_count_is new 0
check_eq "done/ holds 300" 300 "$(spool_count done)"
check_eq "300 messages" 300 "$(db_scalar 'SELECT COUNT(*) FROM messages')"
check "no file taken for one imported before" no_line "imported before"
check "no move failed" no_line "cannot move"
check_eq "each message's subject is its session's" 0 "$(db_scalar "
    SELECT COUNT(*) FROM messages m JOIN sessions s ON s.id = m.session_id
    WHERE m.subject <> CONCAT('ahead ', SUBSTRING_INDEX(SUBSTRING(s.helo, 7), '.', 1))")"
stop_analyzer TERM
check_eq "analyzer exits 0 on SIGTERM" 0 "$ANALYZER_RC"
# (test builds with --enable-sanitizers: the threads' memory is clean)
check "no sanitizer report" no_line "Sanitizer"
check "no undefined behaviour" no_line "runtime error"
check_no_crash
e2e_done
