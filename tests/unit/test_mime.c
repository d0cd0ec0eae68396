/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * test_mime: the MIME walk (src/analyzer/mime.c). Each golden message
 * tests/data/mail/NAME.eml is parsed and held against NAME.expect (format
 * in tests/data/mail/README), once as written and once with CRLF line
 * ends, as SMTP delivers it. Made here: subjects in many charsets, the
 * empty message, huge headers, thousands of encoded words, deep nesting,
 * what nesting may cost and random bytes.
 */
#include "autoconf.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <cmocka.h>
#include <gmime/gmime.h>
#include <openssl/evp.h>

#include "buf.h"
#include "charset.h"
#include "mime.h"
#include "mime_words.h"
#include "testutil.h"
#include "utf8.h"

/* \n \r \t \\ and \xHH, in place. */
static char *
unescape(char *s)
{
	char *o = s, *start = s, hex[3] = { 0, 0, 0 };

	for (; *s != '\0'; s++) {
		if (*s != '\\' || s[1] == '\0') {
			*o++ = *s;
			continue;
		}
		s++;
		if (*s == 'n')
			*o++ = '\n';
		else if (*s == 'r')
			*o++ = '\r';
		else if (*s == 't')
			*o++ = '\t';
		else if (*s == 'x' && s[1] != '\0' && s[2] != '\0') {
			hex[0] = s[1];
			hex[1] = s[2];
			*o++ = (char)strtoul(hex, NULL, 16);
			s += 2;
		} else
			*o++ = *s;
	}
	*o = '\0';
	return start;
}

static int
is_utf8(const char *s)
{
	return s != NULL && utf8_prefix(s, strlen(s)) == strlen(s);
}

/* --- checks ------------------------------------------------------------ */

struct golden {
	const char		*name;
	int			 crlf;
	struct mime_message	 m;
	size_t			 natt;		/* attachment lines seen */
};

static void
check_valid(const struct mime_message *m)
{
	size_t i;

	assert_true(m->subject == NULL || is_utf8(m->subject));
	assert_true(is_utf8(m->headers));
	for (i = 0; i < m->ntexts; i++)
		assert_true(is_utf8(m->texts[i]));
	for (i = 0; i < m->nhtmls; i++)
		assert_true(is_utf8(m->htmls[i]));
	for (i = 0; i < m->natts; i++) {
		assert_true(m->atts[i].filename == NULL ||
		    is_utf8(m->atts[i].filename));
		assert_true(is_utf8(m->atts[i].content_type));
		assert_true(m->atts[i].size == 0 ||
		    m->atts[i].data != NULL);
	}
}

static int
any_has(char **list, size_t n, const char *needle)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strstr(list[i], needle) != NULL)
			return 1;
	return 0;
}

