/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * conf: parser of etc/spampot.conf, run by the sensor's parent (as root at
 * start, unprivileged on SIGHUP) and by the analyzer. Never by a worker.
 *
 * "key = value" per line, '#' starts a comment line, blank lines ignored,
 * "pattern NAME = REGEX" may repeat. Every key has its default in the table
 * below; a value may be wrapped in double quotes to keep surrounding
 * spaces. Every mistake is reported as "FILE:LINE: message" and the whole
 * file is rejected.
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "conf.h"
#include "dbhosts.h"
#include "paths.h"

#define CONF_FILE_MAX	(1024 * 1024)

enum conf_type {
	CT_STRING,	/* any text */
	CT_NAME,	/* user or group name */
	CT_PATH,	/* absolute path */
	CT_OPTPATH,	/* absolute path, or empty for "none" */
	CT_NUMBER,	/* unsigned integer within [min, max] */
	CT_SIZE,	/* bytes, suffix K, M or G */
	CT_DURATION,	/* milliseconds; suffix ms, s, m or h (default s) */
	CT_BOOL,	/* yes/no */
	CT_WORKERS,	/* auto or a number */
	CT_LISTEN,	/* addr:port list */
	CT_FACILITY,	/* syslog facility name */
};

struct conf_key {
	const char		*name;
	enum conf_type	 type;
	size_t			 offset;
	const char		*def;
	uint64_t		 min, max;
};

#define OFF(f)	offsetof(struct config, f)
#define GiB	(1024ULL * 1024 * 1024)

