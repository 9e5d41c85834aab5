using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using CoolCache.Core;
using CoolCache.Core.Commands;
using CoolCache.Core.Protocol;
using CoolCache.Core.State;
using CoolCache.Server.Logging;
using CoolCache.Server.Networking;
using CoolCache.Server.Persistence;
using CoolCache.Server.Replication;
using CoolCache.Server.Sessions;

namespace CoolCache.Server.Engine;

/// <summary>
/// The single owner of the current World. Connection threads take the lock, run a batch of commands
/// through the pure core in commit order, write the replies into their own buffers, and carry out the
/// effects. Timers (active expiry, idle timeout) are commands of their own under the same lock.
/// Pub/sub deliveries are rendered once per protocol and copied into each receiver's output; the
/// publishing connection starts their flushes after its batch, off the lock.
/// </summary>
public sealed partial class CommandEngine
{
    private readonly object _gate = new();
    private readonly ServerLog _log;
    private readonly ClientRegistry _clients;
    private readonly BlockedClients _blocked;
    private readonly Action _requestShutdown;
    private readonly Snapshots _snapshots;
    private readonly AppendOnlyFile _aof;
    private readonly ReplicationState _repl = new();
    private readonly Dictionary<Waiter, (long Target, long Replicas)> _waits = new();
    private Session _primarySession = Api.NewTrustedSession(-2);
    private long _lastReplicaPingMs = Environment.TickCount64;
    private World _world;
    private ulong _seed = (ulong)Environment.TickCount64 | 1;
    private long _pausedUntilMs;
    private bool _pauseWritesOnly;
    private long _batchStamp;
    private readonly ArrayBufferWriter<byte> _rendered2 = new(256);
    private readonly ArrayBufferWriter<byte> _rendered3 = new(256);
    private readonly ConditionalWeakTable<long[], Connection?[]> _receivers = new();

    public CommandEngine(World world, ServerLog log, ClientRegistry clients, Snapshots snapshots, AppendOnlyFile aof, Action requestShutdown)
    {
        // Writes report their deterministic form while an append-only file (or, later, a replica) listens.
        _world = Api.WithPropagation(world, aof.Enabled);
        _snapshots = snapshots;
        _aof = aof;
        _log = log;
        _clients = clients;
        _blocked = clients.Blocked;
        _requestShutdown = requestShutdown;
    }

    /// <summary>The latest published World (a consistent snapshot; never torn).</summary>
    public World World => Volatile.Read(ref _world);

    public Config Config => World.Config;

    /// <summary>
    /// Whether handlers should report keyspace events (Ctx.Events): someone subscribes to them
    /// (notify-keyspace-events) or WATCHes a key. False keeps the common path free of event allocations.
    /// </summary>
    private bool EventsWanted => Api.NotificationsWanted(_world.Config);

    /// <summary>Unix time in microseconds (one clock read).</summary>
    public static long NowUs() => (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) / 10;

    /// <summary>Whether a connection with this session must authenticate first.</summary>
    public bool AuthRequired(Session session) => !session.Authenticated && Config.RequirePass.Length > 0;

    /// <summary>How long a batch must wait for CLIENT PAUSE, in ms (0 = go).</summary>
    public long PauseRemainingMs(List<byte[][]> batch)
    {
        var until = Volatile.Read(ref _pausedUntilMs);
        if (until == 0) return 0;
        var remaining = until - DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        if (remaining <= 0) return 0;
        if (_pauseWritesOnly && !batch.Any(Api.IsWrite)) return 0;
        return remaining;
    }