static void
sha256_hex(const void *data, size_t len, char hex[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen, i;

	assert_int_equal(EVP_Digest(data, len, md, &mdlen, EVP_sha256(),
	    NULL), 1);
	for (i = 0; i < mdlen; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
}

/* "attachment SHA256 MD5 SHA1 SIZE TYPE NAME" */
static void
check_attachment(struct golden *g, char *args)
{
	char sha256[65], md5[33], sha1[41], type[256], data_sha256[65];
	const struct mime_attachment *a;
	unsigned long size;
	int off = 0;

	if (sscanf(args, "%64s %32s %40s %lu %255s %n", sha256, md5, sha1,
	    &size, type, &off) != 5 || off == 0)
		fail_msg("%s: bad attachment line: %s", g->name, args);
	if (g->natt >= g->m.natts)
		fail_msg("%s: attachment %zu missing (%s)", g->name, g->natt,
		    args + off);
	a = &g->m.atts[g->natt++];
	assert_string_equal(a->content_type, type);
	if (strcmp(args + off, "-") == 0)
		assert_null(a->filename);
	else {
		assert_non_null(a->filename);
		assert_string_equal(a->filename, unescape(args + off));
	}
	/* Text's line ends are the transport's: see crlf-sha256. */
	if (g->crlf && (strncmp(type, "text/", 5) == 0 ||
	    strncmp(type, "message/", 8) == 0))
		return;
	assert_int_equal(a->size, size);
	assert_string_equal(a->sha256, sha256);
	assert_string_equal(a->md5, md5);
	assert_string_equal(a->sha1, sha1);
	sha256_hex(a->data, a->size, data_sha256);
	assert_string_equal(data_sha256, sha256);
}

static void
check_crlf_sha256(struct golden *g, char *args)
{
	char sha256[65];
	unsigned long i;

	if (sscanf(args, "%lu %64s", &i, sha256) != 2)
		fail_msg("%s: bad crlf-sha256 line: %s", g->name, args);
	if (!g->crlf)
		return;
	assert_true(i < g->m.natts);
	assert_string_equal(g->m.atts[i].sha256, sha256);
}

static void
check_text(struct golden *g, char *args)
{
	char *end;
	unsigned long i;

	i = strtoul(args, &end, 10);
	if (end == args || *end != ' ')
		fail_msg("%s: bad text line: %s", g->name, args);
	assert_true(i < g->m.ntexts);
	assert_string_equal(g->m.texts[i], unescape(end + 1));
}

/* One line of NAME.expect; "count" and "url" are test_extract's. */
static void
check_line(struct golden *g, char *line)
{
	struct mime_message *m = &g->m;
	char *args = strchr(line, ' ');

	if (*line == '#' || *line == '\0')
		return;
	if (args != NULL)
		*args++ = '\0';
	else
		args = line + strlen(line);
	if (strcmp(line, "subject") == 0) {
		assert_non_null(m->subject);
		assert_string_equal(m->subject, unescape(args));
	} else if (strcmp(line, "no-subject") == 0)
		assert_null(m->subject);
	else if (strcmp(line, "texts") == 0)
		assert_int_equal(m->ntexts, strtoul(args, NULL, 10));
	else if (strcmp(line, "htmls") == 0)
		assert_int_equal(m->nhtmls, strtoul(args, NULL, 10));
	else if (strcmp(line, "text") == 0)
		check_text(g, args);
	else if (strcmp(line, "text-has") == 0) {
		if (!any_has(m->texts, m->ntexts, unescape(args)))
			fail_msg("%s: no text has \"%s\"", g->name, args);
	} else if (strcmp(line, "text-lacks") == 0) {
		if (any_has(m->texts, m->ntexts, unescape(args)))
			fail_msg("%s: a text has \"%s\"", g->name, args);
	} else if (strcmp(line, "html-has") == 0) {
		if (!any_has(m->htmls, m->nhtmls, unescape(args)))
			fail_msg("%s: no HTML has \"%s\"", g->name, args);
	} else if (strcmp(line, "header-has") == 0) {
		if (strstr(m->headers, unescape(args)) == NULL)
			fail_msg("%s: headers lack \"%s\":\n%s", g->name, args,
			    m->headers);
	} else if (strcmp(line, "header-lacks") == 0) {
		if (strstr(m->headers, unescape(args)) != NULL)
			fail_msg("%s: headers have \"%s\"", g->name, args);
	} else if (strcmp(line, "attachment") == 0)
		check_attachment(g, args);
	else if (strcmp(line, "crlf-sha256") == 0)
		check_crlf_sha256(g, args);
	else if (strcmp(line, "count") != 0 && strcmp(line, "url") != 0)
		fail_msg("%s.expect: unknown line \"%s\"", g->name, line);
}

static void
run_golden(const char *name, int crlf)
{
	struct golden g;
	struct tu_golden files;
	char *line, *next;

	memset(&g, 0, sizeof(g));
	g.name = name;
	g.crlf = crlf;
	tu_golden_load(&files, name, crlf);
	assert_int_equal(mime_parse(files.raw, files.len, &g.m), 0);
	check_valid(&g.m);
	for (line = files.expect; line != NULL; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		check_line(&g, line);
	}
	if (g.natt != g.m.natts)
		fail_msg("%s: %zu attachments, %zu expected", name, g.m.natts,
		    g.natt);
	mime_message_clear(&g.m);
	tu_golden_clear(&files);
}

/* --- messages made here ------------------------------------------------ */

static void
import_string(const char *s, size_t len, struct mime_message *m)
{
	assert_int_equal(mime_parse((const unsigned char *)s, len, m), 0);
	check_valid(m);
}

/* Encoded words computed with Python's codecs, not with GMime. */
static const struct {
	const char	*raw;
	const char	*want;
} subjects[] = {
	{ "=?UTF-8?B?R2V3aW5uZW4gU2llIDEwMDAg4oKs?=",
	    "Gewinnen Sie 1000 \u20ac" },
	{ "=?utf-8?Q?Gro=C3=9Fe_Rabatte_=F0=9F=92=B0?=",
	    "Gro\u00dfe Rabatte \U0001F4B0" },
	{ "=?ISO-8859-1?Q?Sch=F6ne_Gr=FC=DFe?=",
	    "Sch\u00f6ne Gr\u00fc\u00dfe" },
	{ "=?KOI8-R?B?8NLJ18XU?=", "\u041f\u0440\u0438\u0432\u0435\u0442" },
	{ "=?Shift_JIS?B?jaGCt4Kuk2+YXg==?=",
	    "\u4eca\u3059\u3050\u767b\u9332" },
	{ "=?ISO-2022-JP?B?GyRCOiMkOSQwRVBPPxsoQg==?=",
	    "\u4eca\u3059\u3050\u767b\u9332" },
	{ "=?GB2312?B?w+K30cHsyKE=?=", "\u514d\u8d39\u9886\u53d6" },
	{ "=?Big5?B?p0u2T7viqPo=?=", "\u514d\u8cbb\u9818\u53d6" },
	{ "=?EUC-KR?B?uau34SC788ew?=", "\ubb34\ub8cc \uc0c1\ud488" },
	{ "=?windows-1251?B?0ero5OrgIDUwJQ==?=",
	    "\u0421\u043a\u0438\u0434\u043a\u0430 50%" },
	{ "=?utf-8?q?Hello_?= =?iso-8859-1?q?W=F6rld?=", "Hello W\u00f6rld" },
	{ "Plain ASCII subject", "Plain ASCII subject" },
	{ "Gr\xfc\xdf" "e", "Gr\u00fc\u00dfe" },	/* raw 8-bit Latin-1 */
	{ "Gr\xc3\xbc\xc3\x9f" "e", "Gr\u00fc\u00dfe" },	/* raw UTF-8 */
	/* a character split between words; padding ends the first */
	{ "=?UTF-8?B?5YWN6A==?= =?UTF-8?B?tLnpooblj5Y=?=",
	    "\u514d\u8d39\u9886\u53d6" },
	{ "=?utf-8?B?4g==?=\n =?UTF-8?Q?=82=AC_100?=", "\u20ac 100" },
	{ "=?UTF-8?Q?Hello?= world", "Hello world" },
	{ "=?UTF-8?Q?a?=  =?UTF-8?Q?b?=\t=?UTF-8?Q?c?= d", "abc d" },
	{ "=?UTF-8?Q?nul=00byte?=", "nul\ufffdbyte" },
	{ "=?x-no-such-charset?Q?caf=E9?=", "caf\u00e9" },	/* fallback */
	{ "=?x-no-such-charset?Q?abc?=", NULL },	/* valid UTF-8 only */
	{ "=?utf-8?B?!!!not base64?=", NULL },
	{ "", "" },
};

static void
test_subjects(void **state)
{
	struct mime_message m;
	char msg[512];
	size_t i;
	int n;

	for (i = 0; i < sizeof(subjects) / sizeof(subjects[0]); i++) {
		n = snprintf(msg, sizeof(msg), "From: a@example.com\n"
		    "Subject: %s\n\nbody\n", subjects[i].raw);
		import_string(msg, (size_t)n, &m);
		assert_non_null(m.subject);
		if (subjects[i].want != NULL &&
		    strcmp(m.subject, subjects[i].want) != 0)
			fail_msg("subject %zu \"%s\": got \"%s\", want \"%s\"",
			    i, subjects[i].raw, m.subject, subjects[i].want);
		mime_message_clear(&m);
	}
}

/*
 * The descriptors kept open (charset.c) serve message after message: the
 * table again after a stateful charset left in its shifted state, after
 * more charsets than are kept (each one's descriptor closed and opened
 * anew), and after all are forgotten, reads as it did.
 */
static void
test_subjects_again(void **state)
{
	static const char *const others[] = {
		"ISO-8859-2", "ISO-8859-3", "ISO-8859-4", "ISO-8859-5",
		"ISO-8859-7", "ISO-8859-9", "ISO-8859-13", "ISO-8859-15",
		"windows-1250", "windows-1252", "windows-1253", "windows-1254",
		"windows-1255", "windows-1256", "windows-1257", "KOI8-U",
		"IBM866", "IBM850", "TIS-620", "x-mac-cyrillic",
	};
	struct mime_message m;
	char msg[512];
	size_t i;
	int n, round;

	for (round = 0; round < 3; round++) {
		if (round == 2)
			charset_forget();
		/* left shifted: no ESC ( B at its end */
		n = snprintf(msg, sizeof(msg), "Subject: "
		    "=?ISO-2022-JP?B?GyRCOiMkOSQwRVBPPw==?=\n\nbody\n");
		import_string(msg, (size_t)n, &m);
		mime_message_clear(&m);
		/* then ASCII in it: read as ASCII, not as JIS X 0208 */
		n = snprintf(msg, sizeof(msg), "Subject: "
		    "=?ISO-2022-JP?Q?abcd?=\n\nbody\n");
		import_string(msg, (size_t)n, &m);
		assert_string_equal(m.subject, "abcd");
		mime_message_clear(&m);
		test_subjects(state);
		for (i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
			n = snprintf(msg, sizeof(msg), "Subject: =?%s?Q?caf"
			    "e_%zu?=\n\nbody\n", others[i], i);
			import_string(msg, (size_t)n, &m);
			assert_non_null(m.subject);
			snprintf(msg, sizeof(msg), "cafe %zu", i);
			if (strcmp(m.subject, msg) != 0)
				fail_msg("%s: got \"%s\"", others[i],
				    m.subject);
			mime_message_clear(&m);
		}
	}
}

static void
test_no_subject(void **state)
{
	static const char msg[] = "From: a@example.com\n\nbody\n";
	struct mime_message m;

	import_string(msg, sizeof(msg) - 1, &m);
	assert_null(m.subject);
	assert_int_equal(m.ntexts, 1);
	assert_string_equal(m.texts[0], "body\n");
	mime_message_clear(&m);
}

static void
test_empty(void **state)
{
	struct mime_message m;

	import_string("", 0, &m);
	assert_null(m.subject);
	assert_non_null(m.headers);
	assert_string_equal(m.headers, "");
	assert_int_equal(m.ntexts, 0);
	assert_int_equal(m.nhtmls, 0);
	assert_int_equal(m.natts, 0);
	mime_message_clear(&m);
	/* Freed twice is harmless: the first free empties it. */
	mime_message_clear(&m);
}

/* Thousands of encoded words of two charsets, one unknown; bad base64. */
static void
test_many_words(void **state)
{
	struct buf b = { NULL, 0, 0 };
	struct mime_message m;
	size_t i;

	assert_int_equal(buf_appendf(&b, "Subject:"), 0);
	for (i = 0; i < 5000; i++)
		assert_int_equal(buf_appendf(&b, " =?%s?B?%s?=",
		    i % 2 ? "UTF-8" : "x-bogus", i % 3 ? "4g==" : "!!"), 0);
	assert_int_equal(buf_appendf(&b, "\n\nbody\n"), 0);
	import_string(b.data, b.len, &m);
	assert_non_null(m.subject);
	mime_message_clear(&m);
	buf_release(&b);
}

static char *
ascii_conv(const char *charset, const char *declared, const char *p,
    size_t n)
{
	return utf8_sanitize(p, n);
}

/*
 * A megabyte of "=?" that never ends, given to mime_words straight (GMime
 * takes minutes over such a subject in the message parser): each is
 * scanned once, not to the end of the value once for each.
 */
static void
test_words_unended(void **state)
{
	struct buf b = { NULL, 0, 0 };
	size_t i, n = 150000;
	char *s;

	for (i = 0; i < n; i++)
		assert_int_equal(buf_appendf(&b, "=?a?Q?x"), 0);
	s = mime_words_header(b.data, NULL, ascii_conv);
	assert_non_null(s);
	assert_int_equal(strlen(s), 7 * n);
	free(s);
	buf_release(&b);
}

/*
 * Headers of a message and of an attached one made of a million bytes of
 * encoded words that never end, as a hostile client sends them: parsed
 * (in time linear in their length: GMime's loose decoding took minutes),
 * the subject and the headers kept as they are.
 */
static void
test_headers_unended(void **state)
{
	struct buf b = { NULL, 0, 0 }, x = { NULL, 0, 0 };
	struct mime_message m;
	size_t i, n = 140000;

	for (i = 0; i < n; i++)
		assert_int_equal(buf_appendf(&x, "=?a?Q?x"), 0);
	assert_int_equal(buf_appendf(&b, "Subject: %.*s\r\nFrom: %.*s\r\n"
	    "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
	    "Content-Type: message/rfc822\r\n\r\nSubject: %.*s\r\n\r\n"
	    "inner\r\n--b--\r\n", (int)x.len, x.data, (int)x.len, x.data,
	    (int)x.len, x.data), 0);
	assert_int_equal(mime_parse((unsigned char *)b.data, b.len, &m), 0);
	assert_non_null(m.subject);
	assert_int_equal(strlen(m.subject), 7 * n);
	assert_non_null(strstr(m.headers, "From: =?a?Q?x=?a?Q?x"));
	assert_int_equal(m.natts, 1);
	mime_message_clear(&m);
	buf_release(&x);
	buf_release(&b);
}

/* A 100 KB subject, whole. */
static void
test_huge_subject(void **state)
{
	struct buf b = { NULL, 0, 0 };
	struct mime_message m;
	size_t i, n = 100 * 1024;

	assert_int_equal(buf_appendf(&b, "Subject: "), 0);
	for (i = 0; i < n; i++)
		assert_int_equal(buf_append(&b, i % 10 ? "a" : " ", 1), 0);
	assert_int_equal(buf_appendf(&b, "Z\n\nbody\n"), 0);
	import_string(b.data, b.len, &m);
	assert_non_null(m.subject);
	/* The leading space of the value is not part of it. */
	assert_int_equal(strlen(m.subject), n);
	assert_int_equal(m.subject[n - 1], 'Z');
	assert_int_equal(m.ntexts, 1);
	mime_message_clear(&m);
	buf_release(&b);
}

/* 2,000 Received lines, every one kept, in order. */
static void
test_many_received(void **state)
{
	struct buf b = { NULL, 0, 0 };
	struct mime_message m;
	char want[128];
	const char *p;
	int i;

	for (i = 0; i < 2000; i++)
		assert_int_equal(buf_appendf(&b, "Received: from h%d "
		    "([10.%d.%d.1])\n\tby mx.honeypot.test; Tue, 26 Nov 2024 "
		    "19:00:00 +0000\n", i, i / 256, i % 256), 0);
	assert_int_equal(buf_appendf(&b, "Subject: hops\n\nbody\n"), 0);
	import_string(b.data, b.len, &m);
	p = m.headers;
	for (i = 0; i < 2000; i++) {
		snprintf(want, sizeof(want), "Received: from h%d ([10.%d.%d.1])"
		    "\tby mx.honeypot.test; Tue, 26 Nov 2024 19:00:00 +0000\n",
		    i, i / 256, i % 256);
		assert_memory_equal(p, want, strlen(want));
		p += strlen(want);
	}
	assert_string_equal(p, "Subject: hops\n");
	assert_string_equal(m.subject, "hops");
	mime_message_clear(&m);
	buf_release(&b);
}

/* One header line of 1 MB, and the body after it still found. */
static void
test_long_header_line(void **state)
{
	struct buf b = { NULL, 0, 0 };
	struct mime_message m;
	size_t n = 1024 * 1024;
	char *line;

	line = malloc(n + 1);
	assert_non_null(line);
	memset(line, 'x', n);
	line[n] = '\0';
	assert_int_equal(buf_appendf(&b, "X-Junk: %s\nSubject: long\n\n"
	    "the text\n", line), 0);
	import_string(b.data, b.len, &m);
	assert_int_equal(strncmp(m.headers, "X-Junk: ", 8), 0);
	assert_memory_equal(m.headers + 8, line, n);
	assert_string_equal(m.headers + 8 + n, "\nSubject: long\n");
	assert_int_equal(m.ntexts, 1);
	assert_string_equal(m.texts[0], "the text\n");
	mime_message_clear(&m);
	buf_release(&b);
	free(line);
}

/* Multiparts inside multiparts, the text at the bottom. */
static void
nested(int levels, struct mime_message *m)
{
	struct buf b = { NULL, 0, 0 };
	int i;

	assert_int_equal(buf_appendf(&b, "Subject: deep\nContent-Type: "
	    "multipart/mixed; boundary=b0\n\n"), 0);
	for (i = 0; i < levels; i++)
		assert_int_equal(buf_appendf(&b, "--b%d\nContent-Type: "
		    "multipart/mixed; boundary=b%d\n\n", i, i + 1), 0);
	assert_int_equal(buf_appendf(&b, "--b%d\nContent-Type: text/plain\n\n"
	    "deep text http://deep.example.com/\n", levels), 0);
	import_string(b.data, b.len, m);
	buf_release(&b);
}

static void
test_deep_nesting(void **state)
{
	struct mime_message m;

	nested(100, &m);
	assert_int_equal(m.ntexts, 1);
	assert_string_equal(m.texts[0], "deep text http://deep.example.com/\n");
	mime_message_clear(&m);
	/* Deeper than GMime goes: the rest is parsed again, not lost. */
	nested(1500, &m);
	assert_true(any_has(m.texts, m.ntexts, "deep text"));
	mime_message_clear(&m);
	/* Deeper than anything walks: no crash, no unbounded recursion. */
	nested(5000, &m);
	mime_message_clear(&m);
}

/* 1 MB of text inside attached messages or multiparts that lost their
 * boundaries, levels deep. */
static char *
nested_around(int multipart, int levels, size_t *len)
{
	struct buf b = { NULL, 0, 0 };
	int i;

	assert_int_equal(buf_appendf(&b, "%s", multipart ? "Content-Type: "
	    "multipart/mixed; boundary=top\n\n" : "Subject: outer\n"), 0);
	for (i = 0; i < levels; i++)
		assert_int_equal(multipart ? buf_appendf(&b, "--b%d\n"
		    "Content-Type: multipart/mixed; boundary=n%d\n\n", i, i) :
		    buf_appendf(&b, "Content-Type: message/rfc822\n\n"
		    "Subject: level %d\n", i), 0);
	assert_int_equal(buf_append(&b, "\n", multipart ? 0 : 1), 0);
	for (i = 0; i < 15000; i++)
		assert_int_equal(buf_appendf(&b, "filler line %05d of the "
		    "innermost text, some seventy bytes\n", i), 0);
	assert_int_equal(buf_append(&b, "", 1), 0);
	*len = b.len - 1;
	return b.data;
}

static long
peak_rss_kb(void)
{
	struct rusage ru;

	assert_int_equal(getrusage(RUSAGE_SELF, &ru), 0);
	return ru.ru_maxrss;
}

/*
 * Each level of nesting holds all the levels below it. Listing every
 * attached message as an attachment, or parsing every multipart that lost
 * its boundary again, made 1 MB nested 600 deep cost 600 MB (and a
 * message of 10 MB gigabytes). GMime stops at fewer attached messages. Now it costs a few times the message, and
 * the text at the bottom is still found.
 */
static void
test_nesting_cost(void **state)
{
	struct mime_message m;
	size_t i, len, total = 0;
	long before = peak_rss_kb();
	char *eml;

	eml = nested_around(0, 300, &len);
	import_string(eml, len, &m);
	assert_true(any_has(m.texts, m.ntexts, "filler line 14999 "));
	assert_true(m.natts > 0);
	for (i = 0; i < m.natts; i++)
		total += m.atts[i].size;
	assert_true(total <= 4 * len + 1024 * 1024);
	mime_message_clear(&m);
	free(eml);

	eml = nested_around(1, 600, &len);
	import_string(eml, len, &m);
	assert_true(any_has(m.texts, m.ntexts, "filler line 14999 "));
	mime_message_clear(&m);
	free(eml);
	/* Far below the 600 MB it was, above what ASan's quarantine keeps. */
	assert_true(peak_rss_kb() - before < 400 * 1024);
}

/* Random bytes and random damage to a real message never crash it. */
static void
test_random_bytes(void **state)
{
	struct mime_message m;
	unsigned char buf[4096];
	uint32_t seed = 4242;
	size_t round, i, n, len;
	char *eml;

	eml = tu_data_file("mail", "nested", ".eml", &len);
	for (round = 0; round < 300; round++) {
		n = round < 150 ? round * 27 % sizeof(buf) :
		    (len < sizeof(buf) ? len : sizeof(buf));
		if (round >= 150)
			memcpy(buf, eml, n);
		for (i = 0; i < (round < 150 ? n : 40); i++) {
			seed = seed * 1103515245 + 12345;
			buf[round < 150 ? i : (seed >> 4) % n] =
			    (unsigned char)(seed >> 16);
		}
		import_string((const char *)buf, n, &m);
		mime_message_clear(&m);
	}
	free(eml);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TU_GOLDEN_MAIL(run_golden),
		TU_GOLDEN("split2022jp", run_golden),
		TU_GOLDEN("splitgb2312", run_golden),
		TU_GOLDEN("korean2231", run_golden),
		TU_GOLDEN("rawkoi8", run_golden),
		TU_GOLDEN("rawsjis", run_golden),
		TU_GOLDEN("wordspace", run_golden),
		cmocka_unit_test(test_subjects),
		cmocka_unit_test(test_subjects_again),
		cmocka_unit_test(test_no_subject),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_huge_subject),
		cmocka_unit_test(test_many_words),
		cmocka_unit_test(test_words_unended),
		cmocka_unit_test(test_headers_unended),
		cmocka_unit_test(test_many_received),
		cmocka_unit_test(test_long_header_line),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_nesting_cost),
		cmocka_unit_test(test_random_bytes),
	};
	int rc;

	mime_init();
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	g_mime_shutdown();
	return rc;
}
