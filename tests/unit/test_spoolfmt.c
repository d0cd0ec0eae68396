/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * test_spoolfmt: the spool format (src/common/spoolfmt.c). Every record
 * is written with hostile values (CR, LF, NUL, backslash, DEL, 0xff,
 * spaces, '=', text that looks like another field, empty and long
 * values), parsed back through the reader's table and compared; a whole
 * file of every record goes through the analyzer's spool_read; and the
 * exact bytes of each record are pinned, as spampot-spool(5) shows them.
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
#include "spool_read.h"
#include "spoolfmt.h"

#define STAMP	"2026-11-26T16:11:16.123456Z"
#define LONG_LEN 100000

struct value {
	const char	*p;
	size_t		 len;
};

#define V(s)	{ s, sizeof(s) - 1 }

/* What a client may send in a field; long_value() adds one of LONG_LEN
 * bytes that holds every byte value. */
static const struct value hostile[] = {
	V(""),
	V(" "),
	V("="),
	V("a=b"),
	V("pass=x user=y authzid=z"),
	V("\\"),
	V("\\x41"),
	V("\\x4"),
	V("\r\n"),
	V("\n.\n"),
	V("a\0b"),
	V("\0"),
	V("\x7f"),
	V("\xff\xfe"),
	V("tab\there"),
	V("  two  spaces  "),
	V("caf\xc3\xa9"),
	V("<spammer@example.com>"),
};
#define NHOSTILE	(sizeof(hostile) / sizeof(hostile[0]))

static char *long_buf;

static struct value
value_at(size_t i)
{
	struct value v;
	size_t j;

	if (i < NHOSTILE)
		return hostile[i];
	if (long_buf == NULL) {
		assert_non_null(long_buf = malloc(LONG_LEN));
		for (j = 0; j < LONG_LEN; j++)
			long_buf[j] = (char)(j * 7 + j / 256);
	}
	v.p = long_buf;
	v.len = LONG_LEN;
	return v;
}
#define NVALUES		(NHOSTILE + 1)

static void
assert_bytes(const struct spool_str *s, struct value v)
{
	assert_non_null(s->p);
	assert_int_equal(s->len, v.len);
	assert_memory_equal(s->p, v.p, v.len);
	assert_int_equal(s->p[s->len], '\0');
}

/*
 * The buffer holds one record: one line, ASCII only (no control byte, no
 * byte above 0x7e), ended by its line feed. Parsed into rec, which the
 * caller clears.
 */
static void
parse_one(struct buf *b, int in_data, struct spoolfmt_rec *rec)
{
	char err[512], *line;
	size_t i, n;

	assert_true(b->len > 0);
	assert_int_equal(b->data[b->len - 1], '\n');
	n = b->len - 1;
	for (i = 0; i < n; i++)
		if ((unsigned char)b->data[i] < 0x20 ||
		    (unsigned char)b->data[i] > 0x7e)
			fail_msg("byte 0x%02x at %zu of a record",
			    (unsigned char)b->data[i], i);
	assert_non_null(line = malloc(n + 1));
	memcpy(line, b->data, n);
	line[n] = '\0';
	if (spoolfmt_parse(line, n, in_data, rec, err, sizeof(err)) != 0)
		fail_msg("'%.80s': %s", line, err);
	free(line);
	b->len = 0;
}

static void
assert_golden(struct buf *b, const char *want)
{
	if (b->len != strlen(want) || memcmp(b->data, want, b->len) != 0)
		fail_msg("wrote '%.*s', want '%s'", (int)b->len, b->data, want);
	b->len = 0;
}

/* --- the escape ---------------------------------------------------------- */

static void
test_escape_every_byte(void **state)
{
	static const int flags[] = { 0, SPOOLFMT_ESC_SPACE };
	char src[256], esc[SPOOLFMT_ESCAPED_MAX(256)], back[sizeof(esc)];
	size_t i, k, n;
	ssize_t m;
	int bad;

	for (i = 0; i < 256; i++)
		src[i] = (char)i;
	for (k = 0; k < 2; k++) {
		n = spoolfmt_escape(esc, sizeof(esc), src, 256, flags[k]);
		assert_int_equal(strlen(esc), n);
		for (i = 0; i < n; i++) {
			assert_true(esc[i] >= 0x20 && esc[i] <= 0x7e);
			if (flags[k] & SPOOLFMT_ESC_SPACE)
				assert_true(esc[i] != ' ');
		}
		m = spoolfmt_unescape(back, esc, n, flags[k], &bad);
		assert_int_equal(m, 256);
		assert_memory_equal(back, src, 256);
	}
}

