/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * mover: the analyzer's moves of committed spool files out of new/ (to
 * done/, or removed with spool_keep = no), on a thread of their own.
 */
#ifndef SPAMPOT_MOVER_H
#define SPAMPOT_MOVER_H

struct mover;

struct mover	*mover_start(int spool_fd, int new_fd, int keep);
void		 mover_stop(struct mover *);
/* Queue new/NAME; blocks while the queue is full. */
void		 mover_add(struct mover *, const char *name);
/* Returns once every name queued so far is moved (or failed, logged). */
void		 mover_wait(struct mover *);

#endif
