/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * supervise: the parent after the privilege drop (unprivileged, no
 * capabilities, not sandboxed: it must re-read the config on SIGHUP and
 * talk to syslog). It only supervises: the child table, spawn, reap,
 * respawn with back-off, the workers' log lines, signals as flags read from
 * a signalfd. It never reads a byte from a client.
 *
 * Reload (SIGHUP): a new config that parses replaces the old one; the
 * running workers are retired (SIGUSR1: they stop accepting and finish
 * their sessions) and a new generation is spawned with the new worker
 * count, limits and banner, on the same listeners. Stop (SIGTERM/SIGINT):
 * every worker gets SIGTERM and shutdown_grace to finish; stragglers are
 * killed 5 s later, their files recovered from tmp/.
 *
 * Log relay: each worker writes its lines into a pipe of its own, so the
 * parent knows which worker a line came from whatever the line says, and
 * treats every worker as possibly compromised: a line ends at '\n' or NUL;
 * its priority is clamped to SUPERVISE_LOG_CEILING; control bytes are
 * escaped; it is tagged with the worker's pid; at most SUPERVISE_LOG_RATE
 * lines a second (bursts of SUPERVISE_LOG_BURST) are relayed per worker,
 * the rest counted in a "log lines dropped" line; and each worker's pipe
 * is read at most SUPERVISE_LOG_TURN bytes a turn, so that one flooding
 * worker costs neither the others' lines nor all of the parent's CPU.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "addrcount.h"
#include "log.h"
#include "sensorstat.h"
#include "spool.h"
#include "spoolfmt.h"
#include "supervise.h"
#include "util.h"
#include "worker.h"

#define SUPERVISE_KILL_SLACK	5000	/* ms after the grace period */
#define SUPERVISE_EARLY_DEATH	10000	/* died this soon: back off */
#define SUPERVISE_BACKOFF_MAX	60000
#define SUPERVISE_LOGBUF	8192	/* a line longer than this is dropped */
#define SUPERVISE_LOG_EVERY	10	/* ms between two reads of the log pipe */
#define SUPERVISE_LOG_PIPE	(1 << 20)	/* its size, where allowed */
#define SUPERVISE_LOG_TURN	65536	/* bytes read from a worker a turn */
#define SUPERVISE_LOG_RATE	20000	/* lines/s relayed per worker */
#define SUPERVISE_LOG_BURST	40000
#define SUPERVISE_LOG_CEILING	LOG_ERR	/* a worker's lines: never above */
#define SUPERVISE_DROP_EVERY	1000	/* ms between two "dropped" lines */

/* A worker's log pipe, as the parent reads it. */
struct supervise_log {
	int		 fd;		/* read end; -1: none */
	int		 skip;		/* dropping a line too long */
	size_t		 len;
	uint64_t	 tokens;	/* lines it may send now */
	uint64_t	 refilled;	/* ms */
	uint64_t	 dropped;	/* not reported yet */
	uint64_t	 dropped_at;	/* ms of the last report */
	char		 buf[SUPERVISE_LOGBUF];
};

struct supervise_child {
	pid_t		 pid;		/* 0: free */
	unsigned	 row;		/* in the per-IP table */
	int		 current;	/* of the running generation */
	uint64_t	 started;
	struct supervise_log log;
};

struct supervise {
	struct supervise_setup	*setup;
	struct addrcount		*addrcount;
	struct supervise_child	 child[ADDRCOUNT_ROWS];
	unsigned		 want;		/* workers of this generation */
	uint64_t		 respawn_at;	/* 0: nothing pending */
	uint64_t		 backoff;
	int			 stopping;
	uint64_t		 kill_at;
	int			 sfd;
	uint64_t		 log_next;	/* read the log pipes then */
	int			 lifeline_r, lifeline_w;
	/* the status file (sensorstat.h) */
	time_t			 started;
	uint64_t		 status_at;	/* written next then */
	struct sensorstat	 status;	/* as last written */
	int			 status_failed;
};

