/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * simtext: a message's text as its campaign sees it, and the digests of
 * that text. Runs in spampot-analyzer's parse child, unprivileged under
 * its seccomp filter: it only computes (GLib's character tables, libpsl
 * through extract.c, OpenSSL, libfuzzy, libtlsh through tlsh_shim.cc).
 *
 * The text: every text part, then every HTML part as a reader sees it
 * (tags dropped, block tags as line breaks, script, style, title and
 * template content dropped, comments dropped, entities decoded). Both
 * kinds are kept, not one or the other: many spam kits send a stock
 * "your client cannot show HTML" text beside the real HTML, and keeping
 * only the text would give unrelated campaigns one template.
 *
 * Then, word by word (a word: a run between white space, U+00A0 and the
 * other Unicode spaces included), what differs between copies of one
 * campaign becomes a placeholder:
 *   - invisible characters (Unicode format characters: U+00AD, U+200B to
 *     U+200F, U+2060, U+FEFF, ...) are dropped first, so "pay<ZWSP>pal"
 *     is "paypal";
 *   - punctuation around a word stays as it is; its core is judged:
 *   - a URL (http://, https://, ftp://, www.) becomes its host's
 *     registrable domain (path, query and tracking tokens dropped); "url"
 *     when the host has none (an IP address);
 *   - an e-mail address becomes "@": its local part is often the
 *     recipient's own and its domain the recipient's or a throw-away
 *     mailbox, so neither says which campaign it is;
 *   - a hash buster becomes "%": 12 characters or more of [A-Za-z0-9+/=_-]
 *     mixing letters and digits (hex strings, tokens, UUIDs), or 20 or
 *     more of them mixing upper and lower case (base64 without digits);
 *     any word of more than SIMTEXT_WORD_MAX characters too;
 *   - a recipient's name becomes "~", case-insensitively and as a whole
 *     word: the local part of each envelope recipient (the first
 *     SIMTEXT_RCPTS_MAX of them) ("john.smith+x"),
 *     without its +tag, its pieces split at . _ - + and digits (two
 *     letters or more: "john", "smith"), its domain and the domain's
 *     registrable domain (a recipient's domain in a URL, too);
 *   - a number (a run of digits, with . , : / - between digits: prices,
 *     dates, times, order and phone numbers) becomes "#";
 *   - the rest is folded to lower case (Unicode simple case mapping).
 * Words are joined by one space; lines without a letter or a digit
 * (blank, "-----", "* * *") are dropped. No text at all: the subject,
 * normalised the same way; no subject either: "".
 *
 * Bounds: the gathered text is cut at SIMTEXT_RAW_MAX bytes and the
 * normalised text at SIMTEXT_OUT_MAX (at a character's end); each step
 * reads its input once, so the work is linear in the message. Invalid
 * UTF-8 (which mime.c does not hand over) would become U+FFFD: the result
 * is always valid UTF-8.
 */
#include "autoconf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <fuzzy.h>
#include <glib.h>
#include <openssl/evp.h>

#include "buf.h"
#include "extract.h"
#include "mime.h"
#include "simtext.h"
#include "tlsh_shim.h"
#include "util.h"

#define SIMTEXT_RAW_MAX		(1024 * 1024)	/* text gathered from parts */
#define SIMTEXT_OUT_MAX		(256 * 1024)	/* the normalised text */
#define SIMTEXT_WORD_MAX	1024	/* characters; longer: a hash buster */
#define SIMTEXT_BUSTER_MIN	12	/* letters and digits mixed */
#define SIMTEXT_BUSTER_CASE	20	/* upper and lower case mixed */
#define SIMTEXT_SHORT_MIN	6	/* a short buster, see below */
#define SIMTEXT_NAME_MIN	2	/* shorter pieces of a local part */
#define SIMTEXT_TAG_MAX		16	/* a tag name we care about is shorter */

struct simtext_ctx {
	struct buf	 raw;		/* the gathered text */
	int		 rawfull;
	struct buf	 out;		/* the normalised text */
	int		 outfull;
	int		 content;	/* this line has a letter or digit */
	char		**names;	/* recipients' names, sorted */
	size_t		 nnames, capnames;
	gunichar	 cp[SIMTEXT_WORD_MAX];	/* the word being judged */
	size_t		 ncp;
	int		 overlong;
	char		 tmp[SIMTEXT_WORD_MAX * 4 + 1];	/* a core as UTF-8 */
};

/* --- reading and writing characters ------------------------------------ */

/* The character at *pp (U+FFFD for a bad byte), *pp moved past it. */
static gunichar
simtext_next(const char **pp, const char *end)
{
	const unsigned char *p = (const unsigned char *)*pp;
	gunichar c;

	if (*p < 0x80) {
		(*pp)++;
		return *p;
	}
	c = g_utf8_get_char_validated(*pp, end - *pp);
	if (c == (gunichar)-1 || c == (gunichar)-2) {
		(*pp)++;
		return 0xfffd;
	}
	*pp = g_utf8_next_char(*pp);
	return c;
}

/* Append to a capped buffer; once a piece does not fit, nothing more. */
static int
simtext_put(struct buf *b, int *full, size_t max, const void *p, size_t n)
{
	if (*full || b->len + n > max) {
		*full = 1;
		return 0;
	}
	return buf_append(b, p, n);
}

static int
simtext_out(struct simtext_ctx *x, const char *s, size_t n)
{
	return simtext_put(&x->out, &x->outfull, SIMTEXT_OUT_MAX, s, n);
}

/* A character in lower case, as UTF-8. */
static int
simtext_out_char(struct simtext_ctx *x, gunichar c)
{
	char u[8];

	if (c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff) || c == 0)
		c = 0xfffd;
	return simtext_out(x, u, (size_t)g_unichar_to_utf8(
	    g_unichar_tolower(c), u));
}

/* cp[0..n) as UTF-8 in x->tmp, lower case when asked. */
static const char *
simtext_utf8(struct simtext_ctx *x, const gunichar *cp, size_t n, int lower)
{
	size_t i, len = 0;

	for (i = 0; i < n; i++)
		len += (size_t)g_unichar_to_utf8(lower ?
		    g_unichar_tolower(cp[i]) : cp[i], x->tmp + len);
	x->tmp[len] = '\0';
	return x->tmp;
}

/* --- what a word is ------------------------------------------------------ */

static int
simtext_is_punct(gunichar c)
{
	return c < 0x80 ? g_ascii_ispunct((gchar)c) : g_unichar_ispunct(c);
}

static int
simtext_is_space(gunichar c)
{
	return c < 0x80 ? g_ascii_isspace((gchar)c) : g_unichar_isspace(c);
}

static int
simtext_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Is the lower-case UTF-8 string S a recipient's name? */
static int
simtext_is_name(const struct simtext_ctx *x, const char *s)
{
	return x->nnames > 0 && bsearch(&s, x->names, x->nnames,
	    sizeof(x->names[0]), simtext_name_cmp) != NULL;
}

/* A URL starts at cp[i]: "http://", "https://", "ftp://" or "www.". */
static int
simtext_url_at(const gunichar *cp, size_t n, size_t i)
{
	static const char *const starts[] = {
		"http://", "https://", "ftp://", "www."
	};
	size_t k, j, len;

	for (k = 0; k < sizeof(starts) / sizeof(starts[0]); k++) {
		len = strlen(starts[k]);
		if (n - i < len + 1)
			continue;
		for (j = 0; j < len; j++)
			if (cp[i + j] >= 0x80 || g_ascii_tolower(
			    (gchar)cp[i + j]) != starts[k][j])
				break;
		if (j < len)
			continue;
		/* "www." inside a word ("awww.") is not a host */
		if (k == 3 && i > 0 && g_unichar_isalnum(cp[i - 1]))
			continue;
		return 1;
	}
	return 0;
}

static int
simtext_is_email(const gunichar *cp, size_t n)
{
	size_t i, at = 0;

	for (i = 1; i < n && at == 0; i++)
		if (cp[i] == '@')
			at = i;
	for (i = at + 2; at > 0 && i + 1 < n; i++)
		if (cp[i] == '.')
			return 1;
	return 0;
}

/* A random-looking token: see the top of the file. */
static int
simtext_is_buster(const gunichar *cp, size_t n)
{
	int alpha = 0, digit = 0, upper = 0, lower = 0;
	size_t i;

	if (n < SIMTEXT_BUSTER_MIN)
		return 0;
	for (i = 0; i < n; i++) {
		if (cp[i] >= 0x80)
			return 0;
		if (g_ascii_isdigit((gchar)cp[i]))
			digit = 1;
		else if (g_ascii_isalpha((gchar)cp[i])) {
			alpha = 1;
			upper += g_ascii_isupper((gchar)cp[i]) && i > 0;
			lower += g_ascii_islower((gchar)cp[i]);
		} else if (strchr("+/=_-", (int)cp[i]) == NULL)
			return 0;
	}
	return (alpha && digit) ||
	    (n >= SIMTEXT_BUSTER_CASE && upper >= 3 && lower >= 3);
}

/*
 * A short random token: SIMTEXT_SHORT_MIN letters and digits or more, at
 * least 2 of each, switching between them twice or more ("x7k2p9",
 * "ab12cd"), which words with a number at one end ("covid19", "mp3",
 * "win10", "4k") do not.
 */
static int
simtext_is_short_buster(const gunichar *cp, size_t n)
{
	int alpha = 0, digit = 0, turns = 0, was = -1, d;
	size_t i;

	if (n < SIMTEXT_SHORT_MIN)
		return 0;
	for (i = 0; i < n; i++) {
		if (cp[i] >= 0x80 || !g_ascii_isalnum((gchar)cp[i]))
			return 0;
		d = g_ascii_isdigit((gchar)cp[i]) != 0;
		digit += d;
		alpha += !d;
		turns += was >= 0 && d != was;
		was = d;
	}
	return alpha >= 2 && digit >= 2 && turns >= 2;
}

/* --- placeholders ------------------------------------------------------ */

/* The registrable domain of a URL's host, or "url"; "~": a recipient's. */
static int
simtext_url(struct simtext_ctx *x, const gunichar *cp, size_t n)
{
	const char *u, *h, *end, *at;
	char *host, *dom;
	int rc;

	u = simtext_utf8(x, cp, n, 1);
	if (strncmp(u, "www.", 4) == 0 || (h = strstr(u, "://")) == NULL)
		h = u;
	else
		h += 3;
	end = h + strcspn(h, "/?#\\");
	for (at = h; (at = memchr(at, '@', (size_t)(end - at))) != NULL; )
		h = ++at;
	if (*h != '[')
		end = h + strcspn(h, ":/?#\\");
	if ((host = strndup(h, (size_t)(end - h))) == NULL)
		return -1;
	dom = extract_registrable_domain(host);
	free(host);
	if (dom == NULL)
		return simtext_out(x, "url", 3);
	if (simtext_is_name(x, dom))
		rc = simtext_out(x, "~", 1);
	else
		rc = simtext_out(x, dom, strlen(dom));
	free(dom);
	return rc;
}

/* A run of digits with . , : / - between them; its length. */
static size_t
simtext_number_len(const gunichar *cp, size_t n)
{
	size_t i = 0;

	while (i < n) {
		if (g_unichar_isdigit(cp[i]))
			i++;
		else if (i > 0 && i + 1 < n && cp[i] < 0x80 && cp[i] != 0 &&
		    strchr(".,:/-", (int)cp[i]) != NULL &&
		    g_unichar_isdigit(cp[i + 1]))
			i++;
		else
			break;
	}
	return i;
}

/* Words that are none of the above: names, numbers, lower case. */
static int
simtext_plain(struct simtext_ctx *x, const gunichar *cp, size_t n)
{
	const char *s;
	size_t i = 0, k;

	while (i < n) {
		if (g_unichar_isdigit(cp[i])) {
			i += simtext_number_len(cp + i, n - i);
			if (simtext_out(x, "#", 1) == -1)
				return -1;
		} else if (g_unichar_isalpha(cp[i])) {
			for (k = i; k < n && g_unichar_isalpha(cp[k]); k++)
				;
			s = simtext_utf8(x, cp + i, k - i, 1);
			if (simtext_is_name(x, s))
				s = "~";
			if (simtext_out(x, s, strlen(s)) == -1)
				return -1;
			i = k;
		} else if (simtext_out_char(x, cp[i++]) == -1)
			return -1;
	}
	return 0;
}

/* A word without the punctuation around it. */
static int
simtext_core(struct simtext_ctx *x, const gunichar *cp, size_t n)
{
	size_t i;

	x->content = 1;
	for (i = 0; i < n; i++)
		if (simtext_url_at(cp, n, i))
			break;
	if (i < n) {
		if (simtext_plain(x, cp, i) == -1)
			return -1;
		return simtext_url(x, cp + i, n - i);
	}
	if (simtext_is_email(cp, n))
		return simtext_out(x, "@", 1);
	/* A name first: a recipient "jd83k2x" is "~" as "john" is. */
	if (simtext_is_name(x, simtext_utf8(x, cp, n, 1)))
		return simtext_out(x, "~", 1);
	if (simtext_is_buster(cp, n) || simtext_is_short_buster(cp, n))
		return simtext_out(x, "%", 1);
	return simtext_plain(x, cp, n);
}

/* The word in x->cp: punctuation, its core, punctuation. */
static int
simtext_word(struct simtext_ctx *x)
{
	size_t lo, hi, i;

	if (x->out.len > 0 && x->out.data[x->out.len - 1] != '\n' &&
	    simtext_out(x, " ", 1) == -1)
		return -1;
	if (x->overlong) {
		x->content = 1;
		return simtext_out(x, "%", 1);
	}
	for (lo = 0; lo < x->ncp && simtext_is_punct(x->cp[lo]); lo++)
		;
	for (hi = x->ncp; hi > lo && simtext_is_punct(x->cp[hi - 1]); hi--)
		;
	for (i = 0; i < lo; i++)
		if (simtext_out_char(x, x->cp[i]) == -1)
			return -1;
	if (hi > lo && simtext_core(x, x->cp + lo, hi - lo) == -1)
		return -1;
	for (i = hi; i < x->ncp; i++)
		if (simtext_out_char(x, x->cp[i]) == -1)
			return -1;
	return 0;
}

/* One line of gathered text; dropped when it has no letter or digit. */
static int
simtext_line(struct simtext_ctx *x, const char *p, const char *end)
{
	size_t start = x->out.len;
	gunichar c;

	x->content = 0;
	x->ncp = 0;
	x->overlong = 0;
	while (p < end && !x->outfull) {
		c = simtext_next(&p, end);
		if (g_unichar_type(c) == G_UNICODE_FORMAT)
			continue;	/* invisible */
		if (!simtext_is_space(c)) {
			if (x->ncp < SIMTEXT_WORD_MAX)
				x->cp[x->ncp++] = c;
			else
				x->overlong = 1;
			continue;
		}
		if (x->ncp > 0 && simtext_word(x) == -1)
			return -1;
		x->ncp = 0;
		x->overlong = 0;
	}
	if (x->ncp > 0 && simtext_word(x) == -1)
		return -1;
	if (!x->content || x->outfull) {
		x->out.len = start;
		return 0;
	}
	return simtext_out(x, "\n", 1);
}

static int
simtext_lines(struct simtext_ctx *x, const char *p, size_t len)
{
	const char *end, *nl;

	if (len == 0)
		return 0;	/* p may be NULL: nothing was gathered */
	for (end = p + len; p < end && !x->outfull; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if (simtext_line(x, p, nl) == -1)
			return -1;
	}
	return 0;
}

/* --- gathering the text -------------------------------------------------- */

/* Append to the gathered text, cut at a character's end. */
static int
simtext_raw(struct simtext_ctx *x, const char *p, size_t n)
{
	size_t room = SIMTEXT_RAW_MAX - x->raw.len;

	if (x->rawfull)
		return 0;
	if (n > room) {
		while (room > 0 && ((unsigned char)p[room] & 0xc0) == 0x80)
			room--;
		x->rawfull = 1;
		return buf_append(&x->raw, p, room);
	}
	return buf_append(&x->raw, p, n);
}

static int
simtext_raw_char(struct simtext_ctx *x, gunichar c)
{
	char u[8];

	if (c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff) || c == 0)
		c = 0xfffd;
	return simtext_raw(x, u, (size_t)g_unichar_to_utf8(c, u));
}

/* "&#NNN;", "&#xHH;" (";" optional): bytes read, 0 when not one. */
static size_t
simtext_numeric_entity(const char *p, gunichar *c)
{
	size_t i, start;
	int hex, d;

	if (p[0] != '&' || p[1] != '#')
		return 0;
	hex = p[2] == 'x' || p[2] == 'X';
	start = i = 2 + (size_t)hex;
	for (*c = 0; p[i] != '\0'; i++) {
		d = hex ? util_hexval((unsigned char)p[i], 0) :
		    g_ascii_isdigit(p[i]) ? p[i] - '0' : -1;
		if (d < 0)
			break;
		*c = *c * (hex ? 16 : 10) + (gunichar)d;
		if (*c > 0x10ffff)
			*c = 0x110000;	/* stays out of range: U+FFFD */
	}
	if (i == start)
		return 0;
	return p[i] == ';' ? i + 1 : i;
}

/* An entity at p (NUL-terminated): bytes read and *c; 0: none. */
static size_t
simtext_entity(const char *p, gunichar *c)
{
	static const struct {
		const char	*name;
		gunichar	 c;
	} named[] = {
		{ "amp;", '&' }, { "lt;", '<' }, { "gt;", '>' },
		{ "quot;", '"' }, { "apos;", '\'' }, { "nbsp;", 0xa0 },
		{ "AMP;", '&' }, { "LT;", '<' }, { "GT;", '>' },
		{ "QUOT;", '"' }, { "shy;", 0xad }, { "zwnj;", 0x200c },
		{ "zwj;", 0x200d }, { "copy;", 0xa9 }, { "reg;", 0xae },
		{ "trade;", 0x2122 }, { "hellip;", 0x2026 },
		{ "mdash;", 0x2014 }, { "ndash;", 0x2013 },
		{ "lsquo;", 0x2018 }, { "rsquo;", 0x2019 },
		{ "ldquo;", 0x201c }, { "rdquo;", 0x201d },
		{ "laquo;", 0xab }, { "raquo;", 0xbb }, { "bull;", 0x2022 },
		{ "middot;", 0xb7 }, { "euro;", 0x20ac }, { "pound;", 0xa3 },
		{ "yen;", 0xa5 }, { "cent;", 0xa2 }, { "deg;", 0xb0 },
		{ "times;", 0xd7 }, { "eacute;", 0xe9 }, { "egrave;", 0xe8 },
		{ "agrave;", 0xe0 }, { "aacute;", 0xe1 }, { "ccedil;", 0xe7 },
		{ "auml;", 0xe4 }, { "ouml;", 0xf6 }, { "uuml;", 0xfc },
		{ "szlig;", 0xdf }, { "ntilde;", 0xf1 }, { "ensp;", 0x2002 },
		{ "emsp;", 0x2003 }, { "thinsp;", 0x2009 },
	};
	size_t i, len;

	if (p[0] != '&')
		return 0;
	for (i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
		len = strlen(named[i].name);
		if (strncmp(p + 1, named[i].name, len) == 0) {
			*c = named[i].c;
			return len + 1;
		}
	}
	return simtext_numeric_entity(p, c);
}

/* HTML text between tags: entities decoded, source line breaks spaces. */
static const char *
simtext_html_text(struct simtext_ctx *x, const char *h)
{
	gunichar c;
	size_t k;

	while (*h != '\0' && *h != '<' && !x->rawfull) {
		if (*h == '&' && (k = simtext_entity(h, &c)) > 0) {
			if (simtext_raw_char(x, c) == -1)
				return NULL;
			h += k;
			continue;
		}
		k = strcspn(h, "&<\r\n\t");
		if (k == 0) {
			if (simtext_raw(x, *h == '&' ? "&" : " ", 1) == -1)
				return NULL;
			k = 1;
		} else if (simtext_raw(x, h, k) == -1)
			return NULL;
		h += k;
	}
	return h;
}

/* Is NAME (lower case) one of the NULL-terminated LIST? */
static int
simtext_tag_in(const char *name, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(name, *list) == 0)
			return 1;
	return 0;
}