static void
test_escape_golden(void **state)
{
	static const char src[] = "a b\\\r\n\0\x7f\xff=";
	char esc[64];

	spoolfmt_escape(esc, sizeof(esc), src, sizeof(src) - 1, 0);
	assert_string_equal(esc, "a b\\x5c\\x0d\\x0a\\x00\\x7f\\xff=");
	spoolfmt_escape(esc, sizeof(esc), src, sizeof(src) - 1,
	    SPOOLFMT_ESC_SPACE);
	assert_string_equal(esc, "a\\x20b\\x5c\\x0d\\x0a\\x00\\x7f\\xff=");
	spoolfmt_escape(esc, sizeof(esc), "a\\x00\n", 6, SPOOLFMT_ESC_KEEP_BS);
	assert_string_equal(esc, "a\\x00\\x0a");
	/* cut at a whole escape */
	assert_int_equal(spoolfmt_escape(esc, 6, "ab\r", 3, 0), 2);
	assert_string_equal(esc, "ab");
	assert_int_equal(spoolfmt_escape(esc, 0, "ab", 2, 0), 0);
}

static void
test_unescape_refuses(void **state)
{
	static const struct {
		const char	*in;
		int		 flags;
		int		 bad;
	} cases[] = {
		{ "\\q", 0, -1 },
		{ "a\\x4", 0, -1 },
		{ "\\x4g", 0, -1 },
		{ "\\x4A", 0, -1 },	/* lower case only */
		{ "\\X41", 0, -1 },
		{ "\\", 0, -1 },
		{ "a\x01", 0, 1 },
		{ "\t", 0, '\t' },
		{ "\x7f", 0, 0x7f },
		{ "\xc3\xa9", 0, 0xc3 },
		{ "a b", SPOOLFMT_ESC_SPACE, ' ' },
	};
	char out[16];
	size_t i;
	int bad;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bad = 0;
		if (spoolfmt_unescape(out, cases[i].in, strlen(cases[i].in),
		    cases[i].flags, &bad) != -1)
			fail_msg("case %zu: '%s' decoded", i, cases[i].in);
		assert_int_equal(bad, cases[i].bad);
	}
	assert_int_equal(spoolfmt_unescape(out, "a b", 3, 0, &bad), 3);
	assert_string_equal(out, "a b");
}

/* --- every record, hostile values, back --------------------------------- */

static void
test_header_round_trip(void **state)
{
	static const struct {
		const char	*ip;
		unsigned	 port;
	} ends[] = {
		{ "203.0.113.7", 41234 }, { "2001:db8::7", 25 },
		{ "::ffff:192.0.2.1", 0 }, { "unknown", 65535 }, { "-", 0 },
	};
	struct spoolfmt_rec rec;
	struct buf b = { 0 };
	struct value v;
	char err[64];
	size_t i;

	assert_int_equal(spoolfmt_magic(&b), 0);
	assert_int_equal(b.data[b.len - 1], '\n');
	b.data[b.len - 1] = '\0';
	assert_int_equal(spoolfmt_parse_magic(b.data, err, sizeof(err)), 0);
	b.len = 0;

	assert_int_equal(spoolfmt_session(&b, "0123456789abcdef"), 0);
	parse_one(&b, 0, &rec);
	assert_int_equal(rec.type, SPOOLFMT_SESSION);
	assert_string_equal(rec.u.session, "0123456789abcdef");

	for (i = 0; i < NVALUES; i++) {
		v = value_at(i);
		if (SPOOLFMT_ESCAPED_MAX(v.len) > SPOOLFMT_SENSOR_MAX + 1)
			continue;	/* test_sensor_cut */
		assert_int_equal(spoolfmt_sensor(&b, v.p, v.len), 0);
		parse_one(&b, 0, &rec);
		assert_int_equal(rec.type, SPOOLFMT_SENSOR);
		assert_bytes(&rec.u.sensor, v);
		spoolfmt_rec_clear(&rec);
	}

	for (i = 0; i < sizeof(ends) / sizeof(ends[0]); i++) {
		assert_int_equal(spoolfmt_client(&b, ends[i].ip,
		    ends[i].port), 0);
		parse_one(&b, 0, &rec);
		assert_int_equal(rec.type, SPOOLFMT_CLIENT);
		assert_string_equal(rec.u.endpoint.ip, ends[i].ip);
		assert_int_equal(rec.u.endpoint.port, ends[i].port);
		assert_int_equal(spoolfmt_server(&b, ends[i].ip,
		    ends[i].port), 0);
		parse_one(&b, 0, &rec);
		assert_int_equal(rec.type, SPOOLFMT_SERVER);
		assert_string_equal(rec.u.endpoint.ip, ends[i].ip);
		assert_int_equal(rec.u.endpoint.port, ends[i].port);
	}

	assert_int_equal(spoolfmt_start(&b, STAMP), 0);
	parse_one(&b, 0, &rec);
	assert_int_equal(rec.type, SPOOLFMT_START);
	assert_string_equal(rec.u.start, STAMP);
	buf_release(&b);
}

