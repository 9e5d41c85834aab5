module CoolCache.Core.Tests.Commands.SortCommandsTests

open System
open System.Globalization
open Expecto
open FsCheck
open FsCheck.FSharp
open CoolCache.Core
open CoolCache.Core.Protocol
open CoolCache.Core.Values
open CoolCache.Core.Commands
open CoolCache.Core.State

let private b (s: string) = Bytes.ofLatin1 s
let private str (m: Bytes) = Bytes.toLatin1 m

let private config =
    { FsCheckConfig.defaultConfig with
        maxTest = 300
        endSize = 60
    }

// ---- Commands through the core, as the host runs them ----

let private host = CoolCache.Core.Tests.TestHost.none

let private now = 1_000_000L

let private ctx =
    {
        NowMs = now
        NowUs = now * 1000L
        Seed = 7UL
        Host = host
        IsLocal = true
        Events = false
    }

let private session = Api.NewSession 1L

let private run (w: World) (argv: string list) =
    let r = Api.Execute(ctx, session, argv |> List.map b |> Array.ofList, w)
    r.Reply, r.World

/// Runs the commands in order and returns the World.
let private setup (cmds: string list list) =
    cmds |> List.fold (fun w c -> snd (run w c)) (World.create Config.defaults)

let private reply (w: World) (argv: string list) = fst (run w argv)

let private bulks (xs: string list) =
    RespValue.Array(xs |> List.map (b >> RespValue.Bulk) |> Array.ofList)

let private err (text: string) = RespValue.Error text

let private notDouble = err "ERR One or more scores can't be converted into double"

let private syntax = err "ERR syntax error"

let private notInteger = err "ERR value is not an integer or out of range"

let private wrongType =
    err "WRONGTYPE Operation against a key holding the wrong kind of value"

/// The list at key, or None.
let private listAt (w: World) (key: string) =
    match Keyspace.Db.tryGet now (b key) (World.db 0 w) with
    | ValueSome(Value.List l) -> Some(RedisList.toArray l |> Array.map str |> List.ofArray)
    | _ -> None

