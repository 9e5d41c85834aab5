/// List commands (t_list.c): LPUSH RPUSH LPUSHX RPUSHX LPOP RPOP LLEN LRANGE LINDEX LSET LINSERT
/// LREM LTRIM LPOS LMOVE RPOPLPUSH LMPOP. Replies, errors and the order in which arguments and
/// keys are checked follow Redis 7.0. The blocking commands reuse popGeneric, mpopGeneric and
/// moveGeneric (the non-blocking attempt once their arguments are resolved).
module CoolCache.Core.Commands.ListCommands

open System
open CoolCache.Core
open CoolCache.Core.Protocol
open CoolCache.Core.Values
open CoolCache.Core.Keyspace
open CoolCache.Core.State
open CoolCache.Core.Commands.Args

// ---- List API ---------------------------------------------------------------------------------

/// The list at key: Ok(ValueSome list), Ok ValueNone when absent, WRONGTYPE for other kinds.
let getList (now: int64) (key: Bytes) (db: Db) : Result<RedisList voption, RedisError> =
    match Db.tryGet now key db with
    | ValueNone -> Ok ValueNone
    | ValueSome(Value.List l) -> Ok(ValueSome l)
    | ValueSome _ -> Error RedisError.WrongType

/// Store a list at key, keeping the key's deadline; an empty list deletes the key.
let storeList (now: int64) (key: Bytes) (l: RedisList) (db: Db) : Db =
    if RedisList.length l = 0 then
        Db.remove key db
    else
        Db.set now key (Value.List l) Ttl.Keep db

/// Pop up to count (>= 1) elements from one end of the list at key. Ok ValueNone when the key is
/// absent; otherwise the elements in pop order and the Db after (the key deleted when emptied).
let popGeneric
    (now: int64)
    (key: Bytes)
    (where: ListEnd)
    (count: int64)
    (db: Db)
    : Result<struct (Bytes[] * Db) voption, RedisError> =
    match getList now key db with
    | Error e -> Error e
    | Ok ValueNone -> Ok ValueNone
    | Ok(ValueSome l) ->
        let struct (xs, rest) = RedisList.pop where count l
        Ok(ValueSome(struct (xs, storeList now key rest db)))

/// Redis mpopGenericCommand: pop up to count elements from the first non-empty list among
/// keys[first .. first + numKeys - 1]. WRONGTYPE when a key before it holds another kind. Ok
/// ValueNone when every key is absent; otherwise the key, the elements in pop order and the Db after.
let mpopGeneric
    (now: int64)
    (keys: Bytes[])
    (first: int)
    (numKeys: int)
    (where: ListEnd)
    (count: int64)
    (db: Db)
    : Result<struct (Bytes * Bytes[] * Db) voption, RedisError> =
    let rec go j =
        if j >= first + numKeys then
            Ok ValueNone
        else
            match getList now keys[j] db with
            | Error e -> Error e
            | Ok ValueNone -> go (j + 1)
            | Ok(ValueSome l) ->
                let struct (xs, rest) = RedisList.pop where count l
                Ok(ValueSome(struct (keys[j], xs, storeList now keys[j] rest db)))

    go first

/// Redis lmoveGenericCommand: pop one element from an end of src and push it at an end of dst
/// (src = dst rotates the list). Ok ValueNone when src is absent (dst is not looked at); WRONGTYPE
/// when src, then dst, holds another kind. Otherwise the element moved and the Db after.
let moveGeneric
    (now: int64)
    (src: Bytes)
    (dst: Bytes)
    (from: ListEnd)
    (into: ListEnd)
    (db: Db)
    : Result<struct (Bytes * Db) voption, RedisError> =
    match getList now src db with
    | Error e -> Error e
    | Ok ValueNone -> Ok ValueNone
    | Ok(ValueSome l) ->
        match getList now dst db with
        | Error e -> Error e
        | Ok target ->
            let struct (x, rest) = RedisList.popOne db.Owner from l

            if Bytes.equals src dst then
                Ok(ValueSome(struct (x, storeList now src (RedisList.pushOne db.Owner into x rest) db)))
            else
                let target =
                    match target with
                    | ValueSome t -> t
                    | ValueNone -> RedisList.empty

                let db = storeList now src rest db
                Ok(ValueSome(struct (x, storeList now dst (RedisList.pushOne db.Owner into x target) db)))

