/// Redis glob-style matching for KEYS, SCAN MATCH, CONFIG GET and PSUBSCRIBE: a byte-for-byte port of Redis 7.0
/// util.c stringmatchlen/stringmatchlen_impl, including the nesting limit (1000) and the skipLongerMatches cut
/// that keeps "a*a*a*...b" linear, with x86-64 signed-char range comparisons and ASCII-only tolower.
module CoolCache.Core.Glob

open System

/// Byte at i, or the C string terminator 0 past the end (Redis patterns are NUL-terminated sds strings).
let inline private at (s: ReadOnlySpan<byte>) (i: int) = if i < s.Length then s[i] else 0uy

/// C tolower in the "C" locale: ASCII letters only.
let inline private lower (c: int) =
    if c >= int 'A'B && c <= int 'Z'B then c + 32 else c

/// Byte equality, folding ASCII case when nocase (tolower on both sides).
let inline private same (nocase: bool) (a: byte) (b: byte) =
    if nocase then lower (int a) = lower (int b) else a = b

/// The char value as x86-64 C sees it (char is signed), as used in Redis's range comparisons.
let inline private signed (b: byte) = int (sbyte b)

/// Redis stringmatchlen_impl: pattern[p..] against text[t..], sharing skipLongerMatches across the recursion.
let rec private matchImpl
    (
        pattern: ReadOnlySpan<byte>,
        pStart: int,
        text: ReadOnlySpan<byte>,
        tStart: int,
        nocase: bool,
        skipLongerMatches: byref<bool>,
        nesting: int
    ) : bool =
    if nesting > 1000 then
        false
    else
        let mutable p = pStart
        let mutable t = tStart
        let mutable result = ValueNone

        while result.IsNone && p < pattern.Length && t < text.Length do
            match pattern[p] with
            | '*'B ->
                while p < pattern.Length && at pattern (p + 1) = '*'B do
                    p <- p + 1

                if pattern.Length - p = 1 then
                    result <- ValueSome true
                else
                    while result.IsNone && t < text.Length do
                        if matchImpl (pattern, p + 1, text, t, nocase, &skipLongerMatches, nesting + 1) then
                            result <- ValueSome true
                        elif skipLongerMatches then
                            result <- ValueSome false
                        else
                            t <- t + 1

                    if result.IsNone then
                        skipLongerMatches <- true
                        result <- ValueSome false
            | '?'B -> t <- t + 1
            | '['B ->
                p <- p + 1
                let negate = at pattern p = '^'B

                if negate then
                    p <- p + 1

                let mutable matched = false
                let mutable scanning = true
                let c = text[t]

                while scanning do
                    let remaining = pattern.Length - p
                    let pc = at pattern p

                    if pc = '\\'B && remaining >= 2 then
                        p <- p + 1

                        if pattern[p] = c then
                            matched <- true

                        p <- p + 1
                    elif pc = ']'B then
                        scanning <- false
                    elif remaining = 0 then
                        p <- p - 1
                        scanning <- false
                    elif remaining >= 3 && pattern[p + 1] = '-'B then
                        let mutable first = signed pc
                        let mutable last = signed pattern[p + 2]
                        let mutable ch = signed c

                        if first > last then
                            let swap = first
                            first <- last
                            last <- swap

                        if nocase then
                            first <- lower first
                            last <- lower last
                            ch <- lower ch

                        p <- p + 3

                        if ch >= first && ch <= last then
                            matched <- true
                    else
                        if same nocase pc c then
                            matched <- true

                        p <- p + 1

                if negate then
                    matched <- not matched

                if matched then t <- t + 1 else result <- ValueSome false
            | pc ->
                let literal =
                    if pc = '\\'B && pattern.Length - p >= 2 then
                        p <- p + 1
                        pattern[p]
                    else
                        pc

                if same nocase literal text[t] then
                    t <- t + 1
                else
                    result <- ValueSome false

            if result.IsNone then
                p <- p + 1

                // Text consumed: skip trailing stars; the loop then ends (Redis's break) since t = text.Length.
                if t = text.Length then
                    while at pattern p = '*'B do
                        p <- p + 1

        match result with
        | ValueSome r -> r
        | ValueNone -> p = pattern.Length && t = text.Length

/// Redis stringmatchlen over spans: true when text matches pattern; nocase folds ASCII case.
/// Like Redis, an empty text matches only an empty pattern (even "*" fails): callers special-case "*" as Redis's KEYS and SCAN do.
let isMatchSpan (pattern: ReadOnlySpan<byte>, text: ReadOnlySpan<byte>, nocase: bool) : bool =
    let mutable skipLongerMatches = false
    matchImpl (pattern, 0, text, 0, nocase, &skipLongerMatches, 0)

/// True when text matches pattern (Redis stringmatchlen; an empty text matches only an empty pattern); nocase folds ASCII case.
let isMatch (pattern: Bytes) (text: Bytes) (nocase: bool) : bool =
    isMatchSpan (ReadOnlySpan<byte>(pattern), ReadOnlySpan<byte>(text), nocase)

/// True when the pattern is exactly "*", which KEYS and SCAN treat as match-all without calling stringmatchlen.
let isMatchAll (pattern: Bytes) : bool = pattern.Length = 1 && pattern[0] = '*'B