/* The keys, their types, limits and defaults: the one place they live. */
static const struct conf_key conf_keys[] = {
	{ "listen", CT_LISTEN, OFF(listen), "0.0.0.0:25 [::]:25", 0, 0 },
	{ "user", CT_NAME, OFF(user), "spampot", 0, 0 },
	{ "spool_group", CT_NAME, OFF(spool_group), "", 0, 0 },
	{ "workers", CT_WORKERS, OFF(workers), "auto", 1, CONF_MAX_WORKERS },
	{ "spool_dir", CT_PATH, OFF(spool_dir), SPAMPOT_SPOOL_DIR, 0, 0 },
	{ "hostname", CT_STRING, OFF(hostname), "", 0, 0 },
	{ "banner", CT_STRING, OFF(banner), "ESMTP Postfix (Debian/GNU)", 0, 0 },
	{ "sensor", CT_STRING, OFF(sensor), "", 0, 0 },
	{ "persona", CT_STRING, OFF(persona), "postfix-debian", 0, 0 },
	{ "auth_accept", CT_STRING, OFF(auth_accept), "all", 0, 0 },
	{ "log_facility", CT_FACILITY, OFF(log_facility), "mail", 0, 0 },
	{ "greeting_delay", CT_DURATION, OFF(greeting_delay), "0", 0, 600000 },
	{ "reply_delay", CT_DURATION, OFF(reply_delay), "0", 0, 600000 },
	{ "max_command_line", CT_SIZE, OFF(max_command_line), "2048", 512, 1048576 },
	{ "max_data_line", CT_SIZE, OFF(max_data_line), "1M", 1000, GiB },
	{ "max_message_size", CT_SIZE, OFF(max_message_size), "10240000", 1024, 4 * GiB },
	{ "max_recipients", CT_NUMBER, OFF(max_recipients), "1000", 1, 1000000 },
	{ "max_messages", CT_NUMBER, OFF(max_messages), "100", 1, 1000000 },
	{ "max_errors", CT_NUMBER, OFF(max_errors), "20", 1, 100000 },
	{ "max_transcript", CT_SIZE, OFF(max_transcript), "1M", 4096, 4 * GiB },
	{ "command_timeout", CT_DURATION, OFF(command_timeout), "300s", 1000, 86400000 },
	{ "data_timeout", CT_DURATION, OFF(data_timeout), "300s", 1000, 86400000 },
	{ "max_session_time", CT_DURATION, OFF(max_session_time), "30m", 1000, 86400000 },
	{ "max_sessions_per_worker", CT_NUMBER, OFF(max_sessions_per_worker), "10000", 1, 1000000 },
	{ "max_sessions_per_ip", CT_NUMBER, OFF(max_sessions_per_ip), "20", 1, 65535 },
	{ "spool_min_free", CT_SIZE, OFF(spool_min_free), "100M", 0, 1024 * GiB },
	{ "spool_fsync", CT_BOOL, OFF(spool_fsync), "yes", 0, 0 },
	{ "shutdown_grace", CT_DURATION, OFF(shutdown_grace), "10s", 0, 3600000 },
	{ "tls_cert_file", CT_OPTPATH, OFF(tls_cert_file), "", 0, 0 },
	{ "tls_key_file", CT_OPTPATH, OFF(tls_key_file), "", 0, 0 },
	{ "tls_handshake_timeout", CT_DURATION, OFF(tls_handshake_timeout), "10s", 1000, 300000 },
	{ "mysql_socket", CT_PATH, OFF(mysql_socket), "/run/mysqld/mysqld.sock", 0, 0 },
	{ "mysql_host", CT_STRING, OFF(mysql_host), "", 0, 0 },
	{ "mysql_port", CT_NUMBER, OFF(mysql_port), "3306", 1, 65535 },
	{ "mysql_database", CT_NAME, OFF(mysql_database), "spampot", 0, 0 },
	{ "mysql_user", CT_NAME, OFF(mysql_user), "spampot", 0, 0 },
	{ "mysql_password_file", CT_PATH, OFF(mysql_password_file),
	    SPAMPOT_SYSCONF_DIR "/mysql.password", 0, 0 },
	{ "mysql_tls_ca", CT_OPTPATH, OFF(mysql_tls_ca), "", 0, 0 },
	{ "analyzer_user", CT_NAME, OFF(analyzer_user), "spampot-analyzer", 0, 0 },
	{ "spool_keep", CT_BOOL, OFF(spool_keep), "yes", 0, 0 },
	{ "attachments_dir", CT_OPTPATH, OFF(attachments_dir), "", 0, 0 },
	{ "json_log", CT_OPTPATH, OFF(json_log), "", 0, 0 },
	{ "geoip_country_db", CT_OPTPATH, OFF(geoip_country_db), "", 0, 0 },
	{ "geoip_asn_db", CT_OPTPATH, OFF(geoip_asn_db), "", 0, 0 },
	{ "campaigns", CT_BOOL, OFF(campaigns), "yes", 0, 0 },
	{ "campaign_distance", CT_NUMBER, OFF(campaign_distance), "40", 0, 300 },
	{ "campaign_domain_bonus", CT_NUMBER, OFF(campaign_domain_bonus), "20", 0, 300 },
	{ "campaign_ssdeep", CT_NUMBER, OFF(campaign_ssdeep), "20", 0, 100 },
	{ "archive_depth", CT_NUMBER, OFF(archive_depth), "3", 0, 16 },
	{ "archive_max_members", CT_NUMBER, OFF(archive_max_members), "1000", 1, 1000000 },
	{ "archive_max_bytes", CT_SIZE, OFF(archive_max_bytes), "64M", 4096, 4 * GiB },
	{ "archive_max_ratio", CT_NUMBER, OFF(archive_max_ratio), "200", 2, 1000000 },
	{ "yara_rules_dir", CT_OPTPATH, OFF(yara_rules_dir), "", 0, 0 },
	{ "relay", CT_STRING, OFF(relay), "off", 0, 0 },
	{ "relay_dir", CT_PATH, OFF(relay_dir), SPAMPOT_SPOOL_DIR "-relay", 0, 0 },
	{ "relay_user", CT_NAME, OFF(relay_user), "spampot-relay", 0, 0 },
	{ "relay_smarthost", CT_STRING, OFF(relay_smarthost), "", 0, 0 },
	{ "relay_address", CT_STRING, OFF(relay_address), "", 0, 0 },
	{ "relay_max_recipients", CT_NUMBER, OFF(relay_max_recipients), "1", 1, 100 },
	{ "relay_max_size", CT_SIZE, OFF(relay_max_size), "16K", 512, 10485760 },
	{ "relay_per_campaign", CT_NUMBER, OFF(relay_per_campaign), "0", 0, 1000 },
	{ "relay_limit_hour", CT_NUMBER, OFF(relay_limit_hour), "10", 0, 100000 },
	{ "relay_limit_day", CT_NUMBER, OFF(relay_limit_day), "50", 0, 1000000 },
	{ "relay_limit_client", CT_NUMBER, OFF(relay_limit_client), "2", 0, 100000 },
	{ "relay_limit_domain", CT_NUMBER, OFF(relay_limit_domain), "5", 0, 100000 },
	{ "relay_limit_campaign", CT_NUMBER, OFF(relay_limit_campaign), "3", 0, 100000 },
	{ "relay_recipient_cooldown", CT_DURATION, OFF(relay_recipient_cooldown), "168h", 0, 366ULL * 86400000 },
	{ "relay_queue_max", CT_NUMBER, OFF(relay_queue_max), "100", 1, 100000 },
	{ "relay_retry_min", CT_DURATION, OFF(relay_retry_min), "60s", 100, 3600000 },
	{ "relay_max_age", CT_DURATION, OFF(relay_max_age), "24h", 1000, 7ULL * 86400000 },
};
#define CONF_NKEYS	(sizeof(conf_keys) / sizeof(conf_keys[0]))

