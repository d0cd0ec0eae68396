/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * import: the analyzer's reading side of an import. A spool file is read
 * whole, parsed (spool_read.c), each message walked (mime.c), counted
 * (extract.c) and looked into (import_more.c); the store gets the
 * result.
 *
 * All of that touches attacker bytes, so none of it runs in the analyzer,
 * which holds the database password and a connection to the database.
 * It runs in a parse child (the OpenSSH privsep shape):
 *
 *   the spawner      forked by the analyzer first thing, before the
 *                    password file is read and before anything else is
 *                    opened but the log; drops to analyzer_user like the
 *                    analyzer; makes parse children, one at a time, and
 *                    tells the analyzer of each birth (its socket and a
 *                    pidfd) and each death (the wait status), respawning
 *                    with a back-off. It reads no message byte.
 *   a parse child    forked by the spawner; holds only its end of a
 *                    socketpair to the analyzer (fds 0-2 on /dev/null);
 *                    Landlock: no file may be opened but, read-only, the
 *                    C library's iconv modules (GMime's charsets); no
 *                    TCP bind or connect; no signal or abstract socket
 *                    out of its domain; then the seccomp allow-list
 *                    sandbox_parser_allow of sandbox_rules.c, anything
 *                    else kills it. It receives one open spool file at
 *                    a time over the socket (SCM_RIGHTS), parses it,
 *                    digests, types, unpacks and scans what it holds
 *                    (import_more.c) and writes the result back
 *                    (import_wire.c). Between files it may receive the
 *                    analyzer's compiled YARA rules ('y'); libmagic's
 *                    database is loaded before its sandbox.
 *   the analyzer     opens each file (O_RDONLY, O_NOFOLLOW, O_NONBLOCK),
 *                    sends its fd ahead, a bounded number of files and
 *                    bytes (the parse-ahead), and takes the results in
 *                    order, validating each frame as untrusted input.
 *
 * A child that dies on a file (killed by its filter, a crash, the OOM
 * killer) is respawned and the file given to the new one once more; one
 * that dies on it twice, or sends a bad frame (then it is killed), makes
 * the file IMPORT_BAD with the reason: the analyzer moves it to bad/ and
 * goes on with the next. Nothing is lost, nothing taken twice: results
 * are matched to names by their order only.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/futex.h>
#include <openssl/crypto.h>

#include "buf.h"
#include "extract.h"
#include "log.h"
#include "mime.h"
#include "import.h"
#include "import_cache.h"
#include "import_more.h"
#include "import_wire.h"
#include "inspect.h"
#include "sandbox.h"
#include "util.h"
#include "yara_rules.h"

#define IMPORT_FILE_MAX		((off_t)4 << 30)	/* larger: bad/ */
/* How far ahead: files sent to the child and not taken back, and the
 * bytes of their files (one file is always let through, whatever its
 * size). Enough to keep parsing while a batch of ANALYZER_BATCH_FILES is
 * committed. */
#define IMPORT_AHEAD_FILES	128
#define IMPORT_AHEAD_BYTES	((size_t)64 << 20)
/* A frame may be this much larger than its file (decoded attachments of
 * nested messages, the per-message copies) and no larger. */
#define IMPORT_FRAME_FACTOR	8
#define IMPORT_FRAME_SLACK	((size_t)16 << 20)
/* Respawn back-off: a child that lived less than a second waits twice
 * as long as the one before, up to the maximum. */
#define IMPORT_BACKOFF_MIN_MS	50
#define IMPORT_BACKOFF_MAX_MS	5000
/* Compiled YARA rules larger than this are refused (a few thousand
 * rules take a few MiB). */
#define IMPORT_RULES_MAX	((size_t)256 << 20)
/* The child's socket: fd 3, above /dev/null on 0-2. */
#define IMPORT_CHILD_FD		3
/* A child that sends nothing for this long is stuck on its file (a
 * parser in an endless loop): it is killed and the file goes to bad/.
 * Parsing the largest session a sensor writes takes seconds. */
#define IMPORT_TIMEOUT_S		120

/* spawner to analyzer */
struct import_note {
	int		 born;		/* 1: fds attached, 0: a death */
	pid_t		 pid;
	int		 status;	/* death: the wait status */
};

/* One name of the list sent to the child, or answered here. */
struct import_slot {
	int			 local;		/* f holds the answer */
	size_t			 bytes;
	struct import_file	 f;
};

