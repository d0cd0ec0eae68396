/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * extract: the values the analyzer counts in one message (mime.c's result):
 * email addresses, URLs and their hosts, registrable domains (libpsl), IPv4
 * and IPv6 addresses, the subject, and the analyst's own PCRE2 patterns.
 * Runs in the analyzer only, unprivileged and away from the network.
 *
 * Everything it reads is valid UTF-8 already, and every value is a whole
 * match on it (or built from one), so every value is valid UTF-8 too.
 * Where each kind is looked for:
 *   email    headers (not the message-id kind), texts, and HTML: its
 *            visible text and its mailto: links; not inside a URL
 *   url      texts, and HTML: href= and src= values and its visible text
 *   domain   the registrable domain of each URL's host and address
 *   ip       headers and texts
 *   pattern  headers, texts and HTML source
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <libpsl.h>
#include <pcre2.h>

#include "buf.h"
#include "conf.h"
#include "extract.h"
#include "mime.h"
#include "util.h"

#define EXTRACT_MAX_VALUE	2048	/* longer URLs, addresses: junk */
#define EXTRACT_MATCH_LIMIT	10000000	/* per pcre2_match() call */
#define EXTRACT_JIT_STACK_MIN	(32 * 1024)
#define EXTRACT_JIT_STACK_MAX	(1024 * 1024)
#define EXTRACT_OVECTOR		16

enum { RE_EMAIL, RE_URL, RE_IP4, RE_IP6, RE_ATTR, RE_COUNT };

/* Compiled with PCRE2_UTF | PCRE2_UCP | PCRE2_CASELESS. */
static const char *const extract_builtin[RE_COUNT] = {
	/* local@domain: the usual characters, then labels and a TLD */
	[RE_EMAIL] = "(?<![\\p{L}\\p{N}_%+-])[\\p{L}\\p{N}_%+-]"
	    "(?:[\\p{L}\\p{N}._%+-]{0,62}[\\p{L}\\p{N}_%+-])?@"
	    "(?:[\\p{L}\\p{N}](?:[\\p{L}\\p{N}-]{0,61}[\\p{L}\\p{N}])?\\.)"
	    "{1,126}(?:xn--[a-z0-9-]{1,59}|\\p{L}{2,63})",
	/* up to white space, quotes, angle brackets, U+200B/FEFF/FFFD */
	[RE_URL] = "(?:\\b(?:https?|ftp)://|(?<![\\p{L}\\p{N}_.@/-])www\\.)"
	    "[^\\s<>\"'\\x{200B}\\x{FEFF}\\x{FFFD}]+",
	/* not in a word ("v1.2.3.4"), a longer dotted number or an IPv6 */
	[RE_IP4] = "(?<![\\p{L}\\p{N}_])(?<![0-9]\\.)(?<![0-9a-f]:)(?<!::)"
	    "(?:[0-9]{1,3}\\.){3}[0-9]{1,3}(?![\\p{L}\\p{N}_])(?!\\.[0-9])",
	/* not inside a word, except an address literal's "IPv6:" */
	[RE_IP6] = "(?:(?<=ipv6:)|(?<![\\p{L}\\p{N}_:.]))"
	    "(?:[0-9a-f]{0,4}:){2,7}"
	    "(?:(?:[0-9]{1,3}\\.){3}[0-9]{1,3}|[0-9a-f]{0,4})(?![0-9a-f:])",
	[RE_ATTR] = "(?<![\\p{L}\\p{N}_-])(?:href|src)\\s*=\\s*"
	    "(?:\"([^\"]*)\"|'([^']*)'|([^\\s\"'>]+))",
};

/* Headers whose addresses are message identifiers, not mailboxes. */
static const char *const extract_id_headers[] = {
	"message-id", "references", "in-reply-to", "content-id",
	"resent-message-id", NULL
};

struct extract_pattern {
	char		*name;
	pcre2_code	*code;
	int		 group;		/* the value is capture group 1 */
};

struct extract_patterns {
	pcre2_code		*builtin[RE_COUNT];
	struct extract_pattern	*pats;
	size_t			 npats;
	pcre2_match_context	*mctx;
	pcre2_jit_stack		*jit;
};

/* One message being counted: the result and an index on it. */
struct extract_ctx {
	const struct extract_patterns	*ep;
	pcre2_match_data		*md;
	struct extract_result		*res;
	size_t				 cap;		/* of res->counts */
	uint64_t			*hashes;	/* of res->counts */
	size_t				*slots;		/* index + 1; 0: free */
	size_t				 nslots;	/* a power of 2 */
};

/* Called for each match; ov is the match's ovector. */
typedef int	(*extract_fn)(struct extract_ctx *, const char *,
		    const PCRE2_SIZE *, void *);

/* --- compiling --------------------------------------------------------- */

static pcre2_code *
extract_compile(const char *re, uint32_t flags, int *code, PCRE2_SIZE *off)
{
	pcre2_code *c;

	c = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED,
	    PCRE2_UTF | PCRE2_UCP | flags, code, off, NULL);
	if (c != NULL)
		(void)pcre2_jit_compile(c, PCRE2_JIT_COMPLETE);	/* or not */
	return c;
}

