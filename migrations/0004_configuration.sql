-- Configuration with history (decision record 0006): device names, the pump model catalogue, each channel's
-- configuration as versions over whole local days, and an append-only audit of every change.

-- Exclusion constraints mixing "=" on text/smallint with "&&" on a daterange need btree_gist.
CREATE EXTENSION IF NOT EXISTS btree_gist;

-- The custom name shown instead of the technical id ("Client 1"); NULL shows the id.
ALTER TABLE devices
  ADD COLUMN name text CHECK (name IS NULL OR (length(name) BETWEEN 1 AND 100 AND name = btrim(name)));

-- Pump references. nominal_flow_m3h_hmt8 is the manufacturer's flow at HMT = 8 m, for information only:
-- volumes use the channel's own flow_rate_m3h. A model referenced by any version (even a superseded one)
-- cannot be deleted.
CREATE TABLE pump_models (
  id                    integer          GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name                  text             NOT NULL
                                         CHECK (length(name) BETWEEN 1 AND 100 AND name = btrim(name)),
  power_kw              double precision NOT NULL CHECK (power_kw > 0 AND power_kw < 'Infinity'),
  current_a             double precision NOT NULL CHECK (current_a > 0 AND current_a < 'Infinity'),
  nominal_flow_m3h_hmt8 double precision
                        CHECK (nominal_flow_m3h_hmt8 IS NULL
                               OR (nominal_flow_m3h_hmt8 > 0 AND nominal_flow_m3h_hmt8 < 'Infinity')),
  created_at            timestamptz      NOT NULL DEFAULT now(),
  updated_at            timestamptz
);
CREATE UNIQUE INDEX pump_models_name_key ON pump_models (lower(name));

-- The predecessor's two models, with the same ids (1 and 2).
INSERT INTO pump_models (name, power_kw, current_a, nominal_flow_m3h_hmt8) VALUES
  ('Pedrollo VXM 10/35', 0.75, 4.8, 18),
  ('Pedrollo DM/8', 0.55, 3.2, NULL);

-- One row per version of a channel's configuration, valid on the local dates [effective_from, effective_to)
-- (effective_to NULL: open-ended). The live rows (superseded_at IS NULL) of a channel tile
-- [first effective_from, ∞): the exclusion constraint forbids any overlap, the deferred trigger below any gap.
-- A correction (a new version on the start date of a live one) keeps the replaced row, marked superseded, and
-- the new row points at it (supersedes_id) with version + 1. Rows are never deleted by the application.
CREATE TABLE channel_config_versions (
  id                   integer          GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  device_id            text             NOT NULL REFERENCES devices (device_id),
  channel              smallint         NOT NULL CHECK (channel BETWEEN 0 AND 3),
  effective_from       date             NOT NULL CHECK (effective_from BETWEEN '2000-01-01' AND '2100-12-31'),
  effective_to         date             CHECK (effective_to IS NULL OR effective_to <= '2100-12-31'),
  version              integer          NOT NULL CHECK (version >= 1),
  name                 text             CHECK (name IS NULL OR (length(name) BETWEEN 1 AND 100 AND name = btrim(name))),
  pump_type            text             NOT NULL CHECK (pump_type IN ('relevage', 'sortie', 'autre')),
  flow_rate_m3h        double precision
                       CHECK (flow_rate_m3h IS NULL OR (flow_rate_m3h > 0 AND flow_rate_m3h < 'Infinity')),
  pump_model_id        integer          REFERENCES pump_models (id) ON DELETE RESTRICT,
  dbo5_mg_l            double precision NOT NULL CHECK (dbo5_mg_l >= 0 AND dbo5_mg_l <= 100000),
  dco_mg_l             double precision NOT NULL CHECK (dco_mg_l >= 0 AND dco_mg_l <= 100000),
  mes_mg_l             double precision NOT NULL CHECK (mes_mg_l >= 0 AND mes_mg_l <= 100000),
  activity_threshold_w double precision NOT NULL
                       CHECK (activity_threshold_w > 0 AND activity_threshold_w < 'Infinity'),
  stop_gap_min         double precision NOT NULL CHECK (stop_gap_min > 0 AND stop_gap_min < 'Infinity'),
  min_cycle_min        double precision NOT NULL CHECK (min_cycle_min > 0 AND min_cycle_min < 'Infinity'),
  created_at           timestamptz      NOT NULL,
  created_by           text,
  supersedes_id        integer          UNIQUE REFERENCES channel_config_versions (id),
  superseded_at        timestamptz,
  CHECK (effective_to IS NULL OR effective_to > effective_from),
  CONSTRAINT channel_config_versions_no_overlap EXCLUDE USING gist (
    device_id WITH =,
    channel WITH =,
    daterange(effective_from, effective_to, '[)') WITH &&
  ) WHERE (superseded_at IS NULL)
);

