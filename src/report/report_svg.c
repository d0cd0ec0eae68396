/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * report_svg: the charts of spampot-report's HTML page, drawn as inline
 * SVG (no script, no external file, nothing fetched): horizontal bars for
 * the top lists and paired vertical bars for sessions and messages over
 * time. Every text comes from the database, that is from attackers: it is
 * escaped for HTML/XML, invalid UTF-8 and control characters (C0 but tab
 * and line feed, DEL, C1) replaced by U+FFFD.
 */
#include "autoconf.h"

#include <stdio.h>
#include <string.h>

#include "report_int.h"
#include "utf8.h"

#define SVG_W		800	/* user units; the SVG scales to the page */
#define BAR_H		22
#define BAR_GAP		6
#define LABEL_W		300
#define LABEL_CHARS	42

/* At most max characters of s, escaped; "..." when cut (max 0: all). */
static void
rsvg_escape_n(struct buf *b, const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t n = strlen((const char *)p), i = 0, chars = 0, len;
	uint32_t cp;

	while (i < n) {
		if (max > 0 && chars == max) {
			buf_append(b, "...", 3);
			return;
		}
		len = utf8_decode(p + i, n - i, &cp);
		if (len == 0 || (p[i] < 0x20 && p[i] != '\t' && p[i] != '\n') ||
		    p[i] == 0x7f || (p[i] == 0xc2 && p[i + 1] < 0xa0)) {
			/* a C1 control is two bytes, the rest one */
			buf_append(b, "\xef\xbf\xbd", 3);
			len = len == 2 ? 2 : 1;
		} else if (p[i] == '&')
			buf_append(b, "&amp;", 5);
		else if (p[i] == '<')
			buf_append(b, "&lt;", 4);
		else if (p[i] == '>')
			buf_append(b, "&gt;", 4);
		else if (p[i] == '"')
			buf_append(b, "&quot;", 6);
		else if (p[i] == '\'')
			buf_append(b, "&#39;", 5);
		else
			buf_append(b, (const char *)p + i, len);
		i += len;
		chars++;
	}
}

void
rsvg_escape(struct buf *b, const char *s)
{
	rsvg_escape_n(b, s, 0);
}

void
rsvg_bars(struct buf *b, const char *title, const char *const *labels,
    const unsigned long long *values, size_t n)
{
	unsigned long long max = 1;
	size_t i, h = n * (BAR_H + BAR_GAP) + BAR_GAP;
	double w;

	for (i = 0; i < n; i++)
		if (values[i] > max)
			max = values[i];
	buf_appendf(b, "<svg class=\"bars\" viewBox=\"0 0 %d %zu\" "
	    "role=\"img\" aria-label=\"", SVG_W, h);
	rsvg_escape(b, title);
	buf_appendf(b, "\" xmlns=\"http://www.w3.org/2000/svg\">\n");
	for (i = 0; i < n; i++) {
		size_t y = BAR_GAP + i * (BAR_H + BAR_GAP);

		w = (double)values[i] / (double)max * (SVG_W - LABEL_W - 90);
		buf_appendf(b, "<g><title>");
		rsvg_escape(b, labels[i]);
		buf_appendf(b, ": %llu</title>", values[i]);
		buf_appendf(b, "<text x=\"%d\" y=\"%zu\" class=\"label\" "
		    "text-anchor=\"end\">", LABEL_W - 8, y + 16);
		rsvg_escape_n(b, labels[i], LABEL_CHARS);
		buf_appendf(b, "</text><rect x=\"%d\" y=\"%zu\" width=\"%.1f\" "
		    "height=\"%d\" class=\"bar\"/><text x=\"%.1f\" y=\"%zu\" "
		    "class=\"value\">%llu</text></g>\n", LABEL_W, y,
		    w < 1 ? 1 : w, BAR_H, LABEL_W + (w < 1 ? 1 : w) + 6, y + 16,
		    values[i]);
	}
	buf_appendf(b, "</svg>\n");
}

/* The step of a four-step axis that reaches v: 1, 2, 3, 4, 5, 6, 8, 10,
 * 20, 25, 30, 40, 50, 60, 75, 80, 100 ... */
