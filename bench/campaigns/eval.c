/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * eval: pairwise precision and recall of campaign grouping on a labelled
 * set (bench/campaigns/gen.py writes one), for spampot's grouping and for
 * plain ssdeep grouping as SHIVA does it. A benchmark run by hand or by
 * run.sh, unprivileged, outside every sandbox; it reads the set only.
 *
 * spampot: each message in file order goes through the analyzer's own
 * code: mime_parse, extract_message (no custom patterns), the registrable
 * domains of its URL hosts, simtext_normalize with the envelope recipient,
 * simtext_digest, then campaign_index_match / _add / _template exactly as
 * the analyzer assigns online.
 *
 * SHIVA (github.com/shiva-spampot/shiva, analyzer/src/email_parser.py and
 * analyzer.py, read at commit c338b4e): the body is every text/plain and
 * text/html part's payload as it stands in the file (get_payload() without
 * decoding: base64 and quoted-printable stay encoded), concatenated, with
 * line ends as Python's text mode reads them (\n). A message joins the
 * first campaign whose body SHA-256 equals its own; else, when its body is
 * over 700 bytes and so has an ssdeep hash, the first campaign (in the
 * order they were made) whose body size is within 13% of its own and whose
 * ssdeep compares >= the threshold (config.ini.example: 90); else it makes
 * a new campaign with itself as representative. A file that is not valid
 * UTF-8 makes Python's open().read() fail: SHIVA stores no campaign for
 * it, counted here as a cluster of its own.
 *
 * Pairwise figures come from the contingency table (predicted cluster x
 * true campaign): precision = same-cluster pairs with the same label /
 * same-cluster pairs; recall = same-label pairs in one cluster /
 * same-label pairs.
 */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <fuzzy.h>
#include <gmime/gmime.h>
#include <openssl/evp.h>

#include "campaign.h"
#include "conf.h"
#include "extract.h"
#include "mime.h"
#include "simtext.h"

#define EVAL_DISTANCE	40	/* the recommended defaults */
#define EVAL_BONUS	20
#define EVAL_SSDEEP	20
#define SHIVA_MIN_BODY	700	/* email_parser.py: len(body) > 700 */
#define SHIVA_SIZE_SLACK 0.13	/* analyzer.py: 0.13 * body_size */

struct msg {
	char		*file;
	int		 label;		/* index into labels[] */
	char		*rcpt;
	/* spampot */
	struct simtext_digest dg;
	char		**domains;
	size_t		 ndomains;
	char		*norm;		/* normalised text, for --explain */
	/* SHIVA */
	int		 shiva_fail;
	size_t		 body_size;
	unsigned char	 body_sha[32];
	char		 body_ssdeep[FUZZY_MAX_RESULT];	/* "" when none */
};

static struct msg	*msgs;
static size_t		 nmsgs;
static char		**labels;
static size_t		 nlabels;

static void
die(const char *what)
{
	fprintf(stderr, "eval: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void *
xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz);

	if (p == NULL)
		die("calloc");
	return p;
}

static char *
xstrdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		die("strdup");
	return p;
}

static unsigned char *
read_file(const char *path, size_t *lenp)
{
	FILE *f;
	unsigned char *p;
	long n;

	if ((f = fopen(path, "rb")) == NULL)
		die(path);
	if (fseek(f, 0, SEEK_END) == -1 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) == -1)
		die(path);
	p = xcalloc((size_t)n + 1, 1);
	if (fread(p, 1, (size_t)n, f) != (size_t)n)
		die(path);
	fclose(f);
	*lenp = (size_t)n;
	return p;
}

static int
label_index(const char *name)
{
	size_t i;

	for (i = 0; i < nlabels; i++)
		if (strcmp(labels[i], name) == 0)
			return (int)i;
	labels = realloc(labels, (nlabels + 1) * sizeof(*labels));
	if (labels == NULL)
		die("realloc");
	labels[nlabels] = xstrdup(name);
	return (int)nlabels++;
}

static void
read_labels(const char *dir)
{
	char path[4096], line[8192], *f2, *f3;
	size_t cap = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/labels.tsv", dir);
	if ((f = fopen(path, "r")) == NULL)
		die(path);
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		if ((f2 = strchr(line, '\t')) == NULL ||
		    (f3 = strchr(f2 + 1, '\t')) == NULL)
			continue;
		*f2++ = '\0';
		*f3++ = '\0';
		if (nmsgs == cap) {
			cap = cap ? cap * 2 : 1024;
			msgs = realloc(msgs, cap * sizeof(*msgs));
			if (msgs == NULL)
				die("realloc");
		}
		memset(&msgs[nmsgs], 0, sizeof(msgs[nmsgs]));
		msgs[nmsgs].file = xstrdup(line);
		msgs[nmsgs].label = label_index(f2);
		msgs[nmsgs].rcpt = xstrdup(f3);
		nmsgs++;
	}
	fclose(f);
}

