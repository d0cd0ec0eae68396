/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * fsrate: the filesystem's own rate for what spampotd does once per
 * session: create a file in DIR/tmp, write 1 KiB to it, (fsync it,) close
 * it, rename it into DIR/new. The physical limit of one file per session,
 * measured by the benchmark (bench/bench.sh) beside the sensor's spool on
 * the same filesystem.
 *
 *   fsrate [-d] DIR COUNT PROCS SIZE FSYNC
 *
 * PROCS processes (as many as spampotd has workers) share COUNT files,
 * created in DIR/tmp, or with -d each in a directory of its own,
 * DIR/tmp/fsrate-<n> (made when missing, kept for the next run), as
 * spampotd's workers do. Prints the files per second.
 * DIR/tmp and DIR/new must exist. File names carry the process id, so
 * that runs into the same new/ do not meet.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct fsrate {
	int		 dirfd;
	int		 pid;		/* in the file names */
	const char	*buf;
	size_t		 size;
	int		 do_fsync;
	char		 tmp[32];	/* "tmp" or "tmp/fsrate-<n>" */
};

static double
fsrate_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
fsrate_one(const struct fsrate *f, long i)
{
	char tmp[96], new[64];
	int fd;

	snprintf(tmp, sizeof(tmp), "%s/%d-%ld", f->tmp, f->pid, i);
	snprintf(new, sizeof(new), "new/%d-%ld", f->pid, i);
	if ((fd = openat(f->dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL |
	    O_CLOEXEC, 0640)) == -1)
		return -1;
	if (write(fd, f->buf, f->size) != (ssize_t)f->size ||
	    (f->do_fsync && fsync(fd) == -1)) {
		close(fd);
		return -1;
	}
	close(fd);
	return renameat(f->dirfd, tmp, f->dirfd, new);
}

/* Process n's share; with own_dir, in a directory of its own. */
static int
fsrate_proc(struct fsrate *f, long count, int own_dir, int n)
{
	long i;
	int rc = 0;

	f->pid = (int)getpid();
	snprintf(f->tmp, sizeof(f->tmp), "tmp");
	if (own_dir) {
		snprintf(f->tmp, sizeof(f->tmp), "tmp/fsrate-%d", n);
		if (mkdirat(f->dirfd, f->tmp, 0700) == -1 && errno != EEXIST)
			return -1;
	}
	for (i = 0; i < count && rc == 0; i++)
		rc = fsrate_one(f, i);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct fsrate f;
	long count, per;
	int procs, p, status, own_dir = 0, failed = 0;
	char *buf;
	double t0;

	if (argc > 1 && strcmp(argv[1], "-d") == 0) {
		own_dir = 1;
		argc--;
		argv++;
	}
	if (argc != 6) {
		fprintf(stderr,
		    "usage: fsrate [-d] DIR COUNT PROCS SIZE FSYNC\n");
		return 2;
	}
	memset(&f, 0, sizeof(f));
	count = atol(argv[2]);
	procs = atoi(argv[3]);
	f.size = (size_t)atol(argv[4]);
	f.do_fsync = atoi(argv[5]);
	if (count < 1 || procs < 1 || (buf = malloc(f.size)) == NULL)
		return 2;
	memset(buf, 'x', f.size);
	f.buf = buf;
	if ((f.dirfd = open(argv[1], O_RDONLY | O_DIRECTORY)) == -1) {
		perror(argv[1]);
		return 1;
	}
	per = count / procs;
	t0 = fsrate_now();
	for (p = 0; p < procs; p++) {
		if (fork() == 0) {
			if (fsrate_proc(&f, per, own_dir, p) == -1) {
				perror("fsrate");
				_exit(1);
			}
			_exit(0);
		}
	}
	while (wait(&status) > 0)
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			failed = 1;
	if (failed)
		return 1;
	printf("%.1f\n", per * procs / (fsrate_now() - t0));
	return 0;
}
