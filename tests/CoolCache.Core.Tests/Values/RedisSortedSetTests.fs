module CoolCache.Core.Tests.Values.RedisSortedSetTests

open System
open Expecto
open FsCheck
open FsCheck.FSharp
open CoolCache.Core
open CoolCache.Core.Collections
open CoolCache.Core.Protocol
open CoolCache.Core.Values
open CoolCache.Core.Commands
open CoolCache.Core.State

let private b (s: string) = Bytes.ofLatin1 s
let private str (m: Bytes) = Bytes.toLatin1 m

let private config =
    { FsCheckConfig.defaultConfig with
        maxTest = 200
        endSize = 100
    }

// ---- The model: member → score, listed by score then member bytes (memcmp) ----

/// Redis's order: score (-0 = 0), then member bytes.
let private byScore (ma: string, sa: float) (mb: string, sb: float) =
    if sa < sb then -1
    elif sa > sb then 1
    else Bytes.compare (b ma) (b mb)

let private listed (model: Map<string, float>) =
    model |> Map.toList |> List.sortWith byScore

let private entries (z: RedisSortedSet) =
    RedisSortedSet.toArray z
    |> Array.map (fun e -> str e.Member, e.Score)
    |> List.ofArray

/// Members from a small pool (they repeat), binary and empty ones included; rarely a long one.
let private memberGen =
    Gen.frequency
        [
            8, Gen.elements [ "a"; "b"; "c"; "d"; "e"; "aa"; "B"; "1"; "10"; ""; "\000"; "a\000"; "\xff" ]
            1, Gen.elements [ "long-member"; "another-long-one" ]
        ]

let private scoreGen =
    Gen.frequency
        [
            8, Gen.choose (-4, 4) |> Gen.map float
            2, Gen.elements [ 0.5; -1.5; infinity; -infinity; -0.0; 1e300 ]
        ]

let private limitsGen =
    Gen.map2
        (fun n v ->
            {
                MaxMembers = int64 n
                MaxMemberBytes = int64 v
            })
        (Gen.choose (0, 6))
        (Gen.choose (1, 4))

type private ModelOp =
    | Put of string * float
    /// ZADD's plain pair (RedisSortedSet.upsert): the same score (-0 = 0) leaves the stored one.
    | Upsert of string * float
    | Remove of string
    | PopFront of int
    | PopBack of int
    /// Keep this version and continue under a fresh owner (what Db.freeze does for a snapshot).
    | Freeze

let private opGen =
    Gen.frequency
        [
            8, Gen.map2 (fun m s -> Put(m, s)) memberGen scoreGen
            6, Gen.map2 (fun m s -> Upsert(m, s)) memberGen scoreGen
            3, Gen.map Remove memberGen
            1, Gen.map PopFront (Gen.choose (1, 3))
            1, Gen.map PopBack (Gen.choose (1, 3))
            1, Gen.constant Freeze
        ]

/// A sorted set of these entries built by inserts (the last score of a member wins).
let private build (owner: obj) (limits: SortedSetLimits) (items: (string * float) list) =
    items
    |> List.fold
        (fun z (m, s) ->
            match RedisSortedSet.tryScore (b m) z with
            | ValueSome old -> RedisSortedSet.rescore owner (b m) old s z
            | ValueNone -> RedisSortedSet.insert owner limits (b m) s z)
        RedisSortedSet.empty

let private itemsGen = Gen.listOf (Gen.zip memberGen scoreGen)

let private boolGen = Gen.elements [ true; false ]

let private wide =
    {
        MaxMembers = 128L
        MaxMemberBytes = 64L
    }

/// Cheap properties with rare corners (extreme offsets) get more cases.
let private manyCases = { config with maxTest = 2000 }

/// LIMIT offsets and counts: small ones of both signs and the extremes (no overflow).
let private offsetGen =
    Gen.frequency
        [
            5, Gen.choose (-2, 6) |> Gen.map int64
            2, Gen.elements [ Int64.MaxValue; Int64.MaxValue - 1L; Int64.MinValue; 4611686018427387904L ]
        ]

let private limitGen =
    Gen.frequency
        [
            8, Gen.elements [ -1L; 0L; 1L; 2L; 5L; 200L ]
            1, Gen.elements [ Int64.MaxValue; Int64.MinValue; 129L ]
        ]

// ---- Commands through the core, as the host runs them ----

let private host = CoolCache.Core.Tests.TestHost.none

let private ctxWith (seed: uint64) =
    {
        NowMs = 1_000_000L
        NowUs = 1_000_000_000L
        Seed = seed
        Host = host
        IsLocal = true
        Events = false
    }

let private session = Api.NewSession 1L
let private session3 = { session with Protocol = 3 }

let private execute (s: Session) (seed: uint64) (w: World) (argv: string list) =
    Api.Execute(ctxWith seed, s, argv |> List.map b |> Array.ofList, w)

let private runSeeded (seed: uint64) (w: World) (argv: string list) =
    let r = execute session seed w argv
    r.Reply, r.World

let private run w argv = runSeeded 7UL w argv

/// Runs commands in order; returns the last reply and the World.
let private script (w: World) (cmds: string list list) =
    cmds |> List.fold (fun (_, w) c -> run w c) (RespValue.Null, w)

let private fresh () = World.create Config.defaults

let private withLimits (entries: int64) (value: int64) =
    World.create
        { Config.defaults with
            SortedSetMaxListpackEntries = entries
            SortedSetMaxListpackValue = value
        }

let private reply w argv = fst (run w argv)
let private reply3 w argv = (execute session3 7UL w argv).Reply

let private bulk (s: string) = RespValue.Bulk(b s)

let private bulks (xs: string list) =
    xs |> List.map bulk |> Array.ofList |> RespValue.Array

let private int (n: int) = RespValue.Integer(int64 n)
let private err (text: string) = RespValue.Error text

/// A RESP2 WITHSCORES reply as (member, score text) pairs.
let private pairs (r: RespValue) =
    match r with
    | RespValue.Array xs ->
        xs
        |> Array.chunkBySize 2
        |> Array.map (fun p ->
            match p with
            | [| RespValue.Bulk m; RespValue.Double s |] -> str m, Numbers.formatDouble s
            | other -> failwithf "not a member/score pair: %A" other)
        |> List.ofArray
    | other -> failwithf "not an array: %A" other

/// Every key of db 0 with its value: strings as they are, sorted sets as their entries in order.
let private contents (w: World) =
    (World.db 0 w).Keys
    |> HashMap.toSeq
    |> Seq.map (fun struct (k, v) ->
        let shown =
            match v with
            | Value.SortedSet z ->
                (if z.Skiplist then "skiplist " else "listpack ")
                + String.Join(",", entries z |> List.map (fun (m, s) -> sprintf "%s=%s" m (Numbers.formatDouble s)))
            | other -> Value.typeName other

        str k, shown)
    |> Seq.sort
    |> List.ofSeq

let private zkey = Gen.elements [ "z1"; "z2"; "z3" ]
let private zmember = Gen.elements [ "a"; "b"; "c"; "d"; "e" ]
let private zscore = Gen.elements [ "1"; "2"; "-1"; "0.5"; "3"; "inf"; "-inf" ]

