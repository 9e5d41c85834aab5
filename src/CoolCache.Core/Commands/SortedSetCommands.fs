/// Sorted set commands (t_zset.c, Redis 7.0): ZADD ZINCRBY ZREM ZCARD ZSCORE ZMSCORE ZRANK ZREVRANK
/// ZCOUNT ZLEXCOUNT, the ZRANGE family and ZRANGESTORE, ZREMRANGEBY*, ZRANDMEMBER, ZSCAN (pops and blocking
/// pops: SortedSetPopCommands; ZUNION, ZINTER, ZDIFF and their stores: SortedSetAlgebraCommands).
/// Replies follow 7.0 in both protocols: scores are doubles (RESP3 ",", RESP2 "%.17g" bulks), and
/// WITHSCORES replies are flat in RESP2 and [member, score] pairs in RESP3. An emptied set is deleted.
module CoolCache.Core.Commands.SortedSetCommands

open System
open CoolCache.Core
open CoolCache.Core.Protocol
open CoolCache.Core.Values
open CoolCache.Core.Keyspace
open CoolCache.Core.State
open CoolCache.Core.Commands.Args

// ---- Helpers ----------------------------------------------------------------------------------

/// The sorted set at key: Ok(ValueSome set), Ok ValueNone when absent, WRONGTYPE for other kinds.
let internal getSortedSet (now: int64) (key: Bytes) (db: Db) : Result<RedisSortedSet voption, RedisError> =
    match Db.tryGet now key db with
    | ValueNone -> Ok ValueNone
    | ValueSome(Value.SortedSet z) -> Ok(ValueSome z)
    | ValueSome _ -> Error RedisError.WrongType

let internal limits (w: World) : SortedSetLimits =
    {
        MaxMembers = w.Config.SortedSetMaxListpackEntries
        MaxMemberBytes = w.Config.SortedSetMaxListpackValue
    }

/// Writes a changed sorted set back (the key's deadline stays), or deletes the key when it is empty.
let internal put (now: int64) (key: Bytes) (z: RedisSortedSet) (db: Db) =
    if RedisSortedSet.count z = 0 then
        Db.remove key db
    else
        Db.set now key (Value.SortedSet z) Ttl.Keep db

/// The result of a store command: a new value for dst (no deadline), or dst deleted when empty.
let internal store (now: int64) (dst: Bytes) (z: RedisSortedSet) (db: Db) =
    if RedisSortedSet.count z = 0 then
        Db.remove dst db
    else
        Db.set now dst (Value.SortedSet z) Ttl.Clear db

let internal intReply (n: int) = RespValue.Integer(int64 n)

/// The events of a store (ZRANGESTORE, ZUNIONSTORE...): "new" and the command's event for a stored
/// result, or "del" when an empty one deleted an existing dst (dstExisted: read before the write).
let internal stored (ctx: Ctx) (event: string) (dst: Bytes) (dstExisted: bool) (count: int) (o: Outcome) =
    o
    |> Outcome.notifyNew ctx (count > 0 && not dstExisted) dst
    |> Outcome.notifyIf ctx (count > 0) NotifyClass.SortedSet event dst
    |> Outcome.notifyDel ctx (count = 0 && dstExisted) dst

let internal emptyArray = RespValue.Array [||]

/// A [member, score] pair (RESP3 WITHSCORES, ZMPOP).
let internal pair (e: ScoredMember) =
    RespValue.Array [| RespValue.Bulk e.Member; RespValue.Double e.Score |]

/// Members, or with scores a flat member, score... array in RESP2 and [member, score] pairs in RESP3
/// (zrangeResultEmitCBufferToClient).
let internal entriesReply (protocol: int) (withScores: bool) (entries: ScoredMember[]) =
    if not withScores then
        entries |> Array.map (fun e -> RespValue.Bulk e.Member) |> RespValue.Array
    elif protocol >= 3 then
        entries |> Array.map pair |> RespValue.Array
    else
        let flat = Array.zeroCreate (entries.Length * 2)

        for i in 0 .. entries.Length - 1 do
            flat[2 * i] <- RespValue.Bulk entries[i].Member
            flat[2 * i + 1] <- RespValue.Double entries[i].Score

        RespValue.Array flat

