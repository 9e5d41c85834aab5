/// A minimal raw-bytes RESP client: sends multibulk commands, returns each reply's exact bytes.
/// Deliberately independent of CoolCache.Core's RESP code (it is the oracle's client).
module CoolCache.Server.Tests.RawClient

open System
open System.IO
open System.Net
open System.Net.Sockets
open System.Text
open System.Threading
open System.Threading.Tasks

/// A parsed RESP2/RESP3 reply (used by the normalisers and for printing).
type Reply =
    | Simple of byte[]
    | Error of byte[]
    | Integer of int64
    | Bulk of byte[]
    /// `$-1`
    | NullBulk
    /// `*-1`
    | NullArray
    /// RESP3 `_`
    | Null
    | Array of Reply list
    | Set of Reply list
    | Push of Reply list
    | Map of (Reply * Reply) list
    /// RESP3 `|` attribute map followed by the reply it annotates
    | Attribute of (Reply * Reply) list * Reply
    /// RESP3 `,` (text kept as sent)
    | Double of byte[]
    | Boolean of bool
    /// RESP3 `(`
    | BigNumber of byte[]
    /// RESP3 `!`
    | BulkError of byte[]
    /// RESP3 `=` (payload includes the `txt:` prefix)
    | Verbatim of byte[]

exception ProtocolError of string

let private ascii (b: byte[]) = Encoding.ASCII.GetString b

let private parseInt64 (line: byte[]) =
    match
        Int64.TryParse(
            ascii line,
            Globalization.NumberStyles.AllowLeadingSign,
            Globalization.CultureInfo.InvariantCulture
        )
    with
    | true, n -> n
    | _ -> raise (ProtocolError $"bad integer/length line '{ascii line}'")

/// Index of the '\r' of the first "\r\n" at or after pos, if the line is complete.
let private findCrlf (buf: byte[]) (pos: int) (limit: int) =
    let mutable i = pos
    let mutable found = -1

    while found < 0 && i + 1 < limit do
        if buf[i] = 13uy && buf[i + 1] = 10uy then
            found <- i
        else
            i <- i + 1

    found

/// Parses one reply starting at pos; None if the buffer (up to limit) does not hold a complete
/// reply yet. Returns the reply and the position just after it.
let rec tryParseAt (buf: byte[]) (pos: int) (limit: int) : (Reply * int) option =
    if pos >= limit then
        None
    else
        let eol = findCrlf buf (pos + 1) limit

        if eol < 0 then
            None
        else
            let line = buf[pos + 1 .. eol - 1]
            let next = eol + 2

            let bulk make =
                let n = parseInt64 line

                if n < 0L then
                    raise (ProtocolError $"negative length {n}")
                else
                    let n = int n

                    if next + n + 2 > limit then
                        None
                    elif buf[next + n] <> 13uy || buf[next + n + 1] <> 10uy then
                        raise (ProtocolError "bulk payload not followed by CRLF")
                    else
                        Some(make buf[next .. next + n - 1], next + n + 2)

            let items count make =
                match parseMany buf next limit count with
                | Some(xs, p) -> Some(make xs, p)
                | None -> None

            let pairs (xs: Reply list) =
                xs |> List.chunkBySize 2 |> List.map (fun kv -> kv[0], kv[1])

            match char buf[pos] with
            | '+' -> Some(Simple line, next)
            | '-' -> Some(Error line, next)
            | ':' -> Some(Integer(parseInt64 line), next)
            | '$' when ascii line = "-1" -> Some(NullBulk, next)
            | '$' -> bulk Bulk
            | '!' -> bulk BulkError
            | '=' -> bulk Verbatim
            | '*' when ascii line = "-1" -> Some(NullArray, next)
            | '*' -> items (int (parseInt64 line)) Array
            | '~' -> items (int (parseInt64 line)) Set
            | '>' -> items (int (parseInt64 line)) Push
            | '%' -> items (2 * int (parseInt64 line)) (pairs >> Map)
            | '|' ->
                match parseMany buf next limit (2 * int (parseInt64 line)) with
                | Some(xs, p) ->
                    match tryParseAt buf p limit with
                    | Some(value, p) -> Some(Attribute(pairs xs, value), p)
                    | None -> None
                | None -> None
            | '_' when line.Length = 0 -> Some(Null, next)
            | ',' -> Some(Double line, next)
            | '#' when ascii line = "t" -> Some(Boolean true, next)
            | '#' when ascii line = "f" -> Some(Boolean false, next)
            | '(' -> Some(BigNumber line, next)
            | c -> raise (ProtocolError $"unexpected RESP type byte '{c}' (0x{int buf[pos]:x2})")

and private parseMany buf pos limit count : (Reply list * int) option =
    let rec go acc pos remaining =
        if remaining = 0 then
            Some(List.rev acc, pos)
        else
            match tryParseAt buf pos limit with
            | Some(r, p) -> go (r :: acc) p (remaining - 1)
            | None -> None

    if count < 0 then
        raise (ProtocolError $"negative aggregate length {count}")
    else
        go [] pos count

/// Parses exactly one complete reply.
let parseReply (bytes: byte[]) : Reply =
    match tryParseAt bytes 0 bytes.Length with
    | Some(r, n) when n = bytes.Length -> r
    | Some _ -> raise (ProtocolError "trailing bytes after reply")
    | None -> raise (ProtocolError "incomplete reply")

