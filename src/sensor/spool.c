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
 * of a body a crash cut short.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdarg.h>
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
#define SPOOL_RECORD_GUESS 256	/* room most records fit in */
#define SPOOL_BODY_HEAD	"body 0000000000\n"	/* length patched at close */
_Static_assert(sizeof(SPOOL_BODY_HEAD) - 1 ==
    sizeof("body ") - 1 + SPOOL_BODY_DIGITS + 1, "body head width");

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

struct spool_file *
spool_create(int dirfd, const struct spool_meta *m)
{
	struct spool_file *sf;
	char stamp[40], sensor[256];

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
	util_utc_stamp(stamp, sizeof(stamp), 0);
	util_escape(sensor, sizeof(sensor), m->sensor, strlen(m->sensor),
	    UTIL_ESC_SPACE);
	spool_record(sf, "%s %d", SPOOL_MAGIC, SPOOL_VERSION);
	spool_record(sf, "session %s", m->session_id);
	spool_record(sf, "sensor %s", sensor);
	spool_record(sf, "client %s %u", m->client_ip, m->client_port);
	spool_record(sf, "server %s %u", m->server_ip, m->server_port);
	spool_record(sf, "start %s", stamp);
	/* On disk at once: a session that is greeted has its file, which
	 * recovery can complete, even if its worker is killed before any
	 * other record of it is written. */
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
	char digits[24];
	size_t start, hdrlen = strlen("body ") + SPOOL_BODY_DIGITS + 1;

	if (sf->body_hdr == 0)
		return;
	start = sf->body_hdr - 1;
	snprintf(digits, sizeof(digits), "%0*zu", SPOOL_BODY_DIGITS,
	    sf->out.len - start - hdrlen);
	memcpy(sf->out.data + start + strlen("body "), digits,
	    SPOOL_BODY_DIGITS);
	sf->body_hdr = 0;
	if (buf_append(&sf->out, "\n", 1) == -1)
		sf->failed = 1;
}

/* Append one record to the buffer. Returns 0, or -1 when it is not in. */
static int
spool_vrecord(struct spool_file *sf, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;

	if (sf == NULL || sf->failed)
		return -1;
	spool_close_body(sf);
	/* formatted once into the room there is, twice only when longer */
	if (buf_reserve(&sf->out, SPOOL_RECORD_GUESS) == -1) {
		sf->failed = 1;
		return -1;
	}
	va_copy(ap2, ap);
	n = vsnprintf(sf->out.data + sf->out.len, sf->out.cap - sf->out.len,
	    fmt, ap2);
	va_end(ap2);
	if (n >= 0 && (size_t)n + 2 > sf->out.cap - sf->out.len) {
		if (buf_reserve(&sf->out, (size_t)n + 2) == -1) {
			sf->failed = 1;
			return -1;
		}
		n = vsnprintf(sf->out.data + sf->out.len, (size_t)n + 1, fmt,
		    ap);
	}
	if (n < 0) {
		sf->failed = 1;
		return -1;
	}
	sf->out.len += (size_t)n;
	sf->out.data[sf->out.len++] = '\n';
	sf->records += (uint64_t)n + 1;
	return 0;
}

void
spool_record(struct spool_file *sf, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = spool_vrecord(sf, fmt, ap);
	va_end(ap);
	/* however long the session waits between writes, a bounded buffer */
	if (rc == 0 && sf->out.len >= SPOOL_FLUSH_AT)
		spool_flush(sf);
}

/* spool_record without the flush at SPOOL_FLUSH_AT; 0 when it is in. */
static int spool_append(struct spool_file *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static int
spool_append(struct spool_file *sf, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = spool_vrecord(sf, fmt, ap);
	va_end(ap);
	return rc;
}

/* Decimal digits of v into dst (no terminator); returns their count. */
static size_t
spool_digits(char *dst, unsigned long long v)
{
	char tmp[24];
	size_t n = 0, i;

	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	for (i = 0; i < n; i++)
		dst[i] = tmp[n - 1 - i];
	return n;
}

/*
 * One line of the dialogue: 'C' from the client, 'S' from us, as
 * "C <s>.<ms> <eol> <line>" or "S <s>.<ms> <line>". The commonest record
 * by far: put together by hand, the line escaped straight into the buffer.
 */
void
spool_transcript(struct spool_file *sf, char dir, const char *eol,
    const char *line, size_t len)
{
	uint64_t t;
	size_t eollen = dir == 'C' && eol != NULL ? strlen(eol) : 0, room;
	char *p;

	if (sf == NULL || sf->failed)
		return;
	spool_close_body(sf);
	t = util_now_ms() - sf->start_ms;
	room = 2 + 21 + 4 + eollen + 1 + UTIL_ESCAPED_MAX(len) + 1;
	if (sf->failed || buf_reserve(&sf->out, room) == -1) {
		sf->failed = 1;
		return;
	}
	p = sf->out.data + sf->out.len;
	*p++ = dir;
	*p++ = ' ';
	p += spool_digits(p, t / 1000);
	*p++ = '.';
	*p++ = (char)('0' + t % 1000 / 100);
	*p++ = (char)('0' + t % 100 / 10);
	*p++ = (char)('0' + t % 10);
	*p++ = ' ';
	if (eollen > 0) {
		memcpy(p, eol, eollen);
		p += eollen;
		*p++ = ' ';
	}
	p += util_escape(p, UTIL_ESCAPED_MAX(len), line, len, 0);
	*p++ = '\n';
	sf->records += (uint64_t)(p - (sf->out.data + sf->out.len));
	sf->out.len = (size_t)(p - sf->out.data);
	if (sf->out.len >= SPOOL_FLUSH_AT)
		spool_flush(sf);
}

/* Message bytes, binary-safe; consecutive calls share one body record. */
void
spool_body(struct spool_file *sf, const char *p, size_t n)
{
	if (sf == NULL || sf->failed || n == 0)
		return;
	if (sf->body_hdr == 0) {
		sf->body_hdr = sf->out.len + 1;
		if (buf_append(&sf->out, SPOOL_BODY_HEAD,
		    sizeof(SPOOL_BODY_HEAD) - 1) == -1) {
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
	size_t start, len, i;

	if (sf == NULL || sf->failed || sf->fd == -1)
		return;
	if (sf->body_hdr == 0) {
		spool_write_raw(sf->fd, sf->out.data, sf->out.len);
		return;
	}
	start = sf->body_hdr - 1 + strlen("body ");
	len = sf->out.len - start - SPOOL_BODY_DIGITS - 1;
	for (i = SPOOL_BODY_DIGITS; i > 0; i--, len /= 10)
		digits[i - 1] = (char)('0' + len % 10);
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
	int rc;

	if (sf->failed && sf->err != 0)
		sf->failed = 0;		/* a write failed: try it again */
	if (!sf->ending) {
		util_utc_stamp(stamp, sizeof(stamp), 0);
		/* in once, whatever the writes after it do */
		sf->ending = spool_append(sf, "end %s reason=%s", stamp,
		    reason) == 0;
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
