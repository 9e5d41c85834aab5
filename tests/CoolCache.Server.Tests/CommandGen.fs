/// FsCheck generators of command sequences for the differential tests.
module CoolCache.Server.Tests.CommandGen

open System
open System.Text
open FsCheck
open FsCheck.FSharp
open CoolCache.Server.Tests.GenParts

// Commands ---------------------------------------------------------------------------------------

let private setOption: Parts =
    Gen.oneof
        [
            kw "NX"
            kw "XX"
            kw "GET"
            kw "KEEPTTL"
            cat [ kw "EX"; relSecs ]
            cat [ kw "PX"; relMillis ]
            cat [ kw "EXAT"; absSecs ]
            cat [ kw "PXAT"; absMillis ]
        ]

/// Mostly valid: none or one option; sometimes two (some combos are invalid), rarely junk.
let private setOptions: Parts =
    Gen.frequency
        [
            4, Gen.constant []
            5, setOption
            2, cat [ setOption; setOption ]
            1, options 3 [ setOption; kw "EX"; kw "FOO"; kw "GET" ]
        ]

let private expireFlags: Parts =
    Gen.frequency
        [
            4, Gen.constant []
            4, Gen.oneof [ kw "NX"; kw "XX"; kw "GT"; kw "LT" ]
            1, options 2 [ kw "NX"; kw "XX"; kw "GT"; kw "LT"; kw "ZZ" ]
        ]

let private getexOptions: Parts =
    let option =
        Gen.oneof
            [
                cat [ kw "EX"; relSecs ]
                cat [ kw "PX"; relMillis ]
                cat [ kw "EXAT"; absSecs ]
                cat [ kw "PXAT"; absMillis ]
                kw "PERSIST"
            ]

    Gen.frequency
        [
            3, Gen.constant []
            6, option
            1, options 2 [ option; kw "KEEPTTL"; kw "EX" ]
        ]

let private lcsOptions: Parts =
    options
        3
        [
            kw "LEN"
            kw "IDX"
            kw "WITHMATCHLEN"
            cat [ kw "MINMATCHLEN"; one (litOf [ "0"; "1"; "2"; "4"; "-1"; "abc" ]) ]
        ]

let private pairs (lo, hi) : Parts =
    gen {
        let! n = Gen.choose (lo, hi)
        let! kvs = Gen.listOfLength n (cat [ key; value ])
        return List.concat kvs
    }

let private offset: Parts =
    one (
        Gen.frequency
            [
                8, Gen.choose (0, 20) |> Gen.map (string >> lit)
                1,
                litOf
                    [
                        "100"
                        "1000"
                        "-1"
                        "abc"
                        ""
                        "536870912"
                        "4294967296"
                        "9223372036854775807"
                    ]
            ]
    )

let private rangeIndex: Parts =
    one (
        Gen.frequency
            [
                8, Gen.choose (-12, 12) |> Gen.map (string >> lit)
                1,
                litOf
                    [
                        "100"
                        "-100"
                        "9223372036854775807"
                        "-9223372036854775808"
                        "abc"
                        ""
                        "1.5"
                    ]
            ]
    )

let private scanOptions: Parts =
    options
        2
        [
            cat [ kw "MATCH"; pattern ]
            cat [ kw "COUNT"; one (litOf [ "1"; "2"; "10"; "1000"; "0"; "-1"; "abc" ]) ]
            cat [ kw "TYPE"; one (litOf [ "string"; "list"; "hash"; "set"; "zset" ]) ]
        ]