/// Printable form of binary data: ASCII kept, the rest as C-style escapes.
let escape (bytes: byte[]) : string =
    let sb = StringBuilder()

    for b in bytes do
        match b with
        | 13uy -> sb.Append "\\r" |> ignore
        | 10uy -> sb.Append "\\n" |> ignore
        | 9uy -> sb.Append "\\t" |> ignore
        | 0uy -> sb.Append "\\0" |> ignore
        | 34uy -> sb.Append "\\\"" |> ignore
        | 92uy -> sb.Append "\\\\" |> ignore
        | b when b >= 32uy && b < 127uy -> sb.Append(char b) |> ignore
        | b -> sb.Append($"\\x{int b:x2}") |> ignore

    sb.ToString()

/// A command as a redis-cli-like line: every argument quoted and escaped.
let formatCommand (args: byte[] list) : string =
    args |> List.map (fun a -> "\"" + escape a + "\"") |> String.concat " "

/// Encodes one command as a RESP multibulk (binary safe).
let encodeCommand (args: byte[] list) : byte[] =
    use ms = new MemoryStream()

    let writeAscii (s: string) =
        let b = Encoding.ASCII.GetBytes s
        ms.Write(b, 0, b.Length)

    writeAscii $"*{List.length args}\r\n"

    for a in args do
        writeAscii $"${a.Length}\r\n"
        ms.Write(a, 0, a.Length)
        writeAscii "\r\n"

    ms.ToArray()

let bytes (s: string) : byte[] = Encoding.UTF8.GetBytes s

/// One TCP connection speaking raw RESP. Every batch must complete within `timeout`, so a hung
/// or silent server fails the test instead of hanging it.
type RawClient private (client: TcpClient, timeout: TimeSpan) =
    let stream = client.GetStream()
    let mutable buf: byte[] = Array.zeroCreate (64 * 1024)
    let mutable start = 0 // first unconsumed byte
    let mutable filled = 0 // end of received data

    static member ConnectAsync(port: int, ?timeout: TimeSpan) : Task<RawClient> =
        task {
            let timeout = defaultArg timeout (TimeSpan.FromSeconds 10.0)
            let client = new TcpClient(NoDelay = true)
            use cts = new CancellationTokenSource(timeout)
            do! client.ConnectAsync(IPAddress.Loopback, port, cts.Token)
            return new RawClient(client, timeout)
        }

    /// Reads exactly count replies (raw bytes each); what names the awaited commands in errors.
    member private _.ReadReplies(count: int, what: int -> string) : Task<byte[][]> =
        task {
            use cts = new CancellationTokenSource(timeout)
            let replies = Array.zeroCreate<byte[]> count
            let mutable got = 0

            try
                while got < count do
                    match tryParseAt buf start filled with
                    | Some(_, after) ->
                        replies[got] <- buf[start .. after - 1]
                        got <- got + 1
                        start <- after
                    | None ->
                        // need more data: compact, grow if full, then read
                        if start > 0 then
                            Buffer.BlockCopy(buf, start, buf, 0, filled - start)
                            filled <- filled - start
                            start <- 0

                        if filled = buf.Length then
                            let bigger = Array.zeroCreate (buf.Length * 2)
                            Buffer.BlockCopy(buf, 0, bigger, 0, filled)
                            buf <- bigger

                        let! n = stream.ReadAsync(buf.AsMemory(filled), cts.Token)

                        if n = 0 then
                            raise (IOException "server closed the connection")

                        filled <- filled + n
            with
            | :? OperationCanceledException ->
                raise (
                    TimeoutException(
                        $"server did not reply within {timeout.TotalSeconds}s: got {got} of {count} replies; next command: {what got}"
                    )
                )
            | :? IOException as e ->
                raise (IOException($"{e.Message}: got {got} of {count} replies; next command: {what got}", e))

            return replies
        }

    /// Sends all commands in one write (pipelined), then reads exactly one reply per command and
    /// returns each reply's raw bytes.
    member this.SendBatch(commands: byte[] list seq) : Task<byte[][]> =
        task {
            let commands = Seq.toArray commands
            do! this.Post commands

            return!
                this.ReadReplies(
                    commands.Length,
                    (fun i ->
                        if i < commands.Length then
                            formatCommand commands[i]
                        else
                            "-")
                )
        }

    /// Sends commands (one write) without reading their replies (a blocking command's reply comes later).
    member _.Post(commands: byte[] list seq) : Task =
        task {
            let payload = commands |> Seq.map encodeCommand |> Array.concat
            use cts = new CancellationTokenSource(timeout)
            do! stream.WriteAsync(payload.AsMemory(), cts.Token)
        }

    /// Reads the next reply (of a command sent with Post).
    member this.Receive() : Task<byte[]> =
        task {
            let! r = this.ReadReplies(1, (fun _ -> "(posted earlier)"))
            return r[0]
        }

    /// Sends one command and returns its raw reply.
    member this.Send(args: byte[] list) : Task<byte[]> =
        task {
            let! r = this.SendBatch [ args ]
            return r[0]
        }

    /// Convenience: string arguments.
    member this.Cmd([<ParamArray>] args: string[]) : Task<byte[]> =
        this.Send(args |> Array.map bytes |> List.ofArray)

    member _.Dispose() = client.Dispose()

    interface IDisposable with
        member this.Dispose() = this.Dispose()
