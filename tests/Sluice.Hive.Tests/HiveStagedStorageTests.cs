namespace Sluice.Hive.Tests;

/// <summary>
/// A step's process has no object store: it reads object URIs the server staged (listed in <c>staged.txt</c>), refuses
/// any other, and lists what it wrote in <c>written.txt</c> for the server to upload.
/// </summary>
public sealed class HiveStagedStorageTests : IDisposable
{
    private readonly HiveRun _run = new();

    public void Dispose() => _run.Dispose();

    private async Task<(int Code, string Out, string Err)> RunAsync(string root, string script)
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        var options = new HiveOptions { MetastoreDirectory = _run.Metastore, Storage = new HiveStorage(root, null) };
        var session = await HiveSession.OpenAsync(options, stdout, stderr, CancellationToken.None);
        await using (session)
        {
            return (await session.RunScriptAsync(script, CancellationToken.None), stdout.ToString(), stderr.ToString());
        }
    }

    [Fact]
    public async Task StagedUris_AreRead_WritesListed_OthersRefused()
    {
        var root = Path.Combine(_run.Directory, "objects");
        _run.Write("objects/bos/b/tables/t/part", "1\n2\n");
        _run.Write("objects/staged.txt", "bos://b/tables/t\nbos://b/out\n");

        var ok = await RunAsync(root, "CREATE EXTERNAL TABLE t (x INT) LOCATION 'bos://b/tables/t/'; SELECT sum(x) FROM t; INSERT OVERWRITE DIRECTORY 'bos://b/out' SELECT x FROM t WHERE x > 1;");
        var refused = await RunAsync(root, "CREATE EXTERNAL TABLE u (x INT) LOCATION 'bos://other/secret'; SELECT * FROM u;");

        Assert.True(ok.Code == 0, ok.Err);
        Assert.Equal("3\n", ok.Out);
        Assert.Equal("2\n", _run.Read("objects/bos/b/out/000000_0"));
        Assert.Equal("bos://b/out\n", _run.Read("objects/written.txt"));
        Assert.Equal(1, refused.Code);
        Assert.Contains("the object URI 'bos://other/secret' was not staged", refused.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Staging_ListsTheScriptsObjectUris_WithVariablesAndTheMetastoresTables()
    {
        var script = "SET hivevar:T=s3://x/t2;\nCREATE EXTERNAL TABLE a (x INT) LOCATION '${LOC}';\nLOAD DATA INPATH 'bos://in/f.txt' INTO TABLE a;\n" +
            "CREATE EXTERNAL TABLE b (x INT) LOCATION '${T}';\nINSERT OVERWRITE DIRECTORY 'oss://o/out/' SELECT * FROM a;\nSELECT broken FROM FROM;\nINSERT OVERWRITE LOCAL DIRECTORY '/tmp/x' SELECT 1;";
        var uris = HiveStaging.ObjectLocations(script, new Dictionary<string, string> { ["LOC"] = "bos://b/t" }, new Dictionary<string, string>(), _run.Metastore);
        Assert.Equal(["bos://b/t", "bos://in/f.txt", "s3://x/t2", "oss://o/out"], uris);
    }
}
