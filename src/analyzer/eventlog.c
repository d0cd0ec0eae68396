/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * eventlog: the analyzer's JSON-lines export. When json_log names a file,
 * every session the analyzer imports adds one line per message
 * ("eventid": "spampot.message") and then one for the session's end
 * ("spampot.session.end"), with stable field names, ISO 8601 UTC times and
 * the src_ip/src_port/dest_ip/dest_port names that honeypot log pipelines
 * (ELK, T-Pot) ingest. Field by field in spampot-analyzer(8).
 *
 * Run by the analyzer, unprivileged (after the privilege drop, so that the
 * file is the analyzer user's and it can create it again), under its
 * seccomp deny-list. The file is created at start, so that a pipeline
 * never sees it missing, and opened again on SIGHUP for log rotation.
 * Lines are written for sessions committed to the database, after the
 * commit: the analyzer commits files in batches, so a session's lines wait
 * in memory until eventlog_flush says whether its batch was committed (and
 * are dropped with a batch that was rolled back, whose files are imported
 * again later). A session imported before is not written again. A batch's
 * lines go out in one write(2) in append mode.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "eventlog.h"
#include "extract.h"
#include "json.h"
#include "log.h"
#include "mime.h"
#include "parsed.h"
#include "spool_read.h"

struct eventlog {
	char			*path;
	int			 fd;
	struct buf		 pending;	/* lines of the filling batch */
	struct buf		 sealed;	/* of the batch being committed */
	int			 failing;	/* a write failed: warned */
};

static int
eventlog_fd(const char *path)
{
	return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
	    O_NOFOLLOW, 0640);
}

struct eventlog *
eventlog_open(const char *path)
{
	struct eventlog *el;

	if (path == NULL || path[0] == '\0')
		return NULL;
	if ((el = calloc(1, sizeof(*el))) == NULL ||
	    (el->path = strdup(path)) == NULL)
		fatal("eventlog");
	if ((el->fd = eventlog_fd(path)) == -1)
		fatal("json_log %s", path);
	log_info("json_log: events go to %s", path);
	return el;
}

void
eventlog_reopen(struct eventlog *el)
{
	int fd;

	if (el == NULL)
		return;
	if ((fd = eventlog_fd(el->path)) == -1) {
		log_warn("json_log: cannot open %s again; events go on to the "
		    "file open before", el->path);
		return;
	}
	close(el->fd);
	el->fd = fd;
	el->failing = 0;
	log_info("json_log: %s opened again", el->path);
}

void
eventlog_close(struct eventlog *el)
{
	if (el == NULL)
		return;
	close(el->fd);
	buf_release(&el->pending);
	buf_release(&el->sealed);
	free(el->path);
	free(el);
}

/* A line being built; out of memory once, the whole of it is dropped. */
struct ev {
	struct buf	*b;
	int		 oom;
};

static void
ev_raw(struct ev *e, const char *p, size_t n)
{
	if (!e->oom && buf_append(e->b, p, n) == -1)
		e->oom = 1;
}

