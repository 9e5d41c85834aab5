/// Set commands (t_set.c, Redis 7.0): SADD SREM SMEMBERS SISMEMBER SMISMEMBER SCARD SPOP SRANDMEMBER
/// SMOVE SINTER SINTERCARD SINTERSTORE SUNION SUNIONSTORE SDIFF SDIFFSTORE SSCAN. Randomness comes
/// from Ctx.Seed. An emptied set is deleted; stores of an empty result delete the destination; RESP3
/// replies of SMEMBERS/SINTER/SUNION/SDIFF/SPOP count are sets (~), as in 7.0.
module CoolCache.Core.Commands.SetCommands

open System
open CoolCache.Core
open CoolCache.Core.Collections
open CoolCache.Core.Protocol
open CoolCache.Core.Values
open CoolCache.Core.Keyspace
open CoolCache.Core.State
open CoolCache.Core.Commands.Args

// ---- Helpers ----------------------------------------------------------------------------------

/// The set at key: Ok(ValueSome set), Ok ValueNone when absent, WRONGTYPE for other kinds.
let private getSet (now: int64) (key: Bytes) (db: Db) : Result<RedisSet voption, RedisError> =
    match Db.tryGet now key db with
    | ValueNone -> Ok ValueNone
    | ValueSome(Value.Set set) -> Ok(ValueSome set)
    | ValueSome _ -> Error RedisError.WrongType

/// Writes a changed set back (the key's deadline stays), or deletes the key when the set is empty.
let private putSet (now: int64) (key: Bytes) (set: RedisSet) (db: Db) =
    if RedisSet.count set = 0 then
        Db.remove key db
    else
        Db.set now key (Value.Set set) Ttl.Keep db

/// The result of a store command: a new value for dst (no deadline), or dst deleted when empty.
let private storeResult (now: int64) (dst: Bytes) (set: RedisSet) (db: Db) =
    if RedisSet.count set = 0 then
        Db.remove dst db
    else
        Db.set now dst (Value.Set set) Ttl.Clear db

let private bulks (members: Bytes[]) = Array.map RespValue.Bulk members

let private intReply (n: int) = RespValue.Integer(int64 n)

let private emptySet = RespValue.Set [||]

/// The sets at argv[first..last]: ValueNone for a missing key; WRONGTYPE if any key holds another kind
/// (even after a missing one, as Redis type-checks every key first).
let private readSets (now: int64) (argv: Bytes[]) (first: int) (last: int) (db: Db) =
    let sets = Array.zeroCreate (last - first + 1)
    let mutable error = None
    let mutable i = first

    while error.IsNone && i <= last do
        match getSet now argv[i] db with
        | Ok s -> sets[i - first] <- s
        | Error e -> error <- Some e

        i <- i + 1

    match error with
    | Some e -> Error e
    | None -> Ok sets

/// The "keymiss" events of the keys of argv[first..last] that readSets finds missing, up to the one of
/// another kind (Redis looks them up in order and stops there). Computed before the command writes.
let private misses (ctx: Ctx) (s: Session) (argv: Bytes[]) (first: int) (last: int) (db: Db) =
    if not ctx.Events then
        []
    else
        let mutable events = []
        let mutable i = first

        while i <= last do
            match Db.tryGet ctx.NowMs argv[i] db with
            | ValueSome(Value.Set _) -> i <- i + 1
            | ValueNone ->
                events <-
                    {
                        Class = NotifyClass.KeyMiss
                        Event = "keymiss"
                        Db = s.Db
                        Key = argv[i]
                    }
                    :: events

                i <- i + 1
            | ValueSome _ -> i <- last + 1

        List.rev events

