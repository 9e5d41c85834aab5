module CoolCache.Core.Tests.Effects.KeyspaceEventsTests

open Expecto
open CoolCache.Core
open CoolCache.Core.Commands
open CoolCache.Core.State
open CoolCache.Core.Effects

let private b (s: string) = Bytes.ofLatin1 s

let private ctx events =
    {
        NowMs = 1_000_000L
        NowUs = 1_000_000_000L
        Seed = 7UL
        Host = CoolCache.Core.Tests.TestHost.none
        IsLocal = true
        Events = events
    }

let private withFlags (flags: string) =
    let w = World.create Config.defaults

    { w with
        Config =
            { w.Config with
                NotifyKeyspaceEvents = (Config.NotifyFlags.parse flags).Value
            }
    }

let private run (s: Session) (w: World) (argv: string list) =
    Api.Execute(ctx (Api.NotificationsWanted w.Config), s, argv |> List.map b |> Array.ofList, w)

/// The channel and message of each delivery of a command.
let private published (r: StepResult) =
    r.Effects
    |> Array.choose (function
        | Effect.Publish d -> Some(Bytes.toLatin1 d.Channel, Bytes.toLatin1 d.Message)
        | _ -> None)
    |> List.ofArray

/// A world with a session listening to every keyspace channel.
let private listening (flags: string) =
    let r = run (Api.NewSession 1L) (withFlags flags) [ "PSUBSCRIBE"; "__key*__:*" ]
    r.World

let tests =
    testList
        "KeyspaceEvents"
        [
            testCase "events are wanted only with a class and K or E"
            <| fun () ->
                for flags, wanted in
                    [
                        "", false
                        "K", false
                        "E", false
                        "KE", false
                        "g", false
                        "Kg", true
                        "E$", true
                        "A", false
                        "AKE", true
                        "Km", true
                    ] do
                    Expect.equal (KeyspaceEvents.enabled (withFlags flags).Config) wanted flags

            testCase "SET publishes on the keyspace channel, then the keyevent channel"
            <| fun () ->
                let r = run (Api.NewSession 2L) (listening "KEA") [ "SET"; "k"; "v" ]
                Expect.equal (published r) [ "__keyspace@0__:k", "set"; "__keyevent@0__:set", "k" ] "both"

            testCase "E alone publishes key events only; K alone keyspace events only"
            <| fun () ->
                let r = run (Api.NewSession 2L) (listening "E$") [ "SET"; "k"; "v" ]
                Expect.equal (published r) [ "__keyevent@0__:set", "k" ] "keyevent"
                let r = run (Api.NewSession 2L) (listening "K$") [ "SET"; "k"; "v" ]
                Expect.equal (published r) [ "__keyspace@0__:k", "set" ] "keyspace"

            testCase "a class left out publishes nothing (DEL is generic, SET is a string event)"
            <| fun () ->
                let w = listening "K$"
                let r1 = run (Api.NewSession 2L) w [ "SET"; "k"; "v" ]
                let r2 = run (Api.NewSession 2L) r1.World [ "DEL"; "k" ]
                Expect.isEmpty (published r2) "no g"
                let r = run (Api.NewSession 2L) (listening "Kg") [ "SET"; "k"; "v" ]
                Expect.isEmpty (published r) "no $"

            testCase "DEL publishes one del per key it removed, in argument order, in the session's database"
            <| fun () ->
                let w = listening "KEA"
                let s = { Api.NewSession 2L with Db = 3 }
                let r1 = run s w [ "SET"; "a"; "1" ]
                let r2 = run s r1.World [ "SET"; "b\000"; "2" ]
                let r = run s r2.World [ "DEL"; "b\000"; "missing"; "a" ]

                Expect.equal
                    (published r)
                    [
                        "__keyspace@3__:b\000", "del"
                        "__keyevent@3__:del", "b\000"
                        "__keyspace@3__:a", "del"
                        "__keyevent@3__:del", "a"
                    ]
                    "in order"

            testCase "the Notify effect stays, followed by its deliveries"
            <| fun () ->
                let r = run (Api.NewSession 2L) (listening "KEA") [ "SET"; "k"; "v" ]

                match List.ofArray r.Effects with
                // "new" (class n, not in KEA) publishes nothing; "set" reaches both channels
                | [ Effect.Notify n; Effect.Notify e; Effect.Publish _; Effect.Publish _ ] ->
                    Expect.equal n.Event "new" "new"
                    Expect.equal e.Event "set" "set"
                | other -> failtestf "effects: %A" other

            testCase "nobody listening: the events publish nothing"
            <| fun () ->
                let r = run (Api.NewSession 2L) (withFlags "KEA") [ "SET"; "k"; "v" ]
                Expect.isEmpty (published r) "no deliveries"

            testCase "an event outside a command (active expiry) finds its receivers too"
            <| fun () ->
                let e =
                    {
                        Class = NotifyClass.Expired
                        Event = "expired"
                        Db = 0
                        Key = b "k"
                    }

                let ds = Api.KeyspaceDeliveries(listening "Ex", e)
                Expect.equal (ds |> Array.map (fun d -> Bytes.toLatin1 d.Channel)) [| "__keyevent@0__:expired" |] "one"
        ]
