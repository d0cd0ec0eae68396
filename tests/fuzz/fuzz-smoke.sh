#!/bin/bash
# fuzz-smoke.sh: make check's short fuzzing run. Builds the libFuzzer
# targets with clang, ASan and UBSan, replays every input of
# tests/data/fuzz/NAME/ and fuzzes each target briefly from its seeds
# (tests/fuzz/run.sh smoke). Fails on any crash, leak, timeout or sanitizer
# report; SKIPs (77) when clang or libFuzzer is not installed.
src=${SPAMPOT_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${SPAMPOT_BUILDDIR:-$(pwd)}
exec bash "$src/tests/fuzz/run.sh" smoke "$src" "$build"
