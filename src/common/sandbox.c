/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * sandbox: confines a worker, last thing before it serves clients, after
 * every fd it needs is open. Order: no_new_privs, Landlock (file access
 * limited to creating and writing files in its own spool/tmp/<pid> and
 * moving them to spool/new; no TCP bind or connect; no signals or
 * abstract sockets out of the sandbox, where the kernel knows those), then
 * the seccomp allow-list of sandbox_rules.c with the default action "kill
 * the process".
 *
 * Without Landlock (kernels before 5.13, or disabled), seccomp still holds:
 * no socket, no exec, openat only with O_WRONLY|O_CREAT|O_EXCL (a new file,
 * never an existing one), sendto only without an address, but such a file
 * could then be created anywhere the spampot user may write. The worker
 * logs which case applies.
 */
#include "autoconf.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "log.h"
#include "sandbox.h"

#ifdef SPAMPOT_VALGRIND
#include <valgrind/valgrind.h>
/* --enable-valgrind test builds only: valgrind emulates neither seccomp
 * nor Landlock, and a filter would judge valgrind's own calls. */
#define SANDBOX_UNDER_VALGRIND(role)					\
	do {								\
		if (RUNNING_ON_VALGRIND) {				\
			log_warnx("sandbox: %s under valgrind (test "	\
			    "build): no seccomp filter, no Landlock",	\
			    role);					\
			return;						\
		}							\
	} while (0)
#else
#define SANDBOX_UNDER_VALGRIND(role)	do { } while (0)
#endif

/* The kernel ABI, defined here so older headers do not limit what the
 * running kernel can enforce. */
struct sandbox_ruleset_attr {
	uint64_t	handled_access_fs;
	uint64_t	handled_access_net;	/* ABI 4 */
	uint64_t	scoped;			/* ABI 6 */
};

struct sandbox_path_beneath {
	uint64_t	allowed_access;
	int32_t		parent_fd;
} __attribute__((packed));

#define LL_RULE_PATH_BENEATH	1
#define LL_VERSION		(1U << 0)
#define LL_FS_ABI1		((1ULL << 13) - 1)	/* EXECUTE..MAKE_SYM */
#define LL_FS_WRITE_FILE	(1ULL << 1)
#define LL_FS_READ_FILE		(1ULL << 2)
#define LL_FS_READ_DIR		(1ULL << 3)
#define LL_FS_REMOVE_FILE	(1ULL << 5)
#define LL_FS_MAKE_REG		(1ULL << 8)
#define LL_FS_REFER		(1ULL << 13)		/* ABI 2 */
#define LL_FS_TRUNCATE		(1ULL << 14)		/* ABI 3 */
#define LL_FS_IOCTL_DEV		(1ULL << 15)		/* ABI 5 */
#define LL_NET_ALL		((1ULL << 0) | (1ULL << 1))	/* bind, connect */
#define LL_NET_CONNECT_TCP	(1ULL << 1)
#define LL_RULE_NET_PORT	2
struct sandbox_net_port {
	uint64_t	allowed_access;
	uint64_t	port;
} __attribute__((packed));
#define LL_SCOPE_ALL		((1ULL << 0) | (1ULL << 1))	/* unix, signal */

/* The only openat a worker makes: a new spool file in tmp/. */
#define SANDBOX_OPEN_FLAGS	(O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC)

int
sandbox_landlock_abi(void)
{
	long abi;

	abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LL_VERSION);
	return abi < 0 ? 0 : (int)abi;
}

static uint64_t
sandbox_fs_handled(int abi)
{
	uint64_t fs = LL_FS_ABI1;

	if (abi >= 2)
		fs |= LL_FS_REFER;
	if (abi >= 3)
		fs |= LL_FS_TRUNCATE;
	if (abi >= 5)
		fs |= LL_FS_IOCTL_DEV;
	return fs;
}