/* --- spampot's side -------------------------------------------------- */

static int
cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Distinct sorted registrable domains of the message's URL hosts. */
static void
link_domains(const struct extract_result *er, struct msg *m)
{
	size_t i, j;
	char *d;

	m->domains = xcalloc(er->nurls, sizeof(char *));
	for (i = 0; i < er->nurls; i++)
		if ((d = extract_registrable_domain(er->urls[i].host)) != NULL)
			m->domains[m->ndomains++] = d;
	qsort(m->domains, m->ndomains, sizeof(char *), cmpstr);
	for (i = j = 0; i < m->ndomains; i++) {
		if (j > 0 && strcmp(m->domains[j - 1], m->domains[i]) == 0) {
			free(m->domains[i]);
			continue;
		}
		m->domains[j++] = m->domains[i];
	}
	m->ndomains = j;
}

static void
spampot_prepare(struct msg *m, const unsigned char *raw, size_t len,
    const struct extract_patterns *ep)
{
	struct mime_message mm;
	struct extract_result er;
	const char *rcpts[1];

	memset(&mm, 0, sizeof(mm));
	memset(&er, 0, sizeof(er));
	if (mime_parse(raw, len, &mm) == -1) {
		fprintf(stderr, "eval: %s: mime_parse failed\n", m->file);
		m->norm = xstrdup("");
		return;
	}
	if (extract_message(&mm, ep, &er) == -1)
		fprintf(stderr, "eval: %s: extract_message failed\n", m->file);
	link_domains(&er, m);
	rcpts[0] = m->rcpt;
	if ((m->norm = simtext_normalize(&mm, rcpts, 1)) == NULL)
		die("simtext_normalize");
	if (simtext_digest(m->norm, strlen(m->norm), &m->dg) == -1)
		die("simtext_digest");
	extract_result_clear(&er);
	mime_message_clear(&mm);
}

/* Cluster ids (1..) into OUT, in file order, as the analyzer assigns. */
static void
spampot_group(unsigned dist, unsigned bonus, unsigned ss, uint64_t *out)
{
	struct campaign_params cp = { dist, bonus, ss };
	struct campaign_index *ix;
	struct campaign_key k;
	uint64_t id, next = 1, lone = (uint64_t)1 << 62;
	size_t i;

	if ((ix = campaign_index_new(&cp)) == NULL)
		die("campaign_index_new");
	for (i = 0; i < nmsgs; i++) {
		k.template = msgs[i].dg.template;
		k.tlsh = msgs[i].dg.tlsh;
		k.ssdeep = msgs[i].dg.ssdeep;	/* as campaign_assign.c */
		k.domains = (const char *const *)msgs[i].domains;
		k.ndomains = msgs[i].ndomains;
		id = campaign_index_match(ix, &k);
		if (id == 0 && (k.template[0] != '\0' || k.tlsh[0] != '\0')) {
			id = next++;
			if (campaign_index_add(ix, id, &k) == -1)
				die("campaign_index_add");
		}
		if (id == 0) {		/* no campaign: a cluster of its own */
			out[i] = lone++;
			continue;
		}
		if (k.template[0] != '\0' &&
		    campaign_index_template(ix, id, k.template) == -1)
			die("campaign_index_template");
		out[i] = id;
	}
	campaign_index_free(ix);
}

/*
 * The same assignment without the band index: every representative with
 * a TLSH digest is compared (campaign.c's rule: the nearest within the
 * distance, plus the bonus when a link domain is shared; ties to the
 * older). Templates as in the index. Shows what the bands cost.
 */
static int
shares_domain(const struct msg *a, const struct msg *b)
{
	size_t i = 0, j = 0;
	int c;

	while (i < a->ndomains && j < b->ndomains) {
		if ((c = strcmp(a->domains[i], b->domains[j])) == 0)
			return 1;
		if (c < 0)
			i++;
		else
			j++;
	}
	return 0;
}

struct tplent {
	const char	*tpl;
	uint64_t	 id;
};

