/*
 * spool_read: the strict parser of spampot-spool(5), run by the analyzer on
 * files the sensor wrote from attacker input. Every record is checked
 * against the format; anything else is an error "line N: reason" and the
 * analyzer moves the file to bad/. Bounded: a text record is at most
 * SPOOL_READ_LINE_MAX bytes, a body never reaches past the file's end.
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spoolfmt.h"
#include "spool_read.h"
#include "util.h"

#define SPOOL_READ_LINE_MAX	(8 * 1024 * 1024)

struct spool_reader {
	const char		*data;
	size_t			 len;
	size_t			 pos;
	int			 line;
	char			*err;
	size_t			 errlen;
	struct spool_session	*s;
	struct spool_message	*open;		/* inside DATA */
	struct spool_str	 from;		/* the envelope being built */
	struct spool_str	*rcpts;
	size_t			 nrcpts, caprcpts;
	size_t			 captranscript;	/* bytes s->transcript holds */
	int			 ended;
	unsigned		 seen;		/* header records seen, bits */
};

enum { SEEN_SESSION = 1, SEEN_SENSOR = 2, SEEN_CLIENT = 4, SEEN_SERVER = 8,
    SEEN_START = 16 };

static int spool_read_fail(struct spool_reader *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static int
spool_read_fail(struct spool_reader *r, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(r->err, r->errlen, "line %d: ", r->line);
	if (n > 0 && (size_t)n < r->errlen) {
		va_start(ap, fmt);
		vsnprintf(r->err + n, r->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static void
spool_str_clear(struct spool_str *s)
{
	free(s->p);
	s->p = NULL;
	s->len = 0;
}

/* "\xHH" escapes back to bytes; any other use of a backslash, a space or
 * a byte outside printable ASCII is an error. */
static int
spool_unescape(struct spool_reader *r, const char *p, size_t n,
    struct spool_str *out, int allow_space)
{
	size_t i, o = 0;
	int hi, lo;

	if ((out->p = malloc(n + 1)) == NULL)
		return spool_read_fail(r, "out of memory");
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c == '\\') {
			if (n - i < 4 || p[i + 1] != 'x' ||
			    (hi = util_hexval(p[i + 2], UTIL_HEX_LOWER)) < 0 ||
			    (lo = util_hexval(p[i + 3], UTIL_HEX_LOWER)) < 0) {
				spool_str_clear(out);
				return spool_read_fail(r, "bad escape");
			}
			out->p[o++] = (char)(hi << 4 | lo);
			i += 3;
		} else if (c < 0x20 || c > 0x7e || (c == ' ' && !allow_space)) {
			spool_str_clear(out);
			return spool_read_fail(r, "unescaped byte 0x%02x", c);
		} else
			out->p[o++] = (char)c;
	}
	out->p[o] = '\0';
	out->len = o;
	return 0;
}

/* Find "key=" among the space-separated tokens of a record. */
static int
spool_field(struct spool_reader *r, const char *rest, const char *key,
    const char **val, size_t *vlen, int required)
{
	size_t klen = strlen(key);
	const char *p = rest, *end;

	while (*p != '\0') {
		end = strchr(p, ' ');
		if (end == NULL)
			end = p + strlen(p);
		if ((size_t)(end - p) > klen && strncmp(p, key, klen) == 0 &&
		    p[klen] == '=') {
			*val = p + klen + 1;
			*vlen = (size_t)(end - *val);
			return 1;
		}
		p = *end ? end + 1 : end;
	}
	if (required)
		return spool_read_fail(r, "missing %s=", key);
	return 0;
}

static int
spool_field_str(struct spool_reader *r, const char *rest, const char *key,
    struct spool_str *out, int required)
{
	const char *v;
	size_t n;
	int rc;

	if ((rc = spool_field(r, rest, key, &v, &n, required)) <= 0) {
		if (rc == 0 && (out->p = strdup("")) == NULL)
			return spool_read_fail(r, "out of memory");
		return rc;
	}
	return spool_unescape(r, v, n, out, 0);
}

static int
spool_field_num(struct spool_reader *r, const char *rest, const char *key,
    unsigned long long max, unsigned long long *out)
{
	const char *v;
	char *end;
	size_t n;

	if (spool_field(r, rest, key, &v, &n, 1) == -1)
		return -1;
	if (n == 0 || n > 20 || !isdigit((unsigned char)*v))
		return spool_read_fail(r, "bad number for %s", key);
	errno = 0;
	*out = strtoull(v, &end, 10);
	if (errno != 0 || end != v + n || *out > max)
		return spool_read_fail(r, "bad number for %s", key);
	return 0;
}

/* Copy a short field into a fixed buffer, checking its characters. */
static int
spool_field_word(struct spool_reader *r, const char *rest, const char *key,
    char *dst, size_t dstlen, const char *allowed)
{
	const char *v;
	size_t n, i;

	if (spool_field(r, rest, key, &v, &n, 1) == -1)
		return -1;
	if (n == 0 || n >= dstlen)
		return spool_read_fail(r, "bad %s", key);
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)v[i]) && strchr(allowed, v[i]) == NULL)
			return spool_read_fail(r, "bad %s", key);
	memcpy(dst, v, n);
	dst[n] = '\0';
	return 0;
}

