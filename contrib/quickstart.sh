#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# quickstart.sh [--port N]: install what spampot needs, build it, and run
# it all in the foreground: a private MariaDB server (unix socket only),
# the sensor spampotd on port 2525 (or N; 25 is the real thing) with
# STARTTLS, on 2587 with STARTTLS and 2465 with implicit TLS (587 and 465
# with --port 25), and spampot-analyzer, which imports every session into
# that database. State, and a self-signed certificate made on the first
# run, live in /var/lib/spampot-quickstart. Ctrl-C stops everything it
# started.
set -eu

port=2525
while [ $# -gt 0 ]; do
	case "$1" in
	--port) port=${2:?--port needs a number}; shift 2 ;;
	--port=*) port=${1#--port=}; shift ;;
	-h|--help) sed -n '5,12p' "$0"; exit 0 ;;
	*) echo "quickstart.sh: unknown argument '$1' (try --port N)" >&2; exit 1 ;;
	esac
done
case "$port" in
''|*[!0-9]*) echo "quickstart.sh: --port wants a number" >&2; exit 1 ;;
esac

src=$(cd "$(dirname "$0")/.." && pwd)
state=${SPAMPOT_QUICKSTART_DIR:-/var/lib/spampot-quickstart}
build="$src/build/quickstart"
db="$state/mysql"
run="$state/run"		# the server's own: socket, pid file, log
socket="$run/mysqld.sock"

"$src/contrib/install-deps.sh"

echo "== building spampot in $build"
(cd "$src" && autoreconf -fi)
if [ -f "$src/config.status" ]; then
	(cd "$src" && make distclean >/dev/null)
fi
mkdir -p "$build"
(cd "$build" && "$src/configure" --prefix=/usr/local --sysconfdir=/etc \
    --localstatedir=/var --disable-tests -q && make -j"$(nproc)" -s)

mkuser() {
	id "$1" >/dev/null 2>&1 ||
		useradd --system --no-create-home --home-dir /nonexistent \
		    --shell /usr/sbin/nologin --user-group "$1"
}
mkuser spampot
mkuser spampot-analyzer
usermod -aG spampot spampot-analyzer	# reads the sensor's spool

mkdir -p "$state"
chmod 755 "$state"

pids=
stop_all() {
	trap - INT TERM EXIT
	echo "== stopping"
	# shellcheck disable=SC2086
	[ -n "$pids" ] && kill -TERM $pids 2>/dev/null
	wait
	echo "== stopped; captures stay in $state"
}
trap stop_all INT TERM EXIT

echo "== starting a private MariaDB server on $socket (no TCP)"
install -d -o mysql -g mysql -m 0755 "$db" "$run"
if [ ! -d "$db/mysql" ]; then
	mariadb-install-db --no-defaults --user=mysql --datadir="$db" \
	    --auth-root-authentication-method=socket --skip-test-db \
	    > "$state/mariadb-install.log" 2>&1 ||
		{ echo "mariadb-install-db failed: see $state/mariadb-install.log" >&2; exit 1; }
fi
mariadbd --no-defaults --user=mysql --datadir="$db" --socket="$socket" \
    --skip-networking --pid-file="$run/mysqld.pid" \
    --log-error="$run/mariadb.log" &
dbpid=$!
pids="$pids $dbpid"
for _ in $(seq 300); do
	mariadb --no-defaults --socket="$socket" -u root -e 'SELECT 1' \
	    >/dev/null 2>&1 && break
	kill -0 "$dbpid" 2>/dev/null ||
		{ echo "MariaDB did not start: see $run/mariadb.log" >&2; exit 1; }
	sleep 0.1
done
"$src/contrib/spampot-dbsetup" --socket "$socket" \
    --password-file "$state/mysql.password" --password-group spampot-analyzer

# The certificate, as the packages make one: self-signed for the host
# name, made once, the key read by spampotd as root before it drops
# privileges.
tls="$state/tls"
if [ ! -s "$tls/spampot.pem" ] || [ ! -s "$tls/spampot.key" ]; then
	echo "== making a self-signed certificate in $tls"
	install -d -m 0755 "$tls"
	host=$(hostname -f 2>/dev/null || hostname)
	(umask 077 && openssl req -x509 -newkey rsa:2048 -nodes -sha256 \
	    -days 3650 -subj "/CN=$host" -addext "subjectAltName=DNS:$host" \
	    -keyout "$tls/spampot.key" -out "$tls/spampot.pem" \
	    > "$state/openssl.log" 2>&1) ||
		{ echo "openssl req failed: see $state/openssl.log" >&2; exit 1; }
	chmod 0644 "$tls/spampot.pem"
fi

# SMTP and submission with STARTTLS, and implicit TLS as on 465
if [ "$port" = 25 ]; then sub=587 smtps=465; else sub=2587 smtps=2465; fi
listen=
for p in "$port" "$sub" "$smtps/tls"; do
	listen="$listen 0.0.0.0:$p"
	[ -e /proc/net/if_inet6 ] && listen="$listen [::]:$p"
done
listen=${listen# }
cat > "$state/spampot.conf" <<CONF
# Written by contrib/quickstart.sh; see spampot.conf(5) for every key.
listen = $listen
tls_cert_file = $tls/spampot.pem
tls_key_file = $tls/spampot.key
spool_dir = $state/spool
workers = auto
mysql_socket = $socket
mysql_password_file = $state/mysql.password
CONF
chmod 644 "$state/spampot.conf"

"$build/src/spampotd" -f -c "$state/spampot.conf" &
pids="$pids $!"
# the analyzer watches spool/new, which the sensor creates
for _ in $(seq 100); do
	[ -d "$state/spool/new" ] && break
	sleep 0.1
done
"$build/src/spampot-analyzer" -f -c "$state/spampot.conf" &
pids="$pids $!"

sql="mariadb --socket=$socket spampot"
cat <<MSG

== spampot runs on ports $port and $sub (STARTTLS) and $smtps (TLS)
   config:    $state/spampot.conf
   captures:  $state/spool/done/ (one file per session, spampot-spool(5))
   database:  $sql
   try it:    swaks --server 127.0.0.1:$port --to someone@example.com \\
                  --auth-user admin --auth-password secret
              swaks --server 127.0.0.1:$smtps --tlsc --to someone@example.com
   look:      $sql -e 'SELECT started_at, client_ip, helo, end_reason FROM sessions ORDER BY id DESC LIMIT 10'
              $sql -e 'SELECT username, password FROM auth_attempts'
              $sql -e "SELECT kind, value, total FROM patterns ORDER BY total DESC LIMIT 20"
   stop:      Ctrl-C

MSG
wait
