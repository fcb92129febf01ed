-- Sluice SQLite schema, version 1.
-- Timestamps are unix microseconds (INTEGER, UTC); enums are stored by name.
-- Every table carries account_id and every account-scoped query filters by it.

CREATE TABLE accounts (
    account_id  TEXT    NOT NULL PRIMARY KEY,
    name        TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);

CREATE TABLE access_keys (
    key_id      TEXT    NOT NULL PRIMARY KEY,
    account_id  TEXT    NOT NULL,
    secret      TEXT    NOT NULL,
    enabled     INTEGER NOT NULL,
    created_at  INTEGER NOT NULL
);

CREATE TABLE clusters (
    cluster_id              TEXT    NOT NULL PRIMARY KEY,
    account_id              TEXT    NOT NULL,
    name                    TEXT    NOT NULL,
    description             TEXT,
    state                   TEXT    NOT NULL,
    reason_code             TEXT,
    reason_message          TEXT,
    keep_alive              INTEGER NOT NULL,
    termination_protected   INTEGER NOT NULL,
    log_uri                 TEXT,
    backend                 TEXT    NOT NULL,
    bootstrap_actions_json  TEXT,
    tags_json               TEXT,
    owner_job_id            TEXT,
    has_run_work            INTEGER NOT NULL,
    client_token            TEXT,
    request_hash            TEXT,
    created_at              INTEGER NOT NULL,
    ready_at                INTEGER,
    ended_at                INTEGER
);
CREATE INDEX ix_clusters_account ON clusters (account_id, cluster_id);
CREATE UNIQUE INDEX ux_clusters_client_token ON clusters (account_id, client_token) WHERE client_token IS NOT NULL;
-- Recovery lists the clusters not yet ended across accounts.
CREATE INDEX ix_clusters_state ON clusters (state);

CREATE TABLE instance_groups (
    cluster_id      TEXT    NOT NULL,
    group_id        TEXT    NOT NULL,
    account_id      TEXT    NOT NULL,
    ordinal         INTEGER NOT NULL,
    name            TEXT    NOT NULL,
    role            TEXT    NOT NULL,
    instance_type   TEXT    NOT NULL,
    market          TEXT    NOT NULL,
    requested_count INTEGER NOT NULL,
    running_count   INTEGER NOT NULL,
    vcpus           INTEGER NOT NULL,
    memory_mib      INTEGER NOT NULL,
    PRIMARY KEY (cluster_id, group_id)
) WITHOUT ROWID;

CREATE TABLE nodes (
    node_id         TEXT    NOT NULL PRIMARY KEY,
    account_id      TEXT    NOT NULL,
    cluster_id      TEXT    NOT NULL,
    group_id        TEXT    NOT NULL,
    role            TEXT    NOT NULL,
    state           TEXT    NOT NULL,
    vcpus           INTEGER NOT NULL,
    memory_mib      INTEGER NOT NULL,
    host            TEXT,
    work_directory  TEXT,
    created_at      INTEGER NOT NULL,
    ended_at        INTEGER
);
CREATE INDEX ix_nodes_cluster ON nodes (cluster_id, node_id);

CREATE TABLE jobs (
    job_id                      TEXT    NOT NULL PRIMARY KEY,
    account_id                  TEXT    NOT NULL,
    name                        TEXT    NOT NULL,
    description                 TEXT,
    priority                    INTEGER NOT NULL,
    state                       TEXT    NOT NULL,
    reason_code                 TEXT,
    reason_message              TEXT,
    job_fail_on_instance_fail   INTEGER NOT NULL,
    cluster_id                  TEXT,
    auto_cluster_json           TEXT,
    task_count                  INTEGER NOT NULL,
    client_token                TEXT,
    request_hash                TEXT,
    created_at                  INTEGER NOT NULL,
    started_at                  INTEGER,
    ended_at                    INTEGER
);
CREATE INDEX ix_jobs_account ON jobs (account_id, job_id);
CREATE UNIQUE INDEX ux_jobs_client_token ON jobs (account_id, client_token) WHERE client_token IS NOT NULL;
CREATE INDEX ix_jobs_state ON jobs (state);

-- Keyed by (job_id, name) without a rowid so a 100,000-task job is one b-tree, not a table plus an index.
CREATE TABLE tasks (
    job_id                  TEXT    NOT NULL,
    name                    TEXT    NOT NULL,
    account_id              TEXT    NOT NULL,
    command_line            TEXT    NOT NULL,
    state                   TEXT    NOT NULL,
    instance_count          INTEGER NOT NULL,
    max_retry_count         INTEGER NOT NULL,
    cpu                     INTEGER NOT NULL,
    memory_mib              INTEGER NOT NULL,
    timeout_seconds         INTEGER,
    env_json                TEXT,
    successors_json         TEXT,
    package_path            TEXT,
    stdout_redirect_path    TEXT,
    stderr_redirect_path    TEXT,
    started_at              INTEGER,
    ended_at                INTEGER,
    PRIMARY KEY (job_id, name)
) WITHOUT ROWID;

-- The largest table: one row per queued instance. Nullable columns come last so a Waiting row
-- costs one header byte for each of them and nothing in the body.
CREATE TABLE instances (
    job_id          TEXT    NOT NULL,
    task_name       TEXT    NOT NULL,
    idx             INTEGER NOT NULL,
    account_id      TEXT    NOT NULL,
    state           TEXT    NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    node_id         TEXT,
    host            TEXT,
    exit_code       INTEGER,
    error_code      TEXT,
    error_message   TEXT,
    started_at      INTEGER,
    ended_at        INTEGER,
    PRIMARY KEY (job_id, task_name, idx)
) WITHOUT ROWID;

CREATE TABLE events (
    sequence        INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    account_id      TEXT    NOT NULL,
    kind            TEXT    NOT NULL,
    resource_id     TEXT    NOT NULL,
    from_state      TEXT,
    to_state        TEXT    NOT NULL,
    reason_code     TEXT,
    reason_message  TEXT,
    at              INTEGER NOT NULL
);
CREATE INDEX ix_events_resource ON events (account_id, resource_id, sequence);
CREATE INDEX ix_events_account ON events (account_id, sequence);
