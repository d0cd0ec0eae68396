/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * test_conf: the etc/spampot.conf parser (src/common/conf.c). Every default,
 * every key type, the custom patterns, and every way a file can be wrong,
 * with the exact "FILE:LINE: message" it must produce.
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf.h"
#include "dbhosts.h"

#ifndef SPAMPOT_SPOOL_DIR
#define SPAMPOT_SPOOL_DIR	"/var/spool/spampot"
#endif
#ifndef SPAMPOT_SYSCONF_DIR
#define SPAMPOT_SYSCONF_DIR	"/etc/spampot"
#endif

#define PATH	"test.conf"
#define KiB	1024ULL
#define MiB	(1024ULL * 1024)
#define GiB	(1024ULL * 1024 * 1024)

static char errbuf[CONF_ERR_MAX];

static int
parse(struct config *cf, const char *text)
{
	memset(errbuf, 'x', sizeof(errbuf));	/* must be overwritten */
	return conf_parse_buffer(cf, PATH, text, strlen(text), errbuf,
	    sizeof(errbuf));
}

/* Parse text that must be accepted; fail with the error text if not. */
static void
import_ok(struct config *cf, const char *text)
{
	if (parse(cf, text) != 0)
		fail_msg("rejected:\n%s\nerror: %s", text, errbuf);
	assert_string_equal(errbuf, "");
}

static uint64_t
expected_workers(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		return 1;
	if (n > CONF_MAX_WORKERS)
		return CONF_MAX_WORKERS;
	return (uint64_t)n;
}

static void
assert_listen4(const struct conf_listen *l, const char *addr,
    unsigned port, const char *text)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)&l->addr;
	struct in_addr want;

	assert_int_equal(inet_pton(AF_INET, addr, &want), 1);
	assert_int_equal(sin->sin_family, AF_INET);
	assert_int_equal(l->addrlen, sizeof(struct sockaddr_in));
	assert_int_equal(ntohs(sin->sin_port), port);
	assert_memory_equal(&sin->sin_addr, &want, sizeof(want));
	assert_string_equal(l->text, text);
}

static void
assert_listen6(const struct conf_listen *l, const char *addr,
    unsigned port, const char *text)
{
	const struct sockaddr_in6 *sin6 =
	    (const struct sockaddr_in6 *)&l->addr;
	struct in6_addr want;

	assert_int_equal(inet_pton(AF_INET6, addr, &want), 1);
	assert_int_equal(sin6->sin6_family, AF_INET6);
	assert_int_equal(l->addrlen, sizeof(struct sockaddr_in6));
	assert_int_equal(ntohs(sin6->sin6_port), port);
	assert_memory_equal(&sin6->sin6_addr, &want, sizeof(want));
	assert_string_equal(l->text, text);
}

/* --- defaults ------------------------------------------------------------ */

static void
test_defaults(void **state)
{
	struct config cf;
	char host[256];

	import_ok(&cf, "");
	assert_int_equal(gethostname(host, sizeof(host)), 0);
	host[sizeof(host) - 1] = '\0';

	assert_string_equal(cf.path, PATH);
	assert_int_equal(cf.nlisten, 2);
	assert_listen4(&cf.listen[0], "0.0.0.0", 25, "0.0.0.0:25");
	assert_listen6(&cf.listen[1], "::", 25, "[::]:25");
	assert_string_equal(cf.user, "spampot");
	assert_string_equal(cf.spool_group, "");
	assert_int_equal(cf.workers, expected_workers());
	assert_string_equal(cf.spool_dir, SPAMPOT_SPOOL_DIR);
	assert_string_equal(cf.hostname, host);
	assert_string_equal(cf.banner, "ESMTP Postfix (Debian/GNU)");
	assert_string_equal(cf.sensor, host);
	assert_int_equal(cf.log_facility, LOG_MAIL);
	assert_int_equal(cf.greeting_delay, 0);
	assert_int_equal(cf.reply_delay, 0);
	assert_int_equal(cf.max_command_line, 2048);
	assert_int_equal(cf.max_data_line, 1 * MiB);
	assert_int_equal(cf.max_message_size, 10240000);
	assert_int_equal(cf.max_recipients, 1000);
	assert_int_equal(cf.max_messages, 100);
	assert_int_equal(cf.max_errors, 20);
	assert_int_equal(cf.max_transcript, 1 * MiB);
	assert_int_equal(cf.command_timeout, 300000);
	assert_int_equal(cf.data_timeout, 300000);
	assert_int_equal(cf.max_session_time, 30 * 60 * 1000);
	assert_int_equal(cf.max_sessions_per_worker, 10000);
	assert_int_equal(cf.max_sessions_per_ip, 20);
	assert_int_equal(cf.spool_min_free, 100 * MiB);
	assert_int_equal(cf.spool_fsync, 1);
	assert_int_equal(cf.shutdown_grace, 10000);
	assert_string_equal(cf.mysql_socket, "/run/mysqld/mysqld.sock");
	assert_string_equal(cf.mysql_host, "");
	assert_int_equal(cf.mysql_port, 3306);
	assert_string_equal(cf.mysql_database, "spampot");
	assert_string_equal(cf.mysql_user, "spampot");
	assert_string_equal(cf.mysql_password_file,
	    SPAMPOT_SYSCONF_DIR "/mysql.password");
	assert_int_equal(cf.npatterns, 0);
	assert_null(cf.patterns);
	conf_clear(&cf);
	assert_null(cf.path);
}