static int	import_timeout_s = IMPORT_TIMEOUT_S;

struct import_ahead {
	int				 dirfd;
	int				 with_data;
	struct buf			 rules;		/* compiled YARA rules */
	int				 rules_due;	/* to the child */
	int				 ctl;		/* to the spawner */
	int				 sock;		/* to the child */
	int				 pidfd;
	pid_t				 pid;
	const char *const		*names;
	size_t				 n;
	size_t				 next_send;	/* names[] index */
	size_t				 next_take;	/* names[] index */
	unsigned			 tries;		/* deaths on next_take */
	struct import_slot		 ring[IMPORT_AHEAD_FILES];
	size_t				 head, count, bytes;
};

/*
 * Open a spool file for reading: a regular file of at most 4 GiB.
 * O_NONBLOCK: a FIFO dropped into new/ must not hang us. -1 with errno
 * and err.
 */
static int
import_open(int dirfd, const char *name, size_t *size, char *err,
    size_t errlen)
{
	struct stat st;
	int fd;

	if ((fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "open: %s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size > IMPORT_FILE_MAX) {
		snprintf(err, errlen, "not a regular file of at most 4 GiB");
		close(fd);
		errno = EINVAL;
		return -1;
	}
	*size = (size_t)st.st_size;
	return fd;
}

static enum import_status
import_open_status(int error)
{
	if (error == ENOENT)
		return IMPORT_GONE;
	if (error == EACCES || error == EPERM || error == EMFILE ||
	    error == ENFILE || error == ENOMEM)
		return IMPORT_UNREADABLE;
	return IMPORT_BAD;
}

/* Read an open spool file whole; NULL and errno/err on failure. */
static char *
import_slurp(int fd, size_t *len, char *err, size_t errlen)
{
	struct stat st;
	char *data = NULL;
	size_t got = 0;
	ssize_t n;

	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size > IMPORT_FILE_MAX) {
		snprintf(err, errlen, "not a regular file of at most 4 GiB");
		errno = EINVAL;
		return NULL;
	}
	if ((data = malloc((size_t)st.st_size + 1)) == NULL) {
		snprintf(err, errlen, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	while (got < (size_t)st.st_size &&
	    (n = read(fd, data + got, (size_t)st.st_size - got)) != 0) {
		if (n == -1) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "read: %s", strerror(errno));
			free(data);
			errno = EIO;
			return NULL;
		}
		got += (size_t)n;
	}
	*len = got;
	return data;
}

/* MIME, extraction and (with TOOLS: the parse child) the rest of
 * import_more.c for every message of f->s. */
static int
import_messages(const struct extract_patterns *patterns,
    const struct import_tools *tools, struct import_file *f)
{
	size_t i, n = f->s.nmsgs;

	f->mime = calloc(n + 1, sizeof(*f->mime));
	f->found = calloc(n + 1, sizeof(*f->found));
	f->more = calloc(n + 1, sizeof(*f->more));
	f->parsed = calloc(n + 1, sizeof(*f->parsed));
	if (f->mime == NULL || f->found == NULL || f->more == NULL ||
	    f->parsed == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		if (mime_parse(f->s.msgs[i].body, f->s.msgs[i].body_len,
		    &f->mime[i]) == -1 ||
		    extract_message(&f->mime[i], patterns, &f->found[i]) == -1 ||
		    import_more(tools, &f->s.msgs[i], &f->mime[i],
		    &f->more[i]) == -1)
			return -1;
		f->parsed[i].mime = &f->mime[i];
		f->parsed[i].found = &f->found[i];
		f->parsed[i].more = &f->more[i];
	}
	return 0;
}

#ifdef SPAMPOT_TEST_HOOKS
/*
 * --enable-test-hooks builds only, never packaged: a message whose body
 * holds "SPAMPOT-TEST-HOOK: socket" or "SPAMPOT-TEST-HOOK: open PATH"
 * makes the parser act as a compromised one would. What a call let it
 * have goes into the message's subject, where it would reach the
 * database; a refused call makes the file bad, with the errno.
 */
