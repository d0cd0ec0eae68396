/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * report_net: an address or a network (CIDR) given to `search --ip` as the
 * range of sessions.client_ip_bin it covers. That column holds every
 * client address as 16 bytes, IPv4 mapped into ::ffff:0:0/96, so one index
 * range answers "sessions from 198.51.100.0/24" or "from 2001:db8::/32".
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_int.h"

int
rnet_range(const char *s, unsigned char lo[16], unsigned char hi[16])
{
	char addr[64];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	unsigned long bits;
	char *end;
	int i, v4;

	if (alen == 0 || alen >= sizeof(addr))
		return -1;
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	memset(lo, 0, 16);
	if (inet_pton(AF_INET, addr, lo + 12) == 1) {
		v4 = 1;
		lo[10] = lo[11] = 0xff;
	} else if (inet_pton(AF_INET6, addr, lo) == 1)
		v4 = 0;
	else
		return -1;
	bits = v4 ? 32 : 128;
	if (slash != NULL) {
		if (!isdigit((unsigned char)slash[1]))
			return -1;
		bits = strtoul(slash + 1, &end, 10);
		if (*end != '\0' || bits > (v4 ? 32UL : 128UL) ||
		    end - slash > 4)
			return -1;
	}
	if (v4)
		bits += 96;
	/* the network's first and last address, whatever host bits were
	 * given */
	for (i = 0; i < 16; i++) {
		int keep = (int)bits - 8 * i;
		unsigned char mask = keep >= 8 ? 0xff : keep <= 0 ? 0 :
		    (unsigned char)(0xff << (8 - keep));

		lo[i] &= mask;
		hi[i] = (unsigned char)(lo[i] | (unsigned char)~mask);
	}
	return 0;
}
