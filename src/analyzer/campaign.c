/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * campaign: the in-memory index of campaign representatives (see
 * campaign.h for how it is used). Runs in spampot-analyzer, unprivileged;
 * it only computes.
 *
 * Templates: an open-addressing table (linear probing) of the first 16
 * bytes of each template's SHA-256 and its campaign id, 24 bytes a slot,
 * at most CAMPAIGN_TPL_LOAD full, grown by half when it gets there (so
 * 27 to 41 bytes per template). A template that is not 64 hex digits is
 * hashed first, so any string works.
 *
 * TLSH bands: a digest is 70 hex digits, 6 of header and a body of 64
 * (128 buckets of 2 bits, two a digit). The body is cut into
 * CAMPAIGN_BANDS bands of 4 digits, and heads[band][value] is the newest
 * representative with that band value, each representative linking to the
 * next older one with the same value (next[band]). TLSH's distance adds at
 * least 1 for each bucket that differs, so at least 1 for each body digit
 * that differs: two digests at distance D differ in at most D digits, and
 * when that is fewer than 16, one of the 16 bands is the same in both
 * (pigeonhole). The search is therefore complete up to distance 15, and
 * in practice well beyond (a differing digit usually costs 2 or more, and
 * the header costs too). 16 bits a band keep chance candidates rare: with
 * 50,000 campaigns a digest meets about 16 * 50000 / 65536 = 12 by chance.
 * At most CAMPAIGN_CANDIDATES distinct candidates are compared, newest
 * first (the band lists are merged by slot), so a match costs at most 64
 * TLSH comparisons, a few microseconds each.
 *
 * Determinism: nothing depends on addresses, time or randomness; the same
 * calls in the same order give the same answers, which is what lets a
 * rebuild reproduce the online assignment.
 */
#include "autoconf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "campaign.h"
#include "tlsh_shim.h"
#include "util.h"

#define CAMPAIGN_TLSH_HEX	70	/* digits of a TLSH digest */
#define CAMPAIGN_TLSH_BYTES	(CAMPAIGN_TLSH_HEX / 2)
#define CAMPAIGN_TLSH_HEAD	6	/* checksum, length, ratios */
#define CAMPAIGN_BANDS		16
#define CAMPAIGN_BAND_DIGITS	4
#define CAMPAIGN_BAND_VALUES	(1U << (4 * CAMPAIGN_BAND_DIGITS))
#define CAMPAIGN_CANDIDATES	64	/* compared per message at most */
#define CAMPAIGN_CHUNK		4096	/* representatives per allocation */
#define CAMPAIGN_DOMAINS_MAX	64	/* link domains kept per campaign */
#define CAMPAIGN_DOMAIN_LEN	253
#define CAMPAIGN_TPL_KEY	16	/* bytes of a template's hash */
#define CAMPAIGN_TPL_MIN	1024	/* slots at first */
#define CAMPAIGN_TPL_LOAD	80	/* percent full at most */

struct campaign_rep {
	uint64_t	id;
	char		*domains;	/* ndomains strings, each NUL-ended */
	uint32_t	next[CAMPAIGN_BANDS];	/* slot + 1; 0: none */
	uint8_t		tlsh[CAMPAIGN_TLSH_BYTES];
	uint8_t		has_tlsh;
	uint16_t	ndomains;
};

struct campaign_tpl {
	uint8_t		key[CAMPAIGN_TPL_KEY];
	uint64_t	id;		/* 0: the slot is free */
};

struct campaign_index {
	struct campaign_params	  params;
	struct campaign_rep	**chunks;
	size_t			  nchunks;
	size_t			  nreps;
	uint32_t		 *heads;	/* [band][value]: slot + 1 */
	struct campaign_tpl	 *tpls;
	size_t			  ntpls;
	size_t			  tplcap;
};

/* --- digests ------------------------------------------------------------ */

