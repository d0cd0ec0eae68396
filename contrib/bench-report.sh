#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# bench-report.sh -c CONF [-n RUNS] [-- REPORT-OPTIONS...]: time every
# spampot-report query on a database (filled by contrib/fill-db.py, or a
# real one) and print a Markdown table of the wall-clock times: the median
# of RUNS runs after one run to warm the caches. The values searched for are
# picked from the database itself by spampot-report, at ranks where they
# are neither the commonest nor unique. A benchmark, not a test: nothing
# fails when it is slow. bench/README.md, "spampot-report on a million messages", has its results.
set -u

conf=
runs=3
report=${SPAMPOT_REPORT:-$(dirname "$0")/../src/spampot-report}
while getopts c:n: opt; do
	case $opt in
	c) conf=$OPTARG ;;
	n) runs=$OPTARG ;;
	*) echo "usage: $0 -c CONF [-n RUNS] [-- REPORT-OPTIONS...]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ "${1:-}" = -- ] && shift
[ -n "$conf" ] || { echo "usage: $0 -c CONF [-n RUNS] [-- REPORT-OPTIONS...]" >&2; exit 2; }
rep() { "$report" -c "$conf" "$@"; }

# nth KIND N FIELD: a value of the Nth row of top KIND, from its CSV
nth() { rep "${@:4}" top "$1" --limit "$2" --format csv | tr -d '\r' | sed -n "$(($2 + 1))p" | cut -d, -f"$3"; }

ip=$(nth client-ip 1 5 "$@")
ip6=$(rep "$@" top client-ip --limit 1000 --format csv | cut -d, -f5 | grep -m 1 :)
sender=$(nth sender 50 4 "$@")
domain=$(nth rcpt-domain 100 4 "$@")
host=$(nth url-host 30 4 "$@")
label=${host#*.}	# cdn.login712.org: login712
label=${label%%.*}
hash=$(nth attachment 1 5 "$@")
subject=$(nth subject 10 4 "$@")
subject=${subject##* }	# its last word
session=$(rep "$@" search --limit 1 --format csv | tr -d '\r' | sed -n 2p | cut -d, -f4)
msgsha=$(rep "$@" session "$session" --format json | python3 -c 'import json,sys; m=[m for s in json.load(sys.stdin)["sessions"] for m in s["mail"]]; print(m[0]["sha256"] if m else "0" * 64)')

# time_it LABEL ARGS...: "| LABEL | median ms | rows |"
time_it() {
	local label=$1 i t0 t1 rc out
	shift
	rep "$@" > /dev/null 2>&1
	local times=()
	for ((i = 0; i < runs; i++)); do
		t0=$(date +%s%N)
		out=$(rep "$@" --format csv 2>/dev/null)
		rc=$?
		t1=$(date +%s%N)
		times+=($(((t1 - t0) / 1000000)))
	done
	printf '| %s | %s | %s |\n' "$label" \
	    "$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(((runs + 1) / 2))p")" \
	    "$([ "$rc" -le 1 ] && echo $(($(grep -c '' <<< "$out") - 1)) || echo "error $rc")"
}

echo "| query | ms (median of $runs) | rows |"
echo "| --- | ---: | ---: |"
time_it "summary" summary "$@"
time_it "summary --since 24h" summary --since 24h "$@"
for kind in client-ip helo sender rcpt-domain subject url url-host domain \
    msg-ip email username password credential attachment country asn; do
	time_it "top $kind" top "$kind" "$@"
	time_it "top $kind --since 24h" top "$kind" --since 24h "$@"
	time_it "top $kind --since 7d" top "$kind" --since 7d "$@"
done
time_it "search --ip $ip" search --ip "$ip" "$@"
time_it "search --ip ${ip%.*.*}.0.0/16" search --ip "${ip%.*.*}.0.0/16" "$@"
[ -n "$ip6" ] && time_it "search --ip ${ip6%%:*}:db8::/32" search --ip "${ip6%%:*}:db8::/32" "$@"
time_it "search --address $sender" search --address "$sender" "$@"
time_it "search --domain $domain" search --domain "$domain" "$@"
time_it "search --domain $domain --since 24h" search --domain "$domain" --since 24h "$@"
time_it "search --url $label" search --url "$label" "$@"
time_it "search --url no-such-text" search --url no-such-text "$@"
time_it "search --hash (attachment)" search --hash "$hash" "$@"
time_it "search --hash (message)" search --hash "$msgsha" "$@"
time_it "search --subject '$subject'" search --subject "$subject" "$@"
time_it "search --since 1h" search --since 1h "$@"
time_it "search --subject '$subject' --ip ${ip%.*.*}.0.0/16" search --subject "$subject" --ip "${ip%.*.*}.0.0/16" "$@"
for fmt in text json; do
	t0=$(date +%s%N)
	rep session "$session" --format $fmt "$@" > /dev/null
	t1=$(date +%s%N)
	echo "| session (one, $fmt) | $(((t1 - t0) / 1000000)) | 1 |"
done
t0=$(date +%s%N)
rep html --since 7d -o /dev/null "$@"
t1=$(date +%s%N)
echo "| html --since 7d | $(((t1 - t0) / 1000000)) | - |"
