using System.Collections.Concurrent;
using System.Diagnostics;
using CoolCache.Core.Commands;
using CoolCache.Server.Engine;
using CoolCache.Server.Networking;

namespace CoolCache.Server.Sessions;

/// <summary>
/// The connected clients and the host's counters: ids for CLIENT LIST/KILL, and the figures INFO reports.
/// It is the core's read-only view of the host (IHostView).
/// </summary>
public sealed class ClientRegistry : IHostView
{
    private readonly ConcurrentDictionary<long, Connection> _connections = new();
    private readonly Dictionary<string, long[]> _commandStats = new();
    private readonly Func<int> _port;
    private readonly string _configFile;
    private readonly long _started = Stopwatch.GetTimestamp();
    private long _nextId;
    private long _totalConnections;
    private long _rejectedConnections;
    private long _totalCommands;
    private long _expiredKeys;
    private long _evictedKeys;
    private long _peakMemory;
    internal long NetInput;
    internal long NetOutput;

    /// <summary>The snapshot state for INFO persistence and LASTSAVE (set by the host).</summary>
    public Func<PersistenceInfo> Persistence { get; set; } =
        () => new PersistenceInfo(DateTimeOffset.UtcNow.ToUnixTimeSeconds(), false, true, -1, -1, 0, 0, CoolCache.Server.Persistence.Snapshots.NoAof);

    /// <summary>INFO replication's fields (set by the host).</summary>
    public Func<(string, string)[]> ReplicationFields { get; set; } = () => [];

    private System.ValueTuple<string, string>[] ReplicationInfo() => ReplicationFields();

    /// <summary>INFO stats sync_full, sync_partial_ok, sync_partial_err (set by the host).</summary>
    public Func<(long Full, long PartialOk, long PartialErr)> SyncCounts { get; set; } = () => (0, 0, 0);

    public ClientRegistry(Func<int> port, string? configFile)
    {
        _port = port;
        _configFile = configFile ?? "";
    }

    public int Count => _connections.Count;

    /// <summary>Clients parked by blocking commands (read and changed under the engine lock).</summary>
    public BlockedClients Blocked { get; } = new();

    public bool IsBlocked(long id) => Blocked.IsBlocked(id);

    public long TotalCommands => Volatile.Read(ref _totalCommands);

    public long NextId() => Interlocked.Increment(ref _nextId);

    public void Add(Connection c)
    {
        _connections[c.Id] = c;
        Interlocked.Increment(ref _totalConnections);
    }

    public void Remove(Connection c) => _connections.TryRemove(c.Id, out _);

    public void Rejected() => Interlocked.Increment(ref _rejectedConnections);

    public void AddExpired(int n) => Interlocked.Add(ref _expiredKeys, n);

    public void AddEvicted(int n) => Interlocked.Add(ref _evictedKeys, n);

    /// <summary>Note the current used_memory figure for used_memory_peak (under the engine lock).</summary>
    public void NotePeakMemory(long used) => _peakMemory = Math.Max(_peakMemory, used);

    public IEnumerable<Connection> All => _connections.Values;

    /// <summary>Unregister and close a client at once, so the reply to CLIENT KILL already excludes it.</summary>
    public Connection? Kill(long id)
    {
        if (!_connections.TryRemove(id, out var c)) return null;
        c.Abort();
        return c;
    }

    /// <summary>The connected client with this id (pub/sub receivers).</summary>
    public bool TryGet(long id, out Connection connection) => _connections.TryGetValue(id, out connection!);

    /// <summary>Count one command (called under the engine lock).</summary>
    public void Record(string? command, TimeSpan elapsed, bool failed)
    {
        _totalCommands++;
        if (command is null) return;
        if (!_commandStats.TryGetValue(command, out var s)) _commandStats[command] = s = new long[3];
        s[0]++;
        s[1] += (long)elapsed.TotalMicroseconds;
        if (failed) s[2]++;
    }

    public void ResetStats()
    {
        _commandStats.Clear();
        _totalCommands = 0;
        Interlocked.Exchange(ref _expiredKeys, 0);
        Interlocked.Exchange(ref _evictedKeys, 0);
        Interlocked.Exchange(ref _rejectedConnections, 0);
    }

    public ClientInfo[] Clients() =>
        _connections.Values.OrderBy(c => c.Id).Select(c => c.Info()).ToArray();

    public HostStats Stats()
    {
        var process = Process.GetCurrentProcess();
        var heap = GC.GetTotalMemory(false);
        var total = process.TotalProcessorTime.TotalSeconds;
        var user = process.UserProcessorTime.TotalSeconds;
        var stats = _commandStats
            .OrderBy(kv => kv.Key)
            .Select(kv => new CommandStat(kv.Key, kv.Value[0], kv.Value[1], 0, kv.Value[2]))
            .ToArray();
        return new HostStats(
            Environment.ProcessId,
            _port(),
            (long)Stopwatch.GetElapsedTime(_started).TotalSeconds,
            Environment.ProcessPath ?? "",
            _configFile,
            _connections.Count,
            Blocked.Count,
            0,
            Interlocked.Read(ref _totalConnections),
            Interlocked.Read(ref _rejectedConnections),
            _totalCommands,
            0,
            Interlocked.Read(ref NetInput),
            Interlocked.Read(ref NetOutput),
            Interlocked.Read(ref _expiredKeys),
            Interlocked.Read(ref _evictedKeys),
            0,
            0,
            heap,
            _peakMemory,
            Environment.WorkingSet,
            GC.GetGCMemoryInfo().TotalAvailableMemoryBytes,
            total - user,
            user,
            stats,
            Persistence(),
            ReplicationInfo(),
            SyncCounts().Full,
            SyncCounts().PartialOk,
            SyncCounts().PartialErr);
    }
}
