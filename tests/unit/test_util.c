/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * test_util: the small shared helpers of src/common that more than one
 * program uses: base64 (the worker's AUTH, strict; the analyzer's encoded
 * words, lenient), hex digits and the password file. Tables of input and
 * the bytes or refusal expected.
 */
#include "autoconf.h"

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

#include "base64.h"
#include "pwfile.h"
#include "util.h"

struct b64_case {
	const char	*name;
	const char	*in;
	int		 flags;
	long		 len;		/* -1: refused */
	const char	*out;
};

#define STRICT	0
#define LENIENT	BASE64_LENIENT

static const struct b64_case b64_cases[] = {
	{ "empty", "", STRICT, 0, "" },
	{ "one byte, two pads", "QQ==", STRICT, 1, "A" },
	{ "two bytes, one pad", "QUI=", STRICT, 2, "AB" },
	{ "three bytes", "QUJD", STRICT, 3, "ABC" },
	{ "AUTH PLAIN", "AGFkbWluAHNlY3JldA==", STRICT, 13,
	    "\0admin\0secret" },
	{ "the alphabet's last two", "+/+/", STRICT, 3, "\xfb\xff\xbf" },
	{ "high bytes", "//8=", STRICT, 2, "\xff\xff" },
	{ "pad missing", "QQ", STRICT, -1, NULL },
	{ "one pad of two", "QQ=", STRICT, -1, NULL },
	{ "three pads", "Q===", STRICT, -1, NULL },
	{ "pads only", "====", STRICT, -1, NULL },
	{ "pad then data", "QQ=A", STRICT, -1, NULL },
	{ "pad in the middle", "QQ==QUJD", STRICT, -1, NULL },
	{ "a space", "QU J", STRICT, -1, NULL },
	{ "a line end", "QUJ\n", STRICT, -1, NULL },
	{ "a bad byte", "QU*D", STRICT, -1, NULL },
	{ "base64url", "-_8=", STRICT, -1, NULL },
	{ "a high byte", "QU\xc3\xa9", STRICT, -1, NULL },
	{ "lenient: empty", "", LENIENT, 0, "" },
	{ "lenient: padded", "QQ==", LENIENT, 1, "A" },
	{ "lenient: no pad", "QQ", LENIENT, 1, "A" },
	{ "lenient: six bits dropped", "Q", LENIENT, 0, "" },
	{ "lenient: pads only", "=", LENIENT, 0, "" },
	{ "lenient: white space", "QU JD\r\n", LENIENT, 3, "ABC" },
	{ "lenient: junk", "*QU\xc3\xa9JD*", LENIENT, 3, "ABC" },
	{ "lenient: pads in the middle", "QQ==QQ==", LENIENT, 3,
	    "\x41\x04\x10" },
	{ "lenient: the alphabet's last two", "+/+/", LENIENT, 3,
	    "\xfb\xff\xbf" },
};

static void
test_base64_table(void **state)
{
	const struct b64_case *c;
	unsigned char *out;
	size_t i, n;
	long len;

	for (i = 0; i < sizeof(b64_cases) / sizeof(b64_cases[0]); i++) {
		c = &b64_cases[i];
		n = strlen(c->in);
		/* exactly the room asked for: ASan sees any overrun */
		out = malloc(BASE64_DECODED_SIZE(n));
		assert_non_null(out);
		len = base64_decode(c->in, n, out, c->flags);
		if (len != c->len)
			fail_msg("%s: got length %ld, want %ld", c->name, len,
			    c->len);
		if (len >= 0) {
			if (memcmp(out, c->out, (size_t)len) != 0)
				fail_msg("%s: wrong bytes", c->name);
			assert_int_equal(out[len], '\0');
		}
		free(out);
	}
}

/* Whatever the bytes, lenient decoding stays within its room and never
 * fails; strict either refuses or gives three bytes a quantum at most. */
static void
test_base64_random(void **state)
{
	static const char pick[] = "QUJDabc+/=  \r\n*\x80";
	char in[40];
	unsigned char *out;
	uint32_t seed = 777;
	size_t round, i, n;
	long len;

	for (round = 0; round < 50000; round++) {
		n = round % sizeof(in);
		for (i = 0; i < n; i++) {
			seed = seed * 1103515245 + 12345;
			in[i] = pick[(seed >> 16) % (sizeof(pick) - 1)];
		}
		out = malloc(BASE64_DECODED_SIZE(n));
		assert_non_null(out);
		len = base64_decode(in, n, out, BASE64_LENIENT);
		assert_true(len >= 0 && (size_t)len <= n * 3 / 4);
		len = base64_decode(in, n, out, 0);
		assert_true(len == -1 || (size_t)len <= n / 4 * 3);
		free(out);
	}
}

static void
test_hexval(void **state)
{
	int c, want;

	for (c = -1; c < 256; c++) {
		want = c >= '0' && c <= '9' ? c - '0' :
		    c >= 'a' && c <= 'f' ? c - 'a' + 10 :
		    c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		assert_int_equal(util_hexval(c, 0), want);
		/* the spool's digits are lower case only */
		assert_int_equal(util_hexval(c, UTIL_HEX_LOWER),
		    c >= 'A' && c <= 'F' ? -1 : want);
	}
	assert_string_equal(util_hexdigits, "0123456789abcdef");
}

static void
test_hex(void **state)
{
	static const unsigned char bytes[] = { 0x00, 0x01, 0x7f, 0x80, 0xab,
	    0xff };
	char out[2 * sizeof(bytes) + 1];

	memset(out, 'x', sizeof(out));
	util_hex(out, bytes, sizeof(bytes));
	assert_string_equal(out, "00017f80abff");
	util_hex(out, bytes, 0);
	assert_string_equal(out, "");
}

static void
pw_write(const char *path, const char *text, mode_t mode)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	assert_true(fputs(text, fp) >= 0);
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(chmod(path, mode), 0);
}

static void
test_pwfile(void **state)
{
	char dir[] = "/tmp/test_util.XXXXXX", path[64], err[128], *pw;
	int exposed;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/pw", dir);
	/* the first line, without its line end */
	pw_write(path, "s3cret\r\nsecond line\n", 0600);
	pw = pwfile_read(path, &exposed, err, sizeof(err));
	assert_non_null(pw);
	assert_string_equal(pw, "s3cret");
	assert_int_equal(exposed, 0);
	free(pw);
	/* readable by every user: said, and still read */
	assert_int_equal(chmod(path, 0644), 0);
	pw = pwfile_read(path, &exposed, err, sizeof(err));
	assert_non_null(pw);
	assert_string_equal(pw, "s3cret");
	assert_int_equal(exposed, 1);
	free(pw);
	/* empty: an empty password */
	pw_write(path, "", 0640);
	pw = pwfile_read(path, &exposed, err, sizeof(err));
	assert_non_null(pw);
	assert_string_equal(pw, "");
	assert_int_equal(exposed, 0);
	free(pw);
	/* missing: the path and the reason */
	assert_int_equal(unlink(path), 0);
	assert_null(pwfile_read(path, &exposed, err, sizeof(err)));
	assert_true(strncmp(err, path, strlen(path)) == 0);
	assert_string_equal(err + strlen(path), ": No such file or directory");
	assert_int_equal(rmdir(dir), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base64_table),
		cmocka_unit_test(test_base64_random),
		cmocka_unit_test(test_hexval),
		cmocka_unit_test(test_hex),
		cmocka_unit_test(test_pwfile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