/// An argument as a C string sees it: up to its first NUL.
let private cString (b: Bytes) =
    match Array.IndexOf(b, 0uy) with
    | -1 -> ReadOnlySpan<byte>(b)
    | n -> ReadOnlySpan<byte>(b, 0, n)

/// One end of a score range (zslParseRange): "(" makes it exclusive, the rest is read by strtod.
let private readScoreBound (b: Bytes) (value: outref<float>) (exclusive: outref<bool>) =
    let s = cString b
    exclusive <- s.Length > 0 && s[0] = '('B
    Numbers.tryParseStrtod ((if exclusive then s.Slice 1 else s), &value)

/// The score range of ZRANGEBYSCORE, ZCOUNT, ZREMRANGEBYSCORE...: "min or max is not a float" otherwise.
let private readScoreRange (min: Bytes) (max: Bytes) : Result<ScoreRange, RedisError> =
    let mutable lo = 0.0
    let mutable loEx = false
    let mutable hi = 0.0
    let mutable hiEx = false

    if readScoreBound min &lo &loEx && readScoreBound max &hi &hiEx then
        Ok
            {
                Min = lo
                MinExclusive = loEx
                Max = hi
                MaxExclusive = hiEx
            }
    else
        Error RedisError.MinMaxNotFloat

/// One end of a lex range (zslParseLexRangeItem): "-", "+", "(member" or "[member". "+" and "-" are
/// compared as C strings, so a NUL may follow them.
let private readLexBound (b: Bytes) : LexBound voption =
    let alone = b.Length = 1 || (b.Length > 1 && b[1] = 0uy)

    if b.Length = 0 then
        ValueNone
    else
        match b[0] with
        | '+'B when alone ->
            ValueSome
                {
                    Infinite = 1
                    Value = Bytes.empty
                    Exclusive = true
                }
        | '-'B when alone ->
            ValueSome
                {
                    Infinite = -1
                    Value = Bytes.empty
                    Exclusive = true
                }
        | '('B
        | '['B ->
            ValueSome
                {
                    Infinite = 0
                    Value = b[1..]
                    Exclusive = (b[0] = '('B)
                }
        | _ -> ValueNone

let private readLexRange (min: Bytes) (max: Bytes) : Result<LexRange, RedisError> =
    match readLexBound min, readLexBound max with
    | ValueSome lo, ValueSome hi -> Ok { Min = lo; Max = hi }
    | _ -> Error RedisError.MinMaxNotLexItem

/// Start and end ranks (negative from the end) clipped to the set (genericZrangebyrankCommand):
/// the first rank and how many, 0 when the range is empty.
let private rankSpan (start: int64) (stop: int64) (size: int) : struct (int * int) =
    let len = int64 size
    let start = if start < 0L then len + start else start
    let stop = if stop < 0L then len + stop else stop
    let start = max start 0L

    if start > stop || start >= len then
        struct (0, 0)
    else
        let stop = min stop (len - 1L)
        struct (int start, int (stop - start + 1L))

/// The entries at [first, first + n), in ascending or descending order.
let private entriesOf (z: RedisSortedSet) (struct (first: int, n: int)) (reverse: bool) =
    if reverse then
        RedisSortedSet.sliceBack first n z
    else
        RedisSortedSet.slice first n z

// ---- ZADD, ZINCRBY, ZREM ----------------------------------------------------------------------

[<Flags>]
type private AddFlags =
    | None = 0
    | NX = 1
    | XX = 2
    | GT = 4
    | LT = 8
    | Incr = 16
    | CH = 32