/* Comments, blank lines, spacing and line ends change nothing. */
static void
test_layout(void **state)
{
	struct config cf;

	import_ok(&cf,
	    "# a comment\n"
	    "\n"
	    "   \t  \n"
	    "   # an indented comment = with an equals sign\n"
	    "max_errors=7\n"
	    "\tmax_messages   =   9   \n"
	    "max_recipients = 11\r\n"
	    "banner = \"  spaced out  \"\n"
	    "sensor = a=b c\n"
	    "max_sessions_per_ip = \"42\"\n"
	    "mysql_port = 3307");	/* no final newline */
	assert_int_equal(cf.max_errors, 7);
	assert_int_equal(cf.max_messages, 9);
	assert_int_equal(cf.max_recipients, 11);
	assert_string_equal(cf.banner, "  spaced out  ");
	assert_string_equal(cf.sensor, "a=b c");
	assert_int_equal(cf.max_sessions_per_ip, 42);
	assert_int_equal(cf.mysql_port, 3307);
	conf_clear(&cf);

	/* hostname given: the sensor name follows it */
	import_ok(&cf, "hostname = mx.example.org\n");
	assert_string_equal(cf.hostname, "mx.example.org");
	assert_string_equal(cf.sensor, "mx.example.org");
	conf_clear(&cf);
	import_ok(&cf, "hostname = mx.example.org\nsensor = probe-7\n");
	assert_string_equal(cf.sensor, "probe-7");
	conf_clear(&cf);
}

/* --- every key type, table-driven ---------------------------------------- */

enum vkind { V_U64, V_INT, V_STR };

struct value_case {
	const char	*text;
	size_t		 off;
	enum vkind	 kind;
	uint64_t	 num;
	const char	*str;
};

#define F(f)	offsetof(struct config, f)
#define U(t, f, n)	{ t, F(f), V_U64, n, NULL }
#define I(t, f, n)	{ t, F(f), V_INT, n, NULL }
#define S(t, f, s)	{ t, F(f), V_STR, 0, s }

static const struct value_case value_cases[] = {
	/* sizes */
	U("max_message_size = 1024", max_message_size, 1024),
	U("max_message_size = 2K", max_message_size, 2 * KiB),
	U("max_message_size = 2k", max_message_size, 2 * KiB),
	U("max_message_size = 3KB", max_message_size, 3 * KiB),
	U("max_message_size = 3M", max_message_size, 3 * MiB),
	U("max_message_size = 5mb", max_message_size, 5 * MiB),
	U("max_message_size = 4G", max_message_size, 4 * GiB),
	U("max_data_line = 1G", max_data_line, GiB),
	U("max_data_line = 1000", max_data_line, 1000),
	U("max_transcript = 4K", max_transcript, 4 * KiB),
	U("max_transcript = 4G", max_transcript, 4 * GiB),
	U("max_command_line = 512", max_command_line, 512),
	U("max_command_line = 1M", max_command_line, MiB),
	U("spool_min_free = 0", spool_min_free, 0),
	U("spool_min_free = 1024G", spool_min_free, 1024 * GiB),
	U("spool_min_free = 7g", spool_min_free, 7 * GiB),
	/* durations */
	U("greeting_delay = 500ms", greeting_delay, 500),
	U("greeting_delay = 0ms", greeting_delay, 0),
	U("greeting_delay = 10m", greeting_delay, 600000),
	U("reply_delay = 2s", reply_delay, 2000),
	U("reply_delay = 3", reply_delay, 3000),
	U("command_timeout = 30s", command_timeout, 30000),
	U("command_timeout = 1000ms", command_timeout, 1000),
	U("command_timeout = 24h", command_timeout, 86400000),
	U("data_timeout = 45", data_timeout, 45000),
	U("max_session_time = 5m", max_session_time, 300000),
	U("max_session_time = 2h", max_session_time, 7200000),
	U("shutdown_grace = 0", shutdown_grace, 0),
	U("shutdown_grace = 1h", shutdown_grace, 3600000),
	/* numbers */
	U("max_recipients = 1", max_recipients, 1),
	U("max_recipients = 1000000", max_recipients, 1000000),
	U("max_messages = 3", max_messages, 3),
	U("max_errors = 100000", max_errors, 100000),
	U("max_sessions_per_worker = 1", max_sessions_per_worker, 1),
	U("max_sessions_per_ip = 65535", max_sessions_per_ip, 65535),
	U("mysql_port = 1", mysql_port, 1),
	U("mysql_port = 65535", mysql_port, 65535),
	/* workers */
	U("workers = 1", workers, 1),
	U("workers = 4", workers, 4),
	U("workers = 64", workers, 64),
	/* booleans */
	I("spool_fsync = yes", spool_fsync, 1),
	I("spool_fsync = true", spool_fsync, 1),
	I("spool_fsync = on", spool_fsync, 1),
	I("spool_fsync = 1", spool_fsync, 1),
	I("spool_fsync = no", spool_fsync, 0),
	I("spool_fsync = false", spool_fsync, 0),
	I("spool_fsync = off", spool_fsync, 0),
	I("spool_fsync = 0", spool_fsync, 0),
	/* facilities */
	I("log_facility = mail", log_facility, LOG_MAIL),
	I("log_facility = daemon", log_facility, LOG_DAEMON),
	I("log_facility = user", log_facility, LOG_USER),
	I("log_facility = local0", log_facility, LOG_LOCAL0),
	I("log_facility = local1", log_facility, LOG_LOCAL1),
	I("log_facility = local2", log_facility, LOG_LOCAL2),
	I("log_facility = local3", log_facility, LOG_LOCAL3),
	I("log_facility = local4", log_facility, LOG_LOCAL4),
	I("log_facility = local5", log_facility, LOG_LOCAL5),
	I("log_facility = local6", log_facility, LOG_LOCAL6),
	I("log_facility = local7", log_facility, LOG_LOCAL7),
	/* names, paths, text */
	S("user = nobody", user, "nobody"),
	S("user = spam.pot_2-x", user, "spam.pot_2-x"),
	S("spool_group = spampot-ro", spool_group, "spampot-ro"),
	S("mysql_database = honey_db", mysql_database, "honey_db"),
	S("mysql_user = reader", mysql_user, "reader"),
	S("spool_dir = /srv/spampot", spool_dir, "/srv/spampot"),
	S("mysql_socket = /tmp/my.sock", mysql_socket, "/tmp/my.sock"),
	S("mysql_password_file = /etc/pw", mysql_password_file, "/etc/pw"),
	S("hostname = mail.example.com", hostname, "mail.example.com"),
	S("banner = ESMTP Exim 4.96", banner, "ESMTP Exim 4.96"),
	S("persona = exim-debian", persona, "exim-debian"),
	S("persona = rfc821", persona, "rfc821"),
	S("auth_accept = fail-first 3", auth_accept, "fail-first 3"),
	S("banner = \"\"", banner, ""),
	S("sensor = eu-west 3", sensor, "eu-west 3"),
	S("mysql_host = db.example.org", mysql_host, "db.example.org"),
};

