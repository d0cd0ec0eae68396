/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * privdrop: become the unprivileged user for good.
 */
#ifndef SPAMPOT_PRIVDROP_H
#define SPAMPOT_PRIVDROP_H

#include <sys/types.h>

struct privdrop_user {
	uid_t	uid;
	gid_t	gid;		/* the user's primary group */
	gid_t	spool_gid;	/* spool_group, or gid */
};

int	privdrop_lookup(const char *user, const char *group,
	    struct privdrop_user *, char *err, size_t errlen);
void	privdrop_drop(const char *user, const struct privdrop_user *);
int	privdrop_can_regain(void);

#endif
