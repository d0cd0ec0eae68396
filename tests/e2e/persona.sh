# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
#
# persona.sh: helpers for the persona cases (063-066), sourced after
# lib.sh. A real Postfix or Exim from Debian's packages
# (tests/servers/*.sh) runs beside spampotd on a private port, and the
# differential battery (tests/persona/battery.py) compares them.
#
# The unpacked packages are kept in $SPAMPOT_DEB_CACHE
# (/var/tmp/spampot-test-debs) so that each case downloads them once.

SERVERS="$SPAMPOT_SRCDIR/tests/servers"
BATTERY="$SPAMPOT_SRCDIR/tests/persona/battery.py"
PERSONA_DIR="$SPAMPOT_SRCDIR/tests/persona"
DEB_CACHE=${SPAMPOT_DEB_CACHE:-/var/tmp/spampot-test-debs}
PERSONA_HOST=mail.example.net
REAL_STARTED=

# tls_cert: a self-signed certificate for spampotd in $T/tls.pem, .key.
tls_cert() {
	openssl req -x509 -newkey rsa:2048 -nodes -days 30 \
	    -subj "/CN=$PERSONA_HOST" -keyout "$T/tls.key" -out "$T/tls.pem" \
	    >/dev/null 2>&1 && chmod 644 "$T/tls.key"
}

# persona_config PERSONA [LINES...]: spampotd's config for PERSONA, with
# STARTTLS offered and the real servers' host name.
persona_config() {
	local p=$1
	shift
	write_config "persona = $p" "hostname = $PERSONA_HOST" \
	    "tls_cert_file = $T/tls.pem" "tls_key_file = $T/tls.key" "$@"
}

# start_real postfix|exim: the real server on a free port, in REAL_PORT.
start_real() {
	REAL_PORT=$(free_port)
	mkdir -p "$DEB_CACHE/$1"
	if [ "$1" = postfix ]; then
		POSTFIX_DEB_DIR="$DEB_CACHE/$1" "$SERVERS/postfix.sh" start \
		    "$T/$1" "$REAL_PORT" "$PERSONA_HOST" || return 1
	else
		EXIM_DEB_DIR="$DEB_CACHE/$1" "$SERVERS/exim.sh" start \
		    "$T/$1" "$REAL_PORT" "$PERSONA_HOST" || return 1
	fi
	REAL_STARTED="$REAL_STARTED $1"
}

stop_real() {
	local s
	for s in $REAL_STARTED; do
		"$SERVERS/$s.sh" stop "$T/$s"
	done
	REAL_STARTED=
}

persona_cleanup() {
	stop_real
	e2e_cleanup
}
trap persona_cleanup EXIT

# battery A_PORT B_PORT EXPECT_FILE [ARGS...]: the battery's verdict; its
# output in $T/battery.out, shown.
battery() {
	local a=$1 b=$2 ex=$3
	shift 3
	if [ -n "$ex" ] && [ -f "$ex" ]; then
		set -- --expect "$ex" "$@"
	fi
	timeout 900 python3 "$BATTERY" --a "127.0.0.1:$a" --b "127.0.0.1:$b" \
	    "$@" >"$T/battery.out" 2>&1
	local rc=$?
	[ "$rc" -eq 0 ] || echo "--- battery: differences"
	cat "$T/battery.out"
	return "$rc"
}

# smug_against_real PERSONA: the real server against itself, then the
# persona against it, over the battery's smuggling conversations ($SMUG).
smug_against_real() {
	local p=$1 real=${1%-debian}
	check "real $real starts" start_real "$real" || return
	# shellcheck disable=SC2086
	built_with SPAMPOT_SANITIZERS ||
		check "real $real against itself: same ends of DATA" \
		    battery "$REAL_PORT" "$REAL_PORT" "" $SMUG
	persona_config "$p"
	start_daemon
	# shellcheck disable=SC2086
	check "$p ends DATA where the real $real does" \
	    battery "$REAL_PORT" "$PORT" "$PERSONA_DIR/$p.expect" $SMUG
	stop_daemon
	stop_real
	check_no_crash
}
