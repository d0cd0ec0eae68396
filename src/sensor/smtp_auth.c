/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * smtp_auth: AUTH (RFC 4954) in the worker's SMTP session: PLAIN, LOGIN,
 * CRAM-MD5 (our challenge, the user and HMAC recorded), XOAUTH2, and
 * NTLM and SCRAM-SHA-1/256 recorded as far as they go. auth_accept says
 * which credentials get 235; every attempt, complete or not, is recorded
 * in the spool with what it carried, as decoded.
 */
#include "autoconf.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "base64.h"
#include "conf.h"
#include "log.h"
#include "smtp_int.h"
#include "spool.h"
#include "spoolfmt.h"
#include "util.h"

/* Record one attempt in the spool, and log it (the user escaped). */
static void
smtp_auth_record(struct smtp_session *s, const char *mech,
    const char *status, const char *user, size_t ulen, const char *pass,
    size_t plen, const char *authzid, size_t zlen)
{
	const struct spoolfmt_auth a = { mech, status, user, ulen, pass, plen,
	    authzid, zlen };
	char *u = smtp_escape(user, ulen, SPOOLFMT_ESC_SPACE);
	struct buf *b;

	if (u == NULL)
		return;
	if ((b = spool_record_begin(s->spool)) != NULL)
		spool_record_end(s->spool, spoolfmt_auth(b, &a));
	log_info("%s smtp auth mech=%s status=%s user=%s", s->id, mech,
	    status, u);
	free(u);
}

/* Is user:pass a line of the auth_accept list? */
static int
smtp_auth_listed(const char *list, const char *user, size_t ulen,
    const char *pass, size_t plen)
{
	const char *p = list, *nl;
	size_t n;

	for (; p != NULL && *p != '\0'; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			break;
		n = (size_t)(nl - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n == ulen + 1 + plen && memcmp(p, user, ulen) == 0 &&
		    p[ulen] == ':' && memcmp(p + ulen + 1, pass, plen) == 0)
			return 1;
	}
	return 0;
}

/* Does auth_accept take these credentials (plen 0: no password seen)? */
static int
smtp_auth_accepts(struct smtp_session *s, const char *user, size_t ulen,
    const char *pass, size_t plen)
{
	const struct config *cf = s->cf;

	switch (cf->auth_accept_mode) {
	case CONF_AUTH_FAIL_FIRST:
		return ++s->auth_failures > cf->auth_accept_failures;
	case CONF_AUTH_LIST:
		return smtp_auth_listed(cf->auth_list, user, ulen, pass, plen);
	default:
		return 1;
	}
}

/*
 * Credentials were decoded: record them as accepted or rejected, and
 * answer 235 or the persona's 535.
 */
static void
smtp_auth_done(struct smtp_session *s, const char *mech, const char *user,
    size_t ulen, const char *pass, size_t plen, const char *authzid,
    size_t zlen)
{
	int ok = smtp_auth_accepts(s, user, ulen, pass, plen);
	struct buf *b;

	/* SCRAM cannot succeed: no server signature can be computed
	 * without the password. */
	if (strncmp(mech, "SCRAM", 5) == 0)
		ok = 0;

	smtp_auth_record(s, mech, ok ? "ok" : "rejected", user, ulen, pass,
	    plen, authzid, zlen);
	/* a challenge-response: our challenge, to check the answer by */
	if (s->auth_chal_len > 0 &&
	    (b = spool_record_begin(s->spool)) != NULL)
		spool_record_end(s->spool, spoolfmt_auth_raw(b, s->auth_chal,
		    s->auth_chal_len));
	s->auth_chal_len = 0;
	smtp_set_input(s, SI_COMMAND);
	if (ok) {
		s->authenticated = 1;
		smtp_say(s, s->persona->auth_ok, NULL);
	} else
		smtp_say_error(s, s->persona->auth_fail, NULL);
}

#define SMTP_SASL_BADPROT	"bad protocol / cancel"
#define SMTP_SASL_CONTINUE	"another step is needed in authentication"

static int
smtp_auth_b64_byte(unsigned char c)
{
	return isalnum(c) || c == '+' || c == '/';
}

/*
 * What Cyrus SASL's sasl_decode64() says of an answer that is not good
 * base64: a bad byte, or data after "=", is SASL_BADPROT; a last group of
 * fewer than four bytes (an empty answer, "=", included) SASL_CONTINUE.
 * Postfix answers with its text.
 */