/* Past "</NAME ...>", or the end when it is not closed. */
static const char *
simtext_skip_to_close(const char *h, const char *name)
{
	size_t len = strlen(name);

	while ((h = strchr(h, '<')) != NULL) {
		if (h[1] == '/' && g_ascii_strncasecmp(h + 2, name, len) == 0 &&
		    !g_ascii_isalnum(h[2 + len])) {
			h += strcspn(h, ">");
			return h + (*h == '>');
		}
		h++;
	}
	return NULL;
}

/* Past the element whose start tag ends at H: its close tag, same-name
 * elements inside counted; the end when it is not closed. */
static const char *
simtext_skip_element(const char *h, const char *name)
{
	size_t len = strlen(name);
	int depth = 1, closing, same;

	while ((h = strchr(h, '<')) != NULL) {
		closing = h[1] == '/';
		same = g_ascii_strncasecmp(h + 1 + closing, name, len) == 0 &&
		    !g_ascii_isalnum(h[1 + closing + len]);
		h += strcspn(h, ">");
		if (*h == '\0')
			return NULL;
		if (same && closing && --depth == 0)
			return h + 1;
		if (same && !closing && h[-1] != '/')	/* "<b/>" opens none */
			depth++;
		h++;
	}
	return NULL;
}

/* Is the declaration value V white? */
static int
simtext_white(const char *v)
{
	return strcmp(v, "#fff") == 0 || strcmp(v, "#ffffff") == 0 ||
	    strcmp(v, "white") == 0 || strcmp(v, "rgb(255,255,255)") == 0;
}

