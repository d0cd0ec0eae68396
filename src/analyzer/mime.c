/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * mime: one captured message walked with GMime 3: the decoded subject, every
 * header, the text and HTML parts in UTF-8, uuencoded files found in the
 * text, and the attachments with their MD5, SHA-1 and SHA-256 (libcrypto).
 * Runs in the analyzer only, which is unprivileged, reads spool files and
 * never faces the network; GMime's global state makes it single-threaded.
 *
 * Spam is rarely well-formed MIME. What GMime cannot place is kept as text
 * rather than dropped: a body without any header, a multipart whose
 * boundary is missing or wrong (parsed again with the boundary its body
 * uses), a text part whose "base64" is plain text. Only running out of
 * memory fails a parse; GLib itself aborts on that.
 */
#include "autoconf.h"

#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gmime/gmime.h>
#include <openssl/evp.h>

#include "buf.h"
#include "charset.h"
#include "mime.h"
#include "mime_words.h"
#include "utf8.h"
#include "util.h"

/* Deeper than GMime's own limit on nesting, so only a safety net. */
#define MIME_MAX_DEPTH		2048
/* Bytes of HTML searched for a <meta> charset. */
#define MIME_META_WINDOW	4096
/* What unlabelled 8-bit text is taken to be when it is not UTF-8. */
#define MIME_FALLBACK_CHARSET	"windows-1252"
/*
 * Nesting copies bytes: an attached message is listed as an attachment of
 * its own bytes, a multipart that lost its boundary is parsed again. Each
 * level copies all it holds, so n bytes nested d deep would cost n * d in
 * memory and time. What one message may copy that way: this many times its
 * size, and a little more.
 */
#define MIME_COPY_FACTOR	4
#define MIME_COPY_MIN		(1024 * 1024)
/* How far into a multipart its declared charset is looked for. */
#define MIME_DECLARED_DEPTH	3
#define MIME_DECLARED_PARTS	8

struct mime_walk {
	struct mime_message	*out;
	struct buf		 headers;
	GMimeParserOptions	*options;
	GMimeFormatOptions	*format;	/* the input's newlines */
	size_t			 copy_left;	/* see MIME_COPY_FACTOR */
	const char		*declared;	/* see mime_declared */
};

static int	mime_walk(struct mime_walk *, GMimeObject *, int);
static int	mime_walk_message(struct mime_walk *, GMimeMessage *, int);

void
mime_init(void)
{
	static int done;

	if (!done) {
		g_mime_init();
		done = 1;
	}
}

/* --- charsets -------------------------------------------------------- */

/* Valid UTF-8 apart from NUL bytes (which utf8_sanitize replaces). */
static int
mime_is_utf8(const char *p, size_t n)
{
	size_t i = 0;

	for (;;) {
		i += utf8_prefix(p + i, n - i);
		if (i == n)
			return 1;
		if (p[i] != '\0')
			return 0;
		i++;
	}
}

/*
 * Convert with an open iconv descriptor. A byte the charset does not
 * define, or a sequence cut off at the end, becomes U+FFFD and the
 * conversion goes on, so no text after it is lost; *faults counts them.
 */
static char *
mime_iconv(iconv_t cd, const char *in, size_t n, size_t *faults)
{
	struct buf b = { NULL, 0, 0 };
	char chunk[4096], *ip = (char *)in, *op, *text;
	size_t il = n, ol;
	int more = 1, err;

	*faults = 0;
	iconv(cd, NULL, NULL, NULL, NULL);
	while (more) {
		op = chunk;
		ol = sizeof(chunk);
		if (il == 0) {
			iconv(cd, NULL, NULL, &op, &ol);	/* shift back */
			more = 0;
		} else if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1 &&
		    (err = errno) != E2BIG) {
			if (buf_append(&b, chunk, (size_t)(op - chunk)) == -1)
				goto fail;
			memcpy(chunk, "\xef\xbf\xbd", 3);
			op = chunk + 3;
			(*faults)++;
			/* EILSEQ: step over one byte; EINVAL: the end. */
			if (err == EILSEQ && il > 0) {
				ip++;
				il--;
			} else
				il = 0;
		}
		if (buf_append(&b, chunk, (size_t)(op - chunk)) == -1)
			goto fail;
	}
	text = utf8_sanitize(b.data ? b.data : "", b.len);
	buf_release(&b);
	return text;
fail:
	buf_release(&b);
	return NULL;
}