static int
extract_compile_builtins(struct extract_patterns *ep, char *err,
    size_t errlen)
{
	PCRE2_UCHAR msg[256];
	PCRE2_SIZE off;
	int i, code;

	for (i = 0; i < RE_COUNT; i++) {
		ep->builtin[i] = extract_compile(extract_builtin[i],
		    PCRE2_CASELESS, &code, &off);
		if (ep->builtin[i] == NULL) {
			pcre2_get_error_message(code, msg, sizeof(msg));
			snprintf(err, errlen, "built-in pattern %d: %s at "
			    "offset %zu", i, (char *)msg, (size_t)off);
			return -1;
		}
	}
	return 0;
}

static int
extract_compile_pattern(struct extract_pattern *p,
    const struct conf_pattern *cp, const char *path, char *err,
    size_t errlen)
{
	PCRE2_UCHAR msg[256];
	PCRE2_SIZE off;
	uint32_t ncap;
	int code;

	if ((p->code = extract_compile(cp->regex, 0, &code, &off)) == NULL) {
		pcre2_get_error_message(code, msg, sizeof(msg));
		snprintf(err, errlen, "%s:%d: pattern %s: %s at offset %zu",
		    path, cp->line, cp->name, (char *)msg, (size_t)off);
		return -1;
	}
	if (pcre2_pattern_info(p->code, PCRE2_INFO_CAPTURECOUNT, &ncap) == 0)
		p->group = ncap > 0;
	if ((p->name = strdup(cp->name)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	return 0;
}

/* Bounds on a pattern's work, so one regex cannot stall the import. */
static int
extract_match_context(struct extract_patterns *ep)
{
	if ((ep->mctx = pcre2_match_context_create(NULL)) == NULL)
		return -1;
	pcre2_set_match_limit(ep->mctx, EXTRACT_MATCH_LIMIT);
	ep->jit = pcre2_jit_stack_create(EXTRACT_JIT_STACK_MIN,
	    EXTRACT_JIT_STACK_MAX, NULL);
	if (ep->jit != NULL)
		pcre2_jit_stack_assign(ep->mctx, NULL, ep->jit);
	return 0;
}

struct extract_patterns *
extract_patterns_compile(const struct config *cf, char *err, size_t errlen)
{
	const char *path = cf->path ? cf->path : "(config)";
	struct extract_patterns *ep;
	size_t i;

	err[0] = '\0';
	if ((ep = calloc(1, sizeof(*ep))) == NULL ||
	    extract_match_context(ep) == -1 ||
	    (cf->npatterns > 0 &&
	    (ep->pats = calloc(cf->npatterns, sizeof(*ep->pats))) == NULL)) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto fail;
	}
	if (extract_compile_builtins(ep, err, errlen) == -1)
		goto fail;
	for (i = 0; i < cf->npatterns; i++) {
		ep->npats++;
		if (extract_compile_pattern(&ep->pats[i], &cf->patterns[i],
		    path, err, errlen) == -1)
			goto fail;
	}
	return ep;
fail:
	extract_patterns_free(ep);
	return NULL;
}

void
extract_patterns_free(struct extract_patterns *ep)
{
	size_t i;

	if (ep == NULL)
		return;
	for (i = 0; i < RE_COUNT; i++)
		pcre2_code_free(ep->builtin[i]);
	for (i = 0; i < ep->npats; i++) {
		free(ep->pats[i].name);
		pcre2_code_free(ep->pats[i].code);
	}
	free(ep->pats);
	pcre2_match_context_free(ep->mctx);
	pcre2_jit_stack_free(ep->jit);
	free(ep);
}

/* --- counting ---------------------------------------------------------- */

static uint64_t
extract_hash(const char *kind, const char *value, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;	/* FNV-1a */
	size_t i;

	for (; *kind != '\0'; kind++)
		h = (h ^ (unsigned char)*kind) * 0x100000001b3ULL;
	h = (h ^ 0xff) * 0x100000001b3ULL;	/* no byte of UTF-8 text */
	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)value[i]) * 0x100000001b3ULL;
	return h;
}

