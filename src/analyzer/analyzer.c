/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * spampot-analyzer: turns the sensor's spool files into rows in MySQL. Runs
 * unprivileged (started as root it drops to analyzer_user, with the spool
 * group), never listens on the network, reads files the sensor wrote from
 * attacker input: parse (spool_read.c) → MIME (mime.c) → extract
 * (extract.c) → store.c → the file moves from new/ to done/ (or is deleted
 * with spool_keep = no) only after the COMMIT that holds its rows. Files
 * are committed in batches of what is there to import, at most
 * ANALYZER_BATCH_FILES at a time: one commit (one flush of the database's
 * log) per file would cap the import at the disk's rate of flushes. A file
 * that does not parse goes to bad/ with a log line saying why. Reading,
 * parsing, MIME and extraction never run here, in the process that holds
 * the database password: they run some files ahead in a sandboxed parse
 * child (import.c: seccomp allow-list, Landlock, no password, no network),
 * forked from a spawner that is made before the password is read; this
 * process opens each file, sends it there, and takes the results in
 * order, checked as untrusted input; every decision about a file is made
 * here. A batch is committed on a thread (store.c) while this one fills
 * the next; its result is taken before the next commit starts or the
 * list of files ends, so that a file that comes alone is in the database
 * at once. The moves of committed files out of new/ run on another
 * (mover.c).
 *
 * Before the store, each session is enriched here: its client address's
 * country and AS (geoip.c), looked up once for the store and the event
 * log.
 *
 * At start it imports the backlog in new/, oldest first, then waits on
 * inotify. When the database is away, files stay in new/ and the analyzer
 * retries with a back-off, one log line per change of state.
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "campaign_assign.h"
#include "cmdline.h"
#include "conf.h"
#include "paths.h"
#include "eventlog.h"
#include "extract.h"
#include "geoip.h"
#include "heartbeat.h"
#include "log.h"
#include "mime.h"
#include "mover.h"
#include "import.h"
#include "import_wire.h"
#include "parsed.h"
#include "privdrop.h"
#include "pwfile.h"
#include "quarantine.h"
#include "relay_queue.h"
#include "relayq.h"
#include "sandbox.h"
#include "spoolfmt.h"
#include "spool_read.h"
#include "store.h"
#include "yara_rules.h"
#include "utf8.h"
#include "util.h"

#define ANALYZER_BACKOFF_MIN	1000
#define ANALYZER_BACKOFF_MAX	30000
#define ANALYZER_BATCH_FILES	100
/* the server dropped the connection this often under one file alone: the
 * file's doing, not an outage (bad/) */
#define ANALYZER_LOST_MAX	2
/* scans in a row to find such a file and go on past it */
#define ANALYZER_RESCANS	8
#define ANALYZER_MMAP_THRESHOLD	(8 << 20)
#define ANALYZER_TRIM_THRESHOLD	(32 << 20)
/* inotify events imported as one list (each name checked against the
 * others of its chunk) */
#define ANALYZER_EVENT_CHUNK	128
/* A file created in new/ rather than renamed into it, still empty this
 * long after: bad/ (what a refused openat leaves behind) */
#define ANALYZER_EMPTY_DELAY	1000
/* Room for any name a directory holds, escaped (NAME_MAX bytes) */
#define ANALYZER_ESC_NAME	SPOOLFMT_ESCAPED_MAX(NAME_MAX)

/* A file whose rows are in the open transaction, not yet committed. */
struct analyzer_pending {
	char		 name[SPOOL_NAME_MAX];
	char		 line[SPOOL_NAME_MAX + 192];	/* its log line */
	int		 imported;	/* 0: imported before */
	char		 relay_id[RELAYQ_ID_MAX];	/* its probe, or "" */
};

enum analyzer_outcome { AO_DONE, AO_RETRY, AO_FAILED };

struct analyzer {
	struct config		*cf;
	const char		*conf_path;
	struct extract_patterns	*patterns;
	char			*password;
	struct store		*store;
	struct geoip		*geoip;		/* geoip_*_db, or NULL */
	struct import_ahead	*parse;		/* the files of new/ */
	struct mover		*mover;		/* committed: out of new/ */
	struct eventlog		*events;	/* json_log, or NULL */
	struct relay_queue	*relay;		/* relay = off: NULL */
	struct campaign_assign	*campaigns;	/* campaigns = no: NULL */
	struct heartbeat	*heartbeat;	/* the sensor's, each minute */
	struct import_opts	 opts;		/* the parse child's */
	int			 spool_fd;
	int			 new_fd;
	int			 inotify_fd;
	int			 signal_fd;
	int			 db_down;
	uint64_t		 retry_at;	/* 0: no retry pending */
	uint64_t		 empty_at;	/* 0: no look for empty files */
	uint64_t		 backoff;
	int			 stop;
	unsigned long		 imported, failed;
	/* batches sent again after conflicts with other writers, and the
	 * tries the conflicts undid */
	unsigned long		 retried, conflicts;
	struct analyzer_pending	 batch[ANALYZER_BATCH_FILES];
	size_t			 nbatch;	/* the filling batch */
	struct analyzer_pending	 flight[ANALYZER_BATCH_FILES];
	size_t			 nflight;	/* the batch being committed */
	int			 single;	/* a batch failed: one at a time */
	/* the server dropped the connection under the last commit; under
	 * that of a batch lost_batches times in a row, of lost_name (alone)
	 * lost_count times, connecting again in between */
	int			 lost;
	unsigned		 lost_batches;
	unsigned		 lost_count;
	char			 lost_name[SPOOL_NAME_MAX];
};

static void
analyzer_usage(void)
{
	fprintf(stderr, "usage: spampot-analyzer [-dfhtV] [-c file] "
	    "[--once [file ...]]\n"
	    "  -c file  configuration (default %s)\n"
	    "  -d       debug: more log lines\n"
	    "  -f       stay in the foreground, log to stderr as well\n"
	    "  -t       check the configuration and patterns, then exit\n"
	    "  -V       print the version and exit\n"
	    "  --once   import what is in new/ (or the files named), then "
	    "exit\n"
	    "  --rebuild-campaigns [--campaign-distance N] "
	    "[--campaign-domain-bonus N]\n"
	    "                      [--campaign-ssdeep N]\n"
	    "           group every message into campaigns again, then exit\n",
	    SPAMPOT_CONFIG_FILE);
	exit(1);
}

/* The database password: first line of a file others may not read. */
static char *
analyzer_password(const char *path, char *err, size_t errlen)
{
	char *password;
	int exposed;

	if ((password = pwfile_read(path, &exposed, err, errlen)) != NULL &&
	    exposed)
		log_warnx(PWFILE_EXPOSED, path);
	return password;
}

/* Started as root: become analyzer_user, in the spool group. Started as
 * another user: only analyzer_user itself may run it (privdrop refuses). */
