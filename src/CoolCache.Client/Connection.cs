// One socket carrying many callers' requests: a writer loop that takes every request waiting and sends
// them in one write, and a reader loop that parses replies from one pooled buffer and completes the
// requests first in, first out (inline on the reader loop: no thread hop per reply).
using System.Buffers;
using System.Net.Sockets;

namespace CoolCache.Client;

internal sealed class Connection
{
    private const int MaxBatch = 4096;
    private readonly Socket _socket;
    private readonly RequestQueue _queue;
    private readonly Queue<Request> _pending = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly string _endpoint;
    private readonly TaskCompletionSource<Exception> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _isClosed;

    public Connection(Socket socket, RequestQueue queue, string endpoint)
    {
        _socket = socket;
        _queue = queue;
        _endpoint = endpoint;
    }

    /// <summary>Completes with the reason once the connection is closed (lost or disposed).</summary>
    public Task<Exception> Closed => _closed.Task;

    /// <summary>Handler for RESP3 pushes that arrive on this connection (not matched to requests).</summary>
    public Action<RedisReply>? OnPush { get; init; }

    public void Start()
    {
        _ = Task.Run(WriterLoopAsync);
        _ = Task.Run(ReaderLoopAsync);
    }

    /// <summary>Under the queue's gate: the requests written and not answered yet.</summary>
    public Queue<Request> PendingLocked => _pending;

    private async Task WriterLoopAsync()
    {
        var batch = new List<Request>(256);
        using var encoder = new CommandEncoder();
        try
        {
            while (true)
            {
                batch.Clear();
                lock (_queue.Gate)
                {
                    if (_isClosed)
                    {
                        return;
                    }
                    _queue.TakeLocked(batch, MaxBatch);
                    foreach (var r in batch)
                    {
                        r.Written = true;
                        _pending.Enqueue(r);
                    }
                }
                if (batch.Count == 0)
                {
                    await _queue.WaitAsync(_stop.Token).ConfigureAwait(false);
                    continue;
                }
                encoder.Clear();
                foreach (var r in batch)
                {
                    if (r.Batch is null)
                    {
                        encoder.Write(r.Args);
                    }
                    else
                    {
                        foreach (var c in r.Batch)
                        {
                            encoder.Write(c);
                        }
                    }
                }
                var data = encoder.Written;
                while (data.Length > 0)
                {
                    int n = await _socket.SendAsync(data, SocketFlags.None, _stop.Token).ConfigureAwait(false);
                    data = data[n..];
                }
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            Close(new RedisConnectionException($"connection to {_endpoint} lost while writing: {e.Message}", e));
        }
    }

    private async Task ReaderLoopAsync()
    {
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        int start = 0, end = 0;
        try
        {
            while (true)
            {
                if (end == buffer.Length)
                {
                    if (start > 0)
                    {
                        buffer.AsSpan(start, end - start).CopyTo(buffer);
                    }
                    else
                    {
                        var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                        buffer.AsSpan(0, end).CopyTo(bigger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = bigger;
                    }
                    end -= start;
                    start = 0;
                }
                int n = await _socket.ReceiveAsync(buffer.AsMemory(end), SocketFlags.None, _stop.Token).ConfigureAwait(false);
                if (n == 0)
                {
                    Close(new RedisConnectionException($"connection to {_endpoint} closed by the server"));
                    return;
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
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            Close(new RedisConnectionException($"connection to {_endpoint} lost: {e.Message}", e));
        }
        catch (RedisProtocolException e)
        {
            Close(new RedisConnectionException($"connection to {_endpoint} closed: {e.Message}", e));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Dispatch(RedisReply reply)
    {
        if (reply.Kind == ReplyKind.Push)
        {
            OnPush?.Invoke(reply);
            return;
        }
        Request? done = null;
        lock (_queue.Gate)
        {
            if (_pending.TryPeek(out var r))
            {
                if (r.Accept(reply))
                {
                    _pending.Dequeue();
                    done = r;
                }
            }
            else
            {
                throw new RedisProtocolException($"a reply nobody asked for: {reply}");
            }
        }
        done?.Complete();
    }

    /// <summary>Close the connection; the requests written on it fail with <paramref name="reason"/>.
    /// Requests not written yet stay in the queue for the next connection.</summary>
    public void Close(Exception reason)
    {
        Request[] failed;
        lock (_queue.Gate)
        {
            if (_isClosed)
            {
                return;
            }
            _isClosed = true;
            failed = [.. _pending];
            _pending.Clear();
        }
        _stop.Cancel();
        _socket.Dispose();
        foreach (var r in failed)
        {
            r.Fail(new RedisConnectionException(
                $"{reason.Message}; the request ({r.Describe()}) was sent and its outcome is unknown", reason));
        }
        _closed.TrySetResult(reason);
    }
}
