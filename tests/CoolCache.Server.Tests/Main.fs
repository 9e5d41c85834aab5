module CoolCache.Server.Tests.Main

open Expecto

let all =
    testList
        "Server"
        [
            DifferentialTests.tests
            KeyspaceEventTests.tests
            PropagationTests.tests
            IntegrationTests.tests
            HostileInputTests.tests
            BlockingScenarioTests.tests
            BlockingScenarioTests.transactionTests
            PersistenceInteropTests.tests
            AofTests.tests
            CrashTests.tests
            ReplicationTests.tests
            PubSubScenarioTests.tests
            EvictionScenarioTests.tests
        ]

[<EntryPoint>]
let main argv = runTestsWithCLIArgs [] argv all
