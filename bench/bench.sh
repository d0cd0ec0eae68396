#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# bench.sh: spampot's benchmarks (make bench). Every figure is set beside a
# reference measured in the same run on the same machine, the runs
# interleaved (reference, spampot, reference, spampot, ...), at least three
# of each; the table gives the median with the min and max. Only loopback
# addresses; every run bounded in time. Needs root (spampotd binds and
# drops to its user, the private MariaDB runs as mysql) and, the first
# time, Debian's package archive (bench/postfix.sh).
#
#   ingest    smtp-source against smtp-sink (in memory), smtp-sink -d (a
#             file per message) and spampotd (2 workers, spool_fsync = no),
#             all on one tmpfs; 1 KiB and 100 KiB, 1, 10, 100 in parallel;
#             a run is four parts of each, in both orders; the CPU time
#             of the server's processes beside the rate
#   disk      spampotd's spool on the real filesystem against the
#             filesystem's own create/write/rename rate (bench/fsrate.c),
#             spool_fsync = no and yes
#   idle      10,000 connections from 127.0.x.y that send EHLO and sit:
#             RSS of every spampotd process, a normal session meanwhile;
#             smtp-sink holding the same
#   analyzer  a backlog of 20,000 realistic spool files imported into
#             MariaDB (innodb_flush_log_at_trx_commit = 1), with campaigns,
#             archives, libmagic and 100 YARA rules (bench/yara-rules.py)
#             on; the reference is the same rows loaded as a plain
#             multi-row INSERT script
#   campaigns the same backlog imported into a database of 1,000,000
#             messages in 50,000 campaigns (contrib/fill-db.py) beside the
#             same import into an empty one; the time to load the
#             campaign index at start and the analyzer's RSS
#   writers   1, 2, 4 and 8 analyzers at once, each a sensor with its own
#             spool of 4,000 files and its own account, into one MariaDB
#             over TCP with TLS (the server on one core, the analyzers on
#             the other): files/s in all against one writer's, the
#             deadlock and retry lines of their logs, every file in once,
#             the running totals as sql/rollups-rebuild.sql makes them
#   latency   QUIT to rows visible in MySQL with an idle analyzer, 200
#             sessions a run; the reference is one INSERT + COMMIT
#   memory    RSS of each worker at rest and after 100,000 sessions;
#             smtp-sink's beside it
#   tls       STARTTLS sessions a second (greeting, EHLO, STARTTLS,
#             handshake, EHLO, QUIT; bench/tlsload.c, 50 at a time)
#             against a private real Postfix smtpd with TLS, same key;
#             10,000 sessions held after STARTTLS: RSS and PSS of all
#             spampotd processes
#
# Environment: BENCH_ONLY="ingest idle ..." (default: all but ab),
# BENCH_RUNS (5; at least 3), BENCH_SCALE (multiplies message and file
# counts; 1); BENCH_WRITERS ("1 2 4 8"), BENCH_WRITERS_FILES (4000 a
# spool) and BENCH_WRITERS_TIMEOUT (300 s a measurement): the writers
# section; BENCH_CAMPAIGN_MESSAGES (1000000) and BENCH_CAMPAIGNS
# (50000): the database the campaigns section fills; BENCH_ONLY=ab
# BENCH_OLD=DIR: the spampotd of the build in DIR beside this one's
# (bench_ab).
# Results: build/bench/results.tsv and results.json, the table on stdout
# and in build/bench/results.md.

set -u
BENCH_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SPAMPOT_SRCDIR=${SPAMPOT_SRCDIR:-$(cd "$BENCH_SRC/.." && pwd)}
SPAMPOT_BUILDDIR=${SPAMPOT_BUILDDIR:-$SPAMPOT_SRCDIR}
export SPAMPOT_SRCDIR SPAMPOT_BUILDDIR
OUT="$SPAMPOT_BUILDDIR/build/bench"
# five runs by default: on two shared cores the median of three moves
RUNS=${BENCH_RUNS:-5}
[ "$RUNS" -ge 3 ] 2>/dev/null || RUNS=3
SCALE=${BENCH_SCALE:-1}
SECTIONS=${BENCH_ONLY:-ingest disk idle analyzer campaigns writers latency memory tls}
IDLE_CONNS=${BENCH_IDLE_CONNS:-10000}
ANALYZER_FILES=$((20000 * SCALE))
[ "$ANALYZER_FILES" -ge 1000 ] || ANALYZER_FILES=1000
CAMPAIGN_MESSAGES=${BENCH_CAMPAIGN_MESSAGES:-1000000}
CAMPAIGN_COUNT=${BENCH_CAMPAIGNS:-50000}
YARA_RULES=100

mkdir -p "$OUT" || exit 1
RAW="$OUT/raw.tsv"
: > "$RAW"

# The end-to-end helpers: a private temporary directory, spampotd started
# the way the tests start it, a private MariaDB; all stopped on exit.
# shellcheck source=/dev/null
. "$SPAMPOT_SRCDIR/tests/e2e/lib.sh"
# shellcheck source=/dev/null
. "$SPAMPOT_SRCDIR/tests/e2e/db.sh"

mapfile -t PF < <("$BENCH_SRC/postfix.sh" "$OUT/postfix")
[ "${#PF[@]}" -eq 2 ] || exit 1
PF_SBIN=${PF[0]} PF_LIBS=${PF[1]}
SMTP_SOURCE="$PF_SBIN/smtp-source"
SMTP_SINK="$PF_SBIN/smtp-sink"
FSRATE="$OUT/fsrate"
${CC:-cc} -O2 -o "$FSRATE" "$BENCH_SRC/fsrate.c" || exit 1

TLSLOAD="$OUT/tlsload"
${CC:-cc} -O2 -o "$TLSLOAD" "$BENCH_SRC/tlsload.c" -lssl -lcrypto || exit 1
ulimit -n "$(ulimit -Hn)"
SHM="$T/shm"
mkdir -p "$SHM" && mount -t tmpfs -o size=8g,mode=755 bench "$SHM" || exit 1
SINK_PID=
AB_OLD_PID=
bench_cleanup() {
	[ -n "$SINK_PID" ] && kill "$SINK_PID" 2>/dev/null
	[ -n "$AB_OLD_PID" ] && kill "$AB_OLD_PID" 2>/dev/null
	[ -n "$PF_PID" ] && kill "$PF_PID" 2>/dev/null
	[ -n "$PF_DIR" ] && rm -rf "$PF_DIR"
	mountpoint -q "$SHM" && umount -l "$SHM"
}
trap 'bench_cleanup; stop_analyzer KILL; db_cleanup; e2e_cleanup' EXIT

now_ns() { date +%s%N; }
# rec SECTION CASE METRIC RUN VALUE: one measurement.
rec() { printf '%s\t%s\t%s\t%s\t%s\n' "$@" >> "$RAW"; }
say() { echo "# $*" >&2; }
rate() { awk -v n="$1" -v ns="$2" 'BEGIN { printf "%.1f", n / (ns / 1e9) }'; }
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }

# --- the servers ---------------------------------------------------------

# sink_start [-d DIR] [-m MAX]: smtp-sink on its own port, as user nobody.
sink_start() {
	local dump= max=2000
	while [ $# -gt 0 ]; do
		case $1 in
		-d) dump=$2; shift 2 ;;
		-m) max=$2; shift 2 ;;
		esac
	done
	SINK_PORT=$(free_port)
	LD_LIBRARY_PATH="$PF_LIBS" "$SMTP_SINK" -u nobody -m "$max" \
	    ${dump:+-d "$dump/m."} "127.0.0.1:$SINK_PORT" 4096 \
	    >> "$T/sink.log" 2>&1 &
	SINK_PID=$!
	wait_for 10 python3 -c "import socket; socket.create_connection(('127.0.0.1', $SINK_PORT), 1).close()" ||
		{ echo "smtp-sink did not start" >&2; exit 1; }
}
sink_stop() {
	[ -n "$SINK_PID" ] || return 0
	kill "$SINK_PID" 2>/dev/null
	wait "$SINK_PID" 2>/dev/null
	SINK_PID=
}

