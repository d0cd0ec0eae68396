/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * test_utf8: src/common/utf8.c. Tables of byte strings and the text they
 * must become (Unicode's "maximal subpart" replacement, as in its table
 * 3-8), prefixes cut at character boundaries, single characters decoded,
 * and random bytes checked against a decoder written here from the
 * definition of UTF-8.
 */
#include "autoconf.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "utf8.h"

#define R	"\xef\xbf\xbd"	/* U+FFFD */

struct sanitize_case {
	const char	*name;
	const char	*in;
	size_t		 inlen;
	const char	*out;
};

#define CASE(name, in, out)	{ name, in, sizeof(in) - 1, out }

static const struct sanitize_case sanitize_cases[] = {
	CASE("empty", "", ""),
	CASE("ascii", "hello, world", "hello, world"),
	CASE("controls kept", "a\tb\r\nc\x01\x7f", "a\tb\r\nc\x01\x7f"),
	CASE("2-byte", "caf\xc3\xa9", "caf\xc3\xa9"),
	CASE("3-byte", "\xe2\x82\xac 5", "\xe2\x82\xac 5"),
	CASE("4-byte kept (utf8mb4)", "\xf0\x9f\x98\x80!", "\xf0\x9f\x98\x80!"),
	CASE("U+10FFFF", "\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf"),
	CASE("U+D7FF", "\xed\x9f\xbf", "\xed\x9f\xbf"),
	CASE("U+E000", "\xee\x80\x80", "\xee\x80\x80"),
	CASE("U+FFFF", "\xef\xbf\xbf", "\xef\xbf\xbf"),
	CASE("U+0080", "\xc2\x80", "\xc2\x80"),
	CASE("U+0800", "\xe0\xa0\x80", "\xe0\xa0\x80"),
	CASE("U+10000", "\xf0\x90\x80\x80", "\xf0\x90\x80\x80"),
	CASE("NUL", "a\0b", "a" R "b"),
	CASE("NULs only", "\0\0", R R),
	CASE("lone continuation", "\x80", R),
	CASE("two continuations", "a\xbf\x80z", "a" R R "z"),
	CASE("overlong 2-byte C0", "\xc0\xaf", R R),
	CASE("overlong 2-byte C1", "\xc1\xbf", R R),
	CASE("overlong 3-byte", "\xe0\x80\xaf", R R R),
	CASE("overlong 3-byte max", "\xe0\x9f\xbf", R R R),
	CASE("overlong 4-byte", "\xf0\x80\x80\xaf", R R R R),
	CASE("overlong 4-byte max", "\xf0\x8f\xbf\xbf", R R R R),
	CASE("surrogate D800", "\xed\xa0\x80", R R R),
	CASE("surrogate DFFF", "\xed\xbf\xbf", R R R),
	CASE("surrogate pair", "\xed\xa0\xbd\xed\xb8\x80", R R R R R R),
	CASE("above 10FFFF", "\xf4\x90\x80\x80", R R R R),
	CASE("F5 lead", "\xf5\x80\x80\x80", R R R R),
	CASE("5-byte form", "\xf8\x88\x80\x80\x80", R R R R R),
	CASE("FE FF", "\xfe\xff", R R),
	CASE("truncated 2 at end", "ab\xc3", "ab" R),
	CASE("truncated 2 before ascii", "\xc3" "A", R "A"),
	CASE("truncated 3 at end", "\xe2\x82", R),
	CASE("truncated 3 before ascii", "\xe2\x82" "A", R "A"),
	CASE("truncated 4 at end", "\xf0\x9f\x98", R),
	CASE("truncated 4 before valid", "\xf0\x9f\xc3\xa9", R "\xc3\xa9"),
	CASE("lead then lead", "\xe2\xe2\x82\xac", R "\xe2\x82\xac"),
	/* Unicode 15, table 3-8 */
	CASE("table 3-8", "\x61\xf1\x80\x80\xe1\x80\xc2\x62\x80\x63\x80\xbf"
	    "\x64", "a" R R R "b" R "c" R R "d"),
	CASE("mixed", "a\xf0\x9f\x98\x80" "b\xff" "c\xc3\xa9",
	    "a\xf0\x9f\x98\x80" "b" R "c\xc3\xa9"),
	/* runs of ASCII long enough to be taken eight bytes at a time */
	CASE("long ascii", "0123456789abcdefghijklmnopqrstuvwxyz",
	    "0123456789abcdefghijklmnopqrstuvwxyz"),
	CASE("NUL in a word", "01234567\0abcdefghijkl",
	    "01234567" R "abcdefghijkl"),
	CASE("NUL ends a word", "0123456\0" "89abcdef", "0123456" R "89abcdef"),
	CASE("invalid in a word", "0123456789\xff" "bcdefghijklmnop",
	    "0123456789" R "bcdefghijklmnop"),
	CASE("valid 2-byte in a word", "01234567caf\xc3\xa9 89abcdefgh",
	    "01234567caf\xc3\xa9 89abcdefgh"),
	CASE("invalid after a long run", "0123456789abcdefghij\xc3",
	    "0123456789abcdefghij" R),
};

