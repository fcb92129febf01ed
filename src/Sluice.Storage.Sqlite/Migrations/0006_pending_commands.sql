-- Sluice SQLite schema, version 6: commands a server has answered 202 and not yet carried out (a stop, a terminate, a
-- step cancel), written before the answer so that recovery carries them out after a crash. The write that ends a
-- command's target (a job ending, a cluster terminating, a step ending) deletes its rows; recovery deletes the rest.
-- target_id: the job (StopJob), the cluster (Terminate) or the step (CancelStep).

CREATE TABLE pending_commands (
    command_id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id TEXT NOT NULL,
    cluster_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    target_id TEXT NOT NULL,
    reason_code TEXT,
    reason_message TEXT,
    created_at INTEGER NOT NULL
);
CREATE INDEX ix_pending_commands_target ON pending_commands (target_id);
