/// Differential keyspace-event tests: the generated command sequences of the differential tests go to a
/// real redis-server with notify-keyspace-events set (a raw-socket PSUBSCRIBE __key*__:* subscriber
/// captures what it publishes) and to the CoolCache core in process (Api.Execute with Ctx.Events on,
/// its Notify effects formatted into the same (channel, message) pairs with the flags applied as
/// notify.c applies them). Every command's events must be the same, in the same order. This checks
/// what the core emits without the host's delivery. Each sequence runs under one of flagVariants.
///
/// Left out or compared loosely, on purpose:
///   - SET ... EXAT/PXAT with a time already past is dropped from the sequences: the key it leaves
///     expires when each server decides (Redis: its expiry cycle or the next lookup), so its "expired"
///     event cannot be compared step by step (the core tests cover lazy and active expiry).
///   - SORT and SORT_RO: keymiss events are compared as multisets (BY keys are looked up in the source's
///     order, a set's being its hash-table order), the other events in order.
///   - Harness-driven steps (full SCAN/HSCAN/SSCAN iterations, HRANDFIELD checks) run as one call.
///
/// Environment:
///   COOLCACHE_EVENTS_SEQUENCES=n   generated sequences per run (default 500; a fifth as many sorted set
///                                  ones, half as many family ones)
///   COOLCACHE_DIFF_SEED=s          base seed (sequence i uses s+i; a failure prints the replay line)
///   COOLCACHE_DIFF_COVERAGE=1      print how often each event was published
///   COOLCACHE_REQUIRE_REDIS=1      fail (instead of skip) when redis-server is missing
module CoolCache.Server.Tests.KeyspaceEventTests

open System
open System.Buffers
open System.Diagnostics
open System.Text
open System.Threading.Tasks
open Expecto
open CoolCache.Core
open CoolCache.Core.Commands
open CoolCache.Core.State
open CoolCache.Server.Tests.RawClient
open CoolCache.Server.Tests.GenParts
open CoolCache.Server.Tests.Servers

// notify.c ----------------------------------------------------------------------------------------

/// keyspaceEventsStringToFlags: the classes a notify-keyspace-events string selects ('A' is every
/// class but m and n).
let classesOf (flags: string) : NotifyClass =
    let all =
        NotifyClass.Generic
        ||| NotifyClass.String
        ||| NotifyClass.List
        ||| NotifyClass.Set
        ||| NotifyClass.Hash
        ||| NotifyClass.SortedSet
        ||| NotifyClass.Expired
        ||| NotifyClass.Evicted
        ||| NotifyClass.Stream
        ||| NotifyClass.Module

    flags
    |> Seq.fold
        (fun acc c ->
            acc
            ||| (match c with
                 | 'A' -> all
                 | 'g' -> NotifyClass.Generic
                 | '$' -> NotifyClass.String
                 | 'l' -> NotifyClass.List
                 | 's' -> NotifyClass.Set
                 | 'h' -> NotifyClass.Hash
                 | 'z' -> NotifyClass.SortedSet
                 | 'x' -> NotifyClass.Expired
                 | 'e' -> NotifyClass.Evicted
                 | 'K' -> NotifyClass.Keyspace
                 | 'E' -> NotifyClass.Keyevent
                 | 't' -> NotifyClass.Stream
                 | 'm' -> NotifyClass.KeyMiss
                 | 'd' -> NotifyClass.Module
                 | 'n' -> NotifyClass.New
                 | c -> failwithf "not a notify-keyspace-events class: %c" c))
        NotifyClass.None

/// A published message: channel and payload, escaped for printing and comparing.
type Published = { Channel: string; Message: string }

/// notifyKeyspaceEvent: what Redis publishes for one event under these classes (keyspace channel
/// first, then keyevent).
let publish (classes: NotifyClass) (e: KeyEvent) : Published list =
    if classes &&& e.Class = NotifyClass.None then
        []
    else
        [
            if classes &&& NotifyClass.Keyspace <> NotifyClass.None then
                {
                    Channel = $"__keyspace@{e.Db}__:" + escape e.Key
                    Message = e.Event
                }
            if classes &&& NotifyClass.Keyevent <> NotifyClass.None then
                {
                    Channel = $"__keyevent@{e.Db}__:{e.Event}"
                    Message = escape e.Key
                }
        ]