    /// <summary>
    /// Run a batch for one connection from index start; replies go to output unless silenced. Returns the
    /// index of the first command not run: batch.Count, or the one after a command that blocked (the
    /// connection's Waiter is then set, and it resumes from there when the wait ends).
    /// </summary>
    public int Execute(Connection connection, List<byte[][]> batch, int start)
    {
        var output = connection.Output;
        lock (_gate)
        {
            _batchStamp++;
            var nowUs = NowUs();
            // One clock read per command: each command's end is the next one's start.
            var started = Stopwatch.GetTimestamp();
            try
            {
                for (var i = start; i < batch.Count; i++)
                {
                    if (connection.CloseAfterReply) return batch.Count;
                    var argv = batch[i];
                    if (RefusedByReplication(argv) is { } refused)
                    {
                        lock (output.Sync) Api.WriteReply(connection.Session.Protocol, refused, output);
                        continue;
                    }
                    var ctx = new Ctx(nowUs / 1000, nowUs, NextSeed(), _clients, connection.IsLocal, EventsWanted);
                    StepResult result;
                    try
                    {
                        result = Api.Execute(ctx, connection.Session, argv, _world);
                    }
                    catch (Exception ex)
                    {
                        // A bug in a handler: keep the previous World, answer, log, go on. Databases edit
                        // their maps in place (owner tokens), so a handler that wrote before throwing may
                        // have left part of its write; handlers validate before they write.
                        _log.Warning($"Internal error running '{System.Text.Encoding.Latin1.GetString(argv[0])}': {ex}");
                        lock (output.Sync) Api.WriteReply(connection.Session.Protocol, RespValue.NewError("ERR internal error"), output);
                        continue;
                    }

                    Volatile.Write(ref _world, result.World);
                    connection.Session = result.Session;
                    connection.LastCommand = result.Command ?? "NULL";
                    var finished = Stopwatch.GetTimestamp();
                    _clients.Record(result.Command, Stopwatch.GetElapsedTime(started, finished), result.IsError);
                    started = finished;
                    lock (output.Sync)
                    {
                        // Pushes and deliveries come before the reply, as Redis writes them during the command.
                        if (result.Effects.Length > 0) Push(connection, result.Effects, connection.PeersToFlush);
                        if (!result.Silent) Api.WriteReply(result.Session.Protocol, result.Reply, output);
                    }
                    foreach (var effect in result.Effects) Apply(connection, argv, effect);
                    if (result.IsWrite && _blocked.Count > 0) ServeBlocked(nowUs, connection.PeersToFlush);
                    if (connection.Waiter is not null) return i + 1;
                }
                return batch.Count;
            }
            finally
            {
                // The batch's writes go to the append-only file in one write (replies leave after WaitDurable).
                _aof.WriteBuffered();
                _repl.FlushReplicas();
            }
        }
    }

    /// <summary>
    /// Before replies leave (off the lock): with appendfsync always, everything the engine wrote to the
    /// append-only file so far is on disk first (one fsync serves all waiting connections).
    /// </summary>
    public void WaitDurable() => _aof.WaitDurable();

    /// <summary>
    /// After a write: serve the clients waiting on keys that now hold their type, oldest first per key,
    /// by running their command again (it may still find nothing, e.g. BLMOVE to a key of another type).
    /// Serving writes too (BLMOVE pushes), so repeat until nothing changes (blocking.c handleClientsBlockedOnKeys).
    /// </summary>
    private void ServeBlocked(long nowUs, List<Connection> toFlush)
    {
        bool progress;
        do
        {
            progress = false;
            foreach (var key in _blocked.WaitedKeys())
            {
                var node = _blocked.Queue(key)?.First;
                while (node is not null)
                {
                    var next = node.Next;
                    var waiter = node.Value;
                    var type = waiter.Request.Type;
                    if (type.Length != 0 && Api.KeyType(_world, key.Db, key.Key, nowUs / 1000) != type) break;
                    if (TryServe(waiter, nowUs, toFlush)) progress = true;
                    node = next;
                }
            }
        } while (progress);
    }

    private bool TryServe(Waiter waiter, long nowUs, List<Connection> toFlush)
    {
        var c = waiter.Connection;
        var ctx = new Ctx(nowUs / 1000, nowUs, NextSeed(), _clients, c.IsLocal, EventsWanted);
        StepResult result;
        try
        {
            result = Api.Execute(ctx, c.Session, waiter.Argv, _world);
        }
        catch (Exception ex)
        {
            _log.Warning($"Internal error serving a blocked client id={c.Id}: {ex}");
            _blocked.Remove(waiter);
            lock (c.Output.Sync) Api.WriteReply(c.Session.Protocol, RespValue.NewError("ERR internal error"), c.Output);
            waiter.Done.TrySetResult();
            return false;
        }

        if (result.Effects.Any(e => e.IsBlock)) return false;
        foreach (var effect in result.Effects)
            if (effect is Effect.Evicted evicted)
            {
                _clients.AddEvicted(evicted.keys.Length);
                PropagateEvictions(evicted.keys);
            }
        _blocked.Remove(waiter);
        Volatile.Write(ref _world, result.World);
        c.Session = result.Session;
        _clients.Record(result.Command, TimeSpan.Zero, result.IsError);
        lock (c.Output.Sync)
        {
            if (result.Effects.Length > 0) Push(c, result.Effects, toFlush);
            if (!result.Silent) Api.WriteReply(result.Session.Protocol, result.Reply, c.Output);
        }
        foreach (var effect in result.Effects)
            if (effect is Effect.Propagate p) Propagate(p.db, p.argv);
        waiter.Done.TrySetResult();
        return true;
    }

