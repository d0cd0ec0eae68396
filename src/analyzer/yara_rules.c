/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * yara_rules: the analyst's YARA rules, with libyara (see yara_rules.h).
 *
 * Two processes use this file. The analyzer (unprivileged, its seccomp
 * deny-list) compiles the rule files of yara_rules_dir at start and on
 * SIGHUP and saves them as bytes; its parse child (the allow-list of
 * sandbox_rules.c, Landlock: no file at all) loads those bytes and scans
 * message bodies and attachments, which are attacker bytes. So nothing
 * on the scanning side may open a file, make a thread or install a
 * signal handler: rules are loaded from memory, the scan runs on the
 * calling thread without libyara's SIGSEGV/SIGBUS guard (it is there for
 * files mapped from disk, which may shrink under it; ours is our own
 * memory), and its only system calls are malloc's and the clock of the
 * time limit.
 *
 * Choices:
 * - Rule files are the regular files of the directory whose names end in
 *   .yar or .yara, hidden files skipped, in strcmp order; a symbolic link
 *   is followed (the directory is the operator's, and what it reaches the
 *   analyzer's user may read anyway). Each file is a namespace of its own,
 *   named after the file without its extension.
 * - include "NAME" takes a plain name in the same directory only: no
 *   '/', no leading '.'. The rule text (often copied from public sets)
 *   cannot pull in /etc or ../ files; what it names is read like a rule
 *   file.
 * - Compiler warnings (a slow string, a deprecated feature) are not
 *   errors and are dropped: public rule sets are full of them, and the
 *   yara tool (yara -w, yarac) shows them to the analyst who wants them.
 * - Fast mode: a string is not searched any further once found, unless a
 *   condition counts it or asks for its offsets (#a, @a, !a, "in", "at":
 *   libyara keeps searching those). Every matching rule is still reported.
 * - A scan gives up after YARA_RULES_TIMEOUT_S seconds (libyara checks the
 *   clock as it goes), with what matched so far, so one hostile input
 *   cannot hold the parse child.
 * - Metadata become a JSON object in the order written, strings as JSON
 *   strings, integers as numbers, booleans as true/false; a key written
 *   twice is there twice, as in the rule.
 * - The magic module (libmagic) reads its database on first use, which
 *   the parse child cannot: yara_rules_init has it read once, before any
 *   sandbox, and the children that fork from there inherit it.
 * - The files that import a module of executable formats (pe, elf,
 *   dotnet, macho, dex) are compiled apart and run only on data that
 *   begins as such an executable does (MZ, ELF, Mach-O, dex): libyara
 *   builds those modules' hundreds of fields at every scan, which cost
 *   most of a scan of a message of a few KiB for rules that mostly ask
 *   whether it is an executable at all (bench/README.md). A rule of such
 *   a file that would match other data too is not run on it: keep those
 *   in files of their own.
 */
#include "autoconf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yara.h>

#include "buf.h"
#include "json.h"
#include "util.h"
#include "yara_rules.h"

#define YARA_RULES_TIMEOUT_S	5

struct yara_rules {
	YR_RULES	*rules;		/* run on everything */
	YR_RULES	*exec;		/* on executables only; or NULL */
	size_t		 count;
};

/* The modules whose rules run on executables only. */
static const char *const yara_exec_modules[] = {
	"pe", "elf", "dotnet", "macho", "dex", NULL
};

/* What the compiler callbacks share: the directory and the first error. */
struct yara_compile {
	const char	*dir;
	int		 dirfd;
	char		*err;
	size_t		 errlen;
	int		 failed;
};

/* A scan's results, as the match callback builds them. */
struct yara_scan {
	struct yara_match	**out;
	size_t			 *n;
	int			  nomem;
};

/*
 * libyara's format does not say where it ends: a copy cut short in its
 * list of pointers to relocate loads without an error, and crashes the
 * first scan. So the saved bytes end with this trailer, and a load wants
 * it whole, after exactly the bytes it counts.
 */
#define YARA_TRAILER_TAG	"spampot-yara-end"

struct yara_trailer {
	char		tag[16];
	uint64_t	len;		/* of libyara's bytes before it */
};

/* The serialised rules being read back. */
struct yara_input {
	const unsigned char	*p;
	size_t			 n;
	size_t			 off;
};

static int yara_timeout_s = YARA_RULES_TIMEOUT_S;

/* --- set-up --------------------------------------------------------------- */

/* libyara wants a callback for every scan, even one whose result does
 * not matter. */
static int
yara_ignore_cb(YR_SCAN_CONTEXT *ctx, int msg, void *data, void *arg)
{
	(void)ctx;
	(void)msg;
	(void)data;
	(void)arg;
	return CALLBACK_CONTINUE;
}

/*
 * Scan one byte with a rule that asks libmagic, so that the magic
 * module's cookie (with the database it read) sits in this thread's
 * storage for every later scan here and in the children forked from
 * here. A system without the database just has no magic.
 */
static void
yara_magic_warm(void)
{
	const char *src = "import \"magic\"\n"
	    "rule warm { condition: magic.type() == \"\" }\n";
	YR_COMPILER *c;
	YR_RULES *r = NULL;

	if (yr_compiler_create(&c) != ERROR_SUCCESS)
		return;
	if (yr_compiler_add_string(c, src, NULL) == 0)
		(void)yr_compiler_get_rules(c, &r);
	yr_compiler_destroy(c);
	if (r == NULL)
		return;
	(void)yr_rules_scan_mem(r, (const uint8_t *)"", 1,
	    SCAN_FLAGS_NO_TRYCATCH, yara_ignore_cb, NULL, 0);
	yr_rules_destroy(r);
}

int
yara_rules_init(void)
{
	static int done;
#ifdef SPAMPOT_TEST_HOOKS
	const char *e = getenv("SPAMPOT_TEST_YARA_TIMEOUT");

	if (e != NULL && atoi(e) > 0)
		yara_timeout_s = atoi(e);
#endif
	if (done)
		return 0;
	if (yr_initialize() != ERROR_SUCCESS) {
		errno = ENOMEM;
		return -1;
	}
	yara_magic_warm();
	done = 1;
	return 0;
}

/* --- compiling ------------------------------------------------------------ */

/* A rule file's name: not hidden, ending in .yar or .yara. */
static int
yara_is_rule_name(const char *name)
{
	size_t n = strlen(name);

	if (name[0] == '.')
		return 0;
	return (n > 4 && strcmp(name + n - 4, ".yar") == 0) ||
	    (n > 5 && strcmp(name + n - 5, ".yara") == 0);
}

/* Open NAME of the rules directory for reading: a regular file only (a
 * FIFO would hang the open, hence O_NONBLOCK). -1, errno set. */
static int
yara_open(int dirfd, const char *name)
{
	struct stat st;
	int fd;

	if ((fd = openat(dirfd, name, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) ==
	    -1)
		return -1;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	return fd;
}

static int
yara_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
yara_names_free(char **names, size_t n)
{
	while (n > 0)
		free(names[--n]);
	free(names);
}

/* The rule files of DIRFD, sorted; *N counted. 0, or -1 (errno). */
static int
yara_list(int dirfd, char ***out, size_t *n)
{
	struct dirent *de;
	struct stat st;
	char **names = NULL, **tmp;
	size_t cap = 0;
	DIR *d;

	*n = 0;
	if ((d = util_opendir_at(dirfd)) == NULL)
		return -1;
	while ((errno = 0, de = readdir(d)) != NULL) {
		if (!yara_is_rule_name(de->d_name) ||
		    fstatat(dirfd, de->d_name, &st, 0) == -1 ||
		    !S_ISREG(st.st_mode))
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			if ((tmp = reallocarray(names, cap,
			    sizeof(*names))) == NULL)
				goto fail;
			names = tmp;
		}
		if ((names[*n] = strdup(de->d_name)) == NULL)
			goto fail;
		(*n)++;
	}
	if (errno != 0)
		goto fail;
	closedir(d);
	if (*n > 0)
		qsort(names, *n, sizeof(*names), yara_name_cmp);
	*out = names;
	return 0;
fail:
	yara_names_free(names, *n);
	closedir(d);
	*n = 0;
	if (errno == 0)
		errno = ENOMEM;
	return -1;
}

/* The first error, as "FILE:LINE: message"; an included file is named
 * by its path in the rules directory. Warnings are dropped (see above). */
static void
yara_compile_cb(int level, const char *file, int line, const YR_RULE *rule,
    const char *msg, void *arg)
{
	struct yara_compile *c = arg;

	(void)rule;
	if (level != YARA_ERROR_LEVEL_ERROR || c->failed)
		return;
	c->failed = 1;
	if (file == NULL)
		snprintf(c->err, c->errlen, "%s:%d: %s", c->dir, line, msg);
	else if (strchr(file, '/') != NULL)
		snprintf(c->err, c->errlen, "%s:%d: %s", file, line, msg);
	else
		snprintf(c->err, c->errlen, "%s/%s:%d: %s", c->dir, file,
		    line, msg);
}

/* The text of an included file, NUL-terminated; NULL makes libyara
 * report "callback failed to provide include resource: NAME". */
static const char *
yara_include_cb(const char *name, const char *from, const char *ns,
    void *arg)
{
	struct yara_compile *c = arg;
	struct buf b = { NULL, 0, 0 };
	char chunk[65536];
	ssize_t got;
	int fd;

	(void)from;
	(void)ns;
	if (name[0] == '\0' || name[0] == '.' || strchr(name, '/') != NULL)
		return NULL;
	if ((fd = yara_open(c->dirfd, name)) == -1)
		return NULL;
	while ((got = read(fd, chunk, sizeof(chunk))) > 0)
		if (buf_append(&b, chunk, (size_t)got) == -1)
			break;
	close(fd);
	if (got != 0 || buf_append(&b, "", 1) == -1) {
		buf_release(&b);
		return NULL;
	}
	return b.data;
}

static void
yara_include_free(const char *text, void *arg)
{
	(void)arg;
	free((void *)text);
}

/* Whether the text of rule file FD imports a module of executables (an
 * import statement at the start of a line). The file is read from its
 * start again afterwards. */
static int
yara_imports_exec(int fd)
{
	char buf[65536], *p, *q;
	ssize_t n;
	size_t i;
	int found = 0;

	while (!found && (n = read(fd, buf, sizeof(buf) - 1)) > 0) {
		buf[n] = '\0';
		for (p = buf; !found && (p = strstr(p, "import")) != NULL;
		    p += 6) {
			for (q = p; q > buf && (q[-1] == ' ' || q[-1] == '\t');
			    q--)
				;
			if (q > buf && q[-1] != '\n')
				continue;
			for (q = p + 6; *q == ' ' || *q == '\t'; q++)
				;
			if (*q++ != '"')
				continue;
			for (i = 0; yara_exec_modules[i] != NULL; i++)
				if (strncmp(q, yara_exec_modules[i],
				    strlen(yara_exec_modules[i])) == 0 &&
				    q[strlen(yara_exec_modules[i])] == '"')
					found = 1;
		}
		/* an import cut at the buffer's end: files of rules are
		 * small, and their imports come first */
	}
	(void)lseek(fd, 0, SEEK_SET);
	return found;
}

/* Add NAME to the compiler of the rules it belongs to (YC[1]: of
 * executables), in the namespace of its name without the extension.
 * 0, or -1 with the error in C. */
static int
yara_add_file(YR_COMPILER **yc, struct yara_compile *c, const char *name)
{
	char path[4096], ns[256];
	const char *dot = strrchr(name, '.');
	int fd, errs, exec;

	snprintf(path, sizeof(path), "%s/%s", c->dir, name);
	snprintf(ns, sizeof(ns), "%.*s", (int)(dot - name), name);
	if ((fd = yara_open(c->dirfd, name)) == -1) {
		snprintf(c->err, c->errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	exec = yara_imports_exec(fd);
	errs = yr_compiler_add_fd(yc[exec], fd, ns, path);
	close(fd);
	if (errs == 0)
		return 0;
	if (!c->failed) {
		/* an error before parsing began: no callback */
		char msg[256];

		yr_compiler_get_error_message(yc[exec], msg, sizeof(msg));
		snprintf(c->err, c->errlen, "%s: %s", path, msg);
	}
	return -1;
}

static size_t
yara_count(YR_RULES *yr)
{
	YR_RULE *rule;
	size_t n = 0;

	yr_rules_foreach(yr, rule)
		n++;
	return n;
}

/* Wrap libyara's rules (EXEC: those of executables, or NULL); they are
 * destroyed when that fails. */
static struct yara_rules *
yara_wrap(YR_RULES *yr, YR_RULES *exec, char *err, size_t errlen)
{
	struct yara_rules *r;

	if ((r = calloc(1, sizeof(*r))) == NULL) {
		yr_rules_destroy(yr);
		if (exec != NULL)
			yr_rules_destroy(exec);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	r->rules = yr;
	r->exec = exec;
	r->count = yara_count(yr) + (exec ? yara_count(exec) : 0);
	return r;
}

static int
yara_compiler(YR_COMPILER **yc, struct yara_compile *c)
{
	if (yr_compiler_create(yc) != ERROR_SUCCESS)
		return -1;
	yr_compiler_set_callback(*yc, yara_compile_cb, c);
	yr_compiler_set_include_callback(*yc, yara_include_cb,
	    yara_include_free, c);
	return 0;
}

struct yara_rules *
yara_rules_compile(const char *dir, char *err, size_t errlen)
{
	struct yara_compile c = { dir, -1, err, errlen, 0 };
	YR_COMPILER *yc[2] = { NULL, NULL };
	YR_RULES *yr[2] = { NULL, NULL };
	char **names = NULL;
	size_t n = 0, i;

	if ((c.dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1 || yara_list(c.dirfd, &names, &n) == -1) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		goto fail;
	}
	if (yara_compiler(&yc[0], &c) == -1 ||
	    yara_compiler(&yc[1], &c) == -1) {
		snprintf(err, errlen, "%s: out of memory", dir);
		goto fail;
	}
	for (i = 0; i < n; i++)
		if (yara_add_file(yc, &c, names[i]) == -1)
			goto fail;
	for (i = 0; i < 2; i++)
		if (yr_compiler_get_rules(yc[i], &yr[i]) != ERROR_SUCCESS) {
			snprintf(err, errlen, "%s: out of memory", dir);
			goto fail;
		}
	for (i = 0; i < 2; i++)
		yr_compiler_destroy(yc[i]);
	yara_names_free(names, n);
	close(c.dirfd);
	if (yara_count(yr[1]) == 0) {
		yr_rules_destroy(yr[1]);
		yr[1] = NULL;
	}
	return yara_wrap(yr[0], yr[1], err, errlen);
fail:
	for (i = 0; i < 2; i++) {
		if (yr[i] != NULL)
			yr_rules_destroy(yr[i]);
		if (yc[i] != NULL)
			yr_compiler_destroy(yc[i]);
	}
	yara_names_free(names, n);
	if (c.dirfd != -1)
		close(c.dirfd);
	return NULL;
}

size_t
yara_rules_count(const struct yara_rules *r)
{
	return r->count;
}

void
yara_rules_free(struct yara_rules *r)
{
	if (r == NULL)
		return;
	yr_rules_destroy(r->rules);
	if (r->exec != NULL)
		yr_rules_destroy(r->exec);
	free(r);
}

/* --- as bytes ------------------------------------------------------------- */

static size_t
yara_write_cb(const void *p, size_t size, size_t count, void *arg)
{
	if (size != 0 && count > SIZE_MAX / size)
		return 0;
	return buf_append(arg, p, size * count) == -1 ? 0 : count;
}

/* One set of rules: libyara's bytes and the trailer. */
static int
yara_save_one(YR_RULES *yr, struct buf *b)
{
	struct yara_trailer t;
	size_t start = b->len;
	YR_STREAM s;

	s.user_data = b;
	s.read = NULL;
	s.write = yara_write_cb;
	if (yr_rules_save_stream(yr, &s) != ERROR_SUCCESS)
		return -1;
	memcpy(t.tag, YARA_TRAILER_TAG, sizeof(t.tag));
	t.len = b->len - start;
	return buf_append(b, &t, sizeof(t));
}

/* The rules of everything, then those of executables (none: no bytes),
 * after the length of each. */
int
yara_rules_save(const struct yara_rules *r, struct buf *b)
{
	uint64_t len[2] = { 0, 0 };
	size_t start = b->len, at;

	if (buf_append(b, len, sizeof(len)) == -1)
		goto fail;
	at = b->len;
	if (yara_save_one(r->rules, b) == -1)
		goto fail;
	len[0] = b->len - at;
	at = b->len;
	if (r->exec != NULL && yara_save_one(r->exec, b) == -1)
		goto fail;
	len[1] = b->len - at;
	memcpy(b->data + start, len, sizeof(len));
	return 0;
fail:
	b->len = start;
	errno = ENOMEM;
	return -1;
}

/* Whole items only: libyara takes a short read as a truncated file. */
static size_t
yara_read_cb(void *p, size_t size, size_t count, void *arg)
{
	struct yara_input *in = arg;
	size_t left = in->n - in->off;

	if (size == 0)
		return 0;
	if (count > left / size)
		count = left / size;
	memcpy(p, in->p + in->off, size * count);
	in->off += size * count;
	return count;
}

static const char *
yara_load_error(int rc)
{
	switch (rc) {
	case ERROR_INSUFFICIENT_MEMORY:
		return "out of memory";
	case ERROR_UNSUPPORTED_FILE_VERSION:
		return "made by another version of libyara";
	case ERROR_INVALID_FILE:
	case ERROR_CORRUPT_FILE:
		return "not compiled rules, or truncated";
	default:
		return "libyara cannot load them";
	}
}

/* One set of rules from its bytes and trailer; NULL with ERR. */
static YR_RULES *
yara_load_one(const void *p, size_t n, char *err, size_t errlen)
{
	struct yara_input in = { p, 0, 0 };
	struct yara_trailer t;
	YR_STREAM s;
	YR_RULES *yr = NULL;
	int rc;

	if (n >= sizeof(t))
		memcpy(&t, (const char *)p + n - sizeof(t), sizeof(t));
	if (n < sizeof(t) || memcmp(t.tag, YARA_TRAILER_TAG,
	    sizeof(t.tag)) != 0 || t.len != n - sizeof(t)) {
		snprintf(err, errlen, "compiled YARA rules: %s",
		    yara_load_error(ERROR_CORRUPT_FILE));
		return NULL;
	}
	in.n = n - sizeof(t);
	s.user_data = &in;
	s.read = yara_read_cb;
	s.write = NULL;
	if ((rc = yr_rules_load_stream(&s, &yr)) != ERROR_SUCCESS) {
		snprintf(err, errlen, "compiled YARA rules: %s (libyara "
		    "error %d)", yara_load_error(rc), rc);
		return NULL;
	}
	if (in.off != in.n) {
		yr_rules_destroy(yr);
		snprintf(err, errlen, "compiled YARA rules: %s",
		    yara_load_error(ERROR_CORRUPT_FILE));
		return NULL;
	}
	return yr;
}

struct yara_rules *
yara_rules_load(const void *p, size_t n, char *err, size_t errlen)
{
	const unsigned char *b = p;
	uint64_t len[2];
	YR_RULES *yr, *exec = NULL;

	if (n >= sizeof(len))
		memcpy(len, p, sizeof(len));
	if (n < sizeof(len) || len[0] > n - sizeof(len) ||
	    len[1] != n - sizeof(len) - len[0]) {
		snprintf(err, errlen, "compiled YARA rules: %s",
		    yara_load_error(ERROR_CORRUPT_FILE));
		return NULL;
	}
	if ((yr = yara_load_one(b + sizeof(len), len[0], err, errlen)) ==
	    NULL)
		return NULL;
	if (len[1] > 0 && (exec = yara_load_one(b + sizeof(len) + len[0],
	    len[1], err, errlen)) == NULL) {
		yr_rules_destroy(yr);
		return NULL;
	}
	return yara_wrap(yr, exec, err, errlen);
}

/* --- scanning ------------------------------------------------------------- */

/* The rule's tags, space-separated. */
static int
yara_tags(const YR_RULE *rule, struct buf *b)
{
	const char *tag;

	yr_rule_tags_foreach(rule, tag) {
		if (b->len > 0 && buf_append(b, " ", 1) == -1)
			return -1;
		if (buf_append(b, tag, strlen(tag)) == -1)
			return -1;
	}
	return buf_append(b, "", 1);
}

/* The rule's metadata as a JSON object (see above). */
static int
yara_meta(const YR_RULE *rule, struct buf *b)
{
	const YR_META *m;
	int first = 1;

	if (buf_append(b, "{", 1) == -1)
		return -1;
	yr_rule_metas_foreach(rule, m) {
		if (json_key(b, m->identifier, first) == -1)
			return -1;
		first = 0;
		if (m->type == META_TYPE_STRING) {
			if (json_cstr(b, m->string) == -1)
				return -1;
		} else if (m->type == META_TYPE_BOOLEAN) {
			if (buf_appendf(b, "%s", m->integer ? "true" :
			    "false") == -1)
				return -1;
		} else if (buf_appendf(b, "%lld", (long long)m->integer) ==
		    -1)
			return -1;
	}
	if (buf_append(b, "}", 1) == -1)
		return -1;
	return buf_append(b, "", 1);
}

/* One matching rule appended to the scan's results. 0, or -1. */
static int
yara_add_match(struct yara_scan *sc, const YR_RULE *rule)
{
	struct yara_match m, *tmp;
	struct buf tags = { NULL, 0, 0 }, meta = { NULL, 0, 0 };

	memset(&m, 0, sizeof(m));
	if (yara_tags(rule, &tags) == -1 || yara_meta(rule, &meta) == -1)
		goto fail;
	m.tags = tags.data;
	m.meta = meta.data;
	tags.data = meta.data = NULL;
	if ((m.rule = strdup(rule->identifier)) == NULL ||
	    (m.ns = strdup(rule->ns->name)) == NULL)
		goto fail;
	if ((tmp = reallocarray(*sc->out, *sc->n + 1, sizeof(**sc->out))) ==
	    NULL)
		goto fail;
	*sc->out = tmp;
	tmp[(*sc->n)++] = m;
	return 0;
fail:
	buf_release(&tags);
	buf_release(&meta);
	yara_match_clear(&m);
	return -1;
}

static int
yara_scan_cb(YR_SCAN_CONTEXT *ctx, int msg, void *data, void *arg)
{
	struct yara_scan *sc = arg;

	(void)ctx;
	/* too many matches of one string: libyara stops counting that
	 * string and goes on, which is what we want; module data and
	 * console.log: nothing to give or show */
	if (msg != CALLBACK_MSG_RULE_MATCHING)
		return CALLBACK_CONTINUE;
	if (yara_add_match(sc, data) == -1) {
		sc->nomem = 1;
		return CALLBACK_ABORT;
	}
	return CALLBACK_CONTINUE;
}

/* Whether DATA begins as an executable of the modules of r->exec. */
static int
yara_is_exec(const unsigned char *p, size_t n)
{
	static const unsigned char macho[][4] = {
		{ 0xfe, 0xed, 0xfa, 0xce }, { 0xfe, 0xed, 0xfa, 0xcf },
		{ 0xce, 0xfa, 0xed, 0xfe }, { 0xcf, 0xfa, 0xed, 0xfe },
		{ 0xca, 0xfe, 0xba, 0xbe },
	};
	size_t i;

	if (n >= 2 && p[0] == 'M' && p[1] == 'Z')
		return 1;
	if (n >= 4 && (memcmp(p, "\x7f" "ELF", 4) == 0 ||
	    memcmp(p, "dex\n", 4) == 0))
		return 1;
	for (i = 0; n >= 4 && i < sizeof(macho) / sizeof(macho[0]); i++)
		if (memcmp(p, macho[i], 4) == 0)
			return 1;
	return 0;
}

static int
yara_scan_one(YR_RULES *yr, const void *data, size_t len,
    struct yara_match **out, size_t *n)
{
	struct yara_scan sc = { out, n, 0 };
	YR_SCANNER *s;
	int rc;

	if (yr_scanner_create(yr, &s) != ERROR_SUCCESS) {
		errno = ENOMEM;
		return -1;
	}
	yr_scanner_set_callback(s, yara_scan_cb, &sc);
	yr_scanner_set_flags(s, SCAN_FLAGS_FAST_MODE |
	    SCAN_FLAGS_NO_TRYCATCH | SCAN_FLAGS_REPORT_RULES_MATCHING);
	yr_scanner_set_timeout(s, yara_timeout_s);
	rc = yr_scanner_scan_mem(s, len > 0 ? data : (const void *)"",
	    len);
	yr_scanner_destroy(s);
	/* a time limit, too many matches, a module that failed: what
	 * matched before it stands */
	if (sc.nomem || rc == ERROR_INSUFFICIENT_MEMORY) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

int
yara_rules_scan(const struct yara_rules *r, const void *data, size_t len,
    struct yara_match **out, size_t *n)
{
	if (yara_scan_one(r->rules, data, len, out, n) == -1)
		return -1;
	if (r->exec != NULL && yara_is_exec(data, len))
		return yara_scan_one(r->exec, data, len, out, n);
	return 0;
}

void
yara_match_clear(struct yara_match *m)
{
	free(m->rule);
	free(m->ns);
	free(m->tags);
	free(m->meta);
	memset(m, 0, sizeof(*m));
}
