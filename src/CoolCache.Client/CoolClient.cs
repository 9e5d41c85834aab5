// CoolClient: one multiplexed connection shared by every caller, with reconnect and timeouts. The
// typed commands live in the CoolClient.*.cs files, one per data type.
namespace CoolCache.Client;

/// <summary>An async, pipelined and multiplexed client: any number of concurrent callers share one connection;
/// requests are written in the order they are made and replies matched first in, first out. Thread-safe.
/// Replies complete on the connection's reader loop: do not block inside a continuation (await instead).
/// Blocking commands (BLPOP...) and WATCH hold up or change the shared connection: give them a client of their
/// own. When the connection is lost, the requests already sent fail with <see cref="RedisConnectionException"/>
/// and the client reconnects with backoff; requests made meanwhile wait for the new connection (within their
/// timeout).</summary>
public sealed partial class CoolClient : IAsyncDisposable
{
    private readonly CoolClientOptions _options;
    private readonly RequestQueue _queue = new();
    private readonly CancellationTokenSource _disposed = new();
    private readonly Timer _sweep;
    private readonly long _timeoutMs;
    private Connection? _connection;
    private CoolSubscriber? _subscriber;
    private readonly SemaphoreSlim _subscriberGate = new(1, 1);
    private int _reconnects;

    private CoolClient(CoolClientOptions options)
    {
        _options = options;
        _timeoutMs = options.Timeout == Timeout.InfiniteTimeSpan ? 0 : (long)options.Timeout.TotalMilliseconds;
        var period = _timeoutMs == 0 ? 250 : Math.Clamp(_timeoutMs / 4, 5, 250);
        _sweep = new Timer(_ => SweepTimeouts(), null, period, period);
    }

    /// <summary>The options this client was made with.</summary>
    public CoolClientOptions Options => _options;

    /// <summary>True while a connection is open (false while reconnecting).</summary>
    public bool IsConnected => Volatile.Read(ref _connection) is { Closed.IsCompleted: false };

    /// <summary>How many times the client has reconnected.</summary>
    public int Reconnects => Volatile.Read(ref _reconnects);

    /// <summary>Raised with each RESP3 push that arrives on the shared connection (e.g. client tracking).</summary>
    public event Action<RedisReply>? PushReceived;