/* Built-in pattern kinds of the analyzer; a custom pattern may not reuse them. */
static const char *const conf_reserved_patterns[] = {
	"email", "url", "domain", "ip", "subject", "username", "yara", NULL
};

struct conf_parse {
	struct config	*cf;
	const char	*path;
	int		 line;
	char		*err;
	size_t		 errlen;
	int		 nerrors;
	int		 seen[CONF_NKEYS];	/* line a key was set on */
};

static void conf_error(struct conf_parse *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
conf_error(struct conf_parse *cp, const char *fmt, ...)
{
	size_t used = strlen(cp->err);
	va_list ap;
	int n;

	cp->nerrors++;
	if (used + 1 >= cp->errlen)
		return;
	n = snprintf(cp->err + used, cp->errlen - used, "%s%s:%d: ",
	    used ? "\n" : "", cp->path, cp->line);
	if (n < 0 || (size_t)n >= cp->errlen - used)
		return;
	used += (size_t)n;
	va_start(ap, fmt);
	vsnprintf(cp->err + used, cp->errlen - used, fmt, ap);
	va_end(ap);
}

static int
conf_parse_uint(const char *s, uint64_t *out, const char **rest)
{
	unsigned long long v;
	char *end;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0)
		return -1;
	*out = v;
	*rest = end;
	return 0;
}

static int
conf_scale(uint64_t v, uint64_t mult, uint64_t *out)
{
	if (mult != 0 && v > UINT64_MAX / mult)
		return -1;
	*out = v * mult;
	return 0;
}

static int
conf_parse_size(const char *s, uint64_t *out)
{
	const char *rest;
	uint64_t v, mult = 1;

	if (conf_parse_uint(s, &v, &rest) == -1)
		return -1;
	if (strcasecmp(rest, "k") == 0 || strcasecmp(rest, "kb") == 0)
		mult = 1024;
	else if (strcasecmp(rest, "m") == 0 || strcasecmp(rest, "mb") == 0)
		mult = 1024 * 1024;
	else if (strcasecmp(rest, "g") == 0 || strcasecmp(rest, "gb") == 0)
		mult = GiB;
	else if (*rest != '\0')
		return -1;
	return conf_scale(v, mult, out);
}

static int
conf_parse_duration(const char *s, uint64_t *out)
{
	const char *rest;
	uint64_t v, mult;

	if (conf_parse_uint(s, &v, &rest) == -1)
		return -1;
	if (strcmp(rest, "ms") == 0)
		mult = 1;
	else if (*rest == '\0' || strcmp(rest, "s") == 0)
		mult = 1000;
	else if (strcmp(rest, "m") == 0)
		mult = 60 * 1000;
	else if (strcmp(rest, "h") == 0)
		mult = 3600 * 1000;
	else
		return -1;
	return conf_scale(v, mult, out);
}

static int
conf_parse_bool(const char *s, int *out)
{
	if (strcmp(s, "yes") == 0 || strcmp(s, "true") == 0 ||
	    strcmp(s, "on") == 0 || strcmp(s, "1") == 0)
		*out = 1;
	else if (strcmp(s, "no") == 0 || strcmp(s, "false") == 0 ||
	    strcmp(s, "off") == 0 || strcmp(s, "0") == 0)
		*out = 0;
	else
		return -1;
	return 0;
}

static int
conf_parse_facility(const char *s, int *out)
{
	static const struct { const char *name; int value; } names[] = {
		{ "mail", LOG_MAIL }, { "daemon", LOG_DAEMON },
		{ "user", LOG_USER }, { "local0", LOG_LOCAL0 },
		{ "local1", LOG_LOCAL1 }, { "local2", LOG_LOCAL2 },
		{ "local3", LOG_LOCAL3 }, { "local4", LOG_LOCAL4 },
		{ "local5", LOG_LOCAL5 }, { "local6", LOG_LOCAL6 },
		{ "local7", LOG_LOCAL7 },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(s, names[i].name) == 0) {
			*out = names[i].value;
			return 0;
		}
	}
	return -1;
}