/// Commands that create or change string values (weighted up so that keys exist).
let private writes: Gen<Draft> =
    Gen.frequency
        [
            8, cmd "SET" [ key; value; setOptions ]
            2, cmd "SETNX" [ key; value ]
            2, cmd "SETEX" [ key; relSecs; value ]
            2, cmd "PSETEX" [ key; relMillis; value ]
            2, cmd "GETSET" [ key; value ]
            2, cmd "MSET" [ pairs (1, 3) ]
            1, cmd "MSETNX" [ pairs (1, 3) ]
            3, cmd "APPEND" [ key; value ]
            2, cmd "SETRANGE" [ key; offset; value ]
            3, cmd "INCR" [ key ]
            2, cmd "DECR" [ key ]
            2, cmd "INCRBY" [ key; integer ]
            2, cmd "DECRBY" [ key; integer ]
            3, cmd "INCRBYFLOAT" [ key; floatArg ]
        ]

let private reads: Gen<Draft> =
    Gen.frequency
        [
            6, cmd "GET" [ key ]
            2, cmd "GETDEL" [ key ]
            3, cmd "GETEX" [ key; getexOptions ]
            2, cmd "MGET" [ keys (1, 4) ]
            2, cmd "STRLEN" [ key ]
            3, cmd "GETRANGE" [ key; rangeIndex; rangeIndex ]
            1, cmd "SUBSTR" [ key; rangeIndex; rangeIndex ]
            3, cmd "LCS" [ key; key; lcsOptions ]
        ]

/// DUMP payloads (Redis 7.0's, from tests/CoolCache.Core.Tests/Rdb/fixtures/dumps.txt) and broken ones:
/// RESTORE's replies and the restored values are the same on both servers. (DUMP's own payload differs:
/// CoolCache writes the plain encodings; PersistenceInteropTests checks those restore in Redis.)
let private payload: Parts =
    let hex (h: string) = Lit(Convert.FromHexString h)

    one (
        Gen.elements
            [
                hex "00c139300a009d94ea2793fc08b9"
                hex "0b100200000004000000fbff0100020003000a00c8e4dfb66f7396f0"
                hex
                    "1127270000000a00816302dffd02816102010181620283322e3504816502640181640283696e6604ff0a009814502b9ae7d2d9"
                hex "101b1b00000006008266310382763103826632030201816e02dfb302ff0a006bd180cca7e56bb4"
                // streams: deleted entries in a node; groups g1 and g2 with consumers and pending entries
                hex
                    "13011000000000000000010000000000000000c34072408b0f8b00000037000701030101018166020020080000200106827631030401022014400b0032600b0002600b0033600b402502827634200b0203010460170035200b02020105600b0036600b0006600b0037600b0007600b0038600b0008600b0039200b02030109200b0783763130040401ff070a0002000a000a000a009cdfdd7e5641cae5"
                hex
                    "13011000000000000000010000000000000000c34108419c079c010000a0001e0140000781660200010201002001048276310304200b0001600b0032200b0003200d40170033200b0002200d400b0034600b0004600b0035600b0005600b0036600b0006600b0037600b0007600b0038600b0008600b0039600b0009200b0483763130044054000a800c0031600c000b800c0032600c000c800c0033600c000d800c0034600c000e800c0035600c000f800c0036600c0010800c0037600c0011800c0038600c0012800c0039600c0013600c003280810014800c80810015800c80810016800c80810017800c80810018800c80810019800c8081001a800c8081001b800c8081001c800c8081001d600c00338081001e400c026e6577209b00ff1e1f00010003001f03c0070a000a0200000000000000010000000000000000f20eb40ca20100000100000000000000020000000000000000f20eb40ca20100000101056672616e6bf20eb40ca20100000200000000000000010000000000000000000000000000000200000000000000000267310d000d0800000000000000010000000000000000f00eb40ca20100000100000000000000030000000000000000f00eb40ca20100000100000000000000040000000000000000f00eb40ca20100000100000000000000050000000000000000f00eb40ca201000001000000000000000600000000000000000068e5cf8b0100000400000000000000080000000000000000f10eb40ca20100000100000000000000090000000000000000f10eb40ca201000001000000000000000a0000000000000000f10eb40ca20100000104c07bf10eb40ca20100000005616c696365f10eb40ca201000005000000000000000100000000000000000000000000000003000000000000000000000000000000040000000000000000000000000000000500000000000000000000000000000006000000000000000003626f62f10eb40ca2010000030000000000000008000000000000000000000000000000090000000000000000000000000000000a00000000000000000464617665f10eb40ca2010000000267321f001f01000000000000001f0000000000000000f20eb40ca20100000101046572696ef20eb40ca201000001000000000000001f00000000000000000a00cd1207970577d1b7"
                // a checksum that does not match, a future RDB version, too short, bad data with a good checksum
                hex "00c139300a009d94ea2793fc08ba"
                hex "00c139306300000000000000000000"
                lit "x"
                hex "63c139300a0081f3a22534916d62"
            ]
    )

