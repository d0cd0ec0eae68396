/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * buf: growable byte buffers for session input, replies and spool records.
 * Runs in the workers (and in the parent for log relay); plain memory only,
 * no system calls beyond what malloc needs.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"

int
buf_reserve(struct buf *b, size_t extra)
{
	size_t need, cap;
	char *p;

	if (extra > ((size_t)-1) / 2 - b->len)
		return -1;
	need = b->len + extra;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap *= 2;
	if ((p = realloc(b->data, cap)) == NULL)
		return -1;
	b->data = p;
	b->cap = cap;
	return 0;
}

int
buf_append(struct buf *b, const void *p, size_t n)
{
	if (n == 0)
		return 0;
	if (buf_reserve(b, n) == -1)
		return -1;
	memcpy(b->data + b->len, p, n);
	b->len += n;
	return 0;
}

int
buf_appendf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || buf_reserve(b, (size_t)n + 1) == -1)
		return -1;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

/* Drop the first n bytes. */
void
buf_consume(struct buf *b, size_t n)
{
	if (n >= b->len) {
		b->len = 0;
		return;
	}
	memmove(b->data, b->data + n, b->len - n);
	b->len -= n;
}

void
buf_release(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

/* Give memory back when the buffer is empty and grew past keep_cap. */
void
buf_trim(struct buf *b, size_t keep_cap)
{
	if (b->len == 0 && b->cap > keep_cap)
		buf_release(b);
}

int
buf_read_at(struct buf *b, int dirfd, const char *name, size_t max)
{
	char chunk[65536];
	size_t start = b->len;
	ssize_t n;
	int fd, saved;

	if ((fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) ==
	    -1)
		return -1;
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		if (b->len - start + (size_t)n > max) {
			errno = EFBIG;
			n = -1;
			break;
		} else if (buf_append(b, chunk, (size_t)n) == -1) {
			errno = ENOMEM;
			n = -1;
			break;
		}
	saved = errno;
	close(fd);
	errno = saved;
	return n == 0 ? 0 : -1;
}
