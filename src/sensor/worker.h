/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * worker: a pre-forked, sandboxed SMTP worker: accept on the inherited
 * listeners and serve many sessions in one epoll loop.
 */
#ifndef SPAMPOT_WORKER_H
#define SPAMPOT_WORKER_H

#include <stddef.h>

struct config;
struct addrcount;
struct tls_ctx;

struct worker_ctx {
	const struct config	*cf;
	const int		*listen_fds;
	size_t			 nlisten;
	int			 spool_fd;
	int			 log_fd;	/* write end, to the parent */
	int			 lifeline_fd;	/* EOF when the parent dies */
	struct addrcount		*addrcount;
	unsigned		 row;
	int			 sandbox_trap;
	struct tls_ctx		*tls;		/* NULL: no certificate */
};

void	worker_main(const struct worker_ctx *) __attribute__((noreturn));

#endif
