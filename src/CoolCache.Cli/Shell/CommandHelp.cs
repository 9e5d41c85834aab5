using System.Text;
using CoolCache.Cli.Output;
using CoolCache.Cli.Protocol;

namespace CoolCache.Cli.Shell;

/// <summary>
/// Help, completion and hints from the server's COMMAND DOCS, as redis-cli 7.0 builds them
/// (cliInitCommandHelpEntries, cliAddArgument, hintsCallback): each command and subcommand becomes an
/// entry whose argument syntax is rendered from the docs' "arguments" ("key value [NX|XX] [GET]"); HELP
/// prints entries, Tab offers command names, and the hint shows the arguments not typed yet.
/// </summary>
public sealed class CommandHelp(IReadOnlyList<HelpEntry> entries)
{
    public IReadOnlyList<HelpEntry> Entries => entries;

    /// <summary>The entries of a COMMAND DOCS reply (RESP2 arrays or RESP3 maps alike), sorted by name.</summary>
    public static CommandHelp FromDocs(Reply docs)
    {
        var list = new List<HelpEntry>();
        if (docs.IsAggregate)
        {
            for (var i = 0; i + 1 < docs.Elements.Length; i += 2)
                AddEntries(list, docs.Elements[i].TextString, docs.Elements[i + 1]);
        }
        list.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return new CommandHelp(list);
    }

    private static void AddEntries(List<HelpEntry> list, string name, Reply doc)
    {
        var fields = Fields(doc);
        var arguments = fields.GetValueOrDefault("arguments");
        list.Add(new HelpEntry(
            name.Replace('|', ' ').ToUpperInvariant(),
            arguments is null ? "" : Concat(arguments, " "),
            fields.GetValueOrDefault("summary")?.TextString ?? "",
            fields.GetValueOrDefault("since")?.TextString ?? "",
            fields.GetValueOrDefault("group")?.TextString ?? ""));
        if (fields.GetValueOrDefault("subcommands") is { } subcommands)
        {
            for (var i = 0; i + 1 < subcommands.Elements.Length; i += 2)
                AddEntries(list, subcommands.Elements[i].TextString, subcommands.Elements[i + 1]);
        }
    }

