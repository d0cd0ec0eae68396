/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * worker: the only code an attacker reaches. Runs unprivileged, under the
 * seccomp allow-list of sandbox_rules.c and, where the kernel has it,
 * Landlock confined to the spool tree. It accepts on the listeners the
 * parent bound, serves thousands of sessions in one epoll loop with
 * non-blocking sockets, applies the timeouts and the per-worker, per-IP and
 * spool-space limits, and writes one spool file per session. It has no way
 * to open a socket or run a program, and it never relays anything.
 *
 * A session's spool file has its header on disk before the client is
 * greeted; its other records are written before it is told 250 for a
 * message, when it ends, once they have waited WORKER_FLUSH_MS (a client
 * that pauses, or a slow one, has its words on disk a moment later), and,
 * when the worker faults, from the signal handler: a quick session costs
 * three writes, not one per command.
 *
 * TLS (tls.c): a "/tls" listener's sessions start with the handshake and
 * are greeted after it; elsewhere STARTTLS starts one once its 220 is
 * sent. The bytes go through the same recv()/send() as ever: OpenSSL
 * never sees the socket. A handshake has tls_handshake_timeout to
 * complete; every TLS session leaves one tls or tls-fail record.
 *
 * Workers run under SCHED_BATCH (worker_sched_batch).
 *
 * SIGTERM: stop accepting, let sessions finish for shutdown_grace, then
 * close the rest with reason "shutdown". SIGUSR1 (config reload): stop
 * accepting and let sessions finish on their own. Parent gone (lifeline
 * EOF): close every session now and exit.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "buf.h"
#include "conf.h"
#include "addrcount.h"
#include "log.h"
#include "sandbox.h"
#include "smtp.h"
#include "spool.h"
#include "tls.h"
#include "util.h"
#include "worker.h"

#define WORKER_READ_SIZE	65536
#define WORKER_PLAIN_SIZE	16384	/* a TLS record's plaintext at most */
#define WORKER_MAX_EVENTS	256
#define WORKER_TICK_MS		1000
#define WORKER_OUT_KEEP		1024
#define WORKER_RANDOM_POOL	256
#define WORKER_FLUSH_MS		100	/* spool records wait at most this */
#define WORKER_END_GRACE_MS	2000	/* an ended session's output waits */

enum worker_tag { WT_LISTENER, WT_LIFELINE, WT_CONN };

struct worker_listener {
	enum worker_tag	 tag;
	int		 fd;
	int		 bound;		/* to one address: it is the server's */
	char		 addr[64];
	unsigned	 port;
	enum conf_tls_mode tls;
};

struct worker_conn {
	enum worker_tag		 tag;
	int			 fd;
	uint32_t		 events;	/* registered with epoll */
	int			 held;		/* waiting out a delay */
	struct smtp_session	*smtp;
	struct spool_file	*spool;
	struct tls_conn		*tls;		/* NULL: in clear */
	int			 tls_starting;	/* STARTTLS's 220 unsent */
	int			 tls_done;	/* its record is written */
	int			 greet_pending;	/* implicit TLS: after it */
	uint64_t		 tls_deadline;
	struct worker		*w;
	uint32_t		 ip_slot;
	uint64_t		 started;
	uint64_t		 last_input;
	uint64_t		 dirty_at;	/* records waiting since */
	uint64_t		 ended_at;	/* over, output unsent, since */
	int			 dirty;		/* on the worker's dirty list */
	char			 id[17];
	char			 addr[64];
	unsigned		 port;
	struct worker_conn	*prev, *next;
	struct worker_conn	*dprev, *dnext;	/* dirty list, oldest first */
};

struct worker {
	const struct worker_ctx	*ctx;
	const struct config	*cf;
	int			 epfd;
	struct worker_listener	*listeners;
	enum worker_tag		 lifeline_tag;
	struct worker_conn	*conns;
	struct worker_conn	*dirty_head, *dirty_tail;
	unsigned		 nconns;
	unsigned		 nheld;
	int			 accepting;
	int			 fd_paused;	/* out of fds: listeners off */
	uint64_t		 drain_deadline;	/* 0: none */
	uint64_t		 next_tick;
	uint64_t		 space_checked;
	int			 space_low;
	char			*rbuf;
	char			*pbuf;		/* plaintext out of TLS */
	unsigned char		 random[WORKER_RANDOM_POOL];
	size_t			 nrandom;	/* unused bytes in random */
	struct spool_file	**unfinished;	/* could not be completed yet */
	size_t			 nunfinished;
};

#define WORKER_UNFINISHED_MAX	1024

static volatile sig_atomic_t worker_sigterm;
static volatile sig_atomic_t worker_sigretire;
static struct worker *worker_self;	/* for the fault handler */
/* abort() is not among them: it needs tgkill, which the sandbox refuses
 * (the worker dies of SIGSYS first) */
