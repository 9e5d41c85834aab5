/// Persistence formats exchanged with a real redis-server: DUMP payloads made by each server RESTORE on
/// the other with the same contents and OBJECT ENCODING, for every encoding Redis 7.0 produces (the cases
/// of tests/CoolCache.Core.Tests/Rdb/fixtures/dumps.txt, built by the same commands on both servers).
module CoolCache.Server.Tests.PersistenceInteropTests

open System
open System.IO
open System.Text
open System.Text.Json
open System.Threading.Tasks
open Expecto
open CoolCache.Server.Tests.RawClient
open CoolCache.Server.Tests.Servers

let private latin1 (s: string) = Encoding.Latin1.GetBytes s

let private cases =
    lazy
        (File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "fixtures", "dumps.txt"))
         |> Array.filter (fun l -> l <> "")
         |> Array.map (fun line ->
             let parts = line.Split '\t'
             parts[0], JsonSerializer.Deserialize<string list list>(parts[1])))

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

let private send (c: RawClient) (args: byte[] list) =
    task {
        let! raw = c.Send args
        return parseReply raw
    }

let private text (r: Reply) =
    match r with
    | Bulk b
    | Simple b -> Encoding.Latin1.GetString b
    | Integer n -> string n
    | other -> sprintf "%A" other

/// A key's type, encoding and contents in a canonical form (unordered kinds sorted).
let private describe (c: RawClient) (key: string) =
    task {
        let k = latin1 key
        let! t = send c [ latin1 "TYPE"; k ]
        let! enc = send c [ latin1 "OBJECT"; latin1 "ENCODING"; k ]

        let! body =
            match text t with
            | "string" -> send c [ latin1 "GET"; k ]
            | "list" -> send c [ latin1 "LRANGE"; k; latin1 "0"; latin1 "-1" ]
            | "set" -> send c [ latin1 "SMEMBERS"; k ]
            | "hash" -> send c [ latin1 "HGETALL"; k ]
            | "zset" -> send c [ latin1 "ZRANGE"; k; latin1 "0"; latin1 "-1"; latin1 "WITHSCORES" ]
            | other -> failwithf "unexpected type %s" other

        let items =
            match body with
            | Array xs -> xs |> List.map text
            | other -> [ text other ]

        let items =
            match text t with
            | "set" -> List.sort items
            | "hash" -> items |> List.chunkBySize 2 |> List.map (String.concat "=") |> List.sort
            | _ -> items

        return text t, text enc, items
    }

/// Builds key k by the same commands on both servers, DUMPs it on each and RESTOREs it on the other.
let private exchange (oracle: Target) (candidate: Target) (commands: string list list) =
    task {
        use! redis = RawClient.ConnectAsync oracle.Port
        use! ours = RawClient.ConnectAsync candidate.Port

        for c in [ redis; ours ] do
            let! _ = c.Cmd "FLUSHALL"

            for cmd in commands do
                let! r = send c (cmd |> List.map latin1)

                match r with
                | Error e -> failtestf "%s failed: %s" (String.Join(" ", cmd)) (Encoding.Latin1.GetString e)
                | _ -> ()

        let! fromRedis = send redis [ latin1 "DUMP"; latin1 "k" ]
        let! fromOurs = send ours [ latin1 "DUMP"; latin1 "k" ]

        let payload r =
            match r with
            | Bulk b -> b
            | other -> failtestf "DUMP replied %A" other

        let! r1 = send ours [ latin1 "RESTORE"; latin1 "r"; latin1 "0"; payload fromRedis ]
        Expect.equal r1 (Simple(latin1 "OK")) "CoolCache restores Redis's payload"
        let! r2 = send redis [ latin1 "RESTORE"; latin1 "r"; latin1 "0"; payload fromOurs ]
        Expect.equal r2 (Simple(latin1 "OK")) "Redis restores CoolCache's payload"
        let! expected = describe redis "k"
        let! inOurs = describe ours "r"
        let! inRedis = describe redis "r"
        Expect.equal inOurs expected "Redis's payload restored in CoolCache"
        Expect.equal inRedis expected "CoolCache's payload restored in Redis"
    }

let tests =
    testSequenced
    <| testList
        "PersistenceInterop"
        [
            for name, commands in cases.Force() do
                testTask $"DUMP payloads of {name} restore on the other server with the same contents and encoding" {
                    RedisProcess.requireRedisServer ()
                    let! oracle, candidate = pair.Force()
                    do! exchange oracle candidate commands
                }
        ]
