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
#include <unistd.h>

#include "config.h"
#include "iptable.h"
#include "log.h"
#include "spool.h"
#include "supervise.h"
#include "util.h"
#include "worker.h"

#define SUPERVISE_KILL_SLACK	5000	/* ms after the grace period */
#define SUPERVISE_EARLY_DEATH	10000	/* died this soon: back off */
#define SUPERVISE_BACKOFF_MAX	60000
#define SUPERVISE_LOGBUF	8192
#define SUPERVISE_LOG_EVERY	10	/* ms between two reads of the log pipe */
#define SUPERVISE_LOG_PIPE	(1 << 20)	/* its size, where allowed */

struct supervise_child {
	pid_t		 pid;		/* 0: free */
	unsigned	 row;		/* in the per-IP table */
	int		 current;	/* of the running generation */
	uint64_t	 started;
};

struct supervise {
	struct supervise_setup	*setup;
	struct iptable		*iptable;
	struct supervise_child	 child[IPTABLE_ROWS];
	unsigned		 want;		/* workers of this generation */
	uint64_t		 respawn_at;	/* 0: nothing pending */
	uint64_t		 backoff;
	int			 stopping;
	uint64_t		 kill_at;
	int			 sfd;
	int			 log_r, log_w;
	uint64_t		 log_next;	/* read the log pipe from then */
	int			 lifeline_r, lifeline_w;
	char			 logbuf[SUPERVISE_LOGBUF];
	size_t			 loglen;
};

static unsigned
supervise_count(const struct supervise *sv, int current_only)
{
	unsigned i, n = 0;

	for (i = 0; i < IPTABLE_ROWS; i++)
		if (sv->child[i].pid != 0 &&
		    (!current_only || sv->child[i].current))
			n++;
	return n;
}

static void
supervise_child_main(struct supervise *sv, unsigned row)
{
	struct supervise_setup *su = sv->setup;
	struct worker_ctx ctx;
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	close(sv->sfd);
	close(sv->log_r);
	close(sv->lifeline_w);
	log_to_pipe(sv->log_w);
	memset(&ctx, 0, sizeof(ctx));
	ctx.cf = su->cf;
	ctx.listen_fds = su->listen_fds;
	ctx.nlisten = su->nlisten;
	ctx.spool_fd = su->spool_fd;
	ctx.log_fd = sv->log_w;
	ctx.lifeline_fd = sv->lifeline_r;
	ctx.iptable = sv->iptable;
	ctx.row = row;
	ctx.sandbox_trap = su->sandbox_trap;
	worker_main(&ctx);
}