# spampot_start SPOOL [KEY = VALUE...]: spampotd, 2 workers, on $PORT.
spampot_start() {
	local spool=$1
	shift
	SPOOL=$spool
	write_config "workers = 2" "max_sessions_per_ip = 1000" \
	    "spool_fsync = no" "$@"
	: > "$LOG"
	start_daemon
}
spampot_stop() { [ -n "$DAEMON_PID" ] && stop_daemon; }

# source_run PORT SIZE PARALLEL COUNT: smtp-source, one session per
# message; prints the nanoseconds it took, or nothing when it failed.
source_run() {
	local t0 t1
	t0=$(now_ns)
	if ! LD_LIBRARY_PATH="$PF_LIBS" timeout 300 "$SMTP_SOURCE" -s "$3" \
	    -m "$4" -l "$2" -M bench.test -f sender@client.bench.test \
	    -t rcpt@sink.bench.test "127.0.0.1:$1" >> "$T/source.log" 2>&1; then
		echo "smtp-source to port $1 failed: $(tail -n 1 "$T/source.log")" >&2
		return 1
	fi
	t1=$(now_ns)
	echo $((t1 - t0))
}

files_in() { find "$1" -type f | wc -l; }
clear_dir() { find "$1" -type f -delete; }

# --- ingest: software ----------------------------------------------------

# cpu_ticks PID...: the user and system clock ticks the processes used.
cpu_ticks() {
	local p f s=0
	for p in "$@"; do
		f=$(cut -d' ' -f14,15 "/proc/$p/stat" 2>/dev/null) || continue
		s=$((s + ${f% *} + ${f#* }))
	done
	echo "$s"
}
CLK_TCK=$(getconf CLK_TCK)
# context_switches: how many the whole machine has made since it booted.
context_switches() { awk '$1 == "ctxt" { print $2 }' /proc/stat; }

# A measurement of the ingest sections is the sum of its parts: the
# messages, nanoseconds, the server's CPU clock ticks and the machine's
# context switches of each part, by target.
declare -A PART_N PART_NS PART_TICKS PART_SWITCHES PART_FAILED
parts_reset() { PART_N=() PART_NS=() PART_TICKS=() PART_SWITCHES=() PART_FAILED=(); }

# ingest_part TARGET PORT SIZE PAR COUNT PIDS [DIR]: one part, checked:
# every message accepted and, with DIR, one file each (then removed).
# Beside the time, the CPU time the server's processes (PIDS) used: it
# moves less than the rate with what else runs on the machine.
ingest_part() {
	local target=$1 port=$2 size=$3 par=$4 n=$5 pids=$6 dir=${7:-} ns got c0 c1 x0 x1
	# shellcheck disable=SC2086 # a list of pids
	c0=$(cpu_ticks $pids)
	x0=$(context_switches)
	ns=$(source_run "$port" "$size" "$par" "$n") || { PART_FAILED[$target]=1; return; }
	x1=$(context_switches)
	# shellcheck disable=SC2086
	c1=$(cpu_ticks $pids)
	if [ -n "$dir" ]; then
		got=$(files_in "$dir")
		[ "$got" -eq "$n" ] || say "$target, $size bytes × $par: $got files for $n messages"
		clear_dir "$dir"
	fi
	PART_N[$target]=$((${PART_N[$target]:-0} + n))
	PART_NS[$target]=$((${PART_NS[$target]:-0} + ns))
	PART_TICKS[$target]=$((${PART_TICKS[$target]:-0} + c1 - c0))
	PART_SWITCHES[$target]=$((${PART_SWITCHES[$target]:-0} + x1 - x0))
}

# ingest_record SECTION CASE RUN TARGET: the measurement its parts make:
# messages a second, the server's CPU microseconds and the machine's
# context switches a message.
ingest_record() {
	local sec=$1 case=$2 run=$3 target=$4 n=${PART_N[$4]:-0}
	if [ -n "${PART_FAILED[$target]:-}" ] || [ "$n" -eq 0 ]; then
		rec "$sec" "$case" "$target" "$run" fail
		return
	fi
	rec "$sec" "$case" "$target" "$run" "$(rate "$n" "${PART_NS[$target]}")"
	rec "$sec" "$case" "$target.cpu_us" "$run" \
	    "$(awk -v t="${PART_TICKS[$target]}" -v hz="$CLK_TCK" -v n="$n" 'BEGIN { printf "%.1f", t * 1e6 / hz / n }')"
	rec "$sec" "$case" "$target.switches" "$run" \
	    "$(awk -v x="${PART_SWITCHES[$target]}" -v n="$n" 'BEGIN { printf "%.2f", x / n }')"
}

# ingest_one SECTION CASE RUN TARGET PORT SIZE PAR COUNT PIDS [DIR]: a
# measurement of one part.
ingest_one() {
	local sec=$1 case=$2 run=$3 target=$4
	shift 4
	parts_reset
	ingest_part "$target" "$@"
	ingest_record "$sec" "$case" "$run" "$target"
}

# A run of the ingest section is INGEST_PARTS parts of each server, a
# quarter of its messages each. A part goes smtp-sink, spampotd (a),
# smtp-sink -d, spampotd (b), the next the other way round: each spampotd
# measurement is paired with the reference next to it, neither side always
# comes first, and a drift of the shared machine within a run falls on
# both sides alike.
INGEST_PARTS=4

# ingest_turn BACKWARDS SIZE PAR COUNT: a part of each of the four (the
# servers' ports and pids are bench_ingest's).
ingest_turn() {
	local order=(sink spampot.a sink-d spampot.b) i target
	[ "$1" = 1 ] && order=(spampot.b sink-d spampot.a sink)
	for i in 0 1 2 3; do
		target=${order[$i]}
		case $target in
		sink) ingest_part sink "$mem_port" "$2" "$3" "$4" "$mem_pid" ;;
		sink-d) ingest_part sink-d "$dump_port" "$2" "$3" "$4" "$dump_pid" "$SHM/sink-d" ;;
		spampot.*) ingest_part "$target" "$PORT" "$2" "$3" "$4" "$pids" "$SHM/spool/new" ;;
		esac
	done
}

