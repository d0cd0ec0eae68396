#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# hostile-table.sh: run the fault-injection and hostile-client cases
# (tests/e2e/03*.sh, 008-bad-input.sh, 010-limits.sh, any 04*.sh and
# 056-report-escapes.sh, terminal escapes in every report, and
# 061-tls-hostile.sh, hostile TLS) one after the other, and print one
# table of their results: a line per fault tried (case, fault, sessions
# sent, files in the spool, sessions in MySQL, verdict), then the totals.
# Exits 1 when any verdict is FAIL.
#
#   make check-hostile
#   SPAMPOT_HOSTILE_RESULTS=/tmp/results bash tests/e2e/hostile-table.sh
#
# Each case appends its own lines to $SPAMPOT_HOSTILE_RESULTS (tab
# separated; kept when set by the caller, a temporary file otherwise). A
# case that writes none gets one line for the whole case, its verdict
# from its exit status; a case that fails outside the faults it reports
# gets a line "(other checks)" with FAIL. The output of every case goes to
# a log directory, kept and named when something failed.

set -u
E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export SPAMPOT_SRCDIR=${SPAMPOT_SRCDIR:-$(cd "$E2E_DIR/../.." && pwd)}
export SPAMPOT_BUILDDIR=${SPAMPOT_BUILDDIR:-$SPAMPOT_SRCDIR}
LOGS=$(mktemp -d /tmp/spampot-hostile.XXXXXX)
RESULTS=${SPAMPOT_HOSTILE_RESULTS:-$LOGS/results}
export SPAMPOT_HOSTILE_RESULTS=$RESULTS
: > "$RESULTS"

cases=()
for f in "$E2E_DIR"/03[0-9]-*.sh "$E2E_DIR"/008-bad-input.sh \
    "$E2E_DIR"/010-limits.sh "$E2E_DIR"/04[0-9]-*.sh \
    "$E2E_DIR"/056-report-escapes.sh "$E2E_DIR"/061-tls-hostile.sh; do
	[ -f "$f" ] && cases+=("$f")
done

for f in "${cases[@]}"; do
	name=$(basename "$f" .sh)
	before=$(grep -c '' "$RESULTS")
	t0=$(date +%s)
	timeout 300 "${BASH:-bash}" "$f" > "$LOGS/$name.log" 2>&1
	rc=$?
	secs=$(($(date +%s) - t0))
	mine=$(tail -n +"$((before + 1))" "$RESULTS")
	if [ -z "$mine" ]; then
		case $rc in
		0) verdict=ok ;;
		77) verdict=skip ;;
		*) verdict=FAIL ;;
		esac
		printf '%s\t%s\t-\t-\t-\t%s\n' "$name" "(whole case)" "$verdict" >> "$RESULTS"
	elif [ "$rc" -ne 0 ] && ! grep -q 'FAIL$' <<< "$mine"; then
		printf '%s\t%s\t-\t-\t-\tFAIL\n' "$name" "(other checks)" >> "$RESULTS"
	fi
	echo "# $name: exit status $rc after ${secs}s" >&2
done

awk -F '\t' '
function num(x) { return x ~ /^[0-9]+$/ ? x : 0 }
{
	row[NR] = $0
	for (i = 1; i <= 6; i++)
		if (length($i) > w[i]) w[i] = length($i)
	sent += num($3); files += num($4); rows += num($5)
	verdicts[$6]++
}
END {
	split("case fault sent files MySQL verdict", head, " ")
	for (i = 1; i <= 6; i++)
		if (length(head[i]) > w[i]) w[i] = length(head[i])
	fmt = "%-" w[1] "s  %-" w[2] "s  %" w[3] "s  %" w[4] "s  %" w[5] "s  %s\n"
	printf fmt, head[1], head[2], head[3], head[4], head[5], head[6]
	for (n = 1; n <= NR; n++) {
		split(row[n], f, "\t")
		printf fmt, f[1], f[2], f[3], f[4], f[5], f[6]
	}
	total = sprintf("%d faults: %d ok, %d FAIL%s", NR, verdicts["ok"],
	    verdicts["FAIL"], verdicts["skip"] ? sprintf(", %d skipped", verdicts["skip"]) : "")
	printf fmt, "total", total, sent, files, rows, verdicts["FAIL"] ? "FAIL" : "ok"
}' "$RESULTS"

if grep -q 'FAIL$' "$RESULTS"; then
	echo "# the output of each case is in $LOGS" >&2
	exit 1
fi
rm -rf "$LOGS"
exit 0