static int
import_test_hook(const struct spool_message *m, struct import_file *f,
    char *subject, size_t len)
{
	const char *p, *mark = "SPAMPOT-TEST-HOOK: ";
	char arg[256];
	ssize_t n;
	int fd;

	if (m->body == NULL || (p = memmem(m->body, m->body_len, mark,
	    strlen(mark))) == NULL)
		return 0;
	p += strlen(mark);
	snprintf(arg, sizeof(arg), "%.*s", (int)strcspn(p, "\r\n"), p);
	if (strcmp(arg, "socket") == 0)
		fd = socket(AF_INET, SOCK_STREAM, 0);
	else if (strcmp(arg, "hang") == 0) {
		/* a parser stuck for good, without spinning */
		for (;;)
			(void)syscall(SYS_futex, &fd, FUTEX_WAIT, fd, NULL,
			    NULL, 0);
	} else if (strncmp(arg, "open ", 5) == 0)
		fd = open(arg + 5, O_RDONLY | O_CLOEXEC);
	else
		return 0;
	if (fd == -1) {
		snprintf(f->err, sizeof(f->err), "test hook %s: refused: %s",
		    arg, strerror(errno));
		return -1;
	}
	n = strncmp(arg, "open ", 5) == 0 ? read(fd, subject, len - 1) : 0;
	if (n <= 0)
		n = snprintf(subject, len, "test hook %s: fd %d", arg, fd);
	subject[n] = '\0';
	close(fd);
	return 0;
}

static int
import_test_hooks(struct import_file *f)
{
	char subject[4096];
	size_t i;

	for (i = 0; i < f->s.nmsgs; i++) {
		subject[0] = '\0';
		if (import_test_hook(&f->s.msgs[i], f, subject,
		    sizeof(subject)) == -1)
			return -1;
		if (subject[0] != '\0') {
			free(f->mime[i].subject);
			f->mime[i].subject = strdup(subject);
		}
	}
	return 0;
}
#endif

/* Parse the open spool file FD. 0 for IMPORT_OK, else -1 with f->status
 * and f->err saying why. */
static int
import_fd(int fd, const struct extract_patterns *patterns,
    const struct import_tools *tools, struct import_file *f)
{
	size_t len;
	char *data;
	int rc;

	memset(f, 0, sizeof(*f));
	if ((data = import_slurp(fd, &len, f->err, sizeof(f->err))) == NULL) {
		f->status = errno == ENOMEM ? IMPORT_UNREADABLE : IMPORT_BAD;
		return -1;
	}
	f->bytes = len;
	rc = spool_read(data, len, &f->s, f->err, sizeof(f->err));
	free(data);
	if (rc == -1) {
		memset(&f->s, 0, sizeof(f->s));
		f->status = IMPORT_BAD;
		return -1;
	}
	if (import_messages(patterns, tools, f) == -1) {
		import_file_clear(f);
		f->status = IMPORT_NOMEM;
		snprintf(f->err, sizeof(f->err), "out of memory");
		return -1;
	}
#ifdef SPAMPOT_TEST_HOOKS
	if (import_test_hooks(f) == -1) {
		import_file_clear(f);
		f->status = IMPORT_BAD;
		return -1;
	}
#endif
	f->status = IMPORT_OK;
	return 0;
}

/* Returns 0 for IMPORT_OK, else -1 with f->status and f->err saying why. */
int
import_file(int dirfd, const char *name,
    const struct extract_patterns *patterns, struct import_file *f)
{
	size_t size;
	int fd, rc;

	memset(f, 0, sizeof(*f));
	if ((fd = import_open(dirfd, name, &size, f->err,
	    sizeof(f->err))) == -1) {
		f->status = import_open_status(errno);
		return -1;
	}
	rc = import_fd(fd, patterns, NULL, f);
	close(fd);
	return rc;
}

void
import_file_clear(struct import_file *f)
{
	size_t i;

	for (i = 0; f->mime != NULL && f->found != NULL && i < f->s.nmsgs;
	    i++) {
		if (f->more != NULL)
			import_more_clear(&f->more[i], f->mime[i].natts);
		mime_message_clear(&f->mime[i]);
		extract_result_clear(&f->found[i]);
	}
	free(f->mime);
	free(f->found);
	free(f->more);
	free(f->parsed);
	f->mime = NULL;
	f->found = NULL;
	f->more = NULL;
	f->parsed = NULL;
	spool_session_clear(&f->s);
	memset(&f->s, 0, sizeof(f->s));
}

