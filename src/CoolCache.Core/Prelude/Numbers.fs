/// Redis-exact number parsing and formatting (util.c: string2ll, string2ld, ld2string; %.17g replies).
/// PLACEHOLDER: signatures are the contract.
module CoolCache.Core.Numbers

open System

/// Result of INCRBYFLOAT arithmetic.
[<RequireQualifiedAccess>]
type FloatSum =
    | Sum of Bytes
    | NotFloat
    | NanOrInfinity

/// Redis string2ll: optional '-', digits, no '+', no spaces, no leading zeros, within int64.
let tryParseInt64 (b: Bytes) : int64 voption =
    match Int64.TryParse(Text.Encoding.Latin1.GetString b, Globalization.NumberStyles.AllowLeadingSign, Globalization.CultureInfo.InvariantCulture) with
    | true, v when b.Length > 0 && b[0] <> byte '+' -> ValueSome v
    | _ -> ValueNone

/// Decimal text of an integer.
let formatInt64 (n: int64) : Bytes = Text.Encoding.ASCII.GetBytes(n.ToString(Globalization.CultureInfo.InvariantCulture))

/// Redis string2d/strtod as used for scores, timeouts and float arguments: no spaces, no NaN; inf accepted.
let tryParseDouble (b: Bytes) : float voption =
    match Double.TryParse(Text.Encoding.Latin1.GetString b, Globalization.NumberStyles.Float, Globalization.CultureInfo.InvariantCulture) with
    | true, v when not (Double.IsNaN v) -> ValueSome v
    | _ -> ValueNone

/// %.17g as Redis replies doubles ("inf", "-inf").
let formatDouble (d: float) : string =
    if Double.IsPositiveInfinity d then "inf"
    elif Double.IsNegativeInfinity d then "-inf"
    else d.ToString("R", Globalization.CultureInfo.InvariantCulture)

/// INCRBYFLOAT: current + increment as Redis computes and prints it (long double, %.17Lf, trailing zeros trimmed).
let incrByFloat (current: Bytes) (increment: Bytes) : FloatSum =
    match tryParseDouble current, tryParseDouble increment with
    | ValueSome a, ValueSome b ->
        let s = a + b
        if Double.IsNaN s || Double.IsInfinity s then FloatSum.NanOrInfinity
        else FloatSum.Sum(Text.Encoding.ASCII.GetBytes(s.ToString("R", Globalization.CultureInfo.InvariantCulture)))
    | _ -> FloatSum.NotFloat
