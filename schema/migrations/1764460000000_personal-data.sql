-- Up Migration

-- Deleting a contact's personal data (docs/personalData.md) keeps the anonymous rows the
-- campaign's counts and reports are made of: the contact row (its state, outcome and attempts
-- count, without name or ids), every attempt (outcome, times, hour, campaign, gate proof)
-- without its number and text, the caps' reservations and the trunk's invalid results
-- without their number. So those number columns may now be empty, and only there.
ALTER TABLE attempt ALTER COLUMN e164 DROP NOT NULL;
ALTER TABLE call_reservation ALTER COLUMN e164 DROP NOT NULL;
ALTER TABLE trunk_invalid_result ALTER COLUMN e164 DROP NOT NULL;

-- When the contact's personal data was deleted: the deletion skips it from then on (a job that
-- runs again, or the retention schedule, finds nothing left to do), and nothing may dial it.
ALTER TABLE contact ADD COLUMN personal_data_deleted_at timestamptz;
-- What is still to delete, in id order: the deletion's batches and the retention's scan.
CREATE INDEX contact_personal_data_idx ON contact (campaign_id, id) WHERE personal_data_deleted_at IS NULL;

-- How long after the campaign finished its contacts' personal data is kept before the
-- retention schedule deletes it (the personalDataRetentionDays setting; null: until deleted
-- by request).
ALTER TABLE campaign ADD COLUMN personal_data_retention_days integer
  CHECK (personal_data_retention_days BETWEEN 1 AND 36600);

-- Down Migration
ALTER TABLE campaign DROP COLUMN personal_data_retention_days;
DROP INDEX contact_personal_data_idx;
ALTER TABLE contact DROP COLUMN personal_data_deleted_at;
-- Rows whose number was deleted cannot take a number back: they go with the constraint.
DELETE FROM trunk_invalid_result WHERE e164 IS NULL;
ALTER TABLE trunk_invalid_result ALTER COLUMN e164 SET NOT NULL;
DELETE FROM call_reservation WHERE e164 IS NULL;
ALTER TABLE call_reservation ALTER COLUMN e164 SET NOT NULL;
UPDATE attempt SET e164 = '' WHERE e164 IS NULL;
ALTER TABLE attempt ALTER COLUMN e164 SET NOT NULL;
