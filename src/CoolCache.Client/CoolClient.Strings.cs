// String commands (GET, SET, INCR...), as in Redis's t_string.c.
namespace CoolCache.Client;

/// <summary>When a SET-like command writes.</summary>
public enum When
{
    /// <summary>Always write.</summary>
    Always,
    /// <summary>Only when the key does not exist (NX).</summary>
    NotExists,
    /// <summary>Only when the key exists (XX).</summary>
    Exists,
}

public sealed partial class CoolClient
{
    /// <summary>GET key: the value's bytes, or null when the key does not exist.</summary>
    public Task<byte[]?> GetAsync(RedisValue key, CancellationToken cancel = default) => Bytes(["GET", key], cancel);

    /// <summary>GET key as UTF-8 text.</summary>
    public Task<string?> GetStringAsync(RedisValue key, CancellationToken cancel = default) => String(["GET", key], cancel);

    /// <summary>SET key value [PX ms] [NX|XX]: true when the value was written.</summary>
    public async Task<bool> SetAsync(RedisValue key, RedisValue value, TimeSpan? expiry = null, When when = When.Always,
        CancellationToken cancel = default)
    {
        var args = new List<RedisValue>(6) { "SET", key, value };
        if (expiry is { } e)
        {
            args.AddRange(["PX", (long)e.TotalMilliseconds]);
        }
        if (when != When.Always)
        {
            args.Add(when == When.NotExists ? "NX" : "XX");
        }
        var r = await Checked([.. args], cancel).ConfigureAwait(false);
        return !r.IsNull;
    }

    /// <summary>SET key value GET: the old value, or null.</summary>
    public Task<byte[]?> SetAndGetAsync(RedisValue key, RedisValue value, CancellationToken cancel = default) =>
        Bytes(["SET", key, value, "GET"], cancel);

    /// <summary>SETNX key value.</summary>
    public Task<bool> SetNxAsync(RedisValue key, RedisValue value, CancellationToken cancel = default) => Bool(["SETNX", key, value], cancel);

    /// <summary>SETEX key seconds value.</summary>
    public Task SetExAsync(RedisValue key, long seconds, RedisValue value, CancellationToken cancel = default) =>
        Ok(["SETEX", key, seconds, value], cancel);

    /// <summary>PSETEX key milliseconds value.</summary>
    public Task PSetExAsync(RedisValue key, long milliseconds, RedisValue value, CancellationToken cancel = default) =>
        Ok(["PSETEX", key, milliseconds, value], cancel);

    /// <summary>GETSET key value.</summary>
    public Task<byte[]?> GetSetAsync(RedisValue key, RedisValue value, CancellationToken cancel = default) =>
        Bytes(["GETSET", key, value], cancel);

    /// <summary>GETDEL key.</summary>
    public Task<byte[]?> GetDelAsync(RedisValue key, CancellationToken cancel = default) => Bytes(["GETDEL", key], cancel);

    /// <summary>GETEX key [PX ms | PERSIST]: the value, with the expiry changed (or removed when <paramref name="expiry"/> is null).</summary>
    public Task<byte[]?> GetExAsync(RedisValue key, TimeSpan? expiry, CancellationToken cancel = default) =>
        Bytes(expiry is { } e ? ["GETEX", key, "PX", (long)e.TotalMilliseconds] : ["GETEX", key, "PERSIST"], cancel);

    /// <summary>MGET key [key ...]: each value or null.</summary>
    public Task<byte[]?[]> MGetAsync(RedisValue[] keys, CancellationToken cancel = default) =>
        BytesArray(Concat(["MGET"], keys), cancel);

    /// <summary>MSET key value [key value ...].</summary>
    public Task MSetAsync(IEnumerable<KeyValuePair<RedisValue, RedisValue>> pairs, CancellationToken cancel = default) =>
        Ok(Concat(["MSET"], pairs.SelectMany(p => new[] { p.Key, p.Value })), cancel);

    /// <summary>MSETNX key value [key value ...]: true when all were set.</summary>
    public Task<bool> MSetNxAsync(IEnumerable<KeyValuePair<RedisValue, RedisValue>> pairs, CancellationToken cancel = default) =>
        Bool(Concat(["MSETNX"], pairs.SelectMany(p => new[] { p.Key, p.Value })), cancel);

    /// <summary>INCR key.</summary>
    public Task<long> IncrAsync(RedisValue key, CancellationToken cancel = default) => Int(["INCR", key], cancel);

    /// <summary>INCRBY key increment.</summary>
    public Task<long> IncrByAsync(RedisValue key, long increment, CancellationToken cancel = default) => Int(["INCRBY", key, increment], cancel);

    /// <summary>DECR key.</summary>
    public Task<long> DecrAsync(RedisValue key, CancellationToken cancel = default) => Int(["DECR", key], cancel);

    /// <summary>DECRBY key decrement.</summary>
    public Task<long> DecrByAsync(RedisValue key, long decrement, CancellationToken cancel = default) => Int(["DECRBY", key, decrement], cancel);

    /// <summary>INCRBYFLOAT key increment.</summary>
    public Task<double> IncrByFloatAsync(RedisValue key, double increment, CancellationToken cancel = default) =>
        Double(["INCRBYFLOAT", key, increment], cancel);

    /// <summary>APPEND key value: the new length.</summary>
    public Task<long> AppendAsync(RedisValue key, RedisValue value, CancellationToken cancel = default) => Int(["APPEND", key, value], cancel);

    /// <summary>STRLEN key.</summary>
    public Task<long> StrLenAsync(RedisValue key, CancellationToken cancel = default) => Int(["STRLEN", key], cancel);

    /// <summary>GETRANGE key start end.</summary>
    public Task<byte[]?> GetRangeAsync(RedisValue key, long start, long end, CancellationToken cancel = default) =>
        Bytes(["GETRANGE", key, start, end], cancel);

    /// <summary>SETRANGE key offset value: the new length.</summary>
    public Task<long> SetRangeAsync(RedisValue key, long offset, RedisValue value, CancellationToken cancel = default) =>
        Int(["SETRANGE", key, offset, value], cancel);

    /// <summary>LCS key1 key2: the longest common subsequence.</summary>
    public Task<byte[]?> LcsAsync(RedisValue key1, RedisValue key2, CancellationToken cancel = default) => Bytes(["LCS", key1, key2], cancel);
}
