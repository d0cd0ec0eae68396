/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * test_report: the parts of spampot-report that need no database, table
 * by table: --since/--until (src/report/report_time.c), addresses and networks as
 * index ranges (src/report/report_net.c), text that is safe for a terminal and
 * fits its width, CSV fields and JSON cells (src/report/report_out.c), JSON
 * strings from any bytes (src/common/json.c), and the HTML page's escaping
 * (src/report/report_svg.c).
 */
#include "autoconf.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "json.h"
#include "report_int.h"

#define NOW	1795708800	/* 2026-11-26T16:00:00Z */

static const struct {
	const char	*in;
	long long	 want;	/* -1: refused */
} time_cases[] = {
	{ "2026-11-26", 1795651200 },
	{ "2026-11-26T16:00", NOW },
	{ "2026-11-26 16:00", NOW },
	{ "2026-11-26T16:00:05", NOW + 5 },
	{ "2026-11-26T16:00:05Z", NOW + 5 },
	{ "2026-11-26Z", 1795651200 },
	{ "1970-01-01", 0 },
	{ "2024-02-29", 1709164800 },
	{ "30m", NOW - 1800 },
	{ "24h", NOW - 86400 },
	{ "7d", NOW - 7 * 86400 },
	{ "2w", NOW - 14 * 86400 },
	{ "90s", NOW - 90 },
	{ "", -1 },
	{ "yesterday", -1 },
	{ "0h", -1 },
	{ "24", -1 },
	{ "24hh", -1 },
	{ "-5d", -1 },
	{ "5y", -1 },
	{ "999999999999d", -1 },
	{ "2026-02-29", -1 },
	{ "2026-02-30", -1 },
	{ "2026-13-01", -1 },
	{ "2026-11-26T24:00", -1 },
	{ "2026-11-26T16", -1 },
	{ "2026-11-26T16:00:60", -1 },
	{ "2026-11-26T16:00:00.5", -1 },
	{ "2026-11-26x", -1 },
	{ "26-11-2026", -1 },
	{ "1969-12-31", -1 },
};

static void
test_time_parse(void **state)
{
	size_t i;
	time_t t;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(time_cases) / sizeof(time_cases[0]); i++) {
		t = 12345;
		rc = rtime_parse(time_cases[i].in, NOW, &t);
		if (time_cases[i].want == -1) {
			if (rc != -1)
				fail_msg("'%s' accepted as %lld", time_cases[i].in,
				    (long long)t);
		} else if (rc != 0 || (long long)t != time_cases[i].want)
			fail_msg("'%s': rc %d, %lld, want %lld", time_cases[i].in,
			    rc, (long long)t, time_cases[i].want);
	}
}

static void
test_time_format(void **state)
{
	char b[40];

	(void)state;
	rtime_sql(NOW + 5, b, sizeof(b));
	assert_string_equal(b, "2026-11-26 16:00:05");
	rtime_iso(NOW + 5, b, sizeof(b));
	assert_string_equal(b, "2026-11-26T16:00:05Z");
	rtime_db_iso("2026-11-26 16:24:04.368849", b, sizeof(b));
	assert_string_equal(b, "2026-11-26T16:24:04Z");
	rtime_db_iso_us("2026-11-26 16:24:04.368849", b, sizeof(b));
	assert_string_equal(b, "2026-11-26T16:24:04.368849Z");
	rtime_db_text("2026-11-26 16:24:04.368849", b, sizeof(b));
	assert_string_equal(b, "2026-11-26 16:24");
	rtime_db_iso("2026-11-26 16:00:00", b, sizeof(b));
	assert_string_equal(b, "2026-11-26T16:00:00Z");
}

