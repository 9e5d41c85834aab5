/// The connection's life: AUTH/HELLO/SELECT on connect, per-request timeouts and cancellation, and
/// reconnecting after the server restarts on the same port.
module CoolCache.Client.Tests.ConnectionTests

open System
open System.Net
open System.Net.Sockets
open System.Threading
open System.Threading.Tasks
open Expecto
open CoolCache.Client
open CoolCache.Client.Tests.TestServer

let private auth =
    serverTest
        "AUTH on connect with requirepass; wrong or missing password is refused with Redis's text"
        [ "--requirepass"; "s3cret" ]
    <| fun host ->
        task {
            use! anon = CoolClient.ConnectAsync(options host.Port)
            let! e = failure (anon.GetAsync "k")
            Expect.stringStarts e.Message "NOAUTH" "a command before AUTH"

            let! wrong =
                failure (CoolClient.ConnectAsync(CoolClientOptions(Port = host.Port, Password = "nope")))

            Expect.stringStarts wrong.Message "WRONGPASS" "a wrong password fails the connect"

            use! c =
                CoolClient.ConnectAsync(CoolClientOptions(Port = host.Port, Password = "s3cret"))

            let! _ = c.SetAsync("k", "v")

            use! c3 =
                CoolClient.ConnectAsync(CoolClientOptions(Port = host.Port, Password = "s3cret", Protocol = 3))

            let! v = c3.GetStringAsync "k"
            Expect.equal v "v" "HELLO 3 AUTH default s3cret"
        }

let private select =
    serverTest "SELECT and CLIENT SETNAME on connect" []
    <| fun host ->
        task {
            use! db3 =
                CoolClient.ConnectAsync(CoolClientOptions(Port = host.Port, Database = 3, ClientName = "worker"))

            use! db0 = CoolClient.ConnectAsync(options host.Port)
            let! _ = db3.SetAsync("only3", "x")
            let! in0 = db0.ExistsAsync(CoolClientTests.rv "only3")
            let! in3 = db3.ExistsAsync(CoolClientTests.rv "only3")
            let! name = db3.ClientGetNameAsync()
            Expect.equal (in0, in3, name) (0L, 1L, "worker") "db 3 and the name"
        }

/// A listener that accepts connections and never answers.
let private silentServer () =
    let l = new TcpListener(IPAddress.Loopback, 0)
    l.Start()
    let accepted = Collections.Concurrent.ConcurrentBag<Socket>()

    task {
        try
            while true do
                let! s = l.AcceptSocketAsync()
                accepted.Add s
        with _ ->
            ()
    }
    |> ignore

    l,
    (l.LocalEndpoint :?> IPEndPoint).Port,
    fun () ->
        l.Stop()

        for s in accepted do
            s.Dispose()

let private timeouts =
    testCaseTask "a request without a reply fails with a timeout; a cancelled one with its token"
    <| fun () ->
        task {
            let _, port, stop = silentServer ()

            try
                use! c =
                    CoolClient.ConnectAsync(CoolClientOptions(Port = port, Timeout = TimeSpan.FromMilliseconds 200.0))

                let clock = Diagnostics.Stopwatch.StartNew()
                let! e = failure (c.GetAsync "k")
                Expect.isTrue (e :? RedisTimeoutException) $"a timeout, not {e}"
                Expect.isLessThan clock.Elapsed (TimeSpan.FromSeconds 3.0) "soon after the timeout"
                Expect.stringContains e.Message "GET" "the message names the command"
                use cts = new CancellationTokenSource()
                let pending = c.GetAsync("k", cts.Token)
                cts.Cancel()
                let! ce = failure pending
                Expect.isTrue (ce :? OperationCanceledException) $"cancelled, not {ce}"
            finally
                stop ()
        }

let private refused =
    testCaseTask "connecting to a closed port fails with a connection error"
    <| fun () ->
        task {
            let! e = failure (CoolClient.ConnectAsync(options (freePort ())))
            Expect.isTrue (e :? RedisConnectionException) $"a connection error, not {e}"
        }

let private reconnect =
    testCaseTask "after the server restarts the client reconnects; requests in flight fail clearly, new ones wait"
    <| fun () ->
        task {
            let port = freePort ()
            let! first = startServerOn port []
            let mutable second: CoolCache.Server.ServerHost option = None

            try
                use! c =
                    CoolClient.ConnectAsync(CoolClientOptions(Port = port, Timeout = TimeSpan.FromSeconds 10.0))

                use! blocker =
                    CoolClient.ConnectAsync(CoolClientOptions(Port = port, Timeout = TimeSpan.FromSeconds 10.0))

                let! _ = c.SetAsync("k", "before")
                let inFlight = blocker.BLPopAsync([| CoolClientTests.rv "nothing" |], 0.0)

                do!
                    until "BLPOP is blocked" (fun () ->
                        task { let! i = c.InfoAsync "clients" in return i.Contains "blocked_clients:1" })

                do! first.DisposeAsync()
                let! e = failure inFlight

                Expect.isTrue
                    (e :? RedisConnectionException)
                    $"the request in flight fails with a connection error, not {e}"

                Expect.stringContains e.Message "outcome is unknown" "and says so"
                do! until "the client notices" (fun () -> Task.FromResult(not c.IsConnected))
                let waiting = c.SetAsync("k", "after")
                let! restarted = startServerOn port []
                second <- Some restarted
                let! ok = waiting
                Expect.isTrue ok "a request made while disconnected runs after the reconnect"
                let! v = c.GetStringAsync "k"
                Expect.equal v "after" "the new server has it"
                Expect.isGreaterThanOrEqual c.Reconnects 1 "reconnected"
            finally
                match second with
                | Some s -> s.DisposeAsync().AsTask().Wait()
                | None -> ()
        }

let tests = testList "Connection" [ auth; select; timeouts; refused; reconnect ]
