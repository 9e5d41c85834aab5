/// The RESP grammar in FParsec: the specification of the protocol that RespReader implements fast.
/// Commands follow Redis 7 networking.c (processMultibulkBuffer, processInlineBuffer) and sds.c
/// (sdssplitargs) byte for byte; values follow the RESP2/RESP3 spec. The input is read one char per byte;
/// a parse that fails at the end of the input means more bytes are needed (Incomplete).
module CoolCache.Core.Protocol.RespParser

open System
open FParsec
open CoolCache.Core

/// One RESP2/RESP3 value from the front of a buffer (replies, for clients and tests).
[<RequireQualifiedAccess>]
type ValueParse =
    | Value of RespValue * consumed: int
    | Incomplete
    | Invalid of reason: string

// ---- The wire alphabet ----
// Every byte is one char: Latin-1, except CR and LF. FParsec's char parsers normalize "\r\n" and "\r" to
// '\n', which would lose bytes, so CR and LF are carried by two private-use chars that FParsec leaves alone.

/// The byte '\r' (13) on the wire.
let private CR = '\uE00D'

/// The byte '\n' (10) on the wire.
let private LF = '\uE00A'

/// Bytes -> wire chars, one per byte.
let private toWire (input: Bytes) : string =
    String.Create(
        input.Length,
        input,
        fun chars bytes ->
            for i in 0 .. bytes.Length - 1 do
                chars[i] <-
                    match bytes[i] with
                    | 13uy -> CR
                    | 10uy -> LF
                    | b -> char b
    )

/// Wire chars -> bytes, one per char.
let private ofWire (text: string) : Bytes =
    text.ToCharArray()
    |> Array.map (fun c ->
        if c = CR then 13uy
        elif c = LF then 10uy
        else byte c)

/// A printable form of wire text, for error messages.
let private display (text: string) =
    text.Replace(CR, '\r').Replace(LF, '\n')

// ---- Shared pieces ----

/// Bytes still unread from the current position to the end of the input.
let private remaining<'u> : Parser<int64, 'u> =
    fun stream -> Reply(stream.IndexOfLastCharPlus1 - stream.Index)

/// Waits for more input: goes to the end of the input and fails there (read as Incomplete).
let private needMore<'T, 'u> : Parser<'T, 'u> =
    skipManySatisfy (fun _ -> true) >>. fail "more input needed"

/// Exactly n occurrences of p, collected as they arrive (never an array sized by an untrusted count).
let private exactly (n: int) (p: Parser<'T, 'u>) : Parser<'T[], 'u> =
    fun stream ->
        let items = ResizeArray<'T>()
        let mutable failed = Reply<'T[]>()
        let mutable ok = true

        while ok && items.Count < n do
            let reply = p stream

            if reply.Status = ReplyStatus.Ok then
                items.Add reply.Result
            else
                failed <- Reply(reply.Status, reply.Error)
                ok <- false

        if ok then Reply(items.ToArray()) else failed

/// The position reached, as a byte count.
let private consumed<'u> : Parser<int, 'u> =
    getPosition |>> fun pos -> int pos.Index

/// Redis util.c string2ll: "0", or an optional '-', a digit 1-9 and more digits; under 21 chars; an int64.
let private redisInteger: Parser<int64, unit> =
    let digits =
        pipe2 (satisfy (fun c -> c >= '1' && c <= '9')) (manySatisfy isDigit) (fun d ds -> string d + ds)

    let number =
        pstring "0"
        <|> pipe2 (opt (pchar '-')) digits (fun sign ds -> if sign.IsSome then "-" + ds else ds)

    number .>> eof
    >>= fun text ->
        match
            Int64.TryParse(
                text,
                Globalization.NumberStyles.AllowLeadingSign,
                Globalization.CultureInfo.InvariantCulture
            )
        with
        | true, n when text.Length < 21 -> preturn n
        | _ -> fail "not a 64-bit integer"

/// string2ll over a whole text.
let private string2ll (text: string) : int64 voption =
    match run redisInteger text with
    | Success(n, _, _) -> ValueSome n
    | Failure _ -> ValueNone

// ---- Commands: Redis 7 networking.c ----

type private CommandParser<'T> = Parser<'T, ReadLimits>

/// Redis's PROTO_INLINE_MAX_SIZE (64KB): the most bytes pending without a line terminator.
let private inlineMaxSize = 64L * 1024L

/// Redis's limits while a client has not authenticated: arguments announced, and bytes per argument.
let private unauthenticatedMaxArgs, unauthenticatedMaxBulk = 10L, 16384L

