#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# A configuration with mistakes: every one is reported as FILE:LINE, and
# the daemon does not start, binds nothing and creates no spool. A missing
# file, an unknown user, -t on a good file and the shipped one, -V, bad
# options.
. "$(dirname "$0")/lib.sh"

# run ARGS...: spampotd with a bound on its run time; stdout, stderr and
# exit status in $T/run.out, $T/run.err, $rc. Run from $T, so that a
# relative spool_dir, were it accepted, would be $SPOOL.
run() {
	(cd "$T" && timeout 10 "$SPAMPOTD" "$@" > "$T/run.out" 2> "$T/run.err")
	rc=$?
}
out_has() { grep -qF -- "$1" "$T/run.out"; }
err_has() { grep -qF -- "$1" "$T/run.err"; }
# has_error FILE LINE TEXT: a line of stderr reads "FILE:LINE: TEXT...",
# after the program's name on the first one.
has_error() {
	awk -v want="$1:$2: $3" '{ sub(/^spampotd: /, "") }
	    index($0, want) == 1 { found = 1 } END { exit !found }' "$T/run.err"
}
error_count() { grep -c -- "$1:[0-9]*: " "$T/run.err"; }
no_spool() { test ! -e "$SPOOL"; }
port_closed() { ! port_open 2>/dev/null; }

BAD="$T/bad.conf"
cat > "$BAD" <<EOF
# a configuration with a mistake on every line but this one and line 5
listen = 127.0.0.1:$PORT 127.0.0.1:70000
wokers = 2
max_errors = lots
banner = first
spool_dir = spool
banner = second
spool_fsync = maybe
hostname mx.e2e.test
EOF
chmod 644 "$BAD"

run -t -c "$BAD"
check_eq "-t on the bad file: exit status 1" 1 "$rc"
check "bad listen, line 2" has_error "$BAD" 2 "bad value for listen: '127.0.0.1:$PORT 127.0.0.1:70000' (expected"
check "unknown key, line 3" has_error "$BAD" 3 "unknown key 'wokers'"
check "bad number, line 4" has_error "$BAD" 4 "bad value for max_errors: 'lots' (expected a whole number from 1 to 100000)"
check "relative spool_dir, line 6" has_error "$BAD" 6 "bad value for spool_dir: 'spool' (expected an absolute path)"
check "duplicate key, line 7" has_error "$BAD" 7 "'banner' is set twice"
check "bad boolean, line 8" has_error "$BAD" 8 "bad value for spool_fsync: 'maybe' (expected yes or no)"
check "missing '=', line 9" has_error "$BAD" 9 "expected 'key = value'"
check_eq "seven errors, no more" 7 "$(error_count "$BAD")"
check "no error for the good lines 1 and 5" test "$(grep -c -- "$BAD:[15]: " "$T/run.err")" -eq 0
check_eq "-t on the bad file: nothing on stdout" "" "$(cat "$T/run.out")"

run -c "$BAD" -f
check_eq "-f on the bad file: exit status 1" 1 "$rc"
check_eq "-f on the bad file: the same seven errors" 7 "$(error_count "$BAD")"
check "-f on the bad file: never started" test "$(grep -c 'starting spampotd\|listening on' "$T/run.err")" -eq 0
check "-f on the bad file: port $PORT stays closed" port_closed
check "-f on the bad file: no spool created" no_spool

# Good listen and spool_dir, one mistake after them.
cat > "$T/one.conf" <<EOF
listen = 127.0.0.1:$PORT
spool_dir = $SPOOL
workers = 1
shutdown_grace = 1s
max_messages = -1
EOF
chmod 644 "$T/one.conf"
run -c "$T/one.conf" -f
check_eq "-f with one mistake after a good listen: exit status 1" 1 "$rc"
check "-f with one mistake: reported" has_error "$T/one.conf" 5 "bad value for max_messages: '-1'"
check "-f with one mistake: nothing bound" port_closed
check "-f with one mistake: no spool created" no_spool

run -t -c "$T/missing.conf"
check_eq "missing file: exit status 1" 1 "$rc"
check "missing file: No such file or directory" err_has "$T/missing.conf: No such file or directory"
run -f -c "$T/missing.conf"
check_eq "missing file, -f: exit status 1" 1 "$rc"
check "missing file, -f: No such file or directory" err_has "No such file or directory"

check "user spampot-e2e-nobody does not exist" test -z "$(getent passwd spampot-e2e-nobody)"
write_config "user = spampot-e2e-nobody"
run -t -c "$CONF"
check_eq "unknown user: exit status 1" 1 "$rc"
check "unknown user: named" err_has "user 'spampot-e2e-nobody' does not exist"
run -f -c "$CONF"
check_eq "unknown user, -f: exit status 1" 1 "$rc"
check "unknown user, -f: named" err_has "user 'spampot-e2e-nobody' does not exist"
check "unknown user, -f: nothing bound" port_closed
check "unknown user, -f: no spool created" no_spool

write_config "user = root"
run -t -c "$CONF"
check_eq "user root: exit status 1" 1 "$rc"
check "user root: refused" err_has "user 'root' is root"

write_config "spool_group = spampot-e2e-nogroup"
run -t -c "$CONF"
check_eq "unknown spool_group: exit status 1" 1 "$rc"
check "unknown spool_group: named" err_has "spool_group 'spampot-e2e-nogroup' does not exist"

# rfc821: no STARTTLS to miss, so no warning (see the persona check below)
write_config "persona = rfc821"
run -t -c "$CONF"
check_eq "good file: -t exit status 0" 0 "$rc"
check_eq "good file: configuration OK" "spampotd: $CONF: configuration OK" "$(cat "$T/run.out")"
check_eq "good file: nothing on stderr" "" "$(cat "$T/run.err")"
check "-t binds nothing" port_closed
check "-t does not touch the spool" no_spool

write_config "hostname = honeypot.example.org"
run -t -c "$CONF"
check_eq "tell-tale host name: -t still exit status 0" 0 "$rc"
check "tell-tale host name: warned" err_has "warning: hostname 'honeypot.example.org' contains 'honey'"
check "postfix-debian without a certificate: warned" err_has "warning: persona postfix-debian without STARTTLS (no certificate"

SHIPPED="$SPAMPOT_BUILDDIR/etc/spampot.conf"
run -t -c "$SHIPPED"
check_eq "shipped config: -t exit status 0" 0 "$rc"
check_eq "shipped config: configuration OK" "spampotd: $SHIPPED: configuration OK" "$(cat "$T/run.out")"

run -V
check_eq "-V: exit status 0" 0 "$rc"
check_eq "-V: version" "spampotd 0.1.0" "$(cat "$T/run.out")"

run -x
check "unknown option: non-zero exit status ($rc)" test "$rc" -ne 0 -a "$rc" -ne 124
check "unknown option: usage" err_has "usage: spampotd [-dfhtV] [-c file]"
run -h
check_eq "-h: exit status 1" 1 "$rc"
check "-h: usage" err_has "usage: spampotd [-dfhtV] [-c file]"
run -t -c "$CONF" stray-argument
check "stray argument: non-zero exit status ($rc)" test "$rc" -ne 0 -a "$rc" -ne 124
check "stray argument: usage" err_has "usage: spampotd"

e2e_done
