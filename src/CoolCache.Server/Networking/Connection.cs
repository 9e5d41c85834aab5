using System.Buffers;
using System.Net;
using System.Net.Sockets;
using CoolCache.Core;
using CoolCache.Core.Commands;
using CoolCache.Core.Protocol;
using CoolCache.Core.State;
using CoolCache.Server.Engine;
using CoolCache.Server.Logging;
using CoolCache.Server.Sessions;

namespace CoolCache.Server.Networking;

/// <summary>
/// One client: read bytes, cut them into commands with the core's reader, run each batch through the
/// engine, send the replies in one write. A protocol error is answered and closes this connection only.
/// Other clients write here too (pub/sub deliveries, replies to a served blocking command) under the
/// engine lock; whoever wrote starts the flush (<see cref="StartFlush"/>), one sender at a time, on its
/// own thread when the socket takes the bytes at once.
/// </summary>
public sealed class Connection
{
    private const int InitialBuffer = 16 * 1024;
    private readonly Socket _socket;
    private readonly CommandEngine _engine;
    private readonly ClientRegistry _clients;
    private readonly ServerLog _log;
    private readonly OutputBuffer _output = new();
    private readonly List<ArraySegment<byte>> _sending = new();
    private readonly List<Connection> _peersToFlush = new();
    // Guarded by _output.Sync: one sender at a time; the own loop may wait for a position to be sent.
    private bool _flushing;
    private long _sentPosition;
    private long _drainTarget;
    private TaskCompletionSource? _drained;
    private int _closing;
    private long _softLimitSince;
    private readonly List<byte[][]> _batch = new();
    private readonly long _created = Environment.TickCount64;
    private byte[] _input = new byte[InitialBuffer];
    private int _start;
    private int _end;
    private Task<int>? _pendingReceive;
    private long _lastActivity = Environment.TickCount64;

    public Connection(long id, Socket socket, CommandEngine engine, ClientRegistry clients, ServerLog log)
    {
        Id = id;
        _socket = socket;
        _engine = engine;
        _clients = clients;
        _log = log;
        Session = Api.NewSession(id);
        RemoteAddress = Format(socket.RemoteEndPoint);
        LocalAddress = Format(socket.LocalEndPoint);
        IsLocal = socket.RemoteEndPoint is IPEndPoint ip && IPAddress.IsLoopback(ip.Address);
    }

    public long Id { get; }
    public string RemoteAddress { get; }
    public string LocalAddress { get; }
    public bool IsLocal { get; }

    /// <summary>A replica attached by PSYNC (CLIENT LIST flag S, CLIENT KILL TYPE replica).</summary>
    public bool IsReplica { get; set; }

    /// <summary>REPLCONF listening-port / capa eof of a connection that is (or will be) a replica.</summary>
    public int ReplicaListeningPort { get; set; }
    public bool ReplicaCapaEof { get; set; }

    /// <summary>The core's per-connection state; read and replaced under the engine lock.</summary>
    public Session Session { get; set; }

    public string LastCommand { get; set; } = "NULL";

    /// <summary>Set by QUIT, SHUTDOWN, CLIENT KILL of self: stop after this batch's replies.</summary>
    public bool CloseAfterReply { get; set; }

    /// <summary>Set while a blocking command waits (under the engine lock); the connection clears it.</summary>
    public Waiter? Waiter { get; set; }

    /// <summary>Where this client's replies and pushes go; writers hold its Sync (and the engine lock).</summary>
    internal OutputBuffer Output => _output;

    /// <summary>
    /// Other connections this one's commands wrote to (deliveries), each with its output's lock held:
    /// released and flushed after the batch (<see cref="FlushPeers(List{Connection})"/>).
    /// </summary>
    internal List<Connection> PeersToFlush => _peersToFlush;

    /// <summary>The engine's batch stamp when this connection was last added to a PeersToFlush list.</summary>
    internal long FlushStamp { get; set; }

    /// <summary>Closed, or being closed, by the server (output limits, CLIENT KILL): write nothing more.</summary>
    public bool IsClosing => Volatile.Read(ref _closing) != 0;

    public long IdleMilliseconds => Environment.TickCount64 - Interlocked.Read(ref _lastActivity);

