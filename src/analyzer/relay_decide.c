/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * relay_decide: the probe rules and the relay limits (relay_decide.h,
 * spampot-relay(8)). Runs in spampot-analyzer, unprivileged, under its
 * deny-list, on messages the parse child has taken apart: only memory.
 *
 * A message is a probe when it is the first of its session, has at most
 * relay_max_recipients recipients, at most relay_max_size bytes, no
 * attachment, and one of: the sensor's public address (dotted, hex or
 * decimal) or host name in its subject or text; a user name or password
 * the client tried in the session in its text; one of the first
 * relay_per_campaign copies of its campaign. A probe is relayed when no
 * limit refuses it: the queue, the hour and the day, its client, its
 * recipient (relay_recipient_cooldown), its domain, its campaign.
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <glib.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "mime.h"
#include "relay_decide.h"
#include "spool_read.h"
#include "util.h"

#define DAY	86400L

struct relay_event {
	time_t	 when;
	char	 client[64];
	char	 rcpt[256];
	char	 domain[256];
	char	 campaign[65];
};

struct relay_limits {
	const struct config	*cf;
	struct relay_event	*ev;
	size_t			 n, cap;
	GHashTable		*seen;		/* campaign: copies seen */
};

/* What may sit on either side of a match: a longer number, name or hex
 * string is another one. */
enum relay_edge { EDGE_DIGITS, EDGE_HEX, EDGE_NAME };

struct relay_limits *
relay_limits_new(const struct config *cf)
{
	struct relay_limits *rl;

	if ((rl = calloc(1, sizeof(*rl))) == NULL)
		return NULL;
	rl->cf = cf;
	rl->seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    NULL);
	return rl;
}

void
relay_limits_free(struct relay_limits *rl)
{
	if (rl == NULL)
		return;
	g_hash_table_destroy(rl->seen);
	free(rl->ev);
	free(rl);
}

/* How far back a limit looks: a day, or the recipients' cool-down. */
static long
relay_horizon(const struct relay_limits *rl)
{
	long cool = (long)(rl->cf->relay_recipient_cooldown / 1000);

	return cool > DAY ? cool : DAY;
}

/* Forget what no limit looks at any more. */
static void
relay_prune(struct relay_limits *rl, time_t now)
{
	size_t i, k = 0;

	for (i = 0; i < rl->n; i++)
		if (now - rl->ev[i].when < relay_horizon(rl))
			rl->ev[k++] = rl->ev[i];
	rl->n = k;
}

int
relay_limits_add(struct relay_limits *rl, long age, const char *client,
    const char *rcpt, const char *domain, const char *campaign)
{
	struct relay_event *e;
	size_t cap;

	if (rl->n == rl->cap) {
		relay_prune(rl, time(NULL));
		cap = rl->cap ? rl->cap * 2 : 64;
		if (rl->n == rl->cap) {
			if ((e = reallocarray(rl->ev, cap, sizeof(*e))) == NULL)
				return -1;
			rl->ev = e;
			rl->cap = cap;
		}
	}
	e = &rl->ev[rl->n++];
	e->when = time(NULL) - age;
	snprintf(e->client, sizeof(e->client), "%s", client);
	snprintf(e->rcpt, sizeof(e->rcpt), "%s", rcpt);
	snprintf(e->domain, sizeof(e->domain), "%s", domain);
	snprintf(e->campaign, sizeof(e->campaign), "%s", campaign);
	return 0;
}

int
relay_limits_seen(struct relay_limits *rl, const char *campaign,
    unsigned long n)
{
	gpointer v = g_hash_table_lookup(rl->seen, campaign);

	g_hash_table_insert(rl->seen, g_strdup(campaign),
	    GSIZE_TO_POINTER(GPOINTER_TO_SIZE(v) + n));
	return 0;
}

/* The SHA-256 of the subject with case, digits and runs of space folded:
 * the copies of one mailing share it whatever numbers they carry. */
