/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * test_extract: what the analyzer counts in a message (src/analyzer/extract.c). The
 * golden messages tests/data/mail/NAME.eml go through the MIME walk and the
 * extraction, LF and CRLF, and must give exactly the "count" and "url"
 * lines of NAME.expect, with the custom patterns configured below. Tables
 * here pin the finer rules: URL ends, hosts, addresses, IP forms, HTML
 * attributes and entities, registrable domains, pattern errors and limits.
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
#include <gmime/gmime.h>

#include "buf.h"
#include "conf.h"
#include "extract.h"
#include "mime.h"
#include "testutil.h"
#include "utf8.h"

#define CONF	"test.conf"

/* The golden messages' analyst: a Bitcoin address, a phone number. */
static const char golden_conf[] =
    "# the custom patterns of tests/data/mail\n"
    "pattern btc = \\b[13][a-km-zA-HJ-NP-Z1-9]{25,34}\\b\n"
    "pattern phone = (?i)(?:call|phone|tel)[:.]?\\s*"
    "(\\+?[0-9][0-9 .()-]{6,}[0-9])\n";

static struct config golden_cf;
static struct extract_patterns *golden;

static struct extract_patterns *
compile(struct config *cf, const char *text)
{
	struct extract_patterns *ep;
	char err[CONF_ERR_MAX];

	if (conf_parse_buffer(cf, CONF, text, strlen(text), err,
	    sizeof(err)) != 0)
		fail_msg("config rejected: %s", err);
	if ((ep = extract_patterns_compile(cf, err, sizeof(err))) == NULL)
		fail_msg("patterns rejected: %s", err);
	assert_string_equal(err, "");
	return ep;
}

static int
setup(void **state)
{
	mime_init();
	golden = compile(&golden_cf, golden_conf);
	return 0;
}

static int
teardown(void **state)
{
	extract_patterns_free(golden);
	conf_clear(&golden_cf);
	return 0;
}

/* --- expectations ------------------------------------------------------ */

static int
is_utf8(const char *s)
{
	return s != NULL && utf8_prefix(s, strlen(s)) == strlen(s);
}

/* "count KIND N VALUE": the count of that value, which must exist once. */
static void
expect_count(const char *what, const struct extract_result *r, char *args,
    int *seen)
{
	char kind[128];
	unsigned count;
	size_t i;
	int off = 0, found = 0;

	if (sscanf(args, "%127s %u %n", kind, &count, &off) != 2 || off == 0)
		fail_msg("%s: bad count line: %s", what, args);
	for (i = 0; i < r->ncounts; i++) {
		if (strcmp(r->counts[i].kind, kind) != 0 ||
		    strcmp(r->counts[i].value, args + off) != 0)
			continue;
		if (seen[i]++ || found++)
			fail_msg("%s: %s \"%s\" twice", what, kind, args + off);
		if (r->counts[i].count != count)
			fail_msg("%s: %s \"%s\": count %u, want %u", what,
			    kind, args + off, r->counts[i].count, count);
	}
	if (!found)
		fail_msg("%s: no %s \"%s\"", what, kind, args + off);
}

/* "url N HOST URL" */
static void
expect_url(const char *what, const struct extract_result *r, char *args,
    int *seen)
{
	char host[1024];
	unsigned count;
	size_t i;
	int off = 0;

	if (sscanf(args, "%u %1023s %n", &count, host, &off) != 2 || off == 0)
		fail_msg("%s: bad url line: %s", what, args);
	for (i = 0; i < r->nurls; i++) {
		if (strcmp(r->urls[i].url, args + off) != 0)
			continue;
		if (seen[i]++)
			fail_msg("%s: url \"%s\" twice", what, args + off);
		if (strcmp(r->urls[i].host, host) != 0 ||
		    r->urls[i].count != count)
			fail_msg("%s: url \"%s\": host %s count %u, want %s %u",
			    what, args + off, r->urls[i].host,
			    r->urls[i].count, host, count);
		return;
	}
	fail_msg("%s: no url \"%s\"", what, args + off);
}

/*
 * The result must hold exactly the "count" and "url" lines of expect (a
 * writable copy; other lines are test_mime's and are skipped).
 */
