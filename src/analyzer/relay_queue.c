/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * relay_queue: decisions, their log lines and the probes' queue files
 * (relay_queue.h). Runs in spampot-analyzer, unprivileged, under its
 * deny-list. relay_dir's tree was made as root at start (relayq_prepare).
 *
 * A probe's file is written and synced in tmp/ when its message is
 * imported, and renamed into new/ only after the batch that holds its
 * decision is committed: a batch rolled back leaves no file for
 * spampot-relay, and a file imported again writes the same name. A
 * crash between the commit and the rename leaves the file in tmp/, where
 * it is removed at the next start: a probe may be lost, never sent twice.
 */
#include "autoconf.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "conf.h"
#include "import.h"
#include "log.h"
#include "mime.h"
#include "received.h"
#include "relay_decide.h"
#include "relay_queue.h"
#include "relayq.h"
#include "spool_read.h"
#include "spoolfmt.h"
#include "store.h"
#include "util.h"

struct relay_queue {
	const struct config	*cf;
	struct relay_limits	*limits;
	int			 loaded;
	int			 tmp_fd, new_fd, cur_fd, done_fd;	/* on */
	uint64_t		 outcomes_at;	/* last look at done/ */
	size_t			 pending;	/* in tmp/, not yet released */
	struct relay_decision	*d;
	size_t			 cap;
};

static int
relay_queue_subdir(const struct config *cf, const char *sub)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", cf->relay_dir, sub);
	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		fatal("relay queue %s", path);
	return fd;
}

/* Files left in tmp/ by a crash: their decisions may be committed or
 * not; none is sent (at most once). */
static void
relay_queue_sweep(struct relay_queue *rq)
{
	struct dirent *de;
	DIR *d;

	if ((d = util_opendir_at(rq->tmp_fd)) == NULL)
		return;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.' && unlinkat(rq->tmp_fd, de->d_name,
		    0) == 0)
			log_warnx("relay: %s was not queued (the analyzer "
			    "stopped before its commit); removed", de->d_name);
	closedir(d);
}

struct relay_queue *
relay_queue_open(const struct config *cf)
{
	struct relay_queue *rq;

	if (cf->relay_mode == CONF_RELAY_OFF)
		return NULL;
	if ((rq = calloc(1, sizeof(*rq))) == NULL ||
	    (rq->limits = relay_limits_new(cf)) == NULL)
		fatal("relay");
	rq->cf = cf;
	rq->tmp_fd = rq->new_fd = rq->cur_fd = rq->done_fd = -1;
	if (cf->relay_mode == CONF_RELAY_ON) {
		rq->tmp_fd = relay_queue_subdir(cf, "tmp");
		rq->new_fd = relay_queue_subdir(cf, "new");
		rq->cur_fd = relay_queue_subdir(cf, "cur");
		rq->done_fd = relay_queue_subdir(cf, "done");
		relay_queue_sweep(rq);
	}
	return rq;
}

void
relay_queue_close(struct relay_queue *rq)
{
	if (rq == NULL)
		return;
	if (rq->tmp_fd != -1)
		close(rq->tmp_fd);
	if (rq->new_fd != -1)
		close(rq->new_fd);
	if (rq->cur_fd != -1)
		close(rq->cur_fd);
	if (rq->done_fd != -1)
		close(rq->done_fd);
	relay_limits_free(rq->limits);
	free(rq->d);
	free(rq);
}

int
relay_queue_load(struct relay_queue *rq, struct store *st)
{
	const struct config *cf = rq->cf;
	long horizon = (long)(cf->relay_recipient_cooldown / 1000);
	char err[512];

	if (rq->loaded)
		return 0;
	if (horizon < 86400)
		horizon = 86400;
	if (store_relay_history(st, rq->limits, cf->relay_mode ==
	    CONF_RELAY_ON ? "relay" : "dry-run", horizon, err,
	    sizeof(err)) == -1) {
		log_warnx("relay: cannot read the limits' history: %s", err);
		return -1;
	}
	rq->loaded = 1;
	return 0;
}

