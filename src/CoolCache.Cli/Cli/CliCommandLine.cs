using System.CommandLine;
using System.CommandLine.Help;
using System.Globalization;
using CoolCache.Cli.Output;

namespace CoolCache.Cli.Cli;

/// <summary>
/// coolcache-cli [OPTIONS] [cmd [arg ...]], with redis-cli 7.0's options and its rule that options end at
/// the first argument that is not one (so "incrby n -5" and "set k --raw" are commands). The options part
/// is parsed by System.CommandLine; COOLCACHE_HOST and COOLCACHE_PORT give the defaults.
/// </summary>
public static class CliCommandLine
{
    public const string Version = "0.1.0";

    private sealed class Definition
    {
        public readonly RootCommand Root = new("coolcache-cli: the command line interface of CoolCache (and any Redis-compatible server).");
        public readonly Option<string> Host = new("-h") { Description = "Server hostname (default: 127.0.0.1, or COOLCACHE_HOST).", HelpName = "hostname" };
        public readonly Option<int> Port = new("-p") { Description = "Server port (default: 6379, or COOLCACHE_PORT).", HelpName = "port" };
        public readonly Option<string> Pass = new("-a", "--pass") { Description = "Password to use when connecting to the server.", HelpName = "password" };
        public readonly Option<string> User = new("--user") { Description = "Used to send ACL style 'AUTH username pass'. Needs -a.", HelpName = "username" };
        public readonly Option<int> Db = new("-n") { Description = "Database number.", HelpName = "db" };
        public readonly Option<bool> Resp3 = new("-3") { Description = "Start session in RESP3 protocol mode." };
        public readonly Option<long> Repeat = new("-r") { Description = "Execute specified command N times.", HelpName = "repeat" };
        public readonly Option<double> Interval = new("-i") { Description = "When -r is used, waits <interval> seconds per command (sub-second like -i 0.1). Also used per cycle in --scan and --stat.", HelpName = "interval" };
        public readonly Option<bool> Raw = new("--raw") { Description = "Use raw formatting for replies (default when STDOUT is not a tty)." };
        public readonly Option<bool> NoRaw = new("--no-raw") { Description = "Force formatted output even when STDOUT is not a tty." };
        public readonly Option<bool> Csv = new("--csv") { Description = "Output in CSV format." };
        public readonly Option<bool> Json = new("--json") { Description = "Output in JSON format (RESP3 when the server has it)." };
        public readonly Option<string> ShowPushes = new("--show-pushes") { Description = "Whether to print RESP3 PUSH messages (default: when STDOUT is a tty).", HelpName = "yn" };
        public readonly Option<bool> StdinArg = new("-x") { Description = "Read last argument from STDIN." };
        public readonly Option<bool> Pipe = new("--pipe") { Description = "Transfer raw Redis protocol (or command lines) from stdin to server." };
        public readonly Option<int> PipeTimeout = new("--pipe-timeout") { Description = "In --pipe mode, abort with error if after sending all data no reply is received within <n> seconds (default 30, 0 waits forever).", HelpName = "n" };
        public readonly Option<bool> Scan = new("--scan") { Description = "List all keys using the SCAN command." };
        public readonly Option<string> Pattern = new("--pattern") { Description = "Keys pattern when using the --scan or --bigkeys options (default: *).", HelpName = "pat" };
        public readonly Option<bool> BigKeys = new("--bigkeys") { Description = "Sample keys looking for keys with many elements (complexity)." };
        public readonly Option<bool> Latency = new("--latency") { Description = "Enter a special mode continuously sampling latency." };
        public readonly Option<bool> Stat = new("--stat") { Description = "Print rolling stats about server: mem, clients, ..." };
        public readonly Option<bool> NoAuthWarning = new("--no-auth-warning") { Description = "Don't show warning message when using password on command line interface." };
        public readonly Option<bool> ShowVersion = new("--version", "-v") { Description = "Output version and exit." };
        public readonly Argument<string[]> Command = new("cmd") { Description = "A command and its arguments; without one, the interactive shell starts.", Arity = ArgumentArity.ZeroOrMore };

        public Definition()
        {
            Root.Options.Clear();
            Root.Options.Add(new HelpOption("--help"));
            foreach (var option in new Option[] { Host, Port, Pass, User, Db, Resp3, Repeat, Interval, Raw, NoRaw, Csv, Json, ShowPushes, StdinArg, Pipe, PipeTimeout, Scan, Pattern, BigKeys, Latency, Stat, NoAuthWarning, ShowVersion })
                Root.Options.Add(option);
            Root.Arguments.Add(Command);
        }

