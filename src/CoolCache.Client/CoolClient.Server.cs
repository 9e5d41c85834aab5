// Server and connection commands (PING, ECHO, INFO, DBSIZE, FLUSHDB, CONFIG, CLIENT...).
namespace CoolCache.Client;

public sealed partial class CoolClient
{
    /// <summary>PING: the round-trip time.</summary>
    public async Task<TimeSpan> PingAsync(CancellationToken cancel = default)
    {
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        await Checked(["PING"], cancel).ConfigureAwait(false);
        return System.Diagnostics.Stopwatch.GetElapsedTime(start);
    }

    /// <summary>ECHO message.</summary>
    public Task<byte[]?> EchoAsync(RedisValue message, CancellationToken cancel = default) => Bytes(["ECHO", message], cancel);

    /// <summary>INFO [section]: the text.</summary>
    public async Task<string> InfoAsync(string? section = null, CancellationToken cancel = default) =>
        await String(section is null ? ["INFO"] : ["INFO", section], cancel).ConfigureAwait(false) ?? "";

    /// <summary>DBSIZE.</summary>
    public Task<long> DbSizeAsync(CancellationToken cancel = default) => Int(["DBSIZE"], cancel);

    /// <summary>FLUSHDB.</summary>
    public Task FlushDbAsync(CancellationToken cancel = default) => Ok(["FLUSHDB"], cancel);

    /// <summary>FLUSHALL.</summary>
    public Task FlushAllAsync(CancellationToken cancel = default) => Ok(["FLUSHALL"], cancel);

    /// <summary>TIME: the server's clock.</summary>
    public async Task<DateTimeOffset> TimeAsync(CancellationToken cancel = default)
    {
        var r = await Checked(["TIME"], cancel).ConfigureAwait(false);
        return DateTimeOffset.FromUnixTimeMilliseconds(r[0].AsInt64() * 1000 + r[1].AsInt64() / 1000);
    }

    /// <summary>CONFIG GET pattern: name/value pairs.</summary>
    public async Task<Dictionary<string, string>> ConfigGetAsync(string pattern, CancellationToken cancel = default) =>
        ToPairs(await Checked(["CONFIG", "GET", pattern], cancel).ConfigureAwait(false))
            .ToDictionary(p => Text(p.Key)!, p => Text(p.Value)!);

    /// <summary>CONFIG SET name value.</summary>
    public Task ConfigSetAsync(string name, RedisValue value, CancellationToken cancel = default) => Ok(["CONFIG", "SET", name, value], cancel);

    /// <summary>CLIENT ID of the shared connection.</summary>
    public Task<long> ClientIdAsync(CancellationToken cancel = default) => Int(["CLIENT", "ID"], cancel);

    /// <summary>CLIENT GETNAME.</summary>
    public Task<string?> ClientGetNameAsync(CancellationToken cancel = default) => String(["CLIENT", "GETNAME"], cancel);

    /// <summary>CLIENT KILL ID id: how many were closed.</summary>
    public Task<long> ClientKillAsync(long id, CancellationToken cancel = default) => Int(["CLIENT", "KILL", "ID", id], cancel);

    /// <summary>SAVE.</summary>
    public Task SaveAsync(CancellationToken cancel = default) => Ok(["SAVE"], cancel);

    /// <summary>LASTSAVE: unix seconds of the last save.</summary>
    public Task<long> LastSaveAsync(CancellationToken cancel = default) => Int(["LASTSAVE"], cancel);

    /// <summary>SWAPDB index1 index2.</summary>
    public Task SwapDbAsync(int index1, int index2, CancellationToken cancel = default) => Ok(["SWAPDB", index1, index2], cancel);
}