static void
check_result(const char *what, const struct extract_result *r, char *expect)
{
	int *cseen, *useen;
	char *line, *next;
	size_t i;

	cseen = calloc(r->ncounts + 1, sizeof(*cseen));
	useen = calloc(r->nurls + 1, sizeof(*useen));
	assert_true(cseen != NULL && useen != NULL);
	for (i = 0; i < r->ncounts; i++)
		assert_true(is_utf8(r->counts[i].kind) &&
		    is_utf8(r->counts[i].value));
	for (i = 0; i < r->nurls; i++)
		assert_true(is_utf8(r->urls[i].url) &&
		    is_utf8(r->urls[i].host));
	for (line = expect; line != NULL; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (strncmp(line, "count ", 6) == 0)
			expect_count(what, r, line + 6, cseen);
		else if (strncmp(line, "url ", 4) == 0)
			expect_url(what, r, line + 4, useen);
	}
	for (i = 0; i < r->ncounts; i++)
		if (!cseen[i])
			fail_msg("%s: unexpected count %s %u %s", what,
			    r->counts[i].kind, r->counts[i].count,
			    r->counts[i].value);
	for (i = 0; i < r->nurls; i++)
		if (!useen[i])
			fail_msg("%s: unexpected url %u %s %s", what,
			    r->urls[i].count, r->urls[i].host, r->urls[i].url);
	free(cseen);
	free(useen);
}

/* --- golden messages --------------------------------------------------- */

static void
run_golden(const char *name, int crlf)
{
	struct extract_result r;
	struct mime_message m;
	struct tu_golden g;

	tu_golden_load(&g, name, crlf);
	assert_int_equal(mime_parse(g.raw, g.len, &m), 0);
	assert_int_equal(extract_message(&m, golden, &r), 0);
	check_result(name, &r, g.expect);
	extract_result_clear(&r);
	mime_message_clear(&m);
	tu_golden_clear(&g);
}

/* --- texts, HTML and headers made here --------------------------------- */

struct text_case {
	int		 html;		/* the input is an HTML part */
	const char	*in;
	const char	*expect;	/* "count" and "url" lines */
};

