/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * geoip: country and autonomous system of a client address, from
 * MaxMind-format database files (libmaxminddb), offline. Analyzer only.
 */
#ifndef SPAMPOT_GEOIP_H
#define SPAMPOT_GEOIP_H

#include <stdint.h>

struct config;
struct geoip;

struct geoip_info {
	char		country[3];	/* ISO 3166 code; "" unknown */
	uint32_t	asn;		/* 0 unknown */
	char		as_org[256];	/* valid UTF-8; "" unknown */
};

/* The files the config names (geoip_country_db, geoip_asn_db); NULL when
 * it names none. A file that does not open is a setup failure: fatal. */
struct geoip	*geoip_open(const struct config *);
void		 geoip_close(struct geoip *);
/* What the files say about a numeric address; all unknown with a NULL
 * geoip. Returns 1 if anything is known, 0 if not. */
int		 geoip_lookup(const struct geoip *, const char *ip,
		    struct geoip_info *);

#endif
