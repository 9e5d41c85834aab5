/// ZUNION ZINTER ZDIFF, ZUNIONSTORE ZINTERSTORE ZDIFFSTORE and ZINTERCARD (t_zset.c
/// zunionInterDiffGenericCommand, Redis 7.0): inputs are sorted sets or sets (whose members score 1),
/// WEIGHTS and AGGREGATE SUM|MIN|MAX as Redis computes them (a NaN weighted score counts as 0, a NaN sum
/// as 0), results in (score, member) order; a store of an empty result deletes the destination.
module CoolCache.Core.Commands.SortedSetAlgebraCommands

open System
open System.Collections.Generic
open CoolCache.Core
open CoolCache.Core.Protocol
open CoolCache.Core.Values
open CoolCache.Core.Keyspace
open CoolCache.Core.State
open CoolCache.Core.Commands.Args
open CoolCache.Core.Commands.SortedSetCommands

[<RequireQualifiedAccess>]
type private SetOp =
    | Union
    | Inter
    | Diff

[<RequireQualifiedAccess>]
type private Aggregate =
    | Sum
    | Min
    | Max

/// One input (zsetopsrc): a sorted set, a set (its members score 1), or nothing (a missing key).
[<Struct>]
type private Source =
    | Absent
    | Sorted of sorted: RedisSortedSet
    | Plain of plain: RedisSet

module private Source =
    let count (src: Source) =
        match src with
        | Absent -> 0
        | Sorted z -> RedisSortedSet.count z
        | Plain p -> RedisSet.count p

    let tryScore (m: Bytes) (src: Source) =
        match src with
        | Absent -> ValueNone
        | Sorted z -> RedisSortedSet.tryScore m z
        | Plain p -> if RedisSet.contains m p then ValueSome 1.0 else ValueNone

    let entries (src: Source) : ScoredMember[] =
        match src with
        | Absent -> [||]
        | Sorted z -> RedisSortedSet.toArray z
        | Plain p -> RedisSet.toArray p |> Array.map (fun m -> { Score = 1.0; Member = m })

/// The inputs at argv[first .. first + n - 1]: the first key of another kind answers WRONGTYPE.
let private readSources (now: int64) (argv: Bytes[]) (first: int) (n: int) (db: Db) : Result<Source[], RedisError> =
    let sources = Array.zeroCreate n
    let mutable error = None
    let mutable i = 0

    while error.IsNone && i < n do
        match Db.tryGet now argv[first + i] db with
        | ValueNone -> sources[i] <- Absent
        | ValueSome(Value.SortedSet z) -> sources[i] <- Sorted z
        | ValueSome(Value.Set p) -> sources[i] <- Plain p
        | ValueSome _ -> error <- Some RedisError.WrongType

        i <- i + 1

    match error with
    | Some e -> Error e
    | None -> Ok sources

/// zunionInterAggregate: a SUM that comes out NaN (inf + -inf) is 0; MIN/MAX keep the target for NaN.
let inline private aggregate (agg: Aggregate) (target: float) (v: float) =
    match agg with
    | Aggregate.Sum ->
        let t = target + v
        if Double.IsNaN t then 0.0 else t
    | Aggregate.Min -> if v < target then v else target
    | Aggregate.Max -> if v > target then v else target

/// A weighted score; NaN (0 * inf) counts as 0.
let inline private weighted (w: float) (score: float) =
    let v = w * score
    if Double.IsNaN v then 0.0 else v

/// The options after the keys.
[<Struct>]
type private AlgebraOptions =
    {
        Weights: float[]
        Aggregate: Aggregate
        WithScores: bool
        Limit: int64
    }