let private restoreOptions: Parts =
    options
        2
        [
            kw "REPLACE"
            kw "ABSTTL"
            cat [ kw "IDLETIME"; one (Gen.elements [ lit "10"; lit "-1"; lit "x" ]) ]
            cat [ kw "FREQ"; one (Gen.elements [ lit "5"; lit "256"; lit "-1" ]) ]
            kw "FOO"
        ]

let private keyspace: Gen<Draft> =
    Gen.frequency
        [
            3,
            cmd
                "RESTORE"
                [
                    key
                    one (Gen.elements [ lit "0"; lit "-5"; lit "x"; lit "100000000" ])
                    payload
                    restoreOptions
                ]
            3, cmd "DEL" [ keys (1, 3) ]
            1, cmd "UNLINK" [ keys (1, 3) ]
            3, cmd "EXISTS" [ keys (1, 3) ]
            2, cmd "TYPE" [ key ]
            4, cmdWith SortedArray "KEYS" [ pattern ]
            3, cmdWith ScanAll "SCAN" [ scanOptions ]
            2, cmd "RENAME" [ key; key ]
            2, cmd "RENAMENX" [ key; key ]
            2, cmd "COPY" [ key; key; optional (cat [ kw "DB"; db ]); optional (kw "REPLACE") ]
            2, cmd "MOVE" [ key; db ]
            1, cmd "TOUCH" [ keys (1, 3) ]
            3, cmd "EXPIRE" [ key; relSecs; expireFlags ]
            2, cmd "PEXPIRE" [ key; relMillis; expireFlags ]
            2, cmd "EXPIREAT" [ key; absSecs; expireFlags ]
            2, cmd "PEXPIREAT" [ key; absMillis; expireFlags ]
            3, cmdWith (IntWithin 1L) "TTL" [ key ]
            2, cmdWith (IntWithin 400L) "PTTL" [ key ]
            2, cmd "PERSIST" [ key ]
            2, cmdWith (IntWithin 1L) "EXPIRETIME" [ key ]
            1, cmdWith (IntWithin 400L) "PEXPIRETIME" [ key ]
            2, cmdWith LiveCount "DBSIZE" []
            1, cmd "FLUSHDB" [ optional (one (litOf [ "ASYNC"; "SYNC"; "async"; "NOW" ])) ]
            2, cmd "SELECT" [ db ]
            1, cmd "SWAPDB" [ db; db ]
            1, cmdWith RandomKey "RANDOMKEY" []
            2, cmd "OBJECT" [ kw "ENCODING"; key ]
            1, cmd "OBJECT" [ kw "REFCOUNT"; key ]
            1, cmd "OBJECT" [ kw "HELP" ]
            1, cmd "OBJECT" [ one (litOf [ "FOO"; "ENCODING"; "" ]); optional key; optional key ]
        ]

let private connection: Gen<Draft> =
    Gen.frequency
        [
            2, cmd "PING" [ optional value ]
            2, cmd "ECHO" [ value ]
            1, cmdWith HelloReply "HELLO" [ one (litOf [ "3"; "2"; "3"; "2"; "4"; "1"; "abc"; "" ]) ]
            1, cmdWith HelloReply "HELLO" []
        ]