static const int worker_fault_signals[] = {
	SIGSEGV, SIGBUS, SIGFPE, SIGILL,
};

static void
worker_on_signal(int sig)
{
	if (sig == SIGTERM)
		worker_sigterm = 1;
	else
		worker_sigretire = 1;
}

static void
worker_epoll_set(struct worker *w, struct worker_conn *c, uint32_t events)
{
	struct epoll_event ev;

	if (c->events == events)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.events = events;
	ev.data.ptr = c;
	if (epoll_ctl(w->epfd, EPOLL_CTL_MOD, c->fd, &ev) == -1)
		log_warn("%s epoll_ctl", c->id);
	c->events = events;
}

/* Is the spool below its free-space mark? Checked at most once a second. */
static int
worker_space_low(struct worker *w, uint64_t now)
{
	struct statvfs sv;
	uint64_t avail;
	int low;

	if (now - w->space_checked < 1000 && w->space_checked != 0)
		return w->space_low;
	w->space_checked = now;
	if (fstatvfs(w->ctx->spool_fd, &sv) == -1)
		return w->space_low;
	avail = (uint64_t)sv.f_bavail * sv.f_frsize;
	low = avail < w->cf->spool_min_free;
	if (low && !w->space_low)
		log_warnx("spool space low: %llu bytes free, below "
		    "spool_min_free %llu; answering 421 until space returns",
		    (unsigned long long)avail,
		    (unsigned long long)w->cf->spool_min_free);
	else if (!low && w->space_low)
		log_info("spool space back: %llu bytes free; accepting "
		    "sessions again", (unsigned long long)avail);
	w->space_low = low;
	return low;
}

/* 16 hex digits; the random bytes are drawn WORKER_RANDOM_POOL at a time
 * (one getrandom for 32 sessions), each used once. */
static void
worker_session_id(struct worker *w, char *dst, size_t len)
{
	unsigned char *r;

	if (w->nrandom < 8) {
		if (getrandom(w->random, sizeof(w->random), 0) !=
		    (ssize_t)sizeof(w->random))
			memset(w->random, 0, sizeof(w->random));
		w->nrandom = sizeof(w->random);
	}
	w->nrandom -= 8;
	r = w->random + w->nrandom;
	if (len > 0)
		util_hex(dst, r, (len - 1) / 2 < 8 ? (len - 1) / 2 : 8);
	memset(r, 0, 8);
}

/* Refuse without a file: the spool cannot take one. */
static void
worker_refuse_raw(struct worker *w, int fd, const char *addr)
{
	char line[512];

	smtp_unavailable(w->cf, line, sizeof(line));
	if (write(fd, line, strlen(line)) == -1) {
		/* the client is gone already */
	}
	close(fd);
	log_info("- smtp refused addr=%s reason=spool", addr);
}

static void
worker_conn_link(struct worker *w, struct worker_conn *c)
{
	c->next = w->conns;
	if (w->conns != NULL)
		w->conns->prev = c;
	w->conns = c;
	w->nconns++;
}

static void
worker_conn_unlink(struct worker *w, struct worker_conn *c)
{
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		w->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	w->nconns--;
}

/* The session has records waiting: write them within WORKER_FLUSH_MS. */
static void
worker_dirty_add(struct worker *w, struct worker_conn *c, uint64_t now)
{
	if (c->dirty || spool_pending(c->spool) == 0)
		return;
	c->dirty = 1;
	c->dirty_at = now;
	c->dnext = NULL;
	c->dprev = w->dirty_tail;
	if (w->dirty_tail != NULL)
		w->dirty_tail->dnext = c;
	else
		w->dirty_head = c;
	w->dirty_tail = c;
}

static void
worker_dirty_remove(struct worker *w, struct worker_conn *c)
{
	if (!c->dirty)
		return;
	if (c->dprev != NULL)
		c->dprev->dnext = c->dnext;
	else
		w->dirty_head = c->dnext;
	if (c->dnext != NULL)
		c->dnext->dprev = c->dprev;
	else
		w->dirty_tail = c->dprev;
	c->dirty = 0;
}

static const void *
worker_ip_key(const struct sockaddr_storage *ss, size_t *len)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;

	if (ss->ss_family == AF_INET) {
		*len = sizeof(sin->sin_addr);
		return &sin->sin_addr;
	}
	if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
		*len = 4;
		return &sin6->sin6_addr.s6_addr[12];
	}
	*len = sizeof(sin6->sin6_addr);
	return &sin6->sin6_addr;
}

static void worker_conn_io(struct worker *, struct worker_conn *, uint32_t);
static void worker_resume_listeners(struct worker *);

/* A TLS session for c, its handshake due within tls_handshake_timeout. */
static int
worker_tls_begin(struct worker *w, struct worker_conn *c, uint64_t now)
{
	if ((c->tls = tls_conn_new(w->ctx->tls, c->id)) == NULL) {
		log_warnx("%s tls: out of memory", c->id);
		return -1;
	}
	c->tls_deadline = now + w->cf->tls_handshake_timeout;
	return 0;
}

