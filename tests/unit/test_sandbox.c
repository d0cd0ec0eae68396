/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * test_sandbox: the worker's confinement (src/common/sandbox.c, the allow-list in
 * src/common/sandbox_rules.c). The sandbox holds for the calling process for
 * good, so each case runs in a child of its own: it sets up as a worker
 * does (spool tree, log lines to a pipe), enters the sandbox, makes one
 * call, and the parent checks how the child ended.
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <iconv.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "log.h"
#include "sandbox.h"
#include "spool.h"
#include "testutil.h"

#define OPEN_FLAGS	(O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC)

/* Exit codes of a child that was not killed. */
#define CHILD_OK	0	/* did what was expected */
#define CHILD_SETUP	90	/* could not set up before the sandbox */
#define CHILD_ALLOWED	91	/* a call that must kill it returned */
#define CHILD_WRONG	92	/* an allowed step failed, or the wrong error */

static char top[64];		/* mkdtemp: spool/ and outside/ in it */
static char spool_path[96];
static char outside[96];

static int
setup(void **state)
{
	int fd;

	if (tu_tmpdir(top, sizeof(top), "sandbox") == -1)
		return -1;
	snprintf(spool_path, sizeof(spool_path), "%s/spool", top);
	snprintf(outside, sizeof(outside), "%s/outside", top);
	if (mkdir(outside, 0700) == -1)
		return -1;
	if ((fd = spool_prepare(spool_path, getuid(), getgid())) == -1)
		return -1;
	close(fd);
	return 0;
}

static int
teardown(void **state)
{
	tu_rmtree(top);
	return 0;
}

enum action {
	A_NOTHING,		/* baseline: the sandbox alone kills nothing */
	A_SPOOL_FILE,		/* the one thing a worker writes */
	A_SOCKET,
	A_CONNECT,		/* on a socket made before the sandbox */
	A_EXECVE,
	A_FORK,
	A_KILL,
	A_OPEN_READ,		/* an existing file, for reading */
	A_OPEN_SPOOL_READ,	/* an existing spool file, for reading */
	A_OPEN_NO_EXCL,		/* for writing, without O_EXCL */
	A_CREATE_OUTSIDE,	/* allowed flags, outside the spool */
	A_CREATE_DONE,		/* allowed flags, in spool/done */
	A_CREATE_TMP,		/* allowed flags, in spool/tmp itself */
	A_CREATE_OTHER,		/* allowed flags, in another worker's dir */
	A_REMOVE_OTHER,		/* another worker's file */
	A_SEND,			/* send on a connected socket: allowed */
	A_SENDTO_ADDR,		/* sendto with an address */
	A_SENDMSG_ADDR,		/* sendmsg with an address */
};

/* Another worker's directory in spool/tmp, and a file in it. */
#define OTHER_DIR	"tmp/1"
#define OTHER_FILE	"tmp/1/other"

/* Datagrams a compromised worker would send: to the syslog socket (or
 * any other unix datagram socket), not to its connected peer. */
static void
child_send(enum action a, int sock)
{
	struct sockaddr_un sun;
	struct msghdr mh;
	struct iovec iov;
	char msg[] = "<0>kernel: FORGED EMERG";

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/log.sock", outside);
	switch (a) {
	case A_SEND:
		if (send(sock, msg, sizeof(msg) - 1, MSG_NOSIGNAL) !=
		    (ssize_t)sizeof(msg) - 1)
			_exit(CHILD_WRONG);
		_exit(CHILD_OK);
	case A_SENDTO_ADDR:
		sendto(sock, msg, sizeof(msg) - 1, 0, (struct sockaddr *)&sun,
		    sizeof(sun));
		break;
	case A_SENDMSG_ADDR:
		memset(&mh, 0, sizeof(mh));
		iov.iov_base = msg;
		iov.iov_len = sizeof(msg) - 1;
		mh.msg_name = &sun;
		mh.msg_namelen = sizeof(sun);
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		sendmsg(sock, &mh, 0);
		break;
	default:
		break;
	}
	_exit(CHILD_ALLOWED);
}

