/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * spampotd: the sensor's parent. Started as root: read the config, open
 * syslog, bind every listen address, prepare the spool tree, drop
 * privileges for good, recover what a crash left in spool/tmp, then only
 * supervise the sandboxed workers (supervise.c). It never reads a byte
 * from a client.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmdline.h"
#include "conf.h"
#include "paths.h"
#include "log.h"
#include "privdrop.h"
#include "selfcheck.h"
#include "spool.h"
#include "supervise.h"
#include "tls.h"
#include "util.h"

#define SPAMPOTD_BACKLOG	1024
#define SPAMPOTD_FD_MARGIN	64	/* fds a worker needs besides sessions */

static void
spampotd_usage(void)
{
	fprintf(stderr, "usage: spampotd [-dfhtV] [-c file]\n"
	    "  -c file  configuration (default %s)\n"
	    "  -d       debug: more log lines; a forbidden system call is\n"
	    "           reported by number before the worker dies\n"
	    "  -f       stay in the foreground, log to stderr as well\n"
	    "  -t       check the configuration and exit\n"
	    "  -V       print the version and exit\n", SPAMPOT_CONFIG_FILE);
	exit(1);
}

static int
spampotd_bind(const struct conf_listen *l)
{
	int fd, on = 1;

	fd = socket(l->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (fd == -1)
		fatal("socket for %s", l->text);
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == -1)
		fatal("SO_REUSEADDR on %s", l->text);
	/* [::]:25 and 0.0.0.0:25 may both be listed. */
	if (l->addr.ss_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6,
	    IPV6_V6ONLY, &on, sizeof(on)) == -1)
		fatal("IPV6_V6ONLY on %s", l->text);
	if (bind(fd, (const struct sockaddr *)&l->addr, l->addrlen) == -1)
		fatal("bind %s", l->text);
	if (listen(fd, SPAMPOTD_BACKLOG) == -1)
		fatal("listen %s", l->text);
	log_info("listening on %s", l->text);
	return fd;
}

/*
 * Room for every session a worker may hold (its socket and its spool
 * file), raised while still root; where the hard limit cannot be raised,
 * at least up to it.
 */
static void
spampotd_fd_limit(const struct config *cf)
{
	struct rlimit rl, up;
	rlim_t want = 2 * (rlim_t)cf->max_sessions_per_worker +
	    SPAMPOTD_FD_MARGIN;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		fatal("getrlimit");
	if (rl.rlim_cur >= want)
		return;
	up.rlim_cur = up.rlim_max = want > rl.rlim_max ? want : rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &up) == -1) {
		up.rlim_cur = up.rlim_max = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &up) == -1)
			up.rlim_cur = rl.rlim_cur;
	}
	if (up.rlim_cur < want)
		log_warnx("only %llu file descriptors per worker: room for "
		    "%llu sessions, fewer than max_sessions_per_worker %llu",
		    (unsigned long long)up.rlim_cur,
		    (unsigned long long)(up.rlim_cur > SPAMPOTD_FD_MARGIN ?
		    (up.rlim_cur - SPAMPOTD_FD_MARGIN) / 2 : 0),
		    (unsigned long long)cf->max_sessions_per_worker);
}

static void
spampotd_daemonize(void)
{
	int fd;

	switch (fork()) {
	case -1:
		fatal("fork");
	case 0:
		break;
	default:
		_exit(0);
	}
	if (setsid() == -1)
		fatal("setsid");
	if (chdir("/") == -1)
		fatal("chdir /");
	if ((fd = open("/dev/null", O_RDWR)) == -1)
		fatal("/dev/null");
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	if (fd > 2)
		close(fd);
}

/*
 * The TLS context, certificate and key read now, as root: the workers
 * inherit it. A file that cannot be read or a key that does not match
 * the certificate stops the start, as it fails "spampotd -t".
 */
static struct tls_ctx *
spampotd_tls(const struct config *cf)
{
	struct tls_ctx *tc;
	char err[CONF_ERR_MAX];

	if ((tc = tls_ctx_new(cf, err, sizeof(err))) == NULL &&
	    err[0] != '\0') {
		fprintf(stderr, "spampotd: %s\n", err);
		exit(1);
	}
	return tc;
}

static struct config *
spampotd_config(const char *path, int check_only, struct privdrop_user *pu)
{
	struct config *cf;
	char err[CONF_ERR_MAX];

	if ((cf = calloc(1, sizeof(*cf))) == NULL)
		exit(1);
	if (conf_load(cf, path, err, sizeof(err)) == -1) {
		fprintf(stderr, "spampotd: %s\n", err);
		exit(1);
	}
	if (privdrop_lookup(cf->user, cf->spool_group, pu, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "spampotd: %s: %s\n", path, err);
		exit(1);
	}
	if (check_only) {
		tls_ctx_free(spampotd_tls(cf));
		if (selfcheck_sensor(cf, pu) > 0)
			exit(1);
		printf("spampotd: %s: configuration OK\n", path);
		exit(0);
	}
	return cf;
}

int
main(int argc, char *argv[])
{
	struct supervise_setup su;
	struct privdrop_user pu;
	struct cmdline cl = { .conf_path = SPAMPOT_CONFIG_FILE };
	int ch, n;
	size_t i;

	util_close_from(3);
	while ((ch = getopt(argc, argv, "c:dfhtV")) != -1)
		if (!cmdline_option(&cl, ch, optarg, "spampotd"))
			spampotd_usage();
	if (optind != argc)
		spampotd_usage();
	/* Spool files are created 0640 whatever umask we inherited. */
	umask(027);
	memset(&su, 0, sizeof(su));
	su.conf_path = cl.conf_path;
	su.cf = spampotd_config(cl.conf_path, cl.check, &pu);
	su.sandbox_trap = cl.debug;
	su.tls = spampotd_tls(su.cf);
	log_init("spampotd", cl.foreground, su.cf->log_facility);
	log_set_debug(cl.debug);
	log_info("starting spampotd %s, config %s", PACKAGE_VERSION,
	    cl.conf_path);

	if ((su.listen_fds = calloc(su.cf->nlisten, sizeof(int))) == NULL)
		fatal("calloc");
	for (i = 0; i < su.cf->nlisten; i++)
		su.listen_fds[i] = spampotd_bind(&su.cf->listen[i]);
	su.nlisten = su.cf->nlisten;
	spampotd_fd_limit(su.cf);
	if ((su.spool_fd = spool_prepare(su.cf->spool_dir, pu.uid,
	    pu.spool_gid)) == -1)
		fatal("spool %s", su.cf->spool_dir);
	if (!cl.foreground)
		spampotd_daemonize();
	privdrop_drop(su.cf->user, &pu);
	if ((n = spool_recover(su.spool_fd, 0)) > 0)
		log_info("spool: %d sessions a crash left in tmp/ moved to "
		    "new/", n);
	else if (n == -1)
		log_warn("spool: cannot scan %s/tmp", su.cf->spool_dir);
	n = supervise_run(&su);
	conf_clear(su.cf);
	free(su.cf);
	free(su.listen_fds);
	tls_ctx_free(su.tls);
	return n;
}
