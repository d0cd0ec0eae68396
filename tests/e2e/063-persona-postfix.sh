#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
#
# The postfix-debian persona against a real Postfix 3.7 (Debian 12's
# package run from a private tree, tests/servers/postfix.sh): every
# conversation of the differential battery gets the same replies, byte for
# byte once host names, dates and queue ids are masked. The differences
# kept on purpose are listed, each with its reason, in
# tests/persona/postfix-debian.expect. The real server against itself
# first: the battery's masking leaves no difference between two sessions.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/persona.sh"

check "a self-signed certificate" tls_cert
check "real Postfix starts" start_real postfix || exit 1
# the masking is the battery's, not spampotd's: checked once, not
# again in the sanitizer build
built_with SPAMPOT_SANITIZERS ||
	check "real Postfix against itself: no difference after masking" \
	    battery "$REAL_PORT" "$REAL_PORT" ""
persona_config postfix-debian
start_daemon
check "spampotd (postfix-debian) answers like the real Postfix" \
    battery "$REAL_PORT" "$PORT" "$PERSONA_DIR/postfix-debian.expect"
check_no_crash
e2e_done
