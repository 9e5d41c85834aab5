/// The whole server state as one value: databases, configuration and the pub/sub index. The engine is
/// its only writer. A live World is owned: writes replace a database in its array and count Dirty in place, as the
/// databases edit their maps in place (Db.fs). World.freeze gives a value later writes never change
/// (for snapshots, background saves, readers outside the engine).
namespace CoolCache.Core.State

open CoolCache.Core.Keyspace

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
    }

module World =
    let create (config: Config) =
        {
            Dbs = Array.init config.Databases (fun _ -> Db.create ())
            Config = config
            PubSub = PubSubIndex.empty
            Dirty = 0L
            Owned = true
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
