namespace CoolCache.Cli.Protocol;

/// <summary>
/// A connection that can no longer be used, with hiredis's wording of why ("Server closed the connection",
/// "Connection reset by peer", a protocol error), which redis-cli prints as "Error: ...".
/// </summary>
public sealed class ConnectionException(string message, bool lost) : Exception(message)
{
    /// <summary>The server went away (end of stream or reset): the shell reconnects at its next command.</summary>
    public bool Lost { get; } = lost;
}