static const struct {
	const char	*in;
	const char	*lo, *hi;	/* hex; NULL: refused */
} net_cases[] = {
	{ "198.51.100.7", "00000000000000000000ffffc6336407",
	    "00000000000000000000ffffc6336407" },
	{ "198.51.100.7/24", "00000000000000000000ffffc6336400",
	    "00000000000000000000ffffc63364ff" },
	{ "10.0.0.0/8", "00000000000000000000ffff0a000000",
	    "00000000000000000000ffff0affffff" },
	{ "0.0.0.0/0", "00000000000000000000ffff00000000",
	    "00000000000000000000ffffffffffff" },
	{ "127.0.0.0/30", "00000000000000000000ffff7f000000",
	    "00000000000000000000ffff7f000003" },
	{ "2001:db8::7", "20010db8000000000000000000000007",
	    "20010db8000000000000000000000007" },
	{ "2001:db8::/32", "20010db8000000000000000000000000",
	    "20010db8ffffffffffffffffffffffff" },
	{ "2001:db8::1/127", "20010db8000000000000000000000000",
	    "20010db8000000000000000000000001" },
	{ "::/0", "00000000000000000000000000000000",
	    "ffffffffffffffffffffffffffffffff" },
	{ "::1", "00000000000000000000000000000001",
	    "00000000000000000000000000000001" },
	{ "::ffff:10.1.2.3/120", "00000000000000000000ffff0a010200",
	    "00000000000000000000ffff0a0102ff" },
	{ "2001:db8::/33", "20010db8000000000000000000000000",
	    "20010db87fffffffffffffffffffffff" },
	{ "10.0.0.0/33", NULL, NULL },
	{ "2001:db8::/129", NULL, NULL },
	{ "10.0.0.0/", NULL, NULL },
	{ "10.0.0.0/-1", NULL, NULL },
	{ "10.0.0.0/8x", NULL, NULL },
	{ "10.0.0/8", NULL, NULL },
	{ "host.example", NULL, NULL },
	{ "/8", NULL, NULL },
	{ "", NULL, NULL },
	{ "10.0.0.0/0008", NULL, NULL },
};

static void
hex(const unsigned char *p, char *out)
{
	int i;

	for (i = 0; i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", p[i]);
}

static void
test_net_range(void **state)
{
	unsigned char lo[16], hi[16];
	char hlo[33], hhi[33];
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(net_cases) / sizeof(net_cases[0]); i++) {
		rc = rnet_range(net_cases[i].in, lo, hi);
		if (net_cases[i].lo == NULL) {
			if (rc != -1)
				fail_msg("'%s' accepted", net_cases[i].in);
			continue;
		}
		if (rc != 0)
			fail_msg("'%s' refused", net_cases[i].in);
		hex(lo, hlo);
		hex(hi, hhi);
		if (strcmp(hlo, net_cases[i].lo) != 0 ||
		    strcmp(hhi, net_cases[i].hi) != 0)
			fail_msg("'%s': %s..%s, want %s..%s", net_cases[i].in, hlo,
			    hhi, net_cases[i].lo, net_cases[i].hi);
	}
}

static char *
safe(const char *s, size_t width, int pad, int right)
{
	static char out[512];
	struct buf b = { NULL, 0, 0 };

	rout_text_safe(&b, s, width, pad, right);
	snprintf(out, sizeof(out), "%.*s", (int)b.len, b.data ? b.data : "");
	buf_release(&b);
	return out;
}

static void
test_text_safe(void **state)
{
	(void)state;
	rout_init_locale();
	assert_string_equal(safe("abc", 10, 0, 0), "abc");
	assert_string_equal(safe("abc", 6, 1, 0), "abc   ");
	assert_string_equal(safe("42", 5, 1, 1), "   42");
	assert_string_equal(safe("abcdefghij", 10, 1, 0), "abcdefghij");
	assert_string_equal(safe("abcdefghijk", 10, 1, 0), "abcdefg...");
	assert_string_equal(safe("abcdefghijk", 2, 0, 0), "..");
	/* control bytes, DEL, C1 controls and bad UTF-8 are shown, not sent */
	assert_string_equal(safe("a\x1b[2Jb", 40, 0, 0), "a\\x1b[2Jb");
	assert_string_equal(safe("a\tb\nc\x7f", 40, 0, 0), "a\\x09b\\x0ac\\x7f");
	assert_string_equal(safe("\xc2\x9b" "31m", 40, 0, 0), "\\u009b31m");
	assert_string_equal(safe("\xff\xfe", 40, 0, 0), "\\xff\\xfe");
	/* an escape is never cut in half */
	assert_string_equal(safe("ab\x1b", 5, 0, 0), "ab...");
	/* widths: UTF-8 is one column a character, East Asian wide two */
	assert_string_equal(safe("F\xc3\xa9licitations", 14, 1, 0),
	    "F\xc3\xa9licitations ");
	assert_string_equal(safe("F\xc3\xa9licitations", 12, 1, 0),
	    "F\xc3\xa9licitat...");
	assert_int_equal(rout_width("F\xc3\xa9licitations"), 13);
	assert_int_equal(rout_width("\xe4\xbd\xa0\xe5\xa5\xbd"), 4);
	assert_string_equal(safe("\xe4\xbd\xa0\xe5\xa5\xbd\xe4\xbd\xa0", 5, 1, 0),
	    "\xe4\xbd\xa0...");
	assert_int_equal(rout_width("a\x1b"), 5);
}

