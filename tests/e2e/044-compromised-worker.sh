#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# A compromised worker against the parent's log relay. The case plays the
# worker: as root it opens the write end of one worker's log pipe
# (/proc/WORKER/fd/N) and writes what code running in that worker could:
# a NUL in the middle of a line, a line of 9000 bytes, priority 0 (EMERG)
# and 1 (ALERT), a line that names the other worker and a session, a
# newline and ANSI/OSC sequences, then a flood in a tight loop. It also
# starts the daemon holding a secret on fd 200. Meanwhile the other worker
# serves real SMTP sessions. Every session's connect and end line must
# reach the log, tagged with the worker that served it; the syslog socket
# (a listener of this case at /dev/log) never sees a priority above
# LOG_ERR; every line the flooding worker sent is tagged with its pid,
# escaped, and what its allowance left out is counted; the parent does not
# spin on the flood.
#
# Then, with TLS: a worker that a client made run code of its choosing
# right after a TLS handshake (a test build's hook, asked for by the SNI)
# still cannot open a file or make a socket: the sandbox kills it, the
# session's tls record is in its spool file, nothing of /etc/passwd
# reaches the log, and the parent starts a new worker.
E2E_SYSLOG=1
. "$(dirname "$0")/lib.sh"

SESSIONS=30
FLOOD_MIN=3	# seconds the flood lasts at least

# result ABUSE [SENT FILES]: this abuse's line for
# tests/e2e/hostile-table.sh (the sessions of the case by default).
result() {
	hostile_result "$1" "${2:-$SESSIONS}" "${3:-$(spool_count new)}"
}

# fd_mode PID FD: 0 read-only, 1 write-only, 2 read-write.
fd_mode() { echo $(( 8#$(awk '$1 == "flags:" { print $2 }' "/proc/$1/fdinfo/$2") & 3 )); }
# fds_of PID LINK: the fds of PID that lead to LINK ("pipe:[123]").
fds_of() {
	local fd
	for fd in /proc/"$1"/fd/*; do
		[ "$(readlink "$fd")" = "$2" ] && echo "${fd##*/}"
	done
}
# The write end of a worker's log pipe: a write-only pipe fd of the
# worker whose read end the parent holds.
log_pipe_fd() {
	local fd link pfd
	for fd in /proc/"$1"/fd/*; do
		fd=${fd##*/}
		link=$(readlink "/proc/$1/fd/$fd")
		case $link in pipe:*) ;; *) continue ;; esac
		[ "$(fd_mode "$1" "$fd")" -eq 1 ] || continue
		for pfd in $(fds_of "$DAEMON_PID" "$link"); do
			[ "$(fd_mode "$DAEMON_PID" "$pfd")" -eq 0 ] &&
				{ echo "$fd"; return 0; }
		done
	done
	return 1
}
# CPU time of a process so far, in clock ticks (utime + stime).
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
in_log() { grep -qF -- "$1" "$LOG"; }
in_log_re() { grep -qE -- "$1" "$LOG"; }
# more workers killed by their filter than N (at each call, for wait_for)
crashes_over() { [ "$(count_lines "crashed: killed by signal 31")" -gt "$1" ]; }
in_syslog_re() { grep -qE -- "$1" "$SYSLOG_OUT"; }

# Started holding a secret on fd 200, as a wrapper script might leave it:
# no worker may read it, nor write to what fds 1 and 2 were (under systemd,
# the journal stream).
write_config
echo "not for a worker" > "$T/secret"
chmod 600 "$T/secret"
exec 200<"$T/secret"
start_daemon
exec 200<&-
read -r W1 W2 <<< "$(worker_pids | xargs)"
check "two workers" test -n "$W1" -a -n "$W2"

GROUP="inherited fds"
held=0
for p in "$DAEMON_PID" "$W1" "$W2"; do
	ls -l "/proc/$p/fd" | grep -qF "$T/secret" && held=$((held + 1))
done
check_eq "no process holds the inherited secret fd" 0 "$held"
for w in "$W1" "$W2"; do
	check_eq "worker $w: fd 1 is /dev/null" /dev/null "$(readlink "/proc/$w/fd/1")"
done
result "compromised worker: read an inherited fd, write to fds 1 and 2" - -
GROUP=setup
fd=$(log_pipe_fd "$W1")
check "worker $W1: its log pipe found (fd ${fd:-none})" test -n "$fd"

# The sessions go to the other worker: the one playing compromised is
# stopped (out of its epoll_wait, so the listener wakes the other one);
# its pipe is written by this case, not by it.
kill -STOP "$W1"