    /// <summary>A wait whose deadline passed: the client gets its command's timeout reply (if still waiting).</summary>
    public void TimeOut(Waiter waiter)
    {
        lock (_gate)
        {
            if (!_blocked.Remove(waiter)) return;
            var c = waiter.Connection;
            // WAIT's timeout answers how many replicas acknowledged by then.
            var reply = _waits.Remove(waiter, out var wait) ? RespValue.NewInteger(_repl.CountAcked(wait.Target)) : waiter.Request.TimeoutReply;
            lock (c.Output.Sync) Api.WriteReply(c.Session.Protocol, reply, c.Output);
            waiter.Done.TrySetResult();
        }
    }

    /// <summary>The client went away while waiting: forget it, so nothing is popped for nobody.</summary>
    public void Abandon(Waiter waiter)
    {
        lock (_gate)
        {
            _waits.Remove(waiter);
            if (_blocked.Remove(waiter)) waiter.Done.TrySetResult();
        }
    }

    private void Apply(Connection connection, byte[][] argv, Effect effect)
    {
        switch (effect)
        {
            case Effect.Block block:
                // A command may ask for another command to run when it is woken (XREAD: "$" resolved).
                var waiter = new Waiter(connection, block.Item.Argv ?? argv, block.Item);
                _blocked.Add(waiter);
                connection.Waiter = waiter;
                break;
            case Effect.Unblock unblock:
                if (_blocked.TryGet(unblock.id, out var blocked))
                {
                    _blocked.Remove(blocked);
                    var target = blocked.Connection;
                    lock (target.Output.Sync) Api.WriteReply(target.Session.Protocol, unblock.withError ? Api.UnblockedError : blocked.Request.TimeoutReply, target.Output);
                    blocked.Done.TrySetResult();
                }
                break;
            case { IsCloseAfterReply: true }:
                connection.CloseAfterReply = true;
                break;
            case Effect.KillClients kill:
                foreach (var id in kill.ids)
                {
                    if (id == connection.Id) connection.CloseAfterReply = true;
                    else if (_clients.Kill(id) is { } killed) Unsubscribe(killed);
                }
                break;
            case Effect.Shutdown shutdown:
                _log.Warning("User requested shutdown...");
                if (!SaveForShutdown(shutdown.Item))
                {
                    Api.WriteReply(connection.Session.Protocol, RespValue.NewError("ERR Errors trying to SHUTDOWN. Check logs."), connection.Output);
                    break;
                }
                connection.CloseAfterReply = true;
                _requestShutdown();
                break;
            case Effect.Propagate p:
                Propagate(p.db, p.argv);
                break;
            case Effect.Replication r:
                if (Replicate(connection, r.Item) is { } reply)
                    lock (connection.Output.Sync) Api.WriteReply(connection.Session.Protocol, reply, connection.Output);
                break;
            case Effect.Save save:
                Api.WriteReply(connection.Session.Protocol, Save(save.Item), connection.Output);
                break;
            case { IsRewriteAof: true }:
                Api.WriteReply(connection.Session.Protocol, StartAofRewrite()
                    ? RespValue.NewSimple("Background append only file rewriting started")
                    : RespValue.NewError("ERR Background append only file rewriting already in progress"), connection.Output);
                break;
            case Effect.Sleep sleep:
                Thread.Sleep(TimeSpan.FromMilliseconds(sleep.milliseconds));
                break;
            case Effect.Pause pause:
                _pauseWritesOnly = pause.writesOnly;
                Volatile.Write(ref _pausedUntilMs, pause.untilMs);
                break;
            case { IsUnpause: true }:
                Volatile.Write(ref _pausedUntilMs, 0);
                break;
            case { IsResetStats: true }:
                _clients.ResetStats();
                break;
            case { IsConfigChanged: true }:
                _log.SetLevel(_world.Config.LogLevel);
                ApplyAofConfig();
                break;
            case Effect.Evicted evicted:
                _clients.AddEvicted(evicted.keys.Length);
                PropagateEvictions(evicted.keys);
                break;
        }
    }

