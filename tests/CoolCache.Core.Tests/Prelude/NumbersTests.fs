module CoolCache.Core.Tests.Prelude.NumbersTests

open System
open System.Globalization
open System.Numerics
open Expecto
open FsCheck
open FsCheck.FSharp
open CoolCache.Core
open CoolCache.Core.Numbers

let private b (s: string) = Bytes.ofLatin1 s
let private ci = CultureInfo.InvariantCulture

let private parseInt (s: string) = tryParseInt64 (Bytes.ofString s)
let private parseDouble (s: string) = tryParseDouble (Bytes.ofString s)

let private incr (current: string) (increment: string) =
    match incrByFloat (b current) (b increment) with
    | FloatSum.Sum v -> Bytes.toLatin1 v
    | FloatSum.NotFloat -> "ERR value is not a valid float"
    | FloatSum.NanOrInfinity -> "ERR increment would produce NaN or Infinity"

let private config =
    { FsCheckConfig.defaultConfig with
        maxTest = 2000
    }

// ---- reference models ----------------------------------------------------------------------

/// string2ll written plainly: "0", or an optional '-' then a non-zero digit and more digits, within int64.
let private referenceParseInt (s: string) : int64 voption =
    let body = if s.StartsWith "-" then s.Substring 1 else s
    let digitsOnly = body.Length > 0 && body |> Seq.forall Char.IsAsciiDigit

    if s = "0" then
        ValueSome 0L
    elif not digitsOnly || body[0] = '0' then
        ValueNone
    else
        let v = BigInteger.Parse(s, ci)

        if v >= BigInteger(Int64.MinValue) && v <= BigInteger(Int64.MaxValue) then
            ValueSome(int64 v)
        else
            ValueNone

/// %.17g written plainly with exact big-integer arithmetic (ties to even, as glibc rounds).
let private referenceG17 (d: float) : string =
    if d = 0.0 then
        (if 1.0 / d < 0.0 then "-0" else "0")
    else
        let bits = BitConverter.DoubleToInt64Bits d
        let rawExp = int ((bits >>> 52) &&& 0x7FFL)
        let frac = bits &&& 0xFFFFFFFFFFFFFL

        let m, e =
            if rawExp = 0 then
                frac, -1074
            else
                (frac ||| (1L <<< 52)), rawExp - 1075
        // |d| = num / den exactly
        let num, den =
            if e >= 0 then
                BigInteger(m) <<< e, BigInteger.One
            else
                BigInteger(m), BigInteger.One <<< -e

        let pow10 (k: int) = BigInteger.Pow(BigInteger(10), k)
        // x = floor(log10 |d|)
        let mutable x = int (Math.Floor(Math.Log10(abs d)))

        while num * (if x < 0 then pow10 -x else BigInteger.One) < den * (if x > 0 then pow10 x else BigInteger.One) do
            x <- x - 1

        while num * (if x + 1 < 0 then pow10 (-(x + 1)) else BigInteger.One)
              >= den * (if x + 1 > 0 then pow10 (x + 1) else BigInteger.One) do
            x <- x + 1

        // digits = round(|d| * 10^(16 - x)), half to even
        let shift = 16 - x

        let n2, d2 =
            if shift >= 0 then
                num * pow10 shift, den
            else
                num, den * pow10 -shift

        let q, r = BigInteger.DivRem(n2, d2)
        let c = BigInteger.Compare(r * BigInteger(2), d2)

        let mutable digits =
            if c > 0 || (c = 0 && not q.IsEven) then
                q + BigInteger.One
            else
                q

        if digits = pow10 17 then
            digits <- pow10 16
            x <- x + 1

        let ds = digits.ToString(ci)
        let sign = if d < 0.0 then "-" else ""

        if x < -4 || x >= 17 then
            let mant = (ds.Substring(0, 1) + "." + ds.Substring 1).TrimEnd('0').TrimEnd('.')
            sprintf "%s%se%s%02d" sign mant (if x < 0 then "-" else "+") (abs x)
        else
            let whole, fraction =
                if x >= 0 then
                    ds.Substring(0, x + 1), ds.Substring(x + 1)
                else
                    "0", String('0', -x - 1) + ds

            let fraction = fraction.TrimEnd('0')
            sign + (if fraction = "" then whole else whole + "." + fraction)

