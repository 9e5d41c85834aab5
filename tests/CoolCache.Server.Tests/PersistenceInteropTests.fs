/// Persistence formats exchanged with a real redis-server: DUMP payloads made by each server RESTORE on
/// the other with the same contents and OBJECT ENCODING, for every encoding Redis 7.0 produces (the cases
/// of tests/CoolCache.Core.Tests/Rdb/fixtures/dumps.txt, built by the same commands on both servers).
module CoolCache.Server.Tests.PersistenceInteropTests

open System
open System.IO
open System.Text
open System.Text.Json
open System.Threading.Tasks
open Expecto
open CoolCache.Server.Tests.RawClient
open CoolCache.Server.Tests.Servers

let private latin1 (s: string) = Encoding.Latin1.GetBytes s

let private cases =
    lazy
        (File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "fixtures", "dumps.txt"))
         |> Array.filter (fun l -> l <> "")
         |> Array.map (fun line ->
             let parts = line.Split '\t'
             parts[0], JsonSerializer.Deserialize<string list list>(parts[1])))

let private pair =
    lazy
        (task {
            let! oracle = startOracle ()
            let! candidate = startCoolCache ()

            AppDomain.CurrentDomain.ProcessExit.Add(fun _ ->
                for t in [ candidate; oracle ] do
                    try
                        t.Stop().AsTask().Wait(TimeSpan.FromSeconds 5.0) |> ignore
                    with _ ->
                        ())

            return oracle, candidate
        })

let private send (c: RawClient) (args: byte[] list) =
    task {
        let! raw = c.Send args
        return parseReply raw
    }

let private text (r: Reply) =
    match r with
    | Bulk b
    | Simple b -> Encoding.Latin1.GetString b
    | Integer n -> string n
    | other -> sprintf "%A" other

/// A key's type, encoding and contents in a canonical form (unordered kinds sorted).
let private describe (c: RawClient) (key: string) =
    task {
        let k = latin1 key
        let! t = send c [ latin1 "TYPE"; k ]
        let! enc = send c [ latin1 "OBJECT"; latin1 "ENCODING"; k ]

        let! body =
            match text t with
            | "string" -> send c [ latin1 "GET"; k ]
            | "list" -> send c [ latin1 "LRANGE"; k; latin1 "0"; latin1 "-1" ]
            | "set" -> send c [ latin1 "SMEMBERS"; k ]
            | "hash" -> send c [ latin1 "HGETALL"; k ]
            | "zset" -> send c [ latin1 "ZRANGE"; k; latin1 "0"; latin1 "-1"; latin1 "WITHSCORES" ]
            | other -> failwithf "unexpected type %s" other

        let items =
            match body with
            | Array xs -> xs |> List.map text
            | other -> [ text other ]

        let items =
            match text t with
            | "set" -> List.sort items
            | "hash" -> items |> List.chunkBySize 2 |> List.map (String.concat "=") |> List.sort
            | _ -> items

        return text t, text enc, items
    }

/// Builds key k by the same commands on both servers, DUMPs it on each and RESTOREs it on the other.
let private exchange (oracle: Target) (candidate: Target) (commands: string list list) =
    task {
        use! redis = RawClient.ConnectAsync oracle.Port
        use! ours = RawClient.ConnectAsync candidate.Port

        for c in [ redis; ours ] do
            let! _ = c.Cmd "FLUSHALL"

            for cmd in commands do
                let! r = send c (cmd |> List.map latin1)

                match r with
                | Error e -> failtestf "%s failed: %s" (String.Join(" ", cmd)) (Encoding.Latin1.GetString e)
                | _ -> ()

        let! fromRedis = send redis [ latin1 "DUMP"; latin1 "k" ]
        let! fromOurs = send ours [ latin1 "DUMP"; latin1 "k" ]

        let payload r =
            match r with
            | Bulk b -> b
            | other -> failtestf "DUMP replied %A" other

        let! r1 = send ours [ latin1 "RESTORE"; latin1 "r"; latin1 "0"; payload fromRedis ]
        Expect.equal r1 (Simple(latin1 "OK")) "CoolCache restores Redis's payload"
        let! r2 = send redis [ latin1 "RESTORE"; latin1 "r"; latin1 "0"; payload fromOurs ]
        Expect.equal r2 (Simple(latin1 "OK")) "Redis restores CoolCache's payload"
        let! expected = describe redis "k"
        let! inOurs = describe ours "r"
        let! inRedis = describe redis "r"
        Expect.equal inOurs expected "Redis's payload restored in CoolCache"
        Expect.equal inRedis expected "CoolCache's payload restored in Redis"
    }