/* After the sandbox: only calls of the allow-list, then _exit(). */
static void
child_act(enum action a, int spool_fd, int sock)
{
	static char *const argv[] = { "/bin/true", NULL };
	static char *const envp[] = { NULL };
	struct sockaddr_in sin;
	char path[160], mine[64];
	int fd;

	snprintf(mine, sizeof(mine), "tmp/%d/x", (int)getpid());
	switch (a) {
	case A_NOTHING:
		_exit(CHILD_OK);
	case A_SPOOL_FILE:
		if ((fd = openat(spool_fd, mine, OPEN_FLAGS, 0640)) == -1 ||
		    write(fd, "spampot-spool 1\n", 16) != 16 ||
		    fsync(fd) == -1 || close(fd) == -1 ||
		    renameat(spool_fd, mine, spool_fd, "new/x") == -1)
			_exit(CHILD_WRONG);
		_exit(CHILD_OK);
	case A_SOCKET:
		socket(AF_INET, SOCK_STREAM, 0);
		break;
	case A_CONNECT:
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_port = htons(25);
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		connect(sock, (struct sockaddr *)&sin, sizeof(sin));
		break;
	case A_EXECVE:
		execve(argv[0], argv, envp);
		break;
	case A_FORK:
		if (fork() == 0)
			_exit(CHILD_ALLOWED);
		break;
	case A_KILL:
		kill(getppid(), 0);
		break;
	case A_OPEN_READ:
		openat(AT_FDCWD, "/etc/passwd", O_RDONLY | O_CLOEXEC);
		break;
	case A_OPEN_SPOOL_READ:
		openat(spool_fd, "tmp/existing", O_RDONLY | O_CLOEXEC);
		break;
	case A_OPEN_NO_EXCL:
		openat(spool_fd, "tmp/existing", O_WRONLY | O_CREAT | O_CLOEXEC,
		    0640);
		break;
	case A_CREATE_OUTSIDE:
		snprintf(path, sizeof(path), "%s/escaped", outside);
		if (openat(AT_FDCWD, path, OPEN_FLAGS, 0640) == -1 &&
		    errno == EACCES)
			_exit(CHILD_OK);
		_exit(CHILD_WRONG);
	case A_CREATE_DONE:
		if (openat(spool_fd, "done/x", OPEN_FLAGS, 0640) == -1 &&
		    errno == EACCES)
			_exit(CHILD_OK);
		_exit(CHILD_WRONG);
	case A_CREATE_TMP:
		if (openat(spool_fd, "tmp/x", OPEN_FLAGS, 0640) == -1 &&
		    errno == EACCES)
			_exit(CHILD_OK);
		_exit(CHILD_WRONG);
	case A_CREATE_OTHER:
		if (openat(spool_fd, OTHER_DIR "/x", OPEN_FLAGS, 0640) == -1 &&
		    errno == EACCES)
			_exit(CHILD_OK);
		_exit(CHILD_WRONG);
	case A_REMOVE_OTHER:
		if (renameat(spool_fd, OTHER_FILE, spool_fd, "new/other") ==
		    -1 && errno == EACCES)
			_exit(CHILD_OK);
		_exit(CHILD_WRONG);
	case A_SEND:
	case A_SENDTO_ADDR:
	case A_SENDMSG_ADDR:
		child_send(a, sock);
		break;
	}
	_exit(CHILD_ALLOWED);
}

struct outcome {
	pid_t	pid;		/* the child's */
	int	status;		/* from waitpid */
	char	log[1024];	/* what the child logged through the pipe */
};

/*
 * Fork; the child sets up as a worker does and enters the sandbox, then
 * acts. Returns how it ended and what it logged.
 */
static void
run_child(enum action a, struct outcome *o)
{
	int logp[2], spool_fd, sock = -1, pair[2];
	size_t len = 0;
	ssize_t n;
	pid_t pid;

	memset(o, 0, sizeof(*o));
	assert_int_equal(pipe(logp), 0);
	assert_true((pid = fork()) != -1);
	if (pid == 0) {
		close(logp[0]);
		if ((spool_fd = spool_prepare(spool_path, getuid(),
		    getgid())) == -1)
			_exit(CHILD_SETUP);
		if (a == A_CONNECT &&
		    (sock = socket(AF_INET, SOCK_STREAM, 0)) == -1)
			_exit(CHILD_SETUP);
		/* a socket of its own, made before the sandbox (as the
		 * syslog socket a worker could inherit) */
		if (a >= A_SEND) {
			if (socketpair(AF_UNIX, SOCK_DGRAM, 0, pair) == -1)
				_exit(CHILD_SETUP);
			sock = pair[0];
		}
		/* As a worker: no syslog(3), log lines go to the parent;
		 * files in a directory of its own. */
		log_to_pipe(logp[1]);
		if (spool_set_writer(spool_fd, getpid()) == -1)
			_exit(CHILD_SETUP);
		sandbox_worker(spool_fd, spool_writer_dir(), -1);
		child_act(a, spool_fd, sock);
		_exit(CHILD_ALLOWED);
	}
	close(logp[1]);
	while (len < sizeof(o->log) - 1 &&
	    (n = read(logp[0], o->log + len, sizeof(o->log) - 1 - len)) > 0)
		len += (size_t)n;
	close(logp[0]);
	assert_int_equal(waitpid(pid, &o->status, 0), pid);
	o->pid = pid;
}

