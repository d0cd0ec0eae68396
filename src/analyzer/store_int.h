/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * store_int.h: what the files of the analyzer's store share (store.c:
 * connection, batches, commit thread; store_bind.c: the statements'
 * column tables, a row's values, the queues and their execution;
 * store_rows.c: a parsed session as rows; store_ids.c: ids read back and
 * the pattern id cache; store_rollup.c: the running totals;
 * store_retry.c: a transaction sent again after a conflict). Private to
 * them: the rest of the analyzer includes store.h. All of it runs in
 * spampot-analyzer, unprivileged, under its seccomp filter; the commit
 * thread alone talks to the server while a commit is under way.
 */
#ifndef SPAMPOT_STORE_INT_H
#define SPAMPOT_STORE_INT_H

#include <mysql.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"

struct parsed_session;
struct store_rollup;

enum store_stmt {
	ST_SESSION, ST_TRANSCRIPT, ST_AUTH, ST_MESSAGE, ST_RCPT,
	ST_URL, ST_ATT, ST_PATTERN, ST_PATTERN_ADD, ST_MSG_PATTERN,
	ST_SESS_PATTERN, ST_KIND_HOUR, ST_VALUE_HOUR, ST_VALUE_TOTAL,
	ST_PATTERN_HOUR, ST_SESSION_IDS, ST_MESSAGE_IDS, ST_SESSION_TLS,
	ST_RELAY_DECISION, ST_MEMBER, ST_YARA, ST_CAMPAIGN, ST_CAMPAIGN_CLIENT,
	ST_CAMPAIGN_SENSOR, ST_CAMPAIGN_DOMAIN, ST_CAMPAIGN_COUNT, ST_COUNT
};

/* Column sizes in bytes (utf8mb4 VARCHAR(n) holds n characters: n bytes
 * is always safe). */
#define COL_SHORT	255
#define COL_LONG	1024
#define COL_TEXT	65535
#define COL_MEDIUM	(16 * 1024 * 1024 - 1)

/* How a column's value is made and bound. */
enum store_type {
	SC_NUM,		/* unsigned BIGINT, or the id of a row of the batch */
	SC_TEXT,	/* any bytes made valid UTF-8, cut to max bytes */
	SC_TIME,	/* a spool time, as MySQL reads it */
	SC_BLOB,	/* bytes as they are */
};

/* One column of a statement: a parameter of an INSERT or an UPDATE, or
 * what a SELECT returns. max: the bytes its text may take (SC_TEXT). */
struct store_col {
	const char		*name;
	enum store_type		 type;
	size_t			 max;
};

enum store_sql {
	SQL_INSERT,	/* INSERT INTO table (cols) VALUES (?, ...) tail */
	SQL_SELECT,	/* SELECT cols FROM table tail */
	SQL_TEXT,	/* tail, its parameters the cols */
};

struct store_stmt_def {
	enum store_sql		 sql;
	const char		*table;
	const struct store_col	*cols;
	unsigned		 ncols;
	const char		*tail;
};

extern const struct store_stmt_def store_stmts[ST_COUNT];

/* The places of the columns that are read again after their row is made
 * (the ids read back, the running totals): store_bind.c's tables put
 * these columns there, and refuse to run with a gap. */
#define SC_SESSION_NAME		1	/* sessions.spool_name */
#define SC_SESSION_CLIENT_IP	3
#define SC_SESSION_HELO		9
#define SC_AUTH_USER		3	/* auth_attempts.username */
#define SC_AUTH_PASS		4
#define SC_MESSAGE_SESSION	0	/* messages.session_id */
#define SC_MESSAGE_SEQ		1
#define SC_MESSAGE_FROM		2
#define SC_RCPT_DOMAIN		2	/* recipients.domain */
#define SC_URL_HOST		2	/* urls.host */
#define SC_ATT_SHA256		6	/* attachments.sha256 */
#define SC_PATTERN_KIND		0	/* patterns.kind */
#define SC_PATTERN_VALUE	1
#define SC_PATTERN_SHA		2
#define SC_LINK_PATTERN		1	/* {message,session}_patterns */
#define SC_LINK_COUNT		2
#define SC_IDS_NAME		1	/* what ST_SESSION_IDS returns */
#define SC_TLS_VERSION		2	/* session_tls.version */
#define SC_TLS_SNI		8
#define SC_TLS_JA3_HASH		19
#define SC_TLS_JA4		20

