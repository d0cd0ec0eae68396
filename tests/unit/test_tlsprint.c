/*
 * test_tlsprint: JA3 and JA4 (tlsprint.c) on published vectors: the
 * example of FoxIO's JA4 specification (technical_details/JA4.md, with
 * GREASE values added that must not count), a Chrome ClientHello with ECH
 * as a fingerprinting service published it (its JA3 text and hash, JA4,
 * JA4_r), the example of Salesforce's JA3 README; then the edges of the
 * specification (no signature algorithms, no extensions, no ciphers, the
 * ALPN characters, versions) and lists that are not numbers.
 */
#include "autoconf.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tlsprint.h"

/* "1301,0a0a" (hex, as the specifications write them) as the spool
 * record holds it: "4865,2570". */
static char *
dec(const char *hex)
{
	static char out[8][2048];
	static int slot;
	char *o = out[slot++ % 8], *end;
	size_t n = 0;

	o[0] = '\0';
	while (*hex != '\0') {
		unsigned long v = strtoul(hex, &end, 16);

		n += (size_t)snprintf(o + n, 2048 - n, "%s%lu", n ? "," : "",
		    v);
		hex = *end == ',' ? end + 1 : end;
	}
	return o;
}

static void
make(const struct tlsprint_hello *h, struct tlsprint *t)
{
	assert_int_equal(tlsprint_make(h, t), 0);
}

/* FoxIO's example, GREASE added to every list. */
static void
test_ja4_spec(void **state)
{
	struct tlsprint_hello h = { 0x0303,
	    dec("0a0a,1301,1302,1303,c02b,c02f,c02c,c030,cca9,cca8,c013,c014,"
		"009c,009d,002f,0035"),
	    dec("2a2a,001b,0000,0033,0010,4469,0017,002d,000d,0005,0023,0012,"
		"002b,ff01,000b,000a,0015,fafa"),
	    dec("3a3a,001d,0017,0018"),
	    dec("0403,0804,0401,0503,0805,0501,0806,0601"),
	    "0",
	    dec("5a5a,0304,0303"),
	    "h2", 2 };
	struct tlsprint t;

	make(&h, &t);
	assert_string_equal(t.ja4, "t13d1516h2_8daaf6152771_e5627efa2ab1");
	assert_string_equal(t.ja4_r, "t13d1516h2_002f,0035,009c,009d,1301,"
	    "1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9_0005,000a,"
	    "000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01_"
	    "0403,0804,0401,0503,0805,0501,0806,0601");
	/* JA3 keeps the order and drops the GREASE values */
	assert_string_equal(t.ja3, "771,4865-4866-4867-49195-49199-49196-"
	    "49200-52393-52392-49171-49172-156-157-47-53,27-0-51-16-17513-"
	    "23-45-13-5-35-18-43-65281-11-10-21,29-23-24,0");
	tlsprint_clear(&t);

	/* GREASE among the signature algorithms counts neither */
	h.sigalgs = dec("0403,0804,1a1a,0401,0503,0805,0501,0806,0601");
	make(&h, &t);
	assert_string_equal(t.ja4, "t13d1516h2_8daaf6152771_e5627efa2ab1");
	tlsprint_clear(&t);

	/* no signature algorithms: no '_' after the extensions */
	h.sigalgs = "";
	make(&h, &t);
	assert_string_equal(t.ja4, "t13d1516h2_8daaf6152771_6d807ffa2a79");
	tlsprint_clear(&t);
}

/* Chrome 143 with ECH (65037) and ALPS (17613), GREASE already left out
 * by the service that published it: JA3 text and hash, JA4, JA4_r. */
static void
test_chrome(void **state)
{
	struct tlsprint_hello h = { 771,
	    "4865,4866,4867,49195,49199,49196,49200,52393,52392,49171,49172,"
	    "156,157,47,53",
	    "45,51,16,65037,23,17613,0,11,10,43,65281,35,18,5,13,27",
	    "4588,29,23,24",
	    dec("0403,0804,0401,0503,0805,0501,0806,0601"),
	    "0", "772,771", "h2", 2 };
	struct tlsprint t;

	make(&h, &t);
	assert_string_equal(t.ja3, "771,4865-4866-4867-49195-49199-49196-"
	    "49200-52393-52392-49171-49172-156-157-47-53,45-51-16-65037-23-"
	    "17613-0-11-10-43-65281-35-18-5-13-27,4588-29-23-24,0");
	assert_string_equal(t.ja3_hash, "98487aa16281980e7d1120d399efb6a4");
	assert_string_equal(t.ja4, "t13d1516h2_8daaf6152771_d8a2da3f94cd");
	assert_string_equal(t.ja4_r, "t13d1516h2_002f,0035,009c,009d,1301,"
	    "1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9_0005,000a,"
	    "000b,000d,0012,0017,001b,0023,002b,002d,0033,44cd,fe0d,ff01_"
	    "0403,0804,0401,0503,0805,0501,0806,0601");
	tlsprint_clear(&t);
}

/* The JA3 README's TLS 1.0 example; JA4 from the legacy version (no
 * supported_versions), no ALPN, no signature algorithms. */