static const char *
smtp_auth_cyrus_b64(const char *p, size_t n)
{
	int equal = 0;

	for (; n > 3; p += 4, n -= 4) {
		if (equal || !smtp_auth_b64_byte((unsigned char)p[0]) ||
		    !smtp_auth_b64_byte((unsigned char)p[1]) ||
		    (p[2] != '=' && !smtp_auth_b64_byte((unsigned char)p[2])) ||
		    (p[3] != '=' && !smtp_auth_b64_byte((unsigned char)p[3])) ||
		    (p[2] == '=' && p[3] != '='))
			return SMTP_SASL_BADPROT;
		equal = p[2] == '=' || p[3] == '=';
	}
	return n > 0 && equal ? SMTP_SASL_BADPROT : SMTP_SASL_CONTINUE;
}

/* An attempt that did not complete: record what there is, answer 501. */
static void
smtp_auth_fail(struct smtp_session *s, const char *mech, const char *why,
    const char *raw, size_t rawlen)
{
	const char *user = s->auth_user ? s->auth_user : "";
	struct buf *b;

	smtp_auth_record(s, mech, why, user, s->auth_user_len, "", 0, "", 0);
	if (raw != NULL && (b = spool_record_begin(s->spool)) != NULL)
		spool_record_end(s->spool, spoolfmt_auth_raw(b, raw, rawlen));
	free(s->auth_user);
	s->auth_user = NULL;
	s->auth_user_len = 0;
	smtp_set_input(s, SI_COMMAND);
	if (strcmp(why, "aborted") == 0)
		smtp_say_error(s, s->persona->auth_aborted, NULL);
	else if (strcmp(why, "malformed") == 0 &&
	    (s->persona->flags & PF_CYRUS_SASL))
		/* the mechanism's SASL_BADPROT; "=", no data: CONTINUE */
		smtp_say_error(s, s->persona->auth_bad_base64,
		    rawlen == 1 && raw[0] == '=' ? SMTP_SASL_CONTINUE :
		    SMTP_SASL_BADPROT);
	else if (strcmp(why, "malformed") == 0 &&
	    strcmp(s->persona->name, "rfc821") != 0)
		smtp_say_error(s, s->persona->auth_fail, NULL);
	else
		smtp_say_error(s, s->persona->auth_bad_base64,
		    smtp_auth_cyrus_b64(raw != NULL ? raw : "", rawlen));
}

/* PLAIN: base64 of "authzid NUL user NUL password". */
static void
smtp_auth_plain(struct smtp_session *s, const char *b64, size_t len)
{
	unsigned char *dec;
	const char *user, *pass;
	size_t sent = len;
	long n;

	/* an empty initial response; Exim takes it only there */
	if (len == 1 && b64[0] == '=' && (s->auth_initial ||
	    !(s->persona->flags & PF_EXIM_RULES)))
		len = 0;
	if ((dec = malloc(BASE64_DECODED_SIZE(len))) == NULL) {
		smtp_close(s, SMTP_END_ERROR);
		return;
	}
	/* strict, with padding, as RFC 4954 asks */
	n = base64_decode(b64, len, dec, 0);
	user = n < 0 ? NULL : memchr(dec, '\0', (size_t)n);
	pass = user == NULL ? NULL :
	    memchr(user + 1, '\0', (size_t)n - (size_t)(user + 1 - (char *)dec));
	if (pass == NULL) {
		/* What could be decoded is kept: it is what was tried;
		 * nothing decoded: what was sent ("=", or nothing). */
		smtp_auth_fail(s, "PLAIN", n < 0 ? "bad-base64" : "malformed",
		    n <= 0 ? b64 : (char *)dec, n <= 0 ? sent : (size_t)n);
		free(dec);
		return;
	}
	user++;
	pass++;
	smtp_auth_done(s, "PLAIN", user, (size_t)(pass - 1 - user),
	    pass, (size_t)n - (size_t)(pass - (char *)dec), (char *)dec,
	    (size_t)(user - 1 - (char *)dec));
	free(dec);
}

