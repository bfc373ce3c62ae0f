-- Up Migration

-- Whether a campaign's answered calls are recorded (the recordCalls setting; a rule profile
-- with record_answered sets it), and how long its recordings are kept: 1096 days is the three
-- years the Ministry of Justice order No. 134 of 2024-05-06 asks of conversations with debtors.
-- The retention is not a setting of its own: the campaign's rule profile is meant to own it.
ALTER TABLE campaign ADD COLUMN record_calls boolean NOT NULL DEFAULT false,
  ADD COLUMN recording_retention_days integer NOT NULL DEFAULT 1096 CHECK (recording_retention_days > 0);

-- One recording per recorded call, made and stored by Asterisk (docs/recording.md): the row
-- names the file by its stored name, which Asterisk serves (GET /ari/recordings/stored/{name}/
-- file) and deletes. The attempt is found by its natural key (workflow_id, seq): the call step
-- writes this row before the record step writes the attempt, so it cannot be a foreign key.
-- The name is derived from that key (adapters/ari/callRecording.ts), never from a number.
CREATE TABLE call_recording (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workflow_id  text NOT NULL,
  seq          integer NOT NULL,
  campaign_id  text NOT NULL REFERENCES campaign (id),
  name         text NOT NULL UNIQUE,
  format       text NOT NULL DEFAULT 'wav',
  started_at   timestamptz NOT NULL,
  ended_at     timestamptz NOT NULL,
  duration_ms  integer NOT NULL CHECK (duration_ms >= 0),
  bytes        bigint NOT NULL CHECK (bytes >= 0),
  expires_at   timestamptz NOT NULL,
  -- Set when the file was deleted from Asterisk (retention, or the contact's deletion); the row
  -- stays, so the audit log's rows about it still name something.
  deleted_at   timestamptz,
  UNIQUE (workflow_id, seq)
);
CREATE INDEX call_recording_campaign_idx ON call_recording (campaign_id, started_at);
CREATE INDEX call_recording_started_idx ON call_recording (started_at);
CREATE INDEX call_recording_expiry_idx ON call_recording (expires_at) WHERE deleted_at IS NULL;

-- Down Migration

DROP TABLE call_recording;
ALTER TABLE campaign DROP COLUMN recording_retention_days, DROP COLUMN record_calls;