/* The session's hook for STARTTLS: the handshake follows its 220. */
static int
worker_starttls(void *arg)
{
	struct worker_conn *c = arg;

	if (worker_tls_begin(c->w, c, util_now_ms()) == -1)
		return -1;
	c->tls_starting = 1;
	return 0;
}

/* The handshake failed, timed out or was cut short: its tls-fail record
 * (what a client sent that was no TLS at all in the transcript), and
 * OpenSSL's alert sent if the socket takes it at once. */
static void
worker_tls_failed(struct worker_conn *c, const char *stage,
    const char *reason)
{
	struct buf *b, *out = tls_conn_output(c->tls);
	const char *raw;
	size_t n;

	c->tls_done = 1;
	if (tls_conn_raw(c->tls, &raw, &n))
		spool_transcript(c->spool, 'C', "none", raw, n);
	if ((b = spool_record_begin(c->spool)) != NULL)
		spool_record_end(c->spool, tls_conn_fail(c->tls, stage,
		    reason, b));
	else
		tls_conn_fail(c->tls, stage, reason, NULL);
	if (out->len > 0 && send(c->fd, out->data, out->len,
	    MSG_NOSIGNAL | MSG_DONTWAIT) == -1) {
		/* the client is gone already */
	}
}

#ifdef SPAMPOT_TEST_HOOKS
/*
 * --enable-test-hooks builds only, never packaged: a client that asks for
 * the server name "spampot-test-hook-open" or "spampot-test-hook-socket"
 * makes the worker, right after the handshake, try what a compromised one
 * would: open /etc/passwd, or make a socket. The sandbox must kill it
 * (tests/e2e/044-compromised-worker.sh); the session's records and this
 * line are written first, so the test can tell what happened.
 */
static void
worker_test_hook(struct worker_conn *c)
{
	const char *sni = tls_conn_sni(c->tls), *hook;
	int fd;

	if (sni == NULL)
		return;
	if (strcmp(sni, "spampot-test-hook-open") == 0)
		hook = "open";
	else if (strcmp(sni, "spampot-test-hook-socket") == 0)
		hook = "socket";
	else
		return;
	log_info("%s test hook %s after the TLS handshake", c->id, hook);
	smtp_spool_sync(c->smtp);
	log_flush_now();
	if (hook[0] == 'o')
		fd = open("/etc/passwd", O_RDONLY | O_CLOEXEC);
	else
		fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd == -1)
		log_warn("%s test hook %s: refused", c->id, hook);
	else {
		log_warnx("%s test hook %s: allowed, fd %d", c->id, hook, fd);
		close(fd);
	}
}
#endif

/* The handshake is complete: its record, and the session starts over
 * (STARTTLS) or begins (implicit TLS). */
static void
worker_tls_open(struct worker_conn *c)
{
	struct buf *b;

	c->tls_done = 1;
	if ((b = spool_record_begin(c->spool)) != NULL)
		spool_record_end(c->spool, tls_conn_record(c->tls, b));
	else
		tls_conn_record(c->tls, NULL);
#ifdef SPAMPOT_TEST_HOOKS
	worker_test_hook(c);
#endif
	smtp_tls_started(c->smtp);
	if (c->greet_pending) {
		c->greet_pending = 0;
		smtp_greet(c->smtp);
	}
}

/* Bytes read on a TLS session: the handshake, then the plaintext for the
 * session, all of it. Returns -1 when the session is over. */
static int
worker_tls_feed(struct worker *w, struct worker_conn *c, const char *p,
    size_t n)
{
	int was_open = tls_conn_open(c->tls);
	ssize_t m;

	switch (tls_conn_input(c->tls, p, n)) {
	case TLS_MORE:
		return 0;
	case TLS_FAILED:
		worker_tls_failed(c, NULL, NULL);
		return -1;
	case TLS_DONE:
		if (!was_open)
			worker_tls_open(c);
		break;
	}
	while ((m = tls_conn_read(c->tls, w->pbuf, WORKER_PLAIN_SIZE)) > 0)
		smtp_feed(c->smtp, w->pbuf, (size_t)m);
	if (m == -1)
		log_info("%s tls closed reason=\"%s\"", c->id,
		    tls_conn_error(c->tls));
	return m == 0 ? 0 : -1;
}

/* What can be sent now: in clear, or what TLS made of it. */
static size_t
worker_conn_unsent(struct worker_conn *c)
{
	size_t n;

	if (c->tls == NULL || c->tls_starting)
		return smtp_output(c->smtp)->len;
	n = tls_conn_output(c->tls)->len;
	if (tls_conn_open(c->tls))
		n += smtp_output(c->smtp)->len;
	return n;
}

