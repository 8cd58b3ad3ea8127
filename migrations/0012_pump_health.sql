-- Measured flow and pump health (issue 17, decision record 0011).
--
-- Table classes (scale-rules.md, rule 1): channel_config_versions and cycles are distributed by device_id
-- (unchanged keys); alerts too. No new table, no new trigger.

-- The wet well a lift pump empties: the `relevage` channels of one meter with the same `sump` share it.
-- sump_volume_m3 is the useful volume between the stop and the start float (sump area × distance between
-- the floats); NULL: unknown, and no flow is measured.
ALTER TABLE channel_config_versions
  ADD COLUMN sump text NOT NULL DEFAULT '1'
    CHECK (length(sump) BETWEEN 1 AND 20 AND sump = btrim(sump)),
  ADD COLUMN sump_volume_m3 double precision
    CHECK (sump_volume_m3 IS NULL OR (sump_volume_m3 > 0 AND sump_volume_m3 <= 1000));

-- A version's content stays fixed once written (0004's guard), the two new fields included.
CREATE OR REPLACE FUNCTION channel_config_versions_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.superseded_at IS NOT NULL THEN
    RAISE EXCEPTION 'superseded configuration version % cannot change', OLD.id USING ERRCODE = '55000';
  END IF;
  IF (NEW.id, NEW.device_id, NEW.channel, NEW.effective_from, NEW.version, NEW.name, NEW.pump_type,
      NEW.flow_rate_m3h, NEW.pump_model_id, NEW.dbo5_mg_l, NEW.dco_mg_l, NEW.mes_mg_l, NEW.activity_threshold_w,
      NEW.stop_gap_min, NEW.min_cycle_min, NEW.created_at, NEW.created_by, NEW.supersedes_id, NEW.sump,
      NEW.sump_volume_m3)
     IS DISTINCT FROM
     (OLD.id, OLD.device_id, OLD.channel, OLD.effective_from, OLD.version, OLD.name, OLD.pump_type,
      OLD.flow_rate_m3h, OLD.pump_model_id, OLD.dbo5_mg_l, OLD.dco_mg_l, OLD.mes_mg_l, OLD.activity_threshold_w,
      OLD.stop_gap_min, OLD.min_cycle_min, OLD.created_at, OLD.created_by, OLD.supersedes_id, OLD.sump,
      OLD.sump_volume_m3) THEN
    RAISE EXCEPTION 'only effective_to and superseded_at of configuration version % may change', OLD.id
      USING ERRCODE = '55000';
  END IF;
  RETURN NEW;
END
$$;

-- When the pump really started and stopped, to the second: the minute's energy against the running power
-- tells how much of the first and last minute it ran (src/domain/pump-health/edges.ts). `edge_resolution`
-- says 'minute' when a reading lacked the per-minute energy (imported history): the edges are then the
-- middle of the minute, good to ±30 s. NULL on an ongoing cycle's stop. The fill time before a cycle and
-- the measured flow depend on the other pumps of the sump too, and are derived from these at read time
-- (decision record 0011).
ALTER TABLE cycles
  ADD COLUMN run_started_at  timestamptz,
  ADD COLUMN run_stopped_at  timestamptz,
  ADD COLUMN edge_resolution text CHECK (edge_resolution IN ('second', 'minute')),
  ADD CONSTRAINT cycles_run_edges CHECK (run_stopped_at IS NULL OR run_stopped_at >= run_started_at);

-- The stored cycles get their edges from one re-detection of each channel's history, done by the
-- background upkeep (identical cycles gain the edges; nothing else changes).
INSERT INTO cycle_refresh_queue (device_id, channel, from_minute, to_minute)
SELECT c.device_id, c.channel, (extract(epoch FROM min(c.start_ts)) / 60)::int8 - 10,
       (extract(epoch FROM max(c.last_active_ts)) / 60)::int8 + 10
FROM cycles c
GROUP BY c.device_id, c.channel;

-- Two more alert rules.
ALTER TABLE alerts DROP CONSTRAINT alerts_rule_check;
ALTER TABLE alerts ADD CONSTRAINT alerts_rule_check CHECK (rule IN ('pump_inactive', 'cycle_too_long',
  'dry_run', 'overload', 'short_cycling', 'meter_offline', 'voltage', 'pump_wear', 'inflow_high'));
