-- Copyright (c) 2026 The spampot authors
-- SPDX-License-Identifier: ISC (the licence text is in LICENSE)
--
-- Version 1 to 2: what spampot-report needs to answer every query from an
-- index, and the sessions' country and autonomous system (the analyzer's
-- optional GeoIP lookup).
--
-- - sessions.client_ip_bin: the client address as 16 bytes (IPv4 mapped
--   to ::ffff:a.b.c.d), computed by the server, so that a network (CIDR)
--   is one index range;
-- - sessions.country, asn, as_org: NULL unless the analyzer is given
--   MaxMind-format databases (geoip_country_db, geoip_asn_db);
-- - the time of the session on the rows the report counts by value
--   (recipients, urls, attachments, auth_attempts), so that "count, first
--   and last seen" of a value is read from one index without a join;
-- - messages.mail_from_key, auth_attempts.username_key and password_key:
--   the first 255 characters, indexed whole (the full columns are too
--   long for an index a GROUP BY can use).
--
-- Every statement can run again after a failure half-way. The backfill of
-- the new time columns touches each row once; on a large database it takes
-- a while (and the analyzer waits for its locks).

ALTER TABLE sessions
    ADD COLUMN IF NOT EXISTS client_ip_bin VARBINARY(16) AS
	(INET6_ATON(IF(IS_IPV4(client_ip), CONCAT('::ffff:', client_ip),
	    client_ip))) VIRTUAL,
    ADD COLUMN IF NOT EXISTS country CHAR(2) NULL,
    ADD COLUMN IF NOT EXISTS asn INT UNSIGNED NULL,
    ADD COLUMN IF NOT EXISTS as_org VARCHAR(255) NULL;
CREATE INDEX IF NOT EXISTS ix_sessions_client_net
    ON sessions (client_ip_bin, started_at);
CREATE INDEX IF NOT EXISTS ix_sessions_key ON sessions (session_key);
CREATE INDEX IF NOT EXISTS ix_sessions_helo_time ON sessions (helo, started_at);
CREATE INDEX IF NOT EXISTS ix_sessions_country ON sessions (country, started_at);
CREATE INDEX IF NOT EXISTS ix_sessions_asn ON sessions (asn, started_at);
DROP INDEX IF EXISTS ix_sessions_helo ON sessions;

ALTER TABLE auth_attempts
    ADD COLUMN IF NOT EXISTS tried_at DATETIME(6) NULL,
    ADD COLUMN IF NOT EXISTS username_key VARCHAR(255) AS
	(LEFT(username, 255)) VIRTUAL,
    ADD COLUMN IF NOT EXISTS password_key VARCHAR(255) AS
	(LEFT(password, 255)) VIRTUAL;
UPDATE auth_attempts a JOIN sessions s ON s.id = a.session_id
    SET a.tried_at = s.started_at WHERE a.tried_at IS NULL;
CREATE INDEX IF NOT EXISTS ix_auth_user_pass
    ON auth_attempts (username_key, password_key, tried_at);
CREATE INDEX IF NOT EXISTS ix_auth_pass_time
    ON auth_attempts (password_key, tried_at);
DROP INDEX IF EXISTS ix_auth_username ON auth_attempts;
DROP INDEX IF EXISTS ix_auth_password ON auth_attempts;

ALTER TABLE messages
    ADD COLUMN IF NOT EXISTS mail_from_key VARCHAR(255) AS
	(LEFT(mail_from, 255)) VIRTUAL;
CREATE INDEX IF NOT EXISTS ix_messages_from_key
    ON messages (mail_from_key, received_at);
DROP INDEX IF EXISTS ix_messages_from ON messages;

ALTER TABLE recipients ADD COLUMN IF NOT EXISTS received_at DATETIME(6) NULL;
UPDATE recipients r JOIN messages m ON m.id = r.message_id
    SET r.received_at = m.received_at WHERE r.received_at IS NULL;
CREATE INDEX IF NOT EXISTS ix_recipients_domain_time
    ON recipients (domain, received_at);
DROP INDEX IF EXISTS ix_recipients_domain ON recipients;

ALTER TABLE urls ADD COLUMN IF NOT EXISTS received_at DATETIME(6) NULL;
UPDATE urls u JOIN messages m ON m.id = u.message_id
    SET u.received_at = m.received_at WHERE u.received_at IS NULL;
CREATE INDEX IF NOT EXISTS ix_urls_host_time
    ON urls (host, received_at, message_id);
DROP INDEX IF EXISTS ix_urls_host ON urls;

ALTER TABLE attachments ADD COLUMN IF NOT EXISTS received_at DATETIME(6) NULL;
UPDATE attachments a JOIN messages m ON m.id = a.message_id
    SET a.received_at = m.received_at WHERE a.received_at IS NULL;
CREATE INDEX IF NOT EXISTS ix_attachments_sha256_time
    ON attachments (sha256, received_at);
DROP INDEX IF EXISTS ix_attachments_sha256 ON attachments;

-- "top" of a pattern kind, ties broken by the most recently seen, in index
-- order
CREATE INDEX IF NOT EXISTS ix_patterns_kind_rank
    ON patterns (kind, total, last_seen);
DROP INDEX IF EXISTS ix_patterns_kind_total ON patterns;

INSERT INTO schema_version (version) VALUES (2);
