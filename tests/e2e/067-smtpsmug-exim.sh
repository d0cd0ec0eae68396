#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# SMTP smuggling as in 066, for the exim-debian persona against the real
# Exim 4.96: it must end DATA exactly where Exim does (in a message whose
# first line ends in CRLF, only at CRLF.CRLF).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/persona.sh"

SMUG=$(python3 "$BATTERY" --list --a x:0 | grep '^smug-' | sed 's/^/--only /')

check "a self-signed certificate" tls_cert
smug_against_real exim-debian
e2e_done
