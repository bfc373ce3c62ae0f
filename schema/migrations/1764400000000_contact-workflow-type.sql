-- Up Migration

-- The contact workflow type the campaign feed starts for each of the campaign's contacts: the
-- product's contactWorkflow, or a strategy workflow registered in
-- domain/strategies/workflowTypes.ts (the settings schema checks the name; workers must know
-- it before a campaign names it). Every campaign there is keeps contactWorkflow.
ALTER TABLE campaign ADD COLUMN workflow_type text NOT NULL DEFAULT 'contactWorkflow'
  CHECK (workflow_type ~ '^[A-Za-z][A-Za-z0-9]{0,62}$');

-- Down Migration
ALTER TABLE campaign DROP COLUMN workflow_type;
