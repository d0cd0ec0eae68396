/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * report_out: how spampot-report prints rows, in the three formats of
 * --format (spampot-report(1) documents them):
 *
 *   text  aligned columns that fit 80 columns: the widest column is cut
 *         with "..." and long values (hashes, subjects) go on lines of
 *         their own; every control byte as \xHH, so nothing an attacker
 *         sent can drive the terminal;
 *   json  one document: {"report": ..., "since": ..., "rows": [...]},
 *         times ISO 8601 UTC, counts as numbers, NULL as null;
 *   csv   RFC 4180: a header of the JSON keys, then one line per row;
 *         control bytes escaped as in text, so a row is one line and
 *         nothing drives a terminal; the rest exact. csv-safe also
 *         neutralises what a spreadsheet would take for a formula.
 *
 * A value from the database (that is, from a client) reaches text and
 * CSV through rout_piece() only: rout_escape(), rout_text_safe(),
 * rout_text_fold(). JSON has json_string(), HTML rsvg_escape().
 *
 * Runs in spampot-report only.
 */
#include "autoconf.h"

#include <errno.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "json.h"
#include "report_int.h"
#include "utf8.h"

static int rout_utf8_locale;

static void rout_say(const char *, const char *, va_list)
    __attribute__((format(printf, 2, 0)));

/* One line on standard error, after what is already on standard output. */
static void
rout_say(const char *what, const char *fmt, va_list ap)
{
	fflush(stdout);
	fprintf(stderr, "spampot-report: %s", what);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
}

void
rout_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rout_say("", fmt, ap);
	va_end(ap);
	exit(REPORT_ERROR);
}

/* The report goes on. */
void
rout_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rout_say("warning: ", fmt, ap);
	va_end(ap);
}

/* Widths of characters need a UTF-8 locale; which one does not matter. */
void
rout_init_locale(void)
{
	if (setlocale(LC_CTYPE, "C.UTF-8") != NULL ||
	    setlocale(LC_CTYPE, "C.utf8") != NULL ||
	    setlocale(LC_CTYPE, "en_US.UTF-8") != NULL)
		rout_utf8_locale = MB_CUR_MAX > 1;
}

/* The next piece of s as a terminal shows it: the bytes to print (maybe
 * an escape) and its width. Returns the bytes of s consumed. */
static size_t
rout_piece(const char *s, size_t n, char *out, size_t *outlen, size_t *w)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t cp;
	size_t len = utf8_decode(p, n, &cp);
	int cw;

	if (len == 0 || cp < 0x20 || cp == 0x7f) {
		*outlen = (size_t)snprintf(out, 8, "\\x%02x", p[0]);
		*w = *outlen;
		return 1;
	}
	if (cp >= 0x80 && cp < 0xa0) {		/* C1 controls */
		*outlen = (size_t)snprintf(out, 8, "\\u%04x", (unsigned)cp);
		*w = *outlen;
		return len;
	}
	memcpy(out, s, len);
	*outlen = len;
	cw = rout_utf8_locale ? wcwidth((wchar_t)cp) : 1;
	*w = cw < 0 ? 1 : (size_t)cw;
	return len;
}

void
rout_escape(struct buf *b, const char *s)
{
	size_t n, i = 0, olen, w;
	char piece[8];

	if (s == NULL)
		return;
	n = strlen(s);
	while (i < n) {
		i += rout_piece(s + i, n - i, piece, &olen, &w);
		buf_append(b, piece, olen);
	}
}

size_t
rout_width(const char *s)
{
	size_t n = strlen(s), i = 0, total = 0, olen, w;
	char piece[8];

	while (i < n) {
		i += rout_piece(s + i, n - i, piece, &olen, &w);
		total += w;
	}
	return total;
}

static void
rout_pad(struct buf *b, size_t n)
{
	while (n-- > 0)
		buf_append(b, " ", 1);
}

void
rout_text_safe(struct buf *b, const char *s, size_t width, int pad, int right)
{
	size_t n = strlen(s), i = 0, used = 0, olen, w, full = rout_width(s);
	size_t room = full > width ? (width > 3 ? width - 3 : 0) : width;
	char piece[8];

	if (right && pad && full < width)
		rout_pad(b, width - full);
	while (i < n) {
		size_t step = rout_piece(s + i, n - i, piece, &olen, &w);

		if (used + w > room)
			break;
		buf_append(b, piece, olen);
		used += w;
		i += step;
	}
	if (full > width) {
		buf_append(b, "...", width < 3 ? width : 3);
		used += width < 3 ? width : 3;
	}
	if (pad && !right && used < width)
		rout_pad(b, width - used);
}

void
rout_text_fold_at(struct buf *b, const char *s, size_t col, size_t indent)
{
	size_t n = strlen(s), i = 0, used = col, olen, w;
	char piece[8];

	while (i < n) {
		size_t step = rout_piece(s + i, n - i, piece, &olen, &w);

		if (used + w > ROUT_WIDTH && used > indent) {
			buf_append(b, "\n", 1);
			rout_pad(b, indent);
			used = indent;
		}
		buf_append(b, piece, olen);
		used += w;
		i += step;
	}
}

