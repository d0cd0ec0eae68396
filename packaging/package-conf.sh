#!/bin/sh
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# package-conf.sh FILE: turn the installed spampot.conf (FILE, in the
# package's build root) into the one the Debian and RPM packages ship:
# SMTP on 25 and submission on 587 with STARTTLS, and implicit TLS on
# 465, with the self-signed certificate and key the package makes at
# install (/etc/spampot/tls). Run by debian/rules and the RPM spec after
# "make install"; fails when a line it changes is not found, so that a
# change to etc/spampot.conf.in is noticed at package build.
set -eu

f=${1:?usage: package-conf.sh FILE}
tls=/etc/spampot/tls
listen="0.0.0.0:25 [::]:25 0.0.0.0:587 [::]:587 0.0.0.0:465/tls [::]:465/tls"

for pat in '^#listen = ' '^#tls_cert_file =' '^#tls_key_file ='; do
	if ! grep -q "$pat" "$f"; then
		echo "package-conf.sh: no line '$pat' in $f" >&2
		exit 1
	fi
done
sed -i \
    -e "s|^#listen = .*|listen = $listen|" \
    -e "s|^#tls_cert_file =.*|tls_cert_file = $tls/spampot.pem|" \
    -e "s|^#tls_key_file =.*|tls_key_file = $tls/spampot.key|" \
    "$f"
