// Replay an append-only file (RESP) against the pure core and print the keyspace it leaves, using
// scripts/replay.fsx. With Redis 7's multi-part directory, pass the base or incremental .aof file.
//   dotnet fsi scripts/examples/replay-aof.fsx appendonlydir/appendonly.aof.1.incr.aof
open System.Diagnostics

let file =
    fsi.CommandLineArgs
    |> Array.tryItem 1
    |> Option.defaultWith (fun () -> failwith "usage: replay-aof.fsx FILE.aof")

let replay = System.IO.Path.Combine(__SOURCE_DIRECTORY__, "..", "replay.fsx")

let info = ProcessStartInfo("dotnet", [ "fsi"; replay; file ])
let p = Process.Start info
p.WaitForExit()
exit p.ExitCode