static unsigned
supervise_count(const struct supervise *sv, int current_only)
{
	unsigned i, n = 0;

	for (i = 0; i < ADDRCOUNT_ROWS; i++)
		if (sv->child[i].pid != 0 &&
		    (!current_only || sv->child[i].current))
			n++;
	return n;
}

/*
 * A worker's fds 0 to 2 are /dev/null: under systemd, 1 and 2 are the
 * journal stream, which would take any line (and priority) a compromised
 * worker wrote. Test builds with sanitizers keep 2: their reports go
 * there, and the sandbox lets a worker open no file to write them to.
 */
static void
supervise_child_stdio(void)
{
	int fd;

	if ((fd = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1)
		fatal("worker %d: /dev/null", (int)getpid());
	if (dup2(fd, 0) == -1 || dup2(fd, 1) == -1)
		fatal("worker %d: dup2", (int)getpid());
#ifndef SPAMPOT_SANITIZERS
	if (dup2(fd, 2) == -1)
		fatal("worker %d: dup2", (int)getpid());
#endif
	if (fd > 2)
		close(fd);
}

/* In the new worker: keep only what it needs of the parent's fds. */
static void
supervise_child_main(struct supervise *sv, unsigned row, int log_w)
{
	struct supervise_setup *su = sv->setup;
	struct worker_ctx ctx;
	sigset_t none;
	unsigned i;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	close(sv->sfd);
	close(sv->lifeline_w);
	/* the other workers' read ends */
	for (i = 0; i < ADDRCOUNT_ROWS; i++)
		if (sv->child[i].log.fd != -1)
			close(sv->child[i].log.fd);
	log_to_pipe(log_w);
	supervise_child_stdio();
	memset(&ctx, 0, sizeof(ctx));
	ctx.cf = su->cf;
	ctx.listen_fds = su->listen_fds;
	ctx.nlisten = su->nlisten;
	ctx.spool_fd = su->spool_fd;
	ctx.log_fd = log_w;
	ctx.lifeline_fd = sv->lifeline_r;
	ctx.addrcount = sv->addrcount;
	ctx.row = row;
	ctx.sandbox_trap = su->sandbox_trap;
	ctx.tls = su->tls;
	worker_main(&ctx);
}

static int
supervise_spawn(struct supervise *sv)
{
	struct supervise_log *l;
	unsigned row;
	int logp[2];
	pid_t pid;

	for (row = 0; row < ADDRCOUNT_ROWS && sv->child[row].pid != 0; row++)
		;
	if (row == ADDRCOUNT_ROWS) {
		log_warnx("supervise: no free worker slot");
		return -1;
	}
	if (pipe2(logp, O_NONBLOCK | O_CLOEXEC) == -1) {
		log_warn("supervise: pipe2");
		return -1;
	}
	/* room for the lines of the time between two reads, and of bursts */
	(void)fcntl(logp[1], F_SETPIPE_SZ, SUPERVISE_LOG_PIPE);
	addrcount_row_open(sv->addrcount, row);
	if ((pid = fork()) == -1) {
		log_warn("supervise: fork");
		addrcount_row_close(sv->addrcount, row);
		close(logp[0]);
		close(logp[1]);
		return -1;
	}
	if (pid == 0) {
		close(logp[0]);
		supervise_child_main(sv, row, logp[1]);
	}
	close(logp[1]);
	l = &sv->child[row].log;
	l->fd = logp[0];
	l->skip = 0;
	l->len = 0;
	l->tokens = SUPERVISE_LOG_BURST;
	l->refilled = util_now_ms();
	l->dropped = l->dropped_at = 0;
	sv->child[row].pid = pid;
	sv->child[row].row = row;
	sv->child[row].current = 1;
	sv->child[row].started = util_now_ms();
	log_info("worker %d spawned", (int)pid);
	return 0;
}

/* Bring the current generation up to the wanted count. */
static void
supervise_fill(struct supervise *sv, uint64_t now)
{
	if (sv->stopping || (sv->respawn_at != 0 && now < sv->respawn_at))
		return;
	sv->respawn_at = 0;
	while (supervise_count(sv, 1) < sv->want)
		if (supervise_spawn(sv) == -1) {
			sv->respawn_at = now + 1000;
			break;
		}
}

/* One more line of this worker's allowance, refilled with time. */
static int
supervise_log_take(struct supervise_log *l, uint64_t now)
{
	if (now > l->refilled) {
		l->tokens += (now - l->refilled) * SUPERVISE_LOG_RATE / 1000;
		if (l->tokens > SUPERVISE_LOG_BURST)
			l->tokens = SUPERVISE_LOG_BURST;
		l->refilled = now;
	}
	if (l->tokens == 0)
		return 0;
	l->tokens--;
	return 1;
}

/* A worker's line, "<priority digit><text>": relayed as from that
 * worker, no higher than the ceiling, control bytes escaped. */
static void
supervise_log_line(struct supervise_child *c, const char *line, size_t len,
    uint64_t now)
{
	char text[1024];
	int prio = LOG_WARNING;

	if (len > 0 && line[0] >= '0' && line[0] <= '7') {
		prio = line[0] - '0';
		line++;
		len--;
	}
	if (len == 0)
		return;
	if (!supervise_log_take(&c->log, now)) {
		c->log.dropped++;
		return;
	}
	if (prio < SUPERVISE_LOG_CEILING)
		prio = SUPERVISE_LOG_CEILING;
	spoolfmt_escape(text, sizeof(text), line, len, SPOOLFMT_ESC_KEEP_BS);
	log_relay(c->pid, prio, text);
}

static void
supervise_log_dropped(struct supervise_child *c, uint64_t now, int last)
{
	struct supervise_log *l = &c->log;

	if (l->dropped == 0 || (!last && now - l->dropped_at <
	    SUPERVISE_DROP_EVERY))
		return;
	log_warnx("worker %d: %llu log lines dropped (more than %d a second)",
	    (int)c->pid, (unsigned long long)l->dropped, SUPERVISE_LOG_RATE);
	l->dropped = 0;
	l->dropped_at = now;
}

/* Split what was read at each '\n' or NUL; a line that fills the buffer
 * without an end is dropped, up to its end. */
static void
supervise_log_split(struct supervise_child *c, size_t n, uint64_t now)
{
	struct supervise_log *l = &c->log;
	size_t i, start = 0;

	for (i = l->len; i < l->len + n; i++) {
		if (l->buf[i] != '\n' && l->buf[i] != '\0')
			continue;
		if (!l->skip)
			supervise_log_line(c, l->buf + start, i - start, now);
		l->skip = 0;
		start = i + 1;
	}
	l->len += n - start;
	memmove(l->buf, l->buf + start, l->len);
	if (l->len == sizeof(l->buf)) {
		l->len = 0;
		l->skip = 1;
	}
}

/*
 * Relay one worker's lines: at most SUPERVISE_LOG_TURN bytes, or (drain:
 * it is gone) all that is left. A pipe its worker closed is not read
 * again.
 */
static void
supervise_log_read(struct supervise_child *c, uint64_t now, int drain)
{
	struct supervise_log *l = &c->log;
	size_t got = 0;
	ssize_t n;

	while (l->fd != -1 && (drain || got < SUPERVISE_LOG_TURN)) {
		n = read(l->fd, l->buf + l->len, sizeof(l->buf) - l->len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == 0 || (n == -1 && errno != EAGAIN)) {
			close(l->fd);
			l->fd = -1;
		}
		if (n <= 0)
			break;
		got += (size_t)n;
		supervise_log_split(c, (size_t)n, now);
	}
	supervise_log_dropped(c, now, drain);
}

/* A turn: a bounded read of every worker's pipe, in one batch. */
static void
supervise_relay_logs(struct supervise *sv)
{
	uint64_t now = util_now_ms();
	unsigned i;

	log_batch(1);
	for (i = 0; i < ADDRCOUNT_ROWS; i++)
		if (sv->child[i].log.fd != -1)
			supervise_log_read(&sv->child[i], now, 0);
	log_batch(0);
}

static void
supervise_describe(int status, char *dst, size_t len)
{
	if (WIFSIGNALED(status))
		snprintf(dst, len, "killed by signal %d (%s)%s",
		    WTERMSIG(status), strsignal(WTERMSIG(status)),
		    WCOREDUMP(status) ? ", core dumped" : "");
	else
		snprintf(dst, len, "exited with status %d",
		    WEXITSTATUS(status));
}

static void
supervise_reaped(struct supervise *sv, struct supervise_child *c, int status,
    uint64_t now)
{
	char how[128];
	uint64_t lived = now - c->started;
	int clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
	int n;

	/* its last lines before what its death says */
	log_batch(1);
	supervise_log_read(c, now, 1);
	log_batch(0);
	if (c->log.fd != -1) {
		close(c->log.fd);
		c->log.fd = -1;
	}
	supervise_describe(status, how, sizeof(how));
	if (clean)
		log_info("worker %d %s after %llu ms", (int)c->pid, how,
		    (unsigned long long)lived);
	else
		log_warnx("worker %d crashed: %s after %llu ms", (int)c->pid,
		    how, (unsigned long long)lived);
	addrcount_row_close(sv->addrcount, c->row);
	if ((n = spool_recover(sv->setup->spool_fd, c->pid)) > 0)
		log_info("worker %d: %d unfinished sessions moved to new/",
		    (int)c->pid, n);
	if (c->current && !sv->stopping) {
		/* Dying young again and again: wait longer each time. */
		if (!clean && lived < SUPERVISE_EARLY_DEATH)
			sv->backoff = sv->backoff == 0 ? 1000 :
			    sv->backoff * 2 > SUPERVISE_BACKOFF_MAX ?
			    SUPERVISE_BACKOFF_MAX : sv->backoff * 2;
		else
			sv->backoff = 0;
		sv->respawn_at = now + (sv->backoff ? sv->backoff : 100);
		log_info("worker %d: respawn in %llu ms", (int)c->pid,
		    (unsigned long long)(sv->respawn_at - now));
	}
	c->pid = 0;
}

static void
supervise_reap(struct supervise *sv, uint64_t now)
{
	pid_t pid;
	int status;
	unsigned i;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (i = 0; i < ADDRCOUNT_ROWS; i++)
			if (sv->child[i].pid == pid) {
				supervise_reaped(sv, &sv->child[i], status, now);
				break;
			}
	}
}

