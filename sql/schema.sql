-- Copyright (c) 2026 The spampot authors
-- SPDX-License-Identifier: ISC (the licence text is in LICENSE)
--
-- spampot database schema, version 4 (sql/upgrade/ takes older ones here).
--
-- Written by spampot-analyzer, read by analysts and spampot-report. Every
-- text column is utf8mb4 and holds valid UTF-8 (the analyzer replaces bad
-- bytes). Loaded by spampot-dbsetup; upgrades live in sql/upgrade/.

CREATE TABLE IF NOT EXISTS schema_version (
	version		INT UNSIGNED NOT NULL PRIMARY KEY,
	applied_at	DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One row per SMTP session (one spool file).
CREATE TABLE IF NOT EXISTS sessions (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	sensor		VARCHAR(255) NOT NULL,
	spool_name	VARCHAR(191) NOT NULL,
	session_key	CHAR(16) NOT NULL,
	client_ip	VARCHAR(45) NOT NULL,
	client_port	SMALLINT UNSIGNED NOT NULL,
	server_ip	VARCHAR(45) NOT NULL,
	server_port	SMALLINT UNSIGNED NOT NULL,
	started_at	DATETIME(6) NOT NULL,
	ended_at	DATETIME(6) NOT NULL,
	helo		VARCHAR(255) NULL,
	helo_verb	VARCHAR(4) NULL,
	end_reason	VARCHAR(16) NOT NULL,
	messages	INT UNSIGNED NOT NULL DEFAULT 0,
	imported_at	DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
	-- the client address as 16 bytes (IPv4 as ::ffff:a.b.c.d): a network
	-- is one index range
	client_ip_bin	VARBINARY(16) AS (INET6_ATON(IF(IS_IPV4(client_ip),
			    CONCAT('::ffff:', client_ip), client_ip))) VIRTUAL,
	-- from MaxMind-format databases when the analyzer has them
	country		CHAR(2) NULL,
	asn		INT UNSIGNED NULL,
	as_org		VARCHAR(255) NULL,
	UNIQUE KEY uq_sessions_spool_name (spool_name),
	KEY ix_sessions_started (started_at),
	KEY ix_sessions_client_ip (client_ip, started_at),
	KEY ix_sessions_sensor (sensor, started_at),
	KEY ix_sessions_client_net (client_ip_bin, started_at),
	KEY ix_sessions_key (session_key),
	KEY ix_sessions_helo_time (helo, started_at),
	KEY ix_sessions_country (country, started_at),
	KEY ix_sessions_asn (asn, started_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The whole command transcript of a session, as spampot-spool(5) records it.
CREATE TABLE IF NOT EXISTS transcripts (
	session_id	BIGINT UNSIGNED NOT NULL PRIMARY KEY,
	transcript	MEDIUMTEXT NOT NULL,
	CONSTRAINT fk_transcripts_session FOREIGN KEY (session_id)
	    REFERENCES sessions (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- A session's TLS, at most one row: the handshake's outcome (ok = 1:
-- version, cipher and the ALPN chosen; ok = 0: where and why it failed,
-- fail_bytes the bytes the client sent for TLS) and the client's
-- ClientHello as spampot-spool(5) records it (NULL where none was read):
-- its lists are decimal numbers joined by ',' in the client's order,
-- GREASE values kept; alpns the offered names as in the spool record
-- (',' inside a name written \x2c); hello_cut 1 when a list was cut. ja3
-- (its text and MD5) and ja4 are the analyzer's, GREASE left out.
-- started_at is the session's start.
CREATE TABLE IF NOT EXISTS session_tls (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	session_id	BIGINT UNSIGNED NOT NULL,
	ok		TINYINT(1) NOT NULL,
	version		VARCHAR(16) NULL,
	cipher		VARCHAR(64) NULL,
	alpn		VARCHAR(255) NULL,
	fail_stage	VARCHAR(16) NULL,
	fail_reason	VARCHAR(255) NULL,
	fail_bytes	BIGINT UNSIGNED NULL,
	sni		VARCHAR(255) NULL,
	alpns		TEXT NULL,
	hello_version	SMALLINT UNSIGNED NULL,
	ciphers		TEXT NULL,
	extensions	TEXT NULL,
	supported_groups TEXT NULL,
	sigalgs		TEXT NULL,
	point_formats	TEXT NULL,
	supported_versions TEXT NULL,
	hello_cut	TINYINT(1) NULL,
	ja3		TEXT NULL,
	ja3_hash	CHAR(32) NULL,
	ja4		CHAR(36) NULL,
	started_at	DATETIME(6) NOT NULL,
	UNIQUE KEY uq_session_tls_session (session_id),
	KEY ix_session_tls_version (version, started_at),
	KEY ix_session_tls_ja4 (ja4, started_at),
	KEY ix_session_tls_ja3 (ja3_hash, started_at),
	KEY ix_session_tls_sni (sni, started_at),
	KEY ix_session_tls_ok (ok, started_at),
	CONSTRAINT fk_session_tls_session FOREIGN KEY (session_id)
	    REFERENCES sessions (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS auth_attempts (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	session_id	BIGINT UNSIGNED NOT NULL,
	mechanism	VARCHAR(32) NOT NULL,
	status		VARCHAR(16) NOT NULL,
	username	VARCHAR(1024) NOT NULL,
	password	VARCHAR(1024) NOT NULL,
	authzid		VARCHAR(1024) NOT NULL,
	tried_at	DATETIME(6) NULL,	-- the session's start
	-- the first 255 characters, indexed whole for GROUP BY
	username_key	VARCHAR(255) AS (LEFT(username, 255)) VIRTUAL,
	password_key	VARCHAR(255) AS (LEFT(password, 255)) VIRTUAL,
	KEY ix_auth_session (session_id),
	KEY ix_auth_user_pass (username_key, password_key, tried_at),
	KEY ix_auth_pass_time (password_key, tried_at),
	CONSTRAINT fk_auth_session FOREIGN KEY (session_id)
	    REFERENCES sessions (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS messages (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	session_id	BIGINT UNSIGNED NOT NULL,
	seq		INT UNSIGNED NOT NULL,
	mail_from	VARCHAR(1024) NOT NULL,
	mail_from_domain VARCHAR(255) NOT NULL,
	size		BIGINT UNSIGNED NOT NULL,
	stored_size	BIGINT UNSIGNED NOT NULL,
	truncated	TINYINT(1) NOT NULL,
	incomplete	TINYINT(1) NOT NULL,
	subject		TEXT NULL,
	sha256		CHAR(64) NOT NULL,
	queue_id	VARCHAR(16) NOT NULL,
	received_at	DATETIME(6) NOT NULL,
	template	CHAR(64) NULL,		-- campaigns: see campaigns
	tlsh		VARCHAR(72) NULL,
	ssdeep		VARCHAR(148) NULL,
	campaign_id	BIGINT UNSIGNED NULL,
	mail_from_key	VARCHAR(255) AS (LEFT(mail_from, 255)) VIRTUAL,
	UNIQUE KEY uq_messages_session_seq (session_id, seq),
	KEY ix_messages_campaign (campaign_id, received_at),
	KEY ix_messages_received (received_at),
	KEY ix_messages_sha256 (sha256),
	KEY ix_messages_from_domain (mail_from_domain),
	KEY ix_messages_from_key (mail_from_key, received_at),
	CONSTRAINT fk_messages_session FOREIGN KEY (session_id)
	    REFERENCES sessions (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS recipients (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	message_id	BIGINT UNSIGNED NOT NULL,
	address		VARCHAR(1024) NOT NULL,
	domain		VARCHAR(255) NOT NULL,
	received_at	DATETIME(6) NULL,	-- the message's
	KEY ix_recipients_message (message_id),
	KEY ix_recipients_address (address(191)),
	KEY ix_recipients_domain_time (domain, received_at),
	CONSTRAINT fk_recipients_message FOREIGN KEY (message_id)
	    REFERENCES messages (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS urls (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	message_id	BIGINT UNSIGNED NOT NULL,
	url		TEXT NOT NULL,
	host		VARCHAR(255) NOT NULL,
	count		INT UNSIGNED NOT NULL,
	received_at	DATETIME(6) NULL,	-- the message's
	KEY ix_urls_message (message_id),
	KEY ix_urls_host_time (host, received_at, message_id),
	CONSTRAINT fk_urls_message FOREIGN KEY (message_id)
	    REFERENCES messages (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS attachments (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	message_id	BIGINT UNSIGNED NOT NULL,
	filename	VARCHAR(1024) NULL,
	content_type	VARCHAR(255) NOT NULL,
	size		BIGINT UNSIGNED NOT NULL,
	md5		CHAR(32) NOT NULL,
	sha1		CHAR(40) NOT NULL,
	sha256		CHAR(64) NOT NULL,
	received_at	DATETIME(6) NULL,	-- the message's
	seq		INT UNSIGNED NULL,	-- its place in the message
	real_type	VARCHAR(255) NULL,	-- libmagic's
	type_mismatch	TINYINT(1) NOT NULL DEFAULT 0,
	archive		VARCHAR(16) NULL,	-- what its walk ended with
	archive_password VARCHAR(255) NULL,	-- the one that opened it
	KEY ix_attachments_message (message_id),
	KEY ix_attachments_mismatch (type_mismatch, received_at),
	KEY ix_attachments_md5 (md5),
	KEY ix_attachments_sha1 (sha1),
	KEY ix_attachments_sha256_time (sha256, received_at),
	CONSTRAINT fk_attachments_message FOREIGN KEY (message_id)
	    REFERENCES messages (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Every counted value: kinds email, url, domain, ip, subject, username and
-- each custom pattern's name. value_sha256 makes (kind, value) unique
-- whatever the length of value. total/first_seen/last_seen are kept by the
-- analyzer, so "top N of a kind" is one indexed query:
--   SELECT value, total FROM patterns WHERE kind = 'url'
--   ORDER BY total DESC LIMIT 10;
CREATE TABLE IF NOT EXISTS patterns (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	kind		VARCHAR(64) NOT NULL,
	value		TEXT NOT NULL,
	value_sha256	BINARY(32) NOT NULL,
	total		BIGINT UNSIGNED NOT NULL DEFAULT 0,
	first_seen	DATETIME(6) NOT NULL,
	last_seen	DATETIME(6) NOT NULL,
	UNIQUE KEY uq_patterns_kind_value (kind, value_sha256),
	KEY ix_patterns_kind_last (kind, last_seen),
	KEY ix_patterns_value (value(191)),
	KEY ix_patterns_kind_rank (kind, total, last_seen)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS message_patterns (
	message_id	BIGINT UNSIGNED NOT NULL,
	pattern_id	BIGINT UNSIGNED NOT NULL,
	count		INT UNSIGNED NOT NULL,
	PRIMARY KEY (message_id, pattern_id),
	KEY ix_message_patterns_pattern (pattern_id),
	CONSTRAINT fk_mp_message FOREIGN KEY (message_id)
	    REFERENCES messages (id) ON DELETE CASCADE,
	CONSTRAINT fk_mp_pattern FOREIGN KEY (pattern_id)
	    REFERENCES patterns (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Values that belong to a session rather than a message (kind username:
-- the AUTH user names tried).
CREATE TABLE IF NOT EXISTS session_patterns (
	session_id	BIGINT UNSIGNED NOT NULL,
	pattern_id	BIGINT UNSIGNED NOT NULL,
	count		INT UNSIGNED NOT NULL,
	PRIMARY KEY (session_id, pattern_id),
	KEY ix_session_patterns_pattern (pattern_id),
	CONSTRAINT fk_sp_session FOREIGN KEY (session_id)
	    REFERENCES sessions (id) ON DELETE CASCADE,
	CONSTRAINT fk_sp_pattern FOREIGN KEY (pattern_id)
	    REFERENCES patterns (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The report's running totals, kept by the analyzer in the transaction
-- that imports the rows they count, so that a top list or a summary reads
-- a few thousand rows however large the tables grow. Times are UTC; hour
-- is the start of the hour. The values of the report's kinds are counted
-- as spampot-report counts them from the tables:
--   client-ip	sessions.client_ip, one a session (started_at)
--   helo		sessions.helo when not NULL, one a session
--   sender	messages.mail_from_key, one a message (received_at)
--   rcpt-domain	recipients.domain, one a recipient
--   url-host	urls.host, one a message and URL
--   attachment	attachments.sha256, one an attachment
--   password	auth_attempts.password_key, one an attempt (tried_at)
--   credential	auth_attempts.username_key (value) and password_key
--		(value2), one an attempt
--   tls-version	session_tls.version when not NULL, one a session
--   ja4		session_tls.ja4 when not NULL, one a session
--   ja3		session_tls.ja3_hash when not NULL, one a session
--   sni		session_tls.sni when not NULL, one a session
--		(all four at the session's start)
-- value_sha256 is the SHA-256 of value (credential: of value, a NUL byte
-- and value2). sql/rollups-rebuild.sql computes all of them again from the
-- rows, after rows were deleted by hand.

-- Per kind and hour: how many, the first and last time.
CREATE TABLE IF NOT EXISTS kind_hours (
	kind		VARCHAR(16) NOT NULL,
	hour		DATETIME NOT NULL,
	n		BIGINT UNSIGNED NOT NULL,
	first_seen	DATETIME(6) NOT NULL,
	last_seen	DATETIME(6) NOT NULL,
	PRIMARY KEY (kind, hour)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Per kind, value and hour.
CREATE TABLE IF NOT EXISTS value_hours (
	kind		VARCHAR(16) NOT NULL,
	hour		DATETIME NOT NULL,
	value_sha256	BINARY(32) NOT NULL,
	value		VARCHAR(255) NOT NULL,
	value2		VARCHAR(255) NOT NULL DEFAULT '',
	n		BIGINT UNSIGNED NOT NULL,
	first_seen	DATETIME(6) NOT NULL,
	last_seen	DATETIME(6) NOT NULL,
	PRIMARY KEY (kind, hour, value_sha256)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Per kind and value, all time.
CREATE TABLE IF NOT EXISTS value_totals (
	kind		VARCHAR(16) NOT NULL,
	value_sha256	BINARY(32) NOT NULL,
	value		VARCHAR(255) NOT NULL,
	value2		VARCHAR(255) NOT NULL DEFAULT '',
	n		BIGINT UNSIGNED NOT NULL,
	first_seen	DATETIME(6) NOT NULL,
	last_seen	DATETIME(6) NOT NULL,
	PRIMARY KEY (kind, value_sha256),
	KEY ix_value_totals_rank (kind, n, last_seen)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Per pattern and hour: the sum of message_patterns.count (of
-- session_patterns.count for username) over the messages (sessions) of
-- the hour. kind is the pattern's.
CREATE TABLE IF NOT EXISTS pattern_hours (
	kind		VARCHAR(64) NOT NULL,
	hour		DATETIME NOT NULL,
	pattern_id	BIGINT UNSIGNED NOT NULL,
	n		BIGINT UNSIGNED NOT NULL,
	first_seen	DATETIME(6) NOT NULL,
	last_seen	DATETIME(6) NOT NULL,
	PRIMARY KEY (kind, hour, pattern_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The relay of probes (spampot-relay(8)): with relay = dry-run or on, the
-- analyzer decides for every message whether it is a relay-test probe, and
-- records the decision here, with the rule that made it. verdict:
-- not-probe (reason: the first condition it failed), refused (a probe; reason:
-- the limit that refused it), dry-run (would have been relayed), relay
-- (queued for spampot-relay, queue_id its file). campaign: the message's
-- campaign (campaigns.id, in decimal), or, when it has none (campaigns =
-- no, or no text at all), the SHA-256 of its subject with case, digits and
-- spaces folded; the per-campaign rule and limit count it.
CREATE TABLE IF NOT EXISTS relay_decisions (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	message_id	BIGINT UNSIGNED NOT NULL,
	decided_at	DATETIME(6) NOT NULL,
	verdict		VARCHAR(16) NOT NULL,
	rule		VARCHAR(32) NULL,
	reason		VARCHAR(32) NULL,
	client_ip	VARCHAR(45) NOT NULL,
	rcpt		VARCHAR(255) NULL,
	rcpt_domain	VARCHAR(255) NULL,
	campaign	CHAR(64) NOT NULL,
	queue_id	VARCHAR(160) NULL,
	UNIQUE KEY uq_relay_decisions_message (message_id),
	UNIQUE KEY uq_relay_decisions_queue (queue_id),
	KEY ix_relay_decisions_verdict (verdict, decided_at),
	KEY ix_relay_decisions_campaign (campaign),
	CONSTRAINT fk_relay_decisions_message FOREIGN KEY (message_id)
	    REFERENCES messages (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- What spampot-relay made of each probe it was given (relay_dir/done/,
-- stored by the analyzer): status sent, failed (5xx), expired
-- (relay_max_age), unknown (the relay stopped after the end of DATA went
-- out: maybe delivered, never tried again) or bad; the smarthost's last
-- reply (code and text) and the queue id it named; data, the exact bytes
-- DATA carried (the Received line and the message; NULL when the end of
-- DATA never went out). queue_id is relay_decisions.queue_id.
CREATE TABLE IF NOT EXISTS relay_deliveries (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	queue_id	VARCHAR(160) NOT NULL,
	status		VARCHAR(16) NOT NULL,
	attempts	INT UNSIGNED NOT NULL,
	first_try	DATETIME(6) NULL,
	last_try	DATETIME(6) NOT NULL,
	smarthost	VARCHAR(255) NOT NULL,
	reply_code	SMALLINT UNSIGNED NULL,
	reply		TEXT NULL,
	smarthost_queue_id VARCHAR(128) NULL,
	error		VARCHAR(255) NULL,
	data		MEDIUMBLOB NULL,
	UNIQUE KEY uq_relay_deliveries_queue (queue_id),
	KEY ix_relay_deliveries_status (status, last_try)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Campaigns (spampot-analyzer(8), CAMPAIGNS): messages of one spam
-- campaign, grouped as they are imported. id is derived from the
-- representative's template (the first 52 bits of its SHA-256, so that
-- it is the same whoever imports it and fits a JSON number); template,
-- tlsh, ssdeep and domains are the representative's (its first message's), which
-- new messages are compared with. messages, first_seen and last_seen are
-- running totals; clients and sensors count the rows of campaign_clients
-- and campaign_sensors. rep_message_id: the representative message.
CREATE TABLE IF NOT EXISTS campaigns (
	id		BIGINT UNSIGNED NOT NULL PRIMARY KEY,
	template	CHAR(64) NOT NULL,
	tlsh		VARCHAR(72) NOT NULL,
	ssdeep		VARCHAR(148) NOT NULL,
	domains		VARCHAR(1024) NOT NULL,
	subject		TEXT NULL,
	rep_message_id	BIGINT UNSIGNED NOT NULL,
	messages	BIGINT UNSIGNED NOT NULL,
	clients		BIGINT UNSIGNED NOT NULL DEFAULT 0,
	sensors		INT UNSIGNED NOT NULL DEFAULT 0,
	first_seen	DATETIME(6) NOT NULL,
	last_seen	DATETIME(6) NOT NULL,
	KEY ix_campaigns_rep (rep_message_id),
	KEY ix_campaigns_last (last_seen),
	KEY ix_campaigns_rank (messages, last_seen)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Per campaign: its client addresses, sensors and link domains (the
-- registrable domains of its URLs), each with its messages and when.
CREATE TABLE IF NOT EXISTS campaign_clients (
	campaign_id	BIGINT UNSIGNED NOT NULL,
	client_ip	VARCHAR(45) NOT NULL,
	n		BIGINT UNSIGNED NOT NULL,
	first_seen	DATETIME(6) NOT NULL,
	last_seen	DATETIME(6) NOT NULL,
	PRIMARY KEY (campaign_id, client_ip),
	KEY ix_campaign_clients_ip (client_ip)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS campaign_sensors (
	campaign_id	BIGINT UNSIGNED NOT NULL,
	sensor		VARCHAR(255) NOT NULL,
	n		BIGINT UNSIGNED NOT NULL,
	first_seen	DATETIME(6) NOT NULL,
	last_seen	DATETIME(6) NOT NULL,
	PRIMARY KEY (campaign_id, sensor)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS campaign_domains (
	campaign_id	BIGINT UNSIGNED NOT NULL,
	domain		VARCHAR(255) NOT NULL,
	n		BIGINT UNSIGNED NOT NULL,
	first_seen	DATETIME(6) NOT NULL,
	last_seen	DATETIME(6) NOT NULL,
	PRIMARY KEY (campaign_id, domain),
	KEY ix_campaign_domains_domain (domain)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- What is inside an attachment that is an archive (zip, rar, 7z, gzip,
-- tar, nested to archive_depth): one row per member, found by its
-- message and its attachment's place in the message (attachments.seq).
-- flags: 1 encrypted (not read), 2 cut short by a limit, 4 its real type
-- and its name disagree.
CREATE TABLE IF NOT EXISTS attachment_members (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	message_id	BIGINT UNSIGNED NOT NULL,
	att_seq		INT UNSIGNED NOT NULL,
	path		VARCHAR(1024) NOT NULL,
	depth		INT UNSIGNED NOT NULL,
	size		BIGINT UNSIGNED NOT NULL,
	md5		CHAR(32) NOT NULL,
	sha1		CHAR(40) NOT NULL,
	sha256		CHAR(64) NOT NULL,
	real_type	VARCHAR(255) NULL,
	flags		INT UNSIGNED NOT NULL,
	received_at	DATETIME(6) NULL,	-- the message's
	KEY ix_members_message (message_id, att_seq),
	KEY ix_members_sha256 (sha256),
	KEY ix_members_md5 (md5),
	KEY ix_members_sha1 (sha1),
	CONSTRAINT fk_members_message FOREIGN KEY (message_id)
	    REFERENCES messages (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- YARA rules (yara_rules_dir) that matched: on the message as received
-- (att_seq NULL), on an attachment (att_seq), or on a member of one
-- (member_path). Each match is also counted as a value of kind yara (the
-- rule's name) in patterns and message_patterns.
CREATE TABLE IF NOT EXISTS yara_matches (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	message_id	BIGINT UNSIGNED NOT NULL,
	att_seq		INT UNSIGNED NULL,
	member_path	VARCHAR(1024) NULL,
	rule		VARCHAR(128) NOT NULL,
	namespace	VARCHAR(128) NOT NULL,
	tags		VARCHAR(1024) NOT NULL,
	meta		TEXT NOT NULL,
	received_at	DATETIME(6) NULL,	-- the message's
	KEY ix_yara_message (message_id),
	KEY ix_yara_rule_time (rule, received_at),
	CONSTRAINT fk_yara_message FOREIGN KEY (message_id)
	    REFERENCES messages (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Sensor health (spampot-analyzer(8), HEARTBEAT): one row per sensor,
-- written by its analyzer once a minute; spampot-report sensors reads it.
-- beat_at is the database's clock, so that a sensor's age does not depend
-- on its own; the sensor_* columns are what spampotd's status file said
-- (NULL: the analyzer found none).
CREATE TABLE IF NOT EXISTS sensor_heartbeats (
	sensor		VARCHAR(255) NOT NULL PRIMARY KEY,
	beat_at		DATETIME(6) NOT NULL,
	version		VARCHAR(32) NOT NULL,	-- the analyzer's
	analyzer_started DATETIME NOT NULL,
	last_import	DATETIME NULL,		-- the last file committed
	new_files	INT UNSIGNED NOT NULL,	-- waiting in new/
	new_files_before INT UNSIGNED NOT NULL,	-- at the beat before
	bad_files	INT UNSIGNED NOT NULL,	-- in bad/
	spool_free	BIGINT UNSIGNED NOT NULL,	-- bytes
	sessions_hour	INT UNSIGNED NOT NULL,	-- imported in the last hour
	sensor_state	VARCHAR(16) NULL,	-- running, stopping, stopped
	sensor_version	VARCHAR(32) NULL,
	sensor_written	DATETIME NULL,		-- the status file's time
	workers		INT UNSIGNED NULL,	-- configured
	workers_alive	INT UNSIGNED NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

INSERT IGNORE INTO schema_version (version) VALUES (7);
