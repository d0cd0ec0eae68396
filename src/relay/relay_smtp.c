/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * relay_smtp: a delivery to the smarthost (relay_smtp.h). libcurl speaks
 * SMTP: EHLO with our host name, STARTTLS when offered (the smarthost is
 * the operator's own MTA: its certificate is not checked), MAIL, RCPT,
 * DATA with the dot-stuffing, QUIT. What we add: the name is resolved once
 * at start (CURLOPT_RESOLVE), the smarthost's replies are kept from
 * libcurl's debug stream, and the end of DATA waits for the caller's
 * commit mark, so that a crash can never send a message twice.
 */
#include "autoconf.h"

#include <sys/socket.h>

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relay_smtp.h"
#include "relayq.h"

static char relay_url[1024];
static char relay_resolve[1024];
static unsigned relay_port;

unsigned
relay_smtp_port(void)
{
	return relay_port;
}

/* "host", "host:port", "[v6]:port" into host and port (25). */
static int
relay_smtp_split(const char *s, char *host, size_t hostlen, unsigned *port)
{
	const char *colon, *end;
	char *e;
	unsigned long p = 25;

	if (s[0] == '[') {
		if ((end = strchr(s, ']')) == NULL)
			return -1;
		snprintf(host, hostlen, "%.*s", (int)(end - s - 1), s + 1);
		colon = end[1] == ':' ? end + 1 : NULL;
		if (end[1] != '\0' && colon == NULL)
			return -1;
	} else {
		colon = strrchr(s, ':');
		snprintf(host, hostlen, "%.*s", colon ? (int)(colon - s) :
		    (int)strlen(s), s);
	}
	if (colon != NULL) {
		p = strtoul(colon + 1, &e, 10);
		if (colon[1] == '\0' || *e != '\0' || p == 0 || p > 65535)
			return -1;
	}
	*port = (unsigned)p;
	return host[0] == '\0' ? -1 : 0;
}

int
relay_smtp_init(const char *smarthost, const char *helo, char *err,
    size_t errlen)
{
	struct addrinfo hints, *ai;
	char host[256], addr[INET6_ADDRSTRLEN];
	int rc;

	if (relay_smtp_split(smarthost, host, sizeof(host), &relay_port) ==
	    -1) {
		snprintf(err, errlen, "relay_smarthost '%s': expected HOST, "
		    "HOST:PORT or [IPV6]:PORT", smarthost);
		return -1;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(host, NULL, &hints, &ai)) != 0) {
		snprintf(err, errlen, "relay_smarthost %s: %s", host,
		    gai_strerror(rc));
		return -1;
	}
	if (ai->ai_family == AF_INET6)
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)
		    (void *)ai->ai_addr)->sin6_addr, addr, sizeof(addr));
	else
		inet_ntop(AF_INET, &((struct sockaddr_in *)
		    (void *)ai->ai_addr)->sin_addr, addr, sizeof(addr));
	freeaddrinfo(ai);
	/* the URL names the host as written (TLS's SNI); curl connects to
	 * the address found now and never resolves a name itself */
	snprintf(relay_resolve, sizeof(relay_resolve), "%s:%u:%s%s%s", host,
	    relay_port, strchr(addr, ':') ? "[" : "", addr,
	    strchr(addr, ':') ? "]" : "");
	snprintf(relay_url, sizeof(relay_url), "smtp://%s%s%s:%u/%s",
	    strchr(host, ':') ? "[" : "", host, strchr(host, ':') ? "]" : "",
	    relay_port, helo);
	if (curl_global_init(CURL_GLOBAL_ALL) != 0) {
		snprintf(err, errlen, "curl_global_init failed");
		return -1;
	}
	return 0;
}

struct relay_xfer {
	const struct relayq_item	*it;
	size_t				 off;
	relay_commit_fn			 commit;
	void				*arg;
	struct relay_smtp_result	*res;
	char				 line[512];	/* the reply so far */
	int				 quit;		/* QUIT is out */
	int				 starttls;	/* STARTTLS is out */
};

static size_t
relay_smtp_read(char *buf, size_t size, size_t n, void *arg)
{
	struct relay_xfer *x = arg;
	size_t left = x->it->size - x->off, want = size * n;

	if (want > left)
		want = left;
	/* The last bytes: once libcurl has them it may send the end of DATA
	 * without asking again. Mark it first, or send nothing. */
	if (want == left && !x->res->committed) {
		if (x->commit(x->arg) == -1)
			return CURL_READFUNC_ABORT;
		x->res->committed = 1;
	}
	memcpy(buf, x->it->data + x->off, want);
	x->off += want;
	return want;
}

