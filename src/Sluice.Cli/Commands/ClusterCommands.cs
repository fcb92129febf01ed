using System.CommandLine;
using Sluice.Client;
using Sluice.Contracts;
using Spectre.Console;

namespace Sluice.Cli.Commands;

/// <summary><c>sluice cluster create|list|get|update|resize|terminate|nodes</c>.</summary>
internal static class ClusterCommands
{
    private static readonly SluiceJsonContext Json = SluiceJsonContext.Default;

    public static Command Build(Func<ParseResult, Func<CliContext, CancellationToken, Task<int>>, CancellationToken, Task<int>> run)
    {
        var cluster = new Command("cluster", "Create, inspect, resize and terminate clusters");

        var name = new Option<string?>("--name") { Description = "Cluster name" };
        var groups = new Option<string[]>("--group") { Description = "Instance group NAME:ROLE:TYPE:COUNT[:MARKET] with MARKET OnDemand (default) or Spot, e.g. core:Core:g.small:2 or task:Task:g.small:4:Spot (repeatable)", AllowMultipleArgumentsPerToken = false };
        var keepAlive = new Option<bool>("--keep-alive") { Description = "Keep the cluster Waiting when its work is done (default: terminate after it has run work)" };
        var protect = new Option<bool>("--termination-protection") { Description = "Refuse terminate until protection is lifted" };
        var bootstrap = new Option<string[]>("--bootstrap") { Description = "Bootstrap script TARGET:PATH where TARGET is Master, Workers or All (repeatable)" };
        var tags = new Option<string[]>("--tag") { Description = "Tag K=V (repeatable)" };
        var logUri = new Option<string?>("--log-uri") { Description = "Where the cluster's logs are copied" };
        var file = new Option<string?>("--file", "-f") { Description = "Cluster request as JSON or YAML; flags given as well override it" };
        var wait = new Option<bool>("--wait") { Description = "Wait until the cluster is ready (exit 1 if it fails to start)" };
        var applications = new Option<string[]>("--application") { Description = "Application NAME[:VERSION] the cluster provides: hadoop, hive, pig, hbase, spark (repeatable)" };
        var steps = new Option<string[]>("--step") { Description = "Steps to run once ready: a JSON or YAML file (one step or a list) or inline JSON (repeatable)" };
        var concurrency = new Option<int?>("--step-concurrency") { Description = "How many steps run at once (1-256, default 1)" };
        var backend = new Option<string?>("--backend") { Description = "Compute backend: local (default) or slurm when the server has it configured" };
        var idleTimeout = new Option<int?>("--idle-timeout") { Description = "Terminate after this many seconds Waiting with no work (1-604800; EMR's AutoTerminationPolicy)" };
        var create = new Command("create", "Create a cluster") { name, groups, keepAlive, protect, bootstrap, tags, logUri, backend, file, wait, applications, steps, concurrency, idleTimeout };
        create.SetAction((parse, ct) => run(parse, async (cli, token) =>
        {
            var request = parse.GetValue(file) is { } path ? InputFiles.Read(path, Json.CreateClusterRequest) : new CreateClusterRequest();
            request.Name = parse.GetValue(name) ?? request.Name;
            foreach (var g in parse.GetValue(groups) ?? [])
            {
                (request.InstanceGroups ??= []).Add(ParseGroup(g));
            }
            foreach (var b in parse.GetValue(bootstrap) ?? [])
            {
                (request.BootstrapActions ??= []).Add(ParseBootstrap(b));
            }
            foreach (var t in parse.GetValue(tags) ?? [])
            {
                var (k, v) = ParseTag(t);
                (request.Tags ??= [])[k] = v;
            }
            request.KeepAlive |= parse.GetValue(keepAlive);
            request.TerminationProtected |= parse.GetValue(protect);
            request.LogUri = parse.GetValue(logUri) ?? request.LogUri;
            request.Backend = parse.GetValue(backend) ?? request.Backend;
            foreach (var a in parse.GetValue(applications) ?? [])
            {
                var colon = a.IndexOf(':', StringComparison.Ordinal);
                (request.Applications ??= []).Add(colon < 0
                    ? new ApplicationConfig { Name = a }
                    : colon > 0 && colon < a.Length - 1
                        ? new ApplicationConfig { Name = a[..colon], Version = a[(colon + 1)..] }
                        : throw new UsageException($"--application '{a}' must be NAME or NAME:VERSION, e.g. hive:3.1.3"));
            }
            foreach (var s in parse.GetValue(steps) ?? [])
            {
                (request.Steps ??= []).AddRange(InputFiles.ReadSteps(s));
            }
            request.StepConcurrencyLevel = Numbers.Between(parse.GetValue(concurrency), 1, 256, "--step-concurrency") ?? request.StepConcurrencyLevel;
            request.IdleTimeout = Numbers.Between(parse.GetValue(idleTimeout), 1, 604_800, "--idle-timeout") ?? request.IdleTimeout;
            using var client = cli.CreateClient();
            ClusterInfo created = await client.CreateClusterAsync(request, token).ConfigureAwait(false);
            if (parse.GetValue(wait))
            {
                try
                {
                    created = await client.WaitForClusterReadyAsync(created.Id, cancellationToken: token).ConfigureAwait(false);
                }
                catch (SluiceWaitException)
                {
                    // The cluster can no longer become ready: show where it ends, with its reason.
                    created = await client.WaitForClusterTerminatedAsync(created.Id, cancellationToken: token).ConfigureAwait(false);
                    Show(cli, created);
                    return ExitCodes.Failed;
                }
            }
            Show(cli, created);
            return ExitCodes.Ok;
        }, ct));
        cluster.Add(create);

        var state = new Option<string[]>("--state") { Description = "Only clusters in these states (repeatable)" };
        var createdAfter = new Option<DateTimeOffset?>("--created-after") { Description = "Only clusters created at or after this time (ISO 8601, UTC unless an offset is given)" };
        var createdBefore = new Option<DateTimeOffset?>("--created-before") { Description = "Only clusters created at or before this time (ISO 8601, UTC unless an offset is given)" };
        var list = new Command("list", "List clusters") { state, createdAfter, createdBefore };
        var listPaging = new ListPaging(list);
        list.SetAction((parse, ct) => run(parse, async (cli, token) =>
        {
            using var client = cli.CreateClient();
            var page = await listPaging.ReadAsync(parse, client.ListClustersAsync(parse.GetValue(state), createdAfter: parse.GetValue(createdAfter), createdBefore: parse.GetValue(createdBefore), cancellationToken: token), token).ConfigureAwait(false);
            if (cli.Json)
            {
                cli.WriteJson(page, Json.ListResponseClusterInfo);
                return ExitCodes.Ok;
            }
            var table = new Table().AddColumn(IdColumn("ID")).AddColumns("NAME", "STATE", "NODES", "CREATED");
            foreach (var c in page.Items)
            {
                table.AddRow(c.Id, Markup.Escape(c.Name), Styled(c.State), $"{c.InstanceGroups.Sum(g => g.RunningCount)}/{c.InstanceGroups.Sum(g => g.RequestedCount)}", c.CreatedAt.ToString("u"));
            }
            cli.Console.Write(table);
            ListPaging.WriteMore(cli, page);
            return ExitCodes.Ok;
        }, ct));
        cluster.Add(list);

        var id = new Argument<string>("cluster-id") { Description = "The cluster id" };
        var get = new Command("get", "Show a cluster") { id };
        get.SetAction((parse, ct) => run(parse, async (cli, token) =>
        {
            using var client = cli.CreateClient();
            Show(cli, await client.GetClusterAsync(parse.GetValue(id)!, token).ConfigureAwait(false));
            return ExitCodes.Ok;
        }, ct));
        cluster.Add(get);

        var protection = new Option<bool?>("--termination-protection") { Description = "true or false" };
        var keep = new Option<bool?>("--keep-alive") { Description = "true or false" };
        var setTags = new Option<string[]>("--tag") { Description = "Set tag K=V (repeatable)" };
        var removeTags = new Option<string[]>("--remove-tag") { Description = "Remove tag K (repeatable)" };
        // The service's TerminationProtected error tells users to run `sluice cluster update ID --no-termination-protection`.
        var unprotect = new Option<bool>("--no-termination-protection") { Description = "Lift termination protection (same as --termination-protection false)" };
        var updateIdle = new Option<int?>("--idle-timeout") { Description = "Idle timeout in seconds (1-604800); 0 removes it" };
        var update = new Command("update", "Change termination protection, keep-alive, idle timeout or tags") { id, protection, unprotect, keep, setTags, removeTags, updateIdle };
        update.SetAction((parse, ct) => run(parse, async (cli, token) =>
        {
            var protectedValue = parse.GetValue(protection);
            if (parse.GetValue(unprotect))
            {
                protectedValue = protectedValue == true
                    ? throw new UsageException("--no-termination-protection contradicts --termination-protection true")
                    : false;
            }
            var request = new UpdateClusterRequest
            {
                TerminationProtected = protectedValue,
                KeepAlive = parse.GetValue(keep),
                IdleTimeout = Numbers.Between(parse.GetValue(updateIdle), 0, 604_800, "--idle-timeout"),
            };
            foreach (var t in parse.GetValue(setTags) ?? [])
            {
                var (k, v) = ParseTag(t);
                (request.Tags ??= [])[k] = v;
            }
            if (parse.GetValue(removeTags) is { Length: > 0 } remove)
            {
                request.RemoveTags = [.. remove];
            }
            using var client = cli.CreateClient();
            Show(cli, await client.UpdateClusterAsync(parse.GetValue(id)!, request, token).ConfigureAwait(false));
            return ExitCodes.Ok;
        }, ct));
        cluster.Add(update);

        var group = new Argument<string>("group") { Description = "Instance group id or name" };
        var count = new Argument<int>("count") { Description = "New node count" };
        var resize = new Command("resize", "Resize an instance group; shrinking never kills running work (busy nodes leave when idle)") { id, group, count };
        resize.SetAction((parse, ct) => run(parse, async (cli, token) =>
        {
            var newCount = Numbers.AtLeast(parse.GetValue(count), 0, "count");
            using var client = cli.CreateClient();
            Show(cli, await client.ResizeInstanceGroupAsync(parse.GetValue(id)!, parse.GetValue(group)!, newCount, token).ConfigureAwait(false));
            return ExitCodes.Ok;
        }, ct));
        cluster.Add(resize);

        var waitEnd = new Option<bool>("--wait") { Description = "Wait until the cluster has terminated" };
        var terminate = new Command("terminate", "Terminate a cluster: stops its work and releases its nodes") { id, waitEnd };
        terminate.SetAction((parse, ct) => run(parse, async (cli, token) =>
        {
            using var client = cli.CreateClient();
            ClusterInfo info = await client.TerminateClusterAsync(parse.GetValue(id)!, token).ConfigureAwait(false);
            if (parse.GetValue(waitEnd))
            {
                info = await client.WaitForClusterTerminatedAsync(info.Id, cancellationToken: token).ConfigureAwait(false);
            }
            Show(cli, info);
            return ExitCodes.Ok;
        }, ct));
        cluster.Add(terminate);

        var nodes = new Command("nodes", "List the nodes of a cluster") { id };
        var nodePaging = new ListPaging(nodes);
        nodes.SetAction((parse, ct) => run(parse, async (cli, token) =>
        {
            using var client = cli.CreateClient();
            var page = await nodePaging.ReadAsync(parse, client.ListNodesAsync(parse.GetValue(id)!, cancellationToken: token), token).ConfigureAwait(false);
            if (cli.Json)
            {
                cli.WriteJson(page, Json.ListResponseNodeInfo);
                return ExitCodes.Ok;
            }
            var table = new Table().AddColumn(IdColumn("ID")).AddColumns("ROLE", "MARKET", "STATE", "VCPUS", "MEMORY MiB", "HOST");
            foreach (var n in page.Items)
            {
                table.AddRow(n.Id, n.Role, n.Market, n.State, n.Vcpus.ToString(System.Globalization.CultureInfo.InvariantCulture), n.MemoryMiB.ToString(System.Globalization.CultureInfo.InvariantCulture), Markup.Escape(n.Host ?? ""));
            }
            cli.Console.Write(table);
            ListPaging.WriteMore(cli, page);
            return ExitCodes.Ok;
        }, ct));
        cluster.Add(nodes);
        cluster.Add(ClusterEventsCommand.Build(run, id));
        return cluster;
    }

