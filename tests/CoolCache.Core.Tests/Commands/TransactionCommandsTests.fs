module CoolCache.Core.Tests.Commands.TransactionCommandsTests

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

/// Runs commands for one client in order; returns the replies, the session and the World.
let private runAll (s: Session) (w: World) (cmds: string list list) =
    let mutable s = s
    let mutable w = w
    let replies = ResizeArray<RespValue>()

    for c in cmds do
        let r = Api.Execute(ctx, s, c |> List.map b |> Array.ofList, w)
        replies.Add r.Reply
        s <- r.Session
        w <- r.World

    List.ofSeq replies, s, w

let private fresh () = World.create Config.defaults

let private client id = Api.NewSession id

let private queued = RespValue.Simple "QUEUED"

/// The keyspace as sorted (db, key, TYPE, reply of a dump command) rows, to compare Worlds.
let private contents (w: World) =
    let s = client 99L

    [
        for key in [ "a"; "b"; "l"; "h" ] do
            let r = Api.Execute(ctx, s, [| b "TYPE"; b key |], w)
            let t = r.Reply

            let dump =
                match t with
                | RespValue.Simple "string" -> [| b "GET"; b key |]
                | RespValue.Simple "list" -> [| b "LRANGE"; b key; b "0"; b "-1" |]
                | RespValue.Simple "hash" -> [| b "HGETALL"; b key |]
                | _ -> [| b "EXISTS"; b key |]

            key, t, (Api.Execute(ctx, s, dump, w)).Reply
    ]

let private commandGen: Gen<string list> =
    let key = Gen.elements [ "a"; "b"; "l"; "h" ]
    let value = Gen.elements [ "1"; "2"; "x"; "10" ]

    Gen.oneof
        [
            Gen.map2 (fun k v -> [ "SET"; k; v ]) key value
            Gen.map (fun k -> [ "INCR"; k ]) key
            Gen.map2 (fun k v -> [ "LPUSH"; k; v ]) key value
            Gen.map (fun k -> [ "RPOP"; k ]) key
            Gen.map2 (fun k v -> [ "HSET"; k; v; v ]) key value
            Gen.map (fun k -> [ "DEL"; k ]) key
            Gen.map (fun k -> [ "GET"; k ]) key
            Gen.map2 (fun k v -> [ "APPEND"; k; v ]) key value
        ]

