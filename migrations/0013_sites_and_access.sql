-- Sites, local time zones and client access (issue 18, decision 0012).
-- Table classes (scale-rules.md):
--   sites: reference (a small catalogue that the per-meter tables join against: devices.site_id points to it,
--     a distributed table pointing to a reference table);
--   device_site_placements: distributed by device_id (a meter's placement history; device_id in its key);
--   share_links: local (like sessions and API keys; it points to sites, a reference table);
--   users.site_ids: a plain list on a local table, not a foreign key (as alert_notification_prefs.device_ids).
-- The audit's entities 'site' and 'share_link' are allowed by migration 0014, whichever ran first.

-- A treatment plant. `time_zone` is an IANA name, checked and written canonically by the use case (the
-- database cannot tell a zone from a typo). The surfaces are those of the filter stages, first stage first.
CREATE TABLE sites (
  id                       integer     GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name                     text        NOT NULL CHECK (length(name) BETWEEN 1 AND 120 AND name = btrim(name)),
  time_zone                text        NOT NULL CHECK (length(time_zone) BETWEEN 1 AND 64),
  population_equivalent    integer     CHECK (population_equivalent > 0),
  sandre_code              text        CHECK (sandre_code ~ '^[0-9A-Za-z]{1,20}$'),
  location                 text        CHECK (length(location) BETWEEN 1 AND 200),
  latitude                 double precision CHECK (latitude BETWEEN -90 AND 90),
  longitude                double precision CHECK (longitude BETWEEN -180 AND 180),
  filter_stage_surfaces_m2 double precision[] NOT NULL DEFAULT '{}'
                           CHECK (cardinality(filter_stage_surfaces_m2) <= 4 AND 0 < ALL (filter_stage_surfaces_m2)),
  created_at               timestamptz NOT NULL,
  updated_at               timestamptz NOT NULL,
  CHECK ((latitude IS NULL) = (longitude IS NULL))
);
CREATE UNIQUE INDEX sites_name_key ON sites (lower(name));

-- The site a meter is on now (NULL: none, its days are APP_TIMEZONE's). Who may see a meter is read from
-- this column.
ALTER TABLE devices ADD COLUMN site_id integer REFERENCES sites (id);
CREATE INDEX devices_site_id ON devices (site_id);

-- Where a meter was, from when: a meter moved to another site keeps the days of its past in the zone of
-- the site it was on then. One row per move (site_id NULL: taken off every site); the latest row agrees
-- with devices.site_id (both written in one transaction of that one meter). `time_zone` is the site's zone
-- at the move (NULL: no site, APP_TIMEZONE): it still answers once that site is deleted.
CREATE TABLE device_site_placements (
  device_id  text        NOT NULL,
  placed_at  timestamptz NOT NULL,
  site_id    integer     REFERENCES sites (id) ON DELETE SET NULL,
  time_zone  text,
  placed_by  text        NOT NULL,
  CONSTRAINT device_site_placements_pkey PRIMARY KEY (device_id, placed_at)
);

-- Roles: an operator reads, acknowledges alerts and writes the journal of its sites. `site_ids` NULL: every
-- site (an administrator always); a list: those sites only (empty: none).
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('admin', 'operator', 'viewer'));
ALTER TABLE users ADD COLUMN site_ids integer[];
ALTER TABLE users ADD CONSTRAINT users_admin_every_site CHECK (role <> 'admin' OR site_ids IS NULL);
-- Until now a viewer acknowledged alerts; that is an operator's right from here on, so the existing readers
-- become operators and keep what they could do.
UPDATE users SET role = 'operator' WHERE role = 'viewer';

-- A read-only link to one site's dashboard for a client without an account. As for sessions, the link
-- carries a 256-bit random token and only its SHA-256 is stored. Revoking keeps the row (the audit names
-- it); a link past expires_at or revoked opens nothing.
CREATE TABLE share_links (
  id         integer     GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  site_id    integer     NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
  token_hash bytea       NOT NULL UNIQUE CHECK (length(token_hash) = 32),
  label      text        CHECK (length(label) BETWEEN 1 AND 120),
  created_at timestamptz NOT NULL,
  created_by text        NOT NULL,
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  CHECK (expires_at > created_at)
);
CREATE INDEX share_links_site ON share_links (site_id);

-- The audit's new actions: an account's sites changed, a meter placed on a site.
ALTER TABLE config_audit DROP CONSTRAINT config_audit_action_check;
ALTER TABLE config_audit ADD CONSTRAINT config_audit_action_check
  CHECK (action IN ('create', 'close', 'supersede', 'update', 'delete', 'rename', 'revoke', 'disable',
                    'enable', 'change_role', 'reset_password', 'change_sites', 'place'));
