#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# A session made to be hard to import is imported all the same: one
# message behind 500,000 pipelined NOOPs (a transcript larger than the
# server's max_allowed_packet), one message to 200,000 recipients. Against
# a MariaDB with its default max_allowed_packet (16 MiB) and against one
# with 1 MiB, the message, its recipients and the credentials of each
# session reach the database; the transcript is stored cut to what the
# server accepts, with a marker line saying so; the files behind them are
# imported too; and the analyzer's memory stays within a bound. And when
# the server drops the connection under one file whatever it holds (a
# relay that cuts the connection when it sees that file's session id),
# that file goes to bad/ after the second drop and the files behind it
# are imported: a file is never taken for the database being away.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/db.sh"

HUGE="$E2E_DIR/hugespool.py"
# Generous: twice what the analyzer needs for these three files in one
# run (about 110 MB measured), far below the 528 MB it once took.
RSS_MAX_KB=$((250 * 1024))
# In a sanitizer build, AddressSanitizer keeps up to 256 MiB of freed
# memory in quarantine by default: a small one, so that the RSS measures
# what the analyzer holds (and its redzones and shadow, which the bound
# leaves room for).
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=8"

db_start
db_setup
write_config
cat "$DB_CONF" >> "$CONF"
start_daemon		# makes the spool tree
stop_daemon

# huge KIND N SID: a spool file in new/, written by the spool's user
huge() { runuser -u spampot -- python3 "$HUGE" "$SPOOL/new" "$@"; }
sessions_of() { db_scalar "SELECT COUNT(*) FROM sessions WHERE session_key = '$1'"; }
# once: spampot-analyzer --once, bounded in time, its peak RSS in $T/rss
once() {
	timeout 300 /usr/bin/time -f '%M' -o "$T/rss" "$SPAMPOT_ANALYZER" \
	    -c "$CONF" --once >> "$ANALYZER_LOG" 2>&1
}
check_session() {	# SID RECIPIENTS
	check_eq "$1: the session" 1 "$(sessions_of "$1")"
	check_eq "$1: its message" "spammer@example.com	huge" \
	    "$(db_query "SELECT m.mail_from, LEFT(m.subject, 4) FROM messages m JOIN sessions s ON s.id = m.session_id WHERE s.session_key = '$1'")"
	check_eq "$1: its recipients" "$2" \
	    "$(db_scalar "SELECT COUNT(*) FROM recipients r JOIN messages m ON m.id = r.message_id JOIN sessions s ON s.id = m.session_id WHERE s.session_key = '$1'")"
	check_eq "$1: its credentials" "PLAIN	admin	s3cret" \
	    "$(db_query "SELECT a.mechanism, a.username, a.password FROM auth_attempts a JOIN sessions s ON s.id = a.session_id WHERE s.session_key = '$1'")"
}
transcript_of() {	# SID EXPR
	db_scalar "SELECT $2 FROM transcripts t JOIN sessions s ON s.id = t.session_id WHERE s.session_key = '$1'"
}

# The server's defaults: max_allowed_packet 16 MiB
check_eq "the server's max_allowed_packet is its default" 16777216 \
    "$(db_scalar 'SELECT @@global.max_allowed_packet')"
huge noop 500000 00000000000000a1 > /dev/null
huge rcpt 200000 00000000000000a2 > /dev/null
huge noop 10 00000000000000a3 > /dev/null
once
check_eq "--once exits 0" 0 "$?"
check "three files imported" analyzer_log_has "done: 3 files imported, 0 moved to bad/"
check_eq "new/ is empty" 0 "$(spool_count new)"
check_eq "bad/ is empty" 0 "$(spool_count bad)"
check_session 00000000000000a1 2
check_session 00000000000000a2 200000
check_session 00000000000000a3 2
check "the NOOP flood's transcript fits a packet" \
    test "$(transcript_of 00000000000000a1 'LENGTH(t.transcript)')" -lt 16777216
check_eq "and says it was cut" 1 \
    "$(transcript_of 00000000000000a1 "t.transcript LIKE '%# transcript cut: % of 19500% bytes stored%'")"
check_eq "a small transcript is whole" 0 \
    "$(transcript_of 00000000000000a3 "t.transcript LIKE '%# transcript cut%'")"
check_eq "a small transcript ends with the session" 1 \
    "$(transcript_of 00000000000000a3 "t.transcript LIKE '%221 2.0.0 Bye\n'")"
check "the analyzer's log says what was cut" analyzer_log_has "transcript of .*_00000000000000a1 cut to .* bytes"
rss=$(tail -n 1 "$T/rss")
echo "# peak RSS of the analyzer: $rss kB"
check "peak RSS of the analyzer under $RSS_MAX_KB kB ($rss kB)" test "$rss" -lt "$RSS_MAX_KB"

# A server that takes at most 1 MiB a packet
db_stop
DB_OPTIONS+=(--max-allowed-packet=1M)
db_start
check_eq "the server's max_allowed_packet is 1 MiB" 1048576 \
    "$(db_scalar 'SELECT @@global.max_allowed_packet')"
huge noop 100000 00000000000000b1 > /dev/null
huge noop 10 00000000000000b2 > /dev/null
once
check_eq "1 MiB: --once exits 0" 0 "$?"
check "1 MiB: both files imported" analyzer_log_has "done: 2 files imported, 0 moved to bad/"
check_session 00000000000000b1 2
check_session 00000000000000b2 2
check "1 MiB: the transcript fits a packet" \
    test "$(transcript_of 00000000000000b1 'LENGTH(t.transcript)')" -lt 1048576
check_eq "1 MiB: and says it was cut" 1 \
    "$(transcript_of 00000000000000b1 "t.transcript LIKE '%# transcript cut: % of 3900% bytes stored%'")"
check_eq "1 MiB: it holds the session's start" 1 \
    "$(transcript_of 00000000000000b1 "t.transcript LIKE 'S 0.000 220 mx.example ESMTP\nC 0.001 crlf EHLO bot.example\n%'")"

# A file under which the connection drops (the server is there)
huge noop 10 00000000000000c1 > /dev/null
huge noop 10 00000000000000c2 > /dev/null
huge noop 10 00000000000000c3 > /dev/null
python3 "$E2E_DIR/dropproxy.py" "$T/proxy.sock" "$DB_SOCKET" 00000000000000c2 &
PROXY_PID=$!
wait_for 5 test -S "$T/proxy.sock"
set_config mysql_socket "$T/proxy.sock"
once
kill "$PROXY_PID"
wait "$PROXY_PID" 2>/dev/null
check "dropped: the files before and behind it imported, it to bad/" \
    analyzer_log_has "done: 2 files imported, 1 moved to bad/"
check "dropped: the log says why" analyzer_log_has \
    "the database dropped the connection 2 times in a row under .*_00000000000000c2 alone"
check_eq "dropped: the file is in bad/" 1 "$(find "$SPOOL/bad" -name '*_00000000000000c2' | wc -l)"
check_eq "dropped: new/ is empty" 0 "$(spool_count new)"
check_eq "dropped: the others' sessions" "1 0 1" \
    "$(sessions_of 00000000000000c1) $(sessions_of 00000000000000c2) $(sessions_of 00000000000000c3)"
check_eq "dropped: four drops (the batch twice, then the file alone twice)" 4 "$(cat "$T/proxy.sock.drops")"

e2e_done
