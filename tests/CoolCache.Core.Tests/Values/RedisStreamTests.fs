module CoolCache.Core.Tests.Values.RedisStreamTests

open System
open System.Numerics
open Expecto
open FsCheck
open FsCheck.FSharp
open CoolCache.Core
open CoolCache.Core.Collections
open CoolCache.Core.Protocol
open CoolCache.Core.Values
open CoolCache.Core.Commands
open CoolCache.Core.State

let private config =
    { FsCheckConfig.defaultConfig with
        maxTest = 200
        endSize = 100
    }

let private id (ms: uint64) (seq: uint64) : StreamId = { Ms = ms; Seq = seq }

let private big (x: StreamId) =
    (BigInteger x.Ms <<< 64) + BigInteger x.Seq

let private parse (s: string) (missingSeq: uint64) (strict: bool) (star: bool) =
    StreamId.tryParse (Bytes.ofLatin1 s) missingSeq strict star

/// IDs near the interesting edges: small, around 2^32 and 2^63, and the last possible values.
let private genU64 =
    Gen.frequency
        [
            4, Gen.choose (0, 20) |> Gen.map uint64
            2, Gen.elements [ UInt64.MaxValue; UInt64.MaxValue - 1UL; 1UL <<< 63; (1UL <<< 32) + 5UL ]
            2, ArbMap.defaults |> ArbMap.generate<uint64>
        ]

let private genId = Gen.map2 id genU64 genU64

// ---- IDs ----------------------------------------------------------------------------------------

let private idTests =
    testList
        "ids"
        [
            testProperty "an ID written as <ms>-<seq> reads back as itself (strict or not)"
            <| Prop.forAll (Arb.fromGen genId) (fun x ->
                let text = StreamId.toBytes x |> Bytes.toLatin1
                Expect.equal text (sprintf "%d-%d" x.Ms x.Seq) "decimal digits"
                Expect.equal (parse text 0UL true false) (ValueSome { Id = x; SeqGiven = true }) "strict"
                Expect.equal (parse text 7UL false true) (ValueSome { Id = x; SeqGiven = true }) "loose")

            testProperty "IDs compare as 128-bit numbers (ms, then seq)"
            <| Prop.forAll (Arb.fromGen (Gen.zip genId genId)) (fun (a, b) ->
                Expect.equal (StreamId.compare a b) (compare (big a) (big b)) "order")

            testProperty "incr and decr step by one 128-bit unit and fail only past the ends"
            <| Prop.forAll (Arb.fromGen genId) (fun x ->
                match StreamId.tryIncr x with
                | ValueSome next ->
                    Expect.equal (big next) (big x + BigInteger.One) "next"
                    Expect.equal (StreamId.tryDecr next) (ValueSome x) "decr undoes incr"
                | ValueNone -> Expect.equal x StreamId.max "only the last possible ID has no next"

                match StreamId.tryDecr x with
                | ValueSome prev -> Expect.equal (big prev) (big x - BigInteger.One) "previous"
                | ValueNone -> Expect.equal x StreamId.zero "only 0-0 has no previous")

            testProperty "<ms> alone takes the missing sequence; <ms>-* leaves the sequence to XADD"
            <| Prop.forAll (Arb.fromGen (Gen.zip genU64 genU64)) (fun (ms, missing) ->
                Expect.equal
                    (parse (string ms) missing true false)
                    (ValueSome { Id = id ms missing; SeqGiven = true })
                    "<ms>"

                Expect.equal
                    (parse (sprintf "%d-*" ms) 0UL true true)
                    (ValueSome { Id = id ms 0UL; SeqGiven = false })
                    "<ms>-* where XADD allows it"

                Expect.equal (parse (sprintf "%d-*" ms) 0UL true false) ValueNone "<ms>-* elsewhere")

            test "- and + are the first and last IDs except where an ID must be strict" {
                Expect.equal (parse "-" 0UL false false) (ValueSome { Id = StreamId.zero; SeqGiven = true }) "-"
                Expect.equal (parse "+" 0UL false false) (ValueSome { Id = StreamId.max; SeqGiven = true }) "+"
                Expect.equal (parse "-" 0UL true false) ValueNone "strict -"
                Expect.equal (parse "+" 0UL true false) ValueNone "strict +"
            }

            test "numbers read as Redis's string2ull reads them (strtoull after string2ll)" {
                let ok s = (parse s 0UL true false).Value.Id
                Expect.equal (ok "011") (id 11UL 0UL) "leading zeros"
                Expect.equal (ok "+12") (id 12UL 0UL) "a plus sign"
                Expect.equal (ok " 1") (id 1UL 0UL) "leading space"
                Expect.equal (ok "13-+1") (id 13UL 1UL) "a signed sequence"
                Expect.equal (ok "5--0") (id 5UL 0UL) "\"-0\" is zero for strtoull"
                Expect.equal (ok "7--18446744073709551615") (id 7UL 1UL) "strtoull negates modulo 2^64"
                Expect.equal (ok "18446744073709551615") (id UInt64.MaxValue 0UL) "the largest ms"
                Expect.equal (ok "5\000junk") (id 5UL 0UL) "a C string ends at NUL"

                for bad in
                    [
                        "-1"
                        "-0"
                        "1-"
                        ""
                        "x"
                        "1-x"
                        "18446744073709551616"
                        "1-18446744073709551616"
                        "1 "
                        "0x10"
                        String('1', 128)
                    ] do
                    Expect.equal (parse bad 0UL true false) ValueNone bad
            }
        ]

