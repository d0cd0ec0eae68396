-- Copyright (c) 2026 The spampot authors
-- SPDX-License-Identifier: ISC (the licence text is in LICENSE)
--
-- Version 5 to 6: campaigns, archive members, real file types and YARA
-- matches. Messages imported before have no digest and no campaign
-- (spampot-analyzer --rebuild-campaigns groups those that have a
-- digest). Can run again after a failure half-way.
ALTER TABLE messages
	ADD COLUMN IF NOT EXISTS template CHAR(64) NULL AFTER received_at,
	ADD COLUMN IF NOT EXISTS tlsh VARCHAR(72) NULL AFTER template,
	ADD COLUMN IF NOT EXISTS ssdeep VARCHAR(148) NULL AFTER tlsh,
	ADD COLUMN IF NOT EXISTS campaign_id BIGINT UNSIGNED NULL AFTER ssdeep;
CREATE INDEX IF NOT EXISTS ix_messages_campaign
	ON messages (campaign_id, received_at);
ALTER TABLE attachments
	ADD COLUMN IF NOT EXISTS seq INT UNSIGNED NULL AFTER received_at,
	ADD COLUMN IF NOT EXISTS real_type VARCHAR(255) NULL AFTER seq,
	ADD COLUMN IF NOT EXISTS type_mismatch TINYINT(1) NOT NULL DEFAULT 0
	    AFTER real_type,
	ADD COLUMN IF NOT EXISTS archive VARCHAR(16) NULL AFTER type_mismatch,
	ADD COLUMN IF NOT EXISTS archive_password VARCHAR(255) NULL
	    AFTER archive;
CREATE INDEX IF NOT EXISTS ix_attachments_mismatch
	ON attachments (type_mismatch, received_at);

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

INSERT INTO schema_version (version) VALUES (6);
