#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# The analyzer commits one batch while it imports the next. MariaDB is
# killed (kill -9) in the middle of a backlog, a batch's transaction open
# and the next batch being filled: both wait in new/ and, once the server
# is back from its crash recovery, everything is imported once: every
# session one row, every message once and intact, the counted values and
# the report's running totals not doubled, no value left without counts.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/db.sh"
. "$E2E_DIR/fault.sh"

db_sensor "workers = 2" "max_sessions_per_ip = 10000"

fault_begin mariadb-killed-mid-commit
# A backlog first, the analyzer not running: messages with 100 URLs each,
# so that a batch is some ten thousand rows.
stream_send 1 1500 --parallel 2 --links 100
in_transaction() {
	[ "$(db_scalar 'SELECT COUNT(*) FROM information_schema.innodb_trx
	    WHERE trx_rows_modified > 0')" -gt 0 ]
}
# a batch committed already: the next ones are under way
mid_backlog() {
	[ "$(db_scalar 'SELECT COUNT(*) FROM sessions')" -gt 0 ] && in_transaction
}
start_analyzer
check "$FAULT: caught the analyzer in a transaction, the backlog begun" \
    wait_for 30 mid_backlog
db_kill
check "$FAULT: the analyzer notices the database is gone" \
    wait_for 15 analyzer_log_has "database unavailable"
waiting=$(spool_count new)
check "$FAULT: files wait in new/ ($waiting)" test "$waiting" -gt 0
db_start
# the analyzer's next attempt may be some seconds away (its back-off)
fault_end 60
check "$FAULT: analyzer log: database available again" \
    analyzer_log_has "database available again"

db_check_counts

stop_cleanly
check_no_crash
e2e_done