// ---- XADD's IDs ------------------------------------------------------------------------------------

type private Request =
    | Auto
    | Explicit of ms: uint64 * seq: uint64
    | MsStar of ms: uint64

let private genRequest =
    let small = Gen.choose (0, 6) |> Gen.map uint64

    Gen.frequency
        [
            2, Gen.constant Auto
            4, Gen.map2 (fun m s -> Explicit(m, s)) small small
            4, Gen.map MsStar small
            1, Gen.constant (Explicit(3UL, UInt64.MaxValue))
        ]

/// Redis's rules for the next ID (streamNextID, streamAppendItem), on a plain last ID.
let private modelNext (now: uint64) (last: StreamId) (r: Request) =
    let candidate =
        match r with
        | Auto ->
            if now > last.Ms then
                ValueSome(id now 0UL)
            elif last.Seq = UInt64.MaxValue then
                ValueSome(id (last.Ms + 1UL) 0UL)
            else
                ValueSome(id last.Ms (last.Seq + 1UL))
        | Explicit(m, s) -> ValueSome(id m s)
        | MsStar m when m = last.Ms ->
            if last.Seq = UInt64.MaxValue then
                ValueNone
            else
                ValueSome(id m (last.Seq + 1UL))
        | MsStar m -> ValueSome(id m 0UL)

    match candidate with
    | ValueSome c when big c > big last -> ValueSome c
    | _ -> ValueNone

let private addTests =
    testList
        "XADD ids"
        [
            testPropertyWithConfig config "an added ID is always greater than the last, as Redis picks it"
            <| Prop.forAll (Arb.fromGen (Gen.listOf genRequest)) (fun rs ->
                let mutable s = RedisStream.empty
                let owner = obj ()

                for r in rs do
                    let requested =
                        match r with
                        | Auto -> ValueNone
                        | Explicit(m, q) -> ValueSome { Id = id m q; SeqGiven = true }
                        | MsStar m -> ValueSome { Id = id m 0UL; SeqGiven = false }

                    let expected = modelNext 4UL s.LastId r
                    let actual = RedisStream.nextId 4L requested s
                    Expect.equal actual expected (sprintf "%A after %s" r (StreamId.toString s.LastId))

                    match actual with
                    | ValueSome x -> s <- RedisStream.add owner RedisStream.defaultLimits x [| "f"B; "v"B |] s
                    | ValueNone -> ()

                let ids = Tree.toArray s.Entries |> Array.map (fun e -> big e.Id)
                Expect.equal ids (Array.sort (Array.distinct ids)) "strictly ascending"
                Expect.equal s.EntriesAdded (int64 ids.Length) "entries added")
        ]

// ---- Trimming -----------------------------------------------------------------------------------

/// A stream of n entries 1-0 .. n-0 with node limits, then the given deletions.
let private build (owner: obj) (maxEntries: int) (n: int) (deletes: int list) =
    let limits =
        {
            MaxBytes = 0L
            MaxEntries = int64 maxEntries
        }

    let mutable s = RedisStream.empty

    for i in 1..n do
        s <- RedisStream.add owner limits (id (uint64 i) 0UL) [| "f"B; Numbers.formatInt64 (int64 i) |] s

    let struct (s, _) =
        RedisStream.delete owner (deletes |> List.map (fun d -> id (uint64 d) 0UL) |> Array.ofList) s

    s

let private ms (s: RedisStream) =
    Tree.toArray s.Entries |> Array.map (fun e -> int e.Id.Ms) |> List.ofArray

/// The node index agrees with the entries: live counts add up, no node holds more than the limit,
/// master IDs ascend and each entry lies in its node's range.
let private checkNodes (maxEntries: int) (s: RedisStream) =
    let nodes = Tree.toArray s.Nodes
    Expect.equal (nodes |> Array.sumBy (fun n -> n.Live)) (RedisStream.length s) "live counts add up to the length"

    for n in nodes do
        Expect.isLessThanOrEqual (n.Live + n.Deleted) maxEntries "a node holds at most stream-node-max-entries"
        Expect.isLessThanOrEqual (StreamId.compare n.MasterId n.LastId) 0 "master <= last"

    for i in 1 .. nodes.Length - 1 do
        Expect.isGreaterThan (StreamId.compare nodes[i].MasterId nodes[i - 1].LastId) 0 "nodes ascend"

let private genTrimCase =
    gen {
        let! maxEntries = Gen.choose (1, 8)
        let! n = Gen.choose (0, 60)
        let! deletes = Gen.listOf (Gen.choose (1, max 1 n))
        let! threshold = Gen.choose (0, n + 3)
        let! limit = Gen.frequency [ 3, Gen.constant 0; 1, Gen.choose (1, 20) ]
        return maxEntries, n, deletes, threshold, limit
    }

