#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# shellcheck disable=SC2317  # functions are called as run_$mode
# run.sh MODE SRCDIR BUILDDIR [SECONDS]: run the fuzzers of a build
# configured with --enable-fuzzing (BUILDDIR/tests/fuzz/fuzz_NAME, built by
# make from the same libraries as the programs).
#
#   long   `make fuzz`: each fuzzer for SECONDS (default 60), FUZZ_JOBS (2)
#          at a time, on a corpus kept in BUILDDIR/build/fuzz/corpus/NAME
#          and seeded from tests/data. Crashes, leaks and timeouts go to
#          BUILDDIR/build/fuzz/crashes/NAME/, the output to
#          BUILDDIR/build/fuzz/log/NAME.log.
#   smoke  `make check`: the inputs of tests/data/fuzz/NAME/ replayed whole,
#          then a short bounded run of each fuzzer on its seeds (FUZZ_RUNS
#          executions, default 20000, at most 30 s), in a temporary
#          directory; what it finds is kept in BUILDDIR/build/fuzz/crashes.
#
# FUZZ_TARGETS picks fuzzers (default: smtp spool_read mime config), FUZZ_ARGS
# adds libFuzzer options (e.g. -len_control=0: long inputs at once). Temporary
# files (and fuzz_smtp's spool tree) go to /dev/shm when it is writable, else
# to TMPDIR: creating files on a disk slows fuzz_smtp tenfold. Exit 0 when
# nothing was found, 1 when something was, 77 when the build has no
# libFuzzer targets (configured without --enable-fuzzing, or for AFL++).
set -u

usage="usage: run.sh long|smoke SRCDIR BUILDDIR [SECONDS]"
mode=${1:?$usage}
src=${2:?$usage}
build=${3:?$usage}
seconds=${4:-60}
targets=${FUZZ_TARGETS:-smtp spool_read mime config inspect}
jobs=${FUZZ_JOBS:-2}
runs=${FUZZ_RUNS:-20000}
fz=$build/build/fuzz
bin=$build/tests/fuzz

case $mode in long|smoke) ;; *) echo "$usage" >&2; exit 2 ;; esac
case $seconds in ''|*[!0-9]*) echo "run.sh: SECONDS must be a number" >&2; exit 2 ;; esac