/* A long sensor name is cut at a whole escape, as it always was. */
static void
test_sensor_cut(void **state)
{
	struct spoolfmt_rec rec;
	struct buf b = { 0 };
	struct value v = value_at(NVALUES - 1);

	assert_int_equal(spoolfmt_sensor(&b, v.p, v.len), 0);
	assert_true(b.len <= strlen("sensor ") + SPOOLFMT_SENSOR_MAX + 1);
	parse_one(&b, 0, &rec);
	assert_true(rec.u.sensor.len > 0 && rec.u.sensor.len < v.len);
	assert_memory_equal(rec.u.sensor.p, v.p, rec.u.sensor.len);
	spoolfmt_rec_clear(&rec);
	buf_release(&b);
}

static void
test_transcript_round_trip(void **state)
{
	static const char *const eols[] = { "crlf", "lf", "long" };
	static const uint64_t times[] = { 0, 7, 1000, 12345, 86400123 };
	struct spoolfmt_rec rec;
	struct buf b = { 0 };
	struct value v;
	size_t i, k;

	for (i = 0; i < NVALUES; i++) {
		v = value_at(i);
		for (k = 0; k < 3; k++) {
			assert_int_equal(spoolfmt_transcript(&b, 'C',
			    times[(i + k) % 5], eols[k], v.p, v.len), 0);
			parse_one(&b, 0, &rec);
			assert_int_equal(rec.type, SPOOLFMT_C);
			assert_string_equal(rec.u.line.eol, eols[k]);
			assert_bytes(&rec.u.line.text, v);
			spoolfmt_rec_clear(&rec);
		}
		/* a reply may come inside DATA (a size limit) */
		assert_int_equal(spoolfmt_transcript(&b, 'S', times[i % 5],
		    NULL, v.p, v.len), 0);
		parse_one(&b, 1, &rec);
		assert_int_equal(rec.type, SPOOLFMT_S);
		assert_bytes(&rec.u.line.text, v);
		spoolfmt_rec_clear(&rec);
	}
	buf_release(&b);
}

static void
test_helo_round_trip(void **state)
{
	struct spoolfmt_rec rec;
	struct buf b = { 0 };
	struct value v;
	size_t i;

	for (i = 0; i < NVALUES; i++) {
		v = value_at(i);
		assert_int_equal(spoolfmt_helo(&b, i % 2 ? "HELO" : "EHLO",
		    v.p, v.len), 0);
		parse_one(&b, 0, &rec);
		assert_int_equal(rec.type, SPOOLFMT_HELO);
		assert_string_equal(rec.u.helo.verb, i % 2 ? "HELO" : "EHLO");
		assert_bytes(&rec.u.helo.name, v);
		spoolfmt_rec_clear(&rec);
	}
	buf_release(&b);
}

static void
test_auth_round_trip(void **state)
{
	static const char *const status[] = { "ok", "aborted", "bad-base64",
	    "malformed", "unsupported" };
	struct spoolfmt_auth a;
	struct spoolfmt_rec rec;
	struct buf b = { 0 };
	struct value u, p, z, mech;
	char mechbuf[64];
	size_t i;

	for (i = 0; i < NVALUES * 3; i++) {
		/* every value in every field, each beside others */
		u = value_at(i % NVALUES);
		p = value_at((i + 1) % NVALUES);
		z = value_at((i + 5) % NVALUES);
		mech = value_at((i + 3) % NHOSTILE);
		/* the mechanism is a C string: up to its first NUL */
		snprintf(mechbuf, sizeof(mechbuf), "%.*s", (int)mech.len,
		    mech.p);
		a = (struct spoolfmt_auth){ mechbuf, status[i % 5], u.p, u.len,
		    p.p, p.len, z.p, z.len };
		assert_int_equal(spoolfmt_auth(&b, &a), 0);
		parse_one(&b, 0, &rec);
		assert_int_equal(rec.type, SPOOLFMT_AUTH);
		assert_string_equal(rec.u.auth.mech.p, mechbuf);
		assert_int_equal(rec.u.auth.mech.len, strlen(mechbuf));
		assert_string_equal(rec.u.auth.status, status[i % 5]);
		assert_bytes(&rec.u.auth.user, u);
		assert_bytes(&rec.u.auth.pass, p);
		assert_bytes(&rec.u.auth.authzid, z);
		spoolfmt_rec_clear(&rec);

		assert_int_equal(spoolfmt_auth_raw(&b, u.p, u.len), 0);
		parse_one(&b, 0, &rec);
		assert_int_equal(rec.type, SPOOLFMT_AUTH_RAW);
		assert_bytes(&rec.u.raw, u);
		spoolfmt_rec_clear(&rec);
	}
	buf_release(&b);
}

