#!/bin/bash
# build.sh SRCDIR OUTDIR [HEADERDIR]: build the fuzz targets
# tests/fuzz/fuzz_*.c into OUTDIR (OUTDIR/obj holds the objects). The
# project sources they test are compiled here as well, with clang and the
# same instrumentation: the automake libraries are built by the configured
# compiler without it. HEADERDIR holds the configured autoconf.h (default:
# the current directory if it has one, else SRCDIR).
#
# FUZZ_ENGINE=libfuzzer (default): clang, -fsanitize=fuzzer,address,undefined.
# FUZZ_ENGINE=afl: afl-clang-fast (AFL++), -fsanitize=address,undefined and
#   tests/fuzz/afl_main.c as main().
# FUZZ_CC overrides the compiler, FUZZ_CFLAGS adds flags, FUZZ_JOBS (2)
# sets how many files are compiled at once. Only what changed is rebuilt.
#
# Exits 77 (the automake harness's SKIP) when the compiler or its fuzzing
# runtime is missing.
set -u

usage="usage: build.sh SRCDIR OUTDIR [HEADERDIR]"
srcdir=${1:?$usage}
outdir=${2:?$usage}
hdrdir=${3:-}
engine=${FUZZ_ENGINE:-libfuzzer}
jobs=${FUZZ_JOBS:-2}
self="$srcdir/tests/fuzz/build.sh"

# The targets and the project files each one needs (src/DIR/NAME.c).
targets="smtp spool_read mime config"
files_of() {
	case $1 in
	smtp) echo sensor/smtp sensor/smtp_cmd sensor/smtp_auth \
	    sensor/smtp_line sensor/spool sensor/spool_admin \
	    analyzer/spool_read common/buf common/util common/log common/conf \
	    common/base64 common/spoolfmt ;;
	spool_read) echo analyzer/spool_read common/spoolfmt common/buf common/util ;;
	mime) echo analyzer/mime analyzer/mime_words analyzer/extract \
	    common/utf8 common/buf common/conf common/base64 common/util ;;
	config) echo common/conf ;;
	esac
}
pkgs="gmime-3.0 libpcre2-8 libpsl libcrypto"

skip() {
	echo "SKIP: $*" >&2
	exit 77
}

die() {
	echo "build.sh: $*" >&2
	exit 1
}

if [ -z "$hdrdir" ]; then
	if [ -f autoconf.h ]; then hdrdir=$(pwd); else hdrdir=$srcdir; fi
fi
[ -f "$hdrdir/autoconf.h" ] ||
	die "no autoconf.h in $hdrdir (run configure first)"

case $engine in
libfuzzer)
	if [ -z "${FUZZ_CC:-}" ]; then
		for FUZZ_CC in clang clang-14 ''; do
			[ -n "$FUZZ_CC" ] && command -v "$FUZZ_CC" >/dev/null &&
				break
		done
	fi
	if [ -z "$FUZZ_CC" ] || ! command -v "$FUZZ_CC" >/dev/null; then
		skip "no clang to build the fuzzers (Debian: apt-get install clang libclang-rt-14-dev)"
	fi
	san_cc="-fsanitize=fuzzer-no-link,address,undefined"
	san_ld="-fsanitize=fuzzer,address,undefined"
	main=
	;;
afl)
	FUZZ_CC=${FUZZ_CC:-afl-clang-fast}
	command -v "$FUZZ_CC" >/dev/null ||
		skip "no $FUZZ_CC (Debian: apt-get install afl++)"
	san_cc="-fsanitize=address,undefined"
	san_ld=$san_cc
	main=afl_main
	;;
*)
	die "FUZZ_ENGINE must be libfuzzer or afl"
	;;
esac
cc=$FUZZ_CC

# shellcheck disable=SC2086
pkg-config --exists $pkgs || die "pkg-config does not find: $pkgs"
# shellcheck disable=SC2046,SC2086
cflags="-g -O1 -fno-omit-frame-pointer $san_cc -fno-sanitize-recover=undefined
	-Wall -Wextra -Wno-unused-parameter -I$hdrdir -I$srcdir/src/common -I$srcdir/src/sensor -I$srcdir/src/analyzer
	$(pkg-config --cflags $pkgs) ${FUZZ_CFLAGS:-}"
# shellcheck disable=SC2086
libs="$(pkg-config --libs $pkgs)"

mkdir -p "$outdir/obj" || die "cannot create $outdir/obj"

# Can the compiler link a fuzzer at all? (clang without libclang-rt-*-dev
# compiles but does not link.)
probe="$outdir/obj/probe"
if [ "$engine" = libfuzzer ] && [ ! -x "$probe" ]; then
	printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
	    'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);' \
	    'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)' \
	    '{ return 0; }' >"$probe.c"
	"$cc" $san_ld "$probe.c" -o "$probe" >"$probe.log" 2>&1 ||
		skip "$cc cannot link libFuzzer with ASan/UBSan (Debian: apt-get install libclang-rt-14-dev); see $probe.log"
fi

# Anything newer than an object makes it stale: its source, any header,
# the configuration, this script.
deps="$hdrdir/autoconf.h $self $(ls "$srcdir"/src/*/*.h)"
stale() {	# OBJ SRC
	local d
	[ -f "$1" ] || return 0
	for d in "$2" $deps; do
		[ "$d" -nt "$1" ] && return 0
	done
	return 1
}

compile() {	# SRC OBJ
	echo "  CC(fuzz) ${2#"$outdir"/}"
	# shellcheck disable=SC2086
	"$cc" $cflags -c "$1" -o "$2.tmp" && mv "$2.tmp" "$2"
}

# Each needed file once, FUZZ_JOBS at a time.
all=
for t in $targets; do
	all="$all $(files_of "$t")"
done
# shellcheck disable=SC2086
all=$(printf '%s\n' $all $main | sort -u)
running=0
failed=0
for f in $all; do
	src="$srcdir/src/$f.c"
	[ "$f" = afl_main ] && src="$srcdir/tests/fuzz/afl_main.c"
	stale "$outdir/obj/${f##*/}.o" "$src" || continue
	compile "$src" "$outdir/obj/${f##*/}.o" &
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then
		wait -n || failed=1
		running=$((running - 1))
	fi
done
for t in $targets; do
	stale "$outdir/obj/fuzz_$t.o" "$srcdir/tests/fuzz/fuzz_$t.c" ||
		continue
	compile "$srcdir/tests/fuzz/fuzz_$t.c" "$outdir/obj/fuzz_$t.o" &
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then
		wait -n || failed=1
		running=$((running - 1))
	fi
done
while [ "$running" -gt 0 ]; do
	wait -n || failed=1
	running=$((running - 1))
done
[ "$failed" -eq 0 ] || die "compilation failed"

for t in $targets; do
	objs="$outdir/obj/fuzz_$t.o"
	for f in $(files_of "$t") $main; do
		objs="$objs $outdir/obj/${f##*/}.o"
	done
	relink=0
	[ -x "$outdir/fuzz_$t" ] || relink=1
	for o in $objs; do
		[ "$o" -nt "$outdir/fuzz_$t" ] && relink=1
	done
	[ "$relink" -eq 1 ] || continue
	echo "  CCLD(fuzz) fuzz_$t"
	# shellcheck disable=SC2086
	"$cc" $san_ld $objs $libs -o "$outdir/fuzz_$t" ||
		die "linking fuzz_$t failed"
done
exit 0