/* A "/tls" or "/plain" after the port: cut off, its mode kept. */
static int
conf_parse_listen_mode(char *tok, struct conf_listen *l)
{
	char *slash = strrchr(tok, '/');

	l->tls = CONF_TLS_STARTTLS;
	if (slash == NULL)
		return 0;
	if (strcmp(slash, "/tls") == 0)
		l->tls = CONF_TLS_IMPLICIT;
	else if (strcmp(slash, "/plain") == 0)
		l->tls = CONF_TLS_PLAIN;
	else
		return -1;
	*slash = '\0';
	return 0;
}

/* One "addr:port" or "[v6addr]:port" token, numeric only, and its mode. */
static int
conf_parse_listen_one(char *tok, struct conf_listen *l)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&l->addr;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&l->addr;
	char host[64];
	const char *colon, *portstr, *rest;
	uint64_t port;
	size_t hlen;

	if (strlen(tok) >= sizeof(l->text))
		return -1;
	snprintf(l->text, sizeof(l->text), "%s", tok);
	if (conf_parse_listen_mode(tok, l) == -1)
		return -1;
	if (tok[0] == '[') {
		if ((colon = strstr(tok, "]:")) == NULL)
			return -1;
		hlen = (size_t)(colon - tok - 1);
		portstr = colon + 2;
		if (hlen == 0 || hlen >= sizeof(host))
			return -1;
		memcpy(host, tok + 1, hlen);
	} else {
		if ((colon = strrchr(tok, ':')) == NULL)
			return -1;
		hlen = (size_t)(colon - tok);
		portstr = colon + 1;
		if (hlen == 0 || hlen >= sizeof(host))
			return -1;
		memcpy(host, tok, hlen);
	}
	host[hlen] = '\0';
	if (conf_parse_uint(portstr, &port, &rest) == -1 || *rest != '\0' ||
	    port == 0 || port > 65535)
		return -1;
	memset(&l->addr, 0, sizeof(l->addr));
	if (tok[0] != '[' && inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		l->addrlen = sizeof(*sin);
	} else if (tok[0] == '[' &&
	    inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		l->addrlen = sizeof(*sin6);
	} else
		return -1;
	return 0;
}

static int
conf_parse_listen(struct config *cf, const char *value)
{
	char copy[1024], *tok, *save = NULL;
	size_t n = 0;

	if (strlen(value) >= sizeof(copy))
		return -1;
	snprintf(copy, sizeof(copy), "%s", value);
	for (tok = strtok_r(copy, " \t,", &save); tok != NULL;
	    tok = strtok_r(NULL, " \t,", &save)) {
		if (n == CONF_MAX_LISTEN ||
		    conf_parse_listen_one(tok, &cf->listen[n]) == -1)
			return -1;
		n++;
	}
	if (n == 0)
		return -1;
	cf->nlisten = n;
	return 0;
}

static int
conf_valid_name(const char *s)
{
	if (*s == '\0' || *s == '-')
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && strchr("._-", *s) == NULL)
			return 0;
	return 1;
}

static int
conf_set_string(char **field, const char *value)
{
	char *copy;

	if ((copy = strdup(value)) == NULL)
		return -1;
	free(*field);
	*field = copy;
	return 0;
}

static const char *
conf_expected(const struct conf_key *k)
{
	switch (k->type) {
	case CT_NAME:
		return "a name of letters, digits, '.', '_' or '-'";
	case CT_PATH:
		return "an absolute path";
	case CT_OPTPATH:
		return "an absolute path, or nothing";
	case CT_NUMBER:
		return "a whole number";
	case CT_SIZE:
		return "a size in bytes, optionally with K, M or G";
	case CT_DURATION:
		return "a duration such as 500ms, 30s, 5m or 1h";
	case CT_BOOL:
		return "yes or no";
	case CT_WORKERS:
		return "auto or a number of workers";
	case CT_LISTEN:
		return "space-separated ADDR:PORT or [IPV6]:PORT, numeric, "
		    "each optionally followed by /tls or /plain";
	case CT_FACILITY:
		return "mail, daemon, user or local0..local7";
	default:
		return "text";
	}
}