let private examples =
    testList
        "examples"
        [
            testCase "numeric SORT orders by value and breaks ties by the elements as binary strings"
            <| fun () ->
                let w = setup [ [ "RPUSH"; "l"; "10"; "2"; "1.5"; "01"; "1"; "-0"; "0" ] ]
                Expect.equal (reply w [ "SORT"; "l" ]) (bulks [ "-0"; "0"; "01"; "1"; "1.5"; "2"; "10" ]) "asc"

                Expect.equal
                    (reply w [ "SORT"; "l"; "DESC" ])
                    (bulks [ "10"; "2"; "1.5"; "1"; "01"; "0"; "-0" ])
                    "desc reverses the ties too"

            testCase "scores are read as strtod reads a C string"
            <| fun () ->
                // leading spaces, hex, inf, the empty string (0) and anything after a NUL byte
                let w =
                    setup [ [ "RPUSH"; "l"; " 5"; "0x10"; "-inf"; ""; "3\000junk"; "1e1"; "+.5" ] ]

                Expect.equal
                    (reply w [ "SORT"; "l" ])
                    (bulks [ "-inf"; ""; "+.5"; "3\000junk"; " 5"; "1e1"; "0x10" ])
                    "order"

            testCase "overflow, inexact subnormals, NaN, spaces only and trailing bytes are not scores"
            <| fun () ->
                for bad in
                    [
                        "1e400"
                        "1e-310"
                        "2.2250738585072011e-308"
                        "1e-400"
                        "nan"
                        "   "
                        "5 "
                        "1e"
                        "0x"
                    ] do
                    let w = setup [ [ "RPUSH"; "l"; "1"; bad ] ]
                    Expect.equal (reply w [ "SORT"; "l" ]) notDouble bad

                for good in [ "0x1p-1074"; "2.2250738585072014e-308"; "1e308"; "infinity"; "\t7" ] do
                    let w = setup [ [ "RPUSH"; "l"; good ] ]
                    Expect.equal (reply w [ "SORT"; "l" ]) (bulks [ good ]) good

            testCase "a conversion error replies before STORE writes anything"
            <| fun () ->
                let w = setup [ [ "RPUSH"; "l"; "1"; "x" ]; [ "SET"; "d"; "keep" ] ]
                let r, w = run w [ "SORT"; "l"; "STORE"; "d" ]
                Expect.equal r notDouble "error"
                Expect.equal (reply w [ "GET"; "d" ]) (RespValue.Bulk(b "keep")) "destination untouched"

            testCase "ALPHA compares C strings in byte order and keeps ties in list order both ways"
            <| fun () ->
                let w = setup [ [ "RPUSH"; "l"; "b\000c"; "b\000a"; "b"; "B"; "\xff"; "a" ] ]

                Expect.equal
                    (reply w [ "SORT"; "l"; "ALPHA" ])
                    (bulks [ "B"; "a"; "b\000c"; "b\000a"; "b"; "\xff" ])
                    "asc"

                Expect.equal
                    (reply w [ "SORT"; "l"; "ALPHA"; "DESC" ])
                    (bulks [ "\xff"; "b\000c"; "b\000a"; "b"; "a"; "B" ])
                    "desc"

            testCase "ALPHA with STORE compares whole binary strings"
            <| fun () ->
                let w = setup [ [ "RPUSH"; "l"; "b\000c"; "b\000a"; "b" ] ]
                let r, w = run w [ "SORT"; "l"; "ALPHA"; "STORE"; "d" ]
                Expect.equal r (RespValue.Integer 3L) "count"
                Expect.equal (listAt w "d") (Some [ "b"; "b\000a"; "b\000c" ]) "stored"

            testCase "BY replaces the first '*' with the element; a missing weight scores 0"
            <| fun () ->
                let w =
                    setup
                        [
                            [ "RPUSH"; "l"; "a"; "b"; "c"; "d" ]
                            [ "MSET"; "w_a"; "3"; "w_b"; "-1"; "w_c"; "2.5" ]
                        ]

                Expect.equal (reply w [ "SORT"; "l"; "BY"; "w_*" ]) (bulks [ "b"; "d"; "c"; "a" ]) "d weighs 0"

            testCase "ALPHA BY puts missing weights first, and last with DESC; equal weights keep list order"
            <| fun () ->
                let w =
                    setup
                        [
                            [ "RPUSH"; "l"; "a"; "b"; "c"; "d" ]
                            [ "MSET"; "w_a"; "y"; "w_c"; "x"; "w_d"; "y" ]
                        ]

                Expect.equal (reply w [ "SORT"; "l"; "BY"; "w_*"; "ALPHA" ]) (bulks [ "b"; "c"; "a"; "d" ]) "asc"

                Expect.equal
                    (reply w [ "SORT"; "l"; "BY"; "w_*"; "ALPHA"; "DESC" ])
                    (bulks [ "a"; "d"; "c"; "b" ])
                    "desc"

            testCase "ALPHA BY with LIMIT leaves ties where Redis 7.0's partial quicksort leaves them"
            <| fun () ->
                // Seen on redis-server 7.0.15: the three "a" weights come out as x\0y1, 0, 101.
                let w =
                    setup
                        [
                            [ "RPUSH"; "l"; "101"; "c"; "0"; "3"; "-0"; "-0"; "x\000y1" ]
                            [ "MSET"; "w_101"; "a"; "w_c"; ""; "w_0"; "a"; "w_-0"; "2"; "w_x\000y1"; "a" ]
                        ]

                Expect.equal
                    (reply w [ "SORT"; "l"; "BY"; "w_*"; "LIMIT"; "0"; "3"; "DESC"; "ALPHA" ])
                    (bulks [ "x\000y1"; "0"; "101" ])
                    "pqsort order"

            testCase "BY ...->field reads a hash field; no hash, no field, or '->' ending the pattern read none"
            <| fun () ->
                let w =
                    setup
                        [
                            [ "RPUSH"; "l"; "1"; "2"; "3" ]
                            [ "HSET"; "h_1"; "f"; "30"; "f\000g"; "nul" ]
                            [ "HSET"; "h_2"; "f"; "10" ]
                            [ "SET"; "h_3"; "20" ]
                            [ "SET"; "h_1->"; "plain" ]
                        ]

                Expect.equal (reply w [ "SORT"; "l"; "BY"; "h_*->f" ]) (bulks [ "3"; "2"; "1" ]) "by field"

                Expect.equal
                    (reply w [ "SORT"; "l"; "GET"; "h_*->f"; "GET"; "h_*->"; "GET"; "h_*->f\000g" ])
                    (RespValue.Array
                        [|
                            RespValue.Bulk(b "30")
                            RespValue.Bulk(b "plain")
                            RespValue.Bulk(b "nul")
                            RespValue.Bulk(b "10")
                            RespValue.Null
                            RespValue.Null
                            RespValue.Null
                            RespValue.Null
                            RespValue.Null
                        |])
                    "fields"

            testCase "GET # is the element; a missing key, another type or a pattern without '*' give nil"
            <| fun () ->
                let w =
                    setup [ [ "RPUSH"; "l"; "1"; "2" ]; [ "SET"; "k_1"; "one" ]; [ "RPUSH"; "k_2"; "x" ] ]

                Expect.equal
                    (reply w [ "SORT"; "l"; "GET"; "#"; "GET"; "k_*"; "GET"; "k_1" ])
                    (RespValue.Array
                        [|
                            RespValue.Bulk(b "1")
                            RespValue.Bulk(b "one")
                            RespValue.Null
                            RespValue.Bulk(b "2")
                            RespValue.Null
                            RespValue.Null
                        |])
                    "gets"

            testCase "patterns are C strings: '#' then a NUL is '#', and a '*' after a NUL does not count"
            <| fun () ->
                let w = setup [ [ "RPUSH"; "l"; "2"; "1" ]; [ "SET"; "k_1"; "one" ] ]
                Expect.equal (reply w [ "SORT"; "l"; "GET"; "#\000x" ]) (bulks [ "1"; "2" ]) "#"

                Expect.equal
                    (reply w [ "SORT"; "l"; "GET"; "k_\000*" ])
                    (RespValue.Array [| RespValue.Null; RespValue.Null |])
                    "no '*'"

                Expect.equal (reply w [ "SORT"; "l"; "BY"; "w\000*" ]) (bulks [ "2"; "1" ]) "BY without '*': no sort"

            testCase "a weight key that has expired reads as missing"
            <| fun () ->
                let w =
                    setup
                        [
                            [ "RPUSH"; "l"; "a"; "b" ]
                            [ "SET"; "w_a"; "5" ]
                            [ "PEXPIREAT"; "w_a"; "1" ]
                        ]

                Expect.equal
                    (reply w [ "SORT"; "l"; "BY"; "w_*"; "GET"; "w_*" ])
                    (RespValue.Array [| RespValue.Null; RespValue.Null |])
                    "nil"

            testCase "BY without '*' keeps list order; DESC reads it backwards and LIMIT takes a range of it"
            <| fun () ->
                let w = setup [ [ "RPUSH"; "l"; "3"; "1"; "2"; "10"; "x" ] ]
                Expect.equal (reply w [ "SORT"; "l"; "BY"; "nosort" ]) (bulks [ "3"; "1"; "2"; "10"; "x" ]) "as is"

                Expect.equal
                    (reply w [ "SORT"; "l"; "BY"; "nosort"; "DESC"; "LIMIT"; "1"; "2" ])
                    (bulks [ "10"; "2" ])
                    "desc range"

                Expect.equal (reply w [ "SORT"; "l"; "BY"; "nosort"; "LIMIT"; "1"; "2" ]) (bulks [ "1"; "2" ]) "range"

            testCase "a later BY with '*' does not undo an earlier BY without one"
            <| fun () ->
                let w = setup [ [ "RPUSH"; "l"; "3"; "1"; "2" ] ]
                Expect.equal (reply w [ "SORT"; "l"; "BY"; "nosort"; "BY"; "w_*" ]) (bulks [ "3"; "1"; "2" ]) "unsorted"

            testCase "BY nosort on a set returns its iteration order (an intset ascending) and ignores DESC"
            <| fun () ->
                let w = setup [ [ "SADD"; "s"; "3"; "1"; "2"; "10" ] ]

                Expect.equal
                    (reply w [ "SORT"; "s"; "BY"; "nosort"; "DESC" ])
                    (bulks [ "1"; "2"; "3"; "10" ])
                    "intset order"

                Expect.equal (reply w [ "SORT"; "s"; "BY"; "nosort"; "LIMIT"; "1"; "2" ]) (bulks [ "2"; "3" ]) "range"

            testCase "BY nosort on a set with STORE sorts ALPHA, honouring DESC"
            <| fun () ->
                let w = setup [ [ "SADD"; "s"; "b"; "a"; "c"; "10"; "9" ] ]
                let r, w = run w [ "SORT"; "s"; "BY"; "nosort"; "DESC"; "STORE"; "d" ]
                Expect.equal r (RespValue.Integer 5L) "count"
                Expect.equal (listAt w "d") (Some [ "c"; "b"; "a"; "9"; "10" ]) "stored"

            testCase "LIMIT clamps offsets and counts of any size"
            <| fun () ->
                let w = setup [ [ "RPUSH"; "l"; "3"; "1"; "2"; "10" ] ]

                let limit (o: string) (c: string) = reply w [ "SORT"; "l"; "LIMIT"; o; c ]

                Expect.equal (limit "-5" "2") (bulks [ "1"; "2" ]) "negative offset is 0"
                Expect.equal (limit "1" "-1") (bulks [ "2"; "3"; "10" ]) "negative count is all"
                Expect.equal (limit "2" "0") (bulks []) "count 0"
                Expect.equal (limit "4" "1") (bulks []) "offset at the end"
                Expect.equal (limit "3" "9223372036854775807") (bulks [ "10" ]) "huge count"
                Expect.equal (limit "9223372036854775807" "9223372036854775807") (bulks []) "huge offset"

                Expect.equal
                    (limit "-9223372036854775808" "9223372036854775807")
                    (bulks [ "1"; "2"; "3"; "10" ])
                    "extremes"

            testCase "options are read before the key: the first bad option wins over WRONGTYPE"
            <| fun () ->
                let w = setup [ [ "SET"; "s"; "x" ]; [ "RPUSH"; "l"; "1" ] ]
                Expect.equal (reply w [ "SORT"; "s"; "FOO" ]) syntax "unknown option"
                Expect.equal (reply w [ "SORT"; "s"; "LIMIT"; "x"; "1" ]) notInteger "LIMIT offset"
                Expect.equal (reply w [ "SORT"; "s"; "LIMIT"; "1"; "99999999999999999999" ]) notInteger "LIMIT count"
                Expect.equal (reply w [ "SORT"; "s"; "LIMIT"; "1" ]) syntax "LIMIT needs two"
                Expect.equal (reply w [ "SORT"; "s"; "BY" ]) syntax "BY needs one"
                Expect.equal (reply w [ "SORT"; "s"; "GET" ]) syntax "GET needs one"
                Expect.equal (reply w [ "SORT"; "s"; "STORE" ]) syntax "STORE needs one"
                Expect.equal (reply w [ "SORT"; "l"; "LIMIT"; "x"; "1"; "FOO" ]) notInteger "first error wins"
                Expect.equal (reply w [ "SORT"; "l"; "FOO"; "LIMIT"; "x"; "1" ]) syntax "first error wins (2)"
                Expect.equal (reply w [ "SORT"; "s" ]) wrongType "then the type"
                Expect.equal (reply w [ "SORT"; "s"; "by"; "nosort"; "alpha"; "Desc" ]) wrongType "any case"

            testCase "SORT_RO has no STORE option"
            <| fun () ->
                let w = setup [ [ "RPUSH"; "l"; "2"; "1" ] ]
                Expect.equal (reply w [ "SORT_RO"; "l"; "STORE"; "d" ]) syntax "syntax error"
                Expect.equal (reply w [ "SORT_RO"; "l"; "DESC" ]) (bulks [ "2"; "1" ]) "reads"

            testCase "a missing key sorts as an empty list"
            <| fun () ->
                let w = setup [ [ "SET"; "d"; "x" ] ]
                Expect.equal (reply w [ "SORT"; "nokey"; "BY"; "w_*"; "GET"; "#" ]) (bulks []) "empty"
                let r, w = run w [ "SORT"; "nokey"; "STORE"; "d" ]
                Expect.equal r (RespValue.Integer 0L) "0 stored"

                Expect.equal
                    (reply w [ "EXISTS"; "d" ])
                    (RespValue.Integer 0L)
                    "an empty result deletes the destination"

            testCase "STORE replaces any value with a list, clears its TTL, and stores nil GETs as empty strings"
            <| fun () ->
                let w = setup [ [ "RPUSH"; "l"; "2"; "1" ]; [ "SET"; "d"; "x"; "EX"; "100" ] ]
                let r, w = run w [ "SORT"; "l"; "GET"; "nokey"; "GET"; "#"; "STORE"; "d" ]
                Expect.equal r (RespValue.Integer 4L) "count includes the GETs"
                Expect.equal (listAt w "d") (Some [ ""; "1"; ""; "2" ]) "stored"
                Expect.equal (reply w [ "TTL"; "d" ]) (RespValue.Integer -1L) "no TTL"

            testCase "STORE may overwrite the key being sorted"
            <| fun () ->
                let w = setup [ [ "RPUSH"; "l"; "2"; "3"; "1" ] ]
                let _, w = run w [ "SORT"; "l"; "DESC"; "STORE"; "l" ]
                Expect.equal (listAt w "l") (Some [ "3"; "2"; "1" ]) "sorted in place"

            testCase "only lists, sets and sorted sets can be sorted"
            <| fun () ->
                let w = setup [ [ "SET"; "s"; "1" ]; [ "HSET"; "h"; "f"; "1" ] ]
                Expect.equal (reply w [ "SORT"; "s" ]) wrongType "string"
                Expect.equal (reply w [ "SORT_RO"; "h" ]) wrongType "hash"

            testCase "sets sort like lists"
            <| fun () ->
                let w =
                    setup [ [ "SADD"; "s"; "b"; "10"; "a"; "9" ]; [ "SADD"; "n"; "3"; "-1"; "2.5" ] ]

                Expect.equal (reply w [ "SORT"; "s"; "ALPHA" ]) (bulks [ "10"; "9"; "a"; "b" ]) "alpha"
                Expect.equal (reply w [ "SORT"; "n"; "DESC" ]) (bulks [ "3"; "2.5"; "-1" ]) "numeric"
        ]

