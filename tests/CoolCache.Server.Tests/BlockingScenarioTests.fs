/// Multi-client scenarios with blocking commands, run on a real redis-server and on CoolCache: each
/// client's replies must be byte-identical, in RESP2 and RESP3. A blocked client is observed through
/// CLIENT LIST (flags=b) on a separate control connection, never by sleeping.
module CoolCache.Server.Tests.BlockingScenarioTests

open System
open System.Diagnostics
open System.Text
open System.Threading.Tasks
open Expecto
open CoolCache.Server.Tests.RawClient
open CoolCache.Server.Tests.Servers

/// One step of a scenario. Clients are numbered from 0.
type Act =
    /// Send a command and read its reply.
    | Do of client: int * args: string list
    /// Send a command that blocks; go on once the server shows the client as blocked.
    | Start of client: int * args: string list
    /// Read the reply of the client's blocked command (it must come now).
    | Await of client: int
    /// CLIENT UNBLOCK <target's id> [mode] from client (ids differ per server, so resolved per server).
    | Unblock of client: int * target: int * mode: string list
    /// Close a client's connection; go on once the server no longer counts it as blocked.
    | Close of client: int
    /// Go on once the key no longer exists (expired), asked on the control connection.
    | WaitGone of key: string

type Scenario =
    {
        Name: string
        Clients: int
        Acts: Act list
    }

let private latin1 (s: string) = Encoding.Latin1.GetBytes s


let private clientLine (control: RawClient) (id: int64) =
    task {
        let! raw =
            control.Send [ latin1 "CLIENT"; latin1 "LIST"; latin1 "ID"; latin1 (string id) ]

        return
            match parseReply raw with
            | Bulk b -> Encoding.Latin1.GetString b
            | Verbatim b -> (Encoding.Latin1.GetString b).Substring 4
            | other -> failwithf "CLIENT LIST replied %A" other
    }

let private isBlocked (control: RawClient) (id: int64) =
    task {
        let! line = clientLine control id
        return line.Contains " flags=b "
    }

/// Runs a scenario on one server; the transcript is one line per reply: client, command, reply.
let private run (port: int) (resp3: bool) (scenario: Scenario) : Task<string list> =
    task {
        use! control = RawClient.ConnectAsync port
        let! _ = control.Cmd("FLUSHALL")
        let clients = Array.zeroCreate<RawClient> scenario.Clients
        let ids = Array.zeroCreate<int64> scenario.Clients
        let pending = Array.create scenario.Clients ""
        let transcript = ResizeArray<string>()

        try
            for i in 0 .. scenario.Clients - 1 do
                let! c = RawClient.ConnectAsync port
                clients[i] <- c

                if resp3 then
                    let! _ = c.Cmd("HELLO", "3")
                    ()

                let! id = c.Cmd("CLIENT", "ID")

                ids[i] <-
                    match parseReply id with
                    | Integer n -> n
                    | other -> failwithf "CLIENT ID replied %A" other

            let record (client: int) (command: string) (reply: byte[]) =
                transcript.Add(sprintf "client %d: %s -> %s" client command (escape reply))

            for act in scenario.Acts do
                match act with
                | Do(c, args) ->
                    let! reply = clients[c].Send(args |> List.map latin1)
                    record c (String.Join(" ", args)) reply
                | Start(c, args) ->
                    do! clients[c].Post [ args |> List.map latin1 ]
                    pending[c] <- String.Join(" ", args)

                    do!
                        Polling.until (sprintf "client %d blocks on %s" c pending[c]) (fun () ->
                            isBlocked control ids[c])
                | Await c ->
                    let! reply = clients[c].Receive()
                    record c pending[c] reply
                | Unblock(c, target, mode) ->
                    let args = [ "CLIENT"; "UNBLOCK"; string ids[target] ] @ mode
                    let! reply = clients[c].Send(args |> List.map latin1)
                    record c (sprintf "CLIENT UNBLOCK <client %d> %s" target (String.Join(" ", mode))) reply
                | Close c ->
                    clients[c].Dispose()

                    do!
                        Polling.until (sprintf "client %d is gone" c) (fun () ->
                            task {
                                let! line = clientLine control ids[c]
                                return line = ""
                            })
                | WaitGone key ->
                    do!
                        Polling.until (sprintf "%s is gone" key) (fun () ->
                            task {
                                let! raw = control.Send [ latin1 "EXISTS"; latin1 key ]
                                return parseReply raw = Integer 0L
                            })
        finally
            for c in clients do
                if not (isNull (box c)) then
                    c.Dispose()

        return List.ofSeq transcript
    }

