/// String commands (t_string.c): GET SET and the SET family, GETEX GETDEL MGET MSET APPEND STRLEN
/// GETRANGE SETRANGE INCR* DECR* INCRBYFLOAT LCS. Replies, options and errors follow Redis 7.
module CoolCache.Core.Commands.StringCommands

open System
open CoolCache.Core
open CoolCache.Core.Protocol
open CoolCache.Core.Values
open CoolCache.Core.Keyspace
open CoolCache.Core.State
open CoolCache.Core.Commands.Args

// ---- String API -------------------------------------------------------------------------------

/// The string at key: Ok(ValueSome bytes), Ok ValueNone when absent, WRONGTYPE for other kinds.
let getString (now: int64) (key: Bytes) (db: Db) : Result<Bytes voption, RedisError> =
    match Db.tryGet now key db with
    | ValueNone -> Ok ValueNone
    | ValueSome v ->
        match Value.tryString v with
        | ValueSome b -> Ok(ValueSome b)
        | ValueNone -> Error RedisError.WrongType

let private bulkOrNull (b: Bytes voption) =
    match b with
    | ValueSome b -> RespValue.Bulk b
    | ValueNone -> RespValue.Null

/// Redis checkStringLength: size + append must fit proto-max-bulk-len (and not overflow).
let private checkLength (w: World) (size: int64) (append: int64) =
    let total = size + append

    if total > w.Config.ProtoMaxBulkLen || total < size || total < append then
        Error RedisError.StringTooLong
    else
        Ok()

[<Flags>]
type SetFlags =
    | None = 0
    | NX = 1
    | XX = 2
    | Get = 4
    | KeepTtl = 8
    | Persist = 16
    | EX = 32
    | PX = 64
    | EXAT = 128
    | PXAT = 256

let private expireFlags =
    SetFlags.EX ||| SetFlags.PX ||| SetFlags.EXAT ||| SetFlags.PXAT

/// Redis parseExtendedStringArgumentsOrReply: options of SET (isSet) or GETEX from argv[start..].
let parseSetOptions (argv: Bytes[]) (start: int) (isSet: bool) : Result<SetFlags * Bytes option, RedisError> =
    let rec go j (flags: SetFlags) (expire: Bytes option) =
        if j >= argv.Length then
            Ok(flags, expire)
        else
            let opt = argv[j]
            let hasNext = j < argv.Length - 1
            let has (f: SetFlags) = flags &&& f <> SetFlags.None

            let timed (f: SetFlags) =
                let others = (expireFlags &&& ~~~f) ||| SetFlags.KeepTtl ||| SetFlags.Persist

                if not (has others) && hasNext then
                    go (j + 2) (flags ||| f) (Some argv[j + 1])
                else
                    Error RedisError.Syntax

            if isSet && is "NX" opt && not (has SetFlags.XX) then
                go (j + 1) (flags ||| SetFlags.NX) expire
            elif isSet && is "XX" opt && not (has SetFlags.NX) then
                go (j + 1) (flags ||| SetFlags.XX) expire
            elif isSet && is "GET" opt then
                go (j + 1) (flags ||| SetFlags.Get) expire
            elif isSet && is "KEEPTTL" opt && not (has (SetFlags.Persist ||| expireFlags)) then
                go (j + 1) (flags ||| SetFlags.KeepTtl) expire
            elif not isSet && is "PERSIST" opt && not (has (SetFlags.KeepTtl ||| expireFlags)) then
                go (j + 1) (flags ||| SetFlags.Persist) expire
            elif is "EX" opt then
                timed SetFlags.EX
            elif is "PX" opt then
                timed SetFlags.PX
            elif is "EXAT" opt then
                timed SetFlags.EXAT
            elif is "PXAT" opt then
                timed SetFlags.PXAT
            else
                Error RedisError.Syntax

    go start SetFlags.None None

/// Redis getExpireMillisecondsOrReply: an absolute deadline in ms from an EX/PX/EXAT/PXAT argument.
let expireMilliseconds (ctx: Ctx) (cmd: string) (flags: SetFlags) (arg: Bytes) : Result<int64, RedisError> =
    result {
        let! n = readInt64 arg
        let seconds = flags &&& (SetFlags.EX ||| SetFlags.EXAT) <> SetFlags.None

        if n <= 0L || (seconds && n > Int64.MaxValue / 1000L) then
            return! Error(RedisError.InvalidExpireTime cmd)
        else
            let ms = if seconds then n * 1000L else n

            let ms =
                if flags &&& (SetFlags.EX ||| SetFlags.PX) <> SetFlags.None then
                    ms + ctx.NowMs
                else
                    ms

            if ms <= 0L then
                return! Error(RedisError.InvalidExpireTime cmd)
            else
                return ms
    }