// ---- Properties: SORT against a simple model ----

/// Elements: integers (with spellings that tie: "007", "-0", "+3"), words, bytes after a NUL.
let private elementGen =
    Gen.frequency
        [
            5, Gen.choose (-30, 30) |> Gen.map string
            2, Gen.elements [ "007"; "-0"; "+3"; "1.5"; "-2.25"; "1e1"; "" ]
            2, Gen.elements [ "a"; "b"; "B"; "ab"; "a\000x"; "a\000y"; "\xff"; "z z" ]
        ]

let private numericGen =
    Gen.frequency
        [
            5, Gen.choose (-30, 30) |> Gen.map string
            2, Gen.elements [ "007"; "-0"; "+3"; "1.5"; "-2.25"; "1e1"; "" ]
        ]

let private limitGen =
    Gen.frequency
        [
            2, Gen.constant None
            3, Gen.map2 (fun o c -> Some(o, c)) (Gen.choose (-3, 12)) (Gen.choose (-3, 12))
        ]

/// LIMIT as a slice of the fully sorted elements.
let private applyLimit (limit: (int * int) option) (sorted: string list) =
    match limit with
    | None -> sorted
    | Some(o, c) ->
        let rest = sorted |> List.skip (min (max o 0) sorted.Length)
        if c < 0 then rest else List.truncate c rest