/* A label that says nothing beyond ASCII: as good as none. */
static int
mime_is_ascii_label(const char *charset)
{
	return g_ascii_strcasecmp(charset, "us-ascii") == 0 ||
	    g_ascii_strcasecmp(charset, "ascii") == 0;
}

static int
mime_is_utf8_label(const char *charset)
{
	return g_ascii_strcasecmp(charset, "utf-8") == 0 ||
	    g_ascii_strcasecmp(charset, "utf8") == 0;
}

/*
 * n bytes in charset to UTF-8 in *text, the bytes it does not define
 * counted in *faults: 1, or 0 when iconv does not know the charset, or -1
 * when out of memory.
 */
static int
mime_convert(const char *charset, const char *p, size_t n, char **text,
    size_t *faults)
{
	iconv_t cd;

	if ((cd = charset_to_utf8(charset)) == (iconv_t)-1)
		return 0;
	*text = mime_iconv(cd, p, n, faults);
	return *text == NULL ? -1 : 1;
}

/*
 * Bytes that carry no label: UTF-8 when they are valid UTF-8, else the
 * charset declared for them (may be NULL), else MIME_FALLBACK_CHARSET;
 * the first that reads them without a fault, or the one with fewest. This
 * is the order of GMime's fallback charsets (g_mime_utils_decode_8bit),
 * which shows a fault as '?', here U+FFFD.
 */
static char *
mime_fallback(const char *declared, const char *p, size_t n)
{
	const char *charsets[2] = { declared, MIME_FALLBACK_CHARSET };
	char *best = NULL, *text;
	size_t i, faults, least = SIZE_MAX;
	int rc;

	if (mime_is_utf8(p, n))
		return utf8_sanitize(p, n);
	for (i = 0; i < 2 && least > 0; i++) {
		if (charsets[i] == NULL || mime_is_ascii_label(charsets[i]) ||
		    mime_is_utf8_label(charsets[i]))
			continue;
		if ((rc = mime_convert(charsets[i], p, n, &text,
		    &faults)) == -1) {
			free(best);
			return NULL;
		}
		if (rc == 1 && faults < least) {
			free(best);
			best = text;
			least = faults;
		} else if (rc == 1)
			free(text);
	}
	return best != NULL ? best : utf8_sanitize(p, n);
}

/*
 * n bytes in a charset to UTF-8. Text labelled US-ASCII or not labelled at
 * all is UTF-8 when it is valid UTF-8, else the fallback charset; a charset
 * iconv does not know leaves the bytes to utf8_sanitize.
 */
static char *
mime_to_utf8(const char *charset, const char *p, size_t n)
{
	char *text;
	size_t faults;
	int rc;

	if (charset != NULL && mime_is_utf8_label(charset))
		return utf8_sanitize(p, n);
	if (charset == NULL || mime_is_ascii_label(charset))
		return mime_fallback(NULL, p, n);
	if ((rc = mime_convert(charset, p, n, &text, &faults)) == 0)
		return utf8_sanitize(p, n);
	return rc == 1 ? text : NULL;
}

/*
 * Header bytes (a subject, a file name) to UTF-8: mime_words_conv. Bytes
 * in a charset iconv knows are read in it; the others, sent raw or with a
 * label nobody knows, as the fallback charsets say, with the charset the
 * message or part declares for its text second: a subject sent in raw
 * KOI8-R is in the charset of the body written with it.
 */
static char *
mime_header_to_utf8(const char *charset, const char *declared, const char *p,
    size_t n)
{
	char *text;
	size_t faults;
	int rc;

	if (charset != NULL && mime_is_utf8_label(charset))
		return utf8_sanitize(p, n);
	if (charset != NULL && !mime_is_ascii_label(charset)) {
		if ((rc = mime_convert(charset, p, n, &text, &faults)) != 0)
			return rc == 1 ? text : NULL;
	}
	return mime_fallback(declared, p, n);
}

/* An HTML part without a charset parameter: its <meta> charset, if any. */
static int
mime_html_charset(const char *p, size_t n, char *dst, size_t dstlen)
{
	static const char key[] = "charset=";
	size_t i, k, len = n < MIME_META_WINDOW ? n : MIME_META_WINDOW;

	for (i = 0; i + sizeof(key) - 1 <= len; i++) {
		if (g_ascii_strncasecmp(p + i, key, sizeof(key) - 1) != 0)
			continue;
		i += sizeof(key) - 1;
		while (i < len && (p[i] == '"' || p[i] == '\'' || p[i] == ' '))
			i++;
		for (k = 0; i < len && k + 1 < dstlen &&
		    (isalnum((unsigned char)p[i]) || p[i] == '-' ||
		    p[i] == '_' || p[i] == '.' || p[i] == ':'); i++)
			dst[k++] = p[i];
		dst[k] = '\0';
		return k > 0 ? 0 : -1;
	}
	return -1;
}

