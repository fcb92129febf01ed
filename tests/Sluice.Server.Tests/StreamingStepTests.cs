using System.Text;
using System.Text.RegularExpressions;
using Sluice.Client;
using Sluice.Contracts;

namespace Sluice.Server.Tests;

/// <summary>Issue #4: a Streaming step runs on the streaming engine with its map and reduce tasks as processes on the cluster's node slots.</summary>
[Collection(ServerCollection.Name)]
public partial class StreamingStepTests(ServerFixture server)
{
    private SluiceClient Client => server.Client;

    /// <summary>A python mapper emitting <c>LongValueSum:word TAB 1</c> per word, for <c>-reducer aggregate</c>.</summary>
    internal const string WordCountMapper = "import sys\nfor line in sys.stdin:\n    for w in line.split():\n        print('LongValueSum:' + w + '\\t1')\n";

    /// <summary>Seeded files of one word per line, and how often each word occurs in all of them.</summary>
    internal static (List<string> Files, Dictionary<string, long> Counts) WordCorpus(int seed, string[] words, int files, int lines)
    {
        var counts = new Dictionary<string, long>();
        var random = new Random(seed);
        var texts = new List<string>();
        for (var f = 0; f < files; f++)
        {
            var text = new StringBuilder();
            for (var line = 0; line < lines; line++)
            {
                var word = words[random.Next(words.Length)];
                counts[word] = counts.GetValueOrDefault(word) + 1;
                text.Append(word).Append('\n');
            }
            texts.Add(text.ToString());
        }
        return (texts, counts);
    }

    private static Dictionary<string, long> ReadCounts(string output) =>
        Directory.GetFiles(output, "part-*").SelectMany(File.ReadAllLines)
            .Select(l => l.Split('\t')).ToDictionary(p => p[0], p => long.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public async Task StreamingStep_WordCount_SpreadsMapAndReduceTasksOverTheNodes()
    {
        var shared = server.NewSharedDirectory();
        var input = Path.Combine(shared, "input");
        Directory.CreateDirectory(input);
        var (texts, expected) = WordCorpus(4, ["alpha", "beta", "gamma", "delta", "epsilon"], files: 4, lines: 400);
        for (var f = 0; f < texts.Count; f++)
        {
            File.WriteAllText(Path.Combine(input, $"part{f}.txt"), texts[f]);
        }
        var mapper = Path.Combine(shared, "mapper.py");
        File.WriteAllText(mapper, WordCountMapper);
        var output = Path.Combine(shared, "counts");
        ClusterInfo cluster = await Client.CreateClusterAsync(StepTests.ThreeNodes("streaming").KeepAlive()
            .AddStep(StepBuilder.StreamingStep("wordcount", "python3 mapper.py", "aggregate", input: input, output: output,
                cacheFiles: [mapper + "#mapper.py"], numReduceTasks: 2, arguments: ["-D", "mapreduce.job.maps=8"]))
            .Build());
        var id = (await Client.ListStepsAsync(cluster.Id).ToListAsync())[0].Id;

        var step = await Client.WaitForStepAsync(cluster.Id, id, ServerFixture.Fast);

        Assert.True(step.State == StepStates.Completed, step.FailureDetails?.Message);
        Assert.Equal(expected.OrderBy(p => p.Key), ReadCounts(output).OrderBy(p => p.Key));
        Assert.True(File.Exists(Path.Combine(output, "_SUCCESS")));
        LogChunk controllerChunk = await Client.ReadStepLogAsync(cluster.Id, id, StepLogKind.Controller);
        var controller = Encoding.UTF8.GetString(controllerChunk.Data.Span);
        var placements = PlacedOn().Matches(controller).Select(m => (Task: m.Groups[1].Value, Node: m.Groups[2].Value)).ToList();
        var mapTasks = placements.Where(p => p.Task.Contains("_m_", StringComparison.Ordinal)).ToList();
        var reduceTasks = placements.Where(p => p.Task.Contains("_r_", StringComparison.Ordinal)).ToList();
        Assert.True(mapTasks.Count >= 4, controller);
        Assert.Equal(2, reduceTasks.Count);
        var coreNodes = (await Client.ListNodesAsync(cluster.Id).ToListAsync()).Where(n => n.Role == "Core").Select(n => n.Id).ToHashSet();
        Assert.Equal(coreNodes, mapTasks.Select(p => p.Node).ToHashSet());
        LogChunk stdout = await Client.ReadStepLogAsync(cluster.Id, id, StepLogKind.Stdout);
        Assert.Contains("Map input records", Encoding.UTF8.GetString(stdout.Data.Span), StringComparison.Ordinal);
        await Client.TerminateClusterAsync(cluster.Id);
    }

    [Fact]
    public async Task StreamingStep_FailingMapper_FailsWithTheTasksError_AndLeavesNoOutput()
    {
        var shared = server.NewSharedDirectory();
        var input = Path.Combine(shared, "in.txt");
        File.WriteAllText(input, "one\ntwo\n");
        var output = Path.Combine(shared, "out");
        ClusterInfo cluster = await Client.CreateClusterAsync(StepTests.ThreeNodes("streaming-fails").KeepAlive()
            .AddStep(StepBuilder.StreamingStep("broken", "sh -c 'echo mapper exploded >&2; exit 7'", input: input, output: output,
                arguments: ["-D", "mapreduce.map.maxattempts=1"]))
            .Build());
        var id = (await Client.ListStepsAsync(cluster.Id).ToListAsync())[0].Id;

        var step = await Client.WaitForStepAsync(cluster.Id, id, ServerFixture.Fast);

        Assert.Equal(StepStates.Failed, step.State);
        Assert.Equal("StreamingJobFailed", step.FailureDetails?.Reason);
        Assert.Contains("mapper exploded", step.FailureDetails!.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(output) && Directory.GetFiles(output, "part-*").Length > 0);
        await Client.TerminateClusterAsync(cluster.Id);
    }

    [GeneratedRegex(@"(s-[0-9a-f-]+\.attempt_\S+) placed on node (n-\S+) slot")]
    private static partial Regex PlacedOn();
}