/* Double the index (and the room for counts) once it is half full. */
static int
extract_grow(struct extract_ctx *x)
{
	size_t n = x->nslots ? x->nslots * 2 : 64, i, k;
	struct extract_count *c;
	uint64_t *h;
	size_t *slots;

	if ((c = realloc(x->res->counts, n / 2 * sizeof(*c))) == NULL)
		return -1;
	x->res->counts = c;
	if ((h = realloc(x->hashes, n / 2 * sizeof(*h))) == NULL)
		return -1;
	x->hashes = h;
	x->cap = n / 2;
	if ((slots = calloc(n, sizeof(*slots))) == NULL)
		return -1;
	for (i = 0; i < x->res->ncounts; i++) {
		for (k = h[i] & (n - 1); slots[k] != 0; k = (k + 1) & (n - 1))
			;
		slots[k] = i + 1;
	}
	free(x->slots);
	x->slots = slots;
	x->nslots = n;
	return 0;
}

/* One more occurrence of value (len bytes) of a kind. */
static int
extract_add(struct extract_ctx *x, const char *kind, const char *value,
    size_t len)
{
	struct extract_result *r = x->res;
	struct extract_count *c;
	uint64_t h;
	size_t k;

	if (len == 0)
		return 0;
	if (r->ncounts + 1 > x->cap && extract_grow(x) == -1)
		return -1;
	h = extract_hash(kind, value, len);
	for (k = h & (x->nslots - 1); x->slots[k] != 0;
	    k = (k + 1) & (x->nslots - 1)) {
		c = &r->counts[x->slots[k] - 1];
		if (x->hashes[x->slots[k] - 1] == h &&
		    strcmp(c->kind, kind) == 0 &&
		    strncmp(c->value, value, len) == 0 &&
		    c->value[len] == '\0') {
			c->count++;
			return 0;
		}
	}
	c = &r->counts[r->ncounts];
	if ((c->kind = strdup(kind)) == NULL)
		return -1;
	if ((c->value = strndup(value, len)) == NULL) {
		free(c->kind);
		return -1;
	}
	c->count = 1;
	x->hashes[r->ncounts] = h;
	x->slots[k] = ++r->ncounts;
	return 0;
}

/* --- matching ---------------------------------------------------------- */

