/// Pub/sub scenarios run on a real redis-server and on CoolCache: several raw-socket clients subscribe,
/// publish and unsubscribe, and each client's bytes must be identical on both servers, in RESP2 and
/// RESP3. A client's frames are read up to the reply of a PING with a unique message sent after its
/// command (so everything the server wrote before is in), never by waiting for time to pass. Also: the
/// keyspace events of SET and DEL per notify-keyspace-events string, the two settings as CONFIG
/// reads and writes them, and client-output-buffer-limit disconnecting a subscriber that never reads.
module CoolCache.Server.Tests.PubSubScenarioTests

open System
open System.Diagnostics
open System.Net.Sockets
open System.Text
open System.Threading.Tasks
open Expecto
open CoolCache.Server.Tests.RawClient
open CoolCache.Server.Tests.Servers

/// One step of a scenario. Clients are numbered from 0; the control connection is not one of them.
type Act =
    /// Send a command; record every frame it got back (its pushes and reply, and any message before).
    | Do of client: int * args: string list
    /// Like Do, for frames whose order Redis leaves to its hash tables (UNSUBSCRIBE of several
    /// channels, PUBSUB CHANNELS): the channels are recorded sorted, confirmation counts in order.
    | DoUnordered of client: int * args: string list
    /// Send a command and read exactly n frames (a client under CLIENT REPLY OFF cannot sync by PING).
    | Send of client: int * args: string list * frames: int
    /// Record exactly n frames a client has been sent.
    | Take of client: int * frames: int
    /// Record what a client was sent by others since its last read.
    | Read of client: int
    /// A command on the control connection (CONFIG SET...), recorded.
    | Control of args: string list
    /// The CLIENT LIST fields flags, sub, psub and ssub of a client.
    | Fields of client: int
    /// Which of the scenario's clients CLIENT LIST TYPE pubsub and TYPE normal show.
    | ClientTypes
    /// The pubsub_channels, pubsub_patterns and pubsubshard_channels lines of INFO stats.
    | InfoPubSub
    /// Close a client; go on once the server no longer lists it.
    | Close of client: int

type Scenario =
    {
        Name: string
        Clients: int
        Acts: Act list
    }

let private latin1 (s: string) = Encoding.Latin1.GetBytes s


let private text (reply: byte[]) =
    match parseReply reply with
    | Bulk b
    | Verbatim b -> Encoding.Latin1.GetString b
    | Integer n -> string n
    | Simple s -> Encoding.Latin1.GetString s
    | other -> sprintf "%A" other

let private clientLine (control: RawClient) (id: int64) =
    task {
        let! raw =
            control.Send [ latin1 "CLIENT"; latin1 "LIST"; latin1 "ID"; latin1 (string id) ]

        return text raw
    }

/// The PING reply that ends a read: "$n marker", or ["pong", marker] in RESP2 subscribed mode.
let private isMarker (marker: string) (frame: byte[]) =
    let bulk = sprintf "$%d\r\n%s\r\n" marker.Length marker
    let text = Encoding.Latin1.GetString frame
    text = bulk || text = "*2\r\n$4\r\npong\r\n" + bulk

let private readUntil (c: RawClient) (marker: string) =
    task {
        let frames = ResizeArray<byte[]>()
        let mutable finished = false

        while not finished do
            let! frame = c.Receive()

            if isMarker marker frame then
                finished <- true
            else
                frames.Add frame

        return List.ofSeq frames
    }

let private show (frames: byte[] list) =
    if frames.IsEmpty then
        "(nothing)"
    else
        frames |> List.map escape |> String.concat " | "

/// Order-free form: a single array reply as its sorted elements; confirmations as sorted channels
/// and their counts in order.
let private showUnordered (frames: byte[] list) =
    match frames |> List.map parseReply with
    | [ Array items ] ->
        items
        |> List.map (sprintf "%A")
        |> List.sort
        |> String.concat ", "
        |> sprintf "{%s}"
    | replies ->
        let parts =
            replies
            |> List.map (function
                | Array [ Bulk word; channel; Integer n ]
                | Push [ Bulk word; channel; Integer n ] -> Encoding.Latin1.GetString word, sprintf "%A" channel, n
                | other -> failwithf "not a confirmation: %A" other)

        let words = parts |> List.map (fun (w, _, _) -> w) |> List.distinct
        let channels = parts |> List.map (fun (_, c, _) -> c) |> List.sort
        let counts = parts |> List.map (fun (_, _, n) -> string n)

        sprintf
            "%s of {%s}, counts %s"
            (String.Join(",", words))
            (String.Join(", ", channels))
            (String.Join(" ", counts))

