-- Pump cycles, materialised: the output of the domain's detectCycles over each channel's readings, kept up to
-- date by src/analytics/refresh-cycles.ts (decision record 0007). Only that refresher writes this table; it
-- serialises itself with LOCK TABLE cycles IN SHARE ROW EXCLUSIVE MODE, which readers (ACCESS SHARE) and
-- ingestion (never touches cycles) do not wait for.
--
-- Times are minute starts, like readings.ts: start_ts is the minute of the first active reading,
-- last_active_ts the minute of the last one, end_ts = last_active_ts once the cycle is closed (NULL while
-- ongoing).
CREATE TABLE cycles (
  device_id        text             NOT NULL,
  channel          smallint         NOT NULL CHECK (channel BETWEEN 0 AND 3),
  start_ts         timestamptz      NOT NULL,
  end_ts           timestamptz,
  last_active_ts   timestamptz      NOT NULL,
  ongoing          boolean          NOT NULL,
  noise            boolean          NOT NULL,
  samples          integer          NOT NULL CHECK (samples > 0),
  duration_min     integer          NOT NULL CHECK (duration_min >= 0),
  runtime_min      double precision NOT NULL CHECK (runtime_min >= 0),
  avg_power_w      double precision NOT NULL,
  avg_current_a    double precision,
  median_voltage_v double precision,
  energy_wh        double precision NOT NULL CHECK (energy_wh >= 0),
  -- when this version of the cycle was written; a refresh that re-detects an identical cycle leaves it alone
  detected_at      timestamptz      NOT NULL DEFAULT now(),
  -- "cycles of these channels with a start in [from, to)" (newest first, keyset pagination) and "the stored
  -- cycles meeting a window of one channel" are range scans of this key, forwards or backwards.
  CONSTRAINT cycles_pkey PRIMARY KEY (device_id, channel, start_ts),
  CHECK (last_active_ts >= start_ts),
  CHECK (ongoing = (end_ts IS NULL)),
  CHECK (end_ts IS NULL OR end_ts = last_active_ts),
  CHECK (NOT (ongoing AND noise))
);

-- At most one ongoing cycle per channel: the refresher finds the ones gone stale (no reading for stopGapMin)
-- without scanning the table.
CREATE INDEX cycles_ongoing ON cycles (device_id, channel) WHERE ongoing;

-- Minutes whose readings changed since the cycles were last detected. Ingestion only ever INSERTs here, one
-- row per (device, channel, run of nearby changed minutes) of a batch, in the batch's own transaction, so it
-- never waits for the refresher. The refresher reads the rows in one snapshot with the readings, and
-- deletes (or trims) exactly the rows it has covered: an entry that arrives meanwhile is a new row it did not
-- see, and stays. Minutes are unix minutes, both ends included.
CREATE TABLE cycle_refresh_queue (
  id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  device_id   text        NOT NULL,
  channel     smallint    NOT NULL,
  from_minute bigint      NOT NULL,
  to_minute   bigint      NOT NULL,
  queued_at   timestamptz NOT NULL DEFAULT now(),
  CHECK (from_minute <= to_minute)
);

CREATE INDEX cycle_refresh_queue_channel ON cycle_refresh_queue (device_id, channel, from_minute);

-- The readings of one channel over a window are a range scan of readings_pkey (device_id, channel, ts):
-- no further index on readings, so ingestion pays for no other index.
