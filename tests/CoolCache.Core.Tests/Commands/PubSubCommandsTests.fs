module CoolCache.Core.Tests.Commands.PubSubCommandsTests

open Expecto
open FsCheck
open FsCheck.FSharp
open CoolCache.Core
open CoolCache.Core.Protocol
open CoolCache.Core.Commands
open CoolCache.Core.State

let private b (s: string) = Bytes.ofLatin1 s

let private ctx =
    {
        NowMs = 1_000_000L
        NowUs = 1_000_000_000L
        Seed = 7UL
        Host = CoolCache.Core.Tests.TestHost.none
        IsLocal = true
        Events = false
    }

let private run (s: Session) (w: World) (argv: string list) =
    Api.Execute(ctx, s, argv |> List.map b |> Array.ofList, w)

let private bulk (s: string) = RespValue.Bulk(b s)

/// The confirmation pushes a command produced, as (word, channel or null, count).
let private confirmations (r: StepResult) =
    r.Effects
    |> Array.choose (function
        | Effect.Push(RespValue.Push [| RespValue.Bulk word; channel; RespValue.Integer n |]) ->
            let channel =
                match channel with
                | RespValue.Bulk c -> Some(Bytes.toLatin1 c)
                | _ -> None

            Some(Bytes.toLatin1 word, channel, int n)
        | _ -> None)
    |> List.ofArray

/// The deliveries of a command, as (kind, pattern, channel, message, receivers).
let private deliveries (r: StepResult) =
    r.Effects
    |> Array.choose (function
        | Effect.Publish d ->
            Some(
                d.Kind,
                Bytes.toLatin1 d.Pattern,
                Bytes.toLatin1 d.Channel,
                Bytes.toLatin1 d.Message,
                List.ofArray d.Receivers
            )
        | _ -> None)
    |> List.ofArray

let private fresh () = World.create Config.defaults

let private subscribedMode =
    "ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"

