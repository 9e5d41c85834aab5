/// Differential-test generators for the sorted set commands (t_zset.c), on the shared key pool so that
/// sorted sets meet strings, lists, hashes and sets (WRONGTYPE; sets are inputs of ZUNION & co.) and the
/// keyspace commands (TYPE, OBJECT ENCODING, COPY, RENAME).
module CoolCache.Server.Tests.GenSortedSets

open FsCheck
open FsCheck.FSharp
open CoolCache.Server.Tests.GenParts

/// Members: short ones that sort in interesting ways (binary, empty, digits, case), a 60-byte one
/// (still listpack) and rarely a 150-byte one (converts the set to skiplist).
let private memberName: Parts =
    one (
        Gen.frequency
            [
                20,
                litOf
                    [
                        "a"
                        "b"
                        "c"
                        "d"
                        "e"
                        "f"
                        "1"
                        "2"
                        "10"
                        ""
                        "a\000b"
                        "B"
                        "aa"
                        "\xff"
                    ]
                1, litOf [ longValue ]
            ]
    )

let private members (lo, hi) : Parts =
    gen {
        let! n = Gen.choose (lo, hi)
        let! xs = Gen.listOfLength n memberName
        return List.concat xs
    }

/// Scores: small integers, decimals that print with 17 digits, signed zeros, infinities, extremes,
/// hex, and sometimes junk (NaN and unparsable text are errors).
let private score: Parts =
    one (
        Gen.frequency
            [
                12, Gen.choose (-3, 5) |> Gen.map (string >> lit)
                4,
                litOf
                    [
                        "1.5"
                        "-0.5"
                        "0"
                        "-0"
                        "+inf"
                        "-inf"
                        "inf"
                        "1e3"
                        "0.1"
                        "3.0"
                        "2.5e-3"
                        "1e308"
                        "-1e308"
                        "0x10"
                        "+2"
                        "1.7976931348623157e308"
                        "5e-324"
                    ]
                1, litOf [ "abc"; "nan"; ""; " 1"; "1 "; "1e400"; "--1"; "+inf1"; "(1" ]
            ]
    )

let private pairs (lo, hi) : Parts =
    gen {
        let! n = Gen.choose (lo, hi)
        let! ps = Gen.listOfLength n (cat [ score; memberName ])
        return List.concat ps
    }

/// Pairs with one score, as lex ranges expect.
let private sameScorePairs: Parts =
    gen {
        let! n = Gen.choose (1, 6)
        let! s = Gen.elements [ "0"; "0"; "1" ]
        let! ms = Gen.listOfLength n memberName
        return ms |> List.collect (fun m -> lit s :: m)
    }

/// Enough members to pass zset-max-listpack-entries (128), all with score 0.
let private bigPairs: Parts =
    gen {
        let! n = Gen.choose (126, 132)
        let! prefix = Gen.elements [ "m"; "n" ]
        return [ for i in 1..n -> [ lit "0"; lit (sprintf "%s%03d" prefix i) ] ] |> List.concat
    }

/// ZADD options: mostly valid combinations in any order, sometimes conflicting ones.
let private addOptions: Parts =
    Gen.frequency
        [
            6, Gen.constant []
            6, Gen.oneof [ kw "NX"; kw "XX"; kw "GT"; kw "LT"; kw "CH" ]
            2,
            Gen.elements [ [ "XX"; "GT" ]; [ "XX"; "LT"; "CH" ]; [ "NX"; "CH" ]; [ "GT"; "CH" ] ]
            |> Gen.map (List.map lit)
            1, options 3 [ kw "NX"; kw "XX"; kw "GT"; kw "LT"; kw "CH"; kw "INCR" ]
        ]

/// ZADD ... INCR: a single pair, sometimes with NX/XX/GT/LT.
let private incrAdd: Parts =
    cat
        [
            key
            Gen.frequency [ 3, Gen.constant []; 2, Gen.oneof [ kw "NX"; kw "XX"; kw "GT"; kw "LT" ] ]
            kw "INCR"
            score
            memberName
        ]

