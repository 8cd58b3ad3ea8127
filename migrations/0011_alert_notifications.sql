-- Alert notifications (issue 11, item 4): who wants what, the webhook, and a delivery outbox.
-- Table classes (scale-rules.md):
--   alert_deliveries: distributed by device_id (the alert's device; device_id in every key, its foreign key
--     to alerts carries device_id on both sides);
--   alert_notification_prefs, alert_webhook, alert_digests: local (per user, or one row of the installation).
--     alert_notification_prefs.device_ids is a plain list, not a foreign key: nothing points from a local
--     table to a distributed one.
--
-- Exactly once across instances: the statement that opens or resolves an alert also writes its deliveries
-- (one per recipient and one for the webhook), so an alert that another evaluator opened first (the
-- alerts_open_once index makes the insert a no-op) or resolved first (ended_at is set) queues nothing.
-- Any instance's dispatcher claims due rows with FOR UPDATE SKIP LOCKED and pushes next_attempt_at past the
-- time a send may take: a claim is a short transaction, the send happens outside it, and a dispatcher that
-- dies mid-send leaves the row due again once the claim has passed. A restart loses nothing pending.

-- A user who never saved keeps the defaults (no row): immediate e-mails on, both severities, every site,
-- no digest. `email_enabled` is about the immediate e-mails; the digest is a separate choice.
CREATE TABLE alert_notification_prefs (
  user_id       integer     PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  email_enabled boolean     NOT NULL,
  severities    text[]      NOT NULL CHECK (severities <@ ARRAY['critical', 'warning']::text[]),
  -- NULL: every site (device), including those registered later
  device_ids    text[],
  digest        boolean     NOT NULL,
  updated_at    timestamptz NOT NULL
);

-- The one webhook of the installation (administrator). The secret signs the body (HMAC-SHA256); it is never
-- answered by the API.
CREATE TABLE alert_webhook (
  id         smallint    PRIMARY KEY CHECK (id = 1),
  url        text        CHECK (url IS NULL OR url ~ '^https?://'),
  secret     text,
  enabled    boolean     NOT NULL,
  updated_at timestamptz NOT NULL,
  updated_by text        NOT NULL,
  CHECK (NOT enabled OR (url IS NOT NULL AND secret IS NOT NULL))
);

-- One row per (alert event × e-mail recipient or webhook). `target` is the address or URL at the time of the
-- event. pending → sent, or → failed with the reason once the attempts are spent (or the error is final).
CREATE TABLE alert_deliveries (
  device_id       text        NOT NULL,
  id              bigint      GENERATED ALWAYS AS IDENTITY,
  alert_id        bigint      NOT NULL,
  event           text        NOT NULL CHECK (event IN ('opened', 'resolved')),
  kind            text        NOT NULL CHECK (kind IN ('email', 'webhook')),
  target          text        NOT NULL,
  state           text        NOT NULL CHECK (state IN ('pending', 'sent', 'failed')),
  attempts        integer     NOT NULL CHECK (attempts >= 0),
  -- when the row is next due; a claim moves it past the time a send may take
  next_attempt_at timestamptz NOT NULL,
  last_error      text,
  created_at      timestamptz NOT NULL,
  updated_at      timestamptz NOT NULL,
  CONSTRAINT alert_deliveries_pkey PRIMARY KEY (device_id, id),
  CONSTRAINT alert_deliveries_alert_fkey FOREIGN KEY (device_id, alert_id) REFERENCES alerts (device_id, id),
  CONSTRAINT alert_deliveries_once UNIQUE (device_id, alert_id, event, kind, target)
);
CREATE INDEX alert_deliveries_due ON alert_deliveries (device_id, next_attempt_at) WHERE state = 'pending';
CREATE INDEX alert_deliveries_by_creation ON alert_deliveries (device_id, created_at);

-- The daily digest: one row per user and local day, queued by the first dispatcher round after local
-- midnight (the unique key makes every other round and instance a no-op), sent like the deliveries above.
CREATE TABLE alert_digests (
  id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id         integer     NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  day             date        NOT NULL,
  target          text        NOT NULL,
  state           text        NOT NULL CHECK (state IN ('pending', 'sent', 'failed')),
  attempts        integer     NOT NULL CHECK (attempts >= 0),
  next_attempt_at timestamptz NOT NULL,
  last_error      text,
  created_at      timestamptz NOT NULL,
  updated_at      timestamptz NOT NULL,
  CONSTRAINT alert_digests_once UNIQUE (user_id, day)
);
CREATE INDEX alert_digests_due ON alert_digests (next_attempt_at) WHERE state = 'pending';