/* Line ends become "\n" in text handed on (the input may use either). */
static void
mime_strip_cr(char *s)
{
	char *o = s;

	for (; *s != '\0'; s++)
		if (s[0] != '\r' || s[1] != '\n')
			*o++ = *s;
	*o = '\0';
}

/* --- content --------------------------------------------------------- */

static int
mime_stream_bytes(GMimeStream *src, struct buf *out)
{
	GMimeStream *mem;
	GByteArray *ba;
	int rc;

	mem = g_mime_stream_mem_new();
	g_mime_stream_reset(src);
	g_mime_stream_write_to_stream(src, mem);
	g_mime_stream_reset(src);
	ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	rc = buf_append(out, ba->data, ba->len);
	g_object_unref(mem);
	return rc;
}

/*
 * Whether a body labelled base64 is base64: most of its lines hold nothing
 * but the alphabet. Plain text sent with the wrong label has spaces and
 * punctuation on almost every line.
 */
static int
mime_looks_base64(const char *p, size_t n)
{
	size_t i = 0, start, end, good = 0, bad = 0;

	while (i < n) {
		start = i;
		while (i < n && p[i] != '\n')
			i++;
		end = i++;
		while (start < end && isspace((unsigned char)p[start]))
			start++;
		while (end > start && isspace((unsigned char)p[end - 1]))
			end--;
		if (start == end)
			continue;
		while (start < end && (isalnum((unsigned char)p[start]) ||
		    p[start] == '+' || p[start] == '/' || p[start] == '='))
			start++;
		if (start == end)
			good++;
		else
			bad++;
	}
	return good > bad;
}

/*
 * A part's content with its transfer encoding undone. For text, a base64
 * label on what is not base64 is ignored, so the text survives.
 */
static int
mime_part_content(GMimePart *part, int text, struct buf *out)
{
	GMimeDataWrapper *dw;
	GMimeStream *mem;
	GByteArray *ba;
	int rc;

	if ((dw = g_mime_part_get_content(part)) == NULL)
		return 0;
	if (text && g_mime_data_wrapper_get_encoding(dw) ==
	    GMIME_CONTENT_ENCODING_BASE64) {
		if (mime_stream_bytes(g_mime_data_wrapper_get_stream(dw),
		    out) == -1)
			return -1;
		if (!mime_looks_base64(out->data, out->len))
			return 0;
		out->len = 0;
	}
	mem = g_mime_stream_mem_new();
	g_mime_data_wrapper_write_to_stream(dw, mem);
	ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	rc = buf_append(out, ba->data, ba->len);
	g_object_unref(mem);
	return rc;
}

/* --- results --------------------------------------------------------- */

static int
mime_push(char ***list, size_t *n, char *text)
{
	char **p;

	if ((p = realloc(*list, (*n + 1) * sizeof(*p))) == NULL) {
		free(text);
		return -1;
	}
	p[(*n)++] = text;
	*list = p;
	return 0;
}

/* A digest the library refuses (MD5 under FIPS) is left empty. */
static void
mime_digest(const EVP_MD *type, const void *data, size_t len, char *hex)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen;

	if (type != NULL &&
	    EVP_Digest(data, len, md, &mdlen, type, NULL) == 1)
		util_hex(hex, md, mdlen);
	else
		hex[0] = '\0';
}

/*
 * Append an attachment; it takes data (malloc'd, may be NULL when empty).
 * The name and type are copied as valid UTF-8, the type in lower case.
 */
static int
mime_add_att(struct mime_walk *w, const char *filename, size_t namelen,
    const char *type, unsigned char *data, size_t size)
{
	struct mime_message *m = w->out;
	struct mime_attachment *a;
	char *p;

	if (data == NULL && (data = malloc(1)) == NULL)
		return -1;
	a = realloc(m->atts, (m->natts + 1) * sizeof(*a));
	if (a == NULL) {
		free(data);
		return -1;
	}
	m->atts = a;
	a = &m->atts[m->natts++];
	memset(a, 0, sizeof(*a));
	a->data = data;
	a->size = size;
	if (filename != NULL &&
	    (a->filename = utf8_sanitize(filename, namelen)) == NULL)
		return -1;
	if ((a->content_type = utf8_sanitize(type, strlen(type))) == NULL)
		return -1;
	for (p = a->content_type; *p != '\0'; p++)
		*p = g_ascii_tolower(*p);
	mime_digest(EVP_md5(), data, size, a->md5);
	mime_digest(EVP_sha1(), data, size, a->sha1);
	mime_digest(EVP_sha256(), data, size, a->sha256);
	return 0;
}

