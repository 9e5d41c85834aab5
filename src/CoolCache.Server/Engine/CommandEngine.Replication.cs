using System.Text;
using CoolCache.Core;
using CoolCache.Core.Commands;
using CoolCache.Core.Protocol;
using CoolCache.Core.State;
using CoolCache.Server.Networking;
using CoolCache.Server.Persistence;
using CoolCache.Server.Replication;

namespace CoolCache.Server.Engine;

/// <summary>
/// The engine's replication side (replication.c): feeding writes to the backlog and replicas, the
/// commands REPLCONF PSYNC WAIT REPLICAOF ROLE, full syncs from a frozen World (no fork: the snapshot
/// is written on a background thread while writes go on and wait for the replica in its pending list),
/// and, on a replica, loading the primary's snapshot and applying its stream.
/// </summary>
public sealed partial class CommandEngine
{
    private static readonly RespValue ReadOnlyError = RespValue.NewError("READONLY You can't write against a read only replica.");
    private static readonly RespValue NoReplicasError = RespValue.NewError("NOREPLICAS Not enough good replicas to write.");
    private static readonly byte[] PingCommand = "*1\r\n$4\r\nPING\r\n"u8.ToArray();
    private static readonly byte[] GetAckCommand = "*3\r\n$8\r\nREPLCONF\r\n$6\r\nGETACK\r\n$1\r\n*\r\n"u8.ToArray();
    private const string WaitType = "\0wait";

    /// <summary>The port this server listens on (REPLCONF listening-port when it is a replica).</summary>
    public int ListeningPort { get; set; }

    /// <summary>INFO stats' sync counters.</summary>
    public (long Full, long PartialOk, long PartialErr) SyncCounts()
    {
        lock (_gate) return (_repl.SyncFull, _repl.SyncPartialOk, _repl.SyncPartialErr);
    }

    /// <summary>INFO replication's fields.</summary>
    public (string, string)[] ReplicationInfo()
    {
        lock (_gate) return _repl.InfoFields(_repl.Link?.Info);
    }

    /// <summary>A write for the append-only file and the replication stream.</summary>
    private void Propagate(int db, byte[][] argv)
    {
        _aof.Append(db, argv);
        _repl.Feed(db, argv);
    }

    /// <summary>READONLY on a read-only replica, NOREPLICAS below min-replicas-to-write; null lets the command run.</summary>
    private RespValue? RefusedByReplication(byte[][] argv)
    {
        var config = _world.Config;
        if (_repl.IsReplica)
            return config.ReplicaReadOnly && Api.IsWrite(argv) ? ReadOnlyError : null;
        if (config.MinReplicasToWrite > 0 && Api.IsWrite(argv) && _repl.GoodReplicas(config.MinReplicasMaxLag) < config.MinReplicasToWrite)
            return NoReplicasError;
        return null;
    }

    /// <summary>The World propagates while an append-only file or a backlog listens, and never on a replica (it forwards its primary's stream).</summary>
    private void UpdatePropagation() =>
        Volatile.Write(ref _world, Api.WithPropagation(_world, !_repl.IsReplica && (_aof.Enabled || _repl.Backlog is not null)));

    /// <summary>A replication command; returns the reply, or null when there is none (REPLCONF ACK) or it comes later (WAIT, full sync).</summary>
    private RespValue? Replicate(Connection c, ReplicationRequest request)
    {
        switch (request)
        {
            case ReplicationRequest.Replconf r:
                return Replconf(c, r.args);
            case ReplicationRequest.Psync p:
                return Psync(c, p.replid, p.offset);
            case ReplicationRequest.Wait w:
                return Wait(c, w.replicas, w.timeoutMs);
            case ReplicationRequest.ReplicaOf r:
                return ReplicaOf(r.host, r.port);
            default:
                return Role();
        }
    }

