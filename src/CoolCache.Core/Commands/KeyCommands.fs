/// Keyspace commands (db.c, expire.c, object.c): DEL EXISTS TYPE KEYS SCAN RANDOMKEY RENAME COPY MOVE
/// TOUCH, the EXPIRE and TTL families, PERSIST, OBJECT, DBSIZE, FLUSHDB, FLUSHALL, SWAPDB.
module CoolCache.Core.Commands.KeyCommands

open System
open CoolCache.Core
open CoolCache.Core.Collections
open CoolCache.Core.Protocol
open CoolCache.Core.Values
open CoolCache.Core.Keyspace
open CoolCache.Core.State
open CoolCache.Core.Commands.Args

let private intReply (n: int) = RespValue.Integer(int64 n)

let private countWhere (argv: Bytes[]) (f: Bytes -> bool) =
    let mutable n = 0

    for i in 1 .. argv.Length - 1 do
        if f argv[i] then
            n <- n + 1

    n

// DEL key [key ...]   (UNLINK is the same here: freeing is the GC's job either way)
let del: Handler =
    fun ctx s argv w ->
        let mutable db = World.db s.Db w
        let mutable n = 0
        let mutable events = []

        for i in 1 .. argv.Length - 1 do
            if Db.exists ctx.NowMs argv[i] db then
                n <- n + 1

                if ctx.Events then
                    events <-
                        {
                            Class = NotifyClass.Generic
                            Event = "del"
                            Db = s.Db
                            Key = argv[i]
                        }
                        :: events

            db <- Db.remove argv[i] db

        Outcome.reply (intReply n) s (World.withDb s.Db db w)
        |> Outcome.notifyAll ctx (List.rev events)

// EXISTS key [key ...]
let exists: Handler =
    fun ctx s argv w ->
        let db = World.db s.Db w

        Outcome.reply (intReply (countWhere argv (fun k -> Db.exists ctx.NowMs k db))) s w
        |> Outcome.keymisses ctx db argv 1 (argv.Length - 1)

// TOUCH key [key ...]
let touch: Handler = exists

// TYPE key
let typeOf: Handler =
    fun ctx s argv w ->
        match Db.tryGet ctx.NowMs argv[1] (World.db s.Db w) with
        | ValueSome v -> Outcome.reply (RespValue.Simple(Value.typeName v)) s w
        | ValueNone -> Outcome.reply (RespValue.Simple "none") s w |> Outcome.keymiss ctx argv[1]

let private isLive (now: int64) (db: Db) (key: Bytes) =
    match Db.deadline key db with
    | ValueSome at -> at > now
    | ValueNone -> true

// KEYS pattern
let keys: Handler =
    fun ctx s argv w ->
        let db = World.db s.Db w
        let all = argv[1].Length = 1 && argv[1][0] = byte '*'

        let found =
            db.Keys
            |> HashMap.toSeq
            |> Seq.filter (fun struct (k, _) -> isLive ctx.NowMs db k && (all || Glob.isMatch argv[1] k false))
            |> Seq.map (fun struct (k, _) -> RespValue.Bulk k)
            |> Seq.toArray

        Outcome.reply (RespValue.Array found) s w

/// Redis parseScanCursorOrReply: strtoul rules (sign allowed, no leading space, no trailing garbage).
let parseCursor (b: Bytes) : Result<uint64, RedisError> =
    let mutable i = 0
    let neg = b.Length > 0 && b[0] = byte '-'

    if b.Length > 0 && (b[0] = byte '-' || b[0] = byte '+') then
        i <- 1

    let mutable value = 0UL

    let mutable ok =
        not (b.Length > 0 && (b[0] = byte ' ' || (b[0] >= 9uy && b[0] <= 13uy)))

    let digitsStart = i

    while ok && i < b.Length do
        let c = b[i]

        if c >= byte '0' && c <= byte '9' then
            let d = uint64 (c - byte '0')

            if value > (UInt64.MaxValue - d) / 10UL then
                ok <- false
            else
                value <- value * 10UL + d

            i <- i + 1
        else
            ok <- false

    // A lone sign is not a cursor: strtoul stops at it (only the empty string reads as 0 without digits).
    if i = digitsStart && b.Length > 0 then
        ok <- false

    if not ok then Error RedisError.InvalidCursor
    elif i = digitsStart then Ok 0UL
    elif neg then Ok(0UL - value)
    else Ok value

