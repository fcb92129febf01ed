using System.Buffers.Text;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Sluice.Contracts;

namespace Sluice.Bench.Foundation;

/// <summary>
/// A lean closed-loop HTTP/1.1 load generator, run as a child process (<c>Sluice.Bench --http-load</c>) so the
/// server's CPU time can be read apart from the client's, in the manner of wrk: <c>concurrency</c> keep-alive
/// connections, each sending one GET and reading the whole response before the next. When given a key it signs
/// requests with SigV4 as the SDK does (see <see cref="Signer"/>); the server verifies every one.
/// Prints <c>start</c> when the measured window opens, <c>end</c> when it closes, then one result line; the
/// latencies go to a file so the parent can merge rounds.
/// </summary>
internal static class HttpLoadGenerator
{
    public const string Flag = "--http-load";

    /// <summary>Child-process entry: <c>--http-load URL CONCURRENCY WARMUP_S DURATION_S LATENCY_FILE [KEY_ID SECRET]</c>.</summary>
    public static async Task<int> RunChildAsync(string[] args)
    {
        var url = new Uri(args[1]);
        var concurrency = int.Parse(args[2], CultureInfo.InvariantCulture);
        var warmUp = TimeSpan.FromSeconds(double.Parse(args[3], CultureInfo.InvariantCulture));
        var duration = TimeSpan.FromSeconds(double.Parse(args[4], CultureInfo.InvariantCulture));
        var latencyFile = args[5];
        var signer = args.Length >= 8 ? new Signer(url, args[6], args[7]) : null;

        var (measureFrom, measureTo) = LoadLoop.Window(warmUp, duration);
        var latencies = new List<double>[concurrency];
        var errors = new long[concurrency];
        var workers = new Task[concurrency];
        var marks = Task.Run(async () =>
        {
            await Task.Delay(warmUp);
            Console.Out.WriteLine("start");
            Console.Out.Flush();
            await Task.Delay(duration);
            Console.Out.WriteLine("end");
            Console.Out.Flush();
        });
        for (var w = 0; w < concurrency; w++)
        {
            var index = w;
            latencies[w] = new List<double>(65536);
            workers[w] = Task.Run(() => ConnectionLoopAsync(url, signer, measureFrom, measureTo, latencies[index], errors, index));
        }
        await Task.WhenAll(workers);
        await marks;
        var all = latencies.SelectMany(l => l).ToArray();
        await File.WriteAllBytesAsync(latencyFile, System.Runtime.InteropServices.MemoryMarshal.AsBytes(all.AsSpan()).ToArray());
        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"errors={errors.Sum()} cpu={Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds}"));
        return 0;
    }

    private static async Task ConnectionLoopAsync(Uri url, Signer? signer, long measureFrom, long measureTo, List<double> latencies, long[] errors, int index)
    {
        var buffer = new byte[64 * 1024];
        var unsigned = Encoding.ASCII.GetBytes($"GET {url.PathAndQuery} HTTP/1.1\r\nHost: {url.Authority}\r\n\r\n");
        Socket? socket = null;
        while (Stopwatch.GetTimestamp() < measureTo)
        {
            var t0 = Stopwatch.GetTimestamp();
            try
            {
                if (socket is null)
                {
                    socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                    await socket.ConnectAsync(new IPEndPoint(IPAddress.Parse(url.Host), url.Port));
                }
                var request = signer?.Request() ?? unsigned;
                await socket.SendAsync(request, SocketFlags.None);
                if (!await ReadResponseAsync(socket, buffer))
                {
                    errors[index]++;
                }
            }
            catch (SocketException)
            {
                errors[index]++;
                socket?.Dispose();
                socket = null;
                continue;
            }
            var t1 = Stopwatch.GetTimestamp();
            if (t0 >= measureFrom && t1 <= measureTo)
            {
                latencies.Add((t1 - t0) * 1000.0 / Stopwatch.Frequency);
            }
        }
        socket?.Dispose();
    }

    /// <summary>
    /// Reads one response (Content-Length or chunked, as minimal APIs send JSON); true when its status is 200.
    /// Responses here are small, so the whole of one fits the buffer.
    /// </summary>
    private static async Task<bool> ReadResponseAsync(Socket socket, byte[] buffer)
    {
        var filled = 0;
        int headerEnd;
        while ((headerEnd = buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8)) < 0)
        {
            filled += await ReceiveAsync(socket, buffer, filled);
        }
        var ok = buffer.AsSpan(0, headerEnd).StartsWith("HTTP/1.1 200"u8);
        var at = buffer.AsSpan(0, headerEnd).IndexOf("\r\nContent-Length: "u8);
        if (at >= 0 && Utf8Parser.TryParse(buffer.AsSpan(at + 18, headerEnd - at - 18), out int length, out _))
        {
            while (filled < headerEnd + 4 + length)
            {
                filled += await ReceiveAsync(socket, buffer, filled);
            }
            return ok;
        }
        // Chunked: the body ends with the zero-size chunk.
        while (!buffer.AsSpan(headerEnd + 2, filled - headerEnd - 2).EndsWith("\r\n0\r\n\r\n"u8))
        {
            filled += await ReceiveAsync(socket, buffer, filled);
        }
        return ok;
    }

    private static async Task<int> ReceiveAsync(Socket socket, byte[] buffer, int filled)
    {
        var read = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None);
        return read > 0 ? read : throw new SocketException((int)SocketError.ConnectionReset);
    }

    /// <summary>
    /// SigV4 as <c>SluiceClient</c> signs: the day's signing key cached, a fresh <c>x-amz-date</c> and signature
    /// per second. Two GETs of one URL signed within the same second are byte for byte the same request, so
    /// the signed bytes are reused within the second (the server still verifies every one); signing each
    /// anew would only spend this process's CPU on identical results.
    /// </summary>
    private sealed class Signer(Uri url, string keyId, string secret)
    {
        private const string Region = "local";
        private readonly Lock _gate = new();
        private byte[]? _key;
        private string _keyDate = "";
        private string _amzDate = "";
        private byte[] _request = [];

        public byte[] Request()
        {
            var amzDate = SigV4.FormatDate(DateTimeOffset.UtcNow);
            lock (_gate)
            {
                if (amzDate != _amzDate)
                {
                    _request = Sign(amzDate);
                    _amzDate = amzDate;
                }
                return _request;
            }
        }

        private byte[] Sign(string amzDate)
        {
            var date = amzDate[..8];
            if (date != _keyDate)
            {
                _key = SigV4.DeriveSigningKey(secret, date, Region);
                _keyDate = date;
            }
            KeyValuePair<string, string>[] signed =
            [
                new("host", url.Authority),
                new(SigV4.ContentHashHeader, SigV4.EmptyPayloadHash),
                new(SigV4.DateHeader, amzDate),
            ];
            var signature = SigV4.ComputeSignature(_key!, "GET", url.AbsolutePath, url.Query.TrimStart('?'), signed, SigV4.EmptyPayloadHash, amzDate, Region);
            return Encoding.ASCII.GetBytes(
                $"GET {url.PathAndQuery} HTTP/1.1\r\nHost: {url.Authority}\r\n{SigV4.ContentHashHeader}: {SigV4.EmptyPayloadHash}\r\n" +
                $"{SigV4.DateHeader}: {amzDate}\r\nAuthorization: {SigV4.AuthorizationHeader(keyId, amzDate, Region, signed, signature)}\r\n\r\n");
        }
    }

    /// <summary>
    /// Runs the generator as a child process against <paramref name="url"/> and adds its latencies to
    /// <paramref name="into"/>, with this process's CPU time over the child's measured window (the servers live
    /// here; the client does not).
    /// </summary>
    public static async Task RunAsync(LoadResult into, Uri url, int concurrency, TimeSpan warmUp, TimeSpan duration, (string KeyId, string Secret)? key, CancellationToken cancellationToken)
    {
        var latencyFile = Path.GetTempFileName();
        var host = Environment.ProcessPath!;
        var info = new ProcessStartInfo(host) { UseShellExecute = false, RedirectStandardOutput = true };
        // Started as `dotnet Sluice.Bench.dll` the child needs the dll named; started through the apphost
        // (what `dotnet run` does) it must not get it, or the dll path becomes its first argument.
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            info.ArgumentList.Add(Environment.GetCommandLineArgs()[0]);
        }
        foreach (var arg in new[] { Flag, url.ToString(), concurrency.ToString(CultureInfo.InvariantCulture), warmUp.TotalSeconds.ToString(CultureInfo.InvariantCulture), duration.TotalSeconds.ToString(CultureInfo.InvariantCulture), latencyFile })
        {
            info.ArgumentList.Add(arg);
        }
        if (key is { } k)
        {
            info.ArgumentList.Add(k.KeyId);
            info.ArgumentList.Add(k.Secret);
        }
        using var child = Process.Start(info) ?? throw new InvalidOperationException("the load generator did not start");
        TimeSpan serverCpuStart = default, serverCpuEnd = default;
        string? result = null;
        while (await child.StandardOutput.ReadLineAsync(cancellationToken) is { } line)
        {
            switch (line)
            {
                case "start": serverCpuStart = Process.GetCurrentProcess().TotalProcessorTime; break;
                case "end": serverCpuEnd = Process.GetCurrentProcess().TotalProcessorTime; break;
                default: result = line; break;
            }
        }
        await child.WaitForExitAsync(cancellationToken);
        if (child.ExitCode != 0 || result is null)
        {
            throw new InvalidOperationException($"the load generator exited {child.ExitCode}");
        }
        var fields = result.Split(' ').Select(f => f.Split('=')).ToDictionary(f => f[0], f => double.Parse(f[1], CultureInfo.InvariantCulture));
        var latencies = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(await File.ReadAllBytesAsync(latencyFile, cancellationToken)).ToArray();
        File.Delete(latencyFile);
        into.Add(latencies, duration.TotalSeconds, (serverCpuEnd - serverCpuStart).TotalSeconds, (long)fields["errors"], fields["cpu"]);
    }
}
