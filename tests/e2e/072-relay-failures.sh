#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# The smarthost down, then refusing for now (4xx), then for good (5xx),
# then slow: spampot-relay tries again with back-off and delivers once;
# a 5xx ends the probe. kill -9 of the relay at every step of a delivery
# (a test-only hook, SPAMPOT_RELAY_TEST_CRASH, then a real kill -9 while
# the smarthost is slow to answer the end of DATA): no probe ever arrives
# twice, and one that may have arrived is recorded as unknown, never sent
# again. The queue is bounded: beyond relay_queue_max, probes are
# refused with the limit recorded.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/db.sh"
. "$E2E_DIR/relay.sh"

built_with SPAMPOT_TEST_HOOKS || { echo "SKIP: needs --enable-test-hooks"; exit 77; }
db_start
db_setup
relay_config "relay_limit_hour = 1000" "relay_limit_day = 1000" \
    "relay_limit_client = 1000" "relay_limit_domain = 1000" \
    "relay_limit_campaign = 1000" "relay_queue_max = 3"
start_daemon
start_analyzer
start_relay
# copies RCPT: how many messages to RCPT the smarthost took.
copies() { grep -l "^X-Rcpt-Args: <$1>" $(sink_files) /dev/null 2>/dev/null | grep -vc '^/dev/null$'; }
copies_are() { [ "$(copies "$1")" -eq "$2" ]; }
delivering() { grep -q 'attempts 1 ' "$RELAY_DIR"/state/* 2>/dev/null; }
relay_dead() { ! kill -0 "$RELAY_PID" 2>/dev/null; }
# outcome RCPT: what relay_deliveries says of the probe to RCPT.
outcome() {
	db_scalar "SELECT CONCAT(r.status, ' ', IFNULL(r.reply_code, '-'))
	    FROM relay_deliveries r JOIN relay_decisions d ON d.queue_id = r.queue_id
	    WHERE d.rcpt = '$1'"
}
# outcome_is RCPT PATTERN: a glob (smtp-sink's hard reject is a 500)
outcome_is() { case "$(outcome "$1")" in $2) return 0 ;; esac; return 1; }
queue_decided() {
	[ "$(db_scalar "SELECT COUNT(*) FROM relay_decisions WHERE rcpt LIKE 'q%@queue.example'")" = 4 ]
}

# Down: no smarthost at all.
probe down@a.example
check "smarthost down: deferred, logged" wait_for 20 relay_log_has "deferred (attempt 1: .*onnect"
check "then tried again, with back-off" wait_for 20 relay_log_has "deferred (attempt 2: "
sink_start
check "delivered once the smarthost is up" wait_for 30 copies_are down@a.example 1
sink_stop

# 4xx at the end of DATA, then accepted. (smtp-sink keeps a copy of what
# it refuses too: that sink writes elsewhere.)
SINK_DIR=$T/sink-4xx sink_start -r .
probe soft@a.example
check "4xx: deferred with the smarthost's reply" wait_for 20 relay_log_has "deferred (attempt 1: 4"
sink_stop
sink_start
check "then delivered once" wait_for 30 copies_are soft@a.example 1
sink_stop

# 5xx: refused for good.
SINK_DIR=$T/sink-5xx sink_start -f .
probe hard@a.example
check "5xx: refused for good, logged" wait_for 20 relay_log_has "refused by 127.0.0.1:$SINK_PORT: 5"
sleep 3
check_eq "a refused probe is not tried again" 1 "$(grep -c 'refused by' "$RELAY_LOG")"
check "relay_deliveries: failed, with the smarthost's code" wait_for 10 outcome_is hard@a.example "failed 5[0-9][0-9]"
check "relay_deliveries: the deferred one sent after attempts" wait_for 10 outcome_is soft@a.example "sent 250"
sink_stop
sink_start

# kill -9 at every step of a delivery.
for step in after-claim before-connect before-commit after-commit after-reply; do
	stop_relay
	start_relay SPAMPOT_RELAY_TEST_CRASH=$step
	probe "$step@crash.example"
	check "killed at $step" wait_for 20 relay_dead
	stop_relay KILL
	start_relay
	sleep 4
	n=$(copies "$step@crash.example")
	case $step in
	after-commit)
		# the mark was written, the end of DATA never went out
		check_eq "$step: not delivered, recorded as unknown" 0 "$n"
		check "$step: unknown in relay_deliveries" wait_for 10 outcome_is "$step@crash.example" "unknown -"
		check "$step: unknown, logged" relay_log_has "stopped after its end of DATA went out; recorded as unknown" ;;
	after-reply)
		check_eq "$step: delivered exactly once" 1 "$n"
		check "$step: unknown in relay_deliveries" wait_for 10 outcome_is "$step@crash.example" "unknown -"
		check "$step: unknown, logged" relay_log_has "stopped after its end of DATA went out; recorded as unknown" ;;
	*)
		check_eq "$step: delivered exactly once after the restart" 1 "$n" ;;
	esac
done

# A real kill -9 while a slow smarthost makes the relay wait for its
# answer to DATA: tried again, delivered once.
sink_stop
sink_start -w 4
probe slow@crash.example
check "the relay is delivering" wait_for 20 delivering
sleep 1
kill -9 "$RELAY_PID"; wait "$RELAY_PID" 2>/dev/null; RELAY_PID=
start_relay
check "killed mid-delivery: delivered once after the restart" wait_for 30 copies_are slow@crash.example 1
sleep 2
check_eq "and only once" 1 "$(copies slow@crash.example)"

# The queue is bounded: stopped, three wait, the fourth is refused.
touch "$RELAY_DIR/stop"
wait_for 10 relay_log_has "stopped: $RELAY_DIR/stop exists"
for i in 1 2 3 4; do probe "q$i@queue.example"; done
check "all four decided" wait_for 20 queue_decided
check_eq "beyond relay_queue_max: refused, limit queue" "relay relay relay refused:queue" \
    "$(db_query "SELECT CONCAT(verdict, IF(reason IS NULL, '', CONCAT(':', reason))) FROM relay_decisions WHERE rcpt LIKE 'q%@queue.example' ORDER BY rcpt" | paste -sd' ')"
stop_relay
check "no forbidden call" sh -c "! grep -q 'forbidden system call' '$RELAY_LOG'"
stop_analyzer
stop_daemon
check_no_crash
e2e_done
