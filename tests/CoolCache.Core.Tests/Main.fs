module CoolCache.Core.Tests.Main

open Expecto

[<EntryPoint>]
let main argv =
    runTestsWithCLIArgs [] argv (testList "Core" [ Collections.HashMapTests.tests ])
