/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * test_inspect: attachments' real types and archives' members, on the
 * fixtures of tests/data/inspect (made with zip, 7z, tar, gzip, bzip2;
 * the RAR files are libarchive's own: see the README there), within
 * limits, with passwords; password candidates in message text; and the
 * whole of it inside the parse child's real sandbox.
 */
#include "autoconf.h"

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "inspect.h"
#include "sandbox.h"
#include "testutil.h"

#define MiB	(1024 * 1024)

static const struct inspect_limits lim_default = { 3, 1000, 64 * MiB, 200 };

/* SHA-256 of the files the fixtures were made of (sha256sum). */
#define SHA_A_TXT \
	"323516d5501062985e2dc48f984579ba1a7aa9bad487b3bf6458ec87cf8fd83a"
#define SHA_B_HTML \
	"d5aa96fea40253f9e2736550b96cbe7146d4721d51202b039b6d572263b48182"
#define SHA_C_BIN \
	"e92aec0541b610e5475ac95665876c617c6b14d320b543f64367c58153c099a5"
#define SHA_X_EXE \
	"616c6df6429ab561c452291280a664a423fa60cb3bac8fcfd6650f80dc1a53e9"

struct fixture {
	char			*data;
	size_t			 len;
	struct inspect_result	 res;
	unsigned		 each_calls;
	uint64_t		 each_bytes;
};

static void
count_each(void *arg, const struct inspect_member *m,
    const unsigned char *data, size_t len)
{
	struct fixture *f = arg;

	assert_non_null(m->path);
	assert_int_equal(m->size, len);
	assert_true(len == 0 || data != NULL);
	f->each_calls++;
	f->each_bytes += len;
}

/* FILE of tests/data/inspect inspected as NAME declared TYPE. */
static void
run(struct fixture *f, const struct inspect_limits *lim, const char *file,
    const char *name, const char *type, const char *const *pw, size_t npw)
{
	struct inspect_ctx *ctx;
	char err[256];

	memset(f, 0, sizeof(*f));
	f->data = tu_data_file("inspect", file, "", &f->len);
	if ((ctx = inspect_open(lim != NULL ? lim : &lim_default, err,
	    sizeof(err))) == NULL)
		fail_msg("inspect_open: %s", err);
	assert_int_equal(inspect_attachment(ctx, name, type,
	    (unsigned char *)f->data, f->len, pw, npw, count_each, f,
	    &f->res), 0);
	inspect_close(ctx);
}

static void
done(struct fixture *f)
{
	inspect_result_clear(&f->res);
	free(f->data);
}

static const struct inspect_member *
member(const struct fixture *f, const char *path)
{
	size_t i;

	for (i = 0; i < f->res.nmembers; i++)
		if (strcmp(f->res.members[i].path, path) == 0)
			return &f->res.members[i];
	fail_msg("no member %s", path);
	return NULL;
}

static void
assert_archive(const struct fixture *f, enum inspect_archive want)
{
	if (f->res.archive != want)
		fail_msg("archive: want %s, got %s", inspect_archive_name(want),
		    inspect_archive_name(f->res.archive));
}

/* --- archives -------------------------------------------------------------- */

static void
test_zip(void **state)
{
	const struct inspect_member *m;
	struct fixture f;

	(void)state;
	run(&f, NULL, "three.zip", "three.zip", "application/zip", NULL, 0);
	assert_archive(&f, INSPECT_ARCHIVE_OK);
	assert_string_equal(f.res.real_type, "application/zip");
	assert_false(f.res.mismatch);
	assert_null(f.res.password);
	assert_int_equal(f.res.nmembers, 3);
	m = member(&f, "a.txt");
	assert_int_equal(m->depth, 1);
	assert_int_equal(m->size, 25);
	assert_string_equal(m->md5, "fd1f0cc65f309155e1f2889058f9bf46");
	assert_string_equal(m->sha1, "ed4b36da5100dbe26b260197597a910ea4e0708a");
	assert_string_equal(m->sha256, SHA_A_TXT);
	assert_string_equal(m->real_type, "text/plain");
	assert_int_equal(m->flags, 0);
	m = member(&f, "b.html");
	assert_string_equal(m->sha256, SHA_B_HTML);
	assert_string_equal(m->real_type, "text/html");
	m = member(&f, "c.bin");
	assert_string_equal(m->sha256, SHA_C_BIN);
	assert_int_equal(m->size, 3000);
	assert_int_equal(f.each_calls, 3);
	assert_int_equal(f.each_bytes, 25 + m->size + member(&f,
	    "b.html")->size);
	done(&f);
}

/* 7z holding mid.zip holding inner.zip holding x.exe. */
static void
test_nested(void **state)
{
	const struct inspect_member *m;
	struct fixture f;

	(void)state;
	run(&f, NULL, "nested.7z", "nested.7z", "application/x-7z-compressed",
	    NULL, 0);
	assert_archive(&f, INSPECT_ARCHIVE_OK);
	assert_int_equal(f.res.nmembers, 3);
	assert_int_equal(member(&f, "mid.zip")->depth, 1);
	assert_int_equal(member(&f, "mid.zip/inner.zip")->depth, 2);
	m = member(&f, "mid.zip/inner.zip/x.exe");
	assert_int_equal(m->depth, 3);
	assert_string_equal(m->sha256, SHA_X_EXE);
	assert_string_equal(m->real_type,
	    "application/vnd.microsoft.portable-executable");
	assert_int_equal(m->flags, 0);
	done(&f);
}

static void
test_depth(void **state)
{
	struct inspect_limits lim = lim_default;
	struct fixture f;

	(void)state;
	lim.depth = 1;
	run(&f, &lim, "nested.7z", "nested.7z", NULL, NULL, 0);
	assert_archive(&f, INSPECT_ARCHIVE_LIMIT_DEPTH);
	assert_int_equal(f.res.nmembers, 2);
	member(&f, "mid.zip/inner.zip");
	done(&f);
	lim.depth = 0;
	run(&f, &lim, "nested.7z", "nested.7z", NULL, NULL, 0);
	assert_archive(&f, INSPECT_ARCHIVE_LIMIT_DEPTH);
	assert_int_equal(f.res.nmembers, 1);
	member(&f, "mid.zip");
	done(&f);
}

static void
test_tar_gz(void **state)
{
	struct fixture f;

	(void)state;
	run(&f, NULL, "docs.tar.gz", "docs.tar.gz", "application/x-gzip",
	    NULL, 0);
	assert_archive(&f, INSPECT_ARCHIVE_OK);
	assert_int_equal(f.res.nmembers, 2);	/* not the directory */
	assert_string_equal(member(&f, "docs/one.txt")->sha256,
	    "2c8b08da5ce60398e1f19af0e5dccc744df274b826abe585eaba68c525434806");
	assert_string_equal(member(&f, "docs/two.txt")->sha256,
	    "89eaf5ec9a1b0935bcd304dbd8c7872c789736c7036ad40a492668ba11360bef");
	done(&f);
}

static void
test_lone_gzip(void **state)
{
	const struct inspect_member *m;
	struct fixture f;

	(void)state;
	run(&f, NULL, "note.txt.gz", "note.txt.gz", "application/gzip", NULL,
	    0);
	assert_archive(&f, INSPECT_ARCHIVE_OK);
	assert_int_equal(f.res.nmembers, 1);
	m = member(&f, "note.txt");
	assert_string_equal(m->md5, "26c7b50b286ce6ac620750b95cf03017");
	assert_string_equal(m->sha256,
	    "ec9d8d6fb41c21d0fabf0223aec4a8b7eaeeae62b0e3f4c285b0db65c3f15797");
	assert_string_equal(m->real_type, "text/plain");
	done(&f);
}

/* libarchive's RAR 4 test file: two files, a symlink, directories. */
static void
test_rar(void **state)
{
	struct fixture f;

	(void)state;
	run(&f, NULL, "sample.rar", "sample.rar", "application/x-rar", NULL,
	    0);
	assert_archive(&f, INSPECT_ARCHIVE_OK);
	assert_int_equal(f.res.nmembers, 3);
	assert_int_equal(member(&f, "test.txt")->size, 20);
	assert_int_equal(member(&f, "testdir/test.txt")->size, 20);
	assert_string_equal(member(&f, "testlink")->real_type,
	    "inode/symlink");
	assert_int_equal(member(&f, "testlink")->size, 0);
	assert_int_equal(f.each_calls, 2);	/* links are not followed */
	done(&f);
	run(&f, NULL, "sample5.rar", "sample5.rar", NULL, NULL, 0);
	assert_archive(&f, INSPECT_ARCHIVE_OK);
	assert_int_equal(f.res.nmembers, 1);
	assert_int_equal(member(&f, "helloworld.txt")->size, 29);
	done(&f);
}

/* UTF-8 names (zip's Unicode path field), one of 250 bytes. */
static void
test_names(void **state)
{
	struct fixture f;
	size_t i;

	(void)state;
	run(&f, NULL, "names.zip", "names.zip", NULL, NULL, 0);
	assert_archive(&f, INSPECT_ARCHIVE_OK);
	assert_int_equal(f.res.nmembers, 3);
	assert_int_equal(member(&f, "caf\xc3\xa9.txt")->size, 1);
	assert_string_equal(member(&f, "d/\xd0\xbf\xd1\x80\xd0\xb8\xd0\xb2"
	    "\xd0\xb5\xd1\x82.exe")->sha256, SHA_X_EXE);
	for (i = 0; i < f.res.nmembers; i++)
		if (f.res.members[i].path[0] == 'A')
			assert_int_equal(strlen(f.res.members[i].path), 254);
	done(&f);
}

/* --- real types ------------------------------------------------------------ */

static void
test_not_archive(void **state)
{
	static const char *const texts[] = { "", "hello\n", "\x1f\x8b",
	    "PK\x03\x04garbage" };
	struct inspect_result res;
	struct inspect_ctx *ctx;
	unsigned char *zeros;
	char err[256];
	size_t i;

	(void)state;
	assert_non_null(ctx = inspect_open(&lim_default, err, sizeof(err)));
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		assert_int_equal(inspect_attachment(ctx, "a.txt", "text/plain",
		    (const unsigned char *)texts[i], strlen(texts[i]), NULL, 0,
		    NULL, NULL, &res), 0);
		assert_non_null(res.real_type);
		assert_int_equal(res.nmembers, 0);
		if (i < 2)
			assert_int_equal(res.archive, INSPECT_NOT_ARCHIVE);
		inspect_result_clear(&res);
	}
	assert_int_equal(inspect_attachment(ctx, NULL, NULL, NULL, 0, NULL,
	    0, NULL, NULL, &res), 0);
	assert_int_equal(res.archive, INSPECT_NOT_ARCHIVE);
	inspect_result_clear(&res);
	/* zeros: an empty tar to libarchive, no archive to us */
	assert_non_null(zeros = calloc(1, 4096));
	assert_int_equal(inspect_attachment(ctx, "z.bin", NULL, zeros, 4096,
	    NULL, 0, NULL, NULL, &res), 0);
	assert_int_equal(res.archive, INSPECT_NOT_ARCHIVE);
	inspect_result_clear(&res);
	free(zeros);
	inspect_close(ctx);
}