static int
sandbox_landlock_rule(int ruleset, int spool_fd, const char *dir,
    uint64_t access)
{
	struct sandbox_path_beneath pb;
	int fd, rc;

	if ((fd = openat(spool_fd, dir, O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	pb.allowed_access = access;
	pb.parent_fd = fd;
	rc = (int)syscall(SYS_landlock_add_rule, ruleset, LL_RULE_PATH_BENEATH,
	    &pb, 0);
	close(fd);
	return rc;
}

/* A ruleset that handles every file access ABI knows, TCP bind and
 * connect (ABI 4) and the scopes (ABI 6): what no rule allows is denied. */
static int
sandbox_landlock_ruleset(int abi)
{
	struct sandbox_ruleset_attr attr;
	size_t size = sizeof(uint64_t);
	int rs;

	memset(&attr, 0, sizeof(attr));
	attr.handled_access_fs = sandbox_fs_handled(abi);
	if (abi >= 4) {
		attr.handled_access_net = LL_NET_ALL;
		size = 2 * sizeof(uint64_t);
	}
	if (abi >= 6) {
		attr.scoped = LL_SCOPE_ALL;
		size = sizeof(attr);
	}
	if ((rs = (int)syscall(SYS_landlock_create_ruleset, &attr, size,
	    0)) == -1)
		fatal("landlock_create_ruleset");
	return rs;
}

/* Returns the ABI enforced, 0 when Landlock is not available. The worker
 * creates, writes and removes files in its own directory, tmp (tmp/<pid>,
 * from spool_writer_dir), and moves them into new/, nothing else. */
static int
sandbox_landlock(int spool_fd, const char *tmp)
{
	uint64_t refer;
	int abi, rs;

	if ((abi = sandbox_landlock_abi()) <= 0)
		return 0;
	/* Without REFER (ABI 1) a rename between directories is denied. */
	if (abi < 2)
		return 0;
	rs = sandbox_landlock_ruleset(abi);
	refer = LL_FS_REFER;
	if (sandbox_landlock_rule(rs, spool_fd, tmp, LL_FS_WRITE_FILE |
	    LL_FS_MAKE_REG | LL_FS_REMOVE_FILE | refer) == -1 ||
	    sandbox_landlock_rule(rs, spool_fd, "new", LL_FS_MAKE_REG |
	    refer) == -1)
		fatal("landlock_add_rule");
	if (syscall(SYS_landlock_restrict_self, rs, 0) == -1)
		fatal("landlock_restrict_self");
	close(rs);
	return abi;
}

static int sandbox_trap_log_fd = -1;

/* sandbox_debug: name the forbidden call before dying. Async-signal-safe. */
static void
sandbox_on_sigsys(int sig, siginfo_t *si, void *uc)
{
	char msg[64] = "4sandbox: forbidden system call ";
	size_t n = strlen(msg);
	int nr = si->si_syscall, div;

	for (div = 1000; div > 1 && nr / div == 0; div /= 10)
		;
	for (; div >= 1; div /= 10)
		msg[n++] = (char)('0' + (nr / div) % 10);
	msg[n++] = '\n';
	if (sandbox_trap_log_fd != -1 &&
	    write(sandbox_trap_log_fd, msg, n) == -1) {
		/* nothing left to do */
	}
	signal(SIGSYS, SIG_DFL);
	raise(SIGSYS);
}

static void
sandbox_trap_setup(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = sandbox_on_sigsys;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGSYS, &sa, NULL);
}

/*
 * Argument limits of an allow-list: a call named here passes only when
 * that argument compares to the data as said (libseccomp's scmp_arg_cmp:
 * EQ with a, or MASKED_EQ: arg & a == b).
 */
struct sandbox_arg {
	const char		*name;
	unsigned		 arg;
	enum scmp_compare	 op;
	uint64_t		 a, b;
};

static const struct sandbox_arg sandbox_worker_args[] = {
	/* a new spool file, never an existing one */
	{ "openat", 2, SCMP_CMP_EQ, SANDBOX_OPEN_FLAGS, 0 },
	/* send(2): no dest_addr, so only to the connected peer; with an
	 * address it would reach any unix datagram socket (syslog,
	 * journald) */
	{ "sendto", 4, SCMP_CMP_EQ, 0, 0 },
};

static void
sandbox_seccomp_add(scmp_filter_ctx ctx, const char *name,
    const struct sandbox_arg *args, size_t nargs)
{
	struct scmp_arg_cmp cmp;
	size_t i;
	int nr, rc;

	if ((nr = seccomp_syscall_resolve_name(name)) == __NR_SCMP_ERROR)
		return;		/* not on this architecture */
	for (i = 0; i < nargs && strcmp(name, args[i].name) != 0; i++)
		;
	if (i < nargs) {
		cmp = (struct scmp_arg_cmp){ .arg = args[i].arg,
		    .op = args[i].op, .datum_a = args[i].a,
		    .datum_b = args[i].b };
		rc = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, nr, 1, &cmp);
	} else
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
	if (rc < 0)
		fatalx("seccomp_rule_add %s: %s", name, strerror(-rc));
}

/*
 * An allow-list filter, not loaded yet: the rows of ALLOW (with the
 * argument limits of ARGS); anything else kills the process, or with
 * trap_log_fd >= 0 (-d) is named on that fd first.
 */
static scmp_filter_ctx
sandbox_allow_list(const struct sandbox_syscall *allow, size_t nallow,
    const struct sandbox_arg *args, size_t nargs, int trap_log_fd)
{
	scmp_filter_ctx ctx;
	size_t i;

	if (trap_log_fd >= 0) {
		sandbox_trap_log_fd = trap_log_fd;
		sandbox_trap_setup();
	}
	if ((ctx = seccomp_init(trap_log_fd >= 0 ? SCMP_ACT_TRAP :
	    SCMP_ACT_KILL_PROCESS)) == NULL)
		fatalx("seccomp_init failed");
	for (i = 0; i < nallow; i++)
		sandbox_seccomp_add(ctx, allow[i].name, args, nargs);
	return ctx;
}

static void
sandbox_filter_load(scmp_filter_ctx ctx)
{
	int rc;

	if ((rc = seccomp_load(ctx)) < 0)
		fatalx("seccomp_load: %s", strerror(-rc));
	seccomp_release(ctx);
}

/*
 * Captured data never lands in a core file, the process cannot be traced
 * by another of the same user, and (workers) cannot make a process even if
 * the filter let it: RLIMIT_CORE 0, PR_SET_DUMPABLE 0, RLIMIT_NPROC 0.
 */
void
sandbox_no_dumps(int no_processes)
{
	struct rlimit zero = { 0, 0 };

	if (setrlimit(RLIMIT_CORE, &zero) == -1)
		fatal("setrlimit(RLIMIT_CORE)");
	if (no_processes && setrlimit(RLIMIT_NPROC, &zero) == -1)
		fatal("setrlimit(RLIMIT_NPROC)");
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		fatal("prctl(PR_SET_DUMPABLE)");
}

/*
 * The analyzer: everything but the deny-list of sandbox_rules.c. Process
 * creation is refused whatever the libc uses: fork and vfork are listed,
 * clone is allowed only with CLONE_THREAD, clone3 fails with ENOSYS.
 */
void
sandbox_analyzer(void)
{
	scmp_filter_ctx ctx;
	size_t i;
	int nr, rc;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		fatal("prctl(PR_SET_NO_NEW_PRIVS)");
	SANDBOX_UNDER_VALGRIND("analyzer");
	if ((ctx = seccomp_init(SCMP_ACT_ALLOW)) == NULL)
		fatalx("seccomp_init failed");
	for (i = 0; i < sandbox_analyzer_ndeny; i++) {
		nr = seccomp_syscall_resolve_name(sandbox_analyzer_deny[i].name);
		if (nr == __NR_SCMP_ERROR)
			continue;	/* not on this architecture */
		if ((rc = seccomp_rule_add(ctx, SCMP_ACT_KILL_PROCESS, nr,
		    0)) < 0)
			fatalx("seccomp_rule_add %s: %s",
			    sandbox_analyzer_deny[i].name, strerror(-rc));
	}
#ifndef SPAMPOT_SANITIZERS
	/* (test builds: a sanitizer's leak check at exit clones) */
	rc = seccomp_rule_add(ctx, SCMP_ACT_KILL_PROCESS, SCMP_SYS(clone), 1,
	    SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, 0));
#else
	rc = 0;
#endif
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS),
		    SCMP_SYS(clone3), 0);
	if (rc < 0)
		fatalx("seccomp_rule_add clone: %s", strerror(-rc));
	if ((rc = seccomp_load(ctx)) < 0)
		fatalx("seccomp_load: %s", strerror(-rc));
	seccomp_release(ctx);
	log_info("sandbox: seccomp deny-list of %zu calls: no exec, no new "
	    "process, no listening socket", sandbox_analyzer_ndeny);
}

