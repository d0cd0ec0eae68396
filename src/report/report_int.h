/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * report: spampot-report, the analysts' read-only view of the database.
 * One file per role, one prefix per file:
 *
 *   report.c          report_   main: options, configuration, commands
 *   report_db.c       rdb_      connection, SQL built from fixed fragments
 *                               with bound parameters, result rows
 *   report_time.c     rtime_    --since/--until, times as printed
 *   report_net.c      rnet_     an address or network as an index range
 *   report_out.c      rout_     tables as text (80 columns), JSON, CSV
 *   report_summary.c  rsum_     summary
 *   report_top.c      rtop_     top KIND
 *   report_session.c  rsess_    session ID|SPOOL_NAME
 *   report_search.c   rsearch_  search
 *   report_relay.c    rrelay_   relay
 *   report_campaign.c rcamp_    campaigns, campaign ID
 *   report_sensors.c  rsens_    sensors: heartbeats as a monitoring check
 *   report_html.c     rhtml_    html: one self-contained page
 *   report_export.c   rexp_     export: a MISP event, a STIX 2.1 bundle
 *   report_svg.c      rsvg_     its charts, as inline SVG
 */
#ifndef SPAMPOT_REPORT_INT_H
#define SPAMPOT_REPORT_INT_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "buf.h"

/* Exit status: something found, nothing found, an error. */
#define REPORT_FOUND	0
#define REPORT_NONE	1
#define REPORT_ERROR	2

/* sensors: Nagios's UNKNOWN (0, 1, 2 are OK, WARNING, CRITICAL) */
#define RSENS_EXIT_UNKNOWN	3
#define RSENS_WARN_DEFAULT	300
#define RSENS_CRIT_DEFAULT	900
#define RSENS_BACKLOG_DEFAULT	1000

#define REPORT_LIMIT_DEFAULT	20
#define REPORT_LIMIT_MAX	100000

enum report_format { RF_TEXT, RF_JSON, RF_CSV, RF_MISP, RF_STIX };

#define REPORT_TLP_DEFAULT	"amber"

/* What to search for (search). NULL: not a criterion. */
struct report_search {
	const char	*ip;		/* address or CIDR network */
	const char	*address;
	const char	*domain;
	const char	*url;		/* substring */
	const char	*hash;		/* MD5, SHA-1 or SHA-256, hex */
	const char	*subject;	/* substring */
	const char	*yara;		/* a rule's name */
	const char	*campaign;	/* a campaign's id */
	int		 mismatch;	/* an attachment not what it says */
};

struct report_opts {
	time_t			 now;
	time_t			 since, until;	/* 0: open */
	char			 since_sql[32], until_sql[32];	/* "" open */
	const char		*sensor;	/* NULL: every sensor */
	unsigned long		 limit;
	enum report_format	 format;
	int			 csv_safe;	/* --format csv-safe */
	struct report_search	 search;
	long			 warn_s, crit_s;	/* sensors: ages */
	unsigned long long	 backlog;	/* sensors: files in new/ */
	FILE			*out;
};

/* --- report_db.c ---------------------------------------------------------- */

struct config;
struct rdb;

/* Rows of text: cell[r * ncols + c], NULL for SQL NULL. */
struct rdb_rows {
	size_t	  nrows, ncols;
	char	**cell;
};

/* A statement being built: SQL from fixed fragments of this program
 * (never from input), and the values it binds, in order. */
#define RDB_MAX_PARAMS	128
struct rdb_query {
	struct buf	 sql;
	struct {
		int			 type;
		const void		*p;
		size_t			 len;
		unsigned long long	 num;
		char			 owned[64];
	}		 param[RDB_MAX_PARAMS];
	size_t		 nparams;
};

struct rdb	*rdb_connect(const struct config *, const char *user,
		    const char *password);