/* --- uuencoded files in text ----------------------------------------- */

/* "begin 644 name": the name, or NULL when the line is no begin line. */
static const char *
mime_uu_begin(const char *line, size_t len, size_t *namelen)
{
	size_t i = 6;

	if (len < 8 || strncmp(line, "begin ", 6) != 0)
		return NULL;
	while (i < len && line[i] >= '0' && line[i] <= '7')
		i++;
	if (i - 6 < 3 || i - 6 > 4 || i >= len || line[i] != ' ')
		return NULL;
	i++;
	while (len > i && isspace((unsigned char)line[len - 1]))
		len--;
	*namelen = len - i;
	return *namelen > 0 ? line + i : NULL;
}

/*
 * One line of uuencoded data: 1 and its bytes appended, 0 for the empty
 * line before "end", -1 when it is not a uuencoded line, -2 on no memory.
 * A line may have lost trailing spaces in transit: they decode as zeros.
 */
static int
mime_uu_line(const char *s, size_t len, struct buf *out)
{
	unsigned char c[4], b[3];
	size_t n, need, i, k, done = 0;

	for (i = 0; i < len; i++)
		if (s[i] < 0x20 || s[i] > 0x60)
			return -1;
	if (len == 0)
		return -1;
	if ((n = (size_t)((s[0] - 0x20) & 0x3f)) == 0)
		return 0;
	need = (n + 2) / 3 * 4;
	if (len - 1 + 3 < need || len - 1 > need + 2)
		return -1;
	for (i = 0; i < need; i += 4) {
		for (k = 0; k < 4; k++)
			c[k] = 1 + i + k < len ?
			    (unsigned char)((s[1 + i + k] - 0x20) & 0x3f) : 0;
		b[0] = (unsigned char)(c[0] << 2 | c[1] >> 4);
		b[1] = (unsigned char)(c[1] << 4 | c[2] >> 2);
		b[2] = (unsigned char)(c[2] << 6 | c[3]);
		k = n - done < 3 ? n - done : 3;
		if (buf_append(out, b, k) == -1)
			return -2;
		done += k;
	}
	return 1;
}

/* Decode the block after a begin line; returns where the text goes on. */
static const char *
mime_uu_block(struct mime_walk *w, const char *p, const char *name,
    size_t namelen, int *rc)
{
	struct buf data = { NULL, 0, 0 };
	const char *next;
	size_t len;
	int r, lines = 0, ended = 0;

	while (*p != '\0') {
		len = strcspn(p, "\n");
		next = p[len] == '\n' ? p + len + 1 : p + len;
		if (len >= 3 && strncmp(p, "end", 3) == 0 &&
		    strspn(p + 3, " \t") == len - 3) {
			ended = 1;
			p = next;
			break;
		}
		if ((r = mime_uu_line(p, len, &data)) == -1)
			break;
		if (r == -2)
			goto fail;
		lines++;
		p = next;
	}
	*rc = 0;
	if (ended || lines > 0)
		*rc = mime_add_att(w, name, namelen, "application/octet-stream",
		    (unsigned char *)data.data, data.len);
	else
		buf_release(&data);
	return p;
fail:
	buf_release(&data);
	*rc = -1;
	return p;
}

static int
mime_uudecode(struct mime_walk *w, const char *text)
{
	const char *p = text, *name;
	size_t len, namelen;
	int rc;

	while (*p != '\0') {
		len = strcspn(p, "\n");
		name = mime_uu_begin(p, len, &namelen);
		p += len;
		if (*p == '\n')
			p++;
		if (name == NULL)
			continue;
		p = mime_uu_block(w, p, name, namelen, &rc);
		if (rc == -1)
			return -1;
	}
	return 0;
}

/* --- parts ----------------------------------------------------------- */

/* Take n bytes from what nesting may still copy; 0 when they are not there. */
static int
mime_copy_take(struct mime_walk *w, size_t n)
{
	if (n > w->copy_left) {
		w->copy_left = 0;
		return 0;
	}
	w->copy_left -= n;
	return 1;
}

