/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * extract: the values the analyzer counts in one message (analyzer only):
 * email addresses, URLs and their hosts, registrable domains (libpsl), IP
 * addresses, the subject and the analyst's PCRE2 patterns.
 */
#ifndef SPAMPOT_EXTRACT_H
#define SPAMPOT_EXTRACT_H

#include <stddef.h>

struct config;
struct mime_message;

/* One distinct value of a kind and how often it occurs in the message.
 * Kinds: "email", "url", "domain", "ip", "subject", or a pattern's name. */
struct extract_count {
	char		*kind;
	char		*value;		/* valid UTF-8 */
	unsigned	 count;
};

struct extract_url {
	char		*url;		/* as found, entities decoded */
	char		*host;		/* lower case, no port */
	unsigned	 count;
};

struct extract_result {
	struct extract_count	*counts;
	size_t			 ncounts;
	struct extract_url	*urls;
	size_t			 nurls;
};

struct extract_patterns;

/* Compile the config's custom patterns (PCRE2, JIT where available). On
 * error: NULL and "FILE:LINE: pattern NAME: reason at offset N". */
struct extract_patterns *extract_patterns_compile(const struct config *,
		    char *err, size_t errlen);
void		 extract_patterns_free(struct extract_patterns *);
int		 extract_message(const struct mime_message *,
		    const struct extract_patterns *, struct extract_result *);
void		 extract_result_clear(struct extract_result *);
/* The registrable domain (eTLD+1) of a host name, lower case, malloc'd;
 * NULL for an IP address, a bare public suffix or a malformed name. */
char		*extract_registrable_domain(const char *host);

#endif