/* A new connection: its spool file, its session, the limits. */
static void
worker_conn_open(struct worker *w, const struct worker_listener *l, int fd,
    const struct sockaddr_storage *ss, uint64_t now)
{
	struct sockaddr_storage local;
	socklen_t llen = sizeof(local);
	struct spool_meta meta;
	struct worker_conn *c;
	struct epoll_event ev;
	char server[64] = "-";
	unsigned sport = 0, per_ip;
	const void *key;
	size_t keylen;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		close(fd);
		return;
	}
	c->tag = WT_CONN;
	c->fd = fd;
	c->started = c->last_input = now;
	if (util_addr_text((const struct sockaddr *)ss, c->addr,
	    sizeof(c->addr), &c->port) == -1)
		snprintf(c->addr, sizeof(c->addr), "unknown");
	if (l->bound) {
		snprintf(server, sizeof(server), "%s", l->addr);
		sport = l->port;
	} else if (getsockname(fd, (struct sockaddr *)&local, &llen) == 0)
		util_addr_text((struct sockaddr *)&local, server,
		    sizeof(server), &sport);
	worker_session_id(w, c->id, sizeof(c->id));
	if (worker_space_low(w, now)) {
		worker_refuse_raw(w, fd, c->addr);
		free(c);
		return;
	}
	meta = (struct spool_meta){ c->id, w->cf->sensor, c->addr, c->port,
	    server, sport };
	if ((c->spool = spool_create(w->ctx->spool_fd, &meta)) == NULL) {
		log_warn("%s spool create", c->id);
		worker_refuse_raw(w, fd, c->addr);
		free(c);
		return;
	}
	if ((c->smtp = smtp_new(w->cf, c->id, c->spool)) == NULL) {
		spool_abandon(c->spool);
		worker_refuse_raw(w, fd, c->addr);
		free(c);
		return;
	}
	c->w = w;
	if (l->tls == CONF_TLS_STARTTLS && w->ctx->tls != NULL)
		smtp_set_tls(c->smtp, worker_starttls, c);
	smtp_set_peer(c->smtp, c->addr);
	key = worker_ip_key(ss, &keylen);
	per_ip = addrcount_acquire(w->ctx->addrcount, w->ctx->row, key, keylen,
	    &c->ip_slot);
	worker_conn_link(w, c);
	log_info("%s smtp connect addr=%s port=%u spool=%s", c->id, c->addr,
	    c->port, spool_name(c->spool));
	if (per_ip > w->cf->max_sessions_per_ip) {
		log_info("%s smtp limit sessions_per_ip=%u", c->id, per_ip - 1);
		smtp_refuse(c->smtp, SMTP_REFUSE_PER_IP);
	} else if (w->nconns > w->cf->max_sessions_per_worker) {
		log_info("%s smtp limit sessions_per_worker=%u", c->id,
		    w->nconns - 1);
		smtp_refuse(c->smtp, SMTP_REFUSE_PER_WORKER);
	} else if (l->tls == CONF_TLS_IMPLICIT)
		c->greet_pending = 1;
	else
		smtp_greet(c->smtp);
	if (l->tls == CONF_TLS_IMPLICIT && worker_tls_begin(w, c, now) == -1)
		smtp_close(c->smtp, SMTP_END_ERROR);
	memset(&ev, 0, sizeof(ev));
	ev.events = c->events = EPOLLIN;
	ev.data.ptr = c;
	if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev) == -1)
		log_warn("%s epoll_ctl add", c->id);
	worker_conn_io(w, c, 0);
}

/*
 * A file that could not be completed (no space on the spool): tried again
 * every tick until it is, so nothing captured is lost; at exit the parent
 * recovers what is left in tmp/.
 */
static void
worker_unfinished(struct worker *w, struct spool_file *sf, const char *id)
{
	struct spool_file **p;

	log_warn("%s spool: cannot complete %s; trying again", id,
	    spool_name(sf));
	if (errno == ENOMEM || w->nunfinished == WORKER_UNFINISHED_MAX ||
	    (p = realloc(w->unfinished, (w->nunfinished + 1) *
	    sizeof(*p))) == NULL) {
		log_warnx("%s spool: %s left in tmp/ until this worker exits",
		    id, spool_name(sf));
		spool_release(sf);
		return;
	}
	w->unfinished = p;
	w->unfinished[w->nunfinished++] = sf;
}

static void
worker_retry_unfinished(struct worker *w)
{
	size_t i = 0;

	while (i < w->nunfinished) {
		if (spool_finish(w->unfinished[i], NULL,
		    w->cf->spool_fsync) == 0) {
			log_info("spool: a file left unfinished is complete "
			    "now");
			w->unfinished[i] = w->unfinished[--w->nunfinished];
		} else
			i++;
	}
}

