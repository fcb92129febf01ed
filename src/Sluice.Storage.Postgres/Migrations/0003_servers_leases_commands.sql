-- Sluice PostgreSQL schema, version 3: several Sluice servers on one database.
-- Each active cluster is run by one server, which holds a lease on it (owner + expiry, in database
-- time so servers' clocks do not matter); a server renews its leases with every heartbeat and
-- another takes over the clusters whose lease ran out. Requests for a cluster that reach another
-- server travel to its owner as rows of commands, in command_id order, woken by NOTIFY.

CREATE TABLE servers (
    server_id       text COLLATE "C" NOT NULL PRIMARY KEY,
    started_at      timestamptz NOT NULL DEFAULT now(),
    heartbeat_at    timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE clusters ADD COLUMN owner_server_id text COLLATE "C";
ALTER TABLE clusters ADD COLUMN lease_expires_at timestamptz;
CREATE INDEX ix_clusters_owner ON clusters (owner_server_id) WHERE state NOT IN ('Terminated', 'TerminatedWithErrors');

CREATE TABLE commands (
    command_id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    cluster_id              text COLLATE "C" NOT NULL,
    account_id              text    NOT NULL,
    kind                    text    NOT NULL,
    job_id                  text,
    group_id                text,
    count                   integer,
    keep_alive              boolean,
    termination_protected   boolean,
    reason_code             text,
    reason_message          text,
    step_ids                text[],
    created_at              timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ix_commands_cluster ON commands (cluster_id, command_id);
