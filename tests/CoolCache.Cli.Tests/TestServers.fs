/// The servers the CLI tests talk to: CoolCache in-process on a free loopback port, and a scripted server
/// that answers each command name with fixed bytes (for the RESP3 types CoolCache never sends: booleans,
/// big numbers, verbatim strings, maps with non-string keys, pushes before a reply).
module CoolCache.Cli.Tests.TestServers

open System
open System.Collections.Generic
open System.IO
open System.Net
open System.Net.Sockets
open System.Text
open System.Threading
open System.Threading.Tasks
open CoolCache.Server

let private tempRoot =
    lazy
        (let dir =
            Path.Combine(Path.GetTempPath(), $"coolcache-cli-tests-{Environment.ProcessId}")

         Directory.CreateDirectory dir |> ignore

         AppDomain.CurrentDomain.ProcessExit.Add(fun _ ->
             try
                 Directory.Delete(dir, true)
             with _ ->
                 ())

         dir)

/// A new empty directory under the tests' temp directory (removed when the tests end).
let freshDir () =
    Directory.CreateDirectory(Path.Combine(tempRoot.Force(), Guid.NewGuid().ToString("N"))).FullName

/// CoolCache on 127.0.0.1 (port 0: a free one, unless given), saving nothing, logging nothing.
let startCoolCache (port: int) : Task<ServerHost> =
    ServerHost.StartAsync
        [|
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
        |]

/// Run body against a fresh CoolCache, disposed afterwards whatever happens.
let withCoolCache (body: ServerHost -> Task<unit>) : Task<unit> =
    task {
        let! host = startCoolCache 0

        try
            do! body host
        finally
            host.DisposeAsync().AsTask().Wait()
    }

/// Send commands and wait for their replies (errors included), to set data up.
let sendAll (port: int) (commands: string list list) : unit =
    use connection = CoolCache.Cli.Protocol.ServerConnection.Open("127.0.0.1", port)

    for argv in commands do
        connection.Send(argv |> List.map Encoding.UTF8.GetBytes |> List.toArray)
        connection.Read() |> ignore

/// A server that reads RESP commands and answers each from a table, by name and subcommand ("COMMAND DOCS")
/// or by name (upper-cased); otherwise HELLO gets a one-field map, ECHO its argument, COMMAND an empty
/// array, anything else "-ERR unknown".
type ScriptedServer(replies: IDictionary<string, byte[]>) =
    let listener = new TcpListener(IPAddress.Loopback, 0)
    let stop = new CancellationTokenSource()

    let serve (client: TcpClient) =
        task {
            use client = client
            use stream = client.GetStream()
            let reader = new BufferedStream(stream)

            let readLine () =
                let line = ResizeArray<byte>()
                let mutable b = reader.ReadByte()

                while b >= 0 && b <> int '\n' do
                    line.Add(byte b)
                    b <- reader.ReadByte()

                if b < 0 then
                    None
                else
                    Some(Encoding.Latin1.GetString(line.ToArray()).TrimEnd('\r'))

            let mutable go = true

            while go do
                match readLine () with
                | Some line when line.StartsWith "*" ->
                    let args =
                        [
                            for _ in 1 .. int line[1..] do
                                let header = readLine () |> Option.defaultValue "$0"
                                let length = int header[1..]
                                let payload = Array.zeroCreate<byte>(length + 2)
                                let mutable got = 0

                                while got < payload.Length do
                                    got <- got + reader.Read(payload, got, payload.Length - got)

                                payload[.. length - 1]
                        ]

                    let name = Encoding.Latin1.GetString(args.Head).ToUpperInvariant()

                    let withSubcommand =
                        match args with
                        | _ :: sub :: _ -> name + " " + Encoding.Latin1.GetString(sub).ToUpperInvariant()
                        | _ -> name

                    let reply =
                        match replies.TryGetValue withSubcommand with
                        | true, bytes -> bytes
                        | _ ->

                            match name with
                            | "HELLO" -> "%1\r\n+proto\r\n:3\r\n"B
                            | "ECHO" ->
                                Array.concat [ Encoding.ASCII.GetBytes $"${args[1].Length}\r\n"; args[1]; "\r\n"B ]
                            | "COMMAND" -> "*0\r\n"B
                            | _ ->
                                match replies.TryGetValue name with
                                | true, bytes -> bytes
                                | _ -> "-ERR unknown\r\n"B

                    stream.Write(reply, 0, reply.Length)
                | Some _ -> ()
                | None -> go <- false
        }

    do
        listener.Start()

        Task.Run(fun () ->
            task {
                try
                    while not stop.IsCancellationRequested do
                        let! client = listener.AcceptTcpClientAsync(stop.Token)

                        Task.Run(fun () ->
                            task {
                                try
                                    do! serve client
                                with
                                | :? IOException
                                | :? SocketException
                                | :? ObjectDisposedException -> ()
                            }
                            :> Task)
                        |> ignore
                with
                | :? OperationCanceledException
                | :? SocketException
                | :? ObjectDisposedException -> ()
            }
            :> Task)
        |> ignore

    member _.Port = (listener.LocalEndpoint :?> IPEndPoint).Port

    interface IDisposable with
        member _.Dispose() =
            stop.Cancel()
            listener.Stop()