/* mysql_host as the list db.c tries in order. */
static void
test_db_hosts(void **state)
{
	struct dbhost h[DBHOSTS_MAX];
	char err[128];

	(void)state;
	assert_int_equal(dbhosts_parse("", 3306, h, err, sizeof(err)), 0);
	assert_int_equal(dbhosts_parse("db.example.org", 3306, h, err,
	    sizeof(err)), 1);
	assert_string_equal(h[0].name, "db.example.org");
	assert_int_equal(h[0].port, 3306);
	assert_int_equal(dbhosts_parse(" node1:3307,node2 [2001:db8::5]:3308,"
	    "\t[::1] 10.0.0.3:4000 ", 3306, h, err, sizeof(err)), 5);
	assert_string_equal(h[0].name, "node1");
	assert_int_equal(h[0].port, 3307);
	assert_string_equal(h[1].name, "node2");
	assert_int_equal(h[1].port, 3306);
	assert_string_equal(h[2].name, "2001:db8::5");
	assert_int_equal(h[2].port, 3308);
	assert_string_equal(h[3].name, "::1");
	assert_int_equal(h[3].port, 3306);
	assert_string_equal(h[4].name, "10.0.0.3");
	assert_int_equal(h[4].port, 4000);
	assert_int_equal(dbhosts_parse("a:", 3306, h, err, sizeof(err)), -1);
	assert_int_equal(dbhosts_parse("2001:db8::5", 3306, h, err,
	    sizeof(err)), -1);
}

static void
test_values(void **state)
{
	const struct value_case *vc;
	struct config cf;
	size_t i;

	for (i = 0; i < sizeof(value_cases) / sizeof(value_cases[0]); i++) {
		vc = &value_cases[i];
		import_ok(&cf, vc->text);
		switch (vc->kind) {
		case V_U64:
			if (*(uint64_t *)((char *)&cf + vc->off) != vc->num)
				fail_msg("%s: got %llu, want %llu", vc->text,
				    (unsigned long long)*(uint64_t *)
				    ((char *)&cf + vc->off),
				    (unsigned long long)vc->num);
			break;
		case V_INT:
			if (*(int *)((char *)&cf + vc->off) != (int)vc->num)
				fail_msg("%s: got %d, want %d", vc->text,
				    *(int *)((char *)&cf + vc->off),
				    (int)vc->num);
			break;
		case V_STR:
			if (strcmp(*(char **)((char *)&cf + vc->off),
			    vc->str) != 0)
				fail_msg("%s: got '%s', want '%s'", vc->text,
				    *(char **)((char *)&cf + vc->off),
				    vc->str);
			break;
		}
		conf_clear(&cf);
	}
}

/* The limits a client sees follow the persona's MTA unless set. */
static void
test_persona_limits(void **state)
{
	struct config cf;

	import_ok(&cf, "persona = exim-debian\n");
	assert_int_equal(cf.max_message_size, 52428800);
	assert_int_equal(cf.max_command_line, 16384);
	conf_clear(&cf);
	import_ok(&cf, "max_message_size = 5M\npersona = exim-debian\n"
	    "max_command_line = 1K\n");
	assert_int_equal(cf.max_message_size, 5 * MiB);
	assert_int_equal(cf.max_command_line, 1024);
	conf_clear(&cf);
	import_ok(&cf, "persona = postfix-debian\n");
	assert_int_equal(cf.max_message_size, 10240000);
	assert_int_equal(cf.max_command_line, 2048);
	conf_clear(&cf);
}

static void
test_workers_auto(void **state)
{
	struct config cf;

	import_ok(&cf, "workers = auto\n");
	assert_int_equal(cf.workers, expected_workers());
	assert_true(cf.workers >= 1 && cf.workers <= CONF_MAX_WORKERS);
	conf_clear(&cf);
}

static void
test_listen(void **state)
{
	struct config cf;
	char text[2048];
	size_t i, n;

	import_ok(&cf, "listen = 127.0.0.1:2525\n");
	assert_int_equal(cf.nlisten, 1);
	assert_listen4(&cf.listen[0], "127.0.0.1", 2525, "127.0.0.1:2525");
	conf_clear(&cf);

	import_ok(&cf, "listen = [::1]:25\n");
	assert_int_equal(cf.nlisten, 1);
	assert_listen6(&cf.listen[0], "::1", 25, "[::1]:25");
	conf_clear(&cf);

	/* several, separated by spaces, tabs and commas */
	import_ok(&cf, "listen = 192.0.2.1:25 [2001:db8::25]:587,"
	    "198.51.100.7:65535\t[::ffff:192.0.2.9]:1\n");
	assert_int_equal(cf.nlisten, 4);
	assert_listen4(&cf.listen[0], "192.0.2.1", 25, "192.0.2.1:25");
	assert_listen6(&cf.listen[1], "2001:db8::25", 587,
	    "[2001:db8::25]:587");
	assert_listen4(&cf.listen[2], "198.51.100.7", 65535,
	    "198.51.100.7:65535");
	assert_listen6(&cf.listen[3], "::ffff:192.0.2.9", 1,
	    "[::ffff:192.0.2.9]:1");
	conf_clear(&cf);

	/* TLS modes: STARTTLS (bare), implicit (/tls), never (/plain) */
	import_ok(&cf, "listen = 127.0.0.1:25 127.0.0.1:465/tls "
	    "[::1]:587/plain\ntls_cert_file = /c.pem\ntls_key_file = /k.pem\n");
	assert_int_equal(cf.nlisten, 3);
	assert_listen4(&cf.listen[0], "127.0.0.1", 25, "127.0.0.1:25");
	assert_int_equal(cf.listen[0].tls, CONF_TLS_STARTTLS);
	assert_listen4(&cf.listen[1], "127.0.0.1", 465, "127.0.0.1:465/tls");
	assert_int_equal(cf.listen[1].tls, CONF_TLS_IMPLICIT);
	assert_listen6(&cf.listen[2], "::1", 587, "[::1]:587/plain");
	assert_int_equal(cf.listen[2].tls, CONF_TLS_PLAIN);
	assert_string_equal(cf.tls_cert_file, "/c.pem");
	assert_int_equal(cf.tls_cert_line, 2);
	assert_int_equal(cf.tls_key_line, 3);
	assert_int_equal(cf.tls_handshake_timeout, 10000);
	conf_clear(&cf);

	/* as many as there is room for */
	n = 0;
	n += (size_t)snprintf(text + n, sizeof(text) - n, "listen =");
	for (i = 0; i < CONF_MAX_LISTEN; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
		    " 10.0.0.%zu:%zu", i + 1, 1000 + i);
	import_ok(&cf, text);
	assert_int_equal(cf.nlisten, CONF_MAX_LISTEN);
	assert_listen4(&cf.listen[CONF_MAX_LISTEN - 1], "10.0.0.16", 1015,
	    "10.0.0.16:1015");
	conf_clear(&cf);
}

