/*
 * fsrate: the filesystem's own rate for what spampotd does once per
 * session: create a file in DIR/tmp, write 1 KiB to it, (fsync it,) close
 * it, rename it into DIR/new. The physical limit of one file per session,
 * measured by the benchmark (bench/bench.sh) beside the sensor's spool on
 * the same filesystem.
 *
 *   fsrate DIR COUNT PROCS SIZE FSYNC
 *
 * PROCS processes (as many as spampotd has workers) share COUNT files.
 * Prints the files per second. DIR/tmp and DIR/new must exist.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double
fsrate_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
fsrate_one(int dirfd, const char *buf, size_t size, int do_fsync, int proc,
    long i)
{
	char tmp[64], new[64];
	int fd;

	snprintf(tmp, sizeof(tmp), "tmp/%d-%ld", proc, i);
	snprintf(new, sizeof(new), "new/%d-%ld", proc, i);
	if ((fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0640)) == -1)
		return -1;
	if (write(fd, buf, size) != (ssize_t)size ||
	    (do_fsync && fsync(fd) == -1)) {
		close(fd);
		return -1;
	}
	close(fd);
	return renameat(dirfd, tmp, dirfd, new);
}

int
main(int argc, char *argv[])
{
	long count, i, per;
	int procs, p, dirfd, status, do_fsync, failed = 0;
	size_t size;
	char *buf;
	double t0;

	if (argc != 6) {
		fprintf(stderr, "usage: fsrate DIR COUNT PROCS SIZE FSYNC\n");
		return 2;
	}
	count = atol(argv[2]);
	procs = atoi(argv[3]);
	size = (size_t)atol(argv[4]);
	do_fsync = atoi(argv[5]);
	if (count < 1 || procs < 1 || (buf = malloc(size)) == NULL)
		return 2;
	memset(buf, 'x', size);
	if ((dirfd = open(argv[1], O_RDONLY | O_DIRECTORY)) == -1) {
		perror(argv[1]);
		return 1;
	}
	per = count / procs;
	t0 = fsrate_now();
	for (p = 0; p < procs; p++) {
		if (fork() == 0) {
			for (i = 0; i < per; i++)
				if (fsrate_one(dirfd, buf, size, do_fsync, p,
				    i) == -1) {
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
