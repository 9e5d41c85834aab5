module CoolCache.Core.Tests.Main

open Expecto

let all =
    testList
        "Core"
        [
            Prelude.NumbersTests.tests
            Prelude.GlobTests.tests
            Collections.HashMapTests.tests
            Collections.TreeTests.tests
            Values.RedisSetTests.tests
            Values.RedisListTests.tests
            Values.RedisSortedSetTests.tests
            Protocol.RespWriterTests.tests
            Protocol.RespParserTests.tests
            Protocol.RespReaderTests.tests
            Values.RedisHashTests.tests
            Keyspace.ExpiryTests.tests
            State.ConfigTests.tests
            State.WorldTests.tests
            Commands.CommandTableTests.tests
            Commands.SortCommandsTests.tests
            Commands.PubSubCommandsTests.tests
            Effects.KeyspaceEventsTests.tests
        ]

[<EntryPoint>]
let main argv = runTestsWithCLIArgs [] argv all
