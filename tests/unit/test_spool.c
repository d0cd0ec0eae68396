/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * test_spool: the session file writer (src/sensor/spool.c) and the parent's side,
 * preparation and crash recovery (src/sensor/spool_admin.c), on a real spool tree
 * in a temporary directory.
 */
#include "autoconf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "buf.h"
#include "spool.h"
#include "testutil.h"

/* A record as given: these tests are about the file, not the records
 * (test_spoolfmt.c has those). */
static void raw_record(struct spool_file *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
raw_record(struct spool_file *sf, const char *fmt, ...)
{
	char line[256];
	struct buf *b;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if ((b = spool_record_begin(sf)) != NULL)
		spool_record_end(sf, buf_appendf(b, "%s\n", line));
}

struct fixture {
	char	 top[64];	/* the mkdtemp directory */
	char	 path[96];	/* top/spool */
	int	 fd;		/* spool_prepare()'s fd */
	char	 mine[32];	/* tmp/<pid>: this process's files */
};

static int
setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (fx == NULL)
		return -1;
	if (tu_tmpdir(fx->top, sizeof(fx->top), "spool") == -1)
		return -1;
	snprintf(fx->path, sizeof(fx->path), "%s/spool", fx->top);
	if ((fx->fd = spool_prepare(fx->path, getuid(), getgid())) == -1)
		return -1;
	/* as a worker does: its files in tmp/<pid>/ */
	if (spool_set_writer(fx->fd, getpid()) == -1)
		return -1;
	snprintf(fx->mine, sizeof(fx->mine), "tmp/%d", (int)getpid());
	*state = fx;
	return 0;
}

/* Recovery alone: no writer's directory in tmp/. */
static int
setup_recover(void **state)
{
	struct fixture *fx;

	if (setup(state) == -1)
		return -1;
	fx = *state;
	return unlinkat(fx->fd, fx->mine, AT_REMOVEDIR);
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;

	close(fx->fd);
	tu_rmtree(fx->top);
	free(fx);
	return 0;
}

/* --- helpers ------------------------------------------------------------- */

static void
write_at(int dirfd, const char *name, const void *p, size_t n)
{
	int fd;

	fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
	assert_true(fd != -1);
	assert_int_equal(write(fd, p, n), (ssize_t)n);
	assert_int_equal(close(fd), 0);
}

/* The names in a subdirectory of the spool, sorted, as "a b c". */
static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
list_dir(int dirfd, const char *sub, char *out, size_t outlen)
{
	char *names[64];
	struct dirent *de;
	size_t n = 0, i, o = 0;
	DIR *d;
	int fd;

	fd = openat(dirfd, sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd != -1);
	assert_non_null(d = fdopendir(fd));
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		assert_true(n < 64);
		assert_non_null(names[n++] = strdup(de->d_name));
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp_str);
	out[0] = '\0';
	for (i = 0; i < n; i++) {
		o += (size_t)snprintf(out + o, outlen - o, "%s%s",
		    i ? " " : "", names[i]);
		free(names[i]);
	}
}

/* want: names separated by spaces, in any order; compared sorted. */
static void
assert_listing(int dirfd, const char *sub, const char *want)
{
	char got[2048], copy[2048], *names[64], *tok, *save = NULL;
	char sorted[2048];
	size_t n = 0, i, o = 0;

	list_dir(dirfd, sub, got, sizeof(got));
	snprintf(copy, sizeof(copy), "%s", want);
	for (tok = strtok_r(copy, " ", &save); tok != NULL;
	    tok = strtok_r(NULL, " ", &save))
		names[n++] = tok;
	qsort(names, n, sizeof(names[0]), cmp_str);
	sorted[0] = '\0';
	for (i = 0; i < n; i++)
		o += (size_t)snprintf(sorted + o, sizeof(sorted) - o, "%s%s",
		    i ? " " : "", names[i]);
	if (strcmp(got, sorted) != 0)
		fail_msg("%s/: got '%s', want '%s'", sub, got, sorted);
}

/*
 * A spool file as a list of items: text records (without their newline)
 * and body records (their bytes). Strict: a body header is "body " and
 * exactly ten digits, its bytes are followed by a newline, the file ends
 * with a newline.
 */
struct item {
	int	 body;
	char	*p;
	size_t	 len;
};

struct parsed {
	struct item	items[512];
	size_t		n;
};

