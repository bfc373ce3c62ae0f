-- Up Migration

-- What kind of number the ERP says it is (mobile, home, work, other). Lists read from files
-- give none.
ALTER TABLE contact_phone
  ADD COLUMN kind text CHECK (kind IN ('mobile', 'home', 'work', 'other'));

-- A list import is a job that may run in the background (the API answers with its id at once
-- and is asked for its progress): its state, the rows found already in the campaign, when it
-- last wrote a batch (a job whose process died stops moving), when it ended and why it failed.
ALTER TABLE list_import
  ADD COLUMN state text NOT NULL DEFAULT 'running' CHECK (state IN ('running', 'done', 'failed')),
  ADD COLUMN rows_unchanged integer NOT NULL DEFAULT 0,
  ADD COLUMN error text,
  ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now(),
  ADD COLUMN finished_at timestamptz;
-- Imports before this one ran in the foreground, to their end.
UPDATE list_import SET state = 'done', finished_at = created_at, updated_at = created_at;
CREATE INDEX list_import_campaign_idx ON list_import (campaign_id, id);

-- Down Migration
DROP INDEX list_import_campaign_idx;
ALTER TABLE list_import
  DROP COLUMN finished_at, DROP COLUMN updated_at, DROP COLUMN error, DROP COLUMN rows_unchanged, DROP COLUMN state;
ALTER TABLE contact_phone DROP COLUMN kind;