# The compromised worker's writes, then its flood until $T/stop.
( python3 - "/proc/$W1/fd/$fd" "$W2" "$T/stop" "$T/flooding" \
    > "$T/writer.out" 2>&1 <<'PY'
import os, sys, time
path, w2, stop, flooding = sys.argv[1:5]
fd = os.open(path, os.O_WRONLY)
os.write(fd, b"6nul-head-marker\0")
os.write(fd, b"6after-nul-marker\n")
os.write(fd, b"6" + b"L" * 9000 + b"\n6after-long-marker\n")
os.write(fd, b"0forged-emerg-marker\n")
os.write(fd, b"1forged-alert-marker\n")
os.write(fd, ("6worker %s ready: 1 listeners\n" % w2).encode())
os.write(fd, b"6forged0123456789abcdef smtp end reason=quit msgs=0 "
    b"duration=0.001 spool=forged-spool\n")
os.write(fd, b"6ansi-marker \x1b[2J\x1b]52;c;Zm9yZ2Vk\x07 end\n"
    b"kernel: FORGED second line\n")
time.sleep(0.5)		# those lines come before the flood's
chunk = b"".join(b"6flood %08d\n" % i for i in range(4000))
sent, t0 = 0, time.monotonic()
open(flooding, "w").close()
while not os.path.exists(stop) and time.monotonic() - t0 < 30:
    sent += os.write(fd, chunk)
print("sent=%d" % sent)
PY
) &
writer=$!
check "the flood started" wait_for 10 test -f "$T/flooding"
ticks0=$(cpu_ticks "$DAEMON_PID")
t0=$(date +%s%N)
flood0=$(count_lines "spampotd\[$W1\]: flood ")

# Real sessions on the other worker, meanwhile.
(cd "$E2E_DIR" && timeout 60 python3 - "$PORT" "$SESSIONS" > "$T/sessions.out" 2>&1 <<'PY'
import smtplib, sys
port, n = int(sys.argv[1]), int(sys.argv[2])
ok = 0
for i in range(n):
    s = smtplib.SMTP("127.0.0.1", port, timeout=20)
    s.ehlo("client%d.example" % i)
    s.sendmail("a@example.org", ["b%d@example.com" % i],
        "Subject: %d\r\n\r\nbody %d\r\n" % (i, i))
    s.quit()
    ok += 1
print("ok=%d" % ok)
PY
)
check_eq "every session was served" "ok=$SESSIONS" "$(cat "$T/sessions.out")"
while [ $(( ($(date +%s%N) - t0) / 1000000000 )) -lt "$FLOOD_MIN" ]; do
	sleep 0.2
done
ticks1=$(cpu_ticks "$DAEMON_PID")
t1=$(date +%s%N)
flood1=$(count_lines "spampotd\[$W1\]: flood ")
touch "$T/stop"
wait "$writer"
kill -CONT "$W1"
check "the flood wrote" grep -q '^sent=[1-9]' "$T/writer.out" ||
	sed 's/^/# writer: /' "$T/writer.out"
check "every session is one file" wait_for 10 spool_count_is new "$SESSIONS"
check "the drop count is logged" wait_for 5 in_log_re "spampotd\[$DAEMON_PID\]: warning: worker $W1: [0-9]+ log lines dropped"
sleep 0.5

