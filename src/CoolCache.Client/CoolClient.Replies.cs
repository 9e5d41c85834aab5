// Shared reply conversions for the typed commands: every typed method throws RedisServerException on an
// error reply and converts the rest with one of these.
using System.Text;

namespace CoolCache.Client;

public sealed partial class CoolClient
{
    /// <summary>UTF-8 text of bytes, or null.</summary>
    public static string? Text(byte[]? bytes) => bytes is null ? null : Encoding.UTF8.GetString(bytes);

    private async Task<RedisReply> Checked(RedisValue[] args, CancellationToken cancel) =>
        (await SendAsync(args, cancel).ConfigureAwait(false)).ThrowIfError();

    private async Task<long> Int(RedisValue[] args, CancellationToken cancel) =>
        (await Checked(args, cancel).ConfigureAwait(false)).AsInt64();

    private async Task<long?> NullableInt(RedisValue[] args, CancellationToken cancel)
    {
        var r = await Checked(args, cancel).ConfigureAwait(false);
        return r.IsNull ? null : r.AsInt64();
    }

    private async Task<bool> Bool(RedisValue[] args, CancellationToken cancel) =>
        (await Checked(args, cancel).ConfigureAwait(false)).AsBoolean();

    private async Task<double> Double(RedisValue[] args, CancellationToken cancel) =>
        (await Checked(args, cancel).ConfigureAwait(false)).AsDouble();

    private async Task<double?> NullableDouble(RedisValue[] args, CancellationToken cancel)
    {
        var r = await Checked(args, cancel).ConfigureAwait(false);
        return r.IsNull ? null : r.AsDouble();
    }

    private async Task<byte[]?> Bytes(RedisValue[] args, CancellationToken cancel) =>
        (await Checked(args, cancel).ConfigureAwait(false)).AsBytes();

    private async Task<string?> String(RedisValue[] args, CancellationToken cancel) =>
        (await Checked(args, cancel).ConfigureAwait(false)).AsString();

    private async Task<byte[]?[]> BytesArray(RedisValue[] args, CancellationToken cancel) =>
        ToBytesArray(await Checked(args, cancel).ConfigureAwait(false));

    private async Task<KeyValuePair<byte[], byte[]>[]> Pairs(RedisValue[] args, CancellationToken cancel) =>
        ToPairs(await Checked(args, cancel).ConfigureAwait(false));

    private async Task<KeyValuePair<byte[], double>[]> Scored(RedisValue[] args, CancellationToken cancel) =>
        ToScored(await Checked(args, cancel).ConfigureAwait(false));

    private async Task Ok(RedisValue[] args, CancellationToken cancel) =>
        await Checked(args, cancel).ConfigureAwait(false);

    internal static byte[]?[] ToBytesArray(RedisReply r) => r.IsNull ? [] : [.. r.Items.Select(i => i.AsBytes())];

    /// <summary>Pairs from a map (RESP3), a flat array (RESP2), or an array of two-element arrays.</summary>
    internal static KeyValuePair<byte[], byte[]>[] ToPairs(RedisReply r)
    {
        if (r.Items.Count > 0 && r.Items[0].IsAggregate)
        {
            return [.. r.Items.Select(p => KeyValuePair.Create(p[0].AsBytes()!, p[1].AsBytes()!))];
        }
        var pairs = new KeyValuePair<byte[], byte[]>[r.Count / 2];
        for (int i = 0; i < pairs.Length; i++)
        {
            pairs[i] = KeyValuePair.Create(r[2 * i].AsBytes()!, r[2 * i + 1].AsBytes()!);
        }
        return pairs;
    }

    /// <summary>Member/score pairs from a RESP2 flat array or RESP3 pairs.</summary>
    internal static KeyValuePair<byte[], double>[] ToScored(RedisReply r) =>
        [.. ToPairReplies(r).Select(p => KeyValuePair.Create(p.Item1.AsBytes()!, p.Item2.AsDouble()))];

    private static IEnumerable<(RedisReply, RedisReply)> ToPairReplies(RedisReply r)
    {
        if (r.Items.Count > 0 && r.Items[0].IsAggregate)
        {
            return r.Items.Select(p => (p[0], p[1]));
        }
        return Enumerable.Range(0, r.Count / 2).Select(i => (r[2 * i], r[2 * i + 1]));
    }

    private static RedisValue[] Concat(RedisValue[] head, IEnumerable<RedisValue> tail) => [.. head, .. tail];
}
