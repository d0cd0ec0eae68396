/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * test_yara: the analyst's YARA rules (src/analyzer/yara_rules.c). The
 * rule sets of tests/data/yara (basic/: string kinds, conditions, tags,
 * metadata, private, global and included rules; realworld/: rules in the
 * style of public sets with the pe, hash, math and magic modules) run
 * over tests/data/yara/samples, and what they match must be what the
 * yara tool said of the same files (basic.expect, realworld.expect);
 * then errors, the save/load round trip, large inputs, the time limit,
 * and a scan inside the parse child's real sandbox.
 */
#include "autoconf.h"

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "buf.h"
#include "sandbox.h"
#include "testutil.h"
#include "util.h"
#include "yara_rules.h"

/* Every file of tests/data/yara/samples, in name order. */
static const char *const samples[] = {
	"macro.doc", "mark.txt", "mixed.bin", "mzbtc.bin", "phish.eml",
	"random.bin", "smuggle.html", "text.txt", "tiny.exe",
};
#define NSAMPLES	(sizeof(samples) / sizeof(samples[0]))

struct sample {
	char	*data;
	size_t	 len;
};

static char tmp[128];

static int
setup_tmp(void **state)
{
	(void)state;
	return tu_tmpdir(tmp, sizeof(tmp), "yara");
}

static int
teardown_tmp(void **state)
{
	(void)state;
	tu_rmtree(tmp);
	return 0;
}

/* --- helpers -------------------------------------------------------------- */

/* tests/data/yara/SUB as a path. */
static void
data_dir(char *path, size_t len, const char *sub)
{
	const char *dir = getenv("SPAMPOT_TEST_DATA");

	if (dir == NULL)
		fail_msg("SPAMPOT_TEST_DATA is not set (make check sets it)");
	snprintf(path, len, "%s/yara/%s", dir, sub);
}

/* Write TEXT to tmp/NAME. */
static void
put(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmp, name);
	assert_non_null(f = fopen(path, "w"));
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static struct yara_rules *
compile_ok(const char *dir)
{
	struct yara_rules *r;
	char err[512];

	err[0] = '\0';
	if ((r = yara_rules_compile(dir, err, sizeof(err))) == NULL)
		fail_msg("%s: %s", dir, err);
	return r;
}

static void
matches_free(struct yara_match *m, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		yara_match_clear(&m[i]);
	free(m);
}

static void
load_samples(struct sample *s)
{
	size_t i;

	for (i = 0; i < NSAMPLES; i++)
		s[i].data = tu_data_file("yara/samples", samples[i], "",
		    &s[i].len);
}

static void
free_samples(struct sample *s)
{
	size_t i;

	for (i = 0; i < NSAMPLES; i++)
		free(s[i].data);
}

/* What R matches in every sample, as the .expect files write it. 0, or
 * -1 when a scan fails. No cmocka call: runs in the sandboxed child. */
static int
describe(const struct yara_rules *r, const struct sample *s, struct buf *b)
{
	struct yara_match *m;
	size_t i, j, n;

	for (i = 0; i < NSAMPLES; i++) {
		m = NULL;
		n = 0;
		if (yara_rules_scan(r, s[i].data, s[i].len, &m, &n) == -1) {
			matches_free(m, n);
			return -1;
		}
		for (j = 0; j < n; j++)
			if (buf_appendf(b, "%s %s:%s [%s]\n", samples[i],
			    m[j].ns, m[j].rule, m[j].tags) == -1)
				break;
		matches_free(m, n);
		if (j < n)
			return -1;
	}
	return buf_append(b, "", 1);
}

/* tests/data/yara/NAME.expect without its comment lines. */
static char *
expected(const char *name)
{
	char *text, *out, *p, *nl;
	size_t len, n = 0;

	text = tu_data_file("yara", name, ".expect", &len);
	assert_non_null(out = malloc(len + 1));
	for (p = text; *p != '\0'; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			nl = p + strlen(p) - 1;
		if (*p != '#') {
			memcpy(out + n, p, (size_t)(nl - p) + 1);
			n += (size_t)(nl - p) + 1;
		}
	}
	out[n] = '\0';
	free(text);
	return out;
}

static int
line_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* TEXT's lines in strcmp order, in place: the rules of executables run
 * after the others (yara_rules.c), where the yara tool runs them all in
 * the order of their files. */