static void
test_envelope_round_trip(void **state)
{
	struct spoolfmt_rec rec;
	static int (*const writer[])(struct buf *, const char *, size_t,
	    const char *, size_t) = { spoolfmt_mail, spoolfmt_rcpt };
	static const enum spoolfmt_type type[] = { SPOOLFMT_MAIL,
	    SPOOLFMT_RCPT };
	struct buf b = { 0 };
	struct value addr, params;
	size_t i, k;

	for (i = 0; i < NVALUES * 2; i++) {
		addr = value_at(i % NVALUES);
		params = value_at((i + i / NVALUES) % NVALUES);
		for (k = 0; k < 2; k++) {
			assert_int_equal(writer[k](&b, addr.p, addr.len,
			    params.p, params.len), 0);
			parse_one(&b, 0, &rec);
			assert_int_equal(rec.type, type[k]);
			assert_bytes(&rec.u.path.addr, addr);
			if (params.len == 0)
				assert_null(rec.u.path.params.p);
			else
				assert_bytes(&rec.u.path.params, params);
			spoolfmt_rec_clear(&rec);
		}
	}
	assert_int_equal(spoolfmt_rset(&b), 0);
	parse_one(&b, 0, &rec);
	assert_int_equal(rec.type, SPOOLFMT_RSET);
	buf_release(&b);
}

static void
test_message_round_trip(void **state)
{
	static const struct spoolfmt_message msgs[] = {
		{ 1, 0, 0, 0, 0, 0, "4F2A1B3C9D" },
		{ 2, 1234, 1000, 1, 17, 0, "0000000000" },
		{ 1000000, UINT64_MAX, UINT64_MAX, 1, UINT32_MAX, 0,
		    "FFFFFFFFFF" },
		{ 3, 10, 8, 1, 0, 1, "" },
		{ 4, UINT64_MAX, 0, 1, UINT32_MAX, 1, "" },
	};
	static const uint64_t bytes[] = { 0, 1, 1u << 20, UINT64_MAX };
	struct spoolfmt_rec rec;
	struct buf b = { 0 };
	struct value v;
	size_t i, start;

	for (i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++) {
		assert_int_equal(spoolfmt_data(&b, msgs[i].n), 0);
		parse_one(&b, 0, &rec);
		assert_int_equal(rec.type, SPOOLFMT_DATA);
		assert_int_equal(rec.u.data, msgs[i].n);

		assert_int_equal(spoolfmt_message(&b, &msgs[i]), 0);
		parse_one(&b, 1, &rec);
		assert_int_equal(rec.type, SPOOLFMT_MESSAGE);
		assert_int_equal(rec.u.message.n, msgs[i].n);
		assert_true(rec.u.message.size == msgs[i].size);
		assert_true(rec.u.message.stored == msgs[i].stored);
		assert_int_equal(rec.u.message.truncated, msgs[i].truncated);
		assert_int_equal(rec.u.message.bare_lf, msgs[i].bare_lf);
		assert_int_equal(rec.u.message.incomplete,
		    msgs[i].incomplete);
		assert_string_equal(rec.u.message.queue_id,
		    msgs[i].queue_id);
	}

	/* a body's bytes are raw: its line gives their count */
	for (i = 0; i < NVALUES; i++) {
		v = value_at(i);
		start = b.len;
		assert_int_equal(spoolfmt_body_open(&b), 0);
		assert_int_equal(buf_append(&b, v.p, v.len), 0);
		assert_int_equal(spoolfmt_body_close(&b, start), 0);
		assert_int_equal(b.len, SPOOLFMT_BODY_HEADLEN + v.len + 1);
		assert_memory_equal(b.data + SPOOLFMT_BODY_HEADLEN, v.p, v.len);
		b.len = SPOOLFMT_BODY_HEADLEN;
		parse_one(&b, 1, &rec);
		assert_int_equal(rec.type, SPOOLFMT_BODY);
		assert_int_equal(rec.u.body, v.len);
	}

	for (i = 0; i < sizeof(bytes) / sizeof(bytes[0]); i++) {
		assert_int_equal(spoolfmt_cut(&b, bytes[i]), 0);
		parse_one(&b, 0, &rec);
		assert_int_equal(rec.type, SPOOLFMT_CUT);
		assert_string_equal(rec.u.cut.limit, "transcript");
		assert_true(rec.u.cut.bytes == bytes[i]);
	}

	assert_int_equal(spoolfmt_end(&b, STAMP, "shutdown"), 0);
	parse_one(&b, 1, &rec);
	assert_int_equal(rec.type, SPOOLFMT_END);
	assert_string_equal(rec.u.end.time, STAMP);
	assert_string_equal(rec.u.end.reason, "shutdown");
	buf_release(&b);
}