static const char *
status_text(int st, char *buf, size_t len)
{
	if (WIFSIGNALED(st))
		snprintf(buf, len, "killed by signal %d", WTERMSIG(st));
	else if (WIFEXITED(st))
		snprintf(buf, len, "exit %d%s", WEXITSTATUS(st),
		    WEXITSTATUS(st) == CHILD_ALLOWED ? " (call allowed)" :
		    WEXITSTATUS(st) == CHILD_SETUP ? " (setup failed)" :
		    WEXITSTATUS(st) == CHILD_WRONG ? " (wrong result)" : "");
	else
		snprintf(buf, len, "status %#x", st);
	return buf;
}

static void
assert_killed(enum action a, const char *what)
{
	struct outcome o;
	char st[64];

	run_child(a, &o);
	if (!WIFSIGNALED(o.status) || WTERMSIG(o.status) != SIGSYS)
		fail_msg("%s: want killed by SIGSYS, got %s", what,
		    status_text(o.status, st, sizeof(st)));
}

static void
assert_exit_ok(enum action a, const char *what, struct outcome *o)
{
	char st[64];

	run_child(a, o);
	if (!WIFEXITED(o->status) || WEXITSTATUS(o->status) != CHILD_OK)
		fail_msg("%s: want exit 0, got %s", what,
		    status_text(o->status, st, sizeof(st)));
}

static void
write_file(const char *path, const char *text)
{
	int fd;

	assert_true((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0640)) != -1);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

/* --- what a worker may do ------------------------------------------------ */

static void
test_baseline(void **state)
{
	struct outcome o;
	char want[128];
	int abi = sandbox_landlock_abi();

	assert_exit_ok(A_NOTHING, "sandbox, then exit", &o);
	/* the worker says which confinement it got, through the pipe */
	if (abi >= 2)
		snprintf(want, sizeof(want), "6sandbox: seccomp allow-list of "
		    "%zu calls, Landlock ABI %d: spool/tmp/%d and spool/new "
		    "only\n", sandbox_worker_nallow, abi, (int)o.pid);
	else
		snprintf(want, sizeof(want), "4sandbox: seccomp allow-list of "
		    "%zu calls; Landlock not available", sandbox_worker_nallow);
	if (strncmp(o.log, want, strlen(want)) != 0)
		fail_msg("log: got '%s', want '%s'", o.log, want);
}

static void
test_spool_file(void **state)
{
	struct outcome o;
	char path[160], buf[32];
	struct stat st;
	int fd;

	assert_exit_ok(A_SPOOL_FILE, "create, write, fsync, rename", &o);
	snprintf(path, sizeof(path), "%s/tmp/%d/x", spool_path, (int)o.pid);
	assert_int_equal(stat(path, &st), -1);
	snprintf(path, sizeof(path), "%s/new/x", spool_path);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_true((fd = open(path, O_RDONLY)) != -1);
	assert_int_equal(read(fd, buf, sizeof(buf)), 16);
	assert_memory_equal(buf, "spampot-spool 1\n", 16);
	close(fd);
}

/* --- what kills it ------------------------------------------------------- */

static void
test_no_socket(void **state)
{
	assert_killed(A_SOCKET, "socket(AF_INET, SOCK_STREAM)");
}

static void
test_no_connect(void **state)
{
	assert_killed(A_CONNECT, "connect on an inherited socket");
}

static void
test_no_execve(void **state)
{
	assert_killed(A_EXECVE, "execve(/bin/true)");
}