static void
supervise_signal_all(struct supervise *sv, int sig)
{
	unsigned i;

	for (i = 0; i < ADDRCOUNT_ROWS; i++)
		if (sv->child[i].pid != 0)
			kill(sv->child[i].pid, sig);
}

/* The key was read as root at start: a reload cannot read it again. */
static void
supervise_keep_tls(struct config *next, const struct config *cur)
{
	char *cert, *key;

	if (strcmp(next->tls_cert_file, cur->tls_cert_file) == 0 &&
	    strcmp(next->tls_key_file, cur->tls_key_file) == 0)
		return;
	log_warnx("reload: 'tls_cert_file' and 'tls_key_file' take effect "
	    "at a restart");
	if ((cert = strdup(cur->tls_cert_file)) == NULL ||
	    (key = strdup(cur->tls_key_file)) == NULL) {
		free(cert);
		return;
	}
	free(next->tls_cert_file);
	free(next->tls_key_file);
	next->tls_cert_file = cert;
	next->tls_key_file = key;
}

/* Keep what cannot change without a restart from the running config. */
static void
supervise_keep_fixed(struct config *next, const struct config *cur)
{
	char *tmp;

	if (next->nlisten != cur->nlisten || memcmp(next->listen, cur->listen,
	    sizeof(cur->listen)) != 0)
		log_warnx("reload: 'listen' changed; the listeners stay as "
		    "they are until a restart");
	memcpy(next->listen, cur->listen, sizeof(cur->listen));
	next->nlisten = cur->nlisten;
	if (next->log_facility != cur->log_facility) {
		log_warnx("reload: 'log_facility' takes effect at a restart");
		next->log_facility = cur->log_facility;
	}
	if (next->max_sessions_per_worker > cur->max_sessions_per_worker)
		log_warnx("reload: max_sessions_per_worker raised to %llu; "
		    "the open-file limit set at start may not allow that many "
		    "until a restart",
		    (unsigned long long)next->max_sessions_per_worker);
	supervise_keep_tls(next, cur);
	if (strcmp(next->user, cur->user) != 0 ||
	    strcmp(next->spool_dir, cur->spool_dir) != 0 ||
	    strcmp(next->spool_group, cur->spool_group) != 0) {
		log_warnx("reload: 'user', 'spool_group' and 'spool_dir' "
		    "take effect at a restart");
		tmp = next->user;
		next->user = strdup(cur->user);
		free(tmp);
		tmp = next->spool_dir;
		next->spool_dir = strdup(cur->spool_dir);
		free(tmp);
		tmp = next->spool_group;
		next->spool_group = strdup(cur->spool_group);
		free(tmp);
	}
}

