/// The server over real loopback sockets: StackExchange.Redis, redis-cli, raw pipelining, concurrency,
/// authentication and connection limits.
module CoolCache.Server.Tests.IntegrationTests

open System
open System.Diagnostics
open System.Threading.Tasks
open Expecto
open StackExchange.Redis
open CoolCache.Server
open CoolCache.Server.Tests.TestServer

let private seconds (n: float) = TimeSpan.FromSeconds n

/// A StackExchange.Redis multiplexer on the server, connected (or the test fails).
let private multiplexer (host: ServerHost) (protocol: RedisProtocol) : Task<ConnectionMultiplexer> =
    task {
        let options =
            ConfigurationOptions(
                AbortOnConnectFail = false,
                AllowAdmin = true,
                ConnectTimeout = 5000,
                SyncTimeout = 5000,
                AsyncTimeout = 5000,
                Protocol = Nullable protocol
            )

        options.EndPoints.Add("127.0.0.1", host.Port)
        let! mux = ConnectionMultiplexer.ConnectAsync options
        let! connected = waitUntil (seconds 5.0) (fun () -> mux.IsConnected)
        Expect.isTrue connected "StackExchange.Redis connects"
        return mux
    }

/// EXEC runs in one engine step: no other client runs between its commands or sees half of them.
let private transactions =
    testList
        "Transactions"
        [
            serverTest
                "a reader never sees half of a MULTI SET a SET b EXEC while 1,000 transactions run"
                []
                (fun host ->
                    task {
                        let rounds = 1000

                        let writer () : Task =
                            task {
                                use! wire = connect host

                                for i in 1..rounds do
                                    let v = string i

                                    do!
                                        wire.SendAsync(
                                            Array.concat
                                                [
                                                    cmd [ "MULTI" ]
                                                    cmd [ "SET"; "a"; v ]
                                                    cmd [ "SET"; "b"; v ]
                                                    cmd [ "EXEC" ]
                                                ]
                                        )

                                    for _ in 1..3 do
                                        let! _ = wire.ReadTextAsync()
                                        ()

                                    let! exec = wire.ReadTextAsync()
                                    Expect.equal exec "*2\r\n+OK\r\n+OK\r\n" "EXEC replies"
                            }

                        let reader () : Task<int> =
                            task {
                                use! wire = connect host
                                let mutable reads = 0
                                let mutable last = ""

                                while last
                                      <> $"*2\r\n${(string rounds).Length}\r\n{rounds}\r\n${(string rounds).Length}\r\n{rounds}\r\n" do
                                    let! r = wire.CommandAsync [ "MGET"; "a"; "b" ]
                                    // "*2\r\n" then the same element twice
                                    let body = r.Substring 4
                                    let half = body.Substring(0, body.Length / 2)
                                    Expect.equal body (half + half) $"a and b agree in {r}"
                                    last <- r
                                    reads <- reads + 1

                                return reads
                            }

                        let w = Task.Run<unit>(fun () -> task { do! writer () })
                        let! reads = Task.Run<int>(fun () -> reader ())
                        do! w
                        Expect.isGreaterThan reads 0 "the reader read"
                    })

            for protocol in [ RedisProtocol.Resp2; RedisProtocol.Resp3 ] do
                serverTest
                    $"StackExchange.Redis transactions with conditions commit or not as WATCH says ({protocol})"
                    []
                    (fun host ->
                        task {
                            use! mux = multiplexer host protocol
                            let db = mux.GetDatabase()
                            let! _ = db.StringSetAsync(RedisKey "k", RedisValue "1")
                            let tran = db.CreateTransaction()
                            tran.AddCondition(Condition.StringEqual(RedisKey "k", RedisValue "1")) |> ignore
                            let set = tran.StringSetAsync(RedisKey "k", RedisValue "2")
                            let incr = tran.StringIncrementAsync(RedisKey "n")
                            let! committed = tran.ExecuteAsync()
                            Expect.isTrue committed "the condition held: committed"
                            let! _ = set
                            let! n = incr
                            Expect.equal n 1L "INCR ran inside the transaction"
                            let tran2 = db.CreateTransaction()

                            tran2.AddCondition(Condition.StringEqual(RedisKey "k", RedisValue "1"))
                            |> ignore

                            let _ = tran2.StringSetAsync(RedisKey "k", RedisValue "3")
                            let! committed2 = tran2.ExecuteAsync()
                            Expect.isFalse committed2 "the condition failed: not committed"
                            let! k = db.StringGetAsync(RedisKey "k")
                            Expect.equal (string k) "2" "k unchanged by the failed transaction"
                        })
        ]

