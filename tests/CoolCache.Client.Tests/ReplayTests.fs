/// scripts/replay.fsx run as users run it (dotnet fsi), on a small file of redis-cli lines and on the
/// same commands as RESP: against the pure core (replies and the final keyspace) and against a live
/// server. Skipped when `dotnet fsi` is not available.
module CoolCache.Client.Tests.ReplayTests

open System
open System.Diagnostics
open System.IO
open System.Text
open System.Threading.Tasks
open Expecto
open CoolCache.Client.Tests.TestServer

let private repoRoot =
    lazy
        (let rec up (dir: DirectoryInfo) =
            if isNull dir then
                None
            elif File.Exists(Path.Combine(dir.FullName, "scripts", "replay.fsx")) then
                Some dir.FullName
            else
                up dir.Parent

         up (DirectoryInfo AppContext.BaseDirectory))

/// Run `dotnet fsi scripts/replay.fsx args`; None when dotnet fsi cannot run at all.
let private replay (args: string list) : Task<(int * string * string) option> =
    task {
        match repoRoot.Force() with
        | None -> return None
        | Some root ->
            let info = ProcessStartInfo("dotnet", WorkingDirectory = root)

            for a in [ "fsi"; "--quiet"; "scripts/replay.fsx" ] @ args do
                info.ArgumentList.Add a

            info.RedirectStandardOutput <- true
            info.RedirectStandardError <- true

            try
                use p = Process.Start info
                let out = p.StandardOutput.ReadToEndAsync()
                let err = p.StandardError.ReadToEndAsync()
                use cts = new Threading.CancellationTokenSource(TimeSpan.FromSeconds 120.0)
                do! p.WaitForExitAsync cts.Token
                let! o = out
                let! e = err
                return Some(p.ExitCode, o, e)
            with :? ComponentModel.Win32Exception ->
                return None
    }

let private lines =
    [
        "# replies and keyspace"
        "SET greeting \"hello\\x00 world\\n\""
        "SET quoted 'it\\'s'"
        "RPUSH list a b \"c d\""
        "HSET h f v"
        "ZADD z 1 one 2.5 two"
        "PEXPIRE list 100000"
        "LRANGE list 0 -1"
        "INCR greeting"
        "GET nope"
        "SELECT 2"
        "SET other 2"
    ]

let private expectedReplies =
    [
        "OK"
        "OK"
        "(integer) 3"
        "(integer) 1"
        "(integer) 2"
        "(integer) 1"
        "1) \"a\"\n2) \"b\"\n3) \"c d\""
        "(error) ERR value is not an integer or out of range"
        "(nil)"
        "OK"
        "OK"
    ]

let private asResp (commands: string list list) =
    let sb = StringBuilder()

    for c in commands do
        sb.Append($"*{c.Length}\r\n") |> ignore

        for a in c do
            sb.Append($"${Encoding.UTF8.GetByteCount a}\r\n{a}\r\n") |> ignore

    sb.ToString()

let private file (content: string) =
    let path = Path.Combine(freshDir (), "commands.txt")
    File.WriteAllText(path, content)
    path

let private skipUnless (result: (int * string * string) option) =
    match result with
    | None -> skiptest "dotnet fsi is not available"
    | Some(code, out, err) ->
        if code <> 0 && err.Contains "fsi" && out = "" then
            skiptest $"dotnet fsi did not run: {err}"

        Expect.equal code 0 $"replay.fsx exit code (stderr: {err})"
        out.Replace("\r\n", "\n")

let tests =
    testSequenced
    <| testList
        "replay.fsx"
        [
            testCaseTask "redis-cli lines against the core: replies in order, then the keyspace per db"
            <| fun () ->
                task {
                    let! result = replay [ file (String.Join("\n", lines)) ]
                    let out = skipUnless result
                    Expect.stringStarts out (String.Join("\n", expectedReplies) + "\n") "the replies"

                    Expect.stringContains
                        out
                        "db0:\n\"greeting\" string (no ttl)\n  \"hello\\x00 world\\n\""
                        "a binary string"

                    Expect.stringContains out "\"list\" list (ttl " "a TTL"
                    Expect.stringContains out "\"quoted\" string (no ttl)\n  \"it's\"" "single quotes"

                    Expect.stringContains
                        out
                        "\"z\" zset (no ttl)\n  1) \"one\"\n  2) \"1\"\n  3) \"two\"\n  4) \"2.5\""
                        "a sorted set"

                    Expect.stringContains out "db2:\n\"other\" string (no ttl)" "the other database"
                }

            testCaseTask "a RESP (AOF) file against the core gives the same replies"
            <| fun () ->
                task {
                    let commands =
                        [
                            [ "SET"; "k"; "v w" ]
                            [ "RPUSH"; "l"; "x" ]
                            [ "GET"; "k" ]
                            [ "LPOP"; "nope" ]
                        ]

                    let! result = replay [ file (asResp commands) ]
                    let out = skipUnless result
                    Expect.stringStarts out "OK\n(integer) 1\n\"v w\"\n(nil)\n" "the replies"
                    Expect.stringContains out "\"l\" list (no ttl)\n  1) \"x\"" "the keyspace"
                }

            testCaseTask "redis-cli lines against a live server with --port"
            <| fun () ->
                withServer [] (fun host ->
                    task {
                        let! result =
                            replay
                                [
                                    file (String.Join("\n", lines))
                                    "--host"
                                    "127.0.0.1"
                                    "--port"
                                    string host.Port
                                ]

                        let out = skipUnless result
                        Expect.equal out (String.Join("\n", expectedReplies) + "\n") "the same replies as the core's"
                        use! c = CoolCache.Client.CoolClient.ConnectAsync(options host.Port)
                        let! v = c.GetAsync "greeting"
                        Expect.equal v (Encoding.UTF8.GetBytes "hello\000 world\n") "the server holds the data"
                    })
        ]
