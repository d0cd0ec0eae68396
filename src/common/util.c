/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * util: clocks, UTC time stamps, hex digits, socket addresses as text.
 * Used by every process; no privileges needed. (Peer bytes bound for a
 * log line are escaped with the spool format's escape, spoolfmt.c.)
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

const char util_hexdigits[] = "0123456789abcdef";

/* The value of hex digit c, -1 when it is none; with UTIL_HEX_LOWER the
 * lower-case digits only, as the spool format writes them. */
int
util_hexval(int c, int flags)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F' && !(flags & UTIL_HEX_LOWER))
		return c - 'A' + 10;
	return -1;
}

/* n bytes as 2 * n lower-case hex digits and a NUL (dst: 2 * n + 1). */
void
util_hex(char *dst, const unsigned char *src, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		dst[2 * i] = util_hexdigits[src[i] >> 4];
		dst[2 * i + 1] = util_hexdigits[src[i] & 15];
	}
	dst[2 * n] = '\0';
}

uint64_t
util_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/*
 * UTC time with microseconds: "2026-11-26T16:11:16.123456Z", or the compact
 * form "20261126T161116.123456Z" used in spool file names.
 */
void
util_utc_stamp(char *dst, size_t len, int compact)
{
	struct timespec ts;
	struct tm tm;
	char date[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(date, sizeof(date),
	    compact ? "%Y%m%dT%H%M%S" : "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(dst, len, "%s.%06ldZ", date, ts.tv_nsec / 1000);
}

/* Numeric address text and port of an IPv4 or IPv6 socket address. */
int
util_addr_text(const struct sockaddr *sa, char *dst, size_t len,
    unsigned *port)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;
	struct in_addr v4;

	if (sa->sa_family == AF_INET) {
		*port = ntohs(sin->sin_port);
		return inet_ntop(AF_INET, &sin->sin_addr, dst, len) ? 0 : -1;
	}
	if (sa->sa_family != AF_INET6)
		return -1;
	*port = ntohs(sin6->sin6_port);
	/* A v4-mapped peer on a dual-stack socket is shown as plain IPv4. */
	if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
		memcpy(&v4, &sin6->sin6_addr.s6_addr[12], sizeof(v4));
		return inet_ntop(AF_INET, &v4, dst, len) ? 0 : -1;
	}
	return inet_ntop(AF_INET6, &sin6->sin6_addr, dst, len) ? 0 : -1;
}

/*
 * Close every fd from lowfd up, first thing in main: whatever a wrapper
 * script or a service manager left open (a secret file, a journal stream
 * beyond 2) is not ours to hold, nor a worker's to inherit. Where the
 * kernel has no close_range (before 5.9), one close per possible fd.
 */
void
util_close_from(int lowfd)
{
	long fd, max;

#ifdef SYS_close_range
	if (syscall(SYS_close_range, (unsigned)lowfd, ~0U, 0) == 0)
		return;
#endif
	if ((max = sysconf(_SC_OPEN_MAX)) == -1 || max > (1L << 20))
		max = 1L << 20;
	for (fd = lowfd; fd < max; fd++)
		(void)close((int)fd);
}

/*
 * A listing of the directory DIRFD from its start, DIRFD kept open: a
 * dup of it (closedir closes the dup), rewound, because a dup shares the
 * offset the last listing left at the end. NULL: errno says why.
 */
DIR *
util_opendir_at(int dirfd)
{
	DIR *d;
	int fd;

	if ((fd = dup(dirfd)) == -1)
		return NULL;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return NULL;
	}
	rewinddir(d);
	return d;
}
