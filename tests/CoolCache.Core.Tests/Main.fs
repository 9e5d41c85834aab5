module CoolCache.Core.Tests.Main

open Expecto

[<EntryPoint>]
let main argv =
    runTestsWithCLIArgs
        []
        argv
        (testList "Core" [ Prelude.NumbersTests.tests; Prelude.GlobTests.tests; Collections.HashMapTests.tests ])
