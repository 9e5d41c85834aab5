/// maxmemory scenarios run on a real redis-server and on CoolCache, in RESP2 and RESP3: a subscriber
/// of __keyevent@*__:evicted must see the same evictions in the same order, and the clients the same
/// replies (OOM errors byte for byte). The two servers count memory differently (jemalloc size
/// classes there, .NET object estimates here: Keyspace/Memory.fs), so each scenario uses 100 kB values
/// and asks each server to free a margin that is the same number of values on both, measured from its
/// own INFO used_memory. Which keys go is made deterministic with fewer keys than maxmemory-samples
/// (every key is sampled) and RESTORE IDLETIME / FREQ (no waiting for the LRU clock). Also: the
/// contract users test, on both servers: writing far more than maxmemory keeps used_memory under it
/// with allkeys-lru, and with noeviction writes fail while reads and DEL work.
module CoolCache.Server.Tests.EvictionScenarioTests

open System
open System.Text
open System.Threading.Tasks
open Expecto
open CoolCache.Server.Tests.RawClient
open CoolCache.Server.Tests.Servers

let private latin1 (s: string) = Encoding.Latin1.GetBytes s

let private text (reply: byte[]) =
    match parseReply reply with
    | Bulk b
    | Verbatim b -> Encoding.Latin1.GetString b
    | Simple s -> Encoding.Latin1.GetString s
    | Integer n -> string n
    | other -> sprintf "%A" other

let private infoField (section: string) (field: string) (c: RawClient) =
    task {
        let! raw = c.Cmd("INFO", section)

        let line =
            (text raw).Split("\r\n")
            |> Array.tryFind (fun l -> l.StartsWith(field + ":"))
            |> Option.defaultWith (fun () -> failwithf "INFO %s has no %s" section field)

        return Int64.Parse(line.Substring(field.Length + 1))
    }

let private usedMemory (c: RawClient) = infoField "memory" "used_memory" c

/// 100 kB: a value Redis keeps in a 112 kB jemalloc class and CoolCache estimates at about 100 kB.
let private value = String('v', 100_000)

/// Free this much to evict exactly three 100 kB values on either server (two free at most 224 kB
/// there, three at least 300 kB here), with room for Redis's used_memory to drift by client buffers.
let private threeValues = 262_000L

/// One scenario's clients: a control connection and a subscriber of every database's evicted events.
type private Clients =
    {
        Port: int
        Control: RawClient
        Subscriber: RawClient
        mutable Syncs: int
    }

    interface IDisposable with
        member this.Dispose() =
            this.Control.Dispose()
            this.Subscriber.Dispose()

let private connect (port: int) (resp3: bool) (policy: string) =
    task {
        let! control = RawClient.ConnectAsync port
        let! subscriber = RawClient.ConnectAsync port

        if resp3 then
            let! _ = control.Cmd("HELLO", "3")
            let! _ = subscriber.Cmd("HELLO", "3")
            ()

        let! _ =
            control.SendBatch
                [
                    [ latin1 "CONFIG"; latin1 "SET"; latin1 "maxmemory"; latin1 "0" ]
                    [ latin1 "FLUSHALL" ]
                    [ latin1 "CONFIG"; latin1 "SET"; latin1 "notify-keyspace-events"; latin1 "Ee" ]
                    [ latin1 "CONFIG"; latin1 "SET"; latin1 "maxmemory-policy"; latin1 policy ]
                    [ latin1 "CONFIG"; latin1 "SET"; latin1 "maxmemory-samples"; latin1 "5" ]
                ]

        let! _ = subscriber.Cmd("PSUBSCRIBE", "__keyevent@*__:evicted")

        return
            {
                Port = port
                Control = control
                Subscriber = subscriber
                Syncs = 0
            }
    }

