-- Readings partitioned by month, and what a retention of raw minutes leaves behind (issue 20 item 3, decision
-- 0015, docs/scaling.md).
--
-- Table classes (scale-rules.md, rule 1): readings stays distributed by device_id (each month partition with it:
-- Citus distributes the partitions of a distributed parent); reading_hours_dropped is distributed by device_id
-- (its key starts with it); reading_months_dropped is a small catalogue of the installation, a reference table
-- on Citus.
--
-- readings becomes a table partitioned by range of ts, one partition per UTC month, named readings_yYYYYmMM. The
-- partitions are created by our own SQL below (rule 8: it runs on PGlite, PostgreSQL and Citus alike), ahead
-- of the data: the service creates the current month and the next two at start and every day, and every batch
-- stored (ingestion, the predecessor's import, backfills of old history) first creates the months it holds
-- that are missing. No DEFAULT partition: its rows would have to be moved by hand before a month partition
-- covering them could be created (PostgreSQL refuses it while the default holds such rows), and a month could
-- no longer be dropped whole.
--
-- The key keeps (device_id, channel, ts): it holds the partition key (ts) and the distribution column
-- (device_id), and still carries the charted columns (0006).

-- The partition of the UTC month holding `at`, created unless it exists; true when this call created it.
-- Concurrent callers (several instances, a batch and the daily run) wait for one another on an advisory lock
-- and the second finds the partition there. On Citus the CREATE is propagated like any DDL on a distributed
-- table, and the partition of a distributed parent is distributed and co-located with it.
CREATE FUNCTION readings_month_partition(at timestamptz) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
  lo timestamp := date_trunc('month', at AT TIME ZONE 'UTC');
  name text := 'readings_' || to_char(date_trunc('month', at AT TIME ZONE 'UTC'), '"y"YYYY"m"MM');
BEGIN
  IF to_regclass(quote_ident(name)) IS NOT NULL THEN RETURN false; END IF;
  PERFORM pg_advisory_xact_lock(7305219);
  -- A query of pg_class, not to_regclass: taking an advisory lock does not refresh the catalogue caches, and
  -- this statement's fresh snapshot sees the partition that the holder of the lock just committed.
  IF EXISTS (SELECT 1 FROM pg_class c WHERE c.relname = name AND c.relnamespace = current_schema()::regnamespace)
  THEN RETURN false; END IF;
  EXECUTE format('CREATE TABLE %I PARTITION OF readings FOR VALUES FROM (%L) TO (%L)', name,
                 to_char(lo, 'YYYY-MM-DD"T00:00:00+00"'),
                 to_char(lo + interval '1 month', 'YYYY-MM-DD"T00:00:00+00"'));
  RETURN true;
END
$$;

-- The partitions of the months of every instant given (a batch's months), created when missing; returns how
-- many it created. A month already there costs one catalogue lookup, no lock.
CREATE FUNCTION readings_partitions_for(instants timestamptz[]) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  month timestamp;
  created integer := 0;
BEGIN
  FOR month IN SELECT DISTINCT date_trunc('month', i AT TIME ZONE 'UTC') FROM unnest(instants) AS u(i) ORDER BY 1
  LOOP
    IF readings_month_partition(month AT TIME ZONE 'UTC') THEN created := created + 1; END IF;
  END LOOP;
  RETURN created;
END
$$;

-- The months from the one holding `at` to `ahead` months later, created when missing (the service's start and
-- daily run).
CREATE FUNCTION readings_partitions_ahead(at timestamptz, ahead integer) RETURNS integer LANGUAGE sql AS $$
  SELECT readings_partitions_for(array_agg(at + make_interval(months => k)))
  FROM generate_series(0, ahead) AS k
$$;

-- The table as 0001 and 0006 left it, under another name while its rows are moved. Each change of a table
-- that may be distributed goes through an EXECUTE of its own: Citus sends such DDL to the workers as the text
-- of the whole statement it came in, which a file of several statements is not (decision 0014).
DO $$ BEGIN
  EXECUTE 'DROP VIEW reading_idempotency_keys';
  EXECUTE 'ALTER TABLE readings RENAME TO readings_unpartitioned';
  EXECUTE 'ALTER INDEX readings_pkey RENAME TO readings_unpartitioned_pkey';
  EXECUTE 'DROP INDEX readings_received_at_brin';
END $$;

CREATE TABLE readings (
  device_id             text        NOT NULL,
  channel               smallint    NOT NULL CHECK (channel BETWEEN 0 AND 3),
  ts                    timestamptz NOT NULL,
  apower_w              double precision,
  voltage_v             double precision,
  current_a             double precision,
  power_factor          double precision,
  frequency_hz          double precision,
  energy_total_wh       double precision,
  energy_last_minute_wh double precision,
  temperature_c         double precision,
  output                boolean,
  received_at           timestamptz NOT NULL,
  rank_apower           smallint,
  rank_voltage          smallint,
  rank_current          smallint,
  rank_power_factor     smallint,
  rank_frequency        smallint,
  rank_energy_total     smallint,
  rank_energy_minute    smallint,
  rank_temperature      smallint,
  rank_output           smallint,
  CONSTRAINT readings_pkey PRIMARY KEY (device_id, channel, ts) INCLUDE (apower_w, current_a)
) PARTITION BY RANGE (ts);

-- /api/stats/queue counts the last 24 h of arrivals (0001): the BRIN index, now one per partition.
CREATE INDEX readings_received_at_brin ON readings USING brin (received_at);

CREATE VIEW reading_idempotency_keys AS
  SELECT device_id || '_' || channel || '_' || (extract(epoch FROM ts)::bigint / 60) AS idempotency_key,
         device_id, channel, ts
  FROM readings;

-- On Citus: distributed now, co-located with devices, so that the rows move shard to shard (the old table is
-- distributed the same way) and the partitions created next are distributed with it. Elsewhere a no-op.
SELECT citus_ready_distribute('readings');

-- A partition for every month that has readings, and for this month and the next two.
SELECT readings_partitions_for(array_agg(m.month))
FROM (SELECT DISTINCT date_trunc('month', ts AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS month
      FROM readings_unpartitioned) m;
SELECT readings_partitions_ahead(now(), 2);

INSERT INTO readings SELECT * FROM readings_unpartitioned;
DO $$ BEGIN
  EXECUTE 'DROP TABLE readings_unpartitioned';
END $$;

-- Retention of raw minutes (the setting raw_retention_months, src/admin/settings.ts; default: keep everything).
-- A month's partition is dropped whole, once all of it is older than the retention and every hour of it has its
-- hourly sums (channel_activity_hourly, kept for ever): charts and reports of that month then read those sums
-- and the stored cycles, never the readings.
DO $$ BEGIN
  EXECUTE 'ALTER TABLE app_settings DROP CONSTRAINT app_settings_key_check';
  EXECUTE 'ALTER TABLE app_settings ADD CONSTRAINT app_settings_key_check '
          'CHECK (key IN (''factor_set'', ''grid_factor'', ''raw_retention_months''))';
END $$;

-- The months whose readings were dropped (month_start: UTC, the partition's lower bound). Readings before the
-- end of the latest of them are gone: the cycle refresher no longer re-detects there, and reads take the
-- stored sums of those hours as they are.
CREATE TABLE reading_months_dropped (
  month_start timestamptz PRIMARY KEY,
  dropped_at  timestamptz NOT NULL,
  readings_n  bigint      NOT NULL CHECK (readings_n >= 0)
);

-- Per channel and UTC hour of a dropped month that had readings: their count and the first and last minute.
-- The days a meter was monitored (the per-day averages of reports and the dashboard) are read from here for
-- dropped months, exactly: an hour never spans a whole local day, so it has a reading in a day exactly when its
-- first or its last reading lies in that day (a zone whose midnight is not on a UTC hour included).
CREATE TABLE reading_hours_dropped (
  device_id  text        NOT NULL,
  channel    smallint    NOT NULL CHECK (channel BETWEEN 0 AND 3),
  hour_ts    timestamptz NOT NULL,
  first_ts   timestamptz NOT NULL,
  last_ts    timestamptz NOT NULL,
  readings_n integer     NOT NULL CHECK (readings_n > 0),
  CONSTRAINT reading_hours_dropped_pkey PRIMARY KEY (device_id, channel, hour_ts)
);
