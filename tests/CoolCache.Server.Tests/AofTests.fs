/// The append-only file (Redis 7's multi-part layout): our directory loads in redis-server and Redis's
/// loads here with the same contents; a torn tail is cut off (aof-load-truncated) or refused; turning
/// appendonly on at run time keeps the data; BGREWRITEAOF swaps the base while writes go on.
module CoolCache.Server.Tests.AofTests

open System
open System.IO
open System.Text
open System.Threading.Tasks
open Expecto
open CoolCache.Server.Tests.RawClient
open CoolCache.Server.Tests.PersistenceInteropTests

let private latin1 (s: string) = Encoding.Latin1.GetBytes s

let private aofDir (dir: string) = Path.Combine(dir, "appendonlydir")

let private manifest (dir: string) =
    File.ReadAllText(Path.Combine(aofDir dir, "appendonly.aof.manifest"))

/// Copy one server's append-only directory into another's working directory.
let private copyAof (fromDir: string) (toDir: string) =
    let target = aofDir toDir
    Directory.CreateDirectory target |> ignore

    for f in Directory.GetFiles(aofDir fromDir) do
        File.Copy(f, Path.Combine(target, Path.GetFileName f), true)

/// More writes of every kind after a rewrite: they live in the incremental file.
let writeMore (c: RawClient) =
    task {
        for cmd in
            [
                [ "SET"; "after"; "1" ]
                [ "INCRBYFLOAT"; "after-float"; "2.5" ]
                [ "RPUSH"; "after-list"; "a"; "b" ]
                [ "SET"; "after-ttl"; "x"; "EX"; "1000" ]
                [ "SADD"; "after-set"; "m" ]
                [ "ZADD"; "after-zset"; "1"; "m" ]
                [ "HSET"; "after-hash"; "f"; "v" ]
                [ "SELECT"; "5" ]
                [ "SET"; "after-db5"; "y" ]
                [ "SELECT"; "0" ]
                [ "MULTI" ]
                [ "INCR"; "after-tx" ]
                [ "INCR"; "after-tx" ]
                [ "EXEC" ]
            ] do
            let! _ = c.Send(cmd |> List.map latin1)
            ()
    }

let snapshotMore (c: RawClient) =
    task {
        let! rows = snapshot c
        let rows = ResizeArray rows

        for cmd in
            [
                [ "GET"; "after" ]
                [ "GET"; "after-float" ]
                [ "LRANGE"; "after-list"; "0"; "-1" ]
                [ "PEXPIRETIME"; "after-ttl" ]
                [ "SMEMBERS"; "after-set" ]
                [ "ZRANGE"; "after-zset"; "0"; "-1"; "WITHSCORES" ]
                [ "HGETALL"; "after-hash" ]
                [ "GET"; "after-tx" ]
                [ "SELECT"; "5" ]
                [ "GET"; "after-db5" ]
                [ "SELECT"; "0" ]
            ] do
            let! r = c.Send(cmd |> List.map latin1)
            rows.Add(sprintf "%s %A" (String.concat " " cmd) (parseReply r))

        return List.ofSeq rows
    }

let private waitRewrite (c: RawClient) (rewrites: string) =
    Polling.until "the AOF rewrite finished" (fun () ->
        task {
            let! running = infoField c "aof_rewrite_in_progress"
            let! done' = infoField c "aof_rewrites"
            return running = "0" && done' = rewrites
        })

