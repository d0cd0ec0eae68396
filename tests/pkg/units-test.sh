#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# units-test.sh [UNITDIR]: check spampot's systemd units with systemd's own
# tools: "systemd-analyze verify" must find nothing wrong, and
# "systemd-analyze security --offline=true" must rate each 2.0 or lower
# ("OK" or better). Needs no running systemd.
#
# Without UNITDIR it checks packaging/systemd of this tree: verify then runs
# on copies whose programs are stand-ins (the real ones are not installed)
# and without the man page check. With UNITDIR (/lib/systemd/system after
# the package is installed) it checks the installed units as they are.
set -u

src=$(cd "$(dirname "$0")/../.." && pwd)
units="spampot.service spampot-analyzer.service spampot-relay.service"
max=2.0
passed=0
failed=0

ok() { passed=$((passed + 1)); echo "ok - $1"; }
fail() { failed=$((failed + 1)); echo "not ok - $1"; }

command -v systemd-analyze >/dev/null ||
	{ echo "FAIL: systemd-analyze missing (apt-get install systemd)"; exit 99; }

T=$(mktemp -d "${TMPDIR:-/tmp}/spampot-units.XXXXXX")
trap 'rm -rf "$T"' EXIT

if [ $# -ge 1 ]; then
	dir=$1
	verify_dir=$dir
	man=yes
else
	dir=$src/packaging/systemd
	# Stand-ins at the programs' paths, for verify's "is it executable".
	verify_dir=$T/units
	mkdir -p "$verify_dir" "$T/sbin"
	for p in spampotd spampot-analyzer spampot-relay; do
		printf '#!/bin/sh\nexit 0\n' > "$T/sbin/$p"
		chmod 755 "$T/sbin/$p"
	done
	for u in $units; do
		sed "s|/usr/sbin/|$T/sbin/|g" "$dir/$u" > "$verify_dir/$u"
	done
	man=no
fi

for u in $units; do
	if out=$(systemd-analyze verify --man="$man" "$verify_dir/$u" 2>&1) &&
	    [ -z "$out" ]; then
		ok "systemd-analyze verify $u"
	else
		fail "systemd-analyze verify $u"
		printf '%s\n' "$out" | sed 's/^/    /'
	fi
	out=$(systemd-analyze security --offline=true "$dir/$u" 2>&1)
	score=$(printf '%s\n' "$out" |
	    sed -n 's/.*Overall exposure level for .*: \([0-9.]*\) .*/\1/p')
	echo "# $u: exposure $score (systemd-analyze security --offline=true)"
	if [ -n "$score" ] && awk -v s="$score" -v m="$max" 'BEGIN { exit !(s <= m) }'; then
		ok "$u exposure $score <= $max"
	else
		fail "$u exposure '${score:-none}' <= $max"
		printf '%s\n' "$out" | grep -E '✗|Overall' | sed 's/^/    /'
	fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
