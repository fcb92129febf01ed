-- Sluice PostgreSQL schema, version 7: commands a server has answered 202 and not yet carried out (a stop, a terminate,
-- a step cancel), written before the answer so that recovery carries them out after a crash. Servers that share the
-- database send their commands through the commands table instead; this one serves a server alone on its database.
-- The write that ends a command's target deletes its rows; recovery deletes the rest.
-- target_id: the job (StopJob), the cluster (Terminate) or the step (CancelStep).

CREATE TABLE pending_commands (
    command_id bigserial PRIMARY KEY,
    account_id text NOT NULL,
    cluster_id text NOT NULL,
    kind text NOT NULL,
    target_id text NOT NULL,
    reason_code text,
    reason_message text,
    created_at bigint NOT NULL
);
CREATE INDEX ix_pending_commands_target ON pending_commands (target_id);
