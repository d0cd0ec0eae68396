/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * campaign: the in-memory index of campaign representatives. Runs in
 * spampot-analyzer, unprivileged; it only computes.
 *
 * The rule. A message (its key: template, TLSH and ssdeep digests of its
 * normalised text, link domains) joins, in this order:
 *  1. the campaign that first had its template;
 *  2. else the representative nearest by TLSH, among at most
 *     CAMPAIGN_CANDIDATES that share a digest band with it (newest
 *     first), within tlsh_distance, or tlsh_distance + domain_bonus when
 *     they share a link domain (ties: the lower id);
 *  3. else, when ssdeep_score is not 0, the representative with the best
 *     ssdeep score (libfuzzy's fuzzy_compare) of at least ssdeep_score,
 *     among the newest CAMPAIGN_SS_CANDIDATES that can score above 0
 *     (ties: the lower id);
 *  4. else none: the caller starts a campaign with it as representative.
 * A representative is a campaign's first message and never changes.
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
 * ssdeep grams: a signature is "B:P1:P2", P1 hashed at block size B and
 * P2 at 2B. libfuzzy (2.14, fuzzy.c) compares two signatures only when
 * their block sizes are equal or one is twice the other, and then only
 * parts of the same block size (P1 with P1 and P2 with P2 at equal B; at
 * B and 2B, the first's P2 with the second's P1); it removes runs of more
 * than 3 equal characters first; and a pair of parts scores 0 unless they
 * share a substring of 7 characters (ROLLING_WINDOW). The one exception:
 * signatures equal after that removal score 100 at once, however short.
 * So each representative's parts, runs removed, are cut into their
 * 7-character grams, each gram keyed by (its part's block size, the 7
 * characters), plus one key for the whole signature; a message looks up
 * its own keys the same way. Every representative that could score above
 * 0 shares a key with the message: the search is complete, and the keys
 * are specific enough (7 characters of base64 at one block size) that
 * unrelated signatures rarely share one. The keys of all representatives
 * sit in one array (8 bytes each: a 32-bit hash of the key and the index
 * of the next older entry in its bucket), a representative's keys
 * contiguous and distinct, so an entry's representative is found by
 * bisecting the representatives' first entries; buckets are a power of
 * two, at least half as many as entries (CAMPAIGN_SS_LOAD: a list walks
 * past 1 to 2 foreign entries a key), regrown (and relinked, oldest first
 * so lists stay newest first) when entries outgrow them. The lists of the
 * message's keys are merged newest first, as the bands are, and at most
 * CAMPAIGN_SS_CANDIDATES representatives are compared (a comparison is a
 * few microseconds: an edit distance of two strings of at most 64). A
 * signature of up to 64 + 32 characters has at most 58 + 26 + 1 keys;
 * with the signature itself (malloc'd, its length + 1), a representative
 * costs about 0.6 to 1.3 KiB (measured: bench/campaigns/README.md).
 *
 * Determinism: nothing depends on addresses, time or randomness; the same
 * calls in the same order give the same answers, which is what lets a
 * rebuild reproduce the online assignment.
 */
#include "autoconf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <fuzzy.h>
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
#define CAMPAIGN_SS_CANDIDATES	64	/* ssdeep comparisons per message */
#define CAMPAIGN_SS_PART	64	/* characters of a part at most */
#define CAMPAIGN_SS_GRAM	7	/* libfuzzy's ROLLING_WINDOW */
#define CAMPAIGN_SS_KEYS	(2 * (CAMPAIGN_SS_PART - CAMPAIGN_SS_GRAM + 1) + 1)
#define CAMPAIGN_SS_BUCKETS	4096	/* at first */
#define CAMPAIGN_SS_LOAD	2	/* entries per bucket at most */

struct campaign_rep {
	uint64_t	id;
	char		*domains;	/* ndomains strings, each NUL-ended */
	char		*ssdeep;	/* NULL: none */
	uint32_t	next[CAMPAIGN_BANDS];	/* slot + 1; 0: none */
	uint32_t	gram0;		/* its first entry in grams[] */
	uint8_t		tlsh[CAMPAIGN_TLSH_BYTES];
	uint8_t		has_tlsh;
	uint8_t		ngrams;		/* its entries in grams[] */
	uint16_t	ndomains;
};

/* One key of a representative's ssdeep signature. */
struct campaign_gram {
	uint32_t	key;
	uint32_t	next;		/* entry + 1 older in the bucket; 0 */
};

/* A signature taken apart: block size, parts with runs removed. */
struct campaign_ss {
	unsigned long	bs;
	char		part[2][CAMPAIGN_SS_PART + 1];
	size_t		len[2];
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
	struct campaign_gram	 *grams;	/* ssdeep keys, by slot */
	uint32_t		  ngrams;
	uint32_t		  gramcap;
	uint32_t		 *gheads;	/* [key & gmask]: entry + 1 */
	uint32_t		  gmask;
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

/* --- matching by ssdeep ------------------------------------------------- */

/*
 * "B:P1:P2" taken apart as fuzzy_compare reads it: runs of more than 3
 * equal characters cut to 3, a ",name" tail dropped. 0, or -1 when it is
 * not a signature fuzzy_compare would score.
 */
static int
campaign_ss_parse(const char *sig, struct campaign_ss *ss)
{
	const char *p;
	char *end;
	size_t i, n;
	int k;

	if (sig == NULL || !(sig[0] >= '1' && sig[0] <= '9'))
		return -1;
	ss->bs = strtoul(sig, &end, 10);
	if (*end != ':' || ss->bs == 0 || ss->bs > UINT32_MAX / 4)
		return -1;
	for (p = end + 1, k = 0; k < 2; k++) {
		for (i = n = 0; p[i] != '\0' && p[i] != ':' && p[i] != ','; i++) {
			if (i >= 3 && p[i] == p[i - 1] && p[i] == p[i - 2] &&
			    p[i] == p[i - 3])
				continue;
			if (n == CAMPAIGN_SS_PART)
				return -1;
			ss->part[k][n++] = p[i];
		}
		ss->part[k][n] = '\0';
		ss->len[k] = n;
		if (k == 0 && p[i] != ':')
			return -1;
		p += i + 1;
	}
	return 0;
}

/* FNV-1a over a block size and N characters, then mixed: a key. */
static uint32_t
campaign_ss_hash(unsigned long bs, const char *s, size_t n)
{
	uint32_t h = 2166136261U;
	size_t i;

	for (i = 0; i < sizeof(bs); i++, bs >>= 8)
		h = (h ^ (uint8_t)bs) * 16777619U;
	for (i = 0; i < n; i++)
		h = (h ^ (uint8_t)s[i]) * 16777619U;
	h ^= h >> 16;
	h *= 0x85ebca6bU;
	h ^= h >> 13;
	h *= 0xc2b2ae35U;
	return h ^ (h >> 16);
}

static int
campaign_ss_keycmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * The distinct keys of a signature (see the top of the file), sorted;
 * their number. The whole signature's key uses block size 0, which no
 * part has.
 */
static size_t
campaign_ss_keys(const struct campaign_ss *ss, uint32_t *keys)
{
	char whole[2 * CAMPAIGN_SS_PART + 2];
	size_t i, k, n = 0, m;
	int part;

	for (part = 0; part < 2; part++)
		for (i = 0; i + CAMPAIGN_SS_GRAM <= ss->len[part]; i++)
			keys[n++] = campaign_ss_hash(ss->bs << part,
			    ss->part[part] + i, CAMPAIGN_SS_GRAM);
	m = (size_t)snprintf(whole, sizeof(whole), "%s:%s", ss->part[0],
	    ss->part[1]);
	keys[n++] = campaign_ss_hash(0, whole, m) ^
	    campaign_ss_hash(ss->bs, "", 0);
	qsort(keys, n, sizeof(*keys), campaign_ss_keycmp);
	for (i = k = 1; i < n; i++)
		if (keys[i] != keys[k - 1])
			keys[k++] = keys[i];
	return k;
}

/* The slot whose entries hold entry E: the last with gram0 <= E. */
static size_t
campaign_ss_slot(const struct campaign_index *ci, uint32_t e)
{
	size_t lo = 0, hi = ci->nreps, mid;

	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (campaign_rep(ci, mid)->gram0 <= e)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* From entry + 1 E on, the first entry + 1 with KEY; 0: none. */
static uint32_t
campaign_ss_seek(const struct campaign_index *ci, uint32_t e, uint32_t key)
{
	while (e != 0 && ci->grams[e - 1].key != key)
		e = ci->grams[e - 1].next;
	return e;
}

/*
 * The next candidate, newest first: the representative of the highest
 * entry among the lists' cursors, every cursor inside its entries moved
 * on. 0, or slot + 1.
 */
static size_t
campaign_ss_next(const struct campaign_index *ci, const uint32_t *keys,
    uint32_t *cur, size_t nkeys)
{
	const struct campaign_rep *r;
	uint32_t best = 0;
	size_t i, slot;

	for (i = 0; i < nkeys; i++)
		if (cur[i] > best)
			best = cur[i];
	if (best == 0)
		return 0;
	slot = campaign_ss_slot(ci, best - 1);
	r = campaign_rep(ci, slot);
	for (i = 0; i < nkeys; i++)
		if (cur[i] > r->gram0 && cur[i] <= r->gram0 + r->ngrams)
			cur[i] = campaign_ss_seek(ci,
			    ci->grams[cur[i] - 1].next, keys[i]);
	return slot + 1;
}

static uint64_t
campaign_match_ssdeep(const struct campaign_index *ci, const char *sig,
    const struct campaign_ss *ss)
{
	const struct campaign_rep *r;
	uint32_t keys[CAMPAIGN_SS_KEYS], cur[CAMPAIGN_SS_KEYS];
	uint64_t best = 0;
	size_t i, nkeys, slot;
	int n, sc, bests = 0;

	nkeys = campaign_ss_keys(ss, keys);
	for (i = 0; i < nkeys; i++)
		cur[i] = campaign_ss_seek(ci, ci->gheads[keys[i] & ci->gmask],
		    keys[i]);
	for (n = 0; n < CAMPAIGN_SS_CANDIDATES; n++) {
		if ((slot = campaign_ss_next(ci, keys, cur, nkeys)) == 0)
			break;
		r = campaign_rep(ci, slot - 1);
		if ((sc = fuzzy_compare(sig, r->ssdeep)) <= 0 ||
		    (unsigned)sc < ci->params.ssdeep_score)
			continue;
		if (sc > bests || (sc == bests && r->id < best)) {
			bests = sc;
			best = r->id;
		}
	}
	return best;
}

/* Buckets for N entries: relinked oldest first, so lists stay newest
 * first. */
static int
campaign_ss_rehash(struct campaign_index *ci, uint32_t n)
{
	uint32_t *h, cap = ci->gmask + 1, i, b;

	if (ci->gheads != NULL && n / CAMPAIGN_SS_LOAD <= cap)
		return 0;
	if (ci->gheads == NULL)
		cap = CAMPAIGN_SS_BUCKETS;
	while (cap < n / CAMPAIGN_SS_LOAD)
		cap *= 2;
	if ((h = calloc(cap, sizeof(*h))) == NULL)
		return -1;
	for (i = 0; i < ci->ngrams; i++) {
		b = ci->grams[i].key & (cap - 1);
		ci->grams[i].next = h[b];
		h[b] = i + 1;
	}
	free(ci->gheads);
	ci->gheads = h;
	ci->gmask = cap - 1;
	return 0;
}

/* Representative R (the newest slot) gets SIG and its keys. */
static int
campaign_ss_add(struct campaign_index *ci, struct campaign_rep *r,
    const char *sig)
{
	struct campaign_ss ss;
	struct campaign_gram *g;
	uint32_t keys[CAMPAIGN_SS_KEYS], cap, b;
	size_t i, n;

	r->gram0 = ci->ngrams;
	if (ci->params.ssdeep_score == 0 || campaign_ss_parse(sig, &ss) == -1)
		return 0;
	n = campaign_ss_keys(&ss, keys);
	if (ci->ngrams > UINT32_MAX / 2 - n)
		return -1;
	if (ci->ngrams + n > ci->gramcap) {
		cap = ci->gramcap == 0 ? 4096 : ci->gramcap;
		while (cap < ci->ngrams + n)
			cap += cap / 2;
		g = reallocarray(ci->grams, cap, sizeof(*g));
		if (g == NULL)
			return -1;
		ci->grams = g;
		ci->gramcap = cap;
	}
	if (campaign_ss_rehash(ci, ci->ngrams + (uint32_t)n) == -1 ||
	    (r->ssdeep = strdup(sig)) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		b = keys[i] & ci->gmask;
		ci->grams[ci->ngrams].key = keys[i];
		ci->grams[ci->ngrams].next = ci->gheads[b];
		ci->gheads[b] = ++ci->ngrams;
	}
	r->ngrams = (uint8_t)n;
	return 0;
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
	for (i = 0; i < ci->nreps; i++) {
		free(campaign_rep(ci, i)->domains);
		free(campaign_rep(ci, i)->ssdeep);
	}
	for (i = 0; i < ci->nchunks; i++)
		free(ci->chunks[i]);
	free(ci->chunks);
	free(ci->heads);
	free(ci->tpls);
	free(ci->grams);
	free(ci->gheads);
	free(ci);
}

uint64_t
campaign_index_match(const struct campaign_index *ci,
    const struct campaign_key *k)
{
	struct campaign_ss ss;
	uint8_t t[CAMPAIGN_TLSH_BYTES];
	uint64_t id;

	if (k->template != NULL && k->template[0] != '\0' &&
	    (id = campaign_tpl_find(ci, k->template)) != 0)
		return id;
	if (ci->heads != NULL && campaign_tlsh_bytes(k->tlsh, t) == 0 &&
	    (id = campaign_match_tlsh(ci, k, t)) != 0)
		return id;
	if (ci->gheads == NULL || ci->params.ssdeep_score == 0 ||
	    campaign_ss_parse(k->ssdeep, &ss) == -1)
		return 0;
	return campaign_match_ssdeep(ci, k->ssdeep, &ss);
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
	if (campaign_rep_domains(r, k) == -1 ||
	    campaign_ss_add(ci, r, k->ssdeep) == -1) {
		free(r->domains);
		free(r->ssdeep);
		return -1;
	}
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
