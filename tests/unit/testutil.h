/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * testutil: what the unit tests share: reading whole files (a spool file,
 * a golden file of tests/data), CRLF line ends as SMTP delivers them,
 * temporary directories and the golden messages of tests/data/mail. Only
 * the unit tests (make check) link it, unprivileged and unsandboxed; the
 * helpers that cannot go on fail the running cmocka test.
 */
#ifndef SPAMPOT_TESTUTIL_H
#define SPAMPOT_TESTUTIL_H

#include <stddef.h>

/*
 * The whole file at path (relative to dirfd, or AT_FDCWD), NUL-terminated,
 * its length in *len. NULL with errno set when it cannot be read.
 */
char		*tu_read_at(int dirfd, const char *path, size_t *len);

/* tests/data/SUB/NAMEEXT (SPAMPOT_TEST_DATA): the test fails if missing. */
char		*tu_data_file(const char *sub, const char *name, const char *ext,
		    size_t *len);

/* A copy of p[0..n) with every bare LF made CRLF, NUL-terminated. */
unsigned char	*tu_to_crlf(const char *p, size_t n, size_t *outlen);

/* A new directory /tmp/spampot-test-NAME-XXXXXX in dir: 0, or -1. */
int		 tu_tmpdir(char *dir, size_t size, const char *name);

/* Remove dir and everything below it, as far as possible. */
void		 tu_rmtree(const char *dir);

/*
 * A golden message: tests/data/mail/NAME.eml (with CRLF line ends when
 * crlf is set) and what NAME.expect says of it.
 */
struct tu_golden {
	const char	*name;
	int		 crlf;
	unsigned char	*raw;		/* the message to parse */
	size_t		 len;
	char		*expect;	/* NAME.expect, NUL-terminated */
	size_t		 expectlen;
	char		*eml;		/* NAME.eml as it is on disk */
};

void		 tu_golden_load(struct tu_golden *, const char *name, int crlf);
void		 tu_golden_clear(struct tu_golden *);

/*
 * The cmocka tests of a golden message, as written and with CRLF line
 * ends: each calls run(name, crlf) through tu_golden_test.
 */
struct tu_golden_case {
	const char	*name;
	int		 crlf;
	void		(*run)(const char *name, int crlf);
};
void		 tu_golden_test(void **state);
#define TU_GOLDEN(name, run) \
	{ name, tu_golden_test, NULL, NULL, \
	    &(struct tu_golden_case){ name, 0, run } }, \
	{ name " (CRLF)", tu_golden_test, NULL, NULL, \
	    &(struct tu_golden_case){ name, 1, run } }
/* Every message of tests/data/mail. */
#define TU_GOLDEN_MAIL(run) \
	TU_GOLDEN("plain", run), \
	TU_GOLDEN("html", run), \
	TU_GOLDEN("alternative", run), \
	TU_GOLDEN("nested", run), \
	TU_GOLDEN("forward", run), \
	TU_GOLDEN("encodings", run), \
	TU_GOLDEN("uuencode", run), \
	TU_GOLDEN("nocharset", run), \
	TU_GOLDEN("oddnames", run), \
	TU_GOLDEN("noclose", run), \
	TU_GOLDEN("badcte", run), \
	TU_GOLDEN("noboundary", run), \
	TU_GOLDEN("garbage", run), \
	TU_GOLDEN("headersonly", run), \
	TU_GOLDEN("received", run), \
	TU_GOLDEN("patterns", run)

#endif