    /// <summary>
    /// Write a command's pushes in effect order: its own confirmations (Push) to the caller, and each
    /// Delivery to its receivers. Receivers other than the caller are added to toFlush (the running
    /// connection's PeersToFlush: it flushes them after its batch, off the lock).
    /// </summary>
    private void Push(Connection caller, Effect[] effects, List<Connection> toFlush)
    {
        foreach (var effect in effects)
        {
            switch (effect)
            {
                case Effect.Push push:
                    Api.WriteReply(caller.Session.Protocol, push.Item, caller.Output);
                    break;
                case Effect.Publish publish:
                    Deliver(publish.Item, caller, toFlush);
                    break;
            }
        }
    }

    /// <summary>
    /// One delivery: rendered once per protocol a receiver speaks, copied into each receiver's output,
    /// whose client-output-buffer-limit is then checked (pubsub.c pubsubPublishMessage, networking.c
    /// closeClientOnOutputBufferLimitReached). A receiver other than the caller is added to toFlush the
    /// first time in a batch, taking its output's lock until the batch's sends start
    /// (<see cref="Connection.FlushPeers"/>): one lock per receiver per batch, not per message.
    /// </summary>
    private void Deliver(Delivery delivery, Connection? caller, List<Connection> toFlush)
    {
        _rendered2.ResetWrittenCount();
        _rendered3.ResetWrittenCount();
        // Receivers are subscribers: the pubsub class's limits apply (networking.c getClientType).
        var limit = _world.Config.OutputLimits.PubSub;
        var nowSeconds = Environment.TickCount64 / 1000;
        foreach (var c in Receivers(delivery.Receivers))
        {
            if (c is null || c.IsClosing) continue;
            if (c != caller && c.FlushStamp != _batchStamp)
            {
                c.FlushStamp = _batchStamp;
                c.Output.Sync.Enter();
                toFlush.Add(c);
            }
            var protocol = c.Session.Protocol;
            var rendered = protocol == 3 ? _rendered3 : _rendered2;
            if (rendered.WrittenCount == 0) Api.WriteDelivery(protocol, delivery, rendered);
            c.Output.Write(rendered.WrittenSpan);
            if (c.OverOutputLimit(limit, nowSeconds)) CloseForOutputLimit(c, "scheduled to be closed ASAP");
        }
    }

    /// <summary>
    /// Publish keyspace events raised outside a command (active expiry's "expired"): delivered under
    /// the lock as a command's are, then flushed from this thread once the lock is released.
    /// </summary>
    public void PublishKeyspaceEvents(IReadOnlyList<KeyEvent> events)
    {
        if (events.Count == 0) return;
        var toFlush = new List<Connection>();
        try
        {
            lock (_gate)
            {
                _batchStamp++;
                foreach (var e in events)
                    foreach (var delivery in Api.KeyspaceDeliveries(_world, e)) Deliver(delivery, null, toFlush);
            }
        }
        finally
        {
            Connection.FlushPeers(toFlush);
        }
    }

    /// <summary>
    /// The connections of a receiver list, looked up once per list: the index replaces a list whenever
    /// its subscribers change, so a list's connections stay the same, and the table forgets a list with
    /// the list. A connection that closed since is skipped by IsClosing.
    /// </summary>
    private Connection?[] Receivers(long[] ids)
    {
        if (_receivers.TryGetValue(ids, out var connections)) return connections;
        connections = new Connection?[ids.Length];
        for (var i = 0; i < ids.Length; i++) connections[i] = _clients.TryGet(ids[i], out var c) ? c : null;
        _receivers.AddOrUpdate(ids, connections);
        return connections;
    }

    /// <summary>Close a client whose output passed its limit, and take it out of the pub/sub index now.</summary>
    private void CloseForOutputLimit(Connection c, string how)
    {
        _log.Warning($"Client {Api.ClientLine(c.Info())} {how} for overcoming of output buffer limits.");
        _clients.Kill(c.Id);
        Unsubscribe(c);
    }

    /// <summary>A closed client leaves every channel and pattern at once (later PUBLISHes do not count it).</summary>
    private void Unsubscribe(Connection c)
    {
        if (!Api.IsSubscribed(c.Session)) return;
        Volatile.Write(ref _world, Api.DropSubscriptions(c.Session, _world));
        c.Session = Api.WithoutSubscriptions(c.Session);
    }

