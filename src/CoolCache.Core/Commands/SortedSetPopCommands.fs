/// Sorted set pops (t_zset.c, Redis 7.0): ZPOPMIN ZPOPMAX ZMPOP and their blocking forms BZPOPMIN
/// BZPOPMAX BZMPOP. The rest of the sorted set commands and the shared helpers: SortedSetCommands.
module CoolCache.Core.Commands.SortedSetPopCommands

open System
open CoolCache.Core
open CoolCache.Core.Protocol
open CoolCache.Core.Values
open CoolCache.Core.Keyspace
open CoolCache.Core.State
open CoolCache.Core.Commands.Args
open CoolCache.Core.Commands.SortedSetCommands

// ---- Pops -------------------------------------------------------------------------------------

/// genericZpopCommand: the first existing key of argv[first .. first + n - 1] (WRONGTYPE if it holds
/// another kind) loses up to count entries from its low (min) or high end: Ok(key, entries in pop
/// order, new Db), or ValueNone when no key exists.
let private popGeneric (now: int64) (argv: Bytes[]) (first: int) (n: int) (max: bool) (count: int64) (db: Db) =
    let rec find i =
        if i >= first + n then
            Ok ValueNone
        else
            match getSortedSet now argv[i] db with
            | Ok ValueNone -> find (i + 1)
            | Ok(ValueSome z) -> Ok(ValueSome(struct (argv[i], z)))
            | Error e -> Error e

    find first
    |> Result.map (
        ValueOption.map (fun (struct (key, z)) ->
            let size = RedisSortedSet.count z
            let n = int (min count (int64 size))
            let start = if max then size - n else 0
            let struct (z, removed) = RedisSortedSet.removeRange db.Owner start n z

            if max then
                Array.Reverse removed

            struct (key, removed, put now key z db))
    )

/// The events of a pop from key: "zpopmin"/"zpopmax", then "del" when the set is gone from db (after).
let private popped (ctx: Ctx) (max: bool) (key: Bytes) (db: Db) (o: Outcome) =
    o
    |> Outcome.notify ctx NotifyClass.SortedSet (if max then "zpopmax" else "zpopmin") key
    |> Outcome.notifyDel ctx (ctx.Events && not (Db.exists ctx.NowMs key db)) key

/// ZPOPMIN / ZPOPMAX key [count]: no count answers a flat [member, score] (or an empty array); with a
/// count, flat in RESP2 and pairs in RESP3.
let private zpopGeneric (max: bool) : Handler =
    fun ctx s argv w ->
        result {
            if argv.Length > 3 then
                return! Error RedisError.Syntax
            else
                let! count =
                    if argv.Length = 3 then
                        match Numbers.tryParseInt64 argv[2] with
                        | ValueSome n when n >= 0L -> Ok(ValueSome n)
                        | _ -> Error RedisError.NotPositive
                    else
                        Ok ValueNone

                let db = World.db s.Db w

                match count with
                | ValueSome 0L ->
                    // Type-checked, then nothing popped.
                    let! _ = getSortedSet ctx.NowMs argv[1] db
                    return emptyArray, w, false
                | _ ->
                    match! popGeneric ctx.NowMs argv 1 1 max (defaultValueArg count 1L) db with
                    | ValueNone -> return emptyArray, w, false
                    | ValueSome(struct (_, popped, db)) ->
                        let reply =
                            if count.IsSome then
                                entriesReply s.Protocol true popped
                            else
                                entriesReply 2 true popped

                        return reply, World.withDb s.Db db w, true
        }
        |> Outcome.ofChange ctx NotifyClass.SortedSet (if max then "zpopmax" else "zpopmin") argv[1] s w

// ZPOPMIN key [count]
let zpopmin: Handler = zpopGeneric false

// ZPOPMAX key [count]
let zpopmax: Handler = zpopGeneric true

