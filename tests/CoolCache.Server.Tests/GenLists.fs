/// Differential-test generators for the list commands (t_list.c), on the shared key pool so that
/// lists meet strings (WRONGTYPE) and the keyspace commands (TYPE, OBJECT ENCODING, COPY, RENAME).
module CoolCache.Server.Tests.GenLists

open FsCheck
open FsCheck.FSharp
open CoolCache.Server.Tests.GenParts

/// Elements: a few short ones, so that LREM, LPOS and LINSERT find matches; sometimes any value.
let private element: Parts =
    one (Gen.frequency [ 8, litOf [ "a"; "b"; "c"; "1"; "" ]; 1, litOf values ])

let private elements (lo, hi) : Parts =
    gen {
        let! n = Gen.choose (lo, hi)
        let! xs = Gen.listOfLength n element
        return List.concat xs
    }

/// Indexes for LRANGE LINDEX LSET LTRIM: small ones of both signs, extremes and junk.
let private index: Parts =
    one (
        Gen.frequency
            [
                10, Gen.choose (-8, 8) |> Gen.map (string >> lit)
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
                        "+1"
                        " 1"
                    ]
            ]
    )

/// LPOP/RPOP counts: mostly valid (0 included), sometimes negative, huge or junk.
let private popCount: Parts =
    one (
        Gen.frequency
            [
                8, Gen.choose (0, 6) |> Gen.map (string >> lit)
                1, litOf [ "-1"; "abc"; "9223372036854775807"; ""; "1.0"; "-9223372036854775808" ]
            ]
    )

/// LREM counts: both signs (from the head / from the tail), 0 (all), extremes, junk.
let private remCount: Parts =
    one (
        Gen.frequency
            [
                8, Gen.choose (-3, 3) |> Gen.map (string >> lit)
                1, litOf [ "-9223372036854775808"; "9223372036854775807"; "abc"; "" ]
            ]
    )

/// LEFT or RIGHT in any case, sometimes junk.
let private listEnd: Parts =
    Gen.frequency [ 4, kw "LEFT"; 4, kw "RIGHT"; 1, one (litOf [ "UP"; ""; "LEFTX"; "0" ]) ]

let private lposOption: Parts =
    let rank =
        one (
            Gen.frequency
                [
                    8, Gen.choose (-3, 3) |> Gen.map (string >> lit)
                    1, litOf [ "-9223372036854775808"; "-9223372036854775807"; "9223372036854775807"; "abc" ]
                ]
        )

    let amount =
        one (
            Gen.frequency
                [
                    8, Gen.choose (0, 4) |> Gen.map (string >> lit)
                    1, litOf [ "-1"; "abc"; "9223372036854775807" ]
                ]
        )

    Gen.frequency
        [
            4, cat [ kw "RANK"; rank ]
            4, cat [ kw "COUNT"; amount ]
            3, cat [ kw "MAXLEN"; amount ]
            1, one (litOf [ "FOO"; "RANK"; "COUNT" ])
        ]

/// LMPOP numkeys key... LEFT|RIGHT [COUNT n]: numkeys mostly right, sometimes off or junk.
let private lmpopArgs: Parts =
    gen {
        let! n = Gen.choose (1, 3)
        let! ks = keys (n, n)

        let! numKeys =
            Gen.frequency
                [
                    10, Gen.constant (string n)
                    1, Gen.elements [ string (n + 1); string (n - 1); "0"; "-1"; "abc"; "9223372036854775807" ]
                ]

        let! where = listEnd

        let! count =
            Gen.frequency
                [
                    3, Gen.constant []
                    4, cat [ kw "COUNT"; one (Gen.choose (1, 5) |> Gen.map (string >> lit)) ]
                    1, cat [ kw "COUNT"; one (litOf [ "0"; "-1"; "abc"; "9223372036854775807" ]) ]
                    1, one (litOf [ "COUNT"; "FOO" ])
                    1, cat [ kw "COUNT"; one (litOf [ "1" ]); kw "COUNT"; one (litOf [ "2" ]) ]
                ]

        return lit numKeys :: ks @ where @ count
    }

/// A blocking command's timeout: mostly a short wait (when nothing is there both servers time out
/// after 10ms; the multi-client cases are BlockingScenarioTests), sometimes a bad value.
let private timeout: Parts =
    one (
        Gen.frequency
            [
                6, Gen.constant (lit "0.01")
                1, litOf [ "abc"; "-1"; "-0.5"; "nan"; "inf"; "1e300"; ""; " 1"; "0x"; "1e-4" ]
            ]
    )

/// The list commands, weighted so that lists exist and grow.
let commands: Gen<Draft> =
    Gen.frequency
        [
            10, cmd "LPUSH" [ key; elements (1, 5) ]
            10, cmd "RPUSH" [ key; elements (1, 5) ]
            2, cmd "RPUSH" [ key; elements (9, 14) ]
            2, cmd "LPUSHX" [ key; elements (1, 3) ]
            2, cmd "RPUSHX" [ key; elements (1, 3) ]
            3, cmd "LPOP" [ key; optional popCount ]
            3, cmd "RPOP" [ key; optional popCount ]
            2, cmd "LLEN" [ key ]
            6, cmd "LRANGE" [ key; index; index ]
            3, cmd "LINDEX" [ key; index ]
            2, cmd "LSET" [ key; index; element ]
            3,
            cmd
                "LINSERT"
                [
                    key
                    Gen.frequency [ 4, kw "BEFORE"; 4, kw "AFTER"; 1, kw "MIDDLE" ]
                    element
                    element
                ]
            3, cmd "LREM" [ key; remCount; element ]
            3, cmd "LTRIM" [ key; index; index ]
            4, cmd "LPOS" [ key; element; options 3 [ lposOption ] ]
            3, cmd "LMOVE" [ key; key; listEnd; listEnd ]
            2, cmd "RPOPLPUSH" [ key; key ]
            3, cmd "LMPOP" [ lmpopArgs ]
            1, cmd "BLPOP" [ keys (1, 3); timeout ]
            1, cmd "BRPOP" [ keys (1, 3); timeout ]
            1, cmd "BLMOVE" [ key; key; listEnd; listEnd; timeout ]
            1, cmd "BRPOPLPUSH" [ key; key; timeout ]
            1, cmd "BLMPOP" [ timeout; lmpopArgs ]
        ]

/// Wrong argument counts (name, number of arguments after it); LPOP/RPOP with two arguments after
/// the key pass the table's arity and are refused by the command itself.
let wrongArity: (string * int) list =
    [
        "LPUSH", 0
        "LPUSH", 1
        "RPUSH", 1
        "LPUSHX", 1
        "RPUSHX", 0
        "LPOP", 0
        "LPOP", 3
        "RPOP", 3
        "LLEN", 0
        "LLEN", 2
        "LRANGE", 2
        "LINDEX", 1
        "LINDEX", 3
        "LSET", 2
        "LINSERT", 3
        "LREM", 2
        "LTRIM", 4
        "LPOS", 1
        "LMOVE", 3
        "RPOPLPUSH", 1
        "RPOPLPUSH", 3
        "LMPOP", 1
        "LMPOP", 2
        "BLPOP", 1
        "BRPOP", 0
        "BLMOVE", 4
        "BRPOPLPUSH", 2
        "BLMPOP", 3
    ]
