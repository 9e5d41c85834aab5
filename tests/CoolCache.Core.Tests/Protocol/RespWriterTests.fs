/// RespWriter: exact bytes per type in RESP2 and RESP3 (Redis's downgrades), the fast paths agreeing with
/// the general writer, and writing through a buffer writer that hands out small spans.
module CoolCache.Core.Tests.Protocol.RespWriterTests

open System
open System.Buffers
open Expecto
open FsCheck.FSharp
open CoolCache.Core
open CoolCache.Core.Protocol
open CoolCache.Core.Tests.Generators

/// A buffer writer that hands out spans of exactly the size asked for (at least one byte), in many pieces.
type private ChunkyWriter() =
    let written = ResizeArray<byte>()
    let mutable pending: byte[] = [||]

    member _.Bytes = written.ToArray()

    interface IBufferWriter<byte> with
        member _.GetMemory(sizeHint) =
            pending <- Array.zeroCreate (max 1 sizeHint)
            Memory pending

        member _.GetSpan(sizeHint) =
            pending <- Array.zeroCreate (max 1 sizeHint)
            Span pending

        member _.Advance(count) = written.AddRange(pending[.. count - 1])

let private written (write: IBufferWriter<byte> -> unit) : string =
    let buffer = ArrayBufferWriter<byte>()
    write buffer
    Bytes.toLatin1 (buffer.WrittenSpan.ToArray())

let private bytesOf proto v =
    Bytes.toLatin1 (RespWriter.toBytes proto v)

let private both (name: string) (v: RespValue) (resp2: string) (resp3: string) =
    test name {
        Expect.equal (bytesOf 2 v) resp2 "RESP2"
        Expect.equal (bytesOf 3 v) resp3 "RESP3"
    }

let private config =
    { FsCheckConfig.defaultConfig with
        maxTest = 300
    }

