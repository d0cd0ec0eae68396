/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * afl_main: a main() for the libFuzzer entry points of tests/fuzz, for
 * AFL++ (afl-clang-fast) or for replaying inputs without libFuzzer.
 *
 * Built by afl-clang-fast, it runs in AFL++'s persistent mode when no file
 * is named: test cases come through shared memory, many per process. With
 * files named (or none and another compiler), each file (or standard
 * input) is run once. Every input is copied into a buffer of its own size,
 * so AddressSanitizer sees a read past its end. Linked as main() into the
 * fuzzers of a build configured with CC=afl-clang-fast
 * --enable-fuzzing=afl; it runs in afl-fuzz's fuzzing process, as the
 * user who runs it, without a sandbox.
 */
#include "autoconf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#ifdef __AFL_FUZZ_TESTCASE_LEN
__AFL_FUZZ_INIT();
#endif

static void
afl_run(const unsigned char *p, size_t n)
{
	uint8_t *copy;

	if ((copy = malloc(n ? n : 1)) == NULL) {
		perror("afl_main");
		exit(1);
	}
	memcpy(copy, p, n);
	LLVMFuzzerTestOneInput(copy, n);
	free(copy);
}

static int
afl_run_file(const char *path)
{
	unsigned char chunk[65536], *data = NULL, *p;
	size_t len = 0, n;
	FILE *fp = path ? fopen(path, "rb") : stdin;

	if (fp == NULL) {
		perror(path);
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
		if ((p = realloc(data, len + n)) == NULL) {
			perror("afl_main");
			exit(1);
		}
		data = p;
		memcpy(data + len, chunk, n);
		len += n;
	}
	if (path != NULL)
		fclose(fp);
	afl_run(data, len);
	free(data);
	return 0;
}

int
main(int argc, char **argv)
{
	int i, rc = 0;

#ifdef __AFL_FUZZ_TESTCASE_LEN
	if (argc < 2) {
		unsigned char *buf;

		__AFL_INIT();
		buf = __AFL_FUZZ_TESTCASE_BUF;
		while (__AFL_LOOP(10000))
			afl_run(buf, (size_t)__AFL_FUZZ_TESTCASE_LEN);
		return 0;
	}
#endif
	if (argc < 2)
		return afl_run_file(NULL) == 0 ? 0 : 1;
	for (i = 1; i < argc; i++)
		if (afl_run_file(argv[i]) == -1)
			rc = 1;
	return rc;
}