/// The options before the first score (zaddGenericCommand): the flags and the index of that score.
let private readAddOptions (argv: Bytes[]) (flags: AddFlags) =
    let mutable flags = flags
    let mutable i = 2
    let mutable reading = true

    while reading && i < argv.Length do
        let o = argv[i]

        if is "NX" o then flags <- flags ||| AddFlags.NX
        elif is "XX" o then flags <- flags ||| AddFlags.XX
        elif is "CH" o then flags <- flags ||| AddFlags.CH
        elif is "INCR" o then flags <- flags ||| AddFlags.Incr
        elif is "GT" o then flags <- flags ||| AddFlags.GT
        elif is "LT" o then flags <- flags ||| AddFlags.LT
        else reading <- false

        if reading then
            i <- i + 1

    struct (flags, i)

/// Every score of the score/member pairs, read before anything is written.
let private readScores (argv: Bytes[]) (first: int) (pairs: int) : Result<float[], RedisError> =
    let scores = Array.zeroCreate pairs
    let mutable error = None
    let mutable j = 0

    while error.IsNone && j < pairs do
        match Numbers.tryParseDouble argv[first + 2 * j] with
        | ValueSome d -> scores[j] <- d
        | ValueNone -> error <- Some RedisError.NotFloat

        j <- j + 1

    match error with
    | Some e -> Error e
    | None -> Ok scores

/// What the pairs of one ZADD did (zsetAdd for each pair, in order).
[<Struct>]
type private AddOutcome =
    {
        Set: RedisSortedSet
        Added: int
        Updated: int
        Processed: int
        /// The score of the last pair processed (the INCR reply).
        Last: float
        /// An INCR made a NaN score (nothing was written for it).
        NaN: bool
    }

/// zsetAdd for each score/member pair, editing z in place under owner.
let private applyAdds
    (owner: obj)
    (lim: SortedSetLimits)
    (flags: AddFlags)
    (argv: Bytes[])
    (at: int)
    (scores: float[])
    z
    =
    let has (f: AddFlags) = flags &&& f <> AddFlags.None
    let incr = has AddFlags.Incr

    let mutable o =
        {
            Set = z
            Added = 0
            Updated = 0
            Processed = 0
            Last = 0.0
            NaN = false
        }

    let conditional =
        AddFlags.NX ||| AddFlags.XX ||| AddFlags.GT ||| AddFlags.LT ||| AddFlags.Incr

    let plain = flags &&& conditional = AddFlags.None

    for j in 0 .. scores.Length - 1 do
        let m = argv[at + 2 * j + 1]
        let score = scores[j]

        if plain then
            // The common ZADD: one walk of the member map on an owned path.
            let struct (set, did) = RedisSortedSet.upsert owner lim m score o.Set

            o <-
                { o with
                    Set = set
                    Added = o.Added + (if did = 1 then 1 else 0)
                    Updated = o.Updated + (if did = 2 then 1 else 0)
                    Processed = o.Processed + 1
                    Last = score
                }
        else

            match RedisSortedSet.tryScore m o.Set with
            | ValueSome cur ->
                if not (has AddFlags.NX) then
                    let score = if incr then score + cur else score

                    if Double.IsNaN score then
                        o <- { o with NaN = true }
                    elif not ((has AddFlags.LT && score >= cur) || (has AddFlags.GT && score <= cur)) then
                        o <-
                            { o with
                                Processed = o.Processed + 1
                                Last = score
                            }

                        // -0 and 0 are the same score: no update.
                        if score <> cur then
                            o <-
                                { o with
                                    Set = RedisSortedSet.rescore owner m cur score o.Set
                                    Updated = o.Updated + 1
                                }
            | ValueNone ->
                if not (has AddFlags.XX) then
                    o <-
                        { o with
                            Set = RedisSortedSet.insert owner lim m score o.Set
                            Added = o.Added + 1
                            Processed = o.Processed + 1
                            Last = score
                        }

    o