let private stackExchange =
    testList
        "StackExchange.Redis"
        [
            for protocol in [ RedisProtocol.Resp2; RedisProtocol.Resp3 ] do
                serverTest $"string values round-trip byte for byte ({protocol})" [] (fun host ->
                    task {
                        use! mux = multiplexer host protocol
                        let db = mux.GetDatabase()

                        let values =
                            [
                                "all bytes", Array.init 256 byte
                                "crlf", "\r\n"B
                                "empty", [||]
                                "embedded nul and crlf", "a\000b\r\nc\r"B
                                "64KB", Array.init 65536 (fun i -> byte (i * 7))
                            ]

                        for name, value in values do
                            let! ok = db.StringSetAsync(RedisKey name, RedisValue.op_Implicit (value: byte[]))
                            Expect.isTrue ok $"SET {name}"
                            let! back = db.StringGetAsync(RedisKey name)
                            Expect.isFalse back.IsNull $"GET {name} finds the key"

                            Expect.sequenceEqual
                                (RedisValue.op_Implicit back: byte[])
                                value
                                $"GET {name} returns the bytes set"

                        let! missing = db.StringGetAsync(RedisKey "missing")
                        Expect.isTrue missing.IsNull "GET of a missing key is null"
                    })

                serverTest $"KeyExpire sets a TTL that KeyTimeToLive reports ({protocol})" [] (fun host ->
                    task {
                        use! mux = multiplexer host protocol
                        let db = mux.GetDatabase()
                        let! _ = db.StringSetAsync(RedisKey "k", RedisValue "v")
                        let! none = db.KeyTimeToLiveAsync(RedisKey "k")
                        Expect.isFalse none.HasValue "no TTL before EXPIRE"
                        let! ok = db.KeyExpireAsync(RedisKey "k", Nullable(seconds 100.0))
                        Expect.isTrue ok "EXPIRE on an existing key"
                        let! ttl = db.KeyTimeToLiveAsync(RedisKey "k")
                        Expect.isTrue ttl.HasValue "a TTL after EXPIRE"

                        Expect.isTrue
                            (ttl.Value > seconds 90.0 && ttl.Value <= seconds 100.0)
                            $"TTL about 100s, got {ttl}"

                        let! ok = db.KeyExpireAsync(RedisKey "k", Nullable(TimeSpan.FromMilliseconds 50.0))
                        Expect.isTrue ok "PEXPIRE 50"
                        let! gone = waitUntil (seconds 5.0) (fun () -> not (db.KeyExists(RedisKey "k")))
                        Expect.isTrue gone "the key expires"
                        let! ok = db.KeyExpireAsync(RedisKey "nokey", Nullable(seconds 10.0))
                        Expect.isFalse ok "EXPIRE on a missing key"
                    })

                serverTest $"StringIncrement counts and KeyDelete removes ({protocol})" [] (fun host ->
                    task {
                        use! mux = multiplexer host protocol
                        let db = mux.GetDatabase()
                        let! a = db.StringIncrementAsync(RedisKey "n")
                        let! b = db.StringIncrementAsync(RedisKey "n", 41L)
                        let! c = db.StringDecrementAsync(RedisKey "n", 2L)
                        let! f = db.StringIncrementAsync(RedisKey "f", 1.5)
                        Expect.equal (a, b, c, f) (1L, 42L, 40L, 1.5) "INCR, INCRBY, DECRBY, INCRBYFLOAT"

                        let! deleted =
                            db.KeyDeleteAsync([| RedisKey "n"; RedisKey "f"; RedisKey "nothing" |])

                        Expect.equal deleted 2L "DEL counts the keys removed"
                        let! exists = db.KeyExistsAsync(RedisKey "n")
                        Expect.isFalse exists "deleted"
                        let! _ = db.StringSetAsync(RedisKey "s", RedisValue "not a number")

                        Expect.throwsT<RedisServerException>
                            (fun () -> db.StringIncrement(RedisKey "s") |> ignore)
                            "INCR on a non-number fails"
                    })

                serverTest $"batched and pipelined commands all complete in order ({protocol})" [] (fun host ->
                    task {
                        use! mux = multiplexer host protocol
                        let db = mux.GetDatabase()
                        let batch = db.CreateBatch()

                        let sets =
                            [|
                                for i in 0..999 -> batch.StringSetAsync(RedisKey $"k{i}", RedisValue $"v{i}")
                            |]

                        let incrs = [| for _ in 0..999 -> batch.StringIncrementAsync(RedisKey "counter") |]
                        batch.Execute()
                        let! setOk = Task.WhenAll<bool> sets
                        Expect.allEqual setOk true "every batched SET succeeded"
                        let! counts = Task.WhenAll<int64> incrs
                        Expect.sequenceEqual counts [| 1L .. 1000L |] "batched INCRs answered in order"
                        // Many concurrent async calls on one multiplexer are pipelined on one socket.
                        let! gets =
                            Task.WhenAll<RedisValue> [| for i in 0..999 -> db.StringGetAsync(RedisKey $"k{i}") |]

                        Expect.sequenceEqual
                            (gets |> Array.map string)
                            [| for i in 0..999 -> $"v{i}" |]
                            "pipelined GETs"

                        let! values = db.StringGetAsync([| for i in 0..9 -> RedisKey $"k{i}" |])
                        Expect.sequenceEqual (values |> Array.map string) [| for i in 0..9 -> $"v{i}" |] "MGET"
                    })

                serverTest $"Execute PING and ECHO reply like Redis ({protocol})" [] (fun host ->
                    task {
                        use! mux = multiplexer host protocol
                        let db = mux.GetDatabase()
                        let! pong = db.ExecuteAsync("PING")
                        Expect.equal (string pong) "PONG" "PING"
                        let! echo = db.ExecuteAsync("ECHO", [| box "hello" |])
                        Expect.equal (string echo) "hello" "ECHO"
                        let! latency = db.PingAsync()
                        Expect.isTrue (latency < seconds 5.0) "IDatabase.Ping"
                        let server = mux.GetServer(mux.GetEndPoints()[0])
                        Expect.equal server.Protocol protocol "the negotiated protocol"
                    })
        ]