/* Apply one value to one key. Returns 0, or -1 for a bad value. */
static int
conf_apply(struct config *cf, const struct conf_key *k, const char *v)
{
	char *base = (char *)cf;
	uint64_t *num = (uint64_t *)(base + k->offset);
	uint64_t n = 0;
	int b;

	switch (k->type) {
	case CT_STRING:
		if (strpbrk(v, "\r\n") != NULL)
			return -1;
		return conf_set_string((char **)(base + k->offset), v);
	case CT_NAME:
		if (*v != '\0' && !conf_valid_name(v))
			return -1;
		return conf_set_string((char **)(base + k->offset), v);
	case CT_PATH:
	case CT_OPTPATH:
		if (v[0] != '/' && !(k->type == CT_OPTPATH && v[0] == '\0'))
			return -1;
		return conf_set_string((char **)(base + k->offset), v);
	case CT_NUMBER:
		if (conf_parse_uint(v, &n, &v) == -1 || *v != '\0')
			return -1;
		break;
	case CT_SIZE:
		if (conf_parse_size(v, &n) == -1)
			return -1;
		break;
	case CT_DURATION:
		if (conf_parse_duration(v, &n) == -1)
			return -1;
		break;
	case CT_WORKERS:
		if (strcmp(v, "auto") == 0) {
			*num = 0;
			return 0;
		}
		if (conf_parse_uint(v, &n, &v) == -1 || *v != '\0')
			return -1;
		break;
	case CT_BOOL:
		if (conf_parse_bool(v, &b) == -1)
			return -1;
		*(int *)(base + k->offset) = b;
		return 0;
	case CT_FACILITY:
		return conf_parse_facility(v, (int *)(base + k->offset));
	case CT_LISTEN:
		return conf_parse_listen(cf, v);
	}
	if (n < k->min || n > k->max)
		return -1;
	*num = n;
	return 0;
}

static void
conf_add_pattern(struct conf_parse *cp, const char *name,
    const char *regex)
{
	struct config *cf = cp->cf;
	struct conf_pattern *p;
	size_t i;

	if (!conf_valid_name(name) || strlen(name) > 64) {
		conf_error(cp, "bad pattern name '%s' (letters, digits, "
		    "'.', '_' or '-', at most 64)", name);
		return;
	}
	for (i = 0; conf_reserved_patterns[i] != NULL; i++) {
		if (strcmp(name, conf_reserved_patterns[i]) == 0) {
			conf_error(cp, "pattern name '%s' is a built-in "
			    "kind", name);
			return;
		}
	}
	for (i = 0; i < cf->npatterns; i++) {
		if (strcmp(cf->patterns[i].name, name) == 0) {
			conf_error(cp, "pattern '%s' already defined on "
			    "line %d", name, cf->patterns[i].line);
			return;
		}
	}
	if (*regex == '\0') {
		conf_error(cp, "pattern '%s' has an empty regex", name);
		return;
	}
	p = realloc(cf->patterns, (cf->npatterns + 1) * sizeof(*p));
	if (p == NULL) {
		conf_error(cp, "out of memory");
		return;
	}
	cf->patterns = p;
	p = &cf->patterns[cf->npatterns];
	p->name = strdup(name);
	p->regex = strdup(regex);
	p->line = cp->line;
	if (p->name == NULL || p->regex == NULL) {
		free(p->name);
		free(p->regex);
		conf_error(cp, "out of memory");
		return;
	}
	cf->npatterns++;
}

static char *
conf_trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/* A limit in the unit a person would write: 1s, 24h, 4G, 512. */
static void
conf_unit(char *dst, size_t len, enum conf_type t, uint64_t v)
{
	static const struct { uint64_t mult; const char *suffix; }
	    sizes[] = { { GiB, "G" }, { 1024 * 1024, "M" }, { 1024, "K" } },
	    times[] = { { 3600000, "h" }, { 60000, "m" }, { 1000, "s" } };
	const size_t n = 3;
	size_t i;

	for (i = 0; i < n && v != 0 &&
	    (t == CT_SIZE || t == CT_DURATION); i++) {
		uint64_t m = t == CT_SIZE ? sizes[i].mult : times[i].mult;

		if (v % m == 0) {
			snprintf(dst, len, "%llu%s", (unsigned long long)(v / m),
			    t == CT_SIZE ? sizes[i].suffix : times[i].suffix);
			return;
		}
	}
	snprintf(dst, len, "%llu%s", (unsigned long long)v,
	    t == CT_DURATION && v != 0 ? "ms" : "");
}

