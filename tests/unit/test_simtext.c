/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * test_simtext: the normalised text of realistic and hostile messages,
 * and its digests against values the libraries give on their own.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "mime.h"
#include "simtext.h"

/* A message of one text part, one HTML part, or both (NULL: none). */
static char *
norm(const char *subject, const char *text, const char *html,
    const char *const *rcpts, size_t nrcpts)
{
	struct mime_message m;
	char *texts[1], *htmls[1], *s;

	memset(&m, 0, sizeof(m));
	m.subject = (char *)subject;
	texts[0] = (char *)text;
	htmls[0] = (char *)html;
	m.texts = texts;
	m.ntexts = text != NULL;
	m.htmls = htmls;
	m.nhtmls = html != NULL;
	s = simtext_normalize(&m, rcpts, nrcpts);
	assert_non_null(s);
	assert_true(g_utf8_validate(s, -1, NULL));
	return s;
}

static void
expect_norm(const char *text, const char *html, const char *want)
{
	char *s = norm(NULL, text, html, NULL, 0);

	assert_string_equal(s, want);
	free(s);
}

/* Two copies of one phishing run, as two different victims got them. */
static const char phish_a[] =
    "Dear John Smith,\r\n"
    "\r\n"
    "Your mailbox john.smith@victim-a.com has exceeded its quota of "
    "2048 MB on 03/14/2025 at 10:42.\r\n"
    "-----------------------------------------\r\n"
    "To keep receiving mail, verify your account within 24 hours:\r\n"
    "https://login.secure-mail-check.com/verify?u=am9obi5zbWl0aA&t=8f3a9c21e7\r\n"
    "Reference: a8f3bb21c9d04e7f1234\r\n"
    "Case 1-800-555-0199, order #448812, total $1,299.99\r\n"
    "\r\n"
    "Regards, Mail Administrator\r\n";
static const char phish_b[] =
    "Dear Mary Jones,\n"
    "Your mailbox mary.jones@other-b.org has exceeded its quota of "
    "1024 MB on 11/02/2025 at 09:07.\n"
    "*****\n"
    "To  keep receiving mail,   verify your account within 48 hours:\n"
    "http://www.secure-mail-check.com/v/x?id=99187&utm_source=spam\n"
    "Reference: ZX81kq0LmT77abQp\n"
    "Case 1-877-555-0123, order #90210, total $89.50\n"
    "Regards, Mail Administrator\n";

static void
test_phishing_copies(void **state)
{
	const char *ra[] = { "john.smith@victim-a.com" };
	const char *rb[] = { "<Mary.Jones+news@other-b.org>" };
	struct simtext_digest da, db;
	char *a, *b;

	(void)state;
	a = norm("Mailbox full", phish_a, NULL, ra, 1);
	b = norm("Mailbox full", phish_b, NULL, rb, 1);
	assert_string_equal(a,
	    "dear ~ ~,\n"
	    "your mailbox @ has exceeded its quota of # mb on # at #.\n"
	    "to keep receiving mail, verify your account within # hours:\n"
	    "secure-mail-check.com\n"
	    "reference: %\n"
	    "case #, order ##, total $#\n"
	    "regards, mail administrator");
	assert_string_equal(a, b);
	assert_int_equal(simtext_digest(a, strlen(a), &da), 0);
	assert_int_equal(simtext_digest(b, strlen(b), &db), 0);
	assert_int_equal(strlen(da.template), 64);
	assert_string_equal(da.template, db.template);
	free(a);
	free(b);
}

/* The same words as HTML read the same as the plain text. */
static void
test_html_as_text(void **state)
{
	const char *text =
	    "Hello,\nYour parcel is waiting. Pay the fee of 2.99 EUR:\n"
	    "https://track.parcel-fee.net/p/77a\nThanks & good day\n";
	const char *html =
	    "<!DOCTYPE html><html><head><title>Parcel</title>\n"
	    "<style>p { color: red }</style>\n"
	    "<script>var t = 'hidden text';</script></head>\n<body>"
	    "<p>Hel<b>lo</b>,</p>\n<div>Your parcel is\n  waiting. "
	    "Pay the fee of <span>2.99</span>&nbsp;EUR:<br>"
	    "<a href=\"https://track.parcel-fee.net/p/77a\">"
	    "https://track.parcel-fee.net/p/8c1</a></div>"
	    "<!-- a comment with words --><p>Thanks &amp; good day</p>"
	    "</body></html>";
	char *a, *b;

	(void)state;
	a = norm(NULL, text, NULL, NULL, 0);
	b = norm(NULL, NULL, html, NULL, 0);
	assert_string_equal(a, "hello,\nyour parcel is waiting. pay the fee "
	    "of # eur:\nparcel-fee.net\nthanks & good day");
	assert_string_equal(a, b);
	free(a);
	free(b);
}

