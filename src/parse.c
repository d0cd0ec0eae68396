/*
 * parse: the analyzer's reading side of an import. A spool file is read
 * whole, parsed (spool_read.c), each message walked (mime.c) and counted
 * (extract.c); the store gets the result. Runs in the analyzer, which is
 * unprivileged and under its seccomp deny-list (sandbox.c), which lets it
 * make threads (clone with CLONE_THREAD) and nothing else.
 *
 * The parse-ahead: one thread parses the next files of a list while the
 * analyzer's main thread stores, commits and moves the previous ones, so
 * that the time spent waiting for the database is not also time without
 * parsing. It only reads: every decision about a file (bad/, wait in new/,
 * imported before) stays with the main thread, which takes the results in
 * the order of the list. What each thread may touch:
 *
 *   the parse thread  GMime and GLib (g_mime_init was called before it
 *                     started; nothing else in the analyzer uses them),
 *                     the PCRE2 patterns with their one match context and
 *                     JIT stack (extract_message makes its match data per
 *                     call), libpsl, the file's bytes and the result it
 *                     makes, until it hands it over
 *   the main thread   the database, the moves, the logs, the event log,
 *                     the quarantine, and each result once handed over
 *   both, locked      the queue below: the list, its cursors and the ring
 *                     of results; nothing else is shared
 *
 * The thread is made after the sandbox is in place, so that the filter
 * applies to it (a filter binds only the threads made after it).
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "extract.h"
#include "log.h"
#include "mime.h"
#include "parse.h"

#define PARSE_FILE_MAX		((off_t)4 << 30)	/* larger: bad/ */
/* How far ahead: results waiting, and the bytes of their files (one file
 * is always let through, whatever its size). Enough to keep parsing while
 * a batch of ANALYZER_BATCH_FILES is committed. */
#define PARSE_AHEAD_FILES	128
#define PARSE_AHEAD_BYTES	((size_t)64 << 20)
/* Deep MIME nesting recurses: the stack a main thread has. */
#define PARSE_STACK		((size_t)8 << 20)

struct parse_ahead {
	int				 dirfd;
	const struct extract_patterns	*patterns;
	int				 threaded;
	pthread_t			 thread;
	pthread_mutex_t			 lock;
	pthread_cond_t			 work;	/* to the thread */
	pthread_cond_t			 ready;	/* to the main thread */
	/* under lock: */
	const char *const		*names;
	size_t				 n;
	size_t				 next_parse;	/* names[] index */
	size_t				 next_take;	/* names[] index */
	unsigned			 list;		/* bumped by parse_end */
	int				 busy;		/* parsing a name */
	int				 quit;
	struct parse_file		 ring[PARSE_AHEAD_FILES];
	size_t				 head, count, bytes;
};

/* Read a whole spool file; NULL and errno/err on failure. */
static char *
parse_slurp(int dirfd, const char *name, size_t *len, char *err,
    size_t errlen)
{
	struct stat st;
	char *data = NULL;
	size_t got = 0;
	ssize_t n;
	int fd, saved;

	/* O_NONBLOCK: a FIFO dropped into new/ must not hang us */
	if ((fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "open: %s", strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size > PARSE_FILE_MAX) {
		snprintf(err, errlen, "not a regular file of at most 4 GiB");
		errno = EINVAL;
		goto fail;
	}
	if ((data = malloc((size_t)st.st_size + 1)) == NULL) {
		snprintf(err, errlen, "out of memory");
		errno = ENOMEM;
		goto fail;
	}
	while (got < (size_t)st.st_size &&
	    (n = read(fd, data + got, (size_t)st.st_size - got)) != 0) {
		if (n == -1) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "read: %s", strerror(errno));
			errno = EIO;
			goto fail;
		}
		got += (size_t)n;
	}
	close(fd);
	*len = got;
	return data;
fail:
	saved = errno;
	free(data);
	close(fd);
	errno = saved;
	return NULL;
}

/* MIME and extraction for every message of f->s. */
static int
parse_messages(const struct extract_patterns *patterns, struct parse_file *f)
{
	size_t i, n = f->s.nmsgs;

	f->mime = calloc(n + 1, sizeof(*f->mime));
	f->found = calloc(n + 1, sizeof(*f->found));
	f->sm = calloc(n + 1, sizeof(*f->sm));
	if (f->mime == NULL || f->found == NULL || f->sm == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		if (mime_parse(f->s.msgs[i].body, f->s.msgs[i].body_len,
		    &f->mime[i]) == -1 ||
		    extract_message(&f->mime[i], patterns, &f->found[i]) == -1)
			return -1;
		f->sm[i].mime = &f->mime[i];
		f->sm[i].found = &f->found[i];
	}
	return 0;
}

/* Returns 0 for PARSE_OK, else -1 with f->status and f->err saying why. */
int
parse_file(int dirfd, const char *name,
    const struct extract_patterns *patterns, struct parse_file *f)
{
	size_t len;
	char *data;
	int rc;

	memset(f, 0, sizeof(*f));
	if ((data = parse_slurp(dirfd, name, &len, f->err,
	    sizeof(f->err))) == NULL) {
		if (errno == ENOENT)
			f->status = PARSE_GONE;
		else if (errno == EACCES || errno == EPERM || errno == EMFILE ||
		    errno == ENFILE || errno == ENOMEM)
			f->status = PARSE_UNREADABLE;
		else
			f->status = PARSE_BAD;
		return -1;
	}
	f->bytes = len;
	rc = spool_read(data, len, &f->s, f->err, sizeof(f->err));
	free(data);
	if (rc == -1) {
		memset(&f->s, 0, sizeof(f->s));
		f->status = PARSE_BAD;
		return -1;
	}
	if (parse_messages(patterns, f) == -1) {
		parse_file_free(f);
		f->status = PARSE_NOMEM;
		snprintf(f->err, sizeof(f->err), "out of memory");
		return -1;
	}
	f->status = PARSE_OK;
	return 0;
}