/* What a file is, its name, what it was declared as: mismatch or not. */
static const struct mismatch_case {
	const char	*file;		/* of tests/data/inspect, or text: */
	const char	*text;
	const char	*name;
	const char	*type;
	int		 mismatch;
} mismatch_cases[] = {
	{ "tiny.exe", NULL, "invoice.pdf", "application/pdf", 1 },
	{ "tiny.exe", NULL, "invoice.pdf", "application/octet-stream", 1 },
	{ "tiny.exe", NULL, "scan.jpg", NULL, 1 },
	{ "tiny.exe", NULL, "setup", "image/png", 1 },
	{ "tiny.exe", NULL, "setup.exe", "application/octet-stream", 0 },
	{ "tiny.exe", NULL, "setup.exe", "application/x-msdownload", 0 },
	{ "tiny.exe", NULL, NULL, NULL, 0 },
	{ "three.zip", NULL, "photo.jpg", "image/jpeg", 1 },
	{ "three.zip", NULL, "files.zip", "image/jpeg", 1 },
	{ "three.zip", NULL, "notes.txt", "text/plain", 1 },
	{ "three.zip", NULL, "files.zip", "application/zip", 0 },
	{ "three.zip", NULL, "files.zip", "application/x-zip-compressed", 0 },
	{ "three.zip", NULL, "report.docx", "application/vnd.openxmlformats-"
	    "officedocument.wordprocessingml.document", 0 },
	{ "report.docx", NULL, "report.docx", "application/vnd."
	    "openxmlformats-officedocument.wordprocessingml.document", 0 },
	{ "report.docx", NULL, "report.docx", "application/octet-stream", 0 },
	{ "report.docx", NULL, "report.doc", "application/msword", 0 },
	{ "report.docx", NULL, "report.zip", "application/zip", 0 },
	{ NULL, "<html><body>pay</body></html>\n", "invoice.pdf",
	    "application/pdf", 1 },
	{ NULL, "<html><body>pay</body></html>\n", "invoice.html",
	    "text/html", 0 },
	{ NULL, "<html><body>pay</body></html>\n", "invoice.htm",
	    "text/plain", 0 },
	{ NULL, "#include <stdio.h>\nint main(void) { return 0; }\n",
	    "main.txt", "text/plain", 0 },
	{ NULL, "just words\n", "photo.jpg", "image/jpeg", 0 },
	{ NULL, "@echo off\r\nstart calc.exe\r\n", "doc.pdf", NULL, 1 },
	{ NULL, "@echo off\r\nstart calc.exe\r\n", "run.bat", "text/plain",
	    0 },
};

