/// The parts command generators are made of (differential tests): compare modes, steps, argument
/// pools and small generator combinators. Per-family generators (CommandGen, GenX.fs) build on these.
module CoolCache.Server.Tests.GenParts

open System
open System.Text
open FsCheck
open FsCheck.FSharp

/// How the replies of one step are compared (see DifferentialTests.deliberateDifferences).
type Compare =
    /// byte-for-byte
    | Exact
    /// an array whose order is the server's hash-table order (KEYS): compared as sorted lists
    | SortedArray
    /// an integer that depends on the wall clock (TTL, PTTL, EXPIRETIME, PEXPIRETIME): equal
    /// when negative (-1/-2 are exact answers), within the tolerance otherwise
    | IntWithin of tolerance: int64
    /// DBSIZE: CoolCache counts live keys; Redis also counts expired keys no lookup has reclaimed
    /// yet, so the candidate may be lower, never higher
    | LiveCount
    /// HELLO: same kind of reply (or identical errors), content not compared
    | HelloReply
    /// RANDOMKEY: both nil, or both a key from the pool
    | RandomKey
    /// pseudo-command: a full SCAN iteration (Args are the options after the cursor); the sorted
    /// key sets are compared, not the raw replies
    | ScanAll
    /// HGETALL: field/value pairs in hash-table order (a RESP3 map or a flat RESP2 array): the
    /// kinds must match and the pairs are compared as sorted lists
    | SortedPairs
    /// pseudo-command: a full HSCAN iteration (Args are HSCAN, the key, then the options after the
    /// cursor); the sorted, de-duplicated (field, value) sets are compared, not the raw replies
    | HashScanAll
    /// pseudo-command: HRANDFIELD, then HGETALL of its key on the same server; each reply must have
    /// the shape and length Redis's rules give and hold only (distinct, for a positive count)
    /// fields of that server's hash; both servers' replies must have the same shape
    | RandomFields
    /// SRANDMEMBER: the harness follows the step with SMEMBERS key on both servers; the sets must be
    /// equal, the replies of the same kind and size, every element a member, and (distinct) no repeats
    | RandomMembers of distinct: bool
    /// pseudo-command: a full SSCAN iteration (Args: SSCAN key, then the options after the cursor);
    /// the sorted, de-duplicated member sets are compared, not the raw replies
    | MemberScanAll
    /// ZRANDMEMBER: the harness follows the step with ZRANGE key 0 -1 WITHSCORES on both servers; those
    /// must be equal, the replies of the same shape and size, every element (and score) from the set,
    /// and no repeats for a non-negative count
    | RandomScored
    /// byte-for-byte, run on its own after the harness resets the oracle's errno (it opens and closes
    /// a connection): Redis 7.0's numeric SORT reads an ERANGE left by any earlier command
    | FreshErrno
    /// ZRANGEBYLEX, ZREVRANGEBYLEX, ZLEXCOUNT, ZRANGE BYLEX: the harness follows the step with OBJECT
    /// ENCODING key and ZRANGE key 0 -1 WITHSCORES on both servers; those must be equal, and the replies
    /// too unless the set is a skiplist whose members have different scores (Redis's answer then depends
    /// on its random levels)
    | LexRange
    /// XADD with "*": both replies are IDs ("<ms>-<seq>"; the clock picks them), or the same error
    | StreamIdShape
    /// XPENDING (extended), XINFO CONSUMERS, XINFO STREAM FULL: the replies have the same shape and
    /// contents except clock readings: unix-ms times (delivery and seen times) and idle durations may
    /// differ by up to 1000 ms
    | Clocked

/// One generated command.
type Step = { Args: byte[] list; Compare: Compare }

/// Bytes of a string whose chars are all < 256 (so "\xff" is the byte 0xFF).
let latin1 (s: string) : byte[] = Encoding.Latin1.GetBytes s

/// A printable, escaped form of the step (what a failure message shows).
let formatStep (step: Step) =
    match step.Compare with
    | ScanAll ->
        RawClient.formatCommand step.Args
        + "  (pseudo: full SCAN iteration from cursor 0)"
    | HashScanAll ->
        RawClient.formatCommand step.Args
        + "  (pseudo: full HSCAN iteration from cursor 0)"
    | RandomFields -> RawClient.formatCommand step.Args + "  (pseudo: checked against HGETALL)"
    | FreshErrno -> RawClient.formatCommand step.Args + "  (after an errno reset)"
    | MemberScanAll ->
        RawClient.formatCommand step.Args
        + "  (pseudo: full SSCAN iteration from cursor 0)"
    | _ -> RawClient.formatCommand step.Args