/// Skip (or fail when COOLCACHE_REQUIRE_REDIS=1) without redis-cli.
let private redisCli () : string =
    match onPath "redis-cli" with
    | Some path -> path
    | None when Environment.GetEnvironmentVariable "COOLCACHE_REQUIRE_REDIS" = "1" ->
        failtest "redis-cli is not on PATH and COOLCACHE_REQUIRE_REDIS=1"
    | None -> skiptest "redis-cli is not on PATH"

let private cli (host: ServerHost) (args: string list) (stdin: byte[] option) : Task<string> =
    task {
        let path = redisCli ()

        let! code, out, err =
            runProcess path ([ "-h"; "127.0.0.1"; "-p"; string host.Port ] @ args) stdin (seconds 20.0)

        Expect.equal code 0 $"redis-cli {args} exits 0 (stderr: {err})"
        return out
    }

let private redisCliTests =
    testList
        "redis-cli"
        [
            serverTest "SET prints OK and GET prints the value" [] (fun host ->
                task {
                    let! set = cli host [ "SET"; "a"; "b" ] None
                    Expect.equal set "OK\n" "SET a b"
                    let! get = cli host [ "GET"; "a" ] None
                    Expect.equal get "b\n" "GET a"
                    let! missing = cli host [ "--no-raw"; "GET"; "missing" ] None
                    Expect.equal missing "(nil)\n" "GET missing"
                    let! incr = cli host [ "--no-raw"; "INCR"; "n" ] None
                    Expect.equal incr "(integer) 1\n" "INCR n"
                })

            serverTest "--raw prints values verbatim and --no-raw quotes them" [] (fun host ->
                task {
                    let! _ = cli host [ "SET"; "k"; "x\ny" ] None
                    let! raw = cli host [ "--raw"; "GET"; "k" ] None
                    Expect.equal raw "x\ny\n" "raw"
                    let! quoted = cli host [ "--no-raw"; "GET"; "k" ] None
                    Expect.equal quoted "\"x\\ny\"\n" "quoted"
                    let! err = cli host [ "--no-raw"; "INCR"; "k" ] None
                    Expect.equal err "(error) ERR value is not an integer or out of range\n" "error"
                })

            serverTest "-3 negotiates RESP3 and HELLO reports proto 3" [] (fun host ->
                task {
                    let! out = cli host [ "-3"; "HELLO"; "3" ] None
                    Expect.stringContains out "\nproto 3\n" "raw: the map's pairs one per line"
                    let! out = cli host [ "-3"; "--no-raw"; "HELLO"; "3" ] None
                    Expect.stringContains out "# \"proto\" => (integer) 3\n" "formatted: proto 3"
                    let! out = cli host [ "-3"; "--no-raw"; "GET"; "missing" ] None
                    Expect.equal out "(nil)\n" "RESP3 null"
                })

            serverTest "--pipe with 1,000 SETs reports 1000 replies and no errors" [] (fun host ->
                task {
                    let input =
                        Array.concat [ for i in 0..999 -> cmd [ "SET"; $"key:{i}"; $"value:{i}" ] ]

                    let! out = cli host [ "--pipe" ] (Some input)
                    Expect.stringContains out "errors: 0, replies: 1000" "pipe summary"
                    let! last = cli host [ "GET"; "key:999" ] None
                    Expect.equal last "value:999\n" "the last SET landed"
                })
        ]