static void
test_text_fold(void **state)
{
	struct buf b = { NULL, 0, 0 };
	char line[120];

	(void)state;
	memset(line, 'x', 100);
	line[100] = '\0';
	rout_text_fold(&b, line, 70);
	buf_append(&b, "", 1);
	/* 10 columns a line from column 70 */
	assert_string_equal(b.data, "xxxxxxxxxx\n" "                    "
	    "                                                  xxxxxxxxxx\n"
	    "                                                                  "
	    "    xxxxxxxxxx\n"
	    "                                                                  "
	    "    xxxxxxxxxx\n"
	    "                                                                  "
	    "    xxxxxxxxxx\n"
	    "                                                                  "
	    "    xxxxxxxxxx\n"
	    "                                                                  "
	    "    xxxxxxxxxx\n"
	    "                                                                  "
	    "    xxxxxxxxxx\n"
	    "                                                                  "
	    "    xxxxxxxxxx\n"
	    "                                                                  "
	    "    xxxxxxxxxx");
	buf_release(&b);
}

static char *
csv_as(const char *s, int spreadsheet)
{
	static char out[256];
	struct buf b = { NULL, 0, 0 };

	rout_csv_field(&b, s, spreadsheet);
	snprintf(out, sizeof(out), "%.*s", (int)b.len, b.data ? b.data : "");
	buf_release(&b);
	return out;
}

#define csv(s)		csv_as(s, 0)
#define csv_safe(s)	csv_as(s, 1)

static void
test_csv_field(void **state)
{
	(void)state;
	assert_string_equal(csv("plain"), "plain");
	assert_string_equal(csv(NULL), "");
	assert_string_equal(csv(""), "");
	assert_string_equal(csv("a,b"), "\"a,b\"");
	assert_string_equal(csv("say \"hi\""), "\"say \"\"hi\"\"\"");
	/* control bytes as text shows them: a row is one line, and nothing
	 * in it drives a terminal */
	assert_string_equal(csv("two\nlines"), "two\\x0alines");
	assert_string_equal(csv("cr\r"), "cr\\x0d");
	assert_string_equal(csv("t\tab"), "t\\x09ab");
	assert_string_equal(csv("\x1b]52;c;SGk=\x07\x1b[2J"),
	    "\\x1b]52;c;SGk=\\x07\\x1b[2J");
	assert_string_equal(csv("\xc2\x9b" "2J\x7f\xff,"),
	    "\"\\u009b2J\\x7f\\xff,\"");
	assert_string_equal(csv("<script>"), "<script>");
	/* exact by default: formulas, quotes and backslashes as they are */
	assert_string_equal(csv("=HYPERLINK(\"http://x/\",\"a\")"),
	    "\"=HYPERLINK(\"\"http://x/\"\",\"\"a\"\")\"");
	assert_string_equal(csv("+1"), "+1");
	assert_string_equal(csv("-2+3"), "-2+3");
	assert_string_equal(csv("@SUM(A1)"), "@SUM(A1)");
	assert_string_equal(csv("a\\b"), "a\\b");
}

