/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * test_campaign: joining by template, by TLSH within the threshold (and
 * its domain bonus), the band index's reach, by ssdeep at its threshold
 * and the gram index's completeness (the same answers as comparing every
 * representative), determinism, and the memory of 50,000 campaigns and
 * 1,000,000 templates.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fuzzy.h>

#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "campaign.h"
#include "simtext.h"

#define TPL_A	"aaaa00000000000000000000000000000000000000000000000000000000000a"
#define TPL_B	"bbbb00000000000000000000000000000000000000000000000000000000000b"

static const struct campaign_params defaults = { 40, 20, 0 };	/* TLSH alone */

static uint64_t
splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* A TLSH-shaped digest: a fixed header and a random body. */
static void
random_tlsh(char *hex, uint64_t *seed)
{
	static const char digits[] = "0123456789ABCDEF";
	uint64_t r = 0;
	int i;

	memcpy(hex, "A1B2C3", 6);
	for (i = 6; i < 70; i++) {
		if ((i - 6) % 16 == 0)
			r = splitmix(seed);
		hex[i] = digits[r & 15];
		r >>= 4;
	}
	hex[70] = '\0';
}

/* Hex digit I of the body (0..63) changed. */
static void
flip(char *hex, int i)
{
	char *p = hex + 6 + i;

	*p = *p == '0' ? '1' : '0';
}

static struct campaign_key
key(const char *tpl, const char *tlsh, const char *const *dom, size_t n)
{
	struct campaign_key k = { tpl, tlsh, "", dom, n };

	return k;
}

/* The usage campaign.h prescribes; 0 when no campaign. */
static uint64_t
assign(struct campaign_index *ci, uint64_t *next, struct campaign_key *k)
{
	uint64_t id = campaign_index_match(ci, k);

	if (id == 0 && (k->template[0] != '\0' || k->tlsh[0] != '\0')) {
		id = ++*next;
		assert_int_equal(campaign_index_add(ci, id, k), 0);
	}
	assert_int_equal(campaign_index_template(ci, id, k->template), 0);
	return id;
}

static void
test_template(void **state)
{
	struct campaign_index *ci = campaign_index_new(&defaults);
	struct campaign_key k;

	(void)state;
	assert_non_null(ci);
	k = key(TPL_A, "", NULL, 0);
	assert_int_equal(campaign_index_match(ci, &k), 0);
	assert_int_equal(campaign_index_add(ci, 7, &k), 0);
	assert_int_equal(campaign_index_match(ci, &k), 7);
	k = key(TPL_B, "", NULL, 0);
	assert_int_equal(campaign_index_match(ci, &k), 0);
	assert_int_equal(campaign_index_template(ci, 7, TPL_B), 0);
	/* the first campaign keeps a template */
	assert_int_equal(campaign_index_template(ci, 9, TPL_B), 0);
	assert_int_equal(campaign_index_match(ci, &k), 7);
	/* any string works as a template */
	assert_int_equal(campaign_index_template(ci, 8, "not hex"), 0);
	k = key("not hex", "", NULL, 0);
	assert_int_equal(campaign_index_match(ci, &k), 8);
	/* nothing to go by: no campaign */
	k = key("", "", NULL, 0);
	assert_int_equal(campaign_index_match(ci, &k), 0);
	assert_int_equal(campaign_index_count(ci), 1);
	campaign_index_free(ci);
}

/* Two real digests: a text and the same text with a sentence changed. */
static void
two_digests(struct simtext_digest *a, struct simtext_digest *b, int *dist)
{
	static const char text[] =
	    "your parcel could not be delivered because the customs fee of "
	    "# eur was not paid. to schedule a new delivery, pay the fee "
	    "within # days at the link below, otherwise the parcel will be "
	    "returned to the sender. tracking number: #. we thank you for "
	    "choosing our express service and hope to serve you again soon. "
	    "this is an automatic message, please do not answer it.\n";
	char other[sizeof(text)];

	memcpy(other, text, sizeof(text));
	memcpy(strstr(other, "express service"), "premium courier", 15);
	assert_int_equal(simtext_digest(text, strlen(text), a), 0);
	assert_int_equal(simtext_digest(other, strlen(other), b), 0);
	assert_int_equal(strlen(a->tlsh), 70);
	assert_int_equal(strlen(b->tlsh), 70);
	*dist = simtext_tlsh_distance(a->tlsh, b->tlsh);
	assert_true(*dist > 1 && *dist < 100);
}

