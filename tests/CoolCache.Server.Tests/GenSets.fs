/// Set command generators for the differential tests (t_set.c): every S* command with its options and
/// bad input. Random commands are generated only where their outcome is deterministic (SPOP with a
/// count no set can reach) or compared by shape (SRANDMEMBER, see Compare.RandomMembers).
module CoolCache.Server.Tests.GenSets

open FsCheck
open FsCheck.FSharp
open CoolCache.Server.Tests.GenParts

/// Members: integers in and out of canonical form (intset or not), strings, binary, the empty one.
let private memberPool =
    [
        "1"
        "2"
        "3"
        "-1"
        "0"
        "10"
        "42"
        "9223372036854775807"
        "-9223372036854775808"
        "9223372036854775808"
        "007"
        "+1"
        "-0"
        "1.5"
        "a"
        "b"
        "c"
        "hello"
        ""
        "\000\xff\r\n"
        "x y"
        "*"
    ]

let private setMember: Parts = one (litOf memberPool)

let private setMembers (lo, hi) : Parts =
    gen {
        let! n = Gen.choose (lo, hi)
        return! Gen.listOfLength n (litOf memberPool)
    }

/// SADD of 0..n (n around set-max-intset-entries' default): the intset/hashtable boundary.
let private manyIntegers: Parts =
    gen {
        let! n = Gen.elements [ 510; 511; 512; 513; 600 ]
        let! offset = Gen.elements [ 0; 400 ]
        return [ for i in offset .. offset + n - 1 -> lit (string i) ]
    }

/// SPOP counts whose outcome is deterministic: nothing, the whole set (no set reaches 1000 members),
/// or an error.
let private spopCount: Parts =
    one (
        Gen.frequency
            [
                6, litOf [ "0"; "1000"; "9223372036854775807" ]
                1, litOf [ "-1"; "abc"; ""; "1.5"; "-9223372036854775808" ]
            ]
    )

/// SRANDMEMBER with a count: the compare mode knows whether repeats are allowed.
let private srandmemberWithCount: Gen<Draft> =
    gen {
        let! count =
            Gen.frequency
                [
                    6, Gen.choose (-8, 8) |> Gen.map string
                    2, Gen.elements [ "20"; "100"; "1000"; "9223372036854775807"; "-30" ]
                    1, Gen.elements [ "abc"; ""; "1.5"; "-9223372036854775808"; "+3" ]
                ]

        let distinct = not (count.StartsWith "-")
        return! cmdWith (RandomMembers distinct) "SRANDMEMBER" [ key; one (Gen.constant (lit count)) ]
    }

let private numkeysCommand: Gen<Draft> =
    gen {
        let! keys = keys (1, 3)

        let! numkeys =
            Gen.frequency
                [
                    8, Gen.constant (string keys.Length)
                    2, Gen.elements [ "1"; "2"; "4"; "0"; "-1"; "abc"; ""; "9223372036854775807" ]
                ]

        let! limit =
            Gen.frequency
                [
                    4, Gen.constant []
                    4, cat [ kw "LIMIT"; one (litOf [ "0"; "1"; "2"; "5" ]) ]
                    1, cat [ kw "LIMIT"; one (litOf [ "-1"; "abc"; "" ]) ]
                    1, options 2 [ kw "LIMIT"; kw "FOO"; one (litOf [ "1" ]) ]
                ]

        let! name = casing "SINTERCARD"

        return
            {
                Parts = lit name :: lit numkeys :: keys @ limit
                Cmp = Exact
            }
    }

let private sscanOptions: Parts =
    options
        2
        [
            cat
                [
                    kw "MATCH"
                    one (litOf [ "*"; "1*"; "?"; "[a-c]"; "*0*"; "-*"; "\\*"; "h*o" ])
                ]
            cat [ kw "COUNT"; one (litOf [ "1"; "2"; "10"; "1000"; "0"; "-1"; "abc" ]) ]
            cat [ kw "TYPE"; one (litOf [ "set"; "string" ]) ]
            kw "NOVALUES"
        ]

let private badCursor: Parts =
    one (litOf [ "abc"; "-"; " 0"; "0x10"; "1.5"; "18446744073709551616" ])

let private setMaxIntsetEntries: Parts =
    one (litOf [ "0"; "1"; "2"; "3"; "5"; "512"; "512"; "-1"; "abc" ])

/// Set commands (WRONGTYPE comes from the shared key pool: other families write the same keys).
let commands: Gen<Draft> =
    Gen.frequency
        [
            14, cmd "SADD" [ key; setMembers (1, 5) ]
            1, cmd "SADD" [ key; manyIntegers ]
            4, cmd "SREM" [ key; setMembers (1, 3) ]
            3, cmdWith SortedArray "SMEMBERS" [ key ]
            2, cmd "SISMEMBER" [ key; setMember ]
            2, cmd "SMISMEMBER" [ key; setMembers (1, 4) ]
            2, cmd "SCARD" [ key ]
            2, cmdWith SortedArray "SPOP" [ key; spopCount ]
            1, cmd "SPOP" [ key; spopCount; setMember ]
            3, srandmemberWithCount
            1, cmdWith (RandomMembers true) "SRANDMEMBER" [ key ]
            1, cmd "SRANDMEMBER" [ key; setMember; setMember ]
            4, cmd "SMOVE" [ key; key; setMember ]
            3, cmdWith SortedArray "SINTER" [ keys (1, 3) ]
            3, numkeysCommand
            3, cmd "SINTERSTORE" [ key; keys (1, 3) ]
            3, cmdWith SortedArray "SUNION" [ keys (1, 3) ]
            3, cmd "SUNIONSTORE" [ key; keys (1, 3) ]
            3, cmdWith SortedArray "SDIFF" [ keys (1, 3) ]
            3, cmd "SDIFFSTORE" [ key; keys (1, 3) ]
            3, cmdWith MemberScanAll "SSCAN" [ key; sscanOptions ]
            1, cmd "SSCAN" [ key; badCursor; sscanOptions ]
            3, cmd "OBJECT" [ kw "ENCODING"; key ]
            1,
            cmd
                "CONFIG"
                [
                    kw "SET"
                    one (Gen.constant (lit "set-max-intset-entries"))
                    setMaxIntsetEntries
                ]
        ]

/// Wrong numbers of arguments for set commands (name, argument count).
let wrongArity: (string * int) list =
    [
        "SADD", 0
        "SADD", 1
        "SREM", 1
        "SMEMBERS", 0
        "SMEMBERS", 2
        "SISMEMBER", 1
        "SISMEMBER", 3
        "SMISMEMBER", 1
        "SCARD", 0
        "SCARD", 2
        "SPOP", 0
        "SRANDMEMBER", 0
        "SMOVE", 2
        "SMOVE", 4
        "SINTER", 0
        "SINTERCARD", 0
        "SINTERCARD", 1
        "SINTERSTORE", 1
        "SUNION", 0
        "SUNIONSTORE", 1
        "SDIFF", 0
        "SDIFFSTORE", 1
        "SSCAN", 1
    ]
