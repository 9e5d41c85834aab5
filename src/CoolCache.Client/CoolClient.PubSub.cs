// Pub/sub: PUBLISH and PUBSUB on the shared connection; subscriptions on the subscriber connection.
namespace CoolCache.Client;

public sealed partial class CoolClient
{
    /// <summary>PUBLISH channel message: how many subscribers received it.</summary>
    public Task<long> PublishAsync(RedisValue channel, RedisValue message, CancellationToken cancel = default) =>
        Int(["PUBLISH", channel, message], cancel);

    /// <summary>SPUBLISH shardchannel message.</summary>
    public Task<long> SPublishAsync(RedisValue channel, RedisValue message, CancellationToken cancel = default) =>
        Int(["SPUBLISH", channel, message], cancel);

    /// <summary>PUBSUB CHANNELS [pattern].</summary>
    public Task<byte[]?[]> PubSubChannelsAsync(RedisValue? pattern = null, CancellationToken cancel = default) =>
        BytesArray(pattern is { } p ? ["PUBSUB", "CHANNELS", p] : ["PUBSUB", "CHANNELS"], cancel);

    /// <summary>PUBSUB NUMSUB channel: its subscriber count.</summary>
    public async Task<long> PubSubNumSubAsync(RedisValue channel, CancellationToken cancel = default)
    {
        var r = await Checked(["PUBSUB", "NUMSUB", channel], cancel).ConfigureAwait(false);
        return r[1].AsInt64();
    }

    /// <summary>PUBSUB NUMPAT.</summary>
    public Task<long> PubSubNumPatAsync(CancellationToken cancel = default) => Int(["PUBSUB", "NUMPAT"], cancel);

    /// <summary>SUBSCRIBE channel on this client's subscriber connection (opened on first use).</summary>
    public async Task<Subscription> SubscribeAsync(RedisValue channel, Action<PubSubMessage>? handler = null, CancellationToken cancel = default)
    {
        var s = await GetSubscriberAsync(cancel).ConfigureAwait(false);
        return await s.SubscribeAsync(channel, handler, cancel).ConfigureAwait(false);
    }

    /// <summary>PSUBSCRIBE pattern on this client's subscriber connection.</summary>
    public async Task<Subscription> PSubscribeAsync(RedisValue pattern, Action<PubSubMessage>? handler = null, CancellationToken cancel = default)
    {
        var s = await GetSubscriberAsync(cancel).ConfigureAwait(false);
        return await s.PSubscribeAsync(pattern, handler, cancel).ConfigureAwait(false);
    }
}