    internal static InstanceGroupConfig ParseGroup(string text)
    {
        var parts = text.Split(':');
        if (parts.Length is not (4 or 5) || !int.TryParse(parts[3], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var count) || count < 1)
        {
            throw new UsageException($"--group '{text}' must be NAME:ROLE:TYPE:COUNT[:MARKET] with a COUNT of 1 or more, e.g. core:Core:g.small:2 or task:Task:g.small:4:Spot");
        }
        // The market's spelling is checked where every request's is: by the service.
        var market = parts.Length == 5 ? parts[4] : null;
        if (market is { Length: 0 })
        {
            throw new UsageException($"--group '{text}' ends in ':' with no MARKET; use OnDemand or Spot, or leave the ':' out");
        }
        return new InstanceGroupConfig { Name = parts[0], Role = parts[1], InstanceType = parts[2], InstanceCount = count, Market = market };
    }

    internal static BootstrapActionConfig ParseBootstrap(string text)
    {
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || colon == text.Length - 1)
        {
            throw new UsageException($"--bootstrap '{text}' must be TARGET:PATH, e.g. All:/opt/setup.sh");
        }
        var words = text[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return new BootstrapActionConfig { Target = text[..colon], Path = words[0], Arguments = [.. words.Skip(1)] };
    }