let private trimTests =
    testList
        "trimming"
        [
            testProperty "exact MAXLEN keeps the newest n entries, exact MINID those at or after the ID"
            <| Prop.forAll (Arb.fromGen genTrimCase) (fun (maxEntries, n, deletes, threshold, _) ->
                let owner = obj ()
                let s = build owner maxEntries n deletes
                let live = ms s
                checkNodes maxEntries s

                let struct (t, removed) =
                    RedisStream.trim owner (StreamTrim.MaxLen(int64 threshold)) false 0L s

                let expected = live |> List.skip (max 0 (live.Length - threshold))

                Expect.equal (ms t) expected "MAXLEN"
                Expect.equal removed (int64 (live.Length - expected.Length)) "removed count"
                checkNodes maxEntries t

                let s = build owner maxEntries n deletes

                let struct (t, removed) =
                    RedisStream.trim owner (StreamTrim.MinId(id (uint64 threshold) 0UL)) false 0L s

                let expected = live |> List.filter (fun m -> m >= threshold)
                Expect.equal (ms t) expected "MINID"
                Expect.equal removed (int64 (live.Length - expected.Length)) "removed count"
                checkNodes maxEntries t)

            testProperty "~ removes whole nodes from the front: never more than exact, less than a node more"
            <| Prop.forAll (Arb.fromGen genTrimCase) (fun (maxEntries, n, deletes, threshold, limit) ->
                let owner = obj ()
                let s = build owner maxEntries n deletes
                let live = ms s
                let exact = live |> List.skip (max 0 (live.Length - threshold))

                let struct (t, removed) =
                    RedisStream.trim owner (StreamTrim.MaxLen(int64 threshold)) true (int64 limit) s

                let kept = ms t
                Expect.equal kept (live |> List.skip (live.Length - kept.Length)) "a suffix stays"
                Expect.isGreaterThanOrEqual kept.Length exact.Length "never trims more than exact"
                Expect.equal removed (int64 (live.Length - kept.Length)) "removed count"

                if limit = 0 && live.Length > threshold then
                    Expect.isLessThan kept.Length (threshold + maxEntries) "at most a node's worth more than exact"

                if limit > 0 then
                    Expect.isLessThanOrEqual removed (int64 limit) "LIMIT caps the entries removed"

                // What ~ removed is whole nodes: the first entry left starts a node (or nothing is left).
                match kept, Tree.toArray t.Nodes with
                | first :: _, nodes when removed > 0L ->
                    Expect.isTrue
                        (nodes[0].MasterId.Ms <= uint64 first)
                        "the first node is intact (its master is at or before the first entry)"
                | _ -> ()

                checkNodes maxEntries t)

            testProperty "~ MINID keeps every entry at or after the ID, and of the older ones only a node's worth"
            <| Prop.forAll (Arb.fromGen genTrimCase) (fun (maxEntries, n, deletes, threshold, _) ->
                let owner = obj ()
                let s = build owner maxEntries n deletes
                let live = ms s

                let struct (t, _) =
                    RedisStream.trim owner (StreamTrim.MinId(id (uint64 threshold) 0UL)) true 0L s

                let kept = ms t
                Expect.equal kept (live |> List.skip (live.Length - kept.Length)) "a suffix stays"
                Expect.containsAll kept (live |> List.filter (fun m -> m >= threshold)) "newer entries stay"

                Expect.isLessThan
                    (kept |> List.filter (fun m -> m < threshold) |> List.length)
                    maxEntries
                    "older entries only in the first node"

                checkNodes maxEntries t)

            testProperty "XDEL removes exactly the IDs present and raises the highest deleted ID"
            <| Prop.forAll (Arb.fromGen genTrimCase) (fun (maxEntries, n, deletes, _, _) ->
                let owner = obj ()
                let s = build owner maxEntries n []
                let t = build owner maxEntries n deletes
                let expected = [ 1..n ] |> List.filter (fun m -> not (List.contains m deletes))
                Expect.equal (ms t) expected "entries"
                checkNodes maxEntries t

                let highest =
                    if deletes.IsEmpty || n = 0 then
                        0UL
                    else
                        uint64 (List.max deletes)

                Expect.equal t.MaxDeletedId (id highest 0UL) "max deleted ID"
                ignore s)
        ]

// ---- Consumer groups against a model --------------------------------------------------------------

let private ctxAt (now: int64) =
    {
        NowMs = now
        NowUs = now * 1000L
        Seed = 1UL
        Host = CoolCache.Core.Tests.TestHost.none
        IsLocal = true
        Events = true
    }

/// The wait requests among a step's effects.
let private blocks (r: StepResult) =
    r.Effects
    |> Array.choose (function
        | Effect.Block b -> Some b
        | _ -> None)

