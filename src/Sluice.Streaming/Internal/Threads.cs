namespace Sluice.Streaming.Internal;

/// <summary>Blocking pipe loops run on dedicated threads so they never starve the thread pool.</summary>
internal static class Threads
{
    public static Task Run(Action action) =>
        Task.Factory.StartNew(action, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    public static Task<T> Run<T>(Func<T> func) =>
        Task.Factory.StartNew(func, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
}
