#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# What a compromised worker can put into new/ does not reach the log raw
# nor stop the import: files renamed into new/ under names the sensor
# never makes (a newline and a forged log line, ANSI and OSC escapes, a
# '..', too long, a bad address, upper-case hex) go to bad/ unread, each
# with a line that shows its name escaped; a file of the right name whose
# content holds escapes goes to bad/ with its error escaped; a file
# created in new/ and never opened (what an openat that Landlock refuses
# after the create leaves behind) goes to bad/ within seconds, not at the
# next full scan. A file of a name beginning with '.' is left alone and
# never logged. Real sessions before and after are imported.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/db.sh"

db_sensor
start_analyzer
# files, not lines: a name may hold a newline
files_in() { find "$SPOOL/$1" -type f -printf . | wc -c; }
files_in_are() { [ "$(files_in "$1")" -eq "$2" ]; }
sessions_are() { [ "$(db_scalar 'SELECT COUNT(*) FROM sessions')" -eq "$1" ]; }

swaks --server "127.0.0.1:$PORT" --to before@example.com --silent 2 >/dev/null
check "a session before is imported" wait_for 10 sessions_are 1

# As the sensor's user, as a compromised worker would: each file written
# under a dot name, then renamed into place (IN_MOVED_TO); the empty one
# made with mknod, never opened (IN_CREATE only).
stamp=$(date -u +%Y%m%dT%H%M%S).000000Z
runuser -u spampot -- python3 - "$SPOOL/new" "$stamp" <<'PY'
import os, stat, sys
new, stamp = sys.argv[1], sys.argv[2]
good = stamp + "_192.0.2.7_"
names = [
    good + "0123456789abcdef\nJan  1 00:00:00 spampot-analyzer[1]: imported forged",
    "\x1b[2J\x1b]0;pwned\x07" + good + "0123456789abcdef",
    stamp + "_.._0123456789abcdef",
    stamp + "_192.0.2.7_../0123456789abcdef".replace("/", "-"),
    good + "0123456789abcdef" + "a" * 200,
    stamp + "_999.0.2.7_0123456789abcdef",
    good + "0123456789ABCDEF",
    "hello.txt",
    ".\nJan  1 00:00:00 spampot-analyzer[1]: hidden",
]
for i, n in enumerate(names):
    tmp = os.path.join(new, ".w%d" % i)
    with open(tmp, "wb") as f:
        f.write(b"spampot-spool 1\n")
    os.rename(tmp, os.path.join(new, n))
# a name of the right form, content with escapes: its error is logged
tmp = os.path.join(new, ".content")
with open(tmp, "wb") as f:
    f.write(b"spampot-spool 1\x1b[2J\x1b]52;c;aGk=\x07\nsession 0123456789abcdee\n")
os.rename(tmp, os.path.join(new, good + "0123456789abcdee"))
# created, never opened nor closed
os.mknod(os.path.join(new, good + "0123456789abcded"), stat.S_IFREG | 0o640)
PY
check "the hostile files are made" test $? -eq 0

# 8 hostile names (the dot file aside), the bad content, the empty file
check "each goes to bad/ within 5 s" wait_for 5 files_in_are bad 10
check_eq "only the dot file stays in new/" 1 "$(files_in new)"
check "the empty file is among them" test -e "$SPOOL/bad/${stamp}_192.0.2.7_0123456789abcded"
check "its reason" analyzer_log_has "bad spool file ${stamp}_192.0.2.7_0123456789abcded: line 0: empty file; moved to bad/"
check "a bad name is logged escaped" analyzer_log_has \
    "bad spool file name new/${stamp}_192.0.2.7_0123456789abcdef\\\\x0aJan  1 00:00:00 spampot-analyzer\[1\]: imported forged: not one the sensor makes; moved to bad/"
check "and so are the escapes" analyzer_log_has 'new/\\x1b\[2J\\x1b\]0;pwned\\x07'
check "the content error is logged escaped" analyzer_log_has \
    "bad spool file ${stamp}_192.0.2.7_0123456789abcdee: line 1: unsupported version '1\\\\x1b\[2J\\\\x1b\]52;c;aGk=\\\\x07'; moved to bad/"
check_eq "no control byte in the analyzer's log" 0 \
    "$(LC_ALL=C grep -c $'[\x01-\x08\x0b-\x1f\x7f]' "$ANALYZER_LOG")"
check_eq "no forged line" 0 "$(grep -c '^Jan  1 00:00:00' "$ANALYZER_LOG")"
check_eq "the dot file is never logged" 0 "$(grep -c 'hidden' "$ANALYZER_LOG")"
check "the analyzer runs on" kill -0 "$ANALYZER_PID"

swaks --server "127.0.0.1:$PORT" --to after@example.com --silent 2 >/dev/null
check "a session after is imported" wait_for 10 sessions_are 2
check_eq "nothing else reached the database" "after@example.com,before@example.com" \
    "$(db_query 'SELECT address FROM recipients ORDER BY address' | paste -sd,)"

e2e_done