static void
test_tlsh_threshold(void **state)
{
	struct simtext_digest a, b;
	struct campaign_params p;
	struct campaign_index *ci;
	struct campaign_key ka, kb;
	int d;

	(void)state;
	two_digests(&a, &b, &d);
	ka = key("", a.tlsh, NULL, 0);
	kb = key("", b.tlsh, NULL, 0);
	p.domain_bonus = 0;
	p.tlsh_distance = (unsigned)d;		/* at the threshold: joins */
	ci = campaign_index_new(&p);
	assert_int_equal(campaign_index_add(ci, 1, &ka), 0);
	assert_int_equal(campaign_index_match(ci, &kb), 1);
	assert_int_equal(campaign_index_match(ci, &ka), 1);
	campaign_index_free(ci);
	p.tlsh_distance = (unsigned)d - 1;	/* just above it: new */
	ci = campaign_index_new(&p);
	assert_int_equal(campaign_index_add(ci, 1, &ka), 0);
	assert_int_equal(campaign_index_match(ci, &kb), 0);
	assert_int_equal(campaign_index_match(ci, &ka), 1);
	campaign_index_free(ci);
}

static void
test_domain_bonus(void **state)
{
	const char *da[] = { "alpha.com", "bit.ly", "parcel-fee.net" };
	const char *db[] = { "aaa.org", "parcel-fee.net", "zzz.com" };
	const char *dc[] = { "aaa.org", "zzz.com" };
	struct campaign_params p;
	struct simtext_digest a, b;
	struct campaign_index *ci;
	struct campaign_key k;
	int d;

	(void)state;
	two_digests(&a, &b, &d);
	p.tlsh_distance = (unsigned)d - 2;
	p.domain_bonus = 2;
	ci = campaign_index_new(&p);
	k = key("", a.tlsh, da, 3);
	assert_int_equal(campaign_index_add(ci, 4, &k), 0);
	k = key("", b.tlsh, db, 3);
	assert_int_equal(campaign_index_match(ci, &k), 4);
	k = key("", b.tlsh, dc, 2);
	assert_int_equal(campaign_index_match(ci, &k), 0);
	k = key("", b.tlsh, NULL, 0);
	assert_int_equal(campaign_index_match(ci, &k), 0);
	campaign_index_free(ci);
	p.domain_bonus = 1;		/* not enough */
	ci = campaign_index_new(&p);
	k = key("", a.tlsh, da, 3);
	assert_int_equal(campaign_index_add(ci, 4, &k), 0);
	k = key("", b.tlsh, db, 3);
	assert_int_equal(campaign_index_match(ci, &k), 0);
	campaign_index_free(ci);
}

/* Only digests that share a band are compared; ties go to the lower id. */
static void
test_bands(void **state)
{
	struct campaign_params p = { 1000, 0, 0 };	/* any distance joins */
	char rep[71], far[71], near[71], t1[73];
	struct campaign_index *ci;
	struct campaign_key k;
	uint64_t seed = 42;
	int i;

	(void)state;
	random_tlsh(rep, &seed);
	ci = campaign_index_new(&p);
	k = key("", rep, NULL, 0);
	assert_int_equal(campaign_index_add(ci, 5, &k), 0);
	/* one digit changed in each of the 16 bands: no band shared */
	memcpy(far, rep, sizeof(far));
	for (i = 0; i < 64; i += 4)
		flip(far, i);
	assert_true(simtext_tlsh_distance(rep, far) > 0);
	k = key("", far, NULL, 0);
	assert_int_equal(campaign_index_match(ci, &k), 0);
	/* 15 bands changed, the last one intact: found */
	memcpy(near, far, sizeof(near));
	near[6 + 60] = rep[6 + 60];
	k = key("", near, NULL, 0);
	assert_int_equal(campaign_index_match(ci, &k), 5);
	/* the same digest in campaign 3, added later: a tie, 3 wins */
	k = key("", rep, NULL, 0);
	assert_int_equal(campaign_index_add(ci, 3, &k), 0);
	assert_int_equal(campaign_index_match(ci, &k), 3);
	/* "T1" in front, as newer libtlsh writes, is the same digest */
	snprintf(t1, sizeof(t1), "T1%s", rep);
	k = key("", t1, NULL, 0);
	assert_int_equal(campaign_index_match(ci, &k), 3);
	campaign_index_free(ci);
}