/// Stops the parse with Redis's protocol error (a fatal failure carrying the error).
let private protocolError (error: ProtocolError) : CommandParser<'T> =
    fun _ -> Reply(FatalError, otherError (box error))

let private readResult status argv (consumed: int) : ReadResult =
    {
        Status = status
        Consumed = consumed
        Argv = argv
        Error = ProtocolError.InvalidBulkLength
    }

/// A multibulk header line: the bytes up to the first '\r', then that '\r' and one more byte, which Redis
/// skips without looking at it. No '\r' at all while more than 64KB are pending is the error tooBig.
let private headerLine (tooBig: ProtocolError) : CommandParser<string> =
    remaining
    >>= fun pending ->
        manySatisfy ((<>) CR) .>>. opt (skipChar CR)
        >>= function
            | text, Some() -> skipAnyChar >>% text
            | _, None when pending > inlineMaxSize -> protocolError tooBig
            | _, None -> needMore

/// len bytes of payload, then two more bytes that Redis skips without checking that they are "\r\n".
let private payload (len: int64) : CommandParser<Bytes> =
    remaining
    >>= fun available ->
        if available - 2L < len then
            needMore
        else
            anyString (int len) .>> skipAnyChar .>> skipAnyChar |>> ofWire

/// "$<len>\r\n<payload>\r\n": the header starts with '$' and holds a string2ll length in 0..proto-max-bulk-len
/// (at most 16384 while unauthenticated).
let private bulk: CommandParser<Bytes> =
    pipe2 (headerLine ProtocolError.TooBigBulkCount) getUserState (fun line limits -> line, limits)
    >>= fun (line, limits) ->
        if line.Length = 0 then
            // The header's first byte is the '\r' itself.
            protocolError (ProtocolError.ExpectedDollar 13uy)
        elif line[0] <> '$' then
            protocolError (ProtocolError.ExpectedDollar(byte line[0]))
        else
            match string2ll (line.Substring 1) with
            | ValueSome len when len >= 0L && len <= limits.MaxBulkLength ->
                if limits.AuthRequired && len > unauthenticatedMaxBulk then
                    protocolError ProtocolError.UnauthenticatedBulkLength
                else
                    payload len
            | _ -> protocolError ProtocolError.InvalidBulkLength

/// "*<count>\r\n" then count bulks. The count is a string2ll up to INT_MAX (10 while unauthenticated);
/// a count <= 0 is skipped.
let private multibulk: CommandParser<ReadResult> =
    pipe2 (headerLine ProtocolError.TooBigMultibulkCount) getUserState (fun line limits -> line, limits)
    >>= fun (line, limits) ->
        match string2ll (line.Substring 1) with
        | ValueNone -> protocolError ProtocolError.InvalidMultibulkLength
        | ValueSome n when n > int64 Int32.MaxValue -> protocolError ProtocolError.InvalidMultibulkLength
        | ValueSome n when limits.AuthRequired && n > unauthenticatedMaxArgs ->
            protocolError ProtocolError.UnauthenticatedMultibulkLength
        | ValueSome n when n <= 0L -> consumed |>> readResult ReadStatus.Skip null
        | ValueSome n ->
            exactly (int n) bulk
            >>= fun argv -> consumed |>> readResult ReadStatus.Command argv

// sdssplitargs: blanks (C isspace) separate arguments; an argument is plain bytes, possibly ending in a
// quoted part, which must be followed by a blank or the end of the line. Any failure: unbalanced quotes.

let private isSpace c =
    c = ' ' || c = '\t' || c = LF || c = CR || c = '\011' || c = '\012'

/// A plain byte: anything but a quote or the four bytes that end a plain argument (\v and \f do not).
let private isPlain c =
    not (c = ' ' || c = '\t' || c = LF || c = CR || c = '"' || c = '\'')

let private blanks: Parser<unit, unit> = skipManySatisfy isSpace

/// A closing quote must be followed by a blank or by the end of the line.
let private closing (quote: char) : Parser<unit, unit> =
    skipChar quote >>. notFollowedBy (satisfy (not << isSpace))

/// Inside "double quotes": \xHH (two hex digits), \n \r \t \b \a, or a backslash before any other char.
let private escape: Parser<char, unit> =
    let hexValue (c: char) = Convert.ToInt32(string c, 16)

    let hexByte =
        skipChar 'x' >>. pipe2 hex hex (fun h l -> char (hexValue h * 16 + hexValue l))

    let simple =
        anyChar
        |>> function
            | 'n' -> LF
            | 'r' -> CR
            | 't' -> '\t'
            | 'b' -> '\b'
            | 'a' -> '\a'
            | c -> c

    skipChar '\\' >>. (attempt hexByte <|> simple)

