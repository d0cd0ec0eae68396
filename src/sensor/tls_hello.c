/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * tls_hello: reads a TLS ClientHello handshake message (as OpenSSL's
 * message callback hands it over, reassembled from its records) into the
 * lists the spool's tls record keeps: versions, ciphers, extensions in
 * wire order, GREASE values kept, groups, signature algorithms, point
 * formats, SNI and the ALPN list. Run by the sandboxed worker on what a
 * client sent: every length is checked against what is left, and a
 * malformed message is refused whole. JA3 and JA4 are the analyzer's.
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "tls.h"

#define TLS_HELLO_CLIENT_HELLO	1
#define TLS_EXT_SERVER_NAME	0
#define TLS_EXT_GROUPS		10
#define TLS_EXT_POINT_FORMATS	11
#define TLS_EXT_SIGALGS		13
#define TLS_EXT_ALPN		16
#define TLS_EXT_VERSIONS	43

/* A cursor over what the client sent. */
struct tls_rd {
	const uint8_t	*p;
	size_t		 left;
};

static int
tls_rd_take(struct tls_rd *r, size_t n, const uint8_t **out)
{
	if (r->left < n)
		return -1;
	*out = r->p;
	r->p += n;
	r->left -= n;
	return 0;
}

static int
tls_rd_uint(struct tls_rd *r, size_t n, size_t *v)
{
	const uint8_t *p;
	size_t i;

	if (tls_rd_take(r, n, &p) == -1)
		return -1;
	for (*v = 0, i = 0; i < n; i++)
		*v = *v << 8 | p[i];
	return 0;
}

/* A vector with an n-byte length in front: a cursor over its body. */
static int
tls_rd_vector(struct tls_rd *r, size_t n, struct tls_rd *body)
{
	size_t len;

	if (tls_rd_uint(r, n, &len) == -1 ||
	    tls_rd_take(r, len, &body->p) == -1)
		return -1;
	body->left = len;
	return 0;
}

/* The 16-bit values of a vector, in order. */
static int
tls_hello_u16s(struct tls_rd *body, uint16_t **out, size_t *n)
{
	size_t i;

	if (body->left % 2 != 0)
		return -1;
	free(*out);
	*n = body->left / 2;
	if ((*out = calloc(*n + 1, sizeof(**out))) == NULL)
		return -1;
	for (i = 0; i < *n; i++)
		(*out)[i] = (uint16_t)(body->p[2 * i] << 8 | body->p[2 * i + 1]);
	return 0;
}

static int
tls_hello_bytes(const struct tls_rd *body, char **out, size_t *n)
{
	free(*out);
	*n = body->left;
	if ((*out = malloc(*n + 1)) == NULL)
		return -1;
	memcpy(*out, body->p, *n);
	(*out)[*n] = '\0';
	return 0;
}

/* server_name: the first host_name in the list. */
static int
tls_hello_sni(struct tls_hello *h, struct tls_rd *ext)
{
	struct tls_rd list, name;
	size_t type;

	if (tls_rd_vector(ext, 2, &list) == -1)
		return -1;
	while (list.left > 0) {
		if (tls_rd_uint(&list, 1, &type) == -1 ||
		    tls_rd_vector(&list, 2, &name) == -1)
			return -1;
		if (type == 0 && h->sni == NULL)
			return tls_hello_bytes(&name, &h->sni, &h->sni_len);
	}
	return 0;
}

static int
tls_hello_extension(struct tls_hello *h, size_t type, struct tls_rd *ext)
{
	struct tls_rd v;

	switch (type) {
	case TLS_EXT_SERVER_NAME:
		return tls_hello_sni(h, ext);
	case TLS_EXT_GROUPS:
		return tls_rd_vector(ext, 2, &v) == -1 ? -1 :
		    tls_hello_u16s(&v, &h->groups, &h->ngroups);
	case TLS_EXT_SIGALGS:
		return tls_rd_vector(ext, 2, &v) == -1 ? -1 :
		    tls_hello_u16s(&v, &h->sigalgs, &h->nsigalgs);
	case TLS_EXT_VERSIONS:
		return tls_rd_vector(ext, 1, &v) == -1 ? -1 :
		    tls_hello_u16s(&v, &h->versions, &h->nversions);
	case TLS_EXT_ALPN:
		return tls_rd_vector(ext, 2, &v) == -1 ? -1 :
		    tls_hello_bytes(&v, &h->alpn, &h->alpn_len);
	case TLS_EXT_POINT_FORMATS:
		return tls_rd_vector(ext, 1, &v) == -1 ? -1 :
		    tls_hello_bytes(&v, &h->point_formats, &h->npoint_formats);
	default:
		return 0;
	}
}

