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

/// Where a command's keys are in argv (positions count the command name as 0).
[<RequireQualifiedAccess>]
type KeySpec =
    | NoKeys
    /// first, last (-1 = the final argument, -2 the one before...), step
    | Range of first: int * last: int * step: int
    /// argv[index] is the number of keys, which follow it (SINTERCARD, ZUNIONSTORE, LMPOP...): Redis's
    /// "keynum" key spec (keynumidx 0, firstkey 1, keystep 1); COMMAND INFO shows 0 0 0 and movablekeys.
    | Numkeys of index: int

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
        KeyspaceHits: int64
        KeyspaceMisses: int64
        UsedMemory: int64
        UsedMemoryPeak: int64
        UsedMemoryRss: int64
        TotalSystemMemory: int64
        CpuSys: float
        CpuUser: float
        CommandStats: CommandStat[]
        LastSave: int64
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
        /// The TYPE name a key must hold to serve this client ("list", "zset").
        Type: string
        /// Unix ms; 0 waits forever.
        DeadlineMs: int64
        TimeoutReply: RespValue
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

[<RequireQualifiedAccess>]
type ShutdownMode =
    | Default
    | Save
    | NoSave

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
    /// A keyspace event (emitted only when Ctx.Events is set; see Outcome.notify).
    | Notify of KeyEvent
    /// A push for this client written even under CLIENT REPLY OFF (Redis's CLIENT_PUSHING): the
    /// subscribe and unsubscribe confirmations. Pushes and deliveries go out before the reply.
    | Push of RespValue
    /// A message for subscribers (PUBLISH, SPUBLISH, keyspace events), the caller included.
    | Publish of Delivery

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

    /// Add a keyspace event for key in the session's database (when anyone listens: Ctx.Events).
    /// Events come out in the order they are added, as Redis sends them.
    let notify (ctx: Ctx) (cls: NotifyClass) (event: string) (key: Bytes) (o: Outcome) =
        if ctx.Events then
            let e =
                Effect.Notify
                    {
                        Class = cls
                        Event = event
                        Db = o.Session.Db
                        Key = key
                    }

            { o with Effects = o.Effects @ [ e ] }
        else
            o

    /// The same for a database other than the session's (MOVE, COPY DB, SWAPDB...).
    let notifyIn (ctx: Ctx) (db: int) (cls: NotifyClass) (event: string) (key: Bytes) (o: Outcome) =
        if ctx.Events then
            let e =
                Effect.Notify
                    {
                        Class = cls
                        Event = event
                        Db = db
                        Key = key
                    }

            { o with Effects = o.Effects @ [ e ] }
        else
            o

    /// Wait in the session's database until one of keys holds a value of TYPE keyType (BLPOP, BZPOPMIN...).
    let waitFor (keyType: string) (keys: Bytes[]) (deadline: int64) (timeoutReply: RespValue) (s: Session) (w: World) =
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
                        }
                ]
            Silent = true
        }
