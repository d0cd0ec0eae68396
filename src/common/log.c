/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * log: the audit trail. The parent and the analyzer write to syslog (and to
 * stderr with -f). Workers must not call syslog(3), which may reopen its
 * socket (the sandbox forbids sockets), so log_to_pipe() sends their lines
 * to the parent, one write per line: "<priority digit><text>\n", shorter
 * than PIPE_BUF. The syslog socket opened before the fork is closed there.
 *
 * A worker's log pipe is its own (supervise.c): the parent tags each line
 * it relays with the pid of the worker whose pipe it read, in the syslog
 * pid field ("spampotd[WORKER]:"), whatever the line says.
 *
 * The parent relays several lines a session, so its own way to syslog is
 * cheap: one datagram socket to /dev/log, kept connected; when nothing
 * listens there, it tries again once a second instead of once a line (as
 * syslog(3) does, a socket and a failed connect each time); lines in
 * between reach stderr (-f) only, as syslog(3) would have dropped them. A
 * batch of relayed lines goes to stderr in one write (log_batch); so do a
 * worker's lines of one turn of its event loop to the pipe, in writes of
 * whole lines no longer than PIPE_BUF (still atomic).
 *
 * Severities: fatalx = a broken invariant (bug), fatal = a setup failure,
 * log_warn/log_warnx = a peer or a file caused trouble, carry on.
 */
#include "autoconf.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

#define LOG_LINE_MAX	1024	/* < PIPE_BUF: one atomic pipe write */
#define LOG_PATH	"/dev/log"
#define LOG_RETRY_MS	1000	/* nobody at /dev/log: try again after */
#define LOG_OUT_MAX	16384	/* stderr lines held by log_batch */

static int	log_foreground;
static int	log_debug_on;
static int	log_pipe_fd = -1;
static const char *log_ident = "spampot";
static int	log_facility = LOG_MAIL;
static int	log_sock = -1;
static int	log_sock_type;
static uint64_t	log_retry_at;
static int	log_batching;
static pid_t	log_pid;
static char	log_out[LOG_OUT_MAX];
static size_t	log_outlen;

/* Connect to the syslog socket: datagrams, or a stream where that is what
 * listens (as syslog(3) does). */
static int
log_connect(void)
{
	static const int types[] = { SOCK_DGRAM, SOCK_STREAM };
	struct sockaddr_un sun;
	size_t i;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", LOG_PATH);
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		if ((log_sock = socket(AF_UNIX, types[i] | SOCK_CLOEXEC,
		    0)) == -1)
			return -1;
		if (connect(log_sock, (struct sockaddr *)&sun,
		    sizeof(sun)) == 0) {
			log_sock_type = types[i];
			return 0;
		}
		close(log_sock);
		log_sock = -1;
		if (errno != EPROTOTYPE)
			return -1;
	}
	return -1;
}

void
log_init(const char *ident, int foreground, int facility)
{
	log_ident = ident;
	log_foreground = foreground;
	log_facility = facility;
	if (log_sock != -1) {
		close(log_sock);
		log_sock = -1;
	}
	log_retry_at = 0;
	/* Connected now, before privileges and the sandbox go. */
	if (log_connect() == -1)
		log_retry_at = util_now_ms() + LOG_RETRY_MS;
}

/* "Mmm dd hh:mm:ss" (syslog) and "hh:mm:ss" (stderr) of now, made once a
 * second: the parent stamps every line its workers send. */
static void
log_stamps(const char **syslog_stamp, const char **stderr_stamp)
{
	static char ss[32], es[16];
	static time_t last = (time_t)-1;
	time_t now = time(NULL);
	struct tm tm;

	if (now != last) {
		localtime_r(&now, &tm);
		strftime(ss, sizeof(ss), "%b %e %H:%M:%S", &tm);
		strftime(es, sizeof(es), "%H:%M:%S", &tm);
		last = now;
	}
	if (syslog_stamp != NULL)
		*syslog_stamp = ss;
	if (stderr_stamp != NULL)
		*stderr_stamp = es;
}

/* The pid a line is tagged with: the worker's it came from, or ours. */
static int
log_tag_pid(pid_t from)
{
	return from != 0 ? (int)from : log_pid ? (int)log_pid : (int)getpid();
}

/* One line to syslog: "<PRI>Mmm dd hh:mm:ss ident[pid]: text". */
static void
log_syslog(pid_t from, int priority, const char *line)
{
	char msg[LOG_LINE_MAX + 128];
	const char *stamp;
	int n, tries;

	for (tries = 0; tries < 2; tries++) {
		if (log_sock == -1) {
			if (log_retry_at != 0 && util_now_ms() < log_retry_at)
				return;
			if (log_connect() == -1) {
				log_retry_at = util_now_ms() + LOG_RETRY_MS;
				return;
			}
			log_retry_at = 0;
		}
		log_stamps(&stamp, NULL);
		n = snprintf(msg, sizeof(msg), "<%d>%s %s[%d]: %s",
		    log_facility | priority, stamp, log_ident,
		    log_tag_pid(from), line);
		if (n < 0)
			return;
		if ((size_t)n >= sizeof(msg))
			n = sizeof(msg) - 1;
		/* a stream listener reads lines ended by NUL */
		if (send(log_sock, msg, (size_t)n + (log_sock_type ==
		    SOCK_STREAM), MSG_NOSIGNAL) != -1)
			return;
		/* the listener went away (restarted?): reconnect once */
		close(log_sock);
		log_sock = -1;
		log_retry_at = 0;
	}
}

