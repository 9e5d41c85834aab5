using System.Diagnostics;
using System.Globalization;
using System.Text;
using CoolCache.Cli.Output;
using CoolCache.Cli.Protocol;
using CoolCache.Cli.Session;

namespace CoolCache.Cli.Shell;

/// <summary>
/// The interactive shell (redis-cli's repl), and the same loop over commands read from standard input
/// when it is not a terminal (no prompt, no history, no help from the server then). A line is split by
/// redis-cli's quoting rules; "N cmd ..." repeats a command N times; quit and exit leave; ":set hints" and
/// ":set nohints" switch hints; HELP is answered here; a command that takes 0.5 s or more is timed.
/// </summary>
public sealed class Repl(CliSession session, bool terminal, Func<string, string?> environment)
{
    private readonly Printer _printer = session.Printer;
    private readonly History _history = new();
    private CommandHelp? _help;
    private bool _hints = true;
    private Stream? _stdin;

    public int Run()
    {
        session.Interactive = true;
        var historyFile = terminal ? History.DefaultPath(environment) : null;
        if (historyFile is not null) _history.Load(historyFile);
        Help();
        var editor = new LineEditor(_printer, _history)
        {
            Complete = line => Help()?.Complete(line) ?? [],
            Hint = line => _hints ? Help()?.Hint(line) : null,
        };
        while (true)
        {
            var line = terminal ? Encode(editor.ReadLine(session.Prompt)) : ReadStdinLine();
            if (line is null) return 0;
            if (line.Length == 0) continue;
            var argv = ArgSplitter.Split(line);
            var text = Encoding.UTF8.GetString(line);
            if (argv is null)
            {
                _printer.Write("Invalid argument(s)\n");
                Remember(text, historyFile);
                continue;
            }
            if (argv.Count == 0) continue;
            var words = argv.Select(a => Encoding.UTF8.GetString(a)).ToArray();
            var skip = 0;
            long repeat = 1;
            if (argv.Count > 1 && IsNumber(words[0]))
            {
                if (!long.TryParse(words[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out repeat) || repeat <= 0)
                {
                    _printer.Write("Invalid redis-cli repeat command option value.\n");
                    continue;
                }
                skip = 1;
            }
            if (!IsSensitive(words[skip..])) Remember(text, historyFile);
            var name = words[0].ToLowerInvariant();
            if (name is "quit" or "exit") return 0;
            if (words[0].StartsWith(':'))
            {
                SetPreference(words);
                continue;
            }
            if (argv.Count == 1 && name == "clear")
            {
                _printer.Write("\x1b[H\x1b[2J");
                continue;
            }
            if (words[skip].Equals("help", StringComparison.OrdinalIgnoreCase) || words[skip] == "?")
            {
                PrintHelp(words[(skip + 1)..]);
                continue;
            }
            var clock = Stopwatch.StartNew();
            session.Issue(argv[skip..], repeat);
            if (clock.ElapsedMilliseconds >= 500 && session.Options.Output == OutputMode.Standard)
                _printer.Write($"({CFormat.Fixed(clock.ElapsedMilliseconds / 1000.0, 2)}s)\n");
        }
    }

    /// <summary>
    /// The help entries from COMMAND DOCS: asked for once, at the start or, if the server was not there
    /// then, once it is (never inside MULTI, where the command would be queued).
    /// </summary>
    private CommandHelp? Help()
    {
        if (_help is not null || !terminal || session.Connection is null || session.InMulti) return _help;
        try
        {
            var docs = session.Call("COMMAND", "DOCS");
            _help = docs.IsAggregate ? CommandHelp.FromDocs(docs) : new CommandHelp([]);
        }
        catch (ConnectionException)
        {
            session.Drop();
        }
        return _help;
    }

    private void PrintHelp(string[] args)
    {
        if (args.Length > 0 && Help() is { } help)
            help.Print(_printer, args);
        else
            new CommandHelp([]).Print(_printer, args);
    }

    private void Remember(string line, string? historyFile)
    {
        if (!terminal) return;
        _history.Add(line);
        if (historyFile is not null) _history.Save(historyFile);
    }

    private void SetPreference(string[] words)
    {
        if (words[0].Equals(":set", StringComparison.OrdinalIgnoreCase) && words.Length >= 2)
        {
            if (words[1].Equals("hints", StringComparison.OrdinalIgnoreCase)) _hints = true;
            else if (words[1].Equals("nohints", StringComparison.OrdinalIgnoreCase)) _hints = false;
            else _printer.Write($"unknown coolcache-cli preference '{words[1]}'\n");
        }
        else
        {
            _printer.Write($"unknown coolcache-cli internal command '{words[0]}'\n");
        }
    }

    /// <summary>strtol consumed the whole word: "3", "-2", "+0" (the repeat prefix).</summary>
    private static bool IsNumber(string word)
    {
        var s = word.TrimStart();
        var i = s.Length > 0 && s[0] is '+' or '-' ? 1 : 0;
        return i < s.Length && s[i..].All(char.IsAsciiDigit);
    }

    /// <summary>Commands that carry passwords stay out of the history file (redis-cli isSensitiveCommand).</summary>
    private static bool IsSensitive(string[] words)
    {
        if (words.Length == 0) return false;
        var name = words[0].ToLowerInvariant();
        if (name == "auth") return true;
        if (name == "acl" && words.Length > 1 && words[1].ToLowerInvariant() is "deluser" or "setuser" or "getuser") return true;
        if (name == "config" && words.Length > 2 && words[1].Equals("set", StringComparison.OrdinalIgnoreCase))
        {
            for (var j = 2; j < words.Length; j += 2)
            {
                if (words[j].ToLowerInvariant() is "masterauth" or "masteruser" or "requirepass") return true;
            }
            return false;
        }
        if (name == "hello") return words.Skip(2).Any(w => w.Equals("auth", StringComparison.OrdinalIgnoreCase));
        if (name == "migrate") return words.Skip(6).Any(w => w.ToLowerInvariant() is "auth" or "auth2");
        return false;
    }

    private static byte[]? Encode(string? line) => line is null ? null : Encoding.UTF8.GetBytes(line);

    /// <summary>A line of standard input as bytes without its "\n"; null at the end.</summary>
    private byte[]? ReadStdinLine()
    {
        _stdin ??= new BufferedStream(Console.OpenStandardInput(), 64 * 1024);
        var line = new List<byte>();
        while (true)
        {
            var b = _stdin.ReadByte();
            if (b < 0) return line.Count > 0 ? line.ToArray() : null;
            if (b == '\n') return line.ToArray();
            line.Add((byte)b);
        }
    }
}
