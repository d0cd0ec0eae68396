/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * tlsload.c: the TLS load client of make bench (bench/bench.sh, section
 * tls). Not part of spampot; built by bench.sh with -lssl -lcrypto.
 *
 *   tlsload rate PORT TOTAL CONCURRENCY
 *	TOTAL sessions of greeting, EHLO, STARTTLS, handshake, EHLO, QUIT
 *	against 127.0.0.1:PORT, CONCURRENCY at a time; prints
 *	"done N failed F ns T" (T: nanoseconds for all of them).
 *   tlsload idle PORT TOTAL CONCURRENCY HOLD
 *	TOTAL sessions that go as far as the EHLO after the handshake and
 *	then sit, CONCURRENCY of them being set up at a time; prints
 *	"held N failed F" once every one is held or failed, then holds
 *	them HOLD seconds (or until SIGTERM) and exits.
 *
 * One thread, non-blocking sockets, epoll: one small state machine per
 * session, so that 10,000 TLS sessions cost the client little. Session
 * n comes from 127.0.x.y (n spread over 250 × 250 addresses) so that a
 * per-address limit of the server does not apply; certificates are not
 * verified (the servers' are self-signed), TLS 1.3 and 1.2 are offered
 * as OpenSSL's defaults have them.
 */

#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

enum step {
	S_BANNER, S_EHLO1, S_STARTTLS, S_HANDSHAKE, S_EHLO2, S_QUIT,
	S_HELD, S_DONE
};

struct sess {
	int		 fd;
	enum step	 step;
	SSL		*ssl;
	const char	*out;		/* the command still to send */
	size_t		 outlen;
	char		 in[1024];	/* the reply so far (its last line) */
	size_t		 inlen;
};

static SSL_CTX	*ctx;
static int	 ep;
static int	 port;
static int	 idle_mode;
static long	 started, finished, failed, held, total;
static volatile sig_atomic_t stop;

static long long
tl_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void
tl_watch(struct sess *s, uint32_t ev, int op)
{
	struct epoll_event e;

	e.events = ev;
	e.data.ptr = s;
	if (epoll_ctl(ep, op, s->fd, &e) == -1) {
		perror("epoll_ctl");
		exit(2);
	}
}

static int	tl_start(void);

static void
tl_end(struct sess *s, int ok)
{
	if (s->ssl != NULL)
		SSL_free(s->ssl);
	close(s->fd);
	free(s);
	if (ok)
		finished++;
	else
		failed++;
	if (started < total)
		tl_start();
}

/* The next command of a step, and what is sent for it. */
static void
tl_send(struct sess *s, const char *cmd)
{
	s->out = cmd;
	s->outlen = strlen(cmd);
	s->inlen = 0;
}

/* A whole reply: its last line is "NNN " and ends in CRLF. */
static int
tl_reply_done(struct sess *s)
{
	char *p, *line = s->in;

	while ((p = memchr(line, '\n', s->inlen - (line - s->in))) != NULL) {
		if (p - line >= 4 && line[3] == ' ')
			return line[0] == '2' ? 1 : -1;
		line = p + 1;
	}
	/* keep only the unfinished line */
	if (line != s->in) {
		s->inlen -= line - s->in;
		memmove(s->in, line, s->inlen);
	}
	if (s->inlen == sizeof(s->in))
		return -1;
	return 0;
}

/* Read or write once: >0 done, 0 would block (ev set), -1 error. */
static int
tl_io(struct sess *s, int writing, uint32_t *ev)
{
	ssize_t n;
	int r;

	if (s->ssl == NULL || s->step < S_EHLO2) {
		if (writing)
			n = send(s->fd, s->out, s->outlen, MSG_NOSIGNAL);
		else
			n = recv(s->fd, s->in + s->inlen,
			    sizeof(s->in) - s->inlen, 0);
		if (n > 0)
			return (int)n;
		if (n == -1 && (errno == EAGAIN || errno == EINTR)) {
			*ev = writing ? EPOLLOUT : EPOLLIN;
			return 0;
		}
		return -1;
	}
	if (writing)
		r = SSL_write(s->ssl, s->out, (int)s->outlen);
	else
		r = SSL_read(s->ssl, s->in + s->inlen,
		    (int)(sizeof(s->in) - s->inlen));
	if (r > 0)
		return r;
	switch (SSL_get_error(s->ssl, r)) {
	case SSL_ERROR_WANT_READ:
		*ev = EPOLLIN;
		return 0;
	case SSL_ERROR_WANT_WRITE:
		*ev = EPOLLOUT;
		return 0;
	}
	return -1;
}

/* Advance a session as far as it goes without blocking. */
static void
tl_run(struct sess *s)
{
	uint32_t ev = 0;
	int n, r;

	for (;;) {
		if (s->step == S_HANDSHAKE) {
			r = SSL_connect(s->ssl);
			if (r == 1) {
				s->step = S_EHLO2;
				tl_send(s, "EHLO client.bench.test\r\n");
				continue;
			}
			switch (SSL_get_error(s->ssl, r)) {
			case SSL_ERROR_WANT_READ:
				ev = EPOLLIN;
				break;
			case SSL_ERROR_WANT_WRITE:
				ev = EPOLLOUT;
				break;
			default:
				goto fail;
			}
			break;
		}
		if (s->step == S_HELD) {
			ev = EPOLLIN;	/* a close by the server is seen */
			n = tl_io(s, 0, &ev);
			if (n != 0)
				goto fail;
			break;
		}
		if (s->outlen > 0) {
			if ((n = tl_io(s, 1, &ev)) < 0)
				goto fail;
			if (n == 0)
				break;
			s->out += n;
			s->outlen -= n;
			continue;
		}
		if ((n = tl_io(s, 0, &ev)) < 0)
			goto fail;
		if (n == 0)
			break;
		s->inlen += n;
		if ((r = tl_reply_done(s)) < 0)
			goto fail;
		if (r == 0)
			continue;
		switch (s->step) {
		case S_BANNER:
			s->step = S_EHLO1;
			tl_send(s, "EHLO client.bench.test\r\n");
			break;
		case S_EHLO1:
			s->step = S_STARTTLS;
			tl_send(s, "STARTTLS\r\n");
			break;
		case S_STARTTLS:
			if ((s->ssl = SSL_new(ctx)) == NULL ||
			    SSL_set_fd(s->ssl, s->fd) != 1)
				goto fail;
			SSL_set_tlsext_host_name(s->ssl, "mx.bench.test");
			s->step = S_HANDSHAKE;
			break;
		case S_EHLO2:
			if (idle_mode) {
				s->step = S_HELD;
				s->inlen = 0;
				held++;
				if (started < total)
					tl_start();
				break;
			}
			s->step = S_QUIT;
			tl_send(s, "QUIT\r\n");
			break;
		case S_QUIT:
			tl_end(s, 1);
			return;
		default:
			goto fail;
		}
	}
	tl_watch(s, ev, EPOLL_CTL_MOD);
	return;
fail:
	if (s->step == S_HELD)
		held--;
	tl_end(s, 0);
}

static int
tl_start(void)
{
	struct sockaddr_in src, dst;
	struct sess *s;
	long n = started++;
	int one = 1;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return -1;
	s->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (s->fd == -1) {
		perror("socket");
		exit(2);
	}
	memset(&src, 0, sizeof(src));
	src.sin_family = AF_INET;
	src.sin_addr.s_addr = htonl(0x7f000000u |
	    (uint32_t)(n / 250 % 250 + 1) << 8 | (uint32_t)(n % 250 + 1));
	memset(&dst, 0, sizeof(dst));
	dst.sin_family = AF_INET;
	dst.sin_port = htons((uint16_t)port);
	dst.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(s->fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one,
	    sizeof(one));
	if (bind(s->fd, (struct sockaddr *)&src, sizeof(src)) == -1 ||
	    (connect(s->fd, (struct sockaddr *)&dst, sizeof(dst)) == -1 &&
	    errno != EINPROGRESS)) {
		close(s->fd);
		free(s);
		failed++;
		return -1;
	}
	s->step = S_BANNER;
	tl_watch(s, EPOLLIN, EPOLL_CTL_ADD);
	return 0;
}

static void
tl_stop(int sig)
{
	(void)sig;
	stop = 1;
}

int
main(int argc, char *argv[])
{
	struct epoll_event evs[256];
	struct rlimit rl;
	long long t0, t1, deadline = 0;
	long conc, i;
	int n, hold = 0;

	if (argc < 5 || (strcmp(argv[1], "rate") != 0 &&
	    strcmp(argv[1], "idle") != 0) ||
	    (strcmp(argv[1], "idle") == 0 && argc != 6)) {
		fprintf(stderr, "usage: tlsload rate PORT TOTAL CONC\n"
		    "       tlsload idle PORT TOTAL CONC HOLD\n");
		return 2;
	}
	idle_mode = strcmp(argv[1], "idle") == 0;
	port = atoi(argv[2]);
	total = atol(argv[3]);
	conc = atol(argv[4]);
	if (idle_mode)
		hold = atoi(argv[5]);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, tl_stop);
	signal(SIGINT, tl_stop);
	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL)
		return 2;
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	if ((ep = epoll_create1(0)) == -1)
		return 2;
	t0 = tl_now();
	for (i = 0; i < conc && started < total; i++)
		tl_start();
	while (!stop) {
		if (!idle_mode && finished + failed >= total)
			break;
		if (idle_mode && deadline == 0 && held + failed >= total) {
			printf("held %ld failed %ld\n", held, failed);
			fflush(stdout);
			deadline = tl_now() + (long long)hold * 1000000000LL;
		}
		if (deadline != 0 && tl_now() >= deadline)
			break;
		n = epoll_wait(ep, evs, 256, 1000);
		for (i = 0; i < n; i++)
			tl_run(evs[i].data.ptr);
	}
	t1 = tl_now();
	if (!idle_mode)
		printf("done %ld failed %ld ns %lld\n", finished, failed,
		    t1 - t0);
	else if (deadline == 0)
		printf("held %ld failed %ld (interrupted)\n", held, failed);
	return 0;
}
