// Generic key commands (DEL, EXPIRE, TTL, SCAN...), as in Redis's db.c and expire.c.
namespace CoolCache.Client;

public sealed partial class CoolClient
{
    /// <summary>DEL key [key ...]: how many were removed.</summary>
    public Task<long> DelAsync(params RedisValue[] keys) => Int(Concat(["DEL"], keys), default);

    /// <summary>UNLINK key [key ...].</summary>
    public Task<long> UnlinkAsync(params RedisValue[] keys) => Int(Concat(["UNLINK"], keys), default);

    /// <summary>EXISTS key [key ...]: how many exist.</summary>
    public Task<long> ExistsAsync(params RedisValue[] keys) => Int(Concat(["EXISTS"], keys), default);

    /// <summary>TOUCH key [key ...].</summary>
    public Task<long> TouchAsync(params RedisValue[] keys) => Int(Concat(["TOUCH"], keys), default);

    /// <summary>PEXPIRE key milliseconds: true when the expiry was set.</summary>
    public Task<bool> ExpireAsync(RedisValue key, TimeSpan expiry, CancellationToken cancel = default) =>
        Bool(["PEXPIRE", key, (long)expiry.TotalMilliseconds], cancel);

    /// <summary>PEXPIREAT key unix-time-milliseconds.</summary>
    public Task<bool> ExpireAtAsync(RedisValue key, DateTimeOffset at, CancellationToken cancel = default) =>
        Bool(["PEXPIREAT", key, at.ToUnixTimeMilliseconds()], cancel);

    /// <summary>PERSIST key.</summary>
    public Task<bool> PersistAsync(RedisValue key, CancellationToken cancel = default) => Bool(["PERSIST", key], cancel);

    /// <summary>TTL key in seconds: -1 without expiry, -2 when the key does not exist.</summary>
    public Task<long> TtlAsync(RedisValue key, CancellationToken cancel = default) => Int(["TTL", key], cancel);

    /// <summary>PTTL key in milliseconds: -1 without expiry, -2 when the key does not exist.</summary>
    public Task<long> PTtlAsync(RedisValue key, CancellationToken cancel = default) => Int(["PTTL", key], cancel);

    /// <summary>PEXPIRETIME key: the deadline in unix milliseconds, -1 or -2.</summary>
    public Task<long> PExpireTimeAsync(RedisValue key, CancellationToken cancel = default) => Int(["PEXPIRETIME", key], cancel);

    /// <summary>TYPE key: string, list, set, zset, hash, stream or none.</summary>
    public async Task<string> TypeAsync(RedisValue key, CancellationToken cancel = default) =>
        await String(["TYPE", key], cancel).ConfigureAwait(false) ?? "none";

    /// <summary>RENAME key newkey.</summary>
    public Task RenameAsync(RedisValue key, RedisValue newKey, CancellationToken cancel = default) => Ok(["RENAME", key, newKey], cancel);

    /// <summary>RENAMENX key newkey.</summary>
    public Task<bool> RenameNxAsync(RedisValue key, RedisValue newKey, CancellationToken cancel = default) =>
        Bool(["RENAMENX", key, newKey], cancel);

    /// <summary>COPY source destination [DB db] [REPLACE].</summary>
    public Task<bool> CopyAsync(RedisValue source, RedisValue destination, int? db = null, bool replace = false,
        CancellationToken cancel = default)
    {
        var args = new List<RedisValue> { "COPY", source, destination };
        if (db is { } d)
        {
            args.AddRange(["DB", d]);
        }
        if (replace)
        {
            args.Add("REPLACE");
        }
        return Bool([.. args], cancel);
    }

    /// <summary>MOVE key db.</summary>
    public Task<bool> MoveAsync(RedisValue key, int db, CancellationToken cancel = default) => Bool(["MOVE", key, db], cancel);

    /// <summary>KEYS pattern.</summary>
    public Task<byte[]?[]> KeysAsync(RedisValue pattern, CancellationToken cancel = default) => BytesArray(["KEYS", pattern], cancel);

    /// <summary>RANDOMKEY: a key, or null in an empty database.</summary>
    public Task<byte[]?> RandomKeyAsync(CancellationToken cancel = default) => Bytes(["RANDOMKEY"], cancel);

    /// <summary>SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]: the next cursor and a page of keys.</summary>
    public async Task<(long Cursor, byte[][] Keys)> ScanAsync(long cursor, RedisValue? match = null, long? count = null,
        string? type = null, CancellationToken cancel = default)
    {
        var args = new List<RedisValue> { "SCAN", cursor };
        if (match is { } m)
        {
            args.AddRange(["MATCH", m]);
        }
        if (count is { } c)
        {
            args.AddRange(["COUNT", c]);
        }
        if (type is not null)
        {
            args.AddRange(["TYPE", type]);
        }
        var r = await Checked([.. args], cancel).ConfigureAwait(false);
        return (r[0].AsInt64(), [.. r[1].Items.Select(i => i.AsBytes()!)]);
    }

    /// <summary>Every key matching <paramref name="match"/>, by SCAN pages (a key may appear twice if the keyspace changes).</summary>
    public async IAsyncEnumerable<byte[]> ScanAllAsync(RedisValue? match = null, long count = 100,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancel = default)
    {
        long cursor = 0;
        do
        {
            var (next, keys) = await ScanAsync(cursor, match, count, null, cancel).ConfigureAwait(false);
            foreach (var k in keys)
            {
                yield return k;
            }
            cursor = next;
        }
        while (cursor != 0);
    }

    /// <summary>DUMP key: the serialized value, or null.</summary>
    public Task<byte[]?> DumpAsync(RedisValue key, CancellationToken cancel = default) => Bytes(["DUMP", key], cancel);

    /// <summary>RESTORE key ttl payload [REPLACE].</summary>
    public Task RestoreAsync(RedisValue key, long ttlMilliseconds, byte[] payload, bool replace = false, CancellationToken cancel = default) =>
        Ok(replace ? ["RESTORE", key, ttlMilliseconds, payload, "REPLACE"] : ["RESTORE", key, ttlMilliseconds, payload], cancel);

    /// <summary>SORT key [...options]: the sorted elements (options as further arguments).</summary>
    public Task<byte[]?[]> SortAsync(RedisValue key, params RedisValue[] options) => BytesArray(Concat(["SORT", key], options), default);
}
