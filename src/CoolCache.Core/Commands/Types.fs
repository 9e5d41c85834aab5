/// The shapes every command shares: flags, key specs, the evaluation context, outcomes and effects.
/// Handlers are pure: Ctx + Session + argv + World -> Outcome; the host carries out the effects.
namespace CoolCache.Core.Commands

open System
open CoolCache.Core
open CoolCache.Core.Protocol
open CoolCache.Core.State

/// Command flags as Redis defines them (server.h); central gates in Dispatch read them.
[<Flags>]
type CommandFlags =
    | None = 0
    | Write = 1
    | ReadOnly = 2
    | DenyOom = 4
    | Admin = 8
    | PubSub = 16
    | NoScript = 32
    | Blocking = 64
    | Loading = 128
    | Stale = 256
    | Fast = 512
    | NoMulti = 1024
    | MayReplicate = 2048
    | NoAuth = 4096
    | AllowBusy = 8192
    /// Not a Redis flag: the command runs in RESP2 subscribed mode (processCommand's list: (P|S)SUBSCRIBE,
    /// (P|S)UNSUBSCRIBE, PING, QUIT, RESET). COMMAND INFO does not show it.
    | SubscribedContext = 16384
    /// Not a Redis flag: the command's key lookups are not accesses for LRU/LFU (LOOKUP_NOTOUCH: OBJECT,
    /// TYPE, EXISTS, the TTL family). COMMAND INFO does not show it.
    | NoTouch = 32768

/// Where a command's keys are in argv (positions count the command name as 0).
[<RequireQualifiedAccess>]
type KeySpec =
    | NoKeys
    /// first, last (-1 = the final argument, -2 the one before...), step
    | Range of first: int * last: int * step: int
    /// argv[index] is the number of keys, which follow it (SINTERCARD, ZUNIONSTORE, LMPOP...): Redis's
    /// "keynum" key spec (keynumidx 0, firstkey 1, keystep 1); COMMAND INFO shows 0 0 0 and movablekeys.
    | Numkeys of index: int
    /// The keys follow a keyword searched for from argv[1] and are half the arguments after it (XREAD
    /// ... STREAMS key... id...): Redis's "keyword" key spec with a range of limit 2 (movablekeys).
    | Keyword of keyword: string

[<RequireQualifiedAccess>]
type CommandGroup =
    | String
    | Generic
    | Connection
    | Server
    | List
    | Hash
    | Set
    | SortedSet
    | Transaction
    | Stream
    | PubSub

/// One connected client as the host sees it (CLIENT LIST / CLIENT INFO fields).
type ClientInfo =
    {
        Id: int64
        Addr: string
        LocalAddr: string
        Fd: int64
        Name: Bytes
        AgeSeconds: int64
        IdleSeconds: int64
        Flags: string
        Db: int
        /// Subscribed channels, patterns and shard channels (sub=, psub=, ssub=).
        Channels: int
        Patterns: int
        ShardChannels: int
        QueryBuffer: int64
        QueryBufferFree: int64
        OutputMemory: int64
        TotalMemory: int64
        LastCommand: string
        Protocol: int
        LibName: string
        LibVersion: string
        /// Commands queued by MULTI, or -1 outside a transaction.
        Multi: int
    }

/// Per-command counters kept by the host (INFO commandstats).
type CommandStat =
    {
        Command: string
        Calls: int64
        Microseconds: int64
        RejectedCalls: int64
        FailedCalls: int64
    }

/// The host's snapshot state (INFO persistence, LASTSAVE).
type PersistenceInfo =
    {
        /// Unix seconds of the last successful save (start-up time before any).
        LastSave: int64
        BgSaveInProgress: bool
        LastBgSaveOk: bool
        /// Seconds the last background save took, -1 before any.
        LastBgSaveSeconds: int64
        /// Seconds the running background save has taken, -1 when none runs.
        CurrentBgSaveSeconds: int64
        /// Saves completed since start-up.
        Saves: int64
        /// Writes counted when the running background save began (rdb_changes_since_last_save counts from there).
        LastSaveDirty: int64
        /// The append-only file (INFO persistence aof_* fields).
        Aof: AofInfo
    }

