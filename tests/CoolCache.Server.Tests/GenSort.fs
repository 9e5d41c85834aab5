/// SORT and SORT_RO generators for the differential tests (sort.c). Sources are the shared pool keys
/// (any type: WRONGTYPE, lists and sets from the other families), plus "sl", which only ever holds a
/// list, and "ss", which only ever holds a set (so that exact order can be checked where Redis's own
/// order depends on its hash table). Weights and GET values live in w_<element> strings and
/// h_<element> hashes written here; the BY/GET patterns also reach the pool keys ("k*", "*").
///
/// What Redis leaves to its hash table is never compared exactly: BY nosort on a set (without STORE)
/// and ALPHA ties (equal or missing ALPHA BY weights, strings equal up to a NUL) in a set come in its
/// dict order, so those forms run on "sl" only, or without LIMIT and compared as sorted arrays.
/// Numeric sorts run after an errno reset of the oracle (Compare.FreshErrno): Redis 7.0's SORT reads
/// a stale ERANGE left by an earlier command.
module CoolCache.Server.Tests.GenSort

open System
open FsCheck
open FsCheck.FSharp
open CoolCache.Server.Tests.GenParts

/// Elements of "sl": numbers in several spellings, words, strings equal up to a NUL (list ties keep
/// list order, so they are deterministic there), and names that make "*" reach pool keys.
let private listElements =
    [
        "1"
        "2"
        "3"
        "10"
        "-1"
        "1.5"
        "007"
        "-0"
        " 4"
        "1e1"
        "a"
        "b"
        "B"
        "c"
        ""
        "x\000y"
        "x\000z"
        "k1"
        "num"
    ]

/// Elements of "ss": no two equal as C strings (a set's ties would come in hash order).
let private setElements =
    [ "1"; "2"; "3"; "10"; "-1"; "1.5"; "007"; "-0"; "a"; "b"; "B"; "c"; ""; "k1" ]

/// Weight keys are named after elements of every source (theirs and the other families').
let private weightNames =
    listElements
    @ [ "42"; "0"; "hello"; "\000\xff\r\n"; "x y"; "*"; "+1"; "9223372036854775807" ]

/// Keys this generator writes besides the pool (RANDOMKEY may answer them).
let private ownKeys =
    [ "sl"; "ss" ] @ (weightNames |> List.collect (fun e -> [ "w_" + e; "h_" + e ]))

let private ownKeyBytes = ownKeys |> List.map latin1

/// Is this one of the keys the SORT generator writes?
let isSortKey (b: byte[]) =
    ownKeyBytes |> List.exists (fun k -> k.AsSpan().SequenceEqual(ReadOnlySpan b))

/// Weight values: numbers (ties included), words for ALPHA, NUL bytes, strtod's corner cases.
let private weightValue: Parts =
    one (
        Gen.frequency
            [
                8, litOf [ "1"; "2"; "3"; "-3"; "2.5"; "0"; "10"; "1e3"; "-inf"; "0x10"; " 7"; "" ]
                4, litOf [ "a"; "b"; "B"; "ab"; "a\000q"; "a\000b" ]
                1, litOf [ "1e400"; "1e-310"; "nan"; "5 "; "abc"; "0x1p-1074" ]
            ]
    )

let private weightName: Gen<string> = Gen.elements weightNames

/// MSET / HSET of weight keys, and now and then a wrong type there (its weight reads as missing).
let private writeWeight: Gen<Draft> =
    let named (prefix: string) : Parts =
        weightName |> Gen.map (fun e -> [ lit (prefix + e) ])

    Gen.frequency
        [
            6,
            gen {
                let! n = Gen.choose (1, 6)
                let! pairs = Gen.listOfLength n (cat [ named "w_"; weightValue ])
                return! cmd "MSET" [ Gen.constant (List.concat pairs) ]
            }
            4,
            cmd
                "HSET"
                [
                    named "h_"
                    one (litOf [ "f" ])
                    weightValue
                    optional (cat [ one (litOf [ "g" ]); weightValue ])
                ]
            1, cmd "DEL" [ named "w_"; optional (named "h_") ]
            1, cmd "RPUSH" [ named "w_"; one (litOf [ "x" ]) ]
            1, cmd "SET" [ named "h_"; weightValue ]
        ]

