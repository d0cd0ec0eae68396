#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# TLS with real clients: STARTTLS on a plain listener (swaks, Python,
# openssl s_client), implicit TLS on a /tls listener (curl smtps://,
# smtplib), a /plain listener that never offers it. AUTH and messages
# after the handshake are captured as in clear, and the tls record holds
# what the client offered: the ciphers list is checked against a
# ClientHello whose ciphers the test chose.
. "$(dirname "$0")/lib.sh"

TLSC="$E2E_DIR/tlsclient.py"
PORT465=$(free_port)
PORT587=$(free_port)
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" \
    -out "$T/cert.pem" -days 2 -subj /CN=mx.e2e.test 2>/dev/null
chmod 600 "$T/key.pem"
write_config "listen = 127.0.0.1:$PORT 127.0.0.1:$PORT465/tls 127.0.0.1:$PORT587/plain" \
    "tls_cert_file = $T/cert.pem" "tls_key_file = $T/key.pem"
check "spampotd -t accepts the TLS set-up" "$SPAMPOTD" -t -c "$CONF"
start_daemon
# the key is root's: the parent read it before dropping privileges
check "the key is readable by root only" test "$(stat -c %a "$T/key.pem")" = 600

# STARTTLS with swaks: EHLO lists it, then AUTH and a message over TLS
out=$(swaks --server "127.0.0.1:$PORT" --tls --ehlo swaks.example \
    --auth LOGIN --auth-user 'dave@example.com' --auth-password 'tls pw' \
    --from sender@example.org --to rcpt@example.net \
    --body 'body over STARTTLS' 2>&1)
check "swaks STARTTLS session succeeds" test $? -eq 0
check "EHLO offers STARTTLS" grep -q '250-STARTTLS' <<< "$out"
check "STARTTLS answered 220 2.0.0 Ready to start TLS" \
    grep -q '220 2.0.0 Ready to start TLS' <<< "$out"
