/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * supervise: the parent's loop after the privilege drop: spawn the
 * workers, reap and respawn them, relay their log lines, reload on SIGHUP,
 * drain on SIGTERM/SIGINT.
 */
#ifndef SPAMPOT_SUPERVISE_H
#define SPAMPOT_SUPERVISE_H

#include <stddef.h>

struct config;
struct tls_ctx;

struct supervise_setup {
	struct config	*cf;		/* owned; replaced on reload */
	const char	*conf_path;
	int		*listen_fds;
	size_t		 nlisten;
	int		 spool_fd;
	int		 sandbox_trap;
	struct tls_ctx	*tls;		/* made as root; NULL: no TLS */
};

int	supervise_run(struct supervise_setup *);

#endif
