/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * relayq: the relay queue's file format (relayq.h), its writer (the
 * analyzer) and its reader (spampot-relay) together. Nothing in a file
 * is trusted by the reader: every field is bounded and checked.
 */
#include "autoconf.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "conf.h"
#include "privdrop.h"
#include "relayq.h"
#include "spoolfmt.h"

int
relayq_valid_id(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n >= RELAYQ_ID_MAX || s[0] == '.' ||
	    strstr(s, "..") != NULL)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') ||
		    strchr("._-:", s[i]) != NULL))
			return 0;
	return 1;
}

static int
relayq_field(struct buf *b, const char *key, const char *v)
{
	char esc[SPOOLFMT_ESCAPED_MAX(RELAYQ_ADDR_MAX)];

	spoolfmt_escape(esc, sizeof(esc), v, strlen(v), SPOOLFMT_ESC_SPACE);
	return buf_appendf(b, "%s %s\n", key, esc);
}

int
relayq_write(struct buf *b, const struct relayq_item *it)
{
	if (buf_appendf(b, "%s\n", RELAYQ_MAGIC) == -1 ||
	    relayq_field(b, "id", it->id) == -1 ||
	    relayq_field(b, "rule", it->rule) == -1 ||
	    relayq_field(b, "client", it->client) == -1 ||
	    relayq_field(b, "from", it->from) == -1 ||
	    relayq_field(b, "rcpt", it->rcpt) == -1 ||
	    buf_appendf(b, "size %zu\n", it->size) == -1 ||
	    buf_append(b, it->data, it->size) == -1)
		return -1;
	return 0;
}

/* A field that may hold spaces (a reply, an error). */
static int
relayq_text(struct buf *b, const char *key, const char *v)
{
	char esc[SPOOLFMT_ESCAPED_MAX(512)];

	spoolfmt_escape(esc, sizeof(esc), v, strnlen(v, 512), 0);
	return buf_appendf(b, "%s %s\n", key, esc);
}

int
relayq_result_write(struct buf *b, const struct relayq_result *r)
{
	if (buf_appendf(b, "%s\n", RELAYQ_RESULT_MAGIC) == -1 ||
	    relayq_field(b, "id", r->id) == -1 ||
	    relayq_field(b, "status", r->status) == -1 ||
	    buf_appendf(b, "attempts %u\nfirst %lld\nlast %lld\ncode %ld\n",
	    r->attempts, r->first, r->last, r->code) == -1 ||
	    relayq_field(b, "smarthost", r->smarthost) == -1 ||
	    relayq_text(b, "reply", r->reply) == -1 ||
	    relayq_field(b, "queue_id", r->queue_id) == -1 ||
	    relayq_text(b, "error", r->error) == -1 ||
	    buf_appendf(b, "data %zu\n", r->size) == -1 ||
	    buf_append(b, r->data, r->size) == -1)
		return -1;
	return 0;
}

/* The next line "KEY VALUE\n" at *p: VALUE unescaped into dst (FLAGS:
 * SPOOLFMT_ESC_SPACE for a value without spaces). */
static int
relayq_value(const unsigned char **p, const unsigned char *end,
    const char *key, char *dst, size_t dstlen, int flags)
{
	const unsigned char *nl = memchr(*p, '\n', (size_t)(end - *p));
	size_t klen = strlen(key), vlen;
	ssize_t got;
	int bad;

	if (nl == NULL || (size_t)(nl - *p) <= klen ||
	    memcmp(*p, key, klen) != 0 || (*p)[klen] != ' ')
		return -1;
	vlen = (size_t)(nl - *p) - klen - 1;
	/* a NUL byte would end the value early: refused */
	if (vlen >= dstlen || (got = spoolfmt_unescape(dst, (const char *)*p +
	    klen + 1, vlen, flags, &bad)) < 0 ||
	    (size_t)got != strlen(dst))
		return -1;
	*p = nl + 1;
	return 0;
}

static int
relayq_line(const unsigned char **p, const unsigned char *end,
    const char *key, char *dst, size_t dstlen)
{
	return relayq_value(p, end, key, dst, dstlen, SPOOLFMT_ESC_SPACE);
}

