module CoolCache.Core.Tests.Keyspace.EvictionTests

open Expecto
open FsCheck
open FsCheck.FSharp
open CoolCache.Core
open CoolCache.Core.Collections
open CoolCache.Core.Protocol
open CoolCache.Core.Commands
open CoolCache.Core.Keyspace
open CoolCache.Core.State
open CoolCache.Core.Values

let private b (s: string) = Bytes.ofLatin1 s

let private ctxAt (now: int64) (seed: uint64) =
    {
        NowMs = now
        NowUs = now * 1000L
        Seed = seed
        Host = CoolCache.Core.Tests.TestHost.none
        IsLocal = true
        Events = true
    }

/// One client's commands against a World, each at its own time.
type private Client(world: World) =
    let mutable w = world
    let mutable s = Api.NewSession 1L
    let mutable now = 1_700_000_000_000L
    let effects = ResizeArray<Effect>()
    let mutable seed = 7UL

    member _.World = w
    member _.Now = now

    /// Let ms pass.
    member _.Wait(ms: int64) = now <- now + ms

    member _.Run(args: string list) =
        seed <- seed + 1UL
        let r = Api.Execute(ctxAt now seed, s, args |> List.map b |> Array.ofList, w)
        w <- r.World
        s <- r.Session
        effects.AddRange r.Effects
        r.Reply

    /// A command of another client (its own session) on the same World.
    member _.Other(args: string list) =
        let r =
            Api.Execute(ctxAt now 1UL, Api.NewSession 2L, args |> List.map b |> Array.ofList, w)

        w <- r.World
        effects.AddRange r.Effects
        r.Reply

    /// The keys evicted so far, in order (from Effect.Evicted), and their "evicted" events.
    member _.Evicted =
        [
            for e in effects do
                match e with
                | Effect.Evicted keys ->
                    for struct (_, key) in keys do
                        yield Bytes.toLatin1 key
                | _ -> ()
        ]

    member _.EvictedEvents =
        [
            for e in effects do
                match e with
                | Effect.Notify n when n.Class = NotifyClass.Evicted -> yield n.Event, n.Db, Bytes.toLatin1 n.Key
                | _ -> ()
        ]

    member this.Used = MaxMemory.used this.World

    /// Set maxmemory just under what is used now: CONFIG SET evicts at once, one big key's worth.
    member this.SqueezeOne() =
        this.Run [ "CONFIG"; "SET"; "maxmemory"; string (this.Used - 1L) ]

let private fresh (policy: string) =
    let c = Client(World.create Config.defaults)
    c.Run [ "CONFIG"; "SET"; "maxmemory-policy"; policy ] |> ignore
    c

let private big = String.replicate 1000 "x"

let private integer (r: RespValue) =
    match r with
    | RespValue.Integer n -> n
    | other -> failwithf "not an integer: %A" other

let private oom =
    RespValue.Error "OOM command not allowed when used memory > 'maxmemory'."

/// Every database's Used recomputed from its keys: each key's bytes, its string's bytes or its
/// collection's stored estimate, and its deadline; and the side maps' keys.
let private checkAccounting (w: World) =
    for i in 0 .. w.Dbs.Length - 1 do
        let db = w.Dbs[i]

        let recomputed =
            db.Keys
            |> HashMap.fold
                (fun sum key value ->
                    let bytes =
                        if Memory.isString value then
                            Memory.valueBytes value
                        else
                            (db.Sizes.TryFind key).Value.Bytes

                    sum + Memory.keyBytes db.Stamped key + bytes)
                0L

        let recomputed = recomputed + int64 db.Expires.Count * Memory.DeadlineBytes
        Expect.equal db.Used recomputed (sprintf "db %d: Used equals the sum over its keys" i)
        let stamps = if db.Stamped then db.Keys.Count else 0
        Expect.equal db.Access.Count stamps (sprintf "db %d: one access entry per key when stamped" i)

        let collections =
            db.Keys |> HashMap.fold (fun n _ v -> if Memory.isString v then n else n + 1) 0

        Expect.equal db.Sizes.Count collections (sprintf "db %d: one size per collection" i)

