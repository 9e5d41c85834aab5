/// The socket-path command reader: Redis 7 networking.c processMultibulkBuffer / processInlineBuffer and
/// sds.c sdssplitargs, hand-written over a span. It must return exactly what RespParser.parseCommand (the
/// FParsec grammar, the specification) returns on every input. It allocates nothing but the argv array and
/// one byte[] per argument, and only once the whole command is in the buffer (a pass validates first).
module CoolCache.Core.Protocol.RespReader

open System
open CoolCache.Core

/// Redis's PROTO_INLINE_MAX_SIZE: longest inline request or header line without its terminator.
[<Literal>]
let InlineMaxSize = 65536

/// Most arguments an unauthenticated client may announce (Redis: "*" count above 10).
[<Literal>]
let UnauthenticatedMaxArgs = 10L

/// Largest bulk an unauthenticated client may announce (Redis: "$" length above 16384).
[<Literal>]
let UnauthenticatedMaxBulk = 16384L

let private incomplete =
    {
        Status = ReadStatus.Incomplete
        Consumed = 0
        Argv = null
        Error = ProtocolError.InvalidBulkLength
    }

let private malformed (error: ProtocolError) =
    {
        Status = ReadStatus.Malformed
        Consumed = 0
        Argv = null
        Error = error
    }

let private skip (consumed: int) =
    {
        Status = ReadStatus.Skip
        Consumed = consumed
        Argv = null
        Error = ProtocolError.InvalidBulkLength
    }

let private command (consumed: int) (argv: Bytes[]) =
    {
        Status = ReadStatus.Command
        Consumed = consumed
        Argv = argv
        Error = ProtocolError.InvalidBulkLength
    }

/// Redis util.c string2ll over a span (Numbers.tryParseInt64Span), as a value option.
let tryParseInt64 (s: ReadOnlySpan<byte>) : int64 voption =
    let mutable v = 0L

    if Numbers.tryParseInt64Span (s, &v) then
        ValueSome v
    else
        ValueNone

/// Outcome of checking one bulk at pos: the position after it (>= 0), or Incomplete / Malformed.
[<Struct>]
type private Step =
    | Next of next: int
    | NeedMore
    | Bad of error: ProtocolError

/// One bulk as Redis reads it: header up to the first '\r' plus one more byte (unchecked), '$', a valid
/// length, then length + 2 bytes (the trailing two are skipped, not checked); sets payloadStart when whole.
let inline private bulkAt (limits: ReadLimits) (buffer: ReadOnlySpan<byte>) (pos: int) (payloadStart: byref<int>) =
    let rest = buffer.Slice pos
    let cr = rest.IndexOf '\r'B

    if cr < 0 then
        if rest.Length > InlineMaxSize then
            Bad ProtocolError.TooBigBulkCount
        else
            NeedMore
    elif cr + 1 >= rest.Length then
        NeedMore
    elif rest[0] <> '$'B then
        Bad(ProtocolError.ExpectedDollar rest[0])
    else
        match tryParseInt64 (rest.Slice(1, cr - 1)) with
        | ValueSome len when len >= 0L && len <= limits.MaxBulkLength ->
            if limits.AuthRequired && len > UnauthenticatedMaxBulk then
                Bad ProtocolError.UnauthenticatedBulkLength
            elif int64 (rest.Length - (cr + 2)) - 2L < len then
                NeedMore
            else
                payloadStart <- pos + cr + 2
                Next(payloadStart + int len + 2)
        | _ -> Bad ProtocolError.InvalidBulkLength

let private readMultibulk (limits: ReadLimits) (buffer: ReadOnlySpan<byte>) : ReadResult =
    let cr = buffer.IndexOf '\r'B

    if cr < 0 then
        if buffer.Length > InlineMaxSize then
            malformed ProtocolError.TooBigMultibulkCount
        else
            incomplete
    elif cr + 1 >= buffer.Length then
        incomplete
    else
        match tryParseInt64 (buffer.Slice(1, cr - 1)) with
        | ValueNone -> malformed ProtocolError.InvalidMultibulkLength
        | ValueSome n when n > int64 Int32.MaxValue -> malformed ProtocolError.InvalidMultibulkLength
        | ValueSome n when limits.AuthRequired && n > UnauthenticatedMaxArgs ->
            malformed ProtocolError.UnauthenticatedMultibulkLength
        | ValueSome n when n <= 0L -> skip (cr + 2)
        | ValueSome n ->
            let count = int n
            let first = cr + 2
            // Pass 1: is the whole command there, and well-formed? Nothing is allocated.
            let mutable pos = first
            let mutable i = 0
            let mutable outcome = Next first
            let mutable payload = 0

            while i < count && outcome.IsNext do
                outcome <- bulkAt limits buffer pos &payload

                match outcome with
                | Next next -> pos <- next
                | _ -> ()

                i <- i + 1

            match outcome with
            | NeedMore -> incomplete
            | Bad error -> malformed error
            | Next _ ->
                // Pass 2: the count is now backed by bytes; copy the arguments out.
                let argv = Array.zeroCreate<Bytes> count
                pos <- first

                for j in 0 .. count - 1 do
                    match bulkAt limits buffer pos &payload with
                    | Next next ->
                        argv[j] <- buffer.Slice(payload, next - 2 - payload).ToArray()
                        pos <- next
                    | _ -> ()

                command pos argv

// ---- Inline: one line split by sdssplitargs ----

