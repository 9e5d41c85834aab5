module CoolCache.Core.Tests.Rdb.RdbTests

open System
open System.IO
open System.Text.Json
open Expecto
open FsCheck
open FsCheck.FSharp
open CoolCache.Core
open CoolCache.Core.Collections
open CoolCache.Core.Values
open CoolCache.Core.Keyspace
open CoolCache.Core.State
open CoolCache.Core.Commands
open CoolCache.Core.Rdb

let private b (s: string) = Bytes.ofLatin1 s
let private str (x: Bytes) = Bytes.toLatin1 x

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

/// A value's contents in a canonical form (type, then elements; unordered kinds sorted).
let private contents (v: Value) =
    let sorted (xs: string seq) = xs |> Seq.sort |> List.ofSeq

    match v with
    | Value.String s
    | Value.RawString s
    | Value.EmbString s
    | Value.UnsharedString s -> "string", [ str s ]
    | Value.List l -> "list", RedisList.toArray l |> Array.map str |> List.ofArray
    | Value.Set s -> "set", RedisSet.toArray s |> Seq.map str |> sorted
    | Value.Hash h -> "hash", h.Fields.ToSeq() |> Seq.map (fun struct (f, x) -> str f + "=" + str x) |> sorted
    | Value.SortedSet z ->
        "zset",
        RedisSortedSet.toArray z
        |> Array.map (fun e -> str e.Member + "=" + Numbers.formatDouble e.Score)
        |> List.ofArray
    | Value.Stream x -> "stream", RdbStreamTests.contents x

/// contents without times (delivery and seen times differ between a server and these tests' clock).
let private timeless (v: Value) =
    let kind, items = contents v
    kind, items |> List.filter (RdbStreamTests.isTime >> not)

let private ctx =
    {
        NowMs = 1_000_000L
        NowUs = 1_000_000_000L
        Seed = 7UL
        Host = CoolCache.Core.Tests.TestHost.none
        IsLocal = true
        Events = false
    }

/// Runs commands in a fresh World; returns the value of key and the World.
let private build (commands: string list list) =
    let s = Api.NewSession 1L

    commands
    |> List.fold
        (fun w c -> (Api.Execute(ctx, s, c |> List.map b |> Array.ofList, w)).World)
        (World.create Config.defaults)

let private fixtureDir = Path.Combine(AppContext.BaseDirectory, "Rdb", "fixtures")

type private Fixture =
    {
        Name: string
        Commands: string list list
        Payload: byte[]
    }

let private fixtures =
    lazy
        (File.ReadAllLines(Path.Combine(fixtureDir, "dumps.txt"))
         |> Array.filter (fun l -> l <> "")
         |> Array.map (fun line ->
             let parts = line.Split '\t'

             {
                 Name = parts[0]
                 Commands = JsonSerializer.Deserialize<string list list>(parts[1])
                 Payload = Convert.FromHexString parts[2]
             }))

let private valueOf (key: string) (w: World) =
    (Db.tryGet 0L (b key) (World.db 0 w)).Value

// ---- generators ----

let private element: Gen<Bytes> =
    Gen.frequency
        [
            3, Gen.elements [ "a"; "b"; "x y"; ""; "\000\r\n"; "hello world" ] |> Gen.map b
            3, Gen.choose (-100000, 100000) |> Gen.map (string >> b)
            1,
            Gen.elements [ "9223372036854775807"; "-9223372036854775808"; "007"; "1.5" ]
            |> Gen.map b
            1, Gen.choose (21, 300) |> Gen.map (fun n -> b (String('z', n)))
        ]

