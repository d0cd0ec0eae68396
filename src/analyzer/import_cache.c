/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * import_cache: a direct-mapped table of IMPORT_CACHE_SLOTS entries in the
 * parse child, the slot chosen by the first digits of the attachment's
 * SHA-256; a new attachment takes the slot of the one before. Entries
 * are deep copies, bounded: an archive of more than IMPORT_CACHE_MEMBERS
 * members is not kept. An archive's entry holds the password candidates
 * it was tried with, and serves only a copy that comes with the same ones
 * (a campaign gives its password in every copy's text).
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "import_cache.h"
#include "inspect.h"
#include "mime.h"
#include "parsed.h"

#define IMPORT_CACHE_SLOTS	256
#define IMPORT_CACHE_MEMBERS	256
/* More password candidates than this: the archive is not kept. */
#define IMPORT_CACHE_PASSWORDS	16

struct cache_entry {
	int			 used;
	char			 sha256[65];
	char			*filename;	/* NULL: none */
	char			*type;
	int			 inspected;	/* ir holds something */
	int			 keyed;		/* by the passwords too */
	char			*pw[IMPORT_CACHE_PASSWORDS];
	size_t			 npw;
	struct inspect_result	 ir;
	struct parsed_yara	*yara;
	size_t			 nyara;
};

struct import_cache {
	struct cache_entry	 slot[IMPORT_CACHE_SLOTS];
};

static void
cache_entry_clear(struct cache_entry *e)
{
	size_t i;

	free(e->filename);
	free(e->type);
	for (i = 0; i < e->npw; i++)
		free(e->pw[i]);
	inspect_result_clear(&e->ir);
	for (i = 0; i < e->nyara; i++) {
		yara_match_clear(&e->yara[i].m);
		free(e->yara[i].member);
	}
	free(e->yara);
	memset(e, 0, sizeof(*e));
}

struct import_cache *
import_cache_new(void)
{
	return calloc(1, sizeof(struct import_cache));
}

void
import_cache_flush(struct import_cache *c)
{
	size_t i;

	for (i = 0; c != NULL && i < IMPORT_CACHE_SLOTS; i++)
		cache_entry_clear(&c->slot[i]);
}

void
import_cache_free(struct import_cache *c)
{
	import_cache_flush(c);
	free(c);
}

static struct cache_entry *
cache_slot(struct import_cache *c, const char *sha256)
{
	char digits[5];

	memcpy(digits, sha256, 4);
	digits[4] = '\0';
	return &c->slot[strtoul(digits, NULL, 16) % IMPORT_CACHE_SLOTS];
}

static int
cache_same(const char *a, const char *b)
{
	return a == NULL ? b == NULL : b != NULL && strcmp(a, b) == 0;
}

/* A string copied, NULL kept; -1 out of memory. */
static int
cache_dup(char **dst, const char *s)
{
	*dst = NULL;
	return s == NULL || (*dst = strdup(s)) != NULL ? 0 : -1;
}

/* An archive's result depends on the passwords tried, whatever its
 * state says: an encrypted archive inside a damaged one is "damaged". */
static int
cache_keyed(const struct inspect_result *ir)
{
	return ir != NULL && ir->archive != INSPECT_NOT_ARCHIVE;
}

static int
cache_same_passwords(const struct cache_entry *e,
    const struct import_cache_pw *pw)
{
	size_t i;

	if (!e->keyed)
		return 1;
	if (e->npw != pw->n)
		return 0;
	for (i = 0; i < pw->n; i++)
		if (strcmp(e->pw[i], pw->list[i]) != 0)
			return 0;
	return 1;
}

static int
cache_copy_ir(struct inspect_result *dst, const struct inspect_result *src)
{
	size_t i;

	memset(dst, 0, sizeof(*dst));
	dst->mismatch = src->mismatch;
	dst->archive = src->archive;
	if (cache_dup(&dst->real_type, src->real_type) == -1 ||
	    cache_dup(&dst->password, src->password) == -1)
		return -1;
	if (src->nmembers > 0 && (dst->members = calloc(src->nmembers,
	    sizeof(*dst->members))) == NULL)
		return -1;
	for (i = 0; i < src->nmembers; i++) {
		dst->members[i] = src->members[i];
		dst->members[i].path = NULL;
		dst->members[i].real_type = NULL;
		dst->nmembers = i + 1;
		if (cache_dup(&dst->members[i].path,
		    src->members[i].path) == -1 ||
		    cache_dup(&dst->members[i].real_type,
		    src->members[i].real_type) == -1)
			return -1;
	}
	return 0;
}

static int
cache_copy_yara(struct parsed_yara *dst, const struct parsed_yara *src,
    int att)
{
	memset(dst, 0, sizeof(*dst));
	dst->att = att;
	return cache_dup(&dst->m.rule, src->m.rule) == -1 ||
	    cache_dup(&dst->m.ns, src->m.ns) == -1 ||
	    cache_dup(&dst->m.tags, src->m.tags) == -1 ||
	    cache_dup(&dst->m.meta, src->m.meta) == -1 ||
	    cache_dup(&dst->member, src->member) == -1 ? -1 : 0;
}

int
import_cache_get(struct import_cache *c, const struct mime_attachment *a,
    const struct import_cache_pw *pw, struct inspect_result *ir,
    struct parsed_more *more, int att)
{
	struct cache_entry *e = cache_slot(c, a->sha256);
	struct parsed_yara *y;
	size_t i;

	if (!e->used || strcmp(e->sha256, a->sha256) != 0 ||
	    !cache_same(e->filename, a->filename) ||
	    !cache_same(e->type, a->content_type) ||
	    (ir != NULL && !e->inspected) || !cache_same_passwords(e, pw))
		return 0;
	if (ir != NULL && cache_copy_ir(ir, &e->ir) == -1)
		return -1;
	if (e->nyara == 0)
		return 1;
	if ((y = realloc(more->yara, (more->nyara + e->nyara) *
	    sizeof(*y))) == NULL)
		return -1;
	more->yara = y;
	for (i = 0; i < e->nyara; i++)
		if (cache_copy_yara(&more->yara[more->nyara++], &e->yara[i],
		    att) == -1)
			return -1;
	return 1;
}

void
import_cache_put(struct import_cache *c, const struct mime_attachment *a,
    const struct import_cache_pw *pw, const struct inspect_result *ir,
    const struct parsed_yara *y, size_t n)
{
	struct cache_entry *e = cache_slot(c, a->sha256);
	size_t i;

	if ((ir != NULL && ir->nmembers > IMPORT_CACHE_MEMBERS) ||
	    (cache_keyed(ir) && pw->n > IMPORT_CACHE_PASSWORDS))
		return;
	cache_entry_clear(e);
	if ((e->keyed = cache_keyed(ir)) != 0)
		for (i = 0; i < pw->n; i++) {
			e->npw = i + 1;
			if ((e->pw[i] = strdup(pw->list[i])) == NULL)
				goto fail;
		}
	memcpy(e->sha256, a->sha256, sizeof(e->sha256));
	if (cache_dup(&e->filename, a->filename) == -1 ||
	    cache_dup(&e->type, a->content_type) == -1 ||
	    (ir != NULL && cache_copy_ir(&e->ir, ir) == -1) ||
	    (n > 0 && (e->yara = calloc(n, sizeof(*e->yara))) == NULL))
		goto fail;
	e->inspected = ir != NULL;
	for (i = 0; i < n; i++) {
		e->nyara = i + 1;
		if (cache_copy_yara(&e->yara[i], &y[i], 0) == -1)
			goto fail;
	}
	e->used = 1;
	return;
fail:
	cache_entry_clear(e);	/* not kept: the next copy is looked into */
}