// ---- generators --------------------------------------------------------------------------------

let private anyInt64 =
    Gen.oneof
        [
            Gen.map2
                (fun (hi: int) (lo: int) -> (int64 hi <<< 32) ||| int64 (uint32 lo))
                (Gen.choose (Int32.MinValue, Int32.MaxValue))
                (Gen.choose (Int32.MinValue, Int32.MaxValue))
            Gen.elements
                [
                    0L
                    1L
                    -1L
                    9L
                    10L
                    Int64.MaxValue
                    Int64.MinValue
                    Int64.MaxValue - 1L
                    Int64.MinValue + 1L
                ]
            Gen.choose (-1000, 1000) |> Gen.map int64
        ]
    |> Arb.fromGen

let private intLikeStrings =
    Gen.elements [ '0'; '1'; '9'; '5'; '-'; '+'; ' '; '0'; '2' ]
    |> Gen.arrayOf
    |> Gen.map String
    |> Gen.resize 22
    |> Arb.fromGen

let private anyDouble =
    Gen.oneof
        [
            Gen.map2
                (fun (hi: int) (lo: int) -> BitConverter.Int64BitsToDouble((int64 hi <<< 32) ||| int64 (uint32 lo)))
                (Gen.choose (Int32.MinValue, Int32.MaxValue))
                (Gen.choose (Int32.MinValue, Int32.MaxValue))
            Gen.map2
                (fun (m: int) (e: int) -> Math.ScaleB(float m, e))
                (Gen.choose (-100000, 100000))
                (Gen.choose (-1100, 1000))
            Gen.map2
                (fun (m: int) (e: int) -> float m * Math.Pow(10.0, float e))
                (Gen.choose (-100000, 100000))
                (Gen.choose (-30, 30))
        ]
    |> Gen.filter (fun d -> not (Double.IsNaN d || Double.IsInfinity d))
    |> Arb.fromGen

/// The exact hexadecimal form of a finite double, "-0x1.8p+3" style (subnormals as 0x0.xxxp-1022).
let private hexForm (d: float) =
    let bits = BitConverter.DoubleToInt64Bits d
    let rawExp = int ((bits >>> 52) &&& 0x7FFL)
    let frac = bits &&& 0xFFFFFFFFFFFFFL
    let sign = if bits < 0L then "-" else ""

    if rawExp = 0 then
        sprintf "%s0x0.%013xp-1022" sign frac
    else
        sprintf "%s0x1.%013xp%+d" sign frac (rawExp - 1023)

// ---- tests -----------------------------------------------------------------------------------------

