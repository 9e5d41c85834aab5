/// Hash commands (t_hash.c): HSET HSETNX HMSET HGET HMGET HDEL HLEN HSTRLEN HEXISTS HKEYS HVALS HGETALL
/// HINCRBY HINCRBYFLOAT HRANDFIELD HSCAN. Replies, errors and their order follow Redis 7.0.
module CoolCache.Core.Commands.HashCommands

open System
open CoolCache.Core
open CoolCache.Core.Protocol
open CoolCache.Core.Values
open CoolCache.Core.Keyspace
open CoolCache.Core.State
open CoolCache.Core.Commands.Args

// ---- Hash API ---------------------------------------------------------------------------------

/// The hash at key: Ok(ValueSome h), Ok ValueNone when absent, WRONGTYPE for other kinds.
let getHash (now: int64) (key: Bytes) (db: Db) : Result<RedisHash voption, RedisError> =
    match Db.tryGet now key db with
    | ValueNone -> Ok ValueNone
    | ValueSome(Value.Hash h) -> Ok(ValueSome h)
    | ValueSome _ -> Error RedisError.WrongType

/// The listpack thresholds of the current configuration.
let limits (w: World) =
    {
        MaxEntries = w.Config.HashMaxListpackEntries
        MaxValue = w.Config.HashMaxListpackValue
    }

/// Write the hash back to its key, keeping the key's TTL (an empty hash deletes the key).
let private store (ctx: Ctx) (s: Session) (key: Bytes) (h: RedisHash) (db: Db) (w: World) =
    let db =
        if RedisHash.count h = 0 then
            Db.remove key db
        else
            Db.set ctx.NowMs key (Value.Hash h) Ttl.Keep db

    World.withDb s.Db db w

let private bulkOrNull (b: Bytes voption) =
    match b with
    | ValueSome b -> RespValue.Bulk b
    | ValueNone -> RespValue.Null

let private emptyArray = RespValue.Array [||]