static void
test_sanitize_table(void **state)
{
	size_t i;
	char *out;

	for (i = 0; i < sizeof(sanitize_cases) / sizeof(sanitize_cases[0]);
	    i++) {
		out = utf8_sanitize(sanitize_cases[i].in,
		    sanitize_cases[i].inlen);
		assert_non_null(out);
		if (strcmp(out, sanitize_cases[i].out) != 0)
			fail_msg("%s: got \"%s\", want \"%s\"",
			    sanitize_cases[i].name, out,
			    sanitize_cases[i].out);
		free(out);
	}
}

struct prefix_case {
	const char	*s;
	size_t		 max;
	size_t		 want;
};

static const struct prefix_case prefix_cases[] = {
	{ "hello", 10, 5 },
	{ "hello", 5, 5 },
	{ "hello", 3, 3 },
	{ "hello", 0, 0 },
	{ "", 5, 0 },
	{ "h\xc3\xa9llo", 1, 1 },
	{ "h\xc3\xa9llo", 2, 1 },		/* é would not fit */
	{ "h\xc3\xa9llo", 3, 3 },
	{ "\xe2\x82\xac\xe2\x82\xac", 5, 3 },
	{ "\xe2\x82\xac\xe2\x82\xac", 6, 6 },
	{ "\xf0\x9f\x98\x80x", 3, 0 },
	{ "\xf0\x9f\x98\x80x", 4, 4 },
	{ "\xf0\x9f\x98\x80x", 100, 5 },
	{ "ab\xff" "cd", 10, 2 },		/* stops where it is invalid */
	{ "ab\xed\xa0\x80", 10, 2 },
	{ "0123456789abcdefghij", 13, 13 },
	{ "0123456789abcdef\xc3\xa9", 17, 16 },
	{ "0123456789abcdef\xc3\xa9", 18, 18 },
	{ "0123456789\xff" "abcdefgh", 30, 10 },
};

static void
test_prefix_table(void **state)
{
	size_t i, got;

	for (i = 0; i < sizeof(prefix_cases) / sizeof(prefix_cases[0]); i++) {
		got = utf8_prefix(prefix_cases[i].s, prefix_cases[i].max);
		if (got != prefix_cases[i].want)
			fail_msg("case %zu (\"%s\", %zu): got %zu, want %zu", i,
			    prefix_cases[i].s, prefix_cases[i].max, got,
			    prefix_cases[i].want);
	}
}

/*
 * An independent check: decode by the definition (code point from the
 * bits, then shortest form, range and surrogates). Returns the sequence's
 * length, 0 when s does not start with a valid character other than NUL.
 */