/* A parameter that is the id of the n-th queued session or message. */
enum store_ref { REF_NONE, REF_SESSION, REF_MESSAGE, REF_PATTERN };

/* A pattern id that is the place of its row in the batch's ST_PATTERN
 * queue, its id known at commit. */
#define STORE_PENDING	(1ULL << 63)

#define STORE_MAX_PARAMS	24	/* session_tls has 22 */
#define STORE_BULK_ROWS		1000		/* rows per execution */
#define STORE_BULK_BYTES	(4 << 20)	/* text per execution */
#define STORE_PCACHE_SIZE	16384		/* pattern ids remembered */

/* One parameter of a row: a number (or the place of the row it refers
 * to), or bytes it owns. */
struct store_param {
	union {
		unsigned long long	 num;
		char			*p;
	}			 v;
	unsigned long		 len;
	unsigned char		 type;	/* enum enum_field_types */
	unsigned char		 ref;	/* enum store_ref */
};

/* A row being made, for statement stmt; queued, it keeps only its n
 * parameters (a session's 200,000 recipients are 200,000 rows: a
 * MYSQL_BIND for each of 16 possible parameters would make them 2 KiB
 * each). */
struct store_params {
	enum store_stmt		 stmt;
	unsigned		 n;
	int			 oom;
	struct store_param	 p[STORE_MAX_PARAMS];
};

struct store_row {
	unsigned		 n;
	struct store_param	 p[];
};

/* Rows of one statement waiting for the commit. */
struct store_queue {
	struct store_row	**rows;
	size_t			 n, cap;
};

/* A pattern's id by kind and value_sha256: open addressing, emptied after
 * a commit that leaves it three quarters full, or when a transaction rolls
 * back (its ids may not exist). add, first, last: what the open batch
 * counted of it (dirty), for one ST_PATTERN_ADD at commit. */
struct store_pentry {
	unsigned long long	 id;	/* pending: its place in ST_PATTERN */
	unsigned long long	 add;
	unsigned char		 sha[32];
	char			 kind[65];
	char			 first[32], last[32];	/* spool times */
	unsigned		 gen;	/* pending: of the batch of this gen */
	unsigned char		 used, dirty, pending;
};

/* One batch: its rows, waiting for the commit, and the ids read back. */
struct store_batch {
	struct store_queue	 q[ST_COUNT];
	unsigned long long	*ids[REF_PATTERN + 1];	/* by queue place */
	struct store_rollup	*rollup;	/* the batch's running totals */
	unsigned		 gen;
	enum store_result	 rc;		/* of its commit */
	struct store_tries	 tries;		/* of its commit */
	char			 err[512];
};

/*
 * The connection, and two batches: the one store_import fills (main
 * thread) and the one being committed (the commit thread, which alone
 * uses the connection meanwhile). The pattern cache is the main thread's:
 * an id learnt in a commit enters it once that commit is over.
 */
struct store {
	const struct config	*cf;
	MYSQL			*db;
	MYSQL_STMT		*st[ST_COUNT];
	int			 bulk;		/* server takes arrays */
	size_t			 packet;	/* bytes an execution may send */
	struct store_batch	 batch[2];
	struct store_batch	*fill;		/* store_import's */
	struct store_batch	*flight;	/* committing; NULL: none */
	struct store_tries	 tries;		/* of the last commit taken */
	uint64_t		 rng;		/* the back-off's */
	unsigned		 gen;		/* fill's */
	struct store_pentry	*pcache;
	size_t			 pcount;
	size_t			*dirty;		/* pcache slots */
	size_t			 ndirty, capdirty;
	/* the commit thread; under lock: job, quit */
	int			 threaded, tried;
	pthread_t		 thread;
	pthread_mutex_t		 lock;
	pthread_cond_t		 work, done;
	struct store_batch	*job;
	int			 quit;
};

/* SQL with its parameters B executed and committed in a transaction of
 * its own (no batch may be committing), sent again after a conflict with
 * another writer (store_retry.c), rolled back on failure. -1: err. */
