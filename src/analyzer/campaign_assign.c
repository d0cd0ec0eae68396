/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * campaign_assign: the campaigns of a parsed file's messages, in the
 * order they are imported: a message matches a campaign of the index
 * (campaign.c) or starts one of its own, whose id comes from its
 * template, so that whoever imports the first copy names the campaign
 * the same way. Every template seen joins its campaign in the index.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "campaign.h"
#include "campaign_assign.h"
#include "conf.h"
#include "extract.h"
#include "import.h"
#include "log.h"
#include "parsed.h"
#include "store.h"
#include "util.h"

/* After an index that could not be read, the next try waits this long. */
#define ASSIGN_RETRY_MS		60000

struct campaign_assign {
	struct campaign_params	 params;
	struct campaign_index	*idx;
	int			 loaded;
	uint64_t		 retry_at;	/* ms; 0: now */
};

struct campaign_assign *
campaign_assign_new(const struct config *cf, long distance, long bonus,
    long ssdeep)
{
	struct campaign_assign *ca;

	if ((ca = calloc(1, sizeof(*ca))) == NULL)
		return NULL;
	ca->params.tlsh_distance = distance >= 0 ? (unsigned)distance :
	    (unsigned)cf->campaign_distance;
	ca->params.domain_bonus = bonus >= 0 ? (unsigned)bonus :
	    (unsigned)cf->campaign_domain_bonus;
	ca->params.ssdeep_score = ssdeep >= 0 ? (unsigned)ssdeep :
	    (unsigned)cf->campaign_ssdeep;
	return ca;
}

void
campaign_assign_free(struct campaign_assign *ca)
{
	if (ca == NULL)
		return;
	campaign_index_free(ca->idx);
	free(ca);
}

void
campaign_assign_reset(struct campaign_assign *ca)
{
	if (ca != NULL)
		ca->loaded = 0;
}

int
campaign_assign_load(struct campaign_assign *ca, struct store *st)
{
	char err[512];

	if (ca == NULL || ca->loaded)
		return 0;
	if (ca->retry_at != 0 && util_now_ms() < ca->retry_at)
		return -1;
	campaign_index_free(ca->idx);
	if ((ca->idx = campaign_index_new(&ca->params)) == NULL) {
		log_warnx("campaigns: out of memory");
		return -1;
	}
	if (store_campaign_load(st, ca->idx, err, sizeof(err)) == -1) {
		log_warnx("campaigns: cannot read the index: %s; messages "
		    "get no campaign until it is read (tried again in %d s)",
		    err, ASSIGN_RETRY_MS / 1000);
		ca->retry_at = util_now_ms() + ASSIGN_RETRY_MS;
		return -1;
	}
	ca->loaded = 1;
	ca->retry_at = 0;
	log_info("campaigns: %zu loaded", campaign_index_count(ca->idx));
	return 0;
}

uint64_t
campaign_assign_id(const char *template)
{
	uint64_t id = 0;
	int i;

	for (i = 0; i < 13 && template[i] != '\0'; i++)
		id = id << 4 | (uint64_t)(template[i] <= '9' ?
		    template[i] - '0' : (template[i] | 0x20) - 'a' + 10);
	return id == 0 ? 1 : id;
}

static int
assign_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The registrable domains of the message's links: distinct, sorted. */
static int
assign_domains(const struct extract_result *found, struct parsed_campaign *pc)
{
	size_t i, k;
	char *d;

	if (found == NULL || found->nurls == 0)
		return 0;
	if ((pc->domains = calloc(found->nurls, sizeof(char *))) == NULL)
		return -1;
	for (i = 0; i < found->nurls; i++)
		if ((d = extract_registrable_domain(found->urls[i].host)) != NULL)
			pc->domains[pc->ndomains++] = d;
	qsort(pc->domains, pc->ndomains, sizeof(char *), assign_cmp);
	for (i = k = 0; i < pc->ndomains; i++) {
		if (k > 0 && strcmp(pc->domains[k - 1], pc->domains[i]) == 0)
			free(pc->domains[i]);
		else
			pc->domains[k++] = pc->domains[i];
	}
	pc->ndomains = k;
	return 0;
}

/* A message's campaign from its digests and link domains (PC's), found
 * or started. */
static int
assign_key(struct campaign_assign *ca, const struct simtext_digest *sim,
    struct parsed_campaign *pc)
{
	struct campaign_key key;

	key.template = sim->template;
	key.tlsh = sim->tlsh;
	key.ssdeep = sim->ssdeep;
	key.domains = (const char *const *)pc->domains;
	key.ndomains = pc->ndomains;
	if ((pc->id = campaign_index_match(ca->idx, &key)) == 0) {
		pc->id = campaign_assign_id(sim->template);
		pc->created = 1;
		if (campaign_index_add(ca->idx, pc->id, &key) == -1)
			return -1;
	}
	return campaign_index_template(ca->idx, pc->id, sim->template);
}

