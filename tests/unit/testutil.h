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
 * The cmocka tests of every golden message, each as written and with CRLF
 * line ends: test(state) and test_crlf(state), *state the message's name.
 */
#define TU_GOLDEN(name, test, test_crlf) \
	{ name, test, NULL, NULL, (void *)name }, \
	{ name " (CRLF)", test_crlf, NULL, NULL, (void *)name }
#define TU_GOLDEN_MAIL(test, test_crlf) \
	TU_GOLDEN("plain", test, test_crlf), \
	TU_GOLDEN("html", test, test_crlf), \
	TU_GOLDEN("alternative", test, test_crlf), \
	TU_GOLDEN("nested", test, test_crlf), \
	TU_GOLDEN("forward", test, test_crlf), \
	TU_GOLDEN("encodings", test, test_crlf), \
	TU_GOLDEN("uuencode", test, test_crlf), \
	TU_GOLDEN("nocharset", test, test_crlf), \
	TU_GOLDEN("oddnames", test, test_crlf), \
	TU_GOLDEN("noclose", test, test_crlf), \
	TU_GOLDEN("badcte", test, test_crlf), \
	TU_GOLDEN("noboundary", test, test_crlf), \
	TU_GOLDEN("garbage", test, test_crlf), \
	TU_GOLDEN("headersonly", test, test_crlf), \
	TU_GOLDEN("received", test, test_crlf), \
	TU_GOLDEN("patterns", test, test_crlf)

#endif
