/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * selfcheck: "spampotd -t" beyond the configuration file. Runs in the
 * sensor's parent before anything is bound or dropped, with whatever
 * privileges -t was started with, and changes nothing. It looks at what
 * a start would meet: the spool tree's owners and modes (spool_prepare()
 * in spool_admin.c sets them; keep the table below in step with it), the
 * analyzer's user and the free space. An error is what would stop the
 * daemon; a warning is what it fixes at start or what hurts the analyzer.
 * What a first start creates (a missing spool) is no warning.
 */
#include "autoconf.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "conf.h"
#include "privdrop.h"
#include "selfcheck.h"

#define SELFCHECK_GROUPS_MAX	256

/* The tree spool_prepare() makes (spampot-spool(5)). */
static const struct {
	const char	*name;
	mode_t		 mode;
} selfcheck_dirs[] = {
	{ "", 0750 },
	{ "tmp", 02700 },
	{ "new", 02770 },
	{ "done", 02770 },
	{ "bad", 02770 },
};

static void selfcheck_say(struct selfcheck *, int, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static void
selfcheck_say(struct selfcheck *sc, int error, const char *fmt, ...)
{
	va_list ap;

	if (error)
		sc->errors++;
	else
		sc->warnings++;
	fprintf(sc->out, "%s: %s", sc->prog, error ? "" : "warning: ");
	va_start(ap, fmt);
	vfprintf(sc->out, fmt, ap);
	va_end(ap);
	fputc('\n', sc->out);
}

static void
selfcheck_dir(struct selfcheck *sc, const char *path, mode_t want, uid_t uid,
    gid_t gid, int as_root)
{
	struct stat st;

	if (lstat(path, &st) == -1) {
		/* missing: spool_prepare() creates it, as on a first start */
		if (errno != ENOENT)
			selfcheck_say(sc, 0, "spool %s: cannot check: %s",
			    path, strerror(errno));
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		selfcheck_say(sc, 1, "spool %s is not a directory", path);
		return;
	}
	/* Only root can give a directory away; the owner can fix the rest. */
	if (st.st_uid != uid)
		selfcheck_say(sc, !as_root, "spool %s: owner uid %u, not %u%s",
		    path, (unsigned)st.st_uid, (unsigned)uid, as_root ?
		    "; spampotd fixes it when started as root" :
		    "; spampotd, not started as root, cannot fix it");
	else if (st.st_gid != gid)
		selfcheck_say(sc, 0, "spool %s: group gid %u, not %u; "
		    "spampotd fixes it at start", path, (unsigned)st.st_gid,
		    (unsigned)gid);
	if ((st.st_mode & 07777) != want)
		selfcheck_say(sc, 0, "spool %s: mode %04o, not %04o; "
		    "spampotd fixes it at start", path,
		    (unsigned)(st.st_mode & 07777), (unsigned)want);
}

/* The spool tree at path, for a daemon of uid with the spool group gid;
 * as_root: started as root (it may then change owners). */
void
selfcheck_spool(struct selfcheck *sc, const char *path, uid_t uid, gid_t gid,
    int as_root)
{
	char sub[4096];
	struct stat st;
	size_t i;

	if (stat(path, &st) == -1 && errno == ENOENT) {
		selfcheck_dir(sc, path, 0750, uid, gid, as_root);
		return;
	}
	for (i = 0; i < sizeof(selfcheck_dirs) / sizeof(selfcheck_dirs[0]);
	    i++) {
		if (selfcheck_dirs[i].name[0] == '\0')
			snprintf(sub, sizeof(sub), "%s", path);
		else
			snprintf(sub, sizeof(sub), "%s/%s", path,
			    selfcheck_dirs[i].name);
		selfcheck_dir(sc, sub, selfcheck_dirs[i].mode, uid, gid,
		    as_root);
	}
}

/* The analyzer reads new/ and moves files out of it: it needs the group. */
void
selfcheck_analyzer_user(struct selfcheck *sc, const char *user,
    gid_t spool_gid)
{
	gid_t groups[SELFCHECK_GROUPS_MAX];
	int i, n = SELFCHECK_GROUPS_MAX;
	struct passwd *pw;
	struct group *gr;

	/* no such user: no analyzer here (spampot-analyzer -t says more) */
	if ((pw = getpwnam(user)) == NULL)
		return;
	if (getgrouplist(user, pw->pw_gid, groups, &n) == -1)
		n = 0;
	for (i = 0; i < n; i++)
		if (groups[i] == spool_gid)
			return;
	gr = getgrgid(spool_gid);
	selfcheck_say(sc, 0, "analyzer_user '%s' is not in the spool's group "
	    "%s: it cannot read new/ (adduser %s %s)", user,
	    gr ? gr->gr_name : "?", user, gr ? gr->gr_name : "GROUP");
}

void
selfcheck_space(struct selfcheck *sc, const char *path,
    unsigned long long min_free)
{
	struct statvfs sv;
	unsigned long long avail;

	if (min_free == 0 || statvfs(path, &sv) == -1)
		return;
	avail = (unsigned long long)sv.f_bavail * sv.f_frsize;
	if (avail < min_free)
		selfcheck_say(sc, 0, "spool %s: %llu bytes free, below "
		    "spool_min_free %llu: clients get 421 until space returns",
		    path, avail, min_free);
}

/* Everything, on stderr; the number of errors. */
/*
 * Words that the tools hunting honeypots look for in a greeting or host
 * name (spampot.conf(5) lists them).
 */
static const char *const selfcheck_tell_words[] = {
	"trap", "honey", "spam", "lab", "research", "sensor", "decoy",
	"canary", "sinkhole", "fake", NULL
};

/* Does text hold one of the words, in any case? */
static const char *
selfcheck_tell_word(const char *text)
{
	size_t i;

	for (i = 0; selfcheck_tell_words[i] != NULL; i++)
		if (strcasestr(text, selfcheck_tell_words[i]) != NULL)
			return selfcheck_tell_words[i];
	return NULL;
}

/* Is STARTTLS offered anywhere: a certificate, and a listener that is
 * neither /plain nor /tls? */
static int
selfcheck_starttls(const struct config *cf)
{
	size_t i;

	if (cf->tls_cert_file[0] == '\0')
		return 0;
	for (i = 0; i < cf->nlisten; i++)
		if (cf->listen[i].tls == CONF_TLS_STARTTLS)
			return 1;
	return 0;
}

/*
 * What gives the sensor away: a tell-tale word in the host name or the
 * banner, and a persona of an MTA that offers STARTTLS run without it
 * (tls says whether any listener offers it).
 */
void
selfcheck_persona(struct selfcheck *sc, const struct config *cf, int tls)
{
	const char *w;

	if ((w = selfcheck_tell_word(cf->hostname)) != NULL)
		selfcheck_say(sc, 0, "hostname '%s' contains '%s', a word "
		    "honeypot hunters look for\n", cf->hostname, w);
	if (cf->banner_set && (w = selfcheck_tell_word(cf->banner)) != NULL)
		selfcheck_say(sc, 0, "banner '%s' contains '%s', a word "
		    "honeypot hunters look for\n", cf->banner, w);
	if (!tls && strcmp(cf->persona, "rfc821") != 0)
		selfcheck_say(sc, 0, "persona %s without STARTTLS (no "
		    "certificate, or every listener /plain or /tls), which "
		    "the real %s offers\n", cf->persona,
		    strcmp(cf->persona, "exchange") == 0 ? "server" :
		    "MTA");
}

int
selfcheck_sensor(const struct config *cf, const struct privdrop_user *pu)
{
	struct selfcheck sc = { stderr, "spampotd", 0, 0 };

	selfcheck_persona(&sc, cf, selfcheck_starttls(cf));

	selfcheck_spool(&sc, cf->spool_dir, pu->uid, pu->spool_gid,
	    geteuid() == 0);
	selfcheck_analyzer_user(&sc, cf->analyzer_user, pu->spool_gid);
	selfcheck_space(&sc, cf->spool_dir, cf->spool_min_free);
	return sc.errors;
}
