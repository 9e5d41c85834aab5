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

/// Run one command: gates, handler, reply mode. Returns the outcome and the spec that ran (if any).
let execute (ctx: Ctx) (s: Session) (argv: Bytes[]) (w: World) : struct (Outcome * CommandSpec voption) =
    match resolve argv with
    | Error e -> struct (settleReplyMode s.ReplyMode (Outcome.error e s w), ValueNone)
    | Ok spec when not (arityOk spec argv.Length) ->
        struct (settleReplyMode s.ReplyMode (Outcome.error (RedisError.WrongArity spec.FullName) s w), ValueSome spec)
    | Ok spec when authRequired s w && spec.Flags &&& CommandFlags.NoAuth = CommandFlags.None ->
        struct (settleReplyMode s.ReplyMode (Outcome.error RedisError.NoAuth s w), ValueSome spec)
    | Ok spec when subscribedContextDenies spec s ->
        struct (settleReplyMode s.ReplyMode (Outcome.error (RedisError.SubscribedContext spec.FullName) s w),
                ValueSome spec)
    | Ok spec -> struct (settleReplyMode s.ReplyMode (spec.Handler ctx s argv w), ValueSome spec)
