// Opening a connection: TCP connect, then HELLO 3 / AUTH / CLIENT SETNAME / SELECT as the options say,
// written together and answered in order before the connection carries any caller's request.
using System.Buffers;
using System.Net;
using System.Net.Sockets;

namespace CoolCache.Client;

internal static class Handshake
{
    /// <summary>A connected socket that has passed the handshake; throws on refusal or an error reply.</summary>
    public static async Task<Socket> ConnectAsync(CoolClientOptions options, CancellationToken cancel)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        timeout.CancelAfter(options.ConnectTimeout);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await ConnectSocketAsync(socket, options, timeout.Token).ConfigureAwait(false);
            var commands = Commands(options);
            if (commands.Count > 0)
            {
                await RunAsync(socket, commands, timeout.Token).ConfigureAwait(false);
            }
            return socket;
        }
        catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
        {
            socket.Dispose();
            throw new RedisConnectionException($"could not connect to {options.Host}:{options.Port} within {options.ConnectTimeout}");
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new RedisConnectionException($"could not connect to {options.Host}:{options.Port}: {e.Message}", e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static async Task ConnectSocketAsync(Socket socket, CoolClientOptions options, CancellationToken cancel)
    {
        if (IPAddress.TryParse(options.Host, out var address))
        {
            await socket.ConnectAsync(new IPEndPoint(address, options.Port), cancel).ConfigureAwait(false);
        }
        else
        {
            await socket.ConnectAsync(options.Host, options.Port, cancel).ConfigureAwait(false);
        }
    }

    private static List<RedisValue[]> Commands(CoolClientOptions o)
    {
        var commands = new List<RedisValue[]>();
        if (o.Protocol == 3)
        {
            var hello = new List<RedisValue> { "HELLO", 3 };
            if (o.Password is not null)
            {
                hello.AddRange(["AUTH", o.User ?? "default", o.Password]);
            }
            if (o.ClientName is not null)
            {
                hello.AddRange(["SETNAME", o.ClientName]);
            }
            commands.Add([.. hello]);
        }
        else
        {
            if (o.Protocol != 2)
            {
                throw new ArgumentException($"protocol {o.Protocol} is neither 2 nor 3");
            }
            if (o.Password is not null)
            {
                commands.Add(o.User is null ? ["AUTH", o.Password] : ["AUTH", o.User, o.Password]);
            }
            if (o.ClientName is not null)
            {
                commands.Add(["CLIENT", "SETNAME", o.ClientName]);
            }
        }
        if (o.Database != 0)
        {
            commands.Add(["SELECT", o.Database]);
        }
        return commands;
    }

    private static async Task RunAsync(Socket socket, List<RedisValue[]> commands, CancellationToken cancel)
    {
        using var encoder = new CommandEncoder(1024);
        foreach (var c in commands)
        {
            encoder.Write(c);
        }
        await socket.SendAsync(encoder.Written, SocketFlags.None, cancel).ConfigureAwait(false);
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int end = 0;
            int answered = 0;
            while (answered < commands.Count)
            {
                if (end == buffer.Length)
                {
                    throw new RedisProtocolException("handshake reply too long");
                }
                int n = await socket.ReceiveAsync(buffer.AsMemory(end), SocketFlags.None, cancel).ConfigureAwait(false);
                if (n == 0)
                {
                    throw new RedisConnectionException("the server closed the connection during the handshake");
                }
                end += n;
                int start = 0;
                while (answered < commands.Count && RespReplyReader.TryRead(buffer.AsSpan(start, end - start), out var reply, out int used))
                {
                    start += used;
                    answered++;
                    reply.ThrowIfError();
                }
                buffer.AsSpan(start, end - start).CopyTo(buffer);
                end -= start;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