/* Call fn for each match of re in s; a match limit ends the scan early. */
static int
extract_each(struct extract_ctx *x, const pcre2_code *re, const char *s,
    size_t len, extract_fn fn, void *arg)
{
	PCRE2_SIZE start = 0, next, *ov;
	uint32_t opts = 0;

	while (start <= len) {
		if (pcre2_match(re, (PCRE2_SPTR)s, len, start, opts, x->md,
		    x->ep->mctx) < 0)
			return 0;
		/* Inputs are checked once; later calls start inside them. */
		opts = PCRE2_NO_UTF_CHECK;
		ov = pcre2_get_ovector_pointer(x->md);
		next = ov[1];
		if (ov[1] <= ov[0] || next <= start) {
			/* An empty match: step over one character. */
			next = (ov[0] > start ? ov[0] : start) + 1;
			while (next < len && (s[next] & 0xc0) == 0x80)
				next++;
		}
		if (ov[1] > ov[0] && fn(x, s, ov, arg) == -1)
			return -1;
		start = next;
	}
	return 0;
}

static void
extract_lower_ascii(char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] >= 'A' && s[i] <= 'Z')
			s[i] = (char)(s[i] - 'A' + 'a');
}

static int
extract_add_domain(struct extract_ctx *x, const char *host)
{
	char *dom;
	int rc;

	if ((dom = extract_registrable_domain(host)) == NULL)
		return 0;	/* an IP, a public suffix, or malformed */
	rc = extract_add(x, "domain", dom, strlen(dom));
	free(dom);
	return rc;
}

/* --- addresses, URLs, IPs ---------------------------------------------- */

static int
extract_email(struct extract_ctx *x, const char *s, const PCRE2_SIZE *ov,
    void *arg)
{
	size_t len = ov[1] - ov[0];
	char *addr, *at;
	int rc;

	if (len > EXTRACT_MAX_VALUE)
		return 0;
	if ((addr = strndup(s + ov[0], len)) == NULL)
		return -1;
	if ((at = strrchr(addr, '@')) == NULL) {
		free(addr);
		return 0;
	}
	extract_lower_ascii(at + 1, strlen(at + 1));
	if ((rc = extract_add(x, "email", addr, len)) == 0)
		rc = extract_add_domain(x, at + 1);
	free(addr);
	return rc;
}

/*
 * The host of an absolute URL: after "scheme://" and any "user@", without
 * the port or an IPv6 literal's brackets, ASCII in lower case, malloc'd.
 * NULL when there is none.
 */
static char *
extract_url_host(const char *url)
{
	const char *p, *end, *at, *hend;
	char *host;
	size_t len;

	if ((p = strstr(url, "://")) == NULL)
		return NULL;
	p += 3;
	end = p + strcspn(p, "/?#\\");
	while ((at = memchr(p, '@', (size_t)(end - p))) != NULL)
		p = at + 1;
	if (*p == '[') {
		if ((hend = memchr(p, ']', (size_t)(end - p))) == NULL)
			return NULL;
		p++;
	} else if ((hend = memchr(p, ':', (size_t)(end - p))) == NULL)
		hend = end;
	len = (size_t)(hend - p);
	if (len > 0 && p[len - 1] == '.')
		len--;
	if (len == 0 || (host = strndup(p, len)) == NULL)
		return NULL;
	extract_lower_ascii(host, len);
	return host;
}

/* A URL as found (len bytes); "www." ones get "http://". */
static int
extract_url(struct extract_ctx *x, const char *u, size_t len)
{
	struct buf url = { NULL, 0, 0 };
	char *host;
	int rc = -1;

	if (len == 0 || len > EXTRACT_MAX_VALUE)
		return 0;
	if (strncasecmp(u, "www.", 4) == 0 &&
	    buf_append(&url, "http://", 7) == -1)
		return -1;
	if (buf_append(&url, u, len) == -1 || buf_append(&url, "", 1) == -1)
		goto done;
	rc = 0;
	if ((host = extract_url_host(url.data)) == NULL)
		goto done;	/* no host: not a URL worth a count */
	if ((rc = extract_add(x, "url", url.data, url.len - 1)) == 0)
		rc = extract_add_domain(x, host);
	free(host);
done:
	buf_release(&url);
	return rc;
}