/// LEFT or RIGHT (any case), else a syntax error.
let readEnd (b: Bytes) : Result<ListEnd, RedisError> =
    if is "LEFT" b then Ok ListEnd.Left
    elif is "RIGHT" b then Ok ListEnd.Right
    else Error RedisError.Syntax

let private bulks (xs: Bytes[]) =
    RespValue.Array(Array.map RespValue.Bulk xs)

let private intReply (n: int) = RespValue.Integer(int64 n)

let private pushEvent (where: ListEnd) =
    match where with
    | ListEnd.Left -> "lpush"
    | _ -> "rpush"

let private popEvent (where: ListEnd) =
    match where with
    | ListEnd.Left -> "lpop"
    | _ -> "rpop"

/// The events of a pop from key (listPopRangeAndReplyWithKey): "lpop"/"rpop", then "del" when the list
/// is gone from db (the Db after the pop).
let private popped (ctx: Ctx) (now: int64) (where: ListEnd) (key: Bytes) (db: Db) (o: Outcome) =
    o
    |> Outcome.notify ctx NotifyClass.List (popEvent where) key
    |> Outcome.notifyDel ctx (ctx.Events && not (Db.exists now key db)) key

/// The events of a move (lmoveGenericCommand): the push into dst ("new" first when it was created),
/// then the pop from src, then "del" when src is gone from db (the Db after the move).
let private moved
    (ctx: Ctx)
    (now: int64)
    (from: ListEnd)
    (into: ListEnd)
    (src: Bytes)
    (dst: Bytes)
    (created: bool)
    (db: Db)
    (o: Outcome)
    =
    o
    |> Outcome.notifyNew ctx created dst
    |> Outcome.notify ctx NotifyClass.List (pushEvent into) dst
    |> popped ctx now from src db

// ---- Commands ---------------------------------------------------------------------------------

let private pushGeneric (where: ListEnd) (onlyIfExists: bool) : Handler =
    fun ctx s argv w ->
        let db = World.db s.Db w

        match getList ctx.NowMs argv[1] db with
        | Error e -> Outcome.error e s w
        | Ok ValueNone when onlyIfExists -> Outcome.reply (RespValue.Integer 0L) s w
        | Ok l ->
            let created = l.IsNone

            let l =
                RedisList.push
                    db.Owner
                    where
                    argv
                    2
                    (match l with
                     | ValueSome l -> l
                     | ValueNone -> RedisList.empty)

            let db = Db.set ctx.NowMs argv[1] (Value.List l) Ttl.Keep db

            Outcome.reply (intReply (RedisList.length l)) s (World.withDb s.Db db w)
            |> Outcome.notifyNew ctx created argv[1]
            |> Outcome.notify ctx NotifyClass.List (pushEvent where) argv[1]

// LPUSH key element [element ...]
let lpush: Handler = pushGeneric ListEnd.Left false

// RPUSH key element [element ...]
let rpush: Handler = pushGeneric ListEnd.Right false

// LPUSHX key element [element ...]
let lpushx: Handler = pushGeneric ListEnd.Left true

// RPUSHX key element [element ...]
let rpushx: Handler = pushGeneric ListEnd.Right true

