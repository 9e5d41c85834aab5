/// RespReplyReader against a reference writer: any RESP2/RESP3 value written and read back is itself,
/// whole or fed in random chunks; every proper prefix is "need more" with nothing consumed.
module CoolCache.Client.Tests.RespReplyReaderTests

open System
open System.IO
open System.Text
open Expecto
open FsCheck
open FsCheck.FSharp
open CoolCache.Client

/// The reference writer: RESP3 framing as the specification spells it.
let rec write (out: MemoryStream) (r: RedisReply) =
    let put (s: string) =
        let b = Encoding.ASCII.GetBytes s
        out.Write(b, 0, b.Length)

    let blob (prefix: string) (b: byte[]) =
        put (sprintf "%s%d\r\n" prefix b.Length)
        out.Write(b, 0, b.Length)
        put "\r\n"

    let aggregate (prefix: string) (n: int) =
        put (sprintf "%s%d\r\n" prefix n)

        for item in r.Items do
            write out item

    match r.Kind with
    | ReplyKind.SimpleString ->
        put "+"
        out.Write(r.Bytes, 0, r.Bytes.Length)
        put "\r\n"
    | ReplyKind.Error ->
        put "-"
        out.Write(r.Bytes, 0, r.Bytes.Length)
        put "\r\n"
    | ReplyKind.Integer -> put (sprintf ":%d\r\n" r.Integer)
    | ReplyKind.BulkString -> blob "$" r.Bytes
    | ReplyKind.Null -> put "_\r\n"
    | ReplyKind.Double -> put ("," + RedisReply.FormatDouble r.Double + "\r\n")
    | ReplyKind.Boolean -> put (if r.Integer <> 0L then "#t\r\n" else "#f\r\n")
    | ReplyKind.BigNumber -> put ("(" + Encoding.ASCII.GetString r.Bytes + "\r\n")
    | ReplyKind.VerbatimString -> blob "=" (Array.append (Encoding.ASCII.GetBytes(r.Format + ":")) r.Bytes)
    | ReplyKind.Array -> aggregate "*" r.Count
    | ReplyKind.Set -> aggregate "~" r.Count
    | ReplyKind.Push -> aggregate ">" r.Count
    | ReplyKind.Map -> aggregate "%" (r.Count / 2)
    | k -> failwithf "no writer for %A" k

let bytesOf (r: RedisReply) =
    use out = new MemoryStream()
    write out r
    out.ToArray()

let private line =
    Gen.elements ([ 'a' .. 'z' ] @ [ ' '; 'Z'; '0'; '-' ])
    |> Gen.arrayOf
    |> Gen.map (fun cs -> Encoding.ASCII.GetBytes(String cs))

let private anyBytes = Gen.choose (0, 255) |> Gen.map byte |> Gen.arrayOf

let private scalar =
    Gen.oneof
        [
            line |> Gen.map RedisReply.Simple
            line |> Gen.map (fun l -> RedisReply.Error(Array.append "ERR "B l))
            Gen.choose64 (Int64.MinValue, Int64.MaxValue) |> Gen.map RedisReply.FromInteger
            anyBytes |> Gen.map RedisReply.Bulk
            Gen.constant RedisReply.Nil
            Gen.elements
                [
                    0.0
                    1.5
                    -2.25
                    1e300
                    Double.PositiveInfinity
                    Double.NegativeInfinity
                    Double.NaN
                ]
            |> Gen.map RedisReply.FromDouble
            Gen.elements [ true; false ] |> Gen.map RedisReply.FromBoolean
            Gen.choose (0, 1000000)
            |> Gen.map (fun n -> RedisReply.BigNumber(Encoding.ASCII.GetBytes(sprintf "%d000000000000000000000" n)))
            anyBytes |> Gen.map (fun b -> RedisReply.Verbatim("txt", b))
        ]