static void
test_mismatch(void **state)
{
	const struct mismatch_case *c;
	struct inspect_result res;
	struct inspect_ctx *ctx;
	char err[256], *data;
	size_t i, len;

	(void)state;
	assert_non_null(ctx = inspect_open(&lim_default, err, sizeof(err)));
	for (i = 0; i < sizeof(mismatch_cases) / sizeof(*c); i++) {
		c = &mismatch_cases[i];
		if (c->file != NULL)
			data = tu_data_file("inspect", c->file, "", &len);
		else {
			data = strdup(c->text);
			len = strlen(c->text);
		}
		assert_int_equal(inspect_attachment(ctx, c->name, c->type,
		    (unsigned char *)data, len, NULL, 0, NULL, NULL, &res), 0);
		if (res.mismatch != c->mismatch)
			fail_msg("%s as %s (%s), real %s: want mismatch %d",
			    c->file != NULL ? c->file : c->text, c->name,
			    c->type, res.real_type, c->mismatch);
		inspect_result_clear(&res);
		free(data);
	}
	inspect_close(ctx);
}

/* A PE named invoice.pdf inside a zip. */
static void
test_member_mismatch(void **state)
{
	struct fixture f;

	(void)state;
	run(&f, NULL, "exe-as-pdf.zip", "docs.zip", "application/zip", NULL,
	    0);
	assert_false(f.res.mismatch);
	assert_int_equal(member(&f, "invoice.pdf")->flags,
	    INSPECT_MEMBER_MISMATCH);
	assert_int_equal(member(&f, "readme.txt")->flags, 0);
	done(&f);
}