    private static string Format(EndPoint? e) => e is IPEndPoint ip ? $"{ip.Address}:{ip.Port}" : "?:0";

    public ClientInfo Info()
    {
        var session = Session;
        var subscriptions = session.Subscriptions;
        var pending = _output.Pending;
        return new(
            Id, RemoteAddress, LocalAddress, (long)_socket.Handle, session.Name,
            (Environment.TickCount64 - _created) / 1000, IdleMilliseconds / 1000, Flags(session), session.Db,
            subscriptions.Channels.Count, subscriptions.Patterns.Count, subscriptions.ShardChannels.Count,
            _end - _start, _input.Length - _end, pending, _input.Length + pending,
            LastCommand, session.Protocol, session.LibName, session.LibVersion,
            session.InMulti ? session.Queued.Length : -1);
    }

    /// <summary>CLIENT LIST flags in networking.c's order: S (replica), P (subscribed), x (in MULTI), b (blocked), or N.</summary>
    private string Flags(Session session)
    {
        var flags = (IsReplica ? "S" : "") + (Api.IsSubscribed(session) ? "P" : "") + (session.InMulti ? "x" : "") + (Waiter is not null ? "b" : "");
        return flags.Length == 0 ? "N" : flags;
    }

    /// <summary>Close the socket from another thread (CLIENT KILL, timeout, shutdown, output limits).</summary>
    public void Abort()
    {
        Volatile.Write(ref _closing, 1);
        try { _socket.Shutdown(SocketShutdown.Both); } catch (SocketException) { } catch (ObjectDisposedException) { }
        _socket.Close();
    }

    /// <summary>
    /// Whether the output waiting here passes its client class's client-output-buffer-limit
    /// (networking.c checkClientOutputBufferLimits): the hard limit at once, the soft one when it has
    /// held for more than its seconds. Under the engine lock.
    /// </summary>
    internal bool OverOutputLimit(OutputLimit limit, long nowSeconds)
    {
        var used = _output.Pending;
        if (used == 0) return false;
        if (limit.Hard > 0 && used >= limit.Hard) return true;
        if (limit.Soft > 0 && used >= limit.Soft)
        {
            if (_softLimitSince == 0)
            {
                _softLimitSince = nowSeconds;
                return false;
            }
            return nowSeconds - _softLimitSince > limit.SoftSeconds;
        }
        _softLimitSince = 0;
        return false;
    }

    public async Task RunAsync()
    {
        try
        {
            while (!CloseAfterReply)
            {
                int n;
                if (_pendingReceive is not null)
                {
                    // Started while a blocking command waited; it writes after _end, so take it first.
                    n = await _pendingReceive;
                    _pendingReceive = null;
                }
                else
                {
                    if (!MakeRoom()) break;
                    n = await _socket.ReceiveAsync(_input.AsMemory(_end), SocketFlags.None);
                }
                if (n == 0) break;
                _end += n;
                Interlocked.Add(ref _clients.NetInput, n);
                Interlocked.Exchange(ref _lastActivity, Environment.TickCount64);
                var protocolError = await ProcessInputAsync();
                if (protocolError is not null)
                {
                    lock (_output.Sync) Api.WriteReply(2, RespValue.NewError("ERR " + protocolError.Text), _output);
                    _log.Verbose($"Protocol error ({protocolError.Text}) from client: id={Id} addr={RemoteAddress}");
                    CloseAfterReply = true;
                }
                await FlushAsync();
            }
        }
        catch (SocketException) { }
        catch (ObjectDisposedException) { }
        catch (Exception ex)
        {
            _log.Warning($"Closing client id={Id} after an unexpected error: {ex.Message}");
        }
        finally
        {
            if (Waiter is not null) _engine.Abandon(Waiter);
            _engine.Disconnected(this);
            _clients.Remove(this);
            Volatile.Write(ref _closing, 1);
            _socket.Close();
        }
    }