static void
worker_conn_finish(struct worker *w, struct worker_conn *c, enum smtp_end why)
{
	enum smtp_end end;
	uint64_t ms = util_now_ms() - c->started;
	char name[SPOOL_NAME_MAX];

	struct spool_file *sf = c->spool;

	if (c->tls != NULL && !c->tls_done)
		worker_tls_failed(c, "closed", why == SMTP_END_RESET ?
		    "connection closed" : smtp_end_name(why));
	smtp_close(c->smtp, why);
	end = smtp_ended(c->smtp);
	snprintf(name, sizeof(name), "%s", spool_name(sf));
	worker_dirty_remove(w, c);
	c->spool = NULL;	/* the fault handler leaves it alone now */
	if (spool_finish(sf, smtp_end_name(end), w->cf->spool_fsync) == -1)
		worker_unfinished(w, sf, c->id);
	log_info("%s smtp end reason=%s msgs=%u duration=%llu.%03llu "
	    "spool=%s", c->id, smtp_end_name(end), smtp_messages(c->smtp),
	    (unsigned long long)(ms / 1000), (unsigned long long)(ms % 1000),
	    name);
	/* close() takes the socket out of the epoll set: this is its only
	 * descriptor (accepted here, never duplicated) */
	close(c->fd);
	if (c->held)
		w->nheld--;
	addrcount_release(w->ctx->addrcount, w->ctx->row, c->ip_slot);
	worker_conn_unlink(w, c);
	worker_resume_listeners(w);
	smtp_free(c->smtp);
	tls_conn_free(c->tls);
	free(c);
}

/* Send what the session has to say. Returns -1 when the client is gone. */
static int
worker_conn_flush(struct worker_conn *c)
{
	struct buf *out = smtp_output(c->smtp);
	ssize_t n;

	if (c->tls != NULL && !c->tls_starting) {
		if (tls_conn_write(c->tls, out) == -1)
			return -1;
		out = tls_conn_output(c->tls);
	}
	while (out->len > 0) {
		n = send(c->fd, out->data, out->len, MSG_NOSIGNAL);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
		}
		buf_consume(out, (size_t)n);
	}
	buf_trim(out, WORKER_OUT_KEEP);
	if (c->tls_starting) {
		/* the 220 is out: what comes next is the handshake */
		c->tls_starting = 0;
		c->tls_deadline = util_now_ms() +
		    c->w->cf->tls_handshake_timeout;
	}
	return 0;
}

/* Read what the client sent and hand it to the session. */
static int
worker_conn_read(struct worker *w, struct worker_conn *c)
{
	ssize_t n;
	int reads = 0;

	/* A few reads, then others get their turn. */
	while (reads++ < 4 && smtp_ended(c->smtp) == SMTP_END_NONE) {
		n = recv(c->fd, w->rbuf, WORKER_READ_SIZE, 0);
		if (n == 0)
			return -1;
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
		}
		c->last_input = util_now_ms();
		if (c->tls != NULL && !c->tls_starting) {
			if (worker_tls_feed(w, c, w->rbuf, (size_t)n) == -1)
				return -1;
		} else
			smtp_feed(c->smtp, w->rbuf, (size_t)n);
		if (worker_conn_unsent(c) > 0 ||
		    smtp_held_until(c->smtp) > c->last_input)
			break;	/* answer before reading more */
	}
	return 0;
}

/*
 * Drive one connection: read, answer, close. The session is not read while
 * it has unsent output or waits out a tarpit delay, so a client that does
 * not read cannot make us buffer without bound; it is idle then, and once
 * its session is over (a timeout, a limit, QUIT) the socket is closed
 * WORKER_END_GRACE_MS later whether the output went out or not.
 */
static void
worker_conn_io(struct worker *w, struct worker_conn *c, uint32_t events)
{
	uint64_t now = util_now_ms();
	int held;

	if ((events & EPOLLIN) && worker_conn_read(w, c) == -1) {
		worker_conn_finish(w, c, SMTP_END_RESET);
		return;
	}
	if (events & (EPOLLERR | EPOLLHUP) && !(events & EPOLLIN)) {
		worker_conn_finish(w, c, SMTP_END_RESET);
		return;
	}
	held = smtp_held_until(c->smtp) > now;
	if (!held && worker_conn_flush(c) == -1) {
		worker_conn_finish(w, c, SMTP_END_RESET);
		return;
	}
	if (worker_conn_unsent(c) == 0 && !held &&
	    smtp_ended(c->smtp) != SMTP_END_NONE) {
		worker_conn_finish(w, c, SMTP_END_NONE);
		return;
	}
	if (smtp_ended(c->smtp) != SMTP_END_NONE && c->ended_at == 0)
		c->ended_at = now;	/* see worker_tick */
	if (held != c->held) {
		c->held = held;
		w->nheld += held ? 1 : -1;
	}
	if (held)
		worker_epoll_set(w, c, 0);
	else if (worker_conn_unsent(c) > 0)
		worker_epoll_set(w, c, EPOLLOUT);
	else
		worker_epoll_set(w, c, EPOLLIN);
	worker_dirty_add(w, c, now);
}

