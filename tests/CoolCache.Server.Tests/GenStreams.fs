/// Differential-test generators for the stream commands (t_stream.c), on the shared key pool so that
/// streams meet the other types (WRONGTYPE) and the keyspace commands (TYPE, OBJECT ENCODING, COPY,
/// RENAME). Entry IDs are explicit ("<ms>-<seq>", "<ms>", "<ms>-*"), so both servers store the same
/// IDs; "*" (the clock) is only used on a key of its own and its reply compared by shape (StreamIdShape).
/// Times the servers read from their clocks (XPENDING idle, XINFO seen-time and idle, delivery times)
/// are compared within a tolerance (Clocked); idle thresholds are 0 or far from any real idle time.
module CoolCache.Server.Tests.GenStreams

open FsCheck
open FsCheck.FSharp
open CoolCache.Server.Tests.GenParts

/// The key XADD * writes to (not in the pool: only XADD * and the keyspace commands see it).
let autoKey = "auto-stream"

/// Is this the key XADD * writes to?
let isAutoKey (b: byte[]) =
    System.Text.Encoding.Latin1.GetString b = autoKey

let private fieldName: Parts =
    one (Gen.frequency [ 10, litOf [ "f"; "g"; "a" ]; 1, litOf [ ""; "12"; "f\000x" ] ])

let private fieldValue: Parts =
    one (Gen.frequency [ 8, litOf [ "1"; "v"; "x"; "-5" ]; 2, litOf values ])

let private fields (lo, hi) : Parts =
    gen {
        let! n = Gen.choose (lo, hi)
        let! xs = Gen.listOfLength n (cat [ fieldName; fieldValue ])
        return List.concat xs
    }

/// Small milliseconds, the same in every sequence (XADD with these mostly meets a later stream top).
let private ms =
    Gen.frequency
        [
            12, Gen.elements [ "0"; "1"; "2"; "3"; "5"; "10" ]
            1, Gen.elements [ "100"; "4294967296" ]
        ]

/// Milliseconds that follow the sequence: "@d" becomes 1000 + the step's index + d when the sequence
/// is finalised (see timed), so that XADD "<now>-*" keeps succeeding and ranges meet recent entries.
let private recent =
    Gen.frequency
        [
            6, Gen.constant "@0"
            2, Gen.elements [ "@-1"; "@-2" ]
            2, Gen.elements [ "@-5"; "@-20" ]
        ]

let private anyMs = Gen.frequency [ 3, recent; 1, ms ]

/// IDs as arguments: explicit, special ("-", "+", "$", ">"), exclusive, extremes and junk.
let private anyId: Parts =
    one (
        Gen.frequency
            [
                8, Gen.map2 (fun m s -> lit (m + "-" + s)) anyMs (Gen.elements [ "0"; "1"; "2"; "5" ])
                3, Gen.map lit anyMs
                2, litOf [ "-"; "+"; "0-0" ]
                2, Gen.map (fun m -> lit ("(" + m)) anyMs
                1, Gen.map2 (fun m s -> lit ("(" + m + "-" + s)) anyMs (Gen.elements [ "0"; "1" ])
                1,
                litOf
                    [
                        "18446744073709551615-18446744073709551615"
                        "18446744073709551615"
                        "18446744073709551616"
                        "5-18446744073709551615"
                        "x"
                        "1-x"
                        "-1"
                        ""
                        " 1"
                        "01-01"
                        "(-"
                        "("
                        "1-*"
                        "$"
                    ]
            ]
    )

/// XADD's ID: mostly "<recent>-*" (the next sequence of that millisecond), sometimes explicit or an
/// older millisecond (often not greater than the top: an error), rarely junk, 0-0 or a last-possible
/// ID (after which the stream takes no more).
let private addId: Parts =
    one (
        Gen.frequency
            [
                30, Gen.map (fun m -> lit (m + "-*")) recent
                8, Gen.map2 (fun m s -> lit (m + "-" + s)) recent (Gen.elements [ "0"; "1"; "3"; "9" ])
                4, Gen.map lit recent
                4, Gen.map (fun m -> lit (m + "-*")) ms
                2, litOf [ "0-0"; "0"; "x"; "-1"; "1-x"; "" ]
                1, litOf [ "18446744073709551615-18446744073709551615"; "18446744073709551615-*" ]
            ]
    )

