/// Working directories for the servers tests start: each one fresh, under the system temp directory, so
/// no test reads or writes RDB files anywhere else; all removed when the test process exits.
module CoolCache.Server.Tests.TestDirs

open System
open System.IO

let private root =
    lazy
        (let dir =
            Path.Combine(Path.GetTempPath(), $"coolcache-tests-{Environment.ProcessId}")

         Directory.CreateDirectory dir |> ignore

         AppDomain.CurrentDomain.ProcessExit.Add(fun _ ->
             try
                 Directory.Delete(dir, true)
             with _ ->
                 ())

         dir)

/// A new empty directory.
let fresh () =
    Directory.CreateDirectory(Path.Combine(root.Force(), Guid.NewGuid().ToString("N"))).FullName
