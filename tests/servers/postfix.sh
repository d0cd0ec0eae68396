#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
#
# postfix.sh start DIR PORT [HOSTNAME] | stop DIR: a real Postfix 3.7 smtpd
# from Debian 12's postfix package, the differential tests' and the
# benchmark's reference server. The package is unpacked into DIR/pkg by
# bench/postfix.sh (apt-get download + dpkg -x; never installed) with
# Cyrus SASL's sasldb plugin and saslpasswd2 beside it. "start" writes a
# private instance under DIR (configuration DIR/etc, queue DIR/queue, log
# DIR/maillog, a self-signed certificate, a sasldb with user "test",
# password "test"), runs its master from the tree on 127.0.0.1:PORT and
# records its PID in DIR/master.pid; "stop" ends that PID. main.cf is
# Debian 12's default (main.cf.debian + main.cf.tls) with AUTH offered
# (PLAIN LOGIN CRAM-MD5 from the sasldb, the mechanisms postfix-debian
# offers; Debian's libsasl2-modules has them all) and mail discarded
# instead of delivered.
# Needs root (the master binds and drops to the mail_owner); the users
# spampot-pf and group spampot-pd are created for it when missing.
# Environment: POSTFIX_DEB_DIR, where the packages are unpacked (default
# DIR/pkg; share it between instances to download once).
set -u

here=$(cd "$(dirname "$0")" && pwd)
owner=spampot-pf
postdrop=spampot-pd

# shellcheck source=tests/servers/lib.sh
. "$here/lib.sh"

die() { echo "postfix.sh: $*" >&2; exit 1; }

# unpack: Postfix (through bench/postfix.sh), then the SASL pieces.
unpack() {
	local out p
	out=$("$here/../../bench/postfix.sh" "$pkg") ||
	    die "cannot unpack Debian's postfix into $pkg"
	libpath=$(echo "$out" | sed -n 2p)
	saslpath=$pkg/usr/lib/x86_64-linux-gnu/sasl2
	if [ ! -x "$pkg/usr/sbin/saslpasswd2" ] ||
	    [ ! -e "$saslpath/libsasldb.so" ] || [ ! -e "$saslpath/libplain.so" ]; then
		(cd "$pkg/deb" && { apt-get download sasl2-bin \
		    libsasl2-modules-db libsasl2-modules >/dev/null 2>&1 ||
		    { apt-get update -q >/dev/null 2>&1 &&
		      apt-get download sasl2-bin libsasl2-modules-db libsasl2-modules \
		      >/dev/null 2>&1; }; }) ||
		    die "cannot download sasl2-bin libsasl2-modules-db"
		for p in "$pkg"/deb/sasl2-bin_*.deb \
		    "$pkg"/deb/libsasl2-modules-db_*.deb "$pkg"/deb/libsasl2-modules_*.deb; do
			dpkg -x "$p" "$pkg" || die "dpkg -x $p failed"
		done
	fi
}

users() {
	getent group "$postdrop" >/dev/null ||
	    groupadd -r "$postdrop" || die "cannot create group $postdrop"
	getent passwd "$owner" >/dev/null ||
	    useradd -r -M -d /nonexistent -s /usr/sbin/nologin "$owner" ||
	    die "cannot create user $owner"
}

queue() {
	local q=$dir/queue d
	mkdir -p "$q/pid" "$dir/data" || die "cannot create $q"
	for d in active bounce corrupt defer deferred flush hold incoming \
	    private saved trace; do
		mkdir -p "$q/$d" && chown "$owner" "$q/$d" && chmod 700 "$q/$d"
	done
	mkdir -p "$q/maildrop" "$q/public"
	chown "$owner:$postdrop" "$q/maildrop" "$q/public" "$dir/data"
	chmod 730 "$q/maildrop"; chmod 710 "$q/public"
	chown "$owner" "$dir/data"
}