/// The errors ZADD finds before reading scores: an odd or zero pair count, then conflicting options.
let private addConflict (flags: AddFlags) (elements: int) =
    let has (f: AddFlags) = flags &&& f <> AddFlags.None

    if elements % 2 <> 0 || elements = 0 then
        ValueSome RedisError.Syntax
    elif has AddFlags.NX && has AddFlags.XX then
        ValueSome RedisError.NxAndXx
    elif
        (has AddFlags.GT && has AddFlags.NX)
        || (has AddFlags.LT && has AddFlags.NX)
        || (has AddFlags.GT && has AddFlags.LT)
    then
        ValueSome RedisError.GtLtAndNx
    elif has AddFlags.Incr && elements > 2 then
        ValueSome RedisError.IncrSinglePair
    else
        ValueNone

/// ZADD and ZINCRBY (zaddGenericCommand): options, pair count, conflicts, every score, the key, then
/// the pairs. Errors are found before the first write: the only one found while adding (an INCR giving
/// NaN) comes with INCR's single pair, before that pair is written.
let private addGeneric (initial: AddFlags) : Handler =
    fun ctx s argv w ->
        let struct (flags, scoreAt) = readAddOptions argv initial
        let elements = argv.Length - scoreAt
        let incr = flags &&& AddFlags.Incr <> AddFlags.None

        // Written without the result builder: ZADD is a hot path.
        match addConflict flags elements with
        | ValueSome e -> Outcome.error e s w
        | ValueNone ->
            match readScores argv scoreAt (elements / 2) with
            | Error e -> Outcome.error e s w
            | Ok scores ->
                let db = World.db s.Db w

                match getSortedSet ctx.NowMs argv[1] db with
                | Error e -> Outcome.error e s w
                | Ok ValueNone when flags &&& AddFlags.XX <> AddFlags.None ->
                    Outcome.reply (if incr then RespValue.Null else intReply 0) s w
                | Ok current ->
                    let z = defaultValueArg current RedisSortedSet.empty
                    let o = applyAdds db.Owner (limits w) flags argv scoreAt scores z

                    if o.NaN then
                        Outcome.error RedisError.ScoreIsNaN s w
                    else
                        let w =
                            if o.Added + o.Updated > 0 then
                                World.withDb s.Db (put ctx.NowMs argv[1] o.Set db) w
                            else
                                w

                        let r =
                            if incr then
                                if o.Processed > 0 then
                                    RespValue.Double o.Last
                                else
                                    RespValue.Null
                            elif flags &&& AddFlags.CH <> AddFlags.None then
                                intReply (o.Added + o.Updated)
                            else
                                intReply o.Added

                        Outcome.reply r s w
                        |> Outcome.notifyNew ctx current.IsNone argv[1]
                        |> Outcome.notifyIf
                            ctx
                            (o.Added + o.Updated > 0)
                            NotifyClass.SortedSet
                            (if incr then "zincr" else "zadd")
                            argv[1]

// ZADD key [NX | XX] [GT | LT] [CH] [INCR] score member [score member ...]
let zadd: Handler = addGeneric AddFlags.None

// ZINCRBY key increment member — ZADD INCR underneath, so an option word in the increment's place is
// read as an option (and the pair count comes out odd: syntax error), as in Redis.
let zincrby: Handler = addGeneric AddFlags.Incr

