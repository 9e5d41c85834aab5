using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using CoolCache.Core;
using CoolCache.Core.Protocol;
using CoolCache.Core.Replication;
using CoolCache.Server.Engine;
using CoolCache.Server.Logging;

namespace CoolCache.Server.Replication;

/// <summary>
/// A replica's link to its primary (replication.c connectWithMaster / syncWithMaster / readSyncBulkPayload):
/// connect, run the handshake (the core's state machine), load the snapshot of a full sync (sized or
/// EOF-marked), then apply the command stream through the engine, acknowledging the offset every second
/// and on REPLCONF GETACK. A lost link is retried every second with PSYNC of the replication ID and
/// offset held, so the primary can continue from its backlog.
/// </summary>
public sealed class PrimaryLink : IDisposable
{
    private readonly CommandEngine _engine;
    private readonly ServerLog _log;
    private readonly CancellationTokenSource _stop = new();
    private byte[] _readBuffer = new byte[1 << 16];
    private int _start;
    private int _end;
    private NetworkStream? _stream;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private long _lastIo = Environment.TickCount64;

    public PrimaryLink(CommandEngine engine, ServerLog log, string host, int port)
    {
        _engine = engine;
        _log = log;
        Host = host;
        Port = port;
        Task = Task.Run(RunAsync);
    }

    public string Host { get; }
    public int Port { get; }
    public Task Task { get; }
    public bool Up { get; private set; }
    public bool Syncing { get; private set; }

    /// <summary>ROLE's state: connect, connecting, sync or connected.</summary>
    public string State { get; private set; } = "connect";

    public PrimaryLinkInfo Info => new(Up, Syncing, (Environment.TickCount64 - Interlocked.Read(ref _lastIo)) / 1000);

