#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# A real Postfix as the smarthost (Debian's package from a private tree,
# tests/servers/postfix.sh, which discards what it takes): it offers
# STARTTLS, and spampot-relay takes it; its reply names the queue id,
# which relay_deliveries keeps, and Postfix's own log shows the message
# under that id, from spampot-relay.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/db.sh"
. "$E2E_DIR/relay.sh"
. "$E2E_DIR/persona.sh"
trap 'stop_real; relay_cleanup' EXIT

check "a self-signed certificate for Postfix" tls_cert
check "real Postfix starts" start_real postfix || exit 1
db_start
db_setup
relay_config "relay_smarthost = 127.0.0.1:$REAL_PORT"
start_daemon
start_analyzer
start_relay
check "a probe sent" probe p@postfix.example
check "the relay says: sent over TLS, queued by Postfix" wait_for 30 \
    relay_log_has "rcpt=p@postfix.example tls=yes reply=250 2.0.0 Ok: queued as "
qid=$(sed -n 's/.*rcpt=p@postfix.example tls=yes reply=250 2.0.0 Ok: queued as \([0-9A-Za-z]*\).*/\1/p' "$RELAY_LOG" | head -n 1)
stored() { [ -n "$(db_scalar "SELECT smarthost_queue_id FROM relay_deliveries WHERE status = 'sent'")" ]; }
check "the outcome stored" wait_for 20 stored
check_eq "relay_deliveries keeps Postfix's queue id" "$qid" \
    "$(db_scalar "SELECT smarthost_queue_id FROM relay_deliveries WHERE status = 'sent'")"
check "Postfix's log: that id from the relay's connection" \
    grep -q "$qid: client=localhost\[127.0.0.1\]" "$T/postfix/maillog"
check "Postfix's log: the message under that id, to the probe's recipient" \
    grep -q "$qid: to=<p@postfix.example>" "$T/postfix/maillog"
stop_relay
check "no forbidden call" sh -c "! grep -q 'forbidden system call' '$RELAY_LOG'"
stop_analyzer
stop_daemon
check_no_crash
e2e_done