/* --- limits ---------------------------------------------------------------- */

/* 4 MiB of zeros in a 4 KiB zip; 1 GiB of zeros in 785 bytes of bzip2. */
static void
test_bomb_bytes(void **state)
{
	struct inspect_limits lim = lim_default;
	const struct inspect_member *m;
	struct fixture f;

	(void)state;
	lim.bytes = 1 * MiB;
	lim.ratio = 0;
	run(&f, &lim, "bomb.zip", "bomb.zip", NULL, NULL, 0);
	assert_archive(&f, INSPECT_ARCHIVE_LIMIT_BYTES);
	m = member(&f, "zeros.bin");
	assert_int_equal(m->size, 1 * MiB);
	assert_int_equal(m->flags, INSPECT_MEMBER_TRUNCATED);
	assert_int_equal(f.each_bytes, 1 * MiB);
	done(&f);
	lim.bytes = 8 * MiB;
	run(&f, &lim, "zeros.bin.bz2", "zeros.bin.bz2", NULL, NULL, 0);
	assert_archive(&f, INSPECT_ARCHIVE_LIMIT_BYTES);
	assert_int_equal(member(&f, "zeros.bin")->size, 8 * MiB);
	done(&f);
}

static void
test_bomb_ratio(void **state)
{
	struct inspect_limits lim = lim_default;
	const struct inspect_member *m;
	struct fixture f;

	(void)state;
	lim.ratio = 100;
	run(&f, &lim, "bomb.zip", "bomb.zip", NULL, NULL, 0);
	assert_archive(&f, INSPECT_ARCHIVE_LIMIT_RATIO);
	m = member(&f, "zeros.bin");
	assert_true(m->size < 4 * MiB);
	assert_int_equal(m->flags, INSPECT_MEMBER_TRUNCATED);
	done(&f);
	run(&f, &lim, "zeros.bin.bz2", "zeros.bin.bz2", NULL, NULL, 0);
	assert_archive(&f, INSPECT_ARCHIVE_LIMIT_RATIO);
	assert_true(member(&f, "zeros.bin")->size <= 2 * MiB);
	done(&f);
	/* deflate's ratio on zeros is about 1000: under a limit of 2000 */
	lim.ratio = 2000;
	run(&f, &lim, "bomb.zip", "bomb.zip", NULL, NULL, 0);
	assert_archive(&f, INSPECT_ARCHIVE_OK);
	assert_int_equal(member(&f, "zeros.bin")->size, 4 * MiB);
	done(&f);
}