let private redisLoadsOurs () : Task =
    task {
        let dir = TestDirs.fresh ()
        let mutable expected = []

        do!
            withOurs dir [ "--appendonly"; "yes"; "--appendfsync"; "always" ] (fun c ->
                task {
                    do! populate c
                    let! r = c.Cmd "BGREWRITEAOF"

                    Expect.equal
                        (parseReply r)
                        (Simple(latin1 "Background append only file rewriting started"))
                        "reply"

                    do! waitRewrite c "1"
                    do! writeMore c
                    let! e = snapshotMore c
                    expected <- e
                })

        let m = manifest dir
        Expect.stringContains m "appendonly.aof.2.base.rdb seq 2 type b" "the rewrite's base"
        Expect.stringContains m "appendonly.aof.2.incr.aof seq 2 type i" "the incremental file opened by the rewrite"
        Expect.isFalse (m.Contains "seq 1 type i") "the first incremental file is gone from the manifest"

        use! (redis: RedisProcess.RedisServer) =
            RedisProcess.startWithArgs (copyAof dir) [ "--appendonly"; "yes" ]

        use! rc = RawClient.ConnectAsync redis.Port
        let! actual = snapshotMore rc
        Expect.sequenceEqual actual expected "redis-server loaded our append-only directory"
    }

let private oursLoadsRedis () : Task =
    task {
        use! (redis: RedisProcess.RedisServer) =
            RedisProcess.startWithArgs ignore [ "--appendonly"; "yes" ]

        use! rc = RawClient.ConnectAsync redis.Port
        do! populate rc
        let! _ = rc.Cmd "BGREWRITEAOF"
        do! waitRewrite rc "1"
        do! writeMore rc
        let! expected = snapshotMore rc
        let dir = TestDirs.fresh ()
        copyAof redis.Dir dir

        do!
            withOurs dir [ "--appendonly"; "yes" ] (fun c ->
                task {
                    let! actual = snapshotMore c
                    Expect.sequenceEqual actual expected "CoolCache loaded Redis's append-only directory"
                })
    }

/// Streams with groups, consumers and pending entries, and an empty stream.
let writeStreams (c: RawClient) =
    task {
        for cmd in
            [
                [ "XADD"; "st"; "1-1"; "f"; "v" ]
                [ "XADD"; "st"; "2-1"; "f"; "w"; "g"; "x" ]
                [ "XADD"; "st"; "3-1"; "f"; "z" ]
                [ "XDEL"; "st"; "2-1" ]
                [ "XGROUP"; "CREATE"; "st"; "grp"; "0" ]
                [ "XREADGROUP"; "GROUP"; "grp"; "alice"; "COUNT"; "1"; "STREAMS"; "st"; ">" ]
                [ "XGROUP"; "CREATECONSUMER"; "st"; "grp"; "bob" ]
                [ "XGROUP"; "CREATE"; "empty"; "g0"; "$"; "MKSTREAM" ]
            ] do
            let! _ = c.Send(cmd |> List.map latin1)
            ()
    }

let describeStreams (c: RawClient) =
    task {
        let rows = ResizeArray<string>()

        for cmd in
            [
                [ "XRANGE"; "st"; "-"; "+" ]
                [ "XINFO"; "STREAM"; "st" ]
                [ "XINFO"; "GROUPS"; "st" ]
                [ "XPENDING"; "st"; "grp" ]
                [ "XINFO"; "STREAM"; "empty" ]
                [ "XINFO"; "GROUPS"; "empty" ]
            ] do
            let! r = c.Send(cmd |> List.map latin1)
            rows.Add(sprintf "%s %A" (String.concat " " cmd) (parseReply r))

        return List.ofSeq rows
    }

/// A consumer's seen time is when it last acted on that server: commands (an AOF-format base, a replication
/// stream) cannot carry it, in Redis either; only RDB does.
let seenTimesOut (rows: string list) =
    rows
    |> List.map (fun r -> Text.RegularExpressions.Regex.Replace(r, "time seen [0-9]+", "time seen _"))

/// Rows about streams (the populate cases named "stream ..."): a pending entry whose stream entry was deleted
/// cannot be rebuilt by commands (XCLAIM FORCE needs the entry), so Redis's own AOF rewrite drops it too.
let private streamRow (r: string) = r.StartsWith "stream"

