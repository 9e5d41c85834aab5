// Hash commands (HSET, HGET, HGETALL...), as in Redis's t_hash.c.
namespace CoolCache.Client;

public sealed partial class CoolClient
{
    /// <summary>HSET key field value: true when the field is new.</summary>
    public Task<bool> HSetAsync(RedisValue key, RedisValue field, RedisValue value, CancellationToken cancel = default) =>
        Bool(["HSET", key, field, value], cancel);

    /// <summary>HSET key field value [field value ...]: how many fields are new.</summary>
    public Task<long> HSetAsync(RedisValue key, IEnumerable<KeyValuePair<RedisValue, RedisValue>> fields, CancellationToken cancel = default) =>
        Int(Concat(["HSET", key], fields.SelectMany(p => new[] { p.Key, p.Value })), cancel);

    /// <summary>HSETNX key field value.</summary>
    public Task<bool> HSetNxAsync(RedisValue key, RedisValue field, RedisValue value, CancellationToken cancel = default) =>
        Bool(["HSETNX", key, field, value], cancel);

    /// <summary>HGET key field.</summary>
    public Task<byte[]?> HGetAsync(RedisValue key, RedisValue field, CancellationToken cancel = default) => Bytes(["HGET", key, field], cancel);

    /// <summary>HGET key field as UTF-8 text.</summary>
    public Task<string?> HGetStringAsync(RedisValue key, RedisValue field, CancellationToken cancel = default) =>
        String(["HGET", key, field], cancel);

    /// <summary>HMGET key field [field ...].</summary>
    public Task<byte[]?[]> HMGetAsync(RedisValue key, params RedisValue[] fields) => BytesArray(Concat(["HMGET", key], fields), default);

    /// <summary>HGETALL key: field/value pairs.</summary>
    public Task<KeyValuePair<byte[], byte[]>[]> HGetAllAsync(RedisValue key, CancellationToken cancel = default) =>
        Pairs(["HGETALL", key], cancel);

    /// <summary>HDEL key field [field ...].</summary>
    public Task<long> HDelAsync(RedisValue key, params RedisValue[] fields) => Int(Concat(["HDEL", key], fields), default);

    /// <summary>HEXISTS key field.</summary>
    public Task<bool> HExistsAsync(RedisValue key, RedisValue field, CancellationToken cancel = default) => Bool(["HEXISTS", key, field], cancel);

    /// <summary>HLEN key.</summary>
    public Task<long> HLenAsync(RedisValue key, CancellationToken cancel = default) => Int(["HLEN", key], cancel);

    /// <summary>HSTRLEN key field.</summary>
    public Task<long> HStrLenAsync(RedisValue key, RedisValue field, CancellationToken cancel = default) => Int(["HSTRLEN", key, field], cancel);

    /// <summary>HKEYS key.</summary>
    public Task<byte[]?[]> HKeysAsync(RedisValue key, CancellationToken cancel = default) => BytesArray(["HKEYS", key], cancel);

    /// <summary>HVALS key.</summary>
    public Task<byte[]?[]> HValsAsync(RedisValue key, CancellationToken cancel = default) => BytesArray(["HVALS", key], cancel);

    /// <summary>HINCRBY key field increment.</summary>
    public Task<long> HIncrByAsync(RedisValue key, RedisValue field, long increment, CancellationToken cancel = default) =>
        Int(["HINCRBY", key, field, increment], cancel);

    /// <summary>HINCRBYFLOAT key field increment.</summary>
    public Task<double> HIncrByFloatAsync(RedisValue key, RedisValue field, double increment, CancellationToken cancel = default) =>
        Double(["HINCRBYFLOAT", key, field, increment], cancel);

    /// <summary>HRANDFIELD key: a random field, or null.</summary>
    public Task<byte[]?> HRandFieldAsync(RedisValue key, CancellationToken cancel = default) => Bytes(["HRANDFIELD", key], cancel);

    /// <summary>HSCAN key cursor [MATCH pattern] [COUNT count]: the next cursor and field/value pairs.</summary>
    public async Task<(long Cursor, KeyValuePair<byte[], byte[]>[] Fields)> HScanAsync(RedisValue key, long cursor, RedisValue? match = null,
        CancellationToken cancel = default)
    {
        var r = await Checked(match is { } m ? ["HSCAN", key, cursor, "MATCH", m] : ["HSCAN", key, cursor], cancel).ConfigureAwait(false);
        return (r[0].AsInt64(), ToPairs(r[1]));
    }
}
