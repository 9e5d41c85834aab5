/// Write propagation (the append-only file's and the replicas' command stream): generated command
/// sequences run through the core with propagation on, under a clock that jumps so keys expire between
/// commands; what they propagate, replayed on a fresh World the way an append-only file is loaded
/// (later clock, nothing expires while loading), must give the same keyspace.
module CoolCache.Server.Tests.PropagationTests

open System
open System.Text
open Expecto
open CoolCache.Core
open CoolCache.Core.Commands
open CoolCache.Core.Protocol
open CoolCache.Server.Tests.GenParts

let private host =
    { new IHostView with
        member _.Clients() = [||]
        member _.Stats() = Unchecked.defaultof<_>
        member _.IsBlocked _ = false
    }

let private ctxAt (nowMs: int64) (seed: uint64) : Ctx =
    {
        NowMs = nowMs
        NowUs = nowMs * 1000L
        Seed = seed
        Host = host
        IsLocal = true
        Events = false
    }

let private bytes (s: string) = Encoding.Latin1.GetBytes s

/// Runs argv at nowMs; returns the result.
let private exec (nowMs: int64) (session: State.Session) (world: State.World) (argv: string list) =
    Api.Execute(ctxAt nowMs 7UL, session, argv |> List.map bytes |> Array.ofList, world)

/// What a World holds at nowMs, as text: per database, each live key with its deadline and contents
/// (DUMP; for streams their entries, groups and pending entries).
let describe (nowMs: int64) (world: State.World) : string list =
    let session = Api.NewSession 99L

    let run (w: State.World) (s: State.Session) (argv: string list) =
        let r = exec nowMs s w argv
        let b = Buffers.ArrayBufferWriter<byte>()
        Api.WriteReply(2, r.Reply, b)
        r.Session, RawClient.escape (b.WrittenSpan.ToArray())

    [
        for db in 0 .. world.Dbs.Length - 1 do
            let s, _ = run world session [ "SELECT"; string db ]
            let d = world.Dbs[db]

            let keys =
                d.Keys.ToSeq()
                |> Seq.map (fun (struct (k, _)) -> k)
                |> Seq.filter (fun k -> Keyspace.Db.exists nowMs k d)
                |> Seq.sortWith (fun a b -> Bytes.compare a b)
                |> List.ofSeq

            for k in keys do
                let key = Encoding.Latin1.GetString k
                let deadline = Keyspace.Db.deadline k d
                let _, kind = run world s [ "TYPE"; key ]

                let contents =
                    if kind.Contains "stream" then
                        let _, entries = run world s [ "XRANGE"; key; "-"; "+" ]
                        let _, info = run world s [ "XINFO"; "STREAM"; key ]
                        let _, groups = run world s [ "XINFO"; "GROUPS"; key ]

                        let pending =
                            match (exec nowMs s world [ "XINFO"; "GROUPS"; key ]).Reply with
                            | RespValue.Array gs ->
                                gs
                                |> Array.map (fun g ->
                                    match g with
                                    | RespValue.Array fields
                                    | RespValue.Push fields ->
                                        match fields[1] with
                                        | RespValue.Bulk name ->
                                            snd (
                                                run
                                                    world
                                                    s
                                                    [
                                                        "XPENDING"
                                                        key
                                                        Encoding.Latin1.GetString name
                                                        "-"
                                                        "+"
                                                        "1000000"
                                                    ]
                                            )
                                        | _ -> ""
                                    | RespValue.Map pairs ->
                                        let struct (_, name) = pairs[0]

                                        match name with
                                        | RespValue.Bulk name ->
                                            snd (
                                                run
                                                    world
                                                    s
                                                    [
                                                        "XPENDING"
                                                        key
                                                        Encoding.Latin1.GetString name
                                                        "-"
                                                        "+"
                                                        "1000000"
                                                    ]
                                            )
                                        | _ -> ""
                                    | _ -> "")
                                |> String.concat " / "
                            | _ -> ""

                        String.concat " | " [ entries; info; groups; pending ]
                    else
                        // Contents, not encodings (CONFIG SET of a listpack limit is not propagated, as in Redis).
                        let sorted (argv: string list) =
                            match (exec nowMs s world argv).Reply with
                            | RespValue.Array items
                            | RespValue.Set items ->
                                items |> Array.map (sprintf "%A") |> Array.sort |> String.concat ","
                            | RespValue.Map pairs ->
                                pairs |> Array.map (sprintf "%A") |> Array.sort |> String.concat ","
                            | r -> sprintf "%A" r

                        if kind.Contains "string" then
                            snd (run world s [ "GET"; key ])
                        elif kind.Contains "list" then
                            snd (run world s [ "LRANGE"; key; "0"; "-1" ])
                        elif kind.Contains "zset" then
                            snd (run world s [ "ZRANGE"; key; "0"; "-1"; "WITHSCORES" ])
                        elif kind.Contains "hash" then
                            match (exec nowMs s world [ "HGETALL"; key ]).Reply with
                            | RespValue.Array items ->
                                items
                                |> Array.chunkBySize 2
                                |> Array.map (sprintf "%A")
                                |> Array.sort
                                |> String.concat ","
                            | r -> sprintf "%A" r
                        else
                            sorted [ "SMEMBERS"; key ]

                yield
                    sprintf
                        "db%d %s ttl=%A %s %s"
                        db
                        (formatStep { Args = [ k ]; Compare = Exact })
                        deadline
                        kind
                        contents
    ]