bench_ingest() {
	local size par n run part target case sizes="1024 102400" pars="1 10 100"
	say "ingest: smtp-sink, smtp-sink -d, spampotd on tmpfs, $RUNS runs"
	mkdir -p "$SHM/sink-d" "$SHM/sink-m"
	chown nobody "$SHM/sink-d" "$SHM/sink-m"
	sink_start; local mem_pid=$SINK_PID mem_port=$SINK_PORT
	SINK_PID=
	sink_start -d "$SHM/sink-d"; local dump_pid=$SINK_PID dump_port=$SINK_PORT
	SINK_PID=
	spampot_start "$SHM/spool"
	# the parent and its workers (none is replaced during the section)
	local pids
	pids="$DAEMON_PID $(pgrep -d ' ' -P "$DAEMON_PID")"
	for size in $sizes; do
		for par in $pars; do
			case=$((size / 1024))k-x$par
			# two seconds or more a measurement (its parts
			# together): shorter ones move with every pause of
			# the shared cores
			if [ "$size" -eq 1024 ]; then
				n=$((par == 1 ? 3000 : 12000))
			else
				n=$((par == 1 ? 1000 : 3000))
			fi
			n=$((n * SCALE / INGEST_PARTS))
			for run in $(seq "$RUNS"); do
				parts_reset
				for part in $(seq "$INGEST_PARTS"); do
					ingest_turn "$((part % 2 == 0))" "$size" "$par" "$n"
				done
				for target in sink spampot.a sink-d spampot.b; do
					ingest_record ingest "$case" "$run" "$target"
				done
			done
			say "ingest $case done"
		done
	done
	local timeouts
	timeouts=$(count_lines 'reason=timeout')
	[ "$timeouts" -eq 0 ] || say "ingest: $timeouts sessions ended by a timeout"
	spampot_stop
	kill "$mem_pid" "$dump_pid" 2>/dev/null
	wait "$mem_pid" "$dump_pid" 2>/dev/null
	clear_dir "$SHM"
}

# --- ingest: the disk ----------------------------------------------------

# spampotd against the filesystem's own rate for the same files
# (bench/fsrate.c: two processes creating, writing and renaming 1 KiB
# files, in one tmp/ and, beside it, each in a directory of its own as
# spampotd's workers do) and against smtp-sink -d writing into the same
# filesystem. All in the spool's directories, tmp/ and new/ (smtp-sink's
# files in spool/sink), while spampotd runs idle between its turns. A run
# is DISK_CHUNKS turns of each, in an order that rotates from turn to
# turn, and each turn's files are deleted after it (as the analyzer does
# with spool_keep = no), so that all meet the filesystem in the same state:
# without a journal, ext4 skips every inode freed in the last minutes when
# it allocates one (a look-up each), so how fast files are created depends
# on what was deleted just before, and the state drifts.

# disk_turn SIDE COUNT FSYNC: one turn; adds its nanoseconds to
# DISK_NS[SIDE] and checks that COUNT files arrived.
disk_turn() {
	local side=$1 n=$2 t0 t1 got dir="$SPOOL/new"
	t0=$(now_ns)
	case $side in
	fs) "$FSRATE" "$SPOOL" "$n" 2 1024 "$3" > /dev/null ;;
	fs-dirs) "$FSRATE" -d "$SPOOL" "$n" 2 1024 "$3" > /dev/null ;;
	sink-d) source_run "$SINK_PORT" 1024 10 "$n" > /dev/null
		dir="$SPOOL/sink" ;;
	spampot) source_run "$PORT" 1024 10 "$n" > /dev/null ;;
	esac || DISK_FAILED=1
	t1=$(now_ns)
	DISK_NS[$side]=$((DISK_NS[$side] + t1 - t0))
	got=$(files_in "$dir")
	[ "$got" -eq "$n" ] || { say "disk $side: $got files for $n"; DISK_FAILED=1; }
	clear_dir "$dir"
}

