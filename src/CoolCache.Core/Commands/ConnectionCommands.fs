/// Connection commands (networking.c, acl.c, server.c): PING ECHO QUIT RESET HELLO AUTH SELECT and the
/// CLIENT family. They change the Session; CLIENT LIST/INFO/KILL read the host's view of connections.
module CoolCache.Core.Commands.ConnectionCommands

open System
open CoolCache.Core
open CoolCache.Core.Protocol
open CoolCache.Core.State
open CoolCache.Core.Commands.Args

/// The Redis version we are compatible with, reported where clients gate features on it.
let redisVersion = "7.0.15"

let private pong = RespValue.Bulk "pong"B

// PING [message]   (a RESP2 client in subscribed mode gets ["pong", message or ""])
let ping: Handler =
    fun _ s argv w ->
        if argv.Length > 2 then
            Outcome.error (RedisError.WrongArity "ping") s w
        elif s.Protocol = 2 && Subscriptions.active s.Subscriptions then
            let message =
                if argv.Length = 2 then
                    RespValue.Bulk argv[1]
                else
                    RespValue.Bulk Bytes.empty

            Outcome.reply (RespValue.Array [| pong; message |]) s w
        elif argv.Length = 2 then
            Outcome.reply (RespValue.Bulk argv[1]) s w
        else
            Outcome.reply (RespValue.Simple "PONG") s w

// ECHO message
let echo: Handler = fun _ s argv w -> Outcome.reply (RespValue.Bulk argv[1]) s w

// QUIT
let quit: Handler =
    fun _ s _ w ->
        { Outcome.ok s w with
            Effects = [ Effect.CloseAfterReply ]
        }

let private passwordMatches (w: World) (user: Bytes) (pass: Bytes) =
    is "DEFAULT" user
    && (w.Config.RequirePass = ""
        || Bytes.equals pass (Bytes.ofString w.Config.RequirePass))

// RESET   (also leaves every channel and pattern, without confirmations: clearClientConnectionState)
let reset: Handler =
    fun _ s _ w ->
        let struct (_, w) = TransactionCommands.unwatchAll s w
        let fresh = Session.create s.Id (w.Config.RequirePass = "")

        let w =
            if Subscriptions.active s.Subscriptions then
                { w with
                    PubSub = PubSubIndex.drop s.Subscriptions s.Id w.PubSub
                }
            else
                w

        // It turns CLIENT REPLY OFF back on, but a pending CLIENT REPLY SKIP still drops this reply.
        { Outcome.reply (RespValue.Simple "RESET") fresh w with
            Silent = (s.ReplyMode = ReplyMode.Skipping)
        }

// AUTH [username] password
let auth: Handler =
    fun _ s argv w ->
        if argv.Length > 3 then
            Outcome.error RedisError.Syntax s w
        elif argv.Length = 2 && w.Config.RequirePass = "" then
            Outcome.error RedisError.AuthNotConfigured s w
        else
            let user, pass =
                if argv.Length = 2 then
                    "default"B, argv[1]
                else
                    argv[1], argv[2]

            if passwordMatches w user pass then
                Outcome.ok { s with Authenticated = true } w
            else
                Outcome.error RedisError.WrongPass s w

/// Redis clientSetName's rule: printable ASCII without spaces ('!'..'~').
let private validName (name: Bytes) =
    name |> Array.forall (fun c -> c >= byte '!' && c <= byte '~')

