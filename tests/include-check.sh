#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# The include boundary of the source tree (HACKING.md): a program's files
# include their own folder's headers, src/common's and autoconf.h, never
# another program's; src/common includes only itself. A path in an
# include ("../sensor/spool.h") is refused too: it is how a boundary is
# crossed without anyone noticing.
src=${SPAMPOT_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}/src
bad=0
checked=0
for dir in "$src"/*/; do
	dir=${dir%/}
	for f in "$dir"/*.[ch]; do
		checked=$((checked + 1))
		while IFS=: read -r line hdr; do
			case $hdr in
			autoconf.h) continue ;;
			*/*) ;;
			*)	[ -f "$dir/$hdr" ] && continue
				[ -f "$src/common/$hdr" ] && continue ;;
			esac
			echo "${f#"$src"/}:$line: includes \"$hdr\", outside" \
			    "src/${dir##*/} and src/common" >&2
			bad=$((bad + 1))
		done < <(awk '/^[ \t]*#[ \t]*include[ \t]*"/ {
		    split($0, q, "\""); print FNR ":" q[2] }' "$f")
	done
done
if [ "$checked" -eq 0 ]; then
	echo "include-check: no source files under $src" >&2
	exit 1
fi
echo "include-check: $checked files, $bad includes across a boundary"
[ "$bad" -eq 0 ]
