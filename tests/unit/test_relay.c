/*
 * test_relay: the analyzer's side of the relay. The probe rules
 * (relay_decide.c): the sensor's address dotted, in hex and in decimal,
 * never inside a longer number; its host name; the credentials of the
 * session; the conditions a probe must meet. The limits: the hour, the
 * client, a recipient's cool-down, the campaign, a history read back. The
 * queue file and the relay's outcome file (relayq.c): written and read
 * back, hostile files refused. The
 * Received lines of the personas (received.c).
 */
#include "autoconf.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "conf.h"
#include "mime.h"
#include "received.h"
#include "relay_decide.h"
#include "relayq.h"
#include "spool_read.h"

static struct config cf;

static void
setup_conf(const char *extra)
{
	char err[CONF_ERR_MAX], text[1024];

	conf_clear(&cf);
	snprintf(text, sizeof(text), "hostname = mx.example.net\n"
	    "relay = dry-run\nrelay_address = 192.0.2.25\n%s", extra);
	assert_int_equal(conf_parse_buffer(&cf, "t.conf", text, strlen(text),
	    err, sizeof(err)), 0);
}

/* A session of one message to RCPT whose text is TEXT. */
struct fixture {
	struct spool_session	 s;
	struct spool_message	 m[2];
	struct spool_str	 rcpt[2];
	struct spool_auth	 auth;
	struct mime_message	 mm;
	char			*texts[1];
};

static void
fixture(struct fixture *f, const char *rcpt, const char *subject,
    const char *text)
{
	memset(f, 0, sizeof(*f));
	snprintf(f->s.client_ip, sizeof(f->s.client_ip), "198.51.100.7");
	snprintf(f->s.server_ip, sizeof(f->s.server_ip), "10.0.0.5");
	f->rcpt[0].p = (char *)rcpt;
	f->rcpt[0].len = strlen(rcpt);
	f->m[0].n = 1;
	f->m[0].rcpts = f->rcpt;
	f->m[0].nrcpts = 1;
	f->m[0].body_len = 100;
	f->s.msgs = f->m;
	f->s.nmsgs = 1;
	f->mm.subject = (char *)subject;
	f->texts[0] = (char *)text;
	f->mm.texts = f->texts;
	f->mm.ntexts = 1;
}

static const char *
decide(struct relay_limits *rl, struct fixture *f, size_t i)
{
	static char out[128];
	struct relay_decision d;

	relay_decide(rl, &f->s, i, &f->mm, 0, NULL, NULL, &d);
	snprintf(out, sizeof(out), "%s %s %s", d.verdict, d.rule ? d.rule :
	    "-", d.reason ? d.reason : "-");
	return out;
}

static void
test_address_forms(void **state)
{
	static const struct {
		const char	*subject, *text, *want;
	} t[] = {
		{ "test 192.0.2.25", "", "dry-run address -" },
		{ "x", "relay: 192.0.2.25.", "dry-run address -" },
		{ "x", "hex C0000219 ok", "dry-run address -" },
		{ "x", "hex 0xc0000219", "dry-run address -" },
		{ "x", "dec 3221226009", "dry-run address -" },
		{ "x", "192.0.2.250", "not-probe - no-marker" },
		{ "x", "10.192.0.2.25", "not-probe - no-marker" },
		{ "x", "1192.0.2.25", "not-probe - no-marker" },
		{ "x", "c0000219a", "not-probe - no-marker" },
		{ "x", "32212260090", "not-probe - no-marker" },
		{ "x", "open relay at MX.Example.NET!", "dry-run hostname -" },
		{ "x", "smx.example.net", "not-probe - no-marker" },
		{ "x", "mx.example.network", "not-probe - no-marker" },
	};
	struct relay_limits *rl;
	struct fixture f;
	char rcpt[32];
	size_t i;

	(void)state;
	setup_conf("relay_limit_hour = 1000\nrelay_limit_day = 1000\n"
	    "relay_limit_client = 1000\nrelay_limit_domain = 1000\n"
	    "relay_limit_campaign = 1000\n");
	rl = relay_limits_new(&cf);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(rcpt, sizeof(rcpt), "r%zu@example.org", i);
		fixture(&f, rcpt, t[i].subject, t[i].text);
		assert_string_equal(decide(rl, &f, 0), t[i].want);
	}
	relay_limits_free(rl);
}