    internal static (string Key, string Value) ParseTag(string text)
    {
        var eq = text.IndexOf('=', StringComparison.Ordinal);
        return eq <= 0 ? throw new UsageException($"--tag '{text}' must be KEY=VALUE") : (text[..eq], text[(eq + 1)..]);
    }

    /// <summary>A column of ids: never wrapped, so an id stays one word to copy or grep even at 80 columns.</summary>
    internal static TableColumn IdColumn(string header) => new TableColumn(header).NoWrap();

    internal static string Styled(string state) => state switch
    {
        "Running" or "Waiting" or "Finished" => $"[green]{state}[/]",
        "Failed" or "TerminatedWithErrors" => $"[red]{state}[/]",
        "Starting" or "Bootstrapping" or "Terminating" => $"[yellow]{state}[/]",
        _ => state,
    };

    private static void Show(CliContext cli, ClusterInfo c)
    {
        if (cli.Json)
        {
            cli.WriteJson(c, Json.ClusterInfo);
            return;
        }
        var grid = new Grid().AddColumn().AddColumn();
        grid.AddRow("[bold]Id[/]", c.Id);
        grid.AddRow("[bold]Name[/]", Markup.Escape(c.Name));
        grid.AddRow("[bold]State[/]", Styled(c.State) + (c.StateChangeReason is { } r ? Markup.Escape($"  ({r.Code}: {r.Message})") : ""));
        grid.AddRow("[bold]Keep alive[/]", c.KeepAlive ? "yes" : "no");
        grid.AddRow("[bold]Termination protected[/]", c.TerminationProtected ? "yes" : "no");
        if (c.Applications.Count > 0)
        {
            grid.AddRow("[bold]Applications[/]", Markup.Escape(string.Join(", ", c.Applications.Select(a => a.Version is null ? a.Name : $"{a.Name} {a.Version}"))));
        }
        if (c.StepConcurrencyLevel > 1)
        {
            grid.AddRow("[bold]Step concurrency[/]", c.StepConcurrencyLevel.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        foreach (var g in c.InstanceGroups)
        {
            grid.AddRow($"[bold]Group {Markup.Escape(g.Name)}[/]", Markup.Escape($"{g.Role} {g.InstanceType} {g.Market} ({g.Vcpus} vCPU, {g.MemoryMiB} MiB) {g.RunningCount}/{g.RequestedCount} nodes, id {g.Id}"));
        }
        if (c.TargetLowPriorityNodes > 0)
        {
            grid.AddRow("[bold]Nodes[/]", $"dedicated {c.CurrentDedicatedNodes}/{c.TargetDedicatedNodes}, low-priority {c.CurrentLowPriorityNodes}/{c.TargetLowPriorityNodes}");
        }
        if (c.IdleTimeout is { } idle)
        {
            grid.AddRow("[bold]Idle timeout[/]", $"{idle} s");
        }
        if (c.Tags.Count > 0)
        {
            grid.AddRow("[bold]Tags[/]", Markup.Escape(string.Join(", ", c.Tags.Select(t => $"{t.Key}={t.Value}"))));
        }
        cli.Console.Write(grid);
    }
}
