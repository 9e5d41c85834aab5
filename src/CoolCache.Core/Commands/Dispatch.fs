/// The central gates (server.c processCommand): unknown command, subcommand lookup, arity, auth,
/// RESP2 subscribed mode, then the handler; and the CLIENT REPLY bookkeeping after it. Handlers assume their arity holds.
module CoolCache.Core.Commands.Dispatch

open CoolCache.Core
open CoolCache.Core.Protocol
open CoolCache.Core.State

/// Resolve argv to the spec that will run: a top-level command or a container's subcommand.
let resolve (argv: Bytes[]) : Result<CommandSpec, RedisError> =
    match CommandTable.tryFind argv[0] with
    | ValueNone -> Error(RedisError.UnknownCommand(argv[0], argv[1..]))
    | ValueSome spec when spec.Subcommands.IsEmpty || argv.Length < 2 -> Ok spec
    | ValueSome spec ->
        match CommandTable.tryFindSub spec argv[1] with
        | ValueSome sub -> Ok sub
        | ValueNone -> Error(RedisError.UnknownSubcommand(argv[1], (Bytes.toLatin1 argv[0]).ToUpperInvariant()))

let inline private arityOk (spec: CommandSpec) (argc: int) =
    if spec.Arity > 0 then
        argc = spec.Arity
    else
        argc >= -spec.Arity

let private authRequired (s: Session) (w: World) =
    not s.Authenticated && w.Config.RequirePass <> ""

/// RESP2 subscribed mode (a client with subscriptions) runs only the commands marked SubscribedContext.
let inline private subscribedContextDenies (spec: CommandSpec) (s: Session) =
    s.Protocol = 2
    && spec.Flags &&& CommandFlags.SubscribedContext = CommandFlags.None
    && Subscriptions.active s.Subscriptions

/// Reply bookkeeping of CLIENT REPLY OFF/SKIP: whether this reply is written, and the next mode.
let private settleReplyMode (before: ReplyMode) (o: Outcome) =
    // A command that turns replies back on (CLIENT REPLY ON, RESET) is answered: Redis clears the
    // flags before it replies.
    let silent =
        o.Silent || (before <> ReplyMode.On && o.Session.ReplyMode <> ReplyMode.On)

    let session =
        if before = ReplyMode.Skipping && o.Session.ReplyMode = ReplyMode.Skipping then
            { o.Session with
                ReplyMode = ReplyMode.On
            }
        else
            o.Session

    { o with
        Silent = silent
        Session = session
    }

let private isExec (spec: CommandSpec) =
    spec.Group = CommandGroup.Transaction && spec.FullName = "exec"

/// A command rejected by a gate; inside MULTI it also dooms the transaction (multi.c flagTransaction).
/// A rejected EXEC ends the transaction and says why (execCommandAbort), in MULTI or not.
let private reject (e: RedisError) (spec: CommandSpec voption) (s: Session) (w: World) =
    match spec with
    | ValueSome spec when isExec spec ->
        let struct (s, w) = TransactionCommands.cleared s w
        settleReplyMode s.ReplyMode (Outcome.error (RedisError.ExecAbortBecause e) s w)
    | _ ->
        let s = if s.InMulti then { s with MultiFailed = true } else s
        settleReplyMode s.ReplyMode (Outcome.error e s w)

/// Inside MULTI every command is queued except these, which act at once (server.c processCommand).
let private runsInMulti (spec: CommandSpec) =
    match spec.FullName with
    | "exec"
    | "discard"
    | "multi"
    | "watch"
    | "quit"
    | "reset" -> true
    | _ -> false

/// The key arguments of a command, by its key spec.
let private keysOf (spec: CommandSpec) (argv: Bytes[]) : Bytes[] =
    LazyExpiry.keyPositions spec argv |> List.map (fun i -> argv[i]) |> Array.ofList

/// Runs a handler; while clients WATCH keys, a write command's watched keys whose value object or
/// deadline it changed get new stamps (touchWatchedKey), even when a later command undoes the change.
/// Writes Redis 7.0 makes without signalModifiedKey: consumer-group bookkeeping and XSETID leave a WATCH
/// on the stream intact (only XADD, XDEL, XTRIM and creating or deleting the key touch it).
let private touchesNothing (spec: CommandSpec) =
    match spec.FullName with
    | "xreadgroup"
    | "xack"
    | "xclaim"
    | "xautoclaim"
    | "xsetid" -> true
    | name -> name.StartsWith "xgroup|"

let private run (spec: CommandSpec) (ctx: Ctx) (s: Session) (argv: Bytes[]) (w: World) =
    MaxMemory.touchKeys ctx spec s argv w

    if
        w.Watching = 0
        || spec.Flags &&& CommandFlags.Write = CommandFlags.None
        || touchesNothing spec
    then
        LazyExpiry.run ctx spec s argv w
    else
        let db = s.Db

        let watched =
            keysOf spec argv |> Array.filter (fun k -> w.Watched[db].ContainsKey k)

        if watched.Length = 0 then
            LazyExpiry.run ctx spec s argv w
        else
            // Before: the live value (a key already past its deadline counts as absent, and its lazy
            // removal as no change: multi.c's expired flag). After: what is stored, expired or not: SET
            // with a past PXAT still writes the key, then it expires.
            let seen (live: bool) (w: World) (k: Bytes) =
                let d = World.db db w

                let v =
                    if live then
                        Keyspace.Db.tryGet ctx.NowMs k d
                    else
                        d.Keys.TryFind k

                match v with
                | ValueSome v -> box v, Keyspace.Db.deadline k d
                | ValueNone -> null, ValueNone

            let before = watched |> Array.map (seen true w)
            let o = LazyExpiry.run ctx spec s argv w

            let changed =
                watched
                |> Array.mapi (fun i k ->
                    let v, d = seen false o.World k
                    let v0, d0 = before[i]

                    if obj.ReferenceEquals(v, v0) && d = d0 then
                        None
                    else
                        Some(struct (db, k)))
                |> Array.choose id

            if changed.Length = 0 then
                o
            else
                { o with
                    World = Watches.touch changed o.World
                }