let rec private reply (size: int) : Gen<RedisReply> =
    if size <= 0 then
        scalar
    else
        let items = Gen.listOf (reply (size / 3)) |> Gen.map Array.ofList

        Gen.frequency
            [
                3, scalar
                1, items |> Gen.map (fun xs -> RedisReply.Aggregate(ReplyKind.Array, xs))
                1, items |> Gen.map (fun xs -> RedisReply.Aggregate(ReplyKind.Set, xs))
                1, items |> Gen.map (fun xs -> RedisReply.Aggregate(ReplyKind.Push, xs))
                1,
                items
                |> Gen.map (fun xs ->
                    RedisReply.Aggregate(
                        ReplyKind.Map,
                        (if xs.Length % 2 = 0 then
                             xs
                         else
                             Array.append xs [| RedisReply.Nil |])
                    ))
            ]

let replies = Arb.fromGen (Gen.sized reply)

/// Feed bytes in the given chunk sizes as a connection would: append, try to read, keep the rest.
let readChunked (bytes: byte[]) (cuts: int list) : RedisReply list =
    let buffer = ResizeArray<byte>()
    let results = ResizeArray<RedisReply>()
    let mutable pos = 0

    let drain () =
        let mutable go = true

        while go do
            let span = ReadOnlySpan(buffer.ToArray())
            let mutable r = RedisReply.Nil
            let mutable used = 0

            if buffer.Count > 0 && RespReplyReader.TryRead(span, &r, &used) then
                results.Add r
                buffer.RemoveRange(0, used)
            else
                go <- false

    for c in cuts do
        let n = min c (bytes.Length - pos)
        buffer.AddRange(bytes[pos .. pos + n - 1])
        pos <- pos + n
        drain ()

    buffer.AddRange(bytes[pos..])
    drain ()
    Expect.equal buffer.Count 0 "every byte consumed"
    List.ofSeq results

let tests =
    testList
        "RespReplyReader"
        [
            testProperty "a written reply reads back as itself"
            <| Prop.forAll replies (fun r ->
                let b = bytesOf r
                let mutable got = RedisReply.Nil
                let mutable used = 0

                RespReplyReader.TryRead(ReadOnlySpan b, &got, &used)
                && used = b.Length
                && got.Equals r)

            testProperty "every proper prefix needs more and consumes nothing"
            <| Prop.forAll replies (fun r ->
                let b = bytesOf r

                [ 0 .. b.Length - 1 ]
                |> List.forall (fun n ->
                    let mutable got = RedisReply.Nil
                    let mutable used = 0
                    not (RespReplyReader.TryRead(ReadOnlySpan(b, 0, n), &got, &used)) && used = 0))

            testProperty "replies fed in random chunks read back in order"
            <| Prop.forAll
                (Arb.fromGen (Gen.zip (Gen.nonEmptyListOf (Gen.sized reply)) (Gen.listOf (Gen.choose (1, 17)))))
                (fun (rs, cuts) ->
                    let all = rs |> List.map bytesOf |> Array.concat
                    let got = readChunked all cuts

                    got.Length = rs.Length
                    && List.forall2 (fun (a: RedisReply) b -> a.Equals b) got rs)

            test "RESP2 nulls, blob errors and attributes" {
                let read (s: string) =
                    let b = Encoding.Latin1.GetBytes s
                    let mutable got = RedisReply.Nil
                    let mutable used = 0
                    Expect.isTrue (RespReplyReader.TryRead(ReadOnlySpan b, &got, &used)) s
                    Expect.equal used b.Length "consumed"
                    got

                Expect.isTrue (read "$-1\r\n").IsNull "null bulk"
                Expect.isTrue (read "*-1\r\n").IsNull "null array"
                Expect.equal ((read "!9\r\nERR oops!\r\n").ErrorMessage) "ERR oops!" "blob error"
                let a = read "|1\r\n+ttl\r\n:3\r\n:42\r\n"
                Expect.equal a.Integer 42L "the described reply"
                Expect.equal a.Attributes.Count 2 "its attributes"
            }

            test "bytes that are not RESP are refused" {
                Expect.throwsT<RedisProtocolException>
                    (fun () ->
                        let mutable got = RedisReply.Nil
                        let mutable used = 0
                        RespReplyReader.TryRead(ReadOnlySpan "?what\r\n"B, &got, &used) |> ignore)
                    "unknown type byte"
            }
        ]
