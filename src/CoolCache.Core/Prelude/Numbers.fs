/// Redis-exact number parsing and formatting, following Redis 7.0 (util.c, object.c, networking.c, t_string.c):
/// string2ll and ll2string for integers; string2d (strtod) and getDoubleFromObject for float arguments;
/// addReplyDouble's "%.17g" for double replies; string2ld (strtold), incrbyfloatCommand and
/// ld2string(LD_STR_HUMAN) for INCRBYFLOAT/HINCRBYFLOAT, emulating the x87 80-bit long double exactly.
/// Targets are Redis 7.0 on x86-64 glibc: Redis 7.2+ replies doubles in shortest form (fpconv_dtoa) instead of %.17g,
/// and on ARM64 long double is 128-bit quad, so INCRBYFLOAT digits past ~17 significant places differ there.
module CoolCache.Core.Numbers

open System
open System.Globalization
open System.Numerics

/// Result of INCRBYFLOAT arithmetic.
[<RequireQualifiedAccess>]
type FloatSum =
    | Sum of Bytes
    | NotFloat
    | NanOrInfinity

// ---------------------------------------------------------------------------------------------
// Integers (string2ll / ll2string)
// ---------------------------------------------------------------------------------------------

/// Redis string2ll over a span without allocating: optional '-', digits, no '+', no spaces, no leading zeros, within int64.
let tryParseInt64Span (s: ReadOnlySpan<byte>, result: outref<int64>) : bool =
    result <- 0L
    let len = s.Length

    if len = 0 then
        false
    elif len = 1 && s[0] = '0'B then
        true
    else
        let negative = s[0] = '-'B
        let mutable i = if negative then 1 else 0

        if i = len || s[i] < '1'B || s[i] > '9'B then
            false
        else
            let mutable v = uint64 (s[i] - '0'B)
            let mutable ok = true
            i <- i + 1

            while ok && i < len do
                let c = s[i]

                if c < '0'B || c > '9'B || v > UInt64.MaxValue / 10UL then
                    ok <- false
                else
                    let d = uint64 (c - '0'B)
                    v <- v * 10UL

                    if v > UInt64.MaxValue - d then
                        ok <- false
                    else
                        v <- v + d
                        i <- i + 1

            if not ok then
                false
            elif negative then
                if v > 9223372036854775808UL then
                    false
                else
                    result <- int64 (0UL - v)
                    true
            elif v > uint64 Int64.MaxValue then
                false
            else
                result <- int64 v
                true

/// Redis string2ll: optional '-', digits, no '+', no spaces, no leading zeros, within int64.
let tryParseInt64 (b: Bytes) : int64 voption =
    let mutable v = 0L

    if tryParseInt64Span (ReadOnlySpan<byte>(b), &v) then
        ValueSome v
    else
        ValueNone

/// Decimal text of an integer (Redis ll2string).
let formatInt64 (n: int64) : Bytes =
    let negative = n < 0L
    let mutable v = if negative then 0UL - uint64 n else uint64 n
    let mutable digits = 1
    let mutable t = v / 10UL

    while t <> 0UL do
        digits <- digits + 1
        t <- t / 10UL

    let len = if negative then digits + 1 else digits
    let out = Array.zeroCreate<byte> len
    let mutable i = len - 1

    while i >= len - digits do
        out[i] <- byte (v % 10UL) + '0'B
        v <- v / 10UL
        i <- i - 1

    if negative then
        out[0] <- '-'B

    out

// ---------------------------------------------------------------------------------------------
// strtod / strtold syntax
// ---------------------------------------------------------------------------------------------

/// Shape of a validated strtod literal (positions index the input span).
[<Struct; NoComparison; NoEquality>]
type private FloatSyntax =
    {
        Negative: bool
        /// 0 = decimal, 1 = hexadecimal, 2 = infinity
        Kind: int
        /// Start of the mantissa digits (after sign and any "0x").
        MantStart: int
        /// End (exclusive) of the mantissa (digits and at most one '.').
        MantEnd: int
        /// Exponent value (saturated at +-1e9); decimal for Kind 0, binary for Kind 1.
        Exponent: int64
        /// Whether any mantissa digit is non-zero (decides ERANGE underflow).
        NonZero: bool
    }

let inline private isDigit (c: byte) = c >= '0'B && c <= '9'B