static int
supervise_spawn(struct supervise *sv)
{
	unsigned row;
	pid_t pid;

	for (row = 0; row < IPTABLE_ROWS && sv->child[row].pid != 0; row++)
		;
	if (row == IPTABLE_ROWS) {
		log_warnx("supervise: no free worker slot");
		return -1;
	}
	iptable_row_open(sv->iptable, row);
	if ((pid = fork()) == -1) {
		log_warn("supervise: fork");
		iptable_row_close(sv->iptable, row);
		return -1;
	}
	if (pid == 0)
		supervise_child_main(sv, row);
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

	supervise_describe(status, how, sizeof(how));
	if (clean)
		log_info("worker %d %s after %llu ms", (int)c->pid, how,
		    (unsigned long long)lived);
	else
		log_warnx("worker %d crashed: %s after %llu ms", (int)c->pid,
		    how, (unsigned long long)lived);
	iptable_row_close(sv->iptable, c->row);
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
		for (i = 0; i < IPTABLE_ROWS; i++)
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

	for (i = 0; i < IPTABLE_ROWS; i++)
		if (sv->child[i].pid != 0)
			kill(sv->child[i].pid, sig);
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
	char err[CONFIG_ERR_MAX];
	unsigned i;

	if ((next = calloc(1, sizeof(*next))) == NULL) {
		log_warnx("reload: out of memory; keeping the running "
		    "configuration");
		return;
	}
	if (config_load(next, su->config_path, err, sizeof(err)) == -1) {
		log_warnx("reload failed, keeping the running configuration: "
		    "%s", err);
		free(next);
		return;
	}
	supervise_keep_fixed(next, su->cf);
	for (i = 0; i < IPTABLE_ROWS; i++)
		if (sv->child[i].pid != 0 && sv->child[i].current) {
			sv->child[i].current = 0;
			kill(sv->child[i].pid, SIGUSR1);
		}
	config_free(su->cf);
	free(su->cf);
	su->cf = next;
	sv->want = (unsigned)next->workers;
	sv->respawn_at = 0;
	sv->backoff = 0;
	log_info("reload: %s re-read; %u workers with the new settings, the "
	    "old ones finish their sessions", su->config_path, sv->want);
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
 * Relay the workers' lines: "<priority digit><text>\n". Read until a read
 * comes back short (the pipe is empty), not until it fails.
 */
static void
supervise_relay_logs(struct supervise *sv)
{
	ssize_t n;
	size_t want;
	char *line, *nl;
	int prio;

	log_batch(1);
	for (;;) {
		want = sizeof(sv->logbuf) - sv->loglen - 1;
		if ((n = read(sv->log_r, sv->logbuf + sv->loglen, want)) <= 0)
			break;
		sv->loglen += (size_t)n;
		sv->logbuf[sv->loglen] = '\0';
		line = sv->logbuf;
		while ((nl = strchr(line, '\n')) != NULL) {
			*nl = '\0';
			prio = line[0] >= '0' && line[0] <= '7' ?
			    line[0] - '0' : LOG_WARNING;
			log_relay(prio, line[0] ? line + 1 : line);
			line = nl + 1;
		}
		sv->loglen -= (size_t)(line - sv->logbuf);
		memmove(sv->logbuf, line, sv->loglen);
		if (sv->loglen == sizeof(sv->logbuf) - 1)
			sv->loglen = 0;	/* a line with no end: drop it */
		if ((size_t)n < want)
			break;
	}
	log_batch(0);
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
	int logp[2], life[2];
	sigset_t set;

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
	if (pipe2(logp, O_NONBLOCK | O_CLOEXEC) == -1 ||
	    pipe2(life, O_CLOEXEC) == -1)
		fatal("pipe2");
	sv->log_r = logp[0];
	sv->log_w = logp[1];
	/* room for the lines of the time between two reads, and of bursts */
	(void)fcntl(sv->log_w, F_SETPIPE_SZ, SUPERVISE_LOG_PIPE);
	sv->lifeline_r = life[0];
	sv->lifeline_w = life[1];
	if ((sv->iptable = iptable_create()) == NULL)
		fatal("mmap of the per-IP table");
}

int
supervise_run(struct supervise_setup *su)
{
	struct supervise *sv;
	struct pollfd pfd[2];
	uint64_t now;

	if ((sv = calloc(1, sizeof(*sv))) == NULL)
		fatal("calloc");
	sv->setup = su;
	sv->want = (unsigned)su->cf->workers;
	supervise_open(sv);
	supervise_fill(sv, util_now_ms());
	while (!sv->stopping || supervise_count(sv, 0) > 0) {
		now = util_now_ms();
		/* The log pipe is read at most every SUPERVISE_LOG_EVERY ms:
		 * under load, one wake-up relays many sessions' lines. */
		pfd[0] = (struct pollfd){ .fd = sv->sfd, .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = sv->log_r, .events = POLLIN };
		if (poll(pfd, now < sv->log_next ? 1 : 2,
		    supervise_poll_timeout(sv, now)) == -1 && errno != EINTR)
			fatal("poll");
		now = util_now_ms();
		if (pfd[0].revents != 0 || (now >= sv->log_next &&
		    pfd[1].revents != 0)) {
			/* a worker's last lines before what its death says */
			supervise_relay_logs(sv);
			sv->log_next = now + SUPERVISE_LOG_EVERY;
		}
		if (pfd[0].revents != 0)
			supervise_signals(sv, now);
		supervise_fill(sv, now);
		if (sv->stopping && now >= sv->kill_at) {
			log_warnx("stopping: workers still running after the "
			    "grace period; killing them");
			supervise_signal_all(sv, SIGKILL);
			sv->kill_at = now + 1000;
		}
	}
	supervise_relay_logs(sv);
	spool_recover(su->spool_fd, 0);
	log_info("stopped");
	free(sv);
	return 0;
}
