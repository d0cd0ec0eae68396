#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# install-deps.sh [--tests]: the Debian 12 packages spampot needs to build
# and run (and, with --tests, to run its test suite). Run as root.
set -eu

pkgs="build-essential autoconf automake pkgconf libseccomp-dev libcap-dev swaks
      libmariadb-dev libgmime-3.0-dev libpcre2-dev libpsl-dev libssl-dev
      libmaxminddb-dev libcurl4-openssl-dev g++ libtlsh-dev libfuzzy-dev
      libyara-dev libarchive-dev libmagic-dev
      mariadb-server mariadb-client
      passwd procps"
if [ "${1:-}" = "--tests" ]; then
	pkgs="$pkgs libcmocka-dev python3 util-linux clang libclang-rt-14-dev"
	# tests/pkg: the Debian package, the RPM, the systemd units
	pkgs="$pkgs debhelper lintian rpm cpio systemd strace"
	# tests/e2e/043-valgrind.sh, and nmap -sV in 041-hostile-clients.sh
	pkgs="$pkgs valgrind nmap"
	# spampot-report's HTML page rendered headless; GeoIP test files read back
	pkgs="$pkgs chromium mmdb-bin"
	pkgs="$pkgs openssl curl"	# TLS clients: tests/e2e/06[01]-tls*.sh
	# tests/servers (apt-get download + dpkg -x of postfix, exim4), 06[3-6]
	pkgs="$pkgs dpkg apt"
	# ss -xp in 001-privileges.sh (who is connected to /dev/log)
	pkgs="$pkgs iproute2"
	# test archives (zip, 7z, rar, tar) and real-world rules checked with
	# the yara tool
	pkgs="$pkgs zip p7zip-full yara"
	# tests/e2e/084-galera.sh: a three-node cluster; its joiners come by
	# rsync SST (wsrep_sst_rsync runs rsync)
	pkgs="$pkgs galera-4 rsync"
	# 081-export.sh: the MISP event and STIX bundle checked against the
	# JSON Schemas of tests/data/export
	pkgs="$pkgs python3-jsonschema"
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps.sh: run as root (it calls apt-get)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $pkgs
