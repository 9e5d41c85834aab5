module CoolCache.Core.Tests.Values.RedisSetTests

open System
open System.Globalization
open Expecto
open FsCheck
open FsCheck.FSharp
open CoolCache.Core
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

/// The model of isSdsRepresentableAsLongLong: an int64 written exactly as Redis formats it.
let private isCanonicalInteger (s: string) =
    match Int64.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture) with
    | true, n -> n.ToString(CultureInfo.InvariantCulture) = s
    | _ -> false

let private members (s: RedisSet) =
    RedisSet.toArray s |> Array.map str |> Set.ofArray

/// Integers (canonical and not), words, binary: small pools so that members repeat.
let private memberGen =
    Gen.frequency
        [
            4, Gen.choose (-40, 40) |> Gen.map string
            2, Gen.choose (0, 25) |> Gen.map (fun i -> "m" + string i)
            1,
            Gen.elements
                [
                    "007"
                    "+1"
                    "-0"
                    " 1"
                    ""
                    "x y"
                    "\000\xff"
                    "9223372036854775807"
                    "-9223372036854775808"
                    "9223372036854775808"
                ]
        ]

type private SetOp =
    | Add of string
    | Remove of string
    /// Keep this version and continue under a fresh owner (what Db.freeze does for a snapshot).
    | Freeze

let private opGen =
    Gen.frequency
        [
            6, Gen.map Add memberGen
            3, Gen.map Remove memberGen
            1, Gen.constant Freeze
        ]

let private memberLists =
    Gen.listOf memberGen |> Gen.map (List.map b >> Array.ofList)

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

let private runSeeded (seed: uint64) (w: World) (argv: string list) =
    let r = Api.Execute(ctxWith seed, session, argv |> List.map b |> Array.ofList, w)
    r.Reply, r.World

let private run w argv = runSeeded 7UL w argv

/// Runs commands in order; returns the last reply and the World.
let private script (w: World) (cmds: string list list) =
    cmds |> List.fold (fun (_, w) c -> run w c) (RespValue.Null, w)

let private fresh () = World.create Config.defaults

let private withMaxIntset (n: int64) =
    World.create
        { Config.defaults with
            SetMaxIntsetEntries = n
        }

let private sorted (r: RespValue) =
    match r with
    | RespValue.Set xs
    | RespValue.Array xs ->
        xs
        |> Array.map (fun x ->
            match x with
            | RespValue.Bulk m -> str m
            | other -> failwithf "not a bulk: %A" other)
        |> Array.sort
        |> List.ofArray
    | other -> failwithf "not an aggregate: %A" other

let private reply w argv = fst (run w argv)

/// Every key of db 0 with its value: strings as they are, sets as sorted member lists.
let private contents (w: World) =
    (World.db 0 w).Keys
    |> Collections.HashMap.toSeq
    |> Seq.map (fun struct (k, v) ->
        let shown =
            match v with
            | Value.Set s -> "set " + String.Join(",", members s)
            | other ->
                "string "
                + (Value.tryString other |> ValueOption.map str |> ValueOption.defaultValue "?")

        str k, shown)
    |> Seq.sort
    |> List.ofSeq

let private setKey = Gen.elements [ "s1"; "s2"; "s3" ]

let private setMember = Gen.elements [ "1"; "2"; "3"; "4"; "a"; "b"; "c"; "-5" ]

