/// The C#-facing façade: arrays, structs and Try-shapes only, no F# lists, options or curried functions.
namespace CoolCache.Core

open System
open System.Buffers
open CoolCache.Core.Protocol
open CoolCache.Core.State
open CoolCache.Core.Commands

/// The result of one command for the host.
[<Struct>]
type StepResult =
    {
        Reply: RespValue
        World: World
        Session: Session
        /// Empty for most commands.
        Effects: Effect[]
        Silent: bool
        /// "get", "config|set"... or null for an unknown command.
        Command: string
        IsWrite: bool
        IsError: bool
    }

/// One row of the supported-command list.
type CommandRow =
    {
        Name: string
        Summary: string
        Group: string
    }

[<AbstractClass; Sealed>]
type Api =
    static member DefaultConfig = Config.defaults

    /// Every setting name, for the command line (--name value) and CONFIG GET.
    static member SettingNames: string[] =
        Config.settings |> List.map (fun s -> s.Name) |> Array.ofList

    /// Apply one setting at start-up; false with a message for an unknown name or a bad value.
    static member TryApplySetting
        (config: Config, name: string, value: string, result: outref<Config>, error: outref<string>)
        =
        match Config.applyStartup name value config with
        | Ok c ->
            result <- c
            true
        | Error e ->
            error <- e
            false

    /// Split one config line into words: whitespace separated, "double quotes" with \-escapes and
    /// 'single quotes', as redis.conf lines are read (sdssplitargs).
    static member SplitConfigLine(line: string) : string[] =
        let words = ResizeArray<string>()
        let sb = Text.StringBuilder()
        let mutable i = 0
        let mutable inWord = false

        while i < line.Length do
            let c = line[i]

            if c = '"' || c = '\'' then
                inWord <- true
                i <- i + 1

                while i < line.Length && line[i] <> c do
                    if c = '"' && line[i] = '\\' && i + 1 < line.Length then
                        i <- i + 1

                        sb.Append(
                            match line[i] with
                            | 'n' -> '\n'
                            | 'r' -> '\r'
                            | 't' -> '\t'
                            | other -> other
                        )
                        |> ignore
                    else
                        sb.Append(line[i]) |> ignore

                    i <- i + 1

                i <- i + 1
            elif Char.IsWhiteSpace c then
                if inWord then
                    words.Add(sb.ToString())
                    sb.Clear() |> ignore
                    inWord <- false

                i <- i + 1
            else
                sb.Append(c) |> ignore
                inWord <- true
                i <- i + 1

        if inWord then
            words.Add(sb.ToString())

        words.ToArray()

    /// A redis.conf-style file as (name, value) pairs in order; repeated "save" lines are joined.
    static member ParseConfigFile(text: string) : struct (string * string)[] =
        let lines =
            text.Split('\n')
            |> Array.map (fun l -> l.Trim())
            |> Array.filter (fun l -> l <> "" && not (l.StartsWith "#"))
            |> Array.map Api.SplitConfigLine
            |> Array.filter (fun words -> words.Length > 0)
            |> Array.map (fun words -> words[0].ToLowerInvariant(), String.Join(" ", words[1..]))

        let saves = lines |> Array.filter (fun (n, _) -> n = "save") |> Array.map snd

        lines
        |> Array.filter (fun (n, _) -> n <> "save")
        |> Array.append (
            if saves.Length > 0 then
                [| "save", String.Join(" ", saves |> Array.filter ((<>) "")) |]
            else
                [||]
        )
        |> Array.map (fun (n, v) -> struct (n, v))

    static member NewWorld(config: Config) = World.create config

    static member NewSession(id: int64) = Session.create id false

    /// The session with db selected (a replica's primary link restored from an RDB file's repl-stream-db).
    static member SessionInDb(session: Session, db: int) = { session with Db = db }

    /// A session that needs no AUTH (replaying an append-only file, a primary's stream).
    static member NewTrustedSession(id: int64) = Session.create id true

    /// Run one command.
    static member Execute(ctx: Ctx, session: Session, argv: Bytes[], world: World) : StepResult =
        let dirtyBefore = world.Dirty
        let struct (o, spec) = Engine.step ctx session argv world

        {
            Reply = o.Reply
            World = o.World
            Session = o.Session
            Effects =
                (if o.Effects.IsEmpty then
                     Array.Empty()
                 else
                     Array.ofList o.Effects)
            Silent = o.Silent
            Command =
                (match spec with
                 | ValueSome s -> s.FullName
                 | ValueNone -> null)
            IsWrite =
                (match spec with
                 | ValueSome s ->
                     s.Flags &&& CommandFlags.Write <> CommandFlags.None
                     // EXEC is not a write command, but its queue may have written.
                     || (s.FullName = "exec" && o.World.Dirty <> dirtyBefore)
                 | ValueNone -> false)
            IsError =
                (match o.Reply with
                 | RespValue.Error _ -> true
                 | _ -> false)
        }

    /// Write a World as an RDB file (version 10) to stream; keys expired at nowMs are left out.
    static member WriteRdb(stream: IO.Stream, world: World, nowMs: int64) =
        Api.WriteRdbWithReplication(stream, world, nowMs, null, 0L, 0)

    /// WriteRdb with the replication ID and offset the data is at, and the replication stream's database
    /// (rdbSaveInfo: aux repl-id, repl-offset, repl-stream-db), so a restart can continue replicating
    /// (PSYNC) instead of syncing in full. replId null: none.
    static member WriteRdbWithReplication
        (stream: IO.Stream, world: World, nowMs: int64, replId: string, replOffset: int64, streamDb: int)
        =
        let aux =
            [
                "redis-ver", Commands.ConnectionCommands.redisVersion
                "redis-bits", "64"
                "ctime", string (nowMs / 1000L)
                "used-mem", string (GC.GetTotalMemory false)
                if not (isNull replId) then
                    "repl-stream-db", string streamDb
                    "repl-id", replId
                    "repl-offset", string replOffset
                "aof-base", "0"
            ]

        Rdb.RdbWriter.writeFile stream world.Config.RdbCompression aux nowMs world.Dbs

    /// Write a World as append-only-file commands (an AOF-format base, aof-use-rdb-preamble no); keys
    /// expired at nowMs are left out.
    static member WriteAofCommands(stream: IO.Stream, world: World, nowMs: int64) =
        Rdb.AofWriter.writeWorld stream nowMs world.Dbs

    /// Read an RDB file into a new World for config; false with a message saying where it is corrupt.
    /// Loaded keys count as accessed at nowMs (LRU/LFU) and are sized for maxmemory.
    static member TryLoadRdb
        (
            data: byte[],
            config: Config,
            nowMs: int64,
            world: outref<World>,
            keys: outref<int>,
            error: outref<string>,
            aux: outref<struct (string * string)[]>
        ) : bool =
        let w = World.create config

        let limits: Rdb.RdbReader.RdbLimits =
            {
                Hash =
                    {
                        MaxEntries = config.HashMaxListpackEntries
                        MaxValue = config.HashMaxListpackValue
                    }
                MaxIntsetEntries = config.SetMaxIntsetEntries
                SortedSet =
                    {
                        MaxMembers = config.SortedSetMaxListpackEntries
                        MaxMemberBytes = config.SortedSetMaxListpackValue
                    }
            }

        // Entries are collected per database and each map is built in bulk (no path copying per key);
        // deadlines are set afterwards: no per-key Db or World records.
        let entries =
            Array.init config.Databases (fun _ -> ResizeArray<struct (Bytes * Values.Value)>())

        let deadlines = ResizeArray<struct (int * Bytes * int64)>()
        let mutable badDb = -1
        let mutable count = 0

        let result =
            Rdb.RdbReader.readFileWith limits data (fun db key value expireAt ->
                if db >= config.Databases then
                    badDb <- db
                else
                    entries[db].Add(struct (key, value))
                    count <- count + 1

                    if expireAt >= 0L then
                        deadlines.Add(struct (db, key, expireAt)))

        match result with
        | Error e ->
            error <- sprintf "%s at offset %d" e.Message e.Offset
            false
        | Ok _ when badDb >= 0 ->
            error <- sprintf "the file uses database %d but databases is %d" badDb config.Databases
            false
        | Ok(_, fields) ->
            aux <- fields |> List.map (fun (k, v) -> struct (k, Bytes.toLatin1 v)) |> Array.ofList

            for i in 0 .. config.Databases - 1 do
                if entries[i].Count > 0 then
                    let keys = Collections.HashMap.ofArray BytesComparer.Instance (entries[i].ToArray())

                    World.withDb i { (World.db i w) with Keys = keys } w |> ignore

                entries[i] <- null

            for struct (db, key, at) in deadlines do
                World.withDb db (Keyspace.Db.setDeadline key at (World.db db w)) w |> ignore

            for i in 0 .. config.Databases - 1 do
                if (World.db i w).Keys.Count > 0 then
                    World.withDb i (Keyspace.Db.account nowMs (World.db i w)) w |> ignore

            w.Dirty <- 0L
            world <- w
            keys <- count
            true

    /// A background save that began when the World had counted dirtyAtStart writes finished: those
    /// writes are saved now (rdb_changes_since_last_save counts only later ones).
    static member Saved(world: World, dirtyAtStart: int64) =
        world.Dirty <- max 0L (world.Dirty - dirtyAtStart)

    /// Freeze the live World for a background save: a snapshot later writes never change, and the live
    /// World to go on with.
    static member Freeze(world: World) : struct (World * World) = World.freeze world

    /// The World with write propagation on or off (an append-only file or replicas listen): commands then
    /// report their deterministic form as Effect.Propagate, lazily expired keys a DEL each.
    static member WithPropagation(world: World, on: bool) : World =
        if world.Propagating = on then
            world
        else
            { world with Propagating = on }

    /// current with the data of loaded (a replica's full sync): its settings, subscriptions and watches stay.
    static member WithDataOf(current: World, loaded: World) : World =
        let w =
            { current with
                Dbs = Array.copy loaded.Dbs
            }

        w.Dirty <- current.Dirty + 1L
        w

    /// The World with every database loading (nothing counts as expired: an append-only file replays as
    /// it ran) or back to normal.
    static member WithLoading(world: World, on: bool) : World =
        let dirty = world.Dirty
        let mutable w = world

        for i in 0 .. world.Dbs.Length - 1 do
            w <- World.withDb i { w.Dbs[i] with Loading = on } w

        w.Dirty <- dirty
        w

    /// A propagated command as RESP (a multibulk of its arguments), as the append-only file and the
    /// replication stream carry it.
    static member WriteCommand(argv: Bytes[], output: IBufferWriter<byte>) =
        RespWriter.write 2 (RespValue.Array(argv |> Array.map RespValue.Bulk)) output

    /// A connection closed: forget what it watched (call under the engine's lock).
    static member Disconnect(session: Session, world: World) : World = Engine.disconnect session world

    /// Active expiry of up to limit due keys; removed says how many went.
    static member Expire(now: int64, limit: int, world: World, removed: outref<int>) : World =
        let struct (w, n) = Engine.expire now limit world
        removed <- n
        w

    /// Active expiry of up to limit due keys, with the "expired" keyspace event (class Expired) of each
    /// key removed, in the order removed; events.Length says how many went.
    static member ExpireWithEvents(now: int64, limit: int, world: World, events: outref<KeyEvent[]>) : World =
        let struct (w, e) = Engine.expireWithEvents now limit world
        events <- e
        w

    /// INFO used_memory: what maxmemory is compared with (Keyspace/Memory.fs). O(databases).
    static member UsedMemory(world: World) : int64 = Commands.MaxMemory.used world

    /// Evict up to maxKeys keys while used memory is over maxmemory (the host's timer finishing what
    /// commands left, as evict.c's eviction time proc): the keys evicted in order with their database
    /// (the host counts them; AOF and replicas are to get a DEL for each), and their "evicted" events
    /// when wantEvents.
    static member Evict
        (
            nowMs: int64,
            seed: uint64,
            maxKeys: int,
            wantEvents: bool,
            world: World,
            evicted: outref<struct (int * Bytes)[]>,
            events: outref<KeyEvent[]>
        ) : World =
        let struct (w, effects, _) =
            Commands.MaxMemory.evictUpTo maxKeys wantEvents nowMs seed world

        evicted <-
            effects
            |> List.tryPick (fun e ->
                match e with
                | Effect.Evicted keys -> Some keys
                | _ -> None)
            |> Option.defaultValue [||]

        events <-
            effects
            |> List.choose (fun e ->
                match e with
                | Effect.Notify n -> Some n
                | _ -> None)
            |> Array.ofList

        w

    /// What a client blocked by BLPOP & co. gets from CLIENT UNBLOCK id ERROR.
    static member UnblockedError: RespValue = RedisError.toResp RedisError.Unblocked

    /// The TYPE name of a live key ("none" when absent): the host's check that a blocked client can be served.
    static member KeyType(world: World, db: int, key: Bytes, nowMs: int64) : string =
        match Keyspace.Db.tryGet nowMs key (World.db db world) with
        | ValueSome v -> Values.Value.typeName v
        | ValueNone -> "none"

    /// Whether handlers should report keyspace events for notify-keyspace-events (part of Ctx.Events).
    static member NotificationsWanted(config: Config) : bool = Effects.KeyspaceEvents.enabled config

    /// What a keyspace event raised outside a command (active expiry) sends: empty when nobody listens.
    static member KeyspaceDeliveries(world: World, e: KeyEvent) : Delivery[] =
        Effects.KeyspaceEvents.deliveries world.Config world.PubSub e |> Array.ofList

    /// A closed connection leaves every channel and pattern it subscribed to.
    static member DropSubscriptions(session: Session, world: World) : World =
        if Subscriptions.active session.Subscriptions then
            { world with
                PubSub = PubSubIndex.drop session.Subscriptions session.Id world.PubSub
            }
        else
            world

    /// The session without subscriptions (its connection closed; the index no longer lists it).
    static member WithoutSubscriptions(session: Session) : Session =
        { session with
            Subscriptions = Subscriptions.empty
        }

    /// One CLIENT LIST line without its newline (catClientInfoString), for logs.
    static member ClientLine(info: ClientInfo) : string =
        (ConnectionCommands.clientLine info).TrimEnd '\n'

    /// Whether the session subscribes to anything (CLIENT LIST flags=P; the pubsub output limits apply).
    static member IsSubscribed(session: Session) : bool =
        Subscriptions.active session.Subscriptions

    /// Render a delivered message as the push its receivers read, in protocol 2 or 3.
    static member WriteDelivery(protocol: int, delivery: Delivery, output: IBufferWriter<byte>) =
        PubSubCommands.writeDelivery protocol delivery output

    /// Whether argv names a write command (CLIENT PAUSE WRITE holds these back).
    static member IsWrite(argv: Bytes[]) : bool =
        match Dispatch.resolve argv with
        | Ok spec -> spec.Flags &&& CommandFlags.Write <> CommandFlags.None
        | Error _ -> false

    /// Read one command from the front of the buffer (the socket-path reader).
    static member ReadCommand(limits: ReadLimits, buffer: ReadOnlySpan<byte>) = RespReader.read (limits, buffer)

    /// Render a reply in protocol 2 or 3.
    static member WriteReply(protocol: int, value: RespValue, output: IBufferWriter<byte>) =
        RespWriter.write protocol value output

    /// The supported commands, from the table (subcommands as "config|get").
    static member Commands() : CommandRow[] =
        CommandTable.all ()
        |> List.collect (fun c -> if c.Subcommands.IsEmpty then [ c ] else c.Subcommands)
        |> List.map (fun c ->
            {
                Name = c.FullName.ToUpperInvariant().Replace("|", " ")
                Summary = c.Summary
                Group = sprintf "%A" c.Group
            })
        |> Array.ofList