let private int64Tests =
    testList
        "string2ll"
        [
            test "string2ll accepts zero" { Expect.equal (parseInt "0") (ValueSome 0L) "0" }
            test "string2ll rejects a leading plus" { Expect.equal (parseInt "+1") ValueNone "+1" }
            test "string2ll rejects a leading space" { Expect.equal (parseInt " 1") ValueNone "' 1'" }
            test "string2ll rejects a trailing space" { Expect.equal (parseInt "1 ") ValueNone "'1 '" }
            test "string2ll rejects leading zeros" {
                Expect.equal (parseInt "01") ValueNone "01"
                Expect.equal (parseInt "00") ValueNone "00"
            }
            test "string2ll rejects negative zero" { Expect.equal (parseInt "-0") ValueNone "-0" }
            test "string2ll rejects the empty string and a lone minus" {
                Expect.equal (parseInt "") ValueNone "empty"
                Expect.equal (parseInt "-") ValueNone "-"
            }
            test "string2ll accepts the whole int64 range" {
                Expect.equal (parseInt "9223372036854775807") (ValueSome Int64.MaxValue) "max"
                Expect.equal (parseInt "-9223372036854775808") (ValueSome Int64.MinValue) "min"
            }
            test "string2ll rejects overflow by one" {
                Expect.equal (parseInt "9223372036854775808") ValueNone "max+1"
                Expect.equal (parseInt "-9223372036854775809") ValueNone "min-1"
                Expect.equal (parseInt "18446744073709551616") ValueNone "2^64"
                Expect.equal (parseInt "99999999999999999999999") ValueNone "huge"
            }
            test "string2ll rejects a decimal point and a NUL byte" {
                Expect.equal (parseInt "1.0") ValueNone "1.0"
                Expect.equal (parseInt "1\0") ValueNone "NUL"
            }
            test "the span overload parses without a byte array" {
                let mutable v = 0L
                let ok = tryParseInt64Span (ReadOnlySpan<byte>("-42"B), &v)
                Expect.isTrue ok "parsed"
                Expect.equal v -42L "value"
            }
            test "ll2string prints the extremes" {
                Expect.equal (Bytes.toLatin1 (formatInt64 Int64.MinValue)) "-9223372036854775808" "min"
                Expect.equal (Bytes.toLatin1 (formatInt64 0L)) "0" "zero"
                Expect.equal (Bytes.toLatin1 (formatInt64 -7L)) "-7" "-7"
            }
            testPropertyWithConfig config "formatInt64 round-trips through tryParseInt64 on all int64"
            <| Prop.forAll anyInt64 (fun n -> tryParseInt64 (formatInt64 n) = ValueSome n)
            testPropertyWithConfig config "formatInt64 agrees with Int64.ToString"
            <| Prop.forAll anyInt64 (fun n -> Bytes.toLatin1 (formatInt64 n) = n.ToString(ci))
            testPropertyWithConfig
                config
                "tryParseInt64 agrees with the plain reference on strings of digits, signs and spaces"
            <| Prop.forAll intLikeStrings (fun s -> parseInt s = referenceParseInt s)
        ]

let private doubleParseTests =
    let accepts (input: string) (expected: float) =
        match parseDouble input with
        | ValueSome v ->
            Expect.equal
                (BitConverter.DoubleToInt64Bits v)
                (BitConverter.DoubleToInt64Bits expected)
                $"value of '{input}'"
        | ValueNone -> failtest $"'{input}' should parse"

    let rejects (input: string) =
        Expect.equal (parseDouble input) ValueNone $"'{input}' should be rejected"

    testList
        "string2d"
        [
            test "strtod accepts a leading plus and minus" {
                accepts "+5" 5.0
                accepts "-5" -5.0
            }
            test "strtod accepts a bare trailing or leading decimal point" {
                accepts "1." 1.0
                accepts ".5" 0.5
                accepts "-.5e-3" -0.0005
            }
            test "strtod accepts exponents in either case with signs" {
                accepts "1e+2" 100.0
                accepts "1E-2" 0.01
                accepts "5.0e3" 5000.0
            }
            test "strtod accepts inf and infinity in any case" {
                accepts "inf" Double.PositiveInfinity
                accepts "-Infinity" Double.NegativeInfinity
                accepts "+INF" Double.PositiveInfinity
            }
            test "strtod accepts hexadecimal floats" {
                accepts "0x1p3" 8.0
                accepts "0X1.8P1" 3.0
                accepts "0x.8" 0.5
                accepts "-0x10" -16.0
                accepts "0x1p-1074" Double.Epsilon
            }
            test "strtod keeps negative zero" { accepts "-0" -0.0 }
            test "string2d rejects leading and trailing whitespace" {
                rejects " 1"
                rejects "1 "
                rejects "\t1"
            }
            test "string2d rejects NaN, empty and bare signs" {
                for s in [ "nan"; "NaN"; "-nan"; "nan(1)"; ""; "-"; "+"; "."; "e5"; "+-1" ] do
                    rejects s
            }
            test "string2d rejects trailing garbage strtod would leave unconsumed" {
                for s in
                    [
                        "1e"
                        "1e+"
                        "0x"
                        "0x1p"
                        "infin"
                        "infinityx"
                        "1_0"
                        "1,5"
                        "1.5.2"
                        "１"
                        "∞"
                        "1\0"
                    ] do
                    rejects s
            }
            test "string2d rejects overflow to infinity (ERANGE)" {
                rejects "1e400"
                rejects "1.7976931348623159e308"
                rejects "0x1p1024"
                rejects "1e99999999999999999999"
            }
            test "string2d rejects underflow to zero but keeps subnormals" {
                rejects "1e-400"
                rejects "2e-324"
                rejects "0x1p-1076"
                accepts "4.9e-324" Double.Epsilon
                accepts "1e-310" 1e-310
                accepts "0e-999999" 0.0
            }
            testPropertyWithConfig config "hex floats parse to the exact double they spell"
            <| Prop.forAll anyDouble (fun d -> parseDouble (hexForm d) = ValueSome d)
        ]

