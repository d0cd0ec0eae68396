/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * geoip: the country and autonomous system of a client address, read from
 * MaxMind-format (.mmdb) files with libmaxminddb: GeoLite2/GeoIP2 Country
 * or City for the country, GeoLite2/GeoIP2 ASN for the AS, or any file with
 * the same fields (DB-IP's "lite" files have them). Run by the analyzer:
 * the files are opened (mmap) at start, as root before the privilege drop,
 * and only read afterwards. Never a network lookup: libmaxminddb parses
 * the address as numeric only.
 */
#include "autoconf.h"

#include <maxminddb.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "geoip.h"
#include "log.h"
#include "utf8.h"

struct geoip {
	MMDB_s	country;
	MMDB_s	asn;
	int	has_country, has_asn;
};

static void
geoip_open_one(const char *path, MMDB_s *db, int *has)
{
	int rc;

	if (path[0] == '\0')
		return;
	if ((rc = MMDB_open(path, MMDB_MODE_MMAP, db)) != MMDB_SUCCESS)
		fatalx("GeoIP database %s: %s", path, MMDB_strerror(rc));
	*has = 1;
	log_info("GeoIP database %s: %s, built %llu", path,
	    db->metadata.database_type,
	    (unsigned long long)db->metadata.build_epoch);
}

struct geoip *
geoip_open(const struct config *cf)
{
	struct geoip *g;

	if (cf->geoip_country_db[0] == '\0' && cf->geoip_asn_db[0] == '\0')
		return NULL;
	if ((g = calloc(1, sizeof(*g))) == NULL)
		fatal("geoip");
	geoip_open_one(cf->geoip_country_db, &g->country, &g->has_country);
	geoip_open_one(cf->geoip_asn_db, &g->asn, &g->has_asn);
	return g;
}

void
geoip_close(struct geoip *g)
{
	if (g == NULL)
		return;
	if (g->has_country)
		MMDB_close(&g->country);
	if (g->has_asn)
		MMDB_close(&g->asn);
	free(g);
}

static int
geoip_find(const MMDB_s *db, const char *ip, MMDB_lookup_result_s *r)
{
	int gai_error = 0, mmdb_error = MMDB_SUCCESS;

	*r = MMDB_lookup_string(db, ip, &gai_error, &mmdb_error);
	return gai_error == 0 && mmdb_error == MMDB_SUCCESS && r->found_entry;
}

/* A string at the path (NULL-terminated list of keys) into dst. */
static int
geoip_string(MMDB_entry_s *e, char *dst, size_t len, const char *const *path)
{
	MMDB_entry_data_s d;
	char *clean;

	if (MMDB_aget_value(e, &d, path) != MMDB_SUCCESS || !d.has_data ||
	    d.type != MMDB_DATA_TYPE_UTF8_STRING)
		return 0;
	if ((clean = utf8_sanitize(d.utf8_string, d.data_size)) == NULL)
		return 0;
	memcpy(dst, clean, utf8_prefix(clean, len - 1));
	dst[utf8_prefix(clean, len - 1)] = '\0';
	free(clean);
	return dst[0] != '\0';
}

static void
geoip_country(const struct geoip *g, const char *ip, struct geoip_info *gi)
{
	static const char *const country[] = { "country", "iso_code", NULL };
	static const char *const registered[] = { "registered_country",
	    "iso_code", NULL };
	MMDB_lookup_result_s r;
	char code[8];

	if (!g->has_country || !geoip_find(&g->country, ip, &r))
		return;
	if (!geoip_string(&r.entry, code, sizeof(code), country) &&
	    !geoip_string(&r.entry, code, sizeof(code), registered))
		return;
	if (strlen(code) == 2 && code[0] >= 'A' && code[0] <= 'Z' &&
	    code[1] >= 'A' && code[1] <= 'Z')
		memcpy(gi->country, code, 3);
}

static void
geoip_asn(const struct geoip *g, const char *ip, struct geoip_info *gi)
{
	static const char *const number[] = { "autonomous_system_number",
	    NULL };
	static const char *const org[] = { "autonomous_system_organization",
	    NULL };
	MMDB_lookup_result_s r;
	MMDB_entry_data_s d;

	if (!g->has_asn || !geoip_find(&g->asn, ip, &r))
		return;
	if (MMDB_aget_value(&r.entry, &d, number) == MMDB_SUCCESS &&
	    d.has_data) {
		if (d.type == MMDB_DATA_TYPE_UINT32)
			gi->asn = d.uint32;
		else if (d.type == MMDB_DATA_TYPE_UINT16)
			gi->asn = d.uint16;
	}
	geoip_string(&r.entry, gi->as_org, sizeof(gi->as_org), org);
}

int
geoip_lookup(const struct geoip *g, const char *ip, struct geoip_info *gi)
{
	memset(gi, 0, sizeof(*gi));
	if (g == NULL)
		return 0;
	geoip_country(g, ip, gi);
	geoip_asn(g, ip, gi);
	return gi->country[0] != '\0' || gi->asn != 0 || gi->as_org[0] != '\0';
}