    /// <summary>A connection ended: its subscriptions and watched keys go.</summary>
    public void Disconnected(Connection c)
    {
        if (c.ReplicaListeningPort != 0 || _repl.Replicas.Count > 0)
            lock (_gate) _repl.Prune();
        if (!Api.IsSubscribed(c.Session) && c.Session.Watched.IsEmpty) return;
        lock (_gate)
        {
            Unsubscribe(c);
            if (!c.Session.Watched.IsEmpty) Volatile.Write(ref _world, Api.Disconnect(c.Session, _world));
        }
    }

    /// <summary>
    /// clientsCron's check: a client whose output stays above the soft limit for longer than its seconds
    /// is closed even when nothing more is written to it.
    /// </summary>
    public void CheckOutputLimits()
    {
        lock (_gate)
        {
            var limits = _world.Config.OutputLimits;
            var nowSeconds = Environment.TickCount64 / 1000;
            foreach (var c in _clients.All)
            {
                if (c.IsClosing || c.Output.Pending == 0) continue;
                if (c.OverOutputLimit(Api.IsSubscribed(c.Session) ? limits.PubSub : limits.Normal, nowSeconds))
                    CloseForOutputLimit(c, "closed");
            }
        }
    }

    private static readonly RespValue BgSaveInProgress = RespValue.NewError("ERR Background save already in progress");

    /// <summary>SAVE, BGSAVE, BGSAVE SCHEDULE (under the lock): the reply.</summary>
    private RespValue Save(SaveKind kind)
    {
        if (kind.IsForeground)
        {
            if (_snapshots.BackgroundInProgress) return BgSaveInProgress;
            var dirty = _world.Dirty;
            if (!_snapshots.Write(_world, "SAVE", ReplicationPointNow())) return RespValue.NewError("ERR");
            Api.Saved(_world, dirty);
            return RespValue.Ok;
        }
        if (_snapshots.BackgroundInProgress)
        {
            if (!kind.IsSchedule) return BgSaveInProgress;
            _snapshots.Scheduled = true;
            return RespValue.NewSimple("Background saving scheduled");
        }
        StartBackgroundSave();
        return RespValue.NewSimple("Background saving started");
    }

    /// <summary>Freeze the World and write the frozen one on a background thread (under the lock).</summary>
    private void StartBackgroundSave()
    {
        var (frozen, live) = Api.Freeze(_world);
        Volatile.Write(ref _world, live);
        var dirtyAtStart = frozen.Dirty;
        _snapshots.StartBackground(frozen, ReplicationPointNow(), ok =>
        {
            lock (_gate)
            {
                if (ok) Api.Saved(_world, dirtyAtStart);
                if (_snapshots.Scheduled)
                {
                    _snapshots.Scheduled = false;
                    StartBackgroundSave();
                }
            }
        });
    }

    /// <summary>Freeze the World and rewrite the append-only file from the frozen one (under the lock); false when one runs.</summary>
    private bool StartAofRewrite()
    {
        if (_aof.RewriteInProgress) return false;
        var (frozen, live) = Api.Freeze(_world);
        Volatile.Write(ref _world, live);
        return _aof.StartRewrite(frozen, NowUs() / 1000);
    }

    /// <summary>
    /// CONFIG SET appendonly / appendfsync (under the lock): turning it on starts appending to a new
    /// incremental file and rewrites the base from the current World; turning it off stops appending.
    /// </summary>
    private void ApplyAofConfig()
    {
        var config = _world.Config;
        _aof.Fsync = config.AppendFsync;
        if (config.AppendOnly == _aof.Enabled) return;
        if (config.AppendOnly)
        {
            var (frozen, live) = Api.Freeze(_world);
            Volatile.Write(ref _world, Api.WithPropagation(live, true));
            _aof.Enable(frozen, NowUs() / 1000);
        }
        else
        {
            _aof.Disable();
            Volatile.Write(ref _world, Api.WithPropagation(_world, false));
        }
    }

    /// <summary>
    /// A timer tick for the append-only file: the everysec fsync, a rewrite when the file has grown
    /// (auto-aof-rewrite-percentage), or a retry of the first rewrite after turning it on.
    /// </summary>
    public void AofTick()
    {
        _aof.Tick();
        lock (_gate)
        {
            if (_aof.RewriteInProgress) return;
            if (_aof.WaitingForRewrite || _aof.GrowthDue(_world.Config)) StartAofRewrite();
        }
    }

    /// <summary>Shutdown: the append-only file's buffer is written and synced.</summary>
    public void CloseAof()
    {
        lock (_gate) _aof.Dispose();
    }

