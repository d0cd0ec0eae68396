#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# MariaDB stops for 30 s while mail keeps arriving: the sensor goes on
# capturing into new/, the analyzer waits (with its back-off) and, once
# the server is back, imports everything, once: every session sent has
# one file and one row in MySQL, every message answered 250 is there
# intact.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/db.sh"
. "$E2E_DIR/fault.sh"

fault_setup

sleep_until() { local d=$(($1 - $(date +%s))); [ "$d" -le 0 ] || sleep "$d"; }

fault_begin mariadb-down-30s
# about two sessions a second for 40 s, across the outage
stream_start 1000 90 --pause 0.4 --deadline 40
sleep 2
check "$FAULT: imported while MariaDB runs" test "$(db_scalar 'SELECT COUNT(*) FROM sessions')" -gt 0
t0=$(date +%s)
db_stop
check "$FAULT: the analyzer notices the database is gone" \
    wait_for 10 analyzer_log_has "database unavailable"
sleep_until $((t0 + 10))
n1=$(spool_count new)
sleep_until $((t0 + 29))
n2=$(spool_count new)
check "$FAULT: sessions still captured into new/ meanwhile ($n1 after 10 s, $n2 after 29 s)" \
    test "$n1" -gt 0 -a "$n2" -gt "$n1"
sleep_until $((t0 + 30))
db_start
stream_wait
# the analyzer's next attempt may be 30 s away (its longest back-off)
fault_end 45
check "$FAULT: analyzer log: database available again" analyzer_log_has "database available again"

stop_cleanly
check_no_crash
e2e_done
