using CoolCache.Cli.Protocol;
using CoolCache.Cli.Session;

namespace CoolCache.Cli.Modes;

/// <summary>
/// redis-cli reconnectingRedisCommand, for the modes that poll forever (--latency, --stat): when the
/// server goes away, say "Reconnecting... N" on one line and try again every second until it is back.
/// </summary>
public static class Reconnecting
{
    public static Reply Call(CliSession session, params string[] argv)
    {
        var tries = 0;
        while (true)
        {
            if (session.Connection is not null)
            {
                try
                {
                    var reply = session.Call(argv);
                    if (tries > 0) session.Printer.Write("\r\x1b[0K");
                    return reply;
                }
                catch (ConnectionException e) when (e.Lost)
                {
                    session.Drop();
                }
                catch (ConnectionException e)
                {
                    session.Printer.Error($"Error: {e.Message}\n");
                    Environment.Exit(1);
                }
            }
            session.Printer.Write($"\r\x1b[0KReconnecting... {++tries}\r");
            session.Connect(force: true, quiet: true);
            if (session.Connection is null) Thread.Sleep(1000);
        }
    }
}
