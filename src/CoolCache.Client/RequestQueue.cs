// The requests callers have made that no connection has written yet. It outlives connections: while
// the client reconnects, new requests wait here and the next connection's writer loop takes them.
using System.Threading.Channels;

namespace CoolCache.Client;

internal sealed class RequestQueue
{
    private readonly Queue<Request> _queue = new();
    private readonly Channel<bool> _signal =
        Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    /// <summary>The lock that orders the queue and every connection's pending list.</summary>
    public object Gate => _queue;

    public void Enqueue(Request request)
    {
        lock (_queue)
        {
            _queue.Enqueue(request);
        }
        _signal.Writer.TryWrite(true);
    }

    /// <summary>Wake the writer loop (after a reconnect, or to make it notice that its connection closed).</summary>
    public void Wake() => _signal.Writer.TryWrite(true);

    /// <summary>Wait until there may be requests to take.</summary>
    public async ValueTask WaitAsync(CancellationToken cancel)
    {
        await _signal.Reader.ReadAsync(cancel).ConfigureAwait(false);
    }

    /// <summary>Under <see cref="Gate"/>: take up to max live requests (skipping those already timed out or cancelled).</summary>
    public void TakeLocked(List<Request> into, int max)
    {
        while (into.Count < max && _queue.TryDequeue(out var r))
        {
            if (!r.Task.IsCompleted)
            {
                into.Add(r);
            }
        }
    }

    /// <summary>Under <see cref="Gate"/>: the requests waiting, for the timeout sweep.</summary>
    public Queue<Request> WaitingLocked => _queue;

    /// <summary>Fail and drop every waiting request.</summary>
    public void FailAll(Exception e)
    {
        List<Request> all;
        lock (_queue)
        {
            all = [.. _queue];
            _queue.Clear();
        }
        foreach (var r in all)
        {
            r.Fail(e);
        }
    }
}