/* Text (from a part, or bytes GMime could not place) into texts/htmls. */
static int
mime_add_text(struct mime_walk *w, const char *charset, const char *p,
    size_t n, int html)
{
	struct mime_message *m = w->out;
	char meta[64], *text;

	if (html && charset == NULL &&
	    mime_html_charset(p, n, meta, sizeof(meta)) == 0)
		charset = meta;
	if ((text = mime_to_utf8(charset, p, n)) == NULL)
		return -1;
	mime_strip_cr(text);
	if (*text == '\0') {
		free(text);
		return 0;
	}
	if (!html && mime_uudecode(w, text) == -1) {
		free(text);
		return -1;
	}
	if (html)
		return mime_push(&m->htmls, &m->nhtmls, text);
	return mime_push(&m->texts, &m->ntexts, text);
}

/* "type/subtype" in lower case, g_free'd by the caller. */
static char *
mime_type(GMimeObject *obj)
{
	char *type, *p;

	type = g_mime_content_type_get_mime_type(
	    g_mime_object_get_content_type(obj));
	for (p = type; *p != '\0'; p++)
		*p = g_ascii_tolower(*p);
	return type;
}

static int	mime_filename(struct mime_walk *, GMimeObject *, char **);

static int
mime_walk_part(struct mime_walk *w, GMimeObject *obj)
{
	GMimeContentDisposition *disp;
	struct buf b = { NULL, 0, 0 };
	const char *charset;
	char *type, *filename;
	int rc, att, html = 0;

	if (mime_filename(w, obj, &filename) == -1)
		return -1;
	type = mime_type(obj);
	disp = g_mime_object_get_content_disposition(obj);
	att = filename != NULL ||
	    (disp != NULL && g_mime_content_disposition_is_attachment(disp));
	if (!att && strcmp(type, "text/html") == 0)
		html = 1;
	if (!att && (html || strcmp(type, "text/plain") == 0)) {
		charset = g_mime_object_get_content_type_parameter(obj,
		    "charset");
		rc = mime_part_content(GMIME_PART(obj), 1, &b);
		if (rc == 0)
			rc = mime_add_text(w, charset, b.data ? b.data : "",
			    b.len, html);
		buf_release(&b);
	} else {
		rc = mime_part_content(GMIME_PART(obj), 0, &b);
		if (rc == 0)
			rc = mime_add_att(w, filename,
			    filename ? strlen(filename) : 0, type,
			    (unsigned char *)b.data, b.len);
		else
			buf_release(&b);
	}
	g_free(type);
	free(filename);
	return rc;
}

/*
 * An attached message: listed as an attachment of its own bytes (GMime
 * writes back what it parsed, with the input's newlines) while the copies
 * nesting may make last, then walked.
 */
static int
mime_list_message(struct mime_walk *w, GMimeObject *obj, GMimeMessage *inner)
{
	struct buf b = { NULL, 0, 0 };
	GMimeStream *mem;
	GByteArray *ba;
	char *type, *filename;
	int rc = 0;

	mem = g_mime_stream_mem_new();
	g_mime_object_write_to_stream(GMIME_OBJECT(inner), w->format, mem);
	ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	if (mime_copy_take(w, ba->len))
		rc = buf_append(&b, ba->data, ba->len) == -1 ? -1 : 1;
	g_object_unref(mem);
	if (rc != 1)
		return rc;
	if (mime_filename(w, obj, &filename) == -1) {
		buf_release(&b);
		return -1;
	}
	type = mime_type(obj);
	rc = mime_add_att(w, filename, filename ? strlen(filename) : 0,
	    type, (unsigned char *)b.data, b.len);
	g_free(type);
	free(filename);
	return rc;
}

static int
mime_walk_message_part(struct mime_walk *w, GMimeObject *obj, int depth)
{
	GMimeMessage *inner;

	if ((inner = g_mime_message_part_get_message(
	    GMIME_MESSAGE_PART(obj))) == NULL)
		return 0;
	if (w->copy_left > 0 && mime_list_message(w, obj, inner) == -1)
		return -1;
	return mime_walk_message(w, inner, depth + 1);
}

/* The boundary the body of a multipart really uses: its first "--" line. */
static int
mime_guess_boundary(const char *p, char *dst, size_t dstlen)
{
	size_t len;

	for (; *p != '\0'; p += len + (p[len] == '\n')) {
		len = strcspn(p, "\n");
		if (len < 3 || p[0] != '-' || p[1] != '-')
			continue;
		len = strcspn(p + 2, "\r\n\"\\");
		while (len > 0 && isspace((unsigned char)p[1 + len]))
			len--;
		if (len == 0 || len >= dstlen)
			return -1;
		memcpy(dst, p + 2, len);
		dst[len] = '\0';
		return 0;
	}
	return -1;
}