static void
test_no_fork(void **state)
{
	assert_killed(A_FORK, "fork");
}

static void
test_no_kill(void **state)
{
	assert_killed(A_KILL, "kill");
}

static void
test_no_open_read(void **state)
{
	char path[160];

	assert_killed(A_OPEN_READ, "open /etc/passwd for reading");
	snprintf(path, sizeof(path), "%s/tmp/existing", spool_path);
	write_file(path, "keep\n");
	assert_killed(A_OPEN_SPOOL_READ, "open a spool file for reading");
	assert_killed(A_OPEN_NO_EXCL, "open a spool file without O_EXCL");
}

/* A worker answers its clients with send(2); it cannot address a datagram
 * to any other socket (syslog's, journald's) with sendto or sendmsg. */
static void
test_no_send_address(void **state)
{
	struct outcome o;
	struct sockaddr_un sun;
	char buf[64];
	int lfd;

	assert_exit_ok(A_SEND, "send on a connected socket", &o);
	/* a listener there: without the filter the datagram arrives */
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/log.sock", outside);
	assert_true((lfd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0)) !=
	    -1);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_killed(A_SENDTO_ADDR, "sendto with an address");
	assert_killed(A_SENDMSG_ADDR, "sendmsg with an address");
	assert_int_equal(recv(lfd, buf, sizeof(buf), 0), -1);
	close(lfd);
}

/* --- Landlock: file creation confined to the spool ------------------------ */

static void
test_landlock(void **state)
{
	struct outcome o;
	char path[160];
	struct stat st;

	if (sandbox_landlock_abi() < 2) {
		print_message("Landlock ABI %d: not enforced here\n",
		    sandbox_landlock_abi());
		skip();
	}
	assert_exit_ok(A_CREATE_OUTSIDE, "create a file outside the spool", &o);
	snprintf(path, sizeof(path), "%s/escaped", outside);
	assert_int_equal(stat(path, &st), -1);
	assert_int_equal(errno, ENOENT);

	assert_exit_ok(A_CREATE_DONE, "create a file in spool/done", &o);
	snprintf(path, sizeof(path), "%s/done/x", spool_path);
	assert_int_equal(stat(path, &st), -1);

	/* a worker's files are in its own directory, not beside others' */
	assert_exit_ok(A_CREATE_TMP, "create a file in spool/tmp itself", &o);
	snprintf(path, sizeof(path), "%s/tmp/x", spool_path);
	assert_int_equal(stat(path, &st), -1);
	snprintf(path, sizeof(path), "%s/" OTHER_DIR, spool_path);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/" OTHER_FILE, spool_path);
	write_file(path, "spampot-spool 1\n");
	assert_exit_ok(A_CREATE_OTHER, "create in another worker's dir", &o);
	snprintf(path, sizeof(path), "%s/" OTHER_DIR "/x", spool_path);
	assert_int_equal(stat(path, &st), -1);
	assert_exit_ok(A_REMOVE_OTHER, "move another worker's file", &o);
	snprintf(path, sizeof(path), "%s/" OTHER_FILE, spool_path);
	assert_int_equal(stat(path, &st), 0);
}

/* --- the analyzer's filter: a deny-list ------------------------------------ */

enum analyzer_action {
	AA_WORK,	/* what it does: files, a unix socket, a thread */
	AA_EXECVE,
	AA_FORK,
	AA_BIND,
	AA_LISTEN,
};

static void *
thread_main(void *arg)
{
	return arg;
}

