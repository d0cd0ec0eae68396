/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * heartbeat: what the analyzer says of its sensor once a minute, in the
 * row sensor_heartbeats (spampot-analyzer(8), HEARTBEAT): its version,
 * the last file it committed, the files waiting in new/ and lying in
 * bad/, the spool's free space, the sessions imported in the last hour,
 * and what spampotd's status file says (sensorstat.h).
 */
#ifndef SPAMPOT_HEARTBEAT_H
#define SPAMPOT_HEARTBEAT_H

#include <stdint.h>
#include <time.h>

#include "sensorstat.h"

struct heartbeat_row {
	time_t			 analyzer_started;
	time_t			 last_import;	/* 0: none since the start */
	unsigned long long	 new_files, bad_files;
	unsigned long long	 spool_free;	/* bytes */
	unsigned long long	 sessions_hour;
	int			 have_sensor;	/* sensor holds the file */
	struct sensorstat	 sensor;
};

struct heartbeat;

struct heartbeat	*heartbeat_new(void);
void			 heartbeat_free(struct heartbeat *);
/* N files (sessions) committed now. */
void			 heartbeat_imported(struct heartbeat *, unsigned long n);
/* Is a row due (NOW: util_now_ms())? The first one is, at once. */
int			 heartbeat_due(const struct heartbeat *, uint64_t now);
/* The row, from the spool SPOOL_FD (its new/ and bad/, its file system,
 * its status file); the next one is due a minute later. */
void			 heartbeat_gather(struct heartbeat *, int spool_fd,
			    struct heartbeat_row *, uint64_t now);
/* The row could not be written: the next try in a few seconds. */
void			 heartbeat_failed(struct heartbeat *, uint64_t now);

#endif