/// The options of SCAN-style commands: MATCH, COUNT, TYPE (from argv[start..]).
let parseScanOptions (argv: Bytes[]) (start: int) (allowType: bool) =
    let rec go j (pattern: Bytes option, count: int64, typ: Bytes option) =
        if j >= argv.Length then
            Ok(pattern, count, typ)
        elif j + 1 >= argv.Length then
            Error RedisError.Syntax
        elif is "COUNT" argv[j] then
            match Args.readInt64 argv[j + 1] with
            | Ok n when n < 1L -> Error RedisError.Syntax
            | Ok n -> go (j + 2) (pattern, n, typ)
            | Error e -> Error e
        elif is "MATCH" argv[j] then
            go (j + 2) (Some argv[j + 1], count, typ)
        elif allowType && is "TYPE" argv[j] then
            go (j + 2) (pattern, count, Some argv[j + 1])
        else
            Error RedisError.Syntax

    go start (None, 10L, None)

// SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]
let scan: Handler =
    fun ctx s argv w ->
        result {
            let! cursor = parseCursor argv[1]
            let! pattern, count, typ = parseScanOptions argv 2 true
            // MATCH * is no filter at all in Redis (it also matches the empty key).
            let pattern =
                pattern |> Option.filter (fun p -> not (p.Length = 1 && p[0] = byte '*'))

            let db = World.db s.Db w
            let struct (next, entries) = HashMap.scan cursor (int (min count 1000000L)) db.Keys

            let keep (struct (k: Bytes, v: Value)) =
                isLive ctx.NowMs db k
                && (match pattern with
                    | Some p -> Glob.isMatch p k false
                    | None -> true)
                && (match typ with
                    | Some t -> String.Equals(Bytes.toLatin1 t, Value.typeName v, StringComparison.OrdinalIgnoreCase)
                    | None -> true)

            let found =
                entries
                |> Array.filter keep
                |> Array.map (fun struct (k, _) -> RespValue.Bulk k)

            return RespValue.Array [| RespValue.Bulk(Bytes.ofString (string next)); RespValue.Array found |], w
        }
        |> Outcome.ofResult s w

// RANDOMKEY
let randomkey: Handler =
    fun ctx s _ w ->
        let db = World.db s.Db w

        let rec pick (seed: uint64) tries =
            match HashMap.randomEntry seed db.Keys with
            | ValueNone -> RespValue.Null
            | ValueSome(struct (k, _)) when isLive ctx.NowMs db k -> RespValue.Bulk k
            | ValueSome _ when tries = 0 -> RespValue.Null
            | ValueSome _ -> pick (seed * 6364136223846793005UL + 1442695040888963407UL) (tries - 1)

        Outcome.reply (pick ctx.Seed 100) s w

let private renameGeneric (nx: bool) (ctx: Ctx) (s: Session) (argv: Bytes[]) (w: World) =
    let db = World.db s.Db w
    let src, dst = argv[1], argv[2]

    match Db.tryGet ctx.NowMs src db with
    | ValueNone -> Outcome.error RedisError.NoSuchKey s w
    | ValueSome _ when Bytes.equals src dst -> Outcome.reply (if nx then intReply 0 else RespValue.Ok) s w
    | ValueSome _ when nx && Db.exists ctx.NowMs dst db -> Outcome.reply (intReply 0) s w
    | ValueSome v ->
        let ttl =
            match Db.deadline src db with
            | ValueSome at -> Ttl.At at
            | ValueNone -> Ttl.Clear

        let db = db |> Db.remove dst |> Db.set ctx.NowMs dst v ttl |> Db.remove src

        // Redis deletes an existing destination and adds the key anew: always "new".
        Outcome.reply (if nx then intReply 1 else RespValue.Ok) s (World.withDb s.Db db w)
        |> Outcome.notifyNew ctx true dst
        |> Outcome.notify ctx NotifyClass.Generic "rename_from" src
        |> Outcome.notify ctx NotifyClass.Generic "rename_to" dst