/* TMP: the worker's own directory under spool_fd (spool_writer_dir).
 * trap_log_fd >= 0: sandbox_debug, report a forbidden call on that fd. */
void
sandbox_worker(int spool_fd, const char *tmp, int trap_log_fd)
{
	scmp_filter_ctx ctx;
	int abi;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		fatal("prctl(PR_SET_NO_NEW_PRIVS)");
	SANDBOX_UNDER_VALGRIND("worker");
	abi = sandbox_landlock(spool_fd, tmp);
	ctx = sandbox_allow_list(sandbox_worker_allow, sandbox_worker_nallow,
	    sandbox_worker_args, sizeof(sandbox_worker_args) /
	    sizeof(sandbox_worker_args[0]), trap_log_fd);
	sandbox_filter_load(ctx);
	if (abi > 0)
		log_info("sandbox: seccomp allow-list of %zu calls, Landlock "
		    "ABI %d: spool/%s and spool/new only",
		    sandbox_worker_nallow, abi, tmp);
	else
		log_warnx("sandbox: seccomp allow-list of %zu calls; Landlock "
		    "not available: file creation not confined to the spool",
		    sandbox_worker_nallow);
}

/* --- the analyzer's parse child (import.c) -------------------------------- */

/* openat in the parse child: reading only (Landlock says where). */
#define SANDBOX_PARSER_OPEN_DENY	(O_ACCMODE | O_CREAT | O_TRUNC | \
					 O_APPEND)

