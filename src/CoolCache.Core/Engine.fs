/// The pure step the host runs for every command and every timer tick, in commit order.
module CoolCache.Core.Engine

open CoolCache.Core.Keyspace
open CoolCache.Core.State
open CoolCache.Core.Commands

/// The keys a command's events name (every event but keymiss touches its key: signalModifiedKey).
let private touchedKeys (effects: Effect list) =
    effects
    |> Seq.choose (fun e ->
        match e with
        // keymiss touches nothing; expired concerns a key already absent to readers: a watched key that
        // was live at WATCH shows as gone at EXEC anyway, one already expired then is no change (multi.c)
        // (consumer-group events and xsetid do not touch either: Redis signals no modified key there)
        | Effect.Notify ev when
            ev.Class <> NotifyClass.KeyMiss
            && ev.Class <> NotifyClass.Expired
            && not (ev.Event.StartsWith "xgroup-")
            && ev.Event <> "xsetid"
            && ev.Event <> "xclaim"
            && ev.Event <> "xautoclaim"
            ->
            Some(struct (ev.Db, ev.Key))
        | _ -> None)

/// One command against the World. While clients WATCH keys, commands report what they touch (their
/// keyspace events) and the watched ones get new stamps (multi.c touchWatchedKey). Keyspace events
/// then become deliveries to their subscribers.
let step (ctx: Ctx) (s: Session) (argv: Bytes[]) (w: World) =
    let struct (o, spec) =
        if w.Watching = 0 then
            Dispatch.execute ctx s argv w
        else
            let struct (o, spec) = Dispatch.execute { ctx with Events = true } s argv w

            let o =
                if o.Effects.IsEmpty || o.World.Watching = 0 then
                    o
                else
                    { o with
                        World = Watches.touch (touchedKeys o.Effects) o.World
                    }

            struct (o, spec)

    if o.Effects.IsEmpty then
        struct (o, spec)
    else
        struct (Effects.KeyspaceEvents.settle o, spec)

/// A connection closed: its watched keys are no longer watched by it.
let disconnect (s: Session) (w: World) =
    let struct (_, w) = TransactionCommands.unwatchAll s w
    w

/// Active expiry of up to limit due keys across all databases; events (unless null) receives the
/// "expired" (x) event of each key removed (expire.c activeExpireCycle), database by database, earliest
/// deadline first.
let private expireGeneric (now: int64) (limit: int) (events: ResizeArray<KeyEvent>) (w: World) : struct (World * int) =
    let mutable world = w
    let mutable removed = 0

    for i in 0 .. w.Dbs.Length - 1 do
        if removed < limit then
            let db, keys = Db.removeExpired now (limit - removed) world.Dbs[i]

            if not keys.IsEmpty then
                world <- World.withDb i db world
                removed <- removed + keys.Length


                if not (isNull events) then
                    for key in keys do
                        events.Add
                            {
                                Class = NotifyClass.Expired
                                Event = "expired"
                                Db = i
                                Key = key
                            }

    struct (world, removed)

/// Active expiry: remove up to limit due keys across all databases; returns the World and the count.
let expire (now: int64) (limit: int) (w: World) : struct (World * int) = expireGeneric now limit null w

/// Active expiry as expire, with the "expired" events of the keys removed (for keyspace notifications).
let expireWithEvents (now: int64) (limit: int) (w: World) : struct (World * KeyEvent[]) =
    let events = ResizeArray<KeyEvent>()
    let struct (world, _) = expireGeneric now limit events w
    struct (world, events.ToArray())

/// The earliest deadline in any database, or Int64.MaxValue.
let nextDeadline (w: World) =
    w.Dbs
    |> Array.fold
        (fun acc db ->
            match ExpiryIndex.next db.Index with
            | ValueSome at -> min acc at
            | ValueNone -> acc)
        System.Int64.MaxValue