/* A URL in text; arg, when set, is a copy of the text to blank it in. */
static int
extract_text_url(struct extract_ctx *x, const char *s, const PCRE2_SIZE *ov,
    void *arg)
{
	char *masked = arg;
	size_t len = ov[1] - ov[0];

	if (masked != NULL)
		memset(masked + ov[0], ' ', len);
	while (len > 0 && strchr(".,;:!?)>\"'", s[ov[0] + len - 1]) != NULL)
		len--;
	return extract_url(x, s + ov[0], len);
}

static int
extract_ip(struct extract_ctx *x, const char *s, const PCRE2_SIZE *ov,
    int af)
{
	char text[INET6_ADDRSTRLEN], canon[INET6_ADDRSTRLEN];
	unsigned char addr[sizeof(struct in6_addr)];
	size_t len = ov[1] - ov[0];

	if (len >= sizeof(text))
		return 0;
	memcpy(text, s + ov[0], len);
	text[len] = '\0';
	/* inet_pton() rules out times and MACs; a bare "::" is no address. */
	if (strcmp(text, "::") == 0 || inet_pton(af, text, addr) != 1 ||
	    inet_ntop(af, addr, canon, sizeof(canon)) == NULL)
		return 0;
	return extract_add(x, "ip", canon, strlen(canon));
}

static int
extract_ip4(struct extract_ctx *x, const char *s, const PCRE2_SIZE *ov,
    void *arg)
{
	return extract_ip(x, s, ov, AF_INET);
}

static int
extract_ip6(struct extract_ctx *x, const char *s, const PCRE2_SIZE *ov,
    void *arg)
{
	return extract_ip(x, s, ov, AF_INET6);
}

static int
extract_ips(struct extract_ctx *x, const char *s)
{
	if (extract_each(x, x->ep->builtin[RE_IP4], s, strlen(s), extract_ip4,
	    NULL) == -1)
		return -1;
	return extract_each(x, x->ep->builtin[RE_IP6], s, strlen(s),
	    extract_ip6, NULL);
}

/* URLs, then addresses outside them. */
static int
extract_prose(struct extract_ctx *x, const char *s)
{
	size_t len = strlen(s);
	char *masked;
	int rc;

	if ((masked = strdup(s)) == NULL)
		return -1;
	rc = extract_each(x, x->ep->builtin[RE_URL], s, len, extract_text_url,
	    masked);
	if (rc == 0)
		rc = extract_each(x, x->ep->builtin[RE_EMAIL], masked, len,
		    extract_email, NULL);
	free(masked);
	return rc;
}

/* --- HTML -------------------------------------------------------------- */