static int
spool_parse(const char *p, size_t len, struct parsed *ps)
{
	const char *end = p + len, *nl;
	unsigned long long blen;
	size_t i;
	char digits[11];

	ps->n = 0;
	while (p < end) {
		if (ps->n == sizeof(ps->items) / sizeof(ps->items[0]))
			return -1;
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			return -1;
		if (strncmp(p, "body ", 5) == 0) {
			if (nl - p != 15)
				return -1;
			for (i = 0; i < 10; i++)
				if (p[5 + i] < '0' || p[5 + i] > '9')
					return -1;
			memcpy(digits, p + 5, 10);
			digits[10] = '\0';
			blen = strtoull(digits, NULL, 10);
			p = nl + 1;
			if ((unsigned long long)(end - p) < blen + 1 ||
			    p[blen] != '\n')
				return -1;
			ps->items[ps->n].body = 1;
			ps->items[ps->n].len = (size_t)blen;
			ps->items[ps->n].p = malloc((size_t)blen + 1);
			memcpy(ps->items[ps->n].p, p, (size_t)blen);
			ps->items[ps->n].p[blen] = '\0';
			ps->n++;
			p += blen + 1;
			continue;
		}
		ps->items[ps->n].body = 0;
		ps->items[ps->n].len = (size_t)(nl - p);
		ps->items[ps->n].p = strndup(p, (size_t)(nl - p));
		ps->n++;
		p = nl + 1;
	}
	return 0;
}

static void
parsed_free(struct parsed *ps)
{
	size_t i;

	for (i = 0; i < ps->n; i++)
		free(ps->items[i].p);
	ps->n = 0;
}

static void
assert_text(const struct parsed *ps, size_t i, const char *want)
{
	assert_true(i < ps->n);
	if (ps->items[i].body)
		fail_msg("item %zu is a body, want '%s'", i, want);
	assert_string_equal(ps->items[i].p, want);
}

static void
assert_prefix(const struct parsed *ps, size_t i, const char *want)
{
	assert_true(i < ps->n);
	assert_false(ps->items[i].body);
	if (strncmp(ps->items[i].p, want, strlen(want)) != 0)
		fail_msg("item %zu: '%s' does not start with '%s'", i,
		    ps->items[i].p, want);
}

/* s starts with "2026-11-26T16:11:16.123456Z" and a space or its end */
static int
is_stamp(const char *s)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:dd.ddddddZ";
	size_t i;

	if (strlen(s) < sizeof(shape) - 1 ||
	    (s[sizeof(shape) - 1] != '\0' && s[sizeof(shape) - 1] != ' '))
		return 0;
	for (i = 0; shape[i]; i++) {
		if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') :
		    s[i] != shape[i])
			return 0;
	}
	return 1;
}

/* A pid that certainly belongs to no process: a child we reaped. */
static pid_t
dead_pid(void)
{
	pid_t pid = fork();
	int st;

	assert_true(pid != -1);
	if (pid == 0)
		_exit(0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return pid;
}

static const struct spool_meta meta = {
	.session_id = "0123456789abcdef",
	.sensor = "sensor one",
	.client_ip = "2001:db8::7",
	.client_port = 41234,
	.server_ip = "192.0.2.25",
	.server_port = 25,
};

/* --- spool_prepare ------------------------------------------------------- */

static void
assert_dir_mode(int dirfd, const char *name, mode_t mode)
{
	struct stat st;

	assert_int_equal(fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW), 0);
	assert_true(S_ISDIR(st.st_mode));
	if ((st.st_mode & 07777) != mode)
		fail_msg("%s: mode %04o, want %04o", name,
		    (unsigned)(st.st_mode & 07777), (unsigned)mode);
	assert_int_equal(st.st_uid, getuid());
	assert_int_equal(st.st_gid, getgid());
}

static void
test_prepare_modes(void **state)
{
	struct fixture *fx = *state;
	int fd;

	assert_dir_mode(AT_FDCWD, fx->path, 0750);
	assert_dir_mode(fx->fd, "tmp", 02700);
	assert_dir_mode(fx->fd, "new", 02770);
	assert_dir_mode(fx->fd, "done", 02770);
	assert_dir_mode(fx->fd, "bad", 02770);

	/* a tree someone loosened is put back */
	assert_int_equal(chmod(fx->path, 0777), 0);
	assert_int_equal(fchmodat(fx->fd, "tmp", 0777, 0), 0);
	assert_int_equal(fchmodat(fx->fd, "new", 0755, 0), 0);
	assert_int_equal(unlinkat(fx->fd, "bad", AT_REMOVEDIR), 0);
	assert_true((fd = spool_prepare(fx->path, getuid(), getgid())) != -1);
	assert_dir_mode(AT_FDCWD, fx->path, 0750);
	assert_dir_mode(fd, "tmp", 02700);
	assert_dir_mode(fd, "new", 02770);
	assert_dir_mode(fd, "bad", 02770);
	close(fd);
}