let private readAlgebraOptions (argv: Bytes[]) (first: int) (n: int) (op: SetOp) (storing: bool) (cardOnly: bool) =
    let weights = Array.create n 1.0

    let rec go j (o: AlgebraOptions) =
        if j >= argv.Length then
            Ok o
        else
            let remaining = argv.Length - j

            if op <> SetOp.Diff && not cardOnly && remaining >= n + 1 && is "WEIGHTS" argv[j] then
                let mutable error = None

                for i in 0 .. n - 1 do
                    if error.IsNone then
                        match Numbers.tryParseDouble argv[j + 1 + i] with
                        | ValueSome d -> weights[i] <- d
                        | ValueNone -> error <- Some RedisError.WeightNotFloat

                match error with
                | Some e -> Error e
                | None -> go (j + 1 + n) o
            elif op <> SetOp.Diff && not cardOnly && remaining >= 2 && is "AGGREGATE" argv[j] then
                let a = argv[j + 1]

                if is "SUM" a then
                    go (j + 2) { o with Aggregate = Aggregate.Sum }
                elif is "MIN" a then
                    go (j + 2) { o with Aggregate = Aggregate.Min }
                elif is "MAX" a then
                    go (j + 2) { o with Aggregate = Aggregate.Max }
                else
                    Error RedisError.Syntax
            elif not storing && not cardOnly && is "WITHSCORES" argv[j] then
                go (j + 1) { o with WithScores = true }
            elif cardOnly && remaining >= 2 && is "LIMIT" argv[j] then
                match Numbers.tryParseInt64 argv[j + 1] with
                | ValueSome l when l >= 0L -> go (j + 2) { o with Limit = l }
                | _ -> Error RedisError.LimitNegative
            else
                Error RedisError.Syntax

    go
        first
        {
            Weights = weights
            Aggregate = Aggregate.Sum
            WithScores = false
            Limit = 0L
        }

/// The inputs, with their weights, from the smallest to the largest (stable, as Redis's qsort is here).
let private bySize (sources: Source[]) (weights: float[]) =
    Array.zip sources weights
    |> List.ofArray
    |> List.sortBy (fst >> Source.count)
    |> Array.ofList

/// The members in every input, scored by the aggregate of their weighted scores; with cardOnly, just
/// how many there are (stopping at limit when it is not 0).
let private intersect (inputs: (Source * float)[]) (agg: Aggregate) (cardOnly: bool) (limit: int64) =
    let result = ResizeArray<ScoredMember>()
    let mutable card = 0L
    let src0, w0 = inputs[0]

    if Source.count src0 > 0 then
        let entries = Source.entries src0
        let mutable i = 0

        while i < entries.Length && not (cardOnly && limit > 0L && card >= limit) do
            let e = entries[i]
            let mutable score = weighted w0 e.Score
            let mutable j = 1

            while j < inputs.Length
                  && (match Source.tryScore e.Member (fst inputs[j]) with
                      | ValueSome v ->
                          score <- aggregate agg score (v * snd inputs[j])
                          true
                      | ValueNone -> false) do
                j <- j + 1

            if j = inputs.Length then
                if cardOnly then
                    card <- card + 1L
                else
                    result.Add { Score = score; Member = e.Member }

            i <- i + 1

    struct (result.ToArray(), card)

/// Every member of any input, scored by the aggregate of its weighted scores.
let private unite (inputs: (Source * float)[]) (agg: Aggregate) =
    let acc = Dictionary<Bytes, float>(BytesComparer.Instance)

    for src, w in inputs do
        for e in Source.entries src do
            let score = weighted w e.Score

            match acc.TryGetValue e.Member with
            | true, t -> acc[e.Member] <- aggregate agg t score
            | _ -> acc[e.Member] <- score

    let result = Array.zeroCreate acc.Count
    let mutable i = 0

    for KeyValue(m, score) in acc do
        result[i] <- { Score = score; Member = m }
        i <- i + 1

    result

/// The members of the first input in none of the others, with their scores in the first.
let private subtract (sources: Source[]) =
    Source.entries sources[0]
    |> Array.filter (fun e ->
        sources
        |> Array.skip 1
        |> Array.forall (fun src -> (Source.tryScore e.Member src).IsNone))