/// Runs the steps with propagation on; the clock moves by one of jumps before each step. Returns the
/// World, the clock at the end, and the propagated (db, argv) in order.
let runPropagating (start: int64) (jumps: int64 list) (steps: Step list) =
    let mutable world = Api.WithPropagation(Api.NewWorld Api.DefaultConfig, true)
    let mutable session = Api.NewSession 1L
    let mutable now = start
    let log = ResizeArray<int * byte[][]>()
    let mutable seed = 11UL
    let jumps = Array.ofList jumps

    steps
    |> List.iteri (fun i step ->
        now <- now + jumps[i % jumps.Length]
        seed <- seed + 1UL
        let argv = KeyspaceEventTests.commandOf step |> Array.ofList
        let r = Api.Execute(ctxAt now seed, session, argv, world)
        world <- r.World
        session <- r.Session

        for e in r.Effects do
            match e with
            | Effect.Propagate(db, a) -> log.Add(db, a)
            | _ -> ())

    world, now, List.ofSeq log

/// Replays propagated commands on a fresh World as an append-only file loads: later clock, loading.
let replay (nowMs: int64) (log: (int * byte[][]) list) =
    let mutable world = Api.WithLoading(Api.NewWorld Api.DefaultConfig, true)
    let mutable session = Api.NewSession 2L
    let mutable db = 0

    for d, argv in log do
        if d <> db then
            let r = exec nowMs session world [ "SELECT"; string d ]
            session <- r.Session
            db <- d

        let r = Api.Execute(ctxAt nowMs 5UL, session, argv, world)

        match r.Reply with
        | RespValue.Error e when not (e.StartsWith "EXECABORT") ->
            failwithf
                "replaying %s failed: %s"
                (formatStep
                    {
                        Args = List.ofArray argv
                        Compare = Exact
                    })
                e
        | _ -> ()

        world <- r.World
        session <- r.Session

    Api.WithLoading(world, false)

let private formatLog (log: (int * byte[][]) list) =
    log
    |> List.map (fun (db, a) ->
        sprintf
            "  db%d %s"
            db
            (formatStep
                {
                    Args = List.ofArray a
                    Compare = Exact
                }))
    |> String.concat "\n"

let private check (seed: uint64) =
    let steps = CommandGen.sequenceForSeed seed
    let start = 1_700_000_000_000L
    // Mostly small steps, sometimes long enough for the generated TTLs (100 s and up) to pass.
    let jumps = [ 0L; 1L; 0L; 150_000L; 3L; 90_000_000L; 0L; 2_000_000L ]
    let world, now, log = runPropagating start jumps steps
    let replayed = replay (now + 500_000_000L) log
    let expected = describe now world
    let actual = describe now replayed

    if expected <> actual then
        let steps = steps |> List.map (fun s -> "  " + formatStep s) |> String.concat "\n"

        failtestf
            "seed %d: replaying the propagated commands gave another keyspace\nsteps:\n%s\npropagated:\n%s\nexpected:\n%s\nactual:\n%s"
            seed
            steps
            (formatLog log)
            (String.concat "\n" expected)
            (String.concat "\n" actual)

let tests =
    testList
        "Propagation"
        [
            test "replaying what generated sequences propagate gives the keyspace they left" {
                let count =
                    match Environment.GetEnvironmentVariable "COOLCACHE_PROPAGATION_SEQUENCES" with
                    | null
                    | "" -> 2000
                    | n -> int n

                for seed in 1UL .. uint64 count do
                    check seed
            }

            test "a lazily expired key is deleted in the log before the command that found it" {
                let steps =
                    [ [ "SET"; "k"; "5"; "PX"; "1000" ]; [ "INCR"; "k" ] ]
                    |> List.map (fun a ->
                        {
                            Args = List.map latin1 a
                            Compare = Exact
                        })

                let _, _, log = runPropagating 1000L [ 0L; 5000L ] steps

                let text =
                    log
                    |> List.map (fun (_, a) -> a |> Array.map Encoding.Latin1.GetString |> String.concat " ")

                Expect.equal
                    text
                    [ "SET k 5 PXAT 2000"; "DEL k"; "INCR k" ]
                    "SET as PXAT, then the DEL of the expired key, then INCR"
            }

            test "a transaction's writes are propagated inside MULTI and EXEC, its reads not at all" {
                let steps =
                    [
                        [ "MULTI" ]
                        [ "GET"; "a" ]
                        [ "SET"; "a"; "1" ]
                        [ "INCRBYFLOAT"; "a"; "0.5" ]
                        [ "EXEC" ]
                    ]
                    |> List.map (fun a ->
                        {
                            Args = List.map latin1 a
                            Compare = Exact
                        })

                let _, _, log = runPropagating 1000L [ 0L ] steps

                let text =
                    log
                    |> List.map (fun (_, a) -> a |> Array.map Encoding.Latin1.GetString |> String.concat " ")

                Expect.equal text [ "MULTI"; "SET a 1"; "SET a 1.5 KEEPTTL"; "EXEC" ] "the writes, wrapped"
            }
        ]
