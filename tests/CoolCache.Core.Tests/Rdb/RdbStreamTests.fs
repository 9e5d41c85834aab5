/// Streams in RDB records and DUMP payloads: every part of a stream a command can observe (entries,
/// listpack nodes with their sizes and deleted counts, IDs and counters, groups, PELs, consumers) comes
/// back from the RDB encoding as it went in, for types 19 (what we write), 21 (Redis 7.2) and 15
/// (Redis 5 to 6.2, whose missing history is estimated as Redis does); bad records are refused.
module CoolCache.Core.Tests.Rdb.RdbStreamTests

open System
open System.Buffers.Binary
open System.IO
open Expecto
open FsCheck
open FsCheck.FSharp
open CoolCache.Core
open CoolCache.Core.Values
open CoolCache.Core.Keyspace
open CoolCache.Core.State
open CoolCache.Core.Commands
open CoolCache.Core.Rdb

let private b (s: string) = Bytes.ofLatin1 s
let private str (x: Bytes) = Bytes.toLatin1 x
let private id (x: StreamId) = StreamId.toString x

/// Items of contents that hold a time (delivery, seen): they start with "time ".
let isTime (item: string) = item.StartsWith "time "

/// Every observable part of a stream, in order, one string per part; times as separate "time " items.
let contents (s: RedisStream) : string list =
    [
        $"length {RedisStream.length s} last {id s.LastId} first {id (RedisStream.firstId s)}"
        $"max-deleted {id s.MaxDeletedId} added {s.EntriesAdded}"
        for e in s.Entries do
            let fields = e.Fields |> Array.map str |> String.concat ","
            $"entry {id e.Id} {fields}"
        for n in s.Nodes do
            let fields =
                n.Master
                |> Array.indexed
                |> Array.filter (fun (k, _) -> k % 2 = 0)
                |> Array.map (snd >> str)
                |> String.concat ","

            $"node {id n.MasterId} [{fields}] last {id n.LastId} live {n.Live} deleted {n.Deleted} body {n.Body}"
        for g in s.Groups do
            $"group {str g.Name} last {id g.LastId} read {g.EntriesRead}"

            for p in g.Pel do
                $"pending {id p.Id} {str p.Consumer} count {p.DeliveryCount}"
                $"time delivery {id p.Id} {p.DeliveryTime}"

            for c in g.Consumers do
                let ids = c.Pending |> Seq.map id |> String.concat ","
                $"consumer {str c.Name} [{ids}]"
                $"time seen {str c.Name} {c.SeenTime}"
    ]

let private ctx =
    {
        NowMs = 1_000_000L
        NowUs = 1_000_000_000L
        Seed = 7UL
        Host = CoolCache.Core.Tests.TestHost.none
        IsLocal = true
        Events = false
    }

/// Runs commands (failures are fine: they change nothing) in a fresh World with these node limits.
let build (config: Config) (commands: string list list) =
    let s = Api.NewSession 1L

    commands
    |> List.fold (fun w c -> (Api.Execute(ctx, s, c |> List.map b |> Array.ofList, w)).World) (World.create config)

let private streamOf (w: World) =
    match Db.tryGet 0L (b "s") (World.db 0 w) with
    | ValueSome(Value.Stream s) -> s
    | other -> failwithf "no stream: %A" other

// ---- generators ----------------------------------------------------------------------------------

let private value: Gen<string> =
    Gen.frequency
        [
            4, Gen.elements [ "v"; ""; "hello world"; "\000\r\n" ]
            3, Gen.choose (-100000, 100000) |> Gen.map string
            1, Gen.elements [ "9223372036854775807"; "-9223372036854775808"; "007"; "-4096"; "4095"; "127" ]
            1, Gen.choose (60, 300) |> Gen.map (fun n -> String('z', n))
        ]

let private field = Gen.elements [ "f"; "g"; "h"; "1"; "" ]
let private group = Gen.elements [ "g1"; "g2"; "grp" ]
let private consumer = Gen.elements [ "alice"; "bob"; "7"; "" ]