static void
analyzer_drop(const struct config *cf)
{
	struct privdrop_user pu, sensor;
	char err[256];
	const char *group = cf->spool_group;

	if (privdrop_lookup(cf->analyzer_user, NULL, &pu, err,
	    sizeof(err)) == -1)
		fatalx("%s", err);
	if (group[0] == '\0') {
		/* the spool's group is the sensor user's own */
		if (privdrop_lookup(cf->user, NULL, &sensor, err,
		    sizeof(err)) == -1)
			fatalx("%s", err);
		pu.spool_gid = sensor.gid;
	} else if (privdrop_lookup(cf->analyzer_user, group, &pu, err,
	    sizeof(err)) == -1)
		fatalx("%s", err);
	privdrop_drop(cf->analyzer_user, &pu);
}

/* relay = on: the queue's tree, when started as root (relayq_prepare);
 * started as its user (systemd), the tree is the package's. */
static void
analyzer_relay_prepare(const struct config *cf)
{
	struct privdrop_user pu;
	char err[512];

	if (cf->relay_mode != CONF_RELAY_ON || geteuid() != 0)
		return;
	if (privdrop_lookup(cf->analyzer_user, NULL, &pu, err,
	    sizeof(err)) == -1 || relayq_prepare(cf, pu.gid, err,
	    sizeof(err)) == -1)
		fatalx("%s", err);
}

/* NAME, or any text a file gave, as a log line may show it: every byte
 * outside printable ASCII escaped, so that nothing a worker or a client
 * chose can end a log line, forge another or reach a terminal. */
static const char *
analyzer_esc(char *dst, size_t len, const char *s)
{
	spoolfmt_escape(dst, len, s, strlen(s), 0);
	return dst;
}

/* The parse spawner's first act: the analyzer's user, as this one. */
static void
analyzer_drop_cb(void *cf)
{
	analyzer_drop(cf);
}

static int
analyzer_move(struct analyzer *a, const char *name, const char *dir)
{
	char to[NAME_MAX + 16], esc[ANALYZER_ESC_NAME];

	snprintf(to, sizeof(to), "%s/%s", dir, name);
	if (renameat(a->new_fd, name, a->spool_fd, to) == -1) {
		log_warn("cannot move new/%s to %s/", analyzer_esc(esc,
		    sizeof(esc), name), dir);
		return -1;
	}
	return 0;
}

/*
 * Is NAME one the sensor makes (spampot-spool(5))? STAMP_CLIENT_SESSION:
 * YYYYmmddTHHMMSS.uuuuuuZ, the client's address (':' as '-'), 16
 * lower-case hex digits. Anything else came from elsewhere (a compromised
 * worker may rename its file into new/ under any name) and is not read.
 */
static int
analyzer_valid_name(const char *name)
{
	static const char stamp[] = "ddddddddTdddddd.ddddddZ_";
	const size_t slen = sizeof(stamp) - 1;
	unsigned char addr[16];
	char ip[64];
	const char *sid;
	size_t n = strlen(name), i, iplen;

	if (n >= SPOOL_NAME_MAX || n < slen + 2 + 16 + 1)
		return 0;
	for (i = 0; i < slen; i++)
		if (stamp[i] == 'd' ? !isdigit((unsigned char)name[i]) :
		    name[i] != stamp[i])
			return 0;
	sid = name + n - 16;
	if (sid[-1] != '_')
		return 0;
	for (i = 0; i < 16; i++)
		if (util_hexval(sid[i], UTIL_HEX_LOWER) < 0)
			return 0;
	iplen = (size_t)(sid - 1 - (name + slen));
	if (iplen == 0 || iplen >= sizeof(ip))
		return 0;
	memcpy(ip, name + slen, iplen);
	ip[iplen] = '\0';
	/* as the client record may say when the address was not known */
	if (inet_pton(AF_INET, ip, addr) == 1 || strcmp(ip, "unknown") == 0)
		return 1;
	for (i = 0; i < iplen; i++)
		if (ip[i] == '-')
			ip[i] = ':';
		else if (ip[i] == ':')
			return 0;
	return inet_pton(AF_INET6, ip, addr) == 1;
}

static void
analyzer_quarantine(const struct analyzer *a, const struct mime_message *m)
{
	size_t i;

	for (i = 0; a->cf->attachments_dir[0] && i < m->natts; i++)
		if (quarantine_save(a->cf->attachments_dir, m->atts[i].sha256,
		    m->atts[i].data, m->atts[i].size) == -1)
			log_warn("quarantine of %s in %s", m->atts[i].sha256,
			    a->cf->attachments_dir);
}

/* A parsed file as the store and the event log take it, enriched first:
 * the client address's country and AS, looked up once per session. */
static void
analyzer_enrich(const struct analyzer *a, const char *name,
    const struct import_file *f, struct parsed_session *ps)
{
	memset(ps, 0, sizeof(*ps));
	ps->name = name;
	ps->s = &f->s;
	ps->msgs = f->parsed;
	geoip_lookup(a->geoip, f->s.client_ip, &ps->geo);
}

