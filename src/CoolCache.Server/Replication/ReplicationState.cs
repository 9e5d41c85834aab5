using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using CoolCache.Core;
using CoolCache.Server.Networking;

namespace CoolCache.Server.Replication;

/// <summary>A replica attached to this server (replication.c's slave client).</summary>
public sealed class ReplicaPeer(Connection connection)
{
    public Connection Connection { get; } = connection;
    /// <summary>wait_bgsave: the RDB is being made; the stream since the snapshot waits in Pending.</summary>
    public bool Online { get; set; }
    public List<byte[]> Pending { get; } = new();
    public long AckOffset { get; set; }
    public long AckTimeMs { get; set; } = Environment.TickCount64;
    public int ListeningPort => Connection.ReplicaListeningPort;
}

/// <summary>
/// This server's place in replication (replication.c): its replication ID (and the previous one with the
/// offset it was valid to), the backlog, the replicas attached and their acknowledged offsets, and, when
/// it is a replica itself, its primary. The primary side feeds every propagated write to the backlog and
/// to the replicas (a SELECT first when the database changes); a replica forwards its primary's stream
/// byte for byte, so offsets agree down a chain. Used under the engine lock.
/// </summary>
public sealed class ReplicationState
{
    private readonly ArrayBufferWriter<byte> _scratch = new(256);
    private int _streamDb = -1;

    /// <summary>The database the stream last selected (-1: none yet).</summary>
    public int StreamDb => _streamDb;
    private long _offsetWithoutBacklog;

    public string ReplId { get; set; } = NewReplId();
    public string ReplId2 { get; set; } = new('0', 40);
    public long SecondReplOffset { get; set; } = -1;
    public ReplicationBacklog? Backlog { get; private set; }
    public List<ReplicaPeer> Replicas { get; } = new();

    /// <summary>INFO stats sync_full / sync_partial_ok / sync_partial_err.</summary>
    public long SyncFull { get; set; }
    public long SyncPartialOk { get; set; }
    public long SyncPartialErr { get; set; }

    /// <summary>The primary's address when this server is a replica (null: it is a primary).</summary>
    public string? PrimaryHost { get; set; }
    public int PrimaryPort { get; set; }
    public bool IsReplica => PrimaryHost is not null;

    /// <summary>The replica's link to its primary (null on a primary).</summary>
    public PrimaryLink? Link { get; set; }

    /// <summary>master_repl_offset.</summary>
    public long Offset => Backlog?.Offset ?? _offsetWithoutBacklog;

    public static string NewReplId() => Convert.ToHexString(RandomNumberGenerator.GetBytes(20)).ToLowerInvariant();

    /// <summary>Create the backlog if there is none (the first replica attaches), starting at the current offset.</summary>
    public ReplicationBacklog EnsureBacklog(long size)
    {
        Backlog ??= new ReplicationBacklog(size, _offsetWithoutBacklog);
        return Backlog;
    }

    /// <summary>Start over from offset (a replica that loaded its primary's snapshot): an empty backlog there.</summary>
    public void ResetAt(long offset, long size)
    {
        Backlog = new ReplicationBacklog(size, offset);
        _offsetWithoutBacklog = offset;
        _streamDb = -1;
    }

    /// <summary>The stream's SELECT state is unknown (after a promotion): the next write selects its database.</summary>
    public void ForgetSelectedDb() => _streamDb = -1;

    /// <summary>A primary's write in database db: to the backlog and every replica (a SELECT first when needed).</summary>
    public void Feed(int db, byte[][] argv)
    {
        if (Backlog is null) return;
        _scratch.ResetWrittenCount();
        if (db != _streamDb)
        {
            Api.WriteCommand([SelectWord, Encoding.ASCII.GetBytes(db.ToString())], _scratch);
            _streamDb = db;
        }
        Api.WriteCommand(argv, _scratch);
        FeedRaw(_scratch.WrittenSpan);
    }

    private static readonly byte[] SelectWord = "SELECT"u8.ToArray();

