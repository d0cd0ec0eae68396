/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * mover: once a batch is committed, its files leave new/: renamed into
 * done/, or removed with spool_keep = no. A rename costs the directory's
 * lock and a journal entry; done here, on a thread of its own, the
 * analyzer's main thread goes on with the next batch meanwhile. Runs in
 * the analyzer (unprivileged, seccomp deny-list; made after the sandbox,
 * so that the filter binds it).
 *
 * Only names cross between the threads, copied, under the lock. The main
 * thread waits for the queue to be empty (mover_wait) before it looks at
 * new/ again, so that no file it reads is one still to be moved: a file
 * already imported is never seen, and imported, twice.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "mover.h"
#include "spoolfmt.h"

#define MOVER_QUEUE	1024

struct mover {
	int		 spool_fd;
	int		 new_fd;
	int		 keep;		/* to done/, or removed */
	int		 threaded;
	pthread_t	 thread;
	pthread_mutex_t	 lock;
	pthread_cond_t	 work;		/* to the thread */
	pthread_cond_t	 done;		/* to the main thread */
	/* under lock: */
	char		 names[MOVER_QUEUE][SPOOL_NAME_MAX];
	size_t		 head, count;	/* names[head] is being moved */
	int		 quit;
};

static void
mover_one(const struct mover *m, const char *name)
{
	char to[SPOOL_NAME_MAX + 16];

	if (!m->keep) {
		if (unlinkat(m->new_fd, name, 0) == -1)
			log_warn("cannot remove new/%s", name);
		return;
	}
	snprintf(to, sizeof(to), "done/%s", name);
	if (renameat(m->new_fd, name, m->spool_fd, to) == -1)
		log_warn("cannot move new/%s to done/", name);
}

static void *
mover_thread(void *arg)
{
	struct mover *m = arg;
	char name[SPOOL_NAME_MAX];

	pthread_mutex_lock(&m->lock);
	for (;;) {
		while (!m->quit && m->count == 0)
			pthread_cond_wait(&m->work, &m->lock);
		if (m->count == 0)
			break;		/* quit, and nothing left */
		memcpy(name, m->names[m->head], sizeof(name));
		pthread_mutex_unlock(&m->lock);

		mover_one(m, name);

		pthread_mutex_lock(&m->lock);
		m->head = (m->head + 1) % MOVER_QUEUE;
		m->count--;
		pthread_cond_broadcast(&m->done);
	}
	pthread_mutex_unlock(&m->lock);
	return NULL;
}

struct mover *
mover_start(int spool_fd, int new_fd, int keep)
{
	struct mover *m;
	sigset_t all, old;
	int rc;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	m->spool_fd = spool_fd;
	m->new_fd = new_fd;
	m->keep = keep;
	pthread_mutex_init(&m->lock, NULL);
	pthread_cond_init(&m->work, NULL);
	pthread_cond_init(&m->done, NULL);
	/* signals are the main thread's (signalfd): none for this one */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&m->thread, NULL, mover_thread, m);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0)
		log_warnx("no thread for moving files: %s; moved in turn",
		    strerror(rc));
	m->threaded = rc == 0;
	return m;
}

void
mover_stop(struct mover *m)
{
	if (m == NULL)
		return;
	if (m->threaded) {
		pthread_mutex_lock(&m->lock);
		m->quit = 1;
		pthread_cond_signal(&m->work);
		pthread_mutex_unlock(&m->lock);
		/* it moves what is queued before it ends */
		pthread_join(m->thread, NULL);
	}
	pthread_cond_destroy(&m->done);
	pthread_cond_destroy(&m->work);
	pthread_mutex_destroy(&m->lock);
	free(m);
}

void
mover_add(struct mover *m, const char *name)
{
	if (!m->threaded) {
		mover_one(m, name);
		return;
	}
	pthread_mutex_lock(&m->lock);
	while (m->count == MOVER_QUEUE)
		pthread_cond_wait(&m->done, &m->lock);
	snprintf(m->names[(m->head + m->count) % MOVER_QUEUE], SPOOL_NAME_MAX,
	    "%s", name);
	m->count++;
	pthread_cond_signal(&m->work);
	pthread_mutex_unlock(&m->lock);
}

void
mover_wait(struct mover *m)
{
	if (!m->threaded)
		return;
	pthread_mutex_lock(&m->lock);
	while (m->count > 0)
		pthread_cond_wait(&m->done, &m->lock);
	pthread_mutex_unlock(&m->lock);
}