int		 store_exec_commit(struct store *, const char *sql, size_t len,
		    MYSQL_BIND *b, char *err, size_t errlen);

/* store_retry.c: a transaction sent again after a conflict with another
 * writer, STORE_RETRY_TRIES times at most, after a back-off of
 * STORE_RETRY_MIN_MS doubled at each failure, at most STORE_RETRY_MAX_MS
 * (half of it at random). A try returns 0 (committed), or -1 with err
 * and the server's error in *code (0: none), rolled back. */
#define STORE_RETRY_TRIES	8
#define STORE_RETRY_MIN_MS	10
#define STORE_RETRY_MAX_MS	1000
typedef int	(*store_try_fn)(struct store *, void *arg, unsigned *code,
		    char *err, size_t errlen);
int		 store_retry_conflict(unsigned code);
uint64_t	 store_retry_seed(void);
unsigned	 store_retry_backoff(uint64_t *rng, unsigned failed);
int		 store_retry_run(struct store *, store_try_fn, void *arg,
		    struct store_tries *, char *err, size_t errlen);

/* store_bind.c: a statement's text; a row's values, each checked against
 * its column; the queues; a queue sent in arrays (or row by row). */
int		 store_bind_sql(enum store_stmt, char *, size_t);
size_t		 store_bind_max(enum store_stmt, unsigned col);
void		 store_bind_begin(struct store_params *, enum store_stmt);
void		 store_bind_reset(struct store_params *);
void		 store_bind_own(struct store_params *, char *, size_t);
void		 store_bind_text(struct store_params *, const char *, size_t);
void		 store_bind_str(struct store_params *, const char *);
void		 store_bind_null(struct store_params *);
void		 store_bind_u64(struct store_params *, unsigned long long);
void		 store_bind_ref(struct store_params *, enum store_ref, size_t);
void		 store_bind_pattern(struct store_params *, unsigned long long);
void		 store_bind_blob(struct store_params *, const void *, size_t);
void		 store_bind_time(struct store_params *, const char *iso);
int		 store_bind_queue(struct store_batch *, struct store_params *);
void		 store_bind_cut(struct store_batch *, enum store_stmt, size_t);
unsigned long long store_bind_num(const struct store_batch *,
		    const struct store_row *, unsigned);
unsigned long long store_bind_pid(const struct store_row *, unsigned);
int		 store_bind_send(struct store *, struct store_batch *,
		    enum store_stmt, unsigned long long *first);

/* store_rows.c: the distinct YARA rules that matched a message, each
 * with its matches (at most MAX; the order they first matched in). */
struct parsed_more;
size_t		 store_rows_yara_rules(const struct parsed_more *,
		    const char **names, unsigned *counts, size_t max);
#define STORE_YARA_RULES_MAX	256	/* per message */

/* store_campaign.c: a message's campaign, its sources and link domains;
 * what a batch's campaigns count once it is sent. */
struct parsed_campaign;
int		 store_campaign_rows(struct store *, size_t mid,
		    const struct parsed_campaign *, const char *subject,
		    const struct parsed_more *, const char *client,
		    const char *sensor, size_t sensorlen, const char *when);

/* store_ids.c: the ids of a committed batch's rows; the pattern cache. */
int		 store_ids_read(struct store *, struct store_batch *,
		    enum store_ref, unsigned long long first);
int		 store_ids_read_patterns(struct store *, struct store_batch *);
struct store_pentry *store_ids_slot(struct store *, const char *kind,
		    const unsigned char *sha);
int		 store_ids_add(struct store *, struct store_pentry *,
		    unsigned long long count, const char *when);
void		 store_ids_pending(struct store *, struct store_pentry *,
		    const char *kind, const unsigned char *sha, size_t place);
int		 store_ids_queue(struct store *);
void		 store_ids_learn(struct store *, const struct store_batch *);
void		 store_ids_forget(struct store *);

/* store_rollup.c: a session's running totals, from its rows, in one
 * pass (at: the lengths its queues had before its rows); the batch's
 * totals as rows. */
int		 store_rollup_session(struct store_batch *, const size_t *at,
		    const struct parsed_session *);
int		 store_rollup_queue(struct store_batch *);

#endif
