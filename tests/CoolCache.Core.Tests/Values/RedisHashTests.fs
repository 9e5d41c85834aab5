module CoolCache.Core.Tests.Values.RedisHashTests

open System
open Expecto
open FsCheck
open FsCheck.FSharp
open CoolCache.Core
open CoolCache.Core.Commands
open CoolCache.Core.Protocol
open CoolCache.Core.State
open CoolCache.Core.Values

// ---- RedisHash against a Map model ------------------------------------------------------------

type private Op =
    | Put of field: int * value: int
    | Del of field: int
    /// Keep the current hash as a snapshot and carry on under a fresh owner (what Db.freeze does).
    | Snapshot

/// Small limits so that both conversions happen often.
let private lim = { MaxEntries = 8L; MaxValue = 10L }

/// Field i: short for most, longer than lim.MaxValue for a few.
let private field (i: int) =
    if i % 7 = 6 then
        Bytes.ofString (sprintf "long-field-%d" i)
    else
        Bytes.ofString (sprintf "f%d" i)

let private value (i: int) =
    if i % 11 = 10 then
        Bytes.ofString (String('v', 12))
    else
        Bytes.ofString (string i)

let private genOp =
    Gen.frequency
        [
            6, Gen.map2 (fun f v -> Put(f, v)) (Gen.choose (0, 14)) (Gen.choose (0, 30))
            3, Gen.map Del (Gen.choose (0, 14))
            1, Gen.constant Snapshot
        ]

let private contents (h: RedisHash) =
    RedisHash.entries h
    |> Array.map (fun struct (f, v) -> Bytes.toString f, Bytes.toString v)
    |> Array.sort
    |> List.ofArray

let private modelContents (m: Map<string, string>) = m |> Map.toList

let private config =
    { FsCheckConfig.defaultConfig with
        maxTest = 200
        endSize = 120
    }

