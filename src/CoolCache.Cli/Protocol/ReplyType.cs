namespace CoolCache.Cli.Protocol;

/// <summary>
/// The kinds of reply a server sends (RESP2 and RESP3). The numbers are hiredis's REDIS_REPLY_* codes,
/// which redis-cli prints in "Unknown reply type: N".
/// </summary>
public enum ReplyType
{
    String = 1,
    Array = 2,
    Integer = 3,
    Nil = 4,
    Status = 5,
    Error = 6,
    Double = 7,
    Bool = 8,
    Map = 9,
    Set = 10,
    Attribute = 11,
    Push = 12,
    BigNumber = 13,
    Verbatim = 14,
}