// One run ---------------------------------------------------------------------------------------

/// A step as one side ran it: its reply (escaped RESP) and what was published.
type Observed =
    {
        Reply: string
        Published: Published list
    }

/// The settings every sequence starts from (as DifferentialTests' prelude).
let private prelude =
    [ [ "SELECT"; "0" ]; [ "CONFIG"; "SET"; "set-max-intset-entries"; "512" ] ]
    |> List.map (List.map latin1)

/// The command a step sends here: the harness-driven pseudo-commands run as one plain call (a
/// single SCAN/HSCAN/SSCAN/ZSCAN from cursor 0, HRANDFIELD alone).
let commandOf (step: Step) : byte[] list =
    match step.Compare, step.Args with
    | ScanAll, name :: opts -> name :: latin1 "0" :: opts
    | (HashScanAll | MemberScanAll), name :: key :: opts -> name :: key :: latin1 "0" :: opts
    | _ -> step.Args

/// Is this a SET (or GETEX) that leaves a key whose deadline has passed (EXAT/PXAT in the past)? Such a
/// key expires at a moment each server picks (Redis: its expiry cycle or the next lookup), so its
/// "expired" event is not comparable step by step; sequences leave those steps out.
let private setsPastDeadline (now: int64) (args: byte[] list) =
    let words =
        args |> List.map (fun a -> Encoding.Latin1.GetString(a).ToUpperInvariant())

    match words with
    | "SET" :: _ ->
        words
        |> List.pairwise
        |> List.exists (fun (opt, v) ->
            match opt, Int64.TryParse v with
            | "EXAT", (true, s) -> s < Int64.MaxValue / 1000L && s * 1000L <= now + 60_000L
            | "PXAT", (true, ms) -> ms <= now + 60_000L
            | _ -> false)
    | _ -> false

/// Transaction and pub/sub commands: inside MULTI the harness's PUBLISH marker would be queued, so sequences leave
/// them out (the commands of a transaction are compared one by one instead).
let private isTransaction (args: byte[] list) =
    match args with
    | name :: _ ->
        match Encoding.Latin1.GetString(name).ToUpperInvariant() with
        | "MULTI"
        | "EXEC"
        | "DISCARD"
        | "WATCH"
        | "UNWATCH"
        // and pub/sub: the harness's own PSUBSCRIBE subscriber is counted by Redis's replies
        | "PUBLISH"
        | "SPUBLISH"
        | "PUBSUB" -> true
        | _ -> false
    | [] -> false

/// The steps a sequence keeps for the event comparison.
let keep (steps: Step list) : Step list =
    let now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()

    steps
    |> List.filter (fun s -> not (setsPastDeadline now s.Args) && not (isTransaction s.Args))

let private host =
    { new IHostView with
        member _.Clients() = [||]
        member _.Stats() = Unchecked.defaultof<_>
        member _.IsBlocked _ = false
    }

let private render (protocol: int) (r: Protocol.RespValue) =
    let buffer = ArrayBufferWriter<byte>()
    Api.WriteReply(protocol, r, buffer)
    escape (buffer.WrittenSpan.ToArray())

/// The steps through the core in process, with events on: one Observed per step.
let runCore (flags: string) (steps: Step list) : Observed list =
    let classes = classesOf flags
    let mutable world = Api.NewWorld Api.DefaultConfig
    let mutable session = Api.NewSession 1L
    let mutable seed = 1UL

    let run (argv: byte[] list) =
        let nowUs = (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) / 10L
        seed <- seed + 1UL

        let ctx: Ctx =
            {
                NowMs = nowUs / 1000L
                NowUs = nowUs
                Seed = seed
                Host = host
                IsLocal = true
                Events = true
            }

        let r = Api.Execute(ctx, session, Array.ofList argv, world)
        world <- r.World
        session <- r.Session

        {
            // A command that blocks (nothing to pop) times out here, as it does on the oracle.
            Reply =
                if r.Silent then
                    "(blocked)"
                else
                    render r.Session.Protocol r.Reply
            Published =
                r.Effects
                |> Array.toList
                |> List.collect (fun e ->
                    match e with
                    | Effect.Notify ke -> publish classes ke
                    | _ -> [])
        }

    for p in prelude do
        run p |> ignore

    steps |> List.map (commandOf >> run)

