-- Sluice PostgreSQL schema, version 9: Spot groups and idle timeouts.
-- A Spot group's bid (BatchCompute's SpotStrategy/SpotPriceLimit, EMR's BidPrice), shown back as given;
-- a cluster's idle timeout (EMR's AutoTerminationPolicy IdleTimeout); per instance the attempts cut short
-- by a preemption, which do not count against its retries; and the fields of the commands that carry a
-- preemption and an idle-timeout change to the server that runs the cluster.

ALTER TABLE clusters ADD COLUMN idle_timeout_seconds integer;
ALTER TABLE instance_groups ADD COLUMN spot_strategy text;
ALTER TABLE instance_groups ADD COLUMN spot_price_limit double precision;
ALTER TABLE instances ADD COLUMN preemptions integer NOT NULL DEFAULT 0;
ALTER TABLE commands ADD COLUMN node_id text;
ALTER TABLE commands ADD COLUMN notice_seconds integer;
ALTER TABLE commands ADD COLUMN idle_timeout_seconds integer;