/* Landlock for the parse child: every file access the ABI knows handled,
 * none allowed but reading beneath GCONV (when there is one); no TCP bind
 * or connect; scoped. Returns the ABI, 0 when not available. */
static int
sandbox_parser_landlock(const char *gconv)
{
	int abi, rs;

	if ((abi = sandbox_landlock_abi()) <= 0)
		return 0;
	rs = sandbox_landlock_ruleset(abi);
	/* no such directory: no rule, nothing readable */
	if (gconv != NULL && access(gconv, X_OK) == 0 &&
	    sandbox_landlock_rule(rs, AT_FDCWD, gconv, LL_FS_READ_FILE |
	    LL_FS_READ_DIR) == -1)
		fatal("landlock_add_rule %s", gconv);
	if (syscall(SYS_landlock_restrict_self, rs, 0) == -1)
		fatal("landlock_restrict_self");
	close(rs);
	return abi;
}

/* The C library's iconv modules: "gconv" beside the libc that holds
 * iconv_open. NULL: none found (charsets beyond the built-in ones then
 * fail to convert, as on a system without the modules). */
static const char *
sandbox_gconv_dir(char *path, size_t len)
{
	Dl_info di;
	const char *slash;

	if (dladdr((void *)(uintptr_t)iconv_open, &di) == 0 ||
	    di.dli_fname == NULL ||
	    (slash = strrchr(di.dli_fname, '/')) == NULL)
		return NULL;
	snprintf(path, len, "%.*s/gconv", (int)(slash - di.dli_fname),
	    di.dli_fname);
	return path;
}

/* Argument limits of the parse child's allow-list. */
static const struct sandbox_arg sandbox_parser_args[] = {
	{ "openat", 2, SCMP_CMP_MASKED_EQ, SANDBOX_PARSER_OPEN_DENY, 0 },
};

/*
 * The analyzer's parse child: no_new_privs, Landlock (the iconv modules
 * readable, nothing else), then the allow-list sandbox_parser_allow;
 * anything else kills it. trap_log_fd >= 0: the analyzer's -d, report a forbidden call
 * on that fd first. Nothing is logged here: the child has no log socket.
 */
void
sandbox_parser(int trap_log_fd)
{
	char gconv[4096];
	scmp_filter_ctx ctx;
	size_t i;
	int rc;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		_exit(1);
#ifdef SPAMPOT_VALGRIND
	if (RUNNING_ON_VALGRIND)
		return;		/* as SANDBOX_UNDER_VALGRIND, unlogged */
#endif
	(void)sandbox_parser_landlock(sandbox_gconv_dir(gconv,
	    sizeof(gconv)));
	if (trap_log_fd >= 0) {
		sandbox_trap_log_fd = trap_log_fd;
		sandbox_trap_setup();
	}
	ctx = seccomp_init(trap_log_fd >= 0 ? SCMP_ACT_TRAP :
	    SCMP_ACT_KILL_PROCESS);
	if (ctx == NULL)
		_exit(1);
	for (i = 0; i < sandbox_parser_nallow; i++)
		sandbox_seccomp_add(ctx, sandbox_parser_allow[i].name,
		    sandbox_parser_args, sizeof(sandbox_parser_args) /
		    sizeof(sandbox_parser_args[0]));
	if ((rc = seccomp_load(ctx)) < 0)
		_exit(1);
	seccomp_release(ctx);
}

