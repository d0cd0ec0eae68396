#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
#
# The exim-debian persona against a real Exim 4.96 (Debian 12's exim4-daemon-light
# run from a private tree, tests/servers/exim.sh): every
# conversation of the differential battery gets the same replies, byte for
# byte once host names, dates and queue ids are masked. The differences
# kept on purpose are listed, each with its reason, in
# tests/persona/exim-debian.expect. The real server against itself
# first: the battery's masking leaves no difference between two sessions.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/persona.sh"

check "a self-signed certificate" tls_cert
check "real Exim starts" start_real exim || exit 1
# the masking is the battery's, not spampotd's: checked once, not
# again in the sanitizer build
built_with SPAMPOT_SANITIZERS ||
	check "real Exim against itself: no difference after masking" \
	    battery "$REAL_PORT" "$REAL_PORT" ""
persona_config exim-debian
start_daemon
check "spampotd (exim-debian) answers like the real Exim" \
    battery "$REAL_PORT" "$PORT" "$PERSONA_DIR/exim-debian.expect"
check_no_crash
e2e_done
