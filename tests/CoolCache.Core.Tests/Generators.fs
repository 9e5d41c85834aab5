/// FsCheck generators for the protocol tests: RESP values, client commands (multibulk and inline, with the
/// arguments they stand for), reader limits, and hostile byte strings built to hit Redis's edge cases.
module CoolCache.Core.Tests.Generators

open System
open System.Text
open FsCheck
open FsCheck.FSharp
open CoolCache.Core
open CoolCache.Core.Protocol

let latin1 (s: string) : Bytes = Encoding.Latin1.GetBytes s

let concat (parts: Bytes seq) : Bytes = Array.concat parts

// ---- Bytes ----

/// Bytes that matter to the protocol, often; any byte, sometimes.
let protocolByte: Gen<byte> =
    Gen.frequency
        [
            3, Gen.elements ("\r\n\000*$ \t\"'\\x0123456789-+:aZ"B |> Array.toList)
            2, Gen.choose (0, 255) |> Gen.map byte
        ]

/// Binary-safe argument payloads, empty ones and ones with \0 \r \n included.
let payload: Gen<Bytes> =
    Gen.frequency
        [
            1, Gen.constant [||]
            6,
            Gen.sized (fun size -> Gen.choose (0, min 40 (size + 1)))
            |> Gen.bind (fun n -> Gen.arrayOfLength n protocolByte)
            1,
            Gen.choose (100, 400)
            |> Gen.bind (fun n -> Gen.arrayOfLength n (Gen.choose (0, 255) |> Gen.map byte))
        ]

// ---- RESP values ----

/// Text for simple strings and errors: any Latin-1 char but \r and \n.
let lineText: Gen<string> =
    Gen.choose (0, 255)
    |> Gen.filter (fun c -> c <> 10 && c <> 13)
    |> Gen.map char
    |> Gen.arrayOf
    |> Gen.map String

/// Doubles that survive formatting and parsing: finite values of every magnitude, infinities, no NaN.
let finiteOrInfinite: Gen<float> =
    Gen.frequency
        [
            4,
            ArbMap.defaults
            |> ArbMap.generate<float>
            |> Gen.filter (fun d -> not (Double.IsNaN d))
            2, Gen.choose (-1000000, 1000000) |> Gen.map (fun n -> float n / 100.0)
            1,
            Gen.elements
                [
                    Double.PositiveInfinity
                    Double.NegativeInfinity
                    0.0
                    -0.0
                    Double.MaxValue
                    Double.Epsilon
                    1e300
                    -1.5e-300
                ]
        ]

let integer: Gen<int64> =
    Gen.frequency
        [
            4, ArbMap.defaults |> ArbMap.generate<int64>
            1, Gen.elements [ 0L; -1L; 1L; Int64.MaxValue; Int64.MinValue; int64 Int32.MaxValue ]
        ]

let bigNumber: Gen<string> =
    gen {
        let! negative = Gen.elements [ false; true ]
        let! digits = Gen.nonEmptyListOf (Gen.elements [ '0' .. '9' ])
        return (if negative then "-" else "") + String(List.toArray digits)
    }

let private scalar: Gen<RespValue> =
    Gen.oneof
        [
            lineText |> Gen.map RespValue.Simple
            lineText |> Gen.map RespValue.Error
            integer |> Gen.map RespValue.Integer
            payload |> Gen.map RespValue.Bulk
            Gen.constant RespValue.Null
            Gen.constant RespValue.NullArray
            finiteOrInfinite |> Gen.map RespValue.Double
            Gen.elements [ true; false ] |> Gen.map RespValue.Boolean
            bigNumber |> Gen.map RespValue.BigNumber
            Gen.map2 (fun f p -> RespValue.Verbatim(f, p)) (Gen.elements [ "txt"; "mkd"; "abc" ]) payload
        ]

/// Any RespValue, nested up to a depth that shrinks with size.
let respValue: Gen<RespValue> =
    let rec value depth =
        if depth = 0 then
            scalar
        else
            let items =
                Gen.sized (fun s -> Gen.choose (0, min 5 s))
                |> Gen.bind (fun n -> Gen.arrayOfLength n (value (depth - 1)))

            Gen.frequency
                [
                    4, scalar
                    1, items |> Gen.map RespValue.Array
                    1, items |> Gen.map RespValue.Set
                    1, items |> Gen.map RespValue.Push
                    1,
                    Gen.sized (fun s -> Gen.choose (0, min 4 s))
                    |> Gen.bind (fun n ->
                        Gen.arrayOfLength
                            n
                            (Gen.map2 (fun k v -> struct (k, v)) (value (depth - 1)) (value (depth - 1))))
                    |> Gen.map RespValue.Map
                ]

    Gen.sized (fun s -> value (min 3 (s / 10 + 1)))