/// Sorted set commands that write (deterministic: no random pops).
let private sortedSetWrite =
    Gen.oneof
        [
            Gen.map3 (fun k s m -> [ "ZADD"; k; s; m ]) zkey zscore zmember
            Gen.map3 (fun k s m -> [ "ZADD"; k; "GT"; "CH"; s; m; "2"; "e" ]) zkey zscore zmember
            Gen.map3 (fun k s m -> [ "ZINCRBY"; k; s; m ]) zkey zscore zmember
            Gen.map2 (fun k m -> [ "ZREM"; k; m ]) zkey zmember
            Gen.map2 (fun k n -> [ "ZPOPMIN"; k; string n ]) zkey (Gen.choose (1, 3))
            Gen.map (fun k -> [ "ZPOPMAX"; k ]) zkey
            Gen.map (fun k -> [ "ZREMRANGEBYSCORE"; k; "(0"; "2" ]) zkey
            Gen.map (fun k -> [ "ZREMRANGEBYRANK"; k; "0"; "0" ]) zkey
            Gen.map (fun k -> [ "ZREMRANGEBYLEX"; k; "[b"; "[c" ]) zkey
            Gen.map3 (fun d a k -> [ "ZUNIONSTORE"; d; "2"; a; k; "WEIGHTS"; "2"; "1" ]) zkey zkey zkey
            Gen.map3 (fun d a k -> [ "ZINTERSTORE"; d; "2"; a; k; "AGGREGATE"; "MAX" ]) zkey zkey zkey
            Gen.map3 (fun d a k -> [ "ZDIFFSTORE"; d; "2"; a; k ]) zkey zkey zkey
            Gen.map2 (fun d a -> [ "ZRANGESTORE"; d; a; "0"; "-1"; "REV" ]) zkey zkey
            Gen.map2 (fun a k -> [ "ZMPOP"; "2"; a; k; "MAX"; "COUNT"; "2" ]) zkey zkey
            Gen.map2 (fun a d -> [ "COPY"; a; d; "REPLACE" ]) zkey zkey
            Gen.map2 (fun a d -> [ "RENAME"; a; d ]) zkey zkey
            Gen.map (fun k -> [ "DEL"; k ]) zkey
        ]

// ---- A command-level model ----

[<RequireQualifiedAccess>]
type private Cmd =
    | Add of flags: string list * pairs: (float * string) list
    | Incr of float * string
    | Rem of string list
    | PopMin of int
    | PopMax of int
    | RemScore of float * float
    | Union of weight: float * agg: string
    | Inter of weight: float * agg: string
    | Diff

let private cmdGen =
    let score = Gen.elements [ -2.0; 0.0; 1.0; 1.5; 3.0; infinity; -infinity ]

    Gen.frequency
        [
            6,
            Gen.map2
                (fun f ps -> Cmd.Add(f, ps))
                (Gen.elements [ []; [ "NX" ]; [ "XX" ]; [ "GT" ]; [ "LT" ]; [ "CH" ]; [ "XX"; "GT"; "CH" ] ])
                (Gen.nonEmptyListOf (Gen.zip score zmember))
            3, Gen.map2 (fun s m -> Cmd.Incr(s, m)) (Gen.elements [ 1.0; -1.0; 0.5; infinity; -infinity ]) zmember
            2, Gen.map Cmd.Rem (Gen.nonEmptyListOf zmember)
            1, Gen.map Cmd.PopMin (Gen.choose (0, 3))
            1, Gen.map Cmd.PopMax (Gen.choose (1, 3))
            1,
            Gen.map2 (fun a z -> Cmd.RemScore(a, z)) (Gen.elements [ -1.0; 0.0; 1.0 ]) (Gen.elements [ 1.0; 2.0; 5.0 ])
            1,
            Gen.map2
                (fun w a -> Cmd.Union(w, a))
                (Gen.elements [ 1.0; 2.0; -1.0; 0.0 ])
                (Gen.elements [ "SUM"; "MIN"; "MAX" ])
            1,
            Gen.map2
                (fun w a -> Cmd.Inter(w, a))
                (Gen.elements [ 1.0; 2.0; -1.0; 0.0 ])
                (Gen.elements [ "SUM"; "MIN"; "MAX" ])
            1, Gen.constant Cmd.Diff
        ]

let private fmt (d: float) = Numbers.formatDouble d

let private aggregate (agg: string) (t: float) (v: float) =
    match agg with
    | "SUM" ->
        let s = t + v
        if Double.IsNaN s then 0.0 else s
    | "MIN" -> if v < t then v else t
    | _ -> if v > t then v else t

let private weighted (w: float) (s: float) =
    let v = w * s
    if Double.IsNaN v then 0.0 else v

/// The key "z" (model) edited against the fixed other key "o" = {a:1, c:2} (other); returns the
/// reply the model expects and the new model.
let private step
    (model: Map<string, float>)
    (other: Map<string, float>)
    (cmd: Cmd)
    : string list * RespValue * Map<string, float> =
    match cmd with
    | Cmd.Add(flags, ps) ->
        let has f = List.contains f flags
        let mutable m = model
        let mutable added = 0
        let mutable changed = 0

        for s, x in ps do
            match m.TryFind x with
            | Some cur ->
                if
                    not (has "NX")
                    && not ((has "LT" && s >= cur) || (has "GT" && s <= cur))
                    && s <> cur
                then
                    m <- m.Add(x, s)
                    changed <- changed + 1
            | None ->
                if not (has "XX") then
                    m <- m.Add(x, s)
                    added <- added + 1

        let args =
            "ZADD" :: "z" :: flags @ (ps |> List.collect (fun (s, x) -> [ fmt s; x ]))

        args, int (if has "CH" then added + changed else added), m
    | Cmd.Incr(d, x) ->
        let args = [ "ZINCRBY"; "z"; fmt d; x ]

        match model.TryFind x with
        | Some cur when Double.IsNaN(cur + d) -> args, err "ERR resulting score is not a number (NaN)", model
        | Some cur -> args, RespValue.Double(cur + d), model.Add(x, cur + d)
        | None -> args, RespValue.Double d, model.Add(x, d)
    | Cmd.Rem xs ->
        let present = xs |> List.distinct |> List.filter model.ContainsKey
        ("ZREM" :: "z" :: xs), int present.Length, (present |> List.fold (fun m x -> Map.remove x m) model)
    | Cmd.PopMin n
    | Cmd.PopMax n ->
        let min =
            match cmd with
            | Cmd.PopMin _ -> true
            | _ -> false

        let order = if min then listed model else List.rev (listed model)
        let popped = List.truncate n order

        let r =
            popped
            |> List.collect (fun (x, s) -> [ bulk x; RespValue.Double s ])
            |> Array.ofList
            |> RespValue.Array

        [ (if min then "ZPOPMIN" else "ZPOPMAX"); "z"; string n ],
        r,
        (popped |> List.fold (fun m (x, _) -> Map.remove x m) model)
    | Cmd.RemScore(lo, hi) ->
        let gone = model |> Map.filter (fun _ s -> s > lo && s <= hi)

        [ "ZREMRANGEBYSCORE"; "z"; "(" + fmt lo; fmt hi ],
        int gone.Count,
        (gone |> Map.fold (fun m x _ -> Map.remove x m) model)
    | Cmd.Union(w, agg) ->
        let result =
            other
            |> Map.fold
                (fun acc x s ->
                    let v = weighted w s

                    match Map.tryFind x acc with
                    | Some t -> Map.add x (aggregate agg t v) acc
                    | None -> Map.add x v acc)
                (model |> Map.map (fun _ s -> weighted 1.0 s))

        [ "ZUNIONSTORE"; "z"; "2"; "z"; "o"; "WEIGHTS"; "1"; fmt w; "AGGREGATE"; agg ], int result.Count, result
    | Cmd.Inter(w, agg) ->
        // Inputs from the smallest (ties: in argument order), as Redis iterates them.
        let result =
            if model.Count <= other.Count then
                model
                |> Map.toList
                |> List.choose (fun (x, s) ->
                    other.TryFind x
                    |> Option.map (fun o -> x, aggregate agg (weighted 1.0 s) (o * w)))
            else
                other
                |> Map.toList
                |> List.choose (fun (x, o) ->
                    model.TryFind x
                    |> Option.map (fun s -> x, aggregate agg (weighted w o) (s * 1.0)))
            |> Map.ofList

        [ "ZINTERSTORE"; "z"; "2"; "z"; "o"; "WEIGHTS"; "1"; fmt w; "AGGREGATE"; agg ], int result.Count, result
    | Cmd.Diff ->
        let result = model |> Map.filter (fun x _ -> not (other.ContainsKey x))
        [ "ZDIFFSTORE"; "z"; "2"; "z"; "o" ], int result.Count, result

