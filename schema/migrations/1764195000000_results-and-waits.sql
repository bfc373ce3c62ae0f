-- Up Migration

-- Results a page at a time (keyset on id, never OFFSET): attempts of a campaign with one
-- outcome in id order, and the campaign's attempts counted by outcome for the live counters
-- (an index-only scan, not a read of every row's gate proof). A campaign's attempts in id
-- order use attempt_campaign_idx (campaign_id, id); a number's, attempt_e164_idx (e164, id).
CREATE INDEX attempt_campaign_outcome_idx ON attempt (campaign_id, outcome, id);
-- The gate's refusals of a campaign counted by rule (the refusal named in the proof).
CREATE INDEX attempt_campaign_refusal_idx ON attempt (campaign_id, (gate ->> 'refusal')) WHERE outcome = 'refused';

-- What a contact in flight waits for, as its steps last saw it: written by the gate (a
-- refusal with its retry moment, or the calling hours it will sleep until) and by the record
-- step (a retry interval), deleted when the contact finishes. One small row per contact, so
-- "why is nothing dialing?" is a GROUP BY over a campaign's rows, not a query per workflow.
CREATE TABLE contact_wait (
  contact_id   bigint PRIMARY KEY REFERENCES contact (id) ON DELETE CASCADE,
  campaign_id  text NOT NULL REFERENCES campaign (id) ON DELETE CASCADE,
  -- domain/contactWaits.ts holds the same list.
  reason       text NOT NULL CHECK (reason IN ('calling_hours', 'cap', 'paused', 'retry_interval', 'speech_failure')),
  -- The zones of the hours, the cap rules that are full, the outcome retried: never a number.
  detail       text,
  -- When the contact may be called again; null: when something else happens (a resume).
  until        timestamptz,
  since        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX contact_wait_campaign_idx ON contact_wait (campaign_id, reason, detail);

-- A call waiting for a channel slot (adapters/postgres/channelLeases.ts, waitForChannel): one
-- row while it waits, deleted when it gets a slot or gives up. A worker that dies while waiting
-- leaves its row behind: rows not seen for a while are not counted, and are swept.
CREATE TABLE channel_wait (
  channel_id   text PRIMARY KEY,
  campaign_id  text NOT NULL REFERENCES campaign (id) ON DELETE CASCADE,
  reason       text NOT NULL CHECK (reason IN ('campaign_channels_full', 'trunk_channels_full')),
  since        timestamptz NOT NULL DEFAULT now(),
  seen_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX channel_wait_campaign_idx ON channel_wait (campaign_id, seen_at);

-- Down Migration
DROP TABLE channel_wait;
DROP TABLE contact_wait;
DROP INDEX attempt_campaign_refusal_idx;
DROP INDEX attempt_campaign_outcome_idx;
