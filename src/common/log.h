/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * log: syslog (and stderr in the foreground) for the parent and the
 * analyzer; a pipe to the parent for sandboxed workers.
 */
#ifndef SPAMPOT_LOG_H
#define SPAMPOT_LOG_H

#include <stdarg.h>
#include <sys/types.h>

void	log_init(const char *ident, int foreground, int facility);
void	log_to_pipe(int fd);
void	log_set_debug(int);
void	log_relay(pid_t from, int priority, const char *line);
void	log_batch(int on);
void	log_flush_now(void);

void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	fatal(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#endif