static int
cmptpl(const void *a, const void *b)
{
	return strcmp(((const struct tplent *)a)->tpl,
	    ((const struct tplent *)b)->tpl);
}

static void
exhaustive_group(unsigned dist, unsigned bonus, int ssmin, uint64_t *out)
{
	size_t *rep = xcalloc(nmsgs, sizeof(size_t));
	uint64_t *repid = xcalloc(nmsgs, sizeof(uint64_t));
	struct tplent *tpl = xcalloc(nmsgs, sizeof(*tpl)), key, *hit;
	size_t nrep = 0, ntpl = 0, i, c, k;
	uint64_t next = 1, lone = (uint64_t)1 << 62, best;
	int d, bestd;
	unsigned limit;
	struct msg *m;

	for (i = 0; i < nmsgs; i++) {
		m = &msgs[i];
		best = 0;
		key.tpl = m->dg.template;
		hit = NULL;
		/* a linear search keeps this simple; ntpl stays small */
		for (k = 0; m->dg.template[0] && k < ntpl && hit == NULL; k++)
			if (cmptpl(&key, &tpl[k]) == 0)
				hit = &tpl[k];
		if (hit != NULL)
			best = hit->id;
		for (c = 0, bestd = -1; best == 0 && m->dg.tlsh[0] &&
		    c < nrep; c++) {
			const struct msg *r = &msgs[rep[c]];

			if (!r->dg.tlsh[0] ||
			    (d = simtext_tlsh_distance(m->dg.tlsh,
			    r->dg.tlsh)) < 0)
				continue;
			limit = dist;
			if ((unsigned)d > limit && bonus > 0 &&
			    shares_domain(m, r))
				limit += bonus;
			if ((unsigned)d > limit)
				continue;
			if (bestd < 0 || d < bestd) {
				bestd = d;
				best = repid[c];
			}
		}
		/* campaign.c's third rule: else the best ssdeep score of
		 * the normalised text, at SSMIN or more (ties: older) */
		for (c = 0, bestd = -1; best == 0 && ssmin > 0 &&
		    m->dg.ssdeep[0] && c < nrep; c++) {
			const struct msg *r = &msgs[rep[c]];

			if (!r->dg.ssdeep[0])
				continue;
			d = fuzzy_compare(m->dg.ssdeep, r->dg.ssdeep);
			if (d >= ssmin && d > bestd) {
				bestd = d;
				k = c;
			}
		}
		if (best == 0 && bestd >= 0)
			best = repid[k];
		if (best == 0 && (m->dg.template[0] || m->dg.tlsh[0])) {
			best = next++;
			rep[nrep] = i;
			repid[nrep++] = best;
		}
		if (best == 0) {
			out[i] = lone++;
			continue;
		}
		if (m->dg.template[0] && hit == NULL) {
			tpl[ntpl].tpl = m->dg.template;
			tpl[ntpl++].id = best;
		}
		out[i] = best;
	}
	free(rep);
	free(repid);
	free(tpl);
}

/* --- SHIVA's side ---------------------------------------------------- */

struct shiva_body {
	GByteArray *b;
};

/* get_payload() of each text/plain and text/html leaf, as it stands. */
static void
shiva_part(GMimeObject *parent, GMimeObject *part, gpointer data)
{
	struct shiva_body *sb = data;
	GMimeContentType *ct;
	GMimeDataWrapper *w;
	GMimeStream *s;
	char buf[8192];
	ssize_t n;

	(void)parent;
	if (!GMIME_IS_PART(part))
		return;
	ct = g_mime_object_get_content_type(part);
	if (ct != NULL && !g_mime_content_type_is_type(ct, "text", "plain") &&
	    !g_mime_content_type_is_type(ct, "text", "html"))
		return;
	if ((w = g_mime_part_get_content(GMIME_PART(part))) == NULL ||
	    (s = g_mime_data_wrapper_get_stream(w)) == NULL)
		return;
	g_mime_stream_reset(s);
	while ((n = g_mime_stream_read(s, buf, sizeof(buf))) > 0)
		g_byte_array_append(sb->b, (guint8 *)buf, (guint)n);
	g_mime_stream_reset(s);
}

