/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * testutil: the helpers every unit test links (testutil.h). Runs in the
 * unit tests only (make check), as the user who runs them, without a
 * sandbox.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "buf.h"
#include "testutil.h"

char *
tu_read_at(int dirfd, const char *path, size_t *len)
{
	struct stat st;
	char *p = NULL;
	int fd, saved;

	if ((fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC)) == -1)
		return NULL;
	if (fstat(fd, &st) == -1 ||
	    (p = malloc((size_t)st.st_size + 1)) == NULL)
		goto fail;
	if (read(fd, p, (size_t)st.st_size) != st.st_size) {
		if (errno == 0)
			errno = EIO;
		goto fail;
	}
	p[st.st_size] = '\0';
	*len = (size_t)st.st_size;
	close(fd);
	return p;
fail:
	saved = errno;
	free(p);
	close(fd);
	errno = saved;
	return NULL;
}

char *
tu_data_file(const char *sub, const char *name, const char *ext, size_t *len)
{
	const char *dir = getenv("SPAMPOT_TEST_DATA");
	char path[4096], *p;

	if (dir == NULL)
		fail_msg("SPAMPOT_TEST_DATA is not set (make check sets it)");
	snprintf(path, sizeof(path), "%s/%s/%s%s", dir, sub, name, ext);
	if ((p = tu_read_at(AT_FDCWD, path, len)) == NULL)
		fail_msg("cannot open %s", path);
	return p;
}

unsigned char *
tu_to_crlf(const char *p, size_t n, size_t *outlen)
{
	struct buf b = { NULL, 0, 0 };
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] == '\n' && (i == 0 || p[i - 1] != '\r'))
			assert_int_equal(buf_append(&b, "\r", 1), 0);
		assert_int_equal(buf_append(&b, p + i, 1), 0);
	}
	assert_int_equal(buf_append(&b, "", 1), 0);
	*outlen = b.len - 1;
	return (unsigned char *)b.data;
}

int
tu_tmpdir(char *dir, size_t size, const char *name)
{
	int n;

	n = snprintf(dir, size, "/tmp/spampot-test-%s-XXXXXX", name);
	if (n < 0 || (size_t)n >= size) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int
tu_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

void
tu_rmtree(const char *dir)
{
	nftw(dir, tu_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

void
tu_golden_load(struct tu_golden *g, const char *name, int crlf)
{
	memset(g, 0, sizeof(*g));
	g->name = name;
	g->crlf = crlf;
	g->eml = tu_data_file("mail", name, ".eml", &g->len);
	if (crlf)
		g->raw = tu_to_crlf(g->eml, g->len, &g->len);
	else
		g->raw = (unsigned char *)g->eml;
	g->expect = tu_data_file("mail", name, ".expect", &g->expectlen);
}

void
tu_golden_clear(struct tu_golden *g)
{
	if (g->raw != (unsigned char *)g->eml)
		free(g->raw);
	free(g->eml);
	free(g->expect);
	memset(g, 0, sizeof(*g));
}

void
tu_golden_test(void **state)
{
	const struct tu_golden_case *c = *state;

	c->run(c->name, c->crlf);
}