/* A parsed file into the open transaction. */
static enum store_result
analyzer_store(struct analyzer *a, const char *name,
    const struct import_file *f, char *relay_id, char *err, size_t errlen)
{
	struct parsed_session ps;
	enum store_result rc;
	size_t i;

	relay_id[0] = '\0';
	if (f->status != IMPORT_OK) {
		snprintf(err, errlen, "%s", f->err);
		return STORE_RETRY;	/* out of memory */
	}
	for (i = 0; i < f->s.nmsgs; i++)
		analyzer_quarantine(a, &f->mime[i]);
	/* the first file of a batch: events still waiting were dropped */
	if (a->nbatch == 0)
		eventlog_drop(a->events);
	analyzer_enrich(a, name, f, &ps);
	/* an index that could not be read: again, while the connection
	 * is free (no commit under way, nothing of this batch yet) */
	if (a->nbatch == 0 && a->nflight == 0)
		(void)campaign_assign_load(a->campaigns, a->store);
	if (a->campaigns != NULL && (ps.campaign = campaign_assign_file(
	    a->campaigns, f)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return STORE_RETRY;
	}
	/* the relay's campaign rule and limit count the campaigns' copies */
	if (a->relay != NULL && (ps.relay = relay_queue_decide(a->relay, name,
	    f, ps.campaign, relay_id, RELAYQ_ID_MAX)) == NULL) {
		campaign_assign_clear((struct parsed_campaign *)ps.campaign,
		    f->s.nmsgs);
		snprintf(err, errlen, "out of memory");
		return STORE_RETRY;
	}
	rc = store_import(a->store, &ps, err, errlen);
	if (rc == STORE_OK)
		eventlog_session(a->events, &ps);
	campaign_assign_clear((struct parsed_campaign *)ps.campaign,
	    f->s.nmsgs);
	return rc;
}

static void
analyzer_db_state(struct analyzer *a, int down, const char *why)
{
	uint64_t now = util_now_ms();
	char esc[SPOOLFMT_ESCAPED_MAX(512)];

	if (down) {
		a->backoff = a->backoff == 0 ? ANALYZER_BACKOFF_MIN :
		    a->backoff * 2 > ANALYZER_BACKOFF_MAX ?
		    ANALYZER_BACKOFF_MAX : a->backoff * 2;
		a->retry_at = now + a->backoff;
		analyzer_esc(esc, sizeof(esc), why);
		if (!a->db_down)
			log_warnx("database unavailable: %s; files wait in "
			    "new/, retrying", esc);
		else
			log_debug("database still unavailable: %s", esc);
		store_close(a->store);
		a->store = NULL;
		/* campaigns the rollback took away are read again */
		campaign_assign_reset(a->campaigns);
		/* rolled back with the connection */
		a->nbatch = a->nflight = 0;
		eventlog_drop(a->events);
		eventlog_flush(a->events, 0);
	} else if (a->db_down) {
		log_info("database available again");
		a->backoff = 0;
	}
	a->db_down = down;
}

static int
analyzer_connect(struct analyzer *a)
{
	char err[512];

	if (a->store != NULL)
		return 0;
	if ((a->store = store_open(a->cf, a->password, err,
	    sizeof(err))) == NULL) {
		/* away, whatever dropped it */
		a->lost = 0;
		a->lost_batches = 0;
		analyzer_db_state(a, 1, err);
		return -1;
	}
	analyzer_db_state(a, 0, NULL);
	/* the relay's limits look back on what was decided before */
	if (a->relay != NULL)
		relay_queue_load(a->relay, a->store);
	(void)campaign_assign_load(a->campaigns, a->store);
	return 0;
}

/*
 * The server dropped the connection under the commit of the batch in
 * flight. Away (it is killed, restarted), or a file it would not take.
 * Once is an outage; when it drops again under the next batch though it
 * took a new connection, the files are taken one at a time, and one
 * under which it drops ANALYZER_LOST_MAX times in a row goes to bad/;
 * the files behind it are imported. A file never stops the import of
 * the others.
 */
static void
analyzer_lost(struct analyzer *a, size_t n, const char *err)
{
	char esc[SPOOLFMT_ESCAPED_MAX(512)];
	const char *name = a->flight[0].name;

	a->lost = 1;
	if (n != 1) {
		a->lost_count = 0;
		if (++a->lost_batches >= ANALYZER_LOST_MAX)
			a->single = 1;
	} else if (a->lost_count > 0 && strcmp(a->lost_name, name) == 0)
		a->lost_count++;
	else {
		a->lost_count = 1;
		snprintf(a->lost_name, sizeof(a->lost_name), "%s", name);
	}
	if (a->lost_count < ANALYZER_LOST_MAX) {
		analyzer_db_state(a, 1, err);
		return;
	}
	log_warnx("the database dropped the connection %u times in a row "
	    "under %s alone (%s): the file's doing, not an outage; moved "
	    "to bad/", a->lost_count, name, analyzer_esc(esc, sizeof(esc),
	    err));
	analyzer_move(a, name, "bad");
	a->failed++;
	a->lost_count = 0;
	/* the filling batch went with the connection: taken again */
	store_close(a->store);
	a->store = NULL;
	a->nbatch = 0;
	eventlog_drop(a->events);
	eventlog_flush(a->events, 0);
}

/* 1st, 2nd, 3rd, 4th... */
static const char *
analyzer_nth(unsigned n)
{
	if (n % 100 / 10 == 1)
		return "th";
	return n % 10 == 1 ? "st" : n % 10 == 2 ? "nd" : n % 10 == 3 ? "rd" :
	    "th";
}

/*
 * The commit just waited for, of N files, if it lost conflicts with
 * other writers (store_retry.c): one line, and the counts of the exit
 * line. Committed after them, a note; not committed, a warning (the
 * files wait in new/, or go one at a time, as the result says).
 */
static void
analyzer_conflicts(struct analyzer *a, size_t n, enum store_result rc)
{
	struct store_tries t;
	char what[128];

	store_commit_tries(a->store, &t);
	if (t.conflicts == 0)
		return;
	a->retried++;
	a->conflicts += t.conflicts;
	store_retry_text(&t, what, sizeof(what));
	if (rc == STORE_OK)
		log_info("batch of %zu file%s: %s, committed at the %u%s try",
		    n, n == 1 ? "" : "s", what, t.tries, analyzer_nth(t.tries));
	else
		log_warnx("batch of %zu file%s: %s at %u of %u tries, not "
		    "committed", n, n == 1 ? "" : "s", what, t.conflicts,
		    t.tries);
}

/*
 * The result of the commit under way, then its files move out of new/.
 * Returns -1 when it failed: its files wait in new/ for the next scan,
 * and so do those of the filling batch when the database is away or the
 * files are to be taken one at a time (the batch is dropped).
 */
static int
analyzer_finish(struct analyzer *a)
{
	struct analyzer_pending *p;
	enum store_result rc;
	char err[512], esc[SPOOLFMT_ESCAPED_MAX(512)];
	size_t i, n = a->nflight;

	if (n == 0)
		return 0;
	a->nflight = 0;
	rc = store_commit_wait(a->store, err, sizeof(err));
	analyzer_conflicts(a, n, rc);
	if (rc == STORE_RETRY) {
		a->lost = 0;
		analyzer_db_state(a, 1, err);
		return -1;
	}
	if (rc == STORE_LOST) {
		analyzer_lost(a, n, err);
		return -1;
	}
	a->lost = 0;
	a->lost_batches = 0;
	if (n == 1 || rc == STORE_OK)
		a->lost_count = 0;
	if ((rc == STORE_REJECTED || rc == STORE_DUPLICATE) && n > 1) {
		/* which file? Try them again one by one. */
		if (rc == STORE_REJECTED)
			log_warnx("database refused a batch of %zu files: %s; "
			    "importing them one at a time", n,
			    analyzer_esc(esc, sizeof(esc), err));
		else
			log_info("a batch of %zu files holds one imported "
			    "before; importing them one at a time", n);
		a->single = 1;
		store_discard(a->store);
		a->nbatch = 0;
		eventlog_drop(a->events);
		eventlog_flush(a->events, 0);
		return -1;
	}
	if (rc == STORE_REJECTED) {
		log_warnx("database refused %s: %s; moved to bad/",
		    a->flight[0].name, analyzer_esc(esc, sizeof(esc), err));
		analyzer_move(a, a->flight[0].name, "bad");
		a->failed++;
		eventlog_flush(a->events, 0);
		return 0;
	}
	if (rc == STORE_DUPLICATE) {
		snprintf(a->flight[0].line, sizeof(a->flight[0].line),
		    "%s imported before; not again", a->flight[0].name);
		a->flight[0].imported = 0;
	}
	/* a file imported before has no event this time */
	eventlog_flush(a->events, rc == STORE_OK);
	for (i = 0; i < n; i++) {
		p = &a->flight[i];
		relay_queue_release(a->relay, p->relay_id, p->imported);
		log_info("%s", p->line);
		if (p->imported) {
			a->imported++;
			heartbeat_imported(a->heartbeat, 1);
		}
		mover_add(a->mover, p->name);
	}
	return 0;
}

/*
 * The sensor's heartbeat row, when one is due and the connection is free
 * (no commit under way). A failure is tried again in a few seconds; a
 * connection that is gone is found by the next import.
 */
static void
analyzer_heartbeat(struct analyzer *a)
{
	struct heartbeat_row row;
	char err[512], esc[SPOOLFMT_ESCAPED_MAX(512)], *sensor;
	uint64_t now = util_now_ms();

	if (!heartbeat_due(a->heartbeat, now) || a->store == NULL ||
	    a->db_down || a->nflight != 0)
		return;
	/* the column is UTF-8; the configuration's name may not be */
	if ((sensor = utf8_sanitize(a->cf->sensor,
	    strlen(a->cf->sensor))) == NULL) {
		heartbeat_failed(a->heartbeat, now);
		return;
	}
	heartbeat_gather(a->heartbeat, a->spool_fd, &row, now);
	if (store_heartbeat(a->store, sensor, &row, err,
	    sizeof(err)) == -1) {
		log_warnx("heartbeat not written: %s", analyzer_esc(esc,
		    sizeof(esc), err));
		heartbeat_failed(a->heartbeat, now);
	}
	free(sensor);
}

/*
 * Start the commit of the filling batch, once the one before is over:
 * the next batch is imported while it runs. -1: as analyzer_finish.
 */
static int
analyzer_commit_start(struct analyzer *a)
{
	if (analyzer_finish(a) == -1)
		return -1;
	/* between two commits: the connection is free */
	analyzer_heartbeat(a);
	if (a->nbatch == 0)
		return 0;
	memcpy(a->flight, a->batch, a->nbatch * sizeof(*a->batch));
	a->nflight = a->nbatch;
	a->nbatch = 0;
	eventlog_seal(a->events);
	store_commit_start(a->store);
	return 0;
}

/* Commit the filling batch and wait for the result: nothing is left
 * waiting. */
static int
analyzer_commit(struct analyzer *a)
{
	if (analyzer_commit_start(a) == -1)
		return -1;
	return analyzer_finish(a);
}

/* Is new/NAME in the batch already? A file the sensor closes after the
 * rename comes twice: IN_MOVED_TO, then IN_CLOSE_WRITE. */
static int
analyzer_pending(const struct analyzer *a, const char *name)
{
	size_t i;

	for (i = 0; i < a->nbatch; i++)
		if (strcmp(a->batch[i].name, name) == 0)
			return 1;
	return 0;
}

/* Import new/NAME, parsed as F, into the open transaction; commit a full
 * batch. */
static enum analyzer_outcome
analyzer_import(struct analyzer *a, const char *name,
    const struct import_file *f)
{
	const struct spool_session *s = &f->s;
	struct analyzer_pending *p;
	enum store_result rc;
	char err[512], esc[SPOOLFMT_ESCAPED_MAX(512)];

	if (analyzer_pending(a, name))
		return AO_DONE;
	if (analyzer_connect(a) == -1)
		return AO_RETRY;
	switch (f->status) {
	case IMPORT_GONE:
		return AO_DONE;		/* already taken care of */
	case IMPORT_UNREADABLE:
		/* our problem, not the file's: it waits in new/ */
		log_warnx("cannot read new/%s: %s; it stays in new/", name,
		    analyzer_esc(esc, sizeof(esc), f->err));
		return AO_RETRY;
	case IMPORT_BAD:
		log_warnx("bad spool file %s: %s; moved to bad/", name,
		    analyzer_esc(esc, sizeof(esc), f->err));
		analyzer_move(a, name, "bad");
		a->failed++;
		return AO_FAILED;
	case IMPORT_OK:
	case IMPORT_NOMEM:
		break;
	}
	p = &a->batch[a->nbatch];
	p->relay_id[0] = '\0';
	rc = analyzer_store(a, name, f, p->relay_id, err, sizeof(err));
	switch (rc) {
	case STORE_RETRY:
	case STORE_LOST:	/* from a commit only */
		/* the filling batch is dropped: all wait in new/; the one
		 * under way is over first */
		a->nbatch = 0;
		analyzer_finish(a);
		if (a->store != NULL)
			analyzer_db_state(a, 1, err);
		return AO_RETRY;
	case STORE_REJECTED:
		log_warnx("database refused %s: %s; moved to bad/", name,
		    analyzer_esc(esc, sizeof(esc), err));
		analyzer_move(a, name, "bad");
		a->failed++;
		if (a->nbatch == 0)
			return AO_FAILED;
		/* the filling batch was dropped with it: scan again */
		a->nbatch = 0;
		a->single = 1;
		return AO_RETRY;
	case STORE_DUPLICATE:
		snprintf(p->line, sizeof(p->line), "%s imported before; not "
		    "again", name);
		break;
	case STORE_OK:
		snprintf(p->line, sizeof(p->line), "imported %s: session=%s "
		    "client=%s messages=%zu auth=%zu", name, s->session_id,
		    s->client_ip, s->nmsgs, s->nauths);
		break;
	}
	p->imported = rc == STORE_OK;
	snprintf(p->name, sizeof(p->name), "%s", name);
	a->nbatch++;
	if ((a->nbatch == ANALYZER_BATCH_FILES || a->single) &&
	    analyzer_commit_start(a) == -1)
		return AO_RETRY;
	return AO_DONE;
}

static void analyzer_signals(struct analyzer *);

static int
analyzer_spool_name(const struct dirent *de)
{
	return de->d_name[0] != '.';
}

/*
 * The names of the sensor's form, in out[] (in order); the others go to
 * bad/ unread, each with a log line that shows its name escaped. Returns
 * how many are in out[].
 */
static size_t
analyzer_sort_names(struct analyzer *a, const char *const *names, size_t n,
    const char **out)
{
	char esc[ANALYZER_ESC_NAME], to[NAME_MAX + 8];
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		if (analyzer_valid_name(names[i])) {
			out[k++] = names[i];
			continue;
		}
		snprintf(to, sizeof(to), "bad/%s", names[i]);
		/* gone: an event of a name moved before */
		if (renameat(a->new_fd, names[i], a->spool_fd, to) == -1) {
			if (errno != ENOENT)
				log_warn("cannot move new/%s to bad/",
				    analyzer_esc(esc, sizeof(esc), names[i]));
			continue;
		}
		log_warnx("bad spool file name new/%s: not one the sensor "
		    "makes; moved to bad/", analyzer_esc(esc, sizeof(esc),
		    names[i]));
		a->failed++;
	}
	return k;
}