/// Builds every fixture case on a server, each case's key named after the case, in database 0, plus a
/// key with a deadline and one in database 3.
let populate (c: RawClient) =
    task {
        let! _ = c.Cmd "FLUSHALL"

        for name, commands in cases.Force() do
            for cmd in commands do
                let! _ = send c (cmd |> List.map latin1)
                ()

            let! _ = c.Cmd("RENAME", "k", name)
            ()

        let! _ = c.Cmd("SET", "with-ttl", "v", "PXAT", "4102444800000")
        let! _ = c.Cmd("SELECT", "3")
        let! _ = c.Cmd("SET", "in-db-3", "x")
        let! _ = c.Cmd("SELECT", "0")
        ()
    }

/// Every populated key described, and the deadline and database 3 key.
let snapshot (c: RawClient) =
    task {
        let rows = ResizeArray<string>()

        for name, _ in cases.Force() do
            let! d = describe c name
            rows.Add(sprintf "%s %A" name d)

        let! ttl = send c [ latin1 "PEXPIRETIME"; latin1 "with-ttl" ]
        rows.Add(sprintf "with-ttl %A" ttl)
        let! _ = c.Cmd("SELECT", "3")
        let! x = send c [ latin1 "GET"; latin1 "in-db-3" ]
        rows.Add(sprintf "in-db-3 %A" x)
        let! _ = c.Cmd("SELECT", "0")
        return List.ofSeq rows
    }

let private startOurs (dir: string) : Task<CoolCache.Server.ServerHost> =
    CoolCache.Server.ServerHost.StartAsync [| "--port"; "0"; "--bind"; "127.0.0.1"; "--save"; ""; "--dir"; dir |]

let private redisLoadsOurs () : Task =
    task {
        use! (redis: RedisProcess.RedisServer) = RedisProcess.start ()
        use! rc = RawClient.ConnectAsync redis.Port
        do! populate rc
        let! expected = snapshot rc
        let! saved = rc.Cmd "SAVE"
        Expect.equal (parseReply saved) (Simple(latin1 "OK")) "Redis saved"
        let dir = TestDirs.fresh ()
        File.Copy(Path.Combine(redis.Dir, "dump.rdb"), Path.Combine(dir, "dump.rdb"))
        let! host = startOurs dir

        try
            use! ours = RawClient.ConnectAsync host.Port
            let! actual = snapshot ours
            Expect.sequenceEqual actual expected "CoolCache loaded what Redis saved"
        finally
            host.DisposeAsync().AsTask().Wait()
    }

let private oursLoadsInRedis () : Task =
    task {
        let dir = TestDirs.fresh ()
        let! host = startOurs dir
        let mutable expected = []

        try
            use! ours = RawClient.ConnectAsync host.Port
            do! populate ours
            let! e = snapshot ours
            expected <- e
            let! saved = ours.Cmd "SAVE"
            Expect.equal (parseReply saved) (Simple(latin1 "OK")) "CoolCache saved"
        finally
            host.DisposeAsync().AsTask().Wait()

        let file = Path.Combine(dir, "dump.rdb")
        let check = Diagnostics.ProcessStartInfo("redis-check-rdb", file)
        check.RedirectStandardOutput <- true
        check.RedirectStandardError <- true
        use p = Diagnostics.Process.Start check
        let out = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd()
        p.WaitForExit()
        Expect.equal p.ExitCode 0 $"redis-check-rdb accepts the file:\n{out}"
        Expect.stringContains out "RDB looks OK" "redis-check-rdb's verdict"

        use! (redis: RedisProcess.RedisServer) =
            RedisProcess.startWith (fun d -> File.Copy(file, Path.Combine(d, "dump.rdb")))

        use! rc = RawClient.ConnectAsync redis.Port
        let! actual = snapshot rc
        Expect.sequenceEqual actual expected "Redis loaded what CoolCache saved"
    }

