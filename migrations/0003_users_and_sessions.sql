-- Accounts of the dashboard and the admin area. The e-mail is kept as typed and is unique whatever its
-- case; the password is an argon2id PHC string (m=19456 KiB, t=2, p=1). A disabled account keeps its row
-- (created_by and audit fields of other tables may name it) but can no longer log in.
CREATE TABLE users (
  id            integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email         text        NOT NULL CHECK (length(email) BETWEEN 3 AND 254 AND email = btrim(email)),
  password_hash text        NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
  role          text        NOT NULL CHECK (role IN ('admin', 'viewer')),
  created_at    timestamptz NOT NULL,
  created_by    text,
  disabled_at   timestamptz
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

-- Sessions live in the database: they survive a restart and every instance sees the same ones. The cookie
-- carries a 256-bit random token; only its SHA-256 is stored, so a copy of this table opens no session.
-- A session ends when idle longer than SESSION_IDLE_MINUTES (last_seen_at) or older than
-- SESSION_ABSOLUTE_HOURS (created_at); the limits are applied when reading, so changing them applies to
-- existing sessions too. Logout, disabling the user or expiry deletes the row.
CREATE TABLE sessions (
  id           bytea       PRIMARY KEY CHECK (length(id) = 32),
  user_id      integer     NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at   timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL
);
CREATE INDEX sessions_user_id ON sessions (user_id);

-- Login throttling, shared by every instance. One row per login attempt that is in progress or failed
-- within the window (a successful attempt deletes its row and the account's failures). The account is
-- SHA-256 of the lower-cased e-mail as typed, whether or not such a user exists, so throttling tells
-- nothing about which accounts exist and keeps no typed text; the address is the client IP (IPv6: its /64).
CREATE TABLE login_attempts (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account      bytea       NOT NULL CHECK (length(account) = 32),
  address      text        NOT NULL CHECK (length(address) BETWEEN 1 AND 64),
  attempted_at timestamptz NOT NULL
);
CREATE INDEX login_attempts_account ON login_attempts (account, attempted_at);
CREATE INDEX login_attempts_address ON login_attempts (address, attempted_at);
CREATE INDEX login_attempts_attempted_at ON login_attempts (attempted_at);
