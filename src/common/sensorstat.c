/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * sensorstat: spampotd's status file, written by its parent and read by
 * the analyzer (sensorstat.h). The reader trusts nothing in it: a line it
 * does not know is skipped, a number out of range or a missing key makes
 * the file unreadable, and it reads at most SENSORSTAT_MAX bytes.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sensorstat.h"

#define SENSORSTAT_TMP		".status.tmp"

int
sensorstat_write(int spool_fd, const struct sensorstat *s)
{
	char text[SENSORSTAT_MAX];
	struct stat sb;
	int fd, n, saved;

	n = snprintf(text, sizeof(text), "spampotd-status 1\nversion %s\n"
	    "pid %lld\nstate %s\nstarted %lld\nwritten %lld\nworkers %lld\n"
	    "alive %lld\n", s->version, s->pid, s->state, s->started,
	    s->written, s->workers, s->alive);
	if (n < 0 || (size_t)n >= sizeof(text)) {
		errno = EOVERFLOW;
		return -1;
	}
	if ((fd = openat(spool_fd, SENSORSTAT_TMP, O_WRONLY | O_CREAT |
	    O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0640)) == -1)
		return -1;
	/* the spool's group (the analyzer's) reads it; where that fails,
	 * the file keeps the writer's group */
	if (fstat(spool_fd, &sb) == 0 && fchown(fd, (uid_t)-1, sb.st_gid))
		errno = 0;
	if (write(fd, text, (size_t)n) != n) {
		saved = errno ? errno : EIO;
		close(fd);
		unlinkat(spool_fd, SENSORSTAT_TMP, 0);
		errno = saved;
		return -1;
	}
	if (close(fd) == -1 ||
	    renameat(spool_fd, SENSORSTAT_TMP, spool_fd, SENSORSTAT_FILE) == -1)
		return -1;
	return 0;
}

/* A number of at most 18 digits, no sign. */
static int
sensorstat_number(const char *v, long long *out)
{
	char *end;

	if (*v < '0' || *v > '9' || strlen(v) > 18)
		return -1;
	errno = 0;
	*out = strtoll(v, &end, 10);
	return errno != 0 || *end != '\0' ? -1 : 0;
}

/* A word of printable ASCII that fits in dst. */
static int
sensorstat_word(const char *v, char *dst, size_t len)
{
	const char *p;

	if (*v == '\0' || strlen(v) >= len)
		return -1;
	for (p = v; *p != '\0'; p++)
		if (*p <= ' ' || *p > '~')
			return -1;
	memcpy(dst, v, strlen(v) + 1);
	return 0;
}

/* One "key value" line; *seen gets the key's bit. */
static int
sensorstat_line(char *line, struct sensorstat *s, unsigned *seen)
{
	static const char *const keys[] = { "spampotd-status", "version",
	    "pid", "state", "started", "written", "workers", "alive" };
	long long *nums[] = { NULL, NULL, &s->pid, NULL, &s->started,
	    &s->written, &s->workers, &s->alive };
	long long v;
	char *val;
	size_t i;

	if ((val = strchr(line, ' ')) == NULL)
		return 0;
	*val++ = '\0';
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(line, keys[i]) == 0)
			break;
	if (i == sizeof(keys) / sizeof(keys[0]))
		return 0;		/* a later version's key */
	if (i == 1 && sensorstat_word(val, s->version, sizeof(s->version)))
		return -1;
	if (i == 3 && sensorstat_word(val, s->state, sizeof(s->state)))
		return -1;
	if (i == 0 && strcmp(val, "1") != 0)
		return -1;
	if (nums[i] != NULL) {
		if (sensorstat_number(val, &v) == -1)
			return -1;
		*nums[i] = v;
	}
	*seen |= 1U << i;
	return 0;
}

int
sensorstat_read(int spool_fd, struct sensorstat *s, char *err,
    size_t errlen)
{
	char text[SENSORSTAT_MAX + 1], *line, *next;
	unsigned seen = 0;
	ssize_t n;
	int fd;

	memset(s, 0, sizeof(*s));
	if ((fd = openat(spool_fd, SENSORSTAT_FILE, O_RDONLY | O_NOFOLLOW |
	    O_NONBLOCK | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "%s: %s", SENSORSTAT_FILE,
		    strerror(errno));
		return -1;
	}
	n = read(fd, text, sizeof(text));
	close(fd);
	if (n < 0 || n > SENSORSTAT_MAX) {
		snprintf(err, errlen, "%s: %s", SENSORSTAT_FILE, n < 0 ?
		    strerror(errno) : "too long");
		errno = n < 0 ? errno : EFBIG;
		return -1;
	}
	text[n] = '\0';
	for (line = text; line != NULL && *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (sensorstat_line(line, s, &seen) == -1) {
			seen = 0;
			break;
		}
	}
	if (seen != 0xff) {
		snprintf(err, errlen, "%s: not spampotd's status",
		    SENSORSTAT_FILE);
		errno = EINVAL;
		return -1;
	}
	return 0;
}