/// What the subscriber was sent so far: up to the reply of a PING with a fresh marker.
let private events (c: Clients) =
    task {
        c.Syncs <- c.Syncs + 1
        let marker = sprintf "sync-%d" c.Syncs
        do! c.Subscriber.Post [ [ latin1 "PING"; latin1 marker ] ]
        let frames = ResizeArray<string>()
        let mutable finished = false

        while not finished do
            let! frame = c.Subscriber.Receive()

            match parseReply frame with
            | Bulk b
            | Array [ _; Bulk b ]
            | Push [ _; Bulk b ] when Encoding.Latin1.GetString b = marker -> finished <- true
            | _ -> frames.Add(escape frame)

        return
            "events: "
            + (if frames.Count = 0 then
                   "(none)"
               else
                   String.Join(" | ", frames))
    }

/// Lower maxmemory so that margin bytes must go (CONFIG SET evicts at once, as updateMaxmemory does).
let private squeeze (c: Clients) (margin: int64) =
    task {
        let! used = usedMemory c.Control
        let! reply = c.Control.Cmd("CONFIG", "SET", "maxmemory", string (used - margin))
        return sprintf "CONFIG SET maxmemory (used - %d) -> %s" margin (escape reply)
    }

/// Commands on the control connection, each recorded with its reply.
let private commands (c: Clients) (cmds: string list list) =
    task {
        let lines = ResizeArray<string>()

        for args in cmds do
            let! reply = c.Control.Send(args |> List.map latin1)

            let shown =
                args
                |> List.map (fun a -> if a.Length > 20 then sprintf "<%d bytes>" a.Length else a)

            lines.Add(sprintf "%s -> %s" (String.Join(" ", shown)) (escape reply))

        return List.ofSeq lines
    }

/// Keys restored from one DUMP of a 100 kB value, each with its time to live in ms (0: none) and its
/// RESTORE option (IDLETIME n, FREQ n): EXPIRE would count as an access, RESTORE's TTL does not.
let private restoredWithTtl (c: Clients) (keys: (string * int * string * int) list) =
    task {
        let! _ = c.Control.Cmd("SET", "template", value)
        let! dump = c.Control.Cmd("DUMP", "template")
        let! _ = c.Control.Cmd("DEL", "template")

        let payload =
            match parseReply dump with
            | Bulk p -> p
            | other -> failwithf "DUMP replied %A" other

        for key, ttl, option, n in keys do
            let! reply =
                c.Control.Send
                    [
                        latin1 "RESTORE"
                        latin1 key
                        latin1 (string ttl)
                        payload
                        latin1 option
                        latin1 (string n)
                    ]

            Expect.equal (text reply) "OK" (sprintf "RESTORE %s" key)
    }

let private restored (c: Clients) (keys: (string * string * int) list) =
    restoredWithTtl c (keys |> List.map (fun (k, o, n) -> k, 0, o, n))

type private Scenario =
    {
        Name: string
        Policy: string
        Run: Clients -> Task<string list>
    }