static void
test_conditions(void **state)
{
	struct relay_limits *rl;
	struct fixture f;
	struct mime_attachment att;

	(void)state;
	setup_conf("relay_limit_hour = 1000\n");
	rl = relay_limits_new(&cf);
	fixture(&f, "a@example.org", "192.0.2.25", "");
	f.m[0].nrcpts = 2;
	f.rcpt[1] = f.rcpt[0];
	assert_string_equal(decide(rl, &f, 0), "not-probe - recipients");
	fixture(&f, "a@example.org", "192.0.2.25", "");
	f.m[0].body_len = 16385;
	assert_string_equal(decide(rl, &f, 0), "not-probe - size");
	fixture(&f, "a@example.org", "192.0.2.25", "");
	f.m[0].truncated = 1;
	assert_string_equal(decide(rl, &f, 0), "not-probe - size");
	fixture(&f, "a@example.org", "192.0.2.25", "");
	memset(&att, 0, sizeof(att));
	f.mm.atts = &att;
	f.mm.natts = 1;
	assert_string_equal(decide(rl, &f, 0), "not-probe - attachment");
	fixture(&f, "a@example.org", "192.0.2.25", "");
	f.m[1] = f.m[0];
	f.s.nmsgs = 2;
	assert_string_equal(decide(rl, &f, 1), "not-probe - not-first");
	/* no relay_address: the address the client connected to */
	setup_conf("relay_limit_hour = 1000\n");
	free(cf.relay_address);
	cf.relay_address = strdup("");
	fixture(&f, "b@example.org", "10.0.0.5 works", "");
	assert_string_equal(decide(rl, &f, 0), "dry-run address -");
	relay_limits_free(rl);
}

static void
test_credentials(void **state)
{
	struct relay_limits *rl;
	struct fixture f;

	(void)state;
	setup_conf("");
	rl = relay_limits_new(&cf);
	fixture(&f, "a@example.org", "x",
	    "10.0.0.5|25|admin|Secret99");
	f.auth.user.p = (char *)"admin";
	f.auth.user.len = 5;
	f.auth.pass.p = (char *)"Secret99";
	f.auth.pass.len = 8;
	f.s.auths = &f.auth;
	f.s.nauths = 1;
	assert_string_equal(decide(rl, &f, 0), "dry-run credentials -");
	/* too short to tell: "abc" is in much text */
	fixture(&f, "b@example.org", "x", "abc abc");
	f.auth.user.p = (char *)"abc";
	f.auth.user.len = 3;
	f.auth.pass.p = (char *)"abc";
	f.auth.pass.len = 3;
	f.s.auths = &f.auth;
	f.s.nauths = 1;
	assert_string_equal(decide(rl, &f, 0), "not-probe - no-marker");
	relay_limits_free(rl);
}