static void
test_prepare_refuses(void **state)
{
	struct fixture *fx = *state;
	char path[160];

	/* the parent directory must exist */
	snprintf(path, sizeof(path), "%s/no/such/spool", fx->top);
	errno = 0;
	assert_int_equal(spool_prepare(path, getuid(), getgid()), -1);
	assert_int_equal(errno, ENOENT);

	/* a symbolic link in place of a subdirectory is not followed */
	snprintf(path, sizeof(path), "%s/elsewhere", fx->top);
	assert_int_equal(mkdir(path, 0711), 0);
	assert_int_equal(chmod(path, 0711), 0);
	assert_int_equal(unlinkat(fx->fd, "done", AT_REMOVEDIR), 0);
	assert_int_equal(symlinkat(path, fx->fd, "done"), 0);
	assert_int_equal(spool_prepare(fx->path, getuid(), getgid()), -1);
	assert_dir_mode(AT_FDCWD, path, 0711);
}

/* --- the writer ---------------------------------------------------------- */

static void
test_write(void **state)
{
	static const char part1[] = "Subject: \0binary\r\n";
	static const char part2[] = "\xff\xfe\x00\x01 line\n";
	static const char part3[] = ".\r\n";
	struct fixture *fx = *state;
	struct spool_file *sf;
	struct parsed ps;
	char tmpname[256], newname[256], listing[1024], want[64], name[160];
	char *big, *file, *cat;
	size_t len, big_len = 200 * 1024 + 17, i, o, nbig;
	struct stat st;

	assert_non_null(sf = spool_create(fx->fd, &meta));
	snprintf(name, sizeof(name), "%s", spool_name(sf));

	/* the name: compact UTC stamp, address with '-' for ':', session */
	assert_int_equal(strlen(name), 23 + strlen("_2001-db8--7_") + 16);
	assert_int_equal(name[8], 'T');
	assert_int_equal(name[15], '.');
	assert_int_equal(name[22], 'Z');
	assert_string_equal(name + 23, "_2001-db8--7_0123456789abcdef");

	/* written in the writer's tmp/<pid>/ while the session runs */
	snprintf(tmpname, sizeof(tmpname), "%d", (int)getpid());
	list_dir(fx->fd, "tmp", listing, sizeof(listing));
	assert_string_equal(listing, tmpname);
	list_dir(fx->fd, fx->mine, listing, sizeof(listing));
	assert_string_equal(listing, name);
	list_dir(fx->fd, "new", listing, sizeof(listing));
	assert_string_equal(listing, "");

	raw_record(sf, "helo verb=EHLO name=%s", "client.example");
	spool_transcript(sf, 'C', "crlf", "MAIL FROM:<a\\b>\0\x7f", 17);
	spool_transcript(sf, 'S', NULL, "250 2.1.0 Ok", 12);
	raw_record(sf, "data n=1");
	/* several calls make one body record */
	spool_body(sf, part1, sizeof(part1) - 1);
	spool_body(sf, part2, sizeof(part2) - 1);
	spool_body(sf, "", 0);
	spool_body(sf, part3, sizeof(part3) - 1);
	raw_record(sf, "message n=1 size=%zu", sizeof(part1) + sizeof(part2)
	    + sizeof(part3) - 3);

	/* a large body is flushed as it comes: several body records */
	assert_non_null(big = malloc(big_len));
	for (i = 0; i < big_len; i++)
		big[i] = (char)(i * 7 + i / 256);
	for (i = 0; i < big_len; i += 1000)
		spool_body(sf, big + i, big_len - i < 1000 ? big_len - i :
		    1000);
	raw_record(sf, "message n=2 size=%zu", big_len);
	assert_false(spool_failed(sf));
	assert_int_equal(spool_finish(sf, "quit", 1), 0);

	/* moved to new/, nothing left in tmp/ */
	list_dir(fx->fd, fx->mine, listing, sizeof(listing));
	assert_string_equal(listing, "");
	list_dir(fx->fd, "new", listing, sizeof(listing));
	assert_string_equal(listing, name);
	snprintf(newname, sizeof(newname), "new/%s", name);
	assert_int_equal(fstatat(fx->fd, newname, &st, 0), 0);
	assert_int_equal(st.st_mode & 07777, 0640);

	assert_non_null(file = tu_read_at(fx->fd, newname, &len));
	assert_int_equal(spool_parse(file, len, &ps), 0);
	assert_text(&ps, 0, "spampot-spool 1");
	assert_text(&ps, 1, "session 0123456789abcdef");
	assert_text(&ps, 2, "sensor sensor\\x20one");
	assert_text(&ps, 3, "client 2001:db8::7 41234");
	assert_text(&ps, 4, "server 192.0.2.25 25");
	assert_prefix(&ps, 5, "start ");
	assert_true(is_stamp(ps.items[5].p + 6));
	assert_text(&ps, 6, "helo verb=EHLO name=client.example");
	assert_prefix(&ps, 7, "C ");
	assert_non_null(strstr(ps.items[7].p,
	    " crlf MAIL FROM:<a\\x5cb>\\x00\\x7f"));
	assert_prefix(&ps, 8, "S ");
	assert_non_null(strstr(ps.items[8].p, " 250 2.1.0 Ok"));
	assert_text(&ps, 9, "data n=1");

	/* one body record, the bytes as given */
	assert_true(ps.items[10].body);
	assert_int_equal(ps.items[10].len, sizeof(part1) + sizeof(part2) +
	    sizeof(part3) - 3);
	assert_memory_equal(ps.items[10].p, part1, sizeof(part1) - 1);
	assert_memory_equal(ps.items[10].p + sizeof(part1) - 1, part2,
	    sizeof(part2) - 1);
	assert_memory_equal(ps.items[10].p + sizeof(part1) + sizeof(part2) - 2,
	    part3, sizeof(part3) - 1);
	snprintf(want, sizeof(want), "message n=1 size=%zu", ps.items[10].len);
	assert_text(&ps, 11, want);

	/* then several body records that add up to the big one */
	assert_non_null(cat = malloc(big_len));
	for (i = 12, o = 0, nbig = 0; i < ps.n && ps.items[i].body; i++) {
		assert_true(o + ps.items[i].len <= big_len);
		memcpy(cat + o, ps.items[i].p, ps.items[i].len);
		o += ps.items[i].len;
		nbig++;
	}
	assert_true(nbig >= 3);		/* flushed at 64 KiB: 200 KiB is 4 */
	assert_int_equal(o, big_len);
	assert_memory_equal(cat, big, big_len);
	snprintf(want, sizeof(want), "message n=2 size=%zu", big_len);
	assert_text(&ps, i, want);

	/* the end record is the last line */
	assert_int_equal(i + 2, ps.n);
	assert_prefix(&ps, i + 1, "end ");
	assert_true(is_stamp(ps.items[i + 1].p + 4));
	assert_string_equal(ps.items[i + 1].p + 4 + 27, " reason=quit");
	assert_true(strcmp(ps.items[i + 1].p + 4, ps.items[5].p + 6) >= 0);

	parsed_free(&ps);
	free(cat);
	free(big);
	free(file);
}

