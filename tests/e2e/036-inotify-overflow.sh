#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# Thousands of spool files arrive in new/ at once while spampot-analyzer
# runs, more than its inotify queue holds (fs.inotify.max_queued_events
# lowered for its start, restored at once): it logs the overflow, scans
# new/ again, and misses nothing: every file is imported, once, with its
# message intact.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/db.sh"
. "$E2E_DIR/fault.sh"

FILES=${SPAMPOT_E2E_FLOOD:-5000}	# copies (a multiple of 5), on top of 5 real sessions
QUEUE=256				# events the analyzer's queue holds

db_sensor "workers = 2" "max_sessions_per_ip = 1000"

fault_begin inotify-overflow-$FILES
# Real sessions, whose files are the models of the copies.
stream_send 1 5
check "five real sessions in new/" wait_for 5 spool_count_is new 5
mkdir "$T/models"
cp "$SPOOL"/new/* "$T/models/"

# The queue's size is fixed when the analyzer calls inotify_init.
queued=/proc/sys/fs/inotify/max_queued_events
old_queue=$(cat "$queued")
restore_queue() { [ -z "$old_queue" ] || echo "$old_queue" > "$queued"; old_queue=; }
trap "restore_queue; $(trap -p EXIT | sed "s/^trap -- '\(.*\)' EXIT$/\1/")" EXIT
echo "$QUEUE" > "$queued"
start_analyzer
restore_queue
check_eq "max_queued_events restored" "$(cat "$queued")" "$(sysctl -n fs.inotify.max_queued_events)"
check "the real sessions imported" wait_for 10 spool_count_is new 0

# Copies with names and session ids of their own, each written under a
# dot name and renamed into new/, as fast as that goes. The analyzer is
# held meanwhile (SIGSTOP), so that its queue overflows however fast it
# would have read: what is tested is what it does after.
kill -STOP "$ANALYZER_PID"
t0=$(date +%s%N)
python3 - "$T/models" "$SPOOL/new" "$FILES" <<'PY'
import os, sys
models, new, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
files = []
for name in sorted(os.listdir(models)):
    data = open(os.path.join(models, name), "rb").read()
    stamp, ip, sid = name.rsplit("_", 2)
    files.append((stamp, ip, data.replace(b"\nsession %s\n" % sid.encode(), b"\nsession %s\n")))
for i in range(count):
    stamp, ip, data = files[i % len(files)]
    sid = "%016x" % (0xf100d00000000000 + i)
    tmp = os.path.join(new, ".flood")
    with open(tmp, "wb") as f:
        f.write(data.replace(b"\nsession %s\n", b"\nsession " + sid.encode() + b"\n"))
    os.rename(tmp, os.path.join(new, "%s_%s_%s" % (stamp, ip, sid)))
PY
echo "# $FILES files renamed into new/ in $((($(date +%s%N) - t0) / 1000000)) ms"
kill -CONT "$ANALYZER_PID"
check "analyzer log: inotify queue overflow: scanning new/" \
    wait_for 10 analyzer_log_has "inotify queue overflow: scanning new/"
check "every file imported within 100 s" wait_for 100 spool_count_is new 0
echo "# imported in $((($(date +%s%N) - t0) / 1000000)) ms"

want=$((FILES + 5))
t_sent=$want
t_files=$(spool_count done)
t_rows=$(db_scalar 'SELECT COUNT(*) FROM sessions')
check_eq "files made = files in done/" "$want" "$t_files"
check_eq "files in done/ = sessions in MySQL" "$t_files" "$t_rows"
check_no_duplicates
check_eq "every file's name is a spool_name in MySQL" "" \
    "$(comm -3 <(ls "$SPOOL/done" | sort) <(db_query 'SELECT spool_name FROM sessions' | sort) | head -n 5)"
check_eq "every session id once" "$want" "$(db_scalar 'SELECT COUNT(DISTINCT session_key) FROM sessions')"
check_eq "nothing in bad/" 0 "$(spool_count bad)"
check_eq "every message intact: the SHA-256 of its model's" \
    "$(for f in "$T"/models/*; do spool_body "$f" 1 | sha256sum | cut -d' ' -f1; done | sort | uniq -c | xargs)" \
    "$(db_query 'SELECT sha256 FROM messages' | sort | uniq -c |
	awk -v n="$((FILES / 5))" '{ print $1 - n, $2 }' | xargs)"
check_eq "analyzer log: each file imported once, none found imported before" "$want 0" \
    "$(grep -c ': imported [^ ]*: session=' "$ANALYZER_LOG") $(grep -c 'imported before; not again' "$ANALYZER_LOG")"
fault_result

stop_cleanly
e2e_done