/* The parse spawner says once what its children will have: they cannot
 * log themselves. */
void
sandbox_parser_log(void)
{
	int abi = sandbox_landlock_abi();

#ifdef SPAMPOT_VALGRIND
	if (RUNNING_ON_VALGRIND) {
		log_warnx("sandbox: parse child under valgrind (test build): "
		    "no seccomp filter, no Landlock");
		return;
	}
#endif
	if (abi > 0)
		log_info("sandbox: parse child: seccomp allow-list of %zu "
		    "calls, Landlock ABI %d: no file but the iconv modules, "
		    "no network", sandbox_parser_nallow, abi);
	else
		log_warnx("sandbox: parse child: seccomp allow-list of %zu "
		    "calls; Landlock not available: it may open for reading "
		    "what the analyzer's user may read", sandbox_parser_nallow);
}

/* --- spampot-relay (src/relay) --------------------------------------------- */

/* Landlock for the relay: read, write, create, rename and remove files
 * beneath relay_dir; TCP connect to PORT only, no bind. Returns the ABI,
 * 0 when not available. */
static int
sandbox_relay_landlock(int dir_fd, unsigned port)
{
	struct sandbox_net_port np;
	int abi, rs;

	if ((abi = sandbox_landlock_abi()) < 2)
		return 0;
	rs = sandbox_landlock_ruleset(abi);
	if (sandbox_landlock_rule(rs, dir_fd, ".", LL_FS_READ_FILE |
	    LL_FS_READ_DIR | LL_FS_WRITE_FILE | LL_FS_MAKE_REG |
	    LL_FS_REMOVE_FILE | LL_FS_REFER | (abi >= 3 ? LL_FS_TRUNCATE :
	    0)) == -1)
		fatal("landlock_add_rule relay_dir");
	if (abi >= 4) {
		np.allowed_access = LL_NET_CONNECT_TCP;
		np.port = port;
		if (syscall(SYS_landlock_add_rule, rs, LL_RULE_NET_PORT, &np,
		    0) == -1)
			fatal("landlock_add_rule port %u", port);
	}
	if (syscall(SYS_landlock_restrict_self, rs, 0) == -1)
		fatal("landlock_restrict_self");
	close(rs);
	return abi;
}

/* Argument limits of the relay's allow-list: TCP sockets for the
 * smarthost, a unix datagram socket for syslog(3) should it reconnect. */
static void
sandbox_relay_sockets(scmp_filter_ctx ctx)
{
	static const int families[] = { AF_INET, AF_INET6, AF_UNIX };
	struct scmp_arg_cmp cmp;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
		cmp = (struct scmp_arg_cmp){ .arg = 0, .op = SCMP_CMP_EQ,
		    .datum_a = (scmp_datum_t)families[i], .datum_b = 0 };
		if ((rc = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW,
		    SCMP_SYS(socket), 1, &cmp)) < 0)
			fatalx("seccomp_rule_add socket: %s", strerror(-rc));
	}
}

void
sandbox_relay(int dir_fd, unsigned port, int trap_log_fd)
{
	scmp_filter_ctx ctx;
	int abi;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		fatal("prctl(PR_SET_NO_NEW_PRIVS)");
	SANDBOX_UNDER_VALGRIND("relay");
	abi = sandbox_relay_landlock(dir_fd, port);
	ctx = sandbox_allow_list(sandbox_relay_allow, sandbox_relay_nallow,
	    NULL, 0, trap_log_fd);
	sandbox_relay_sockets(ctx);
	sandbox_filter_load(ctx);
	if (abi >= 4)
		log_info("sandbox: seccomp allow-list of %zu calls, Landlock "
		    "ABI %d: relay_dir only, TCP connect to port %u only",
		    sandbox_relay_nallow, abi, port);
	else
		log_warnx("sandbox: seccomp allow-list of %zu calls, Landlock "
		    "ABI %d: %s; TCP connect not confined to port %u",
		    sandbox_relay_nallow, abi, abi ? "relay_dir only" :
		    "files not confined", port);
}
