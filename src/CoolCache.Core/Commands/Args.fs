/// Argument readers returning Result with Redis's error for each (getLongLongFromObjectOrReply and
/// friends in object.c), and the small result builder handlers compose them with.
module CoolCache.Core.Commands.Args

open CoolCache.Core

type ResultBuilder() =
    member _.Return x = Ok x
    member _.ReturnFrom(r: Result<_, _>) = r
    member _.Bind(r, f) = Result.bind f r
    member _.Zero() = Ok()

/// result { } for composing argument reads and command steps.
let result = ResultBuilder()

/// An int64 argument (string2ll rules).
let readInt64 (b: Bytes) : Result<int64, RedisError> =
    match Numbers.tryParseInt64 b with
    | ValueSome n -> Ok n
    | ValueNone -> Error RedisError.NotInteger

/// An int argument (getIntFromObjectOrReply: int64 within int range).
let readInt (b: Bytes) : Result<int, RedisError> =
    match Numbers.tryParseInt64 b with
    | ValueSome n when n >= int64 System.Int32.MinValue && n <= int64 System.Int32.MaxValue -> Ok(int n)
    | _ -> Error RedisError.NotInteger

/// A double argument (no NaN).
let readFloat (b: Bytes) : Result<float, RedisError> =
    match Numbers.tryParseDouble b with
    | ValueSome d -> Ok d
    | ValueNone -> Error RedisError.NotFloat

/// Case-insensitive token test.
let inline is (token: string) (b: Bytes) = Bytes.equalsToken b token