/// The server has forgotten earlier scenarios' clients: no channel, pattern or shard channel left.
let private quiet (control: RawClient) =
    Polling.until "no subscriptions are left from earlier scenarios" (fun () ->
        task {
            let! replies =
                control.SendBatch
                    [
                        [ latin1 "PUBSUB"; latin1 "NUMPAT" ]
                        [ latin1 "PUBSUB"; latin1 "CHANNELS" ]
                        [ latin1 "PUBSUB"; latin1 "SHARDCHANNELS" ]
                    ]

            return
                Encoding.Latin1.GetString replies[0] = ":0\r\n"
                && Encoding.Latin1.GetString replies[1] = "*0\r\n"
                && Encoding.Latin1.GetString replies[2] = "*0\r\n"
        })

/// Runs a scenario on one server; the transcript is one line per act.
let private run (port: int) (resp3: bool) (scenario: Scenario) : Task<string list> =
    task {
        use! control = RawClient.ConnectAsync port

        let! _ =
            control.SendBatch
                [
                    [ latin1 "CONFIG"; latin1 "SET"; latin1 "notify-keyspace-events"; latin1 "" ]
                    [
                        latin1 "CONFIG"
                        latin1 "SET"
                        latin1 "client-output-buffer-limit"
                        latin1 "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"
                    ]
                    [ latin1 "FLUSHALL" ]
                ]

        do! quiet control
        let clients = Array.zeroCreate<RawClient> scenario.Clients
        let ids = Array.zeroCreate<int64> scenario.Clients
        let transcript = ResizeArray<string>()
        let mutable syncs = 0

        let nextMarker () =
            syncs <- syncs + 1
            sprintf "sync-%d" syncs

        try
            for i in 0 .. scenario.Clients - 1 do
                let! c = RawClient.ConnectAsync port
                clients[i] <- c

                if resp3 then
                    let! _ = c.Cmd("HELLO", "3")
                    ()

                let! id = c.Cmd("CLIENT", "ID")

                ids[i] <-
                    match parseReply id with
                    | Integer n -> n
                    | other -> failwithf "CLIENT ID replied %A" other

            let doCommand (c: int) (args: string list) =
                task {
                    let marker = nextMarker ()
                    do! clients[c].Post [ args |> List.map latin1; [ latin1 "PING"; latin1 marker ] ]
                    return! readUntil clients[c] marker
                }

            let record (c: int) (what: string) (shown: string) =
                transcript.Add(sprintf "client %d: %s -> %s" c what shown)

            for act in scenario.Acts do
                match act with
                | Do(c, args) ->
                    let! frames = doCommand c args
                    record c (String.Join(" ", args)) (show frames)
                | DoUnordered(c, args) ->
                    let! frames = doCommand c args
                    record c (String.Join(" ", args)) (showUnordered frames)
                | Send(c, args, n) ->
                    do! clients[c].Post [ args |> List.map latin1 ]
                    let frames = ResizeArray()

                    for _ in 1..n do
                        let! f = clients[c].Receive()
                        frames.Add f

                    record c (String.Join(" ", args)) (show (List.ofSeq frames))
                | Take(c, n) ->
                    let frames = ResizeArray()

                    for _ in 1..n do
                        let! f = clients[c].Receive()
                        frames.Add f

                    record c "(take)" (show (List.ofSeq frames))
                | Read c ->
                    let marker = nextMarker ()
                    do! clients[c].Post [ [ latin1 "PING"; latin1 marker ] ]
                    let! frames = readUntil clients[c] marker
                    record c "(read)" (show frames)
                | Control args ->
                    let! reply = control.Send(args |> List.map latin1)
                    transcript.Add(sprintf "control: %s -> %s" (String.Join(" ", args)) (escape reply))
                | Fields c ->
                    let! line = clientLine control ids[c]

                    let fields =
                        line.Trim().Split(' ')
                        |> Array.filter (fun f ->
                            [ "flags="; "sub="; "psub="; "ssub=" ] |> List.exists (fun p -> f.StartsWith p))

                    record c "(CLIENT LIST fields)" (String.Join(" ", fields))
                | ClientTypes ->
                    let shown (kind: string) =
                        task {
                            let! raw =
                                control.Send [ latin1 "CLIENT"; latin1 "LIST"; latin1 "TYPE"; latin1 kind ]

                            let lines = (text raw).Split('\n', StringSplitOptions.RemoveEmptyEntries)

                            return
                                [
                                    for i in 0 .. scenario.Clients - 1 do
                                        if lines |> Array.exists (fun l -> l.StartsWith(sprintf "id=%d " ids[i])) then
                                            string i
                                ]
                                |> String.concat ","
                        }

                    let! pubsub = shown "pubsub"
                    let! normal = shown "normal"
                    transcript.Add(sprintf "CLIENT LIST TYPE pubsub: [%s] TYPE normal: [%s]" pubsub normal)
                | InfoPubSub ->
                    let! raw = control.Send [ latin1 "INFO"; latin1 "stats" ]

                    let lines =
                        (text raw).Split("\r\n")
                        |> Array.filter (fun l -> l.StartsWith "pubsub")
                        |> String.concat " "

                    transcript.Add(sprintf "INFO stats: %s" lines)
                | Close c ->
                    clients[c].Dispose()

                    do!
                        Polling.until (sprintf "client %d is gone" c) (fun () ->
                            task {
                                let! line = clientLine control ids[c]
                                return line = ""
                            })
        finally
            for c in clients do
                if not (isNull (box c)) then
                    c.Dispose()

        return List.ofSeq transcript
    }