static void
supervise_reload(struct supervise *sv)
{
	struct supervise_setup *su = sv->setup;
	struct config *next;
	char err[CONF_ERR_MAX];
	unsigned i;

	if ((next = calloc(1, sizeof(*next))) == NULL) {
		log_warnx("reload: out of memory; keeping the running "
		    "configuration");
		return;
	}
	if (conf_load(next, su->conf_path, err, sizeof(err)) == -1) {
		log_warnx("reload failed, keeping the running configuration: "
		    "%s", err);
		free(next);
		return;
	}
	supervise_keep_fixed(next, su->cf);
	for (i = 0; i < ADDRCOUNT_ROWS; i++)
		if (sv->child[i].pid != 0 && sv->child[i].current) {
			sv->child[i].current = 0;
			kill(sv->child[i].pid, SIGUSR1);
		}
	conf_clear(su->cf);
	free(su->cf);
	su->cf = next;
	sv->want = (unsigned)next->workers;
	sv->respawn_at = 0;
	sv->backoff = 0;
	log_info("reload: %s re-read; %u workers with the new settings, the "
	    "old ones finish their sessions", su->conf_path, sv->want);
	supervise_fill(sv, util_now_ms());
}

static void
supervise_stop(struct supervise *sv, int sig, uint64_t now)
{
	size_t i;

	if (sv->stopping)
		return;
	sv->stopping = 1;
	log_info("stopping on signal %d: %u workers, grace %llu ms", sig,
	    supervise_count(sv, 0),
	    (unsigned long long)sv->setup->cf->shutdown_grace);
	for (i = 0; i < sv->setup->nlisten; i++)
		close(sv->setup->listen_fds[i]);
	supervise_signal_all(sv, SIGTERM);
	sv->kill_at = now + sv->setup->cf->shutdown_grace +
	    SUPERVISE_KILL_SLACK;
}