static const struct text_case text_cases[] = {
	/* Punctuation after a URL is not part of it; quotes end it. */
	{ 0, "see http://example.com/a). and (http://example.com/b), or "
	    "'http://example.com/c'!",
	    "count url 1 http://example.com/a\n"
	    "count url 1 http://example.com/b\n"
	    "count url 1 http://example.com/c\n"
	    "count domain 3 example.com\n"
	    "url 1 example.com http://example.com/a\n"
	    "url 1 example.com http://example.com/b\n"
	    "url 1 example.com http://example.com/c\n" },
	/* www. gets http://; the host is lower case, the URL as found. */
	{ 0, "Visit WWW.Example.ORG/Path?q=1; or www.example.org.",
	    "count url 1 http://WWW.Example.ORG/Path?q=1\n"
	    "count url 1 http://www.example.org\n"
	    "count domain 2 example.org\n"
	    "url 1 www.example.org http://WWW.Example.ORG/Path?q=1\n"
	    "url 1 www.example.org http://www.example.org\n" },
	/* Hosts lose port, userinfo and brackets; an IP has no domain. */
	{ 0, "ftp://files.example.net:2121/pub and http://[2001:db8::1]:8080/x"
	    " and http://user:pw@Host.Example.COM:80/",
	    "count url 1 ftp://files.example.net:2121/pub\n"
	    "count url 1 http://[2001:db8::1]:8080/x\n"
	    "count url 1 http://user:pw@Host.Example.COM:80/\n"
	    "count domain 1 example.net\n"
	    "count domain 1 example.com\n"
	    "count ip 1 2001:db8::1\n"
	    "url 1 files.example.net ftp://files.example.net:2121/pub\n"
	    "url 1 2001:db8::1 http://[2001:db8::1]:8080/x\n"
	    "url 1 host.example.com http://user:pw@Host.Example.COM:80/\n" },
	/* An address in a URL is part of the URL, not an address. */
	{ 0, "http://example.com/u?e=victim@example.org",
	    "count url 1 http://example.com/u?e=victim@example.org\n"
	    "count domain 1 example.com\n"
	    "url 1 example.com http://example.com/u?e=victim@example.org\n" },
	/* A host's final dot goes; a URL needs a host. */
	{ 0, "http://www.Example.com./x http:///nohost http://:80/ https://",
	    "count url 1 http://www.Example.com./x\n"
	    "count domain 1 example.com\n"
	    "url 1 www.example.com http://www.Example.com./x\n" },
	/* Addresses: the domain in lower case, the local part as is. */
	{ 0, "Mail ME@Example.COM, me@example.com and "
	    "x.y+tag@sub.example.co.uk; not a@b, not @example.com, "
	    "not user@localhost",
	    "count email 1 ME@example.com\n"
	    "count email 1 me@example.com\n"
	    "count email 1 x.y+tag@sub.example.co.uk\n"
	    "count domain 2 example.com\n"
	    "count domain 1 example.co.uk\n" },
	/* IDN: UTF-8 and punycode as found, ASCII in lower case. */
	{ 0, "http://www.b\u00fccher.de/x and HTTP://WWW.XN--BCHER-KVA.DE/y "
	    "and info@b\u00fccher.de",
	    "count url 1 http://www.b\u00fccher.de/x\n"
	    "count url 1 HTTP://WWW.XN--BCHER-KVA.DE/y\n"
	    "count email 1 info@b\u00fccher.de\n"
	    "count domain 2 b\u00fccher.de\n"
	    "count domain 1 xn--bcher-kva.de\n"
	    "url 1 www.b\u00fccher.de http://www.b\u00fccher.de/x\n"
	    "url 1 www.xn--bcher-kva.de HTTP://WWW.XN--BCHER-KVA.DE/y\n" },
	/* IPs: valid, whole, canonical; no versions, times or C++. */
	{ 0, "hosts 192.168.0.1:8080, 10.0.0.256, 1.2.3.4.5, v1.2.3.4, "
	    "8.8.8.8. and ::ffff:10.1.2.3, std::vector, 12:34:56, "
	    "fe80::1%eth0, 2001:0DB8:0000::0001, a bare :: and 1:2:3:4:5:6:7",
	    "count ip 1 192.168.0.1\n"
	    "count ip 1 8.8.8.8\n"
	    "count ip 1 ::ffff:10.1.2.3\n"
	    "count ip 1 fe80::1\n"
	    "count ip 1 2001:db8::1\n" },
	/* HTML attributes: spacing, case, entities; no relative links. */
	{ 1, "<a href = \" http://a.example.com/x?a=1&amp;b=2 \">A</a>"
	    "<a href=HTTP://B.example.com/>B</a>"
	    "<img SRC='//cdn.example.com/p.png'>"
	    "<a href=\"javascript:void(0)\">j</a>"
	    "<a data-href=\"http://data.example.com/\">d</a>"
	    "<a href=\"https://c.example.com/&#x3F;q=&#X41;&#65&#0;\">c</a>",
	    "count url 1 http://a.example.com/x?a=1&b=2\n"
	    "count url 1 HTTP://B.example.com/\n"
	    "count url 1 https://c.example.com/?q=AA\ufffd\n"
	    "count domain 3 example.com\n"
	    "url 1 a.example.com http://a.example.com/x?a=1&b=2\n"
	    "url 1 b.example.com HTTP://B.example.com/\n"
	    "url 1 c.example.com https://c.example.com/?q=AA\ufffd\n" },
	/* HTML text: entities decoded, comments unseen, scripts seen. */
	{ 1, "<p>Visit http://shop.example.com/?a=1&amp;b=2 or mail "
	    "sales&#64;shop.example.com</p>"
	    "<!-- <b>www.hidden.example.com</b> -->"
	    "<script>var u='http://js.example.com/x';</script>"
	    "<p>a < b &amp;&amp; c > d</p>",
	    "count url 1 http://shop.example.com/?a=1&b=2\n"
	    "count url 1 http://js.example.com/x\n"
	    "count email 1 sales@shop.example.com\n"
	    "count domain 3 example.com\n"
	    "url 1 shop.example.com http://shop.example.com/?a=1&b=2\n"
	    "url 1 js.example.com http://js.example.com/x\n" },
	/* A comment never closed hides the rest, as in a browser. */
	{ 1, "<p>http://seen.example.com/</p>"
	    "<!-- <p>http://hidden.example.com/",
	    "count url 1 http://seen.example.com/\n"
	    "count domain 1 example.com\n"
	    "url 1 seen.example.com http://seen.example.com/\n" },
};

