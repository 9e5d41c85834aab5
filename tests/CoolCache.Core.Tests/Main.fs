module CoolCache.Core.Tests.Main

open Expecto

let all =
    testList
        "Core"
        [ Prelude.NumbersTests.tests
          Prelude.GlobTests.tests
          Collections.HashMapTests.tests
          Keyspace.ExpiryTests.tests
          Commands.CommandTableTests.tests ]

[<EntryPoint>]
let main argv = runTestsWithCLIArgs [] argv all
