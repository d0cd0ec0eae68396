#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
#
# SMTP smuggling (hannob/smtpsmug): messages whose text holds a line ending
# other than CRLF.CRLF (\n.\n, \n.\r\n, \r.\n, \r.\r\n, \r\n.\n, \r\n.\r,
# \n.\r, \r.\r, \r\n\0.\r\n) followed by a second, smuggled transaction.
# The battery's smug-* conversations show where DATA ended by the replies
# that come back. The postfix-debian persona must end DATA exactly where
# the real Postfix does (exim-debian against the real Exim: 067); the
# exchange and rfc821 personas must answer every one and still say 221 to
# the QUIT after it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/persona.sh"

SMUG=$(python3 "$BATTERY" --list --a x:0 | grep '^smug-' | sed 's/^/--only /')

check "a self-signed certificate" tls_cert
smug_against_real postfix-debian

for p in exchange rfc821; do
	persona_config "$p"
	start_daemon
	# shellcheck disable=SC2086
	timeout 300 python3 "$BATTERY" --a "127.0.0.1:$PORT" --dump $SMUG \
	    >"$T/smug-$p" 2>&1
	check "$p: every smuggling session is answered and ends with 221" \
	    python3 - "$T/smug-$p" <<'EOP'
import sys
blocks = open(sys.argv[1], encoding="utf-8", errors="replace").read().split("=== ")[1:]
bad = [b.split("\n")[0] for b in blocks
       if "\nS: 354 " not in b or "\nS: 221 " not in b]
print("\n".join("not answered: " + b for b in bad))
sys.exit(1 if bad or len(blocks) < 9 else 0)
EOP
	stop_daemon
	check_no_crash
done
e2e_done