    /// <summary>A timer tick: start a background save when a save point is due (serverCron).</summary>
    public void SaveIfDue()
    {
        lock (_gate)
        {
            if (_snapshots.BackgroundInProgress || !_snapshots.SavePointDue(_world)) return;
            _log.Notice($"{_world.Dirty} changes since the last save. Saving...");
            StartBackgroundSave();
        }
    }

    /// <summary>
    /// Before stopping (SHUTDOWN, SIGTERM): save when asked to, or by default when save points are
    /// configured; false when that save failed (the server then keeps running, as Redis does).
    /// </summary>
    public bool SaveForShutdown(ShutdownMode mode)
    {
        lock (_gate)
        {
            var savePoints = _world.Config.Save.Trim().Length > 0;
            if (mode.IsNoSave || (mode.IsDefault && !savePoints)) return true;
            _snapshots.WaitForBackground();
            _log.Warning("Saving the final RDB snapshot before exiting.");
            var ok = _snapshots.Write(_world, "shutdown", ReplicationPointNow());
            if (!ok) _log.Warning("Error trying to save the DB, can't exit.");
            return ok;
        }
    }

    /// <summary>Active expiry: remove the keys that are due (exactly those), a bounded number per tick.</summary>
    public void ExpireDueKeys()
    {
        KeyEvent[]? events = null;
        lock (_gate)
        {
            World world;
            int removed;
            // A replica does not expire keys: its primary's DELs do (reads already hide them).
            if (_repl.IsReplica) return;
            var eventsWanted = EventsWanted;
            if (eventsWanted || _aof.Enabled || _world.Propagating)
            {
                world = Api.ExpireWithEvents(NowUs() / 1000, 20000, _world, out var expired);
                removed = expired.Length;
                if (eventsWanted) events = expired;
                // Each key expired here is deleted in the append-only file too (propagateDeletion).
                if (_aof.Enabled || _world.Propagating)
                {
                    foreach (var e in expired) Propagate(e.Db, [Del, e.Key]);
                    _aof.WriteBuffered();
                    _repl.FlushReplicas();
                }
            }
            else
            {
                world = Api.Expire(NowUs() / 1000, 20000, _world, out removed);
            }
            if (removed > 0)
            {
                Volatile.Write(ref _world, world);
                _clients.AddExpired(removed);
            }
        }
        // "expired" events go to their subscribers after the lock (as a command's deliveries do)
        if (events is { Length: > 0 }) PublishKeyspaceEvents(events);
    }

    private static readonly byte[] Del = "DEL"u8.ToArray();

    /// <summary>Keys evicted before a command are deleted in the append-only file and on replicas first (propagateDeletion).</summary>
    private void PropagateEvictions((int, byte[])[] keys)
    {
        if (!_aof.Enabled && !_world.Propagating) return;
        foreach (var (db, key) in keys) Propagate(db, [Del, key]);
    }

    /// <summary>
    /// Over maxmemory after the commands of the last tick (a run stops at its key bound, or memory
    /// grew without commands): evict some more, as Redis's eviction time proc does, and publish the
    /// "evicted" events. Also notes the peak of used_memory (serverCron).
    /// </summary>
    public void EvictIfOver()
    {
        KeyEvent[]? events = null;
        lock (_gate)
        {
            _clients.NotePeakMemory(Api.UsedMemory(_world));
            var nowMs = NowUs() / 1000;
            // Paused clients see a static data set: no evictions then (isSafeToPerformEvictions).
            // A replica leaves eviction to its primary (repl-slave-ignore-maxmemory).
            if (_world.Config.MaxMemory <= 0 || Volatile.Read(ref _pausedUntilMs) > nowMs || _repl.IsReplica) return;
            var world = Api.Evict(nowMs, NextSeed(), 20000, EventsWanted, _world, out var evicted, out events);
            if (evicted.Length > 0)
            {
                Volatile.Write(ref _world, world);
                _clients.AddEvicted(evicted.Length);
                // each evicted key is deleted in the append-only file and on replicas (propagateDeletion)
                if (_aof.Enabled || _world.Propagating)
                {
                    foreach (var (db, key) in evicted) Propagate(db, [Del, key]);
                    _aof.WriteBuffered();
                    _repl.FlushReplicas();
                }
            }
        }
        if (events is { Length: > 0 }) PublishKeyspaceEvents(events);
    }

    private ulong NextSeed()
    {
        var x = _seed;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        _seed = x;
        return x;
    }
}
