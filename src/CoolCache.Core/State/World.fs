/// The whole server state as one immutable value: databases and configuration. The host publishes a new
/// World after each write; readers and snapshots hold old ones for free.
namespace CoolCache.Core.State

open CoolCache.Core.Keyspace

type World =
    {
        Dbs: Db[]
        Config: Config
        /// Writes since the last save (Redis's server.dirty).
        Dirty: int64
    }

module World =
    let create (config: Config) =
        {
            Dbs = Array.init config.Databases (fun _ -> Db.create ())
            Config = config
            Dirty = 0L
        }

    let inline db (index: int) (w: World) = w.Dbs[index]

    /// A World that later writes will not change: the live databases move to fresh owners, so this
    /// value (and any older one) is never edited in place again. Take it before handing a World to
    /// anyone who keeps it (snapshots, background saves, readers outside the engine). O(databases).
    let freeze (w: World) =
        { w with Dbs = w.Dbs |> Array.map Db.freeze }

    /// Replace one database (copy-on-write of the small db array).
    let withDb (index: int) (db: Db) (w: World) =
        if obj.ReferenceEquals(w.Dbs[index], db) then
            w
        else
            let dbs = Array.copy w.Dbs
            dbs[index] <- db

            { w with
                Dbs = dbs
                Dirty = w.Dirty + 1L
            }
