/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * mime: one message's MIME structure walked with GMime 3 (analyzer only):
 * the decoded subject, headers and text, and the attachments.
 */
#ifndef SPAMPOT_MIME_H
#define SPAMPOT_MIME_H

#include <stddef.h>
#include <stdint.h>

struct mime_attachment {
	char		*filename;	/* UTF-8, or NULL when it has none */
	char		*content_type;	/* "type/subtype", lower case */
	unsigned char	*data;		/* decoded content */
	size_t		 size;
	char		 md5[33];	/* lower-case hex */
	char		 sha1[41];
	char		 sha256[65];
};

struct mime_message {
	char			*subject;	/* decoded to UTF-8; NULL: none */
	char			*headers;	/* every header of the message and
						 * of attached messages, decoded
						 * to UTF-8, "Name: value\n" */
	char			**texts;	/* text parts as UTF-8 (plain, and
						 * uuencoded text found in them) */
	size_t			 ntexts;
	char			**htmls;	/* HTML parts as UTF-8 */
	size_t			 nhtmls;
	struct mime_attachment	*atts;
	size_t			 natts;
};

void	mime_init(void);
int	mime_parse(const unsigned char *raw, size_t len, struct mime_message *);
void	mime_message_clear(struct mime_message *);

#endif
