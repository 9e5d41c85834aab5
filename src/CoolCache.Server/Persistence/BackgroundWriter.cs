using System.Runtime.InteropServices;

namespace CoolCache.Server.Persistence;

/// <summary>
/// Where snapshot writers run (BGSAVE, BGREWRITEAOF): a dedicated thread at the lowest priority (nice 19
/// for this thread alone: on Linux a thread is scheduled on its own). Redis's forked child competes with
/// the server for the CPU as an equal, so clients wait longer while it writes; here, on a busy core, the
/// writer gets a small share and the save takes longer instead of the clients. With a free core it runs
/// there at full speed. (SCHED_IDLE starved the save completely under load; pausing the writer while
/// commands ran changed nothing measurable.)
/// </summary>
internal static class BackgroundWriter
{
    private const int PrioProcess = 0;
    private const int LowestNice = 19;

    /// <summary>Run work on a new low-priority background thread; the task ends when it has.</summary>
    public static Task Run(string name, Action work)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            LowerPriority();
            try
            {
                work();
                done.SetResult();
            }
            catch (Exception ex)
            {
                done.SetException(ex);
            }
        })
        { IsBackground = true, Name = name };
        thread.Start();
        return done.Task;
    }

    private static void LowerPriority()
    {
        try
        {
            if (OperatingSystem.IsLinux())
            {
                _ = SetPriority(PrioProcess, GetTid(), LowestNice);
            }
            else Thread.CurrentThread.Priority = ThreadPriority.Lowest;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException or PlatformNotSupportedException)
        {
            // no way to lower it here: the writer runs at normal priority, as Redis's child does
        }
    }

    [DllImport("libc", EntryPoint = "setpriority")]
    private static extern int SetPriority(int which, int who, int prio);

    [DllImport("libc", EntryPoint = "gettid")]
    private static extern int GetTid();
}