let private corruptFileRefused () : Task =
    task {
        let dir = TestDirs.fresh ()
        let! host = startOurs dir

        try
            use! ours = RawClient.ConnectAsync host.Port
            do! populate ours
            let! _ = ours.Cmd "SAVE"
            ()
        finally
            host.DisposeAsync().AsTask().Wait()

        let file = Path.Combine(dir, "dump.rdb")
        let bytes = File.ReadAllBytes file
        File.WriteAllBytes(file, bytes[.. bytes.Length / 2])

        let! failure =
            task {
                try
                    let! h = startOurs dir
                    do! h.DisposeAsync()
                    return None
                with e ->
                    return Some e.Message
            }

        match failure with
        | Some message -> Expect.stringContains message "offset" "the error says where"
        | None -> failtest "the server started on a truncated file"
    }

/// RDB files both ways: Redis's SAVE loads in CoolCache at start-up; CoolCache's SAVE passes
/// redis-check-rdb and loads in redis-server; the contents are equal every time.
let private rdbFiles =
    testSequenced
    <| testList
        "RdbFiles"
        [
            testTask "a dump.rdb saved by Redis 7.0 loads in CoolCache with the same contents" {
                RedisProcess.requireRedisServer ()
                do! redisLoadsOurs ()
            }
            testTask
                "a dump.rdb saved by CoolCache passes redis-check-rdb and loads in Redis 7.0 with the same contents" {
                RedisProcess.requireRedisServer ()
                do! oursLoadsInRedis ()
            }
            testTask "a corrupt dump.rdb stops CoolCache from starting, saying where" { do! corruptFileRefused () }
        ]

/// INFO persistence's field, as text.
let infoField (c: RawClient) (field: string) =
    task {
        let! raw = c.Cmd("INFO", "persistence")

        let text =
            match parseReply raw with
            | Bulk b
            | Verbatim b -> Encoding.Latin1.GetString b
            | other -> failwithf "INFO replied %A" other

        return
            text.Split("\r\n")
            |> Array.pick (fun l ->
                if l.StartsWith(field + ":") then
                    Some(l.Substring(field.Length + 1))
                else
                    None)
    }


/// Starts CoolCache in dir with extra arguments, runs f on a connection, stops it (SHUTDOWN's own save
/// is not involved unless f sends SHUTDOWN).
let withOurs (dir: string) (extra: string list) (f: RawClient -> Task) =
    task {
        let! (host: CoolCache.Server.ServerHost) =
            CoolCache.Server.ServerHost.StartAsync(
                Array.ofList (
                    [
                        "--port"
                        "0"
                        "--bind"
                        "127.0.0.1"
                        "--save"
                        ""
                        "--dir"
                        dir
                        "--loglevel"
                        "nothing"
                    ]
                    @ extra
                )
            )

        try
            use! c = RawClient.ConnectAsync host.Port
            do! f c
        finally
            host.DisposeAsync().AsTask().Wait()
    }

