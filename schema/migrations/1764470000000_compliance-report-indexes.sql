-- Up Migration

-- The compliance report (adapters/postgres/complianceReport.ts) reads a period's attempts: of one
-- campaign by (campaign_id, started_at), a range scan instead of every attempt the campaign ever
-- made; of every campaign by a BRIN index on started_at, which costs next to nothing to keep up
-- because attempts are written in roughly the order their calls started. A person's calls across
-- campaigns come from contact_person_key_idx and attempt_contact_idx, which exist.
CREATE INDEX attempt_campaign_started_idx ON attempt (campaign_id, started_at);
CREATE INDEX attempt_started_brin ON attempt USING brin (started_at);

-- Down Migration
DROP INDEX attempt_started_brin;
DROP INDEX attempt_campaign_started_idx;
