/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * sandbox: confine a process role. Two functions: apply the worker's
 * filters, and (for tests) say whether Landlock is there.
 */
#ifndef SPAMPOT_SANDBOX_H
#define SPAMPOT_SANDBOX_H

#include <stddef.h>

struct sandbox_syscall {
	const char	*name;
	const char	*why;
};

/* sandbox_rules.c: the worker's allow-list */
extern const struct sandbox_syscall sandbox_worker_allow[];
extern const size_t sandbox_worker_nallow;

extern const struct sandbox_syscall sandbox_analyzer_deny[];
extern const size_t sandbox_analyzer_ndeny;

/* the analyzer's parse child (import.c) */
extern const struct sandbox_syscall sandbox_parser_allow[];
extern const size_t sandbox_parser_nallow;

/* spampot-relay */
extern const struct sandbox_syscall sandbox_relay_allow[];
extern const size_t sandbox_relay_nallow;

void	sandbox_worker(int spool_fd, const char *tmp, int trap_log_fd);
void	sandbox_relay(int relay_dir_fd, unsigned port, int trap_log_fd);
void	sandbox_parser(int trap_log_fd);
void	sandbox_parser_log(void);
void	sandbox_analyzer(void);
void	sandbox_no_dumps(int no_processes);
int	sandbox_landlock_abi(void);

#endif