/* --- patterns ------------------------------------------------------------ */

static void
test_patterns(void **state)
{
	struct config cf;

	import_ok(&cf,
	    "pattern btc = \\b[13][a-km-zA-HJ-NP-Z1-9]{25,34}\\b\n"
	    "# between\n"
	    "pattern\tphone-nr = \\+?[0-9 ]{8,}\n"
	    "pattern q.s = a=b  c\n");
	assert_int_equal(cf.npatterns, 3);
	assert_string_equal(cf.patterns[0].name, "btc");
	assert_string_equal(cf.patterns[0].regex,
	    "\\b[13][a-km-zA-HJ-NP-Z1-9]{25,34}\\b");
	assert_int_equal(cf.patterns[0].line, 1);
	assert_string_equal(cf.patterns[1].name, "phone-nr");
	assert_string_equal(cf.patterns[1].regex, "\\+?[0-9 ]{8,}");
	assert_int_equal(cf.patterns[1].line, 3);
	assert_string_equal(cf.patterns[2].name, "q.s");
	assert_string_equal(cf.patterns[2].regex, "a=b  c");
	assert_int_equal(cf.patterns[2].line, 4);
	conf_clear(&cf);
	assert_int_equal(cf.npatterns, 0);
	assert_null(cf.patterns);
}

/* --- errors -------------------------------------------------------------- */

struct error_case {
	const char	*text;
	const char	*error;		/* the whole error buffer */
};

#define NAME_EXP	"a name of letters, digits, '.', '_' or '-'"
#define SIZE_EXP	"a size in bytes, optionally with K, M or G"
#define DUR_EXP		"a duration such as 500ms, 30s, 5m or 1h"
#define LISTEN_EXP	"space-separated ADDR:PORT or [IPV6]:PORT, numeric, " \
			"each optionally followed by /tls or /plain"
#define FAC_EXP		"mail, daemon, user or local0..local7"

