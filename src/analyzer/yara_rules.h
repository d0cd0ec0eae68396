/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * yara_rules: the analyst's YARA rules (libyara). The analyzer compiles
 * every *.yar and *.yara file of yara_rules_dir, at start and on SIGHUP,
 * and hands the compiled rules to its parse child as bytes; the child
 * loads them and scans each message and each attachment and member.
 */
#ifndef SPAMPOT_YARA_RULES_H
#define SPAMPOT_YARA_RULES_H

#include <stddef.h>

#include "buf.h"

struct yara_rules;

struct yara_match {
	char	*rule;		/* the rule's identifier */
	char	*ns;		/* its namespace: the file's name */
	char	*tags;		/* space-separated, "" none */
	char	*meta;		/* a JSON object of the rule's metadata */
};

/* libyara's global set-up, once per process, before any sandbox. */
int		 yara_rules_init(void);
/* Every rule file of DIR, in name order, one namespace per file. NULL
 * with "FILE:LINE: message" in ERR when one does not compile, or the
 * directory cannot be read. An empty directory gives rules that match
 * nothing. */
struct yara_rules *yara_rules_compile(const char *dir, char *err,
		    size_t errlen);
size_t		 yara_rules_count(const struct yara_rules *);
/* Compiled rules as bytes (libyara's own format), and back. */
int		 yara_rules_save(const struct yara_rules *, struct buf *);
struct yara_rules *yara_rules_load(const void *p, size_t n, char *err,
		    size_t errlen);
void		 yara_rules_free(struct yara_rules *);
/* Scan LEN bytes; each rule that matches is appended to *OUT (realloc'd,
 * *N counted). 0, or -1 out of memory (a scan that hits libyara's time or
 * memory limits returns what matched so far). */
int		 yara_rules_scan(const struct yara_rules *, const void *data,
		    size_t len, struct yara_match **out, size_t *n);
void		 yara_match_clear(struct yara_match *);

#endif
