module CoolCache.Core.Tests.State.ConfigTests

open Expecto
open FsCheck
open FsCheck.FSharp
open CoolCache.Core.Commands
open CoolCache.Core.State

let private set (name: string) (value: string) =
    (Config.tryFind name).Value.Set value Config.defaults

let private show (name: string) (c: Config) = (Config.tryFind name).Value.Get c

/// CONFIG SET then CONFIG GET of notify-keyspace-events, as Redis 7.0.15 answered them.
let private notifyObserved =
    [
        "", ""
        "K", "K"
        "E", "E"
        "KEA", "AKE"
        "A", "A"
        "g$lshzxetd", "A"
        "g$lshzxetdmn", "Am"
        "AKEmn", "AKEm"
        "Ex", "xE"
        "KA", "AK"
        "KEg", "gKE"
        "$Kl", "$lK"
        "n", "n"
        "mKE", "KEm"
    ]

let private notifyError = "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."

let private limitsDefault =
    "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"

let tests =
    testList
        "Config"
        [
            testCase "notify-keyspace-events reads and prints as Redis does"
            <| fun () ->
                for input, shown in notifyObserved do
                    match set "notify-keyspace-events" input with
                    | Ok c -> Expect.equal (show "notify-keyspace-events" c) shown input
                    | Error e -> failtestf "%s refused: %s" input e

            testCase "notify-keyspace-events refuses a letter that is not a class"
            <| fun () ->
                for input in [ "Z"; "KEA m"; "k" ] do
                    Expect.equal (set "notify-keyspace-events" input) (Error notifyError) input

            testCase "notify-keyspace-events uses notify.c's bits, the NotifyClass values"
            <| fun () ->
                let bits text =
                    match Config.NotifyFlags.parse text with
                    | ValueSome f -> f
                    | ValueNone -> failwith text

                Expect.equal (bits "K") (int NotifyClass.Keyspace) "K"
                Expect.equal (bits "E") (int NotifyClass.Keyevent) "E"
                Expect.equal (bits "g") (int NotifyClass.Generic) "g"
                Expect.equal (bits "$") (int NotifyClass.String) "$"
                Expect.equal (bits "l") (int NotifyClass.List) "l"
                Expect.equal (bits "s") (int NotifyClass.Set) "s"
                Expect.equal (bits "h") (int NotifyClass.Hash) "h"
                Expect.equal (bits "z") (int NotifyClass.SortedSet) "z"
                Expect.equal (bits "x") (int NotifyClass.Expired) "x"
                Expect.equal (bits "e") (int NotifyClass.Evicted) "e"
                Expect.equal (bits "t") (int NotifyClass.Stream) "t"
                Expect.equal (bits "m") (int NotifyClass.KeyMiss) "m"
                Expect.equal (bits "d") (int NotifyClass.Module) "d"
                Expect.equal (bits "n") (int NotifyClass.New) "n"

            testProperty "notify-keyspace-events printed is read back as the same flags (n hides under A)"
            <| Prop.forAll (Arb.fromGen (Gen.listOf (Gen.elements ("Ag$lshzxeKEtmdn" |> List.ofSeq)))) (fun letters ->
                let text = System.String(Array.ofList letters)
                let flags = (Config.NotifyFlags.parse text).Value
                let again = (Config.NotifyFlags.parse (Config.NotifyFlags.format flags)).Value
                let n = 16384
                Expect.equal (again ||| (flags &&& n)) flags "same flags")

            testCase "client-output-buffer-limit has Redis's defaults"
            <| fun () -> Expect.equal (show "client-output-buffer-limit" Config.defaults) limitsDefault "defaults"

            testCase "client-output-buffer-limit changes only the classes named, with memory units"
            <| fun () ->
                match set "client-output-buffer-limit" "pubsub 1k 2K 3 normal 1mb 2MB 4" with
                | Ok c ->
                    Expect.equal
                        (show "client-output-buffer-limit" c)
                        "normal 1048576 2097152 4 slave 268435456 67108864 60 pubsub 1000 2000 3"
                        "set"

                    Expect.equal c.OutputLimits.PubSub.Hard 1000L "hard"
                | Error e -> failtest e

            testCase "client-output-buffer-limit accepts replica for slave and an empty value"
            <| fun () ->
                let c =
                    (set "client-output-buffer-limit" "replica 1gb 1 1")
                    |> Result.defaultWith failwith

                Expect.equal
                    (show "client-output-buffer-limit" c)
                    "normal 0 0 0 slave 1073741824 1 1 pubsub 33554432 8388608 60"
                    "replica"

                Expect.equal (set "client-output-buffer-limit" "") (Ok Config.defaults) "nothing changes"

            testCase "client-output-buffer-limit refuses what Redis refuses, with its reasons"
            <| fun () ->
                let wrongCount = Error "Wrong number of arguments in buffer limit configuration."
                let badClass = Error "Invalid client class specified in buffer limit configuration."

                let badNumber =
                    Error "Error in hard, soft or soft_seconds setting in buffer limit configuration."

                Expect.equal (set "client-output-buffer-limit" "pubsub 1k 2K") wrongCount "three words"
                Expect.equal (set "client-output-buffer-limit" "pubsub  3   3 3") wrongCount "single spaces only"
                Expect.equal (set "client-output-buffer-limit" "master 1 1 1") badClass "master"
                Expect.equal (set "client-output-buffer-limit" "foo 1 1 1") badClass "foo"
                Expect.equal (set "client-output-buffer-limit" "pubsub -1 1 1") badNumber "negative hard"
                Expect.equal (set "client-output-buffer-limit" "pubsub 1 1 -1") badNumber "negative seconds"
                Expect.equal (set "client-output-buffer-limit" "pubsub 1 1 x") badNumber "seconds not a number"

                Expect.equal (set "client-output-buffer-limit" "pubsub 1 1 1 normal 1 1 x") badNumber "all or nothing"
        ]
