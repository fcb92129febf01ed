using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace Sluice.Streaming.Internal;

/// <summary>Streams sorted records into a reducer or combiner command and hands each output line back.</summary>
internal static class CommandPipe
{
    /// <summary>Blocks until the command exits; returns its exit code.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Run(StreamingCommandProcess child, RecordSource input, byte[] separator, GroupCounter groups, Action<ReadOnlySpan<byte>> onLine)
    {
        Exception? feedError = null;
        var feeder = new Thread(() =>
        {
            try
            {
                var sink = new BufferedSink(child.Stdin);
                while (input.MoveNext())
                {
                    var key = input.Key;
                    groups.IsNewGroup(key);
                    sink.WriteRecord(key, separator, input.Value);
                }
                sink.Flush();
            }
            catch (IOException)
            {
                // The command stopped reading; its exit code decides.
            }
            catch (Exception e)
            {
                feedError = e;
                child.Kill();
            }
            finally
            {
                child.CloseStdin();
            }
        })
        { IsBackground = true, Name = "streaming-feed" };
        feeder.Start();
        try
        {
            var reader = new LineReader(child.Stdout);
            while (reader.TryReadLine(out var line))
            {
                onLine(line);
            }
        }
        catch
        {
            child.Kill();
            feeder.Join();
            throw;
        }
        feeder.Join();
        if (feedError is not null)
        {
            ExceptionDispatchInfo.Throw(feedError);
        }
        return child.WaitForExit();
    }
}
