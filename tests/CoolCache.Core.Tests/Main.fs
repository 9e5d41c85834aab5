module CoolCache.Core.Tests.Main

open Expecto

[<EntryPoint>]
let main argv =
    runTestsWithCLIArgs
        []
        argv
        (testList
            "Core"
            [
                Protocol.RespWriterTests.tests
                Protocol.RespParserTests.tests
                Protocol.RespReaderTests.tests
            ])
