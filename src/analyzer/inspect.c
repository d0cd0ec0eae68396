/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * inspect: what an attachment really is. Its type by content (libmagic)
 * against the type it was declared with and its name's extension; and,
 * when it is an archive, every member (libarchive), hashed, typed, handed
 * to the caller for YARA and opened in turn when it is an archive itself.
 *
 * Runs in the analyzer's parse child (import.c): unprivileged, Landlock
 * letting it open nothing but the iconv modules, a seccomp allow-list that
 * kills it on anything else (sandbox_parser_allow). So everything after
 * inspect_open is computation on memory: libmagic's database is loaded
 * before the sandbox; libarchive reads from memory, with only the formats
 * and filters it implements itself (never one that runs an external
 * program: fork would kill the child); libmagic never decompresses (that
 * forks too). Nothing is ever allocated by a size an archive declares:
 * buffers grow with the bytes actually read, within the limits.
 */
#include "autoconf.h"

#include <sys/types.h>

#include <ctype.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <archive.h>
#include <archive_entry.h>
#include <magic.h>
#include <openssl/evp.h>

#include "inspect.h"
#include "utf8.h"
#include "util.h"

/* archive_read_data's chunk: memory per read, not per member. */
#define INSPECT_CHUNK		(64 * 1024)
/* Below this many expanded bytes an archive's ratio says nothing (a few
 * bytes of header make tiny files look like bombs); the byte limit bounds
 * what comes below it anyway. */
#define INSPECT_RATIO_FLOOR	(1024 * 1024)
/* A member's name, and a nested path, in bytes: names are data too. */
#define INSPECT_NAME_MAX	1024
#define INSPECT_PATH_MAX	4096
/* libmagic looks at this much of a file: its CPU bound on hostile data. */
#define INSPECT_MAGIC_BYTES	(1024 * 1024)
/* A password candidate, in bytes. */
#define INSPECT_PASSWORD_MAX	64

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

struct inspect_ctx {
	struct inspect_limits	 lim;
	magic_t			 magic;
	unsigned		 filters;	/* inspect_filters usable */
	unsigned char		*chunk;		/* INSPECT_CHUNK */
	locale_t		 utf8;		/* or 0: see inspect_open */
};

/* One attachment's walk through its archives. */
struct inspect_walk {
	struct inspect_ctx	 *ctx;
	struct inspect_result	 *res;
	const char *const	 *pw;
	size_t			  npw;
	void			(*each)(void *, const struct inspect_member *,
				    const unsigned char *, size_t);
	void			 *arg;
	uint64_t		  bytes;	/* expanded, all depths */
	unsigned		  entries;	/* headers read, all depths */
	int			  stop;		/* a limit ends the walk */
	int			  oom;
};

/* A member's content as it is read: digests, and the bytes kept. */
struct inspect_read {
	EVP_MD_CTX	*md[3];		/* MD5, SHA-1, SHA-256 */
	unsigned char	*data;
	size_t		 len, cap;
	int64_t		 in;		/* compressed bytes consumed */
	int		 failed;	/* archive_read_data said no */
};

/*
 * The formats read. Not the others on purpose: mtree opens the files it
 * names, xar needs an XML parser for little gain, lha and ar bid on too
 * little. raw (a lone gzip, bzip2, xz ... stream) bids on anything, so
 * inspect_archive_open keeps it only behind a compression filter.
 */
static int (*const inspect_formats[])(struct archive *) = {
	archive_read_support_format_zip,	/* streamable and seekable */
	archive_read_support_format_rar,
	archive_read_support_format_rar5,
	archive_read_support_format_7zip,
	archive_read_support_format_tar,	/* v7, ustar, pax, GNU */
	archive_read_support_format_cpio,
	archive_read_support_format_iso9660,	/* .iso attachments, a
						 * favourite for LNK and DLL */
	archive_read_support_format_cab,
	archive_read_support_format_raw,
};

/*
 * The filters read, each only when libarchive implements it itself:
 * enabling one it lacks the library for makes it run the external
 * program (ARCHIVE_WARNING), which seccomp would kill. inspect_open tries
 * each on a scratch handle and keeps those that say ARCHIVE_OK. Never
 * archive_read_support_filter_all, never a program filter.
 */
static int (*const inspect_filters[])(struct archive *) = {
	archive_read_support_filter_gzip,
	archive_read_support_filter_bzip2,
	archive_read_support_filter_xz,
	archive_read_support_filter_lzma,
	archive_read_support_filter_lzip,
	archive_read_support_filter_zstd,
	archive_read_support_filter_lz4,
};

/* --- what a type is: families, for mismatches ----------------------------- */

#define F_EXEC		0x001	/* PE, ELF, Mach-O, MSI, LNK */
#define F_SCRIPT	0x002	/* batch, JavaScript, shell */
#define F_ARCHIVE	0x004
#define F_HTML		0x008
#define F_PDF		0x010
#define F_OFFICE	0x020	/* Word, Excel, ..., OLE, RTF, ODF */
#define F_IMAGE		0x040
#define F_TEXT		0x080
#define F_MEDIA		0x100
/* What is worth a word when it hides behind another type. */
#define F_RISKY		(F_EXEC | F_SCRIPT | F_ARCHIVE | F_HTML)

/*
 * MIME types (libmagic's, or declared by the sender): the family a file
 * of that type is in, and the families a file declared as such may really
 * be without it mattering (a .docx is a zip; HTML is text). "x/" matches
 * every x/...; the first match counts. A type not here (octet-stream, any
 * generic one) is no claim at all.
 */