static void
conf_bad_value(struct conf_parse *cp, const struct conf_key *k,
    const char *value)
{
	char lo[32], hi[32];

	switch (k->type) {
	case CT_NUMBER:
	case CT_WORKERS:
	case CT_SIZE:
	case CT_DURATION:
		conf_unit(lo, sizeof(lo), k->type, k->min);
		conf_unit(hi, sizeof(hi), k->type, k->max);
		conf_error(cp, "bad value for %s: '%s' (expected %s%s from "
		    "%s to %s)", k->name, value, conf_expected(k),
		    k->type == CT_SIZE || k->type == CT_DURATION ? "," : "",
		    lo, hi);
		break;
	default:
		conf_error(cp, "bad value for %s: '%s' (expected %s)",
		    k->name, value, conf_expected(k));
		break;
	}
}

static void
conf_set_key(struct conf_parse *cp, const char *key, char *value)
{
	size_t i, len = strlen(value);

	if (strncmp(key, "pattern", 7) == 0 && isspace((unsigned char)key[7])) {
		conf_add_pattern(cp, conf_trim((char *)key + 7), value);
		return;
	}
	if (len >= 2 && value[0] == '"' && value[len - 1] == '"') {
		value[len - 1] = '\0';
		value++;
	}
	for (i = 0; i < CONF_NKEYS; i++) {
		if (strcmp(key, conf_keys[i].name) != 0)
			continue;
		if (cp->seen[i]) {
			conf_error(cp, "'%s' is set twice", key);
			return;
		}
		cp->seen[i] = cp->line;
		if (conf_apply(cp->cf, &conf_keys[i], value) == -1)
			conf_bad_value(cp, &conf_keys[i], value);
		return;
	}
	conf_error(cp, "unknown key '%s'", key);
}

static void
conf_parse_line(struct conf_parse *cp, char *line)
{
	char *eq, *key, *value;

	line = conf_trim(line);
	if (*line == '\0' || *line == '#')
		return;
	if ((eq = strchr(line, '=')) == NULL) {
		conf_error(cp, "expected 'key = value'");
		return;
	}
	*eq = '\0';
	key = conf_trim(line);
	value = conf_trim(eq + 1);
	if (*key == '\0') {
		conf_error(cp, "missing key before '='");
		return;
	}
	conf_set_key(cp, key, value);
}

static int
conf_set_defaults(struct config *cf)
{
	size_t i;

	memset(cf, 0, sizeof(*cf));
	for (i = 0; i < CONF_NKEYS; i++)
		if (conf_apply(cf, &conf_keys[i], conf_keys[i].def) == -1)
			return -1;
	return 0;
}

/* The line a key was set on, 0 when the file does not set it. */
static int
conf_key_line(const struct conf_parse *cp, const char *name)
{
	size_t i;

	for (i = 0; i < CONF_NKEYS; i++)
		if (strcmp(conf_keys[i].name, name) == 0)
			return cp->seen[i];
	return 0;
}

/* A certificate needs its key and the key its certificate; a /tls
 * listener needs both. The files themselves are read by the sensor. */
static void
conf_resolve_tls(struct conf_parse *cp)
{
	struct config *cf = cp->cf;
	int cert = cf->tls_cert_file[0] != '\0';
	int key = cf->tls_key_file[0] != '\0';
	size_t i;

	cf->tls_cert_line = conf_key_line(cp, "tls_cert_file");
	cf->tls_key_line = conf_key_line(cp, "tls_key_file");
	if (cert != key) {
		cp->line = cert ? cf->tls_cert_line : cf->tls_key_line;
		conf_error(cp, "%s is set but %s is not: TLS needs both",
		    cert ? "tls_cert_file" : "tls_key_file",
		    cert ? "tls_key_file" : "tls_cert_file");
		return;
	}
	for (i = 0; i < cf->nlisten && !cert; i++) {
		if (cf->listen[i].tls != CONF_TLS_IMPLICIT)
			continue;
		cp->line = conf_key_line(cp, "listen");
		conf_error(cp, "listen %s: implicit TLS needs tls_cert_file "
		    "and tls_key_file", cf->listen[i].text);
		return;
	}
}

