-- Up Migration

-- A subscriber who hangs up before the end of the message was reached only if they listened at
-- least this long (seconds); null: only a message heard to the end counts.
ALTER TABLE campaign ADD COLUMN min_listen_seconds integer CHECK (min_listen_seconds >= 1);

-- Down Migration
ALTER TABLE campaign DROP COLUMN min_listen_seconds;