/* One declaration "prop:value" (lower case, no blanks): hides? Colour
 * is judged by the caller, who knows the background. */
static int
simtext_decl_hides(const char *d)
{
	static const char *const hiders[] = {
		"display:none", "visibility:hidden", "font-size:0",
		"font-size:0px", "font-size:0pt", "font-size:0em",
		"font-size:1px", "max-height:0", "max-height:0px", "opacity:0",
		NULL
	};

	return simtext_tag_in(d, hiders);
}

/*
 * Does the start tag [h, end) hide its content by its inline style?
 * display:none, visibility:hidden, font-size 0 or 1px, max-height:0,
 * opacity:0, or text coloured as its own background (white when it sets
 * none: a white button label on a coloured background stays). Spammers
 * hide hash busters so; a reader never sees them.
 */
static int
simtext_tag_hides(const char *h, const char *end)
{
	char buf[512], *d, *save, *colour = NULL, *bg = NULL;
	const char *st;
	size_t n = 0;

	for (st = h; st + 6 <= end; st++)
		if (g_ascii_strncasecmp(st, "style", 5) == 0 &&
		    !g_ascii_isalnum(st[-1]))
			break;
	if (st + 6 > end)
		return 0;
	for (st += 5; st < end && strchr(" \t\r\n=\"'", *st) != NULL; st++)
		;
	for (; st < end && *st != '"' && *st != '\'' && *st != '>' &&
	    n < sizeof(buf) - 1; st++)
		if (!g_ascii_isspace(*st))
			buf[n++] = g_ascii_tolower(*st);
	buf[n] = '\0';
	for (d = strtok_r(buf, ";", &save); d != NULL;
	    d = strtok_r(NULL, ";", &save)) {
		if (simtext_decl_hides(d))
			return 1;
		if (strncmp(d, "color:", 6) == 0)
			colour = d + 6;
		else if (strncmp(d, "background-color:", 17) == 0)
			bg = d + 17;
		else if (strncmp(d, "background:", 11) == 0)
			bg = d + 11;
	}
	if (colour == NULL)
		return 0;
	return bg != NULL ? strcmp(colour, bg) == 0 : simtext_white(colour);
}

