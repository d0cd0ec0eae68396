/*
 * store_rollup: a batch's additions to the report's running totals, one
 * entry per (table, kind, hour, value or pattern), found again through an
 * open-addressing index so that a value seen a thousand times in a batch
 * is one row at its commit. A value is keyed by the SHA-256 of its text
 * as the database holds it (credential: user, NUL, password), the key of
 * value_hours and value_totals.
 */
#include "autoconf.h"

#include <openssl/evp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store_rollup.h"
#include "utf8.h"

struct store_rollup {
	struct store_rollup_entry	*e;
	size_t				 n, cap;
	size_t				*slot;	/* index + 1; 0: empty */
	size_t				 nslots;	/* a power of two */
	EVP_MD_CTX			*md;	/* reused for every value */
};

struct store_rollup *
store_rollup_new(void)
{
	return calloc(1, sizeof(struct store_rollup));
}

void
store_rollup_clear(struct store_rollup *ru)
{
	size_t i;

	if (ru == NULL)
		return;
	for (i = 0; i < ru->n; i++) {
		free(ru->e[i].value);
		free(ru->e[i].value2);
	}
	ru->n = 0;
	if (ru->slot != NULL)
		memset(ru->slot, 0, ru->nslots * sizeof(*ru->slot));
}

void
store_rollup_free(struct store_rollup *ru)
{
	if (ru == NULL)
		return;
	store_rollup_clear(ru);
	EVP_MD_CTX_free(ru->md);
	free(ru->e);
	free(ru->slot);
	free(ru);
}

size_t
store_rollup_count(const struct store_rollup *ru)
{
	return ru->n;
}

const struct store_rollup_entry *
store_rollup_get(const struct store_rollup *ru, size_t i)
{
	return &ru->e[i];
}

/* FNV-1a over what tells two entries apart. */
static size_t
store_rollup_hash(const struct store_rollup_entry *k)
{
	uint64_t h = 1469598103934665603ULL;
	const unsigned char *p;
	size_t i;

#define MIX(ptr, len) \
	for (p = (const unsigned char *)(ptr), i = 0; i < (len); i++) \
		h = (h ^ p[i]) * 1099511628211ULL
	MIX(&k->table, sizeof(k->table));
	MIX(k->kind, strlen(k->kind));
	MIX(k->hour, sizeof(k->hour));
	MIX(k->sha, sizeof(k->sha));
	MIX(&k->pattern_id, sizeof(k->pattern_id));
#undef MIX
	return (size_t)h;
}

static int
store_rollup_same(const struct store_rollup_entry *a,
    const struct store_rollup_entry *b)
{
	return a->table == b->table && a->pattern_id == b->pattern_id &&
	    memcmp(a->hour, b->hour, sizeof(a->hour)) == 0 &&
	    memcmp(a->sha, b->sha, sizeof(a->sha)) == 0 &&
	    strcmp(a->kind, b->kind) == 0;
}

/* Room for one more entry, the index at most half full. */
static int
store_rollup_grow(struct store_rollup *ru)
{
	struct store_rollup_entry *e;
	size_t cap, i, j, *slot, nslots;

	if (ru->n == ru->cap) {
		cap = ru->cap ? ru->cap * 2 : 256;
		if ((e = reallocarray(ru->e, cap, sizeof(*e))) == NULL)
			return -1;
		ru->e = e;
		ru->cap = cap;
	}
	if ((ru->n + 1) * 2 <= ru->nslots)
		return 0;
	nslots = ru->nslots ? ru->nslots * 2 : 512;
	if ((slot = calloc(nslots, sizeof(*slot))) == NULL)
		return -1;
	for (i = 0; i < ru->n; i++) {
		j = store_rollup_hash(&ru->e[i]) & (nslots - 1);
		while (slot[j] != 0)
			j = (j + 1) & (nslots - 1);
		slot[j] = i + 1;
	}
	free(ru->slot);
	ru->slot = slot;
	ru->nslots = nslots;
	return 0;
}

/* The entry of key k, made (counting nothing yet) if new; NULL: out of
 * memory. */