let private valueGen: Gen<Value> =
    let distinct (xs: Bytes list) =
        xs |> List.distinctBy str |> Array.ofList

    Gen.oneof
        [
            element |> Gen.map Value.String
            Gen.nonEmptyListOf element
            |> Gen.map (Array.ofList >> RedisList.ofArray >> Value.List)
            Gen.nonEmptyListOf element
            |> Gen.map (fun xs -> Value.Set(RedisSet.ofMembers null 512L (distinct xs)))
            Gen.nonEmptyListOf (Gen.zip element element)
            |> Gen.map (fun pairs ->
                let mutable h = RedisHash.empty

                for f, x in pairs |> List.distinctBy (fst >> str) do
                    let struct (h', _) = RedisHash.set null limits.Hash f x h
                    h <- h'

                Value.Hash h)
            Gen.nonEmptyListOf (Gen.zip element (Gen.elements [ 0.0; 1.5; -2.0; infinity; -infinity; 1e300; 0.1 ]))
            |> Gen.map (fun pairs ->
                let entries =
                    pairs
                    |> List.distinctBy (fst >> str)
                    |> List.map (fun (m, s) -> { Member = m; Score = s })
                    |> Array.ofList

                Array.Sort(entries, ScoreOrder.Instance)
                Value.SortedSet(RedisSortedSet.ofSorted limits.SortedSet entries))
            RdbStreamTests.gen |> Gen.map Value.Stream
        ]

let private config =
    { FsCheckConfig.defaultConfig with
        maxTest = 300
    }

let tests =
    testList
        "Rdb"
        [
            test "CRC-64 of 123456789 is Redis's check value" {
                Expect.equal (Crc64.compute (ReadOnlySpan "123456789"B)) 0xe9c6d914c4b8d9caUL "crc64"

            }

            testProperty "CRC-64 eight bytes at a time equals the byte-by-byte definition, in any split"
            <| fun (data: byte[]) (cut: uint8) ->
                let poly = 0x95ac9329ac4bc9b5UL

                let reference (bytes: byte[]) =
                    let mutable c = 0UL

                    for b in bytes do
                        c <- c ^^^ uint64 b

                        for _ in 1..8 do
                            c <- if c &&& 1UL <> 0UL then (c >>> 1) ^^^ poly else c >>> 1

                    c

                let at = if data.Length = 0 then 0 else int cut % (data.Length + 1)

                let split =
                    Crc64.update (Crc64.compute (ReadOnlySpan(data, 0, at))) (ReadOnlySpan(data, at, data.Length - at))

                Crc64.compute (ReadOnlySpan data) = reference data && split = reference data

            testPropertyWithConfig config "LZF decompresses what it compresses"
            <| Prop.forAll (Arb.fromGen (Gen.listOf element |> Gen.map (List.toArray >> Array.concat))) (fun data ->
                match Lzf.compress (ReadOnlySpan data) with
                | Some c ->
                    c.Length < data.Length
                    && Lzf.decompress (ReadOnlySpan c) data.Length = Some data
                | None -> true)

            testPropertyWithConfig config "a value restored from its DUMP payload has the same contents and encoding"
            <| Prop.forAll (Arb.fromGen valueGen) (fun v ->
                match RdbReader.restore limits (RdbWriter.dump v) with
                | Ok back -> contents back = contents v && Value.encoding back = Value.encoding v
                | Error e -> failwithf "%A" e)

            testPropertyWithConfig config "a payload with any byte changed is refused, never half-read"
            <| Prop.forAll (Arb.fromGen (Gen.zip valueGen (Gen.choose (0, 100000)))) (fun (v, at) ->
                let payload = RdbWriter.dump v
                let i = at % payload.Length
                payload[i] <- payload[i] ^^^ 0x5Auy

                match RdbReader.restore limits payload with
                | Error _ -> true
                | Ok _ -> false)

            testPropertyWithConfig config "a World written as an RDB file reads back with every key, value and deadline"
            <| Prop.forAll
                (Arb.fromGen (Gen.listOf (Gen.zip3 (Gen.choose (0, 3)) valueGen (Gen.elements [ -1L; 5_000_000L ]))))
                (fun entries ->
                    let dbs = Array.init 4 (fun _ -> Db.create false)

                    entries
                    |> List.iteri (fun k (db, v, ttl) ->
                        let key = b (sprintf "key%d" k)

                        dbs[db] <- Db.set 0L key v (if ttl < 0L then Ttl.Clear else Ttl.At ttl) dbs[db])

                    use ms = new MemoryStream()
                    RdbWriter.writeFile ms true [ "redis-ver", "7.0.15" ] 1_000_000L dbs

                    match RdbReader.readFile limits (ms.ToArray()) with
                    | Error e -> failwithf "%A" e
                    | Ok file ->
                        let expected =
                            [
                                for db in 0..3 do
                                    for struct (k, v) in dbs[db].Keys.ToSeq() do
                                        let ttl =
                                            match Db.deadline k dbs[db] with
                                            | ValueSome at -> at
                                            | ValueNone -> -1L

                                        db, str k, contents v, ttl
                            ]
                            |> List.sort

                        let actual =
                            file.Entries
                            |> Array.map (fun e -> e.Db, str e.Key, contents e.Value, e.ExpireAtMs)
                            |> List.ofArray
                            |> List.sort

                        file.Version = RdbFormat.writeVersion && actual = expected)

            testPropertyWithConfig config "a truncated RDB file is refused with the offset where it ends"
            <| Prop.forAll
                (Arb.fromGen (Gen.zip (Gen.nonEmptyListOf valueGen) (Gen.choose (0, 100000))))
                (fun (values, cut) ->
                    let db =
                        values
                        |> List.indexed
                        |> List.fold (fun d (k, v) -> Db.set 0L (b (string k)) v Ttl.Clear d) (Db.create false)

                    use ms = new MemoryStream()
                    RdbWriter.writeFile ms false [] 0L [| db |]
                    let data = ms.ToArray()
                    let n = cut % data.Length

                    match RdbReader.readFile limits data[.. n - 1] with
                    | Error e -> e.Offset <= int64 n
                    | Ok _ -> false)

            testList
                "Redis 7.0's DUMP payloads"
                [
                    for f in fixtures.Force() do
                        test $"{f.Name} restores to what the same commands build here" {
                            let expected = valueOf "k" (build f.Commands)

                            match RdbReader.restore limits f.Payload with
                            | Ok v ->
                                Expect.equal (timeless v) (timeless expected) "contents"
                                Expect.equal (Value.encoding v) (Value.encoding expected) "OBJECT ENCODING"
                            | Error e -> failtestf "refused: %A" e
                        }
                ]

            test "Redis 7.0's RDB file holds every fixture key, the deadline and database 3" {
                match RdbReader.readFile limits (File.ReadAllBytes(Path.Combine(fixtureDir, "all.rdb"))) with
                | Error e -> failtestf "refused: %A" e
                | Ok file ->
                    let find db key =
                        file.Entries |> Array.find (fun e -> e.Db = db && str e.Key = key)

                    for f in fixtures.Force() do
                        Expect.equal (timeless (find 0 f.Name).Value) (timeless (valueOf "k" (build f.Commands))) f.Name

                    Expect.equal (find 0 "with-ttl").ExpireAtMs 4102444800000L "deadline"
                    Expect.equal (contents (find 3 "in-db-3").Value) ("string", [ "x" ]) "database 3"
                    Expect.isTrue (file.Aux |> List.exists (fun (n, _) -> n = "redis-ver")) "AUX redis-ver"
            }
        ]