/* Two indexes fed the same messages assign the same campaigns. */
static void
test_determinism(void **state)
{
	struct campaign_index *ci[2];
	char tlsh[71], tpl[65], bases[50][71];
	const char *dom[] = { "example.com" };
	struct campaign_key k;
	uint64_t seed = 7, next[2] = { 0, 0 }, got[2], r;
	int i, j, m;

	(void)state;
	for (j = 0; j < 2; j++)
		ci[j] = campaign_index_new(&defaults);
	for (i = 0; i < 50; i++)
		random_tlsh(bases[i], &seed);
	for (m = 0; m < 3000; m++) {
		r = splitmix(&seed);
		memcpy(tlsh, bases[r % 50], sizeof(tlsh));
		for (i = 0; i < (int)(r >> 8) % 24; i++)
			flip(tlsh, (int)((r >> (12 + i)) % 64));
		snprintf(tpl, sizeof(tpl), "%064llx",
		    (unsigned long long)((r >> 40) % 400));
		k = key(r % 7 == 0 ? "" : tpl, r % 5 == 0 ? "" : tlsh, dom,
		    r % 2);
		for (j = 0; j < 2; j++)
			got[j] = assign(ci[j], &next[j], &k);
		assert_int_equal(got[0], got[1]);
	}
	assert_int_equal(next[0], next[1]);
	assert_true(next[0] > 50);
	assert_int_equal(campaign_index_count(ci[0]), next[0]);
	for (j = 0; j < 2; j++)
		campaign_index_free(ci[j]);
}

/* --- ssdeep ------------------------------------------------------------ */

static const struct campaign_params ssparams = { 40, 20, 40 };

static struct campaign_key
sskey(const char *tpl, const char *ssdeep)
{
	struct campaign_key k = { tpl, "", ssdeep, NULL, 0 };

	return k;
}

/* At the threshold it joins, below it not; no ssdeep_score: never. */
static void
test_ssdeep_threshold(void **state)
{
	/* fuzzy_compare: 10 for the first pair, 100 for equal ones */
	const char *a = "3:abcdefghij:cd", *b = "3:abcdefgXij:cd";
	struct campaign_params p = ssparams;
	struct campaign_index *ci;
	struct campaign_key k;
	int sc = fuzzy_compare(a, b);

	(void)state;
	assert_true(sc > 0 && sc < 100);
	p.ssdeep_score = (unsigned)sc;
	ci = campaign_index_new(&p);
	k = sskey(TPL_A, a);
	assert_int_equal(campaign_index_add(ci, 7, &k), 0);
	k = sskey(TPL_B, b);
	assert_int_equal(campaign_index_match(ci, &k), 7);
	campaign_index_free(ci);
	p.ssdeep_score = (unsigned)sc + 1;
	ci = campaign_index_new(&p);
	k = sskey(TPL_A, a);
	assert_int_equal(campaign_index_add(ci, 7, &k), 0);
	k = sskey(TPL_B, b);
	assert_int_equal(campaign_index_match(ci, &k), 0);
	/* equal after runs are cut: 100 however short */
	k = sskey(TPL_B, "3:aaaaaaq:z");
	assert_int_equal(campaign_index_add(ci, 9, &k), 0);
	k = sskey("", "3:aaaq:z");
	assert_int_equal(campaign_index_match(ci, &k), 9);
	campaign_index_free(ci);
	p.ssdeep_score = 0;
	ci = campaign_index_new(&p);
	k = sskey(TPL_A, a);
	assert_int_equal(campaign_index_add(ci, 7, &k), 0);
	k = sskey(TPL_B, a);
	assert_int_equal(campaign_index_match(ci, &k), 0);
	campaign_index_free(ci);
}

