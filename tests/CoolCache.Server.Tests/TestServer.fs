/// Helpers for integration tests: an in-process server on a free loopback port, a raw TCP client
/// with deadlines on every read, and polling with a deadline (never sleeping to synchronise).
module CoolCache.Server.Tests.TestServer

open System
open System.Diagnostics
open System.IO
open System.Net
open System.Net.Sockets
open System.Text
open System.Threading
open System.Runtime.ExceptionServices
open System.Threading.Tasks
open Expecto
open CoolCache.Server

/// Start a server on 127.0.0.1 and a free port; extraArgs are more `--name value` settings.
/// The server logs nothing unless COOLCACHE_TEST_LOGLEVEL (e.g. verbose) or extraArgs say otherwise.
let startServer (extraArgs: string list) : Task<ServerHost> =
    let logLevel =
        if List.contains "--loglevel" extraArgs then
            []
        else
            match Environment.GetEnvironmentVariable "COOLCACHE_TEST_LOGLEVEL" with
            | null
            | "" -> [ "--loglevel"; "nothing" ]
            | level -> [ "--loglevel"; level ]

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
                TestDirs.fresh ()
            ]
            @ logLevel
            @ extraArgs
        )
    )

/// Run body against a fresh server and dispose the server afterwards, whatever happens.
let withServer (extraArgs: string list) (body: ServerHost -> Task<unit>) : Task<unit> =
    task {
        let! host = startServer extraArgs

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

/// A test with its own server (on a free port, so tests can run in parallel).
let serverTest (name: string) (extraArgs: string list) (body: ServerHost -> Task<unit>) : Test =
    testCaseTask name (fun () -> withServer extraArgs body)

/// A pending serverTest: it asserts Redis's behaviour, which the server does not have yet.
/// Set COOLCACHE_RUN_PENDING=1 to run the pending tests as ordinary ones (to check a fix).
let pserverTest (name: string) (extraArgs: string list) (body: ServerHost -> Task<unit>) : Test =
    if Environment.GetEnvironmentVariable "COOLCACHE_RUN_PENDING" = "1" then
        serverTest name extraArgs body
    else
        ptestCaseTask name (fun () -> withServer extraArgs body)

/// Poll condition every few milliseconds until it holds (true) or the deadline passes (false).
let waitUntil (deadline: TimeSpan) (condition: unit -> bool) : Task<bool> =
    task {
        let clock = Stopwatch.StartNew()
        let mutable ok = condition ()

        while not ok && clock.Elapsed < deadline do
            do! Task.Delay 10
            ok <- condition ()

        return ok
    }

/// Like waitUntil, with an asynchronous condition.
let waitUntilAsync (deadline: TimeSpan) (condition: unit -> Task<bool>) : Task<bool> =
    task {
        let clock = Stopwatch.StartNew()
        let! first = condition ()
        let mutable ok = first

        while not ok && clock.Elapsed < deadline do
            do! Task.Delay 10
            let! next = condition ()
            ok <- next

        return ok
    }

let latin1 (s: string) : byte[] = Encoding.Latin1.GetBytes s
let text (b: byte[]) : string = Encoding.Latin1.GetString b

/// A command as a RESP multibulk.
let resp (args: byte[] list) : byte[] =
    use out = new MemoryStream()
    let put (b: byte[]) = out.Write(b, 0, b.Length)
    put (latin1 (sprintf "*%d\r\n" args.Length))

    for a in args do
        put (latin1 (sprintf "$%d\r\n" a.Length))
        put a
        put "\r\n"B

    out.ToArray()

/// A command of text arguments as a RESP multibulk.
let cmd (args: string list) : byte[] = resp (args |> List.map latin1)

/// The index just past the RESP2/RESP3 value starting at pos, or -1 when it is not all there yet.
let rec replyEnd (b: byte[]) (pos: int) (limit: int) : int =
    if pos >= limit then
        -1
    else
        let lineEnd =
            let i = b.AsSpan(pos, limit - pos).IndexOf("\r\n"B)
            if i < 0 then -1 else pos + i

        if lineEnd < 0 then
            -1
        else
            let number () =
                Int64.Parse(Encoding.Latin1.GetString(b, pos + 1, lineEnd - pos - 1))

            match char b[pos] with
            | '+'
            | '-'
            | ':'
            | '_'
            | ','
            | '#'
            | '(' -> lineEnd + 2
            | '$'
            | '='
            | '!' ->
                let n = number ()

                if n < 0L then
                    lineEnd + 2
                else
                    let e = int64 lineEnd + 2L + n + 2L
                    if e <= int64 limit then int e else -1
            | '*'
            | '~'
            | '>'
            | '%'
            | '|' ->
                let n = number ()
                let items = if b[pos] = byte '%' || b[pos] = byte '|' then 2L * n else n
                let mutable p = lineEnd + 2
                let mutable i = 0L

                while p >= 0 && i < items do
                    p <- replyEnd b p limit
                    i <- i + 1L

                p
            | c ->
                failwithf
                    "not a RESP reply: starts with %A at %d: %s"
                    c
                    pos
                    (Encoding.Latin1.GetString(b, pos, min 80 (limit - pos)))

/// A raw TCP client: send bytes, read replies, with a deadline on every wait.
type Wire(socket: Socket) =
    let mutable buffer: byte[] = Array.zeroCreate (64 * 1024)
    let mutable start = 0
    let mutable finish = 0
    let mutable closed = false

    static member DefaultTimeout = TimeSpan.FromSeconds 10.0

    static member ConnectAsync(port: int) : Task<Wire> =
        task {
            let socket =
                new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp, NoDelay = true)

            use cts = new CancellationTokenSource(Wire.DefaultTimeout)
            do! socket.ConnectAsync(IPEndPoint(IPAddress.Loopback, port), cts.Token)
            return new Wire(socket)
        }

    member _.Socket = socket
    /// True once the server closed (or reset) the connection.
    member _.Closed = closed
    /// Bytes received but not consumed yet.
    member _.Pending = buffer[start .. finish - 1]

    member _.SendAsync(data: byte[]) : Task =
        task {
            use cts = new CancellationTokenSource(Wire.DefaultTimeout)
            let mutable sent = 0

            while sent < data.Length do
                let! n = socket.SendAsync(data.AsMemory(sent), SocketFlags.None, cts.Token)
                sent <- sent + n
        }

    member this.SendAsync(s: string) : Task = this.SendAsync(latin1 s)

    /// Receive once more into the buffer; false when the server closed the connection.
    member private _.FillAsync(deadline: DateTime) : Task<bool> =
        task {
            if start = finish then
                start <- 0
                finish <- 0
            elif finish = buffer.Length then
                let pending = finish - start

                if start > 0 && pending < buffer.Length / 2 then
                    Buffer.BlockCopy(buffer, start, buffer, 0, pending)
                else
                    let bigger = Array.zeroCreate (buffer.Length * 2)
                    Buffer.BlockCopy(buffer, start, bigger, 0, pending)
                    buffer <- bigger

                start <- 0
                finish <- pending

            let left = deadline - DateTime.UtcNow

            if left <= TimeSpan.Zero then
                raise (TimeoutException "deadline passed")

            use cts = new CancellationTokenSource(left)

            try
                let! n = socket.ReceiveAsync(buffer.AsMemory(finish), SocketFlags.None, cts.Token)

                if n = 0 then
                    closed <- true
                    return false
                else
                    finish <- finish + n
                    return true
            with
            | :? OperationCanceledException -> return raise (TimeoutException "deadline passed")
            | :? SocketException ->
                closed <- true
                return false
        }

    member private this.Fail(what: string) : 'a =
        let shown = Encoding.Latin1.GetString(buffer, start, min 200 (finish - start))
        failwithf "%s (closed=%b); pending %d bytes: %A" what closed (finish - start) shown

    /// Read one complete reply (raw bytes) within the timeout.
    member this.ReadReplyAsync(?timeout: TimeSpan) : Task<byte[]> =
        task {
            let deadline = DateTime.UtcNow + defaultArg timeout Wire.DefaultTimeout
            let mutable e = replyEnd buffer start finish
            let mutable open' = true

            try
                while e < 0 && open' do
                    let! more = this.FillAsync deadline
                    open' <- more
                    e <- replyEnd buffer start finish
            with :? TimeoutException ->
                this.Fail "no complete reply before the deadline"

            if e < 0 then
                this.Fail "connection closed before a complete reply"

            let reply = buffer[start .. e - 1]
            start <- e
            return reply
        }

    /// Read one reply as Latin-1 text (with its RESP framing).
    member this.ReadTextAsync(?timeout: TimeSpan) : Task<string> =
        task {
            let! r = this.ReadReplyAsync(defaultArg timeout Wire.DefaultTimeout)
            return text r
        }

    /// Read n replies, each exactly equal to expected, without copying them.
    member this.ExpectRepliesAsync(n: int, expected: byte[], ?timeout: TimeSpan) : Task =
        task {
            let deadline = DateTime.UtcNow + defaultArg timeout Wire.DefaultTimeout
            let mutable i = 0

            try
                while i < n do
                    if finish - start >= expected.Length then
                        if not (buffer.AsSpan(start, expected.Length).SequenceEqual(ReadOnlySpan expected)) then
                            this.Fail(sprintf "reply %d of %d differs from %A" i n (text expected))

                        start <- start + expected.Length
                        i <- i + 1
                    else
                        let! more = this.FillAsync deadline

                        if not more then
                            this.Fail(sprintf "connection closed after %d of %d replies" i n)
            with :? TimeoutException ->
                this.Fail(sprintf "only %d of %d replies before the deadline" i n)
        }

    /// Read until the server closes the connection; returns what arrived meanwhile.
    member this.ReadUntilClosedAsync(?timeout: TimeSpan) : Task<byte[]> =
        task {
            let deadline = DateTime.UtcNow + defaultArg timeout Wire.DefaultTimeout
            let mutable open' = not closed

            try
                while open' do
                    let! more = this.FillAsync deadline
                    open' <- more
            with :? TimeoutException ->
                this.Fail "the server did not close the connection before the deadline"

            let rest = buffer[start .. finish - 1]
            start <- finish
            return rest
        }

    /// Send a command of text arguments and read its reply as text.
    member this.CommandAsync(args: string list) : Task<string> =
        task {
            do! this.SendAsync(cmd args)
            return! this.ReadTextAsync()
        }

    interface IDisposable with
        member _.Dispose() = socket.Dispose()

    interface IAsyncDisposable with
        member _.DisposeAsync() =
            socket.Dispose()
            ValueTask.CompletedTask

