/// Waiting for a condition a server reaches on its own (a client blocked, a save finished, a client
/// dropped): poll it, never sleep as synchronisation, and fail after a deadline.
module CoolCache.Server.Tests.Polling

open System
open System.Diagnostics
open System.Threading.Tasks

/// Poll check until it holds; fail the test ("timed out waiting until <what>") after 10 seconds.
let until (what: string) (check: unit -> Task<bool>) : Task =
    task {
        let sw = Stopwatch.StartNew()
        let mutable ok = false

        while not ok do
            let! c = check ()
            ok <- c

            if not ok then
                if sw.Elapsed > TimeSpan.FromSeconds 10.0 then
                    failwithf "timed out waiting until %s" what

                do! Task.Delay 5
    }