/// Commands over a few keys of every type, with deadlines, deletes and overwrites of another type.
let private commandGen: Gen<string list> =
    let key = Gen.elements [ "a"; "b"; "c"; "d" ]

    let value =
        Gen.elements [ "1"; "x"; String.replicate 50 "y"; String.replicate 300 "z" ]

    Gen.oneof
        [
            Gen.map2 (fun k v -> [ "SET"; k; v ]) key value
            Gen.map2 (fun k v -> [ "SET"; k; v; "EX"; "100" ]) key value
            Gen.map2 (fun k v -> [ "MSET"; k; v; "e"; v ]) key value
            Gen.map2 (fun k v -> [ "APPEND"; k; v ]) key value
            Gen.map (fun k -> [ "INCR"; k ]) key
            Gen.map2 (fun k v -> [ "LPUSH"; k; v; v ]) key value
            Gen.map (fun k -> [ "RPOP"; k ]) key
            Gen.map2 (fun k v -> [ "HSET"; k; v; v ]) key value
            Gen.map2 (fun k v -> [ "HDEL"; k; v ]) key value
            Gen.map2 (fun k v -> [ "SADD"; k; v ]) key value
            Gen.map2 (fun k v -> [ "ZADD"; k; "1"; v ]) key value
            Gen.map2 (fun k v -> [ "XADD"; k; "*"; "f"; v ]) key value
            Gen.map (fun k -> [ "DEL"; k ]) key
            Gen.map (fun k -> [ "EXPIRE"; k; "50" ]) key
            Gen.map (fun k -> [ "PERSIST"; k ]) key
            Gen.map2 (fun k k2 -> [ "RENAME"; k; k2 ]) key key
            Gen.map2 (fun k k2 -> [ "COPY"; k; k2; "REPLACE" ]) key key
            Gen.map (fun k -> [ "MOVE"; k; "1" ]) key
            Gen.constant [ "SWAPDB"; "0"; "1" ]
            Gen.constant [ "FLUSHDB" ]
        ]

/// A database of string keys k0.. with the given value sizes, deadlines and access stamps.
let private genDb =
    gen {
        let! n = Gen.choose (0, 12)
        let! sizes = Gen.listOfLength n (Gen.choose (0, 2000))

        let! ttls =
            Gen.listOfLength n (Gen.elements [ None; Some 1000L; Some 2000L; Some 3000L ])

        let! stamps = Gen.listOfLength n (Gen.choose (0, 100000))
        let! freqs = Gen.listOfLength n (Gen.choose (0, 255))
        let mutable db = Db.create true

        for i in 0 .. n - 1 do
            let key = b (sprintf "k%d" i)

            let ttl =
                match ttls[i] with
                | Some at -> Ttl.At(at + int64 i)
                | None -> Ttl.Clear

            db <- Db.set 0L key (Value.String(Array.zeroCreate sizes[i])) ttl db
            Db.setAccess key (Access.pack (int64 stamps[i]) (int64 freqs[i])) db

        return db
    }

let private policies =
    [
        "noeviction"
        "allkeys-lru"
        "allkeys-lfu"
        "allkeys-random"
        "volatile-lru"
        "volatile-lfu"
        "volatile-random"
        "volatile-ttl"
    ]

