/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * pwfile: the database password, the first line of mysql_password_file
 * (or of spampot-report's --password-file) without its line end. Read by
 * spampot-analyzer at start-up, while it still has the privileges it was
 * started with and before its sandbox, and by spampot-report as whoever
 * runs it. A file that every user may read is reported to the caller,
 * which warns where its messages go (the analyzer's log, the report's
 * standard error).
 */
#include "autoconf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pwfile.h"

/*
 * The password, malloc'd; *exposed set when the file is readable by
 * others. NULL with err ("PATH: reason") when the file cannot be read.
 * An empty file is an empty password.
 */
char *
pwfile_read(const char *path, int *exposed, char *err, size_t errlen)
{
	char line[1024], *pw;
	struct stat st;
	FILE *fp;

	*exposed = 0;
	if ((fp = fopen(path, "re")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fileno(fp), &st) == 0 && (st.st_mode & S_IROTH))
		*exposed = 1;
	if (fgets(line, sizeof(line), fp) == NULL)
		line[0] = '\0';
	fclose(fp);
	line[strcspn(line, "\r\n")] = '\0';
	if ((pw = strdup(line)) == NULL)
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
	explicit_bzero(line, sizeof(line));
	return pw;
}
