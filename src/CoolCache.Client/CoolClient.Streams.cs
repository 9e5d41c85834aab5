// Stream commands (XADD, XRANGE, XREAD, consumer groups...), as in Redis's t_stream.c.
namespace CoolCache.Client;

public sealed partial class CoolClient
{
    /// <summary>XADD key [MAXLEN ~ n] id field value [field value ...]: the new entry's ID.</summary>
    public async Task<string> XAddAsync(RedisValue key, IEnumerable<KeyValuePair<RedisValue, RedisValue>> fields, string id = "*",
        long? maxLength = null, bool approximate = false, CancellationToken cancel = default)
    {
        var args = new List<RedisValue> { "XADD", key };
        if (maxLength is { } n)
        {
            args.AddRange(approximate ? ["MAXLEN", "~", n] : ["MAXLEN", n]);
        }
        args.Add(id);
        args.AddRange(fields.SelectMany(p => new[] { p.Key, p.Value }));
        return (await String([.. args], cancel).ConfigureAwait(false))!;
    }

    /// <summary>XLEN key.</summary>
    public Task<long> XLenAsync(RedisValue key, CancellationToken cancel = default) => Int(["XLEN", key], cancel);

    /// <summary>XRANGE key start end [COUNT count].</summary>
    public async Task<StreamEntry[]> XRangeAsync(RedisValue key, string start = "-", string end = "+", long? count = null,
        CancellationToken cancel = default) =>
        StreamEntry.Many(await Checked(count is { } c ? ["XRANGE", key, start, end, "COUNT", c] : ["XRANGE", key, start, end], cancel)
            .ConfigureAwait(false));

    /// <summary>XREVRANGE key end start [COUNT count].</summary>
    public async Task<StreamEntry[]> XRevRangeAsync(RedisValue key, string end = "+", string start = "-", long? count = null,
        CancellationToken cancel = default) =>
        StreamEntry.Many(await Checked(count is { } c ? ["XREVRANGE", key, end, start, "COUNT", c] : ["XREVRANGE", key, end, start], cancel)
            .ConfigureAwait(false));

    /// <summary>XDEL key id [id ...].</summary>
    public Task<long> XDelAsync(RedisValue key, params string[] ids) => Int(Concat(["XDEL", key], ids.Select(i => (RedisValue)i)), default);

    /// <summary>XTRIM key MAXLEN [~] n.</summary>
    public Task<long> XTrimAsync(RedisValue key, long maxLength, bool approximate = false, CancellationToken cancel = default) =>
        Int(approximate ? ["XTRIM", key, "MAXLEN", "~", maxLength] : ["XTRIM", key, "MAXLEN", maxLength], cancel);

    /// <summary>XREAD [COUNT n] STREAMS key [key ...] id [id ...] (non-blocking): entries per stream.</summary>
    public async Task<Dictionary<string, StreamEntry[]>> XReadAsync(IReadOnlyList<KeyValuePair<RedisValue, string>> streams,
        long? count = null, CancellationToken cancel = default)
    {
        var args = new List<RedisValue> { "XREAD" };
        if (count is { } c)
        {
            args.AddRange(["COUNT", c]);
        }
        args.Add("STREAMS");
        args.AddRange(streams.Select(s => s.Key));
        args.AddRange(streams.Select(s => (RedisValue)s.Value));
        return PerStream(await Checked([.. args], cancel).ConfigureAwait(false));
    }

    /// <summary>XGROUP CREATE key group id [MKSTREAM].</summary>
    public Task XGroupCreateAsync(RedisValue key, RedisValue group, string id = "$", bool makeStream = false, CancellationToken cancel = default) =>
        Ok(makeStream ? ["XGROUP", "CREATE", key, group, id, "MKSTREAM"] : ["XGROUP", "CREATE", key, group, id], cancel);

    /// <summary>XREADGROUP GROUP group consumer [COUNT n] STREAMS key id (non-blocking; id <c>&gt;</c> for new entries).</summary>
    public async Task<StreamEntry[]> XReadGroupAsync(RedisValue group, RedisValue consumer, RedisValue key, string id = ">",
        long? count = null, CancellationToken cancel = default)
    {
        var args = new List<RedisValue> { "XREADGROUP", "GROUP", group, consumer };
        if (count is { } c)
        {
            args.AddRange(["COUNT", c]);
        }
        args.AddRange(["STREAMS", key, id]);
        var perStream = PerStream(await Checked([.. args], cancel).ConfigureAwait(false));
        return perStream.Values.FirstOrDefault() ?? [];
    }

    /// <summary>XACK key group id [id ...].</summary>
    public Task<long> XAckAsync(RedisValue key, RedisValue group, params string[] ids) =>
        Int(Concat(["XACK", key, group], ids.Select(i => (RedisValue)i)), default);

    /// <summary>XPENDING key group: the summary reply (count, smallest ID, greatest ID, consumers).</summary>
    public Task<RedisReply> XPendingAsync(RedisValue key, RedisValue group, CancellationToken cancel = default) =>
        Checked(["XPENDING", key, group], cancel);

    /// <summary>XREAD/XREADGROUP replies: an array of [key, entries] (RESP2) or a map (RESP3); null when nothing.</summary>
    private static Dictionary<string, StreamEntry[]> PerStream(RedisReply r)
    {
        var result = new Dictionary<string, StreamEntry[]>();
        if (r.IsNull)
        {
            return result;
        }
        if (r.Kind == ReplyKind.Map)
        {
            for (int i = 0; i + 1 < r.Count; i += 2)
            {
                result[r[i].AsString()!] = StreamEntry.Many(r[i + 1]);
            }
            return result;
        }
        foreach (var s in r.Items)
        {
            result[s[0].AsString()!] = StreamEntry.Many(s[1]);
        }
        return result;
    }
}
