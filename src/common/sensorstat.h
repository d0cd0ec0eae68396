/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * sensorstat: the file "status" at the top of the spool, where spampotd's
 * parent says how it is (every SENSORSTAT_EVERY_S seconds and at each
 * change of state) and the analyzer reads it for its heartbeat row
 * (spampot-spool(5)). Lines "key value":
 *
 *   spampotd-status 1
 *   version 1.0.0
 *   pid 1234
 *   state running		(or stopping, stopped)
 *   started 1764900000	(Unix time of the parent's start)
 *   written 1764900060	(Unix time of this file)
 *   workers 4		(configured)
 *   alive 4			(running, of the current generation)
 */
#ifndef SPAMPOT_SENSORSTAT_H
#define SPAMPOT_SENSORSTAT_H

#include <stddef.h>
#include <sys/types.h>

#define SENSORSTAT_FILE		"status"
#define SENSORSTAT_EVERY_S	10
#define SENSORSTAT_MAX		1024	/* a longer file is not read */

struct sensorstat {
	char		 version[32];
	char		 state[16];
	long long	 pid;
	long long	 started;
	long long	 written;
	long long	 workers;
	long long	 alive;
};

/* Write it into the spool directory SPOOL_FD, atomically (a temporary
 * file renamed). -1 with errno. */
int	sensorstat_write(int spool_fd, const struct sensorstat *);
/* Read it: 0; -1 with err (no file: errno ENOENT). */
int	sensorstat_read(int spool_fd, struct sensorstat *, char *err,
	    size_t errlen);

#endif
