/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * import_more: a message's campaign digests (simtext.c), its attachments
 * and their archive members typed and listed (inspect.c), and the YARA
 * rules that match it (yara_rules.c): the message as it was received,
 * each attachment decoded, each member as it is read out of its archive.
 * Runs in the parse child, which reads attacker bytes under its sandbox;
 * everything here works in memory.
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "import_cache.h"
#include "import_more.h"
#include "inspect.h"
#include "mime.h"
#include "simtext.h"
#include "yara_rules.h"

/* Passwords of an encrypted archive looked for in a message's text. */
#define MORE_PASSWORDS		8

/* A member's YARA scan, from inspect_attachment's walk. */
struct more_walk {
	const struct import_tools	*t;
	struct parsed_more		*more;
	int				 att;
	int				 oom;
};

/* The matches of one scan, appended to more->yara with where they hit. */
static int
more_yara(const struct import_tools *t, struct parsed_more *more,
    const void *data, size_t len, int att, const char *member)
{
	struct yara_match *m = NULL;
	struct parsed_yara *y;
	size_t n = 0, i;
	int rc = 0;

	if (t->rules == NULL)
		return 0;
	if (yara_rules_scan(t->rules, data, len, &m, &n) == -1)
		rc = -1;
	if (n > 0 && (y = realloc(more->yara, (more->nyara + n) *
	    sizeof(*y))) != NULL) {
		more->yara = y;
		for (i = 0; i < n; i++) {
			y = &more->yara[more->nyara];
			memset(y, 0, sizeof(*y));
			y->m = m[i];
			y->att = att;
			if (member != NULL &&
			    (y->member = strdup(member)) == NULL)
				rc = -1;
			more->nyara++;
		}
	} else if (n > 0) {
		for (i = 0; i < n; i++)
			yara_match_clear(&m[i]);
		rc = -1;
	}
	free(m);
	return rc;
}

static void
more_member(void *arg, const struct inspect_member *im,
    const unsigned char *data, size_t len)
{
	struct more_walk *w = arg;

	if (more_yara(w->t, w->more, data, len, w->att, im->path) == -1)
		w->oom = 1;
}

/* Passwords the message's text gives, for its encrypted archives. */
static char **
more_passwords(const struct mime_message *m, size_t *n)
{
	char **all = NULL, **pw, **p;
	size_t i, k, got;

	*n = 0;
	for (i = 0; i < m->ntexts + m->nhtmls + 1 && *n < MORE_PASSWORDS;
	    i++) {
		const char *text = i < m->ntexts ? m->texts[i] :
		    i < m->ntexts + m->nhtmls ? m->htmls[i - m->ntexts] :
		    m->subject;

		if (text == NULL || (pw = inspect_passwords(text,
		    MORE_PASSWORDS - *n, &got)) == NULL)
			continue;
		if ((p = realloc(all, (*n + got) * sizeof(*p))) == NULL) {
			inspect_passwords_free(pw, got);
			break;
		}
		all = p;
		for (k = 0; k < got; k++)
			all[(*n)++] = pw[k];
		free(pw);
	}
	return all;
}

static int
more_attachments(const struct import_tools *t, const struct mime_message *m,
    struct parsed_more *more)
{
	struct more_walk w = { t, more, 0, 0 };
	struct import_cache_pw key;
	char **pw;
	size_t i, npw = 0;
	int rc = 0;

	if (m->natts == 0)
		return 0;
	if (t->insp != NULL &&
	    (more->insp = calloc(m->natts, sizeof(*more->insp))) == NULL)
		return -1;
	pw = t->insp != NULL ? more_passwords(m, &npw) : NULL;
	key.list = (const char *const *)pw;
	key.n = pw != NULL ? npw : 0;
	for (i = 0; i < m->natts && rc == 0; i++) {
		const struct mime_attachment *a = &m->atts[i];
		size_t from = more->nyara;
		int hit = 0;

		if (t->cache != NULL && (hit = import_cache_get(t->cache, a,
		    &key, t->insp ? &more->insp[i] : NULL, more, (int)i)) != 0) {
			rc = hit == -1 ? -1 : 0;
			continue;
		}
		w.att = (int)i;
		if (more_yara(t, more, a->data, a->size, (int)i, NULL) == -1)
			rc = -1;
		if (t->insp != NULL && inspect_attachment(t->insp, a->filename,
		    a->content_type, a->data, a->size,
		    (const char *const *)pw, pw ? npw : 0,
		    t->rules ? more_member : NULL, &w, &more->insp[i]) == -1)
			rc = -1;
		if (w.oom)
			rc = -1;
		if (rc == 0 && t->cache != NULL)
			import_cache_put(t->cache, a, &key, t->insp ?
			    &more->insp[i] : NULL, more->nyara > from ?
			    more->yara + from : NULL, more->nyara - from);
	}
	if (pw != NULL)
		inspect_passwords_free(pw, npw);
	return rc;
}

/* The envelope recipients as C strings, for the text's placeholders. */
static int
more_digests(const struct spool_message *sm, const struct mime_message *m,
    struct parsed_more *more)
{
	char **rcpts, *text;
	size_t i, n = sm->nrcpts < SIMTEXT_RCPTS_MAX ? sm->nrcpts :
	    SIMTEXT_RCPTS_MAX;
	int rc = -1;

	/* only those simtext looks at */
	if ((rcpts = calloc(n + 1, sizeof(*rcpts))) == NULL)
		return -1;
	for (i = 0; i < n; i++)
		if ((rcpts[i] = strndup(sm->rcpts[i].p ? sm->rcpts[i].p : "",
		    sm->rcpts[i].len)) == NULL)
			goto done;
	if ((text = simtext_normalize(m, (const char *const *)rcpts,
	    n)) == NULL)
		goto done;
	rc = simtext_digest(text, strlen(text), &more->sim);
	free(text);
done:
	for (i = 0; i < n; i++)
		free(rcpts[i]);
	free(rcpts);
	return rc;
}

int
import_more(const struct import_tools *t, const struct spool_message *sm,
    const struct mime_message *m, struct parsed_more *more)
{
	memset(more, 0, sizeof(*more));
	if (t == NULL)
		return 0;
	if (t->opts->digests && more_digests(sm, m, more) == -1)
		return -1;
	if (more_yara(t, more, sm->body ? (const void *)sm->body : "",
	    sm->body_len, -1, NULL) == -1)
		return -1;
	return more_attachments(t, m, more);
}

void
import_more_clear(struct parsed_more *more, size_t natts)
{
	size_t i;

	for (i = 0; more->insp != NULL && i < natts; i++)
		inspect_result_clear(&more->insp[i]);
	free(more->insp);
	for (i = 0; i < more->nyara; i++) {
		yara_match_clear(&more->yara[i].m);
		free(more->yara[i].member);
	}
	free(more->yara);
	memset(more, 0, sizeof(*more));
}
