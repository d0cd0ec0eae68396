#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# spampot-report html: one self-contained page (no script, nothing fetched,
# everything from the database escaped) that Debian's Chromium renders
# headless, in a network namespace of its own, without a console error;
# its screenshot and PDF print are made. The database holds two days of
# synthetic captures (contrib/fill-db.py) and real sessions from real
# clients, one of them hostile.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/db.sh"

REPORT="$SPAMPOT_BUILDDIR/src/spampot-report"
READER_PW="$T/analyst.password"
CHROMIUM=$(command -v chromium || command -v chromium-browser) ||
	{ echo "SKIP: no chromium (apt-get install chromium)"; exit 77; }
command -v unshare > /dev/null || { echo "FAIL: unshare missing"; exit 99; }

db_start
db_setup --reader analyst --reader-password-file "$READER_PW"
timeout 120 python3 "$SPAMPOT_SRCDIR/contrib/fill-db.py" --socket "$DB_SOCKET" \
    --database "$DB_NAME" --messages 3000 --days 2 --client-ips 300 \
    --senders 500 --subjects 200 --hosts 100 --urls 300 > "$T/fill.log" 2>&1
check_eq "fill-db.py: 3000 messages over two days" "0 3000" \
    "$? $(db_scalar 'SELECT COUNT(*) FROM messages')"
write_config
cat "$DB_CONF" >> "$CONF"
start_daemon
start_analyzer

python3 - "$PORT" <<'PY'
import smtplib, sys
port = int(sys.argv[1])
s = smtplib.SMTP("127.0.0.1", port, local_hostname="<b>hostile</b>", timeout=10)
# PLAIN, as bots send it (smtplib would pick CRAM-MD5, sending no password)
def login(s, user, password):
    s.ehlo_or_helo_if_needed()
    s.user, s.password = user, password
    s.auth("PLAIN", s.auth_plain)
login(s, "<script>alert(1)</script>", "\"'><img src=x onerror=alert(2)>")
body = (b"Subject: <style>body{display:none}</style> & \x1b[31m\r\n"
        b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
        b"Content-Type: text/plain\r\n\r\nhttp://192.0.2.1/track.png\r\n--b\r\n"
        b"Content-Type: application/octet-stream\r\n"
        b"Content-Disposition: attachment; filename=\"<svg onload=alert(3)>.html\"\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\nPGgxPmhpPC9oMT4=\r\n--b--\r\n")
s.sendmail("a@example.org", ["b@x.example.net"], body)
s.quit()
s = smtplib.SMTP("127.0.0.1", port, local_hostname="plain.example", timeout=10)
login(s, "admin", "123456")
s.sendmail("c@example.org", ["d@example.net"], b"Subject: hello\r\n\r\nhi\r\n")
s.quit()
PY
check "real sessions sent" test $? -eq 0
imported() { [ "$(db_scalar "SELECT COUNT(*) FROM sessions WHERE sensor = 'e2e'")" -ge 2 ]; }
check "and imported" wait_for 10 imported

html() { "$REPORT" -c "$CONF" --user analyst --password-file "$READER_PW" html "$@"; }
html -o "$T/recent.html" --since 10m --sensor e2e
check_eq "html (last 10 minutes, the real sensor): exit 0" 0 "$?"
html -o "$T/days.html" --since 3d
check_eq "html (three days): exit 0" 0 "$?"

# Self-contained: no script, no stylesheet or image from anywhere, a CSP
# that forbids any fetch.
fetchers() {
	python3 - "$1" <<'PY'
import html.parser, sys
class P(html.parser.HTMLParser):
    def handle_starttag(self, tag, attrs):
        if tag in ("script", "link", "img", "iframe", "object", "embed",
                   "audio", "video", "source", "base", "form", "image",
                   "use", "a"):
            print("element", tag)
        for k, v in attrs:
            if k in ("src", "href", "xlink:href", "srcset", "action",
                     "background", "poster", "data") or k.startswith("on"):
                print("attribute", tag, k)
    def handle_data(self, data):
        if self.lasttag == "style" and ("url(" in data or "@import" in data):
            print("style fetches")
P().feed(open(sys.argv[1], encoding="utf-8").read())
PY
}
for page in recent days; do
	f="$T/$page.html"
	check "$page: Content-Security-Policy default-src 'none'" \
	    grep -q "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">" "$f"
	check_eq "$page: no script, no element that fetches, no url( or @import" "" \
	    "$(fetchers "$f")"
