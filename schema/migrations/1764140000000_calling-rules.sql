-- Up Migration

-- A contact whose campaign schedule has no allowed moment left (its end date passed).
ALTER TYPE contact_state ADD VALUE 'expired';

-- The Russian numbering plan registry (ranges of numbers by operator and region), imported from
-- the regulator's CSV files; the subscriber's time zone comes from the region. Numbers are the
-- 10-digit national significant number as a bigint, so a lookup is one index probe.
CREATE TABLE numbering_range (
  range_from   bigint PRIMARY KEY,
  range_to     bigint NOT NULL CHECK (range_to >= range_from),
  code         integer NOT NULL,        -- АВС/DEF
  operator     text NOT NULL,
  region       text NOT NULL,
  zones        text[] NOT NULL,         -- IANA zones of the region; empty when the region is unknown
  source_file  text NOT NULL,
  imported_at  timestamptz NOT NULL DEFAULT now()
);

-- Non-working days per country, editable: public holidays on weekdays and weekend days that a
-- transfer decree makes working days.
CREATE TABLE calendar_day (
  country  text NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
  day      date NOT NULL,
  kind     text NOT NULL CHECK (kind IN ('holiday', 'working')),
  name     text,
  PRIMARY KEY (country, day)
);

ALTER TABLE campaign
  -- Per day of week, ISO 1 (Monday) .. 7: {"1": ["09:00", "20:00"], "7": null}; a missing day
  -- uses window_start/window_end, null means no calls that day.
  ADD COLUMN weekly_hours jsonb NOT NULL DEFAULT '{}',
  ADD COLUMN start_date date,
  ADD COLUMN end_date date,
  ADD COLUMN calendar_country text NOT NULL DEFAULT 'RU',
  ADD COLUMN legal_policy text NOT NULL DEFAULT 'none' CHECK (legal_policy IN ('none', 'ru_230fz')),
  -- Overrides of the policy's explicit choices: {"period": "calendar"|"rolling", "countUnanswered": bool}.
  ADD COLUMN policy_options jsonb NOT NULL DEFAULT '{}',
  -- The campaign's own caps (null = none); the policy's caps apply on top, the lower one wins.
  ADD COLUMN caps jsonb NOT NULL DEFAULT '{}',
  ADD COLUMN ignored_blacklist_groups text[] NOT NULL DEFAULT '{}',
  -- A number unreachable (no answer / failed) this many times in a row goes to the blacklist.
  ADD COLUMN blacklist_after_unreachable integer CHECK (blacklist_after_unreachable >= 1),
  ADD CHECK (end_date IS NULL OR start_date IS NULL OR start_date <= end_date);

-- The person behind a contact (the ERP's debtor id, when it gives one): caps count per person
-- across campaigns, and a contact without one is its own person.
ALTER TABLE contact
  ADD COLUMN person_id text CHECK (person_id <> ''),
  ADD COLUMN person_key text GENERATED ALWAYS AS (coalesce(person_id, 'contact:' || campaign_id || '/' || external_id)) STORED;
CREATE INDEX contact_person_key_idx ON contact (person_key);

-- Blacklist entries: an exact number, a prefix, or a range, in a named group.
ALTER TABLE blacklist
  ALTER COLUMN e164 DROP NOT NULL,
  ADD COLUMN kind text NOT NULL DEFAULT 'exact' CHECK (kind IN ('exact', 'prefix', 'range')),
  ADD COLUMN prefix text CHECK (prefix ~ '^\+[1-9][0-9]{0,14}$'),
  ADD COLUMN range_from bigint,
  ADD COLUMN range_to bigint,
  ADD COLUMN group_name text NOT NULL DEFAULT 'default',
  ADD CHECK (
    (kind = 'exact' AND e164 IS NOT NULL AND prefix IS NULL AND range_from IS NULL) OR
    (kind = 'prefix' AND prefix IS NOT NULL AND e164 IS NULL AND range_from IS NULL) OR
    (kind = 'range' AND range_from IS NOT NULL AND range_to >= range_from AND e164 IS NULL AND prefix IS NULL));
CREATE INDEX blacklist_range_idx ON blacklist (range_from) WHERE kind = 'range';

-- One row per call the gate let through, written in the same transaction that counted the
-- caps, before the originate. A reservation whose call never happened (the worker died
-- between the reservation and the originate) keeps counting: for a regulated caller a slot
-- lost is better than a call too many.
CREATE TABLE call_reservation (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  channel_id   text NOT NULL UNIQUE,      -- the call it is for: a retried check reserves once
  person_key   text NOT NULL,
  e164         text NOT NULL,
  campaign_id  text NOT NULL REFERENCES campaign (id),
  contact_id   bigint NOT NULL REFERENCES contact (id),
  kind         text NOT NULL CHECK (kind IN ('conversation', 'message')),
  reserved_at  timestamptz NOT NULL DEFAULT now(),
  local_date   date NOT NULL,             -- the subscriber's calendar day when reserved
  state        text NOT NULL DEFAULT 'reserved' CHECK (state IN ('reserved', 'counted', 'released')),
  attempt_id   bigint REFERENCES attempt (id)
);
CREATE INDEX call_reservation_person_idx ON call_reservation (person_key, local_date) WHERE state <> 'released';
CREATE INDEX call_reservation_number_idx ON call_reservation (e164, local_date) WHERE state <> 'released';
CREATE INDEX call_reservation_person_time_idx ON call_reservation (person_key, reserved_at) WHERE state <> 'released';
CREATE INDEX call_reservation_number_time_idx ON call_reservation (e164, reserved_at) WHERE state <> 'released';

ALTER TABLE attempt ADD COLUMN time_zones text[];
CREATE INDEX attempt_e164_idx ON attempt (e164, id);

-- Down Migration
-- (Postgres cannot drop an enum value: contact_state keeps 'expired'.)
DROP INDEX attempt_e164_idx;
ALTER TABLE attempt DROP COLUMN time_zones;
DROP TABLE call_reservation;
DROP INDEX blacklist_range_idx;
DELETE FROM blacklist WHERE kind <> 'exact';
ALTER TABLE blacklist DROP COLUMN group_name, DROP COLUMN range_to, DROP COLUMN range_from,
  DROP COLUMN prefix, DROP COLUMN kind, ALTER COLUMN e164 SET NOT NULL;
DROP INDEX contact_person_key_idx;
ALTER TABLE contact DROP COLUMN person_key, DROP COLUMN person_id;
ALTER TABLE campaign DROP COLUMN blacklist_after_unreachable, DROP COLUMN ignored_blacklist_groups,
  DROP COLUMN caps, DROP COLUMN policy_options, DROP COLUMN legal_policy, DROP COLUMN calendar_country,
  DROP COLUMN end_date, DROP COLUMN start_date, DROP COLUMN weekly_hours;
DROP TABLE calendar_day;
DROP TABLE numbering_range;