let private scenarios: Scenario list =
    [
        {
            Name = "BLPOP is served by another client's RPUSH"
            Clients = 2
            Acts =
                [
                    Start(0, [ "BLPOP"; "l"; "0" ])
                    Do(1, [ "RPUSH"; "l"; "a"; "b" ])
                    Await 0
                    Do(1, [ "LRANGE"; "l"; "0"; "-1" ])
                ]
        }
        {
            Name = "waiters on one key are served first come, first served"
            Clients = 3
            Acts =
                [
                    Start(0, [ "BRPOP"; "l"; "0" ])
                    Start(1, [ "BLPOP"; "l"; "0" ])
                    Do(2, [ "LPUSH"; "l"; "x" ])
                    Await 0
                    Do(2, [ "LPUSH"; "l"; "y" ])
                    Await 1
                    Do(2, [ "EXISTS"; "l" ])
                ]
        }
        {
            Name = "one push of several elements serves several waiters"
            Clients = 3
            Acts =
                [
                    Start(0, [ "BLPOP"; "l"; "0" ])
                    Start(1, [ "BLPOP"; "l"; "0" ])
                    Do(2, [ "RPUSH"; "l"; "a"; "b"; "c" ])
                    Await 0
                    Await 1
                    Do(2, [ "LRANGE"; "l"; "0"; "-1" ])
                ]
        }
        {
            Name = "a timeout answers null"
            Clients = 1
            Acts =
                [
                    Do(0, [ "BLPOP"; "l"; "0.05" ])
                    Do(0, [ "BRPOP"; "l"; "m"; "0.01" ])
                    Do(0, [ "BLMOVE"; "l"; "m"; "LEFT"; "RIGHT"; "0.01" ])
                    Do(0, [ "BRPOPLPUSH"; "l"; "m"; "0.01" ])
                    Do(0, [ "BLMPOP"; "0.01"; "2"; "l"; "m"; "LEFT" ])
                ]
        }
        {
            Name = "BLPOP on several keys is served by the key that gets an element"
            Clients = 2
            Acts =
                [
                    Start(0, [ "BLPOP"; "k1"; "k2"; "k3"; "0" ])
                    Do(1, [ "RPUSH"; "k2"; "v" ])
                    Await 0
                ]
        }
        {
            Name = "a key of another type does not serve a list waiter"
            Clients = 2
            Acts =
                [
                    Start(0, [ "BLPOP"; "k"; "0" ])
                    Do(1, [ "SET"; "k"; "string" ])
                    Do(1, [ "DEL"; "k" ])
                    Do(1, [ "RPUSH"; "k"; "v" ])
                    Await 0
                ]
        }
        {
            Name = "BLMOVE chains: the moved element serves a waiter on the destination"
            Clients = 3
            Acts =
                [
                    Start(0, [ "BLMOVE"; "src"; "dst"; "LEFT"; "RIGHT"; "0" ])
                    Start(1, [ "BLPOP"; "dst"; "0" ])
                    Do(2, [ "LPUSH"; "src"; "v" ])
                    Await 0
                    Await 1
                    Do(2, [ "EXISTS"; "src"; "dst" ])
                ]
        }
        {
            Name = "BRPOPLPUSH is served and pushes to its destination"
            Clients = 2
            Acts =
                [
                    Start(0, [ "BRPOPLPUSH"; "src"; "dst"; "0" ])
                    Do(1, [ "RPUSH"; "src"; "a"; "b" ])
                    Await 0
                    Do(1, [ "LRANGE"; "dst"; "0"; "-1" ])
                    Do(1, [ "LRANGE"; "src"; "0"; "-1" ])
                ]
        }
        {
            Name = "BLMPOP with COUNT is served with up to count elements"
            Clients = 2
            Acts =
                [
                    Start(0, [ "BLMPOP"; "0"; "2"; "k1"; "k2"; "RIGHT"; "COUNT"; "2" ])
                    Do(1, [ "RPUSH"; "k2"; "a"; "b"; "c" ])
                    Await 0
                    Do(1, [ "LRANGE"; "k2"; "0"; "-1" ])
                ]
        }
        {
            Name = "CLIENT UNBLOCK ends a wait with the timeout reply or an error"
            Clients = 2
            Acts =
                [
                    Start(0, [ "BLPOP"; "l"; "0" ])
                    Unblock(1, 0, [])
                    Await 0
                    Start(0, [ "BLPOP"; "l"; "0" ])
                    Unblock(1, 0, [ "ERROR" ])
                    Await 0
                    Unblock(1, 0, [ "TIMEOUT" ])
                    Do(1, [ "RPUSH"; "l"; "v" ])
                    Do(1, [ "LLEN"; "l" ])
                ]
        }
        {
            Name = "a waiter that disconnects loses nothing"
            Clients = 2
            Acts =
                [
                    Start(0, [ "BLPOP"; "l"; "0" ])
                    Close 0
                    Do(1, [ "RPUSH"; "l"; "v" ])
                    Do(1, [ "LRANGE"; "l"; "0"; "-1" ])
                ]
        }
        {
            Name = "the blocked client runs its later commands after it is served"
            Clients = 2
            Acts =
                [
                    Start(0, [ "BLPOP"; "l"; "0" ])
                    Do(1, [ "RPUSH"; "l"; "a"; "b" ])
                    Await 0
                    Do(0, [ "LPOP"; "l" ])
                ]
        }
        // sorted sets (BZPOPMIN, BZPOPMAX, BZMPOP)
        {
            Name = "BZPOPMIN is served by another client's ZADD"
            Clients = 2
            Acts =
                [
                    Start(0, [ "BZPOPMIN"; "z"; "0" ])
                    Do(1, [ "ZADD"; "z"; "2"; "b"; "1"; "a" ])
                    Await 0
                    Do(1, [ "ZRANGE"; "z"; "0"; "-1"; "WITHSCORES" ])
                ]
        }
        {
            Name = "sorted set waiters on one key are served first come, first served"
            Clients = 3
            Acts =
                [
                    Start(0, [ "BZPOPMAX"; "z"; "0" ])
                    Start(1, [ "BZPOPMIN"; "z"; "0" ])
                    Do(2, [ "ZADD"; "z"; "1.5"; "x" ])
                    Await 0
                    Do(2, [ "ZADD"; "z"; "-inf"; "y" ])
                    Await 1
                    Do(2, [ "EXISTS"; "z" ])
                ]
        }
        {
            Name = "one ZADD of several members serves several sorted set waiters"
            Clients = 3
            Acts =
                [
                    Start(0, [ "BZPOPMIN"; "z"; "0" ])
                    Start(1, [ "BZPOPMAX"; "z"; "0" ])
                    Do(2, [ "ZADD"; "z"; "1"; "a"; "2"; "b"; "3"; "c" ])
                    Await 0
                    Await 1
                    Do(2, [ "ZRANGE"; "z"; "0"; "-1"; "WITHSCORES" ])
                ]
        }
        {
            Name = "a sorted set wait that times out answers null"
            Clients = 1
            Acts =
                [
                    Do(0, [ "BZPOPMIN"; "z"; "0.05" ])
                    Do(0, [ "BZPOPMAX"; "z"; "w"; "0.01" ])
                    Do(0, [ "BZMPOP"; "0.01"; "2"; "z"; "w"; "MIN"; "COUNT"; "3" ])
                ]
        }
        {
            Name = "BZPOPMAX on several keys is served by the key that gets a member"
            Clients = 2
            Acts =
                [
                    Start(0, [ "BZPOPMAX"; "k1"; "k2"; "k3"; "0" ])
                    Do(1, [ "ZADD"; "k3"; "5"; "v"; "7"; "w" ])
                    Await 0
                    Do(1, [ "ZRANGE"; "k3"; "0"; "-1" ])
                ]
        }
        {
            Name = "a key of another type does not serve a sorted set waiter"
            Clients = 2
            Acts =
                [
                    Start(0, [ "BZPOPMIN"; "k"; "0" ])
                    Do(1, [ "RPUSH"; "k"; "x" ])
                    Do(1, [ "DEL"; "k" ])
                    Do(1, [ "SADD"; "k"; "m" ])
                    Do(1, [ "DEL"; "k" ])
                    Do(1, [ "ZADD"; "k"; "1"; "m" ])
                    Await 0
                ]
        }
        {
            Name = "BZMPOP with COUNT is served with up to count members"
            Clients = 2
            Acts =
                [
                    Start(0, [ "BZMPOP"; "0"; "2"; "k1"; "k2"; "MAX"; "COUNT"; "2" ])
                    Do(1, [ "ZADD"; "k2"; "1"; "a"; "2"; "b"; "3"; "c" ])
                    Await 0
                    Do(1, [ "ZRANGE"; "k2"; "0"; "-1"; "WITHSCORES" ])
                ]
        }
        {
            Name = "a ZUNIONSTORE into the waited key serves the waiter"
            Clients = 2
            Acts =
                [
                    Start(0, [ "BZPOPMIN"; "dst"; "0" ])
                    Do(1, [ "ZADD"; "src"; "4"; "d"; "3"; "c" ])
                    Do(1, [ "ZUNIONSTORE"; "dst"; "1"; "src"; "WEIGHTS"; "2" ])
                    Await 0
                    Do(1, [ "ZRANGE"; "dst"; "0"; "-1"; "WITHSCORES" ])
                ]
        }
        {
            Name = "CLIENT UNBLOCK ends a sorted set wait with the timeout reply or an error"
            Clients = 2
            Acts =
                [
                    Start(0, [ "BZPOPMIN"; "z"; "0" ])
                    Unblock(1, 0, [ "TIMEOUT" ])
                    Await 0
                    Start(0, [ "BZMPOP"; "0"; "1"; "z"; "MIN" ])
                    Unblock(1, 0, [ "ERROR" ])
                    Await 0
                    Do(1, [ "ZADD"; "z"; "1"; "a" ])
                    Do(1, [ "ZCARD"; "z" ])
                ]
        }
    ]