static void
analyzer_act(enum analyzer_action a)
{
	static char *const argv[] = { "/bin/true", NULL };
	static char *const envp[] = { NULL };
	struct sockaddr_un sun;
	pthread_t t;
	char buf[16];
	int fd, sv[2];

	switch (a) {
	case AA_WORK:
		if ((fd = open("/etc/hostname", O_RDONLY | O_CLOEXEC)) == -1 ||
		    read(fd, buf, sizeof(buf)) < 0 || close(fd) == -1 ||
		    socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1 ||
		    write(sv[0], "x", 1) != 1 || read(sv[1], buf, 1) != 1)
			_exit(CHILD_WRONG);
		/* a client socket, connecting (to nowhere) is allowed */
		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNIX;
		snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/no.sock",
		    outside);
		if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1 ||
		    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != -1 ||
		    errno != ENOENT)
			_exit(CHILD_WRONG);
		if (pthread_create(&t, NULL, thread_main, NULL) != 0 ||
		    pthread_join(t, NULL) != 0)
			_exit(CHILD_WRONG);
		_exit(CHILD_OK);
	case AA_EXECVE:
		execve(argv[0], argv, envp);
		break;
	case AA_FORK:
		if (fork() == 0)
			_exit(CHILD_ALLOWED);
		break;
	case AA_BIND:
		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNIX;
		snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/l.sock",
		    outside);
		if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) != -1)
			bind(fd, (struct sockaddr *)&sun, sizeof(sun));
		break;
	case AA_LISTEN:
		if ((fd = socket(AF_INET, SOCK_STREAM, 0)) != -1)
			listen(fd, 1);
		break;
	}
	_exit(CHILD_ALLOWED);
}

static int
run_analyzer_child(enum analyzer_action a)
{
	int logp[2], status;
	char buf[512];
	pid_t pid;

	assert_int_equal(pipe(logp), 0);
	assert_true((pid = fork()) != -1);
	if (pid == 0) {
		close(logp[0]);
		log_to_pipe(logp[1]);
		sandbox_analyzer();
		analyzer_act(a);
	}
	close(logp[1]);
	while (read(logp[0], buf, sizeof(buf)) > 0)
		;
	close(logp[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

static void
assert_analyzer_killed(enum analyzer_action a, const char *what)
{
	char st[64];
	int status = run_analyzer_child(a);

	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGSYS)
		fail_msg("analyzer, %s: want killed by SIGSYS, got %s", what,
		    status_text(status, st, sizeof(st)));
}

static void
test_analyzer(void **state)
{
	char st[64];
	int status = run_analyzer_child(AA_WORK);

	if (!WIFEXITED(status) || WEXITSTATUS(status) != CHILD_OK)
		fail_msg("analyzer, its own work: want exit 0, got %s",
		    status_text(status, st, sizeof(st)));
	assert_analyzer_killed(AA_EXECVE, "execve");
	assert_analyzer_killed(AA_BIND, "bind");
	assert_analyzer_killed(AA_LISTEN, "listen");
#ifndef SPAMPOT_SANITIZERS
	/* test builds with sanitizers let clone through for the leak check */
	assert_analyzer_killed(AA_FORK, "fork");
#endif
}

/* --- the analyzer's parse child: an allow-list ------------------------------ */

enum parser_action {
	PA_WORK,	/* what it does: a file sent over its socket, iconv */
	PA_SOCKET,
	PA_SENDMSG,
	PA_EXECVE,
	PA_FORK,
	PA_KILL,
	PA_OPEN_WRITE,
	PA_OPEN_READ,	/* a file outside: refused (Landlock), not killed */
};

/* Receive one fd on SOCK. */
static int
parser_recv_fd(int sock)
{
	char buf[CMSG_SPACE(sizeof(int))], c;
	struct iovec iov = { &c, 1 };
	struct msghdr msg;
	int fd;

	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = buf;
	msg.msg_controllen = sizeof(buf);
	if (recvmsg(sock, &msg, 0) != 1 || CMSG_FIRSTHDR(&msg) == NULL)
		return -1;
	memcpy(&fd, CMSG_DATA(CMSG_FIRSTHDR(&msg)), sizeof(fd));
	return fd;
}

static void
parser_work(int sock)
{
	char in[] = "\xf0\xd2\xc9\xd7\xc5\xd4", out[32], *ip = in, *op = out;
	size_t il = strlen(in), ol = sizeof(out);
	struct stat st;
	iconv_t cd;
	char *big;
	int fd;

	/* the spool file, sent open, as the analyzer does */
	if ((fd = parser_recv_fd(sock)) == -1 || fstat(fd, &st) == -1 ||
	    read(fd, out, sizeof(out)) < 0 || close(fd) == -1)
		_exit(CHILD_WRONG);
	if ((big = malloc(64 << 20)) == NULL)
		_exit(CHILD_WRONG);
	memset(big, 1, 64 << 20);
	free(big);
	/* a charset that needs an iconv module (KOI8-R) */
	if ((cd = iconv_open("UTF-8", "KOI8-R")) == (iconv_t)-1 ||
	    iconv(cd, &ip, &il, &op, &ol) == (size_t)-1 ||
	    memcmp(out, "\xd0\x9f\xd1\x80\xd0\xb8", 6) != 0)
		_exit(CHILD_WRONG);
	iconv_close(cd);
	if (write(sock, "r", 1) != 1)
		_exit(CHILD_WRONG);
	_exit(CHILD_OK);
}

static void
parser_act(enum parser_action a, int sock)
{
	static char *const argv[] = { "/bin/true", NULL };
	static char *const envp[] = { NULL };
	char path[160], c = 'x';
	struct iovec iov = { &c, 1 };
	struct msghdr msg;
	int fd;

	switch (a) {
	case PA_WORK:
		parser_work(sock);
		break;
	case PA_SOCKET:
		socket(AF_INET, SOCK_STREAM, 0);
		break;
	case PA_SENDMSG:
		memset(&msg, 0, sizeof(msg));
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		sendmsg(sock, &msg, 0);
		break;
	case PA_EXECVE:
		execve(argv[0], argv, envp);
		break;
	case PA_FORK:
		if (fork() == 0)
			_exit(CHILD_ALLOWED);
		break;
	case PA_KILL:
		kill(getppid(), 0);
		break;
	case PA_OPEN_WRITE:
		snprintf(path, sizeof(path), "%s/w", outside);
		open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
		break;
	case PA_OPEN_READ:
		snprintf(path, sizeof(path), "%s/secret", outside);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
			_exit(errno == EACCES ? CHILD_OK : CHILD_WRONG);
		break;
	}
	_exit(CHILD_ALLOWED);
}

static int
run_parser_child(enum parser_action a)
{
	char path[160];
	int sv[2], status, fd;
	pid_t pid;

	snprintf(path, sizeof(path), "%s/secret", outside);
	assert_true((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC,
	    0600)) != -1);
	assert_int_equal(write(fd, "root:x:0:0\n", 11), 11);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_true((pid = fork()) != -1);
	if (pid == 0) {
		close(sv[0]);
		sandbox_parser(-1);
		parser_act(a, sv[1]);
	}
	close(sv[1]);
	if (a == PA_WORK) {
		char c = 'p', buf[CMSG_SPACE(sizeof(int))];
		struct iovec iov = { &c, 1 };
		struct msghdr msg;

		memset(&msg, 0, sizeof(msg));
		memset(buf, 0, sizeof(buf));
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = buf;
		msg.msg_controllen = sizeof(buf);
		CMSG_FIRSTHDR(&msg)->cmsg_level = SOL_SOCKET;
		CMSG_FIRSTHDR(&msg)->cmsg_type = SCM_RIGHTS;
		CMSG_FIRSTHDR(&msg)->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(CMSG_FIRSTHDR(&msg)), &fd, sizeof(fd));
		assert_int_equal(sendmsg(sv[0], &msg, 0), 1);
	}
	close(fd);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	close(sv[0]);
	return status;
}

