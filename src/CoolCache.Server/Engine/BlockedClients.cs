using CoolCache.Core;
using CoolCache.Core.Commands;
using CoolCache.Server.Networking;

namespace CoolCache.Server.Engine;

/// <summary>
/// Clients parked by a blocking command (BLPOP, BZPOPMIN...), indexed by the keys they wait on, first
/// come first served per key (blocking.c). Used only under the engine lock.
/// </summary>
public sealed class BlockedClients
{
    private readonly Dictionary<DbKey, LinkedList<Waiter>> _byKey = new();
    private readonly Dictionary<long, Waiter> _byClient = new();

    /// <summary>How many clients are blocked (INFO blocked_clients).</summary>
    public int Count => _byClient.Count;

    public bool IsBlocked(long clientId) => _byClient.ContainsKey(clientId);

    public bool TryGet(long clientId, out Waiter waiter) => _byClient.TryGetValue(clientId, out waiter!);

    /// <summary>Every (db, key) someone waits on, as a snapshot (serving changes the index).</summary>
    public DbKey[] WaitedKeys() => _byKey.Keys.ToArray();

    /// <summary>The waiters on one key, oldest first (null when none).</summary>
    public LinkedList<Waiter>? Queue(DbKey key) => _byKey.GetValueOrDefault(key);

    public void Add(Waiter waiter)
    {
        _byClient[waiter.Connection.Id] = waiter;
        foreach (var key in waiter.Request.Keys)
        {
            var dbKey = new DbKey(waiter.Request.Db, key);
            if (!_byKey.TryGetValue(dbKey, out var queue)) _byKey[dbKey] = queue = new LinkedList<Waiter>();
            // BLPOP k k waits once on k.
            if (waiter.Nodes.Any(n => n.Node.List == queue)) continue;
            waiter.Nodes.Add((dbKey, queue.AddLast(waiter)));
        }
    }

    /// <summary>Unregister; false when it was not registered (already served, timed out or unblocked).</summary>
    public bool Remove(Waiter waiter)
    {
        if (!_byClient.Remove(waiter.Connection.Id)) return false;
        foreach (var (key, node) in waiter.Nodes)
        {
            var queue = node.List!;
            queue.Remove(node);
            if (queue.Count == 0) _byKey.Remove(key);
        }
        waiter.Nodes.Clear();
        return true;
    }
}

/// <summary>A key in a numbered database, compared by content.</summary>
public readonly struct DbKey : IEquatable<DbKey>
{
    public DbKey(int db, byte[] key)
    {
        Db = db;
        Key = key;
    }

    public int Db { get; }
    public byte[] Key { get; }

    public bool Equals(DbKey other) => Db == other.Db && Key.AsSpan().SequenceEqual(other.Key);
    public override bool Equals(object? obj) => obj is DbKey other && Equals(other);
    public override int GetHashCode() => HashCode.Combine(Db, ((IEqualityComparer<byte[]>)BytesComparer.Instance).GetHashCode(Key));
}

/// <summary>One parked client: the command to run again, what it waits for, and how its wait ends.</summary>
public sealed class Waiter
{
    public Waiter(Connection connection, byte[][] argv, BlockRequest request)
    {
        Connection = connection;
        Argv = argv;
        Request = request;
    }

    public Connection Connection { get; }
    public byte[][] Argv { get; }
    public BlockRequest Request { get; }

    /// <summary>Completed (off the engine lock) when the client may go on: served, timed out or unblocked.</summary>
    public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal List<(DbKey Key, LinkedListNode<Waiter> Node)> Nodes { get; } = new();
}