/* A signature of base64 from a small alphabet, so that variations share
 * grams often, at block size 3, 6, 12 or 24. */
static void
random_ssdeep(char *sig, size_t size, uint64_t *seed, const char *base)
{
	static const char b64[] = "ABCDEFGHabcdefgh0123";
	char p1[65], p2[33];
	uint64_t r = splitmix(seed);
	size_t n1 = 4 + r % 61, n2 = 2 + (r >> 8) % 31, i;

	for (i = 0; i < n1; i++) {
		r = splitmix(seed);
		p1[i] = base != NULL && i < strlen(base) && r % 4 != 0 ?
		    base[i] : b64[r % 20];
	}
	p1[n1] = '\0';
	for (i = 0; i < n2; i++)
		p2[i] = b64[splitmix(seed) % 20];
	p2[n2] = '\0';
	snprintf(sig, size, "%u:%s:%s", 3U << (unsigned)(r >> 20) % 4, p1,
	    p2);
}

/*
 * What campaign.c's third rule gives when every representative is
 * compared: the best score at the threshold or more, ties to the lower
 * id (the cap of the newest 64 does not bind here: few candidates).
 */
static uint64_t
brute_ssdeep(char (*reps)[160], const uint64_t *ids, size_t n,
    const char *sig, unsigned min)
{
	uint64_t best = 0;
	size_t i;
	int sc, bests = 0;

	for (i = 0; i < n; i++) {
		sc = fuzzy_compare(sig, reps[i]);
		if (sc <= 0 || (unsigned)sc < min)
			continue;
		if (sc > bests || (sc == bests && ids[i] < best)) {
			bests = sc;
			best = ids[i];
		}
	}
	return best;
}

/* The gram index finds what comparing with every representative finds. */
static void
test_ssdeep_complete(void **state)
{
	struct campaign_params p = { 0, 0, 1 };	/* any score above 0 */
	char (*reps)[160], sig[160], bases[40][65];
	uint64_t ids[600], seed = 11, r, got, want;
	struct campaign_index *ci;
	struct campaign_key k;
	size_t n = 0, m, joined = 0;

	(void)state;
	reps = calloc(600, sizeof(*reps));
	assert_non_null(reps);
	for (m = 0; m < 40; m++) {
		random_ssdeep(sig, sizeof(sig), &seed, NULL);
		snprintf(bases[m], sizeof(bases[m]), "%s",
		    strchr(sig, ':') + 1);
		bases[m][strcspn(bases[m], ":")] = '\0';
	}
	ci = campaign_index_new(&p);
	for (m = 0; m < 3000; m++) {
		r = splitmix(&seed);
		random_ssdeep(sig, sizeof(sig), &seed,
		    r % 8 == 0 ? NULL : bases[r % 40]);
		k = sskey("", sig);
		got = campaign_index_match(ci, &k);
		want = brute_ssdeep(reps, ids, n, sig, p.ssdeep_score);
		assert_int_equal(got, want);
		joined += got != 0;
		if (got == 0 && n < 600) {
			ids[n] = 1000 - n;	/* ids need not grow */
			snprintf(reps[n], sizeof(reps[n]), "%s", sig);
			assert_int_equal(campaign_index_add(ci, ids[n], &k),
			    0);
			n++;
		}
	}
	assert_true(joined > 500 && n > 100);	/* both ways exercised */
	campaign_index_free(ci);
	free(reps);
}

