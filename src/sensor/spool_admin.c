/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * spool_admin: the parent's side of the spool. spool_prepare() creates the
 * tree as root before the privilege drop; spool_recover() runs unprivileged,
 * at start and after a worker died, and turns what a crash left in tmp/
 * into complete files in new/, ended with "reason=crash", so nothing
 * captured is lost.
 */
#include "autoconf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"
#include "spool.h"
#include "spoolfmt.h"

/* Directory, mode: the sensor writes tmp/ and new/, the analyzer (in the
 * spool group) moves files from new/ to done/ or bad/. */
static const struct {
	const char	*name;
	mode_t		 mode;
} spool_dirs[] = {
	{ "tmp", 02700 },	/* setgid: files get the spool group */
	{ "new", 02770 },
	{ "done", 02770 },
	{ "bad", 02770 },
};

static int
spool_prepare_dir(int parent, const char *name, mode_t mode, uid_t uid,
    gid_t gid)
{
	int fd;

	if (mkdirat(parent, name, mode) == -1 && errno != EEXIST)
		return -1;
	fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (fd == -1)
		return -1;
	if (fchown(fd, uid, gid) == -1 || fchmod(fd, mode) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Create or fix the spool tree; returns an fd of its top directory. */
int
spool_prepare(const char *path, uid_t uid, gid_t gid)
{
	size_t i;
	int top, fd;

	if (mkdir(path, 0750) == -1 && errno != EEXIST)
		return -1;
	if ((top = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	if (fchown(top, uid, gid) == -1 || fchmod(top, 0750) == -1)
		goto fail;
	for (i = 0; i < sizeof(spool_dirs) / sizeof(spool_dirs[0]); i++) {
		fd = spool_prepare_dir(top, spool_dirs[i].name,
		    spool_dirs[i].mode, uid, gid);
		if (fd == -1) {
			log_warn("spool %s/%s", path, spool_dirs[i].name);
			goto fail;
		}
		close(fd);
	}
	return top;
fail:
	close(top);
	return -1;
}

/* Is pid a live spampot process still writing its files? */
static int
spool_writer_alive(pid_t pid)
{
	char path[64], comm[32] = "";
	FILE *fp;

	if (pid == getpid() || (kill(pid, 0) == -1 && errno == ESRCH))
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	if ((fp = fopen(path, "re")) == NULL)
		return 0;
	if (fgets(comm, sizeof(comm), fp) == NULL)
		comm[0] = '\0';
	fclose(fp);
	return strncmp(comm, "spampot", 7) == 0;
}

static int
spool_body_length(const char *line, unsigned long long *len)
{
	char *end;

	if (strncmp(line, "body ", 5) != 0)
		return 0;
	*len = strtoull(line + 5, &end, 10);
	return *end == '\n';
}

/*
 * Walk the records; return the offset where the complete ones end, and
 * patch a body record that was cut short so that it holds what is there.
 * *ended is set when the file already has its end record.
 */
static off_t
spool_valid_prefix(int fd, off_t size, int *ended, int *patched,
    char *start, size_t startlen)
{
	char digits[SPOOL_BODY_DIGITS], *line = NULL;
	unsigned long long blen;
	size_t cap = 0;
	ssize_t n;
	off_t good = 0, body;
	FILE *fp;
	int dupfd;

	*ended = *patched = 0;
	if ((dupfd = dup(fd)) == -1 || (fp = fdopen(dupfd, "r")) == NULL)
		return -1;
	while ((n = getline(&line, &cap, fp)) > 0) {
		if (line[n - 1] != '\n')
			break;			/* a record cut short */
		if (strncmp(line, "end ", 4) == 0)
			*ended = 1;
		if (strncmp(line, "start ", 6) == 0)
			snprintf(start, startlen, "%.*s", (int)(n - 7), line + 6);
		if (!spool_body_length(line, &blen)) {
			good += n;
			continue;
		}
		body = good + n;
		if ((unsigned long long)(size - body) < blen + 1) {
			/* Keep the bytes that made it; fix the length. */
			spoolfmt_body_digits(digits, (uint64_t)(size - body));
			if (pwrite(fd, digits, sizeof(digits), good +
			    SPOOLFMT_BODY_AT) != (ssize_t)sizeof(digits))
				good = -1;
			else {
				good = size;
				*patched = 1;
			}
			break;
		}
		good = body + (off_t)blen + 1;
		if (fseeko(fp, good, SEEK_SET) == -1)
			break;
	}
	free(line);
	fclose(fp);
	return good;
}

/* Completes tmp/<where><tmpname> (tmpfd is its directory) as new/<name>.
 * Returns 0, 1 when it was empty and removed, -1 on error. */
static int
spool_recover_file(int tmpfd, int dirfd, const char *where,
    const char *tmpname, const char *name)
{
	char stamp[64], date[32], newname[SPOOL_NAME_MAX + 8];
	char start[64] = "";
	struct buf end = { 0 };
	struct stat st;
	struct tm tm;
	off_t good;
	int fd, ended, patched, rc = -1;

	if ((fd = openat(tmpfd, tmpname, O_RDWR | O_CLOEXEC | O_NOFOLLOW)) == -1)
		return -1;
	if (fstat(fd, &st) == -1)
		goto done;
	if (st.st_size == 0) {
		/* the worker died between creating it and its first write:
		 * no client byte was read, nothing to keep */
		rc = unlinkat(tmpfd, tmpname, 0) == -1 ? -1 : 1;
		log_info("spool: tmp/%s%s is empty (no session began); "
		    "removed", where, tmpname);
		goto done;
	}
	if ((good = spool_valid_prefix(fd, st.st_size, &ended, &patched,
	    start, sizeof(start))) == -1)
		goto done;
	if (!ended) {
		/* The last write is the best guess of when the session ended
		 * (file times are coarse: never before the start). */
		gmtime_r(&st.st_mtim.tv_sec, &tm);
		strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
		snprintf(stamp, sizeof(stamp), "%s.%06ldZ", date,
		    st.st_mtim.tv_nsec / 1000);
		if (strcmp(start, stamp) > 0)
			snprintf(stamp, sizeof(stamp), "%s", start);
		/* after the line feed that ends a patched body */
		if ((patched && buf_append(&end, "\n", 1) == -1) ||
		    spoolfmt_end(&end, stamp, "crash") == -1 ||
		    ftruncate(fd, good) == -1 ||
		    pwrite(fd, end.data, end.len, good) != (ssize_t)end.len)
			goto done;
	}
	if (fsync(fd) == -1)
		goto done;
	snprintf(newname, sizeof(newname), "new/%s", name);
	rc = renameat(tmpfd, tmpname, dirfd, newname);
done:
	buf_release(&end);
	close(fd);
	return rc;
}

/* Recovers one file; returns 1 when a session went to new/, else 0. */
static int
spool_recover_one(int tmpfd, int dirfd, const char *where,
    const char *tmpname, const char *name, long pid)
{
	int rc;

	if ((rc = spool_recover_file(tmpfd, dirfd, where, tmpname,
	    name)) == -1) {
		log_warn("spool: cannot recover tmp/%s%s", where, tmpname);
		return 0;
	}
	if (rc == 1)
		return 0;	/* empty: removed */
	log_info("spool: recovered %s (worker %ld ended before the session)",
	    name, pid);
	return 1;
}

/* A worker's directory, tmp/<pid>/: every file in it, then the directory
 * itself, unless something could not be recovered. */
static int
spool_recover_dir(int tmpfd, int dirfd, const char *dname, long pid)
{
	struct dirent *de;
	char where[NAME_MAX + 2];
	DIR *dir;
	int fd, n = 0;

	if ((fd = openat(tmpfd, dname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1 || (dir = fdopendir(fd)) == NULL) {
		log_warn("spool: cannot read tmp/%s/", dname);
		if (fd != -1)
			close(fd);
		return 0;
	}
	snprintf(where, sizeof(where), "%s/", dname);
	while ((de = readdir(dir)) != NULL)
		if (de->d_name[0] != '.')
			n += spool_recover_one(fd, dirfd, where, de->d_name,
			    de->d_name, pid);
	closedir(dir);
	if (unlinkat(tmpfd, dname, AT_REMOVEDIR) == -1 && errno != ENOENT)
		log_warn("spool: tmp/%s/ left in place", dname);
	return n;
}

/*
 * Move what ended workers left in tmp/ to new/: their directories,
 * tmp/<pid>/, and the tmp/<pid>-<name> files of a worker that could not
 * make one (or of an earlier spampotd). With only_pid, just that worker's;
 * with 0, those of every worker that is gone.
 */
int
spool_recover(int dirfd, pid_t only_pid)
{
	struct dirent *de;
	DIR *dir;
	char *end;
	long pid;
	int tmpfd, n = 0;

	if ((tmpfd = openat(dirfd, "tmp", O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1)
		return -1;
	if ((dir = fdopendir(tmpfd)) == NULL) {
		close(tmpfd);
		return -1;
	}
	while ((de = readdir(dir)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		pid = strtol(de->d_name, &end, 10);
		if (pid <= 0 || (*end != '\0' && (*end != '-' ||
		    end[1] == '\0'))) {
			log_warnx("spool: tmp/%s is not a spool file name, "
			    "left alone", de->d_name);
			continue;
		}
		if (only_pid ? pid != only_pid : spool_writer_alive(pid))
			continue;
		if (*end == '\0')
			n += spool_recover_dir(tmpfd, dirfd, de->d_name, pid);
		else
			n += spool_recover_one(tmpfd, dirfd, "", de->d_name,
			    end + 1, pid);
	}
	closedir(dir);
	return n;
}
