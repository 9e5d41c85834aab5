/// Persistence formats exchanged with a real redis-server: DUMP payloads made by each server RESTORE on
/// the other with the same contents and OBJECT ENCODING, for every encoding Redis 7.0 produces (the cases
/// of tests/CoolCache.Core.Tests/Rdb/fixtures/dumps.txt, built by the same commands on both servers);
/// streams compared by XRANGE, XINFO STREAM FULL / GROUPS / CONSUMERS and XPENDING (times only where one
/// server's clock made them both), and then fed the same entries on both to show that they go on alike.
/// RDB files both ways (redis-check-rdb on ours), BGSAVE, save points and SHUTDOWN's save.
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

/// A reply as one line of text.
let rec private render (r: Reply) =
    match r with
    | Array xs -> "[" + (xs |> List.map render |> String.concat " ") + "]"
    | NullBulk
    | NullArray
    | Null -> "nil"
    | other -> text other

/// A RESP2 flat map ([k1, v1, k2, v2, ...]) as (key, value) pairs.
let private pairs (r: Reply) =
    match r with
    | Array xs -> xs |> List.chunkBySize 2 |> List.map (fun kv -> text kv[0], kv[1])
    | other -> failwithf "not a map: %A" other

let private items (r: Reply) =
    match r with
    | Array xs -> xs
    | other -> failwithf "not an array: %A" other

/// Lines holding a time (delivery, seen), which only a DUMP/RESTORE or file keeps equal.
let private isTime (line: string) = line.StartsWith "time "

/// XINFO STREAM key FULL COUNT 0 as lines; delivery and seen times on "time " lines of their own.
let private streamFull (c: RawClient) (k: byte[]) =
    task {
        let! full =
            send
                c
                [
                    latin1 "XINFO"
                    latin1 "STREAM"
                    k
                    latin1 "FULL"
                    latin1 "COUNT"
                    latin1 "0"
                ]

        return
            [
                for key, v in pairs full do
                    if key = "groups" then
                        for g in items v do
                            for gk, gv in pairs g do
                                match gk with
                                | "pending" ->
                                    for p in items gv do
                                        let p = items p
                                        $"group-pending {render p[0]} {render p[1]} count {render p[3]}"
                                        $"time group-pending {render p[0]} {render p[2]}"
                                | "consumers" ->
                                    for cons in items gv do
                                        for ck, cv in pairs cons do
                                            match ck with
                                            | "seen-time" -> $"time seen {render cv}"
                                            | "pending" ->
                                                for p in items cv do
                                                    let p = items p
                                                    $"consumer-pending {render p[0]} count {render p[2]}"
                                                    $"time consumer-pending {render p[0]} {render p[1]}"
                                            | _ -> $"consumer {ck} {render cv}"
                                | _ -> $"group {gk} {render gv}"
                    else
                        $"{key} {render v}"
            ]
    }

/// A stream as Redis answers about it: XINFO STREAM FULL, XRANGE, XREVRANGE, XINFO GROUPS, and per
/// group XINFO CONSUMERS (without idle times) and XPENDING, summary and extended (without idle times).
let private describeStream (c: RawClient) (k: byte[]) =
    task {
        let! full = streamFull c k
        let! range = send c [ latin1 "XRANGE"; k; latin1 "-"; latin1 "+" ]

        let! rev =
            send c [ latin1 "XREVRANGE"; k; latin1 "+"; latin1 "-"; latin1 "COUNT"; latin1 "3" ]

        let! groups = send c [ latin1 "XINFO"; latin1 "GROUPS"; k ]
        let lines = ResizeArray<string>(full)
        lines.Add("xrange " + render range)
        lines.Add("xrevrange " + render rev)
        lines.Add("groups " + render groups)

        for g in items groups do
            let name =
                (pairs g |> List.find (fun (key, _) -> key = "name") |> snd |> text) |> latin1

            let! consumers = send c [ latin1 "XINFO"; latin1 "CONSUMERS"; k; name ]

            for cons in items consumers do
                lines.Add(
                    "consumers "
                    + (pairs cons
                       |> List.filter (fun (key, _) -> key <> "idle")
                       |> List.map (fun (key, v) -> key + "=" + render v)
                       |> String.concat " ")
                )

            let! summary = send c [ latin1 "XPENDING"; k; name ]
            lines.Add("xpending " + render summary)

            let! extended =
                send c [ latin1 "XPENDING"; k; name; latin1 "-"; latin1 "+"; latin1 "100000" ]

            for p in items extended do
                let p = items p
                lines.Add($"xpending-extended {render p[0]} {render p[1]} count {render p[3]}")

        return List.ofSeq lines
    }

