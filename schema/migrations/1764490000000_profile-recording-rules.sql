-- Up Migration

-- The campaign's purpose decides what is recorded and for how long (its rule profile: MoJ
-- order No. 134 of 2024-05-06 keeps a debt collector's conversations at least 3 years): an
-- answered call is recorded when the profile says so or the campaign asks (recordCalls), and
-- a recording is kept for the profile's recording_retention_days. The campaign's own
-- retention column, added with recordings before profiles existed, would be a second answer
-- to the same question: it goes.
ALTER TABLE campaign DROP COLUMN recording_retention_days;

-- Down Migration
ALTER TABLE campaign ADD COLUMN recording_retention_days integer NOT NULL DEFAULT 1096 CHECK (recording_retention_days > 0);