/// ofResult for a write that may have created the hash: "new" then the command's event.
let private written ctx (event: string) (key: Bytes) s w (r: Result<RespValue * World * bool, RedisError>) =
    match r with
    | Ok(reply, w', created) ->
        Outcome.reply reply s w'
        |> Outcome.notifyNew ctx created key
        |> Outcome.notify ctx NotifyClass.Hash event key
    | Error e -> Outcome.error e s w

// ---- Commands ---------------------------------------------------------------------------------

/// HSET and HMSET: set every field/value pair; reply from the number of new fields.
let private hsetGeneric (name: string) (reply: int -> RespValue) : Handler =
    fun ctx s argv w ->
        if argv.Length % 2 = 1 then
            Outcome.error (RedisError.WrongArity name) s w
        else
            let db = World.db s.Db w

            match getHash ctx.NowMs argv[1] db with
            | Error e -> Outcome.error e s w
            | Ok found ->
                let lim = limits w
                let mutable h = ValueOption.defaultValue RedisHash.empty found
                let mutable added = 0
                let mutable i = 2

                while i < argv.Length do
                    let struct (h', isNew) = RedisHash.set db.Owner lim argv[i] argv[i + 1] h
                    h <- h'

                    if isNew then
                        added <- added + 1

                    i <- i + 2

                Outcome.reply (reply added) s (store ctx s argv[1] h db w)
                |> Outcome.notifyNew ctx found.IsNone argv[1]
                |> Outcome.notify ctx NotifyClass.Hash "hset" argv[1]

// HSET key field value [field value ...]
let hset: Handler = hsetGeneric "hset" (fun n -> RespValue.Integer(int64 n))

// HMSET key field value [field value ...]
let hmset: Handler = hsetGeneric "hmset" (fun _ -> RespValue.Ok)

// HSETNX key field value
let hsetnx: Handler =
    fun ctx s argv w ->
        let db = World.db s.Db w

        match getHash ctx.NowMs argv[1] db with
        | Error e -> Outcome.error e s w
        | Ok(ValueSome h) when RedisHash.contains argv[2] h -> Outcome.reply (RespValue.Integer 0L) s w
        | Ok found ->
            let h = ValueOption.defaultValue RedisHash.empty found
            let struct (h, _) = RedisHash.set db.Owner (limits w) argv[2] argv[3] h

            Outcome.reply (RespValue.Integer 1L) s (store ctx s argv[1] h db w)
            |> Outcome.notifyNew ctx found.IsNone argv[1]
            |> Outcome.notify ctx NotifyClass.Hash "hset" argv[1]

// HGET key field
let hget: Handler =
    fun ctx s argv w ->
        match getHash ctx.NowMs argv[1] (World.db s.Db w) with
        | Error e -> Outcome.error e s w
        | Ok(ValueSome h) -> Outcome.reply (bulkOrNull (RedisHash.tryGet argv[2] h)) s w
        | Ok ValueNone -> Outcome.reply RespValue.Null s w |> Outcome.keymiss ctx argv[1]

// HMGET key field [field ...]   (a missing key is an empty hash: all nils)
let hmget: Handler =
    fun ctx s argv w ->
        match getHash ctx.NowMs argv[1] (World.db s.Db w) with
        | Error e -> Outcome.error e s w
        | Ok found ->
            let values =
                Array.init (argv.Length - 2) (fun i ->
                    match found with
                    | ValueSome h -> bulkOrNull (RedisHash.tryGet argv[i + 2] h)
                    | ValueNone -> RespValue.Null)

            Outcome.reply (RespValue.Array values) s w
            |> Outcome.notifyIf ctx found.IsNone NotifyClass.KeyMiss "keymiss" argv[1]

// HDEL key field [field ...]
let hdel: Handler =
    fun ctx s argv w ->
        let db = World.db s.Db w

        match getHash ctx.NowMs argv[1] db with
        | Error e -> Outcome.error e s w
        | Ok ValueNone -> Outcome.reply (RespValue.Integer 0L) s w
        | Ok(ValueSome h) ->
            let mutable h = h
            let mutable deleted = 0
            let mutable i = 2

            while i < argv.Length && RedisHash.count h > 0 do
                let struct (h', removed) = RedisHash.remove db.Owner argv[i] h
                h <- h'

                if removed then
                    deleted <- deleted + 1

                i <- i + 1

            if deleted = 0 then
                Outcome.reply (RespValue.Integer 0L) s w
            else
                Outcome.ofChange
                    ctx
                    NotifyClass.Hash
                    "hdel"
                    argv[1]
                    s
                    w
                    (Ok(RespValue.Integer(int64 deleted), store ctx s argv[1] h db w, true))

/// A read of the hash at argv[1]: f of the hash, or `missing` when there is none.
let private readHash (missing: RespValue) (f: RedisHash -> RespValue) : Handler =
    fun ctx s argv w ->
        match getHash ctx.NowMs argv[1] (World.db s.Db w) with
        | Error e -> Outcome.error e s w
        | Ok(ValueSome h) -> Outcome.reply (f h) s w
        | Ok ValueNone -> Outcome.reply missing s w |> Outcome.keymiss ctx argv[1]

// HLEN key
let hlen: Handler =
    readHash (RespValue.Integer 0L) (fun h -> RespValue.Integer(int64 (RedisHash.count h)))

// HSTRLEN key field
let hstrlen: Handler =
    fun ctx s argv w ->
        readHash
            (RespValue.Integer 0L)
            (fun h ->
                match RedisHash.tryGet argv[2] h with
                | ValueSome v -> RespValue.Integer(int64 v.Length)
                | ValueNone -> RespValue.Integer 0L)
            ctx
            s
            argv
            w

// HEXISTS key field
let hexists: Handler =
    fun ctx s argv w ->
        readHash
            (RespValue.Integer 0L)
            (fun h -> RespValue.Integer(if RedisHash.contains argv[2] h then 1L else 0L))
            ctx
            s
            argv
            w

// HKEYS key
let hkeys: Handler =
    readHash emptyArray (fun h ->
        RespValue.Array(RedisHash.entries h |> Array.map (fun struct (f, _) -> RespValue.Bulk f)))

// HVALS key
let hvals: Handler =
    readHash emptyArray (fun h ->
        RespValue.Array(RedisHash.entries h |> Array.map (fun struct (_, v) -> RespValue.Bulk v)))

// HGETALL key   (a map in RESP3, a flat array in RESP2)
let hgetall: Handler =
    readHash (RespValue.Map [||]) (fun h ->
        RespValue.Map(
            RedisHash.entries h
            |> Array.map (fun struct (f, v) -> struct (RespValue.Bulk f, RespValue.Bulk v))
        ))

// HINCRBY key field increment
let hincrby: Handler =
    fun ctx s argv w ->
        let db = World.db s.Db w

        result {
            let! incr = readInt64 argv[3]
            let! found = getHash ctx.NowMs argv[1] db
            let h = ValueOption.defaultValue RedisHash.empty found

            let! value =
                match RedisHash.tryGet argv[2] h with
                | ValueNone -> Ok 0L
                | ValueSome b ->
                    match Numbers.tryParseInt64 b with
                    | ValueSome n -> Ok n
                    | ValueNone -> Error RedisError.HashNotInteger

            if
                (incr < 0L && value < 0L && incr < Int64.MinValue - value)
                || (incr > 0L && value > 0L && incr > Int64.MaxValue - value)
            then
                return! Error RedisError.Overflow
            else
                let n = value + incr

                let struct (h, _) =
                    RedisHash.set db.Owner (limits w) argv[2] (Numbers.formatInt64 n) h

                return RespValue.Integer n, store ctx s argv[1] h db w, found.IsNone
        }
        |> written ctx "hincrby" argv[1] s w

// HINCRBYFLOAT key field increment
let hincrbyfloat: Handler =
    fun ctx s argv w ->
        let db = World.db s.Db w

        result {
            // The increment alone first: not a float, then NaN/Infinity (0 + a finite value is finite).
            do!
                match Numbers.incrByFloat "0"B argv[3] with
                | Numbers.FloatSum.NotFloat -> Error RedisError.NotFloat
                | Numbers.FloatSum.NanOrInfinity -> Error RedisError.ValueNanOrInfinity
                | Numbers.FloatSum.Sum _ -> Ok()

            let! found = getHash ctx.NowMs argv[1] db
            let h = ValueOption.defaultValue RedisHash.empty found
            let current = RedisHash.tryGet argv[2] h |> ValueOption.defaultValue "0"B

            match Numbers.incrByFloat current argv[3] with
            | Numbers.FloatSum.NotFloat -> return! Error RedisError.HashNotFloat
            | Numbers.FloatSum.NanOrInfinity -> return! Error RedisError.IncrementNanOrInfinity
            | Numbers.FloatSum.Sum b ->
                let struct (h, _) = RedisHash.set db.Owner (limits w) argv[2] b h
                return RespValue.Bulk b, store ctx s argv[1] h db w, found.IsNone
        }
        |> written ctx "hincrbyfloat" argv[1] s w

/// The most entries HRANDFIELD with a negative count returns. Redis has no limit and streams the
/// reply until memory runs out; here such a request is refused instead.
let maxRandomCount = 1L <<< 24

/// HRANDFIELD's array: fields, or with values flat (RESP2) or as [field, value] pairs (RESP3).
let private randomReply (resp3: bool) (withValues: bool) (picked: struct (Bytes * Bytes)[]) =
    if not withValues then
        RespValue.Array(picked |> Array.map (fun struct (f, _) -> RespValue.Bulk f))
    elif resp3 then
        RespValue.Array(
            picked
            |> Array.map (fun struct (f, v) -> RespValue.Array [| RespValue.Bulk f; RespValue.Bulk v |])
        )
    else
        let flat = Array.zeroCreate (picked.Length * 2)

        for i in 0 .. picked.Length - 1 do
            let struct (f, v) = picked[i]
            flat[2 * i] <- RespValue.Bulk f
            flat[2 * i + 1] <- RespValue.Bulk v

        RespValue.Array flat

// HRANDFIELD key [count [WITHVALUES]]
let hrandfield: Handler =
    fun ctx s argv w ->
        let db = World.db s.Db w

        if argv.Length = 2 then
            match getHash ctx.NowMs argv[1] db with
            | Error e -> Outcome.error e s w
            | Ok ValueNone -> Outcome.reply RespValue.Null s w |> Outcome.keymiss ctx argv[1]
            | Ok(ValueSome h) ->
                match RedisHash.randomEntry ctx.Seed h with
                | ValueSome(struct (f, _)) -> Outcome.reply (RespValue.Bulk f) s w
                | ValueNone -> Outcome.reply RespValue.Null s w
        else
            result {
                let! l = readInt64 argv[2]

                if l < -Int64.MaxValue then
                    return! Error(RedisError.OutOfRangeBetween(-Int64.MaxValue, Int64.MaxValue))
                elif argv.Length > 4 || (argv.Length = 4 && not (is "WITHVALUES" argv[3])) then
                    return! Error RedisError.Syntax
                else
                    let withValues = argv.Length = 4

                    if withValues && (l < -Int64.MaxValue / 2L || l > Int64.MaxValue / 2L) then
                        return! Error RedisError.ValueOutOfRange
                    else
                        match! getHash ctx.NowMs argv[1] db with
                        | ValueNone -> return emptyArray, true
                        | ValueSome _ when l = 0L -> return emptyArray, false
                        | ValueSome h ->
                            let size = int64 (RedisHash.count h)
                            let resp3 = s.Protocol >= 3

                            if l < 0L || l = 1L then
                                let n = abs l

                                if n > maxRandomCount then
                                    return! Error RedisError.ValueOutOfRange
                                else
                                    let picked = RedisHash.randomEntries ctx.Seed (int n) h
                                    return randomReply resp3 withValues picked, false
                            elif l >= size then
                                return randomReply resp3 withValues (RedisHash.entries h), false
                            else
                                return randomReply resp3 withValues (RedisHash.randomDistinct ctx.Seed (int l) h), false
            }
            |> Outcome.ofRead ctx argv[1] s w

/// [cursor, [field, value, ...]] keeping the fields that match the pattern (MATCH * keeps all).
let private scanReply (next: uint64) (entries: struct (Bytes * Bytes)[]) (pattern: Bytes option) =
    let items = ResizeArray<RespValue>(entries.Length * 2)

    for struct (f, v) in entries do
        match pattern with
        | Some p when not (p.Length = 1 && p[0] = byte '*') && not (Glob.isMatch p f false) -> ()
        | _ ->
            items.Add(RespValue.Bulk f)
            items.Add(RespValue.Bulk v)

    RespValue.Array
        [|
            RespValue.Bulk(Bytes.ofString (string next))
            RespValue.Array(items.ToArray())
        |]

// HSCAN key cursor [MATCH pattern] [COUNT count]
let hscan: Handler =
    fun ctx s argv w ->
        result {
            let! cursor = KeyCommands.parseCursor argv[2]

            match! getHash ctx.NowMs argv[1] (World.db s.Db w) with
            | ValueNone -> return RespValue.Array [| RespValue.Bulk "0"B; emptyArray |], true
            | ValueSome h ->
                let! pattern, count, _ = KeyCommands.parseScanOptions argv 3 false

                // A listpack hash is returned whole in one step, whatever the cursor (as Redis does).
                let struct (next, entries) =
                    if h.Big then
                        RedisHash.scan cursor (int (min count 1000000L)) h
                    else
                        struct (0UL, RedisHash.entries h)

                return scanReply next entries pattern, false
        }
        |> Outcome.ofRead ctx argv[1] s w
