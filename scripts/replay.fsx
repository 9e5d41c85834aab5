// Replay a command file against the pure core in-process (printing each reply and the final
// keyspace) or against a live server (--host/--port), printing replies as redis-cli does.
//
//   dotnet fsi scripts/replay.fsx FILE [--host H] [--port P]
//
// FILE holds redis-cli style lines (double quotes with \n \r \t \b \a \\ \" \xHH escapes, single
// quotes with \' ; blank lines and lines starting with # are skipped) or RESP/AOF (a leading `*`).
// Needs a Release build first: dotnet build CoolCache.sln -c Release
#r "../src/CoolCache.Core/bin/Release/net10.0/CoolCache.Core.dll"
#r "../src/CoolCache.Client/bin/Release/net10.0/CoolCache.Client.dll"

open System
open System.Buffers
open System.IO
open System.Text
open CoolCache.Client
open CoolCache.Core

/// Split a line as redis-cli does (sdssplitargs); Error for unbalanced quotes.
let splitArgs (line: string) : Result<byte[][], string> =
    let bytes = Encoding.UTF8.GetBytes line
    let args = ResizeArray<byte[]>()
    let mutable i = 0
    let mutable error = None
    let isHex (c: byte) = Uri.IsHexDigit(char c)
    let hex (c: byte) = Convert.ToInt32(string (char c), 16)

    while error.IsNone && i < bytes.Length do
        while i < bytes.Length && Char.IsWhiteSpace(char bytes[i]) do
            i <- i + 1

        if i < bytes.Length then
            let current = ResizeArray<byte>()
            let mutable inDouble = false
            let mutable inSingle = false
            let mutable fin = false

            while not fin && error.IsNone do
                if inDouble then
                    if i >= bytes.Length then
                        error <- Some "unbalanced quotes"
                    elif
                        bytes[i] = byte '\\'
                        && i + 3 < bytes.Length
                        && bytes[i + 1] = byte 'x'
                        && isHex bytes[i + 2]
                        && isHex bytes[i + 3]
                    then
                        current.Add(byte (hex bytes[i + 2] * 16 + hex bytes[i + 3]))
                        i <- i + 3
                    elif bytes[i] = byte '\\' && i + 1 < bytes.Length then
                        i <- i + 1

                        current.Add(
                            match char bytes[i] with
                            | 'n' -> 10uy
                            | 'r' -> 13uy
                            | 't' -> 9uy
                            | 'b' -> 8uy
                            | 'a' -> 7uy
                            | _ -> bytes[i]
                        )
                    elif bytes[i] = byte '"' then
                        if i + 1 < bytes.Length && not (Char.IsWhiteSpace(char bytes[i + 1])) then
                            error <- Some "closing quote must be followed by a space"

                        fin <- true
                    else
                        current.Add bytes[i]
                elif inSingle then
                    if i >= bytes.Length then
                        error <- Some "unbalanced quotes"
                    elif bytes[i] = byte '\\' && i + 1 < bytes.Length && bytes[i + 1] = byte '\'' then
                        i <- i + 1
                        current.Add(byte '\'')
                    elif bytes[i] = byte '\'' then
                        if i + 1 < bytes.Length && not (Char.IsWhiteSpace(char bytes[i + 1])) then
                            error <- Some "closing quote must be followed by a space"

                        fin <- true
                    else
                        current.Add bytes[i]
                elif i >= bytes.Length then
                    fin <- true
                else
                    match char bytes[i] with
                    | ' '
                    | '\n'
                    | '\r'
                    | '\t'
                    | '\000' -> fin <- true
                    | '"' -> inDouble <- true
                    | '\'' -> inSingle <- true
                    | _ -> current.Add bytes[i]

                if not fin || inDouble || inSingle then
                    i <- i + 1

                if fin then
                    inDouble <- false
                    inSingle <- false

            args.Add(current.ToArray())

    match error with
    | Some e -> Error e
    | None -> Ok(args.ToArray())