/// Set commands that write (deterministic under a fixed seed).
let private setWrite =
    Gen.oneof
        [
            Gen.map2 (fun k ms -> "SADD" :: k :: ms) setKey (Gen.nonEmptyListOf setMember)
            Gen.map2 (fun k ms -> "SREM" :: k :: ms) setKey (Gen.nonEmptyListOf setMember)
            Gen.map (fun k -> [ "SPOP"; k ]) setKey
            Gen.map2 (fun k n -> [ "SPOP"; k; string n ]) setKey (Gen.choose (0, 6))
            Gen.map3 (fun a k m -> [ "SMOVE"; a; k; m ]) setKey setKey setMember
            Gen.map3 (fun d a k -> [ "SINTERSTORE"; d; a; k ]) setKey setKey setKey
            Gen.map2 (fun d a -> [ "SUNIONSTORE"; d; a ]) setKey setKey
            Gen.map3 (fun d a k -> [ "SDIFFSTORE"; d; a; k ]) setKey setKey setKey
            Gen.map2 (fun a d -> [ "COPY"; a; d; "REPLACE" ]) setKey setKey
            Gen.map2 (fun a d -> [ "RENAME"; a; d ]) setKey setKey
            Gen.map (fun k -> [ "DEL"; k ]) setKey
        ]

