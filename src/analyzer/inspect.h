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
	unsigned	depth;		/* archives inside archives; 0: none */
	unsigned	members;	/* per attachment, all depths */
	uint64_t	bytes;		/* expanded, per attachment */
	unsigned	ratio;		/* expanded : compressed, per member */
};

/* What became of an archive (INSPECT_ARCHIVE_*), by priority: the first
 * limit reached ends the walk and is what is recorded. */
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

struct inspect_member {
	char		*path;		/* UTF-8; a nested member's path is
					 * "inner.zip/dir/file" */
	unsigned	 depth;		/* 1: in the attachment itself */
	uint64_t	 size;		/* bytes read (expanded) */
	char		 md5[33];
	char		 sha1[41];
	char		 sha256[65];
	char		*real_type;	/* libmagic MIME type */
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

/* Loads libmagic's database: before the sandbox. NULL with ERR. */
struct inspect_ctx *inspect_open(const struct inspect_limits *, char *err,
		    size_t errlen);
void		 inspect_close(struct inspect_ctx *);
/*
 * One attachment. PASSWORDS: tried on an encrypted archive, in order.
 * EACH, when not NULL, is called with every member's content as it is
 * read (for YARA), before it is dropped. 0, or -1 out of memory.
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