/// Streams (XREAD / XREADGROUP BLOCK): what wakes a waiter and what it reads.
let private streamScenarios: Scenario list =
    [
        {
            Name = "XREAD BLOCK with $ is served by another client's XADD, with only the new entry"
            Clients = 2
            Acts =
                [
                    Do(1, [ "XADD"; "s"; "1-1"; "a"; "1" ])
                    Start(0, [ "XREAD"; "BLOCK"; "0"; "STREAMS"; "s"; "$" ])
                    Do(1, [ "XADD"; "s"; "2-1"; "b"; "2" ])
                    Await 0
                ]
        }
        {
            Name = "XREAD BLOCK with $ on a missing key is served by the XADD that creates it"
            Clients = 2
            Acts =
                [
                    Start(0, [ "XREAD"; "COUNT"; "5"; "BLOCK"; "0"; "STREAMS"; "s"; "$" ])
                    Do(1, [ "SET"; "other"; "x" ])
                    Do(1, [ "XADD"; "s"; "3-1"; "a"; "1" ])
                    Await 0
                ]
        }
        {
            Name = "XREAD BLOCK times out with a null array"
            Clients = 1
            Acts =
                [
                    Do(0, [ "XADD"; "s"; "1-1"; "a"; "1" ])
                    Do(0, [ "XREAD"; "BLOCK"; "50"; "STREAMS"; "s"; "$" ])
                    Do(0, [ "XGROUP"; "CREATE"; "s"; "g"; "$" ])
                    Do(0, [ "XREADGROUP"; "GROUP"; "g"; "c"; "BLOCK"; "20"; "STREAMS"; "s"; ">" ])
                ]
        }
        {
            Name = "XREAD BLOCK with an explicit ID waits for a greater one"
            Clients = 2
            Acts =
                [
                    Do(1, [ "XADD"; "s"; "5-1"; "a"; "1" ])
                    Start(0, [ "XREAD"; "BLOCK"; "0"; "STREAMS"; "s"; "5-1" ])
                    Do(1, [ "XDEL"; "s"; "5-1" ])
                    Do(1, [ "XADD"; "s"; "6-1"; "b"; "2" ])
                    Await 0
                ]
        }
        {
            Name = "every XREAD waiter on a stream gets the new entry"
            Clients = 3
            Acts =
                [
                    Start(0, [ "XREAD"; "BLOCK"; "0"; "STREAMS"; "s"; "$" ])
                    Start(1, [ "XREAD"; "BLOCK"; "0"; "STREAMS"; "s"; "0-0" ])
                    Do(2, [ "XADD"; "s"; "1-1"; "a"; "1" ])
                    Await 0
                    Await 1
                ]
        }
        {
            Name = "XREAD on several streams is served by the one that gets an entry"
            Clients = 2
            Acts =
                [
                    Do(1, [ "XADD"; "s1"; "1-1"; "a"; "1" ])
                    Start(0, [ "XREAD"; "BLOCK"; "0"; "STREAMS"; "s1"; "s2"; "s3"; "$"; "$"; "$" ])
                    Do(1, [ "XADD"; "s2"; "2-1"; "b"; "2" ])
                    Await 0
                ]
        }
        {
            Name = "a list pushed to the key does not serve an XREAD waiter"
            Clients = 2
            Acts =
                [
                    Start(0, [ "XREAD"; "BLOCK"; "0"; "STREAMS"; "s"; "$" ])
                    Do(1, [ "RPUSH"; "s"; "x" ])
                    Do(1, [ "DEL"; "s" ])
                    Do(1, [ "XADD"; "s"; "1-1"; "a"; "1" ])
                    Await 0
                ]
        }
        {
            Name = "XREADGROUP > waiters are served first come, first served, one entry each"
            Clients = 3
            Acts =
                [
                    Do(2, [ "XGROUP"; "CREATE"; "s"; "g"; "$"; "MKSTREAM" ])
                    Start(0, [ "XREADGROUP"; "GROUP"; "g"; "c1"; "BLOCK"; "0"; "STREAMS"; "s"; ">" ])
                    Start(1, [ "XREADGROUP"; "GROUP"; "g"; "c2"; "BLOCK"; "0"; "STREAMS"; "s"; ">" ])
                    Do(2, [ "XADD"; "s"; "1-1"; "a"; "1" ])
                    Await 0
                    Do(2, [ "XADD"; "s"; "2-1"; "b"; "2" ])
                    Await 1
                    Do(2, [ "XPENDING"; "s"; "g" ])
                    Do(2, [ "XINFO"; "GROUPS"; "s" ])
                ]
        }
        {
            Name = "XREADGROUP NOACK served by XADD leaves nothing pending"
            Clients = 2
            Acts =
                [
                    Do(1, [ "XGROUP"; "CREATE"; "s"; "g"; "$"; "MKSTREAM" ])
                    Start(
                        0,
                        [
                            "XREADGROUP"
                            "GROUP"
                            "g"
                            "c"
                            "NOACK"
                            "COUNT"
                            "1"
                            "BLOCK"
                            "0"
                            "STREAMS"
                            "s"
                            ">"
                        ]
                    )
                    Do(1, [ "XADD"; "s"; "1-1"; "a"; "1" ])
                    Await 0
                    Do(1, [ "XPENDING"; "s"; "g" ])
                ]
        }
        {
            Name = "a blocked XREADGROUP whose group is destroyed gets NOGROUP"
            Clients = 2
            Acts =
                [
                    Do(1, [ "XGROUP"; "CREATE"; "s"; "g"; "$"; "MKSTREAM" ])
                    Start(0, [ "XREADGROUP"; "GROUP"; "g"; "c"; "BLOCK"; "0"; "STREAMS"; "s"; ">" ])
                    Do(1, [ "XGROUP"; "DESTROY"; "s"; "g" ])
                    Await 0
                ]
        }
        {
            Name = "a blocked XREADGROUP whose stream is deleted or overwritten gets UNBLOCKED"
            Clients = 2
            Acts =
                [
                    Do(1, [ "XGROUP"; "CREATE"; "s"; "g"; "$"; "MKSTREAM" ])
                    Start(0, [ "XREADGROUP"; "GROUP"; "g"; "c"; "BLOCK"; "0"; "STREAMS"; "s"; ">" ])
                    Do(1, [ "DEL"; "s" ])
                    Await 0
                    Do(1, [ "XGROUP"; "CREATE"; "s"; "g"; "$"; "MKSTREAM" ])
                    Start(0, [ "XREADGROUP"; "GROUP"; "g"; "c"; "BLOCK"; "0"; "STREAMS"; "s"; ">" ])
                    Do(1, [ "SET"; "s"; "x" ])
                    Await 0
                ]
        }
        {
            Name = "XGROUP SETID and XSETID do not wake a blocked XREADGROUP, the next XADD does"
            Clients = 2
            Acts =
                [
                    Do(1, [ "XADD"; "s"; "1-1"; "a"; "1" ])
                    Do(1, [ "XGROUP"; "CREATE"; "s"; "g"; "$" ])
                    Start(0, [ "XREADGROUP"; "GROUP"; "g"; "c"; "BLOCK"; "0"; "STREAMS"; "s"; ">" ])
                    Do(1, [ "XGROUP"; "SETID"; "s"; "g"; "0" ])
                    Do(1, [ "XSETID"; "s"; "5-0" ])
                    Do(1, [ "XADD"; "s"; "6-1"; "b"; "2" ])
                    Await 0
                ]
        }
        {
            Name = "CLIENT UNBLOCK ends a blocked XREAD with null, or with the UNBLOCKED error"
            Clients = 2
            Acts =
                [
                    Start(0, [ "XREAD"; "BLOCK"; "0"; "STREAMS"; "s"; "$" ])
                    Unblock(1, 0, [])
                    Await 0
                    Do(1, [ "XGROUP"; "CREATE"; "s"; "g"; "$"; "MKSTREAM" ])
                    Start(0, [ "XREADGROUP"; "GROUP"; "g"; "c"; "BLOCK"; "0"; "STREAMS"; "s"; ">" ])
                    Unblock(1, 0, [ "ERROR" ])
                    Await 0
                ]
        }
    ]