/// The oracle: a redis-server, a connection for commands and one subscribed to __key*__:*.
type Oracle =
    {
        Server: Target
        mutable Client: RawClient
        Subscriber: RawClient
        mutable Marker: int64
    }

let private syncChannel = "__keysync__:x"

/// A message the subscriber received: Some(channel, payload) for a pmessage.
let private pmessage (raw: byte[]) =
    match parseReply raw with
    | Array [ Bulk kind; Bulk _; Bulk channel; Bulk message ] when Encoding.ASCII.GetString kind = "pmessage" ->
        Some(channel, message)
    | _ -> None

/// Sends argv and a PUBLISH to the sync channel, then reads what the subscriber got until that marker:
/// everything before it was published by argv (Redis publishes while the command runs).
let private runOnOracle (o: Oracle) (argv: byte[] list) : Task<Observed> =
    task {
        o.Marker <- o.Marker + 1L
        let marker = string o.Marker

        let! replies =
            o.Client.SendBatch [ argv; [ latin1 "PUBLISH"; latin1 syncChannel; latin1 marker ] ]

        let published = ResizeArray<Published>()
        let mutable synced = false

        while not synced do
            let! raw = o.Subscriber.Receive()

            match pmessage raw with
            | Some(channel, message) when escape channel = syncChannel -> synced <- escape message = marker
            | Some(channel, message) ->
                published.Add
                    {
                        Channel = escape channel
                        Message = escape message
                    }
            | None -> failtestf "the subscriber got something other than a pmessage: %s" (escape raw)

        return
            {
                Reply = escape replies[0]
                Published = List.ofSeq published
            }
    }

let private runRedis (o: Oracle) (flags: string) (steps: Step list) : Task<Observed list> =
    task {
        let! _ = o.Client.SendBatch [ [ latin1 "FLUSHALL" ] ]

        for p in
            prelude
            @ [
                [ latin1 "CONFIG"; latin1 "SET"; latin1 "notify-keyspace-events"; latin1 flags ]
            ] do
            let! _ = runOnOracle o p
            ()

        let results = ResizeArray<Observed>()

        for step in steps do
            // Redis 7.0's numeric SORT reads a stale ERANGE (see DifferentialTests.FreshErrno).
            if step.Compare = FreshErrno then
                use! c = RawClient.ConnectAsync o.Server.Port
                let! _ = c.Send [ latin1 "PING" ]
                ()

            let! r = runOnOracle o (commandOf step)
            results.Add r

        if CommandGen.switchesProtocol steps then
            o.Client.Dispose()
            let! c = RawClient.ConnectAsync o.Server.Port
            o.Client <- c

        return List.ofSeq results
    }

let private startOracle () : Task<Oracle> =
    task {
        let! server = startRedis "redis"
        let! client = RawClient.ConnectAsync server.Port
        let! subscriber = RawClient.ConnectAsync server.Port
        let! _ = subscriber.Send [ latin1 "PSUBSCRIBE"; latin1 "__key*__:*" ]

        AppDomain.CurrentDomain.ProcessExit.Add(fun _ ->
            try
                server.Stop().AsTask().Wait(TimeSpan.FromSeconds 5.0) |> ignore
            with _ ->
                ())

        return
            {
                Server = server
                Client = client
                Subscriber = subscriber
                Marker = 0L
            }
    }

let private sharedOracle = lazy (startOracle ())

let private getOracle () =
    RedisProcess.requireRedisServer ()
    sharedOracle.Force()

// Comparison --------------------------------------------------------------------------------------

let private isKeymiss (p: Published) =
    p.Message = "keymiss" || p.Channel.EndsWith "__:keymiss"