let private baseInCommands () : Task =
    task {
        let dir = TestDirs.fresh ()
        let mutable original = []

        do!
            withOurs dir [ "--appendonly"; "yes"; "--aof-use-rdb-preamble"; "no" ] (fun c ->
                task {
                    do! populate c
                    do! writeStreams c
                    let! _ = c.Cmd "BGREWRITEAOF"
                    do! waitRewrite c "1"
                    let! rows = snapshot c
                    let! streams = describeStreams c
                    original <- seenTimesOut (rows @ streams)
                })

        Expect.stringContains (manifest dir) "appendonly.aof.2.base.aof seq 2 type b" "an AOF-format base"
        let mutable ours = []

        do!
            withOurs dir [ "--appendonly"; "yes" ] (fun c ->
                task {
                    let! rows = snapshot c
                    let! streams = describeStreams c
                    ours <- seenTimesOut (rows @ streams)
                })

        Expect.sequenceEqual
            (ours |> List.filter (streamRow >> not))
            (original |> List.filter (streamRow >> not))
            "CoolCache loads its AOF-format base"

        RedisProcess.requireRedisServer ()

        use! (redis: RedisProcess.RedisServer) =
            RedisProcess.startWithArgs (copyAof dir) [ "--appendonly"; "yes" ]

        use! rc = RawClient.ConnectAsync redis.Port
        let! rows = snapshot rc
        let! streams = describeStreams rc

        Expect.sequenceEqual
            ours
            (seenTimesOut (rows @ streams))
            "redis-server loads our AOF-format base the same, streams included"
    }

let private lastIncr (dir: string) =
    Directory.GetFiles(aofDir dir, "*.incr.aof") |> Array.max

let private tornTail () : Task =
    task {
        let dir = TestDirs.fresh ()

        do!
            withOurs dir [ "--appendonly"; "yes" ] (fun c ->
                task {
                    let! _ = c.Cmd("SET", "kept", "1")
                    ()
                })

        let incr = lastIncr dir
        let size = FileInfo(incr).Length
        File.AppendAllText(incr, "*3\r\n$3\r\nSET\r\n$4\r\ntorn\r\n$5\r\nval")

        let refused =
            try
                (withOurs dir [ "--appendonly"; "yes"; "--aof-load-truncated"; "no" ] (fun _ -> Task.CompletedTask))
                    .Wait()

                false
            with _ ->
                true

        Expect.isTrue refused "aof-load-truncated no refuses to start on a torn tail"

        do!
            withOurs dir [ "--appendonly"; "yes" ] (fun c ->
                task {
                    let! kept = c.Cmd("GET", "kept")
                    Expect.equal (parseReply kept) (Bulk(latin1 "1")) "what came before the torn command is there"
                    let! torn = c.Cmd("EXISTS", "torn")
                    Expect.equal (parseReply torn) (Integer 0L) "the torn command is not"
                })

        Expect.equal (FileInfo(incr).Length) size "the file was cut back to its last complete command"
    }

let private openMulti () : Task =
    task {
        let dir = TestDirs.fresh ()

        do!
            withOurs dir [ "--appendonly"; "yes" ] (fun c ->
                task {
                    let! _ = c.Cmd("SET", "kept", "1")
                    ()
                })

        File.AppendAllText(lastIncr dir, "*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n$4\r\nhalf\r\n$1\r\n1\r\n")

        do!
            withOurs dir [ "--appendonly"; "yes" ] (fun c ->
                task {
                    let! half = c.Cmd("EXISTS", "half")
                    Expect.equal (parseReply half) (Integer 0L) "a transaction without EXEC is not applied"
                    let! kept = c.Cmd("GET", "kept")
                    Expect.equal (parseReply kept) (Bulk(latin1 "1")) "what came before it is"
                })
    }

let private turnedOnAtRunTime () : Task =
    task {
        let dir = TestDirs.fresh ()
        let mutable expected = []

        do!
            withOurs dir [] (fun c ->
                task {
                    do! populate c
                    let! ok = c.Cmd("CONFIG", "SET", "appendonly", "yes")
                    Expect.equal (parseReply ok) (Simple(latin1 "OK")) "CONFIG SET appendonly yes"
                    do! writeMore c
                    do! waitRewrite c "1"
                    let! enabled = infoField c "aof_enabled"
                    Expect.equal enabled "1" "aof_enabled"
                    let! e = snapshotMore c
                    expected <- e
                })

        do!
            withOurs dir [ "--appendonly"; "yes" ] (fun c ->
                task {
                    let! actual = snapshotMore c
                    Expect.sequenceEqual actual expected "the data from before and after turning it on"
                })
    }

