-- Copyright (c) 2026 The spampot authors
-- SPDX-License-Identifier: ISC (the licence text is in LICENSE)
--
-- Version 6 to 7: the sensors' heartbeats. Can run again after a failure
-- half-way.
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

INSERT INTO schema_version (version) VALUES (7);
