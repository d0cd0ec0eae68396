// Copyright (c) 2026 The spampot authors
// SPDX-License-Identifier: ISC (the licence text is in LICENSE)
/*
 * tlsh_shim: TLSH (libtlsh, C++) behind two C functions, for simtext.c
 * and campaign.c. Runs in spampot-analyzer (its parse child and the
 * importer), unprivileged; it only computes, so it needs no system call
 * beyond memory. No exception and no C++ type crosses into C: every
 * entry point catches everything and answers -1.
 *
 * What libtlsh 3.4.4 (Debian's libtlsh-dev, "compact hash 1 byte
 * checksum") does, found by experiment (and checked in test_simtext.c):
 *   - fewer than 256 bytes (MIN_DATA_LENGTH) give no digest;
 *   - neither do inputs with too little variety (4 KiB of "a", of "ab",
 *     of "abcdefghij" repeated): the library requires more than half of
 *     its 128 buckets to be non-zero, and getHash() is then "";
 *   - a digest is 70 upper-case hex digits: 3 header bytes (checksum,
 *     length, quartile ratios: 6 digits) and a body of 32 bytes (64
 *     digits, 128 buckets of 2 bits). Newer versions put "T1" in front
 *     (72 characters) and 3.4.4's fromTlshStr() refuses that, so
 *     tlsh_shim_diff() drops a leading "T1" before parsing.
 */
#include <cstring>
#include <new>

#include <tlsh.h>

#include "tlsh_shim.h"

/* libtlsh takes unsigned int lengths; feed larger data in pieces. */
static const size_t tlsh_shim_chunk = 1U << 30;

static void
tlsh_shim_feed(Tlsh &t, const unsigned char *p, size_t len)
{
	while (len > 0) {
		size_t n = len < tlsh_shim_chunk ? len : tlsh_shim_chunk;

		t.update(p, (unsigned int)n);
		p += n;
		len -= n;
	}
	t.final();
}

int
tlsh_shim_hash(const void *data, size_t len, char *hex, size_t hexlen)
{
	if (hex == NULL || hexlen == 0)
		return -1;
	hex[0] = '\0';
	if (data == NULL || hexlen < TLSH_STRING_BUFFER_LEN)
		return -1;
	try {
		Tlsh t;
		const char *h;

		tlsh_shim_feed(t, static_cast<const unsigned char *>(data),
		    len);
		h = t.getHash();
		if (h == NULL || std::strlen(h) != TLSH_STRING_LEN)
			return -1;	/* too short or too uniform */
		std::memcpy(hex, h, TLSH_STRING_LEN + 1);
		return 0;
	} catch (...) {
		hex[0] = '\0';
		return -1;
	}
}

/* A digest as 3.4.4 parses it: without the "T1" of newer versions. */
static const char *
tlsh_shim_body(const char *s)
{
	if (s[0] == 'T' && s[1] == '1' && std::strlen(s) == TLSH_STRING_LEN + 2)
		return s + 2;
	return s;
}

int
tlsh_shim_diff(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return -1;
	a = tlsh_shim_body(a);
	b = tlsh_shim_body(b);
	if (std::strlen(a) != TLSH_STRING_LEN ||
	    std::strlen(b) != TLSH_STRING_LEN)
		return -1;
	try {
		Tlsh ta, tb;

		if (ta.fromTlshStr(a) != 0 || tb.fromTlshStr(b) != 0)
			return -1;
		return ta.totalDiff(&tb);
	} catch (...) {
		return -1;
	}
}
