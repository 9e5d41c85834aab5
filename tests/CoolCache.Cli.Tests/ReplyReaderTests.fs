/// ReplyReader: every RESP2/RESP3 value CoolCache's writer produces reads back whole, short input is
/// incomplete and consumes nothing, and the inputs hiredis rejects fail with hiredis's words.
module CoolCache.Cli.Tests.ReplyReaderTests

open System.Text
open Expecto
open FsCheck.FSharp
open CoolCache.Core.Protocol
open CoolCache.Core.Tests.Generators
open CoolCache.Cli.Protocol

let private read (bytes: byte[]) =
    let mutable reply = Reply.Nil
    let mutable used = 0
    let mutable error = ""
    let status = ReplyReader.TryRead(bytes, &reply, &used, &error)
    status, reply, used, error

/// The shape of a value as text, the same for a RespValue written in RESP3 and the Reply read back.
let rec private shapeOfValue (v: RespValue) : string =
    let all (xs: RespValue seq) =
        xs |> Seq.map shapeOfValue |> String.concat ","

    match v with
    | RespValue.Simple s -> $"+{s}"
    | RespValue.Error s -> $"-{s}"
    | RespValue.Integer n -> $":{n}"
    | RespValue.Bulk b -> "$" + Encoding.Latin1.GetString b
    | RespValue.Null
    | RespValue.NullArray -> "nil"
    | RespValue.Array xs -> $"[{all xs}]"
    | RespValue.Set xs -> $"~[{all xs}]"
    | RespValue.Push xs -> $">[{all xs}]"
    | RespValue.Map kvs -> $"%%[{kvs |> Seq.collect (fun struct (k, x) -> [ k; x ]) |> all}]"
    | RespValue.Double _ -> "double"
    | RespValue.Boolean b -> $"#{b}"
    | RespValue.BigNumber n -> $"({n}"
    | RespValue.Verbatim(format, payload) -> $"={format}:{Encoding.Latin1.GetString payload}"

let rec private shapeOfReply (r: Reply) : string =
    let text = Encoding.Latin1.GetString r.Text

    let all () =
        r.Elements |> Seq.map shapeOfReply |> String.concat ","

    match r.Type with
    | ReplyType.Status -> $"+{text}"
    | ReplyType.Error -> $"-{text}"
    | ReplyType.Integer -> $":{r.Integer}"
    | ReplyType.String -> "$" + text
    | ReplyType.Nil -> "nil"
    | ReplyType.Array -> $"[{all ()}]"
    | ReplyType.Set -> $"~[{all ()}]"
    | ReplyType.Push -> $">[{all ()}]"
    | ReplyType.Map -> $"%%[{all ()}]"
    | ReplyType.Double -> "double"
    | ReplyType.Bool -> $"#{r.Integer = 1L}"
    | ReplyType.BigNumber -> $"({text}"
    | ReplyType.Verbatim -> $"={r.Format}:{text}"
    | other -> string other

let private config =
    { FsCheckConfig.defaultConfig with
        maxTest = 300
    }

let tests =
    testList
        "ReplyReader"
        [
            testPropertyWithConfig config "a value written in RESP3 reads back whole, as itself"
            <| Prop.forAll (Arb.fromGen respValue) (fun v ->
                let bytes = RespWriter.toBytes 3 v
                let status, reply, used, error = read bytes
                Expect.equal status ReadStatus.Complete error
                Expect.equal used bytes.Length "consumed"
                Expect.equal (shapeOfReply reply) (shapeOfValue v) "shape")

            testPropertyWithConfig config "every strict prefix of a written value is incomplete"
            <| Prop.forAll (Arb.fromGen (Gen.zip (Gen.elements [ 2; 3 ]) respValue)) (fun (proto, v) ->
                let bytes = RespWriter.toBytes proto v

                for n in 0 .. bytes.Length - 1 do
                    let status, _, used, _ = read bytes[.. n - 1]
                    Expect.equal (status, used) (ReadStatus.Incomplete, 0) (sprintf "prefix %d" n))

            testCase "a double is kept as the server wrote it"
            <| fun () ->
                let _, reply, _, _ = read ",1.50e10\r\n"B
                Expect.equal (Encoding.ASCII.GetString reply.Text) "1.50e10" "text"

            testCase "what hiredis 1.0 refuses is refused with its words"
            <| fun () ->
                let error (bytes: byte[]) =
                    let status, _, _, error = read bytes
                    Expect.equal status ReadStatus.Invalid "status"
                    error

                Expect.equal (error ",nan\r\n"B) "Bad double value" "nan"
                Expect.equal (error "|1\r\n+a\r\n:1\r\n"B) "Protocol error, got \"|\" as reply type byte" "attribute"
                Expect.equal (error "\x01\r\n"B) "Protocol error, got \"\\x01\" as reply type byte" "control byte"
                Expect.equal (error "#x\r\n"B) "Bad bool value" "bool"
                Expect.equal (error ":12a\r\n"B) "Bad integer value" "integer"
        ]