static const struct inspect_type {
	const char	*type;
	int		 fam;
	int		 accepts;
} inspect_types[] = {
	{ "application/vnd.microsoft.portable-executable", F_EXEC, F_EXEC },
	{ "application/x-dosexec", F_EXEC, F_EXEC },
	{ "application/x-msdownload", F_EXEC, F_EXEC },
	{ "application/x-msdos-program", F_EXEC, F_EXEC },
	{ "application/x-executable", F_EXEC, F_EXEC },
	{ "application/x-pie-executable", F_EXEC, F_EXEC },
	{ "application/x-sharedlib", F_EXEC, F_EXEC },
	{ "application/x-mach-binary", F_EXEC, F_EXEC },
	{ "application/x-msi", F_EXEC, F_EXEC | F_OFFICE },
	{ "application/x-ms-shortcut", F_EXEC, F_EXEC },
	{ "text/x-msdos-batch", F_SCRIPT, F_SCRIPT | F_TEXT },
	{ "text/x-shellscript", F_SCRIPT, F_SCRIPT | F_TEXT },
	{ "application/javascript", F_SCRIPT, F_SCRIPT | F_TEXT },
	{ "text/javascript", F_SCRIPT, F_SCRIPT | F_TEXT },
	{ "application/x-javascript", F_SCRIPT, F_SCRIPT | F_TEXT },
	{ "text/vbscript", F_SCRIPT, F_SCRIPT | F_TEXT },
	{ "application/hta", F_HTML, F_HTML | F_SCRIPT | F_TEXT },
	{ "application/zip", F_ARCHIVE, F_ARCHIVE | F_OFFICE },
	{ "application/x-zip-compressed", F_ARCHIVE, F_ARCHIVE | F_OFFICE },
	{ "application/x-7z-compressed", F_ARCHIVE, F_ARCHIVE },
	{ "application/x-rar", F_ARCHIVE, F_ARCHIVE },
	{ "application/x-rar-compressed", F_ARCHIVE, F_ARCHIVE },
	{ "application/vnd.rar", F_ARCHIVE, F_ARCHIVE },
	{ "application/gzip", F_ARCHIVE, F_ARCHIVE },
	{ "application/x-gzip", F_ARCHIVE, F_ARCHIVE },
	{ "application/x-bzip2", F_ARCHIVE, F_ARCHIVE },
	{ "application/x-xz", F_ARCHIVE, F_ARCHIVE },
	{ "application/zstd", F_ARCHIVE, F_ARCHIVE },
	{ "application/x-lz4", F_ARCHIVE, F_ARCHIVE },
	{ "application/x-tar", F_ARCHIVE, F_ARCHIVE },
	{ "application/x-cpio", F_ARCHIVE, F_ARCHIVE },
	{ "application/x-iso9660-image", F_ARCHIVE, F_ARCHIVE },
	{ "application/vnd.ms-cab-compressed", F_ARCHIVE, F_ARCHIVE },
	{ "application/java-archive", F_ARCHIVE, F_ARCHIVE },
	{ "text/html", F_HTML, F_HTML | F_TEXT | F_SCRIPT },
	{ "application/xhtml+xml", F_HTML, F_HTML | F_TEXT },
	{ "application/pdf", F_PDF, F_PDF },
	{ "application/msword", F_OFFICE, F_OFFICE | F_ARCHIVE },
	{ "application/vnd.ms-", F_OFFICE, F_OFFICE | F_ARCHIVE },
	{ "application/vnd.openxmlformats-", F_OFFICE, F_OFFICE | F_ARCHIVE },
	{ "application/vnd.oasis.opendocument.", F_OFFICE,
	    F_OFFICE | F_ARCHIVE },
	{ "application/cdfv2", F_OFFICE, F_OFFICE },
	{ "application/rtf", F_OFFICE, F_OFFICE | F_TEXT },
	{ "text/rtf", F_OFFICE, F_OFFICE | F_TEXT },
	{ "image/", F_IMAGE, F_IMAGE },
	{ "audio/", F_MEDIA, F_MEDIA },
	{ "video/", F_MEDIA, F_MEDIA },
	{ "text/", F_TEXT, F_TEXT | F_HTML | F_SCRIPT },
};

/* Extensions: the families a file so named may really be. */
static const struct inspect_ext {
	const char	*ext;
	int		 accepts;
} inspect_exts[] = {
	{ "exe", F_EXEC }, { "dll", F_EXEC }, { "scr", F_EXEC },
	{ "com", F_EXEC }, { "pif", F_EXEC }, { "cpl", F_EXEC },
	{ "sys", F_EXEC }, { "ocx", F_EXEC }, { "lnk", F_EXEC },
	{ "msi", F_EXEC | F_OFFICE },
	{ "bat", F_SCRIPT | F_TEXT }, { "cmd", F_SCRIPT | F_TEXT },
	{ "js", F_SCRIPT | F_TEXT }, { "jse", F_SCRIPT | F_TEXT },
	{ "vbs", F_SCRIPT | F_TEXT }, { "vbe", F_SCRIPT | F_TEXT },
	{ "wsf", F_SCRIPT | F_TEXT | F_HTML },
	{ "ps1", F_SCRIPT | F_TEXT }, { "sh", F_SCRIPT | F_TEXT },
	{ "hta", F_HTML | F_SCRIPT | F_TEXT },
	{ "htm", F_HTML | F_TEXT }, { "html", F_HTML | F_TEXT },
	{ "shtml", F_HTML | F_TEXT }, { "xhtml", F_HTML | F_TEXT },
	{ "svg", F_IMAGE | F_TEXT | F_HTML },
	{ "pdf", F_PDF },
	{ "doc", F_OFFICE | F_ARCHIVE }, { "docx", F_OFFICE | F_ARCHIVE },
	{ "docm", F_OFFICE | F_ARCHIVE }, { "dot", F_OFFICE | F_ARCHIVE },
	{ "dotx", F_OFFICE | F_ARCHIVE }, { "xls", F_OFFICE | F_ARCHIVE },
	{ "xlsx", F_OFFICE | F_ARCHIVE }, { "xlsm", F_OFFICE | F_ARCHIVE },
	{ "xlsb", F_OFFICE | F_ARCHIVE }, { "ppt", F_OFFICE | F_ARCHIVE },
	{ "pptx", F_OFFICE | F_ARCHIVE }, { "pptm", F_OFFICE | F_ARCHIVE },
	{ "odt", F_OFFICE | F_ARCHIVE }, { "ods", F_OFFICE | F_ARCHIVE },
	{ "odp", F_OFFICE | F_ARCHIVE }, { "rtf", F_OFFICE | F_TEXT },
	{ "jpg", F_IMAGE }, { "jpeg", F_IMAGE }, { "png", F_IMAGE },
	{ "gif", F_IMAGE }, { "bmp", F_IMAGE }, { "tif", F_IMAGE },
	{ "tiff", F_IMAGE }, { "webp", F_IMAGE }, { "ico", F_IMAGE },
	{ "txt", F_TEXT | F_HTML | F_SCRIPT },
	{ "csv", F_TEXT | F_HTML | F_SCRIPT },
	{ "log", F_TEXT | F_HTML | F_SCRIPT },
	{ "xml", F_TEXT | F_HTML | F_SCRIPT },
	{ "zip", F_ARCHIVE | F_OFFICE }, { "7z", F_ARCHIVE },
	{ "rar", F_ARCHIVE }, { "gz", F_ARCHIVE }, { "tgz", F_ARCHIVE },
	{ "bz2", F_ARCHIVE }, { "xz", F_ARCHIVE }, { "zst", F_ARCHIVE },
	{ "tar", F_ARCHIVE }, { "iso", F_ARCHIVE }, { "cab", F_ARCHIVE },
	{ "jar", F_ARCHIVE },
	{ "mp3", F_MEDIA }, { "wav", F_MEDIA }, { "mp4", F_MEDIA },
	{ "avi", F_MEDIA }, { "mov", F_MEDIA },
};