static const struct error_case error_cases[] = {
	/* the shape of a line */
	{ "nosuch = 1", "test.conf:1: unknown key 'nosuch'" },
	{ "Max_Errors = 1", "test.conf:1: unknown key 'Max_Errors'" },
	{ "pattern = x", "test.conf:1: unknown key 'pattern'" },
	{ "max_errors 5", "test.conf:1: expected 'key = value'" },
	{ "\n\nlisten", "test.conf:3: expected 'key = value'" },
	{ "= 5", "test.conf:1: missing key before '='" },
	{ "  \t= x", "test.conf:1: missing key before '='" },
	{ "max_errors = 5\nmax_errors = 6",
	    "test.conf:2: 'max_errors' is set twice" },
	{ "listen = 127.0.0.1:25\n# again\nlisten = [::1]:25",
	    "test.conf:3: 'listen' is set twice" },
	/* names */
	{ "user = bad name", "test.conf:1: bad value for user: 'bad name' "
	    "(expected " NAME_EXP ")" },
	{ "user = -rf", "test.conf:1: bad value for user: '-rf' "
	    "(expected " NAME_EXP ")" },
	{ "spool_group = a/b", "test.conf:1: bad value for spool_group: "
	    "'a/b' (expected " NAME_EXP ")" },
	{ "mysql_user = bob;drop", "test.conf:1: bad value for mysql_user: "
	    "'bob;drop' (expected " NAME_EXP ")" },
	/* paths */
	{ "spool_dir = var/spool", "test.conf:1: bad value for spool_dir: "
	    "'var/spool' (expected an absolute path)" },
	{ "mysql_socket = ./s", "test.conf:1: bad value for mysql_socket: "
	    "'./s' (expected an absolute path)" },
	{ "mysql_password_file =", "test.conf:1: bad value for "
	    "mysql_password_file: '' (expected an absolute path)" },
	/* numbers */
	{ "max_recipients = ten", "test.conf:1: bad value for "
	    "max_recipients: 'ten' (expected a whole number from 1 to "
	    "1000000)" },
	{ "max_recipients = 0", "test.conf:1: bad value for "
	    "max_recipients: '0' (expected a whole number from 1 to "
	    "1000000)" },
	{ "max_recipients = 1000001", "test.conf:1: bad value for "
	    "max_recipients: '1000001' (expected a whole number from 1 to "
	    "1000000)" },
	{ "max_errors = -1", "test.conf:1: bad value for max_errors: '-1' "
	    "(expected a whole number from 1 to 100000)" },
	{ "max_errors = 5x", "test.conf:1: bad value for max_errors: '5x' "
	    "(expected a whole number from 1 to 100000)" },
	{ "max_errors = 99999999999999999999999", "test.conf:1: bad value "
	    "for max_errors: '99999999999999999999999' (expected a whole "
	    "number from 1 to 100000)" },
	{ "mysql_port = 65536", "test.conf:1: bad value for mysql_port: "
	    "'65536' (expected a whole number from 1 to 65535)" },
	{ "mysql_port =", "test.conf:1: bad value for mysql_port: '' "
	    "(expected a whole number from 1 to 65535)" },
	/* mysql_host: servers in order */
	{ "\nmysql_host = db1:0", "test.conf:2: mysql_host: 'db1:0' is not a "
	    "host[:port] or [IPv6]:port" },
	{ "mysql_host = db1, db;2", "test.conf:1: mysql_host: 'db;2' is not "
	    "a host[:port] or [IPv6]:port" },
	{ "mysql_host = [::1", "test.conf:1: mysql_host: '[::1' is not a "
	    "host[:port] or [IPv6]:port" },
	{ "mysql_host = [::1]x", "test.conf:1: mysql_host: '[::1]x' is not "
	    "a host[:port] or [IPv6]:port" },
	{ "mysql_host = a:65536", "test.conf:1: mysql_host: 'a:65536' is not "
	    "a host[:port] or [IPv6]:port" },
	{ "mysql_host = a b c d e f g h i", "test.conf:1: mysql_host: more "
	    "than 8 servers" },
	/* workers */
	{ "workers = 0", "test.conf:1: bad value for workers: '0' "
	    "(expected auto or a number of workers from 1 to 64)" },
	{ "workers = 65", "test.conf:1: bad value for workers: '65' "
	    "(expected auto or a number of workers from 1 to 64)" },
	{ "workers = many", "test.conf:1: bad value for workers: 'many' "
	    "(expected auto or a number of workers from 1 to 64)" },
	/* sizes */
	{ "max_message_size = 10T", "test.conf:1: bad value for "
	    "max_message_size: '10T' (expected " SIZE_EXP ", from 1K to 4G)" },
	{ "max_message_size = 1023", "test.conf:1: bad value for "
	    "max_message_size: '1023' (expected " SIZE_EXP ", from 1K to 4G)" },
	{ "max_message_size = 5G", "test.conf:1: bad value for "
	    "max_message_size: '5G' (expected " SIZE_EXP ", from 1K to 4G)" },
	{ "max_message_size = 1.5M", "test.conf:1: bad value for "
	    "max_message_size: '1.5M' (expected " SIZE_EXP ", from 1K to 4G)" },
	{ "max_message_size = M", "test.conf:1: bad value for "
	    "max_message_size: 'M' (expected " SIZE_EXP ", from 1K to 4G)" },
	{ "max_command_line = 511", "test.conf:1: bad value for "
	    "max_command_line: '511' (expected " SIZE_EXP ", from 512 to 1M)" },
	{ "max_command_line = 2M", "test.conf:1: bad value for "
	    "max_command_line: '2M' (expected " SIZE_EXP ", from 512 to 1M)" },
	{ "max_data_line = 999", "test.conf:1: bad value for "
	    "max_data_line: '999' (expected " SIZE_EXP ", from 1000 to 1G)" },
	{ "max_transcript = 4095", "test.conf:1: bad value for "
	    "max_transcript: '4095' (expected " SIZE_EXP ", from 4K to 4G)" },
	{ "max_transcript = 5G", "test.conf:1: bad value for "
	    "max_transcript: '5G' (expected " SIZE_EXP ", from 4K to 4G)" },
	{ "spool_min_free = 18014398509481984G", "test.conf:1: bad value "
	    "for spool_min_free: '18014398509481984G' (expected " SIZE_EXP
	    ", from 0 to 1024G)" },
	/* durations */
	{ "command_timeout = 5x", "test.conf:1: bad value for "
	    "command_timeout: '5x' (expected " DUR_EXP ", from 1s to 24h)" },
	{ "command_timeout = 999ms", "test.conf:1: bad value for "
	    "command_timeout: '999ms' (expected " DUR_EXP ", from 1s to 24h)" },
	{ "command_timeout = 25h", "test.conf:1: bad value for "
	    "command_timeout: '25h' (expected " DUR_EXP ", from 1s to 24h)" },
	{ "greeting_delay = 11m", "test.conf:1: bad value for "
	    "greeting_delay: '11m' (expected " DUR_EXP ", from 0 to 10m)" },
	{ "data_timeout = 1 s", "test.conf:1: bad value for "
	    "data_timeout: '1 s' (expected " DUR_EXP ", from 1s to 24h)" },
	{ "data_timeout = -30s", "test.conf:1: bad value for "
	    "data_timeout: '-30s' (expected " DUR_EXP ", from 1s to 24h)" },
	{ "shutdown_grace = 5000000000000000h", "test.conf:1: bad value "
	    "for shutdown_grace: '5000000000000000h' (expected " DUR_EXP
	    ", from 0 to 1h)" },
	/* booleans */
	{ "spool_fsync = maybe", "test.conf:1: bad value for spool_fsync: "
	    "'maybe' (expected yes or no)" },
	{ "spool_fsync = 2", "test.conf:1: bad value for spool_fsync: '2' "
	    "(expected yes or no)" },
	/* listen */
	{ "listen = 127.0.0.1", "test.conf:1: bad value for listen: "
	    "'127.0.0.1' (expected " LISTEN_EXP ")" },
	{ "listen = 127.0.0.1:", "test.conf:1: bad value for listen: "
	    "'127.0.0.1:' (expected " LISTEN_EXP ")" },
	{ "listen = 127.0.0.1:0", "test.conf:1: bad value for listen: "
	    "'127.0.0.1:0' (expected " LISTEN_EXP ")" },
	{ "listen = 127.0.0.1:65536", "test.conf:1: bad value for listen: "
	    "'127.0.0.1:65536' (expected " LISTEN_EXP ")" },
	{ "listen = 127.0.0.1:25x", "test.conf:1: bad value for listen: "
	    "'127.0.0.1:25x' (expected " LISTEN_EXP ")" },
	{ "listen = localhost:25", "test.conf:1: bad value for listen: "
	    "'localhost:25' (expected " LISTEN_EXP ")" },
	{ "listen = mx.example.org:25", "test.conf:1: bad value for listen: "
	    "'mx.example.org:25' (expected " LISTEN_EXP ")" },
	{ "listen = ::1:25", "test.conf:1: bad value for listen: '::1:25' "
	    "(expected " LISTEN_EXP ")" },
	{ "listen = [::1]", "test.conf:1: bad value for listen: '[::1]' "
	    "(expected " LISTEN_EXP ")" },
	{ "listen = [::1]25", "test.conf:1: bad value for listen: "
	    "'[::1]25' (expected " LISTEN_EXP ")" },
	{ "listen = [::1]:0", "test.conf:1: bad value for listen: "
	    "'[::1]:0' (expected " LISTEN_EXP ")" },
	{ "listen = [::1]:65536", "test.conf:1: bad value for listen: "
	    "'[::1]:65536' (expected " LISTEN_EXP ")" },
	{ "listen = []:25", "test.conf:1: bad value for listen: '[]:25' "
	    "(expected " LISTEN_EXP ")" },
	{ "listen = [127.0.0.1]:25", "test.conf:1: bad value for listen: "
	    "'[127.0.0.1]:25' (expected " LISTEN_EXP ")" },
	{ "listen = 127.0.0.1:25 localhost:25", "test.conf:1: bad value for "
	    "listen: '127.0.0.1:25 localhost:25' (expected " LISTEN_EXP ")" },
	{ "listen =", "test.conf:1: bad value for listen: '' (expected "
	    LISTEN_EXP ")" },
	{ "listen = 1.1.1.1:1 1.1.1.2:1 1.1.1.3:1 1.1.1.4:1 1.1.1.5:1 "
	    "1.1.1.6:1 1.1.1.7:1 1.1.1.8:1 1.1.1.9:1 1.1.1.10:1 1.1.1.11:1 "
	    "1.1.1.12:1 1.1.1.13:1 1.1.1.14:1 1.1.1.15:1 1.1.1.16:1 "
	    "1.1.1.17:1", "test.conf:1: bad value for listen: '1.1.1.1:1 "
	    "1.1.1.2:1 1.1.1.3:1 1.1.1.4:1 1.1.1.5:1 1.1.1.6:1 1.1.1.7:1 "
	    "1.1.1.8:1 1.1.1.9:1 1.1.1.10:1 1.1.1.11:1 1.1.1.12:1 "
	    "1.1.1.13:1 1.1.1.14:1 1.1.1.15:1 1.1.1.16:1 1.1.1.17:1' "
	    "(expected " LISTEN_EXP ")" },
	/* facilities */
	{ "log_facility = kern", "test.conf:1: bad value for log_facility: "
	    "'kern' (expected " FAC_EXP ")" },
	{ "log_facility = local8", "test.conf:1: bad value for "
	    "log_facility: 'local8' (expected " FAC_EXP ")" },
	{ "log_facility = MAIL", "test.conf:1: bad value for "
	    "log_facility: 'MAIL' (expected " FAC_EXP ")" },
	/* personas and auth_accept */
	{ "persona = qmail", "test.conf:1: bad value for persona: 'qmail' "
	    "(expected postfix-debian, exim-debian, exchange or rfc821)" },
	{ "auth_accept = some", "test.conf:1: bad value for auth_accept: "
	    "'some' (expected all, fail-first N (0 to 1000) or list /PATH)" },
	{ "auth_accept = fail-first 1001", "test.conf:1: bad value for "
	    "auth_accept: 'fail-first 1001' (expected all, fail-first N (0 "
	    "to 1000) or list /PATH)" },
	{ "auth_accept = list /nonexistent/creds", "test.conf:1: "
	    "auth_accept: /nonexistent/creds: No such file or directory" },
	/* text may not hold a line break */
	{ "banner = ESMTP\rforged", "test.conf:1: bad value for banner: "
	    "'ESMTP\rforged' (expected text)" },
	/* patterns */
	{ "pattern email = x", "test.conf:1: pattern name 'email' is a "
	    "built-in kind" },
	{ "pattern url = x", "test.conf:1: pattern name 'url' is a "
	    "built-in kind" },
	{ "pattern domain = x", "test.conf:1: pattern name 'domain' is a "
	    "built-in kind" },
	{ "pattern ip = x", "test.conf:1: pattern name 'ip' is a "
	    "built-in kind" },
	{ "pattern subject = x", "test.conf:1: pattern name 'subject' is a "
	    "built-in kind" },
	{ "pattern username = x", "test.conf:1: pattern name 'username' is "
	    "a built-in kind" },
	{ "pattern btc = a\n\npattern btc = b", "test.conf:3: pattern 'btc' "
	    "already defined on line 1" },
	{ "pattern empty =", "test.conf:1: pattern 'empty' has an empty "
	    "regex" },
	{ "pattern a b = x", "test.conf:1: bad pattern name 'a b' "
	    "(letters, digits, '.', '_' or '-', at most 64)" },
	{ "pattern -x = x", "test.conf:1: bad pattern name '-x' (letters, "
	    "digits, '.', '_' or '-', at most 64)" },
	{ "pattern "
	    "a123456789b123456789c123456789d123456789e123456789f123456789g1234"
	    " = x", "test.conf:1: bad pattern name "
	    "'a123456789b123456789c123456789d123456789e123456789f123456789g1234'"
	    " (letters, digits, '.', '_' or '-', at most 64)" },
	/* TLS: listener modes, certificate and key */
	{ "listen = 127.0.0.1:25/ssl", "test.conf:1: bad value for listen: "
	    "'127.0.0.1:25/ssl' (expected " LISTEN_EXP ")" },
	{ "listen = 127.0.0.1:25/", "test.conf:1: bad value for listen: "
	    "'127.0.0.1:25/' (expected " LISTEN_EXP ")" },
	{ "listen = 127.0.0.1:25 127.0.0.1:465/tls", "test.conf:1: listen "
	    "127.0.0.1:465/tls: implicit TLS needs tls_cert_file and "
	    "tls_key_file" },
	{ "\ntls_cert_file = /etc/c.pem", "test.conf:2: tls_cert_file is set "
	    "but tls_key_file is not: TLS needs both" },
	{ "tls_key_file = /etc/k.pem", "test.conf:1: tls_key_file is set "
	    "but tls_cert_file is not: TLS needs both" },
	{ "tls_cert_file = c.pem", "test.conf:1: bad value for "
	    "tls_cert_file: 'c.pem' (expected an absolute path, or nothing)" },
	{ "tls_handshake_timeout = 0", "test.conf:1: bad value for "
	    "tls_handshake_timeout: '0' (expected a duration such as 500ms, "
	    "30s, 5m or 1h, from 1s to 5m)" },
	/* whole-file checks */
	{ "user = \"\"", "test.conf:1: user must not be empty" },
	{ "\n\n# the sensor user\nuser = \"\"\n",
	    "test.conf:4: user must not be empty" },
};