/* A tag at h ('<'): what it means for the text; past it. */
static const char *
simtext_html_tag(struct simtext_ctx *x, const char *h)
{
	static const char *const hidden[] = {
		"script", "style", "title", "template", NULL
	};
	static const char *const block[] = {
		"br", "p", "div", "tr", "li", "ul", "ol", "table", "h1", "h2",
		"h3", "h4", "h5", "h6", "blockquote", "hr", "center", "pre",
		"dt", "dd", "section", "article", "header", "footer", "form",
		"option", "tbody", "thead", "body", NULL
	};
	static const char *const empty[] = {	/* no content, no close */
		"area", "base", "br", "col", "embed", "hr", "img", "input",
		"link", "meta", "source", "track", "wbr", NULL
	};
	char name[SIMTEXT_TAG_MAX];
	const char *end;
	size_t n = 0;
	int closing;

	if (strncmp(h, "<!--", 4) == 0) {
		/* Unclosed, it hides the rest, as in a browser. */
		end = strstr(h + 4, "-->");
		return end != NULL ? end + 3 : h + strlen(h);
	}
	closing = h[1] == '/';
	for (end = h + 1 + closing; g_ascii_isalnum(*end); end++)
		if (n < sizeof(name) - 1)
			name[n++] = g_ascii_tolower(*end);
	name[n] = '\0';
	end += strcspn(end, ">");
	end += *end == '>';
	if (!closing && n > 0 && end[-1] == '>' && end - h >= 2 &&
	    end[-2] != '/' && !simtext_tag_in(name, empty) &&
	    simtext_tag_hides(h, end)) {
		end = simtext_skip_element(end, name);
		return end != NULL ? end : h + strlen(h);
	}
	if (!closing && simtext_tag_in(name, hidden)) {
		end = simtext_skip_to_close(end, name);
		return end != NULL ? end : h + strlen(h);
	}
	if (strcmp(name, "td") == 0 || strcmp(name, "th") == 0)
		return simtext_raw(x, " ", 1) == -1 ? NULL : end;
	if (simtext_tag_in(name, block))
		return simtext_raw(x, "\n", 1) == -1 ? NULL : end;
	return end;	/* inline: "<b>S</b>ale" reads "Sale" */
}

