/// Per-connection state the core reads and changes: selected db, protocol, name, auth, reply mode,
/// pub/sub subscriptions.
/// The host keeps one per connection and passes it into every step.
namespace CoolCache.Core.State

open CoolCache.Core
open CoolCache.Core.Values

/// A key under WATCH: the value object and deadline it had then. EXEC compares them with what the key
/// holds now: every write stores a new value object (Db.set), so any change shows (multi.c touchWatchedKey).
type WatchedKey =
    {
        Db: int
        Key: Bytes
        Value: Value voption
        Deadline: int64 voption
        /// The key's stamp in World.Watched when WATCHed: any command touching it since gives a new one.
        Stamp: int64
    }

open CoolCache.Core.Collections

/// What one connection listens to (pubsub.c: c->pubsub_channels, c->pubsub_patterns,
/// c->pubsubshard_channels). The server-wide index of who listens to what is PubSubIndex.
type Subscriptions =
    {
        Channels: HashMap<Bytes, unit>
        Patterns: HashMap<Bytes, unit>
        ShardChannels: HashMap<Bytes, unit>
    }

module Subscriptions =
    let private none: HashMap<Bytes, unit> = HashMap.empty BytesComparer.Instance

    let empty =
        {
            Channels = none
            Patterns = none
            ShardChannels = none
        }

    /// Channels plus patterns: the count SUBSCRIBE/PSUBSCRIBE and their UNSUBSCRIBEs report.
    let count (s: Subscriptions) = s.Channels.Count + s.Patterns.Count

    /// Redis's CLIENT_PUBSUB flag: subscribed to anything (RESP2 then runs only a few commands).
    let active (s: Subscriptions) =
        s.Channels.Count + s.Patterns.Count + s.ShardChannels.Count > 0

[<RequireQualifiedAccess>]
type ReplyMode =
    | On
    | Off
    /// CLIENT REPLY SKIP: the next command's reply is dropped, then replies resume.
    | Skipping

type Session =
    {
        Id: int64
        Db: int
        Protocol: int
        Name: Bytes
        Authenticated: bool
        ReplyMode: ReplyMode
        NoEvict: bool
        LibName: string
        LibVersion: string
        /// Between MULTI and EXEC/DISCARD: commands are queued, not run.
        InMulti: bool
        /// The queued commands, newest first.
        Queued: Bytes[] list
        /// A command was rejected while queueing: EXEC answers EXECABORT.
        MultiFailed: bool
        /// Running EXEC's commands: blocking commands do not block (they time out at once).
        InExec: bool
        Watched: WatchedKey list
        Subscriptions: Subscriptions
    }

module Session =
    /// A new connection's state. authenticated is false when a password is required.
    let create (id: int64) (authenticated: bool) =
        {
            Id = id
            Db = 0
            Protocol = 2
            Name = Bytes.empty
            Authenticated = authenticated
            ReplyMode = ReplyMode.On
            NoEvict = false
            LibName = ""
            LibVersion = ""
            InMulti = false
            Queued = []
            MultiFailed = false
            InExec = false
            Watched = []
            Subscriptions = Subscriptions.empty
        }
