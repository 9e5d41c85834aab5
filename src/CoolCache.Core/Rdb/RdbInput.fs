/// The RDB byte cursor and its primitives (rdb.c rdbLoadLen, rdbGenericLoadStringObject, the double
/// encodings): bounds-checked reads that fail with the offset, shared by the value and stream readers.
module internal CoolCache.Core.Rdb.RdbInput

open System
open System.Buffers.Binary
open System.Text
open CoolCache.Core
open CoolCache.Core.Collections
open CoolCache.Core.Values
open CoolCache.Core.Rdb.RdbFormat

/// A refusal at an offset (caught by the readers' entry points).
exception Corrupt of offset: int64 * message: string

/// A cursor over the bytes with bounds checks.
[<Sealed>]
type Input(data: byte[], start: int, finish: int) =
    let mutable pos = start

    member _.Pos = pos
    member _.Remaining = finish - pos

    member _.Fail(message: string) : 'a = raise (Corrupt(int64 pos, message))

    member this.Need(n: int) =
        if n < 0 || finish - pos < n then
            this.Fail(sprintf "unexpected end of data (needed %d more bytes)" n)

    member this.Byte() =
        this.Need 1
        let b = data[pos]
        pos <- pos + 1
        b

    member this.Span(n: int) =
        this.Need n
        let s = ReadOnlySpan(data, pos, n)
        pos <- pos + n
        s

    member this.Take(n: int) = this.Span(n).ToArray()

/// rdbLoadLenByRef: the length, or the special encoding number with isEncoded.
let readLengthOrEncoding (i: Input) (isEncoded: byref<bool>) : int64 =
    let b = i.Byte()

    match b >>> 6 with
    | 0uy ->
        isEncoded <- false
        int64 (b &&& 0x3fuy)
    | 1uy ->
        isEncoded <- false
        (int64 (b &&& 0x3fuy) <<< 8) ||| int64 (i.Byte())
    | 2uy when b = 0x80uy ->
        isEncoded <- false
        int64 (BinaryPrimitives.ReadUInt32BigEndian(i.Span 4))
    | 2uy when b = 0x81uy ->
        isEncoded <- false
        BinaryPrimitives.ReadInt64BigEndian(i.Span 8)
    | 2uy -> i.Fail(sprintf "unknown length encoding %d" b)
    | _ ->
        isEncoded <- true
        int64 (b &&& 0x3fuy)

let readLength (i: Input) =
    let mutable enc = false
    let n = readLengthOrEncoding i &enc

    if enc then
        i.Fail "an encoded value where a length was expected"
    elif n < 0L then
        i.Fail "a negative length"
    else
        n

let readCount (i: Input) (what: string) =
    let n = readLength i
    // every element takes at least one byte: a count beyond the data left is corrupt
    if n > int64 i.Remaining then
        i.Fail(sprintf "%s count %d is larger than the data left" what n)

    int n

/// rdbGenericLoadStringObject: raw, integer-encoded or LZF.
let readString (i: Input) : Bytes =
    let mutable enc = false
    let n = readLengthOrEncoding i &enc

    if not enc then
        if n > int64 i.Remaining then
            i.Fail(sprintf "string length %d is larger than the data left" n)

        i.Take(int n)
    else
        match int n with
        | EncInt8 -> Numbers.formatInt64 (int64 (sbyte (i.Byte())))
        | EncInt16 -> Numbers.formatInt64 (int64 (BinaryPrimitives.ReadInt16LittleEndian(i.Span 2)))
        | EncInt32 -> Numbers.formatInt64 (int64 (BinaryPrimitives.ReadInt32LittleEndian(i.Span 4)))
        | EncLzf ->
            let clen = readLength i
            let len = readLength i

            if clen > int64 i.Remaining then
                i.Fail "compressed string longer than the data left"

            if len > 512L * 1024L * 1024L * 4L then
                i.Fail "uncompressed string too long"

            let at = i.Pos

            match Lzf.decompress (i.Span(int clen)) (int len) with
            | Some b -> b
            | None -> raise (Corrupt(int64 at, "invalid LZF compressed string"))
        | other -> i.Fail(sprintf "unknown string encoding %d" other)

/// A score written as text by RDB_TYPE_ZSET (253 nan, 254 +inf, 255 -inf, else a length and digits).
let readTextDouble (i: Input) =
    match i.Byte() with
    | 253uy -> Double.NaN
    | 254uy -> Double.PositiveInfinity
    | 255uy -> Double.NegativeInfinity
    | n ->
        let s = Encoding.ASCII.GetString(i.Span(int n))

        match Double.TryParse(s, Globalization.NumberStyles.Float, Globalization.CultureInfo.InvariantCulture) with
        | true, d -> d
        | _ -> i.Fail(sprintf "invalid score %s" s)

let readBinaryDouble (i: Input) =
    BinaryPrimitives.ReadDoubleLittleEndian(i.Span 8)

let nonEmpty (i: Input) (n: int) =
    if n = 0 then
        i.Fail "an empty collection"