/* 2026-11-26T16:11:16.123456Z */
static int
spool_valid_time(const char *t, size_t n)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:dd.ddddddZ";
	size_t i;

	if (n != sizeof(shape) - 1)
		return 0;
	for (i = 0; i < n; i++) {
		if (shape[i] == 'd' ? !isdigit((unsigned char)t[i]) :
		    t[i] != shape[i])
			return 0;
	}
	return 1;
}

static int
spool_time(struct spool_reader *r, const char *p, size_t n, char *dst)
{
	if (!spool_valid_time(p, n))
		return spool_read_fail(r, "bad time");
	memcpy(dst, p, n);
	dst[n] = '\0';
	return 0;
}

/* "IP PORT" of the client and server records. */
static int
spool_endpoint(struct spool_reader *r, const char *rest, char *ip,
    size_t iplen, unsigned *port)
{
	unsigned char addr[16];
	const char *sp = strchr(rest, ' ');
	unsigned long long v;
	char *end;
	size_t n;

	if (sp == NULL || (n = (size_t)(sp - rest)) == 0 || n >= iplen)
		return spool_read_fail(r, "expected an address and a port");
	memcpy(ip, rest, n);
	ip[n] = '\0';
	if (inet_pton(AF_INET, ip, addr) != 1 &&
	    inet_pton(AF_INET6, ip, addr) != 1 && strcmp(ip, "-") != 0 &&
	    strcmp(ip, "unknown") != 0)
		return spool_read_fail(r, "bad address");
	errno = 0;
	v = strtoull(sp + 1, &end, 10);
	if (!isdigit((unsigned char)sp[1]) || *end != '\0' || errno != 0 ||
	    v > 65535)
		return spool_read_fail(r, "bad port");
	*port = (unsigned)v;
	return 0;
}

static int
spool_grow(struct spool_reader *r, void **arr, size_t n, size_t size)
{
	void *p;

	if ((p = realloc(*arr, (n + 1) * size)) == NULL)
		return spool_read_fail(r, "out of memory");
	memset((char *)p + n * size, 0, size);
	*arr = p;
	return 0;
}

static void
spool_envelope_clear(struct spool_reader *r)
{
	size_t i;

	spool_str_clear(&r->from);
	for (i = 0; i < r->nrcpts; i++)
		spool_str_clear(&r->rcpts[i]);
	free(r->rcpts);
	r->rcpts = NULL;
	r->nrcpts = r->caprcpts = 0;
}

static int
spool_str_dup(struct spool_reader *r, struct spool_str *dst,
    const struct spool_str *src)
{
	if ((dst->p = malloc(src->len + 1)) == NULL)
		return spool_read_fail(r, "out of memory");
	memcpy(dst->p, src->p ? src->p : "", src->len);
	dst->p[src->len] = '\0';
	dst->len = src->len;
	return 0;
}

/* --- one handler per record ------------------------------------------- */

static int
spool_rec_session(struct spool_reader *r, const char *rest, size_t n)
{
	size_t i;

	if (n != 16)
		return spool_read_fail(r, "bad session id");
	for (i = 0; i < n; i++)
		if (util_hexval(rest[i], UTIL_HEX_LOWER) < 0)
			return spool_read_fail(r, "bad session id");
	memcpy(r->s->session_id, rest, n);
	r->s->session_id[n] = '\0';
	r->seen |= SEEN_SESSION;
	return 0;
}

