/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * db: the connection to MySQL/MariaDB, made the same way by
 * spampot-analyzer (which writes; unprivileged, under its seccomp
 * deny-list) and spampot-report (which reads, as whoever runs it). The
 * sensor never connects: nothing of it calls this file, so spampotd does
 * not link the client library.
 *
 * The local unix socket (mysql_socket) by default; remote servers
 * (mysql_host, tried in order, and mysql_port) only over TLS with their
 * certificates checked
 * against mysql_tls_ca or the system's CAs, or not at all. utf8mb4 on
 * the wire; a server that does not answer is given up after DB_TIMEOUT
 * seconds.
 */
#include "autoconf.h"

#include <stdio.h>

#include "conf.h"
#include "db.h"
#include "dbhosts.h"

#define DB_TIMEOUT	10	/* seconds */

/* A remote server is reached over TLS, with its certificate checked, or
 * not at all. */
static void
db_tls(MYSQL *db, const struct config *cf)
{
	my_bool on = 1;

	mysql_optionsv(db, MYSQL_OPT_SSL_ENFORCE, &on);
	mysql_optionsv(db, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &on);
	if (cf->mysql_tls_ca[0] != '\0')
		mysql_optionsv(db, MYSQL_OPT_SSL_CA, cf->mysql_tls_ca);
}

/* One server: the socket (HOST NULL) or HOST over TLS. */
static MYSQL *
db_connect_one(const struct config *cf, const struct dbhost *host,
    const char *user, const char *password, int flags, char *err,
    size_t errlen)
{
	unsigned int timeout = DB_TIMEOUT;
	MYSQL *db;

	if ((db = mysql_init(NULL)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	mysql_optionsv(db, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
	if (flags & DB_IO_TIMEOUTS) {
		mysql_optionsv(db, MYSQL_OPT_READ_TIMEOUT, &timeout);
		mysql_optionsv(db, MYSQL_OPT_WRITE_TIMEOUT, &timeout);
	}
	mysql_optionsv(db, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	if (host != NULL)
		db_tls(db, cf);
	if (mysql_real_connect(db, host ? host->name : NULL, user, password,
	    cf->mysql_database, host ? host->port : 0, host ? NULL :
	    cf->mysql_socket, 0) == NULL) {
		snprintf(err, errlen, "%s", mysql_error(db));
		mysql_close(db);
		return NULL;
	}
	return db;
}

/*
 * Connect as user to cf's mysql_database: through mysql_socket, or to
 * the servers of mysql_host in order, the first that takes us (a Galera
 * cluster's nodes, a primary and its stand-in). With DB_IO_TIMEOUTS a
 * read or a write that takes longer than DB_TIMEOUT fails too (the
 * analyzer would rather retry than hang). NULL with err (the server's or
 * the library's words, each server's) when it cannot.
 */
MYSQL *
db_connect(const struct config *cf, const char *user, const char *password,
    int flags, char *err, size_t errlen)
{
	struct dbhost hosts[DBHOSTS_MAX];
	char why[512];
	size_t used = 0;
	MYSQL *db;
	int i, n;

	if (cf->mysql_host[0] == '\0')
		return db_connect_one(cf, NULL, user, password, flags, err,
		    errlen);
	if ((n = dbhosts_parse(cf->mysql_host, (unsigned)cf->mysql_port,
	    hosts, err, errlen)) <= 0) {
		if (n == 0)
			snprintf(err, errlen, "mysql_host names no server");
		return NULL;
	}
	err[0] = '\0';
	for (i = 0; i < n; i++) {
		if ((db = db_connect_one(cf, &hosts[i], user, password, flags,
		    why, sizeof(why))) != NULL)
			return db;
		/* one server: its words as they are; several: each named */
		if (n == 1)
			snprintf(err, errlen, "%s", why);
		else if (used < errlen)
			used += (size_t)snprintf(err + used, errlen - used,
			    "%s%s:%u: %s", i ? "; " : "", hosts[i].name,
			    hosts[i].port, why);
	}
	return NULL;
}
