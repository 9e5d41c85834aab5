using System.Globalization;

namespace CoolCache.Server.Logging;

/// <summary>Redis-style log lines: "pid:M 24 Nov 2026 01:50:00.123 * message".</summary>
public sealed class ServerLog
{
    private readonly object _gate = new();
    private readonly TextWriter _out;
    private volatile int _level;

    public ServerLog(string level, string logFile)
    {
        _out = string.IsNullOrEmpty(logFile) ? Console.Out : new StreamWriter(logFile, append: true) { AutoFlush = true };
        SetLevel(level);
    }

    public void SetLevel(string level) => _level = level switch
    {
        "debug" => 0,
        "verbose" => 1,
        "notice" => 2,
        "warning" => 3,
        _ => 4,
    };

    public void Debug(string message) => Write(0, '.', message);
    public void Verbose(string message) => Write(1, '-', message);
    public void Notice(string message) => Write(2, '*', message);
    public void Warning(string message) => Write(3, '#', message);

    private void Write(int level, char mark, string message)
    {
        if (level < _level) return;
        var stamp = DateTime.Now.ToString("dd MMM yyyy HH:mm:ss.fff", CultureInfo.InvariantCulture);
        lock (_gate)
        {
            _out.WriteLine($"{Environment.ProcessId}:M {stamp} {mark} {message}");
            _out.Flush();
        }
    }
}