    /// <summary>Connect (and run HELLO/AUTH/SELECT as <paramref name="options"/> say); throws
    /// <see cref="RedisConnectionException"/> or <see cref="RedisServerException"/> when that fails.</summary>
    public static async Task<CoolClient> ConnectAsync(CoolClientOptions options, CancellationToken cancel = default)
    {
        var client = new CoolClient(options);
        try
        {
            var socket = await Handshake.ConnectAsync(options, cancel).ConfigureAwait(false);
            client.Attach(socket);
            return client;
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Connect to host:port with default options.</summary>
    public static Task<CoolClient> ConnectAsync(string host, int port, CancellationToken cancel = default) =>
        ConnectAsync(new CoolClientOptions { Host = host, Port = port }, cancel);

    private void Attach(System.Net.Sockets.Socket socket)
    {
        var connection = new Connection(socket, _queue, $"{_options.Host}:{_options.Port}")
        {
            OnPush = p => PushReceived?.Invoke(p),
        };
        Volatile.Write(ref _connection, connection);
        connection.Start();
        _queue.Wake();
        _ = connection.Closed.ContinueWith(_ => ReconnectAsync(), TaskScheduler.Default);
    }

    private async Task ReconnectAsync()
    {
        if (_disposed.IsCancellationRequested)
        {
            return;
        }
        if (!_options.Reconnect)
        {
            _queue.FailAll(new RedisConnectionException($"connection to {_options.Host}:{_options.Port} lost (Reconnect is off)"));
            return;
        }
        var delay = _options.ReconnectDelay;
        while (!_disposed.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(delay, _disposed.Token).ConfigureAwait(false);
                var socket = await Handshake.ConnectAsync(_options, _disposed.Token).ConfigureAwait(false);
                Interlocked.Increment(ref _reconnects);
                Attach(socket);
                return;
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception e) when (e is RedisConnectionException or RedisServerException or RedisProtocolException)
            {
                var doubled = delay * 2;
                delay = doubled > _options.MaxReconnectDelay ? _options.MaxReconnectDelay : doubled;
            }
        }
    }

    /// <summary>Send a command and return its reply, including error replies (as <see cref="ReplyKind.Error"/>).</summary>
    public Task<RedisReply> SendAsync(RedisValue[] args, CancellationToken cancel = default)
    {
        if (args.Length == 0)
        {
            throw new ArgumentException("a command needs at least its name", nameof(args));
        }
        return Enqueue(new Request(args, Deadline(), asynchronous: false), cancel);
    }

    /// <summary>Send several commands written back to back (no other caller's command in between) and return
    /// their replies as an array; error replies are elements, not exceptions.</summary>
    public Task<RedisReply> SendBatchAsync(RedisValue[][] commands, CancellationToken cancel = default)
    {
        if (commands.Length == 0)
        {
            throw new ArgumentException("a batch needs at least one command", nameof(commands));
        }
        return Enqueue(new Request(commands, Deadline(), asynchronous: false), cancel);
    }

    /// <summary>Run any command (arguments: strings, byte arrays, memory, numbers); throws
    /// <see cref="RedisServerException"/> with Redis's text when the reply is an error.</summary>
    public Task<RedisReply> ExecuteAsync(params object[] args) => ExecuteAsync(args, CancellationToken.None);

    /// <summary>Run any command with a cancellation token; throws <see cref="RedisServerException"/> on an error reply.</summary>
    public async Task<RedisReply> ExecuteAsync(object[] args, CancellationToken cancel)
    {
        var values = new RedisValue[args.Length];
        for (int i = 0; i < args.Length; i++)
        {
            values[i] = RedisValue.From(args[i]);
        }
        var reply = await SendAsync(values, cancel).ConfigureAwait(false);
        return reply.ThrowIfError();
    }

    private long Deadline() => _timeoutMs == 0 ? 0 : Environment.TickCount64 + _timeoutMs;

    private Task<RedisReply> Enqueue(Request request, CancellationToken cancel)
    {
        if (_disposed.IsCancellationRequested)
        {
            return Task.FromException<RedisReply>(new ObjectDisposedException(nameof(CoolClient)));
        }
        if (cancel.CanBeCanceled)
        {
            if (cancel.IsCancellationRequested)
            {
                return Task.FromCanceled<RedisReply>(cancel);
            }
            request.Registration = cancel.Register(static (state, token) => ((Request)state!).TrySetCanceled(token), request);
        }
        _queue.Enqueue(request);
        return request.Task;
    }

    /// <summary>Fail the requests whose deadline passed, written or not.</summary>
    private void SweepTimeouts()
    {
        if (_timeoutMs == 0)
        {
            return;
        }
        long now = Environment.TickCount64;
        List<Request>? late = null;
        lock (_queue.Gate)
        {
            foreach (var r in _queue.WaitingLocked)
            {
                if (r.Deadline != 0 && now >= r.Deadline && !r.Task.IsCompleted)
                {
                    (late ??= []).Add(r);
                }
            }
            var pending = Volatile.Read(ref _connection)?.PendingLocked;
            if (pending is not null)
            {
                foreach (var r in pending)
                {
                    if (now < r.Deadline)
                    {
                        break; // later requests were made later: same timeout, later deadline
                    }
                    if (r.Deadline != 0 && !r.Task.IsCompleted)
                    {
                        (late ??= []).Add(r);
                    }
                }
            }
        }
        if (late is null)
        {
            return;
        }
        foreach (var r in late)
        {
            var where = r.Written ? "sent, no reply" : (IsConnected ? "not sent yet" : "waiting for a reconnect");
            r.Fail(new RedisTimeoutException(
                $"no reply to {r.Describe()} within {_options.Timeout.TotalMilliseconds} ms ({where}) from {_options.Host}:{_options.Port}"));
        }
    }

    /// <summary>The subscriber connection (made on first use) for pub/sub.</summary>
    public async Task<CoolSubscriber> GetSubscriberAsync(CancellationToken cancel = default)
    {
        if (_subscriber is { } existing)
        {
            return existing;
        }
        await _subscriberGate.WaitAsync(cancel).ConfigureAwait(false);
        try
        {
            return _subscriber ??= await CoolSubscriber.ConnectAsync(_options, cancel).ConfigureAwait(false);
        }
        finally
        {
            _subscriberGate.Release();
        }
    }

    /// <summary>Close the connection (and the subscriber's); requests still waiting fail.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed.IsCancellationRequested)
        {
            return;
        }
        _disposed.Cancel();
        await _sweep.DisposeAsync().ConfigureAwait(false);
        var reason = new ObjectDisposedException(nameof(CoolClient), "the client was disposed");
        Volatile.Read(ref _connection)?.Close(reason);
        _queue.FailAll(reason);
        if (_subscriber is not null)
        {
            await _subscriber.DisposeAsync().ConfigureAwait(false);
        }
    }
}