let private pair =
    lazy
        (task {
            let! oracle = startOracle ()
            let! candidate = startCoolCache ()

            AppDomain.CurrentDomain.ProcessExit.Add(fun _ ->
                for t in [ candidate; oracle ] do
                    try
                        t.Stop().AsTask().Wait(TimeSpan.FromSeconds 5.0) |> ignore
                    with _ ->
                        ())

            return oracle, candidate
        })

/// Transactions across clients (multi.c): WATCH invalidated by other clients' writes, expiry, FLUSHDB,
/// SWAPDB, RENAME; blocked clients served by a push inside MULTI/EXEC; blocking commands inside MULTI.
let private transactionScenarios: Scenario list =
    let watchThen (name: string) (setup: string list list) (other: string list list) =
        {
            Name = name
            Clients = 2
            Acts =
                [
                    for c in setup do
                        Do(0, c)
                    Do(0, [ "WATCH"; "k" ])
                    for c in other do
                        Do(1, c)
                    Do(0, [ "MULTI" ])
                    Do(0, [ "INCR"; "n" ])
                    Do(0, [ "GET"; "k" ])
                    Do(0, [ "EXEC" ])
                    Do(0, [ "GET"; "n" ])
                ]
        }

    [
        watchThen "EXEC runs when no watched key changed" [ [ "SET"; "k"; "1" ] ] [ [ "SET"; "other"; "x" ] ]
        watchThen
            "another client's SET of a watched key makes EXEC answer null"
            [ [ "SET"; "k"; "1" ] ]
            [ [ "SET"; "k"; "2" ] ]
        watchThen
            "another client's write to a watched list aborts EXEC"
            [ [ "RPUSH"; "k"; "a" ] ]
            [ [ "RPUSH"; "k"; "b" ] ]
        watchThen "a watched key created by another client aborts EXEC" [] [ [ "SET"; "k"; "new" ] ]
        watchThen "deleting a missing watched key changes nothing" [] [ [ "DEL"; "k" ] ]
        watchThen "EXPIRE of a watched key aborts EXEC" [ [ "SET"; "k"; "1" ] ] [ [ "EXPIRE"; "k"; "100" ] ]
        watchThen "FLUSHDB aborts a transaction watching an existing key" [ [ "SET"; "k"; "1" ] ] [ [ "FLUSHDB" ] ]
        watchThen "FLUSHALL does not abort a transaction watching a missing key" [] [ [ "FLUSHALL" ] ]
        watchThen
            "SWAPDB aborts a transaction watching a key in either database"
            []
            [ [ "SELECT"; "1" ]; [ "SET"; "k"; "x" ]; [ "SWAPDB"; "0"; "1" ] ]
        watchThen
            "RENAME onto a watched key aborts EXEC"
            [ [ "SET"; "k"; "1" ]; [ "SET"; "src"; "2" ] ]
            [ [ "RENAME"; "src"; "k" ] ]
        watchThen
            "consumer-group commands and XSETID on a watched stream do not abort EXEC"
            [ [ "XADD"; "k"; "1-0"; "f"; "v" ]; [ "XGROUP"; "CREATE"; "k"; "g"; "0" ] ]
            [
                [ "XREADGROUP"; "GROUP"; "g"; "c"; "STREAMS"; "k"; ">" ]
                [ "XACK"; "k"; "g"; "1-0" ]
                [ "XGROUP"; "CREATECONSUMER"; "k"; "g"; "c2" ]
                [ "XSETID"; "k"; "5-0" ]
            ]
        watchThen
            "XADD to a watched stream aborts EXEC"
            [ [ "XADD"; "k"; "1-0"; "f"; "v" ] ]
            [ [ "XADD"; "k"; "2-0"; "f"; "v" ] ]
        watchThen
            "a failed write to a watched key does not abort EXEC"
            [ [ "SET"; "k"; "1" ] ]
            [ [ "LPUSH"; "k"; "x" ] ]
        {
            Name = "a watched key that expires aborts EXEC"
            Clients = 1
            Acts =
                [
                    Do(0, [ "SET"; "k"; "1"; "PX"; "30" ])
                    Do(0, [ "WATCH"; "k" ])
                    WaitGone "k"
                    Do(0, [ "MULTI" ])
                    Do(0, [ "SET"; "k"; "2" ])
                    Do(0, [ "EXEC" ])
                    Do(0, [ "GET"; "k" ])
                ]
        }
        {
            Name = "the watching client's own write aborts its EXEC; UNWATCH forgets"
            Clients = 1
            Acts =
                [
                    Do(0, [ "WATCH"; "k" ])
                    Do(0, [ "SET"; "k"; "mine" ])
                    Do(0, [ "MULTI" ])
                    Do(0, [ "GET"; "k" ])
                    Do(0, [ "EXEC" ])
                    Do(0, [ "WATCH"; "k" ])
                    Do(0, [ "SET"; "k"; "again" ])
                    Do(0, [ "UNWATCH" ])
                    Do(0, [ "MULTI" ])
                    Do(0, [ "GET"; "k" ])
                    Do(0, [ "EXEC" ])
                ]
        }
        {
            Name = "a blocked client is served by a push inside MULTI/EXEC, after EXEC"
            Clients = 2
            Acts =
                [
                    Start(0, [ "BLPOP"; "l"; "0" ])
                    Do(1, [ "MULTI" ])
                    Do(1, [ "RPUSH"; "l"; "a" ])
                    Do(1, [ "RPUSH"; "l"; "b" ])
                    Do(1, [ "LRANGE"; "l"; "0"; "-1" ])
                    Do(1, [ "EXEC" ])
                    Await 0
                    Do(1, [ "LRANGE"; "l"; "0"; "-1" ])
                ]
        }
        {
            Name = "a push and pop inside one EXEC leave nothing for the blocked client"
            Clients = 2
            Acts =
                [
                    Start(0, [ "BLPOP"; "l"; "0.5" ])
                    Do(1, [ "MULTI" ])
                    Do(1, [ "RPUSH"; "l"; "a" ])
                    Do(1, [ "LPOP"; "l" ])
                    Do(1, [ "EXEC" ])
                    Await 0
                ]
        }
        {
            Name = "blocking commands inside MULTI do not block"
            Clients = 1
            Acts =
                [
                    Do(0, [ "MULTI" ])
                    Do(0, [ "BLPOP"; "l"; "0" ])
                    Do(0, [ "BRPOPLPUSH"; "l"; "m"; "0" ])
                    Do(0, [ "BLMOVE"; "l"; "m"; "LEFT"; "RIGHT"; "0" ])
                    Do(0, [ "BLMPOP"; "0"; "1"; "l"; "LEFT" ])
                    Do(0, [ "BZPOPMIN"; "z"; "0" ])
                    Do(0, [ "BZMPOP"; "0"; "1"; "z"; "MIN" ])
                    Do(0, [ "XREAD"; "BLOCK"; "0"; "STREAMS"; "st"; "$" ])
                    Do(0, [ "XGROUP"; "CREATE"; "st"; "g"; "$"; "MKSTREAM" ])
                    Do(0, [ "XREADGROUP"; "GROUP"; "g"; "c"; "BLOCK"; "0"; "STREAMS"; "st"; ">" ])
                    Do(0, [ "RPUSH"; "l"; "x" ])
                    Do(0, [ "BLPOP"; "l"; "0" ])
                    Do(0, [ "EXEC" ])
                ]
        }
        {
            Name = "another client sees all of a transaction or none of it"
            Clients = 2
            Acts =
                [
                    Do(0, [ "MULTI" ])
                    Do(0, [ "SET"; "a"; "1" ])
                    Do(1, [ "GET"; "a" ])
                    Do(0, [ "SET"; "b"; "2" ])
                    Do(1, [ "MGET"; "a"; "b" ])
                    Do(0, [ "EXEC" ])
                    Do(1, [ "MGET"; "a"; "b" ])
                ]
        }
    ]

let private scenarioTests (name: string) (scenarios: Scenario list) =
    testSequenced
    <| testList
        name
        [
            for scenario in scenarios @ streamScenarios do
                for resp3 in [ false; true ] do
                    let name = scenario.Name + (if resp3 then " (RESP3)" else "")

                    testTask name {
                        RedisProcess.requireRedisServer ()
                        let! oracle, candidate = pair.Force()
                        let! expected = run oracle.Port resp3 scenario
                        let! actual = run candidate.Port resp3 scenario

                        Expect.sequenceEqual
                            actual
                            expected
                            (sprintf "%s replies like %s (left: %s)" candidate.Name oracle.Name candidate.Name)
                    }
        ]

let tests = scenarioTests "BlockingScenarios" scenarios

let transactionTests = scenarioTests "TransactionScenarios" transactionScenarios
