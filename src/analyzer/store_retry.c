/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * store_retry: a transaction that lost a conflict with another writer
 * (another analyzer on the same database, another node of a Galera
 * cluster) is sent again, whole, on the same connection, after a
 * randomised exponential back-off. A deadlock, a lock wait that timed
 * out or a certification failure is the normal cost of writers that
 * share rows (the running totals, the counted values): the server rolls
 * the transaction back, and the same rows sent again a moment later go
 * in. Only when STORE_RETRY_TRIES tries have failed is it an outage
 * (STORE_RETRY: the files wait in new/ for a new connection).
 *
 * Whoever tries must be able to send the same rows again: a batch keeps
 * its queued rows and reads the ids of its rows back at each try
 * (store.c, store_ids.c); the rebuild of the campaigns starts over from
 * an empty index (store_campaign.c).
 *
 * Run by spampot-analyzer, unprivileged, under its seccomp filter: on
 * the commit thread for a batch, on the main thread otherwise. The
 * back-off sleeps on the thread that tries; nothing else waits for the
 * connection meanwhile.
 */
#include "autoconf.h"

#include <sys/random.h>

#include <mysql.h>
#include <mysqld_error.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store.h"
#include "store_int.h"

/* Does the server's error CODE say that the transaction lost a conflict
 * with another writer, and that the same transaction may go in if sent
 * again? */
int
store_retry_conflict(unsigned int code)
{
	switch (code) {
	case ER_LOCK_DEADLOCK:		/* and Galera's certification failure */
	case ER_LOCK_WAIT_TIMEOUT:
	case ER_UNKNOWN_COM_ERROR:	/* Galera: node not ready (WSREP) */
	case ER_CHECKREAD:		/* record changed since last read */
		return 1;
	default:
		return 0;
	}
}

/* What a conflict's error is called in the log. */
static const char *
store_retry_name(unsigned int code)
{
	switch (code) {
	case ER_LOCK_DEADLOCK:
		return "deadlock";
	case ER_LOCK_WAIT_TIMEOUT:
		return "lock wait timeout";
	case ER_UNKNOWN_COM_ERROR:
		return "node not ready";
	case ER_CHECKREAD:
		return "record changed";
	default:
		return "conflict";
	}
}

const char *
store_retry_text(const struct store_tries *t, char *buf, size_t len)
{
	size_t i, at = 0;
	int n;

	buf[0] = '\0';
	for (i = 0; i < t->ncodes && at < len; i++) {
		n = snprintf(buf + at, len - at, "%s%s (%u)", i ? ", " : "",
		    store_retry_name(t->code[i]), t->code[i]);
		if (n < 0)
			break;
		at += (size_t)n;
	}
	return buf;
}

/* One more conflict with error CODE: counted, its error noted once. */
static void
store_retry_note(struct store_tries *t, unsigned int code)
{
	unsigned int i;

	t->conflicts++;
	for (i = 0; i < t->ncodes && t->code[i] != code; i++)
		;
	if (i == t->ncodes && i < STORE_CONFLICT_KINDS)
		t->code[t->ncodes++] = code;
}

/* A seed of the back-off's randomness: writers that collided must not
 * wait the same time and collide again. */
uint64_t
store_retry_seed(void)
{
	uint64_t seed;
	struct timespec ts;

	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) == sizeof(seed) &&
	    seed != 0)
		return seed;
	clock_gettime(CLOCK_REALTIME, &ts);
	seed = (uint64_t)ts.tv_nsec ^ (uint64_t)ts.tv_sec << 20 ^
	    (uint64_t)getpid() << 40;
	return seed != 0 ? seed : 1;
}

/* xorshift64*: plenty for a jitter. */
static uint64_t
store_retry_random(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dULL;
}

/*
 * The wait in ms after the FAILED-th failed try: STORE_RETRY_MIN_MS
 * doubled at each failure, at most STORE_RETRY_MAX_MS; half of it fixed,
 * the other half at random.
 */
unsigned int
store_retry_backoff(uint64_t *rng, unsigned int failed)
{
	unsigned int ms = STORE_RETRY_MIN_MS;

	while (failed-- > 1 && ms < STORE_RETRY_MAX_MS)
		ms *= 2;
	if (ms > STORE_RETRY_MAX_MS)
		ms = STORE_RETRY_MAX_MS;
	return ms / 2 + (unsigned int)(store_retry_random(rng) %
	    (ms - ms / 2 + 1));
}

static void
store_retry_sleep(unsigned int ms)
{
	struct timespec ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/*
 * FN's transaction, tried again after each conflict, at most
 * STORE_RETRY_TRIES times. FN returns 0 (committed), or -1 with err and
 * the server's error in *code (0: none), its transaction rolled back.
 * *t: how many tries, how many lost to a conflict, and their errors.
 * 0, or FN's -1.
 */
int
store_retry_run(struct store *st, store_try_fn fn, void *arg,
    struct store_tries *t, char *err, size_t errlen)
{
	unsigned int code;

	memset(t, 0, sizeof(*t));
	for (;;) {
		code = 0;
		t->tries++;
		if (fn(st, arg, &code, err, errlen) == 0)
			return 0;
		if (!store_retry_conflict(code))
			return -1;
		store_retry_note(t, code);
		if (t->tries >= STORE_RETRY_TRIES)
			return -1;
		store_retry_sleep(store_retry_backoff(&st->rng, t->tries));
	}
}