/* csv-safe: what a spreadsheet would run gets a ' before it (OWASP) */
static void
test_csv_safe(void **state)
{
	(void)state;
	assert_string_equal(csv_safe("=cmd|' /C calc'!A0"),
	    "'=cmd|' /C calc'!A0");
	assert_string_equal(csv_safe("=HYPERLINK(\"http://x/\",\"a\")"),
	    "\"'=HYPERLINK(\"\"http://x/\"\",\"\"a\"\")\"");
	assert_string_equal(csv_safe("+1+1"), "'+1+1");
	assert_string_equal(csv_safe("-2+3"), "'-2+3");
	assert_string_equal(csv_safe("@SUM(A1)"), "'@SUM(A1)");
	assert_string_equal(csv_safe("\t=1"), "'\\x09=1");
	assert_string_equal(csv_safe("\r=1"), "'\\x0d=1");
	/* the fullwidth forms */
	assert_string_equal(csv_safe("\xef\xbc\x9d" "1+1"),
	    "'\xef\xbc\x9d" "1+1");
	assert_string_equal(csv_safe("\xef\xbc\xa0" "x"), "'\xef\xbc\xa0" "x");
	/* numbers are data; the rest is as csv prints it */
	assert_string_equal(csv_safe("-42"), "-42");
	assert_string_equal(csv_safe("-0.5"), "-0.5");
	assert_string_equal(csv_safe("42"), "42");
	assert_string_equal(csv_safe("a=1"), "a=1");
	assert_string_equal(csv_safe(" =1"), " =1");
	assert_string_equal(csv_safe(""), "");
	assert_string_equal(csv_safe(NULL), "");
	assert_string_equal(csv_safe("a,b"), "\"a,b\"");
	assert_string_equal(csv_safe("\x1b[2J"), "\\x1b[2J");
}

static char *
cell(enum rout_type t, const char *s)
{
	static char out[256];
	struct buf b = { NULL, 0, 0 };

	rout_json_cell(&b, t, s);
	snprintf(out, sizeof(out), "%.*s", (int)b.len, b.data ? b.data : "");
	buf_release(&b);
	return out;
}

static void
test_json_cell(void **state)
{
	(void)state;
	assert_string_equal(cell(RC_INT, "42"), "42");
	assert_string_equal(cell(RC_INT, NULL), "null");
	assert_string_equal(cell(RC_INT, "4x"), "\"4x\"");
	assert_string_equal(cell(RC_INT, ""), "\"\"");
	assert_string_equal(cell(RC_DECIMAL, "0.25"), "0.25");
	assert_string_equal(cell(RC_INT, "0.25"), "\"0.25\"");
	assert_string_equal(cell(RC_TIME, "2026-11-26 16:24:04.368849"),
	    "\"2026-11-26T16:24:04Z\"");
	assert_string_equal(cell(RC_TEXT, "a\"b"), "\"a\\\"b\"");
	assert_string_equal(cell(RC_TEXT, "42"), "\"42\"");
}

static char *
js(const char *s, size_t n)
{
	static char out[256];
	struct buf b = { NULL, 0, 0 };

	assert_int_equal(json_string(&b, s, n), 0);
	snprintf(out, sizeof(out), "%.*s", (int)b.len, b.data);
	buf_release(&b);
	return out;
}

#define JS(lit)	js(lit, sizeof(lit) - 1)

static void
test_json_string(void **state)
{
	(void)state;
	assert_string_equal(JS("plain"), "\"plain\"");
	assert_string_equal(JS(""), "\"\"");
	assert_string_equal(JS("q\"b\\s/"), "\"q\\\"b\\\\s/\"");
	assert_string_equal(JS("\n\r\t"), "\"\\n\\r\\t\"");
	assert_string_equal(JS("\x01\x1b\x1f\x7f"), "\"\\u0001\\u001b\\u001f\\u007f\"");
	/* C1 controls (U+0080 to U+009F) escaped too; U+00A0 is text */
	assert_string_equal(JS("\xc2\x80\xc2\x9b" "2J\xc2\x9f\xc2\xa0"),
	    "\"\\u0080\\u009b2J\\u009f\xc2\xa0\"");
	/* a raw 0x9b is not UTF-8 */
	assert_string_equal(JS("\x9b" "2J"), "\"\xef\xbf\xbd" "2J\"");
	assert_string_equal(JS("caf\xc3\xa9 \xf0\x9f\x98\x80"),
	    "\"caf\xc3\xa9 \xf0\x9f\x98\x80\"");
	/* NUL and every invalid sequence: U+FFFD, as the database stores it */
	assert_string_equal(JS("a\0b"), "\"a\xef\xbf\xbd" "b\"");
	assert_string_equal(JS("\xff"), "\"\xef\xbf\xbd\"");
	assert_string_equal(JS("\xc3"), "\"\xef\xbf\xbd\"");
	assert_string_equal(JS("\xc0\xaf"), "\"\xef\xbf\xbd\xef\xbf\xbd\"");
	assert_string_equal(JS("\xed\xa0\x80"),
	    "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");
	assert_string_equal(JS("\xf4\x90\x80\x80"),
	    "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");
	assert_string_equal(JS("\xe2\x82"), "\"\xef\xbf\xbd\xef\xbf\xbd\"");
}

