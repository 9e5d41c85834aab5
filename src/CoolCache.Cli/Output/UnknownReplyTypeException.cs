using CoolCache.Cli.Protocol;

namespace CoolCache.Cli.Output;

/// <summary>
/// A reply redis-cli 7.0 cannot print (a RESP3 big number): it says "Unknown reply type: 13" and exits 1,
/// and so does coolcache-cli, at its one boundary for this exception (Program).
/// </summary>
public sealed class UnknownReplyTypeException(ReplyType type) : Exception($"Unknown reply type: {(int)type}");