let inline private hexValue (c: byte) =
    if c >= '0'B && c <= '9'B then int (c - '0'B)
    elif c >= 'a'B && c <= 'f'B then int (c - 'a'B) + 10
    elif c >= 'A'B && c <= 'F'B then int (c - 'A'B) + 10
    else -1

let inline private lower (c: byte) =
    if c >= 'A'B && c <= 'Z'B then c + 32uy else c

/// Case-insensitive comparison of s[start..] with an ASCII lower-case word over the whole rest of s.
let private restEquals (s: ReadOnlySpan<byte>) (start: int) (word: string) =
    if s.Length - start <> word.Length then
        false
    else
        let mutable ok = true
        let mutable i = 0

        while ok && i < word.Length do
            ok <- lower s[start + i] = byte word[i]
            i <- i + 1

        ok

/// Validates that the whole of s is one strtod literal with nothing before or after it (Redis rejects a
/// leading isspace and any unconsumed byte): [+-] then digits with an optional '.', an optional e[+-]digits;
/// or 0x/0X hex digits with an optional '.', an optional p[+-]digits; or inf/infinity (any case).
/// NaN forms are rejected because Redis rejects NaN results.
let private scanFloat (s: ReadOnlySpan<byte>) : FloatSyntax voption =
    let len = s.Length
    let mutable i = 0
    let negative = len > 0 && s[0] = '-'B

    if len > 0 && (s[0] = '-'B || s[0] = '+'B) then
        i <- 1

    if i < len && (s[i] = 'i'B || s[i] = 'I'B) then
        if restEquals s i "inf" || restEquals s i "infinity" then
            ValueSome
                {
                    Negative = negative
                    Kind = 2
                    MantStart = i
                    MantEnd = i
                    Exponent = 0L
                    NonZero = true
                }
        else
            ValueNone
    else
        let hex =
            i + 2 < len
            && s[i] = '0'B
            && (s[i + 1] = 'x'B || s[i + 1] = 'X'B)
            && (hexValue s[i + 2] >= 0
                || (s[i + 2] = '.'B && i + 3 < len && hexValue s[i + 3] >= 0))

        if hex then
            i <- i + 2

        let mantStart = i
        let mutable digits = 0
        let mutable dot = false
        let mutable nonZero = false
        let mutable go = true

        while go && i < len do
            let c = s[i]

            let v =
                if hex then
                    hexValue c
                else
                    (if isDigit c then int (c - '0'B) else -1)

            if v >= 0 then
                digits <- digits + 1
                nonZero <- nonZero || v <> 0
                i <- i + 1
            elif c = '.'B && not dot then
                dot <- true
                i <- i + 1
            else
                go <- false

        let mantEnd = i

        if digits = 0 then
            ValueNone
        else
            let mutable exponent = 0L
            let mutable ok = true

            if i < len && (if hex then lower s[i] = 'p'B else lower s[i] = 'e'B) then
                i <- i + 1
                let expNegative = i < len && s[i] = '-'B

                if i < len && (s[i] = '-'B || s[i] = '+'B) then
                    i <- i + 1

                if i = len || not (isDigit s[i]) then
                    ok <- false

                while ok && i < len && isDigit s[i] do
                    if exponent < 1_000_000_000L then
                        exponent <- exponent * 10L + int64 (s[i] - '0'B)

                    i <- i + 1

                if expNegative then
                    exponent <- -exponent

            if ok && i = len then
                ValueSome
                    {
                        Negative = negative
                        Kind = (if hex then 1 else 0)
                        MantStart = mantStart
                        MantEnd = mantEnd
                        Exponent = exponent
                        NonZero = nonZero
                    }
            else
                ValueNone

// ---------------------------------------------------------------------------------------------
// Exact conversion to a binary floating format (used for hex doubles and for long double)
// ---------------------------------------------------------------------------------------------

/// A correctly rounded binary value: Kind 0 = zero, 1 = finite M*2^E, 2 = overflow.
[<Struct; NoComparison; NoEquality>]
type private Binary = { Kind: int; M: BigInteger; E: int }

let private binZero = { Kind = 0; M = BigInteger.Zero; E = 0 }
let private binOverflow = { Kind = 2; M = BigInteger.Zero; E = 0 }

