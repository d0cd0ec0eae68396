/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * spoolfmt: the spool file format of spampot-spool(5) in one place, its
 * writing and its reading side by side (as a format's dump and load
 * belong together): the \xHH escape and its inverse, then for each record
 * its writer and its parser, and the table of records the reader
 * dispatches on. Adding a record means a writer, a parser and a row here,
 * and what the analyzer does with it in spool_read.c.
 *
 * The writers run in the sensor's workers, unprivileged and under seccomp
 * (sandbox_rules.c): they append to a struct buf and nothing else, no
 * system call beyond what malloc needs. The parsers run in the analyzer,
 * unprivileged, on files that hold attacker input: nothing in a line is
 * trusted, and each error is a short reason that the reader puts after
 * "line N: ". A parser is given a record's line NUL-terminated.
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "spoolfmt.h"
#include "util.h"

_Static_assert(SPOOLFMT_BODY_HEADLEN == SPOOLFMT_BODY_AT +
    SPOOL_BODY_DIGITS + 1, "body head width");

/* Where a parser writes why a line is wrong. */
struct spoolfmt_in {
	char	*err;
	size_t	 errlen;
};

static int spoolfmt_fail(struct spoolfmt_in *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static int
spoolfmt_fail(struct spoolfmt_in *in, const char *fmt, ...)
{
	va_list ap;

	if (in->errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(in->err, in->errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* --- the escape and its inverse ------------------------------------------ */

/*
 * Copy src to dst with every byte outside printable ASCII, and the
 * backslash, written as \xHH; with SPOOLFMT_ESC_SPACE the space too, so
 * the result is one whitespace-free token; with SPOOLFMT_ESC_KEEP_BS the
 * backslash as it is (a line escaped once already, by a worker, is not
 * escaped twice). The result is always NUL-terminated and is cut at a
 * whole escape when dst is too small. Returns its length. Log lines use
 * it for what a peer sent too, so that nothing an attacker sends can
 * forge one.
 */
size_t
spoolfmt_escape(char *dst, size_t dstlen, const char *src, size_t srclen,
    int flags)
{
	size_t i, o = 0;
	unsigned char c;

	if (dstlen == 0)
		return 0;
	for (i = 0; i < srclen; i++) {
		c = (unsigned char)src[i];
		if (c > 0x20 && c < 0x7f && (c != '\\' ||
		    (flags & SPOOLFMT_ESC_KEEP_BS))) {
			if (o + 1 >= dstlen)
				break;
			dst[o++] = (char)c;
		} else if (c == ' ' && !(flags & SPOOLFMT_ESC_SPACE)) {
			if (o + 1 >= dstlen)
				break;
			dst[o++] = (char)c;
		} else {
			if (o + 4 >= dstlen)
				break;
			dst[o++] = '\\';
			dst[o++] = 'x';
			dst[o++] = util_hexdigits[c >> 4];
			dst[o++] = util_hexdigits[c & 15];
		}
	}
	dst[o] = '\0';
	return o;
}

/*
 * The inverse of spoolfmt_escape(flags): n bytes of src into dst (room
 * for n + 1), "\xHH" back to its byte, NUL-terminated. Any other use of
 * a backslash, a byte outside printable ASCII, or with
 * SPOOLFMT_ESC_SPACE a space, is an error: -1 with *bad the byte, or -1
 * for a bad escape. Returns the length.
 */
ssize_t
spoolfmt_unescape(char *dst, const char *src, size_t n, int flags, int *bad)
{
	size_t i, o = 0;
	int hi, lo;
	unsigned char c;

	for (i = 0; i < n; i++) {
		c = (unsigned char)src[i];
		if (c == '\\') {
			if (n - i < 4 || src[i + 1] != 'x' ||
			    (hi = util_hexval(src[i + 2], UTIL_HEX_LOWER)) < 0 ||
			    (lo = util_hexval(src[i + 3], UTIL_HEX_LOWER)) < 0) {
				*bad = -1;
				return -1;
			}
			dst[o++] = (char)(hi << 4 | lo);
			i += 3;
		} else if (c < 0x20 || c > 0x7e ||
		    (c == ' ' && (flags & SPOOLFMT_ESC_SPACE))) {
			*bad = c;
			return -1;
		} else
			dst[o++] = (char)c;
	}
	dst[o] = '\0';
	return (ssize_t)o;
}

/* n bytes of a record, unescaped into out (malloc'd). */
static int
spoolfmt_str(struct spoolfmt_in *in, const char *p, size_t n, int flags,
    struct spool_str *out)
{
	ssize_t len;
	int bad;

	if ((out->p = malloc(n + 1)) == NULL)
		return spoolfmt_fail(in, "out of memory");
	if ((len = spoolfmt_unescape(out->p, p, n, flags, &bad)) == -1) {
		free(out->p);
		out->p = NULL;
		if (bad == -1)
			return spoolfmt_fail(in, "bad escape");
		return spoolfmt_fail(in, "unescaped byte 0x%02x", bad);
	}
	out->len = (size_t)len;
	return 0;
}

/* Free what a string read from a file holds. */
void
spoolfmt_str_clear(struct spool_str *s)
{
	free(s->p);
	s->p = NULL;
	s->len = 0;
}

/* --- what writers and parsers share -------------------------------------- */

/* A record's end: its line feed, or the buffer as it was before it. */
static int
spoolfmt_done(struct buf *b, size_t mark, int rc)
{
	if (rc == 0 && buf_append(b, "\n", 1) == 0)
		return 0;
	b->len = mark;
	return -1;
}

/* Escaped bytes into the buffer, at most max - 1 of them. */
static int
spoolfmt_put_max(struct buf *b, const char *p, size_t n, int flags,
    size_t max)
{
	if (buf_reserve(b, max) == -1)
		return -1;
	b->len += spoolfmt_escape(b->data + b->len, max, p, n, flags);
	return 0;
}

/* One token of peer bytes (its spaces escaped too). */
static int
spoolfmt_put_token(struct buf *b, const char *p, size_t n)
{
	return spoolfmt_put_max(b, p, n, SPOOLFMT_ESC_SPACE,
	    SPOOLFMT_ESCAPED_MAX(n));
}

static int
spoolfmt_put(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

/* Find "key=" among the space-separated fields of a record. */
static int
spoolfmt_field(struct spoolfmt_in *in, const char *rest, const char *key,
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
		return spoolfmt_fail(in, "missing %s=", key);
	return 0;
}

/* A token field; one not required that is not there reads as empty. */
static int
spoolfmt_field_str(struct spoolfmt_in *in, const char *rest, const char *key,
    struct spool_str *out, int required)
{
	const char *v;
	size_t n;
	int rc;

	if ((rc = spoolfmt_field(in, rest, key, &v, &n, required)) <= 0) {
		if (rc == 0 && (out->p = strdup("")) == NULL)
			return spoolfmt_fail(in, "out of memory");
		return rc;
	}
	return spoolfmt_str(in, v, n, SPOOLFMT_ESC_SPACE, out);
}

static int
spoolfmt_field_num(struct spoolfmt_in *in, const char *rest, const char *key,
    unsigned long long max, unsigned long long *out)
{
	const char *v;
	char *end;
	size_t n;

	if (spoolfmt_field(in, rest, key, &v, &n, 1) == -1)
		return -1;
	if (n == 0 || n > 20 || !isdigit((unsigned char)*v))
		return spoolfmt_fail(in, "bad number for %s", key);
	errno = 0;
	*out = strtoull(v, &end, 10);
	if (errno != 0 || end != v + n || *out > max)
		return spoolfmt_fail(in, "bad number for %s", key);
	return 0;
}

/* A short field into a fixed buffer: letters, digits and allowed. */
static int
spoolfmt_field_word(struct spoolfmt_in *in, const char *rest, const char *key,
    char *dst, size_t dstlen, const char *allowed)
{
	const char *v;
	size_t n, i;

	if (spoolfmt_field(in, rest, key, &v, &n, 1) == -1)
		return -1;
	if (n == 0 || n >= dstlen)
		return spoolfmt_fail(in, "bad %s", key);
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)v[i]) && strchr(allowed, v[i]) == NULL)
			return spoolfmt_fail(in, "bad %s", key);
	memcpy(dst, v, n);
	dst[n] = '\0';
	return 0;
}

/* 2026-11-26T16:11:16.123456Z, into dst (32 bytes). */
static int
spoolfmt_time(struct spoolfmt_in *in, const char *t, size_t n, char *dst)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:dd.ddddddZ";
	size_t i;

	if (n != sizeof(shape) - 1)
		return spoolfmt_fail(in, "bad time");
	for (i = 0; i < n; i++) {
		if (shape[i] == 'd' ? !isdigit((unsigned char)t[i]) :
		    t[i] != shape[i])
			return spoolfmt_fail(in, "bad time");
	}
	memcpy(dst, t, n);
	dst[n] = '\0';
	return 0;
}

/* --- the header ---------------------------------------------------------- */

int
spoolfmt_magic(struct buf *b)
{
	return buf_appendf(b, "%s %d\n", SPOOL_MAGIC,
	    SPOOL_VERSION);
}

/* The first line: this format, this version. */
int
spoolfmt_parse_magic(const char *line, char *err, size_t errlen)
{
	struct spoolfmt_in in = { err, errlen };
	char magic[32];

	snprintf(magic, sizeof(magic), "%s %d", SPOOL_MAGIC, SPOOL_VERSION);
	if (strncmp(line, SPOOL_MAGIC " ", strlen(SPOOL_MAGIC) + 1) != 0)
		return spoolfmt_fail(&in, "not a spampot spool file");
	if (strcmp(line, magic) != 0)
		return spoolfmt_fail(&in, "unsupported version '%s'",
		    line + strlen(SPOOL_MAGIC) + 1);
	return 0;
}

int
spoolfmt_session(struct buf *b, const char *id)
{
	return buf_appendf(b, "%s %s\n",
	    spoolfmt_name(SPOOLFMT_SESSION), id);
}

static int
spoolfmt_parse_session(struct spoolfmt_in *in, const char *rest, size_t n,
    struct spoolfmt_rec *rec)
{
	size_t i;

	if (n != 16)
		return spoolfmt_fail(in, "bad session id");
	for (i = 0; i < n; i++)
		if (util_hexval(rest[i], UTIL_HEX_LOWER) < 0)
			return spoolfmt_fail(in, "bad session id");
	memcpy(rec->u.session, rest, n);
	rec->u.session[n] = '\0';
	return 0;
}

/* The configured name, one token of at most SPOOLFMT_SENSOR_MAX bytes. */
int
spoolfmt_sensor(struct buf *b, const char *name, size_t len)
{
	size_t mark = b->len, max = SPOOLFMT_ESCAPED_MAX(len);

	if (max > SPOOLFMT_SENSOR_MAX + 1)
		max = SPOOLFMT_SENSOR_MAX + 1;
	if (spoolfmt_put(b, spoolfmt_name(SPOOLFMT_SENSOR)) == -1 ||
	    spoolfmt_put(b, " ") == -1 ||
	    spoolfmt_put_max(b, name, len, SPOOLFMT_ESC_SPACE, max) == -1)
		return spoolfmt_done(b, mark, -1);
	return spoolfmt_done(b, mark, 0);
}

static int
spoolfmt_parse_sensor(struct spoolfmt_in *in, const char *rest, size_t n,
    struct spoolfmt_rec *rec)
{
	return spoolfmt_str(in, rest, n, SPOOLFMT_ESC_SPACE, &rec->u.sensor);
}

static int
spoolfmt_endpoint(struct buf *b, enum spoolfmt_type t, const char *ip,
    unsigned port)
{
	return buf_appendf(b, "%s %s %u\n",
	    spoolfmt_name(t), ip, port);
}

int
spoolfmt_client(struct buf *b, const char *ip, unsigned port)
{
	return spoolfmt_endpoint(b, SPOOLFMT_CLIENT, ip, port);
}

int
spoolfmt_server(struct buf *b, const char *ip, unsigned port)
{
	return spoolfmt_endpoint(b, SPOOLFMT_SERVER, ip, port);
}

/* "IP PORT" of the client and server records. */
static int
spoolfmt_parse_endpoint(struct spoolfmt_in *in, const char *rest, size_t n,
    struct spoolfmt_rec *rec)
{
	unsigned char addr[16];
	const char *sp = strchr(rest, ' ');
	char *ip = rec->u.endpoint.ip, *end;
	unsigned long long v;

	if (sp == NULL || (n = (size_t)(sp - rest)) == 0 ||
	    n >= sizeof(rec->u.endpoint.ip))
		return spoolfmt_fail(in, "expected an address and a port");
	memcpy(ip, rest, n);
	ip[n] = '\0';
	if (inet_pton(AF_INET, ip, addr) != 1 &&
	    inet_pton(AF_INET6, ip, addr) != 1 && strcmp(ip, "-") != 0 &&
	    strcmp(ip, "unknown") != 0)
		return spoolfmt_fail(in, "bad address");
	errno = 0;
	v = strtoull(sp + 1, &end, 10);
	if (!isdigit((unsigned char)sp[1]) || *end != '\0' || errno != 0 ||
	    v > 65535)
		return spoolfmt_fail(in, "bad port");
	rec->u.endpoint.port = (unsigned)v;
	return 0;
}

int
spoolfmt_start(struct buf *b, const char *stamp)
{
	return buf_appendf(b, "%s %s\n",
	    spoolfmt_name(SPOOLFMT_START), stamp);
}

static int
spoolfmt_parse_start(struct spoolfmt_in *in, const char *rest, size_t n,
    struct spoolfmt_rec *rec)
{
	return spoolfmt_time(in, rest, n, rec->u.start);
}

/* --- the transcript ------------------------------------------------------ */

/* Decimal digits of v into dst (no terminator); returns their count. */
static size_t
spoolfmt_digits(char *dst, unsigned long long v)
{
	char tmp[24];
	size_t n = 0, i;

	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	for (i = 0; i < n; i++)
		dst[i] = tmp[n - 1 - i];
	return n;
}

/*
 * One line of the dialogue, ms after the session's start: 'C' from the
 * client, 'S' from us, as "C <s>.<ms> <eol> <line>" or "S <s>.<ms>
 * <line>". The commonest record by far: put together by hand, the line
 * escaped straight into the buffer.
 */
int
spoolfmt_transcript(struct buf *b, char dir, uint64_t ms, const char *eol,
    const char *line, size_t len)
{
	size_t eollen = dir == 'C' && eol != NULL ? strlen(eol) : 0, room;
	char *p;

	room = 2 + 21 + 4 + eollen + 1 + SPOOLFMT_ESCAPED_MAX(len) + 1;
	if (buf_reserve(b, room) == -1)
		return -1;
	p = b->data + b->len;
	*p++ = dir;
	*p++ = ' ';
	p += spoolfmt_digits(p, ms / 1000);
	*p++ = '.';
	*p++ = (char)('0' + ms % 1000 / 100);
	*p++ = (char)('0' + ms % 100 / 10);
	*p++ = (char)('0' + ms % 10);
	*p++ = ' ';
	if (eollen > 0) {
		memcpy(p, eol, eollen);
		p += eollen;
		*p++ = ' ';
	}
	p += spoolfmt_escape(p, SPOOLFMT_ESCAPED_MAX(len), line, len, 0);
	*p++ = '\n';
	b->len = (size_t)(p - b->data);
	return 0;
}

/* C and S: given the whole line; the reader keeps it as it is. */
static int
spoolfmt_parse_line(struct spoolfmt_in *in, const char *line, size_t n,
    struct spoolfmt_rec *rec)
{
	const char *p = line + 2, *end = line + n, *text;
	size_t eollen;

	while (p < end && (isdigit((unsigned char)*p) || *p == '.'))
		p++;
	if (p == line + 2 || (p < end && *p != ' '))
		return spoolfmt_fail(in, "bad time in dialogue line");
	text = p < end ? p + 1 : p;
	if (line[0] == 'C') {
		if (strncmp(text, "crlf ", 5) != 0 && strncmp(text, "lf ", 3) &&
		    strncmp(text, "long ", 5) && strncmp(text, "none ", 5) &&
		    strcmp(text, "crlf") && strcmp(text, "lf"))
			return spoolfmt_fail(in, "bad line end in C record");
		eollen = strcspn(text, " ");
		memcpy(rec->u.line.eol, text, eollen);
		rec->u.line.eol[eollen] = '\0';
		text += eollen + (text[eollen] == ' ');
	}
	return spoolfmt_str(in, text, (size_t)(end - text), 0,
	    &rec->u.line.text);
}

/* --- session events ------------------------------------------------------ */

int
spoolfmt_helo(struct buf *b, const char *verb, const char *name, size_t len)
{
	size_t mark = b->len;

	if (buf_appendf(b, "%s verb=%s name=", spoolfmt_name(SPOOLFMT_HELO),
	    verb) == -1 || spoolfmt_put_token(b, name, len) == -1)
		return spoolfmt_done(b, mark, -1);
	return spoolfmt_done(b, mark, 0);
}

static int
spoolfmt_parse_helo(struct spoolfmt_in *in, const char *rest, size_t n,
    struct spoolfmt_rec *rec)
{
	if (spoolfmt_field_word(in, rest, "verb", rec->u.helo.verb,
	    sizeof(rec->u.helo.verb), "") == -1)
		return -1;
	if (strcmp(rec->u.helo.verb, "HELO") != 0 &&
	    strcmp(rec->u.helo.verb, "EHLO") != 0)
		return spoolfmt_fail(in, "bad helo verb");
	return spoolfmt_field_str(in, rest, "name", &rec->u.helo.name, 1);
}

int
spoolfmt_auth(struct buf *b, const struct spoolfmt_auth *a)
{
	size_t mark = b->len;

	if (buf_appendf(b, "%s mech=", spoolfmt_name(SPOOLFMT_AUTH)) == -1 ||
	    spoolfmt_put_token(b, a->mech, strlen(a->mech)) == -1 ||
	    buf_appendf(b, " status=%s user=", a->status) == -1 ||
	    spoolfmt_put_token(b, a->user, a->user_len) == -1 ||
	    spoolfmt_put(b, " pass=") == -1 ||
	    spoolfmt_put_token(b, a->pass, a->pass_len) == -1 ||
	    spoolfmt_put(b, " authzid=") == -1 ||
	    spoolfmt_put_token(b, a->authzid, a->authzid_len) == -1)
		return spoolfmt_done(b, mark, -1);
	return spoolfmt_done(b, mark, 0);
}

static int
spoolfmt_parse_auth(struct spoolfmt_in *in, const char *rest, size_t n,
    struct spoolfmt_rec *rec)
{
	if (spoolfmt_field_str(in, rest, "mech", &rec->u.auth.mech, 1) == -1 ||
	    spoolfmt_field_word(in, rest, "status", rec->u.auth.status,
	    sizeof(rec->u.auth.status), "-") == -1 ||
	    spoolfmt_field_str(in, rest, "user", &rec->u.auth.user, 0) == -1 ||
	    spoolfmt_field_str(in, rest, "pass", &rec->u.auth.pass, 0) == -1 ||
	    spoolfmt_field_str(in, rest, "authzid", &rec->u.auth.authzid,
	    0) == -1)
		return -1;
	return 0;
}

/* What an AUTH attempt that did not decode was sent. */
int
spoolfmt_auth_raw(struct buf *b, const char *raw, size_t len)
{
	size_t mark = b->len;

	if (spoolfmt_put(b, spoolfmt_name(SPOOLFMT_AUTH_RAW)) == -1 ||
	    spoolfmt_put(b, " ") == -1 ||
	    spoolfmt_put_token(b, raw, len) == -1)
		return spoolfmt_done(b, mark, -1);
	return spoolfmt_done(b, mark, 0);
}

static int
spoolfmt_parse_auth_raw(struct spoolfmt_in *in, const char *rest, size_t n,
    struct spoolfmt_rec *rec)
{
	return spoolfmt_str(in, rest, n, SPOOLFMT_ESC_SPACE, &rec->u.raw);
}

/* --- the envelope -------------------------------------------------------- */

/* mail from=ADDR, rcpt to=ADDR, each with params=PARAMS when it had some */
static int
spoolfmt_path(struct buf *b, enum spoolfmt_type t, const char *key,
    const char *addr, size_t alen, const char *params, size_t plen)
{
	size_t mark = b->len;

	if (buf_appendf(b, "%s %s=", spoolfmt_name(t), key) == -1 ||
	    spoolfmt_put_token(b, addr, alen) == -1 ||
	    (plen > 0 && (spoolfmt_put(b, " params=") == -1 ||
	    spoolfmt_put_token(b, params, plen) == -1)))
		return spoolfmt_done(b, mark, -1);
	return spoolfmt_done(b, mark, 0);
}

int
spoolfmt_mail(struct buf *b, const char *addr, size_t alen,
    const char *params, size_t plen)
{
	return spoolfmt_path(b, SPOOLFMT_MAIL, "from", addr, alen, params,
	    plen);
}

int
spoolfmt_rcpt(struct buf *b, const char *addr, size_t alen,
    const char *params, size_t plen)
{
	return spoolfmt_path(b, SPOOLFMT_RCPT, "to", addr, alen, params, plen);
}

/* The address; the parameters are no reason to refuse a file (nothing
 * relies on them), so they are read when they are well-formed. */
static int
spoolfmt_parse_path(struct spoolfmt_in *in, const char *rest, const char *key,
    struct spoolfmt_rec *rec)
{
	struct spoolfmt_in quiet = { NULL, 0 };
	const char *v;
	size_t vlen;

	if (spoolfmt_field_str(in, rest, key, &rec->u.path.addr, 1) == -1)
		return -1;
	if (spoolfmt_field(&quiet, rest, "params", &v, &vlen, 0) == 1)
		(void)spoolfmt_str(&quiet, v, vlen, SPOOLFMT_ESC_SPACE,
		    &rec->u.path.params);
	return 0;
}

static int
spoolfmt_parse_mail(struct spoolfmt_in *in, const char *rest, size_t n,
    struct spoolfmt_rec *rec)
{
	return spoolfmt_parse_path(in, rest, "from", rec);
}

static int
spoolfmt_parse_rcpt(struct spoolfmt_in *in, const char *rest, size_t n,
    struct spoolfmt_rec *rec)
{
	return spoolfmt_parse_path(in, rest, "to", rec);
}

int
spoolfmt_rset(struct buf *b)
{
	return buf_appendf(b, "%s\n", spoolfmt_name(SPOOLFMT_RSET));
}

static int
spoolfmt_parse_rset(struct spoolfmt_in *in, const char *rest, size_t n,
    struct spoolfmt_rec *rec)
{
	if (n != 0)
		return spoolfmt_fail(in, "rset takes nothing");
	return 0;
}

/* --- messages ------------------------------------------------------------ */

int
spoolfmt_data(struct buf *b, unsigned n)
{
	return buf_appendf(b, "%s n=%u\n",
	    spoolfmt_name(SPOOLFMT_DATA), n);
}

static int
spoolfmt_parse_data(struct spoolfmt_in *in, const char *rest, size_t n,
    struct spoolfmt_rec *rec)
{
	unsigned long long num;

	if (spoolfmt_field_num(in, rest, "n", 1000000, &num) == -1)
		return -1;
	rec->u.data = (unsigned)num;
	return 0;
}

/*
 * A body record: its line with a length of fixed width, opened at the
 * buffer's end, then the bytes; spoolfmt_body_close (start: where its
 * line begins in the buffer) sets the length and ends it. The width lets
 * a crash's recovery patch the length of a body cut short.
 */
int
spoolfmt_body_open(struct buf *b)
{
	return buf_append(b, SPOOLFMT_BODY_HEAD, SPOOLFMT_BODY_HEADLEN);
}

int
spoolfmt_body_close(struct buf *b, size_t start)
{
	spoolfmt_body_digits(b->data + start + SPOOLFMT_BODY_AT,
	    b->len - start - SPOOLFMT_BODY_HEADLEN);
	return buf_append(b, "\n", 1);
}

/* The length, SPOOL_BODY_DIGITS digits; safe in a signal handler. */
void
spoolfmt_body_digits(char *dst, uint64_t len)
{
	size_t i;

	for (i = SPOOL_BODY_DIGITS; i > 0; i--, len /= 10)
		dst[i - 1] = (char)('0' + len % 10);
}

static int
spoolfmt_parse_body(struct spoolfmt_in *in, const char *rest, size_t n,
    struct spoolfmt_rec *rec)
{
	size_t i;

	if (n != SPOOL_BODY_DIGITS)
		return spoolfmt_fail(in, "bad body length");
	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)rest[i]))
			return spoolfmt_fail(in, "bad body length");
	rec->u.body = strtoull(rest, NULL, 10);
	return 0;
}

