-- Ingestion keys. The key shown once is "pwk_<lookup_id>_<secret>"; only SHA-256(secret) is stored.
-- Keys are 256-bit random, so a fast hash is enough (no password stretching needed), and the
-- lookup id lets the server find the row without comparing hashes in SQL.
CREATE TABLE api_keys (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name         text        NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  lookup_id    text        NOT NULL UNIQUE,
  secret_hash  bytea       NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  created_by   text,
  last_used_at timestamptz,
  revoked_at   timestamptz
);