/// Replaces "@d" in an argument by 1000 + index + d (see recent).
let timed (index: int) (a: Arg) : Arg =
    match a with
    | Lit b when System.Array.IndexOf(b, byte '@') >= 0 ->
        let text = System.Text.Encoding.Latin1.GetString b

        let replaced =
            System.Text.RegularExpressions.Regex.Replace(
                text,
                "@(-?[0-9]+)",
                fun m -> string (1000 + index + int m.Groups[1].Value)
            )

        lit replaced
    | other -> other

/// A draft with its "@d" placeholders resolved for the step at index.
let private timedDraft (index: int) (d: Draft) =
    { d with
        Parts = List.map (timed index) d.Parts
    }

/// XSETID's IDs: never "<ms>-<last sequence>" below the last possible ID, after which Redis 7.0 answers
/// an XADD "<ms>-*" with whatever errno an earlier command left (see deliberateDifferences).
let private setId: Parts =
    anyId
    |> Gen.map (fun parts ->
        match parts with
        | [ Lit b ] when (latin1 "5-18446744073709551615") = b -> [ lit "5-1" ]
        | other -> other)

let private ids (lo, hi) : Parts =
    gen {
        let! n = Gen.choose (lo, hi)
        let! xs = Gen.listOfLength n anyId
        return List.concat xs
    }

let private smallCount: Parts =
    one (
        Gen.frequency
            [
                8, Gen.choose (0, 6) |> Gen.map (string >> lit)
                1, litOf [ "-1"; "100"; "abc"; "9223372036854775807"; "" ]
            ]
    )

/// MAXLEN|MINID [=|~] threshold [LIMIT n] (sometimes both strategies or a bad LIMIT).
let private trimArgs: Parts =
    let approx = Gen.frequency [ 3, Gen.constant []; 2, kw "~"; 1, kw "=" ]

    let strategy =
        Gen.frequency
            [
                5, cat [ kw "MAXLEN"; approx; smallCount ]
                3, cat [ kw "MINID"; approx; anyId ]
            ]

    Gen.frequency
        [
            8, strategy
            2, cat [ strategy; kw "LIMIT"; smallCount ]
            1, cat [ strategy; strategy ]
            1, cat [ kw "LIMIT"; smallCount ]
        ]

let private group: Parts =
    one (Gen.frequency [ 12, litOf [ "g1" ]; 4, litOf [ "g2" ]; 1, litOf [ ""; "g3" ] ])

let private consumer: Parts = one (litOf [ "alice"; "bob"; "carol" ])

/// Idle thresholds: 0 or an hour (never near a real idle time, so both servers agree), rarely junk.
let private minIdle: Parts =
    one (Gen.frequency [ 6, litOf [ "0" ]; 2, litOf [ "3600000" ]; 1, litOf [ "-5"; "abc"; "" ] ])

/// A blocking read's BLOCK: a short wait (both servers time out when nothing comes; the multi-client
/// cases are BlockingScenarioTests), or a bad value.
let private block: Parts =
    Gen.frequency
        [
            12, Gen.constant []
            4, cat [ kw "BLOCK"; one (litOf [ "10" ]) ]
            1, cat [ kw "BLOCK"; one (litOf [ "-1"; "abc"; "1.5" ]) ]
        ]

/// STREAMS key... id...: one or two keys, IDs (or "$"/">") to match, sometimes unbalanced.
let private streamsOf (key: Parts) (idArg: Parts) : Parts =
    gen {
        let! n = Gen.frequency [ 6, Gen.constant 1; 2, Gen.constant 2 ]
        let! ks = Gen.listOfLength n key |> Gen.map List.concat
        let! xs = Gen.listOfLength n idArg
        let! extra = Gen.frequency [ 12, Gen.constant []; 1, anyId ]
        return lit "STREAMS" :: ks @ List.concat xs @ extra
    }

let private xreadArgs (key: Parts) : Parts =
    gen {
        let! count = Gen.frequency [ 3, Gen.constant []; 2, cat [ kw "COUNT"; smallCount ] ]
        let! b = block

        let! streams =
            streamsOf key (Gen.frequency [ 4, anyId; 2, one (litOf [ "$" ]); 1, one (litOf [ ">" ]) ])

        let! order = Gen.elements [ true; false ]
        return (if order then count @ b else b @ count) @ streams
    }