/// An ID near the ones XADD * makes at ctx's clock (1000000-0, 1000000-1, ...) or a later one.
let private nearId =
    Gen.oneof
        [
            Gen.zip (Gen.elements [ 1000000; 2000000 ]) (Gen.choose (0, 25))
            |> Gen.map (fun (ms, n) -> sprintf "%d-%d" ms n)
            Gen.elements [ "0"; "0-0"; "$"; "2000000-5"; "1000001-0" ]
        ]

let private command: Gen<string list> =
    let pairs =
        Gen.listOf (Gen.zip field value)
        |> Gen.map (fun extra -> ("f", "v") :: extra |> List.collect (fun (f, v) -> [ f; v ]))

    Gen.frequency
        [
            12, pairs |> Gen.map (fun p -> [ "XADD"; "s"; "*" ] @ p)
            2,
            Gen.zip (Gen.elements [ "2000000-*"; "3000000-7"; "18446744073709551000-*"; "5-1" ]) pairs
            |> Gen.map (fun (i, p) -> [ "XADD"; "s"; i ] @ p)
            4, nearId |> Gen.map (fun i -> [ "XDEL"; "s"; i ])
            1,
            Gen.zip3 (Gen.elements [ "MAXLEN"; "MINID" ]) (Gen.elements [ "="; "~" ]) (Gen.choose (0, 30))
            |> Gen.map (fun (kind, op, n) ->
                let arg = if kind = "MAXLEN" then string n else sprintf "1000000-%d" n
                [ "XTRIM"; "s"; kind; op; arg ])
            2,
            Gen.zip3 group (Gen.elements [ "0"; "$"; "1000000-3" ]) (Gen.elements [ []; [ "ENTRIESREAD"; "2" ] ])
            |> Gen.map (fun (g, i, extra) -> [ "XGROUP"; "CREATE"; "s"; g; i; "MKSTREAM" ] @ extra)
            4,
            Gen.zip (Gen.zip group consumer) (Gen.zip (Gen.choose (1, 5)) (Gen.elements [ []; [ "NOACK" ] ]))
            |> Gen.map (fun ((g, c), (n, noack)) ->
                [ "XREADGROUP"; "GROUP"; g; c; "COUNT"; string n ]
                @ noack
                @ [ "STREAMS"; "s"; ">" ])
            2, Gen.zip group nearId |> Gen.map (fun (g, i) -> [ "XACK"; "s"; g; i ])
            2,
            Gen.zip3
                (Gen.zip group consumer)
                nearId
                (Gen.elements
                    [
                        []
                        [ "TIME"; "123456" ]
                        [ "RETRYCOUNT"; "9" ]
                        [ "FORCE" ]
                        [ "IDLE"; "5"; "FORCE" ]
                        [ "JUSTID" ]
                    ])
            |> Gen.map (fun ((g, c), i, opts) -> [ "XCLAIM"; "s"; g; c; "0"; i ] @ opts)
            1,
            Gen.zip group consumer
            |> Gen.map (fun (g, c) -> [ "XAUTOCLAIM"; "s"; g; c; "0"; "0"; "COUNT"; "2" ])
            1,
            Gen.zip group consumer
            |> Gen.map (fun (g, c) -> [ "XGROUP"; "CREATECONSUMER"; "s"; g; c ])
            1,
            Gen.zip group consumer
            |> Gen.map (fun (g, c) -> [ "XGROUP"; "DELCONSUMER"; "s"; g; c ])
            1,
            Gen.zip group nearId
            |> Gen.map (fun (g, i) -> [ "XGROUP"; "SETID"; "s"; g; i; "ENTRIESREAD"; "3" ])
            1,
            Gen.elements
                [
                    [ "XSETID"; "s"; "4000000-0" ]
                    [
                        "XSETID"
                        "s"
                        "4000000-0"
                        "ENTRIESADDED"
                        "1000"
                        "MAXDELETEDID"
                        "3999999-0"
                    ]
                ]
        ]