static void
test_ja3_readme(void **state)
{
	struct tlsprint_hello h = { 769,
	    "47,53,5,10,49161,49162,49171,49172,50,56,19,4", "0,10,11",
	    "23,24,25", "", "0", "", NULL, 0 };
	struct tlsprint t;

	make(&h, &t);
	assert_string_equal(t.ja3, "769,47-53-5-10-49161-49162-49171-49172-"
	    "50-56-19-4,0-10-11,23-24-25,0");
	assert_string_equal(t.ja3_hash, "ada70206e40642a3e4461f35503241d5");
	assert_string_equal(t.ja4_r, "t10d120300_0004,0005,000a,0013,002f,"
	    "0032,0035,0038,c009,c00a,c013,c014_000a,000b");
	assert_string_equal(t.ja4, "t10d120300_d94e65cdb899_33a13ba74d1c");
	tlsprint_clear(&t);

	/* the README's SSL 3 hello with no extensions at all */
	h.legacy_version = 769;
	h.ciphers = "4,5,10,9,100,98,3,6,19,18,99";
	h.extensions = h.groups = h.point_formats = "";
	make(&h, &t);
	assert_string_equal(t.ja3, "769,4-5-10-9-100-98-3-6-19-18-99,,,");
	assert_string_equal(t.ja3_hash, "de350869b8c85de67a350c8d186f11e6");
	/* no extensions: twelve zeros */
	assert_int_equal(strncmp(t.ja4, "t10i110000_", 11), 0);
	assert_string_equal(t.ja4 + 24, "000000000000");
	tlsprint_clear(&t);
}

static void
alpn(const char *name, size_t len, const char *want)
{
	struct tlsprint_hello h = { 0x0303, "4865", "16", "", "", "", "",
	    name, len };
	struct tlsprint t;

	make(&h, &t);
	assert_memory_equal(t.ja4 + 8, want, 2);
	tlsprint_clear(&t);
}

/* JA4.md's ALPN rules, its examples. */
static void
test_alpn(void **state)
{
	alpn("h2", 2, "h2");
	alpn("http/1.1", 8, "h1");
	alpn("smtp", 4, "sp");
	alpn("h", 1, "hh");
	alpn("", 0, "00");
	alpn(NULL, 0, "00");
	alpn("\xab", 1, "ab");
	alpn("\xab\xcd", 2, "ad");
	alpn("0\xab", 2, "3b");
	alpn("01\xab\xcd", 4, "3d");
	alpn("0\xab\xcd" "1", 4, "01");
}

static void
version(unsigned legacy, const char *exts, const char *versions,
    const char *want)
{
	struct tlsprint_hello h = { legacy, "", exts, "", "", "", versions,
	    NULL, 0 };
	struct tlsprint t;

	make(&h, &t);
	assert_memory_equal(t.ja4, want, 3);
	tlsprint_clear(&t);
}

static void
test_version(void **state)
{
	/* supported_versions (43) wins, its highest non-GREASE value */
	version(0x0303, "43", dec("0a0a,0303,0304"), "t13");
	version(0x0303, "43", dec("0302,0303"), "t12");
	/* listed but not announced as an extension: the legacy one */
	version(0x0303, "0", dec("0304"), "t12");
	version(0x0302, "", "", "t11");
	version(0x0301, "", "", "t10");
	version(0x0300, "", "", "ts3");
	version(0x0002, "", "", "ts2");
	version(0x7f00, "", "", "t00");
	/* only GREASE in supported_versions: the legacy one */
	version(0x0303, "43", dec("1a1a"), "t12");
}

/* Counts stop at 99; an empty cipher list hashes to zeros. */
static void
test_counts(void **state)
{
	char many[2048];
	size_t i, n = 0;
	struct tlsprint_hello h = { 0x0303, many, many, "", "", "", "",
	    NULL, 0 };
	struct tlsprint t;

	for (i = 1; i <= 150; i++)
		n += (size_t)snprintf(many + n, sizeof(many) - n, "%s%zu",
		    n ? "," : "", i + 100);
	make(&h, &t);
	assert_memory_equal(t.ja4, "t12i9999", 8);
	tlsprint_clear(&t);

	h.ciphers = "";
	h.extensions = "10";
	make(&h, &t);
	assert_memory_equal(t.ja4 + 10, "_000000000000_", 14);
	tlsprint_clear(&t);
}

/* What the record's grammar would let through must still be numbers. */
static void
test_bad_lists(void **state)
{
	static const char *const bad[] = { "65536", "1,,2", "1,", ",1", "a",
	    "1;2", "-1", "99999999999999999999", " 1" };
	struct tlsprint_hello h = { 0x0303, "", "", "", "", "", "", NULL, 0 };
	struct tlsprint t;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		h.sigalgs = bad[i];
		errno = 0;
		assert_int_equal(tlsprint_make(&h, &t), -1);
		assert_int_equal(errno, EINVAL);
		tlsprint_clear(&t);
	}
	h.sigalgs = "65535,0";
	make(&h, &t);
	tlsprint_clear(&t);
	assert_true(tlsprint_grease(0x0a0a));
	assert_true(tlsprint_grease(0xfafa));
	assert_false(tlsprint_grease(0x0a1a));
	assert_false(tlsprint_grease(0x0b0b));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ja4_spec),
		cmocka_unit_test(test_chrome),
		cmocka_unit_test(test_ja3_readme),
		cmocka_unit_test(test_alpn),
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_bad_lists),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
