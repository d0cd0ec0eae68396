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

/* libyara's global set-up, once per process (again: nothing), before any
 * sandbox and before the parse children fork: it also has the magic
 * module read libmagic's database, which a sandboxed child cannot. */
int		 yara_rules_init(void);
/* Every rule file of DIR (*.yar, *.yara, not hidden; links followed), in
 * name order, one namespace per file: its name without the extension.
 * include "NAME" takes a plain name in DIR only (no '/', no leading '.').
 * NULL with "FILE:LINE: message" in ERR (libyara's message) for the first
 * error, the files after it not read, or "DIR: reason" when the directory
 * cannot be read. Warnings are ignored. An empty directory gives rules
 * that match nothing. */
struct yara_rules *yara_rules_compile(const char *dir, char *err,
		    size_t errlen);
/* How many rules, private and global ones included. */
size_t		 yara_rules_count(const struct yara_rules *);
/* Compiled rules as bytes (libyara's own format and a trailer of ours,
 * so that a copy cut short is an error), appended to the buf, and back. */
int		 yara_rules_save(const struct yara_rules *, struct buf *);
struct yara_rules *yara_rules_load(const void *p, size_t n, char *err,
		    size_t errlen);
void		 yara_rules_free(struct yara_rules *);
/* Scan LEN bytes; each rule that matches is appended to *OUT (realloc'd,
 * *N counted), in rule order (the rules of files that import a module
 * of executables after the others, and only on data that begins as an
 * executable: see yara_rules.c); private rules never. 0, or -1 out of memory
 * (what was appended stays, for yara_match_clear). A scan that hits
 * libyara's time limit (a few seconds) or memory limits returns 0 with
 * what matched so far: libyara decides the rules once the strings are
 * found, so a timeout in either usually leaves nothing. */
int		 yara_rules_scan(const struct yara_rules *, const void *data,
		    size_t len, struct yara_match **out, size_t *n);
void		 yara_match_clear(struct yara_match *);

#endif