/// Rounds num/den (> 0) to nearest-even with p significant bits, lowest bit exponent at least eMin,
/// overflowing at 2^eMax: IEEE binary64 is (53, -1074, 1024); x87 extended is (64, -16445, 16384).
let private roundToBinary (num: BigInteger) (den: BigInteger) (p: int) (eMin: int) (eMax: int) : Binary =
    let l = int (num.GetBitLength()) - int (den.GetBitLength())
    let mutable e = max (eMin - 1) (l - p - 2)

    let mutable q, r =
        if e >= 0 then
            BigInteger.DivRem(num, den <<< e)
        else
            BigInteger.DivRem(num <<< -e, den)

    let mutable sticky = not r.IsZero
    let limit = BigInteger.One <<< (p + 1)

    while q >= limit do
        sticky <- sticky || not q.IsEven
        q <- q >>> 1
        e <- e + 1

    let half = not q.IsEven
    let mutable m = q >>> 1
    e <- e + 1

    if half && (sticky || not m.IsEven) then
        m <- m + BigInteger.One

    if m = (BigInteger.One <<< p) then
        m <- m >>> 1
        e <- e + 1

    if m.IsZero then binZero
    elif int (m.GetBitLength()) + e > eMax then binOverflow
    else { Kind = 1; M = m; E = e }

/// Exact value of a validated decimal or hex literal, rounded to the given binary format (sign ignored).
/// Hex mantissas keep 24 significant digits plus a sticky digit, which is exact for rounding to <= 64 bits.
let private convertExact (s: ReadOnlySpan<byte>) (syn: FloatSyntax) (p: int) (eMin: int) (eMax: int) : Binary =
    let hex = syn.Kind = 1
    let radix = if hex then 16UL else 10UL
    let chunkDigits = if hex then 15 else 18
    let keepDigits = if hex then 24 else Int32.MaxValue
    let mutable d = BigInteger.Zero
    let mutable chunk = 0UL
    let mutable chunkLen = 0
    let mutable chunkScale = 1UL
    let mutable kept = 0
    let mutable scale = 0L // value = d * radix^scale * (10^Exponent or 2^Exponent)
    let mutable inFrac = false
    let mutable sticky = false

    for i in syn.MantStart .. syn.MantEnd - 1 do
        let c = s[i]

        if c = '.'B then
            inFrac <- true
        else
            let v = if hex then hexValue c else int (c - '0'B)

            if kept = 0 && v = 0 then
                (if inFrac then
                     scale <- scale - 1L)
            elif kept < keepDigits then
                chunk <- chunk * radix + uint64 v
                chunkScale <- chunkScale * radix
                chunkLen <- chunkLen + 1
                kept <- kept + 1

                if chunkLen = chunkDigits then
                    d <- d * BigInteger(chunkScale) + BigInteger(chunk)
                    chunk <- 0UL
                    chunkLen <- 0
                    chunkScale <- 1UL

                if inFrac then
                    scale <- scale - 1L
            else
                sticky <- sticky || v <> 0

                if not inFrac then
                    scale <- scale + 1L

    d <- d * BigInteger(chunkScale) + BigInteger(chunk)

    if sticky then
        d <- d * BigInteger(radix) + BigInteger.One
        scale <- scale - 1L

    if d.IsZero then
        binZero
    elif hex then
        let b = 4L * scale + syn.Exponent
        let magnitude = int64 (d.GetBitLength()) + b

        if magnitude > 17000L then
            binOverflow
        elif magnitude < -17000L then
            binZero
        elif b >= 0L then
            roundToBinary (d <<< int b) BigInteger.One p eMin eMax
        else
            roundToBinary d (BigInteger.One <<< int -b) p eMin eMax
    else
        let e10 = scale + syn.Exponent
        let magnitude = int64 (d.ToString(CultureInfo.InvariantCulture).Length) + e10

        if magnitude > 5000L then
            binOverflow
        elif magnitude < -5000L then
            binZero
        elif e10 >= 0L then
            roundToBinary (d * BigInteger.Pow(BigInteger(10), int e10)) BigInteger.One p eMin eMax
        else
            roundToBinary d (BigInteger.Pow(BigInteger(10), int -e10)) p eMin eMax

// ---------------------------------------------------------------------------------------------
// Doubles (string2d / %.17g)
// ---------------------------------------------------------------------------------------------

