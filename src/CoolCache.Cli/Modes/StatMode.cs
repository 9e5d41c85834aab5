using System.Globalization;
using System.Text;
using CoolCache.Cli.Output;
using CoolCache.Cli.Protocol;
using CoolCache.Cli.Session;

namespace CoolCache.Cli.Modes;

/// <summary>
/// --stat: one line of figures from INFO every -i seconds (default 1): keys, memory, clients, blocked
/// clients, commands processed (and since the last line), connections, and a child process at work,
/// with a header every 20 lines (redis-cli statMode, its columns and its INFO field lookups).
/// </summary>
public static class StatMode
{
    public static int Run(CliSession session)
    {
        var interval = session.Options.Interval > 0 ? session.Options.Interval : 1.0;
        long requests = 0;
        for (var line = 0; ; line++)
        {
            var reply = Reconnecting.Call(session, "INFO");
            if (reply.Type == ReplyType.Error)
            {
                session.Printer.Error($"ERROR: {reply.TextString}\n");
                return 1;
            }
            var info = reply.TextString;
            var output = new StringBuilder();
            if (line % 20 == 0)
            {
                output.Append("------- data ------ --------------------- load -------------------- - child -\n");
                output.Append("keys       mem      clients blocked requests            connections          \n");
            }
            long keys = 0;
            for (var db = 0; db < 20; db++)
            {
                var k = Field(info, $"db{db}:keys");
                if (k != long.MinValue) keys += k;
            }
            output.Append(Invariant($"{keys}").PadRight(11));
            output.Append(BytesToHuman(Field(info, "used_memory")).PadRight(8));
            output.Append(' ').Append(Invariant($"{Field(info, "connected_clients")}").PadRight(8));
            output.Append(Invariant($"{Field(info, "blocked_clients")}").PadRight(8));
            var processed = Field(info, "total_commands_processed");
            output.Append(Invariant($"{processed} (+{(requests == 0 ? 0 : processed - requests)})").PadRight(19));
            requests = processed;
            output.Append(' ').Append(Invariant($"{Field(info, "total_connections_received")}").PadRight(12));
            var child = Field(info, "bgsave_in_progress") | (Field(info, "aof_rewrite_in_progress") << 1) | (Field(info, "loading") << 2);
            output.Append(child switch
            {
                1 => "SAVE",
                2 => "AOF",
                3 => "SAVE+AOF",
                4 => "LOAD",
                _ => "",
            });
            output.Append('\n');
            session.Printer.Write(output.ToString());
            Thread.Sleep(TimeSpan.FromSeconds(interval));
        }
    }

    /// <summary>redis-cli getLongInfoField: the first occurrence of the name anywhere (strstr), its value up to
    /// '\r' or ',' read by strtol; long.MinValue when the name is not there.</summary>
    public static long Field(string info, string name)
    {
        var at = info.IndexOf(name, StringComparison.Ordinal);
        if (at < 0) return long.MinValue;
        var start = Math.Min(at + name.Length + 1, info.Length);
        var end = start;
        while (end < info.Length && info[end] != '\r' && info[end] != ',') end++;
        var text = info[start..end].TrimStart();
        var digits = text.Length > 0 && text[0] is '-' or '+' ? 1 : 0;
        while (digits < text.Length && char.IsAsciiDigit(text[digits])) digits++;
        return long.TryParse(text.AsSpan(0, digits), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value : 0;
    }

    /// <summary>redis-cli bytesToHuman: 1023B, 1.50K, 7.68M, 2.00G...</summary>
    public static string BytesToHuman(long n)
    {
        var sign = n < 0 ? "-" : "";
        double d = Math.Abs(n);
        var abs = Math.Abs(n);
        return abs switch
        {
            < 1024 => Invariant($"{sign}{abs}B"),
            < 1024 * 1024 => Invariant($"{sign}{CFormat.Fixed(d / 1024, 2)}K"),
            < 1024L * 1024 * 1024 => Invariant($"{sign}{CFormat.Fixed(d / (1024 * 1024), 2)}M"),
            < 1024L * 1024 * 1024 * 1024 => Invariant($"{sign}{CFormat.Fixed(d / (1024L * 1024 * 1024), 2)}G"),
            < 1024L * 1024 * 1024 * 1024 * 1024 => Invariant($"{sign}{CFormat.Fixed(d / (1024L * 1024 * 1024 * 1024), 2)}T"),
            < 1024L * 1024 * 1024 * 1024 * 1024 * 1024 => Invariant($"{sign}{CFormat.Fixed(d / (1024L * 1024 * 1024 * 1024 * 1024), 2)}P"),
            _ => Invariant($"{sign}{abs}B"),
        };
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
