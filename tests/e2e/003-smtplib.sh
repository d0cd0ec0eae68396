#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# Python's smtplib: several messages and RSET in one session, 8-bit and
# binary bodies (every byte value), over IPv4 and IPv6 listeners at once.
. "$(dirname "$0")/lib.sh"

write_config "listen = 127.0.0.1:$PORT [::1]:$PORT"
start_daemon

python3 - "$PORT" "$T" <<'PY'
import smtplib, sys, re
port, tmp = int(sys.argv[1]), sys.argv[2]
bodies = [
    b"Subject: first\r\n\r\nplain text\r\n",
    b"Subject: binary\r\n\r\n" + bytes(range(256)) + b"\r\n..two dots\r\n.\r\nend",
    "Subject: =?utf-8?q?caf=C3=A9?=\r\n\r\nUTF-8: café, 日本語\r\n".encode(),
]
def fix(b):
    # smtplib sends bytes as they are (bare CR and LF too), dot-stuffed,
    # and ends them with CRLF when they do not end so
    return b if b.endswith(b"\r\n") else b + b"\r\n"
for host in ("127.0.0.1", "::1"):
    s = smtplib.SMTP(host, port, local_hostname="py.example")
    s.ehlo()
    s.sendmail("a@one.example", ["x@two.example"], bodies[0])
    s.mail("dropped@example.org"); s.rcpt("never@example.org"); s.rset()
    s.sendmail("b@one.example", ["y@two.example", "z@three.example"], bodies[1])
    s.sendmail("c@one.example", ["w@two.example"], bodies[2])
    s.quit()
for i, b in enumerate(bodies):
    open("%s/expected.%d" % (tmp, i + 1), "wb").write(fix(b))
PY
check "smtplib sessions done" test $? -eq 0
check "two sessions, two files" wait_for 5 spool_count_is new 2

for f in $(spool_files new); do
	ip=$(spool_get "$f" 'r["header"]["client"][0]')
	check_eq "$ip: three messages" 3 "$(spool_get "$f" 'len(r["messages"])')"
	for n in 1 2 3; do
		spool_body "$f" $n > "$T/got"
		check "$ip: message $n byte for byte" cmp -s "$T/expected.$n" "$T/got"
	done
	check_eq "$ip: RSET dropped the envelope" "b@one.example y@two.example,z@three.example" \
	    "$(spool_get "$f" 'r["messages"][1]["from"] + " " + ",".join(r["messages"][1]["to"])')"
	check "$ip: rset recorded" grep -q '^rset$' "$f"
	check_eq "$ip: sizes" "$(stat -c %s "$T"/expected.[123] | xargs)" \
	    "$(spool_get "$f" '" ".join(m["size"] for m in r["messages"])')"
	check_eq "$ip: none truncated" "0 0 0" \
	    "$(spool_get "$f" '" ".join(m["truncated"] for m in r["messages"])')"
	check_eq "$ip: bare LF lines counted" "0 1 0" \
	    "$(spool_get "$f" '" ".join(m["bare_lf"] for m in r["messages"])')"
	check_eq "$ip: server address is the listener's" "$ip $PORT" \
	    "$(spool_get "$f" '"%s %d" % tuple(r["header"]["server"])')"
done
check "IPv6 file name uses '-' for ':'" test -n "$(find "$SPOOL/new" -name '*_--1_*')"
check_no_crash
e2e_done