static size_t
relay_queue_count(int dirfd)
{
	struct dirent *de;
	size_t n = 0;
	DIR *d;

	if ((d = util_opendir_at(dirfd)) == NULL)
		return SIZE_MAX;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* Probes spampot-relay has yet to finish: new/ and cur/, and those of
 * the batches not yet committed. Asked only of a probe no other limit
 * refused. */
static size_t
relay_queue_waiting(void *arg)
{
	const struct relay_queue *rq = arg;

	size_t a = relay_queue_count(rq->new_fd);
	size_t b = relay_queue_count(rq->cur_fd);

	return a == SIZE_MAX || b == SIZE_MAX ? SIZE_MAX :
	    a + b + rq->pending;
}

/* A spool time ("2026-11-26T16:11:16.123456Z") as a time_t. */
static time_t
relay_queue_time(const char *iso)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (strptime(iso, "%Y-%m-%dT%H:%M:%S", &tm) == NULL)
		return time(NULL);
	return timegm(&tm);
}

/* The bytes DATA is to send: the persona's Received line, then the
 * message as captured. */
static int
relay_queue_data(const struct config *cf, const struct spool_session *s,
    const struct spool_message *m, const char *rcpt, struct buf *out)
{
	struct received_fields rf;
	char helo[256], from[RELAYQ_ADDR_MAX];
	size_t n;

	n = s->helo.len < sizeof(helo) ? s->helo.len : sizeof(helo) - 1;
	memcpy(helo, s->helo.p ? s->helo.p : "", n);
	helo[n] = '\0';
	n = m->from.len < sizeof(from) ? m->from.len : sizeof(from) - 1;
	memcpy(from, m->from.p ? m->from.p : "", n);
	from[n] = '\0';
	rf.host = cf->hostname;
	rf.helo = helo[0] ? helo : "unknown";
	rf.addr = s->client_ip;
	rf.queue_id = m->queue_id;
	rf.from = from;
	rf.rcpt = rcpt;
	rf.when = relay_queue_time(s->end);
	if (received_line(out, cf->persona, &rf) == -1)
		return -1;
	return buf_append(out, m->body ? m->body : (const unsigned char *)"",
	    m->body_len);
}

/* The queue file of probe ID, written and synced in tmp/. */
static int
relay_queue_write(struct relay_queue *rq, const struct spool_session *s,
    const struct relay_decision *d, const char *id)
{
	const struct spool_message *m = &s->msgs[0];
	struct relayq_item it;
	struct buf data = { 0 }, file = { 0 };
	size_t n;
	int fd = -1, rc = -1;

	memset(&it, 0, sizeof(it));
	snprintf(it.id, sizeof(it.id), "%s", id);
	snprintf(it.rule, sizeof(it.rule), "%s", d->rule);
	snprintf(it.client, sizeof(it.client), "%s", s->client_ip);
	n = m->from.len < sizeof(it.from) ? m->from.len : sizeof(it.from) - 1;
	memcpy(it.from, m->from.p ? m->from.p : "", n);
	snprintf(it.rcpt, sizeof(it.rcpt), "%s", d->rcpt);
	if (relay_queue_data(rq->cf, s, m, d->rcpt, &data) == -1)
		goto out;
	it.data = (const unsigned char *)data.data;
	it.size = data.len;
	if (relayq_write(&file, &it) == -1)
		goto out;
	if ((fd = openat(rq->tmp_fd, id, O_WRONLY | O_CREAT | O_TRUNC |
	    O_CLOEXEC | O_NOFOLLOW, 0644)) == -1 ||
	    write(fd, file.data, file.len) != (ssize_t)file.len ||
	    fsync(fd) == -1)
		goto out;
	rc = 0;
out:
	if (rc == -1)
		log_warn("relay: cannot write %s/tmp/%s", rq->cf->relay_dir,
		    id);
	if (fd != -1)
		close(fd);
	buf_release(&data);
	buf_release(&file);
	return rc;
}

static void
relay_queue_log(const char *name, const struct spool_message *m,
    const struct relay_decision *d)
{
	char esc[SPOOLFMT_ESCAPED_MAX(255)], file[SPOOLFMT_ESCAPED_MAX(255)];

	spoolfmt_escape(esc, sizeof(esc), d->rcpt, strlen(d->rcpt),
	    SPOOLFMT_ESC_SPACE);
	spoolfmt_escape(file, sizeof(file), name, strlen(name),
	    SPOOLFMT_ESC_SPACE);
	log_info("relay decision: %s message=%u verdict=%s%s%s%s%s rcpt=%s%s%s",
	    file, m->n, d->verdict, d->rule ? " rule=" : "",
	    d->rule ? d->rule : "", d->reason ? (strcmp(d->verdict,
	    "refused") == 0 ? " limit=" : " reason=") : "",
	    d->reason ? d->reason : "", esc[0] ? esc : "-",
	    d->queue_id[0] ? " queue_id=" : "", d->queue_id);
}