/// Ranks: small ones of both signs, extremes and junk.
let private rank: Parts =
    one (
        Gen.frequency
            [
                10, Gen.choose (-6, 6) |> Gen.map (string >> lit)
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

/// One end of a score range.
let private scoreBound: Parts =
    one (
        Gen.frequency
            [
                8,
                gen {
                    let! n = Gen.choose (-3, 5)
                    let! open' = Gen.elements [ ""; ""; "(" ]
                    return lit (open' + string n)
                }
                3,
                litOf
                    [
                        "-inf"
                        "+inf"
                        "inf"
                        "(-inf"
                        "(+inf"
                        "(1.5"
                        "1.5"
                        "(0"
                        "-0"
                        "(-0"
                        "0.1"
                        "(0.1"
                    ]
                1,
                litOf
                    [
                        "abc"
                        "nan"
                        "(nan"
                        ""
                        "("
                        " 1"
                        "1 "
                        "((1"
                        "[1"
                        "0x1p1"
                        "1e400"
                        "-1e400"
                        "1\0002"
                    ]
            ]
    )

/// One end of a lex range.
let private lexBound: Parts =
    Gen.frequency
        [
            8,
            gen {
                let! b = Gen.elements [ "["; "(" ]
                let! m = memberName

                return
                    [
                        Lit(
                            Array.append
                                (latin1 b)
                                (match m with
                                 | [ Lit x ] -> x
                                 | _ -> [||])
                        )
                    ]
            }
            3, one (litOf [ "-"; "+" ])
            1, one (litOf [ "a"; ""; "+a"; "-a"; "++"; "--"; "+\000"; "]a" ])
        ]

/// LIMIT offset count: mostly small, sometimes negative or junk.
let private limit: Parts =
    let n =
        one (
            Gen.frequency
                [
                    8, Gen.choose (-1, 5) |> Gen.map (string >> lit)
                    1, litOf [ "abc"; "9223372036854775807"; "-9223372036854775808"; "" ]
                ]
        )

    Gen.frequency [ 10, cat [ kw "LIMIT"; n; n ]; 1, kw "LIMIT"; 1, cat [ kw "LIMIT"; n ] ]

/// Options in any order (shuffled), each present or not.
let private someOf (choices: (int * Parts) list) : Parts =
    gen {
        let! picked =
            choices
            |> List.map (fun (weight, p) -> Gen.frequency [ weight, Gen.map Some p; 10 - weight, Gen.constant None ])
            |> Gen.sequenceToList

        let! order = Gen.shuffle (List.choose id picked)
        return List.concat order
    }

/// ZRANGE's three forms, with mostly fitting options and sometimes conflicting ones.
let private zrangeArgs: Parts =
    Gen.frequency
        [
            4, cat [ key; rank; rank; someOf [ 4, kw "REV"; 5, kw "WITHSCORES"; 1, limit ] ]
            4,
            cat
                [
                    key
                    scoreBound
                    scoreBound
                    someOf [ 10, kw "BYSCORE"; 4, kw "REV"; 5, kw "WITHSCORES"; 4, limit; 1, kw "BYLEX" ]
                ]
            1, cat [ key; rank; rank; options 2 [ kw "FOO"; kw "REV"; kw "BYSCORE"; kw "BYLEX" ] ]
        ]

/// ZRANGE's lex form (compared as LexRange).
let private zrangeLexArgs: Parts =
    cat
        [
            key
            lexBound
            lexBound
            someOf [ 10, kw "BYLEX"; 4, kw "REV"; 4, limit; 1, kw "WITHSCORES" ]
        ]

/// Lex bounds for writes, which must store the same on both servers: read from the end that does not
/// depend on how Redis searches a skiplist whose members have mixed scores ("-" forwards, "+" when
/// reversed), the far end anything.
let private writableLex (reverse: bool) : Parts =
    gen {
        let! far = lexBound
        return (if reverse then lit "+" else lit "-") :: far
    }

/// ZRANGESTORE's forms (WITHSCORES is a syntax error there).
let private zrangestoreArgs: Parts =
    Gen.frequency
        [
            3, cat [ key; key; rank; rank; someOf [ 4, kw "REV"; 1, limit ] ]
            3,
            cat
                [
                    key
                    key
                    scoreBound
                    scoreBound
                    someOf [ 10, kw "BYSCORE"; 4, kw "REV"; 4, limit ]
                ]
            1, cat [ key; key; writableLex false; kw "BYLEX"; optional limit ]
            1,
            cat
                [
                    key
                    key
                    writableLex true
                    someOf [ 10, kw "BYLEX"; 10, kw "REV"; 4, limit ]
                ]
            1, cat [ key; key; rank; rank; kw "WITHSCORES" ]
        ]

/// numkeys and that many keys: mostly right, sometimes off or junk.
let private numKeys (lo, hi) : Gen<int * Arg list> =
    gen {
        let! n = Gen.choose (lo, hi)
        let! ks = keys (n, n)

        let! shown =
            Gen.frequency
                [
                    12, Gen.constant (string n)
                    1, Gen.elements [ string (n + 1); string (n - 1); "0"; "-1"; "abc"; "9223372036854775807" ]
                ]

        return n, lit shown :: ks
    }

let private weight: Parts =
    one (
        Gen.frequency
            [
                8, litOf [ "1"; "2"; "-1"; "0"; "0.5"; "3" ]
                1, litOf [ "inf"; "-inf"; "abc"; "nan"; ""; "1e308" ]
            ]
    )

/// ZUNION/ZINTER (and stores): keys, then WEIGHTS / AGGREGATE / WITHSCORES in any order.
let private algebraArgs (storing: bool) (diff: bool) : Parts =
    gen {
        let! n, ks = numKeys (1, 3)

        let weights =
            gen {
                let! count = Gen.frequency [ 8, Gen.constant n; 1, Gen.elements [ n - 1; n + 1 ] ]
                let! ws = Gen.listOfLength (max 0 count) weight
                return lit "WEIGHTS" :: List.concat ws
            }

        let aggregate =
            cat
                [
                    kw "AGGREGATE"
                    Gen.frequency [ 8, Gen.oneof [ kw "SUM"; kw "MIN"; kw "MAX" ]; 1, one (litOf [ "AVG"; "" ]) ]
                ]

        let! opts =
            if diff then
                someOf [ (if storing then 1 else 5), kw "WITHSCORES"; 1, weights ]
            else
                someOf [ 4, weights; 4, aggregate; (if storing then 1 else 5), kw "WITHSCORES" ]

        return ks @ opts
    }

/// ZMPOP/BZMPOP: numkeys keys MIN|MAX [COUNT n].
let private mpopArgs: Parts =
    gen {
        let! _, ks = numKeys (1, 3)

        let! where =
            Gen.frequency [ 5, kw "MIN"; 5, kw "MAX"; 1, one (litOf [ "LEFT"; "" ]) ]

        let! count =
            Gen.frequency
                [
                    3, Gen.constant []
                    4, cat [ kw "COUNT"; one (Gen.choose (1, 5) |> Gen.map (string >> lit)) ]
                    1, cat [ kw "COUNT"; one (litOf [ "0"; "-1"; "abc"; "9223372036854775807" ]) ]
                    1, one (litOf [ "COUNT"; "FOO" ])
                    1, cat [ kw "COUNT"; one (litOf [ "1" ]); kw "COUNT"; one (litOf [ "2" ]) ]
                ]

        return ks @ where @ count
    }

let private popCount: Parts =
    one (
        Gen.frequency
            [
                8, Gen.choose (0, 5) |> Gen.map (string >> lit)
                1, litOf [ "-1"; "abc"; "9223372036854775807"; "" ]
            ]
    )

/// A blocking command's timeout: a short wait (both servers time out after 10ms when nothing is
/// there; the multi-client cases are BlockingScenarioTests), sometimes a bad value.
let private timeout: Parts =
    one (
        Gen.frequency
            [
                6, Gen.constant (lit "0.01")
                1, litOf [ "abc"; "-1"; "-0.5"; "nan"; ""; " 1"; "1e-4" ]
            ]
    )

/// ZRANDMEMBER key [count [WITHSCORES]]: random, compared against the set (RandomScored).
let private zrandmember: Gen<Draft> =
    gen {
        let! k = key

        let! count =
            Gen.frequency
                [
                    2, Gen.constant None
                    8, Gen.choose (-6, 6) |> Gen.map (string >> Some)
                    2, Gen.constant (Some "200")
                ]

        let! withScores = Gen.elements [ false; true ]

        match count with
        | None ->
            return
                {
                    Parts = lit "ZRANDMEMBER" :: k
                    Cmp = RandomScored
                }
        | Some c ->
            let parts =
                lit "ZRANDMEMBER" :: k
                @ [ lit c ]
                @ (if withScores then [ lit "WITHSCORES" ] else [])

            return { Parts = parts; Cmp = RandomScored }
    }

/// The sorted set commands, weighted so that sorted sets exist and grow.
let commands: Gen<Draft> =
    Gen.frequency
        [
            12, cmd "ZADD" [ key; addOptions; pairs (1, 4) ]
            4, cmd "ZADD" [ key; sameScorePairs ]
            2, cmd "ZADD" [ key; pairs (8, 12) ]
            3, cmd "ZADD" [ incrAdd ]
            1, cmd "ZADD" [ key; bigPairs ]
            1, cmd "ZADD" [ key; one (litOf [ "0"; "1" ]); one (litOf [ veryLongValue ]) ]
            1, cmd "ZADD" [ key; addOptions; one (litOf [ "1"; "a" ]) ]
            4, cmd "ZINCRBY" [ key; score; memberName ]
            1, cmd "ZINCRBY" [ key; one (litOf [ "NX"; "INCR"; "CH" ]); memberName ]
            4, cmd "ZREM" [ key; members (1, 3) ]
            2, cmd "ZCARD" [ key ]
            3, cmd "ZSCORE" [ key; memberName ]
            2, cmd "ZMSCORE" [ key; members (1, 3) ]
            3, cmd "ZRANK" [ key; memberName ]
            2, cmd "ZREVRANK" [ key; memberName ]
            3, cmd "ZCOUNT" [ key; scoreBound; scoreBound ]
            3, cmdWith LexRange "ZLEXCOUNT" [ key; lexBound; lexBound ]
            7, cmd "ZRANGE" [ zrangeArgs ]
            3, cmdWith LexRange "ZRANGE" [ zrangeLexArgs ]
            3, cmd "ZRANGESTORE" [ zrangestoreArgs ]
            3, cmd "ZREVRANGE" [ key; rank; rank; optional (kw "WITHSCORES") ]
            4, cmd "ZRANGEBYSCORE" [ key; scoreBound; scoreBound; someOf [ 5, kw "WITHSCORES"; 4, limit ] ]
            3, cmd "ZREVRANGEBYSCORE" [ key; scoreBound; scoreBound; someOf [ 5, kw "WITHSCORES"; 4, limit ] ]
            3, cmdWith LexRange "ZRANGEBYLEX" [ key; lexBound; lexBound; someOf [ 4, limit; 1, kw "WITHSCORES" ] ]
            2, cmdWith LexRange "ZREVRANGEBYLEX" [ key; lexBound; lexBound; someOf [ 4, limit ] ]
            2, cmd "ZREMRANGEBYRANK" [ key; rank; rank ]
            2, cmd "ZREMRANGEBYSCORE" [ key; scoreBound; scoreBound ]
            2, cmd "ZREMRANGEBYLEX" [ key; writableLex false ]
            3, cmd "ZPOPMIN" [ key; optional popCount ]
            3, cmd "ZPOPMAX" [ key; optional popCount ]
            1, cmd "ZPOPMIN" [ key; popCount; popCount ]
            3, cmd "ZMPOP" [ mpopArgs ]
            1, cmd "BZPOPMIN" [ keys (1, 3); timeout ]
            1, cmd "BZPOPMAX" [ keys (1, 3); timeout ]
            1, cmd "BZMPOP" [ timeout; mpopArgs ]
            3, zrandmember
            3, cmd "ZUNION" [ algebraArgs false false ]
            3, cmd "ZINTER" [ algebraArgs false false ]
            2, cmd "ZDIFF" [ algebraArgs false true ]
            2, cmd "ZUNIONSTORE" [ key; algebraArgs true false ]
            2, cmd "ZINTERSTORE" [ key; algebraArgs true false ]
            2, cmd "ZDIFFSTORE" [ key; algebraArgs true true ]
            2,
            cmd
                "ZINTERCARD"
                [
                    keys (1, 3) |> Gen.map (fun ks -> lit (string ks.Length) :: ks)
                    optional limit
                ]
            1, cmd "ZINTERCARD" [ one (litOf [ "0"; "abc"; "-1"; "5" ]); keys (1, 2) ]
            3,
            cmdWith
                HashScanAll
                "ZSCAN"
                [
                    key
                    options
                        2
                        [
                            cat [ kw "MATCH"; pattern ]
                            cat [ kw "MATCH"; one (litOf [ "a*"; "?"; "[ab]"; "*0*"; "m1*" ]) ]
                            cat [ kw "COUNT"; one (litOf [ "1"; "2"; "10"; "1000" ]) ]
                        ]
                ]
            1, cmd "ZSCAN" [ key; one (litOf [ "abc"; "-"; "1.5"; "0x1" ]) ]
            1,
            cmd
                "ZSCAN"
                [
                    key
                    one (litOf [ "0" ])
                    Gen.elements [ [ "COUNT" ]; [ "MATCH" ]; [ "TYPE"; "zset" ]; [ "COUNT"; "0" ] ]
                    |> Gen.map (List.map lit)
                ]
        ]

/// Wrong argument counts (name, number of arguments after it).
let wrongArity: (string * int) list =
    [
        "ZADD", 0
        "ZADD", 2
        "ZINCRBY", 2
        "ZINCRBY", 4
        "ZREM", 1
        "ZCARD", 0
        "ZCARD", 2
        "ZSCORE", 1
        "ZSCORE", 3
        "ZMSCORE", 1
        "ZRANK", 1
        "ZRANK", 3
        "ZREVRANK", 3
        "ZCOUNT", 2
        "ZLEXCOUNT", 4
        "ZRANGE", 2
        "ZRANGESTORE", 3
        "ZREVRANGE", 2
        "ZRANGEBYSCORE", 2
        "ZREVRANGEBYSCORE", 1
        "ZRANGEBYLEX", 2
        "ZREVRANGEBYLEX", 2
        "ZREMRANGEBYRANK", 2
        "ZREMRANGEBYSCORE", 4
        "ZREMRANGEBYLEX", 1
        "ZPOPMIN", 0
        "ZPOPMAX", 0
        "ZMPOP", 2
        "BZPOPMIN", 1
        "BZPOPMAX", 0
        "BZMPOP", 3
        "ZRANDMEMBER", 0
        "ZUNION", 1
        "ZINTER", 0
        "ZDIFF", 1
        "ZUNIONSTORE", 2
        "ZINTERSTORE", 1
        "ZDIFFSTORE", 2
        "ZINTERCARD", 1
        "ZSCAN", 1
    ]

/// The few other commands a sorted-set-heavy sequence mixes in: types meet (WRONGTYPE, sets as inputs),
/// values move and are copied, and encodings are looked at.
let private neighbours: Gen<Draft> =
    Gen.frequency
        [
            3, cmd "OBJECT" [ kw "ENCODING"; key ]
            2, cmd "TYPE" [ key ]
            2, cmd "DEL" [ key ]
            2, cmd "COPY" [ key; key; optional (kw "REPLACE") ]
            1, cmd "RENAME" [ key; key ]
            2, cmd "SADD" [ key; members (1, 4) ]
            1, cmd "SET" [ key; value ]
            1, cmd "RPUSH" [ key; members (1, 2) ]
        ]

/// A sequence of 1..40 commands that are mostly sorted set commands (a quarter in RESP3), so that sets
/// live long enough to grow, convert and be ranged over.
let sequence: Gen<Step list> =
    gen {
        let! len = Gen.choose (1, 40)
        let! drafts = Gen.listOfLength len (Gen.frequency [ 17, commands; 3, neighbours ])
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
