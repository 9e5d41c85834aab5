/// The interactive shell on a pseudo-terminal (ptybridge.py): keystrokes in, the screen's bytes out, every
/// wait bounded by a deadline. Its screen output is compared with redis-cli's for the same keystrokes; the
/// prompt, quoting, persistent history, Ctrl-D, SUBSCRIBE with Ctrl-C and reconnecting are checked on
/// their own too.
module CoolCache.Cli.Tests.ShellTests

open System
open System.Diagnostics
open System.IO
open System.Text
open System.Text.RegularExpressions
open System.Threading.Tasks
open Expecto
open CoolCache.Cli.Tests.CliProcess
open CoolCache.Cli.Tests.TestServers

/// A program running on a pseudo-terminal.
type Terminal(exe: string, args: string list, env: (string * string) list) =
    let python = requirePython ()
    let bridge = Path.Combine(AppContext.BaseDirectory, "ptybridge.py")
    let proc = start python ([ bridge; exe ] @ args) env
    let screen = new MemoryStream()

    let reading =
        task {
            let buffer = Array.zeroCreate<byte> 4096
            let mutable go = true

            while go do
                let! n = proc.StandardOutput.BaseStream.ReadAsync(buffer, 0, buffer.Length)

                if n = 0 then
                    go <- false
                else
                    lock screen (fun () -> screen.Write(buffer, 0, n))
        }

    /// Everything shown so far.
    member _.Screen = lock screen (fun () -> Encoding.UTF8.GetString(screen.ToArray()))

    member _.Type(keys: string) =
        let bytes = Encoding.UTF8.GetBytes keys
        proc.StandardInput.BaseStream.Write(bytes, 0, bytes.Length)
        proc.StandardInput.BaseStream.Flush()

    /// Wait until the screen output after position `from` satisfies the condition (10 s at most).
    member this.WaitFor(what: string, from: int, condition: string -> bool) =
        task {
            let clock = Stopwatch.StartNew()
            let mutable ok = false

            while not ok do
                let text = this.Screen
                ok <- text.Length >= from && condition (text.Substring from)

                if not ok then
                    if clock.Elapsed > TimeSpan.FromSeconds 10.0 then
                        failtestf "timed out waiting for %s; the screen shows:\n%s" what text

                    do! Task.Delay 10
        }

    /// Wait for the first prompt (the line editor is then in raw mode).
    member this.WaitForPrompt() =
        this.WaitFor("the prompt", 0, fun t -> t.EndsWith "> ")

    /// Type a line (keys ending with Enter) and wait for the next fresh prompt.
    member this.Line(keys: string) =
        task {
            let from = this.Screen.Length
            this.Type keys
            do! this.WaitFor($"the prompt after {keys}", from, fun t -> t.Contains "\n" && t.EndsWith "> ")
        }

    /// Ctrl-C while streaming, then wait for the prompt (it follows the "^C" the terminal echoes).
    member this.Interrupt() =
        task {
            let from = this.Screen.Length
            this.Type "\x03"
            do! this.WaitFor("the prompt after Ctrl-C", from, fun t -> t.Contains "^C" && t.EndsWith "> ")
        }

    /// Wait for the program to end; its exit code.
    member _.Exit() =
        task {
            if not (proc.WaitForExit(TimeSpan.FromSeconds 10.0)) then
                proc.Kill true
                failtest "the shell did not exit within 10 s"

            do! reading
            return proc.ExitCode
        }

    interface IDisposable with
        member _.Dispose() =
            if not proc.HasExited then
                proc.Kill true

            proc.Dispose()

/// A history file of its own for each shell.
let private historyEnv () =
    let file = Path.Combine(freshDir (), "history")

    file,
    [
        "COOLCACHE_HISTFILE", file
        "REDISCLI_HISTFILE", file
        "HOME", Path.GetDirectoryName file
    ]