    private RespValue? Replconf(Connection c, byte[][] args)
    {
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var option = Encoding.Latin1.GetString(args[i]).ToLowerInvariant();
            var value = Encoding.Latin1.GetString(args[i + 1]);
            switch (option)
            {
                case "listening-port":
                    if (!int.TryParse(value, out var port)) return RespValue.NewError("ERR value is not an integer or out of range");
                    c.ReplicaListeningPort = port;
                    break;
                case "capa":
                    if (value.Equals("eof", StringComparison.OrdinalIgnoreCase)) c.ReplicaCapaEof = true;
                    break;
                case "ack":
                    if (_repl.Find(c) is { } peer && long.TryParse(value, out var offset))
                    {
                        peer.AckOffset = Math.Max(peer.AckOffset, offset);
                        peer.AckTimeMs = Environment.TickCount64;
                        ReleaseWaits();
                    }
                    return null;
                case "getack":
                    return null;
                case "ip-address":
                case "rdb-only":
                case "rdb-filter-only":
                case "rdb-channel":
                    break;
                default:
                    return RespValue.NewError($"ERR Unrecognized REPLCONF option: {Encoding.Latin1.GetString(args[i])}");
            }
        }
        return RespValue.Ok;
    }

    /// <summary>
    /// PSYNC: CONTINUE from the backlog when the replica's history is ours (our ID, or the previous one up
    /// to where it ended) and its offset is still held; otherwise FULLRESYNC from a frozen World.
    /// </summary>
    private RespValue? Psync(Connection c, string? replid, long offset)
    {
        if (_repl.IsReplica && _repl.Link?.Up != true)
            return RespValue.NewError("NOMASTERLINK Can't SYNC while not connected with my master");
        var config = _world.Config;
        _repl.Prune();
        var legacy = replid is null;
        var sameHistory = replid == _repl.ReplId || (replid == _repl.ReplId2 && offset <= _repl.SecondReplOffset);
        if (sameHistory && _repl.Backlog?.From(offset) is { } missing)
        {
            _repl.SyncPartialOk++;
            var peer = new ReplicaPeer(c) { Online = true, AckOffset = offset - 1 };
            c.IsReplica = true;
            _repl.Replicas.Add(peer);
            lock (c.Output.Sync)
            {
                c.Output.Write(Encoding.ASCII.GetBytes($"+CONTINUE {_repl.ReplId}\r\n"));
                c.Output.Write(missing);
            }
            _log.Notice($"Partial resynchronization request from {c.RemoteAddress} accepted. Sending {missing.Length} bytes of backlog starting from offset {offset}.");
            return null;
        }

        if (!legacy && replid != "?") _repl.SyncPartialErr++;
        _repl.SyncFull++;
        _repl.EnsureBacklog(config.ReplBacklogSize);
        UpdatePropagation();
        var (frozen, live) = Api.Freeze(_world);
        Volatile.Write(ref _world, live);
        var snapshotOffset = _repl.Offset;
        var waiting = new ReplicaPeer(c) { AckOffset = snapshotOffset };
        c.IsReplica = true;
        _repl.Replicas.Add(waiting);
        // SYNC (the old protocol) gets the snapshot alone
        if (!legacy) lock (c.Output.Sync) c.Output.Write(Encoding.ASCII.GetBytes($"+FULLRESYNC {_repl.ReplId} {snapshotOffset}\r\n"));
        _log.Notice($"Replica {c.RemoteAddress} asks for synchronization; full resync at offset {snapshotOffset}");
        var eof = !legacy && c.ReplicaCapaEof && config.ReplDisklessSync;
        var nowMs = NowUs() / 1000;
        Task.Run(() =>
        {
            byte[] rdb;
            try
            {
                using var ms = new MemoryStream();
                Api.WriteRdb(ms, frozen, nowMs);
                rdb = ms.ToArray();
            }
            catch (Exception ex)
            {
                _log.Warning($"Full sync of {c.RemoteAddress} failed: {ex.Message}");
                c.Abort();
                return;
            }
            lock (_gate)
            {
                if (c.IsClosing) { _repl.Prune(); return; }
                lock (c.Output.Sync)
                {
                    if (eof)
                    {
                        var mark = Encoding.ASCII.GetBytes(ReplicationState.NewReplId());
                        c.Output.Write(Encoding.ASCII.GetBytes("$EOF:"));
                        c.Output.Write(mark);
                        c.Output.Write("\r\n"u8);
                        c.Output.Write(rdb);
                        c.Output.Write(mark);
                    }
                    else
                    {
                        c.Output.Write(Encoding.ASCII.GetBytes($"${rdb.Length}\r\n"));
                        c.Output.Write(rdb);
                    }
                    foreach (var chunk in waiting.Pending) c.Output.Write(chunk);
                }
                waiting.Pending.Clear();
                waiting.Online = true;
                waiting.AckTimeMs = Environment.TickCount64;
                _log.Notice($"Synchronization with replica {c.RemoteAddress} succeeded ({rdb.Length} bytes of RDB)");
                c.StartFlush();
            }
        });
        return null;
    }

    /// <summary>WAIT: the number of replicas that acknowledged this server's offset now, or once enough have (or the timeout passes).</summary>
    private RespValue? Wait(Connection c, long replicas, long timeoutMs)
    {
        if (_repl.IsReplica)
            return RespValue.NewError("ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated.");
        var target = _repl.Offset;
        var acked = _repl.CountAcked(target);
        if (acked >= replicas) return RespValue.NewInteger(acked);
        var request = new BlockRequest(0, [], WaitType, timeoutMs == 0 ? 0 : NowUs() / 1000 + timeoutMs, RespValue.NewInteger(0), null);
        var waiter = new Waiter(c, [], request);
        _blocked.Add(waiter);
        c.Waiter = waiter;
        _waits[waiter] = (target, replicas);
        // ask every replica for its offset now (replicationRequestAckFromSlaves)
        _repl.FeedRaw(GetAckCommand);
        return null;
    }

    /// <summary>WAITs whose replicas have now acknowledged enough get their count.</summary>
    private void ReleaseWaits()
    {
        if (_waits.Count == 0) return;
        foreach (var (waiter, wait) in _waits.ToArray())
        {
            var acked = _repl.CountAcked(wait.Target);
            if (acked < wait.Replicas) continue;
            _waits.Remove(waiter);
            _blocked.Remove(waiter);
            var c = waiter.Connection;
            lock (c.Output.Sync) Api.WriteReply(c.Session.Protocol, RespValue.NewInteger(acked), c.Output);
            waiter.Done.TrySetResult();
        }
    }

    /// <summary>REPLICAOF host port, or NO ONE (host null): become a replica, or a primary keeping the data.</summary>
    private RespValue ReplicaOf(string? host, int port)
    {
        if (host is null)
        {
            if (!_repl.IsReplica) return RespValue.Ok;
            _repl.Link?.Dispose();
            _repl.Link = null;
            _repl.PrimaryHost = null;
            // keep the history: a replica of our old primary can continue with us (PSYNC2)
            _repl.ReplId2 = _repl.ReplId;
            _repl.SecondReplOffset = _repl.Offset + 1;
            _repl.ReplId = ReplicationState.NewReplId();
            _repl.ForgetSelectedDb();
            UpdatePropagation();
            _log.Notice("MASTER MODE enabled (user request)");
            return RespValue.Ok;
        }
        if (_repl.IsReplica && _repl.PrimaryHost == host && _repl.PrimaryPort == port)
            return RespValue.NewSimple("OK Already connected to specified master");
        StartReplication(host, port);
        return RespValue.Ok;
    }

    /// <summary>Become a replica of host:port (under the lock): the link connects and syncs in the background.</summary>
    private void StartReplication(string host, int port)
    {
        _repl.Link?.Dispose();
        _repl.PrimaryHost = host;
        _repl.PrimaryPort = port;
        UpdatePropagation();
        _log.Notice($"REPLICAOF {host}:{port} enabled");
        _repl.Link = new PrimaryLink(this, _log, host, port);
    }

    /// <summary>At start-up with replicaof set.</summary>
    public void StartReplicationFromConfig()
    {
        var words = Config.ReplicaOf.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length != 2) return;
        lock (_gate) StartReplication(words[0], int.Parse(words[1]));
    }

    private RespValue Role()
    {
        if (_repl.IsReplica)
        {
            return RespValue.NewArray([
                RespValue.NewBulk("slave"u8.ToArray()),
                RespValue.NewBulk(Encoding.ASCII.GetBytes(_repl.PrimaryHost!)),
                RespValue.NewInteger(_repl.PrimaryPort),
                RespValue.NewBulk(Encoding.ASCII.GetBytes(_repl.Link?.State ?? "connect")),
                RespValue.NewInteger(_repl.Offset),
            ]);
        }
        _repl.Prune();
        var replicas = _repl.Replicas.Where(r => r.Online).Select(r => RespValue.NewArray([
            RespValue.NewBulk(Encoding.ASCII.GetBytes(r.Connection.RemoteAddress.Split(':')[0])),
            RespValue.NewBulk(Encoding.ASCII.GetBytes(r.ListeningPort.ToString())),
            RespValue.NewBulk(Encoding.ASCII.GetBytes(r.AckOffset.ToString())),
        ])).ToArray();
        return RespValue.NewArray([RespValue.NewBulk("master"u8.ToArray()), RespValue.NewInteger(_repl.Offset), RespValue.NewArray(replicas)]);
    }

    /// <summary>A timer tick: PING the replicas every repl-ping-replica-period seconds (it counts in the offsets).</summary>
    public void ReplicationTick()
    {
        lock (_gate)
        {
            _repl.Prune();
            if (_repl.IsReplica || _repl.Replicas.Count == 0) return;
            var now = Environment.TickCount64;
            if (now - _lastReplicaPingMs < _world.Config.ReplPingReplicaPeriod * 1000L) return;
            _lastReplicaPingMs = now;
            _repl.FeedRaw(PingCommand);
            _repl.FlushReplicas();
        }
    }

    // ---- replica side (called by PrimaryLink) ----

    /// <summary>Where the data stands in the replication history, for a snapshot (null when there is no history to keep).</summary>
    private ReplicationPoint? ReplicationPointNow() =>
        _repl.IsReplica || _repl.Backlog is not null
            ? new ReplicationPoint(_repl.ReplId, _repl.Offset, _repl.IsReplica ? _primarySession.Db : Math.Max(0, _repl.StreamDb))
            : null;

    /// <summary>
    /// At start-up from an RDB file saved with a replication point: keep its ID and offset (a backlog
    /// starts there), so a replica continues with PSYNC and our replicas can continue with us.
    /// </summary>
    public void RestoreReplication(ReplicationPoint point)
    {
        lock (_gate)
        {
            _repl.ReplId = point.ReplId;
            _repl.ResetAt(point.Offset, _world.Config.ReplBacklogSize);
            _primarySession = Api.SessionInDb(_primarySession, point.StreamDb);
            UpdatePropagation();
            _log.Notice($"Reloaded the replication ID and offset from the RDB file: {point.ReplId}:{point.Offset}");
        }
    }

    /// <summary>The replication ID and offset this server holds (PSYNC's cached primary).</summary>
    public (string ReplId, long Offset) PrimaryCursor()
    {
        lock (_gate) return (_repl.ReplId, _repl.Offset);
    }

    /// <summary>A full sync's snapshot: the data is replaced (subscriptions and settings stay), the stream starts at offset.</summary>
    public void LoadFromPrimary(byte[] rdb, string replid, long offset)
    {
        if (!Api.TryLoadRdb(rdb, Config, NowUs() / 1000, out var loaded, out var keys, out var error, out _))
            throw new InvalidDataException($"Failed trying to load the MASTER synchronization DB from socket: {error}");
        lock (_gate)
        {
            Volatile.Write(ref _world, Api.WithDataOf(_world, loaded));
            _repl.ReplId = replid;
            _repl.ReplId2 = new string('0', 40);
            _repl.SecondReplOffset = -1;
            _repl.ResetAt(offset, _world.Config.ReplBacklogSize);
            _primarySession = Api.NewTrustedSession(-2);
            // our own replicas hold another history now: they sync again
            foreach (var r in _repl.Replicas) _clients.Kill(r.Connection.Id);
            _repl.Replicas.Clear();
            UpdatePropagation();
            if (_aof.Enabled) StartAofRewrite();
            _log.Notice($"MASTER <-> REPLICA sync: Loading DB in memory done ({keys} keys)");
        }
    }

    /// <summary>A partial sync: the stream continues; a new ID from the primary (it was promoted) keeps ours as the previous one.</summary>
    public void ContinueFromPrimary(string replid)
    {
        lock (_gate)
        {
            if (replid != _repl.ReplId)
            {
                _repl.ReplId2 = _repl.ReplId;
                _repl.SecondReplOffset = _repl.Offset + 1;
                _repl.ReplId = replid;
            }
            _repl.EnsureBacklog(_world.Config.ReplBacklogSize);
        }
    }

    /// <summary>
    /// Commands from the primary with their raw bytes: applied as the primary ran them (nothing expires
    /// meanwhile: Loading), written to the append-only file, forwarded byte for byte to our own replicas
    /// and backlog (the offset moves by those bytes). True when REPLCONF GETACK asked for an ACK.
    /// </summary>
    public bool ApplyFromPrimary(List<byte[][]> batch, ReadOnlySpan<byte> raw)
    {
        var getack = false;
        var toFlush = new List<Connection>();
        lock (_gate)
        {
            _batchStamp++;
            var world = Api.WithLoading(_world, true);
            var nowUs = NowUs();
            foreach (var argv in batch)
            {
                var name = Encoding.Latin1.GetString(argv[0]).ToLowerInvariant();
                if (name == "replconf")
                {
                    if (argv.Length > 1 && Encoding.Latin1.GetString(argv[1]).Equals("getack", StringComparison.OrdinalIgnoreCase)) getack = true;
                    continue;
                }
                var db = _primarySession.Db;
                var ctx = new Ctx(nowUs / 1000, nowUs, NextSeed(), _clients, true, EventsWanted);
                StepResult result;
                try
                {
                    result = Api.Execute(ctx, _primarySession, argv, world);
                }
                catch (Exception ex)
                {
                    _log.Warning($"Internal error applying '{name}' from the master: {ex}");
                    continue;
                }
                world = result.World;
                _primarySession = result.Session;
                if (name is not ("select" or "ping")) _aof.Append(db, argv);
                foreach (var effect in result.Effects)
                    if (effect is Effect.Publish publish) Deliver(publish.Item, null, toFlush);
            }
            Volatile.Write(ref _world, Api.WithLoading(world, false));
            _repl.FeedRaw(raw);
            _aof.WriteBuffered();
            _repl.FlushReplicas();
            if (_blocked.Count > 0) ServeBlocked(nowUs, toFlush);
        }
        Connection.FlushPeers(toFlush);
        return getack;
    }
}
