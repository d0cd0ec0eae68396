#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# SMTP smuggling as in 066, for the exim-debian persona against the real
# Exim 4.96: it must end DATA exactly where Exim does (only at CRLF.CRLF).
# An expected failure (XFAIL_TESTS in Makefile.am) until exim-debian
# matches the real Exim: spampotd(8), PERSONAS, says what still differs.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/persona.sh"

# An expected failure for now (XFAIL_TESTS in Makefile.am), which the
# sanitizer build would only repeat.
if built_with SPAMPOT_SANITIZERS; then
	echo "SKIP: $E2E_NAME is an expected failure; run in the normal build"
	exit 77
fi

SMUG=$(python3 "$BATTERY" --list --a x:0 | grep '^smug-' | sed 's/^/--only /')

check "a self-signed certificate" tls_cert
smug_against_real exim-debian
e2e_done
