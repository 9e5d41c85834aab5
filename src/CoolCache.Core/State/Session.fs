/// Per-connection state the core reads and changes: selected db, protocol, name, auth, reply mode.
/// The host keeps one per connection and passes it into every step.
namespace CoolCache.Core.State

open CoolCache.Core

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
        }