let private properties =
    testList
        "properties"
        [
            testPropertyWithConfig
                config
                "inserts, rescores, removes and pops agree with a Map model in (score, member) order; frozen versions keep theirs"
            <| Prop.forAll (Arb.fromGen (Gen.zip (Gen.listOf opGen) limitsGen)) (fun (ops, limits) ->
                let mutable owner = obj ()
                let mutable z = RedisSortedSet.empty
                let mutable model = Map.empty
                let mutable skiplist = false
                let frozen = ResizeArray()

                for op in ops do
                    match op with
                    | Put(m, s) ->
                        match RedisSortedSet.tryScore (b m) z with
                        | ValueSome old -> z <- RedisSortedSet.rescore owner (b m) old s z
                        | ValueNone ->
                            skiplist <-
                                skiplist
                                || int64 model.Count + 1L > limits.MaxMembers
                                || int64 m.Length > limits.MaxMemberBytes

                            z <- RedisSortedSet.insert owner limits (b m) s z

                        // A listpack writes scores as text: -0 comes back as 0.
                        model <- model.Add(m, (if not skiplist && s = 0.0 then 0.0 else s))
                    | Upsert(m, s) ->
                        let struct (z', did) = RedisSortedSet.upsert owner limits (b m) s z
                        z <- z'

                        match model.TryFind m with
                        | Some old when old = s -> Expect.equal did 0 "the same score: nothing written"
                        | Some _ ->
                            Expect.equal did 2 "a new score"
                            model <- model.Add(m, (if not skiplist && s = 0.0 then 0.0 else s))
                        | None ->
                            Expect.equal did 1 "added"

                            skiplist <-
                                skiplist
                                || int64 model.Count + 1L > limits.MaxMembers
                                || int64 m.Length > limits.MaxMemberBytes

                            model <- model.Add(m, (if not skiplist && s = 0.0 then 0.0 else s))
                    | Remove m ->
                        let struct (z', found) = RedisSortedSet.remove owner (b m) z
                        Expect.equal found (model.ContainsKey m) "found"
                        z <- z'
                        model <- model.Remove m
                    | PopFront n
                    | PopBack n ->
                        let front =
                            match op with
                            | PopFront _ -> true
                            | _ -> false

                        let n = min n model.Count
                        let start = if front then 0 else model.Count - n
                        let struct (z', removed) = RedisSortedSet.removeRange owner start n z
                        let expected = listed model |> List.skip start |> List.truncate n

                        Expect.equal
                            (removed |> Array.map (fun e -> str e.Member, e.Score) |> List.ofArray)
                            expected
                            "removed"

                        z <- z'
                        model <- expected |> List.fold (fun m (x, _) -> Map.remove x m) model
                    | Freeze ->
                        frozen.Add(z, model)
                        owner <- obj ()

                    let expected = listed model
                    Expect.equal (entries z) expected "entries in (score, member) order"
                    Expect.equal (RedisSortedSet.count z) model.Count "count"
                    Expect.isTrue (ScoreTree.isValid z.Index) "the index is a valid tree"
                    Expect.equal z.Skiplist skiplist "encoding: listpack until a member too many or too long"

                    expected
                    |> List.iteri (fun i (m, s) ->
                        Expect.equal (RedisSortedSet.rank (b m) z) i "rank"
                        // Bit for bit: -0 and 0 differ in a skiplist.
                        let bits = ValueOption.map BitConverter.DoubleToInt64Bits
                        Expect.equal (bits (RedisSortedSet.tryScore (b m) z)) (bits (ValueSome s)) "score")

                for z, m in frozen do
                    Expect.equal (entries z) (listed m) "a frozen version is unchanged by later in-place edits")

            testPropertyWithConfig config "score spans hold exactly the members whose scores are in range"
            <| Prop.forAll
                (Arb.fromGen (Gen.zip3 itemsGen (Gen.zip scoreGen boolGen) (Gen.zip scoreGen boolGen)))
                (fun (items, (lo, loEx), (hi, hiEx)) ->
                    let z = build (obj ()) wide items

                    let range =
                        {
                            Min = lo
                            MinExclusive = loEx
                            Max = hi
                            MaxExclusive = hiEx
                        }

                    let inRange s =
                        (if loEx then s > lo else s >= lo) && (if hiEx then s < hi else s <= hi)

                    let struct (first, n) = RedisSortedSet.scoreSpan range z

                    let got =
                        RedisSortedSet.slice first n z
                        |> Array.map (fun e -> str e.Member)
                        |> List.ofArray

                    let expected = entries z |> List.filter (snd >> inRange) |> List.map fst
                    Expect.equal got expected "members in range")

            testPropertyWithConfig
                manyCases
                "a LIMIT read of a score range skips offset entries and takes count, either way"
            <| Prop.forAll
                (Arb.fromGen (
                    Gen.zip
                        (Gen.zip3 itemsGen (Gen.zip scoreGen boolGen) (Gen.zip scoreGen boolGen))
                        (Gen.zip3 offsetGen limitGen boolGen)
                ))
                (fun ((items, (lo, loEx), (hi, hiEx)), (offset, limit, reverse)) ->
                    let z = build (obj ()) wide items

                    let range =
                        {
                            Min = lo
                            MinExclusive = loEx
                            Max = hi
                            MaxExclusive = hiEx
                        }

                    let inRange s =
                        (if loEx then s > lo else s >= lo) && (if hiEx then s < hi else s <= hi)

                    let all = entries z |> List.filter (snd >> inRange) |> List.map fst
                    let ordered = if reverse then List.rev all else all

                    let expected =
                        if offset < 0L || offset >= int64 all.Length then
                            []
                        else
                            let rest = List.skip (int32 offset) ordered

                            if limit < 0L then
                                rest
                            else
                                List.truncate (int32 (min limit 1000L)) rest

                    let got =
                        RedisSortedSet.scoreWindow range offset limit reverse z
                        |> Array.map (fun e -> str e.Member)
                        |> List.ofArray

                    Expect.equal got expected "window")

            testPropertyWithConfig config "lex spans over equal scores hold exactly the members in the lex range"
            <| Prop.forAll
                (Arb.fromGen (
                    Gen.zip
                        (Gen.zip (Gen.listOf memberGen) boolGen)
                        (Gen.zip
                            (Gen.zip3 (Gen.choose (-1, 1)) memberGen boolGen)
                            (Gen.zip3 (Gen.choose (-1, 1)) memberGen boolGen))
                ))
                (fun ((ms, skiplist), ((loInf, lo, loEx), (hiInf, hi, hiEx))) ->
                    let limits = if skiplist then { wide with MaxMembers = 0L } else wide
                    let z = build (obj ()) limits (ms |> List.map (fun m -> m, 0.0))

                    let bound inf v ex =
                        {
                            Infinite = inf
                            Value = b v
                            Exclusive = ex || inf <> 0
                        }

                    let range =
                        {
                            Min = bound loInf lo loEx
                            Max = bound hiInf hi hiEx
                        }

                    let cmp (m: string) (inf, v: string) =
                        if inf < 0 then 1
                        elif inf > 0 then -1
                        else Bytes.compare (b m) (b v)

                    let inRange m =
                        let c1 = cmp m (loInf, lo)
                        let c2 = cmp m (hiInf, hi)

                        (if range.Min.Exclusive then c1 > 0 else c1 >= 0)
                        && (if range.Max.Exclusive then c2 < 0 else c2 <= 0)

                    let expected = entries z |> List.map fst |> List.filter inRange
                    let struct (first, n) = RedisSortedSet.lexSpan range z

                    Expect.equal
                        (RedisSortedSet.slice first n z
                         |> Array.map (fun e -> str e.Member)
                         |> List.ofArray)
                        expected
                        "forward"

                    let struct (lo', n') = RedisSortedSet.lexSpanBack range z

                    Expect.equal
                        (RedisSortedSet.slice lo' n' z
                         |> Array.map (fun e -> str e.Member)
                         |> List.ofArray)
                        expected
                        "backward")

            testPropertyWithConfig
                config
                "a lex span with mixed scores is Redis's listpack scan from the head, in either encoding"
            <| Prop.forAll
                (Arb.fromGen (
                    Gen.zip (Gen.zip3 itemsGen (Gen.zip memberGen boolGen) (Gen.zip memberGen boolGen)) boolGen
                ))
                (fun ((items, (lo, loEx), (hi, hiEx)), skiplist) ->
                    let z =
                        build (obj ()) (if skiplist then { wide with MaxMembers = 0L } else wide) items

                    let ms = entries z |> List.map fst |> Array.ofList

                    let gte m =
                        let c = Bytes.compare (b m) (b lo) in if loEx then c > 0 else c >= 0

                    let lte m =
                        let c = Bytes.compare (b m) (b hi) in if hiEx then c < 0 else c <= 0

                    let c = Bytes.compare (b lo) (b hi)
                    // zzlIsInLexRange, zzlFirstInLexRange, then forward while <= max.
                    let expected =
                        if
                            ms.Length = 0
                            || c > 0
                            || (c = 0 && (loEx || hiEx))
                            || not (gte ms[ms.Length - 1])
                            || not (lte ms[0])
                        then
                            []
                        else
                            match Array.tryFindIndex gte ms with
                            | Some i when lte ms[i] -> ms[i..] |> Array.takeWhile lte |> List.ofArray
                            | _ -> []

                    let range =
                        {
                            Min =
                                {
                                    Infinite = 0
                                    Value = b lo
                                    Exclusive = loEx
                                }
                            Max =
                                {
                                    Infinite = 0
                                    Value = b hi
                                    Exclusive = hiEx
                                }
                        }

                    let struct (first, n) = RedisSortedSet.lexSpan range z

                    Expect.equal
                        (RedisSortedSet.slice first n z
                         |> Array.map (fun e -> str e.Member)
                         |> List.ofArray)
                        expected
                        "linear scan")

            testPropertyWithConfig
                manyCases
                "a LIMIT read of a lex range with mixed scores walks as Redis's listpack code does, in either encoding"
            <| Prop.forAll
                (Arb.fromGen (
                    Gen.zip
                        (Gen.zip3 itemsGen (Gen.zip memberGen boolGen) (Gen.zip memberGen boolGen))
                        (Gen.zip (Gen.zip3 offsetGen limitGen boolGen) boolGen)
                ))
                (fun ((items, (lo, loEx), (hi, hiEx)), ((offset, limit, reverse), skiplist)) ->
                    let z =
                        build (obj ()) (if skiplist then { wide with MaxMembers = 0L } else wide) items

                    let ms = entries z |> List.map fst |> Array.ofList

                    let gte m =
                        let c = Bytes.compare (b m) (b lo)
                        if loEx then c > 0 else c >= 0

                    let lte m =
                        let c = Bytes.compare (b m) (b hi)
                        if hiEx then c < 0 else c <= 0

                    let c = Bytes.compare (b lo) (b hi)

                    // zzlIsInLexRange, then zzlFirstInLexRange / zzlLastInLexRange, skip offset entries
                    // whatever they are, then take while within the far end, at most limit.
                    let inRange =
                        ms.Length > 0
                        && not (c > 0 || (c = 0 && (loEx || hiEx)))
                        && gte ms[ms.Length - 1]
                        && lte ms[0]

                    let walk (order: string[]) (near: string -> bool) (far: string -> bool) =
                        match Array.tryFindIndex near order with
                        | Some i when inRange && far order[i] && offset >= 0L && offset < int64 (order.Length - i) ->
                            let rest = order[i + int32 offset ..] |> Array.takeWhile far |> List.ofArray

                            if limit < 0L then
                                rest
                            else
                                List.truncate (int32 (min limit 1000L)) rest
                        | _ -> []

                    let expected =
                        if reverse then
                            walk (Array.rev ms) lte gte
                        else
                            walk ms gte lte

                    let range =
                        {
                            Min =
                                {
                                    Infinite = 0
                                    Value = b lo
                                    Exclusive = loEx
                                }
                            Max =
                                {
                                    Infinite = 0
                                    Value = b hi
                                    Exclusive = hiEx
                                }
                        }

                    let got =
                        RedisSortedSet.lexWindow range offset limit reverse z
                        |> Array.map (fun e -> str e.Member)
                        |> List.ofArray

                    Expect.equal got expected "walk")

            testPropertyWithConfig config "stores build sets with Redis's encoding and signed zeros"
            <| Prop.forAll (Arb.fromGen (Gen.zip itemsGen limitsGen)) (fun (items, limits) ->
                let distinct = items |> List.distinctBy fst

                let added =
                    distinct |> List.map (fun (m, s) -> { Score = s; Member = b m }) |> Array.ofList

                let sorted = Array.copy added
                Array.Sort(sorted, ScoreOrder.Instance)

                let fits =
                    int64 sorted.Length <= limits.MaxMembers
                    && sorted |> Array.forall (fun e -> int64 e.Member.Length <= limits.MaxMemberBytes)

                let z = RedisSortedSet.ofSorted limits sorted
                Expect.equal z.Skiplist (not fits) "listpack iff it fits (zsetConvertToListpackIfNeeded)"

                let zeroes (z: RedisSortedSet) =
                    entries z
                    |> List.filter (fun (_, s) -> s = 0.0)
                    |> List.map (fun (_, s) -> 1.0 / s)

                if not z.Skiplist then
                    Expect.isTrue (zeroes z |> List.forall (fun x -> x > 0.0)) "a listpack has no -0"

                Expect.equal
                    (entries z |> List.map fst)
                    (sorted |> Array.map (fun e -> str e.Member) |> List.ofArray)
                    "members"

                let y = RedisSortedSet.ofAdds limits false added
                Expect.equal (entries y |> List.map fst) (entries z |> List.map fst) "the same members from adds"
                Expect.isTrue (ScoreTree.isValid y.Index && ScoreTree.isValid z.Index) "valid trees"

                // Added one by one: the entries before the first that converts were written as text.
                let firstBig =
                    added
                    |> Array.mapi (fun i e ->
                        int64 i + 1L > limits.MaxMembers
                        || int64 e.Member.Length > limits.MaxMemberBytes)
                    |> Array.tryFindIndex id

                Expect.equal y.Skiplist firstBig.IsSome "converted iff some add passed the limits"

                for i, e in Array.indexed added do
                    let kept = RedisSortedSet.tryScore e.Member y |> ValueOption.get

                    let normalised =
                        match firstBig with
                        | Some k -> i < k
                        | None -> true

                    if e.Score = 0.0 then
                        Expect.equal
                            (1.0 / kept > 0.0)
                            (normalised || 1.0 / e.Score > 0.0)
                            "-0 kept only after the conversion")

            testPropertyWithConfig config "random entries have the shapes ZRANDMEMBER promises"
            <| Prop.forAll
                (Arb.fromGen (Gen.zip3 itemsGen (Gen.choose (1, 30)) (Gen.choose (0, 1000))))
                (fun (items, count, seed) ->
                    let z = build (obj ()) wide items
                    let size = RedisSortedSet.count z

                    if size > 0 then
                        let model = entries z |> Set.ofList
                        let pick (e: ScoredMember) = str e.Member, e.Score
                        let n = min count (size - 1)

                        if n > 0 then
                            let distinct = RedisSortedSet.randomDistinct (uint64 seed) n z |> Array.map pick
                            Expect.equal distinct.Length n "n entries"
                            Expect.equal (Set.ofArray distinct).Count n "distinct"
                            Expect.isTrue (Set.isSubset (Set.ofArray distinct) model) "entries of the set"

                            Expect.equal
                                (RedisSortedSet.randomDistinct (uint64 seed) n z |> Array.map pick)
                                distinct
                                "the same seed draws the same"

                        let repeats = RedisSortedSet.randomEntries (uint64 seed) count z |> Array.map pick
                        Expect.equal repeats.Length count "count draws"
                        Expect.isTrue (Set.isSubset (Set.ofArray repeats) model) "entries of the set"
                        Expect.isTrue (model.Contains(pick (RedisSortedSet.randomEntry (uint64 seed) z))) "one entry")

            testPropertyWithConfig config "commands on a sorted set agree with a Map model, reply by reply"
            <| Prop.forAll (Arb.fromGen (Gen.listOf cmdGen)) (fun cmds ->
                let other = Map.ofList [ "a", 1.0; "c", 2.0 ]
                let _, w0 = script (fresh ()) [ [ "ZADD"; "o"; "1"; "a"; "2"; "c" ] ]
                let mutable w = w0
                let mutable model = Map.empty

                for c in cmds do
                    let args, expected, model' = step model other c
                    let got, w' = run w args
                    Expect.equal got expected (String.Join(" ", args))
                    w <- w'
                    model <- model'
                    let shown = reply w [ "ZRANGE"; "z"; "0"; "-1"; "WITHSCORES" ]
                    Expect.equal (pairs shown) (listed model |> List.map (fun (x, s) -> x, fmt s)) "contents"

                    Expect.equal
                        (reply w [ "EXISTS"; "z" ])
                        (int (if model.IsEmpty then 0 else 1))
                        "an empty set is deleted")

            testPropertyWithConfig config "a frozen World keeps its sorted sets while the live one edits them in place"
            <| Prop.forAll
                (Arb.fromGen (Gen.zip (Gen.listOf sortedSetWrite) (Gen.listOf sortedSetWrite)))
                (fun (before, after) ->
                    let w = before |> List.fold (fun w c -> snd (run w c)) (fresh ())
                    let struct (frozen, live) = World.freeze w
                    let expected = contents frozen
                    let live = after |> List.fold (fun w c -> snd (run w c)) live
                    Expect.equal (contents frozen) expected "the frozen World is unchanged"

                    let replay =
                        (before @ after)
                        |> List.fold (fun w c -> snd (run w c)) (World.freeze (fresh ()) |> fun struct (f, _) -> f)

                    Expect.equal (contents live) (contents replay) "in-place edits give what persistent edits give")
        ]

let private examples =
    testList
        "examples"
        [
            testCase "ZRANGESTORE by rank of more than 128 members builds a skiplist at once and keeps -0"
            <| fun () ->
                let members = [ for i in 1..129 -> [ "0"; sprintf "m%03d" i ] ] |> List.concat

                let _, w =
                    script (fresh ()) [ "ZADD" :: "src" :: members; [ "ZADD"; "src"; "-3"; "a"; "-0"; "c" ] ]

                let negativeZero argv =
                    match reply w argv with
                    | RespValue.Double d -> d = 0.0 && Double.IsNegative d
                    | other -> failwithf "ZSCORE replied %A" other

                Expect.isTrue (negativeZero [ "ZSCORE"; "src"; "c" ]) "the source holds -0"
                Expect.equal (reply w [ "ZRANGESTORE"; "d1"; "src"; "0"; "-2" ]) (int 130) "stored by rank"
                Expect.isTrue (negativeZero [ "ZSCORE"; "d1"; "c" ]) "-0 kept by rank"

                Expect.equal
                    (reply w [ "ZRANGESTORE"; "d2"; "src"; "-inf"; "+inf"; "BYSCORE" ])
                    (int 131)
                    "stored by score"

                Expect.isFalse (negativeZero [ "ZSCORE"; "d2"; "c" ]) "-0 written as 0 by score"

            testCase "ZADD counts new members, CH counts changed scores too, and the set lists by score then bytes"
            <| fun () ->
                let r, w =
                    script (fresh ()) [ [ "ZADD"; "z"; "2"; "b"; "1"; "c"; "1"; "a"; "2"; "b" ] ]

                Expect.equal r (int 3) "three new"
                Expect.equal (reply w [ "ZADD"; "z"; "CH"; "5"; "a"; "2"; "b"; "0"; "d" ]) (int 2) "a moved, d new"
                Expect.equal (reply w [ "ZRANGE"; "z"; "0"; "-1" ]) (bulks [ "d"; "c"; "b"; "a" ]) "order"

            testCase "ZADD XX on a missing key creates nothing and ZADD INCR then answers nil"
            <| fun () ->
                let w = fresh ()
                Expect.equal (reply w [ "ZADD"; "z"; "XX"; "1"; "a" ]) (int 0) "nothing added"
                Expect.equal (reply w [ "ZADD"; "z"; "XX"; "INCR"; "1"; "a" ]) RespValue.Null "nil"
                Expect.equal (reply w [ "EXISTS"; "z" ]) (int 0) "no key"

            testCase "ZADD GT and LT only move a score up or down, and never stop a new member"
            <| fun () ->
                let _, w = script (fresh ()) [ [ "ZADD"; "z"; "5"; "a" ] ]
                Expect.equal (reply w [ "ZADD"; "z"; "GT"; "CH"; "3"; "a"; "1"; "new" ]) (int 1) "only the new member"
                Expect.equal (reply w [ "ZSCORE"; "z"; "a" ]) (RespValue.Double 5.0) "not lowered"
                Expect.equal (reply w [ "ZADD"; "z"; "LT"; "CH"; "3"; "a" ]) (int 1) "lowered"
                Expect.equal (reply w [ "ZADD"; "z"; "GT"; "INCR"; "-1"; "a" ]) RespValue.Null "INCR refused by GT"

                Expect.equal
                    (reply w [ "ZADD"; "z"; "GT"; "INCR"; "1"; "a" ])
                    (RespValue.Double 4.0)
                    "INCR allowed by GT"

            testCase "ZADD option conflicts and odd pairs answer Redis's errors before anything is written"
            <| fun () ->
                let w = fresh ()

                let cases =
                    [
                        [ "ZADD"; "z"; "NX"; "XX"; "1"; "a" ],
                        "ERR XX and NX options at the same time are not compatible"
                        [ "ZADD"; "z"; "GT"; "LT"; "1"; "a" ],
                        "ERR GT, LT, and/or NX options at the same time are not compatible"
                        [ "ZADD"; "z"; "NX"; "GT"; "1"; "a" ],
                        "ERR GT, LT, and/or NX options at the same time are not compatible"
                        [ "ZADD"; "z"; "INCR"; "1"; "a"; "2"; "b" ],
                        "ERR INCR option supports a single increment-element pair"
                        [ "ZADD"; "z"; "1"; "a"; "2" ], "ERR syntax error"
                        [ "ZADD"; "z"; "1"; "a"; "x"; "b" ], "ERR value is not a valid float"
                        [ "ZADD"; "z"; "nan"; "a" ], "ERR value is not a valid float"
                        [ "ZINCRBY"; "z"; "NX"; "a" ], "ERR syntax error"
                    ]

                for args, text in cases do
                    Expect.equal (reply w args) (err text) (String.Join(" ", args))

                Expect.equal (reply w [ "EXISTS"; "z" ]) (int 0) "nothing written"

            testCase "an INCR that makes inf - inf is an error and changes nothing"
            <| fun () ->
                let _, w = script (fresh ()) [ [ "ZADD"; "z"; "inf"; "a" ] ]

                Expect.equal
                    (reply w [ "ZINCRBY"; "z"; "-inf"; "a" ])
                    (err "ERR resulting score is not a number (NaN)")
                    "NaN"

                Expect.equal (reply w [ "ZSCORE"; "z"; "a" ]) (RespValue.Double infinity) "unchanged"

            testCase "ZREM of the last member deletes the key, and members after it are not looked at"
            <| fun () ->
                let r, w =
                    script (fresh ()) [ [ "ZADD"; "z"; "1"; "a" ]; [ "ZREM"; "z"; "a"; "a"; "b" ] ]

                Expect.equal r (int 1) "one removed"
                Expect.equal (reply w [ "EXISTS"; "z" ]) (int 0) "deleted"

            testCase "scores are %.17g bulk strings in RESP2 and doubles in RESP3"
            <| fun () ->
                let _, w =
                    script (fresh ()) [ [ "ZADD"; "z"; "0.1"; "a"; "1e17"; "b"; "-inf"; "c" ] ]

                Expect.equal
                    (pairs (reply w [ "ZRANGE"; "z"; "0"; "-1"; "WITHSCORES" ]))
                    [ "c", "-inf"; "a", "0.10000000000000001"; "b", "1e+17" ]
                    "scores"

                Expect.equal
                    (reply3 w [ "ZRANGE"; "z"; "0"; "0"; "WITHSCORES" ])
                    (RespValue.Array [| RespValue.Array [| bulk "c"; RespValue.Double -infinity |] |])
                    "RESP3 pairs"

                Expect.equal
                    (reply3 w [ "ZPOPMIN"; "z" ])
                    (RespValue.Array [| bulk "c"; RespValue.Double -infinity |])
                    "flat without a count"

                // The live World was edited in place by the pop above: a is the lowest now.
                Expect.equal
                    (reply3 w [ "ZPOPMIN"; "z"; "1" ])
                    (RespValue.Array [| RespValue.Array [| bulk "a"; RespValue.Double 0.1 |] |])
                    "pairs with a count"

            testCase "a listpack writes -0 as 0 while a skiplist keeps it; the INCR reply is the computed score"
            <| fun () ->
                let _, w = script (fresh ()) [ [ "ZADD"; "small"; "-0"; "a" ] ]

                let score w k =
                    reply w [ "ZSCORE"; k; "a" ]
                    |> function
                        | RespValue.Double d -> 1.0 / d
                        | other -> failtestf "%A" other

                Expect.isGreaterThan (score w "small") 0.0 "listpack: 0"
                let _, w = script (withLimits 0L 64L) [ [ "ZADD"; "big"; "-0"; "a" ] ]
                Expect.isLessThan (score w "big") 0.0 "skiplist: -0"
                Expect.equal (reply (fresh ()) [ "ZINCRBY"; "z"; "-0"; "m" ]) (RespValue.Double -0.0) "reply"

            testCase "OBJECT ENCODING is listpack up to zset-max-listpack-entries short members, then skiplist for good"
            <| fun () ->
                let enc w k = reply w [ "OBJECT"; "ENCODING"; k ]

                let _, w =
                    script (withLimits 3L 4L) [ [ "ZADD"; "z"; "1"; "a"; "2"; "b"; "3"; "c" ] ]

                Expect.equal (enc w "z") (bulk "listpack") "3 members"
                let _, w = script w [ [ "ZADD"; "z"; "4"; "d" ]; [ "ZREM"; "z"; "d"; "c" ] ]
                Expect.equal (enc w "z") (bulk "skiplist") "stays skiplist"

                let _, w =
                    script
                        w
                        [
                            [ "ZADD"; "long"; "1"; "abcde" ]
                            [ "COPY"; "z"; "c" ]
                            [ "ZUNIONSTORE"; "u"; "1"; "z" ]
                        ]

                Expect.equal (enc w "long") (bulk "skiplist") "a member over the value limit"
                Expect.equal (enc w "c") (bulk "skiplist") "COPY keeps the encoding"
                Expect.equal (enc w "u") (bulk "listpack") "a store result that fits is a listpack"
                Expect.equal (reply w [ "TYPE"; "z" ]) (RespValue.Simple "zset") "TYPE"

            testCase "CONFIG SET takes zset-max-listpack-entries and -value under both names"
            <| fun () ->
                let _, w =
                    script
                        (fresh ())
                        [
                            [
                                "CONFIG"
                                "SET"
                                "zset-max-ziplist-entries"
                                "7"
                                "zset-max-listpack-value"
                                "1kb"
                            ]
                        ]

                Expect.equal w.Config.SortedSetMaxListpackEntries 7L "entries"
                Expect.equal w.Config.SortedSetMaxListpackValue 1024L "value (a memory setting)"

                Expect.equal
                    (reply w [ "CONFIG"; "SET"; "zset-max-listpack-entries"; "1kb" ])
                    (err
                        "ERR CONFIG SET failed (possibly related to argument 'zset-max-listpack-entries') - argument couldn't be parsed into an integer")
                    "entries are a plain integer"

            testCase
                "score ranges read bounds as strtod does: ( for exclusive, spaces before, overflow to inf, NaN refused"
            <| fun () ->
                let _, w = script (fresh ()) [ [ "ZADD"; "z"; "1"; "a"; "2"; "b"; "3"; "c" ] ]
                Expect.equal (reply w [ "ZRANGEBYSCORE"; "z"; "(1"; "3" ]) (bulks [ "b"; "c" ]) "exclusive min"
                Expect.equal (reply w [ "ZRANGEBYSCORE"; "z"; " 2"; "1e400" ]) (bulks [ "b"; "c" ]) "space, overflow"
                Expect.equal (reply w [ "ZRANGEBYSCORE"; "z"; ""; "0x2" ]) (bulks [ "a"; "b" ]) "empty is 0, hex"

                Expect.equal
                    (reply w [ "ZRANGEBYSCORE"; "z"; "2\000junk"; "+inf" ])
                    (bulks [ "b"; "c" ])
                    "a C string ends at NUL"

                Expect.equal (reply w [ "ZCOUNT"; "z"; "nan"; "1" ]) (err "ERR min or max is not a float") "NaN"

                Expect.equal
                    (reply w [ "ZCOUNT"; "z"; "1 "; "2" ])
                    (err "ERR min or max is not a float")
                    "trailing space"

                Expect.equal
                    (reply w [ "ZCOUNT"; "nokey"; "x"; "2" ])
                    (err "ERR min or max is not a float")
                    "before the key"

            testCase "ZRANGE BYSCORE REV reads max then min, and LIMIT counts from the direction's start"
            <| fun () ->
                let _, w =
                    script (fresh ()) [ [ "ZADD"; "z"; "1"; "a"; "2"; "b"; "3"; "c"; "4"; "d" ] ]

                Expect.equal
                    (reply w [ "ZRANGE"; "z"; "(4"; "1"; "BYSCORE"; "REV"; "LIMIT"; "1"; "5" ])
                    (bulks [ "b"; "a" ])
                    "rev"

                Expect.equal
                    (reply w [ "ZREVRANGEBYSCORE"; "z"; "+inf"; "-inf"; "LIMIT"; "0"; "2" ])
                    (bulks [ "d"; "c" ])
                    "revbyscore"

                Expect.equal
                    (reply w [ "ZRANGEBYSCORE"; "z"; "-inf"; "+inf"; "LIMIT"; "-1"; "2" ])
                    (bulks [])
                    "negative offset: nothing"

                Expect.equal
                    (reply w [ "ZRANGEBYSCORE"; "z"; "-inf"; "+inf"; "LIMIT"; "2"; "-1" ])
                    (bulks [ "c"; "d" ])
                    "negative count: all"

                Expect.equal (reply w [ "ZREVRANGE"; "z"; "0"; "1" ]) (bulks [ "d"; "c" ]) "revrange"
                Expect.equal (reply w [ "ZRANGE"; "z"; "-2"; "100"; "REV" ]) (bulks [ "b"; "a" ]) "rank rev"

            testCase "LIMIT needs BYSCORE or BYLEX, WITHSCORES does not go with BYLEX, ZRANGESTORE has no WITHSCORES"
            <| fun () ->
                let _, w = script (fresh ()) [ [ "ZADD"; "z"; "0"; "a" ] ]

                Expect.equal
                    (reply w [ "ZRANGE"; "z"; "0"; "-1"; "LIMIT"; "0"; "1" ])
                    (err "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX")
                    "limit"

                Expect.equal
                    (reply w [ "ZRANGE"; "z"; "0"; "-1"; "LIMIT"; "0"; "-1" ])
                    (bulks [ "a" ])
                    "LIMIT 0 -1 is no limit"

                Expect.equal
                    (reply w [ "ZRANGEBYLEX"; "z"; "-"; "+"; "WITHSCORES" ])
                    (err "ERR syntax error, WITHSCORES not supported in combination with BYLEX")
                    "bylex"

                Expect.equal
                    (reply w [ "ZRANGESTORE"; "d"; "z"; "0"; "-1"; "WITHSCORES" ])
                    (err "ERR syntax error")
                    "store"

                Expect.equal
                    (reply w [ "ZRANGEBYSCORE"; "z"; "0"; "1"; "BYSCORE" ])
                    (err "ERR syntax error")
                    "fixed kind"

            testCase "lex ranges take -, +, ( and [ and compare bytes"
            <| fun () ->
                let _, w =
                    script (fresh ()) [ [ "ZADD"; "z"; "0"; "a"; "0"; "b"; "0"; "c"; "0"; "\xff"; "0"; "" ] ]

                Expect.equal (reply w [ "ZRANGEBYLEX"; "z"; "(a"; "[c" ]) (bulks [ "b"; "c" ]) "( and ["

                Expect.equal
                    (reply w [ "ZREVRANGEBYLEX"; "z"; "+"; "(b"; "LIMIT"; "0"; "2" ])
                    (bulks [ "\xff"; "c" ])
                    "rev"

                Expect.equal (reply w [ "ZLEXCOUNT"; "z"; "-"; "+" ]) (int 5) "all"
                Expect.equal (reply w [ "ZLEXCOUNT"; "z"; "+"; "-" ]) (int 0) "inverted"

                Expect.equal
                    (reply w [ "ZLEXCOUNT"; "z"; "a"; "+" ])
                    (err "ERR min or max not valid string range item")
                    "bad item"

                Expect.equal (reply w [ "ZREMRANGEBYLEX"; "z"; "["; "(b" ]) (int 2) "empty string and a"
                Expect.equal (reply w [ "ZRANGE"; "z"; "0"; "-1" ]) (bulks [ "b"; "c"; "\xff" ]) "left"

            testCase "a lex LIMIT skips its offset whatever the members hold, as Redis's listpack walk does"
            <| fun () ->
                // Mixed scores (found by the differential test): d, xx, a\0b, e in score order.
                let _, w =
                    script (fresh ()) [ [ "ZADD"; "z"; "-0"; "a\000b"; "-3"; "d"; "-2"; "xx"; "1"; "e" ] ]

                Expect.equal
                    (reply w [ "ZRANGE"; "z"; "[c"; "[d"; "BYLEX"; "LIMIT"; "2"; "-9223372036854775808" ])
                    (bulks [ "a\000b" ])
                    "from d, skip d and xx, then a\\0b <= d"

            testCase "a LIMIT offset near the int64 maximum reads nothing (found by the differential test)"
            <| fun () ->
                let _, w =
                    script (fresh ()) [ [ "ZADD"; ""; "-2"; "aa"; "-2"; "B"; "4"; "d"; "-3"; "B" ] ]

                for args in
                    [
                        [ "ZRANGEBYLEX"; ""; "(a"; "(\xff"; "LIMIT"; "9223372036854775807"; "-1" ]
                        [ "ZREVRANGEBYLEX"; ""; "+"; "-"; "LIMIT"; "9223372036854775806"; "-1" ]
                        [ "ZRANGEBYSCORE"; ""; "-3"; "+inf"; "LIMIT"; "9223372036854775807"; "5" ]
                        [ "ZREVRANGEBYSCORE"; ""; "+inf"; "-inf"; "LIMIT"; "9223372036854775807"; "-1" ]
                    ] do
                    Expect.equal (reply w args) (bulks []) (String.Join(" ", args))

            testCase "ZREMRANGEBYRANK and BYSCORE remove what the range names; emptying the set deletes it"
            <| fun () ->
                let _, w =
                    script (fresh ()) [ [ "ZADD"; "z"; "1"; "a"; "2"; "b"; "3"; "c"; "4"; "d" ] ]

                Expect.equal (reply w [ "ZREMRANGEBYRANK"; "z"; "-2"; "-1" ]) (int 2) "last two"
                Expect.equal (reply w [ "ZREMRANGEBYSCORE"; "z"; "(1"; "+inf" ]) (int 1) "b"
                Expect.equal (reply w [ "ZREMRANGEBYRANK"; "z"; "5"; "10" ]) (int 0) "out of range"
                Expect.equal (reply w [ "ZREMRANGEBYRANK"; "z"; "0"; "-1" ]) (int 1) "the rest"
                Expect.equal (reply w [ "EXISTS"; "z" ]) (int 0) "deleted"

            testCase "stores replace the destination and clear its TTL; an empty result deletes it"
            <| fun () ->
                let _, w =
                    script
                        (fresh ())
                        [
                            [ "ZADD"; "a"; "1"; "x"; "2"; "y" ]
                            [ "SET"; "d"; "v"; "EX"; "100" ]
                            [ "ZUNIONSTORE"; "d"; "1"; "a" ]
                        ]

                Expect.equal (reply w [ "TTL"; "d" ]) (int -1) "no TTL"
                Expect.equal (reply w [ "ZRANGESTORE"; "d"; "a"; "5"; "6" ]) (int 0) "empty range"
                Expect.equal (reply w [ "EXISTS"; "d" ]) (int 0) "deleted"

                let _, w =
                    script
                        w
                        [
                            [ "ZADD"; "d"; "1"; "x" ]
                            [ "EXPIRE"; "d"; "100" ]
                            [ "ZADD"; "d"; "2"; "y" ]
                        ]

                Expect.equal (reply w [ "TTL"; "d" ]) (int 100) "ZADD keeps a TTL"

            testCase "stores and COPY build fresh sets: later edits of either leave the other alone"
            <| fun () ->
                let _, w =
                    script
                        (fresh ())
                        [
                            [ "ZADD"; "a"; "1"; "x"; "2"; "y"; "3"; "z" ]
                            [ "ZUNIONSTORE"; "u"; "1"; "a" ]
                            [ "ZRANGESTORE"; "r"; "a"; "0"; "-1" ]
                            [ "COPY"; "a"; "c" ]
                            [ "ZADD"; "a"; "4"; "w" ]
                            [ "ZREM"; "u"; "x" ]
                            [ "ZINCRBY"; "r"; "10"; "y" ]
                            [ "ZPOPMAX"; "c" ]
                        ]

                Expect.equal (reply w [ "ZRANGE"; "a"; "0"; "-1" ]) (bulks [ "x"; "y"; "z"; "w" ]) "source"
                Expect.equal (reply w [ "ZRANGE"; "u"; "0"; "-1" ]) (bulks [ "y"; "z" ]) "union"
                Expect.equal (reply w [ "ZRANGE"; "r"; "0"; "-1" ]) (bulks [ "x"; "z"; "y" ]) "rangestore"
                Expect.equal (reply w [ "ZRANGE"; "c"; "0"; "-1" ]) (bulks [ "x"; "y" ]) "COPY"

            testCase "ZUNION and ZINTER read sets as members scoring 1, weigh and aggregate; inf - inf sums to 0"
            <| fun () ->
                let _, w =
                    script
                        (fresh ())
                        [
                            [ "ZADD"; "z"; "inf"; "a"; "2"; "b" ]
                            [ "SADD"; "s"; "a"; "b"; "c" ]
                            [ "ZADD"; "n"; "-inf"; "a" ]
                        ]

                Expect.equal
                    (pairs (reply w [ "ZUNION"; "2"; "z"; "s"; "WEIGHTS"; "2"; "3"; "WITHSCORES" ]))
                    [ "c", "3"; "b", "7"; "a", "inf" ]
                    "union"

                Expect.equal
                    (pairs (reply w [ "ZINTER"; "2"; "z"; "s"; "AGGREGATE"; "MIN"; "WITHSCORES" ]))
                    [ "a", "1"; "b", "1" ]
                    "inter"

                Expect.equal
                    (pairs (reply w [ "ZUNION"; "2"; "z"; "n"; "WITHSCORES" ]))
                    [ "a", "0"; "b", "2" ]
                    "inf - inf"

                Expect.equal
                    (pairs (reply w [ "ZUNION"; "1"; "z"; "WEIGHTS"; "0"; "WITHSCORES" ]))
                    [ "a", "0"; "b", "0" ]
                    "0 * inf"

                Expect.equal (reply w [ "ZDIFF"; "2"; "s"; "z" ]) (bulks [ "c" ]) "diff"
                Expect.equal (reply w [ "ZINTERCARD"; "2"; "s"; "z"; "LIMIT"; "1" ]) (int 1) "card with limit"

                Expect.equal
                    (reply w [ "ZUNION"; "0"; "z" ])
                    (err "ERR at least 1 input key is needed for 'zunion' command")
                    "no keys"

                Expect.equal
                    (reply w [ "ZUNION"; "1"; "z"; "WEIGHTS"; "x" ])
                    (err "ERR weight value is not a float")
                    "weight"

                Expect.equal
                    (reply w [ "ZINTERCARD"; "1"; "z"; "LIMIT"; "-1" ])
                    (err "ERR LIMIT can't be negative")
                    "limit"

                let _, w = script w [ [ "SET"; "str"; "v" ] ]

                Expect.equal
                    (reply w [ "ZUNION"; "2"; "nokey"; "str"; "WEIGHTS"; "x" ])
                    (err "WRONGTYPE Operation against a key holding the wrong kind of value")
                    "keys first"

            testCase "ZMPOP pops from the first existing key; a wrong type there is an error"
            <| fun () ->
                let _, w =
                    script (fresh ()) [ [ "ZADD"; "b"; "1"; "x"; "2"; "y" ]; [ "SET"; "s"; "v" ] ]

                Expect.equal
                    (reply w [ "ZMPOP"; "2"; "a"; "b"; "MAX"; "COUNT"; "5" ])
                    (RespValue.Array
                        [|
                            bulk "b"
                            RespValue.Array
                                [|
                                    RespValue.Array [| bulk "y"; RespValue.Double 2.0 |]
                                    RespValue.Array [| bulk "x"; RespValue.Double 1.0 |]
                                |]
                        |])
                    "pairs, highest first"

                Expect.equal (reply w [ "ZMPOP"; "1"; "a"; "MIN" ]) RespValue.NullArray "nothing"

                Expect.equal
                    (reply w [ "ZMPOP"; "2"; "s"; "b"; "MIN" ])
                    (err "WRONGTYPE Operation against a key holding the wrong kind of value")
                    "wrong type"

                Expect.equal
                    (reply w [ "ZMPOP"; "0"; "b"; "MIN" ])
                    (err "ERR numkeys should be greater than 0")
                    "numkeys"

                Expect.equal
                    (reply w [ "ZMPOP"; "1"; "b"; "MIN"; "COUNT"; "0" ])
                    (err "ERR count should be greater than 0")
                    "count"

            testCase "BZPOPMIN pops at once when it can and otherwise asks to block on its keys for a zset"
            <| fun () ->
                let _, w = script (fresh ()) [ [ "ZADD"; "k2"; "1"; "a" ] ]

                Expect.equal
                    (reply w [ "BZPOPMIN"; "k1"; "k2"; "0" ])
                    (RespValue.Array [| bulk "k2"; bulk "a"; RespValue.Double 1.0 |])
                    "served"

                let r = execute session 7UL (fresh ()) [ "BZPOPMAX"; "k1"; "k2"; "1.5" ]
                Expect.isTrue r.Silent "no reply now"

                match r.Effects with
                | [| Effect.Block request |] ->
                    Expect.equal (request.Keys |> Array.map str) [| "k1"; "k2" |] "keys"
                    Expect.equal request.Type "zset" "type"
                    Expect.equal request.DeadlineMs (1_000_000L + 1500L) "deadline"
                    Expect.equal request.TimeoutReply RespValue.NullArray "null array on timeout"
                | other -> failtestf "expected a block, got %A" other

                let r = execute session 7UL (fresh ()) [ "BZMPOP"; "0"; "2"; "x"; "y"; "MIN" ]

                match r.Effects with
                | [| Effect.Block request |] ->
                    Expect.equal (request.Keys |> Array.map str) [| "x"; "y" |] "BZMPOP keys"
                | other -> failtestf "expected a block, got %A" other

            testCase "BZPOPMIN reads its timeout first; BZMPOP reads numkeys, MIN|MAX and COUNT before it"
            <| fun () ->
                let _, w = script (fresh ()) [ [ "SET"; "s"; "v" ] ]
                Expect.equal (reply w [ "BZPOPMIN"; "s"; "-1" ]) (err "ERR timeout is negative") "timeout first"

                Expect.equal
                    (reply w [ "BZPOPMIN"; "s"; "0" ])
                    (err "WRONGTYPE Operation against a key holding the wrong kind of value")
                    "then keys"

                Expect.equal (reply w [ "BZMPOP"; "x"; "1"; "s"; "FOO" ]) (err "ERR syntax error") "arguments first"

                Expect.equal
                    (reply w [ "BZMPOP"; "x"; "1"; "s"; "MIN" ])
                    (err "ERR timeout is not a float or out of range")
                    "then timeout"

            testCase "ZRANDMEMBER: one member, the whole set from the top for a big count, repeats for a negative one"
            <| fun () ->
                let _, w = script (fresh ()) [ [ "ZADD"; "z"; "1"; "a"; "2"; "b"; "3"; "c" ] ]

                match reply w [ "ZRANDMEMBER"; "z" ] with
                | RespValue.Bulk m -> Expect.contains [ "a"; "b"; "c" ] (str m) "a member"
                | other -> failtestf "%A" other

                Expect.equal (reply w [ "ZRANDMEMBER"; "z"; "10" ]) (bulks [ "c"; "b"; "a" ]) "whole set, highest first"

                match reply w [ "ZRANDMEMBER"; "z"; "-7"; "WITHSCORES" ] with
                | RespValue.Array xs -> Expect.equal xs.Length 14 "7 pairs, flat"
                | other -> failtestf "%A" other

                Expect.equal (reply w [ "ZRANDMEMBER"; "nokey"; "3" ]) (bulks []) "missing key"

                Expect.equal
                    (reply w [ "ZRANDMEMBER"; "z"; "-9223372036854775808" ])
                    (err "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807")
                    "LONG_MIN"

                Expect.equal
                    (reply w [ "ZRANDMEMBER"; "z"; "-4611686018427387904"; "WITHSCORES" ])
                    (err "ERR value is out of range")
                    "pairs overflow"

                Expect.equal (reply w [ "ZRANDMEMBER"; "z"; "-100000000" ]) (err "ERR value is out of range") "our cap"

            testCase "ZSCAN returns a listpack whole and in order; a full scan of a skiplist returns each member once"
            <| fun () ->
                let _, w = script (fresh ()) [ [ "ZADD"; "z"; "2"; "b"; "1"; "a"; "3"; "ab" ] ]

                Expect.equal
                    (reply w [ "ZSCAN"; "z"; "17"; "MATCH"; "a*"; "COUNT"; "1" ])
                    (RespValue.Array [| bulk "0"; bulks [ "a"; "1"; "ab"; "3" ] |])
                    "whole, cursor 0"

                let ms = [ for i in 1..300 -> sprintf "m%d" i ]

                let _, w =
                    script w [ "ZADD" :: "big" :: (ms |> List.collect (fun m -> [ "1.5"; m ])) ]

                let seen = Collections.Generic.List<string>()
                let mutable cursor = "0"
                let mutable rounds = 0

                while cursor <> "0" || rounds = 0 do
                    rounds <- rounds + 1

                    match reply w [ "ZSCAN"; "big"; cursor; "COUNT"; "7" ] with
                    | RespValue.Array [| RespValue.Bulk next; RespValue.Array xs |] ->
                        cursor <- str next

                        for p in Array.chunkBySize 2 xs do
                            match p with
                            | [| RespValue.Bulk m; RespValue.Bulk s |] ->
                                Expect.equal (str s) "1.5" "score"
                                seen.Add(str m)
                            | other -> failtestf "%A" other
                    | other -> failtestf "%A" other

                Expect.isGreaterThan rounds 10 "several calls"
                Expect.equal (List.sort (List.ofSeq seen)) (List.sort ms) "each member once"

            testCase "TYPE, SCAN TYPE zset, RENAME and MOVE treat a sorted set as one; string commands answer WRONGTYPE"
            <| fun () ->
                let _, w = script (fresh ()) [ [ "ZADD"; "z"; "1"; "a" ]; [ "SET"; "str"; "x" ] ]

                Expect.equal
                    (reply w [ "SCAN"; "0"; "TYPE"; "zset" ])
                    (RespValue.Array [| bulk "0"; bulks [ "z" ] |])
                    "SCAN TYPE"

                let wrong = err "WRONGTYPE Operation against a key holding the wrong kind of value"
                Expect.equal (reply w [ "GET"; "z" ]) wrong "GET"
                Expect.equal (reply w [ "ZADD"; "str"; "1"; "a" ]) wrong "ZADD on a string"
                Expect.equal (reply w [ "ZSCORE"; "str"; "a" ]) wrong "ZSCORE on a string"
                let _, w = script w [ [ "RENAME"; "z"; "r" ]; [ "MOVE"; "r"; "1" ] ]
                Expect.equal (reply w [ "EXISTS"; "z"; "r" ]) (int 0) "moved away"
                let _, w = script w [ [ "SELECT"; "1" ] ]

                Expect.equal
                    (World.db 1 w |> Keyspace.Db.tryGet 0L (b "r") |> ValueOption.map Value.typeName)
                    (ValueSome "zset")
                    "in db 1"
        ]

let tests = testList "RedisSortedSet" [ properties; examples ]
