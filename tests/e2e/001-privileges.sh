#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# The daemon started as root binds, drops to "spampot" for good and runs
# sandboxed workers: checked in /proc, in the spool tree and in the log.
# A syslog socket is there (/dev/log, in this case's own mount namespace),
# and the daemon is started holding a secret file on fd 200, as a wrapper
# script might leave it: neither the parent nor a worker may keep either.
E2E_SYSLOG=1
. "$(dirname "$0")/lib.sh"

write_config
echo "not for a worker" > "$T/secret"
chmod 600 "$T/secret"
exec 200<"$T/secret"
start_daemon
exec 200<&-

uid=$(id -u spampot)
status_field() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }
policy() { chrt -p "$1" | sed -n 's/.*scheduling policy: //p'; }

check_eq "parent runs as spampot" "$uid" "$(status_field "$DAEMON_PID" Uid)"
check_eq "parent holds no capability" "0000000000000000" "$(status_field "$DAEMON_PID" CapEff)"
check_eq "parent has an empty bounding set" "0000000000000000" "$(status_field "$DAEMON_PID" CapBnd)"
check_eq "parent has no_new_privs" "1" "$(status_field "$DAEMON_PID" NoNewPrivs)"
check_eq "parent: scheduling policy SCHED_OTHER" SCHED_OTHER "$(policy "$DAEMON_PID")"
check_eq "two workers" "2" "$(worker_pids | wc -l)"
check "parent: does not hold the inherited fd 200" test ! -e "/proc/$DAEMON_PID/fd/200"
check_eq "parent: no fd on the secret file" 0 \
    "$(ls -l /proc/$DAEMON_PID/fd | grep -cF "$T/secret")"
check_eq "parent: its listener and the syslog socket" 2 \
    "$(ls -l /proc/$DAEMON_PID/fd | grep -c 'socket:')"