/// Commands from a RESP/AOF stream (multibulks; a torn last command is reported and dropped).
let respCommands (data: byte[]) : byte[][] list =
    let mutable pos = 0
    let commands = ResizeArray<byte[][]>()

    let readLine () =
        let i = data.AsSpan(pos).IndexOf("\r\n"B)

        if i < 0 then
            None
        else
            let s = Encoding.ASCII.GetString(data, pos, i)
            pos <- pos + i + 2
            Some s

    let mutable go = true

    while go && pos < data.Length do
        match readLine () with
        | Some l when l.StartsWith "*" ->
            let n = int (l.Substring 1)
            let args = ResizeArray<byte[]>()

            for _ in 1..n do
                match readLine () with
                | Some b when b.StartsWith "$" ->
                    let len = int (b.Substring 1)

                    if pos + len + 2 <= data.Length then
                        args.Add(data[pos .. pos + len - 1])
                        pos <- pos + len + 2
                | _ -> ()

            if args.Count = n then
                commands.Add(args.ToArray())
            else
                eprintfn "(torn last command dropped)"
                go <- false
        | Some "" -> ()
        | Some l ->
            eprintfn "not RESP: %s" l
            go <- false
        | None -> go <- false

    List.ofSeq commands

/// The commands of a file, RESP or redis-cli lines.
let commandsOf (path: string) : byte[][] list =
    let data = File.ReadAllBytes path
    let first = data |> Array.tryFind (fun b -> not (Char.IsWhiteSpace(char b)))

    if first = Some(byte '*') then
        respCommands data
    else
        [
            for line in File.ReadAllLines path do
                let t = line.Trim()

                if t <> "" && not (t.StartsWith "#") then
                    match splitArgs line with
                    | Ok args -> args
                    | Error e -> eprintfn "Invalid argument(s): %s (%s)" e line
        ]

/// A bulk string as redis-cli quotes it (sdscatrepr).
let repr (b: byte[]) =
    let sb = StringBuilder("\"")

    for c in b do
        match char c with
        | '\\' -> sb.Append "\\\\" |> ignore
        | '"' -> sb.Append "\\\"" |> ignore
        | '\n' -> sb.Append "\\n" |> ignore
        | '\r' -> sb.Append "\\r" |> ignore
        | '\t' -> sb.Append "\\t" |> ignore
        | '\a' -> sb.Append "\\a" |> ignore
        | '\b' -> sb.Append "\\b" |> ignore
        | ch when c >= 32uy && c < 127uy -> sb.Append ch |> ignore
        | _ -> sb.AppendFormat("\\x{0:x2}", c) |> ignore

    sb.Append("\"").ToString()

/// A reply as redis-cli prints it on a terminal (cliFormatReplyTTY).
let rec format (prefix: string) (r: RedisReply) : string =
    match r.Kind with
    | ReplyKind.Error -> "(error) " + r.ErrorMessage
    | ReplyKind.SimpleString -> Encoding.UTF8.GetString r.Bytes
    | ReplyKind.Integer -> sprintf "(integer) %d" r.Integer
    | ReplyKind.Double -> "(double) " + RedisReply.FormatDouble r.Double
    | ReplyKind.Boolean -> if r.Integer <> 0L then "(true)" else "(false)"
    | ReplyKind.BigNumber -> "(big number) " + Encoding.ASCII.GetString r.Bytes
    | ReplyKind.BulkString
    | ReplyKind.VerbatimString -> repr r.Bytes
    | ReplyKind.Null -> "(nil)"
    | _ ->
        let isMap = r.Kind = ReplyKind.Map
        let n = if isMap then r.Count / 2 else r.Count

        if n = 0 then
            (if isMap then "(empty hash)"
             elif r.Kind = ReplyKind.Set then "(empty set)"
             else "(empty array)")
        else
            let width = (string n).Length
            let inner = prefix + String(' ', width + 2)

            let sep =
                if isMap then '#'
                elif r.Kind = ReplyKind.Set then '~'
                else ')'

            [
                for i in 0 .. n - 1 do
                    let head =
                        (if i = 0 then "" else prefix)
                        + (string (i + 1)).PadLeft(width)
                        + string sep
                        + " "

                    if isMap then
                        head + format inner r[2 * i] + " => " + format inner r[2 * i + 1]
                    else
                        head + format inner r[i]
            ]
            |> String.concat "\n"

/// Replies from the core are written as RESP and read back with the client's reader.
let toReply (protocol: int) (v: Protocol.RespValue) =
    let w = ArrayBufferWriter<byte>()
    Api.WriteReply(protocol, v, w)
    let mutable r = RedisReply.Nil
    let mutable used = 0
    RespReplyReader.TryRead(w.WrittenSpan, &r, &used) |> ignore
    r

