# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# lib.sh: set-up and clean-up for spampot's end-to-end tests, so that each
# case reads like its scenario. Sourced by tests/e2e/NNN-*.sh.
#
# Each case gets a private directory, a free loopback port, a config and a
# real spampotd started as root that drops to the user "spampot". Every
# wait is bounded; every process started here is stopped on exit.

set -u

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SPAMPOT_SRCDIR=${SPAMPOT_SRCDIR:-$(cd "$E2E_DIR/../.." && pwd)}
SPAMPOT_BUILDDIR=${SPAMPOT_BUILDDIR:-$SPAMPOT_SRCDIR}
SPAMPOTD="$SPAMPOT_BUILDDIR/src/spampotd"
E2E_NAME=$(basename "$0" .sh)
E2E_PASS=0
E2E_FAIL=0
DAEMON_PID=

if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: $E2E_NAME needs root (the daemon binds, then drops to spampot)"
	exit 77
fi
for tool in swaks python3 pgrep; do
	command -v "$tool" >/dev/null || { echo "FAIL: $tool missing"; exit 99; }
done
id spampot >/dev/null 2>&1 ||
	useradd --system --no-create-home --home-dir /nonexistent \
	    --shell /usr/sbin/nologin spampot

# E2E_SYSLOG=1 set before sourcing: the case runs in a mount namespace of
# its own, where /dev/log is a listener of the case (tests/e2e/syslog.py,
# every datagram in $SYSLOG_OUT); the host's /dev is left as it is.
if [ "${E2E_SYSLOG:-}" = 1 ] && [ -z "${E2E_IN_NS:-}" ]; then
	unshare -m true 2>/dev/null ||
		{ echo "SKIP: $E2E_NAME needs a mount namespace (unshare -m)"; exit 77; }
	E2E_IN_NS=1 exec unshare -m --propagation private "$BASH" "$0" "$@"
fi

T=$(mktemp -d /tmp/spampot-e2e.XXXXXX)
chmod 755 "$T"
SPOOL="$T/spool"
LOG="$T/daemon.log"
CONF="$T/spampot.conf"

e2e_cleanup() {
	if [ -n "${ANALYZER_PID:-}" ]; then
		kill -KILL "$ANALYZER_PID" 2>/dev/null
		wait "$ANALYZER_PID" 2>/dev/null
	fi
	if [ "$E2E_FAIL" -gt 0 ] && [ -f "${ANALYZER_LOG:-}" ]; then
		echo "--- analyzer log (last 40 lines) ---"
		tail -n 40 "$ANALYZER_LOG"
	fi
	if [ -n "$DAEMON_PID" ] && kill -0 "$DAEMON_PID" 2>/dev/null; then
		kill -TERM "$DAEMON_PID" 2>/dev/null
		for _ in $(seq 50); do
			kill -0 "$DAEMON_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$DAEMON_PID" 2>/dev/null
		pkill -KILL -P "$DAEMON_PID" 2>/dev/null
	fi
	if [ "$E2E_FAIL" -gt 0 ] && [ -f "$LOG" ]; then
		echo "--- daemon log (last 60 lines) ---"
		tail -n 60 "$LOG"
	fi
	mountpoint -q "$SPOOL" 2>/dev/null && umount "$SPOOL"
	if [ -n "${SYSLOG_PID:-}" ]; then
		kill -KILL "$SYSLOG_PID" 2>/dev/null
		wait "$SYSLOG_PID" 2>/dev/null
	fi
	# never remove what the host's /dev holds through a bind mount
	mountpoint -q "$T/hostdev" 2>/dev/null && umount -l "$T/hostdev"
	[ -n "${E2E_KEEP:-}" ] && [ "$E2E_FAIL" -gt 0 ] && cp -a "$T" "$E2E_KEEP" 2>/dev/null
	rm -rf --one-file-system "$T"
}
trap e2e_cleanup EXIT

# In the case's own mount namespace: a /dev of its own (a tmpfs with every
# entry of the host's /dev bound into it), plus /dev/log, a datagram
# socket that syslog.py listens on.
SYSLOG_OUT="$T/syslog.out"
SYSLOG_PID=
e2e_syslog() {
	local e name
	mkdir "$T/hostdev"
	mount --rbind /dev "$T/hostdev" || return 1
	mount -t tmpfs -o mode=755 e2e-dev /dev || return 1
	for e in "$T/hostdev"/* "$T/hostdev"/.[!.]*; do
		[ -e "$e" ] || [ -L "$e" ] || continue
		name=/dev/${e##*/}
		[ "$name" = /dev/log ] && continue	# ours, below
		if [ -L "$e" ]; then
			cp -P "$e" "$name"
		elif [ -d "$e" ]; then
			mkdir "$name" && mount --rbind "$e" "$name"
		else
			touch "$name" && mount --bind "$e" "$name"
		fi
	done
	umount -l "$T/hostdev" && rmdir "$T/hostdev" || return 1
	python3 "$E2E_DIR/syslog.py" /dev/log "$SYSLOG_OUT" "$T/syslog.ready" &
	SYSLOG_PID=$!
	wait_for 10 test -S /dev/log -a -f "$T/syslog.ready"
}

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
PORT=$(free_port)