let private examples =
    testList
        "examples"
        [
            testCase "SUBSCRIBE confirms each channel with the running count, a repeated channel once counted"
            <| fun () ->
                let r = run (Api.NewSession 1L) (fresh ()) [ "SUBSCRIBE"; "a"; "b"; "a" ]

                Expect.equal
                    (confirmations r)
                    [ "subscribe", Some "a", 1; "subscribe", Some "b", 2; "subscribe", Some "a", 2 ]
                    "one push per argument"

                Expect.isTrue r.Silent "no reply besides the pushes"

            testCase "PSUBSCRIBE counts channels and patterns together; SSUBSCRIBE counts shard channels alone"
            <| fun () ->
                let s, w = Api.NewSession 1L, fresh ()
                let r1 = run s w [ "SUBSCRIBE"; "a" ]
                let r2 = run r1.Session r1.World [ "PSUBSCRIBE"; "p*" ]
                let r3 = run r2.Session r2.World [ "SSUBSCRIBE"; "s1"; "s2" ]
                Expect.equal (confirmations r2) [ "psubscribe", Some "p*", 2 ] "channels + patterns"
                Expect.equal (confirmations r3) [ "ssubscribe", Some "s1", 1; "ssubscribe", Some "s2", 2 ] "shard count"

            testCase "UNSUBSCRIBE with nothing subscribed still confirms once, with a null channel"
            <| fun () ->
                let r = run (Api.NewSession 1L) (fresh ()) [ "UNSUBSCRIBE" ]
                Expect.equal (confirmations r) [ "unsubscribe", None, 0 ] "null channel, count 0"

            testCase "UNSUBSCRIBE without arguments leaves every channel, patterns stay counted"
            <| fun () ->
                let s, w = Api.NewSession 1L, fresh ()
                let r1 = run s w [ "SUBSCRIBE"; "a"; "b" ]
                let r2 = run r1.Session r1.World [ "PSUBSCRIBE"; "x" ]
                let r3 = run r2.Session r2.World [ "UNSUBSCRIBE" ]
                let pushes = confirmations r3

                Expect.equal
                    (pushes |> List.map (fun (_, c, _) -> c.Value) |> List.sort)
                    [ "a"; "b" ]
                    "both channels confirmed"

                Expect.equal (pushes |> List.map (fun (_, _, n) -> n)) [ 2; 1 ] "the pattern still counts"
                Expect.equal r3.World.PubSub.Channels.Count 0 "the index has no channel left"

            testCase "a RESP2 client with subscriptions may only run the subscribed-mode commands"
            <| fun () ->
                let r1 = run (Api.NewSession 1L) (fresh ()) [ "SUBSCRIBE"; "a" ]
                let r2 = run r1.Session r1.World [ "GET"; "k" ]
                Expect.equal r2.Reply (RespValue.Error subscribedMode) "refused with Redis's text"
                let r3 = run r1.Session r1.World [ "PING" ]
                Expect.equal r3.Reply (RespValue.Array [| bulk "pong"; bulk "" |]) "PING answers [pong, \"\"]"
                let r4 = run r1.Session r1.World [ "PING"; "hi" ]
                Expect.equal r4.Reply (RespValue.Array [| bulk "pong"; bulk "hi" |]) "PING message echoes it"
                let r5 = run r1.Session r1.World [ "GET" ]

                Expect.equal
                    r5.Reply
                    (RespValue.Error "ERR wrong number of arguments for 'get' command")
                    "arity is checked first"

                let r6 = run r1.Session r1.World [ "CONFIG"; "GET"; "x" ]

                Expect.equal
                    r6.Reply
                    (RespValue.Error(subscribedMode.Replace("'get'", "'config|get'")))
                    "subcommands are named container|sub"

            testCase "a RESP3 client with subscriptions runs any command and PING answers PONG"
            <| fun () ->
                let s = { Api.NewSession 1L with Protocol = 3 }
                let r1 = run s (fresh ()) [ "SUBSCRIBE"; "a" ]
                Expect.equal (run r1.Session r1.World [ "GET"; "k" ]).Reply RespValue.Null "GET runs"
                Expect.equal (run r1.Session r1.World [ "PING" ]).Reply (RespValue.Simple "PONG") "plain PONG"

            testCase "leaving the last subscription ends subscribed mode"
            <| fun () ->
                let r1 = run (Api.NewSession 1L) (fresh ()) [ "SUBSCRIBE"; "a" ]
                let r2 = run r1.Session r1.World [ "UNSUBSCRIBE"; "a" ]
                Expect.equal (run r2.Session r2.World [ "GET"; "k" ]).Reply RespValue.Null "GET runs again"

            testCase "RESET leaves every subscription without confirmations"
            <| fun () ->
                let r1 = run (Api.NewSession 1L) (fresh ()) [ "SUBSCRIBE"; "a" ]
                let r2 = run r1.Session r1.World [ "PSUBSCRIBE"; "p*" ]
                let r3 = run r2.Session r2.World [ "RESET" ]
                Expect.equal r3.Reply (RespValue.Simple "RESET") "RESET"
                Expect.isEmpty (confirmations r3) "no pushes"
                Expect.equal r3.World.PubSub.Channels.Count 0 "no channel"
                Expect.equal r3.World.PubSub.Patterns.Length 0 "no pattern"
                Expect.isFalse (Api.IsSubscribed r3.Session) "the session has none"

            testCase "PUBLISH sends to channel subscribers first, then to each matching pattern's"
            <| fun () ->
                let w = fresh ()
                let r1 = run (Api.NewSession 1L) w [ "PSUBSCRIBE"; "n*"; "x*" ]
                let r2 = run (Api.NewSession 2L) r1.World [ "SUBSCRIBE"; "news" ]
                let r3 = run (Api.NewSession 3L) r2.World [ "PSUBSCRIBE"; "n*" ]
                let r = run (Api.NewSession 4L) r3.World [ "PUBLISH"; "news"; "hi" ]
                Expect.equal r.Reply (RespValue.Integer 3L) "three messages"

                Expect.equal
                    (deliveries r)
                    [
                        MessageKind.Message, "", "news", "hi", [ 2L ]
                        MessageKind.PMessage, "n*", "news", "hi", [ 1L; 3L ]
                    ]
                    "channel, then patterns in subscription order"

            testCase "pattern matching is case-sensitive and binary-safe"
            <| fun () ->
                let r1 = run (Api.NewSession 1L) (fresh ()) [ "PSUBSCRIBE"; "h?llo"; "bin\000*" ]

                let publish ch =
                    (run (Api.NewSession 2L) r1.World [ "PUBLISH"; ch; "m" ]).Reply

                Expect.equal (publish "hallo") (RespValue.Integer 1L) "? matches one byte"
                Expect.equal (publish "HALLO") (RespValue.Integer 0L) "case matters"
                Expect.equal (publish "bin\000\255") (RespValue.Integer 1L) "NUL and high bytes"

            testCase "SPUBLISH reaches shard subscribers only, and patterns never"
            <| fun () ->
                let r1 = run (Api.NewSession 1L) (fresh ()) [ "SSUBSCRIBE"; "s" ]
                let r2 = run (Api.NewSession 2L) r1.World [ "PSUBSCRIBE"; "*" ]
                let r3 = run (Api.NewSession 3L) r2.World [ "SUBSCRIBE"; "s" ]
                let r = run (Api.NewSession 4L) r3.World [ "SPUBLISH"; "s"; "m" ]
                Expect.equal r.Reply (RespValue.Integer 1L) "one shard subscriber"
                Expect.equal (deliveries r) [ MessageKind.SMessage, "", "s", "m", [ 1L ] ] "an smessage"

            testCase "PUBSUB CHANNELS, NUMSUB, NUMPAT, SHARDCHANNELS and SHARDNUMSUB read the index"
            <| fun () ->
                let r1 = run (Api.NewSession 1L) (fresh ()) [ "SUBSCRIBE"; "a1"; "a2"; "b" ]
                let r2 = run (Api.NewSession 2L) r1.World [ "SUBSCRIBE"; "a1" ]
                let r3 = run (Api.NewSession 2L) r2.World [ "PSUBSCRIBE"; "x"; "y" ]
                let r4 = run (Api.NewSession 3L) r3.World [ "SSUBSCRIBE"; "s" ]
                let w = r4.World
                let ask argv = (run (Api.NewSession 9L) w argv).Reply

                let sorted =
                    function
                    | RespValue.Array xs -> xs |> Array.map (sprintf "%A") |> Array.sort
                    | other -> failwithf "not an array: %A" other

                Expect.equal
                    (sorted (ask [ "PUBSUB"; "CHANNELS"; "a*" ]))
                    (sorted (RespValue.Array [| bulk "a1"; bulk "a2" |]))
                    "channels matching a*"

                Expect.equal
                    (ask [ "PUBSUB"; "NUMSUB"; "a1"; "none" ])
                    (RespValue.Array [| bulk "a1"; RespValue.Integer 2L; bulk "none"; RespValue.Integer 0L |])
                    "subscribers per channel"

                Expect.equal (ask [ "PUBSUB"; "NUMPAT" ]) (RespValue.Integer 2L) "distinct patterns"
                Expect.equal (ask [ "PUBSUB"; "SHARDCHANNELS" ]) (RespValue.Array [| bulk "s" |]) "shard channels"

                Expect.equal
                    (ask [ "PUBSUB"; "SHARDNUMSUB"; "s" ])
                    (RespValue.Array [| bulk "s"; RespValue.Integer 1L |])
                    "shard subscribers"

                Expect.equal
                    (ask [ "PUBSUB"; "CHANNELS"; "a"; "b" ])
                    (RespValue.Error
                        "ERR unknown subcommand or wrong number of arguments for 'CHANNELS'. Try PUBSUB HELP.")
                    "one pattern at most"

            testCase "a pattern or channel nobody subscribes to any more leaves the index"
            <| fun () ->
                let r1 = run (Api.NewSession 1L) (fresh ()) [ "PSUBSCRIBE"; "p" ]
                let r2 = run (Api.NewSession 2L) r1.World [ "PSUBSCRIBE"; "p" ]
                let r3 = run r1.Session r2.World [ "PUNSUBSCRIBE"; "p" ]
                Expect.equal r3.World.PubSub.Patterns.Length 1 "one subscriber left"
                let r4 = run r2.Session r3.World [ "PUNSUBSCRIBE" ]
                Expect.equal r4.World.PubSub.Patterns.Length 0 "gone"
                Expect.equal (confirmations r4) [ "punsubscribe", Some "p", 0 ] "confirmed"

            testCase "a closed connection's subscriptions leave the index (Api.DropSubscriptions)"
            <| fun () ->
                let r1 = run (Api.NewSession 1L) (fresh ()) [ "SUBSCRIBE"; "a"; "b" ]
                let r2 = run r1.Session r1.World [ "PSUBSCRIBE"; "*" ]
                let w = Api.DropSubscriptions(r2.Session, r2.World)
                Expect.equal w.PubSub.Channels.Count 0 "channels"
                Expect.equal w.PubSub.Patterns.Length 0 "patterns"

            testCase "a delivery renders as an array in RESP2 and a push in RESP3"
            <| fun () ->
                let d =
                    {
                        Kind = MessageKind.PMessage
                        Pattern = b "p*"
                        Channel = b "pc"
                        Message = b "hi"
                        Receivers = [||]
                    }

                let render proto =
                    let out = System.Buffers.ArrayBufferWriter<byte>()
                    Api.WriteDelivery(proto, d, out)
                    Bytes.toLatin1 (out.WrittenSpan.ToArray())

                Expect.equal (render 2) "*4\r\n$8\r\npmessage\r\n$2\r\np*\r\n$2\r\npc\r\n$2\r\nhi\r\n" "RESP2"
                Expect.equal (render 3) ">4\r\n$8\r\npmessage\r\n$2\r\np*\r\n$2\r\npc\r\n$2\r\nhi\r\n" "RESP3"
        ]

