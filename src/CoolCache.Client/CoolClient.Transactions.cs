// Transactions on the shared connection (MULTI ... EXEC written as one unit).
namespace CoolCache.Client;

public sealed partial class CoolClient
{
    /// <summary>A new transaction whose commands run atomically with MULTI/EXEC on this client's connection.</summary>
    public CoolTransaction CreateTransaction() => new(this);
}