let private examples =
    [
        testCase "volatile-ttl evicts the key with the nearest deadline first, and only keys with a deadline"
        <| fun () ->
            let c = fresh "volatile-ttl"
            c.Run [ "SET"; "plain"; big ] |> ignore
            c.Run [ "SET"; "late"; big; "EX"; "300" ] |> ignore
            c.Run [ "SET"; "soon"; big; "EX"; "100" ] |> ignore
            c.Run [ "SET"; "middle"; big; "EX"; "200" ] |> ignore

            for _ in 1..3 do
                c.SqueezeOne() |> ignore

            Expect.equal c.Evicted [ "soon"; "middle"; "late" ] "nearest deadline first"
            // no key with a deadline is left: writes are refused, the plain key stays
            c.SqueezeOne() |> ignore
            Expect.equal (c.Run [ "SET"; "another"; "v" ]) oom "nothing left to evict"
            Expect.equal (c.Run [ "EXISTS"; "plain" ]) (RespValue.Integer 1L) "not a candidate"

        testCase "allkeys-lru evicts the key idle longest, a read counting as an access"
        <| fun () ->
            let c = fresh "allkeys-lru"

            for key in [ "a"; "b"; "c" ] do
                c.Run [ "SET"; key; big ] |> ignore
                c.Wait 2000L

            c.Run [ "GET"; "a" ] |> ignore
            c.Wait 2000L

            for _ in 1..3 do
                c.SqueezeOne() |> ignore

            Expect.equal c.Evicted [ "b"; "c"; "a" ] "least recently used first"

        testCase "TYPE, EXISTS, TTL and OBJECT look without touching; STRLEN touches"
        <| fun () ->
            let c = fresh "allkeys-lru"
            c.Run [ "SET"; "a"; big ] |> ignore
            c.Run [ "SET"; "b"; big ] |> ignore
            c.Wait 5000L

            for cmd in [ "TYPE"; "EXISTS"; "TTL"; "PTTL"; "EXPIRETIME"; "PEXPIRETIME" ] do
                c.Run [ cmd; "a" ] |> ignore

            c.Run [ "OBJECT"; "ENCODING"; "a" ] |> ignore
            Expect.equal (c.Run [ "OBJECT"; "IDLETIME"; "a" ]) (RespValue.Integer 5L) "a untouched"
            c.Run [ "STRLEN"; "b" ] |> ignore
            Expect.equal (c.Run [ "OBJECT"; "IDLETIME"; "b" ]) (RespValue.Integer 0L) "b touched"
            c.SqueezeOne() |> ignore
            Expect.equal c.Evicted [ "a" ] "the untouched key is the idlest"

        testCase "volatile-lru evicts only keys with a deadline, idlest first"
        <| fun () ->
            let c = fresh "volatile-lru"
            c.Run [ "SET"; "plain"; big ] |> ignore
            c.Run [ "SET"; "v1"; big; "EX"; "1000" ] |> ignore
            c.Wait 3000L
            c.Run [ "SET"; "v2"; big; "EX"; "1000" ] |> ignore
            c.Wait 3000L
            c.SqueezeOne() |> ignore
            c.SqueezeOne() |> ignore
            Expect.equal c.Evicted [ "v1"; "v2" ] "the volatile keys, idlest first"

        testCase "allkeys-lfu evicts the least frequently used key first"
        <| fun () ->
            let c = fresh "allkeys-lfu"
            // factor 0: every access counts (p = 1)
            c.Run [ "CONFIG"; "SET"; "lfu-log-factor"; "0" ] |> ignore

            for key in [ "a"; "b"; "c" ] do
                c.Run [ "SET"; key; big ] |> ignore

            for _ in 1..20 do
                c.Run [ "GET"; "b" ] |> ignore

            for _ in 1..5 do
                c.Run [ "GET"; "c" ] |> ignore

            Expect.equal (c.Run [ "OBJECT"; "FREQ"; "a" ]) (RespValue.Integer 5L) "a new key starts at 5"
            Expect.equal (c.Run [ "OBJECT"; "FREQ"; "b" ]) (RespValue.Integer 25L) "20 reads"
            Expect.equal (c.Run [ "OBJECT"; "FREQ"; "c" ]) (RespValue.Integer 10L) "5 reads"

            for _ in 1..3 do
                c.SqueezeOne() |> ignore

            Expect.equal c.Evicted [ "a"; "c"; "b" ] "lowest counter first"

        testCase "volatile-lfu evicts only keys with a deadline, lowest counter first"
        <| fun () ->
            let c = fresh "volatile-lfu"
            c.Run [ "CONFIG"; "SET"; "lfu-log-factor"; "0" ] |> ignore
            c.Run [ "SET"; "plain"; big ] |> ignore
            c.Run [ "SET"; "hot"; big; "EX"; "1000" ] |> ignore
            c.Run [ "SET"; "cold"; big; "EX"; "1000" ] |> ignore

            for _ in 1..3 do
                c.Run [ "GET"; "hot" ] |> ignore

            c.SqueezeOne() |> ignore
            c.SqueezeOne() |> ignore
            Expect.equal c.Evicted [ "cold"; "hot" ] "cold first, never the plain key"
            c.SqueezeOne() |> ignore
            Expect.equal (c.Run [ "SET"; "x"; "y" ]) oom "no candidate left"

        testCase "OBJECT FREQ decays by one per lfu-decay-time minutes idle"
        <| fun () ->
            let c = fresh "allkeys-lfu"
            c.Run [ "CONFIG"; "SET"; "lfu-log-factor"; "0" ] |> ignore
            c.Run [ "SET"; "k"; "v" ] |> ignore

            for _ in 1..10 do
                c.Run [ "GET"; "k" ] |> ignore

            Expect.equal (c.Run [ "OBJECT"; "FREQ"; "k" ]) (RespValue.Integer 15L) "15 before"
            c.Wait(3L * 60000L)
            Expect.equal (c.Run [ "OBJECT"; "FREQ"; "k" ]) (RespValue.Integer 12L) "three minutes: three less"
            c.Run [ "CONFIG"; "SET"; "lfu-decay-time"; "0" ] |> ignore
            Expect.equal (c.Run [ "OBJECT"; "FREQ"; "k" ]) (RespValue.Integer 15L) "decay 0: no decay"
            c.Run [ "CONFIG"; "SET"; "lfu-decay-time"; "1" ] |> ignore
            c.Run [ "GET"; "k" ] |> ignore

            Expect.equal
                (c.Run [ "OBJECT"; "FREQ"; "k" ])
                (RespValue.Integer 13L)
                "a read stores the decayed counter, plus one"

        testCase "under a real lfu-log-factor the counter grows ever more slowly"
        <| fun () ->
            let c = fresh "allkeys-lfu"
            c.Run [ "SET"; "k"; "v" ] |> ignore

            for _ in 1..1000 do
                c.Run [ "GET"; "k" ] |> ignore

            let freq = integer (c.Run [ "OBJECT"; "FREQ"; "k" ])
            // Redis's table for factor 10: 100 hits reach about 10, 1000 about 18
            Expect.isTrue (freq >= 12L && freq <= 24L) (sprintf "1000 hits give %d" freq)

        testCase "OBJECT IDLETIME and OBJECT FREQ refuse under the other kind of policy"
        <| fun () ->
            let c = fresh "allkeys-lru"
            c.Run [ "SET"; "k"; "v" ] |> ignore

            Expect.equal
                (c.Run [ "OBJECT"; "FREQ"; "k" ])
                (RedisError.toResp RedisError.LfuNotSelected)
                "FREQ under LRU"

            c.Run [ "CONFIG"; "SET"; "maxmemory-policy"; "volatile-lfu" ] |> ignore

            Expect.equal
                (c.Run [ "OBJECT"; "IDLETIME"; "k" ])
                (RedisError.toResp RedisError.LruNotSelected)
                "IDLETIME under LFU"

            Expect.equal (c.Run [ "OBJECT"; "FREQ"; "missing" ]) RespValue.Null "a missing key"

        testCase "RESTORE IDLETIME sets the idle time under LRU, RESTORE FREQ the counter under LFU"
        <| fun () ->
            let c = fresh "allkeys-lru"
            c.Run [ "SET"; "src"; "v" ] |> ignore

            let payload =
                match c.Run [ "DUMP"; "src" ] with
                | RespValue.Bulk p -> Bytes.toLatin1 p
                | other -> failwithf "DUMP: %A" other

            c.Run [ "RESTORE"; "old"; "0"; payload; "IDLETIME"; "3600" ] |> ignore
            Expect.equal (c.Run [ "OBJECT"; "IDLETIME"; "old" ]) (RespValue.Integer 3600L) "idle an hour"
            c.Run [ "RESTORE"; "plain"; "0"; payload; "FREQ"; "100" ] |> ignore
            Expect.equal (c.Run [ "OBJECT"; "IDLETIME"; "plain" ]) (RespValue.Integer 0L) "FREQ ignored under LRU"
            c.Run [ "CONFIG"; "SET"; "maxmemory-policy"; "allkeys-lfu" ] |> ignore
            c.Run [ "RESTORE"; "hot"; "0"; payload; "FREQ"; "100" ] |> ignore
            Expect.equal (c.Run [ "OBJECT"; "FREQ"; "hot" ]) (RespValue.Integer 100L) "counter 100"
            c.Run [ "RESTORE"; "idle"; "0"; payload; "IDLETIME"; "100" ] |> ignore
            Expect.equal (c.Run [ "OBJECT"; "FREQ"; "idle" ]) (RespValue.Integer 5L) "IDLETIME ignored under LFU"

        testCase "allkeys-random and volatile-random free enough, volatile-random only keys with a deadline"
        <| fun () ->
            let c = fresh "allkeys-random"

            for i in 1..20 do
                c.Run [ "SET"; sprintf "k%d" i; big ] |> ignore

            let limit = c.Used - 5000L
            c.Run [ "CONFIG"; "SET"; "maxmemory"; string limit ] |> ignore
            Expect.isLessThanOrEqual c.Used limit "under the limit"
            Expect.hasLength c.Evicted 5 "five keys of 1000 bytes and more"

            let v = fresh "volatile-random"

            for i in 1..10 do
                v.Run [ "SET"; sprintf "p%d" i; big ] |> ignore
                v.Run [ "SET"; sprintf "v%d" i; big; "EX"; "1000" ] |> ignore

            v.Run [ "CONFIG"; "SET"; "maxmemory"; string (v.Used - 3000L) ] |> ignore
            Expect.hasLength v.Evicted 3 "three keys"
            Expect.all v.Evicted (fun k -> k.StartsWith "v") "only keys with a deadline"

        testCase "noeviction evicts nothing: DENYOOM commands get OOM, reads and DEL still run"
        <| fun () ->
            let c = fresh "noeviction"
            c.Run [ "SET"; "a"; big ] |> ignore
            c.Run [ "SET"; "b"; big ] |> ignore
            c.Run [ "CONFIG"; "SET"; "maxmemory"; "1" ] |> ignore
            Expect.equal (c.Run [ "SET"; "c"; "v" ]) oom "SET refused"
            Expect.equal (c.Run [ "LPUSH"; "l"; "v" ]) oom "LPUSH refused"
            Expect.equal (c.Run [ "GET"; "a" ]) (RespValue.Bulk(b big)) "GET runs"
            Expect.equal (c.Run [ "DEL"; "a" ]) (RespValue.Integer 1L) "DEL runs"
            Expect.equal (c.Run [ "EXPIRE"; "b"; "100" ]) (RespValue.Integer 1L) "EXPIRE is not DENYOOM"
            Expect.isEmpty c.Evicted "nothing evicted"
            c.Run [ "CONFIG"; "SET"; "maxmemory"; "0" ] |> ignore
            Expect.equal (c.Run [ "SET"; "c"; "v" ]) RespValue.Ok "no limit: writes again"

        testCase "out of memory inside MULTI: queueing is refused and EXEC aborts, DISCARD still runs"
        <| fun () ->
            let c = fresh "noeviction"
            c.Run [ "CONFIG"; "SET"; "maxmemory"; "1" ] |> ignore
            Expect.equal (c.Run [ "MULTI" ]) RespValue.Ok "MULTI is not DENYOOM"
            Expect.equal (c.Run [ "GET"; "a" ]) oom "even a read is not queued"

            Expect.equal
                (c.Run [ "EXEC" ])
                (RespValue.Error "EXECABORT Transaction discarded because of previous errors.")
                "aborted"

            // memory goes over while a transaction waits: EXEC of a DENYOOM queue is refused, and says why
            c.Run [ "CONFIG"; "SET"; "maxmemory"; "0" ] |> ignore
            c.Run [ "MULTI" ] |> ignore
            Expect.equal (c.Run [ "SET"; "a"; "1" ]) (RespValue.Simple "QUEUED") "queued"
            c.Other [ "CONFIG"; "SET"; "maxmemory"; "1" ] |> ignore

            Expect.equal
                (c.Run [ "EXEC" ])
                (RespValue.Error
                    "EXECABORT Transaction discarded because of: OOM command not allowed when used memory > 'maxmemory'.")
                "EXEC of a SET"

            Expect.equal (c.Run [ "GET"; "a" ]) RespValue.Null "nothing ran"
            c.Other [ "CONFIG"; "SET"; "maxmemory"; "0" ] |> ignore
            c.Run [ "MULTI" ] |> ignore
            c.Run [ "GET"; "a" ] |> ignore
            c.Other [ "CONFIG"; "SET"; "maxmemory"; "1" ] |> ignore
            Expect.equal (c.Run [ "EXEC" ]) (RespValue.Array [| RespValue.Null |]) "EXEC of reads runs"
            Expect.equal (c.Run [ "MULTI" ]) RespValue.Ok "MULTI runs"
            Expect.equal (c.Run [ "DISCARD" ]) RespValue.Ok "DISCARD runs"

        testCase "evicted keys come as Effect.Evicted always and as evicted events in order, before the command's"
        <| fun () ->
            let c = fresh "volatile-ttl"
            c.Run [ "SET"; "t1"; big; "PX"; "100000" ] |> ignore
            c.Run [ "SET"; "t2"; big; "PX"; "200000" ] |> ignore
            c.Run [ "CONFIG"; "SET"; "maxmemory"; string (c.Used + 100L) ] |> ignore
            // the SET pushes memory over: the next command evicts t1 before it runs
            c.Run [ "SET"; "x"; big ] |> ignore
            Expect.equal c.Evicted [] "nothing yet"
            c.Run [ "GET"; "t2" ] |> ignore
            Expect.equal c.Evicted [ "t1" ] "t1 evicted"
            Expect.equal c.EvictedEvents [ "evicted", 0, "t1" ] "its event"

        testCase "CONFIG SET maxmemory below the used memory evicts at once, in every database"
        <| fun () ->
            let c = fresh "allkeys-lru"

            for db in [ "0"; "3" ] do
                c.Run [ "SELECT"; db ] |> ignore

                for i in 1..10 do
                    c.Run [ "SET"; sprintf "k%d" i; big ] |> ignore

            let limit = Memory.Startup + (c.Used - Memory.Startup) / 2L
            c.Run [ "CONFIG"; "SET"; "maxmemory"; string limit ] |> ignore
            Expect.isLessThanOrEqual c.Used limit "within the limit right after CONFIG SET"
            Expect.isGreaterThan c.Evicted.Length 0 "keys went"

        testCase "keys carry access stamps only under an LRU or LFU policy; switching builds or drops them at once"
        <| fun () ->
            let c = Client(World.create Config.defaults)

            for db in [ "0"; "3" ] do
                c.Run [ "SELECT"; db ] |> ignore

                for i in 1..10 do
                    c.Run [ "SET"; sprintf "k%d" i; big; "EX"; "1000" ] |> ignore
                    c.Run [ "RPUSH"; sprintf "l%d" i; "a"; "b" ] |> ignore

            let stamped (w: World) =
                w.Dbs |> Array.map (fun d -> d.Stamped, d.Access.Count) |> Array.distinct

            Expect.equal (stamped c.World) [| false, 0 |] "noeviction: no stamps"
            checkAccounting c.World
            Expect.equal (c.Run [ "OBJECT"; "IDLETIME"; "k3" ]) (RespValue.Integer 0L) "no stamp: idle 0"
            c.Run [ "CONFIG"; "SET"; "maxmemory-policy"; "volatile-lru" ] |> ignore
            Expect.equal (stamped c.World) [| true, 20; true, 0 |] "every key stamped"
            checkAccounting c.World
            c.Wait 5000L
            Expect.equal (c.Run [ "OBJECT"; "IDLETIME"; "k3" ]) (RespValue.Integer 5L) "idle since stamping began"
            c.Run [ "DEL"; "k1"; "l2" ] |> ignore
            c.Run [ "SET"; "new"; "v" ] |> ignore
            checkAccounting c.World
            c.Run [ "CONFIG"; "SET"; "maxmemory-policy"; "volatile-ttl" ] |> ignore
            Expect.equal (stamped c.World) [| false, 0 |] "stamps dropped"
            checkAccounting c.World

        testCase "a run stops at maxmemory-eviction-tenacity's bound without refusing the command"
        <| fun () ->
            let c = fresh "allkeys-lru"

            for i in 1..200 do
                c.Run [ "SET"; sprintf "k%d" i; "v" ] |> ignore

            c.Run [ "CONFIG"; "SET"; "maxmemory-eviction-tenacity"; "0" ] |> ignore
            c.Run [ "CONFIG"; "SET"; "maxmemory"; "1" ] |> ignore
            Expect.hasLength c.Evicted 16 "16 keys per run at tenacity 0"
            Expect.equal (c.Run [ "SET"; "x"; "v" ]) RespValue.Ok "a bounded run is not a refusal"

    ]

