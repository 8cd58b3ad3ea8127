-- Devices register themselves with their first reading.
CREATE TABLE devices (
  device_id  text PRIMARY KEY CHECK (length(device_id) BETWEEN 1 AND 128),
  model      text,
  first_seen timestamptz NOT NULL,
  last_seen  timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- One row per (device, channel, minute): ts is the start of the minute, the row covers [ts, ts + 1 min).
-- The primary key is the consumer's idempotency key "{src}_{N}_{floor(timestamp/60)}" in typed columns;
-- it holds the device and the time, so partitioning by ts or distributing by device_id keeps it valid.
--
-- Several frames describe one minute (a complete per-minute frame, partial deltas, duplicates). Each
-- field keeps the value of the best frame that carried it: rank = 6000 for a complete frame (one with
-- aenergy) + hundredths of a second into the minute, ties broken by the larger value. That is a maximum
-- over a total order, so the stored row does not depend on arrival order or repetition. A rank is NULL
-- exactly when its value is NULL.
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
  CONSTRAINT readings_pkey PRIMARY KEY (device_id, channel, ts)
);

-- /api/stats/queue counts the last 24 h of arrivals; rows arrive roughly in received_at order,
-- so a BRIN index answers that for almost no write cost.
CREATE INDEX readings_received_at_brin ON readings USING brin (received_at);

CREATE VIEW reading_idempotency_keys AS
  SELECT device_id || '_' || channel || '_' || (extract(epoch FROM ts)::bigint / 60) AS idempotency_key,
         device_id, channel, ts
  FROM readings;
