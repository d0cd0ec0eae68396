/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * selfcheck: what "spampotd -t" checks beyond the configuration file.
 */
#ifndef SPAMPOT_SELFCHECK_H
#define SPAMPOT_SELFCHECK_H

#include <stdio.h>
#include <sys/types.h>

struct config;
struct privdrop_user;

struct selfcheck {
	FILE		*out;
	const char	*prog;		/* prefix of every line */
	int		 errors;	/* the daemon would not start */
	int		 warnings;	/* it would start, or fix this itself */
};

void	selfcheck_spool(struct selfcheck *, const char *path, uid_t, gid_t,
	    int as_root);
void	selfcheck_analyzer_user(struct selfcheck *, const char *user,
	    gid_t spool_gid);
void	selfcheck_space(struct selfcheck *, const char *path,
	    unsigned long long min_free);
void	selfcheck_persona(struct selfcheck *, const struct config *,
	    int tls);
int	selfcheck_sensor(const struct config *, const struct privdrop_user *);

#endif