static void
supervise_signals(struct supervise *sv, uint64_t now)
{
	struct signalfd_siginfo si;

	while (read(sv->sfd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGCHLD:
			supervise_reap(sv, now);
			break;
		case SIGHUP:
			if (!sv->stopping)
				supervise_reload(sv);
			break;
		default:
			supervise_stop(sv, (int)si.ssi_signo, now);
			break;
		}
	}
}

/*
 * The status file (spampot-spool(5)), for the analyzer's heartbeat: every
 * SENSORSTAT_EVERY_S seconds, and at once when the workers alive or the
 * state change. A failure is logged once, until a write works again.
 */
static void
supervise_status(struct supervise *sv, const char *state, uint64_t now)
{
	struct sensorstat st;

	memset(&st, 0, sizeof(st));
	snprintf(st.version, sizeof(st.version), "%s", PACKAGE_VERSION);
	snprintf(st.state, sizeof(st.state), "%s", state);
	st.pid = (long long)getpid();
	st.started = (long long)sv->started;
	st.written = (long long)time(NULL);
	st.workers = sv->want;
	st.alive = supervise_count(sv, 1);
	if (now < sv->status_at && st.alive == sv->status.alive &&
	    strcmp(st.state, sv->status.state) == 0)
		return;
	sv->status_at = now + SENSORSTAT_EVERY_S * 1000;
	sv->status = st;
	if (sensorstat_write(sv->setup->spool_fd, &st) == -1) {
		if (!sv->status_failed)
			log_warn("cannot write the status file %s/%s",
			    sv->setup->cf->spool_dir, SENSORSTAT_FILE);
		sv->status_failed = 1;
	} else
		sv->status_failed = 0;
}