// ---- The index against a model: random subscriptions by a few sessions, then PUBLISH ----

type private Kind =
    | Channel
    | Pattern
    | Shard

type private Op =
    | Subscribe of session: int * kind: Kind * names: string list
    /// names = [] leaves everything of that kind
    | Unsubscribe of session: int * kind: Kind * names: string list
    | Reset of session: int
    | Publish of shard: bool * channel: string

/// What the sessions subscribe to, and the order Redis delivers in.
type private Model =
    {
        Own: Map<int * Kind, string list>
        /// channel -> subscribers in subscription order (channels and shard channels apart)
        Subscribers: Map<Kind * string, int list>
        /// patterns in order of first subscription, with their subscribers in order
        Patterns: (string * int list) list
    }

let private names = [ "a"; "b"; "ab"; "a*"; "?b"; "*"; "[ab]" ]

let private genOp =
    let session = Gen.choose (1, 3)
    let kind = Gen.elements [ Channel; Pattern; Shard ]
    let some = Gen.listOf (Gen.elements names) |> Gen.map (List.truncate 3)

    Gen.frequency
        [
            4, Gen.map3 (fun s k ns -> Subscribe(s, k, "x" :: ns)) session kind some
            3, Gen.map3 (fun s k ns -> Unsubscribe(s, k, ns)) session kind some
            1, Gen.map Reset session
            4, Gen.map2 (fun shard ch -> Publish(shard, ch)) (Gen.elements [ false; false; true ]) (Gen.elements names)
        ]

