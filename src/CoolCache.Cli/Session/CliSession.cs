using System.Globalization;
using System.Net.Sockets;
using System.Text;
using CoolCache.Cli.Cli;
using CoolCache.Cli.Output;
using CoolCache.Cli.Protocol;

namespace CoolCache.Cli.Session;

/// <summary>
/// The client side of one server session, as redis-cli 7.0 keeps it (cliConnect, cliSendCommand,
/// cliReadReply): the connection (AUTH, SELECT and HELLO 3 on every connect), the state the prompt shows
/// (db, MULTI), RESP3 pushes, SUBSCRIBE and MONITOR streaming until Ctrl-C, and what happens when the
/// server goes away (one-shot: "Error: ..." and exit 1; shell: drop the connection, reconnect later).
/// </summary>
public sealed class CliSession(CliOptions options, Printer printer) : IDisposable
{
    private ServerConnection? _connection;
    private int _inputDb = options.Db;
    private int _preMultiDb;
    private bool _shutdown;
    private volatile bool _streaming;
    private volatile bool _aborted;

    public CliOptions Options => options;
    public Printer Printer => printer;
    public ServerConnection? Connection => _connection;

    /// <summary>The database the connection is in (the prompt's [n]).</summary>
    public int Db { get; private set; }

    public bool InMulti { get; private set; }

    /// <summary>The shell (or commands from stdin): lost connections are retried, not fatal.</summary>
    public bool Interactive { get; set; }

    /// <summary>Whether the connection speaks RESP3 (after -3, --json or a successful HELLO 3).</summary>
    public bool Resp3Active { get; private set; }

    /// <summary>Inside SUBSCRIBE or MONITOR, where Ctrl-C ends the stream instead of the program.</summary>
    public bool IsStreaming => _streaming;

    public string Prompt
    {
        get
        {
            if (_connection is null) return "not connected> ";
            var address = options.Host.Contains(':') ? $"[{options.Host}]:{options.Port}" : $"{options.Host}:{options.Port}";
            return address + (Db != 0 ? $"[{Db}]" : "") + (InMulti ? "(TX)" : "") + "> ";
        }
    }

    /// <summary>cliConnect: open a connection unless one is open (or force), then AUTH, SELECT and HELLO 3.</summary>
    public bool Connect(bool force = false, bool quiet = false)
    {
        if (_connection is not null && !force) return true;
        if (_connection is not null)
        {
            _connection.Dispose();
            _connection = null;
            Db = 0;
            InMulti = false;
        }
        try
        {
            _connection = ServerConnection.Open(options.Host, options.Port);
        }
        catch (SocketException e)
        {
            if (!quiet) printer.Error($"Could not connect to Redis at {options.Host}:{options.Port}: {ServerConnection.Reason(e)}\n");
            return false;
        }
        Resp3Active = false;
        try
        {
            Authenticate();
            SelectInputDb();
            SwitchProtocol();
        }
        catch (ConnectionException)
        {
            printer.Error("\nI/O error\n");
            Drop();
            return false;
        }
        return true;
    }

    private void Authenticate()
    {
        if (options.Password is null) return;
        var argv = options.User is null ? new[] { "AUTH", options.Password } : ["AUTH", options.User, options.Password];
        var reply = Call(argv);
        if (reply.Type == ReplyType.Error) printer.Error($"AUTH failed: {reply.TextString}\n");
    }

    /// <summary>cliSelect: go to the database asked for (-n, or the last successful SELECT).</summary>
    public void SelectInputDb()
    {
        if (_connection is null || _inputDb == Db) return;
        var reply = Call("SELECT", _inputDb.ToString(CultureInfo.InvariantCulture));
        if (reply.Type == ReplyType.Error)
            printer.Error($"SELECT {_inputDb} failed: {reply.TextString}\n");
        else
            Db = _inputDb;
    }

    private void SwitchProtocol()
    {
        if (!options.Resp3 && !options.Resp3IfPossible) return;
        var reply = Call("HELLO", "3");
        if (reply.Type == ReplyType.Error)
        {
            printer.Error($"HELLO 3 failed: {reply.TextString}\n");
            if (options.Resp3) return;
        }
        Resp3Active = reply.Type != ReplyType.Error;
    }

    /// <summary>Send a command and read its reply (pushes set aside), for the modes and the connect steps.</summary>
    public Reply Call(params string[] argv) => Call(argv.Select(Encoding.UTF8.GetBytes).ToArray());

    public Reply Call(IReadOnlyList<byte[]> argv)
    {
        var connection = _connection ?? throw new ConnectionException("Not connected", true);
        connection.Send(argv);
        return ReadInBand(connection);
    }

    /// <summary>The next reply that answers a command: RESP3 pushes are printed (or dropped) on the way.</summary>
    private Reply ReadInBand(ServerConnection connection)
    {
        while (true)
        {
            var reply = connection.Read();
            if (reply.Type != ReplyType.Push) return reply;
            if (!options.ShowPushes) continue;
            printer.Write(options.Output == OutputMode.Standard && ReplyFormatter.IsInvalidate(reply)
                ? ReplyFormatter.FormatInvalidate(reply)
                : ReplyFormatter.Format(reply, options.Output));
        }
    }

    /// <summary>
    /// issueCommandRepeat: connect if needed, send the command repeat times and print the replies. False
    /// when the command could not be carried out (no connection, or the connection was lost).
    /// </summary>
    public bool Issue(IReadOnlyList<byte[]> argv, long repeat)
    {
        if (_connection is null && !Connect(force: true)) return false;
        try
        {
            SendCommand(argv, repeat);
            return true;
        }
        catch (ConnectionException e) when (Interactive && e.Lost)
        {
            printer.Error($"Error: {e.Message}\n");
            Drop();
            return false;
        }
        catch (ConnectionException e)
        {
            printer.Error($"Error: {e.Message}\n");
            Environment.Exit(1);
            return false;
        }
    }

