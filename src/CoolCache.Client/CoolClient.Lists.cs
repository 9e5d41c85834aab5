// List commands (LPUSH, LRANGE, LPOP...), as in Redis's t_list.c. Blocking variants hold the shared
// connection until they are served: use them on a client of their own.
namespace CoolCache.Client;

public sealed partial class CoolClient
{
    /// <summary>LPUSH key element [element ...]: the new length.</summary>
    public Task<long> LPushAsync(RedisValue key, params RedisValue[] elements) => Int(Concat(["LPUSH", key], elements), default);

    /// <summary>RPUSH key element [element ...]: the new length.</summary>
    public Task<long> RPushAsync(RedisValue key, params RedisValue[] elements) => Int(Concat(["RPUSH", key], elements), default);

    /// <summary>LPUSHX key element [element ...].</summary>
    public Task<long> LPushXAsync(RedisValue key, params RedisValue[] elements) => Int(Concat(["LPUSHX", key], elements), default);

    /// <summary>RPUSHX key element [element ...].</summary>
    public Task<long> RPushXAsync(RedisValue key, params RedisValue[] elements) => Int(Concat(["RPUSHX", key], elements), default);

    /// <summary>LPOP key: the first element, or null.</summary>
    public Task<byte[]?> LPopAsync(RedisValue key, CancellationToken cancel = default) => Bytes(["LPOP", key], cancel);

    /// <summary>RPOP key: the last element, or null.</summary>
    public Task<byte[]?> RPopAsync(RedisValue key, CancellationToken cancel = default) => Bytes(["RPOP", key], cancel);

    /// <summary>LPOP key count.</summary>
    public Task<byte[]?[]> LPopAsync(RedisValue key, long count, CancellationToken cancel = default) => BytesArray(["LPOP", key, count], cancel);

    /// <summary>RPOP key count.</summary>
    public Task<byte[]?[]> RPopAsync(RedisValue key, long count, CancellationToken cancel = default) => BytesArray(["RPOP", key, count], cancel);

    /// <summary>LLEN key.</summary>
    public Task<long> LLenAsync(RedisValue key, CancellationToken cancel = default) => Int(["LLEN", key], cancel);

    /// <summary>LRANGE key start stop.</summary>
    public Task<byte[]?[]> LRangeAsync(RedisValue key, long start, long stop, CancellationToken cancel = default) =>
        BytesArray(["LRANGE", key, start, stop], cancel);

    /// <summary>LINDEX key index.</summary>
    public Task<byte[]?> LIndexAsync(RedisValue key, long index, CancellationToken cancel = default) => Bytes(["LINDEX", key, index], cancel);

    /// <summary>LSET key index element.</summary>
    public Task LSetAsync(RedisValue key, long index, RedisValue element, CancellationToken cancel = default) =>
        Ok(["LSET", key, index, element], cancel);

    /// <summary>LINSERT key BEFORE|AFTER pivot element: the new length, -1 without the pivot.</summary>
    public Task<long> LInsertAsync(RedisValue key, bool before, RedisValue pivot, RedisValue element, CancellationToken cancel = default) =>
        Int(["LINSERT", key, before ? "BEFORE" : "AFTER", pivot, element], cancel);

    /// <summary>LREM key count element: how many were removed.</summary>
    public Task<long> LRemAsync(RedisValue key, long count, RedisValue element, CancellationToken cancel = default) =>
        Int(["LREM", key, count, element], cancel);

    /// <summary>LTRIM key start stop.</summary>
    public Task LTrimAsync(RedisValue key, long start, long stop, CancellationToken cancel = default) => Ok(["LTRIM", key, start, stop], cancel);

    /// <summary>LPOS key element: the first index, or null.</summary>
    public Task<long?> LPosAsync(RedisValue key, RedisValue element, CancellationToken cancel = default) =>
        NullableInt(["LPOS", key, element], cancel);

    /// <summary>LMOVE source destination LEFT|RIGHT LEFT|RIGHT.</summary>
    public Task<byte[]?> LMoveAsync(RedisValue source, RedisValue destination, bool fromLeft, bool toLeft, CancellationToken cancel = default) =>
        Bytes(["LMOVE", source, destination, fromLeft ? "LEFT" : "RIGHT", toLeft ? "LEFT" : "RIGHT"], cancel);

    /// <summary>RPOPLPUSH source destination.</summary>
    public Task<byte[]?> RPopLPushAsync(RedisValue source, RedisValue destination, CancellationToken cancel = default) =>
        Bytes(["RPOPLPUSH", source, destination], cancel);

    /// <summary>BLPOP key [key ...] timeout: (key, element), or null after the timeout.</summary>
    public async Task<(byte[] Key, byte[] Element)?> BLPopAsync(RedisValue[] keys, double timeoutSeconds, CancellationToken cancel = default)
    {
        var r = await Checked([.. Concat(["BLPOP"], keys), timeoutSeconds], cancel).ConfigureAwait(false);
        return r.IsNull ? null : (r[0].AsBytes()!, r[1].AsBytes()!);
    }

    /// <summary>BRPOP key [key ...] timeout: (key, element), or null after the timeout.</summary>
    public async Task<(byte[] Key, byte[] Element)?> BRPopAsync(RedisValue[] keys, double timeoutSeconds, CancellationToken cancel = default)
    {
        var r = await Checked([.. Concat(["BRPOP"], keys), timeoutSeconds], cancel).ConfigureAwait(false);
        return r.IsNull ? null : (r[0].AsBytes()!, r[1].AsBytes()!);
    }
}
