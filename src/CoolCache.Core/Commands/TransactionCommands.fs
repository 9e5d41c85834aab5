/// Transactions (multi.c): MULTI EXEC DISCARD WATCH UNWATCH. The queue and the watched keys live in the
/// Session; Dispatch queues commands while InMulti and runs EXEC (it needs the whole table). EXEC runs in
/// one engine step, so no other client sees a partial transaction or runs between its commands.
module CoolCache.Core.Commands.TransactionCommands

open CoolCache.Core
open CoolCache.Core.Keyspace
open CoolCache.Core.Protocol
open CoolCache.Core.State

/// Leave MULTI state and forget watched keys (after EXEC, DISCARD, EXECABORT).
let private cleared (s: Session) =
    { s with
        InMulti = false
        Queued = []
        MultiFailed = false
        Watched = []
    }

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
            Outcome.ok (cleared s) w
        else
            Outcome.error RedisError.DiscardWithoutMulti s w

/// What a watched key holds now, as WATCH records it.
let private observe (now: int64) (db: int) (key: Bytes) (w: World) : WatchedKey =
    let d = World.db db w

    match Db.tryGet now key d with
    | ValueSome v ->
        {
            Db = db
            Key = key
            Value = ValueSome v
            Deadline = Db.deadline key d
        }
    | ValueNone ->
        {
            Db = db
            Key = key
            Value = ValueNone
            Deadline = ValueNone
        }

// WATCH key [key ...]
let watch: Handler =
    fun ctx s argv w ->
        if s.InMulti then
            Outcome.error RedisError.WatchInMulti s w
        else
            let mutable watched = s.Watched

            for i in 1 .. argv.Length - 1 do
                let key = argv[i]

                // A key already watched in this database keeps its first observation (multi.c watchKey).
                if not (watched |> List.exists (fun k -> k.Db = s.Db && Bytes.equals k.Key key)) then
                    watched <- observe ctx.NowMs s.Db key w :: watched

            Outcome.ok { s with Watched = watched } w

// UNWATCH
let unwatch: Handler = fun _ s _ w -> Outcome.ok { s with Watched = [] } w

/// Whether a watched key changed since WATCH: another value object (any write stores a new one), another
/// deadline, or gone (deleted, flushed, swapped away, expired).
let private touched (now: int64) (w: World) (k: WatchedKey) =
    let seen = observe now k.Db k.Key w

    match k.Value, seen.Value with
    | ValueNone, ValueNone -> false
    | ValueSome a, ValueSome b -> not (obj.ReferenceEquals(a, b)) || k.Deadline <> seen.Deadline
    | _ -> true

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
            Outcome.error RedisError.ExecAbort (cleared s) w
        elif s.Watched |> List.exists (touched ctx.NowMs w) then
            Outcome.reply RespValue.NullArray (cleared s) w
        else
            let queued = List.rev s.Queued |> Array.ofList
            let replies = Array.zeroCreate queued.Length
            let effects = ResizeArray<Effect>()

            let mutable session = { cleared s with InExec = true }

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
