using System.Net.Sockets;

namespace CoolCache.Cli.Protocol;

/// <summary>
/// One blocking TCP connection to the server: sends commands, reads replies through a growing buffer.
/// A reply that spans many reads is parsed again only once the buffered bytes have doubled (or the socket
/// has nothing more to give), so reading a huge reply stays linear.
/// </summary>
public sealed class ServerConnection : IDisposable
{
    private readonly Socket _socket;
    private byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    private ServerConnection(Socket socket) => _socket = socket;

    public Socket Socket => _socket;

    /// <summary>Connect, or throw SocketException; Reason gives its text as hiredis prints it.</summary>
    public static ServerConnection Open(string host, int port)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            socket.Connect(host, port);
        }
        catch (SocketException)
        {
            socket.Dispose();
            throw;
        }
        return new ServerConnection(socket);
    }

    /// <summary>The C library's words for a failed connect (strerror, gai_strerror), without .NET's endpoint.</summary>
    public static string Reason(SocketException e) => e.SocketErrorCode switch
    {
        SocketError.ConnectionRefused => "Connection refused",
        SocketError.HostNotFound => "Name or service not known",
        SocketError.TryAgain => "Temporary failure in name resolution",
        SocketError.TimedOut => "Connection timed out",
        SocketError.NetworkUnreachable => "Network is unreachable",
        SocketError.HostUnreachable => "No route to host",
        SocketError.AddressNotAvailable => "Cannot assign requested address",
        _ => e.Message,
    };

    /// <summary>Send one command (RESP multibulk).</summary>
    public void Send(IReadOnlyList<byte[]> argv) => SendBytes(CommandWriter.Encode(argv));

    public void SendBytes(ReadOnlySpan<byte> bytes)
    {
        try
        {
            while (bytes.Length > 0)
            {
                var n = _socket.Send(bytes);
                bytes = bytes[n..];
            }
        }
        catch (SocketException e)
        {
            throw Failure(e);
        }
        catch (ObjectDisposedException)
        {
            throw new ConnectionException("Server closed the connection", true);
        }
    }

    /// <summary>Whether a whole reply is already buffered (reading it would not block).</summary>
    public bool HasBufferedReply =>
        ReplyReader.TryRead(_buffer.AsSpan(_start, _end - _start), out _, out _, out _) != ReadStatus.Incomplete;

    /// <summary>The next reply, waiting for it; ConnectionException when the connection fails.</summary>
    public Reply Read()
    {
        var retryAt = 0;
        while (true)
        {
            if (_end - _start >= retryAt)
            {
                var status = ReplyReader.TryRead(_buffer.AsSpan(_start, _end - _start), out var reply, out var used, out var error);
                if (status == ReadStatus.Complete)
                {
                    _start += used;
                    if (_start == _end) _start = _end = 0;
                    return reply;
                }
                if (status == ReadStatus.Invalid) throw new ConnectionException(error, false);
                retryAt = Math.Max(retryAt, (_end - _start) * 2);
            }
            Fill();
            if (_socket.Available == 0) retryAt = 0;
        }
    }

    /// <summary>Close the socket: a blocked Read fails (redis-cli's Ctrl-C in SUBSCRIBE and MONITOR).</summary>
    public void Abort()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // Already closed by the peer: the read fails anyway.
        }
        catch (ObjectDisposedException)
        {
            // Already disposed.
        }
    }

    private void Fill()
    {
        if (_start > 0 && _end == _buffer.Length)
        {
            Array.Copy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2);
        int n;
        try
        {
            n = _socket.Receive(_buffer, _end, _buffer.Length - _end, SocketFlags.None);
        }
        catch (SocketException e)
        {
            throw Failure(e);
        }
        catch (ObjectDisposedException)
        {
            throw new ConnectionException("Server closed the connection", true);
        }
        if (n == 0) throw new ConnectionException("Server closed the connection", true);
        _end += n;
    }

    private static ConnectionException Failure(SocketException e) => e.SocketErrorCode switch
    {
        SocketError.ConnectionReset => new ConnectionException("Connection reset by peer", true),
        SocketError.Shutdown or SocketError.ConnectionAborted or SocketError.OperationAborted =>
            new ConnectionException("Server closed the connection", true),
        _ => new ConnectionException(e.Message, true),
    };

    public void Dispose() => _socket.Dispose();
}
