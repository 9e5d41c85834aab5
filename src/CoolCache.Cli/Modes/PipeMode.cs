using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Security.Cryptography;
using CoolCache.Cli.Protocol;
using CoolCache.Cli.Session;

namespace CoolCache.Cli.Modes;

/// <summary>
/// --pipe: mass insertion (redis-cli pipeMode). Standard input (RESP, or command lines, which the server
/// reads as inline commands) is copied to the server as fast as it takes it, on one thread, while this
/// one counts the replies and prints the errors. At the end of the input an ECHO of 20 random bytes is
/// sent; its echo means every reply has arrived. Prints "errors: N, replies: N"; exit 1 if any error,
/// or if no reply came for --pipe-timeout seconds after the input ended.
/// </summary>
public static class PipeMode
{
    private const int ChunkSize = 64 * 1024;

    public static int Run(CliSession session, Stream input)
    {
        var socket = session.Connection!.Socket;
        var printer = session.Printer;
        var magic = RandomNumberGenerator.GetBytes(20);
        var inputDone = 0;
        string? writeError = null;
        var writer = new Thread(() =>
        {
            writeError = Transfer(input, socket, magic, printer.Write);
            Volatile.Write(ref inputDone, 1);
        })
        { IsBackground = true, Name = "pipe-writer" };
        writer.Start();

        long errors = 0, replies = 0;
        var buffer = new byte[ChunkSize * 4];
        int start = 0, end = 0;
        var done = false;
        var lastRead = Stopwatch.StartNew();
        var timeout = session.Options.PipeTimeoutSeconds;
        while (!done)
        {
            if (writeError is not null)
            {
                printer.Error(writeError);
                return 1;
            }
            if (!socket.Poll(TimeSpan.FromSeconds(1), SelectMode.SelectRead))
            {
                if (Volatile.Read(ref inputDone) == 1 && timeout > 0 && lastRead.Elapsed.TotalSeconds > timeout)
                {
                    printer.Error(string.Create(CultureInfo.InvariantCulture, $"No replies for {timeout} seconds: exiting.\n"));
                    errors++;
                    break;
                }
                continue;
            }
            if (end == buffer.Length)
            {
                if (start > 0)
                {
                    Array.Copy(buffer, start, buffer, 0, end - start);
                    end -= start;
                    start = 0;
                }
                else
                {
                    Array.Resize(ref buffer, buffer.Length * 2);
                }
            }
            int n;
            try
            {
                n = socket.Receive(buffer, end, buffer.Length - end, SocketFlags.None);
            }
            catch (SocketException e)
            {
                printer.Error($"Error reading from the server: {e.Message}\n");
                return 1;
            }
            if (n == 0)
            {
                printer.Error("Error reading from the server: Connection reset by peer\n");
                return 1;
            }
            end += n;
            lastRead.Restart();
            while (true)
            {
                var span = buffer.AsSpan(start, end - start);
                if (span.StartsWith("+OK\r\n"u8))
                {
                    replies++;
                    start += 5;
                    continue;
                }
                var status = ReplyReader.TryRead(span, out var reply, out var used, out _);
                if (status == ReadStatus.Incomplete) break;
                if (status == ReadStatus.Invalid)
                {
                    printer.Error("Error reading replies from server\n");
                    return 1;
                }
                start += used;
                if (reply.Type == ReplyType.Error)
                {
                    printer.Error(reply.TextString + "\n");
                    errors++;
                }
                else if (reply.Type == ReplyType.String && reply.Text.AsSpan().SequenceEqual(magic))
                {
                    printer.Write("Last reply received from server.\n");
                    done = true;
                    replies--;
                }
                replies++;
            }
            if (start == end) start = end = 0;
        }
        printer.Write(string.Create(CultureInfo.InvariantCulture, $"errors: {errors}, replies: {replies}\n"));
        return errors > 0 ? 1 : 0;
    }

    /// <summary>Copy the input to the socket, then the final ECHO; an error message, or null.</summary>
    private static string? Transfer(Stream input, Socket socket, byte[] magic, Action<string> say)
    {
        var chunk = new byte[ChunkSize];
        try
        {
            while (true)
            {
                int n;
                try
                {
                    n = input.Read(chunk, 0, chunk.Length);
                }
                catch (IOException e)
                {
                    return $"Error reading from stdin: {e.Message}\n";
                }
                if (n == 0) break;
                SendAll(socket, chunk.AsSpan(0, n));
            }
            // The ECHO starts with "\r\n" so that it still parses after input that ended mid-line.
            var echo = new List<byte>("\r\n*2\r\n$4\r\nECHO\r\n$20\r\n"u8.ToArray());
            echo.AddRange(magic);
            echo.AddRange("\r\n"u8.ToArray());
            say("All data transferred. Waiting for the last reply...\n");
            SendAll(socket, echo.ToArray());
            return null;
        }
        catch (SocketException e)
        {
            return $"Error writing to the server: {e.Message}\n";
        }
    }

    private static void SendAll(Socket socket, ReadOnlySpan<byte> bytes)
    {
        while (bytes.Length > 0) bytes = bytes[socket.Send(bytes)..];
    }
}