    /// <summary>Bytes of the stream as they are (a primary's commands, or what a replica's primary sent).</summary>
    public void FeedRaw(ReadOnlySpan<byte> bytes)
    {
        if (Backlog is null)
        {
            return;
        }
        Backlog.Append(bytes);
        byte[]? copy = null;
        foreach (var r in Replicas)
        {
            if (r.Connection.IsClosing) continue;
            if (r.Online)
            {
                lock (r.Connection.Output.Sync) r.Connection.Output.Write(bytes);
            }
            else
            {
                copy ??= bytes.ToArray();
                r.Pending.Add(copy);
            }
        }
    }

    /// <summary>Send what was written to the online replicas.</summary>
    public void FlushReplicas()
    {
        foreach (var r in Replicas)
            if (r.Online && !r.Connection.IsClosing && r.Connection.Output.Pending > 0) r.Connection.StartFlush();
    }

    public ReplicaPeer? Find(Connection c) => Replicas.Find(r => r.Connection == c);

    /// <summary>Replicas whose acknowledged offset reached offset (WAIT's count).</summary>
    public int CountAcked(long offset) => Replicas.Count(r => r.Online && !r.Connection.IsClosing && r.AckOffset >= offset);

    /// <summary>Replicas that acknowledged within maxLagSeconds (min-replicas-max-lag).</summary>
    public int GoodReplicas(int maxLagSeconds) =>
        Replicas.Count(r => r.Online && !r.Connection.IsClosing && Environment.TickCount64 - r.AckTimeMs <= maxLagSeconds * 1000L);

    /// <summary>Forget replicas whose connection closed.</summary>
    public void Prune() => Replicas.RemoveAll(r => r.Connection.IsClosing);

    /// <summary>INFO replication's fields.</summary>
    public (string, string)[] InfoFields(PrimaryLinkInfo? link)
    {
        var f = new List<(string, string)>();
        f.Add(("role", IsReplica ? "slave" : "master"));
        if (IsReplica)
        {
            f.Add(("master_host", PrimaryHost!));
            f.Add(("master_port", PrimaryPort.ToString()));
            f.Add(("master_link_status", link?.Up == true ? "up" : "down"));
            f.Add(("master_last_io_seconds_ago", link?.Up == true ? link.Value.LastIoSecondsAgo.ToString() : "-1"));
            f.Add(("master_sync_in_progress", link?.Syncing == true ? "1" : "0"));
            f.Add(("slave_read_repl_offset", Offset.ToString()));
            f.Add(("slave_repl_offset", Offset.ToString()));
            f.Add(("slave_priority", "100"));
            f.Add(("slave_read_only", "1"));
            f.Add(("replica_announced", "1"));
        }
        Prune();
        f.Add(("connected_slaves", Replicas.Count.ToString()));
        for (var i = 0; i < Replicas.Count; i++)
        {
            var r = Replicas[i];
            var ip = r.Connection.RemoteAddress.Split(':')[0];
            var lag = (Environment.TickCount64 - r.AckTimeMs) / 1000;
            f.Add(($"slave{i}", $"ip={ip},port={r.ListeningPort},state={(r.Online ? "online" : "wait_bgsave")},offset={r.AckOffset},lag={lag}"));
        }
        f.Add(("master_failover_state", "no-failover"));
        f.Add(("master_replid", ReplId));
        f.Add(("master_replid2", ReplId2));
        f.Add(("master_repl_offset", Offset.ToString()));
        f.Add(("second_repl_offset", SecondReplOffset.ToString()));
        f.Add(("repl_backlog_active", Backlog is null ? "0" : "1"));
        f.Add(("repl_backlog_size", (Backlog?.Size ?? 1048576).ToString()));
        f.Add(("repl_backlog_first_byte_offset", (Backlog?.FirstByteOffset ?? 0).ToString()));
        f.Add(("repl_backlog_histlen", (Backlog?.HistLen ?? 0).ToString()));
        return f.ToArray();
    }
}

/// <summary>What INFO shows about a replica's link to its primary.</summary>
public readonly record struct PrimaryLinkInfo(bool Up, bool Syncing, long LastIoSecondsAgo);
