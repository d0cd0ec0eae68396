#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# Hostile TLS against one worker: garbage after STARTTLS, commands
# pipelined after STARTTLS in clear, a ClientHello in 1-byte writes, a
# ClientHello of about 19 KiB, renegotiation attempts, a handshake that
# never finishes, plain SMTP on a /tls listener. For each: a plain session
# is served meanwhile by the same worker, the session is in its spool file
# (tls-fail where the handshake failed), and the limit is logged.
. "$(dirname "$0")/lib.sh"

TLSC="$E2E_DIR/tlsclient.py"
PORT465=$(free_port)
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" \
    -out "$T/cert.pem" -days 2 -subj /CN=mx.e2e.test 2>/dev/null
write_config "listen = 127.0.0.1:$PORT 127.0.0.1:$PORT465/tls" \
    "tls_cert_file = $T/cert.pem" "tls_key_file = $T/key.pem" \
    "tls_handshake_timeout = 2s" "workers = 1"
start_daemon

# file_named NAME: the spool file whose session said EHLO NAME.example
file_named() { grep -l "^helo verb=EHLO name=$1.example" "$SPOOL"/new/* 2>/dev/null | head -n 1; }
# served_meanwhile CASE: a plain session is answered within 2 s while CASE
# runs in the background (one worker: the same one)
served_meanwhile() {
	local t0=$SECONDS out
	out=$(timeout 2 python3 "$TLSC" quick "$PORT" 2>&1)
	check "$1: another session served meanwhile" grep -q '221 2.0.0 Bye' <<< "$out"
}
tls_field() { spool_get "$1" "r[\"tls\"][0][\"$2\"]"; }
# row ABUSE FILE: this case's line for tests/e2e/hostile-table.sh
row() { hostile_result "$1" 1 "$([ -n "$2" ] && [ -f "$2" ] && echo 1 || echo 0)"; }

# garbage after STARTTLS
GROUP=garbage
out=$(python3 "$TLSC" garbage "$PORT" 2>&1)
check "garbage: 220 first" grep -q '220 2.0.0 Ready to start TLS' <<< "$out"
check "garbage: file" wait_for 5 test -n "$(file_named garbage)"
f=$(file_named garbage)
check_eq "garbage: tls-fail at the hello stage" "tls-fail hello" \
    "$(spool_get "$f" 'r["tls"][0]["record"] + " " + r["tls"][0]["stage"]')"
check_eq "garbage: OpenSSL's reason" "http request" "$(tls_field "$f" reason)"
check "garbage: the bytes are in the transcript" grep -q '^C [0-9.]* none GET / HTTP/1.0' "$f"
check "garbage: logged" log_has "tls fail stage=hello reason=\"http request\""
row "TLS: an HTTP request after STARTTLS" "$f"

# commands pipelined after STARTTLS in clear are not run after the handshake
GROUP=inject
out=$(python3 "$TLSC" inject "$PORT" 2>&1)
check "inject: MAIL after the handshake needs EHLO" \
    grep -q '503 5.5.1 Error: send HELO/EHLO first' <<< "$out"
check "inject: file" wait_for 5 test -n "$(file_named inject)"
f=$(file_named inject)
check "inject: the injected MAIL is in the transcript" \
    grep -q '^C [0-9.]* none MAIL FROM:<injected@example.org>' "$f"
check "inject: and never became a mail record" test "$(grep -c '^mail ' "$f")" -eq 0
check "inject: logged" log_has "smtp starttls discarded=34"
row "TLS: MAIL pipelined after STARTTLS in clear (CVE-2011-0411)" "$f"

# a ClientHello one byte a write, a session served meanwhile
GROUP=onebyte
python3 "$TLSC" onebyte "$PORT" > "$T/onebyte.out" 2>&1 &
pid=$!
sleep 0.3
served_meanwhile onebyte
wait "$pid"
check "onebyte: handshake completes" grep -q 'version TLSv1.3' "$T/onebyte.out"
check "onebyte: EHLO answered over TLS" grep -q '250-mx.e2e.test' "$T/onebyte.out"
check "onebyte: file" wait_for 5 test -n "$(file_named onebyte)"
check_eq "onebyte: sni captured" "onebyte.example" "$(tls_field "$(file_named onebyte)" sni)"
row "TLS: a ClientHello in 1-byte writes" "$(file_named onebyte)"

# a huge ClientHello (8000 ciphers, 604 extensions): the lists are cut
GROUP=huge
out=$(python3 "$TLSC" huge "$PORT" 2>&1)
check "huge: the server answered it" grep -q 'server answered True' <<< "$out"
check "huge: file" wait_for 5 test -n "$(file_named huge)"
f=$(file_named huge)
check_eq "huge: tls-fail, client closed" "tls-fail closed" \
    "$(spool_get "$f" 'r["tls"][0]["record"] + " " + r["tls"][0]["stage"]')"
check_eq "huge: cut=1" "1" "$(tls_field "$f" cut)"
check_eq "huge: 256 ciphers kept" "256" "$(spool_get "$f" 'len(r["tls"][0]["ciphers"].split(","))')"
check_eq "huge: the first as sent" "49199,4864" "$(spool_get "$f" '",".join(r["tls"][0]["ciphers"].split(",")[:2])')"
check_eq "huge: sni" "huge.sni.example" "$(tls_field "$f" sni)"
check "huge: the limit is logged" log_has "tls limit hello bytes=.* ciphers=8000 extensions=604"
row "TLS: a 19 KiB ClientHello, 8000 ciphers, 604 extensions" "$f"

# renegotiation (TLS 1.2; TLS 1.3 has none): refused and logged
GROUP=renegotiation
(sleep 1; printf 'EHLO reneg.example\n'; sleep 0.5; echo R; sleep 1; echo R; sleep 1) |
    timeout 10 openssl s_client -connect "127.0.0.1:$PORT" -starttls smtp \
    -tls1_2 > "$T/reneg.out" 2>&1 &
pid=$!
sleep 2
served_meanwhile renegotiation
wait "$pid"
check "reneg: s_client tried" grep -q RENEGOTIATING "$T/reneg.out"
check "reneg: refused" grep -q 'no renegotiation' "$T/reneg.out"
check "reneg: the refusal is logged" wait_for 5 log_has "tls renegotiation refused n=1"
f=$(file_named reneg)
check_eq "reneg: the session's tls record" "tls TLSv1.2" \
    "$(spool_get "$f" 'r["tls"][0]["record"] + " " + r["tls"][0]["version"]')"
row "TLS: renegotiation (openssl s_client R, TLS 1.2)" "$f"

# a handshake that never finishes: tls_handshake_timeout (2s)
GROUP=stall
python3 "$TLSC" stall "$PORT" 50 > "$T/stall.out" 2>&1 &
pid=$!
sleep 0.5
served_meanwhile stall
wait "$pid"
check "stall: closed by the server" grep -Eq 'closed after [2-4]\.[0-9]s' "$T/stall.out"
check "stall: file" wait_for 5 test -n "$(file_named stall)"
f=$(file_named stall)
check_eq "stall: tls-fail stage=timeout bytes=50" "timeout 50" \
    "$(spool_get "$f" 'r["tls"][0]["stage"] + " " + r["tls"][0]["bytes"]')"
check "stall: the limit is logged" log_has "tls limit handshake_timeout=2000ms"
row "TLS: a handshake that never finishes (tls_handshake_timeout 2s)" "$f"

# plain SMTP on the /tls listener: no banner in clear, a tls-fail
GROUP=tlsplain
out=$(python3 "$TLSC" tlsplain "$PORT465" 2>&1)
check "tlsplain: no banner in clear" test "$(grep -c '220 mx' <<< "$out")" -eq 0
check "tlsplain: a tls-fail record" wait_for 5 grep -lq '^C [0-9.]* none EHLO tlsplain.example' "$SPOOL"/new/*
f=$(grep -l '^C [0-9.]* none EHLO tlsplain.example' "$SPOOL"/new/*)
check_eq "tlsplain: stage hello" "hello" "$(tls_field "$f" stage)"
row "TLS: plain SMTP on a /tls listener" "$f"

check_eq "one worker throughout" "1" "$(worker_pids | wc -l)"
check_no_crash
e2e_done
