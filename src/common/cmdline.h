/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * cmdline: the options spampotd and spampot-analyzer share.
 */
#ifndef SPAMPOT_CMDLINE_H
#define SPAMPOT_CMDLINE_H

/* What -c, -d, -f and -t set; conf_path starts as the default. */
struct cmdline {
	const char	*conf_path;
	int		 debug;
	int		 foreground;
	int		 check;
};

int	cmdline_option(struct cmdline *, int ch, const char *arg,
	    const char *program);

#endif