/* --- fds over a unix socket ---------------------------------------------- */

/* Send LEN bytes of P with up to two fds (-1: none); FLAGS as send(2)'s,
 * MSG_NOSIGNAL always. */
static int
import_send(int sock, const void *p, size_t len, int fd1, int fd2, int flags)
{
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(2 * sizeof(int))];
	} cm;
	struct iovec iov = { (void *)(uintptr_t)p, len };
	struct msghdr msg;
	struct cmsghdr *c;
	int fds[2] = { fd1, fd2 }, nfds = (fd1 != -1) + (fd2 != -1);

	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	if (nfds > 0) {
		memset(&cm, 0, sizeof(cm));
		msg.msg_control = cm.buf;
		msg.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(c), fds, nfds * sizeof(int));
	}
	while (sendmsg(sock, &msg, MSG_NOSIGNAL | flags) == -1)
		if (errno != EINTR)
			return -1;
	return 0;
}

/* Receive up to LEN bytes into P and up to two fds (-1 where none came).
 * The byte count, 0 at the end, -1 on error. */
static ssize_t
import_recv(int sock, void *p, size_t len, int fds[2])
{
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(2 * sizeof(int))];
	} cm;
	struct iovec iov = { p, len };
	struct msghdr msg;
	struct cmsghdr *c;
	ssize_t n;
	size_t nfds, i;

	fds[0] = fds[1] = -1;
	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cm.buf;
	msg.msg_controllen = sizeof(cm.buf);
	while ((n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC)) == -1)
		if (errno != EINTR)
			return -1;
	for (c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		nfds = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < nfds; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(fd));
			if (i < 2 && fds[i] == -1)
				fds[i] = fd;
			else
				close(fd);
		}
	}
	return n;
}