static void
test_limits(void **state)
{
	struct relay_limits *rl;
	struct fixture f;
	char rcpt[32];
	int i;

	(void)state;
	setup_conf("relay_limit_hour = 3\nrelay_limit_client = 2\n"
	    "relay_limit_campaign = 100\n");
	rl = relay_limits_new(&cf);
	fixture(&f, "a@example.org", "192.0.2.25", "");
	assert_string_equal(decide(rl, &f, 0), "dry-run address -");
	assert_string_equal(decide(rl, &f, 0), "refused address recipient");
	fixture(&f, "b@example.org", "192.0.2.25", "");
	assert_string_equal(decide(rl, &f, 0), "dry-run address -");
	fixture(&f, "c@example.org", "192.0.2.25", "");
	assert_string_equal(decide(rl, &f, 0), "refused address client");
	snprintf(f.s.client_ip, sizeof(f.s.client_ip), "203.0.113.9");
	assert_string_equal(decide(rl, &f, 0), "dry-run address -");
	fixture(&f, "d@example.org", "192.0.2.25", "");
	snprintf(f.s.client_ip, sizeof(f.s.client_ip), "203.0.113.10");
	assert_string_equal(decide(rl, &f, 0), "refused address hour");
	relay_limits_free(rl);

	/* a history read back: two hours old counts for the day only */
	setup_conf("relay_limit_hour = 1\nrelay_limit_day = 2\n");
	rl = relay_limits_new(&cf);
	assert_int_equal(relay_limits_add(rl, 7200, "x", "y@example.org",
	    "example.org", "k"), 0);
	fixture(&f, "e@example.com", "192.0.2.25", "");
	assert_string_equal(decide(rl, &f, 0), "dry-run address -");
	fixture(&f, "f@example.com", "192.0.2.25", "");
	snprintf(f.s.client_ip, sizeof(f.s.client_ip), "203.0.113.11");
	assert_string_equal(decide(rl, &f, 0), "refused address hour");
	relay_limits_free(rl);

	/* the campaign: the first copies, then its limit */
	setup_conf("relay_per_campaign = 2\nrelay_limit_campaign = 1\n"
	    "relay_limit_client = 100\nrelay_limit_hour = 100\n");
	rl = relay_limits_new(&cf);
	for (i = 0; i < 3; i++) {
		snprintf(rcpt, sizeof(rcpt), "c%d@example.%d", i, i);
		fixture(&f, rcpt, "Win 1000 dollars", "");
		f.mm.subject = i == 1 ? "WIN  2000 Dollars" : "Win 1000 dollars";
		assert_string_equal(decide(rl, &f, 0), i == 0 ?
		    "dry-run campaign -" : i == 1 ? "refused campaign campaign" :
		    "not-probe - no-marker");
	}
	relay_limits_free(rl);
}

static void
test_queue_file(void **state)
{
	struct relayq_item it, back;
	struct buf b = { 0 };
	char err[128];
	unsigned char *copy;

	(void)state;
	memset(&it, 0, sizeof(it));
	snprintf(it.id, sizeof(it.id), "20261204T101010.123456Z_1.2.3.4_ab.1");
	snprintf(it.rule, sizeof(it.rule), "address");
	snprintf(it.client, sizeof(it.client), "1.2.3.4");
	snprintf(it.from, sizeof(it.from), "odd sender\n@x");
	snprintf(it.rcpt, sizeof(it.rcpt), "r@example.org");
	it.data = (const unsigned char *)"Subject: x\r\n\r\n.\r\n\0z";
	it.size = 20;
	assert_int_equal(relayq_write(&b, &it), 0);
	assert_int_equal(relayq_read((unsigned char *)b.data, b.len, &back,
	    err, sizeof(err)), 0);
	assert_string_equal(back.id, it.id);
	assert_string_equal(back.from, "odd sender\n@x");
	assert_string_equal(back.rcpt, it.rcpt);
	assert_int_equal(back.size, 20);
	assert_memory_equal(back.data, it.data, 20);
	/* a byte more or less than its size says */
	assert_int_equal(relayq_read((unsigned char *)b.data, b.len - 1,
	    &back, err, sizeof(err)), -1);
	copy = malloc(b.len + 1);
	memcpy(copy, b.data, b.len);
	copy[b.len] = 'x';
	assert_int_equal(relayq_read(copy, b.len + 1, &back, err,
	    sizeof(err)), -1);
	free(copy);
	buf_release(&b);
	/* ids that would leave the queue's directory */
	assert_int_equal(relayq_valid_id("../x"), 0);
	assert_int_equal(relayq_valid_id("a/b"), 0);
	assert_int_equal(relayq_valid_id(".hidden"), 0);
	assert_int_equal(relayq_valid_id("20261204T1_::1_ab.1"), 1);
	/* a NUL in a field, an empty recipient */
	buf_appendf(&b, "spampot-relay 1\nid a\nrule r\nclient c\n"
	    "from x\\x00y\nrcpt r\nsize 0\n");
	assert_int_equal(relayq_read((unsigned char *)b.data, b.len, &back,
	    err, sizeof(err)), -1);
	buf_release(&b);
	buf_appendf(&b, "spampot-relay 1\nid a\nrule r\nclient c\n"
	    "from x\nrcpt \nsize 0\n");
	assert_int_equal(relayq_read((unsigned char *)b.data, b.len, &back,
	    err, sizeof(err)), -1);
	buf_release(&b);
}