/* The end of a message: complete (with its queue id) or not. */
int
spoolfmt_message(struct buf *b, const struct spoolfmt_message *m)
{
	size_t mark = b->len;

	if (buf_appendf(b, "%s n=%u size=%llu stored=%llu truncated=%d "
	    "bare_lf=%u ", spoolfmt_name(SPOOLFMT_MESSAGE), m->n,
	    (unsigned long long)m->size, (unsigned long long)m->stored,
	    m->truncated != 0, m->bare_lf) == -1)
		return spoolfmt_done(b, mark, -1);
	if (m->incomplete)
		return spoolfmt_done(b, mark, spoolfmt_put(b, "incomplete=1"));
	return spoolfmt_done(b, mark, buf_appendf(b, "queue_id=%s",
	    m->queue_id));
}

static int
spoolfmt_parse_message(struct spoolfmt_in *in, const char *rest, size_t n,
    struct spoolfmt_rec *rec)
{
	struct spoolfmt_message *m = &rec->u.message;
	unsigned long long num, size, stored, flag, bare;
	const char *v;
	size_t vlen;

	if (spoolfmt_field_num(in, rest, "n", 1000000, &num) == -1 ||
	    spoolfmt_field_num(in, rest, "size", UINT64_MAX, &size) == -1 ||
	    spoolfmt_field_num(in, rest, "stored", UINT64_MAX, &stored) == -1 ||
	    spoolfmt_field_num(in, rest, "truncated", 1, &flag) == -1 ||
	    spoolfmt_field_num(in, rest, "bare_lf", UINT32_MAX, &bare) == -1)
		return -1;
	m->n = (unsigned)num;
	m->size = size;
	m->stored = stored;
	m->truncated = (int)flag;
	m->bare_lf = (unsigned)bare;
	m->incomplete = spoolfmt_field(in, rest, "incomplete", &v, &vlen,
	    0) == 1;
	if (!m->incomplete && spoolfmt_field_word(in, rest, "queue_id",
	    m->queue_id, sizeof(m->queue_id), "-") == -1)
		return -1;
	return 0;
}