let private owned (m: Model) key =
    m.Own |> Map.tryFind key |> Option.defaultValue []

let private count (m: Model) (s: int) kind =
    match kind with
    | Shard -> (owned m (s, Shard)).Length
    | _ -> (owned m (s, Channel)).Length + (owned m (s, Pattern)).Length

let private add (m: Model) s kind name =
    if List.contains name (owned m (s, kind)) then
        m
    else
        let m =
            { m with
                Own = m.Own.Add((s, kind), owned m (s, kind) @ [ name ])
            }

        match kind with
        | Pattern ->
            let patterns =
                if List.exists (fun (p, _) -> p = name) m.Patterns then
                    m.Patterns
                    |> List.map (fun (p, ids) -> if p = name then p, ids @ [ s ] else p, ids)
                else
                    m.Patterns @ [ name, [ s ] ]

            { m with Patterns = patterns }
        | _ ->
            let ids = m.Subscribers |> Map.tryFind (kind, name) |> Option.defaultValue []

            { m with
                Subscribers = m.Subscribers.Add((kind, name), ids @ [ s ])
            }

let private remove (m: Model) s kind name =
    if not (List.contains name (owned m (s, kind))) then
        m
    else
        let m =
            { m with
                Own = m.Own.Add((s, kind), owned m (s, kind) |> List.filter ((<>) name))
            }

        match kind with
        | Pattern ->
            { m with
                Patterns =
                    m.Patterns
                    |> List.map (fun (p, ids) -> if p = name then p, List.filter ((<>) s) ids else p, ids)
                    |> List.filter (fun (_, ids) -> not ids.IsEmpty)
            }
        | _ ->
            let ids = m.Subscribers[(kind, name)] |> List.filter ((<>) s)

            { m with
                Subscribers =
                    if ids.IsEmpty then
                        m.Subscribers.Remove((kind, name))
                    else
                        m.Subscribers.Add((kind, name), ids)
            }

let private word kind subscribe =
    match kind, subscribe with
    | Channel, true -> "subscribe"
    | Pattern, true -> "psubscribe"
    | Shard, true -> "ssubscribe"
    | Channel, false -> "unsubscribe"
    | Pattern, false -> "punsubscribe"
    | Shard, false -> "sunsubscribe"