# write_config ["KEY = VALUE"...]: a config for this case; the given lines
# replace the defaults of the same keys.
write_config() {
	local line key
	{
		echo "listen = 127.0.0.1:$PORT"
		echo "spool_dir = $SPOOL"
		echo "workers = 2"
		echo "hostname = mx.e2e.test"
		echo "sensor = e2e"
		echo "shutdown_grace = 3s"
		echo "spool_min_free = 0"
	} > "$CONF"
	for line in "$@"; do
		key=${line%% =*}
		sed -i "/^$key = /d" "$CONF"
		echo "$line" >> "$CONF"
	done
	chmod 644 "$CONF"
}

# Replace one key's line in the config (for reload tests).
set_config() {
	local key=$1 value=$2
	if grep -q "^$key = " "$CONF"; then
		sed -i "s|^$key = .*|$key = $value|" "$CONF"
	else
		echo "$key = $value" >> "$CONF"
	fi
}

# wait_for SECONDS CMD...: poll until CMD succeeds; 1 if it never does.
wait_for() {
	local limit=$1 i
	shift
	for i in $(seq $((limit * 10))); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

if [ -n "${E2E_IN_NS:-}" ]; then
	e2e_syslog || { echo "FAIL: no private /dev/log"; exit 99; }
fi
# syslog_has TEXT: a datagram to /dev/log held TEXT (as syslog.py wrote it)
syslog_has() { grep -qF -- "$1" "$SYSLOG_OUT"; }

count_lines() { grep -c -- "$1" "$LOG" 2>/dev/null || true; }
log_has() { grep -q -- "$1" "$LOG"; }
ready_workers() { [ "$(count_lines 'ready: ')" -ge "$1" ]; }
worker_pids() { pgrep -P "$DAEMON_PID" | sort; }
spool_files() { find "$SPOOL/$1" -type f | sort; }
# new_has REGEX: a file in new/ has a matching line. The files are looked
# up at each call, as wait_for needs (an argument "$SPOOL"/new/* would
# be expanded once, before the file is there).
new_has() { grep -lq -- "$1" "$SPOOL"/new/* 2>/dev/null; }
# file_of PORT [ADDR]: the spool file in new/ of the session from client
# port PORT of ADDR (127.0.0.1): the one the daemon named when that port
# last connected (a port alone can match an earlier session's file: the
# kernel reuses ephemeral ports).
file_of() {
	local name
	name=$(grep -aF " smtp connect addr=${2:-127.0.0.1} port=$1 spool=" \
	    "$LOG" 2>/dev/null | tail -n 1 | sed 's/.* spool=//')
	[ -n "$name" ] && [ -f "$SPOOL/new/$name" ] && echo "$SPOOL/new/$name"
}
has_file() { [ -n "$(file_of "$@")" ]; }
end_of() { spool_get "$(file_of "$@")" 'r["end"]["reason"]'; }
spool_count() { find "$SPOOL/$1" -type f | wc -l; }
spool_count_is() { [ "$(spool_count "$1")" -eq "$2" ]; }
port_open() { python3 -c "import socket; socket.create_connection(('127.0.0.1', $PORT), 1).close()"; }

# start_daemon [ARGS...]: run spampotd -f and wait until its workers serve.
start_daemon() {
	local want
	want=$(sed -n 's/^workers = \([0-9]*\)$/\1/p' "$CONF" | tail -n 1)
	"$SPAMPOTD" -f -c "$CONF" "$@" >> "$LOG" 2>&1 &
	DAEMON_PID=$!
	if ! wait_for 10 ready_workers "${want:-1}"; then
		fail "spampotd did not start"
		exit 1
	fi
}

# stop_daemon [SIGNAL]: signal the daemon (TERM) and wait for it; the exit
# status is left in DAEMON_RC.
stop_daemon() {
	kill "-${1:-TERM}" "$DAEMON_PID"
	wait "$DAEMON_PID"
	DAEMON_RC=$?
	DAEMON_PID=
}

spool_json() { python3 "$E2E_DIR/spool.py" "$1"; }
spool_body() { python3 "$E2E_DIR/spool.py" "$1" body "$2"; }
# jq-like access without jq: spool_get FILE PYTHON-EXPR-ON-r
spool_get() {
	python3 - "$1" "$2" <<'PY'
import importlib.util, sys, os
spec = importlib.util.spec_from_file_location("spool", os.path.join(os.environ["E2E_DIR"], "spool.py"))
m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
r = m.parse(sys.argv[1])
print(eval(sys.argv[2]))
PY
}
export E2E_DIR

ok() { E2E_PASS=$((E2E_PASS + 1)); echo "ok - $1"; }
# Failures are also counted per GROUP: a case that tries several inputs
# sets GROUP before the checks of each, for its lines in the table of
# tests/e2e/hostile-table.sh (group_verdict, hostile_row).
declare -A group_fail
GROUP=setup
fail() {
	E2E_FAIL=$((E2E_FAIL + 1))
	group_fail[$GROUP]=$((${group_fail[$GROUP]:-0} + 1))
	echo "not ok - $1"
}

# group_verdict GROUP...: FAIL when a check of any of them failed, else ok.
group_verdict() {
	local g
	for g in "$@"; do
		[ "${group_fail[$g]:-0}" -gt 0 ] && { echo FAIL; return; }
	done
	echo ok
}

# hostile_row INPUT SENT FILES MYSQL VERDICT: this case's line for
# tests/e2e/hostile-table.sh, when it collects them.
hostile_row() {
	[ -n "${SPAMPOT_HOSTILE_RESULTS:-}" ] &&
		printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$E2E_NAME" "$@" \
		    >> "$SPAMPOT_HOSTILE_RESULTS"
	return 0
}

# hostile_result INPUT SENT SPOOLED [IN-MYSQL [GROUP...]]: hostile_row for
# the input the checks of the current GROUP tried; its verdict is FAIL
# when one of them failed, or one of the GROUPs named (setup, when the
# row stands for the whole case).
hostile_result() {
	hostile_row "$1" "$2" "$3" "${4:--}" \
	    "$(group_verdict "$GROUP" "${@:5}")"
}

# check DESCRIPTION CMD...: one assertion.
check() {
	local desc=$1
	shift
	if "$@"; then ok "$desc"; else fail "$desc"; fi
}

# check_eq DESCRIPTION EXPECTED ACTUAL
check_eq() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		fail "$1 (expected '$2', got '$3')"
	fi
}

# No worker may have crashed unless the case made it crash.
check_no_crash() {
	check "no worker crashed" test "$(count_lines 'crashed:')" -eq 0
}

# built_with NAME: the build defines NAME in autoconf.h (a configure
# option: SPAMPOT_SANITIZERS, SPAMPOT_TEST_HOOKS, ...). Whether ASan is
# linked dynamically (gcc) or statically (clang) does not matter.
built_with() {
	grep -q "^#define $1 1" "$SPAMPOT_BUILDDIR/autoconf.h" 2>/dev/null
}

e2e_done() {
	echo "# $E2E_NAME: $E2E_PASS passed, $E2E_FAIL failed"
	[ "$E2E_FAIL" -eq 0 ]
}

# hold_session NAME: a client that stops half-way through DATA until
# release_session NAME; its output goes to $T/NAME.out, its status to
# $T/NAME.rc.
hold_session() {
	( python3 "$E2E_DIR/client.py" hold "$PORT" "$T/$1.ready" "$T/$1.go" \
	    > "$T/$1.out" 2>&1; echo $? > "$T/$1.rc" ) &
	wait_for 10 test -f "$T/$1.ready" || fail "session $1 did not start"
}
release_session() { touch "$T/$1.go"; }
session_done() { test -f "$T/$1.rc"; }
session_rc() { cat "$T/$1.rc" 2>/dev/null; }

# The worker serving sessions: the one with more sockets than listeners.
busy_worker() {
	local w n
	for w in $(worker_pids); do
		n=$(ls -l "/proc/$w/fd" 2>/dev/null | grep -c 'socket:')
		[ "$n" -gt "${1:-1}" ] && echo "$w"
	done
}

# Spool file whose client port or content matches: the newest in new/.
newest_file() { ls -t "$SPOOL/new"/* 2>/dev/null | head -n 1; }
worker_count_is() { [ "$(worker_pids | wc -l)" -eq "$1" ]; }

# start_analyzer [ARGS...]: spampot-analyzer -f with this case's config;
# waits until it has scanned new/ once.
SPAMPOT_ANALYZER="$SPAMPOT_BUILDDIR/src/spampot-analyzer"
ANALYZER_LOG="$T/analyzer.log"
ANALYZER_PID=
start_analyzer() {
	local before
	before=$(grep -c 'starting spampot-analyzer' "$ANALYZER_LOG" 2>/dev/null)
	"$SPAMPOT_ANALYZER" -f -c "$CONF" "$@" >> "$ANALYZER_LOG" 2>&1 &
	ANALYZER_PID=$!
	wait_for 10 analyzer_started "$before" || fail "spampot-analyzer did not start"
}
analyzer_started() {
	[ "$(grep -c 'starting spampot-analyzer' "$ANALYZER_LOG" 2>/dev/null)" -gt "${1:-0}" ]
}
stop_analyzer() {
	[ -n "$ANALYZER_PID" ] || return 0
	kill "-${1:-TERM}" "$ANALYZER_PID" 2>/dev/null
	wait "$ANALYZER_PID" 2>/dev/null
	ANALYZER_RC=$?
	ANALYZER_PID=
}
analyzer_log_has() { grep -q -- "$1" "$ANALYZER_LOG"; }

# stop_cleanly: SIGTERM to spampot-analyzer, then to spampotd; each must
# exit 0.
stop_cleanly() {
	stop_analyzer TERM
	check_eq "analyzer exits 0" 0 "$ANALYZER_RC"
	stop_daemon TERM
	check_eq "daemon exits 0" 0 "$DAEMON_RC"
}
