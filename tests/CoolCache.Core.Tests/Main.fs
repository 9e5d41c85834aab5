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
            Collections.ScoreTreeTests.tests
            Values.RedisSetTests.tests
            Values.RedisListTests.tests
            Values.RedisSortedSetTests.tests
            Values.RedisStreamTests.tests
            Protocol.RespWriterTests.tests
            Protocol.RespParserTests.tests
            Protocol.RespReaderTests.tests
            Values.RedisHashTests.tests
            Keyspace.ExpiryTests.tests
            Keyspace.EvictionTests.tests
            Rdb.RdbTests.tests
            Rdb.RdbStreamTests.tests
            Replication.HandshakeTests.tests
            State.WorldTests.tests
            Commands.CommandTableTests.tests
            Commands.SortCommandsTests.tests
            Commands.TransactionCommandsTests.tests
            Commands.KeyspaceEventsTests.tests
            State.ConfigTests.tests
            Commands.PubSubCommandsTests.tests
            Effects.KeyspaceEventsTests.tests
        ]

[<EntryPoint>]
let main argv = runTestsWithCLIArgs [] argv all