static void
sort_lines(char *text)
{
	char **lines = NULL, *copy, *p;
	size_t n = 0, i, len = strlen(text);

	assert_non_null(copy = strdup(text));
	for (p = strtok(copy, "\n"); p != NULL; p = strtok(NULL, "\n")) {
		assert_non_null(lines = realloc(lines, (n + 1) *
		    sizeof(*lines)));
		lines[n++] = p;
	}
	qsort(lines, n, sizeof(*lines), line_cmp);
	for (p = text, i = 0; i < n; i++)
		p += sprintf(p, "%s\n", lines[i]);
	assert_int_equal((size_t)(p - text), len);
	free(lines);
	free(copy);
}

static void
assert_golden(const struct yara_rules *r, const char *name)
{
	struct sample s[NSAMPLES];
	struct buf b = { NULL, 0, 0 };
	char *want;

	load_samples(s);
	assert_int_equal(describe(r, s, &b), 0);
	want = expected(name);
	sort_lines(b.data);
	sort_lines(want);
	assert_string_equal(b.data, want);
	free(want);
	buf_release(&b);
	free_samples(s);
}

/* The match of RULE among the N of M, or NULL. */
static struct yara_match *
find(struct yara_match *m, size_t n, const char *rule)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(m[i].rule, rule) == 0)
			return &m[i];
	return NULL;
}

/* Whether libyara was built with MODULE: a rule importing it compiles. */
static int
have_module(const char *module)
{
	struct yara_rules *r;
	char text[128], err[256];

	snprintf(text, sizeof(text), "import \"%s\"\n"
	    "rule probe { condition: true }\n", module);
	put("probe.yar", text);
	r = yara_rules_compile(tmp, err, sizeof(err));
	yara_rules_free(r);
	put("probe.yar", "");
	return r != NULL;
}

/* --- the rule sets against what the yara tool says ------------------------ */

static void
test_basic(void **state)
{
	struct yara_rules *r;
	char dir[4096];

	(void)state;
	data_dir(dir, sizeof(dir), "basic");
	r = compile_ok(dir);
	/* 11 + 2 + 2 (the included one counts), private and global too */
	assert_int_equal(yara_rules_count(r), 15);
	assert_golden(r, "basic");
	yara_rules_free(r);
}

static void
test_realworld(void **state)
{
	static const char *const modules[] = { "pe", "hash", "math", "magic" };
	struct yara_rules *r;
	char dir[4096];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(modules) / sizeof(modules[0]); i++)
		if (!have_module(modules[i])) {
			print_message("skipped: libyara has no %s module\n",
			    modules[i]);
			skip();
		}
	data_dir(dir, sizeof(dir), "realworld");
	r = compile_ok(dir);
	assert_int_equal(yara_rules_count(r), 11);
	assert_golden(r, "realworld");
	yara_rules_free(r);
}

/* Namespace, tags and metadata of one match, exactly. */
static void
test_match_fields(void **state)
{
	struct yara_rules *r;
	struct yara_match *m = NULL, *x;
	size_t n = 0, len;
	char dir[4096], *text;

	(void)state;
	data_dir(dir, sizeof(dir), "basic");
	r = compile_ok(dir);
	text = tu_data_file("yara/samples", "text.txt", "", &len);
	assert_int_equal(yara_rules_scan(r, text, len, &m, &n), 0);
	assert_int_equal(n, 6);
	assert_non_null(x = find(m, n, "text_plain"));
	assert_string_equal(x->ns, "10-strings");
	assert_string_equal(x->tags, "text demo");
	assert_string_equal(x->meta, "{\"description\":\"a plain string, "
	    "with \\\"quotes\\\" and a \\\\ in meta\",\"score\":40,"
	    "\"negative\":-7,\"reviewed\":true,\"draft\":false}");
	assert_non_null(x = find(m, n, "text_nocase"));
	assert_string_equal(x->tags, "");
	assert_string_equal(x->meta, "{}");
	assert_non_null(x = find(m, n, "uses_private"));
	assert_string_equal(x->meta, "{\"author\":\"spampot tests\"}");
	/* a private rule decides, never shows */
	assert_null(find(m, n, "has_subject"));
	assert_non_null(x = find(m, n, "short_greeting"));
	assert_string_equal(x->ns, "20-global");
	matches_free(m, n);
	free(text);
	yara_rules_free(r);
}