static void
check_text_case(const struct text_case *tc, const struct extract_patterns *ep)
{
	struct extract_result r;
	struct mime_message m;
	char *in, *expect;

	memset(&m, 0, sizeof(m));
	in = strdup(tc->in);
	expect = strdup(tc->expect);
	assert_true(in != NULL && expect != NULL);
	m.headers = "";
	if (tc->html) {
		m.htmls = &in;
		m.nhtmls = 1;
	} else {
		m.texts = &in;
		m.ntexts = 1;
	}
	assert_int_equal(extract_message(&m, ep, &r), 0);
	check_result(tc->in, &r, expect);
	extract_result_clear(&r);
	free(expect);
	free(in);
}

static void
test_text_cases(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(text_cases) / sizeof(text_cases[0]); i++)
		check_text_case(&text_cases[i], golden);
}

/* Identifiers are not mailboxes; other headers' addresses count. */
static void
test_headers(void **state)
{
	struct extract_result r;
	struct mime_message m;
	char expect[] =
	    "count email 1 someone@from.example.com\n"
	    "count email 1 x@y.example.net\n"
	    "count domain 1 example.com\n"
	    "count domain 1 example.net\n";

	memset(&m, 0, sizeof(m));
	m.headers = "Message-ID: <abc@mid.example.com>\n"
	    "References: <r1@mid.example.com> <r2@mid.example.com>\n"
	    "In-Reply-To: <r3@mid.example.com>\n"
	    "From: Someone <someone@from.example.com>\n"
	    "X-Mailer: Mailer 1.0 (x@y.example.net)\n";
	assert_int_equal(extract_message(&m, golden, &r), 0);
	check_result("headers", &r, expect);
	extract_result_clear(&r);
}

/* URLs and addresses over 2048 bytes are skipped, not cut. */
static void
test_limits(void **state)
{
	struct buf b = { NULL, 0, 0 };
	struct extract_result r;
	struct mime_message m;
	char expect[] =
	    "count url 1 http://ok.example.com/\n"
	    "count domain 1 example.com\n"
	    "url 1 ok.example.com http://ok.example.com/\n";
	int i;

	assert_int_equal(buf_appendf(&b, "http://long.example.org/"), 0);
	for (i = 0; i < 2100; i++)
		assert_int_equal(buf_append(&b, "a", 1), 0);
	assert_int_equal(buf_appendf(&b, " http://ok.example.com/ x@"), 0);
	for (i = 0; i < 40; i++)
		assert_int_equal(buf_appendf(&b, "%060d.", i), 0);
	assert_int_equal(buf_appendf(&b, "net"), 0);
	assert_int_equal(buf_append(&b, "", 1), 0);
	memset(&m, 0, sizeof(m));
	m.headers = "";
	m.texts = &b.data;
	m.ntexts = 1;
	assert_int_equal(extract_message(&m, golden, &r), 0);
	check_result("limits", &r, expect);
	extract_result_clear(&r);
	buf_release(&b);
}

/* --- custom patterns --------------------------------------------------- */