void		 rdb_close(struct rdb *);
void		 rdb_init(struct rdb_query *);
void		 rdb_sql(struct rdb_query *, const char *fragment);
void		 rdb_text(struct rdb_query *, const char *);
void		 rdb_text_copy(struct rdb_query *, const char *);
void		 rdb_blob(struct rdb_query *, const void *, size_t);
void		 rdb_u64(struct rdb_query *, unsigned long long);
/* " AND col >= ? AND col < ?" for the window that is set. */
void		 rdb_sensor(struct rdb_query *, const struct report_opts *);
void		 rdb_limit(struct rdb_query *, const struct report_opts *);
void		 rdb_window(struct rdb_query *, const char *col,
		    const struct report_opts *);
/* Run it (the query is then reset); on a database error: exit 2. */
void		 rdb_run(struct rdb *, struct rdb_query *, struct rdb_rows *);
void		 rdb_rows_clear(struct rdb_rows *);
const char	*rdb_cell(const struct rdb_rows *, size_t row, size_t col);
unsigned long long rdb_num(const struct rdb_rows *, size_t row, size_t col);

/* --- report_time.c --------------------------------------------------------- */

/* --since/--until: "2026-11-26", "2026-11-26T16:00[:00][Z]" (also with a
 * space) in UTC, or a duration before now: 30m, 24h, 7d, 2w, 90s. */
int	 rtime_parse(const char *, time_t now, time_t *);
void	 rtime_sql(time_t, char *, size_t);	/* 2026-11-26 16:00:00 */
void	 rtime_iso(time_t, char *, size_t);	/* 2026-11-26T16:00:00Z */
/* A database time ("2026-11-26 16:24:04.368849") as printed: ISO 8601
 * UTC to the second for JSON/CSV, "2026-11-26 16:24" in text. */
void	 rtime_db_iso(const char *, char *, size_t);
void	 rtime_db_text(const char *, char *, size_t);
/* To the microsecond: "2026-11-26T16:24:04.368849Z". */
void	 rtime_db_iso_us(const char *, char *, size_t);

/* --- report_net.c ---------------------------------------------------------- */

/* An IPv4/IPv6 address or network as the range of sessions.client_ip_bin
 * (16 bytes, IPv4 mapped to ::ffff:0:0/96). */
int	 rnet_range(const char *, unsigned char lo[16], unsigned char hi[16]);

/* --- report_out.c ---------------------------------------------------------- */

enum rout_type { RC_TEXT, RC_INT, RC_TIME, RC_DECIMAL };

#define RC_RIGHT	0x01	/* text: right-aligned */
#define RC_FLEX		0x02	/* text: the rest of the line, cut to fit */
#define RC_LINE		0x04	/* text: on a line of its own below */
#define RC_NOTEXT	0x08	/* JSON and CSV only */

struct rout_col {
	const char	*key;		/* JSON key, CSV header */
	const char	*title;		/* text header */
	enum rout_type	 type;
	int		 max;		/* text: widest (0: as wide as needed) */
	int		 flags;
};

#define ROUT_WIDTH	80

struct rout_table {
	const char		*report;	/* "top", "search" */
	const char		*kind;		/* or NULL */
	const struct rout_col	*cols;
	size_t			 ncols;
	const struct rdb_rows	*rows;		/* cells in column order */
};

