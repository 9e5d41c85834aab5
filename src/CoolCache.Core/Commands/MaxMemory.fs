/// maxmemory in the command path (server.c processCommand → evict.c performEvictions): while the used
/// memory figure (Memory.fs) is over maxmemory, evict per maxmemory-policy before a command runs; when
/// that cannot free enough, commands that would use memory are refused (Dispatch's OOM gate). Also the
/// lookups that count as accesses for LRU/LFU (db.c lookupKey), made by Dispatch before a command runs.
module CoolCache.Core.Commands.MaxMemory

open CoolCache.Core
open CoolCache.Core.Keyspace
open CoolCache.Core.State

/// INFO used_memory and what maxmemory is compared with (Eviction.usedMemory). O(databases).
let used (w: World) = Eviction.usedMemory w.Dbs

/// The keys one run may evict by maxmemory-eviction-tenacity (Redis bounds a run by time: 50 µs per
/// step up to 10, then 15% more per step, 100 unbounded; at least 16 keys).
let private maxKeys (tenacity: int) =
    if tenacity >= 100 then
        System.Int32.MaxValue
    else
        int (16.0 + 100.0 * float (min tenacity 10) * (1.15 ** float (max 0 (tenacity - 10))))

let settings (c: Config) : Eviction.Settings =
    {
        Policy = Eviction.Policy.parse c.MaxMemoryPolicy
        Samples = c.MaxMemorySamples
        LfuDecayTime = int64 c.LfuDecayTime
        MaxKeys = maxKeys c.MaxMemoryEvictionTenacity
    }

/// Whether used memory is over maxmemory (0 = no limit); never while loading (an append-only file, a
/// primary's stream: the data must end as it was written). O(databases).
let inline over (w: World) =
    w.Config.MaxMemory > 0L && not w.Dbs[0].Loading && used w > w.Config.MaxMemory

/// The databases after an eviction, in place on a live World; evictions are not writes (Dirty stays).
let private withDbs (dbs: Db[]) (w: World) =
    if obj.ReferenceEquals(dbs, w.Dbs) then
        w
    elif w.Owned then
        Array.blit dbs 0 w.Dbs 0 dbs.Length
        w
    else
        { w with Dbs = dbs }

/// The effects of evicted keys: Effect.Evicted, then each key's "evicted" (e) event when wanted.
/// Propagation hook (evict.c propagateDeletion): where the World propagates (AOF, replicas), each
/// evicted key is also to be sent as DEL in its database, before the command's own writes, as
/// LazyExpiry does for expired keys: Effect.Propagate(db, [| DEL; key |]) next to its event.
let private effects (events: bool) (evicted: struct (int * Bytes) list) : Effect list =
    match evicted with
    | [] -> []
    | _ ->
        let notes =
            if events then
                evicted
                |> List.map (fun (struct (db, key)) ->
                    Effect.Notify
                        {
                            Class = NotifyClass.Evicted
                            Event = "evicted"
                            Db = db
                            Key = key
                        })
            else
                []

        Effect.Evicted(Array.ofList evicted) :: notes

/// Evict until used memory is at most maxmemory, at most maxKeys keys (the host's timer passes its own
/// bound). Returns the World, the effects of what went, and whether memory is now within the limit
/// or the run stopped at its bound (false: the OOM case). Pure: the seed draws the samples.
let evictUpTo
    (maxKeys: int)
    (events: bool)
    (now: int64)
    (seed: uint64)
    (w: World)
    : struct (World * Effect list * bool) =
    let limit = w.Config.MaxMemory

    if limit <= 0L then
        struct (w, [], true)
    else
        let toFree = used w - limit

        if toFree <= 0L then
            struct (w, [], true)
        else
            let settings =
                { settings w.Config with
                    MaxKeys = maxKeys
                }

            let o = Eviction.perform settings now seed toFree w.Dbs
            struct (withDbs o.Dbs w, effects events o.Evicted, o.Enough)

/// Evict before a command (performEvictions), bounded by maxmemory-eviction-tenacity.
let evict (ctx: Ctx) (w: World) =
    evictUpTo (maxKeys w.Config.MaxMemoryEvictionTenacity) ctx.Events ctx.NowMs ctx.Seed w

/// Whether maxmemory-policy ranks keys by access (an LRU or LFU policy): only then do lookups stamp keys.
let inline private ranksByAccess (policy: string) =
    policy.EndsWith("lru", System.StringComparison.Ordinal)
    || policy.EndsWith("lfu", System.StringComparison.Ordinal)

/// The key lookups of a command (db.c lookupKey): under an LRU or LFU maxmemory-policy, each key of its
/// key spec that is stored gets a new access stamp, and under an LFU policy its counter decays and may
/// grow; commands flagged NoTouch look without touching (LOOKUP_NOTOUCH). In place, no allocation.
/// Under the other policies (noeviction, the default) lookups cost no second map lookup: keys keep the
/// stamp of their creation, so OBJECT IDLETIME counts from there.
let touchKeys (ctx: Ctx) (spec: CommandSpec) (s: Session) (argv: Bytes[]) (w: World) =
    if
        spec.Flags &&& CommandFlags.NoTouch = CommandFlags.None
        && s.Db < w.Dbs.Length
        && ranksByAccess w.Config.MaxMemoryPolicy
    then
        let db = w.Dbs[s.Db]

        if not db.Access.IsEmpty then
            let config = w.Config

            if Eviction.Policy.isLfuName config.MaxMemoryPolicy then
                let factor = int64 config.LfuLogFactor
                let decay = int64 config.LfuDecayTime

                for i in LazyExpiry.keyPositions spec argv do
                    Db.touchLfu factor decay (ctx.Seed + uint64 i) ctx.NowMs argv[i] db
            else
                match spec.Keys with
                | KeySpec.Range(first, last, step) ->
                    let last =
                        if last < 0 then
                            argv.Length + last
                        else
                            min last (argv.Length - 1)

                    let mutable i = first

                    while i <= last do
                        Db.touchLru ctx.NowMs argv[i] db
                        i <- i + max 1 step
                | KeySpec.NoKeys -> ()
                | _ ->
                    for i in LazyExpiry.keyPositions spec argv do
                        Db.touchLru ctx.NowMs argv[i] db