let private bgsaveThenRestart () : Task =
    task {
        let dir = TestDirs.fresh ()
        let mutable expected = []

        do!
            withOurs dir [] (fun c ->
                task {
                    do! populate c
                    let! e = snapshot c
                    expected <- e
                    let! before = c.Cmd "LASTSAVE"
                    let! started = c.Cmd "BGSAVE"
                    Expect.equal (parseReply started) (Simple(latin1 "Background saving started")) "BGSAVE reply"
                    // writes go on while the snapshot is written
                    let! _ = c.Cmd("SET", "after-bgsave", "x")

                    do!
                        Polling.until "the background save finished" (fun () ->
                            task {
                                let! saves = infoField c "rdb_saves"
                                let! running = infoField c "rdb_bgsave_in_progress"
                                return saves = "1" && running = "0"
                            })

                    let! status = infoField c "rdb_last_bgsave_status"
                    Expect.equal status "ok" "rdb_last_bgsave_status"
                    let! after = c.Cmd "LASTSAVE"
                    Expect.isTrue (parseReply after >= parseReply before) "LASTSAVE does not go back"
                })

        do!
            withOurs dir [] (fun c ->
                task {
                    let! actual = snapshot c
                    Expect.sequenceEqual actual expected "the restarted server holds the snapshot"
                })
    }

let private shutdownSaves () : Task =
    task {
        let dir = TestDirs.fresh ()

        let! (host: CoolCache.Server.ServerHost) =
            CoolCache.Server.ServerHost.StartAsync
                [| "--port"; "0"; "--bind"; "127.0.0.1"; "--save"; "3600 1"; "--dir"; dir |]

        use! c = RawClient.ConnectAsync host.Port
        let! _ = c.Cmd("SET", "kept", "by-shutdown")
        do! c.Post [ [ latin1 "SHUTDOWN" ] ]
        do! host.Completion
        Expect.isTrue (File.Exists(Path.Combine(dir, "dump.rdb"))) "SHUTDOWN with save points wrote dump.rdb"

        do!
            withOurs dir [] (fun c ->
                task {
                    let! v = c.Cmd("GET", "kept")
                    Expect.equal (parseReply v) (Bulk(latin1 "by-shutdown")) "the key is back"
                })

        let dir2 = TestDirs.fresh ()

        do!
            withOurs dir2 [] (fun c ->
                task {
                    let! _ = c.Cmd("SET", "k", "v")
                    do! c.Post [ [ latin1 "SHUTDOWN"; latin1 "NOSAVE" ] ]
                })

        Expect.isFalse (File.Exists(Path.Combine(dir2, "dump.rdb"))) "SHUTDOWN NOSAVE wrote nothing"
    }

let private savePointFires () : Task =
    withOurs (TestDirs.fresh ()) [] (fun c ->
        task {
            let! ok = c.Cmd("CONFIG", "SET", "save", "1 2")
            Expect.equal (parseReply ok) (Simple(latin1 "OK")) "CONFIG SET save"
            let! _ = c.Cmd("SET", "a", "1")
            let! _ = c.Cmd("SET", "b", "2")

            do!
                Polling.until "the save point saved" (fun () ->
                    task {
                        let! saves = infoField c "rdb_saves"
                        return saves <> "0"
                    })

            let! changes = infoField c "rdb_changes_since_last_save"
            Expect.equal changes "0" "nothing changed since"
        })

let private snapshots =
    testSequenced
    <| testList
        "Snapshots"
        [
            testTask "BGSAVE writes while writes go on, and a restart loads what it wrote" { do! bgsaveThenRestart () }
            testTask "SHUTDOWN saves when save points exist and a restart loads it; SHUTDOWN NOSAVE does not" {
                do! shutdownSaves ()
            }
            testTask "a save point saves once its changes and seconds have passed" { do! savePointFires () }
        ]

let tests =
    testSequenced
    <| testList
        "PersistenceInterop"
        [
            rdbFiles
            snapshots
            for name, commands in cases.Force() do
                testTask $"DUMP payloads of {name} restore on the other server with the same contents and encoding" {
                    RedisProcess.requireRedisServer ()
                    let! oracle, candidate = pair.Force()
                    do! exchange oracle candidate commands
                }
        ]