/*
 * From now on, lines go to the parent over fd instead of syslog. The
 * syslog socket opened before the fork is closed: a worker holds no
 * socket but its listeners and its sessions, and never reopens one.
 */
void
log_to_pipe(int fd)
{
	log_pipe_fd = fd;
	log_foreground = 0;
	if (log_sock != -1) {
		close(log_sock);
		log_sock = -1;
	}
}

void
log_set_debug(int on)
{
	log_debug_on = on;
}

/* Write the held lines (also from a signal handler: write(2) only). */
void
log_flush_now(void)
{
	size_t off = 0;
	ssize_t w;
	int fd = log_pipe_fd != -1 ? log_pipe_fd : STDERR_FILENO;

	while (off < log_outlen) {
		if ((w = write(fd, log_out + off, log_outlen - off)) == -1) {
			if (errno == EINTR)
				continue;
			/* a lagging parent (non-blocking pipe): the lines
			 * are lost, never a session */
			break;
		}
		off += (size_t)w;
	}
	log_outlen = 0;
}

static void
log_stderr(pid_t from, int priority, const char *line)
{
	const char *stamp;
	int n;

	log_stamps(NULL, &stamp);
	if (!log_batching) {
		fprintf(stderr, "%s %s[%d]: %s%s\n", stamp, log_ident,
		    log_tag_pid(from),
		    priority <= LOG_WARNING ? "warning: " : "", line);
		return;
	}
	if (LOG_OUT_MAX - log_outlen < LOG_LINE_MAX + 128)
		log_flush_now();
	n = snprintf(log_out + log_outlen, LOG_OUT_MAX - log_outlen,
	    "%s %s[%d]: %s%s\n", stamp, log_ident, log_tag_pid(from),
	    priority <= LOG_WARNING ? "warning: " : "", line);
	if (n > 0)
		log_outlen += (size_t)n < LOG_OUT_MAX - log_outlen ?
		    (size_t)n : LOG_OUT_MAX - log_outlen - 1;
}

/*
 * Between log_batch(1) and log_batch(0), lines are held and written
 * together at the end, or at log_flush_now(): the parent's relayed lines
 * to stderr, a worker's lines to the pipe.
 */
void
log_batch(int on)
{
	log_batching = on;
	log_pid = on ? getpid() : 0;
	if (!on)
		log_flush_now();
}

/* Write a line that worker "from" sent us, or one of our own (from 0). */
void
log_relay(pid_t from, int priority, const char *line)
{
	if (priority == LOG_DEBUG && !log_debug_on)
		return;
	log_syslog(from, priority, line);
	if (log_foreground)
		log_stderr(from, priority, line);
}

static void
log_emit(int priority, const char *line)
{
	char msg[LOG_LINE_MAX + 2];
	size_t len;
	int n;

	if (log_pipe_fd == -1) {
		log_relay(0, priority, line);
		return;
	}
	if (priority == LOG_DEBUG && !log_debug_on)
		return;
	len = strlen(line);
	if (len > sizeof(msg) - 2)
		len = sizeof(msg) - 2;
	msg[0] = (char)('0' + (priority & 7));
	memcpy(msg + 1, line, len);
	n = (int)len + 1;
	if ((size_t)n >= sizeof(msg) - 1)
		n = sizeof(msg) - 2;
	msg[n++] = '\n';
	if (log_batching) {
		if (log_outlen + (size_t)n > PIPE_BUF)
			log_flush_now();
		memcpy(log_out + log_outlen, msg, (size_t)n);
		log_outlen += (size_t)n;
		return;
	}
	/* Non-blocking pipe: when the parent lags, a line is lost, never a
	 * session. */
	if (write(log_pipe_fd, msg, (size_t)n) == -1) {
		/* nothing better to do */
	}
}

static void log_vformat(int, int, const char *, va_list)
    __attribute__((format(printf, 3, 0)));

static void
log_vformat(int priority, int with_errno, const char *fmt, va_list ap)
{
	char line[LOG_LINE_MAX];
	int saved = errno;
	size_t n;

	/* state changes are logged at debug level: not even formatted
	 * unless debug is on */
	if (priority == LOG_DEBUG && !log_debug_on)
		return;
	vsnprintf(line, sizeof(line), fmt, ap);
	if (with_errno) {
		n = strlen(line);
		snprintf(line + n, sizeof(line) - n, ": %s", strerror(saved));
	}
	log_emit(priority, line);
	errno = saved;
}

#define LOG_FN(name, prio, err)				\
void								\
name(const char *fmt, ...)					\
{								\
	va_list ap;						\
	va_start(ap, fmt);					\
	log_vformat(prio, err, fmt, ap);			\
	va_end(ap);						\
}

LOG_FN(log_info, LOG_INFO, 0)
LOG_FN(log_debug, LOG_DEBUG, 0)
LOG_FN(log_warn, LOG_WARNING, 1)
LOG_FN(log_warnx, LOG_WARNING, 0)

void
fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vformat(LOG_CRIT, 1, fmt, ap);
	va_end(ap);
	log_batch(0);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vformat(LOG_CRIT, 0, fmt, ap);
	va_end(ap);
	log_batch(0);
	exit(1);
}
