/// In-process servers for the client tests: each test starts its own CoolCache on a free loopback port
/// (or a fixed one, to restart it) in a fresh directory, and disposes it afterwards; polling with a
/// deadline instead of sleeping.
module CoolCache.Client.Tests.TestServer

open System
open System.Diagnostics
open System.IO
open System.Net
open System.Net.Sockets
open System.Runtime.ExceptionServices
open System.Threading.Tasks
open Expecto
open CoolCache.Client
open CoolCache.Server

let private root =
    lazy
        (let dir =
            Path.Combine(Path.GetTempPath(), $"coolcache-client-tests-{Environment.ProcessId}")

         Directory.CreateDirectory dir |> ignore

         AppDomain.CurrentDomain.ProcessExit.Add(fun _ ->
             try
                 Directory.Delete(dir, true)
             with _ ->
                 ())

         dir)

/// A new empty directory.
let freshDir () =
    Directory.CreateDirectory(Path.Combine(root.Force(), Guid.NewGuid().ToString("N"))).FullName

/// Start a server on 127.0.0.1 (port 0: a free one); extraArgs are more `--name value` settings.
let startServerOn (port: int) (extraArgs: string list) : Task<ServerHost> =
    ServerHost.StartAsync(
        Array.ofList (
            [
                "--port"
                string port
                "--bind"
                "127.0.0.1"
                "--save"
                ""
                "--dir"
                freshDir ()
                "--loglevel"
                "nothing"
            ]
            @ extraArgs
        )
    )

/// A port that was free a moment ago.
let freePort () =
    let l = new TcpListener(IPAddress.Loopback, 0)
    l.Start()
    let port = (l.LocalEndpoint :?> IPEndPoint).Port
    l.Stop()
    port

/// Options for a client of the server on port.
let options (port: int) = CoolClientOptions(Port = port)

/// Run body against a fresh server, disposing the server afterwards whatever happens.
let withServer (extraArgs: string list) (body: ServerHost -> Task<unit>) : Task<unit> =
    task {
        let! host = startServerOn 0 extraArgs

        let! failure =
            task {
                try
                    do! body host
                    return None
                with e ->
                    return Some(ExceptionDispatchInfo.Capture e)
            }

        do! host.DisposeAsync()

        match failure with
        | Some e -> e.Throw()
        | None -> ()
    }

/// A test with its own server and a client connected to it.
let clientTest (name: string) (body: CoolClient -> Task<unit>) : Test =
    testCaseTask name (fun () ->
        withServer [] (fun host ->
            task {
                use! client = CoolClient.ConnectAsync(options host.Port)
                do! body client
            }))

/// A test with its own server (started with extraArgs).
let serverTest (name: string) (extraArgs: string list) (body: ServerHost -> Task<unit>) : Test =
    testCaseTask name (fun () -> withServer extraArgs body)

/// Poll condition until it holds; fail ("timed out waiting until <what>") after 10 seconds.
let until (what: string) (condition: unit -> Task<bool>) : Task<unit> =
    task {
        let clock = Stopwatch.StartNew()
        let! first = condition ()
        let mutable ok = first

        while not ok do
            if clock.Elapsed > TimeSpan.FromSeconds 10.0 then
                failwithf "timed out waiting until %s" what

            do! Task.Delay 10
            let! next = condition ()
            ok <- next
    }

/// The exception a task fails with (unwrapped), or a test failure when it succeeds.
let failure (t: Task) : Task<exn> =
    task {
        try
            do! t
            return failwith "expected the task to fail"
        with
        | :? AggregateException as e -> return e.InnerException
        | e -> return e
    }

let text (b: byte[]) = CoolClient.Text b
let texts (bs: byte[][]) = bs |> Array.map text |> List.ofArray
