/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * fuzz_mime: libFuzzer entry point for the analyzer's reading of a
 * message: the MIME walk (src/analyzer/mime.c) and the extraction on its result
 * (src/analyzer/extract.c), with two custom patterns compiled once, one of them
 * with a capture group. The input is the DATA of one message.
 *
 * Checked on every input: both succeed (only running out of memory may
 * fail them), and every string they hand on is valid UTF-8, as the
 * database's utf8mb4 columns require.
 */
#include "autoconf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "extract.h"
#include "mime.h"
#include "utf8.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char fuzz_conf[] =
    "pattern btc = \\b[13][a-km-zA-HJ-NP-Z1-9]{25,34}\\b\n"
    "pattern phone = (?i)(?:call|phone|tel)[:.]?\\s*"
    "(\\+?[0-9][0-9 .()-]{6,}[0-9])\n";

static struct extract_patterns *fuzz_patterns;

static void
fuzz_die(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_mime: %s%s%s\n", what, detail ? ": " : "",
	    detail ? detail : "");
	abort();
}

static void
fuzz_cleanup(void)
{
	extract_patterns_free(fuzz_patterns);
}

static void
fuzz_setup(void)
{
	struct config cf;
	char err[CONF_ERR_MAX];

	mime_init();
	if (conf_parse_buffer(&cf, "fuzz.conf", fuzz_conf,
	    strlen(fuzz_conf), err, sizeof(err)) == -1)
		fuzz_die("config", err);
	if ((fuzz_patterns = extract_patterns_compile(&cf, err,
	    sizeof(err))) == NULL)
		fuzz_die("patterns", err);
	conf_clear(&cf);
	atexit(fuzz_cleanup);
}

static void
fuzz_utf8(const char *what, const char *s)
{
	if (s != NULL && utf8_prefix(s, strlen(s)) != strlen(s))
		fuzz_die("not valid UTF-8", what);
}

static void
fuzz_check_mime(const struct mime_message *m)
{
	size_t i;

	fuzz_utf8("subject", m->subject);
	if (m->headers == NULL)
		fuzz_die("no header text", NULL);
	fuzz_utf8("headers", m->headers);
	for (i = 0; i < m->ntexts; i++)
		fuzz_utf8("text", m->texts[i]);
	for (i = 0; i < m->nhtmls; i++)
		fuzz_utf8("html", m->htmls[i]);
	for (i = 0; i < m->natts; i++) {
		fuzz_utf8("attachment name", m->atts[i].filename);
		if (m->atts[i].content_type == NULL)
			fuzz_die("attachment without a type", NULL);
		fuzz_utf8("attachment type", m->atts[i].content_type);
		if (strlen(m->atts[i].sha256) != 64)
			fuzz_die("attachment without a SHA-256", NULL);
	}
}

static void
fuzz_check_extract(const struct extract_result *r)
{
	size_t i;

	for (i = 0; i < r->ncounts; i++) {
		if (r->counts[i].count == 0 || r->counts[i].value[0] == '\0')
			fuzz_die("empty count", r->counts[i].kind);
		fuzz_utf8("kind", r->counts[i].kind);
		fuzz_utf8(r->counts[i].kind, r->counts[i].value);
	}
	for (i = 0; i < r->nurls; i++) {
		fuzz_utf8("url", r->urls[i].url);
		fuzz_utf8("url host", r->urls[i].host);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mime_message m;
	struct extract_result r;

	if (fuzz_patterns == NULL)
		fuzz_setup();
	if (mime_parse(data, size, &m) == -1)
		fuzz_die("mime_parse failed", NULL);
	fuzz_check_mime(&m);
	if (extract_message(&m, fuzz_patterns, &r) == -1)
		fuzz_die("extract_message failed", NULL);
	fuzz_check_extract(&r);
	extract_result_clear(&r);
	mime_message_clear(&m);
	return 0;
}
