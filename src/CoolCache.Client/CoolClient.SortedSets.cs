// Sorted-set commands (ZADD, ZRANGE, ZSCORE...), as in Redis's t_zset.c.
namespace CoolCache.Client;

public sealed partial class CoolClient
{
    /// <summary>ZADD key score member: true when the member is new.</summary>
    public Task<bool> ZAddAsync(RedisValue key, RedisValue member, double score, CancellationToken cancel = default) =>
        Bool(["ZADD", key, score, member], cancel);

    /// <summary>ZADD key score member [score member ...]: how many are new.</summary>
    public Task<long> ZAddAsync(RedisValue key, IEnumerable<KeyValuePair<RedisValue, double>> members, CancellationToken cancel = default) =>
        Int(Concat(["ZADD", key], members.SelectMany(p => new[] { (RedisValue)p.Value, p.Key })), cancel);

    /// <summary>ZREM key member [member ...].</summary>
    public Task<long> ZRemAsync(RedisValue key, params RedisValue[] members) => Int(Concat(["ZREM", key], members), default);

    /// <summary>ZSCORE key member: the score, or null.</summary>
    public Task<double?> ZScoreAsync(RedisValue key, RedisValue member, CancellationToken cancel = default) =>
        NullableDouble(["ZSCORE", key, member], cancel);

    /// <summary>ZINCRBY key increment member: the new score.</summary>
    public Task<double> ZIncrByAsync(RedisValue key, RedisValue member, double increment, CancellationToken cancel = default) =>
        Double(["ZINCRBY", key, increment, member], cancel);

    /// <summary>ZCARD key.</summary>
    public Task<long> ZCardAsync(RedisValue key, CancellationToken cancel = default) => Int(["ZCARD", key], cancel);

    /// <summary>ZCOUNT key min max (Redis range syntax: <c>-inf</c>, <c>(1</c>...).</summary>
    public Task<long> ZCountAsync(RedisValue key, RedisValue min, RedisValue max, CancellationToken cancel = default) =>
        Int(["ZCOUNT", key, min, max], cancel);

    /// <summary>ZRANK key member: the rank, or null.</summary>
    public Task<long?> ZRankAsync(RedisValue key, RedisValue member, CancellationToken cancel = default) =>
        NullableInt(["ZRANK", key, member], cancel);

    /// <summary>ZREVRANK key member.</summary>
    public Task<long?> ZRevRankAsync(RedisValue key, RedisValue member, CancellationToken cancel = default) =>
        NullableInt(["ZREVRANK", key, member], cancel);

    /// <summary>ZRANGE key start stop [REV]: members by rank.</summary>
    public Task<byte[]?[]> ZRangeAsync(RedisValue key, long start, long stop, bool reverse = false, CancellationToken cancel = default) =>
        BytesArray(reverse ? ["ZRANGE", key, start, stop, "REV"] : ["ZRANGE", key, start, stop], cancel);

    /// <summary>ZRANGE key start stop [REV] WITHSCORES.</summary>
    public Task<KeyValuePair<byte[], double>[]> ZRangeWithScoresAsync(RedisValue key, long start, long stop, bool reverse = false,
        CancellationToken cancel = default) =>
        Scored(reverse ? ["ZRANGE", key, start, stop, "REV", "WITHSCORES"] : ["ZRANGE", key, start, stop, "WITHSCORES"], cancel);

    /// <summary>ZRANGEBYSCORE key min max [LIMIT offset count].</summary>
    public Task<byte[]?[]> ZRangeByScoreAsync(RedisValue key, RedisValue min, RedisValue max, long? offset = null, long? count = null,
        CancellationToken cancel = default) =>
        BytesArray(offset is { } o ? ["ZRANGEBYSCORE", key, min, max, "LIMIT", o, count ?? -1] : ["ZRANGEBYSCORE", key, min, max], cancel);

    /// <summary>ZRANGEBYLEX key min max.</summary>
    public Task<byte[]?[]> ZRangeByLexAsync(RedisValue key, RedisValue min, RedisValue max, CancellationToken cancel = default) =>
        BytesArray(["ZRANGEBYLEX", key, min, max], cancel);

    /// <summary>ZPOPMIN key [count].</summary>
    public Task<KeyValuePair<byte[], double>[]> ZPopMinAsync(RedisValue key, long count = 1, CancellationToken cancel = default) =>
        Scored(["ZPOPMIN", key, count], cancel);

    /// <summary>ZPOPMAX key [count].</summary>
    public Task<KeyValuePair<byte[], double>[]> ZPopMaxAsync(RedisValue key, long count = 1, CancellationToken cancel = default) =>
        Scored(["ZPOPMAX", key, count], cancel);

    /// <summary>ZREMRANGEBYRANK key start stop.</summary>
    public Task<long> ZRemRangeByRankAsync(RedisValue key, long start, long stop, CancellationToken cancel = default) =>
        Int(["ZREMRANGEBYRANK", key, start, stop], cancel);

    /// <summary>ZREMRANGEBYSCORE key min max.</summary>
    public Task<long> ZRemRangeByScoreAsync(RedisValue key, RedisValue min, RedisValue max, CancellationToken cancel = default) =>
        Int(["ZREMRANGEBYSCORE", key, min, max], cancel);

    /// <summary>ZMSCORE key member [member ...].</summary>
    public async Task<double?[]> ZMScoreAsync(RedisValue key, params RedisValue[] members)
    {
        var r = await Checked(Concat(["ZMSCORE", key], members), default).ConfigureAwait(false);
        return [.. r.Items.Select(i => i.IsNull ? (double?)null : i.AsDouble())];
    }

    /// <summary>ZUNIONSTORE destination numkeys key [key ...].</summary>
    public Task<long> ZUnionStoreAsync(RedisValue destination, params RedisValue[] keys) =>
        Int(Concat(["ZUNIONSTORE", destination, keys.Length], keys), default);

    /// <summary>ZINTERSTORE destination numkeys key [key ...].</summary>
    public Task<long> ZInterStoreAsync(RedisValue destination, params RedisValue[] keys) =>
        Int(Concat(["ZINTERSTORE", destination, keys.Length], keys), default);
}
