/*
 * Copyright (c) 2026 The spampot authors
 * SPDX-License-Identifier: ISC (the licence text is in LICENSE)
 */
/*
 * conf: etc/spampot.conf, "key = value" lines, shared by the sensor and
 * the analyzer. Every key has a default in one table (conf.c).
 */
#ifndef SPAMPOT_CONF_H
#define SPAMPOT_CONF_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define CONF_MAX_LISTEN	16
#define CONF_MAX_WORKERS	64
#define CONF_ERR_MAX		4096

/* What a listener offers: STARTTLS (when a certificate is set), TLS
 * from the first byte ("/tls", as on port 465), or never TLS ("/plain"). */
enum conf_tls_mode {
	CONF_TLS_STARTTLS = 0,
	CONF_TLS_IMPLICIT,
	CONF_TLS_PLAIN,
};

struct conf_listen {
	struct sockaddr_storage	addr;
	socklen_t		addrlen;
	char			text[80];	/* as written: addr:port[/mode] */
	enum conf_tls_mode	tls;
};

struct conf_pattern {
	char	*name;
	char	*regex;
	int	 line;
};

/* auth_accept: which credentials get 235. */
#define CONF_AUTH_ALL		0	/* any */
#define CONF_AUTH_FAIL_FIRST	1	/* after N failures in a session */
#define CONF_AUTH_LIST		2	/* those in a file */

/* relay: what the analyzer does with a relay-test probe. */
#define CONF_RELAY_OFF		0	/* nothing: no decision is made */
#define CONF_RELAY_DRY_RUN	1	/* decide and record, queue nothing */
#define CONF_RELAY_ON		2	/* queue probes for spampot-relay */

struct config {
	char			*path;

	/* sensor */
	struct conf_listen	 listen[CONF_MAX_LISTEN];
	size_t			 nlisten;
	char			*user;
	char			*spool_group;
	uint64_t		 workers;	/* 0: one per CPU */
	char			*spool_dir;
	char			*hostname;	/* "" = the system's */
	char			*banner;
	char			*sensor;	/* "" = hostname */
	char			*persona;	/* src/sensor/persona.c */
	int			 banner_set;	/* else the persona's */
	char			*auth_accept;	/* as written */
	int			 auth_accept_mode;	/* CONF_AUTH_* */
	uint64_t		 auth_accept_failures;
	char			*auth_list;	/* "user:pass" lines */
	int			 log_facility;
	uint64_t		 greeting_delay;	/* ms */
	uint64_t		 reply_delay;		/* ms */
	uint64_t		 max_command_line;
	uint64_t		 max_data_line;
	uint64_t		 max_message_size;
	uint64_t		 max_recipients;
	uint64_t		 max_messages;
	uint64_t		 max_errors;
	uint64_t		 max_transcript;	/* bytes but message text */
	uint64_t		 command_timeout;	/* ms */
	uint64_t		 data_timeout;		/* ms */
	uint64_t		 max_session_time;	/* ms */
	uint64_t		 max_sessions_per_worker;
	uint64_t		 max_sessions_per_ip;
	uint64_t		 spool_min_free;	/* bytes */
	int			 spool_fsync;
	uint64_t		 shutdown_grace;	/* ms */
	char			*tls_cert_file;		/* "" = no TLS */
	char			*tls_key_file;
	uint64_t		 tls_handshake_timeout;	/* ms */
	int			 tls_cert_line;		/* where set, for errors */
	int			 tls_key_line;

	/* analyzer */
	char			*mysql_socket;
	char			*mysql_host;
	uint64_t		 mysql_port;
	char			*mysql_database;
	char			*mysql_user;
	char			*mysql_password_file;
	char			*mysql_tls_ca;		/* "" = system CAs */
	char			*analyzer_user;
	int			 spool_keep;		/* no: delete */
	char			*attachments_dir;	/* "" = off */
	char			*json_log;		/* "" = off */
	char			*geoip_country_db;	/* "" = off */
	char			*geoip_asn_db;		/* "" = off */
	/* campaigns, attachments looked into, YARA */
	int			 campaigns;
	uint64_t		 campaign_distance;	/* TLSH */
	uint64_t		 campaign_domain_bonus;
	uint64_t		 campaign_ssdeep;	/* 0: not used */
	uint64_t		 archive_depth;
	uint64_t		 archive_max_members;
	uint64_t		 archive_max_bytes;
	uint64_t		 archive_max_ratio;
	char			*yara_rules_dir;	/* "" = off */
	struct conf_pattern	*patterns;
	size_t			 npatterns;

	/* relay of probes (analyzer decides, spampot-relay delivers) */
	char			*relay;			/* as written */
	int			 relay_mode;		/* CONF_RELAY_* */
	char			*relay_dir;
	char			*relay_user;
	char			*relay_smarthost;	/* host[:port] */
	char			*relay_address;		/* public addresses */
	uint64_t		 relay_max_recipients;
	uint64_t		 relay_max_size;
	uint64_t		 relay_per_campaign;
	uint64_t		 relay_limit_hour;
	uint64_t		 relay_limit_day;
	uint64_t		 relay_limit_client;	/* a day */
	uint64_t		 relay_limit_domain;	/* a day */
	uint64_t		 relay_limit_campaign;	/* a day */
	uint64_t		 relay_recipient_cooldown;	/* ms */
	uint64_t		 relay_queue_max;
	uint64_t		 relay_retry_min;	/* ms */
	uint64_t		 relay_max_age;		/* ms */
};

int	conf_load(struct config *, const char *path, char *err, size_t);
int	conf_parse_buffer(struct config *, const char *path,
	    const char *text, size_t len, char *err, size_t errlen);
void	conf_clear(struct config *);

#endif
