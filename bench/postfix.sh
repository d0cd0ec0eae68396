#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# postfix.sh DIR: Postfix's smtp-source and smtp-sink, the benchmark's load
# generator and reference receiver, unpacked from Debian's postfix package
# into DIR (apt-get download + dpkg -x). Postfix itself is never installed
# or started. Prints two lines: the directory holding the programs, and the
# LD_LIBRARY_PATH they need (libpostfix-*.so come in the package itself,
# under usr/lib/postfix). Does nothing when they run already.
set -u

dir=${1:?usage: postfix.sh DIR}
sbin="$dir/usr/sbin"
libpath="$dir/usr/lib/postfix:$dir/usr/lib/x86_64-linux-gnu:$dir/lib/x86_64-linux-gnu"

missing() {
	local p
	for p in smtp-source smtp-sink; do
		[ -x "$sbin/$p" ] || { echo "$p"; continue; }
		LD_LIBRARY_PATH="$libpath" ldd "$sbin/$p" |
			sed -n 's/^[[:space:]]*\([^ ]*\) => not found.*/\1/p'
	done | sort -u
}

# download PACKAGE...: into DIR/deb (apt-get download writes into the
# current directory), refreshing the package lists once if needed.
download() {
	(cd "$dir/deb" && { apt-get download "$@" >/dev/null 2>&1 ||
	    { apt-get update -q >/dev/null 2>&1 &&
	      apt-get download "$@" >/dev/null 2>&1; }; })
}

if [ -n "$(missing)" ]; then
	mkdir -p "$dir/deb" || exit 1
	if ! ls "$dir"/deb/postfix_*.deb >/dev/null 2>&1 && ! download postfix; then
		echo "postfix.sh: cannot download Debian's postfix package" >&2
		exit 1
	fi
	deb=$(ls "$dir"/deb/postfix_*.deb | tail -n 1)
	dpkg -x "$deb" "$dir" || exit 1
	if [ -n "$(missing)" ]; then
		# Libraries the system lacks: the library packages postfix
		# depends on, unpacked beside it the same way.
		deps=$(dpkg-deb -f "$deb" Depends | tr ',|' '\n\n' |
			sed 's/(.*//;s/[[:space:]]//g' | grep '^lib' | sort -u)
		# shellcheck disable=SC2086
		download $deps || { echo "postfix.sh: cannot download $deps" >&2; exit 1; }
		for d in "$dir"/deb/lib*.deb; do dpkg -x "$d" "$dir" || exit 1; done
	fi
	if [ -n "$(missing)" ]; then
		echo "postfix.sh: smtp-source/smtp-sink do not run from $dir: missing $(missing | tr '\n' ' ')" >&2
		exit 1
	fi
fi
echo "$sbin"
echo "$libpath"