/// Node limits from tiny (many nodes) to Redis's defaults.
let private config =
    Gen.zip (Gen.elements [ 0L; 2L; 3L; 7L; 100L ]) (Gen.elements [ 0L; 60L; 200L; 4096L ])
    |> Gen.map (fun (entries, bytes) ->
        { Config.defaults with
            StreamNodeMaxEntries = entries
            StreamNodeMaxBytes = bytes
        })

/// A stream built by random commands, with its World's config.
let genWithConfig: Gen<Config * RedisStream> =
    gen {
        let! config = config
        let! n = Gen.sized (fun size -> Gen.choose (0, 3 * size))
        let! commands = Gen.listOfLength n command
        let w = build config ([ "XADD"; "s"; "*"; "f"; "v" ] :: commands)
        return config, streamOf w
    }

let gen: Gen<RedisStream> = genWithConfig |> Gen.map snd

// ---- helpers -------------------------------------------------------------------------------------

let private limits: RdbReader.RdbLimits =
    {
        Hash = { MaxEntries = 512L; MaxValue = 64L }
        MaxIntsetEntries = 512L
        SortedSet =
            {
                MaxMembers = 128L
                MaxMemberBytes = 64L
            }
    }

/// A DUMP payload of type t whose value is written by write.
let payloadWith (t: byte) (write: RdbWriter.RdbOutput -> unit) =
    use ms = new MemoryStream()
    let o = RdbWriter.RdbOutput(ms)
    o.Byte t
    write o
    o.Byte(byte RdbFormat.writeVersion)
    o.Byte 0uy
    o.Flush()
    let footer = Array.zeroCreate<byte> 8
    BinaryPrimitives.WriteUInt64LittleEndian(footer.AsSpan(), o.Crc)
    ms.Write(footer, 0, 8)
    ms.ToArray()

let private restoreStream (payload: byte[]) =
    match RdbReader.restore limits payload with
    | Ok(Value.Stream s) -> s
    | Ok other -> failwithf "restored %A" other
    | Error e -> failwithf "refused: %A" e

let private refusal (payload: byte[]) =
    match RdbReader.restore limits payload with
    | Error(RdbReader.BadFormat e) -> e
    | other -> failwithf "not refused as a bad format: %A" other

/// The payload with its CRC recomputed after an edit (so that the value itself is judged).
let private resealed (payload: byte[]) =
    let p = Array.copy payload
    let footer = p.Length - 10
    BinaryPrimitives.WriteUInt64LittleEndian(p.AsSpan(footer + 2), Crc64.compute (ReadOnlySpan(p, 0, footer + 2)))
    p

/// A stream record by hand: no nodes, nothing added, the given group body after "1 group".
let private groupRecord (writeGroup: RdbWriter.RdbOutput -> unit) =
    payloadWith RdbFormat.TypeStreamListpacks2 (fun o ->
        for n in [ 0L; 0L; 0L; 0L; 0L; 0L; 0L; 0L; 0L; 1L ] do
            // nodes, length, last ms/seq, first ms/seq, max-deleted ms/seq, added, groups
            RdbWriter.writeLength o n

        RdbWriter.writeString o false (b "g")

        for n in [ 0L; 0L; 0L ] do
            RdbWriter.writeLength o n

        writeGroup o)

let private rawId (o: RdbWriter.RdbOutput) (ms: uint64) (seq: uint64) =
    let a = Array.zeroCreate<byte> 16
    BinaryPrimitives.WriteUInt64BigEndian(a.AsSpan(0, 8), ms)
    BinaryPrimitives.WriteUInt64BigEndian(a.AsSpan(8, 8), seq)
    o.Bytes(ReadOnlySpan a)

let private time (o: RdbWriter.RdbOutput) (ms: int64) =
    let a = Array.zeroCreate<byte> 8
    BinaryPrimitives.WriteInt64LittleEndian(a.AsSpan(), ms)
    o.Bytes(ReadOnlySpan a)

let private fsConfig =
    { FsCheckConfig.defaultConfig with
        maxTest = 300
    }

