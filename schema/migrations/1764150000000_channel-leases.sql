-- Up Migration

-- Channel limits, global across every worker process (DESIGN.md, "Channel limits are global").
-- A carrier sells a trunk with a fixed number of simultaneous channels: one call over it is
-- rejected (or worse, billed and dropped) by the carrier, so the limit is counted here, in the
-- one place every worker shares, not in each worker's memory.
CREATE TABLE trunk (
  name               text PRIMARY KEY
                     CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$'),  -- may name a metric label
  -- Simultaneous calls the carrier allows on this trunk, over every campaign that uses it.
  max_channels       integer NOT NULL CHECK (max_channels >= 1),
  -- The ARI endpoint a call is originated to, e.g. 'PJSIP/{number}@carrier'.
  endpoint_template  text NOT NULL CHECK (position('{number}' IN endpoint_template) > 0),
  -- The number the carrier registered for this trunk; null = the campaign's caller_id.
  caller_id          text,
  created_at         timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE campaign
  -- Simultaneous calls of this campaign (null = no limit of its own; its trunk's still applies).
  -- Not max_in_flight, which bounds the contact workflows started, most of them asleep.
  ADD COLUMN max_channels integer CHECK (max_channels >= 1),
  -- The trunk its calls go out on; null = the worker's default endpoint, with no trunk limit.
  ADD COLUMN trunk text REFERENCES trunk (name) ON UPDATE CASCADE;

-- One row per channel that holds a slot: taken before the originate, deleted after the hangup,
-- and kept alive by the call activity's heartbeat (graphile/worker's locked_at/locked_by model,
-- with an expiry instead of a separate unlock sweep). A worker that dies mid-call stops
-- renewing; once expires_at passes, the next acquirer for the same campaign or trunk deletes
-- the row and its slot comes back. The row, not a session lock, is the slot: a dead worker's
-- Postgres session can stay open behind a pooler, and its ARI channel can outlive it.
CREATE TABLE channel_lease (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  campaign_id  text NOT NULL REFERENCES campaign (id) ON DELETE CASCADE,
  -- The trunk the call went out on when the slot was taken: it counts against that trunk even
  -- if the campaign is moved to another trunk while the call lasts. A lease of a trunk being
  -- deleted goes with it (a campaign still on the trunk prevents the delete).
  trunk        text REFERENCES trunk (name) ON UPDATE CASCADE ON DELETE CASCADE,
  -- The ARI channel id the workflow chose for the call: a retried acquire finds its slot by it.
  channel_id   text NOT NULL UNIQUE,
  holder       text NOT NULL,          -- the worker identity that places the call and renews
  acquired_at  timestamptz NOT NULL,
  expires_at   timestamptz NOT NULL    -- on the database's clock, never a worker's
);
-- An acquirer counts and sweeps one campaign's and one trunk's leases while it holds their
-- rows locked; both probes must stay index range scans while thousands of calls are up.
CREATE INDEX channel_lease_campaign_idx ON channel_lease (campaign_id, expires_at);
CREATE INDEX channel_lease_trunk_idx ON channel_lease (trunk, expires_at) WHERE trunk IS NOT NULL;

-- Down Migration
DROP TABLE channel_lease;
ALTER TABLE campaign DROP COLUMN trunk, DROP COLUMN max_channels;
DROP TABLE trunk;