let private properties =
    [
        testProperty "Used is the sum of what every key, value and deadline is estimated at, after any commands"
        <| Prop.forAll (Arb.fromGen (Gen.listOf commandGen)) (fun cmds ->
            let c = Client(World.create Config.defaults)

            for cmd in cmds do
                c.Run cmd |> ignore
                c.Wait 10L

            checkAccounting c.World)

        testProperty "after eviction used memory is within maxmemory, unless nothing more may go (OOM)"
        <| Prop.forAll
            (Arb.fromGen (
                Gen.zip3
                    (Gen.listOfLength 3 genDb)
                    (Gen.elements policies)
                    (Gen.zip (Gen.choose (0, 30000)) (Gen.choose (1, 8)))
            ))
            (fun (dbs, policy, (toFree, samples)) ->
                let dbs = Array.ofList dbs
                let before = Eviction.usedMemory dbs
                // removals edit the live databases in place: read what is needed first
                let counts = Array.sumBy Db.count dbs

                let volatile =
                    dbs
                    |> Array.map (fun d ->
                        d.Expires.ToSeq()
                        |> Seq.map (fun (struct (k, _)) -> Bytes.toLatin1 k)
                        |> Set.ofSeq)

                let settings: Eviction.Settings =
                    {
                        Policy = Eviction.Policy.parse policy
                        Samples = samples
                        LfuDecayTime = 1L
                        MaxKeys = System.Int32.MaxValue
                    }

                let o = Eviction.perform settings 100000L 42UL (int64 toFree) dbs
                let after = Eviction.usedMemory o.Dbs
                Expect.equal (before - after) o.Freed "Freed is what Used lost"

                let candidatesLeft =
                    o.Dbs
                    |> Array.sumBy (fun d ->
                        if Eviction.Policy.allKeys settings.Policy then
                            d.Keys.Count
                        else
                            d.Expires.Count)

                if o.Enough then
                    Expect.isGreaterThanOrEqual o.Freed (int64 toFree) "enough freed"
                else
                    Expect.isTrue
                        (settings.Policy = Eviction.Policy.NoEviction || candidatesLeft = 0)
                        "OOM only with noeviction or no candidate left"

                for struct (i, key) in o.Evicted do
                    Expect.isFalse (o.Dbs[i].Keys.ContainsKey key) "an evicted key is gone"

                    if not (Eviction.Policy.allKeys settings.Policy) then
                        Expect.isTrue
                            (volatile[i].Contains(Bytes.toLatin1 key))
                            "volatile policies evict keys with a deadline"

                Expect.equal (counts - Array.sumBy Db.count o.Dbs) o.Evicted.Length "only the evicted keys went")

        testProperty "with no more keys than samples, LRU, LFU and TTL evict in exact rank order"
        <| Prop.forAll
            (Arb.fromGen (Gen.zip genDb (Gen.elements [ "allkeys-lru"; "allkeys-lfu"; "volatile-ttl" ])))
            (fun (db, policy) ->
                let settings: Eviction.Settings =
                    {
                        Policy = Eviction.Policy.parse policy
                        Samples = 16
                        LfuDecayTime = 0L
                        MaxKeys = System.Int32.MaxValue
                    }

                // removals edit the live database in place: read ranks and counts first
                let ranks =
                    db.Keys.ToSeq()
                    |> Seq.map (fun (struct (key, _)) ->
                        let a = (Db.access key db).Value

                        Bytes.toLatin1 key,
                        match settings.Policy with
                        | Eviction.Policy.AllKeysLru -> Access.stampMs a
                        | Eviction.Policy.AllKeysLfu -> Access.counter a
                        | _ -> (Db.deadline key db) |> ValueOption.defaultValue 0L)
                    |> Map.ofSeq

                let expected =
                    if Eviction.Policy.allKeys settings.Policy then
                        db.Keys.Count
                    else
                        db.Expires.Count

                let o = Eviction.perform settings 200000L 1UL System.Int64.MaxValue [| db |]
                let ranks = o.Evicted |> List.map (fun (struct (_, k)) -> ranks[Bytes.toLatin1 k])
                Expect.equal ranks (List.sort ranks) "evicted in rank order"

                Expect.equal o.Evicted.Length expected "every candidate went")
    ]

let tests = testList "Eviction" (examples @ properties)
