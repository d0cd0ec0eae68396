#!/bin/bash
# quickstart.sh [--port N]: install what spampot needs, build it, and run
# the sensor in the foreground on port 2525 (or N; 25 is the real thing),
# with its state in /var/lib/spampot-quickstart. Ctrl-C stops it; sessions
# that are still open get the grace period, then everything it started ends.
set -eu

port=2525
while [ $# -gt 0 ]; do
	case "$1" in
	--port) port=${2:?--port needs a number}; shift 2 ;;
	--port=*) port=${1#--port=}; shift ;;
	-h|--help) sed -n '2,5p' "$0"; exit 0 ;;
	*) echo "quickstart.sh: unknown argument '$1' (try --port N)" >&2; exit 1 ;;
	esac
done
case "$port" in
''|*[!0-9]*) echo "quickstart.sh: --port wants a number" >&2; exit 1 ;;
esac

src=$(cd "$(dirname "$0")/.." && pwd)
state=${SPAMPOT_QUICKSTART_DIR:-/var/lib/spampot-quickstart}
build="$src/build/quickstart"

"$src/contrib/install-deps.sh"

echo "== building spampot in $build"
(cd "$src" && autoreconf -fi)
if [ -f "$src/config.status" ]; then
	(cd "$src" && make distclean >/dev/null)
fi
mkdir -p "$build"
(cd "$build" && "$src/configure" --prefix=/usr/local --sysconfdir=/etc \
    --localstatedir=/var --disable-tests -q && make -j"$(nproc)" -s)

id spampot >/dev/null 2>&1 ||
	useradd --system --no-create-home --home-dir /nonexistent \
	    --shell /usr/sbin/nologin spampot

mkdir -p "$state"
chmod 755 "$state"
listen="0.0.0.0:$port"
[ -e /proc/net/if_inet6 ] && listen="$listen [::]:$port"
cat > "$state/spampot.conf" <<CONF
# Written by contrib/quickstart.sh; see spampot.conf(5) for every key.
listen = $listen
spool_dir = $state/spool
workers = auto
CONF
chmod 644 "$state/spampot.conf"

cat <<MSG
== spampot is starting on port $port
   config:   $state/spampot.conf (edit it, then: kill -HUP <parent pid>)
   captures: $state/spool/new/ (one file per SMTP session, see spampot-spool(5))
   try it:   swaks --server 127.0.0.1:$port --to someone@example.com
   stop:     Ctrl-C
MSG
exec "$build/src/spampotd" -f -c "$state/spampot.conf"
