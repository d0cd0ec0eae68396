/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * spool: one file per SMTP session, written in tmp/ as the session goes and
 * renamed into new/ when it ends. The format is spampot-spool(5); its
 * records are written by spoolfmt's writers (spoolfmt.h).
 */
#ifndef SPAMPOT_SPOOL_H
#define SPAMPOT_SPOOL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "spoolfmt.h"

struct spool_meta {
	const char	*session_id;
	const char	*sensor;
	const char	*client_ip;
	unsigned	 client_port;
	const char	*server_ip;
	unsigned	 server_port;
};

struct spool_file;

int		 spool_set_writer(int dirfd, pid_t);
const char	*spool_writer_dir(void);
struct spool_file *spool_create(int dirfd, const struct spool_meta *);
const char	*spool_name(const struct spool_file *);
struct buf	*spool_record_begin(struct spool_file *);
void		 spool_record_end(struct spool_file *, int rc);
void		 spool_transcript(struct spool_file *, char dir,
		    const char *eol, const char *, size_t);
void		 spool_body(struct spool_file *, const char *, size_t);
int		 spool_flush(struct spool_file *);
int		 spool_failed(const struct spool_file *);
size_t		 spool_pending(const struct spool_file *);
uint64_t	 spool_record_bytes(const struct spool_file *);
void		 spool_write_now(const struct spool_file *);
int		 spool_finish(struct spool_file *, const char *reason,
		    int do_fsync);
void		 spool_abandon(struct spool_file *);
void		 spool_release(struct spool_file *);
/* spool_admin.c: the parent's side */
int		 spool_prepare(const char *path, uid_t, gid_t);
int		 spool_recover(int dirfd, pid_t only_pid);

#endif
