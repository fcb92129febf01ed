namespace Sluice.Hive.Tests;

/// <summary>Issue #18 item 2: the query constructs, over small tables whose expected results are worked out by hand.</summary>
public sealed class HiveQueryTests : IDisposable
{
    private const string Tables =
        "CREATE EXTERNAL TABLE IF NOT EXISTS emp (id INT, name STRING, dept INT, salary DOUBLE) ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' LOCATION '${D}/emp';\n" +
        "CREATE EXTERNAL TABLE IF NOT EXISTS dept (id INT, dname STRING) ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' LOCATION '${D}/dept';\n";

    private readonly HiveRun _run = new();

    public HiveQueryTests()
    {
        _run.Write("emp/e.csv", "1,ann,10,100.0\n2,bob,10,200.0\n3,cid,20,300.0\n4,dan,30,\\N\n5,eve,\\N,50.0\n");
        _run.Write("dept/d.csv", "10,eng\n20,ops\n40,law\n");
    }

    public void Dispose() => _run.Dispose();

    private Task<string> Q(string sql) => _run.QueryAsync(Tables + sql);

    [Fact]
    public async Task Joins_InnerLeftRightFullCrossAndLeftSemi()
    {
        Assert.Equal("ann\teng\nbob\teng\ncid\tops\n", await Q("SELECT e.name, d.dname FROM emp e JOIN dept d ON e.dept = d.id ORDER BY e.name;"));
        Assert.Equal("ann\teng\nbob\teng\ncid\tops\ndan\tNULL\neve\tNULL\n", await Q("SELECT e.name, d.dname FROM emp e LEFT OUTER JOIN dept d ON (e.dept = d.id) ORDER BY e.name;"));
        Assert.Equal("NULL\tlaw\nann\teng\nbob\teng\ncid\tops\n", await Q("SELECT e.name, d.dname FROM emp e RIGHT OUTER JOIN dept d ON e.dept = d.id ORDER BY e.name, d.dname;"));
        Assert.Equal("6\n", await Q("SELECT count(*) FROM emp e FULL OUTER JOIN dept d ON e.dept = d.id;"));
        Assert.Equal("15\n", await Q("SELECT count(*) FROM emp CROSS JOIN dept;"));
        Assert.Equal("15\n", await Q("SELECT count(*) FROM emp, dept;"));
        Assert.Equal("ann\nbob\ncid\n", await Q("SELECT e.name FROM emp e LEFT SEMI JOIN dept d ON e.dept = d.id ORDER BY e.name;"));
    }

    [Fact]
    public async Task GroupByHavingDistinctOrderSortLimit()
    {
        Assert.Equal("NULL\t1\t50.0\n10\t2\t300.0\n", await Q("SELECT dept, count(*), sum(salary) FROM emp GROUP BY dept HAVING count(*) <> 1 OR dept IS NULL ORDER BY dept;"));
        Assert.Equal("NULL\n10\n20\n30\n", await Q("SELECT DISTINCT dept FROM emp ORDER BY dept;"));
        Assert.Equal("eve\ndan\ncid\n", await Q("SELECT name FROM emp SORT BY name DESC LIMIT 3;"));
        Assert.Equal("eve\ndan\n", await Q("SELECT name FROM emp DISTRIBUTE BY dept SORT BY name DESC LIMIT 2;"));
        Assert.Equal("ann\nbob\n", await Q("SELECT name FROM emp CLUSTER BY name LIMIT 2;"));
        Assert.Equal("5\t2\t4\n", await Q("SELECT count(*), count(DISTINCT dept) - 1, count(DISTINCT salary) FROM emp;"));
    }

    [Fact]
    public async Task UnionAllSubqueriesWithAndCase()
    {
        Assert.Equal("ann\nann\n", await Q("SELECT name FROM (SELECT name FROM emp WHERE id = 1 UNION ALL SELECT name FROM emp WHERE id = 1) u;"));
        Assert.Equal("bob\ncid\n", await Q("SELECT name FROM emp WHERE salary > (SELECT avg(salary) FROM emp) ORDER BY name;"));
        Assert.Equal("ann\nbob\ncid\n", await Q("SELECT name FROM emp WHERE dept IN (SELECT id FROM dept) ORDER BY name;"));
        Assert.Equal("dan\neve\n", await Q("SELECT name FROM emp e WHERE NOT EXISTS (SELECT 1 FROM dept d WHERE d.id = e.dept) ORDER BY name;"));
        Assert.Equal("10\t300.0\n", await Q("WITH t AS (SELECT dept, sum(salary) s FROM emp GROUP BY dept) SELECT dept, s FROM t WHERE s > 250 AND s < 301 AND dept = 10;"));
        Assert.Equal("ann\tlow\nbob\tmid\ncid\thigh\ndan\tnone\neve\tlow\n",
            await Q("SELECT name, CASE WHEN salary IS NULL THEN 'none' WHEN salary < 150 THEN 'low' WHEN salary < 250 THEN 'mid' ELSE 'high' END FROM emp ORDER BY name;"));
        Assert.Equal("one\tother\n", await Q("SELECT CASE 1 WHEN 1 THEN 'one' ELSE 'other' END, CASE 2 WHEN 1 THEN 'one' ELSE 'other' END;"));
    }

