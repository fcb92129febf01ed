-- Sluice PostgreSQL schema, version 1: the same tables as the SQLite store.
-- Timestamps are unix microseconds (bigint, UTC), as in SQLite, so both stores map rows the same way;
-- enums are stored by name. Every table carries account_id and every account-scoped query filters by it.
-- Ids and names sort bytewise (COLLATE "C") whatever the database's locale, because paging compares them.

CREATE TABLE accounts (
    account_id  text COLLATE "C" NOT NULL PRIMARY KEY,
    name        text    NOT NULL,
    created_at  bigint  NOT NULL
);

CREATE TABLE access_keys (
    key_id      text COLLATE "C" NOT NULL PRIMARY KEY,
    account_id  text    NOT NULL,
    secret      text    NOT NULL,
    enabled     boolean NOT NULL,
    created_at  bigint  NOT NULL
);

CREATE TABLE clusters (
    cluster_id              text COLLATE "C" NOT NULL PRIMARY KEY,
    account_id              text COLLATE "C" NOT NULL,
    name                    text    NOT NULL,
    description             text,
    state                   text    NOT NULL,
    reason_code             text,
    reason_message          text,
    keep_alive              boolean NOT NULL,
    termination_protected   boolean NOT NULL,
    log_uri                 text,
    backend                 text    NOT NULL,
    bootstrap_actions_json  text,
    tags_json               text,
    owner_job_id            text,
    has_run_work            boolean NOT NULL,
    client_token            text,
    request_hash            text,
    created_at              bigint  NOT NULL,
    ready_at                bigint,
    ended_at                bigint
);
CREATE INDEX ix_clusters_account ON clusters (account_id, cluster_id);
CREATE UNIQUE INDEX ux_clusters_client_token ON clusters (account_id, client_token) WHERE client_token IS NOT NULL;
-- Recovery and lease claims look for the clusters not yet ended.
CREATE INDEX ix_clusters_active ON clusters (cluster_id) WHERE state NOT IN ('Terminated', 'TerminatedWithErrors');

CREATE TABLE instance_groups (
    cluster_id      text COLLATE "C" NOT NULL,
    group_id        text COLLATE "C" NOT NULL,
    account_id      text    NOT NULL,
    ordinal         integer NOT NULL,
    name            text    NOT NULL,
    role            text    NOT NULL,
    instance_type   text    NOT NULL,
    market          text    NOT NULL,
    requested_count bigint  NOT NULL,
    running_count   bigint  NOT NULL,
    vcpus           bigint  NOT NULL,
    memory_mib      bigint  NOT NULL,
    PRIMARY KEY (cluster_id, group_id)
);

CREATE TABLE nodes (
    node_id         text COLLATE "C" NOT NULL PRIMARY KEY,
    account_id      text    NOT NULL,
    cluster_id      text COLLATE "C" NOT NULL,
    group_id        text    NOT NULL,
    role            text    NOT NULL,
    state           text    NOT NULL,
    vcpus           bigint  NOT NULL,
    memory_mib      bigint  NOT NULL,
    host            text,
    work_directory  text,
    created_at      bigint  NOT NULL,
    ended_at        bigint
);
CREATE INDEX ix_nodes_cluster ON nodes (cluster_id, node_id);

CREATE TABLE jobs (
    job_id                      text COLLATE "C" NOT NULL PRIMARY KEY,
    account_id                  text COLLATE "C" NOT NULL,
    name                        text    NOT NULL,
    description                 text,
    priority                    bigint  NOT NULL,
    state                       text    NOT NULL,
    reason_code                 text,
    reason_message              text,
    job_fail_on_instance_fail   boolean NOT NULL,
    cluster_id                  text COLLATE "C",
    auto_cluster_json           text,
    task_count                  bigint  NOT NULL,
    client_token                text,
    request_hash                text,
    created_at                  bigint  NOT NULL,
    started_at                  bigint,
    ended_at                    bigint
);
CREATE INDEX ix_jobs_account ON jobs (account_id, job_id);
CREATE UNIQUE INDEX ux_jobs_client_token ON jobs (account_id, client_token) WHERE client_token IS NOT NULL;
CREATE INDEX ix_jobs_active ON jobs (cluster_id) WHERE state IN ('Waiting', 'Running');

-- Per-task instance counts by state are kept exact in the same transaction as every instance change,
-- so reading a job's progress reads one row per task, never its instance rows.
CREATE TABLE tasks (
    job_id                  text COLLATE "C" NOT NULL,
    name                    text COLLATE "C" NOT NULL,
    account_id              text    NOT NULL,
    command_line            text    NOT NULL,
    state                   text    NOT NULL,
    instance_count          bigint  NOT NULL,
    max_retry_count         bigint  NOT NULL,
    cpu                     bigint  NOT NULL,
    memory_mib              bigint  NOT NULL,
    timeout_seconds         bigint,
    env_json                text,
    successors_json         text,
    package_path            text,
    stdout_redirect_path    text,
    stderr_redirect_path    text,
    started_at              bigint,
    ended_at                bigint,
    waiting_instances       bigint  NOT NULL DEFAULT 0,
    running_instances       bigint  NOT NULL DEFAULT 0,
    finished_instances      bigint  NOT NULL DEFAULT 0,
    failed_instances        bigint  NOT NULL DEFAULT 0,
    stopped_instances       bigint  NOT NULL DEFAULT 0,
    PRIMARY KEY (job_id, name)
);

CREATE TABLE instances (
    job_id          text COLLATE "C" NOT NULL,
    task_name       text COLLATE "C" NOT NULL,
    idx             bigint  NOT NULL,
    account_id      text    NOT NULL,
    state           text    NOT NULL,
    attempts        bigint  NOT NULL DEFAULT 0,
    node_id         text,
    host            text,
    exit_code       bigint,
    error_code      text,
    error_message   text,
    started_at      bigint,
    ended_at        bigint,
    PRIMARY KEY (job_id, task_name, idx)
);

CREATE TABLE events (
    sequence        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id      text COLLATE "C" NOT NULL,
    kind            text    NOT NULL,
    resource_id     text COLLATE "C" NOT NULL,
    from_state      text,
    to_state        text    NOT NULL,
    reason_code     text,
    reason_message  text,
    at              bigint  NOT NULL
);
CREATE INDEX ix_events_resource ON events (account_id, resource_id, sequence);
CREATE INDEX ix_events_account ON events (account_id, sequence);
