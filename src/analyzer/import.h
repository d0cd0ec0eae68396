/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * import: the analyzer's reading side of an import: a spool file read,
 * parsed, MIME-walked and counted (parsed.h), ready for the store; and a
 * sandboxed child process that does this for the next files of a list
 * while the analyzer stores the previous ones.
 */
#ifndef SPAMPOT_IMPORT_H
#define SPAMPOT_IMPORT_H

#include <stddef.h>

#include "inspect.h"
#include "parsed.h"
#include "spool_read.h"

struct extract_patterns;
struct mime_message;
struct extract_result;

/* What the parse child does with each message besides MIME and
 * extraction, as the configuration asks. */
struct import_opts {
	const struct extract_patterns	*patterns;
	int				 wire_flags;	/* IMPORT_WIRE_* */
	int				 digests;	/* campaigns: simtext.h */
	int				 inspect;	/* real types, archives */
	struct inspect_limits		 limits;	/* of archives */
};

enum import_status {
	IMPORT_OK,
	IMPORT_GONE,		/* no such file: taken care of already */
	IMPORT_UNREADABLE,	/* our problem, not the file's: it waits */
	IMPORT_BAD,		/* the file's fault: bad/ */
	IMPORT_NOMEM,		/* out of memory in MIME or extraction */
};

/* One spool file made ready for the store. */
struct import_file {
	enum import_status	 status;
	char			 err[512];	/* why, unless IMPORT_OK */
	size_t			 bytes;		/* the file's size */
	struct spool_session	 s;		/* IMPORT_OK: */
	struct mime_message	*mime;		/* s.nmsgs of each */
	struct extract_result	*found;
	struct parsed_more	*more;
	struct parsed_message	*parsed;
};

int	import_file(int dirfd, const char *name,
	    const struct extract_patterns *, struct import_file *);
void	import_file_clear(struct import_file *);

/*
 * The parse-ahead, in a parse child of its own (see import.c). import_spawn
 * forks its spawner, before the analyzer holds anything a parser must not
 * have; INIT(ARG) runs in the spawner first (the drop of privileges).
 * OPTS: what the child does and what comes back besides the summary
 * (IMPORT_WIRE_*: attachment contents for the quarantine, text parts for
 * the relay).
 * TRAP: the child's filter reports a forbidden call on stderr. import_start
 * says where names are (AT_FDCWD: paths). import_begin hands it a list of
 * names; they are parsed in order, a bounded number ahead; import_next
 * gives each result in the order of the list, exactly once, until
 * import_end, which drops what was parsed but not taken. The list must
 * live until import_end.
 */
struct import_ahead;

struct import_ahead *import_spawn(const struct import_opts *, int trap,
	    void (*init)(void *), void *arg);
/* Compiled YARA rules (yara_rules_save's bytes, copied) for the parse
 * child, now and after every respawn; N 0: none. 0, or -1 no memory. */
int	import_rules(struct import_ahead *, const void *p, size_t n);
void	import_start(struct import_ahead *, int dirfd);
void	import_stop(struct import_ahead *);
void	import_begin(struct import_ahead *, const char *const *names, size_t n);
void	import_next(struct import_ahead *, struct import_file *);
void	import_end(struct import_ahead *);

#endif