/* The sensor stopped reading the session at max_transcript. */
int
spoolfmt_cut(struct buf *b, uint64_t bytes)
{
	return buf_appendf(b,
	    "%s limit=transcript bytes=%llu\n", spoolfmt_name(SPOOLFMT_CUT),
	    (unsigned long long)bytes);
}

static int
spoolfmt_parse_cut(struct spoolfmt_in *in, const char *rest, size_t n,
    struct spoolfmt_rec *rec)
{
	unsigned long long bytes;

	if (spoolfmt_field_word(in, rest, "limit", rec->u.cut.limit,
	    sizeof(rec->u.cut.limit), "") == -1 ||
	    spoolfmt_field_num(in, rest, "bytes", UINT64_MAX, &bytes) == -1)
		return -1;
	if (strcmp(rec->u.cut.limit, "transcript") != 0)
		return spoolfmt_fail(in, "bad limit");
	rec->u.cut.bytes = bytes;
	return 0;
}

int
spoolfmt_end(struct buf *b, const char *stamp, const char *reason)
{
	return buf_appendf(b, "%s %s reason=%s\n",
	    spoolfmt_name(SPOOLFMT_END), stamp, reason);
}

static int
spoolfmt_parse_end(struct spoolfmt_in *in, const char *rest, size_t n,
    struct spoolfmt_rec *rec)
{
	const char *sp = strchr(rest, ' ');