/* A control byte and non-UTF-8 in a meta string come out as valid JSON. */
static void
test_meta_escaped(void **state)
{
	struct yara_rules *r;
	struct yara_match *m = NULL;
	size_t n = 0;

	(void)state;
	put("m.yar", "rule esc { meta: s = \"tab\\there\\x01\\xff\" "
	    "condition: true }\n");
	r = compile_ok(tmp);
	assert_int_equal(yara_rules_scan(r, "x", 1, &m, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(m[0].ns, "m");
	assert_string_equal(m[0].meta,
	    "{\"s\":\"tab\\there\\u0001\xef\xbf\xbd\"}");
	matches_free(m, n);
	yara_rules_free(r);
}

/* --- the directory -------------------------------------------------------- */

/* The rules of a file that imports pe run on executables only, after the
 * others; saved and loaded, both sets are there, and a copy that lost
 * the second is refused. */
static void
test_exec_split(void **state)
{
	static const char exe[] = "MZ hello";
	struct yara_rules *r, *l;
	struct yara_match *m = NULL;
	struct buf b = { NULL, 0, 0 };
	char err[256];
	size_t n = 0, i;

	(void)state;
	put("a.yar", "rule Text_Hello { strings: $a = \"hello\" "
	    "condition: $a }\n");
	put("b.yar", "import \"pe\"\n\nrule Pe_Hello { strings: $a = "
	    "\"hello\" condition: $a or pe.is_pe }\n");
	r = compile_ok(tmp);
	assert_int_equal(yara_rules_count(r), 2);
	assert_int_equal(yara_rules_scan(r, "say hello", 9, &m, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(m[0].rule, "Text_Hello");
	assert_int_equal(yara_rules_scan(r, exe, sizeof(exe) - 1, &m, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(m[1].rule, "Text_Hello");
	assert_string_equal(m[2].rule, "Pe_Hello");
	for (i = 0; i < n; i++)
		yara_match_clear(&m[i]);
	free(m);
	m = NULL;
	n = 0;
	assert_int_equal(yara_rules_save(r, &b), 0);
	assert_non_null(l = yara_rules_load(b.data, b.len, err, sizeof(err)));
	assert_int_equal(yara_rules_count(l), 2);
	assert_int_equal(yara_rules_scan(l, exe, sizeof(exe) - 1, &m, &n), 0);
	assert_int_equal(n, 2);
	for (i = 0; i < n; i++)
		yara_match_clear(&m[i]);
	free(m);
	yara_rules_free(l);
	b.data[8]--;	/* the second set one byte shorter than it is */
	assert_null(yara_rules_load(b.data, b.len, err, sizeof(err)));
	buf_release(&b);
	yara_rules_free(r);
}

static void
test_empty_dir(void **state)
{
	struct yara_rules *r;
	struct yara_match *m = NULL;
	size_t n = 0;
	char sub[256];

	(void)state;
	r = compile_ok(tmp);
	assert_int_equal(yara_rules_count(r), 0);
	assert_int_equal(yara_rules_scan(r, "anything", 8, &m, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(yara_rules_scan(r, "", 0, &m, &n), 0);
	assert_int_equal(n, 0);
	yara_rules_free(r);

	/* not rule files: hidden, other names, a directory */
	put(".hidden.yar", "rule hidden { condition: true }\n");
	put("notes.txt", "rule notes { condition: true }\n");
	put("x.yar.orig", "broken {\n");
	snprintf(sub, sizeof(sub), "%s/dir.yar", tmp);
	assert_int_equal(mkdir(sub, 0700), 0);
	r = compile_ok(tmp);
	assert_int_equal(yara_rules_count(r), 0);
	yara_rules_free(r);
}

static void
test_missing_dir(void **state)
{
	char dir[256], want[300], err[512];

	(void)state;
	snprintf(dir, sizeof(dir), "%s/nonexistent", tmp);
	assert_null(yara_rules_compile(dir, err, sizeof(err)));
	snprintf(want, sizeof(want), "%s: %s", dir, strerror(ENOENT));
	assert_string_equal(err, want);
}

/* Name order, a namespace per file, a link followed. */
static void
test_order_and_link(void **state)
{
	struct yara_rules *r;
	struct yara_match *m = NULL;
	char target[256], link[256];
	size_t n = 0;

	(void)state;
	put("b.yara", "rule same { condition: true }\n");
	put("a.yar", "rule same { condition: true }\n");
	put("real.txt", "rule linked { condition: true }\n");
	snprintf(target, sizeof(target), "%s/real.txt", tmp);
	snprintf(link, sizeof(link), "%s/c.yar", tmp);
	assert_int_equal(symlink(target, link), 0);
	r = compile_ok(tmp);
	assert_int_equal(yara_rules_count(r), 3);
	assert_int_equal(yara_rules_scan(r, "x", 1, &m, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(m[0].ns, "a");
	assert_string_equal(m[1].ns, "b");
	assert_string_equal(m[2].ns, "c");
	assert_string_equal(m[2].rule, "linked");
	matches_free(m, n);
	yara_rules_free(r);
}

/* --- errors --------------------------------------------------------------- */

static void
assert_error(const char *file, const char *want_tail)
{
	char err[512], want[512];

	memset(err, 'x', sizeof(err));
	assert_null(yara_rules_compile(tmp, err, sizeof(err)));
	snprintf(want, sizeof(want), "%s/%s%s", tmp, file, want_tail);
	assert_string_equal(err, want);
}

/* The first error wins: a.yar compiles, b.yar fails on line 7 (libyara's
 * message as the yara tool prints it), c.yar is never read. */
static void
test_syntax_error(void **state)
{
	(void)state;
	put("a.yar", "rule fine { condition: true }\n");
	put("b.yar", "rule a { condition: true }\n"
	    "\n"
	    "rule b\n"
	    "{\n"
	    "\tstrings:\n"
	    "\t\t$a = \"some text\"\n"
	    "\tcondition: $a and and\n"
	    "}\n");
	put("c.yar", "rule c { condition: nosuchthing }\n");
	assert_error("b.yar", ":7: syntax error");
}

static void
test_unknown_module(void **state)
{
	(void)state;
	put("m.yar", "import \"nosuch\"\nrule m { condition: true }\n");
	assert_error("m.yar", ":1: unknown module \"nosuch\"");
}

/* A duplicate rule in one namespace, an undefined identifier. */
static void
test_semantic_errors(void **state)
{
	(void)state;
	put("d.yar", "rule x { condition: true }\n"
	    "rule x { condition: false }\n");
	assert_error("d.yar", ":2: duplicated identifier \"x\"");
	put("d.yar", "rule y { condition: nosuchthing }\n");
	assert_error("d.yar", ":1: undefined identifier \"nosuchthing\"");
}

/* libyara's words when the include callback gives nothing */
#define NO_INCLUDE	":1: callback failed to provide include resource: "

/* include: plain names of the rules directory only. */
static void
test_include(void **state)
{
	char outside[300];
	struct yara_rules *r;

	(void)state;
	snprintf(outside, sizeof(outside), "%s/../outside.inc", tmp);
	put("lib.inc", "rule from_lib { condition: true }\n");
	put("i.yar", "include \"lib.inc\"\nrule own { condition: from_lib }\n");
	r = compile_ok(tmp);
	assert_int_equal(yara_rules_count(r), 2);
	yara_rules_free(r);

	put("i.yar", "include \"../outside.inc\"\n");
	assert_error("i.yar", NO_INCLUDE "../outside.inc");
	put("i.yar", "include \"/etc/passwd\"\n");
	assert_error("i.yar", NO_INCLUDE "/etc/passwd");
	put("i.yar", "include \"missing.inc\"\n");
	assert_error("i.yar", NO_INCLUDE "missing.inc");
	/* an error inside an included file names that file */
	put("lib.inc", "rule from_lib { condition: true }\n"
	    "rule bad { condition: true and }\n");
	put("i.yar", "include \"lib.inc\"\n");
	assert_error("lib.inc", ":2: syntax error");
}

/* --- bytes, and back ------------------------------------------------------ */

static void
test_save_load(void **state)
{
	struct yara_rules *r, *l;
	struct buf b = { NULL, 0, 0 };
	char dir[4096], err[256];
	size_t i;

	(void)state;
	data_dir(dir, sizeof(dir), "realworld");
	r = compile_ok(dir);
	assert_int_equal(yara_rules_save(r, &b), 0);
	assert_true(b.len > 0);
	yara_rules_free(r);
	if ((l = yara_rules_load(b.data, b.len, err, sizeof(err))) == NULL)
		fail_msg("load: %s", err);
	assert_int_equal(yara_rules_count(l), 11);
	assert_golden(l, "realworld");
	yara_rules_free(l);

	/* cut short, or not rules at all */
	for (i = 0; i < b.len; i += i + 64 < b.len ? b.len / 7 + 1 : 1)
		if (yara_rules_load(b.data, i, err, sizeof(err)) != NULL)
			fail_msg("%zu of %zu bytes loaded", i, b.len);
	assert_null(yara_rules_load("not compiled rules at all", 25, err,
	    sizeof(err)));
	assert_non_null(strstr(err, "compiled YARA rules: "));
	buf_release(&b);
}

/* --- size and time -------------------------------------------------------- */

/* Deterministic bytes: xorshift64. */
static void
fill_random(unsigned char *p, size_t n, uint64_t seed)
{
	size_t i;

	for (i = 0; i < n; i++) {
		seed ^= seed << 13;
		seed ^= seed >> 7;
		seed ^= seed << 17;
		p[i] = (unsigned char)seed;
	}
}

/* 100 rules of every kind of string, in ten files. */
static void
put_hundred_rules(void)
{
	struct buf b = { NULL, 0, 0 };
	char name[32];
	int f, i, k;

	for (f = 0; f < 10; f++) {
		b.len = 0;
		for (i = 0; i < 10; i++) {
			k = f * 10 + i;
			assert_int_equal(buf_appendf(&b, "rule r%d : t%d\n{\n"
			    "\tmeta:\n\t\tn = %d\n\tstrings:\n"
			    "\t\t$s = \"needle-%03d\" nocase wide ascii\n"
			    "\t\t$h = { 4D 5A %02X ?? [1-8] 50 45 %02X }\n"
			    "\t\t$r = /https?:\\/\\/[a-z0-9]{3,20}\\.ex%02d\\//\n"
			    "\tcondition:\n\t\tany of them or "
			    "(filesize > 1MB and #s > %d)\n}\n", k, f, k, k,
			    k, k, k, k), 0);
		}
		assert_int_equal(buf_append(&b, "", 1), 0);
		snprintf(name, sizeof(name), "set%02d.yar", f);
		put(name, b.data);
	}
	buf_release(&b);
}

static double
seconds(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) +
	    (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

/* 10 MiB of random bytes through 100 rules returns; the time of 1 MiB
 * is printed (no limit asserted: a measure for the README). */
static void
test_hundred_rules_10mib(void **state)
{
	const size_t big = 10 << 20;
	struct yara_rules *r;
	struct yara_match *m = NULL;
	struct timespec t0, t1;
	unsigned char *data;
	size_t n = 0;

	(void)state;
	put_hundred_rules();
	r = compile_ok(tmp);
	assert_int_equal(yara_rules_count(r), 100);
	assert_non_null(data = malloc(big));
	fill_random(data, big, 0x5eed);
	/* one needle in it, in UTF-16 */
	memcpy(data + 5000000, "n\0e\0e\0d\0l\0e\0-\0000\0004\0002\0", 20);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(yara_rules_scan(r, data, 1 << 20, &m, &n), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	print_message("100 rules over 1 MiB: %.3f s\n", seconds(&t0, &t1));
	assert_int_equal(n, 0);
	assert_int_equal(yara_rules_scan(r, data, big, &m, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(m[0].rule, "r42");
	assert_string_equal(m[0].tags, "t4");
	assert_string_equal(m[0].meta, "{\"n\":42}");
	matches_free(m, n);
	free(data);
	yara_rules_free(r);
}

/* A condition that would run for hours stops at the time limit (1 s
 * here, through the test hook); what the scan found is nothing, and it
 * returns. */
static void
test_timeout(void **state)
{
	const size_t len = 1 << 20;
	struct yara_rules *r;
	struct yara_match *m = NULL;
	struct timespec t0, t1;
	unsigned char *data;
	size_t n = 0;

	(void)state;
	put("slow.yar", "rule quick { condition: true }\n"
	    "rule slow { condition: for all i in (0..filesize) : "
	    "( for all j in (0..filesize) : ( uint8(i) ^ uint8(j) < 256 ) ) }\n"
	    "rule backtrack { strings: $r = /(a+)+(b|c)*d/ condition: $r }\n");
	assert_int_equal(setenv("SPAMPOT_TEST_YARA_TIMEOUT", "1", 1), 0);
	assert_int_equal(yara_rules_init(), 0);
	r = compile_ok(tmp);
	assert_non_null(data = malloc(len));
	memset(data, 'a', len);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(yara_rules_scan(r, data, len, &m, &n), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	print_message("timed out after %.3f s\n", seconds(&t0, &t1));
	assert_true(seconds(&t0, &t1) < 30);
	/* libyara decides the rules after the strings: none was decided */
	assert_int_equal(n, 0);
	free(data);
	yara_rules_free(r);
	assert_int_equal(setenv("SPAMPOT_TEST_YARA_TIMEOUT", "5", 1), 0);
	assert_int_equal(yara_rules_init(), 0);
}

/* --- in the parse child's sandbox ----------------------------------------- */

/*
 * The child: the sandbox first, then load the saved rules from memory
 * and scan every sample; what matched goes to the parent on FD. Any
 * call outside sandbox_parser_allow kills it with SIGSYS.
 */
static void __attribute__((noreturn))
sandboxed_child(int fd, const struct buf *saved, const struct sample *s)
{
	struct yara_rules *r;
	struct buf out = { NULL, 0, 0 };
	char err[256];
	size_t off;
	ssize_t w;

	sandbox_parser(-1);
	if ((r = yara_rules_load(saved->data, saved->len, err,
	    sizeof(err))) == NULL)
		_exit(2);
	if (describe(r, s, &out) == -1)
		_exit(3);
	for (off = 0; off < out.len - 1; off += (size_t)w)
		if ((w = write(fd, out.data + off, out.len - 1 - off)) <= 0)
			_exit(4);
	yara_rules_free(r);
	buf_release(&out);
	_exit(0);
}

static void
test_sandbox(void **state)
{
	struct sample s[NSAMPLES];
	struct buf saved = { NULL, 0, 0 }, got = { NULL, 0, 0 };
	struct yara_rules *r;
	char dir[4096], chunk[4096], *want;
	int p[2], status;
	ssize_t k;
	pid_t pid;

	(void)state;
	if (!have_module("magic")) {
		print_message("skipped: libyara has no magic module\n");
		skip();
	}
	data_dir(dir, sizeof(dir), "realworld");
	r = compile_ok(dir);
	assert_int_equal(yara_rules_save(r, &saved), 0);
	yara_rules_free(r);
	load_samples(s);
	assert_int_equal(pipe(p), 0);
	assert_true((pid = fork()) != -1);
	if (pid == 0) {
		close(p[0]);
		sandboxed_child(p[1], &saved, s);
	}
	close(p[1]);
	while ((k = read(p[0], chunk, sizeof(chunk))) > 0)
		assert_int_equal(buf_append(&got, chunk, (size_t)k), 0);
	close(p[0]);
	assert_int_equal(buf_append(&got, "", 1), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (WIFSIGNALED(status))
		fail_msg("sandboxed scan: killed by signal %d (%s)",
		    WTERMSIG(status), WTERMSIG(status) == SIGSYS ?
		    "a system call outside sandbox_parser_allow" : "crash");
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	want = expected("realworld");
	sort_lines(got.data);
	sort_lines(want);
	assert_string_equal(got.data, want);
	free(want);
	buf_release(&got);
	buf_release(&saved);
	free_samples(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_basic, setup_tmp,
		    teardown_tmp),
		cmocka_unit_test_setup_teardown(test_realworld, setup_tmp,
		    teardown_tmp),
		cmocka_unit_test_setup_teardown(test_match_fields, setup_tmp,
		    teardown_tmp),
		cmocka_unit_test_setup_teardown(test_meta_escaped, setup_tmp,
		    teardown_tmp),
		cmocka_unit_test_setup_teardown(test_empty_dir, setup_tmp,
		    teardown_tmp),
		cmocka_unit_test_setup_teardown(test_exec_split, setup_tmp,
		    teardown_tmp),
		cmocka_unit_test_setup_teardown(test_missing_dir, setup_tmp,
		    teardown_tmp),
		cmocka_unit_test_setup_teardown(test_order_and_link, setup_tmp,
		    teardown_tmp),
		cmocka_unit_test_setup_teardown(test_syntax_error, setup_tmp,
		    teardown_tmp),
		cmocka_unit_test_setup_teardown(test_unknown_module, setup_tmp,
		    teardown_tmp),
		cmocka_unit_test_setup_teardown(test_semantic_errors,
		    setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_include, setup_tmp,
		    teardown_tmp),
		cmocka_unit_test_setup_teardown(test_save_load, setup_tmp,
		    teardown_tmp),
		cmocka_unit_test_setup_teardown(test_hundred_rules_10mib,
		    setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_timeout, setup_tmp,
		    teardown_tmp),
		cmocka_unit_test_setup_teardown(test_sandbox, setup_tmp,
		    teardown_tmp),
	};

	if (yara_rules_init() == -1 || yara_rules_init() == -1)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