/*
 * Import the files of new/ named in order, the parse-ahead reading the
 * next ones meanwhile. Both ways in, the scan and inotify, come here.
 * Returns -1 when one of them must wait (the database is away, a file
 * cannot be read now, a batch is to be taken again): the files from there
 * on stay in new/ for the next scan.
 */
static int
analyzer_import_list(struct analyzer *a, const char *const *all, size_t n)
{
	struct import_file f;
	const char **names;
	size_t i;
	int rc = 0;

	/* nothing named here is still to be moved out of new/ */
	mover_wait(a->mover);
	if ((names = calloc(n + 1, sizeof(*names))) == NULL) {
		log_warn("import of new/");
		return -1;
	}
	n = analyzer_sort_names(a, all, n, names);
	import_begin(a->parse, names, n);
	for (i = 0; i < n && rc == 0; i++) {
		/* a long backlog still stops between two files on SIGTERM */
		analyzer_signals(a);
		if (a->stop)
			break;
		import_next(a->parse, &f);
		if (analyzer_import(a, names[i], &f) == AO_RETRY)
			rc = -1;
		import_file_clear(&f);
	}
	/* what was parsed beyond is dropped: those files stay in new/ */
	import_end(a->parse);
	free(names);
	/* the batch under way is over (its files out of new/ before the
	 * next list is read); the filling one may wait for more */
	if (analyzer_finish(a) == -1)
		rc = -1;
	return rc;
}

