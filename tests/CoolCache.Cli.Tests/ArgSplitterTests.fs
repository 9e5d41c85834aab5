/// ArgSplitter (redis-cli's quoting rules, sds.c sdssplitargs) against CoolCache's own inline-command
/// parser, which implements the same sdssplitargs for the server: generated lines split alike.
module CoolCache.Cli.Tests.ArgSplitterTests

open System.Text
open Expecto
open FsCheck
open FsCheck.FSharp
open CoolCache.Core.Protocol
open CoolCache.Core.Tests.Generators
open CoolCache.Cli.Shell

let private split (line: string) =
    ArgSplitter.Split(Encoding.UTF8.GetBytes line)
    |> Option.ofObj
    |> Option.map (Seq.map Encoding.UTF8.GetString >> List.ofSeq)

/// What the server's inline parser makes of a line: Some argv, Some [] for a blank line, None when the
/// quotes do not balance.
let private serverSplit (line: byte[]) =
    let result = RespParser.parseCommand defaultLimits (Array.append line "\n"B)

    match result.Status with
    | ReadStatus.Command -> Some(List.ofArray result.Argv)
    | ReadStatus.Skip -> Some []
    | _ -> None

let private config =
    { FsCheckConfig.defaultConfig with
        maxTest = 500
    }

/// Lines of the bytes that matter to quoting (no line end, no NUL, not a multibulk '*').
let private line: Gen<byte[]> =
    Gen.elements (latin1 "ab \t\"'\\x4Fn\x0b\x0c\r\xc3\xa9" |> Array.toList)
    |> Gen.arrayOf
    |> Gen.filter (fun l -> l.Length = 0 || l[0] <> byte '*')

let tests =
    testList
        "ArgSplitter"
        [
            testCase "blanks separate arguments; double quotes take escapes"
            <| fun () ->
                Expect.equal
                    (split "set  k \"a\\x41\\n\\t\\\"\\\\\" 'it\\'s'")
                    (Some [ "set"; "k"; "aA\n\t\"\\"; "it's" ])
                    ""

            testCase "a quote may start inside an argument; an unknown escape is the char itself"
            <| fun () -> Expect.equal (split "a\"b c\" \"\\q\"") (Some [ "ab c"; "q" ]) ""

            testCase "an unterminated quote or a closing quote followed by a non-blank is invalid"
            <| fun () ->
                Expect.equal (split "get \"abc") None "unterminated"
                Expect.equal (split "get 'a'b") None "closing quote then text"

            testCase "an empty or blank line has no arguments"
            <| fun () ->
                Expect.equal (split "") (Some []) "empty"
                Expect.equal (split " \t ") (Some []) "blank"

            testPropertyWithConfig config "a generated inline command splits into the argv it stands for"
            <| Prop.forAll (Arb.fromGen inlineCommand) (fun (text, argv) ->
                let text = text |> Array.takeWhile (fun b -> b <> 10uy)

                if not (Array.contains 0uy text) then
                    let got = ArgSplitter.Split text |> Option.ofObj |> Option.map List.ofSeq
                    Expect.equal got (Some(List.ofArray argv)) "argv")

            testPropertyWithConfig config "any line splits as the server's inline parser splits it"
            <| Prop.forAll (Arb.fromGen line) (fun text ->
                let got = ArgSplitter.Split text |> Option.ofObj |> Option.map List.ofSeq
                Expect.equal got (serverSplit text) (Encoding.Latin1.GetString text))
        ]