static void
test_pattern_rules(void **state)
{
	static const char conf[] =
	    "pattern xs = x*\n"			/* empty matches */
	    "pattern foo = (foo)?bar\n"		/* group 1 unset: all */
	    "pattern euro = \u20ac(\\d+)\n"	/* UTF-8 in the regex */
	    "pattern word = \\b\\w*\u00df\\w*\\b\n"	/* UCP \w, \b */
	    "pattern cat = (a+)+$\n";		/* stopped by the limit */
	struct extract_patterns *ep;
	struct extract_result r;
	struct mime_message m;
	struct config cf;
	char *text, expect[] =
	    "count xs 1 xxx\n"
	    "count xs 1 x\n"
	    "count foo 1 bar\n"
	    "count foo 1 foo\n"
	    "count euro 1 100\n"
	    "count euro 1 2\n"
	    "count word 1 Gr\u00fc\u00dfe\n"
	    "count word 1 Stra\u00dfe\n";

	ep = compile(&cf, conf);
	text = strdup("a xxx b x bar foobar \u20ac100 \u20ac2 Gr\u00fc\u00dfe "
	    "Stra\u00dfe aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab");
	assert_non_null(text);
	memset(&m, 0, sizeof(m));
	m.headers = "";
	m.texts = &text;
	m.ntexts = 1;
	assert_int_equal(extract_message(&m, ep, &r), 0);
	check_result("pattern rules", &r, expect);
	extract_result_clear(&r);
	free(text);
	extract_patterns_free(ep);
	conf_clear(&cf);
}

static const struct {
	const char	*conf;
	const char	*err;
} bad_patterns[] = {
	{ "# patterns\npattern ok = abc\npattern bad = (abc\n",
	    CONF ":3: pattern bad: missing closing parenthesis at offset 4" },
	{ "pattern star = *x\n", CONF ":1: pattern star: quantifier does not "
	    "follow a repeatable item at offset 0" },
};

static void
test_bad_pattern(void **state)
{
	char err[CONF_ERR_MAX], small[16];
	struct config cf;
	size_t i;

	for (i = 0; i < sizeof(bad_patterns) / sizeof(bad_patterns[0]); i++) {
		assert_int_equal(conf_parse_buffer(&cf, CONF,
		    bad_patterns[i].conf, strlen(bad_patterns[i].conf), err,
		    sizeof(err)), 0);
		memset(err, 'x', sizeof(err));
		assert_null(extract_patterns_compile(&cf, err, sizeof(err)));
		assert_string_equal(err, bad_patterns[i].err);
		/* A short buffer gets a cut, terminated message. */
		assert_null(extract_patterns_compile(&cf, small,
		    sizeof(small)));
		assert_int_equal(strlen(small), sizeof(small) - 1);
		assert_memory_equal(small, bad_patterns[i].err,
		    sizeof(small) - 1);
		conf_clear(&cf);
	}
}

/* No custom patterns: the built-in kinds only. */
static void
test_no_patterns(void **state)
{
	struct extract_patterns *ep;
	struct extract_result r;
	struct mime_message m;
	struct config cf;
	char *text, expect[] =
	    "count subject 1 hi\n"
	    "count url 1 http://example.com/\n"
	    "count domain 1 example.com\n"
	    "url 1 example.com http://example.com/\n";

	ep = compile(&cf, "# nothing\n");
	text = strdup("call 0800 555 0199 http://example.com/");
	assert_non_null(text);
	memset(&m, 0, sizeof(m));
	m.subject = "hi";
	m.texts = &text;
	m.ntexts = 1;
	assert_int_equal(extract_message(&m, ep, &r), 0);
	check_result("no patterns", &r, expect);
	extract_result_clear(&r);
	assert_int_equal(extract_message(&m, NULL, &r), -1);
	assert_int_equal(r.ncounts, 0);
	free(text);
	extract_patterns_free(ep);
	conf_clear(&cf);
}

/* --- volume ------------------------------------------------------------ */

/* 2,000 Received lines, 2,000 IPs; an empty subject is no value. */
static void
test_many_received(void **state)
{
	struct buf b = { NULL, 0, 0 };
	struct extract_result r;
	struct mime_message m;
	size_t i, nip = 0;

	for (i = 0; i < 2000; i++)
		assert_int_equal(buf_appendf(&b, "Received: from h%zu "
		    "([10.%zu.%zu.1]) by mx.honeypot.test; Tue, 26 Nov 2024 "
		    "19:00:00 +0000\n", i, i / 256, i % 256), 0);
	assert_int_equal(buf_appendf(&b, "Subject: \n\nbody\n"), 0);
	assert_int_equal(mime_parse((unsigned char *)b.data, b.len, &m), 0);
	assert_int_equal(extract_message(&m, golden, &r), 0);
	for (i = 0; i < r.ncounts; i++) {
		assert_string_equal(r.counts[i].kind, "ip");
		assert_int_equal(r.counts[i].count, 1);
		assert_int_equal(strncmp(r.counts[i].value, "10.", 3), 0);
		nip++;
	}
	assert_int_equal(nip, 2000);
	extract_result_clear(&r);
	mime_message_clear(&m);
	buf_release(&b);
}