/// The keystrokes of one session: each line is typed once the prompt is back.
let private session =
    [
        "ping\r"
        "set q \"a\\x41 b\\n\"\r"
        "get q\r"
        "set s 'it\\'s'\r"
        "get s\r"
        "echo \"tab\\there\" 'single \"double\"'\r"
        "bad \"quote\r"
        "3 incr n\r"
        "0 incr n\r"
        "select 2\r"
        "multi\r"
        "ping\r"
        "exec\r"
        "\x1b[A\x1b[A\r"
        "get q\x01\x05\x02\x02X\r"
        "pin\t\r"
        "se\t\t\x1b[A\x1b[B\r"
        "help get\r"
        "hset h f v\r"
        "hgetall h\r"
        "lrange nothing 0 -1\r"
        "  \r"
        "\x15select 0\r"
    ]

/// A session through a shell: the whole screen output, the history file, the exit code.
let private runSession (exe: string) (port: int) =
    task {
        let file, env = historyEnv ()
        use terminal = new Terminal(exe, [ "-p"; string port ], env)
        do! terminal.WaitForPrompt()

        for keys in session do
            do! terminal.Line keys

        let from = terminal.Screen.Length
        terminal.Type "subscribe news\r"
        do! terminal.WaitFor("the subscription", from, fun t -> t.Contains "(integer) 1")
        sendAll port [ [ "PUBLISH"; "news"; "extra!" ] ]
        do! terminal.WaitFor("the message", from, fun t -> t.Contains "extra!")
        do! terminal.Interrupt()
        do! terminal.Line "ping\r"
        terminal.Type "\x04"
        let! code = terminal.Exit()
        let screen = Regex.Replace(terminal.Screen, @"\(\d+\.\d\ds\)\r\n", "")
        return screen, File.ReadAllText file, code
    }

/// Keystrokes against a server whose COMMAND DOCS has arguments (redis-server 7.0's, for GET, SET, ZADD,
/// CONFIG, CLIENT, LPOS and ZRANGE, recorded in fixtures/command-docs.resp): hints as arguments are typed,
/// HELP for a command and a group, Tab through subcommands.
let private docsSession =
    [
        "set k v \x15zadd k \x15lpos k e RANK 1 \x15zrange k 0 \x15help set\r"
        "help @sorted-set\r"
        "help config get\r"
        "config g\t\r"
        "client\t\t\t\x1b\x15get\r"
        "HELP\r"
    ]

/// A session on a pseudo-terminal: the keystrokes, each line once the prompt is back; then Ctrl-D.
let private transcript (exe: string) (port: int) (lines: string list) =
    task {
        let _, env = historyEnv ()
        use terminal = new Terminal(exe, [ "-p"; string port ], env)
        do! terminal.WaitForPrompt()

        for keys in lines do
            do! terminal.Line keys

        terminal.Type "\x04"
        let! code = terminal.Exit()
        return terminal.Screen.Replace("coolcache-cli " + CoolCache.Cli.Cli.CliCommandLine.Version, "VERSION"), code
    }

