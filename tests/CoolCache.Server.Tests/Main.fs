module CoolCache.Server.Tests.Main

open Expecto

[<EntryPoint>]
let main argv =
    runTestsWithCLIArgs [] argv (testList "Server" [ IntegrationTests.tests; HostileInputTests.tests ])
