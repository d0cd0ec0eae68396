#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# swaks, a real SMTP client: EHLO, PIPELINING, AUTH LOGIN and AUTH PLAIN.
# Each session is one spool file holding the credentials as decoded and the
# message byte for byte.
. "$(dirname "$0")/lib.sh"

write_config
start_daemon

printf 'Subject: swaks test\nFrom: <spammer@example.org>\n\nHello from swaks.\n.dot line\n8bit: caf\xc3\xa9\n' > "$T/msg"
# What swaks sends: LF becomes CRLF, and it adds one more CRLF at the end.
python3 -c 'import sys; d=open(sys.argv[1],"rb").read().replace(b"\n", b"\r\n"); sys.stdout.buffer.write(d + b"\r\n")' "$T/msg" > "$T/expected"

out=$(swaks --server "127.0.0.1:$PORT" --ehlo bot.example --pipeline \
    --auth LOGIN --auth-user 'alice@example.com' --auth-password 'p@ss word' \
    --from spammer@example.org --to victim1@example.net,victim2@example.com \
    --data @"$T/msg" 2>&1)
check "swaks LOGIN session succeeds" test $? -eq 0
check "EHLO advertises PIPELINING" grep -q '250-PIPELINING' <<< "$out"
check "EHLO advertises AUTH PLAIN LOGIN" grep -q '250-AUTH PLAIN LOGIN' <<< "$out"
check "EHLO advertises SIZE" grep -q '250-SIZE 10240000' <<< "$out"
check "EHLO advertises 8BITMIME" grep -q '250-8BITMIME' <<< "$out"
check "EHLO ends with CHUNKING, as Postfix's" grep -q '250 CHUNKING' <<< "$out"
check "AUTH accepted" grep -q '235 2.7.0 Authentication successful' <<< "$out"
check "queued like an MTA" grep -Eq '250 2.0.0 Ok: queued as [0-9A-F]{10}' <<< "$out"

out=$(swaks --server "127.0.0.1:$PORT" --auth PLAIN --auth-user bob \
    --auth-password 'hunter2' --from '<>' --to root@localhost 2>&1)
check "swaks PLAIN session succeeds" test $? -eq 0

check "two sessions, two files" wait_for 5 spool_count_is new 2
login=$(grep -l 'mech=LOGIN' "$SPOOL"/new/*)
plain=$(grep -l 'mech=PLAIN' "$SPOOL"/new/*)

check_eq "LOGIN credentials decoded" "alice@example.com|p@ss word|ok" \
    "$(spool_get "$login" '"|".join([r["auth"][0]["user"], r["auth"][0]["pass"], r["auth"][0]["status"]])')"
check_eq "PLAIN credentials decoded" "bob|hunter2" \
    "$(spool_get "$plain" '"|".join([r["auth"][0]["user"], r["auth"][0]["pass"]])')"
check_eq "HELO name recorded" "EHLO bot.example" \
    "$(spool_get "$login" 'r["helo"][0]["verb"] + " " + r["helo"][0]["name"]')"
check_eq "envelope sender" "spammer@example.org" "$(spool_get "$login" 'r["messages"][0]["from"]')"
check_eq "envelope recipients" "victim1@example.net victim2@example.com" \
    "$(spool_get "$login" '" ".join(r["messages"][0]["to"])')"
check_eq "null sender kept" "" "$(spool_get "$plain" 'r["messages"][0]["from"]')"
spool_body "$login" 1 > "$T/got"
check "body byte for byte (dot-unstuffed, 8-bit kept)" cmp -s "$T/expected" "$T/got"
check_eq "client address" "127.0.0.1" "$(spool_get "$login" 'r["header"]["client"][0]')"
check_eq "server port" "$PORT" "$(spool_get "$login" 'r["header"]["server"][1]')"
check_eq "sensor name" "e2e" "$(spool_get "$login" 'r["header"]["sensor"]')"
check_eq "end reason quit" "quit" "$(spool_get "$login" 'r["end"]["reason"]')"
check "transcript has the pipelined MAIL" grep -q '^C [0-9.]* crlf MAIL FROM:<spammer@example.org>' "$login"
check "log: session end line with spool name" log_has "smtp end reason=quit msgs=1 duration=.* spool=$(basename "$login")"
check "log: auth line without the password" log_has "smtp auth mech=LOGIN status=ok user=alice@example.com$"
check "log never shows a password" test "$(grep -c 'hunter2\|p@ss' "$LOG")" -eq 0
check_no_crash
e2e_done
