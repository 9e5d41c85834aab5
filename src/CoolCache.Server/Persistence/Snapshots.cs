using System.Diagnostics;
using CoolCache.Core;
using CoolCache.Core.Commands;
using CoolCache.Core.State;
using CoolCache.Server.Logging;

namespace CoolCache.Server.Persistence;

/// <summary>
/// RDB snapshots (rdb.c rdbSave / rdbSaveBackground / rdbLoad): the file is written to a temp file in
/// <c>dir</c>, flushed to disk, then renamed over <c>dbfilename</c>, so a crash never leaves a torn file.
/// A background save writes a frozen World on a thread of its own (no fork: the World is persistent), while
/// the engine goes on serving. The engine calls these under its lock, except the writing itself.
/// </summary>
public sealed class Snapshots
{
    private readonly ServerLog _log;
    private readonly object _state = new();
    private long _lastSave = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
    private long _lastAttemptMs = Environment.TickCount64;
    private bool _lastBgSaveOk = true;
    private long _lastBgSaveSeconds = -1;
    private long _saves;
    private long _bgStartedTicks;
    private Task? _background;
    private bool _scheduled;

    public Snapshots(ServerLog log) => _log = log;

    /// <summary>The append-only file's INFO fields (set once the file is open).</summary>
    public Func<AofInfo>? Aof { get; set; }

    internal static readonly AofInfo NoAof = new(false, false, false, -1, -1, true, 0, true, 0, 0, 0);

    public bool BackgroundInProgress
    {
        get { lock (_state) return _background is { IsCompleted: false }; }
    }

    /// <summary>Whether BGSAVE SCHEDULE asked for a save once the running one ends.</summary>
    public bool Scheduled
    {
        get { lock (_state) return _scheduled; }
        set { lock (_state) _scheduled = value; }
    }

    public PersistenceInfo Info()
    {
        lock (_state)
        {
            var running = _background is { IsCompleted: false };
            return new PersistenceInfo(
                _lastSave, running, _lastBgSaveOk, _lastBgSaveSeconds,
                running ? (long)Stopwatch.GetElapsedTime(_bgStartedTicks).TotalSeconds : -1,
                _saves, 0, Aof?.Invoke() ?? NoAof);
        }
    }

    public static string PathOf(Config config) => Path.Combine(config.Dir, config.DbFilename);

    /// <summary>Write world to dir/dbfilename atomically; false (logged) on failure.</summary>
    public bool Write(World world, string reason, ReplicationPoint? repl = null)
    {
        var config = world.Config;
        var target = PathOf(config);
        var temp = Path.Combine(config.Dir, $"temp-{Environment.ProcessId}-{Environment.CurrentManagedThreadId}.rdb");
        var started = Stopwatch.GetTimestamp();
        try
        {
            using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
            {
                var nowMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                if (repl is { } r) Api.WriteRdbWithReplication(file, world, nowMs, r.ReplId, r.Offset, r.StreamDb);
                else Api.WriteRdb(file, world, nowMs);
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, target, overwrite: true);
            SyncDirectory(config.Dir);
            lock (_state)
            {
                _lastSave = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
                _saves++;
            }
            _log.Notice($"DB saved on disk ({reason}, {Stopwatch.GetElapsedTime(started).TotalMilliseconds:F0} ms)");
            return true;
        }
        catch (Exception ex)
        {
            _log.Warning($"Failed opening or writing the .rdb file {target} for saving: {ex.Message}");
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            return false;
        }
        finally
        {
            lock (_state) _lastAttemptMs = Environment.TickCount64;
        }
    }

    /// <summary>The rename is durable only once the directory entry is on disk (fsync of the directory).</summary>
    internal static void SyncDirectory(string dir)
    {
        if (OperatingSystem.IsWindows()) return;
        try
        {
            using var handle = File.OpenHandle(dir, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, FileOptions.None);
            RandomAccess.FlushToDisk(handle);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Some filesystems refuse to open directories; the rename itself is still atomic.
        }
    }

