/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * spampot-relay: delivers the probes the analyzer queued (relay = on) to
 * the operator's smarthost, and hands each outcome back to the analyzer.
 * Started as root: prepares relay_dir, resolves the smarthost, drops to
 * relay_user for good, then runs under sandbox_relay (seccomp allow-list
 * without bind, listen or execve; Landlock: relay_dir only, TCP connect to
 * the smarthost's port only). See spampot-relay(8).
 *
 * The queue (relay_dir): the analyzer writes tmp/ID, renames it into new/.
 * We rename new/ID into cur/ID, keep its delivery state in state/ID, and
 * end with done/ID, the outcome and the bytes sent, which the analyzer
 * stores. A message is delivered at most once whatever crashes: before
 * the end of DATA goes out, state/ID says so ("committed 1"); a delivery
 * found committed at start, with no outcome, is recorded as unknown and
 * never tried again. One found not committed was never complete at the
 * smarthost: it is tried again.
 */
#include "autoconf.h"

#include <sys/socket.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "cmdline.h"
#include "conf.h"
#include "log.h"
#include "paths.h"
#include "privdrop.h"
#include "relay_smtp.h"
#include "relayq.h"
#include "sandbox.h"
#include "spoolfmt.h"
#include "util.h"

#define RELAY_TICK_MS		250
#define RELAY_FILE_MAX		(16 * 1024 * 1024)
#define RELAY_TIMEOUT_MS	60000L

struct relay {
	struct config	*cf;
	int		 dir_fd, new_fd, cur_fd, done_fd, state_fd;
	int		 stopped;	/* logged: 1 file, 2 signal */
};

static volatile sig_atomic_t relay_quit, relay_sigstop;

static void
relay_on_signal(int sig)
{
	if (sig == SIGUSR2)
		relay_sigstop = 1;
	else
		relay_quit = 1;
}

/* A delivery's state, state/ID: "attempts N first T next T committed C". */
struct relay_state {
	unsigned	 attempts;
	long long	 first, next;
	int		 committed;
};

static int
relay_state_write(struct relay *r, const char *id, const struct relay_state *s)
{
	char text[128];
	int fd, n, rc = -1;

	n = snprintf(text, sizeof(text), "attempts %u first %lld next %lld "
	    "committed %d\n", s->attempts, s->first, s->next, s->committed);
	if ((fd = openat(r->state_fd, id, O_WRONLY | O_CREAT | O_TRUNC |
	    O_CLOEXEC | O_NOFOLLOW, 0600)) == -1)
		return -1;
	if (write(fd, text, (size_t)n) == n && fsync(fd) == 0)
		rc = 0;
	close(fd);
	return rc;
}

static int
relay_state_read(struct relay *r, const char *id, struct relay_state *s)
{
	char text[128];
	ssize_t n;
	int fd;

	memset(s, 0, sizeof(*s));
	if ((fd = openat(r->state_fd, id, O_RDONLY | O_CLOEXEC |
	    O_NOFOLLOW)) == -1)
		return -1;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	text[n] = '\0';
	return sscanf(text, "attempts %u first %lld next %lld committed %d",
	    &s->attempts, &s->first, &s->next, &s->committed) == 4 ? 0 : -1;
}

/*
 * The outcome of ID into done/ID, then ID leaves the queue: written as
 * state/ID.result, cur/ID removed, the result renamed into done/ (where
 * the analyzer takes it), state/ID removed. relay_recover finishes any of
 * these steps a crash cut short.
 */
static void
relay_finish(struct relay *r, const char *id, const char *status,
    const struct relay_state *s, const struct relay_smtp_result *res,
    const struct relayq_item *it)
{
	struct relayq_result out;
	struct buf b = { 0 };
	char tmp[RELAYQ_ID_MAX + 8];
	int fd, ok = 0;

	memset(&out, 0, sizeof(out));
	snprintf(tmp, sizeof(tmp), "%s.result", id);
	snprintf(out.id, sizeof(out.id), "%s", id);
	snprintf(out.status, sizeof(out.status), "%s", status);
	snprintf(out.smarthost, sizeof(out.smarthost), "%s",
	    r->cf->relay_smarthost);
	out.attempts = s->attempts;
	out.first = s->first;
	out.last = (long long)time(NULL);
	if (res != NULL) {
		out.code = res->code;
		snprintf(out.reply, sizeof(out.reply), "%s", res->reply);
		snprintf(out.queue_id, sizeof(out.queue_id), "%s",
		    res->queue_id);
		snprintf(out.error, sizeof(out.error), "%s", res->error);
	}
	/* the bytes DATA carried (before libcurl's dot-stuffing): none when
	 * the end of DATA never went out */
	if (it != NULL && s->committed) {
		out.data = it->data;
		out.size = it->size;
	}
	if (relayq_result_write(&b, &out) == -1) {
		buf_release(&b);
		log_warnx("relay: %s: out of memory for its outcome", id);
		return;
	}
	if ((fd = openat(r->state_fd, tmp, O_WRONLY | O_CREAT | O_TRUNC |
	    O_CLOEXEC | O_NOFOLLOW, 0640)) != -1) {
		ok = write(fd, b.data, b.len) == (ssize_t)b.len &&
		    fsync(fd) == 0;
		close(fd);
	}
	buf_release(&b);
	if (!ok) {
		log_warn("relay: %s: cannot write its outcome (%s); it stays "
		    "in cur/", id, status);
		return;
	}
	unlinkat(r->cur_fd, id, 0);
	if (renameat(r->state_fd, tmp, r->done_fd, id) == -1)
		log_warn("relay: %s: cannot move its outcome into done/", id);
	unlinkat(r->state_fd, id, 0);
	fsync(r->cur_fd);
	fsync(r->done_fd);
}

static long long
relay_backoff(const struct config *cf, unsigned attempts)
{
	long long ms = (long long)cf->relay_retry_min;
	unsigned i;

	for (i = 1; i < attempts && ms < 3600000; i++)
		ms *= 2;
	return ms > 3600000 ? 3600 : (ms + 999) / 1000;
}

#ifdef SPAMPOT_TEST_HOOKS
/* Test builds: SPAMPOT_RELAY_TEST_CRASH=STEP ends the process there at
 * once, as kill -9 would: nothing flushed, nothing cleaned up
 * (tests/e2e/072-relay-failures.sh). _exit: raise(3) needs calls the
 * sandbox does not allow. */
static void
relay_test_crash(const char *step)
{
	const char *at = getenv("SPAMPOT_RELAY_TEST_CRASH");

	if (at != NULL && strcmp(at, step) == 0)
		_exit(128 + SIGKILL);
}

/*
 * Test builds: SPAMPOT_RELAY_TEST_ESCAPE=connect:PORT, bind, open:PATH or
 * exec tries, once sandboxed, what a compromised relay would
 * (tests/e2e/073-relay-sandbox.sh): each must be refused or kill it.
 */
static void
relay_test_escape(void)
{
	const char *what = getenv("SPAMPOT_RELAY_TEST_ESCAPE");
	struct sockaddr_in sin;
	int fd, rc = -1;

	if (what == NULL)
		return;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (strncmp(what, "connect:", 8) == 0) {
		sin.sin_port = htons((uint16_t)atoi(what + 8));
		if ((fd = socket(AF_INET, SOCK_STREAM, 0)) != -1)
			rc = connect(fd, (struct sockaddr *)&sin, sizeof(sin));
	} else if (strcmp(what, "bind") == 0) {
		if ((fd = socket(AF_INET, SOCK_STREAM, 0)) != -1)
			rc = bind(fd, (struct sockaddr *)&sin, sizeof(sin));
	} else if (strncmp(what, "open:", 5) == 0)
		rc = open(what + 5, O_RDONLY | O_CLOEXEC);
	else if (strcmp(what, "exec") == 0)
		rc = execl("/bin/true", "true", (char *)NULL);
	log_warnx("test escape %s: %s", what, rc == -1 ? strerror(errno) :
	    "ALLOWED");
}
#else
#define relay_test_crash(step)	do { } while (0)
#define relay_test_escape()	do { } while (0)
#endif

struct relay_commit_arg {
	struct relay		*r;
	const char		*id;
	struct relay_state	*s;
};

/* Just before the end of DATA: from here the outcome may be unknown. */
static int
relay_commit(void *p)
{
	struct relay_commit_arg *a = p;

	a->s->committed = 1;
	relay_test_crash("before-commit");
	if (relay_state_write(a->r, a->id, a->s) == -1) {
		log_warn("relay: %s: cannot mark the end of DATA; not sent",
		    a->id);
		a->s->committed = 0;
		return -1;
	}
	relay_test_crash("after-commit");
	return 0;
}

/* Is relaying stopped (the stop file, SIGUSR2)? Logged when it changes. */
static int
relay_stopped(struct relay *r)
{
	int now = relay_sigstop ? 2 :
	    faccessat(r->dir_fd, "stop", F_OK, AT_SYMLINK_NOFOLLOW) == 0 ? 1 :
	    0;

	if (now != r->stopped) {
		if (now == 2)
			log_warnx("relay: stopped by SIGUSR2: nothing is sent "
			    "until spampot-relay is restarted");
		else if (now == 1)
			log_warnx("relay: stopped: %s/stop exists; nothing is "
			    "sent while it does", r->cf->relay_dir);
		else
			log_info("relay: %s/stop is gone: relaying again",
			    r->cf->relay_dir);
		r->stopped = now;
	}
	return now != 0;
}

/* One attempt at cur/ID, whose state is S. */
static void
relay_attempt(struct relay *r, const char *id, struct relay_state *s)
{
	struct relay_commit_arg ca = { r, id, s };
	struct relay_smtp_result res;
	struct relayq_item it;
	struct buf b = { 0 };
	char err[256], esc[SPOOLFMT_ESCAPED_MAX(512)];
	char rcpt[SPOOLFMT_ESCAPED_MAX(RELAYQ_ADDR_MAX)];
	long long now = (long long)time(NULL);

	if (buf_read_at(&b, r->cur_fd, id, RELAY_FILE_MAX) == -1 ||
	    relayq_read((unsigned char *)b.data, b.len, &it, err,
	    sizeof(err)) == -1 || strcmp(it.id, id) != 0) {
		log_warnx("relay: %s: not a queue file (%s); dropped", id,
		    b.len ? err : "unreadable");
		relay_finish(r, id, "bad", s, NULL, NULL);
		buf_release(&b);
		return;
	}
	s->attempts++;
	s->committed = 0;
	if (s->first == 0)
		s->first = now;
	if (relay_state_write(r, id, s) == -1) {
		log_warn("relay: %s: cannot write its state; not sent", id);
		buf_release(&b);
		return;
	}
	relay_test_crash("before-connect");
	relay_smtp_deliver(&it, relay_commit, &ca, RELAY_TIMEOUT_MS, &res);
	relay_test_crash("after-reply");
	spoolfmt_escape(esc, sizeof(esc), res.reply, strlen(res.reply), 0);
	/* the recipient is the client's choice: escaped for the log */
	spoolfmt_escape(rcpt, sizeof(rcpt), it.rcpt, strlen(it.rcpt),
	    SPOOLFMT_ESC_SPACE);
	if (res.outcome == RELAY_SENT) {
		log_info("relay: %s sent to %s rcpt=%s tls=%s reply=%s", id,
		    r->cf->relay_smarthost, rcpt, res.tls ? "yes" : "no",
		    esc);
		relay_finish(r, id, "sent", s, &res, &it);
	} else if (s->committed && !res.answered) {
		log_warnx("relay: %s: no reply to the end of DATA (%s): "
		    "recorded as unknown, never sent again", id, res.error);
		relay_finish(r, id, "unknown", s, &res, &it);
	} else if (res.outcome == RELAY_PERMFAIL) {
		log_warnx("relay: %s refused by %s: %s", id,
		    r->cf->relay_smarthost, esc);
		relay_finish(r, id, "failed", s, &res, &it);
	} else if ((unsigned long long)(now - s->first) * 1000 >=
	    r->cf->relay_max_age) {
		log_warnx("relay: %s: not delivered within relay_max_age "
		    "(%s %s); given up", id, esc, res.error);
		relay_finish(r, id, "expired", s, &res, &it);
	} else {
		s->next = now + relay_backoff(r->cf, s->attempts);
		s->committed = 0;
		log_info("relay: %s deferred (attempt %u: %s%s%s); next in "
		    "%llds", id, s->attempts, esc, res.error[0] ? " " : "",
		    res.error, s->next - now);
		if (relay_state_write(r, id, s) == -1)
			log_warn("relay: %s: cannot write its state", id);
	}
	buf_release(&b);
}

/* The oldest name of DIRFD (spool names begin with their time) for which
 * PICK says yes, or 0. */
static int
relay_next(int dirfd, char *out, size_t outlen,
    int (*pick)(struct relay *, const char *), struct relay *r)
{
	struct dirent *de;
	DIR *d;
	int found = 0;

	if ((d = util_opendir_at(dirfd)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		/* relayq_valid_id: shorter than RELAYQ_ID_MAX */
		if (de->d_name[0] == '.' || !relayq_valid_id(de->d_name) ||
		    strlen(de->d_name) >= outlen ||
		    (found && strcmp(de->d_name, out) >= 0))
			continue;
		if (pick == NULL || pick(r, de->d_name)) {
			memcpy(out, de->d_name, strlen(de->d_name) + 1);
			found = 1;
		}
	}
	closedir(d);
	return found;
}

/* A delivery in cur/ that is due. */
static int
relay_due(struct relay *r, const char *id)
{
	struct relay_state s;

	return relay_state_read(r, id, &s) == -1 ||
	    s.next <= (long long)time(NULL);
}

/* One step of work: a due retry, else a new probe. 0: nothing to do. */
static int
relay_step(struct relay *r)
{
	struct relay_state s;
	char id[RELAYQ_ID_MAX];

	if (relay_stopped(r))
		return 0;
	if (relay_next(r->cur_fd, id, sizeof(id), relay_due, r)) {
		if (relay_state_read(r, id, &s) == -1)
			memset(&s, 0, sizeof(s));
		relay_attempt(r, id, &s);
		return 1;
	}
	if (!relay_next(r->new_fd, id, sizeof(id), NULL, r))
		return 0;
	if (renameat(r->new_fd, id, r->cur_fd, id) == -1) {
		log_warn("relay: cannot take new/%s", id);
		return 0;
	}
	relay_test_crash("after-claim");
	memset(&s, 0, sizeof(s));
	relay_attempt(r, id, &s);
	return 1;
}

/* After a crash: outcomes half handed over, deliveries cut after their
 * end of DATA may have gone out (unknown: never again). */
static void
relay_recover(struct relay *r)
{
	struct relay_state s;
	struct relayq_item it;
	struct buf b = { 0 };
	char id[RELAYQ_ID_MAX + 8], err[128], *dot;
	struct dirent *de;
	DIR *d;

	if ((d = util_opendir_at(r->state_fd)) == NULL)
		fatal("relay: state/");
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || strlen(de->d_name) >= sizeof(id))
			continue;
		memcpy(id, de->d_name, strlen(de->d_name) + 1);
		if ((dot = strstr(id, ".result")) != NULL && dot[7] == '\0') {
			*dot = '\0';
			unlinkat(r->cur_fd, id, 0);
			renameat(r->state_fd, de->d_name, r->done_fd, id);
			unlinkat(r->state_fd, id, 0);
			continue;
		}
		if (faccessat(r->cur_fd, id, F_OK, AT_SYMLINK_NOFOLLOW) == -1) {
			unlinkat(r->state_fd, id, 0);
			continue;
		}
		if (relay_state_read(r, id, &s) == -1 || !s.committed)
			continue;
		log_warnx("relay: %s: stopped after its end of DATA went out; "
		    "recorded as unknown, never sent again", id);
		buf_release(&b);
		if (buf_read_at(&b, r->cur_fd, id, RELAY_FILE_MAX) == 0 &&
		    relayq_read((unsigned char *)b.data, b.len, &it, err,
		    sizeof(err)) == 0)
			relay_finish(r, id, "unknown", &s, NULL, &it);
		else
			relay_finish(r, id, "unknown", &s, NULL, NULL);
	}
	buf_release(&b);
	closedir(d);
}