static int
spool_rec_sensor(struct spool_reader *r, const char *rest, size_t n)
{
	r->seen |= SEEN_SENSOR;
	spool_str_clear(&r->s->sensor);
	return spool_unescape(r, rest, n, &r->s->sensor, 0);
}

static int
spool_rec_client(struct spool_reader *r, const char *rest, size_t n)
{
	r->seen |= SEEN_CLIENT;
	return spool_endpoint(r, rest, r->s->client_ip,
	    sizeof(r->s->client_ip), &r->s->client_port);
}

static int
spool_rec_server(struct spool_reader *r, const char *rest, size_t n)
{
	r->seen |= SEEN_SERVER;
	return spool_endpoint(r, rest, r->s->server_ip,
	    sizeof(r->s->server_ip), &r->s->server_port);
}

static int
spool_rec_start(struct spool_reader *r, const char *rest, size_t n)
{
	r->seen |= SEEN_START;
	return spool_time(r, rest, n, r->s->start);
}

/* C and S: kept verbatim for the transcript once their shape is checked. */
static int
spool_rec_dialogue(struct spool_reader *r, const char *line, size_t n)
{
	struct spool_session *s = r->s;
	struct spool_str tmp;
	const char *p = line + 2, *text;
	size_t cap;
	char *t;

	while (p < line + n && (isdigit((unsigned char)*p) || *p == '.'))
		p++;
	if (p == line + 2 || (p < line + n && *p != ' '))
		return spool_read_fail(r, "bad time in dialogue line");
	text = p < line + n ? p + 1 : p;
	if (line[0] == 'C') {
		if (strncmp(text, "crlf ", 5) != 0 && strncmp(text, "lf ", 3) &&
		    strncmp(text, "long ", 5) && strncmp(text, "none ", 5) &&
		    strcmp(text, "crlf") && strcmp(text, "lf"))
			return spool_read_fail(r, "bad line end in C record");
	}
	if (spool_unescape(r, text, (size_t)(line + n - text), &tmp, 1) == -1)
		return -1;
	spool_str_clear(&tmp);
	if (s->transcript_len + n + 2 > r->captranscript) {
		/* doubled: a flood of short records is not a realloc each */
		cap = r->captranscript * 2;
		if (cap < s->transcript_len + n + 2)
			cap = s->transcript_len + n + 2 + 4096;
		/* no larger than the file: what it can hold */
		if (cap > r->len + 2)
			cap = r->len + 2;
		if ((t = realloc(s->transcript, cap)) == NULL)
			return spool_read_fail(r, "out of memory");
		s->transcript = t;
		r->captranscript = cap;
	}
	t = s->transcript;
	memcpy(t + s->transcript_len, line, n);
	s->transcript_len += n;
	t[s->transcript_len++] = '\n';
	t[s->transcript_len] = '\0';
	s->transcript = t;
	return 0;
}

static int
spool_rec_helo(struct spool_reader *r, const char *rest, size_t n)
{
	struct spool_session *s = r->s;

	spool_envelope_clear(r);
	spool_str_clear(&s->helo);
	if (spool_field_word(r, rest, "verb", s->helo_verb,
	    sizeof(s->helo_verb), "") == -1)
		return -1;
	if (strcmp(s->helo_verb, "HELO") != 0 &&
	    strcmp(s->helo_verb, "EHLO") != 0)
		return spool_read_fail(r, "bad helo verb");
	return spool_field_str(r, rest, "name", &s->helo, 1);
}

static int
spool_rec_auth(struct spool_reader *r, const char *rest, size_t n)
{
	struct spool_session *s = r->s;
	struct spool_auth *a;

	if (spool_grow(r, (void **)&s->auths, s->nauths, sizeof(*a)) == -1)
		return -1;
	a = &s->auths[s->nauths++];
	if (spool_field_str(r, rest, "mech", &a->mech, 1) == -1 ||
	    spool_field_word(r, rest, "status", a->status, sizeof(a->status),
	    "-") == -1 ||
	    spool_field_str(r, rest, "user", &a->user, 0) == -1 ||
	    spool_field_str(r, rest, "pass", &a->pass, 0) == -1 ||
	    spool_field_str(r, rest, "authzid", &a->authzid, 0) == -1)
		return -1;
	return 0;
}

