module CoolCache.Client.Tests.ReplayTests

open Expecto

let tests = testList "replay.fsx" []