let private concurrency =
    serverTest "50 clients x 2,000 INCR on one key concurrently end at exactly 100,000" [] (fun host ->
        task {
            let clients = 50
            let perClient = 2000
            let chunk = 100
            let incrs = Array.concat (Array.create chunk (cmd [ "INCR"; "counter" ]))

            let run () : Task<int64[]> =
                task {
                    use! wire = connect host
                    let seen = ResizeArray<int64>()

                    for _ in 1 .. perClient / chunk do
                        do! wire.SendAsync incrs

                        for _ in 1..chunk do
                            let! r = wire.ReadTextAsync()
                            Expect.isTrue (r.StartsWith ':') $"INCR replies with an integer, got {r}"
                            seen.Add(int64 (r.Substring(1).TrimEnd()))

                    return seen.ToArray()
                }

            let! results =
                Task.WhenAll<int64[]> [| for _ in 1..clients -> Task.Run<int64[]>(fun () -> run ()) |]

            let all = results |> Array.concat |> Array.sort
            Expect.sequenceEqual all [| 1L .. int64 (clients * perClient) |] "every INCR saw a distinct value"
            use! check = connect host
            let! final = check.CommandAsync [ "GET"; "counter" ]
            Expect.equal final "$6\r\n100000\r\n" "GET counter"
        })

