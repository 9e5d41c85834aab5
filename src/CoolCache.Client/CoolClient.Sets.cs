// Set commands (SADD, SMEMBERS, SINTER...), as in Redis's t_set.c.
namespace CoolCache.Client;

public sealed partial class CoolClient
{
    /// <summary>SADD key member [member ...]: how many are new.</summary>
    public Task<long> SAddAsync(RedisValue key, params RedisValue[] members) => Int(Concat(["SADD", key], members), default);

    /// <summary>SREM key member [member ...].</summary>
    public Task<long> SRemAsync(RedisValue key, params RedisValue[] members) => Int(Concat(["SREM", key], members), default);

    /// <summary>SMEMBERS key.</summary>
    public Task<byte[]?[]> SMembersAsync(RedisValue key, CancellationToken cancel = default) => BytesArray(["SMEMBERS", key], cancel);

    /// <summary>SISMEMBER key member.</summary>
    public Task<bool> SIsMemberAsync(RedisValue key, RedisValue member, CancellationToken cancel = default) =>
        Bool(["SISMEMBER", key, member], cancel);

    /// <summary>SMISMEMBER key member [member ...].</summary>
    public async Task<bool[]> SMIsMemberAsync(RedisValue key, params RedisValue[] members)
    {
        var r = await Checked(Concat(["SMISMEMBER", key], members), default).ConfigureAwait(false);
        return [.. r.Items.Select(i => i.AsBoolean())];
    }

    /// <summary>SCARD key.</summary>
    public Task<long> SCardAsync(RedisValue key, CancellationToken cancel = default) => Int(["SCARD", key], cancel);

    /// <summary>SPOP key: a random member removed, or null.</summary>
    public Task<byte[]?> SPopAsync(RedisValue key, CancellationToken cancel = default) => Bytes(["SPOP", key], cancel);

    /// <summary>SRANDMEMBER key: a random member, or null.</summary>
    public Task<byte[]?> SRandMemberAsync(RedisValue key, CancellationToken cancel = default) => Bytes(["SRANDMEMBER", key], cancel);

    /// <summary>SMOVE source destination member.</summary>
    public Task<bool> SMoveAsync(RedisValue source, RedisValue destination, RedisValue member, CancellationToken cancel = default) =>
        Bool(["SMOVE", source, destination, member], cancel);

    /// <summary>SINTER key [key ...].</summary>
    public Task<byte[]?[]> SInterAsync(params RedisValue[] keys) => BytesArray(Concat(["SINTER"], keys), default);

    /// <summary>SUNION key [key ...].</summary>
    public Task<byte[]?[]> SUnionAsync(params RedisValue[] keys) => BytesArray(Concat(["SUNION"], keys), default);

    /// <summary>SDIFF key [key ...].</summary>
    public Task<byte[]?[]> SDiffAsync(params RedisValue[] keys) => BytesArray(Concat(["SDIFF"], keys), default);

    /// <summary>SINTERSTORE destination key [key ...].</summary>
    public Task<long> SInterStoreAsync(RedisValue destination, params RedisValue[] keys) =>
        Int(Concat(["SINTERSTORE", destination], keys), default);

    /// <summary>SUNIONSTORE destination key [key ...].</summary>
    public Task<long> SUnionStoreAsync(RedisValue destination, params RedisValue[] keys) =>
        Int(Concat(["SUNIONSTORE", destination], keys), default);

    /// <summary>SDIFFSTORE destination key [key ...].</summary>
    public Task<long> SDiffStoreAsync(RedisValue destination, params RedisValue[] keys) =>
        Int(Concat(["SDIFFSTORE", destination], keys), default);

    /// <summary>SINTERCARD numkeys key [key ...].</summary>
    public Task<long> SInterCardAsync(params RedisValue[] keys) => Int(Concat(["SINTERCARD", keys.Length], keys), default);
}
