#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# Real TLS sessions through spampotd, spampot-analyzer and MariaDB: a
# STARTTLS session whose ClientHello the test chose (TLS 1.2, two
# ciphers, SNI, ALPN), with AUTH and a message after the handshake, and a
# handshake that fails at the hello stage. Their session_tls rows hold
# what the sensor recorded, with the JA3 and JA4 of that ClientHello;
# the AUTH and the message after STARTTLS are stored with the session.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/db.sh"

TLSC="$E2E_DIR/tlsclient.py"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" \
    -out "$T/cert.pem" -days 2 -subj /CN=mx.e2e.test 2>/dev/null
db_sensor "tls_cert_file = $T/cert.pem" "tls_key_file = $T/key.pem"
out=$(python3 "$TLSC" offer "$PORT" 2>&1)
check "the STARTTLS session" grep -q '221 2.0.0 Bye' <<< "$out"
out=$(python3 "$TLSC" garbage "$PORT" 2>&1)
check "the garbage session" grep -q 'Ready to start TLS' <<< "$out"
check "two spool files" wait_for 10 spool_count_is new 2
start_analyzer
imported() { [ "$(db_scalar 'SELECT COUNT(*) FROM sessions')" -ge 2 ]; }
check "both imported" wait_for 20 imported

row() {
	db_query "SELECT t.ok, t.version, t.cipher, t.sni, t.alpns,
	    t.ciphers, t.fail_stage, t.fail_reason
	    FROM session_tls t JOIN sessions s ON s.id = t.session_id
	    WHERE s.helo = '$1'" | tr '\t' '|'
}
check_eq "session_tls: the STARTTLS session as offered" \
    "1|TLSv1.2|TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256|mx.sni.example|smtp,h2|49199,53,255|NULL|NULL" \
    "$(row again.example)"
# JA4: TCP, TLS 1.2, an SNI (d), 3 ciphers, 8 extensions, ALPN "smtp"
ja4=$(db_scalar "SELECT t.ja4 FROM session_tls t JOIN sessions s ON s.id = t.session_id WHERE s.helo = 'again.example'")
check "JA4 of the chosen ClientHello: t12d0308sp_..." grep -Eq '^t12d0308sp_[0-9a-f]{12}_[0-9a-f]{12}$' <<< "$ja4"
ja3=$(db_scalar "SELECT t.ja3 FROM session_tls t JOIN sessions s ON s.id = t.session_id WHERE s.helo = 'again.example'")
check "JA3 of the chosen ClientHello: its version and ciphers" grep -q '^771,49199-53-255,0-11-10-35-16-22-23-13,' <<< "$ja3"
check_eq "session_tls: the failed handshake" \
    "0|NULL|NULL|NULL|NULL|NULL|hello|http request" "$(row garbage.example)"
check_eq "AUTH after STARTTLS stored" "alice" \
    "$(db_scalar "SELECT a.username FROM auth_attempts a JOIN sessions s ON s.id = a.session_id WHERE s.helo = 'again.example'")"
check_eq "the message after STARTTLS stored" "over TLS" \
    "$(db_scalar "SELECT m.subject FROM messages m JOIN sessions s ON s.id = m.session_id WHERE s.helo = 'again.example'")"
check_no_crash
e2e_done
