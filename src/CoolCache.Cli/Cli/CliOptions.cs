using CoolCache.Cli.Output;

namespace CoolCache.Cli.Cli;

/// <summary>What coolcache-cli was asked to do, parsed and validated once (redis-cli's config struct).</summary>
public sealed record CliOptions
{
    public string Host { get; init; } = "127.0.0.1";
    public int Port { get; init; } = 6379;
    public string? Password { get; init; }
    public string? User { get; init; }
    public int Db { get; init; }

    /// <summary>-3: HELLO 3 at connect, and fail when the server refuses it.</summary>
    public bool Resp3 { get; init; }

    /// <summary>--json alone asks for RESP3 too, but carries on in RESP2 if the server refuses.</summary>
    public bool Resp3IfPossible { get; init; }

    /// <summary>-r: times to send the command; negative is forever.</summary>
    public long Repeat { get; init; } = 1;

    /// <summary>-i: seconds to wait after each repetition (and per cycle in --scan and --stat).</summary>
    public double Interval { get; init; }

    public OutputMode Output { get; init; } = OutputMode.Standard;

    /// <summary>Print RESP3 pushes that arrive outside SUBSCRIBE (default: when stdout is a terminal).</summary>
    public bool ShowPushes { get; init; }

    public bool StdinLastArgument { get; init; }
    public bool NoAuthWarning { get; init; }
    public bool Pipe { get; init; }
    public int PipeTimeoutSeconds { get; init; } = 30;
    public bool Scan { get; init; }
    public string? Pattern { get; init; }
    public bool BigKeys { get; init; }
    public bool Latency { get; init; }
    public bool Stat { get; init; }

    /// <summary>The command to run once; empty for the shell (or commands read from stdin).</summary>
    public IReadOnlyList<string> Command { get; init; } = [];
}
