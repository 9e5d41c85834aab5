// Where and how CoolClient connects.
namespace CoolCache.Client;

/// <summary>Connection settings for <see cref="CoolClient"/> and <see cref="CoolSubscriber"/>.</summary>
public sealed record CoolClientOptions
{
    /// <summary>Host name or address (default 127.0.0.1).</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>TCP port (default 6379).</summary>
    public int Port { get; init; } = 6379;

    /// <summary>The password for AUTH (or HELLO ... AUTH), or null for none.</summary>
    public string? Password { get; init; }

    /// <summary>The ACL user name; null means <c>default</c>.</summary>
    public string? User { get; init; }

    /// <summary>The database to SELECT on connect (default 0).</summary>
    public int Database { get; init; }

    /// <summary>2 (RESP2, no HELLO) or 3 (HELLO 3 on connect).</summary>
    public int Protocol { get; init; } = 2;

    /// <summary>Set with CLIENT SETNAME on connect, when not null.</summary>
    public string? ClientName { get; init; }

    /// <summary>How long a request may wait for its reply (including any wait for a reconnect);
    /// <see cref="Timeout.InfiniteTimeSpan"/> for no limit. Default 5 seconds.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long connecting (and the handshake) may take. Default 5 seconds.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Reconnect when the connection is lost (default true).</summary>
    public bool Reconnect { get; init; } = true;

    /// <summary>The first reconnect delay; doubled after each failed attempt up to <see cref="MaxReconnectDelay"/>.</summary>
    public TimeSpan ReconnectDelay { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>The longest delay between reconnect attempts.</summary>
    public TimeSpan MaxReconnectDelay { get; init; } = TimeSpan.FromSeconds(2);
}