/* --- the bytes ----------------------------------------------------------- */

static void
test_golden(void **state)
{
	const struct spoolfmt_auth plain = { "PLAIN", "ok", "u s", 3,
	    "p\0w=", 4, "", 0 };
	const struct spoolfmt_auth other = { "X OAUTH\\", "unsupported", "",
	    0, "", 0, "", 0 };
	const struct spoolfmt_message done = { 1, 10, 10, 0, 0, 0,
	    "4F2A1B3C9D" };
	const struct spoolfmt_message cut = { 2, 5, 3, 1, 2, 1, "" };
	struct buf b = { 0 };
	size_t start;

	spoolfmt_magic(&b);
	assert_golden(&b, "spampot-spool 1\n");
	spoolfmt_session(&b, "0123456789abcdef");
	assert_golden(&b, "session 0123456789abcdef\n");
	spoolfmt_sensor(&b, "sensor one", 10);
	assert_golden(&b, "sensor sensor\\x20one\n");
	spoolfmt_client(&b, "2001:db8::7", 41234);
	assert_golden(&b, "client 2001:db8::7 41234\n");
	spoolfmt_server(&b, "-", 0);
	assert_golden(&b, "server - 0\n");
	spoolfmt_start(&b, STAMP);
	assert_golden(&b, "start " STAMP "\n");

	spoolfmt_transcript(&b, 'C', 12345, "crlf", "NOOP", 4);
	assert_golden(&b, "C 12.345 crlf NOOP\n");
	spoolfmt_transcript(&b, 'C', 1, "lf", "", 0);
	assert_golden(&b, "C 0.001 lf \n");
	spoolfmt_transcript(&b, 'C', 51, "crlf", "MAIL FROM:<a\\b>\0\x7f",
	    17);
	assert_golden(&b, "C 0.051 crlf MAIL FROM:<a\\x5cb>\\x00\\x7f\n");
	spoolfmt_transcript(&b, 'S', 0, "crlf", "334 ", 4);
	assert_golden(&b, "S 0.000 334 \n");

	spoolfmt_helo(&b, "EHLO", "a b\\\r\n", 6);
	assert_golden(&b, "helo verb=EHLO name=a\\x20b\\x5c\\x0d\\x0a\n");
	spoolfmt_auth(&b, &plain);
	assert_golden(&b, "auth mech=PLAIN status=ok user=u\\x20s "
	    "pass=p\\x00w= authzid=\n");
	spoolfmt_auth(&b, &other);
	assert_golden(&b, "auth mech=X\\x20OAUTH\\x5c status=unsupported "
	    "user= pass= authzid=\n");
	spoolfmt_auth_raw(&b, "", 0);
	assert_golden(&b, "auth-raw \n");
	spoolfmt_auth_raw(&b, "aHVu dGVy", 9);
	assert_golden(&b, "auth-raw aHVu\\x20dGVy\n");
	spoolfmt_mail(&b, "x@spam.example", 14, "SIZE=100 BODY=8BITMIME", 22);
	assert_golden(&b, "mail from=x@spam.example "
	    "params=SIZE=100\\x20BODY=8BITMIME\n");
	spoolfmt_mail(&b, "", 0, "", 0);
	assert_golden(&b, "mail from=\n");
	spoolfmt_rcpt(&b, "a b@x", 5, "", 0);
	assert_golden(&b, "rcpt to=a\\x20b@x\n");
	spoolfmt_rset(&b);
	assert_golden(&b, "rset\n");

	spoolfmt_data(&b, 1);
	assert_golden(&b, "data n=1\n");
	start = b.len;
	spoolfmt_body_open(&b);
	buf_append(&b, "abc\n", 4);
	spoolfmt_body_close(&b, start);
	assert_golden(&b, "body 0000000004\nabc\n\n");
	spoolfmt_message(&b, &done);
	assert_golden(&b, "message n=1 size=10 stored=10 truncated=0 "
	    "bare_lf=0 queue_id=4F2A1B3C9D\n");
	spoolfmt_message(&b, &cut);
	assert_golden(&b, "message n=2 size=5 stored=3 truncated=1 "
	    "bare_lf=2 incomplete=1\n");
	spoolfmt_cut(&b, 123);
	assert_golden(&b, "cut limit=transcript bytes=123\n");
	spoolfmt_end(&b, STAMP, "quit");
	assert_golden(&b, "end " STAMP " reason=quit\n");
	buf_release(&b);
}