/// Whether the events of a step agree. SORT and SORT_RO look their BY keys up in the order of the
/// source's elements, which for a set is the hash-table order: their keymiss events are compared as
/// multisets, the others in order.
let agree (command: byte[] list) (oracle: Published list) (candidate: Published list) =
    match command with
    | name :: _ when
        (let n = Encoding.Latin1.GetString(name).ToUpperInvariant()
         n = "SORT" || n = "SORT_RO")
        ->
        let split (ps: Published list) =
            let misses, others = List.partition isKeymiss ps
            List.sort misses, others

        split oracle = split candidate
    | _ -> oracle = candidate

/// One compared step.
type Line =
    {
        Args: byte[] list
        /// Replies compared too (byte for byte): the differential tests' Exact steps. With events on,
        /// the core takes other paths (lazy expiry, the events' bookkeeping) that must not change a reply.
        ExactReply: bool
        Command: string
        Oracle: Observed
        Candidate: Observed
    }

    member l.Agrees =
        agree l.Args l.Oracle.Published l.Candidate.Published
        && (not l.ExactReply
            || l.Candidate.Reply = "(blocked)"
            || l.Oracle.Reply = l.Candidate.Reply)

let private compare (o: Oracle) (flags: string) (steps: Step list) : Task<Line list> =
    task {
        let! oracle = runRedis o flags steps
        let candidate = runCore flags steps

        return
            List.map3
                (fun (s: Step) r c ->
                    {
                        Args = commandOf s
                        ExactReply = s.Compare = Exact
                        Command = formatCommand (commandOf s)
                        Oracle = r
                        Candidate = c
                    })
                steps
                oracle
                candidate
    }

let private failing (lines: Line list) =
    lines |> List.exists (fun l -> not l.Agrees)

let private show (lines: Line list) =
    let sb = StringBuilder()

    let events (p: Published list) =
        if p.IsEmpty then
            "(none)"
        else
            p |> List.map (fun e -> $"{e.Channel} {e.Message}") |> String.concat " | "

    for i, l in List.indexed lines do
        let mark = if l.Agrees then "  " else ">>"
        sb.AppendLine $"{mark} {i, 3}  {l.Command}" |> ignore

        sb.AppendLine $"          redis reply: {l.Oracle.Reply}   coolcache reply: {l.Candidate.Reply}"
        |> ignore

        if l.Agrees then
            sb.AppendLine $"          both: {events l.Oracle.Published}" |> ignore
        else
            sb.AppendLine $"          redis:     {events l.Oracle.Published}" |> ignore
            sb.AppendLine $"          coolcache: {events l.Candidate.Published}" |> ignore

    sb.ToString()

/// Greedy shrinking: drop steps one at a time while the sequence still disagrees (bounded effort).
let private minimise (o: Oracle) (flags: string) (steps: Step list) : Task<Line list> =
    task {
        let mutable current = steps
        let! first = compare o flags current
        let mutable lines = first
        let mutable i = 0
        let mutable budget = 300

        while i < current.Length && budget > 0 do
            budget <- budget - 1
            let candidate = List.removeAt i current
            let! l = compare o flags candidate

            if failing l then
                current <- candidate
                lines <- l
            else
                i <- i + 1

        return lines
    }

/// The notify-keyspace-events settings sequences run under (by seed): everything (with and without
/// n and m), and a few partial ones so that the class of every event is checked.
let flagVariants =
    [| "KEAnm"; "KEA"; "KEAn"; "KEAm"; "KEAnm"; "Kg$lxn"; "Eshzm"; "KEg" |]

let private envInt (name: string) (fallback: int) =
    match Environment.GetEnvironmentVariable name with
    | null
    | "" -> fallback
    | s -> int s

let private baseSeed () =
    match Environment.GetEnvironmentVariable "COOLCACHE_DIFF_SEED" with
    | null
    | "" -> uint64 (Random.Shared.NextInt64 Int64.MaxValue)
    | s -> UInt64.Parse s

