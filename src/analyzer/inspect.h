/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * inspect: what an attachment really is (analyzer's parse child): its
 * type by content (libmagic) beside the declared one, and, for an archive
 * (zip, rar, 7z, gzip, tar, ... nested), every member to a configured
 * depth (libarchive), within limits on members, expanded bytes and ratio.
 */
#ifndef SPAMPOT_INSPECT_H
#define SPAMPOT_INSPECT_H

#include <stddef.h>
#include <stdint.h>

struct inspect_limits {
	unsigned	depth;		/* archives inside archives; 0: none
					 * (the attachment's own members are
					 * listed, not opened) */
	unsigned	members;	/* headers read per attachment, all
					 * depths, directories included */
	uint64_t	bytes;		/* expanded, per attachment: also
					 * bounds the memory held */
	unsigned	ratio;		/* expanded : compressed, of each
					 * archive's members read so far
					 * (measured, past 1 MiB); 0: none */
};

/* What became of an archive and those inside it, by priority (the
 * enum's order, highest wins): the members, bytes or ratio limit that
 * ended the walk; else the depth limit (which only stops a descent: the
 * members beside it are still listed); else damaged, decrypted,
 * encrypted, ok. Members read before a limit or damage stay listed. */
enum inspect_archive {
	INSPECT_NOT_ARCHIVE = 0,
	INSPECT_ARCHIVE_OK,
	INSPECT_ARCHIVE_ENCRYPTED,	/* no password given worked */
	INSPECT_ARCHIVE_DECRYPTED,	/* a password from the text did */
	INSPECT_ARCHIVE_DAMAGED,	/* read as far as it went */
	INSPECT_ARCHIVE_LIMIT_DEPTH,
	INSPECT_ARCHIVE_LIMIT_MEMBERS,
	INSPECT_ARCHIVE_LIMIT_BYTES,
	INSPECT_ARCHIVE_LIMIT_RATIO,
};
/* "", "ok", "encrypted", "decrypted", "damaged", "limit-depth", ... */
const char	*inspect_archive_name(enum inspect_archive);

#define INSPECT_MEMBER_ENCRYPTED	1	/* content not read */
#define INSPECT_MEMBER_TRUNCATED	2	/* a limit cut it short */
#define INSPECT_MEMBER_MISMATCH		4	/* name vs real type */

/* A member: a file, or a link (listed, not followed: real_type
 * "inode/symlink", or NULL for a hard link). Directories are not listed. */
struct inspect_member {
	char		*path;		/* UTF-8; a nested member's path is
					 * "inner.zip/dir/file"; a lone gzip
					 * stream's is its name less ".gz" */
	unsigned	 depth;		/* 1: in the attachment itself */
	uint64_t	 size;		/* bytes read (expanded) */
	char		 md5[33];
	char		 sha1[41];
	char		 sha256[65];
	char		*real_type;	/* libmagic MIME type; NULL: none */
	int		 flags;		/* INSPECT_MEMBER_* */
};

struct inspect_result {
	char			*real_type;	/* of the attachment */
	int			 mismatch;	/* declared type or name's
						 * extension vs real type */
	enum inspect_archive	 archive;
	char			*password;	/* the one that worked, or NULL */
	struct inspect_member	*members;
	size_t			 nmembers;
};

struct inspect_ctx;

/* Loads libmagic's database, a UTF-8 locale, the time zone and OpenSSL's
 * configuration: before the sandbox. NULL with ERR. */
struct inspect_ctx *inspect_open(const struct inspect_limits *, char *err,
		    size_t errlen);
void		 inspect_close(struct inspect_ctx *);
/*
 * One attachment. PASSWORDS: tried on an encrypted archive, in order.
 * EACH, when not NULL, is called with every member's content once it is
 * read (as far as the limits let it: for YARA), before it is dropped;
 * not for links, nor for members no password opened. 0, or -1 out of
 * memory (RESULT then empty). No file is opened, nothing forks.
 */
int		 inspect_attachment(struct inspect_ctx *, const char *filename,
		    const char *declared_type, const unsigned char *data,
		    size_t len, const char *const *passwords, size_t npasswords,
		    void (*each)(void *arg, const struct inspect_member *,
		    const unsigned char *data, size_t len), void *arg,
		    struct inspect_result *);
void		 inspect_result_clear(struct inspect_result *);
/* Password candidates a message's text gives ("password: xyz", "pass
 * 1234", "пароль: ..."): malloc'd array of malloc'd strings, at most MAX;
 * *N set. NULL with *N 0 when none (or no memory). */
char		**inspect_passwords(const char *text, size_t max, size_t *n);
void		 inspect_passwords_free(char **, size_t);

#endif