static void
test_errors(void **state)
{
	const struct error_case *ec;
	struct config cf;
	size_t i;

	for (i = 0; i < sizeof(error_cases) / sizeof(error_cases[0]); i++) {
		ec = &error_cases[i];
		memset(&cf, 0xa5, sizeof(cf));
		if (parse(&cf, ec->text) != -1)
			fail_msg("accepted: %s", ec->text);
		if (strcmp(errbuf, ec->error) != 0)
			fail_msg("for:  %s\ngot:  %s\nwant: %s", ec->text,
			    errbuf, ec->error);
		/* a rejected file leaves nothing allocated behind */
		assert_null(cf.path);
		assert_null(cf.user);
		assert_null(cf.patterns);
		assert_int_equal(cf.npatterns, 0);
	}
}

/* A pattern of 64 characters is the longest name accepted. */
static void
test_pattern_name_limit(void **state)
{
	struct config cf;

	import_ok(&cf, "pattern "
	    "a123456789b123456789c123456789d123456789e123456789f123456789g123"
	    " = x\n");
	assert_int_equal(cf.npatterns, 1);
	assert_int_equal(strlen(cf.patterns[0].name), 64);
	conf_clear(&cf);
}

/* A NUL byte anywhere in a line rejects that line. */
static void
test_nul_byte(void **state)
{
	static const char text[] = "max_errors = 5\nbanner = ab\0cd\nuser = x";
	struct config cf;

	assert_int_equal(conf_parse_buffer(&cf, PATH, text,
	    sizeof(text) - 1, errbuf, sizeof(errbuf)), -1);
	assert_string_equal(errbuf, "test.conf:2: NUL byte in line");

	/* on the last line, without a newline after it */
	assert_int_equal(conf_parse_buffer(&cf, PATH, "user = x\n\0", 10,
	    errbuf, sizeof(errbuf)), -1);
	assert_string_equal(errbuf, "test.conf:2: NUL byte in line");
}

