-- Sluice SQLite schema, version 8: Spot groups and idle timeouts.
-- A Spot group's bid (BatchCompute's SpotStrategy/SpotPriceLimit, EMR's BidPrice), shown back as given;
-- a cluster's idle timeout (EMR's AutoTerminationPolicy IdleTimeout); and per instance the attempts cut
-- short by a preemption, which do not count against its retries (so a restart must not forget them).

ALTER TABLE clusters ADD COLUMN idle_timeout_seconds INTEGER;
ALTER TABLE instance_groups ADD COLUMN spot_strategy TEXT;
ALTER TABLE instance_groups ADD COLUMN spot_price_limit REAL;
ALTER TABLE instances ADD COLUMN preemptions INTEGER NOT NULL DEFAULT 0;