let private sequencesWith (name: string) (generate: uint64 -> Step list) (generator: string) (share: int) =
    testTask name {
        let! oracle = getOracle ()
        let count = max 1 (envInt "COOLCACHE_EVENTS_SEQUENCES" 500 / share)
        let seed0 = baseSeed ()
        let sw = Stopwatch.StartNew()
        let mutable events = 0
        let mutable commands = 0
        let mutable failure = None
        let mutable i = 0
        let seen = Collections.Generic.Dictionary<string, int>()

        while failure.IsNone && i < count do
            let seed = seed0 + uint64 i
            let flags = flagVariants[int (seed % uint64 flagVariants.Length)]
            let steps = keep (generate seed)
            let! (lines: Line list) = compare oracle flags steps
            commands <- commands + lines.Length
            events <- events + (lines |> List.sumBy (fun l -> l.Oracle.Published.Length))

            for l in lines do
                for p in l.Oracle.Published do
                    if p.Channel.StartsWith "__keyevent" then
                        let name = p.Channel.Substring(p.Channel.IndexOf ':' + 1)

                        seen[name] <-
                            (match seen.TryGetValue name with
                             | true, n -> n
                             | _ -> 0)
                            + 1

            if failing lines then
                failure <- Some(seed, flags, steps, lines)

            i <- i + 1

        sw.Stop()

        match failure with
        | None ->
            printfn
                "Keyspace events: %d sequences, %d commands, %d messages published in %.1fs; base seed %d"
                count
                commands
                events
                sw.Elapsed.TotalSeconds
                seed0

            if Environment.GetEnvironmentVariable "COOLCACHE_DIFF_COVERAGE" = "1" then
                for KeyValue(name, n) in seen |> Seq.sortBy (fun kv -> kv.Key) do
                    printfn "  %-20s %7d" name n
        | Some(seed, flags, steps, lines) ->
            let! (small: Line list) = minimise oracle flags steps

            failtestf
                "redis and CoolCache publish different keyspace events for sequence #%d (seed %d: %s, notify-keyspace-events %s).\nReplay: COOLCACHE_DIFF_SEED=%d COOLCACHE_EVENTS_SEQUENCES=%d\n\nFull sequence (%d commands):\n%s\nMinimised (%d commands):\n%s"
                (i - 1)
                seed
                generator
                flags
                seed
                share
                steps.Length
                (show lines)
                small.Length
                (show small)
    }

let private generated =
    sequencesWith
        "generated command sequences publish the same keyspace events on redis and CoolCache"
        (fun seed -> CommandGen.sequenceForSeed seed)
        "CommandGen.sequence"
        1

let private sortedSets =
    sequencesWith
        "generated sorted set sequences publish the same keyspace events on redis and CoolCache"
        (fun seed ->
            FsCheck.FSharp.Gen.sampleWithSeed (CommandGen.rndForSeed seed) 50 1 GenSortedSets.sequence
            |> Array.head)
        "GenSortedSets.sequence"
        5

/// Keyspace commands mixed into the family sequences: keys are deleted, renamed, copied, moved and
/// given deadlines while they hold collections.
let private neighbours: FsCheck.Gen<Draft> =
    FsCheck.FSharp.Gen.frequency
        [
            2, cmd "DEL" [ keys (1, 2) ]
            1, cmd "RENAME" [ key; key ]
            1, cmd "RENAMENX" [ key; key ]
            1,
            cmd
                "COPY"
                [
                    key
                    key
                    optional (cat [ kw "DB"; one (litOf [ "0"; "1" ]) ])
                    optional (kw "REPLACE")
                ]
            1, cmd "MOVE" [ key; one (litOf [ "1"; "2" ]) ]
            1, cmd "EXPIRE" [ key; one (litOf [ "100"; "-1" ]) ]
            1, cmd "PERSIST" [ key ]
            1, cmd "EXISTS" [ keys (1, 3) ]
            1, cmd "SET" [ key; value ]
        ]

/// 1..40 commands of one family (its generator from the differential tests) and a few neighbours, so
/// that collections live long enough for their rarer events (LINSERT, HDEL, SMOVE...).
let familySequence (commands: FsCheck.Gen<Draft>) : FsCheck.Gen<Step list> =
    FsCheck.FSharp.GenBuilder.gen {
        let! len = FsCheck.FSharp.Gen.choose (1, 40)

        let! drafts =
            FsCheck.FSharp.Gen.listOfLength len (FsCheck.FSharp.Gen.frequency [ 17, commands; 3, neighbours ])

        return List.mapi resolve drafts
    }