let private pipelining =
    testList
        "pipelining"
        [
            serverTest "100,000 PINGs written in one go are all answered in order" [] (fun host ->
                task {
                    use! wire = connect host
                    let n = 100_000
                    let pings = Array.concat (Array.create n "PING\r\n"B)
                    let sending = wire.SendAsync pings
                    do! wire.ExpectRepliesAsync(n, "+PONG\r\n"B, seconds 30.0)
                    do! sending
                    let! after = wire.CommandAsync [ "ECHO"; "done" ]
                    Expect.equal after "$4\r\ndone\r\n" "nothing extra after the PONGs"
                })

            serverTest "50,000 SET/GET pairs written in one go are answered in order" [] (fun host ->
                task {
                    use! wire = connect host
                    let n = 50_000

                    let requests =
                        Array.concat
                            [
                                for i in 0 .. n - 1 ->
                                    Array.append (cmd [ "SET"; $"k{i}"; $"v{i}" ]) (cmd [ "GET"; $"k{i}" ])
                            ]

                    let sending = wire.SendAsync requests

                    for i in 0 .. n - 1 do
                        let! ok = wire.ReadTextAsync()

                        if ok <> "+OK\r\n" then
                            failtestf "SET %d: %A" i ok

                        let! v = wire.ReadTextAsync()
                        let expected = $"v{i}"

                        if v <> $"${expected.Length}\r\n{expected}\r\n" then
                            failtestf "GET %d: %A" i v

                    do! sending
                })

            serverTest "a command split into one-byte TCP writes is answered once and correctly" [] (fun host ->
                task {
                    use! wire = connect host
                    let value = Array.append [| 0uy; 13uy; 10uy; 255uy |] "\r\n$3\r\n*1\r\n"B
                    let request = resp [ "SET"B; "split"B; value ]

                    for i in 0 .. request.Length - 1 do
                        do! wire.SendAsync [| request[i] |]

                    let! ok = wire.ReadTextAsync()
                    Expect.equal ok "+OK\r\n" "one OK"
                    let! pong = wire.CommandAsync [ "PING" ]
                    Expect.equal pong "+PONG\r\n" "nothing between OK and PONG"
                    do! wire.SendAsync(cmd [ "GET"; "split" ])
                    let! got = wire.ReadReplyAsync()
                    Expect.sequenceEqual got (Array.concat [ latin1 $"${value.Length}\r\n"; value; "\r\n"B ]) "GET"
                })

            serverTest "a command split in two TCP writes at every byte offset is answered once each" [] (fun host ->
                task {
                    use! wire = connect host
                    let request = resp [ "SET"B; "k"B; "a\r\nb"B ]

                    for cut in 1 .. request.Length - 1 do
                        do! wire.SendAsync request[.. cut - 1]
                        do! wire.SendAsync request[cut..]
                        let! ok = wire.ReadTextAsync()
                        Expect.equal ok "+OK\r\n" $"split at {cut}"

                    let! got = wire.CommandAsync [ "GET"; "k" ]
                    Expect.equal got "$4\r\na\r\nb\r\n" "value"
                    Expect.isEmpty wire.Pending "one reply per command"
                })

            serverTest "inline commands work telnet style" [] (fun host ->
                task {
                    use! wire = connect host
                    do! wire.SendAsync "SET k v\r\nGET k\r\n  PING  \r\nECHO  x\n\r\n"
                    let! set = wire.ReadTextAsync()
                    let! get = wire.ReadTextAsync()
                    let! ping = wire.ReadTextAsync()
                    let! echo = wire.ReadTextAsync()

                    Expect.equal
                        [ set; get; ping; echo ]
                        [ "+OK\r\n"; "$1\r\nv\r\n"; "+PONG\r\n"; "$1\r\nx\r\n" ]
                        "replies"
                })

            serverTest "inline commands honour double and single quotes and escapes" [] (fun host ->
                task {
                    use! wire = connect host

                    do!
                        wire.SendAsync
                            "SET k \"a b\"\r\nGET k\r\nSET k2 'c \"d'\r\nGET k2\r\nSET k3 \"\\x41\\n\"\r\nGET k3\r\n"

                    let replies = ResizeArray<string>()

                    for _ in 1..6 do
                        let! reply = wire.ReadTextAsync()
                        replies.Add reply

                    Expect.equal
                        (List.ofSeq replies)
                        [
                            "+OK\r\n"
                            "$3\r\na b\r\n"
                            "+OK\r\n"
                            "$4\r\nc \"d\r\n"
                            "+OK\r\n"
                            "$2\r\nA\n\r\n"
                        ]
                        "replies"
                })
        ]