let tests =
    testList
        "RdbStreams"
        [
            testPropertyWithConfig fsConfig "a stream restored from its DUMP payload is the same stream"
            <| Prop.forAll (Arb.fromGen gen) (fun s ->
                let back = restoreStream (RdbWriter.dump (Value.Stream s))
                Expect.sequenceEqual (contents back) (contents s) "contents"
                true)

            testPropertyWithConfig
                fsConfig
                "a restored stream goes on like the original: the same appends, trims and deliveries give the same stream"
            <| Prop.forAll (Arb.fromGen (Gen.zip genWithConfig (Gen.listOf command))) (fun ((config, s), more) ->
                let run (st: RedisStream) =
                    let w = World.create config

                    let w =
                        World.withDb 0 (Db.set 0L (b "s") (Value.Stream st) Ttl.Clear (World.db 0 w)) w

                    let sess = Api.NewSession 1L

                    more
                    |> List.fold (fun w c -> (Api.Execute(ctx, sess, c |> List.map b |> Array.ofList, w)).World) w
                    |> fun w ->
                        match Db.tryGet 0L (b "s") (World.db 0 w) with
                        | ValueSome(Value.Stream x) -> contents x
                        | _ -> []

                let back = restoreStream (RdbWriter.dump (Value.Stream s))
                Expect.sequenceEqual (run back) (run s) "after the same commands"
                true)

            testPropertyWithConfig fsConfig "a stream written as Redis 7.2 writes it (type 21) reads back the same"
            <| Prop.forAll (Arb.fromGen gen) (fun s ->
                let payload =
                    payloadWith RdbFormat.TypeStreamListpacks3 (fun o ->
                        RdbWriter.writeStreamAs o true RdbFormat.TypeStreamListpacks3 s)

                Expect.sequenceEqual (contents (restoreStream payload)) (contents s) "contents"
                true)

            testPropertyWithConfig
                fsConfig
                "a stream written as Redis 6.2 writes it (type 15) reads back with its entries, entries-added its length, no deleted ID and estimated entries-read"
            <| Prop.forAll (Arb.fromGen gen) (fun s ->
                let payload =
                    payloadWith RdbFormat.TypeStreamListpacks (fun o ->
                        RdbWriter.writeStreamAs o true RdbFormat.TypeStreamListpacks s)

                let back = restoreStream payload

                let legacy =
                    { s with
                        MaxDeletedId = StreamId.zero
                        EntriesAdded = int64 (RedisStream.length s)
                    }

                let expected =
                    { legacy with
                        Groups =
                            CoolCache.Core.Collections.Tree.ofArray (
                                s.Groups
                                |> Seq.map (fun g ->
                                    { g with
                                        EntriesRead = RedisStream.estimateEntriesRead g.LastId legacy
                                    })
                                |> Array.ofSeq
                            )
                    }

                Expect.sequenceEqual (contents back) (contents expected) "contents"
                true)

            testPropertyWithConfig fsConfig "a stream payload cut short anywhere is refused at or before the cut"
            <| Prop.forAll (Arb.fromGen (Gen.zip gen (Gen.choose (0, 1_000_000)))) (fun (s, cut) ->
                let payload = RdbWriter.dump (Value.Stream s)
                let valueEnd = payload.Length - 10
                let n = 1 + cut % (valueEnd - 1)
                // keep the first n bytes of the value, then a valid footer
                let shortened = resealed (Array.append payload[.. n - 1] payload[valueEnd..])
                (refusal shortened).Offset <= int64 n)

            testPropertyWithConfig
                fsConfig
                "a stream payload with a byte changed (and a valid checksum) is refused or read, never half-read"
            <| Prop.forAll
                (Arb.fromGen (Gen.zip3 gen (Gen.choose (0, 1_000_000)) (Gen.choose (1, 255))))
                (fun (s, at, x) ->
                    let payload = RdbWriter.dump (Value.Stream s)
                    let i = 1 + at % (payload.Length - 11)
                    payload[i] <- payload[i] ^^^ byte x

                    match RdbReader.restore limits (resealed payload) with
                    | Ok _
                    | Error(RdbReader.BadFormat _) -> true
                    | Error e -> failwithf "%A" e)

            test "a consumer's pending ID missing from the group PEL is refused" {
                let payload =
                    groupRecord (fun o ->
                        RdbWriter.writeLength o 0L // group PEL
                        RdbWriter.writeLength o 1L // consumers
                        RdbWriter.writeString o false (b "alice")
                        time o 5L
                        RdbWriter.writeLength o 1L
                        rawId o 1UL 1UL)

                Expect.stringContains (refusal payload).Message "not in the group" "message"
            }

            test "a group PEL entry no consumer owns is refused" {
                let payload =
                    groupRecord (fun o ->
                        RdbWriter.writeLength o 1L
                        rawId o 1UL 1UL
                        time o 5L
                        RdbWriter.writeLength o 1L
                        RdbWriter.writeLength o 0L)

                Expect.stringContains (refusal payload).Message "without a consumer" "message"
            }

            test "a pending ID claimed by two consumers is refused" {
                let payload =
                    groupRecord (fun o ->
                        RdbWriter.writeLength o 1L
                        rawId o 1UL 1UL
                        time o 5L
                        RdbWriter.writeLength o 1L
                        RdbWriter.writeLength o 2L

                        for c in [ "alice"; "bob" ] do
                            RdbWriter.writeString o false (b c)
                            time o 5L
                            RdbWriter.writeLength o 1L
                            rawId o 1UL 1UL)

                Expect.stringContains (refusal payload).Message "two consumers" "message"
            }

            test "a length that does not match the entries is refused" {
                let s = streamOf (build Config.defaults [ [ "XADD"; "s"; "1-1"; "f"; "v" ] ])

                let payload =
                    payloadWith RdbFormat.TypeStreamListpacks2 (fun o ->
                        RdbWriter.writeStreamAs o false RdbFormat.TypeStreamListpacks2 s)

                // type, node count, key (1 + 16), listpack string: the length follows
                let lpLength = int payload[19]
                let at = 20 + lpLength
                Expect.equal payload[at] 1uy "the length byte"
                payload[at] <- 2uy
                let e = refusal (resealed payload)
                Expect.stringContains e.Message "does not match" "message"
                Expect.equal e.Offset (int64 at) "offset"
            }

            test "an empty stream with a group and a consumer round-trips (XGROUP CREATE MKSTREAM)" {
                let s =
                    streamOf (
                        build
                            Config.defaults
                            [
                                [ "XGROUP"; "CREATE"; "s"; "g"; "$"; "MKSTREAM" ]
                                [ "XGROUP"; "CREATECONSUMER"; "s"; "g"; "c" ]
                            ]
                    )

                Expect.sequenceEqual
                    (contents (restoreStream (RdbWriter.dump (Value.Stream s))))
                    (contents s)
                    "contents"
            }

            test "IDs near 2^64 and entries-read -1 round-trip" {
                let s =
                    streamOf (
                        build
                            Config.defaults
                            [
                                [ "XADD"; "s"; "18446744073709551614-18446744073709551614"; "f"; "v" ]
                                [ "XADD"; "s"; "18446744073709551615-18446744073709551615"; "f"; "v" ]
                                [ "XDEL"; "s"; "18446744073709551614-18446744073709551614" ]
                                [ "XGROUP"; "CREATE"; "s"; "g"; "0" ]
                                [ "XREADGROUP"; "GROUP"; "g"; "c"; "STREAMS"; "s"; ">" ]
                                [ "XGROUP"; "SETID"; "s"; "g"; "18446744073709551614-0" ]
                            ]
                    )

                let g = Seq.head s.Groups
                Expect.equal g.EntriesRead RedisStream.InvalidEntriesRead "entries-read unknown"

                Expect.sequenceEqual
                    (contents (restoreStream (RdbWriter.dump (Value.Stream s))))
                    (contents s)
                    "contents"
            }
        ]
