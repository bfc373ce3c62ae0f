-- Up Migration

-- The strategy the contact workflow decides with (domain/strategies/registry.ts): a registered
-- name and version and its parameters, checked by the settings schema. Every campaign there
-- is keeps simple v1, which reads max_attempts_per_number, retry_interval_seconds and machine_action.
ALTER TABLE campaign ADD COLUMN strategy jsonb NOT NULL
  DEFAULT '{"name": "simple", "version": 1, "params": {}}'::jsonb
  CHECK (jsonb_typeof(strategy) = 'object' AND strategy ? 'name' AND strategy ? 'version' AND jsonb_typeof(strategy -> 'params') = 'object');

-- Down Migration
ALTER TABLE campaign DROP COLUMN strategy;
