/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * tlsprint: the JA3 and JA4 fingerprints of a TLS ClientHello, from the
 * fields of the sensor's tls / tls-fail spool record.
 *
 * JA3 (Salesforce): SSLVersion,Ciphers,Extensions,EllipticCurves,
 * EllipticCurvePointFormats, decimal, each list joined by '-', GREASE
 * values left out of the ciphers, extensions and curves; its hash is the
 * MD5 of that text. JA4 (FoxIO, TLS over TCP): "t", the version (highest
 * of supported_versions, else the ClientHello's), 'd' when the SNI
 * extension is there ('i' when not), the counts of ciphers and extensions
 * (two digits, at most 99), the first and last character of the first
 * ALPN name ("00": none; hex digits when either is not alphanumeric);
 * then the first 12 hex digits of the SHA-256 of the sorted ciphers, and
 * of the sorted extensions without SNI and ALPN, '_' and the signature
 * algorithms in their order (4 lower-case hex digits each, joined by ',';
 * twelve zeros for an empty list). GREASE values are left out everywhere.
 *
 * Run by spampot-analyzer's parse child (spool_read.c), unprivileged
 * under its seccomp filter, on lists the attacker chose: every number is
 * checked, every list may be empty, and nothing is larger than the record.
 */
#include "autoconf.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "tlsprint.h"
#include "util.h"

#define TLSPRINT_EXT_SNI		0x0000
#define TLSPRINT_EXT_ALPN		0x0010
#define TLSPRINT_EXT_VERSIONS		0x002b

struct tlsprint_list {
	uint16_t	*v;
	size_t		 n;
};

struct tlsprint_lists {
	struct tlsprint_list	 ciphers, exts, groups, sigalgs, points,
				 versions;
};

/* GREASE (RFC 8701): 0x0a0a, 0x1a1a, ... 0xfafa. */
int
tlsprint_grease(unsigned v)
{
	return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

/* "4866,4865" or "" into numbers; -1 (EINVAL, ENOMEM). */
static int
tlsprint_parse(const char *s, struct tlsprint_list *l)
{
	const char *p;
	unsigned long v;
	size_t cap = 1;

	l->v = NULL;
	l->n = 0;
	if (s == NULL || *s == '\0')
		return 0;
	for (p = s; *p != '\0'; p++)
		cap += *p == ',';
	if ((l->v = calloc(cap, sizeof(*l->v))) == NULL)
		return -1;
	for (p = s;; p++) {
		if (*p < '0' || *p > '9')
			goto bad;
		for (v = 0; *p >= '0' && *p <= '9'; p++)
			if ((v = v * 10 + (unsigned long)(*p - '0')) > 0xffff)
				goto bad;
		l->v[l->n++] = (uint16_t)v;
		if (*p == '\0')
			return 0;
		if (*p != ',')
			goto bad;
	}
bad:
	free(l->v);
	l->v = NULL;
	l->n = 0;
	errno = EINVAL;
	return -1;
}

static void
tlsprint_lists_clear(struct tlsprint_lists *ls)
{
	free(ls->ciphers.v);
	free(ls->exts.v);
	free(ls->groups.v);
	free(ls->sigalgs.v);
	free(ls->points.v);
	free(ls->versions.v);
	memset(ls, 0, sizeof(*ls));
}

static int
tlsprint_lists(const struct tlsprint_hello *h, struct tlsprint_lists *ls)
{
	memset(ls, 0, sizeof(*ls));
	if (tlsprint_parse(h->ciphers, &ls->ciphers) == -1 ||
	    tlsprint_parse(h->extensions, &ls->exts) == -1 ||
	    tlsprint_parse(h->groups, &ls->groups) == -1 ||
	    tlsprint_parse(h->sigalgs, &ls->sigalgs) == -1 ||
	    tlsprint_parse(h->point_formats, &ls->points) == -1 ||
	    tlsprint_parse(h->versions, &ls->versions) == -1)
		return -1;
	return 0;
}

/* Drop the GREASE values, and (drop_sni_alpn) SNI and ALPN. */
static void
tlsprint_filter(struct tlsprint_list *l, int drop_sni_alpn)
{
	size_t i, n = 0;

	for (i = 0; i < l->n; i++) {
		if (tlsprint_grease(l->v[i]))
			continue;
		if (drop_sni_alpn && (l->v[i] == TLSPRINT_EXT_SNI ||
		    l->v[i] == TLSPRINT_EXT_ALPN))
			continue;
		l->v[n++] = l->v[i];
	}
	l->n = n;
}

static int
tlsprint_has(const struct tlsprint_list *l, unsigned v)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->v[i] == v)
			return 1;
	return 0;
}