/* Where a record may come: the table's rules. */
static void
test_parse_refuses(void **state)
{
	static const struct {
		const char	*line;
		int		 in_data;
		const char	*err;
	} cases[] = {
		{ "bogus x", 0, "unknown record 'bogus'" },
		{ "", 0, "unknown record ''" },
		{ "rcpt to=x", 1, "rcpt inside data" },
		{ "mail from=x", 1, "mail inside data" },
		{ "body 0000000001", 0, "body outside data" },
		{ "message n=1", 0, "message without data" },
		{ "helo verb=EHLO", 0, "missing name=" },
		{ "auth-raw a b", 0, "unescaped byte 0x20" },
		{ "sensor a\\x2", 0, "bad escape" },
		{ "session 0123456789ABCDEF", 0, "bad session id" },
		{ "end " STAMP, 1, "missing reason=" },
	};
	struct spoolfmt_rec rec;
	char err[128];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (spoolfmt_parse(cases[i].line, strlen(cases[i].line),
		    cases[i].in_data, &rec, err, sizeof(err)) != -1)
			fail_msg("'%s' parsed", cases[i].line);
		assert_string_equal(err, cases[i].err);
	}
	assert_int_equal(spoolfmt_parse_magic("spampot-spool 2", err,
	    sizeof(err)), -1);
	assert_string_equal(err, "unsupported version '2'");
}

/* --- tls, tls-fail ------------------------------------------------------ */

static const uint16_t tls_ciphers[] = { 0x0a0a, 4866, 4865, 49195 };
static const uint16_t tls_exts[] = { 0, 23, 65281, 10, 11, 16, 43 };
static const uint16_t tls_groups[] = { 29, 23 };
static const uint16_t tls_sigalgs[] = { 1027, 2052 };
static const uint8_t tls_pf[] = { 0 };
static const uint16_t tls_versions[] = { 772, 771 };
/* "h2", "a,b c", and a name that overruns the list */
static const char tls_alpn[] = "\002h2\005a,b c\011x";

static struct spoolfmt_hello
tls_hello(void)
{
	struct spoolfmt_hello h = { 771, tls_ciphers, 4, tls_exts, 7,
	    tls_groups, 2, tls_sigalgs, 2, tls_pf, 1, tls_versions, 2,
	    "mail.example.org", 16, tls_alpn, sizeof(tls_alpn) - 1 };

	return h;
}

static void
test_tls_golden(void **state)
{
	struct spoolfmt_hello h = tls_hello();
	struct spoolfmt_tls t = { "TLSv1.3", "TLS_AES_256_GCM_SHA384", "h2", 2,
	    NULL, NULL, 0, &h };
	struct buf b = { 0 };

	assert_int_equal(spoolfmt_tls(&b, &t), 0);
	assert_golden(&b, "tls version=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384 "
	    "alpn=h2 sni=mail.example.org alpns=h2,a\\x2cb\\x20c "
	    "hello_version=771 ciphers=2570,4866,4865,49195 "
	    "extensions=0,23,65281,10,11,16,43 groups=29,23 "
	    "sigalgs=1027,2052 point_formats=0 versions=772,771 cut=1\n");
	t = (struct spoolfmt_tls){ NULL, NULL, NULL, 0, "hello",
	    "wrong version number", 7, NULL };
	assert_int_equal(spoolfmt_tls(&b, &t), 0);
	assert_golden(&b, "tls-fail stage=hello "
	    "reason=wrong\\x20version\\x20number bytes=7\n");
	buf_release(&b);
}

static void
test_tls_round_trip(void **state)
{
	static uint16_t many[SPOOLFMT_TLS_LIST_MAX + 10];
	struct spoolfmt_hello h = tls_hello();
	struct spoolfmt_tls t = { NULL, NULL, NULL, 0, "handshake",
	    "no shared cipher", 517, &h };
	struct spoolfmt_rec rec;
	struct buf b = { 0 };
	struct value v;
	size_t i;

	assert_int_equal(spoolfmt_tls(&b, &t), 0);
	parse_one(&b, 0, &rec);
	assert_int_equal(rec.type, SPOOLFMT_TLS_FAIL);
	assert_string_equal(rec.u.tls.stage, "handshake");
	assert_string_equal(rec.u.tls.reason.p, "no shared cipher");
	assert_int_equal(rec.u.tls.bytes, 517);
	assert_true(rec.u.tls.has_hello);
	assert_string_equal(rec.u.tls.sni.p, "mail.example.org");
	assert_string_equal(rec.u.tls.alpns.p, "h2,a\\x2cb\\x20c");
	assert_int_equal(rec.u.tls.hello_version, 771);
	assert_string_equal(rec.u.tls.ciphers.p, "2570,4866,4865,49195");
	assert_string_equal(rec.u.tls.point_formats.p, "0");
	assert_int_equal(rec.u.tls.cut, 1);
	spoolfmt_rec_clear(&rec);

	/* hostile names; a list longer than kept */
	for (i = 0; i < sizeof(many) / sizeof(many[0]); i++)
		many[i] = (uint16_t)(i * 257);
	for (i = 0; i < NHOSTILE; i++) {
		v = value_at(i);
		h = (struct spoolfmt_hello){ 0 };
		h.sni = v.p;
		h.sni_len = v.len;
		h.ciphers = many;
		h.nciphers = i == 0 ? SPOOLFMT_TLS_LIST_MAX + 10 : i;
		t = (struct spoolfmt_tls){ "TLSv1.2", "ECDHE-RSA", v.p, v.len,
		    NULL, NULL, 0, &h };
		assert_int_equal(spoolfmt_tls(&b, &t), 0);
		parse_one(&b, 0, &rec);
		assert_int_equal(rec.type, SPOOLFMT_TLS);
		assert_string_equal(rec.u.tls.version, "TLSv1.2");
		assert_bytes(&rec.u.tls.sni, v);
		assert_bytes(&rec.u.tls.alpn, v);
		assert_int_equal(rec.u.tls.cut, i == 0);
		assert_string_equal(rec.u.tls.groups.p, "");
		spoolfmt_rec_clear(&rec);
	}
	buf_release(&b);
}

