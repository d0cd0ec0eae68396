#!/bin/sh
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# build.sh: compiles bench/campaigns/eval.c against the analyzer's and
X
# tree, configured here when it is not yet). Run as any user.
#   bench/campaigns/build.sh [OUTPUT]      (default: BUILD/bench-campaigns-eval)
#   SPAMPOT_BUILD=/path/to/build bench/campaigns/build.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build=${SPAMPOT_BUILD:-$top/build/campaigns}
out=${1:-$build/bench-campaigns-eval}

if [ ! -f "$build/Makefile" ]; then
	mkdir -p "$build"
	(cd "$build" && "$top/configure" -q --enable-werror)
fi
make -C "$build" -j2 -s src/analyzer/libanalyzer.a src/common/libcommon.a \
	>&2
pkgs="gmime-3.0 libpcre2-8 libpsl libcrypto libmariadb libmaxminddb
	libarchive libmagic yara"
# shellcheck disable=SC2046,SC2086
${CC:-cc} -std=gnu11 -O2 -Wall -Wextra \
	-I"$top/src/analyzer" -I"$top/src/common" -I"$build" \
	$(pkg-config --cflags $pkgs) \
	-o "$out" "$here/eval.c" \
	"$build/src/analyzer/libanalyzer.a" "$build/src/common/libcommon.a" \
	$(pkg-config --libs $pkgs) -lfuzzy -ltlsh -lstdc++ -lseccomp -lcap \
	-pthread -lm
echo "$out"
