using System.Text.Json.Serialization;

namespace Sluice.Contracts;

// Wire shapes of steps (the EMR/BMR model), grouped in one file because they only make sense together.

/// <summary>One step to add to a cluster: <c>{"name", "type", "actionOnFailure", "properties", "additionalFiles"}</c>.</summary>
public sealed class StepConfig
{
    /// <summary>The step's name (1-256 characters).</summary>
    public string? Name { get; set; }
    /// <summary><c>Java</c>, <c>Streaming</c>, <c>Hive</c>, <c>Pig</c>, <c>Spark</c> or <c>Command</c>.</summary>
    public string? Type { get; set; }
    /// <summary><c>Continue</c> (default), <c>CancelAndWait</c> or <c>TerminateCluster</c>.</summary>
    public string? ActionOnFailure { get; set; }
    /// <summary>What the step runs; which fields apply depends on <see cref="Type"/>.</summary>
    public StepProperties? Properties { get; set; }
    /// <summary>Files copied into the step's working directory before it starts.</summary>
    public List<StepFile>? AdditionalFiles { get; set; }
}

/// <summary>
/// The properties of a step. Java: jar, mainClass, arguments. Streaming: input, output, mapper, reducer,
/// combiner, numReduceTasks, cacheFiles, cacheArchives, arguments. Hive and Pig: script, arguments, input,
/// output. Spark: jar, mainClass, submitOptions, arguments, jars, pyFiles, files, driverMemory,
/// executorMemory, driverCores, executorCores, numExecutors, configuration. Command: commandLine, arguments.
/// </summary>
public sealed class StepProperties
{
    /// <summary>Java: the jar; Spark: the application jar or .py file. A local path or <c>file://</c> URI.</summary>
    public string? Jar { get; set; }
    /// <summary>Java and Spark: the main class; Java defaults to the jar's <c>Main-Class</c> manifest entry.</summary>
    public string? MainClass { get; set; }
    /// <summary>Arguments: a list, or one string split the way a POSIX shell splits words.</summary>
    [JsonConverter(typeof(ShellWordsListConverter))]
    public List<string>? Arguments { get; set; }
    /// <summary>Streaming, Hive, Pig: the input; Streaming takes one or a list.</summary>
    [JsonConverter(typeof(StringOrListConverter))]
    public List<string>? Input { get; set; }
    /// <summary>Streaming, Hive, Pig: the output directory; must not exist yet.</summary>
    public string? Output { get; set; }
    /// <summary>Streaming: the mapper command.</summary>
    public string? Mapper { get; set; }
    /// <summary>Streaming: the reducer command, <c>aggregate</c>, or <c>NONE</c> for map-only.</summary>
    public string? Reducer { get; set; }
    /// <summary>Streaming: the combiner command or <c>aggregate</c>.</summary>
    public string? Combiner { get; set; }
    /// <summary>Streaming: the reduce task count (0 = map-only).</summary>
    public int? NumReduceTasks { get; set; }
    /// <summary>Streaming: files (<c>path[#name]</c>) linked into each task's working directory.</summary>
    public List<string>? CacheFiles { get; set; }
    /// <summary>Streaming: archives (<c>path[#name]</c>) unpacked and linked into each task's working directory.</summary>
    public List<string>? CacheArchives { get; set; }
    /// <summary>Hive and Pig: the script.</summary>
    public string? Script { get; set; }
    /// <summary>Spark: extra spark-submit options, a list or one string split like a shell.</summary>
    [JsonConverter(typeof(ShellWordsListConverter))]
    public List<string>? SubmitOptions { get; set; }
    /// <summary>Spark: <c>--jars</c>.</summary>
    public List<string>? Jars { get; set; }
    /// <summary>Spark: <c>--py-files</c>.</summary>
    public List<string>? PyFiles { get; set; }
    /// <summary>Spark: <c>--files</c>.</summary>
    public List<string>? Files { get; set; }
    /// <summary>Spark: <c>--driver-memory</c>, e.g. <c>2g</c>.</summary>
    public string? DriverMemory { get; set; }
    /// <summary>Spark: <c>--executor-memory</c>.</summary>
    public string? ExecutorMemory { get; set; }
    /// <summary>Spark: <c>--driver-cores</c>.</summary>
    public int? DriverCores { get; set; }
    /// <summary>Spark: <c>--executor-cores</c>.</summary>
    public int? ExecutorCores { get; set; }
    /// <summary>Spark: <c>--num-executors</c>.</summary>
    public int? NumExecutors { get; set; }
    /// <summary>Spark: <c>--conf key=value</c> pairs.</summary>
    public Dictionary<string, string>? Configuration { get; set; }
    /// <summary>Command: the command line (EMR's command-runner), run through <c>/bin/sh -c</c> when it needs a shell.</summary>
    public string? CommandLine { get; set; }
}

/// <summary>A file copied into a step's working directory.</summary>
public sealed class StepFile
{
    /// <summary>Where the file is: a local path or <c>file://</c> URI.</summary>
    public string? Remote { get; set; }
    /// <summary>Its name in the step's working directory.</summary>
    public string? Local { get; set; }
}

/// <summary>The body of <c>POST /v1/clusters/{id}/steps</c>.</summary>
public sealed class AddStepsRequest
{
    /// <summary>The steps, run in this order after the cluster's earlier steps.</summary>
    public List<StepConfig>? Steps { get; set; }
    /// <summary>Makes the add idempotent: a retry with the same token returns the first steps.</summary>
    public string? ClientToken { get; set; }
}

/// <summary>The answer to an add: the new steps' ids, in order.</summary>
public sealed class AddStepsResponse
{
    public List<string> StepIds { get; set; } = [];
}

/// <summary>A step as the service reports it.</summary>
public sealed class StepInfo
{
    public string Id { get; set; } = "";
    public string ClusterId { get; set; } = "";
    public string Name { get; set; } = "";
    public string Type { get; set; } = "";
    public string ActionOnFailure { get; set; } = "";
    public StepProperties Properties { get; set; } = new();
    public List<StepFile> AdditionalFiles { get; set; } = [];
    /// <summary>Pending, Running, Completed, CancelPending, Cancelled, Failed or Interrupted.</summary>
    public string State { get; set; } = "";
    public StateChangeReason? StateChangeReason { get; set; }
    /// <summary>Why the step failed, with the log file that tells more; only for a failed step.</summary>
    public StepFailureDetails? FailureDetails { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }
}

/// <summary>EMR's FailureDetails.</summary>
public sealed class StepFailureDetails
{
    /// <summary>A stable code: <c>NonZeroExit</c>, <c>LaunchFailed</c>, <c>TaskFailed</c>, <c>NodeLost</c>, ...</summary>
    public string Reason { get; set; } = "";
    public string Message { get; set; } = "";
    /// <summary>The log that explains the failure (a path on the server, readable through the step's logs API).</summary>
    public string? LogFile { get; set; }
}

/// <summary>An application a cluster provides, with an optional version.</summary>
public sealed class ApplicationConfig
{
    /// <summary><c>hadoop</c>, <c>hive</c>, <c>pig</c>, <c>hbase</c>, <c>spark</c>, or another name the server has a launcher for.</summary>
    public string? Name { get; set; }
    /// <summary>The version; optional.</summary>
    public string? Version { get; set; }
}
