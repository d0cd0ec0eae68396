/*
 * eventlog: the analyzer's JSON-lines export (json_log): one object per
 * message and one per session end, for log pipelines.
 */
#ifndef SPAMPOT_EVENTLOG_H
#define SPAMPOT_EVENTLOG_H

struct buf;
struct geoip;
struct spool_session;
struct store_message;
struct eventlog;

/* Open (create) the file for appending; NULL when path is "". A file that
 * cannot be opened is a setup failure: fatal. */
struct eventlog	*eventlog_open(const char *path, const struct geoip *);
/* SIGHUP: open the path again (after a rotation renamed the file); on
 * failure go on writing to the file already open. NULL: nothing. */
void		 eventlog_reopen(struct eventlog *);
void		 eventlog_close(struct eventlog *);
/* The events of one session imported into the open transaction: its
 * messages, then its end. They wait for eventlog_flush. */
void		 eventlog_session(struct eventlog *, const char *spool_name,
		    const struct spool_session *, const struct store_message *);
/* The transaction was committed (1): write the waiting events; or rolled
 * back (0): drop them. */
void		 eventlog_flush(struct eventlog *, int committed);
/* The same lines into a buffer (tests). */
int		 eventlog_format(struct buf *, const struct geoip *,
		    const char *spool_name, const struct spool_session *,
		    const struct store_message *);

#endif
