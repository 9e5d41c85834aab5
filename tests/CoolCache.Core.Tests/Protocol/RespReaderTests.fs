/// RespReader against its specification RespParser.parseCommand (valid, inline and hostile inputs), the
/// incremental contract (prefixes, pipelines, every split point), and Redis 7's protocol behaviours by example.
module CoolCache.Core.Tests.Protocol.RespReaderTests

open System
open Expecto
open FsCheck
open FsCheck.FSharp
open CoolCache.Core
open CoolCache.Core.Protocol
open CoolCache.Core.Tests.Generators

/// What two results must agree on: status, bytes used, argument contents, and the error when malformed.
let private view (r: ReadResult) =
    r.Status,
    r.Consumed,
    (if isNull r.Argv then None else Some(List.ofArray r.Argv)),
    (if r.Status = ReadStatus.Malformed then
         Some r.Error
     else
         None)

let private read limits (input: Bytes) =
    RespReader.read (limits, ReadOnlySpan input)

/// Reads with both implementations, checks they agree, and returns the (shared) result.
let private readBoth limits (input: Bytes) : ReadResult =
    let fast = read limits input
    let spec = RespParser.parseCommand limits input
    Expect.equal (view fast) (view spec) (sprintf "reader vs grammar on %A" (Bytes.toLatin1 input))
    fast

/// Reads commands from the front of the buffer until it needs more: the Kestrel-style loop of the server.
let private drain (readAt: Bytes -> int -> ReadResult) (buffer: Bytes) (start: int) : Bytes[] list * int =
    let rec loop start acc =
        let r = readAt buffer start

        match r.Status with
        | ReadStatus.Command -> loop (start + r.Consumed) (r.Argv :: acc)
        | ReadStatus.Skip -> loop (start + r.Consumed) acc
        | ReadStatus.Incomplete -> List.rev acc, start
        | _ -> failtestf "malformed: %s" r.Error.Text

    loop start []

/// The reader on the unread part of the buffer, as the server calls it (no copy).
let private readerAt limits (buffer: Bytes) (start: int) =
    RespReader.read (limits, ReadOnlySpan(buffer, start, buffer.Length - start))

/// Both implementations on the unread part of the buffer, checked to agree.
let private bothAt limits (buffer: Bytes) (start: int) = readBoth limits buffer[start..]

/// Feeds the bytes in the given chunks, draining after each arrival; returns every command read.
let private feed readAt (chunks: Bytes list) : Bytes[] list =
    let mutable buffer: Bytes = [||]
    let mutable start = 0
    let commands = ResizeArray()

    for chunk in chunks do
        buffer <- Array.append buffer chunk
        let got, next = drain readAt buffer start
        commands.AddRange got
        start <- next

    Expect.equal start buffer.Length "everything consumed"
    List.ofSeq commands

let private config =
    { FsCheckConfig.defaultConfig with
        maxTest = 500
    }

let private limits = defaultLimits
let private unauthenticated = { limits with AuthRequired = true }

/// An example: the text read by both implementations gives the expected status, bytes used and argv.
let private reads (name: string) (text: string) (consumed: int) (argv: string list) =
    test name {
        let r = readBoth limits (latin1 text)

        Expect.equal
            (view r)
            (view
                {
                    Status = ReadStatus.Command
                    Consumed = consumed
                    Argv = argv |> List.map latin1 |> Array.ofList
                    Error = ProtocolError.InvalidBulkLength
                })
            ""
    }

let private status (name: string) (limits: ReadLimits) (text: string) (expected: ReadStatus) (consumed: int) =
    test name {
        let r = readBoth limits (latin1 text)
        Expect.equal (r.Status, r.Consumed) (expected, consumed) ""
    }

let private fails (name: string) (limits: ReadLimits) (text: string) (error: ProtocolError) =
    test name {
        let r = readBoth limits (latin1 text)
        Expect.equal (r.Status, r.Error) (ReadStatus.Malformed, error) error.Text
    }

let private allocatedBy (f: unit -> unit) =
    f ()
    let before = GC.GetAllocatedBytesForCurrentThread()
    f ()
    GC.GetAllocatedBytesForCurrentThread() - before

let private big = String('a', 65537)

