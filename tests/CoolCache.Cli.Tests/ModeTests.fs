/// The modes: --pipe, --scan, --bigkeys and SUBSCRIBE streaming compared with redis-cli on the same
/// server; --latency and --stat (whose figures are timings) checked for their shape.
module CoolCache.Cli.Tests.ModeTests

open System
open System.Diagnostics
open System.IO
open System.Text
open System.Text.RegularExpressions
open System.Threading.Tasks
open Expecto
open CoolCache.Cli.Tests.CliProcess
open CoolCache.Cli.Tests.TestServers

let private compareAfter (prepare: unit -> unit) (what: string) (args: string list) (stdin: byte[]) =
    task {
        let redisCli = requireRedisCli ()
        prepare ()
        let! expected = run redisCli args stdin
        prepare ()
        let! actual = run (coolcacheCli.Force()) args stdin
        expectSame what expected actual
        return actual
    }

/// 2,000 SETs as RESP, then command lines (inline commands), one of them failing.
let private pipeInput =
    let resp =
        [
            for i in 0..1999 do
                let key = $"key:{i}"
                let value = $"value:{i}"
                $"*3\r\n$3\r\nSET\r\n${key.Length}\r\n{key}\r\n${value.Length}\r\n{value}\r\n"
        ]

    Encoding.ASCII.GetBytes(String.concat "" resp + "SET inline yes\r\nINCR inline\nRPUSH list a b c\n")

/// A keyspace with every type, some keys with quotes and binary bytes in their names.
let private keyspace =
    [
        [ "FLUSHALL" ]
        [ "SET"; "plain"; "v" ]
        [ "SET"; "with \"quote\""; "value of 23 bytes here." ]
        [ "SET"; "bin\x01\xff"; "xy" ]
        [ "RPUSH"; "list"; "a"; "b"; "c" ]
        [ "RPUSH"; "list2"; "a" ]
        [ "HSET"; "hash"; "f"; "v"; "g"; "w" ]
        [ "SADD"; "set"; "1"; "2"; "3"; "4" ]
        [ "ZADD"; "zset"; "1"; "a" ]
        [ "XADD"; "stream"; "1-1"; "f"; "v" ]
        for i in 0..150 do
            [ "SET"; $"many:{i}"; String('x', i % 7) ]
    ]

