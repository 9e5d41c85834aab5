/// The replica's side of the replication handshake (replication.c syncWithMaster) as a pure state
/// machine: the host connects, sends what it is told, feeds each reply back, and acts on the outcome.
/// PING, AUTH (when masterauth is set), REPLCONF listening-port, REPLCONF capa eof capa psync2, then
/// PSYNC with the cached primary (replid and offset+1) or "? -1"; the primary answers FULLRESYNC (an
/// RDB follows) or CONTINUE (the stream continues where the replica stopped).
module CoolCache.Core.Replication.Handshake

open CoolCache.Core.Protocol

[<RequireQualifiedAccess>]
type Step =
    | Ping
    | Auth
    | Port
    | Capa
    | Psync
    | Done

type State =
    {
        Step: Step
        MasterAuth: string
        MasterUser: string
        ListeningPort: int
        /// The replication ID and offset this replica holds (null: none, ask for a full sync).
        CachedReplId: string
        CachedOffset: int64
    }

[<RequireQualifiedAccess>]
type Action =
    /// Send this command to the primary and feed back its reply.
    | Send of string list
    /// A full sync: an RDB follows; after it, the stream starts at offset.
    | FullSync of replid: string * offset: int64
    /// A partial sync: the stream continues after the cached offset, under replid.
    | Continue of replid: string
    /// Give up this attempt (the host reconnects later), with the reason for the log.
    | Fail of reason: string

let private text (r: RespValue) =
    match r with
    | RespValue.Simple s
    | RespValue.Error s -> s
    | RespValue.Bulk b -> CoolCache.Core.Bytes.toLatin1 b
    | other -> sprintf "%A" other

let private psync (s: State) =
    if isNull s.CachedReplId then
        [ "PSYNC"; "?"; "-1" ]
    else
        [ "PSYNC"; s.CachedReplId; string (s.CachedOffset + 1L) ]

/// The first state and what to send when the connection is up.
let start (masterAuth: string) (masterUser: string) (listeningPort: int) (cachedReplId: string) (cachedOffset: int64) =
    {
        Step = Step.Ping
        MasterAuth = masterAuth
        MasterUser = masterUser
        ListeningPort = listeningPort
        CachedReplId = cachedReplId
        CachedOffset = cachedOffset
    },
    [ Action.Send [ "PING" ] ]

let private afterAuth (s: State) =
    { s with Step = Step.Port }, [ Action.Send [ "REPLCONF"; "listening-port"; string s.ListeningPort ] ]

/// The primary replied to what was last sent: the next state and what to do.
let onReply (s: State) (reply: RespValue) : State * Action list =
    match s.Step, reply with
    | Step.Ping, RespValue.Error e when
        not (
            e.StartsWith "NOAUTH"
            || e.StartsWith "NOPERM"
            || e.StartsWith "ERR operation not permitted"
        )
        ->
        { s with Step = Step.Done }, [ Action.Fail(sprintf "Error reply to PING from master: '%s'" e) ]
    | Step.Ping, _ when s.MasterAuth <> "" ->
        let auth =
            if s.MasterUser <> "" then
                [ "AUTH"; s.MasterUser; s.MasterAuth ]
            else
                [ "AUTH"; s.MasterAuth ]

        { s with Step = Step.Auth }, [ Action.Send auth ]
    | Step.Ping, _ -> afterAuth s
    | Step.Auth, RespValue.Error e ->
        { s with Step = Step.Done }, [ Action.Fail(sprintf "Unable to AUTH to MASTER: %s" e) ]
    | Step.Auth, _ -> afterAuth s
    // errors to REPLCONF are not critical (an old primary does not know the option)
    | Step.Port, _ -> { s with Step = Step.Capa }, [ Action.Send [ "REPLCONF"; "capa"; "eof"; "capa"; "psync2" ] ]
    | Step.Capa, _ -> { s with Step = Step.Psync }, [ Action.Send(psync s) ]
    | Step.Psync, RespValue.Simple line when line.StartsWith "FULLRESYNC" ->
        match line.Split(' ') with
        | [| _; replid; offset |] ->
            match System.Int64.TryParse offset with
            | true, o -> { s with Step = Step.Done }, [ Action.FullSync(replid, o) ]
            | _ -> { s with Step = Step.Done }, [ Action.Fail(sprintf "Bad FULLRESYNC reply: '%s'" line) ]
        | _ -> { s with Step = Step.Done }, [ Action.Fail(sprintf "Bad FULLRESYNC reply: '%s'" line) ]
    | Step.Psync, RespValue.Simple line when line.StartsWith "CONTINUE" ->
        let replid =
            match line.Split(' ') with
            | [| _; id |] when id.Length = 40 -> id
            | _ -> s.CachedReplId

        { s with Step = Step.Done }, [ Action.Continue replid ]
    | Step.Psync, r ->
        { s with Step = Step.Done }, [ Action.Fail(sprintf "Unexpected reply to PSYNC from master: %s" (text r)) ]
    | Step.Done, _ -> s, []
