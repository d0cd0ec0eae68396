/*
 * log: the audit trail. The parent and the analyzer write to syslog (and to
 * stderr with -f). Workers must not call syslog(3), which may reopen its
 * socket (the sandbox forbids sockets), so log_to_pipe() sends their lines
 * to the parent, one write per line: "<priority digit><text>\n". Lines are
 * shorter than PIPE_BUF, so lines of different workers never interleave.
 *
 * Severities: fatalx = a broken invariant (bug), fatal = a setup failure,
 * log_warn/log_warnx = a peer or a file caused trouble, carry on.
 */
#include "autoconf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#define LOG_LINE_MAX	1024	/* < PIPE_BUF: one atomic pipe write */

static int	log_foreground;
static int	log_debug_on;
static int	log_pipe_fd = -1;
static const char *log_ident = "spampot";

void
log_init(const char *ident, int foreground, int facility)
{
	log_ident = ident;
	log_foreground = foreground;
	openlog(ident, LOG_PID | LOG_NDELAY, facility);
}

/* From now on, lines go to the parent over fd instead of syslog. */
void
log_to_pipe(int fd)
{
	log_pipe_fd = fd;
	log_foreground = 0;
}

void
log_set_debug(int on)
{
	log_debug_on = on;
}

static void
log_stderr(int priority, const char *line)
{
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%H:%M:%S", &tm);
	fprintf(stderr, "%s %s[%d]: %s%s\n", stamp, log_ident, (int)getpid(),
	    priority <= LOG_WARNING ? "warning: " : "", line);
}

/* Write a line that a worker sent us, or one of our own. */
void
log_relay(int priority, const char *line)
{
	if (priority == LOG_DEBUG && !log_debug_on)
		return;
	syslog(priority, "%s", line);
	if (log_foreground)
		log_stderr(priority, line);
}

static void
log_emit(int priority, const char *line)
{
	char msg[LOG_LINE_MAX + 2];
	int n;

	if (log_pipe_fd == -1) {
		log_relay(priority, line);
		return;
	}
	if (priority == LOG_DEBUG && !log_debug_on)
		return;
	n = snprintf(msg, sizeof(msg), "%d%s", priority, line);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(msg) - 1)
		n = sizeof(msg) - 2;
	msg[n++] = '\n';
	/* Non-blocking pipe: when the parent lags, a line is lost, never a
	 * session. */
	if (write(log_pipe_fd, msg, (size_t)n) == -1) {
		/* nothing better to do */
	}
}

static void
log_vformat(int priority, int with_errno, const char *fmt, va_list ap)
{
	char line[LOG_LINE_MAX];
	int saved = errno;
	size_t n;

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
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vformat(LOG_CRIT, 0, fmt, ap);
	va_end(ap);
	exit(1);
}