let private doubleQuoted: Parser<string, unit> =
    skipChar '"' >>. manyChars (escape <|> satisfy (fun c -> c <> '"' && c <> '\\'))
    .>> closing '"'

/// Inside 'single quotes' only \' is an escape.
let private singleQuoted: Parser<string, unit> =
    skipChar '\''
    >>. manyChars ((skipString "\\'" >>% '\'') <|> satisfy ((<>) '\''))
    .>> closing '\''

let private quoted = doubleQuoted <|> singleQuoted

let private argument: Parser<string, unit> =
    quoted
    <|> pipe2 (many1Satisfy isPlain) (opt quoted) (fun plain q -> plain + defaultArg q "")

let private splitArgs: Parser<string list, unit> =
    blanks >>. many (argument .>> blanks) .>> eof

/// A line up to the first '\n' (a '\r' before it is dropped), split by sdssplitargs; no '\n' while more than
/// 64KB are pending is too big; a blank line is skipped.
let private inlineCommand: CommandParser<ReadResult> =
    remaining
    >>= fun pending ->
        manySatisfy ((<>) LF) .>>. opt (skipChar LF)
        >>= function
            | line, Some() ->
                let line =
                    if line.EndsWith CR then
                        line.Substring(0, line.Length - 1)
                    else
                        line

                match run splitArgs line with
                | Success([], _, _) -> consumed |>> readResult ReadStatus.Skip null
                | Success(args, _, _) ->
                    let argv = args |> List.map ofWire |> Array.ofList
                    consumed |>> readResult ReadStatus.Command argv
                | Failure _ -> protocolError ProtocolError.UnbalancedQuotes
            | _, None when pending > inlineMaxSize -> protocolError ProtocolError.TooBigInlineRequest
            | _, None -> needMore

/// A client request: multibulk when the first byte is '*', else inline (Redis processInputBuffer).
let private command: CommandParser<ReadResult> =
    lookAhead anyChar
    >>= fun first -> if first = '*' then multibulk else inlineCommand

/// The data of type 'T a failed parse carries (protocolError, invalid), if any.
let private carried<'T> (error: ParserError) : 'T option =
    ErrorMessageList.ToSortedArray error.Messages
    |> Array.tryPick (function
        | :? ErrorMessage.Other as other ->
            match other.Data with
            | :? 'T as data -> Some data
            | _ -> None
        | _ -> None)

/// One client command from the front of a buffer: the specification of RespReader.read.
let parseCommand (limits: ReadLimits) (input: Bytes) : ReadResult =
    let outcome status error : ReadResult =
        {
            Status = status
            Consumed = 0
            Argv = null
            Error = error
        }

    match runParserOnString command limits "" (toWire input) with
    | Success(result, _, _) -> result
    | Failure(message, error, _) ->
        match carried<ProtocolError> error with
        | Some e -> outcome ReadStatus.Malformed e
        | None when error.Position.Index = int64 input.Length ->
            outcome ReadStatus.Incomplete ProtocolError.InvalidBulkLength
        | None -> failwithf "RespParser: the command grammar failed before the end of input: %s" message

// ---- Values: RESP2 and RESP3 (replies) ----

type private ValueParser<'T> = Parser<'T, unit>

/// Why a value is invalid, carried by the failure so that it is not mistaken for short input.
type private InvalidValue = InvalidValue of reason: string

/// Invalid input (not merely short), wherever it is noticed: a fatal failure carrying the reason.
let private invalid (reason: string) : ValueParser<'T> =
    fun _ -> Reply(FatalError, otherError (box (InvalidValue reason)))

let private crlf: ValueParser<unit> = skipChar CR >>. skipChar LF

/// The text of a line up to "\r\n" (the line may not contain '\r' or '\n').
let private line: ValueParser<string> =
    manySatisfy (fun c -> c <> CR && c <> LF) .>> crlf