static void
test_tls_refuses(void **state)
{
	static const struct {
		const char	*line;
		const char	*err;
	} cases[] = {
		{ "tls version=TLSv1.3 cipher=x alpn=", "missing sni=" },
		{ "tls-fail stage=hello reason=x", "missing bytes=" },
		{ "tls-fail stage=a\\x20 reason=x bytes=1", "bad stage" },
		{ "tls version=TLSv1.3 cipher=x alpn= sni= alpns= "
		    "hello_version=771 ciphers=1,,2 extensions= groups= "
		    "sigalgs= point_formats= versions= cut=0", "bad ciphers" },
		{ "tls version=TLSv1.3 cipher=x alpn= sni= alpns= "
		    "hello_version=771 ciphers=65536 extensions= groups= "
		    "sigalgs= point_formats= versions= cut=0", "bad ciphers" },
		{ "tls version=TLSv1.3 cipher=x alpn= sni= alpns= "
		    "hello_version=771 ciphers= extensions= groups= "
		    "sigalgs= point_formats=256 versions= cut=0",
		    "bad point_formats" },
		{ "tls version=TLSv1.3 cipher=x alpn= sni= alpns=\\x2 "
		    "hello_version=771 ciphers= extensions= groups= "
		    "sigalgs= point_formats= versions= cut=0", "bad escape" },
		{ "tls version=TLSv1.3 cipher=x alpn= sni= alpns= "
		    "hello_version=771 ciphers= extensions= groups= "
		    "sigalgs= point_formats= versions=1, cut=0",
		    "bad versions" },
		{ "tls version=TLSv1.3 cipher=x alpn= sni= alpns= "
		    "hello_version=771 ciphers= extensions= groups= "
		    "sigalgs= point_formats= versions= cut=2", "bad number for cut" },
	};
	struct spoolfmt_rec rec;
	char err[128];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (spoolfmt_parse(cases[i].line, strlen(cases[i].line), 0,
		    &rec, err, sizeof(err)) != -1)
			fail_msg("'%s' parsed", cases[i].line);
		assert_string_equal(err, cases[i].err);
	}
}

/* --- a whole file, through the analyzer's reader ------------------------- */

#define W(call)	assert_int_equal((call), 0)

/* Every record in one file, every string field a hostile value. */
static void
write_file(struct buf *b, size_t k)
{
	struct value a = value_at(k % NVALUES), p = value_at((k + 1) % NVALUES),
	    z = value_at((k + 2) % NVALUES), sensor = value_at(k % NHOSTILE);
	const struct spoolfmt_auth auth = { "PLAIN", "ok", a.p, a.len, p.p,
	    p.len, z.p, z.len };
	struct spoolfmt_message m = { 1, a.len + 1, a.len, 0, 3, 0,
	    "4F2A1B3C9D" };
	size_t start;

	W(spoolfmt_magic(b));
	W(spoolfmt_session(b, "0123456789abcdef"));
	W(spoolfmt_sensor(b, sensor.p, sensor.len));
	W(spoolfmt_client(b, "2001:db8::7", 41234));
	W(spoolfmt_server(b, "192.0.2.25", 25));
	W(spoolfmt_start(b, STAMP));
	W(spoolfmt_transcript(b, 'C', 5, "crlf", a.p, a.len));
	W(spoolfmt_transcript(b, 'S', 6, NULL, p.p, p.len));
	W(spoolfmt_helo(b, "EHLO", z.p, z.len));
	W(spoolfmt_auth(b, &auth));
	W(spoolfmt_auth_raw(b, p.p, p.len));
	W(spoolfmt_mail(b, a.p, a.len, z.p, z.len));
	W(spoolfmt_rcpt(b, p.p, p.len, "", 0));
	W(spoolfmt_rcpt(b, z.p, z.len, a.p, a.len));
	W(spoolfmt_data(b, 1));
	start = b->len;
	W(spoolfmt_body_open(b));
	W(buf_append(b, a.p, a.len));
	W(spoolfmt_body_close(b, start));
	W(spoolfmt_transcript(b, 'S', 7, NULL, "250", 3));
	W(spoolfmt_message(b, &m));
	W(spoolfmt_rset(b));
	W(spoolfmt_mail(b, "", 0, "", 0));
	W(spoolfmt_rcpt(b, a.p, a.len, "", 0));
	W(spoolfmt_data(b, 2));
	start = b->len;
	W(spoolfmt_body_open(b));
	W(buf_append(b, z.p, z.len));
	W(spoolfmt_body_close(b, start));
	m = (struct spoolfmt_message){ 2, z.len + 2, z.len, 1, 0, 1, "" };
	W(spoolfmt_message(b, &m));
	W(spoolfmt_cut(b, 99));
	W(spoolfmt_end(b, STAMP, "limit"));
}