/// A key's type, encoding and contents in a canonical form (unordered kinds sorted).
let private describe (c: RawClient) (key: string) =
    task {
        let k = latin1 key
        let! t = send c [ latin1 "TYPE"; k ]
        let! enc = send c [ latin1 "OBJECT"; latin1 "ENCODING"; k ]

        if text t = "stream" then
            let! lines = describeStream c k
            return text t, text enc, lines
        else
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

let private timeless (t: string, enc: string, lines: string list) =
    t, enc, lines |> List.filter (isTime >> not)

/// Appends small entries one at a time with no entry limit per node, noting after each the number of
/// nodes (radix-tree-keys): a node ends where its listpack reaches stream-node-max-bytes, deleted
/// entries' bytes included, so a stream must go on after a DUMP/RESTORE or a reload exactly as it would
/// have. Then, with Redis's default limits, bigger entries, deletions and an approximate trim (whole
/// nodes) and XINFO STREAM.
let private goOn (c: RawClient) (key: string) =
    task {
        let k = latin1 key
        let replies = ResizeArray<string>()
        let! _ = c.Cmd("CONFIG", "SET", "stream-node-max-entries", "0")

        for n in 1..300 do
            let! _ =
                send c [ latin1 "XADD"; k; latin1 $"9000000000000-{n}"; latin1 "f"; latin1 "" ]

            let! info = send c [ latin1 "XINFO"; latin1 "STREAM"; k ]

            replies.Add(
                pairs info
                |> List.find (fun (key, _) -> key = "radix-tree-keys")
                |> snd
                |> render
            )

        let! _ = c.Cmd("CONFIG", "SET", "stream-node-max-entries", "100")

        for n in 301..500 do
            let fields =
                if n % 5 = 0 then
                    [ "other"; string n ]
                else
                    [ "f"; String('y', n % 97) ]

            let! r = send c ([ "XADD"; key; $"9000000000000-{n}" ] @ fields |> List.map latin1)
            replies.Add(render r)

        let! d =
            send c [ latin1 "XDEL"; k; latin1 "9000000000000-3"; latin1 "9000000000000-500" ]

        replies.Add(render d)
        let! t = send c [ latin1 "XTRIM"; k; latin1 "MAXLEN"; latin1 "~"; latin1 "100" ]
        replies.Add(render t)
        let! info = send c [ latin1 "XINFO"; latin1 "STREAM"; k ]
        replies.Add(render info)
        return List.ofSeq replies
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
        // Redis checks every listpack entry of the payload (sanitize-dump-payload yes)
        let! _ = redis.Cmd("CONFIG", "SET", "sanitize-dump-payload", "yes")
        let! r2 = send redis [ latin1 "RESTORE"; latin1 "r"; latin1 "0"; payload fromOurs ]
        let! _ = redis.Cmd("CONFIG", "SET", "sanitize-dump-payload", "no")
        Expect.equal r2 (Simple(latin1 "OK")) "Redis restores CoolCache's payload"
        let! expected = describe redis "k"
        let! built = describe ours "k"
        let! inOurs = describe ours "r"
        let! inRedis = describe redis "r"
        // times (stream deliveries, consumers seen) are each server's clock: equal only when carried over
        Expect.equal (timeless built) (timeless expected) "built the same on both servers"
        Expect.equal inOurs expected "Redis's payload restored in CoolCache"
        Expect.equal inRedis built "CoolCache's payload restored in Redis"

        let! t = send redis [ latin1 "TYPE"; latin1 "k" ]

        if text t = "stream" then
            let! a = goOn redis "k"
            let! b = goOn redis "r"
            let! c = goOn ours "k"
            let! d = goOn ours "r"
            Expect.sequenceEqual b a "in Redis, CoolCache's payload goes on as Redis's own stream"
            Expect.sequenceEqual c a "CoolCache's stream goes on as Redis's"
            Expect.sequenceEqual d a "in CoolCache, Redis's payload goes on as Redis's own stream"
    }

/// The stream in a DUMP payload re-encoded as Redis 5 to 6.2 wrote it (RDB_TYPE_STREAM_LISTPACKS, 15).
let private asLegacyStream (payload: byte[]) =
    let limits: CoolCache.Core.Rdb.RdbReader.RdbLimits =
        {
            Hash = { MaxEntries = 512L; MaxValue = 64L }
            MaxIntsetEntries = 512L
            SortedSet =
                {
                    MaxMembers = 128L
                    MaxMemberBytes = 64L
                }
        }

    match CoolCache.Core.Rdb.RdbReader.restore limits payload with
    | Ok(CoolCache.Core.Values.Value.Stream s) ->
        use ms = new MemoryStream()
        let o = CoolCache.Core.Rdb.RdbWriter.RdbOutput(ms)
        let t = CoolCache.Core.Rdb.RdbFormat.TypeStreamListpacks
        o.Byte t
        CoolCache.Core.Rdb.RdbWriter.writeStreamAs o true t s
        o.Byte(byte CoolCache.Core.Rdb.RdbFormat.writeVersion)
        o.Byte 0uy
        o.Flush()
        ms.Write(BitConverter.GetBytes o.Crc, 0, 8)
        ms.ToArray()
    | other -> failtestf "not a stream payload: %A" other

/// A stream built by the commands on CoolCache, DUMPed, re-encoded as type 15 and RESTOREd on both
/// servers: each estimates what the old format lacks (entries added, groups' entries read) alike.
let private legacyExchange (oracle: Target) (candidate: Target) (commands: string list list) =
    task {
        use! redis = RawClient.ConnectAsync oracle.Port
        use! ours = RawClient.ConnectAsync candidate.Port
        let! _ = redis.Cmd "FLUSHALL"
        let! _ = ours.Cmd "FLUSHALL"

        for cmd in commands do
            let! _ = send ours (cmd |> List.map latin1)
            ()

        let! dumped = send ours [ latin1 "DUMP"; latin1 "k" ]

        let legacy =
            match dumped with
            | Bulk b -> asLegacyStream b
            | other -> failtestf "DUMP replied %A" other

        for c in [ redis; ours ] do
            let! r = send c [ latin1 "RESTORE"; latin1 "old"; latin1 "0"; legacy ]
            Expect.equal r (Simple(latin1 "OK")) "the type 15 payload restores"

        let! expected = describe redis "old"
        let! actual = describe ours "old"

        // Deliberate difference: Redis takes an empty old-format stream's first ID from an iterator that
        // finds nothing (streamGetEdgeID: 2^64-1-2^64-1) where we record 0-0 as for every empty stream.
        let firstIdOfEmpty (t: string, enc: string, lines: string list) =
            if List.contains "length 0" lines then
                t, enc, lines |> List.filter (fun l -> not (l.StartsWith "recorded-first-entry-id"))
            else
                t, enc, lines

        Expect.equal (firstIdOfEmpty actual) (firstIdOfEmpty expected) "CoolCache reads the old format as Redis does"
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
    CoolCache.Server.ServerHost.StartAsync
        [|
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
        |]

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
/// One field of an INFO section ("" when the section does not list it).
let infoFieldIn (c: RawClient) (section: string) (field: string) =
    task {
        let! raw = c.Cmd("INFO", section)

        let text =
            match parseReply raw with
            | Bulk b
            | Verbatim b -> Encoding.Latin1.GetString b
            | other -> failwithf "INFO replied %A" other

        return
            text.Split("\r\n")
            |> Array.tryPick (fun l ->
                if l.StartsWith(field + ":") then
                    Some(l.Substring(field.Length + 1))
                else
                    None)
            |> Option.defaultValue ""
    }

/// One field of INFO persistence.
let infoField (c: RawClient) (field: string) = infoFieldIn c "persistence" field

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
                [|
                    "--port"
                    "0"
                    "--bind"
                    "127.0.0.1"
                    "--save"
                    "3600 1"
                    "--dir"
                    dir
                    "--loglevel"
                    "nothing"
                |]

        use! c = RawClient.ConnectAsync host.Port
        let! _ = c.Cmd("SET", "kept", "by-shutdown")
        // a stream with a group, a consumer and pending entries is saved too
        let! _ = c.Cmd("XADD", "events", "1-1", "f", "v")
        let! _ = c.Cmd("XADD", "events", "1-2", "f", "w")
        let! _ = c.Cmd("XGROUP", "CREATE", "events", "g", "0")

        let! _ =
            c.Cmd("XREADGROUP", "GROUP", "g", "alice", "COUNT", "1", "STREAMS", "events", ">")

        let! _ = c.Cmd("XDEL", "events", "1-2")
        let! stream = describe c "events"
        do! c.Post [ [ latin1 "SHUTDOWN" ] ]
        do! host.Completion
        Expect.isTrue (File.Exists(Path.Combine(dir, "dump.rdb"))) "SHUTDOWN with save points wrote dump.rdb"

        do!
            withOurs dir [] (fun c ->
                task {
                    let! v = c.Cmd("GET", "kept")
                    Expect.equal (parseReply v) (Bulk(latin1 "by-shutdown")) "the key is back"
                    let! back = describe c "events"
                    Expect.equal back stream "the stream is back with its group"
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
            testTask
                "SHUTDOWN saves (streams too) when save points exist and a restart loads it; SHUTDOWN NOSAVE does not" {
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
            for name, commands in cases.Force() |> Array.filter (fun (n, _) -> n.StartsWith "stream") do
                testTask $"{name} as Redis 6.2 wrote it (type 15) restores on both servers alike" {
                    RedisProcess.requireRedisServer ()
                    let! oracle, candidate = pair.Force()
                    do! legacyExchange oracle candidate commands
                }
        ]
