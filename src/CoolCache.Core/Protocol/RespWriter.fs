/// RespValue -> bytes, written straight into an IBufferWriter (the reply hot path). RESP3 when the client
/// said HELLO 3, else RESP2 with Redis's downgrades (networking.c addReplyMapLen/addReplyDouble/addReplyBool/
/// addReplyNull...): maps become flat arrays, sets and pushes arrays, doubles and big numbers bulk strings,
/// booleans :1/:0, nulls $-1/*-1. Simple and error strings are written one byte per char, CR/LF as spaces.
module CoolCache.Core.Protocol.RespWriter

open System
open System.Buffers
open System.Buffers.Text
open CoolCache.Core

/// Longest "<prefix><int64>\r\n": 1 + 20 digits and sign + 2.
[<Literal>]
let private HeaderMax = 23

/// Payloads up to this size are written with their header in one span; larger ones are copied in chunks.
[<Literal>]
let private InlinePayloadMax = 16384

// Constant replies, allocated once.
let private okReply = "+OK\r\n"B
let private crlf = "\r\n"B
let private resp3Null = "_\r\n"B
let private nullBulk = "$-1\r\n"B
let private nullArray = "*-1\r\n"B
let private trueReply = "#t\r\n"B
let private falseReply = "#f\r\n"B
let private oneReply = ":1\r\n"B
let private zeroReply = ":0\r\n"B

/// Writes "<prefix><n>\r\n", the shape of integers and of every length header.
let writeHeader (prefix: byte) (n: int64) (output: IBufferWriter<byte>) : unit =
    let span = output.GetSpan HeaderMax
    span[0] <- prefix
    let mutable written = 0
    Utf8Formatter.TryFormat(n, span.Slice 1, &written) |> ignore
    span[written + 1] <- '\r'B
    span[written + 2] <- '\n'B
    output.Advance(written + 3)

/// Writes a literal byte sequence (a constant reply such as "+OK\r\n").
let writeRaw (bytes: ReadOnlySpan<byte>) (output: IBufferWriter<byte>) : unit =
    let mutable rest = bytes

    while not rest.IsEmpty do
        let span = output.GetSpan(min rest.Length InlinePayloadMax)
        let n = min span.Length rest.Length
        rest.Slice(0, n).CopyTo span
        output.Advance n
        rest <- rest.Slice n

/// Writes "<prefix><text>\r\n" for ASCII text: one byte per char (Latin-1; others as '?'), CR and LF as spaces.
let writeLine (prefix: byte) (text: string) (output: IBufferWriter<byte>) : unit =
    let span = output.GetSpan(text.Length + 3)
    span[0] <- prefix

    for i in 0 .. text.Length - 1 do
        let c = text[i]

        span[i + 1] <-
            if c = '\r' || c = '\n' then ' 'B
            elif c > '\u00ff' then '?'B
            else byte c

    span[text.Length + 1] <- '\r'B
    span[text.Length + 2] <- '\n'B
    output.Advance(text.Length + 3)

/// Writes a simple string "+text\r\n".
let writeSimple (text: string) (output: IBufferWriter<byte>) : unit = writeLine '+'B text output

/// Writes an error "-text\r\n" (text includes its code, e.g. "ERR syntax error").
let writeError (text: string) (output: IBufferWriter<byte>) : unit = writeLine '-'B text output

/// Writes "+OK\r\n".
let writeOk (output: IBufferWriter<byte>) : unit = writeRaw (ReadOnlySpan okReply) output

/// Writes an integer ":n\r\n".
let writeInteger (n: int64) (output: IBufferWriter<byte>) : unit = writeHeader ':'B n output

/// Writes a bulk string "$len\r\npayload\r\n".
let writeBulk (payload: ReadOnlySpan<byte>) (output: IBufferWriter<byte>) : unit =
    if payload.Length <= InlinePayloadMax then
        let span = output.GetSpan(HeaderMax + payload.Length + 2)
        span[0] <- '$'B
        let mutable written = 0
        Utf8Formatter.TryFormat(payload.Length, span.Slice 1, &written) |> ignore
        let start = written + 3
        span[start - 2] <- '\r'B
        span[start - 1] <- '\n'B
        payload.CopyTo(span.Slice start)
        span[start + payload.Length] <- '\r'B
        span[start + payload.Length + 1] <- '\n'B
        output.Advance(start + payload.Length + 2)
    else
        writeHeader '$'B payload.Length output
        writeRaw payload output
        writeRaw (ReadOnlySpan crlf) output

/// Writes a bulk string of ASCII text (one byte per char), e.g. a formatted number.
let writeBulkAscii (text: string) (output: IBufferWriter<byte>) : unit =
    writeHeader '$'B text.Length output
    let span = output.GetSpan(text.Length + 2)

    for i in 0 .. text.Length - 1 do
        span[i] <- byte text[i]

    span[text.Length] <- '\r'B
    span[text.Length + 1] <- '\n'B
    output.Advance(text.Length + 2)