void	 rout_fail(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	 rout_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 rout_table(const struct report_opts *, const struct rout_table *);
/* The JSON header all documents share: {"report":...,"since":...,. */
void	 rout_json_head(struct buf *, const struct report_opts *,
	    const char *report, const char *kind);
void	 rout_flush(const struct report_opts *, struct buf *);
/* The only way a value reaches text and CSV: control characters (C0, DEL,
 * C1) and bytes that are not UTF-8 as \xHH (C1 as \u00HH), the rest as
 * it is; a NULL as nothing. */
void	 rout_escape(struct buf *, const char *);
/* Text as a terminal may show it: escaped as by rout_escape(); its width
 * in columns; cut to at most width columns (with "..." when cut). */
void	 rout_text_safe(struct buf *, const char *, size_t width, int pad,
	    int right);
size_t	 rout_width(const char *);
/* Text that may be long, folded at 80 columns; the cursor is at column
 * indent, and so are the lines that continue it. */
void	 rout_text_fold(struct buf *, const char *, size_t indent);
/* The same, the cursor at column col (>= indent). */
void	 rout_text_fold_at(struct buf *, const char *, size_t col,
	    size_t indent);
/* A CSV field, escaped as by rout_escape(), quoted as RFC 4180 says;
 * safe: a value a spreadsheet would read as a formula gets a ' before it. */
void	 rout_csv_field(struct buf *, const char *, int safe);
/* A cell in JSON by type (null for NULL). */
void	 rout_json_cell(struct buf *, enum rout_type, const char *);
void	 rout_init_locale(void);

/* --- the commands: exit status REPORT_FOUND or REPORT_NONE ---------------- */

/* The checks of their arguments that need no database; exit 2 on error. */
void	 rtop_check(const char *kind);
void	 rsearch_check_opts(const struct report_opts *);
void	 rsess_check(const char *id);

int	 rsum_run(struct rdb *, const struct report_opts *);
int	 rtop_run(struct rdb *, const struct report_opts *, const char *kind);
/* sensors: 0 OK, 1 WARNING, 2 CRITICAL, RSENS_EXIT_UNKNOWN */
int	 rsens_run(struct rdb *, const struct report_opts *);
/* The heartbeats judged (html): rows with the sensor, its state ("OK",
 * "WARNING", "CRITICAL") and its problems at these columns; the worst
 * state (0 to 2). */
#define RSENS_C_SENSOR		0
#define RSENS_C_STATUS		1
#define RSENS_C_PROBLEMS	18
int	 rsens_fetch(struct rdb *, const struct report_opts *,
	    struct rdb_rows *);
void	 rtop_usage(FILE *);
int	 rsess_run(struct rdb *, const struct report_opts *, const char *id);
int	 rsearch_run(struct rdb *, const struct report_opts *);
int	 rrelay_run(struct rdb *, const struct report_opts *);
void	 rcamp_check(const char *id);
int	 rcamp_list(struct rdb *, const struct report_opts *);
/* Rows: id, messages (window), total, clients, sensors, first_seen,
 * last_seen, link_domains, subject. */
void	 rcamp_fetch(struct rdb *, const struct report_opts *,
	    unsigned long limit, struct rdb_rows *);
int	 rcamp_show(struct rdb *, const struct report_opts *, const char *id);

/* Used by the HTML page as well. */
struct rsum {
	unsigned long long	 sessions, messages, client_ips, recipients,
				 urls, attachments, credentials;
	char			*first, *last;		/* database times */
	char			*busiest_hour;
	unsigned long long	 busiest_sessions;
	struct rdb_rows		 newest;	/* started_at, client_ip,
						 * spool_name, session_key */
};
void	 rsum_fetch(struct rdb *, const struct report_opts *, struct rsum *);
void	 rsum_clear(struct rsum *);
/* The top rows of a kind: value, count, first_seen, last_seen, extras. */
const struct rout_col *rtop_fetch(struct rdb *, const struct report_opts *,
	    const char *kind, struct rdb_rows *, size_t *ncols);

int	 rhtml_run(struct rdb *, const struct report_opts *);
/* export: --format misp or stix, marked with the TLP level (--tlp). */
const char *rexp_check_tlp(const char *);	/* NULL: no such level */
int	 rexp_run(struct rdb *, const struct report_opts *, const char *tlp);
/* A database time as RFC 3339 UTC with milliseconds; a string for the
 * single quotes of a STIX pattern (' and \ escaped with \). */
void	 rexp_time(const char *, char *, size_t);
void	 rexp_pattern_str(struct buf *, const char *);

/* --- report_svg.c ---------------------------------------------------------- */

void	 rsvg_escape(struct buf *, const char *);
/* Horizontal bars: one label and value per bar. */
void	 rsvg_bars(struct buf *, const char *title, const char *const *labels,
	    const unsigned long long *values, size_t n);
/* Vertical bars over time, two series side by side (sessions, messages). */
void	 rsvg_timeline(struct buf *, const char *title,
	    const char *const *labels, const unsigned long long *a,
	    const unsigned long long *b, size_t n, const char *name_a,
	    const char *name_b);

#endif
