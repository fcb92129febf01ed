using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Sluice.Server.Compat.BatchCompute;

namespace Sluice.Server.Tests.Compat.BatchCompute;

/// <summary>
/// Pins the acs signer (the server's and the test client's, which share <see cref="AcsSignature"/>) to signatures
/// computed independently of the C# code: acs_sign.py, written from the batchcompute 2.1.7 SDK's algorithm with only
/// hmac, hashlib and base64. Three fixed vectors were computed once with that script and are committed here; the
/// script is also run by the test on requests the test client builds, so the whole request (headers, query encoding,
/// the unsigned contentMd5) is checked, not only the HMAC.
/// </summary>
public class AcsSignaturePinTests
{
    private static string Script([CallerFilePath] string here = "") => Path.Combine(Path.GetDirectoryName(here)!, "acs_sign.py");

    // Computed by `python3 acs_sign.py` (see the script) from the inputs below.
    public static TheoryData<string, string, string, string[], string> Vectors => new()
    {
        {
            "GET", "s3cr3t-key", "/clusters?Marker&MaxItemCount=10",
            ["Date=Wed, 02 Dec 2026 03:00:00 GMT", "Accept=application/json", "Content-Type=application/json", "x-acs-region-id=sluice", "x-acs-access-key-id=AK1",
             "x-acs-signature-method=HMAC-SHA1", "x-acs-signature-version=1.0", "x-acs-version=2015-11-11", "x-acs-signature-nonce=8c1e6a52-cf1f-11f0-9d4e-0242ac120002"],
            "rb5GmUNRipQj2eOwD/Qtv6Omh6c="
        },
        {
            // The SDK's contentMd5 header is not Content-MD5: the MD5 line stays empty.
            "POST", "another/secret+with=chars", "/jobs?IdempotentToken=tok-1",
            ["Date=Thu, 01 Jan 2026 00:00:00 GMT", "Accept=application/json", "Content-Type=application/json", "contentMd5=0cc175b9c0f1b6a831c399e269772661",
             "x-acs-region-id=cn-local", "x-acs-access-key-id=AK2", "x-acs-signature-method=HMAC-SHA1", "x-acs-signature-version=1.0", "x-acs-version=2015-11-11", "x-acs-signature-nonce=n-2"],
            "AsQ9tGq8RIjGjqxSHHN3tGR3knw="
        },
        {
            // A real Content-MD5 is signed (trimmed, as Accept is); x-acs-* are sorted by name as given, then lower-cased.
            "DELETE", "k", "/clusters/c-0001",
            ["Date=Fri, 13 Mar 2026 12:34:56 GMT", "Accept= application/json ", "Content-MD5= ZGVhZGJlZWY= ", "Content-Type=application/json", "X-Acs-Zeta=z", "x-acs-alpha=a"],
            "rJHZffsaK3cbrwCJtuEvYKb5SUU="
        },
    };

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Sign_FixedVector_MatchesThePythonSigner(string method, string secret, string target, string[] headers, string expected)
    {
        var pairs = headers.Select(h => h.Split('=', 2)).Select(p => new KeyValuePair<string, string>(p[0], p[1])).ToList();
        string Get(string name) => pairs.FirstOrDefault(p => string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase)).Value ?? "";
        var text = AcsSignature.StringToSign(method, Get("Accept"), Get("Content-MD5"), Get("Content-Type"), Get("Date"),
            pairs.Where(p => p.Key.StartsWith("x-acs-", StringComparison.OrdinalIgnoreCase)), target);

        Assert.Equal(expected, AcsSignature.Sign(secret, text));
    }

    [Fact]
    public async Task TestClientRequests_SignedAsThePythonSignerSigns()
    {
        using var client = new BatchComputeTestClient(new Uri("http://127.0.0.1:1"), "AKIDPIN", "pin-secret/+=");
        var requests = new List<(string Method, Dictionary<string, string> Headers, string Target)>();
        void Record(HttpRequestMessage message)
        {
            message.Dispose();
            requests.Add(client.LastSigned!.Value);
        }
        Record(client.Build(HttpMethod.Get, "/clusters", new Dictionary<string, string> { ["Marker"] = "", ["MaxItemCount"] = "10" }));
        Record(client.Build(HttpMethod.Post, "/jobs", new Dictionary<string, string> { ["IdempotentToken"] = "a b/c" }, "{\"Name\": \"x\"}"));
        Record(client.Build(HttpMethod.Get, "/jobs/j-1/tasks/Echo/instances", new Dictionary<string, string> { ["Marker"] = "2", ["MaxItemCount"] = "2", ["State"] = "Finished" }));
        Record(client.Build(HttpMethod.Delete, "/clusters/c-1"));

        var input = JsonSerializer.Serialize(requests.Select(r => new Dictionary<string, object>
        {
            ["method"] = r.Method,
            ["headers"] = r.Headers.Where(h => h.Key != "Authorization").ToDictionary(),
            ["target"] = r.Target,
            ["secret"] = "pin-secret/+=",
        }).ToList());
        var signatures = await RunPythonAsync(input);

        Assert.Equal(requests.Count, signatures.Length);
        for (var i = 0; i < requests.Count; i++)
        {
            Assert.Equal($"acs AKIDPIN:{signatures[i]}", requests[i].Headers["Authorization"]);
        }
        Assert.Equal("/clusters?Marker&MaxItemCount=10", requests[0].Target);
        Assert.Equal("/jobs?IdempotentToken=a%20b%2Fc", requests[1].Target);
    }

    private static async Task<string[]> RunPythonAsync(string input)
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
            throw new InvalidOperationException("python3 is needed to pin the acs signer (install python3; the script uses only its standard library)", e);
        }
        using (process)
        {
            await process.StandardInput.WriteAsync(input);
            process.StandardInput.Close();
            var output = await process.StandardOutput.ReadToEndAsync();
            var error = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 0, $"acs_sign.py failed: {error}");
            return output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        }
    }
}