/// Connect a raw client to a server.
let connect (host: ServerHost) : Task<Wire> = Wire.ConnectAsync host.Port

/// The full path of an executable on PATH, if any.
let onPath (name: string) : string option =
    (Environment.GetEnvironmentVariable "PATH"
     |> Option.ofObj
     |> Option.defaultValue "")
        .Split(Path.PathSeparator)
    |> Array.map (fun dir -> Path.Combine(dir, name))
    |> Array.tryFind File.Exists

/// Run a program with arguments and optional stdin, within a deadline; (exit code, stdout, stderr).
let runProcess
    (file: string)
    (args: string list)
    (stdin: byte[] option)
    (timeout: TimeSpan)
    : Task<int * string * string> =
    task {
        let info = ProcessStartInfo(file)

        for a in args do
            info.ArgumentList.Add a

        info.RedirectStandardInput <- true
        info.RedirectStandardOutput <- true
        info.RedirectStandardError <- true
        info.UseShellExecute <- false
        use p = Process.Start info
        let out = p.StandardOutput.ReadToEndAsync()
        let err = p.StandardError.ReadToEndAsync()

        match stdin with
        | Some bytes -> do! p.StandardInput.BaseStream.WriteAsync(bytes, 0, bytes.Length)
        | None -> ()

        p.StandardInput.Close()
        use cts = new CancellationTokenSource(timeout)

        try
            do! p.WaitForExitAsync cts.Token
        with :? OperationCanceledException ->
            p.Kill()
            failwithf "%s %A did not exit within %A" file args timeout

        let! o = out
        let! e = err
        return p.ExitCode, o, e
    }
