-- Up Migration

-- Who may use the API. Machines (the ERP) hold API keys; people log in with a password and get
-- an expiring session. Secrets are stored only as hashes: an API key or a session token is 32
-- random bytes, so a SHA-256 of it cannot be brute-forced; a password is a person's choice and
-- is hashed with argon2id.
CREATE TYPE api_role AS ENUM ('admin', 'supervisor', 'viewer', 'erp');

CREATE TABLE api_key (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name         text NOT NULL UNIQUE CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$'),
  role         api_role NOT NULL,
  -- The first characters of the key, shown in lists so a person can tell keys apart.
  prefix       text NOT NULL,
  key_sha256   bytea NOT NULL UNIQUE,
  created_at   timestamptz NOT NULL DEFAULT now(),
  created_by   text NOT NULL,
  last_used_at timestamptz,
  revoked_at   timestamptz
);

CREATE TABLE app_user (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  login         text NOT NULL UNIQUE CHECK (login ~ '^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$'),
  role          api_role NOT NULL,
  password_hash text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  disabled_at   timestamptz
);

CREATE TABLE user_session (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id      bigint NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
  token_sha256 bytea NOT NULL UNIQUE,
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  revoked_at   timestamptz
);
CREATE INDEX user_session_user_idx ON user_session (user_id);

-- "From where" of every audited action (the client's address as the API saw it).
ALTER TABLE audit_log ADD COLUMN source text;

-- Down Migration
ALTER TABLE audit_log DROP COLUMN source;
DROP TABLE user_session;
DROP TABLE app_user;
DROP TABLE api_key;
DROP TYPE api_role;