check "message accepted over TLS" grep -q '250 2.0.0 Ok: queued as' <<< "$out"
check "swaks's file is in new/" wait_for 5 new_has 'swaks.example'
f=$(grep -l 'swaks.example' "$SPOOL"/new/*)
check_eq "tls record: version" "TLSv1.3" "$(spool_get "$f" 'r["tls"][0]["version"]')"
check "tls record: a cipher name" grep -Eq '^tls version=TLSv1.3 cipher=TLS_[A-Z0-9_]+ ' "$f"
check_eq "AUTH after STARTTLS captured" "dave@example.com|tls pw" \
    "$(spool_get "$f" '"|".join([r["auth"][0]["user"], r["auth"][0]["pass"]])')"
check_eq "message after STARTTLS captured" "rcpt@example.net" \
    "$(spool_get "$f" '" ".join(r["messages"][0]["to"])')"
check "body captured" grep -q 'body over STARTTLS' "$f"
check "EHLO after the handshake does not offer STARTTLS again" \
    test "$(grep -c '^S [0-9.]* 250-STARTTLS' "$f")" -eq 1
check "log: one line for the handshake" log_has "tls version=TLSv1.3 cipher=TLS_"

# A ClientHello the test chose: TLS 1.2, two ciphers, SNI, ALPN
out=$(python3 "$TLSC" offer "$PORT" 2>&1)
check "Python STARTTLS session" grep -q '221 2.0.0 Bye' <<< "$out"
check "second STARTTLS refused" grep -q '554 5.5.1 Error: TLS already active' <<< "$out"
check "wait for the Python file" wait_for 5 new_has 'again.example'
f=$(grep -l 'again.example' "$SPOOL"/new/*)
# ECDHE-RSA-AES128-GCM-SHA256 (49199), AES256-SHA (53), and the
# renegotiation SCSV (255) OpenSSL adds, in the client's order
check_eq "ciphers as offered" "49199,53,255" "$(spool_get "$f" 'r["tls"][0]["ciphers"]')"
check_eq "negotiated" "TLSv1.2 TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256" \
    "$(spool_get "$f" 'r["tls"][0]["version"] + " " + r["tls"][0]["cipher"]')"
check_eq "sni" "mx.sni.example" "$(spool_get "$f" 'r["tls"][0]["sni"]')"
check_eq "alpns offered" "smtp,h2" "$(spool_get "$f" 'r["tls"][0]["alpns"]')"
check_eq "no alpn selected" "" "$(spool_get "$f" 'r["tls"][0]["alpn"]')"
check_eq "hello_version" "771" "$(spool_get "$f" 'r["tls"][0]["hello_version"]')"
check "extensions in wire order, SNI first" \
    grep -Eq '^tls .* extensions=0,([0-9]+,)*16,([0-9]+,)*13( |,)' "$f"
check_eq "AUTH PLAIN after STARTTLS" "alice|s3cret" \
    "$(spool_get "$f" '"|".join([r["auth"][0]["user"], r["auth"][0]["pass"]])')"
check "the 554 is in the transcript" grep -q '^S [0-9.]* 554 5.5.1 Error: TLS already active' "$f"

# openssl s_client, as the scanners do
out=$(printf 'EHLO sclient.example\r\nQUIT\r\n' | timeout 10 openssl s_client \
    -connect "127.0.0.1:$PORT" -starttls smtp -servername sclient.sni -quiet 2>&1)
check "s_client gets the EHLO list over TLS" grep -q '250 CHUNKING' <<< "$out"

# implicit TLS: curl smtps:// (the banner only after the handshake)
printf 'Subject: curl over 465\r\n\r\ncurl body\r\n' > "$T/mail"
out=$(curl -sv -k --max-time 10 --url "smtps://127.0.0.1:$PORT465" \
    --mail-from curl@example.org --mail-rcpt r465@example.net \
    --user 'erin:curl-pw' --login-options 'AUTH=PLAIN' -T "$T/mail" 2>&1)
check "curl smtps:// succeeds" grep -q '250 2.0.0 Ok: queued' <<< "$out"
check "curl: the banner comes over TLS" grep -q '< 220 mx.e2e.test' <<< "$out"
check "wait for curl's file" wait_for 5 new_has 'curl body'
f=$(grep -l 'curl body' "$SPOOL"/new/*)
check "curl: the handshake before the banner" \
    python3 -c 'import sys; l=open(sys.argv[1],"rb").read().split(b"\n"); t=[i for i,x in enumerate(l) if x.startswith(b"tls ")]; b=[i for i,x in enumerate(l) if x.startswith(b"S ") and b" 220 " in x]; sys.exit(not (t and b and t[0] < b[0]))' "$f"
check_eq "curl: AUTH on 465 captured" "erin|curl-pw" \
    "$(spool_get "$f" '"|".join([r["auth"][0]["user"], r["auth"][0]["pass"]])')"
check_eq "curl: server port 465's" "$PORT465" "$(spool_get "$f" 'r["header"]["server"][1]')"

out=$(python3 "$TLSC" smtps "$PORT465" 2>&1)
check "smtplib SMTP_SSL session" grep -q 'smtps done' <<< "$out"
check "smtplib: no STARTTLS offered on implicit TLS" test "$(grep -c STARTTLS <<< "$out")" -eq 0
check "wait for smtplib's file" wait_for 5 new_has 'implicit body'
f=$(grep -l 'implicit body' "$SPOOL"/new/*)
check_eq "smtplib: AUTH on 465" "carol|implicit-pw" \
    "$(spool_get "$f" '"|".join([r["auth"][0]["user"], r["auth"][0]["pass"]])')"
check "smtplib: tls record" grep -q '^tls version=TLSv1.3 ' "$f"

# a /plain listener: no STARTTLS, 502 as before
out=$(python3 "$TLSC" plain "$PORT587" 2>&1)
check "/plain: EHLO without STARTTLS" test "$(grep -c STARTTLS <<< "$out")" -eq 0
check "/plain: STARTTLS is 502" grep -q '502 5.5.1 Error: command not implemented' <<< "$out"

# spampotd -t: a missing file and a key of another certificate, named
# with the line that set them
cp "$CONF" "$T/bad.conf"
sed -i "s|^tls_cert_file = .*|tls_cert_file = $T/missing.pem|" "$T/bad.conf"
out=$("$SPAMPOTD" -t -c "$T/bad.conf" 2>&1)
check "-t: a missing certificate fails" test $? -eq 1
line=$(grep -n '^tls_cert_file' "$T/bad.conf" | cut -d: -f1)
check_eq "-t: its file and line" \
    "spampotd: $T/bad.conf:$line: tls_cert_file $T/missing.pem: No such file or directory" "$out"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$T/other.pem" 2>/dev/null
cp "$CONF" "$T/bad.conf"
sed -i "s|^tls_key_file = .*|tls_key_file = $T/other.pem|" "$T/bad.conf"
out=$("$SPAMPOTD" -t -c "$T/bad.conf" 2>&1)
check "-t: a key of another certificate fails" test $? -eq 1
check "-t: says so" grep -q "tls_key_file $T/other.pem is not the key of tls_cert_file $T/cert.pem" <<< "$out"

# a reload cannot read a new key: it keeps the running one and says so
set_config tls_key_file "$T/other.pem"
kill -HUP "$DAEMON_PID"
check "reload: the TLS files take effect at a restart" \
    wait_for 5 log_has "reload: 'tls_cert_file' and 'tls_key_file' take effect at a restart"
check "reload: new workers" wait_for 10 ready_workers 4
out=$(swaks --server "127.0.0.1:$PORT" --tls --quit-after EHLO 2>&1)
check "reload: STARTTLS still works with the running key" test $? -eq 0

check_no_crash
e2e_done