let tests =
    testList
        "RespWriter"
        [
            both "a simple string is written as +text" (RespValue.Simple "OK") "+OK\r\n" "+OK\r\n"
            both
                "an error is written as -text with its code"
                (RespValue.Error "ERR syntax error")
                "-ERR syntax error\r\n"
                "-ERR syntax error\r\n"
            both
                "CR and LF inside a simple string are written as spaces"
                (RespValue.Simple "a\r\nb")
                "+a  b\r\n"
                "+a  b\r\n"
            both
                "an integer is written as :n"
                (RespValue.Integer -9223372036854775808L)
                ":-9223372036854775808\r\n"
                ":-9223372036854775808\r\n"
            both
                "a bulk string is binary safe"
                (RespValue.Bulk "a\r\n\000b"B)
                "$5\r\na\r\n\000b\r\n"
                "$5\r\na\r\n\000b\r\n"
            both "an empty bulk string has length zero" (RespValue.Bulk [||]) "$0\r\n\r\n" "$0\r\n\r\n"
            both "null is $-1 in RESP2 and _ in RESP3" RespValue.Null "$-1\r\n" "_\r\n"
            both "the null array is *-1 in RESP2 and _ in RESP3" RespValue.NullArray "*-1\r\n" "_\r\n"
            both
                "a map is a flat array of 2n in RESP2 and %n in RESP3"
                (RespValue.Map [| struct (RespValue.ofString "a", RespValue.Integer 1L) |])
                "*2\r\n$1\r\na\r\n:1\r\n"
                "%1\r\n$1\r\na\r\n:1\r\n"
            both
                "a set is an array in RESP2 and ~n in RESP3"
                (RespValue.Set [| RespValue.Integer 1L |])
                "*1\r\n:1\r\n"
                "~1\r\n:1\r\n"
            both "a push is an array in RESP2 and >n in RESP3" (RespValue.Push [||]) "*0\r\n" ">0\r\n"
            both "a double is a bulk string in RESP2 and ,d in RESP3" (RespValue.Double 1.5) "$3\r\n1.5\r\n" ",1.5\r\n"
            both "infinity is written as inf" (RespValue.Double Double.PositiveInfinity) "$3\r\ninf\r\n" ",inf\r\n"
            both
                "negative infinity is written as -inf"
                (RespValue.Double Double.NegativeInfinity)
                "$4\r\n-inf\r\n"
                ",-inf\r\n"
            both "a boolean is :1/:0 in RESP2 and #t/#f in RESP3" (RespValue.Boolean true) ":1\r\n" "#t\r\n"
            both "false is :0 in RESP2 and #f in RESP3" (RespValue.Boolean false) ":0\r\n" "#f\r\n"
            both
                "a big number is a bulk string in RESP2 and (n in RESP3"
                (RespValue.BigNumber "-123456789012345678901234567890")
                "$31\r\n-123456789012345678901234567890\r\n"
                "(-123456789012345678901234567890\r\n"
            both
                "a verbatim string is a bulk of its payload in RESP2 and =len fmt:payload in RESP3"
                (RespValue.Verbatim("txt", "hi"B))
                "$2\r\nhi\r\n"
                "=6\r\ntxt:hi\r\n"
            both
                "nested aggregates downgrade all the way down"
                (RespValue.Array [| RespValue.Set [| RespValue.Boolean false; RespValue.Null |] |])
                "*1\r\n*2\r\n:0\r\n$-1\r\n"
                "*1\r\n~2\r\n#f\r\n_\r\n"

            test "writeOk writes +OK" { Expect.equal (written RespWriter.writeOk) "+OK\r\n" "" }
            test "writeInteger writes what Integer writes" {
                for n in [ 0L; 1L; -1L; Int64.MaxValue; Int64.MinValue ] do
                    Expect.equal (written (RespWriter.writeInteger n)) (bytesOf 2 (RespValue.Integer n)) (string n)
            }
            test "writeNull writes what Null writes in each protocol" {
                for p in [ 2; 3 ] do
                    Expect.equal (written (RespWriter.writeNull p)) (bytesOf p RespValue.Null) (string p)
            }
            test "writeNullArray writes what NullArray writes in each protocol" {
                for p in [ 2; 3 ] do
                    Expect.equal (written (RespWriter.writeNullArray p)) (bytesOf p RespValue.NullArray) (string p)
            }
            test "a bulk string larger than one chunk is written whole" {
                let payload = Array.init 100_000 (fun i -> byte (i % 251))
                let expected = Array.concat [ "$100000\r\n"B; payload; "\r\n"B ]
                let chunky = ChunkyWriter()
                RespWriter.writeBulk (ReadOnlySpan payload) chunky
                Expect.equal chunky.Bytes expected "chunked"
                Expect.equal (RespWriter.toBytes 2 (RespValue.Bulk payload)) expected "array writer"
            }
            test "writing small replies allocates nothing per call" {
                let buffer = ArrayBufferWriter<byte>(1024)
                let payload = "value"B

                let writeAll () =
                    RespWriter.writeBulk (ReadOnlySpan payload) buffer
                    RespWriter.writeInteger 42L buffer
                    RespWriter.writeOk buffer
                    RespWriter.writeNull 2 buffer
                    RespWriter.writeArrayHeader 3 buffer
                    buffer.ResetWrittenCount()

                writeAll ()
                let calls = 10_000
                let before = GC.GetAllocatedBytesForCurrentThread()

                for _ in 1..calls do
                    writeAll ()

                // A fixed few bytes of measuring overhead are tolerated; one allocation per call is not.
                Expect.isLessThan (GC.GetAllocatedBytesForCurrentThread() - before) (int64 calls) "bytes allocated"
            }

            testPropertyWithConfig config "writeBulk writes what Bulk writes"
            <| Prop.forAll (Arb.fromGen payload) (fun p ->
                Expect.equal
                    (written (fun o -> RespWriter.writeBulk (ReadOnlySpan p) o))
                    (bytesOf 3 (RespValue.Bulk p))
                    "")

            testPropertyWithConfig config "writing through small spans gives the same bytes as toBytes"
            <| Prop.forAll (Arb.fromGen (Gen.zip (Gen.elements [ 2; 3 ]) respValue)) (fun (proto, v) ->
                let chunky = ChunkyWriter()
                RespWriter.write proto v chunky
                Expect.equal chunky.Bytes (RespWriter.toBytes proto v) "")
        ]
