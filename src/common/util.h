/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * util: clocks, time stamps, hex digits and socket addresses as text,
 * shared by every process.
 */
#ifndef SPAMPOT_UTIL_H
#define SPAMPOT_UTIL_H

#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

extern const char util_hexdigits[];		/* "0123456789abcdef" */

int		 util_hexval(int, int);
void		 util_hex(char *, const unsigned char *, size_t);
uint64_t	 util_now_ms(void);		/* monotonic */
void		 util_utc_stamp(char *, size_t, int compact);
int		 util_addr_text(const struct sockaddr *, char *, size_t,
		    unsigned *);
void		 util_close_from(int);
DIR		*util_opendir_at(int dirfd);

#define UTIL_HEX_LOWER	1	/* util_hexval: "a" to "f" only */

#endif
