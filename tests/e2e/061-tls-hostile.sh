#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# Hostile TLS against one worker: garbage after STARTTLS, commands
# pipelined after STARTTLS in clear, a ClientHello in 1-byte writes (one
# quick enough, one slower than the handshake's time-out), a ClientHello
# of about 19 KiB, renegotiation attempts, a handshake that never
# finishes, STARTTLS twice, plain SMTP on a /tls listener. For each: a
# plain session is served by the same worker while the hostile one is
# open, the session is in its spool file (tls-fail where the handshake
# failed, with the bytes it got), and the limit is logged, on a line of
# that session.
. "$(dirname "$0")/lib.sh"

TLSC="$E2E_DIR/tlsclient.py"
PORT465=$(free_port)
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" \
    -out "$T/cert.pem" -days 2 -subj /CN=mx.e2e.test 2>/dev/null
# max_errors 5: STARTTLS inside TLS, refused, reaches it in a moment
write_config "listen = 127.0.0.1:$PORT 127.0.0.1:$PORT465/tls" \
    "tls_cert_file = $T/cert.pem" "tls_key_file = $T/key.pem" \
    "tls_handshake_timeout = 2s" "workers = 1" "max_errors = 5"
start_daemon

# file_named NAME: the spool file whose session said EHLO NAME.example
file_named() { grep -l "^helo verb=EHLO name=$1.example" "$SPOOL"/new/* 2>/dev/null | head -n 1; }
has_named() { [ -n "$(file_named "$1")" ]; }
tls_field() { spool_get "$1" "r[\"tls\"][0][\"$2\"]"; }
# sid_of FILE: the session id its log lines begin with
sid_of() { spool_get "$1" 'r["header"]["session"]'; }
# logged FILE TEXT: a log line of FILE's session holds TEXT (a regex)
logged() { local sid; sid=$(sid_of "$1") && [ -n "$sid" ] && log_has "$sid $2"; }
# row ABUSE FILE: this case's line for tests/e2e/hostile-table.sh
row() { hostile_result "$1" 1 "$([ -n "$2" ] && [ -f "$2" ] && echo 1 || echo 0)"; }

# hostile CASE [ARGS]: tlsclient.py CASE PORT ARGS in the background,
# until it holds its session open at its worst moment; its output in
# $T/CASE.out, the TLS bytes it sent in $T/CASE.sent.
hostile() {
	local name=$1
	shift
	rm -f "$T/go"
	TLSC_GO="$T/go" TLSC_SAVE="$T/$name.sent" timeout 30 \
	    python3 "$TLSC" "$name" "$PORT" "$@" > "$T/$name.out" 2>&1 &
	HOSTILE_PID=$!
	check "$name: the client holds its session open" \
	    wait_for 10 grep -q '^holding' "$T/$name.out"
}
# served_meanwhile CASE: while CASE's session is open (its client still
# there, its file not yet in new/), a plain session of the same worker is
# answered within 2 s; then CASE goes on, to its end.
served_meanwhile() {
	local out
	out=$(timeout 2 python3 "$TLSC" quick "$PORT" 2>&1)
	check "$1: another session served meanwhile" grep -q '221 2.0.0 Bye' <<< "$out"
	check "$1: its own session still open then" still_open "$1"
	touch "$T/go"
	wait "$HOSTILE_PID"
}
still_open() { [ -z "$(file_named "$1")" ] && kill -0 "$HOSTILE_PID" 2>/dev/null; }
# kept FILE CASE [N]: the transcript of FILE holds the first N (all)
# bytes CASE sent over TLS, as one line without a line end.
kept() {
	python3 - "$1" "$T/$2.sent" "${3:-0}" <<'PY'
import importlib.util, os, sys
spec = importlib.util.spec_from_file_location("spool", os.path.join(os.environ["E2E_DIR"], "spool.py"))
m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
r = m.parse(sys.argv[1])
sent = open(sys.argv[2], "rb").read()
n = int(sys.argv[3]) or len(sent)
want = sent[:n].decode("latin-1")
sys.exit(0 if any(t[0] == "C" and t[1] == "none" and t[2] == want
                  for t in r["transcript"]) else 1)
PY
}

# garbage after STARTTLS: 2 bytes that could begin a TLS record, held,
# then the rest of a 4 KiB HTTP request
GROUP=garbage
hostile garbage
served_meanwhile garbage
out=$(cat "$T/garbage.out")
check "garbage: 220 first" grep -q '220 2.0.0 Ready to start TLS' <<< "$out"
check "garbage: file" wait_for 5 has_named garbage
f=$(file_named garbage)
check_eq "garbage: tls-fail at the hello stage" "tls-fail hello" \
    "$(spool_get "$f" 'r["tls"][0]["record"] + " " + r["tls"][0]["stage"]')"
check_eq "garbage: OpenSSL's reason" "http request" "$(tls_field "$f" reason)"
check_eq "garbage: every byte counted" "$(stat -c %s "$T/garbage.sent")" "$(tls_field "$f" bytes)"
check "garbage: its first 1024 bytes in the transcript" kept "$f" garbage 1024
check "garbage: logged" logged "$f" "tls fail stage=hello reason=\"http request\""
check "garbage: the limit is logged" logged "$f" "tls limit raw bytes=$(stat -c %s "$T/garbage.sent"): first 1024 kept"
row "TLS: an HTTP request after STARTTLS" "$f"

# commands pipelined after STARTTLS in clear are not run after the handshake
GROUP=inject
out=$(python3 "$TLSC" inject "$PORT" 2>&1)
# had the injected MAIL run, this one would be a nested MAIL (503)
check "inject: the client's MAIL after the handshake is its first" \
    grep -q '250 2.1.0 Ok' <<< "$out"
check "inject: file" wait_for 5 has_named inject
f=$(file_named inject)
check "inject: the injected MAIL is in the transcript" \
    grep -q '^C [0-9.]* none MAIL FROM:<injected@example.org>' "$f"
check "inject: and never became a mail record" \
    test "$(grep -c '^mail from=injected@' "$f")" -eq 0
check "inject: the MAIL sent inside TLS did" grep -q '^mail from=after@example.org' "$f"
check "inject: logged" log_has "smtp starttls discarded=34"
row "TLS: MAIL pipelined after STARTTLS in clear (CVE-2011-0411)" "$f"

# a ClientHello one byte a write: held half-way, then complete
GROUP=onebyte
hostile onebyte
served_meanwhile onebyte
check "onebyte: handshake completes" grep -q 'version TLSv1.3' "$T/onebyte.out"
check "onebyte: EHLO answered over TLS" grep -q '250-mx.e2e.test' "$T/onebyte.out"
check "onebyte: file" wait_for 5 has_named onebyte
f=$(file_named onebyte)
check_eq "onebyte: sni captured" "onebyte.example" "$(tls_field "$f" sni)"
check "onebyte: the EHLO inside TLS in the transcript" \
    grep -q '^C [0-9.]* crlf EHLO onebyte.example' "$f"
check "onebyte: logged" logged "$f" "tls version=TLSv1.3 .* sni=onebyte.example"
row "TLS: a ClientHello in 1-byte writes" "$f"

# a byte every 10 ms: the handshake's time-out counts from STARTTLS, and
# no byte puts it off
GROUP=slowbyte
hostile slowbyte
served_meanwhile slowbyte
check "slowbyte: closed by the server" \
    grep -Eq '^closed after [1-3]\.[0-9]s, [0-9]+ of [0-9]+ bytes sent' "$T/slowbyte.out"
check "slowbyte: file" wait_for 5 has_named slowbyte
f=$(file_named slowbyte)
n=$(tls_field "$f" bytes)
check_eq "slowbyte: tls-fail at its time-out" "tls-fail timeout" \
    "$(spool_get "$f" 'r["tls"][0]["record"] + " " + r["tls"][0]["stage"]')"
check "slowbyte: part of the ClientHello ($n bytes) read" \
    test "$n" -gt 20 -a "$n" -lt "$(stat -c %s "$T/slowbyte.sent")"
check "slowbyte: those bytes in the transcript" kept "$f" slowbyte "$n"
check "slowbyte: the limit is logged" logged "$f" "tls limit handshake_timeout=2000ms"
row "TLS: a ClientHello in 1-byte writes, slower than tls_handshake_timeout" "$f"

# a huge ClientHello (8000 ciphers, 604 extensions): the lists are cut;
# held after the server's answer
GROUP=huge
hostile huge
served_meanwhile huge
check "huge: the server answered it" grep -q 'server answered True' "$T/huge.out"
check "huge: file" wait_for 5 has_named huge
f=$(file_named huge)
check_eq "huge: tls-fail, client closed" "tls-fail closed" \
    "$(spool_get "$f" 'r["tls"][0]["record"] + " " + r["tls"][0]["stage"]')"
check_eq "huge: cut=1" "1" "$(tls_field "$f" cut)"
check_eq "huge: 256 ciphers kept" "256" "$(spool_get "$f" 'len(r["tls"][0]["ciphers"].split(","))')"
check_eq "huge: the first as sent" "49199,4864" "$(spool_get "$f" '",".join(r["tls"][0]["ciphers"].split(",")[:2])')"
check_eq "huge: sni" "huge.sni.example" "$(tls_field "$f" sni)"
check "huge: the limit is logged" logged "$f" "tls limit hello bytes=.* ciphers=8000 extensions=604: lists cut at 256"
row "TLS: a 19 KiB ClientHello, 8000 ciphers, 604 extensions" "$f"

# renegotiation (TLS 1.2; TLS 1.3 has none): refused and logged. The
# client is held once its EHLO is answered over TLS.
GROUP=renegotiation
rm -f "$T/go"
{
	wait_for 10 log_has ' tls version=TLSv1.2 '
	printf 'EHLO reneg.example\n'
	wait_for 5 grep -q '^250 ' "$T/reneg.out"
	echo holding >> "$T/reneg.hold"
	wait_for 10 test -f "$T/go"
	echo R
	# OpenSSL's client gives up at the refusal: one attempt a session
	wait_for 5 grep -q 'no renegotiation' "$T/reneg.out"
} | timeout 30 openssl s_client -connect "127.0.0.1:$PORT" -starttls smtp \
    -tls1_2 > "$T/reneg.out" 2>&1 &
HOSTILE_PID=$!
check "reneg: the client holds its session open" wait_for 10 test -f "$T/reneg.hold"
served_meanwhile reneg
check "reneg: s_client tried" grep -q RENEGOTIATING "$T/reneg.out"
check "reneg: refused" grep -q 'no renegotiation' "$T/reneg.out"
check "reneg: file" wait_for 5 has_named reneg
f=$(file_named reneg)
check_eq "reneg: the session's tls record" "tls TLSv1.2" \
    "$(spool_get "$f" 'r["tls"][0]["record"] + " " + r["tls"][0]["version"]')"
check "reneg: the EHLO inside TLS in the transcript" \
    grep -q '^C [0-9.]* lf EHLO reneg.example' "$f"
check "reneg: the refusal is logged" logged "$f" "tls renegotiation refused n=1"
row "TLS: renegotiation (openssl s_client R, TLS 1.2)" "$f"

# a handshake that never finishes: tls_handshake_timeout (2s)
GROUP=stall
hostile stall 50
served_meanwhile stall
check "stall: closed by the server" grep -Eq 'closed after [1-4]\.[0-9]s' "$T/stall.out"
check "stall: file" wait_for 5 has_named stall
f=$(file_named stall)
check_eq "stall: tls-fail stage=timeout bytes=50" "timeout 50" \
    "$(spool_get "$f" 'r["tls"][0]["stage"] + " " + r["tls"][0]["bytes"]')"
check "stall: the 50 bytes in the transcript" kept "$f" stall
check "stall: the limit is logged" logged "$f" "tls limit handshake_timeout=2000ms"
row "TLS: a handshake that never finishes (tls_handshake_timeout 2s)" "$f"

# STARTTLS twice: the second, pipelined in clear, is dropped; inside TLS
# each is refused and counts as an error, up to max_errors (5)
GROUP=twice
hostile twice
served_meanwhile twice
check "twice: handshake completes" grep -q '^version TLSv1.3' "$T/twice.out"
check "twice: refused inside TLS" grep -q '^554 5.5.1 Error: TLS already active' "$T/twice.out"
check_eq "twice: refused until max_errors" 5 "$(grep -c '^554 ' "$T/twice.out")"
check "twice: then the session ends" grep -q '^421 4.7.0 mx.e2e.test Error: too many errors' "$T/twice.out"
check "twice: file" wait_for 5 has_named twice
f=$(file_named twice)
check_eq "twice: a tls record" "tls TLSv1.3" \
    "$(spool_get "$f" 'r["tls"][0]["record"] + " " + r["tls"][0]["version"]')"
check "twice: the dropped STARTTLS in the transcript" \
    grep -q '^C [0-9.]* none STARTTLS\\x0d\\x0a$' "$f"
check_eq "twice: the first and the five inside TLS too" 6 \
    "$(grep -c '^C [0-9.]* crlf STARTTLS$' "$f")"
check_eq "twice: end reason limit" limit "$(spool_get "$f" 'r["end"]["reason"]')"
check "twice: the dropped one logged" logged "$f" "smtp starttls discarded=10"
check "twice: the limit is logged" logged "$f" "smtp limit errors=5"
row "TLS: STARTTLS twice, in clear and inside TLS" "$f"

# plain SMTP on the /tls listener: no banner in clear, a tls-fail
GROUP=tlsplain
out=$(python3 "$TLSC" tlsplain "$PORT465" 2>&1)
check "tlsplain: no banner in clear" test "$(grep -c '220 mx' <<< "$out")" -eq 0
check "tlsplain: a tls-fail record" wait_for 5 new_has '^C [0-9.]* none EHLO tlsplain.example'
f=$(grep -l '^C [0-9.]* none EHLO tlsplain.example' "$SPOOL"/new/*)
check_eq "tlsplain: stage hello" "hello" "$(tls_field "$f" stage)"
row "TLS: plain SMTP on a /tls listener" "$f"

check_eq "one worker throughout" "1" "$(worker_pids | wc -l)"
check_no_crash
e2e_done
