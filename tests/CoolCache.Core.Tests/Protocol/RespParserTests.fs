/// RespParser: RESP2/RESP3 values round-trip through RespWriter (RESP3 as is, RESP2 in Redis's downgraded
/// shape), short input is Incomplete and bad input Invalid; parseCommand on a few Redis behaviours (the
/// reader-equivalence properties live in RespReaderTests).
module CoolCache.Core.Tests.Protocol.RespParserTests

open System
open Expecto
open FsCheck.FSharp
open CoolCache.Core
open CoolCache.Core.Protocol
open CoolCache.Core.Tests.Generators

/// What a value reads back as after RESP3: "_" is Null whether it was written for Null or NullArray.
let rec private afterResp3 (v: RespValue) =
    match v with
    | RespValue.NullArray -> RespValue.Null
    | RespValue.Array xs -> RespValue.Array(Array.map afterResp3 xs)
    | RespValue.Set xs -> RespValue.Set(Array.map afterResp3 xs)
    | RespValue.Push xs -> RespValue.Push(Array.map afterResp3 xs)
    | RespValue.Map kvs -> RespValue.Map(kvs |> Array.map (fun struct (k, x) -> struct (afterResp3 k, afterResp3 x)))
    | v -> v

/// Redis's RESP2 downgrade, stated independently of the writer.
let rec private afterResp2 (v: RespValue) =
    match v with
    | RespValue.Array xs
    | RespValue.Set xs
    | RespValue.Push xs -> RespValue.Array(Array.map afterResp2 xs)
    | RespValue.Map kvs -> RespValue.Array(kvs |> Array.collect (fun struct (k, x) -> [| afterResp2 k; afterResp2 x |]))
    | RespValue.Double d -> RespValue.Bulk(Bytes.ofString (Numbers.formatDouble d))
    | RespValue.Boolean b -> RespValue.Integer(if b then 1L else 0L)
    | RespValue.BigNumber s -> RespValue.Bulk(Bytes.ofString s)
    | RespValue.Verbatim(_, payload) -> RespValue.Bulk payload
    | v -> v

let private value (text: string) = RespParser.parseValue (latin1 text)

let private isInvalid =
    function
    | RespParser.ValueParse.Invalid _ -> true
    | _ -> false

let private config =
    { FsCheckConfig.defaultConfig with
        maxTest = 300
    }

let private limits = defaultLimits

let private command (text: string) =
    RespParser.parseCommand limits (latin1 text)

let tests =
    testList
        "RespParser"
        [
            testPropertyWithConfig config "a value written in RESP3 reads back as itself"
            <| Prop.forAll (Arb.fromGen respValue) (fun v ->
                let bytes = RespWriter.toBytes 3 v
                Expect.equal (RespParser.parseValue bytes) (RespParser.ValueParse.Value(afterResp3 v, bytes.Length)) "")

            testPropertyWithConfig config "a value written in RESP2 reads back in its downgraded shape"
            <| Prop.forAll (Arb.fromGen respValue) (fun v ->
                let bytes = RespWriter.toBytes 2 v
                Expect.equal (RespParser.parseValue bytes) (RespParser.ValueParse.Value(afterResp2 v, bytes.Length)) "")

            testPropertyWithConfig config "every strict prefix of a written value is incomplete"
            <| Prop.forAll (Arb.fromGen (Gen.zip (Gen.elements [ 2; 3 ]) respValue)) (fun (proto, v) ->
                let bytes = RespWriter.toBytes proto v

                for n in 0 .. bytes.Length - 1 do
                    Expect.equal
                        (RespParser.parseValue bytes[.. n - 1])
                        RespParser.ValueParse.Incomplete
                        (sprintf "prefix %d" n))

            testPropertyWithConfig config "a value followed by more bytes reads only the value"
            <| Prop.forAll (Arb.fromGen (Gen.zip respValue payload)) (fun (v, more) ->
                let bytes = RespWriter.toBytes 3 v

                let result =
                    RespParser.parseValue (Array.append bytes (Array.append ":1\r\n"B more))

                Expect.equal result (RespParser.ValueParse.Value(afterResp3 v, bytes.Length)) "")

            test "$-1 is the null bulk string and *-1 the null array" {
                Expect.equal (value "$-1\r\n") (RespParser.ValueParse.Value(RespValue.Null, 5)) "$-1"
                Expect.equal (value "*-1\r\n") (RespParser.ValueParse.Value(RespValue.NullArray, 5)) "*-1"
            }
            test "an integer may carry a plus sign" {
                Expect.equal (value ":+7\r\n") (RespParser.ValueParse.Value(RespValue.Integer 7L, 5)) ""
            }
            test "a RESP3 double may be nan" {
                match value ",nan\r\n" with
                | RespParser.ValueParse.Value(RespValue.Double d, 6) -> Expect.isTrue (Double.IsNaN d) "NaN"
                | other -> failtestf "got %A" other
            }
            test "an unknown type byte is invalid" { Expect.isTrue (isInvalid (value "?x\r\n")) "" }
            test "a lone unknown type byte is invalid, not incomplete" { Expect.isTrue (isInvalid (value "X")) "" }
            test "a bulk payload not followed by CRLF is invalid" {
                Expect.isTrue (isInvalid (value "$1\r\nab\r\n")) ""
            }
            test "a line ended by a bare CR is invalid" { Expect.isTrue (isInvalid (value "+OK\rX\n")) "" }
            test "an integer that is not a number is invalid" { Expect.isTrue (isInvalid (value ":abc\r\n")) "" }
            test "a negative length other than -1 is invalid" { Expect.isTrue (isInvalid (value "$-2\r\n")) "" }
            test "an empty input is incomplete" {
                Expect.equal (RespParser.parseValue [||]) RespParser.ValueParse.Incomplete ""
            }
            test "a verbatim string without ':' after its format is invalid" {
                Expect.isTrue (isInvalid (value "=5\r\ntxt-x\r\n")) ""
            }

            test "parseCommand reads a multibulk command and reports the bytes it used" {
                let r = command "*1\r\n$4\r\nPING\r\n+extra"
                Expect.equal (r.Status, r.Consumed, r.Argv) (ReadStatus.Command, 14, [| "PING"B |]) ""
            }
            test "parseCommand keeps CR and LF inside a payload as bytes" {
                let r = command "*1\r\n$4\r\n\r\n\r\n\r\n"
                Expect.equal r.Argv [| "\r\n\r\n"B |] ""
            }
            test "parseCommand splits an inline line like sdssplitargs" {
                let r = command "SET k \"a\\x00\\r\\\"\" 'it\\'s'\r\n"
                Expect.equal (r.Status, r.Argv) (ReadStatus.Command, [| "SET"B; "k"B; "a\000\r\""B; "it's"B |]) ""
            }
            test "parseCommand reports a protocol error with Redis's text" {
                let r = command "*1\r\n$x\r\n"
                Expect.equal (r.Status, r.Error.Text) (ReadStatus.Malformed, "Protocol error: invalid bulk length") ""
            }
        ]