    private static Dictionary<string, Reply> Fields(Reply map)
    {
        var fields = new Dictionary<string, Reply>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < map.Elements.Length; i += 2) fields[map.Elements[i].TextString] = map.Elements[i + 1];
        return fields;
    }

    private static string Concat(Reply arguments, string separator) =>
        string.Join(separator, arguments.Elements.Where(a => a.IsAggregate).Select(Argument));

    /// <summary>One argument's syntax: [TOKEN name], a|b|c for oneof, blocks, "name [name ...]" when multiple.</summary>
    private static string Argument(Reply argument)
    {
        var fields = Fields(argument);
        var name = OrQuotes(fields.GetValueOrDefault("name")?.TextString ?? "");
        var type = fields.GetValueOrDefault("type")?.TextString ?? "";
        var token = fields.GetValueOrDefault("token") is { } t ? OrQuotes(t.TextString) : "";
        var flags = fields.GetValueOrDefault("flags")?.Elements.Select(f => f.TextString).ToHashSet() ?? [];
        var repeat = type switch
        {
            "oneof" => fields.GetValueOrDefault("arguments") is { } a ? Concat(a, "|") : "",
            "block" => fields.GetValueOrDefault("arguments") is { } b ? Concat(b, " ") : "",
            "pure-token" => "",
            _ => name,
        };
        if (token.Length > 0 && type != "pure-token") token += " ";
        var text = new StringBuilder();
        if (flags.Contains("optional")) text.Append('[');
        text.Append(token).Append(repeat);
        if (flags.Contains("multiple"))
        {
            text.Append(" [");
            if (flags.Contains("multiple_token")) text.Append(token);
            text.Append(repeat).Append(" ...]");
        }
        if (flags.Contains("optional")) text.Append(']');
        return text.ToString();
    }

    private static string OrQuotes(string s) => s.Length == 0 ? "\"\"" : s;

    /// <summary>Tab completion: command names (and @groups after "help ") starting with what was typed.</summary>
    public IReadOnlyList<string> Complete(string line)
    {
        var start = 0;
        var withGroups = false;
        if (line.StartsWith("help ", StringComparison.OrdinalIgnoreCase))
        {
            start = 5;
            while (start < line.Length && char.IsWhiteSpace(line[start])) start++;
            withGroups = true;
        }
        var typed = line[start..];
        var names = new List<string>();
        if (withGroups) names.AddRange(Groups.Select(g => "@" + g));
        names.AddRange(entries.Select(e => e.Name));
        return names
            .Where(n => n.StartsWith(typed, StringComparison.OrdinalIgnoreCase))
            .Select(n => line[..start] + n)
            .ToList();
    }

    private IEnumerable<string> Groups => entries.Select(e => e.Group).Where(g => g.Length > 0).Distinct().Order(StringComparer.Ordinal);

    /// <summary>The hint for a line: the matched command's arguments not typed yet (null: no command).</summary>
    public string? Hint(string line)
    {
        var argv = ArgSplitter.Split(Encoding.UTF8.GetBytes(line));
        if (argv is null || argv.Count == 0) return null;
        var words = argv.Select(a => Encoding.UTF8.GetString(a)).ToArray();
        var endSpace = line.Length > 0 && char.IsWhiteSpace(line[^1]);
        HelpEntry? match = null;
        foreach (var entry in entries)
        {
            var n = entry.Words.Length;
            if (n > words.Length || (match is not null && n <= match.Words.Length)) continue;
            if (Enumerable.Range(0, n).All(j => string.Equals(entry.Words[j], words[j], StringComparison.OrdinalIgnoreCase)))
                match = entry;
        }
        if (match is null) return null;
        var hint = match.Params;
        var toRemove = words.Length - match.Words.Length;
        while (toRemove > 0 && hint.Length > 0)
        {
            if (hint[0] == '[') break;
            if (hint[0] == ' ') toRemove--;
            hint = hint[1..];
        }
        return endSpace ? hint : " " + hint;
    }

    /// <summary>HELP: the generic text, the commands of a @group, or the entries matching the words given.</summary>
    public void Print(Printer printer, IReadOnlyList<string> args)
    {
        if (args.Count == 0)
        {
            printer.Write(
                $"coolcache-cli {Cli.CliCommandLine.Version}\n" +
                "To get help about commands type:\n" +
                "      \"help @<group>\" to get a list of commands in <group>\n" +
                "      \"help <command>\" for help on <command>\n" +
                "      \"help <tab>\" to get a list of possible help topics\n" +
                "      \"quit\" to exit\n" +
                "\n" +
                "To set coolcache-cli preferences:\n" +
                "      \":set hints\" enable online hints\n" +
                "      \":set nohints\" disable online hints\n");
            return;
        }
        var output = new StringBuilder();
        var group = args[0].StartsWith('@') ? args[0][1..] : null;
        foreach (var entry in entries)
        {
            if (group is not null)
            {
                if (string.Equals(entry.Group, group, StringComparison.OrdinalIgnoreCase)) Describe(output, entry, withGroup: false);
            }
            else if (entry.Words.Length == args.Count
                     && entry.Words.Zip(args).All(p => string.Equals(p.First, p.Second, StringComparison.OrdinalIgnoreCase)))
            {
                Describe(output, entry, withGroup: true);
            }
        }
        printer.Write(output.Append("\r\n").ToString());
    }

    private static void Describe(StringBuilder output, HelpEntry entry, bool withGroup)
    {
        output.Append($"\r\n  \x1b[1m{entry.Name}\x1b[0m \x1b[90m{entry.Params}\x1b[0m\r\n");
        output.Append($"  \x1b[33msummary:\x1b[0m {entry.Summary}\r\n");
        output.Append($"  \x1b[33msince:\x1b[0m {entry.Since}\r\n");
        if (withGroup) output.Append($"  \x1b[33mgroup:\x1b[0m {entry.Group}\r\n");
    }
}