/* One message: its campaign, found or started. */
static int
assign_message(struct campaign_assign *ca, const struct parsed_message *pm,
    struct parsed_campaign *pc)
{
	const struct simtext_digest *sim = &pm->more->sim;

	if (sim->template[0] == '\0')
		return 0;
	if (assign_domains(pm->found, pc) == -1)
		return -1;
	return assign_key(ca, sim, pc);
}

/* The registrable domains of space-separated HOSTS, as assign_domains
 * makes them, into PC. */
static int
assign_hosts(const char *hosts, struct parsed_campaign *pc)
{
	struct extract_result found;
	struct extract_url *urls;
	char *copy, *p, *save;
	size_t n = 0;
	int rc;

	memset(&found, 0, sizeof(found));
	if ((copy = strdup(hosts)) == NULL ||
	    (urls = calloc(strlen(hosts) / 2 + 1, sizeof(*urls))) == NULL) {
		free(copy);
		return -1;
	}
	for (p = strtok_r(copy, " ", &save); p != NULL;
	    p = strtok_r(NULL, " ", &save))
		urls[n++].host = p;
	found.urls = urls;
	found.nurls = n;
	rc = assign_domains(&found, pc);
	free(urls);
	free(copy);
	return rc;
}

/* The rebuild starts, or starts again after a conflict: an empty
 * index. */
static int
assign_rebuild_start(struct campaign_assign *ca)
{
	campaign_index_free(ca->idx);
	if ((ca->idx = campaign_index_new(&ca->params)) == NULL)
		return -1;
	ca->loaded = 1;
	return 0;
}

/* One message of the rebuild (store_campaign_fn); no TEMPLATE: the
 * rebuild's transaction starts. */
static int
assign_rebuild_one(void *arg, const char *template, const char *tlsh,
    const char *ssdeep, const char *hosts, uint64_t *id, int *created,
    char *domains, size_t domainslen)
{
	struct campaign_assign *ca = arg;
	struct parsed_campaign pc;
	struct parsed_more more;
	struct parsed_message pm;
	size_t i, len = 0;
	int rc = -1;

	if (template == NULL)
		return assign_rebuild_start(ca);
	memset(&pc, 0, sizeof(pc));
	memset(&more, 0, sizeof(more));
	memset(&pm, 0, sizeof(pm));
	snprintf(more.sim.template, sizeof(more.sim.template), "%s", template);
	snprintf(more.sim.tlsh, sizeof(more.sim.tlsh), "%s", tlsh);
	snprintf(more.sim.ssdeep, sizeof(more.sim.ssdeep), "%s", ssdeep);
	pm.more = &more;
	if (assign_hosts(hosts, &pc) == -1)
		goto done;
	pm.found = NULL;
	if (assign_key(ca, &more.sim, &pc) == -1)
		goto done;
	*id = pc.id;
	*created = pc.created;
	domains[0] = '\0';
	for (i = 0; i < pc.ndomains; i++) {
		size_t n = strlen(pc.domains[i]);

		if (len + n + 2 > domainslen)
			break;
		if (len > 0)
			domains[len++] = ' ';
		memcpy(domains + len, pc.domains[i], n + 1);
		len += n;
	}
	rc = 0;
done:
	for (i = 0; i < pc.ndomains; i++)
		free(pc.domains[i]);
	free(pc.domains);
	return rc;
}

int
campaign_assign_rebuild(struct campaign_assign *ca, struct store *st,
    unsigned long *messages, unsigned long *campaigns,
    struct store_tries *tries, char *err, size_t errlen)
{
	return store_campaign_rebuild(st, assign_rebuild_one, ca, messages,
	    campaigns, tries, err, errlen);
}

struct parsed_campaign *
campaign_assign_file(struct campaign_assign *ca, const struct import_file *f)
{
	struct parsed_campaign *pc;
	size_t i;

	if ((pc = calloc(f->s.nmsgs + 1, sizeof(*pc))) == NULL)
		return NULL;
	for (i = 0; ca->idx != NULL && ca->loaded && i < f->s.nmsgs; i++)
		if (f->parsed[i].more != NULL &&
		    assign_message(ca, &f->parsed[i], &pc[i]) == -1) {
			campaign_assign_clear(pc, f->s.nmsgs);
			return NULL;
		}
	return pc;
}

void
campaign_assign_clear(struct parsed_campaign *pc, size_t n)
{
	size_t i, k;

	if (pc == NULL)
		return;
	for (i = 0; i < n; i++) {
		for (k = 0; k < pc[i].ndomains; k++)
			free(pc[i].domains[k]);
		free(pc[i].domains);
	}
	free(pc);
}