static int
import_read_full(int fd, void *p, size_t len)
{
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		if ((n = read(fd, (char *)p + got, len - got)) == -1 &&
		    errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

static int
import_write_full(int fd, const void *p, size_t len)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		if ((n = write(fd, (const char *)p + done, len - done)) == -1 &&
		    errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		done += (size_t)n;
	}
	return 0;
}

/* --- the parse child ----------------------------------------------------- */

/* One file's result as a frame: its length (u32, little-endian), then
 * import_wire's payload. */
static int
import_child_reply(int sock, struct buf *b, const struct import_file *f,
    int with_data)
{
	static const unsigned char room[4];
	struct import_file oom;
	size_t len;

	b->len = 0;
	if (buf_append(b, room, sizeof(room)) == -1 ||
	    import_wire_encode(b, f, with_data) == -1) {
		memset(&oom, 0, sizeof(oom));
		oom.status = IMPORT_NOMEM;
		snprintf(oom.err, sizeof(oom.err), "out of memory");
		b->len = 0;
		if (buf_append(b, room, sizeof(room)) == -1 ||
		    import_wire_encode(b, &oom, 0) == -1)
			return -1;
	}
	len = b->len - sizeof(room);
	if (len > IMPORT_WIRE_MAX)
		return -1;
	b->data[0] = (char)(len & 0xff);
	b->data[1] = (char)((len >> 8) & 0xff);
	b->data[2] = (char)((len >> 16) & 0xff);
	b->data[3] = (char)((len >> 24) & 0xff);
	return import_write_full(sock, b->data, b->len);
}

/* 'y': YARA rules, a u32 length and libyara's bytes, replace the ones
 * the child has. Only the analyzer writes here: bad rules are a bug. */
static void
import_child_rules(struct import_tools *t)
{
	unsigned char hdr[4];
	char err[256];
	size_t len;
	void *p;

	if (import_read_full(IMPORT_CHILD_FD, hdr, sizeof(hdr)) == -1)
		_exit(1);
	len = (size_t)hdr[0] | (size_t)hdr[1] << 8 | (size_t)hdr[2] << 16 |
	    (size_t)hdr[3] << 24;
	if (len > IMPORT_RULES_MAX || (p = malloc(len ? len : 1)) == NULL ||
	    import_read_full(IMPORT_CHILD_FD, p, len) == -1)
		_exit(1);
	if (t->rules != NULL)
		yara_rules_free(t->rules);
	/* what the old rules matched is not what the new ones match */
	import_cache_flush(t->cache);
	t->rules = len > 0 ? yara_rules_load(p, len, err, sizeof(err)) : NULL;
	free(p);
	if (len > 0 && t->rules == NULL) {
		log_warnx("parse child: YARA rules: %s", err);
		_exit(1);
	}
}

static void __attribute__((noreturn))
import_child_loop(struct import_tools *t)
{
	struct import_file f;
	struct buf b = { NULL, 0, 0 };
	unsigned char c;
	int fds[2];
	ssize_t n;

	for (;;) {
		if ((n = import_recv(IMPORT_CHILD_FD, &c, 1, fds)) <= 0)
			_exit(n == 0 ? 0 : 1);
		if (fds[1] != -1)
			close(fds[1]);
		if (c == 'y' && fds[0] == -1) {
			import_child_rules(t);
			continue;
		}
		if (fds[0] == -1)
			_exit(1);
		(void)import_fd(fds[0], t->opts->patterns, t, &f);
		close(fds[0]);
		if (import_child_reply(IMPORT_CHILD_FD, &b, &f,
		    t->opts->wire_flags) == -1)
			_exit(1);
		import_file_clear(&f);
		buf_trim(&b, (size_t)1 << 20);
	}
}

/* In the new child: only its socket, on fd 3, and /dev/null on 0-2. */
static void
import_child_fds(int sock, int trap)
{
	int null;

	/* -d: stderr stays, for the filter's report */
	if ((null = open("/dev/null", O_RDWR)) == -1 ||
	    dup2(null, 0) == -1 || dup2(null, 1) == -1 ||
	    (!trap && dup2(null, 2) == -1) ||
	    dup2(sock, IMPORT_CHILD_FD) == -1)
		_exit(1);
	if (syscall(SYS_close_range, IMPORT_CHILD_FD + 1, ~0U, 0) == -1)
		_exit(1);
}

static void __attribute__((noreturn))
import_child(int sock, const struct import_opts *opts, int trap)
{
	struct import_tools t = { opts, NULL, NULL, NULL };
	char err[256];

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1)
		_exit(1);
	/* the log socket is closed below: a line (a library's complaint,
	 * a fatal) goes to stderr, /dev/null but with -d */
	log_to_pipe(STDERR_FILENO);
	/* what opens files, before the sandbox forbids it */
	if (opts->inspect &&
	    (t.insp = inspect_open(&opts->limits, err, sizeof(err))) == NULL) {
		log_warnx("parse child: %s", err);
		_exit(1);
	}
	if (yara_rules_init() == -1 || (t.cache = import_cache_new()) == NULL)
		_exit(1);
	import_child_fds(sock, trap);
	sandbox_parser(trap ? 2 : -1);
	import_child_loop(&t);
}

/* --- the spawner --------------------------------------------------------- */

static void
import_sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static void __attribute__((noreturn))
import_spawner(int ctl, const struct import_opts *opts, int trap)
{
	struct import_note note;
	unsigned backoff = 0;
	uint64_t born;
	pid_t pid;
	int sv[2], pidfd, status;

	for (;;) {
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
		    sv) == -1)
			_exit(1);
		if ((pid = fork()) == -1)
			_exit(1);
		if (pid == 0) {
			close(ctl);
			close(sv[0]);
			import_child(sv[1], opts, trap);
		}
		close(sv[1]);
		born = util_now_ms();
		pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
		note = (struct import_note){ 1, pid, 0 };
		if (import_send(ctl, &note, sizeof(note), sv[0], pidfd,
		    0) == -1)
			_exit(0);	/* the analyzer is gone */
		close(sv[0]);
		if (pidfd != -1)
			close(pidfd);
		while (waitpid(pid, &status, 0) == -1)
			if (errno != EINTR)
				_exit(1);
		note = (struct import_note){ 0, pid, status };
		if (import_send(ctl, &note, sizeof(note), -1, -1, 0) == -1)
			_exit(0);
		if (util_now_ms() - born >= 1000)
			backoff = 0;
		else
			backoff = backoff == 0 ? IMPORT_BACKOFF_MIN_MS :
			    backoff * 2 > IMPORT_BACKOFF_MAX_MS ?
			    IMPORT_BACKOFF_MAX_MS : backoff * 2;
		import_sleep_ms(backoff);
	}
}

/* Reads from the child give up after IMPORT_TIMEOUT_S without a byte
 * (test builds: $SPAMPOT_TEST_PARSE_TIMEOUT seconds, where set). */