static void
test_entities(void **state)
{
	(void)state;
	expect_norm(NULL, "a &amp; b &lt;c&gt; &quot;d&quot; &#65;&#x42;"
	    "&#X43; e&nbsp;f &eacute;t&eacute; &euro;&hellip; &bogus; &#;",
	    "a & b <c> \"d\" abc e f été €… &bogus; &#;");
	/* out of range and NUL references are U+FFFD, as in a browser */
	expect_norm(NULL, "x &#0; &#x110000; &#xD800; y",
	    "x \xef\xbf\xbd \xef\xbf\xbd \xef\xbf\xbd y");
}

static void
test_invisible(void **state)
{
	(void)state;
	/* U+200B, U+00AD, U+FEFF, U+200C, U+200D, U+2060 */
	expect_norm("Pay\xe2\x80\x8bPal ac\xc2\xad" "count \xef\xbb\xbflogin "
	    "ve\xe2\x80\x8cri\xe2\x80\x8d" "fy\xe2\x81\xa0now", NULL,
	    "paypal account login verifynow");
	expect_norm(NULL, "Pay&#8203;Pal&zwnj; se&shy;cure", "paypal secure");
	/* a word of invisible characters only is no word */
	expect_norm("a \xe2\x80\x8b\xe2\x80\x8b b", NULL, "a b");
}

static void
test_hash_busters(void **state)
{
	(void)state;
	expect_norm("id a8f3bb21c9d04e7f ZX81kq0LmT77abQp "
	    "550e8400-e29b-41d4-a716-446655440000 QmFzZTY0VGV4dE9ubHlMZXR0ZXJz "
	    "x7 winner2025 account-verification supercalifragilistic", NULL,
	    "id % % % % x# winner# account-verification "
	    "supercalifragilistic");
	/* a word longer than any real word: junk */
	expect_norm("see aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa here", NULL,
	    "see aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa here");
}

static void
test_numbers_urls_mail(void **state)
{
	(void)state;
	expect_norm("Call +1 (555) 123-4567 on 2025-03-14 10:30, pay "
	    "\xe2\x82\xac" "1.299,00 or 12,50 USD; 3rd try; "
	    "\xd9\xa3\xd9\xa4 arabic", NULL,
	    "call +# (#) # on # #, pay €# or # usd; #rd try; # arabic");
	expect_norm("Go to www.Example.CO.UK/path?x=1, http://user@203.0.113.9:8080/a "
	    "or (https://sub.shop.example.com/?r=1). Write to "
	    "<Sales@Example.com> or mailto:x@y.org now", NULL,
	    "go to example.co.uk, url or (example.com). write to <@> or @ now");
	expect_norm("Link:https://bit.ly/3xYz and awww.example", NULL,
	    "link:bit.ly and awww.example");
}

static void
test_recipient_names(void **state)
{
	const char *r[] = { "j.doe42@corp.example.com", "Anna-Lena@x.org" };
	char *s;

	(void)state;
	s = norm(NULL, "Hi J.Doe42, Doe's file for ANNA-LENA, lena and "
	    "anna at corp.example.com, example.com and "
	    "https://corp.example.com/x; doe-nut jdoe", NULL, r, 2);
	assert_string_equal(s, "hi ~, ~'s file for ~, ~ and ~ at ~, ~ and "
	    "~; ~-nut jdoe");
	free(s);
}

static void
test_case_and_space(void **state)
{
	(void)state;
	expect_norm("\xc3\x89" "COLE \xce\x91\xce\x92\xce\x93 "
	    "\xd0\x9f\xd0\xa0\xd0\x98\xd0\x92\xd0\x95\xd0\xa2\t\t "
	    "\xc3\x84PFEL\r\n\r\n  \r\n === \r\n-- \r\n * * *\r\nEnd  .  ",
	    NULL, "\xc3\xa9" "cole \xce\xb1\xce\xb2\xce\xb3 "
	    "\xd0\xbf\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82 "
	    "\xc3\xa4pfel\nend .");
	/* U+00A0, U+2003, U+3000 separate words */
	expect_norm("a\xc2\xa0" "b\xe2\x80\x83" "c\xe3\x80\x80" "d", NULL,
	    "a b c d");
}