void
rout_text_fold(struct buf *b, const char *s, size_t indent)
{
	rout_text_fold_at(b, s, indent, indent);
}

static int
rout_is_number(const char *s, int decimal)
{
	int dot = 0;

	if (*s == '-')
		s++;
	if (*s == '\0')
		return 0;
	for (; *s; s++) {
		if (*s == '.' && decimal && !dot)
			dot = 1;
		else if (*s < '0' || *s > '9')
			return 0;
	}
	return 1;
}

/*
 * What a spreadsheet would take for a formula (OWASP, CSV injection): a
 * value that begins with = + - @, a tab or a carriage return, or with the
 * fullwidth = + - @ some spreadsheets also read. A plain number is data.
 */
static int
rout_csv_formula(const char *s)
{
	static const char *const wide[] = { "\xef\xbc\x9d", "\xef\xbc\x8b",
	    "\xef\xbc\x8d", "\xef\xbc\xa0" };
	size_t i;

	if (rout_is_number(s, 1))
		return 0;
	if (s[0] != '\0' && strchr("=+-@\t\r", s[0]) != NULL)
		return 1;
	for (i = 0; i < sizeof(wide) / sizeof(wide[0]); i++)
		if (strncmp(s, wide[i], 3) == 0)
			return 1;
	return 0;
}

void
rout_csv_field(struct buf *b, const char *s, int safe)
{
	struct buf e = { NULL, 0, 0 };
	size_t i;

	if (s == NULL)
		return;
	if (safe && rout_csv_formula(s))
		buf_append(&e, "'", 1);
	rout_escape(&e, s);
	if (e.len == 0)
		return;
	if (memchr(e.data, ',', e.len) == NULL &&
	    memchr(e.data, '"', e.len) == NULL) {
		buf_append(b, e.data, e.len);
		buf_release(&e);
		return;
	}
	buf_append(b, "\"", 1);
	for (i = 0; i < e.len; i++) {
		if (e.data[i] == '"')
			buf_append(b, "\"", 1);
		buf_append(b, e.data + i, 1);
	}
	buf_append(b, "\"", 1);
	buf_release(&e);
}

void
rout_json_cell(struct buf *b, enum rout_type type, const char *cell)
{
	char t[40];

	if (cell == NULL) {
		buf_append(b, "null", 4);
		return;
	}
	switch (type) {
	case RC_INT:
	case RC_DECIMAL:
		if (rout_is_number(cell, type == RC_DECIMAL)) {
			buf_append(b, cell, strlen(cell));
			return;
		}
		break;
	case RC_TIME:
		rtime_db_iso(cell, t, sizeof(t));
		json_cstr(b, t);
		return;
	default:
		break;
	}
	json_cstr(b, cell);
}

static void
rout_csv_cell(struct buf *b, enum rout_type type, const char *cell, int safe)
{
	char t[40];

	if (cell != NULL && type == RC_TIME) {
		rtime_db_iso(cell, t, sizeof(t));
		rout_csv_field(b, t, safe);
	} else
		rout_csv_field(b, cell, safe);
}

void
rout_json_head(struct buf *b, const struct report_opts *o,
    const char *report, const char *kind)
{
	char t[32];

	buf_appendf(b, "{\"report\":");
	json_cstr(b, report);
	if (kind != NULL) {
		json_key(b, "kind", 0);
		json_cstr(b, kind);
	}
	json_key(b, "since", 0);
	if (o->since != 0) {
		rtime_iso(o->since, t, sizeof(t));
		json_cstr(b, t);
	} else
		json_cstr(b, NULL);
	json_key(b, "until", 0);
	if (o->until != 0) {
		rtime_iso(o->until, t, sizeof(t));
		json_cstr(b, t);
	} else
		json_cstr(b, NULL);
	json_key(b, "sensor", 0);
	json_cstr(b, o->sensor);
}

void
rout_flush(const struct report_opts *o, struct buf *b)
{
	if (b->len > 0 && fwrite(b->data, 1, b->len, o->out) != b->len)
		rout_fail("write error: %s", strerror(errno));
	if (fflush(o->out) != 0)
		rout_fail("write error: %s", strerror(errno));
	buf_release(b);
}

static void
rout_json(struct buf *b, const struct report_opts *o,
    const struct rout_table *t)
{
	size_t r, c;

	rout_json_head(b, o, t->report, t->kind);
	buf_appendf(b, ",\"limit\":%lu,\"rows\":[", o->limit);
	for (r = 0; r < t->rows->nrows; r++) {
		buf_append(b, r ? ",\n{" : "\n{", r ? 3 : 2);
		for (c = 0; c < t->ncols; c++) {
			json_key(b, t->cols[c].key, c == 0);
			rout_json_cell(b, t->cols[c].type,
			    rdb_cell(t->rows, r, c));
		}
		buf_append(b, "}", 1);
	}
	buf_append(b, "\n]}\n", 4);
}