/// SINTER/SUNION/SDIFF and their stores (dst): the sources' misses, then for a store "new" and the
/// command's event for a stored result, or "del" when an empty one deleted an existing dst. The sources
/// are argv[first..]; run gives the reply, the World and the size stored.
let private algebra
    (ctx: Ctx)
    (event: string)
    (dst: Bytes voption)
    (first: int)
    (s: Session)
    (argv: Bytes[])
    (w: World)
    (run: Db -> Result<RespValue * World * int, RedisError>)
    =
    let db = World.db s.Db w
    // What the events need is read before run writes (a live Db is edited in place).
    let missed = misses ctx s argv first (argv.Length - 1) db

    let dstExisted =
        ctx.Events
        && (match dst with
            | ValueSome d -> Db.exists ctx.NowMs d db
            | ValueNone -> false)

    match run db with
    | Error e -> Outcome.error e s w |> Outcome.notifyAll ctx missed
    | Ok(reply, w', count) ->
        let o = Outcome.reply reply s w' |> Outcome.notifyAll ctx missed

        match dst with
        | ValueNone -> o
        | ValueSome dst ->
            o
            |> Outcome.notifyNew ctx (count > 0 && not dstExisted) dst
            |> Outcome.notifyIf ctx (count > 0) NotifyClass.Set event dst
            |> Outcome.notifyDel ctx (count = 0 && dstExisted) dst

/// The present sets, or None when one is missing (an intersection with it is empty).
let private allPresent (sets: RedisSet voption[]) =
    if sets |> Array.exists (fun s -> s.IsNone) then
        None
    else
        Some(sets |> Array.map (fun s -> s.Value))

let private present (sets: RedisSet voption[]) =
    sets |> Array.choose (fun s -> if s.IsSome then Some s.Value else None)

// ---- Commands ---------------------------------------------------------------------------------

// SADD key member [member ...]
let sadd: Handler =
    fun ctx s argv w ->
        let db = World.db s.Db w

        match getSet ctx.NowMs argv[1] db with
        | Error e -> Outcome.error e s w
        | Ok current ->
            let before = ValueOption.defaultValue RedisSet.empty current
            let max = w.Config.SetMaxIntsetEntries
            let mutable set = before

            for i in 2 .. argv.Length - 1 do
                set <- RedisSet.add db.Owner max argv[i] set

            let added = RedisSet.count set - RedisSet.count before

            if added = 0 then
                Outcome.reply (intReply 0) s w
            else
                Outcome.reply
                    (intReply added)
                    s
                    (World.withDb s.Db (Db.set ctx.NowMs argv[1] (Value.Set set) Ttl.Keep db) w)
                |> Outcome.notifyNew ctx current.IsNone argv[1]
                |> Outcome.notify ctx NotifyClass.Set "sadd" argv[1]

// SREM key member [member ...]
let srem: Handler =
    fun ctx s argv w ->
        let db = World.db s.Db w

        match getSet ctx.NowMs argv[1] db with
        | Error e -> Outcome.error e s w
        | Ok ValueNone -> Outcome.reply (intReply 0) s w
        | Ok(ValueSome before) ->
            let mutable set = before

            for i in 2 .. argv.Length - 1 do
                set <- RedisSet.remove db.Owner argv[i] set

            let removed = RedisSet.count before - RedisSet.count set

            Outcome.ofChange
                ctx
                NotifyClass.Set
                "srem"
                argv[1]
                s
                w
                (Ok(
                    intReply removed,
                    (if removed = 0 then
                         w
                     else
                         World.withDb s.Db (putSet ctx.NowMs argv[1] set db) w),
                    removed > 0
                ))

// SISMEMBER key member
let sismember: Handler =
    fun ctx s argv w ->
        match getSet ctx.NowMs argv[1] (World.db s.Db w) with
        | Error e -> Outcome.error e s w
        | Ok(ValueSome set) when RedisSet.contains argv[2] set -> Outcome.reply (intReply 1) s w
        | Ok(ValueSome _) -> Outcome.reply (intReply 0) s w
        | Ok ValueNone -> Outcome.reply (intReply 0) s w |> Outcome.keymiss ctx argv[1]

// SMISMEMBER key member [member ...]
let smismember: Handler =
    fun ctx s argv w ->
        match getSet ctx.NowMs argv[1] (World.db s.Db w) with
        | Error e -> Outcome.error e s w
        | Ok set ->
            let isMember (m: Bytes) =
                match set with
                | ValueSome set when RedisSet.contains m set -> intReply 1
                | _ -> intReply 0

            Outcome.reply (RespValue.Array(Array.init (argv.Length - 2) (fun i -> isMember argv[i + 2]))) s w
            |> Outcome.notifyIf ctx set.IsNone NotifyClass.KeyMiss "keymiss" argv[1]

// SCARD key
let scard: Handler =
    fun ctx s argv w ->
        match getSet ctx.NowMs argv[1] (World.db s.Db w) with
        | Error e -> Outcome.error e s w
        | Ok(ValueSome set) -> Outcome.reply (intReply (RedisSet.count set)) s w
        | Ok ValueNone -> Outcome.reply (intReply 0) s w |> Outcome.keymiss ctx argv[1]

/// SPOP key count: the count is read before the key (its error wins); count >= size pops everything.
let private spopWithCount (ctx: Ctx) (s: Session) (argv: Bytes[]) (w: World) =
    let db = World.db s.Db w

    result {
        let! count =
            match Numbers.tryParseInt64 argv[2] with
            | ValueSome n when n >= 0L -> Ok n
            | _ -> Error RedisError.NotPositive

        match! getSet ctx.NowMs argv[1] db with
        | ValueNone -> return emptySet, w, false
        | ValueSome _ when count = 0L -> return emptySet, w, false
        | ValueSome set when count >= int64 (RedisSet.count set) ->
            // Redis replies with SUNION of the one set: ascending when that union would be an intset.
            let members =
                RedisSet.inReplyOrder w.Config.SetMaxIntsetEntries (RedisSet.toArray set)

            return RespValue.Set(bulks members), World.withDb s.Db (Db.remove argv[1] db) w, true
        | ValueSome set ->
            let struct (popped, rest) =
                RedisSet.popMany db.Owner w.Config.SetMaxIntsetEntries ctx.Seed (Checked.int count) set

            return RespValue.Set(bulks popped), World.withDb s.Db (putSet ctx.NowMs argv[1] rest db) w, true
    }
    |> Outcome.ofChange ctx NotifyClass.Set "spop" argv[1] s w

// SPOP key [count]
let spop: Handler =
    fun ctx s argv w ->
        if argv.Length > 3 then
            Outcome.error RedisError.Syntax s w
        elif argv.Length = 3 then
            spopWithCount ctx s argv w
        else
            let db = World.db s.Db w

            match getSet ctx.NowMs argv[1] db with
            | Error e -> Outcome.error e s w
            | Ok ValueNone -> Outcome.reply RespValue.Null s w
            | Ok(ValueSome set) ->
                let m = RedisSet.randomMember ctx.Seed set
                let db = putSet ctx.NowMs argv[1] (RedisSet.remove db.Owner m set) db

                Outcome.ofChange
                    ctx
                    NotifyClass.Set
                    "spop"
                    argv[1]
                    s
                    w
                    (Ok(RespValue.Bulk m, World.withDb s.Db db w, true))

/// SRANDMEMBER key count: negative counts allow repeats; replies are arrays (not sets) in RESP3 too.
let private srandmemberWithCount (ctx: Ctx) (s: Session) (argv: Bytes[]) (w: World) =
    result {
        let! count = readInt64 argv[2]

        if count = Int64.MinValue then
            return! Error(RedisError.OutOfRangeBetween(-Int64.MaxValue, Int64.MaxValue))
        else
            match! getSet ctx.NowMs argv[1] (World.db s.Db w) with
            | ValueNone -> return RespValue.Array [||], true
            | ValueSome _ when count = 0L -> return RespValue.Array [||], false
            | ValueSome set when count < 0L ->
                return RespValue.Array(bulks (RedisSet.randomWithRepeats ctx.Seed (Checked.int -count) set)), false
            | ValueSome set ->
                let count = int (min count (int64 (RedisSet.count set)))
                return RespValue.Array(bulks (RedisSet.randomDistinct ctx.Seed count set)), false
    }
    |> Outcome.ofRead ctx argv[1] s w

// SRANDMEMBER key [count]
let srandmember: Handler =
    fun ctx s argv w ->
        if argv.Length > 3 then
            Outcome.error RedisError.Syntax s w
        elif argv.Length = 3 then
            srandmemberWithCount ctx s argv w
        else
            match getSet ctx.NowMs argv[1] (World.db s.Db w) with
            | Error e -> Outcome.error e s w
            | Ok ValueNone -> Outcome.reply RespValue.Null s w |> Outcome.keymiss ctx argv[1]
            | Ok(ValueSome set) -> Outcome.reply (RespValue.Bulk(RedisSet.randomMember ctx.Seed set)) s w

// SMOVE source destination member
let smove: Handler =
    fun ctx s argv w ->
        let db = World.db s.Db w
        let src, dst, m = argv[1], argv[2], argv[3]

        result {
            let! source = getSet ctx.NowMs src db

            match source with
            // A missing source answers 0 before the destination's type is looked at.
            | ValueNone -> return intReply 0, w, ValueNone
            | ValueSome source ->
                let! target = getSet ctx.NowMs dst db

                if Bytes.equals src dst then
                    return intReply (if RedisSet.contains m source then 1 else 0), w, ValueNone
                elif not (RedisSet.contains m source) then
                    return intReply 0, w, ValueNone
                else
                    let created = target.IsNone

                    let added = not (target.IsSome && RedisSet.contains m target.Value)

                    let db = putSet ctx.NowMs src (RedisSet.remove db.Owner m source) db
                    let srcDeleted = not (Db.exists ctx.NowMs src db)
                    let target = ValueOption.defaultValue RedisSet.empty target
                    let target = RedisSet.add db.Owner w.Config.SetMaxIntsetEntries m target
                    let w = World.withDb s.Db (Db.set ctx.NowMs dst (Value.Set target) Ttl.Keep db) w
                    return intReply 1, w, ValueSome(struct (srcDeleted, created, added))
        }
        |> function
            | Error e -> Outcome.error e s w
            | Ok(reply, w', ValueNone) -> Outcome.reply reply s w'
            | Ok(reply, w', ValueSome(struct (srcDeleted, created, added))) ->
                Outcome.reply reply s w'
                |> Outcome.notify ctx NotifyClass.Set "srem" src
                |> Outcome.notifyDel ctx srcDeleted src
                |> Outcome.notifyNew ctx created dst
                |> Outcome.notifyIf ctx added NotifyClass.Set "sadd" dst

/// SINTER, SMEMBERS (7.0 serves it with SINTER) and SINTERSTORE: keys are argv[first..].
let private interGeneric (dst: Bytes voption) (first: int) : Handler =
    fun ctx s argv w ->
        algebra ctx "sinterstore" dst first s argv w (fun db ->
            result {
                let! sets = readSets ctx.NowMs argv first (argv.Length - 1) db

                let members =
                    match allPresent sets with
                    | Some sets -> (RedisSet.inter 0 sets).ToArray()
                    | None -> [||]

                match dst with
                | ValueNone -> return RespValue.Set(bulks members), w, 0
                | ValueSome dst ->
                    let set = RedisSet.ofMembers db.Owner w.Config.SetMaxIntsetEntries members

                    return
                        intReply members.Length, World.withDb s.Db (storeResult ctx.NowMs dst set db) w, members.Length
            })

// SMEMBERS key
let smembers: Handler = interGeneric ValueNone 1

// SINTER key [key ...]
let sinter: Handler = interGeneric ValueNone 1

// SINTERSTORE destination key [key ...]
let sinterstore: Handler =
    fun ctx s argv w -> interGeneric (ValueSome argv[1]) 2 ctx s argv w

/// SINTERCARD's numkeys and LIMIT, with Redis's texts (getRangeLongFromObjectOrReply with a message).
let private parseIntercard (argv: Bytes[]) =
    result {
        let! numkeys =
            match Numbers.tryParseInt64 argv[1] with
            | ValueSome n when n >= 1L -> Ok n
            | _ -> Error RedisError.NumkeysNotPositive

        if numkeys > int64 (argv.Length - 2) then
            return! Error RedisError.NumkeysTooMany
        else
            let rec options j limit =
                if j >= argv.Length then
                    Ok limit
                elif is "LIMIT" argv[j] && j + 1 < argv.Length then
                    match Numbers.tryParseInt64 argv[j + 1] with
                    | ValueSome n when n >= 0L -> options (j + 2) n
                    | _ -> Error RedisError.LimitNegative
                else
                    Error RedisError.Syntax

            let! limit = options (2 + Checked.int numkeys) 0L
            return Checked.int numkeys, limit
    }

// SINTERCARD numkeys key [key ...] [LIMIT limit]
let sintercard: Handler =
    fun ctx s argv w ->
        match parseIntercard argv with
        | Error e -> Outcome.error e s w
        | Ok(numkeys, limit) ->
            let db = World.db s.Db w

            match readSets ctx.NowMs argv 2 (1 + numkeys) db with
            | Error e -> Outcome.error e s w
            | Ok sets ->
                match allPresent sets with
                | None -> Outcome.reply (intReply 0) s w
                | Some sets ->
                    let members = RedisSet.inter (int (min limit (int64 Int32.MaxValue))) sets
                    Outcome.reply (intReply members.Count) s w
            |> Outcome.notifyAll ctx (misses ctx s argv 2 (1 + numkeys) db)

/// SUNION and SUNIONSTORE: keys are argv[first..]; missing keys are empty sets.
let private unionGeneric (dst: Bytes voption) (first: int) : Handler =
    fun ctx s argv w ->
        algebra ctx "sunionstore" dst first s argv w (fun db ->
            result {
                let! sets = readSets ctx.NowMs argv first (argv.Length - 1) db

                match dst with
                | ValueNone ->
                    // A throwaway owner: the union is built in place and dropped after the reply.
                    let union = RedisSet.union (obj ()) w.Config.SetMaxIntsetEntries (present sets)
                    return RespValue.Set(bulks (RedisSet.toArray union)), w, 0
                | ValueSome dst ->
                    let union = RedisSet.union db.Owner w.Config.SetMaxIntsetEntries (present sets)
                    let count = RedisSet.count union
                    return intReply count, World.withDb s.Db (storeResult ctx.NowMs dst union db) w, count
            })

// SUNION key [key ...]
let sunion: Handler = unionGeneric ValueNone 1

// SUNIONSTORE destination key [key ...]
let sunionstore: Handler =
    fun ctx s argv w -> unionGeneric (ValueSome argv[1]) 2 ctx s argv w

/// SDIFF and SDIFFSTORE: keys are argv[first..]; a missing first key makes the result empty.
let private diffGeneric (dst: Bytes voption) (first: int) : Handler =
    fun ctx s argv w ->
        algebra ctx "sdiffstore" dst first s argv w (fun db ->
            result {
                let! sets = readSets ctx.NowMs argv first (argv.Length - 1) db

                let members =
                    match sets[0] with
                    | ValueSome head -> (RedisSet.diff head (present sets[1..])).ToArray()
                    | ValueNone -> [||]

                match dst with
                | ValueNone ->
                    return RespValue.Set(bulks (RedisSet.inReplyOrder w.Config.SetMaxIntsetEntries members)), w, 0
                | ValueSome dst ->
                    let set = RedisSet.ofMembers db.Owner w.Config.SetMaxIntsetEntries members

                    return
                        intReply members.Length, World.withDb s.Db (storeResult ctx.NowMs dst set db) w, members.Length
            })

// SDIFF key [key ...]
let sdiff: Handler = diffGeneric ValueNone 1

// SDIFFSTORE destination key [key ...]
let sdiffstore: Handler =
    fun ctx s argv w -> diffGeneric (ValueSome argv[1]) 2 ctx s argv w

// SSCAN key cursor [MATCH pattern] [COUNT count]
let sscan: Handler =
    fun ctx s argv w ->
        let emptyScan = RespValue.Array [| RespValue.ofString "0"; RespValue.Array [||] |]

        result {
            let! cursor = KeyCommands.parseCursor argv[2]

            // Options are only read once the key is known to hold a set (scanGenericCommand).
            match! getSet ctx.NowMs argv[1] (World.db s.Db w) with
            | ValueNone -> return emptyScan, true
            | ValueSome set ->
                let! pattern, count, _ = KeyCommands.parseScanOptions argv 3 false

                let pattern =
                    pattern |> Option.filter (fun p -> not (p.Length = 1 && p[0] = byte '*'))

                // An intset is answered whole (ascending) in one call with cursor 0, whatever COUNT says.
                let struct (next, members) =
                    if set.Intset then
                        struct (0UL, RedisSet.toArray set)
                    else
                        let struct (next, entries) =
                            HashMap.scan cursor (int (min count 1000000L)) set.Members

                        struct (next, entries |> Array.map (fun struct (m, _) -> m))

                let found =
                    members
                    |> Array.filter (fun m ->
                        match pattern with
                        | Some p -> Glob.isMatch p m false
                        | None -> true)
                    |> Array.map RespValue.Bulk

                return RespValue.Array [| RespValue.ofString (string next); RespValue.Array found |], false
        }
        |> Outcome.ofRead ctx argv[1] s w