    /// <summary>Start writing frozen on a background thread; onDone runs when it has finished.</summary>
    public void StartBackground(World frozen, ReplicationPoint? repl, Action<bool> onDone)
    {
        lock (_state)
        {
            _bgStartedTicks = Stopwatch.GetTimestamp();
            _log.Notice("Background saving started");
            _background = BackgroundWriter.Run("bgsave", () =>
            {
                var ok = Write(frozen, "background", repl);
                lock (_state)
                {
                    _lastBgSaveOk = ok;
                    _lastBgSaveSeconds = (long)Stopwatch.GetElapsedTime(_bgStartedTicks).TotalSeconds;
                }
                _log.Notice(ok ? "Background saving terminated with success" : "Background saving error");
                onDone(ok);
            });
        }
    }

    /// <summary>Wait for a running background save (shutdown).</summary>
    public void WaitForBackground()
    {
        Task? t;
        lock (_state) t = _background;
        try { t?.Wait(); } catch (AggregateException) { }
    }

    /// <summary>
    /// Whether a save point ("save 900 1 300 10") is due: some point's seconds have passed since the last
    /// save and at least its number of changes happened; after a failed save, wait 5 seconds between tries.
    /// </summary>
    public bool SavePointDue(World world)
    {
        var points = world.Config.Save.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (points.Length < 2 || world.Dirty == 0) return false;
        long sinceSave, sinceTry;
        bool lastOk;
        lock (_state)
        {
            sinceSave = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - _lastSave;
            sinceTry = (Environment.TickCount64 - _lastAttemptMs) / 1000;
            lastOk = _lastBgSaveOk;
        }
        for (var i = 0; i + 1 < points.Length; i += 2)
        {
            if (!long.TryParse(points[i], out var seconds) || !long.TryParse(points[i + 1], out var changes)) continue;
            if (world.Dirty >= changes && sinceSave > seconds && (lastOk || sinceTry > 5)) return true;
        }
        return false;
    }

    /// <summary>
    /// Load dir/dbfilename at start-up if it exists (rdbLoad). Null when there is no file; throws
    /// <see cref="InvalidDataException"/> when the file is corrupt: the server must not start half-loaded.
    /// </summary>
    public World? Load(Config config) => Load(config, out _);

    /// <summary>Load as above; <paramref name="repl"/> is the replication point the file was saved at (null when it has none).</summary>
    public World? Load(Config config, out ReplicationPoint? repl)
    {
        repl = null;
        var path = PathOf(config);
        if (!File.Exists(path)) return null;
        var started = Stopwatch.GetTimestamp();
        var data = File.ReadAllBytes(path);
        if (!Api.TryLoadRdb(data, config, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), out var world, out var keys, out var error, out var aux))
            throw new InvalidDataException($"Short read or corrupt RDB file {path}: {error}. Unrecoverable error, aborting now.");
        repl = ReplicationPoint.FromAux(aux);
        _log.Notice($"DB loaded from disk: {Stopwatch.GetElapsedTime(started).TotalSeconds:F3} seconds ({keys} keys)");
        return world;
    }
}

/// <summary>Where a snapshot stands in a replication history (RDB aux repl-id, repl-offset, repl-stream-db).</summary>
public readonly record struct ReplicationPoint(string ReplId, long Offset, int StreamDb)
{
    public static ReplicationPoint? FromAux((string, string)[] aux)
    {
        string? id = null;
        long offset = -1;
        var db = 0;
        foreach (var (k, v) in aux)
        {
            if (k == "repl-id") id = v;
            else if (k == "repl-offset") long.TryParse(v, out offset);
            else if (k == "repl-stream-db") int.TryParse(v, out db);
        }
        return id is { Length: 40 } && offset >= 0 ? new ReplicationPoint(id, offset, db) : null;
    }
}