static void ev_fmt(struct ev *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
ev_fmt(struct ev *e, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		e->oom = 1;	/* never: the formats here are short */
	else
		ev_raw(e, tmp, (size_t)n);
}

static void
ev_str(struct ev *e, const char *p, size_t n)
{
	if (!e->oom && json_string(e->b, p, n) == -1)
		e->oom = 1;
}

static void
ev_cstr(struct ev *e, const char *s)
{
	if (!e->oom && json_cstr(e->b, s) == -1)
		e->oom = 1;
}

static void
ev_key(struct ev *e, const char *key, int first)
{
	if (!e->oom && json_key(e->b, key, first) == -1)
		e->oom = 1;
}

/* "2026-11-26T16:11:16.123456Z" as seconds; -1 if it is not one. */
static double
eventlog_seconds(const char *iso)
{
	struct tm tm;
	long usec = 0;

	memset(&tm, 0, sizeof(tm));
	if (sscanf(iso, "%4d-%2d-%2dT%2d:%2d:%2d.%6ld", &tm.tm_year,
	    &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec,
	    &usec) < 6)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (double)timegm(&tm) + (double)usec / 1e6;
}

static void
eventlog_str(struct ev *b, const char *key, const struct spool_str *s)
{
	ev_key(b, key, 0);
	if (s->p == NULL)
		ev_raw(b, "null", 4);
	else
		ev_str(b, s->p, s->len);
}

/* The fields every event has, after "eventid" and "timestamp". */
static void
eventlog_common(struct ev *b, const struct parsed_session *ps)
{
	const struct geoip_info *gi = &ps->geo;
	const struct spool_session *s = ps->s;

	eventlog_str(b, "sensor", &s->sensor);
	ev_key(b, "session", 0);
	ev_cstr(b, s->session_id);
	ev_key(b, "spool_name", 0);
	ev_cstr(b, ps->name);
	ev_key(b, "src_ip", 0);
	ev_cstr(b, s->client_ip);
	ev_fmt(b, ",\"src_port\":%u", s->client_port);
	ev_key(b, "dest_ip", 0);
	ev_cstr(b, s->server_ip);
	ev_fmt(b, ",\"dest_port\":%u,\"protocol\":\"smtp\"",
	    s->server_port);
	ev_key(b, "src_country", 0);
	ev_cstr(b, gi->country[0] ? gi->country : NULL);
	if (gi->asn != 0)
		ev_fmt(b, ",\"src_asn\":%u", gi->asn);
	else
		ev_fmt(b, ",\"src_asn\":null");
	ev_key(b, "src_as_org", 0);
	ev_cstr(b, gi->as_org[0] ? gi->as_org : NULL);
}

/* "key":[the values of the message's counts of this kind] */
static void
eventlog_kind(struct ev *b, const char *key, const struct extract_result *r,
    const char *kind)
{
	size_t i;
	int first = 1;

	ev_key(b, key, 0);
	ev_raw(b, "[", 1);
	for (i = 0; r != NULL && i < r->ncounts; i++) {
		if (strcmp(r->counts[i].kind, kind) != 0)
			continue;
		if (!first)
			ev_raw(b, ",", 1);
		ev_cstr(b, r->counts[i].value);
		first = 0;
	}
	ev_raw(b, "]", 1);
}

static int
eventlog_builtin(const char *kind)
{
	static const char *const builtin[] = { "email", "url", "domain", "ip",
	    "subject", "username", "yara", NULL };
	size_t i;

	for (i = 0; builtin[i] != NULL; i++)
		if (strcmp(kind, builtin[i]) == 0)
			return 1;
	return 0;
}

/* "patterns":{"name":[values],...} for the custom patterns. */
static void
eventlog_patterns(struct ev *b, const struct extract_result *r)
{
	size_t i, j;
	int first = 1, seen;

	ev_key(b, "patterns", 0);
	ev_raw(b, "{", 1);
	for (i = 0; r != NULL && i < r->ncounts; i++) {
		if (eventlog_builtin(r->counts[i].kind))
			continue;
		for (seen = 0, j = 0; j < i && !seen; j++)
			seen = strcmp(r->counts[j].kind, r->counts[i].kind) == 0;
		if (seen)
			continue;
		ev_key(b, r->counts[i].kind, first);
		first = 0;
		ev_raw(b, "[", 1);
		for (j = i; j < r->ncounts; j++) {
			if (strcmp(r->counts[j].kind, r->counts[i].kind) != 0)
				continue;
			if (j != i)
				ev_raw(b, ",", 1);
			ev_cstr(b, r->counts[j].value);
		}
		ev_raw(b, "]", 1);
	}
	ev_raw(b, "}", 1);
}

static void
eventlog_urls(struct ev *b, const struct extract_result *r)
{
	size_t i, j;
	int dup;

	ev_key(b, "urls", 0);
	ev_raw(b, "[", 1);
	for (i = 0; r != NULL && i < r->nurls; i++) {
		if (i > 0)
			ev_raw(b, ",", 1);
		ev_cstr(b, r->urls[i].url);
	}
	ev_raw(b, "]", 1);
	ev_key(b, "url_hosts", 0);
	ev_raw(b, "[", 1);
	for (i = 0; r != NULL && i < r->nurls; i++) {
		for (dup = 0, j = 0; j < i && !dup; j++)
			dup = strcmp(r->urls[j].host, r->urls[i].host) == 0;
		if (dup)
			continue;
		if (!b->oom && b->b->data[b->b->len - 1] != '[')
			ev_raw(b, ",", 1);
		ev_cstr(b, r->urls[i].host);
	}
	ev_raw(b, "]", 1);
}

/* What an attachment really is: its type by content, whether its name
 * or declared type hides it, what became of it as an archive and its
 * members. */
static void
eventlog_inspected(struct ev *b, const struct inspect_result *ir)
{
	size_t i;

	ev_key(b, "real_type", 0);
	ev_cstr(b, ir ? ir->real_type : NULL);
	ev_fmt(b, ",\"mismatch\":%s", ir && ir->mismatch ? "true" : "false");
	ev_key(b, "archive", 0);
	ev_cstr(b, ir && ir->archive != INSPECT_NOT_ARCHIVE ?
	    inspect_archive_name(ir->archive) : NULL);
	ev_key(b, "members", 0);
	ev_raw(b, "[", 1);
	for (i = 0; ir != NULL && i < ir->nmembers; i++) {
		const struct inspect_member *im = &ir->members[i];

		ev_raw(b, i > 0 ? ",{" : "{", i > 0 ? 2 : 1);
		ev_key(b, "path", 1);
		ev_cstr(b, im->path);
		ev_fmt(b, ",\"size\":%llu,\"sha256\":\"%s\"",
		    (unsigned long long)im->size, im->sha256);
		ev_key(b, "real_type", 0);
		ev_cstr(b, im->real_type);
		ev_raw(b, "}", 1);
	}
	ev_raw(b, "]", 1);
}

static void
eventlog_attachments(struct ev *b, const struct parsed_message *pm)
{
	const struct mime_message *m = pm->mime;
	size_t i;

	ev_key(b, "attachments", 0);
	ev_raw(b, "[", 1);
	for (i = 0; m != NULL && i < m->natts; i++) {
		const struct mime_attachment *a = &m->atts[i];

		ev_raw(b, i > 0 ? ",{" : "{", i > 0 ? 2 : 1);
		ev_key(b, "filename", 1);
		ev_cstr(b, a->filename);
		ev_key(b, "content_type", 0);
		ev_cstr(b, a->content_type);
		ev_fmt(b, ",\"size\":%zu,\"md5\":\"%s\",\"sha1\":\"%s\","
		    "\"sha256\":\"%s\"", a->size, a->md5, a->sha1, a->sha256);
		eventlog_inspected(b, pm->more && pm->more->insp ?
		    &pm->more->insp[i] : NULL);
		ev_raw(b, "}", 1);
	}
	ev_raw(b, "]", 1);
}

/* "campaign": its id or null; "yara": the rules that matched, once. */
static void
eventlog_campaign_yara(struct ev *b, const struct parsed_campaign *pc,
    const struct parsed_more *more)
{
	size_t i, j;
	int dup, first = 1;

	if (pc != NULL && pc->id != 0)
		ev_fmt(b, ",\"campaign\":%llu", (unsigned long long)pc->id);
	else
		ev_raw(b, ",\"campaign\":null", 16);
	ev_key(b, "yara", 0);
	ev_raw(b, "[", 1);
	for (i = 0; more != NULL && i < more->nyara; i++) {
		for (dup = 0, j = 0; j < i && !dup; j++)
			dup = strcmp(more->yara[j].m.rule,
			    more->yara[i].m.rule) == 0;
		if (dup)
			continue;
		if (!first)
			ev_raw(b, ",", 1);
		ev_cstr(b, more->yara[i].m.rule);
		first = 0;
	}
	ev_raw(b, "]", 1);
}

static void
eventlog_message(struct ev *b, const struct parsed_session *ps,
    const struct spool_message *m, const struct parsed_message *pm)
{
	const struct spool_session *s = ps->s;
	unsigned char sha[32];
	unsigned int shalen = sizeof(sha), i;
	size_t r;

	ev_fmt(b, "{\"eventid\":\"spampot.message\",\"timestamp\":");
	ev_cstr(b, s->start);
	eventlog_common(b, ps);
	ev_fmt(b, ",\"message\":%u", m->n);
	eventlog_str(b, "mail_from", &m->from);
	ev_key(b, "rcpt_to", 0);
	ev_raw(b, "[", 1);
	for (r = 0; r < m->nrcpts; r++) {
		if (r > 0)
			ev_raw(b, ",", 1);
		ev_str(b, m->rcpts[r].p, m->rcpts[r].len);
	}
	ev_fmt(b, "],\"size\":%llu,\"stored_size\":%zu,"
	    "\"truncated\":%s,\"incomplete\":%s", (unsigned long long)m->size,
	    m->body_len, m->truncated ? "true" : "false",
	    m->incomplete ? "true" : "false");
	ev_key(b, "queue_id", 0);
	ev_cstr(b, m->queue_id);
	ev_key(b, "subject", 0);
	ev_cstr(b, pm->mime ? pm->mime->subject : NULL);
	EVP_Digest(m->body ? (const void *)m->body : "", m->body_len, sha,
	    &shalen, EVP_sha256(), NULL);
	ev_raw(b, ",\"sha256\":\"", 11);
	for (i = 0; i < shalen; i++)
		ev_fmt(b, "%02x", sha[i]);
	ev_raw(b, "\"", 1);
	eventlog_campaign_yara(b, ps->campaign ? &ps->campaign[pm -
	    ps->msgs] : NULL, pm->more);
	eventlog_urls(b, pm->found);
	eventlog_kind(b, "emails", pm->found, "email");
	eventlog_kind(b, "domains", pm->found, "domain");
	eventlog_kind(b, "ips", pm->found, "ip");
	eventlog_patterns(b, pm->found);
	eventlog_attachments(b, pm);
	ev_raw(b, "}\n", 2);
}

/* ,"tls":{...} when the session has a tls or tls-fail record. */
static void
eventlog_tls(struct ev *b, const struct spool_tls *t)
{
	if (!t->seen)
		return;
	ev_key(b, "tls", 0);
	ev_fmt(b, "{\"ok\":%s", t->ok ? "true" : "false");
	ev_key(b, "version", 0);
	ev_cstr(b, t->ok ? t->version : NULL);
	eventlog_str(b, "cipher", &t->cipher);
	eventlog_str(b, "alpn", &t->alpn);
	ev_key(b, "fail_stage", 0);
	ev_cstr(b, t->ok ? NULL : t->stage);
	eventlog_str(b, "fail_reason", &t->reason);
	if (!t->ok)
		ev_fmt(b, ",\"fail_bytes\":%llu",
		    (unsigned long long)t->bytes);
	eventlog_str(b, "sni", &t->sni);
	eventlog_str(b, "ja3", &t->ja3);
	ev_key(b, "ja3_hash", 0);
	ev_cstr(b, t->has_hello && t->ja3_hash[0] ? t->ja3_hash : NULL);
	ev_key(b, "ja4", 0);
	ev_cstr(b, t->has_hello ? t->ja4 : NULL);
	ev_raw(b, "}", 1);
}

static void
eventlog_end(struct ev *b, const struct parsed_session *ps)
{
	const struct spool_session *s = ps->s;
	double start = eventlog_seconds(s->start), end = eventlog_seconds(s->end);
	size_t i;

	ev_fmt(b, "{\"eventid\":\"spampot.session.end\",\"timestamp\":");
	ev_cstr(b, s->end);
	eventlog_common(b, ps);
	ev_key(b, "start", 0);
	ev_cstr(b, s->start);
	ev_key(b, "end", 0);
	ev_cstr(b, s->end);
	if (start >= 0 && end >= start)
		ev_fmt(b, ",\"duration\":%.6f", end - start);
	else
		ev_fmt(b, ",\"duration\":null");
	ev_key(b, "end_reason", 0);
	ev_cstr(b, s->end_reason);
	eventlog_str(b, "helo", &s->helo);
	ev_key(b, "helo_verb", 0);
	ev_cstr(b, s->helo.p ? s->helo_verb : NULL);
	eventlog_tls(b, &s->tls);
	ev_fmt(b, ",\"messages\":%zu,\"auth\":[", s->nmsgs);
	for (i = 0; i < s->nauths; i++) {
		const struct spool_auth *a = &s->auths[i];

		ev_raw(b, i > 0 ? ",{" : "{", i > 0 ? 2 : 1);
		ev_key(b, "mechanism", 1);
		ev_str(b, a->mech.p ? a->mech.p : "", a->mech.len);
		ev_key(b, "status", 0);
		ev_cstr(b, a->status);
		eventlog_str(b, "username", &a->user);
		eventlog_str(b, "password", &a->pass);
		eventlog_str(b, "authzid", &a->authzid);
		ev_raw(b, "}", 1);
	}
	ev_raw(b, "]}\n", 3);
}

int
eventlog_format(struct buf *out, const struct parsed_session *ps)
{
	struct ev e = { out, 0 };
	size_t i;

	for (i = 0; i < ps->s->nmsgs; i++)
		eventlog_message(&e, ps, &ps->s->msgs[i], &ps->msgs[i]);
	eventlog_end(&e, ps);
	return e.oom ? -1 : 0;
}

void
eventlog_session(struct eventlog *el, const struct parsed_session *ps)
{
	size_t before;

	if (el == NULL)
		return;
	before = el->pending.len;
	if (eventlog_format(&el->pending, ps) == -1) {
		el->pending.len = before;
		log_warnx("json_log: out of memory; no events for %s",
		    ps->name);
	}
}

void
eventlog_flush(struct eventlog *el, int committed)
{
	struct buf *b;
	size_t off = 0;
	ssize_t n;

	if (el == NULL)
		return;
	b = &el->sealed;
	while (committed && off < b->len) {
		if ((n = write(el->fd, b->data + off, b->len - off)) == -1) {
			if (errno == EINTR)
				continue;
			if (!el->failing)
				log_warn("json_log: write to %s", el->path);
			el->failing = 1;
			break;
		}
		off += (size_t)n;
	}
	if (committed && off == b->len)
		el->failing = 0;
	b->len = 0;
	buf_trim(b, 64 * 1024);
}

void
eventlog_seal(struct eventlog *el)
{
	struct buf t;

	if (el == NULL)
		return;
	/* the lines of a batch not flushed were never committed */
	t = el->sealed;
	el->sealed = el->pending;
	el->pending = t;
	el->pending.len = 0;
}

void
eventlog_drop(struct eventlog *el)
{
	if (el == NULL)
		return;
	el->pending.len = 0;
	buf_trim(&el->pending, 64 * 1024);
}
