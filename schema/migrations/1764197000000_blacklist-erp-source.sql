-- Up Migration

-- An entry the ERP sends (its own do-not-call list) says so: 'erp' beside a person's 'manual',
-- a file's 'import', another system's 'api' and the dialer's own 'automatic'.
ALTER TABLE blacklist DROP CONSTRAINT blacklist_source_check,
  ADD CONSTRAINT blacklist_source_check CHECK (source IN ('manual', 'erp', 'import', 'automatic', 'api'));

-- Down Migration
UPDATE blacklist SET source = 'api' WHERE source = 'erp';
ALTER TABLE blacklist DROP CONSTRAINT blacklist_source_check,
  ADD CONSTRAINT blacklist_source_check CHECK (source IN ('manual', 'import', 'automatic', 'api'));
