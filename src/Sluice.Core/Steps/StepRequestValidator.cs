using System.IO.Compression;
using Sluice.Contracts;
using Sluice.Core.Model;
using Sluice.Core.ObjectStorage;
using Sluice.Streaming;

namespace Sluice.Core.Steps;

/// <summary>
/// Turns the <see cref="StepConfig"/>s of one add request into Pending <see cref="Step"/>s of a cluster, or rejects
/// the whole request: unknown type, missing jar/script/mapper, an input that does not exist, an output that
/// already exists, an application the cluster lacks, an action the concurrency level does not allow.
/// </summary>
public sealed class StepRequestValidator(ApplicationCatalog applications, IStepFileResolver files, BucketOwnership buckets, IIdGenerator ids, TimeProvider time)
{
    /// <summary>At most this many active (Pending, Running, CancelPending) steps per cluster, as in EMR.</summary>
    public const int MaxActiveSteps = 256;

    /// <summary>The largest step concurrency level, as in EMR.</summary>
    public const int MaxStepConcurrency = 256;

    /// <param name="accountId">The owner.</param>
    /// <param name="cluster">The cluster the steps go to (may not be stored yet, for steps given at cluster creation).</param>
    /// <param name="configs">The steps of the request, in order.</param>
    /// <param name="field">The request field holding the steps, for messages.</param>
    /// <param name="activeSteps">The cluster's Pending and Running steps: their outputs count as inputs that will exist.</param>
    /// <param name="clientToken">The request's client token.</param>
    /// <param name="requestHash">The request's hash.</param>
    /// <param name="cancellationToken">Cancels the existence checks of object URIs.</param>
    public async Task<IReadOnlyList<Step>> ValidateAsync(string accountId, Cluster cluster, IReadOnlyList<StepConfig>? configs, string field,
        IReadOnlyList<Step> activeSteps, string? clientToken, string? requestHash, CancellationToken cancellationToken)
    {
        if (configs is null || configs.Count == 0)
        {
            throw new ServiceException(ErrorCodes.MissingParameter, $"{field} is required: give at least one step, e.g. {{\"name\": \"hello\", \"type\": \"Command\", \"properties\": {{\"commandLine\": \"echo hello\"}}}}");
        }
        if (activeSteps.Count + configs.Count > MaxActiveSteps)
        {
            throw new ServiceException(ErrorCodes.StepLimitExceeded,
                $"cluster {cluster.Id} has {activeSteps.Count} active step(s); adding {configs.Count} would exceed the limit of {MaxActiveSteps} active steps per cluster. Wait for steps to end or cancel some");
        }
        // Before the existence checks below: whether another account's object exists is not for this account to learn. An
        // unowned bucket is claimed only once every check has passed, so a refused request claims nothing.
        var uses = configs.SelectMany((c, i) => BucketUses.Of(c?.Properties, c?.AdditionalFiles, $"{field}[{i}]")).ToList();
        await buckets.AuthorizeAsync(accountId, uses, cancellationToken, claim: false).ConfigureAwait(false);
        var outputs = new List<string>();
        foreach (var active in activeSteps)
        {
            if (OutputOf(active.Properties) is { } output)
            {
                outputs.Add(Normalize(output, "output"));
            }
        }
        var now = time.GetUtcNow();
        var steps = new List<Step>(configs.Count);
        for (var i = 0; i < configs.Count; i++)
        {
            var at = $"{field}[{i}]";
            var config = configs[i] ?? throw new ServiceException(ErrorCodes.InvalidParameter, $"{at} is null");
            var type = Validation.ParseEnum<StepType>(config.Type, $"{at}.type");
            var action = Validation.ParseEnum(config.ActionOnFailure, $"{at}.actionOnFailure", (ActionOnFailure?)ActionOnFailure.Continue);
            if (action != ActionOnFailure.Continue && cluster.StepConcurrencyLevel > 1)
            {
                throw new ServiceException(ErrorCodes.InvalidParameter,
                    $"{at}.actionOnFailure is {action}, which is not allowed on cluster {cluster.Id} because its stepConcurrencyLevel is {cluster.StepConcurrencyLevel} (> 1); use Continue, as EMR requires");
            }
            var properties = config.Properties ?? new StepProperties();
            await CheckPropertiesAsync(cluster, type, properties, $"{at}.properties", outputs, cancellationToken).ConfigureAwait(false);
            var additional = config.AdditionalFiles ?? [];
            for (var f = 0; f < additional.Count; f++)
            {
                var file = additional[f];
                var fileAt = $"{at}.additionalFiles[{f}]";
                var remote = Validation.RequireName(file?.Remote, $"{fileAt}.remote");
                var local = Validation.RequireName(file!.Local, $"{fileAt}.local");
                if (local.Contains('/', StringComparison.Ordinal) || local is "." or "..")
                {
                    throw new ServiceException(ErrorCodes.InvalidParameter, $"{fileAt}.local '{local}' must be a plain file name (no '/'): the file is copied into the step's working directory");
                }
                await RequireExistingAsync(remote, $"{fileAt}.remote", cancellationToken).ConfigureAwait(false);
            }
            steps.Add(new Step
            {
                Id = ids.NewId("s"),
                AccountId = accountId,
                ClusterId = cluster.Id,
                Name = Validation.RequireName(config.Name, $"{at}.name"),
                Type = type,
                ActionOnFailure = action,
                Properties = properties,
                AdditionalFiles = [.. additional],
                State = StepState.Pending,
                ClientToken = clientToken,
                RequestHash = requestHash,
                CreatedAt = now,
            });
        }
        await buckets.AuthorizeAsync(accountId, uses, cancellationToken).ConfigureAwait(false);
        return steps;
    }

