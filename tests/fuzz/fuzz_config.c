/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * fuzz_config: libFuzzer entry point for the config parser
 * (src/common/conf.c, conf_parse_buffer). The input is a whole file. A
 * rejected file must come with a message; an accepted one with the values
 * every process relies on.
 */
#include "autoconf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fuzz_die(const char *what)
{
	fprintf(stderr, "fuzz_config: %s\n", what);
	abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config cf;
	char err[CONF_ERR_MAX];
	size_t i;

	if (conf_parse_buffer(&cf, "fuzz.conf", (const char *)data, size,
	    err, sizeof(err)) == -1) {
		if (err[0] == '\0' || strnlen(err, sizeof(err)) == sizeof(err))
			fuzz_die("rejected without a message");
		return 0;
	}
	if (err[0] != '\0')
		fuzz_die("accepted with a message");
	if (cf.nlisten == 0 || cf.nlisten > CONF_MAX_LISTEN ||
	    cf.workers == 0 || cf.workers > CONF_MAX_WORKERS ||
	    cf.hostname == NULL || cf.hostname[0] == '\0' ||
	    cf.sensor == NULL || cf.sensor[0] == '\0' ||
	    cf.user == NULL || cf.user[0] == '\0' ||
	    cf.spool_dir == NULL || cf.spool_dir[0] != '/')
		fuzz_die("accepted without a required value");
	for (i = 0; i < cf.npatterns; i++)
		if (cf.patterns[i].name[0] == '\0' ||
		    cf.patterns[i].regex[0] == '\0')
			fuzz_die("empty pattern");
	conf_clear(&cf);
	return 0;
}