/// Redis popGenericCommand: without a count a bulk string (nil when absent); with one an array
/// (a null array when absent, empty for count 0).
let private popCommand (name: string) (where: ListEnd) : Handler =
    fun ctx s argv w ->
        if argv.Length > 3 then
            Outcome.error (RedisError.WrongArity name) s w
        else
            let count =
                if argv.Length = 3 then
                    match Numbers.tryParseInt64 argv[2] with
                    | ValueSome n when n >= 0L -> Ok n
                    | _ -> Error RedisError.NotPositive
                else
                    Ok -1L

            match count with
            | Error e -> Outcome.error e s w
            | Ok count ->
                let db = World.db s.Db w

                match getList ctx.NowMs argv[1] db with
                | Error e -> Outcome.error e s w
                | Ok ValueNone -> Outcome.reply (if count >= 0L then RespValue.NullArray else RespValue.Null) s w
                | Ok(ValueSome _) when count = 0L -> Outcome.reply (RespValue.Array [||]) s w
                | Ok(ValueSome l) when count < 0L ->
                    let struct (x, rest) = RedisList.popOne db.Owner where l
                    let db = storeList ctx.NowMs argv[1] rest db

                    Outcome.reply (RespValue.Bulk x) s (World.withDb s.Db db w)
                    |> popped ctx ctx.NowMs where argv[1] db
                | Ok(ValueSome _) ->
                    match popGeneric ctx.NowMs argv[1] where count db with
                    | Ok(ValueSome(struct (xs, db))) ->
                        Outcome.reply (bulks xs) s (World.withDb s.Db db w)
                        |> popped ctx ctx.NowMs where argv[1] db
                    | Ok ValueNone -> Outcome.reply RespValue.NullArray s w
                    | Error e -> Outcome.error e s w

// LPOP key [count]
let lpop: Handler = popCommand "lpop" ListEnd.Left

// RPOP key [count]
let rpop: Handler = popCommand "rpop" ListEnd.Right

// LLEN key
let llen: Handler =
    fun ctx s argv w ->
        match getList ctx.NowMs argv[1] (World.db s.Db w) with
        | Ok(ValueSome l) -> Outcome.reply (intReply (RedisList.length l)) s w
        | Ok ValueNone -> Outcome.reply (RespValue.Integer 0L) s w |> Outcome.keymiss ctx argv[1]
        | Error e -> Outcome.error e s w

// LRANGE key start stop: the indexes are read before the key is looked up.
let lrange: Handler =
    fun ctx s argv w ->
        result {
            let! start = readInt64 argv[2]
            let! stop = readInt64 argv[3]

            match! getList ctx.NowMs argv[1] (World.db s.Db w) with
            | ValueNone -> return RespValue.Array [||], true
            | ValueSome l ->
                let struct (first, count) = RedisList.range start stop l
                let out = Array.zeroCreate<RespValue> count
                let i = ref 0

                l
                |> Collections.Tree.iterRange first count (fun x ->
                    out[i.Value] <- RespValue.Bulk x
                    i.Value <- i.Value + 1)

                return RespValue.Array out, false
        }
        |> Outcome.ofRead ctx argv[1] s w

// LINDEX key index: the key is looked up (and type-checked) before the index is read.
let lindex: Handler =
    fun ctx s argv w ->
        result {
            match! getList ctx.NowMs argv[1] (World.db s.Db w) with
            | ValueNone -> return RespValue.Null, true
            | ValueSome l ->
                let! index = readInt64 argv[2]

                match RedisList.tryItem index l with
                | ValueSome x -> return RespValue.Bulk x, false
                | ValueNone -> return RespValue.Null, false
        }
        |> Outcome.ofRead ctx argv[1] s w

// LSET key index element
let lset: Handler =
    fun ctx s argv w ->
        let db = World.db s.Db w

        match getList ctx.NowMs argv[1] db with
        | Error e -> Outcome.error e s w
        | Ok ValueNone -> Outcome.error RedisError.NoSuchKey s w
        | Ok(ValueSome l) ->
            match readInt64 argv[2] with
            | Error e -> Outcome.error e s w
            | Ok index ->
                match RedisList.trySet db.Owner index argv[3] l with
                | ValueNone -> Outcome.error RedisError.IndexOutOfRange s w
                | ValueSome l ->
                    Outcome.ok s (World.withDb s.Db (storeList ctx.NowMs argv[1] l db) w)
                    |> Outcome.notify ctx NotifyClass.List "lset" argv[1]