/* The rules' order: a template first, then TLSH, then ssdeep. */
static void
test_ssdeep_order(void **state)
{
	struct campaign_index *ci = campaign_index_new(&ssparams);
	char tlsh[71];
	uint64_t seed = 3;
	struct campaign_key k;

	(void)state;
	random_tlsh(tlsh, &seed);
	k = key(TPL_A, "", NULL, 0);
	k.ssdeep = "3:abcdefghij:cd";
	assert_int_equal(campaign_index_add(ci, 1, &k), 0);
	k = key(TPL_B, tlsh, NULL, 0);
	k.ssdeep = "3:zyxwvut:q";
	assert_int_equal(campaign_index_add(ci, 2, &k), 0);
	k = key("", tlsh, NULL, 0);	/* TLSH 2, ssdeep 1 */
	k.ssdeep = "3:abcdefghij:cd";
	assert_int_equal(campaign_index_match(ci, &k), 2);
	k.tlsh = "";
	assert_int_equal(campaign_index_match(ci, &k), 1);
	k.template = TPL_B;
	assert_int_equal(campaign_index_match(ci, &k), 2);
	k = key("", "", NULL, 0);	/* a malformed signature: none */
	k.ssdeep = "abcdefghij";
	assert_int_equal(campaign_index_match(ci, &k), 0);
	campaign_index_free(ci);
}

static size_t
heap_bytes(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

#define SCALE_CAMPAIGNS	50000
#define SCALE_TEMPLATES	1000000

static void
tpl_of(char *tpl, uint64_t i)
{
	uint64_t s = i;

	snprintf(tpl, 65, "%016llx%016llx%032llx",
	    (unsigned long long)splitmix(&s), (unsigned long long)splitmix(&s),
	    (unsigned long long)i);
}

/* 50,000 campaigns, 1,000,000 templates: bounded, and still right. */
static void
test_scale(void **state)
{
	const char *dom[] = { "campaign-site.com", "example.net" };
	struct campaign_index *ci;
	struct campaign_key k;
	char (*tl)[71], tpl[65];
	uint64_t seed = 1, i;
	size_t before, camps, used;

	(void)state;
	tl = calloc(SCALE_CAMPAIGNS, sizeof(*tl));
	assert_non_null(tl);
	before = heap_bytes();
	ci = campaign_index_new(&defaults);
	for (i = 0; i < SCALE_CAMPAIGNS; i++) {
		random_tlsh(tl[i], &seed);
		tpl_of(tpl, i);
		k = key(tpl, tl[i], dom, 2);
		assert_int_equal(campaign_index_add(ci, i + 1, &k), 0);
	}
	camps = heap_bytes() - before;
	for (i = SCALE_CAMPAIGNS; i < SCALE_TEMPLATES; i++) {
		tpl_of(tpl, i);
		assert_int_equal(campaign_index_template(ci,
		    i % SCALE_CAMPAIGNS + 1, tpl), 0);
	}
	used = heap_bytes() - before;
	if (before != 0 || used != 0) {	/* 0, 0: a sanitizer's allocator */
		print_message("%zu bytes: %.0f per campaign (its template "
		    "included), %.0f per further template\n", used,
		    (double)camps / SCALE_CAMPAIGNS, (double)(used - camps) /
		    (SCALE_TEMPLATES - SCALE_CAMPAIGNS));
		/* about 48 MB expected; the bound is wide on purpose */
		assert_true(used < 96u * 1024 * 1024);
	}
	for (i = 0; i < SCALE_TEMPLATES; i += 997) {
		tpl_of(tpl, i);
		k = key(tpl, "", NULL, 0);
		assert_int_equal(campaign_index_match(ci, &k),
		    i % SCALE_CAMPAIGNS + 1);
	}
	for (i = 0; i < SCALE_CAMPAIGNS; i += 101) {
		flip(tl[i], (int)(i % 64));
		flip(tl[i], (int)((i + 17) % 64));
		k = key("", tl[i], NULL, 0);
		assert_int_equal(campaign_index_match(ci, &k), i + 1);
	}
	assert_int_equal(campaign_index_count(ci), SCALE_CAMPAIGNS);
	campaign_index_free(ci);
	free(tl);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_template),
		cmocka_unit_test(test_tlsh_threshold),
		cmocka_unit_test(test_domain_bonus),
		cmocka_unit_test(test_bands),
		cmocka_unit_test(test_determinism),
		cmocka_unit_test(test_ssdeep_threshold),
		cmocka_unit_test(test_ssdeep_complete),
		cmocka_unit_test(test_ssdeep_order),
		cmocka_unit_test(test_scale),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
