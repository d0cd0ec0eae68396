#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# rpm-test.sh: build spampot's RPM from the release tarball with rpmbuild,
# as packaging/rpm/spampot.spec says, and check what the package holds:
# files, modes and owners of the spool tree, configuration files, the users
# made before install, what its post-install script makes of an empty
# password file that is there already. On Debian the spec's BuildRequires (Fedora's names)
# cannot be resolved, so the build uses --nodeps: this checks the spec, not
# the dependency names. SPAMPOT_TARBALL=FILE builds that tarball instead of
# a "make dist" of the last commit. Ends with "N passed, N failed".
set -u

src=$(cd "$(dirname "$0")/../.." && pwd)
passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok - $1"; }
fail() { failed=$((failed + 1)); echo "not ok - $1"; }
check() {
	local desc=$1
	shift
	if "$@"; then ok "$desc"; else fail "$desc"; fi
}

command -v rpmbuild >/dev/null && command -v cpio >/dev/null ||
	{ echo "FAIL: rpmbuild or cpio missing (apt-get install rpm cpio)"; exit 99; }

T=$(mktemp -d "${TMPDIR:-/tmp}/spampot-rpm.XXXXXX")
trap 'rm -rf "$T"' EXIT

if [ -n "${SPAMPOT_TARBALL:-}" ]; then
	tarball=$(readlink -f "$SPAMPOT_TARBALL")
else
	tarball=$("$src/packaging/dist.sh" "$T") ||
		{ fail "make dist"; echo "$passed passed, $failed failed"; exit 1; }
fi

# Debian's rpm: no find-debuginfo, and brp-compress wants bash, not dash.
if rpmbuild -tb --nodeps --define "_topdir $T/rpmbuild" \
    --define 'debug_package %{nil}' --define '_buildshell /bin/bash' \
    "$tarball" > "$T/rpmbuild.log" 2>&1; then
	ok "rpmbuild -tb --nodeps $(basename "$tarball")"
else
	fail "rpmbuild -tb --nodeps $(basename "$tarball")"
	tail -n 40 "$T/rpmbuild.log"
	echo "$passed passed, $failed failed"
	exit 1
