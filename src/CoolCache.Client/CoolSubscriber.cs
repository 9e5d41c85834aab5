// The pub/sub connection: a socket of its own in subscribed mode. Messages go to the subscriptions of
// their channel or pattern; confirmations (subscribe, unsubscribe...) complete the calls that asked, in
// order. After a reconnect every channel and pattern is subscribed again.
using System.Buffers;
using System.Net.Sockets;
using System.Text;

namespace CoolCache.Client;

/// <summary>Subscriptions over a dedicated connection (RESP2 or RESP3, as the options say).</summary>
public sealed class CoolSubscriber : IAsyncDisposable
{
    private readonly CoolClientOptions _options;
    private readonly object _gate = new();
    private readonly Dictionary<string, List<Subscription>> _channels = [];
    private readonly Dictionary<string, List<Subscription>> _patterns = [];
    private readonly Queue<TaskCompletionSource> _confirmations = new();
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly CancellationTokenSource _disposed = new();
    private Socket? _socket;
    private int _reconnects;

    private CoolSubscriber(CoolClientOptions options) => _options = options;

    /// <summary>How many times the subscriber has reconnected (and resubscribed).</summary>
    public int Reconnects => Volatile.Read(ref _reconnects);

    /// <summary>Open a subscriber connection.</summary>
    public static async Task<CoolSubscriber> ConnectAsync(CoolClientOptions options, CancellationToken cancel = default)
    {
        var s = new CoolSubscriber(options);
        s.Attach(await Handshake.ConnectAsync(options, cancel).ConfigureAwait(false));
        return s;
    }

    private void Attach(Socket socket)
    {
        Volatile.Write(ref _socket, socket);
        _ = Task.Run(() => ReaderLoopAsync(socket));
    }

    /// <summary>SUBSCRIBE channel: messages go to the returned subscription (or to <paramref name="handler"/>,
    /// called on the reader loop). Completes once the server confirmed.</summary>
    public Task<Subscription> SubscribeAsync(RedisValue channel, Action<PubSubMessage>? handler = null, CancellationToken cancel = default) =>
        AddAsync(channel.ToArray(), false, handler, cancel);

    /// <summary>PSUBSCRIBE pattern.</summary>
    public Task<Subscription> PSubscribeAsync(RedisValue pattern, Action<PubSubMessage>? handler = null, CancellationToken cancel = default) =>
        AddAsync(pattern.ToArray(), true, handler, cancel);

    private async Task<Subscription> AddAsync(byte[] name, bool isPattern, Action<PubSubMessage>? handler, CancellationToken cancel)
    {
        var subscription = new Subscription(this, name, isPattern, handler);
        lock (_gate)
        {
            var map = isPattern ? _patterns : _channels;
            var key = Key(name);
            if (!map.TryGetValue(key, out var list))
            {
                map[key] = list = [];
            }
            list.Add(subscription);
        }
        await SendConfirmedAsync([isPattern ? "PSUBSCRIBE" : "SUBSCRIBE", name], cancel).ConfigureAwait(false);
        return subscription;
    }

    internal async Task RemoveAsync(Subscription subscription)
    {
        bool last;
        lock (_gate)
        {
            var map = subscription.IsPattern ? _patterns : _channels;
            var key = Key(subscription.Name);
            last = map.TryGetValue(key, out var list) && list.Remove(subscription) && list.Count == 0;
            if (last)
            {
                map.Remove(key);
            }
        }
        subscription.Complete();
        if (last && !_disposed.IsCancellationRequested)
        {
            await SendConfirmedAsync([subscription.IsPattern ? "PUNSUBSCRIBE" : "UNSUBSCRIBE", subscription.Name], default)
                .ConfigureAwait(false);
        }
    }