const struct relay_decision *
relay_queue_decide(struct relay_queue *rq, const char *name,
    const struct import_file *f, const struct parsed_campaign *pc, char *id,
    size_t idlen)
{
	const struct spool_session *s = &f->s;
	struct relay_decision *d;
	size_t i;

	id[0] = '\0';
	if (s->nmsgs > rq->cap) {
		if ((d = reallocarray(rq->d, s->nmsgs, sizeof(*d))) == NULL)
			return NULL;
		rq->d = d;
		rq->cap = s->nmsgs;
	}
	for (i = 0; i < s->nmsgs; i++) {
		d = &rq->d[i];
		relay_decide(rq->limits, s, i, f->mime ? &f->mime[i] : NULL,
		    pc != NULL ? pc[i].id : 0, rq->cf->relay_mode == CONF_RELAY_ON ? relay_queue_waiting :
		    NULL, rq, d);
		if (strcmp(d->verdict, "relay") == 0) {
			snprintf(d->queue_id, sizeof(d->queue_id), "%s.%u",
			    name, s->msgs[i].n);
			if (!relayq_valid_id(d->queue_id) ||
			    relay_queue_write(rq, s, d, d->queue_id) == -1) {
				/* recorded as refused: nothing is sent */
				d->verdict = "refused";
				d->reason = "queue";
				d->queue_id[0] = '\0';
			} else {
				snprintf(id, idlen, "%s", d->queue_id);
				rq->pending++;
			}
		}
		relay_queue_log(name, &s->msgs[i], d);
	}
	return rq->d;
}

/* One outcome, done/NAME, into the database; removed once stored (a
 * file that is not one is logged and removed). -1: the database failed. */
static int
relay_queue_outcome(struct relay_queue *rq, struct store *st,
    const char *name)
{
	struct relayq_result r;
	struct buf b = { 0 };
	char err[512];
	int n, rc = 0;

	if ((n = buf_read_at(&b, rq->done_fd, name, RELAYQ_RESULT_MAX)) ==
	    -1 && errno != EFBIG) {
		rc = errno;
		buf_release(&b);
		if (rc == ENOENT)
			return 0;
		errno = rc;
		log_warn("relay: cannot read done/%s; it waits", name);
		return -1;
	}
	if (n < 0 || relayq_result_read((unsigned char *)b.data, b.len, &r,
	    err, sizeof(err)) == -1 || strcmp(r.id, name) != 0) {
		log_warnx("relay: done/%s is not an outcome (%s); removed",
		    name, n < 0 ? "too large" : err);
		unlinkat(rq->done_fd, name, 0);
	} else if (store_relay_outcome(st, &r, err, sizeof(err)) == -1) {
		log_warnx("relay: outcome of %s not stored: %s; it waits", name,
		    err);
		rc = -1;
	} else {
		log_info("relay outcome: %s status=%s attempts=%u code=%ld "
		    "smarthost_queue_id=%s", name, r.status, r.attempts,
		    r.code, r.queue_id[0] ? r.queue_id : "-");
		unlinkat(rq->done_fd, name, 0);
	}
	buf_release(&b);
	return rc;
}

void
relay_queue_outcomes(struct relay_queue *rq, struct store *st)
{
	struct dirent *de;
	uint64_t now = util_now_ms();
	DIR *d;

	if (rq == NULL || rq->done_fd == -1 || st == NULL ||
	    now < rq->outcomes_at + 1000)
		return;
	rq->outcomes_at = now;
	if ((d = util_opendir_at(rq->done_fd)) == NULL)
		return;
	while ((de = readdir(d)) != NULL)
		if (relayq_valid_id(de->d_name) &&
		    relay_queue_outcome(rq, st, de->d_name) == -1)
			break;
	closedir(d);
}

void
relay_queue_release(struct relay_queue *rq, const char *id, int commit)
{
	if (rq == NULL || id[0] == '\0')
		return;
	if (rq->pending > 0)
		rq->pending--;
	if (commit && renameat(rq->tmp_fd, id, rq->new_fd, id) == 0)
		return;
	if (commit)
		log_warn("relay: cannot move %s into new/", id);
	unlinkat(rq->tmp_fd, id, 0);
}