    [Fact]
    public async Task WindowFunctions()
    {
        Assert.Equal("ann\t1\t2\t300.0\t100.0\tNULL\nbob\t2\t1\t300.0\t300.0\t100.0\ncid\t1\t1\t300.0\t300.0\tNULL\n",
            await Q("SELECT name, row_number() OVER (PARTITION BY dept ORDER BY salary), rank() OVER (PARTITION BY dept ORDER BY salary DESC), " +
                "sum(salary) OVER (PARTITION BY dept), sum(salary) OVER (PARTITION BY dept ORDER BY salary ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW), " +
                "lag(salary) OVER (PARTITION BY dept ORDER BY salary) FROM emp WHERE dept IN (10, 20) ORDER BY name;"));
    }

    [Fact]
    public async Task LateralViewExplodePosexplodeAndOuter()
    {
        _run.Write("arr/a.txt", "1\x01" + "a\x02" + "b\n2\x01\n3\x01\\N\n");
        const string table = "CREATE EXTERNAL TABLE IF NOT EXISTS arr (id INT, xs ARRAY<STRING>) LOCATION '${D}/arr';\n";
        Assert.Equal("1\ta\n1\tb\n", await _run.QueryAsync(table + "SELECT id, x FROM arr LATERAL VIEW explode(xs) t AS x ORDER BY id, x;"));
        Assert.Equal("1\t0\ta\n1\t1\tb\n", await _run.QueryAsync(table + "SELECT id, p, x FROM arr LATERAL VIEW posexplode(xs) t AS p, x ORDER BY id, p;"));
        Assert.Equal("1\ta\n1\tb\n2\tNULL\n3\tNULL\n", await _run.QueryAsync(table + "SELECT id, x FROM arr LATERAL VIEW OUTER explode(xs) t AS x ORDER BY id, x;"));
        Assert.Equal("a\t1\nb\t2\n", await _run.QueryAsync("SELECT k, v FROM (SELECT 1 AS one) s LATERAL VIEW explode(map('a', 1, 'b', 2)) t AS k, v ORDER BY k;"));
    }

    [Fact]
    public async Task FromFirstAndMultiInsert()
    {
        var output = await Q("CREATE TABLE hi (name STRING); CREATE TABLE lo (name STRING);" +
            "FROM emp INSERT OVERWRITE TABLE hi SELECT name WHERE salary >= 200 INSERT OVERWRITE TABLE lo SELECT name WHERE salary < 200;" +
            "FROM hi SELECT name ORDER BY name; SELECT name FROM lo ORDER BY name;");
        Assert.Equal("bob\ncid\nann\neve\n", output);
    }

    [Fact]
    public async Task StringDateConditionalAndCollectionFunctions()
    {
        Assert.Equal("ABC\tabc\t3\tab\t  x\tx--\t2\t3\tcba\tabab\ta,b\t[\"a\",\"b\",\"\"]\tHello World\n",
            await _run.QueryAsync("SELECT upper('abc'), lower('ABC'), length('abc'), trim('  ab '), lpad('x', 3, ' '), rpad('x', 3, '-'), instr('abc', 'b'), locate('c', 'abcabc', 2), reverse('abc'), repeat('ab', 2), concat_ws(',', 'a', 'b'), split('a,b,', ','), initcap('hello world');"));
        Assert.Equal("2014-03-04\t2014\t3\t4\t10\t2014-03-06\t2014-03-02\t3\t2014-03-04 10:20:30\t1393928430\n",
            await _run.QueryAsync("SELECT to_date('2014-03-04 10:20:30'), year('2014-03-04'), month('2014-03-04'), day('2014-03-04'), hour('2014-03-04 10:20:30'), date_add('2014-03-04', 2), date_sub('2014-03-04', 2), datediff('2014-03-04', '2014-03-01'), from_unixtime(1393928430), unix_timestamp('2014-03-04 10:20:30');"));
        Assert.Equal("b\tx\t1\ttrue\tfalse\ttrue\t[1,2,3]\t2\t[\"k\"]\n",
            await _run.QueryAsync("SELECT if(1 > 2, 'a', 'b'), nvl(NULL, 'x'), coalesce(NULL, 1, 2), isnull(NULL), isnotnull(NULL), array_contains(array(1, 2), 2), sort_array(array(3, 1, 2)), size(array(1, 2)), map_keys(map('k', 1));"));
        Assert.Equal("[\"ann\",\"bob\"]\t1\n", await Q("SELECT sort_array(collect_list(name)), size(collect_set(dept)) FROM emp WHERE dept = 10;"));
    }

    [Fact]
    public async Task ColumnNames_AreAliasesColumnsOrPositions_PrintedWithHeaderWhenSet()
    {
        Assert.Equal("name\tn\t_c2\nann\t1\t2\n", await Q("SET hive.cli.print.header=true; SELECT name, id AS n, id + 1 FROM emp WHERE id = 1;"));
    }
}