/// Commands run end to end through the engine, on a clock the test moves.
type private Client(proto: int) =
    let mutable world = World.create Config.defaults
    let mutable now = 1000L

    let session =
        { Api.NewSession 1L with
            Protocol = proto
        }

    member _.World
        with get () = world
        and set w = world <- w

    member _.Now
        with get () = now
        and set v = now <- v

    member _.Exec(argv: string list) =
        let r =
            Api.Execute(ctxAt now, session, argv |> List.map Bytes.ofLatin1 |> Array.ofList, world)

        world <- r.World
        r

    /// Run a command given as bytes (a waiter's rewritten command) without keeping its World.
    member _.Try(argv: Bytes[]) =
        Api.Execute(ctxAt now, session, argv, world)

    /// The reply as RESP text.
    member this.Run(argv: string list) =
        Bytes.toLatin1 (RespWriter.toBytes proto (this.Exec argv).Reply)

    member _.Stream(key: string) =
        match Keyspace.Db.tryGet now (Bytes.ofLatin1 key) (World.db 0 world) with
        | ValueSome(Value.Stream s) -> s
        | _ -> failwithf "no stream at %s" key

type private GroupOp =
    | Add
    | ReadNew of consumer: int * count: int * noack: bool
    | ReadHistory of consumer: int
    | Ack of entry: int
    | Claim of consumer: int * entry: int
    | AutoClaim of consumer: int * count: int
    | DelConsumer of consumer: int
    | Delete of entry: int
    | Rewind

let private genGroupOp =
    let c = Gen.choose (0, 2)
    let e = Gen.choose (1, 12)

    Gen.frequency
        [
            5, Gen.constant Add
            5,
            Gen.map3
                (fun c n a -> ReadNew(c, n, a))
                c
                (Gen.choose (0, 3))
                (Gen.frequency [ 4, Gen.constant false; 1, Gen.constant true ])
            2, Gen.map ReadHistory c
            3, Gen.map Ack e
            3, Gen.map2 (fun c e -> Claim(c, e)) c e
            2, Gen.map2 (fun c n -> AutoClaim(c, n)) c (Gen.choose (1, 4))
            1, Gen.map DelConsumer c
            2, Gen.map Delete e
            1, Gen.constant Rewind
        ]

/// The model: entries present, the group's last delivered entry, the PEL (entry -> consumer,
/// deliveries) and the consumers that exist.
type private GroupModel =
    {
        Entries: Set<int>
        Added: int
        Last: int
        Pel: Map<int, string * int64>
        Consumers: Set<string>
    }

let private consumerName (i: int) = [| "alice"; "bob"; "carol" |][i]

let private step (m: GroupModel) (op: GroupOp) : GroupModel =
    match op with
    | Add ->
        { m with
            Entries = m.Entries.Add(m.Added + 1)
            Added = m.Added + 1
        }
    | ReadNew(c, count, noack) ->
        let fresh = m.Entries |> Seq.filter (fun e -> e > m.Last) |> List.ofSeq

        if fresh.IsEmpty then
            m
        else
            let taken = if count = 0 then fresh else List.truncate count fresh
            let name = consumerName c

            { m with
                Last = List.last taken
                Consumers = m.Consumers.Add name
                Pel =
                    if noack then
                        m.Pel
                    else
                        taken |> List.fold (fun pel e -> Map.add e (name, 1L) pel) m.Pel
            }
    | ReadHistory c ->
        let name = consumerName c

        { m with
            Consumers = m.Consumers.Add name
            Pel =
                m.Pel
                |> Map.map (fun e (owner, n) ->
                    if owner = name && m.Entries.Contains e then
                        (owner, n + 1L)
                    else
                        (owner, n))
        }
    | Ack e -> { m with Pel = m.Pel.Remove e }
    | Claim(c, e) ->
        match m.Pel.TryFind e with
        | Some _ when not (m.Entries.Contains e) -> { m with Pel = m.Pel.Remove e }
        | Some(_, n) ->
            let name = consumerName c

            { m with
                Pel = m.Pel.Add(e, (name, n + 1L))
                Consumers = m.Consumers.Add name
            }
        | None -> m
    | AutoClaim(c, count) ->
        let name = consumerName c
        let examined = m.Pel |> Map.toList |> List.truncate count

        examined
        |> List.fold
            (fun (m: GroupModel) (e, (_, n)) ->
                if m.Entries.Contains e then
                    { m with
                        Pel = m.Pel.Add(e, (name, n + 1L))
                        Consumers = m.Consumers.Add name
                    }
                else
                    { m with Pel = m.Pel.Remove e })
            m
    | DelConsumer c ->
        let name = consumerName c

        { m with
            Consumers = m.Consumers.Remove name
            Pel = m.Pel |> Map.filter (fun _ (owner, _) -> owner <> name)
        }
    | Delete e -> { m with Entries = m.Entries.Remove e }
    | Rewind -> { m with Last = 0 }