let private limitArgs (limit: (int * int) option) =
    match limit with
    | None -> []
    | Some(o, c) -> [ "LIMIT"; string o; string c ]

let private ordinal (x: string) (y: string) = sign (Bytes.compare (b x) (b y))

/// A C string: up to the first NUL.
let private cString (x: string) =
    match x.IndexOf '\000' with
    | -1 -> x
    | i -> x.Substring(0, i)

let private score (x: string) =
    if x = "" then
        0.0
    else
        Double.Parse(x, NumberStyles.Float, CultureInfo.InvariantCulture)

let private properties =
    testList
        "properties"
        [
            testPropertyWithConfig config "numeric SORT of a list agrees with a model (any LIMIT, ASC or DESC)"
            <| Prop.forAll
                (Arb.fromGen (Gen.zip3 (Gen.listOf numericGen) limitGen (Gen.elements [ false; true ])))
                (fun (xs, limit, desc) ->
                    let w =
                        setup
                            [
                                if not xs.IsEmpty then
                                    "RPUSH" :: "l" :: xs
                            ]

                    let cmp x y =
                        let c = compare (score x) (score y)
                        let c = if c <> 0 then c else ordinal x y
                        if desc then -c else c

                    let expected = xs |> List.sortWith cmp |> applyLimit limit

                    let args = [ "SORT"; "l" ] @ limitArgs limit @ (if desc then [ "DESC" ] else [])

                    Expect.equal (reply w args) (bulks expected) "sorted")

            testPropertyWithConfig
                config
                "ALPHA SORT of a list agrees with a stable model (C strings; binary with STORE)"
            <| Prop.forAll
                (Arb.fromGen (
                    Gen.zip3
                        (Gen.listOf elementGen)
                        limitGen
                        (Gen.zip (Gen.elements [ false; true ]) (Gen.elements [ false; true ]))
                ))
                (fun (xs, limit, (desc, store)) ->
                    let w =
                        setup
                            [
                                if not xs.IsEmpty then
                                    "RPUSH" :: "l" :: xs
                            ]

                    let cmp x y =
                        let c =
                            if store then
                                ordinal x y
                            else
                                ordinal (cString x) (cString y)

                        if desc then -c else c

                    // List.sortWith is stable, as glibc's qsort is.
                    let expected = xs |> List.sortWith cmp |> applyLimit limit

                    let args =
                        [ "SORT"; "l"; "ALPHA" ]
                        @ limitArgs limit
                        @ (if desc then [ "DESC" ] else [])
                        @ (if store then [ "STORE"; "d" ] else [])

                    let r, w = run w args

                    if store then
                        Expect.equal r (RespValue.Integer(int64 expected.Length)) "count"
                        Expect.equal (listAt w "d") (if expected.IsEmpty then None else Some expected) "stored"
                    else
                        Expect.equal r (bulks expected) "sorted")

            testPropertyWithConfig
                config
                "BY with LIMIT (the partial quicksort) agrees with a full sort when the order is total"
            <| Prop.forAll
                (Arb.fromGen (Gen.zip3 (Gen.choose (0, 120)) limitGen (Gen.elements [ false; true ])))
                (fun (n, limit, desc) ->
                    // Elements e0..en-1 weigh (37i + 11) mod n: a permutation of 0..n-1 unless 37 divides n.
                    let weights = List.init n (fun i -> (i * 37 + 11) % (max n 1))
                    let xs = List.init n (fun i -> "e" + string i)

                    let w =
                        setup
                            [
                                if n > 0 then
                                    "RPUSH" :: "l" :: xs
                                for i in 0 .. n - 1 do
                                    [ "SET"; "w_" + xs[i]; string weights[i] ]
                            ]

                    // Weights repeat when 37 divides n: ties go by the elements as binary strings.
                    let byWeight =
                        List.zip xs weights
                        |> List.sortWith (fun (x, wx) (y, wy) ->
                            match compare wx wy with
                            | 0 -> ordinal x y
                            | c -> c)
                        |> List.map fst

                    let expected = (if desc then List.rev byWeight else byWeight) |> applyLimit limit

                    let args =
                        [ "SORT_RO"; "l"; "BY"; "w_*" ]
                        @ limitArgs limit
                        @ (if desc then [ "DESC" ] else [])

                    Expect.equal (reply w args) (bulks expected) "sorted")
        ]

let tests = testList "SortCommands" [ examples; properties ]