# disk_run RUN COUNT FSYNC SUFFIX SIDE...: one run, spampotd (and
# smtp-sink, when a side) started; a figure per side.
disk_run() {
	local run=$1 n=$2 fsync=$3 suffix=$4 chunk i j side
	shift 4
	local sides=("$@")
	declare -gA DISK_NS=()
	DISK_FAILED=0
	chunk=$((n / DISK_CHUNKS))
	sync -f "$T"
	for i in $(seq "$DISK_CHUNKS"); do
		for j in "${!sides[@]}"; do
			side=${sides[$(((i + run + j) % ${#sides[@]}))]}
			disk_turn "$side" "$chunk" "$fsync"
		done
	done
	for side in "${sides[@]}"; do
		if [ "$DISK_FAILED" -eq 0 ]; then
			rec disk 1k-x10 "$side$suffix" "$run" \
			    "$(rate $((chunk * DISK_CHUNKS)) "${DISK_NS[$side]}")"
		else
			rec disk 1k-x10 "$side$suffix" "$run" fail
		fi
	done
}

# disk_warm COUNT: before the first run, the spool's filesystem is brought
# to the state of a sensor under load, whose analyzer deletes files as
# fast as they arrive: COUNT files created, written, renamed and deleted
# in the spool by bench/fsrate.c, in DISK_WARM_TURNS turns, the rate of
# the first and of the last recorded. Without a journal, ext4 passes over
# every inode freed in the last minutes when it allocates one: a
# filesystem that has deleted nothing lately creates files several times
# faster than SMTP brings them here (a run would then measure the SMTP
# exchange, which is the ingest section's subject, not the disk), and
# what ran on the machine in the minutes before (the tests, another
# benchmark) would decide which state the runs meet.
DISK_WARM_TURNS=8
disk_warm() {
	local i r n=$(($1 / DISK_WARM_TURNS))
	for i in $(seq "$DISK_WARM_TURNS"); do
		r=$(timeout 300 "$FSRATE" "$SPOOL" "$n" 2 1024 0) ||
			{ echo "disk warm-up failed" >&2; exit 1; }
		clear_dir "$SPOOL/new"
		case $i in
		1) rec disk 1k-x10 warm-first 1 "$r" ;;
		"$DISK_WARM_TURNS") rec disk 1k-x10 warm-last 1 "$r" ;;
		esac
	done
}

bench_disk() {
	local run n=$((3000 * SCALE)) nf=$((600 * SCALE))
	DISK_CHUNKS=6
	say "disk: spool on $(df -T "$T" | awk 'NR == 2 { print $2 }') against the filesystem's own rate, $RUNS runs"
	for run in $(seq "$RUNS"); do
		spampot_start "$T/disk"
		[ "$run" -gt 1 ] || disk_warm $((40000 * SCALE))
		mkdir -p "$SPOOL/sink"
		chown nobody "$SPOOL/sink"
		chmod 755 "$SPOOL"
		sink_start -d "$SPOOL/sink"
		disk_run "$run" "$n" 0 "" fs fs-dirs sink-d spampot
		sink_stop
		spampot_stop
		spampot_start "$T/disk" "spool_fsync = yes"
		disk_run "$run" "$nf" 1 -fsync fs fs-dirs spampot
		spampot_stop
		say "disk run $run: $(grep -c "^disk" "$RAW") measurements"
	done
	rm -rf "$T/disk/tmp/fsrate-"*
}

# --- idle connections ----------------------------------------------------

# idle_rec RUN TARGET JSON
idle_rec() {
	local k
	for k in greeted held rss_rest_kib rss_held_kib unloaded_ms loaded_ms; do
		rec idle "${IDLE_CONNS}-idle" "$2.$k" "$1" \
		    "$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$3" "$k")"
	done
}

bench_idle() {
	local run j
	say "idle: $IDLE_CONNS connections held by smtp-sink and by spampotd, $RUNS runs"
	for run in $(seq "$RUNS"); do
		sink_start -m $((IDLE_CONNS + 100))
		j=$(timeout 300 python3 "$BENCH_SRC/clients.py" idle "$SINK_PORT" "$IDLE_CONNS" 30 "$SINK_PID") &&
			idle_rec "$run" sink "$j"
		sink_stop
		spampot_start "$SHM/spool"
		j=$(timeout 300 python3 "$BENCH_SRC/clients.py" idle "$PORT" "$IDLE_CONNS" 30 "$DAEMON_PID") &&
			idle_rec "$run" spampot "$j"
		spampot_stop
		clear_dir "$SHM/spool"
		say "idle run $run: $j"
	done
}

# --- the analyzer --------------------------------------------------------

# Every table the analyzer writes, in the order their foreign keys need.
DB_TABLES="sessions transcripts auth_attempts messages recipients urls attachments attachment_members yara_matches patterns message_patterns session_patterns kind_hours value_hours value_totals pattern_hours campaigns campaign_clients campaign_sensors campaign_domains"
# A server set up as a packaged one would be, commits flushed to disk.
DB_OPTIONS=(--user=mysql --datadir="$DB_DATA" --tmpdir="$DB_DIR/tmp" --skip-name-resolve
	--innodb-buffer-pool-size=512M --innodb-log-file-size=256M
	--innodb-flush-log-at-trx-commit=1)

db_truncate() {
	local t sql="SET FOREIGN_KEY_CHECKS = 0;"
	for t in $DB_TABLES; do sql="$sql TRUNCATE TABLE $t;"; done
	db_query "$sql SET FOREIGN_KEY_CHECKS = 1;"
}

db_ready() {
	[ -n "$DB_PID" ] && return 0
	db_start >&2 && db_setup >&2 || exit 1
}

# The spool files: the test messages and messages with archives attached
# (bench/archive-mail.py, from tests/data/inspect) sent through spampotd,
# then copied under fresh names into AN/new.
analyzer_backlog() {
	local an=$1 j mail="$T/mail"
	mkdir -p "$mail"
	cp "$SPAMPOT_SRCDIR"/tests/data/mail/*.eml "$mail/" || exit 1
	python3 "$BENCH_SRC/archive-mail.py" "$SPAMPOT_SRCDIR/tests/data/inspect" \
	    "$mail" || exit 1
	spampot_start "$an"
	j=$(timeout 120 python3 "$BENCH_SRC/clients.py" send "$PORT" \
	    "$mail" 64) || exit 1
	spampot_stop
	mkdir -p "$T/base"
	find "$an/new" -type f -exec mv -t "$T/base" {} +
	python3 "$BENCH_SRC/spoolgen.py" "$T/base" "$an/new" "$ANALYZER_FILES" || exit 1
	find "$an/new" -type f -exec chown spampot:spampot {} +
	say "analyzer: $ANALYZER_FILES spool files from $j ($(find "$mail" -name '*.eml' | wc -l) messages, $(find "$mail" -name 'archive-*.eml' | wc -l) with archives)"
}

# analyzer_prepare: once, the backlog in $T/an and the YARA rules; each
# time, the analyzer's config: spool, database, every feature on
# (campaigns, archives and libmagic are on by default), the rules.
AN_DIR=
analyzer_prepare() {
	db_ready
	if [ -z "$AN_DIR" ]; then
		AN_DIR="$T/an"
		python3 "$BENCH_SRC/yara-rules.py" "$T/yara" "$YARA_RULES" || exit 1
		chmod -R a+rX "$T/yara"
		analyzer_backlog "$AN_DIR"
	fi
	SPOOL=$AN_DIR write_config "campaigns = yes" "yara_rules_dir = $T/yara"
	cat "$DB_CONF" >> "$CONF"
}

# analyzer_import CONF: import new/ with --once (at most 15 minutes), RSS
# and the log sampled every 0.1 s; sets AN_N (files imported), AN_NS, AN_LOADED_NS (start to
# the line "campaigns: N loaded"; empty without it), the RSS samples (KiB)
# in $T/analyzer.rss.
analyzer_import() {
	local conf=$1 t0 t1 pid
	: > "$ANALYZER_LOG"
	: > "$T/analyzer.rss"
	AN_LOADED_NS=
	t0=$(now_ns)
	"$SPAMPOT_ANALYZER" -f --once -c "$conf" >> "$ANALYZER_LOG" 2>&1 &
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		# bounded: 15 minutes
		if [ $(($(now_ns) - t0)) -gt 900000000000 ]; then
			say "analyzer: --once still running after 900 s, killed"
			kill "$pid"
		fi
		if [ -z "$AN_LOADED_NS" ] &&
		    grep -q 'campaigns: [0-9]* loaded' "$ANALYZER_LOG"; then
			AN_LOADED_NS=$(($(now_ns) - t0))
		fi
		rss_kib "$pid" >> "$T/analyzer.rss"
		sleep 0.1
	done
	wait "$pid"
	t1=$(now_ns)
	AN_NS=$((t1 - t0))
	AN_N=$(grep -c '] imported \|: imported ' "$ANALYZER_LOG")
	if [ "$AN_N" -ne "$ANALYZER_FILES" ]; then
		say "analyzer: $AN_N files imported of $ANALYZER_FILES: $(grep -v imported "$ANALYZER_LOG" | tail -n 2)"
		return 1
	fi
}

# analyzer_once RUN: import new/ with --once, RSS sampled; files/s.
analyzer_once() {
	local run=$1
	analyzer_import "$CONF" || return 1
	[ -n "$run" ] || return 0
	rec analyzer "${ANALYZER_FILES}-files" spampot "$run" "$(rate "$AN_N" "$AN_NS")"
	# The largest RSS of the first half of the backlog and of the second:
	# memory that grows with the files shows as the second above the
	# first; malloc's ups and downs from batch to batch do not
	awk '{ r[NR] = $1 } END { h = int(NR / 2); a = 0; b = 0;
	    for (i = 1; i <= NR; i++)
		if (i <= h) { if (r[i] > a) a = r[i] } else if (r[i] > b) b = r[i];
	    print a, b }' "$T/analyzer.rss" | {
		read -r early late
		rec analyzer "${ANALYZER_FILES}-files" rss_early_kib "$run" "$early"
		rec analyzer "${ANALYZER_FILES}-files" rss_late_kib "$run" "$late"
	}
}

analyzer_reset() {
	db_truncate
	find "$1/done" -type f -exec mv -t "$1/new" {} +
}

# analyzer_counts: the rows of each table the analyzer writes.
analyzer_counts() {
	local t sql=
	for t in $DB_TABLES; do
		sql="$sql${sql:+ UNION ALL }SELECT '$t', COUNT(*) FROM $t"
	done
	db_query "$sql" | awk '{ printf "%s%s %s", (NR > 1 ? ", " : ""), $1, $2 }'
}

bench_analyzer() {
	local an run t0 t1
	say "analyzer: $ANALYZER_FILES files into MariaDB (flush at commit), campaigns, archives, libmagic and $YARA_RULES YARA rules on, $RUNS runs"
	analyzer_prepare
	an=$AN_DIR
	db_truncate
	# warm-up, and the rows for the reference script
	analyzer_once "" || return 1
	say "analyzer: rows: $(analyzer_counts)"
	# the rows as multi-row INSERTs, tables in the order their foreign
	# keys need, without the dump's settings (no checks turned off); not
	# strict, so that the values of generated columns are recomputed
	{
		echo "SET SESSION sql_mode = 'NO_ENGINE_SUBSTITUTION';"
		# shellcheck disable=SC2086
		mariadb-dump --no-defaults --socket="$DB_SOCKET" -u root \
		    --compact --hex-blob --no-create-info --skip-triggers \
		    --skip-add-locks --skip-disable-keys "$DB_NAME" $DB_TABLES |
			grep -v '^/\*!'
	} > "$T/ref.sql"
	say "analyzer: reference script of $(wc -c < "$T/ref.sql") bytes, $(grep -c '^INSERT' "$T/ref.sql") INSERT statements"
	for run in $(seq "$RUNS"); do
		db_query "DROP DATABASE IF EXISTS bench_ref; CREATE DATABASE bench_ref"
		mariadb --no-defaults --socket="$DB_SOCKET" -u root \
		    bench_ref < "$SPAMPOT_SRCDIR/sql/schema.sql"
		t0=$(now_ns)
		mariadb --no-defaults --socket="$DB_SOCKET" -u root \
		    --default-character-set=utf8mb4 bench_ref < "$T/ref.sql" ||
			say "analyzer: the reference script failed"
		t1=$(now_ns)
		rec analyzer "${ANALYZER_FILES}-files" insert-script "$run" \
		    "$(rate "$ANALYZER_FILES" $((t1 - t0)))"
		analyzer_reset "$an"
		analyzer_once "$run"
		say "analyzer run $run: $(grep "^analyzer	[^	]*	[a-z_-]*	$run	" "$RAW" | cut -f3,5 | tr '\n\t' '  ')"
	done
	db_query "DROP DATABASE IF EXISTS bench_ref"
	analyzer_reset "$an"
}

# --- writers: many analyzers into one database over TCP with TLS ---------

# 1, 2, 4 and 8 analyzers at once, each a sensor of its own (its `sensor`,
# its spool of WRITERS_FILES files from bench/spoolgen.py with a seed of
# its own, its database account that must come over TLS), all writing into
# the one private MariaDB over TCP with TLS on 127.0.0.1, as the analyzers
# of many sensors write into a central server. The server is pinned to
# one core and the analyzers to the other (taskset): the database may use
# one core. A measurement is files/s in all, from the first analyzer's
# start to the last file out of new/ in every spool; beside it the lines
# of each analyzer's log that tell of a deadlock or lock wait and of a
# retry (the database "unavailable" and the files taken again, or a batch
# committed at a later try), and the checks: every file imported once
# (sessions per sensor = files, nothing left in new/ or in bad/) and the
# running totals what sql/rollups-rebuild.sql computes from the rows.
WRITERS_FILES=${BENCH_WRITERS_FILES:-$((4000 * SCALE))}
WRITERS_COUNTS=${BENCH_WRITERS:-1 2 4 8}
WRITERS_MAX=8
WRITERS_TIMEOUT=${BENCH_WRITERS_TIMEOUT:-300}
WRITERS_DB_CPU=1
WRITERS_AN_CPU=0
WR_DIR=

# writers_prepare: the server with TCP and TLS, pinned; for each of the
# WRITERS_MAX sensors its account, spool and config.
writers_prepare() {
	local i base=$T/wbase
	[ -n "$WR_DIR" ] && return 0
	WR_DIR=$T/writers
	if [ -n "$DB_PID" ]; then
		db_stop || exit 1
	fi
	db_tls_certs "$T/wtls" bench || exit 1
	WR_PORT=$(free_port)
	DB_NETWORK=(--port="$WR_PORT" --bind-address=127.0.0.1
		--ssl-cert="$T/wtls/db.pem" --ssl-key="$T/wtls/db.key"
		--ssl-ca="$T/wtls/ca.pem" --max-connections=200)
	db_start >&2 || exit 1
	db_setup >&2 || exit 1
	taskset -a -p -c "$WRITERS_DB_CPU" "$DB_PID" > /dev/null ||
		say "writers: mariadbd could not be pinned"
	# the spool files the analyzer section copies, or made the same way
	[ -d "$T/base" ] || ANALYZER_FILES=64 analyzer_backlog "$T/wan" >&2
	mkdir -p "$WR_DIR"
	for i in $(seq "$WRITERS_MAX"); do
		db_run_setup --database "$DB_NAME" --user "sensor$i" \
		    --host 127.0.0.1 --require-tls \
		    --password-file "$T/sensor$i.password" \
		    --password-group "$DB_ANALYZER" ||
			{ cat "$T/dbsetup.out" >&2; exit 1; }
		mkdir -p "$WR_DIR/$i/new" "$WR_DIR/$i/done" "$WR_DIR/$i/bad" \
		    "$WR_DIR/$i/tmp"
		python3 "$BENCH_SRC/spoolgen.py" "$T/base" "$WR_DIR/$i/new" \
		    "$WRITERS_FILES" $((100 + i)) "sensor$i" || exit 1
		SPOOL=$WR_DIR/$i CONF=$WR_DIR/$i.conf write_config \
		    "sensor = sensor$i" "campaigns = yes" \
		    "mysql_host = 127.0.0.1:$WR_PORT" \
		    "mysql_tls_ca = $T/wtls/ca.pem" \
		    "mysql_database = $DB_NAME" "mysql_user = sensor$i" \
		    "mysql_password_file = $T/sensor$i.password"
	done
	chown -R spampot:spampot "$WR_DIR"
	# as spampotd makes its spool: the analyzer moves files in group spampot
	find "$WR_DIR" -mindepth 1 -type d -exec chmod 0770 {} +
	chmod 0755 "$WR_DIR"
	say "writers: $WRITERS_MAX sensors of $WRITERS_FILES spool files each, MariaDB on CPU $WRITERS_DB_CPU over TCP+TLS port $WR_PORT, analyzers on CPU $WRITERS_AN_CPU"
}

# writers_left N: files still in the new/ of the first N spools.
writers_left() {
	local i s=0
	for i in $(seq "$1"); do
		s=$((s + $(find "$WR_DIR/$i/new" -type f | wc -l)))
	done
	echo "$s"
}

# writers_run RUN N: one measurement with N analyzers at once.
writers_run() {
	local run=$1 n=$2 i t0 t1 pids=() dl=0 rt=0 bad=0 lost=0 doubled=0 ok=1 c
	db_truncate
	for i in $(seq "$WRITERS_MAX"); do
		find "$WR_DIR/$i/done" -type f -exec mv -t "$WR_DIR/$i/new" {} +
		: > "$WR_DIR/$i.log"
	done
	t0=$(now_ns)
	for i in $(seq "$n"); do
		taskset -c "$WRITERS_AN_CPU" "$SPAMPOT_ANALYZER" -f \
		    -c "$WR_DIR/$i.conf" >> "$WR_DIR/$i.log" 2>&1 &
		pids+=($!)
	done
	# bounded: WRITERS_TIMEOUT seconds
	while [ "$(writers_left "$n")" -gt 0 ]; do
		if [ $(($(now_ns) - t0)) -gt $((WRITERS_TIMEOUT * 1000000000)) ]; then
			say "writers: $n analyzers still at work after $WRITERS_TIMEOUT s: $(tail -n 3 "$WR_DIR/1.log")"
			ok=0
			break
		fi
		sleep 0.05
	done
	t1=$(now_ns)
	kill -TERM "${pids[@]}" 2>/dev/null
	wait "${pids[@]}" 2>/dev/null
	for i in $(seq "$n"); do
		dl=$((dl + $(grep -ciE 'deadlock|lock wait|\(1213\)|\(1205\)' "$WR_DIR/$i.log")))
		rt=$((rt + $(grep -ciE 'database unavailable|retrying|at the [0-9]+(st|nd|rd|th) try' "$WR_DIR/$i.log")))
		bad=$((bad + $(find "$WR_DIR/$i/bad" -type f 2>/dev/null | wc -l)))
		c=$(db_scalar "SELECT COUNT(*) FROM sessions WHERE sensor = 'sensor$i'")
		[ "$c" -lt "$WRITERS_FILES" ] && lost=$((lost + WRITERS_FILES - c))
		[ "$c" -gt "$WRITERS_FILES" ] && doubled=$((doubled + c - WRITERS_FILES))
	done
	c=$(db_scalar "SELECT COUNT(*) - COUNT(DISTINCT spool_name) FROM sessions")
	doubled=$((doubled + c))
	lost=$((lost + $(writers_left "$n")))
	db_totals > "$T/wkept.tsv"
	db_query "$(cat "$SPAMPOT_SRCDIR/sql/rollups-rebuild.sql")"
	db_totals > "$T/wrebuilt.tsv"
	local totals=1
	if ! cmp -s "$T/wkept.tsv" "$T/wrebuilt.tsv"; then
		totals=0
		say "writers run $run, $n: totals differ from the rebuild: $(diff "$T/wrebuilt.tsv" "$T/wkept.tsv" | grep -c '^[<>]') lines"
		cp "$T/wkept.tsv" "$OUT/writers-$n-$run.kept.tsv"
		cp "$T/wrebuilt.tsv" "$OUT/writers-$n-$run.rebuilt.tsv"
	fi
	for i in $(seq "$n"); do
		cp "$WR_DIR/$i.log" "$OUT/writers-$n-$run-$i.log"
	done
	[ "$lost" -eq 0 ] && [ "$doubled" -eq 0 ] && [ "$bad" -eq 0 ] || ok=0
	if [ "$ok" = 1 ]; then
		rec writers "x$n" files_s "$run" "$(rate $((n * WRITERS_FILES)) $((t1 - t0)))"
	else
		rec writers "x$n" files_s "$run" fail
	fi
	rec writers "x$n" deadlocks "$run" "$dl"
	rec writers "x$n" retries "$run" "$rt"
	rec writers "x$n" totals_ok "$run" "$totals"
	rec writers "x$n" lost "$run" "$lost"
	rec writers "x$n" doubled "$run" "$doubled"
	rec writers "x$n" bad "$run" "$bad"
	say "writers run $run, $n analyzers: $(rate $((n * WRITERS_FILES)) $((t1 - t0))) files/s, $dl deadlock lines, $rt retry lines, totals $([ $totals = 1 ] && echo same || echo DIFFER), lost $lost, doubled $doubled, bad $bad"
}

bench_writers() {
	local run n
	say "writers: ${WRITERS_COUNTS// /, } analyzers of $WRITERS_FILES files each into one MariaDB over TCP with TLS, $RUNS runs"
	writers_prepare
	rec writers setup files_each 1 "$WRITERS_FILES"
	rec writers setup db_cpus 1 1
	for run in $(seq "$RUNS"); do
		# the counts in an order that turns from run to run
		for n in $(echo "$WRITERS_COUNTS" | tr ' ' '\n' |
		    awk -v r="$run" '{ a[NR] = $0 } END { for (i = 0; i < NR; i++) print a[(i + r - 1) % NR + 1] }'); do
			writers_run "$run" "$n"
		done
	done
	db_truncate
}

# --- campaigns: import speed on a large database -------------------------

# The database of CAMPAIGN_MESSAGES messages in CAMPAIGN_COUNT campaigns
# (contrib/fill-db.py), beside the analyzer's, which stays empty; the
# analyzer's user gets the rights spampot-dbsetup gives it on its own.
BIG_DB=spampot_big
campaigns_fill() {
	local host t0 t1
	db_query "DROP DATABASE IF EXISTS $BIG_DB; CREATE DATABASE $BIG_DB CHARACTER SET utf8mb4 COLLATE utf8mb4_bin" || return 1
	mariadb --no-defaults --socket="$DB_SOCKET" -u root "$BIG_DB" \
	    < "$SPAMPOT_SRCDIR/sql/schema.sql" || return 1
	host=$(db_query "SELECT Host FROM mysql.user WHERE User = '$DB_USER' LIMIT 1")
	db_query "GRANT SELECT, INSERT, UPDATE, DELETE ON \`$BIG_DB\`.* TO '$DB_USER'@'$host'" || return 1
	t0=$(now_ns)
	timeout 1800 python3 "$SPAMPOT_SRCDIR/contrib/fill-db.py" \
	    --socket "$DB_SOCKET" --database "$BIG_DB" \
	    --messages "$CAMPAIGN_MESSAGES" --campaigns "$CAMPAIGN_COUNT" \
	    >> "$T/fill.log" 2>&1 ||
		{ say "campaigns: fill-db.py failed: $(tail -n 3 "$T/fill.log")"; return 1; }
	t1=$(now_ns)
	rec campaigns fill seconds 1 $(((t1 - t0) / 1000000000))
	say "campaigns: $BIG_DB filled in $(((t1 - t0) / 1000000000)) s: $(grep 'generated' "$T/fill.log")"
}

# campaigns_undo: the backlog's rows out of the large database again, so
# that every run meets the same one: its sessions (the rest cascades) and
# the campaigns its messages made. The counters it raised (patterns, the
# report's totals) stay: a few rows more in millions.
campaigns_undo() {
	timeout 600 mariadb --no-defaults --socket="$DB_SOCKET" -u root "$BIG_DB" <<EOF
DELETE FROM campaigns WHERE rep_message_id > $BIG_MAX_MSG;
DELETE FROM campaign_clients WHERE campaign_id NOT IN (SELECT id FROM campaigns);
DELETE FROM campaign_sensors WHERE campaign_id NOT IN (SELECT id FROM campaigns);
DELETE FROM campaign_domains WHERE campaign_id NOT IN (SELECT id FROM campaigns);
DELETE FROM sessions WHERE id > $BIG_MAX_SESSION;
EOF
}

# campaigns_run RUN SIDE CONF: one import of the backlog: its rate from
# the start and from the campaign index loaded, the time from start to
# the index loaded, the largest RSS.
campaigns_run() {
	local run=$1 side=$2 conf=$3
	find "$AN_DIR/done" -type f -exec mv -t "$AN_DIR/new" {} +
	if ! analyzer_import "$conf"; then
		rec campaigns import "$side" "$run" fail
		return 1
	fi
	rec campaigns import "$side" "$run" "$(rate "$AN_N" "$AN_NS")"
	# the import itself: from the index loaded (the start's one-off
	# cost, which grows with the database, is the row beside it)
	[ -n "$AN_LOADED_NS" ] &&
		rec campaigns import "$side.loaded_ms" "$run" $((AN_LOADED_NS / 1000000)) &&
		rec campaigns import "$side.after_load" "$run" \
		    "$(rate "$AN_N" $((AN_NS - AN_LOADED_NS)))"
	rec campaigns import "$side.rss_kib" "$run" \
	    "$(awk '$1 > m { m = $1 } END { print m + 0 }' "$T/analyzer.rss")"
	say "campaigns run $run, $side: $(rate "$AN_N" "$AN_NS") files/s ($(rate "$AN_N" $((AN_NS - ${AN_LOADED_NS:-0}))) once loaded), $(grep -o 'campaigns: [0-9]* loaded' "$ANALYZER_LOG" | head -n 1) after $((${AN_LOADED_NS:-0} / 1000000)) ms, RSS $(awk '$1 > m { m = $1 } END { print m + 0 }' "$T/analyzer.rss") KiB"
}

bench_campaigns() {
	local run big_conf="$T/big.conf"
	say "campaigns: $ANALYZER_FILES files into an empty database and into one of $CAMPAIGN_MESSAGES messages in $CAMPAIGN_COUNT campaigns, $RUNS runs"
	analyzer_prepare
	campaigns_fill || return 1
	BIG_MAX_SESSION=$(db_query "SELECT COALESCE(MAX(id), 0) FROM $BIG_DB.sessions")
	BIG_MAX_MSG=$(db_query "SELECT COALESCE(MAX(id), 0) FROM $BIG_DB.messages")
	rec campaigns import campaigns 1 "$(db_query "SELECT COUNT(*) FROM $BIG_DB.campaigns")"
	rec campaigns import messages 1 "$(db_query "SELECT COUNT(*) FROM $BIG_DB.messages")"
	sed "s/^mysql_database = .*/mysql_database = $BIG_DB/" "$CONF" > "$big_conf"
	chmod 644 "$big_conf"
	for run in $(seq "$RUNS"); do
		db_truncate
		# neither side always first
		if [ $((run % 2)) = 1 ]; then
			campaigns_run "$run" empty "$CONF"
			campaigns_run "$run" large "$big_conf"
		else
			campaigns_run "$run" large "$big_conf"
			campaigns_run "$run" empty "$CONF"
		fi
		campaigns_undo || say "campaigns: the backlog's rows could not be taken out of $BIG_DB"
	done
	db_truncate
	db_query "DROP DATABASE IF EXISTS $BIG_DB"
	find "$AN_DIR/done" -type f -exec mv -t "$AN_DIR/new" {} +
}

# --- latency -------------------------------------------------------------

bench_latency() {
	local run j k lat="$T/lat"
	say "latency: QUIT to rows in MySQL, 200 sessions a run, $RUNS runs"
	db_ready
	db_truncate
	spampot_start "$lat" "spool_fsync = yes"
	cat "$DB_CONF" >> "$CONF"
	: > "$ANALYZER_LOG"
	start_analyzer
	for run in $(seq "$RUNS"); do
		j=$(timeout 300 python3 "$BENCH_SRC/clients.py" latency "$PORT" \
		    200 20 "$SPAMPOT_SRCDIR/tests/data/mail/html.eml" \
		    "$DB_SOCKET" "$DB_NAME") || continue
		for k in median_ms p99_ms floor_ms missed; do
			rec latency 200-sessions "$k" "$run" \
			    "$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$j" "$k")"
		done
		say "latency run $run: $j"
	done
	stop_analyzer
	spampot_stop
}

# --- memory --------------------------------------------------------------

worker_rss() {
	local w
	for w in $(worker_pids); do rss_kib "$w"; done |
		awk '{ if ($1 > m) m = $1 } END { print m }'
}

bench_memory() {
	local run chunk=$((100000 * SCALE / RUNS)) sink_pid sink_port
	say "memory: RSS per worker at rest and after $((chunk * RUNS)) sessions, smtp-sink beside"
	sink_start
	sink_pid=$SINK_PID sink_port=$SINK_PORT
	SINK_PID=
	spampot_start "$SHM/spool"
	sleep 1
	rec memory sessions sink.rss_rest_kib 0 "$(rss_kib "$sink_pid")"
	rec memory sessions spampot.rss_rest_kib 0 "$(worker_rss)"
	for run in $(seq "$RUNS"); do
		source_run "$sink_port" 1024 10 "$chunk" > /dev/null
		rec memory sessions sink.rss_kib "$run" "$(rss_kib "$sink_pid")"
		source_run "$PORT" 1024 10 "$chunk" > /dev/null
		sleep 0.5
		rec memory sessions spampot.rss_kib "$run" "$(worker_rss)"
		clear_dir "$SHM/spool/new"
		: > "$LOG"
	done
	rec memory sessions sessions "$RUNS" $((chunk * RUNS))
	spampot_stop
	kill "$sink_pid"
	wait "$sink_pid" 2>/dev/null
	clear_dir "$SHM"
}

# --- ab: another build beside this one -----------------------------------

# BENCH_ONLY=ab BENCH_OLD=DIR: what a change to the sensor buys. The
# spampotd of the build in DIR (DIR/src/spampotd), this build's and
# smtp-sink -d take turns in an order that rotates, 2 × RUNS turns of
# 12,000 messages of 1 KiB, ten in parallel, on one tmpfs (with
# BENCH_AB_DISK=1 on the real filesystem, 3,000 a turn), each measured as
# the ingest section measures: the rate, the server's CPU time and the
# machine's context switches a message.
bench_ab() {
	local old=${BENCH_OLD:-} dir=$SHM/ab n=$((12000 * SCALE)) turn i side
	local new_pids old_pids conf=$CONF log=$LOG port=$PORT
	if [ ! -x "$old/src/spampotd" ]; then
		echo "bench.sh: ab needs BENCH_OLD=DIR, a build with src/spampotd" >&2
		exit 2
	fi
	if [ "${BENCH_AB_DISK:-0}" = 1 ]; then
		dir=$T/ab
		n=$((3000 * SCALE))
	fi
	say "ab: $old/src/spampotd, this build's and smtp-sink -d, $((2 * RUNS)) turns"
	mkdir -p "$dir"
	# the old build's daemon, started as this one's, on a port of its own
	CONF=$T/old.conf LOG=$T/old.log PORT=$(free_port)
	SPAMPOTD=$old/src/spampotd spampot_start "$dir/old"
	AB_OLD_PID=$DAEMON_PID
	local old_port=$PORT
	old_pids="$DAEMON_PID $(pgrep -d ' ' -P "$DAEMON_PID")"
	CONF=$conf LOG=$log PORT=$port
	spampot_start "$dir/new"
	new_pids="$DAEMON_PID $(pgrep -d ' ' -P "$DAEMON_PID")"
	mkdir -p "$dir/sink"
	chown nobody "$dir/sink"
	sink_start -d "$dir/sink"
	local sides=(new old sink-d)
	for turn in $(seq $((2 * RUNS))); do
		for i in 0 1 2; do
			side=${sides[$(((turn + i) % 3))]}
			case $side in
			new) ingest_one ab 1k-x10 "$turn" new "$PORT" 1024 10 "$n" "$new_pids" "$dir/new/new" ;;
			old) ingest_one ab 1k-x10 "$turn" old "$old_port" 1024 10 "$n" "$old_pids" "$dir/old/new" ;;
			sink-d) ingest_one ab 1k-x10 "$turn" sink-d "$SINK_PORT" 1024 10 "$n" "$SINK_PID" "$dir/sink" ;;
			esac
		done
	done
	sink_stop
	spampot_stop
	kill "$AB_OLD_PID"
	wait "$AB_OLD_PID" 2>/dev/null
	AB_OLD_PID=
	rm -rf "$dir"
}