int
relayq_read(const unsigned char *p, size_t len, struct relayq_item *it,
    char *err, size_t errlen)
{
	const unsigned char *end = p + len;
	char size[32], magic[] = RELAYQ_MAGIC "\n";
	unsigned long long n;
	char *e;

	memset(it, 0, sizeof(*it));
	if (len < sizeof(magic) - 1 || memcmp(p, magic, sizeof(magic) - 1)) {
		snprintf(err, errlen, "not a relay queue file");
		return -1;
	}
	p += sizeof(magic) - 1;
	if (relayq_line(&p, end, "id", it->id, sizeof(it->id)) == -1 ||
	    !relayq_valid_id(it->id) ||
	    relayq_line(&p, end, "rule", it->rule, sizeof(it->rule)) == -1 ||
	    relayq_line(&p, end, "client", it->client,
	    sizeof(it->client)) == -1 ||
	    relayq_line(&p, end, "from", it->from, sizeof(it->from)) == -1 ||
	    relayq_line(&p, end, "rcpt", it->rcpt, sizeof(it->rcpt)) == -1 ||
	    it->rcpt[0] == '\0' ||
	    relayq_line(&p, end, "size", size, sizeof(size)) == -1) {
		snprintf(err, errlen, "bad or missing header line");
		return -1;
	}
	n = strtoull(size, &e, 10);
	if (size[0] < '0' || size[0] > '9' || *e != '\0' ||
	    n != (unsigned long long)(end - p)) {
		snprintf(err, errlen, "size %s is not what follows", size);
		return -1;
	}
	it->data = p;
	it->size = (size_t)n;
	return 0;
}

/* One directory of the tree, made when missing, its owner and mode set. */
static int
relayq_dir(const char *path, uid_t uid, gid_t gid, mode_t mode, char *err,
    size_t errlen)
{
	if (mkdir(path, mode) == -1 && errno != EEXIST) {
		snprintf(err, errlen, "relay_dir: mkdir %s: %s", path,
		    strerror(errno));
		return -1;
	}
	if (chown(path, uid, gid) == -1 || chmod(path, mode) == -1) {
		snprintf(err, errlen, "relay_dir: %s: %s", path,
		    strerror(errno));
		return -1;
	}
	return 0;
}

int
relayq_prepare(const struct config *cf, gid_t group, char *err,
    size_t errlen)
{
	static const struct {
		const char	*name;
		mode_t		 mode;
	} dirs[] = {
		{ "", 0750 }, { "/tmp", 0770 }, { "/new", 0770 },
		/* setgid: an outcome, written in state/ and renamed into
		 * done/, is the analyzer's group's to read */
		{ "/done", 02770 }, { "/cur", 0750 }, { "/state", 02700 },
	};
	struct privdrop_user pu;
	char path[4096];
	size_t i;

	if (privdrop_lookup(cf->relay_user, NULL, &pu, err, errlen) == -1)
		return -1;
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", cf->relay_dir,
		    dirs[i].name);
		if (relayq_dir(path, pu.uid, group, dirs[i].mode, err,
		    errlen) == -1)
			return -1;
	}
	return 0;
}

/* A number line "KEY N" at *p. */
static int
relayq_number(const unsigned char **p, const unsigned char *end,
    const char *key, long long *out)
{
	char v[32], *e;

	if (relayq_line(p, end, key, v, sizeof(v)) == -1 || v[0] == '\0' ||
	    ((v[0] < '0' || v[0] > '9') && v[0] != '-'))
		return -1;
	*out = strtoll(v, &e, 10);
	return *e == '\0' ? 0 : -1;
}

int
relayq_result_read(const unsigned char *p, size_t len,
    struct relayq_result *r, char *err, size_t errlen)
{
	const unsigned char *end = p + len;
	char magic[] = RELAYQ_RESULT_MAGIC "\n";
	long long attempts, code, size;

	memset(r, 0, sizeof(*r));
	if (len < sizeof(magic) - 1 || memcmp(p, magic, sizeof(magic) - 1)) {
		snprintf(err, errlen, "not a relay outcome");
		return -1;
	}
	p += sizeof(magic) - 1;
	if (relayq_line(&p, end, "id", r->id, sizeof(r->id)) == -1 ||
	    !relayq_valid_id(r->id) ||
	    relayq_line(&p, end, "status", r->status, sizeof(r->status)) ==
	    -1 || relayq_number(&p, end, "attempts", &attempts) == -1 ||
	    relayq_number(&p, end, "first", &r->first) == -1 ||
	    relayq_number(&p, end, "last", &r->last) == -1 ||
	    relayq_number(&p, end, "code", &code) == -1 ||
	    relayq_line(&p, end, "smarthost", r->smarthost,
	    sizeof(r->smarthost)) == -1 ||
	    relayq_value(&p, end, "reply", r->reply, sizeof(r->reply), 0) ==
	    -1 || relayq_line(&p, end, "queue_id", r->queue_id,
	    sizeof(r->queue_id)) == -1 ||
	    relayq_value(&p, end, "error", r->error, sizeof(r->error), 0) ==
	    -1 || relayq_number(&p, end, "data", &size) == -1 ||
	    attempts < 0 || attempts > 1000000 || code < 0 || code > 999 ||
	    size < 0 || size != (long long)(end - p)) {
		snprintf(err, errlen, "bad or missing line");
		return -1;
	}
	r->attempts = (unsigned)attempts;
	r->code = (long)code;
	r->data = p;
	r->size = (size_t)size;
	return 0;
}
