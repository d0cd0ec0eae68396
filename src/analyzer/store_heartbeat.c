/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * store_heartbeat: the sensor's row of sensor_heartbeats, replaced once a
 * minute. new_files_before keeps the backlog of the beat before (MariaDB
 * assigns in order: it takes new_files before new_files changes), so
 * that spampot-report sensors can tell a backlog that grows. A restarted
 * analyzer that has imported nothing yet keeps the last import known.
 */
#include "autoconf.h"

#include <mysql.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "heartbeat.h"
#include "store.h"
#include "store_int.h"

#define HB_PARAMS	16

static const char hb_sql[] = "INSERT INTO sensor_heartbeats (sensor, "
    "beat_at, version, analyzer_started, last_import, new_files, "
    "new_files_before, bad_files, spool_free, sessions_hour, sensor_state, "
    "sensor_version, sensor_written, workers, workers_alive) VALUES (?, "
    "UTC_TIMESTAMP(6), ?, FROM_UNIXTIME(?), IF(? = 0, NULL, "
    "FROM_UNIXTIME(?)), ?, ?, ?, ?, ?, ?, ?, IF(? = 0, NULL, "
    "FROM_UNIXTIME(?)), ?, ?) ON DUPLICATE KEY UPDATE "
    "beat_at = VALUES(beat_at), version = VALUES(version), "
    "analyzer_started = VALUES(analyzer_started), "
    "last_import = IFNULL(VALUES(last_import), last_import), "
    "new_files_before = new_files, new_files = VALUES(new_files), "
    "bad_files = VALUES(bad_files), spool_free = VALUES(spool_free), "
    "sessions_hour = VALUES(sessions_hour), "
    "sensor_state = VALUES(sensor_state), "
    "sensor_version = VALUES(sensor_version), "
    "sensor_written = VALUES(sensor_written), "
    "workers = VALUES(workers), workers_alive = VALUES(workers_alive)";

struct hb_binds {
	MYSQL_BIND		 b[HB_PARAMS];
	unsigned long		 len[HB_PARAMS];
	long long		 num[HB_PARAMS];
	size_t			 n;
};

static void
hb_text(struct hb_binds *p, const char *v, int null)
{
	MYSQL_BIND *b = &p->b[p->n];

	p->len[p->n] = null ? 0 : (unsigned long)strlen(v);
	b->buffer_type = null ? MYSQL_TYPE_NULL : MYSQL_TYPE_STRING;
	b->buffer = (void *)(uintptr_t)v;
	b->buffer_length = p->len[p->n];
	b->length = &p->len[p->n];
	p->n++;
}

static void
hb_num(struct hb_binds *p, long long v, int null)
{
	MYSQL_BIND *b = &p->b[p->n];

	p->num[p->n] = v;
	b->buffer_type = null ? MYSQL_TYPE_NULL : MYSQL_TYPE_LONGLONG;
	b->buffer = &p->num[p->n];
	p->n++;
}

/* Counts above what a signed 64-bit column parameter takes are capped. */
static long long
hb_count(unsigned long long v)
{
	return v > INT64_MAX ? INT64_MAX : (long long)v;
}

static void
hb_bind(struct hb_binds *p, const char *sensor,
    const struct heartbeat_row *r)
{
	const struct sensorstat *s = &r->sensor;
	int none = !r->have_sensor;

	memset(p, 0, sizeof(*p));
	hb_text(p, sensor, 0);
	hb_text(p, PACKAGE_VERSION, 0);
	hb_num(p, (long long)r->analyzer_started, 0);
	hb_num(p, (long long)r->last_import, 0);
	hb_num(p, (long long)r->last_import, 0);
	hb_num(p, hb_count(r->new_files), 0);
	hb_num(p, hb_count(r->new_files), 0);
	hb_num(p, hb_count(r->bad_files), 0);
	hb_num(p, hb_count(r->spool_free), 0);
	hb_num(p, hb_count(r->sessions_hour), 0);
	hb_text(p, s->state, none);
	hb_text(p, s->version, none);
	hb_num(p, s->written, 0);
	hb_num(p, s->written, 0);
	hb_num(p, s->workers, none);
	hb_num(p, s->alive, none);
}

int
store_heartbeat(struct store *st, const char *sensor,
    const struct heartbeat_row *r, char *err, size_t errlen)
{
	struct hb_binds p;

	if (st->flight != NULL) {
		snprintf(err, errlen, "a commit is under way");
		return -1;
	}
	hb_bind(&p, sensor, r);
	return store_exec_commit(st, hb_sql, sizeof(hb_sql) - 1, p.b, err,
	    errlen);
}
