/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * buf: a growable byte buffer that allocates nothing until it is first used
 * and can give its memory back, so an idle SMTP session costs a few bytes.
 */
#ifndef SPAMPOT_BUF_H
#define SPAMPOT_BUF_H

#include <stddef.h>

struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
};

int	 buf_reserve(struct buf *, size_t extra);
int	 buf_append(struct buf *, const void *, size_t);
int	 buf_appendf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 buf_consume(struct buf *, size_t);
void	 buf_release(struct buf *);
void	 buf_trim(struct buf *, size_t keep_cap);
/* The file NAME of directory DIRFD appended whole, at most MAX bytes
 * (O_NOFOLLOW). -1: errno says why (EFBIG: larger than MAX). */
int	 buf_read_at(struct buf *, int dirfd, const char *name, size_t max);

#endif