static int
tls_hello_extensions(struct tls_hello *h, struct tls_rd *r)
{
	struct tls_rd all, ext;
	size_t type, n = 0;

	if (r->left == 0)
		return 0;	/* SSLv3-style, no extensions */
	if (tls_rd_vector(r, 2, &all) == -1)
		return -1;
	free(h->extensions);
	if ((h->extensions = calloc(all.left / 4 + 1,
	    sizeof(*h->extensions))) == NULL)
		return -1;
	while (all.left > 0) {
		if (tls_rd_uint(&all, 2, &type) == -1 ||
		    tls_rd_vector(&all, 2, &ext) == -1 ||
		    tls_hello_extension(h, type, &ext) == -1)
			return -1;
		h->extensions[n++] = (uint16_t)type;
	}
	h->nextensions = n;
	return 0;
}

/*
 * A whole handshake message: type 1, a 3-byte length, the ClientHello.
 * Returns 0, or -1 (h cleared) when it is not one or is malformed.
 */
int
tls_hello_parse(struct tls_hello *h, const uint8_t *msg, size_t len)
{
	struct tls_rd r = { msg, len }, body, v;
	const uint8_t *skip;
	size_t type, ver;

	memset(h, 0, sizeof(*h));
	h->size = len;
	if (tls_rd_uint(&r, 1, &type) == -1 ||
	    type != TLS_HELLO_CLIENT_HELLO ||
	    tls_rd_vector(&r, 3, &body) == -1 ||
	    tls_rd_uint(&body, 2, &ver) == -1 ||
	    tls_rd_take(&body, 32, &skip) == -1 ||
	    tls_rd_vector(&body, 1, &v) == -1 ||
	    tls_rd_vector(&body, 2, &v) == -1 ||
	    tls_hello_u16s(&v, &h->ciphers, &h->nciphers) == -1 ||
	    tls_rd_vector(&body, 1, &v) == -1 ||
	    tls_hello_extensions(h, &body) == -1)
		goto fail;
	h->legacy_version = (unsigned)ver;
	return 0;
fail:
	tls_hello_clear(h);
	return -1;
}

void
tls_hello_clear(struct tls_hello *h)
{
	free(h->ciphers);
	free(h->extensions);
	free(h->groups);
	free(h->sigalgs);
	free(h->point_formats);
	free(h->versions);
	free(h->sni);
	free(h->alpn);
	memset(h, 0, sizeof(*h));
}

/* The record writer's view of it (pointers into h). */
void
tls_hello_spoolfmt(const struct tls_hello *h, struct spoolfmt_hello *sh)
{
	memset(sh, 0, sizeof(*sh));
	sh->legacy_version = h->legacy_version;
	sh->ciphers = h->ciphers;
	sh->nciphers = h->nciphers;
	sh->extensions = h->extensions;
	sh->nextensions = h->nextensions;
	sh->groups = h->groups;
	sh->ngroups = h->ngroups;
	sh->sigalgs = h->sigalgs;
	sh->nsigalgs = h->nsigalgs;
	sh->point_formats = (const uint8_t *)h->point_formats;
	sh->npoint_formats = h->npoint_formats;
	sh->versions = h->versions;
	sh->nversions = h->nversions;
	sh->sni = h->sni;
	sh->sni_len = h->sni_len;
	sh->alpn = h->alpn;
	sh->alpn_len = h->alpn_len;
}

/* 1 when the record will cut a list: worth a log line. */
int
tls_hello_cut(const struct tls_hello *h)
{
	return h->nciphers > SPOOLFMT_TLS_LIST_MAX ||
	    h->nextensions > SPOOLFMT_TLS_LIST_MAX ||
	    h->ngroups > SPOOLFMT_TLS_LIST_MAX ||
	    h->nsigalgs > SPOOLFMT_TLS_LIST_MAX ||
	    h->npoint_formats > SPOOLFMT_TLS_LIST_MAX ||
	    h->nversions > SPOOLFMT_TLS_LIST_MAX ||
	    h->sni_len > SPOOLFMT_TLS_NAME_MAX;
}