    /// <summary>The output a step writes (Streaming, Hive, Pig), or null.</summary>
    public static string? OutputOf(StepProperties properties) => string.IsNullOrEmpty(properties.Output) ? null : properties.Output;

    private async Task CheckPropertiesAsync(Cluster cluster, StepType type, StepProperties p, string at, List<string> outputs, CancellationToken cancellationToken)
    {
        switch (type)
        {
            case StepType.Command:
                Validation.MaxLength(Require(p.CommandLine, $"{at}.commandLine", "the command to run, e.g. \"echo hello\""), $"{at}.commandLine", Limits.CommandLineLength);
                break;
            case StepType.Java:
                var jar = await RequireExistingAsync(Require(p.Jar, $"{at}.jar", "the jar to run"), $"{at}.jar", cancellationToken).ConfigureAwait(false);
                // An object jar's manifest is read when it is fetched, before launch; java reports a missing Main-Class then.
                if (string.IsNullOrEmpty(p.MainClass) && applications.ForCluster(cluster, "hadoop") is null
                    && !ObjectStepFileResolver.IsObjectUri(p.Jar) && ManifestMainClass(jar) is null)
                {
                    throw new ServiceException(ErrorCodes.MissingParameter,
                        $"{at}.mainClass is required: {p.Jar} has no Main-Class entry in its manifest");
                }
                break;
            case StepType.Streaming:
                await CheckStreamingAsync(p, at, outputs, cancellationToken).ConfigureAwait(false);
                break;
            case StepType.Hive:
            case StepType.Pig:
                RequireApplication(cluster, type.ToString().ToLowerInvariant(), type, at);
                await RequireExistingAsync(Require(p.Script, $"{at}.script", "the script to run"), $"{at}.script", cancellationToken).ConfigureAwait(false);
                foreach (var input in p.Input ?? [])
                {
                    await CheckInputAsync(input, $"{at}.input", outputs, cancellationToken).ConfigureAwait(false);
                }
                if (OutputOf(p) is { } output)
                {
                    await CheckOutputAsync(output, $"{at}.output", outputs, cancellationToken).ConfigureAwait(false);
                }
                break;
            case StepType.Spark:
                RequireApplication(cluster, "spark", type, at);
                await RequireExistingAsync(Require(p.Jar, $"{at}.jar", "the application jar or .py file"), $"{at}.jar", cancellationToken).ConfigureAwait(false);
                break;
        }
    }

