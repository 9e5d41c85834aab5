/// The pure step the host runs for every command and every timer tick, in commit order.
module CoolCache.Core.Engine

open CoolCache.Core.Keyspace
open CoolCache.Core.State
open CoolCache.Core.Commands

/// One command against the World; keyspace events become deliveries to their subscribers.
let step (ctx: Ctx) (s: Session) (argv: Bytes[]) (w: World) =
    let struct (o, spec) = Dispatch.execute ctx s argv w

    if o.Effects.IsEmpty then
        struct (o, spec)
    else
        struct (Effects.KeyspaceEvents.settle o, spec)

/// Active expiry: remove up to limit due keys across all databases; returns the World and the count.
let expire (now: int64) (limit: int) (w: World) : struct (World * int) =
    let mutable world = w
    let mutable removed = 0

    for i in 0 .. w.Dbs.Length - 1 do
        if removed < limit then
            let db, keys = Db.removeExpired now (limit - removed) world.Dbs[i]

            if not keys.IsEmpty then
                world <- World.withDb i db world
                removed <- removed + keys.Length

    struct (world, removed)

/// The earliest deadline in any database, or Int64.MaxValue.
let nextDeadline (w: World) =
    w.Dbs
    |> Array.fold
        (fun acc db ->
            match ExpiryIndex.next db.Index with
            | ValueSome at -> min acc at
            | ValueNone -> acc)
        System.Int64.MaxValue