/// The host's append-only file state (INFO persistence aof_* fields).
and AofInfo =
    {
        Enabled: bool
        RewriteInProgress: bool
        RewriteScheduled: bool
        /// Seconds the last rewrite took, -1 before any.
        LastRewriteSeconds: int64
        /// Seconds the running rewrite has taken, -1 when none runs.
        CurrentRewriteSeconds: int64
        LastRewriteOk: bool
        Rewrites: int64
        LastWriteOk: bool
        /// Bytes in the base and incremental files now, and after the last rewrite.
        CurrentSize: int64
        BaseSize: int64
        /// Bytes appended but not yet written to the file.
        BufferLength: int64
    }

/// Host figures for INFO.
type HostStats =
    {
        Pid: int
        TcpPort: int
        UptimeSeconds: int64
        ExecutablePath: string
        ConfigFile: string
        ConnectedClients: int
        BlockedClients: int
        MaxClients: int
        TotalConnections: int64
        RejectedConnections: int64
        TotalCommands: int64
        InstantaneousOps: int64
        NetInputBytes: int64
        NetOutputBytes: int64
        ExpiredKeys: int64
        /// Keys evicted for maxmemory since start-up (or CONFIG RESETSTAT).
        EvictedKeys: int64
        KeyspaceHits: int64
        KeyspaceMisses: int64
        /// The .NET heap as the GC last counted it, garbage included (INFO allocator_allocated).
        UsedMemory: int64
        /// The highest used_memory (MaxMemory.used) the host has seen.
        UsedMemoryPeak: int64
        UsedMemoryRss: int64
        TotalSystemMemory: int64
        CpuSys: float
        CpuUser: float
        CommandStats: CommandStat[]
        Persistence: PersistenceInfo
        /// INFO replication's fields as the host computes them (empty: a primary without replicas' defaults).
        Replication: struct (string * string)[]
        /// Full syncs served, partial resyncs accepted and refused (INFO stats sync_*).
        SyncFull: int64
        SyncPartialOk: int64
        SyncPartialErr: int64
    }

/// Read-only view of the host that some connection/server commands need (CLIENT LIST, INFO).
type IHostView =
    abstract Clients: unit -> ClientInfo[]
    abstract Stats: unit -> HostStats
    /// Whether this client is blocked (BLPOP...) right now (CLIENT UNBLOCK).
    abstract IsBlocked: id: int64 -> bool

/// A command that must wait (BLPOP, BZPOPMIN...; blocking.c blockForKeys). The host parks the client:
/// it runs none of the client's later commands until one of Keys holds a value of type Type in database
/// Db (then it runs the same command again: served, or still waiting), the deadline passes (the client
/// gets TimeoutReply) or CLIENT UNBLOCK. Clients waiting on one key are served first come, first served.
type BlockRequest =
    {
        Db: int
        Keys: Bytes[]
        /// The TYPE name a key must hold to serve this client ("list", "zset"); "" runs the command again
        /// after every write, whatever the keys hold (XREADGROUP must learn that its key or group is gone).
        Type: string
        /// Unix ms; 0 waits forever.
        DeadlineMs: int64
        TimeoutReply: RespValue
        /// The command the host runs again (null: the one that blocked). XREAD's "$" means the last ID
        /// when the client blocked, so XREAD asks for a run with the IDs it resolved.
        Argv: Bytes[]
    }

/// Keyspace-notification classes (notify.c NOTIFY_*, same bits): what an event is about, matched
/// against notify-keyspace-events (K E g $ l s h z x e t m d n).
[<Flags>]
type NotifyClass =
    | None = 0
    /// K: publish on __keyspace@<db>__:<key>.
    | Keyspace = 1
    /// E: publish on __keyevent@<db>__:<event>.
    | Keyevent = 2
    | Generic = 4
    | String = 8
    | List = 16
    | Set = 32
    | Hash = 64
    | SortedSet = 128
    | Expired = 256
    | Evicted = 512
    | Stream = 1024
    | KeyMiss = 2048
    | Loaded = 4096
    | Module = 8192
    | New = 16384

