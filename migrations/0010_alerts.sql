-- Alerts (issue 11). Table classes (scale-rules.md):
--   alerts, alert_rule_settings, maintenance_windows: distributed by device_id (device_id in every key);
--   alert_evaluator_lease: local (one row naming the instance that evaluates).
-- channel -1 stands for the whole meter (meter_offline), so that keys need no NULL.

CREATE TABLE alerts (
  device_id       text             NOT NULL,
  id              bigint           GENERATED ALWAYS AS IDENTITY,
  channel         smallint         NOT NULL CHECK (channel BETWEEN -1 AND 3),
  rule            text             NOT NULL CHECK (rule IN ('pump_inactive', 'cycle_too_long', 'dry_run',
                                     'overload', 'short_cycling', 'meter_offline', 'voltage')),
  severity        text             NOT NULL CHECK (severity IN ('critical', 'warning')),
  -- data time: when the condition became true / cleared, not when the evaluator noticed
  started_at      timestamptz      NOT NULL,
  ended_at        timestamptz,
  -- first minute of the current clear stretch (hysteresis), NULL while the condition holds
  clear_since     timestamptz,
  -- the worst value seen while open
  value           double precision NOT NULL,
  threshold       double precision,
  threshold_source text            NOT NULL CHECK (threshold_source IN ('learned', 'default', 'override')),
  acknowledged_by text,
  acknowledged_at timestamptz,
  comment         text,
  CONSTRAINT alerts_pkey PRIMARY KEY (device_id, id),
  CHECK (ended_at IS NULL OR ended_at >= started_at)
);

-- One open alert per rule and channel: a second evaluator's insert meets this and does nothing.
CREATE UNIQUE INDEX alerts_open_once ON alerts (device_id, rule, channel) WHERE ended_at IS NULL;
CREATE INDEX alerts_by_start ON alerts (device_id, started_at);

-- An operator's choice per rule: off, or a threshold replacing the learned one.
CREATE TABLE alert_rule_settings (
  device_id  text        NOT NULL,
  channel    smallint    NOT NULL CHECK (channel BETWEEN -1 AND 3),
  rule       text        NOT NULL,
  enabled    boolean     NOT NULL,
  threshold  double precision,
  updated_at timestamptz NOT NULL,
  updated_by text,
  CONSTRAINT alert_rule_settings_pkey PRIMARY KEY (device_id, channel, rule)
);

-- Planned work on a channel (or, channel -1, the whole meter): no alert opens inside [starts_at, ends_at).
CREATE TABLE maintenance_windows (
  device_id  text        NOT NULL,
  id         bigint      GENERATED ALWAYS AS IDENTITY,
  channel    smallint    NOT NULL CHECK (channel BETWEEN -1 AND 3),
  starts_at  timestamptz NOT NULL,
  ends_at    timestamptz NOT NULL,
  reason     text,
  created_by text,
  CONSTRAINT maintenance_windows_pkey PRIMARY KEY (device_id, id),
  CHECK (ends_at > starts_at)
);

-- Exactly one evaluator across instances: the holder renews its lease every round; an instance that
-- dies stops renewing and another takes over once the lease has expired.
CREATE TABLE alert_evaluator_lease (
  id         smallint    PRIMARY KEY CHECK (id = 1),
  holder     text        NOT NULL,
  expires_at timestamptz NOT NULL
);
INSERT INTO alert_evaluator_lease (id, holder, expires_at) VALUES (1, '', '1970-01-01T00:00:00Z');
