/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * sandbox_rules: the system calls a worker may make, in one place. Anything
 * else kills the worker (the parent logs the signal and respawns it). A
 * change here comes with the test that exercises the code needing it.
 *
 * Not here, on purpose: socket, connect, bind, listen, sendmsg (no network
 * of its own: it only accepts on the listeners it inherited, and sendto
 * passes only without an address, see sandbox.c), execve, fork, clone,
 * ptrace, kill, open without O_CREAT|O_EXCL (see sandbox.c: openat is
 * allowed only to create new files), unlink outside the spool (Landlock).
 */
#include "autoconf.h"

#include <stddef.h>

#include "sandbox.h"

/*
 * Test builds with AddressSanitizer/UBSan only (--enable-sanitizers),
 * never in a packaged build: what their runtime calls at exit and to
 * print a report (which is cut short where it would read /proc/self/maps:
 * a finding still kills the process, and its parent logs that as a
 * crash). In each allow-list below.
 */
#ifdef SPAMPOT_SANITIZERS
#define SANDBOX_SANITIZER_ROWS						\
	{ "sigaltstack", "sanitizer runtime: alternate signal stack" },	\
	{ "ioctl", "sanitizer report: is stderr a terminal" },		\
	{ "readlink", "sanitizer report: the binary's path" },		\
	{ "gettid", "sanitizer report" },				\
	{ "tgkill", "sanitizer report: abort()" },			\
	{ "rt_sigaction", "sanitizer report: abort()" },		\
	{ "rt_sigprocmask", "sanitizer report: abort()" },		\
	{ "sched_yield", "sanitizer runtime: spin locks" },		\
	{ "prctl", "sanitizer runtime" },
#else
#define SANDBOX_SANITIZER_ROWS
#endif

const struct sandbox_syscall sandbox_worker_allow[] = {
	/* memory */
	{ "brk", "malloc" },
	{ "mmap", "malloc of large blocks" },
	{ "munmap", "free of large blocks" },
	{ "mremap", "realloc of large blocks" },
	{ "madvise", "free returning memory to the kernel" },

	/* time and randomness */
	{ "clock_gettime", "timeouts, transcript timings (vDSO fallback)" },
	{ "gettimeofday", "vDSO fallback" },
	{ "getrandom", "session ids; TLS handshakes (OpenSSL's DRBG)" },

	/* network, on inherited listeners and accepted sockets only */
	{ "epoll_wait", "the event loop" },
	{ "epoll_pwait", "the event loop (some libc/arch)" },
	{ "epoll_ctl", "register sessions" },
	{ "accept4", "new sessions on the inherited listeners" },
	{ "getsockname", "the server address a client connected to" },
	{ "recvfrom", "read from a client (recv)" },
	{ "sendto", "answer a client (send; no address: sandbox.c)" },
	{ "read", "read from a client" },
	{ "write", "spool records; log lines to the parent" },
	{ "close", "end of a session" },

	/* spool files, relative to the spool directory fd */
	{ "openat", "create tmp/ files (flags limited in sandbox.c)" },
	{ "renameat", "move a finished file from tmp/ to new/" },
	{ "renameat2", "rename(3) of newer libc" },
	{ "unlinkat", "drop a file that could not be written" },
	{ "fsync", "spool_fsync = yes" },
	{ "fstatfs", "free space of the spool (spool_min_free)" },

	/* process */
	{ "getpid", "log lines name the worker by its pid" },
	{ "rt_sigreturn", "return from the SIGTERM/SIGUSR1 handler" },
	{ "exit_group", "exit" },
	{ "exit", "exit" },

	SANDBOX_SANITIZER_ROWS
};

const size_t sandbox_worker_nallow =
    sizeof(sandbox_worker_allow) / sizeof(sandbox_worker_allow[0]);

