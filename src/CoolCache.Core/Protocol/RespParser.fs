/// The RESP grammar in FParsec: the specification of the protocol that RespReader implements fast.
/// PLACEHOLDER: signatures are the contract.
module CoolCache.Core.Protocol.RespParser

open CoolCache.Core

/// One RESP2/RESP3 value from the front of a buffer (replies, for clients and tests).
[<RequireQualifiedAccess>]
type ValueParse =
    | Value of RespValue * consumed: int
    | Incomplete
    | Invalid of reason: string

let parseValue (input: Bytes) : ValueParse = ignore input; ValueParse.Invalid "not implemented"

/// One client command from the front of a buffer: the specification of RespReader.read.
let parseCommand (limits: ReadLimits) (input: Bytes) : ReadResult = RespReader.read (limits, System.ReadOnlySpan input)
