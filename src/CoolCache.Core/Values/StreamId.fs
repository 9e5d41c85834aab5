/// Stream entry IDs (t_stream.c streamID): milliseconds and a sequence ordered as one 128-bit number,
/// their parsing (Redis's string2ull quirks), arithmetic and formatting.
namespace CoolCache.Core.Values

open System
open CoolCache.Core

/// A stream entry ID (streamID): milliseconds and a sequence, ordered as one 128-bit number.
[<Struct>]
type StreamId = { Ms: uint64; Seq: uint64 }

/// A parsed ID argument; SeqGiven is false for "<ms>-*" (XADD picks the sequence).
[<Struct>]
type ParsedId = { Id: StreamId; SeqGiven: bool }

module StreamId =
    let zero = { Ms = 0UL; Seq = 0UL }

    let max =
        {
            Ms = UInt64.MaxValue
            Seq = UInt64.MaxValue
        }

    /// streamCompareID: -1, 0 or 1.
    let inline compare (a: StreamId) (b: StreamId) =
        if a.Ms < b.Ms then -1
        elif a.Ms > b.Ms then 1
        elif a.Seq < b.Seq then -1
        elif a.Seq > b.Seq then 1
        else 0

    let inline isZero (a: StreamId) = a.Ms = 0UL && a.Seq = 0UL

    /// streamIncrID: the next ID; ValueNone past the last possible ID.
    let tryIncr (a: StreamId) =
        if a.Seq = UInt64.MaxValue then
            if a.Ms = UInt64.MaxValue then
                ValueNone
            else
                ValueSome { Ms = a.Ms + 1UL; Seq = 0UL }
        else
            ValueSome { a with Seq = a.Seq + 1UL }

    /// streamDecrID: the previous ID; ValueNone before 0-0.
    let tryDecr (a: StreamId) =
        if a.Seq = 0UL then
            if a.Ms = 0UL then
                ValueNone
            else
                ValueSome
                    {
                        Ms = a.Ms - 1UL
                        Seq = UInt64.MaxValue
                    }
        else
            ValueSome { a with Seq = a.Seq - 1UL }

    let private digits (v: uint64) =
        let mutable n = 1
        let mutable t = v / 10UL

        while t <> 0UL do
            n <- n + 1
            t <- t / 10UL

        n

    let private writeDigits (out: byte[]) (endExclusive: int) (v: uint64) =
        let mutable v = v
        let mutable i = endExclusive - 1
        out[i] <- byte (v % 10UL) + '0'B
        v <- v / 10UL

        while v <> 0UL do
            i <- i - 1
            out[i] <- byte (v % 10UL) + '0'B
            v <- v / 10UL

    /// "<ms>-<seq>".
    let toBytes (a: StreamId) : Bytes =
        let dm = digits a.Ms
        let ds = digits a.Seq
        let out = Array.zeroCreate (dm + 1 + ds)
        writeDigits out dm a.Ms
        out[dm] <- '-'B
        writeDigits out out.Length a.Seq
        out

    let toString (a: StreamId) = sprintf "%d-%d" a.Ms a.Seq

    let inline private isSpace (c: byte) = c = 32uy || (c >= 9uy && c <= 13uy)

    /// string2ull (util.c): string2ll when it reads the text (a negative value fails), otherwise
    /// strtoull's looser syntax: leading white space, a sign (a minus wraps around), leading zeros,
    /// at least one digit, no overflow, nothing after.
    let private tryParseU64 (s: ReadOnlySpan<byte>) : uint64 voption =
        let mutable ll = 0L

        if Numbers.tryParseInt64Span (s, &ll) then
            if ll < 0L then ValueNone else ValueSome(uint64 ll)
        else
            let mutable i = 0

            while i < s.Length && isSpace s[i] do
                i <- i + 1

            let mutable negative = false

            if i < s.Length && (s[i] = '+'B || s[i] = '-'B) then
                negative <- s[i] = '-'B
                i <- i + 1

            let start = i
            let mutable v = 0UL
            let mutable overflow = false

            while i < s.Length && s[i] >= '0'B && s[i] <= '9'B do
                let d = uint64 (s[i] - '0'B)

                if v > (UInt64.MaxValue - d) / 10UL then
                    overflow <- true
                else
                    v <- v * 10UL + d

                i <- i + 1

            if i = start || overflow || i <> s.Length then
                ValueNone
            else
                ValueSome(if negative then 0UL - v else v)

    /// streamGenericParseIDOrReply: "-" (0-0) and "+" (the last possible ID) unless strict,
    /// "<ms>-<seq>", "<ms>" (the sequence is missingSeq) and, when seqStar, "<ms>-*" (SeqGiven false).
    /// Redis reads the argument as a C string (up to a NUL) and refuses more than 127 bytes.
    let tryParse (b: Bytes) (missingSeq: uint64) (strict: bool) (seqStar: bool) : ParsedId voption =
        if b.Length > 127 then
            ValueNone
        else
            let n =
                match Array.IndexOf(b, 0uy) with
                | -1 -> b.Length
                | i -> i

            let s = ReadOnlySpan<byte>(b, 0, n)

            if n = 1 && (s[0] = '-'B || s[0] = '+'B) then
                if strict then
                    ValueNone
                elif s[0] = '-'B then
                    ValueSome { Id = zero; SeqGiven = true }
                else
                    ValueSome { Id = max; SeqGiven = true }
            else
                let dash = s.IndexOf '-'B

                if dash < 0 then
                    match tryParseU64 s with
                    | ValueSome ms ->
                        ValueSome
                            {
                                Id = { Ms = ms; Seq = missingSeq }
                                SeqGiven = true
                            }
                    | ValueNone -> ValueNone
                else
                    match tryParseU64 (s.Slice(0, dash)) with
                    | ValueNone -> ValueNone
                    | ValueSome ms ->
                        let rest = s.Slice(dash + 1)

                        if seqStar && rest.Length = 1 && rest[0] = '*'B then
                            ValueSome
                                {
                                    Id = { Ms = ms; Seq = 0UL }
                                    SeqGiven = false
                                }
                        else
                            match tryParseU64 rest with
                            | ValueSome seq ->
                                ValueSome
                                    {
                                        Id = { Ms = ms; Seq = seq }
                                        SeqGiven = true
                                    }
                            | ValueNone -> ValueNone
