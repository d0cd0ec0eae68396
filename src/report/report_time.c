/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * report_time: spampot-report's times. Every time in the database and in
 * every output is UTC: --since/--until are read as UTC, or as a duration
 * counted back from now; JSON and CSV print ISO 8601 to the second
 * ("2026-11-26T16:24:04Z"), text to the minute ("2026-11-26 16:24").
 */
#include "autoconf.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_int.h"

#define RTIME_MAX_SECONDS	(100LL * 366 * 86400)	/* 100 years */

/* "30m", "24h", "7d", "2w", "90s": seconds, or -1. */
static long long
rtime_duration(const char *s)
{
	unsigned long long v;
	char *end;
	long long mult;

	if (!isdigit((unsigned char)s[0]))
		return -1;
	v = strtoull(s, &end, 10);
	if (end[0] == '\0' || end[1] != '\0')
		return -1;
	switch (end[0]) {
	case 's':
		mult = 1;
		break;
	case 'm':
		mult = 60;
		break;
	case 'h':
		mult = 3600;
		break;
	case 'd':
		mult = 86400;
		break;
	case 'w':
		mult = 7 * 86400;
		break;
	default:
		return -1;
	}
	if (v == 0 || v > (unsigned long long)(RTIME_MAX_SECONDS / mult))
		return -1;
	return (long long)v * mult;
}

/* "2026-11-26", "2026-11-26T16:00", "2026-11-26 16:00:05", optional Z. */
static int
rtime_absolute(const char *s, time_t *out)
{
	struct tm tm, check;
	int n = 0, len = (int)strlen(s);
	time_t t;

	memset(&tm, 0, sizeof(tm));
	if (len > 0 && s[len - 1] == 'Z')
		len--;
	if (sscanf(s, "%4d-%2d-%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
	    &n) != 3 || n != 10)
		return -1;
	if (len > 10) {
		int m = 0;

		if ((s[10] != 'T' && s[10] != ' ') ||
		    sscanf(s + 11, "%2d:%2d%n", &tm.tm_hour, &tm.tm_min,
		    &m) != 2 || m != 5)
			return -1;
		n = 16;
		if (len > 16) {
			if (sscanf(s + 16, ":%2d%n", &tm.tm_sec, &m) != 1 ||
			    m != 3)
				return -1;
			n = 19;
		}
	}
	if (n != len)
		return -1;
	if (tm.tm_year < 1970 || tm.tm_year > 9999 || tm.tm_mon < 1 ||
	    tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_hour > 23 ||
	    tm.tm_min > 59 || tm.tm_sec > 59)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	check = tm;
	t = timegm(&tm);
	/* 2026-02-31 normalises to March: refuse it */
	if (t == (time_t)-1 || tm.tm_mday != check.tm_mday ||
	    tm.tm_mon != check.tm_mon)
		return -1;
	*out = t;
	return 0;
}

int
rtime_parse(const char *s, time_t now, time_t *out)
{
	long long d;

	if ((d = rtime_duration(s)) > 0) {
		*out = now - (time_t)d;
		return 0;
	}
	return rtime_absolute(s, out);
}

void
rtime_sql(time_t t, char *dst, size_t len)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(dst, len, "%Y-%m-%d %H:%M:%S", &tm);
}

void
rtime_iso(time_t t, char *dst, size_t len)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(dst, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* "2026-11-26 16:24:04.368849" (or shorter) -> "2026-11-26T16:24:04Z" */
void
rtime_db_iso(const char *db, char *dst, size_t len)
{
	if (strlen(db) < 19) {
		snprintf(dst, len, "%s", db);
		return;
	}
	snprintf(dst, len, "%.10sT%.8sZ", db, db + 11);
}

void
rtime_db_text(const char *db, char *dst, size_t len)
{
	snprintf(dst, len, "%.16s", db);
}

void
rtime_db_iso_us(const char *db, char *dst, size_t len)
{
	if (strlen(db) < 19) {
		snprintf(dst, len, "%s", db);
		return;
	}
	snprintf(dst, len, "%.10sT%sZ", db, db + 11);
}
