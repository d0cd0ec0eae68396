/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * fuzz_spool_read: libFuzzer entry point for the analyzer's reader of
 * spool files (src/analyzer/spool_read.c, each record parsed by
 * src/common/spoolfmt.c). The input is a whole file. A file it
 * accepts must hold what the format promises: a session id of 16 hex
 * digits, every message body within its size and NUL-terminated, the
 * transcript a string of its stated length.
 */
#include "autoconf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spool_read.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fuzz_die(const char *what)
{
	fprintf(stderr, "fuzz_spool_read: %s\n", what);
	abort();
}

static void
fuzz_check(const struct spool_session *s)
{
	size_t i;

	if (strlen(s->session_id) != 16 || s->end_reason[0] == '\0')
		fuzz_die("header fields not set");
	if (s->transcript != NULL &&
	    strlen(s->transcript) != s->transcript_len)
		fuzz_die("transcript length");
	for (i = 0; i < s->nmsgs; i++) {
		if (s->msgs[i].n != i + 1)
			fuzz_die("messages out of order");
		if (s->msgs[i].body != NULL &&
		    s->msgs[i].body[s->msgs[i].body_len] != '\0')
			fuzz_die("body not NUL-terminated");
		if (!s->msgs[i].incomplete && s->msgs[i].body_len >
		    s->msgs[i].size)
			fuzz_die("body larger than its message");
		if (s->msgs[i].from.p == NULL)
			fuzz_die("message without a sender string");
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spool_session s;
	char err[256];

	if (spool_read((const char *)data, size, &s, err, sizeof(err)) == -1) {
		if (err[0] == '\0')
			fuzz_die("failed without a reason");
		return 0;
	}
	fuzz_check(&s);
	spool_session_clear(&s);
	return 0;
}
