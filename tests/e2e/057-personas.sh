#!/bin/bash
# Personas with real clients: swaks and smtplib log in with CRAM-MD5
# (our challenge; the user and HMAC recorded), smtplib's AUTH without
# EHLO is taken as Postfix takes it, auth_accept's fail-first answers 535
# first, and each persona greets and answers EHLO as its MTA does.
. "$(dirname "$0")/lib.sh"

# A Python client with rawsmtp.py importable; its key=value lines in $out.
py() { out=$(cd "$E2E_DIR" && timeout 60 python3 - "$PORT" "$T" 2>&1); }
got() { sed -n "s/^$1=//p" <<< "$out" | head -n 1; }

write_config "auth_accept = fail-first 1"
start_daemon

out=$(swaks --server "127.0.0.1:$PORT" --ehlo bot.example \
    --auth CRAM-MD5 --auth-user 'carol@example.com' --auth-password 'first' \
    --from a@example.org --to b@example.net 2>&1)
check "CRAM-MD5 offered" grep -q '250-AUTH PLAIN LOGIN CRAM-MD5' <<< "$out"
check "first CRAM-MD5 login refused (fail-first 1)" \
    grep -q '535 5.7.8 Error: authentication failed: authentication failure' <<< "$out"

py <<'PY'
import smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=10)
s.ehlo("bot.example")
# smtplib tries CRAM-MD5 first, then PLAIN after the 535
try:
    s.login("dave", "one")
    print("login=ok")
except smtplib.SMTPAuthenticationError as e:
    print("login=%d" % e.smtp_code)
s.quit()
# AUTH before EHLO, as nmap's smtp-brute sends it
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=10)
print("noehlo=%d" % s.docmd("AUTH", "PLAIN AGVyaW4Ac2VjcmV0")[0])
s.quit()
PY
check_eq "smtplib: logged in with its second mechanism" ok "$(got login)"
check_eq "AUTH without EHLO taken (and refused: fail-first 1)" 535 "$(got noehlo)"
check "CRAM-MD5 user and HMAC recorded, with our challenge" wait_for 5 \
    grep -Eq '^auth mech=CRAM-MD5 status=rejected user=carol@example.com pass=[0-9a-f]{32} authzid=$' -r "$SPOOL/new"
check "the challenge follows it" grep -Eq '^auth-raw <[0-9]+\.[0-9]+@mx\.e2e\.test>$' -r "$SPOOL/new"
check "smtplib's CRAM-MD5 recorded, refused" \
    grep -Eq '^auth mech=CRAM-MD5 status=rejected user=dave pass=[0-9a-f]{32}' -r "$SPOOL/new"
check "then its PLAIN, accepted" grep -q '^auth mech=PLAIN status=ok user=dave pass=one' -r "$SPOOL/new"
check "AUTH before EHLO recorded" grep -q '^auth mech=PLAIN status=rejected user=erin pass=secret' -r "$SPOOL/new"
stop_daemon

for p in "exim-debian|220 mx.e2e.test ESMTP Exim 4.96 |250-mx.e2e.test Hello x.example [127.0.0.1]|250 HELP" \
    "exchange|220 mx.e2e.test Microsoft ESMTP MAIL Service ready at |250-mx.e2e.test Hello [127.0.0.1]|250 SMTPUTF8" \
    "rfc821|220 mx.e2e.test ESMTP Postfix (Debian/GNU)|250-mx.e2e.test|250 8BITMIME"; do
	IFS='|' read -r name greet first last <<< "$p"
	write_config "persona = $name"
	start_daemon
	py <<'PY'
import sys, rawsmtp
c = rawsmtp.Conn(int(sys.argv[1]))
print("greeting=" + c.reply())
c.send(b"EHLO x.example\r\n")
r = c.reply(all_lines=True)
print("first=" + r[0])
print("last=" + r[-1])
c.send(b"QUIT\r\n")
c.close()
PY
	check "$name: greeting" grep -qF "$greet" <<< "$(got greeting)"
	check_eq "$name: EHLO first line" "$first" "$(got first)"
	check_eq "$name: EHLO last line" "$last" "$(got last)"
	stop_daemon
done

# Each persona's own words where the command code once said Postfix's:
# a syntax error, a limit, a refused client, the idle timeout.
for p in "postfix-debian|501 5.5.4 Syntax: RSET|421 4.7.0 mx.e2e.test Error: too many connections from your address|421 4.4.2 mx.e2e.test Error: timeout exceeded" \
    "exim-debian|501 unexpected argument data|421 Too many concurrent SMTP connections from this IP address; please try again later.|421 mx.e2e.test: SMTP command timeout - closing connection" \
    "exchange|501 5.5.4 Invalid arguments|421 4.3.2 The maximum number of concurrent connections has exceeded a limit, closing transmission channel|451 4.7.0 Timeout waiting for client input" \
    "rfc821|501 5.5.4 Syntax: RSET|421 4.7.0 mx.e2e.test Error: too many connections from your address|421 4.4.2 mx.e2e.test Error: timeout exceeded"; do
	IFS='|' read -r name rset busy idle <<< "$p"
	write_config "persona = $name" "max_sessions_per_ip = 1" \
	    "command_timeout = 2s"
	start_daemon
	py <<'PY'
import sys, rawsmtp
port = int(sys.argv[1])
c = rawsmtp.Conn(port)
c.reply()
c.send(b"EHLO x.example\r\n")
c.reply(all_lines=True)
c.send(b"RSET now\r\n")
print("rset=" + c.reply())
d = rawsmtp.Conn(port)
print("busy=" + d.reply())
d.close()
print("idle=" + c.reply(timeout=8))
c.close()
PY
	check_eq "$name: an argument to RSET" "$rset" "$(got rset)"
	check_eq "$name: one session too many from the address" "$busy" "$(got busy)"
	check_eq "$name: the idle timeout" "$idle" "$(got idle)"
	stop_daemon
done

# Exchange's queued reply, in the layout of Microsoft's own transcript.
write_config "persona = exchange"
start_daemon
py <<'PY'
import sys, rawsmtp
c = rawsmtp.Conn(int(sys.argv[1]))
c.reply()
for cmd in (b"EHLO x.example", b"MAIL FROM:<a@x.example>",
            b"RCPT TO:<b@y.example>", b"DATA"):
    c.send(cmd + b"\r\n")
    c.reply(all_lines=True)
c.send(b"Subject: hi\r\n\r\nhi\r\n.\r\n")
print("queued=" + c.reply())
c.close()
PY
check "exchange: queued as Exchange words it" grep -Eqx \
    '250 2\.6\.0 <[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}@mx\.e2e\.test> \[InternalId=[0-9]{14}, Hostname=mx\.e2e\.test\] Queued mail for delivery' \
    <<< "$(got queued)"
stop_daemon
e2e_done