// RENAME key newkey
let rename: Handler = renameGeneric false

// RENAMENX key newkey
let renamenx: Handler = renameGeneric true

let private ttlOf (db: Db) (key: Bytes) =
    match Db.deadline key db with
    | ValueSome at -> Ttl.At at
    | ValueNone -> Ttl.Clear

/// A database index argument: NotInteger when not an int, DbIndexOutOfRange when outside the databases.
let dbIndex (w: World) (b: Bytes) =
    match Args.readInt b with
    | Ok i when i >= 0 && i < w.Dbs.Length -> Ok i
    | Ok _ -> Error RedisError.DbIndexOutOfRange
    | Error e -> Error e

// COPY source destination [DB destination-db] [REPLACE]
let copy: Handler =
    fun ctx s argv w ->
        let rec options j (target, replace) =
            if j >= argv.Length then
                Ok(target, replace)
            elif is "REPLACE" argv[j] then
                options (j + 1) (target, true)
            elif is "DB" argv[j] && j + 1 < argv.Length then
                match Args.readInt64 argv[j + 1] with
                | Error e -> Error e
                | Ok n when n < 0L || n >= int64 w.Dbs.Length -> Error RedisError.DbIndexOutOfRange
                | Ok n -> options (j + 2) (int n, replace)
            else
                Error RedisError.Syntax

        let src, dst = argv[1], argv[2]

        result {
            let! target, replace = options 3 (s.Db, false)

            if target = s.Db && Bytes.equals src dst then
                return! Error RedisError.SameObject
            else
                let sdb = World.db s.Db w

                match Db.tryGet ctx.NowMs src sdb with
                | ValueNone -> return intReply 0, w, -2, false
                | ValueSome v ->
                    let ddb = World.db target w
                    // In the session's database Dispatch has already removed an expired dst (LazyExpiry).
                    let stale = Db.isStale ctx.NowMs dst ddb

                    if Db.exists ctx.NowMs dst ddb && not replace then
                        return intReply 0, w, -1, false
                    else
                        let ddb =
                            ddb |> Db.remove dst |> Db.set ctx.NowMs dst (Value.duplicate v) (ttlOf sdb src)

                        return intReply 1, World.withDb target ddb w, target, stale
        }
        // The third value: -2 the source is missing, -1 nothing copied, else the target database; the
        // fourth: the target database held dst past its deadline (Redis's lookup there tells "expired").
        |> function
            | Error e -> Outcome.error e s w
            | Ok(reply, w', -2, _) -> Outcome.reply reply s w' |> Outcome.keymiss ctx src
            | Ok(reply, w', -1, _) -> Outcome.reply reply s w'
            | Ok(reply, w', target, stale) ->
                // A replaced destination is deleted and the copy added anew: always "new".
                Outcome.reply reply s w'
                |> Outcome.notifyExpired ctx stale target dst
                |> Outcome.notifyIn ctx target NotifyClass.New "new" dst
                |> Outcome.notifyIn ctx target NotifyClass.Generic "copy_to" dst

// MOVE key db
let move: Handler =
    fun ctx s argv w ->
        result {
            let! target = dbIndex w argv[2]

            if target = s.Db then
                return! Error RedisError.SameObject
            else
                let sdb = World.db s.Db w
                let ddb = World.db target w

                match Db.tryGet ctx.NowMs argv[1] sdb with
                | ValueNone -> return intReply 0, w, -1, false
                | ValueSome _ when Db.exists ctx.NowMs argv[1] ddb -> return intReply 0, w, -1, false
                | ValueSome v ->
                    let stale = Db.isStale ctx.NowMs argv[1] ddb
                    let ddb = ddb |> Db.remove argv[1] |> Db.set ctx.NowMs argv[1] v (ttlOf sdb argv[1])
                    let w = w |> World.withDb target ddb |> World.withDb s.Db (Db.remove argv[1] sdb)
                    return intReply 1, w, target, stale
        }
        // The third value: -1 nothing moved, else the target database; the fourth: the target database
        // held the key past its deadline (Redis's lookup there tells "expired").
        |> function
            | Error e -> Outcome.error e s w
            | Ok(reply, w', -1, _) -> Outcome.reply reply s w'
            | Ok(reply, w', target, stale) ->
                Outcome.reply reply s w'
                |> Outcome.notifyExpired ctx stale target argv[1]
                |> Outcome.notifyIn ctx target NotifyClass.New "new" argv[1]
                |> Outcome.notify ctx NotifyClass.Generic "move_from" argv[1]
                |> Outcome.notifyIn ctx target NotifyClass.Generic "move_to" argv[1]

[<Flags>]
type ExpireFlags =
    | None = 0
    | NX = 1
    | XX = 2
    | GT = 4
    | LT = 8

let private parseExpireFlags (argv: Bytes[]) =
    let rec go j (f: ExpireFlags) =
        if j >= argv.Length then Ok f
        elif is "NX" argv[j] then go (j + 1) (f ||| ExpireFlags.NX)
        elif is "XX" argv[j] then go (j + 1) (f ||| ExpireFlags.XX)
        elif is "GT" argv[j] then go (j + 1) (f ||| ExpireFlags.GT)
        elif is "LT" argv[j] then go (j + 1) (f ||| ExpireFlags.LT)
        else Error(RedisError.UnsupportedOption argv[j])

    go 3 ExpireFlags.None
    |> Result.bind (fun f ->
        let has x = f &&& x <> ExpireFlags.None

        if has ExpireFlags.NX && has (ExpireFlags.XX ||| ExpireFlags.GT ||| ExpireFlags.LT) then
            Error RedisError.ExpireNxConflict
        elif has ExpireFlags.GT && has ExpireFlags.LT then
            Error RedisError.ExpireGtLtConflict
        else
            Ok f)

/// Redis expireGenericCommand: basetime is now (relative forms) or 0 (absolute forms).
let private expireGeneric (cmd: string) (relative: bool) (seconds: bool) : Handler =
    fun ctx s argv w ->
        result {
            let! flags = parseExpireFlags argv
            let! n = Args.readInt64 argv[2]
            let basetime = if relative then ctx.NowMs else 0L

            let! ms =
                if seconds && (n > Int64.MaxValue / 1000L || n < Int64.MinValue / 1000L) then
                    Error(RedisError.InvalidExpireTime cmd)
                else
                    Ok(if seconds then n * 1000L else n)

            if ms > Int64.MaxValue - basetime then
                return! Error(RedisError.InvalidExpireTime cmd)
            else
                let at = ms + basetime
                let db = World.db s.Db w

                if not (Db.exists ctx.NowMs argv[1] db) then
                    return intReply 0, w, null
                else
                    let current =
                        match Db.deadline argv[1] db with
                        | ValueSome c -> c
                        | ValueNone -> -1L

                    let has x = flags &&& x <> ExpireFlags.None

                    let refused =
                        (has ExpireFlags.NX && current <> -1L)
                        || (has ExpireFlags.XX && current = -1L)
                        || (has ExpireFlags.GT && (at <= current || current = -1L))
                        || (has ExpireFlags.LT && current <> -1L && at >= current)

                    if refused then
                        return intReply 0, w, null
                    elif Db.expiresBy ctx.NowMs at db then
                        // A time already past deletes the key (not while loading: checkAlreadyExpired).
                        return intReply 1, World.withDb s.Db (Db.remove argv[1] db) w, "del"
                    else
                        return intReply 1, World.withDb s.Db (Db.setDeadline argv[1] at db) w, "expire"
        }
        |> function
            | Error e -> Outcome.error e s w
            | Ok(reply, w', event) ->
                Outcome.reply reply s w'
                |> Outcome.notifyIf ctx (not (isNull event)) NotifyClass.Generic event argv[1]

// EXPIRE key seconds [NX | XX | GT | LT]
let expire: Handler = expireGeneric "expire" true true
// PEXPIRE key milliseconds [NX | XX | GT | LT]
let pexpire: Handler = expireGeneric "pexpire" true false
// EXPIREAT key unix-time-seconds [NX | XX | GT | LT]
let expireat: Handler = expireGeneric "expireat" false true
// PEXPIREAT key unix-time-milliseconds [NX | XX | GT | LT]
let pexpireat: Handler = expireGeneric "pexpireat" false false

/// -2 for a missing key, -1 without a deadline, else f deadline.
let private ttlGeneric (f: int64 -> int64 -> int64) : Handler =
    fun ctx s argv w ->
        let db = World.db s.Db w

        if not (Db.exists ctx.NowMs argv[1] db) then
            Outcome.reply (RespValue.Integer -2L) s w |> Outcome.keymiss ctx argv[1]
        else
            let n =
                match Db.deadline argv[1] db with
                | ValueSome at -> f ctx.NowMs at
                | ValueNone -> -1L

            Outcome.reply (RespValue.Integer n) s w

/// ms -> s rounded half up, as Redis's (ms + 500) / 1000, without overflowing near Int64.MaxValue.
let private roundSeconds (ms: int64) =
    ms / 1000L + (if ms % 1000L >= 500L then 1L else 0L)

// TTL key
let ttl: Handler = ttlGeneric (fun now at -> roundSeconds (max 0L (at - now)))
// PTTL key
let pttl: Handler = ttlGeneric (fun now at -> max 0L (at - now))
// EXPIRETIME key
let expiretime: Handler = ttlGeneric (fun _ at -> roundSeconds at)
// PEXPIRETIME key
let pexpiretime: Handler = ttlGeneric (fun _ at -> at)

// PERSIST key
let persist: Handler =
    fun ctx s argv w ->
        let db = World.db s.Db w

        match Db.tryGet ctx.NowMs argv[1] db, Db.deadline argv[1] db with
        | ValueSome _, ValueSome _ ->
            Outcome.reply (intReply 1) s (World.withDb s.Db (Db.clearDeadline argv[1] db) w)
            |> Outcome.notify ctx NotifyClass.Generic "persist" argv[1]
        | _ -> Outcome.reply (intReply 0) s w

let private objectLookup (f: Value -> RespValue) : Handler =
    fun ctx s argv w ->
        match Db.tryGet ctx.NowMs argv[2] (World.db s.Db w) with
        | ValueSome v -> Outcome.reply (f v) s w
        | ValueNone -> Outcome.reply RespValue.Null s w

let private isLfu (w: World) =
    Eviction.Policy.isLfuName w.Config.MaxMemoryPolicy

// OBJECT ENCODING key
let objectEncoding: Handler =
    objectLookup (fun v -> RespValue.ofString (Value.encoding v))
// OBJECT REFCOUNT key
let objectRefcount: Handler =
    objectLookup (fun v -> RespValue.Integer(Value.refCount v))

/// OBJECT FREQ / IDLETIME: the key's access record read at now (the lookup itself touches nothing).
let private objectAccess (read: World -> int64 -> int64) : Handler =
    fun ctx s argv w ->
        let db = World.db s.Db w

        match Db.tryGet ctx.NowMs argv[2] db, Db.access argv[2] db with
        | ValueSome _, ValueSome a -> Outcome.reply (RespValue.Integer(read w a)) s w
        | ValueSome _, ValueNone -> Outcome.reply (RespValue.Integer 0L) s w
        | ValueNone, _ -> Outcome.reply RespValue.Null s w

// OBJECT FREQ key   (the counter as LFUDecrAndReturn reads it: decayed, not stored)
let objectFreq: Handler =
    fun ctx s argv w ->
        if isLfu w then
            objectAccess (fun w a -> Access.decayed (int64 w.Config.LfuDecayTime) ctx.NowMs a) ctx s argv w
        else
            Outcome.error RedisError.LfuNotSelected s w

// OBJECT IDLETIME key   (seconds on the LRU clock: estimateObjectIdleTime / 1000)
let objectIdletime: Handler =
    fun ctx s argv w ->
        if isLfu w then
            Outcome.error RedisError.LruNotSelected s w
        else
            objectAccess (fun _ a -> Access.idleSeconds ctx.NowMs a) ctx s argv w

/// Redis addReplyHelp: the header, the lines, and the HELP footer, as simple strings.
let helpReply (argv0: Bytes) (lines: string list) =
    [
        yield
            sprintf
                "%s <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"
                ((Bytes.toLatin1 argv0).ToUpperInvariant())
        yield! lines
        yield "HELP"
        yield "    Prints this help."
    ]
    |> List.map RespValue.Simple
    |> Array.ofList
    |> RespValue.Array

// OBJECT HELP
let objectHelp: Handler =
    fun _ s argv w ->
        let lines =
            [
                "ENCODING <key>"
                "    Return the kind of internal representation used in order to store the value"
                "    associated with a <key>."
                "FREQ <key>"
                "    Return the access frequency index of the <key>. The returned integer is"
                "    proportional to the logarithm of the recent access frequency of the key."
                "IDLETIME <key>"
                "    Return the idle time of the <key>, that is the approximated number of"
                "    seconds elapsed since the last access to the key."
                "REFCOUNT <key>"
                "    Return the number of references of the value associated with the specified"
                "    <key>."
            ]

        Outcome.reply (helpReply argv[0] lines) s w

// DBSIZE — counts live keys. Redis also counts expired keys that no lookup or expiry cycle has
// reclaimed yet (for up to ~100 ms); which lookups reclaim is an accident of each command's code.
let dbsize: Handler =
    fun ctx s _ w -> Outcome.reply (RespValue.Integer(int64 (Db.liveCount ctx.NowMs (World.db s.Db w)))) s w

let private flushMode (argv: Bytes[]) =
    if argv.Length > 2 then
        Error RedisError.Syntax
    elif argv.Length = 1 || is "ASYNC" argv[1] || is "SYNC" argv[1] then
        Ok()
    else
        Error RedisError.Syntax

// FLUSHDB [ASYNC | SYNC]
let flushdb: Handler =
    fun _ s argv w ->
        match flushMode argv with
        | Ok() ->
            let w' = World.withDb s.Db (Db.cleared (World.db s.Db w)) w

            Outcome.ok
                s
                { w' with
                    Dirty = w.Dirty + int64 (Db.count (World.db s.Db w))
                }
        | Error e -> Outcome.error e s w

// FLUSHALL [ASYNC | SYNC]
let flushall: Handler =
    fun _ s argv w ->
        match flushMode argv with
        | Ok() ->
            let removed = w.Dbs |> Array.sumBy (fun d -> int64 (Db.count d))

            Outcome.ok
                s
                { w with
                    Dbs = w.Dbs |> Array.map Db.cleared
                    Dirty = w.Dirty + removed + 1L
                }
        | Error e -> Outcome.error e s w

// SWAPDB index1 index2
let swapdb: Handler =
    fun _ s argv w ->
        let index (b: Bytes) err =
            match Args.readInt b with
            | Ok i -> Ok i
            | Error _ -> Error err

        result {
            let! a = index argv[1] RedisError.InvalidFirstDbIndex
            let! b = index argv[2] RedisError.InvalidSecondDbIndex

            if a < 0 || b < 0 || a >= w.Dbs.Length || b >= w.Dbs.Length then
                return! Error RedisError.DbIndexOutOfRange
            else
                let dbs = Array.copy w.Dbs
                dbs[a] <- w.Dbs[b]
                dbs[b] <- w.Dbs[a]

                return
                    RespValue.Ok,
                    { w with
                        Dbs = dbs
                        Dirty = w.Dirty + 1L
                    }
        }
        |> Outcome.ofResult s w
