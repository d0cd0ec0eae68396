#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# A flood of probes: 1,000 probe-like messages from 100 client addresses
# (127.0.0.2 to 127.0.0.101) within a minute, to 1,000 recipients in 10
# domains, then in 500 more. Exactly what the limits allow reaches the smarthost, and
# every other probe is recorded as refused by the limit that refused it:
# the verdicts equal those of a model of spampot-relay(8)'s rules, applied
# in the order the analyzer imported the messages.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/db.sh"
. "$E2E_DIR/relay.sh"

db_start
db_setup
relay_config "relay_limit_hour = 25" "relay_limit_day = 60" \
    "relay_limit_client = 1" "relay_limit_domain = 2" \
    "relay_limit_campaign = 1000" "relay_queue_max = 1000" \
    "max_sessions_per_ip = 50"
start_daemon
sink_start
start_analyzer
start_relay

python3 - "$PORT" > "$T/flood.out" 2>&1 <<'PY'
import smtplib, sys, time
port = int(sys.argv[1])
t0 = time.time()
for i in range(1000):
    client = "127.0.0.%d" % (2 + i % 100)
    # ten domains, then new ones: the domain's limit, then the client's
    # and the hour's come into play
    rcpt = "r%d@d%d.example" % (i, i % 10 if i < 500 else 10 + i)
    s = smtplib.SMTP("127.0.0.1", port, local_hostname="bot.example",
                     source_address=(client, 0), timeout=30)
    s.sendmail("checker@spam.example", [rcpt],
               "Subject: relay test 192.0.2.25\r\n\r\ntest %d\r\n" % i)
    s.quit()
print("sent 1000 in %.1f s" % (time.time() - t0))
PY
check "1,000 probes sent" grep -q "^sent 1000 in" "$T/flood.out"
cat "$T/flood.out"
decided() { [ "$(db_scalar "SELECT COUNT(*) FROM relay_decisions")" -eq 1000 ]; }
check "1,000 decisions" wait_for 120 decided

# The model: the limits of spampot-relay(8), in their order, over the
# messages in the order of their decisions.
db_query "SELECT d.id, s.client_ip, d.rcpt, d.rcpt_domain, d.verdict, IFNULL(d.reason, '-')
    FROM relay_decisions d JOIN messages m ON m.id = d.message_id
    JOIN sessions s ON s.id = m.session_id ORDER BY d.id" > "$T/decisions"
python3 - "$T/decisions" > "$T/model.out" 2>&1 <<'PY'
import collections, sys
hour, day, client, domain = 25, 60, 1, 2
n = 0
by_client = collections.Counter()
by_domain = collections.Counter()
bad = 0
counts = collections.Counter()
for line in open(sys.argv[1]):
    _, ip, rcpt, dom, verdict, reason = line.rstrip("\n").split("\t")
    if n >= hour:
        want = "refused hour"
    elif n >= day:
        want = "refused day"
    elif by_client[ip] >= client:
        want = "refused client"
    elif by_domain[dom] >= domain:
        want = "refused domain"
    else:
        want = "relay -"
        n += 1
        by_client[ip] += 1
        by_domain[dom] += 1
    got = verdict + " " + reason
    counts[got] += 1
    if got != want:
        bad += 1
        if bad < 5:
            print("differs:", line.strip(), "model:", want)
print("relayed %d" % n)
print("verdicts " + ", ".join("%s=%d" % kv for kv in sorted(counts.items())))
print("differences %d" % bad)
PY
cat "$T/model.out"
check "every verdict is the model's" grep -qx "differences 0" "$T/model.out"
relayed=$(sed -n 's/^relayed //p' "$T/model.out")
check_eq "refused by the domain's, the client's and the hour's limits" \
    "refused client=100, refused domain=400, refused hour=475, relay -=25" \
    "$(sed -n 's/^verdicts //p' "$T/model.out")"
check_eq "the relayed ones: the hour's limit" 25 "$relayed"
check "exactly those reach the smarthost" wait_for 60 sink_count_is "$relayed"
sleep 3
check_eq "and no more" "$relayed" "$(sink_count)"
check_eq "each refusal names its limit" 0 \
    "$(db_scalar "SELECT COUNT(*) FROM relay_decisions WHERE verdict = 'refused' AND reason IS NULL")"
stop_relay
stop_analyzer
stop_daemon
check_no_crash
e2e_done