// ---- Commands ----

/// Redis's multibulk encoding of argv.
let multibulk (argv: Bytes[]) : Bytes =
    concat
        [
            yield latin1 (sprintf "*%d\r\n" argv.Length)
            for a in argv do
                yield latin1 (sprintf "$%d\r\n" a.Length)
                yield a
                yield "\r\n"B
        ]

let argv: Gen<Bytes[]> =
    Gen.sized (fun s -> Gen.choose (1, max 1 (min 8 s)))
    |> Gen.bind (fun n -> Gen.arrayOfLength n payload)

/// A valid multibulk command and the argv it stands for.
let multibulkCommand: Gen<Bytes * Bytes[]> =
    argv |> Gen.map (fun a -> multibulk a, a)

/// Bytes allowed in an unquoted inline argument (no blanks, quotes or '*').
let private plainByte: Gen<byte> =
    Gen.choose (0, 255)
    |> Gen.map byte
    |> Gen.filter (fun b -> not ("\r\n\t \"'*"B |> Array.contains b) && b <> 11uy && b <> 12uy)

/// One inline argument written plainly, in "double quotes" (with escapes) or in 'single quotes'.
let private inlineArg: Gen<Bytes * Bytes> =
    let plain =
        Gen.nonEmptyListOf plainByte
        |> Gen.map (fun bs -> let a = List.toArray bs in a, a)

    let doubleQuoted =
        Gen.listOf (Gen.choose (0, 255) |> Gen.map byte)
        |> Gen.map (fun bs ->
            let encode (b: byte) =
                match b with
                | 34uy -> "\\\""B
                | 92uy -> "\\\\"B
                | 10uy -> "\\n"B
                | 13uy -> "\\r"B
                | 9uy -> "\\t"B
                | 8uy -> "\\b"B
                | 7uy -> "\\a"B
                | b when b < 32uy || b > 126uy -> latin1 (sprintf "\\x%02x" b)
                | b -> [| b |]

            let a = List.toArray bs
            concat [ "\""B; concat (Seq.map encode a); "\""B ], a)

    let singleQuoted =
        Gen.listOf (Gen.choose (0, 255) |> Gen.map byte |> Gen.filter (fun b -> b <> 10uy))
        |> Gen.map (fun bs ->
            let a = List.toArray bs
            // Only \' is an escape; a backslash before the closing quote would escape it, so avoid a trailing one.
            let a =
                if a.Length > 0 && a[a.Length - 1] = 92uy then
                    Array.append a "x"B
                else
                    a

            let encode (b: byte) = if b = 39uy then "\\'"B else [| b |]
            concat [ "'"B; concat (Seq.map encode a); "'"B ], a)

    Gen.frequency [ 3, plain; 1, doubleQuoted; 1, singleQuoted ]

/// A valid inline command line (ending in \n or \r\n) and the argv it stands for.
let inlineCommand: Gen<Bytes * Bytes[]> =
    gen {
        let! args =
            Gen.sized (fun s -> Gen.choose (1, max 1 (min 6 s)))
            |> Gen.bind (fun n -> Gen.listOfLength n inlineArg)

        let! seps =
            Gen.listOfLength args.Length (Gen.elements [ " "B; "  "B; "\t"B; " \t "B ])

        let! lead = Gen.elements [ ""B; " "B ]
        let! ending = Gen.elements [ "\r\n"B; "\n"B; " \r\n"B ]

        let body =
            List.zip args seps
            |> List.mapi (fun i ((text, _), sep) -> if i = 0 then text else concat [ sep; text ])

        let line = concat [ yield lead; yield! body; yield ending ]
        return line, args |> List.map snd |> List.toArray
    }

/// A valid command of either kind.
let command: Gen<Bytes * Bytes[]> =
    Gen.frequency [ 3, multibulkCommand; 1, inlineCommand ]