/* LOGIN: the user name, then the password, each base64 on its own. */
static void
smtp_auth_login_step(struct smtp_session *s, const char *b64, size_t len)
{
	unsigned char *dec;
	long n;

	if ((dec = malloc(BASE64_DECODED_SIZE(len))) == NULL) {
		smtp_close(s, SMTP_END_ERROR);
		return;
	}
	if ((n = base64_decode(b64, len, dec, 0)) < 0) {
		smtp_auth_fail(s, "LOGIN", "bad-base64", b64, len);
		free(dec);
		return;
	}
	if (s->input != SI_AUTH_LOGIN_PASS) {
		/* Held raw until the password comes: both are recorded
		 * together. */
		free(s->auth_user);
		s->auth_user = (char *)dec;
		s->auth_user_len = (size_t)n;
		smtp_set_input(s, SI_AUTH_LOGIN_PASS);
		smtp_reply(s, "334 UGFzc3dvcmQ6");
		return;
	}
	smtp_auth_done(s, "LOGIN", s->auth_user, s->auth_user_len,
	    (char *)dec, (size_t)n, "", 0);
	free(dec);
	free(s->auth_user);
	s->auth_user = NULL;
	s->auth_user_len = 0;
}

/* Decode an answer, or record it as bad base64 (NULL). */
static unsigned char *
smtp_auth_decode(struct smtp_session *s, const char *b64, size_t len,
    long *n)
{
	unsigned char *dec;

	if ((dec = malloc(BASE64_DECODED_SIZE(len))) == NULL) {
		smtp_close(s, SMTP_END_ERROR);
		return NULL;
	}
	if ((*n = base64_decode(b64, len, dec, 0)) < 0) {
		smtp_auth_fail(s, s->auth_mech, "bad-base64", b64, len);
		free(dec);
		return NULL;
	}
	return dec;
}

/* "334 " and the base64 of n bytes. */
static void
smtp_auth_challenge(struct smtp_session *s, const void *p, size_t n)
{
	char *b64 = malloc(BASE64_ENCODED_SIZE(n));

	if (b64 == NULL) {
		smtp_close(s, SMTP_END_ERROR);
		return;
	}
	base64_encode(p, n, b64);
	smtp_reply(s, "334 %s", b64);
	free(b64);
}

