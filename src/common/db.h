/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * db: the one way spampot's programs connect to MySQL/MariaDB.
 */
#ifndef SPAMPOT_DB_H
#define SPAMPOT_DB_H

#include <stddef.h>

#include <mysql.h>

struct config;

#define DB_IO_TIMEOUTS	1	/* reads and writes time out too */

MYSQL	*db_connect(const struct config *, const char *user,
	    const char *password, int flags, char *err, size_t errlen);

#endif
