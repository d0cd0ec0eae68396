/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * store_rollup: what a batch adds to the report's running totals
 * (kind_hours, value_hours, value_totals, pattern_hours in schema.sql),
 * added up in memory as its files are imported, each session's in one
 * pass over its rows once they are made (store_rollup_session, in
 * store_int.h); store_commit writes them in the batch's transaction.
 */
#ifndef SPAMPOT_STORE_ROLLUP_H
#define SPAMPOT_STORE_ROLLUP_H

#include <stddef.h>

enum store_rollup_table { SRU_KIND, SRU_VALUE, SRU_PATTERN };

/* A value is cut as its table cuts it, then to the 255 characters its
 * rollup columns hold (the report's *_key columns: LEFT(x, 255)). */
#define STORE_ROLLUP_CHARS	255

struct store_rollup_entry {
	enum store_rollup_table	 table;
	char			 kind[65];
	char			 hour[20];	/* "YYYY-MM-DD HH:00:00" */
	unsigned char		 sha[32];	/* SRU_VALUE */
	unsigned long long	 pattern_id;	/* SRU_PATTERN */
	char			*value, *value2;	/* SRU_VALUE */
	size_t			 len, len2;
	unsigned long long	 n;
	char			 first[32], last[32];	/* spool times */
};

struct store_rollup;

struct store_rollup	*store_rollup_new(void);
void			 store_rollup_free(struct store_rollup *);
void			 store_rollup_clear(struct store_rollup *);
/* One occurrence of a value of a report kind (value2: NULL but for
 * credential) at the spool time when; the text as its column holds it
 * (valid UTF-8, cut to the column's size), of which the first
 * STORE_ROLLUP_CHARS characters count. -1: out of memory. */
int			 store_rollup_value(struct store_rollup *,
			    const char *kind, const char *value, size_t len,
			    const char *value2, size_t len2,
			    const char *when);
/* count occurrences of a pattern at when. */
int			 store_rollup_pattern(struct store_rollup *,
			    const char *kind, unsigned long long id,
			    unsigned long long count, const char *when);
size_t			 store_rollup_count(const struct store_rollup *);
const struct store_rollup_entry *store_rollup_get(const struct store_rollup *,
			    size_t);

#endif
