using System.Diagnostics;
using System.Text.Json;
using Sluice.Server.Compat.Bmr;

namespace Sluice.Server.Tests.Compat.Bmr;

/// <summary>
/// Issue #17: the bce-auth-v1 signer the server verifies with (and these tests sign with) agrees with an
/// independent implementation, bce_auth_v1.py beside this file (plain hmac and hashlib), which each test runs.
/// </summary>
public class BceAuthV1VectorTests
{
    private sealed record Case(string Ak, string Sk, string Timestamp, int Expiration, string Method, string Path,
        string[][] Params, string[][] Headers, string[] SignedHeaders);

    private static readonly Case[] Cases =
    [
        // GET cluster as BmrClient sends it: no query, host with the port, x-bce-date.
        new("AKSLUICE0001", "secret-one", "2026-12-02T03:04:05Z", 1800, "GET", "/v1/cluster/c-0123456789abcdef",
            [], [["Host", "127.0.0.1:8780"], ["x-bce-date", "2026-12-02T03:04:05Z"], ["User-Agent", "bce-sdk-python/0.8.35"], ["Content-Length", "0"]], ["host", "x-bce-date"]),
        // create with a clientToken that needs encoding (space, slash, non-ASCII, '+', '=').
        new("AKSLUICE0002", "s3cr3t/with+chars=", "2026-01-31T23:59:59Z", 1800, "POST", "/v1/cluster",
            [["clientToken", "tok en/é+="]], [["host", "bmr.local:8780"], ["x-bce-date", "2026-01-31T23:59:59Z"], ["Content-Length", "321"]], ["host", "x-bce-date"]),
        // list steps: two parameters sorted by key, an empty value, an extra x-bce-* header signed though unlisted, a
        // default-port host, and a header value with surrounding blanks.
        new("AKSLUICE0003", "another-secret", "2026-06-15T12:00:00Z", 600, "GET", "/v1/cluster/c-1/step",
            [["maxKeys", "5"], ["marker", ""], ["pageNo", "2"]], [["Host", "example.com"], ["X-Bce-Date", "2026-06-15T12:00:00Z"], ["x-bce-meta-note", "  a b  "], ["content-type", "text/plain"]], ["host", "x-bce-date"]),
        // no signed-header list: the default set (host, content-md5, content-length, content-type) plus x-bce-*.
        new("AKSLUICE0004", "k", "2026-03-03T03:03:03Z", 1800, "DELETE", "/v1/cluster/c-2",
            [], [["host", "127.0.0.1:9000"], ["x-bce-date", "2026-03-03T03:03:03Z"], ["content-length", "0"], ["content-type", "application/json"]], []),
    ];

    private static string Script()
    {
        var dir = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(dir, "Sluice.slnx")))
        {
            dir = Path.GetDirectoryName(dir) ?? throw new InvalidOperationException("Sluice.slnx not found above the test directory");
        }
        return Path.Combine(dir, "tests", "Sluice.Server.Tests", "Compat", "Bmr", "bce_auth_v1.py");
    }

    private static async Task<string[]> PythonAsync(IEnumerable<Case> cases)
    {
        var start = new ProcessStartInfo("python3") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Script());
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"python3 is not installed; the signer's independent check needs it (apt-get install python3). {e.Message}", e);
        }
        using (process)
        {
            var options = new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
            foreach (var c in cases)
            {
                await process.StandardInput.WriteLineAsync(JsonSerializer.Serialize(c, options));
            }
            process.StandardInput.Close();
            var output = await process.StandardOutput.ReadToEndAsync();
            var error = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 0, error);
            return output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        }
    }

    private static string CSharp(Case c)
    {
        var signed = c.SignedHeaders.Length == 0 ? BceAuthV1.DefaultSignedHeaders : c.SignedHeaders;
        var key = BceAuthV1.SigningKey(c.Sk, c.Ak, c.Timestamp, c.Expiration);
        var signature = BceAuthV1.Signature(key, c.Method, c.Path,
            BceAuthV1.CanonicalQuery(c.Params.Select(p => new KeyValuePair<string, string>(p[0], p[1]))),
            BceAuthV1.CanonicalHeaders(c.Headers.Select(h => new KeyValuePair<string, string>(h[0], h[1])), signed.ToHashSet()));
        return BceAuthV1.Authorization(c.Ak, c.Timestamp, c.Expiration, c.SignedHeaders, signature);
    }

    [Fact]
    public async Task Signer_FourCases_MatchesTheIndependentPythonSigner()
    {
        var python = await PythonAsync(Cases);

        Assert.Equal(Cases.Length, python.Length);
        for (var i = 0; i < Cases.Length; i++)
        {
            Assert.Equal(python[i], CSharp(Cases[i]));
        }
        Assert.Equal(4, python.Distinct().Count());
    }

    [Fact]
    public async Task Sign_AsTheTestsAndBenchSignRequests_MatchesThePythonSigner()
    {
        var at = new DateTimeOffset(2026, 12, 2, 4, 5, 6, TimeSpan.Zero);
        var header = BceAuthV1.Sign("AKSIGN", "sign-secret", at, "POST", "/v1/cluster/c-9/step", [new("clientToken", "t-1")],
            [new("host", "127.0.0.1:8780"), new("x-bce-date", "2026-12-02T04:05:06Z")]);

        var python = await PythonAsync([new Case("AKSIGN", "sign-secret", "2026-12-02T04:05:06Z", 1800, "POST", "/v1/cluster/c-9/step",
            [["clientToken", "t-1"]], [["host", "127.0.0.1:8780"], ["x-bce-date", "2026-12-02T04:05:06Z"]], ["host", "x-bce-date"])]);

        Assert.Equal(python[0], header);
        Assert.StartsWith("bce-auth-v1/AKSIGN/2026-12-02T04:05:06Z/1800/host;x-bce-date/", header, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_TheSignersOutput_GivesItsFieldsBack_AndRefusesOtherShapes()
    {
        var header = CSharp(Cases[0]);

        var parsed = BceAuthV1.Parse(header);

        Assert.NotNull(parsed);
        Assert.Equal(("AKSLUICE0001", "2026-12-02T03:04:05Z", 1800, "host;x-bce-date"), (parsed.AccessKeyId, parsed.Timestamp, parsed.ExpirationSeconds, string.Join(';', parsed.SignedHeaders)));
        Assert.Null(BceAuthV1.Parse("bce-auth-v1/AK/2026-12-02T03:04:05Z/1800/host"));
        Assert.Null(BceAuthV1.Parse("bce-auth-v1/AK/2026-12-02 03:04:05/1800/host/" + new string('a', 64)));
        Assert.Null(BceAuthV1.Parse("bce-auth-v1/AK/2026-12-02T03:04:05Z/-5/host/" + new string('a', 64)));
        Assert.Null(BceAuthV1.Parse("AWS4-HMAC-SHA256 Credential=AK/20261202/local/sluice/aws4_request"));
    }
}
