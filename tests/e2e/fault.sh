# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# shellcheck shell=bash
# fault.sh: streams of SMTP sessions, the count that ends each fault and
# the results table, for the fault-injection cases (tests/e2e/03N-*.sh).
# Sourced after lib.sh and db.sh:
#
#   fault_setup                          # MariaDB, spampotd, the analyzer
#   fault_begin kill-worker-mid-DATA     # sessions of this fault: their log
#   stream_start 100 60 --parallel 3     # sessions 100..159 in the background
#   ... the fault ...
#   stream_wait
#   fault_end                            # the count, one line of results
#   stop_cleanly
#
# Sessions are numbered; session N says HELO sN.e2e.test and sends a body
# unique to N (stream.py). fault_end checks that the sessions of the fault
# are all there, once, intact: one spool file and one row in MySQL for every
# session that was greeted, and the SHA-256 of every message that was
# answered 250 in the database, the SHA-256 of what was sent.

for tool in ss timeout; do
	command -v "$tool" >/dev/null || { echo "FAIL: $tool missing"; exit 99; }
done
STREAM="$E2E_DIR/stream.py"
FAULT=
FAULT_LOG=
FAULT_LOGS=()
FAULT_FAIL0=0
STREAM_PID=

# fault_setup ["KEY = VALUE"...]: the private MariaDB with the database,
# spampotd with two workers and room for every stream session from one
# address (the lines given on top), spampot-analyzer running.
fault_setup() {
	db_sensor "workers = 2" "max_sessions_per_ip = 1000" "$@"
	start_analyzer
}

# fault_begin NAME: the sessions from here on belong to the fault NAME.
fault_begin() {
	FAULT=$1
	[ -n "$FAULT_LOG" ] && FAULT_LOGS+=("$FAULT_LOG")
	FAULT_LOG="$T/sessions.$1"
	: > "$FAULT_LOG"
	FAULT_FAIL0=$E2E_FAIL
	unset "${!t_@}"
	echo "# fault: $1"
}

# stream_send FIRST COUNT [stream.py options]: sessions FIRST.. in the
# foreground; stream_start the same in the background, stream_wait for it.
stream_send() {
	timeout 120 python3 "$STREAM" send "$PORT" "$FAULT_LOG" "$@"
}
stream_start() {
	stream_send "$@" &
	STREAM_PID=$!
}
stream_wait() {
	[ -n "$STREAM_PID" ] || return 0
	wait "$STREAM_PID"
	STREAM_PID=
}

# stream_hold NAME N STAGE [--size BYTES]: session N held at STAGE
# (greeted, mail, data) until stream_release NAME.
stream_hold() {
	local name=$1 n=$2 stage=$3
	shift 3
	rm -f "$T/$name.ready" "$T/$name.go"
	timeout 60 python3 "$STREAM" hold "$PORT" "$FAULT_LOG" "$n" "$stage" \
	    "$T/$name.ready" "$T/$name.go" "$@" &
	eval "HOLD_PID_$name=\$!"
	wait_for 10 test -f "$T/$name.ready" || fail "held session $name did not start"
}
stream_release() {
	local pid
	touch "$T/$1.go"
	eval "pid=\${HOLD_PID_$1:-}"
	[ -n "$pid" ] && wait "$pid"
}

# held_worker NAME: the worker that serves the held session NAME (its
# client port is in NAME.ready).
held_worker() {
	ss -tnpH state established \
	    "( sport = :$PORT and dport = :$(head -n 1 "$T/$1.ready") )" |
	    sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -n 1
}

# Everything arrived: nothing left in tmp/ (sessions over) nor in new/
# (imported).
spool_settled() { spool_count_is tmp 0 && spool_count_is new 0; }
stream_settle() {
	check "$FAULT: every session over and imported within ${1:-30}s" \
	    wait_for "${1:-30}" spool_settled
}

# tally: count the sessions of this fault; sets t_sent, t_acked, t_files,
# t_rows, t_bad_dir, t_unparsable, t_no_file, ... (see stream.py tally).
tally() {
	local out k v
	db_query 'SELECT s.helo, s.client_port, s.spool_name, s.end_reason,
	    m.sha256, m.incomplete FROM sessions s
	    LEFT JOIN messages m ON m.session_id = s.id' > "$T/dbrows"
	out=$(python3 "$STREAM" tally "$FAULT_LOG" "$SPOOL" "$T/dbrows" \
	    "${FAULT_LOGS[@]}" 2> "$T/tally.why")
	while IFS='=' read -r k v; do
		[[ $k =~ ^[a-z_]+$ && $v =~ ^[0-9]+$ ]] && eval "t_$k=$v"
	done <<< "$out"
	echo "# $FAULT: ${out//$'\n'/ }"
}