/* relay = off | dry-run | on */
static void
conf_resolve_relay(struct conf_parse *cp)
{
	static const char *const modes[] = { "off", "dry-run", "on" };
	struct config *cf = cp->cf;
	int i;

	for (i = 0; i < 3; i++)
		if (strcmp(cf->relay, modes[i]) == 0) {
			cf->relay_mode = i;
			break;
		}
	if (i == 3) {
		cp->line = conf_key_line(cp, "relay");
		conf_error(cp, "bad value for relay: '%s' (expected off, "
		    "dry-run or on)", cf->relay);
		return;
	}
	if (cf->relay_mode == CONF_RELAY_ON && cf->relay_smarthost[0] == '\0') {
		cp->line = conf_key_line(cp, "relay");
		conf_error(cp, "relay = on needs relay_smarthost");
	}
}

/* The personas of spampotd (src/sensor/persona.c holds their tables). */
static int
conf_persona_check(struct conf_parse *cp)
{
	static const char *const names[] = {
		"postfix-debian", "exim-debian", "exchange", "rfc821", NULL
	};
	size_t i;

	for (i = 0; names[i] != NULL; i++)
		if (strcmp(cp->cf->persona, names[i]) == 0)
			return 0;
	cp->line = conf_key_line(cp, "persona");
	conf_error(cp, "bad value for persona: '%s' (expected "
	    "postfix-debian, exim-debian, exchange or rfc821)",
	    cp->cf->persona);
	return 0;
}

/*
 * The limits a client sees, where the file leaves them unset, are those
 * of the persona's MTA: Exim's message_size_limit (50 MB) and its 16 KiB
 * command buffer; the defaults of the key table are Postfix's.
 */
static void
conf_persona_limits(struct conf_parse *cp)
{
	struct config *cf = cp->cf;

	if (strcmp(cf->persona, "exim-debian") != 0)
		return;
	if (conf_key_line(cp, "max_message_size") == 0)
		cf->max_message_size = 52428800;
	if (conf_key_line(cp, "max_command_line") == 0)
		cf->max_command_line = 16384;
}

/*
 * The credentials file of "auth_accept = list FILE": "user:password" a
 * line, kept as read (the workers compare against it).
 */
static int
conf_auth_list_load(struct conf_parse *cp, const char *path)
{
	struct config *cf = cp->cf;
	char buf[4096];
	size_t n, len = 0;
	FILE *f;

	if ((f = fopen(path, "re")) == NULL) {
		conf_error(cp, "auth_accept: %s: %s", path, strerror(errno));
		return 0;
	}
	free(cf->auth_list);
	cf->auth_list = NULL;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		char *p = realloc(cf->auth_list, len + n + 2);

		if (p == NULL || len + n > 1024 * 1024) {
			free(p != NULL ? p : cf->auth_list);
			cf->auth_list = NULL;
			fclose(f);
			conf_error(cp, "auth_accept: %s: too big", path);
			return 0;
		}
		cf->auth_list = p;
		memcpy(p + len, buf, n);
		len += n;
	}
	fclose(f);
	if (cf->auth_list == NULL && (cf->auth_list = malloc(2)) == NULL)
		return -1;
	cf->auth_list[len] = '\n';	/* every line ends */
	cf->auth_list[len + 1] = '\0';
	return 0;
}

/* auth_accept = all | fail-first N | list FILE */
static int
conf_auth_accept(struct conf_parse *cp)
{
	struct config *cf = cp->cf;
	const char *v = cf->auth_accept;
	char *end;

	cp->line = conf_key_line(cp, "auth_accept");
	if (strcmp(v, "all") == 0) {
		cf->auth_accept_mode = CONF_AUTH_ALL;
		return 0;
	}
	if (strncmp(v, "fail-first ", 11) == 0) {
		errno = 0;
		cf->auth_accept_failures = strtoull(v + 11, &end, 10);
		if (errno == 0 && end != v + 11 && *end == '\0' &&
		    cf->auth_accept_failures <= 1000) {
			cf->auth_accept_mode = CONF_AUTH_FAIL_FIRST;
			return 0;
		}
	} else if (strncmp(v, "list ", 5) == 0 && v[5] == '/') {
		cf->auth_accept_mode = CONF_AUTH_LIST;
		return conf_auth_list_load(cp, v + 5);
	}
	conf_error(cp, "bad value for auth_accept: '%s' (expected all, "
	    "fail-first N (0 to 1000) or list /PATH)", v);
	return 0;
}