let tests =
    testList
        "Modes"
        [
            testCaseTask "--pipe: the same summary, errors and data as redis-cli --pipe"
            <| fun () ->
                withCoolCache (fun host ->
                    task {
                        let prepare () = sendAll host.Port [ [ "FLUSHALL" ] ]
                        let port = string host.Port
                        let! outcome = compareAfter prepare "--pipe" [ "-p"; port; "--pipe" ] pipeInput
                        Expect.equal outcome.ExitCode 1 "one error: exit 1"
                        Expect.stringContains outcome.Text "errors: 1, replies: 2003" "summary"
                        let! size = run (coolcacheCli.Force()) [ "-p"; port; "DBSIZE" ] [||]
                        Expect.equal size.Text "2002\n" "keys inserted"
                    })

            testCaseTask "--pipe of nothing: no replies, exit 0"
            <| fun () ->
                withCoolCache (fun host ->
                    task {
                        let! outcome = compareAfter ignore "--pipe" [ "-p"; string host.Port; "--pipe" ] [||]
                        Expect.equal outcome.ExitCode 0 "exit code"
                    })

            testCaseTask "--scan and --bigkeys: the same lines as redis-cli, in terminal and raw output"
            <| fun () ->
                withCoolCache (fun host ->
                    task {
                        let port = string host.Port
                        sendAll host.Port keyspace

                        for args in
                            [
                                [ "--scan" ]
                                [ "--no-raw"; "--scan" ]
                                [ "--scan"; "--pattern"; "many:1*" ]
                                [ "--bigkeys" ]
                                [ "--bigkeys"; "--pattern"; "l*" ]
                                [ "-n"; "5"; "--bigkeys" ]
                                [ "--bigkeys"; "--pattern"; "plain" ]
                            ] do
                            let! _ = compareAfter ignore (String.concat " " args) ([ "-p"; port ] @ args) [||]
                            ()
                    })

            testCaseTask "SUBSCRIBE streams messages until stopped, as redis-cli (RESP2 and RESP3, terminal and raw)"
            <| fun () ->
                withCoolCache (fun host ->
                    task {
                        let redisCli = requireRedisCli ()
                        let port = string host.Port

                        for args in [ [ "--no-raw" ]; [ "--raw" ]; [ "-3"; "--no-raw" ]; [ "-3"; "--json" ] ] do
                            let subscribe exe =
                                start exe ([ "-p"; port ] @ args @ [ "SUBSCRIBE"; "news"; "weather" ]) []

                            use expected = subscribe redisCli
                            use actual = subscribe (coolcacheCli.Force())
                            let outputs = [ expected; actual ] |> List.map (fun p -> p, StringBuilder())

                            for p, text in outputs do
                                p.OutputDataReceived.Add(fun e ->
                                    if not (isNull e.Data) then
                                        lock text (fun () -> text.Append(e.Data).Append('\n') |> ignore))

                                p.BeginOutputReadLine()

                            let read (text: StringBuilder) = lock text (fun () -> text.ToString())

                            let waitFor (what: string) (count: int) =
                                task {
                                    let clock = Stopwatch.StartNew()

                                    while outputs
                                          |> List.exists (fun (_, t) ->
                                              Regex.Matches(read t, Regex.Escape what).Count < count) do
                                        if clock.Elapsed > TimeSpan.FromSeconds 10.0 then
                                            failtestf
                                                "timed out waiting for %s: %A"
                                                what
                                                (outputs |> List.map (snd >> read))

                                        do! Task.Delay 10
                                }

                            do! waitFor "weather" 1
                            sendAll host.Port [ [ "PUBLISH"; "news"; "hello world" ] ]
                            sendAll host.Port [ [ "PUBLISH"; "weather"; "sunny\nday" ] ]
                            do! waitFor "sunny" 1

                            for p, _ in outputs do
                                p.Kill()
                                p.WaitForExit()

                            Expect.equal (read (snd outputs[1])) (read (snd outputs[0])) (String.concat " " args)
                    })

            testCaseTask "COOLCACHE_HOST and COOLCACHE_PORT are the defaults; -h and -p win over them"
            <| fun () ->
                withCoolCache (fun host ->
                    task {
                        let cli = coolcacheCli.Force()
                        let port = string host.Port
                        let env = [ "COOLCACHE_HOST", "localhost"; "COOLCACHE_PORT", port ]
                        let! fromEnv = runWith cli [ "PING" ] env [||]
                        Expect.equal (fromEnv.Text, fromEnv.ExitCode) ("PONG\n", 0) "from the environment"

                        let! overridden =
                            runWith cli [ "-h"; "127.0.0.1"; "-p"; port; "PING" ] [ "COOLCACHE_PORT", "1" ] [||]

                        Expect.equal overridden.Text "PONG\n" "options first"
                        let! wrong = runWith cli [ "PING" ] [ "COOLCACHE_PORT", "1" ] [||]
                        Expect.equal wrong.ExitCode 1 "nothing listens on port 1"

                        Expect.stringStarts
                            wrong.ErrorText
                            "Could not connect to Redis at 127.0.0.1:1: "
                            "the address tried"
                    })

            testCaseTask "--latency prints min, max, average and samples after -i seconds"
            <| fun () ->
                withCoolCache (fun host ->
                    task {
                        let port = string host.Port
                        let! raw = run (coolcacheCli.Force()) [ "-p"; port; "--latency"; "-i"; "0.2" ] [||]
                        Expect.isMatch raw.Text @"^\d+ \d+ \d+\.\d\d \d+\n$" "raw line"

                        let! csv =
                            run (coolcacheCli.Force()) [ "-p"; port; "--latency"; "--csv"; "-i"; "0.2" ] [||]

                        Expect.isMatch csv.Text @"^\d+,\d+,\d+\.\d\d,\d+\n$" "csv line"
                    })

            testCaseTask "--stat prints a header and a line of figures per interval"
            <| fun () ->
                withCoolCache (fun host ->
                    task {
                        sendAll host.Port [ [ "SET"; "a"; "1" ]; [ "SET"; "b"; "2" ] ]

                        use proc =
                            start (coolcacheCli.Force()) [ "-p"; string host.Port; "--stat"; "-i"; "0.05" ] []

                        let lines = ResizeArray<string>()

                        proc.OutputDataReceived.Add(fun e ->
                            if not (isNull e.Data) then
                                lock lines (fun () -> lines.Add e.Data))

                        proc.BeginOutputReadLine()
                        let clock = Stopwatch.StartNew()

                        while lock lines (fun () -> lines.Count) < 4
                              && clock.Elapsed < TimeSpan.FromSeconds 10.0 do
                            do! Task.Delay 10

                        proc.Kill()
                        proc.WaitForExit()
                        let lines = lock lines (fun () -> List.ofSeq lines)
                        Expect.isGreaterThanOrEqual lines.Length 4 "lines"
                        Expect.stringStarts lines[0] "------- data ------ --------------------- load" "header"
                        Expect.isMatch lines[2] @"^2\s+\d+\.\d\d[BKMG]\s+1\s+0\s+\d+ \(\+0\)\s+\d+\s*$" "first figures"

                        Expect.isMatch
                            lines[3]
                            @"^2\s+\d+\.\d\d[BKMG]\s+1\s+0\s+\d+ \(\+1\)\s+\d+\s*$"
                            "second figures"
                    })
        ]