/* A code point as UTF-8; one that is not a character becomes U+FFFD. */
static int
extract_put_utf8(struct buf *b, uint32_t c)
{
	unsigned char u[4];
	size_t n;

	if (c == 0 || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		c = 0xfffd;
	if (c < 0x80) {
		u[0] = (unsigned char)c;
		n = 1;
	} else if (c < 0x800) {
		u[0] = (unsigned char)(0xc0 | c >> 6);
		u[1] = (unsigned char)(0x80 | (c & 0x3f));
		n = 2;
	} else if (c < 0x10000) {
		u[0] = (unsigned char)(0xe0 | c >> 12);
		u[1] = (unsigned char)(0x80 | (c >> 6 & 0x3f));
		u[2] = (unsigned char)(0x80 | (c & 0x3f));
		n = 3;
	} else {
		u[0] = (unsigned char)(0xf0 | c >> 18);
		u[1] = (unsigned char)(0x80 | (c >> 12 & 0x3f));
		u[2] = (unsigned char)(0x80 | (c >> 6 & 0x3f));
		u[3] = (unsigned char)(0x80 | (c & 0x3f));
		n = 4;
	}
	return buf_append(b, u, n);
}

/* "&#47;", "&#x2F;" (";" optional): bytes read, 0 when it is not one. */
static size_t
extract_numeric_entity(const char *p, size_t n, uint32_t *c)
{
	size_t i, start;
	int hex, d;

	if (n < 3 || p[0] != '&' || p[1] != '#')
		return 0;
	hex = p[2] == 'x' || p[2] == 'X';
	start = i = 2 + (size_t)hex;
	for (*c = 0; i < n; i++) {
		d = hex ? util_hexval((unsigned char)p[i], 0) :
		    p[i] >= '0' && p[i] <= '9' ? p[i] - '0' : -1;
		if (d < 0)
			break;
		*c = *c * (hex ? 16 : 10) + (uint32_t)d;
		if (*c > 0x10ffff)
			*c = 0x110000;	/* stays out of range */
	}
	if (i == start)
		return 0;
	return i < n && p[i] == ';' ? i + 1 : i;
}

/* An entity at p: bytes read and *c, 0 when there is none. */
static size_t
extract_entity(const char *p, size_t n, uint32_t *c)
{
	static const struct {
		const char	*name;
		uint32_t	 c;
	} named[] = {
		{ "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' },
		{ "&quot;", '"' }, { "&apos;", '\'' }, { "&nbsp;", 0xa0 },
		{ "&AMP;", '&' }, { "&LT;", '<' }, { "&GT;", '>' },
		{ "&QUOT;", '"' },
	};
	size_t i, len;

	for (i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
		len = strlen(named[i].name);
		if (len <= n && memcmp(p, named[i].name, len) == 0) {
			*c = named[i].c;
			return len;
		}
	}
	return extract_numeric_entity(p, n, c);
}

/* Append n bytes of HTML text with entities decoded. */
static int
extract_decode(struct buf *b, const char *p, size_t n)
{
	const char *amp;
	size_t i = 0, k;
	uint32_t c;

	while (i < n) {
		if (p[i] == '&' && (k = extract_entity(p + i, n - i, &c)) > 0) {
			if (extract_put_utf8(b, c) == -1)
				return -1;
			i += k;
		} else {
			amp = memchr(p + i + 1, '&', n - i - 1);
			k = amp != NULL ? (size_t)(amp - (p + i)) : n - i;
			if (buf_append(b, p + i, k) == -1)
				return -1;
			i += k;
		}
	}
	return 0;
}

/* "<" starts a tag, a comment or a declaration; "a < b" does not. */
static int
extract_tag_start(const char *h)
{
	return h[0] == '<' && (h[1] == '/' || h[1] == '!' || h[1] == '?' ||
	    (h[1] >= 'a' && h[1] <= 'z') || (h[1] >= 'A' && h[1] <= 'Z'));
}

/* What a reader sees of HTML: tags and comments become a space. */
static char *
extract_html_text(const char *h)
{
	struct buf b = { NULL, 0, 0 };
	const char *end, *text;

	while (*h != '\0') {
		text = h;
		while (*h != '\0' && !extract_tag_start(h))
			h++;
		if (extract_decode(&b, text, (size_t)(h - text)) == -1)
			goto fail;
		if (*h == '\0')
			break;
		if (strncmp(h, "<!--", 4) == 0) {
			/* Unclosed, it hides the rest, as in a browser. */
			end = strstr(h + 4, "-->");
			h = end != NULL ? end + 3 : h + strlen(h);
		} else {
			h += strcspn(h, ">");
			h += *h == '>';
		}
		if (buf_append(&b, " ", 1) == -1)
			goto fail;
	}
	if (buf_append(&b, "", 1) == -1)
		goto fail;
	return b.data;
fail:
	buf_release(&b);
	return NULL;
}

/* href= or src=: a URL, or the addresses of a mailto: link. */
static int
extract_attr(struct extract_ctx *x, const char *s, const PCRE2_SIZE *ov,
    void *arg)
{
	struct buf v = { NULL, 0, 0 };
	size_t g, i, o;
	int rc = -1;

	for (g = 1; g < 4 && ov[2 * g] == PCRE2_UNSET; g++)
		;
	if (g == 4 || extract_decode(&v, s + ov[2 * g],
	    ov[2 * g + 1] - ov[2 * g]) == -1 || buf_append(&v, "", 1) == -1)
		goto done;
	/* Browsers drop tabs and newlines in URLs, and outer spaces. */
	for (i = o = 0; v.data[i] != '\0'; i++)
		if (v.data[i] != '\t' && v.data[i] != '\n' && v.data[i] != '\r')
			v.data[o++] = v.data[i];
	while (o > 0 && v.data[o - 1] == ' ')
		o--;
	v.data[o] = '\0';
	for (i = 0; v.data[i] == ' '; i++)
		;
	rc = 0;
	if (strncasecmp(v.data + i, "mailto:", 7) == 0)
		rc = extract_each(x, x->ep->builtin[RE_EMAIL], v.data + i,
		    o - i, extract_email, NULL);
	else if (strncasecmp(v.data + i, "http://", 7) == 0 ||
	    strncasecmp(v.data + i, "https://", 8) == 0 ||
	    strncasecmp(v.data + i, "ftp://", 6) == 0 ||
	    strncasecmp(v.data + i, "www.", 4) == 0)
		rc = extract_url(x, v.data + i, o - i);
done:
	buf_release(&v);
	return rc;
}

static int
extract_html(struct extract_ctx *x, const char *html)
{
	char *text;
	int rc;

	if (extract_each(x, x->ep->builtin[RE_ATTR], html, strlen(html),
	    extract_attr, NULL) == -1)
		return -1;
	if ((text = extract_html_text(html)) == NULL)
		return -1;
	rc = extract_prose(x, text);
	free(text);
	return rc;
}

/* --- headers and custom patterns --------------------------------------- */

static int
extract_is_id_header(const char *line, size_t len)
{
	size_t i, n;

	for (i = 0; extract_id_headers[i] != NULL; i++) {
		n = strlen(extract_id_headers[i]);
		if (len > n && line[n] == ':' &&
		    strncasecmp(line, extract_id_headers[i], n) == 0)
			return 1;
	}
	return 0;
}

static int
extract_headers(struct extract_ctx *x, const char *h)
{
	size_t len;

	for (; *h != '\0'; h += len + (h[len] == '\n')) {
		len = strcspn(h, "\n");
		if (!extract_is_id_header(h, len) &&
		    extract_each(x, x->ep->builtin[RE_EMAIL], h, len,
		    extract_email, NULL) == -1)
			return -1;
	}
	return 0;
}

static int
extract_custom(struct extract_ctx *x, const char *s, const PCRE2_SIZE *ov,
    void *arg)
{
	const struct extract_pattern *p = arg;

	if (p->group && ov[2] != PCRE2_UNSET)
		return extract_add(x, p->name, s + ov[2], ov[3] - ov[2]);
	return extract_add(x, p->name, s + ov[0], ov[1] - ov[0]);
}

static int
extract_patterns_in(struct extract_ctx *x, const char *s)
{
	size_t i;

	for (i = 0; i < x->ep->npats; i++)
		if (extract_each(x, x->ep->pats[i].code, s, strlen(s),
		    extract_custom, &x->ep->pats[i]) == -1)
			return -1;
	return 0;
}

/* --- the message ------------------------------------------------------- */

static int
extract_all(struct extract_ctx *x, const struct mime_message *m)
{
	size_t i;

	if (m->subject != NULL &&
	    extract_add(x, "subject", m->subject, strlen(m->subject)) == -1)
		return -1;
	if (m->headers != NULL && (extract_headers(x, m->headers) == -1 ||
	    extract_ips(x, m->headers) == -1 ||
	    extract_patterns_in(x, m->headers) == -1))
		return -1;
	for (i = 0; i < m->ntexts; i++)
		if (extract_prose(x, m->texts[i]) == -1 ||
		    extract_ips(x, m->texts[i]) == -1 ||
		    extract_patterns_in(x, m->texts[i]) == -1)
			return -1;
	for (i = 0; i < m->nhtmls; i++)
		if (extract_html(x, m->htmls[i]) == -1 ||
		    extract_patterns_in(x, m->htmls[i]) == -1)
			return -1;
	return 0;
}

/* urls[]: each "url" count with its host. */
static int
extract_urls(struct extract_result *r)
{
	struct extract_url *u;
	size_t i;

	for (i = 0; i < r->ncounts; i++) {
		if (strcmp(r->counts[i].kind, "url") != 0)
			continue;
		if ((u = realloc(r->urls, (r->nurls + 1) * sizeof(*u))) == NULL)
			return -1;
		r->urls = u;
		u = &r->urls[r->nurls];
		u->count = r->counts[i].count;
		u->host = extract_url_host(r->counts[i].value);
		if ((u->url = strdup(r->counts[i].value)) == NULL ||
		    u->host == NULL) {
			free(u->url);
			free(u->host);
			return -1;
		}
		r->nurls++;
	}
	return 0;
}

int
extract_message(const struct mime_message *m,
    const struct extract_patterns *ep, struct extract_result *r)
{
	struct extract_ctx x;
	int rc = -1;

	memset(r, 0, sizeof(*r));
	if (ep == NULL) {
		errno = EINVAL;
		return -1;
	}
	memset(&x, 0, sizeof(x));
	x.ep = ep;
	x.res = r;
	if ((x.md = pcre2_match_data_create(EXTRACT_OVECTOR, NULL)) != NULL &&
	    extract_grow(&x) == 0 && extract_all(&x, m) == 0)
		rc = extract_urls(r);
	pcre2_match_data_free(x.md);
	free(x.hashes);
	free(x.slots);
	if (rc == -1)
		extract_result_clear(r);
	return rc;
}

void
extract_result_clear(struct extract_result *r)
{
	size_t i;

	for (i = 0; i < r->ncounts; i++) {
		free(r->counts[i].kind);
		free(r->counts[i].value);
	}
	free(r->counts);
	for (i = 0; i < r->nurls; i++) {
		free(r->urls[i].url);
		free(r->urls[i].host);
	}
	free(r->urls);
	memset(r, 0, sizeof(*r));
}

/* --- registrable domains ----------------------------------------------- */

/* Letters, digits, '-', '_' or UTF-8 in labels of 1 to 63 bytes. */
static int
extract_valid_host(const char *h)
{
	size_t len, i;
	int digits;

	for (;;) {
		len = strcspn(h, ".");
		if (len == 0 || len > 63 || h[0] == '-' || h[len - 1] == '-')
			return 0;
		for (i = 0, digits = 1; i < len; i++) {
			if (!((unsigned char)h[i] >= 0x80 ||
			    (h[i] >= 'a' && h[i] <= 'z') || h[i] == '-' ||
			    h[i] == '_' || (h[i] >= '0' && h[i] <= '9')))
				return 0;
			if (h[i] < '0' || h[i] > '9')
				digits = 0;
		}
		if (h[len] == '\0')
			return !digits;	/* a TLD is never a number */
		h += len + 1;
	}
}

static const psl_ctx_t *
extract_psl(void)
{
	static psl_ctx_t *latest;

	if (psl_builtin() != NULL)
		return psl_builtin();
	if (latest == NULL)
		latest = psl_latest(NULL);
	return latest;
}

char *
extract_registrable_domain(const char *host)
{
	unsigned char addr[sizeof(struct in6_addr)];
	const char *rd;
	char *h, *dom = NULL;
	size_t len;

	if (host == NULL)
		return NULL;
	len = strlen(host);
	if (len > 0 && host[len - 1] == '.')
		len--;
	if (len == 0 || len > 253 || (h = strndup(host, len)) == NULL)
		return NULL;
	extract_lower_ascii(h, len);
	if (inet_pton(AF_INET, h, addr) != 1 &&
	    inet_pton(AF_INET6, h, addr) != 1 && extract_valid_host(h) &&
	    extract_psl() != NULL &&
	    (rd = psl_registrable_domain(extract_psl(), h)) != NULL)
		dom = strdup(rd);
	free(h);
	return dom;
}