static void
shiva_prepare(struct msg *m, const unsigned char *raw, size_t len)
{
	struct shiva_body sb;
	GMimeStream *st;
	GMimeParser *p;
	GMimeMessage *gm;
	size_t i, j;
	unsigned int shalen;

	m->body_ssdeep[0] = '\0';
	/* open(path).read() in text mode, UTF-8 */
	if (!g_utf8_validate_len((const char *)raw, len, NULL)) {
		m->shiva_fail = 1;
		return;
	}
	st = g_mime_stream_mem_new_with_buffer((const char *)raw, len);
	p = g_mime_parser_new_with_stream(st);
	gm = g_mime_parser_construct_message(p, NULL);
	sb.b = g_byte_array_new();
	if (gm != NULL) {
		g_mime_message_foreach(gm, shiva_part, &sb);
		g_object_unref(gm);
	}
	g_object_unref(p);
	g_object_unref(st);
	/* universal newlines: \r\n and \r become \n */
	for (i = j = 0; i < sb.b->len; i++) {
		if (sb.b->data[i] == '\r') {
			if (i + 1 < sb.b->len && sb.b->data[i + 1] == '\n')
				continue;
			sb.b->data[j++] = '\n';
			continue;
		}
		if (sb.b->data[i] == '\\')
			fprintf(stderr, "eval: %s: a backslash in the body: "
			    "SHIVA's unicode-escape would change it\n", m->file);
		sb.b->data[j++] = sb.b->data[i];
	}
	m->body_size = j;
	if (j > 0) {
		EVP_Digest(sb.b->data, j, m->body_sha, &shalen, EVP_sha256(),
		    NULL);
		if (j > SHIVA_MIN_BODY &&
		    fuzzy_hash_buf(sb.b->data, (uint32_t)j, m->body_ssdeep) != 0)
			m->body_ssdeep[0] = '\0';
	}
	g_byte_array_free(sb.b, TRUE);
}

/* SHIVA's find_campaign, over the campaigns made so far. */
static void
shiva_group(int threshold, uint64_t *out)
{
	size_t *rep = xcalloc(nmsgs, sizeof(size_t));	/* campaign reps */
	size_t nrep = 0, i, c;
	uint64_t lone = (uint64_t)1 << 62;
	struct msg *m, *r;
	double lo, hi;
	int found;

	for (i = 0; i < nmsgs; i++) {
		m = &msgs[i];
		if (m->shiva_fail) {
			out[i] = lone++;
			continue;
		}
		found = 0;
		for (c = 0; c < nrep && !found; c++) {
			r = &msgs[rep[c]];
			/* body_sha256 is unset for an empty body: the query
			 * is then "IS NULL" and finds the first such */
			if (m->body_size == 0 ? r->body_size == 0 :
			    (r->body_size > 0 &&
			    memcmp(r->body_sha, m->body_sha, 32) == 0))
				found = 1;
		}
		if (!found && m->body_ssdeep[0] != '\0') {
			lo = m->body_size - SHIVA_SIZE_SLACK * m->body_size;
			hi = m->body_size + SHIVA_SIZE_SLACK * m->body_size;
			for (c = 0; c < nrep && !found; c++) {
				r = &msgs[rep[c]];
				if (r->body_ssdeep[0] == '\0' ||
				    (double)r->body_size < lo ||
				    (double)r->body_size > hi)
					continue;
				if (fuzzy_compare(m->body_ssdeep,
				    r->body_ssdeep) >= threshold)
					found = 1;
			}
		}
		if (found) {
			out[i] = out[rep[c - 1]];
			continue;
		}
		rep[nrep++] = i;
		out[i] = nrep;
	}
	free(rep);
}

/* --- scoring --------------------------------------------------------- */

struct cell {
	uint64_t	pred;
	int		label;
	size_t		idx;
};