let private families =
    [| GenLists.commands; GenHashes.commands; GenSets.commands; GenSort.commands |]

let private familySequences =
    sequencesWith
        "generated list, hash, set and SORT sequences publish the same keyspace events on redis and CoolCache"
        (fun seed ->
            let family = families[int (seed % uint64 families.Length)]

            FsCheck.FSharp.Gen.sampleWithSeed (CommandGen.rndForSeed seed) 50 1 (familySequence family)
            |> Array.head)
        "KeyspaceEventTests.familySequence"
        2

// Served blocked clients ------------------------------------------------------------------------------

/// Clients blocked by the first commands (in order), then the last command, run by another client,
/// serves them. Redis serves them right after that command (handleClientsBlockedOnKeys), so its events
/// and theirs come before the next command's.
let private blockingScenarios: (string * string list list) list =
    [
        "BLPOP served by LPUSH tells lpop and del after the push", [ [ "BLPOP"; "k"; "0" ]; [ "LPUSH"; "k"; "a" ] ]
        "BLMOVE served by RPUSH tells the push into its destination, then the pop",
        [
            [ "BLMOVE"; "src"; "dst"; "LEFT"; "RIGHT"; "0" ]
            [ "RPUSH"; "src"; "a"; "b" ]
        ]
        "BZPOPMIN served by ZADD tells zpopmin after zadd",
        [ [ "BZPOPMIN"; "z"; "0" ]; [ "ZADD"; "z"; "1"; "a"; "2"; "b" ] ]
        "two BLPOPs served by one RPUSH tell a pop each, then del",
        [ [ "BLPOP"; "k"; "0" ]; [ "BRPOP"; "k"; "0" ]; [ "RPUSH"; "k"; "a"; "b" ] ]
        "BLMPOP with COUNT served by LMOVE into its key",
        [
            [ "RPUSH"; "x"; "1"; "2" ]
            [ "BLMPOP"; "0"; "2"; "a"; "b"; "LEFT"; "COUNT"; "5" ]
            [ "LMOVE"; "x"; "b"; "LEFT"; "LEFT" ]
        ]
        "BZMPOP served by ZUNIONSTORE into its key",
        [
            [ "ZADD"; "x"; "1"; "a" ]
            [ "BZMPOP"; "0"; "1"; "z"; "MAX" ]
            [ "ZUNIONSTORE"; "z"; "1"; "x" ]
        ]
    ]

/// The core side of a scenario: every command through Api.Execute, blocked ones re-run (oldest first)
/// after each command while one of their keys holds their type, as CommandEngine.ServeBlocked does.
let private runBlockingOnCore (flags: string) (commands: string list list) : Published list =
    let classes = classesOf flags
    let mutable world = Api.NewWorld Api.DefaultConfig
    let waiters = ResizeArray<Session * byte[][] * BlockRequest>()
    let published = ResizeArray<Published>()

    let ctx () : Ctx =
        let nowUs = (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) / 10L

        {
            NowMs = nowUs / 1000L
            NowUs = nowUs
            Seed = 1UL
            Host = host
            IsLocal = true
            Events = true
        }

    let execute (session: Session) (argv: byte[][]) =
        let r = Api.Execute(ctx (), session, argv, world)

        let block =
            r.Effects
            |> Array.tryPick (fun e ->
                match e with
                | Effect.Block b -> Some b
                | _ -> None)

        // A command that blocks again changes nothing (the host drops its World).
        if block.IsNone then
            world <- r.World

            for e in r.Effects do
                match e with
                | Effect.Notify ke -> published.AddRange(publish classes ke)
                | _ -> ()

        block

    let serve () =
        let mutable progress = true

        while progress do
            progress <- false

            let ready =
                waiters
                |> Seq.tryFind (fun (_, _, b) ->
                    b.Keys
                    |> Array.exists (fun k ->
                        Api.KeyType(world, b.Db, k, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()) = b.Type))

            match ready with
            | Some((session, argv, _) as waiter) when (execute session argv).IsNone ->
                waiters.Remove waiter |> ignore
                progress <- true
            | _ -> ()

    commands
    |> List.iteri (fun i c ->
        let session = Api.NewSession(int64 i + 1L)

        match execute session (c |> List.map latin1 |> Array.ofList) with
        | Some b -> waiters.Add(session, c |> List.map latin1 |> Array.ofList, b)
        | None -> serve ())

    List.ofSeq published