/// Redis setGenericCommand: the shared core of SET, SETNX, SETEX, PSETEX. Events: "keymiss" for GET of
/// a missing key (even when NX/XX then refuses), "new" when the key was absent, "set", then "expire"
/// when a time was given.
let private setGeneric
    (ctx: Ctx)
    (cmd: string)
    (flags: SetFlags)
    (key: Bytes)
    (value: Bytes)
    (expire: Bytes option)
    (okReply: RespValue)
    (abortReply: RespValue)
    (s: Session)
    (w: World)
    =
    let db = World.db s.Db w
    let found = Db.exists ctx.NowMs key db

    result {
        let! deadline =
            match expire with
            | Some e -> expireMilliseconds ctx cmd flags e |> Result.map Some
            | None -> Ok None

        let! old =
            if flags.HasFlag SetFlags.Get then
                getString ctx.NowMs key db
            else
                Ok ValueNone

        if (flags.HasFlag SetFlags.NX && found) || (flags.HasFlag SetFlags.XX && not found) then
            return
                (if flags.HasFlag SetFlags.Get then
                     bulkOrNull old
                 else
                     abortReply),
                w,
                false,
                deadline
        else
            let ttl =
                match deadline with
                | Some at -> Ttl.At at
                | None when flags.HasFlag SetFlags.KeepTtl -> Ttl.Keep
                | None -> Ttl.Clear

            let w = World.withDb s.Db (Db.set ctx.NowMs key (Value.String value) ttl db) w

            return
                (if flags.HasFlag SetFlags.Get then
                     bulkOrNull old
                 else
                     okReply),
                w,
                true,
                deadline
    }
    |> function
        | Error e -> Outcome.error e s w
        | Ok(reply, w', written, deadline) ->
            Outcome.reply reply s w'
            |> Outcome.notifyIf ctx (flags.HasFlag SetFlags.Get && not found) NotifyClass.KeyMiss "keymiss" key
            |> Outcome.notifyNew ctx (written && not found) key
            |> Outcome.notifyIf ctx written NotifyClass.String "set" key
            |> Outcome.notifyIf ctx (written && deadline.IsSome) NotifyClass.Generic "expire" key

// ---- Commands ---------------------------------------------------------------------------------

// GET key
let get: Handler =
    fun ctx s argv w ->
        match getString ctx.NowMs argv[1] (World.db s.Db w) with
        | Ok(ValueSome v) -> Outcome.reply (RespValue.Bulk v) s w
        | Ok ValueNone -> Outcome.reply RespValue.Null s w |> Outcome.keymiss ctx argv[1]
        | Error e -> Outcome.error e s w

// SET key value [NX | XX] [GET] [EX seconds | PX ms | EXAT unix-s | PXAT unix-ms | KEEPTTL]
let set: Handler =
    fun ctx s argv w ->
        if argv.Length = 3 then
            // The common case, without options: no option parsing, no lookups but the write.
            let db = World.db s.Db w
            let created = ctx.Events && not (Db.exists ctx.NowMs argv[1] db)

            Outcome.ok s (World.withDb s.Db (Db.set ctx.NowMs argv[1] (Value.String argv[2]) Ttl.Clear db) w)
            |> Outcome.notifyNew ctx created argv[1]
            |> Outcome.notify ctx NotifyClass.String "set" argv[1]
        else

            match parseSetOptions argv 3 true with
            | Error e -> Outcome.error e s w
            | Ok(flags, expire) -> setGeneric ctx "set" flags argv[1] argv[2] expire RespValue.Ok RespValue.Null s w

// SETNX key value
let setnx: Handler =
    fun ctx s argv w ->
        setGeneric ctx "setnx" SetFlags.NX argv[1] argv[2] None (RespValue.Integer 1L) (RespValue.Integer 0L) s w

// SETEX key seconds value
let setex: Handler =
    fun ctx s argv w ->
        setGeneric ctx "setex" SetFlags.EX argv[1] argv[3] (Some argv[2]) RespValue.Ok RespValue.Null s w

// PSETEX key milliseconds value
let psetex: Handler =
    fun ctx s argv w ->
        setGeneric ctx "psetex" SetFlags.PX argv[1] argv[3] (Some argv[2]) RespValue.Ok RespValue.Null s w

// GETSET key value
let getset: Handler =
    fun ctx s argv w ->
        let db = World.db s.Db w

        match getString ctx.NowMs argv[1] db with
        | Error e -> Outcome.error e s w
        | Ok old ->
            let db = Db.set ctx.NowMs argv[1] (Value.String argv[2]) Ttl.Clear db

            Outcome.reply (bulkOrNull old) s (World.withDb s.Db db w)
            |> Outcome.notifyIf ctx old.IsNone NotifyClass.KeyMiss "keymiss" argv[1]
            |> Outcome.notifyNew ctx old.IsNone argv[1]
            |> Outcome.notify ctx NotifyClass.String "set" argv[1]

// GETDEL key
let getdel: Handler =
    fun ctx s argv w ->
        let db = World.db s.Db w

        match getString ctx.NowMs argv[1] db with
        | Error e -> Outcome.error e s w
        | Ok(ValueSome old) ->
            Outcome.reply (RespValue.Bulk old) s (World.withDb s.Db (Db.remove argv[1] db) w)
            |> Outcome.notify ctx NotifyClass.Generic "del" argv[1]
        | Ok ValueNone -> Outcome.reply RespValue.Null s w |> Outcome.keymiss ctx argv[1]

// GETEX key [EX seconds | PX ms | EXAT unix-s | PXAT unix-ms | PERSIST]
let getex: Handler =
    fun ctx s argv w ->
        result {
            let! flags, expire = parseSetOptions argv 2 false
            let db = World.db s.Db w
            // Redis looks the key up and checks its type before it validates the expire time.
            let! v = getString ctx.NowMs argv[1] db

            let! deadline =
                match v, expire with
                | ValueSome _, Some e -> expireMilliseconds ctx "getex" flags e |> Result.map Some
                | _ -> Ok None

            match v, deadline with
            | ValueNone, _ -> return RespValue.Null, w, "keymiss"
            | ValueSome _, Some at when Db.expiresBy ctx.NowMs at db ->
                return bulkOrNull v, World.withDb s.Db (Db.remove argv[1] db) w, "del"
            | ValueSome _, Some at -> return bulkOrNull v, World.withDb s.Db (Db.setDeadline argv[1] at db) w, "expire"
            | ValueSome _, None when flags.HasFlag SetFlags.Persist && (Db.deadline argv[1] db).IsSome ->
                return bulkOrNull v, World.withDb s.Db (Db.clearDeadline argv[1] db) w, "persist"
            | ValueSome _, None -> return bulkOrNull v, w, null
        }
        |> function
            | Error e -> Outcome.error e s w
            | Ok(reply, w', event) ->
                let o = Outcome.reply reply s w'

                match event with
                | null -> o
                | "keymiss" -> Outcome.keymiss ctx argv[1] o
                | event -> Outcome.notify ctx NotifyClass.Generic event argv[1] o

// MGET key [key ...]
let mget: Handler =
    fun ctx s argv w ->
        let db = World.db s.Db w

        let values =
            Array.init (argv.Length - 1) (fun i ->
                match Db.tryGet ctx.NowMs argv[i + 1] db with
                | ValueSome v ->
                    match Value.tryString v with
                    | ValueSome b -> RespValue.Bulk b
                    | ValueNone -> RespValue.Null
                | ValueNone -> RespValue.Null)

        Outcome.reply (RespValue.Array values) s w
        |> Outcome.keymisses ctx db argv 1 (argv.Length - 1)

/// The events of MSET/MSETNX, key by key ("new" for a key absent before the command and not set by an
/// earlier pair, then "set"), computed before the write.
let private msetEvents (ctx: Ctx) (s: Session) (argv: Bytes[]) (db: Db) =
    if not ctx.Events then
        []
    else
        let written = Collections.Generic.HashSet<Bytes>(BytesComparer.Instance)
        let mutable events = []

        for i in 1..2 .. argv.Length - 1 do
            let key = argv[i]

            if written.Add key && not (Db.exists ctx.NowMs key db) then
                events <-
                    {
                        Class = NotifyClass.New
                        Event = "new"
                        Db = s.Db
                        Key = key
                    }
                    :: events

            events <-
                {
                    Class = NotifyClass.String
                    Event = "set"
                    Db = s.Db
                    Key = key
                }
                :: events

        List.rev events

let private msetAll (ctx: Ctx) (argv: Bytes[]) (db: Db) = Db.setStrings ctx.NowMs argv 1 db

// MSET key value [key value ...]
let mset: Handler =
    fun ctx s argv w ->
        if argv.Length % 2 = 0 then
            Outcome.error (RedisError.WrongArity "mset") s w
        else
            let db = World.db s.Db w
            let events = msetEvents ctx s argv db

            Outcome.ok s (World.withDb s.Db (msetAll ctx argv db) w)
            |> Outcome.notifyAll ctx events

// MSETNX key value [key value ...]
let msetnx: Handler =
    fun ctx s argv w ->
        if argv.Length % 2 = 0 then
            Outcome.error (RedisError.WrongArity "msetnx") s w
        else
            let db = World.db s.Db w

            let anyExists =
                seq { 1..2 .. argv.Length - 1 }
                |> Seq.exists (fun i -> Db.exists ctx.NowMs argv[i] db)

            if anyExists then
                Outcome.reply (RespValue.Integer 0L) s w
            else
                let events = msetEvents ctx s argv db

                Outcome.reply (RespValue.Integer 1L) s (World.withDb s.Db (msetAll ctx argv db) w)
                |> Outcome.notifyAll ctx events

// APPEND key value
let append: Handler =
    fun ctx s argv w ->
        let db = World.db s.Db w

        result {
            match! getString ctx.NowMs argv[1] db with
            | ValueNone ->
                let db = Db.set ctx.NowMs argv[1] (Value.String argv[2]) Ttl.Clear db
                return RespValue.Integer(int64 argv[2].Length), World.withDb s.Db db w, true
            | ValueSome old ->
                do! checkLength w (int64 old.Length) (int64 argv[2].Length)
                let value = Array.append old argv[2]
                let db = Db.set ctx.NowMs argv[1] (Value.RawString value) Ttl.Keep db
                return RespValue.Integer(int64 value.Length), World.withDb s.Db db w, false
        }
        |> function
            | Error e -> Outcome.error e s w
            | Ok(reply, w', created) ->
                Outcome.reply reply s w'
                |> Outcome.notifyNew ctx created argv[1]
                |> Outcome.notify ctx NotifyClass.String "append" argv[1]

// STRLEN key
let strlen: Handler =
    fun ctx s argv w ->
        match getString ctx.NowMs argv[1] (World.db s.Db w) with
        | Ok(ValueSome b) -> Outcome.reply (RespValue.Integer(int64 b.Length)) s w
        | Ok ValueNone -> Outcome.reply (RespValue.Integer 0L) s w |> Outcome.keymiss ctx argv[1]
        | Error e -> Outcome.error e s w

/// Redis getrangeCommand's index arithmetic: the slice [start, end] of a string of length len.
let rangeOf (start: int64) (finish: int64) (len: int64) : struct (int64 * int64) voption =
    if start < 0L && finish < 0L && start > finish then
        ValueNone
    else
        let start = if start < 0L then max 0L (len + start) else start
        let finish = if finish < 0L then max 0L (len + finish) else finish
        let finish = if finish >= len then len - 1L else finish

        if start > finish || len = 0L then
            ValueNone
        else
            ValueSome(struct (start, finish))

// GETRANGE key start end   (SUBSTR is the same command under its old name)
let getrange: Handler =
    fun ctx s argv w ->
        result {
            let! start = readInt64 argv[2]
            let! finish = readInt64 argv[3]
            let! v = getString ctx.NowMs argv[1] (World.db s.Db w)

            match v with
            | ValueNone -> return RespValue.Bulk Bytes.empty, true
            | ValueSome b ->
                match rangeOf start finish (int64 b.Length) with
                | ValueNone -> return RespValue.Bulk Bytes.empty, false
                | ValueSome(struct (a, z)) -> return RespValue.Bulk(b[int a .. int z]), false
        }
        |> function
            | Error e -> Outcome.error e s w
            | Ok(reply, missed) ->
                Outcome.reply reply s w
                |> Outcome.notifyIf ctx missed NotifyClass.KeyMiss "keymiss" argv[1]

// SETRANGE key offset value
let setrange: Handler =
    fun ctx s argv w ->
        let value = argv[3]

        result {
            let! offset = readInt64 argv[2]

            if offset < 0L then
                return! Error RedisError.OffsetOutOfRange
            else
                let db = World.db s.Db w

                match! getString ctx.NowMs argv[1] db with
                | ValueNone when value.Length = 0 -> return RespValue.Integer 0L, w, ValueNone
                | ValueSome old when value.Length = 0 -> return RespValue.Integer(int64 old.Length), w, ValueNone
                | old ->
                    do! checkLength w offset (int64 value.Length)
                    let created = old.IsNone
                    let old = old |> ValueOption.defaultValue Bytes.empty
                    let result = Array.zeroCreate (max old.Length (int offset + value.Length))
                    Buffer.BlockCopy(old, 0, result, 0, old.Length)
                    Buffer.BlockCopy(value, 0, result, int offset, value.Length)
                    let db = Db.set ctx.NowMs argv[1] (Value.RawString result) Ttl.Keep db
                    return RespValue.Integer(int64 result.Length), World.withDb s.Db db w, ValueSome created
        }
        |> function
            | Error e -> Outcome.error e s w
            | Ok(reply, w', written) ->
                Outcome.reply reply s w'
                |> Outcome.notifyNew ctx (written = ValueSome true) argv[1]
                |> Outcome.notifyIf ctx written.IsSome NotifyClass.String "setrange" argv[1]

/// Redis incrDecrCommand: add incr to the integer at key (absent = 0), keeping its TTL.
/// Redis incrDecrCommand: add incr to the integer at key (absent = 0), keeping its TTL. Written
/// without the result builder: INCR is a hot path.
let private incrDecr (ctx: Ctx) (incr: int64) (s: Session) (argv: Bytes[]) (w: World) =
    let db = World.db s.Db w

    let found = Db.tryGet ctx.NowMs argv[1] db

    let current =
        match found with
        | ValueNone -> Ok 0L
        | ValueSome v ->
            match Value.tryString v with
            | ValueSome b -> readInt64 b
            | ValueNone -> Error RedisError.WrongType

    match current with
    | Error e -> Outcome.error e s w
    | Ok value when
        (incr < 0L && value < 0L && incr < Int64.MinValue - value)
        || (incr > 0L && value > 0L && incr > Int64.MaxValue - value)
        ->
        Outcome.error RedisError.Overflow s w
    | Ok value ->
        let n = value + incr
        let db = Db.set ctx.NowMs argv[1] (Value.String(Numbers.formatInt64 n)) Ttl.Keep db

        Outcome.reply (RespValue.Integer n) s (World.withDb s.Db db w)
        |> Outcome.notifyNew ctx found.IsNone argv[1]
        |> Outcome.notify ctx NotifyClass.String "incrby" argv[1]

// INCR key
let incr: Handler = fun ctx s argv w -> incrDecr ctx 1L s argv w

// DECR key
let decr: Handler = fun ctx s argv w -> incrDecr ctx -1L s argv w

// INCRBY key increment
let incrby: Handler =
    fun ctx s argv w ->
        match readInt64 argv[2] with
        | Ok n -> incrDecr ctx n s argv w
        | Error e -> Outcome.error e s w

// DECRBY key decrement
let decrby: Handler =
    fun ctx s argv w ->
        match readInt64 argv[2] with
        | Ok n when n = Int64.MinValue -> Outcome.error RedisError.DecrementOverflow s w
        | Ok n -> incrDecr ctx -n s argv w
        | Error e -> Outcome.error e s w

// INCRBYFLOAT key increment
let incrbyfloat: Handler =
    fun ctx s argv w ->
        let db = World.db s.Db w

        result {
            let! found = getString ctx.NowMs argv[1] db
            let current = found |> ValueOption.defaultValue "0"B

            match Numbers.incrByFloat current argv[2] with
            | Numbers.FloatSum.NotFloat -> return! Error RedisError.NotFloat
            | Numbers.FloatSum.NanOrInfinity -> return! Error RedisError.IncrementNanOrInfinity
            | Numbers.FloatSum.Sum b ->
                let db = Db.set ctx.NowMs argv[1] (Value.EmbString b) Ttl.Keep db
                return RespValue.Bulk b, World.withDb s.Db db w, found.IsNone
        }
        |> function
            | Error e -> Outcome.error e s w
            | Ok(reply, w', created) ->
                Outcome.reply reply s w'
                |> Outcome.notifyNew ctx created argv[1]
                |> Outcome.notify ctx NotifyClass.String "incrbyfloat" argv[1]

/// Redis lcsCommand's table walk, reproduced step for step so ties resolve as Redis resolves them.
let private lcsReply (a: Bytes) (b: Bytes) (getLen: bool) (getIdx: bool) (minMatch: int64) (withMatchLen: bool) =
    let alen, blen = a.Length, b.Length
    let dp = Array.zeroCreate<int>((alen + 1) * (blen + 1))
    let at i j = dp[j + i * (blen + 1)]

    for i in 1..alen do
        for j in 1..blen do
            dp[j + i * (blen + 1)] <-
                if a[i - 1] = b[j - 1] then
                    at (i - 1) (j - 1) + 1
                else
                    max (at (i - 1) j) (at i (j - 1))

    let total = at alen blen
    let lcs = Array.zeroCreate<byte> total
    let matches = ResizeArray<RespValue>()
    let mutable idx = total
    let mutable i, j = alen, blen
    let mutable aStart, aEnd, bStart, bEnd = alen, 0, 0, 0
    let computeLcs = getIdx || not getLen

    while computeLcs && i > 0 && j > 0 do
        let mutable emit = false

        if a[i - 1] = b[j - 1] then
            lcs[idx - 1] <- a[i - 1]

            if aStart = alen then
                aStart <- i - 1
                aEnd <- i - 1
                bStart <- j - 1
                bEnd <- j - 1
            elif aStart = i && bStart = j then
                aStart <- aStart - 1
                bStart <- bStart - 1
            else
                emit <- true

            if aStart = 0 || bStart = 0 then
                emit <- true

            idx <- idx - 1
            i <- i - 1
            j <- j - 1
        else
            if at (i - 1) j > at i (j - 1) then
                i <- i - 1
            else
                j <- j - 1

            if aStart <> alen then
                emit <- true

        if emit then
            let len = int64 (aEnd - aStart + 1)

            if minMatch = 0L || len >= minMatch then
                let range x y =
                    RespValue.Array [| RespValue.Integer(int64 x); RespValue.Integer(int64 y) |]

                let ranges = [| range aStart aEnd; range bStart bEnd |]

                matches.Add(
                    RespValue.Array(
                        if withMatchLen then
                            Array.append ranges [| RespValue.Integer len |]
                        else
                            ranges
                    )
                )

            aStart <- alen

    if getIdx then
        RespValue.Map
            [|
                struct (RespValue.ofString "matches", RespValue.Array(matches.ToArray()))
                struct (RespValue.ofString "len", RespValue.Integer(int64 total))
            |]
    elif getLen then
        RespValue.Integer(int64 total)
    else
        RespValue.Bulk lcs

// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]
let lcs: Handler =
    fun ctx s argv w ->
        let db = World.db s.Db w

        let str key =
            match getString ctx.NowMs key db with
            | Ok v -> Ok(ValueOption.defaultValue Bytes.empty v)
            | Error _ -> Error RedisError.LcsNotString

        let rec options j (len, idx, minMatch, withLen) =
            if j >= argv.Length then
                Ok(len, idx, minMatch, withLen)
            elif is "IDX" argv[j] then
                options (j + 1) (len, true, minMatch, withLen)
            elif is "LEN" argv[j] then
                options (j + 1) (true, idx, minMatch, withLen)
            elif is "WITHMATCHLEN" argv[j] then
                options (j + 1) (len, idx, minMatch, true)
            elif is "MINMATCHLEN" argv[j] && j + 1 < argv.Length then
                readInt64 argv[j + 1]
                |> Result.bind (fun m -> options (j + 2) (len, idx, max 0L m, withLen))
            else
                Error RedisError.Syntax

        result {
            let! a = str argv[1]
            let! b = str argv[2]
            let! getLen, getIdx, minMatch, withMatchLen = options 3 (false, false, 0L, false)

            if getLen && getIdx then
                return! Error RedisError.LcsLenAndIdx
            else
                return lcsReply a b getLen getIdx minMatch withMatchLen, w
        }
        |> Outcome.ofResult s w
        // Redis looks both keys up before any check: their misses are told whatever follows.
        |> Outcome.keymisses ctx db argv 1 2