static void
test_members(void **state)
{
	struct inspect_limits lim = lim_default;
	struct fixture f;

	(void)state;
	lim.members = 10;
	run(&f, &lim, "many.zip", "many.zip", NULL, NULL, 0);
	assert_archive(&f, INSPECT_ARCHIVE_LIMIT_MEMBERS);
	assert_int_equal(f.res.nmembers, 10);
	done(&f);
	lim.members = 40;
	run(&f, &lim, "many.zip", "many.zip", NULL, NULL, 0);
	assert_archive(&f, INSPECT_ARCHIVE_OK);
	assert_int_equal(f.res.nmembers, 40);
	done(&f);
	/* across depths: 7z, mid.zip, inner.zip: two headers, not three */
	lim.members = 2;
	run(&f, &lim, "nested.7z", "nested.7z", NULL, NULL, 0);
	assert_archive(&f, INSPECT_ARCHIVE_LIMIT_MEMBERS);
	assert_int_equal(f.res.nmembers, 2);
	done(&f);
}

static void
test_truncated(void **state)
{
	struct fixture f;

	(void)state;
	run(&f, NULL, "truncated.zip", "three.zip", "application/zip", NULL,
	    0);
	assert_archive(&f, INSPECT_ARCHIVE_DAMAGED);
	assert_true(f.res.nmembers >= 2);
	assert_string_equal(member(&f, "a.txt")->sha256, SHA_A_TXT);
	assert_string_equal(member(&f, "b.html")->sha256, SHA_B_HTML);
	done(&f);
}

/* Every fixture cut short at many places: listed as far as it goes,
 * never more than the whole; a cut zip is "ok" only when no member was
 * lost (its directory alone was cut). RAR 4 has no end marker libarchive
 * insists on: a cut between members reads as a shorter archive. */