# --- the machine and the table -------------------------------------------

# --- tls: STARTTLS against a real Postfix, 10,000 TLS sessions held ------

TLS_SESSIONS=$((3000 * SCALE))
TLS_CONC=50
PF_PID=
PF_DIR=

# pf_tls_start DIR: Postfix's own master and smtpd, from the package
# bench/postfix.sh unpacked, with a private configuration, queue and
# log in DIR, TLS with the certificate spampotd has, on 127.0.0.1:PF_PORT.
# Never the machine's Postfix, port 25 or mail system. Settings that
# would make smtpd wait for what a test machine lacks (reverse DNS,
# aliases) are off; smtpd runs up to 100 processes, as by default.
pf_tls_start() {
	local d=$1 root=${PF_SBIN%/usr/sbin}
	rm -rf "$d"
	mkdir -p "$d/etc" "$d/q/pid" "$d/q/private" "$d/q/public" "$d/q/data"
	chown nobody "$d/q/private" "$d/q/public" "$d/q/data"
	PF_PORT=$(free_port)
	# smtpd reads them where its own user can ($T is 0700)
	install -m 0644 "$TLS_CERT" "$d/etc/tls.pem"
	install -m 0644 "$TLS_KEY" "$d/etc/tls.key"
	cat > "$d/etc/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $d/q
data_directory = $d/q/data
command_directory = $PF_SBIN
daemon_directory = $root/usr/lib/postfix/sbin
meta_directory = $d/etc
shlib_directory = $root/usr/lib/postfix
mail_owner = nobody
default_privs = daemon
setgid_group = mail
import_environment = MAIL_CONFIG TZ LANG=C LD_LIBRARY_PATH=$PF_LIBS
maillog_file = /dev/stdout
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = mx.bench.test
mydestination =
alias_maps =
alias_database =
local_recipient_maps =
biff = no
smtpd_peername_lookup = no
smtpd_client_connection_count_limit = 0
smtpd_client_connection_rate_limit = 0
smtpd_tls_chain_files = $d/etc/tls.key, $d/etc/tls.pem
smtpd_tls_security_level = may
EOF
	cat > "$d/etc/master.cf" <<EOF
127.0.0.1:$PF_PORT inet n - n - 100 smtpd
anvil     unix  -       -       n       -       1       anvil
proxymap  unix  -       -       n       -       -       proxymap
rewrite   unix  -       -       n       -       -       trivial-rewrite
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
	LD_LIBRARY_PATH="$PF_LIBS" "$root/usr/lib/postfix/sbin/master" \
	    -c "$d/etc" -d > "$d/maillog" 2>&1 &
	PF_PID=$!
	wait_for 10 python3 -c "import socket; socket.create_connection(('127.0.0.1', $PF_PORT), 1).close()" ||
		{ say "postfix master did not start: $(tail -n 3 "$d/maillog")"; return 1; }
	# one session through it, else no Postfix figures
	timeout 20 "$TLSLOAD" rate "$PF_PORT" 1 1 | grep -q '^done 1 ' ||
		{ say "postfix smtpd does not answer: $(tail -n 3 "$d/maillog")"; pf_tls_stop; return 1; }
}
pf_tls_stop() {
	[ -n "$PF_PID" ] || return 0
	kill "$PF_PID" 2>/dev/null
	wait "$PF_PID" 2>/dev/null
	PF_PID=
}

