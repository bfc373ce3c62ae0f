-- Up Migration

-- The gate looks a number's prefixes up by equality (every prefix of the number at once), so a
-- long list of blocked prefixes costs one index probe, not a scan.
CREATE INDEX blacklist_prefix_idx ON blacklist (prefix) WHERE kind = 'prefix';

-- Down Migration
DROP INDEX blacklist_prefix_idx;
