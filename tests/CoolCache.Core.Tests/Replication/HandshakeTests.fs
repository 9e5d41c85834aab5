/// The replica's handshake as pure scripts: what it sends for each reply, without sockets.
module CoolCache.Core.Tests.Replication.HandshakeTests

open Expecto
open CoolCache.Core.Protocol
open CoolCache.Core.Replication
open CoolCache.Core.Replication.Handshake

/// Run a script of replies; returns every action taken, in order.
let private run (state: State, first: Action list) (replies: RespValue list) =
    let mutable state = state
    let actions = ResizeArray first

    for r in replies do
        let s, more = onReply state r
        state <- s
        actions.AddRange more

    List.ofSeq actions

let private ok = RespValue.Simple "OK"
let private pong = RespValue.Simple "PONG"
let private replid = String.replicate 40 "a"

let tests =
    testList
        "Replication.Handshake"
        [
            test "a replica without auth sends PING, listening-port, capa, then PSYNC of what it holds" {
                let actions =
                    run
                        (start "" "" 6380 replid 99L)
                        [ pong; ok; ok; RespValue.Simple(sprintf "FULLRESYNC %s 1000" replid) ]

                Expect.equal
                    actions
                    [
                        Action.Send [ "PING" ]
                        Action.Send [ "REPLCONF"; "listening-port"; "6380" ]
                        Action.Send [ "REPLCONF"; "capa"; "eof"; "capa"; "psync2" ]
                        Action.Send [ "PSYNC"; replid; "100" ]
                        Action.FullSync(replid, 1000L)
                    ]
                    "the script"
            }

            test "masterauth adds AUTH (with masteruser when set) after PING, which may answer NOAUTH" {
                let actions =
                    run
                        (start "secret" "alice" 1 null 0L)
                        [ RespValue.Error "NOAUTH Authentication required."; ok; ok; ok ]

                Expect.equal
                    actions
                    [
                        Action.Send [ "PING" ]
                        Action.Send [ "AUTH"; "alice"; "secret" ]
                        Action.Send [ "REPLCONF"; "listening-port"; "1" ]
                        Action.Send [ "REPLCONF"; "capa"; "eof"; "capa"; "psync2" ]
                        Action.Send [ "PSYNC"; "?"; "-1" ]
                    ]
                    "the script"
            }

            test "a refused AUTH or a PING error stops the attempt" {
                let authFails =
                    run (start "bad" "" 1 null 0L) [ pong; RespValue.Error "WRONGPASS invalid username-password pair" ]

                Expect.equal
                    (List.last authFails)
                    (Action.Fail "Unable to AUTH to MASTER: WRONGPASS invalid username-password pair")
                    "AUTH"

                let pingFails = run (start "" "" 1 null 0L) [ RespValue.Error "ERR unknown" ]
                Expect.equal (List.last pingFails) (Action.Fail "Error reply to PING from master: 'ERR unknown'") "PING"
            }

            test "REPLCONF errors are not fatal (an old primary)" {
                let actions =
                    run (start "" "" 1 replid 5L) [ pong; RespValue.Error "ERR unknown"; RespValue.Error "ERR unknown" ]

                Expect.equal (List.last actions) (Action.Send [ "PSYNC"; replid; "6" ]) "PSYNC still follows"
            }

            test "CONTINUE keeps the held ID, or takes the new one the primary names" {
                let plain =
                    run (start "" "" 1 replid 5L) [ pong; ok; ok; RespValue.Simple "CONTINUE" ]

                Expect.equal (List.last plain) (Action.Continue replid) "plain CONTINUE"
                let other = String.replicate 40 "b"

                let renamed =
                    run (start "" "" 1 replid 5L) [ pong; ok; ok; RespValue.Simple("CONTINUE " + other) ]

                Expect.equal (List.last renamed) (Action.Continue other) "CONTINUE with a new ID"
            }

            test "anything else to PSYNC fails the attempt with the reply" {
                let actions =
                    run
                        (start "" "" 1 replid 5L)
                        [
                            pong
                            ok
                            ok
                            RespValue.Error "NOMASTERLINK Can't SYNC while not connected with my master"
                        ]

                Expect.equal
                    (List.last actions)
                    (Action.Fail
                        "Unexpected reply to PSYNC from master: NOMASTERLINK Can't SYNC while not connected with my master")
                    "the reason"
            }
        ]