done
f="$T/recent.html"
check "recent: the hostile user name escaped" grep -qF '&lt;script&gt;alert(1)&lt;/script&gt;:&quot;&#39;&gt;&lt;img src=x onerror=alert(2)&gt;' "$f"
check "recent: the hostile file name escaped" grep -qF '&lt;svg onload=alert(3)&gt;.html' "$f"
check "recent: the escape byte replaced" test "$(grep -c $'\x1b' "$f")" -eq 0
check_eq "recent: the summary" "2 2" \
    "$(python3 -c 'import re,sys; t=open(sys.argv[1]).read(); n=re.findall(r"<b>(\d+)</b><span>(sessions|messages)</span>", t); print(" ".join(x for x, _ in n))' "$f")"

# Chromium, headless, in an empty network namespace: the DOM it built,
# its console, the requests the page made.
chrome() {
	local out=$1
	shift
	timeout 90 unshare -n "$CHROMIUM" --headless --no-sandbox --disable-gpu \
	    --disable-background-networking --disable-component-update \
	    --disable-sync --no-first-run --user-data-dir="$(mktemp -d "$T/chrome.XXXXXX")" \
	    --enable-logging=stderr --v=0 --log-net-log="$out.netlog" "$@" \
	    > "$out.stdout" 2> "$out.stderr"
}
console_clean() { ! grep -E 'CONSOLE|Uncaught' "$1.stderr"; }
# The URLs a page asked for: everything in the net log but file:// and
# Chromium's own update and time services.
page_fetches() {
	grep -o '"url":"[^"]*"' "$1.netlog" | grep -v -E '"url":"(file:|https?://[a-z0-9.]*(google|googleapis|gstatic)\.com/)' | sort -u
}
# The checks catch what they should: a page with a script error and an image.
printf '<!DOCTYPE html><html><body><script>undefinedFn();</script><img src="http://192.0.2.1/x.png"></body></html>' > "$T/bad.html"
chrome "$T/bad" --dump-dom "file://$T/bad.html"
check "self-test: a script error is seen" grep -q 'Uncaught ReferenceError' "$T/bad.stderr"
check "self-test: a fetch is seen" grep -q 'http://192.0.2.1/x.png' <<< "$(page_fetches "$T/bad")"

for page in recent days; do
	chrome "$T/$page" --dump-dom "file://$T/$page.html"
	check_eq "$page: Chromium exits 0" 0 "$?"
	check "$page: no console error" console_clean "$T/$page"
	check_eq "$page: nothing fetched" "" "$(page_fetches "$T/$page")"
	check_eq "$page: no script element in the DOM" 0 "$(grep -c '<script' "$T/$page.stdout")"
done
check_eq "days: seven charts (timeline, five top lists, the campaigns)" 7 "$(grep -o '<svg' "$T/days.stdout" | wc -l)"
check "days: per hour" grep -q 'Sessions and messages per hour (UTC)' "$T/days.stdout"
check_eq "days: 73 hours, none missing" 73 \
    "$(python3 -c 'import re,sys; t=open(sys.argv[1]).read(); s=t[t.index("class=\"timeline\""):]; s=s[:s.index("</svg>")]; print(len(re.findall(r"<g><title>", s)))' "$T/days.stdout")"
check "recent: the hostile names are text in the DOM" grep -qF '&lt;script&gt;alert(1)&lt;/script&gt;' "$T/recent.stdout"

# A screenshot and the printed page.
chrome "$T/shot" --screenshot="$T/report.png" --window-size=1280,2000 "file://$T/days.html"
check "screenshot made" test -s "$T/report.png"
check_eq "screenshot is a PNG" "89504e47" "$(head -c 4 "$T/report.png" | od -An -tx1 | tr -d ' \n')"
chrome "$T/print" --print-to-pdf="$T/report.pdf" --no-pdf-header-footer "file://$T/days.html"
check_eq "printed to PDF" "%PDF" "$(head -c 4 "$T/report.pdf")"
check "the PDF has more than one page" \
    test "$(grep -a -o '/Type */Page[s]*' "$T/report.pdf" | grep -vc Pages)" -ge 2
mkdir -p "$SPAMPOT_BUILDDIR/build" && cp "$T/report.png" "$SPAMPOT_BUILDDIR/build/report-html.png" &&
	echo "# screenshot: $SPAMPOT_BUILDDIR/build/report-html.png"
check_no_crash
e2e_done
