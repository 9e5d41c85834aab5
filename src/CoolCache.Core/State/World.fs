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
            Dbs = Array.create config.Databases Db.empty
            Config = config
            Dirty = 0L
        }

    let inline db (index: int) (w: World) = w.Dbs[index]

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