// ---------------------------------------------------------------------------------------------
// Arguments. Relative expire times are drafted as RelSecs/RelMillis and made unique per sequence
// when the sequence is finalised (see `resolve`): if two steps set the same relative TTL, then
// "EXPIRE k 100 GT" after "EXPIRE k 100" depends on whether a millisecond passed in between,
// which differs between the two servers. Unique amounts (at least 1s apart) make it deterministic.

type Arg =
    | Lit of byte[]
    /// seconds from now; finalised as base + step index
    | RelSecs of int64
    /// milliseconds from now; finalised as base + 1000 * step index + 333 (never a whole second,
    /// so never equal to a RelSecs amount; and far from the 500ms rounding point of TTL)
    | RelMillis of int64

type Draft = { Parts: Arg list; Cmp: Compare }

let resolve (index: int) (d: Draft) : Step =
    let arg =
        function
        | Lit b -> b
        | RelSecs b -> latin1 (string (b + int64 index))
        | RelMillis b -> latin1 (string (b + 1000L * int64 index + 333L))

    {
        Args = List.map arg d.Parts
        Compare = d.Cmp
    }

let lit s = Lit(latin1 s)

/// The key pool: few keys so that commands interact. Includes the empty key, a binary key and a
/// key made of glob metacharacters.
let keyPool: string list = [ "k1"; "k2"; "num"; ""; "bin\000\r\n\xffkey"; "a*[b]" ]

let keyPoolBytes = keyPool |> List.map latin1

/// Is this one of the pool's keys?
let isPoolKey (b: byte[]) =
    keyPoolBytes |> List.exists (fun k -> k.AsSpan().SequenceEqual(ReadOnlySpan b))

let longValue = String('x', 60)

let veryLongValue = String.init 150 (fun i -> string ("abcdefghij".[i % 10]))

let values =
    [
        "0"
        "1"
        "-1"
        "42"
        "100"
        "9999"
        "10000"
        "-7"
        "9223372036854775807"
        "-9223372036854775808"
        "9223372036854775808"
        "-9223372036854775809"
        "3.14"
        "-0.5"
        "1e3"
        "10.50"
        "5.0e-1"
        "inf"
        "-inf"
        "nan"
        "abc"
        ""
        "\000\xff\r\n"
        " 12"
        "12 "
        "007"
        "+5"
        "-0"
        "0x1A"
        "hello world"
        "ohmytext"
        "mynewtext"
        "1.7976931348623157e308"
        longValue
        veryLongValue
    ]

// Generator helpers ------------------------------------------------------------------------------

type Parts = Gen<Arg list>

let one (g: Gen<Arg>) : Parts = Gen.map List.singleton g
let litOf (xs: string list) : Gen<Arg> = Gen.elements xs |> Gen.map lit

/// A keyword/command name, usually upper case, sometimes lower or mixed case.
let casing (name: string) : Gen<string> =
    Gen.frequency
        [
            8, Gen.constant name
            1, Gen.constant (name.ToLowerInvariant())
            1,
            Gen.listOfLength name.Length (Gen.elements [ true; false ])
            |> Gen.map (fun flips ->
                String(
                    Seq.map2
                        (fun (c: char) up ->
                            if up then
                                Char.ToUpperInvariant c
                            else
                                Char.ToLowerInvariant c)
                        name
                        flips
                    |> Seq.toArray
                ))
        ]

let kw (name: string) : Parts =
    casing name |> Gen.map (fun s -> [ lit s ])

let cat (parts: Parts list) : Parts =
    parts |> Gen.sequenceToList |> Gen.map List.concat

let cmdWith (cmp: Compare) (name: string) (parts: Parts list) : Gen<Draft> =
    cat (kw name :: parts) |> Gen.map (fun ps -> { Parts = ps; Cmp = cmp })

let cmd name parts = cmdWith Exact name parts

let key: Parts = one (litOf keyPool)

let keys (lo, hi) : Parts =
    gen {
        let! n = Gen.choose (lo, hi)
        return! Gen.listOfLength n (litOf keyPool)
    }

