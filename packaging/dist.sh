#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# dist.sh [-w] OUTDIR: make the release tarball ("make dist") of this tree
# into OUTDIR and print its path. It is made from the last commit (git
# archive HEAD), or with -w from the working tree (the files git tracks and
# new ones it does not ignore), in a temporary copy: a source tree that is
# configured in place, or being built, is left alone. Needs a git checkout
# (from an unpacked tarball, give build-deb.sh that tarball instead).
set -eu

worktree=0
if [ "${1:-}" = -w ]; then
	worktree=1
	shift
fi
out=${1:?usage: dist.sh [-w] OUTDIR}
src=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/spampot-dist.XXXXXX")
trap 'rm -rf "$work"' EXIT

cd "$src"
if [ "$worktree" = 1 ]; then
	git ls-files -z --cached --others --exclude-standard |
	    while IFS= read -r -d '' f; do
		[ -e "$f" ] && cp -P --parents "$f" "$work/"
	    done
else
	git archive --format=tar HEAD | tar -C "$work" -xf -
fi
cd "$work"
autoreconf -fi >/dev/null 2>&1
./configure -q --disable-tests >/dev/null
make -s dist >/dev/null
tarball=$(ls spampot-*.tar.gz)
mv "$tarball" "$out/"
echo "$out/$tarball"