/// Writes the null bulk string: RESP3 "_\r\n", RESP2 "$-1\r\n".
let writeNull (proto: int) (output: IBufferWriter<byte>) : unit =
    if proto = 3 then
        writeRaw (ReadOnlySpan resp3Null) output
    else
        writeRaw (ReadOnlySpan nullBulk) output

/// Writes the null array: RESP3 "_\r\n", RESP2 "*-1\r\n".
let writeNullArray (proto: int) (output: IBufferWriter<byte>) : unit =
    if proto = 3 then
        writeRaw (ReadOnlySpan resp3Null) output
    else
        writeRaw (ReadOnlySpan nullArray) output

/// Writes an array header "*n\r\n"; the n elements follow.
let writeArrayHeader (count: int) (output: IBufferWriter<byte>) : unit = writeHeader '*'B count output

/// Writes a map header of n pairs: RESP3 "%n\r\n", RESP2 "*2n\r\n"; 2n elements follow.
let writeMapHeader (proto: int) (pairs: int) (output: IBufferWriter<byte>) : unit =
    if proto = 3 then
        writeHeader '%'B pairs output
    else
        writeHeader '*'B (2L * int64 pairs) output

/// Writes a set header: RESP3 "~n\r\n", RESP2 "*n\r\n"; n elements follow.
let writeSetHeader (proto: int) (count: int) (output: IBufferWriter<byte>) : unit =
    writeHeader (if proto = 3 then '~'B else '*'B) count output

/// Writes a push header: RESP3 ">n\r\n", RESP2 "*n\r\n"; n elements follow.
let writePushHeader (proto: int) (count: int) (output: IBufferWriter<byte>) : unit =
    writeHeader (if proto = 3 then '>'B else '*'B) count output

/// Writes a double: RESP3 ",<%.17g>\r\n" (",inf"), RESP2 a bulk string of the same text.
let writeDouble (proto: int) (d: float) (output: IBufferWriter<byte>) : unit =
    let text = Numbers.formatDouble d

    if proto = 3 then
        writeLine ','B text output
    else
        writeBulkAscii text output

/// Writes a boolean: RESP3 "#t\r\n"/"#f\r\n", RESP2 ":1\r\n"/":0\r\n".
let writeBoolean (proto: int) (b: bool) (output: IBufferWriter<byte>) : unit =
    match proto = 3, b with
    | true, true -> writeRaw (ReadOnlySpan trueReply) output
    | true, false -> writeRaw (ReadOnlySpan falseReply) output
    | false, true -> writeRaw (ReadOnlySpan oneReply) output
    | false, false -> writeRaw (ReadOnlySpan zeroReply) output

/// Writes a big number: RESP3 "(digits\r\n", RESP2 a bulk string of the digits.
let writeBigNumber (proto: int) (digits: string) (output: IBufferWriter<byte>) : unit =
    if proto = 3 then
        writeLine '('B digits output
    else
        writeBulkAscii digits output

/// Writes a verbatim string: RESP3 "=len\r\nfmt:payload\r\n", RESP2 a bulk string of the payload.
let writeVerbatim (proto: int) (format: string) (payload: ReadOnlySpan<byte>) (output: IBufferWriter<byte>) : unit =
    if proto = 3 then
        writeHeader '='B (int64 (format.Length + 1 + payload.Length)) output
        let span = output.GetSpan(format.Length + 1)

        for i in 0 .. format.Length - 1 do
            span[i] <- byte format[i]

        span[format.Length] <- ':'B
        output.Advance(format.Length + 1)
        writeRaw payload output
        writeRaw (ReadOnlySpan crlf) output
    else
        writeBulk payload output

/// Writes a value in protocol 2 or 3 to a buffer writer (RESP2 downgrades RESP3-only types).
let rec write (proto: int) (v: RespValue) (output: IBufferWriter<byte>) : unit =
    match v with
    | RespValue.Simple s -> writeSimple s output
    | RespValue.Error s -> writeError s output
    | RespValue.Integer n -> writeInteger n output
    | RespValue.Bulk b -> writeBulk (ReadOnlySpan b) output
    | RespValue.Null -> writeNull proto output
    | RespValue.NullArray -> writeNullArray proto output
    | RespValue.Array xs ->
        writeArrayHeader xs.Length output

        for x in xs do
            write proto x output
    | RespValue.Map kvs ->
        writeMapHeader proto kvs.Length output

        for struct (k, x) in kvs do
            write proto k output
            write proto x output
    | RespValue.Set xs ->
        writeSetHeader proto xs.Length output

        for x in xs do
            write proto x output
    | RespValue.Push xs ->
        writePushHeader proto xs.Length output

        for x in xs do
            write proto x output
    | RespValue.Double d -> writeDouble proto d output
    | RespValue.Boolean b -> writeBoolean proto b output
    | RespValue.BigNumber s -> writeBigNumber proto s output
    | RespValue.Verbatim(format, payload) -> writeVerbatim proto format (ReadOnlySpan payload) output

/// The bytes of a value in protocol 2 or 3.
let toBytes (proto: int) (v: RespValue) : Bytes =
    let buffer = ArrayBufferWriter<byte>()
    write proto v buffer
    buffer.WrittenSpan.ToArray()