static void
import_set_timeout(int sock)
{
	struct timeval tv;
#ifdef SPAMPOT_TEST_HOOKS
	const char *e = getenv("SPAMPOT_TEST_PARSE_TIMEOUT");

	if (e != NULL && atoi(e) > 0)
		import_timeout_s = atoi(e);
#endif
	memset(&tv, 0, sizeof(tv));
	tv.tv_sec = import_timeout_s;
	if (setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == -1)
		log_warn("parse: no time limit on the parse child");
}

/* The next note from the spawner; a birth's socket and pidfd kept. */
static void
import_note(struct import_ahead *q, struct import_note *note)
{
	int fds[2];

	if (import_recv(q->ctl, note, sizeof(*note), fds) != sizeof(*note))
		fatalx("the parse spawner is gone");
	if (note->born) {
		if (fds[0] == -1)
			fatalx("the parse spawner sent no socket");
		q->sock = fds[0];
		q->pidfd = fds[1];
		q->pid = note->pid;
		q->rules_due = q->rules.len > 0;
		import_set_timeout(q->sock);
	} else {
		if (fds[0] != -1)
			close(fds[0]);
		if (fds[1] != -1)
			close(fds[1]);
	}
}

struct import_ahead *
import_spawn(const struct import_opts *opts, int trap, void (*init)(void *),
    void *arg)
{
	struct import_ahead *q;
	struct import_note note;
	pid_t pid;
	int ctl[2];

	if ((q = calloc(1, sizeof(*q))) == NULL)
		fatal("import_spawn");
	q->dirfd = AT_FDCWD;
	q->with_data = opts->wire_flags;
	q->sock = q->pidfd = -1;
	/* OpenSSL reads its configuration on first use: here, not in a
	 * child that may open no file */
	if (OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CONFIG, NULL) != 1)
		fatalx("OpenSSL initialisation failed");
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ctl) == -1)
		fatal("socketpair");
	if ((pid = fork()) == -1)
		fatal("fork of the parse spawner");
	if (pid == 0) {
		close(ctl[0]);
		signal(SIGTERM, SIG_IGN);
		signal(SIGINT, SIG_IGN);
		signal(SIGHUP, SIG_IGN);
		signal(SIGPIPE, SIG_IGN);
		if (init != NULL)
			init(arg);
		/* set after the drop, which clears it */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1 || getppid() == 1)
			_exit(1);
		sandbox_no_dumps(0);
		sandbox_parser_log();
		import_spawner(ctl[1], opts, trap);
	}
	close(ctl[1]);
	q->ctl = ctl[0];
	import_note(q, &note);
	if (!note.born)
		fatalx("the parse child did not start");
	return q;
}

/* --- the analyzer's side ------------------------------------------------- */

void
import_start(struct import_ahead *q, int dirfd)
{
	q->dirfd = dirfd;
}

static const char *
import_death(int status, char *buf, size_t len)
{
	if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by signal %d (%s)",
		    WTERMSIG(status), strsignal(WTERMSIG(status)));
	else if (WIFEXITED(status))
		snprintf(buf, len, "exited with status %d",
		    WEXITSTATUS(status));
	else
		snprintf(buf, len, "gone (status %#x)", status);
	return buf;
}

/* Forget what was sent: the child is gone, the names from next_take on
 * are to be sent again. */
static void
import_forget(struct import_ahead *q)
{
	struct import_slot *s;

	while (q->count > 0) {
		s = &q->ring[q->head];
		if (s->local)
			import_file_clear(&s->f);
		q->head = (q->head + 1) % IMPORT_AHEAD_FILES;
		q->count--;
	}
	q->head = 0;
	q->bytes = 0;
	q->next_send = q->next_take;
}

/*
 * The child is to go (a bad frame) or has gone: kill it, take the note
 * of its death and the next one's birth. WHY: what became of it.
 */
static void
import_respawn(struct import_ahead *q, char *why, size_t len)
{
	struct import_note note;

	if (q->pidfd != -1)
		(void)syscall(SYS_pidfd_send_signal, q->pidfd, SIGKILL, NULL,
		    0);
	close(q->sock);
	if (q->pidfd != -1)
		close(q->pidfd);
	q->sock = q->pidfd = -1;
	do {
		import_note(q, &note);
		if (!note.born && note.pid == q->pid)
			import_death(note.status, why, len);
	} while (!note.born);
	import_forget(q);
}