let private formatDoubleTests =
    let g (d: float) expected =
        Expect.equal (formatDouble d) expected $"%%.17g of {d:R}"

    testList
        "%.17g"
        [
            test "%.17g prints 0.1 as 0.10000000000000001" { g 0.1 "0.10000000000000001" }
            test "%.17g prints short binary fractions and integers without trailing zeros" {
                g 1.5 "1.5"
                g 3.0 "3"
                g -2.25 "-2.25"
            }
            test "%.17g switches to an exponent at 1e17 and below 1e-4" {
                g 1e16 "10000000000000000"
                g 1e17 "1e+17"
                g 1e20 "1e+20"
                g 0.0001 "0.0001"
                g 0.00001 "1.0000000000000001e-05"
                g 1e308 "1e+308"
            }
            test "%.17g prints infinities, zero and negative zero like Redis" {
                g Double.PositiveInfinity "inf"
                g Double.NegativeInfinity "-inf"
                g 0.0 "0"
                g -0.0 "-0"
            }
            test "%.17g rounds exact ties to even" {
                // 2^-25 = 2.98023223876953125e-08 exactly: redis-server replies 2.9802322387695312e-08.
                g (Math.ScaleB(1.0, -25)) "2.9802322387695312e-08"
            }
            test "%.17g prints subnormals and large integers as redis-server does" {
                g 1e-310 "9.9999999999999694e-311"
                g Double.Epsilon "4.9406564584124654e-324"
                g 123456789012345678.0 "1.2345678901234568e+17"
                g -9.9998886718268301e-321 "-9.9998886718268301e-321"
            }
            test "%.17g matches the ZSCORE replies observed from redis-server" {
                for bits, reply in RedisObservations.zscore do
                    g (BitConverter.Int64BitsToDouble bits) reply
            }
            testPropertyWithConfig config "%.17g agrees with an exact big-integer reference"
            <| Prop.forAll anyDouble (fun d -> formatDouble d = referenceG17 d)
            testPropertyWithConfig config "%.17g output parses back to the same double"
            <| Prop.forAll anyDouble (fun d ->
                parseDouble (formatDouble d) |> ValueOption.map BitConverter.DoubleToInt64Bits =
                    ValueSome(BitConverter.DoubleToInt64Bits d))
        ]