        public Option? Find(string token) => Root.Options.FirstOrDefault(o => o.Name == token || o.Aliases.Contains(token));
    }

    /// <summary>What the program should do with its arguments.</summary>
    public enum Outcome
    {
        Run,
        Help,
        Version,
        Error,
    }

    public static Outcome Parse(string[] args, Func<string, string?> environment, bool stdoutIsTerminal, out CliOptions options, out string message)
    {
        var definition = new Definition();
        options = new CliOptions();
        message = "";

        // Options end at the first argument that is not one of ours (redis-cli parseOptions).
        var end = 0;
        var output = stdoutIsTerminal ? OutputMode.Standard : OutputMode.Raw;
        while (end < args.Length && args[end].StartsWith('-'))
        {
            if (args[end] == "--help") return Outcome.Help;
            var option = definition.Find(args[end]);
            if (option is null)
            {
                message = $"Unrecognized option or bad number of args for: '{args[end]}'";
                return Outcome.Error;
            }
            output = args[end] switch
            {
                "--raw" => OutputMode.Raw,
                "--no-raw" => OutputMode.Standard,
                "--csv" => OutputMode.Csv,
                "--json" => OutputMode.Json,
                _ => output,
            };
            var takesValue = option.ValueType != typeof(bool);
            if (takesValue && end + 1 >= args.Length)
            {
                message = $"Unrecognized option or bad number of args for: '{args[end]}'";
                return Outcome.Error;
            }
            end += takesValue ? 2 : 1;
        }
        var parsed = definition.Root.Parse([.. args[..end], "--", .. args[end..]]);
        if (parsed.Errors.Count > 0)
        {
            message = string.Join(Environment.NewLine, parsed.Errors.Select(e => e.Message));
            return Outcome.Error;
        }
        if (parsed.GetValue(definition.ShowVersion))
        {
            message = $"coolcache-cli {Version}";
            return Outcome.Version;
        }

        var port = 6379;
        if (environment("COOLCACHE_PORT") is { Length: > 0 } portText && !int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port))
        {
            message = $"Invalid COOLCACHE_PORT: '{portText}'";
            return Outcome.Error;
        }
        if (parsed.GetResult(definition.Port) is { Implicit: false }) port = parsed.GetValue(definition.Port);
        if (port is < 0 or > 65535)
        {
            message = "Invalid server port.";
            return Outcome.Error;
        }
        var showPushes = stdoutIsTerminal;
        if (parsed.GetValue(definition.ShowPushes) is { } yn)
        {
            if (yn.StartsWith('n') || yn.StartsWith('N'))
                showPushes = false;
            else if (yn.StartsWith('y') || yn.StartsWith('Y'))
                showPushes = true;
            else
                message = $"Unknown --show-pushes value '{yn}' (valid: '[y]es', '[n]o')";
        }
        var resp3 = parsed.GetValue(definition.Resp3);
        options = new CliOptions
        {
            Host = parsed.GetValue(definition.Host) ?? (environment("COOLCACHE_HOST") is { Length: > 0 } host ? host : "127.0.0.1"),
            Port = port,
            Password = parsed.GetValue(definition.Pass),
            User = parsed.GetValue(definition.User),
            Db = parsed.GetValue(definition.Db),
            Resp3 = resp3,
            Resp3IfPossible = !resp3 && output == OutputMode.Json,
            Repeat = parsed.GetResult(definition.Repeat) is { Implicit: false } ? parsed.GetValue(definition.Repeat) : 1,
            Interval = parsed.GetValue(definition.Interval),
            Output = output,
            ShowPushes = showPushes,
            StdinLastArgument = parsed.GetValue(definition.StdinArg),
            NoAuthWarning = parsed.GetValue(definition.NoAuthWarning),
            Pipe = parsed.GetValue(definition.Pipe),
            PipeTimeoutSeconds = parsed.GetResult(definition.PipeTimeout) is { Implicit: false } ? parsed.GetValue(definition.PipeTimeout) : 30,
            Scan = parsed.GetValue(definition.Scan),
            Pattern = parsed.GetValue(definition.Pattern),
            BigKeys = parsed.GetValue(definition.BigKeys),
            Latency = parsed.GetValue(definition.Latency),
            Stat = parsed.GetValue(definition.Stat),
            Command = args[end..],
        };
        return Outcome.Run;
    }

    /// <summary>Prints System.CommandLine's help for the options.</summary>
    public static int PrintHelp() => new Definition().Root.Parse(["--help"]).Invoke();
}