/* Write the records that have waited WORKER_FLUSH_MS. */
static void
worker_flush_due(struct worker *w, uint64_t now)
{
	struct worker_conn *c;

	while ((c = w->dirty_head) != NULL &&
	    now - c->dirty_at >= WORKER_FLUSH_MS) {
		worker_dirty_remove(w, c);
		if (smtp_spool_sync(c->smtp) == -1)
			worker_conn_io(w, c, 0);	/* the 421, the end */
	}
}

static void
worker_listeners_ctl(struct worker *w, int op)
{
	struct epoll_event ev;
	size_t i;

	for (i = 0; i < w->ctx->nlisten; i++) {
		memset(&ev, 0, sizeof(ev));
		ev.events = EPOLLIN | EPOLLEXCLUSIVE;
		ev.data.ptr = &w->listeners[i];
		if (epoll_ctl(w->epfd, op, w->listeners[i].fd, &ev) == -1)
			log_warn("epoll_ctl listener");
	}
}

/*
 * Out of file descriptors: a readable listener would wake us for nothing,
 * again and again. Stop watching the listeners (the kernel's backlog holds
 * new clients) until a session ends or the next tick.
 */
static void
worker_pause_listeners(struct worker *w)
{
	if (w->fd_paused)
		return;
	log_warnx("worker %d: out of file descriptors with %u sessions; "
	    "not accepting until one ends", (int)getpid(), w->nconns);
	worker_listeners_ctl(w, EPOLL_CTL_DEL);
	w->fd_paused = 1;
}

static void
worker_resume_listeners(struct worker *w)
{
	if (!w->fd_paused || !w->accepting)
		return;
	worker_listeners_ctl(w, EPOLL_CTL_ADD);
	w->fd_paused = 0;
}

static void
worker_accept(struct worker *w, const struct worker_listener *l, uint64_t now)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, n;

	for (n = 0; n < 64 && w->accepting; n++) {
		len = sizeof(ss);
		fd = accept4(l->fd, (struct sockaddr *)&ss, &len,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EMFILE || errno == ENFILE)
				worker_pause_listeners(w);
			else if (errno != EAGAIN && errno != EWOULDBLOCK)
				log_warn("accept");
			return;
		}
		worker_conn_open(w, l, fd, &ss, now);
	}
}

/* A tarpit delay is over: send the held reply, go on with buffered input. */
static void
worker_conn_wake(struct worker *w, struct worker_conn *c)
{
	if (worker_conn_flush(c) == -1) {
		worker_conn_finish(w, c, SMTP_END_RESET);
		return;
	}
	smtp_resume(c->smtp);
	worker_conn_io(w, c, 0);
}

/* Sessions waiting out a delay, idle too long or over their time. */
static void
worker_tick(struct worker *w, uint64_t now)
{
	struct worker_conn *c, *next;
	uint64_t idle;
	int tick = now >= w->next_tick;

	if (!tick && w->nheld == 0)
		return;
	for (c = w->conns; c != NULL; c = next) {
		next = c->next;
		if (c->held && smtp_held_until(c->smtp) <= now) {
			worker_conn_wake(w, c);
			continue;
		}
		if (!tick || c->held)
			continue;	/* a held session waits for us, not idle */
		if (c->tls != NULL && !c->tls_done && now >= c->tls_deadline) {
			log_info("%s tls limit handshake_timeout=%llums", c->id,
			    (unsigned long long)w->cf->tls_handshake_timeout);
			worker_tls_failed(c, "timeout", "handshake timeout");
			worker_conn_finish(w, c, SMTP_END_TIMEOUT);
			continue;
		}
		/* Over, and its last words not read: a client that does not
		 * read holds the session no longer than the grace, and its
		 * limit is not reached (and logged) again every tick. */
		if (c->ended_at != 0) {
			if (now - c->ended_at >= WORKER_END_GRACE_MS)
				worker_conn_finish(w, c, SMTP_END_NONE);
			continue;
		}
		idle = smtp_in_data(c->smtp) ? w->cf->data_timeout :
		    w->cf->command_timeout;
		/* input read after "now" was taken is not idle time */
		if (now > c->last_input && now - c->last_input >= idle) {
			log_info("%s smtp limit timeout idle=%llums", c->id,
			    (unsigned long long)(now - c->last_input));
			smtp_close(c->smtp, SMTP_END_TIMEOUT);
			worker_conn_io(w, c, 0);
		} else if (now - c->started >= w->cf->max_session_time) {
			log_info("%s smtp limit session_time", c->id);
			smtp_close(c->smtp, SMTP_END_LIMIT);
			worker_conn_io(w, c, 0);
		}
	}
	if (tick) {
		worker_resume_listeners(w);
		worker_retry_unfinished(w);
		w->next_tick = now + WORKER_TICK_MS;
	}
}

