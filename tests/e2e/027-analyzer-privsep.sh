#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# spampot-analyzer parses attacker bytes in a child of its own that holds
# no database password, no network and no file but what it is sent. A
# test build's fault hooks (--enable-test-hooks) make the parser act as a
# compromised one: in a backlog of good sessions, a message that makes
# it call socket() gets it killed by its filter (SIGSYS), one that makes
# it open /etc/passwd or the database password file is refused
# (Landlock); each such file goes to bad/ with the reason, nothing of
# /etc/passwd or the password reaches the database or the log, and every
# good file before and after is imported once. A parser stuck for good
# on a file is killed when it has said nothing for the time limit (2 s
# here), and that file goes to bad/ too. /proc shows the parse
# child filtered (Seccomp: 2), holding one socket (its own, to the
# analyzer) and no fd on the password file, and no copy of the password
# in its environment or memory (its spawner was forked before the
# password was read), while the analyzer itself has it.
. "$(dirname "$0")/lib.sh"

if ! built_with SPAMPOT_TEST_HOOKS; then
	echo "SKIP: $E2E_NAME needs a build with --enable-test-hooks"
	exit 77
fi
. "$E2E_DIR/db.sh"

db_sensor

PASSWORD=$(head -n 1 "$DB_PASSWORD_FILE")
python3 - "$PORT" "$DB_PASSWORD_FILE" <<'PY'
import smtplib, sys
port, pwfile = int(sys.argv[1]), sys.argv[2]
hooks = {2: "socket", 4: "open /etc/passwd", 6: "open " + pwfile, 8: "hang"}
for i in range(1, 10):
    s = smtplib.SMTP("127.0.0.1", port, local_hostname="client%d.example" % i)
    body = "Subject: privsep %d\r\n\r\nsee http://host%d.example.com/\r\n" % (i, i)
    if i in hooks:
        body += "SPAMPOT-TEST-HOOK: %s\r\n" % hooks[i]
    s.sendmail("sender%d@example.org" % i, ["rcpt@example.net"], body)
    s.quit()
PY
check "9 sessions sent" wait_for 20 spool_count_is new 9
stop_daemon
mapfile -t F < <(spool_files new | xargs -n 1 basename)

SPAMPOT_TEST_PARSE_TIMEOUT=2 start_analyzer
sessions_are() { [ "$(db_scalar 'SELECT COUNT(*) FROM sessions')" -eq "$1" ]; }
check "the good sessions imported" wait_for 20 sessions_are 5
check "new/ is empty" wait_for 10 spool_count_is new 0
check_eq "each good one once, in order" \
    "client1.example,client3.example,client5.example,client7.example,client9.example" \
    "$(db_query 'SELECT helo FROM sessions ORDER BY id' | paste -sd,)"
check_eq "the hook files in bad/" "${F[1]} ${F[3]} ${F[5]} ${F[7]}" \
    "$(spool_files bad | xargs -n 1 basename | paste -sd' ')"
check "socket(): the child killed by its filter" analyzer_log_has \
    "parse child [0-9]* killed by signal 31 (Bad system call) parsing ${F[1]}; respawned as"
check "socket(): to bad/ after two tries" analyzer_log_has \
    "bad spool file ${F[1]}: the parse child killed by signal 31 (Bad system call) parsing it, twice; moved to bad/"
check "open /etc/passwd: refused" analyzer_log_has \
    "bad spool file ${F[3]}: test hook open /etc/passwd: refused: Permission denied; moved to bad/"
check "open of the password file: refused" analyzer_log_has \
    "bad spool file ${F[5]}: test hook open $DB_PASSWORD_FILE: refused: Permission denied; moved to bad/"
check "a stuck parser: killed at the time limit, the file to bad/" \
    analyzer_log_has "bad spool file ${F[7]}: no answer from the parse child in 2 s; moved to bad/"
db_lacks() {
	mariadb-dump --no-defaults --protocol=socket --socket="$DB_SOCKET" \
	    -u root "$DB_NAME" > "$T/dump.sql" || return 1
	! grep -qF -- "$1" "$T/dump.sql"
}
no_in() { ! grep -qF -- "$1" "$2"; }
PASSWD_LINE=$(head -n 1 /etc/passwd)
check "nothing of /etc/passwd in the database" db_lacks "$PASSWD_LINE"
check "nothing of /etc/passwd in the log" no_in "$PASSWD_LINE" "$ANALYZER_LOG"
check "the password not in the database" db_lacks "$PASSWORD"
check "the password not in the log" no_in "$PASSWORD" "$ANALYZER_LOG"