/* "<" starts a tag, a comment or a declaration; "a < b" does not. */
static int
simtext_tag_start(const char *h)
{
	return h[0] == '<' && (h[1] == '/' || h[1] == '!' || h[1] == '?' ||
	    g_ascii_isalpha(h[1]));
}

static int
simtext_html(struct simtext_ctx *x, const char *h)
{
	while (*h != '\0' && !x->rawfull) {
		if (simtext_tag_start(h))
			h = simtext_html_tag(x, h);
		else if (*h == '<')
			h = simtext_raw(x, "<", 1) == -1 ? NULL : h + 1;
		else
			h = simtext_html_text(x, h);
		if (h == NULL)
			return -1;
	}
	return simtext_raw(x, "\n", 1);
}

static int
simtext_gather(struct simtext_ctx *x, const struct mime_message *m)
{
	size_t i;

	for (i = 0; i < m->ntexts; i++)
		if (m->texts[i] != NULL &&
		    (simtext_raw(x, m->texts[i], strlen(m->texts[i])) == -1 ||
		    simtext_raw(x, "\n", 1) == -1))
			return -1;
	for (i = 0; i < m->nhtmls; i++)
		if (m->htmls[i] != NULL && simtext_html(x, m->htmls[i]) == -1)
			return -1;
	return 0;
}

