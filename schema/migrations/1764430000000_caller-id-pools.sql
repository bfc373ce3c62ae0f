-- Up Migration

-- Caller-ID pools (docs/callerId.md). Since 2025-09-01 companies call from numbers registered
-- for on-screen labelling: a campaign dials from a pool of such numbers, picked per call by the
-- call activity (adapters/postgres/callerIdPools.ts), and a call back to one of them reaches the
-- pool's operators queue or its recorded message (asterisk/production/render-callerids.sh
-- renders these rows into the dialplan). Names and sound names are constrained here because the
-- render writes them into Asterisk's config as they are.
CREATE TABLE caller_id_pool (
  name            text PRIMARY KEY CHECK (name ~ '^[a-z0-9][a-z0-9._-]{0,62}$'),
  -- in_turn: round robin over the pool; by_region: the numbers tagged with the subscriber's
  -- region (numbering_range.region), in turn, or the whole pool when none is tagged with it.
  rotation        text NOT NULL DEFAULT 'in_turn' CHECK (rotation IN ('in_turn', 'by_region')),
  -- Calls picked from this pool so far: the round robin's position, shared by every worker
  -- (one UPDATE per pick, so two workers never take the same turn).
  turns           bigint NOT NULL DEFAULT 0 CHECK (turns >= 0),
  -- A call back to a number of the pool: the operators queue (then the message if nobody
  -- answers in time), or the message alone.
  inbound         text NOT NULL DEFAULT 'queue' CHECK (inbound IN ('queue', 'message')),
  -- Asterisk sound names played to a caller, joined by '&' (Playback's syntax), in the
  -- channel's language (ru): record the company's own message under sounds/ru/dialer/...
  inbound_message text NOT NULL DEFAULT 'im-sorry&pls-try-call-later'
                  CHECK (inbound_message ~ '^[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*(&[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*)*$'),
  created_at      timestamptz NOT NULL DEFAULT now()
);

-- A registered number belongs to one pool: a call back to it must lead to one place.
CREATE TABLE caller_id_number (
  e164        text PRIMARY KEY CHECK (e164 ~ '^\+[1-9][0-9]{6,14}$'),
  pool        text NOT NULL REFERENCES caller_id_pool (name) ON UPDATE CASCADE ON DELETE CASCADE,
  -- The regions it serves, as the numbering plan names them (numbering_range.region); empty:
  -- any region (used by by_region only when no number is tagged with the subscriber's).
  regions     text[] NOT NULL DEFAULT '{}',
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX caller_id_number_pool_idx ON caller_id_number (pool, e164);

-- null: the campaign's caller_id (or its trunk's), as before pools.
ALTER TABLE campaign ADD COLUMN caller_id_pool text REFERENCES caller_id_pool (name) ON UPDATE CASCADE;

-- The number the originate presented as caller ID (a pool's, the trunk's or the campaign's);
-- null for a call never placed (refused) and for attempts recorded before this column.
ALTER TABLE attempt ADD COLUMN caller_id text;

-- Down Migration
ALTER TABLE attempt DROP COLUMN caller_id;
ALTER TABLE campaign DROP COLUMN caller_id_pool;
DROP TABLE caller_id_number;
DROP TABLE caller_id_pool;
