/*
 * store: the analyzer's MySQL side: one transaction per batch of spool
 * files, prepared statements only, idempotent by spool file name.
 */
#ifndef SPAMPOT_STORE_H
#define SPAMPOT_STORE_H

#include <stddef.h>

struct config;
struct spool_session;
struct mime_message;
struct extract_result;
struct geoip;

/* What the analyzer made of one message of a session. */
struct store_message {
	const struct mime_message	*mime;
	const struct extract_result	*found;
};

enum store_result {
	STORE_OK,		/* in the transaction (store_commit: committed) */
	STORE_DUPLICATE,	/* this spool file was imported before */
	STORE_RETRY,		/* the database is unavailable: try later */
	STORE_REJECTED,		/* the database refused this file's rows;
				 * the open batch was rolled back */
};

struct store;

struct store	*store_open(const struct config *, const char *password,
		    char *err, size_t errlen);
void		 store_close(struct store *);
enum store_result store_import(struct store *, const char *spool_name,
		    const struct spool_session *, const struct store_message *,
		    char *err, size_t errlen);
enum store_result store_commit(struct store *, char *err, size_t errlen);
int		 store_ping(struct store *);
long		 store_schema_version(struct store *, char *err, size_t);

/* The schema this analyzer writes: sql/schema.sql's version. */
#define STORE_SCHEMA_VERSION	3
/* Look up each session's client address (country, AS) before it is
 * stored; NULL: none. */
void		 store_set_geoip(struct store *, const struct geoip *);

#endif