static int
supervise_poll_timeout(const struct supervise *sv, uint64_t now)
{
	uint64_t next = now + 1000;

	if (now < sv->log_next && sv->log_next < next)
		next = sv->log_next;
	if (sv->respawn_at != 0 && sv->respawn_at < next)
		next = sv->respawn_at;
	if (sv->stopping && sv->kill_at < next)
		next = sv->kill_at;
	return next <= now ? 0 : (int)(next - now);
}

static void
supervise_open(struct supervise *sv)
{
	int life[2];
	sigset_t set;
	unsigned i;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1)
		fatal("sigprocmask");
	if ((sv->sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) == -1)
		fatal("signalfd");
	signal(SIGPIPE, SIG_IGN);
	signal(SIGUSR1, SIG_IGN);
	if (pipe2(life, O_CLOEXEC) == -1)
		fatal("pipe2");
	for (i = 0; i < ADDRCOUNT_ROWS; i++)
		sv->child[i].log.fd = -1;
	sv->lifeline_r = life[0];
	sv->lifeline_w = life[1];
	if ((sv->addrcount = addrcount_create()) == NULL)
		fatal("mmap of the per-IP table");
}

/* The signalfd, and (logs) every worker's log pipe. */
static nfds_t
supervise_pollfds(const struct supervise *sv, struct pollfd *pfd, int logs)
{
	nfds_t n = 0;
	unsigned i;

	pfd[n++] = (struct pollfd){ .fd = sv->sfd, .events = POLLIN };
	for (i = 0; logs && i < ADDRCOUNT_ROWS; i++)
		if (sv->child[i].log.fd != -1)
			pfd[n++] = (struct pollfd){ .fd = sv->child[i].log.fd,
			    .events = POLLIN };
	return n;
}

int
supervise_run(struct supervise_setup *su)
{
	struct supervise *sv;
	struct pollfd pfd[1 + ADDRCOUNT_ROWS];
	uint64_t now;
	nfds_t i, n;
	int logs;

	if ((sv = calloc(1, sizeof(*sv))) == NULL)
		fatal("calloc");
	sv->setup = su;
	sv->want = (unsigned)su->cf->workers;
	sv->started = time(NULL);
	supervise_open(sv);
	supervise_fill(sv, util_now_ms());
	supervise_status(sv, "running", util_now_ms());
	while (!sv->stopping || supervise_count(sv, 0) > 0) {
		now = util_now_ms();
		/* The log pipes are read at most every SUPERVISE_LOG_EVERY
		 * ms: under load, one wake-up relays many sessions' lines. */
		n = supervise_pollfds(sv, pfd, now >= sv->log_next);
		if (poll(pfd, n, supervise_poll_timeout(sv, now)) == -1 &&
		    errno != EINTR)
			fatal("poll");
		now = util_now_ms();
		for (logs = 0, i = 1; i < n; i++)
			logs |= pfd[i].revents != 0;
		if (pfd[0].revents != 0 || (now >= sv->log_next && logs)) {
			/* a worker's last lines before what its death says */
			supervise_relay_logs(sv);
			sv->log_next = now + SUPERVISE_LOG_EVERY;
		}
		if (pfd[0].revents != 0)
			supervise_signals(sv, now);
		supervise_fill(sv, now);
		supervise_status(sv, sv->stopping ? "stopping" : "running",
		    now);
		if (sv->stopping && now >= sv->kill_at) {
			log_warnx("stopping: workers still running after the "
			    "grace period; killing them");
			supervise_signal_all(sv, SIGKILL);
			sv->kill_at = now + 1000;
		}
	}
	supervise_relay_logs(sv);
	spool_recover(su->spool_fd, 0);
	supervise_status(sv, "stopped", util_now_ms());
	log_info("stopped");
	free(sv);
	return 0;
}