static void
assert_parser_killed(enum parser_action a, const char *what)
{
	char st[64];
	int status = run_parser_child(a);

	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGSYS)
		fail_msg("parse child, %s: want killed by SIGSYS, got %s",
		    what, status_text(status, st, sizeof(st)));
}

static void
test_parser(void **state)
{
	char st[64];
	int status = run_parser_child(PA_WORK);

	if (!WIFEXITED(status) || WEXITSTATUS(status) != CHILD_OK)
		fail_msg("parse child, its own work: want exit 0, got %s",
		    status_text(status, st, sizeof(st)));
	assert_parser_killed(PA_SOCKET, "socket");
	assert_parser_killed(PA_SENDMSG, "sendmsg");
	assert_parser_killed(PA_EXECVE, "execve");
	assert_parser_killed(PA_FORK, "fork");
	assert_parser_killed(PA_KILL, "kill");
	assert_parser_killed(PA_OPEN_WRITE, "openat for writing");
	if (sandbox_landlock_abi() > 0) {
		status = run_parser_child(PA_OPEN_READ);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != CHILD_OK)
			fail_msg("parse child, a file outside: want EACCES, "
			    "got %s", status_text(status, st, sizeof(st)));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_baseline, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spool_file, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_no_socket, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_no_connect, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_no_execve, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_no_fork, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_kill, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_open_read, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_no_send_address, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_landlock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_analyzer, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_parser, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