/* A list joined by sep, decimal (hex: 4 lower-case hex digits). */
static void
tlsprint_join(struct buf *b, const struct tlsprint_list *l, const char *sep,
    int hex, int *oom)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (buf_appendf(b, hex ? "%s%04x" : "%s%u", i ? sep : "",
		    (unsigned)l->v[i]) == -1)
			*oom = 1;
}

/* The bytes of b as a malloc'd string. */
static char *
tlsprint_take(struct buf *b, int *oom)
{
	char *s;

	if (*oom || buf_append(b, "", 1) == -1) {
		*oom = 1;
		buf_release(b);
		return NULL;
	}
	s = b->data;
	memset(b, 0, sizeof(*b));
	return s;
}

/* JA3 (the lists already without GREASE). */
static int
tlsprint_ja3(unsigned version, const struct tlsprint_lists *ls,
    struct tlsprint *out)
{
	struct buf b = { NULL, 0, 0 };
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	int oom = 0;

	if (buf_appendf(&b, "%u,", version) == -1)
		oom = 1;
	tlsprint_join(&b, &ls->ciphers, "-", 0, &oom);
	oom |= buf_append(&b, ",", 1) == -1;
	tlsprint_join(&b, &ls->exts, "-", 0, &oom);
	oom |= buf_append(&b, ",", 1) == -1;
	tlsprint_join(&b, &ls->groups, "-", 0, &oom);
	oom |= buf_append(&b, ",", 1) == -1;
	tlsprint_join(&b, &ls->points, "-", 0, &oom);
	if ((out->ja3 = tlsprint_take(&b, &oom)) == NULL) {
		errno = ENOMEM;
		return -1;
	}
	out->ja3_hash[0] = '\0';
	/* MD5 refused (FIPS): no hash, the text stays */
	if (EVP_Digest(out->ja3, strlen(out->ja3), md, &mdlen, EVP_md5(),
	    NULL) == 1 && mdlen == 16)
		util_hex(out->ja3_hash, md, 16);
	return 0;
}

static int
tlsprint_cmp(const void *a, const void *b)
{
	return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

/* qsort(3) wants a base even for no element: an empty list has none. */
static void
tlsprint_sort(struct tlsprint_list *l)
{
	if (l->n > 1)
		qsort(l->v, l->n, sizeof(*l->v), tlsprint_cmp);
}

static const char *
tlsprint_version(unsigned v)
{
	switch (v) {
	case 0x0304:	return "13";
	case 0x0303:	return "12";
	case 0x0302:	return "11";
	case 0x0301:	return "10";
	case 0x0300:	return "s3";
	case 0x0002:	return "s2";
	case 0xfeff:	return "d1";
	case 0xfefd:	return "d2";
	case 0xfefc:	return "d3";
	default:	return "00";
	}
}

static int
tlsprint_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
	    (c >= 'a' && c <= 'z');
}

/* The ALPN characters of JA4_a. */
static void
tlsprint_alpn(const char *alpn, size_t len, char out[3])
{
	unsigned char first, last;

	if (alpn == NULL || len == 0) {
		memcpy(out, "00", 3);
		return;
	}
	first = (unsigned char)alpn[0];
	last = (unsigned char)alpn[len - 1];
	if (tlsprint_alnum(first) && tlsprint_alnum(last)) {
		out[0] = (char)first;
		out[1] = (char)last;
	} else {
		/* the first and last digits of the name in hex */
		out[0] = util_hexdigits[first >> 4];
		out[1] = util_hexdigits[last & 0x0f];
	}
	out[2] = '\0';
}