let tests =
    testList
        "RespReader"
        [
            testList
                "agrees with the grammar"
                [
                    testPropertyWithConfig config "on valid multibulk commands, reading their arguments"
                    <| Prop.forAll (Arb.fromGen (Gen.zip readLimits multibulkCommand)) (fun (limits, (frame, argv)) ->
                        let r =
                            readBoth
                                { limits with
                                    MaxBulkLength = Int64.MaxValue
                                    AuthRequired = false
                                }
                                frame

                        Expect.equal (view r) (ReadStatus.Command, frame.Length, Some(List.ofArray argv), None) "")

                    testPropertyWithConfig config "on valid inline lines, reading their arguments"
                    <| Prop.forAll (Arb.fromGen inlineCommand) (fun (line, argv) ->
                        let r = readBoth limits line
                        Expect.equal (view r) (ReadStatus.Command, line.Length, Some(List.ofArray argv), None) "")

                    testPropertyWithConfig config "on hostile input under any limits"
                    <| Prop.forAll
                        (Arb.fromGenShrink (
                            Gen.zip readLimits hostile,
                            fun (l, b) -> shrinkBytes b |> Seq.map (fun b -> l, b)
                        ))
                        (fun (limits, input) -> readBoth limits input |> ignore)

                    testPropertyWithConfig config "on every prefix of hostile input"
                    <| Prop.forAll
                        (Arb.fromGen (Gen.zip readLimits hostile |> Gen.filter (fun (_, b) -> b.Length < 400)))
                        (fun (limits, input) ->
                            for n in 0 .. input.Length do
                                readBoth limits input[.. n - 1] |> ignore)
                ]

            testList
                "incremental contract"
                [
                    testPropertyWithConfig config "every strict prefix of a command is incomplete and consumes nothing"
                    <| Prop.forAll (Arb.fromGen command) (fun (frame, _) ->
                        for n in 0 .. frame.Length - 1 do
                            let r = readBoth limits frame[.. n - 1]
                            Expect.equal (r.Status, r.Consumed) (ReadStatus.Incomplete, 0) (sprintf "prefix %d" n))

                    testPropertyWithConfig config "a pipeline read from the front gives its commands in order"
                    <| Prop.forAll (Arb.fromGen pipeline) (fun commands ->
                        let bytes = concat (List.map fst commands)
                        Expect.equal (feed (bothAt limits) [ bytes ]) (List.map snd commands) "")

                    testPropertyWithConfig config "a pipeline split at every point gives the same commands"
                    <| Prop.forAll (Arb.fromGen pipeline) (fun commands ->
                        let bytes = concat (List.map fst commands)
                        let expected = List.map snd commands

                        for k in 0 .. bytes.Length do
                            Expect.equal
                                (feed (readerAt limits) [ bytes[.. k - 1]; bytes[k..] ])
                                expected
                                (sprintf "split at %d" k))

                    testPropertyWithConfig config "a pipeline arriving one byte at a time gives the same commands"
                    <| Prop.forAll (Arb.fromGen pipeline) (fun commands ->
                        let bytes = concat (List.map fst commands)
                        let chunks = [ for b in bytes -> [| b |] ]
                        Expect.equal (feed (readerAt limits) chunks) (List.map snd commands) "")
                ]

            testList
                "multibulk"
                [
                    reads
                        "a complete command is read with its arguments and the bytes it used"
                        "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n*1"
                        20
                        [ "GET"; "k" ]
                    reads
                        "binary arguments keep their NUL, CR and LF bytes"
                        "*1\r\n$5\r\na\000\r\nb\r\n"
                        15
                        [ "a\000\r\nb" ]
                    reads "an empty argument is read as empty bytes" "*2\r\n$0\r\n\r\n$1\r\nx\r\n" 17 [ ""; "x" ]
                    reads "the two bytes after a payload are skipped without being checked" "*1\r\n$1\r\naXY" 11 [ "a" ]
                    reads
                        "a header line ends at its first CR and the byte after it, whatever that byte is"
                        "*1\rX$1\rYa\r\n"
                        11
                        [ "a" ]
                    status "a '*0' header is skipped" limits "*0\r\nPING\r\n" ReadStatus.Skip 4
                    status "a negative multibulk count is skipped" limits "*-10\r\n" ReadStatus.Skip 6
                    status "an empty buffer is incomplete" limits "" ReadStatus.Incomplete 0
                    status "a count line without its CR is incomplete" limits "*1" ReadStatus.Incomplete 0
                    status "a count line whose CR is the last byte is incomplete" limits "*1\r" ReadStatus.Incomplete 0
                    status
                        "a bulk header without its CR is incomplete even if it does not start with '$'"
                        limits
                        "*1\r\nfoo"
                        ReadStatus.Incomplete
                        0
                    status
                        "a payload short of its trailing two bytes is incomplete"
                        limits
                        "*1\r\n$3\r\nabc\r"
                        ReadStatus.Incomplete
                        0
                    status
                        "an incomplete earlier argument means incomplete, whatever follows"
                        limits
                        "*2\r\n$5\r\nab"
                        ReadStatus.Incomplete
                        0
                    status
                        "exactly 64KB pending without a CR is still incomplete"
                        limits
                        ("*" + String('1', 65535))
                        ReadStatus.Incomplete
                        0
                    fails
                        "a count that is not a number is an invalid multibulk length"
                        limits
                        "*x\r\n"
                        ProtocolError.InvalidMultibulkLength
                    fails
                        "an empty count is an invalid multibulk length"
                        limits
                        "*\r\n"
                        ProtocolError.InvalidMultibulkLength
                    fails
                        "a '*-0' count is an invalid multibulk length (string2ll)"
                        limits
                        "*-0\r\n"
                        ProtocolError.InvalidMultibulkLength
                    fails
                        "a count with a '+' is an invalid multibulk length"
                        limits
                        "*+1\r\n"
                        ProtocolError.InvalidMultibulkLength
                    fails
                        "a count with a leading zero is an invalid multibulk length"
                        limits
                        "*01\r\n"
                        ProtocolError.InvalidMultibulkLength
                    fails
                        "a count above INT_MAX is an invalid multibulk length"
                        limits
                        "*2147483648\r\n"
                        ProtocolError.InvalidMultibulkLength
                    fails
                        "a count beyond int64 is an invalid multibulk length"
                        limits
                        "*9223372036854775808\r\n"
                        ProtocolError.InvalidMultibulkLength
                    status
                        "a count of INT_MAX with no data is incomplete"
                        limits
                        "*2147483647\r\n"
                        ReadStatus.Incomplete
                        0
                    fails
                        "more than 64KB without a CR is a too big multibulk count"
                        limits
                        ("*" + big)
                        ProtocolError.TooBigMultibulkCount
                    fails
                        "a bulk header not starting with '$' reports the byte found"
                        limits
                        "*2\r\n$3\r\nSET\r\nfooz\r\n"
                        (ProtocolError.ExpectedDollar 'f'B)
                    fails
                        "a bulk header that is just CR reports the CR it found"
                        limits
                        "*1\r\n\r\n"
                        (ProtocolError.ExpectedDollar '\r'B)
                    fails
                        "a malformed later header is reported though earlier arguments are complete"
                        limits
                        "*3\r\n$1\r\na\r\n$1\r\nb\r\n:1\r\n"
                        (ProtocolError.ExpectedDollar ':'B)
                    fails
                        "a negative bulk length is an invalid bulk length"
                        limits
                        "*1\r\n$-1\r\n"
                        ProtocolError.InvalidBulkLength
                    fails
                        "a bulk length that is not a number is an invalid bulk length"
                        limits
                        "*1\r\n$1a\r\n"
                        ProtocolError.InvalidBulkLength
                    fails
                        "a bulk length above proto-max-bulk-len is an invalid bulk length"
                        limits
                        "*1\r\n$536870913\r\n"
                        ProtocolError.InvalidBulkLength
                    status
                        "a bulk length of exactly proto-max-bulk-len with no data is incomplete"
                        limits
                        "*1\r\n$536870912\r\n"
                        ReadStatus.Incomplete
                        0
                    fails
                        "a bulk length above a lowered proto-max-bulk-len is an invalid bulk length"
                        { limits with MaxBulkLength = 3L }
                        "*1\r\n$4\r\nabcd\r\n"
                        ProtocolError.InvalidBulkLength
                    status
                        "with no bulk limit, a length near the int64 maximum is incomplete"
                        { limits with
                            MaxBulkLength = Int64.MaxValue
                        }
                        "*1\r\n$9223372036854775807\r\nabc"
                        ReadStatus.Incomplete
                        0
                    fails
                        "more than 64KB of bulk header without a CR is a too big bulk count"
                        limits
                        ("*1\r\n$" + big)
                        ProtocolError.TooBigBulkCount
                    fails
                        "an unauthenticated client may not announce more than 10 arguments"
                        unauthenticated
                        "*11\r\n"
                        ProtocolError.UnauthenticatedMultibulkLength
                    status
                        "an unauthenticated client may announce 10 arguments"
                        unauthenticated
                        "*10\r\n"
                        ReadStatus.Incomplete
                        0
                    fails
                        "an unauthenticated client may not announce a bulk above 16384 bytes"
                        unauthenticated
                        "*1\r\n$16385\r\n"
                        ProtocolError.UnauthenticatedBulkLength
                    fails
                        "an invalid count is reported before the unauthenticated limit"
                        unauthenticated
                        "*2147483648\r\n"
                        ProtocolError.InvalidMultibulkLength
                    status
                        "an unauthenticated client may announce a bulk of 16384 bytes"
                        unauthenticated
                        "*1\r\n$16384\r\n"
                        ReadStatus.Incomplete
                        0

                    test "a star header of a million arguments with no data is incomplete and allocates nothing big" {
                        let input = "*1000000\r\n$1\r\na\r\n"B
                        Expect.equal (readBoth limits input).Status ReadStatus.Incomplete ""

                        Expect.isLessThan
                            (allocatedBy (fun () -> read limits input |> ignore))
                            1000L
                            "reader bytes allocated"

                        Expect.isLessThan
                            (allocatedBy (fun () -> RespParser.parseCommand limits input |> ignore))
                            100_000L
                            "grammar bytes allocated"
                    }
                    test "a bulk length of half a gigabyte with no data is incomplete and allocates nothing big" {
                        let input = "*1\r\n$500000000\r\nabc"B
                        Expect.equal (readBoth limits input).Status ReadStatus.Incomplete ""

                        Expect.isLessThan
                            (allocatedBy (fun () -> read limits input |> ignore))
                            1000L
                            "reader bytes allocated"

                        Expect.isLessThan
                            (allocatedBy (fun () -> RespParser.parseCommand limits input |> ignore))
                            100_000L
                            "grammar bytes allocated"
                    }
                    test "reading a complete command allocates only the argv and its arguments" {
                        let input = "*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n"B
                        // argv (2 refs) + two 3-byte arrays: well under 200 bytes on 64-bit.
                        Expect.isLessThan (allocatedBy (fun () -> read limits input |> ignore)) 200L "bytes allocated"
                    }
                    test "an incomplete or malformed read consumes nothing" {
                        for text in [ "*2\r\n$3\r\nGET\r\n"; "*1\r\n$x\r\n"; "*1\r\n$3\r\nab" ] do
                            Expect.equal (readBoth limits (latin1 text)).Consumed 0 text
                    }
                ]

            testList
                "inline"
                [
                    reads "an inline line is split on blanks" "GET  key\t1\r\n" 12 [ "GET"; "key"; "1" ]
                    reads "a line ended by a bare LF is read too" "PING\n" 5 [ "PING" ]
                    reads
                        "double quotes allow blanks and escapes"
                        "SET \"a b\\n\\x41\\\"\"\r\n"
                        19
                        [ "SET"; "a b\nA\"" ]
                    reads "single quotes escape only the single quote" "ECHO 'it\\'s \\n'\n" 16 [ "ECHO"; "it's \\n" ]
                    reads "an invalid hex escape is the letter x" "ECHO \"\\xZ1\"\n" 12 [ "ECHO"; "xZ1" ]
                    reads "empty quotes are an empty argument" "ECHO \"\" ''\n" 11 [ "ECHO"; ""; "" ]
                    reads "a quote may start inside a plain argument" "ab\"c d\"\n" 8 [ "abc d" ]
                    reads "a vertical tab inside a plain argument is part of it" "a\011b \011c\n" 7 [ "a\011b"; "c" ]
                    reads "only one CR before the LF is dropped" "a\r\r\n" 4 [ "a" ]
                    reads "a CR inside the line separates arguments" "a\rb\n" 4 [ "a"; "b" ]
                    reads "a NUL byte is an ordinary byte of an argument" "a\000b\n" 4 [ "a\000b" ]
                    status "an empty inline line is skipped" limits "\r\n" ReadStatus.Skip 2
                    status "a blank inline line is skipped" limits " \t \n" ReadStatus.Skip 4
                    status "an inline line without LF is incomplete" limits "PING\r" ReadStatus.Incomplete 0
                    status
                        "an inline line of exactly 64KB without LF is still incomplete"
                        limits
                        (String('a', 65536))
                        ReadStatus.Incomplete
                        0
                    fails
                        "an inline line longer than 64KB without LF is a too big inline request"
                        limits
                        big
                        ProtocolError.TooBigInlineRequest
                    fails
                        "an inline line with an unbalanced quote is a protocol error"
                        limits
                        "SET \"a\r\n"
                        ProtocolError.UnbalancedQuotes
                    fails
                        "an unbalanced single quote is a protocol error"
                        limits
                        "SET 'a\n"
                        ProtocolError.UnbalancedQuotes
                    fails
                        "a closing quote followed by a non-blank is a protocol error"
                        limits
                        "SET \"a\"b\n"
                        ProtocolError.UnbalancedQuotes
                    fails
                        "a backslash ending a quoted argument is a protocol error"
                        limits
                        "SET \"a\\\n"
                        ProtocolError.UnbalancedQuotes
                    reads "a closing quote may be followed by a vertical tab" "\"a\"\011b\n" 6 [ "a"; "b" ]
                    status
                        "an unauthenticated inline line may have more than 10 arguments"
                        unauthenticated
                        "x x x x x x x x x x x x\n"
                        ReadStatus.Command
                        24
                ]
        ]