let private scenarios: Scenario list =
    [
        {
            Name = "a subscriber receives what a publisher sends, in publish order"
            Clients = 2
            Acts =
                [
                    Do(0, [ "SUBSCRIBE"; "news" ])
                    Do(1, [ "PUBLISH"; "news"; "first" ])
                    Do(1, [ "PUBLISH"; "news"; "second" ])
                    Do(1, [ "PUBLISH"; "other"; "not for 0" ])
                    Do(1, [ "PUBLISH"; "news"; "" ])
                    Read 0
                ]
        }
        {
            Name = "every subscriber of a channel gets every message and PUBLISH counts them"
            Clients = 3
            Acts =
                [
                    Do(0, [ "SUBSCRIBE"; "ch"; "ch2" ])
                    Do(1, [ "SUBSCRIBE"; "ch" ])
                    Do(2, [ "PUBLISH"; "ch"; "m1" ])
                    Do(2, [ "PUBLISH"; "ch2"; "m2" ])
                    Do(2, [ "PUBLISH"; "ch"; "m3" ])
                    Read 0
                    Read 1
                    Do(2, [ "PUBSUB"; "NUMSUB"; "ch"; "ch2"; "none" ])
                ]
        }
        {
            Name = "pattern subscribers get pmessage with the pattern, after the channel's message"
            Clients = 3
            Acts =
                [
                    Do(0, [ "PSUBSCRIBE"; "news.*" ])
                    Do(0, [ "SUBSCRIBE"; "news.sport" ])
                    Do(1, [ "SUBSCRIBE"; "news.sport" ])
                    Do(2, [ "PUBLISH"; "news.sport"; "goal" ])
                    Do(2, [ "PUBLISH"; "news.art"; "paint" ])
                    Do(2, [ "PUBLISH"; "NEWS.art"; "case matters" ])
                    Read 0
                    Read 1
                    Do(2, [ "PUBSUB"; "NUMPAT" ])
                ]
        }
        {
            Name = "glob patterns: ?, classes, escapes and binary channels"
            Clients = 5
            Acts =
                [
                    Do(0, [ "PSUBSCRIBE"; "h?llo" ])
                    Do(1, [ "PSUBSCRIBE"; "h[^e]llo" ])
                    Do(2, [ "PSUBSCRIBE"; "h\\*" ])
                    Do(3, [ "PSUBSCRIBE"; "bin\000*" ])
                    Do(4, [ "PUBLISH"; "hallo"; "1" ])
                    Do(4, [ "PUBLISH"; "hello"; "2" ])
                    Do(4, [ "PUBLISH"; "h*"; "3" ])
                    Do(4, [ "PUBLISH"; "HALLO"; "4" ])
                    Do(4, [ "PUBLISH"; "bin\000\255\r\n"; "5\000" ])
                    Read 0
                    Read 1
                    Read 2
                    Read 3
                ]
        }
        {
            Name = "UNSUBSCRIBE and PUNSUBSCRIBE confirm with the count left; without arguments they leave all"
            Clients = 2
            Acts =
                [
                    Do(0, [ "SUBSCRIBE"; "a"; "b"; "c"; "a" ])
                    Do(0, [ "PSUBSCRIBE"; "p*"; "q" ])
                    Do(0, [ "UNSUBSCRIBE"; "b"; "nothing" ])
                    DoUnordered(0, [ "UNSUBSCRIBE" ])
                    Do(0, [ "UNSUBSCRIBE" ])
                    Do(0, [ "PUNSUBSCRIBE"; "q" ])
                    Do(0, [ "PUNSUBSCRIBE" ])
                    Do(0, [ "PUNSUBSCRIBE" ])
                    Do(0, [ "PUNSUBSCRIBE"; "x" ])
                    Do(1, [ "PUBLISH"; "a"; "nobody" ])
                    Do(0, [ "GET"; "k" ])
                ]
        }
        {
            Name = "in RESP2 subscribed mode only (P|S)SUBSCRIBE, (P|S)UNSUBSCRIBE, PING, QUIT and RESET run"
            Clients = 1
            Acts =
                [
                    Do(0, [ "SUBSCRIBE"; "a" ])
                    Do(0, [ "GET"; "k" ])
                    Do(0, [ "SET"; "k"; "v" ])
                    Do(0, [ "CLIENT"; "GETNAME" ])
                    Do(0, [ "PUBSUB"; "CHANNELS" ])
                    Do(0, [ "PUBLISH"; "a"; "self" ])
                    Do(0, [ "PING" ])
                    Do(0, [ "PING"; "hello" ])
                    Do(0, [ "PING"; "a"; "b" ])
                    Do(0, [ "NOSUCHCOMMAND" ])
                    Do(0, [ "GET" ])
                    Do(0, [ "ECHO"; "x" ])
                    Do(0, [ "PSUBSCRIBE"; "x" ])
                    Do(0, [ "UNSUBSCRIBE"; "a" ])
                    Do(0, [ "GET"; "k" ])
                    Do(0, [ "PUNSUBSCRIBE" ])
                    Do(0, [ "GET"; "k" ])
                ]
        }
        {
            Name = "RESET leaves every subscription and ends subscribed mode"
            Clients = 2
            Acts =
                [
                    Do(0, [ "SUBSCRIBE"; "a" ])
                    Do(0, [ "PSUBSCRIBE"; "b*" ])
                    Do(0, [ "SSUBSCRIBE"; "s" ])
                    Fields 0
                    Do(0, [ "RESET" ])
                    Fields 0
                    Do(1, [ "PUBLISH"; "a"; "x" ])
                    Do(1, [ "PUBLISH"; "bb"; "x" ])
                    Do(1, [ "SPUBLISH"; "s"; "x" ])
                    Do(0, [ "GET"; "k" ])
                    Read 0
                ]
        }
        {
            Name = "a subscriber may publish to itself (RESP3: the message comes before the reply)"
            Clients = 2
            Acts =
                [
                    Do(0, [ "SUBSCRIBE"; "me" ])
                    Do(0, [ "PUBLISH"; "me"; "to myself" ])
                    Do(1, [ "PUBLISH"; "me"; "from 1" ])
                    Do(0, [ "SET"; "k"; "v" ])
                    Read 0
                ]
        }
        {
            Name = "shard channels: SSUBSCRIBE, SPUBLISH, SUNSUBSCRIBE apart from channels and patterns"
            Clients = 4
            Acts =
                [
                    Do(0, [ "SSUBSCRIBE"; "s1"; "s2"; "s1" ])
                    Do(1, [ "PSUBSCRIBE"; "*" ])
                    Do(2, [ "SUBSCRIBE"; "s1" ])
                    Do(3, [ "SPUBLISH"; "s1"; "shard" ])
                    Do(3, [ "PUBLISH"; "s1"; "global" ])
                    Read 0
                    Read 1
                    Read 2
                    InfoPubSub
                    DoUnordered(3, [ "PUBSUB"; "SHARDCHANNELS" ])
                    Do(3, [ "PUBSUB"; "SHARDCHANNELS"; "*2" ])
                    Do(3, [ "PUBSUB"; "SHARDNUMSUB"; "s1"; "s3" ])
                    Do(0, [ "SUNSUBSCRIBE"; "s1"; "x" ])
                    Do(0, [ "SUNSUBSCRIBE" ])
                    Do(0, [ "SUNSUBSCRIBE" ])
                    Do(0, [ "GET"; "k" ])
                ]
        }
        {
            Name = "SSUBSCRIBE inside MULTI is refused when EXEC runs it (a DENY BLOCKING client), others run"
            Clients = 2
            Acts =
                [
                    // Inside MULTI a PING is queued too: read exact frame counts.
                    Send(0, [ "MULTI" ], 1)
                    Send(0, [ "ssubscribe"; "s1" ], 1)
                    Send(0, [ "SSUBSCRIBE"; "s2"; "s3" ], 1)
                    Send(0, [ "SET"; "k"; "v" ], 1)
                    Send(0, [ "EXEC" ], 1)
                    Fields 0
                    Do(1, [ "SPUBLISH"; "s1"; "nobody" ])
                    Do(1, [ "PUBSUB"; "SHARDNUMSUB"; "s1"; "s2"; "s3" ])
                    Do(0, [ "GET"; "k" ])
                    Do(0, [ "SSUBSCRIBE"; "s1" ])
                    Do(1, [ "SPUBLISH"; "s1"; "now subscribed" ])
                    Read 0
                ]
        }
        {
            Name = "PUBSUB CHANNELS, NUMSUB, NUMPAT and HELP, and their errors"
            Clients = 3
            Acts =
                [
                    Do(0, [ "SUBSCRIBE"; "a1"; "a2"; "b" ])
                    Do(1, [ "PSUBSCRIBE"; "x"; "y"; "x" ])
                    Do(1, [ "SUBSCRIBE"; "a1" ])
                    InfoPubSub
                    DoUnordered(2, [ "PUBSUB"; "CHANNELS" ])
                    DoUnordered(2, [ "PUBSUB"; "CHANNELS"; "a*" ])
                    Do(2, [ "PUBSUB"; "CHANNELS"; "[b]" ])
                    Do(2, [ "PUBSUB"; "NUMSUB"; "a1"; "b"; "none" ])
                    Do(2, [ "PUBSUB"; "NUMSUB" ])
                    Do(2, [ "PUBSUB"; "NUMPAT" ])
                    Do(2, [ "PUBSUB"; "CHANNELS"; "a"; "b" ])
                    Do(2, [ "PUBSUB"; "NUMPAT"; "x" ])
                    Do(2, [ "PUBSUB"; "HELP" ])
                    Do(2, [ "PUBSUB"; "help"; "x" ])
                    Do(2, [ "PUBSUB"; "FOO" ])
                    Do(2, [ "PUBSUB" ])
                    Do(2, [ "PUBLISH"; "a" ])
                    Do(2, [ "SUBSCRIBE" ])
                    Do(2, [ "SPUBLISH"; "a" ])
                ]
        }
        {
            Name = "CLIENT LIST shows flags=P and the sub, psub and ssub counts"
            Clients = 2
            Acts =
                [
                    Fields 0
                    Do(0, [ "SUBSCRIBE"; "a"; "b" ])
                    Fields 0
                    Do(0, [ "PSUBSCRIBE"; "p" ])
                    Do(0, [ "SSUBSCRIBE"; "s"; "t"; "u" ])
                    Fields 0
                    Fields 1
                    ClientTypes
                    Do(0, [ "UNSUBSCRIBE"; "a"; "b" ])
                    Do(0, [ "PUNSUBSCRIBE" ])
                    Fields 0
                    Do(0, [ "SUNSUBSCRIBE"; "s"; "t"; "u" ])
                    Fields 0
                    ClientTypes
                ]
        }
        {
            Name = "a subscriber that disconnects is no longer counted"
            Clients = 3
            Acts =
                [
                    Do(0, [ "SUBSCRIBE"; "a" ])
                    Do(1, [ "SUBSCRIBE"; "a" ])
                    Do(1, [ "PSUBSCRIBE"; "*" ])
                    Do(2, [ "PUBLISH"; "a"; "three" ])
                    Close 0
                    Do(2, [ "PUBLISH"; "a"; "two" ])
                    Do(2, [ "PUBSUB"; "NUMSUB"; "a" ])
                    Close 1
                    Do(2, [ "PUBLISH"; "a"; "none" ])
                    Do(2, [ "PUBSUB"; "NUMPAT" ])
                ]
        }
        {
            Name = "CLIENT KILL TYPE pubsub closes the subscribers, which stop counting at once"
            Clients = 3
            Acts =
                [
                    Do(0, [ "SUBSCRIBE"; "a" ])
                    Do(1, [ "PSUBSCRIBE"; "a*" ])
                    Do(2, [ "PUBLISH"; "a"; "two" ])
                    Control [ "CLIENT"; "KILL"; "TYPE"; "pubsub" ]
                    Do(2, [ "PUBLISH"; "a"; "none" ])
                    Do(2, [ "PUBSUB"; "NUMSUB"; "a" ])
                    Do(2, [ "PUBSUB"; "NUMPAT" ])
                    Control [ "CLIENT"; "KILL"; "TYPE"; "pubsub" ]
                ]
        }
        {
            Name = "CLIENT REPLY OFF silences replies but not subscribe confirmations or messages"
            Clients = 2
            Acts =
                [
                    Send(0, [ "CLIENT"; "REPLY"; "OFF" ], 0)
                    Send(0, [ "SUBSCRIBE"; "a"; "b" ], 2)
                    Do(1, [ "PUBLISH"; "a"; "still delivered" ])
                    Take(0, 1)
                    Send(0, [ "PSUBSCRIBE"; "c*" ], 1)
                    Send(0, [ "RESET" ], 1)
                    Do(0, [ "PING" ])
                ]
        }
        {
            Name = "binary-safe channels and messages, long ones too"
            Clients = 2
            Acts =
                [
                    Do(0, [ "SUBSCRIBE"; "\000\001\255 \r\n"; String('c', 5000) ])
                    Do(1, [ "PUBLISH"; "\000\001\255 \r\n"; "\r\n\000" ])
                    Do(1, [ "PUBLISH"; String('c', 5000); String('m', 70000) ])
                    Read 0
                    Do(1, [ "PUBSUB"; "NUMSUB"; "\000\001\255 \r\n" ])
                ]
        }
    ]

