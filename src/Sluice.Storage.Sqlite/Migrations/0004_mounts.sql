-- Sluice SQLite schema, version 4: mounts (BatchCompute's Configs.Mounts) of clusters and jobs, as JSON
-- lists of {Source, Destination, WriteSupport}; NULL when there are none.

ALTER TABLE clusters ADD COLUMN mounts_json TEXT;
ALTER TABLE jobs ADD COLUMN mounts_json TEXT;