# fault_end [SETTLE-SECONDS]: wait until every session is imported, then
# count: sessions sent = files in the spool = sessions in MySQL, none twice,
# none missing, no message lost or damaged. Appends the fault's line of
# results.
fault_end() {
	stream_settle "${1:-30}"
	tally
	check "$FAULT: some sessions were sent" test "$t_sent" -gt 0
	check_eq "$FAULT: sessions sent = files in spool" "$t_sent" "$t_files"
	check_eq "$FAULT: files in spool = sessions in MySQL" "$t_files" "$t_rows"
	check_eq "$FAULT: every session has one file (none missing, none twice, none stray)" \
	    "0 0 0" "$t_no_file $t_file_twice $t_stray_file"
	check_eq "$FAULT: every file parses and has its end record; none in bad/" \
	    "0 0" "$t_unparsable $t_bad_dir"
	check_eq "$FAULT: every session one row in MySQL (none missing, none twice, none stray)" \
	    "0 0 0" "$t_no_row $t_row_twice $t_stray_row"
	check_eq "$FAULT: every message answered 250 is in MySQL once, intact (SHA-256)" \
	    0 "$t_lost_msg"
	check_eq "$FAULT: every cut message is a prefix of what was sent, as in the spool" \
	    0 "$t_bad_part"
	check_no_duplicates
	fault_result
}

check_no_duplicates() {
	check_eq "$FAULT: no duplicate in MySQL (COUNT(*) = COUNT(DISTINCT spool_name))" \
	    "$(db_scalar 'SELECT COUNT(DISTINCT spool_name) FROM sessions')" \
	    "$(db_scalar 'SELECT COUNT(*) FROM sessions')"
}

# fault_result: the fault's line in the results file: case, fault, sessions
# sent, files in spool, sessions in MySQL, verdict (FAIL when any check
# failed since fault_begin). The reasons of a failed count are shown.
fault_result() {
	local verdict=ok
	if [ "$E2E_FAIL" -gt "$FAULT_FAIL0" ]; then
		verdict=FAIL
		echo "--- what the clients saw: sessions by greeted/acked/stage/last reply ---"
		python3 -c 'import collections, json, sys
c = collections.Counter((r["greeted"], r["acked"], r["stage"], r["reply"])
                        for r in map(json.loads, open(sys.argv[1])))
for k, v in sorted(c.items(), key=str):
    print("%4d  greeted=%s acked=%s stage=%s reply=%s" % ((v,) + k))' "$FAULT_LOG"
		echo "--- sessions behind the failed counts ---"
		cat "$T/tally.why" 2>/dev/null
	fi
	hostile_row "$FAULT" "${t_sent:--}" "${t_files:--}" "${t_rows:--}" \
	    "$verdict"
}

# held_on_disk NAME [TEXT]: the held session's file in tmp/<worker>/ holds
# TEXT (a line of it), or else the half of its message it sent before it
# stopped.
held_on_disk() {
	if [ -n "${2:-}" ]; then
		grep -aqxF -- "$2" "$SPOOL"/tmp/*/* 2>/dev/null
		return
	fi
	python3 - "$SPOOL/tmp" "$T/$1.ready.half" <<'PY'
import glob, sys
want = open(sys.argv[2], "rb").read()
sys.exit(not any(want in open(f, "rb").read() for f in glob.glob(sys.argv[1] + "/*/*")))
PY
}

# session_file N: the spool file (new/ or done/) of session N, found by its
# EHLO name, or, given a client port as $2, by that port.
session_file() {
	if [ -n "${2:-}" ]; then
		grep -lx "client 127.0.0.1 $2" "$SPOOL"/new/* "$SPOOL"/done/* 2>/dev/null
	else
		grep -lx "helo verb=EHLO name=s$1.e2e.test" "$SPOOL"/new/* "$SPOOL"/done/* 2>/dev/null
	fi | head -n 1
}

# end_reasons: the end reasons of the files in new/ and done/, counted:
# "quit=54 shutdown=1".
end_reasons() {
	python3 - "$SPOOL" <<'PY'
import collections, glob, os, sys
sys.path.insert(0, os.environ["E2E_DIR"])
import spool
c = collections.Counter(spool.parse(f)["end"]["reason"]
                        for d in ("new", "done")
                        for f in glob.glob(os.path.join(sys.argv[1], d, "*")))
print(" ".join("%s=%d" % kv for kv in sorted(c.items())))
PY
}