int
import_rules(struct import_ahead *q, const void *p, size_t n)
{
	q->rules.len = 0;
	if (n > IMPORT_RULES_MAX || buf_append(&q->rules, "y\0\0\0\0", 5) == -1 ||
	    buf_append(&q->rules, p, n) == -1) {
		q->rules.len = 0;
		return -1;
	}
	q->rules.data[1] = (char)(n & 0xff);
	q->rules.data[2] = (char)((n >> 8) & 0xff);
	q->rules.data[3] = (char)((n >> 16) & 0xff);
	q->rules.data[4] = (char)((n >> 24) & 0xff);
	q->rules_due = 1;
	return 0;
}

/*
 * New rules go to the child between files only, when it has nothing to
 * answer: a blocking write of megabytes while it writes an answer that
 * is not read would leave both waiting. A child that cannot take them is
 * gone: the next read finds that out.
 */
static void
import_send_rules(struct import_ahead *q)
{
	if (!q->rules_due || q->count > 0)
		return;
	q->rules_due = 0;
	if (q->rules.len > 0 &&
	    import_write_full(q->sock, q->rules.data, q->rules.len) == -1)
		log_warnx("parse child %ld: the YARA rules did not reach it",
		    (long)q->pid);
}

/* Send names ahead, as far as the bounds allow. */
static void
import_fill(struct import_ahead *q)
{
	struct import_slot *s;
	static const unsigned char c = 'p';
	int fd;

	import_send_rules(q);
	while (q->names != NULL && q->next_send < q->n &&
	    q->count < IMPORT_AHEAD_FILES &&
	    (q->bytes == 0 || q->bytes < IMPORT_AHEAD_BYTES)) {
		s = &q->ring[(q->head + q->count) % IMPORT_AHEAD_FILES];
		memset(s, 0, sizeof(*s));
		if ((fd = import_open(q->dirfd, q->names[q->next_send],
		    &s->bytes, s->f.err, sizeof(s->f.err))) == -1) {
			s->local = 1;
			s->f.status = import_open_status(errno);
		} else {
			/* never blocks: the child may be writing an answer
			 * that is read only after this */
			if (import_send(q->sock, &c, 1, fd, -1,
			    MSG_DONTWAIT) == -1) {
				close(fd);
				return;		/* full, or the child gone */
			}
			close(fd);
			q->bytes += s->bytes;
		}
		q->count++;
		q->next_send++;
	}
}

/* A read from the child failed: it is gone (*bad stays 0) or, when the
 * read timed out, stuck on its file (*bad 1: it is killed, the file bad). */
static int
import_stuck(int *bad, char *why, size_t len)
{
	if (errno == EAGAIN || errno == EWOULDBLOCK) {
		*bad = 1;
		snprintf(why, len, "no answer from the parse child in %d s",
		    import_timeout_s);
	}
	return -1;
}

/* The child's answer for the slot at the head into F. 0, or -1 with WHY
 * when the child died (*bad 0) or sent a bad frame (*bad 1). */
static int
import_answer(struct import_ahead *q, const struct import_slot *s,
    struct import_file *f, int *bad, char *why, size_t len)
{
	unsigned char hdr[4];
	size_t flen, max;
	void *frame;
	int rc;

	*bad = 0;
	if (import_read_full(q->sock, hdr, sizeof(hdr)) == -1)
		return import_stuck(bad, why, len);
	flen = (size_t)hdr[0] | (size_t)hdr[1] << 8 | (size_t)hdr[2] << 16 |
	    (size_t)hdr[3] << 24;
	max = s->bytes > (IMPORT_WIRE_MAX - IMPORT_FRAME_SLACK) /
	    IMPORT_FRAME_FACTOR ? IMPORT_WIRE_MAX :
	    s->bytes * IMPORT_FRAME_FACTOR + IMPORT_FRAME_SLACK;
	*bad = 1;
	if (flen > max) {
		snprintf(why, len, "bad frame from the parse child: %zu "
		    "bytes for a file of %zu", flen, s->bytes);
		return -1;
	}
	if ((frame = malloc(flen ? flen : 1)) == NULL) {
		snprintf(why, len, "out of memory for a frame of %zu bytes",
		    flen);
		return -1;
	}
	if (import_read_full(q->sock, frame, flen) == -1) {
		free(frame);
		*bad = 0;
		return import_stuck(bad, why, len);
	}
	rc = import_wire_decode(frame, flen, f, why, len);
	free(frame);
	return rc;
}