/// SET and DEL seen by keyspace subscribers under one notify-keyspace-events string.
let private keyspaceScenario (flags: string) =
    {
        Name = sprintf "keyspace events of SET and DEL with notify-keyspace-events '%s'" flags
        Clients = 3
        Acts =
            [
                Control [ "CONFIG"; "SET"; "notify-keyspace-events"; flags ]
                Control [ "CONFIG"; "GET"; "notify-keyspace-events" ]
                Do(0, [ "PSUBSCRIBE"; "__key*__:*" ])
                Do(1, [ "SUBSCRIBE"; "__keyevent@0__:del" ])
                Do(2, [ "SET"; "k"; "v" ])
                Do(2, [ "SET"; "k2"; "v" ])
                Do(2, [ "DEL"; "k"; "missing"; "k2"; "k" ])
                Do(2, [ "SELECT"; "5" ])
                Do(2, [ "SET"; "k\000\255"; "v" ])
                Do(2, [ "DEL"; "k\000\255" ])
                Read 0
                Read 1
                Control [ "CONFIG"; "SET"; "notify-keyspace-events"; "" ]
                Do(2, [ "SET"; "k"; "v" ])
                Read 0
            ]
    }

let private configScenario =
    {
        Name = "CONFIG SET and GET of notify-keyspace-events and client-output-buffer-limit"
        Clients = 0
        Acts =
            [
                for flags in [ "KEA"; "g$lshzxetdmn"; "AKEmn"; "xE"; "KEg"; "$Kl"; "n"; "Z"; "KEA m"; "" ] do
                    Control [ "CONFIG"; "SET"; "notify-keyspace-events"; flags ]
                    Control [ "CONFIG"; "GET"; "notify-keyspace-events" ]
                for limits in
                    [
                        "pubsub 32mb 8mb 60"
                        "pubsub 1k 2K 3 normal 1mb 2MB 4"
                        "replica 1gb 1 1"
                        "pubsub 1k 2K"
                        "master 1 1 1"
                        "pubsub -1 1 1"
                        "pubsub 1 1 x"
                        "pubsub  3   3 3"
                        ""
                        "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"
                    ] do
                    Control [ "CONFIG"; "SET"; "client-output-buffer-limit"; limits ]
                    Control [ "CONFIG"; "GET"; "client-output-buffer-limit" ]
            ]
    }

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

