#!/bin/sh
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# run.sh: the campaign-grouping benchmark in one go, as any user: writes
# the labelled set into a temporary directory (gen.py), builds eval
# (build.sh), runs it with the defaults and prints its markdown tables.
#   bench/campaigns/run.sh [-n N] [--seed S] [-- EVAL OPTIONS]
#   e.g. bench/campaigns/run.sh -- --sweep --ssdeep-score 30
set -eu
here=$(cd "$(dirname "$0")" && pwd)
genargs=
while [ $# -gt 0 ]; do
	case $1 in
	--) shift; break ;;
	*) genargs="$genargs $1"; shift ;;
	esac
done
dir=$(mktemp -d "${TMPDIR:-/tmp}/spampot-campaigns.XXXXXX")
trap 'rm -rf "$dir"' EXIT INT TERM
# shellcheck disable=SC2086
python3 "$here/gen.py" $genargs "$dir/set"
eval_bin=$("$here/build.sh" "$dir/eval")
"$eval_bin" "$@" "$dir/set"