/// C isspace in the C locale: the blanks sdssplitargs skips between arguments and after a closing quote.
let inline private isSpace (c: byte) =
    c = ' 'B || c = '\t'B || c = '\n'B || c = '\r'B || c = 11uy || c = 12uy

/// The bytes that end an unquoted argument (sdssplitargs: space, \n, \r, \t; not \v or \f).
let inline private endsPlain (c: byte) =
    c = ' 'B || c = '\t'B || c = '\n'B || c = '\r'B

let inline private isHex (c: byte) =
    (c >= '0'B && c <= '9'B) || (c >= 'a'B && c <= 'f'B) || (c >= 'A'B && c <= 'F'B)

let inline private hexValue (c: byte) =
    if c <= '9'B then int (c - '0'B)
    elif c >= 'a'B then int (c - 'a'B) + 10
    else int (c - 'A'B) + 10

/// The byte of a backslash escape inside "double quotes" (anything else stands for itself).
let inline private unescape (c: byte) =
    match c with
    | 'n'B -> '\n'B
    | 'r'B -> '\r'B
    | 't'B -> '\t'B
    | 'b'B -> 8uy
    | 'a'B -> 7uy
    | c -> c

/// Scans one argument starting at a non-blank pos (sdssplitargs' token loop); writes its bytes to dest when
/// dest is long enough. Returns the position after the argument (-1: unbalanced quotes) and its length.
let private scanArg (line: ReadOnlySpan<byte>) (start: int) (dest: Span<byte>) : struct (int * int) =
    let write = not dest.IsEmpty
    let mutable pos = start
    let mutable len = 0
    let mutable mode = 0 // 0 plain, 1 "double", 2 'single'
    let mutable fin = false
    let mutable bad = false

    while not fin do
        if mode = 0 then
            if pos >= line.Length then
                fin <- true
            else
                let c = line[pos]
                pos <- pos + 1

                if endsPlain c then
                    fin <- true
                elif c = '"'B then
                    mode <- 1
                elif c = '\''B then
                    mode <- 2
                else
                    if write then
                        dest[len] <- c

                    len <- len + 1
        elif pos >= line.Length then
            bad <- true
            fin <- true
        else
            let c = line[pos]
            let quote = if mode = 1 then '"'B else '\''B

            if c = quote then
                // A closing quote must be followed by a blank or the end of the line.
                if pos + 1 < line.Length && not (isSpace line[pos + 1]) then
                    bad <- true

                pos <- pos + 1
                fin <- true
            elif
                mode = 1
                && c = '\\'B
                && pos + 3 < line.Length
                && line[pos + 1] = 'x'B
                && isHex line[pos + 2]
                && isHex line[pos + 3]
            then
                let b = (byte (hexValue line[pos + 2] * 16 + hexValue line[pos + 3]))

                if write then
                    dest[len] <- b

                len <- len + 1
                pos <- pos + 4
            elif mode = 1 && c = '\\'B && pos + 1 < line.Length then
                let b = (unescape line[pos + 1])

                if write then
                    dest[len] <- b

                len <- len + 1
                pos <- pos + 2
            elif mode = 2 && c = '\\'B && pos + 1 < line.Length && line[pos + 1] = '\''B then
                let b = '\''B

                if write then
                    dest[len] <- b

                len <- len + 1
                pos <- pos + 2
            else
                let b = c

                if write then
                    dest[len] <- b

                len <- len + 1
                pos <- pos + 1

    struct ((if bad then -1 else pos), len)

let inline private skipSpaces (line: ReadOnlySpan<byte>) (pos: int) =
    let mutable p = pos

    while p < line.Length && isSpace line[p] do
        p <- p + 1

    p

let private readInline (buffer: ReadOnlySpan<byte>) : ReadResult =
    let nl = buffer.IndexOf '\n'B

    if nl < 0 then
        if buffer.Length > InlineMaxSize then
            malformed ProtocolError.TooBigInlineRequest
        else
            incomplete
    else
        let lineEnd = if nl > 0 && buffer[nl - 1] = '\r'B then nl - 1 else nl
        let line = buffer.Slice(0, lineEnd)
        // Pass 1: count the arguments and check the quotes.
        let mutable count = 0
        let mutable pos = skipSpaces line 0

        while pos >= 0 && pos < line.Length do
            let struct (next, _) = scanArg line pos Span.Empty

            if next >= 0 then
                count <- count + 1
                pos <- skipSpaces line next
            else
                pos <- -1

        if pos < 0 then
            malformed ProtocolError.UnbalancedQuotes
        elif count = 0 then
            skip (nl + 1)
        else
            // Pass 2: measure each argument, allocate it, decode it.
            let argv = Array.zeroCreate<Bytes> count
            pos <- skipSpaces line 0

            for i in 0 .. count - 1 do
                let struct (next, len) = scanArg line pos Span.Empty
                let arg = Array.zeroCreate<byte> len

                if len > 0 then
                    scanArg line pos (Span arg) |> ignore

                argv[i] <- arg
                pos <- skipSpaces line next

            command (nl + 1) argv

/// Reads one command (multibulk when the first byte is '*', else inline) from the front of buffer.
let read (limits: ReadLimits, buffer: ReadOnlySpan<byte>) : ReadResult =
    if buffer.IsEmpty then incomplete
    elif buffer[0] = '*'B then readMultibulk limits buffer
    else readInline buffer
