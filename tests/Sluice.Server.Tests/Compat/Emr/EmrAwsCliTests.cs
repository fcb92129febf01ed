using System.Globalization;
using System.Text.Json;
using Sluice.Client;
using Sluice.Contracts;

namespace Sluice.Server.Tests.Compat.Emr;

/// <summary>Issue #16: the machine's awscli against Sluice's EMR API, unmodified but for --endpoint-url.</summary>
public sealed class EmrAwsCliTests(EmrFixture server) : IClassFixture<EmrFixture>
{
    private const string WordSplitter = "#!/usr/bin/env python3\nimport sys\nfor line in sys.stdin:\n    for w in line.split():\n        print('LongValueSum:' + w + '\\t1')\n";

    private static string NewBucket() => "s3://emr-" + Guid.NewGuid().ToString("N")[..12];

    private async Task<JsonElement> AwsJsonAsync(params string[] args)
    {
        var result = await server.AwsAsync(args);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result.Stdout.Length == 0 ? default : JsonDocument.Parse(result.Stdout).RootElement.Clone();
    }

    [Fact]
    public async Task CreateCluster_StreamingWordCountWithAggregate_WaitStepCompleteThenOutputCountsWords()
    {
        var bucket = NewBucket();
        await server.CreateBucketAsync(bucket);
        await server.PutObjectAsync($"{bucket}/in/a.txt", "red green red\nblue red\n");
        await server.PutObjectAsync($"{bucket}/in/b.txt", "green blue\nred\n");
        await server.PutObjectAsync($"{bucket}/code/wordSplitter.py", WordSplitter);

        var created = await AwsJsonAsync("emr", "create-cluster", "--name", "wc", "--release-label", "emr-6.15.0",
            "--applications", "Name=Hadoop", "Name=Hive",
            "--instance-groups", "InstanceGroupType=MASTER,InstanceCount=1,InstanceType=m5.xlarge", "InstanceGroupType=CORE,InstanceCount=2,InstanceType=m5.xlarge",
            "--log-uri", $"{bucket}/logs/",
            "--steps", $"Type=STREAMING,Name=wc,ActionOnFailure=CONTINUE,Args=[-files,{bucket}/code/wordSplitter.py,-mapper,wordSplitter.py,-reducer,aggregate,-input,{bucket}/in/,-output,{bucket}/out/]");
        var clusterId = created.GetProperty("ClusterId").GetString()!;
        Assert.StartsWith("arn:aws:elasticmapreduce:local:", created.GetProperty("ClusterArn").GetString(), StringComparison.Ordinal);
        var steps = await AwsJsonAsync("emr", "list-steps", "--cluster-id", clusterId);
        var stepId = steps.GetProperty("Steps")[0].GetProperty("Id").GetString()!;

        var wait = await server.AwsAsync(["emr", "wait", "step-complete", "--cluster-id", clusterId, "--step-id", stepId]);

        Assert.True(wait.ExitCode == 0, wait.ToString());
        var step = (await AwsJsonAsync("emr", "describe-step", "--cluster-id", clusterId, "--step-id", stepId)).GetProperty("Step");
        Assert.Equal("COMPLETED", step.GetProperty("Status").GetProperty("State").GetString());
        Assert.Equal("command-runner.jar", step.GetProperty("Config").GetProperty("Jar").GetString());
        Assert.Equal("hadoop-streaming", step.GetProperty("Config").GetProperty("Args")[0].GetString());
        var counts = new Dictionary<string, long>();
        var location = server.Objects.Resolve($"{bucket}/out/");
        var listing = await location.Store.ListAsync(location.Uri, null, null, 100, CancellationToken.None);
        foreach (var part in listing.Objects.Where(o => o.Key.Contains("/part-", StringComparison.Ordinal)))
        {
            foreach (var line in (await server.ReadObjectAsync($"{bucket}/{part.Key}"))!.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                var fields = line.Split('\t');
                counts[fields[0]] = long.Parse(fields[1], CultureInfo.InvariantCulture);
            }
        }
        Assert.Equal(new Dictionary<string, long> { ["blue"] = 2, ["green"] = 2, ["red"] = 4 }, counts.OrderBy(c => c.Key).ToDictionary());

        var described = (await AwsJsonAsync("emr", "describe-cluster", "--cluster-id", clusterId)).GetProperty("Cluster");
        Assert.Equal("emr-6.15.0", described.GetProperty("ReleaseLabel").GetString());
        Assert.Contains(described.GetProperty("Status").GetProperty("State").GetString(), new[] { "RUNNING", "WAITING" });
        Assert.Equal("MASTER,CORE", string.Join(",", described.GetProperty("InstanceGroups").EnumerateArray().Select(g => g.GetProperty("InstanceGroupType").GetString())));
        // The same cluster through the native API.
        ClusterInfo native = await server.Client.GetClusterAsync(clusterId);
        Assert.Equal(("wc", 3), (native.Name, native.InstanceGroups.Sum(g => g.RequestedCount)));
        Assert.Contains(native.Applications, a => a.Name == "hive");

        await AwsJsonAsync("emr", "terminate-clusters", "--cluster-ids", clusterId);
        var waitTerminated = await server.AwsAsync(["emr", "wait", "cluster-terminated", "--cluster-id", clusterId]);
        Assert.True(waitTerminated.ExitCode == 0, waitTerminated.ToString());
    }

