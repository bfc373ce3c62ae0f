-- Up Migration

-- A subscriber's 603 Decline: the person rejected the call (an attempt that counts, like busy),
-- apart from the carrier's 403, which is the trunk refusing us and no attempt at all
-- (docs/outcomes.md). domain/outcomes.ts holds the same list.
ALTER TYPE call_outcome ADD VALUE IF NOT EXISTS 'declined' AFTER 'busy';

-- A contact whose call found the trunk down waits for it, charged nothing (domain/contactWaits.ts).
ALTER TABLE contact_wait DROP CONSTRAINT contact_wait_reason_check,
  ADD CONSTRAINT contact_wait_reason_check
  CHECK (reason IN ('calling_hours', 'cap', 'paused', 'retry_interval', 'speech_failure', 'trunk_down'));

-- Automatic blacklisting per trunk (adapters/postgres/autoBlacklist.ts, domain/autoBlacklistRule.ts).
-- Some carriers answer 404 or 484 for their own routing faults: which results may blacklist a
-- number, and how many are needed, is the trunk's. Absent keys take the defaults of
-- domain/autoBlacklistRule.ts (one result, any invalid-number cause, the breaker's defaults).
ALTER TABLE trunk ADD COLUMN auto_blacklist jsonb NOT NULL DEFAULT '{}'::jsonb
  CHECK (jsonb_typeof(auto_blacklist) = 'object');

-- Every invalid-number result a trunk gave: the proof a rule of "two results on different days"
-- counts, and what a suspended trunk held back from the blacklist. trunk is the trunk's name, or
-- 'default' for calls on the worker's default endpoint; day is the UTC day of the call's end.
CREATE TABLE trunk_invalid_result (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  trunk       text NOT NULL,
  e164        text NOT NULL,
  day         date NOT NULL,
  sip_code    integer,
  cause       integer,
  attempt_id  bigint NOT NULL REFERENCES attempt (id) ON DELETE CASCADE,
  -- added: it put the number on the blacklist; held: the trunk's breaker was open; counted:
  -- the rule wants more proof (or the cause is not one of the trunk's)
  fate        text NOT NULL CHECK (fate IN ('added', 'held', 'counted')),
  at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX trunk_invalid_result_number_idx ON trunk_invalid_result (trunk, e164, day);
CREATE INDEX trunk_invalid_result_attempt_idx ON trunk_invalid_result (attempt_id);

-- Calls and invalid-number results per trunk and hour: the breaker compares the last hour's
-- rate of invalid results with the trunk's usual rate (the week before).
CREATE TABLE trunk_result_hour (
  trunk    text NOT NULL,
  hour     timestamptz NOT NULL,
  calls    integer NOT NULL DEFAULT 0 CHECK (calls >= 0),
  invalid  integer NOT NULL DEFAULT 0 CHECK (invalid >= 0),
  PRIMARY KEY (trunk, hour)
);

-- Automatic additions per trunk and day, and the ones its breaker held back.
CREATE TABLE trunk_blacklist_day (
  trunk  text NOT NULL,
  day    date NOT NULL,
  added  integer NOT NULL DEFAULT 0 CHECK (added >= 0),
  held   integer NOT NULL DEFAULT 0 CHECK (held >= 0),
  PRIMARY KEY (trunk, day)
);

-- A trunk whose automatic blacklisting is suspended: its rate of invalid results jumped far
-- above its usual rate (a carrier's bad hour, not thousands of dead numbers). One row per trunk
-- that has ever been judged; open = suspended now.
CREATE TABLE trunk_blacklist_breaker (
  trunk       text PRIMARY KEY,
  open        boolean NOT NULL,
  since       timestamptz NOT NULL,
  -- the rates that opened (or closed) it, invalid results per call: the last hour's, and usual
  rate_now    double precision NOT NULL,
  rate_usual  double precision,
  calls_now   integer NOT NULL,
  invalid_now integer NOT NULL
);

-- Down Migration
DROP TABLE trunk_blacklist_breaker;
DROP TABLE trunk_blacklist_day;
DROP TABLE trunk_result_hour;
DROP TABLE trunk_invalid_result;
ALTER TABLE trunk DROP COLUMN auto_blacklist;
UPDATE contact_wait SET reason = 'retry_interval' WHERE reason = 'trunk_down';
ALTER TABLE contact_wait DROP CONSTRAINT contact_wait_reason_check,
  ADD CONSTRAINT contact_wait_reason_check
  CHECK (reason IN ('calling_hours', 'cap', 'paused', 'retry_interval', 'speech_failure'));
-- Postgres cannot drop an enum value: 'declined' stays in call_outcome (unused once down).