/* Everything in new/, oldest first (names begin with the UTC time). */
static int
analyzer_scan_once(struct analyzer *a)
{
	struct dirent **list;
	const char **names;
	int i, n, rc = 0;
	int fd;

	/* what is committed has left new/ before it is listed */
	mover_wait(a->mover);
	if ((fd = dup(a->new_fd)) == -1)
		return -1;
	if ((n = scandirat(fd, ".", &list, analyzer_spool_name,
	    alphasort)) == -1) {
		close(fd);
		log_warn("scan of new/");
		return -1;
	}
	close(fd);
	if ((names = calloc((size_t)n + 1, sizeof(*names))) == NULL) {
		log_warn("scan of new/");
		rc = -1;
	}
	for (i = 0; names != NULL && i < n; i++)
		names[i] = list[i]->d_name;
	if (rc == 0)
		rc = analyzer_import_list(a, names, (size_t)n);
	for (i = 0; i < n; i++)
		free(list[i]);
	free(list);
	free(names);
	if (rc == 0 && analyzer_commit(a) == -1)
		rc = -1;
	if (rc == 0)
		a->single = 0;	/* whatever failed is in bad/ now */
	return rc;
}

static int
analyzer_scan(struct analyzer *a)
{
	int rc = analyzer_scan_once(a), i;

	/* a batch to take again one file at a time: at once; and again
	 * while the server drops the connection under a commit and takes
	 * a new one (a file of the batch may make it drop: see
	 * analyzer_lost) */
	for (i = 0; rc == -1 && !a->stop && i < ANALYZER_RESCANS &&
	    (a->lost || (i == 0 && a->single && !a->db_down)); i++)
		rc = analyzer_scan_once(a);
	return rc;
}

/*
 * yara_rules_dir compiled, and the rules handed to the parse child. At
 * start (AT_START) a rule that does not compile stops the analyzer; on
 * SIGHUP it is logged and the rules in use stay. 0, or -1.
 */
static int
analyzer_yara(struct analyzer *a, int at_start)
{
	struct buf b = { NULL, 0, 0 };
	struct yara_rules *rules;
	char err[1024];
	int rc = -1;

	if (a->cf->yara_rules_dir[0] == '\0')
		return 0;
	if ((rules = yara_rules_compile(a->cf->yara_rules_dir, err,
	    sizeof(err))) == NULL) {
		if (at_start)
			fatalx("YARA rules: %s", err);
		log_warnx("YARA rules: %s; the rules in use stay", err);
		return -1;
	}
	if (yara_rules_save(rules, &b) == -1 ||
	    (a->parse != NULL && import_rules(a->parse, b.data, b.len) == -1))
		log_warnx("YARA rules: out of memory; the rules in use stay");
	else {
		log_info("YARA rules: %zu from %s", yara_rules_count(rules),
		    a->cf->yara_rules_dir);
		rc = 0;
	}
	buf_release(&b);
	yara_rules_free(rules);
	return rc;
}

static void
analyzer_signals(struct analyzer *a)
{
	struct signalfd_siginfo si;

	while (read(a->signal_fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			eventlog_reopen(a->events);
			analyzer_yara(a, 0);
			log_info("SIGHUP: the configuration is read at start; "
			    "restart to change it");
		} else {
			log_info("stopping on signal %u", si.ssi_signo);
			a->stop = 1;
		}
	}
}

/* Import the names of a chunk of events, unless new/ is to be scanned
 * anyway; returns whether it is. */
static int
analyzer_event_names(struct analyzer *a, const char *const *names,
    size_t n, int rescan)
{
	analyzer_signals(a);
	if (n == 0 || rescan || a->retry_at != 0 || a->stop)
		return rescan;
	/* on failure, after the back-off */
	return analyzer_import_list(a, names, n) == -1;
}

/*
 * inotify: names moved into new/; on overflow, scan everything. A file
 * the sensor closes after the rename comes twice, as IN_MOVED_TO and then
 * IN_CLOSE_WRITE: a chunk names each file once, so that the parse-ahead
 * does not read it again while the first is imported and moved.
 */
static int
analyzer_events(struct analyzer *a)
{
	char buf[64 * 1024] __attribute__((aligned(8)));
	const char *names[ANALYZER_EVENT_CHUNK];
	const struct inotify_event *ev;
	size_t nn = 0, i;
	ssize_t n;
	char *p;
	int rescan = 0;

	while ((n = read(a->inotify_fd, buf, sizeof(buf))) > 0) {
		for (p = buf; p < buf + n; p += sizeof(*ev) + ev->len) {
			ev = (const struct inotify_event *)p;
			if (ev->mask & IN_Q_OVERFLOW) {
				log_warnx("inotify queue overflow: scanning "
				    "new/");
				rescan = 1;
			}
			if (ev->len == 0 || ev->name[0] == '.')
				continue;
			/* Created in new/, not renamed into it: not a
			 * complete file before it is closed (IN_CLOSE_WRITE
			 * then), but one that stays empty is looked at
			 * soon. A name of another form is never read: bad/
			 * at once. */
			if ((ev->mask & IN_CREATE) &&
			    analyzer_valid_name(ev->name)) {
				if (a->empty_at == 0)
					a->empty_at = util_now_ms() +
					    ANALYZER_EMPTY_DELAY;
				continue;
			}
			for (i = 0; i < nn; i++)
				if (strcmp(names[i], ev->name) == 0)
					break;
			if (i < nn)
				continue;
			names[nn++] = ev->name;
			if (nn == ANALYZER_EVENT_CHUNK) {
				rescan = analyzer_event_names(a, names, nn,
				    rescan);
				nn = 0;
			}
		}
		/* the names point into buf */
		rescan = analyzer_event_names(a, names, nn, rescan);
		nn = 0;
	}
	analyzer_signals(a);
	/* what arrived together is committed together */
	if (analyzer_commit(a) == -1)
		rescan = 1;
	return rescan;
}