	if (spoolfmt_time(in, rest, sp ? (size_t)(sp - rest) : n,
	    rec->u.end.time) == -1)
		return -1;
	return spoolfmt_field_word(in, sp ? sp + 1 : "", "reason",
	    rec->u.end.reason, sizeof(rec->u.end.reason), "");
}

/* --- TLS ----------------------------------------------------------------- */

/* " key=" and up to SPOOLFMT_TLS_LIST_MAX numbers joined by ','. */
static int
spoolfmt_put_list(struct buf *b, const char *key, const uint16_t *v,
    size_t n, int *cut)
{
	size_t i;

	if (n > SPOOLFMT_TLS_LIST_MAX) {
		n = SPOOLFMT_TLS_LIST_MAX;
		*cut = 1;
	}
	if (buf_appendf(b, " %s=", key) == -1)
		return -1;
	for (i = 0; i < n; i++)
		if (buf_appendf(b, i ? ",%u" : "%u", (unsigned)v[i]) == -1)
			return -1;
	return 0;
}

/* A name of a list: one token, its commas escaped too, at most
 * SPOOLFMT_TLS_NAME_MAX bytes of it. */
static int
spoolfmt_put_name(struct buf *b, const char *p, size_t n, int *cut)
{
	size_t i, from;

	if (n == 0)
		return 0;
	if (n > SPOOLFMT_TLS_NAME_MAX) {
		n = SPOOLFMT_TLS_NAME_MAX;
		*cut = 1;
	}
	for (i = from = 0; i <= n; i++) {
		if (i < n && p[i] != ',')
			continue;
		if (spoolfmt_put_token(b, p + from, i - from) == -1 ||
		    (i < n && spoolfmt_put(b, "\\x2c") == -1))
			return -1;
		from = i + 1;
	}
	return 0;
}