config() {
	local etc=$dir/etc
	mkdir -p "$etc/sasl" || die "cannot create $etc"
	openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=$host" \
	    -keyout "$etc/tls.key" -out "$etc/tls.pem" >/dev/null 2>&1 ||
	    die "openssl cannot make a certificate"
	{
		cat "$pkg/usr/share/postfix/main.cf.debian"
		# main.cf.tls with the certificate and client lines below.
		grep -v '^smtpd_tls_c\|^smtpd_tls_k\|^smtp_tls_[Cs]' \
		    "$pkg/usr/share/postfix/main.cf.tls"
		cat <<EOC
# Debian 12's postinst, then the private instance.
myhostname = $host
alias_maps =
alias_database =
mydestination = \$myhostname, localhost
relayhost =
mynetworks = 127.0.0.0/8 [::ffff:127.0.0.0]/104 [::1]/128
mailbox_size_limit = 0
recipient_delimiter = +
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
smtpd_tls_cert_file = $etc/tls.pem
smtpd_tls_key_file = $etc/tls.key
smtp_tls_CApath =
smtp_tls_session_cache_database =
smtpd_relay_restrictions = permit_mynetworks permit_sasl_authenticated defer_unauth_destination
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = cyrus
smtpd_sasl_path = smtpd
cyrus_sasl_config_path = $etc/sasl
queue_directory = $dir/queue
data_directory = $dir/data
command_directory = $pkg/usr/sbin
daemon_directory = $pkg/usr/lib/postfix/sbin
shlib_directory = $pkg/usr/lib/postfix
meta_directory = $pkg/usr/share/postfix
sendmail_path = $pkg/usr/sbin/sendmail
newaliases_path = $pkg/usr/bin/newaliases
mailq_path = $pkg/usr/bin/mailq
mail_owner = $owner
setgid_group = $postdrop
maillog_file = $dir/maillog
maillog_file_prefixes = $dir
import_environment = MAIL_CONFIG MAIL_DEBUG MAIL_LOGTAG TZ LANG=C LD_LIBRARY_PATH=$libpath SASL_PATH=$saslpath
default_transport = discard:
local_transport = discard:
relay_transport = discard:
local_recipient_maps =
EOC
	} >"$etc/main.cf"
	cat >"$etc/master.cf" <<EOC
$port     inet  n       -       n       -       -       smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOC
	cat >"$etc/sasl/smtpd.conf" <<EOC
pwcheck_method: auxprop
auxprop_plugin: sasldb
mech_list: PLAIN LOGIN CRAM-MD5
sasldb_path: $etc/sasldb2
EOC
	echo test | LD_LIBRARY_PATH=$libpath SASL_PATH=$saslpath \
	    "$pkg/usr/sbin/saslpasswd2" -p -c -f "$etc/sasldb2" -u "$host" test ||
	    die "saslpasswd2 cannot write $etc/sasldb2"
	chown "$owner" "$etc/sasldb2"
	# PLAIN/LOGIN with an authzid-less "test" as sent by clients:
	# the realm-less name too.
	echo test | LD_LIBRARY_PATH=$libpath SASL_PATH=$saslpath \
	    "$pkg/usr/sbin/saslpasswd2" -p -f "$etc/sasldb2" -u "" test \
	    2>/dev/null
	chown "$owner" "$etc/sasldb2"
}

start() {
	[ "$(id -u)" = 0 ] || die "must run as root (the master binds and drops privileges)"
	[ -e "$dir/master.pid" ] && kill -0 "$(cat "$dir/master.pid")" 2>/dev/null &&
	    die "already running in $dir"
	command -v openssl >/dev/null || die "openssl is needed"
	mkdir -p "$dir" "$pkg" || die "cannot create $dir"
	unpack
	users
	queue
	config
	LD_LIBRARY_PATH=$libpath "$pkg/usr/lib/postfix/sbin/master" \
	    -c "$dir/etc" -d </dev/null >>"$dir/master.log" 2>&1 &
	echo $! >"$dir/master.pid"
	wait_greeting "$dir/master.pid" "$port" "$dir/master.log" "$dir/maillog"
}

stop() {
	stop_pidfile "$dir/master.pid"
}

cmd=${1:-}
dir=${2:-}
[ -n "$dir" ] || die "usage: postfix.sh start DIR PORT [HOSTNAME] | stop DIR"
mkdir -p "$dir" && dir=$(cd "$dir" && pwd)
pkg=${POSTFIX_DEB_DIR:-$dir/pkg}
case $cmd in
start)
	port=${3:?usage: postfix.sh start DIR PORT [HOSTNAME]}
	host=${4:-mail.example.net}
	start;;
stop)	stop;;
*)	die "usage: postfix.sh start DIR PORT [HOSTNAME] | stop DIR";;
esac