check "syslog: the daemon's lines reached /dev/log" syslog_has "spampotd[$DAEMON_PID]: listening on"
# on_syslog PID: how many of its sockets are connected to /dev/log's
syslog_ino=$(readlink /proc/"$SYSLOG_PID"/fd/* | sed -n 's/^socket:\[\(.*\)\]$/\1/p')
on_syslog() { ss -xpn | grep -F "pid=$1," | awk -v i="$syslog_ino" '$8 == i' | wc -l; }
check_eq "parent: connected to /dev/log (ss -xp)" 1 "$(on_syslog "$DAEMON_PID")"
# a sanitizer build keeps a worker's stderr for its reports (supervise.c)
stderr_fd=2
built_with SPAMPOT_SANITIZERS && stderr_fd=
for w in $(worker_pids); do
	check_eq "worker $w: uid spampot (real, effective, saved)" \
	    "$uid $uid $uid $uid" "$(awk '$1 == "Uid:" { print $2, $3, $4, $5 }' /proc/$w/status)"
	check_eq "worker $w: CapEff 0" "0000000000000000" "$(status_field "$w" CapEff)"
	check_eq "worker $w: seccomp filter mode" "2" "$(status_field "$w" Seccomp)"
	check_eq "worker $w: no_new_privs" "1" "$(status_field "$w" NoNewPrivs)"
	check "worker $w: no socket but its listener" test \
	    "$(ls -l /proc/$w/fd | grep -c 'socket:')" -eq 1
	check_eq "worker $w: not connected to /dev/log (ss -xp)" 0 "$(on_syslog "$w")"
	check "worker $w: does not hold the inherited fd 200" \
	    test ! -e "/proc/$w/fd/200"
	check_eq "worker $w: no fd on the secret file" 0 \
	    "$(ls -l /proc/$w/fd | grep -cF "$T/secret")"
	# its log pipe's write end and the lifeline's read end, no other
	# (not another worker's log pipe)
	check_eq "worker $w: two pipes" 2 "$(ls -l /proc/$w/fd | grep -c 'pipe:')"
	for fd in 0 1 $stderr_fd; do
		check_eq "worker $w: fd $fd is /dev/null" /dev/null \
		    "$(readlink "/proc/$w/fd/$fd")"
	done
	check "worker $w: its lines are tagged with its pid" \
	    log_has "spampotd\[$w\]: worker $w ready"
	check_eq "worker $w: RLIMIT_NPROC 0" "0 0" \
	    "$(awk '/^Max processes/ { print $3, $4 }' /proc/$w/limits)"
	check_eq "worker $w: no core dumps (RLIMIT_CORE 0)" "0 0" \
	    "$(awk '/^Max core file size/ { print $5, $6 }' /proc/$w/limits)"
	# a process that is not dumpable has its /proc files owned by root
	check_eq "worker $w: not dumpable" root "$(stat -c %U /proc/$w/status)"
	# a client's next line does not preempt what runs (worker.c)
	check_eq "worker $w: scheduling policy SCHED_BATCH" SCHED_BATCH "$(policy "$w")"
done

for step in "capability bounding set cleared" "supplementary groups set" \
    "privdrop: gid" "privdrop: uid $uid (spampot)" "all capabilities cleared" \
    "no_new_privs set" "verified, root cannot be regained"; do
	check "log: $step" log_has "$step"
done
check "log: listening line" log_has "listening on 127.0.0.1:$PORT"
check_eq "log: a spawn line per worker" 2 "$(count_lines 'spawned')"
check "log: sandbox line" log_has "sandbox: seccomp allow-list"

mode() { stat -c '%a %U' "$1"; }
check_eq "spool top 0750" "750 spampot" "$(mode "$SPOOL")"
check_eq "spool/tmp 2700" "2700 spampot" "$(mode "$SPOOL/tmp")"
check_eq "spool/new 2770" "2770 spampot" "$(mode "$SPOOL/new")"
check_eq "spool/done 2770" "2770 spampot" "$(mode "$SPOOL/done")"
check_eq "spool/bad 2770" "2770 spampot" "$(mode "$SPOOL/bad")"
# each worker creates its files in a directory of its own, and its sandbox
# lets it write there and in new/, nowhere else
for w in $(worker_pids); do
	check_eq "worker $w: spool/tmp/$w 2700" "2700 spampot" "$(mode "$SPOOL/tmp/$w")"
	check "worker $w: sandbox line names its directory" \
	    log_has "spool/tmp/$w and spool/new only"
done

swaks --server "127.0.0.1:$PORT" --to a@example.com --from b@example.org \
    --silent 2 >/dev/null
check "a session became one file" wait_for 5 spool_count_is new 1
f=$(spool_files new)
check_eq "spool file mode 0640, owned by spampot" "640 spampot" "$(mode "$f")"

stop_daemon TERM
check_eq "SIGTERM: exit status 0" 0 "$DAEMON_RC"
check "log: stopped" log_has "stopped"
check_no_crash

# Started under SCHED_BATCH, as the systemd unit starts it (its system
# call filter forbids changing the policy): the workers keep it, and say
# nothing of it.
printf '#!/bin/sh\nexec chrt -b 0 %s "$@"\n' "$SPAMPOTD" > "$T/spampotd-batch"
chmod 755 "$T/spampotd-batch"
: > "$LOG"	# start_daemon counts the workers' "ready" lines
SPAMPOTD=$T/spampotd-batch start_daemon
check_eq "started SCHED_BATCH: two workers" 2 "$(worker_pids | wc -l)"
check_eq "started SCHED_BATCH: parent" SCHED_BATCH "$(policy "$DAEMON_PID")"
for w in $(worker_pids); do
	check_eq "started SCHED_BATCH: worker $w" SCHED_BATCH "$(policy "$w")"
done
check_eq "log: no scheduling warning" 0 "$(count_lines 'SCHED_BATCH')"
stop_daemon TERM
check_eq "SIGTERM: exit status 0" 0 "$DAEMON_RC"
check_no_crash
e2e_done