// HELLO [protover [AUTH username password] [SETNAME clientname]]
let hello: Handler =
    fun _ s argv w ->
        let rec options j (auth: (Bytes * Bytes) option) (name: Bytes option) =
            if j >= argv.Length then
                Ok(auth, name)
            elif is "AUTH" argv[j] && argv.Length - 1 - j >= 2 then
                options (j + 3) (Some(argv[j + 1], argv[j + 2])) name
            elif is "SETNAME" argv[j] && argv.Length - 1 - j >= 1 then
                options (j + 2) auth (Some argv[j + 1])
            else
                Error(RedisError.HelloSyntax argv[j])

        result {
            let! version =
                if argv.Length < 2 then
                    Ok 0L
                else
                    match Numbers.tryParseInt64 argv[1] with
                    | ValueNone -> Error RedisError.ProtocolVersionNotInteger
                    | ValueSome v when v < 2L || v > 3L -> Error RedisError.NoProto
                    | ValueSome v -> Ok v

            let! auth, name = options (if argv.Length < 2 then 1 else 2) None None

            let! s =
                match auth with
                | Some(user, pass) when passwordMatches w user pass -> Ok { s with Authenticated = true }
                | Some _ -> Error RedisError.WrongPass
                | None -> Ok s

            if not s.Authenticated && w.Config.RequirePass <> "" then
                return!
                    Error(
                        RedisError.Custom
                            "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time"
                    )
            else
                let! s =
                    match name with
                    | Some n when not (validName n) -> Error RedisError.ClientNameInvalid
                    | Some n -> Ok { s with Name = n }
                    | None -> Ok s

                let s =
                    if version > 0L then
                        { s with Protocol = int version }
                    else
                        s

                let str (x: string) = RespValue.ofString x

                let reply =
                    RespValue.Map
                        [|
                            struct (str "server", str "redis")
                            struct (str "version", str redisVersion)
                            struct (str "proto", RespValue.Integer(int64 s.Protocol))
                            struct (str "id", RespValue.Integer s.Id)
                            struct (str "mode", str "standalone")
                            struct (str "role", str "master")
                            struct (str "modules", RespValue.Array [||])
                        |]

                return reply, s
        }
        |> function
            | Ok(reply, s') -> Outcome.reply reply s' w
            | Error e -> Outcome.error e s w

// SELECT index
let select: Handler =
    fun _ s argv w ->
        match KeyCommands.dbIndex w argv[1] with
        | Ok i -> Outcome.ok { s with Db = i } w
        | Error e -> Outcome.error e s w

// ---- CLIENT -------------------------------------------------------------------------------------

// CLIENT ID
let clientId: Handler = fun _ s _ w -> Outcome.reply (RespValue.Integer s.Id) s w

// CLIENT SETNAME connection-name
let clientSetname: Handler =
    fun _ s argv w ->
        if validName argv[2] then
            Outcome.ok { s with Name = argv[2] } w
        else
            Outcome.error RedisError.ClientNameInvalid s w

// CLIENT GETNAME
let clientGetname: Handler =
    fun _ s _ w ->
        Outcome.reply
            (if s.Name.Length = 0 then
                 RespValue.Null
             else
                 RespValue.Bulk s.Name)
            s
            w

/// One CLIENT LIST line in Redis 7.0's field order.
let clientLine (c: ClientInfo) =
    sprintf
        "id=%d addr=%s laddr=%s fd=%d name=%s age=%d idle=%d flags=%s db=%d sub=%d psub=%d ssub=%d multi=%d qbuf=%d qbuf-free=%d argv-mem=0 multi-mem=0 rbs=1024 rbp=0 obl=0 oll=0 omem=%d tot-mem=%d events=r cmd=%s user=default redir=-1 resp=%d\n"
        c.Id
        c.Addr
        c.LocalAddr
        c.Fd
        (Bytes.toLatin1 c.Name)
        c.AgeSeconds
        c.IdleSeconds
        c.Flags
        c.Db
        c.Channels
        c.Patterns
        c.ShardChannels
        c.Multi
        c.QueryBuffer
        c.QueryBufferFree
        c.OutputMemory
        c.TotalMemory
        c.LastCommand
        c.Protocol

/// Redis's client types (getClientType): a replica (flag S), a primary link (M), pubsub (subscribed to anything).
let private isReplica (c: ClientInfo) = c.Flags.Contains 'S'

let private isPrimary (c: ClientInfo) = c.Flags.Contains 'M'

let private isPubSub (c: ClientInfo) =
    not (isReplica c) && c.Channels + c.Patterns + c.ShardChannels > 0

let private isNormal (c: ClientInfo) =
    not (isReplica c || isPrimary c || isPubSub c)

let private verbatim (text: string) =
    RespValue.Verbatim("txt", Bytes.ofLatin1 text)

/// The connections CLIENT LIST reports: the calling one with its session's current name, db, and
/// the command running now (Redis shows cmd=client|list for the caller).
let private clients (ctx: Ctx) (s: Session) (running: string) =
    ctx.Host.Clients()
    |> Array.map (fun c ->
        if c.Id = s.Id then
            { c with
                Name = s.Name
                Db = s.Db
                Protocol = s.Protocol
                Channels = s.Subscriptions.Channels.Count
                Patterns = s.Subscriptions.Patterns.Count
                ShardChannels = s.Subscriptions.ShardChannels.Count
                LastCommand = running
            }
        else
            c)

// CLIENT LIST [TYPE NORMAL|MASTER|REPLICA|PUBSUB] [ID client-id [client-id ...]]
let clientList: Handler =
    fun ctx s argv w ->
        let all = clients ctx s "client|list"

        let selected =
            if argv.Length = 2 then
                Ok all
            elif argv.Length = 4 && is "TYPE" argv[2] then
                match (Bytes.toLatin1 argv[3]).ToLowerInvariant() with
                | "normal" -> Ok(all |> Array.filter isNormal)
                | "pubsub" -> Ok(all |> Array.filter isPubSub)
                | "master" -> Ok(all |> Array.filter isPrimary)
                | "replica"
                | "slave" -> Ok(all |> Array.filter isReplica)
                | t -> Error(RedisError.Custom(sprintf "ERR Unknown client type '%s'" t))
            elif argv.Length > 3 && is "ID" argv[2] then
                let ids = argv[3..] |> Array.map Numbers.tryParseInt64

                if ids |> Array.exists (fun i -> i.IsNone || i.Value <= 0L) then
                    Error(RedisError.Custom "ERR Invalid client ID")
                else
                    let ids = ids |> Array.map (fun i -> i.Value)
                    Ok(all |> Array.filter (fun c -> Array.contains c.Id ids))
            else
                Error RedisError.Syntax

        match selected with
        | Ok cs -> Outcome.reply (verbatim (cs |> Array.map clientLine |> String.concat "")) s w
        | Error e -> Outcome.error e s w

// CLIENT INFO
let clientInfo: Handler =
    fun ctx s _ w ->
        match clients ctx s "client|info" |> Array.tryFind (fun c -> c.Id = s.Id) with
        | Some c -> Outcome.reply (verbatim (clientLine c)) s w
        | None -> Outcome.reply (verbatim "") s w

// CLIENT KILL ip:port | CLIENT KILL <filter value> ... (ID, TYPE, ADDR, LADDR, USER, SKIPME)
let clientKill: Handler =
    fun ctx s argv w ->
        let all = clients ctx s "client|kill"

        let kill (ids: int64[]) reply =
            { Outcome.reply reply s w with
                Effects = [ Effect.KillClients ids ]
            }

        if argv.Length = 3 then
            let addr = Bytes.toLatin1 argv[2]

            match all |> Array.tryFind (fun c -> c.Addr = addr) with
            | Some c -> kill [| c.Id |] RespValue.Ok
            | None -> Outcome.error RedisError.NoSuchClient s w
        else
            let rec filters j (pred: ClientInfo -> bool) skipMe =
                if j >= argv.Length then
                    Ok(pred, skipMe)
                elif j + 1 >= argv.Length then
                    Error RedisError.Syntax
                else
                    let v = argv[j + 1]
                    let text = Bytes.toLatin1 v

                    if is "ID" argv[j] then
                        match Numbers.tryParseInt64 v with
                        | ValueSome id when id > 0L -> filters (j + 2) (fun c -> pred c && c.Id = id) skipMe
                        | _ -> Error(RedisError.Custom "ERR client-id should be greater than 0")
                    elif is "TYPE" argv[j] then
                        match text.ToLowerInvariant() with
                        | "normal" -> filters (j + 2) (fun c -> pred c && isNormal c) skipMe
                        | "pubsub" -> filters (j + 2) (fun c -> pred c && isPubSub c) skipMe
                        | "master" -> filters (j + 2) (fun c -> pred c && isPrimary c) skipMe
                        | "replica"
                        | "slave" -> filters (j + 2) (fun c -> pred c && isReplica c) skipMe
                        | t -> Error(RedisError.Custom(sprintf "ERR Unknown client type '%s'" t))
                    elif is "ADDR" argv[j] then
                        filters (j + 2) (fun c -> pred c && c.Addr = text) skipMe
                    elif is "LADDR" argv[j] then
                        filters (j + 2) (fun c -> pred c && c.LocalAddr = text) skipMe
                    elif is "USER" argv[j] then
                        filters (j + 2) (fun c -> pred c && text = "default") skipMe
                    elif is "SKIPME" argv[j] then
                        if is "YES" v then filters (j + 2) pred true
                        elif is "NO" v then filters (j + 2) pred false
                        else Error RedisError.Syntax
                    else
                        Error RedisError.Syntax

            match filters 2 (fun _ -> true) true with
            | Error e -> Outcome.error e s w
            | Ok(pred, skipMe) ->
                let ids =
                    all
                    |> Array.filter (fun c -> pred c && not (skipMe && c.Id = s.Id))
                    |> Array.map (fun c -> c.Id)

                kill ids (RespValue.Integer(int64 ids.Length))

// CLIENT PAUSE timeout [WRITE | ALL]
let clientPause: Handler =
    fun ctx s argv w ->
        let writesOnly =
            if argv.Length = 3 then Ok false
            elif argv.Length = 4 && is "WRITE" argv[3] then Ok true
            elif argv.Length = 4 && is "ALL" argv[3] then Ok false
            else Error RedisError.Syntax

        match Numbers.tryParseInt64 argv[2], writesOnly with
        | ValueNone, _ -> Outcome.error RedisError.TimeoutNotInteger s w
        | ValueSome t, _ when t < 0L -> Outcome.error RedisError.TimeoutNegative s w
        | _, Error e -> Outcome.error e s w
        | ValueSome t, Ok wo ->
            { Outcome.ok s w with
                Effects = [ Effect.Pause(ctx.NowMs + t, wo) ]
            }

// CLIENT UNBLOCK client-id [TIMEOUT | ERROR]
let clientUnblock: Handler =
    fun ctx s argv w ->
        let withError =
            if argv.Length = 3 then Ok false
            elif argv.Length = 4 && is "TIMEOUT" argv[3] then Ok false
            elif argv.Length = 4 && is "ERROR" argv[3] then Ok true
            else Error RedisError.UnblockReason

        if argv.Length > 4 then
            Outcome.error (RedisError.SubcommandSyntax(argv[1], "CLIENT")) s w
        else
            match withError, Numbers.tryParseInt64 argv[2] with
            | Error e, _ -> Outcome.error e s w
            | _, ValueNone -> Outcome.error RedisError.NotInteger s w
            | Ok withError, ValueSome id ->
                if ctx.Host.IsBlocked id then
                    { Outcome.reply (RespValue.Integer 1L) s w with
                        Effects = [ Effect.Unblock(id, withError) ]
                    }
                else
                    Outcome.reply (RespValue.Integer 0L) s w

// CLIENT UNPAUSE
let clientUnpause: Handler =
    fun _ s _ w ->
        { Outcome.ok s w with
            Effects = [ Effect.Unpause ]
        }

// CLIENT REPLY ON | OFF | SKIP
let clientReply: Handler =
    fun _ s argv w ->
        if is "ON" argv[2] then
            Outcome.ok { s with ReplyMode = ReplyMode.On } w
        elif is "OFF" argv[2] then
            { Outcome.ok { s with ReplyMode = ReplyMode.Off } w with
                Silent = true
            }
        elif is "SKIP" argv[2] then
            let mode =
                if s.ReplyMode = ReplyMode.Off then
                    ReplyMode.Off
                else
                    ReplyMode.Skipping

            { Outcome.ok { s with ReplyMode = mode } w with
                Silent = true
            }
        else
            Outcome.error RedisError.Syntax s w

// CLIENT NO-EVICT ON | OFF
let clientNoEvict: Handler =
    fun _ s argv w ->
        if is "ON" argv[2] then
            Outcome.ok { s with NoEvict = true } w
        elif is "OFF" argv[2] then
            Outcome.ok { s with NoEvict = false } w
        else
            Outcome.error RedisError.Syntax s w

// CLIENT SETINFO LIB-NAME libname | LIB-VER libver   (Redis 7.2; clients send it on connect)
let clientSetinfo: Handler =
    fun _ s argv w ->
        let v = Bytes.toLatin1 argv[3]

        if is "LIB-NAME" argv[2] then
            if validName argv[3] then
                Outcome.ok { s with LibName = v } w
            else
                Outcome.error
                    (RedisError.Custom "ERR lib-name cannot contain spaces, newlines or special characters.")
                    s
                    w
        elif is "LIB-VER" argv[2] then
            Outcome.ok { s with LibVersion = v } w
        else
            Outcome.error (RedisError.Custom(sprintf "ERR Unrecognized option '%s'" (Bytes.toLatin1 argv[2]))) s w

// CLIENT HELP
let clientHelp: Handler =
    fun _ s argv w ->
        let lines =
            [
                "CACHING (YES|NO)"
                "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes."
                "GETREDIR"
                "    Return the client ID we are redirecting to when tracking is enabled."
                "GETNAME"
                "    Return the name of the current connection."
                "ID"
                "    Return the ID of the current connection."
                "INFO"
                "    Return information about the current client connection."
                "KILL <ip:port>"
                "    Kill connection made from <ip:port>."
                "KILL <option> <value> [<option> <value> [...]]"
                "    Kill connections. Options are:"
                "    * ADDR (<ip:port>|<unixsocket>:0)"
                "      Kill connections made from the specified address"
                "    * LADDR (<ip:port>|<unixsocket>:0)"
                "      Kill connections made to specified local address"
                "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)"
                "      Kill connections by type."
                "    * USER <username>"
                "      Kill connections authenticated by <username>."
                "    * SKIPME (YES|NO)"
                "      Skip killing current connection (default: yes)."
                "    * ID <client-id>"
                "      Kill connections by client id."
                "LIST [options ...]"
                "    Return information about client connections. Options:"
                "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)"
                "      Return clients of specified type."
                "UNPAUSE"
                "    Stop the current client pause, resuming traffic."
                "PAUSE <timeout> [WRITE|ALL]"
                "    Suspend all, or just write, clients for <timeout> milliseconds."
                "REPLY (ON|OFF|SKIP)"
                "    Control the replies sent to the current connection."
                "SETNAME <name>"
                "    Assign the name <name> to the current connection."
                "UNBLOCK <clientid> [TIMEOUT|ERROR]"
                "    Unblock the specified blocked client."
                "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]"
                "         [OPTIN] [OPTOUT] [NOLOOP]"
                "    Control server assisted client side caching."
                "TRACKINGINFO"
                "    Report tracking status for the current connection."
                "NO-EVICT (ON|OFF)"
                "    Protect current client connection from eviction."
            ]

        Outcome.reply (KeyCommands.helpReply argv[0] lines) s w
