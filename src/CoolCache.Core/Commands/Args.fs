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

/// A blocking command's timeout (blocking.c getTimeoutFromObjectOrReply, Redis 7.0): seconds as a float,
/// ceil to ms; 0 waits forever (0), otherwise the deadline in unix ms. A value whose ms do not fit an
/// int64 (inf, 1e300) converts to LLONG_MIN in Redis and so reads as negative.
let readTimeout (nowMs: int64) (b: Bytes) : Result<int64, RedisError> =
    match Numbers.tryParseDouble b with
    | ValueNone -> Error RedisError.InvalidTimeout
    | ValueSome seconds ->
        let ms = ceil (seconds * 1000.0)

        if
            System.Double.IsNaN ms
            || ms >= 9.2233720368547758e18
            || ms < -9.2233720368547758e18
            || ms < 0.0
        then
            Error RedisError.TimeoutNegative
        elif ms = 0.0 then
            Ok 0L
        else
            let ms = int64 ms
            // tval + now overflows in Redis for absurd timeouts: wait (practically) forever.
            Ok(
                if ms > System.Int64.MaxValue - nowMs then
                    System.Int64.MaxValue
                else
                    nowMs + ms
            )
