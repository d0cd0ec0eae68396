/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * fuzz_inspect: libFuzzer entry point for what the analyzer's parse child
 * makes of an attachment (src/analyzer/inspect.c): its real type with
 * libmagic and, for an archive, its members with libarchive, nested. The
 * input is the attachment's decoded bytes, named "invoice.zip" and
 * declared application/octet-stream, with two passwords to try.
 *
 * Checked on every input: it succeeds (only running out of memory may
 * fail it); every string is valid UTF-8; the limits hold: no more
 * members than allowed, no deeper than allowed, no more bytes read than
 * allowed; every member's digests are hex of their length or empty.
 */
#include "autoconf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inspect.h"
#include "utf8.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const struct inspect_limits fuzz_limits = { 3, 200, 4 << 20, 100 };
static struct inspect_ctx *fuzz_ctx;

static void
fuzz_die(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_inspect: %s%s%s\n", what, detail ? ": " : "",
	    detail ? detail : "");
	abort();
}

static void
fuzz_cleanup(void)
{
	inspect_close(fuzz_ctx);
}

static void
fuzz_utf8(const char *what, const char *s)
{
	if (s != NULL && utf8_prefix(s, strlen(s)) != strlen(s))
		fuzz_die("not valid UTF-8", what);
}

static void
fuzz_hex(const char *what, const char *s, size_t len)
{
	size_t n = strlen(s);

	if (n != 0 && (n != len || strspn(s, "0123456789abcdef") != n))
		fuzz_die("not a digest", what);
}

static void
fuzz_check(const struct inspect_result *r)
{
	uint64_t bytes = 0;
	size_t i;

	fuzz_utf8("real type", r->real_type);
	fuzz_utf8("password", r->password);
	if (r->nmembers > fuzz_limits.members)
		fuzz_die("more members than the limit", NULL);
	for (i = 0; i < r->nmembers; i++) {
		const struct inspect_member *m = &r->members[i];

		fuzz_utf8("member path", m->path);
		fuzz_utf8("member type", m->real_type);
		if (m->depth < 1 || m->depth > fuzz_limits.depth + 1)
			fuzz_die("a member deeper than the limit", m->path);
		fuzz_hex("md5", m->md5, 32);
		fuzz_hex("sha1", m->sha1, 40);
		fuzz_hex("sha256", m->sha256, 64);
		bytes += m->size;
	}
	if (bytes > fuzz_limits.bytes)
		fuzz_die("more bytes read than the limit", NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const passwords[] = { "infected", "Xk42pq" };
	struct inspect_result r;
	char err[256];

	if (fuzz_ctx == NULL) {
		if ((fuzz_ctx = inspect_open(&fuzz_limits, err,
		    sizeof(err))) == NULL)
			fuzz_die("inspect_open", err);
		atexit(fuzz_cleanup);
	}
	memset(&r, 0, sizeof(r));
	if (inspect_attachment(fuzz_ctx, "invoice.zip",
	    "application/octet-stream", data, size, passwords, 2, NULL, NULL,
	    &r) == -1)
		fuzz_die("inspect_attachment failed", NULL);
	fuzz_check(&r);
	inspect_result_clear(&r);
	return 0;
}
