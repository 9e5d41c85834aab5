// One stream entry as XRANGE/XREAD return it.
namespace CoolCache.Client;

/// <summary>A stream entry: its ID (<c>ms-seq</c>) and field/value pairs.</summary>
public sealed record StreamEntry(string Id, KeyValuePair<byte[], byte[]>[] Fields)
{
    internal static StreamEntry From(RedisReply r) => new(r[0].AsString()!, r[1].IsNull ? [] : CoolClient.ToPairs(r[1]));

    internal static StreamEntry[] Many(RedisReply r) => r.IsNull ? [] : [.. r.Items.Select(From)];
}