let private scenarios: Scenario list =
    [
        {
            Name = "volatile-ttl evicts the nearest deadlines first, then refuses writes with OOM"
            Policy = "volatile-ttl"
            Run =
                fun c ->
                    task {
                        let! setup =
                            commands
                                c
                                [
                                    [ "SET"; "plain"; value ]
                                    [ "SET"; "t300"; value; "EX"; "300" ]
                                    [ "SET"; "t100"; value; "EX"; "100" ]
                                    [ "SET"; "t400"; value; "EX"; "400" ]
                                    [ "SET"; "t200"; value; "EX"; "200" ]
                                ]

                        let! squeezed = squeeze c threeValues
                        let! first = events c
                        let! after = commands c [ [ "EXISTS"; "plain"; "t100"; "t200"; "t300"; "t400" ] ]
                        let! again = squeeze c threeValues
                        let! second = events c

                        let! refused =
                            commands
                                c
                                [
                                    [ "SET"; "x"; "y" ]
                                    [ "LPUSH"; "l"; "a" ]
                                    [ "STRLEN"; "plain" ]
                                    [ "EXISTS"; "plain" ]
                                    [ "DEL"; "plain" ]
                                    [ "CONFIG"; "SET"; "maxmemory"; "0" ]
                                    [ "SET"; "x"; "y" ]
                                ]

                        return setup @ [ squeezed; first ] @ after @ [ again; second ] @ refused
                    }
        }
        {
            Name = "allkeys-lru evicts the idlest keys first, a read making a key the freshest"
            Policy = "allkeys-lru"
            Run =
                fun c ->
                    task {
                        do!
                            restored
                                c
                                [
                                    "k1", "IDLETIME", 300
                                    "k2", "IDLETIME", 200
                                    "k3", "IDLETIME", 100
                                    "k4", "IDLETIME", 400
                                    "k5", "IDLETIME", 50
                                ]

                        let! read = commands c [ [ "STRLEN"; "k4" ]; [ "TYPE"; "k1" ] ]
                        let! squeezed = squeeze c threeValues
                        let! evicted = events c
                        let! after = commands c [ [ "EXISTS"; "k1"; "k2"; "k3"; "k4"; "k5" ]; [ "DBSIZE" ] ]
                        return read @ [ squeezed; evicted ] @ after
                    }
        }
        {
            Name = "allkeys-lfu evicts the lowest access counters first"
            Policy = "allkeys-lfu"
            Run =
                fun c ->
                    task {
                        do!
                            restored
                                c
                                [
                                    "k1", "FREQ", 10
                                    "k2", "FREQ", 1
                                    "k3", "FREQ", 50
                                    "k4", "FREQ", 5
                                    "k5", "FREQ", 200
                                ]

                        let! freq = commands c [ [ "OBJECT"; "FREQ"; "k3" ]; [ "OBJECT"; "FREQ"; "k5" ] ]
                        let! squeezed = squeeze c threeValues
                        let! evicted = events c
                        let! after = commands c [ [ "EXISTS"; "k1"; "k2"; "k3"; "k4"; "k5" ] ]
                        return freq @ [ squeezed; evicted ] @ after
                    }
        }
        {
            Name = "volatile-lru evicts only keys with a deadline, in idle order, across databases"
            Policy = "volatile-lru"
            Run =
                fun c ->
                    task {
                        do!
                            restoredWithTtl
                                c
                                [
                                    "a", 1000000, "IDLETIME", 500
                                    "b", 1000000, "IDLETIME", 300
                                    "c", 1000000, "IDLETIME", 100
                                    "d", 0, "IDLETIME", 1000
                                ]

                        let! setup = commands c [ [ "SELECT"; "5" ]; [ "SET"; "e"; value; "EX"; "1000" ] ]
                        // e, accessed just now, is the freshest: it goes last
                        let! _ = c.Control.Cmd("SELECT", "0")

                        let! squeezed = squeeze c threeValues
                        let! evicted = events c

                        let! after =
                            commands c [ [ "EXISTS"; "a"; "b"; "c"; "d" ]; [ "SELECT"; "5" ]; [ "DBSIZE" ] ]

                        return setup @ [ squeezed; evicted ] @ after
                    }
        }
        {
            Name = "noeviction: DENYOOM commands and anything queued in MULTI get OOM, reads and DEL run"
            Policy = "noeviction"
            Run =
                fun c ->
                    task {
                        let! setup =
                            commands
                                c
                                [
                                    [ "SET"; "a"; "1" ]
                                    [ "RPUSH"; "l"; "x" ]
                                    [ "CONFIG"; "SET"; "maxmemory"; "1" ]
                                ]

                        let! replies =
                            commands
                                c
                                [
                                    [ "SET"; "b"; "2" ]
                                    [ "APPEND"; "a"; "x" ]
                                    [ "INCR"; "a" ]
                                    [ "LPUSH"; "l"; "y" ]
                                    [ "HSET"; "h"; "f"; "v" ]
                                    [ "SADD"; "s"; "m" ]
                                    [ "ZADD"; "z"; "1"; "m" ]
                                    [ "XADD"; "x"; "*"; "f"; "v" ]
                                    [ "GET"; "a" ]
                                    [ "LRANGE"; "l"; "0"; "-1" ]
                                    [ "EXPIRE"; "a"; "1000" ]
                                    [ "LPOP"; "l" ]
                                    [ "MULTI" ]
                                    [ "GET"; "a" ]
                                    [ "EXEC" ]
                                    [ "MULTI" ]
                                    [ "DISCARD" ]
                                    [ "DEL"; "a" ]
                                    [ "CONFIG"; "SET"; "maxmemory"; "0" ]
                                    [ "MULTI" ]
                                    [ "SET"; "q"; "1" ]
                                ]

                        // memory goes over while the transaction waits: EXEC of a DENYOOM queue is refused
                        use! other = RawClient.ConnectAsync c.Port
                        let! _ = other.Cmd("CONFIG", "SET", "maxmemory", "1")
                        let! exec = commands c [ [ "EXEC" ]; [ "GET"; "q" ] ]
                        let! _ = other.Cmd("CONFIG", "SET", "maxmemory", "0")
                        return setup @ replies @ exec
                    }
        }
    ]

