/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * spampot-report: what analysts ask the database first, as text for a
 * terminal, JSON or CSV for their other tools, or one HTML page. Run by any
 * user; it reads the same configuration file as the analyzer for the
 * database's whereabouts (mysql_* keys) and connects as the analyzer's
 * database user, or as any user given with --user that may SELECT (an
 * analyst made by spampot-dbsetup --reader). It only reads, through
 * prepared statements, in one read-only transaction. No privileges, no
 * sandbox of its own: it holds no secret but the password it was given
 * and never parses anything but its arguments and the database's rows.
 *
 * Exit status: 0 something found, 1 nothing found, 2 an error (bad option,
 * bad time, database unreachable), with one line on standard error;
 * sensors, a monitoring check, exits as a Nagios plugin does.
 */
#include "autoconf.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "paths.h"
#include "pwfile.h"
#include "report_int.h"
#include "util.h"

enum {
	OPT_SINCE = 256, OPT_UNTIL, OPT_SENSOR, OPT_LIMIT, OPT_FORMAT, OPT_USER,
	OPT_PASSWORD_FILE, OPT_IP, OPT_ADDRESS, OPT_DOMAIN, OPT_URL, OPT_HASH,
	OPT_SUBJECT,
	OPT_YARA,
	OPT_CAMPAIGN,
	OPT_MISMATCH,
	OPT_WARN, OPT_CRIT, OPT_BACKLOG,
	OPT_TLP
};

static const struct option report_longopts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ "output", required_argument, NULL, 'o' },
	{ "since", required_argument, NULL, OPT_SINCE },
	{ "until", required_argument, NULL, OPT_UNTIL },
	{ "sensor", required_argument, NULL, OPT_SENSOR },
	{ "limit", required_argument, NULL, OPT_LIMIT },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "user", required_argument, NULL, OPT_USER },
	{ "password-file", required_argument, NULL, OPT_PASSWORD_FILE },
	{ "ip", required_argument, NULL, OPT_IP },
	{ "address", required_argument, NULL, OPT_ADDRESS },
	{ "domain", required_argument, NULL, OPT_DOMAIN },
	{ "url", required_argument, NULL, OPT_URL },
	{ "hash", required_argument, NULL, OPT_HASH },
	{ "subject", required_argument, NULL, OPT_SUBJECT },
	{ "yara", required_argument, NULL, OPT_YARA },
	{ "campaign", required_argument, NULL, OPT_CAMPAIGN },
	{ "mismatch", no_argument, NULL, OPT_MISMATCH },
	{ "warn", required_argument, NULL, OPT_WARN },
	{ "crit", required_argument, NULL, OPT_CRIT },
	{ "backlog", required_argument, NULL, OPT_BACKLOG },
	{ "tlp", required_argument, NULL, OPT_TLP },
	{ NULL, 0, NULL, 0 },
};

struct report_args {
	const char	*config;
	const char	*user;
	const char	*password_file;
	const char	*output;
	const char	*since, *until;
	const char	*warn, *crit, *backlog;	/* sensors */
	const char	*tlp;			/* export */
	const char	*command;
	const char	*arg;
};

