/*
 * parse: the analyzer's reading side of an import: a spool file read,
 * parsed, MIME-walked and counted, ready for store_import; and a
 * sandboxed child process that does this for the next files of a list
 * while the analyzer stores the previous ones.
 */
#ifndef SPAMPOT_PARSE_H
#define SPAMPOT_PARSE_H

#include <stddef.h>

#include "spool_read.h"
#include "store.h"

struct extract_patterns;
struct mime_message;
struct extract_result;

enum parse_status {
	PARSE_OK,
	PARSE_GONE,		/* no such file: taken care of already */
	PARSE_UNREADABLE,	/* our problem, not the file's: it waits */
	PARSE_BAD,		/* the file's fault: bad/ */
	PARSE_NOMEM,		/* out of memory in MIME or extraction */
};

/* One spool file made ready for the store. */
struct parse_file {
	enum parse_status	 status;
	char			 err[512];	/* why, unless PARSE_OK */
	size_t			 bytes;		/* the file's size */
	struct spool_session	 s;		/* PARSE_OK: */
	struct mime_message	*mime;		/* s.nmsgs of each */
	struct extract_result	*found;
	struct store_message	*sm;
};

int	parse_file(int dirfd, const char *name,
	    const struct extract_patterns *, struct parse_file *);
void	parse_file_free(struct parse_file *);

/*
 * The parse-ahead, in a parse child of its own (see parse.c). parse_spawn
 * forks its spawner, before the analyzer holds anything a parser must not
 * have; INIT(ARG) runs in the spawner first (the drop of privileges).
 * WITH_DATA: attachment contents come back (the quarantine keeps them).
 * TRAP: the child's filter reports a forbidden call on stderr. parse_start
 * says where names are (AT_FDCWD: paths). parse_begin hands it a list of
 * names; they are parsed in order, a bounded number ahead; parse_next
 * gives each result in the order of the list, exactly once, until
 * parse_end, which drops what was parsed but not taken. The list must
 * live until parse_end.
 */
struct parse_ahead;

struct parse_ahead *parse_spawn(const struct extract_patterns *,
	    int with_data, int trap, void (*init)(void *), void *arg);
void	parse_start(struct parse_ahead *, int dirfd);
void	parse_stop(struct parse_ahead *);
void	parse_begin(struct parse_ahead *, const char *const *names, size_t n);
void	parse_next(struct parse_ahead *, struct parse_file *);
void	parse_end(struct parse_ahead *);

#endif