/// Runs the ops on a RedisHash (owned edits) and a Map; checks every step and every snapshot at the end.
let private runModel (ops: Op list) =
    let mutable owner = obj ()
    let mutable h = RedisHash.empty
    let mutable model = Map.empty<string, string>
    let mutable big = false
    let snapshots = ResizeArray<RedisHash * Map<string, string> * bool>()

    for op in ops do
        match op with
        | Put(fi, vi) ->
            let f, v = field fi, value vi
            let struct (h', added) = RedisHash.set owner lim f v h
            Expect.equal added (not (model.ContainsKey(Bytes.toString f))) "set says whether the field is new"
            model <- model.Add(Bytes.toString f, Bytes.toString v)

            big <-
                big
                || int64 f.Length > lim.MaxValue
                || int64 v.Length > lim.MaxValue
                || int64 model.Count > lim.MaxEntries

            h <- h'
        | Del fi ->
            let f = field fi
            let struct (h', removed) = RedisHash.remove owner f h
            Expect.equal removed (model.ContainsKey(Bytes.toString f)) "remove says whether the field was there"
            model <- model.Remove(Bytes.toString f)
            h <- h'
        | Snapshot ->
            snapshots.Add((h, model, big))
            owner <- obj ()

        Expect.equal (RedisHash.count h) model.Count "count"
        Expect.equal (contents h) (modelContents model) "contents"
        Expect.equal (RedisHash.encoding h) (if big then "hashtable" else "listpack") "encoding is sticky"

        for fi in 0..14 do
            let f = field fi

            Expect.equal
                (RedisHash.tryGet f h |> ValueOption.map Bytes.toString)
                (match model.TryFind(Bytes.toString f) with
                 | Some v -> ValueSome v
                 | None -> ValueNone)
                "tryGet"

    for (snap, m, b) in snapshots do
        Expect.equal (contents snap) (modelContents m) "a snapshot is unchanged by later owned edits"
        Expect.equal snap.Big b "a snapshot keeps its encoding"

// ---- Commands through the core (Api.Execute) --------------------------------------------------

let private host = CoolCache.Core.Tests.TestHost.none

let private ctxAt (now: int64) (seed: uint64) : Commands.Ctx =
    {
        NowMs = now
        NowUs = now * 1000L
        Seed = seed
        Host = host
        IsLocal = true
        Events = false
    }

let private resp2 = Api.NewSession 1L
let private resp3 = { Api.NewSession 2L with Protocol = 3 }

let private execWith (ctx: Commands.Ctx) (s: Session) (w: World) (argv: string list) =
    let r = Api.Execute(ctx, s, argv |> List.map Bytes.ofString |> Array.ofList, w)

    r.Reply, r.World

/// Runs a command in RESP2 at time 1000 and returns the reply and the new World.
let private exec (w: World) (argv: string list) = execWith (ctxAt 1000L 7UL) resp2 w argv

/// Runs commands in order, returning the last reply and the World.
let private run (w: World) (cmds: string list list) =
    cmds |> List.fold (fun (_, w) c -> exec w c) (RespValue.Null, w)

let private fresh () = World.create Config.defaults

let private bulk (s: string) = RespValue.Bulk(Bytes.ofString s)
let private int' (n: int64) = RespValue.Integer n
let private err (e: RedisError) = RedisError.toResp e

let private bulks (r: RespValue) =
    match r with
    | RespValue.Array xs ->
        xs
        |> Array.map (function
            | RespValue.Bulk b -> Bytes.toString b
            | other -> failtestf "not a bulk: %A" other)
        |> List.ofArray
    | other -> failtestf "not an array: %A" other

/// Every hash of db 0 as key -> sorted (field, value) list; other values as their TYPE name.
let private dbContents (w: World) =
    (World.db 0 w).Keys
    |> Collections.HashMap.toSeq
    |> Seq.map (fun struct (k, v) ->
        Bytes.toString k,
        match v with
        | Value.Hash h -> contents h
        | other -> [ Value.typeName other, "" ])
    |> Seq.sort
    |> List.ofSeq

let private genCommand =
    let key = Gen.elements [ "a"; "b"; "c" ]

    let f =
        Gen.elements
            [
                "x"
                "y"
                "z"
                "w"
                "a-field-longer-than-sixty-four-bytes-.............................."
            ]

    let v = Gen.elements [ "1"; "2"; "-3"; "abc"; "10" ]

    Gen.frequency
        [
            6, Gen.map3 (fun k f v -> [ "HSET"; k; f; v ]) key f v
            3, Gen.map2 (fun k f -> [ "HDEL"; k; f ]) key f
            2, Gen.map3 (fun k f v -> [ "HINCRBY"; k; f; v ]) key f v
            1, Gen.map3 (fun k f v -> [ "HSETNX"; k; f; v ]) key f v
            1, Gen.map2 (fun a b -> [ "COPY"; a; b; "REPLACE" ]) key key
            1, Gen.map2 (fun a b -> [ "RENAME"; a; b ]) key key
            1, Gen.map (fun k -> [ "DEL"; k ]) key
            1, Gen.map2 (fun k v -> [ "SET"; k; v ]) key v
        ]

/// Full HSCAN iteration through the command: every (field, value) returned.
let private hscanAll (w: World) (key: string) (count: int) =
    let seen = Collections.Generic.HashSet<string * string>()
    let mutable cursor = "0"
    let mutable first = true

    while first || cursor <> "0" do
        first <- false

        match fst (exec w [ "HSCAN"; key; cursor; "COUNT"; string count ]) with
        | RespValue.Array [| RespValue.Bulk next; RespValue.Array items |] ->
            for i in 0..2 .. items.Length - 1 do
                match items[i], items[i + 1] with
                | RespValue.Bulk f, RespValue.Bulk v -> seen.Add((Bytes.toString f, Bytes.toString v)) |> ignore
                | _ -> failtest "HSCAN items are bulks"

            cursor <- Bytes.toString next
        | other -> failtestf "HSCAN reply %A" other

    seen |> Seq.sort |> List.ofSeq

let private genSample =
    Gen.zip3 (Gen.choose (1, 300)) (Gen.choose (0, 400)) (Gen.choose (0, Int32.MaxValue))

let private bigHash (n: int) =
    let args = [ for i in 1..n -> [ sprintf "field:%d" i; string i ] ] |> List.concat
    snd (exec (fresh ()) ("HSET" :: "h" :: args))

let tests =
    testList
        "RedisHash"
        [
            testPropertyWithConfig config "set and remove under an owner agree with a Map model, snapshots included"
            <| fun (ops: Op list) -> runModel ops

            testProperty "an owned edit never changes a duplicate (COPY) and the duplicate never changes the original"
            <| Prop.forAll (Arb.fromGen (Gen.zip (Gen.listOf genOp) (Gen.listOf genOp))) (fun (ops1, ops2) ->
                let owner = obj ()

                let apply h op =
                    match op with
                    | Put(f, v) ->
                        let struct (h, _) = RedisHash.set owner lim (field f) (value v) h
                        h
                    | Del f ->
                        let struct (h, _) = RedisHash.remove owner (field f) h
                        h
                    | Snapshot -> h

                let original = ops1 |> List.fold apply RedisHash.empty
                let before = contents original
                let copy = RedisHash.duplicate original
                Expect.equal copy.Big original.Big "the copy keeps the encoding"
                Expect.equal (contents copy) before "the copy is equal"
                let copy' = ops2 |> List.fold apply copy
                Expect.equal (contents original) before "the original is unchanged by edits of the copy"
                let copyAfter = contents copy'
                let original' = ops2 |> List.rev |> List.fold apply original
                Expect.equal (contents copy') copyAfter "the copy is unchanged by edits of the original"
                ignore original')

            testProperty "a frozen World keeps its hashes while the live one goes on writing them"
            <| Prop.forAll
                (Arb.fromGen (Gen.zip (Gen.listOf genCommand) (Gen.listOf genCommand)))
                (fun (before, after) ->
                    let w = snd (run (fresh ()) before)
                    let struct (frozen, live) = World.freeze w
                    let expected = dbContents frozen
                    let live = snd (run live after)
                    Expect.equal (dbContents frozen) expected "the frozen World is unchanged"
                    let replay = snd (run (fresh ()) (before @ after))
                    Expect.equal (dbContents live) (dbContents replay) "the live World has every write")

            testProperty "randomDistinct returns n distinct fields of the hash, randomEntries n fields of it"
            <| Prop.forAll (Arb.fromGen genSample) (fun (size, n, seed) ->
                let h =
                    [ 1..size ]
                    |> List.fold
                        (fun h i ->
                            let struct (h, _) =
                                RedisHash.set null lim (Bytes.ofString (string i)) (Bytes.ofString (string i)) h

                            h)
                        RedisHash.empty

                let seed = uint64 seed
                let n = min n (size - 1)
                let distinct = RedisHash.randomDistinct seed n h
                Expect.equal distinct.Length n "n entries"

                let fields =
                    distinct |> Array.map (fun struct (f, _) -> Bytes.toString f) |> Array.distinct

                Expect.equal fields.Length n "distinct"

                for struct (f, v) in distinct do
                    Expect.equal (RedisHash.tryGet f h) (ValueSome v) "an entry of the hash"

                let drawn = RedisHash.randomEntries seed 50 h
                Expect.equal drawn.Length 50 "50 draws"

                for struct (f, v) in drawn do
                    Expect.equal (RedisHash.tryGet f h) (ValueSome v) "a draw is an entry of the hash")

            testCase "HSET replies with the number of new fields and overwrites existing ones"
            <| fun () ->
                let w = fresh ()
                let r1, w = exec w [ "HSET"; "h"; "a"; "1"; "b"; "2" ]
                let r2, w = exec w [ "HSET"; "h"; "a"; "10"; "c"; "3"; "c"; "4" ]
                Expect.equal r1 (int' 2L) "two new"
                Expect.equal r2 (int' 1L) "only c is new (counted once)"
                Expect.equal (fst (exec w [ "HGET"; "h"; "a" ])) (bulk "10") "a overwritten"
                Expect.equal (fst (exec w [ "HGET"; "h"; "c" ])) (bulk "4") "the last pair wins"
                Expect.equal (fst (exec w [ "HLEN"; "h" ])) (int' 3L) "three fields"

            testCase "HSET and HMSET with a field but no value are arity errors and write nothing"
            <| fun () ->
                let r, w = exec (fresh ()) [ "HSET"; "h"; "a"; "1"; "b" ]
                Expect.equal r (err (RedisError.WrongArity "hset")) "hset arity"
                let r, w = exec w [ "HMSET"; "h"; "a"; "1"; "b" ]
                Expect.equal r (err (RedisError.WrongArity "hmset")) "hmset arity"
                Expect.equal (fst (exec w [ "EXISTS"; "h" ])) (int' 0L) "nothing written"

            testCase "HDEL of the last field deletes the key"
            <| fun () ->
                let _, w = run (fresh ()) [ [ "HSET"; "h"; "a"; "1"; "b"; "2" ] ]
                let r, w = exec w [ "HDEL"; "h"; "a"; "nope"; "b"; "a" ]
                Expect.equal r (int' 2L) "two deleted"
                Expect.equal (fst (exec w [ "EXISTS"; "h" ])) (int' 0L) "the key is gone"
                Expect.equal (fst (exec w [ "TYPE"; "h" ])) (RespValue.Simple "none") "TYPE none"

            testCase "hash commands on a string and string commands on a hash reply WRONGTYPE"
            <| fun () ->
                let _, w = run (fresh ()) [ [ "SET"; "s"; "v" ]; [ "HSET"; "h"; "a"; "1" ] ]
                let wrong = err RedisError.WrongType

                for cmd in
                    [
                        [ "HSET"; "s"; "a"; "1" ]
                        [ "HGET"; "s"; "a" ]
                        [ "HMGET"; "s"; "a" ]
                        [ "HDEL"; "s"; "a" ]
                        [ "HLEN"; "s" ]
                        [ "HGETALL"; "s" ]
                        [ "HINCRBY"; "s"; "a"; "1" ]
                        [ "HINCRBYFLOAT"; "s"; "a"; "1" ]
                        [ "HRANDFIELD"; "s" ]
                        [ "HRANDFIELD"; "s"; "0" ]
                        [ "HSCAN"; "s"; "0"; "COUNT"; "0" ]
                        [ "GET"; "h" ]
                        [ "INCR"; "h" ]
                        [ "APPEND"; "h"; "x" ]
                        [ "STRLEN"; "h" ]
                    ] do
                    Expect.equal (fst (exec w cmd)) wrong (String.Join(" ", cmd))

                Expect.equal (fst (exec w [ "TYPE"; "h" ])) (RespValue.Simple "hash") "TYPE hash"

                Expect.equal
                    (fst (exec w [ "MGET"; "h"; "s" ]))
                    (RespValue.Array [| RespValue.Null; bulk "v" |])
                    "MGET nil"

                let r, w = exec w [ "SET"; "h"; "x" ]
                Expect.equal r RespValue.Ok "SET replaces a hash"
                Expect.equal (fst (exec w [ "GET"; "h" ])) (bulk "x") "now a string"

            testCase "a hash stays listpack up to 512 fields and becomes hashtable at 513, for good"
            <| fun () ->
                let w = bigHash 512
                Expect.equal (fst (exec w [ "OBJECT"; "ENCODING"; "h" ])) (bulk "listpack") "512 fields"
                let _, w = exec w [ "HSET"; "h"; "one-more"; "x" ]
                Expect.equal (fst (exec w [ "OBJECT"; "ENCODING"; "h" ])) (bulk "hashtable") "513 fields"
                let _, w = exec w [ "HDEL"; "h"; "one-more"; "field:1"; "field:2" ]
                Expect.equal (fst (exec w [ "OBJECT"; "ENCODING"; "h" ])) (bulk "hashtable") "no way back"

            testCase "a field or value longer than 64 bytes converts the hash; HSETNX of an existing field does not"
            <| fun () ->
                let long = String('x', 65)
                let _, w = run (fresh ()) [ [ "HSET"; "h"; "a"; String('x', 64) ] ]
                Expect.equal (fst (exec w [ "OBJECT"; "ENCODING"; "h" ])) (bulk "listpack") "64 bytes fit"
                let r, w = exec w [ "HSETNX"; "h"; "a"; long ]
                Expect.equal r (int' 0L) "not set"
                Expect.equal (fst (exec w [ "OBJECT"; "ENCODING"; "h" ])) (bulk "listpack") "unchanged"
                let _, w = exec w [ "HSET"; "h"; long; "1" ]
                Expect.equal (fst (exec w [ "OBJECT"; "ENCODING"; "h" ])) (bulk "hashtable") "a long field"
                let _, w = exec w [ "HDEL"; "h"; long ]
                Expect.equal (fst (exec w [ "OBJECT"; "ENCODING"; "h" ])) (bulk "hashtable") "stays hashtable"

            testCase "CONFIG GET knows the hash thresholds under both names, with Redis 7.0's defaults"
            <| fun () ->
                match fst (exec (fresh ()) [ "CONFIG"; "GET"; "hash-max-*" ]) with
                | RespValue.Map pairs ->
                    let got =
                        pairs
                        |> Array.map (fun struct (k, v) ->
                            match k, v with
                            | RespValue.Bulk k, RespValue.Bulk v -> Bytes.toString k, Bytes.toString v
                            | _ -> "", "")
                        |> Array.sort
                        |> List.ofArray

                    Expect.equal
                        got
                        [
                            "hash-max-listpack-entries", "512"
                            "hash-max-listpack-value", "64"
                            "hash-max-ziplist-entries", "512"
                            "hash-max-ziplist-value", "64"
                        ]
                        "four settings"
                | other -> failtestf "CONFIG GET reply %A" other

            testCase "the thresholds follow CONFIG SET, and HINCRBYFLOAT's long result converts"
            <| fun () ->
                let _, w =
                    run
                        (fresh ())
                        [
                            [ "CONFIG"; "SET"; "hash-max-ziplist-entries"; "2" ]
                            [ "HSET"; "h"; "a"; "1"; "b"; "2" ]
                        ]

                Expect.equal (fst (exec w [ "OBJECT"; "ENCODING"; "h" ])) (bulk "listpack") "2 fields"
                let _, w = exec w [ "HSET"; "h"; "c"; "3" ]
                Expect.equal (fst (exec w [ "OBJECT"; "ENCODING"; "h" ])) (bulk "hashtable") "3 fields"

                let _, w =
                    run w [ [ "HSET"; "g"; "a"; "1" ]; [ "HINCRBYFLOAT"; "g"; "a"; "1e100" ] ]

                Expect.equal (fst (exec w [ "OBJECT"; "ENCODING"; "g" ])) (bulk "hashtable") "101-digit value"

            testCase "HINCRBY checks the increment, then the type, then the value, then overflow; errors write nothing"
            <| fun () ->
                let _, w =
                    run (fresh ()) [ [ "SET"; "s"; "x" ]; [ "HSET"; "h"; "t"; "abc"; "m"; "9223372036854775807" ] ]

                Expect.equal (fst (exec w [ "HINCRBY"; "s"; "f"; "x" ])) (err RedisError.NotInteger) "increment first"
                Expect.equal (fst (exec w [ "HINCRBY"; "s"; "f"; "1" ])) (err RedisError.WrongType) "then the type"
                Expect.equal (fst (exec w [ "HINCRBY"; "h"; "t"; "1" ])) (err RedisError.HashNotInteger) "the value"
                Expect.equal (fst (exec w [ "HINCRBY"; "h"; "m"; "1" ])) (err RedisError.Overflow) "overflow"
                Expect.equal (fst (exec w [ "HGET"; "h"; "m" ])) (bulk "9223372036854775807") "unchanged"
                let r, w = exec w [ "HINCRBY"; "h"; "n"; "-5" ]
                Expect.equal r (int' -5L) "a missing field counts as 0"
                Expect.equal (fst (exec w [ "HINCRBY"; "new"; "f"; "3" ])) (int' 3L) "a missing key too"

            testCase "HINCRBYFLOAT rejects NaN and infinite increments and values, and prints like Redis"
            <| fun () ->
                let _, w = run (fresh ()) [ [ "HSET"; "h"; "i"; "inf"; "t"; "abc"; "x"; "10.50" ] ]

                Expect.equal
                    (fst (exec w [ "HINCRBYFLOAT"; "h"; "x"; "inf" ]))
                    (err RedisError.ValueNanOrInfinity)
                    "inf"

                Expect.equal (fst (exec w [ "HINCRBYFLOAT"; "h"; "x"; "nan" ])) (err RedisError.NotFloat) "nan"
                Expect.equal (fst (exec w [ "HINCRBYFLOAT"; "h"; "t"; "1" ])) (err RedisError.HashNotFloat) "abc"

                Expect.equal
                    (fst (exec w [ "HINCRBYFLOAT"; "h"; "i"; "1" ]))
                    (err RedisError.IncrementNanOrInfinity)
                    "inf + 1"

                Expect.equal (fst (exec w [ "HINCRBYFLOAT"; "h"; "x"; "0.1" ])) (bulk "10.6") "10.50 + 0.1"
                Expect.equal (fst (exec w [ "HINCRBYFLOAT"; "h"; "y"; "5.0e3" ])) (bulk "5000") "trailing zeros trimmed"

            testCase "HGETALL is a map (flat in RESP2), HKEYS and HVALS follow the same order"
            <| fun () ->
                let _, w = exec (fresh ()) [ "HSET"; "h"; "a"; "1"; "b"; "2"; "c"; "3" ]
                let ctx = ctxAt 1000L 1UL

                match fst (execWith ctx resp3 w [ "HGETALL"; "h" ]) with
                | RespValue.Map pairs ->
                    let fields =
                        pairs
                        |> Array.map (fun struct (f, _) -> f)
                        |> Array.map (function
                            | RespValue.Bulk b -> Bytes.toString b
                            | _ -> "")

                    let values =
                        pairs
                        |> Array.map (fun struct (_, v) -> v)
                        |> Array.map (function
                            | RespValue.Bulk b -> Bytes.toString b
                            | _ -> "")

                    Expect.equal (List.ofArray fields) (bulks (fst (exec w [ "HKEYS"; "h" ]))) "HKEYS order"
                    Expect.equal (List.ofArray values) (bulks (fst (exec w [ "HVALS"; "h" ]))) "HVALS order"
                    Expect.equal (Array.sort fields) [| "a"; "b"; "c" |] "fields"
                | other -> failtestf "HGETALL is a map, got %A" other

                Expect.equal (fst (execWith ctx resp3 w [ "HGETALL"; "none" ])) (RespValue.Map [||]) "empty map"
                Expect.equal (fst (exec w [ "HKEYS"; "none" ])) (RespValue.Array [||]) "empty array"

            testCase
                "HRANDFIELD: nil or one field without count, distinct with a positive count, repeats allowed with a negative one"
            <| fun () ->
                let _, w = exec (fresh ()) [ "HSET"; "h"; "a"; "1"; "b"; "2"; "c"; "3" ]
                Expect.equal (fst (exec w [ "HRANDFIELD"; "none" ])) RespValue.Null "nil for a missing key"
                Expect.equal (fst (exec w [ "HRANDFIELD"; "none"; "3" ])) (RespValue.Array [||]) "empty array"

                match fst (exec w [ "HRANDFIELD"; "h" ]) with
                | RespValue.Bulk f -> Expect.contains [ "a"; "b"; "c" ] (Bytes.toString f) "a field"
                | other -> failtestf "a bulk, got %A" other

                let all = bulks (fst (exec w [ "HRANDFIELD"; "h"; "10" ]))
                Expect.equal (List.sort all) [ "a"; "b"; "c" ] "count above the size: the whole hash"
                let two = bulks (fst (exec w [ "HRANDFIELD"; "h"; "2" ]))
                Expect.equal (List.length (List.distinct two)) 2 "two distinct"

                let many =
                    bulks (fst (execWith (ctxAt 1000L 99UL) resp2 w [ "HRANDFIELD"; "h"; "-20" ]))

                Expect.equal many.Length 20 "twenty draws"
                Expect.isLessThan (List.length (List.distinct many)) 20 "with repeats"
                Expect.equal (fst (exec w [ "HRANDFIELD"; "h"; "0" ])) (RespValue.Array [||]) "count 0"

            testCase "HRANDFIELD WITHVALUES: flat in RESP2, [field, value] pairs in RESP3; its errors in Redis's order"
            <| fun () ->
                let _, w = exec (fresh ()) [ "HSET"; "h"; "a"; "1" ]
                let ctx = ctxAt 1000L 3UL

                Expect.equal
                    (fst (execWith ctx resp2 w [ "HRANDFIELD"; "h"; "-2"; "WITHVALUES" ]))
                    (RespValue.Array [| bulk "a"; bulk "1"; bulk "a"; bulk "1" |])
                    "RESP2"

                Expect.equal
                    (fst (execWith ctx resp3 w [ "HRANDFIELD"; "h"; "2"; "withvalues" ]))
                    (RespValue.Array [| RespValue.Array [| bulk "a"; bulk "1" |] |])
                    "RESP3"

                Expect.equal
                    (fst (exec w [ "HRANDFIELD"; "h"; "-9223372036854775808" ]))
                    (err (RedisError.OutOfRangeBetween(-Int64.MaxValue, Int64.MaxValue)))
                    "below -LONG_MAX"

                Expect.equal
                    (fst (exec w [ "HRANDFIELD"; "h"; "4611686018427387904"; "WITHVALUES" ]))
                    (err RedisError.ValueOutOfRange)
                    "WITHVALUES above LONG_MAX/2"

                Expect.equal (fst (exec w [ "HRANDFIELD"; "none"; "1"; "FOO" ])) (err RedisError.Syntax) "syntax first"
                Expect.equal (fst (exec w [ "HRANDFIELD"; "h"; "x" ])) (err RedisError.NotInteger) "count"

                Expect.equal
                    (fst (exec w [ "HRANDFIELD"; "h"; "-16777217" ]))
                    (err RedisError.ValueOutOfRange)
                    "more than 2^24 draws are refused (a deliberate difference)"

            testCase "HSCAN of a listpack hash returns every field at once with cursor 0"
            <| fun () ->
                let _, w = exec (fresh ()) [ "HSET"; "h"; "a"; "1"; "b"; "2"; "c"; "3" ]

                match fst (exec w [ "HSCAN"; "h"; "12345"; "COUNT"; "1"; "MATCH"; "[ab]" ]) with
                | RespValue.Array [| RespValue.Bulk cursor; RespValue.Array items |] ->
                    Expect.equal (Bytes.toString cursor) "0" "cursor 0"
                    Expect.equal items.Length 4 "a and b with their values"
                | other -> failtestf "HSCAN reply %A" other

                Expect.equal
                    (fst (exec w [ "HSCAN"; "none"; "0"; "COUNT"; "0" ]))
                    (RespValue.Array [| bulk "0"; RespValue.Array [||] |])
                    "a missing key is an empty scan before options are read"

                Expect.equal (fst (exec w [ "HSCAN"; "h"; "0"; "COUNT"; "0" ])) (err RedisError.Syntax) "COUNT 0"
                Expect.equal (fst (exec w [ "HSCAN"; "h"; "0"; "TYPE"; "hash" ])) (err RedisError.Syntax) "no TYPE"
                Expect.equal (fst (exec w [ "HSCAN"; "h"; "x" ])) (err RedisError.InvalidCursor) "cursor"

            testCase "HSCAN of a hashtable hash visits every field over several steps"
            <| fun () ->
                let w = bigHash 1000
                let expected = [ for i in 1..1000 -> sprintf "field:%d" i, string i ] |> List.sort
                Expect.equal (hscanAll w "h" 7) expected "COUNT 7"
                Expect.equal (hscanAll w "h" 1000) expected "COUNT 1000"

            testCase "HSET on a hash with a TTL keeps it; HSET on an expired hash starts a new one without"
            <| fun () ->
                let _, w = run (fresh ()) [ [ "HSET"; "h"; "a"; "1" ]; [ "PEXPIRE"; "h"; "500" ] ]
                let _, w = exec w [ "HSET"; "h"; "b"; "2" ]
                Expect.equal (fst (exec w [ "PTTL"; "h" ])) (int' 500L) "TTL kept"
                let later = ctxAt 2000L 1UL
                let r, w = execWith later resp2 w [ "HSET"; "h"; "c"; "3" ]
                Expect.equal r (int' 1L) "one new field"
                Expect.equal (fst (execWith later resp2 w [ "HLEN"; "h" ])) (int' 1L) "the old fields expired"
                Expect.equal (fst (execWith later resp2 w [ "PTTL"; "h" ])) (int' -1L) "no TTL"

            testCase "COPY makes an independent hash; RENAME and MOVE keep the value and its encoding"
            <| fun () ->
                let long = String('y', 100)

                let _, w =
                    run
                        (fresh ())
                        [
                            [ "HSET"; "h"; "a"; "1"; "b"; long ]
                            [ "COPY"; "h"; "c" ]
                            [ "HSET"; "c"; "a"; "changed"; "new"; "x" ]
                            [ "HDEL"; "h"; "b" ]
                        ]

                Expect.equal (fst (exec w [ "HGET"; "h"; "a" ])) (bulk "1") "the original is unchanged"
                Expect.equal (fst (exec w [ "HLEN"; "c" ])) (int' 3L) "the copy has its own fields"
                Expect.equal (fst (exec w [ "OBJECT"; "ENCODING"; "c" ])) (bulk "hashtable") "the copy's encoding"
                let _, w = run w [ [ "RENAME"; "c"; "d" ]; [ "MOVE"; "d"; "1" ] ]
                let _, w = exec w [ "SELECT"; "1" ]
                let s1 = { resp2 with Db = 1 }
                let ctx = ctxAt 1000L 1UL
                Expect.equal (fst (execWith ctx s1 w [ "HGET"; "d"; "new" ])) (bulk "x") "moved"
                Expect.equal (fst (execWith ctx s1 w [ "OBJECT"; "ENCODING"; "d" ])) (bulk "hashtable") "encoding kept"
                Expect.equal (fst (execWith ctx s1 w [ "TYPE"; "d" ])) (RespValue.Simple "hash") "TYPE"

            testCase "SCAN TYPE hash finds only hashes"
            <| fun () ->
                let _, w = run (fresh ()) [ [ "HSET"; "h"; "a"; "1" ]; [ "SET"; "s"; "v" ] ]

                match fst (exec w [ "SCAN"; "0"; "TYPE"; "hash"; "COUNT"; "100" ]) with
                | RespValue.Array [| _; keys |] -> Expect.equal (bulks keys) [ "h" ] "only h"
                | other -> failtestf "SCAN reply %A" other
        ]