let private properties =
    testList
        "properties"
        [
            testPropertyWithConfig
                config
                "add and remove agree with a Set model, and frozen versions keep their members"
            <| Prop.forAll (Arb.fromGen (Gen.zip (Gen.listOf opGen) (Gen.choose (0, 6)))) (fun (ops, max) ->
                let max = int64 max
                let mutable owner = obj ()
                let mutable set = RedisSet.empty
                let mutable model = Set.empty
                let mutable intset = true
                let frozen = ResizeArray()

                for op in ops do
                    match op with
                    | Add m ->
                        let set' = RedisSet.add owner max (b m) set
                        let isNew = not (model.Contains m)
                        Expect.equal (RedisSet.count set') (RedisSet.count set + (if isNew then 1 else 0)) "count"

                        if isNew then
                            intset <- intset && isCanonicalInteger m && int64 (model.Count + 1) <= max

                        set <- set'
                        model <- model.Add m
                    | Remove m ->
                        set <- RedisSet.remove owner (b m) set
                        model <- model.Remove m
                    | Freeze ->
                        frozen.Add(set, model)
                        owner <- obj ()

                    Expect.equal (members set) model "members"
                    Expect.equal set.Intset intset "encoding: intset until a non-integer or one member too many"

                for s, m in frozen do
                    Expect.equal (members s) m "a frozen version is unchanged by later in-place edits")

            testPropertyWithConfig
                config
                "a set built from members is an intset exactly when they are few canonical integers"
            <| Prop.forAll (Arb.fromGen (Gen.zip memberLists (Gen.choose (0, 6)))) (fun (ms, max) ->
                let s = RedisSet.ofMembers (obj ()) (int64 max) ms
                let model = ms |> Array.map str |> Set.ofArray
                Expect.equal (members s) model "members"

                Expect.equal
                    s.Intset
                    (model.Count <= max && Set.forall isCanonicalInteger model)
                    "intset iff all integers and at most set-max-intset-entries")

            testPropertyWithConfig config "an intset lists its members in ascending order, as Redis iterates intsets"
            <| Prop.forAll (Arb.fromGen (Gen.listOf (Gen.choose (-1000, 1000)))) (fun ns ->
                let s =
                    RedisSet.ofMembers (obj ()) 512L (ns |> List.map (string >> b) |> Array.ofList)

                let listed = RedisSet.toArray s |> Array.map (str >> int) |> List.ofArray
                Expect.equal listed (ns |> List.distinct |> List.sort) "ascending")

            testPropertyWithConfig config "inter, union and diff agree with Set algebra"
            <| Prop.forAll (Arb.fromGen (Gen.listOfLength 3 memberLists)) (fun lists ->
                let sets = lists |> List.map (RedisSet.ofMembers (obj ()) 512L) |> Array.ofList
                let models = lists |> List.map (Array.map str >> Set.ofArray)
                let strs (xs: seq<Bytes>) = xs |> Seq.map str |> Set.ofSeq
                let inter = strs (RedisSet.inter 0 sets)
                Expect.equal inter (Set.intersectMany models) "inter"
                Expect.equal (RedisSet.inter 0 sets).Count inter.Count "inter has no repeats"
                Expect.equal (members (RedisSet.union (obj ()) 512L sets)) (Set.unionMany models) "union"

                Expect.equal (strs (RedisSet.diff sets[0] sets[1..])) (models.Head - Set.unionMany models.Tail) "diff"

                Expect.equal (strs (RedisSet.inter 0 [| sets[0]; sets[0] |])) models.Head "a set with itself"
                Expect.isEmpty (RedisSet.diff sets[0] [| sets[0] |]) "a set minus itself")

            testPropertyWithConfig config "inter with a limit stops after that many common members"
            <| Prop.forAll
                (Arb.fromGen (Gen.zip (Gen.listOfLength 2 memberLists) (Gen.choose (1, 5))))
                (fun (lists, limit) ->
                    let sets = lists |> List.map (RedisSet.ofMembers (obj ()) 512L) |> Array.ofList
                    let all = RedisSet.inter 0 sets |> Seq.map str |> Set.ofSeq
                    let limited = RedisSet.inter limit sets |> Seq.map str |> Set.ofSeq
                    Expect.equal limited.Count (min limit all.Count) "count"
                    Expect.isTrue (Set.isSubset limited all) "common members")

            testPropertyWithConfig config "popMany pops count distinct members and keeps the others"
            <| Prop.forAll
                (Arb.fromGen (Gen.zip3 memberLists (Gen.choose (1, 40)) (Gen.choose (0, 1000))))
                (fun (ms, n, seed) ->
                    let s = RedisSet.ofMembers (obj ()) 512L ms
                    let size = RedisSet.count s

                    if size >= 2 then
                        let count = 1 + n % (size - 1)
                        let model = members s

                        let struct (popped, rest) = RedisSet.popMany (obj ()) 512L (uint64 seed) count s

                        let popped = popped |> Array.map str
                        Expect.equal popped.Length count "count popped"
                        Expect.equal (Set.ofArray popped).Count count "distinct"
                        Expect.equal (Set.union (Set.ofArray popped) (members rest)) model "nothing lost"
                        Expect.isEmpty (Set.intersect (Set.ofArray popped) (members rest)) "popped members are gone"

                        if rest.Intset then
                            Expect.isTrue (Set.forall isCanonicalInteger (members rest)) "an intset holds integers")

            testPropertyWithConfig config "random members have the shape SRANDMEMBER promises"
            <| Prop.forAll
                (Arb.fromGen (Gen.zip3 memberLists (Gen.choose (1, 30)) (Gen.choose (0, 1000))))
                (fun (ms, count, seed) ->
                    let s = RedisSet.ofMembers (obj ()) 512L ms

                    if RedisSet.count s > 0 then
                        let model = members s

                        let distinct =
                            RedisSet.randomDistinct (uint64 seed) (min count (RedisSet.count s)) s
                            |> Array.map str

                        Expect.equal distinct.Length (min count model.Count) "min(count, size) members"
                        Expect.equal (Set.ofArray distinct).Count distinct.Length "distinct"
                        Expect.isTrue (Set.isSubset (Set.ofArray distinct) model) "members"
                        let repeats = RedisSet.randomWithRepeats (uint64 seed) count s |> Array.map str
                        Expect.equal repeats.Length count "count draws"
                        Expect.isTrue (Set.isSubset (Set.ofArray repeats) model) "members"

                        Expect.equal
                            (RedisSet.randomDistinct (uint64 seed) (min count (RedisSet.count s)) s
                             |> Array.map str)
                            distinct
                            "the same seed draws the same members")

            testPropertyWithConfig config "a frozen World keeps its sets while the live one edits them in place"
            <| Prop.forAll (Arb.fromGen (Gen.zip (Gen.listOf setWrite) (Gen.listOf setWrite))) (fun (before, after) ->
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
            testCase "SADD counts only new members and SMEMBERS lists them"
            <| fun () ->
                let r, w = script (fresh ()) [ [ "SADD"; "s"; "a"; "b"; "a" ] ]
                Expect.equal r (RespValue.Integer 2L) "two new"
                Expect.equal (reply w [ "SADD"; "s"; "b"; "c" ]) (RespValue.Integer 1L) "one new"
                Expect.equal (sorted (reply w [ "SMEMBERS"; "s" ])) [ "a"; "b"; "c" ] "members"

            testCase "SREM of the last member deletes the key"
            <| fun () ->
                let _, w =
                    script (fresh ()) [ [ "SADD"; "s"; "a"; "b" ]; [ "SREM"; "s"; "a"; "b"; "x" ] ]

                Expect.equal (reply w [ "EXISTS"; "s" ]) (RespValue.Integer 0L) "deleted"

            testCase "SPOP of the last member deletes the key"
            <| fun () ->
                let r, w = script (fresh ()) [ [ "SADD"; "s"; "only" ]; [ "SPOP"; "s" ] ]
                Expect.equal r (RespValue.Bulk(b "only")) "popped"
                Expect.equal (reply w [ "EXISTS"; "s" ]) (RespValue.Integer 0L) "deleted"

            testCase "SPOP with a count at least the size pops everything and deletes the key"
            <| fun () ->
                let r, w =
                    script (fresh ()) [ [ "SADD"; "s"; "3"; "1"; "2" ]; [ "SPOP"; "s"; "10" ] ]

                Expect.equal r (RespValue.Set [| for m in [ "1"; "2"; "3" ] -> RespValue.Bulk(b m) |]) "all, ascending"
                Expect.equal (reply w [ "EXISTS"; "s" ]) (RespValue.Integer 0L) "deleted"

            testCase "SPOP with count 0 or on a missing key is an empty set"
            <| fun () ->
                let _, w = script (fresh ()) [ [ "SADD"; "s"; "a" ] ]
                Expect.equal (reply w [ "SPOP"; "s"; "0" ]) (RespValue.Set [||]) "count 0"
                Expect.equal (reply w [ "SPOP"; "nokey"; "3" ]) (RespValue.Set [||]) "missing"
                Expect.equal (reply w [ "SCARD"; "s" ]) (RespValue.Integer 1L) "nothing popped"

            testCase "SPOP reads its count before the key: a bad count wins over WRONGTYPE"
            <| fun () ->
                let _, w = script (fresh ()) [ [ "SET"; "str"; "x" ] ]

                Expect.equal
                    (reply w [ "SPOP"; "str"; "-1" ])
                    (RespValue.Error "ERR value is out of range, must be positive")
                    "count error"

                Expect.equal (reply w [ "SPOP"; "str"; "1" ]) (RedisError.toResp RedisError.WrongType) "then the type"

            testCase "SMOVE of the last member deletes the source and creates the destination"
            <| fun () ->
                let r, w = script (fresh ()) [ [ "SADD"; "a"; "5" ]; [ "SMOVE"; "a"; "b"; "5" ] ]
                Expect.equal r (RespValue.Integer 1L) "moved"
                Expect.equal (reply w [ "EXISTS"; "a" ]) (RespValue.Integer 0L) "source deleted"
                Expect.equal (reply w [ "OBJECT"; "ENCODING"; "b" ]) (RespValue.Bulk(b "intset")) "a new intset"

            testCase "SMOVE from a missing source answers 0 even when the destination is not a set"
            <| fun () ->
                let _, w = script (fresh ()) [ [ "SET"; "str"; "x" ] ]
                Expect.equal (reply w [ "SMOVE"; "nokey"; "str"; "m" ]) (RespValue.Integer 0L) "0"
                let _, w = script w [ [ "SADD"; "s"; "m" ] ]
                Expect.equal (reply w [ "SMOVE"; "s"; "str"; "m" ]) (RedisError.toResp RedisError.WrongType) "type"
                Expect.equal (reply w [ "SISMEMBER"; "s"; "m" ]) (RespValue.Integer 1L) "nothing moved"

            testCase "SINTERSTORE with an empty result deletes the destination"
            <| fun () ->
                let r, w =
                    script
                        (fresh ())
                        [
                            [ "SADD"; "a"; "1" ]
                            [ "SADD"; "b"; "2" ]
                            [ "SADD"; "d"; "x" ]
                            [ "SINTERSTORE"; "d"; "a"; "b" ]
                        ]

                Expect.equal r (RespValue.Integer 0L) "empty"
                Expect.equal (reply w [ "EXISTS"; "d" ]) (RespValue.Integer 0L) "deleted"

            testCase "a missing key makes SINTER empty but a wrong type anywhere is WRONGTYPE"
            <| fun () ->
                let _, w = script (fresh ()) [ [ "SADD"; "a"; "1" ]; [ "SET"; "str"; "x" ] ]
                Expect.equal (reply w [ "SINTER"; "a"; "nokey" ]) (RespValue.Set [||]) "empty"
                Expect.equal (reply w [ "SINTER"; "nokey"; "str" ]) (RedisError.toResp RedisError.WrongType) "type"
                Expect.equal (reply w [ "SUNION"; "nokey"; "a" ]) (RespValue.Set [| RespValue.Bulk(b "1") |]) "union"

            testCase "stores replace the destination and clear its TTL; SADD keeps a TTL"
            <| fun () ->
                let _, w =
                    script
                        (fresh ())
                        [
                            [ "SADD"; "a"; "1"; "2" ]
                            [ "SET"; "d"; "v"; "EX"; "100" ]
                            [ "SUNIONSTORE"; "d"; "a" ]
                        ]

                Expect.equal (reply w [ "TTL"; "d" ]) (RespValue.Integer -1L) "no TTL"
                let _, w = script w [ [ "EXPIRE"; "a"; "100" ]; [ "SADD"; "a"; "3" ] ]
                Expect.equal (reply w [ "TTL"; "a" ]) (RespValue.Integer 100L) "TTL kept"

            testCase "a store from one key builds a fresh set: later edits of either leave the other alone"
            <| fun () ->
                let _, w =
                    script
                        (fresh ())
                        [
                            [ "SADD"; "a"; "1"; "2"; "3" ]
                            [ "SUNIONSTORE"; "u"; "a" ]
                            [ "SINTERSTORE"; "i"; "a" ]
                            [ "SDIFFSTORE"; "d"; "a" ]
                            [ "COPY"; "a"; "c" ]
                            [ "SADD"; "a"; "4" ]
                            [ "SREM"; "u"; "1" ]
                            [ "SREM"; "c"; "2" ]
                        ]

                Expect.equal (sorted (reply w [ "SMEMBERS"; "a" ])) [ "1"; "2"; "3"; "4" ] "source"
                Expect.equal (sorted (reply w [ "SMEMBERS"; "u" ])) [ "2"; "3" ] "union copy"
                Expect.equal (sorted (reply w [ "SMEMBERS"; "i" ])) [ "1"; "2"; "3" ] "inter copy"
                Expect.equal (sorted (reply w [ "SMEMBERS"; "d" ])) [ "1"; "2"; "3" ] "diff copy"
                Expect.equal (sorted (reply w [ "SMEMBERS"; "c" ])) [ "1"; "3" ] "COPY"

            testCase "OBJECT ENCODING is intset up to set-max-intset-entries integers, then hashtable for good"
            <| fun () ->
                let _, w = script (withMaxIntset 3L) [ [ "SADD"; "s"; "1"; "2"; "3" ] ]
                Expect.equal (reply w [ "OBJECT"; "ENCODING"; "s" ]) (RespValue.Bulk(b "intset")) "3 integers"
                let _, w = script w [ [ "SADD"; "s"; "4" ]; [ "SREM"; "s"; "4"; "3" ] ]
                Expect.equal (reply w [ "OBJECT"; "ENCODING"; "s" ]) (RespValue.Bulk(b "hashtable")) "stays"
                let _, w = script w [ [ "SADD"; "t"; "1"; "007" ] ]
                Expect.equal (reply w [ "OBJECT"; "ENCODING"; "t" ]) (RespValue.Bulk(b "hashtable")) "007"
                let _, w = script w [ [ "COPY"; "s"; "c" ] ]
                Expect.equal (reply w [ "OBJECT"; "ENCODING"; "c" ]) (RespValue.Bulk(b "hashtable")) "COPY keeps it"

            testCase "CONFIG SET set-max-intset-entries takes integers from 0"
            <| fun () ->
                let _, w = script (fresh ()) [ [ "CONFIG"; "SET"; "set-max-intset-entries"; "2" ] ]
                Expect.equal w.Config.SetMaxIntsetEntries 2L "set"

                Expect.equal
                    (reply w [ "CONFIG"; "SET"; "set-max-intset-entries"; "-1" ])
                    (RespValue.Error
                        "ERR CONFIG SET failed (possibly related to argument 'set-max-intset-entries') - argument must be between 0 and 9223372036854775807 inclusive")
                    "negative"

            testCase "TYPE, SCAN TYPE set, RENAME and MOVE treat a set as a set"
            <| fun () ->
                let _, w = script (fresh ()) [ [ "SADD"; "s"; "a" ]; [ "SET"; "str"; "x" ] ]
                Expect.equal (reply w [ "TYPE"; "s" ]) (RespValue.Simple "set") "TYPE"

                Expect.equal
                    (reply w [ "SCAN"; "0"; "TYPE"; "set" ])
                    (RespValue.Array [| RespValue.Bulk(b "0"); RespValue.Array [| RespValue.Bulk(b "s") |] |])
                    "SCAN TYPE"

                let _, w = script w [ [ "RENAME"; "s"; "r" ]; [ "MOVE"; "r"; "1" ] ]
                Expect.equal (reply w [ "EXISTS"; "s"; "r" ]) (RespValue.Integer 0L) "moved away"
                Expect.equal (reply w [ "GET"; "str" ]) (RespValue.Bulk(b "x")) "strings untouched"

            testCase "string commands on a set are WRONGTYPE and set commands on a string too"
            <| fun () ->
                let _, w = script (fresh ()) [ [ "SADD"; "s"; "a" ]; [ "SET"; "str"; "x" ] ]

                for c in
                    [
                        [ "GET"; "s" ]
                        [ "APPEND"; "s"; "x" ]
                        [ "INCR"; "s" ]
                        [ "SADD"; "str"; "a" ]
                        [ "SCARD"; "str" ]
                    ] do
                    Expect.equal (reply w c) (RedisError.toResp RedisError.WrongType) (String.Join(" ", c))

            testCase "SINTERCARD checks numkeys and LIMIT with Redis's texts and stops at the limit"
            <| fun () ->
                let _, w =
                    script (fresh ()) [ [ "SADD"; "a"; "1"; "2"; "3" ]; [ "SADD"; "b"; "1"; "2"; "3"; "4" ] ]

                Expect.equal (reply w [ "SINTERCARD"; "2"; "a"; "b" ]) (RespValue.Integer 3L) "all"
                Expect.equal (reply w [ "SINTERCARD"; "2"; "a"; "b"; "LIMIT"; "2" ]) (RespValue.Integer 2L) "limit"
                Expect.equal (reply w [ "SINTERCARD"; "2"; "a"; "b"; "LIMIT"; "0" ]) (RespValue.Integer 3L) "0 = none"

                Expect.equal
                    (reply w [ "SINTERCARD"; "0"; "a" ])
                    (RespValue.Error "ERR numkeys should be greater than 0")
                    "numkeys"

                Expect.equal
                    (reply w [ "SINTERCARD"; "3"; "a"; "b" ])
                    (RespValue.Error "ERR Number of keys can't be greater than number of args")
                    "too many"

                Expect.equal
                    (reply w [ "SINTERCARD"; "1"; "a"; "LIMIT"; "x" ])
                    (RespValue.Error "ERR LIMIT can't be negative")
                    "limit"

            testCase "SRANDMEMBER with a negative count may repeat, with a positive one never"
            <| fun () ->
                let _, w = script (fresh ()) [ [ "SADD"; "s"; "a"; "b" ] ]

                match reply w [ "SRANDMEMBER"; "s"; "-50" ] with
                | RespValue.Array xs -> Expect.equal xs.Length 50 "50 draws"
                | other -> failtestf "%A" other

                Expect.equal (sorted (reply w [ "SRANDMEMBER"; "s"; "50" ])) [ "a"; "b" ] "the whole set"
                Expect.equal (reply w [ "SRANDMEMBER"; "nokey"; "5" ]) (RespValue.Array [||]) "an empty array"
                Expect.equal (reply w [ "SRANDMEMBER"; "nokey" ]) RespValue.Null "nil"

            testCase "SSCAN returns an intset whole with cursor 0 and filters with MATCH"
            <| fun () ->
                let _, w = script (fresh ()) [ [ "SADD"; "s"; "3"; "10"; "1"; "30" ] ]

                Expect.equal
                    (reply w [ "SSCAN"; "s"; "0"; "COUNT"; "1"; "MATCH"; "*0" ])
                    (RespValue.Array
                        [|
                            RespValue.Bulk(b "0")
                            RespValue.Array [| RespValue.Bulk(b "10"); RespValue.Bulk(b "30") |]
                        |])
                    "all matching, ascending"

                Expect.equal (reply w [ "SSCAN"; "s"; "-" ]) (RespValue.Error "ERR invalid cursor") "a lone sign"

            testCase "a full SSCAN of a hashtable set returns every member once"
            <| fun () ->
                let ms = [ for i in 1..300 -> sprintf "m%d" i ]
                let _, w = script (fresh ()) [ "SADD" :: "s" :: ms ]
                let seen = Collections.Generic.List<string>()
                let mutable cursor = "0"
                let mutable rounds = 0

                while cursor <> "0" || rounds = 0 do
                    rounds <- rounds + 1

                    match reply w [ "SSCAN"; "s"; cursor; "COUNT"; "7" ] with
                    | RespValue.Array [| RespValue.Bulk next; RespValue.Array xs |] ->
                        cursor <- str next
                        seen.AddRange(sorted (RespValue.Array xs))
                    | other -> failtestf "%A" other

                Expect.isGreaterThan rounds 10 "several calls"
                Expect.equal (List.sort (List.ofSeq seen)) (List.sort ms) "each member once"

            testCase "SPOP with a count below the size removes exactly the members it returns"
            <| fun () ->
                for count in [ 1; 3; 8; 9 ] do
                    let _, w =
                        script (fresh ()) [ [ "SADD"; "s"; "1"; "2"; "3"; "4"; "5"; "6"; "a"; "b"; "c"; "d" ] ]

                    let popped = sorted (reply w [ "SPOP"; "s"; string count ])
                    let rest = sorted (reply w [ "SMEMBERS"; "s" ])
                    Expect.equal popped.Length count "count"

                    Expect.equal
                        (List.sort (popped @ rest))
                        [ "1"; "2"; "3"; "4"; "5"; "6"; "a"; "b"; "c"; "d" ]
                        "all kept"

            testCase "SPOP leaving only integers makes an intset again, as Redis rebuilds the rest"
            <| fun () ->
                // 9 of 10 popped: Redis moves the one that stays into a new set (t_set.c CASE 3).
                let found =
                    [ 0UL .. 40UL ]
                    |> List.exists (fun seed ->
                        let _, w =
                            script (fresh ()) [ [ "SADD"; "s"; "1"; "a"; "b"; "c"; "d"; "e"; "f"; "g"; "h"; "i" ] ]

                        let _, w = runSeeded seed w [ "SPOP"; "s"; "9" ]

                        reply w [ "SMEMBERS"; "s" ] = RespValue.Set [| RespValue.Bulk(b "1") |]
                        && reply w [ "OBJECT"; "ENCODING"; "s" ] = RespValue.Bulk(b "intset"))

                Expect.isTrue found "some seed keeps the integer member, as an intset"
        ]

/// Frequencies of draws over seeds 0..n-1.
let private frequencies (n: int) (draw: uint64 -> string list) =
    [ 0 .. n - 1 ] |> List.collect (uint64 >> draw) |> List.countBy id |> Map.ofList

let private distribution =
    testList
        "distribution"
        [
            testCase "SPOP over many seeds picks every member, none far more often than the others"
            <| fun () ->
                let ms = [ for i in 1..20 -> sprintf "m%d" i ]
                let _, w = script (fresh ()) [ "SADD" :: "s" :: ms ]
                let struct (frozen, _) = World.freeze w

                let freq =
                    frequencies 4000 (fun seed ->
                        match fst (runSeeded seed frozen [ "SPOP"; "s" ]) with
                        | RespValue.Bulk m -> [ str m ]
                        | other -> failtestf "%A" other)

                let mean = 4000.0 / 20.0
                Expect.equal freq.Count 20 "every member was popped by some seed"

                for KeyValue(m, n) in freq do
                    Expect.isGreaterThan (float n) (mean / 4.0) m
                    Expect.isLessThan (float n) (mean * 4.0) m

            testCase "SRANDMEMBER with a count near the size is uniform over members"
            <| fun () ->
                let ms = [ for i in 1..20 -> sprintf "m%d" i ]
                let _, w = script (fresh ()) [ "SADD" :: "s" :: ms ]

                let freq =
                    frequencies 2000 (fun seed -> sorted (fst (runSeeded seed w [ "SRANDMEMBER"; "s"; "10" ])))

                // Each member is in half of the draws: 1000 expected, sd about 22.
                for KeyValue(m, n) in freq do
                    Expect.isGreaterThan n 850 m
                    Expect.isLessThan n 1150 m

            testCase "SRANDMEMBER with a small count and a negative count reach every member"
            <| fun () ->
                let ms = [ for i in 1..30 -> sprintf "m%d" i ]
                let _, w = script (fresh ()) [ "SADD" :: "s" :: ms ]

                let small =
                    frequencies 1000 (fun seed -> sorted (fst (runSeeded seed w [ "SRANDMEMBER"; "s"; "3" ])))

                Expect.equal small.Count 30 "every member, count 3"
                let repeats = sorted (fst (runSeeded 1UL w [ "SRANDMEMBER"; "s"; "-3000" ]))
                Expect.equal (List.distinct repeats).Length 30 "every member, count -3000"

            testCase "the same seed gives the same SPOP, another seed may not"
            <| fun () ->
                let ms = [ for i in 1..50 -> sprintf "m%d" i ]
                let _, w = script (fresh ()) [ "SADD" :: "s" :: ms ]
                let struct (frozen, _) = World.freeze w

                let pop seed =
                    fst (runSeeded seed frozen [ "SPOP"; "s"; "5" ])

                Expect.equal (pop 11UL) (pop 11UL) "deterministic"
                Expect.isTrue ([ 12UL .. 20UL ] |> List.exists (fun s -> pop s <> pop 11UL)) "seeded"
        ]

let tests = testList "RedisSet" [ properties; examples; distribution ]