/*
 * The analyzer's filter is a deny-list, not an allow-list: it reads files,
 * talks to MySQL (a socket it opens itself) and runs GMime, PCRE2 and
 * OpenSSL, whose system calls are theirs to choose. What it must never do,
 * whatever a hostile message makes of it, is below; any of these kills it.
 * clone is allowed for threads only (flags checked in sandbox.c); clone3
 * answers ENOSYS so that libc falls back to clone.
 */
const struct sandbox_syscall sandbox_analyzer_deny[] = {
	/* running programs, making processes */
	{ "execve", "no program is ever run" },
	{ "execveat", "no program is ever run" },
	{ "fork", "no process is ever made" },
	{ "vfork", "no process is ever made" },
	/* serving the network */
	{ "bind", "never listens" },
	{ "listen", "never listens" },
	{ "accept", "never listens" },
	{ "accept4", "never listens" },
	/* other processes and the system */
#ifndef SPAMPOT_SANITIZERS	/* a leak check at exit needs it */
	{ "ptrace", "no debugging of others" },
#endif
	{ "process_vm_readv", "no reading of others' memory" },
	{ "process_vm_writev", "no writing to others' memory" },
	{ "kill", "signals to others" },
	{ "tkill", "signals to others" },
	{ "mount", "system administration" },
	{ "umount2", "system administration" },
	{ "pivot_root", "system administration" },
	{ "chroot", "system administration" },
	{ "setuid", "the user is fixed" },
	{ "setgid", "the user is fixed" },
	{ "setreuid", "the user is fixed" },
	{ "setregid", "the user is fixed" },
	{ "setresuid", "the user is fixed" },
	{ "setresgid", "the user is fixed" },
	{ "setgroups", "the user is fixed" },
	{ "init_module", "system administration" },
	{ "finit_module", "system administration" },
	{ "delete_module", "system administration" },
	{ "kexec_load", "system administration" },
	{ "reboot", "system administration" },
	{ "bpf", "no kernel programs" },
	{ "perf_event_open", "no kernel tracing" },
	{ "keyctl", "no kernel keyrings" },
	{ "add_key", "no kernel keyrings" },
	{ "request_key", "no kernel keyrings" },
	{ "userfaultfd", "a favourite of kernel exploits" },
	{ "unshare", "no new namespaces" },
	{ "setns", "no other namespaces" },
};

const size_t sandbox_analyzer_ndeny =
    sizeof(sandbox_analyzer_deny) / sizeof(sandbox_analyzer_deny[0]);

/*
 * The analyzer's parse child (import.c): spool_read, GMime with GLib and
 * iconv, PCRE2 (JIT), libpsl, the hashes, over one spool file at a time
 * that the analyzer sends it, open, on its socket. Not here, on purpose:
 * socket, connect, sendto/sendmsg, bind (no network at all: its one
 * socket came from the spawner), execve, fork, clone, ptrace, kill, and
 * openat for writing (the flags are limited in sandbox.c; Landlock lets
 * it read nothing but the iconv modules).
 */
const struct sandbox_syscall sandbox_parser_allow[] = {
	/* memory */
	{ "brk", "malloc" },
	{ "mmap", "malloc of large blocks; PCRE2 JIT; iconv modules" },
	{ "munmap", "free of large blocks" },
	{ "mremap", "realloc of large blocks" },
	{ "madvise", "free returning memory to the kernel" },
	{ "mprotect", "PCRE2 JIT code made executable; iconv modules" },

	/* the spool file and the analyzer's socket */
	{ "recvmsg", "the next spool file, its fd attached" },
	{ "read", "the spool file" },
	{ "fstat", "the spool file's size" },
	{ "newfstatat", "fstat(3) of newer libc" },
	{ "write", "the result, to the analyzer" },
	{ "close", "the spool file, once read" },

	/* charsets: iconv loads its modules on first use */
	{ "openat", "iconv modules, read-only (Landlock: nothing else)" },

	/* locks of GLib and libc, time, randomness */
	{ "futex", "GLib and libc locks" },
	{ "clock_gettime", "GLib (vDSO fallback)" },
	{ "gettimeofday", "vDSO fallback" },
	{ "getrandom", "GLib's hash tables, malloc" },

	/* process */
	{ "rt_sigreturn", "return from the -d trap handler" },
	{ "exit_group", "exit" },
	{ "exit", "exit" },

	SANDBOX_SANITIZER_ROWS
};

