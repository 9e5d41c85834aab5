module CoolCache.Cli.Tests.Main

open Expecto

let all =
    testList
        "Cli"
        [
            ArgSplitterTests.tests
            ReplyReaderTests.tests
            ReplyFormatterTests.tests
            CFormatTests.tests
            GoldenTests.tests
            ModeTests.tests
            ShellTests.tests
        ]

[<EntryPoint>]
let main argv = runTestsWithCLIArgs [] argv all
