-- Table class: distributed by device_id (one row per channel and imported span).
--
-- The predecessor's history (npm run import:predecessor) mostly holds only the minutes above 10 W: its
-- Cloudflare Worker forwarded a message only when a channel drew more than 10 W (predecessor-spec §4.3). In
-- such a span a missing minute means "pump off", not "meter silent": cycle detection already closes a cycle at
-- a gap, charts draw a gap as 0 W, and anything that judges a meter offline from missing minutes must skip
-- these spans. One row per (device, channel) and import source, [from_ts, to_ts) covering its imported rows.
CREATE TABLE imported_history (
  device_id          text             NOT NULL,
  channel            smallint         NOT NULL CHECK (channel BETWEEN 0 AND 3),
  source             text             NOT NULL CHECK (source IN ('predecessor')),
  from_ts            timestamptz      NOT NULL,
  to_ts              timestamptz      NOT NULL,
  -- minutes at or below this power were not recorded (NULL: the history is complete)
  filtered_at_most_w double precision CHECK (filtered_at_most_w IS NULL OR filtered_at_most_w >= 0),
  rows_imported      bigint           NOT NULL CHECK (rows_imported >= 0),
  -- rows at or below the threshold that still came through (0 W stop rows, a channel forwarded with another)
  rows_at_most_w     bigint           NOT NULL CHECK (rows_at_most_w >= 0),
  imported_at        timestamptz      NOT NULL,
  CONSTRAINT imported_history_pkey PRIMARY KEY (device_id, channel, source),
  CHECK (to_ts > from_ts)
);