let private expiryPropagated () : Task =
    task {
        let dir = TestDirs.fresh ()

        do!
            withOurs dir [ "--appendonly"; "yes" ] (fun c ->
                task {
                    let! _ = c.Cmd("SET", "n", "5", "PX", "30")

                    do!
                        Polling.until "the key expired" (fun () ->
                            task {
                                let! ttl = c.Cmd("PTTL", "n")
                                return parseReply ttl = Integer -2L
                            })

                    // INCR of the expired key: 1 here, and 1 again after replaying (DEL before INCR)
                    let! one = c.Cmd("INCR", "n")
                    Expect.equal (parseReply one) (Integer 1L) "INCR after expiry"
                })

        do!
            withOurs dir [ "--appendonly"; "yes" ] (fun c ->
                task {
                    let! n = c.Cmd("GET", "n")
                    Expect.equal (parseReply n) (Bulk(latin1 "1")) "the replay matches"
                    let! ttl = c.Cmd("PTTL", "n")
                    Expect.equal (parseReply ttl) (Integer -1L) "with no TTL"
                })
    }

let private evictionsLogged () : Task =
    task {
        let dir = TestDirs.fresh ()
        let mutable expected = []

        do!
            withOurs
                dir
                [
                    "--appendonly"
                    "yes"
                    "--maxmemory"
                    "2mb"
                    "--maxmemory-policy"
                    "allkeys-random"
                ]
                (fun c ->
                    task {
                        for chunk in Seq.chunkBySize 100 [ 0..19999 ] do
                            let args =
                                latin1 "MSET"
                                :: [
                                    for i in chunk do
                                        yield latin1 $"k{i}"
                                        yield latin1 (String('v', 100))
                                ]

                            let! _ = c.Send args
                            ()

                        let! evicted = infoFieldIn c "stats" "evicted_keys"
                        Expect.notEqual evicted "0" "keys were evicted"
                        let! keys = c.Cmd("KEYS", "*")
                        expected <- (parseReply keys |> sprintf "%A").Split(',') |> Array.sort |> List.ofArray
                    })

        do!
            withOurs dir [ "--appendonly"; "yes" ] (fun c ->
                task {
                    let! keys = c.Cmd("KEYS", "*")

                    let actual =
                        (parseReply keys |> sprintf "%A").Split(',') |> Array.sort |> List.ofArray

                    Expect.sequenceEqual actual expected "the keys eviction removed are deleted in the file too"
                })
    }

let tests =
    testSequenced
    <| testList
        "AppendOnlyFile"
        [
            testTask
                "redis-server loads our append-only directory (base after BGREWRITEAOF + incremental) with the same contents" {
                RedisProcess.requireRedisServer ()
                do! redisLoadsOurs ()
            }
            testTask "CoolCache loads redis-server's append-only directory with the same contents" {
                RedisProcess.requireRedisServer ()
                do! oursLoadsRedis ()
            }
            testTask
                "with aof-use-rdb-preamble no the base is commands (streams with groups too) and both servers load it" {
                do! baseInCommands ()
            }
            testTask "a torn last command is cut off with aof-load-truncated yes and refused with no" {
                do! tornTail ()
            }
            testTask "a MULTI never closed by EXEC at the end of the file is not applied" { do! openMulti () }
            testTask "CONFIG SET appendonly yes at run time keeps the data written before and after" {
                do! turnedOnAtRunTime ()
            }
            testTask "a key that expired is deleted in the file before a command recreates it" {
                do! expiryPropagated ()
            }
            testTask "keys evicted by maxmemory are deleted in the file too" { do! evictionsLogged () }
        ]
