// What SUBSCRIBE/PSUBSCRIBE hand back: the messages of one channel or pattern, as an async stream
// (buffered, unbounded) or through a handler called on the subscriber's reader loop.
using System.Threading.Channels;

namespace CoolCache.Client;

/// <summary>The messages of one channel or pattern. Enumerate it (<c>await foreach</c>), or pass a handler when
/// subscribing. Dispose it to unsubscribe.</summary>
public sealed class Subscription : IAsyncEnumerable<PubSubMessage>, IAsyncDisposable
{
    private readonly Channel<PubSubMessage> _messages = Channel.CreateUnbounded<PubSubMessage>(new UnboundedChannelOptions { SingleWriter = true });
    private readonly Action<PubSubMessage>? _handler;
    private readonly CoolSubscriber _owner;

    internal Subscription(CoolSubscriber owner, byte[] name, bool isPattern, Action<PubSubMessage>? handler)
    {
        _owner = owner;
        Name = name;
        IsPattern = isPattern;
        _handler = handler;
    }

    /// <summary>The channel or pattern.</summary>
    public byte[] Name { get; }

    /// <summary>True for PSUBSCRIBE subscriptions.</summary>
    public bool IsPattern { get; }

    /// <summary>The buffered messages (empty when a handler takes them).</summary>
    public ChannelReader<PubSubMessage> Reader => _messages.Reader;

    internal void Deliver(PubSubMessage message)
    {
        if (_handler is not null)
        {
            _handler(message);
        }
        else
        {
            _messages.Writer.TryWrite(message);
        }
    }

    internal void Complete(Exception? e = null) => _messages.Writer.TryComplete(e);

    /// <inheritdoc/>
    public IAsyncEnumerator<PubSubMessage> GetAsyncEnumerator(CancellationToken cancellationToken = default) =>
        _messages.Reader.ReadAllAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);

    /// <summary>Unsubscribe this subscription (the channel stays subscribed while others hold it).</summary>
    public async ValueTask DisposeAsync() => await _owner.RemoveAsync(this).ConfigureAwait(false);
}
