/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * quarantine: the analyzer's content-addressed store of attachments, on
 * when attachments_dir is set: DIR/ab/abcdef... (the SHA-256), mode 0400,
 * written once (a file already there is the same content). Malware is kept
 * as data: never executable, never opened by spampot again.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "quarantine.h"

int
quarantine_save(const char *dir, const char *sha256, const unsigned char *p,
    size_t n)
{
	char sub[4096], path[4200], tmp[4300];
	ssize_t w;
	int fd;

	if (strlen(sha256) != 64)
		return -1;
	snprintf(sub, sizeof(sub), "%s/%.2s", dir, sha256);
	snprintf(path, sizeof(path), "%s/%s", sub, sha256);
	if (access(path, F_OK) == 0)
		return 0;
	if (mkdir(sub, 0750) == -1 && errno != EEXIST)
		return -1;
	/* written under a temporary name, renamed when complete */
	snprintf(tmp, sizeof(tmp), "%s.%d.tmp", path, (int)getpid());
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
	    O_NOFOLLOW, 0400)) == -1)
		return -1;
	while (n > 0) {
		if ((w = write(fd, p, n)) == -1) {
			if (errno == EINTR)
				continue;
			close(fd);
			unlink(tmp);
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	if (fsync(fd) == -1 || close(fd) == -1 || rename(tmp, path) == -1) {
		unlink(tmp);
		return -1;
	}
	return 0;
}
