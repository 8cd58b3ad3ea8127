-- Per-channel refresh claims, and hourly activity sums kept with the cycles (decision 0010).
--
-- Table classes (scale-rules.md, rule 1): cycle_refresh_channels and channel_activity_hourly are distributed
-- by device_id; both keys start with it.
--
-- cycle_refresh_channels: one row per channel the cycle refresher has worked on. A refresh step claims its
-- channel by upserting this row first thing in its REPEATABLE READ transaction (steps + 1). Another
-- refresher of the same channel waits on the row lock (readers at most for their budget, the background
-- upkeep briefly, then leaves the channel to the holder); once the holder commits, the waiter's upsert of a
-- row changed after its snapshot fails with a serialization error and the step is retried with a fresh
-- snapshot. So refreshers of different channels — several service instances on one PostgreSQL — run side by
-- side, and two never work on one channel at once. It replaces the LOCK TABLE cycles IN SHARE ROW EXCLUSIVE
-- MODE of 0005, which serialised every refresher of the database. The claim is a row lock of an open
-- transaction: an instance that dies mid-step loses its connection and PostgreSQL rolls the step back and
-- releases it.
CREATE TABLE cycle_refresh_channels (
  device_id text     NOT NULL,
  channel   smallint NOT NULL CHECK (channel BETWEEN 0 AND 3),
  steps     bigint   NOT NULL DEFAULT 0,
  CONSTRAINT cycle_refresh_channels_pkey PRIMARY KEY (device_id, channel)
);

-- channel_activity_hourly: per channel and UTC hour, the sums /api/series averages over, for the readings
-- above the channel's activity threshold (threshold_w, the one the refresher used): their count (= active
-- minutes), the sum of their power, the count and sum of their non-null currents. Sums are numeric, exact: a
-- bucket's mean is then the same whether it is added up from hours or from minutes (floating sums in another
-- order could round a mean lying on x,x5 the other way; with meter values of one decimal that happens). The cycle refresher
-- rewrites the hours of every queued range it covers, in the same transaction and snapshot as the cycles, so
-- an hour is exact unless a queued range still meets it (the series reads such hours from readings). A row
-- exists for every hour a refresh covered, with zero counts when nothing ran; an hour without a row is read
-- from readings too. 30 days of a device are then ~2 900 rows instead of ~170 000 index entries.
CREATE TABLE channel_activity_hourly (
  device_id   text             NOT NULL,
  channel     smallint         NOT NULL CHECK (channel BETWEEN 0 AND 3),
  hour_ts     timestamptz      NOT NULL,
  threshold_w double precision NOT NULL,
  active_n    integer          NOT NULL CHECK (active_n >= 0),
  power_sum   numeric          NOT NULL,
  current_n   integer          NOT NULL CHECK (current_n >= 0 AND current_n <= active_n),
  current_sum numeric,
  CONSTRAINT channel_activity_hourly_pkey PRIMARY KEY (device_id, channel, hour_ts)
);

-- The hours of readings stored before this migration have no row yet: queue each channel's whole history
-- once, so the background upkeep fills them (and re-detects identical cycles, which it leaves untouched).
-- Until it has, the series reads those hours from readings, as before.
INSERT INTO cycle_refresh_queue (device_id, channel, from_minute, to_minute)
SELECT s.device_id, s.channel, (extract(epoch FROM s.lo) / 60)::int8, (extract(epoch FROM s.hi) / 60)::int8
FROM (
  SELECT d.device_id, ch.channel,
         (SELECT min(r.ts) FROM readings r WHERE r.device_id = d.device_id AND r.channel = ch.channel) AS lo,
         (SELECT max(r.ts) FROM readings r WHERE r.device_id = d.device_id AND r.channel = ch.channel) AS hi
  FROM devices d CROSS JOIN (VALUES (0::smallint), (1::smallint), (2::smallint), (3::smallint)) AS ch(channel)
) s
WHERE s.lo IS NOT NULL;