# tls_rate RUN TARGET PORT: one run of tlsload rate.
tls_rate() {
	local out done failed ns
	out=$(timeout 300 "$TLSLOAD" rate "$3" "$TLS_SESSIONS" "$TLS_CONC") ||
		{ rec tls starttls "$2" "$1" fail; return; }
	read -r _ done _ failed _ ns <<< "$out"
	if [ "$failed" -ne 0 ]; then
		say "tls $2 run $1: $failed of $TLS_SESSIONS sessions failed"
		rec tls starttls "$2" "$1" fail
		return
	fi
	rec tls starttls "$2" "$1" "$(rate "$done" "$ns")"
}

# mem_kib FIELD PID...: the sum of a smaps_rollup field (Rss, Pss).
mem_kib() {
	local f=$1 p s=0 v
	shift
	for p in "$@"; do
		v=$(awk -v f="$f:" '$1 == f { print $2 }' "/proc/$p/smaps_rollup" 2>/dev/null)
		s=$((s + ${v:-0}))
	done
	echo "$s"
}


bench_tls() {
	local run pids cpid line
	TLS_CERT=$T/tls.pem TLS_KEY=$T/tls.key
	openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 30 \
	    -subj /CN=mx.bench.test -keyout "$TLS_KEY" -out "$TLS_CERT" \
	    > /dev/null 2>&1 || { echo "openssl req failed" >&2; exit 1; }
	say "tls: $TLS_SESSIONS STARTTLS sessions, $TLS_CONC at a time, Postfix smtpd and spampotd, $RUNS runs"
	# outside $T (0700): smtpd works in its queue as user nobody
	PF_DIR=$(mktemp -d /tmp/spampot-bench-pf.XXXXXX) || exit 1
	chmod 755 "$PF_DIR"
	pf_tls_start "$PF_DIR" || PF_PORT=
	spampot_start "$SHM/spool" "max_sessions_per_ip = 60000" \
	    "tls_cert_file = $TLS_CERT" "tls_key_file = $TLS_KEY"
	for run in $(seq "$RUNS"); do
		if [ -z "$PF_PORT" ]; then
			tls_rate "$run" spampot "$PORT"
		elif [ $((run % 2)) = 1 ]; then
			tls_rate "$run" postfix "$PF_PORT"
			tls_rate "$run" spampot "$PORT"
		else
			tls_rate "$run" spampot "$PORT"
			tls_rate "$run" postfix "$PF_PORT"
		fi
		clear_dir "$SHM/spool"
		say "tls run $run: $(grep "^tls	starttls	[a-z]*	$run	" "$RAW" | cut -f3,5 | tr '\n\t' '  ')"
	done
	spampot_stop
	pf_tls_stop
	rm -rf "$PF_DIR"
	PF_DIR=
	say "tls: $IDLE_CONNS sessions held after STARTTLS, $RUNS runs"
	for run in $(seq "$RUNS"); do
		spampot_start "$SHM/spool" "max_sessions_per_ip = 60000" \
		    "max_sessions_per_worker = $IDLE_CONNS" \
		    "tls_cert_file = $TLS_CERT" "tls_key_file = $TLS_KEY"
		pids="$DAEMON_PID $(pgrep -d ' ' -P "$DAEMON_PID")"
		timeout 300 "$TLSLOAD" idle "$PORT" "$IDLE_CONNS" 200 120 \
		    > "$T/tlsidle.out" 2>&1 &
		cpid=$!
		line=
		for _ in $(seq 1200); do
			line=$(grep '^held' "$T/tlsidle.out")
			[ -n "$line" ] && break
			kill -0 "$cpid" 2>/dev/null || break
			sleep 0.1
		done
		sleep 1
		rec tls "${IDLE_CONNS}-held" held "$run" "$(echo "$line" | awk '{ print $2 + 0 }')"
		# shellcheck disable=SC2086 # a list of pids
		rec tls "${IDLE_CONNS}-held" rss_kib "$run" "$(mem_kib Rss $pids)"
		# shellcheck disable=SC2086
		rec tls "${IDLE_CONNS}-held" pss_kib "$run" "$(mem_kib Pss $pids)"
		kill "$cpid" 2>/dev/null
		wait "$cpid" 2>/dev/null
		spampot_stop
		clear_dir "$SHM/spool"
		say "tls idle run $run: $line; $(grep "^tls	${IDLE_CONNS}-held	[a-z_]*	$run	" "$RAW" | cut -f3,5 | tr '\n\t' '  ')"
	done
}