/* What is flushed is on disk as complete records while the session runs. */
static void
test_flush_mid_session(void **state)
{
	struct fixture *fx = *state;
	struct spool_file *sf;
	struct parsed ps;
	char tmpname[256], newname[256];
	char *file;
	size_t len;

	assert_non_null(sf = spool_create(fx->fd, &meta));
	snprintf(tmpname, sizeof(tmpname), "%s/%s", fx->mine,
	    spool_name(sf));
	snprintf(newname, sizeof(newname), "new/%s", spool_name(sf));
	raw_record(sf, "data n=1");
	spool_body(sf, "first\r\n", 7);
	assert_int_equal(spool_flush(sf), 0);

	assert_non_null(file = tu_read_at(fx->fd, tmpname, &len));
	assert_int_equal(spool_parse(file, len, &ps), 0);
	assert_int_equal(ps.n, 8);
	assert_text(&ps, 6, "data n=1");
	assert_true(ps.items[7].body);
	assert_string_equal(ps.items[7].p, "first\r\n");
	assert_non_null(strstr(file, "body 0000000007\nfirst\r\n\n"));
	parsed_free(&ps);
	free(file);

	/* more body after a flush: a new record */
	spool_body(sf, "second\r\n", 8);
	assert_int_equal(spool_finish(sf, "reset", 0), 0);
	assert_non_null(file = tu_read_at(fx->fd, newname, &len));
	assert_int_equal(spool_parse(file, len, &ps), 0);
	assert_int_equal(ps.n, 10);
	assert_true(ps.items[8].body);
	assert_string_equal(ps.items[8].p, "second\r\n");
	assert_prefix(&ps, 9, "end ");
	assert_string_equal(ps.items[9].p + 4 + 27, " reason=reset");
	parsed_free(&ps);
	free(file);
}

/* The header is on disk at once; other records when asked. */
static void
test_written_when_asked(void **state)
{
	struct fixture *fx = *state;
	struct spool_file *sf;
	char tmpname[256];
	struct stat st;
	off_t header;

	assert_non_null(sf = spool_create(fx->fd, &meta));
	snprintf(tmpname, sizeof(tmpname), "%s/%s", fx->mine,
	    spool_name(sf));
	assert_int_equal(spool_pending(sf), 0);
	assert_int_equal(fstatat(fx->fd, tmpname, &st, 0), 0);
	assert_true((header = st.st_size) > 0);
	raw_record(sf, "helo verb=EHLO name=x");
	assert_int_equal(fstatat(fx->fd, tmpname, &st, 0), 0);
	assert_int_equal(st.st_size, header);
	assert_true(spool_pending(sf) > 0);
	assert_int_equal(spool_flush(sf), 0);
	assert_int_equal(spool_pending(sf), 0);
	assert_int_equal(fstatat(fx->fd, tmpname, &st, 0), 0);
	assert_true(st.st_size > header);
	spool_abandon(sf);
}