/// Wrong number of arguments for known commands.
let private wrongArity: Gen<Draft> =
    gen {
        let! name, count =
            Gen.elements
                [
                    "GET", 0
                    "GET", 2
                    "SET", 0
                    "SET", 1
                    "SETNX", 1
                    "SETEX", 2
                    "STRLEN", 0
                    "INCR", 2
                    "INCRBY", 1
                    "INCRBYFLOAT", 3
                    "GETRANGE", 2
                    "SETRANGE", 2
                    "GETDEL", 2
                    "GETEX", 0
                    "DEL", 0
                    "EXISTS", 0
                    "MGET", 0
                    "MSET", 1
                    "MSET", 3
                    "MSETNX", 3
                    "APPEND", 1
                    "LCS", 1
                    "EXPIRE", 1
                    "PEXPIREAT", 1
                    "TTL", 0
                    "TTL", 2
                    "PERSIST", 2
                    "RENAME", 1
                    "RENAME", 3
                    "COPY", 1
                    "MOVE", 1
                    "DBSIZE", 1
                    "FLUSHDB", 2
                    "SELECT", 0
                    "SELECT", 2
                    "SWAPDB", 1
                    "KEYS", 0
                    "KEYS", 2
                    "TYPE", 0
                    "RANDOMKEY", 1
                    "ECHO", 0
                    "ECHO", 2
                    "PING", 2
                    "OBJECT", 0
                    "OBJECT", 1
                    "OBJECT", 3
                    yield! GenHashes.wrongArity
                    yield! GenSets.wrongArity
                    yield! GenLists.wrongArity
                    yield! GenSortedSets.wrongArity
                    yield! GenSort.wrongArity
                    "MULTI", 1
                    "EXEC", 1
                    "DISCARD", 2
                    "WATCH", 0
                    "UNWATCH", 1
                    yield! GenStreams.wrongArity
                    yield! GenPubSub.wrongArity
                ]

        let! args = Gen.listOfLength count (Gen.oneof [ litOf keyPool; litOf values ])
        let! name = casing name

        return
            {
                Parts = lit name :: args
                Cmp = Exact
            }
    }

/// Commands Redis does not know (the error quotes the name and the first arguments).
let private unknown: Gen<Draft> =
    gen {
        let! name =
            litOf
                [
                    "FOO"
                    "foo"
                    "GETT"
                    "SETX"
                    ""
                    "CONFIGURE"
                    "bin\000cmd"
                    "x\r\ny"
                    veryLongValue
                ]

        let! n = Gen.choose (0, 3)
        let! args = Gen.listOfLength n (Gen.oneof [ litOf keyPool; litOf values ])
        return { Parts = name :: args; Cmp = Exact }
    }

let private anyCommand: Gen<Draft> =
    Gen.frequency
        [
            10, writes
            8, reads
            9, keyspace
            1, connection
            1, wrongArity
            1, unknown
            9, GenHashes.commands
            8, GenSets.commands
            10, GenLists.commands
            10, GenSortedSets.commands
            12, GenSort.commands
            12, GenStreams.commands
            2, GenPubSub.commands
        ]

/// A command whose reply compares exactly: inside MULTI its reply becomes part of EXEC's array.
/// OBJECT is left out: inside EXEC Redis's queued argv still holds a value just SET, so OBJECT REFCOUNT
/// answers 2 there (1 here), an artefact of its object sharing.
let private exactCommand: Gen<Draft> =
    anyCommand
    |> Gen.filter (fun d ->
        d.Cmp = Exact
        && (match d.Parts with
            | Lit name :: _ -> Text.Encoding.Latin1.GetString(name).ToUpperInvariant() <> "OBJECT"
            | _ -> true))

