-- Copyright (c) 2026 The spampot authors
-- SPDX-License-Identifier: ISC (the licence text is in LICENSE)
--
-- The report's running totals (kind_hours, value_hours, value_totals,
-- pattern_hours; see schema.sql), and the campaigns' counts, computed
-- again from the rows they count.
-- spampot-analyzer keeps them up to date as it imports; run this after
-- deleting or changing captured rows by hand (a retention job, say), with
-- the analyzer stopped:
--
--   mariadb spampot < /usr/share/spampot/sql/rollups-rebuild.sql
--
-- It reads every row once: on a large database it takes a while.

DELETE FROM kind_hours;
DELETE FROM value_hours;
DELETE FROM value_totals;
DELETE FROM pattern_hours;

INSERT INTO value_hours (kind, hour, value_sha256, value, value2, n,
    first_seen, last_seen)
SELECT 'client-ip', h, UNHEX(SHA2(v, 256)), v, '', n, f, l FROM (
    SELECT DATE_FORMAT(started_at, '%Y-%m-%d %H:00:00') AS h,
	client_ip AS v, COUNT(*) AS n, MIN(started_at) AS f,
	MAX(started_at) AS l
    FROM sessions GROUP BY h, BINARY client_ip) t;
INSERT INTO value_hours (kind, hour, value_sha256, value, value2, n,
    first_seen, last_seen)
SELECT 'helo', h, UNHEX(SHA2(v, 256)), v, '', n, f, l FROM (
    SELECT DATE_FORMAT(started_at, '%Y-%m-%d %H:00:00') AS h,
	helo AS v, COUNT(*) AS n, MIN(started_at) AS f, MAX(started_at) AS l
    FROM sessions WHERE helo IS NOT NULL GROUP BY h, BINARY helo) t;
INSERT INTO value_hours (kind, hour, value_sha256, value, value2, n,
    first_seen, last_seen)
SELECT 'sender', h, UNHEX(SHA2(v, 256)), v, '', n, f, l FROM (
    SELECT DATE_FORMAT(received_at, '%Y-%m-%d %H:00:00') AS h,
	mail_from_key AS v, COUNT(*) AS n, MIN(received_at) AS f,
	MAX(received_at) AS l
    FROM messages GROUP BY h, BINARY mail_from_key) t;
INSERT INTO value_hours (kind, hour, value_sha256, value, value2, n,
    first_seen, last_seen)
SELECT 'rcpt-domain', h, UNHEX(SHA2(v, 256)), v, '', n, f, l FROM (
    SELECT DATE_FORMAT(received_at, '%Y-%m-%d %H:00:00') AS h,
	domain AS v, COUNT(*) AS n, MIN(received_at) AS f,
	MAX(received_at) AS l
    FROM recipients GROUP BY h, BINARY domain) t;
INSERT INTO value_hours (kind, hour, value_sha256, value, value2, n,
    first_seen, last_seen)
SELECT 'url-host', h, UNHEX(SHA2(v, 256)), v, '', n, f, l FROM (
    SELECT DATE_FORMAT(received_at, '%Y-%m-%d %H:00:00') AS h,
	host AS v, COUNT(*) AS n, MIN(received_at) AS f,
	MAX(received_at) AS l
    FROM urls GROUP BY h, BINARY host) t;
INSERT INTO value_hours (kind, hour, value_sha256, value, value2, n,
    first_seen, last_seen)
SELECT 'attachment', h, UNHEX(SHA2(v, 256)), v, '', n, f, l FROM (
    SELECT DATE_FORMAT(received_at, '%Y-%m-%d %H:00:00') AS h,
	sha256 AS v, COUNT(*) AS n, MIN(received_at) AS f,
	MAX(received_at) AS l
    FROM attachments GROUP BY h, BINARY sha256) t;
INSERT INTO value_hours (kind, hour, value_sha256, value, value2, n,
    first_seen, last_seen)
SELECT 'password', h, UNHEX(SHA2(v, 256)), v, '', n, f, l FROM (
    SELECT DATE_FORMAT(tried_at, '%Y-%m-%d %H:00:00') AS h,
	password_key AS v, COUNT(*) AS n, MIN(tried_at) AS f,
	MAX(tried_at) AS l
    FROM auth_attempts GROUP BY h, BINARY password_key) t;
INSERT INTO value_hours (kind, hour, value_sha256, value, value2, n,
    first_seen, last_seen)
SELECT 'credential', h, UNHEX(SHA2(CONCAT(v, '\0', v2), 256)), v, v2, n,
    f, l FROM (
    SELECT DATE_FORMAT(tried_at, '%Y-%m-%d %H:00:00') AS h,
	username_key AS v, password_key AS v2, COUNT(*) AS n,
	MIN(tried_at) AS f, MAX(tried_at) AS l
    FROM auth_attempts
    GROUP BY h, BINARY username_key, BINARY password_key) t;

INSERT INTO value_hours (kind, hour, value_sha256, value, value2, n,
    first_seen, last_seen)
SELECT 'tls-version', h, UNHEX(SHA2(v, 256)), v, '', n, f, l FROM (
    SELECT DATE_FORMAT(started_at, '%Y-%m-%d %H:00:00') AS h,
	version AS v, COUNT(*) AS n, MIN(started_at) AS f, MAX(started_at) AS l
    FROM session_tls WHERE version IS NOT NULL GROUP BY h, BINARY version) t;
INSERT INTO value_hours (kind, hour, value_sha256, value, value2, n,
    first_seen, last_seen)
