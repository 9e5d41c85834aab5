module CoolCache.Client.Tests.Main

open Expecto

let all =
    testList
        "Client"
        [
            RespReplyReaderTests.tests
            CoolClientTests.tests
            ConnectionTests.tests
            ReplayTests.tests
        ]

[<EntryPoint>]
let main argv = runTestsWithCLIArgs [] argv all