let private sl: Parts = one (Gen.constant (lit "sl"))
let private ss: Parts = one (Gen.constant (lit "ss"))

/// Filling the sources: "sl" and "ss" here, pool keys with numbers (others add words and sets).
let private writeSource: Gen<Draft> =
    let elems (pool: string list) (lo, hi) : Parts =
        gen {
            let! n = Gen.choose (lo, hi)
            return! Gen.listOfLength n (litOf pool)
        }

    Gen.frequency
        [
            5, cmd "RPUSH" [ sl; elems listElements (1, 8) ]
            2, cmd "LPUSH" [ sl; elems listElements (1, 4) ]
            1, cmd "LPOP" [ sl; one (litOf [ "1"; "3" ]) ]
            4, cmd "SADD" [ ss; elems setElements (1, 8) ]
            1, cmd "SREM" [ ss; elems setElements (1, 3) ]
            2, cmd "RPUSH" [ key; elems listElements (1, 5) ]
            2, cmd "SADD" [ key; elems setElements (1, 5) ]
        ]

/// Patterns: with '*' (weights, hash fields, pool keys, "->" at the end, a NUL before the '*').
let private starPattern: Gen<string> =
    Gen.frequency
        [
            6, Gen.elements [ "w_*"; "h_*->f" ]
            3, Gen.elements [ "h_*->g"; "k*"; "*"; "w_*->"; "h_*"; "w_*->f"; "w_*\000x" ]
        ]

let private getPattern: Gen<string> =
    Gen.frequency
        [
            3, Gen.constant "#"
            5, starPattern
            1, Gen.elements [ "nokey"; "w_1"; "#\000x" ]
        ]

let private limitValue: Gen<string> =
    Gen.frequency
        [
            10, Gen.choose (-2, 8) |> Gen.map string
            1, Gen.elements [ "100"; "-100"; "9223372036854775807"; "-9223372036854775808" ]
        ]

let private limit: Parts =
    gen {
        let! o = limitValue
        let! c = limitValue
        let! l = casing "LIMIT"
        return [ lit l; lit o; lit c ]
    }

/// Trailing junk: always a syntax error (an option missing its arguments, or unknown), or a LIMIT
/// that is not an integer.
let private junk: Parts =
    Gen.oneof
        [
            kw "FOO"
            cat [ kw "LIMIT"; one (litOf [ "1" ]) ]
            kw "BY"
            kw "GET"
            kw "STORE"
            cat
                [
                    kw "LIMIT"
                    one (litOf [ "abc"; ""; "1.5"; " 1"; "99999999999999999999" ])
                    one (litOf [ "1" ])
                ]
        ]

/// What a generated SORT does, which decides where it may run and how it is compared.
type private Kind =
    /// by value (BY '*' patterns or none): a total order, exact anywhere
    | Numeric
    /// ALPHA, no BY
    | Alpha
    /// ALPHA BY a '*' pattern: ties in set order
    | AlphaBy
    /// a BY without '*': no sort
    | NoSort

type private Source =
    | Pool
    | List
    | Set