fi
rpm=$(ls "$T"/rpmbuild/RPMS/*/spampot-[0-9]*.rpm)
rpm -qlvp "$rpm" > "$T/list" 2>/dev/null

# has MODE OWNER GROUP PATH: the package holds PATH so.
has() {
	awk -v m="$1" -v o="$2" -v g="$3" -v p="$4" \
	    '$1 == m && $3 == o && $4 ~ "^" g && $NF == p { f = 1 } END { exit !f }' \
	    "$T/list"
}
for p in /usr/sbin/spampotd /usr/sbin/spampot-analyzer /usr/sbin/spampot-dbsetup; do
	check "$p" has -rwxr-xr-x root root "$p"
done
for p in /usr/lib/systemd/system/spampot.service \
    /usr/lib/systemd/system/spampot-analyzer.service \
    /usr/lib/sysusers.d/spampot.conf /usr/share/spampot/sql/schema.sql \
    /etc/rsyslog.d/spampot.conf /etc/logrotate.d/spampot \
    /etc/spampot/spampot.conf; do
	check "$p" has -rw-r--r-- root root "$p"
done
for m in man8/spampotd.8 man8/spampot-analyzer.8 man8/spampot-dbsetup.8 \
    man5/spampot.conf.5 man5/spampot-spool.5; do
	check "man page $m" grep -q "/usr/share/man/$m" "$T/list"
done
check "password file 0640 root:spampot-analyzer" \
    has -rw-r----- root spampot- /etc/spampot/mysql.password
check "spool top 0750 spampot:spampot" \
    has drwxr-x--- spampot spampot /var/spool/spampot
check "spool tmp/ 02700" has drwx--S--- spampot spampot /var/spool/spampot/tmp
for d in new done bad; do
	check "spool $d/ 02770" has drwxrws--- spampot spampot "/var/spool/spampot/$d"
done
check "TLS key 0640 root:spampot (made by %post)" \
    has -rw-r----- root spampot /etc/spampot/tls/spampot.key
check "TLS certificate 0644 root (made by %post)" \
    has -rw-r--r-- root root /etc/spampot/tls/spampot.pem
# the payload unpacked whole into a directory of its own: a pattern given
# to cpio must match the archive's names exactly, which differ by rpm
mkdir -p "$T/payload"
(cd "$T/payload" && rpm2cpio "$rpm" | cpio -idm --quiet 2>/dev/null)
cp "$T/payload/etc/spampot/spampot.conf" "$T/spampot.conf" 2>/dev/null
check "spampot.conf names the certificate" \
    grep -qx 'tls_cert_file = /etc/spampot/tls/spampot.pem' "$T/spampot.conf"
check "spampot.conf names the key" \
    grep -qx 'tls_key_file = /etc/spampot/tls/spampot.key' "$T/spampot.conf"
check "spampot.conf listens on 25, 587 and 465/tls" grep -qx \
    'listen = 0.0.0.0:25 \[::\]:25 0.0.0.0:587 \[::\]:587 0.0.0.0:465/tls \[::\]:465/tls' \
    "$T/spampot.conf"
rpm -qcp "$rpm" > "$T/config" 2>/dev/null
for p in /etc/spampot/spampot.conf /etc/spampot/mysql.password \
    /etc/spampot/tls/spampot.pem /etc/spampot/tls/spampot.key \
    /etc/rsyslog.d/spampot.conf /etc/logrotate.d/spampot; do
	check "$p is a configuration file" grep -qx "$p" "$T/config"
done
rpm -qp --scripts "$rpm" > "$T/scripts" 2>/dev/null
check "the users are made before install" \
    grep -q 'useradd -r -g spampot-analyzer' "$T/scripts"
check "spampot-analyzer joins the group spampot" \
    grep -q 'usermod -a -G spampot spampot-analyzer' "$T/scripts"
check "the sysusers file lists the same users" sh -c \
    "tar -xzOf '$tarball' --wildcards '*/packaging/rpm/spampot.sysusers' |
    grep -q '^m spampot-analyzer spampot$'"
if command -v systemd-sysusers >/dev/null; then
	mkdir -p "$T/root/etc"
	tar -xzOf "$tarball" --wildcards '*/packaging/rpm/spampot.sysusers' \
	    > "$T/spampot.sysusers"
	systemd-sysusers --root="$T/root" "$T/spampot.sysusers" >/dev/null 2>&1
	check "systemd-sysusers makes the users from it" sh -c \
	    "grep -q '^spampot:.*:/usr/sbin/nologin$' '$T/root/etc/passwd' &&
	    grep -q '^spampot:x:[0-9]*:spampot-analyzer$' '$T/root/etc/group'"
fi

# The post-install script on a password file that is there already, empty
# and 0644 (left by an admin, or by an install that stopped half-way): it
# must end 0640 root:spampot-analyzer with a password, written to a new
# file and renamed, never into the open file. The script runs as the
# package has it (as on a first install: "1"), its path moved under $T,
# in a mount namespace of its own whose /etc/group has the group
# spampot-analyzer and where systemd's tools are /bin/true: nothing on
# this machine is touched.
if [ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null; then
	rpm -qp --qf '%{POSTIN}\n' "$rpm" > "$T/postin" 2>/dev/null
	pw_dir="$T/post/etc/spampot"
	pw="$pw_dir/mysql.password"
	mkdir -p "$pw_dir"
	sed "s|/etc/spampot/|$pw_dir/|g" "$T/postin" > "$T/postin.sh"
	check "the post-install script writes the password file" \
	    grep -qF "$pw" "$T/postin.sh"
	: > "$pw"
	chmod 0644 "$pw"
	cp /etc/group "$T/group"
	grep -q '^spampot-analyzer:' "$T/group" ||
		echo 'spampot-analyzer:x:64990:' >> "$T/group"
	grep -q '^spampot:' "$T/group" || echo 'spampot:x:64991:' >> "$T/group"
	gid=$(awk -F: '$1 == "spampot-analyzer" { print $3 }' "$T/group")
	sgid=$(awk -F: '$1 == "spampot" { print $3 }' "$T/group")
	# A user who opened the empty world-readable file before install
	# keeps reading it whatever its mode becomes: the password must not
	# go into that file.
	chmod 0755 "$T" "$T/post" "$T/post/etc" "$pw_dir"
	mkfifo -m 0666 "$T/go"
	timeout 30 runuser -u nobody -- sh -c \
	    'exec 3< "$1" && echo open && read -r _ < "$2" && cat <&3' sh \
	    "$pw" "$T/go" > "$T/peek" 2>&1 &
	peek=$!
	for _ in $(seq 50); do
		grep -q '^open$' "$T/peek" && break
		sleep 0.1
	done
	check "a user opens the empty 0644 password file" \
	    grep -qx open "$T/peek"
	# run_postin ARG: the script, in a mount namespace where what
	# %systemd_post may run (presets) is /bin/true.
	run_postin() {
		unshare -m sh -c 'mount --bind "$1" /etc/group || exit 1
		    for f in /usr/lib/systemd/systemd-update-helper \
			/usr/bin/systemctl /bin/systemctl; do
			[ -x "$f" ] && { mount --bind /bin/true "$f" || exit 1; }
		    done
		    sh "$2" "$3"' sh "$T/group" "$T/postin.sh" "$1"
	}
	run_postin 1 > "$T/postin.log" 2>&1
	check "the post-install script succeeds, says nothing" \
	    test "$?" -eq 0 -a ! -s "$T/postin.log"
	[ -s "$T/postin.log" ] && cat "$T/postin.log"
	timeout 10 sh -c 'echo go > "$1"' sh "$T/go"
	wait "$peek"
	check "what that user reads through it holds no password" \
	    test "$(sed 1d "$T/peek")" = ""
	check "an empty 0644 password file ends 0640 root:spampot-analyzer" \
	    test "$(stat -c '%a %u %g' "$pw")" = "640 0 $gid"
	check "it holds a password" grep -qxE '[0-9a-f]{32}' "$pw"
	check "no temporary file is left beside it" \
	    test "$(find "$pw_dir" -maxdepth 1 -type f | wc -l)" -eq 1
	check "the post-install script makes a certificate" \
	    openssl x509 -noout -in "$pw_dir/tls/spampot.pem"
	check "its key is 0640 root:spampot" \
	    test "$(stat -c '%a %u %g' "$pw_dir/tls/spampot.key")" = \
	    "640 0 $sgid"
	check "the key is the certificate's" sh -c \
	    'test "$(openssl x509 -noout -pubkey -in "$1")" = \
	    "$(openssl pkey -pubout -in "$2")"' sh \
	    "$pw_dir/tls/spampot.pem" "$pw_dir/tls/spampot.key"
	check "nothing else is left in tls/" \
	    test "$(find "$pw_dir/tls" -mindepth 1 | wc -l)" -eq 2
	sum=$(cat "$pw_dir/tls/spampot.pem" "$pw_dir/tls/spampot.key" | md5sum)
	run_postin 2 > "$T/postin2.log" 2>&1
	check "an upgrade keeps the certificate and key" test "$sum" = \
	    "$(cat "$pw_dir/tls/spampot.pem" "$pw_dir/tls/spampot.key" | md5sum)"
else
	echo "# skipped: the post-install script on an empty 0644 password" \
	    "file (needs root and unshare)"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