/* --- the recipients' names --------------------------------------------- */

static int
simtext_name_add(struct simtext_ctx *x, const char *s, size_t len)
{
	char **v, *name;

	if (len < SIMTEXT_NAME_MIN)
		return 0;
	if ((name = g_utf8_strdown(s, (gssize)len)) == NULL)
		return -1;
	if (x->nnames == x->capnames) {
		/* grown by doubling: a realloc each time is quadratic where
		 * realloc copies (as under AddressSanitizer) */
		if ((v = reallocarray(x->names, x->capnames ?
		    2 * x->capnames : 16, sizeof(*v))) == NULL) {
			g_free(name);
			return -1;
		}
		x->names = v;
		x->capnames = x->capnames ? 2 * x->capnames : 16;
	}
	x->names[x->nnames++] = name;
	return 0;
}

/* "john.smith+tag": itself, "john.smith", "john", "smith". */
static int
simtext_local_names(struct simtext_ctx *x, const char *s, size_t len)
{
	size_t i, k;

	if (simtext_name_add(x, s, len) == -1)
		return -1;
	len = strcspn(s, "+") < len ? strcspn(s, "+") : len;
	if (simtext_name_add(x, s, len) == -1)
		return -1;
	for (i = 0; i < len; i = k + 1) {
		for (k = i; k < len && strchr("._-", s[k]) == NULL &&
		    !g_ascii_isdigit(s[k]); k++)
			;
		if (k - i < len && simtext_name_add(x, s + i, k - i) == -1)
			return -1;
	}
	return 0;
}

