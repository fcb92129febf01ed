namespace Sluice.Hive.Tests;

/// <summary>Issue #18 item 2: tables — DDL, LOAD DATA, INSERT, partitions, the metastore across runs, variables and SET.</summary>
public sealed class HiveTableTests : IDisposable
{
    private readonly HiveRun _run = new();

    public void Dispose() => _run.Dispose();

    [Fact]
    public async Task ManagedTable_LoadIntoOverwrite_InsertInto_NamesFilesAsHive()
    {
        _run.Write("in/a.txt", "1\x01one\n2\x01two\n");
        _run.Write("in/b.txt", "3\x01three\n");
        var output = await _run.QueryAsync("CREATE TABLE t (k INT, v STRING); LOAD DATA LOCAL INPATH '${D}/in/a.txt' INTO TABLE t; LOAD DATA LOCAL INPATH '${D}/in/a.txt' INTO TABLE t;" +
            "SELECT count(*) FROM t; LOAD DATA LOCAL INPATH '${D}/in' OVERWRITE INTO TABLE t; SELECT k FROM t ORDER BY k;" +
            "INSERT INTO TABLE t SELECT k * 10, v FROM t WHERE k = 1; INSERT INTO TABLE t SELECT 7, 'seven' FROM t LIMIT 1; SELECT k FROM t ORDER BY k;");
        Assert.Equal("4\n1\n2\n3\n1\n2\n3\n7\n10\n", output);
        var warehouse = Path.Combine(_run.Metastore, "warehouse", "t");
        Assert.Equal(["000000_0", "000000_0_copy_1", "a.txt", "b.txt"], Directory.GetFiles(warehouse).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal("10\x01one\n", File.ReadAllText(Path.Combine(warehouse, "000000_0")));
    }

    [Fact]
    public async Task InsertOverwriteTable_ReadsItsOwnOldRows_ConvertsToColumnTypes()
    {
        _run.Write("in/a.txt", "1,x\n2,y\n");
        var output = await _run.QueryAsync("CREATE TABLE s (k INT, v STRING) ROW FORMAT DELIMITED FIELDS TERMINATED BY ','; LOAD DATA LOCAL INPATH '${D}/in/a.txt' INTO TABLE s;" +
            "INSERT OVERWRITE TABLE s SELECT k + 1, concat(v, v) FROM s; SELECT * FROM s ORDER BY k;" +
            "CREATE TABLE d (x INT); INSERT OVERWRITE TABLE d SELECT v FROM s; SELECT x FROM d;");
        Assert.Equal("2\txx\n3\tyy\nNULL\nNULL\n", output);
        Assert.Equal("2,xx\n3,yy\n", File.ReadAllText(Path.Combine(_run.Metastore, "warehouse", "s", "000000_0")));
    }

    [Fact]
    public async Task Partitions_StaticAreKeyValueFolders_QueriedAndShown()
    {
        _run.Write("in/a.txt", "1\n2\n");
        _run.Write("in/b.txt", "3\n");
        var output = await _run.QueryAsync("CREATE TABLE p (x INT) PARTITIONED BY (dt STRING, h INT);" +
            "LOAD DATA LOCAL INPATH '${D}/in/a.txt' INTO TABLE p PARTITION (dt='2014-01-01', h=1);" +
            "INSERT OVERWRITE TABLE p PARTITION (dt='2014-01-02', h=2) SELECT x * 10 FROM p WHERE dt = '2014-01-01';" +
            "SHOW PARTITIONS p; SELECT dt, h, sum(x) FROM p GROUP BY dt, h ORDER BY dt; SELECT count(*) FROM p WHERE h = 2;");
        Assert.Equal("dt=2014-01-01/h=1\ndt=2014-01-02/h=2\n2014-01-01\t1\t3\n2014-01-02\t2\t30\n1\n".Replace("\n1\n", "\n2\n", StringComparison.Ordinal), output);
        Assert.True(File.Exists(Path.Combine(_run.Metastore, "warehouse", "p", "dt=2014-01-02", "h=2", "000000_0")));
        Assert.Contains("Partition spec", await _run.FailAsync("INSERT OVERWRITE TABLE p PARTITION (dt='x') SELECT 1 FROM p;"), StringComparison.Ordinal);
        Assert.Contains("dynamic partition 'h'", await _run.FailAsync("INSERT OVERWRITE TABLE p PARTITION (dt='x', h) SELECT 1, 2 FROM p;"), StringComparison.Ordinal);
        Assert.Equal("dt=2014-01-02/h=2\n", await _run.QueryAsync("ALTER TABLE p DROP PARTITION (dt='2014-01-01', h=1); SHOW PARTITIONS p;"));
    }

    [Fact]
    public async Task ExternalTable_DropKeepsData_ManagedDropRemovesIt_ShowTablesAndDescribe()
    {
        _run.Write("ext/e.txt", "1\n");
        var output = await _run.QueryAsync("CREATE EXTERNAL TABLE e (x INT COMMENT 'the x') LOCATION '${D}/ext'; CREATE TABLE m (y STRING); CREATE TABLE IF NOT EXISTS m (z INT);" +
            "SHOW TABLES; SHOW TABLES 'e*'; DESCRIBE e; DESCRIBE m;");
        Assert.Equal("e\nm\ne\nx                   \tint                 \tthe x\ny                   \tstring              \tNone\n", output);
        Assert.Contains("Table m already exists", await _run.FailAsync("CREATE TABLE m (y STRING);"), StringComparison.Ordinal);
        await _run.QueryAsync("DROP TABLE e; DROP TABLE m; DROP TABLE IF EXISTS nothing;");
        Assert.True(File.Exists(Path.Combine(_run.Directory, "ext", "e.txt")));
        Assert.False(Directory.Exists(Path.Combine(_run.Metastore, "warehouse", "m")) && Directory.EnumerateFiles(Path.Combine(_run.Metastore, "warehouse", "m")).Any());
        Assert.Equal("", await _run.QueryAsync("SHOW TABLES;"));
        Assert.Contains("Table not found 'e'", await _run.FailAsync("SELECT * FROM e;"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metastore_PersistsAcrossRuns_CtasAndLikeAndRename()
    {
        _run.Write("in/a.txt", "5\x01" + "a\n6\x01" + "b\n");
        await _run.QueryAsync("CREATE TABLE base (n INT, s STRING); LOAD DATA LOCAL INPATH '${D}/in/a.txt' INTO TABLE base;");
        var output = await _run.QueryAsync("CREATE TABLE c AS SELECT n * 2 AS dbl, s FROM base; DESCRIBE c; SELECT * FROM c ORDER BY dbl;" +
            "CREATE TABLE l LIKE base; SELECT count(*) FROM l; ALTER TABLE c RENAME TO c2; SELECT sum(dbl) FROM c2;");
        Assert.Equal("dbl                 \tint                 \tNone\ns                   \tstring              \tNone\n10\ta\n12\tb\n0\n22\n", output);
    }

    [Fact]
    public async Task Variables_HivevarDefineHiveconfAndSet_SubstitutedAndUndefinedKeptAsWritten()
    {
        var output = await _run.QueryAsync("SELECT '${hivevar:A}', '${B}', '${hiveconf:C}', '${C}', '${nope}'; SET C=changed; SET x.y=1; SELECT '${hiveconf:C}', '${hiveconf:x.y}'; SET C;",
            "--hivevar", "A=va", "-d", "B=vb", "--hiveconf", "C=vc");
        Assert.Equal("va\tvb\tvc\tvc\t${nope}\nchanged\t1\nC=changed\n", output);
        Assert.Equal("x\n", await _run.QueryAsync("SELECT '${hiveconf:K}';", "-hiveconf", "K=x"));
        Assert.Equal("1\n", await _run.QueryAsync("SELECT ${V};", "--define", "V=1"));
    }

    [Fact]
    public async Task Set_ResultChangingSettingsRefused_OthersAccepted()
    {
        Assert.Contains("SET hive.mapred.mode=strict", await _run.FailAsync("SET hive.mapred.mode=strict;"), StringComparison.Ordinal);
        Assert.Contains("compressed output", await _run.FailAsync("SET hive.exec.compress.output=true;"), StringComparison.Ordinal);
        Assert.Equal("1\n", await _run.QueryAsync("SET mapred.reduce.tasks=4; SET hive.exec.dynamic.partition=true; SET hive.mapred.mode=nonstrict; SELECT 1;"));
    }

    [Fact]
    public async Task InsertOverwriteDirectory_RowFormat_ReplacesWhatWasThere_EmptyResultWritesEmptyFile()
    {
        _run.Write("out/old-file", "stale");
        await _run.QueryAsync("INSERT OVERWRITE LOCAL DIRECTORY '${D}/out' ROW FORMAT DELIMITED FIELDS TERMINATED BY '\\t' COLLECTION ITEMS TERMINATED BY ',' MAP KEYS TERMINATED BY ':' SELECT 1, array(1, 2), map('a', 'b');" +
            "INSERT OVERWRITE DIRECTORY '${D}/empty' SELECT 1 FROM (SELECT 1 AS x) s WHERE false;");
        Assert.Equal(["000000_0"], Directory.GetFiles(Path.Combine(_run.Directory, "out")).Select(Path.GetFileName));
        Assert.Equal("1\t1,2\ta:b\n", _run.Read("out/000000_0"));
        Assert.Equal("", _run.Read("empty/000000_0"));
    }

    [Fact]
    public async Task Parquet_StoredAs_WrittenAndRead()
    {
        var output = await _run.QueryAsync("CREATE TABLE pq (a INT, b STRING) STORED AS PARQUET; INSERT OVERWRITE TABLE pq SELECT 1, 'x' FROM (SELECT 1) s; SELECT * FROM pq;");
        Assert.Equal("1\tx\n", output);
    }

    [Fact]
    public async Task Statements_ManyPerScript_CommentsAndSemicolonsInStrings()
    {
        var output = await _run.QueryAsync("-- leading comment\nSELECT 'a;b'; -- trailing\n\n-- only a comment;\nSELECT \"c\\;d\", 'e''f';");
        // 'e''f' is two adjacent literals, which Hive concatenates.
        Assert.Equal("a;b\nc;d\tef\n", output);
    }
}
