/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * charset: iconv descriptors to UTF-8, kept open by charset name. The C
 * library loads a charset's module (a shared object) when a descriptor
 * for it is opened and unloads it soon after the last one is closed: a
 * message in KOI8-R after one in ISO-8859-1 paid a dlopen, a dlclose and
 * the unmapping (a TLB flush on every core) each time, a tenth of the
 * parse child's time on a backlog of mixed charsets. The last
 * CHARSET_KEPT charsets keep theirs, unknown names included (iconv's
 * look-up of a name it does not know is not free either).
 */
#include "autoconf.h"

#include <string.h>
#include <strings.h>

#include <gmime/gmime.h>

#include "charset.h"

#define CHARSET_KEPT		16
#define CHARSET_NAME_MAX	64	/* longer names are not kept */

struct charset_slot {
	int	 used;
	char	 name[CHARSET_NAME_MAX];
	iconv_t	 cd;
};

static struct charset_slot	charset_slots[CHARSET_KEPT];
static size_t			charset_next;	/* the slot to reuse */

static void
charset_close(struct charset_slot *s)
{
	if (s->used && s->cd != (iconv_t)-1)
		g_mime_iconv_close(s->cd);
	s->used = 0;
}

iconv_t
charset_to_utf8(const char *charset)
{
	struct charset_slot *s;
	size_t i;

	for (i = 0; i < CHARSET_KEPT; i++)
		if (charset_slots[i].used &&
		    strcasecmp(charset_slots[i].name, charset) == 0)
			return charset_slots[i].cd;
	/* no charset's name is that long (IANA's longest has 45 bytes) */
	if (strlen(charset) >= CHARSET_NAME_MAX)
		return (iconv_t)-1;
	/* round robin: a backlog's charsets come back in turn */
	s = &charset_slots[charset_next];
	charset_next = (charset_next + 1) % CHARSET_KEPT;
	charset_close(s);
	s->cd = g_mime_iconv_open("UTF-8", charset);
	strcpy(s->name, charset);
	s->used = 1;
	return s->cd;
}

void
charset_forget(void)
{
	size_t i;

	for (i = 0; i < CHARSET_KEPT; i++)
		charset_close(&charset_slots[i]);
	charset_next = 0;
}