let private command (m: GroupModel) (op: GroupOp) =
    let entryId (e: int) = sprintf "%d-0" e

    match op with
    | Add -> [ "XADD"; "s"; entryId (m.Added + 1); "f"; string (m.Added + 1) ]
    | ReadNew(c, count, noack) ->
        [ "XREADGROUP"; "GROUP"; "g"; consumerName c ]
        @ (if count > 0 then [ "COUNT"; string count ] else [])
        @ (if noack then [ "NOACK" ] else [])
        @ [ "STREAMS"; "s"; ">" ]
    | ReadHistory c -> [ "XREADGROUP"; "GROUP"; "g"; consumerName c; "STREAMS"; "s"; "0" ]
    | Ack e -> [ "XACK"; "s"; "g"; entryId e ]
    | Claim(c, e) -> [ "XCLAIM"; "s"; "g"; consumerName c; "0"; entryId e ]
    | AutoClaim(c, n) -> [ "XAUTOCLAIM"; "s"; "g"; consumerName c; "0"; "0"; "COUNT"; string n ]
    | DelConsumer c -> [ "XGROUP"; "DELCONSUMER"; "s"; "g"; consumerName c ]
    | Delete e -> [ "XDEL"; "s"; entryId e ]
    | Rewind -> [ "XGROUP"; "SETID"; "s"; "g"; "0" ]

/// The group in the World agrees with the model, and its PELs with each other.
let private checkGroup (m: GroupModel) (s: RedisStream) (context: string) =
    let g = (StreamGroups.tryGroup "g"B s).Value

    let pel =
        Tree.toArray g.Pel
        |> Array.map (fun p -> int p.Id.Ms, (Bytes.toLatin1 p.Consumer, p.DeliveryCount))
        |> Map.ofArray

    Expect.equal pel m.Pel (context + ": the group PEL")

    let consumers = g.Consumers |> Seq.map (fun c -> Bytes.toLatin1 c.Name) |> Set.ofSeq
    Expect.equal consumers m.Consumers (context + ": the consumers")

    for c in g.Consumers do
        let own = c.Pending |> Seq.map (fun x -> int x.Ms) |> Set.ofSeq

        let expected =
            m.Pel
            |> Map.filter (fun _ (owner, _) -> owner = Bytes.toLatin1 c.Name)
            |> Map.keys
            |> Set.ofSeq

        Expect.equal own expected (context + ": the consumer's PEL is its part of the group PEL")

    Expect.equal (int g.LastId.Ms) m.Last (context + ": last delivered ID")

let private groupTests =
    testList
        "consumer groups"
        [
            testPropertyWithConfig config "group and consumer PELs follow a model of deliveries, acks and claims"
            <| Prop.forAll (Arb.fromGen (Gen.listOf genGroupOp)) (fun ops ->
                let c = Client 2
                c.Run [ "XGROUP"; "CREATE"; "s"; "g"; "0"; "MKSTREAM" ] |> ignore

                let mutable m =
                    {
                        Entries = Set.empty
                        Added = 0
                        Last = 0
                        Pel = Map.empty
                        Consumers = Set.empty
                    }

                for op in ops do
                    let argv = command m op
                    let reply = c.Run argv
                    Expect.isFalse (reply.StartsWith "-") (sprintf "%A answered %s" argv reply)
                    m <- step m op
                    checkGroup m (c.Stream "s") (sprintf "%A" op))
        ]

// ---- Examples -------------------------------------------------------------------------------------

let private bulk (s: string) = sprintf "$%d\r\n%s\r\n" s.Length s