/* The ALPN extension's list (length-prefixed names) as names joined by
 * ','; a name that overruns the list ends it, as cut. */
static int
spoolfmt_put_alpns(struct buf *b, const char *p, size_t n, int *cut)
{
	size_t off = 0, len, count = 0;

	if (spoolfmt_put(b, " alpns=") == -1)
		return -1;
	while (off < n) {
		len = (unsigned char)p[off];
		if (off + 1 + len > n || count == SPOOLFMT_TLS_LIST_MAX) {
			*cut = 1;
			break;
		}
		if ((count++ > 0 && spoolfmt_put(b, ",") == -1) ||
		    spoolfmt_put_name(b, p + off + 1, len, cut) == -1)
			return -1;
		off += 1 + len;
	}
	return 0;
}

static int
spoolfmt_put_hello(struct buf *b, const struct spoolfmt_hello *h)
{
	uint16_t pf[SPOOLFMT_TLS_LIST_MAX];
	size_t i, npf = h->npoint_formats;
	int cut = 0;

	if (npf > SPOOLFMT_TLS_LIST_MAX) {
		npf = SPOOLFMT_TLS_LIST_MAX;
		cut = 1;
	}
	for (i = 0; i < npf; i++)
		pf[i] = h->point_formats[i];
	if (spoolfmt_put(b, " sni=") == -1 ||
	    spoolfmt_put_name(b, h->sni, h->sni_len, &cut) == -1 ||
	    spoolfmt_put_alpns(b, h->alpn, h->alpn_len, &cut) == -1 ||
	    buf_appendf(b, " hello_version=%u", h->legacy_version) == -1 ||
	    spoolfmt_put_list(b, "ciphers", h->ciphers, h->nciphers,
	    &cut) == -1 ||
	    spoolfmt_put_list(b, "extensions", h->extensions, h->nextensions,
	    &cut) == -1 ||
	    spoolfmt_put_list(b, "groups", h->groups, h->ngroups, &cut) == -1 ||
	    spoolfmt_put_list(b, "sigalgs", h->sigalgs, h->nsigalgs,
	    &cut) == -1 ||
	    spoolfmt_put_list(b, "point_formats", pf, npf, &cut) == -1 ||
	    spoolfmt_put_list(b, "versions", h->versions, h->nversions,
	    &cut) == -1)
		return -1;
	return buf_appendf(b, " cut=%d", cut);
}