    /// <summary>Cut every complete command out of the input and run them; a protocol error stops it.</summary>
    private async ValueTask<ProtocolError?> ProcessInputAsync()
    {
        while (_start < _end && !CloseAfterReply)
        {
            var authRequired = _engine.AuthRequired(Session);
            // Commands that arrived while a blocking command waited are run in this call too.
            var waited = false;
            var limits = new ReadLimits(_engine.Config.ProtoMaxBulkLen, authRequired);
            ProtocolError? error = null;
            while (_start < _end)
            {
                var r = Api.ReadCommand(limits, _input.AsSpan(_start, _end - _start));
                if (r.Status == ReadStatus.Incomplete) break;
                if (r.Status == ReadStatus.Malformed) { error = r.Error; break; }
                _start += r.Consumed;
                if (r.Status == ReadStatus.Command)
                {
                    _batch.Add(r.Argv);
                    // Unauthenticated limits apply until AUTH runs: run commands one at a time then.
                    if (authRequired) break;
                }
            }

            if (_batch.Count > 0)
            {
                var wait = _engine.PauseRemainingMs(_batch);
                while (wait > 0)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(wait, 50)));
                    wait = _engine.PauseRemainingMs(_batch);
                }
                var next = 0;
                while (next < _batch.Count)
                {
                    try
                    {
                        next = _engine.Execute(this, _batch, next);
                    }
                    finally
                    {
                        // Nothing leaves before the append-only file holds the batch (appendfsync always).
                        _engine.WaitDurable();
                        // This client's replies go out first: a publisher can send its next commands
                        // while the subscribers' sends run.
                        if (_peersToFlush.Count > 0) FlushPeers(_peersToFlush, this);
                    }
                    if (Waiter is null) continue;
                    await FlushAsync();
                    waited = true;
                    if (!await WaitWhileBlockedAsync(Waiter)) { CloseAfterReply = true; break; }
                }
                _batch.Clear();
            }

            if (error is not null) return error;
            if (!authRequired && !waited) break;
            if (_start < _end && Api.ReadCommand(limits, _input.AsSpan(_start, _end - _start)).Status == ReadStatus.Incomplete) break;
        }
        return null;
    }

    /// <summary>
    /// A blocking command waits: until it is served or unblocked (Done), its deadline passes, or the client
    /// goes away. Meanwhile keep reading, so a disconnect is seen (and nothing is popped for nobody) and
    /// pipelined commands wait in the input buffer. False when the client went away.
    /// </summary>
    private async Task<bool> WaitWhileBlockedAsync(Waiter waiter)
    {
        using var cancel = new CancellationTokenSource();
        var deadline = waiter.Request.DeadlineMs;
        var delay = deadline == 0
            ? Task.Delay(Timeout.Infinite, cancel.Token)
            : Task.Delay(TimeSpan.FromMilliseconds(Math.Clamp(deadline - DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), 0, int.MaxValue - 1)), cancel.Token);
        try
        {
            while (!waiter.Done.Task.IsCompleted)
            {
                if (_pendingReceive is null)
                {
                    if (!MakeRoom()) { _engine.Abandon(waiter); return false; }
                    _pendingReceive = _socket.ReceiveAsync(_input.AsMemory(_end), SocketFlags.None).AsTask();
                }
                var first = await Task.WhenAny(waiter.Done.Task, delay, _pendingReceive);
                if (first == delay)
                {
                    _engine.TimeOut(waiter);
                }
                else if (first == _pendingReceive)
                {
                    int n;
                    try { n = await _pendingReceive; } catch (SocketException) { n = 0; } catch (ObjectDisposedException) { n = 0; }
                    _pendingReceive = null;
                    if (n == 0) { _engine.Abandon(waiter); return false; }
                    _end += n;
                    Interlocked.Add(ref _clients.NetInput, n);
                    Interlocked.Exchange(ref _lastActivity, Environment.TickCount64);
                }
            }
            return true;
        }
        finally
        {
            cancel.Cancel();
            Waiter = null;
        }
    }

    /// <summary>
    /// Release the output locks a batch took on the connections it delivered to (on the thread that took
    /// them), then start sending to first (the running connection) and to each, without waiting.
    /// </summary>
    internal static void FlushPeers(List<Connection> peers, Connection? first = null)
    {
        foreach (var peer in peers) peer._output.Sync.Exit();
        first?.StartFlush();
        foreach (var peer in peers) peer.StartFlush();
        peers.Clear();
    }

    /// <summary>
    /// Send what is pending here unless someone already is; used by other clients after writing to this
    /// one. It runs on the caller's thread while the socket takes the bytes at once, and goes on by itself
    /// when it must wait, so a publisher never waits for a subscriber.
    /// </summary>
    internal void StartFlush()
    {
        lock (_output.Sync)
        {
            if (_flushing || _output.IsEmpty || IsClosing) return;
            _flushing = true;
        }
        _ = SendPendingAsync();
    }

    /// <summary>The own loop: send this batch's replies and wait until they are out (as before, a client
    /// that does not read its replies stops being read).</summary>
    private ValueTask FlushAsync()
    {
        // A reply written by another connection (a blocked client served) waits for the append-only file too.
        _engine.WaitDurable();
        lock (_output.Sync)
        {
            var target = _output.Written;
            if (_sentPosition >= target || IsClosing) return default;
            if (_flushing)
            {
                _drainTarget = target;
                _drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                return new ValueTask(_drained.Task);
            }
            _flushing = true;
        }
        return SendPendingAsync();
    }

    /// <summary>The one sender: take what is written, send it, repeat until nothing is left.</summary>
    private async ValueTask SendPendingAsync()
    {
        try
        {
            while (true)
            {
                lock (_output.Sync)
                {
                    _output.TakeAll(_sending);
                    if (_sending.Count == 0)
                    {
                        _flushing = false;
                        CompleteDrain();
                        return;
                    }
                }
                await SendAllAsync();
                var total = OutputBuffer.Release(_sending);
                Interlocked.Add(ref _clients.NetOutput, total);
                lock (_output.Sync)
                {
                    _output.Sent(total);
                    _sentPosition += total;
                    if (_drained is not null && _sentPosition >= _drainTarget) CompleteDrain();
                }
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // The peer is gone or the socket was closed: drop the output, close, release any waiter.
            lock (_output.Sync)
            {
                OutputBuffer.Release(_sending);
                _output.Clear();
                _flushing = false;
                Volatile.Write(ref _closing, 1);
                CompleteDrain();
            }
            _socket.Close();
        }
    }

    /// <summary>
    /// Send the taken segments: one at a time when there is one, else up to 64 per call (one sendmsg,
    /// as Redis's writev of its reply list), going on from wherever a partial send stopped.
    /// </summary>
    private async ValueTask SendAllAsync()
    {
        if (_sending.Count == 1)
        {
            var data = _sending[0].AsMemory();
            while (data.Length > 0) data = data[await _socket.SendAsync(data, SocketFlags.None)..];
            return;
        }
        var left = _sending.ToArray();
        var first = 0;
        while (first < left.Length)
        {
            var count = Math.Min(64, left.Length - first);
            var sent = await _socket.SendAsync(new ArraySegment<ArraySegment<byte>>(left, first, count), SocketFlags.None);
            while (sent > 0)
            {
                var head = left[first];
                if (sent >= head.Count)
                {
                    sent -= head.Count;
                    first++;
                }
                else
                {
                    left[first] = head.Slice(sent);
                    sent = 0;
                }
            }
        }
    }

    /// <summary>Release the own loop's wait. Hold _output.Sync.</summary>
    private void CompleteDrain()
    {
        var drained = _drained;
        _drained = null;
        drained?.TrySetResult();
    }

    /// <summary>Compact or grow the input buffer; false when the query buffer limit is passed.</summary>
    private bool MakeRoom()
    {
        if (_start == _end) { _start = 0; _end = 0; }
        if (_end < _input.Length) return true;
        var pending = _end - _start;
        if (pending > _engine.Config.ClientQueryBufferLimit)
        {
            _log.Warning($"Closing client that reached max query buffer length: id={Id} addr={RemoteAddress} qbuf={pending}");
            return false;
        }
        if (_start > 0 && pending < _input.Length / 2)
        {
            Buffer.BlockCopy(_input, _start, _input, 0, pending);
        }
        else
        {
            var bigger = new byte[(int)Math.Min((long)_input.Length * 2, Array.MaxLength)];
            Buffer.BlockCopy(_input, _start, bigger, 0, pending);
            _input = bigger;
        }
        _start = 0;
        _end = pending;
        return true;
    }
}