let private auth =
    testList
        "auth"
        [
            serverTest
                "with requirepass, commands before AUTH get NOAUTH, a wrong AUTH gets WRONGPASS, AUTH pw works"
                [ "--requirepass"; "pw" ]
                (fun host ->
                    task {
                        use! wire = connect host
                        let! r = wire.CommandAsync [ "GET"; "a" ]
                        Expect.equal r "-NOAUTH Authentication required.\r\n" "before AUTH"
                        let! r = wire.CommandAsync [ "AUTH"; "wrong" ]

                        Expect.equal
                            r
                            "-WRONGPASS invalid username-password pair or user is disabled.\r\n"
                            "AUTH wrong"

                        let! r = wire.CommandAsync [ "AUTH"; "default"; "wrong" ]

                        Expect.equal
                            r
                            "-WRONGPASS invalid username-password pair or user is disabled.\r\n"
                            "AUTH default wrong"

                        let! r = wire.CommandAsync [ "AUTH"; "pw" ]
                        Expect.equal r "+OK\r\n" "AUTH pw"
                        let! r = wire.CommandAsync [ "SET"; "a"; "1" ]
                        Expect.equal r "+OK\r\n" "SET after AUTH"
                        let! r = wire.CommandAsync [ "GET"; "a" ]
                        Expect.equal r "$1\r\n1\r\n" "GET after AUTH"
                    })

            serverTest
                "with requirepass, HELLO 3 AUTH default pw authenticates and switches to RESP3"
                [ "--requirepass"; "pw" ]
                (fun host ->
                    task {
                        use! wire = connect host
                        let! r = wire.CommandAsync [ "HELLO"; "3"; "AUTH"; "default"; "bad" ]

                        Expect.equal
                            r
                            "-WRONGPASS invalid username-password pair or user is disabled.\r\n"
                            "wrong password"

                        let! r = wire.CommandAsync [ "HELLO"; "3" ]

                        Expect.stringStarts
                            r
                            "-NOAUTH HELLO must be called with the client already authenticated"
                            "HELLO without AUTH"

                        let! r = wire.CommandAsync [ "HELLO"; "3"; "AUTH"; "default"; "pw" ]
                        Expect.stringStarts r "%7\r\n$6\r\nserver\r\n" "a RESP3 map"
                        Expect.stringContains r "$5\r\nproto\r\n:3\r\n" "proto 3"
                        let! r = wire.CommandAsync [ "GET"; "missing" ]
                        Expect.equal r "_\r\n" "RESP3 null after HELLO 3"
                    })

            serverTest
                "with requirepass, StackExchange.Redis connects with the password"
                [ "--requirepass"; "pw" ]
                (fun host ->
                    task {
                        let options =
                            ConfigurationOptions(AbortOnConnectFail = false, Password = "pw", ConnectTimeout = 5000)

                        options.EndPoints.Add("127.0.0.1", host.Port)
                        use! mux = ConnectionMultiplexer.ConnectAsync options
                        let! connected = waitUntil (seconds 5.0) (fun () -> mux.IsConnected)
                        Expect.isTrue connected "connected"
                        let db = mux.GetDatabase()
                        let! _ = db.StringSetAsync(RedisKey "a", RedisValue "b")
                        let! v = db.StringGetAsync(RedisKey "a")
                        Expect.equal (string v) "b" "round trip"
                    })
        ]