let value: Parts =
    one (Gen.frequency [ 6, litOf values; 2, Gen.choose (-1000, 1000) |> Gen.map (string >> lit) ])

let integer: Parts =
    one (
        Gen.frequency
            [
                6, Gen.choose (-20, 20) |> Gen.map (string >> lit)
                3,
                litOf
                    [
                        "100"
                        "-100"
                        "9223372036854775807"
                        "-9223372036854775808"
                        "9223372036854775808"
                        "-9223372036854775809"
                        "4294967296"
                        "abc"
                        "1.5"
                        ""
                        "+3"
                        " 3"
                        "3 "
                        "0x10"
                    ]
            ]
    )

let floatArg: Parts =
    one (
        litOf
            [
                "0"
                "0.1"
                "-1.5"
                "3"
                "1e3"
                "2.5e-3"
                "10.50"
                "1e308"
                "-1e308"
                "1.7976931348623157e308"
                "5e-324"
                "inf"
                "-inf"
                "nan"
                "abc"
                ""
                "0x10"
                " 1"
                "1 "
                "+.5"
                "-0"
                "9223372036854775807"
            ]
    )

let relSecs: Parts =
    one (
        Gen.frequency
            [
                8, Gen.elements [ 100L; 1000L; 86400L; 31536000L ] |> Gen.map RelSecs
                1,
                litOf
                    [
                        "0"
                        "-1"
                        "-100"
                        "abc"
                        "1.5"
                        ""
                        "9223372036854775807"
                        "9223372036854775"
                        "+100"
                    ]
            ]
    )

let relMillis: Parts =
    one (
        Gen.frequency
            [
                8, Gen.elements [ 150000L; 2000000L; 86400000L ] |> Gen.map RelMillis
                1,
                litOf
                    [
                        "0"
                        "-1"
                        "-100"
                        "abc"
                        "1.5"
                        ""
                        "9223372036854775807"
                        "9223372036854775"
                    ]
            ]
    )

/// Absolute unix times: far in the future (2100-01-01 and around) or in the past, so the reply
/// never depends on when the command runs.
let absSecs: Parts =
    one (
        litOf
            [
                "4102444800"
                "4102444800"
                "4102444801"
                "4102448400"
                "1"
                "1000000000"
                "0"
                "-1"
                "abc"
                "9223372036854775807"
            ]
    )

let absMillis: Parts =
    one (
        litOf
            [
                "4102444800000"
                "4102444800123"
                "4102444801500"
                "4102448400000"
                "1"
                "1000000000000"
                "0"
                "-5"
                "x"
                "9223372036854775807"
            ]
    )

let db: Parts =
    one (
        Gen.frequency
            [
                8, litOf [ "0"; "1"; "2"; "15" ]
                1, litOf [ "16"; "-1"; "abc"; ""; "1.0"; "99999999999999999999" ]
            ]
    )

/// Glob patterns for KEYS/SCAN MATCH: escapes, classes, ranges, negation, unterminated classes.
let pattern: Parts =
    one (
        Gen.frequency
            [
                8,
                litOf
                    [
                        "*"
                        "k?"
                        "k*"
                        "k[12]"
                        "k[^1]"
                        "k[1-2]"
                        "k[2-1]"
                        "a\\*\\[b\\]"
                        "a\\*\\[b]"
                        "a*"
                        "a\\*"
                        "*\\**"
                        "[a-z]*"
                        "*["
                        "k["
                        "["
                        "\\"
                        "*\\"
                        "bin*"
                        "bin\000*"
                        ""
                        "num"
                        "?"
                        "??"
                        "???"
                        "*m"
                        "[!k]*"
                        "a*[b]"
                        "[[]*"
                        "[]]*"
                        "*[*]*"
                        "\\a*"
                        "[\\]]*"
                        "[a-]*"
                        "*[^a-z]*"
                        "n?m"
                        "N*"
                    ]
                1, litOf keyPool
            ]
    )

let optional (p: Parts) : Parts =
    Gen.frequency [ 1, Gen.constant []; 1, p ]

/// 0..max options drawn from `choices`, in any order, repeats possible (invalid combos included).
let options (maxCount: int) (choices: Parts list) : Parts =
    gen {
        let! n = Gen.choose (0, maxCount)
        let! opts = Gen.listOfLength n (Gen.oneof choices)
        return List.concat opts
    }