/// The oracle side: each command on a connection of its own; blocking ones are posted and the next
/// command waits until Redis counts them blocked. The events are read up to a marker after the last.
let private runBlockingOnRedis (o: Oracle) (flags: string) (commands: string list list) : Task<Published list> =
    task {
        let! _ = o.Client.SendBatch [ [ latin1 "FLUSHALL" ] ]

        let! _ =
            runOnOracle o [ latin1 "CONFIG"; latin1 "SET"; latin1 "notify-keyspace-events"; latin1 flags ]

        let published = ResizeArray<Published>()
        let clients = ResizeArray<RawClient>()
        let mutable blocked = 0

        let blockedNow () =
            task {
                let! raw = o.Client.Send [ latin1 "INFO"; latin1 "clients" ]

                let text =
                    match parseReply raw with
                    | Bulk b -> Encoding.Latin1.GetString b
                    | _ -> ""

                return
                    text.Split('\n')
                    |> Array.pick (fun l ->
                        if l.StartsWith "blocked_clients:" then
                            Some(int (l.Substring(16).Trim()))
                        else
                            None)
            }

        for i, c in List.indexed commands do
            let argv = c |> List.map latin1

            if
                i < commands.Length - 1
                && (Encoding.Latin1.GetString argv.Head).ToUpperInvariant().StartsWith "B"
            then
                let! client = RawClient.ConnectAsync o.Server.Port
                clients.Add client
                do! client.Post [ argv ]
                blocked <- blocked + 1
                let sw = Stopwatch.StartNew()
                let mutable n = 0

                while n < blocked do
                    let! b = blockedNow ()
                    n <- b

                    if sw.Elapsed > TimeSpan.FromSeconds 10.0 then
                        failtest "redis did not block the client"
            else
                let! r = runOnOracle o argv
                published.AddRange r.Published

        for c in clients do
            c.Dispose()

        return List.ofSeq published
    }

let private blockingTests =
    blockingScenarios
    |> List.map (fun (name, commands) ->
        testTask name {
            let! oracle = getOracle ()

            for flags in [ "KEAnm"; "Eglz" ] do
                let! expected = runBlockingOnRedis oracle flags commands
                let actual = runBlockingOnCore flags commands
                Expect.isNonEmpty expected "redis published events"
                Expect.equal actual expected $"events with notify-keyspace-events {flags}"
        })

let private selfChecks =
    [
        test "notify.c formatting: keyspace channel first, then keyevent; A leaves out n and m" {
            let e =
                {
                    Class = NotifyClass.String
                    Event = "set"
                    Db = 3
                    Key = latin1 "k\000"
                }

            Expect.equal
                (publish (classesOf "KEA") e)
                [
                    {
                        Channel = "__keyspace@3__:k\\0"
                        Message = "set"
                    }
                    {
                        Channel = "__keyevent@3__:set"
                        Message = "k\\0"
                    }
                ]
                "both channels"

            Expect.isEmpty (publish (classesOf "KEA") { e with Class = NotifyClass.New }) "A has no n"
            Expect.isEmpty (publish (classesOf "KEA") { e with Class = NotifyClass.KeyMiss }) "A has no m"
            Expect.isEmpty (publish (classesOf "A") e) "neither K nor E: nothing"
            Expect.equal (publish (classesOf "El") { e with Class = NotifyClass.List }).Length 1 "E only"
        }
    ]

let tests =
    testSequenced (
        testList
            "KeyspaceEvents"
            [
                yield! selfChecks
                generated
                sortedSets
                familySequences
                testList "served blocked clients" blockingTests
            ]
    )