/* Fill in what "auto" and "" mean on this machine. */
/* mysql_host: a list of servers dbhosts.c can read. */
static void
conf_resolve_db_hosts(struct conf_parse *cp)
{
	struct dbhost hosts[DBHOSTS_MAX];
	char why[128];

	if (dbhosts_parse(cp->cf->mysql_host, (unsigned)cp->cf->mysql_port,
	    hosts, why, sizeof(why)) == -1) {
		cp->line = conf_key_line(cp, "mysql_host");
		conf_error(cp, "mysql_host: %s", why);
	}
}

static int
conf_resolve(struct conf_parse *cp)
{
	struct config *cf = cp->cf;
	char host[256];
	long ncpu;

	if (cf->workers == 0) {
		ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		cf->workers = ncpu < 1 ? 1 :
		    ncpu > CONF_MAX_WORKERS ? CONF_MAX_WORKERS :
		    (uint64_t)ncpu;
	}
	if (cf->hostname[0] == '\0') {
		if (gethostname(host, sizeof(host)) == -1)
			snprintf(host, sizeof(host), "localhost");
		host[sizeof(host) - 1] = '\0';
		if (conf_set_string(&cf->hostname, host) == -1)
			return -1;
	}
	if (cf->sensor[0] == '\0' &&
	    conf_set_string(&cf->sensor, cf->hostname) == -1)
		return -1;
	cf->banner_set = conf_key_line(cp, "banner") != 0;
	if (conf_persona_check(cp) == -1 || conf_auth_accept(cp) == -1)
		return -1;
	conf_persona_limits(cp);
	if (cf->user[0] == '\0') {
		/* Only the file can empty it: name the line that did. */
		cp->line = conf_key_line(cp, "user");
		conf_error(cp, "user must not be empty");
	}
	conf_resolve_tls(cp);
	conf_resolve_relay(cp);
	conf_resolve_db_hosts(cp);
	return 0;
}

int
conf_parse_buffer(struct config *cf, const char *path, const char *text,
    size_t len, char *err, size_t errlen)
{
	struct conf_parse cp;
	const char *p = text, *end = text + len, *nl;
	char line[8192];
	size_t n;

	memset(&cp, 0, sizeof(cp));
	cp.cf = cf;
	cp.path = path;
	cp.err = err;
	cp.errlen = errlen;
	err[0] = '\0';
	if (conf_set_defaults(cf) == -1 ||
	    (cf->path = strdup(path)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		conf_clear(cf);
		return -1;
	}
	while (p < end) {
		cp.line++;
		nl = memchr(p, '\n', (size_t)(end - p));
		n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (memchr(p, '\0', n) != NULL)
			conf_error(&cp, "NUL byte in line");
		else if (n >= sizeof(line))
			conf_error(&cp, "line longer than %zu bytes",
			    sizeof(line) - 1);
		else {
			memcpy(line, p, n);
			line[n] = '\0';
			conf_parse_line(&cp, line);
		}
		p += n + 1;
	}
	if (cp.nerrors == 0 && conf_resolve(&cp) == -1)
		conf_error(&cp, "out of memory");
	if (cp.nerrors > 0) {
		conf_clear(cf);
		return -1;
	}
	return 0;
}

int
conf_load(struct config *cf, const char *path, char *err, size_t errlen)
{
	FILE *fp;
	char *text;
	size_t len;
	int rc;

	memset(cf, 0, sizeof(*cf));
	if ((fp = fopen(path, "re")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if ((text = malloc(CONF_FILE_MAX + 1)) == NULL) {
		fclose(fp);
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	len = fread(text, 1, CONF_FILE_MAX + 1, fp);
	if (ferror(fp) || len > CONF_FILE_MAX) {
		snprintf(err, errlen, "%s: %s", path, ferror(fp) ?
		    "read error" : "larger than 1 MiB");
		rc = -1;
	} else
		rc = conf_parse_buffer(cf, path, text, len, err, errlen);
	free(text);
	fclose(fp);
	return rc;
}

void
conf_clear(struct config *cf)
{
	size_t i;

	for (i = 0; i < CONF_NKEYS; i++) {
		switch (conf_keys[i].type) {
		case CT_STRING:
		case CT_NAME:
		case CT_PATH:
		case CT_OPTPATH:
			free(*(char **)((char *)cf + conf_keys[i].offset));
			break;
		default:
			break;
		}
	}
	for (i = 0; i < cf->npatterns; i++) {
		free(cf->patterns[i].name);
		free(cf->patterns[i].regex);
	}
	free(cf->patterns);
	free(cf->path);
	free(cf->auth_list);
	memset(cf, 0, sizeof(*cf));
}
