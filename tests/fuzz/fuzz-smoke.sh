#!/bin/bash
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
#
# fuzz-smoke.sh: make check's short fuzzing run. In a build configured
# with CC=clang --enable-fuzzing, replays every input of
# tests/data/fuzz/NAME/ through the libFuzzer target fuzz_NAME and fuzzes
# each target briefly from its seeds (tests/fuzz/run.sh smoke). Fails on
# any crash, leak, timeout or sanitizer report; SKIPs (77), saying why, in
# a build without the libFuzzer targets.
src=${SPAMPOT_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${SPAMPOT_BUILDDIR:-$(pwd)}
exec bash "$src/tests/fuzz/run.sh" smoke "$src" "$build"
