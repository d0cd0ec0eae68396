#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
#
# nmap -sV and its SMTP scripts against every persona: the service scan
# names the product the persona claims (Postfix smtpd, Exim smtpd,
# Microsoft Exchange smtpd; the rfc821 persona must at least be an smtp
# service), the scripts complete, smtp-commands sees the persona's EHLO
# list with STARTTLS, and smtp-open-relay finds the open relay. The real
# Postfix and Exim are scanned the same way first, so the expectations
# are nmap's, not ours.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/persona.sh"

command -v nmap >/dev/null || { echo "FAIL: nmap missing"; exit 99; }
SCRIPTS=smtp-commands,smtp-open-relay,smtp-enum-users,smtp-ntlm-info

# scan PORT OUT: nmap's service scan and SMTP scripts, bounded in time.
scan() {
	timeout 300 nmap -sV -Pn -n -p "$1" --script "$SCRIPTS" \
	    --script-timeout 120s 127.0.0.1 >"$2" 2>&1
}

# product OUT: the VERSION column of the port's line.
product() {
	sed -n 's|^[0-9]*/tcp *open *smtp *||p' "$1" | head -n 1
}

check "a self-signed certificate" tls_cert
for real in postfix exim; do
	check "real $real starts" start_real "$real" || continue
	scan "$REAL_PORT" "$T/nmap-$real"
	echo "# real $real: $(product "$T/nmap-$real")"
done
stop_real
check "nmap names the real Postfix 'Postfix smtpd'" \
    grep -q '^[0-9]*/tcp *open *smtp *Postfix smtpd' "$T/nmap-postfix"
check "nmap names the real Exim 'Exim smtpd'" \
    grep -q '^[0-9]*/tcp *open *smtp *Exim smtpd' "$T/nmap-exim"

for p in postfix-debian exim-debian exchange rfc821; do
	case $p in
	postfix-debian)	want="Postfix smtpd";;
	exim-debian)	want="Exim smtpd";;
	exchange)	want="Microsoft Exchange smtpd";;
	# rfc821 keeps the banner spampot always had, Postfix's
	rfc821)		want="Postfix smtpd";;
	esac
	persona_config "$p"
	start_daemon
	scan "$PORT" "$T/nmap-$p"
	echo "# $p: $(product "$T/nmap-$p")"
	check "$p: nmap sees an open smtp port" \
	    grep -q '^[0-9]*/tcp *open *smtp' "$T/nmap-$p"
	if [ -n "$want" ]; then
		check "$p: nmap names '$want'" \
		    grep -q "^[0-9]*/tcp *open *smtp *$want" "$T/nmap-$p"
	fi
	check "$p: smtp-commands ran" grep -q 'smtp-commands:' "$T/nmap-$p"
	case $p in
	postfix-debian|exim-debian|exchange)
		check "$p: smtp-commands lists STARTTLS" \
		    grep -q 'smtp-commands:.*STARTTLS' "$T/nmap-$p";;
	esac
	check "$p: smtp-open-relay finds the open relay" \
	    grep -q 'Server is an open relay' "$T/nmap-$p"
	if [ "$E2E_FAIL" -gt 0 ]; then
		echo "--- nmap against $p"; cat "$T/nmap-$p"
	fi
	stop_daemon
	check_no_crash
done
e2e_done