static const struct inspect_type *
inspect_type_find(const char *type)
{
	const struct inspect_type *t;
	size_t i, n;

	if (type == NULL)
		return NULL;
	for (i = 0; i < NELEM(inspect_types); i++) {
		t = &inspect_types[i];
		n = strlen(t->type);
		if (t->type[n - 1] == '/' || t->type[n - 1] == '-' ||
		    t->type[n - 1] == '.') {
			if (strncasecmp(type, t->type, n) == 0)
				return t;
		} else if (strcasecmp(type, t->type) == 0)
			return t;
	}
	return NULL;
}

/* The families a name's extension allows; 0 when it says nothing. */
static int
inspect_ext_accepts(const char *name)
{
	const char *dot, *slash;
	size_t i;

	if (name == NULL || (dot = strrchr(name, '.')) == NULL)
		return 0;
	if ((slash = strrchr(name, '/')) != NULL && slash > dot)
		return 0;
	for (i = 0; i < NELEM(inspect_exts); i++)
		if (strcasecmp(dot + 1, inspect_exts[i].ext) == 0)
			return inspect_exts[i].accepts;
	return 0;
}

/*
 * 1 when what the content is (REAL) is risky and the name or the
 * declared type says otherwise: an executable as .pdf, a zip as
 * image/jpeg, HTML as .pdf. Not for generic types, nor among harmless
 * families (text/plain holding C, a .docx that libmagic calls a zip).
 */
static int
inspect_mismatch(const char *real, const char *name, const char *declared)
{
	const struct inspect_type *r, *d;
	int ext;

	if ((r = inspect_type_find(real)) == NULL || !(r->fam & F_RISKY))
		return 0;
	if ((ext = inspect_ext_accepts(name)) != 0 && !(ext & r->fam))
		return 1;
	d = inspect_type_find(declared);
	return d != NULL && !(d->accepts & r->fam);
}

/* --- libmagic ------------------------------------------------------------- */

/*
 * Flags: the MIME type only. MAGIC_NO_CHECK_COMPRESS: never look inside
 * compressed data (with MAGIC_COMPRESS that forks a decompressor; the
 * archive walk does it, within limits). Not MAGIC_NO_CHECK_ENCODING:
 * without the text check libmagic calls HTML and batch files text/plain.
 */
#define INSPECT_MAGIC_FLAGS	(MAGIC_MIME_TYPE | MAGIC_NO_CHECK_COMPRESS)

/* libmagic's own bounds on hostile content: CPU, not memory. */
static const struct {
	int	param;
	size_t	value;
} inspect_magic_params[] = {
	{ MAGIC_PARAM_BYTES_MAX, INSPECT_MAGIC_BYTES },
	{ MAGIC_PARAM_INDIR_MAX, 15 },
	{ MAGIC_PARAM_NAME_MAX, 50 },
	{ MAGIC_PARAM_ELF_PHNUM_MAX, 128 },
	{ MAGIC_PARAM_ELF_SHNUM_MAX, 1024 },
	{ MAGIC_PARAM_ELF_NOTES_MAX, 64 },
	{ MAGIC_PARAM_REGEX_MAX, 8192 },
};

/*
 * The default database (MAGIC, else the compiled-in path) read whole into
 * memory now: magic_load reads every file it names at once, so nothing is
 * opened when magic_buffer runs in the sandbox (test_inspect checks it).
 */
static magic_t
inspect_magic_open(char *err, size_t errlen)
{
	magic_t m;
	size_t i;

	if ((m = magic_open(INSPECT_MAGIC_FLAGS)) == NULL) {
		snprintf(err, errlen, "magic_open failed");
		return NULL;
	}
	if (magic_load(m, NULL) == -1) {
		snprintf(err, errlen, "libmagic database: %s", magic_error(m));
		magic_close(m);
		return NULL;
	}
	for (i = 0; i < NELEM(inspect_magic_params); i++)
		(void)magic_setparam(m, inspect_magic_params[i].param,
		    &inspect_magic_params[i].value);
	return m;
}

