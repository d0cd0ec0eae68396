/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * eventlog: the analyzer's JSON-lines export (json_log): one object per
 * message and one per session end, for log pipelines.
 */
#ifndef SPAMPOT_EVENTLOG_H
#define SPAMPOT_EVENTLOG_H

struct buf;
struct parsed_session;
struct eventlog;

/* Open (create) the file for appending; NULL when path is "". A file that
 * cannot be opened is a setup failure: fatal. */
struct eventlog	*eventlog_open(const char *path);
/* SIGHUP: open the path again (after a rotation renamed the file); on
 * failure go on writing to the file already open. NULL: nothing. */
void		 eventlog_reopen(struct eventlog *);
void		 eventlog_close(struct eventlog *);
/* The events of one session imported into the filling batch: its
 * messages, then its end (the client's country and AS as the analyzer
 * found them, in the session's geo). They wait for eventlog_seal, then
 * eventlog_flush. */
void		 eventlog_session(struct eventlog *,
		    const struct parsed_session *);
/* The filling batch goes to its commit: its events wait for the result
 * apart from those of the next batch. */
void		 eventlog_seal(struct eventlog *);
/* The batch sealed last was committed (1): write its events; or rolled
 * back (0): drop them. */
void		 eventlog_flush(struct eventlog *, int committed);
/* The filling batch was dropped: its events with it. */
void		 eventlog_drop(struct eventlog *);
/* The same lines into a buffer (tests). */
int		 eventlog_format(struct buf *, const struct parsed_session *);

#endif