/* What a fault handler writes (an open body record closed on the way) is
 * complete records that recovery turns into a file in new/. */
static void
test_write_now(void **state)
{
	struct fixture *fx = *state;
	struct spool_file *sf;
	struct parsed ps;
	char tmpname[256], deadname[256], name[160];
	char *file;
	size_t len;
	pid_t pid = dead_pid();

	assert_non_null(sf = spool_create(fx->fd, &meta));
	snprintf(name, sizeof(name), "%s", spool_name(sf));
	snprintf(tmpname, sizeof(tmpname), "%s/%s", fx->mine, name);
	raw_record(sf, "data n=1");
	spool_body(sf, "first\r\n", 7);
	assert_int_equal(spool_flush(sf), 0);
	spool_body(sf, "second\r\n", 8);
	spool_transcript(sf, 'C', "crlf", "boom", 4);
	spool_body(sf, "third\r\n", 7);
	spool_write_now(sf);

	assert_non_null(file = tu_read_at(fx->fd, tmpname, &len));
	assert_int_equal(spool_parse(file, len, &ps), 0);
	assert_int_equal(ps.n, 11);
	assert_string_equal(ps.items[7].p, "first\r\n");
	assert_string_equal(ps.items[8].p, "second\r\n");
	assert_prefix(&ps, 9, "C ");
	assert_true(ps.items[10].body);
	assert_int_equal(ps.items[10].len, 7);
	assert_memory_equal(ps.items[10].p, "third\r\n", 7);
	parsed_free(&ps);

	/* as the dead worker left it: recovered with all of it */
	snprintf(deadname, sizeof(deadname), "tmp/%d", (int)pid);
	assert_int_equal(mkdirat(fx->fd, deadname, 0700), 0);
	snprintf(deadname, sizeof(deadname), "tmp/%d/%s", (int)pid, name);
	write_at(fx->fd, deadname, file, len);
	free(file);
	spool_abandon(sf);
	assert_int_equal(spool_recover(fx->fd, 0), 1);
	snprintf(tmpname, sizeof(tmpname), "new/%s", name);
	assert_non_null(file = tu_read_at(fx->fd, tmpname, &len));
	assert_int_equal(spool_parse(file, len, &ps), 0);
	assert_int_equal(ps.n, 12);
	assert_memory_equal(ps.items[10].p, "third\r\n", 7);
	assert_prefix(&ps, 11, "end ");
	assert_string_equal(ps.items[11].p + 4 + 27, " reason=crash");
	parsed_free(&ps);
	free(file);
}

static void
test_abandon(void **state)
{
	struct fixture *fx = *state;
	struct spool_file *sf;
	char listing[512];

	assert_non_null(sf = spool_create(fx->fd, &meta));
	spool_body(sf, "x", 1);
	spool_abandon(sf);
	list_dir(fx->fd, fx->mine, listing, sizeof(listing));
	assert_string_equal(listing, "");
	list_dir(fx->fd, "new", listing, sizeof(listing));
	assert_string_equal(listing, "");
}

/* tmp/ not writable: no file, no session file object. */
static void
test_create_fails(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(unlinkat(fx->fd, fx->mine, AT_REMOVEDIR), 0);
	assert_int_equal(unlinkat(fx->fd, "tmp", AT_REMOVEDIR), 0);
	assert_null(spool_create(fx->fd, &meta));
}

/* --- recovery ------------------------------------------------------------ */

#define HEADER \
	"spampot-spool 1\n" \
	"session 00000000000000aa\n" \
	"sensor s1\n" \
	"client 192.0.2.1 1234\n" \
	"server 192.0.2.25 25\n" \
	"start 2026-01-02T03:04:00.000000Z\n"

/* The file's last write, which recovery takes as the end of the session. */
#define MTIME_SEC	1767323045	/* 2026-01-02T03:04:05Z */
#define MTIME_NSEC	678901000
#define MTIME_TEXT	"2026-01-02T03:04:05.678901Z"

static void
put_tmp(int dirfd, pid_t pid, const char *name, const char *p, size_t n)
{
	struct timespec ts[2] = {
		{ MTIME_SEC, MTIME_NSEC }, { MTIME_SEC, MTIME_NSEC },
	};
	char path[256];

	snprintf(path, sizeof(path), "tmp/%d-%s", (int)pid, name);
	write_at(dirfd, path, p, n);
	assert_int_equal(utimensat(dirfd, path, ts, 0), 0);
}