static void
test_cut(void **state)
{
	static const char *const files[] = { "three.zip", "nested.7z",
	    "docs.tar.gz", "note.txt.gz", "sample.rar", "sample5.rar",
	    "many.zip", "zipcrypto.zip", "aes.zip", "names.zip", "bomb.zip" };
	struct inspect_limits lim = { 3, 100, 1 * MiB, 100 };
	static const char *const pw[] = { "S3cret-99" };
	struct inspect_result res;
	struct inspect_ctx *ctx;
	char err[256], *data;
	size_t i, len, cut, whole;

	(void)state;
	assert_non_null(ctx = inspect_open(&lim, err, sizeof(err)));
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		data = tu_data_file("inspect", files[i], "", &len);
		assert_int_equal(inspect_attachment(ctx, files[i], NULL,
		    (unsigned char *)data, len, pw, 1, NULL, NULL, &res), 0);
		whole = res.nmembers;
		inspect_result_clear(&res);
		for (cut = 0; cut < len; cut += 1 + cut / 16) {
			assert_int_equal(inspect_attachment(ctx, files[i],
			    NULL, (unsigned char *)data, cut, pw, 1, NULL, NULL,
			    &res), 0);
			assert_true(res.nmembers <= whole);
			if (strstr(files[i], ".zip") != NULL &&
			    res.archive == INSPECT_ARCHIVE_OK &&
			    res.nmembers != whole)
				fail_msg("%s cut at %zu: ok", files[i], cut);
			inspect_result_clear(&res);
		}
		free(data);
	}
	inspect_close(ctx);
}

/* --- encryption ------------------------------------------------------------ */

static void
encrypted(const char *file)
{
	static const char *const right[] = { "wrong", "S3cret-99", "later" };
	static const char *const wrong[] = { "wrong", "S3cret-98" };
	const struct inspect_member *m;
	struct fixture f;

	run(&f, NULL, file, file, NULL, right, 3);
	assert_archive(&f, INSPECT_ARCHIVE_DECRYPTED);
	assert_non_null(f.res.password);
	assert_string_equal(f.res.password, "S3cret-99");
	assert_int_equal(f.res.nmembers, 2);
	assert_string_equal(member(&f, "a.txt")->sha256, SHA_A_TXT);
	assert_string_equal(member(&f, "b.html")->sha256, SHA_B_HTML);
	assert_int_equal(member(&f, "a.txt")->flags, 0);
	done(&f);
	run(&f, NULL, file, file, NULL, wrong, 2);
	assert_archive(&f, INSPECT_ARCHIVE_ENCRYPTED);
	assert_null(f.res.password);
	assert_int_equal(f.res.nmembers, 2);
	m = member(&f, "a.txt");
	assert_int_equal(m->flags, INSPECT_MEMBER_ENCRYPTED);
	assert_string_equal(m->sha256, "");
	assert_int_equal(f.each_calls, 0);
	done(&f);
	run(&f, NULL, file, file, NULL, NULL, 0);
	assert_archive(&f, INSPECT_ARCHIVE_ENCRYPTED);
	assert_int_equal(member(&f, "b.html")->flags,
	    INSPECT_MEMBER_ENCRYPTED);
	done(&f);
}

static void
test_zipcrypto(void **state)
{
	(void)state;
	encrypted("zipcrypto.zip");
}

static void
test_zip_aes(void **state)
{
	(void)state;
	encrypted("aes.zip");
}

/* --- passwords in text ----------------------------------------------------- */

static const struct password_case {
	const char	*text;
	const char	*want[4];
} password_cases[] = {
	{ "Invoice attached.\nPassword: Inv2024!\nRegards", { "Inv2024!" } },
	{ "Password - 7781", { "7781" } },
	{ "pass: abc123.", { "abc123" } },
	{ "use pwd 4455 to open", { "4455" } },
	{ "PW: \"quoted pass\"", { "quoted pass" } },
	{ "The archive password is 'x-9'.", { "x-9" } },
	{ "Пароль: секрет42", { "секрет42" } },
	{ "Das Passwort: Geheim1", { "Geheim1" } },
	{ "Contraseña: clave99", { "clave99" } },
	{ "Mot de passe : azerty", { "azerty" } },
	{ "解压密码：abc888。谢谢", { "abc888" } },
	{ "password: one\npassword: two\nPassword: one", { "one", "two" } },
	{ "Your password reset link; a passport; bypass: no", { NULL } },
	{ "nothing here", { NULL } },
	{ "password: «guillemets»", { "guillemets" } },
};

