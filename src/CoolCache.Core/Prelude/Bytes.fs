/// Binary-safe byte strings: the one representation of keys and values. Ordinal equality, a fast
/// deterministic hash (stable across processes, so SCAN order is reproducible) and memcmp ordering.
namespace CoolCache.Core

open System
open System.Collections.Generic
open System.Runtime.InteropServices

type Bytes = byte[]

module Bytes =
    let empty: Bytes = [||]

    /// UTF-8 bytes of a .NET string (for literals and tests; the wire never goes through strings).
    let ofString (s: string) : Bytes = Text.Encoding.UTF8.GetBytes s

    /// Display form (UTF-8, lossy); for logs and error texts only.
    let toString (b: Bytes) : string = Text.Encoding.UTF8.GetString b

    /// Latin-1 view: one char per byte, lossless.
    let toLatin1 (b: Bytes) : string = Text.Encoding.Latin1.GetString b

    let ofLatin1 (s: string) : Bytes = Text.Encoding.Latin1.GetBytes s

    let inline equals (a: Bytes) (b: Bytes) =
        ReadOnlySpan<byte>(a).SequenceEqual(ReadOnlySpan<byte>(b))

    /// memcmp ordering, shorter first on a common prefix (Redis's sdscmp).
    let inline compare (a: Bytes) (b: Bytes) =
        ReadOnlySpan<byte>(a).SequenceCompareTo(ReadOnlySpan<byte>(b))

    let inline private mix (h: uint64) =
        let h = (h ^^^ (h >>> 30)) * 0xbf58476d1ce4e5b9UL
        let h = (h ^^^ (h >>> 27)) * 0x94d049bb133111ebUL
        h ^^^ (h >>> 31)

    /// Deterministic 64-bit hash (splitmix-style over 8-byte words). O(n).
    let hash64 (span: ReadOnlySpan<byte>) : uint64 =
        let mutable h = 0x9E3779B97F4A7C15UL ^^^ uint64 span.Length
        let words = MemoryMarshal.Cast<byte, uint64>(span)

        for i in 0 .. words.Length - 1 do
            h <- mix (h ^^^ words[i]) + 0x632BE59BD9B4E019UL

        let mutable tail = 0UL
        let start = words.Length * 8

        for i in start .. span.Length - 1 do
            tail <- (tail <<< 8) ||| uint64 span[i]

        mix (h ^^^ tail ^^^ (uint64 (span.Length - start) <<< 56))

    let inline hash (b: Bytes) : int =
        let h = hash64 (ReadOnlySpan<byte>(b))
        int (h ^^^ (h >>> 32))

    /// ASCII case-insensitive comparison against an upper-case ASCII token (command names, options).
    let equalsToken (b: Bytes) (upperToken: string) =
        if b.Length <> upperToken.Length then
            false
        else
            let mutable ok = true
            let mutable i = 0

            while ok && i < b.Length do
                let c = b[i]
                let c = if c >= 97uy && c <= 122uy then c - 32uy else c
                ok <- c = byte upperToken[i]
                i <- i + 1

            ok

    /// Lower-case ASCII string of a token (command names for lookup and messages).
    let toLowerAscii (b: Bytes) : string =
        String.Create(
            b.Length,
            b,
            fun span src ->
                for i in 0 .. src.Length - 1 do
                    let c = src[i]
                    span[i] <- char (if c >= 65uy && c <= 90uy then c + 32uy else c)
        )

/// The comparer every keyed collection uses for Bytes.
[<Sealed; AllowNullLiteral>]
type BytesComparer() =
    static member val Instance = BytesComparer()

    interface IEqualityComparer<Bytes> with
        member _.Equals(a, b) = Bytes.equals a b
        member _.GetHashCode b = Bytes.hash b

    interface IComparer<Bytes> with
        member _.Compare(a, b) = Bytes.compare a b
