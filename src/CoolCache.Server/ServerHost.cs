using CoolCache.Core;
using CoolCache.Core.State;
using CoolCache.Server.Cli;
using CoolCache.Server.Engine;
using CoolCache.Server.Logging;
using CoolCache.Server.Networking;
using CoolCache.Server.Persistence;
using CoolCache.Server.Sessions;

namespace CoolCache.Server;

/// <summary>
/// A running server: listener, engine, timers. Start it from parsed options (the program) or from
/// command-line arguments (tests, in-process); dispose it or send SHUTDOWN to stop it.
/// </summary>
public sealed class ServerHost : IAsyncDisposable
{
    public const string Version = "0.1.0";
    private readonly Listener _listener;
    private readonly ClientRegistry _clients;
    private readonly CommandEngine _engine;
    private readonly ServerLog _log;
    private readonly Snapshots _snapshots;
    private readonly AppendOnlyFile _aof;
    private readonly Timer _ticks;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _stopping;
    private long _commandsAtLastTick;
    private long _idleSince = Environment.TickCount64;
    private long _allocatedAtLastCompaction;

    private ServerHost(ServerOptions options)
    {
        var config = options.Config;
        _log = new ServerLog(config.LogLevel, config.LogFile);
        _log.Warning("oO0OoO0OoO0Oo CoolCache is starting oO0OoO0OoO0Oo");
        _log.Warning($"CoolCache version={Version} (Redis {Core.Commands.ConnectionCommands.redisVersion} compatible), bits=64, pid={Environment.ProcessId}, just started");
        _log.Warning(options.ConfigFile is null
            ? "Warning: no config file specified, using the default config. In order to specify a config file use coolcache-server /path/to/redis.conf"
            : $"Configuration loaded from {options.ConfigFile}");
        _clients = new ClientRegistry(() => Port, options.ConfigFile);
        _snapshots = new Snapshots(_log);
        _clients.Persistence = _snapshots.Info;
        // With appendonly yes the append-only file alone is loaded, as in Redis (dump.rdb is not read).
        World world;
        ReplicationPoint? replicationPoint = null;
        if (config.AppendOnly)
        {
            world = AofLoader.Load(config, _clients, _log) ?? Api.NewWorld(config);
            if (File.Exists(Snapshots.PathOf(config)) && !File.Exists(AofManifest.PathOf(Path.Combine(config.Dir, config.AppendDirname), config.AppendFilename)))
                _log.Warning($"appendonly is yes and there is no append-only file yet: {Snapshots.PathOf(config)} is not loaded (as Redis does). Start with appendonly no and use CONFIG SET appendonly yes to keep its data.");
        }
        else
        {
            world = _snapshots.Load(config, out replicationPoint) ?? Api.NewWorld(config);
        }
        _aof = config.AppendOnly ? AppendOnlyFile.OpenAtStart(config, world, _log) : AppendOnlyFile.Off(config, _log);
        _snapshots.Aof = _aof.Info;
        _engine = new CommandEngine(world, _log, _clients, _snapshots, _aof, () => RequestShutdown());
        _listener = new Listener(config.Bind, config.Port, _engine, _clients, _log);
        _log.Notice($"Running mode=standalone, port={Port}.");
        _log.Notice("Server initialized");
        _listener.Start();
        _engine.ListeningPort = _listener.Port;
        _clients.ReplicationFields = _engine.ReplicationInfo;
        _clients.SyncCounts = _engine.SyncCounts;
        if (replicationPoint is { } point) _engine.RestoreReplication(point);
        _engine.StartReplicationFromConfig();
        var tick = TimeSpan.FromMilliseconds(1000.0 / Math.Max(1, config.Hz));
        _ticks = new Timer(_ => Tick(), null, tick, tick);
        _log.Notice("Ready to accept connections tcp");
    }

    /// <summary>The bound TCP port (useful with --port 0).</summary>
    public int Port => _listener.Port;

    /// <summary>Completes when the server has stopped (SHUTDOWN, a signal, or DisposeAsync).</summary>
    public Task Completion => _stopped.Task;

    public static ServerHost Start(ServerOptions options) => new(options);

    /// <summary>Start from command-line arguments, e.g. ["--port", "0"]; throws ArgumentException on bad ones.</summary>
    public static Task<ServerHost> StartAsync(string[] args)
    {
        if (!ServerCommandLine.TryParse(args, out var options, out var error)) throw new ArgumentException(error);
        return Task.Run(() => Start(options!));
    }

    private void Tick()
    {
        if (Volatile.Read(ref _stopping) != 0) return;
        try
        {
            _engine.ExpireDueKeys();
            _engine.EvictIfOver();
            _engine.SaveIfDue();
            _engine.AofTick();
            _engine.ReplicationTick();
            _engine.CheckOutputLimits();
            CompactWhenIdle();
            var timeout = _engine.Config.Timeout;
            if (timeout > 0)
            {
                // Subscribers wait for messages, not commands: no idle timeout for them (clientsCronHandleTimeout).
                foreach (var c in _clients.All)
                    if (c.IdleMilliseconds > timeout * 1000L && !Api.IsSubscribed(c.Session)) { _log.Verbose($"Closing idle client id={c.Id}"); c.Abort(); }
            }
        }
        catch (Exception ex)
        {
            _log.Warning($"Timer tick failed: {ex}");
        }
    }

    /// <summary>
    /// Persistent writes leave garbage in gen2 that a busy server collects only slowly. After a second
    /// without commands, and when 64 MB or more was allocated since the last time, compact the heap
    /// and give memory back (in the spirit of Redis's active defrag).
    /// </summary>
    private void CompactWhenIdle()
    {
        var commands = _clients.TotalCommands;
        var now = Environment.TickCount64;
        if (commands != _commandsAtLastTick)
        {
            _commandsAtLastTick = commands;
            _idleSince = now;
            return;
        }
        var allocated = GC.GetTotalAllocatedBytes();
        if (now - _idleSince < 1000 || allocated - _allocatedAtLastCompaction < 64L * 1024 * 1024) return;
        _allocatedAtLastCompaction = allocated;
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    }

    /// <summary>
    /// SIGTERM / SIGINT: save first when save points are configured (as Redis does), then stop; when that
    /// save fails the server keeps running.
    /// </summary>
    public void Terminate(string reason)
    {
        _log.Warning(reason);
        if (!_engine.SaveForShutdown(Core.Commands.ShutdownMode.Default)) return;
        RequestShutdown();
    }

    /// <summary>Stop accepting, close every client, complete Completion. Safe to call more than once.</summary>
    public void RequestShutdown(string? reason = null)
    {
        if (Interlocked.Exchange(ref _stopping, 1) != 0) return;
        if (reason is not null) _log.Warning(reason);
        _ = Task.Run(() =>
        {
            _ticks.Dispose();
            _listener.Dispose();
            // Let the connection that asked finish writing, then close the rest.
            foreach (var c in _clients.All) if (!c.CloseAfterReply) c.Abort();
            _engine.CloseAof();
            _log.Warning("CoolCache is now ready to exit, bye bye...");
            _stopped.TrySetResult();
        });
    }

    public async ValueTask DisposeAsync()
    {
        RequestShutdown();
        await Completion;
    }
}