/* As a worker that made its directory leaves a file: tmp/<pid>/<name>. */
static void
put_worker(int dirfd, pid_t pid, const char *name, const char *p, size_t n)
{
	struct timespec ts[2] = {
		{ MTIME_SEC, MTIME_NSEC }, { MTIME_SEC, MTIME_NSEC },
	};
	char path[256];

	snprintf(path, sizeof(path), "tmp/%d", (int)pid);
	assert_true(mkdirat(dirfd, path, 0700) == 0 || errno == EEXIST);
	snprintf(path, sizeof(path), "tmp/%d/%s", (int)pid, name);
	write_at(dirfd, path, p, n);
	assert_int_equal(utimensat(dirfd, path, ts, 0), 0);
}

static char *
get_new(int dirfd, const char *name, size_t *len)
{
	char path[256];
	char *p;

	snprintf(path, sizeof(path), "new/%s", name);
	if ((p = tu_read_at(dirfd, path, len)) == NULL)
		fail_msg("%s missing", path);
	return p;
}

static void
assert_bytes(const char *got, size_t gotlen, const char *want,
    size_t wantlen)
{
	if (gotlen != wantlen || memcmp(got, want, wantlen) != 0)
		fail_msg("got %zu bytes:\n%.*s\nwant %zu bytes:\n%.*s",
		    gotlen, (int)gotlen, got, wantlen, (int)wantlen, want);
}

static void
test_recover(void **state)
{
	/* (a) cut in the middle of a text record */
	static const char a_in[] = HEADER
	    "helo verb=EHLO name=x\n"
	    "C 0.001 crlf MAIL FR";
	static const char a_out[] = HEADER
	    "helo verb=EHLO name=x\n"
	    "end " MTIME_TEXT " reason=crash\n";
	/* (b) cut in the middle of a body: length patched, bytes kept */
	static const char b_in[] = HEADER
	    "data n=1\n"
	    "body 0000000100\n"
	    "Subject: x\r\n\r\n\0\n.\nbody 0000000001\n";
	static const char b_out[] = HEADER
	    "data n=1\n"
	    "body 0000000034\n"
	    "Subject: x\r\n\r\n\0\n.\nbody 0000000001\n"
	    "\n"
	    "end " MTIME_TEXT " reason=crash\n";
	/* (c) a complete body without its closing newline */
	static const char c_in[] = HEADER
	    "data n=1\n"
	    "body 0000000010\n"
	    "0123456789";
	static const char c_out[] = HEADER
	    "data n=1\n"
	    "body 0000000010\n"
	    "0123456789\n"
	    "end " MTIME_TEXT " reason=crash\n";
	/* (d) ended but not renamed: moved as it is */
	static const char d_in[] = HEADER
	    "data n=1\n"
	    "body 0000000003\n"
	    "abc\n"
	    "message n=1 size=3 stored=3 truncated=0 bare_lf=0 queue_id=X\n"
	    "end 2026-01-02T03:04:04.000000Z reason=quit\n";
	/* (e) cut inside a body header */
	static const char e_in[] = HEADER
	    "data n=1\n"
	    "body 0000000003\n"
	    "abc\n"
	    "body 00000";
	static const char e_out[] = HEADER
	    "data n=1\n"
	    "body 0000000003\n"
	    "abc\n"
	    "end " MTIME_TEXT " reason=crash\n";
	/* (f) complete records only, the end record missing */
	static const char f_in[] = HEADER
	    "data n=1\n"
	    "body 0000000004\n"
	    "ab\nc\n"
	    "message n=1 size=4 stored=4 truncated=0 bare_lf=2 queue_id=X\n";
	static const char f_out[] = HEADER
	    "data n=1\n"
	    "body 0000000004\n"
	    "ab\nc\n"
	    "message n=1 size=4 stored=4 truncated=0 bare_lf=2 queue_id=X\n"
	    "end " MTIME_TEXT " reason=crash\n";
	/* (g) cut right after a body header */
	static const char g_in[] = HEADER
	    "data n=1\n"
	    "body 0000000050\n";
	static const char g_out[] = HEADER
	    "data n=1\n"
	    "body 0000000000\n"
	    "\n"
	    "end " MTIME_TEXT " reason=crash\n";
	static const struct {
		const char	*name;
		const char	*in;
		size_t		 inlen;
		const char	*out;
		size_t		 outlen;
	} cases[] = {
#define CASE(n, i, o)	{ n, i, sizeof(i) - 1, o, sizeof(o) - 1 }
		CASE("a", a_in, a_out),
		CASE("b", b_in, b_out),
		CASE("c", c_in, c_out),
		CASE("d", d_in, d_in),
		CASE("e", e_in, e_out),
		CASE("f", f_in, f_out),
		CASE("g", g_in, g_out),
#undef CASE
	};
	struct fixture *fx = *state;
	struct parsed ps;
	char name[64], listing[1024];
	size_t i, len, ncases = sizeof(cases) / sizeof(cases[0]);
	pid_t pid = dead_pid();
	char *got;

	for (i = 0; i < ncases; i++) {
		snprintf(name, sizeof(name), "20260102T030400.00000%zuZ_"
		    "192.0.2.1_%s", i, cases[i].name);
		put_worker(fx->fd, pid, name, cases[i].in, cases[i].inlen);
	}
	assert_int_equal(spool_recover(fx->fd, 0), (int)ncases);
	list_dir(fx->fd, "tmp", listing, sizeof(listing));
	assert_string_equal(listing, "");

	for (i = 0; i < ncases; i++) {
		snprintf(name, sizeof(name), "20260102T030400.00000%zuZ_"
		    "192.0.2.1_%s", i, cases[i].name);
		got = get_new(fx->fd, name, &len);
		assert_bytes(got, len, cases[i].out, cases[i].outlen);
		/* and it parses as a spool file */
		assert_int_equal(spool_parse(got, len, &ps), 0);
		parsed_free(&ps);
		free(got);
	}
}