static int
simtext_rcpt_names(struct simtext_ctx *x, const char *r)
{
	const char *at;
	char *dom;
	size_t len;
	int rc;

	r += *r == '<';
	len = strcspn(r, ">");
	if ((at = memrchr(r, '@', len)) == NULL)
		return simtext_local_names(x, r, len);
	if (simtext_local_names(x, r, (size_t)(at - r)) == -1 ||
	    simtext_name_add(x, at + 1, len - (size_t)(at + 1 - r)) == -1)
		return -1;
	if (x->nnames == 0 || (dom = extract_registrable_domain(
	    x->names[x->nnames - 1])) == NULL)
		return 0;
	rc = simtext_name_add(x, dom, strlen(dom));
	free(dom);
	return rc;
}

static int
simtext_names(struct simtext_ctx *x, const char *const *rcpts, size_t n)
{
	size_t i, k;

	for (i = 0; i < n && i < SIMTEXT_RCPTS_MAX; i++)
		if (rcpts[i] != NULL && simtext_rcpt_names(x, rcpts[i]) == -1)
			return -1;
	if (x->nnames == 0)
		return 0;
	qsort(x->names, x->nnames, sizeof(x->names[0]), simtext_name_cmp);
	for (i = k = 1; i < x->nnames; i++) {
		if (strcmp(x->names[i], x->names[k - 1]) == 0)
			g_free(x->names[i]);
		else
			x->names[k++] = x->names[i];
	}
	x->nnames = k;
	return 0;
}