static void
report_usage(FILE *fp)
{
	fprintf(fp,
	    "usage: spampot-report [options] summary\n"
	    "       spampot-report [options] top KIND\n"
	    "       spampot-report [options] session ID|SPOOL_NAME\n"
	    "       spampot-report [options] search [--ip ADDR|CIDR] "
	    "[--address ADDR]\n"
	    "                      [--domain DOMAIN] [--url TEXT] [--hash HEX] "
	    "[--subject TEXT]\n"
	    "                      [--yara RULE] [--campaign ID] "
	    "[--mismatch]\n"
	    "       spampot-report [options] campaigns\n"
	    "       spampot-report [options] campaign ID\n"
	    "       spampot-report [options] relay\n"
	    "       spampot-report [options] sensors [--warn AGE] "
	    "[--crit AGE] [--backlog N]\n"
	    "       spampot-report [options] html -o FILE\n"
	    "       spampot-report [options] export --format misp|stix "
	    "[--tlp LEVEL]\n"
	    "options:\n"
	    "  -c, --config FILE      configuration with the mysql_* keys "
	    "(default\n"
	    "                         %s)\n"
	    "  --user NAME            database user (default: mysql_user)\n"
	    "  --password-file FILE   its password, first line (default:\n"
	    "                         mysql_password_file)\n"
	    "  --since TIME, --until TIME\n"
	    "                         UTC: 2026-11-26, 2026-11-26T16:00[:00], "
	    "or a time\n"
	    "                         before now: 30m, 24h, 7d, 2w\n"
	    "  --sensor NAME          one sensor's sessions only\n"
	    "  --limit N              rows (default %d)\n"
	    "  --format text|json|csv output format (default text)\n"
	    "  --format csv-safe      CSV for spreadsheets: a value that "
	    "begins with\n"
	    "                         = + - @ gets a ' before it\n"
	    "  --format misp|stix     export: a MISP event or a STIX 2.1 "
	    "bundle\n"
	    "  --tlp LEVEL            export: clear, white, green, amber "
	    "(default),\n"
	    "                         amber+strict or red\n"
	    "  -o, --output FILE      write there, not to standard output\n"
	    "kinds of top:\n", SPAMPOT_CONFIG_FILE, REPORT_LIMIT_DEFAULT);
	rtop_usage(fp);
	fprintf(fp, "sensors: a monitoring check of the heartbeats: WARNING "
	    "after --warn\n"
	    "  (default 5m), CRITICAL after --crit (default 15m), a backlog "
	    "in new/ of\n"
	    "  --backlog files (default %d) that grows: WARNING\n"
	    "exit status: 0 found, 1 nothing found, 2 error; sensors: 0 OK, "
	    "1 WARNING,\n"
	    "  2 CRITICAL (or error), 3 UNKNOWN (no heartbeat)\n",
	    RSENS_BACKLOG_DEFAULT);
}

static void report_bad(const char *, ...)
    __attribute__((format(printf, 1, 2), noreturn));

static void
report_bad(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "spampot-report: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "; try spampot-report --help\n");
	exit(REPORT_ERROR);
}

static unsigned long
report_limit(const char *s)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (s[0] < '0' || s[0] > '9' || *end != '\0' || errno != 0 ||
	    v == 0 || v > REPORT_LIMIT_MAX)
		report_bad("bad --limit '%s' (expected 1 to %d)", s,
		    REPORT_LIMIT_MAX);
	return v;
}

/* csv-safe is CSV with what a spreadsheet takes for a formula defused. */
static enum report_format
report_format(const char *s, int *csv_safe)
{
	*csv_safe = strcmp(s, "csv-safe") == 0;
	if (strcmp(s, "text") == 0)
		return RF_TEXT;
	if (strcmp(s, "json") == 0)
		return RF_JSON;
	if (strcmp(s, "csv") == 0 || *csv_safe)
		return RF_CSV;
	if (strcmp(s, "misp") == 0)
		return RF_MISP;
	if (strcmp(s, "stix") == 0)
		return RF_STIX;
	report_bad("bad --format '%s' (expected text, json, csv, csv-safe, "
	    "or for export misp or stix)", s);
}

static void
report_time(const char *opt, const char *s, struct report_opts *o,
    time_t *t, char *sql)
{
	if (rtime_parse(s, o->now, t) == -1 || *t <= 0)
		report_bad("bad time '%s' for --%s (expected YYYY-MM-DD, "
		    "YYYY-MM-DDTHH:MM[:SS] in UTC, or a duration such as 30m, "
		    "24h, 7d)", s, opt);
	rtime_sql(*t, sql, 32);
}

