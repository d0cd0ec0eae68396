/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * spool: the session file writer, run by the workers inside their sandbox
 * (openat/write/fsync/renameat relative to the spool directory fd, nothing
 * else), and the start-up preparation and crash recovery, run by the parent.
 *
 * A file is created as tmp/<worker pid>/<name> and written as the session
 * goes, so a session cut off mid-DATA is on disk. Each worker creates its
 * files in a directory of its own: creating a file locks its directory
 * while the filesystem picks an inode, which on a busy spool the workers
 * would otherwise take in turns (and, with Landlock, a worker can touch
 * no other worker's files). When the session ends the file gets its "end"
 * record, is fsync'd (spool_fsync) and renamed to new/<name>.
 * Records are buffered; the caller says when they are written
 * (spool_flush): the header at once, then the worker does before it
 * answers 250 to a message, when records have waited a moment, when the
 * session ends and when it crashes (spool_write_now), so that a quick
 * session costs three writes, not one per command. The buffer is written
 * at SPOOL_FLUSH_AT whatever happens. Body bytes go into "body" records
 * whose length has a fixed width, so that recovery can patch the length
 * of a body a crash cut short. The records themselves are spoolfmt's
 * (src/common/spoolfmt.c): this file opens the buffer to its writers
 * (spool_record_begin, spool_record_end) and does the I/O.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"
#include "spool.h"
#include "util.h"

struct spool_file {
	int		 dirfd;
	int		 fd;
	int		 failed;
	int		 err;		/* errno of the failed write: retry */
	int		 ending;	/* the end record is in */
	uint64_t	 records;	/* bytes of records but body text */
	size_t		 mark;		/* where the record being written
					 * begins */
	uint64_t	 start_ms;
	struct buf	 out;
	size_t		 body_hdr;	/* offset of the open body record + 1 */
	char		 tmpname[SPOOL_NAME_MAX + 32];
	char		 name[SPOOL_NAME_MAX];
};

/* Where this process creates its files: in spool_writer_dir, tmp/<pid>
 * (a worker's own) or tmp (when that could not be made), each named
 * spool_writer_prefix + name: "tmp/<pid>/" or "tmp/<pid>-". */
static char spool_writer_dir_name[24];
static char spool_writer_prefix[32];

#define SPOOL_KEEP_CAP	16384	/* keep this much buffer between flushes */
#define SPOOL_FLUSH_AT	65536	/* flush when this much is buffered */

static void
spool_make_name(char *dst, size_t len, const struct spool_meta *m)
{
	char stamp[40], ip[64];
	size_t i;

	util_utc_stamp(stamp, sizeof(stamp), 1);
	/* ':' of IPv6 becomes '-', kinder to tools that read ':' as host:path */
	snprintf(ip, sizeof(ip), "%s", m->client_ip);
	for (i = 0; ip[i]; i++)
		if (ip[i] == ':')
			ip[i] = '-';
	snprintf(dst, len, "%s_%s_%s", stamp, ip, m->session_id);
}

/*
 * The process writing files from now on (a worker, before its sandbox):
 * makes its directory, tmp/<pid>/. Returns -1 (errno set) when it cannot;
 * its files are then named tmp/<pid>-<name>, which recovery knows too.
 */
int
spool_set_writer(int dirfd, pid_t pid)
{
	char dir[24];
	int rc = 0;

	snprintf(dir, sizeof(dir), "tmp/%d", (int)pid);
	if (mkdirat(dirfd, dir, 0700) == -1 && errno != EEXIST) {
		rc = -1;
		snprintf(dir, sizeof(dir), "tmp");
	}
	snprintf(spool_writer_dir_name, sizeof(spool_writer_dir_name), "%s",
	    dir);
	snprintf(spool_writer_prefix, sizeof(spool_writer_prefix),
	    rc == 0 ? "%s/" : "%s/%d-", dir, (int)pid);
	return rc;
}

/* The directory this process creates its files in: tmp/<pid> or tmp. */
const char *
spool_writer_dir(void)
{
	return spool_writer_dir_name;
}

/* The header records, buffered; when they cannot be, the file failed. */
static void
spool_header(struct spool_file *sf, const struct spool_meta *m)
{
	struct buf *b = &sf->out;
	char stamp[40];

	util_utc_stamp(stamp, sizeof(stamp), 0);
	if (spoolfmt_magic(b) == -1 ||
	    spoolfmt_session(b, m->session_id) == -1 ||
	    spoolfmt_sensor(b, m->sensor, strlen(m->sensor)) == -1 ||
	    spoolfmt_client(b, m->client_ip, m->client_port) == -1 ||
	    spoolfmt_server(b, m->server_ip, m->server_port) == -1 ||
	    spoolfmt_start(b, stamp) == -1)
		sf->failed = 1;
	sf->records = b->len;
}

struct spool_file *
spool_create(int dirfd, const struct spool_meta *m)
{
	struct spool_file *sf;

	if ((sf = calloc(1, sizeof(*sf))) == NULL)
		return NULL;
	sf->dirfd = dirfd;
	sf->start_ms = util_now_ms();
	spool_make_name(sf->name, sizeof(sf->name), m);
	if (spool_writer_prefix[0] == '\0')
		(void)spool_set_writer(dirfd, getpid());
	snprintf(sf->tmpname, sizeof(sf->tmpname), "%s%s",
	    spool_writer_prefix, sf->name);
	sf->fd = openat(dirfd, sf->tmpname,
	    O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
	if (sf->fd == -1) {
		free(sf);
		return NULL;
	}
	/* On disk at once: a session that is greeted has its file, which
	 * recovery can complete, even if its worker is killed before any
	 * other record of it is written. */
	spool_header(sf, m);
	if (spool_flush(sf) == -1) {
		int saved = errno;

		spool_abandon(sf);
		errno = saved;
		return NULL;
	}
	return sf;
}

const char *
spool_name(const struct spool_file *sf)
{
	return sf->name;
}

int
spool_failed(const struct spool_file *sf)
{
	return sf->failed;
}

/* Bytes of the file's records other than message text (the header, the
 * transcript, the envelope): what max_transcript bounds. */
uint64_t
spool_record_bytes(const struct spool_file *sf)
{
	return sf == NULL ? 0 : sf->records;
}

/* Bytes buffered and not written yet (none once writing failed). */
size_t
spool_pending(const struct spool_file *sf)
{
	return sf == NULL || sf->failed ? 0 : sf->out.len;
}

/* Close an open body record: fix its length, end it with a newline. */
static void
spool_close_body(struct spool_file *sf)
{
	size_t start;

	if (sf->body_hdr == 0)
		return;
	start = sf->body_hdr - 1;
	sf->body_hdr = 0;
	if (spoolfmt_body_close(&sf->out, start) == -1)
		sf->failed = 1;
}

/*
 * A record is written by a spoolfmt writer into the buffer that
 * spool_record_begin gives (NULL once the file failed), then handed back
 * with the writer's result to spool_record_end:
 *
 *	if ((b = spool_record_begin(sf)) != NULL)
 *		spool_record_end(sf, spoolfmt_rset(b));
 */
struct buf *
spool_record_begin(struct spool_file *sf)
{
	if (sf == NULL || sf->failed)
		return NULL;
	spool_close_body(sf);
	if (sf->failed)
		return NULL;
	sf->mark = sf->out.len;
	return &sf->out;
}

/* The record is in (rc 0), or could not be (-1: the file failed). */
static int
spool_record_put(struct spool_file *sf, int rc)
{
	if (rc == -1) {
		sf->out.len = sf->mark;
		sf->failed = 1;
		return -1;
	}
	sf->records += sf->out.len - sf->mark;
	return 0;
}

void
spool_record_end(struct spool_file *sf, int rc)
{
	/* however long the session waits between writes, a bounded buffer */
	if (spool_record_put(sf, rc) == 0 && sf->out.len >= SPOOL_FLUSH_AT)
		spool_flush(sf);
}

/* One line of the dialogue: 'C' from the client (eol: how it ended), 'S'
 * from us; timed from the session's start. */
void
spool_transcript(struct spool_file *sf, char dir, const char *eol,
    const char *line, size_t len)
{
	struct buf *b;

	if ((b = spool_record_begin(sf)) != NULL)
		spool_record_end(sf, spoolfmt_transcript(b, dir,
		    util_now_ms() - sf->start_ms, eol, line, len));
}

/* Message bytes, binary-safe; consecutive calls share one body record. */
void
spool_body(struct spool_file *sf, const char *p, size_t n)
{
	if (sf == NULL || sf->failed || n == 0)
		return;
	if (sf->body_hdr == 0) {
		sf->body_hdr = sf->out.len + 1;
		if (spoolfmt_body_open(&sf->out) == -1) {
			sf->failed = 1;
			return;
		}
	}
	if (buf_append(&sf->out, p, n) == -1)
		sf->failed = 1;
	else if (sf->out.len >= SPOOL_FLUSH_AT)
		spool_flush(sf);
}

/* Write out the buffer. What was written leaves it, so that a retry after
 * a failure (ENOSPC) writes exactly what is missing. */
static int
spool_write_out(struct spool_file *sf)
{
	ssize_t w;

	while (sf->out.len > 0) {
		if ((w = write(sf->fd, sf->out.data, sf->out.len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf_consume(&sf->out, (size_t)w);
	}
	return 0;
}

/* Write what is buffered. Returns -1 (errno set) once writing failed. */
int
spool_flush(struct spool_file *sf)
{
	if (sf->failed) {
		errno = sf->err ? sf->err : ENOMEM;
		return -1;
	}
	spool_close_body(sf);
	if (spool_write_out(sf) == -1) {
		sf->failed = 1;
		sf->err = errno;
		return -1;
	}
	buf_trim(&sf->out, SPOOL_KEEP_CAP);
	return 0;
}

static int
spool_write_raw(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * The worker is dying (a fault): write what is buffered, from a signal
 * handler: write(2) only, nothing of sf changed, an open body record
 * closed on the way out (its length and line feed written in place).
 */
void
spool_write_now(const struct spool_file *sf)
{
	char digits[SPOOL_BODY_DIGITS];
	size_t start;

	if (sf == NULL || sf->failed || sf->fd == -1)
		return;
	if (sf->body_hdr == 0) {
		spool_write_raw(sf->fd, sf->out.data, sf->out.len);
		return;
	}
	start = sf->body_hdr - 1 + SPOOLFMT_BODY_AT;
	spoolfmt_body_digits(digits, sf->out.len - start - SPOOL_BODY_DIGITS -
	    1);
	if (spool_write_raw(sf->fd, sf->out.data, start) == 0 &&
	    spool_write_raw(sf->fd, digits, sizeof(digits)) == 0 &&
	    spool_write_raw(sf->fd, sf->out.data + start + sizeof(digits),
	    sf->out.len - start - sizeof(digits)) == 0)
		spool_write_raw(sf->fd, "\n", 1);
}

static void
spool_free(struct spool_file *sf)
{
	if (sf->fd != -1)
		close(sf->fd);
	buf_release(&sf->out);
	free(sf);
}

/* Drop a file that could not be written: better no file than a lie. */
void
spool_abandon(struct spool_file *sf)
{
	unlinkat(sf->dirfd, sf->tmpname, 0);
	spool_free(sf);
}

/*
 * End the session's file: the end record, fsync, rename into new/, free.
 * Returns 0, or -1 when the file could not be completed (no space, say):
 * sf is then still the caller's, to call this again later (the reason is
 * recorded once) or to let go with spool_release(), which leaves the file
 * in tmp/ for the parent to recover when this worker exits.
 */
int
spool_finish(struct spool_file *sf, const char *reason, int do_fsync)
{
	char stamp[40], newname[SPOOL_NAME_MAX + 8];
	struct buf *b;
	int rc;

	if (sf->failed && sf->err != 0)
		sf->failed = 0;		/* a write failed: try it again */
	if (!sf->ending) {
		util_utc_stamp(stamp, sizeof(stamp), 0);
		/* in once, whatever the writes after it do; a retry that
		 * has to write it knows no reason */
		sf->ending = (b = spool_record_begin(sf)) != NULL &&
		    spool_record_put(sf, spoolfmt_end(b, stamp,
		    reason != NULL ? reason : "error")) == 0;
	}
	if (sf->fd != -1) {
		if (spool_flush(sf) == -1 || (do_fsync && fsync(sf->fd) == -1))
			return -1;
		/* Closed before the rename: new/ sees one event per file
		 * (IN_MOVED_TO), not a second IN_CLOSE_WRITE after it. */
		rc = close(sf->fd);
		sf->fd = -1;
		if (rc == -1)
			return -1;
	}
	snprintf(newname, sizeof(newname), "new/%s", sf->name);
	if (renameat(sf->dirfd, sf->tmpname, sf->dirfd, newname) == -1)
		return -1;
	spool_free(sf);
	return 0;
}

/* Let go of a file that could not be completed; it stays in tmp/. */
void
spool_release(struct spool_file *sf)
{
	spool_free(sf);
}