/* A handshake's outcome: tls when t->version is set, else tls-fail. */
int
spoolfmt_tls(struct buf *b, const struct spoolfmt_tls *t)
{
	size_t mark = b->len;
	int rc, cut = 0;

	if (t->version != NULL)
		rc = buf_appendf(b, "%s version=%s cipher=",
		    spoolfmt_name(SPOOLFMT_TLS), t->version) == -1 ||
		    spoolfmt_put_token(b, t->cipher ? t->cipher : "",
		    t->cipher ? strlen(t->cipher) : 0) == -1 ||
		    spoolfmt_put(b, " alpn=") == -1 ||
		    spoolfmt_put_name(b, t->alpn, t->alpn ? t->alpn_len : 0,
		    &cut) == -1;
	else
		rc = buf_appendf(b, "%s stage=%s reason=",
		    spoolfmt_name(SPOOLFMT_TLS_FAIL), t->stage) == -1 ||
		    spoolfmt_put_token(b, t->reason, strlen(t->reason)) == -1 ||
		    buf_appendf(b, " bytes=%llu",
		    (unsigned long long)t->bytes) == -1;
	if (rc == 0 && t->hello != NULL)
		rc = spoolfmt_put_hello(b, t->hello);
	return spoolfmt_done(b, mark, rc ? -1 : 0);
}

