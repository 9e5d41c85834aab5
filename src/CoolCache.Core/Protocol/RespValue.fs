/// RESP2/RESP3 values (https://redis.io/docs/latest/develop/reference/protocol-spec/) and the outcomes
/// of reading a client command. Replies are built as RespValue; RespWriter renders them per protocol.
namespace CoolCache.Core.Protocol

open CoolCache.Core

[<RequireQualifiedAccess>]
type RespValue =
    /// +text
    | Simple of string
    /// -text (the whole text, prefix included: "ERR ...", "WRONGTYPE ...")
    | Error of string
    /// :n
    | Integer of int64
    /// $len payload
    | Bulk of Bytes
    /// RESP2 $-1, RESP3 _
    | Null
    /// RESP2 *-1, RESP3 _
    | NullArray
    /// *n
    | Array of RespValue[]
    /// RESP3 %n (RESP2: flat array of 2n)
    | Map of struct (RespValue * RespValue)[]
    /// RESP3 ~n (RESP2: array)
    | Set of RespValue[]
    /// RESP3 ,d (RESP2: bulk string, %.17g)
    | Double of float
    /// RESP3 #t/#f (RESP2: :1/:0)
    | Boolean of bool
    /// RESP3 (n (RESP2: bulk string)
    | BigNumber of string
    /// RESP3 =len fmt:payload (RESP2: bulk string of the payload)
    | Verbatim of format: string * payload: Bytes
    /// RESP3 >n (RESP2: array)
    | Push of RespValue[]

    /// +OK, one shared instance.
    static member Ok = SharedReplies.Ok
    static member ofString(s: string) = RespValue.Bulk(Bytes.ofString s)

and [<AbstractClass; Sealed>] private SharedReplies() =
    static member val Ok = RespValue.Simple "OK"

/// Why a client's input is not RESP. Texts are Redis's (networking.c); the connection is closed after.
[<RequireQualifiedAccess>]
type ProtocolError =
    | InvalidMultibulkLength
    | InvalidBulkLength
    | ExpectedDollar of got: byte
    | TooBigInlineRequest
    | TooBigMultibulkCount
    | TooBigBulkCount
    | UnbalancedQuotes
    | UnauthenticatedMultibulkLength
    | UnauthenticatedBulkLength

    member this.Text =
        match this with
        | InvalidMultibulkLength -> "Protocol error: invalid multibulk length"
        | InvalidBulkLength -> "Protocol error: invalid bulk length"
        | ExpectedDollar c -> sprintf "Protocol error: expected '$', got '%c'" (char c)
        | TooBigInlineRequest -> "Protocol error: too big inline request"
        | TooBigMultibulkCount -> "Protocol error: too big mbulk count string"
        | TooBigBulkCount -> "Protocol error: too big bulk count string"
        | UnbalancedQuotes -> "Protocol error: unbalanced quotes in request"
        | UnauthenticatedMultibulkLength -> "Protocol error: unauthenticated multibulk length"
        | UnauthenticatedBulkLength -> "Protocol error: unauthenticated bulk length"

/// Reading one client command from the front of a buffer.
type ReadStatus =
    /// A command: Argv holds it, Consumed bytes are used.
    | Command = 0
    /// Nothing to run but Consumed bytes are used (empty inline line, "*0\r\n", "*-1\r\n").
    | Skip = 1
    /// More bytes are needed; nothing is consumed.
    | Incomplete = 2
    /// Not RESP: Error says why; the connection is answered and closed.
    | Malformed = 3

[<Struct>]
type ReadResult =
    {
        Status: ReadStatus
        Consumed: int
        Argv: Bytes[]
        Error: ProtocolError
    }

/// Limits the reader enforces (Redis: proto-max-bulk-len, and the stricter unauthenticated limits).
[<Struct>]
type ReadLimits =
    {
        MaxBulkLength: int64
        AuthRequired: bool
    }