// LINSERT key BEFORE|AFTER pivot element: the position word is read before the key is looked up.
let linsert: Handler =
    fun ctx s argv w ->
        let db = World.db s.Db w

        result {
            let! before =
                if is "BEFORE" argv[2] then Ok true
                elif is "AFTER" argv[2] then Ok false
                else Error RedisError.Syntax

            match! getList ctx.NowMs argv[1] db with
            | ValueNone -> return RespValue.Integer 0L, w, false
            | ValueSome l ->
                match RedisList.tryInsert db.Owner before argv[3] argv[4] l with
                | ValueNone -> return RespValue.Integer -1L, w, false
                | ValueSome l ->
                    return intReply (RedisList.length l), World.withDb s.Db (storeList ctx.NowMs argv[1] l db) w, true
        }
        |> Outcome.ofChange ctx NotifyClass.List "linsert" argv[1] s w

// LREM key count element: the count is read before the key is looked up.
let lrem: Handler =
    fun ctx s argv w ->
        let db = World.db s.Db w

        result {
            let! count = readInt64 argv[2]

            match! getList ctx.NowMs argv[1] db with
            | ValueNone -> return RespValue.Integer 0L, w, false
            | ValueSome l ->
                let struct (removed, l) = RedisList.remove db.Owner count argv[3] l

                if removed = 0 then
                    return RespValue.Integer 0L, w, false
                else
                    return intReply removed, World.withDb s.Db (storeList ctx.NowMs argv[1] l db) w, true
        }
        |> Outcome.ofChange ctx NotifyClass.List "lrem" argv[1] s w

// LTRIM key start stop: the indexes are read before the key is looked up.
let ltrim: Handler =
    fun ctx s argv w ->
        let db = World.db s.Db w

        result {
            let! start = readInt64 argv[2]
            let! stop = readInt64 argv[3]

            match! getList ctx.NowMs argv[1] db with
            | ValueNone -> return RespValue.Ok, w, false
            | ValueSome l ->
                let trimmed = RedisList.trim start stop l

                // Redis tells "ltrim" even when nothing was trimmed.
                if obj.ReferenceEquals(trimmed, l) then
                    return RespValue.Ok, w, true
                else
                    return RespValue.Ok, World.withDb s.Db (storeList ctx.NowMs argv[1] trimmed db) w, true
        }
        |> Outcome.ofChange ctx NotifyClass.List "ltrim" argv[1] s w

/// LPOS options: RANK (not 0), COUNT (>= 0; -1 = not given), MAXLEN (>= 0), in any order, later
/// ones winning; all read before the key is looked up.
let private lposOptions (argv: Bytes[]) : Result<struct (int64 * int64 * int64), RedisError> =
    let rec go j rank count maxLen =
        if j >= argv.Length then
            Ok(struct (rank, count, maxLen))
        else
            let opt = argv[j]
            let more = j < argv.Length - 1

            if is "RANK" opt && more then
                match Numbers.tryParseInt64 argv[j + 1] with
                | ValueNone -> Error RedisError.NotInteger
                | ValueSome 0L -> Error RedisError.LposRankZero
                | ValueSome r -> go (j + 2) r count maxLen
            elif is "COUNT" opt && more then
                match Numbers.tryParseInt64 argv[j + 1] with
                | ValueSome c when c >= 0L -> go (j + 2) rank c maxLen
                | _ -> Error RedisError.LposCountNegative
            elif is "MAXLEN" opt && more then
                match Numbers.tryParseInt64 argv[j + 1] with
                | ValueSome m when m >= 0L -> go (j + 2) rank count m
                | _ -> Error RedisError.LposMaxLenNegative
            else
                Error RedisError.Syntax

    go 3 1L -1L 0L

// LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]
let lpos: Handler =
    fun ctx s argv w ->
        result {
            let! struct (rank, count, maxLen) = lposOptions argv

            match! getList ctx.NowMs argv[1] (World.db s.Db w) with
            | ValueNone ->
                return
                    (if count <> -1L then
                         RespValue.Array [||]
                     else
                         RespValue.Null),
                    true
            | ValueSome l ->
                // RANK Int64.MinValue: Redis's negation overflows, so it takes every match from the
                // tail and COUNT never stops it (only MAXLEN does).
                let overflow = rank = Int64.MinValue
                let skip = if overflow then 0L else abs rank - 1L
                let limit = if overflow then 0L else count
                let found = ResizeArray<int>()
                let matches = ref 0L

                l
                |> RedisList.scan (rank < 0L) maxLen argv[2] (fun i ->
                    matches.Value <- matches.Value + 1L

                    if matches.Value > skip then
                        found.Add i
                        count <> -1L && (limit = 0L || int64 found.Count < limit)
                    else
                        true)

                if count = -1L then
                    return
                        (if found.Count > 0 then
                             intReply found[0]
                         else
                             RespValue.Null),
                        false
                else
                    return RespValue.Array(Array.init found.Count (fun i -> intReply found[i])), false
        }
        |> Outcome.ofRead ctx argv[1] s w

/// LMOVE / RPOPLPUSH: the moved element, nil when the source is absent.
let private move (ctx: Ctx) (s: Session) (argv: Bytes[]) (from: ListEnd) (into: ListEnd) (w: World) =
    let db = World.db s.Db w
    let created = ctx.Events && not (Db.exists ctx.NowMs argv[2] db)

    match moveGeneric ctx.NowMs argv[1] argv[2] from into db with
    | Ok(ValueSome(struct (x, db))) ->
        Outcome.reply (RespValue.Bulk x) s (World.withDb s.Db db w)
        |> moved ctx ctx.NowMs from into argv[1] argv[2] created db
    | Ok ValueNone -> Outcome.reply RespValue.Null s w
    | Error e -> Outcome.error e s w

// LMOVE source destination LEFT|RIGHT LEFT|RIGHT: both ends are read before the keys are looked up.
let lmove: Handler =
    fun ctx s argv w ->
        match readEnd argv[3], readEnd argv[4] with
        | Ok from, Ok into -> move ctx s argv from into w
        | Error e, _
        | _, Error e -> Outcome.error e s w

// RPOPLPUSH source destination
let rpoplpush: Handler =
    fun ctx s argv w -> move ctx s argv ListEnd.Right ListEnd.Left w

/// LMPOP's (and BLMPOP's) arguments from argv[numKeysAt]: numkeys (>= 1, and the keys plus the end
/// must fit), LEFT|RIGHT, then an optional COUNT (>= 1, once). Returns numkeys, the end and count.
let readMpopArgs (argv: Bytes[]) (numKeysAt: int) : Result<struct (int * ListEnd * int64), RedisError> =
    match Numbers.tryParseInt64 argv[numKeysAt] with
    | ValueSome n when n >= 1L ->
        if n > int64 (argv.Length - numKeysAt - 2) then
            Error RedisError.Syntax
        else
            let whereAt = numKeysAt + int n + 1

            match readEnd argv[whereAt] with
            | Error e -> Error e
            | Ok where ->
                let rec options j count =
                    if j >= argv.Length then
                        Ok(struct (int n, where, (if count = -1L then 1L else count)))
                    elif count = -1L && is "COUNT" argv[j] && j < argv.Length - 1 then
                        match Numbers.tryParseInt64 argv[j + 1] with
                        | ValueSome c when c >= 1L -> options (j + 2) c
                        | _ -> Error RedisError.CountNotPositive
                    else
                        Error RedisError.Syntax

                options (whereAt + 1) -1L
    | _ -> Error RedisError.NumkeysNotPositive

// LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]
let lmpop: Handler =
    fun ctx s argv w ->
        match readMpopArgs argv 1 with
        | Error e -> Outcome.error e s w
        | Ok(struct (numKeys, where, count)) ->
            match mpopGeneric ctx.NowMs argv 2 numKeys where count (World.db s.Db w) with
            | Error e -> Outcome.error e s w
            | Ok ValueNone -> Outcome.reply RespValue.NullArray s w
            | Ok(ValueSome(struct (key, xs, db))) ->
                Outcome.reply (RespValue.Array [| RespValue.Bulk key; bulks xs |]) s (World.withDb s.Db db w)
                |> popped ctx ctx.NowMs where key db

// ---- Blocking commands (blocking.c): when nothing can be served the client waits (Outcome.waitFor);
// the host runs the same command again once one of the keys holds a list. -----------------------