let private differential =
    [
        for scenario in
            scenarios
            @ [ for f in [ "KEA"; "E$"; "Kg"; "K$g"; "AE"; "KE" ] -> keyspaceScenario f ] do
            for resp3 in [ false; true ] do
                let name = scenario.Name + (if resp3 then " (RESP3)" else "")

                testTask name {
                    RedisProcess.requireRedisServer ()
                    let! oracle, candidate = pair.Force()
                    let! expected = run oracle.Port resp3 scenario
                    let! actual = run candidate.Port resp3 scenario

                    // COOLCACHE_PUBSUB_TRANSCRIPT=1 prints what the oracle sent (to read the scenarios).
                    if Environment.GetEnvironmentVariable "COOLCACHE_PUBSUB_TRANSCRIPT" = "1" then
                        printfn "== %s\n%s" name (String.concat "\n" expected)

                    Expect.sequenceEqual
                        actual
                        expected
                        (sprintf "%s sends what %s sends (left: %s)" candidate.Name oracle.Name candidate.Name)
                }
        testTask configScenario.Name {
            RedisProcess.requireRedisServer ()
            let! oracle, candidate = pair.Force()
            let! expected = run oracle.Port false configScenario
            let! actual = run candidate.Port false configScenario
            Expect.sequenceEqual actual expected "CONFIG replies like Redis"
        }
    ]

