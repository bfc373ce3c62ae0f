-- Up Migration

-- The product's outcomes of one call attempt. workflows/outcomes.ts holds the same list for the
-- workflow code; test/schemaAgreement.test.ts fails when the two drift apart.
CREATE TYPE call_outcome AS ENUM (
  'answered',            -- a person answered and the message was played
  'answered_short',      -- answered, but hung up before the campaign's minimum listen time
  'operator',            -- answered and pressed the key that bridges to an operator
  'machine',             -- answered by an answering machine
  'busy',
  'no_answer',
  'invalid_number',      -- unallocated / invalid format: proven not to be a working number
  'congestion',          -- the network or the trunk had no capacity
  'failed',              -- any other failure of the call itself
  'refused'              -- the gate refused the call: no originate was sent
);

CREATE TYPE campaign_state AS ENUM ('draft', 'running', 'paused', 'completed', 'cancelled');

CREATE TYPE contact_state AS ENUM (
  'pending',      -- imported, no workflow yet
  'in_progress',  -- its workflow runs
  'done',         -- reached: the strategy's goal was met
  'failed',       -- every number was tried to the strategy's limit
  'blacklisted',  -- every number is on the blacklist
  'cancelled'     -- the campaign was cancelled before the contact finished
);

CREATE TABLE template (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name        text NOT NULL UNIQUE,
  -- Plain text with {{VARIABLE}} placeholders; {{BALANCE|money}} marks a money amount.
  body        text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE campaign (
  id                       text PRIMARY KEY
                           CHECK (id ~ '^[a-z0-9][a-z0-9._-]{0,62}$'),  -- part of workflow ids
  name                     text NOT NULL,
  state                    campaign_state NOT NULL DEFAULT 'draft',
  template_id              bigint REFERENCES template (id),
  caller_id                text NOT NULL,     -- the registered number calls are placed from
  time_zone                text NOT NULL DEFAULT 'Europe/Moscow',
  -- Daily calling window in the subscriber's local time; end is exclusive.
  window_start             time NOT NULL DEFAULT '09:00',
  window_end               time NOT NULL DEFAULT '20:00',
  max_attempts_per_number  integer NOT NULL DEFAULT 3 CHECK (max_attempts_per_number BETWEEN 1 AND 50),
  retry_interval_seconds   integer NOT NULL DEFAULT 3600 CHECK (retry_interval_seconds >= 0),
  ring_timeout_seconds     integer NOT NULL DEFAULT 30 CHECK (ring_timeout_seconds BETWEEN 5 AND 120),
  max_in_flight            integer NOT NULL DEFAULT 1000 CHECK (max_in_flight BETWEEN 1 AND 10000),
  created_at               timestamptz NOT NULL DEFAULT now(),
  started_at               timestamptz,
  finished_at              timestamptz,
  CHECK (window_start < window_end)
);

CREATE TABLE contact (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  campaign_id  text NOT NULL REFERENCES campaign (id),
  external_id  text NOT NULL CHECK (external_id <> ''),  -- the ERP's id; imports are idempotent on it
  full_name    text,
  time_zone    text,                -- explicit IANA zone; wins over the number's and the campaign's
  state        contact_state NOT NULL DEFAULT 'pending',
  outcome      call_outcome,        -- the outcome that ended the contact
  attempts     integer NOT NULL DEFAULT 0,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  finished_at  timestamptz,
  UNIQUE (campaign_id, external_id)
);
-- The campaign workflow pages through a campaign's contacts in id order.
CREATE INDEX contact_campaign_id_idx ON contact (campaign_id, id);
-- Live status counts contacts by state many times a second while a campaign runs.
CREATE INDEX contact_campaign_state_idx ON contact (campaign_id, state);

CREATE TABLE contact_phone (
  contact_id  bigint NOT NULL REFERENCES contact (id) ON DELETE CASCADE,
  position    integer NOT NULL CHECK (position >= 1),   -- dialling order
  e164        text NOT NULL CHECK (e164 ~ '^\+[1-9][0-9]{6,14}$'),
  raw         text NOT NULL,                            -- as the list gave it, for the record
  note        text,                                     -- what the importer did with it
  PRIMARY KEY (contact_id, position)
);

CREATE TABLE contact_variable (
  contact_id  bigint NOT NULL REFERENCES contact (id) ON DELETE CASCADE,
  name        text NOT NULL CHECK (name ~ '^[A-Za-z_][A-Za-z0-9_]*$'),
  value       text NOT NULL,
  PRIMARY KEY (contact_id, name)
);

CREATE TABLE list_import (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  campaign_id    text NOT NULL REFERENCES campaign (id),
  file_name      text NOT NULL,
  rows_total     integer NOT NULL DEFAULT 0,
  rows_imported  integer NOT NULL DEFAULT 0,
  rows_rejected  integer NOT NULL DEFAULT 0,
  created_by     text NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now()
);

-- What the importer rejected or changed, line by line, with the raw text, so nothing the user
-- sent is lost: an 'error' rejected the row; a 'warning' kept the row but dropped or rewrote a
-- part of it (an unusable second number, a national number read with the default country).
CREATE TABLE list_import_issue (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  import_id  bigint NOT NULL REFERENCES list_import (id) ON DELETE CASCADE,
  line       integer NOT NULL,
  field      text,
  severity   text NOT NULL CHECK (severity IN ('error', 'warning')),
  reason     text NOT NULL,
  raw        text NOT NULL
);
CREATE INDEX list_import_issue_import_idx ON list_import_issue (import_id, line);

CREATE TABLE blacklist (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  e164        text NOT NULL CHECK (e164 ~ '^\+[1-9][0-9]{6,14}$'),
  reason      text NOT NULL,
  source      text NOT NULL CHECK (source IN ('manual', 'import', 'automatic', 'api')),
  created_by  text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz,
  attempt_id  bigint          -- the attempt that proved the number bad, for automatic entries
);
CREATE INDEX blacklist_e164_idx ON blacklist (e164);

CREATE TABLE attempt (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  campaign_id     text NOT NULL REFERENCES campaign (id),
  contact_id      bigint NOT NULL REFERENCES contact (id),
  -- workflow id + sequence number make the write idempotent when an activity is retried.
  workflow_id     text NOT NULL,
  seq             integer NOT NULL,
  phone_position  integer NOT NULL,
  e164            text NOT NULL,
  number_attempt  integer NOT NULL,   -- 1 for the first call to this number, 2 for the retry...
  outcome         call_outcome NOT NULL,
  -- The gate's rules and decision, so a compliance officer can show why the call was placed.
  gate            jsonb NOT NULL,
  hangup_cause    integer,
  channel_id      text,
  dtmf            text,
  listened_ms     integer,
  message_text    text,
  started_at      timestamptz NOT NULL,
  answered_at     timestamptz,
  ended_at        timestamptz NOT NULL,
  UNIQUE (workflow_id, seq)
);
CREATE INDEX attempt_contact_idx ON attempt (contact_id, id);
CREATE INDEX attempt_campaign_idx ON attempt (campaign_id, id);

ALTER TABLE blacklist ADD FOREIGN KEY (attempt_id) REFERENCES attempt (id);

CREATE TABLE audit_log (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at         timestamptz NOT NULL DEFAULT now(),
  actor      text NOT NULL,
  action     text NOT NULL,
  entity     text NOT NULL,
  entity_id  text NOT NULL,
  details    jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_entity_idx ON audit_log (entity, entity_id, at);

-- Down Migration
DROP TABLE audit_log;
ALTER TABLE blacklist DROP CONSTRAINT blacklist_attempt_id_fkey;
DROP TABLE attempt;
DROP TABLE blacklist;
DROP TABLE list_import_issue;
DROP TABLE list_import;
DROP TABLE contact_variable;
DROP TABLE contact_phone;
DROP TABLE contact;
DROP TABLE campaign;
DROP TABLE template;
DROP TYPE contact_state;
DROP TYPE campaign_state;
DROP TYPE call_outcome;