/// A pipeline of valid commands, back to back.
let pipeline: Gen<(Bytes * Bytes[]) list> =
    Gen.sized (fun s -> Gen.choose (1, max 1 (min 5 s)))
    |> Gen.bind (fun n -> Gen.listOfLength n command)

// ---- Limits ----

let defaultLimits =
    {
        MaxBulkLength = 512L * 1024L * 1024L
        AuthRequired = false
    }

let readLimits: Gen<ReadLimits> =
    Gen.frequency
        [
            3, Gen.constant defaultLimits
            1,
            Gen.constant
                { defaultLimits with
                    AuthRequired = true
                }
            1,
            Gen.choose (0, 20)
            |> Gen.map (fun n ->
                { defaultLimits with
                    MaxBulkLength = int64 n
                })
        ]

// ---- Hostile input ----

/// Numbers Redis's string2ll and the limits treat specially, as header texts.
let private edgeNumber: Gen<string> =
    Gen.elements
        [
            "0"
            "1"
            "2"
            "-1"
            "-0"
            "01"
            "+1"
            " 1"
            "1 "
            ""
            "-"
            "abc"
            "3x"
            "10"
            "11"
            "16384"
            "16385"
            "2147483647"
            "2147483648"
            "9223372036854775807"
            "9223372036854775808"
            "-9223372036854775808"
            "-9223372036854775809"
            "99999999999999999999"
            "000000000000000000001"
            "536870912"
            "536870913"
            "1000000"
            "20"
        ]

/// Frames with edge-case counts and lengths, bad type bytes and odd terminators.
let private edgeFrame: Gen<Bytes> =
    gen {
        let! count = edgeNumber

        let! headers =
            Gen.listOf (Gen.map2 (fun t n -> t + n) (Gen.elements [ "$"; "$"; "$"; ":"; "+"; "*"; "" ]) edgeNumber)

        let! term = Gen.elements [ "\r\n"; "\r\n"; "\rx"; "\n"; "\r" ]
        let! body = payload

        let text =
            concat
                [
                    yield latin1 ("*" + count + term)
                    for h in headers -> concat [ latin1 (h + "\r\n"); body; "\r\n"B ]
                ]

        return text
    }

/// A valid frame with bytes flipped, inserted, deleted, or cut short.
let private mutated: Gen<Bytes> =
    gen {
        let! frame, _ = command

        let! edits =
            Gen.listOf (Gen.map3 (fun k at x -> k, at, x) (Gen.choose (0, 3)) (Gen.choose (0, 10000)) protocolByte)

        return
            edits
            |> List.fold
                (fun (b: Bytes) (kind, at, x) ->
                    if b.Length = 0 then
                        [| x |]
                    else
                        let i = at % b.Length

                        match kind with
                        | 0 -> Array.updateAt i x b
                        | 1 -> Array.insertAt i x b
                        | 2 -> Array.removeAt i b
                        | _ -> Array.truncate i b)
                frame
    }

/// Long runs near the 64KB line limit (no terminator, or one just past it).
let private longLine: Gen<Bytes> =
    gen {
        let! first = Gen.elements [ '*'B; 'G'B; ' 'B ]
        let! length = Gen.choose (65530, 65540)
        let! tail = Gen.elements [ ""B; "\r\n"B; "\n"B ]
        let! header = Gen.elements [ ""B; "*1\r\n"B ]
        return concat [ header; [| first |]; Array.create length 'a'B; tail ]
    }

/// Byte strings meant to break a reader: random bytes, mutated frames, edge-case headers, long lines.
let hostile: Gen<Bytes> =
    Gen.frequency
        [
            4, Gen.listOf protocolByte |> Gen.map List.toArray
            2,
            Gen.listOf protocolByte
            |> Gen.map (fun bs -> Array.append "*"B (List.toArray bs))
            4, mutated
            4, edgeFrame
            1, longLine
            1, Gen.constant "*1000000\r\n"B
            1, Gen.constant "*1\r\n$2000000000\r\n"B
        ]

/// Shrinks byte strings towards shorter ones (so a failing hostile input is reported small).
let shrinkBytes (b: Bytes) : Bytes seq =
    seq {
        if b.Length > 0 then
            yield Array.truncate (b.Length / 2) b
            yield b[1..]
            yield b[.. b.Length - 2]
    }