SELECT 'ja4', h, UNHEX(SHA2(v, 256)), v, '', n, f, l FROM (
    SELECT DATE_FORMAT(started_at, '%Y-%m-%d %H:00:00') AS h,
	ja4 AS v, COUNT(*) AS n, MIN(started_at) AS f, MAX(started_at) AS l
    FROM session_tls WHERE ja4 IS NOT NULL GROUP BY h, BINARY ja4) t;
INSERT INTO value_hours (kind, hour, value_sha256, value, value2, n,
    first_seen, last_seen)
SELECT 'ja3', h, UNHEX(SHA2(v, 256)), v, '', n, f, l FROM (
    SELECT DATE_FORMAT(started_at, '%Y-%m-%d %H:00:00') AS h,
	ja3_hash AS v, COUNT(*) AS n, MIN(started_at) AS f,
	MAX(started_at) AS l
    FROM session_tls WHERE ja3_hash IS NOT NULL
    GROUP BY h, BINARY ja3_hash) t;
INSERT INTO value_hours (kind, hour, value_sha256, value, value2, n,
    first_seen, last_seen)
SELECT 'sni', h, UNHEX(SHA2(v, 256)), v, '', n, f, l FROM (
    SELECT DATE_FORMAT(started_at, '%Y-%m-%d %H:00:00') AS h,
	sni AS v, COUNT(*) AS n, MIN(started_at) AS f, MAX(started_at) AS l
    FROM session_tls WHERE sni IS NOT NULL GROUP BY h, BINARY sni) t;

INSERT INTO value_totals (kind, value_sha256, value, value2, n,
    first_seen, last_seen)
SELECT kind, value_sha256, MIN(value), MIN(value2), SUM(n),
    MIN(first_seen), MAX(last_seen)
FROM value_hours GROUP BY kind, value_sha256;

INSERT INTO kind_hours (kind, hour, n, first_seen, last_seen)
SELECT kind, hour, SUM(n), MIN(first_seen), MAX(last_seen)
FROM value_hours GROUP BY kind, hour;

INSERT INTO pattern_hours (kind, hour, pattern_id, n, first_seen, last_seen)
SELECT p.kind, t.h, t.pattern_id, t.n, t.f, t.l FROM (
    SELECT DATE_FORMAT(m.received_at, '%Y-%m-%d %H:00:00') AS h,
	l.pattern_id, SUM(l.count) AS n, MIN(m.received_at) AS f,
	MAX(m.received_at) AS l
    FROM message_patterns l JOIN messages m ON m.id = l.message_id
    GROUP BY h, l.pattern_id) t JOIN patterns p ON p.id = t.pattern_id;
INSERT INTO pattern_hours (kind, hour, pattern_id, n, first_seen, last_seen)
SELECT p.kind, t.h, t.pattern_id, t.n, t.f, t.l FROM (
    SELECT DATE_FORMAT(s.started_at, '%Y-%m-%d %H:00:00') AS h,
	l.pattern_id, SUM(l.count) AS n, MIN(s.started_at) AS f,
	MAX(s.started_at) AS l
    FROM session_patterns l JOIN sessions s ON s.id = l.session_id
    GROUP BY h, l.pattern_id) t JOIN patterns p ON p.id = t.pattern_id
ON DUPLICATE KEY UPDATE pattern_hours.n = pattern_hours.n + VALUES(n),
    first_seen = LEAST(pattern_hours.first_seen, VALUES(first_seen)),
    last_seen = GREATEST(pattern_hours.last_seen, VALUES(last_seen));

-- Campaigns: their counts from the messages that are left, their clients
-- and sensors counted again; a campaign none of whose messages is left
-- goes. Its link domains' counts (campaign_domains: registrable domains,
-- which SQL cannot tell) are made again, with everything else, by
-- spampot-analyzer --rebuild-campaigns.
UPDATE campaigns c LEFT JOIN (SELECT campaign_id, COUNT(*) AS n,
    MIN(received_at) AS f, MAX(received_at) AS l FROM messages
    WHERE campaign_id IS NOT NULL GROUP BY campaign_id) a
    ON a.campaign_id = c.id
SET c.messages = IFNULL(a.n, 0), c.first_seen = IFNULL(a.f, c.first_seen),
    c.last_seen = IFNULL(a.l, c.last_seen);
DELETE FROM campaign_clients;
INSERT INTO campaign_clients (campaign_id, client_ip, n, first_seen,
    last_seen)
SELECT m.campaign_id, s.client_ip, COUNT(*), MIN(m.received_at),
    MAX(m.received_at)
FROM messages m JOIN sessions s ON s.id = m.session_id
WHERE m.campaign_id IS NOT NULL GROUP BY m.campaign_id, s.client_ip;
DELETE FROM campaign_sensors;
INSERT INTO campaign_sensors (campaign_id, sensor, n, first_seen, last_seen)
SELECT m.campaign_id, s.sensor, COUNT(*), MIN(m.received_at),
    MAX(m.received_at)
FROM messages m JOIN sessions s ON s.id = m.session_id
WHERE m.campaign_id IS NOT NULL GROUP BY m.campaign_id, s.sensor;
UPDATE campaigns c SET
    clients = (SELECT COUNT(*) FROM campaign_clients WHERE campaign_id = c.id),
    sensors = (SELECT COUNT(*) FROM campaign_sensors WHERE campaign_id = c.id);
DELETE d FROM campaign_domains d JOIN campaigns c ON c.id = d.campaign_id
WHERE c.messages = 0;
DELETE FROM campaigns WHERE messages = 0;