static char *
html(const char *s)
{
	static char out[256];
	struct buf b = { NULL, 0, 0 };

	rsvg_escape(&b, s);
	snprintf(out, sizeof(out), "%.*s", (int)b.len, b.data ? b.data : "");
	buf_release(&b);
	return out;
}

#define FFFD	"\xef\xbf\xbd"

/* The HTML page: markup escaped; C0 but tab and line feed, DEL, C1 and
 * bytes that are not UTF-8 as U+FFFD. */
static void
test_html_escape(void **state)
{
	(void)state;
	assert_string_equal(html("<a href='x'>&\"</a>"),
	    "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;");
	assert_string_equal(html("\x1b]52;c;SGk=\x07\x1b[2J"),
	    FFFD "]52;c;SGk=" FFFD FFFD "[2J");
	assert_string_equal(html("a\rb\x7f\x01"), "a" FFFD "b" FFFD FFFD);
	assert_string_equal(html("a\tb\nc"), "a\tb\nc");
	assert_string_equal(html("\xc2\x80\xc2\x9b" "2J\xc2\x9f\xc2\xa0"),
	    FFFD FFFD "2J" FFFD "\xc2\xa0");
	assert_string_equal(html("\x9b" "2J\xff"), FFFD "2J" FFFD);
	assert_string_equal(html("caf\xc3\xa9"), "caf\xc3\xa9");
	assert_string_equal(html(NULL), "");
}

static void
test_json_key(void **state)
{
	struct buf b = { NULL, 0, 0 };

	(void)state;
	json_key(&b, "a", 1);
	json_cstr(&b, NULL);
	json_key(&b, "b", 0);
	json_cstr(&b, "x");
	buf_append(&b, "", 1);
	assert_string_equal(b.data, "\"a\":null,\"b\":\"x\"");
	buf_release(&b);
}

/* export: the level names, times with milliseconds, pattern strings */
static void
test_export(void **state)
{
	static const struct { const char *db, *want; } times[] = {
		{ "2026-11-26 16:24:04.368849", "2026-11-26T16:24:04.368Z" },
		{ "2026-11-26 16:24:04", "2026-11-26T16:24:04.000Z" },
		{ "2026-11-26 16:24:04.5", "2026-11-26T16:24:04.500Z" },
		{ "2026-11-26 16:24:04.000001", "2026-11-26T16:24:04.000Z" },
	};
	static const struct { const char *in, *want; } pats[] = {
		{ "198.51.100.7", "198.51.100.7" },
		{ "o'hara@x.example", "o\\'hara@x.example" },
		{ "a\\b", "a\\\\b" },
		{ "\\'", "\\\\\\'" },
		{ "", "" },
	};
	struct buf b = { NULL, 0, 0 };
	char t[40];
	size_t i;

	(void)state;
	assert_string_equal(rexp_check_tlp("amber+strict"), "amber+strict");
	assert_string_equal(rexp_check_tlp("clear"), "clear");
	assert_null(rexp_check_tlp("AMBER"));
	assert_null(rexp_check_tlp("amber "));
	assert_null(rexp_check_tlp(""));
	for (i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
		rexp_time(times[i].db, t, sizeof(t));
		assert_string_equal(t, times[i].want);
	}
	for (i = 0; i < sizeof(pats) / sizeof(pats[0]); i++) {
		buf_release(&b);
		rexp_pattern_str(&b, pats[i].in);
		buf_append(&b, "", 1);
		assert_string_equal(b.data, pats[i].want);
	}
	buf_release(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time_parse),
		cmocka_unit_test(test_time_format),
		cmocka_unit_test(test_net_range),
		cmocka_unit_test(test_text_safe),
		cmocka_unit_test(test_text_fold),
		cmocka_unit_test(test_csv_field),
		cmocka_unit_test(test_csv_safe),
		cmocka_unit_test(test_json_cell),
		cmocka_unit_test(test_json_string),
		cmocka_unit_test(test_json_key),
		cmocka_unit_test(test_html_escape),
		cmocka_unit_test(test_export),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