    private void SendCommand(IReadOnlyList<byte[]> argv, long repeat)
    {
        var name = Encoding.UTF8.GetString(argv[0]).ToLowerInvariant();
        var sub = argv.Count >= 2 ? Encoding.UTF8.GetString(argv[1]).ToLowerInvariant() : "";
        var rawStrings = PrintsRawStrings(name, sub, argv.Count);
        if (name == "shutdown") _shutdown = true;
        var monitor = name == "monitor";
        var subscribe = name is "subscribe" or "psubscribe" or "ssubscribe";
        var connection = _connection!;
        while (repeat < 0 || repeat-- > 0)
        {
            connection.Send(argv);
            if (monitor)
            {
                StreamReplies(connection, rawStrings);
                return;
            }
            if (subscribe)
            {
                if (options.Output != OutputMode.Raw) printer.Write("Reading messages... (press Ctrl-C to quit)\n");
                StreamReplies(connection, rawStrings);
                if (_connection is null) return;
                connection = _connection;
                continue;
            }
            var reply = ReadAndPrint(connection, rawStrings);
            if (reply is null) return;
            Track(name, argv, reply);
            if (options.Interval > 0) Thread.Sleep(TimeSpan.FromSeconds(options.Interval));
        }
    }

    /// <summary>cliReadReply: the next in-band reply, printed; null when a SHUTDOWN closed the connection.</summary>
    private Reply? ReadAndPrint(ServerConnection connection, bool rawStrings)
    {
        Reply reply;
        try
        {
            reply = ReadInBand(connection);
        }
        catch (ConnectionException) when (_shutdown)
        {
            Drop();
            return null;
        }
        printer.Write(ReplyFormatter.Format(reply, options.Output, rawStrings));
        return reply;
    }

    /// <summary>
    /// SUBSCRIBE and MONITOR: print every reply as it comes until an error reply, or until Ctrl-C (Abort),
    /// after which the shell continues on a new connection. A lost connection ends the program (exit 1).
    /// </summary>
    private void StreamReplies(ServerConnection connection, bool rawStrings)
    {
        _streaming = true;
        try
        {
            while (true)
            {
                var reply = connection.Read();
                printer.Write(ReplyFormatter.Format(reply, options.Output, rawStrings));
                if (reply.Type == ReplyType.Error) return;
            }
        }
        catch (ConnectionException) when (_aborted)
        {
            _aborted = false;
            Connect(force: true);
        }
        catch (ConnectionException e)
        {
            if (!Interactive || !e.Lost) printer.Error($"Error: {e.Message}\n");
            Environment.Exit(1);
        }
        finally
        {
            _streaming = false;
        }
    }

    /// <summary>Ctrl-C while streaming: close the connection under the blocked read.</summary>
    public void AbortStreaming()
    {
        _aborted = true;
        _connection?.Abort();
    }

    /// <summary>The session state a successful command changes (cliSendCommand after the reply).</summary>
    private void Track(string name, IReadOnlyList<byte[]> argv, Reply reply)
    {
        var failed = reply.Type == ReplyType.Error;
        switch (name)
        {
            case "select" when argv.Count == 2 && !failed:
                _inputDb = Db = AtoI(argv[1]);
                break;
            case "auth" when argv.Count is 2 or 3:
                SelectInputDb();
                break;
            case "multi" when argv.Count == 1 && !failed:
                InMulti = true;
                _preMultiDb = Db;
                break;
            case "exec" when argv.Count == 1 && InMulti:
                InMulti = false;
                if (failed || reply.Type == ReplyType.Nil) _inputDb = Db = _preMultiDb;
                break;
            case "discard" when argv.Count == 1 && !failed:
                InMulti = false;
                _inputDb = Db = _preMultiDb;
                break;
            case "reset" when argv.Count == 1 && !failed:
                InMulti = false;
                _inputDb = Db = 0;
                Resp3Active = false;
                break;
            case "hello":
                if (reply.Type == ReplyType.Map) Resp3Active = true;
                else if (reply.Type == ReplyType.Array) Resp3Active = false;
                break;
        }
    }

    /// <summary>Commands whose reply is text meant to be read as it is (INFO, CLIENT LIST...): never quoted.</summary>
    private static bool PrintsRawStrings(string name, string sub, int argc) =>
        name is "info" or "lolwut"
        || (argc >= 2 && name == "debug" && sub is "htstats" or "htstats-key" or "client-eviction")
        || (argc >= 2 && name == "memory" && sub is "malloc-stats" or "doctor")
        || (argc == 2 && name == "cluster" && sub is "nodes" or "info")
        || (argc >= 2 && name == "client" && sub is "list" or "info")
        || (argc == 3 && name == "latency" && sub == "graph")
        || (argc == 2 && name == "latency" && sub == "doctor")
        || (argc >= 2 && name == "proxy" && sub == "info");

    /// <summary>C atoi: leading blanks, a sign, digits; 0 when there are none.</summary>
    private static int AtoI(byte[] text)
    {
        var s = Encoding.UTF8.GetString(text).TrimStart();
        var end = 0;
        if (end < s.Length && s[end] is '-' or '+') end++;
        while (end < s.Length && char.IsAsciiDigit(s[end])) end++;
        return int.TryParse(s.AsSpan(0, end), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? v : 0;
    }

    /// <summary>Forget the connection (lost, or closed by SHUTDOWN): the prompt says "not connected".</summary>
    public void Drop()
    {
        _connection?.Dispose();
        _connection = null;
    }

    public void Dispose() => _connection?.Dispose();
}
