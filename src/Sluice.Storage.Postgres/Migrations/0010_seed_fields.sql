-- Sluice PostgreSQL schema, version 10 (issue #20, the seeds' fields): a cluster's image (an id of the server's
-- image catalog; NULL: the default image) and its environment, a JSON object of variables every task of the cluster
-- gets (NULL when there are none).

ALTER TABLE clusters ADD COLUMN image_id text;
ALTER TABLE clusters ADD COLUMN environment_json text;
