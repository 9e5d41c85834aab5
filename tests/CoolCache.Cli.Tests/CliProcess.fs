/// Running coolcache-cli and redis-cli as processes: where they are, standard input in, standard output,
/// standard error and exit code out, with a deadline on every run.
module CoolCache.Cli.Tests.CliProcess

open System
open System.Diagnostics
open System.IO
open System.Threading.Tasks
open Expecto

/// The repository root (the directory holding CoolCache.sln), found from the test binary's directory.
let repoRoot =
    lazy
        (let rec up (dir: DirectoryInfo) =
            if isNull dir then
                failwith "CoolCache.sln not found above the test binary"
            elif File.Exists(Path.Combine(dir.FullName, "CoolCache.sln")) then
                dir.FullName
            else
                up dir.Parent

         up (DirectoryInfo AppContext.BaseDirectory))

/// The build configuration these tests were built in (Release or Debug): the directory under bin/.
let private configuration =
    let parts = AppContext.BaseDirectory.Split(Path.DirectorySeparatorChar)
    let i = Array.LastIndexOf(parts, "bin")

    if i >= 0 && i + 1 < parts.Length then
        parts[i + 1]
    else
        "Release"

/// coolcache-cli as built alongside the tests (COOLCACHE_CLI overrides).
let coolcacheCli =
    lazy
        (match Environment.GetEnvironmentVariable "COOLCACHE_CLI" with
         | null
         | "" ->
             Path.Combine(repoRoot.Force(), "src", "CoolCache.Cli", "bin", configuration, "net10.0", "coolcache-cli")
         | path -> path)

/// Where redis-cli lives: COOLCACHE_REDIS_CLI if set, else the first on PATH, else /usr/bin.
let tryFindRedisCli () : string option =
    match Environment.GetEnvironmentVariable "COOLCACHE_REDIS_CLI" with
    | null
    | "" ->
        let onPath =
            match Environment.GetEnvironmentVariable "PATH" with
            | null -> []
            | path ->
                path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
                |> Array.map (fun dir -> Path.Combine(dir, "redis-cli"))
                |> Array.toList

        onPath @ [ "/usr/bin/redis-cli"; "/usr/local/bin/redis-cli" ]
        |> List.tryFind File.Exists
    | path -> if File.Exists path then Some path else None

/// The redis-cli to compare with; skips the test when it is missing (fails with COOLCACHE_REQUIRE_REDIS=1).
let requireRedisCli () : string =
    match tryFindRedisCli () with
    | Some path -> path
    | None when Environment.GetEnvironmentVariable "COOLCACHE_REQUIRE_REDIS" = "1" ->
        failtest
            "redis-cli not installed but COOLCACHE_REQUIRE_REDIS=1: install it (apt-get install -y redis-tools) or put it on PATH"
    | None -> skiptest "redis-cli not installed"

/// python3 for the pseudo-terminal bridge; skips the test when it is missing.
let requirePython () : string =
    let onPath =
        match Environment.GetEnvironmentVariable "PATH" with
        | null -> []
        | path ->
            path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            |> Array.map (fun dir -> Path.Combine(dir, "python3"))
            |> Array.toList

    match onPath @ [ "/usr/bin/python3" ] |> List.tryFind File.Exists with
    | Some path -> path
    | None -> skiptest "python3 not installed (needed to run the shell on a pseudo-terminal)"

/// What a finished run printed and returned.
type Outcome =
    {
        Stdout: byte[]
        Stderr: byte[]
        ExitCode: int
    }

    member this.Text = Text.Encoding.UTF8.GetString this.Stdout
    member this.ErrorText = Text.Encoding.UTF8.GetString this.Stderr

/// A process with its standard streams redirected; the environment has no COOLCACHE_*/REDISCLI_* variables
/// except those given.
let start (exe: string) (args: string list) (env: (string * string) list) : Process =
    let psi = ProcessStartInfo(exe)

    for a in args do
        psi.ArgumentList.Add a

    psi.UseShellExecute <- false
    psi.RedirectStandardInput <- true
    psi.RedirectStandardOutput <- true
    psi.RedirectStandardError <- true

    for name in
        [
            "COOLCACHE_HOST"
            "COOLCACHE_PORT"
            "COOLCACHE_HISTFILE"
            "REDISCLI_HISTFILE"
            "REDISCLI_AUTH"
            "REDISCLI_RCFILE"
        ] do
        psi.Environment.Remove name |> ignore

    for name, value in env do
        psi.Environment[name] <- value

    Process.Start psi

/// Run to the end with the given standard input; fails the test after 60 seconds.
let runWith (exe: string) (args: string list) (env: (string * string) list) (stdin: byte[]) : Task<Outcome> =
    task {
        use proc = start exe args env
        let out = new MemoryStream()
        let err = new MemoryStream()
        let reading = proc.StandardOutput.BaseStream.CopyToAsync out
        let readingErr = proc.StandardError.BaseStream.CopyToAsync err

        try
            do! proc.StandardInput.BaseStream.WriteAsync(stdin, 0, stdin.Length)
            proc.StandardInput.Close()
        with :? IOException ->
            () // the program did not read all of its input (it exited first)

        let exited = proc.WaitForExit(TimeSpan.FromSeconds 60.0)

        if not exited then
            proc.Kill true
            failtestf "%s %s did not finish within 60 s" exe (String.Join(" ", args))

        do! reading
        do! readingErr

        return
            {
                Stdout = out.ToArray()
                Stderr = err.ToArray()
                ExitCode = proc.ExitCode
            }
    }

let run (exe: string) (args: string list) (stdin: byte[]) = runWith exe args [] stdin

/// The two outcomes side by side for a failure message.
let describe (expected: Outcome) (actual: Outcome) =
    let show (o: Outcome) =
        sprintf "exit %d\n--- stdout ---\n%s\n--- stderr ---\n%s" o.ExitCode o.Text o.ErrorText

    sprintf "redis-cli:\n%s\n\ncoolcache-cli:\n%s" (show expected) (show actual)

/// The "(1.23s)" lines both CLIs print after a command that took half a second or more (under load).
let private withoutTimings (bytes: byte[]) =
    let text = Text.Encoding.Latin1.GetString bytes

    Text.Encoding.Latin1.GetBytes(Text.RegularExpressions.Regex.Replace(text, @"(?m)^\(\d+\.\d\ds\)\n", ""))

/// Byte-for-byte equality of two runs (stdout, stderr and exit code), timing lines aside.
let expectSame (what: string) (expected: Outcome) (actual: Outcome) =
    let expected =
        { expected with
            Stdout = withoutTimings expected.Stdout
        }

    let actual =
        { actual with
            Stdout = withoutTimings actual.Stdout
        }

    if
        expected.Stdout <> actual.Stdout
        || expected.Stderr <> actual.Stderr
        || expected.ExitCode <> actual.ExitCode
    then
        let firstDiff =
            Seq.zip expected.Stdout actual.Stdout
            |> Seq.tryFindIndex (fun (a, b) -> a <> b)
            |> Option.defaultValue (min expected.Stdout.Length actual.Stdout.Length)

        failtestf "%s: outputs differ (stdout first differs at byte %d)\n%s" what firstDiff (describe expected actual)