/* The first 12 hex digits of the SHA-256 of s; zeros for "". */
static void
tlsprint_hash12(const char *s, char out[13])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char hex[2 * EVP_MAX_MD_SIZE + 1];

	memcpy(out, "000000000000", 13);
	if (*s != '\0' && EVP_Digest(s, strlen(s), md, &mdlen, EVP_sha256(),
	    NULL) == 1 && mdlen == 32) {
		util_hex(hex, md, 6);
		memcpy(out, hex, 12);
	}
}

/* JA4 and JA4_r (the lists without GREASE; sorts them). */
static int
tlsprint_ja4(const struct tlsprint_hello *h, struct tlsprint_lists *ls,
    struct tlsprint *out)
{
	struct buf b = { NULL, 0, 0 }, c = { NULL, 0, 0 };
	unsigned version = h->legacy_version;
	char a[16], alpn[3], hb[13], hc[13];
	char *ciphers = NULL, *exts = NULL;
	size_t i;
	int oom = 0;

	if (tlsprint_has(&ls->exts, TLSPRINT_EXT_VERSIONS) &&
	    ls->versions.n > 0)
		for (version = 0, i = 0; i < ls->versions.n; i++)
			if (ls->versions.v[i] > version)
				version = ls->versions.v[i];
	tlsprint_alpn(h->alpn, h->alpn_len, alpn);
	snprintf(a, sizeof(a), "t%s%c%02zu%02zu%s", tlsprint_version(version),
	    tlsprint_has(&ls->exts, TLSPRINT_EXT_SNI) ? 'd' : 'i',
	    ls->ciphers.n > 99 ? 99 : ls->ciphers.n,
	    ls->exts.n > 99 ? 99 : ls->exts.n, alpn);

	tlsprint_filter(&ls->exts, 1);
	tlsprint_sort(&ls->ciphers);
	tlsprint_sort(&ls->exts);
	tlsprint_join(&b, &ls->ciphers, ",", 1, &oom);
	ciphers = tlsprint_take(&b, &oom);
	tlsprint_join(&c, &ls->exts, ",", 1, &oom);
	if (ls->sigalgs.n > 0 && buf_append(&c, "_", 1) == -1)
		oom = 1;
	tlsprint_join(&c, &ls->sigalgs, ",", 1, &oom);
	exts = tlsprint_take(&c, &oom);
	if (oom)
		goto fail;
	tlsprint_hash12(ciphers, hb);
	/* no extensions left: zeros, whatever the signature algorithms */
	tlsprint_hash12(ls->exts.n > 0 ? exts : "", hc);
	/* a is 10 characters, as each of its parts has a fixed width */
	memcpy(out->ja4, a, 10);
	out->ja4[10] = '_';
	memcpy(out->ja4 + 11, hb, 12);
	out->ja4[23] = '_';
	memcpy(out->ja4 + 24, hc, 13);
	if (buf_appendf(&b, "%s_%s_%s", a, ciphers, exts) == -1)
		oom = 1;
	if ((out->ja4_r = tlsprint_take(&b, &oom)) == NULL)
		goto fail;
	free(ciphers);
	free(exts);
	return 0;
fail:
	free(ciphers);
	free(exts);
	errno = ENOMEM;
	return -1;
}

int
tlsprint_make(const struct tlsprint_hello *h, struct tlsprint *out)
{
	struct tlsprint_lists ls;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (tlsprint_lists(h, &ls) == -1)
		goto done;
	tlsprint_filter(&ls.ciphers, 0);
	tlsprint_filter(&ls.exts, 0);
	tlsprint_filter(&ls.groups, 0);
	tlsprint_filter(&ls.sigalgs, 0);
	tlsprint_filter(&ls.versions, 0);
	if (tlsprint_ja3(h->legacy_version, &ls, out) == -1 ||
	    tlsprint_ja4(h, &ls, out) == -1)
		goto done;
	rc = 0;
done:
	tlsprint_lists_clear(&ls);
	return rc;
}

void
tlsprint_clear(struct tlsprint *t)
{
	free(t->ja3);
	free(t->ja4_r);
	memset(t, 0, sizeof(*t));
}