let tests =
    testList
        "Commands.Transactions"
        [
            testProperty "EXEC answers what the queued commands answer one by one, and leaves the same keyspace"
            <| Prop.forAll (Arb.fromGen (Gen.listOf commandGen)) (fun cmds ->
                let direct, _, w1 = runAll (client 1L) (fresh ()) cmds

                let replies, s, w2 =
                    runAll (client 1L) (fresh ()) ([ [ "MULTI" ] ] @ cmds @ [ [ "EXEC" ] ])

                replies =
                    [ RespValue.Ok ]
                    @ List.map (fun _ -> queued) cmds
                    @ [ RespValue.Array(Array.ofList direct) ]
                && contents w1 = contents w2
                && not s.InMulti)

            testProperty "a watched key changed by any of these writes makes EXEC answer null"
            <| Prop.forAll (Arb.fromGen commandGen) (fun write ->
                let _, s, w =
                    runAll
                        (client 1L)
                        (fresh ())
                        [ [ "SET"; "a"; "5" ]; [ "LPUSH"; "l"; "x" ]; [ "HSET"; "h"; "f"; "v" ] ]

                let _, s, w = runAll s w [ [ "WATCH"; write[1] ] ]
                let before = contents w
                let changed, _, w = runAll (client 2L) w [ write ]
                let after = contents w
                let replies, _, _ = runAll s w [ [ "MULTI" ]; [ "PING" ]; [ "EXEC" ] ]
                let aborted = List.last replies = RespValue.NullArray

                // a read, or a write that failed or changed nothing visible, may leave EXEC running;
                // whatever changed the key's contents must abort it
                (before = after || aborted)
                && (match changed with
                    | [ RespValue.Error _ ] -> not aborted
                    | _ -> true))

            test "an in-place edit of a watched list is seen, though the list's nodes are reused" {
                let _, s, w =
                    runAll (client 1L) (fresh ()) [ [ "RPUSH"; "l"; "a" ]; [ "WATCH"; "l" ] ]

                let _, _, w = runAll (client 2L) w [ [ "RPUSH"; "l"; "b" ] ]
                let replies, _, _ = runAll s w [ [ "MULTI" ]; [ "LLEN"; "l" ]; [ "EXEC" ] ]
                Expect.equal (List.last replies) RespValue.NullArray "EXEC aborted"
            }

            test "a command rejected while queueing makes EXEC answer EXECABORT and run nothing" {
                let replies, s, w =
                    runAll
                        (client 1L)
                        (fresh ())
                        [ [ "MULTI" ]; [ "SET"; "a"; "1" ]; [ "GET" ]; [ "EXEC" ]; [ "GET"; "a" ] ]

                Expect.equal
                    replies
                    [
                        RespValue.Ok
                        queued
                        RespValue.Error "ERR wrong number of arguments for 'get' command"
                        RespValue.Error "EXECABORT Transaction discarded because of previous errors."
                        RespValue.Null
                    ]
                    "replies"

                Expect.isFalse s.InMulti "out of MULTI"
                ignore w
            }

            test "a runtime error inside EXEC does not stop the other commands" {
                let replies, _, _ =
                    runAll
                        (client 1L)
                        (fresh ())
                        [
                            [ "SET"; "a"; "x" ]
                            [ "MULTI" ]
                            [ "INCR"; "a" ]
                            [ "SET"; "b"; "2" ]
                            [ "EXEC" ]
                        ]

                Expect.equal
                    (List.last replies)
                    (RespValue.Array
                        [|
                            RespValue.Error "ERR value is not an integer or out of range"
                            RespValue.Ok
                        |])
                    "EXEC replies"
            }

            test "blocking commands inside EXEC answer their timeout reply at once" {
                let replies, _, _ =
                    runAll
                        (client 1L)
                        (fresh ())
                        [
                            [ "MULTI" ]
                            [ "BLPOP"; "l"; "0" ]
                            [ "BLMOVE"; "l"; "m"; "LEFT"; "LEFT"; "0" ]
                            [ "EXEC" ]
                        ]

                Expect.equal
                    (List.last replies)
                    (RespValue.Array [| RespValue.NullArray; RespValue.Null |])
                    "timeout replies"
            }

            test "MULTI, EXEC, DISCARD and WATCH out of place answer Redis's errors" {
                let replies, _, _ =
                    runAll
                        (client 1L)
                        (fresh ())
                        [
                            [ "EXEC" ]
                            [ "DISCARD" ]
                            [ "MULTI" ]
                            [ "MULTI" ]
                            [ "WATCH"; "a" ]
                            [ "EXEC"; "x" ]
                        ]

                Expect.equal
                    replies
                    [
                        RespValue.Error "ERR EXEC without MULTI"
                        RespValue.Error "ERR DISCARD without MULTI"
                        RespValue.Ok
                        RespValue.Error "ERR MULTI calls can not be nested"
                        RespValue.Error "ERR WATCH inside MULTI is not allowed"
                        RespValue.Error
                            "EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command"
                    ]
                    "replies"
            }

            test "EXEC leaves a frozen World untouched" {
                let _, s, w =
                    runAll
                        (client 1L)
                        (fresh ())
                        [ [ "SET"; "a"; "1" ]; [ "MULTI" ]; [ "SET"; "a"; "2" ]; [ "DEL"; "b" ] ]

                let struct (frozen, live) = World.freeze w
                let before = contents frozen
                let _ = runAll s live [ [ "EXEC" ] ]
                Expect.equal (contents frozen) before "frozen World unchanged"
            }
        ]