/* The end of a crashed session is never before its start. */
static void
test_recover_clock(void **state)
{
	static const char in[] =
	    "spampot-spool 1\n"
	    "session 00000000000000bb\n"
	    "sensor s1\n"
	    "client 192.0.2.1 1234\n"
	    "server 192.0.2.25 25\n"
	    "start 2099-12-31T23:59:59.999999Z\n"
	    "rset\n";
	static const char out[] =
	    "spampot-spool 1\n"
	    "session 00000000000000bb\n"
	    "sensor s1\n"
	    "client 192.0.2.1 1234\n"
	    "server 192.0.2.25 25\n"
	    "start 2099-12-31T23:59:59.999999Z\n"
	    "rset\n"
	    "end 2099-12-31T23:59:59.999999Z reason=crash\n";
	struct fixture *fx = *state;
	size_t len;
	char *got;

	put_tmp(fx->fd, dead_pid(), "future", in, sizeof(in) - 1);
	assert_int_equal(spool_recover(fx->fd, 0), 1);
	got = get_new(fx->fd, "future", &len);
	assert_bytes(got, len, out, sizeof(out) - 1);
	free(got);
}

/* A child that looks like a live spampot worker until it is killed. */
static pid_t
live_writer(const char *comm)
{
	int p[2];
	pid_t pid;
	char c;

	assert_int_equal(pipe(p), 0);
	assert_true((pid = fork()) != -1);
	if (pid == 0) {
		close(p[0]);
		if (comm != NULL && prctl(PR_SET_NAME, comm, 0, 0, 0) == -1)
			_exit(1);
		if (write(p[1], "r", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(p[1]);
	assert_int_equal(read(p[0], &c, 1), 1);
	close(p[0]);
	return pid;
}

static void
stop_child(pid_t pid)
{
	int st;

	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
}

static void
test_recover_live(void **state)
{
	static const char in[] = HEADER "rset\n";
	static const char out[] = HEADER "rset\n"
	    "end " MTIME_TEXT " reason=crash\n";
	struct fixture *fx = *state;
	pid_t spampotd, other, dead = dead_pid();
	char want[512];
	size_t len;
	char *got;

	spampotd = live_writer("spampotd");
	other = live_writer(NULL);	/* alive, but not a spampot process */
	put_tmp(fx->fd, spampotd, "live", in, sizeof(in) - 1);
	put_tmp(fx->fd, other, "reused-pid", in, sizeof(in) - 1);
	put_tmp(fx->fd, getpid(), "mine", in, sizeof(in) - 1);
	put_tmp(fx->fd, dead, "dead", in, sizeof(in) - 1);
	/* the same in the workers' own directories */
	put_worker(fx->fd, spampotd, "live-dir", in, sizeof(in) - 1);
	put_worker(fx->fd, other, "reused-pid-dir", in, sizeof(in) - 1);
	put_worker(fx->fd, dead, "dead-dir", in, sizeof(in) - 1);
	/* not spool file names: left alone */
	put_tmp(fx->fd, dead, "", "", 0);			/* "N-" */
	write_at(fx->fd, "tmp/garbage", "x", 1);
	write_at(fx->fd, "tmp/0-zero", "x", 1);
	write_at(fx->fd, "tmp/-5-neg", "x", 1);
	write_at(fx->fd, "tmp/0", "x", 1);
	/* a name of a worker's directory that is not one: left alone */
	write_at(fx->fd, "tmp/999999999", "x", 1);

	assert_int_equal(spool_recover(fx->fd, 0), 5);
	snprintf(want, sizeof(want), "%d- %d-live %d -5-neg 0-zero 0 "
	    "999999999 garbage", (int)dead, (int)spampotd, (int)spampotd);
	assert_listing(fx->fd, "tmp", want);
	assert_listing(fx->fd, "new", "dead mine reused-pid dead-dir "
	    "reused-pid-dir");
	got = get_new(fx->fd, "reused-pid", &len);
	assert_bytes(got, len, out, sizeof(out) - 1);
	free(got);

	/* once the writer is gone, its file is recovered too */
	stop_child(spampotd);
	stop_child(other);
	assert_int_equal(spool_recover(fx->fd, 0), 2);
	got = get_new(fx->fd, "live", &len);
	assert_bytes(got, len, out, sizeof(out) - 1);
	free(got);
	got = get_new(fx->fd, "live-dir", &len);
	assert_bytes(got, len, out, sizeof(out) - 1);
	free(got);
	snprintf(want, sizeof(want), "%d- -5-neg 0-zero 0 999999999 garbage",
	    (int)dead);
	assert_listing(fx->fd, "tmp", want);
}

/* After one worker died, only its files are touched. */
static void
test_recover_one_pid(void **state)
{
	static const char in[] = HEADER "rset\n";
	struct fixture *fx = *state;
	pid_t a = dead_pid(), b = dead_pid();
	char listing[1024], want[512];

	put_worker(fx->fd, a, "a1", in, sizeof(in) - 1);
	put_worker(fx->fd, a, "a2", in, sizeof(in) - 1);
	put_tmp(fx->fd, a, "a3", in, sizeof(in) - 1);	/* no dir of its own */
	put_worker(fx->fd, b, "b1", in, sizeof(in) - 1);
	put_tmp(fx->fd, b, "b2", in, sizeof(in) - 1);
	assert_int_equal(spool_recover(fx->fd, a), 3);
	assert_listing(fx->fd, "new", "a1 a2 a3");
	snprintf(want, sizeof(want), "%d %d-b2", (int)b, (int)b);
	assert_listing(fx->fd, "tmp", want);
	snprintf(want, sizeof(want), "tmp/%d", (int)b);
	assert_listing(fx->fd, want, "b1");

	assert_int_equal(spool_recover(fx->fd, a), 0);
	assert_int_equal(spool_recover(fx->fd, b), 2);
	list_dir(fx->fd, "tmp", listing, sizeof(listing));
	assert_string_equal(listing, "");
}

/* A real writer's file, cut as a crash would leave it, comes back whole. */
static void
test_recover_real_file(void **state)
{
	struct fixture *fx = *state;
	struct spool_file *sf;
	struct parsed ps;
	char tmpname[256], name[160], big[5000];
	size_t len, i;
	char *file;
	pid_t pid = dead_pid();

	for (i = 0; i < sizeof(big); i++)
		big[i] = (char)i;
	assert_non_null(sf = spool_create(fx->fd, &meta));
	snprintf(name, sizeof(name), "%s", spool_name(sf));
	raw_record(sf, "data n=1");
	spool_body(sf, big, sizeof(big));
	assert_int_equal(spool_flush(sf), 0);

	/* keep what is on disk under a dead worker's name, cut mid-body */
	snprintf(tmpname, sizeof(tmpname), "%s/%s", fx->mine, name);
	assert_non_null(file = tu_read_at(fx->fd, tmpname, &len));
	spool_abandon(sf);
	snprintf(tmpname, sizeof(tmpname), "tmp/%d-%s", (int)pid, name);
	write_at(fx->fd, tmpname, file, len - 1000);
	free(file);

	assert_int_equal(spool_recover(fx->fd, 0), 1);
	snprintf(tmpname, sizeof(tmpname), "new/%s", name);
	assert_non_null(file = tu_read_at(fx->fd, tmpname, &len));
	assert_int_equal(spool_parse(file, len, &ps), 0);
	assert_text(&ps, 0, "spampot-spool 1");
	assert_text(&ps, 6, "data n=1");
	assert_true(ps.items[7].body);
	/* 1000 bytes cut: the newline after the body and 999 of its bytes */
	assert_int_equal(ps.items[7].len, sizeof(big) - 999);
	assert_memory_equal(ps.items[7].p, big, sizeof(big) - 999);
	assert_int_equal(ps.n, 9);
	assert_prefix(&ps, 8, "end ");
	assert_string_equal(ps.items[8].p + 4 + 27, " reason=crash");
	parsed_free(&ps);
	free(file);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_prepare_modes, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_prepare_refuses, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_write, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flush_mid_session, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_written_when_asked, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_write_now, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_abandon, setup, teardown),
		cmocka_unit_test_setup_teardown(test_create_fails, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_recover, setup_recover,
		    teardown),
		cmocka_unit_test_setup_teardown(test_recover_clock,
		    setup_recover, teardown),
		cmocka_unit_test_setup_teardown(test_recover_live,
		    setup_recover, teardown),
		cmocka_unit_test_setup_teardown(test_recover_one_pid,
		    setup_recover, teardown),
		cmocka_unit_test_setup_teardown(test_recover_real_file, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