static int
spool_rec_auth_raw(struct spool_reader *r, const char *rest, size_t n)
{
	struct spool_str tmp;

	if (spool_unescape(r, rest, n, &tmp, 0) == -1)
		return -1;
	spool_str_clear(&tmp);
	return 0;
}

static int
spool_rec_mail(struct spool_reader *r, const char *rest, size_t n)
{
	spool_envelope_clear(r);
	return spool_field_str(r, rest, "from", &r->from, 1);
}

static int
spool_rec_rcpt(struct spool_reader *r, const char *rest, size_t n)
{
	struct spool_str *p;
	size_t cap;

	/* doubled: 200,000 recipients are not 200,000 reallocs */
	if (r->nrcpts == r->caprcpts) {
		cap = r->caprcpts ? r->caprcpts * 2 : 8;
		if ((p = reallocarray(r->rcpts, cap, sizeof(*p))) == NULL)
			return spool_read_fail(r, "out of memory");
		r->rcpts = p;
		r->caprcpts = cap;
	}
	memset(&r->rcpts[r->nrcpts], 0, sizeof(*r->rcpts));
	if (spool_field_str(r, rest, "to", &r->rcpts[r->nrcpts], 1) == -1)
		return -1;
	r->nrcpts++;
	return 0;
}

static int
spool_rec_rset(struct spool_reader *r, const char *rest, size_t n)
{
	if (n != 0)
		return spool_read_fail(r, "rset takes nothing");
	spool_envelope_clear(r);
	return 0;
}

static int
spool_rec_data(struct spool_reader *r, const char *rest, size_t n)
{
	struct spool_session *s = r->s;
	struct spool_message *m;
	unsigned long long num;

	if (r->open != NULL)
		return spool_read_fail(r, "data inside data");
	if (spool_field_num(r, rest, "n", 1000000, &num) == -1)
		return -1;
	if (num != s->nmsgs + 1)
		return spool_read_fail(r, "data n=%llu out of order", num);
	if (spool_grow(r, (void **)&s->msgs, s->nmsgs, sizeof(*m)) == -1)
		return -1;
	m = &s->msgs[s->nmsgs++];
	m->n = (unsigned)num;
	m->incomplete = 1;	/* until its message record */
	if (spool_str_dup(r, &m->from, &r->from) == -1)
		return -1;
	/* the envelope's recipients become the message's, not copied:
	 * nothing but the message's records can follow data (and the
	 * envelope is cleared at its end) */
	m->rcpts = r->rcpts;
	m->nrcpts = r->nrcpts;
	r->rcpts = NULL;
	r->nrcpts = r->caprcpts = 0;
	r->open = m;
	return 0;
}

static int
spool_rec_body(struct spool_reader *r, const char *rest, size_t n)
{
	struct spool_message *m = r->open;
	unsigned long long blen;
	unsigned char *b;
	size_t i;

	if (m == NULL)
		return spool_read_fail(r, "body outside data");
	if (n != SPOOL_BODY_DIGITS)
		return spool_read_fail(r, "bad body length");
	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)rest[i]))
			return spool_read_fail(r, "bad body length");
	blen = strtoull(rest, NULL, 10);
	if (blen >= r->len - r->pos || r->data[r->pos + blen] != '\n')
		return spool_read_fail(r, "body of %llu bytes runs past the "
		    "end of the file or is not ended by a newline", blen);
	if ((b = realloc(m->body, m->body_len + blen + 1)) == NULL)
		return spool_read_fail(r, "out of memory");
	memcpy(b + m->body_len, r->data + r->pos, blen);
	/* line numbers stay those an editor shows */
	for (i = 0; i < blen; i++)
		r->line += r->data[r->pos + i] == '\n';
	r->line++;
	m->body = b;
	m->body_len += blen;
	m->body[m->body_len] = '\0';
	r->pos += blen + 1;
	return 0;
}