// ---- client-output-buffer-limit: a subscriber that never reads ----

/// A subscriber on a raw socket with a small receive buffer, which reads its confirmation and then
/// nothing more. Returns the socket and its client id.
let private stalledSubscriber (port: int) (channel: string) =
    task {
        let socket =
            new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp, ReceiveBufferSize = 4096)

        do! socket.ConnectAsync(Net.IPAddress.Loopback, port)

        let! _ =
            socket.SendAsync(ReadOnlyMemory(encodeCommand [ latin1 "CLIENT"; latin1 "ID" ]), SocketFlags.None)

        let buffer = Array.zeroCreate<byte> 256
        let mutable got = 0

        while tryParseAt buffer 0 got |> Option.isNone do
            let! n = socket.ReceiveAsync(buffer.AsMemory(got), SocketFlags.None)
            got <- got + n

        let id =
            match tryParseAt buffer 0 got with
            | Some(Integer n, _) -> n
            | other -> failwithf "CLIENT ID replied %A" other

        let! _ =
            socket.SendAsync(ReadOnlyMemory(encodeCommand [ latin1 "SUBSCRIBE"; latin1 channel ]), SocketFlags.None)

        return socket, id
    }

let private listed (control: RawClient) (id: int64) =
    task {
        let! line = clientLine control id
        return line <> ""
    }

