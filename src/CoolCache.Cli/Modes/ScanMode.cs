using System.Globalization;
using CoolCache.Cli.Output;
using CoolCache.Cli.Protocol;
using CoolCache.Cli.Session;

namespace CoolCache.Cli.Modes;

/// <summary>
/// --scan [--pattern p]: every key, one per line, by SCAN (quoted in terminal output, as they are
/// otherwise), waiting -i seconds between calls (redis-cli scanMode). Also the SCAN loop of --bigkeys.
/// </summary>
public static class ScanMode
{
    public static int Run(CliSession session)
    {
        var cursor = "0";
        do
        {
            var keys = Scan(session, ref cursor);
            var output = new ByteText();
            foreach (var key in keys)
            {
                if (session.Options.Output == OutputMode.Standard)
                    output.AppendRepr(key.Text);
                else
                    output.Append(Quoting.UpToNul(key.Text));
                output.Append((byte)'\n');
            }
            session.Printer.Write(output);
            if (session.Options.Interval > 0) Thread.Sleep(TimeSpan.FromSeconds(session.Options.Interval));
        } while (cursor != "0");
        return 0;
    }

    /// <summary>One SCAN call (with MATCH when --pattern is given); exits on an error as redis-cli does.</summary>
    public static Reply[] Scan(CliSession session, ref string cursor)
    {
        Reply reply;
        try
        {
            reply = session.Options.Pattern is { } pattern
                ? session.Call("SCAN", cursor, "MATCH", pattern)
                : session.Call("SCAN", cursor);
        }
        catch (ConnectionException)
        {
            return Fail(session, "\nI/O error\n");
        }
        if (reply.Type == ReplyType.Error) return Fail(session, $"SCAN error: {reply.TextString}\n");
        if (reply.Type != ReplyType.Array) return Fail(session, "Non ARRAY response from SCAN!\n");
        if (reply.Elements.Length != 2) return Fail(session, "Invalid element count from SCAN!\n");
        cursor = ulong.TryParse(reply.Elements[0].TextString, NumberStyles.None, CultureInfo.InvariantCulture, out var next)
            ? next.ToString(CultureInfo.InvariantCulture)
            : "0";
        return reply.Elements[1].Elements;
    }

    private static Reply[] Fail(CliSession session, string message)
    {
        session.Printer.Error(message);
        Environment.Exit(1);
        return [];
    }
}