static void
test_empty_and_subject(void **state)
{
	char *s;

	(void)state;
	s = norm(NULL, NULL, NULL, NULL, 0);
	assert_string_equal(s, "");
	free(s);
	s = norm("Your Order #12345 Is READY", NULL, NULL, NULL, 0);
	assert_string_equal(s, "your order ## is ready");
	free(s);
	/* text without a letter or digit is no text: the subject */
	s = norm("Re: Offer", "---\n\xe2\x80\x8b\n<>\n", "<p> </p><br>",
	    NULL, 0);
	assert_string_equal(s, "re: offer");
	free(s);
	s = norm("", "  \n", NULL, NULL, 0);
	assert_string_equal(s, "");
	free(s);
}

/* 10 MB of one character, of short words; 100,000 nested tags. */
static void
test_hostile(void **state)
{
	size_t n = 10 * 1024 * 1024, i, depth = 100000;
	char *big, *s, *p;

	(void)state;
	big = malloc(n + 1);
	assert_non_null(big);
	memset(big, 'a', n);
	big[n] = '\0';
	s = norm(NULL, big, NULL, NULL, 0);
	assert_string_equal(s, "%");
	free(s);
	for (i = 0; i < n; i += 2)
		memcpy(big + i, i % 200 == 0 ? "\n" "b" : "b ", 2);
	s = norm(NULL, big, NULL, NULL, 0);
	assert_true(strlen(s) <= 256 * 1024);
	assert_true(strlen(s) > 250 * 1024);
	free(s);
	/* an unclosed <script> hides the rest, an unclosed tag too */
	s = norm(NULL, NULL, "visible<script>x = '<b>'; alert(1)", NULL, 0);
	assert_string_equal(s, "visible");
	free(s);
	s = norm(NULL, NULL, "shown <a href='x", NULL, 0);
	assert_string_equal(s, "shown");
	free(s);
	p = big;
	for (i = 0; i < depth; i++, p += 5)
		memcpy(p, "<div>", 5);
	memcpy(p, "deep", 4);
	p += 4;
	for (i = 0; i < depth; i++, p += 6)
		memcpy(p, "</div>", 6);
	*p = '\0';
	s = norm(NULL, NULL, big, NULL, 0);
	assert_string_equal(s, "deep");
	free(s);
	free(big);
}

/* Odd but valid code points come out as valid UTF-8, folded or kept. */
static void
test_odd_code_points(void **state)
{
	char *s;

	(void)state;
	/* U+10FFFF, U+E000, U+FFFD, e + U+0301, U+1F600, a ZWJ family
	 * (its joiner dropped), U+0130 (simple folding: "i"), U+1E9E */
	s = norm(NULL, "x \xf4\x8f\xbf\xbf \xee\x80\x80 \xef\xbf\xbd e\xcc\x81 "
	    "\xf0\x9f\x98\x80 \xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9 "
	    "\xc4\xb0 \xe1\xba\x9e", NULL, NULL, 0);
	assert_true(g_utf8_validate(s, -1, NULL));
	assert_string_equal(s, "x \xf4\x8f\xbf\xbf \xee\x80\x80 "
	    "\xef\xbf\xbd e\xcc\x81 \xf0\x9f\x98\x80 "
	    "\xf0\x9f\x91\xa8\xf0\x9f\x91\xa9 i \xc3\x9f");
	free(s);
}

/* libtlsh 3.4.4 on its own (a separate C++ program) and the ssdeep
 * command (2.14.1) gave these for this 978-byte text. */
static const char known_text[] =
    "dear customer,\nwe noticed unusual sign-in activity on your account "
    "from a new device in lagos, nigeria. for your protection we have "
    "temporarily limited access to online banking, bill payments and card "
    "transfers. to restore full access you must verify your identity "
    "within # hours by following the secure link below and confirming "
    "your personal details, card number, expiry date and security code.\n"
    "secure-verify.example.com\nif you do not complete the verification "
    "your account will be permanently suspended and any pending "
    "transactions will be cancelled. we apologise for any inconvenience "
    "this may cause and thank you for helping us keep your money safe.\n"
    "sincerely,\nthe security team\nthis message was sent to @ because "
    "you are a registered customer. please do not reply to this e-mail, "
    "the mailbox is not monitored. for help, call our support line at # "
    "(monday to friday, # to #) or visit any branch. copyright # all "
    "rights reserved. unsubscribe | privacy policy | terms of use\n";
#define KNOWN_TLSH \
    "2111611ECB48312505C3225279CE05BBE18FB06837E61B56AC78111C336470CB3794A9"
