/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * test_selfcheck: what "spampotd -t" says about the spool tree, the
 * analyzer's user and the free space (src/sensor/selfcheck.c), on real
 * directories in a temporary one.
 */
#include "autoconf.h"

#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf.h"
#include "selfcheck.h"
#include "testutil.h"

struct fixture {
	char	 top[64];	/* the mkdtemp directory */
	char	 spool[96];	/* top/spool */
	char	*text;		/* what the checks said */
	size_t	 len;
	struct selfcheck sc;
};

static void
make_dir(const char *parent, const char *name, mode_t mode)
{
	char path[160];

	snprintf(path, sizeof(path), "%s%s%s", parent, *name ? "/" : "", name);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(chmod(path, mode), 0);
}

/* A spool tree as spool_prepare() leaves it, owned by us. */
static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	if (tu_tmpdir(f->top, sizeof(f->top), "selfcheck") == -1)
		return -1;
	snprintf(f->spool, sizeof(f->spool), "%s/spool", f->top);
	make_dir(f->spool, "", 0750);
	make_dir(f->spool, "tmp", 02700);
	make_dir(f->spool, "new", 02770);
	make_dir(f->spool, "done", 02770);
	make_dir(f->spool, "bad", 02770);
	f->sc.out = open_memstream(&f->text, &f->len);
	f->sc.prog = "spampotd";
	*state = f;
	return f->sc.out == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	fclose(f->sc.out);
	free(f->text);
	tu_rmtree(f->top);
	free(f);
	return 0;
}

static const char *
said(struct fixture *f)
{
	fflush(f->sc.out);
	return f->text ? f->text : "";
}

static void
test_good_tree(void **state)
{
	struct fixture *f = *state;

	selfcheck_spool(&f->sc, f->spool, getuid(), getgid(), 0);
	assert_string_equal(said(f), "");
	assert_int_equal(f->sc.errors, 0);
	assert_int_equal(f->sc.warnings, 0);
}

static void
test_missing_tree(void **state)
{
	struct fixture *f = *state;
	char path[128];

	snprintf(path, sizeof(path), "%s/none", f->top);
	selfcheck_spool(&f->sc, path, getuid(), getgid(), 0);
	assert_string_equal(said(f), "");
	assert_int_equal(f->sc.errors + f->sc.warnings, 0);
	/* nor a part of it */
	snprintf(path, sizeof(path), "%s/done", f->spool);
	assert_int_equal(rmdir(path), 0);
	selfcheck_spool(&f->sc, f->spool, getuid(), getgid(), 0);
	assert_string_equal(said(f), "");
}

static void
test_wrong_mode(void **state)
{
	struct fixture *f = *state;
	char path[128];

	snprintf(path, sizeof(path), "%s/new", f->spool);
	assert_int_equal(chmod(path, 0755), 0);
	selfcheck_spool(&f->sc, f->spool, getuid(), getgid(), 0);
	assert_int_equal(f->sc.errors, 0);
	assert_int_equal(f->sc.warnings, 1);
	assert_non_null(strstr(said(f), "/new: mode 0755, not 2770"));
}

/* Only root can give a directory to another owner. */
static void
test_wrong_owner(void **state)
{
	struct fixture *f = *state;

	selfcheck_spool(&f->sc, f->spool, getuid() + 1, getgid(), 0);
	assert_int_equal(f->sc.errors, 5);
	assert_non_null(strstr(said(f), "not started as root, cannot fix"));
	f->sc.errors = f->sc.warnings = 0;
	selfcheck_spool(&f->sc, f->spool, getuid() + 1, getgid(), 1);
	assert_int_equal(f->sc.errors, 0);
	assert_int_equal(f->sc.warnings, 5);
}

static void
test_wrong_group(void **state)
{
	struct fixture *f = *state;

	selfcheck_spool(&f->sc, f->spool, getuid(), getgid() + 1, 0);
	assert_int_equal(f->sc.errors, 0);
	assert_int_equal(f->sc.warnings, 5);
	assert_non_null(strstr(said(f), "spampotd fixes it at start"));
}

static void
test_not_a_directory(void **state)
{
	struct fixture *f = *state;
	char path[128];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/bad", f->spool);
	assert_int_equal(rmdir(path), 0);
	assert_non_null(fp = fopen(path, "w"));
	fclose(fp);
	selfcheck_spool(&f->sc, f->spool, getuid(), getgid(), 0);
	assert_int_equal(f->sc.errors, 1);
	assert_non_null(strstr(said(f), "/bad is not a directory"));
}

static void
test_analyzer_user(void **state)
{
	struct fixture *f = *state;

	selfcheck_analyzer_user(&f->sc, "root", 0);
	assert_int_equal(f->sc.warnings, 0);
	/* no such user: no analyzer on this host */
	selfcheck_analyzer_user(&f->sc, "spampot-no-such-user", 0);
	assert_int_equal(f->sc.warnings, 0);
	/* root is in no group numbered 4242424 */
	selfcheck_analyzer_user(&f->sc, "root", 4242424);
	assert_int_equal(f->sc.warnings, 1);
	assert_non_null(strstr(said(f), "cannot read new/"));
	assert_int_equal(f->sc.errors, 0);
}

static void
test_space(void **state)
{
	struct fixture *f = *state;

	selfcheck_space(&f->sc, f->spool, 0);
	selfcheck_space(&f->sc, f->spool, 1);
	assert_int_equal(f->sc.warnings, 0);
	selfcheck_space(&f->sc, f->spool, 1ULL << 62);
	assert_int_equal(f->sc.warnings, 1);
	assert_non_null(strstr(said(f), "below spool_min_free"));
}

/* Names that give a honeypot away, and a persona without its STARTTLS. */
static void
test_persona(void **state)
{
	static const char good[] = "hostname = mail.example.com\n"
	    "persona = rfc821\n";
	static const char bad[] = "hostname = honeypot1.example.com\n"
	    "banner = ESMTP SpamTrap\n";
	struct fixture *f = *state;
	char err[CONF_ERR_MAX];
	struct config cf;

	assert_int_equal(conf_parse_buffer(&cf, "t", good, strlen(good), err,
	    sizeof(err)), 0);
	selfcheck_persona(&f->sc, &cf, 0);
	assert_int_equal(f->sc.warnings, 0);
	conf_clear(&cf);
	assert_int_equal(conf_parse_buffer(&cf, "t", bad, strlen(bad), err,
	    sizeof(err)), 0);
	selfcheck_persona(&f->sc, &cf, 1);
	assert_int_equal(f->sc.warnings, 2);
	assert_non_null(strstr(said(f), "contains 'honey'"));
	assert_non_null(strstr(said(f), "contains 'trap'"));
	selfcheck_persona(&f->sc, &cf, 0);
	assert_int_equal(f->sc.warnings, 5);
	assert_non_null(strstr(said(f), "persona postfix-debian without "
	    "STARTTLS"));
	assert_int_equal(f->sc.errors, 0);
	conf_clear(&cf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_good_tree, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_tree, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_wrong_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_owner, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_wrong_group, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_not_a_directory, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_analyzer_user, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_space, setup, teardown),
		cmocka_unit_test_setup_teardown(test_persona, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