/* The MIME type of data, malloc'd; NULL when libmagic fails or no memory. */
static char *
inspect_type(struct inspect_ctx *ctx, const unsigned char *data, size_t len)
{
	const char *t;

	if ((t = magic_buffer(ctx->magic, data, len)) == NULL)
		return NULL;
	return strdup(t);
}

/* --- set-up --------------------------------------------------------------- */

/*
 * What would otherwise open a file at its first use, in the sandbox
 * (where Landlock refuses it, every time): the time zone, which
 * libarchive's mktime of zip and RAR dates loads, and OpenSSL's
 * configuration, loaded by the first digest.
 */
static int
inspect_warm(void)
{
	const EVP_MD *types[] = { EVP_md5(), EVP_sha1(), EVP_sha256() };
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen;
	size_t i;

	tzset();
	for (i = 0; i < NELEM(types); i++)
		if (types[i] == NULL ||
		    EVP_Digest("", 0, md, &mdlen, types[i], NULL) != 1)
			return -1;
	return 0;
}

struct inspect_ctx *
inspect_open(const struct inspect_limits *lim, char *err, size_t errlen)
{
	struct inspect_ctx *ctx;
	struct archive *a;
	size_t i;

	if ((ctx = calloc(1, sizeof(*ctx))) == NULL ||
	    (ctx->chunk = malloc(INSPECT_CHUNK)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	ctx->lim = *lim;
	if (inspect_warm() == -1) {
		snprintf(err, errlen, "OpenSSL digests unavailable");
		goto fail;
	}
	if ((ctx->magic = inspect_magic_open(err, errlen)) == NULL)
		goto fail;
	/*
	 * libarchive converts members' names to the current locale's
	 * charset, and in the C locale a UTF-8 name comes out as nothing.
	 * A UTF-8 locale, loaded now (its files cannot be opened in the
	 * sandbox), is made current only while an attachment is walked.
	 */
	if ((ctx->utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", 0)) == 0 &&
	    (ctx->utf8 = newlocale(LC_CTYPE_MASK, "C.utf8", 0)) == 0)
		ctx->utf8 = newlocale(LC_CTYPE_MASK, "en_US.UTF-8", 0);
	for (i = 0; i < NELEM(inspect_filters); i++) {
		if ((a = archive_read_new()) == NULL) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
		if (inspect_filters[i](a) == ARCHIVE_OK)
			ctx->filters |= 1U << i;
		archive_read_free(a);
	}
	return ctx;
fail:
	inspect_close(ctx);
	return NULL;
}

void
inspect_close(struct inspect_ctx *ctx)
{
	if (ctx == NULL)
		return;
	if (ctx->magic != NULL)
		magic_close(ctx->magic);
	if (ctx->utf8 != 0)
		freelocale(ctx->utf8);
	free(ctx->chunk);
	free(ctx);
}

/* --- results -------------------------------------------------------------- */

const char *
inspect_archive_name(enum inspect_archive a)
{
	static const char *const names[] = {
		"", "ok", "encrypted", "decrypted", "damaged", "limit-depth",
		"limit-members", "limit-bytes", "limit-ratio",
	};

	return (unsigned)a < NELEM(names) ? names[a] : "";
}

/*
 * What became of the archive: the worse outcome wins (the enum's order);
 * a limit that ends the walk (members, bytes, ratio) wins over all, the
 * depth limit (which only stops a descent) over the rest.
 */
static void
inspect_mark(struct inspect_walk *w, enum inspect_archive st)
{
	if (st >= INSPECT_ARCHIVE_LIMIT_MEMBERS) {
		if (!w->stop)
			w->res->archive = st;
		w->stop = 1;
		return;
	}
	if (w->res->archive >= INSPECT_ARCHIVE_LIMIT_DEPTH)
		return;
	if (st > w->res->archive)
		w->res->archive = st;
}

void
inspect_result_clear(struct inspect_result *r)
{
	size_t i;

	for (i = 0; i < r->nmembers; i++) {
		free(r->members[i].path);
		free(r->members[i].real_type);
	}
	free(r->members);
	free(r->real_type);
	free(r->password);
	memset(r, 0, sizeof(*r));
}

/* A new member at the end of the result (its index), or -1. */
static ssize_t
inspect_member_add(struct inspect_walk *w, char *path, unsigned depth)
{
	struct inspect_result *r = w->res;
	struct inspect_member *m;
	size_t n = r->nmembers;

	/* capacity: 8, then doubling (n a power of two: the list is full) */
	if (n == 0 || (n >= 8 && (n & (n - 1)) == 0)) {
		m = reallocarray(r->members, n == 0 ? 8 : 2 * n, sizeof(*m));
		if (m == NULL) {
			free(path);
			w->oom = 1;
			return -1;
		}
		r->members = m;
	}
	m = r->members + n;
	memset(m, 0, sizeof(*m));
	m->path = path;
	m->depth = depth;
	return (ssize_t)r->nmembers++;
}

/* --- member names --------------------------------------------------------- */

/*
 * The name of a lone compressed stream's content: its container's name
 * without the compression's extension ("a.txt.gz": "a.txt", "x.tgz":
 * "x.tar"), as gunzip would name it.
 */
static char *
inspect_raw_name(const char *container)
{
	static const char *const exts[] = {
		".gz", ".bz2", ".xz", ".lzma", ".lz", ".zst", ".lz4", ".z",
	};
	const char *base;
	size_t i, n, e;
	char *s;

	if (container == NULL || *container == '\0')
		return strdup("data");
	base = (base = strrchr(container, '/')) != NULL ? base + 1 : container;
	n = strlen(base);
	if (n > 4 && strcasecmp(base + n - 4, ".tgz") == 0) {
		if ((s = strdup(base)) != NULL)
			memcpy(s + n - 4, ".tar", 4);
		return s;
	}
	for (i = 0; i < NELEM(exts); i++) {
		e = strlen(exts[i]);
		if (n > e && strcasecmp(base + n - e, exts[i]) == 0)
			return strndup(base, n - e);
	}
	return strdup(n > 0 ? base : "data");
}

/*
 * A member's path: PREFIX/name, valid UTF-8 (the UTF-8 name libarchive
 * converts, else the raw bytes made valid), each part cut to a length a
 * person can read.
 */
static char *
inspect_path(const char *prefix, struct archive *a, struct archive_entry *e,
    const char *container)
{
	const char *name;
	char *n, *p;
	size_t nl, pl;

	if (archive_format(a) == ARCHIVE_FORMAT_RAW)
		n = inspect_raw_name(container);
	else {
		if ((name = archive_entry_pathname_utf8(e)) == NULL &&
		    (name = archive_entry_pathname(e)) == NULL)
			name = "";
		n = utf8_sanitize(name, strnlen(name, INSPECT_NAME_MAX));
	}
	if (n == NULL || prefix == NULL)
		return n;
	nl = strlen(n);
	pl = strlen(prefix);
	if ((p = malloc(pl + 1 + nl + 1)) != NULL) {
		memcpy(p, prefix, pl);
		p[pl] = '/';
		memcpy(p + pl + 1, n, nl + 1);
		p[utf8_prefix(p, INSPECT_PATH_MAX)] = '\0';
	}
	free(n);
	return p;
}

/* --- reading an archive --------------------------------------------------- */

/*
 * DATA as an archive, with every password for libarchive to try on an
 * encrypted member (RAW: as a lone compressed stream only); the first
 * header read into *E (*R its status). NULL when DATA is no archive: no
 * format bid, or only raw without a compression filter (raw alone would
 * take any file as one member).
 */
static struct archive *
inspect_archive_try(struct inspect_walk *w, const unsigned char *data,
    size_t len, int raw, struct archive_entry **e, int *r)
{
	struct archive *a;
	size_t i;

	if ((a = archive_read_new()) == NULL) {
		w->oom = 1;
		return NULL;
	}
	if (raw)
		(void)archive_read_support_format_raw(a);
	else
		for (i = 0; i < NELEM(inspect_formats); i++)
			(void)inspect_formats[i](a);
	for (i = 0; i < NELEM(inspect_filters); i++)
		if (w->ctx->filters & (1U << i))
			(void)inspect_filters[i](a);
	for (i = 0; i < w->npw; i++)
		(void)archive_read_add_passphrase(a, w->pw[i]);
	if (archive_read_open_memory(a, data, len) != ARCHIVE_OK)
		goto no;
	*r = archive_read_next_header(a, e);
	if (archive_format(a) == ARCHIVE_FORMAT_RAW &&
	    archive_filter_code(a, 0) == ARCHIVE_FILTER_NONE)
		goto no;
	return a;
no:
	archive_read_free(a);
	return NULL;
}

/*
 * As inspect_archive_try, but for empty archives. 1 KiB of zeros is an
 * empty tar, and whatever follows it would go unseen: a compressed stream
 * whose archive is empty is read as a lone stream instead, and an empty
 * tar without compression is no archive (just zeros).
 */
static struct archive *
inspect_archive_open(struct inspect_walk *w, const unsigned char *data,
    size_t len, struct archive_entry **e, int *r)
{
	struct archive *a;

	a = inspect_archive_try(w, data, len, 0, e, r);
	if (a == NULL || *r != ARCHIVE_EOF ||
	    archive_format(a) == ARCHIVE_FORMAT_RAW)
		return a;
	if (archive_filter_code(a, 0) != ARCHIVE_FILTER_NONE) {
		archive_read_free(a);
		return inspect_archive_try(w, data, len, 1, e, r);
	}
	if ((archive_format(a) & ARCHIVE_FORMAT_BASE_MASK) ==
	    ARCHIVE_FORMAT_TAR) {
		archive_read_free(a);
		return NULL;
	}
	return a;
}

/* Bytes of compressed input consumed: only forwards (the seekable zip
 * and 7z readers seek back and forth). */
static void
inspect_consumed(struct archive *a, int64_t *last, int64_t *in)
{
	int64_t pos = archive_filter_bytes(a, -1);

	if (pos > *last)
		*in += pos - *last;
	*last = pos;
}

/* n more bytes of a member: hashed, and kept (the buffer grows with what
 * is read, never by a size the archive declares). */
static int
inspect_keep(struct inspect_read *rd, const unsigned char *p, size_t n)
{
	unsigned char *d;
	size_t cap, i;

	for (i = 0; i < NELEM(rd->md); i++)
		if (rd->md[i] != NULL)
			(void)EVP_DigestUpdate(rd->md[i], p, n);
	if (rd->len + n > rd->cap) {
		cap = rd->cap != 0 ? rd->cap : INSPECT_CHUNK;
		while (cap < rd->len + n)
			cap *= 2;
		if ((d = realloc(rd->data, cap)) == NULL)
			return -1;
		rd->data = d;
		rd->cap = cap;
	}
	memcpy(rd->data + rd->len, p, n);
	rd->len += n;
	return 0;
}

/* One archive being walked: where its members go, what its encrypted
 * members came to, its ratio so far. */
struct inspect_level {
	const char	*prefix;	/* its path; NULL: the attachment */
	const char	*container;	/* its name, for a lone stream's */
	unsigned	 depth;		/* of its members */
	unsigned	 entry;		/* headers read */
	unsigned	 decrypted;	/* first entry decrypted (1-based) */
	int		 locked;	/* an encrypted member stayed so */
	uint64_t	 expanded;	/* its members' bytes so far */
	int64_t		 in;		/* compressed bytes they took */
};

static void	inspect_nested(struct inspect_walk *, const unsigned char *,
		    size_t, unsigned, const char *);

/*
 * The current member's content, chunk by chunk, within the limits: the
 * bytes of the whole attachment; the ratio of expanded to compressed
 * bytes, both measured (never what a header claims), over the archive's
 * members so far: a solid 7z block read ahead while one member is read
 * would make the next look like a bomb, and what bounds the damage is
 * the ratio to the bytes the sender actually sent.
 */
static void
inspect_data(struct inspect_walk *w, struct archive *a,
    struct inspect_level *lv, struct inspect_read *rd, int *flags)
{
	const struct inspect_limits *lim = &w->ctx->lim;
	int64_t last = archive_filter_bytes(a, -1);
	la_ssize_t n;

	for (;;) {
		if ((n = archive_read_data(a, w->ctx->chunk,
		    INSPECT_CHUNK)) == 0)
			return;
		if (n < 0) {
			rd->failed = 1;
			return;
		}
		inspect_consumed(a, &last, &rd->in);
		if ((uint64_t)n > lim->bytes - w->bytes) {
			n = (la_ssize_t)(lim->bytes - w->bytes);
			*flags |= INSPECT_MEMBER_TRUNCATED;
			inspect_mark(w, INSPECT_ARCHIVE_LIMIT_BYTES);
		}
		if (inspect_keep(rd, w->ctx->chunk, (size_t)n) == -1) {
			w->oom = 1;
			return;
		}
		w->bytes += (uint64_t)n;
		if (lim->ratio != 0 &&
		    lv->expanded + rd->len > INSPECT_RATIO_FLOOR &&
		    (lv->expanded + rd->len) / lim->ratio >
		    (uint64_t)(lv->in + rd->in)) {
			*flags |= INSPECT_MEMBER_TRUNCATED;
			inspect_mark(w, INSPECT_ARCHIVE_LIMIT_RATIO);
		}
		if (w->stop)
			return;
	}
}

/* The member's digests, as lower-case hex. */
static void
inspect_digests(struct inspect_read *rd, struct inspect_member *m)
{
	char *hex[] = { m->md5, m->sha1, m->sha256 };
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen;
	size_t i;

	for (i = 0; i < NELEM(rd->md); i++)
		if (rd->md[i] != NULL &&
		    EVP_DigestFinal_ex(rd->md[i], md, &mdlen) == 1)
			util_hex(hex[i], md, mdlen);
}

static int
inspect_read_init(struct inspect_read *rd)
{
	const EVP_MD *types[] = { EVP_md5(), EVP_sha1(), EVP_sha256() };
	size_t i;

	memset(rd, 0, sizeof(*rd));
	for (i = 0; i < NELEM(rd->md); i++)
		if ((rd->md[i] = EVP_MD_CTX_new()) == NULL ||
		    EVP_DigestInit_ex(rd->md[i], types[i], NULL) != 1)
			return -1;
	return 0;
}

static void
inspect_read_clear(struct inspect_read *rd)
{
	size_t i;

	for (i = 0; i < NELEM(rd->md); i++)
		EVP_MD_CTX_free(rd->md[i]);
	free(rd->data);
}

/*
 * A regular member (index I): read, hashed, typed, handed to EACH, then
 * opened when it is an archive. An encrypted one no password opened is
 * listed without content.
 */
static void
inspect_member_read(struct inspect_walk *w, struct archive *a,
    struct archive_entry *e, size_t i, struct inspect_level *lv)
{
	struct inspect_member *m;
	struct inspect_read rd;
	int enc = archive_entry_is_encrypted(e), flags = 0;
	const char *path;

	if (inspect_read_init(&rd) == -1) {
		w->oom = 1;
		goto done;
	}
	inspect_data(w, a, lv, &rd, &flags);
	lv->expanded += rd.len;
	lv->in += rd.in;
	m = &w->res->members[i];
	if (w->oom)
		goto done;
	if (rd.failed && enc) {
		m->flags = INSPECT_MEMBER_ENCRYPTED;
		lv->locked = 1;
		goto done;
	}
	if (rd.failed)
		inspect_mark(w, INSPECT_ARCHIVE_DAMAGED);
	else if (enc && lv->decrypted == 0)
		lv->decrypted = lv->entry;
	inspect_digests(&rd, m);
	m->size = rd.len;
	m->real_type = inspect_type(w->ctx, rd.data, rd.len);
	if (inspect_mismatch(m->real_type, m->path, NULL))
		flags |= INSPECT_MEMBER_MISMATCH;
	m->flags = flags;
	if (w->each != NULL)
		w->each(w->arg, m, rd.data, rd.len);
	path = m->path;		/* m moves when the list grows */
	if (!w->stop && !rd.failed)
		inspect_nested(w, rd.data, rd.len, lv->depth, path);
done:
	inspect_read_clear(&rd);
}

/* One header: a member listed (directories are not: they hold nothing),
 * a link listed and not followed, a file read. */
static void
inspect_entry(struct inspect_walk *w, struct archive *a,
    struct archive_entry *e, struct inspect_level *lv)
{
	mode_t type = archive_entry_filetype(e);
	ssize_t i;
	char *path;

	if (type == AE_IFDIR)
		return;
	if ((path = inspect_path(lv->prefix, a, e, lv->container)) == NULL) {
		w->oom = 1;
		return;
	}
	if ((i = inspect_member_add(w, path, lv->depth)) == -1)
		return;
	if (type == AE_IFLNK) {
		if ((w->res->members[i].real_type = strdup("inode/symlink")) ==
		    NULL)
			w->oom = 1;
		return;
	}
	if (archive_entry_hardlink(e) != NULL ||
	    (type != AE_IFREG && type != 0))
		return;		/* a hard link's content is its target's */
	inspect_member_read(w, a, e, (size_t)i, lv);
}

/*
 * Which password opened the archive: libarchive tries them all and does
 * not say. The archive again with each alone, until one reads entry N
 * (the first member decrypted) to its end. NULL: none alone did.
 */
static char *
inspect_which_password(struct inspect_walk *w, const unsigned char *data,
    size_t len, unsigned n)
{
	struct inspect_walk one = *w;
	struct archive_entry *e;
	struct archive *a;
	uint64_t got;
	la_ssize_t r;
	unsigned k;
	size_t i;
	int hr;

	for (i = 0; i < w->npw; i++) {
		one.pw = &w->pw[i];
		one.npw = 1;
		if ((a = inspect_archive_open(&one, data, len, &e, &hr)) ==
		    NULL)
			continue;
		for (k = 1; k < n && hr >= ARCHIVE_WARN; k++)
			hr = archive_read_next_header(a, &e);
		got = 0;
		r = -1;
		while (hr >= ARCHIVE_WARN && got <= w->ctx->lim.bytes &&
		    (r = archive_read_data(a, w->ctx->chunk, INSPECT_CHUNK)) > 0)
			got += (uint64_t)r;
		archive_read_free(a);
		if (hr >= ARCHIVE_WARN && r >= 0)
			return strdup(w->pw[i]);
	}
	return NULL;
}

/* After the last header: an error is damage, or encrypted headers. */
static void
inspect_level_end(struct inspect_walk *w, struct archive *a, int r,
    struct inspect_level *lv, const unsigned char *data, size_t len)
{
	if (r != ARCHIVE_EOF && !w->stop && !w->oom)
		inspect_mark(w, archive_read_has_encrypted_entries(a) > 0 ?
		    INSPECT_ARCHIVE_ENCRYPTED : INSPECT_ARCHIVE_DAMAGED);
	if (lv->locked)
		inspect_mark(w, INSPECT_ARCHIVE_ENCRYPTED);
	if (lv->decrypted == 0 || w->oom)
		return;
	inspect_mark(w, INSPECT_ARCHIVE_DECRYPTED);
	if (w->res->password == NULL)
		w->res->password = inspect_which_password(w, data, len,
		    lv->decrypted);
}

/*
 * DATA as an archive whose members are at DEPTH, under PREFIX: 1 when it
 * was one, 0 when not. Every header counts against the members limit,
 * across all depths, directories included (a million empty directories
 * cost time too).
 */
static int
inspect_level(struct inspect_walk *w, const unsigned char *data, size_t len,
    unsigned depth, const char *prefix, const char *container)
{
	struct inspect_level lv = { prefix, container, depth, 0, 0, 0, 0, 0 };
	struct archive_entry *e;
	struct archive *a;
	int r;

	if ((a = inspect_archive_open(w, data, len, &e, &r)) == NULL)
		return 0;
	inspect_mark(w, INSPECT_ARCHIVE_OK);
	while (r == ARCHIVE_OK || r == ARCHIVE_WARN) {
		if (w->entries >= w->ctx->lim.members) {
			inspect_mark(w, INSPECT_ARCHIVE_LIMIT_MEMBERS);
			break;
		}
		w->entries++;
		lv.entry++;
		inspect_entry(w, a, e, &lv);
		if (w->stop || w->oom)
			break;
		r = archive_read_next_header(a, &e);
	}
	inspect_level_end(w, a, r, &lv, data, len);
	archive_read_free(a);
	return 1;
}

/* A member's content: opened when it is an archive and deep enough. */
static void
inspect_nested(struct inspect_walk *w, const unsigned char *data, size_t len,
    unsigned depth, const char *path)
{
	struct archive_entry *e;
	struct archive *a;
	int r;

	if (depth <= w->ctx->lim.depth) {
		(void)inspect_level(w, data, len, depth + 1, path, path);
		return;
	}
	if ((a = inspect_archive_open(w, data, len, &e, &r)) != NULL) {
		inspect_mark(w, INSPECT_ARCHIVE_LIMIT_DEPTH);
		archive_read_free(a);
	}
}

int
inspect_attachment(struct inspect_ctx *ctx, const char *filename,
    const char *declared_type, const unsigned char *data, size_t len,
    const char *const *passwords, size_t npasswords,
    void (*each)(void *, const struct inspect_member *,
    const unsigned char *, size_t), void *arg, struct inspect_result *res)
{
	struct inspect_walk w;
	locale_t old = 0;

	memset(res, 0, sizeof(*res));
	memset(&w, 0, sizeof(w));
	w.ctx = ctx;
	w.res = res;
	w.pw = passwords;
	w.npw = passwords != NULL ? npasswords : 0;
	w.each = each;
	w.arg = arg;
	if (data == NULL)
		data = (const unsigned char *)"";
	res->real_type = inspect_type(ctx, data, len);
	res->mismatch = inspect_mismatch(res->real_type, filename,
	    declared_type);
	if (ctx->utf8 != 0)
		old = uselocale(ctx->utf8);
	(void)inspect_level(&w, data, len, 1, NULL, filename);
	if (old != 0)
		uselocale(old);
	if (w.oom) {
		inspect_result_clear(res);
		return -1;
	}
	return 0;
}

/* --- password candidates in a message's text ------------------------------ */

/*
 * Words after which a password is given. ASCII ones match without case
 * and as whole words; a longer word before a shorter one it begins with.
 */
static const char *const inspect_pw_words[] = {
	"password", "passwort", "passcode", "passwd", "pass", "pwd", "pw",
	"kennwort", "wachtwoord", "contraseña", "contrasena", "clave",
	"mot de passe", "senha", "parola", "hasło", "haslo", "şifre",
	"пароль", "Пароль", "ПАРОЛЬ", "密码", "密碼", "パスワード",
	"비밀번호",
};

/* Words that follow "password" in prose, not passwords. */
static const char *const inspect_pw_prose[] = {
	"a", "an", "and", "for", "has", "in", "is", "of", "on", "or",
	"protected", "required", "reset", "the", "to", "was", "will",
	"with", "you", "your",
};

/* Separators between the word and the password; then quotes. */
static const char *const inspect_pw_seps[] = {
	":", "=", "-", "\xef\xbc\x9a" /* ： */, "\xe2\x80\x93" /* – */,
	"\xe2\x80\x94" /* — */,
};
static const char *const inspect_pw_quotes[] = {
	"\"", "'", "`", "\xe2\x80\x9c", "\xe2\x80\x9d", "\xe2\x80\x98",
	"\xe2\x80\x99", "\xc2\xab", "\xc2\xbb", "\xe2\x80\x9e",
	"\xe3\x80\x8c", "\xe3\x80\x8d", "\xe3\x80\x8e", "\xe3\x80\x8f",
};
/* Where a bare password ends besides white space: CJK punctuation. */
static const char *const inspect_pw_ends[] = {
	"\xe3\x80\x82" /* 。 */, "\xef\xbc\x8c" /* ， */,
	"\xe3\x80\x81" /* 、 */, "\xef\xbc\x89" /* ） */,
};

/* The length of the item of LIST that p begins with, or 0. */
static size_t
inspect_pw_any(const char *p, const char *const *list, size_t n)
{
	size_t i, l;

	for (i = 0; i < n; i++) {
		l = strlen(list[i]);
		if (strncmp(p, list[i], l) == 0)
			return l;
	}
	return 0;
}

static const char *
inspect_pw_blank(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* "is"/"ist"/"es"/"est" and blanks after it ("the password is X"). */
static const char *
inspect_pw_is(const char *p)
{
	static const char *const is[] = { "is ", "ist ", "es ", "est " };
	size_t l;

	if ((l = inspect_pw_any(p, is, NELEM(is))) != 0)
		return inspect_pw_blank(p + l);
	return p;
}

/* The word at p, if it is one of the list (ASCII without case). */
static int
inspect_pw_prose_word(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < NELEM(inspect_pw_prose); i++)
		if (strlen(inspect_pw_prose[i]) == n &&
		    strncasecmp(p, inspect_pw_prose[i], n) == 0)
			return 1;
	return 0;
}

/* The end of a bare password: white space, CJK punctuation, the end. */
static const char *
inspect_pw_bare_end(const char *p)
{
	while (*p != '\0' && !isspace((unsigned char)*p) &&
	    inspect_pw_any(p, inspect_pw_ends, NELEM(inspect_pw_ends)) == 0 &&
	    inspect_pw_any(p, inspect_pw_quotes, NELEM(inspect_pw_quotes)) ==
	    0)
		p++;
	return p;
}

/*
 * The password after a word ending at p: [blanks] [is] [separator]
 * [blanks] [is] then a quoted string or a bare word. Without a separator
 * or quotes a bare word of prose is none. *len 0: none.
 */
static const char *
inspect_pw_value(const char *p, size_t *len)
{
	const char *v, *end;
	size_t l, q;
	int sep = 0;

	*len = 0;
	p = inspect_pw_is(inspect_pw_blank(p));
	if ((l = inspect_pw_any(p, inspect_pw_seps, NELEM(inspect_pw_seps)))) {
		sep = 1;
		p = inspect_pw_is(inspect_pw_blank(p + l));
	}
	if ((q = inspect_pw_any(p, inspect_pw_quotes,
	    NELEM(inspect_pw_quotes))) != 0) {
		for (v = end = p + q; *end != '\0' && *end != '\n' &&
		    inspect_pw_any(end, inspect_pw_quotes,
		    NELEM(inspect_pw_quotes)) == 0; end++)
			;
		if (*end == '\0' || *end == '\n')
			return NULL;
		*len = (size_t)(end - v);
		return v;
	}
	v = p;
	end = inspect_pw_bare_end(v);
	while (end > v && strchr(".,;:)]}>", end[-1]) != NULL)
		end--;
	if (!sep && inspect_pw_prose_word(v, (size_t)(end - v)))
		return NULL;
	*len = (size_t)(end - v);
	return v;
}

/* The word at text[i] (a whole word when it is ASCII): its length. */
static size_t
inspect_pw_word(const char *text, size_t i)
{
	const char *w;
	size_t k, l;

	if (i > 0 && (unsigned char)text[i - 1] < 0x80 &&
	    isalnum((unsigned char)text[i - 1]))
		return 0;
	for (k = 0; k < NELEM(inspect_pw_words); k++) {
		w = inspect_pw_words[k];
		l = strlen(w);
		if (strncasecmp(text + i, w, l) != 0)
			continue;
		if ((unsigned char)w[l - 1] < 0x80 &&
		    isalpha((unsigned char)text[i + l]))
			continue;	/* "passport", "pwned" */
		return l;
	}
	return 0;
}

/* Append a copy of v[0..len) unless it is there already: 0, or -1. */
static int
inspect_pw_add(char **list, size_t *n, const char *v, size_t len)
{
	size_t i;
	char *s;

	if ((s = utf8_sanitize(v, len)) == NULL)
		return -1;
	for (i = 0; i < *n; i++)
		if (strcmp(list[i], s) == 0) {
			free(s);
			return 0;
		}
	list[(*n)++] = s;
	return 0;
}

char **
inspect_passwords(const char *text, size_t max, size_t *n)
{
	const char *v;
	char **list;
	size_t i, l, vl;

	*n = 0;
	if (text == NULL || max == 0 ||
	    (list = calloc(max, sizeof(*list))) == NULL)
		return NULL;
	for (i = 0; text[i] != '\0' && *n < max; i++) {
		if ((l = inspect_pw_word(text, i)) == 0)
			continue;
		v = inspect_pw_value(text + i + l, &vl);
		if (v == NULL || vl == 0 || vl > INSPECT_PASSWORD_MAX)
			continue;
		if (inspect_pw_add(list, n, v, vl) == -1) {
			inspect_passwords_free(list, *n);
			*n = 0;
			return NULL;
		}
		i = (size_t)(v - text) + vl - 1;
	}
	if (*n == 0) {
		free(list);
		return NULL;
	}
	return list;
}

void
inspect_passwords_free(char **list, size_t n)
{
	size_t i;

	if (list == NULL)
		return;
	for (i = 0; i < n; i++)
		free(list[i]);
	free(list);
}