static void
test_passwords(void **state)
{
	const struct password_case *c;
	size_t i, j, n;
	char **pw;

	(void)state;
	for (i = 0; i < sizeof(password_cases) / sizeof(*c); i++) {
		c = &password_cases[i];
		pw = inspect_passwords(c->text, 8, &n);
		for (j = 0; j < 4 && c->want[j] != NULL; j++) {
			if (j >= n)
				fail_msg("%s: want %s, got %zu", c->text,
				    c->want[j], n);
			assert_string_equal(pw[j], c->want[j]);
		}
		if (n != j)
			fail_msg("%s: want %zu, got %zu (%s)", c->text, j, n,
			    pw[0]);
		if (n == 0)
			assert_null(pw);
		inspect_passwords_free(pw, n);
	}
	pw = inspect_passwords("pass: a pass: b pass: c", 2, &n);
	assert_int_equal(n, 2);
	assert_string_equal(pw[1], "b");
	inspect_passwords_free(pw, n);
}

/* --- inside the parse child's sandbox -------------------------------------- */

static const char *const sandboxed[] = {
	"three.zip", "nested.7z", "docs.tar.gz", "note.txt.gz", "sample.rar",
	"sample5.rar", "tiny.exe", "report.docx", "exe-as-pdf.zip",
	"bomb.zip", "zeros.bin.bz2", "many.zip", "zipcrypto.zip", "aes.zip",
	"truncated.zip", "names.zip",
};
#define NSANDBOXED	(sizeof(sandboxed) / sizeof(sandboxed[0]))

/* In the child, after sandbox_parser: every fixture, then exit 0. */
static void
sandbox_child(struct inspect_ctx *ctx, char **data, size_t *len)
{
	static const char *const pw[] = { "S3cret-99" };
	struct inspect_result res;
	char **cand;
	size_t i, n;

	for (i = 0; i < NSANDBOXED; i++) {
		if (inspect_attachment(ctx, sandboxed[i], "image/jpeg",
		    (unsigned char *)data[i], len[i], pw, 1, NULL, NULL,
		    &res) != 0 || res.real_type == NULL)
			_exit(2);
		if (strcmp(sandboxed[i], "zipcrypto.zip") == 0 &&
		    res.archive != INSPECT_ARCHIVE_DECRYPTED)
			_exit(3);
		if (strcmp(sandboxed[i], "nested.7z") == 0 && res.nmembers != 3)
			_exit(4);
		inspect_result_clear(&res);
	}
	if ((cand = inspect_passwords("пароль: x1", 4, &n)) == NULL)
		_exit(5);
	inspect_passwords_free(cand, n);
	_exit(0);
}

static void
test_sandbox(void **state)
{
	struct inspect_limits lim = lim_default;
	char *data[NSANDBOXED], report[128];
	struct inspect_ctx *ctx;
	size_t len[NSANDBOXED], i;
	int trap[2], status;
	ssize_t n;
	pid_t pid;

	(void)state;
	lim.ratio = 100;
	for (i = 0; i < NSANDBOXED; i++)
		data[i] = tu_data_file("inspect", sandboxed[i], "", &len[i]);
	assert_non_null(ctx = inspect_open(&lim, report, sizeof(report)));
	assert_int_equal(pipe(trap), 0);
	assert_true((pid = fork()) != -1);
	if (pid == 0) {
		close(trap[0]);
		sandbox_parser(trap[1]);
		sandbox_child(ctx, data, len);
	}
	close(trap[1]);
	n = read(trap[0], report, sizeof(report) - 1);
	report[n > 0 ? n : 0] = '\0';
	close(trap[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("inspect in the parse child: status %#x %s", status,
		    report);
	for (i = 0; i < NSANDBOXED; i++)
		free(data[i]);
	inspect_close(ctx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zip),
		cmocka_unit_test(test_nested),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_tar_gz),
		cmocka_unit_test(test_lone_gzip),
		cmocka_unit_test(test_rar),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_not_archive),
		cmocka_unit_test(test_mismatch),
		cmocka_unit_test(test_member_mismatch),
		cmocka_unit_test(test_bomb_bytes),
		cmocka_unit_test(test_bomb_ratio),
		cmocka_unit_test(test_members),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_cut),
		cmocka_unit_test(test_zipcrypto),
		cmocka_unit_test(test_zip_aes),
		cmocka_unit_test(test_passwords),
		cmocka_unit_test(test_sandbox),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
