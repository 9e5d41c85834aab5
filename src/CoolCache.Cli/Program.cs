using System.Runtime.InteropServices;
using System.Text;
using CoolCache.Cli.Cli;
using CoolCache.Cli.Modes;
using CoolCache.Cli.Output;
using CoolCache.Cli.Session;
using CoolCache.Cli.Shell;

// coolcache-cli: parse the options, then run one mode, one command, or the shell (redis-cli main).
var outcome = CliCommandLine.Parse(args, Environment.GetEnvironmentVariable, !Console.IsOutputRedirected, out var options, out var message);
switch (outcome)
{
    case CliCommandLine.Outcome.Help:
        return CliCommandLine.PrintHelp();
    case CliCommandLine.Outcome.Version:
        Console.WriteLine(message);
        return 0;
    case CliCommandLine.Outcome.Error:
        Console.Error.WriteLine(message);
        return 1;
}
var printer = Printer.Console;
if (message.Length > 0) printer.Error(message + "\n");
if (options.Password is not null && !options.NoAuthWarning)
    printer.Error("Warning: Using a password with '-a' or '-u' option on the command line interface may not be safe.\n");

using var session = new CliSession(options, printer);
try
{
    if (options.Latency) return session.Connect() ? LatencyMode.Run(session) : 1;
    if (options.Pipe) return session.Connect() ? PipeMode.Run(session, Console.OpenStandardInput()) : 1;
    if (options.BigKeys) return session.Connect() ? BigKeysMode.Run(session) : 1;
    if (options.Stat) return session.Connect() ? StatMode.Run(session) : 1;
    if (options.Scan) return session.Connect() ? ScanMode.Run(session) : 1;

    if (options.Command.Count == 0)
    {
        // The shell: Ctrl-C ends SUBSCRIBE or MONITOR and goes back to the prompt; elsewhere it exits.
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
        {
            context.Cancel = true;
            if (session.IsStreaming)
                session.AbortStreaming();
            else
                Environment.Exit(1);
        });
        session.Interactive = true;
        session.Connect();
        return new Repl(session, terminal: !Console.IsInputRedirected, Environment.GetEnvironmentVariable).Run();
    }

    if (!session.Connect()) return 1;
    var argv = options.Command.Select(Encoding.UTF8.GetBytes).ToList();
    if (options.StdinLastArgument)
    {
        using var stdin = new MemoryStream();
        Console.OpenStandardInput().CopyTo(stdin);
        argv.Add(stdin.ToArray());
    }
    if (options.Command[0].Equals("help", StringComparison.OrdinalIgnoreCase) || options.Command[0] == "?")
    {
        var docs = session.Call("COMMAND", "DOCS");
        var help = docs.IsAggregate ? CommandHelp.FromDocs(docs) : new CommandHelp([]);
        help.Print(printer, options.Command.Skip(1).ToList());
        return 0;
    }
    return session.Issue(argv, options.Repeat) ? 0 : 1;
}
catch (UnknownReplyTypeException e)
{
    printer.Error(e.Message + "\n");
    return 1;
}
