/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * report_rollup: queries on the running totals the analyzer keeps
 * (kind_hours, value_hours, value_totals, pattern_hours; sql/schema.sql).
 * A window is read as its whole hours from the totals and its ends (before
 * the first whole hour, after the last) from the rows themselves, so the
 * answer is exact at any second and costs a few thousand rows.
 */
#ifndef SPAMPOT_REPORT_ROLLUP_H
#define SPAMPOT_REPORT_ROLLUP_H

#include "report_int.h"

struct rroll_window {
	int	hours;			/* whole hours from the totals */
	char	hfrom[32], hto[32];	/* their bounds; "": open */
	int	nraw;			/* ends read from the rows */
	char	rfrom[2][32], rto[2][32];
};

/* Where the rows of a report kind are, to count a window's ends. */
struct rroll_source {
	const char	*kind;		/* in kind_hours, value_hours */
	const char	*from;		/* table and alias */
	const char	*value;		/* the value (credential: user) */
	const char	*value2;	/* credential: the password; or NULL */
	const char	*time;
	const char	*where;		/* extra condition, or NULL */
};

/* The rows of a kind of value_totals (client-ip, ...); NULL: none. */
const struct rroll_source *rroll_source(const char *kind);
/* Can the totals answer? (They know nothing of sensors.) */
int	rroll_usable(const struct report_opts *);
void	rroll_split(const struct report_opts *, struct rroll_window *);
void	rroll_hours(struct rdb_query *, const struct rroll_window *);
void	rroll_range(struct rdb_query *, const char *col,
	    const struct rroll_window *, int);
/* SELECT n, first, last, <show> of the top values of src->kind; show
 * reads t.value and t.value2 (value_totals). */
void	rroll_top_values(struct rdb_query *, const struct report_opts *,
	    const struct rroll_source *src, const char *show);
/* SELECT n, first, last, value of the top values of a pattern kind;
 * session: counted by session (username). */
void	rroll_top_patterns(struct rdb_query *, const struct report_opts *,
	    const char *kind, int session);
/* SELECT kind, n, first, last for each of the kinds in the window. */
void	rroll_kind_totals(struct rdb_query *, const struct report_opts *,
	    const char *const *kinds, size_t);
/* SELECT bucket, count of src->kind per DATE_FORMAT(format) bucket. */
void	rroll_per_bucket(struct rdb_query *, const struct report_opts *,
	    const struct rroll_source *, const char *format);

#endif
