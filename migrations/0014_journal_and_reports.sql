-- Operating journal and reports (issue 19).
-- Table classes (scale-rules.md):
--   journal_entries: distributed by device_id (an entry concerns one meter; device_id in every key, its id an
--     identity that is never the whole key);
--   report_preferences, report_mailings: local (per user, as the alert notification preferences and digests).
--     report_mailings.subject names a site or a meter as text, not a foreign key: nothing points from a local
--     table to a distributed one.

-- What the operators wrote (« Journal d'exploitation », arrêté du 21 juillet 2015, art. 20). `channel` null:
-- the meter, or the site, as a whole. `author` is the e-mail of the account at the time of writing (kept when
-- the account goes), `author_id` the account (a plain column: users is local). Edits and deletions are
-- written to config_audit in the same transaction, with the entry before and after.
CREATE TABLE journal_entries (
  device_id   text        NOT NULL,
  id          bigint      GENERATED ALWAYS AS IDENTITY,
  channel     smallint    CHECK (channel BETWEEN 0 AND 3),
  occurred_at timestamptz NOT NULL,
  kind        text        NOT NULL CHECK (kind IN ('intervention', 'pump_overhaul', 'pump_replaced', 'cleaning',
                                                   'visit', 'observation')),
  text        text        NOT NULL CHECK (length(text) BETWEEN 1 AND 4000),
  author      text        NOT NULL CHECK (length(author) BETWEEN 1 AND 254),
  author_id   integer,
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL,
  CONSTRAINT journal_entries_pkey PRIMARY KEY (device_id, id)
);
CREATE INDEX journal_entries_by_time ON journal_entries (device_id, occurred_at);

-- Who wants the monthly report of their sites by e-mail on the 1st (no row: no).
CREATE TABLE report_preferences (
  user_id       integer     PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  monthly_email boolean     NOT NULL,
  updated_at    timestamptz NOT NULL
);

-- One row per user, month and subject ('site:<id>' or 'device:<device_id>'): queued once by the first
-- dispatcher round of the month (the unique key makes every other round and instance a no-op), then sent
-- through the notification outbox like the alert digests (pending → sent, or failed once the attempts are
-- spent).
CREATE TABLE report_mailings (
  id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id         integer     NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  month           date        NOT NULL CHECK (extract(day FROM month) = 1),
  subject         text        NOT NULL CHECK (subject ~ '^(site|device):.+$'),
  target          text        NOT NULL,
  state           text        NOT NULL CHECK (state IN ('pending', 'sent', 'failed')),
  attempts        integer     NOT NULL CHECK (attempts >= 0),
  next_attempt_at timestamptz NOT NULL,
  last_error      text,
  created_at      timestamptz NOT NULL,
  updated_at      timestamptz NOT NULL,
  CONSTRAINT report_mailings_once UNIQUE (user_id, month, subject)
);
CREATE INDEX report_mailings_due ON report_mailings (next_attempt_at) WHERE state = 'pending';

-- The audit takes the journal's entries. Every kind allowed before stays allowed, including those of the
-- sites and share links (issue 18, migration 0013), whichever of the two migrations a database met first.
ALTER TABLE config_audit DROP CONSTRAINT config_audit_entity_check;
ALTER TABLE config_audit ADD CONSTRAINT config_audit_entity_check
  CHECK (entity IN ('channel_version', 'pump_model', 'device', 'api_key', 'user', 'settings', 'site',
                    'share_link', 'journal_entry'));
