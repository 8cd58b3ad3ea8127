-- Administration (issue 7): settings stored in the database, the last login of each account, and an audit
-- that covers API keys, users and settings and can be filtered by device.
--
-- Table classes (scale-rules.md): app_settings is local (one small catalogue of the installation, read on
-- every report); users and config_audit stay local. config_audit.device_id is a plain column, not a foreign
-- key: nothing points from a local table to a distributed one.

-- One row per setting; `value` is JSON (its shape is checked by the use case, src/admin/settings.ts). A
-- missing row means "the default": the environment's GRID_CO2E_* or the code's default factor set.
CREATE TABLE app_settings (
  key        text        PRIMARY KEY CHECK (key IN ('factor_set', 'grid_factor')),
  value      jsonb       NOT NULL,
  updated_at timestamptz NOT NULL,
  updated_by text        NOT NULL CHECK (length(updated_by) BETWEEN 1 AND 254)
);

-- Shown in the users list; written at each successful login (sessions are deleted, so they cannot tell).
ALTER TABLE users ADD COLUMN last_login_at timestamptz;

-- The device an audit entry concerns (versions, device names), so the audit can be listed per device.
ALTER TABLE config_audit ADD COLUMN device_id text;

-- Backfill of the entries written before this migration: the one update the append-only rule allows.
ALTER TABLE config_audit DISABLE TRIGGER config_audit_no_change;
UPDATE config_audit
   SET device_id = CASE WHEN entity = 'device' THEN entity_key
                        ELSE coalesce(after ->> 'deviceId', before ->> 'deviceId') END
 WHERE entity IN ('device', 'channel_version');
ALTER TABLE config_audit ENABLE TRIGGER config_audit_no_change;

CREATE INDEX config_audit_device ON config_audit (device_id, id) WHERE device_id IS NOT NULL;
CREATE INDEX config_audit_entity_id ON config_audit (entity, id);

ALTER TABLE config_audit DROP CONSTRAINT config_audit_entity_check;
ALTER TABLE config_audit ADD CONSTRAINT config_audit_entity_check
  CHECK (entity IN ('channel_version', 'pump_model', 'device', 'api_key', 'user', 'settings'));
ALTER TABLE config_audit DROP CONSTRAINT config_audit_action_check;
ALTER TABLE config_audit ADD CONSTRAINT config_audit_action_check
  CHECK (action IN ('create', 'close', 'supersede', 'update', 'delete', 'rename', 'revoke', 'disable',
                    'enable', 'change_role', 'reset_password'));