/// ZMPOP/BZMPOP arguments from numkeys at argv[at]: the key count, MIN|MAX and COUNT (default 1), read
/// in Redis's order (zmpopGenericCommand).
let private readMpopArgs (argv: Bytes[]) (at: int) : Result<struct (int * bool * int64), RedisError> =
    match Numbers.tryParseInt64 argv[at] with
    | ValueSome n when n >= 1L ->
        if n > int64 (argv.Length - at - 2) then
            Error RedisError.Syntax
        else
            let whereAt = at + int n + 1

            let where =
                if is "MIN" argv[whereAt] then Ok false
                elif is "MAX" argv[whereAt] then Ok true
                else Error RedisError.Syntax

            let rec options j count =
                if j >= argv.Length then
                    Ok(if count = -1L then 1L else count)
                elif count = -1L && is "COUNT" argv[j] && j < argv.Length - 1 then
                    match Numbers.tryParseInt64 argv[j + 1] with
                    | ValueSome c when c >= 1L -> options (j + 2) c
                    | _ -> Error RedisError.CountNotPositive
                else
                    Error RedisError.Syntax

            match where with
            | Error e -> Error e
            | Ok max ->
                options (whereAt + 1) -1L
                |> Result.map (fun count -> struct (int n, max, count))
    | _ -> Error RedisError.NumkeysNotPositive

/// [key, [[member, score], ...]] in both protocols (ZMPOP, BZMPOP).
let private mpopReply (key: Bytes) (popped: ScoredMember[]) =
    RespValue.Array [| RespValue.Bulk key; RespValue.Array(Array.map pair popped) |]

// ZMPOP numkeys key [key ...] MIN|MAX [COUNT count]
let zmpop: Handler =
    fun ctx s argv w ->
        match readMpopArgs argv 1 with
        | Error e -> Outcome.error e s w
        | Ok(struct (n, max, count)) ->
            match popGeneric ctx.NowMs argv 2 n max count (World.db s.Db w) with
            | Error e -> Outcome.error e s w
            | Ok ValueNone -> Outcome.reply RespValue.NullArray s w
            | Ok(ValueSome(struct (key, removed, db))) ->
                Outcome.reply (mpopReply key removed) s (World.withDb s.Db db w)
                |> popped ctx max key db

// ---- Blocking pops (blocking.c): when no key holds a sorted set the client waits (Outcome.waitFor);
// the host runs the same command again once one of the keys holds one. -------------------------

let private waitForSortedSets (s: Session) (keys: Bytes[]) (deadline: int64) (w: World) =
    Outcome.waitFor "zset" keys deadline RespValue.NullArray s w

/// BZPOPMIN / BZPOPMAX key [key ...] timeout: [key, member, score]; the timeout is read first.
let private bzpopGeneric (max: bool) : Handler =
    fun ctx s argv w ->
        match Args.readTimeout ctx.NowMs argv[argv.Length - 1] with
        | Error e -> Outcome.error e s w
        | Ok deadline ->
            match popGeneric ctx.NowMs argv 1 (argv.Length - 2) max 1L (World.db s.Db w) with
            | Error e -> Outcome.error e s w
            | Ok(ValueSome(struct (key, removed, db))) ->
                let e = removed[0]

                Outcome.reply
                    (RespValue.Array [| RespValue.Bulk key; RespValue.Bulk e.Member; RespValue.Double e.Score |])
                    s
                    (World.withDb s.Db db w)
                |> popped ctx max key db
            | Ok ValueNone -> waitForSortedSets s argv[1 .. argv.Length - 2] deadline w

// BZPOPMIN key [key ...] timeout
let bzpopmin: Handler = bzpopGeneric false

// BZPOPMAX key [key ...] timeout
let bzpopmax: Handler = bzpopGeneric true

// BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count] — numkeys, MIN|MAX and COUNT are read
// before the timeout (zmpopGenericCommand, then blockingGenericZpopCommand).
let bzmpop: Handler =
    fun ctx s argv w ->
        match readMpopArgs argv 2 with
        | Error e -> Outcome.error e s w
        | Ok(struct (n, max, count)) ->
            match Args.readTimeout ctx.NowMs argv[1] with
            | Error e -> Outcome.error e s w
            | Ok deadline ->
                match popGeneric ctx.NowMs argv 3 n max count (World.db s.Db w) with
                | Error e -> Outcome.error e s w
                | Ok(ValueSome(struct (key, removed, db))) ->
                    Outcome.reply (mpopReply key removed) s (World.withDb s.Db db w)
                    |> popped ctx max key db
                | Ok ValueNone -> waitForSortedSets s argv[3 .. 2 + n] deadline w