-- The live history of a channel in date order (listing, and the lookups of analytics).
CREATE INDEX channel_config_versions_live
  ON channel_config_versions (device_id, channel, effective_from) WHERE superseded_at IS NULL;
CREATE INDEX channel_config_versions_pump_model
  ON channel_config_versions (pump_model_id) WHERE pump_model_id IS NOT NULL;

-- A version's content is fixed once written: a live row may only be closed (effective_to) or superseded
-- (superseded_at); a superseded row never changes again.
CREATE FUNCTION channel_config_versions_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.superseded_at IS NOT NULL THEN
    RAISE EXCEPTION 'superseded configuration version % cannot change', OLD.id USING ERRCODE = '55000';
  END IF;
  IF (NEW.id, NEW.device_id, NEW.channel, NEW.effective_from, NEW.version, NEW.name, NEW.pump_type,
      NEW.flow_rate_m3h, NEW.pump_model_id, NEW.dbo5_mg_l, NEW.dco_mg_l, NEW.mes_mg_l, NEW.activity_threshold_w,
      NEW.stop_gap_min, NEW.min_cycle_min, NEW.created_at, NEW.created_by, NEW.supersedes_id)
     IS DISTINCT FROM
     (OLD.id, OLD.device_id, OLD.channel, OLD.effective_from, OLD.version, OLD.name, OLD.pump_type,
      OLD.flow_rate_m3h, OLD.pump_model_id, OLD.dbo5_mg_l, OLD.dco_mg_l, OLD.mes_mg_l, OLD.activity_threshold_w,
      OLD.stop_gap_min, OLD.min_cycle_min, OLD.created_at, OLD.created_by, OLD.supersedes_id) THEN
    RAISE EXCEPTION 'only effective_to and superseded_at of configuration version % may change', OLD.id
      USING ERRCODE = '55000';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER channel_config_versions_guard BEFORE UPDATE ON channel_config_versions
  FOR EACH ROW EXECUTE FUNCTION channel_config_versions_guard();

-- No gap, checked when the transaction commits (a split closes one row, then inserts the next): the live rows
-- of the channel have exactly one open row, and every closed row ends where another one starts. With the
-- exclusion constraint (no overlap), that is a tiling of [first effective_from, ∞).
CREATE FUNCTION channel_config_versions_check_tiling() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  changed channel_config_versions;
  open_rows integer;
  dangling integer;
  live_rows integer;
BEGIN
  IF TG_OP = 'DELETE' THEN changed := OLD; ELSE changed := NEW; END IF;
  SELECT count(*),
         count(*) FILTER (WHERE v.effective_to IS NULL),
         count(*) FILTER (WHERE v.effective_to IS NOT NULL AND NOT EXISTS (
           SELECT 1 FROM channel_config_versions n
           WHERE n.device_id = v.device_id AND n.channel = v.channel AND n.superseded_at IS NULL
             AND n.effective_from = v.effective_to))
    INTO live_rows, open_rows, dangling
    FROM channel_config_versions v
   WHERE v.device_id = changed.device_id AND v.channel = changed.channel AND v.superseded_at IS NULL;
  IF live_rows > 0 AND (open_rows <> 1 OR dangling > 0) THEN
    RAISE EXCEPTION 'configuration history of % channel % has a gap or no open version',
      changed.device_id, changed.channel USING ERRCODE = '23514';
  END IF;
  RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER channel_config_versions_tiling
  AFTER INSERT OR UPDATE OR DELETE ON channel_config_versions
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION channel_config_versions_check_tiling();

-- Who changed what, when: one row per row written (version created, closed or superseded; pump model
-- created, updated or deleted; device renamed), in the transaction of the change. Append-only.
CREATE TABLE config_audit (
  id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at         timestamptz NOT NULL,
  actor      text        NOT NULL CHECK (length(actor) BETWEEN 1 AND 254),
  entity     text        NOT NULL CHECK (entity IN ('channel_version', 'pump_model', 'device')),
  entity_key text        NOT NULL,
  action     text        NOT NULL
                         CHECK (action IN ('create', 'close', 'supersede', 'update', 'delete', 'rename')),
  before     jsonb,
  after      jsonb,
  CHECK (before IS NOT NULL OR after IS NOT NULL)
);
CREATE INDEX config_audit_entity ON config_audit (entity, entity_key, id);

CREATE FUNCTION config_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'config_audit is append-only (% refused)', TG_OP USING ERRCODE = '55000';
END
$$;
CREATE TRIGGER config_audit_no_change BEFORE UPDATE OR DELETE ON config_audit
  FOR EACH ROW EXECUTE FUNCTION config_audit_append_only();
CREATE TRIGGER config_audit_no_truncate BEFORE TRUNCATE ON config_audit
  FOR EACH STATEMENT EXECUTE FUNCTION config_audit_append_only();