let private waitForLists (s: Session) (keys: Bytes[]) (deadline: int64) (timeoutReply: RespValue) (w: World) =
    Outcome.waitFor "list" keys deadline timeoutReply s w

/// BLPOP / BRPOP: [key, element] from the first non-empty list; the timeout is read first.
let private bpop (where: ListEnd) : Handler =
    fun ctx s argv w ->
        match Args.readTimeout ctx.NowMs argv[argv.Length - 1] with
        | Error e -> Outcome.error e s w
        | Ok deadline ->
            let keys = argv[1 .. argv.Length - 2]

            match mpopGeneric ctx.NowMs keys 0 keys.Length where 1L (World.db s.Db w) with
            | Error e -> Outcome.error e s w
            | Ok(ValueSome(struct (key, xs, db))) ->
                Outcome.reply
                    (RespValue.Array [| RespValue.Bulk key; RespValue.Bulk xs[0] |])
                    s
                    (World.withDb s.Db db w)
                |> popped ctx ctx.NowMs where key db
            | Ok ValueNone -> waitForLists s keys deadline RespValue.NullArray w

// BLPOP key [key ...] timeout
let blpop: Handler = bpop ListEnd.Left

// BRPOP key [key ...] timeout
let brpop: Handler = bpop ListEnd.Right

/// BLMOVE / BRPOPLPUSH: the moved element; waits while the source is absent (a timeout answers a null
/// array, as every list wait does in Redis 7.0: replyToBlockedClientTimedOut; inside EXEC, where nothing
/// blocks, t_list.c answers a null bulk instead).
let private bmove (ctx: Ctx) (s: Session) (argv: Bytes[]) (from: ListEnd) (into: ListEnd) (timeout: Bytes) (w: World) =
    match Args.readTimeout ctx.NowMs timeout with
    | Error e -> Outcome.error e s w
    | Ok deadline ->
        let db = World.db s.Db w
        let created = ctx.Events && not (Db.exists ctx.NowMs argv[2] db)

        match moveGeneric ctx.NowMs argv[1] argv[2] from into db with
        | Ok(ValueSome(struct (x, db))) ->
            Outcome.reply (RespValue.Bulk x) s (World.withDb s.Db db w)
            |> moved ctx ctx.NowMs from into argv[1] argv[2] created db
        | Ok ValueNone when s.InExec -> Outcome.reply RespValue.Null s w
        | Ok ValueNone -> waitForLists s [| argv[1] |] deadline RespValue.NullArray w
        | Error e -> Outcome.error e s w

// BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout: the ends are read before the timeout.
let blmove: Handler =
    fun ctx s argv w ->
        match readEnd argv[3], readEnd argv[4] with
        | Ok from, Ok into -> bmove ctx s argv from into argv[5] w
        | Error e, _
        | _, Error e -> Outcome.error e s w

// BRPOPLPUSH source destination timeout
let brpoplpush: Handler =
    fun ctx s argv w -> bmove ctx s argv ListEnd.Right ListEnd.Left argv[3] w

// BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]: numkeys, the end and COUNT are read
// before the timeout (lmpopGenericCommand, then blockingPopGenericCommand).
let blmpop: Handler =
    fun ctx s argv w ->
        match readMpopArgs argv 2 with
        | Error e -> Outcome.error e s w
        | Ok(struct (numKeys, where, count)) ->
            match Args.readTimeout ctx.NowMs argv[1] with
            | Error e -> Outcome.error e s w
            | Ok deadline ->
                match mpopGeneric ctx.NowMs argv 3 numKeys where count (World.db s.Db w) with
                | Error e -> Outcome.error e s w
                | Ok(ValueSome(struct (key, xs, db))) ->
                    Outcome.reply (RespValue.Array [| RespValue.Bulk key; bulks xs |]) s (World.withDb s.Db db w)
                    |> popped ctx ctx.NowMs where key db
                | Ok ValueNone -> waitForLists s argv[3 .. 2 + numKeys] deadline RespValue.NullArray w