let private xreadgroupArgs (key: Parts) : Parts =
    gen {
        let! g = group
        let! c = consumer
        let! count = Gen.frequency [ 3, Gen.constant []; 2, cat [ kw "COUNT"; smallCount ] ]
        let! noack = Gen.frequency [ 4, Gen.constant []; 1, kw "NOACK" ]
        let! b = block

        let! streams =
            streamsOf key (Gen.frequency [ 6, one (litOf [ ">" ]); 3, anyId; 1, one (litOf [ "$" ]) ])

        let! withGroup = Gen.frequency [ 12, Gen.constant true; 1, Gen.constant false ]
        let groupPart = if withGroup then lit "GROUP" :: g @ c else []
        return groupPart @ count @ noack @ b @ streams
    }

let private xclaimOptions: Parts =
    let option =
        Gen.oneof
            [
                cat [ kw "IDLE"; one (litOf [ "100000"; "0"; "-5"; "9223372036854775807"; "x" ]) ]
                cat [ kw "TIME"; one (litOf [ "1000"; "4102444800000"; "-1"; "x" ]) ]
                cat [ kw "RETRYCOUNT"; one (litOf [ "0"; "3"; "7"; "-2"; "x" ]) ]
                kw "FORCE"
                kw "JUSTID"
                cat [ kw "LASTID"; anyId ]
                one (litOf [ "FOO" ])
            ]

    options 3 [ option ]

/// XPENDING's extended form (IDLE, consumer), and bad argument counts (the summary is generated apart).
let private xpendingArgs (key: Parts) : Parts =
    Gen.frequency
        [
            6, cat [ key; group; anyId; anyId; smallCount; optional consumer ]
            2, cat [ key; group; kw "IDLE"; minIdle; anyId; anyId; smallCount; optional consumer ]
            1, cat [ key; group; anyId; anyId ]
        ]

/// The stream commands on keys from key, weighted so that streams exist, grow, and get groups and
/// pending entries.
let private commandsOn (key: Parts) : Gen<Draft> =
    Gen.frequency
        [
            20,
            cmd
                "XADD"
                [
                    key
                    optional (kw "NOMKSTREAM")
                    Gen.frequency [ 5, Gen.constant []; 1, trimArgs ]
                    addId
                    fields (1, 2)
                ]
            1, cmd "XADD" [ key; addId ]
            1, cmdWith StreamIdShape "XADD" [ one (litOf [ autoKey ]); one (litOf [ "*" ]); fields (1, 1) ]
            3, cmd "XLEN" [ key ]
            6, cmd "XRANGE" [ key; anyId; anyId; optional (cat [ kw "COUNT"; smallCount ]) ]
            3, cmd "XREVRANGE" [ key; anyId; anyId; optional (cat [ kw "COUNT"; smallCount ]) ]
            3, cmd "XDEL" [ key; ids (1, 3) ]
            3, cmd "XTRIM" [ key; trimArgs ]
            2,
            cmd
                "XSETID"
                [
                    key
                    setId
                    options 2 [ cat [ kw "ENTRIESADDED"; smallCount ]; cat [ kw "MAXDELETEDID"; anyId ] ]
                ]
            5, cmd "XREAD" [ xreadArgs key ]
            6,
            cmd
                "XGROUP"
                [
                    kw "CREATE"
                    key
                    group
                    Gen.frequency [ 2, anyId; 5, one (litOf [ "$"; "0"; "0"; "3-0" ]) ]
                    Gen.frequency
                        [
                            3, Gen.constant []
                            3, kw "MKSTREAM"
                            1, options 2 [ kw "MKSTREAM"; cat [ kw "ENTRIESREAD"; smallCount ] ]
                        ]
                ]
            2,
            cmd
                "XGROUP"
                [
                    kw "SETID"
                    key
                    group
                    anyId
                    optional (cat [ kw "ENTRIESREAD"; smallCount ])
                ]
            1, cmd "XGROUP" [ kw "DESTROY"; key; group ]
            2, cmd "XGROUP" [ kw "CREATECONSUMER"; key; group; consumer ]
            1, cmd "XGROUP" [ kw "DELCONSUMER"; key; group; consumer ]
            1, cmd "XGROUP" [ one (litOf [ "HELP"; "FOO"; "CREATE" ]) ]
            8, cmd "XREADGROUP" [ xreadgroupArgs key ]
            3, cmd "XACK" [ key; group; ids (1, 3) ]
            1, cmd "XPENDING" [ key; group; optional (one (litOf [ "-" ])) ]
            2, cmdWith Clocked "XPENDING" [ xpendingArgs key ]
            3, cmd "XCLAIM" [ key; group; consumer; minIdle; ids (1, 3); xclaimOptions ]
            3,
            cmd
                "XAUTOCLAIM"
                [
                    key
                    group
                    consumer
                    minIdle
                    anyId
                    options
                        2
                        [
                            cat [ kw "COUNT"; one (litOf [ "1"; "2"; "10"; "0"; "x"; "576460752303423488" ]) ]
                            kw "JUSTID"
                        ]
                ]
            3, cmd "XINFO" [ kw "STREAM"; key ]
            1, cmdWith Clocked "XINFO" [ kw "STREAM"; key; kw "FULL"; optional (cat [ kw "COUNT"; smallCount ]) ]
            2, cmd "XINFO" [ kw "GROUPS"; key ]
            2, cmdWith Clocked "XINFO" [ kw "CONSUMERS"; key; group ]
            1, cmd "XINFO" [ one (litOf [ "HELP"; "FOO"; "STREAM" ]); optional key ]
        ]