static size_t
decode_one(const unsigned char *s, size_t n)
{
	uint32_t cp, min;
	size_t len, i;

	if (s[0] < 0x80)
		return s[0] != 0;
	if ((s[0] & 0xe0) == 0xc0) {
		len = 2;
		cp = s[0] & 0x1f;
		min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3;
		cp = s[0] & 0x0f;
		min = 0x800;
	} else if ((s[0] & 0xf8) == 0xf0) {
		len = 4;
		cp = s[0] & 0x07;
		min = 0x10000;
	} else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

static int
valid_utf8(const char *s, size_t n)
{
	size_t i = 0, k;

	while (i < n) {
		if ((k = decode_one((const unsigned char *)s + i, n - i)) == 0)
			return 0;
		i += k;
	}
	return 1;
}

struct decode_case {
	const char	*name;
	const char	*in;
	size_t		 inlen;
	size_t		 len;		/* 0: ill-formed */
	uint32_t	 cp;
};

#define DCASE(name, in, len, cp)	{ name, in, sizeof(in) - 1, len, cp }

static const struct decode_case decode_cases[] = {
	DCASE("empty", "", 0, 0),
	DCASE("NUL", "\0", 1, 0),
	DCASE("ascii", "A", 1, 'A'),
	DCASE("DEL", "\x7f", 1, 0x7f),
	DCASE("U+0080", "\xc2\x80", 2, 0x80),
	DCASE("U+00E9 then more", "\xc3\xa9xyz", 2, 0xe9),
	DCASE("U+07FF", "\xdf\xbf", 2, 0x7ff),
	DCASE("U+0800", "\xe0\xa0\x80", 3, 0x800),
	DCASE("U+20AC", "\xe2\x82\xac", 3, 0x20ac),
	DCASE("U+D7FF", "\xed\x9f\xbf", 3, 0xd7ff),
	DCASE("U+E000", "\xee\x80\x80", 3, 0xe000),
	DCASE("U+FFFF", "\xef\xbf\xbf", 3, 0xffff),
	DCASE("U+10000", "\xf0\x90\x80\x80", 4, 0x10000),
	DCASE("U+1F600", "\xf0\x9f\x98\x80", 4, 0x1f600),
	DCASE("U+10FFFF", "\xf4\x8f\xbf\xbf", 4, 0x10ffff),
	DCASE("lone continuation", "\x80", 0, 0),
	DCASE("overlong C0", "\xc0\xaf", 0, 0),
	DCASE("overlong C1", "\xc1\xbf", 0, 0),
	DCASE("overlong 3-byte", "\xe0\x9f\xbf", 0, 0),
	DCASE("overlong 4-byte", "\xf0\x8f\xbf\xbf", 0, 0),
	DCASE("overlong NUL", "\xc0\x80", 0, 0),
	DCASE("surrogate D800", "\xed\xa0\x80", 0, 0),
	DCASE("surrogate DFFF", "\xed\xbf\xbf", 0, 0),
	DCASE("U+110000", "\xf4\x90\x80\x80", 0, 0),
	DCASE("F5 lead", "\xf5\x80\x80\x80", 0, 0),
	DCASE("5-byte form", "\xf8\x88\x80\x80\x80", 0, 0),
	DCASE("FF", "\xff", 0, 0),
	DCASE("truncated 2", "\xc3", 0, 0),
	DCASE("truncated 3", "\xe2\x82", 0, 0),
	DCASE("truncated 4", "\xf0\x9f\x98", 0, 0),
	DCASE("bad second byte", "\xc3" "A", 0, 0),
	DCASE("bad third byte", "\xe2\x82" "A", 0, 0),
	DCASE("bad fourth byte", "\xf0\x9f\x98\xc3", 0, 0),
};

static void
test_decode_table(void **state)
{
	const struct decode_case *c;
	uint32_t cp;
	size_t i, len;

	for (i = 0; i < sizeof(decode_cases) / sizeof(decode_cases[0]); i++) {
		c = &decode_cases[i];
		cp = 0xdeadbeef;
		len = utf8_decode((const unsigned char *)c->in, c->inlen, &cp);
		if (len != c->len || (len > 0 && cp != c->cp))
			fail_msg("%s: got %zu U+%04X, want %zu U+%04X", c->name,
			    len, (unsigned)cp, c->len, (unsigned)c->cp);
	}
}

/* Every decoder agrees with the one written here: random bytes. */
static void
test_decode_random(void **state)
{
	unsigned char in[5];
	uint32_t seed = 4242, cp;
	size_t round, i, n, want;

	for (round = 0; round < 200000; round++) {
		n = 1 + round % sizeof(in);
		for (i = 0; i < n; i++) {
			seed = seed * 1103515245 + 12345;
			in[i] = (unsigned char)(seed >> 16);
			if (i > 0 && (seed >> 8) % 4 != 0)
				in[i] = (unsigned char)(0x80 | (in[i] & 0x3f));
		}
		want = in[0] == '\0' ? 1 : decode_one(in, n);
		assert_int_equal(utf8_decode(in, n, &cp), want);
	}
}

/* Random bytes, biased towards UTF-8 lead and continuation bytes. */
static void
test_sanitize_random(void **state)
{
	unsigned char in[64];
	uint32_t seed = 12345;
	size_t round, i, n, len, kept;
	char *out;

	for (round = 0; round < 20000; round++) {
		n = round % sizeof(in);
		for (i = 0; i < n; i++) {
			seed = seed * 1103515245 + 12345;
			in[i] = (unsigned char)(seed >> 16);
			if ((seed >> 8) % 3 == 0)
				in[i] = (unsigned char)(0x80 | (in[i] & 0x3f));
		}
		out = utf8_sanitize((const char *)in, n);
		assert_non_null(out);
		len = strlen(out);
		assert_true(valid_utf8(out, len));
		assert_int_equal(utf8_prefix(out, len), len);
		/* Valid input comes back unchanged, and only then. */
		kept = valid_utf8((const char *)in, n);
		assert_int_equal(kept, len == n && memcmp(out, in, n) == 0);
		free(out);
	}
}

static void
test_sanitize_large(void **state)
{
	size_t n = 1024 * 1024, i;
	char *in, *out;

	in = malloc(n);
	assert_non_null(in);
	memset(in, 0xff, n);
	out = utf8_sanitize(in, n);
	assert_non_null(out);
	assert_int_equal(strlen(out), 3 * n);
	for (i = 0; i < n; i++)
		assert_memory_equal(out + 3 * i, R, 3);
	free(out);
	free(in);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sanitize_table),
		cmocka_unit_test(test_prefix_table),
		cmocka_unit_test(test_decode_table),
		cmocka_unit_test(test_decode_random),
		cmocka_unit_test(test_sanitize_random),
		cmocka_unit_test(test_sanitize_large),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