    private async Task RunAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await SyncAndStreamAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is IOException or SocketException or InvalidDataException or OperationCanceledException or ObjectDisposedException)
            {
                if (!_stop.IsCancellationRequested) _log.Warning($"Connection with master lost ({Host}:{Port}): {ex.Message}");
            }
            Up = false;
            Syncing = false;
            State = "connect";
            try { await Task.Delay(1000, _stop.Token); } catch (OperationCanceledException) { }
        }
    }

    private async Task SyncAndStreamAsync(CancellationToken ct)
    {
        State = "connecting";
        _log.Notice($"Connecting to MASTER {Host}:{Port}");
        using var client = new TcpClient { NoDelay = true };
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            timeout.CancelAfter(TimeSpan.FromSeconds(_engine.Config.ReplTimeout));
            await client.ConnectAsync(Host, Port, timeout.Token);
        }
        _stream = client.GetStream();
        _start = _end = 0;
        _log.Notice("MASTER <-> REPLICA sync started");
        var (replid, offset) = _engine.PrimaryCursor();
        var config = _engine.Config;
        var (state, actions) = Handshake.start(config.MasterAuth, config.MasterUser, _engine.ListeningPort, replid, offset);
        var done = false;
        while (!done)
        {
            var next = new List<Handshake.Action>();
            foreach (var action in actions)
            {
                switch (action)
                {
                    case Handshake.Action.Send send:
                        await SendAsync(send.Item.ToArray(), ct);
                        var reply = await ReadLineAsync(ct);
                        var value = reply.StartsWith('-') ? RespValue.NewError(reply[1..]) : RespValue.NewSimple(reply.TrimStart('+'));
                        (state, var more) = Handshake.onReply(state, value);
                        next.AddRange(more);
                        break;
                    case Handshake.Action.FullSync full:
                        State = "sync";
                        Syncing = true;
                        _log.Notice($"Full resync from master: {full.replid}:{full.offset}");
                        var rdb = await ReadPayloadAsync(ct);
                        _log.Notice($"MASTER <-> REPLICA sync: received {rdb.Length} bytes of RDB, loading");
                        _engine.LoadFromPrimary(rdb, full.replid, full.offset);
                        Syncing = false;
                        done = true;
                        break;
                    case Handshake.Action.Continue cont:
                        _log.Notice("Successful partial resynchronization with master.");
                        _engine.ContinueFromPrimary(cont.replid);
                        done = true;
                        break;
                    case Handshake.Action.Fail fail:
                        throw new IOException(fail.reason);
                }
            }
            if (!done && next.Count == 0) throw new IOException("the handshake stopped");
            actions = Microsoft.FSharp.Collections.ListModule.OfSeq(next);
        }
        Up = true;
        State = "connected";
        _log.Notice("MASTER <-> REPLICA sync: Finished with success");
        using var acks = new Timer(_ => _ = SendAckAsync(), null, 1000, 1000);
        await StreamAsync(ct);
    }

    /// <summary>The command stream: applied in batches as it arrives, each batch with its raw bytes.</summary>
    private async Task StreamAsync(CancellationToken ct)
    {
        var limits = new ReadLimits(long.MaxValue, false);
        var batch = new List<byte[][]>();
        while (true)
        {
            // what is already buffered first (it may have come with the FULLRESYNC/CONTINUE reply or the RDB)
            var from = _start;
            batch.Clear();
            while (_start < _end)
            {
                if (_readBuffer[_start] == (byte)'\n') { _start++; continue; }
                var r = Api.ReadCommand(limits, _readBuffer.AsSpan(_start, _end - _start));
                if (r.Status == ReadStatus.Incomplete) break;
                if (r.Status == ReadStatus.Malformed) throw new InvalidDataException($"protocol error from the master: {r.Error.Text}");
                _start += r.Consumed;
                if (r.Status == ReadStatus.Command) batch.Add(r.Argv);
            }
            if (_start > from)
            {
                var getack = _engine.ApplyFromPrimary(batch, _readBuffer.AsSpan(from, _start - from));
                if (getack) await SendAckAsync();
            }
            if (_start == _end) _start = _end = 0;
            if (_end == _readBuffer.Length) MakeRoom();
            var n = await _stream!.ReadAsync(_readBuffer.AsMemory(_end), ct);
            if (n == 0) throw new IOException("the master closed the connection");
            Interlocked.Exchange(ref _lastIo, Environment.TickCount64);
            _end += n;
        }
    }

    /// <summary>Room to read more: move the unread part to the front, or grow (a command bigger than the buffer).</summary>
    private void MakeRoom()
    {
        if (_start == 0) Array.Resize(ref _readBuffer, _readBuffer.Length * 2);
        else Compact();
    }

    private void Compact()
    {
        Buffer.BlockCopy(_readBuffer, _start, _readBuffer, 0, _end - _start);
        _end -= _start;
        _start = 0;
    }

    private async Task SendAckAsync()
    {
        var offset = _engine.PrimaryCursor().Offset;
        try
        {
            await SendAsync(["REPLCONF", "ACK", offset.ToString()], _stop.Token);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // the read loop notices the broken link
        }
    }

    private async Task SendAsync(string[] argv, CancellationToken ct)
    {
        var sb = new StringBuilder();
        sb.Append('*').Append(argv.Length).Append("\r\n");
        foreach (var a in argv) sb.Append('$').Append(Encoding.Latin1.GetByteCount(a)).Append("\r\n").Append(a).Append("\r\n");
        var bytes = Encoding.Latin1.GetBytes(sb.ToString());
        await _writeLock.WaitAsync(ct);
        try
        {
            await _stream!.WriteAsync(bytes, ct);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task<bool> FillAsync(CancellationToken ct)
    {
        if (_end == _readBuffer.Length) MakeRoom();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(_engine.Config.ReplTimeout));
        var n = await _stream!.ReadAsync(_readBuffer.AsMemory(_end), timeout.Token);
        if (n == 0) throw new IOException("the master closed the connection");
        Interlocked.Exchange(ref _lastIo, Environment.TickCount64);
        _end += n;
        return true;
    }

    /// <summary>One reply line without its CRLF; lone newlines (the primary's keep-alives) are skipped.</summary>
    private async Task<string> ReadLineAsync(CancellationToken ct)
    {
        while (true)
        {
            var i = Array.IndexOf(_readBuffer, (byte)'\n', _start, _end - _start);
            if (i >= 0)
            {
                var line = Encoding.Latin1.GetString(_readBuffer, _start, i - _start).TrimEnd('\r');
                _start = i + 1;
                if (line.Length == 0) continue;
                return line;
            }
            await FillAsync(ct);
        }
    }

    /// <summary>The full sync's RDB: <c>$len</c> then len bytes, or <c>$EOF:mark</c> then bytes ending with mark.</summary>
    private async Task<byte[]> ReadPayloadAsync(CancellationToken ct)
    {
        var header = await ReadLineAsync(ct);
        if (!header.StartsWith('$')) throw new InvalidDataException($"Bad protocol from MASTER, the first byte is not '$': {header}");
        var data = new MemoryStream();
        if (header.StartsWith("$EOF:"))
        {
            var mark = Encoding.Latin1.GetBytes(header[5..]);
            while (true)
            {
                var before = (int)data.Length;
                data.Write(_readBuffer, _start, _end - _start);
                _start = _end = 0;
                // the mark may end this read, or be followed by the first bytes of the stream
                var searchFrom = Math.Max(0, before - mark.Length);
                var at = data.GetBuffer().AsSpan(searchFrom, (int)data.Length - searchFrom).IndexOf(mark);
                if (at >= 0)
                {
                    var end = searchFrom + at;
                    var rest = (int)data.Length - end - mark.Length;
                    data.GetBuffer().AsSpan(end + mark.Length, rest).CopyTo(_readBuffer);
                    _end = rest;
                    data.SetLength(end);
                    return data.ToArray();
                }
                await FillAsync(ct);
            }
        }
        var length = long.Parse(header[1..]);
        while (data.Length < length)
        {
            if (_start == _end) await FillAsync(ct);
            var take = (int)Math.Min(length - data.Length, _end - _start);
            data.Write(_readBuffer, _start, take);
            _start += take;
        }
        return data.ToArray();
    }

    public void Dispose()
    {
        _stop.Cancel();
        try { _stream?.Dispose(); } catch (ObjectDisposedException) { }
    }
}