/// The stream commands on the shared key pool ("@d" milliseconds around 1000).
let commands: Gen<Draft> = commandsOn key |> Gen.map (timedDraft 0)

/// Wrong argument counts (name, number of arguments after it).
let wrongArity: (string * int) list =
    [
        "XADD", 2
        "XADD", 3
        "XLEN", 0
        "XLEN", 2
        "XRANGE", 2
        "XREVRANGE", 1
        "XDEL", 1
        "XTRIM", 2
        "XSETID", 1
        "XREAD", 2
        "XREADGROUP", 5
        "XACK", 2
        "XPENDING", 1
        "XCLAIM", 4
        "XAUTOCLAIM", 4
        "XGROUP", 0
        "XINFO", 0
    ]

/// A stream-heavy sequence's keys: mostly two of the pool, so that groups and entries pile up.
let private focusKey: Parts =
    one (Gen.frequency [ 10, litOf [ "k1" ]; 4, litOf [ "k2" ]; 1, litOf keyPool ])

/// The few other commands a stream-heavy sequence mixes in: types meet, values move and are copied.
let private neighbours: Gen<Draft> =
    Gen.frequency
        [
            3, cmd "OBJECT" [ kw "ENCODING"; focusKey ]
            2, cmd "TYPE" [ focusKey ]
            1, cmd "DEL" [ focusKey ]
            2, cmd "COPY" [ focusKey; focusKey; optional (kw "REPLACE") ]
            1, cmd "RENAME" [ focusKey; focusKey ]
            1, cmd "SET" [ focusKey; value ]
        ]

/// Many XADDs to one key, so that streams span several nodes and approximate trimming bites.
let private burst: Gen<Draft list> =
    gen {
        let! k = focusKey
        let! n = Gen.choose (5, 30)

        return
            [
                for i in 0 .. n - 1 ->
                    {
                        Parts = lit "XADD" :: k @ [ lit "@0-*"; lit "f"; lit (string i) ]
                        Cmp = Exact
                    }
            ]
    }

/// A sequence of 1..60 commands that are mostly stream commands, after a random node size (so that
/// streams span several listpack nodes and ~ trimming removes whole ones); a quarter in RESP3.
let sequence: Gen<Step list> =
    gen {
        let! nodeSize = Gen.elements [ "2"; "3"; "5"; "100" ]

        let config =
            {
                Parts = [ lit "CONFIG"; lit "SET"; lit "stream-node-max-entries"; lit nodeSize ]
                Cmp = Exact
            }

        let! len = Gen.choose (1, 60)

        let! drafts =
            Gen.listOfLength
                len
                (Gen.frequency
                    [
                        17, Gen.map List.singleton (commandsOn focusKey)
                        3, Gen.map List.singleton neighbours
                        2, burst
                    ])

        let! resp3 = Gen.frequency [ 1, Gen.constant true; 3, Gen.constant false ]

        // Most sequences start with a group or two, so that group commands find one.
        let! groups =
            Gen.frequency
                [
                    1, Gen.constant []
                    2, Gen.constant [ "k1", "g1" ]
                    4, Gen.constant [ "k1", "g1"; "k1", "g2"; "k2", "g1"; "k2", "g2" ]
                ]

        let setup =
            groups
            |> List.map (fun (k, g) ->
                {
                    Parts = [ lit "XGROUP"; lit "CREATE"; lit k; lit g; lit "0"; lit "MKSTREAM" ]
                    Cmp = Exact
                })

        let drafts =
            config :: setup
            @ (if resp3 then
                   [
                       {
                           Parts = [ lit "HELLO"; lit "3" ]
                           Cmp = HelloReply
                       }
                   ]
               else
                   [])
            @ List.concat drafts

        return drafts |> List.mapi (fun i d -> resolve i (timedDraft i d))
    }
