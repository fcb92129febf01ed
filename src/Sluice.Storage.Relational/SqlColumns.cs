namespace Sluice.Storage.Relational;

/// <summary>
/// The SELECT lists of the SQL stores: each column aliased to the property of its row type, in the
/// order the SQLite store's positional readers expect. Both schemas use the same column names.
/// </summary>
internal static class SqlColumns
{
    public const string Cluster = """
            cluster_id AS Id, account_id AS AccountId, name AS Name, description AS Description, state AS State,
            reason_code AS ReasonCode, reason_message AS ReasonMessage, keep_alive AS KeepAlive,
            termination_protected AS TerminationProtected, log_uri AS LogUri, backend AS Backend,
            bootstrap_actions_json AS BootstrapActionsJson, tags_json AS TagsJson, owner_job_id AS OwnerJobId,
            has_run_work AS HasRunWork, client_token AS ClientToken, request_hash AS RequestHash,
            created_at AS CreatedAt, ready_at AS ReadyAt, ended_at AS EndedAt, applications_json AS ApplicationsJson,
            step_concurrency_level AS StepConcurrencyLevel, mounts_json AS MountsJson, image_id AS ImageId,
            environment_json AS EnvironmentJson, idle_timeout_seconds AS IdleTimeoutSeconds
            """;

    public const string Group = """
            group_id AS Id, cluster_id AS ClusterId, name AS Name, role AS Role, instance_type AS InstanceType,
            market AS Market, requested_count AS RequestedCount, running_count AS RunningCount, vcpus AS Vcpus,
            memory_mib AS MemoryMiB, spot_strategy AS SpotStrategy, spot_price_limit AS SpotPriceLimit
            """;

    public const string Node = """
            node_id AS Id, cluster_id AS ClusterId, account_id AS AccountId, group_id AS GroupId, role AS Role,
            state AS State, vcpus AS Vcpus, memory_mib AS MemoryMiB, host AS Host, work_directory AS WorkDirectory,
            created_at AS CreatedAt, ended_at AS EndedAt
            """;

    public const string Instance = """
            job_id AS JobId, account_id AS AccountId, task_name AS TaskName, idx AS "Index", state AS State,
            attempts AS Attempts, node_id AS NodeId, host AS Host, exit_code AS ExitCode, error_code AS ErrorCode,
            error_message AS ErrorMessage, started_at AS StartedAt, ended_at AS EndedAt, preemptions AS Preemptions
            """;

    public const string Job = """
            job_id AS Id, account_id AS AccountId, name AS Name, description AS Description, priority AS Priority,
            state AS State, reason_code AS ReasonCode, reason_message AS ReasonMessage,
            job_fail_on_instance_fail AS JobFailOnInstanceFail, cluster_id AS ClusterId, auto_cluster_json AS AutoClusterJson,
            task_count AS TaskCount, client_token AS ClientToken, request_hash AS RequestHash,
            created_at AS CreatedAt, started_at AS StartedAt, ended_at AS EndedAt, mounts_json AS MountsJson
            """;

    public const string Task = """
            job_id AS JobId, account_id AS AccountId, name AS Name, command_line AS CommandLine, env_json AS EnvJson,
            instance_count AS InstanceCount, max_retry_count AS MaxRetryCount, timeout_seconds AS TimeoutSeconds,
            cpu AS Cpu, memory_mib AS MemoryMiB, package_path AS PackagePath, stdout_redirect_path AS StdoutRedirectPath,
            stderr_redirect_path AS StderrRedirectPath, successors_json AS SuccessorsJson, state AS State,
            started_at AS StartedAt, ended_at AS EndedAt
            """;

    public const string Account = "account_id AS Id, name AS Name, created_at AS CreatedAt, is_admin AS IsAdmin, enabled AS Enabled";

    public const string Event = """
            sequence AS Sequence, account_id AS AccountId, kind AS Kind, resource_id AS ResourceId, from_state AS FromState,
            to_state AS ToState, reason_code AS ReasonCode, reason_message AS ReasonMessage, at AS At
            """;

    public const string Step = """
            step_id AS Id, account_id AS AccountId, cluster_id AS ClusterId, name AS Name, type AS Type,
            action_on_failure AS ActionOnFailure, properties_json AS PropertiesJson, additional_files_json AS AdditionalFilesJson,
            state AS State, reason_code AS ReasonCode, reason_message AS ReasonMessage, failure_reason AS FailureReason,
            failure_message AS FailureMessage, failure_log_file AS FailureLogFile, client_token AS ClientToken,
            request_hash AS RequestHash, created_at AS CreatedAt, started_at AS StartedAt, ended_at AS EndedAt
            """;
}