GROUP="log relay: NUL in a line"
check "a NUL ends a line: the line before it" in_log "spampotd[$W1]: nul-head-marker"
check "a NUL ends a line: the line after it" in_log "spampotd[$W1]: after-nul-marker"
check "a line longer than 8 KiB is dropped" test "$(grep -c LLLLLLLL "$LOG")" -eq 0
check "the line after it is not" in_log "spampotd[$W1]: after-long-marker"
missing=0
for f in $(spool_files new); do
	name=${f##*/}
	grep -qE " smtp connect .* spool=$name\$" "$LOG" &&
	    grep -qE " smtp end .* spool=$name\$" "$LOG" ||
	    missing=$((missing + 1))
done
check_eq "every session's connect and end line" 0 "$missing"
missing=0
for f in $(spool_files new); do
	name=${f##*/}
	grep -qE "spampotd\[$W2\]: [0-9a-f]+ smtp connect .* spool=$name\$" "$LOG" &&
	    grep -qE "spampotd\[$W2\]: [0-9a-f]+ smtp end .* spool=$name\$" "$LOG" ||
	    missing=$((missing + 1))
done
check_eq "every session's connect and end line, tagged with its worker" 0 "$missing"
result "log relay: a NUL in a line, other workers' sessions"

GROUP="log relay: EMERG"
bad=$(sed -n 's/^<\([0-9]*\)>.*/\1/p' "$SYSLOG_OUT" | awk '$1 % 8 < 3 { n++ } END { print n + 0 }')
check_eq "syslog: no datagram above LOG_ERR" 0 "$bad"
check "syslog: the datagrams were read" test "$(grep -c '^<' "$SYSLOG_OUT")" -gt "$((2 * SESSIONS))"
# mail (2 << 3) | err (3) = 19
check "syslog: EMERG sent as mail.err" in_syslog_re "^<19>.* spampotd\[$W1\]: forged-emerg-marker\$"
check "syslog: ALERT sent as mail.err" in_syslog_re "^<19>.* spampotd\[$W1\]: forged-alert-marker\$"
result "log relay: priority 0 (EMERG), 1 (ALERT)"

GROUP="log relay: forged worker"
check "a line naming the other worker is tagged with the sender" \
    in_log "spampotd[$W1]: worker $W2 ready"
check "the other worker's own line is tagged with it" \
    in_log "spampotd[$W2]: worker $W2 ready"
check "a forged session line is tagged with the sender" \
    in_log "spampotd[$W1]: forged0123456789abcdef smtp end"
check "a line after a newline is tagged with the sender" \
    in_syslog_re "^<[0-9]+>.* spampotd\[$W1\]: kernel: FORGED second line\$"
check_eq "log: no ESC byte" 0 "$(grep -c $'\e' "$LOG")"
check_eq "log: no BEL byte" 0 "$(grep -c $'\a' "$LOG")"
check "log: the ANSI and OSC sequences escaped" \
    in_log 'spampotd['"$W1"']: ansi-marker \x1b[2J\x1b]52;c;Zm9yZ2Vk\x07 end'
# syslog.py writes a raw ESC as \x1b, the escaped text as \\x1b
check_eq "syslog: no raw ESC" 0 "$(grep -cP '(?<!\\)\\x(1b|07)' "$SYSLOG_OUT")"
check "syslog: the sequences escaped" grep -qF \
    'ansi-marker \\x1b[2J\\x1b]52;c;Zm9yZ2Vk\\x07 end' "$SYSLOG_OUT"
result "log relay: forged worker and session, newline, ANSI/OSC"

GROUP="log relay: flood"
check_eq "no drop counted for the worker that did not flood" 0 \
    "$(count_lines "worker $W2: .* log lines dropped")"
# 20,000 lines a second, bursts of 40,000 (supervise.c), and two turns
# of slack (a turn's lines reach the log at its end)
relayed=$((flood1 - flood0))
check "flood lines relayed at most at the worker's rate ($relayed in $(( (t1 - t0) / 1000000 )) ms)" \
    test "$relayed" -le "$(( (t1 - t0) / 1000000 * 20 + 40000 + 10000 ))"
hz=$(getconf CLK_TCK)
cpu_pct=$(( (ticks1 - ticks0) * 100 * 1000000000 / hz / (t1 - t0) ))
echo "# parent CPU over the flood: ${cpu_pct}% of $(( (t1 - t0) / 1000000 )) ms"
check "the parent does not spin on the flood (${cpu_pct}% CPU, under 60%)" \
    test "$cpu_pct" -lt 60
result "log relay: a tight write loop from one worker"

GROUP=after
check "both workers still run" test -d "/proc/$W1" -a -d "/proc/$W2"
stop_daemon TERM
check_eq "SIGTERM: exit status 0" 0 "$DAEMON_RC"
check_no_crash

if built_with SPAMPOT_TEST_HOOKS; then
	GROUP="sandbox after a TLS handshake"
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" \
	    -out "$T/cert.pem" -days 2 -subj /CN=mx.e2e.test 2>/dev/null
	write_config "tls_cert_file = $T/cert.pem" "tls_key_file = $T/key.pem"
	start_daemon
	for hook in open socket; do
		killed=$(count_lines "crashed: killed by signal 31")
		ready=$(count_lines "ready: ")
		printf 'QUIT\r\n' | timeout 10 openssl s_client -quiet \
		    -connect "127.0.0.1:$PORT" -starttls smtp \
		    -servername "spampot-test-hook-$hook" > "$T/hook-$hook.out" 2>&1
		check "$hook: the hook ran after the handshake" \
		    wait_for 5 in_log "test hook $hook after the TLS handshake"
		check "$hook: the worker killed by its filter (SIGSYS)" \
		    wait_for 5 crashes_over "$killed"
		check_eq "$hook: never allowed" 0 "$(count_lines "test hook $hook: allowed")"
		check "$hook: the session's file, with its tls record" wait_for 10 \
		    new_has "^tls version=TLSv1.3 .* sni=spampot-test-hook-$hook "
		check "$hook: a new worker serves" wait_for 10 ready_workers "$((ready + 1))"
	done
	check_eq "nothing of /etc/passwd in the log" 0 "$(grep -c 'root:x:0:0' "$LOG")"
	stop_daemon TERM
	result "sandbox: open and socket after a TLS handshake" 2 \
	    "$(grep -l 'sni=spampot-test-hook-' $(spool_files new) /dev/null | wc -l)"
fi
e2e_done
