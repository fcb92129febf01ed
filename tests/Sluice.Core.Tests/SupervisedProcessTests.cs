using Sluice.Core.Ports;

namespace Sluice.Core.Tests;

/// <summary>The supervision both compute backends share (the conformance kit drives it through each backend too).</summary>
public class SupervisedProcessTests
{
    [Fact]
    public async Task RequestEnd_SeveralRequests_FirstReasonIsReportedAndEndRunsOnce()
    {
        var process = new TestProcess();

        process.RequestEnd(ProcessEndReason.Killed);
        process.RequestEnd(ProcessEndReason.Lost, "lost");
        var exit = await process.Completion;

        Assert.Equal(1, process.Ends);
        Assert.Equal(ProcessEndReason.Killed, exit.Reason);
        Assert.Equal("Killed on request; the test ended it.", exit.Message);
        Assert.Equal("host", exit.Host);
    }

    [Fact]
    public async Task RequestEnd_AfterARecordedReason_EndsTheProcessAndReportsTheRecordedReason()
    {
        var process = new TestProcess();

        process.Record(ProcessEndReason.Killed, "its node was released");
        Assert.Equal(0, process.Ends);
        process.RequestEnd(ProcessEndReason.Lost, "lost");
        var exit = await process.Completion;

        Assert.Equal(1, process.Ends);
        Assert.Equal((ProcessEndReason.Killed, "its node was released"), (exit.Reason, exit.Message));
    }

    [Fact]
    public async Task TakeOverEnd_ThenRequests_EndNeverRuns()
    {
        var process = new TestProcess();

        Assert.True(process.TakeOver());
        Assert.False(process.TakeOver());
        process.RequestEnd(ProcessEndReason.TimedOut);
        process.Exit(137);
        var exit = await process.Completion;

        Assert.Equal(0, process.Ends);
        Assert.Equal(ProcessEndReason.Killed, exit.Reason);
    }

    [Fact]
    public async Task RequestEnd_AfterTheProcessExited_IsIgnored()
    {
        var process = new TestProcess();

        process.Exit(3);
        var exit = await process.Completion;
        process.RequestEnd(ProcessEndReason.Killed);

        Assert.Equal(0, process.Ends);
        Assert.Equal((ProcessEndReason.Exited, 3), (exit.Reason, exit.ExitCode));
        Assert.False(process.TakeOver());
    }

    [Fact]
    public async Task TimeLimit_Passes_EndsTheProcessAsTimedOut()
    {
        var process = new TestProcess(TimeSpan.FromMilliseconds(50));

        var exit = await process.Completion.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(1, process.Ends);
        Assert.Equal(ProcessEndReason.TimedOut, exit.Reason);
        Assert.Equal("Timed out after 00:00:00.0500000; the test ended it.", exit.Message);
    }

    [Fact]
    public async Task SuperviseAsync_Throws_CompletionReportsLostNamingTheSubject()
    {
        var process = new TestProcess();

        process.Fail(new IOException("pipe broke"));
        var exit = await process.Completion;

        Assert.Equal(ProcessEndReason.Lost, exit.Reason);
        Assert.Equal("Supervising the test process failed: pipe broke", exit.Message);
        Assert.Equal("host", exit.Host);
    }

    private sealed class TestProcess : SupervisedProcess
    {
        private readonly TaskCompletionSource<int?> _exit = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _ends;

        public TestProcess(TimeSpan? timeLimit = null)
            : base(timeLimit, DateTimeOffset.UnixEpoch, "host", TimeProvider.System) =>
            StartSupervision("the test process");

        public int Ends => Volatile.Read(ref _ends);

        public override string BackendId => "test";

        public override Task KillAsync(CancellationToken cancellationToken)
        {
            RequestEnd(ProcessEndReason.Killed);
            return Task.CompletedTask;
        }

        public void Exit(int code) => _exit.TrySetResult(code);

        public void Fail(Exception exception) => _exit.TrySetException(exception);

        public bool TakeOver() => TakeOverEnd(ProcessEndReason.Killed);

        public void Record(ProcessEndReason reason, string message) => RecordEndReason(reason, message);

        protected override void End()
        {
            Interlocked.Increment(ref _ends);
            _exit.TrySetResult(null);
        }

        protected override async Task<ProcessExit> SuperviseAsync()
        {
            var code = await _exit.Task;
            var request = await RecordExitAsync();
            return request is { } ending
                ? EndedOnRequest(ending, "the test ended it", Now)
                : Ended(ProcessEndReason.Exited, code, null, Now);
        }
    }
}