let private runOn (port: int) (resp3: bool) (scenario: Scenario) =
    task {
        use! c = connect port resp3 scenario.Policy
        let! lines = scenario.Run c
        let! _ = c.Control.Cmd("CONFIG", "SET", "maxmemory", "0")
        return lines
    }

let private differential =
    [
        for scenario in scenarios do
            for resp3 in [ false; true ] do
                let name = if resp3 then scenario.Name + " (RESP3)" else scenario.Name

                testTask name {
                    RedisProcess.requireRedisServer ()
                    // Fresh servers: Redis keeps its eviction pool between runs (evict.c EvictionPoolLRU),
                    // and a later run's keys of the same names would find their old entries there.
                    let! (oracle: Target) = startOracle ()
                    let! (candidate: Target) = startCoolCache ()

                    try
                        let! expected = runOn oracle.Port resp3 scenario
                        let! actual = runOn candidate.Port resp3 scenario
                        Expect.sequenceEqual actual expected "the same transcript as redis-server"
                    finally
                        oracle.Stop().AsTask().Wait()
                        candidate.Stop().AsTask().Wait()
                }
    ]

/// A test on a fresh server of each kind (assertions, not transcripts: the figures differ).
let private onBoth (name: string) (body: int -> Task<unit>) =
    [
        for server in [ "redis"; "coolcache" ] do
            testTask (sprintf "%s (%s)" name server) {
                RedisProcess.requireRedisServer ()

                let! (target: Target) =
                    if server = "redis" then
                        startOracle ()
                    else
                        startCoolCache ()

                try
                    do! body target.Port
                finally
                    target.Stop().AsTask().Wait()
            }
    ]

let private setAll (c: RawClient) (keys: seq<string>) (v: string) =
    task {
        for chunk in Seq.chunkBySize 500 keys do
            let! replies = c.SendBatch [ for k in chunk -> [ latin1 "SET"; latin1 k; latin1 v ] ]

            for r in replies do
                Expect.equal (escape r) "+OK\\r\\n" "SET"
    }

