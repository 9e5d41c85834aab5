using System.Globalization;
using System.Text;
using CoolCache.Cli.Output;
using CoolCache.Cli.Protocol;
using CoolCache.Cli.Session;

namespace CoolCache.Cli.Modes;

/// <summary>
/// --bigkeys: SCAN the keyspace, TYPE and size every key (STRLEN, LLEN, SCARD, HLEN, ZCARD, XLEN, pipelined
/// per SCAN batch), report each new biggest key per type as it is found and a summary at the end, in
/// redis-cli 7.0's words and order. Its per-type lines follow the iteration order of redis-cli's own
/// dict of types, which depends on how far that dict had rehashed (one step per key looked up):
/// TypeOrder reproduces it so that the output is the same byte for byte.
/// </summary>
public static class BigKeysMode
{
    private sealed class TypeInfo(string name, string sizeCommand, string unit)
    {
        public string Name { get; } = name;
        public string SizeCommand { get; } = sizeCommand;
        public string Unit { get; } = unit;
        public ulong Biggest { get; set; }
        public string? BiggestKey { get; set; }
        public ulong Count { get; set; }
        public ulong TotalSize { get; set; }
    }

    public static int Run(CliSession session)
    {
        var types = new Dictionary<string, TypeInfo>(StringComparer.Ordinal)
        {
            ["string"] = new("string", "STRLEN", "bytes"),
            ["list"] = new("list", "LLEN", "items"),
            ["set"] = new("set", "SCARD", "members"),
            ["hash"] = new("hash", "HLEN", "fields"),
            ["zset"] = new("zset", "ZCARD", "members"),
            ["stream"] = new("stream", "XLEN", "entries"),
        };
        var printer = session.Printer;
        var totalKeys = DbSize(session);
        printer.Write("\n# Scanning the entire keyspace to find biggest keys as well as\n" +
                      "# average sizes per key type.  You can use -i 0.1 to sleep 0.1 sec\n" +
                      "# per 100 SCAN commands (not usually needed).\n\n");
        ulong sampled = 0, totalLength = 0, lookups = 0;
        var cursor = "0";
        do
        {
            var pct = 100 * (double)sampled / totalKeys;
            var keys = ScanMode.Scan(session, ref cursor);
            var keyTypes = KeyTypes(session, keys, types);
            lookups += (ulong)keys.Length;
            var sizes = KeySizes(session, keys, keyTypes);
            for (var i = 0; i < keys.Length; i++)
            {
                if (keyTypes[i] is not { } type) continue;
                type.TotalSize += sizes[i];
                type.Count++;
                totalLength += (ulong)keys[i].Text.Length;
                sampled++;
                if (type.Biggest < sizes[i])
                {
                    type.BiggestKey = new ByteText().AppendRepr(keys[i].Text).ToString();
                    printer.Write(Invariant($"[{Percent(pct)}%] Biggest {type.Name,-6} found so far '{type.BiggestKey}' with {sizes[i]} {type.Unit}\n"));
                    type.Biggest = sizes[i];
                }
                if (sampled % 1000000 == 0) printer.Write(Invariant($"[{Percent(pct)}%] Sampled {sampled} keys so far\n"));
            }
            if (sampled > 0 && sampled % 100 == 0 && session.Options.Interval > 0)
                Thread.Sleep(TimeSpan.FromSeconds(session.Options.Interval));
        } while (cursor != "0");

        var summary = new StringBuilder("\n-------- summary -------\n\n");
        summary.Append(Invariant($"Sampled {sampled} keys in the keyspace!\n"));
        summary.Append(Invariant($"Total key length in bytes is {totalLength} (avg len {CFormat.Fixed(totalLength > 0 ? (double)totalLength / sampled : 0, 2)})\n\n"));
        var ordered = TypeOrder(lookups).Select(n => types[n]).ToList();
        foreach (var type in ordered.Where(t => t.BiggestKey is not null))
            summary.Append(Invariant($"Biggest {type.Name,6} found '{type.BiggestKey}' has {type.Biggest} {type.Unit}\n"));
        summary.Append('\n');
        foreach (var type in ordered)
        {
            var share = sampled > 0 ? 100 * (double)type.Count / sampled : 0;
            var average = type.Count > 0 ? (double)type.TotalSize / type.Count : 0;
            summary.Append(Invariant($"{type.Count} {type.Name}s with {type.TotalSize} {type.Unit} ({Percent(share)}% of keys, avg size {CFormat.Fixed(average, 2)})\n"));
        }
        printer.Write(summary.ToString());
        return 0;
    }