/* --- the API ----------------------------------------------------------- */

static void
simtext_ctx_clear(struct simtext_ctx *x)
{
	size_t i;

	for (i = 0; i < x->nnames; i++)
		g_free(x->names[i]);
	free(x->names);
	buf_release(&x->raw);
	buf_release(&x->out);
}

char *
simtext_normalize(const struct mime_message *m, const char *const *rcpts,
    size_t nrcpts)
{
	struct simtext_ctx *x;
	char *text = NULL;

	if ((x = calloc(1, sizeof(*x))) == NULL)
		return NULL;
	if (simtext_names(x, rcpts, nrcpts) == -1 ||
	    simtext_gather(x, m) == -1 ||
	    simtext_lines(x, x->raw.data, x->raw.len) == -1)
		goto done;
	if (x->out.len == 0 && m->subject != NULL &&
	    simtext_lines(x, m->subject, strlen(m->subject)) == -1)
		goto done;
	if (x->out.len > 0 && x->out.data[x->out.len - 1] == '\n')
		x->out.len--;
	if (buf_append(&x->out, "", 1) == -1)
		goto done;
	text = x->out.data;
	x->out.data = NULL;
done:
	simtext_ctx_clear(x);
	free(x);
	return text;
}

int
simtext_digest(const char *text, size_t len, struct simtext_digest *d)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	memset(d, 0, sizeof(*d));
	if (len == 0)
		return 0;
	if (EVP_Digest(text, len, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen != 32)
		return -1;
	util_hex(d->template, md, mdlen);
	/* Too short or too uniform: no TLSH, which is not an error. */
	(void)tlsh_shim_hash(text, len, d->tlsh, sizeof(d->tlsh));
	/* libfuzzy takes 32-bit lengths; our texts are far shorter. */
	if (len > UINT32_MAX || fuzzy_hash_buf((const unsigned char *)text,
	    (uint32_t)len, d->ssdeep) != 0)
		d->ssdeep[0] = '\0';
	return 0;
}

int
simtext_tlsh_distance(const char *a, const char *b)
{
	return tlsh_shim_diff(a, b);
}