static unsigned long long
rsvg_step(unsigned long long v)
{
	static const unsigned tenths[] = { 10, 20, 25, 30, 40, 50, 60, 75, 80 };
	unsigned long long want = (v + 3) / 4, d;
	size_t i;

	for (d = 1;; d *= 10)
		for (i = 0; i < sizeof(tenths) / sizeof(tenths[0]); i++) {
			if (d == 1 && tenths[i] % 10 != 0)
				continue;
			if (want <= tenths[i] * d / 10)
				return tenths[i] * d / 10;
		}
}

#define TL_H		260
#define TL_LEFT		60
#define TL_TOP		30
#define TL_BOTTOM	50

void
rsvg_timeline(struct buf *b, const char *title, const char *const *labels,
    const unsigned long long *a, const unsigned long long *c, size_t n,
    const char *name_a, const char *name_c)
{
	unsigned long long max = 1, top;
	double plot_w = SVG_W - TL_LEFT - 10, plot_h = TL_H - TL_TOP - TL_BOTTOM;
	double slot = n ? plot_w / (double)n : plot_w;
	double bw = slot * 0.4 > 24 ? 24 : slot * 0.4;
	size_t i, every = n > 8 ? (n + 7) / 8 : 1;
	int g;

	for (i = 0; i < n; i++) {
		if (a[i] > max)
			max = a[i];
		if (c[i] > max)
			max = c[i];
	}
	top = 4 * rsvg_step(max);
	buf_appendf(b, "<svg class=\"timeline\" viewBox=\"0 0 %d %d\" "
	    "role=\"img\" aria-label=\"", SVG_W, TL_H);
	rsvg_escape(b, title);
	buf_appendf(b, "\" xmlns=\"http://www.w3.org/2000/svg\">\n");
	/* legend */
	buf_appendf(b, "<rect x=\"%d\" y=\"6\" width=\"12\" height=\"12\" "
	    "class=\"bar\"/><text x=\"%d\" y=\"17\" class=\"label\">",
	    TL_LEFT, TL_LEFT + 16);
	rsvg_escape(b, name_a);
	buf_appendf(b, "</text><rect x=\"%d\" y=\"6\" width=\"12\" "
	    "height=\"12\" class=\"bar2\"/><text x=\"%d\" y=\"17\" "
	    "class=\"label\">", TL_LEFT + 120, TL_LEFT + 136);
	rsvg_escape(b, name_c);
	buf_appendf(b, "</text>\n");
	/* grid and axis */
	for (g = 0; g <= 4; g++) {
		double y = TL_TOP + plot_h - plot_h * g / 4.0;

		buf_appendf(b, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" "
		    "y2=\"%.1f\" class=\"grid\"/><text x=\"%d\" y=\"%.1f\" "
		    "class=\"axis\" text-anchor=\"end\">%llu</text>\n", TL_LEFT,
		    SVG_W - 10, y, y, TL_LEFT - 6, y + 4, top * (unsigned)g / 4);
	}
	for (i = 0; i < n; i++) {
		double x = TL_LEFT + slot * (double)i + slot / 2 - bw;
		double ha = plot_h * (double)a[i] / (double)top;
		double hc = plot_h * (double)c[i] / (double)top;

		buf_appendf(b, "<g><title>");
		rsvg_escape(b, labels[i]);
		buf_appendf(b, ": %llu ", a[i]);
		rsvg_escape(b, name_a);
		buf_appendf(b, ", %llu ", c[i]);
		rsvg_escape(b, name_c);
		buf_appendf(b, "</title><rect x=\"%.1f\" y=\"%.1f\" "
		    "width=\"%.1f\" height=\"%.1f\" class=\"bar\"/>"
		    "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
		    "class=\"bar2\"/></g>\n", x, TL_TOP + plot_h - ha, bw, ha,
		    x + bw, TL_TOP + plot_h - hc, bw, hc);
		if (i % every == 0) {
			buf_appendf(b, "<text x=\"%.1f\" y=\"%.1f\" "
			    "class=\"axis\" text-anchor=\"middle\">",
			    x + bw, TL_TOP + plot_h + 16);
			rsvg_escape(b, labels[i]);
			buf_appendf(b, "</text>\n");
		}
	}
	buf_appendf(b, "</svg>\n");
}
