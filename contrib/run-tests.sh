#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# run-tests.sh: install what the tests need, build with warnings as errors,
# run the unit and end-to-end suites and `make distcheck`, then build again
# with clang, AddressSanitizer, UBSan and the fuzzers and run both suites
# once more, with the fuzzers' smoke test. Run as root on Debian 12. Ends
# with a line "N passed, N failed".
set -u

src=$(cd "$(dirname "$0")/.." && pwd)
"$src/contrib/install-deps.sh" --tests || exit 1

cd "$src" || exit 1
autoreconf -fi || exit 1
# Builds happen out of tree; an in-tree configure would stop them.
[ -f config.status ] && make distclean >/dev/null

passed=0
failed=0
failures=

# count BUILDDIR: add the automake harness's results to the totals.
count() {
	local trs r
	for trs in $(find "$1/tests" -name '*.trs' 2>/dev/null | sort); do
		r=$(sed -n 's/^:test-result: //p' "$trs")
		case "$r" in
		PASS|SKIP|XFAIL) passed=$((passed + 1)) ;;
		*) failed=$((failed + 1)); failures="$failures ${trs%.trs}($r)" ;;
		esac
	done
}

# suite NAME CONFIGURE-ARGS...: build in build/NAME and run `make check`.
suite() {
	local name=$1 dir="$src/build/$1"
	shift
	echo "=== $name: configure $*"
	rm -rf "$dir"
	mkdir -p "$dir"
	if ! (cd "$dir" && "$src/configure" -q "$@" && make -j2 -s); then
		echo "=== $name: build FAILED"
		failed=$((failed + 1))
		failures="$failures $name-build"
		return 1
	fi
	(cd "$dir" && make -j2 check)
	count "$dir"
	for log in $(find "$dir/tests" -name '*.log' ! -name test-suite.log); do
		grep -q '^:test-result: PASS\|^:test-result: SKIP' "${log%.log}.trs" ||
			{ echo "--- $log"; tail -n 40 "$log"; }
	done
}

suite normal --enable-werror --enable-valgrind --enable-test-hooks
echo "=== distcheck"
if (cd "$src/build/normal" && make -j2 distcheck \
    DISTCHECK_CONFIGURE_FLAGS=--enable-werror >distcheck.log 2>&1); then
	passed=$((passed + 1))
	echo "PASS: make distcheck"
else
	failed=$((failed + 1))
	failures="$failures distcheck"
	echo "FAIL: make distcheck"
	tail -n 40 "$src/build/normal/distcheck.log"
fi

export ASAN_OPTIONS=abort_on_error=1:detect_leaks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# clang: the sanitizers, and the fuzzers built from the same libraries as
# the programs, whose smoke test (tests/fuzz/fuzz-smoke.sh) runs here only.
suite sanitizers CC=clang --enable-werror --enable-sanitizers \
    --enable-fuzzing --enable-test-hooks

# The packages, last: the install test adds and removes the package (and
# puts back the users and directories it found).
for t in units rpm install; do
	echo "=== packages: tests/pkg/$t-test.sh"
	bash "$src/tests/pkg/$t-test.sh" > "$src/build/pkg-$t.log" 2>&1
	case $? in
	0|77) passed=$((passed + 1)); echo "PASS: tests/pkg/$t-test.sh" ;;
	*) failed=$((failed + 1)); failures="$failures pkg-$t"
		echo "FAIL: tests/pkg/$t-test.sh"
		tail -n 60 "$src/build/pkg-$t.log" ;;
	esac
done

[ -n "$failures" ] && echo "failed:$failures"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