static void
test_file_round_trip(void **state)
{
	struct spool_session s;
	struct buf b = { 0 };
	struct value a, p, z, sensor;
	struct spool_message *m;
	char err[512];
	size_t k;

	for (k = 0; k < NVALUES; k++) {
		a = value_at(k % NVALUES);
		p = value_at((k + 1) % NVALUES);
		z = value_at((k + 2) % NVALUES);
		sensor = value_at(k % NHOSTILE);
		b.len = 0;
		write_file(&b, k);
		if (spool_read(b.data, b.len, &s, err, sizeof(err)) != 0)
			fail_msg("value %zu: %s", k, err);
		assert_string_equal(s.session_id, "0123456789abcdef");
		assert_bytes(&s.sensor, sensor);
		assert_string_equal(s.client_ip, "2001:db8::7");
		assert_int_equal(s.client_port, 41234);
		assert_string_equal(s.server_ip, "192.0.2.25");
		assert_string_equal(s.start, STAMP);
		assert_string_equal(s.helo_verb, "EHLO");
		assert_bytes(&s.helo, z);
		assert_int_equal(s.nauths, 1);
		assert_string_equal(s.auths[0].mech.p, "PLAIN");
		assert_string_equal(s.auths[0].status, "ok");
		assert_bytes(&s.auths[0].user, a);
		assert_bytes(&s.auths[0].pass, p);
		assert_bytes(&s.auths[0].authzid, z);
		assert_int_equal(s.nmsgs, 2);
		m = &s.msgs[0];
		assert_bytes(&m->from, a);
		assert_int_equal(m->nrcpts, 2);
		assert_bytes(&m->rcpts[0], p);
		assert_bytes(&m->rcpts[1], z);
		assert_int_equal(m->body_len, a.len);
		assert_memory_equal(m->body, a.p, a.len);
		assert_true(m->size == a.len + 1);
		assert_int_equal(m->bare_lf, 3);
		assert_false(m->truncated || m->incomplete);
		assert_string_equal(m->queue_id, "4F2A1B3C9D");
		m = &s.msgs[1];
		assert_int_equal(m->from.len, 0);
		assert_int_equal(m->nrcpts, 1);
		assert_bytes(&m->rcpts[0], a);
		assert_int_equal(m->body_len, z.len);
		assert_memory_equal(m->body, z.p, z.len);
		assert_true(m->truncated && m->incomplete);
		assert_true(s.transcript_cut == 99);
		assert_string_equal(s.end, STAMP);
		assert_string_equal(s.end_reason, "limit");
		/* the transcript as written: C, then the two S */
		assert_non_null(s.transcript);
		assert_int_equal(strncmp(s.transcript, "C 0.005 crlf ", 13), 0);
		spool_session_clear(&s);
	}
	buf_release(&b);
	free(long_buf);
	long_buf = NULL;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_every_byte),
		cmocka_unit_test(test_escape_golden),
		cmocka_unit_test(test_unescape_refuses),
		cmocka_unit_test(test_header_round_trip),
		cmocka_unit_test(test_sensor_cut),
		cmocka_unit_test(test_transcript_round_trip),
		cmocka_unit_test(test_helo_round_trip),
		cmocka_unit_test(test_auth_round_trip),
		cmocka_unit_test(test_envelope_round_trip),
		cmocka_unit_test(test_message_round_trip),
		cmocka_unit_test(test_tls_golden),
		cmocka_unit_test(test_tls_round_trip),
		cmocka_unit_test(test_tls_refuses),
		cmocka_unit_test(test_golden),
		cmocka_unit_test(test_parse_refuses),
		cmocka_unit_test(test_file_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