let tests =
    testList
        "Shell"
        [
            testCaseTask "hints, HELP and completion from COMMAND DOCS arguments: what redis-cli shows"
            <| fun () ->
                task {
                    let redisCli = requireRedisCli ()

                    let docs =
                        File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "fixtures", "command-docs.resp"))

                    use server = new ScriptedServer(dict [ "COMMAND DOCS", docs ])
                    let! expected, expectedCode = transcript redisCli server.Port docsSession
                    let! actual, actualCode = transcript (coolcacheCli.Force()) server.Port docsSession
                    // Only the generic HELP text (the last command) may differ: redis-cli names itself there.
                    let cut (s: string) = s.Substring(0, s.LastIndexOf "> HELP")

                    Expect.equal (cut actual) (cut expected) "screen up to the generic HELP"
                    Expect.stringContains actual "To get help about commands type:" "generic HELP"
                    Expect.equal actualCode expectedCode "exit code"
                }

            testCaseTask "the screen shows what redis-cli shows, keystroke for keystroke; the same history is kept"
            <| fun () ->
                withCoolCache (fun host ->
                    task {
                        let redisCli = requireRedisCli ()
                        sendAll host.Port [ [ "FLUSHALL" ] ]
                        let! expected, expectedHistory, expectedCode = runSession redisCli host.Port
                        sendAll host.Port [ [ "FLUSHALL" ] ]
                        let! actual, actualHistory, actualCode = runSession (coolcacheCli.Force()) host.Port
                        Expect.equal actual expected "screen"
                        Expect.equal actualHistory expectedHistory "history file"
                        Expect.equal actualCode expectedCode "exit code"
                    })

            testCaseTask "prompt with the db, quoting, history kept across sessions, Ctrl-D ends with 0"
            <| fun () ->
                withCoolCache (fun host ->
                    task {
                        let file, env = historyEnv ()
                        let prompt = $"127.0.0.1:{host.Port}> "

                        do!
                            task {
                                use terminal = new Terminal(coolcacheCli.Force(), [ "-p"; string host.Port ], env)
                                do! terminal.WaitForPrompt()
                                Expect.stringEnds terminal.Screen prompt "prompt"
                                do! terminal.Line "set q \"a\\x41\\tb\" \r"
                                do! terminal.Line "get q\r"
                                Expect.stringContains terminal.Screen "\"aA\\tb\"\r\n" "double quotes with escapes"
                                do! terminal.Line "set s 'it\\'s'\r"
                                do! terminal.Line "get s\r"
                                Expect.stringContains terminal.Screen "\"it's\"\r\n" "single quotes"
                                do! terminal.Line "select 5\r"
                                Expect.stringEnds terminal.Screen $"127.0.0.1:{host.Port}[5]> " "db in the prompt"
                                terminal.Type "\x04"
                                let! code = terminal.Exit()
                                Expect.equal code 0 "Ctrl-D exit code"
                            }

                        Expect.equal
                            (File.ReadAllLines file)
                            [| "set q \"a\\x41\\tb\" "; "get q"; "set s 'it\\'s'"; "get s"; "select 5" |]
                            "history file"

                        use terminal = new Terminal(coolcacheCli.Force(), [ "-p"; string host.Port ], env)
                        do! terminal.WaitForPrompt()
                        do! terminal.Line "\x1b[A\x1b[A\r"
                        Expect.stringContains terminal.Screen "\"it's\"\r\n" "Up Up Enter runs 'get s' again"
                        terminal.Type "quit\r"
                        let! code = terminal.Exit()
                        Expect.equal code 0 "quit exit code"
                    })

            testCaseTask "SUBSCRIBE streams until Ctrl-C, then the prompt is back on a new connection"
            <| fun () ->
                withCoolCache (fun host ->
                    task {
                        let _, env = historyEnv ()
                        use terminal = new Terminal(coolcacheCli.Force(), [ "-p"; string host.Port ], env)
                        do! terminal.WaitForPrompt()
                        let from = terminal.Screen.Length
                        terminal.Type "subscribe news\r"
                        do! terminal.WaitFor("the subscription", from, fun t -> t.Contains "(integer) 1")
                        sendAll host.Port [ [ "PUBLISH"; "news"; "one" ]; [ "PUBLISH"; "news"; "two" ] ]
                        do! terminal.WaitFor("the messages", from, fun t -> t.Contains "\"two\"")
                        do! terminal.Interrupt()
                        do! terminal.Line "ping\r"
                        Expect.stringEnds terminal.Screen $"PONG\r\n127.0.0.1:{host.Port}> " "back at the prompt"
                        terminal.Type "\x04"
                        let! _ = terminal.Exit()
                        ()
                    })

            testCaseTask "a server that goes away: 'not connected>', and back when it returns"
            <| fun () ->
                task {
                    let! first = startCoolCache 0
                    let port = first.Port
                    let _, env = historyEnv ()
                    use terminal = new Terminal(coolcacheCli.Force(), [ "-p"; string port ], env)
                    do! terminal.WaitForPrompt()
                    do! terminal.Line "ping\r"
                    do! first.DisposeAsync()
                    do! terminal.Line "ping\r"
                    Expect.stringEnds terminal.Screen "not connected> " "prompt once the server is gone"
                    do! terminal.Line "ping\r"

                    Expect.stringContains
                        terminal.Screen
                        $"Could not connect to Redis at 127.0.0.1:{port}: Connection refused"
                        "refused"

                    let! second = startCoolCache port

                    try
                        do! terminal.Line "ping\r"
                        Expect.stringEnds terminal.Screen $"PONG\r\n127.0.0.1:{port}> " "reconnected"
                        terminal.Type "\x04"
                        let! _ = terminal.Exit()
                        ()
                    finally
                        second.DisposeAsync().AsTask().Wait()
                }
        ]
