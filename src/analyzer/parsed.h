/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * parsed: what the analyzer made of one spool file, as the store and the
 * event log take it: the session's records (spool_read.c), what the parse
 * child made of each message (MIME and the counted values, import.c,
 * checked by import_wire.c), and what the analyzer added to it before
 * storing (enrichment: the client address's country and AS, geoip.c).
 * Declarations only; used in spampot-analyzer, unprivileged, and in its
 * sandboxed parse child.
 */
#ifndef SPAMPOT_PARSED_H
#define SPAMPOT_PARSED_H

#include <stdint.h>

#include "geoip.h"
#include "inspect.h"
#include "simtext.h"
#include "yara_rules.h"

struct extract_result;
struct mime_message;
struct relay_decision;
struct spool_session;

/* A YARA rule that matched in a message: on the message as received
 * (att -1), on an attachment (its place in mime->atts), or on a member
 * of one (member: its path). */
struct parsed_yara {
	struct yara_match	 m;
	int			 att;
	char			*member;	/* NULL: the attachment itself */
};

/* What the parse child found besides MIME and the counted values: the
 * campaign digests, what each attachment really is, the YARA matches. */
struct parsed_more {
	struct simtext_digest	 sim;
	struct inspect_result	*insp;	/* mime->natts of them, or NULL */
	struct parsed_yara	*yara;
	size_t			 nyara;
};

/* What the parse child made of one message of a session. */
struct parsed_message {
	const struct mime_message	*mime;
	const struct extract_result	*found;
	const struct parsed_more	*more;
};

/* The campaign the analyzer put a message in (campaign.h): id 0 for
 * none; its link domains (registrable, distinct, sorted). */
struct parsed_campaign {
	uint64_t		 id;
	int			 created;	/* by this message */
	char			**domains;
	size_t			 ndomains;
};

/* One spool file ready for the store: filled by the analyzer from an
 * import_file, then enriched (geo) before store_import. */
struct parsed_session {
	const char			*name;	/* the spool file's */
	const struct spool_session	*s;
	const struct parsed_message	*msgs;	/* s->nmsgs of them */
	struct geoip_info		 geo;	/* of s->client_ip */
	const struct relay_decision	*relay;	/* s->nmsgs of them, or NULL
						 * (relay = off) */
	const struct parsed_campaign	*campaign;	/* s->nmsgs of them,
						 * or NULL (campaigns = no) */
};

#endif