/*
 * A multipart with no parts: GMime put the whole body in the prologue
 * because the boundary parameter is missing or wrong. Parse the body again
 * with the boundary it uses; failing that, or when nesting has copied
 * enough, keep it as text.
 */
static int
mime_recover_multipart(struct mime_walk *w, GMimeMultipart *mp, int depth)
{
	const char *body = g_mime_multipart_get_prologue(mp);
	GMimeParser *parser;
	GMimeStream *stream;
	GMimeObject *obj = NULL;
	char boundary[256], *doc;
	int rc;

	if (body == NULL || *body == '\0')
		return 0;
	/* the document below, and the prologues GMime keeps of it */
	if (mime_guess_boundary(body, boundary, sizeof(boundary)) == 0 &&
	    mime_copy_take(w, 2 * strlen(body))) {
		doc = g_strdup_printf("Content-Type: multipart/mixed; "
		    "boundary=\"%s\"\n\n%s", boundary, body);
		stream = g_mime_stream_mem_new_with_buffer(doc, strlen(doc));
		parser = g_mime_parser_new_with_stream(stream);
		obj = g_mime_parser_construct_part(parser, w->options);
		g_object_unref(parser);
		g_object_unref(stream);
		g_free(doc);
	}
	if (obj != NULL && GMIME_IS_MULTIPART(obj) &&
	    g_mime_multipart_get_count(GMIME_MULTIPART(obj)) > 0)
		rc = mime_walk(w, obj, depth + 1);
	else
		rc = mime_add_text(w, NULL, body, strlen(body), 0);
	if (obj != NULL)
		g_object_unref(obj);
	return rc;
}

static int
mime_walk(struct mime_walk *w, GMimeObject *obj, int depth)
{
	GMimeMultipart *mp;
	int i, n;

	if (depth > MIME_MAX_DEPTH)
		return 0;
	if (GMIME_IS_MESSAGE_PART(obj))
		return mime_walk_message_part(w, obj, depth);
	if (GMIME_IS_PART(obj))
		return mime_walk_part(w, obj);
	if (!GMIME_IS_MULTIPART(obj))
		return 0;
	mp = GMIME_MULTIPART(obj);
	if ((n = g_mime_multipart_get_count(mp)) == 0)
		return mime_recover_multipart(w, mp, depth);
	for (i = 0; i < n; i++)
		if (mime_walk(w, g_mime_multipart_get_part(mp, i),
		    depth + 1) == -1)
			return -1;
	return 0;
}

/* --- headers and messages -------------------------------------------- */

/*
 * The charset a message declares for its text: its body's, or the first
 * its parts declare (a multipart has none of its own), US-ASCII and UTF-8
 * aside since UTF-8 is tried first anyway. Headers sent as raw 8-bit are
 * most likely in it: spam is written in one charset.
 */
static const char *
mime_declared(GMimeObject *obj, int depth)
{
	GMimeMultipart *mp;
	const char *charset;
	int i, n;

	if (obj == NULL || depth > MIME_DECLARED_DEPTH)
		return NULL;
	charset = g_mime_object_get_content_type_parameter(obj, "charset");
	if (charset != NULL && !mime_is_ascii_label(charset) &&
	    !mime_is_utf8_label(charset))
		return charset;
	if (!GMIME_IS_MULTIPART(obj))
		return NULL;
	mp = GMIME_MULTIPART(obj);
	n = g_mime_multipart_get_count(mp);
	for (i = 0; i < n && i < MIME_DECLARED_PARTS; i++)
		if ((charset = mime_declared(g_mime_multipart_get_part(mp, i),
		    depth + 1)) != NULL)
			return charset;
	return NULL;
}

