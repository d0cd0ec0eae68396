#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
#
# exim.sh start DIR PORT [HOSTNAME] | stop DIR: a real Exim 4.96 from
# Debian 12's exim4-daemon-light (with exim4-base and exim4-config for
# Debian's configuration template, and libidn12 when the system lacks it),
# unpacked into DIR/pkg with apt-get download + dpkg -x, never installed.
# "start" writes a private configuration DIR/etc/exim4.conf: Debian's
# exim4.conf.template as update-exim4.conf makes it for an "internet site"
# (dc_eximconfig_configtype=internet, 127.0.0.1 as relay network), with
# Debian's plain_server and login_server authenticators enabled (user
# "test", password "test", offered without TLS too) and STARTTLS with a
# self-signed certificate; spool DIR/spool, logs DIR/log, user Debian-exim (created when missing).
# The daemon runs in the foreground (-bdf) on 127.0.0.1:PORT with queue_only
# (nothing is ever delivered); its PID is in DIR/exim.pid and "stop" ends
# it. Needs root (Exim refuses -C otherwise and drops to its user itself).
set -u

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/servers/lib.sh
. "$here/lib.sh"
# Exim looks up its compiled-in user by name at start-up.
owner=Debian-exim

die() { echo "exim.sh: $*" >&2; exit 1; }

download() {
	(cd "$pkg/deb" && { apt-get download "$@" >/dev/null 2>&1 ||
	    { apt-get update -q >/dev/null 2>&1 &&
	      apt-get download "$@" >/dev/null 2>&1; }; })
}

missing() {
	LD_LIBRARY_PATH=$libpath ldd "$exim" 2>/dev/null |
	    sed -n 's/^[[:space:]]*\([^ ]*\) => not found.*/\1/p'
}

unpack() {
	local p
	mkdir -p "$pkg/deb" || die "cannot create $pkg"
	if [ ! -x "$exim" ]; then
		download exim4-daemon-light exim4-base exim4-config ||
		    die "cannot download Debian's exim4-daemon-light exim4-base exim4-config"
		for p in "$pkg"/deb/exim4*.deb; do
			dpkg -x "$p" "$pkg" || die "dpkg -x $p failed"
		done
	fi
	if [ -n "$(missing)" ]; then
		download libidn12 || die "cannot download libidn12"
		for p in "$pkg"/deb/lib*.deb; do
			dpkg -x "$p" "$pkg" || die "dpkg -x $p failed"
		done
	fi
	if [ ! -x "$exim" ] || [ -n "$(missing)" ]; then
		die "exim4 does not run from $pkg: missing $(missing | tr '\n' ' ')"
	fi
}

config() {
	local etc=$dir/etc hash
	mkdir -p "$etc" "$dir/spool" "$dir/log" || die "cannot create $etc"
	getent passwd "$owner" >/dev/null ||
	    useradd -r -M -U -d /nonexistent -s /usr/sbin/nologin "$owner" ||
	    die "cannot create user $owner"
	chown "$owner:" "$dir/spool" "$dir/log"
	openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=$host" \
	    -keyout "$etc/exim.key" -out "$etc/exim.crt" >/dev/null 2>&1 ||
	    die "openssl cannot make a certificate"
	chown "$owner:" "$etc/exim.key"
	hash=$(openssl passwd -1 test) || die "openssl passwd failed"
	echo "test:$hash" >"$etc/passwd"
	chown "$owner:" "$etc/passwd"; chmod 640 "$etc/passwd"
	{
		cat <<EOC
# update-exim4.conf's macros for an internet site, then the private instance.
CONFDIR = $etc
SPOOLDIR = $dir/spool
DCconfig_internet = 1
MAIN_LOCAL_DOMAINS = @:localhost
MAIN_RELAY_TO_DOMAINS = empty
MAIN_RELAY_NETS = : 127.0.0.1 : ::::1
MAIN_HARDCODE_PRIMARY_HOSTNAME = $host
MAIN_QUALIFY_DOMAIN = $host
MAIN_LOCAL_INTERFACES = <; 127.0.0.1.$port
MAIN_TLS_ENABLE = yes
MAIN_TLS_CERTIFICATE = $etc/exim.crt
MAIN_TLS_PRIVATEKEY = $etc/exim.key
MAIN_KEEP_ENVIRONMENT = LD_LIBRARY_PATH
AUTH_SERVER_ALLOW_NOTLS_PASSWORDS = 1
exim_user = $owner
exim_group = $owner
log_file_path = $dir/log/%slog
pid_file_path = $dir/exim-daemon.pid
queue_only = true
EOC
		sed -e "s|^exim_path = .*|exim_path = $exim|" \
		    "$pkg/etc/exim4/exim4.conf.template" |
		    # Debian's commented PLAIN and LOGIN authenticators, enabled.
		    awk '/^# plain_server:/ { on = 1 }
			 /^# cram_md5_server:/ { on = 0 }
			 on && /^# ([a-z_]+:|  )/ { sub(/^# /, "") } { print }'
	} >"$etc/exim4.conf"
	LD_LIBRARY_PATH=$libpath "$exim" -C "$etc/exim4.conf" -bV >"$dir/bV.log" 2>&1 ||
	    die "configuration rejected: $(tail -n 3 "$dir/bV.log")"
}

start() {
	[ "$(id -u)" = 0 ] || die "must run as root (exim -C with a private configuration)"
	[ -e "$dir/exim.pid" ] && kill -0 "$(cat "$dir/exim.pid")" 2>/dev/null &&
	    die "already running in $dir"
	command -v openssl >/dev/null || die "openssl is needed"
	unpack
	config
	LD_LIBRARY_PATH=$libpath "$exim" -C "$dir/etc/exim4.conf" -bdf \
	    -oX "127.0.0.1.$port" </dev/null >>"$dir/daemon.log" 2>&1 &
	echo $! >"$dir/exim.pid"
	wait_greeting "$dir/exim.pid" "$port" "$dir/daemon.log" "$dir"/log/*log
}

stop() {
	stop_pidfile "$dir/exim.pid"
}

cmd=${1:-}
dir=${2:-}
[ -n "$dir" ] || die "usage: exim.sh start DIR PORT [HOSTNAME] | stop DIR"
mkdir -p "$dir" && dir=$(cd "$dir" && pwd)
pkg=${EXIM_DEB_DIR:-$dir/pkg}
exim=$pkg/usr/sbin/exim4
libpath=$pkg/usr/lib/x86_64-linux-gnu:$pkg/lib/x86_64-linux-gnu
case $cmd in
start)
	port=${3:?usage: exim.sh start DIR PORT [HOSTNAME]}
	host=${4:-mail.example.net}
	start;;
stop)	stop;;
*)	die "usage: exim.sh start DIR PORT [HOSTNAME] | stop DIR";;
esac