static int
cmpcell(const void *a, const void *b)
{
	const struct cell *x = a, *y = b;

	if (x->pred != y->pred)
		return x->pred < y->pred ? -1 : 1;
	if (x->label != y->label)
		return x->label - y->label;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

struct score {
	double	precision, recall, f1;
	size_t	clusters;
};

static double
pairs(size_t n)
{
	return (double)n * (double)(n - (n > 0)) / 2;
}

static struct score
score(const uint64_t *pred)
{
	struct cell *c = xcalloc(nmsgs, sizeof(*c));
	size_t *per_label = xcalloc(nlabels, sizeof(size_t));
	double same_pred = 0, same_label = 0, both = 0;
	size_t i, j, k;
	struct score s = { 0, 0, 0, 0 };

	for (i = 0; i < nmsgs; i++) {
		c[i].pred = pred[i];
		c[i].label = msgs[i].label;
		c[i].idx = i;
		per_label[msgs[i].label]++;
	}
	qsort(c, nmsgs, sizeof(*c), cmpcell);
	for (i = 0; i < nmsgs; i = j) {
		for (j = i; j < nmsgs && c[j].pred == c[i].pred; j++)
			;
		same_pred += pairs(j - i);
		s.clusters++;
		for (k = i; k < j;) {
			size_t l = k;

			while (l < j && c[l].label == c[k].label)
				l++;
			both += pairs(l - k);
			k = l;
		}
	}
	for (i = 0; i < nlabels; i++)
		same_label += pairs(per_label[i]);
	s.precision = same_pred > 0 ? both / same_pred : 1;
	s.recall = same_label > 0 ? both / same_label : 1;
	s.f1 = s.precision + s.recall > 0 ?
	    2 * s.precision * s.recall / (s.precision + s.recall) : 0;
	free(c);
	free(per_label);
	return s;
}

static void
row(const char *name, const char *params, const uint64_t *pred)
{
	struct score s = score(pred);

	printf("| %s | %s | %.4f | %.4f | %.4f | %zu |\n", name, params,
	    s.precision, s.recall, s.f1, s.clusters);
}

/* --- --explain ------------------------------------------------------- */

static void
print_norm(const char *tag, const struct msg *m)
{
	printf("    %s %s tlsh=%.12s… domains=", tag, m->file,
	    m->dg.tlsh[0] ? m->dg.tlsh : "-");
	for (size_t i = 0; i < m->ndomains; i++)
		printf("%s%s", i ? "," : "", m->domains[i]);
	printf("\n      text: %.400s%s\n", m->norm,
	    strlen(m->norm) > 400 ? "…" : "");
}

/* The campaigns split most (pairs lost) and the clusters merging most
 * (pairs wrongly joined), with the first message of each piece. */
static void
explain(const char *name, const uint64_t *pred, size_t top)
{
	struct cell *c = xcalloc(nmsgs, sizeof(*c));
	size_t i, j, k, l, n, t;

	for (i = 0; i < nmsgs; i++) {
		c[i].pred = pred[i];
		c[i].label = msgs[i].label;
		c[i].idx = i;
	}
	printf("\n### %s: campaigns split (pairs lost)\n\n", name);
	for (t = 0; t < nlabels; t++) {
		/* pieces of label t: sort its cells by cluster */
		struct cell *p = xcalloc(nmsgs, sizeof(*p));
		double lost;

		for (i = n = 0; i < nmsgs; i++)
			if (c[i].label == (int)t)
				p[n++] = c[i];
		qsort(p, n, sizeof(*p), cmpcell);
		lost = pairs(n);
		for (i = 0, k = 0; i < n; i = j, k++) {
			for (j = i; j < n && p[j].pred == p[i].pred; j++)
				;
			lost -= pairs(j - i);
		}
		if (lost > 0 && top > 0) {
			printf("- %s: %zu copies in %zu clusters, %.0f pairs "
			    "lost\n", labels[t], n, k, lost);
			/* the first message of the first three pieces */
			for (i = 0, l = 0; i < n && l < 3; i = j, l++) {
				size_t first = p[i].idx;

				for (j = i; j < n && p[j].pred == p[i].pred;
				    j++)
					if (p[j].idx < first)
						first = p[j].idx;
				printf("  piece of %zu:\n", j - i);
				print_norm("", &msgs[first]);
				if (l > 0 && msgs[first].dg.tlsh[0] &&
				    msgs[p[0].idx].dg.tlsh[0])
					printf("      tlsh distance to the "
					    "first piece: %d\n",
					    simtext_tlsh_distance(
					    msgs[first].dg.tlsh,
					    msgs[p[0].idx].dg.tlsh));
			}
		}
		free(p);
	}
	printf("\n### %s: clusters merging campaigns\n\n", name);
	qsort(c, nmsgs, sizeof(*c), cmpcell);
	for (i = 0; i < nmsgs; i = j) {
		size_t nl = 0;

		for (j = i; j < nmsgs && c[j].pred == c[i].pred; j++)
			;
		for (k = i; k < j; k = l, nl++)
			for (l = k; l < j && c[l].label == c[k].label; l++)
				;
		if (nl < 2)
			continue;
		printf("- cluster %llu (%zu messages):",
		    (unsigned long long)c[i].pred, j - i);
		for (k = i; k < j; k = l) {
			for (l = k; l < j && c[l].label == c[k].label; l++)
				;
			printf(" %s×%zu", labels[c[k].label], l - k);
		}
		printf("\n");
		for (k = i; k < j && top > 0; k = l) {
			for (l = k; l < j && c[l].label == c[k].label; l++)
				;
			print_norm(labels[c[k].label], &msgs[c[k].idx]);
		}
	}
	free(c);
}

/*
 * Per campaign: how many copies have a TLSH digest, the median and 90th
 * percentile of their distance to the campaign's first copy, and the
 * nearest copy of any other campaign to that first copy.
 */
static int
cmpint(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

static void
distances(void)
{
	int *d = xcalloc(nmsgs, sizeof(int));
	size_t t, i, first, n, ntl, len;
	int near, x, snear, sc;
	int *sd = xcalloc(nmsgs, sizeof(int));
	size_t ns, copies;

	printf("\n| campaign | copies | with TLSH | median text bytes | "
	    "median distance | p90 | nearest other campaign | "
	    "ssdeep median | p10 | best other campaign |\n"
	    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
	    "| ---: |\n");
	for (t = 0; t < nlabels; t++) {
		first = nmsgs;
		for (i = n = ntl = 0; i < nmsgs; i++) {
			if (msgs[i].label != (int)t)
				continue;
			n++;
			if (!msgs[i].dg.tlsh[0])
				continue;
			ntl++;
			if (first == nmsgs)
				first = i;
		}
		{
			size_t *lens = xcalloc(n, sizeof(size_t)), k = 0;
			int *li = (int *)lens;

			(void)li;
			for (i = 0; i < nmsgs; i++)
				if (msgs[i].label == (int)t)
					lens[k++] = strlen(msgs[i].norm);
			for (i = 0; i < k; i++)	/* a selection is enough */
				for (size_t j = i + 1; j < k; j++)
					if (lens[j] < lens[i]) {
						len = lens[i];
						lens[i] = lens[j];
						lens[j] = len;
					}
			len = lens[k / 2];
			free(lens);
		}
		copies = n;
		/* ssdeep of the normalised text, to the campaign's first */
		snear = -1;
		for (i = 0; i < nmsgs && msgs[i].label != (int)t; i++)
			;
		for (x = (int)i, i = ns = 0; i < nmsgs; i++) {
			if (i == (size_t)x || !msgs[i].dg.ssdeep[0] ||
			    !msgs[x].dg.ssdeep[0])
				continue;
			sc = fuzzy_compare(msgs[i].dg.ssdeep, msgs[x].dg.ssdeep);
			if (msgs[i].label == (int)t)
				sd[ns++] = sc;
			else if (sc > snear)
				snear = sc;
		}
		qsort(sd, ns, sizeof(int), cmpint);
		if (first == nmsgs) {
			printf("| %s | %zu | 0 | %zu | | | | %d | %d | %d |\n",
			    labels[t], copies, len, ns ? sd[ns / 2] : 0,
			    ns ? sd[ns / 10] : 0, snear);
			continue;
		}
		near = -1;
		for (i = n = 0; i < nmsgs; i++) {
			if (!msgs[i].dg.tlsh[0] || i == first)
				continue;
			x = simtext_tlsh_distance(msgs[i].dg.tlsh,
			    msgs[first].dg.tlsh);
			if (msgs[i].label == (int)t)
				d[n++] = x;
			else if (near < 0 || x < near)
				near = x;
		}
		qsort(d, n, sizeof(int), cmpint);
		printf("| %s | %zu | %zu | %zu | %d | %d | %d | %d | %d | %d |\n",
		    labels[t], copies, ntl, len, n ? d[n / 2] : 0,
		    n ? d[n * 9 / 10] : 0, near, ns ? sd[ns / 2] : 0,
		    ns ? sd[ns / 10] : 0, snear);
	}
	free(d);
	free(sd);
}

/* --- --scale: memory and match time of a large index ------------------ */

/* A text of LEN bytes or so of random words (2 to 9 letters), from
 * *SEED: unrelated texts, as unrelated campaigns are. */
static void
scale_text(char *t, size_t len, uint64_t *seed)
{
	size_t n = 0, w, j;

	while (n + 12 < len) {
		*seed = *seed * 6364136223846793005ULL + 1442695040888963407ULL;
		w = 2 + (size_t)(*seed >> 33) % 8;
		for (j = 0; j < w; j++)
			t[n++] = (char)('a' + (*seed >> (4 + 3 * j)) % 26);
		t[n++] = (*seed >> 60) == 0 ? '\n' : ' ';
	}
	t[n] = '\0';
}

static size_t
heap_used(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

/*
 * N campaigns of random texts (300 to 1500 bytes) in an index with the
 * given parameters, then 10,000 matches: half a copy of a campaign with a
 * few words changed, half a new text. Reports bytes per campaign and
 * microseconds per match.
 */
static void
scale(size_t n, unsigned dist, unsigned bonus, unsigned ss)
{
	struct campaign_params cp = { dist, bonus, ss };
	struct campaign_index *ix;
	struct simtext_digest dg;
	struct campaign_key k = { NULL, NULL, NULL, NULL, 0 };
	struct timespec t0, t1;
	uint64_t seed = 20260301, s2, hits = 0;
	size_t i, before, q = 10000;
	char *t = xcalloc(2048, 1);
	struct simtext_digest *qs = xcalloc(q, sizeof(*qs));
	double us;

	before = heap_used();
	if ((ix = campaign_index_new(&cp)) == NULL)
		die("campaign_index_new");
	for (i = 0; i < n; i++) {
		s2 = seed;
		scale_text(t, 300 + (size_t)(seed >> 40) % 1200, &seed);
		if (simtext_digest(t, strlen(t), &dg) == -1)
			die("simtext_digest");
		k.template = dg.template;
		k.tlsh = dg.tlsh;
		k.ssdeep = dg.ssdeep;
		if (campaign_index_add(ix, i + 1, &k) == -1)
			die("campaign_index_add");
		if (i < q / 2) {	/* a variant of this one, for later */
			scale_text(t, 300 + (size_t)(s2 >> 40) % 1200, &s2);
			memcpy(t + strlen(t) / 2, "CHANGED", 7);
			simtext_digest(t, strlen(t), &qs[i]);
		}
	}
	printf("\n%zu campaigns (tlsh_distance %u, domain_bonus %u, "
	    "ssdeep_score %u): %.0f bytes per campaign\n", n, dist, bonus, ss,
	    (double)(heap_used() - before) / (double)n);
	for (i = q / 2; i < q; i++) {
		scale_text(t, 300 + (size_t)(seed >> 40) % 1200, &seed);
		simtext_digest(t, strlen(t), &qs[i]);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < q; i++) {
		k.template = qs[i].template;
		k.tlsh = qs[i].tlsh;
		k.ssdeep = qs[i].ssdeep;
		hits += campaign_index_match(ix, &k) != 0;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	us = ((double)(t1.tv_sec - t0.tv_sec) * 1e6 +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e3) / (double)q;
	printf("%zu matches: %.1f us each, %llu joined (of %zu variants)\n",
	    q, us, (unsigned long long)hits, q / 2);
	campaign_index_free(ix);
	free(qs);
	free(t);
}

/* --- main ------------------------------------------------------------ */

static void
usage(void)
{
	fprintf(stderr, "usage: eval [--tlsh-distance N] [--domain-bonus M] "
	    "[--ssdeep-score S]\n    [--shiva-threshold T] [--sweep] "
	    "[--explain] [--distances] [--no-spampot] DIR\n"
	    "       eval [--tlsh-distance N] [--domain-bonus M] "
	    "[--ssdeep-score S] --scale N\n");
	exit(2);
}

static void
spampot_rows(unsigned dist, unsigned bonus, unsigned ss, uint64_t *pred,
    int index_too)
{
	char params[96];

	snprintf(params, sizeof(params), "distance %u, bonus %u, ssdeep %u",
	    dist, bonus, ss);
	spampot_group(dist, bonus, ss, pred);
	row("spampot", params, pred);
	if (!index_too)
		return;
	exhaustive_group(dist, bonus, (int)ss, pred);
	row("spampot, no index (all compared)", params, pred);
}

static void
sweep_rows(unsigned dist, unsigned bonus, unsigned ss, int spampot,
    uint64_t *pred)
{
	static const unsigned dists[] = { 0, 20, 40, 50, 70, 90 };
	static const unsigned bonuses[] = { 0, 20, 30 };
	static const unsigned sss[] = { 0, 10, 20, 30, 40, 50, 60, 80 };
	static const int thrs[] = { 50, 60, 70, 80, 85, 90, 94, 95, 100 };
	char params[64];
	size_t a, b;

	printf("\n| sweep | parameters | precision | recall | F1 | "
	    "clusters |\n| --- | --- | ---: | ---: | ---: | ---: |\n");
	for (a = 0; spampot && a < sizeof(sss) / sizeof(*sss); a++)
		spampot_rows(dist, bonus, sss[a], pred, 0);
	for (a = 0; spampot && a < sizeof(dists) / sizeof(*dists); a++)
		for (b = 0; b < sizeof(bonuses) / sizeof(*bonuses); b++)
			spampot_rows(dists[a], bonuses[b], ss, pred, 0);
	for (a = 0; a < sizeof(thrs) / sizeof(*thrs); a++) {
		shiva_group(thrs[a], pred);
		snprintf(params, sizeof(params), "ssdeep >= %d", thrs[a]);
		row("SHIVA-style ssdeep", params, pred);
	}
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "tlsh-distance", required_argument, NULL, 'd' },
		{ "domain-bonus", required_argument, NULL, 'b' },
		{ "ssdeep-score", required_argument, NULL, 'S' },
		{ "shiva-threshold", required_argument, NULL, 't' },
		{ "sweep", no_argument, NULL, 's' },
		{ "explain", no_argument, NULL, 'e' },
		{ "no-spampot", no_argument, NULL, 'n' },
		{ "distances", no_argument, NULL, 'D' },
		{ "scale", required_argument, NULL, 'L' },
		{ NULL, 0, NULL, 0 }
	};
	/* the recommended defaults (conf.c's campaign_distance,
	 * campaign_domain_bonus, campaign_ssdeep); SHIVA's
	 * config.ini.example: ssdeep_similarity_threshold 90 */
	unsigned dist = EVAL_DISTANCE, bonus = EVAL_BONUS, ss = EVAL_SSDEEP;
	int thr = 90, sweep = 0, expl = 0, spampot = 1, dists = 0, ch;
	size_t nscale = 0;
	struct config cf;
	struct extract_patterns *ep;
	char err[512], path[4096], params[64];
	uint64_t *pred;
	unsigned char *raw;
	size_t i, len;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'd': dist = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'b': bonus = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'S': ss = (unsigned)strtoul(optarg, NULL, 10); break;
		case 't': thr = atoi(optarg); break;
		case 's': sweep = 1; break;
		case 'e': expl = 1; break;
		case 'n': spampot = 0; break;
		case 'D': dists = 1; break;
		case 'L': nscale = strtoul(optarg, NULL, 10); break;
		default: usage();
		}
	}
	if (nscale > 0) {
		scale(nscale, dist, bonus, ss);
		return 0;
	}
	if (optind + 1 != argc)
		usage();
	read_labels(argv[optind]);
	if (nmsgs == 0) {
		fprintf(stderr, "eval: no labelled message\n");
		return 1;
	}
	mime_init();
	memset(&cf, 0, sizeof(cf));
	if ((ep = extract_patterns_compile(&cf, err, sizeof(err))) == NULL) {
		fprintf(stderr, "eval: %s\n", err);
		return 1;
	}
	for (i = 0; i < nmsgs; i++) {
		snprintf(path, sizeof(path), "%s/%s", argv[optind],
		    msgs[i].file);
		raw = read_file(path, &len);
		if (spampot)
			spampot_prepare(&msgs[i], raw, len, ep);
		shiva_prepare(&msgs[i], raw, len);
		free(raw);
	}
	extract_patterns_free(ep);

	pred = xcalloc(nmsgs, sizeof(*pred));
	printf("%zu messages, %zu campaigns\n\n", nmsgs, nlabels);
	printf("| grouping | parameters | precision | recall | F1 | clusters |\n");
	printf("| --- | --- | ---: | ---: | ---: | ---: |\n");
	printf("| (truth) | | 1 | 1 | 1 | %zu |\n", nlabels);
	if (spampot) {
		spampot_rows(dist, bonus, ss, pred, 1);
		spampot_rows(dist, bonus, 0, pred, 0);
	}
	shiva_group(thr, pred);
	snprintf(params, sizeof(params), "ssdeep >= %d", thr);
	row("SHIVA-style ssdeep", params, pred);
	if (sweep)
		sweep_rows(dist, bonus, ss, spampot, pred);
	if (dists && spampot)
		distances();
	if (expl) {
		if (spampot) {
			spampot_group(dist, bonus, ss, pred);
			explain("spampot", pred, 1);
		}
		shiva_group(thr, pred);
		explain("SHIVA-style ssdeep", pred, 0);
	}
	free(pred);
	return 0;
}