static int
analyzer_empty_name(const struct dirent *de)
{
	return de->d_name[0] != '.' && de->d_type != DT_DIR;
}

/*
 * The files of new/ that were created there and stayed empty for
 * ANALYZER_EMPTY_DELAY: what an openat that created a file and was then
 * refused leaves behind (no close, so no IN_CLOSE_WRITE). Imported, they
 * go to bad/ ("empty file") now rather than at the next full scan. A
 * younger empty file is looked at again later.
 */
static void
analyzer_empty(struct analyzer *a)
{
	struct dirent **list;
	const char **names;
	struct timespec now;
	struct stat st;
	int i, n, k = 0;
	int fd;

	a->empty_at = 0;
	if ((fd = dup(a->new_fd)) == -1)
		return;
	n = scandirat(fd, ".", &list, analyzer_empty_name, alphasort);
	close(fd);
	if (n == -1) {
		log_warn("scan of new/");
		return;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	if ((names = calloc((size_t)n + 1, sizeof(*names))) == NULL)
		log_warn("scan of new/");
	for (i = 0; names != NULL && i < n; i++) {
		if (fstatat(a->new_fd, list[i]->d_name, &st,
		    AT_SYMLINK_NOFOLLOW) == -1 || !S_ISREG(st.st_mode) ||
		    st.st_size != 0)
			continue;
		if ((now.tv_sec - st.st_mtim.tv_sec) * 1000 +
		    (now.tv_nsec - st.st_mtim.tv_nsec) / 1000000 <
		    ANALYZER_EMPTY_DELAY) {
			a->empty_at = util_now_ms() + ANALYZER_EMPTY_DELAY;
			continue;
		}
		names[k++] = list[i]->d_name;
	}
	if (k > 0 && (analyzer_import_list(a, names, (size_t)k) == -1 ||
	    analyzer_commit(a) == -1) && a->retry_at == 0)
		a->retry_at = util_now_ms();
	for (i = 0; i < n; i++)
		free(list[i]);
	free(list);
	free(names);
}

/* Milliseconds until the next timer (a retry, or else a look for empty
 * files: the retry's scan takes them too), or -1: none. */
static int
analyzer_timeout(const struct analyzer *a)
{
	uint64_t now = util_now_ms(), next = a->retry_at;

	if (next == 0)
		next = a->empty_at;
	/* relay = on: a look at spampot-relay's outcomes every second;
	 * the heartbeat: once a minute, checked every second */
	if ((a->relay != NULL || a->heartbeat != NULL) &&
	    (next == 0 || next > now + 1000))
		next = now + 1000;
	if (next == 0)
		return -1;
	return next <= now ? 0 : (int)(next - now);
}

static void
analyzer_loop(struct analyzer *a)
{
	struct pollfd pfd[2];
	int timeout;

	if (analyzer_scan(a) == 0)
		a->retry_at = 0;
	while (!a->stop) {
		timeout = analyzer_timeout(a);
		pfd[0] = (struct pollfd){ .fd = a->inotify_fd, .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = a->signal_fd, .events = POLLIN };
		if (poll(pfd, 2, timeout) == -1 && errno != EINTR)
			fatal("poll");
		analyzer_signals(a);
		if (a->stop)
			break;
		if (analyzer_events(a) && a->retry_at == 0)
			a->retry_at = util_now_ms();
		if (a->empty_at != 0 && util_now_ms() >= a->empty_at &&
		    a->retry_at == 0)
			analyzer_empty(a);
		if (a->retry_at != 0 && util_now_ms() >= a->retry_at) {
			a->retry_at = 0;
			if (analyzer_scan(a) == -1 && a->retry_at == 0)
				a->retry_at = util_now_ms() + 1000;
		}
		/* between batches: the connection is the main thread's */
		if (a->nflight == 0 && a->nbatch == 0 && !a->db_down) {
			relay_queue_outcomes(a->relay, a->store);
			/* an idle analyzer connects for its heartbeat too */
			if (heartbeat_due(a->heartbeat, util_now_ms()) &&
			    a->retry_at == 0 && analyzer_connect(a) == 0)
				analyzer_heartbeat(a);
		}
	}
}

static void
analyzer_open(struct analyzer *a)
{
	char path[4096];
	sigset_t set;

	if ((a->spool_fd = open(a->cf->spool_dir, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1)
		fatal("spool %s", a->cf->spool_dir);
	if ((a->new_fd = openat(a->spool_fd, "new", O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1)
		fatal("spool %s/new", a->cf->spool_dir);
	if ((a->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) == -1)
		fatal("inotify_init1");
	/* The sensor renames finished files into new/: IN_MOVED_TO. A file
	 * copied in by hand shows up as IN_CLOSE_WRITE. IN_CREATE: a file
	 * made in new/ that may never be closed (analyzer_empty). */
	snprintf(path, sizeof(path), "%s/new", a->cf->spool_dir);
	if (inotify_add_watch(a->inotify_fd, path, IN_MOVED_TO |
	    IN_CLOSE_WRITE | IN_CREATE) == -1)
		fatal("inotify_add_watch %s", path);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	if ((a->signal_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) ==
	    -1)
		fatal("signalfd");
}

/* --once with file names: import each from where it is. */
static int
analyzer_once_files(struct analyzer *a, char **files, int n)
{
	struct import_file f;
	enum store_result rc;
	char err[512], esc[SPOOLFMT_ESCAPED_MAX(512)];
	char file[SPOOLFMT_ESCAPED_MAX(PATH_MAX)], relay_id[RELAYQ_ID_MAX];
	int i, failed = 0;

	import_begin(a->parse, (const char *const *)files, (size_t)n);
	for (i = 0; i < n; i++) {
		if (analyzer_connect(a) == -1)
			break;
		analyzer_esc(file, sizeof(file), files[i]);
		import_next(a->parse, &f);
		if (f.status != IMPORT_OK && f.status != IMPORT_NOMEM) {
			log_warnx("bad spool file %s: %s", file,
			    analyzer_esc(esc, sizeof(esc), f.err));
			import_file_clear(&f);
			failed = 1;
			continue;
		}
		rc = analyzer_store(a, strrchr(files[i], '/') ?
		    strrchr(files[i], '/') + 1 : files[i], &f, relay_id, err,
		    sizeof(err));
		/* a batch of one: the commit says what became of it */
		if (rc == STORE_OK) {
			eventlog_seal(a->events);
			rc = store_commit(a->store, err, sizeof(err));
			analyzer_conflicts(a, 1, rc);
		}
		relay_queue_release(a->relay, relay_id, rc == STORE_OK);
		eventlog_flush(a->events, rc == STORE_OK);
		import_file_clear(&f);
		if (rc == STORE_RETRY || rc == STORE_REJECTED ||
		    rc == STORE_LOST) {
			log_warnx("%s not imported: %s", file,
			    analyzer_esc(esc, sizeof(esc), err));
			failed = 1;
		} else
			log_info("%s %s", rc == STORE_OK ? "imported" :
			    "imported before, not again:", file);
	}
	import_end(a->parse);
	return i < n ? 1 : failed;
}

/* -t: the database is reachable and holds the schema this analyzer
 * writes. */
/* A connection for -t and --rebuild-campaigns, which run once, in the
 * foreground; NULL said on stderr. */
static struct store *
analyzer_store_once(struct analyzer *a)
{
	struct store *st;
	char err[512], *password;

	if ((password = analyzer_password(a->cf->mysql_password_file, err,
	    sizeof(err))) == NULL) {
		fprintf(stderr, "spampot-analyzer: database password: %s\n",
		    err);
		return NULL;
	}
	st = store_open(a->cf, password, err, sizeof(err));
	free(password);
	if (st == NULL)
		fprintf(stderr, "spampot-analyzer: database: %s\n", err);
	return st;
}

/* The thresholds --rebuild-campaigns may be given; -1: the
 * configuration's. */
struct analyzer_thresholds {
	long	distance, bonus, ssdeep;
};

/* A threshold of --rebuild-campaigns: 0 to MAX. */
static long
analyzer_threshold(const char *opt, const char *v, long max)
{
	char *end;
	long n;

	n = strtol(v, &end, 10);
	if (*v == '\0' || *end != '\0' || n < 0 || n > max) {
		fprintf(stderr, "spampot-analyzer: %s: expected a number from 0 "
		    "to %ld, not '%s'\n", opt, max, v);
		exit(1);
	}
	return n;
}

/*
 * --rebuild-campaigns: every campaign made again from the messages, with
 * the configuration's thresholds or those given; the analyzer must not
 * be importing meanwhile (spampot-analyzer(8)).
 */
static int
analyzer_rebuild(struct analyzer *a, const struct analyzer_thresholds *t)
{
	const struct config *cf = a->cf;
	struct campaign_assign *ca;
	struct store_tries tries;
	struct store *st;
	unsigned long msgs, camps;
	char err[512], what[128];
	int rc = 1;

	if ((st = analyzer_store_once(a)) == NULL)
		return 1;
	if (store_schema_version(st, err, sizeof(err)) !=
	    STORE_SCHEMA_VERSION) {
		fprintf(stderr, "spampot-analyzer: database: schema version "
		    "%d needed (run spampot-dbsetup)\n", STORE_SCHEMA_VERSION);
		store_close(st);
		return 1;
	}
	if ((ca = campaign_assign_new(cf, t->distance, t->bonus,
	    t->ssdeep)) == NULL)
		fprintf(stderr, "spampot-analyzer: out of memory\n");
	else if (campaign_assign_rebuild(ca, st, &msgs, &camps, &tries, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "spampot-analyzer: rebuilding the campaigns: "
		    "%s\n", err);
		if (tries.conflicts > 0)
			fprintf(stderr, "spampot-analyzer: %s at %u of %u "
			    "tries\n", store_retry_text(&tries, what,
			    sizeof(what)), tries.conflicts, tries.tries);
	} else {
		if (tries.conflicts > 0)
			printf("spampot-analyzer: rebuilding the campaigns: "
			    "%s, committed at the %u%s try\n",
			    store_retry_text(&tries, what, sizeof(what)),
			    tries.tries, analyzer_nth(tries.tries));
		printf("spampot-analyzer: campaigns rebuilt: %lu messages in "
		    "%lu campaigns (campaign_distance %ld, "
		    "campaign_domain_bonus %ld, campaign_ssdeep %ld)\n", msgs,
		    camps, t->distance >= 0 ? t->distance :
		    (long)cf->campaign_distance, t->bonus >= 0 ? t->bonus :
		    (long)cf->campaign_domain_bonus, t->ssdeep >= 0 ?
		    t->ssdeep : (long)cf->campaign_ssdeep);
		rc = 0;
	}
	campaign_assign_free(ca);
	store_close(st);
	return rc;
}

/* -t: the YARA rules compile. 0, or 1 said on stderr. */
static int
analyzer_check_yara(const struct config *cf)
{
	struct yara_rules *rules;
	char err[1024];

	if (cf->yara_rules_dir[0] == '\0')
		return 0;
	if (yara_rules_init() == -1 || (rules =
	    yara_rules_compile(cf->yara_rules_dir, err, sizeof(err))) ==
	    NULL) {
		fprintf(stderr, "spampot-analyzer: YARA rules: %s\n", err);
		return 1;
	}
	printf("spampot-analyzer: %s: %zu YARA rules\n", cf->yara_rules_dir,
	    yara_rules_count(rules));
	yara_rules_free(rules);
	return 0;
}

static int analyzer_check_database(struct analyzer *);

/* -t: the configuration, the rules, the user, the database. */
static int
analyzer_check(struct analyzer *a)
{
	struct privdrop_user pu;
	char err[512];

	if (privdrop_lookup(a->cf->analyzer_user, NULL, &pu, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "spampot-analyzer: %s: %s\n", a->conf_path,
		    err);
		return 1;
	}
	if (analyzer_check_yara(a->cf) != 0)
		return 1;
	printf("spampot-analyzer: %s: configuration OK (%zu patterns)\n",
	    a->conf_path, a->cf->npatterns);
	return analyzer_check_database(a);
}

static int
analyzer_check_database(struct analyzer *a)
{
	struct store *st;
	char err[512];
	long v;

	if ((st = analyzer_store_once(a)) == NULL)
		return 1;
	v = store_schema_version(st, err, sizeof(err));
	store_close(st);
	if (v != STORE_SCHEMA_VERSION) {
		if (v == -1)
			fprintf(stderr, "spampot-analyzer: database: %s (run "
			    "spampot-dbsetup)\n", err);
		else
			fprintf(stderr, "spampot-analyzer: database: schema "
			    "version %ld, this analyzer needs %d (run "
			    "spampot-dbsetup)\n", v, STORE_SCHEMA_VERSION);
		return 1;
	}
	printf("spampot-analyzer: database OK, schema version %ld\n", v);
	return 0;
}

/* What the parse child does, from the configuration. */
static void
analyzer_opts(struct analyzer *a)
{
	const struct config *cf = a->cf;

	a->opts.patterns = a->patterns;
	a->opts.wire_flags = (cf->attachments_dir[0] != '\0' ?
	    IMPORT_WIRE_DATA : 0) | (cf->relay_mode != CONF_RELAY_OFF ?
	    IMPORT_WIRE_TEXTS : 0);
	a->opts.digests = cf->campaigns;
	a->opts.inspect = 1;
	a->opts.limits.depth = (unsigned)cf->archive_depth;
	a->opts.limits.members = (unsigned)cf->archive_max_members;
	a->opts.limits.bytes = cf->archive_max_bytes;
	a->opts.limits.ratio = (unsigned)cf->archive_max_ratio;
}

static struct config *
analyzer_config(const char *path, struct extract_patterns **patterns)
{
	struct config *cf;
	char err[CONF_ERR_MAX];

	if ((cf = calloc(1, sizeof(*cf))) == NULL)
		exit(1);
	if (conf_load(cf, path, err, sizeof(err)) == -1 ||
	    (*patterns = extract_patterns_compile(cf, err,
	    sizeof(err))) == NULL) {
		fprintf(stderr, "spampot-analyzer: %s\n", err);
		exit(1);
	}
	return cf;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "once", no_argument, NULL, 'o' },
		{ "rebuild-campaigns", no_argument, NULL, 'R' },
		{ "campaign-distance", required_argument, NULL, 'D' },
		{ "campaign-domain-bonus", required_argument, NULL, 'B' },
		{ "campaign-ssdeep", required_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 },
	};
	struct analyzer a;
	char err[512];
	struct cmdline cl = { .conf_path = SPAMPOT_CONFIG_FILE };
	struct analyzer_thresholds thr = { -1, -1, -1 };
	int ch, once = 0, rebuild = 0, rc = 0;

	util_close_from(3);
	memset(&a, 0, sizeof(a));
	/*
	 * Every file allocates and frees the same large blocks (its bytes,
	 * the decoded parts, the batch's rows): kept by malloc rather than
	 * handed back to the kernel and faulted in again, file after file.
	 * Fixed thresholds: bounded, unlike glibc's dynamic ones.
	 */
	mallopt(M_MMAP_THRESHOLD, ANALYZER_MMAP_THRESHOLD);
	mallopt(M_TRIM_THRESHOLD, ANALYZER_TRIM_THRESHOLD);
	while ((ch = getopt_long(argc, argv, "c:dfhtV", longopts, NULL)) !=
	    -1) {
		if (ch == 'o')
			once = 1;
		else if (ch == 'R')
			rebuild = 1;
		else if (ch == 'D')
			thr.distance = analyzer_threshold(
			    "--campaign-distance", optarg, 300);
		else if (ch == 'B')
			thr.bonus = analyzer_threshold(
			    "--campaign-domain-bonus", optarg, 300);
		else if (ch == 'S')
			thr.ssdeep = analyzer_threshold("--campaign-ssdeep",
			    optarg, 100);
		else if (!cmdline_option(&cl, ch, optarg, "spampot-analyzer"))
			analyzer_usage();
	}
	if ((optind != argc && !once) || (rebuild && once) ||
	    (!rebuild && (thr.distance >= 0 || thr.bonus >= 0 ||
	    thr.ssdeep >= 0)))
		analyzer_usage();
	a.conf_path = cl.conf_path;
	a.cf = analyzer_config(a.conf_path, &a.patterns);
	if (rebuild) {
		rc = analyzer_rebuild(&a, &thr);
		extract_patterns_free(a.patterns);
		conf_clear(a.cf);
		free(a.cf);
		return rc;
	}
	if (cl.check) {
		rc = analyzer_check(&a);
		extract_patterns_free(a.patterns);
		conf_clear(a.cf);
		free(a.cf);
		return rc;
	}
	log_init("spampot-analyzer", cl.foreground || once,
	    a.cf->log_facility);
	log_set_debug(cl.debug);
	/* the parsers' spawner: before the password is read, before the
	 * database, the GeoIP files or the event log are opened */
	mime_init();
	/* before the fork: the children inherit what it loads */
	if (yara_rules_init() == -1)
		fatalx("libyara initialisation failed");
	analyzer_opts(&a);
	a.parse = import_spawn(&a.opts, cl.debug, analyzer_drop_cb, a.cf);
	if (a.cf->campaigns && (a.campaigns = campaign_assign_new(a.cf, -1,
	    -1, -1)) == NULL)
		fatal("campaigns");
	if ((a.password = analyzer_password(a.cf->mysql_password_file, err,
	    sizeof(err))) == NULL)
		fatalx("database password: %s", err);
	a.geoip = geoip_open(a.cf);
	analyzer_relay_prepare(a.cf);
	analyzer_drop(a.cf);
	/* as analyzer_user, as on SIGHUP: rules it cannot read stop it now */
	analyzer_yara(&a, 1);
	a.relay = relay_queue_open(a.cf);
	a.events = eventlog_open(a.cf->json_log);
	if ((a.heartbeat = heartbeat_new()) == NULL)
		fatal("heartbeat");
	sandbox_no_dumps(0);
	sandbox_analyzer();
	log_info("starting spampot-analyzer %s, config %s, spool %s",
	    PACKAGE_VERSION, a.conf_path, a.cf->spool_dir);
	if (once && optind < argc)
		rc = analyzer_once_files(&a, argv + optind, argc - optind);
	else {
		analyzer_open(&a);
		import_start(a.parse, a.new_fd);
		/* after the sandbox: its filter binds the thread too */
		if ((a.mover = mover_start(a.spool_fd, a.new_fd,
		    a.cf->spool_keep)) == NULL)
			fatal("analyzer threads");
		if (once)
			rc = analyzer_scan(&a) == -1 || a.failed > 0;
		else
			analyzer_loop(&a);
		/* the last batch's files leave new/ before we say done */
		mover_stop(a.mover);
	}
	log_info("%s: %lu files imported, %lu moved to bad/, %lu batches "
	    "retried after %lu conflicts", once ? "done" : "stopped",
	    a.imported, a.failed, a.retried, a.conflicts);
	import_stop(a.parse);
	store_close(a.store);
	relay_queue_close(a.relay);
	campaign_assign_free(a.campaigns);
	heartbeat_free(a.heartbeat);
	eventlog_close(a.events);
	geoip_close(a.geoip);
	extract_patterns_free(a.patterns);
	conf_clear(a.cf);
	free(a.cf);
	free(a.password);
	return rc;
}