/// One SORT/SORT_RO: options in any order, then maybe junk; the compare mode follows from what
/// Redis leaves to its hash table.
let private sortCommand: Gen<Draft> =
    gen {
        let! kind =
            Gen.frequency
                [
                    5, Gen.constant Numeric
                    3, Gen.constant Alpha
                    2, Gen.constant AlphaBy
                    2, Gen.constant NoSort
                ]

        let! source =
            Gen.frequency [ 4, Gen.constant Pool; 3, Gen.constant List; 2, Gen.constant Set ]

        let! readOnly = Gen.frequency [ 3, Gen.constant false; 1, Gen.constant true ]

        let! store =
            if readOnly then
                Gen.constant false
            else
                Gen.frequency [ 2, Gen.constant false; 1, Gen.constant true ]

        // Ordered output that depends on hash order is compared as a sorted array, without LIMIT.
        let tieOrder =
            match kind, source, store with
            | Alpha, Pool, false -> true
            | AlphaBy, (Pool | Set), _ -> true
            | NoSort, (Pool | Set), false -> true
            | _ -> false

        // ALPHA BY ties stored from a set would make the servers' contents differ.
        let store = store && not (kind = AlphaBy && source <> List)

        let! src =
            match source with
            | Pool -> litOf keyPool
            | List -> Gen.constant (lit "sl")
            | Set -> Gen.constant (lit "ss")

        let! by =
            match kind with
            | Numeric -> Gen.frequency [ 1, Gen.constant []; 2, Gen.map (fun p -> [ p ]) starPattern ]
            | Alpha -> Gen.constant []
            | AlphaBy -> Gen.map (fun p -> [ p ]) starPattern
            | NoSort ->
                Gen.oneof
                    [
                        // no '*' before a NUL is no '*' at all
                        Gen.elements [ [ "nosort" ]; [ "w_1" ]; [ "#" ]; [ "w\000_*" ] ]
                        Gen.map (fun p -> [ "nosort"; p ]) starPattern
                        Gen.map (fun p -> [ p; "nosort" ]) starPattern
                    ]

        let byParts = by |> List.map (fun p -> cat [ kw "BY"; one (Gen.constant (lit p)) ])

        let! gets =
            Gen.frequency
                [
                    3, Gen.constant []
                    2, Gen.listOfLength 1 getPattern
                    1, Gen.listOfLength 2 getPattern
                ]

        let getParts =
            gets |> List.map (fun p -> cat [ kw "GET"; one (Gen.constant (lit p)) ])

        let! withLimit =
            if tieOrder then
                Gen.constant false
            else
                Gen.elements [ false; true ]

        let! order =
            Gen.frequency
                [
                    2, Gen.constant []
                    1, kw "ASC"
                    2, kw "DESC"
                    1, cat [ kw "DESC"; kw "ASC" ]
                ]

        let alpha =
            match kind with
            | Alpha
            | AlphaBy -> kw "ALPHA"
            | Numeric -> Gen.constant []
            | NoSort -> Gen.oneof [ Gen.constant []; kw "ALPHA" ]

        let! destination = Gen.frequency [ 3, Gen.constant (lit "sl"); 4, litOf keyPool ]

        let storeParts =
            if store then
                [ cat [ kw "STORE"; one (Gen.constant destination) ] ]
            else
                []

        let optionParts =
            [
                yield! byParts
                yield! getParts
                if withLimit then
                    yield limit
                yield Gen.constant order
                yield alpha
                yield! storeParts
            ]

        let! options = optionParts |> Gen.shuffle |> Gen.map List.ofArray |> Gen.bind cat
        // SORT_RO has no STORE option: a syntax error there.
        let storeJunk =
            if readOnly then
                cat [ kw "STORE"; one (litOf [ "d" ]) ]
            else
                junk

        let! tail = Gen.frequency [ 12, Gen.constant []; 1, junk; 1, storeJunk ]
        let! name = casing (if readOnly then "SORT_RO" else "SORT")

        let compare =
            if tieOrder then SortedArray
            elif kind = Numeric then FreshErrno
            else Exact

        return
            {
                Parts = lit name :: src :: options @ tail
                Cmp = compare
            }
    }

/// SORT commands and the writes that give them something to sort.
let commands: Gen<Draft> =
    Gen.frequency
        [
            5, sortCommand
            5, writeWeight
            8, writeSource
            1, cmd "OBJECT" [ kw "ENCODING"; sl ]
        ]

/// Wrong numbers of arguments (name, argument count).
let wrongArity: (string * int) list = [ "SORT", 0; "SORT_RO", 0 ]
