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
 * The local unix socket (mysql_socket) by default; a remote server
 * (mysql_host, mysql_port) only over TLS with its certificate checked
 * against mysql_tls_ca or the system's CAs, or not at all. utf8mb4 on
 * the wire; a server that does not answer is given up after DB_TIMEOUT
 * seconds.
 */
#include "autoconf.h"

#include <stdio.h>

#include "conf.h"
#include "db.h"

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

/*
 * Connect as user to cf's mysql_database. With DB_IO_TIMEOUTS a read or
 * a write that takes longer than DB_TIMEOUT fails too (the analyzer
 * would rather retry than hang). NULL with err (the server's or the
 * library's words) when it cannot.
 */
MYSQL *
db_connect(const struct config *cf, const char *user, const char *password,
    int flags, char *err, size_t errlen)
{
	unsigned int timeout = DB_TIMEOUT;
	const char *host = cf->mysql_host[0] ? cf->mysql_host : NULL;
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
	if (mysql_real_connect(db, host, user, password, cf->mysql_database,
	    (unsigned)cf->mysql_port, host ? NULL : cf->mysql_socket,
	    0) == NULL) {
		snprintf(err, errlen, "%s", mysql_error(db));
		mysql_close(db);
		return NULL;
	}
	return db;
}