static int
relay_subdir(const struct relay *r, const char *name)
{
	int fd;

	if ((fd = openat(r->dir_fd, name, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1)
		fatal("relay: %s/%s", r->cf->relay_dir, name);
	return fd;
}

static void
relay_open(struct relay *r)
{
	if ((r->dir_fd = open(r->cf->relay_dir, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1)
		fatal("relay: %s", r->cf->relay_dir);
	r->new_fd = relay_subdir(r, "new");
	r->cur_fd = relay_subdir(r, "cur");
	r->done_fd = relay_subdir(r, "done");
	r->state_fd = relay_subdir(r, "state");
}

static void
relay_usage(void)
{
	fprintf(stderr, "usage: spampot-relay [-dfhtV] [-c file]\n"
	    "  -c file  configuration (default %s)\n"
	    "  -d       debug: more log lines\n"
	    "  -f       stay in the foreground, log to stderr as well\n"
	    "  -t       check the configuration and the smarthost's name, "
	    "then exit\n"
	    "  -V       print the version and exit\n", SPAMPOT_CONFIG_FILE);
}

/* As root: the tree, the smarthost, then relay_user for good. */
static void
relay_setup(struct relay *r)
{
	struct privdrop_user pu, an;
	char err[512];

	if (privdrop_lookup(r->cf->analyzer_user, NULL, &an, err,
	    sizeof(err)) == -1 ||
	    privdrop_lookup(r->cf->relay_user, NULL, &pu, err,
	    sizeof(err)) == -1)
		fatalx("%s", err);
	if (geteuid() == 0 && relayq_prepare(r->cf, an.gid, err,
	    sizeof(err)) == -1)
		fatalx("%s", err);
	if (relay_smtp_init(r->cf->relay_smarthost, r->cf->hostname, err,
	    sizeof(err)) == -1)
		fatalx("%s", err);
	relay_open(r);
	privdrop_drop(r->cf->relay_user, &pu);
}

static void
relay_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = relay_on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = { { NULL, 0, NULL, 0 } };
	struct cmdline cl = { SPAMPOT_CONFIG_FILE, 0, 0, 0 };
	struct relay r;
	struct timespec tick = { 0, RELAY_TICK_MS * 1000000L };
	char err[CONF_ERR_MAX];
	int ch;

	while ((ch = getopt_long(argc, argv, "c:dfhtV", longopts, NULL)) !=
	    -1)
		if (!cmdline_option(&cl, ch, optarg, "spampot-relay")) {
			relay_usage();
			return ch == 'h' ? 0 : 2;
		}
	if (optind != argc) {
		relay_usage();
		return 2;
	}
	memset(&r, 0, sizeof(r));
	if ((r.cf = calloc(1, sizeof(*r.cf))) == NULL ||
	    conf_load(r.cf, cl.conf_path, err, sizeof(err)) == -1) {
		fprintf(stderr, "spampot-relay: %s\n", r.cf ? err :
		    "out of memory");
		return 1;
	}
	/* not an error: the service may be enabled while relay is off */
	if (r.cf->relay_mode != CONF_RELAY_ON) {
		fprintf(stderr, "spampot-relay: %s: relay is %s: nothing to "
		    "deliver\n", cl.conf_path, r.cf->relay);
		return 0;
	}
	if (cl.check) {
		if (relay_smtp_init(r.cf->relay_smarthost, r.cf->hostname, err,
		    sizeof(err)) == -1) {
			fprintf(stderr, "spampot-relay: %s\n", err);
			return 1;
		}
		printf("spampot-relay: %s: configuration OK, smarthost %s\n",
		    cl.conf_path, r.cf->relay_smarthost);
		return 0;
	}
	log_init("spampot-relay", cl.foreground, r.cf->log_facility);
	log_set_debug(cl.debug);
	relay_signals();
	relay_setup(&r);
	sandbox_no_dumps(1);
	sandbox_relay(r.dir_fd, relay_smtp_port(), cl.debug ? 2 : -1);
	log_info("starting spampot-relay %s, config %s, queue %s, smarthost "
	    "%s", PACKAGE_VERSION, cl.conf_path, r.cf->relay_dir,
	    r.cf->relay_smarthost);
	relay_test_escape();
	relay_recover(&r);
	while (!relay_quit)
		if (!relay_step(&r))
			nanosleep(&tick, NULL);
	log_info("stopped");
	/* _exit: nothing to flush, and exit handlers (a sanitizer's leak
	 * check among them) would make calls the sandbox forbids. */
	_exit(0);
}