void
parse_file_free(struct parse_file *f)
{
	size_t i;

	for (i = 0; f->mime != NULL && f->found != NULL && i < f->s.nmsgs;
	    i++) {
		mime_message_free(&f->mime[i]);
		extract_result_free(&f->found[i]);
	}
	free(f->mime);
	free(f->found);
	free(f->sm);
	f->mime = NULL;
	f->found = NULL;
	f->sm = NULL;
	spool_session_free(&f->s);
	memset(&f->s, 0, sizeof(f->s));
}

/* --- the parse-ahead ------------------------------------------------- */

/* Under lock: may the thread parse the next name? */
static int
parse_has_work(const struct parse_ahead *q)
{
	return q->names != NULL && q->next_parse < q->n &&
	    q->count < PARSE_AHEAD_FILES &&
	    (q->count == 0 || q->bytes < PARSE_AHEAD_BYTES);
}

static void *
parse_thread(void *arg)
{
	struct parse_ahead *q = arg;
	struct parse_file f;
	const char *name;
	unsigned list;

	pthread_mutex_lock(&q->lock);
	for (;;) {
		while (!q->quit && !parse_has_work(q))
			pthread_cond_wait(&q->work, &q->lock);
		if (q->quit)
			break;
		name = q->names[q->next_parse++];
		list = q->list;
		q->busy = 1;
		pthread_mutex_unlock(&q->lock);

		(void)parse_file(q->dirfd, name, q->patterns, &f);

		pthread_mutex_lock(&q->lock);
		q->busy = 0;
		if (list != q->list) {
			/* parse_end came meanwhile: nobody takes it */
			parse_file_free(&f);
		} else {
			q->ring[(q->head + q->count) % PARSE_AHEAD_FILES] = f;
			q->count++;
			q->bytes += f.bytes;
		}
		pthread_cond_broadcast(&q->ready);
	}
	pthread_mutex_unlock(&q->lock);
	return NULL;
}

struct parse_ahead *
parse_start(int dirfd, const struct extract_patterns *patterns)
{
	struct parse_ahead *q;
	pthread_attr_t attr;
	sigset_t all, old;
	int rc;

	if ((q = calloc(1, sizeof(*q))) == NULL)
		return NULL;
	q->dirfd = dirfd;
	q->patterns = patterns;
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->work, NULL);
	pthread_cond_init(&q->ready, NULL);
	/* signals are the main thread's (signalfd): none for this one */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, PARSE_STACK);
	rc = pthread_create(&q->thread, &attr, parse_thread, q);
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0)
		log_warnx("no parse-ahead thread: %s; parsing and storing "
		    "take turns", strerror(rc));
	q->threaded = rc == 0;
	return q;
}

void
parse_stop(struct parse_ahead *q)
{
	if (q == NULL)
		return;
	parse_end(q);
	if (q->threaded) {
		pthread_mutex_lock(&q->lock);
		q->quit = 1;
		pthread_cond_signal(&q->work);
		pthread_mutex_unlock(&q->lock);
		pthread_join(q->thread, NULL);
	}
	pthread_cond_destroy(&q->ready);
	pthread_cond_destroy(&q->work);
	pthread_mutex_destroy(&q->lock);
	free(q);
}

void
parse_begin(struct parse_ahead *q, const char *const *names, size_t n)
{
	parse_end(q);
	pthread_mutex_lock(&q->lock);
	q->names = names;
	q->n = n;
	q->next_parse = q->next_take = 0;
	pthread_cond_signal(&q->work);
	pthread_mutex_unlock(&q->lock);
}

/* The next name's result, in the order of the list. Calling it more often
 * than the list has names is a bug. */
void
parse_next(struct parse_ahead *q, struct parse_file *f)
{
	const char *name;

	pthread_mutex_lock(&q->lock);
	if (q->names == NULL || q->next_take >= q->n)
		fatalx("parse_next past the end of the list");
	if (!q->threaded) {
		name = q->names[q->next_take++];
		pthread_mutex_unlock(&q->lock);
		(void)parse_file(q->dirfd, name, q->patterns, f);
		return;
	}
	while (q->count == 0)
		pthread_cond_wait(&q->ready, &q->lock);
	*f = q->ring[q->head];
	q->head = (q->head + 1) % PARSE_AHEAD_FILES;
	q->count--;
	q->bytes -= f->bytes;
	q->next_take++;
	pthread_cond_signal(&q->work);
	pthread_mutex_unlock(&q->lock);
}

/* Drop what is parsed but not taken; after it the thread holds no name
 * of the list, which the caller may free. */
void
parse_end(struct parse_ahead *q)
{
	pthread_mutex_lock(&q->lock);
	q->list++;
	q->names = NULL;
	q->n = 0;
	while (q->busy)
		pthread_cond_wait(&q->ready, &q->lock);
	while (q->count > 0) {
		parse_file_free(&q->ring[q->head]);
		q->bytes -= q->ring[q->head].bytes;
		q->head = (q->head + 1) % PARSE_AHEAD_FILES;
		q->count--;
	}
	q->head = 0;
	pthread_mutex_unlock(&q->lock);
}
