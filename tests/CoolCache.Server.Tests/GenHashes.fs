/// Generators of hash commands (t_hash.c) for the differential tests: every H* command with its
/// options, bad numbers, overflow, listpack → hashtable conversions and wrong arity.
module CoolCache.Server.Tests.GenHashes

open System
open FsCheck
open FsCheck.FSharp
open CoolCache.Server.Tests.GenParts

/// Fields collide across commands; a field over 64 bytes converts a hash to hashtable.
let private fieldPool =
    [
        "f1"
        "f2"
        "f3"
        "n"
        ""
        "bin\000\r\n\xff"
        "*"
        "f?"
        String('F', 64)
        String('F', 65)
    ]

let private field: Parts =
    one (Gen.frequency [ 8, litOf (List.take 4 fieldPool); 3, litOf fieldPool ])

let private fields (lo, hi) : Parts =
    gen {
        let! n = Gen.choose (lo, hi)
        let! fs = Gen.listOfLength n field
        return List.concat fs
    }

/// Values: the shared pool (numbers, floats, junk, 60- and 150-byte strings, small integers) and
/// the 64/65-byte edge of hash-max-listpack-value.
let private hashValue: Parts =
    Gen.frequency [ 10, value; 1, one (litOf [ String('v', 64); String('v', 65) ]) ]

let private fieldValues (lo, hi) : Parts =
    gen {
        let! n = Gen.choose (lo, hi)
        let! kvs = Gen.listOfLength n (cat [ field; hashValue ])
        return List.concat kvs
    }

/// A hash of n fields in one HSET ("field:1" 1 ...): over 512 fields converts it to hashtable, and
/// 511 or 512 are one or two HSETs away from it.
let private bigHset: Gen<Draft> =
    gen {
        let! n = Gen.elements [ 100; 511; 512; 512; 513; 600 ]
        let! k = key

        return
            {
                Parts =
                    lit "HSET" :: k
                    @ List.concat [ for i in 1..n -> [ lit (sprintf "field:%d" i); lit (string i) ] ]
                Cmp = Exact
            }
    }

/// Counts for HRANDFIELD: small ones of both signs, junk, and the limits Redis checks. No large
/// negative count: Redis would stream a reply of that many entries.
let private randomCount: Parts =
    one (
        Gen.frequency
            [
                8, litOf [ "0"; "1"; "2"; "3"; "5"; "10"; "100"; "-1"; "-2"; "-5"; "-10" ]
                2,
                litOf
                    [
                        "abc"
                        ""
                        "1.5"
                        "+3"
                        "9223372036854775807"
                        "-9223372036854775808"
                        "4611686018427387903"
                        "4611686018427387904"
                    ]
            ]
    )

/// MATCH patterns aimed at the field pool.
let private fieldPattern: Parts =
    one (litOf [ "*"; "f*"; "f?"; "f\\?"; "[fn]*"; "\\*"; "*3"; ""; "field:1*"; "bin*"; "F*" ])

let private hscanOptions: Parts =
    options
        2
        [
            cat [ kw "MATCH"; fieldPattern ]
            cat [ kw "COUNT"; one (litOf [ "1"; "2"; "10"; "1000"; "0"; "-1"; "abc" ]) ]
            cat [ kw "TYPE"; one (litOf [ "hash"; "string" ]) ]
            kw "NOVALUES"
        ]

/// Every hash command; the weights favour writes so that hashes exist. Invalid HSCAN cursors are
/// compared exactly ("" is cursor 0 for Redis's strtoul, so it is not among them).
let commands: Gen<Draft> =
    Gen.frequency
        [
            10, cmd "HSET" [ key; fieldValues (1, 4) ]
            1, cmd "HSET" [ key; fieldValues (0, 2); field ]
            2, cmd "HMSET" [ key; fieldValues (1, 3) ]
            1, cmd "HMSET" [ key; field ]
            3, cmd "HSETNX" [ key; field; hashValue ]
            2, bigHset
            6, cmd "HGET" [ key; field ]
            3, cmd "HMGET" [ key; fields (1, 4) ]
            4, cmd "HDEL" [ key; fields (1, 3) ]
            3, cmd "HLEN" [ key ]
            2, cmd "HSTRLEN" [ key; field ]
            3, cmd "HEXISTS" [ key; field ]
            2, cmdWith SortedArray "HKEYS" [ key ]
            2, cmdWith SortedArray "HVALS" [ key ]
            3, cmdWith SortedPairs "HGETALL" [ key ]
            4, cmd "HINCRBY" [ key; field; integer ]
            4, cmd "HINCRBYFLOAT" [ key; field; floatArg ]
            2, cmdWith RandomFields "HRANDFIELD" [ key ]
            3, cmdWith RandomFields "HRANDFIELD" [ key; randomCount ]
            3, cmdWith RandomFields "HRANDFIELD" [ key; randomCount; kw "WITHVALUES" ]
            1, cmdWith RandomFields "HRANDFIELD" [ key; one (litOf [ "-4611686018427387904" ]); kw "WITHVALUES" ]
            1, cmd "HRANDFIELD" [ key; randomCount; one (litOf [ "WITHSCORES"; "x" ]) ]
            1, cmd "HRANDFIELD" [ key; randomCount; kw "WITHVALUES"; value ]
            4, cmdWith HashScanAll "HSCAN" [ key; hscanOptions ]
            1,
            cmd
                "HSCAN"
                [
                    key
                    one (litOf [ "abc"; "1.5"; " 1"; "1 "; "0x1"; "18446744073709551616" ])
                    hscanOptions
                ]
            4, cmd "OBJECT" [ kw "ENCODING"; key ]
        ]

/// Wrong numbers of arguments (name, argument count).
let wrongArity: (string * int) list =
    [
        "HSET", 0
        "HSET", 1
        "HSET", 2
        "HSETNX", 2
        "HSETNX", 4
        "HGET", 1
        "HGET", 3
        "HMGET", 1
        "HMSET", 2
        "HDEL", 1
        "HLEN", 0
        "HLEN", 2
        "HSTRLEN", 1
        "HEXISTS", 3
        "HKEYS", 0
        "HVALS", 2
        "HGETALL", 0
        "HINCRBY", 2
        "HINCRBYFLOAT", 4
        "HRANDFIELD", 0
        "HSCAN", 1
    ]
