/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * pwfile: the database password, read from the first line of a file.
 */
#ifndef SPAMPOT_PWFILE_H
#define SPAMPOT_PWFILE_H

#include <stddef.h>

/* What each program says, its own way, when *exposed is set. */
#define PWFILE_EXPOSED	"%s is readable by every user: chmod 0640 it"

char	*pwfile_read(const char *path, int *exposed, char *err,
	    size_t errlen);

#endif
