/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * tlsprint: the JA3 and JA4 fingerprints of a TLS ClientHello, made from
 * the fields of the sensor's tls and tls-fail spool records (decimal
 * lists in the order the client sent them, GREASE values kept). Used in
 * the analyzer's sandboxed parse child, on attacker input.
 */
#ifndef SPAMPOT_TLSPRINT_H
#define SPAMPOT_TLSPRINT_H

#include <stddef.h>

#define TLSPRINT_JA3_HASH_SIZE	33	/* 32 hex digits of MD5 and a NUL */
/* t13d1516h2_8daaf6152771_e5627efa2ab1 and a NUL */
#define TLSPRINT_JA4_SIZE	37

/* A ClientHello as the spool record holds it: each list "4866,4865" or
 * "" (each number at most 65535). */
struct tlsprint_hello {
	unsigned	 legacy_version;	/* hello_version= */
	const char	*ciphers;
	const char	*extensions;
	const char	*groups;
	const char	*sigalgs;
	const char	*point_formats;
	const char	*versions;		/* supported_versions */
	const char	*alpn;		/* the first offered ALPN name as
					 * sent (raw bytes); NULL: none */
	size_t		 alpn_len;
};

struct tlsprint {
	char		*ja3;		/* malloc'd: "771,4866-4865,0-11,,0" */
	char		 ja3_hash[TLSPRINT_JA3_HASH_SIZE];	/* MD5 of ja3;
					 * "" where MD5 is refused (FIPS) */
	char		 ja4[TLSPRINT_JA4_SIZE];
	char		*ja4_r;		/* malloc'd: JA4 before its hashes */
};

/* 0, or -1 with errno EINVAL (a list that is not numbers up to 65535)
 * or ENOMEM; tlsprint_clear frees what it made either way. */
int	tlsprint_make(const struct tlsprint_hello *, struct tlsprint *);
void	tlsprint_clear(struct tlsprint *);
int	tlsprint_grease(unsigned);

#endif