    private async Task CheckStreamingAsync(StepProperties p, string at, List<string> outputs, CancellationToken cancellationToken)
    {
        if (p.Input is null || p.Input.Count == 0)
        {
            throw new ServiceException(ErrorCodes.MissingParameter, $"{at}.input is required: the input file or directory (or a list of them)");
        }
        var output = Require(p.Output, $"{at}.output", "the output directory, which must not exist yet");
        Require(p.Mapper, $"{at}.mapper", "the mapper command, e.g. \"cat\"");
        if (p.NumReduceTasks is { } reducers)
        {
            Validation.Range(reducers, $"{at}.numReduceTasks", 0, 10_000);
        }
        try
        {
            StreamingArguments.Parse(StreamingArgv(p, u => u, u => u));
        }
        catch (StreamingUsageException e)
        {
            throw new ServiceException(ErrorCodes.InvalidParameter, $"{at}: {e.Message}");
        }
        // Object-URI cache files and archives are fetched when the step starts: a missing one is refused now.
        foreach (var (entry, field) in (p.CacheFiles ?? []).Select(c => (c, "cacheFiles")).Concat((p.CacheArchives ?? []).Select(c => (c, "cacheArchives"))))
        {
            var hash = entry.LastIndexOf('#');
            var uri = hash >= 0 ? entry[..hash] : entry;
            if (ObjectStepFileResolver.IsObjectUri(uri))
            {
                await RequireExistingAsync(uri, $"{at}.{field}", cancellationToken).ConfigureAwait(false);
            }
        }
        foreach (var input in p.Input)
        {
            await CheckInputAsync(input, $"{at}.input", outputs, cancellationToken).ConfigureAwait(false);
        }
        await CheckOutputAsync(output, $"{at}.output", outputs, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The hadoop-streaming command line of a streaming step: generic options (arguments) first, like Hadoop's.</summary>
    /// <param name="p">The step's properties.</param>
    /// <param name="path">Maps an input or output URI to the path the tasks use.</param>
    /// <param name="cachePath">Maps a cache file or archive (<c>uri[#name]</c>) likewise.</param>
    public static List<string> StreamingArgv(StepProperties p, Func<string, string> path, Func<string, string> cachePath)
    {
        var argv = new List<string>(p.Arguments ?? []);
        foreach (var input in p.Input ?? [])
        {
            argv.AddRange(["-input", path(input)]);
        }
        argv.AddRange(["-output", path(p.Output ?? ""), "-mapper", p.Mapper ?? ""]);
        if (!string.IsNullOrEmpty(p.Reducer))
        {
            argv.AddRange(["-reducer", p.Reducer]);
        }
        if (!string.IsNullOrEmpty(p.Combiner))
        {
            argv.AddRange(["-combiner", p.Combiner]);
        }
        if (p.NumReduceTasks is { } reducers)
        {
            argv.AddRange(["-numReduceTasks", reducers.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }
        if (p.CacheFiles is { Count: > 0 } cacheFiles)
        {
            argv.AddRange(["-files", string.Join(',', cacheFiles.Select(cachePath))]);
        }
        if (p.CacheArchives is { Count: > 0 } archives)
        {
            argv.AddRange(["-archives", string.Join(',', archives.Select(cachePath))]);
        }
        return argv;
    }

    private void RequireApplication(Cluster cluster, string application, StepType type, string at)
    {
        if (applications.ForCluster(cluster, application) is null)
        {
            throw new ServiceException(ErrorCodes.ApplicationNotInstalled,
                $"{at}: a {type} step needs the application '{application}', which cluster {cluster.Id} was not created with " +
                $"(its applications: {(cluster.Applications.Count == 0 ? "none" : string.Join(", ", cluster.Applications.Select(a => a.Name)))}); " +
                $"create a cluster with --application {application}");
        }
    }

    private static string Require(string? value, string field, string what) =>
        string.IsNullOrWhiteSpace(value) ? throw new ServiceException(ErrorCodes.MissingParameter, $"{field} is required: {what}") : value;

    private async Task<string> RequireExistingAsync(string uri, string field, CancellationToken cancellationToken)
    {
        var path = files.ToLocalPath(uri, field);
        return await files.ExistsAsync(uri, field, cancellationToken).ConfigureAwait(false)
            ? path
            : throw new ServiceException(ErrorCodes.InputNotFound, $"{field} '{uri}' does not exist");
    }

    private async Task CheckInputAsync(string input, string field, List<string> outputs, CancellationToken cancellationToken)
    {
        var path = Normalize(input, field);
        // An input that an earlier step of the cluster writes will exist by the time this step runs.
        if (outputs.Any(o => path == o || path.StartsWith(o + "/", StringComparison.Ordinal)) || await files.ExistsAsync(input, field, cancellationToken).ConfigureAwait(false))
        {
            return;
        }
        throw new ServiceException(ErrorCodes.InputNotFound, $"{field} '{input}' does not exist, and no earlier step of the cluster writes it");
    }

    private async Task CheckOutputAsync(string output, string field, List<string> outputs, CancellationToken cancellationToken)
    {
        var path = Normalize(output, field);
        if (await files.ExistsAsync(output, field, cancellationToken).ConfigureAwait(false))
        {
            throw new ServiceException(ErrorCodes.OutputAlreadyExists, $"{field} '{output}' already exists; remove it or choose another output");
        }
        if (outputs.Contains(path))
        {
            throw new ServiceException(ErrorCodes.OutputAlreadyExists, $"{field} '{output}' is already the output of an earlier step of the cluster; choose another output");
        }
        outputs.Add(path);
    }

    private string Normalize(string uri, string field) => files.ToLocalPath(uri, field).TrimEnd('/');

    /// <summary>The jar's <c>Main-Class</c> manifest entry, or null (also for a file that is not a jar).</summary>
    public static string? ManifestMainClass(string jarPath)
    {
        try
        {
            using var zip = ZipFile.OpenRead(jarPath);
            var entry = zip.GetEntry("META-INF/MANIFEST.MF");
            if (entry is null)
            {
                return null;
            }
            using var reader = new StreamReader(entry.Open());
            while (reader.ReadLine() is { } line)
            {
                if (line.StartsWith("Main-Class:", StringComparison.OrdinalIgnoreCase))
                {
                    var value = line["Main-Class:".Length..].Trim();
                    return value.Length == 0 ? null : value;
                }
            }
            return null;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