machine() {
	printf 'nproc\t%s\n' "$(nproc)"
	printf 'cpu\t%s\n' "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
	printf 'kernel\t%s\n' "$(uname -r)"
	printf 'filesystem\t%s\n' "$(df -T "$T" | awk 'NR == 2 { print $2 }')"
	printf 'memory_mib\t%s\n' "$(awk '/^MemTotal:/ { print int($2 / 1024) }' /proc/meminfo)"
	printf 'mariadb\t%s\n' "$(mariadbd --version | sed 's/^.*Ver //;s/ .*//')"
	printf 'postfix\t%s\n' "$(ls "$OUT"/postfix/deb/postfix_*.deb 2>/dev/null | sed 's/.*postfix_//;s/_.*//' | tail -n 1)"
	printf 'date\t%s\n' "$(date -u +%Y-%m-%dT%H:%MZ)"
	printf 'runs\t%s\n' "$RUNS"
	printf 'scale\t%s\n' "$SCALE"
}

machine > "$OUT/machine.tsv"
for section in $SECTIONS; do
	case $section in
	ingest|disk|idle|analyzer|campaigns|writers|latency|memory|tls|ab) "bench_$section" ;;
	*) echo "bench.sh: unknown section $section" >&2; exit 2 ;;
	esac
done
python3 "$BENCH_SRC/stats.py" "$RAW" "$OUT/machine.tsv" "$OUT"