void
relay_campaign_key(const char *subject, char out[65])
{
	unsigned char md[32];
	unsigned int len = sizeof(md);
	char *norm;
	size_t i, n = 0;
	int space = 1;

	subject = subject ? subject : "";
	if ((norm = malloc(strlen(subject) + 1)) == NULL) {
		out[0] = '\0';
		return;
	}
	for (i = 0; subject[i] != '\0'; i++) {
		unsigned char c = (unsigned char)subject[i];

		if (c >= '0' && c <= '9')
			c = '#';
		if (c == ' ' || c == '\t') {
			if (!space)
				norm[n++] = ' ';
			space = 1;
			continue;
		}
		space = 0;
		norm[n++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	while (n > 0 && norm[n - 1] == ' ')
		n--;
	EVP_Digest(norm, n, md, &len, EVP_sha256(), NULL);
	free(norm);
	util_hex(out, md, sizeof(md));
}

static int
relay_edge_char(enum relay_edge e, unsigned char c)
{
	switch (e) {
	case EDGE_DIGITS:
		return c >= '0' && c <= '9';
	case EDGE_HEX:
		return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
		    (c >= 'A' && c <= 'F');
	case EDGE_NAME:
		return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
		    (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
	}
	return 0;
}

/* NEEDLE in HAY, any case, not as part of a longer number, hex string or
 * name: "192.0.2.1" is not in "192.0.2.10" nor in "10.192.0.2.1". */
static int
relay_find(const char *hay, const char *needle, enum relay_edge e)
{
	size_t n = strlen(needle), i;
	const unsigned char *h = (const unsigned char *)hay;

	if (hay == NULL || n == 0)
		return 0;
	for (i = 0; h[i] != '\0'; i++) {
		if (strncasecmp((const char *)h + i, needle, n) != 0)
			continue;
		if (i > 0 && (relay_edge_char(e, h[i - 1]) || (h[i - 1] ==
		    '.' && i > 1 && relay_edge_char(e, h[i - 2]))))
			continue;
		if (relay_edge_char(e, h[i + n]) || (h[i + n] == '.' &&
		    relay_edge_char(e, h[i + n + 1])))
			continue;
		return 1;
	}
	return 0;
}

/* In the subject, a text part or an HTML part? */
static int
relay_in_message(const struct mime_message *m, const char *needle,
    enum relay_edge e)
{
	size_t i;

	if (relay_find(m->subject, needle, e))
		return 1;
	for (i = 0; i < m->ntexts; i++)
		if (relay_find(m->texts[i], needle, e))
			return 1;
	for (i = 0; i < m->nhtmls; i++)
		if (relay_find(m->htmls[i], needle, e))
			return 1;
	return 0;
}

/* One address in every form a probe writes it. */
static int
relay_address_in(const struct mime_message *m, const char *addr)
{
	struct in_addr a;
	char form[32];
	uint32_t v;

	if (inet_pton(AF_INET, addr, &a) != 1)
		return relay_in_message(m, addr, EDGE_HEX);	/* IPv6 */
	v = ntohl(a.s_addr);
	if (relay_in_message(m, addr, EDGE_DIGITS))
		return 1;
	snprintf(form, sizeof(form), "%08x", v);
	if (relay_in_message(m, form, EDGE_HEX))
		return 1;
	snprintf(form, sizeof(form), "%lu", (unsigned long)v);
	return relay_in_message(m, form, EDGE_DIGITS);
}

/* The sensor's public addresses (relay_address, else the one the client
 * connected to) in the message? */
static int
relay_rule_address(const struct config *cf, const struct spool_session *s,
    const struct mime_message *m)
{
	char *list, *tok, *save = NULL;
	int found = 0;

	if (cf->relay_address[0] == '\0')
		return relay_address_in(m, s->server_ip);
	if ((list = strdup(cf->relay_address)) == NULL)
		return 0;
	for (tok = strtok_r(list, " \t,", &save); tok && !found;
	    tok = strtok_r(NULL, " \t,", &save))
		found = relay_address_in(m, tok);
	free(list);
	return found;
}

/* A user name or password the client tried, in the message's text? */
static int
relay_rule_credentials(const struct spool_session *s,
    const struct mime_message *m)
{
	const struct spool_str *v[2];
	char buf[512];
	size_t i, k;

	for (i = 0; i < s->nauths; i++) {
		v[0] = &s->auths[i].user;
		v[1] = &s->auths[i].pass;
		for (k = 0; k < 2; k++) {
			/* shorter ones are in too much text by chance */
			if (v[k]->p == NULL || v[k]->len < 4 ||
			    v[k]->len >= sizeof(buf) ||
			    memchr(v[k]->p, '\0', v[k]->len) != NULL)
				continue;
			memcpy(buf, v[k]->p, v[k]->len);
			buf[v[k]->len] = '\0';
			if (relay_in_message(m, buf, EDGE_NAME))
				return 1;
		}
	}
	return 0;
}

/* The first condition of a probe that message I fails, or NULL. */
static const char *
relay_not_probe(const struct config *cf, const struct spool_session *s,
    size_t i, const struct mime_message *m)
{
	const struct spool_message *msg = &s->msgs[i];

	if (i != 0)
		return "not-first";
	if (msg->nrcpts == 0 || msg->nrcpts > cf->relay_max_recipients)
		return "recipients";
	if (msg->truncated || msg->incomplete ||
	    msg->body_len > cf->relay_max_size)
		return "size";
	if (m == NULL)
		return "unparsed";
	if (m->natts > 0)
		return "attachment";
	return NULL;
}

/* Relayed (or would have been) since AGO seconds, matching a field. */
static size_t
relay_count(const struct relay_limits *rl, time_t now, long ago,
    size_t field, const char *value)
{
	size_t i, n = 0;

	for (i = 0; i < rl->n; i++)
		if (now - rl->ev[i].when < ago && (value == NULL ||
		    strcmp((const char *)&rl->ev[i] + field, value) == 0))
			n++;
	return n;
}

/* The limit that refuses one more relay now, or NULL. Only a probe gets
 * here: the queue's count (a listing of two directories) is asked of
 * probes, never of the other messages. */
static const char *
relay_limit(const struct relay_limits *rl, const struct spool_session *s,
    const struct relay_decision *d, size_t (*queued)(void *), void *arg,
    time_t now)
{
	const struct config *cf = rl->cf;

	if (queued != NULL && queued(arg) >= cf->relay_queue_max)
		return "queue";
	if (relay_count(rl, now, 3600, 0, NULL) >= cf->relay_limit_hour)
		return "hour";
	if (relay_count(rl, now, DAY, 0, NULL) >= cf->relay_limit_day)
		return "day";
	if (relay_count(rl, now, DAY, offsetof(struct relay_event, client),
	    s->client_ip) >= cf->relay_limit_client)
		return "client";
	if (relay_count(rl, now, (long)(cf->relay_recipient_cooldown / 1000),
	    offsetof(struct relay_event, rcpt), d->rcpt) > 0)
		return "recipient";
	if (relay_count(rl, now, DAY, offsetof(struct relay_event, domain),
	    d->domain) >= cf->relay_limit_domain)
		return "domain";
	if (relay_count(rl, now, DAY, offsetof(struct relay_event, campaign),
	    d->campaign) >= cf->relay_limit_campaign)
		return "campaign";
	return NULL;
}

/* The first recipient, and its domain in lower case. */
static void
relay_recipient(const struct spool_message *msg, struct relay_decision *d)
{
	const char *at;
	size_t n, k;

	d->rcpt[0] = d->domain[0] = '\0';
	if (msg->nrcpts == 0)
		return;
	n = msg->rcpts[0].len < sizeof(d->rcpt) ? msg->rcpts[0].len :
	    sizeof(d->rcpt) - 1;
	memcpy(d->rcpt, msg->rcpts[0].p, n);
	d->rcpt[n] = '\0';
	if ((at = strrchr(d->rcpt, '@')) == NULL)
		return;
	for (k = 0; at[k + 1] != '\0' && k + 1 < sizeof(d->domain); k++)
		d->domain[k] = (char)((at[k + 1] >= 'A' && at[k + 1] <= 'Z') ?
		    at[k + 1] + 32 : at[k + 1]);
	d->domain[k] = '\0';
}

/* Which probe rule matches, or NULL. */
static const char *
relay_rule(struct relay_limits *rl, const struct spool_session *s,
    const struct mime_message *m, const char *campaign)
{
	const struct config *cf = rl->cf;
	gpointer seen = g_hash_table_lookup(rl->seen, campaign);

	if (relay_rule_address(cf, s, m))
		return "address";
	if (relay_in_message(m, cf->hostname, EDGE_NAME))
		return "hostname";
	if (relay_rule_credentials(s, m))
		return "credentials";
	/* this copy is counted already */
	if (cf->relay_per_campaign > 0 &&
	    GPOINTER_TO_SIZE(seen) <= cf->relay_per_campaign)
		return "campaign";
	return NULL;
}

void
relay_decide(struct relay_limits *rl, const struct spool_session *s,
    size_t i, const struct mime_message *m, uint64_t campaign,
    size_t (*queued)(void *), void *arg, struct relay_decision *d)
{
	const struct config *cf = rl->cf;
	time_t now = time(NULL);

	memset(d, 0, sizeof(*d));
	util_utc_stamp(d->decided_at, sizeof(d->decided_at), 0);
	relay_recipient(&s->msgs[i], d);
	/* the campaign the analyzer put it in; without one, its subject */
	if (campaign != 0)
		snprintf(d->campaign, sizeof(d->campaign), "%llu",
		    (unsigned long long)campaign);
	else
		relay_campaign_key(m ? m->subject : NULL, d->campaign);
	/* copies are counted for the campaign rule only: a key per subject
	 * ever seen is memory for nothing when it is off */
	if (cf->relay_per_campaign > 0)
		relay_limits_seen(rl, d->campaign, 1);
	d->verdict = "not-probe";
	if ((d->reason = relay_not_probe(cf, s, i, m)) != NULL)
		return;
	if ((d->rule = relay_rule(rl, s, m, d->campaign)) == NULL) {
		d->reason = "no-marker";
		return;
	}
	if ((d->reason = relay_limit(rl, s, d, queued, arg, now)) != NULL) {
		d->verdict = "refused";
		return;
	}
	d->verdict = cf->relay_mode == CONF_RELAY_ON ? "relay" : "dry-run";
	relay_limits_add(rl, 0, s->client_ip, d->rcpt, d->domain,
	    d->campaign);
}
