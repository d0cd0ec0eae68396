/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * cmdline: the command-line options the two daemons, spampotd and
 * spampot-analyzer, share and document alike (spampotd(8),
 * spampot-analyzer(8)): -c file, -d, -f, -t, -V. Each main() runs
 * getopt with its own option string and hands every option here first;
 * what is not one of these is the program's own (the analyzer's --once)
 * or a usage error. Runs first thing in main, as the user who started
 * the program, before the configuration is read and before any
 * privilege is dropped.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>

#include "cmdline.h"

/* 1 when ch was one of the shared options (-V prints the version and
 * exits), 0 when it is the caller's to handle. */
int
cmdline_option(struct cmdline *cl, int ch, const char *arg,
    const char *program)
{
	switch (ch) {
	case 'c':
		cl->conf_path = arg;
		return 1;
	case 'd':
		cl->debug = 1;
		return 1;
	case 'f':
		cl->foreground = 1;
		return 1;
	case 't':
		cl->check = 1;
		return 1;
	case 'V':
		printf("%s %s\n", program, PACKAGE_VERSION);
		exit(0);
	default:
		return 0;
	}
}