/// Redis string2d over a span (strtod, whole input, no leading space, ERANGE overflow/underflow-to-zero and NaN rejected).
let tryParseDoubleSpan (s: ReadOnlySpan<byte>, result: outref<float>) : bool =
    result <- 0.0

    match scanFloat s with
    | ValueNone -> false
    | ValueSome syn ->
        match syn.Kind with
        | 2 ->
            result <-
                (if syn.Negative then
                     Double.NegativeInfinity
                 else
                     Double.PositiveInfinity)

            true
        | 0 ->
            let mutable v = 0.0

            if
                Double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, &v)
                && not (Double.IsInfinity v)
                && not (v = 0.0 && syn.NonZero)
            then
                result <- v
                true
            else
                false
        | _ ->
            let b = convertExact s syn 53 -1074 1024

            if b.Kind = 2 || (b.Kind = 0 && syn.NonZero) then
                false
            else
                let magnitude = if b.Kind = 0 then 0.0 else Math.ScaleB(float b.M, b.E)
                result <- (if syn.Negative then -magnitude else magnitude)
                true

/// Redis string2d/strtod as used for scores, timeouts and float arguments: no spaces, no NaN; inf accepted.
let tryParseDouble (b: Bytes) : float voption =
    let mutable v = 0.0

    if tryParseDoubleSpan (ReadOnlySpan<byte>(b), &v) then
        ValueSome v
    else
        ValueNone

/// C strtod over the whole input, as Redis's zslParseRange checks it (score range bounds): leading isspace
/// is skipped, overflow reads as +-inf and underflow as 0 (no ERANGE check), NaN is refused, and the empty
/// input reads as 0 (nothing converted, nothing left over). The caller cuts the input at its first NUL,
/// where a C string ends.
let tryParseStrtod (s: ReadOnlySpan<byte>, result: outref<float>) : bool =
    result <- 0.0

    if s.IsEmpty then
        true
    else
        let mutable start = 0

        while start < s.Length && (s[start] = ' 'B || (s[start] >= 9uy && s[start] <= 13uy)) do
            start <- start + 1

        let rest = s.Slice start

        match scanFloat rest with
        | ValueNone -> false
        | ValueSome syn ->
            let sign = if syn.Negative then -1.0 else 1.0

            match syn.Kind with
            | 2 -> result <- sign * Double.PositiveInfinity
            | 0 ->
                let mutable v = 0.0
                // .NET rounds correctly and, like strtod, gives +-infinity on overflow and 0 on underflow.
                Double.TryParse(rest, NumberStyles.Float, CultureInfo.InvariantCulture, &v)
                |> ignore

                result <- v
            | _ ->
                let b = convertExact rest syn 53 -1074 1024

                result <-
                    match b.Kind with
                    | 2 -> sign * Double.PositiveInfinity
                    | 0 -> sign * 0.0
                    | _ -> sign * Math.ScaleB(float b.M, b.E)

            true

/// %.17g as Redis 7.0 replies doubles ("inf", "-inf", "nan", "-0").
let formatDouble (d: float) : string =
    if Double.IsPositiveInfinity d then
        "inf"
    elif Double.IsNegativeInfinity d then
        "-inf"
    elif Double.IsNaN d then
        (if BitConverter.DoubleToInt64Bits d < 0L then
             "-nan"
         else
             "nan")
    elif d = 0.0 then
        (if BitConverter.DoubleToInt64Bits d < 0L then "-0" else "0")
    else
        // "E16" is exact (correctly rounded, ties to even like glibc): "-d.ddddddddddddddddE+ddd".
        let sci = d.ToString("E16", CultureInfo.InvariantCulture)
        let neg = sci[0] = '-'
        let m = if neg then 1 else 0
        let digits = String.Concat(sci.AsSpan(m, 1), sci.AsSpan(m + 2, 16))

        let x =
            Int32.Parse(sci.AsSpan(m + 19), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture)

        let mutable last = 16

        while last > 0 && digits[last] = '0' do
            last <- last - 1

        let sb = Text.StringBuilder(32)

        if neg then
            sb.Append('-') |> ignore

        if x < -4 || x >= 17 then
            sb.Append(digits[0]) |> ignore

            if last > 0 then
                sb.Append('.').Append(digits, 1, last) |> ignore

            sb.Append(if x < 0 then "e-" else "e+") |> ignore
            let ax = abs x

            if ax < 10 then
                sb.Append('0') |> ignore

            sb.Append(ax) |> ignore
        elif x >= 0 then
            sb.Append(digits, 0, x + 1) |> ignore

            if last > x then
                sb.Append('.').Append(digits, x + 1, last - x) |> ignore
        else
            sb.Append("0.").Append('0', -x - 1).Append(digits, 0, last + 1) |> ignore

        sb.ToString()

