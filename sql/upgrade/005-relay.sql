-- Copyright (c) 2026 The spampot authors
-- SPDX-License-Identifier: ISC (the licence text is in LICENSE)
--
-- Version 4 to 5: the relay of probes. The analyzer records, with
-- relay = dry-run or on, its decision for every message, and what
-- spampot-relay made of each probe. Older messages had none: the tables
-- start empty. Can run again after a failure
-- half-way.
-- The relay of probes (spampot-relay(8)): with relay = dry-run or on, the
-- analyzer decides for every message whether it is a relay-test probe, and
-- records the decision here, with the rule that made it. verdict:
-- not-probe (reason: the first condition it failed), refused (a probe; reason:
-- the limit that refused it), dry-run (would have been relayed), relay
-- (queued for spampot-relay, queue_id its file). campaign: the SHA-256 of the
-- message's subject with case, digits and spaces folded, which the
-- per-campaign rule and limit count.
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

INSERT INTO schema_version (version) VALUES (5);