#define KNOWN_SSDEEP \
    "24:VeM7kJ2f0lr5m0me4nIV3L4fdXXu1Mq9Ug6RnKE:YK1czmVn6UdO1MK1knKE"

static void
test_digests(void **state)
{
	struct simtext_digest d, e;
	char buf[4096];
	size_t i;

	(void)state;
	assert_int_equal(strlen(known_text), 978);
	assert_int_equal(simtext_digest(known_text, strlen(known_text), &d),
	    0);
	assert_string_equal(d.tlsh, KNOWN_TLSH);
	assert_string_equal(d.ssdeep, KNOWN_SSDEEP);
	assert_int_equal(simtext_digest(known_text, strlen(known_text), &e),
	    0);
	assert_memory_equal(&d, &e, sizeof(d));
	assert_int_equal(simtext_tlsh_distance(d.tlsh, e.tlsh), 0);
	assert_int_equal(simtext_tlsh_distance("T1" KNOWN_TLSH, d.tlsh), 0);
	assert_int_equal(simtext_tlsh_distance(d.tlsh, "00zz"), -1);
	assert_int_equal(simtext_tlsh_distance(d.tlsh, ""), -1);

	/* nothing: no digest at all */
	assert_int_equal(simtext_digest("", 0, &d), 0);
	assert_string_equal(d.template, "");
	assert_string_equal(d.tlsh, "");
	assert_string_equal(d.ssdeep, "");
	/* under 256 bytes: no TLSH, but a template and an ssdeep */
	assert_int_equal(simtext_digest(known_text, 255, &d), 0);
	assert_string_equal(d.tlsh, "");
	assert_int_equal(strlen(d.template), 64);
	assert_true(d.ssdeep[0] != '\0');
	assert_int_equal(simtext_digest(known_text, 256, &d), 0);
	assert_int_equal(strlen(d.tlsh), 70);
	/* long enough but too uniform */
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = "abcdefghij"[i % 10];
	assert_int_equal(simtext_digest(buf, sizeof(buf), &d), 0);
	assert_string_equal(d.tlsh, "");
	/* the template is SHA-256 of the text */
	assert_int_equal(simtext_digest("abc", 3, &d), 0);
	assert_string_equal(d.template, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
}

/* Hidden HTML (hash busters a reader never sees) is dropped, nesting
 * counted; visible white-on-colour text stays. */
static void
test_hidden_html(void **state)
{
	(void)state;
	expect_norm(NULL, "<p>Buy now<span style=\"display: none\">zq "
	    "<span>xx</span> kw</span> today</p>", "buy now today");
	expect_norm(NULL, "<div style='font-size:1px;color:#FFFFFF'>a b c"
	    "</div>Hello", "hello");
	expect_norm(NULL, "<div style=\"visibility:hidden\"><div>a</div>"
	    "<div>b</div>c</div>Hi<div>there</div>", "hi\nthere");
	expect_norm(NULL, "<p style=\"color:#fff\">white</p>x",
	    "x");
	expect_norm(NULL, "<a style=\"background-color:#0070c0;color:#ffffff\""
	    ">Sign in</a>", "sign in");
	expect_norm(NULL, "<p style=\"background-color:#fff\">seen</p>",
	    "seen");
	expect_norm(NULL, "<img style=\"display:none\" src=x>shown",
	    "shown");
	expect_norm(NULL, "a<span style=\"max-height:0\">never closed",
	    "a");
}

/* Short random tokens and recipients' names. */
static void
test_short_busters(void **state)
{
	char *s;

	(void)state;
	expect_norm("ref x7k2p9 ab12cd covid19 mp3 win10 a1b2", NULL,
	    "ref % % covid# mp# win# a#b#");
	s = norm(NULL, "hi jd83k2x, code jd83k2x", NULL,
	    (const char *const []){ "jd83k2x@example.org" }, 1);
	assert_string_equal(s, "hi ~, code ~");
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_phishing_copies),
		cmocka_unit_test(test_html_as_text),
		cmocka_unit_test(test_hidden_html),
		cmocka_unit_test(test_short_busters),
		cmocka_unit_test(test_entities),
		cmocka_unit_test(test_invisible),
		cmocka_unit_test(test_hash_busters),
		cmocka_unit_test(test_numbers_urls_mail),
		cmocka_unit_test(test_recipient_names),
		cmocka_unit_test(test_case_and_space),
		cmocka_unit_test(test_empty_and_subject),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_odd_code_points),
		cmocka_unit_test(test_digests),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
