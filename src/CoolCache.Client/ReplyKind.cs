// The RESP2/RESP3 reply types (https://github.com/redis/redis-specifications/blob/master/protocol/RESP3.md).
namespace CoolCache.Client;

/// <summary>The type of a reply, one per RESP2/RESP3 type byte.</summary>
public enum ReplyKind
{
    /// <summary><c>+OK</c></summary>
    SimpleString,
    /// <summary><c>-ERR ...</c> (and RESP3 blob errors, <c>!</c>)</summary>
    Error,
    /// <summary><c>:1</c></summary>
    Integer,
    /// <summary><c>$3\r\nabc</c></summary>
    BulkString,
    /// <summary>RESP2 <c>$-1</c>/<c>*-1</c> or RESP3 <c>_</c></summary>
    Null,
    /// <summary><c>*2 ...</c></summary>
    Array,
    /// <summary>RESP3 <c>%</c>: items hold keys and values alternately.</summary>
    Map,
    /// <summary>RESP3 <c>~</c></summary>
    Set,
    /// <summary>RESP3 <c>,</c></summary>
    Double,
    /// <summary>RESP3 <c>#t</c>/<c>#f</c></summary>
    Boolean,
    /// <summary>RESP3 <c>(</c>; the digits are kept as text.</summary>
    BigNumber,
    /// <summary>RESP3 <c>=</c>: the bytes exclude the three-letter format and its colon.</summary>
    VerbatimString,
    /// <summary>RESP3 <c>&gt;</c>: an out-of-band message (pub/sub).</summary>
    Push,
}