static int
campaign_unhex(uint8_t *dst, const char *hex, size_t n)
{
	int hi, lo;
	size_t i;

	for (i = 0; i < n; i++) {
		if ((hi = util_hexval((unsigned char)hex[2 * i], 0)) < 0 ||
		    (lo = util_hexval((unsigned char)hex[2 * i + 1], 0)) < 0)
			return -1;
		dst[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

/* A TLSH digest as bytes (with or without "T1"): 0, or -1 not one. */
static int
campaign_tlsh_bytes(const char *hex, uint8_t *dst)
{
	size_t len;

	if (hex == NULL)
		return -1;
	len = strlen(hex);
	if (len == CAMPAIGN_TLSH_HEX + 2 && hex[0] == 'T' && hex[1] == '1') {
		hex += 2;
		len -= 2;
	}
	if (len != CAMPAIGN_TLSH_HEX)
		return -1;
	return campaign_unhex(dst, hex, CAMPAIGN_TLSH_BYTES);
}

/* The bytes as libtlsh writes them: upper-case hex. */
static void
campaign_tlsh_hex(char *hex, const uint8_t *t)
{
	static const char digits[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < CAMPAIGN_TLSH_BYTES; i++) {
		hex[2 * i] = digits[t[i] >> 4];
		hex[2 * i + 1] = digits[t[i] & 15];
	}
	hex[CAMPAIGN_TLSH_HEX] = '\0';
}

/* Band B's value: 4 body digits, that is 2 body bytes. */
static uint32_t
campaign_band(const uint8_t *t, unsigned b)
{
	const uint8_t *p = t + CAMPAIGN_TLSH_HEAD / 2 + 2 * b;

	return b * CAMPAIGN_BAND_VALUES + ((uint32_t)p[0] << 8 | p[1]);
}

/* A template's first 16 bytes of hash: its own digits, or SHA-256 of it. */
static int
campaign_tpl_key(const char *tpl, uint8_t *key)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	size_t len = strlen(tpl);

	if (len == 64 && campaign_unhex(key, tpl, CAMPAIGN_TPL_KEY) == 0)
		return 0;
	if (EVP_Digest(tpl, len, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen < CAMPAIGN_TPL_KEY)
		return -1;
	memcpy(key, md, CAMPAIGN_TPL_KEY);
	return 0;
}

/* --- the template table ------------------------------------------------- */

static size_t
campaign_tpl_slot(const struct campaign_tpl *tpls, size_t cap,
    const uint8_t *key)
{
	uint64_t h;
	size_t i;

	memcpy(&h, key, sizeof(h));	/* a hash already: uniform */
	for (i = (size_t)(h % cap); tpls[i].id != 0; i = (i + 1) % cap)
		if (memcmp(tpls[i].key, key, CAMPAIGN_TPL_KEY) == 0)
			break;
	return i;
}

static int
campaign_tpl_grow(struct campaign_index *ci)
{
	struct campaign_tpl *t;
	size_t cap, i, k;

	cap = ci->tplcap == 0 ? CAMPAIGN_TPL_MIN : ci->tplcap + ci->tplcap / 2;
	if ((t = calloc(cap, sizeof(*t))) == NULL)
		return -1;
	for (i = 0; i < ci->tplcap; i++) {
		if (ci->tpls[i].id == 0)
			continue;
		k = campaign_tpl_slot(t, cap, ci->tpls[i].key);
		t[k] = ci->tpls[i];
	}
	free(ci->tpls);
	ci->tpls = t;
	ci->tplcap = cap;
	return 0;
}

static uint64_t
campaign_tpl_find(const struct campaign_index *ci, const char *tpl)
{
	uint8_t key[CAMPAIGN_TPL_KEY];

	if (ci->ntpls == 0 || campaign_tpl_key(tpl, key) == -1)
		return 0;
	return ci->tpls[campaign_tpl_slot(ci->tpls, ci->tplcap, key)].id;
}

/* --- representatives ---------------------------------------------------- */

static struct campaign_rep *
campaign_rep(const struct campaign_index *ci, size_t slot)
{
	return &ci->chunks[slot / CAMPAIGN_CHUNK][slot % CAMPAIGN_CHUNK];
}

/* A free slot for one more representative, zeroed. */
static struct campaign_rep *
campaign_rep_new(struct campaign_index *ci)
{
	struct campaign_rep **v, *r;

	if (ci->nreps >= UINT32_MAX - 1)
		return NULL;
	if (ci->nreps == ci->nchunks * CAMPAIGN_CHUNK) {
		v = reallocarray(ci->chunks, ci->nchunks + 1, sizeof(*v));
		if (v == NULL)
			return NULL;
		ci->chunks = v;
		v[ci->nchunks] = calloc(CAMPAIGN_CHUNK, sizeof(**v));
		if (v[ci->nchunks] == NULL)
			return NULL;
		ci->nchunks++;
	}
	r = campaign_rep(ci, ci->nreps);
	memset(r, 0, sizeof(*r));	/* a failed add may have used it */
	return r;
}

/* The first CAMPAIGN_DOMAINS_MAX domains, packed. */
static int
campaign_rep_domains(struct campaign_rep *r, const struct campaign_key *k)
{
	size_t i, n, len, total = 0;
	char *p;

	n = k->ndomains < CAMPAIGN_DOMAINS_MAX ? k->ndomains :
	    CAMPAIGN_DOMAINS_MAX;
	for (i = 0; i < n; i++)
		total += strnlen(k->domains[i], CAMPAIGN_DOMAIN_LEN) + 1;
	if (total == 0)
		return 0;
	if ((r->domains = p = malloc(total)) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		len = strnlen(k->domains[i], CAMPAIGN_DOMAIN_LEN);
		memcpy(p, k->domains[i], len);
		p[len] = '\0';
		p += len + 1;
	}
	r->ndomains = (uint16_t)n;
	return 0;
}

/* Do the sorted lists share a domain? A merge of the two. */
static int
campaign_shares_domain(const struct campaign_rep *r,
    const struct campaign_key *k)
{
	const char *d = r->domains;
	size_t i = 0, j = 0;
	int c;

	while (i < r->ndomains && j < k->ndomains) {
		c = strncmp(d, k->domains[j], CAMPAIGN_DOMAIN_LEN);
		if (c == 0)
			return 1;
		if (c < 0) {
			d += strlen(d) + 1;
			i++;
		} else
			j++;
	}
	return 0;
}

/* --- matching by TLSH --------------------------------------------------- */

/*
 * The next candidate, newest first: the highest slot at the head of any
 * band list, every list holding it moved on. 0, or slot + 1.
 */
static uint32_t
campaign_next_candidate(const struct campaign_index *ci, uint32_t *cur)
{
	uint32_t best = 0;
	unsigned b;

	for (b = 0; b < CAMPAIGN_BANDS; b++)
		if (cur[b] > best)
			best = cur[b];
	if (best == 0)
		return 0;
	for (b = 0; b < CAMPAIGN_BANDS; b++)
		if (cur[b] == best)
			cur[b] = campaign_rep(ci, best - 1)->next[b];
	return best;
}

static uint64_t
campaign_match_tlsh(const struct campaign_index *ci,
    const struct campaign_key *k, const uint8_t *t)
{
	const struct campaign_rep *r;
	char hex[CAMPAIGN_TLSH_HEX + 1];
	uint32_t cur[CAMPAIGN_BANDS], slot;
	uint64_t best = 0;
	unsigned b, n, limit;
	int d, bestd = -1;

	for (b = 0; b < CAMPAIGN_BANDS; b++)
		cur[b] = ci->heads[campaign_band(t, b)];
	for (n = 0; n < CAMPAIGN_CANDIDATES; n++) {
		if ((slot = campaign_next_candidate(ci, cur)) == 0)
			break;
		r = campaign_rep(ci, slot - 1);
		campaign_tlsh_hex(hex, r->tlsh);
		if ((d = tlsh_shim_diff(k->tlsh, hex)) < 0)
			continue;
		limit = ci->params.tlsh_distance;
		if ((unsigned)d > limit && ci->params.domain_bonus > 0 &&
		    campaign_shares_domain(r, k))
			limit += ci->params.domain_bonus;
		if ((unsigned)d > limit)
			continue;
		if (bestd < 0 || d < bestd || (d == bestd && r->id < best)) {
			bestd = d;
			best = r->id;
		}
	}
	return best;
}

/* --- the API ------------------------------------------------------------ */

struct campaign_index *
campaign_index_new(const struct campaign_params *p)
{
	struct campaign_index *ci;

	if ((ci = calloc(1, sizeof(*ci))) == NULL)
		return NULL;
	ci->params = *p;
	return ci;
}

void
campaign_index_free(struct campaign_index *ci)
{
	size_t i;

	if (ci == NULL)
		return;
	for (i = 0; i < ci->nreps; i++)
		free(campaign_rep(ci, i)->domains);
	for (i = 0; i < ci->nchunks; i++)
		free(ci->chunks[i]);
	free(ci->chunks);
	free(ci->heads);
	free(ci->tpls);
	free(ci);
}

uint64_t
campaign_index_match(const struct campaign_index *ci,
    const struct campaign_key *k)
{
	uint8_t t[CAMPAIGN_TLSH_BYTES];
	uint64_t id;

	if (k->template != NULL && k->template[0] != '\0' &&
	    (id = campaign_tpl_find(ci, k->template)) != 0)
		return id;
	if (ci->heads == NULL || campaign_tlsh_bytes(k->tlsh, t) == -1)
		return 0;
	return campaign_match_tlsh(ci, k, t);
}

int
campaign_index_add(struct campaign_index *ci, uint64_t id,
    const struct campaign_key *k)
{
	struct campaign_rep *r;
	uint32_t v;
	unsigned b;

	if (id == 0)
		return -1;
	if ((r = campaign_rep_new(ci)) == NULL)
		return -1;
	if (campaign_tlsh_bytes(k->tlsh, r->tlsh) == 0) {
		/* 4 MiB at the first digest; cheaper than hashing from
		 * some 16,000 campaigns on. */
		if (ci->heads == NULL && (ci->heads = calloc(CAMPAIGN_BANDS *
		    CAMPAIGN_BAND_VALUES, sizeof(*ci->heads))) == NULL)
			return -1;
		r->has_tlsh = 1;
	}
	if (campaign_rep_domains(r, k) == -1)
		return -1;
	r->id = id;
	for (b = 0; r->has_tlsh && b < CAMPAIGN_BANDS; b++) {
		v = campaign_band(r->tlsh, b);
		r->next[b] = ci->heads[v];
		ci->heads[v] = (uint32_t)ci->nreps + 1;
	}
	ci->nreps++;
	if (k->template != NULL && k->template[0] != '\0')
		return campaign_index_template(ci, id, k->template);
	return 0;
}

int
campaign_index_template(struct campaign_index *ci, uint64_t id,
    const char *tpl)
{
	uint8_t key[CAMPAIGN_TPL_KEY];
	size_t i;

	if (id == 0 || tpl == NULL || tpl[0] == '\0')
		return 0;
	if (campaign_tpl_key(tpl, key) == -1)
		return -1;
	if ((ci->ntpls + 1) * 100 > ci->tplcap * CAMPAIGN_TPL_LOAD &&
	    campaign_tpl_grow(ci) == -1)
		return -1;
	i = campaign_tpl_slot(ci->tpls, ci->tplcap, key);
	if (ci->tpls[i].id != 0)
		return 0;	/* the first campaign keeps it */
	memcpy(ci->tpls[i].key, key, CAMPAIGN_TPL_KEY);
	ci->tpls[i].id = id;
	ci->ntpls++;
	return 0;
}

size_t
campaign_index_count(const struct campaign_index *ci)
{
	return ci->nreps;
}
