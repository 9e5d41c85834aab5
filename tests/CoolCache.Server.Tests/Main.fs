module CoolCache.Server.Tests.Main

open Expecto

let all =
    testList
        "Server"
        [
            DifferentialTests.tests
            IntegrationTests.tests
            HostileInputTests.tests
            BlockingScenarioTests.tests
            PubSubScenarioTests.tests
        ]

[<EntryPoint>]
let main argv = runTestsWithCLIArgs [] argv all