/// One keyspace event (notify.c notifyKeyspaceEvent): a command changed key in database Db. The host
/// publishes it when notify-keyspace-events asks for Class, and every event (but keymiss) also
/// touches the key for WATCH and for clients blocked on it.
type KeyEvent =
    {
        Class: NotifyClass
        /// "set", "lpush", "del", "expire", "expired"... as Redis names it.
        Event: string
        Db: int
        Key: Bytes
    }

/// SAVE, BGSAVE and BGSAVE SCHEDULE: the host writes the snapshot and the reply.
[<RequireQualifiedAccess>]
type SaveKind =
    | Foreground
    | Background
    | Schedule

[<RequireQualifiedAccess>]
type ShutdownMode =
    | Default
    | Save
    | NoSave

/// Replication commands the host carries out (it writes their replies).
[<RequireQualifiedAccess>]
type ReplicationRequest =
    /// REPLCONF's option/value pairs (listening-port, ip-address, capa, ack, getack).
    | Replconf of args: Bytes[]
    /// PSYNC replid offset (SYNC: replid null: the snapshot comes without a FULLRESYNC line, sized).
    | Psync of replid: string * offset: int64
    /// WAIT numreplicas timeout-ms.
    | Wait of replicas: int64 * timeoutMs: int64
    /// REPLICAOF host port; host null for NO ONE.
    | ReplicaOf of host: string * port: int
    | Role

/// What a command asks the host to do after its reply (the host's instructions).
[<RequireQualifiedAccess>]
type Effect =
    /// Close this connection once the reply is written (QUIT).
    | CloseAfterReply
    /// Close these other connections (CLIENT KILL).
    | KillClients of ids: int64[]
    /// Stop the server (SHUTDOWN).
    | Shutdown of ShutdownMode
    /// Stop serving for this long, holding the engine (DEBUG SLEEP).
    | Sleep of milliseconds: int64
    /// CLIENT PAUSE until this unix ms; writesOnly for WRITE mode.
    | Pause of untilMs: int64 * writesOnly: bool
    /// CLIENT UNPAUSE.
    | Unpause
    /// CONFIG RESETSTAT.
    | ResetStats
    /// Settings changed; the host re-reads the ones it applies (limits, log level).
    | ConfigChanged
    /// Park this client (no reply now; see BlockRequest).
    | Block of BlockRequest
    /// CLIENT UNBLOCK: end that client's wait with its timeout reply, or with the UNBLOCKED error.
    | Unblock of id: int64 * withError: bool
    /// Write a snapshot (the host replies: OK, "Background saving started", or the error).
    | Save of SaveKind
    /// BGREWRITEAOF (the host replies "Background append only file rewriting started" or the error).
    | RewriteAof
    /// A replication command (the host replies).
    | Replication of ReplicationRequest
    /// A keyspace event (emitted only when Ctx.Events is set; see Outcome.notify).
    | Notify of KeyEvent
    /// A push for this client written even under CLIENT REPLY OFF (Redis's CLIENT_PUSHING): the
    /// subscribe and unsubscribe confirmations. Pushes and deliveries go out before the reply.
    | Push of RespValue
    /// A message for subscribers (PUBLISH, SPUBLISH, keyspace events), the caller included.
    | Publish of Delivery
    /// A write in its deterministic form, run in database db, for the append-only file and replicas
    /// (Redis's alsoPropagate): only when World.Propagating. See Propagation.fs.
    | Propagate of db: int * argv: Bytes[]
    /// Keys maxmemory evicted before this command ran (evict.c performEvictions), in order, with their
    /// database: the host counts them (INFO evicted_keys); AOF and replicas are to get a DEL for each
    /// (propagateDeletion). Their "evicted" events, when wanted, follow as Notify effects.
    | Evicted of keys: struct (int * Bytes)[]

/// Everything a handler may read besides the World: the clock and randomness are inputs.
type Ctx =
    {
        NowMs: int64
        /// The same instant in microseconds (TIME).
        NowUs: int64
        Seed: uint64
        Host: IHostView
        /// The client connected over loopback (enable-debug-command local).
        IsLocal: bool
        /// Someone listens for keyspace events (notify-keyspace-events is set, or a client WATCHes):
        /// handlers add Notify effects only then (Outcome.notify), so the common path allocates none.
        Events: bool
    }

