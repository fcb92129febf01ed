using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Sluice.Console.Tests;

/// <summary>How the server serves the console's files: only its own assets, with a strict policy; API answers never cached.</summary>
[Collection(ConsoleCollection.Name)]
public sealed partial class ConsoleAssetsTests(ConsoleFixture fixture)
{
    private HttpClient NewHttp() => new() { BaseAddress = fixture.Endpoint };

    [Fact]
    public async Task GetRoot_Always_ServesThePageWithAStrictPolicyAndNoInlineScript()
    {
        using var http = NewHttp();
        using var response = await http.GetAsync(new Uri("/", UriKind.Relative));
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var policy = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'none'", policy, StringComparison.Ordinal);
        Assert.Contains("script-src 'self'", policy, StringComparison.Ordinal);
        Assert.Contains("connect-src 'self'", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe", policy, StringComparison.Ordinal);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        // Every script is a file of the console's own; none is written into the page.
        Assert.All(ScriptTag().Matches(html), tag => Assert.Contains("src=\"/console/", tag.Value, StringComparison.Ordinal));
        Assert.Contains("<meta name=\"sluice-region\" content=\"local\">", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/console/app.js", "text/javascript")]
    [InlineData("/console/views/job.js", "text/javascript")]
    [InlineData("/console/console.css", "text/css")]
    public async Task GetConsoleFile_OneOfItsAssets_ServedWithItsTypeAndPolicy(string path, string mediaType)
    {
        using var http = NewHttp();
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        Assert.NotEmpty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task GetConsoleFile_WithItsETag_Is304NotModified()
    {
        using var http = NewHttp();
        using var first = await http.GetAsync(new Uri("/console/app.js", UriKind.Relative));
        using var again = new HttpRequestMessage(HttpMethod.Get, new Uri("/console/app.js", UriKind.Relative));
        again.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        using var response = await http.SendAsync(again);

        Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
    }

    // Each names a file outside the console's assets: the database, the secrets key, the server's own assembly, a system file.
    [Theory]
    [InlineData("/console/..%2Fsluice.db")]
    [InlineData("/console/..%2F..%2Fkeys%2Fsecrets.key")]
    [InlineData("/console/%2e%2e/%2e%2e/etc/passwd")]
    [InlineData("/console/views/..%2F..%2FSluice.Server.dll")]
    [InlineData("/console/%2Fetc%2Fpasswd")]
    [InlineData("/console/Console/wwwroot/app.js")]
    [InlineData("/console/missing.js")]
    [InlineData("/console/")]
    public async Task GetConsoleFile_NotOneOfItsAssets_Is404NotFound(string path)
    {
        using var http = NewHttp();
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        using var error = JsonDocument.Parse(body);
        Assert.Equal("NotFound", error.RootElement.GetProperty("code").GetString());
        Assert.DoesNotContain("root:", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostRoot_NotAConsoleMethod_Is404NotFound()
    {
        using var http = NewHttp();
        using var content = new StringContent("x");
        using var response = await http.PostAsync(new Uri("/console/app.js", UriKind.Relative), content);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Theory]
    [InlineData("/v1/clusters")]
    [InlineData("/V1/jobs")]
    public async Task GetApi_AnyAnswer_IsNeitherCachedNorSniffed(string path)
    {
        using var http = NewHttp();
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.True(response.Headers.CacheControl?.NoStore);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
    }

    [GeneratedRegex("<script[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex ScriptTag();
}