/// A queued command as EXEC runs it: it passed the gates when it was queued.
let private runQueued (ctx: Ctx) (s: Session) (argv: Bytes[]) (w: World) =
    match resolve argv with
    | Ok spec -> run spec ctx s argv w
    | Error e -> Outcome.error e s w

/// Whether a command is refused when eviction cannot bring memory under maxmemory (processCommand's
/// reject_cmd_on_oom): DENYOOM commands, EXEC of a queue holding one, and inside MULTI anything but EXEC,
/// DISCARD, QUIT and RESET (queueing takes memory). A command MULTI refuses anyway is left to that gate.
let private refusedOnOom (spec: CommandSpec) (s: Session) =
    let denyOom (spec: CommandSpec) =
        spec.Flags &&& CommandFlags.DenyOom <> CommandFlags.None

    if s.InMulti then
        if spec.Flags &&& CommandFlags.NoMulti <> CommandFlags.None then
            false
        elif isExec spec then
            s.Queued
            |> List.exists (fun argv ->
                match resolve argv with
                | Ok queued -> denyOom queued
                | Error _ -> false)
        else
            match spec.FullName with
            | "discard"
            | "quit"
            | "reset" -> false
            | _ -> true
    else
        denyOom spec

/// The gates after the memory check, MULTI queueing, the handler and the reply mode.
let private admitted (ctx: Ctx) (s: Session) (argv: Bytes[]) (spec: CommandSpec) (w: World) =
    match spec with
    | spec when subscribedContextDenies spec s ->
        struct (reject (RedisError.SubscribedContext spec.FullName) (ValueSome spec) s w, ValueSome spec)
    | spec when s.InMulti && spec.Flags &&& CommandFlags.NoMulti <> CommandFlags.None ->
        struct (reject RedisError.NotAllowedInMulti (ValueSome spec) s w, ValueSome spec)
    | spec when s.InMulti && not (runsInMulti spec) ->
        let queued = { s with Queued = argv :: s.Queued }
        struct (settleReplyMode s.ReplyMode (Outcome.reply (RespValue.Simple "QUEUED") queued w), ValueSome spec)
    | spec when isExec spec ->
        let o = TransactionCommands.exec runQueued ctx s argv w

        let o =
            if w.Propagating && not o.Effects.IsEmpty then
                { o with
                    Effects = Propagation.wrapTransaction o.Effects
                }
            else
                o

        struct (settleReplyMode s.ReplyMode o, ValueSome spec)
    | spec -> struct (settleReplyMode s.ReplyMode (run spec ctx s argv w), ValueSome spec)

/// Effects of an eviction come before the command's own.
let private withEvictions (effects: Effect list) (struct (o: Outcome, spec: CommandSpec voption)) =
    match effects with
    | [] -> struct (o, spec)
    | _ -> struct ({ o with Effects = effects @ o.Effects }, spec)

/// After CONFIG SET: a lower maxmemory (or another policy) evicts at once (config.c updateMaxmemory).
let private afterConfigSet (ctx: Ctx) (struct (o: Outcome, spec: CommandSpec voption)) =
    match spec with
    | ValueSome spec when spec.FullName = "config|set" && MaxMemory.over o.World ->
        let struct (w, effects, _) = MaxMemory.evict ctx o.World

        struct ({ o with
                    World = w
                    Effects = o.Effects @ effects
                },
                ValueSome spec)
    | _ -> struct (o, spec)

/// Run one command: gates, MULTI queueing, handler, reply mode. Returns the outcome and the spec that ran (if any).
let execute (ctx: Ctx) (s: Session) (argv: Bytes[]) (w: World) : struct (Outcome * CommandSpec voption) =
    match resolve argv with
    | Error e -> struct (reject e ValueNone s w, ValueNone)
    | Ok spec when not (arityOk spec argv.Length) ->
        struct (reject (RedisError.WrongArity spec.FullName) (ValueSome spec) s w, ValueSome spec)
    | Ok spec when authRequired s w && spec.Flags &&& CommandFlags.NoAuth = CommandFlags.None ->
        struct (reject RedisError.NoAuth (ValueSome spec) s w, ValueSome spec)
    | Ok spec when MaxMemory.over w ->
        // processCommand's memory gate: evict first; refuse what would use memory when that was not enough.
        let struct (w, effects, enough) = MaxMemory.evict ctx w

        if not enough && refusedOnOom spec s then
            withEvictions effects (struct (reject RedisError.OutOfMemory (ValueSome spec) s w, ValueSome spec))
        else
            withEvictions effects (admitted ctx s argv spec w) |> afterConfigSet ctx
    | Ok spec -> admitted ctx s argv spec w |> afterConfigSet ctx