/* "Name: value\n", unfolded, valid UTF-8, appended to out->headers. */
static int
mime_add_header(struct mime_walk *w, GMimeHeader *h)
{
	struct buf line = { NULL, 0, 0 };
	const char *name, *raw, *value, *p;
	char *text, *decoded = NULL;
	size_t n;
	int rc = -1;

	/*
	 * Decoded by us (mime_words.c), in time linear in its length: GMime's
	 * own decoding of a value takes time that grows with the square of
	 * its unterminated encoded words (a 1 MB header of "=?a?Q?x" takes
	 * minutes).
	 */
	name = g_mime_header_get_name(h);
	if ((raw = g_mime_header_get_raw_value(h)) != NULL &&
	    (decoded = mime_words_header(raw, w->declared,
	    mime_header_to_utf8)) == NULL)
		return -1;
	value = decoded != NULL ? decoded : "";
	while (isspace((unsigned char)*value))
		value++;
	if (buf_appendf(&line, "%s: ", name) == -1)
		goto done;
	for (p = value; *p != '\0'; p += n + (p[n] != '\0')) {
		n = strcspn(p, "\r\n");
		if (buf_append(&line, p, n) == -1)
			goto done;
	}
	while (line.len > 0 && isspace((unsigned char)line.data[line.len - 1]))
		line.len--;
	if ((text = utf8_sanitize(line.data, line.len)) == NULL)
		goto done;
	rc = buf_appendf(&w->headers, "%s\n", text);
	free(text);
done:
	buf_release(&line);
	free(decoded);
	return rc;
}

static int
mime_add_headers(struct mime_walk *w, GMimeObject *obj)
{
	GMimeHeaderList *hl;
	int i, n;

	hl = g_mime_object_get_header_list(obj);
	n = g_mime_header_list_get_count(hl);
	for (i = 0; i < n; i++)
		if (mime_add_header(w, g_mime_header_list_get_header_at(hl,
		    i)) == -1)
			return -1;
	return 0;
}

/*
 * GMime keeps a message's Content-* headers with its body part: both
 * lists make the message's header block.
 */
static int
mime_walk_message(struct mime_walk *w, GMimeMessage *msg, int depth)
{
	GMimeObject *body;
	const char *outer = w->declared;
	int rc;

	if (mime_add_headers(w, GMIME_OBJECT(msg)) == -1)
		return -1;
	if ((body = g_mime_message_get_mime_part(msg)) == NULL)
		return 0;
	if (mime_add_headers(w, body) == -1)
		return -1;
	w->declared = mime_declared(body, 0);
	rc = mime_walk(w, body, depth + 1);
	w->declared = outer;
	return rc;
}

/* A header of obj as it was sent (folded, encoded words and all). */
static const char *
mime_raw_header(GMimeObject *obj, const char *name)
{
	GMimeHeaderList *hl = g_mime_object_get_header_list(obj);
	GMimeHeader *h;

	if (hl == NULL || (h = g_mime_header_list_get_header(hl, name)) == NULL)
		return NULL;
	return g_mime_header_get_raw_value(h);
}

/*
 * The subject, decoded by mime_words.c (why not by GMime: see there); raw
 * 8-bit in it is read as the message's declared charset may say.
 */
static int
mime_subject(struct mime_message *m, GMimeMessage *msg)
{
	const char *raw, *subject, *declared;

	declared = mime_declared(g_mime_message_get_mime_part(msg), 0);
	if ((raw = mime_raw_header(GMIME_OBJECT(msg), "Subject")) != NULL)
		m->subject = mime_words_header(raw, declared,
		    mime_header_to_utf8);
	else if ((subject = g_mime_message_get_subject(msg)) != NULL)
		m->subject = utf8_sanitize(subject, strlen(subject));
	else
		return 0;
	if (m->subject == NULL)
		return -1;
	mime_strip_cr(m->subject);
	return 0;
}

/*
 * A parameter of a raw Content-Disposition (disp set) or Content-Type as
 * GMime reads it, g_free'd by the caller. Read from the raw header since
 * the value GMime keeps of a header has had its raw 8-bit bytes converted
 * already, with the fallback charsets of the whole message.
 */
static char *
mime_raw_param(GMimeParserOptions *options, const char *raw, int disp,
    const char *param)
{
	GMimeContentDisposition *cd;
	GMimeContentType *ct;
	char *value;

	value = NULL;
	if (disp &&
	    (cd = g_mime_content_disposition_parse(options, raw)) != NULL) {
		value = g_strdup(g_mime_content_disposition_get_parameter(cd,
		    param));
		g_object_unref(cd);
	} else if (!disp &&
	    (ct = g_mime_content_type_parse(options, raw)) != NULL) {
		value = g_strdup(g_mime_content_type_get_parameter(ct, param));
		g_object_unref(ct);
	}
	return value;
}

/*
 * A part's file name in *name (malloc'd UTF-8, NULL for none): 0, or -1
 * when out of memory. RFC 2231 names are decoded by mime_words.c (see
 * there why), the others by GMime, which decodes their encoded words but
 * leaves raw 8-bit bytes as they were sent: those are read in the part's
 * declared charset, else the message's, after UTF-8.
 */
