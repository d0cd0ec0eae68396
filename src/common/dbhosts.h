/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * dbhosts: mysql_host as a list of servers to try in order: names or
 * addresses separated by commas or blanks, each with an optional :port
 * (an IPv6 address in brackets: [2001:db8::5]:3307). Apart from db.c so
 * that the configuration's check needs no database client library.
 */
#ifndef SPAMPOT_DBHOSTS_H
#define SPAMPOT_DBHOSTS_H

#include <stddef.h>

#define DBHOSTS_MAX	8
#define DBHOSTS_NAME	256

struct dbhost {
	char		 name[DBHOSTS_NAME];	/* without brackets */
	unsigned	 port;
};

/* LIST into out[] (at most DBHOSTS_MAX), ports not given DEFPORT: how
 * many, or -1 with err. */
int	dbhosts_parse(const char *list, unsigned defport, struct dbhost *out,
	    char *err, size_t errlen);

#endif
