/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * paths: where an installed spampot looks for its files by default. The
 * build passes the configured prefix's paths (Makefile.am); these are the
 * fallbacks of a build without them.
 */
#ifndef SPAMPOT_PATHS_H
#define SPAMPOT_PATHS_H

#ifndef SPAMPOT_SYSCONF_DIR
#define SPAMPOT_SYSCONF_DIR	"/etc/spampot"
#endif
#ifndef SPAMPOT_CONFIG_FILE
#define SPAMPOT_CONFIG_FILE	SPAMPOT_SYSCONF_DIR "/spampot.conf"
#endif
#ifndef SPAMPOT_SPOOL_DIR
#define SPAMPOT_SPOOL_DIR	"/var/spool/spampot"
#endif

#endif