    private async Task SendConfirmedAsync(RedisValue[] command, CancellationToken cancel)
    {
        var confirmed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await _writeLock.WaitAsync(cancel).ConfigureAwait(false);
        try
        {
            lock (_gate)
            {
                _confirmations.Enqueue(confirmed);
            }
            await WriteAsync(command, cancel).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
        await confirmed.Task.WaitAsync(_options.Timeout, cancel).ConfigureAwait(false);
    }

    private async Task WriteAsync(RedisValue[] command, CancellationToken cancel)
    {
        using var encoder = new CommandEncoder(256);
        encoder.Write(command);
        var socket = Volatile.Read(ref _socket) ?? throw new RedisConnectionException("the subscriber is reconnecting");
        try
        {
            await socket.SendAsync(encoder.Written, SocketFlags.None, cancel).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // The reader loop notices the loss and reconnects; subscriptions are resent then.
        }
    }

    private async Task ReaderLoopAsync(Socket socket)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        int start = 0, end = 0;
        Exception reason;
        try
        {
            while (true)
            {
                if (end == buffer.Length)
                {
                    var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(start, end - start).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                    end -= start;
                    start = 0;
                }
                int n = await socket.ReceiveAsync(buffer.AsMemory(end), SocketFlags.None, _disposed.Token).ConfigureAwait(false);
                if (n == 0)
                {
                    reason = new RedisConnectionException("the server closed the subscriber connection");
                    break;
                }
                end += n;
                while (start < end && RespReplyReader.TryRead(buffer.AsSpan(start, end - start), out var reply, out int used))
                {
                    start += used;
                    Dispatch(reply);
                }
                if (start == end)
                {
                    start = end = 0;
                }
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException or RedisProtocolException)
        {
            reason = e;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        socket.Dispose();
        Interlocked.CompareExchange(ref _socket, null, socket);
        FailConfirmations(new RedisConnectionException($"subscriber connection lost: {reason.Message}", reason));
        if (!_disposed.IsCancellationRequested && _options.Reconnect)
        {
            await ReconnectAsync().ConfigureAwait(false);
        }
    }

    private async Task ReconnectAsync()
    {
        var delay = _options.ReconnectDelay;
        while (!_disposed.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(delay, _disposed.Token).ConfigureAwait(false);
                var socket = await Handshake.ConnectAsync(_options, _disposed.Token).ConfigureAwait(false);
                Interlocked.Increment(ref _reconnects);
                Attach(socket);
                byte[][] channels, patterns;
                lock (_gate)
                {
                    channels = [.. _channels.Values.Select(l => l[0].Name)];
                    patterns = [.. _patterns.Values.Select(l => l[0].Name)];
                }
                foreach (var c in channels)
                {
                    await SendConfirmedAsync(["SUBSCRIBE", c], _disposed.Token).ConfigureAwait(false);
                }
                foreach (var p in patterns)
                {
                    await SendConfirmedAsync(["PSUBSCRIBE", p], _disposed.Token).ConfigureAwait(false);
                }
                return;
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception e) when (e is RedisConnectionException or RedisServerException or RedisProtocolException or TimeoutException)
            {
                var doubled = delay * 2;
                delay = doubled > _options.MaxReconnectDelay ? _options.MaxReconnectDelay : doubled;
            }
        }
    }

    private void Dispatch(RedisReply reply)
    {
        if (reply.IsError)
        {
            CompleteConfirmation(new RedisServerException(reply.ErrorMessage!));
            return;
        }
        if (!reply.IsAggregate || reply.Count == 0)
        {
            return;
        }
        var kind = reply[0].AsString();
        switch (kind)
        {
            case "message" or "smessage" when reply.Count >= 3:
                Route(_channels, reply[1].AsBytes()!, new PubSubMessage(reply[1].AsBytes()!, reply[2].AsBytes()!, null));
                break;
            case "pmessage" when reply.Count >= 4:
                Route(_patterns, reply[1].AsBytes()!, new PubSubMessage(reply[2].AsBytes()!, reply[3].AsBytes()!, reply[1].AsBytes()));
                break;
            case "subscribe" or "psubscribe" or "ssubscribe" or "unsubscribe" or "punsubscribe" or "sunsubscribe":
                CompleteConfirmation(null);
                break;
        }
    }

    private void Route(Dictionary<string, List<Subscription>> map, byte[] name, PubSubMessage message)
    {
        Subscription[] targets;
        lock (_gate)
        {
            targets = map.TryGetValue(Key(name), out var list) ? [.. list] : [];
        }
        foreach (var s in targets)
        {
            s.Deliver(message);
        }
    }

    private void CompleteConfirmation(Exception? error)
    {
        TaskCompletionSource? c;
        lock (_gate)
        {
            _confirmations.TryDequeue(out c);
        }
        if (error is null)
        {
            c?.TrySetResult();
        }
        else
        {
            c?.TrySetException(error);
        }
    }

    private void FailConfirmations(Exception e)
    {
        TaskCompletionSource[] all;
        lock (_gate)
        {
            all = [.. _confirmations];
            _confirmations.Clear();
        }
        foreach (var c in all)
        {
            c.TrySetException(e);
        }
    }

    private static string Key(byte[] name) => Encoding.Latin1.GetString(name);

    /// <summary>Close the connection; every subscription's stream completes.</summary>
    public ValueTask DisposeAsync()
    {
        if (!_disposed.IsCancellationRequested)
        {
            _disposed.Cancel();
            Volatile.Read(ref _socket)?.Dispose();
            lock (_gate)
            {
                foreach (var s in _channels.Values.Concat(_patterns.Values).SelectMany(l => l))
                {
                    s.Complete();
                }
            }
        }
        return ValueTask.CompletedTask;
    }
}