static void
report_parse(int argc, char *argv[], struct report_args *a,
    struct report_opts *o)
{
	int ch;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":c:hVo:", report_longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'c': a->config = optarg; break;
		case 'o': a->output = optarg; break;
		case 'h': report_usage(stdout); exit(0);
		case 'V': printf("spampot-report %s\n", PACKAGE_VERSION);
			exit(0);
		case OPT_SINCE: a->since = optarg; break;
		case OPT_UNTIL: a->until = optarg; break;
		case OPT_SENSOR: o->sensor = optarg; break;
		case OPT_LIMIT: o->limit = report_limit(optarg); break;
		case OPT_FORMAT:
			o->format = report_format(optarg, &o->csv_safe);
			break;
		case OPT_USER: a->user = optarg; break;
		case OPT_PASSWORD_FILE: a->password_file = optarg; break;
		case OPT_IP: o->search.ip = optarg; break;
		case OPT_ADDRESS: o->search.address = optarg; break;
		case OPT_DOMAIN: o->search.domain = optarg; break;
		case OPT_URL: o->search.url = optarg; break;
		case OPT_HASH: o->search.hash = optarg; break;
		case OPT_SUBJECT: o->search.subject = optarg; break;
		case OPT_YARA: o->search.yara = optarg; break;
		case OPT_CAMPAIGN: o->search.campaign = optarg; break;
		case OPT_MISMATCH: o->search.mismatch = 1; break;
		case OPT_WARN: a->warn = optarg; break;
		case OPT_CRIT: a->crit = optarg; break;
		case OPT_BACKLOG: a->backlog = optarg; break;
		case OPT_TLP: a->tlp = optarg; break;
		case ':':
			report_bad("option '%s' needs a value", argv[optind - 1]);
		default:
			report_bad("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		report_bad("no command (summary, top, session, search, "
		    "campaigns, campaign, relay, sensors, html, export)");
	a->command = argv[optind++];
	if (optind < argc)
		a->arg = argv[optind++];
	if (optind < argc)
		report_bad("unexpected argument '%s'", argv[optind]);
}

/* An age for --warn/--crit: a duration (90s, 5m, 2h, 1d). */
static long
report_age(const char *opt, const char *s, const struct report_opts *o)
{
	size_t n = strlen(s);
	time_t t;

	if (n < 2 || strchr("smhdw", s[n - 1]) == NULL ||
	    rtime_parse(s, o->now, &t) == -1 || t > o->now)
		report_bad("bad age '%s' for --%s (expected a duration such "
		    "as 90s, 5m, 2h)", s, opt);
	return (long)(o->now - t);
}

/* sensors' own options, and the window that does not apply to it. */
static void
report_check_sensors(const struct report_args *a, struct report_opts *o)
{
	int sensors = strcmp(a->command, "sensors") == 0;
	char *end;

	/* html judges the sensors too, with the defaults */
	o->warn_s = RSENS_WARN_DEFAULT;
	o->crit_s = RSENS_CRIT_DEFAULT;
	o->backlog = RSENS_BACKLOG_DEFAULT;
	if (!sensors) {
		if (a->warn || a->crit || a->backlog)
			report_bad("--warn, --crit and --backlog go with "
			    "sensors");
		return;
	}
	if (a->since != NULL || a->until != NULL)
		report_bad("sensors shows the last heartbeats; --since and "
		    "--until do not apply");
	if (a->warn != NULL)
		o->warn_s = report_age("warn", a->warn, o);
	if (a->crit != NULL)
		o->crit_s = report_age("crit", a->crit, o);
	if (o->crit_s < o->warn_s)
		report_bad("--crit %lds is shorter than --warn %lds",
		    o->crit_s, o->warn_s);
	if (a->backlog != NULL) {
		errno = 0;
		o->backlog = strtoull(a->backlog, &end, 10);
		if (a->backlog[0] < '0' || a->backlog[0] > '9' ||
		    *end != '\0' || errno != 0)
			report_bad("bad --backlog '%s' (expected a number of "
			    "files)", a->backlog);
	}
}

/* export's formats and --tlp, which go with export only. */
static void
report_check_export(struct report_args *a, const struct report_opts *o)
{
	int export = strcmp(a->command, "export") == 0;
	int fmt = o->format == RF_MISP || o->format == RF_STIX;

	if (!export) {
		if (fmt)
			report_bad("--format misp and stix go with export");
		if (a->tlp != NULL)
			report_bad("--tlp goes with export");
		return;
	}
	if (!fmt)
		report_bad("export writes --format misp or --format stix");
	if (a->tlp == NULL)
		a->tlp = REPORT_TLP_DEFAULT;
	else if (rexp_check_tlp(a->tlp) == NULL)
		report_bad("bad --tlp '%s' (expected clear, white, green, "
		    "amber, amber+strict or red)", a->tlp);
}

/* Arguments that need no database are checked before connecting. */
static void
report_check(struct report_args *a, struct report_opts *o)
{
	const struct report_search *s = &o->search;
	int has_search = s->ip || s->address || s->domain || s->url ||
	    s->hash || s->subject || s->yara || s->campaign || s->mismatch;
	int needs_arg = strcmp(a->command, "top") == 0 ||
	    strcmp(a->command, "session") == 0 ||
	    strcmp(a->command, "campaign") == 0;

	if (strcmp(a->command, "summary") != 0 && !needs_arg &&
	    strcmp(a->command, "search") != 0 && strcmp(a->command, "html") != 0 &&
	    strcmp(a->command, "relay") != 0 &&
	    strcmp(a->command, "campaigns") != 0 &&
	    strcmp(a->command, "sensors") != 0 &&
	    strcmp(a->command, "export") != 0)
		report_bad("unknown command '%s'", a->command);
	if (needs_arg && a->arg == NULL)
		report_bad("%s needs %s", a->command, strcmp(a->command,
		    "top") == 0 ? "a KIND" : strcmp(a->command, "campaign") ==
		    0 ? "a campaign id" : "a session id or spool file name");
	if (!needs_arg && a->arg != NULL)
		report_bad("unexpected argument '%s'", a->arg);
	if (has_search && strcmp(a->command, "search") != 0)
		report_bad("--ip, --address, --domain, --url, --hash, "
		    "--subject, --yara, --campaign and --mismatch go with "
		    "search");
	if (a->since != NULL)
		report_time("since", a->since, o, &o->since, o->since_sql);
	if (a->until != NULL)
		report_time("until", a->until, o, &o->until, o->until_sql);
	if (o->since != 0 && o->until != 0 && o->since >= o->until)
		report_bad("--since %s is not before --until %s", a->since,
		    a->until);
	if (strcmp(a->command, "html") == 0 && o->format != RF_TEXT)
		report_bad("html writes HTML; --format does not apply");
	if (strcmp(a->command, "session") == 0 && o->format == RF_CSV)
		report_bad("session: --format csv is not available; use text "
		    "or json");
	if (strcmp(a->command, "top") == 0)
		rtop_check(a->arg);
	if (strcmp(a->command, "search") == 0)
		rsearch_check_opts(o);
	if (strcmp(a->command, "session") == 0)
		rsess_check(a->arg);
	report_check_sensors(a, o);
	report_check_export(a, o);
}

static struct config *
report_config(const char *path)
{
	struct config *cf;
	char err[CONF_ERR_MAX];

	if ((cf = calloc(1, sizeof(*cf))) == NULL)
		rout_fail("out of memory");
	if (conf_load(cf, path, err, sizeof(err)) == -1)
		rout_fail("%s", err);
	return cf;
}

static int
report_run(struct rdb *db, const struct report_args *a,
    const struct report_opts *o)
{
	if (strcmp(a->command, "summary") == 0)
		return rsum_run(db, o);
	if (strcmp(a->command, "top") == 0)
		return rtop_run(db, o, a->arg);
	if (strcmp(a->command, "session") == 0)
		return rsess_run(db, o, a->arg);
	if (strcmp(a->command, "search") == 0)
		return rsearch_run(db, o);
	if (strcmp(a->command, "relay") == 0)
		return rrelay_run(db, o);
	if (strcmp(a->command, "campaigns") == 0)
		return rcamp_list(db, o);
	if (strcmp(a->command, "campaign") == 0)
		return rcamp_show(db, o, a->arg);
	if (strcmp(a->command, "sensors") == 0)
		return rsens_run(db, o);
	if (strcmp(a->command, "export") == 0)
		return rexp_run(db, o, a->tlp);
	return rhtml_run(db, o);
}

int
main(int argc, char *argv[])
{
	struct report_args a;
	struct report_opts o;
	struct config *cf;
	struct rdb *db;
	const char *pwpath;
	char *password, err[512];
	int rc, exposed;

	util_close_from(3);
	memset(&a, 0, sizeof(a));
	memset(&o, 0, sizeof(o));
	a.config = SPAMPOT_CONFIG_FILE;
	o.now = time(NULL);
	o.limit = REPORT_LIMIT_DEFAULT;
	o.format = RF_TEXT;
	o.out = stdout;
	rout_init_locale();
	report_parse(argc, argv, &a, &o);
	report_check(&a, &o);
	cf = report_config(a.config);
	pwpath = a.password_file ? a.password_file : cf->mysql_password_file;
	if ((password = pwfile_read(pwpath, &exposed, err,
	    sizeof(err))) == NULL)
		rout_fail("password file %s", err);
	db = rdb_connect(cf, a.user ? a.user : cf->mysql_user, password);
	explicit_bzero(password, strlen(password));
	free(password);
	/* Once the password has opened the database: an error stays the
	 * one line on standard error that the exit status 2 comes with. */
	if (exposed)
		rout_warn(PWFILE_EXPOSED, pwpath);
	if (a.output != NULL && strcmp(a.output, "-") != 0 &&
	    (o.out = fopen(a.output, "we")) == NULL)
		rout_fail("%s: %s", a.output, strerror(errno));
	rc = report_run(db, &a, &o);
	if (o.out != stdout && fclose(o.out) != 0)
		rout_fail("%s: %s", a.output, strerror(errno));
	rdb_close(db);
	conf_clear(cf);
	free(cf);
	return rc;
}