const size_t sandbox_parser_nallow =
    sizeof(sandbox_parser_allow) / sizeof(sandbox_parser_allow[0]);

/*
 * spampot-relay, as relay_user: reads its queue, writes outcomes, talks
 * SMTP to the smarthost with libcurl (and OpenSSL for STARTTLS). Not here,
 * on purpose: bind, listen, accept, execve, fork, clone, ptrace, kill.
 * socket is allowed for AF_INET, AF_INET6 (the smarthost) and AF_UNIX
 * (syslog reconnecting) only, in sandbox.c; Landlock confines files to
 * relay_dir and TCP connect to the smarthost's port.
 */
const struct sandbox_syscall sandbox_relay_allow[] = {
	/* memory */
	{ "brk", "malloc" },
	{ "mmap", "malloc of large blocks" },
	{ "munmap", "free of large blocks" },
	{ "mremap", "realloc of large blocks" },
	{ "madvise", "free returning memory to the kernel" },

	/* time, randomness, waiting */
	{ "clock_gettime", "timeouts (vDSO fallback)" },
	{ "gettimeofday", "vDSO fallback" },
	{ "clock_nanosleep", "the queue's tick" },
	{ "nanosleep", "the queue's tick (older libc)" },
	{ "getrandom", "TLS to the smarthost (OpenSSL's DRBG)" },

	/* the queue, beneath relay_dir (Landlock) */
	{ "openat", "queue, state and outcome files" },
	{ "read", "queue and state files; the smarthost's replies" },
	{ "write", "state and outcome files; SMTP to the smarthost" },
	{ "close", "files and the smarthost's connection" },
	{ "fstat", "fdopendir(3)" },
	{ "newfstatat", "fstat(3) of newer libc" },
	{ "getdents64", "listing new/ and cur/" },
	{ "lseek", "rewinddir(3)" },
	{ "renameat", "new/ to cur/, an outcome into done/" },
	{ "renameat2", "rename of newer libc" },
	{ "unlinkat", "a delivered message leaves cur/ and state/" },
	{ "faccessat", "the stop file" },
	{ "faccessat2", "the stop file (newer libc)" },
	{ "fsync", "state before the end of DATA; outcomes" },
	{ "fcntl", "libcurl: non-blocking sockets; dup of directory fds" },
	{ "dup", "a directory fd for fdopendir(3)" },

	/* the smarthost (socket: sandbox.c; connect: Landlock's port) */
	{ "connect", "the smarthost; syslog's socket" },
	{ "setsockopt", "libcurl: TCP_NODELAY, keepalive" },
	{ "getsockopt", "libcurl: the connect's outcome (SO_ERROR)" },
	{ "getsockname", "libcurl: the local address" },
	{ "getpeername", "libcurl: the smarthost's address" },
	{ "poll", "libcurl: waiting for the smarthost" },
	{ "ppoll", "poll(2) of newer libc" },
	{ "recvfrom", "libcurl: the smarthost's replies" },
	{ "sendto", "libcurl: SMTP commands and data; syslog" },
	{ "socketpair", "libcurl: its multi handle's wake-up pair" },
	{ "pipe2", "libcurl: wake-up pipe where no socketpair" },

	/* process */
	{ "futex", "libc and OpenSSL locks" },
	{ "getpid", "log lines and syslog(3)" },
	{ "rt_sigaction", "SIGPIPE ignored by libcurl" },
	{ "rt_sigprocmask", "libc" },
	{ "rt_sigreturn", "return from the SIGTERM/SIGUSR2 handler" },
	{ "exit_group", "exit" },
	{ "exit", "exit" },

	SANDBOX_SANITIZER_ROWS
};

const size_t sandbox_relay_nallow =
    sizeof(sandbox_relay_allow) / sizeof(sandbox_relay_allow[0]);