// ---------------------------------------------------------------------------------------------
// Long double (string2ld / ld2string LD_STR_HUMAN) for INCRBYFLOAT
// ---------------------------------------------------------------------------------------------

/// An x87 80-bit extended value: +-M*2^E (M < 2^64), or +-infinity.
[<Struct; NoComparison; NoEquality>]
type private LongDouble =
    {
        Neg: bool
        Inf: bool
        M: BigInteger
        E: int
    }

/// MAX_LONG_DOUBLE_CHARS in Redis: string2ld rejects inputs of this length or longer.
let private maxLongDoubleChars = 5 * 1024

/// Redis string2ld: strtold (64-bit mantissa, correctly rounded) with the same rejections as string2d.
let private tryParseLongDouble (s: ReadOnlySpan<byte>) : LongDouble voption =
    if s.Length = 0 || s.Length >= maxLongDoubleChars then
        ValueNone
    else
        match scanFloat s with
        | ValueNone -> ValueNone
        | ValueSome syn when syn.Kind = 2 ->
            ValueSome
                {
                    Neg = syn.Negative
                    Inf = true
                    M = BigInteger.Zero
                    E = 0
                }
        | ValueSome syn ->
            let b = convertExact s syn 64 -16445 16384

            if b.Kind = 2 || (b.Kind = 0 && syn.NonZero) then
                ValueNone
            else
                ValueSome
                    {
                        Neg = syn.Negative
                        Inf = false
                        M = b.M
                        E = b.E
                    }

/// snprintf "%.17Lf" (exact binary value, ties to even like glibc), then ld2string LD_STR_HUMAN's trimming
/// of trailing zeros and '.', and its "-0" -> "0" rewrite.
let private formatLongDoubleHuman (v: LongDouble) : Bytes =
    let scaled = v.M * BigInteger.Pow(BigInteger(10), 17)

    let fixed17 =
        if v.E >= 0 then
            scaled <<< v.E
        else
            let q = scaled >>> -v.E
            let r = scaled - (q <<< -v.E)
            let c = BigInteger.Compare(r <<< 1, BigInteger.One <<< -v.E)

            if c > 0 || (c = 0 && not q.IsEven) then
                q + BigInteger.One
            else
                q

    let digits = fixed17.ToString(CultureInfo.InvariantCulture).PadLeft(18, '0')
    let intPart = digits.Substring(0, digits.Length - 17)
    let frac = digits.Substring(digits.Length - 17).TrimEnd('0')
    let body = if frac.Length = 0 then intPart else intPart + "." + frac
    let text = if v.Neg && body <> "0" then "-" + body else body
    Text.Encoding.ASCII.GetBytes text

/// INCRBYFLOAT: current + increment as Redis computes and prints it (long double, %.17Lf, trailing zeros trimmed).
let incrByFloat (current: Bytes) (increment: Bytes) : FloatSum =
    match tryParseLongDouble (ReadOnlySpan<byte>(current)), tryParseLongDouble (ReadOnlySpan<byte>(increment)) with
    | ValueSome a, ValueSome b ->
        if a.Inf || b.Inf then
            FloatSum.NanOrInfinity
        else
            let e0 = min a.E b.E
            let sa = a.M <<< (a.E - e0)
            let sb = b.M <<< (b.E - e0)
            let sum = (if a.Neg then -sa else sa) + (if b.Neg then -sb else sb)

            if sum.IsZero then
                FloatSum.Sum [| '0'B |]
            else
                let magnitude = BigInteger.Abs sum

                let r =
                    if e0 >= 0 then
                        roundToBinary (magnitude <<< e0) BigInteger.One 64 -16445 16384
                    else
                        roundToBinary magnitude (BigInteger.One <<< -e0) 64 -16445 16384

                if r.Kind = 2 then
                    FloatSum.NanOrInfinity
                else
                    FloatSum.Sum(
                        formatLongDoubleHuman
                            {
                                Neg = sum.Sign < 0
                                Inf = false
                                M = r.M
                                E = r.E
                            }
                    )
    | _ -> FloatSum.NotFloat
