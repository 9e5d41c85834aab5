/// Transactions (multi.c): MULTI EXEC DISCARD WATCH UNWATCH. The queue and the watched keys live in the
/// Session; Dispatch queues commands while InMulti and runs EXEC (it needs the whole table). EXEC runs in
/// one engine step, so no other client sees a partial transaction or runs between its commands.
module CoolCache.Core.Commands.TransactionCommands

open CoolCache.Core
open CoolCache.Core.Keyspace
open CoolCache.Core.Protocol
open CoolCache.Core.State
open CoolCache.Core.Values

/// Forget the session's watched keys (UNWATCH, EXEC, DISCARD, RESET, a closed connection).
let unwatchAll (s: Session) (w: World) : struct (Session * World) =
    if s.Watched.IsEmpty then
        struct (s, w)
    else
        struct ({ s with Watched = [] }, Watches.remove (s.Watched |> List.map (fun k -> k.Db, k.Key)) w)

/// Leave MULTI state and forget watched keys (after EXEC, DISCARD, EXECABORT).
let cleared (s: Session) (w: World) =
    unwatchAll
        { s with
            InMulti = false
            Queued = []
            MultiFailed = false
        }
        w

// MULTI
let multi: Handler =
    fun _ s _ w ->
        if s.InMulti then
            Outcome.error RedisError.MultiNested s w
        else
            Outcome.ok
                { s with
                    InMulti = true
                    Queued = []
                    MultiFailed = false
                }
                w

// DISCARD
let discard: Handler =
    fun _ s _ w ->
        if s.InMulti then
            let struct (s, w) = cleared s w
            Outcome.ok s w
        else
            Outcome.error RedisError.DiscardWithoutMulti s w

/// What a watched key holds now, as WATCH records it.
let private observe (now: int64) (db: int) (key: Bytes) (w: World) : WatchedKey =
    let d = World.db db w
    let stamp = Watches.stamp db key w

    match Db.tryGet now key d with
    | ValueSome v ->
        {
            Db = db
            Key = key
            Value = ValueSome v
            Deadline = Db.deadline key d
            Stamp = stamp
        }
    | ValueNone ->
        {
            Db = db
            Key = key
            Value = ValueNone
            Deadline = ValueNone
            Stamp = stamp
        }

// WATCH key [key ...]
let watch: Handler =
    fun ctx s argv w ->
        if s.InMulti then
            Outcome.error RedisError.WatchInMulti s w
        else
            let mutable watched = s.Watched
            let mutable w = w

            for i in 1 .. argv.Length - 1 do
                let key = argv[i]

                // A key already watched in this database keeps its first observation (multi.c watchKey).
                if not (watched |> List.exists (fun k -> k.Db = s.Db && Bytes.equals k.Key key)) then
                    let struct (w', _) = Watches.add s.Db key w
                    w <- w'
                    watched <- observe ctx.NowMs s.Db key w :: watched

            Outcome.ok { s with Watched = watched } w

// UNWATCH
let unwatch: Handler =
    fun _ s _ w ->
        let struct (s, w) = unwatchAll s w
        Outcome.ok s w

/// Whether a watched key changed since WATCH: a command touched it (a new stamp), or it holds another
/// value object or deadline, or is gone (flushed, swapped away, expired: those report no event).
let private touched (now: int64) (w: World) (k: WatchedKey) =
    let seen = observe now k.Db k.Key w

    seen.Stamp <> k.Stamp
    || (match k.Value, seen.Value with
        | ValueNone, ValueNone -> false
        // a stream's group bookkeeping stores a new value without touching the key (Dispatch's
        // touchesNothing); its real changes come with stamps
        | ValueSome(Value.Stream _), ValueSome(Value.Stream _) -> k.Deadline <> seen.Deadline
        | ValueSome a, ValueSome b -> not (obj.ReferenceEquals(a, b)) || k.Deadline <> seen.Deadline
        | _ -> true)

/// EXEC's row in the table: Dispatch runs EXEC itself (it needs the table to run the queue), so this
/// handler only answers when called outside Dispatch.
let execRow: Handler = fun _ s _ w -> Outcome.error RedisError.ExecWithoutMulti s w

/// EXEC: run the queue with run (Dispatch's handler call), each command's session flowing into the next;
/// the replies in one array. Null when a watched key changed, EXECABORT when a command was rejected.
let exec (run: Ctx -> Session -> Bytes[] -> World -> Outcome) : Handler =
    fun ctx s _ w ->
        if not s.InMulti then
            Outcome.error RedisError.ExecWithoutMulti s w
        elif s.MultiFailed then
            let struct (s, w) = cleared s w
            Outcome.error RedisError.ExecAbort s w
        elif s.Watched |> List.exists (touched ctx.NowMs w) then
            let struct (s, w) = cleared s w
            Outcome.reply RespValue.NullArray s w
        else
            let queued = List.rev s.Queued |> Array.ofList
            let replies = Array.zeroCreate queued.Length
            let effects = ResizeArray<Effect>()
            let struct (s, w) = cleared s w
            let mutable session = { s with InExec = true }
            let mutable world = w

            for i in 0 .. queued.Length - 1 do
                let o = run ctx session queued[i] world
                replies[i] <- o.Reply
                session <- o.Session
                world <- o.World
                effects.AddRange o.Effects

            {
                Reply = RespValue.Array replies
                World = world
                Session = { session with InExec = false }
                Effects = List.ofSeq effects
                Silent = false
            }