static void
worker_stop_accepting(struct worker *w)
{
	size_t i;

	if (!w->accepting)
		return;
	w->accepting = 0;
	for (i = 0; i < w->ctx->nlisten; i++) {
		if (!w->fd_paused)
			epoll_ctl(w->epfd, EPOLL_CTL_DEL, w->listeners[i].fd,
			    NULL);
		close(w->listeners[i].fd);
	}
}

/* Close every session now, as "shutdown". */
static void
worker_close_all(struct worker *w)
{
	struct worker_conn *c;

	while ((c = w->conns) != NULL) {
		smtp_close(c->smtp, SMTP_END_SHUTDOWN);
		worker_conn_flush(c);
		worker_conn_finish(w, c, SMTP_END_SHUTDOWN);
	}
}

static void
worker_check_signals(struct worker *w, uint64_t now)
{
	if (worker_sigterm) {
		worker_sigterm = 0;
		log_info("worker %d stopping: %u sessions, grace %llums",
		    (int)getpid(), w->nconns, (unsigned long long)w->cf->shutdown_grace);
		worker_stop_accepting(w);
		w->drain_deadline = now + w->cf->shutdown_grace;
		if (w->drain_deadline == 0)
			w->drain_deadline = 1;
	}
	if (worker_sigretire) {
		worker_sigretire = 0;
		log_info("worker %d retiring: %u sessions finish on their "
		    "own", (int)getpid(), w->nconns);
		worker_stop_accepting(w);
	}
	if (w->drain_deadline != 0 && now >= w->drain_deadline)
		worker_close_all(w);
}

static int
worker_timeout(struct worker *w, uint64_t now)
{
	struct worker_conn *c;
	uint64_t next = w->next_tick, h;

	for (c = w->conns; w->nheld > 0 && c != NULL; c = c->next) {
		h = smtp_held_until(c->smtp);
		if (c->held && h < next)
			next = h;
	}
	if (w->drain_deadline != 0 && w->drain_deadline < next)
		next = w->drain_deadline;
	if (w->dirty_head != NULL &&
	    w->dirty_head->dirty_at + WORKER_FLUSH_MS < next)
		next = w->dirty_head->dirty_at + WORKER_FLUSH_MS;
	return next <= now ? 0 : (int)(next - now);
}

/*
 * A listener bound to one address (not a wildcard): that is the server
 * address of every session it accepts, no getsockname per session.
 */
static void
worker_listener_addr(struct worker_listener *l)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	const struct sockaddr_in *sin = (const struct sockaddr_in *)&ss;
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&ss;

	l->bound = 0;
	if (getsockname(l->fd, (struct sockaddr *)&ss, &len) == -1)
		return;
	if (ss.ss_family == AF_INET && sin->sin_addr.s_addr == htonl(INADDR_ANY))
		return;
	if (ss.ss_family == AF_INET6 &&
	    IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr))
		return;
	if (ss.ss_family != AF_INET && ss.ss_family != AF_INET6)
		return;
	if (util_addr_text((struct sockaddr *)&ss, l->addr, sizeof(l->addr),
	    &l->port) == 0)
		l->bound = 1;
}

/*
 * A fault (a bug, reached by what some client sent): write every session's
 * buffered records, the input that did it among them, and die of the same
 * signal (SA_RESETHAND: the faulting instruction runs again, now with the
 * default action). The same signal sent by a process cannot be sent again
 * (no kill in the sandbox): the worker exits with 128 + its number. Only
 * where nothing else (a sanitizer) handles the signal already.
 */
static void
worker_on_fault(int sig, siginfo_t *si, void *uc)
{
	struct worker_conn *c;

	(void)uc;
	if (worker_self != NULL) {
		for (c = worker_self->conns; c != NULL; c = c->next)
			spool_write_now(c->spool);
		log_flush_now();
	}
	if (si == NULL || si->si_code <= 0)
		_exit(128 + sig);
}

static void
worker_fault_handlers(void)
{
	struct sigaction sa, old;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = worker_on_fault;
	sa.sa_flags = SA_RESETHAND | SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(worker_fault_signals) /
	    sizeof(worker_fault_signals[0]); i++)
		if (sigaction(worker_fault_signals[i], NULL, &old) == 0 &&
		    old.sa_handler == SIG_DFL && !(old.sa_flags & SA_SIGINFO))
			sigaction(worker_fault_signals[i], &sa, NULL);
}

