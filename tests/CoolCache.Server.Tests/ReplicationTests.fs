/// Replication with real redis-server in both directions and between CoolCache servers: after a mixed
/// write load over every data type the contents agree on every node; a cut link resynchronises
/// partially (the primary counts sync_partial_ok, not another sync_full); WAIT counts the replicas
/// that acknowledged; a chain forwards the stream; replicas refuse writes.
module CoolCache.Server.Tests.ReplicationTests

open System
open System.Text
open System.Threading.Tasks
open Expecto
open CoolCache.Server
open CoolCache.Server.Tests.RawClient
open CoolCache.Server.Tests.PersistenceInteropTests
open CoolCache.Server.Tests.AofTests

let private latin1 (s: string) = Encoding.Latin1.GetBytes s

/// A CoolCache server on a free port in dir, with extra settings.
let private startOursIn (dir: string) (extra: string list) : Task<ServerHost> =
    ServerHost.StartAsync(
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

let private startOurs (extra: string list) = startOursIn (TestDirs.fresh ()) extra

let private info = infoFieldIn

let private linkUp (replica: RawClient) =
    Polling.until "the replica's link is up and synced" (fun () ->
        task {
            let! up = info replica "replication" "master_link_status"
            let! syncing = info replica "replication" "master_sync_in_progress"
            return up = "up" && syncing = "0"
        })

/// WAIT until n replicas acknowledged everything written so far.
let private waitFor (primary: RawClient) (n: int) =
    task {
        let! r = primary.Cmd("WAIT", string n, "10000")
        Expect.equal (parseReply r) (Integer(int64 n)) $"WAIT {n}"
    }

/// Everything the load wrote, described the same way on any server (seen times aside: see seenTimesOut).
let private contents (c: RawClient) =
    task {
        let! rows = snapshotMore c
        let! streams = describeStreams c

        return seenTimesOut (rows @ streams)
    }

let private load (c: RawClient) =
    task {
        do! populate c
        do! writeMore c
        do! writeStreams c
    }

let private redisReplicaOfOurs () : Task =
    task {
        let! host = startOurs []

        try
            use! primary = RawClient.ConnectAsync host.Port
            do! populate primary

            use! (redis: RedisProcess.RedisServer) =
                RedisProcess.startWithArgs ignore [ "--replicaof"; "127.0.0.1"; string host.Port ]

            use! replica = RawClient.ConnectAsync redis.Port
            do! linkUp replica
            do! writeMore primary
            do! writeStreams primary
            do! waitFor primary 1
            let! expected = contents primary
            let! actual = contents replica
            Expect.sequenceEqual actual expected "redis-server holds what CoolCache holds"
            // cut the link: the replica reconnects with PSYNC and continues from the backlog
            let! _ = replica.Cmd("CLIENT", "KILL", "TYPE", "master")
            let! _ = primary.Cmd("SET", "after-cut", "x")
            let! _ = primary.Cmd("RPUSH", "after-cut-list", "a", "b")

            do!
                Polling.until "the write after the cut reached the replica" (fun () ->
                    task {
                        let! v = replica.Cmd("LRANGE", "after-cut-list", "0", "-1")
                        return parseReply v = Array [ Bulk(latin1 "a"); Bulk(latin1 "b") ]
                    })

            let! full = info primary "stats" "sync_full"
            let! partial = info primary "stats" "sync_partial_ok"
            Expect.equal (full, partial) ("1", "1") "one full sync, then a partial resync (CONTINUE)"
        finally
            host.DisposeAsync().AsTask().Wait()
    }

let private oursReplicaOfRedis () : Task =
    task {
        use! (redis: RedisProcess.RedisServer) =
            RedisProcess.startWithArgs ignore [ "--repl-diskless-sync-delay"; "0" ]

        use! primary = RawClient.ConnectAsync redis.Port
        do! populate primary
        let! host = startOurs [ "--replicaof"; "127.0.0.1"; string redis.Port ]

        try
            use! replica = RawClient.ConnectAsync host.Port
            do! linkUp replica
            do! writeMore primary
            do! writeStreams primary
            do! waitFor primary 1
            let! expected = contents primary
            let! actual = contents replica
            Expect.sequenceEqual actual expected "CoolCache holds what redis-server holds"
            let! refused = replica.Cmd("SET", "x", "1")

            Expect.equal
                (parseReply refused)
                (Error(latin1 "READONLY You can't write against a read only replica."))
                "a replica refuses writes"

            let! _ = primary.Cmd("CLIENT", "KILL", "TYPE", "replica")
            let! _ = primary.Cmd("SET", "after-cut", "x")

            do!
                Polling.until "the write after the cut reached the replica" (fun () ->
                    task {
                        let! v = replica.Cmd("GET", "after-cut")
                        return parseReply v = Bulk(latin1 "x")
                    })

            let! full = info primary "stats" "sync_full"
            let! partial = info primary "stats" "sync_partial_ok"
            Expect.equal (full, partial) ("1", "1") "one full sync, then a partial resync (CONTINUE)"
        finally
            host.DisposeAsync().AsTask().Wait()
    }

let private waitCounts () : Task =
    task {
        let! host = startOurs []

        try
            use! primary = RawClient.ConnectAsync host.Port
            let! _ = primary.Cmd("SET", "a", "1")
            let! none = primary.Cmd("WAIT", "1", "100")
            Expect.equal (parseReply none) (Integer 0L) "no replica: 0 after the timeout"
            let! zero = primary.Cmd("WAIT", "0", "0")
            Expect.equal (parseReply zero) (Integer 0L) "WAIT 0 answers at once"

            use! (redis: RedisProcess.RedisServer) =
                RedisProcess.startWithArgs ignore [ "--replicaof"; "127.0.0.1"; string host.Port ]

            use! r1 = RawClient.ConnectAsync redis.Port
            do! linkUp r1
            let! _ = primary.Cmd("SET", "b", "2")
            do! waitFor primary 1
            let! second = startOurs [ "--replicaof"; "127.0.0.1"; string host.Port ]

            try
                use! r2 = RawClient.ConnectAsync second.Port
                do! linkUp r2
                let! _ = primary.Cmd("SET", "c", "3")
                do! waitFor primary 2
                redis.Dispose()
                let! _ = primary.Cmd("SET", "d", "4")
                let! one = primary.Cmd("WAIT", "2", "500")
                Expect.equal (parseReply one) (Integer 1L) "after one replica is killed, WAIT 2 times out with 1"
                let! v = r2.Cmd("GET", "d")
                Expect.equal (parseReply v) (Bulk(latin1 "4")) "the other still replicates"
            finally
                second.DisposeAsync().AsTask().Wait()
        finally
            host.DisposeAsync().AsTask().Wait()
    }

let private chain () : Task =
    task {
        let! top = startOurs []
        let! middle = startOurs [ "--replicaof"; "127.0.0.1"; string top.Port ]

        try
            use! primary = RawClient.ConnectAsync top.Port
            use! mid = RawClient.ConnectAsync middle.Port
            do! linkUp mid

            use! (redis: RedisProcess.RedisServer) =
                RedisProcess.startWithArgs ignore [ "--replicaof"; "127.0.0.1"; string middle.Port ]

            use! bottom = RawClient.ConnectAsync redis.Port
            do! linkUp bottom
            do! load primary
            do! waitFor primary 1

            do!
                Polling.until "the end of the chain caught up" (fun () ->
                    task {
                        let! a = info mid "replication" "master_repl_offset"
                        let! b = info bottom "replication" "master_repl_offset"
                        return a <> "" && a = b
                    })

            let! expected = contents primary
            let! m = contents mid
            let! b = contents bottom
            Expect.sequenceEqual m expected "the middle CoolCache replica"
            Expect.sequenceEqual b expected "redis-server replicating from the middle"
            // promoting the middle keeps its data and its history as replid2
            let! _ = mid.Cmd("REPLICAOF", "NO", "ONE")
            let! role = info mid "replication" "role"
            Expect.equal role "master" "promoted"
            let! ok = mid.Cmd("SET", "written-on-middle", "1")
            Expect.equal (parseReply ok) (Simple(latin1 "OK")) "it takes writes"
        finally
            middle.DisposeAsync().AsTask().Wait()
            top.DisposeAsync().AsTask().Wait()
    }

/// n keys big:<i> = i written with MSETs of 1000.
let private fill (c: RawClient) (n: int) =
    task {
        for chunk in Seq.chunkBySize 1000 [ 0 .. n - 1 ] do
            let args =
                latin1 "MSET"
                :: [
                    for i in chunk do
                        yield latin1 $"big:{i}"
                        yield latin1 (string i)
                ]

            let! _ = c.Send args
            ()
    }

let private sameCount (primary: RawClient) (replica: RawClient) =
    task {
        let! a = primary.Cmd "DBSIZE"
        let! b = replica.Cmd "DBSIZE"
        Expect.equal (parseReply b) (parseReply a) "DBSIZE on the replica"
    }

let private cutDuringFullSync () : Task =
    task {
        let! top = startOurs []

        try
            use! primary = RawClient.ConnectAsync top.Port
            do! fill primary 200000
            let! replicaHost = startOurs [ "--replicaof"; "127.0.0.1"; string top.Port ]

            try
                use! replica = RawClient.ConnectAsync replicaHost.Port

                do!
                    Polling.until "the full sync started" (fun () ->
                        task {
                            let! full = info primary "stats" "sync_full"
                            return full = "1"
                        })

                let! _ = primary.Cmd("CLIENT", "KILL", "TYPE", "replica")
                do! load primary
                do! linkUp replica
                do! waitFor primary 1
                do! sameCount primary replica
                let! expected = contents primary
                let! actual = contents replica
                Expect.sequenceEqual actual expected "the replica holds what the primary holds"
            finally
                replicaHost.DisposeAsync().AsTask().Wait()
        finally
            top.DisposeAsync().AsTask().Wait()
    }

let private replicaRestart () : Task =
    task {
        let! top = startOurs []

        try
            use! primary = RawClient.ConnectAsync top.Port
            do! populate primary
            let! first = startOurs [ "--replicaof"; "127.0.0.1"; string top.Port ]

            do!
                task {
                    use! r = RawClient.ConnectAsync first.Port
                    do! linkUp r
                }

            do! first.DisposeAsync()
            do! writeMore primary
            do! writeStreams primary
            let! second = startOurs [ "--replicaof"; "127.0.0.1"; string top.Port ]

            try
                use! replica = RawClient.ConnectAsync second.Port
                do! linkUp replica
                do! waitFor primary 1
                let! expected = contents primary
                let! actual = contents replica
                Expect.sequenceEqual actual expected "a restarted replica syncs again and holds everything"
            finally
                second.DisposeAsync().AsTask().Wait()
        finally
            top.DisposeAsync().AsTask().Wait()
    }

let private replicaRestartFromItsFile () : Task =
    task {
        let! top = startOurs []

        try
            use! primary = RawClient.ConnectAsync top.Port
            do! populate primary
            let dir = TestDirs.fresh ()

            let startReplica () =
                startOursIn dir [ "--save"; "3600 1"; "--replicaof"; "127.0.0.1"; string top.Port ]

            let! first = startReplica ()
            use! r1 = RawClient.ConnectAsync first.Port
            do! linkUp r1
            do! waitFor primary 1
            // SHUTDOWN saves (save points exist), with the replication ID and offset in the file
            do! r1.Post [ [ latin1 "SHUTDOWN" ] ]
            do! first.Completion
            do! writeMore primary
            do! writeStreams primary
            let! second = startReplica ()

            try
                use! replica = RawClient.ConnectAsync second.Port
                do! linkUp replica
                do! waitFor primary 1
                let! expected = contents primary
                let! actual = contents replica
                Expect.sequenceEqual actual expected "the restarted replica holds everything"
                let! full = info primary "stats" "sync_full"
                let! partial = info primary "stats" "sync_partial_ok"
                Expect.equal (full, partial) ("1", "1") "the restart continued from the file's offset (CONTINUE)"
            finally
                second.DisposeAsync().AsTask().Wait()
        finally
            top.DisposeAsync().AsTask().Wait()
    }

let private primaryRestart () : Task =
    task {
        let port = RedisProcess.freePort ()
        let dir = TestDirs.fresh ()

        let startPrimary () =
            startOursIn dir [ "--port"; string port; "--appendonly"; "yes" ]

        let! top = startPrimary ()
        let! replicaHost = startOurs [ "--replicaof"; "127.0.0.1"; string port ]

        try
            use! replica = RawClient.ConnectAsync replicaHost.Port

            do!
                task {
                    use! primary = RawClient.ConnectAsync port
                    do! populate primary
                    do! linkUp replica
                    do! waitFor primary 1
                }

            do! top.DisposeAsync()
            let! top = startPrimary ()

            try
                use! primary = RawClient.ConnectAsync port
                do! writeMore primary
                do! writeStreams primary

                do!
                    Polling.until "the replica reconnected to the restarted primary" (fun () ->
                        task {
                            let! r = primary.Cmd("WAIT", "1", "100")
                            return parseReply r = Integer 1L
                        })

                let! expected = contents primary
                let! actual = contents replica
                Expect.sequenceEqual actual expected "the replica follows the restarted primary (its AOF reloaded)"
            finally
                top.DisposeAsync().AsTask().Wait()
        finally
            replicaHost.DisposeAsync().AsTask().Wait()
    }

let private withMasterAuth () : Task =
    task {
        let! top = startOurs [ "--requirepass"; "s3cret" ]

        try
            use! primary = RawClient.ConnectAsync top.Port
            let! _ = primary.Cmd("AUTH", "s3cret")
            let! _ = primary.Cmd("SET", "guarded", "1")

            let! replicaHost =
                startOurs [ "--replicaof"; "127.0.0.1"; string top.Port; "--masterauth"; "s3cret" ]

            try
                use! replica = RawClient.ConnectAsync replicaHost.Port
                do! linkUp replica
                let! v = replica.Cmd("GET", "guarded")
                Expect.equal (parseReply v) (Bulk(latin1 "1")) "the replica authenticated and synced"
            finally
                replicaHost.DisposeAsync().AsTask().Wait()
        finally
            top.DisposeAsync().AsTask().Wait()
    }

let private minReplicas () : Task =
    task {
        let! top =
            startOurs [ "--min-replicas-to-write"; "1"; "--min-replicas-max-lag"; "10" ]

        try
            use! primary = RawClient.ConnectAsync top.Port
            let! refused = primary.Cmd("SET", "a", "1")

            Expect.equal
                (parseReply refused)
                (Error(latin1 "NOREPLICAS Not enough good replicas to write."))
                "no replica: writes refused"

            let! read = primary.Cmd("GET", "a")
            Expect.equal (parseReply read) NullBulk "reads still answer"
            let! replicaHost = startOurs [ "--replicaof"; "127.0.0.1"; string top.Port ]

            try
                use! replica = RawClient.ConnectAsync replicaHost.Port
                do! linkUp replica

                do!
                    Polling.until "the replica acknowledged" (fun () ->
                        task {
                            let! ok = primary.Cmd("SET", "a", "1")
                            return parseReply ok = Simple(latin1 "OK")
                        })
            finally
                replicaHost.DisposeAsync().AsTask().Wait()
        finally
            top.DisposeAsync().AsTask().Wait()
    }

/// The settings a command line gives, or its error.
let private parse (args: string list) =
    match CoolCache.Server.Cli.ServerCommandLine.TryParse(Array.ofList args) with
    | true, options, _ -> Result.Ok options.Config
    | _, _, error -> Result.Error error

let tests =
    testSequenced
    <| testList
        "Replication"
        [
            test
                "--replicaof takes host and port as two words or one, like redis-server; a repeated setting's last value wins" {
                let two = parse [ "--replicaof"; "10.0.0.1"; "6380"; "--port"; "7000" ]
                let one = parse [ "--replicaof"; "10.0.0.1 6380" ]

                Expect.equal
                    (two |> Result.map (fun c -> c.ReplicaOf, c.Port))
                    (Result.Ok("10.0.0.1 6380", 7000))
                    "two words"

                Expect.equal (one |> Result.map (fun c -> c.ReplicaOf)) (Result.Ok "10.0.0.1 6380") "one word"

                let repeated =
                    parse [ "--port"; "1"; "--port"; "2"; "--save"; "900 1"; "--save"; "300 10" ]

                Expect.equal
                    (repeated |> Result.map (fun c -> c.Port, c.Save))
                    (Result.Ok(2, "900 1 300 10"))
                    "last port, save lines add up"

                Expect.isError (parse [ "--replicaof"; "10.0.0.1"; "notaport" ]) "a bad port is refused"
            }

            testTask "redis-server replicating CoolCache holds the same data, and a cut link resyncs partially" {
                RedisProcess.requireRedisServer ()
                do! redisReplicaOfOurs ()
            }
            testTask
                "CoolCache replicating redis-server holds the same data, refuses writes, and a cut link resyncs partially" {
                RedisProcess.requireRedisServer ()
                do! oursReplicaOfRedis ()
            }
            testTask "WAIT counts 0, 1 and 2 replicas, and 1 after one is killed" {
                RedisProcess.requireRedisServer ()
                do! waitCounts ()
            }
            testTask "masterauth lets a replica sync with a primary that requires a password" { do! withMasterAuth () }
            testTask "min-replicas-to-write refuses writes until enough replicas acknowledge" { do! minReplicas () }
            testTask "a link cut during the full sync syncs again and ends equal" { do! cutDuringFullSync () }
            testTask "a replica restarted without persistence syncs again and ends equal" { do! replicaRestart () }
            testTask "a replica restarted from its own RDB file continues with a partial resync" {
                do! replicaRestartFromItsFile ()
            }
            testTask "a primary restarted on its append-only file is followed again by its replica" {
                do! primaryRestart ()
            }
            testTask "a chain CoolCache -> CoolCache -> redis-server ends equal everywhere; the middle can be promoted" {
                RedisProcess.requireRedisServer ()
                do! chain ()
            }
        ]