let private contract =
    [
        yield!
            onBoth "with maxmemory 10mb and allkeys-lru, writing 100 MB keeps used_memory within it" (fun port ->
                task {
                    use! c = RawClient.ConnectAsync(port, TimeSpan.FromSeconds 60.0)
                    let! _ = c.Cmd("CONFIG", "SET", "maxmemory-policy", "allkeys-lru")
                    let! _ = c.Cmd("CONFIG", "SET", "maxmemory", "10mb")
                    do! setAll c (Seq.init 100_000 (sprintf "key:%06d")) (String('x', 1000))
                    let! used = usedMemory c
                    Expect.isLessThanOrEqual used (10L * 1024L * 1024L + 64L * 1024L) "used_memory near maxmemory"
                    let! evicted = infoField "stats" "evicted_keys" c
                    let! dbsize = c.Cmd("DBSIZE")
                    let keys = Int64.Parse(text dbsize)
                    Expect.isGreaterThan evicted 80_000L "most keys were evicted"
                    Expect.equal (keys + evicted) 100_000L "every key is either there or evicted"
                    let! pong = c.Cmd("PING")
                    Expect.equal (text pong) "PONG" "alive"
                })
        yield!
            onBoth
                "with noeviction over maxmemory writes get OOM while reads and DEL work, and DEL makes room"
                (fun port ->
                    task {
                        use! c = RawClient.ConnectAsync port
                        do! setAll c (Seq.init 20 (sprintf "big:%d")) value
                        let! used = usedMemory c
                        let! _ = c.Cmd("CONFIG", "SET", "maxmemory", string (used + 300_000L))
                        // room for a couple of 100 kB values, then writes are refused
                        let replies = ResizeArray<string>()

                        for i in 20..29 do
                            let! r = c.Cmd("SET", sprintf "big:%d" i, value)
                            replies.Add(escape r)

                        Expect.equal replies[0] "+OK\\r\\n" "under the limit: a write runs"

                        Expect.equal
                            replies[replies.Count - 1]
                            "-OOM command not allowed when used memory > 'maxmemory'.\\r\\n"
                            "over the limit: OOM"

                        let! read = c.Cmd("STRLEN", "big:0")
                        Expect.equal (text read) "100000" "reads work"
                        let! deleted = c.Cmd("DEL", "big:0", "big:1")
                        Expect.equal (text deleted) "2" "DEL works"
                        let! again = c.Cmd("SET", "more", "v")
                        Expect.equal (text again) "OK" "room again"
                        let! _ = c.Cmd("CONFIG", "SET", "maxmemory", "0")
                        ()
                    })
        yield!
            onBoth "CONFIG SET maxmemory at run time evicts down to it at once, each key with its event" (fun port ->
                task {
                    use! control = RawClient.ConnectAsync port
                    use! subscriber = RawClient.ConnectAsync port
                    let! _ = control.Cmd("CONFIG", "SET", "notify-keyspace-events", "Ee")
                    let! _ = control.Cmd("CONFIG", "SET", "maxmemory-policy", "allkeys-random")
                    let! _ = subscriber.Cmd("SUBSCRIBE", "__keyevent@0__:evicted")
                    do! setAll control (Seq.init 50 (sprintf "k%d")) value
                    let! used = usedMemory control
                    let limit = used - 1_000_000L
                    let! ok = control.Cmd("CONFIG", "SET", "maxmemory", string limit)
                    Expect.equal (text ok) "OK" "CONFIG SET"
                    let! after = usedMemory control
                    Expect.isLessThanOrEqual after limit "within the new limit"
                    let! shown = control.Cmd("CONFIG", "GET", "maxmemory")
                    Expect.stringContains (escape shown) (string limit) "CONFIG GET shows it"
                    let! evicted = infoField "stats" "evicted_keys" control
                    let! dbsize = control.Cmd("DBSIZE")
                    Expect.equal (Int64.Parse(text dbsize)) (50L - evicted) "DBSIZE went down by the evicted keys"
                    Expect.isTrue (evicted >= 9L && evicted <= 11L) (sprintf "about 1 MB of 100 kB keys (%d)" evicted)

                    for _ in 1L .. evicted do
                        let! message = subscriber.Receive()
                        Expect.stringContains (escape message) "__keyevent@0__:evicted" "an evicted event per key"

                    let! _ = control.Cmd("CONFIG", "SET", "maxmemory", "0")
                    ()
                })
    ]

let tests =
    testSequenced
    <| testList "EvictionScenarios" [ yield! differential; yield! contract ]
