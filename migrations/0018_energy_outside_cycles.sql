-- The energy a meter measured outside any cycle, kept per channel and UTC hour with the activity sums
-- (issue 21, decision 0020): the period's energy total is every kWh the meter measured, the cycles' energy a part
-- of it.
--
-- Table classes (scale-rules.md, rule 1): no new table; channel_activity_hourly stays distributed by device_id.
--
-- idle_energy_wh: the energy of the hour's minutes that no cycle holds, with the row's threshold_w. A minute's
-- energy is reported by the next minute's reading (energy_last_minute_wh, else the counter's delta between the
-- two readings, a reset counting from 0); the minute is outside every cycle when that reading is not active
-- (a power at or below the threshold) and the minute's own reading, if any, is not active either — exactly
-- the minutes the cycle detector leaves out of every cycle's energy. Exact numeric, as the other sums. NULL:
-- not summed yet (rows written before this migration): such an hour is read from the readings.
-- The check comes in a statement of its own, through EXECUTE: Citus refuses ADD COLUMN with a constraint on a
-- distributed table, and sends an ADD CONSTRAINT to the workers as the text of the whole statement it came in,
-- which a file of several statements is not (« cannot insert multiple commands into a prepared statement »).
ALTER TABLE channel_activity_hourly ADD COLUMN idle_energy_wh numeric;
DO $$ BEGIN
  EXECUTE 'ALTER TABLE channel_activity_hourly ADD CONSTRAINT channel_activity_hourly_idle_energy_wh_check '
          'CHECK (idle_energy_wh >= 0)';
END $$;

-- The rows written before have NULL: queue the hours each channel has rows for once (one range per channel,
-- read from this table, never a scan of the readings), so the background upkeep sums them — and re-detects their
-- cycles with the rules of decision 0016. Until it has, reads take those hours from the readings, and say
-- `refreshing`. Grouped by device_id, the statement stays on each meter's shard on Citus.
INSERT INTO cycle_refresh_queue (device_id, channel, from_minute, to_minute)
SELECT a.device_id, a.channel, (extract(epoch FROM min(a.hour_ts)) / 60)::int8,
       (extract(epoch FROM max(a.hour_ts)) / 60)::int8 + 59
FROM channel_activity_hourly a
GROUP BY a.device_id, a.channel;
