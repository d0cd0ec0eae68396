#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# The spool's file system fills up while large messages keep arriving
# (spool on a small tmpfs, spool_min_free = 0: the sensor meets ENOSPC
# itself). A client is never told 250 for a message that was not kept:
# what the sensor cannot write is answered 4xx; no partial file ever
# reaches new/; the trouble is logged; every message answered 250 is in
# MySQL, intact. Once space is freed, service is whole again by itself.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/db.sh"
. "$E2E_DIR/fault.sh"

SIZE=200000		# bytes of message text per session
mkdir -p "$SPOOL"
mount -t tmpfs -o size=16m,mode=0750 tmpfs "$SPOOL"
fault_setup "spool_min_free = 0"
EIO0=0
avail() { df -B1 --output=avail "$SPOOL" | tail -n 1 | tr -d ' '; }

# Sessions not answered 250 for their message: the replies they saw.
not_acked_replies() {
	python3 -c 'import json, sys
for ln in open(sys.argv[1]):
    r = json.loads(ln)
    if r["greeted"] and not r["acked"]:
        print(r["reply"])' "$FAULT_LOG" | sort | uniq -c | xargs
}
all_4xx() {
	python3 -c 'import json, sys
sys.exit(any(r["greeted"] and not r["acked"] and not r["reply"].startswith("4")
             for r in map(json.loads, open(sys.argv[1]))))' "$FAULT_LOG"
}

# The counts of a fault that filled the spool: no message answered 250 is
# missing; the sessions that could not be kept were told so (4xx) and left
# no file, partial or not; what is in the spool is in MySQL, once.
# While the spool is full: what clients were told, and no partial file in
# new/. A session whose file could not be completed waits in tmp/ (the
# worker tries again every second), so completeness is checked once space
# is back.
check_while_full() {
	tally
	check "$FAULT: sessions not answered 250 got a 4xx reply ($(not_acked_replies))" all_4xx
	check_eq "$FAULT: no partial file: every file parses, has its end record; none in bad/" \
	    "0 0" "$t_unparsable $t_bad_dir"
	check_eq "$FAULT: log: every failed spool write names its cause (none says EIO)" \
	    "$EIO0" "$(count_lines 'spool write .*: Input/output error')"
	EIO0=$(count_lines 'spool write .*: Input/output error')
	check_no_crash
}

# After space is back: every session of FAULT counted, as fault_end does.
check_after_space() {
	local f
	FAULT=$1
	FAULT_LOG="$T/sessions.$1"
	FAULT_LOGS=()
	for f in "$T"/sessions.*; do
		[ "$f" = "$FAULT_LOG" ] || FAULT_LOGS+=("$f")
	done
	tally
	check "$FAULT: sessions not answered 250 got a 4xx reply ($(not_acked_replies))" all_4xx
	check_eq "$FAULT: every message answered 250 is in MySQL once, intact (SHA-256)" 0 "$t_lost_msg"
	check_eq "$FAULT: no partial file: every file parses, has its end record; none in bad/" \
	    "0 0" "$t_unparsable $t_bad_dir"
	check_eq "$FAULT: every greeted session has its file, kept while the spool was full" \
	    "$t_sent 0" "$t_files $t_no_file"
	check_eq "$FAULT: every file in the spool is in MySQL, once" "$t_files" "$t_rows"
	check_eq "$FAULT: no file or row twice, none stray" "0 0 0 0" \
	    "$t_file_twice $t_row_twice $t_stray_file $t_stray_row"
	check_eq "$FAULT: cut messages are prefixes of what was sent" 0 "$t_bad_part"
	check_no_duplicates
	fault_result
}

fault_begin spool-full-ENOSPC
# Leave room for about a third of the messages: 30 of 200 kB and 30 of 20 kB
# at the same time.
dd if=/dev/zero of="$SPOOL/filler" bs=64K count=$(( ($(avail) - 2 * 1024 * 1024) / 65536 )) 2>/dev/null
echo "# $(avail) bytes free for $((33 * SIZE)) bytes of messages"
stream_start 1000 30 --parallel 2 --size "$SIZE"
stream_send 1100 30 --parallel 1 --size "$((SIZE / 10))"
stream_wait
sleep 2
tally
check "$FAULT: some messages were answered 250 ($t_acked)" test "$t_acked" -gt 0
# Where the space runs out is the machine's timing: in a message's text
# (a 4xx after DATA, "spool write") or as a session opens its file (a 421
# greeting, "spool create"). Either way some session of the fault was
# refused, and the log says why.
check "$FAULT: the spool filled up: not every session was answered 250" \
    test "$t_acked" -lt "$(wc -l < "$FAULT_LOG")"
check "$FAULT: log: a warning for the failed spool write" \
    log_has "warning: .* spool \(write\|create\) "
check_while_full

# The spool fills up while sessions wait between MAIL and RCPT; their
# messages (6 kB, each arriving in one piece) then find no room at all.
fault_begin spool-full-at-end-of-DATA
rm -f "$SPOOL/filler"
for i in 1 2 3 4; do
	stream_hold "held$i" "$((1200 + i))" mail --size 6000
done
dd if=/dev/zero of="$SPOOL/filler" bs=64K 2>/dev/null
echo "# $(avail) bytes free"
for i in 1 2 3 4; do
	stream_release "held$i"
done
sleep 2
tally
check_eq "$FAULT: four sessions sent" 4 "$t_sent"
check_eq "$FAULT: none answered 250 with the disk full" 0 "$t_acked"
check_while_full

fault_begin spool-space-freed
rm -f "$SPOOL/filler"
echo "# $(avail) bytes free"
stream_settle 30
check "log: files left unfinished are completed once space is back" \
    log_has "spool: a file left unfinished is complete now"
stream_send 2000 20 --parallel 2 --size "$SIZE"
check_eq "$FAULT: service whole again: every message answered 250" \
    "20 20" "$(python3 -c 'import json, sys
rs = [json.loads(ln) for ln in open(sys.argv[1])]
print(len(rs), sum(r["acked"] and r["stage"] == "done" for r in rs))' "$FAULT_LOG")"
fault_end
check_after_space spool-full-ENOSPC
check_after_space spool-full-at-end-of-DATA
check_no_crash

stop_cleanly
e2e_done