/* A list of numbers, each at most max, as in the file into out. */
static int
spoolfmt_field_list(struct spoolfmt_in *in, const char *rest,
    const char *key, unsigned long max, struct spool_str *out)
{
	const char *v, *p;
	unsigned long x = 0;
	size_t n, count = 0, digits = 0;

	if (spoolfmt_field(in, rest, key, &v, &n, 1) == -1)
		return -1;
	for (p = v; p <= v + n; p++) {
		if (p < v + n && isdigit((unsigned char)*p)) {
			x = x * 10 + (unsigned long)(*p - '0');
			if (++digits > 5 || x > max)
				return spoolfmt_fail(in, "bad %s", key);
			continue;
		}
		if ((p < v + n && *p != ',') || (digits == 0 && n > 0) ||
		    (n > 0 && ++count > SPOOLFMT_TLS_LIST_MAX))
			return spoolfmt_fail(in, "bad %s", key);
		x = 0;
		digits = 0;
	}
	if ((out->p = strndup(v, n)) == NULL)
		return spoolfmt_fail(in, "out of memory");
	out->len = n;
	return 0;
}

/* The alpns field as in the file, once checked that it unescapes. */
static int
spoolfmt_field_escaped(struct spoolfmt_in *in, const char *rest,
    const char *key, struct spool_str *out)
{
	struct spool_str check;
	const char *v;
	size_t n;

	if (spoolfmt_field(in, rest, key, &v, &n, 1) == -1 ||
	    spoolfmt_str(in, v, n, SPOOLFMT_ESC_SPACE, &check) == -1)
		return -1;
	spoolfmt_str_clear(&check);
	if ((out->p = strndup(v, n)) == NULL)
		return spoolfmt_fail(in, "out of memory");
	out->len = n;
	return 0;
}

static int
spoolfmt_parse_hello(struct spoolfmt_in *in, const char *rest,
    struct spoolfmt_rec *rec)
{
	unsigned long long version, cut;

	rec->u.tls.has_hello = 1;
	if (spoolfmt_field_str(in, rest, "sni", &rec->u.tls.sni, 1) == -1 ||
	    spoolfmt_field_escaped(in, rest, "alpns", &rec->u.tls.alpns) == -1 ||
	    spoolfmt_field_num(in, rest, "hello_version", 0xffff,
	    &version) == -1 ||
	    spoolfmt_field_list(in, rest, "ciphers", 0xffff,
	    &rec->u.tls.ciphers) == -1 ||
	    spoolfmt_field_list(in, rest, "extensions", 0xffff,
	    &rec->u.tls.extensions) == -1 ||
	    spoolfmt_field_list(in, rest, "groups", 0xffff,
	    &rec->u.tls.groups) == -1 ||
	    spoolfmt_field_list(in, rest, "sigalgs", 0xffff,
	    &rec->u.tls.sigalgs) == -1 ||
	    spoolfmt_field_list(in, rest, "point_formats", 0xff,
	    &rec->u.tls.point_formats) == -1 ||
	    spoolfmt_field_list(in, rest, "versions", 0xffff,
	    &rec->u.tls.versions) == -1 ||
	    spoolfmt_field_num(in, rest, "cut", 1, &cut) == -1)
		return -1;
	rec->u.tls.hello_version = (unsigned)version;
	rec->u.tls.cut = (int)cut;
	return 0;
}

static int
spoolfmt_parse_tls(struct spoolfmt_in *in, const char *rest, size_t n,
    struct spoolfmt_rec *rec)
{
	if (spoolfmt_field_word(in, rest, "version", rec->u.tls.version,
	    sizeof(rec->u.tls.version), ".") == -1 ||
	    spoolfmt_field_str(in, rest, "cipher", &rec->u.tls.cipher,
	    1) == -1 ||
	    spoolfmt_field_str(in, rest, "alpn", &rec->u.tls.alpn, 1) == -1)
		return -1;
	return spoolfmt_parse_hello(in, rest, rec);
}

static int
spoolfmt_parse_tls_fail(struct spoolfmt_in *in, const char *rest, size_t n,
    struct spoolfmt_rec *rec)
{
	unsigned long long bytes;
	const char *v;
	size_t vlen;

	if (spoolfmt_field_word(in, rest, "stage", rec->u.tls.stage,
	    sizeof(rec->u.tls.stage), "-") == -1 ||
	    spoolfmt_field_str(in, rest, "reason", &rec->u.tls.reason,
	    1) == -1 ||
	    spoolfmt_field_num(in, rest, "bytes", UINT64_MAX, &bytes) == -1)
		return -1;
	rec->u.tls.bytes = bytes;
	if (spoolfmt_field(in, rest, "hello_version", &v, &vlen, 0) == 0)
		return 0;
	return spoolfmt_parse_hello(in, rest, rec);
}

/* --- the table ----------------------------------------------------------- */

#define SPOOLFMT_WHOLE_LINE	1	/* the parser gets the whole line */
#define SPOOLFMT_IN_DATA	2	/* may come between data and message */

