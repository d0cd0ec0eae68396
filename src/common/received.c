/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * received: the Received: line of each persona's MTA (received.h). The
 * formats are those of Postfix 3.7, Exim 4.96 and Exchange 2019 as they
 * write them for a message that came in over plain ESMTP. Used by
 * spampot-analyzer, unprivileged, when it queues a probe.
 */
#include "autoconf.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "received.h"

/* Fields: %H our host name, %C the client's HELO name, %A its address,
 * %I the queue id, %F the envelope sender, %R the recipient, %D the date
 * (RFC 5322, UTC). */
static const struct {
	const char	*persona;
	const char	*format;
} received_formats[] = {
	{ "postfix-debian",
	    "Received: from %C (%C [%A])\r\n\tby %H (Postfix) with ESMTP id %I"
	    "\r\n\tfor <%R>; %D" },
	{ "exim-debian",
	    "Received: from [%A] (helo=%C)\r\n\tby %H with esmtp (Exim 4.96)"
	    "\r\n\t(envelope-from <%F>)\r\n\tid %I\r\n\tfor %R; %D" },
	{ "exchange",
	    "Received: from %C (%A) by %H (%A) with Microsoft SMTP Server "
	    "(version=TLS1_2,\r\n\tcipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384)"
	    " id 15.2.1118.40; %D" },
	{ "rfc821",
	    "Received: from %C (%C [%A])\r\n\tby %H (Postfix) with ESMTP id %I"
	    "\r\n\tfor <%R>; %D" },
};

/* A field's value; a header line carries no CR, LF or NUL, so a byte a
 * client chose that would end the line becomes '?'. */
static int
received_field(struct buf *b, const char *v)
{
	size_t i;
	char c;

	for (i = 0; v[i] != '\0'; i++) {
		c = (v[i] == '\r' || v[i] == '\n') ? '?' : v[i];
		if (buf_append(b, &c, 1) == -1)
			return -1;
	}
	return 0;
}

int
received_line(struct buf *b, const char *persona,
    const struct received_fields *f)
{
	const char *fmt = received_formats[0].format, *p, *v;
	char date[64];
	struct tm tm;
	size_t i;

	for (i = 0; i < sizeof(received_formats) /
	    sizeof(received_formats[0]); i++)
		if (strcmp(persona, received_formats[i].persona) == 0)
			fmt = received_formats[i].format;
	gmtime_r(&f->when, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000 (UTC)", &tm);
	for (p = fmt; *p != '\0'; p++) {
		if (*p != '%' || p[1] == '\0') {
			if (buf_append(b, p, 1) == -1)
				return -1;
			continue;
		}
		switch (*++p) {
		case 'H': v = f->host; break;
		case 'C': v = f->helo; break;
		case 'A': v = f->addr; break;
		case 'I': v = f->queue_id; break;
		case 'F': v = f->from; break;
		case 'R': v = f->rcpt; break;
		case 'D': v = date; break;
		default: v = "%"; break;
		}
		if (received_field(b, v) == -1)
			return -1;
	}
	return buf_append(b, "\r\n", 2);
}
