-- Copyright (c) 2026 The spampot authors
-- SPDX-License-Identifier: ISC (the licence text is in LICENSE)
--
-- Version 3 to 4: the sensor records each session's TLS (the tls and
-- tls-fail records of spampot-spool(5)); the analyzer stores it in
-- session_tls, with the client's JA3 and JA4, and counts its version,
-- JA4, JA3 and SNI in the running totals (kinds tls-version, ja4, ja3,
-- sni). Older sessions had no TLS: the table starts empty and the totals
-- need nothing computed. Can run again after a failure half-way.
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

INSERT INTO schema_version (version) VALUES (4);