/*
 * SCHED_BATCH: when a client's next line wakes a worker, the worker does
 * not preempt what runs on the CPU (another worker, the analyzer, MariaDB,
 * an administrator's shell); it runs at the next scheduling point, within
 * a few milliseconds. A worker serves many sessions at once and
 * gains nothing from preempting: woken at once it would find one line
 * ready, a moment later several. Measured (README, Performance): two
 * workers with a load generator on the same two cores switched three
 * times a message instead of once, and served 13 to 21 % fewer messages.
 * Not a privilege: any process may ask for it; the nice value stays as
 * configured.
 */
static void
worker_sched_batch(void)
{
	struct sched_param sp;

	/* already, from the start (the systemd unit sets it: its system
	 * call filter forbids sched_setscheduler) */
	if (sched_getscheduler(0) == SCHED_BATCH)
		return;
	memset(&sp, 0, sizeof(sp));
	if (sched_setscheduler(0, SCHED_BATCH, &sp) == -1)
		log_warn("worker %d: SCHED_BATCH", (int)getpid());
}

static void
worker_setup(struct worker *w, const struct worker_ctx *ctx)
{
	struct epoll_event ev;
	struct sigaction sa;
	size_t i;

	memset(w, 0, sizeof(*w));
	worker_sched_batch();
	w->ctx = ctx;
	w->cf = ctx->cf;
	w->accepting = 1;
	w->lifeline_tag = WT_LIFELINE;
	if ((w->epfd = epoll_create1(EPOLL_CLOEXEC)) == -1)
		fatal("epoll_create1");
	if ((w->rbuf = malloc(WORKER_READ_SIZE)) == NULL ||
	    (w->pbuf = malloc(WORKER_PLAIN_SIZE)) == NULL ||
	    (w->listeners = calloc(ctx->nlisten, sizeof(*w->listeners))) ==
	    NULL)
		fatal("malloc");
	if (spool_set_writer(ctx->spool_fd, getpid()) == -1)
		log_warn("worker %d: cannot make spool/tmp/%d/, writing in "
		    "spool/tmp/", (int)getpid(), (int)getpid());
	for (i = 0; i < ctx->nlisten; i++) {
		w->listeners[i].tag = WT_LISTENER;
		w->listeners[i].fd = ctx->listen_fds[i];
		worker_listener_addr(&w->listeners[i]);
		w->listeners[i].tls = ctx->cf->listen[i].tls;
		memset(&ev, 0, sizeof(ev));
		/* One worker wakes per connection, not all of them. */
		ev.events = EPOLLIN | EPOLLEXCLUSIVE;
		ev.data.ptr = &w->listeners[i];
		if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, ctx->listen_fds[i],
		    &ev) == -1)
			fatal("epoll_ctl listener");
	}
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.ptr = &w->lifeline_tag;
	if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, ctx->lifeline_fd, &ev) == -1)
		fatal("epoll_ctl lifeline");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = worker_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGHUP, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	worker_self = w;
	worker_fault_handlers();
}

static void
worker_dispatch(struct worker *w, struct epoll_event *ev, uint64_t now)
{
	enum worker_tag *tag = ev->data.ptr;

	switch (*tag) {
	case WT_LISTENER:
		worker_accept(w, (struct worker_listener *)tag, now);
		break;
	case WT_LIFELINE:
		log_warnx("worker %d: parent gone, closing %u sessions",
		    (int)getpid(), w->nconns);
		worker_stop_accepting(w);
		worker_close_all(w);
		log_batch(0);
		_exit(0);
	case WT_CONN:
		worker_conn_io(w, (struct worker_conn *)tag, ev->events);
		break;
	}
}

void
worker_main(const struct worker_ctx *ctx)
{
	struct epoll_event events[WORKER_MAX_EVENTS];
	struct worker w;
	uint64_t now;
	int i, n;

	worker_setup(&w, ctx);
	sandbox_no_dumps(1);
	sandbox_worker(ctx->spool_fd, spool_writer_dir(),
	    ctx->sandbox_trap ? ctx->log_fd : -1);
	log_info("worker %d ready: %zu listeners", (int)getpid(), ctx->nlisten);
	/* The lines of a turn of the loop go to the parent together. */
	log_batch(1);
	for (;;) {
		now = util_now_ms();
		worker_check_signals(&w, now);
		if (!w.accepting && w.nconns == 0)
			break;
		worker_flush_due(&w, now);
		log_flush_now();
		n = epoll_wait(w.epfd, events, WORKER_MAX_EVENTS,
		    worker_timeout(&w, now));
		if (n == -1 && errno != EINTR)
			fatal("epoll_wait");
		now = util_now_ms();
		for (i = 0; i < n; i++)
			worker_dispatch(&w, &events[i], now);
		worker_tick(&w, now);
	}
	while (w.nunfinished > 0)
		spool_release(w.unfinished[--w.nunfinished]);
	log_batch(0);
	log_info("worker %d done", (int)getpid());
	/* _exit: nothing to flush, and exit handlers (a sanitizer's leak
	 * check among them) would make calls the sandbox forbids. */
	_exit(0);
}