static void
test_long_line(void **state)
{
	struct config cf;
	size_t n = 8191;
	char *text = malloc(n + 64);

	assert_non_null(text);
	/* 8191 bytes is still a line... */
	memcpy(text, "banner = ", 9);
	memset(text + 9, 'b', n - 9);
	snprintf(text + n, 64, "\nmax_errors = 3\n");
	import_ok(&cf, text);
	assert_int_equal(strlen(cf.banner), n - 9);
	assert_int_equal(cf.max_errors, 3);
	conf_clear(&cf);

	/* ...8192 is not, and the line after it is still read */
	memcpy(text, "# a comment", 11);
	memset(text + 11, 'c', n + 1 - 11);
	snprintf(text + n + 1, 63, "\nmax_errors = 0\n");
	assert_int_equal(parse(&cf, text), -1);
	assert_string_equal(errbuf, "test.conf:1: line longer than 8191 bytes\n"
	    "test.conf:2: bad value for max_errors: '0' (expected a whole "
	    "number from 1 to 100000)");
	free(text);
}

/* A file full of mistakes: every one is reported, one per line. */
static void
test_many_errors(void **state)
{
	static const char text[] =
	    "# spampot.conf with a mistake on most lines\n"	/* 1 */
	    "listen = 0.0.0.0:25 [::]:25\n"			/* 2 ok */
	    "listen = [::1]:25\n"				/* 3 */
	    "workers = lots\n"					/* 4 */
	    "\n"						/* 5 */
	    "max_message_size = 10P\n"				/* 6 */
	    "command_timeout = 10 minutes\n"			/* 7 */
	    "spool_fsync = perhaps\n"				/* 8 */
	    "spool_dir = spool\n"				/* 9 */
	    "log_facility = auth\n"				/* 10 */
	    "no_such_key = 1\n"					/* 11 */
	    "just some words\n"					/* 12 */
	    "= orphan\n"					/* 13 */
	    "pattern ip = [0-9.]+\n"				/* 14 */
	    "pattern ok = x\n"					/* 15 ok */
	    "pattern ok = y\n"					/* 16 */
	    "listen = 10.0.0.1:0\n"				/* 17 */
	    "listen6 = ::1:25\n"				/* 18 */
	    "max_errors = 20\n";				/* 19 ok */
	static const char *const want[] = {
	    "test.conf:3: 'listen' is set twice",
	    "test.conf:4: bad value for workers: 'lots' (expected auto or a "
	    "number of workers from 1 to 64)",
	    "test.conf:6: bad value for max_message_size: '10P' (expected "
	    SIZE_EXP ", from 1K to 4G)",
	    "test.conf:7: bad value for command_timeout: '10 minutes' "
	    "(expected " DUR_EXP ", from 1s to 24h)",
	    "test.conf:8: bad value for spool_fsync: 'perhaps' (expected yes "
	    "or no)",
	    "test.conf:9: bad value for spool_dir: 'spool' (expected an "
	    "absolute path)",
	    "test.conf:10: bad value for log_facility: 'auth' (expected "
	    FAC_EXP ")",
	    "test.conf:11: unknown key 'no_such_key'",
	    "test.conf:12: expected 'key = value'",
	    "test.conf:13: missing key before '='",
	    "test.conf:14: pattern name 'ip' is a built-in kind",
	    "test.conf:16: pattern 'ok' already defined on line 15",
	    "test.conf:17: 'listen' is set twice",
	    "test.conf:18: unknown key 'listen6'",
	};
	size_t nwant = sizeof(want) / sizeof(want[0]), i;
	struct config cf;
	char *line, *save = NULL;

	assert_int_equal(parse(&cf, text), -1);
	for (i = 0, line = strtok_r(errbuf, "\n", &save); line != NULL;
	    i++, line = strtok_r(NULL, "\n", &save)) {
		if (i >= nwant)
			fail_msg("unexpected extra error: %s", line);
		assert_string_equal(line, want[i]);
	}
	assert_int_equal(i, nwant);
	assert_null(cf.path);
}

