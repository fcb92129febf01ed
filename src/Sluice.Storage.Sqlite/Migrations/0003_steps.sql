-- Sluice SQLite schema, version 3: steps on clusters (the EMR/BMR model) and the cluster's applications.

ALTER TABLE clusters ADD COLUMN applications_json TEXT;
ALTER TABLE clusters ADD COLUMN step_concurrency_level INTEGER NOT NULL DEFAULT 1;

-- Step ids are time-ordered, so (cluster_id, step_id) order is submission order: the scheduler runs
-- them in it and the API lists them newest first by walking it backwards.
CREATE TABLE steps (
    step_id                 TEXT    NOT NULL PRIMARY KEY,
    account_id              TEXT    NOT NULL,
    cluster_id              TEXT    NOT NULL,
    name                    TEXT    NOT NULL,
    type                    TEXT    NOT NULL,
    action_on_failure       TEXT    NOT NULL,
    properties_json         TEXT    NOT NULL,
    additional_files_json   TEXT,
    state                   TEXT    NOT NULL,
    reason_code             TEXT,
    reason_message          TEXT,
    failure_reason          TEXT,
    failure_message         TEXT,
    failure_log_file        TEXT,
    client_token            TEXT,
    request_hash            TEXT,
    created_at              INTEGER NOT NULL,
    started_at              INTEGER,
    ended_at                INTEGER
);
CREATE INDEX ix_steps_cluster ON steps (account_id, cluster_id, step_id);
CREATE INDEX ix_steps_client_token ON steps (account_id, cluster_id, client_token) WHERE client_token IS NOT NULL;
-- Recovery and the active-step limit read the steps not yet ended.
CREATE INDEX ix_steps_active ON steps (state, cluster_id) WHERE state IN ('Pending', 'Running', 'CancelPending');