let private host =
    { new Commands.IHostView with
        member _.Clients() = [||]
        member _.Stats() = Unchecked.defaultof<_>
        member _.IsBlocked _ = false
    }

let private ctx () : Commands.Ctx =
    let now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()

    {
        NowMs = now
        NowUs = now * 1000L
        Seed = uint64 (Random.Shared.NextInt64())
        Host = host
        IsLocal = true
        Events = false
    }

let text (s: string) = Encoding.UTF8.GetBytes s

/// Run the commands on a fresh World; print each reply, then the keyspace.
let replayInCore (commands: byte[][] list) =
    let mutable world = Api.NewWorld Api.DefaultConfig
    let mutable session = Api.NewSession 1L

    for argv in commands do
        let r = Api.Execute(ctx (), session, argv, world)
        world <- r.World
        session <- r.Session
        printfn "%s" (format "" (toReply session.Protocol r.Reply))

    printfn ""
    printfn "# keyspace"
    let mutable viewer = Api.NewTrustedSession 2L

    let run (args: string list) =
        let r = Api.Execute(ctx (), viewer, args |> List.map text |> Array.ofList, world)
        viewer <- r.Session
        toReply 2 r.Reply

    for db in 0 .. world.Dbs.Length - 1 do
        run [ "SELECT"; string db ] |> ignore

        let keys =
            (run [ "KEYS"; "*" ]).Items
            |> Seq.map (fun k -> k.Bytes)
            |> Seq.sortWith (fun a b -> a.AsSpan().SequenceCompareTo(ReadOnlySpan b))
            |> List.ofSeq

        if not keys.IsEmpty then
            printfn "db%d:" db

            for k in keys do
                let key = Encoding.Latin1.GetString k
                let kind = (run [ "TYPE"; key ]).AsString()
                let pttl = (run [ "PTTL"; key ]).Integer
                let ttl = if pttl < 0L then "no ttl" else sprintf "ttl %dms" pttl

                let contents =
                    match kind with
                    | "string" -> run [ "GET"; key ]
                    | "list" -> run [ "LRANGE"; key; "0"; "-1" ]
                    | "hash" -> run [ "HGETALL"; key ]
                    | "set" ->
                        let m = run [ "SMEMBERS"; key ]

                        RedisReply.Aggregate(
                            ReplyKind.Array,
                            m.Items
                            |> Seq.sortBy (fun i -> Encoding.Latin1.GetString i.Bytes)
                            |> Array.ofSeq
                        )
                    | "zset" -> run [ "ZRANGE"; key; "0"; "-1"; "WITHSCORES" ]
                    | "stream" -> run [ "XRANGE"; key; "-"; "+" ]
                    | _ -> RedisReply.Nil

                printfn "%s %s (%s)" (repr k) kind ttl
                printfn "  %s" (format "  " contents)

/// Send the commands to a live server (pipelined) and print each reply in order.
let replayLive (hostName: string) (port: int) (commands: byte[][] list) =
    task {
        let! client =
            CoolClient.ConnectAsync(CoolClientOptions(Host = hostName, Port = port))

        let pending =
            commands
            |> List.map (fun argv -> client.SendAsync(argv |> Array.map (fun a -> RedisValue.op_Implicit a)))

        for p in pending do
            let! r = p
            printfn "%s" (format "" r)

        do! client.DisposeAsync()
    }

let rec private parseArgs (args: string list) (file, host, port) =
    match args with
    | "--host" :: h :: rest -> parseArgs rest (file, Some h, port)
    | "--port" :: p :: rest -> parseArgs rest (file, host, Some(int p))
    | f :: rest when file = None -> parseArgs rest (Some f, host, port)
    | [] -> file, host, port
    | other :: _ -> failwithf "unexpected argument %s" other

match parseArgs (List.ofArray fsi.CommandLineArgs |> List.tail) (None, None, None) with
| None, _, _ ->
    eprintfn "usage: dotnet fsi scripts/replay.fsx FILE [--host H] [--port P]"
    exit 2
| Some file, None, None -> replayInCore (commandsOf file)
| Some file, host, port ->
    (replayLive (defaultArg host "127.0.0.1") (defaultArg port 6379) (commandsOf file)).GetAwaiter().GetResult()