static int
spool_rec_message(struct spool_reader *r, const char *rest, size_t n)
{
	struct spool_message *m = r->open;
	unsigned long long num, size, stored, flag, bare;
	const char *v;
	size_t vlen;

	if (m == NULL)
		return spool_read_fail(r, "message without data");
	if (spool_field_num(r, rest, "n", 1000000, &num) == -1 ||
	    spool_field_num(r, rest, "size", UINT64_MAX, &size) == -1 ||
	    spool_field_num(r, rest, "stored", UINT64_MAX, &stored) == -1 ||
	    spool_field_num(r, rest, "truncated", 1, &flag) == -1 ||
	    spool_field_num(r, rest, "bare_lf", UINT32_MAX, &bare) == -1)
		return -1;
	if (num != m->n)
		return spool_read_fail(r, "message n=%llu does not match "
		    "data n=%u", num, m->n);
	if (stored != m->body_len || stored > size)
		return spool_read_fail(r, "stored=%llu but the body holds %zu "
		    "bytes", stored, m->body_len);
	m->size = size;
	m->truncated = (int)flag;
	m->bare_lf = (unsigned)bare;
	m->incomplete = spool_field(r, rest, "incomplete", &v, &vlen, 0) == 1;
	if (!m->incomplete && spool_field_word(r, rest, "queue_id",
	    m->queue_id, sizeof(m->queue_id), "") == -1)
		return -1;
	r->open = NULL;
	spool_envelope_clear(r);
	return 0;
}

/* The sensor stopped reading the session at max_transcript. */
static int
spool_rec_cut(struct spool_reader *r, const char *rest, size_t n)
{
	char limit[16];
	unsigned long long bytes;

	if (spool_field_word(r, rest, "limit", limit, sizeof(limit), "") ==
	    -1 || spool_field_num(r, rest, "bytes", UINT64_MAX, &bytes) == -1)
		return -1;
	if (strcmp(limit, "transcript") != 0)
		return spool_read_fail(r, "bad limit");
	r->s->transcript_cut = bytes;
	return 0;
}

static int
spool_rec_end(struct spool_reader *r, const char *rest, size_t n)
{
	const char *sp = strchr(rest, ' ');

	if (spool_time(r, rest, sp ? (size_t)(sp - rest) : n,
	    r->s->end) == -1)
		return -1;
	if (spool_field_word(r, sp ? sp + 1 : "", "reason", r->s->end_reason,
	    sizeof(r->s->end_reason), "") == -1)
		return -1;
	r->ended = 1;
	return 0;
}

static const struct {
	const char	*keyword;
	int		(*fn)(struct spool_reader *, const char *, size_t);
	int		 whole_line;	/* gets the line, not what follows */
} spool_records[] = {
	{ "session", spool_rec_session, 0 },
	{ "sensor", spool_rec_sensor, 0 },
	{ "client", spool_rec_client, 0 },
	{ "server", spool_rec_server, 0 },
	{ "start", spool_rec_start, 0 },
	{ "C", spool_rec_dialogue, 1 },
	{ "S", spool_rec_dialogue, 1 },
	{ "helo", spool_rec_helo, 0 },
	{ "auth", spool_rec_auth, 0 },
	{ "auth-raw", spool_rec_auth_raw, 0 },
	{ "mail", spool_rec_mail, 0 },
	{ "rcpt", spool_rec_rcpt, 0 },
	{ "rset", spool_rec_rset, 0 },
	{ "data", spool_rec_data, 0 },
	{ "body", spool_rec_body, 0 },
	{ "message", spool_rec_message, 0 },
	{ "cut", spool_rec_cut, 0 },
	{ "end", spool_rec_end, 0 },
};

/* The next text record, NUL-terminated in *buf. 0 at the end, -1 error. */
static int
spool_next_line(struct spool_reader *r, char **buf, size_t *n)
{
	const char *p = r->data + r->pos, *nl;
	size_t left = r->len - r->pos;

	if (left == 0)
		return 0;
	r->line++;
	nl = memchr(p, '\n', left < SPOOL_READ_LINE_MAX ? left :
	    SPOOL_READ_LINE_MAX);
	if (nl == NULL)
		return spool_read_fail(r, left > SPOOL_READ_LINE_MAX ?
		    "record too long" : "last record not ended by a newline");
	*n = (size_t)(nl - p);
	if (memchr(p, '\0', *n) != NULL)
		return spool_read_fail(r, "NUL byte in a record");
	if ((*buf = malloc(*n + 1)) == NULL)
		return spool_read_fail(r, "out of memory");
	memcpy(*buf, p, *n);
	(*buf)[*n] = '\0';
	r->pos += *n + 1;
	return 1;
}

