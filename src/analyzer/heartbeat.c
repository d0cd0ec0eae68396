/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * heartbeat: the numbers of the analyzer's heartbeat row (heartbeat.h).
 * The sessions of the last hour are counted here, by the minute they were
 * committed in (an analyzer that restarts counts from its start); the
 * directories are counted as they are at each beat.
 */
#include "autoconf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "heartbeat.h"
#include "log.h"
#include "util.h"

#define HEARTBEAT_EVERY_MS	60000
#define HEARTBEAT_RETRY_MS	5000
#define HEARTBEAT_MINUTES	60

struct heartbeat {
	time_t			 started;
	time_t			 last_import;
	uint64_t		 due;		/* util_now_ms() */
	uint64_t		 every;
	/* sessions committed in each of the last minutes, by minute */
	struct {
		time_t			 minute;
		unsigned long long	 n;
	}			 hour[HEARTBEAT_MINUTES];
	int			 status_warned;
};

struct heartbeat *
heartbeat_new(void)
{
	struct heartbeat *hb;

	if ((hb = calloc(1, sizeof(*hb))) == NULL)
		return NULL;
	hb->started = time(NULL);
	hb->every = HEARTBEAT_EVERY_MS;
#ifdef SPAMPOT_TEST_HOOKS
	{
		const char *e = getenv("SPAMPOT_TEST_HEARTBEAT_MS");

		if (e != NULL && atoi(e) > 0)
			hb->every = (uint64_t)atoi(e);
	}
#endif
	return hb;
}

void
heartbeat_free(struct heartbeat *hb)
{
	free(hb);
}

void
heartbeat_imported(struct heartbeat *hb, unsigned long n)
{
	time_t now = time(NULL), minute = now / 60;
	size_t i = (size_t)(minute % HEARTBEAT_MINUTES);

	if (hb == NULL || n == 0)
		return;
	if (hb->hour[i].minute != minute) {
		hb->hour[i].minute = minute;
		hb->hour[i].n = 0;
	}
	hb->hour[i].n += n;
	hb->last_import = now;
}

int
heartbeat_due(const struct heartbeat *hb, uint64_t now)
{
	return hb != NULL && now >= hb->due;
}

void
heartbeat_failed(struct heartbeat *hb, uint64_t now)
{
	hb->due = now + (hb->every < HEARTBEAT_RETRY_MS ? hb->every :
	    HEARTBEAT_RETRY_MS);
}

/* The entries of directory NAME of the spool but . and .. (and the
 * sensor's dot files). */
static unsigned long long
heartbeat_files(int spool_fd, const char *name)
{
	struct dirent *de;
	unsigned long long n = 0;
	DIR *d;
	int fd;

	if ((fd = openat(spool_fd, name, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1)
		return 0;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return 0;
	}
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static unsigned long long
heartbeat_sessions(const struct heartbeat *hb, time_t now)
{
	unsigned long long n = 0;
	time_t minute = now / 60;
	size_t i;

	for (i = 0; i < HEARTBEAT_MINUTES; i++)
		if (hb->hour[i].minute > minute - HEARTBEAT_MINUTES)
			n += hb->hour[i].n;
	return n;
}

void
heartbeat_gather(struct heartbeat *hb, int spool_fd,
    struct heartbeat_row *row, uint64_t now)
{
	struct statvfs vfs;
	char err[256];

	memset(row, 0, sizeof(*row));
	hb->due = now + hb->every;
	row->analyzer_started = hb->started;
	row->last_import = hb->last_import;
	row->new_files = heartbeat_files(spool_fd, "new");
	row->bad_files = heartbeat_files(spool_fd, "bad");
	if (fstatvfs(spool_fd, &vfs) == 0)
		row->spool_free = (unsigned long long)vfs.f_bavail *
		    vfs.f_frsize;
	row->sessions_hour = heartbeat_sessions(hb, time(NULL));
	if (sensorstat_read(spool_fd, &row->sensor, err, sizeof(err)) == 0) {
		row->have_sensor = 1;
		hb->status_warned = 0;
	} else if (!hb->status_warned) {
		/* an old spampotd, or none on this host: said once */
		log_info("heartbeat: no sensor status: %s", err);
		hb->status_warned = 1;
	}
}