/* A megabyte of links and addresses, every one counted. */
static void
test_big_text(void **state)
{
	struct buf b = { NULL, 0, 0 };
	struct extract_result r;
	struct mime_message m;
	size_t i, n = 0, urls = 0, emails = 0, com = 0, net = 0;

	while (b.len < 1024 * 1024) {
		assert_int_equal(buf_appendf(&b, "Visit "
		    "http://h%zu.example.com/p or mail u%zu@example.net; "
		    "server 10.%zu.%zu.9.\n", n, n % 7, n / 256 % 256,
		    n % 256), 0);
		n++;
	}
	assert_int_equal(buf_append(&b, "", 1), 0);
	memset(&m, 0, sizeof(m));
	m.headers = "";
	m.texts = &b.data;
	m.ntexts = 1;
	assert_int_equal(extract_message(&m, golden, &r), 0);
	for (i = 0; i < r.ncounts; i++) {
		if (strcmp(r.counts[i].kind, "url") == 0)
			urls += r.counts[i].count;
		else if (strcmp(r.counts[i].kind, "email") == 0)
			emails += r.counts[i].count;
		else if (strcmp(r.counts[i].value, "example.com") == 0)
			com += r.counts[i].count;
		else if (strcmp(r.counts[i].value, "example.net") == 0)
			net += r.counts[i].count;
	}
	assert_int_equal(urls, n);
	assert_int_equal(r.nurls, n);
	assert_int_equal(emails, n);
	assert_int_equal(com, n);
	assert_int_equal(net, n);
	extract_result_clear(&r);
	buf_release(&b);
}

/* --- registrable domains ----------------------------------------------- */

static const struct {
	const char	*host;
	const char	*want;		/* NULL: none */
} domains[] = {
	{ "www.example.com", "example.com" },
	{ "WWW.Example.COM", "example.com" },
	{ "example.com.", "example.com" },
	{ "a.b.example.co.uk", "example.co.uk" },
	{ "foo.example.blogspot.com", "example.blogspot.com" },	/* private */
	{ "www.b\u00fccher.de", "b\u00fccher.de" },
	{ "www.xn--bcher-kva.de", "xn--bcher-kva.de" },
	{ "mail.example.invalidtld", "example.invalidtld" },
	{ "co.uk", NULL },
	{ "com", NULL },
	{ "localhost", NULL },
	{ "192.0.2.1", NULL },
	{ "2001:db8::1", NULL },
	{ "1.2.3.999", NULL },
	{ "bad..example.com", NULL },
	{ "-bad.example.com", NULL },
	{ "exa mple.com", NULL },
	{ "%77ww.example.com", NULL },
	{ "", NULL },
};

static void
test_registrable_domain(void **state)
{
	size_t i;
	char *d;

	assert_null(extract_registrable_domain(NULL));
	for (i = 0; i < sizeof(domains) / sizeof(domains[0]); i++) {
		d = extract_registrable_domain(domains[i].host);
		if (domains[i].want == NULL && d != NULL)
			fail_msg("\"%s\": got \"%s\", want none",
			    domains[i].host, d);
		if (domains[i].want != NULL &&
		    (d == NULL || strcmp(d, domains[i].want) != 0))
			fail_msg("\"%s\": got \"%s\", want \"%s\"",
			    domains[i].host, d ? d : "(none)",
			    domains[i].want);
		free(d);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TU_GOLDEN_MAIL(run_golden),
		cmocka_unit_test(test_text_cases),
		cmocka_unit_test(test_headers),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_pattern_rules),
		cmocka_unit_test(test_bad_pattern),
		cmocka_unit_test(test_no_patterns),
		cmocka_unit_test(test_many_received),
		cmocka_unit_test(test_big_text),
		cmocka_unit_test(test_registrable_domain),
	};
	int rc;

	rc = cmocka_run_group_tests(tests, setup, teardown);
	g_mime_shutdown();
	return rc;
}
