/// Starting and stopping a real `redis-server` (the oracle of the differential tests).
module CoolCache.Server.Tests.RedisProcess

open System
open System.Collections.Concurrent
open System.Collections.Generic
open System.Diagnostics
open System.IO
open System.Net
open System.Net.Sockets
open System.Text
open System.Threading
open System.Threading.Tasks
open Expecto

/// Where redis-server lives: COOLCACHE_REDIS_SERVER if set (a path; used as is, so a wrong path
/// means "not installed"), else the first match on PATH, then the Debian/Ubuntu location.
let tryFindRedisServer () : string option =
    match Environment.GetEnvironmentVariable "COOLCACHE_REDIS_SERVER" with
    | null
    | "" ->
        let onPath =
            match Environment.GetEnvironmentVariable "PATH" with
            | null -> []
            | path ->
                path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
                |> Array.map (fun dir -> Path.Combine(dir, "redis-server"))
                |> Array.toList

        onPath @ [ "/usr/bin/redis-server"; "/usr/local/bin/redis-server" ]
        |> List.tryFind File.Exists
    | explicitPath -> if File.Exists explicitPath then Some explicitPath else None

/// COOLCACHE_REQUIRE_REDIS=1 turns "redis-server is missing" from a skip into a failure (for CI).
let redisRequired () =
    Environment.GetEnvironmentVariable "COOLCACHE_REQUIRE_REDIS" = "1"

/// Call at the start of every test that needs redis-server: skips the test (or fails it when
/// COOLCACHE_REQUIRE_REDIS=1) if redis-server is not installed.
let requireRedisServer () : unit =
    match tryFindRedisServer () with
    | Some _ -> ()
    | None when redisRequired () ->
        failtest
            "redis-server not installed but COOLCACHE_REQUIRE_REDIS=1: install it (apt-get install -y redis-server redis-tools) or put it on PATH"
    | None -> skiptest "redis-server not installed"

/// A free TCP port on 127.0.0.1: bind port 0, read the port the OS chose, release it.
let freePort () : int =
    let listener = new TcpListener(IPAddress.Loopback, 0)
    listener.Start()

    try
        (listener.LocalEndpoint :?> IPEndPoint).Port
    finally
        listener.Stop()

// Every redis-server we start, so that they die with the test process even if a test forgets
// to dispose (or the run is interrupted).
let private live = ConcurrentDictionary<int, Process>()

let private killQuietly (p: Process) =
    try
        if not p.HasExited then
            p.Kill true
            p.WaitForExit 2000 |> ignore
    with _ ->
        ()

do AppDomain.CurrentDomain.ProcessExit.Add(fun _ -> live.Values |> Seq.iter killQuietly)

/// Sends PING on a fresh connection; true when the reply is +PONG.
let private tryPing (port: int) (timeout: TimeSpan) : Task<bool> =
    task {
        try
            use cts = new CancellationTokenSource(timeout)
            use client = new TcpClient()
            do! client.ConnectAsync(IPAddress.Loopback, port, cts.Token)
            let stream = client.GetStream()
            do! stream.WriteAsync(Encoding.ASCII.GetBytes "*1\r\n$4\r\nPING\r\n", cts.Token)
            let buf = Array.zeroCreate<byte> 64
            let mutable got = 0
            let mutable finished = false

            while not finished do
                let! n = stream.ReadAsync(buf.AsMemory(got), cts.Token)
                got <- got + n
                finished <- n = 0 || got >= 7

            return Encoding.ASCII.GetString(buf, 0, got) = "+PONG\r\n"
        with _ ->
            return false
    }

