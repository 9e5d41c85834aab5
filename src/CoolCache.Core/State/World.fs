/// The whole server state as one value: databases, configuration and the pub/sub index. The engine is
/// its only writer. A live World is owned: writes replace a database in its array and count Dirty in place, as the
/// databases edit their maps in place (Db.fs). World.freeze gives a value later writes never change
/// (for snapshots, background saves, readers outside the engine).
namespace CoolCache.Core.State

open CoolCache.Core
open CoolCache.Core.Collections
open CoolCache.Core.Keyspace

/// A key some clients WATCH: how many, and the stamp of the last command that touched it.
[<Struct>]
type WatchEntry = { Watchers: int; Stamp: int64 }

type World =
    {
        Dbs: Db[]
        Config: Config
        /// Who listens to which channels and patterns (SUBSCRIBE, PSUBSCRIBE, SSUBSCRIBE).
        PubSub: PubSubIndex
        /// Writes since the last save (Redis's server.dirty).
        mutable Dirty: int64
        /// Set on a live World: its Dbs array and Dirty are edited in place. False: copy on write.
        Owned: bool
        /// Per database, the keys under WATCH (multi.c's db->watched_keys); empty when nobody watches.
        Watched: HashMap<Bytes, WatchEntry>[]
        /// Keys under WATCH in all databases (0: no command needs to report what it touched).
        Watching: int
        /// The last stamp given to a touched watched key.
        WatchClock: int64
        /// Writes are propagated (an append-only file or replicas listen): commands report their
        /// deterministic form as Effect.Propagate, and lazily expired keys are deleted with a DEL.
        Propagating: bool
    }

module World =
    /// Whether keys carry access stamps (Db.Stamped): under the maxmemory-policies that rank keys by
    /// access, LRU and LFU (OBJECT IDLETIME and FREQ read the stamps too).
    let stampsAccess (c: Config) =
        match Eviction.Policy.parse c.MaxMemoryPolicy with
        | Eviction.Policy.AllKeysLru
        | Eviction.Policy.AllKeysLfu
        | Eviction.Policy.VolatileLru
        | Eviction.Policy.VolatileLfu -> true
        | _ -> false

    let create (config: Config) =
        {
            Dbs = Array.init config.Databases (fun _ -> Db.create (stampsAccess config))
            Config = config
            PubSub = PubSubIndex.empty
            Dirty = 0L
            Owned = true
            Watched = Array.create config.Databases (HashMap.empty BytesComparer.Instance)
            Watching = 0
            WatchClock = 0L
            Propagating = false
        }

    let inline db (index: int) (w: World) = w.Dbs[index]

    /// A World that later writes will not change (its databases are fully persistent), and the live
    /// World to carry on with (its own array; databases under fresh owners). O(databases).
    let freeze (w: World) : struct (World * World) =
        let frozen =
            { w with
                Dbs = w.Dbs |> Array.map (fun d -> { d with Owner = null })
                Owned = false
            }

        let live =
            { w with
                Dbs = w.Dbs |> Array.map Db.freeze
                Owned = true
            }

        struct (frozen, live)

    /// The World under a new configuration (CONFIG SET): a policy that ranks keys by access stamps
    /// every key at now (O(keys)); one that does not drops the stamps.
    let withConfig (now: int64) (config: Config) (w: World) =
        let stamped = stampsAccess config

        if w.Dbs.Length = 0 || w.Dbs[0].Stamped = stamped then
            { w with Config = config }
        else
            { w with
                Config = config
                Dbs = w.Dbs |> Array.map (Db.withStamps now stamped)
            }

    /// Replace one database: in place on a live World, copy-on-write of the small array otherwise.
    let withDb (index: int) (db: Db) (w: World) =
        if obj.ReferenceEquals(w.Dbs[index], db) then
            w
        elif w.Owned then
            w.Dbs[index] <- db
            w.Dirty <- w.Dirty + 1L
            w
        else
            let dbs = Array.copy w.Dbs
            dbs[index] <- db

            { w with
                Dbs = dbs
                Dirty = w.Dirty + 1L
            }

/// The WATCH index (multi.c watchKey / unwatchAllKeys / touchWatchedKey): which keys clients watch, and
/// a stamp per key that changes whenever a command touches it (Engine.step, from the keyspace events).
module Watches =
    /// Add one watcher of key in db; returns the World and the key's current stamp.
    let add (db: int) (key: Bytes) (w: World) : struct (World * int64) =
        let m = w.Watched[db]

        let e =
            match m.TryFind key with
            | ValueSome e -> { e with Watchers = e.Watchers + 1 }
            | ValueNone -> { Watchers = 1; Stamp = 0L }

        let watched = Array.copy w.Watched
        watched[db] <- m.Add(key, e)

        struct ({ w with
                    Watched = watched
                    Watching = w.Watching + (if e.Watchers = 1 then 1 else 0)
                },
                e.Stamp)

    /// Drop one watcher of each key.
    let remove (keys: (int * Bytes) list) (w: World) =
        if keys.IsEmpty then
            w
        else
            let watched = Array.copy w.Watched
            let mutable watching = w.Watching

            for db, key in keys do
                match watched[db].TryFind key with
                | ValueSome e when e.Watchers > 1 ->
                    watched[db] <- watched[db].Add(key, { e with Watchers = e.Watchers - 1 })
                | ValueSome _ ->
                    watched[db] <- watched[db].Remove key
                    watching <- watching - 1
                | ValueNone -> ()

            { w with
                Watched = watched
                Watching = watching
            }

    /// The key's stamp now (0 when nobody watches it).
    let stamp (db: int) (key: Bytes) (w: World) =
        match w.Watched[db].TryFind key with
        | ValueSome e -> e.Stamp
        | ValueNone -> 0L

    /// A command touched these keys: watched ones get a new stamp.
    let touch (keys: struct (int * Bytes) seq) (w: World) =
        let mutable w = w

        for struct (db, key) in keys do
            if db >= 0 && db < w.Watched.Length then
                match w.Watched[db].TryFind key with
                | ValueSome e ->
                    let watched = Array.copy w.Watched
                    let clock = w.WatchClock + 1L
                    watched[db] <- watched[db].Add(key, { e with Stamp = clock })

                    w <-
                        { w with
                            Watched = watched
                            WatchClock = clock
                        }
                | ValueNone -> ()

        w