static void
rout_csv(struct buf *b, const struct report_opts *o,
    const struct rout_table *t)
{
	size_t r, c;

	for (c = 0; c < t->ncols; c++) {
		if (c > 0)
			buf_append(b, ",", 1);
		rout_csv_field(b, t->cols[c].key, o->csv_safe);
	}
	buf_append(b, "\r\n", 2);
	for (r = 0; r < t->rows->nrows; r++) {
		for (c = 0; c < t->ncols; c++) {
			if (c > 0)
				buf_append(b, ",", 1);
			rout_csv_cell(b, t->cols[c].type,
			    rdb_cell(t->rows, r, c), o->csv_safe);
		}
		buf_append(b, "\r\n", 2);
	}
}

/* A cell as text shows it (times to the minute). */
static const char *
rout_text_cell(const struct rout_col *col, const char *cell, char *tmp,
    size_t len)
{
	if (cell == NULL)
		return "";
	if (col->type == RC_TIME) {
		rtime_db_text(cell, tmp, len);
		return tmp;
	}
	return cell;
}

static int
rout_in_row(const struct rout_col *c)
{
	return !(c->flags & (RC_NOTEXT | RC_LINE));
}

/* Column widths: each as wide as its widest cell (at most max); the flex
 * column gets what is left of 80. */
static void
rout_widths(const struct rout_table *t, size_t *w)
{
	size_t r, c, used = 0, ncols = 0, flex = (size_t)-1;
	char tmp[40];

	for (c = 0; c < t->ncols; c++) {
		const struct rout_col *col = &t->cols[c];

		w[c] = 0;
		if (!rout_in_row(col))
			continue;
		w[c] = rout_width(col->title);
		for (r = 0; r < t->rows->nrows; r++) {
			size_t cw = rout_width(rout_text_cell(col,
			    rdb_cell(t->rows, r, c), tmp, sizeof(tmp)));

			if (cw > w[c])
				w[c] = cw;
		}
		if (col->max > 0 && w[c] > (size_t)col->max)
			w[c] = (size_t)col->max;
		if (col->flags & RC_FLEX)
			flex = c;
		else
			used += w[c];
		ncols++;
	}
	used += 2 * (ncols > 0 ? ncols - 1 : 0);
	if (flex != (size_t)-1) {
		size_t room = used + 8 < ROUT_WIDTH ? ROUT_WIDTH - used : 8;

		if (w[flex] > room)
			w[flex] = room;
	}
}

static void
rout_text_line(struct buf *b, const struct rout_table *t, const size_t *w,
    size_t r)
{
	size_t c, last = 0;
	char tmp[40];

	for (c = 0; c < t->ncols; c++)
		if (rout_in_row(&t->cols[c]))
			last = c;
	for (c = 0; c < t->ncols; c++) {
		const struct rout_col *col = &t->cols[c];
		const char *s;

		if (!rout_in_row(col))
			continue;
		s = r == (size_t)-1 ? col->title :
		    rout_text_cell(col, rdb_cell(t->rows, r, c), tmp,
		    sizeof(tmp));
		rout_text_safe(b, s, w[c], c != last || (col->flags & RC_RIGHT),
		    (col->flags & RC_RIGHT) != 0);
		if (c != last)
			buf_append(b, "  ", 2);
	}
	while (b->len > 0 && b->data[b->len - 1] == ' ')
		b->len--;
	buf_append(b, "\n", 1);
}

/* Long values on lines of their own: "      title value", cut to 80. */
static void
rout_text_extra(struct buf *b, const struct rout_table *t, size_t r,
    size_t indent)
{
	size_t c, tw;
	const char *cell;

	for (c = 0; c < t->ncols; c++) {
		if (!(t->cols[c].flags & RC_LINE) ||
		    (cell = rdb_cell(t->rows, r, c)) == NULL || cell[0] == '\0')
			continue;
		rout_pad(b, indent);
		tw = rout_width(t->cols[c].title);
		buf_append(b, t->cols[c].title, strlen(t->cols[c].title));
		buf_append(b, " ", 1);
		rout_text_safe(b, cell, ROUT_WIDTH - indent - tw - 1, 0, 0);
		buf_append(b, "\n", 1);
	}
}

static void
rout_text(struct buf *b, const struct rout_table *t)
{
	size_t w[64], r, c, indent = 0;

	if (t->ncols > 64)
		rout_fail("internal error: too many columns");
	rout_widths(t, w);
	for (c = 0; c < t->ncols; c++)
		if (rout_in_row(&t->cols[c])) {
			indent = w[c] + 2;
			break;
		}
	rout_text_line(b, t, w, (size_t)-1);
	for (r = 0; r < t->rows->nrows; r++) {
		rout_text_line(b, t, w, r);
		rout_text_extra(b, t, r, indent);
	}
}

void
rout_table(const struct report_opts *o, const struct rout_table *t)
{
	struct buf b = { NULL, 0, 0 };

	switch (o->format) {
	case RF_JSON:
		rout_json(&b, o, t);
		break;
	case RF_CSV:
		rout_csv(&b, o, t);
		break;
	case RF_TEXT:
		if (t->rows->nrows > 0)
			rout_text(&b, t);
		break;
	case RF_MISP:		/* export only: report.c refuses them here */
	case RF_STIX:
		break;
	}
	rout_flush(o, &b);
}
