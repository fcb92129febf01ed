using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using Sluice.Client;
using Sluice.Contracts;
using Sluice.Server.Hosting;

namespace Sluice.Console.Tests;

/// <summary>
/// A real Sluice server on 127.0.0.1 (temporary data directory, SQLite, tasks as real processes) with a ready
/// keep-alive cluster, and Debian's Chromium driven by Playwright, started headless and kept off the network.
/// </summary>
public sealed class ConsoleFixture : IAsyncLifetime
{
    /// <summary>The browser Playwright drives: Debian's package, never a downloaded one.</summary>
    public const string ChromiumPath = "/usr/bin/chromium";

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "sluice-console-tests-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly ConcurrentDictionary<IPage, ConcurrentQueue<string>> _pageErrors = new();
    private WebApplication _app = null!;
    private IPlaywright _playwright = null!;

    public Uri Endpoint { get; private set; } = null!;
    public SluiceClient Client { get; private set; } = null!;
    public string KeyId { get; private set; } = "";
    public string Secret { get; private set; } = "";
    public string AccountName => "console-tests";
    public IBrowserContext Browser { get; private set; } = null!;

    /// <summary>A ready keep-alive cluster: 1 Master g.small, 2 Core g.large.</summary>
    public string ClusterId { get; private set; } = "";

    /// <summary>Where the tests' screenshots go (a test artefact, next to the test assembly).</summary>
    public static string ScreenshotDirectory => Path.Combine(AppContext.BaseDirectory, "screenshots");

    public static WaitOptions Fast => new() { PollInterval = TimeSpan.FromMilliseconds(100), MaxPollInterval = TimeSpan.FromMilliseconds(500), Timeout = TimeSpan.FromSeconds(90) };

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"{ChromiumPath} is missing: apt-get install chromium (scripts/test.sh installs it)");
        }
        _app = SluiceServerHost.Build(new SluiceServerOptions
        {
            DataDirectory = _dataDirectory,
            Url = "http://127.0.0.1:0",
            LogLevel = LogLevel.Warning,
            // A second account, for the tenancy test, on a server without the sandbox.
            AllowUnisolatedAccounts = true,
        });
        await _app.StartAsync();
        Endpoint = SluiceServerHost.BoundAddress(_app);
        var key = (await SluiceServerHost.EnsureAccountAsync(_app, AccountName, CancellationToken.None))!;
        (KeyId, Secret) = (key.KeyId, key.Secret);
        Client = NewClient(KeyId, Secret);
        ClusterInfo cluster = await Client.CreateClusterAsync(new ClusterRequestBuilder().WithName("console")
            .AddInstanceGroup(InstanceRole.Master, "g.small", 1).AddInstanceGroup(InstanceRole.Core, "g.large", 2).KeepAlive().Build());
        ClusterId = cluster.Id;
        await Client.WaitForClusterReadyAsync(ClusterId, Fast);

        Directory.CreateDirectory(ScreenshotDirectory);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchPersistentContextAsync(Path.Combine(_dataDirectory, "chromium-profile"), new BrowserTypeLaunchPersistentContextOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            // Without these Chromium keeps trying to reach Google's hosts, which this machine's closed network refuses.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
        });
        Browser.SetDefaultTimeout(30_000);
        Assertions.SetDefaultExpectTimeout(30_000);
    }

    public SluiceClient NewClient(string keyId, string secret) => new(new SluiceClientOptions
    {
        Endpoint = Endpoint,
        Credentials = new SluiceCredentials(keyId, secret),
        Retry = new SluiceRetryOptions { MaxRetries = 0 },
    });

    /// <summary>A new tab (its own session storage, so signed out) on the console, recording script errors and CSP violations.</summary>
    public async Task<IPage> OpenConsoleAsync()
    {
        var page = await Browser.NewPageAsync();
        var errors = _pageErrors.GetOrAdd(page, _ => new());
        page.PageError += (_, error) => errors.Enqueue("page error: " + error);
        page.Console += (_, message) =>
        {
            // A 404 the console asked for on purpose (the tenancy test) is logged by Chromium as a failed resource.
            if (message.Type == "error" && !message.Text.StartsWith("Failed to load resource", StringComparison.Ordinal))
            {
                errors.Enqueue("console error: " + message.Text);
            }
        };
        await page.GotoAsync(Endpoint.ToString());
        return page;
    }

    /// <summary>Opens the console and signs in the way a user does: the labelled fields, then Enter.</summary>
    public async Task<IPage> SignedInAsync(string? keyId = null, string? secret = null)
    {
        var page = await OpenConsoleAsync();
        await SignInAsync(page, keyId ?? KeyId, secret ?? Secret);
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToBeVisibleAsync();
        return page;
    }

    public static async Task SignInAsync(IPage page, string keyId, string secret)
    {
        await page.GetByLabel("Access key id").FillAsync(keyId);
        await page.GetByLabel("Secret access key").FillAsync(secret);
        await page.GetByLabel("Secret access key").PressAsync("Enter");
    }

    /// <summary>Fails on any script error or Content-Security-Policy violation the page reported, then closes it.</summary>
    public async Task CloseCleanAsync(IPage page)
    {
        var errors = _pageErrors.TryRemove(page, out var queue) ? queue.ToArray() : [];
        await page.CloseAsync();
        Assert.Empty(errors);
    }

    public static Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, name + ".png"), FullPage = true });

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }
        _playwright?.Dispose();
        Client?.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