/// Publish 256 KB messages until the subscriber stops counting (the hard limit closed it), at most 64 MB.
let private hardLimit (port: int) =
    task {
        use! control = RawClient.ConnectAsync port

        let! _ =
            control.Cmd("CONFIG", "SET", "client-output-buffer-limit", "pubsub 4mb 1mb 60")

        let! socket, id = stalledSubscriber port "flood"
        use _ = socket

        do!
            Polling.until "the subscriber is subscribed" (fun () ->
                task {
                    let! l = clientLine control id
                    return l.Contains "sub=1"
                })

        let message = String('x', 256 * 1024)
        let mutable receivers = 1L
        let mutable published = 0

        while receivers = 1L && published < 256 do
            let! r = control.Cmd("PUBLISH", "flood", message)
            published <- published + 1

            receivers <-
                match parseReply r with
                | Integer n -> n
                | other -> failwithf "PUBLISH replied %A" other

        Expect.isLessThan published 256 "the subscriber stopped counting before 64 MB"

        do!
            Polling.until "the server no longer lists the subscriber" (fun () ->
                task {
                    let! l = listed control id
                    return not l
                })

        let! after = control.Cmd("PUBLISH", "flood", "x")
        Expect.equal (escape after) ":0\\r\\n" "nobody receives any more"

        let! _ =
            control.Cmd("CONFIG", "SET", "client-output-buffer-limit", "pubsub 33554432 8388608 60")

        ()
    }

/// Publish 16 MB once, then nothing: the periodic check closes the subscriber after the soft seconds.
let private softLimit (port: int) =
    task {
        use! control = RawClient.ConnectAsync port

        let! _ =
            control.Cmd("CONFIG", "SET", "client-output-buffer-limit", "pubsub 0 256kb 1")

        let! socket, id = stalledSubscriber port "soft"
        use _ = socket

        do!
            Polling.until "the subscriber is subscribed" (fun () ->
                task {
                    let! l = clientLine control id
                    return l.Contains "sub=1"
                })

        let message = String('x', 1024 * 1024)

        for _ in 1..16 do
            let! _ = control.Cmd("PUBLISH", "soft", message)
            ()

        let! stillThere = listed control id
        Expect.isTrue stillThere "not closed at once: the soft limit waits its seconds"

        do!
            Polling.until "the server closes the subscriber" (fun () ->
                task {
                    let! l = listed control id
                    return not l
                })

        let! _ =
            control.Cmd("CONFIG", "SET", "client-output-buffer-limit", "pubsub 33554432 8388608 60")

        ()
    }

