#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# build-deb.sh [-w] [-o OUTDIR] [TARBALL]: build spampot's Debian binary
# package.
#
# debian/ belongs at the top of a source tree, and spampot keeps it in
# packaging/debian. This unpacks the release tarball (TARBALL, or a fresh
# "make dist" of the last commit, or with -w of the working tree:
# packaging/dist.sh) in a temporary directory,
# copies packaging/debian to debian/ there, and runs
# "dpkg-buildpackage -us -uc -b", then lintian. The .deb (and the
# .changes and .buildinfo) land in OUTDIR (default: build/deb).
# Needs: apt-get install build-essential debhelper lintian and the
# Build-Depends of packaging/debian/control (dpkg-checkbuilddeps says
# which are missing). DEB_BUILD_OPTIONS is passed on (nocheck: no unit
# tests, no cmocka).
set -eu

src=$(cd "$(dirname "$0")/.." && pwd)
out=$src/build/deb
dist_flags=
while getopts o:w opt; do
	case "$opt" in
	o) out=$OPTARG ;;
	w) dist_flags=-w ;;
	*) sed -n '2,15p' "$0"; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
mkdir -p "$out"
out=$(cd "$out" && pwd)

work=$(mktemp -d "${TMPDIR:-/tmp}/spampot-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT

if [ $# -ge 1 ]; then
	tarball=$(readlink -f "$1")
else
	tarball=$("$src/packaging/dist.sh" $dist_flags "$work")
fi
version=$(basename "$tarball" .tar.gz)
version=${version#spampot-}

# dpkg-source's layout: spampot_VERSION.orig.tar.gz beside the tree.
cp "$tarball" "$work/spampot_$version.orig.tar.gz"
tar -C "$work" -xzf "$tarball"
tree="$work/spampot-$version"
cp -r "$tree/packaging/debian" "$tree/debian"

cd "$tree"
dpkg-checkbuilddeps
dpkg-buildpackage -us -uc -b
cd "$work"
lintian --fail-on error --info ./*.changes
mv -f ./*.deb ./*.changes ./*.buildinfo "$out/"
ls "$out"/*.deb