static struct store_rollup_entry *
store_rollup_find(struct store_rollup *ru, const struct store_rollup_entry *k)
{
	size_t j;

	if (store_rollup_grow(ru) == -1)
		return NULL;
	j = store_rollup_hash(k) & (ru->nslots - 1);
	for (; ru->slot[j] != 0; j = (j + 1) & (ru->nslots - 1))
		if (store_rollup_same(&ru->e[ru->slot[j] - 1], k))
			return &ru->e[ru->slot[j] - 1];
	ru->e[ru->n] = *k;
	ru->slot[j] = ++ru->n;
	return &ru->e[ru->n - 1];
}

/* A key for kind at the spool time when (2026-11-26T16:11:16.123456Z). */
static void
store_rollup_key(struct store_rollup_entry *k, enum store_rollup_table t,
    const char *kind, const char *when)
{
	size_t n = strlen(kind);

	memset(k, 0, sizeof(*k));
	k->table = t;
	memcpy(k->kind, kind, n < sizeof(k->kind) ? n : sizeof(k->kind) - 1);
	memcpy(k->hour, when, 10);
	k->hour[10] = ' ';
	memcpy(k->hour + 11, when + 11, 2);
	memcpy(k->hour + 13, ":00:00", 7);
}

static void
store_rollup_count_at(struct store_rollup_entry *e, unsigned long long n,
    const char *when)
{
	if (e->n == 0 || strcmp(when, e->first) < 0)
		snprintf(e->first, sizeof(e->first), "%s", when);
	if (e->n == 0 || strcmp(when, e->last) > 0)
		snprintf(e->last, sizeof(e->last), "%s", when);
	e->n += n;
}

/* The bytes of the first STORE_ROLLUP_CHARS characters of valid UTF-8. */
static size_t
store_rollup_chars(const char *s, size_t len)
{
	size_t i, chars = 0;

	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80 &&
		    chars++ == STORE_ROLLUP_CHARS)
			break;
	return i;
}

/* value as its column holds it, then as its rollup key: malloc'd. */
static char *
store_rollup_text(const char *p, size_t len, size_t max, size_t *out)
{
	char *t;

	if ((t = utf8_sanitize(p ? p : "", p ? len : 0)) == NULL)
		return NULL;
	*out = store_rollup_chars(t, utf8_prefix(t, max));
	t[*out] = '\0';
	return t;
}

int
store_rollup_value(struct store_rollup *ru, const char *kind,
    const char *value, size_t len, const char *value2, size_t len2,
    size_t max, const char *when)
{
	struct store_rollup_entry k, *e;
	char *v = NULL, *v2 = NULL;
	size_t n = 0, n2 = 0;
	unsigned int shalen = sizeof(k.sha);
	int ok;

	store_rollup_key(&k, SRU_KIND, kind, when);
	if ((e = store_rollup_find(ru, &k)) == NULL)
		return -1;
	store_rollup_count_at(e, 1, when);

	store_rollup_key(&k, SRU_VALUE, kind, when);
	if ((v = store_rollup_text(value, len, max, &n)) == NULL ||
	    (value2 != NULL &&
	    (v2 = store_rollup_text(value2, len2, max, &n2)) == NULL) ||
	    (ru->md == NULL && (ru->md = EVP_MD_CTX_new()) == NULL))
		goto fail;
	ok = EVP_DigestInit_ex(ru->md, EVP_sha256(), NULL) &&
	    EVP_DigestUpdate(ru->md, v, n) &&
	    (v2 == NULL || (EVP_DigestUpdate(ru->md, "", 1) &&
	    EVP_DigestUpdate(ru->md, v2, n2))) &&
	    EVP_DigestFinal_ex(ru->md, k.sha, &shalen);
	if (!ok || (e = store_rollup_find(ru, &k)) == NULL)
		goto fail;
	if (e->value == NULL) {
		e->value = v;
		e->len = n;
		e->value2 = v2;
		e->len2 = n2;
	} else {
		free(v);
		free(v2);
	}
	store_rollup_count_at(e, 1, when);
	return 0;
fail:
	free(v);
	free(v2);
	return -1;
}

int
store_rollup_pattern(struct store_rollup *ru, const char *kind,
    unsigned long long id, unsigned long long count, const char *when)
{
	struct store_rollup_entry k, *e;

	store_rollup_key(&k, SRU_PATTERN, kind, when);
	k.pattern_id = id;
	if ((e = store_rollup_find(ru, &k)) == NULL)
		return -1;
	store_rollup_count_at(e, count, when);
	return 0;
}
