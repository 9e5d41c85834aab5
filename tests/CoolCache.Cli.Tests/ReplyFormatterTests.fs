/// ReplyFormatter on replies whose redis-cli 7.0.15 output was recorded (so these run without redis-cli):
/// nested and padded arrays, maps with aggregate keys and values, raw and CSV flattening, JSON keys.
module CoolCache.Cli.Tests.ReplyFormatterTests

open System.Text
open Expecto
open CoolCache.Cli.Output
open CoolCache.Cli.Protocol
open CoolCache.Core.Tests.Generators

let private parse (bytes: byte[]) =
    let mutable reply = Reply.Nil
    let mutable used = 0
    let mutable error = ""
    ReplyReader.TryRead(bytes, &reply, &used, &error) |> ignore
    reply

let private format mode bytes =
    (ReplyFormatter.Format(parse bytes, mode)).ToString()

/// Two nested arrays (one empty), and a map whose value is an array: "*2 *2 *0 *1 $0 %1 +k *2 :1 :2".
let private nested =
    "*2\r\n*2\r\n*0\r\n*1\r\n$0\r\n\r\n%1\r\n+k\r\n*2\r\n:1\r\n:2\r\n"B

/// A map with an integer key over an array, and a boolean key over a map of a set.
let private map = "%2\r\n:1\r\n*2\r\n:1\r\n:2\r\n#t\r\n%1\r\n+a\r\n~1\r\n+b\r\n"B

let tests =
    testList
        "ReplyFormatter"
        [
            testCase "terminal: nested arrays and a multi-line map value as redis-cli prints them"
            <| fun () ->
                Expect.equal
                    (format OutputMode.Standard nested)
                    "1) 1) (empty array)\n   2) 1) \"\"\n2) 1# k => \n      1) (integer) 1\n      2) (integer) 2\n"
                    ""

            testCase "terminal: map keys of any type, a one-line value stays on the key's line"
            <| fun () ->
                Expect.equal
                    (format OutputMode.Standard map)
                    "1# (integer) 1 => \n   1) (integer) 1\n   2) (integer) 2\n2# (true) => 1# a => 1~ b\n"
                    ""

            testCase "terminal: indexes are padded to the widest"
            <| fun () ->
                let twelve =
                    Array.concat [ "*12\r\n"B; yield! [ for i in 1..12 -> Encoding.ASCII.GetBytes $":{i}\r\n" ] ]

                let text = format OutputMode.Standard twelve
                Expect.stringStarts text " 1) (integer) 1\n 2) (integer) 2\n" "start"
                Expect.stringEnds text "10) (integer) 10\n11) (integer) 11\n12) (integer) 12\n" "end"

            testCase "raw: elements one per line, map entries as 'key value'"
            <| fun () ->
                Expect.equal (format OutputMode.Raw nested) "\n\nk 1\n2\n" "nested"
                Expect.equal (format OutputMode.Raw map) "1 1\n2\n(true) a b\n" "map"

            testCase "CSV: everything flattened with commas"
            <| fun () ->
                Expect.equal (format OutputMode.Csv nested) ",\"\",\"k\",1,2\n" "nested"
                Expect.equal (format OutputMode.Csv map) "1,1,2,true,\"a\",\"b\"\n" "map"

            testCase "JSON: keys that are not strings become strings"
            <| fun () ->
                Expect.equal (format OutputMode.Json nested) "[[[],[\"\"]],{\"k\":[1,2]}]\n" "nested"
                Expect.equal (format OutputMode.Json map) "{\"1\":[1,2],\"true\":{\"a\":[\"b\"]}}\n" "map"

            testCase "strings are quoted in terminal output, escaped in JSON, bytes as they are in raw"
            <| fun () ->
                let bulk = latin1 "$7\r\na\x01\xffb\"\\\n\r\n"
                Expect.equal (format OutputMode.Standard bulk) "\"a\\x01\\xffb\\\"\\\\\\n\"\n" "terminal"

                Expect.equal
                    (ReplyFormatter.Format(parse bulk, OutputMode.Json).ToArray())
                    (latin1 "\"a\\u0001\xffb\\\"\\\\\\n\"\n")
                    "json"

                Expect.equal
                    (ReplyFormatter.Format(parse bulk, OutputMode.Raw).ToArray())
                    (latin1 "a\x01\xffb\"\\\n\n")
                    "raw"

            testCase "a big number is a type redis-cli 7.0 cannot print"
            <| fun () ->
                Expect.throwsT<UnknownReplyTypeException>
                    (fun () -> format OutputMode.Standard "(123\r\n"B |> ignore)
                    "unknown type"
        ]