/* Line numbers count every line, and only lines. */
static void
test_error_line_numbers(void **state)
{
	static const struct {
		const char	*text;
		const char	*prefix;
	} cases[] = {
		{ "bad", "test.conf:1: " },
		{ "\nbad", "test.conf:2: " },
		{ "\r\n\r\nbad\r\n", "test.conf:3: " },
		{ "# c\n# c\n# c\n\n\n  \t\nbad\n", "test.conf:7: " },
		{ "a_ok_line_is_not = here\n", "test.conf:1: " },
		{ "max_errors = 3\n\n\n\n\n\n\n\n\n\nworkers = 0\n",
		    "test.conf:11: " },
	};
	struct config cf;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(parse(&cf, cases[i].text), -1);
		if (strncmp(errbuf, cases[i].prefix,
		    strlen(cases[i].prefix)) != 0)
			fail_msg("'%s': got '%s', want prefix '%s'",
			    cases[i].text, errbuf, cases[i].prefix);
		assert_null(strchr(errbuf, '\n'));
	}
}

/* An error buffer too small for every message is cut, never overrun. */
static void
test_small_error_buffer(void **state)
{
	struct config cf;
	char small[48];
	const char *text = "a = 1\nb = 2\nc = 3\nd = 4\n";

	memset(small, 'z', sizeof(small));
	assert_int_equal(conf_parse_buffer(&cf, PATH, text, strlen(text),
	    small, 40), -1);
	assert_true(strlen(small) < 40);
	assert_string_equal(small, "test.conf:1: unknown key 'a'\n"
	    "test.conf:");
	assert_int_equal(small[40], 'z');	/* nothing past errlen */
}

/* --- conf_load --------------------------------------------------------- */

static void
test_load(void **state)
{
	char dir[] = "/tmp/spampot-test-config-XXXXXX", path[128];
	struct config cf;
	FILE *fp;
	char *big;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/spampot.conf", dir);

	/* missing file */
	memset(errbuf, 'x', sizeof(errbuf));
	assert_int_equal(conf_load(&cf, path, errbuf, sizeof(errbuf)), -1);
	{
		char want[256];

		snprintf(want, sizeof(want), "%s: No such file or directory",
		    path);
		assert_string_equal(errbuf, want);
	}

	/* a good file */
	assert_non_null(fp = fopen(path, "w"));
	fputs("# test\nhostname = mx.test\nmax_errors = 4\n"
	    "pattern tok = [A-Z]{8}\n", fp);
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(conf_load(&cf, path, errbuf, sizeof(errbuf)), 0);
	assert_string_equal(cf.path, path);
	assert_string_equal(cf.hostname, "mx.test");
	assert_int_equal(cf.max_errors, 4);
	assert_int_equal(cf.npatterns, 1);
	conf_clear(&cf);

	/* a bad one names the file as given */
	assert_non_null(fp = fopen(path, "w"));
	fputs("hostname = mx.test\nmax_errors = none\n", fp);
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(conf_load(&cf, path, errbuf, sizeof(errbuf)), -1);
	{
		char want[512];

		snprintf(want, sizeof(want), "%s:2: bad value for max_errors: "
		    "'none' (expected a whole number from 1 to 100000)", path);
		assert_string_equal(errbuf, want);
	}

	/* over 1 MiB */
	assert_non_null(big = malloc(1024 * 1024 + 1));
	memset(big, '\n', 1024 * 1024 + 1);
	assert_non_null(fp = fopen(path, "w"));
	assert_int_equal(fwrite(big, 1, 1024 * 1024 + 1, fp), 1024 * 1024 + 1);
	assert_int_equal(fclose(fp), 0);
	free(big);
	assert_int_equal(conf_load(&cf, path, errbuf, sizeof(errbuf)), -1);
	{
		char want[256];

		snprintf(want, sizeof(want), "%s: larger than 1 MiB", path);
		assert_string_equal(errbuf, want);
	}

	/* exactly 1 MiB of blank lines is fine */
	assert_int_equal(truncate(path, 1024 * 1024), 0);
	assert_int_equal(conf_load(&cf, path, errbuf, sizeof(errbuf)), 0);
	conf_clear(&cf);

	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_db_hosts),
		cmocka_unit_test(test_workers_auto),
		cmocka_unit_test(test_persona_limits),
		cmocka_unit_test(test_listen),
		cmocka_unit_test(test_patterns),
		cmocka_unit_test(test_pattern_name_limit),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_many_errors),
		cmocka_unit_test(test_error_line_numbers),
		cmocka_unit_test(test_small_error_buffer),
		cmocka_unit_test(test_load),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
