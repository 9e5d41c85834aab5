/// Generators of the pub/sub commands that answer once (pubsub.c) for the differential tests: PUBLISH,
/// SPUBLISH and PUBSUB with nobody subscribed, their subcommand errors and wrong arity. Subscribing
/// answers once per channel and changes what a RESP2 client may run: the multi-client scenarios
/// (PubSubScenarioTests) cover it.
module CoolCache.Server.Tests.GenPubSub

open FsCheck
open FsCheck.FSharp
open CoolCache.Server.Tests.GenParts

let commands: Gen<Draft> =
    Gen.frequency
        [
            4, cmd "PUBLISH" [ key; value ]
            2, cmd "SPUBLISH" [ key; value ]
            2, cmd "PUBSUB" [ kw "NUMSUB"; keys (0, 3) ]
            1, cmd "PUBSUB" [ kw "SHARDNUMSUB"; keys (0, 3) ]
            1, cmd "PUBSUB" [ kw "NUMPAT" ]
            2, cmd "PUBSUB" [ one (litOf [ "CHANNELS"; "SHARDCHANNELS"; "channels" ]); optional pattern ]
            1, cmd "PUBSUB" [ one (litOf [ "CHANNELS"; "SHARDCHANNELS" ]); pattern; pattern ]
            1, cmd "PUBSUB" [ one (litOf [ "HELP"; "help"; "NOSUCH"; "" ]) ]
            1, cmd "PUBSUB" [ one (litOf [ "NUMPAT"; "HELP" ]); key ]
        ]

/// Wrong numbers of arguments (name, argument count).
let wrongArity: (string * int) list =
    [
        "PUBLISH", 0
        "PUBLISH", 1
        "PUBLISH", 3
        "SPUBLISH", 1
        "SPUBLISH", 3
        "PUBSUB", 0
        "SUBSCRIBE", 0
        "PSUBSCRIBE", 0
        "SSUBSCRIBE", 0
    ]
