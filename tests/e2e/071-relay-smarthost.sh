#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# spampot-relay delivers probes to a real smarthost (Postfix's smtp-sink on
# a private port): each arrives byte for byte, with the persona's Received
# line on top; a message that is not a probe never arrives. The relay runs
# as its own user, under its seccomp filter. The outcome (the smarthost's
# reply, the exact bytes sent) is stored by the analyzer in
# relay_deliveries. The stop file stops a
# stream of probes mid-way, and nothing is sent while it is there.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/db.sh"
. "$E2E_DIR/relay.sh"

db_start
db_setup
relay_config "relay_limit_hour = 100" "relay_limit_day = 100" \
    "relay_limit_client = 100" "relay_limit_domain = 100" "relay_limit_campaign = 100"
start_daemon
check "smtp-sink listens" sink_start
start_analyzer
start_relay
check "relay runs as spampot-relay" test "$(ps -o user= -p "$RELAY_PID")" = spampot-relay
check_eq "relay: seccomp filter" 2 "$(awk '$1 == "Seccomp:" { print $2 }' /proc/$RELAY_PID/status)"
check_eq "relay: no capabilities" 0000000000000000 "$(awk '$1 == "CapEff:" { print $2 }' /proc/$RELAY_PID/status)"

check "a probe sent" probe a@one.example
check "a message that is not a probe sent" probe n@no.example "no marker here" "nothing of ours"
check "the probe reached the smarthost" wait_for 20 sink_count_is 1
sleep 2
check_eq "nothing else reached the smarthost" 1 "$(sink_count)"
spool=$(db_scalar "SELECT s.spool_name FROM sessions s JOIN messages m ON m.session_id = s.id JOIN relay_decisions d ON d.message_id = m.id WHERE d.rcpt = 'a@one.example'")
python3 - "$(sink_files | head -n 1)" "$SPOOL/done/$spool" "$E2E_DIR" > "$T/scheck" 2>&1 <<'PY'
import hashlib, re, sys
sys.path.insert(0, sys.argv[3])
import spool
got = open(sys.argv[1], "rb").read()
msg = spool.parse(sys.argv[2])["messages"][0]
# smtp-sink writes its own X- and Received lines, then the message as
# DATA carried it with LF line ends, then an empty line of its own
i = got.index(b"Received: from bot.example")
assert got.endswith(b"\n\n") and b"\r\n" not in got
data = got[i:-1].replace(b"\n", b"\r\n")
rx = (rb"Received: from bot\.example \(bot\.example \[127\.0\.0\.1\]\)\r\n"
      rb"\tby mx\.e2e\.test \(Postfix\) with ESMTP id " + msg["queue_id"].encode() +
      rb"\r\n\tfor <a@one\.example>; [^\r\n]+\r\n")
m = re.match(rx, data)
assert m, data[:300]
assert data[m.end():] == msg["body"], (len(data) - m.end(), len(msg["body"]), data[-40:], msg["body"][-40:])
print("ok")
print(hashlib.sha256(data).hexdigest())
PY
check "the probe arrived byte for byte, the Received line on top" grep -qx ok "$T/scheck"
stored() { [ "$(db_scalar "SELECT COUNT(*) FROM relay_deliveries WHERE queue_id = '$spool.1'")" = 1 ]; }
check "the analyzer stored the outcome" wait_for 20 stored
check_eq "relay_deliveries: sent, once, the smarthost's reply" "sent 1 250 250 2.0.0 Ok 127.0.0.1:$SINK_PORT" \
    "$(db_query "SELECT status, attempts, reply_code, reply, smarthost FROM relay_deliveries WHERE queue_id = '$spool.1'" | tr '\t' ' ')"
check_eq "relay_deliveries: the exact bytes DATA carried" "$(sed -n 2p "$T/scheck")" \
    "$(db_scalar "SELECT SHA2(data, 256) FROM relay_deliveries WHERE queue_id = '$spool.1'")"
done_empty() { [ -z "$(ls -A "$RELAY_DIR/done")" ]; }
check "done/ is emptied once stored" wait_for 10 done_empty
REPORT="$SPAMPOT_BUILDDIR/src/spampot-report"
out=$("$REPORT" -c "$CONF" --format csv relay 2>&1 | tr -d '\r')
check_eq "spampot-report relay: the probe, its rule and what became of it" \
    "relay,address,,127.0.0.1,a@one.example,sent,$spool.1,1,250,,250 2.0.0 Ok,e2e" \
    "$(grep ",a@one.example," <<< "$out" | cut -d, -f2-)"
check_eq "spampot-report relay leaves the non-probe out" "" \
    "$(grep n@no.example <<< "$out")"
cat "$T/scheck"
check "the relay logged the smarthost's reply" relay_log_has "relay: $spool.1 sent to 127.0.0.1:$SINK_PORT rcpt=a@one.example tls=no reply=250"

# The stop file: a stream is cut off, nothing more is sent.
for i in 1 2 3 4 5 6; do probe "s$i@stream.example"; [ "$i" = 3 ] && touch "$RELAY_DIR/stop"; done
check "the stop is logged" wait_for 10 relay_log_has "relay: stopped: $RELAY_DIR/stop exists"
n=$(sink_count)
sleep 3
check_eq "nothing sent while the stop file is there" "$n" "$(sink_count)"
check "the stream was cut: some probes wait" test "$n" -lt 7
rm -f "$RELAY_DIR/stop"
check "the rest goes once the file is gone" wait_for 30 sink_count_is 7
check "resuming is logged" relay_log_has "stop is gone: relaying again"
# SIGUSR2: stopped until restarted.
kill -USR2 "$RELAY_PID"
probe t@late.example
check "SIGUSR2 is logged" wait_for 10 relay_log_has "stopped by SIGUSR2"
sleep 3
check_eq "after SIGUSR2 nothing is sent" 7 "$(sink_count)"
stop_relay
check_eq "relay exits 0" 0 "$RELAY_RC"
check "no forbidden call" sh -c "! grep -q 'forbidden system call' '$RELAY_LOG'"
stop_analyzer
stop_daemon
check_no_crash
e2e_done