/// A running redis-server child process. Dispose kills it and removes its temp dir.
type RedisServer internal (proc: Process, port: int, dir: string, output: Queue<string>) =
    member _.Port = port
    member _.Process = proc
    /// Its working directory (dump.rdb is written and read here).
    member _.Dir = dir

    /// The last lines redis-server printed (for error messages).
    member _.RecentOutput = lock output (fun () -> String.Join("\n", output))

    member val private Disposed = false with get, set

    /// Kills it (once; later calls do nothing).
    member this.Dispose() =
        if not this.Disposed then
            this.Disposed <- true
            live.TryRemove proc.Id |> ignore
            killQuietly proc
            proc.Dispose()

            try
                Directory.Delete(dir, true)
            with _ ->
                ()

    interface IDisposable with
        member this.Dispose() = this.Dispose()

    interface IAsyncDisposable with
        member this.DisposeAsync() =
            this.Dispose()
            ValueTask.CompletedTask

let private startOnce
    (prepare: string -> unit)
    (extra: string list)
    (exe: string)
    (port: int)
    (deadline: TimeSpan)
    : Task<Result<RedisServer, string>> =
    task {
        let dir = Path.Combine(Path.GetTempPath(), $"coolcache-redis-{Guid.NewGuid():N}")
        Directory.CreateDirectory dir |> ignore
        prepare dir

        let psi = ProcessStartInfo(exe)

        for a in
            [
                "--port"
                string port
                "--bind"
                "127.0.0.1"
                "--save"
                ""
                "--appendonly"
                "no"
                "--daemonize"
                "no"
                "--databases"
                "16"
                "--dir"
                dir
            ]
            @ extra do
            psi.ArgumentList.Add a

        psi.UseShellExecute <- false
        // Redis collates with strcoll (SORT ALPHA) in the environment's locale: byte order, as CoolCache.
        psi.Environment["LC_ALL"] <- "C"
        psi.RedirectStandardOutput <- true
        psi.RedirectStandardError <- true
        psi.RedirectStandardInput <- true
        let output = Queue<string>()

        let record (line: string) =
            match line with
            | null -> ()
            | line ->
                lock output (fun () ->
                    output.Enqueue line

                    if output.Count > 50 then
                        output.Dequeue() |> ignore)

        let proc = new Process(StartInfo = psi)
        proc.OutputDataReceived.Add(fun e -> record e.Data)
        proc.ErrorDataReceived.Add(fun e -> record e.Data)
        proc.Start() |> ignore
        live[proc.Id] <- proc
        proc.BeginOutputReadLine()
        proc.BeginErrorReadLine()
        let server = new RedisServer(proc, port, dir, output)
        let sw = Stopwatch.StartNew()
        let mutable ready = false

        while not ready && not proc.HasExited && sw.Elapsed < deadline do
            let! ok = tryPing port (TimeSpan.FromSeconds 1.0)

            if ok then
                ready <- true
            else
                // poll again shortly; the deadline bounds the total wait
                do! Task.Delay 10

        if ready then
            return Ok server
        else
            let why =
                if proc.HasExited then
                    $"redis-server exited with code {proc.ExitCode}"
                else
                    $"redis-server did not answer PING within {deadline.TotalSeconds}s"

            let out = server.RecentOutput
            server.Dispose()
            return Error $"{why} (port {port}):\n{out}"
    }

/// Starts redis-server on a free 127.0.0.1 port and returns once it answers PING; prepare may put files
/// (a dump.rdb to load) in its fresh working directory first. Retries with another port if the chosen
/// one was taken in the meantime.
let startWithArgs (prepare: string -> unit) (extra: string list) : Task<RedisServer> =
    task {
        let exe =
            match tryFindRedisServer () with
            | Some exe -> exe
            | None -> failwith "redis-server not found on PATH"

        let mutable result = None
        let errors = ResizeArray<string>()

        while result.IsNone && errors.Count < 3 do
            match! startOnce prepare extra exe (freePort ()) (TimeSpan.FromSeconds 10.0) with
            | Ok server -> result <- Some server
            | Error e -> errors.Add e

        match result with
        | Some server -> return server
        | None -> return failwithf "could not start redis-server:\n%s" (String.Join("\n---\n", errors))
    }

/// startWithArgs without extra settings.
let startWith (prepare: string -> unit) = startWithArgs prepare []

/// Starts redis-server in an empty working directory.
let start () = startWith ignore
