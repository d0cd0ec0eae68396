/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * dbhosts: the servers of mysql_host, in order (dbhosts.h).
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dbhosts.h"

static int
dbhosts_sep(char c)
{
	return c == ',' || c == ' ' || c == '\t';
}

/* A port after ':': 1 to 65535. */
static int
dbhosts_port(const char *p, size_t n, unsigned *port)
{
	unsigned long v = 0;
	size_t i;

	if (n == 0 || n > 5)
		return -1;
	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (unsigned long)(p[i] - '0');
	}
	if (v == 0 || v > 65535)
		return -1;
	*port = (unsigned)v;
	return 0;
}

/* A name or address: letters, digits, '.', '-', '_' (and ':' inside
 * brackets). */
static int
dbhosts_name(const char *p, size_t n, int v6)
{
	size_t i;

	if (n == 0 || n >= DBHOSTS_NAME)
		return -1;
	for (i = 0; i < n; i++)
		if (!((p[i] >= 'a' && p[i] <= 'z') ||
		    (p[i] >= 'A' && p[i] <= 'Z') ||
		    (p[i] >= '0' && p[i] <= '9') || p[i] == '.' ||
		    p[i] == '-' || p[i] == '_' || (v6 && p[i] == ':')))
			return -1;
	return 0;
}

/* One item, p[0..n): into h. */
static int
dbhosts_item(const char *p, size_t n, unsigned defport, struct dbhost *h)
{
	const char *name = p, *colon;
	size_t len = n;
	int v6 = 0;

	h->port = defport;
	if (p[0] == '[') {
		const char *end = memchr(p, ']', n);

		if (end == NULL)
			return -1;
		name = p + 1;
		len = (size_t)(end - name);
		v6 = 1;
		colon = end + 1 < p + n ? end + 1 : NULL;
		if (colon != NULL && (*colon != ':' ||
		    dbhosts_port(colon + 1, (size_t)(p + n - colon - 1),
		    &h->port) == -1))
			return -1;
	} else if ((colon = memchr(p, ':', n)) != NULL) {
		len = (size_t)(colon - p);
		if (dbhosts_port(colon + 1, n - len - 1, &h->port) == -1)
			return -1;
	}
	if (dbhosts_name(name, len, v6) == -1)
		return -1;
	memcpy(h->name, name, len);
	h->name[len] = '\0';
	return 0;
}

int
dbhosts_parse(const char *list, unsigned defport, struct dbhost *out,
    char *err, size_t errlen)
{
	const char *p = list, *start;
	int n = 0;

	for (;;) {
		while (dbhosts_sep(*p))
			p++;
		if (*p == '\0')
			break;
		for (start = p; *p != '\0' && !dbhosts_sep(*p); p++)
			;
		if (n == DBHOSTS_MAX) {
			snprintf(err, errlen, "more than %d servers",
			    DBHOSTS_MAX);
			return -1;
		}
		if (dbhosts_item(start, (size_t)(p - start), defport,
		    &out[n]) == -1) {
			snprintf(err, errlen, "'%.*s' is not a host[:port] "
			    "or [IPv6]:port", (int)(p - start > 64 ? 64 :
			    p - start), start);
			return -1;
		}
		n++;
	}
	return n;
}