static int
spool_dispatch(struct spool_reader *r, const char *line, size_t n)
{
	const char *sp = strchr(line, ' ');
	size_t klen = sp ? (size_t)(sp - line) : n, i;
	const char *rest = sp ? sp + 1 : line + n;

	if (r->ended)
		return spool_read_fail(r, "record after the end record");
	for (i = 0; i < sizeof(spool_records) / sizeof(spool_records[0]);
	    i++) {
		if (strlen(spool_records[i].keyword) != klen ||
		    strncmp(line, spool_records[i].keyword, klen) != 0)
			continue;
		/* inside DATA: its text, its end, our replies */
		if (r->open != NULL && strcmp(spool_records[i].keyword,
		    "body") != 0 && strcmp(spool_records[i].keyword,
		    "message") != 0 && strcmp(spool_records[i].keyword,
		    "end") != 0 && strcmp(spool_records[i].keyword, "S") != 0)
			return spool_read_fail(r, "%s inside data",
			    spool_records[i].keyword);
		if (spool_records[i].whole_line)
			return spool_records[i].fn(r, line, n);
		return spool_records[i].fn(r, rest,
		    (size_t)(line + n - rest));
	}
	return spool_read_fail(r, "unknown record '%.*s'",
	    (int)(klen > 32 ? 32 : klen), line);
}

static int
spool_read_header(struct spool_reader *r)
{
	char *line = NULL, magic[32];
	size_t n;
	int rc;

	if ((rc = spool_next_line(r, &line, &n)) <= 0)
		return rc == 0 ? spool_read_fail(r, "empty file") : -1;
	snprintf(magic, sizeof(magic), "%s %d", SPOOL_MAGIC, SPOOL_VERSION);
	rc = 0;
	if (strncmp(line, SPOOL_MAGIC " ", strlen(SPOOL_MAGIC) + 1) != 0)
		rc = spool_read_fail(r, "not a spampot spool file");
	else if (strcmp(line, magic) != 0)
		rc = spool_read_fail(r, "unsupported version '%s'",
		    line + strlen(SPOOL_MAGIC) + 1);
	r->s->version = SPOOL_VERSION;
	free(line);
	return rc;
}

/*
 * Parse a whole file held in memory. Returns 0, or -1 with err set to
 * "line N: reason"; s is then freed.
 */
int
spool_read(const char *data, size_t len, struct spool_session *s, char *err,
    size_t errlen)
{
	struct spool_reader r;
	char *line;
	size_t n;
	int rc;

	memset(s, 0, sizeof(*s));
	memset(&r, 0, sizeof(r));
	r.data = data;
	r.len = len;
	r.err = err;
	r.errlen = errlen;
	r.s = s;
	err[0] = '\0';
	rc = spool_read_header(&r);
	while (rc == 0 && (rc = spool_next_line(&r, &line, &n)) == 1) {
		rc = spool_dispatch(&r, line, n);
		free(line);
	}
	if (rc == 0 && !r.ended)
		rc = spool_read_fail(&r, "no end record");
	if (rc == 0 && r.seen != (SEEN_SESSION | SEEN_SENSOR | SEEN_CLIENT |
	    SEEN_SERVER | SEEN_START))
		rc = spool_read_fail(&r, "a header record is missing");
	spool_envelope_clear(&r);
	if (rc != 0) {
		spool_session_clear(s);
		return -1;
	}
	if (s->helo.p == NULL)
		s->helo_verb[0] = '\0';
	return 0;
}

void
spool_session_clear(struct spool_session *s)
{
	size_t i, j;

	spool_str_clear(&s->sensor);
	spool_str_clear(&s->helo);
	for (i = 0; i < s->nauths; i++) {
		spool_str_clear(&s->auths[i].mech);
		spool_str_clear(&s->auths[i].user);
		spool_str_clear(&s->auths[i].pass);
		spool_str_clear(&s->auths[i].authzid);
	}
	free(s->auths);
	for (i = 0; i < s->nmsgs; i++) {
		spool_str_clear(&s->msgs[i].from);
		for (j = 0; j < s->msgs[i].nrcpts; j++)
			spool_str_clear(&s->msgs[i].rcpts[j]);
		free(s->msgs[i].rcpts);
		free(s->msgs[i].body);
	}
	free(s->msgs);
	free(s->transcript);
	memset(s, 0, sizeof(*s));
}