static void
test_outcome_file(void **state)
{
	struct relayq_result r, back;
	struct buf b = { 0 };
	char err[128];

	(void)state;
	memset(&r, 0, sizeof(r));
	snprintf(r.id, sizeof(r.id), "20261204T101010.123456Z_1.2.3.4_ab.1");
	snprintf(r.status, sizeof(r.status), "sent");
	r.attempts = 3;
	r.first = 1764842400;
	r.last = 1764842460;
	r.code = 250;
	snprintf(r.smarthost, sizeof(r.smarthost), "127.0.0.1:2525");
	snprintf(r.reply, sizeof(r.reply), "250 2.0.0 Ok: queued as 4Qx1\r\n");
	snprintf(r.queue_id, sizeof(r.queue_id), "4Qx1");
	r.data = (const unsigned char *)"Received: x\r\n\r\nbody\r\n";
	r.size = strlen((const char *)r.data);
	assert_int_equal(relayq_result_write(&b, &r), 0);
	assert_int_equal(relayq_result_read((unsigned char *)b.data, b.len,
	    &back, err, sizeof(err)), 0);
	assert_string_equal(back.status, "sent");
	assert_int_equal(back.attempts, 3);
	assert_int_equal(back.code, 250);
	assert_true(back.first == 1764842400 && back.last == 1764842460);
	/* a reply's spaces and line end come back as they were */
	assert_string_equal(back.reply, r.reply);
	assert_string_equal(back.queue_id, "4Qx1");
	assert_int_equal(back.size, 21);
	assert_memory_equal(back.data, r.data, 21);
	/* cut short, or a byte more than its size says */
	assert_int_equal(relayq_result_read((unsigned char *)b.data,
	    b.len - 1, &back, err, sizeof(err)), -1);
	buf_release(&b);
	buf_appendf(&b, "spampot-relay-result 1\nid ../x\nstatus sent\n");
	assert_int_equal(relayq_result_read((unsigned char *)b.data, b.len,
	    &back, err, sizeof(err)), -1);
	buf_release(&b);
}

static void
test_received(void **state)
{
	struct received_fields rf = { "mx.example.net", "bot.example",
	    "198.51.100.7", "4Qx1Yz2hTz3", "s@example.org", "r@example.com",
	    1764842400 };
	struct buf b = { 0 };

	(void)state;
	assert_int_equal(received_line(&b, "postfix-debian", &rf), 0);
	assert_int_equal(buf_append(&b, "", 1), 0);
	assert_string_equal(b.data, "Received: from bot.example (bot.example "
	    "[198.51.100.7])\r\n\tby mx.example.net (Postfix) with ESMTP id "
	    "4Qx1Yz2hTz3\r\n\tfor <r@example.com>; Thu, 04 Dec 2025 10:00:00 "
	    "+0000 (UTC)\r\n");
	buf_release(&b);
	rf.queue_id = "1xZRvx-0002N9-1e";
	rf.helo = "evil\r\nX-Injected: 1";
	assert_int_equal(received_line(&b, "exim-debian", &rf), 0);
	assert_int_equal(buf_append(&b, "", 1), 0);
	assert_string_equal(b.data, "Received: from [198.51.100.7] "
	    "(helo=evil??X-Injected: 1)\r\n\tby mx.example.net with esmtp "
	    "(Exim 4.96)\r\n\t(envelope-from <s@example.org>)\r\n\tid "
	    "1xZRvx-0002N9-1e\r\n\tfor r@example.com; Thu, 04 Dec 2025 "
	    "10:00:00 +0000 (UTC)\r\n");
	buf_release(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_address_forms),
		cmocka_unit_test(test_conditions),
		cmocka_unit_test(test_credentials),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_queue_file),
		cmocka_unit_test(test_outcome_file),
		cmocka_unit_test(test_received),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	conf_clear(&cf);
	return rc;
}