/* 64 bits that differ from session to session and attempt to attempt. */
static uint64_t
smtp_auth_nonce(const struct smtp_session *s)
{
	uint64_t h = 1469598103934665603ULL ^ util_now_ms();
	const char *p;

	for (p = s->id; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	h = (h ^ s->errors ^ (uint64_t)s->messages << 16) * 1099511628211ULL;
	return h ^ h >> 29;
}

/*
 * CRAM-MD5 (RFC 2195): our challenge, "user hex-hmac" back. The challenge
 * is made as the persona's MTA makes it: Exim's cram_md5 authenticator
 * sends "<pid.time@host>"; Cyrus SASL (Postfix, and the others here) a
 * random 32-bit number and the time modulo 0xFFFFFF.
 */
static void
smtp_auth_cram_start(struct smtp_session *s)
{
	uint64_t r = smtp_auth_nonce(s);
	struct timespec ts;
	int n;

	/* clock_gettime: in the worker's allow-list, unlike time() */
	clock_gettime(CLOCK_REALTIME, &ts);
	if (s->persona->flags & PF_EXIM_RULES)
		n = snprintf(s->auth_chal, sizeof(s->auth_chal),
		    "<%llu.%lld@%s>", (unsigned long long)(300 + r % 4194000),
		    (long long)ts.tv_sec, s->cf->hostname);
	else
		n = snprintf(s->auth_chal, sizeof(s->auth_chal),
		    "<%llu.%lld@%s>", (unsigned long long)(r & 0xffffffffULL),
		    (long long)(ts.tv_sec % 0xffffff), s->cf->hostname);
	if (n < 0 || (size_t)n >= sizeof(s->auth_chal))
		n = (int)sizeof(s->auth_chal) - 1;
	smtp_set_input(s, SI_AUTH_CRAM);
	smtp_auth_challenge(s, s->auth_chal, (size_t)n);
	s->auth_chal_len = (size_t)n;
}

static void
smtp_auth_cram_answer(struct smtp_session *s, const char *b64, size_t len)
{
	unsigned char *dec;
	const char *sp;
	long n;

	if ((dec = smtp_auth_decode(s, b64, len, &n)) == NULL)
		return;
	/* Cyrus wants a user name before the last space */
	if ((sp = memrchr(dec, ' ', (size_t)n)) == NULL || sp == (char *)dec) {
		s->auth_chal_len = 0;
		smtp_auth_fail(s, "CRAM-MD5", "malformed", (char *)dec,
		    (size_t)n);
	} else
		smtp_auth_done(s, "CRAM-MD5", (char *)dec,
		    (size_t)(sp - (char *)dec), sp + 1,
		    (size_t)n - (size_t)(sp + 1 - (char *)dec), "", 0);
	free(dec);
}

/* The value of "key=" up to the next sep, in p[0..n). */
static const char *
smtp_auth_field(const char *p, size_t n, const char *key, char sep,
    size_t *vlen)
{
	size_t klen = strlen(key), i;
	const char *v, *end;

	for (i = 0; i + klen <= n; i++) {
		if ((i == 0 || p[i - 1] == sep) &&
		    memcmp(p + i, key, klen) == 0) {
			v = p + i + klen;
			end = memchr(v, sep, n - i - klen);
			*vlen = end != NULL ? (size_t)(end - v) :
			    n - i - klen;
			return v;
		}
	}
	return NULL;
}

/* XOAUTH2: "user=U^Aauth=Bearer TOKEN^A^A"; the token is recorded. */
static void
smtp_auth_xoauth2(struct smtp_session *s, const char *b64, size_t len)
{
	const char *user, *tok;
	unsigned char *dec;
	size_t ulen, tlen;
	long n;

	if ((dec = smtp_auth_decode(s, b64, len, &n)) == NULL)
		return;
	user = smtp_auth_field((char *)dec, (size_t)n, "user=", '\001', &ulen);
	tok = smtp_auth_field((char *)dec, (size_t)n, "auth=", '\001', &tlen);
	if (user == NULL || tok == NULL)
		smtp_auth_fail(s, "XOAUTH2", "malformed", (char *)dec,
		    (size_t)n);
	else {
		if (tlen > 7 && strncasecmp(tok, "Bearer ", 7) == 0) {
			tok += 7;
			tlen -= 7;
		}
		smtp_auth_done(s, "XOAUTH2", user, ulen, tok, tlen, "", 0);
	}
	free(dec);
}

/* Little-endian fields of an NTLM message. */
static uint32_t
smtp_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

/* An NTLM security buffer at off: its bytes, when they are inside. */
static const unsigned char *
smtp_ntlm_buf(const unsigned char *m, size_t n, size_t off, size_t *len)
{
	size_t l, o;

	if (off + 8 > n)
		return NULL;
	l = (size_t)m[off] | (size_t)m[off + 1] << 8;
	o = smtp_le32(m + off + 4);
	if (o > n || l > n - o)
		return NULL;
	*len = l;
	return m + o;
}

/* UTF-16LE (NTLM's Unicode) to bytes, append to dst; non-ASCII: '?'. */
static size_t
smtp_ntlm_text(char *dst, size_t room, const unsigned char *p, size_t n,
    int unicode)
{
	size_t i, o = 0;

	for (i = 0; i < n && o < room; i += unicode ? 2 : 1)
		dst[o++] = unicode && (i + 1 >= n || p[i + 1] != 0 ||
		    p[i] >= 0x80) ? '?' : (char)p[i];
	return o;
}

/*
 * NTLM: type 1 in, our type 2 (challenge) out, type 3 in: DOMAIN\user
 * and the NT response (hex) are recorded, with our challenge, which is
 * what an offline check of the response needs.
 */
static void
smtp_auth_ntlm(struct smtp_session *s, const char *b64, size_t len)
{
	unsigned char type2[52] = {
		'N', 'T', 'L', 'M', 'S', 'S', 'P', 0, 2, 0, 0, 0,
		0, 0, 0, 0, 48, 0, 0, 0,		/* target name: none */
		0x05, 0x82, 0x88, 0x00,			/* flags */
		0, 0, 0, 0, 0, 0, 0, 0,			/* challenge */
		0, 0, 0, 0, 0, 0, 0, 0,			/* reserved */
		4, 0, 4, 0, 48, 0, 0, 0,		/* target info */
		0, 0, 0, 0,				/* MsvAvEOL */
	};
	char user[256], resp[2 * 64 + 1];
	const unsigned char *d, *u, *r;
	size_t dl, ul, rl, o;
	unsigned char *dec;
	uint64_t nonce;
	long n;
	int i, uni;

	if ((dec = smtp_auth_decode(s, b64, len, &n)) == NULL)
		return;
	if (n < 12 || memcmp(dec, "NTLMSSP", 8) != 0 ||
	    smtp_le32(dec + 8) != (s->input == SI_AUTH_NTLM3 ? 3 : 1)) {
		smtp_auth_fail(s, "NTLM", "malformed", (char *)dec, (size_t)n);
		free(dec);
		return;
	}
	if (s->input != SI_AUTH_NTLM3) {
		nonce = smtp_auth_nonce(s);
		for (i = 0; i < 8; i++)
			type2[24 + i] = (unsigned char)(nonce >> (8 * i));
		util_hex(s->auth_chal, type2 + 24, 8);
		s->auth_chal_len = 16;
		smtp_set_input(s, SI_AUTH_NTLM3);
		smtp_auth_challenge(s, type2, sizeof(type2));
		free(dec);
		return;
	}
	uni = n >= 64 && (smtp_le32(dec + 60) & 1);
	d = smtp_ntlm_buf(dec, (size_t)n, 28, &dl);
	u = smtp_ntlm_buf(dec, (size_t)n, 36, &ul);
	r = smtp_ntlm_buf(dec, (size_t)n, 20, &rl);
	if (u == NULL || d == NULL || r == NULL) {
		s->auth_chal_len = 0;
		smtp_auth_fail(s, "NTLM", "malformed", (char *)dec, (size_t)n);
		free(dec);
		return;
	}
	o = smtp_ntlm_text(user, sizeof(user) / 2 - 1, d, dl, uni);
	user[o++] = '\\';
	o += smtp_ntlm_text(user + o, sizeof(user) - o, u, ul, uni);
	if (rl > 64)
		rl = 64;
	util_hex(resp, r, rl);
	smtp_auth_done(s, "NTLM", user, o, resp, 2 * rl, "", 0);
	free(dec);
}

/*
 * SCRAM-SHA-1/256 (RFC 5802): the client's first message names the
 * user; we answer with a nonce and salt, and record the proof of its
 * final message. Without the password there is no server signature to
 * send: a 235 here is one a careful client will not believe.
 */
static void
smtp_auth_scram(struct smtp_session *s, const char *b64, size_t len)
{
	const char *user, *cnonce, *proof;
	size_t ulen, clen, plen;
	char first[512], salt[25];
	unsigned char *dec, sb[16];
	uint64_t r;
	long n;
	int i, m;

	if ((dec = smtp_auth_decode(s, b64, len, &n)) == NULL)
		return;
	if (s->input != SI_AUTH_SCRAM2) {
		user = smtp_auth_field((char *)dec, (size_t)n, "n=", ',',
		    &ulen);
		cnonce = smtp_auth_field((char *)dec, (size_t)n, "r=", ',',
		    &clen);
		if (user == NULL || cnonce == NULL || clen > 200) {
			smtp_auth_fail(s, s->auth_mech, "malformed",
			    (char *)dec, (size_t)n);
			free(dec);
			return;
		}
		free(s->auth_user);
		if ((s->auth_user = malloc(ulen + 1)) == NULL) {
			free(dec);
			smtp_close(s, SMTP_END_ERROR);
			return;
		}
		memcpy(s->auth_user, user, ulen);
		s->auth_user[ulen] = '\0';
		s->auth_user_len = ulen;
		r = smtp_auth_nonce(s);
		for (i = 0; i < 16; i++)
			sb[i] = (unsigned char)(r >> (8 * (i % 8)) ^ i * 37);
		base64_encode(sb, sizeof(sb), salt);
		m = snprintf(first, sizeof(first), "r=%.*s%016llx,s=%s,i=4096",
		    (int)clen, cnonce, (unsigned long long)r, salt);
		smtp_set_input(s, SI_AUTH_SCRAM2);
		smtp_auth_challenge(s, first, (size_t)m);
		free(dec);
		return;
	}
	proof = smtp_auth_field((char *)dec, (size_t)n, "p=", ',', &plen);
	if (proof == NULL)
		smtp_auth_fail(s, s->auth_mech, "malformed", (char *)dec,
		    (size_t)n);
	else
		smtp_auth_done(s, s->auth_mech, s->auth_user,
		    s->auth_user_len, proof, plen, "", 0);
	free(s->auth_user);
	s->auth_user = NULL;
	s->auth_user_len = 0;
	free(dec);
}

/* The mechanisms, and what the first answer to each of them is. */
static const struct smtp_mech {
	const char	*name;
	enum smtp_input	 first;		/* what the first answer is */
} smtp_mechs[] = {
	{ "PLAIN", SI_AUTH_PLAIN },
	{ "LOGIN", SI_AUTH_LOGIN_USER },
	{ "CRAM-MD5", SI_AUTH_CRAM },
	{ "XOAUTH2", SI_AUTH_XOAUTH2 },
	{ "NTLM", SI_AUTH_NTLM1 },
	{ "SCRAM-SHA-1", SI_AUTH_SCRAM1 },
	{ "SCRAM-SHA-256", SI_AUTH_SCRAM1 },
};

/* Feed one base64 answer to the mechanism under way. */
static void
smtp_auth_step(struct smtp_session *s, const char *b64, size_t len)
{
	switch (s->input) {
	case SI_AUTH_PLAIN:
		smtp_auth_plain(s, b64, len);
		break;
	case SI_AUTH_LOGIN_USER:
	case SI_AUTH_LOGIN_PASS:
		smtp_auth_login_step(s, b64, len);
		break;
	case SI_AUTH_CRAM:
		smtp_auth_cram_answer(s, b64, len);
		break;
	case SI_AUTH_XOAUTH2:
		smtp_auth_xoauth2(s, b64, len);
		break;
	case SI_AUTH_NTLM1:
	case SI_AUTH_NTLM3:
		smtp_auth_ntlm(s, b64, len);
		break;
	default:
		smtp_auth_scram(s, b64, len);
		break;
	}
}

/* Is mech one of the persona's words? */
static int
smtp_auth_takes(const struct persona *p, const char *mech)
{
	size_t n = strlen(mech);
	const char *w;

	for (w = p->auth_mechs; (w = strstr(w, mech)) != NULL; w += n)
		if ((w == p->auth_mechs || w[-1] == ' ') &&
		    (w[n] == ' ' || w[n] == '\0'))
			return 1;
	return 0;
}

/* A mechanism we do not know: recorded, and answered as the persona. */
static void
smtp_auth_unsupported(struct smtp_session *s, const char *arg)
{
	const struct spoolfmt_auth a = { arg, "unsupported", "", 0, "", 0,
	    "", 0 };
	char *esc = smtp_escape(arg, strlen(arg), SPOOLFMT_ESC_SPACE);
	struct buf *b;

	if (esc != NULL) {
		if ((b = spool_record_begin(s->spool)) != NULL)
			spool_record_end(s->spool, spoolfmt_auth(b, &a));
		log_info("%s smtp auth mech=%s status=unsupported", s->id,
		    esc);
	}
	free(esc);
	smtp_say_error(s, s->persona->auth_bad_mech, arg);
}

int
smtp_auth_check(struct smtp_session *s, char *arg)
{
	if (s->authenticated) {
		smtp_say_error(s, s->persona->auth_twice, NULL);
		return 0;
	}
	if (*arg == '\0') {
		smtp_say_error(s, s->persona->auth_no_mech, NULL);
		return 0;
	}
	return 1;
}

void
smtp_auth_act(struct smtp_session *s, char *arg)
{
	char *initial = strchr(arg, ' ');
	size_t i;

	if (initial != NULL) {
		*initial++ = '\0';
		while (*initial == ' ')
			initial++;
	}
	s->auth_initial = initial != NULL && *initial != '\0';
	s->auth_chal_len = 0;
	for (i = 0; i < sizeof(smtp_mechs) / sizeof(smtp_mechs[0]); i++)
		if (strcasecmp(arg, smtp_mechs[i].name) == 0)
			break;
	if (i == sizeof(smtp_mechs) / sizeof(smtp_mechs[0]) ||
	    !smtp_auth_takes(s->persona, smtp_mechs[i].name)) {
		smtp_auth_unsupported(s, arg);
		return;
	}
	s->auth_mech = smtp_mechs[i].name;
	smtp_set_input(s, smtp_mechs[i].first);
	if (smtp_mechs[i].first == SI_AUTH_CRAM && s->auth_initial &&
	    (s->persona->flags & PF_CYRUS_SASL))
		/* Cyrus: the server speaks first */
		smtp_auth_fail(s, "CRAM-MD5", "malformed", initial,
		    strlen(initial));
	else if (smtp_mechs[i].first == SI_AUTH_CRAM)
		smtp_auth_cram_start(s);	/* an initial response is ignored */
	else if (s->auth_initial)
		smtp_auth_step(s, initial, strlen(initial));
	else if (smtp_mechs[i].first == SI_AUTH_LOGIN_USER)
		smtp_reply(s, "334 VXNlcm5hbWU6");
	else
		smtp_reply(s, "334 ");
}

/* A line sent in answer to a 334 challenge. */
void
smtp_auth_answer(struct smtp_session *s, struct smtp_line *line)
{
	s->auth_initial = 0;
	if (line->len == 1 && line->text[0] == '*') {
		s->auth_chal_len = 0;
		smtp_auth_fail(s, s->auth_mech, "aborted", NULL, 0);
		return;
	}
	smtp_auth_step(s, line->text, line->len);
}