let private incrByFloatTests =
    let sum current increment expected =
        Expect.equal (incr current increment) expected $"INCRBYFLOAT {current} by {increment}"

    testList
        "INCRBYFLOAT"
        [
            test "INCRBYFLOAT of 10.50 by 0.1 is 10.6" { sum "10.50" "0.1" "10.6" }
            test "INCRBYFLOAT of 10.6 by -5 is 5.6" { sum "10.6" "-5" "5.6" }
            test "INCRBYFLOAT of 5.0e3 by 2.0e2 is 5200" { sum "5.0e3" "2.0e2" "5200" }
            test "INCRBYFLOAT of 3.0e3 by 1 is 3001" { sum "3.0e3" "1" "3001" }
            test "INCRBYFLOAT of 0.1 by 0.2 is 0.3 thanks to the 64-bit mantissa" { sum "0.1" "0.2" "0.3" }
            test "INCRBYFLOAT shows long double noise at 17 decimals for larger values" {
                sum "1234567.1" "0.2" "1234567.30000000000006821"
            }
            test "INCRBYFLOAT rounds %.17Lf ties to even" { sum "0" "0.000003814697265625" "0.00000381469726562" }
            test "INCRBYFLOAT prints values below 1e-17 as 0 and never -0" {
                sum "1e-20" "0" "0"
                sum "0" "-0.000000000000000001" "0"
                sum "-1" "0.99999999999999999999" "0"
                sum "-0" "-0" "0"
            }
            test "INCRBYFLOAT prints integers beyond int64 in full" {
                sum "9223372036854775807" "1" "9223372036854775808"
                sum "0" "123456789012345678901234567890" "123456789012345678899921813504"
            }
            test "INCRBYFLOAT accepts values beyond double range that fit a long double" {
                sum
                    "1e400"
                    "0"
                    "10000000000000000000281880683947586514586453433629052038625910693539685534008629862039363994848324160522094053927317616200295822777259255734023828976593340661017797447434546173917862448116674971723778943824391593338047470675026246684401359237513603830343735485505244955964979021825038280091068414947402456898653040951017512658092615827588920183472511643316591362664138176309734806343732497430221946880"

                sum "0" "1e-4950" "0"
                sum "0" "0x1p-16445" "0"
            }
            test "INCRBYFLOAT accepts hex, a plus sign and bare points" {
                sum "0" "0x1p3" "8"
                sum "0" "0X1.8P1" "3"
                sum "0" "+1" "1"
                sum "0" "1." "1"
                sum "0" ".5" "0.5"
                sum "0" "-.5e-3" "-0.0005"
            }
            test "INCRBYFLOAT rejects what string2ld rejects" {
                for bad in
                    [
                        " 1"
                        "1 "
                        "0x"
                        "1e"
                        "infin"
                        ""
                        "-"
                        "+"
                        "."
                        "e5"
                        "1_0"
                        "nan"
                        "1e5000"
                        "1e-5000"
                        "0x1p-16446"
                    ] do
                    sum "0" bad "ERR value is not a valid float"
                    sum bad "0" "ERR value is not a valid float"
            }
            test "INCRBYFLOAT rejects inputs of 5120 bytes or more" {
                let long = "1." + String('0', 5116) + "1"
                Expect.equal (incr "0" long) "1" "5119 bytes are fine"
                sum "0" (long + "0") "ERR value is not a valid float"
            }
            test "INCRBYFLOAT refuses to produce infinity or NaN" {
                sum "0" "inf" "ERR increment would produce NaN or Infinity"
                sum "-Infinity" "1" "ERR increment would produce NaN or Infinity"
                sum "inf" "-inf" "ERR increment would produce NaN or Infinity"
                sum "1e4932" "1e4932" "ERR increment would produce NaN or Infinity"
            }
            test "INCRBYFLOAT matches the results observed from redis-server" {
                for current, increment, reply in RedisObservations.incrByFloat do
                    sum current increment reply
            }
            testPropertyWithConfig config "INCRBYFLOAT of 0 by an integer prints the integer"
            <| Prop.forAll anyInt64 (fun n -> incr "0" (n.ToString(ci)) = n.ToString(ci))
        ]

let tests =
    testList "Numbers" [ int64Tests; doubleParseTests; formatDoubleTests; incrByFloatTests ]