/// A transaction (multi.c): maybe WATCH some keys and run commands (which may touch them), then MULTI,
/// queued commands (some rejected at queue time: EXECABORT) and EXEC or DISCARD.
let private transaction: Gen<Draft list> =
    gen {
        let! watch =
            Gen.frequency [ 1, Gen.constant []; 2, cmd "WATCH" [ keys (1, 3) ] |> Gen.map List.singleton ]

        let! before =
            Gen.choose (0, 3) |> Gen.bind (fun n -> Gen.listOfLength n exactCommand)

        let! queued =
            Gen.choose (0, 6) |> Gen.bind (fun n -> Gen.listOfLength n exactCommand)

        let! ending =
            Gen.frequency
                [
                    8, Gen.constant [ "EXEC" ]
                    1, Gen.constant [ "DISCARD" ]
                    1, Gen.constant [ "UNWATCH"; "EXEC" ]
                ]

        let plain name = { Parts = [ lit name ]; Cmp = Exact }
        // UNWATCH inside MULTI is queued: that block still ends with EXEC
        return watch @ before @ [ plain "MULTI" ] @ queued @ List.map plain ending
    }

/// Transaction commands out of place: EXEC/DISCARD without MULTI, UNWATCH, MULTI MULTI.
let private strayTransaction: Gen<Draft list> =
    Gen.oneof
        [
            cmd "EXEC" [] |> Gen.map List.singleton
            cmd "DISCARD" [] |> Gen.map List.singleton
            cmd "UNWATCH" [] |> Gen.map List.singleton
            Gen.constant
                [
                    { Parts = [ lit "MULTI" ]; Cmp = Exact }
                    { Parts = [ lit "MULTI" ]; Cmp = Exact }
                    {
                        Parts = [ lit "WATCH"; lit "k1" ]
                        Cmp = Exact
                    }
                    { Parts = [ lit "EXEC" ]; Cmp = Exact }
                ]
        ]

/// A sequence of 1..40 commands (a transaction counts as one); about a quarter start by switching to
/// RESP3 (HELLO 3).
let sequence: Gen<Step list> =
    gen {
        let! len = Gen.choose (1, 40)

        let! chunks =
            Gen.listOfLength
                len
                (Gen.frequency
                    [
                        40, anyCommand |> Gen.map List.singleton
                        2, transaction
                        1, strayTransaction
                    ])

        let drafts = List.concat chunks
        let! resp3 = Gen.frequency [ 1, Gen.constant true; 3, Gen.constant false ]

        let drafts =
            if resp3 then
                {
                    Parts = [ lit "HELLO"; lit "3" ]
                    Cmp = HelloReply
                }
                :: drafts
            else
                drafts

        return List.mapi resolve drafts
    }

/// SplitMix64 finaliser: consecutive run seeds give unrelated FsCheck generator states.
let private mix (x: uint64) =
    let z = x + 0x9E3779B97F4A7C15UL
    let z = (z ^^^ (z >>> 30)) * 0xBF58476D1CE4E5B9UL
    let z = (z ^^^ (z >>> 27)) * 0x94D049BB133111EBUL
    z ^^^ (z >>> 31)

/// The FsCheck random state used for a seed.
let rndForSeed (seed: uint64) = Rnd(mix seed)

/// The sequence FsCheck generates from this seed (deterministic: the seed alone replays it).
let sequenceForSeed (seed: uint64) : Step list =
    Gen.sampleWithSeed (rndForSeed seed) 50 1 sequence |> Array.head

/// Does the sequence change connection state that the next sequence must not inherit (protocol,
/// an open MULTI, watched keys)?
let switchesProtocol (steps: Step list) =
    steps
    |> List.exists (fun s ->
        match s.Args with
        | name :: _ ->
            match Encoding.Latin1.GetString(name).ToUpperInvariant() with
            | "HELLO"
            | "MULTI"
            | "WATCH" -> true
            | _ -> false
        | [] -> false)