static const struct {
	const char	*name;
	int		(*parse)(struct spoolfmt_in *, const char *, size_t,
			    struct spoolfmt_rec *);
	unsigned	 flags;
	const char	*outside;	/* only inside DATA: why not here */
} spoolfmt_records[SPOOLFMT_NTYPES] = {
	[SPOOLFMT_SESSION] = { "session", spoolfmt_parse_session, 0, NULL },
	[SPOOLFMT_SENSOR] = { "sensor", spoolfmt_parse_sensor, 0, NULL },
	[SPOOLFMT_CLIENT] = { "client", spoolfmt_parse_endpoint, 0, NULL },
	[SPOOLFMT_SERVER] = { "server", spoolfmt_parse_endpoint, 0, NULL },
	[SPOOLFMT_START] = { "start", spoolfmt_parse_start, 0, NULL },
	/* the commands between the chunks of a BDAT message */
	[SPOOLFMT_C] = { "C", spoolfmt_parse_line, SPOOLFMT_WHOLE_LINE |
	    SPOOLFMT_IN_DATA, NULL },
	/* our replies to the message text (a size limit) or its chunks */
	[SPOOLFMT_S] = { "S", spoolfmt_parse_line, SPOOLFMT_WHOLE_LINE |
	    SPOOLFMT_IN_DATA, NULL },
	[SPOOLFMT_HELO] = { "helo", spoolfmt_parse_helo, 0, NULL },
	[SPOOLFMT_AUTH] = { "auth", spoolfmt_parse_auth, 0, NULL },
	[SPOOLFMT_AUTH_RAW] = { "auth-raw", spoolfmt_parse_auth_raw, 0,
	    NULL },
	[SPOOLFMT_MAIL] = { "mail", spoolfmt_parse_mail, 0, NULL },
	[SPOOLFMT_RCPT] = { "rcpt", spoolfmt_parse_rcpt, 0, NULL },
	[SPOOLFMT_RSET] = { "rset", spoolfmt_parse_rset, 0, NULL },
	[SPOOLFMT_DATA] = { "data", spoolfmt_parse_data, 0, NULL },
	[SPOOLFMT_BODY] = { "body", spoolfmt_parse_body, SPOOLFMT_IN_DATA,
	    "body outside data" },
	[SPOOLFMT_MESSAGE] = { "message", spoolfmt_parse_message,
	    SPOOLFMT_IN_DATA, "message without data" },
	/* the transcript limit, reached between BDAT chunks */
	[SPOOLFMT_CUT] = { "cut", spoolfmt_parse_cut, SPOOLFMT_IN_DATA,
	    NULL },
	/* a session that ended in DATA */
	[SPOOLFMT_END] = { "end", spoolfmt_parse_end, SPOOLFMT_IN_DATA,
	    NULL },
	[SPOOLFMT_TLS] = { "tls", spoolfmt_parse_tls, 0, NULL },
	[SPOOLFMT_TLS_FAIL] = { "tls-fail", spoolfmt_parse_tls_fail, 0, NULL },
};

const char *
spoolfmt_name(enum spoolfmt_type t)
{
	return (size_t)t < SPOOLFMT_NTYPES ? spoolfmt_records[t].name : "";
}

/*
 * One record's line (n bytes, NUL-terminated, no line feed): its type
 * and fields into rec, which spoolfmt_rec_clear frees. in_data: between
 * a data record and its message, where few records may come. Returns 0,
 * or -1 with err set to the reason.
 */
int
spoolfmt_parse(const char *line, size_t n, int in_data,
    struct spoolfmt_rec *rec, char *err, size_t errlen)
{
	struct spoolfmt_in in = { err, errlen };
	const char *sp = strchr(line, ' ');
	size_t klen = sp ? (size_t)(sp - line) : n;
	const char *rest = sp ? sp + 1 : line + n, *name;
	int t;

	memset(rec, 0, sizeof(*rec));
	for (t = 0; t < SPOOLFMT_NTYPES; t++) {
		name = spoolfmt_records[t].name;
		if (strlen(name) == klen && strncmp(line, name, klen) == 0)
			break;
	}
	if (t == SPOOLFMT_NTYPES)
		return spoolfmt_fail(&in, "unknown record '%.*s'",
		    (int)(klen > 32 ? 32 : klen), line);
	if (in_data && !(spoolfmt_records[t].flags & SPOOLFMT_IN_DATA))
		return spoolfmt_fail(&in, "%s inside data", name);
	if (!in_data && spoolfmt_records[t].outside != NULL)
		return spoolfmt_fail(&in, "%s", spoolfmt_records[t].outside);
	rec->type = (enum spoolfmt_type)t;
	if ((spoolfmt_records[t].flags & SPOOLFMT_WHOLE_LINE ?
	    spoolfmt_records[t].parse(&in, line, n, rec) :
	    spoolfmt_records[t].parse(&in, rest, (size_t)(line + n - rest),
	    rec)) == -1) {
		spoolfmt_rec_clear(rec);
		return -1;
	}
	return 0;
}

/* Free the strings a parsed record still holds. */
void
spoolfmt_rec_clear(struct spoolfmt_rec *rec)
{
	switch (rec->type) {
	case SPOOLFMT_SENSOR:
		spoolfmt_str_clear(&rec->u.sensor);
		break;
	case SPOOLFMT_C:
	case SPOOLFMT_S:
		spoolfmt_str_clear(&rec->u.line.text);
		break;
	case SPOOLFMT_HELO:
		spoolfmt_str_clear(&rec->u.helo.name);
		break;
	case SPOOLFMT_AUTH:
		spoolfmt_str_clear(&rec->u.auth.mech);
		spoolfmt_str_clear(&rec->u.auth.user);
		spoolfmt_str_clear(&rec->u.auth.pass);
		spoolfmt_str_clear(&rec->u.auth.authzid);
		break;
	case SPOOLFMT_AUTH_RAW:
		spoolfmt_str_clear(&rec->u.raw);
		break;
	case SPOOLFMT_MAIL:
	case SPOOLFMT_RCPT:
		spoolfmt_str_clear(&rec->u.path.addr);
		spoolfmt_str_clear(&rec->u.path.params);
		break;
	case SPOOLFMT_TLS:
	case SPOOLFMT_TLS_FAIL:
		spoolfmt_str_clear(&rec->u.tls.cipher);
		spoolfmt_str_clear(&rec->u.tls.alpn);
		spoolfmt_str_clear(&rec->u.tls.reason);
		spoolfmt_str_clear(&rec->u.tls.sni);
		spoolfmt_str_clear(&rec->u.tls.alpns);
		spoolfmt_str_clear(&rec->u.tls.ciphers);
		spoolfmt_str_clear(&rec->u.tls.extensions);
		spoolfmt_str_clear(&rec->u.tls.groups);
		spoolfmt_str_clear(&rec->u.tls.sigalgs);
		spoolfmt_str_clear(&rec->u.tls.point_formats);
		spoolfmt_str_clear(&rec->u.tls.versions);
		break;
	default:
		break;
	}
}
