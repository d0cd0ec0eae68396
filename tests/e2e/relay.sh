# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# relay.sh: helpers for the relay cases (07x), sourced after lib.sh and
# db.sh. The smarthost is Postfix's smtp-sink from Debian's postfix package
# (unpacked by bench/postfix.sh into $SPAMPOT_DEB_CACHE/postfix), on a
# private loopback port, writing each message it takes to $SINK_DIR.

SPAMPOT_RELAY="$SPAMPOT_BUILDDIR/src/spampot-relay"
RELAY_LOG="$T/relay.log"
RELAY_PID=
SINK_PID=
SINK_DIR="$T/sink"
RELAY_DIR="$T/relay"
SINK_PKG=${SPAMPOT_DEB_CACHE:-/var/tmp/spampot-test-debs}/postfix

id spampot-relay >/dev/null 2>&1 ||
	useradd --system --no-create-home --home-dir /nonexistent \
	    --shell /usr/sbin/nologin spampot-relay

# sink_start [SMTP-SINK OPTIONS...]: smtp-sink on $SINK_PORT (chosen once),
# each message in $SINK_DIR.
SINK_PORT=$(free_port)
sink_start() {
	local out libpath
	mkdir -p "$SINK_PKG" "$SINK_DIR"
	chown spampot-relay "$SINK_DIR"
	out=$("$SPAMPOT_SRCDIR/bench/postfix.sh" "$SINK_PKG") ||
	    { echo "cannot unpack Debian's postfix"; return 1; }
	libpath=$(echo "$out" | sed -n 2p)
	LD_LIBRARY_PATH="$libpath" "$SINK_PKG/usr/sbin/smtp-sink" -u spampot-relay \
	    -d "$SINK_DIR/%Y%m%d%H/%M." "$@" "127.0.0.1:$SINK_PORT" 64 \
	    >> "$T/sink.log" 2>&1 &
	SINK_PID=$!
	wait_for 10 sink_up
}
sink_up() { python3 -c "import socket; socket.create_connection(('127.0.0.1', $SINK_PORT), 1).close()" 2>/dev/null; }
sink_stop() {
	[ -n "$SINK_PID" ] || return 0
	kill "$SINK_PID" 2>/dev/null
	wait "$SINK_PID" 2>/dev/null
	SINK_PID=
}
# What the sink took: one file per message.
sink_files() { find "$SINK_DIR" -type f | sort; }
sink_count() { sink_files | wc -l; }
sink_count_is() { [ "$(sink_count)" -eq "$1" ]; }

# relay_config [KEY = VALUE...]: relay = on to the sink.
relay_config() {
	db_config "relay = on" "relay_dir = $RELAY_DIR" \
	    "relay_smarthost = 127.0.0.1:$SINK_PORT" "relay_address = 192.0.2.25" \
	    "relay_retry_min = 1s" "$@"
}

# start_relay [ENV=VALUE...]: spampot-relay -f -d (a forbidden call is
# named before the process dies).
start_relay() {
	local before
	before=$(grep -c 'starting spampot-relay' "$RELAY_LOG" 2>/dev/null)
	env "$@" "$SPAMPOT_RELAY" -f -d -c "$CONF" >> "$RELAY_LOG" 2>&1 &
	RELAY_PID=$!
	wait_for 10 relay_started "$before" || fail "spampot-relay did not start"
}
relay_started() {
	[ "$(grep -c 'starting spampot-relay' "$RELAY_LOG" 2>/dev/null)" -gt "${1:-0}" ]
}
stop_relay() {
	[ -n "$RELAY_PID" ] || return 0
	kill "-${1:-TERM}" "$RELAY_PID" 2>/dev/null
	wait "$RELAY_PID" 2>/dev/null
	RELAY_RC=$?
	RELAY_PID=
}
relay_log_has() { grep -q -- "$1" "$RELAY_LOG"; }

relay_cleanup() {
	stop_relay KILL
	sink_stop
	if [ "$E2E_FAIL" -gt 0 ]; then
		echo "--- relay log (last 40 lines) ---"
		tail -n 40 "$RELAY_LOG" 2>/dev/null
		echo "--- smtp-sink: $(sink_count) files ---"
		sink_files | head -n 3 | xargs -r head -c 600
	fi
	stop_analyzer KILL
	db_cleanup
	e2e_cleanup
}
trap relay_cleanup EXIT

# probe RCPT [SUBJECT [BODY]]: one message through spampotd, a probe
# unless SUBJECT and BODY leave the sensor's address out.
probe() {
	swaks --server "127.0.0.1:$PORT" --helo bot.example \
	    --from checker@spam.example --to "$1" \
	    --header "Subject: ${2:-relay test 192.0.2.25}" \
	    --body "${3:-This is a test of 192.0.2.25.}" >/dev/null 2>&1
}