# The processes: the analyzer, its spawner, the parse child.
SPAWNER=$(pgrep -P "$ANALYZER_PID" | head -n 1)
CHILD=$(pgrep -P "$SPAWNER" | head -n 1)
check "a spawner and a parse child" test -n "$SPAWNER" -a -n "$CHILD"
check "analyzer log: the child's sandbox" analyzer_log_has \
    "sandbox: parse child: seccomp allow-list of [0-9]* calls, Landlock ABI [0-9]*: no file but the iconv modules, no network"
check_eq "parse child: seccomp filter" 2 \
    "$(awk '$1 == "Seccomp:" { print $2 }' /proc/$CHILD/status)"
check_eq "parse child: no new privileges" 1 \
    "$(awk '$1 == "NoNewPrivs:" { print $2 }' /proc/$CHILD/status)"
check_eq "parse child: the analyzer's user" spampot-analyzer \
    "$(ps -o user= -p "$CHILD")"
fds() { find "/proc/$1/fd" -mindepth 1 -printf '%l\n' 2>/dev/null; }
check_eq "parse child: one socket (to the analyzer)" 1 \
    "$(fds "$CHILD" | grep -c '^socket:')"
check_eq "parse child: no fd but the socket and /dev/null" "" \
    "$(fds "$CHILD" | grep -v '^socket:\|^/dev/null$')"
check "parse child: its socket's peer is the analyzer's" \
    test -n "$(ss -xp | grep "pid=$ANALYZER_PID," | grep -F "$(fds "$CHILD" | grep -o '[0-9]*' | head -n 1)")"
no_fd() { ! fds "$1" | grep -qF "$DB_PASSWORD_FILE"; }
check "spawner: no fd on the password file" no_fd "$SPAWNER"
check "parse child: no fd on the password file" no_fd "$CHILD"
check "parse child: no password in its environment" \
    no_in "$PASSWORD" "/proc/$CHILD/environ"
# memory, as root can read it
in_memory() {
	python3 - "$1" "$PASSWORD" <<'PY'
import re, sys
pid, needle = sys.argv[1], sys.argv[2].encode()
found = False
with open("/proc/%s/maps" % pid) as maps, open("/proc/%s/mem" % pid, "rb", 0) as mem:
    for line in maps:
        m = re.match(r"([0-9a-f]+)-([0-9a-f]+) (\S+)", line)
        lo, hi, perm = int(m.group(1), 16), int(m.group(2), 16), m.group(3)
        # (a sanitizer's shadow: terabytes reserved, never the heap)
        if perm[0] != "r" or "[vvar" in line or "[vsyscall" in line or \
           hi - lo > 1 << 36:
            continue
        # in chunks that overlap by the needle's length
        for at in range(lo, hi, 1 << 24):
            try:
                mem.seek(at)
                chunk = mem.read(min(hi - at, (1 << 24) + len(needle)))
            except (OSError, ValueError, OverflowError):
                break
            if needle in chunk:
                found = True
                break
        if found:
            break
sys.exit(0 if found else 1)
PY
}
check "the analyzer holds the password (the probe finds it)" in_memory "$ANALYZER_PID"
not_in_memory() { ! in_memory "$1"; }
check "parse child: the password not in its memory" not_in_memory "$CHILD"
check "spawner: the password not in its memory" not_in_memory "$SPAWNER"

# A file after all this is imported live, by the respawned child.
start_daemon
swaks --server 127.0.0.1 --port "$PORT" --helo client10.example \
    --to rcpt@example.net --from s@example.org >/dev/null 2>&1
check "a live session after the hooks is imported" wait_for 20 sessions_are 6
stop_daemon
stop_analyzer
check_eq "analyzer exits 0 on SIGTERM" 0 "$ANALYZER_RC"
gone() { ! kill -0 "$1" 2>/dev/null; }
check "the spawner is gone with it" wait_for 5 gone "$SPAWNER"
check "the parse child is gone with it" wait_for 5 gone "$CHILD"

# With -d, the child's filter names the forbidden call (on the analyzer's
# stderr) before the child dies of it.
start_daemon
swaks --server 127.0.0.1 --port "$PORT" --helo client11.example \
    --to rcpt@example.net --from s@example.org \
    --body "SPAMPOT-TEST-HOOK: socket" >/dev/null 2>&1
check "a hook session after the restart" wait_for 20 spool_count_is new 1
stop_daemon
start_analyzer -d
check "-d: the file to bad/" wait_for 20 spool_count_is bad 5
check "-d: the call named" analyzer_log_has "sandbox: forbidden system call [0-9]"
stop_analyzer
check_eq "still six sessions" 6 "$(db_scalar 'SELECT COUNT(*) FROM sessions')"
check_no_crash
e2e_done