static int
mime_filename(struct mime_walk *w, GMimeObject *obj, char **name)
{
	const char *rawcd, *rawct, *declared;
	char *value = NULL;

	declared = g_mime_object_get_content_type_parameter(obj, "charset");
	if (declared == NULL || mime_is_ascii_label(declared) ||
	    mime_is_utf8_label(declared))
		declared = w->declared;
	*name = NULL;
	rawcd = mime_raw_header(obj, "Content-Disposition");
	rawct = mime_raw_header(obj, "Content-Type");
	if (rawcd != NULL)
		*name = mime_words_param(rawcd, "filename", declared,
		    mime_header_to_utf8);
	if (*name == NULL && rawct != NULL)
		*name = mime_words_param(rawct, "name", declared,
		    mime_header_to_utf8);
	if (*name != NULL)
		return 0;
	if (rawcd != NULL)
		value = mime_raw_param(w->options, rawcd, 1, "filename");
	if (value == NULL && rawct != NULL)
		value = mime_raw_param(w->options, rawct, 0, "name");
	if (value == NULL)
		return 0;
	if (utf8_prefix(value, strlen(value)) == strlen(value))
		*name = strdup(value);
	else
		*name = mime_words_header(value, declared,
		    mime_header_to_utf8);
	g_free(value);
	return *name == NULL ? -1 : 0;
}

static void
mime_setup(struct mime_walk *w, const unsigned char *raw, size_t len)
{
	static const char *fallback[] = { "UTF-8", MIME_FALLBACK_CHARSET,
	    NULL };

	w->options = g_mime_parser_options_new();
	g_mime_parser_options_set_fallback_charsets(w->options, fallback);
	/* GMime decodes some headers as it parses (Subject, the addresses);
	 * what it makes of them is not used (mime_words.c decodes), and its
	 * loose mode takes time that grows with the square of a header's
	 * unterminated encoded words */
	g_mime_parser_options_set_rfc2047_compliance_mode(w->options,
	    GMIME_RFC_COMPLIANCE_STRICT);
	w->format = g_mime_format_options_new();
	if (len > 1 && memmem(raw, len, "\r\n", 2) != NULL)
		g_mime_format_options_set_newline_format(w->format,
		    GMIME_NEWLINE_FORMAT_DOS);
}

int
mime_parse(const unsigned char *raw, size_t len, struct mime_message *out)
{
	struct mime_walk w;
	GMimeStream *stream;
	GMimeParser *parser;
	GMimeMessage *msg;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&w, 0, sizeof(w));
	w.out = out;
	w.copy_left = len > (SIZE_MAX - MIME_COPY_MIN) / MIME_COPY_FACTOR ?
	    SIZE_MAX : len * MIME_COPY_FACTOR + MIME_COPY_MIN;
	mime_init();
	mime_setup(&w, raw, len);
	stream = g_mime_stream_mem_new_with_buffer(len ? (const char *)raw : "",
	    len);
	parser = g_mime_parser_new_with_stream(stream);
	g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
	msg = g_mime_parser_construct_message(parser, w.options);
	if (msg == NULL)	/* no header block: all of it is text */
		rc = mime_add_text(&w, NULL, len ? (const char *)raw : "", len,
		    0);
	else if ((rc = mime_subject(out, msg)) == 0)
		rc = mime_walk_message(&w, msg, 0);
	if (rc == 0 && buf_append(&w.headers, "", 1) == 0) {
		out->headers = w.headers.data;
		w.headers.data = NULL;
	} else
		rc = -1;
	buf_release(&w.headers);
	if (msg != NULL)
		g_object_unref(msg);
	g_object_unref(parser);
	g_object_unref(stream);
	g_mime_parser_options_free(w.options);
	g_mime_format_options_free(w.format);
	if (rc == -1)
		mime_message_clear(out);
	return rc;
}

void
mime_message_clear(struct mime_message *m)
{
	size_t i;

	free(m->subject);
	free(m->headers);
	for (i = 0; i < m->ntexts; i++)
		free(m->texts[i]);
	free(m->texts);
	for (i = 0; i < m->nhtmls; i++)
		free(m->htmls[i]);
	free(m->htmls);
	for (i = 0; i < m->natts; i++) {
		free(m->atts[i].filename);
		free(m->atts[i].content_type);
		free(m->atts[i].data);
	}
	free(m->atts);
	memset(m, 0, sizeof(*m));
}