/// A line that must convert: a bad text is invalid once its "\r\n" has arrived.
let private lineOf (what: string) (convert: string -> 'T voption) : ValueParser<'T> =
    line
    >>= fun text ->
        match convert text with
        | ValueSome v -> preturn v
        | ValueNone -> invalid (sprintf "invalid %s: %s" what (display text))

/// ":<n>" with an optional sign.
let private integerText (text: string) =
    let text = if text.StartsWith '+' then text.Substring 1 else text
    string2ll text

/// A length or count: -1 (null) or a non-negative integer that fits an int.
let private length: ValueParser<int> =
    lineOf "length" (fun text ->
        match string2ll text with
        | ValueSome n when n >= -1L && n <= int64 Int32.MaxValue -> ValueSome(int n)
        | _ -> ValueNone)

/// A RESP3 double: "inf", "-inf", "nan" or a decimal / exponent number.
let private doubleText (text: string) =
    match text with
    | "inf"
    | "+inf" -> ValueSome Double.PositiveInfinity
    | "-inf" -> ValueSome Double.NegativeInfinity
    | "nan" -> ValueSome Double.NaN
    | _ when text.Length > 0 && text |> Seq.forall (fun c -> isDigit c || "+-.eE".Contains c) ->
        match Double.TryParse(text, Globalization.NumberStyles.Float, Globalization.CultureInfo.InvariantCulture) with
        | true, d -> ValueSome d
        | _ -> ValueNone
    | _ -> ValueNone

/// A RESP3 big number: an optional '-' and digits.
let private bigNumberText (text: string) =
    let digits = if text.StartsWith '-' then text.Substring 1 else text

    if digits.Length > 0 && Seq.forall isDigit digits then
        ValueSome text
    else
        ValueNone

/// n bytes then "\r\n" (checked: replies are strict).
let private blob (n: int) : ValueParser<string> =
    remaining
    >>= fun available ->
        if available < int64 n + 2L then
            needMore
        else
            anyString n .>> (crlf <|> invalid "bulk payload not followed by \\r\\n")

let private value, valueRef = createParserForwardedToRef<RespValue, unit>()

/// n elements, after a count that may not be -1.
let private elements (count: int) : ValueParser<RespValue[]> =
    if count < 0 then
        invalid "negative aggregate count"
    else
        exactly count value

let private simpleString = skipChar '+' >>. line |>> RespValue.Simple
let private errorString = skipChar '-' >>. line |>> RespValue.Error

let private integerValue =
    skipChar ':' >>. lineOf "integer" integerText |>> RespValue.Integer

let private bulkString =
    skipChar '$' >>. length
    >>= fun n ->
        if n = -1 then
            preturn RespValue.Null
        else
            blob n |>> (ofWire >> RespValue.Bulk)

let private arrayValue =
    skipChar '*' >>. length
    >>= fun n ->
        if n = -1 then
            preturn RespValue.NullArray
        else
            elements n |>> RespValue.Array

let private nullValue = skipChar '_' >>. crlf >>% RespValue.Null

let private doubleValue =
    skipChar ',' >>. lineOf "double" doubleText |>> RespValue.Double

let private booleanValue =
    skipChar '#' >>. ((skipChar 't' >>% true) <|> (skipChar 'f' >>% false)) .>> crlf
    |>> RespValue.Boolean

let private bigNumberValue =
    skipChar '(' >>. lineOf "big number" bigNumberText |>> RespValue.BigNumber

/// "=<len>\r\n<3-char format>:<payload>\r\n".
let private verbatimValue =
    skipChar '=' >>. length
    >>= fun n ->
        if n < 4 then
            invalid "verbatim string shorter than its format"
        else
            blob n
            >>= fun text ->
                if text[3] <> ':' then
                    invalid "verbatim string without ':' after its format"
                else
                    preturn (RespValue.Verbatim(text.Substring(0, 3), ofWire (text.Substring 4)))

let private mapValue =
    skipChar '%' >>. length
    >>= fun n ->
        if n < 0 then
            invalid "negative map count"
        else
            exactly n (pipe2 value value (fun k v -> struct (k, v))) |>> RespValue.Map

let private setValue = skipChar '~' >>. length >>= elements |>> RespValue.Set
let private pushValue = skipChar '>' >>. length >>= elements |>> RespValue.Push

let private unknownType =
    anyChar
    >>= fun c -> invalid (sprintf "unknown RESP type byte '%s'" (display (string c)))

valueRef.Value <-
    choice
        [
            simpleString
            errorString
            integerValue
            bulkString
            arrayValue
            nullValue
            doubleValue
            booleanValue
            bigNumberValue
            verbatimValue
            mapValue
            setValue
            pushValue
            unknownType
        ]

/// One RESP2/RESP3 value from the front of a buffer: the value and the bytes it used, Incomplete, or Invalid.
let parseValue (input: Bytes) : ValueParse =
    match runParserOnString value () "" (toWire input) with
    | Success(v, _, pos) -> ValueParse.Value(v, int pos.Index)
    | Failure(message, error, _) ->
        match carried<InvalidValue> error with
        | Some(InvalidValue reason) -> ValueParse.Invalid reason
        | None when error.Position.Index = int64 input.Length -> ValueParse.Incomplete
        | None -> ValueParse.Invalid(display message)
