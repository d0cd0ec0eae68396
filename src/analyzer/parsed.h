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

#include "geoip.h"

struct extract_result;
struct mime_message;
struct relay_decision;
struct spool_session;

/* What the parse child made of one message of a session. */
struct parsed_message {
	const struct mime_message	*mime;
	const struct extract_result	*found;
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
};

#endif