[<Struct>]
type Outcome =
    {
        Reply: RespValue
        World: World
        Session: Session
        Effects: Effect list
        /// No reply is written (CLIENT REPLY OFF/SKIP, SHUTDOWN).
        Silent: bool
    }

type Handler = Ctx -> Session -> Bytes[] -> World -> Outcome

type CommandSpec =
    {
        Name: string
        Arity: int
        Flags: CommandFlags
        Keys: KeySpec
        Group: CommandGroup
        Since: string
        Summary: string
        Complexity: string
        Handler: Handler
        Subcommands: CommandSpec list
        /// "get", or "config|get" for a subcommand.
        FullName: string
    }

module Outcome =
    let inline reply (r: RespValue) (s: Session) (w: World) =
        {
            Reply = r
            World = w
            Session = s
            Effects = []
            Silent = false
        }

    let inline error (e: RedisError) (s: Session) (w: World) = reply (RedisError.toResp e) s w

    /// A failed command leaves the World untouched: the one place that rule is enforced. Databases
    /// edit their maps in place, so a handler must find every error before its first write.
    let inline ofResult (s: Session) (w: World) (r: Result<RespValue * World, RedisError>) =
        match r with
        | Ok(reply', w') -> reply reply' s w'
        | Error e -> error e s w

    let ok s w = reply RespValue.Ok s w

    /// ofResult for a read of key whose Ok says whether the key was missing: Redis's lookupKeyRead
    /// tells "keymiss" (m) then. A failed read tells nothing.
    let ofRead (ctx: Ctx) (key: Bytes) (s: Session) (w: World) (r: Result<RespValue * bool, RedisError>) =
        match r with
        | Ok(reply', missed) when missed && ctx.Events ->
            let o = reply reply' s w

            { o with
                Effects =
                    [
                        Effect.Notify
                            {
                                Class = NotifyClass.KeyMiss
                                Event = "keymiss"
                                Db = s.Db
                                Key = key
                            }
                    ]
            }
        | Ok(reply', _) -> reply reply' s w
        | Error e -> error e s w

    /// Append keyspace events (already in order) to the outcome's effects: one append for any number.
    let private appendEvents (events: KeyEvent list) (o: Outcome) =
        { o with
            Effects = o.Effects @ List.map Effect.Notify events
        }

    /// Add a keyspace event for key in database db whether or not anyone listens (the inlined helpers
    /// below test Ctx.Events first; this part is not inlined).
    let addEvent (db: int) (cls: NotifyClass) (event: string) (key: Bytes) (o: Outcome) =
        appendEvents
            [
                {
                    Class = cls
                    Event = event
                    Db = db
                    Key = key
                }
            ]
            o

    /// Add a keyspace event for key in the session's database (when anyone listens: Ctx.Events).
    /// Events come out in the order they are added, as Redis sends them.
    let inline notify (ctx: Ctx) (cls: NotifyClass) (event: string) (key: Bytes) (o: Outcome) =
        if ctx.Events then
            addEvent o.Session.Db cls event key o
        else
            o

    /// The same for a database other than the session's (MOVE, COPY DB, SWAPDB...).
    let inline notifyIn (ctx: Ctx) (db: int) (cls: NotifyClass) (event: string) (key: Bytes) (o: Outcome) =
        if ctx.Events then addEvent db cls event key o else o

    /// notify when cond holds (one test on the common path).
    let inline notifyIf (ctx: Ctx) (cond: bool) (cls: NotifyClass) (event: string) (key: Bytes) (o: Outcome) =
        if ctx.Events && cond then
            addEvent o.Session.Db cls event key o
        else
            o

    /// "new" (n): the command created key (Redis dbAdd), told before the command's own event.
    let inline notifyNew (ctx: Ctx) (created: bool) (key: Bytes) (o: Outcome) =
        notifyIf ctx created NotifyClass.New "new" key o

    /// "del" (g): the command deleted key (an emptied list, set, hash or sorted set, a store of nothing).
    let inline notifyDel (ctx: Ctx) (deleted: bool) (key: Bytes) (o: Outcome) =
        notifyIf ctx deleted NotifyClass.Generic "del" key o

    /// "expired" (x) in database db when stale: the command's lookup of key (Redis expireIfNeeded) finds
    /// it past its deadline. Dispatch (LazyExpiry) does this for the keys of the key spec; handlers for the
    /// keys they reach otherwise (COPY/MOVE into another database, SORT STORE).
    let inline notifyExpired (ctx: Ctx) (stale: bool) (db: int) (key: Bytes) (o: Outcome) =
        if ctx.Events && stale then
            addEvent db NotifyClass.Expired "expired" key o
        else
            o

    /// "keymiss" (m): a read lookup (Redis lookupKeyRead) found no key.
    let inline keymiss (ctx: Ctx) (key: Bytes) (o: Outcome) =
        notify ctx NotifyClass.KeyMiss "keymiss" key o

    /// Many events at once, in order, built by the handler only when ctx.Events (DEL of many keys,
    /// the lookups of a multi-key read): one append instead of one per event.
    let notifyAll (ctx: Ctx) (events: KeyEvent list) (o: Outcome) =
        if ctx.Events && not events.IsEmpty then
            appendEvents events o
        else
            o

    /// "keymiss" for each of keys[first..last] absent from db (the read lookups of a multi-key command,
    /// in order; a key named twice misses twice). db is the session's database as the command found it:
    /// a write edits a live database in place, so compute the misses before writing.
    let keymisses (ctx: Ctx) (db: Keyspace.Db) (keys: Bytes[]) (first: int) (last: int) (o: Outcome) =
        if ctx.Events then
            let mutable events = []

            for i in last .. -1 .. first do
                if not (Keyspace.Db.exists ctx.NowMs keys[i] db) then
                    events <-
                        {
                            Class = NotifyClass.KeyMiss
                            Event = "keymiss"
                            Db = o.Session.Db
                            Key = keys[i]
                        }
                        :: events

            notifyAll ctx events o
        else
            o

    /// ofResult for a write to an existing aggregate whose Ok says whether it changed key: then the
    /// command's event (cls, event) on key, and "del" when that emptied it (gone from the database
    /// after). A failed or idle write tells nothing.
    let ofChange
        (ctx: Ctx)
        (cls: NotifyClass)
        (event: string)
        (key: Bytes)
        (s: Session)
        (w: World)
        (r: Result<RespValue * World * bool, RedisError>)
        =
        match r with
        | Ok(reply', w', true) when ctx.Events ->
            reply reply' s w'
            |> addEvent s.Db cls event key
            |> notifyDel ctx (not (Keyspace.Db.exists ctx.NowMs key w'.Dbs[s.Db])) key
        | Ok(reply', w', _) -> reply reply' s w'
        | Error e -> error e s w

    /// Wait in the session's database until one of keys holds a value of TYPE keyType ("" = after any
    /// write), then run argv (null = this same command) again (XREAD, XREADGROUP). Inside EXEC nothing
    /// blocks: the client gets the timeout reply at once, as Redis does.
    let waitForRerun
        (keyType: string)
        (keys: Bytes[])
        (deadline: int64)
        (timeoutReply: RespValue)
        (argv: Bytes[])
        (s: Session)
        (w: World)
        =
        if s.InExec then
            reply timeoutReply s w
        else
            {
                Reply = RespValue.Null
                World = w
                Session = s
                Effects =
                    [
                        Effect.Block
                            {
                                Db = s.Db
                                Keys = keys
                                Type = keyType
                                DeadlineMs = deadline
                                TimeoutReply = timeoutReply
                                Argv = argv
                            }
                    ]
                Silent = true
            }

    /// Wait in the session's database until one of keys holds a value of TYPE keyType (BLPOP, BZPOPMIN...).
    let waitFor (keyType: string) (keys: Bytes[]) (deadline: int64) (timeoutReply: RespValue) (s: Session) (w: World) =
        waitForRerun keyType keys deadline timeoutReply null s w