// ZREM key member [member ...]
let zrem: Handler =
    fun ctx s argv w ->
        let db = World.db s.Db w

        match getSortedSet ctx.NowMs argv[1] db with
        | Error e -> Outcome.error e s w
        | Ok ValueNone -> Outcome.reply (intReply 0) s w
        | Ok(ValueSome z) ->
            let mutable z = z
            let mutable removed = 0
            let mutable j = 2

            // Redis stops at the member that empties the set.
            while j < argv.Length && RedisSortedSet.count z > 0 do
                let struct (z', found) = RedisSortedSet.remove db.Owner argv[j] z
                z <- z'

                if found then
                    removed <- removed + 1

                j <- j + 1

            let w' =
                if removed > 0 then
                    World.withDb s.Db (put ctx.NowMs argv[1] z db) w
                else
                    w

            Outcome.ofChange ctx NotifyClass.SortedSet "zrem" argv[1] s w (Ok(intReply removed, w', removed > 0))

// ---- Reads by member --------------------------------------------------------------------------

// ZCARD key
let zcard: Handler =
    fun ctx s argv w ->
        match getSortedSet ctx.NowMs argv[1] (World.db s.Db w) with
        | Ok(ValueSome z) -> Outcome.reply (intReply (RedisSortedSet.count z)) s w
        | Ok ValueNone -> Outcome.reply (intReply 0) s w |> Outcome.keymiss ctx argv[1]
        | Error e -> Outcome.error e s w

let private scoreOrNull (z: RedisSortedSet) (m: Bytes) =
    match RedisSortedSet.tryScore m z with
    | ValueSome d -> RespValue.Double d
    | ValueNone -> RespValue.Null

// ZSCORE key member
let zscore: Handler =
    fun ctx s argv w ->
        match getSortedSet ctx.NowMs argv[1] (World.db s.Db w) with
        | Ok(ValueSome z) -> Outcome.reply (scoreOrNull z argv[2]) s w
        | Ok ValueNone -> Outcome.reply RespValue.Null s w |> Outcome.keymiss ctx argv[1]
        | Error e -> Outcome.error e s w

// ZMSCORE key member [member ...] — a missing key answers a null per member.
let zmscore: Handler =
    fun ctx s argv w ->
        match getSortedSet ctx.NowMs argv[1] (World.db s.Db w) with
        | Ok(ValueSome z) -> Outcome.reply (RespValue.Array(Array.map (scoreOrNull z) argv[2..])) s w
        | Ok ValueNone ->
            Outcome.reply (RespValue.Array(Array.create (argv.Length - 2) RespValue.Null)) s w
            |> Outcome.keymiss ctx argv[1]
        | Error e -> Outcome.error e s w

/// ZRANK / ZREVRANK (7.0: no WITHSCORE, the arity says so).
let private rankGeneric (reverse: bool) : Handler =
    fun ctx s argv w ->
        match getSortedSet ctx.NowMs argv[1] (World.db s.Db w) with
        | Ok(ValueSome z) ->
            match RedisSortedSet.rank argv[2] z with
            | -1 -> Outcome.reply RespValue.Null s w
            | r -> Outcome.reply (intReply (if reverse then RedisSortedSet.count z - 1 - r else r)) s w
        | Ok ValueNone -> Outcome.reply RespValue.Null s w |> Outcome.keymiss ctx argv[1]
        | Error e -> Outcome.error e s w

// ZRANK key member
let zrank: Handler = rankGeneric false

// ZREVRANK key member
let zrevrank: Handler = rankGeneric true

// ZCOUNT key min max — the range is read before the key.
let zcount: Handler =
    fun ctx s argv w ->
        result {
            let! range = readScoreRange argv[2] argv[3]

            match! getSortedSet ctx.NowMs argv[1] (World.db s.Db w) with
            | ValueNone -> return intReply 0, true
            | ValueSome z ->
                let struct (_, n) = RedisSortedSet.scoreSpan range z
                return intReply n, false
        }
        |> Outcome.ofRead ctx argv[1] s w

// ZLEXCOUNT key min max
let zlexcount: Handler =
    fun ctx s argv w ->
        result {
            let! range = readLexRange argv[2] argv[3]

            match! getSortedSet ctx.NowMs argv[1] (World.db s.Db w) with
            | ValueNone -> return intReply 0, true
            | ValueSome z ->
                let struct (_, n) = RedisSortedSet.lexSpan range z
                return intReply n, false
        }
        |> Outcome.ofRead ctx argv[1] s w

// ---- The ZRANGE family (zrangeGenericCommand) -------------------------------------------------

[<RequireQualifiedAccess>]
type private RangeKind =
    | Auto
    | Rank
    | Score
    | Lex

/// What a range request read: the entries in reply order (ValueNone: no such key) and WITHSCORES.
[<Struct>]
type private RangeQuery =
    {
        WithScores: bool
        /// ValueNone when the source key does not exist.
        Entries: ScoredMember[] voption
        /// A rank range, whose length Redis knows before it emits (zrangeResultBeginStore sizes the
        /// destination by it); score and lex ranges emit with length -1.
        KnownLength: bool
    }

/// zrangeGenericCommand: options after <src> <min> <max> (WITHSCORES unless storing, LIMIT, REV and
/// BYSCORE/BYLEX where the command leaves them open), their conflicts, the range, then the key.
let private rangeQuery
    (now: int64)
    (argv: Bytes[])
    (src: int)
    (storing: bool)
    (kind: RangeKind)
    (reverse: bool voption)
    (db: Db)
    : Result<RangeQuery, RedisError> =
    let rec options j (kind: RangeKind) (reverse: bool voption) withScores (offset: int64) (limit: int64) =
        if j >= argv.Length then
            Ok(struct (kind, reverse, withScores, offset, limit))
        else
            let left = argv.Length - j - 1
            let a = argv[j]

            if not storing && is "WITHSCORES" a then
                options (j + 1) kind reverse true offset limit
            elif is "LIMIT" a && left >= 2 then
                match readInt64 argv[j + 1], readInt64 argv[j + 2] with
                | Ok o, Ok l -> options (j + 3) kind reverse withScores o l
                | Error e, _
                | _, Error e -> Error e
            elif reverse.IsNone && is "REV" a then
                options (j + 1) kind (ValueSome true) withScores offset limit
            elif kind = RangeKind.Auto && is "BYLEX" a then
                options (j + 1) RangeKind.Lex reverse withScores offset limit
            elif kind = RangeKind.Auto && is "BYSCORE" a then
                options (j + 1) RangeKind.Score reverse withScores offset limit
            else
                Error RedisError.Syntax

    result {
        let! struct (kind, reverse, withScores, offset, limit) =
            options (src + 3) kind reverse false 0L -1L

        let kind = if kind = RangeKind.Auto then RangeKind.Rank else kind
        let reverse = defaultValueArg reverse false

        if limit <> -1L && kind = RangeKind.Rank then
            return! Error RedisError.LimitNeedsByScoreOrLex
        elif withScores && kind = RangeKind.Lex then
            return! Error RedisError.WithScoresAndByLex
        else
            // Score and lex ranges are given as max, min when reversed.
            let lo, hi =
                if reverse && kind <> RangeKind.Rank then
                    argv[src + 2], argv[src + 1]
                else
                    argv[src + 1], argv[src + 2]

            let! select =
                match kind with
                | RangeKind.Score ->
                    readScoreRange lo hi
                    |> Result.map (fun r z -> RedisSortedSet.scoreWindow r offset limit reverse z)
                | RangeKind.Lex ->
                    readLexRange lo hi
                    |> Result.map (fun r z -> RedisSortedSet.lexWindow r offset limit reverse z)
                | _ ->
                    match readInt64 lo, readInt64 hi with
                    | Ok a, Ok b ->
                        Ok(fun (z: RedisSortedSet) ->
                            let size = RedisSortedSet.count z
                            let struct (first, n) = rankSpan a b size
                            // Ranks count from the top when reversed.
                            let first = if reverse then size - first - n else first
                            entriesOf z (struct (first, n)) reverse)
                    | Error e, _
                    | _, Error e -> Error e

            let! z = getSortedSet now argv[src] db

            return
                {
                    WithScores = withScores
                    Entries = z |> ValueOption.map select
                    KnownLength = (kind = RangeKind.Rank)
                }
    }

let private rangeCommand (kind: RangeKind) (reverse: bool voption) : Handler =
    fun ctx s argv w ->
        match rangeQuery ctx.NowMs argv 1 false kind reverse (World.db s.Db w) with
        | Error e -> Outcome.error e s w
        | Ok q ->
            match q.Entries with
            | ValueSome entries -> Outcome.reply (entriesReply s.Protocol q.WithScores entries) s w
            | ValueNone -> Outcome.reply emptyArray s w |> Outcome.keymiss ctx argv[1]

// ZRANGE key start stop [BYSCORE | BYLEX] [REV] [LIMIT offset count] [WITHSCORES]
let zrange: Handler = rangeCommand RangeKind.Auto ValueNone

// ZREVRANGE key start stop [WITHSCORES]
let zrevrange: Handler = rangeCommand RangeKind.Rank (ValueSome true)

// ZRANGEBYSCORE key min max [WITHSCORES] [LIMIT offset count]
let zrangebyscore: Handler = rangeCommand RangeKind.Score (ValueSome false)

// ZREVRANGEBYSCORE key max min [WITHSCORES] [LIMIT offset count]
let zrevrangebyscore: Handler = rangeCommand RangeKind.Score (ValueSome true)

// ZRANGEBYLEX key min max [LIMIT offset count]
let zrangebylex: Handler = rangeCommand RangeKind.Lex (ValueSome false)

// ZREVRANGEBYLEX key max min [LIMIT offset count]
let zrevrangebylex: Handler = rangeCommand RangeKind.Lex (ValueSome true)

// ZRANGESTORE dst src min max [BYSCORE | BYLEX] [REV] [LIMIT offset count] — an empty result (or a
// missing source) deletes dst.
let zrangestore: Handler =
    fun ctx s argv w ->
        let db = World.db s.Db w

        match rangeQuery ctx.NowMs argv 2 true RangeKind.Auto ValueNone db with
        | Error e -> Outcome.error e s w
        | Ok q ->
            let entries = defaultValueArg q.Entries [||]
            let dstExisted = ctx.Events && Db.exists ctx.NowMs argv[1] db
            // Built as Redis builds it: added in the order read, into a listpack that converts on the way.
            let z = RedisSortedSet.ofAdds (limits w) q.KnownLength entries

            Outcome.reply (intReply entries.Length) s (World.withDb s.Db (store ctx.NowMs argv[1] z db) w)
            |> Outcome.notifyIf ctx q.Entries.IsNone NotifyClass.KeyMiss "keymiss" argv[2]
            |> stored ctx "zrangestore" argv[1] dstExisted entries.Length

// ---- ZREMRANGEBY* -----------------------------------------------------------------------------

/// zremrangeGenericCommand: the range is read first; select gives the ranks to remove.
let private removeRange (event: string) (select: Result<RedisSortedSet -> struct (int * int), RedisError>) : Handler =
    fun ctx s argv w ->
        result {
            let! select = select
            let db = World.db s.Db w

            match! getSortedSet ctx.NowMs argv[1] db with
            | ValueNone -> return intReply 0, w, false
            | ValueSome z ->
                match select z with
                | struct (_, 0) -> return intReply 0, w, false
                | struct (first, n) ->
                    let struct (z, _) = RedisSortedSet.removeRange db.Owner first n z
                    return intReply n, World.withDb s.Db (put ctx.NowMs argv[1] z db) w, true
        }
        |> Outcome.ofChange ctx NotifyClass.SortedSet event argv[1] s w

// ZREMRANGEBYRANK key start stop
let zremrangebyrank: Handler =
    fun ctx s argv w ->
        let select =
            match readInt64 argv[2], readInt64 argv[3] with
            | Ok a, Ok b -> Ok(fun z -> rankSpan a b (RedisSortedSet.count z))
            | Error e, _
            | _, Error e -> Error e

        removeRange "zremrangebyrank" select ctx s argv w

// ZREMRANGEBYSCORE key min max
let zremrangebyscore: Handler =
    fun ctx s argv w ->
        removeRange
            "zremrangebyscore"
            (readScoreRange argv[2] argv[3] |> Result.map RedisSortedSet.scoreSpan)
            ctx
            s
            argv
            w

// ZREMRANGEBYLEX key min max
let zremrangebylex: Handler =
    fun ctx s argv w ->
        removeRange "zremrangebylex" (readLexRange argv[2] argv[3] |> Result.map RedisSortedSet.lexSpan) ctx s argv w

// ---- ZRANDMEMBER ------------------------------------------------------------------------------

/// Negative counts above this are refused ("value is out of range") rather than streamed: Redis
/// would send |count| entries, however many.
let private maxRandomDraws = 1L <<< 24

// ZRANDMEMBER key [count [WITHSCORES]]
let zrandmember: Handler =
    fun ctx s argv w ->
        let db = World.db s.Db w

        if argv.Length = 2 then
            match getSortedSet ctx.NowMs argv[1] db with
            | Error e -> Outcome.error e s w
            | Ok ValueNone -> Outcome.reply RespValue.Null s w |> Outcome.keymiss ctx argv[1]
            | Ok(ValueSome z) -> Outcome.reply (RespValue.Bulk (RedisSortedSet.randomEntry ctx.Seed z).Member) s w
        else
            result {
                let! count =
                    match Numbers.tryParseInt64 argv[2] with
                    | ValueNone -> Error RedisError.NotInteger
                    | ValueSome n when n = Int64.MinValue ->
                        Error(RedisError.OutOfRangeBetween(-Int64.MaxValue, Int64.MaxValue))
                    | ValueSome n -> Ok n

                if argv.Length > 4 || (argv.Length = 4 && not (is "WITHSCORES" argv[3])) then
                    return! Error RedisError.Syntax
                else
                    let withScores = argv.Length = 4

                    // RESP2 needs 2 * |count| entries, which must fit a long.
                    if withScores && count < -(Int64.MaxValue / 2L) then
                        return! Error RedisError.ValueOutOfRange
                    else
                        match! getSortedSet ctx.NowMs argv[1] db with
                        | ValueNone -> return emptyArray, true
                        | ValueSome z ->
                            let size = RedisSortedSet.count z

                            let! entries =
                                if count = 0L then
                                    Ok [||]
                                elif count < 0L then
                                    if -count > maxRandomDraws then
                                        Error RedisError.ValueOutOfRange
                                    else
                                        Ok(RedisSortedSet.randomEntries ctx.Seed (int -count) z)
                                elif count >= int64 size then
                                    // The whole set, highest score first: Redis's CASE 2 walks it with
                                    // zuiNext, which starts at the tail.
                                    Ok(RedisSortedSet.sliceBack 0 size z)
                                else
                                    Ok(RedisSortedSet.randomDistinct ctx.Seed (int count) z)

                            return entriesReply s.Protocol withScores entries, false
            }
            |> Outcome.ofRead ctx argv[1] s w

// ---- ZSCAN ------------------------------------------------------------------------------------

/// member, score... (scores as %.17g bulks, in both protocols) of the members matching the pattern.
let private scanItems (entries: struct (Bytes * float)[]) (pattern: Bytes option) =
    let keep =
        match pattern with
        | Some p when not (p.Length = 1 && p[0] = byte '*') -> fun m -> Glob.isMatch p m false
        | _ -> fun _ -> true

    let items = ResizeArray<RespValue>(entries.Length * 2)

    for struct (m, score) in entries do
        if keep m then
            items.Add(RespValue.Bulk m)
            items.Add(RespValue.Bulk(Bytes.ofString (Numbers.formatDouble score)))

    items.ToArray()

// ZSCAN key cursor [MATCH pattern] [COUNT count] — a listpack set comes back whole, in order, whatever
// the cursor (as Redis does); a skiplist one is scanned in member-map order.
let zscan: Handler =
    fun ctx s argv w ->
        result {
            let! cursor = KeyCommands.parseCursor argv[2]

            match! getSortedSet ctx.NowMs argv[1] (World.db s.Db w) with
            | ValueNone -> return RespValue.Array [| RespValue.Bulk "0"B; emptyArray |], true
            | ValueSome z ->
                let! pattern, count, _ = KeyCommands.parseScanOptions argv 3 false

                let struct (next, entries) =
                    if z.Skiplist then
                        RedisSortedSet.scan cursor (int (min count 1000000L)) z
                    else
                        struct (0UL, RedisSortedSet.toArray z |> Array.map (fun e -> struct (e.Member, e.Score)))

                let items = scanItems entries pattern

                return RespValue.Array [| RespValue.Bulk(Bytes.ofString (string next)); RespValue.Array items |], false
        }
        |> Outcome.ofRead ctx argv[1] s w