    /// <summary>Runs an awscli command whose output is text for people (aws s3 …): only its success matters.</summary>
    private async Task AwsOkAsync(params string[] args)
    {
        var result = await server.AwsAsync(args);
        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [Fact]
    public async Task WordCount_EverythingThroughAwsCli_S3UploadEmrStepAndS3Download_CountsWords()
    {
        // The flow exactly: the data in, the step, the wait and the results out all go through awscli (S3 and EMR
        // on the one endpoint); nothing is put into or read from the store behind the API's back.
        var bucket = "wc-" + Guid.NewGuid().ToString("N")[..12];
        var work = Directory.CreateTempSubdirectory("sluice-awscli-flow-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(work, "words.txt"), "red green red\nblue red\ngreen blue\nred\n");
            await File.WriteAllTextAsync(Path.Combine(work, "wordSplitter.py"), WordSplitter);
            await AwsOkAsync("s3", "mb", $"s3://{bucket}");
            await AwsOkAsync("s3", "cp", Path.Combine(work, "words.txt"), $"s3://{bucket}/in/");
            await AwsOkAsync("s3", "cp", Path.Combine(work, "wordSplitter.py"), $"s3://{bucket}/code/");

            var created = await AwsJsonAsync("emr", "create-cluster", "--name", "wc", "--release-label", "emr-6.15.0",
                "--applications", "Name=Hadoop",
                "--instance-groups", "InstanceGroupType=MASTER,InstanceCount=1,InstanceType=m5.xlarge", "InstanceGroupType=CORE,InstanceCount=2,InstanceType=m5.xlarge",
                "--log-uri", $"s3://{bucket}/logs/",
                "--steps", $"Type=STREAMING,Name=wc,ActionOnFailure=CONTINUE,Args=[-files,s3://{bucket}/code/wordSplitter.py,-mapper,wordSplitter.py,-reducer,aggregate,-input,s3://{bucket}/in/,-output,s3://{bucket}/out/]");
            var clusterId = created.GetProperty("ClusterId").GetString()!;
            var stepId = (await AwsJsonAsync("emr", "list-steps", "--cluster-id", clusterId)).GetProperty("Steps")[0].GetProperty("Id").GetString()!;
            var wait = await server.AwsAsync(["emr", "wait", "step-complete", "--cluster-id", clusterId, "--step-id", stepId]);
            Assert.True(wait.ExitCode == 0, wait.ToString());

            var results = Directory.CreateDirectory(Path.Combine(work, "out")).FullName;
            await AwsOkAsync("s3", "cp", $"s3://{bucket}/out/", results, "--recursive");
            var counts = new Dictionary<string, long>();
            foreach (var part in Directory.EnumerateFiles(results, "part-*"))
            {
                foreach (var line in File.ReadAllLines(part).Where(l => l.Length > 0))
                {
                    var fields = line.Split('\t');
                    counts[fields[0]] = long.Parse(fields[1], CultureInfo.InvariantCulture);
                }
            }
            Assert.Equal(new Dictionary<string, long> { ["blue"] = 2, ["green"] = 2, ["red"] = 4 }, counts.OrderBy(c => c.Key).ToDictionary());
            Assert.True(File.Exists(Path.Combine(results, "_SUCCESS")));
            await AwsJsonAsync("emr", "terminate-clusters", "--cluster-ids", clusterId);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