let private command kind subscribe =
    (word kind subscribe).ToUpperInvariant()

/// Run one op on both sides; fail on the first disagreement.
let private step (sessions: Map<int, Session>, w: World, m: Model) (op: Op) =
    let session i =
        sessions |> Map.tryFind i |> Option.defaultValue (Api.NewSession(int64 i))

    match op with
    | Subscribe(s, kind, ns) ->
        let r = run (session s) w (command kind true :: ns)

        let m, expected =
            ns
            |> List.fold
                (fun (m, acc) n ->
                    let m = add m s kind n
                    m, acc @ [ word kind true, Some n, count m s kind ])
                (m, [])

        Expect.equal (confirmations r) expected (sprintf "%A confirmations" op)
        sessions.Add(s, r.Session), r.World, m
    | Unsubscribe(s, kind, []) ->
        let r = run (session s) w [ command kind false ]
        let mine = owned m (s, kind)
        let m' = mine |> List.fold (fun m n -> remove m s kind n) m
        let pushes = confirmations r

        if mine.IsEmpty then
            Expect.equal pushes [ word kind false, None, count m s kind ] "nothing to leave: one null confirmation"
        else
            Expect.equal (pushes |> List.map (fun (_, c, _) -> c.Value) |> List.sort) (List.sort mine) "every one left"
            let last = count m' s kind
            Expect.equal (pushes |> List.map (fun (_, _, n) -> n)) [ last + mine.Length - 1 .. -1 .. last ] "counts"

        sessions.Add(s, r.Session), r.World, m'
    | Unsubscribe(s, kind, ns) ->
        let r = run (session s) w (command kind false :: ns)

        let m, expected =
            ns
            |> List.fold
                (fun (m, acc) n ->
                    let m = remove m s kind n
                    m, acc @ [ word kind false, Some n, count m s kind ])
                (m, [])

        Expect.equal (confirmations r) expected (sprintf "%A confirmations" op)
        sessions.Add(s, r.Session), r.World, m
    | Reset s ->
        let r = run (session s) w [ "RESET" ]

        let m =
            [ Channel; Pattern; Shard ]
            |> List.fold (fun m kind -> owned m (s, kind) |> List.fold (fun m n -> remove m s kind n) m) m

        sessions.Add(s, r.Session), r.World, m
    | Publish(shard, ch) ->
        let r =
            run (Api.NewSession 99L) w [ (if shard then "SPUBLISH" else "PUBLISH"); ch; "msg" ]

        let kind = if shard then Shard else Channel

        let direct =
            match m.Subscribers |> Map.tryFind (kind, ch) with
            | Some ids ->
                [
                    (if shard then MessageKind.SMessage else MessageKind.Message), "", ch, "msg", List.map int64 ids
                ]
            | None -> []

        let viaPatterns =
            if shard then
                []
            else
                m.Patterns
                |> List.filter (fun (p, _) -> Glob.isMatch (b p) (b ch) false)
                |> List.map (fun (p, ids) -> MessageKind.PMessage, p, ch, "msg", List.map int64 ids)

        let expected = direct @ viaPatterns
        Expect.equal (deliveries r) expected (sprintf "%A deliveries" op)

        Expect.equal
            r.Reply
            (RespValue.Integer(expected |> List.sumBy (fun (_, _, _, _, ids) -> ids.Length) |> int64))
            "receiver count"

        sessions, w, m

let private properties =
    testList
        "properties"
        [
            testPropertyWithConfig
                { FsCheckConfig.defaultConfig with
                    maxTest = 300
                }
                "subscriptions, unsubscriptions, RESET and PUBLISH agree with a model of Redis's lists"
            <| Prop.forAll (Arb.fromGen (Gen.listOf genOp)) (fun ops ->
                let empty =
                    {
                        Own = Map.empty
                        Subscribers = Map.empty
                        Patterns = []
                    }

                let _, w, m = ops |> List.fold step (Map.empty, fresh (), empty)
                Expect.equal w.PubSub.Patterns.Length m.Patterns.Length "NUMPAT"

                Expect.equal
                    (w.PubSub.Channels.Count + w.PubSub.ShardChannels.Count)
                    m.Subscribers.Count
                    "channels in the index")
        ]

let tests = testList "PubSubCommands" [ examples; properties ]
