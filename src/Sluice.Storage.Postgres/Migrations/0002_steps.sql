-- Sluice PostgreSQL schema, version 2: steps on clusters (the EMR/BMR model) and the cluster's applications,
-- the same columns as SQLite's version 3.

ALTER TABLE clusters ADD COLUMN applications_json text;
ALTER TABLE clusters ADD COLUMN step_concurrency_level bigint NOT NULL DEFAULT 1;

-- Step ids are time-ordered, so (cluster_id, step_id) order is submission order: the scheduler runs
-- them in it and the API lists them newest first by walking it backwards.
CREATE TABLE steps (
    step_id                 text COLLATE "C" NOT NULL PRIMARY KEY,
    account_id              text COLLATE "C" NOT NULL,
    cluster_id              text COLLATE "C" NOT NULL,
    name                    text    NOT NULL,
    type                    text    NOT NULL,
    action_on_failure       text    NOT NULL,
    properties_json         text    NOT NULL,
    additional_files_json   text,
    state                   text    NOT NULL,
    reason_code             text,
    reason_message          text,
    failure_reason          text,
    failure_message         text,
    failure_log_file        text,
    client_token            text,
    request_hash            text,
    created_at              bigint  NOT NULL,
    started_at              bigint,
    ended_at                bigint
);
CREATE INDEX ix_steps_cluster ON steps (account_id, cluster_id, step_id);
CREATE INDEX ix_steps_client_token ON steps (account_id, cluster_id, client_token) WHERE client_token IS NOT NULL;
CREATE INDEX ix_steps_active ON steps (cluster_id, step_id) WHERE state IN ('Pending', 'Running', 'CancelPending');