let private exampleTests =
    testList
        "examples"
        [
            test "XADD with * takes the clock and never goes back: the same ms counts up the sequence" {
                let c = Client 2
                Expect.equal (c.Run [ "XADD"; "s"; "*"; "f"; "v" ]) (bulk "1000-0") "the clock"
                Expect.equal (c.Run [ "XADD"; "s"; "*"; "f"; "v" ]) (bulk "1000-1") "same ms"
                Expect.equal (c.Run [ "XADD"; "s"; "5000-*"; "f"; "v" ]) (bulk "5000-0") "<ms>-*"
                Expect.equal (c.Run [ "XADD"; "s"; "*"; "f"; "v" ]) (bulk "5000-1") "the clock is behind"
                c.Now <- 9000L
                Expect.equal (c.Run [ "XADD"; "s"; "*"; "f"; "v" ]) (bulk "9000-0") "the clock moved"
            }

            test "XADD answers the top-item error for an ID not greater, and 0-0 is never an ID" {
                let c = Client 2
                c.Run [ "XADD"; "s"; "5-5"; "f"; "v" ] |> ignore

                Expect.equal
                    (c.Run [ "XADD"; "s"; "5-5"; "f"; "v" ])
                    "-ERR The ID specified in XADD is equal or smaller than the target stream top item\r\n"
                    "equal"

                Expect.equal
                    (c.Run [ "XADD"; "t"; "0-0"; "f"; "v" ])
                    "-ERR The ID specified in XADD must be greater than 0-0\r\n"
                    "0-0"

                Expect.equal (c.Run [ "EXISTS"; "t" ]) ":0\r\n" "no key made"
                Expect.equal (c.Run [ "XADD"; "t"; "0-*"; "f"; "v" ]) (bulk "0-1") "0-* is 0-1"
            }

            test "XADD <ms>-* after <ms>-<last sequence> answers Redis's errno-dependent error as with a fresh errno" {
                let c = Client 2
                c.Run [ "XADD"; "s"; "5-18446744073709551615"; "f"; "v" ] |> ignore

                Expect.equal
                    (c.Run [ "XADD"; "s"; "5-*"; "f"; "v" ])
                    "-ERR Elements are too large to be stored\r\n"
                    "5-*"

                c.Now <- 3L
                Expect.equal (c.Run [ "XADD"; "s"; "*"; "f"; "v" ]) (bulk "6-0") "* goes on to the next ms"

                c.Run [ "XADD"; "s"; "18446744073709551615-18446744073709551615"; "f"; "v" ]
                |> ignore

                Expect.equal
                    (c.Run [ "XADD"; "s"; "*"; "f"; "v" ])
                    "-ERR The stream has exhausted the last possible ID, unable to add more items\r\n"
                    "exhausted"
            }

            test "an emptied stream stays a key of type stream" {
                let c = Client 2
                c.Run [ "XADD"; "s"; "1-1"; "f"; "v" ] |> ignore
                Expect.equal (c.Run [ "XDEL"; "s"; "1-1" ]) ":1\r\n" "deleted"
                Expect.equal (c.Run [ "XLEN"; "s" ]) ":0\r\n" "empty"
                Expect.equal (c.Run [ "TYPE"; "s" ]) "+stream\r\n" "still a stream"
                Expect.equal (c.Run [ "OBJECT"; "ENCODING"; "s" ]) (bulk "stream") "encoding"
            }

            test "XTRIM ~ removes whole 100-entry nodes only, as Redis packs them" {
                let c = Client 2

                for i in 1..250 do
                    c.Run [ "XADD"; "s"; sprintf "%d-1" i; "f"; "v" ] |> ignore

                Expect.equal (c.Run [ "XTRIM"; "s"; "MAXLEN"; "~"; "120" ]) ":100\r\n" "one node of 100"
                Expect.equal (c.Run [ "XLEN"; "s" ]) ":150\r\n" "150 left"
                Expect.equal (c.Run [ "XTRIM"; "s"; "MAXLEN"; "120" ]) ":30\r\n" "exact"
                Expect.stringContains (c.Run [ "XINFO"; "STREAM"; "s" ]) "radix-tree-keys\r\n:2\r\n" "two nodes"
            }

            test "XREAD answers a map in RESP3 and [key, entries] pairs in RESP2" {
                for proto in [ 2; 3 ] do
                    let c = Client proto
                    c.Run [ "XADD"; "s"; "1-1"; "f"; "v" ] |> ignore
                    let reply = c.Run [ "XREAD"; "STREAMS"; "s"; "0" ]
                    let head = if proto = 3 then "%1\r\n" else "*1\r\n*2\r\n"

                    Expect.equal
                        reply
                        (head + bulk "s" + "*1\r\n*2\r\n" + bulk "1-1" + "*2\r\n" + bulk "f" + bulk "v")
                        "shape"

                    Expect.equal
                        (c.Run [ "XREAD"; "STREAMS"; "s"; "1-1" ])
                        (if proto = 3 then "_\r\n" else "*-1\r\n")
                        "none"
            }

            test "XREAD BLOCK asks the host to run it again with $ resolved and Redis's COUNT for waiters" {
                let c = Client 2
                c.Run [ "XADD"; "s"; "7-3"; "f"; "v" ] |> ignore
                let r = c.Exec [ "XREAD"; "BLOCK"; "0"; "STREAMS"; "s"; "t"; "$"; "$" ]

                match blocks r with
                | [| request |] ->
                    Expect.equal request.Type "stream" "woken by streams"
                    Expect.equal request.TimeoutReply RespValue.NullArray "null array on timeout"

                    Expect.equal
                        (request.Argv |> Array.map Bytes.toLatin1 |> List.ofArray)
                        [ "XREAD"; "COUNT"; "1000"; "STREAMS"; "s"; "t"; "7-3"; "0-0" ]
                        "the rewritten command"
                | other -> failtestf "expected one Block effect, got %A" other
            }

            test "XREADGROUP BLOCK waits for any write, so that a deleted key or group ends the wait" {
                let c = Client 2
                c.Run [ "XGROUP"; "CREATE"; "s"; "g"; "$"; "MKSTREAM" ] |> ignore

                let r =
                    c.Exec [ "XREADGROUP"; "GROUP"; "g"; "c"; "BLOCK"; "100"; "STREAMS"; "s"; ">" ]

                match blocks r with
                | [| request |] ->
                    Expect.equal request.Type "" "any write"
                    Expect.equal request.DeadlineMs 1100L "deadline"
                    // The waiter's command keeps waiting, then is refused once the group is gone.
                    let rerun = request.Argv |> Array.map Bytes.toLatin1 |> List.ofArray
                    Expect.equal (rerun |> List.take 4) [ "XREADGROUP"; "GROUP"; "g"; "c" ] "the group and consumer"
                    Expect.equal (blocks (c.Try request.Argv)).Length 1 "still waiting"
                    c.Run [ "XGROUP"; "DESTROY"; "s"; "g" ] |> ignore
                    let served = c.Try request.Argv

                    Expect.equal
                        served.Reply
                        (RespValue.Error "NOGROUP the consumer group this client was blocked on no longer exists")
                        "NOGROUP"

                    Expect.equal
                        (c.Run [ "XREADGROUP"; "GROUP"; "g"; "c"; "STREAMS"; "s"; ">" ])
                        "-NOGROUP No such key 's' or consumer group 'g' in XREADGROUP with GROUP option\r\n"
                        "a client's own XREADGROUP has the other text"
                | other -> failtestf "expected one Block effect, got %A" other
            }

            test "stream commands report Redis 7.0's keyspace events, in order (observed on redis-server)" {
                let c = Client 2

                let events (argv: string list) =
                    (c.Exec argv).Effects
                    |> Array.choose (function
                        | Effect.Notify e -> Some(e.Event + " " + Bytes.toLatin1 e.Key)
                        | _ -> None)
                    |> List.ofArray

                Expect.equal (events [ "XADD"; "s"; "1-1"; "a"; "1" ]) [ "new s"; "xadd s" ] "XADD creating"
                events [ "XADD"; "s"; "2-1"; "a"; "2" ] |> ignore

                Expect.equal
                    (events [ "XADD"; "s"; "MAXLEN"; "1"; "3-1"; "a"; "3" ])
                    [ "xadd s"; "xtrim s" ]
                    "XADD trimming"

                Expect.equal (events [ "XTRIM"; "s"; "MAXLEN"; "5" ]) [] "XTRIM removing nothing"
                Expect.equal (events [ "XDEL"; "s"; "9-9" ]) [] "XDEL of nothing"
                Expect.equal (events [ "XDEL"; "s"; "3-1" ]) [ "xdel s" ] "XDEL"
                events [ "XADD"; "s"; "5-1"; "a"; "5" ] |> ignore
                Expect.equal (events [ "XGROUP"; "CREATE"; "s"; "g"; "0" ]) [ "xgroup-create s" ] "XGROUP CREATE"

                Expect.equal
                    (events [ "XGROUP"; "CREATE"; "s2"; "g"; "$"; "MKSTREAM" ])
                    [ "new s2"; "xgroup-create s2" ]
                    "MKSTREAM"

                Expect.equal
                    (events [ "XGROUP"; "CREATECONSUMER"; "s"; "g"; "c" ])
                    [ "xgroup-createconsumer s" ]
                    "CREATECONSUMER"

                Expect.equal (events [ "XGROUP"; "CREATECONSUMER"; "s"; "g"; "c" ]) [] "an existing consumer"

                Expect.equal
                    (events [ "XREADGROUP"; "GROUP"; "g"; "c2"; "STREAMS"; "s"; ">" ])
                    [ "xgroup-createconsumer s" ]
                    "XREADGROUP creating its consumer"

                Expect.equal (events [ "XREADGROUP"; "GROUP"; "g"; "c4"; "STREAMS"; "s"; ">" ]) [] "nothing to serve"
                Expect.equal (events [ "XCLAIM"; "s"; "g"; "c5"; "0"; "5-1" ]) [ "xgroup-createconsumer s" ] "XCLAIM"
                Expect.equal (events [ "XACK"; "s"; "g"; "5-1" ]) [] "XACK"
                Expect.equal (events [ "XGROUP"; "SETID"; "s"; "g"; "0" ]) [ "xgroup-setid s" ] "SETID"

                Expect.equal
                    (events [ "XGROUP"; "DELCONSUMER"; "s"; "g"; "c" ])
                    [ "xgroup-delconsumer s" ]
                    "DELCONSUMER"

                Expect.equal (events [ "XGROUP"; "DELCONSUMER"; "s"; "g"; "nobody" ]) [] "no such consumer"
                Expect.equal (events [ "XGROUP"; "DESTROY"; "s"; "g" ]) [ "xgroup-destroy s" ] "DESTROY"
                Expect.equal (events [ "XSETID"; "s"; "9-9" ]) [ "xsetid s" ] "XSETID"
                Expect.equal (events [ "XADD"; "nos"; "NOMKSTREAM"; "1-1"; "a"; "1" ]) [] "NOMKSTREAM"

                Expect.equal
                    (events [ "XREAD"; "STREAMS"; "a3"; "a4"; "0"; "0" ])
                    [ "keymiss a3"; "keymiss a4"; "keymiss a3"; "keymiss a4" ]
                    "XREAD looks its keys up twice"

                Expect.equal (events [ "XREAD"; "STREAMS"; "a11"; "x" ]) [ "keymiss a11" ] "XREAD stopped by an ID"
                Expect.equal (events [ "XLEN"; "a1" ]) [ "keymiss a1" ] "XLEN"
                Expect.equal (events [ "XINFO"; "STREAM"; "a5" ]) [ "keymiss a5" ] "XINFO"
                Expect.equal (events [ "XPENDING"; "a6"; "g" ]) [ "keymiss a6" ] "XPENDING"
                Expect.equal (events [ "XAUTOCLAIM"; "a9"; "g"; "c"; "0"; "0" ]) [ "keymiss a9" ] "XAUTOCLAIM"

                Expect.equal
                    (events [ "XREADGROUP"; "GROUP"; "g"; "c"; "STREAMS"; "a10"; ">" ])
                    [ "keymiss a10" ]
                    "XREADGROUP"

                Expect.equal (events [ "XDEL"; "b2"; "1" ]) [] "writes do not miss"
            }

            test "XPENDING of an empty PEL answers 0, nil, nil and a null array" {
                let c = Client 2
                c.Run [ "XGROUP"; "CREATE"; "s"; "g"; "$"; "MKSTREAM" ] |> ignore
                Expect.equal (c.Run [ "XPENDING"; "s"; "g" ]) "*4\r\n:0\r\n$-1\r\n$-1\r\n*-1\r\n" "summary"
            }

            test "lag is known until a deletion falls in the part the group has not read" {
                let c = Client 2

                for i in 1..5 do
                    c.Run [ "XADD"; "s"; sprintf "%d-0" i; "f"; "v" ] |> ignore

                c.Run [ "XGROUP"; "CREATE"; "s"; "g"; "0" ] |> ignore

                c.Run [ "XREADGROUP"; "GROUP"; "g"; "c"; "COUNT"; "2"; "STREAMS"; "s"; ">" ]
                |> ignore

                let g () =
                    (StreamGroups.tryGroup "g"B (c.Stream "s")).Value

                Expect.equal (RedisStream.lag (g ()) (c.Stream "s")) (ValueSome 3L) "3 to read"
                c.Run [ "XDEL"; "s"; "1-0" ] |> ignore
                Expect.equal (RedisStream.lag (g ()) (c.Stream "s")) (ValueSome 3L) "a read entry deleted"
                c.Run [ "XDEL"; "s"; "4-0" ] |> ignore
                Expect.equal (RedisStream.lag (g ()) (c.Stream "s")) ValueNone "a tombstone ahead"
                c.Run [ "XREADGROUP"; "GROUP"; "g"; "c"; "STREAMS"; "s"; ">" ] |> ignore
                Expect.equal (RedisStream.lag (g ()) (c.Stream "s")) (ValueSome 0L) "all read"
                Expect.equal (g ()).EntriesRead 5L "the last entry's counter is entries-added"
            }

            test "XAUTOCLAIM reports entries deleted from the stream and drops them from the PEL" {
                let c = Client 2

                for i in 1..3 do
                    c.Run [ "XADD"; "s"; sprintf "%d-0" i; "f"; "v" ] |> ignore

                c.Run [ "XGROUP"; "CREATE"; "s"; "g"; "0" ] |> ignore
                c.Run [ "XREADGROUP"; "GROUP"; "g"; "a"; "STREAMS"; "s"; ">" ] |> ignore
                c.Run [ "XDEL"; "s"; "2-0" ] |> ignore

                Expect.equal
                    (c.Run [ "XAUTOCLAIM"; "s"; "g"; "b"; "0"; "0"; "COUNT"; "2"; "JUSTID" ])
                    ("*3\r\n" + bulk "3-0" + "*1\r\n" + bulk "1-0" + "*1\r\n" + bulk "2-0")
                    "cursor, claimed, deleted"

                Expect.equal
                    (c.Run [ "XPENDING"; "s"; "g" ])
                    ("*4\r\n:2\r\n"
                     + bulk "1-0"
                     + bulk "3-0"
                     + "*2\r\n*2\r\n"
                     + bulk "a"
                     + bulk "1"
                     + "*2\r\n"
                     + bulk "b"
                     + bulk "1")
                    "PEL"
            }

            test "COPY of a stream and a frozen World are unaffected by later XADDs (owned edits)" {
                let c = Client 2

                for i in 1..50 do
                    c.Run [ "XADD"; "s"; sprintf "%d-0" i; "f"; "v" ] |> ignore

                c.Run [ "COPY"; "s"; "t" ] |> ignore
                let struct (frozen, live) = World.freeze c.World
                c.World <- live

                let before =
                    match Keyspace.Db.tryGet 0L "s"B (World.db 0 frozen) with
                    | ValueSome(Value.Stream s) -> s
                    | _ -> failwith "no stream"

                for i in 51..120 do
                    c.Run [ "XADD"; "t"; sprintf "%d-0" i; "f"; "v" ] |> ignore
                    c.Run [ "XADD"; "s"; sprintf "%d-0" i; "f"; "v" ] |> ignore

                Expect.equal (c.Run [ "XLEN"; "t" ]) ":120\r\n" "the copy grew"
                Expect.equal (c.Run [ "XLEN"; "s" ]) ":120\r\n" "the source grew on its own"
                Expect.equal (RedisStream.length before) 50 "the snapshot keeps its length"
                Expect.equal before.Entries.Count (Tree.toArray before.Entries).Length "and its tree"
            }
        ]

let tests =
    testList "RedisStream" [ idTests; addTests; trimTests; groupTests; exampleTests ]
