/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * privdrop: the parent's one-way demotion from root to the configured user,
 * after the listeners are bound and the spool is open. Fixed order, each
 * step logged: drop the capability bounding set, setgroups, setresgid,
 * setresuid, clear every capability (libcap), no_new_privs; then prove that
 * root cannot be regained, or refuse to run.
 */
#include "autoconf.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "log.h"
#include "privdrop.h"

int
privdrop_lookup(const char *user, const char *group,
    struct privdrop_user *pu, char *err, size_t errlen)
{
	struct passwd *pw;
	struct group *gr;

	if ((pw = getpwnam(user)) == NULL) {
		snprintf(err, errlen, "user '%s' does not exist (create it: "
		    "adduser --system --group %s)", user, user);
		return -1;
	}
	pu->uid = pw->pw_uid;
	pu->gid = pu->spool_gid = pw->pw_gid;
	if (pu->uid == 0) {
		snprintf(err, errlen, "user '%s' is root: spampot must run "
		    "unprivileged", user);
		return -1;
	}
	if (group != NULL && *group != '\0') {
		if ((gr = getgrnam(group)) == NULL) {
			snprintf(err, errlen, "spool_group '%s' does not exist",
			    group);
			return -1;
		}
		pu->spool_gid = gr->gr_gid;
	}
	return 0;
}

/* Nothing in the bounding set: no later exec could grant a capability. */
static void
privdrop_bounding_set(void)
{
	cap_value_t c;

	for (c = 0; c <= CAP_LAST_CAP; c++)
		if (cap_drop_bound(c) == -1 && errno != EINVAL)
			fatal("cap_drop_bound(%d)", (int)c);
	log_info("privdrop: capability bounding set cleared");
}

static void
privdrop_clear_caps(void)
{
	cap_t caps;

	if ((caps = cap_init()) == NULL)
		fatal("cap_init");
	if (cap_set_proc(caps) == -1)
		fatal("cap_set_proc");
	cap_free(caps);
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) == -1 &&
	    errno != EINVAL)
		fatal("prctl(PR_CAP_AMBIENT_CLEAR_ALL)");
	log_info("privdrop: all capabilities cleared");
}

/* Does this process hold any capability, or can it become root again? */
int
privdrop_can_regain(void)
{
	cap_t caps, none;
	int held;

	if (setuid(0) == 0 || seteuid(0) == 0 || setgid(0) == 0)
		return 1;
	if ((caps = cap_get_proc()) == NULL || (none = cap_init()) == NULL)
		return 1;
	held = cap_compare(caps, none) != 0;
	cap_free(caps);
	cap_free(none);
	return held;
}

void
privdrop_drop(const char *user, const struct privdrop_user *pu)
{
	gid_t groups[1] = { pu->spool_gid };

	if (geteuid() == 0) {
		privdrop_bounding_set();
		if (setgroups(pu->spool_gid != pu->gid ? 1 : 0, groups) == -1)
			fatal("setgroups");
		log_info("privdrop: supplementary groups set");
		if (setresgid(pu->gid, pu->gid, pu->gid) == -1)
			fatal("setresgid(%u)", (unsigned)pu->gid);
		log_info("privdrop: gid %u", (unsigned)pu->gid);
		if (setresuid(pu->uid, pu->uid, pu->uid) == -1)
			fatal("setresuid(%u)", (unsigned)pu->uid);
		log_info("privdrop: uid %u (%s)", (unsigned)pu->uid, user);
	} else if (geteuid() != pu->uid)
		fatalx("privdrop: started as uid %u, not root and not '%s'",
		    (unsigned)geteuid(), user);
	else
		/* a service manager started us as the user (User=) */
		log_info("privdrop: started as '%s' itself; no change of "
		    "user needed", user);
	privdrop_clear_caps();
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		fatal("prctl(PR_SET_NO_NEW_PRIVS)");
	log_info("privdrop: no_new_privs set");
	if (privdrop_can_regain())
		fatalx("privdrop: root or a capability can be regained; "
		    "refusing to run");
	log_info("privdrop: verified, root cannot be regained");
}