let private outputLimit =
    [
        for server in [ "redis"; "coolcache" ] do
            let port () =
                task {
                    RedisProcess.requireRedisServer ()
                    let! oracle, candidate = pair.Force()
                    return if server = "redis" then oracle.Port else candidate.Port
                }

            testTask (sprintf "a subscriber that stops reading is disconnected at the hard limit (%s)" server) {
                let! p = port ()
                do! hardLimit p
            }

            testTask (
                sprintf "a subscriber above the soft limit for longer than its seconds is disconnected (%s)" server
            ) {
                let! p = port ()
                do! softLimit p
            }
    ]

/// The two settings from a config file and from the command line, as CONFIG GET shows them.
let private settings =
    testList
        "PubSubSettings"
        [
            testTask "notify-keyspace-events and client-output-buffer-limit are read from a config file" {
                let file = IO.Path.GetTempFileName()

                IO.File.WriteAllText(
                    file,
                    "notify-keyspace-events KEA\n"
                    + "client-output-buffer-limit pubsub 1mb 512kb 10\n"
                    + "client-output-buffer-limit normal 1gb 1g 5\n"
                )

                try
                    do!
                        TestServer.withServer [ file ] (fun host ->
                            task {
                                use! wire = TestServer.connect host
                                let! events = wire.CommandAsync [ "CONFIG"; "GET"; "notify-keyspace-events" ]
                                Expect.stringContains events "$3\r\nAKE\r\n" "canonical flags"
                                let! limits = wire.CommandAsync [ "CONFIG"; "GET"; "client-output-buffer-limit" ]

                                Expect.stringContains
                                    limits
                                    "normal 1073741824 1000000000 5 slave 268435456 67108864 60 pubsub 1048576 524288 10"
                                    "both lines applied, the slave class untouched"
                            })
                finally
                    IO.File.Delete file
            }

            testTask "notify-keyspace-events from the command line turns events on" {
                do!
                    TestServer.withServer [ "--notify-keyspace-events"; "E$" ] (fun host ->
                        task {
                            use! subscriber = TestServer.connect host
                            use! writer = TestServer.connect host
                            let! confirmation = subscriber.CommandAsync [ "SUBSCRIBE"; "__keyevent@0__:set" ]
                            Expect.stringContains confirmation "subscribe" "subscribed"
                            let! ok = writer.CommandAsync [ "SET"; "k"; "v" ]
                            Expect.stringContains ok "OK" "SET"
                            let! message = subscriber.ReadTextAsync()

                            Expect.equal
                                message
                                "*3\r\n$7\r\nmessage\r\n$18\r\n__keyevent@0__:set\r\n$1\r\nk\r\n"
                                "the set event"
                        })
            }

            testTask "with timeout 1 an idle subscriber stays connected while an idle client is closed" {
                do!
                    TestServer.withServer [ "--timeout"; "1" ] (fun host ->
                        task {
                            use! subscriber = TestServer.connect host
                            let! confirmation = subscriber.CommandAsync [ "SUBSCRIBE"; "a" ]
                            Expect.stringContains confirmation "subscribe" "subscribed"
                            // Connected after the subscriber, so idle for less time.
                            use! idle = TestServer.connect host
                            let! pong = idle.CommandAsync [ "PING" ]
                            Expect.equal pong "+PONG\r\n" "PING"
                            let! _ = idle.ReadUntilClosedAsync(TimeSpan.FromSeconds 10.0)
                            use! control = TestServer.connect host
                            let! numsub = control.CommandAsync [ "PUBSUB"; "NUMSUB"; "a" ]
                            Expect.equal numsub "*2\r\n$1\r\na\r\n:1\r\n" "the subscriber is still there"
                            let! published = control.CommandAsync [ "PUBLISH"; "a"; "m" ]
                            Expect.equal published ":1\r\n" "and receives"
                            let! message = subscriber.ReadTextAsync()
                            Expect.equal message "*3\r\n$7\r\nmessage\r\n$1\r\na\r\n$1\r\nm\r\n" "the message"
                        })
            }

            testTask "an invalid notify-keyspace-events stops the server from starting" {
                let! failed =
                    task {
                        try
                            let! host = TestServer.startServer [ "--notify-keyspace-events"; "KZ" ]
                            do! host.DisposeAsync()
                            return false
                        with :? ArgumentException as e ->
                            Expect.stringContains e.Message "Invalid event class character" "Redis's reason"
                            return true
                    }

                Expect.isTrue failed "refused"
            }
        ]

let tests =
    testSequenced
    <| testList "PubSubScenarios" [ yield! differential; yield! outputLimit; settings ]