    /// <summary>
    /// The order redis-cli's types dict iterates in. Its six types are added to a 4-bucket dict that grows
    /// to 8 at the fifth, then rehashes one bucket at the sixth and at each of the next lookups (one per
    /// key): the order after 1, 2 and 3 or more rehash steps (SipHash-1-2 of the names, zero seed).
    /// </summary>
    public static string[] TypeOrder(ulong lookups) => lookups switch
    {
        0 => ["hash", "list", "string", "stream", "set", "zset"],
        1 => ["string", "list", "hash", "stream", "set", "zset"],
        _ => ["list", "hash", "string", "stream", "set", "zset"],
    };

    private static string Percent(double value) => CFormat.ZeroPadded(value, 5, 2);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static ulong DbSize(CliSession session)
    {
        var reply = Call(session, () => session.Call("DBSIZE"));
        if (reply.Type != ReplyType.Integer)
        {
            session.Printer.Error("Couldn't determine DBSIZE!\n");
            Environment.Exit(1);
        }
        return (ulong)reply.Integer;
    }

    private static TypeInfo?[] KeyTypes(CliSession session, Reply[] keys, Dictionary<string, TypeInfo> types)
    {
        var connection = session.Connection!;
        var replies = Call(session, () =>
        {
            foreach (var key in keys) connection.Send([Encoding.ASCII.GetBytes("TYPE"), key.Text]);
            return Reply.OfElements(ReplyType.Array, keys.Select(_ => connection.Read()).ToArray());
        });
        var result = new TypeInfo?[keys.Length];
        for (var i = 0; i < keys.Length; i++)
        {
            var reply = replies.Elements[i];
            if (reply.Type != ReplyType.Status)
            {
                session.Printer.Error(reply.Type == ReplyType.Error
                    ? $"TYPE returned an error: {reply.TextString}\n"
                    : $"Invalid reply type ({(int)reply.Type}) for TYPE on key '{keys[i].TextString}'!\n");
                Environment.Exit(1);
            }
            var name = reply.TextString;
            if (name == "none") continue;
            if (!types.TryGetValue(name, out var type))
            {
                type = new TypeInfo(name, "", "");
                types[name] = type;
            }
            result[i] = type.SizeCommand.Length > 0 ? type : null;
        }
        return result;
    }

    private static ulong[] KeySizes(CliSession session, Reply[] keys, TypeInfo?[] keyTypes)
    {
        var connection = session.Connection!;
        var sizes = new ulong[keys.Length];
        Call(session, () =>
        {
            for (var i = 0; i < keys.Length; i++)
            {
                if (keyTypes[i] is { } type) connection.Send([Encoding.ASCII.GetBytes(type.SizeCommand), keys[i].Text]);
            }
            for (var i = 0; i < keys.Length; i++)
            {
                if (keyTypes[i] is not { } type) continue;
                var reply = connection.Read();
                if (reply.Type == ReplyType.Integer)
                    sizes[i] = (ulong)reply.Integer;
                else
                    session.Printer.Error($"Warning:  {type.SizeCommand} on '{keys[i].TextString}' failed (may have changed type)\n");
            }
            return Reply.Nil;
        });
        return sizes;
    }

    private static Reply Call(CliSession session, Func<Reply> call)
    {
        try
        {
            return call();
        }
        catch (ConnectionException e)
        {
            session.Printer.Error($"Error: {e.Message}\n");
            Environment.Exit(1);
            return Reply.Nil;
        }
    }
}
