/// Per-connection state the core reads and changes: selected db, protocol, name, auth, reply mode.
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
        }