# Seeds: the golden inputs of the unit tests, and the regression inputs.
seeds() {
	local d=$src/tests/data
	case $1 in
	smtp) ls "$d"/smtp/*.in ;;
	spool_read) ls "$d"/spool/*.spool ;;
	mime) ls "$d"/mail/*.eml ;;
	config) ls "$src"/etc/spampot.conf.in ;;
	inspect) find "$d"/inspect -type f ! -name README ;;
	esac
	[ -d "$d/fuzz/$1" ] && find "$d/fuzz/$1" -type f
}

max_len() {
	case $1 in
	mime|inspect) echo 32768 ;;
	*) echo 16384 ;;
	esac
}

# Each fuzzer's findings are errors with exit status 1; by default
# libFuzzer exits 77, which the test harness would take for SKIP.
opts() {
	echo "-timeout=10 -rss_limit_mb=2048 -error_exitcode=1" \
	    "-timeout_exitcode=1 -print_final_stats=1 ${FUZZ_ARGS:-}"
}

# A limit around libFuzzer's own, in case a run does not stop.
bounded() {	# SECONDS COMMAND...
	local s=$1
	shift
	if command -v timeout >/dev/null; then
		timeout --kill-after=30 "$s" "$@"
	else
		"$@"
	fi
}

run_smoke() {	# NAME
	local name=$1 files corpus
	files=$(find "$src/tests/data/fuzz/$name" -type f 2>/dev/null | sort)
	if [ -n "$files" ]; then
		echo "--- replaying tests/data/fuzz/$name"
		# shellcheck disable=SC2046,SC2086
		bounded 120 "$bin/fuzz_$name" $(opts) \
		    -artifact_prefix="$fz/crashes/$name/" $files || return 1
	fi
	corpus=$tmp/corpus/$name
	mkdir -p "$corpus" || return 1
	# shellcheck disable=SC2046
	cp $(seeds "$name") "$corpus"/ || return 1
	echo "--- fuzzing $runs runs (30 s at most)"
	# shellcheck disable=SC2046
	bounded 120 "$bin/fuzz_$name" $(opts) -runs="$runs" \
	    -max_total_time=30 -max_len="$(max_len "$name")" \
	    -dict="$src/tests/fuzz/$name.dict" \
	    -artifact_prefix="$fz/crashes/$name/" "$corpus"
}

run_long() {	# NAME
	local name=$1 corpus=$fz/corpus/$1 f
	mkdir -p "$corpus" || return 1
	for f in $(seeds "$name"); do
		[ -e "$corpus/seed-$(basename "$f")" ] ||
			cp "$f" "$corpus/seed-$(basename "$f")" || return 1
	done
	# shellcheck disable=SC2046
	bounded $((seconds + 120)) "$bin/fuzz_$name" $(opts) \
	    -max_total_time="$seconds" -max_len="$(max_len "$name")" \
	    -dict="$src/tests/fuzz/$name.dict" \
	    -artifact_prefix="$fz/crashes/$name/" "$corpus"
}

# Which fuzzers the build has: autoconf.h says how it was configured.
skip() {
	echo "SKIP: $*"
	exit 77
}
conf=$build/autoconf.h
[ -f "$conf" ] || { echo "run.sh: no $conf (run configure first)" >&2; exit 2; }
grep -q '^#define SPAMPOT_FUZZING 1' "$conf" ||
	skip "configured without --enable-fuzzing (./configure CC=clang --enable-fuzzing builds the fuzzers)"
grep -q '^#define SPAMPOT_FUZZING_AFL 1' "$conf" &&
	skip "the fuzzers are built for AFL++ (--enable-fuzzing=afl); run them with afl-fuzz"
for name in $targets; do
	[ -x "$bin/fuzz_$name" ] ||
		{ echo "run.sh: no $bin/fuzz_$name (run make first)" >&2; exit 1; }
done

shm=/dev/shm
[ -d "$shm" ] && [ -w "$shm" ] || shm=${TMPDIR:-/tmp}
tmp=$(mktemp -d "$shm/spampot-fuzz.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
export TMPDIR=$tmp
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}print_stacktrace=1:halt_on_error=1"
# GLib's slice allocator would hide leaks and overflows from ASan.
export G_SLICE=always-malloc

if [ "$mode" = long ]; then
	logdir=$fz/log
else
	logdir=$tmp/log
fi
mkdir -p "$logdir" || exit 1

running=0
for name in $targets; do
	mkdir -p "$fz/crashes/$name" || exit 1
	echo "fuzz_$name: $mode run, log in $logdir/$name.log"
	( "run_$mode" "$name" >"$logdir/$name.log" 2>&1
	  echo $? >"$tmp/$name.rc" ) &
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then
		wait -n
		running=$((running - 1))
	fi
done
wait

failed=
for name in $targets; do
	log=$logdir/$name.log
	status=$(cat "$tmp/$name.rc" 2>/dev/null || echo 1)
	done_line=$(grep -a 'DONE' "$log" | tail -n 1)
	echo "fuzz_$name: ${done_line:-no result} (exit $status)"
	grep -a '^stat::' "$log" | tail -n 5 | sed 's/^/    /'
	if [ "$status" -ne 0 ]; then
		failed="$failed $name"
		echo "--- fuzz_$name found something; the end of its log:"
		tail -n 60 "$log"
		ls "$fz/crashes/$name"
	fi
	rmdir "$fz/crashes/$name" 2>/dev/null
done
if [ -n "$failed" ]; then
	echo "FAIL:$failed (inputs in $fz/crashes/)"
	exit 1
fi
exit 0