/* The parse child died, or misbehaved, on names[next_take]: respawn it;
 * the second death on one file, or a bad frame, makes it bad. 1: F holds
 * the verdict; 0: send it again. */
static int
import_failed(struct import_ahead *q, int bad, const char *why,
    struct import_file *f)
{
	char death[128] = "gone";
	pid_t pid = q->pid;

	import_respawn(q, death, sizeof(death));
	if (bad)
		log_warnx("parse child %ld killed: %s, parsing %s; respawned "
		    "as %ld", (long)pid, why, q->names[q->next_take],
		    (long)q->pid);
	else
		log_warnx("parse child %ld %s parsing %s; respawned as %ld",
		    (long)pid, death, q->names[q->next_take], (long)q->pid);
	if (!bad && ++q->tries < 2)
		return 0;
	memset(f, 0, sizeof(*f));
	f->status = IMPORT_BAD;
	if (bad)
		snprintf(f->err, sizeof(f->err), "%s", why);
	else
		snprintf(f->err, sizeof(f->err), "the parse child %s parsing "
		    "it, twice", death);
	return 1;
}

void
import_begin(struct import_ahead *q, const char *const *names, size_t n)
{
	import_end(q);
	q->names = names;
	q->n = n;
	q->next_send = q->next_take = 0;
	q->tries = 0;
	import_fill(q);
}

/* The next name's result, in the order of the list. Calling it more often
 * than the list has names is a bug. */
void
import_next(struct import_ahead *q, struct import_file *f)
{
	struct import_slot *s;
	char why[256];
	int bad;

	if (q->names == NULL || q->next_take >= q->n)
		fatalx("import_next past the end of the list");
	for (;;) {
		import_fill(q);
		s = &q->ring[q->head];
		if (q->count > 0 && s->local) {
			*f = s->f;
			break;
		}
		if (q->count > 0 &&
		    import_answer(q, s, f, &bad, why, sizeof(why)) == 0)
			break;
		if (q->count == 0)
			bad = 0;
		if (import_failed(q, bad, why, f))
			goto taken;
	}
	q->bytes -= s->local ? 0 : s->bytes;
	q->head = (q->head + 1) % IMPORT_AHEAD_FILES;
	q->count--;
taken:
	q->next_take++;
	if (q->next_send < q->next_take)
		q->next_send = q->next_take;
	q->tries = 0;
}

/* Drop what is sent but not taken: the child's answers are read and
 * freed (its socket holds them in order). */
void
import_end(struct import_ahead *q)
{
	struct import_file f;
	struct import_slot *s;
	char why[256];
	int bad;

	while (q->count > 0) {
		s = &q->ring[q->head];
		if (s->local)
			import_file_clear(&s->f);
		else if (import_answer(q, s, &f, &bad, why, sizeof(why)) == 0)
			import_file_clear(&f);
		else {
			char death[128] = "gone";
			pid_t pid = q->pid;

			import_respawn(q, death, sizeof(death));
			log_warnx("parse child %ld: %s; a new one is %ld",
			    (long)pid, bad ? why : death, (long)q->pid);
			break;
		}
		q->bytes -= s->local ? 0 : s->bytes;
		q->head = (q->head + 1) % IMPORT_AHEAD_FILES;
		q->count--;
	}
	q->head = q->count = q->bytes = 0;
	q->names = NULL;
	q->n = 0;
}

void
import_stop(struct import_ahead *q)
{
	struct import_slot *s;

	if (q == NULL)
		return;
	/* not import_end: what the child still parses is not waited for */
	for (; q->count > 0; q->count--) {
		s = &q->ring[q->head];
		if (s->local)
			import_file_clear(&s->f);
		q->head = (q->head + 1) % IMPORT_AHEAD_FILES;
	}
	/* the child sees the end of its socket (or dies writing to it)
	 * and exits; the spawner sees the end of its own */
	if (q->sock != -1)
		close(q->sock);
	if (q->pidfd != -1)
		close(q->pidfd);
	close(q->ctl);
	buf_release(&q->rules);
	free(q);
}