/// The result of a set operation: Ok(entries in ScoreOrder, or the cardinality for ZINTERCARD), and the
/// options. numkeys at argv[at]; the keys follow it, then the options.
let private algebra (now: int64) (argv: Bytes[]) (at: int) (op: SetOp) (storing: bool) (cardOnly: bool) (db: Db) =
    result {
        let! n = readInt64 argv[at]

        if n < 1L then
            return! Error(RedisError.NoInputKeys(Bytes.toLowerAscii argv[0]))
        elif n > int64 (argv.Length - at - 1) then
            return! Error RedisError.Syntax
        else
            let n = int n
            let! sources = readSources now argv (at + 1) n db
            let! o = readAlgebraOptions argv (at + 1 + n) n op storing cardOnly

            let struct (entries, card) =
                match op with
                | SetOp.Inter -> intersect (bySize sources o.Weights) o.Aggregate cardOnly o.Limit
                | SetOp.Union -> struct (unite (bySize sources o.Weights) o.Aggregate, 0L)
                | SetOp.Diff -> struct (subtract sources, 0L)

            Array.Sort(entries, ScoreOrder.Instance)
            return struct (entries, card, o)
    }

/// The "keymiss" events of the inputs (numkeys at argv[at]) readSources finds missing, up to the first
/// of another kind: Redis looks them all up (after numkeys, before the options) and stops there.
/// Computed before the command writes.
let private misses (ctx: Ctx) (s: Session) (argv: Bytes[]) (at: int) (db: Db) =
    match Numbers.tryParseInt64 argv[at] with
    | ValueSome n when ctx.Events && n >= 1L && n <= int64 (argv.Length - at - 1) ->
        let mutable events = []
        let mutable i = at + 1

        while i <= at + int n do
            match Db.tryGet ctx.NowMs argv[i] db with
            | ValueSome(Value.SortedSet _)
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
            | ValueSome _ -> i <- Int32.MaxValue

        List.rev events
    | _ -> []

/// ZUNION / ZINTER / ZDIFF numkeys key [key ...] [WEIGHTS ...] [AGGREGATE ...] [WITHSCORES]
let private algebraCommand (op: SetOp) : Handler =
    fun ctx s argv w ->
        result {
            let! struct (entries, _, o) =
                algebra ctx.NowMs argv 1 op false false (World.db s.Db w)

            return entriesReply s.Protocol o.WithScores entries, w
        }
        |> Outcome.ofResult s w
        |> Outcome.notifyAll ctx (misses ctx s argv 1 (World.db s.Db w))

/// ZUNIONSTORE / ZINTERSTORE / ZDIFFSTORE destination numkeys key [key ...] [options]: the result
/// replaces destination (an empty one deletes it).
let private algebraStore (op: SetOp) (event: string) : Handler =
    fun ctx s argv w ->
        let db = World.db s.Db w
        // What the events need is read before the write (a live Db is edited in place).
        let missed = misses ctx s argv 2 db
        let dstExisted = ctx.Events && Db.exists ctx.NowMs argv[1] db

        match algebra ctx.NowMs argv 2 op true false db with
        | Error e -> Outcome.error e s w |> Outcome.notifyAll ctx missed
        | Ok(struct (entries, _, _)) ->
            let z = RedisSortedSet.ofSorted (limits w) entries

            Outcome.reply (intReply entries.Length) s (World.withDb s.Db (store ctx.NowMs argv[1] z db) w)
            |> Outcome.notifyAll ctx missed
            |> stored ctx event argv[1] dstExisted entries.Length

// ZUNION numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]
let zunion: Handler = algebraCommand SetOp.Union

// ZINTER numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]
let zinter: Handler = algebraCommand SetOp.Inter

// ZDIFF numkeys key [key ...] [WITHSCORES]
let zdiff: Handler = algebraCommand SetOp.Diff

// ZUNIONSTORE destination numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE SUM|MIN|MAX]
let zunionstore: Handler = algebraStore SetOp.Union "zunionstore"

// ZINTERSTORE destination numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE SUM|MIN|MAX]
let zinterstore: Handler = algebraStore SetOp.Inter "zinterstore"

// ZDIFFSTORE destination numkeys key [key ...]
let zdiffstore: Handler = algebraStore SetOp.Diff "zdiffstore"

// ZINTERCARD numkeys key [key ...] [LIMIT limit]
let zintercard: Handler =
    fun ctx s argv w ->
        result {
            let! struct (_, card, _) =
                algebra ctx.NowMs argv 1 SetOp.Inter false true (World.db s.Db w)

            return RespValue.Integer card, w
        }
        |> Outcome.ofResult s w
        |> Outcome.notifyAll ctx (misses ctx s argv 1 (World.db s.Db w))