let private limits =
    testList
        "limits"
        [
            serverTest
                "with maxclients 2 the third connection gets max number of clients reached and is closed"
                [ "--maxclients"; "2" ]
                (fun host ->
                    task {
                        use! a = connect host
                        use! b = connect host
                        let! r = a.CommandAsync [ "PING" ]
                        Expect.equal r "+PONG\r\n" "first"
                        let! r = b.CommandAsync [ "PING" ]
                        Expect.equal r "+PONG\r\n" "second"
                        use! c = connect host
                        let! refused = c.ReadUntilClosedAsync()
                        Expect.equal (text refused) "-ERR max number of clients reached\r\n" "third"
                        let! r = a.CommandAsync [ "PING" ]
                        Expect.equal r "+PONG\r\n" "the first still works"
                        a.Socket.Close()
                        let! r = b.CommandAsync [ "CLIENT"; "LIST" ]
                        Expect.isTrue (r.StartsWith '$') "CLIENT LIST"
                        // Once a slot frees up a new client is accepted.
                        let! accepted =
                            waitUntilAsync (seconds 5.0) (fun () ->
                                task {
                                    use! d = connect host

                                    try
                                        // Refused: the max clients error (or a reset); accepted: PONG.
                                        let! r = d.CommandAsync [ "PING" ]
                                        return r = "+PONG\r\n"
                                    with _ ->
                                        return false
                                })

                        Expect.isTrue accepted "a freed slot is reused"
                    })

            serverTest "with timeout 1 an idle client is disconnected" [ "--timeout"; "1" ] (fun host ->
                task {
                    use! idle = connect host
                    let! r = idle.CommandAsync [ "PING" ]
                    Expect.equal r "+PONG\r\n" "PING"
                    let clock = Stopwatch.StartNew()
                    let! rest = idle.ReadUntilClosedAsync(seconds 5.0)
                    Expect.isEmpty rest "closed without a reply"
                    Expect.isGreaterThan clock.Elapsed (TimeSpan.FromMilliseconds 500.0) "not before the timeout"
                })

            serverTest "QUIT replies OK and closes the connection" [] (fun host ->
                task {
                    use! wire = connect host
                    do! wire.SendAsync(Array.append (cmd [ "QUIT" ]) (cmd [ "PING" ]))
                    let! rest = wire.ReadUntilClosedAsync()
                    Expect.equal (text rest) "+OK\r\n" "only OK, the PING after QUIT is not run"
                })

            serverTest "CLIENT KILL ID closes the other connection" [] (fun host ->
                task {
                    use! victim = connect host
                    use! killer = connect host
                    let! id = victim.CommandAsync [ "CLIENT"; "ID" ]
                    let id = id.Substring(1).TrimEnd()
                    let! r = killer.CommandAsync [ "CLIENT"; "KILL"; "ID"; id ]
                    Expect.equal r ":1\r\n" "one client killed"
                    let! rest = victim.ReadUntilClosedAsync()
                    Expect.isEmpty rest "the victim is closed"
                    let! r = killer.CommandAsync [ "PING" ]
                    Expect.equal r "+PONG\r\n" "the killer is unaffected"
                })

            serverTest "CLIENT KILL ID removes the client at once: killing it again finds no client" [] (fun host ->
                task {
                    use! killer = connect host

                    for _ in 1..20 do
                        use! victim = connect host
                        let! id = victim.CommandAsync [ "CLIENT"; "ID" ]
                        let id = id.Substring(1).TrimEnd()
                        let! r = killer.CommandAsync [ "CLIENT"; "KILL"; "ID"; id ]
                        Expect.equal r ":1\r\n" "one client killed"
                        let! r = killer.CommandAsync [ "CLIENT"; "KILL"; "ID"; id ]
                        Expect.equal r ":0\r\n" "no such client any more"
                        let! list = killer.CommandAsync [ "CLIENT"; "LIST" ]
                        Expect.isFalse (list.Contains $"id={id} ") "the killed client is not listed"
                })

            serverTest "SHUTDOWN NOSAVE closes the connection and completes the host" [] (fun host ->
                task {
                    use! wire = connect host
                    do! wire.SendAsync(cmd [ "SHUTDOWN"; "NOSAVE" ])
                    let! _ = wire.ReadUntilClosedAsync()
                    let! finished = Task.WhenAny(host.Completion, Task.Delay(seconds 5.0))
                    Expect.isTrue (obj.ReferenceEquals(finished, host.Completion)) "Completion completes"
                })

            serverTest "CLIENT LIST shows names set with CLIENT SETNAME" [] (fun host ->
                task {
                    use! a = connect host
                    use! b = connect host
                    let! r = a.CommandAsync [ "CLIENT"; "SETNAME"; "alpha" ]
                    Expect.equal r "+OK\r\n" "SETNAME"
                    let! r = a.CommandAsync [ "CLIENT"; "GETNAME" ]
                    Expect.equal r "$5\r\nalpha\r\n" "GETNAME"
                    let! id = a.CommandAsync [ "CLIENT"; "ID" ]
                    let! list = b.CommandAsync [ "CLIENT"; "LIST" ]
                    let lines = list.Split('\n') |> Array.filter (fun l -> l.Contains " addr=")
                    Expect.equal lines.Length 2 $"two clients: {list}"
                    let alpha = lines |> Array.find (fun l -> l.Contains " name=alpha ")
                    Expect.stringContains alpha $"id={id.Substring(1).TrimEnd()} " "the named client's id"
                    let! r = a.CommandAsync [ "CLIENT"; "SETNAME"; "has space" ]

                    Expect.equal
                        r
                        "-ERR Client names cannot contain spaces, newlines or special characters.\r\n"
                        "bad name"
                })

            serverTest
                "DEBUG SLEEP 0 replies OK when the debug command is enabled"
                [ "--enable-debug-command"; "yes" ]
                (fun host ->
                    task {
                        use! wire = connect host
                        let! r = wire.CommandAsync [ "DEBUG"; "SLEEP"; "0" ]
                        Expect.equal r "+OK\r\n" "DEBUG SLEEP 0"
                    })
        ]

let tests =
    testList
        "Integration"
        [
            stackExchange
            transactions
            redisCliTests
            concurrency
            pipelining
            auth
            limits
        ]