/* libcurl's trace: the smarthost's replies (HEADER_IN), our commands
 * (HEADER_OUT). The last complete reply before QUIT is the one kept. */
static int
relay_smtp_trace(CURL *c, curl_infotype type, char *data, size_t len,
    void *arg)
{
	struct relay_xfer *x = arg;
	size_t n = strlen(x->line);

	(void)c;
	if (type == CURLINFO_HEADER_OUT && len >= 4 &&
	    strncmp(data, "QUIT", 4) == 0)
		x->quit = 1;
	if (type == CURLINFO_HEADER_OUT && len >= 8 &&
	    strncmp(data, "STARTTLS", 8) == 0)
		x->starttls = 1;
	if (type != CURLINFO_HEADER_IN || x->quit)
		return 0;
	while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r'))
		len--;
	if (n > 0 && n + 1 < sizeof(x->line))
		x->line[n++] = ' ';
	snprintf(x->line + n, sizeof(x->line) - n, "%.*s", (int)len, data);
	/* "250 ..." ends a reply, "250-..." goes on */
	if (len >= 4 && data[3] == ' ') {
		/* 220 to STARTTLS: what follows is inside TLS */
		if (x->starttls && strncmp(data, "220", 3) == 0)
			x->res->tls = 1;
		x->starttls = 0;
		snprintf(x->res->reply, sizeof(x->res->reply), "%s", x->line);
		x->line[0] = '\0';
		if (x->res->committed)
			x->res->answered = 1;
	}
	return 0;
}

/* The queue id a reply names: Postfix's "queued as ID", Exim's "id=ID". */
static void
relay_smtp_queue_id(struct relay_smtp_result *res)
{
	const char *p;
	size_t n;

	if ((p = strstr(res->reply, "queued as ")) != NULL)
		p += 10;
	else if ((p = strstr(res->reply, "id=")) != NULL)
		p += 3;
	else
		return;
	n = strcspn(p, " \t\r\n;,");
	snprintf(res->queue_id, sizeof(res->queue_id), "%.*s", (int)n, p);
}

void
relay_smtp_deliver(const struct relayq_item *it, relay_commit_fn commit,
    void *arg, long timeout_ms, struct relay_smtp_result *res)
{
	struct curl_slist *rcpt = NULL, *resolve = NULL;
	struct relay_xfer x;
	char from[RELAYQ_ADDR_MAX + 2], errbuf[CURL_ERROR_SIZE] = "";
	CURLcode rc;
	CURL *c;

	memset(res, 0, sizeof(*res));
	memset(&x, 0, sizeof(x));
	x.it = it;
	x.commit = commit;
	x.arg = arg;
	x.res = res;
	snprintf(from, sizeof(from), "<%s>", it->from);
	if ((c = curl_easy_init()) == NULL ||
	    (rcpt = curl_slist_append(NULL, it->rcpt)) == NULL ||
	    (resolve = curl_slist_append(NULL, relay_resolve)) == NULL) {
		res->outcome = RELAY_TEMPFAIL;
		snprintf(res->error, sizeof(res->error), "out of memory");
		goto out;
	}
	curl_easy_setopt(c, CURLOPT_URL, relay_url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp");
	curl_easy_setopt(c, CURLOPT_RESOLVE, resolve);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)it->size);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, relay_smtp_read);
	curl_easy_setopt(c, CURLOPT_READDATA, &x);
	curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_TRY);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
	curl_easy_setopt(c, CURLOPT_VERBOSE, 1L);
	curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, relay_smtp_trace);
	curl_easy_setopt(c, CURLOPT_DEBUGDATA, &x);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &res->code);
	if (rc == CURLE_OK)
		res->outcome = RELAY_SENT;
	else {
		res->outcome = res->code >= 500 && res->code < 600 ?
		    RELAY_PERMFAIL : RELAY_TEMPFAIL;
		snprintf(res->error, sizeof(res->error), "%s",
		    errbuf[0] ? errbuf : curl_easy_strerror(rc));
	}
	relay_smtp_queue_id(res);
out:
	curl_slist_free_all(rcpt);
	curl_slist_free_all(resolve);
	if (c != NULL)
		curl_easy_cleanup(c);
}
